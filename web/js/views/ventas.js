// "Ventas" (spec 40 §6.1–§6.2): the stores with their last 30 days, and each store's
// product table over a period: units, sales, share, average per selling day, the P75
// without probable stock-out days (overall and per weekday, shaded like a heat map), the
// payday effect, the period's ABC and velocity, and stock. The server filters, ranks and
// pages (GET /api/ventas/detail); filters live in the URL.
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError, drawPager, bindPager } from '../dom.js';
import { formatNumber, formatInteger, tenantToday } from '../format.js';
import { openProductDrawer } from './producto-ventas.js';

const WEEKDAYS = ['Dom', 'Lun', 'Mar', 'Mié', 'Jue', 'Vie', 'Sáb'];
const WEEKDAY_ORDER = [1, 2, 3, 4, 5, 6, 0]; // shown Monday first
const VELOCITY = { MUY_ALTA: 'Muy alta', ALTA: 'Alta', MEDIA: 'Media', BAJA: 'Baja', SIN_VENTAS: 'Sin ventas' };
const SORTS = { cantidad_total: 'Unidades', venta_total: 'Ventas', promedio_diario: 'Prom./día', porcentaje_total: '%' };
const FILTERS = ['fecha_inicio', 'fecha_fin', 'categoria', 'marca', 'abc', 'velocidad', 'search', 'sort_by'];
const PAGE_SIZES = [25, 50, 100, 200];

const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const addDays = (d, n) => { const x = new Date(d); x.setDate(x.getDate() + n); return x; };

// The presets of spec 40 §6.2, as [desde, hasta] for a local "today".
function presets(today) {
  const monthStart = new Date(today.getFullYear(), today.getMonth(), 1);
  const prevMonthStart = new Date(today.getFullYear(), today.getMonth() - 1, 1);
  const sameDayPrevMonth = new Date(today.getFullYear(), today.getMonth() - 1, Math.min(today.getDate(), new Date(today.getFullYear(), today.getMonth(), 0).getDate()));
  return {
    hoy: ['Hoy', today, today],
    ayer: ['Ayer', addDays(today, -1), addDays(today, -1)],
    semana: ['Últ. semana', addDays(today, -7), today],
    mes: ['Últ. mes', sameDayPrevMonth, today],
    tres: ['Últ. 3 meses', new Date(today.getFullYear(), today.getMonth() - 3, today.getDate()), today],
    anio: ['Últ. año', new Date(today.getFullYear() - 1, today.getMonth(), today.getDate() + 1), today],
    actual: ['Mes actual', monthStart, today],
    anterior: ['Mes anterior', prevMonthStart, addDays(monthStart, -1)],
  };
}

export async function render(container, ctx) {
  const [, , rawId, sub] = location.pathname.split('/');
  const id = decodeURIComponent(rawId || '');
  if (!id) return renderStores(container, ctx);
  if (sub === 'agotados') return (await import('./agotados.js')).render(container, ctx, id);
  if (sub === 'perdidas') return (await import('./perdidas.js')).render(container, ctx, id);
  return renderStore(container, ctx, id);
}

// ---------- the stores ----------

async function renderStores(container, ctx) {
  const asked = Math.trunc(Number(ctx.query.get('dias')));
  // Chips offer 7, 30 and 90 days; a link may ask for any window the API accepts (1–400).
  const f = { dias: asked >= 1 && asked <= 400 ? asked : 30, region: ctx.query.get('region') || '' };
  setHtml(container, html`<div class="page-head"><div><h1>Ventas</h1><p class="subtitle" data-role="subtitle">Días completos hasta ayer, por región y tienda. Abra una tienda para ver sus productos.</p></div>
      <div class="actions filters" role="group" aria-label="Periodo">${[7, 30, 90].map((d) => html`<button type="button" class="chip" data-dias="${d}" aria-pressed="${String(d === f.dias)}">${d} días</button>`)}</div></div>
    <div class="tabs wrap" role="tablist" data-role="regions"></div>
    <div class="kpis" data-role="region-cards"></div>
    <section data-role="stores">${skeletonBlock({ rows: 6 })}</section>`);
  const el = container.querySelector('[data-role=stores]');
  let data = null;
  const draw = () => {
    const regions = data.regiones;
    if (!regions.length) {
      setHtml(container.querySelector('[data-role=regions]'), '');
      setHtml(container.querySelector('[data-role=region-cards]'), '');
      setHtml(el, emptyState('Sin ventas', `Ninguna tienda visible vendió entre el ${data.desde} y el ${data.hasta}.`));
      return;
    }
    if (!regions.some((r) => r.region === f.region)) f.region = regions[0].region;
    const r = regions.find((x) => x.region === f.region);
    setHtml(container.querySelector('[data-role=regions]'), html`${regions.map((x) => html`<button type="button" role="tab" class="tab" data-region="${x.region}" aria-selected="${String(x.region === f.region)}">${x.region} <span class="muted small">${formatInteger(x.ubicaciones)}</span></button>`)}`);
    setHtml(container.querySelector('[data-role=region-cards]'), html`
      <div class="kpi"><span class="kpi-label">Ventas (USD)</span><span class="kpi-value">${formatNumber(r.venta_total, 2)}</span></div>
      <div class="kpi"><span class="kpi-label">Tickets</span><span class="kpi-value">${formatInteger(r.tickets)}</span></div>
      <div class="kpi"><span class="kpi-label">Productos distintos</span><span class="kpi-value">${formatInteger(r.productos_distintos)}</span><span class="kpi-hint">En toda la región, sin repetir</span></div>
      <div class="kpi"><span class="kpi-label">Unidades por día</span><span class="kpi-value">${formatNumber(r.unidades_diarias, 0)}</span><span class="kpi-hint">${formatNumber(r.unidades, 0)} unidades en ${data.dias} días</span></div>`);
    setHtml(el, html`<div class="card table-card"><table class="data-table" data-role="store-list">
      <thead><tr><th>Tienda</th><th class="num">Ventas (USD)</th><th class="num">Tickets</th><th class="num">Ticket promedio</th><th class="num">Productos</th><th class="num">Unidades</th><th class="num">Unid./día</th><th class="num">Días con venta</th><th>Primera venta</th><th>Última venta</th></tr></thead>
      <tbody>${r.tiendas.map((s) => html`<tr>
        <th scope="row" class="name"><a href="/ventas/${encodeURIComponent(s.ubicacion_id)}">${s.nombre}</a></th>
        <td class="num">${formatNumber(s.venta_total, 2)}</td><td class="num">${formatInteger(s.tickets)}</td><td class="num">${s.tickets ? formatNumber(s.venta_total / s.tickets, 2) : '—'}</td>
        <td class="num">${formatInteger(s.productos_distintos)}</td><td class="num">${formatNumber(s.unidades, 0)}</td><td class="num">${formatNumber(s.promedio_unidades_diarias, 0)}</td>
        <td class="num">${formatInteger(s.dias_con_venta)}</td><td>${s.primera_venta || '—'}</td><td>${s.ultima_venta || '—'}</td></tr>`)}</tbody></table></div>`);
  };
  const load = async () => {
    ctx.setQuery({ ...(f.dias !== 30 ? { dias: String(f.dias) } : {}), ...(f.region ? { region: f.region } : {}) });
    container.querySelectorAll('[data-dias]').forEach((b) => b.setAttribute('aria-pressed', String(Number(b.dataset.dias) === f.dias)));
    try {
      data = await apiGet(`/api/ventas/summary-regional?dias=${f.dias}`, { signal: ctx.signal });
      container.querySelector('[data-role=subtitle]').textContent = `Del ${data.desde} al ${data.hasta} (${data.dias} días completos), por región y tienda. Abra una tienda para ver sus productos.`;
      draw();
    } catch (e) {
      if (!isAbort(e)) showError(el, e, load);
    }
  };
  container.querySelector('[data-role=regions]').addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-region]');
    if (!b || !data) return;
    f.region = b.dataset.region;
    ctx.setQuery({ ...(f.dias !== 30 ? { dias: String(f.dias) } : {}), region: f.region });
    draw();
  });
  container.querySelectorAll('[data-dias]').forEach((b) => b.addEventListener('click', () => { f.dias = Number(b.dataset.dias); load(); }));
  await load();
}

// ---------- one store ----------

function readFilters(q) {
  const f = { page: Math.max(1, Number(q.get('page')) || 1), page_size: PAGE_SIZES.includes(Number(q.get('page_size'))) ? Number(q.get('page_size')) : 50 };
  for (const k of FILTERS) f[k] = q.get(k) || '';
  return f;
}

function toQuery(f) {
  const out = {};
  for (const k of FILTERS) if (f[k]) out[k] = f[k];
  if (f.page > 1) out.page = String(f.page);
  if (f.page_size !== 50) out.page_size = String(f.page_size);
  return out;
}

// A weekday P75 cell shaded by its size against the row's largest weekday.
function weekdayCell(l, wd, max) {
  const v = l.p75_dia_semana[wd];
  if (v === null || v === undefined) return html`<td class="num wd muted" data-wd="${wd}">—</td>`;
  const alpha = max > 0 ? (0.08 + 0.5 * (v / max)).toFixed(2) : 0;
  return html`<td class="num wd" data-wd="${wd}" style="${`background: rgba(16, 185, 129, ${alpha})`}" title="${`P75 de los ${WEEKDAYS[wd]}: ${formatNumber(v, 1)} unid. Clic: últimos 8 ${WEEKDAYS[wd]}`}">${formatNumber(v, 1)}</td>`;
}

async function renderStore(container, ctx, id) {
  const f = readFilters(ctx.query);
  const today = tenantToday();
  const P = presets(today);
  const activePreset = () => Object.keys(P).find((k) => (f.fecha_inicio || iso(P.mes[1])) === iso(P[k][1]) && (f.fecha_fin || iso(today)) === iso(P[k][2])) || 'personalizado';
  setHtml(container, html`<div class="page-head"><div><p class="muted"><a href="/ventas">← Ventas</a></p>
      <h1 data-role="title">Ventas</h1><p class="subtitle" data-role="subtitle"></p></div>
      <div class="actions"><a class="btn" href="/ventas/${encodeURIComponent(id)}/perdidas">V. perdidas</a>
        <a class="btn" href="/ventas/${encodeURIComponent(id)}/agotados" data-role="agotados" title="Productos con stock que dejaron de venderse">Agotados<span class="count zero" data-role="agotados-count">…</span></a>
        <a class="btn" data-role="export" href="#" download>Exportar Excel</a></div></div>
    <div class="card filter-bar filters wrap" data-role="periods" role="group" aria-label="Periodo">
      ${Object.entries(P).map(([k, [label]]) => html`<button type="button" class="chip" data-preset="${k}">${label}</button>`)}
      <label>Desde <input type="date" name="fecha_inicio"></label><label>Hasta <input type="date" name="fecha_fin" max="${iso(today)}"></label>
    </div>
    <div class="kpis" data-role="cards"></div>
    <form class="card filter-bar filters wrap" data-role="filters" autocomplete="off">
      <label>Buscar <input type="search" name="search" value="${f.search}" placeholder="Código o descripción"></label>
      <label>Categoría <select name="categoria"><option value="">Todas</option></select></label>
      <label>Marca <select name="marca"><option value="">Todas</option></select></label>
      <label>ABC del periodo <select name="abc">${[['', 'Todas'], ['A', 'A (top 50)'], ['B', 'B (51–200)'], ['C', 'C']].map(([v, t]) => html`<option value="${v}" ${v === f.abc ? html`selected` : ''}>${t}</option>`)}</select></label>
      <label>Velocidad <select name="velocidad"><option value="">Todas</option>${Object.entries(VELOCITY).map(([v, t]) => html`<option value="${v}" ${v === f.velocidad ? html`selected` : ''}>${t}</option>`)}</select></label>
      <button type="button" class="btn btn-ghost" data-action="clear">Limpiar filtros</button>
    </form>
    <section data-role="table">${skeletonBlock({ rows: 10 })}</section>
    <div class="pager" data-role="pager"></div>
    <aside class="drawer" data-role="drawer" hidden aria-label="Detalle del producto"></aside>`);
  const periods = container.querySelector('[data-role=periods]');
  const form = container.querySelector('[data-role=filters]');
  const tableEl = container.querySelector('[data-role=table]');
  const pagerEl = container.querySelector('[data-role=pager]');
  const drawer = container.querySelector('[data-role=drawer]');
  let optionsFilled = false;
  let data = null;
  let seq = 0;

  const showPeriod = (d) => {
    periods.querySelector('[name=fecha_inicio]').value = d.fecha_inicio;
    periods.querySelector('[name=fecha_fin]').value = d.fecha_fin;
    const active = activePreset();
    periods.querySelectorAll('[data-preset]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.preset === active)));
  };

  const fillOptions = (d) => {
    const fill = (name, list) => {
      const sel = form.elements[name];
      setHtml(sel, html`<option value="">Todas</option>${list.map((v) => html`<option value="${v}" ${v === f[name] ? html`selected` : ''}>${v}</option>`)}`);
    };
    fill('categoria', d.opciones.categorias);
    fill('marca', d.opciones.marcas);
    optionsFilled = true;
  };

  const draw = (d) => {
    const t = d.totales;
    setHtml(container.querySelector('[data-role=cards]'), html`
      <div class="kpi"><span class="kpi-label">Productos vendidos</span><span class="kpi-value">${formatInteger(t.productos)}</span></div>
      <div class="kpi"><span class="kpi-label">Unidades</span><span class="kpi-value">${formatInteger(t.unidades)}</span></div>
      <div class="kpi"><span class="kpi-label">Ventas (USD)</span><span class="kpi-value">${formatNumber(t.ventas, 2)}</span></div>
      <div class="kpi"><span class="kpi-label">Días con venta</span><span class="kpi-value">${formatInteger(d.dias_con_venta)}</span><span class="kpi-hint">El promedio diario divide entre estos días</span></div>`);
    if (!d.items.length) {
      setHtml(tableEl, emptyState('Sin ventas con estos filtros', 'Pruebe con otro periodo o limpie los filtros.'));
      setHtml(pagerEl, '');
      return;
    }
    const sortBy = f.sort_by || 'cantidad_total';
    const th = (key, label) => html`<th class="num sortable" aria-sort="${sortBy === key ? 'descending' : 'none'}"><button type="button" class="sort" data-sort="${key}">${label}${sortBy === key ? ' ▼' : ''}</button></th>`;
    setHtml(tableEl, html`<div class="card table-card"><table class="data-table sales-table" data-role="sales">
      <thead><tr><th class="num">#</th><th>Código</th><th>Descripción</th>${th('cantidad_total', 'Unidades')}${th('venta_total', 'Ventas')}${th('porcentaje_total', '%')}${th('promedio_diario', 'Prom./día')}
        <th class="num" title="P75 de los días con venta, sin los días de probable rotura (&lt; 40 % del promedio)">P75</th>
        ${WEEKDAY_ORDER.map((wd) => html`<th class="num wd">${WEEKDAYS[wd]}</th>`)}
        <th class="num" title="Efecto quincena: venta media de los días 15 a 20 frente al resto">Q15 %</th><th>ABC</th><th>Velocidad</th><th class="num">Stock</th></tr></thead>
      <tbody>${d.items.map((l, i) => {
        const max = Math.max(0, ...l.p75_dia_semana.filter((v) => v !== null));
        return html`<tr data-index="${i}" data-code="${l.codigo_producto}" tabindex="0">
          <td class="num muted">${formatInteger(l.rank)}</td><td class="code">${l.codigo_producto}</td>
          <td class="desc" title="${l.descripcion}">${l.descripcion}<span class="muted cat"> · ${l.categoria || 'SIN CATEGORIA'}</span></td>
          <td class="num"><strong>${formatNumber(l.cantidad_total, l.cantidad_total % 1 ? 1 : 0)}</strong></td><td class="num">${formatNumber(l.venta_total, 2)}</td>
          <td class="num">${formatNumber(l.porcentaje_total, 2)}</td><td class="num">${formatNumber(l.promedio_diario, 1)}</td>
          <td class="num" title="${`${formatNumber(l.promedio_bultos_diario, 2)} bultos/día`}">${l.p75 === null ? '—' : formatNumber(l.p75, 1)}</td>
          ${WEEKDAY_ORDER.map((wd) => weekdayCell(l, wd, max))}
          <td class="num ${l.q15_pct > 0 ? 'pos' : l.q15_pct < 0 ? 'neg' : ''}">${l.q15_pct > 0 ? '+' : ''}${formatNumber(l.q15_pct, 1)}</td>
          <td>${l.clase_abc_periodo}</td><td>${VELOCITY[l.velocidad_venta] || ''}</td><td class="num">${formatNumber(l.stock_actual, 0)}</td></tr>`;
      })}</tbody></table></div>`);
    drawPager(pagerEl, f, { sizes: PAGE_SIZES, pages: d.total_pages, total: t.productos, what: 'productos' });
  };

  const load = async () => {
    const mine = ++seq;
    const q = toQuery(f);
    ctx.setQuery(q);
    tableEl.setAttribute('aria-busy', 'true');
    try {
      const d = await apiGet(`/api/ventas/detail?${new URLSearchParams({ ubicacion_id: id, ...q })}`, { signal: ctx.signal });
      if (mine !== seq) return;
      data = d;
      container.querySelector('[data-role=title]').textContent = `Ventas · ${d.ubicacion_nombre}`;
      container.querySelector('[data-role=subtitle]').textContent = `Del ${d.fecha_inicio} al ${d.fecha_fin}. Importes en USD.`;
      const ex = new URLSearchParams({ ubicacion_id: id, ...q, fecha_inicio: d.fecha_inicio, fecha_fin: d.fecha_fin });
      ex.delete('page'); ex.delete('page_size');
      container.querySelector('[data-role=export]').href = `/api/ventas/export-resumen?${ex}`;
      if (!optionsFilled) fillOptions(d);
      showPeriod(d);
      draw(d);
    } catch (e) {
      if (isAbort(e) || mine !== seq) return;
      const denied = e.status === 403 || e.status === 422;
      showError(tableEl, e, denied ? null : load, denied ? 'No se pueden mostrar estas ventas' : 'No se pudieron cargar las ventas');
    } finally {
      tableEl.removeAttribute('aria-busy');
    }
  };

  periods.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-preset]');
    if (!b) return;
    const [, d, h] = P[b.dataset.preset];
    f.fecha_inicio = b.dataset.preset === 'mes' ? '' : iso(d);
    f.fecha_fin = b.dataset.preset === 'mes' ? '' : iso(h);
    f.page = 1;
    load();
  });
  periods.addEventListener('change', (ev) => {
    if (!ev.target.name || !ev.target.value) return;
    f[ev.target.name] = ev.target.value;
    f.page = 1;
    load();
  });
  let typing = null;
  form.addEventListener('input', (ev) => {
    if (ev.target.name !== 'search') return;
    clearTimeout(typing);
    typing = setTimeout(() => { f.search = ev.target.value.trim(); f.page = 1; load(); }, 250);
  });
  form.addEventListener('change', (ev) => {
    if (!ev.target.name || ev.target.name === 'search') return;
    f[ev.target.name] = ev.target.value;
    f.page = 1;
    load();
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  form.querySelector('[data-action=clear]').addEventListener('click', () => {
    for (const k of ['categoria', 'marca', 'abc', 'velocidad', 'search', 'sort_by']) f[k] = '';
    form.querySelectorAll('select').forEach((s) => { s.value = ''; });
    form.elements.search.value = '';
    f.page = 1;
    load();
  });
  tableEl.addEventListener('click', (ev) => {
    const s = ev.target.closest('[data-sort]');
    if (s) { f.sort_by = s.dataset.sort === 'cantidad_total' ? '' : s.dataset.sort; f.page = 1; load(); return; }
    const cell = ev.target.closest('td[data-wd]');
    const row = ev.target.closest('tr[data-index]');
    if (!row) return;
    if (cell) openWeekday(row, Number(cell.dataset.wd));
    else openProduct(row);
  });
  tableEl.addEventListener('keydown', (ev) => {
    const row = ev.target.closest('tr[data-index]');
    if (!row) return;
    if (ev.key === 'Enter') { ev.preventDefault(); openProduct(row); }
    if (ev.key === 'ArrowDown' && row.nextElementSibling) { ev.preventDefault(); row.nextElementSibling.focus(); }
    if (ev.key === 'ArrowUp' && row.previousElementSibling) { ev.preventDefault(); row.previousElementSibling.focus(); }
  });
  bindPager(pagerEl, f, load);

  // The badge: every visual stock-out of the store (the list shows the first 100).
  apiGet(`/api/ventas/agotados-visuales/${encodeURIComponent(id)}/count`, { signal: ctx.signal }).then((c) => {
    const el = container.querySelector('[data-role=agotados-count]');
    el.textContent = formatInteger(c.total);
    el.classList.toggle('zero', !c.total);
    container.querySelector('[data-role=agotados]').title = `${formatInteger(c.total)} productos con stock que dejaron de venderse (${formatInteger(c.criticos)} críticos)`;
  }).catch(() => { container.querySelector('[data-role=agotados-count]').textContent = '?'; });

  // A product's drill-downs: sales and stock history, by store, by hour, last days, lines.
  function openProduct(row) {
    const l = data.items[Number(row.dataset.index)];
    openProductDrawer(drawer, { code: l.codigo_producto, name: l.descripcion, store: id, ctx, onClose: () => row.focus() });
  }

  // The last 8 same weekdays of a product as bars; probable stock-out days in red.
  async function openWeekday(row, wd) {
    const l = data.items[Number(row.dataset.index)];
    drawer.hidden = false;
    drawer.classList.remove('wide');
    const close = () => { drawer.hidden = true; row.focus(); };
    const head = html`<div class="drawer-head"><h2>${l.codigo_producto} · ${l.descripcion}</h2><button type="button" class="modal-close" data-role="close" aria-label="Cerrar">×</button></div>`;
    const tabs = html`<div class="tabs" role="tablist">${WEEKDAY_ORDER.map((d) => html`<button type="button" role="tab" class="tab" data-day="${d}" aria-selected="${String(d === wd)}">${WEEKDAYS[d]}</button>`)}</div>`;
    setHtml(drawer, html`${head}<div class="drawer-body">${tabs}<div data-role="chart"><div class="route-spinner"><span class="spinner"></span>Cargando…</div></div></div>`);
    drawer.querySelector('[data-role=close]').addEventListener('click', close);
    drawer.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); }, { once: true });
    drawer.querySelectorAll('[data-day]').forEach((b) => b.addEventListener('click', () => openWeekday(row, Number(b.dataset.day))));
    const chartEl = drawer.querySelector('[data-role=chart]');
    try {
      const h = await apiGet(`/api/ventas/producto/${encodeURIComponent(l.codigo_producto)}/historico-dia?ubicacion_id=${encodeURIComponent(id)}&dia_semana=${wd}`, { signal: ctx.signal });
      const rows = [...h.fechas].reverse();
      if (!rows.length) { setHtml(chartEl, emptyState('Sin días', `La tienda no vendió ningún ${WEEKDAYS[wd]} en los últimos 60 días.`)); return; }
      const W = 480; const H = 200; const pad = 28; const max = Math.max(1, ...rows.map((r) => r.unidades), h.promedio);
      const bw = (W - pad * 2) / rows.length;
      const y = (v) => H - pad - (v / max) * (H - pad * 2);
      setHtml(chartEl, html`<p class="muted small">Unidades vendidas los últimos ${rows.length} ${WEEKDAYS[wd]}; en rojo los días por debajo del 40 % del promedio (${formatNumber(h.promedio, 1)}): probable rotura.</p>
        <svg class="bars" viewBox="0 0 ${W} ${H}" role="img" aria-label="${`Ventas de los últimos ${WEEKDAYS[wd]}`}">
          ${rows.map((r, i) => html`<g><rect x="${pad + i * bw + 4}" y="${y(r.unidades)}" width="${bw - 8}" height="${H - pad - y(r.unidades)}" class="${r.es_probable_rotura ? 'bar-alert' : 'bar'}"><title>${r.fecha}: ${formatNumber(r.unidades, 1)} unid</title></rect>
            <text x="${pad + i * bw + bw / 2}" y="${H - 8}" text-anchor="middle" class="axis">${r.fecha.slice(5)}</text>
            <text x="${pad + i * bw + bw / 2}" y="${y(r.unidades) - 4}" text-anchor="middle" class="axis">${formatNumber(r.unidades, 0)}</text></g>`)}
          <line x1="${pad}" x2="${W - pad}" y1="${y(h.promedio)}" y2="${y(h.promedio)}" class="avg-line"></line>
        </svg>`);
    } catch (e) {
      if (!isAbort(e)) showError(chartEl, e, () => openWeekday(row, wd), 'No se pudo cargar el historial');
    }
  }

  await load();
}
