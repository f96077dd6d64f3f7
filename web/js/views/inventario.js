// "Inventario de una ubicación" (spec 40 §7.2): the stock rows of one store or CEDI with
// demand, levels, state, activity and velocity as the server computed them. Filters,
// sort and paging run on the server (GET /api/stock) and live in the URL; the cards are the
// statistics of the filtered set and filter by themselves when clicked.
import { apiGet, apiPost, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError, drawPager, bindPager } from '../dom.js';
import { formatNumber, formatInteger, formatDateTime } from '../format.js';

const STATES = {
  CRITICO: ['Crítico', 'critico'],
  URGENTE: ['Urgente', 'bajo'],
  OPTIMO: ['Óptimo', 'optimo'],
  EXCESO: ['Exceso', 'exceso'],
  SIN_DEMANDA: ['Sin demanda', 'tienda'],
};
const ACTIVITY = { ACTIVO: 'Activo', DORMIDO: 'Dormido', ANOMALIA: 'Anomalía', FANTASMA: 'Fantasma' };
const VELOCITY = { MUY_ALTA: 'Muy alta', ALTA: 'Alta', MEDIA: 'Media', BAJA: 'Baja', SIN_VENTAS: 'Sin ventas' };
// `fecha` (an earlier business date) is kept from the URL; the screen has no picker for it.
const FILTERS = ['fecha', 'search', 'almacen', 'categoria', 'marca', 'estado', 'clasificacion', 'abc', 'velocidad', 'stock_cedi', 'stock_tienda', 'top', 'sort_by', 'sort_order'];
const PAGE_SIZES = [25, 50, 100, 200, 500];
const SORTABLE = { stock: 'Stock', dias_stock: 'Días', rank_ventas: 'Rank', peso: 'Peso kg' };

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

const select = (name, label, current, options) => html`<label>${label} <select name="${name}">
  ${options.map(([v, t]) => html`<option value="${v}" ${v === current ? html`selected` : ''}>${t}</option>`)}</select></label>`;

const stateBadge = (s) => { const [label, cls] = STATES[s] || [s, 'tienda']; return html`<span class="badge badge-${cls}">${label}</span>`; };
const days = (d) => (d === null || d === undefined ? html`<span class="muted">—</span>` : formatNumber(d, 1));

export async function render(container, ctx) {
  const id = decodeURIComponent(location.pathname.split('/')[2] || '');
  if (!id) { ctx.navigate('/inventarios'); return; }
  const f = readFilters(ctx.query);
  setHtml(container, html`<div class="page-head"><div><p class="muted"><a href="/inventarios">← Inventarios</a></p>
      <h1 data-role="title">Inventario</h1><p class="subtitle" data-role="subtitle"></p></div>
      <div class="actions"><a class="btn" data-role="export" href="#" download>Exportar Excel</a></div></div>
    <div class="tabs" role="tablist" data-role="views">
      <button type="button" role="tab" class="tab" data-view="tabla" aria-selected="true">Tabla</button>
      <button type="button" role="tab" class="tab" data-view="salud" aria-selected="false">Salud del inventario</button>
      <button type="button" role="tab" class="tab" data-view="correccion" aria-selected="false">Corrección <span class="badge badge-critico" data-role="anomaly-badge" hidden></span></button></div>
    <section data-role="health" hidden></section>
    <section data-role="corrections" hidden></section>
    <div data-role="table-view">
    <div class="kpis kpis-6" data-role="cards">${skeletonBlock({ cards: 0, rows: 1 })}</div>
    <form class="card filter-bar filters wrap" data-role="filters" autocomplete="off"></form>
    <section data-role="table">${skeletonBlock({ rows: 10 })}</section>
    <div class="pager" data-role="pager"></div>
    </div>
    <aside class="drawer" data-role="drawer" hidden aria-label="Detalle del producto"></aside>`);
  const healthEl = container.querySelector('[data-role=health]');
  const correctionsEl = container.querySelector('[data-role=corrections]');
  const tableView = container.querySelector('[data-role=table-view]');
  const badgeEl = container.querySelector('[data-role=anomaly-badge]');
  const showBadge = (n) => { badgeEl.textContent = formatInteger(n); badgeEl.hidden = !n; };
  apiGet(`/api/stock/anomalias/${encodeURIComponent(id)}/count`, { signal: ctx.signal }).then((b) => showBadge(b.total)).catch(() => {});
  container.querySelector('[data-role=views]').addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-view]');
    if (!b) return;
    const view = b.dataset.view;
    container.querySelectorAll('[data-view]').forEach((x) => x.setAttribute('aria-selected', String(x === b)));
    healthEl.hidden = view !== 'salud';
    correctionsEl.hidden = view !== 'correccion';
    tableView.hidden = view !== 'tabla';
    container.querySelector('[data-role=drawer]').hidden = true;
    if (view === 'salud') renderHealth(healthEl, ctx, id, f.fecha);
    if (view === 'correccion') renderCorrections(correctionsEl, ctx, id, showBadge);
  });
  const form = container.querySelector('[data-role=filters]');
  const cardsEl = container.querySelector('[data-role=cards]');
  const tableEl = container.querySelector('[data-role=table]');
  const pagerEl = container.querySelector('[data-role=pager]');
  const drawer = container.querySelector('[data-role=drawer]');
  let data = null;
  let seq = 0;
  let formBuilt = false;

  const buildForm = (d) => {
    const o = d.opciones;
    const store = !d.es_cedi;
    setHtml(form, html`
      <label>Buscar <input type="search" name="search" value="${f.search}" placeholder="Códigos (1853, 101) o descripción" aria-label="Buscar por código o descripción"></label>
      ${o.almacenes.length > 1 ? select('almacen', 'Almacén', f.almacen, [['', 'Todos'], ...o.almacenes.map((a) => [a.codigo, a.nombre])]) : ''}
      ${select('categoria', 'Categoría', f.categoria, [['', 'Todas'], ...o.categorias.map((c) => [c, c])])}
      ${select('marca', 'Marca', f.marca, [['', 'Todas'], ...o.marcas.map((c) => [c, c])])}
      ${select('estado', 'Estado', f.estado, [['', 'Todos'], ...Object.entries(STATES).map(([k, [t]]) => [k, t])])}
      ${select('abc', 'ABC', f.abc, [['', 'Todas'], ['A', 'A'], ['B', 'B'], ['C', 'C'], ['D', 'D'], ['SIN_VENTAS', 'Sin ventas']])}
      ${store ? select('clasificacion', 'Clasificación', f.clasificacion, [['', 'Todas'], ...Object.entries(ACTIVITY)]) : ''}
      ${store ? select('velocidad', 'Velocidad', f.velocidad, [['', 'Todas'], ...Object.entries(VELOCITY)]) : ''}
      ${select('stock_tienda', d.es_cedi ? 'Stock propio' : 'Stock tienda', f.stock_tienda, [['', 'Todos'], ['CON_STOCK', 'Con stock'], ['SIN_STOCK', 'Sin stock']])}
      ${select('stock_cedi', d.es_cedi ? 'Stock en tiendas' : 'Stock CEDI', f.stock_cedi, [['', 'Todos'], ['CON_STOCK', 'Con stock'], ['SIN_STOCK', 'Sin stock']])}
      ${select('top', 'Top ventas', f.top, [['', 'Todos'], ['50', 'Top 50'], ['200', 'Top 200'], ['800', 'Top 800']])}
      <button type="button" class="btn btn-ghost" data-action="clear">Limpiar filtros</button>`);
    formBuilt = true;
  };

  const cards = (d) => {
    const s = d.estadisticas;
    const list = d.es_cedi
      ? [['', 'Total', s.total], ['CRITICO', 'Críticos', s.criticos], ['URGENTE', 'Urgentes', s.urgentes], ['OPTIMO', 'Óptimos', s.optimos], ['EXCESO', 'Exceso', s.excesos], ['SIN_DEMANDA', 'Sin demanda', s.sin_demanda]]
      : [['', 'Total', s.total], ['CRITICO', 'Críticos', s.criticos], ['URGENTE', 'Urgentes', s.urgentes], ['c:FANTASMA', 'Fantasmas', s.fantasmas], ['c:DORMIDO', 'Dormidos', s.dormidos], ['c:ACTIVO', 'Activos', s.activos]];
    setHtml(cardsEl, html`${list.map(([key, label, n]) => {
      const pressed = key === '' ? !f.estado && !f.clasificacion : key.startsWith('c:') ? f.clasificacion === key.slice(2) : f.estado === key;
      return html`<button type="button" class="kpi kpi-button" data-card="${key}" aria-pressed="${String(pressed)}">
        <span class="kpi-label">${label}</span><span class="kpi-value">${formatInteger(n)}</span>
        ${key === '' ? html`<span class="kpi-hint">${formatInteger(s.stock_cero)} en cero · ${formatInteger(s.stock_negativo)} negativos</span>` : ''}</button>`;
    })}`);
  };

  const th = (key, label, cls = 'num') => {
    if (!SORTABLE[key]) return html`<th class="${cls}">${label}</th>`;
    const active = (f.sort_by || 'stock') === key;
    const desc = key !== 'rank_ventas' && (f.sort_order || 'desc') === 'desc';
    return html`<th class="${cls} sortable" aria-sort="${active ? (desc ? 'descending' : 'ascending') : 'none'}"><button type="button" class="sort" data-sort="${key}">${label}${active ? (desc ? ' ▼' : ' ▲') : ''}</button></th>`;
  };

  const draw = (d) => {
    const cedi = d.es_cedi;
    if (!d.items.length) {
      setHtml(tableEl, emptyState('Ningún producto con estos filtros', 'Pruebe con otra búsqueda o limpie los filtros.'));
    } else {
      const manyAlmacenes = d.opciones.almacenes.length > 1;
      setHtml(tableEl, html`<div class="card table-card"><table class="data-table stock-table" data-role="stock">
        <thead><tr><th>Código</th><th>Descripción</th>${manyAlmacenes ? html`<th>Almacén</th>` : ''}${th('stock', 'Stock')}<th class="num">Bultos</th>
          <th class="num" title="${cedi ? 'Suma del P75 de las tiendas de la región, unidades/día' : 'P75 de 20 días con venta, unidades/día'}">P75/día</th>
          ${th('dias_stock', 'Días')}<th class="num" title="Stock de seguridad, punto de reorden y máximo (unidades)">SS · ROP · Máx</th><th>Estado</th>
          ${th('rank_ventas', 'ABC', '')}${cedi ? '' : html`<th>Clasif.</th><th>Velocidad</th>`}
          <th class="num">${cedi ? 'Stock tiendas' : 'Stock CEDI'}</th>${th('peso', 'Peso kg')}</tr></thead>
        <tbody>${d.items.map((l, i) => html`<tr data-index="${i}" data-code="${l.codigo_producto}" tabindex="0" class="${l.stock < 0 ? 'is-negative' : ''}">
          <td class="code">${l.codigo_producto}</td>
          <td class="desc" title="${l.descripcion}">${l.descripcion}<span class="muted cat"> · ${l.categoria || 'SIN CATEGORIA'}</span></td>
          ${manyAlmacenes ? html`<td>${l.almacen_nombre}</td>` : ''}
          <td class="num"><strong>${formatNumber(l.stock, l.stock % 1 ? 2 : 0)}</strong></td>
          <td class="num">${formatNumber(l.bultos, 1)}</td>
          <td class="num">${l.p75 ? formatNumber(l.p75, 1) : html`<span class="muted">0</span>`}</td>
          <td class="num">${days(l.dias_cobertura_actual)}</td>
          <td class="num muted">${l.p75 ? `${formatNumber(l.stock_seguridad, 0)} · ${formatNumber(l.punto_reorden, 0)} · ${formatNumber(l.stock_maximo, 0)}` : '—'}</td>
          <td>${stateBadge(l.estado_criticidad)}</td>
          <td>${l.clase_abc || html`<span class="muted">—</span>`}${l.rank_ventas ? html` <span class="muted">#${formatInteger(l.rank_ventas)}</span>` : ''}</td>
          ${cedi ? '' : html`<td>${ACTIVITY[l.clasificacion_producto] || ''}</td><td>${VELOCITY[l.velocidad_venta] || ''}</td>`}
          <td class="num">${formatNumber(l.stock_cedi, 0)}</td>
          <td class="num">${l.peso_total_kg === null ? html`<span class="muted">—</span>` : formatNumber(l.peso_total_kg, 1)}</td></tr>`)}</tbody></table></div>
        ${cedi ? html`<p class="muted legend">Días = stock del CEDI / P75 regional (suma del P75 de 30 días de cada tienda de la región). Tiempo de reposición del CEDI: 2 días.</p>` : ''}`);
    }
    drawPager(pagerEl, f, { sizes: PAGE_SIZES, pages: d.total_pages, total: d.estadisticas.total, what: 'filas' });
  };

  const load = async () => {
    const mine = ++seq;
    const q = toQuery(f);
    ctx.setQuery(q);
    const params = new URLSearchParams({ ubicacion_id: id, ...q });
    tableEl.setAttribute('aria-busy', 'true');
    try {
      const d = await apiGet(`/api/stock?${params}`, { signal: ctx.signal });
      if (mine !== seq) return;
      data = d;
      container.querySelector('[data-role=title]').textContent = d.ubicacion_nombre;
      setHtml(container.querySelector('[data-role=subtitle]'), html`<span class="badge badge-${d.es_cedi ? 'cedi' : 'tienda'}">${d.es_cedi ? 'CEDI' : 'Tienda'}</span> Inventario y niveles al ${d.fecha}. Días de cobertura = stock / P75 diario.`);
      const ex = new URLSearchParams({ ubicacion_id: id, ...q });
      ex.delete('page'); ex.delete('page_size');
      container.querySelector('[data-role=export]').href = `/api/stock/exportar?${ex}`;
      if (!formBuilt) buildForm(d);
      form.hidden = false;
      container.querySelector('[data-role=export]').hidden = false;
      cards(d);
      draw(d);
    } catch (e) {
      if (isAbort(e) || mine !== seq) return;
      if (!data) {
        // Nothing to show around the error: no cards, filters or export of a table never loaded.
        setHtml(cardsEl, '');
        form.hidden = true;
        container.querySelector('[data-role=export]').hidden = true;
      }
      const denied = e.status === 403 || e.status === 422;
      showError(tableEl, e, denied ? null : load, denied ? 'No se puede mostrar esta ubicación' : 'No se pudo cargar el inventario');
    } finally {
      tableEl.removeAttribute('aria-busy');
    }
  };

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
  form.addEventListener('click', (ev) => {
    if (!ev.target.closest('[data-action=clear]')) return;
    for (const k of FILTERS) if (k !== 'fecha') f[k] = '';
    f.page = 1;
    form.querySelectorAll('select').forEach((s) => { s.value = ''; });
    form.elements.search.value = '';
    load();
  });
  cardsEl.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-card]');
    if (!b) return;
    const key = b.dataset.card;
    f.estado = key && !key.startsWith('c:') ? key : '';
    f.clasificacion = key.startsWith('c:') ? key.slice(2) : '';
    for (const k of ['estado', 'clasificacion']) if (form.elements[k]) form.elements[k].value = f[k];
    f.page = 1;
    load();
  });
  tableEl.addEventListener('click', (ev) => {
    const s = ev.target.closest('[data-sort]');
    if (s) {
      const key = s.dataset.sort;
      if ((f.sort_by || 'stock') === key && key !== 'rank_ventas') f.sort_order = (f.sort_order || 'desc') === 'desc' ? 'asc' : 'desc';
      else { f.sort_by = key === 'stock' ? '' : key; f.sort_order = key === 'dias_stock' ? 'asc' : ''; }
      f.page = 1;
      load();
      return;
    }
    const row = ev.target.closest('tr[data-index]');
    if (row) openDetail(row);
  });
  tableEl.addEventListener('keydown', (ev) => {
    const row = ev.target.closest('tr[data-index]');
    if (!row) return;
    if (ev.key === 'Enter') { ev.preventDefault(); openDetail(row); }
    if (ev.key === 'ArrowDown' && row.nextElementSibling) { ev.preventDefault(); row.nextElementSibling.focus(); }
    if (ev.key === 'ArrowUp' && row.previousElementSibling) { ev.preventDefault(); row.previousElementSibling.focus(); }
  });
  bindPager(pagerEl, f, load);

  // The row's figures and how its state follows from them, as a bar of the stock against
  // its levels.
  function openDetail(row) {
    const l = data.items[Number(row.dataset.index)];
    const top = Math.max(l.stock_maximo * 1.15, l.stock, 1);
    const pct = (v) => `${Math.max(0, Math.min(100, (v / top) * 100)).toFixed(1)}%`;
    drawer.hidden = false;
    setHtml(drawer, html`<div class="drawer-head"><h2>${l.codigo_producto} · ${l.descripcion}</h2><button type="button" class="modal-close" data-role="close" aria-label="Cerrar">×</button></div>
      <div class="drawer-body">
        <p>${stateBadge(l.estado_criticidad)} ${l.dias_cobertura_actual === null ? 'Sin demanda en la ventana.' : `Cubre ${formatNumber(l.dias_cobertura_actual, 1)} días de venta.`}</p>
        ${l.p75 ? html`<div class="level-bar" role="img" aria-label="${`Stock ${formatNumber(l.stock, 0)} frente a SS ${formatNumber(l.stock_seguridad, 0)}, ROP ${formatNumber(l.punto_reorden, 0)} y máximo ${formatNumber(l.stock_maximo, 0)}`}">
          <span class="zone zone-critico" style="${`width:${pct(l.stock_seguridad)}`}"></span>
          <span class="zone zone-bajo" style="${`left:${pct(l.stock_seguridad)};width:calc(${pct(l.punto_reorden)} - ${pct(l.stock_seguridad)})`}"></span>
          <span class="zone zone-optimo" style="${`left:${pct(l.punto_reorden)};width:calc(${pct(l.stock_maximo)} - ${pct(l.punto_reorden)})`}"></span>
          <span class="marker" style="${`left:${pct(Math.max(l.stock, 0))}`}" title="Stock actual"></span></div>
          <p class="muted small">Rojo: hasta el stock de seguridad · ámbar: hasta el punto de reorden · verde: hasta el máximo · la línea es el stock actual.</p>` : ''}
        <h3>Cifras</h3>
        <dl class="facts">
          <dt>Stock</dt><dd>${formatNumber(l.stock, 2)} unid · ${formatNumber(l.bultos, 1)} bultos de ${formatNumber(l.unidades_por_bulto, 0)}</dd>
          <dt>P75 diario</dt><dd>${formatNumber(l.p75, 2)} unid (σ ${formatNumber(l.sigma, 2)})</dd>
          <dt>Clase</dt><dd>${l.clase_abc || 'Sin ventas'}${l.rank_ventas ? ` · puesto ${formatInteger(l.rank_ventas)}` : ''}</dd>
          <dt>Reposición</dt><dd>${formatNumber(l.lead_time, 1)} días + objetivo ${formatNumber(l.dias_objetivo, 0)} días</dd>
          <dt>Stock de seguridad</dt><dd>${formatNumber(l.stock_seguridad, 1)} unid (${formatNumber(l.dias_seguridad, 1)} días)</dd>
          <dt>Punto de reorden</dt><dd>${formatNumber(l.punto_reorden, 1)} unid (${formatNumber(l.dias_reorden, 1)} días)</dd>
          <dt>Máximo</dt><dd>${formatNumber(l.stock_maximo, 1)} unid (${formatNumber(l.dias_maximo, 1)} días)</dd>
          ${data.es_cedi ? '' : html`<dt>Ventas</dt><dd>${formatNumber(l.unidades_30d, 1)} unid en 30 días · ${formatNumber(l.unidades_14d, 1)} en 14</dd>`}
          <dt>${data.es_cedi ? 'Stock en tiendas' : 'Stock en CEDI'}</dt><dd>${formatNumber(l.stock_cedi, 0)} unid</dd>
          ${l.capacidad_maxima ? html`<dt>Capacidad máxima</dt><dd>${formatNumber(l.capacidad_maxima, 0)} unid</dd>` : ''}
          ${l.minimo_exhibicion ? html`<dt>Mínimo de exhibición</dt><dd>${formatNumber(l.minimo_exhibicion, 0)} unid</dd>` : ''}
          <dt>Almacén</dt><dd>${l.almacen_nombre}</dd>
          <dt>Actualizado</dt><dd>${formatDateTime(l.actualizado)}</dd>
        </dl>
        <h3>Stock de los últimos 7 días</h3><div data-role="history"><div class="route-spinner"><span class="spinner"></span>Cargando…</div></div>
        <h3>Conciliación de las últimas 24 horas</h3><div data-role="reconciliation"></div></div>`);
    loadHistory(drawer, ctx, id, l.codigo_producto);
    const close = () => { drawer.hidden = true; row.focus(); };
    drawer.querySelector('[data-role=close]').addEventListener('click', close);
    drawer.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); }, { once: true });
    drawer.querySelector('[data-role=close]').focus();
  }

  await load();
}

// ---------- Salud del inventario (spec 40 §7.3) ----------

const HEALTH_STATES = [['critico', 'CRITICO'], ['urgente', 'URGENTE'], ['optimo', 'OPTIMO'], ['exceso', 'EXCESO'], ['sin_demanda', 'SIN_DEMANDA']];
const HEALTH_COLORS = { critico: 'var(--critico)', urgente: 'var(--bajo)', optimo: 'var(--optimo)', exceso: 'var(--exceso)', sin_demanda: '#9ca3af' };
const scoreClass = (v) => (v >= 70 ? 'good' : v >= 50 ? 'fair' : 'poor');

function donut(block, withNoDemand) {
  const parts = HEALTH_STATES.filter(([k]) => withNoDemand || k !== 'sin_demanda').map(([k, s]) => [k, s, block[k]]);
  const total = parts.reduce((a, p) => a + p[2], 0);
  if (!total) return html`<p class="muted">Sin filas en esta vista.</p>`;
  const R = 70; const C = 2 * Math.PI * R;
  let offset = 0;
  const arcs = parts.filter((p) => p[2] > 0).map(([k, , n]) => {
    const len = (n / total) * C;
    const arc = html`<circle r="${R}" cx="90" cy="90" fill="none" stroke="${HEALTH_COLORS[k]}" stroke-width="28" stroke-dasharray="${`${len} ${C - len}`}" stroke-dashoffset="${-offset}" transform="rotate(-90 90 90)"><title>${STATES[k.toUpperCase()][0]}: ${n}</title></circle>`;
    offset += len;
    return arc;
  });
  return html`<svg class="donut" viewBox="0 0 180 180" role="img" aria-label="Filas por estado">${arcs}</svg>
    <ul class="legend-list">${parts.map(([k, s, n]) => html`<li><span class="swatch" style="${`background:${HEALTH_COLORS[k]}`}"></span>${STATES[s][0]} <strong>${formatInteger(n)}</strong> <span class="muted">${formatNumber((n / total) * 100, 1)} %</span></li>`)}</ul>`;
}

function classBars(blocks, withNoDemand) {
  const rows = blocks.filter((b) => ['A', 'B', 'C', 'D'].includes(b.clase));
  const states = HEALTH_STATES.filter(([k]) => withNoDemand || k !== 'sin_demanda');
  return html`<div class="class-bars">${rows.map((b) => {
    const total = states.reduce((a, [k]) => a + b[k], 0);
    return html`<div class="class-bar-row"><span class="class-label">Clase ${b.clase}</span>
      <div class="stacked" role="img" aria-label="${`Clase ${b.clase}: ${states.map(([k, s]) => `${STATES[s][0]} ${b[k]}`).join(', ')}`}">${total ? states.map(([k, s]) => (b[k] ? html`<span style="${`width:${(b[k] / total) * 100}%;background:${HEALTH_COLORS[k]}`}" title="${`${STATES[s][0]}: ${b[k]}`}"></span>` : '')) : ''}</div>
      <span class="score ${scoreClass(withNoDemand ? b.salud : b.salud_sin_demanda_excluida)}">${formatNumber(withNoDemand ? b.salud : b.salud_sin_demanda_excluida, 1)}</span></div>`;
  })}</div>`;
}

async function renderHealth(el, ctx, id, fecha) {
  const st = { vista: 'A+B', sinDemanda: false, cedi: 'CON_STOCK' };
  const draw = async () => {
    setHtml(el, html`<div class="card pad">
      <div class="filters wrap">
        <label>Vista <select name="vista">${['A+B', 'A', 'B', 'C', 'D', 'TOTAL'].map((v) => html`<option value="${v}" ${v === st.vista ? html`selected` : ''}>${v === 'TOTAL' ? 'Todas las clases' : v}</option>`)}</select></label>
        <label>Stock en CEDI <select name="cedi">${[['CON_STOCK', 'Con stock'], ['SIN_STOCK', 'Sin stock'], ['', 'Todos']].map(([v, t]) => html`<option value="${v}" ${v === st.cedi ? html`selected` : ''}>${t}</option>`)}</select></label>
        <label class="check"><input type="checkbox" name="sinDemanda" ${st.sinDemanda ? html`checked` : ''}> Contar productos sin demanda</label>
      </div><div data-role="charts">${skeletonBlock({ rows: 4 })}</div></div>`);
    el.querySelectorAll('select, input').forEach((i) => i.addEventListener('change', () => {
      if (i.name === 'sinDemanda') st.sinDemanda = i.checked; else st[i.name] = i.value;
      draw();
    }));
    const charts = el.querySelector('[data-role=charts]');
    try {
      const q = new URLSearchParams();
      if (st.cedi) q.set('stock_cedi', st.cedi);
      if (fecha) q.set('fecha', fecha);
      const h = await apiGet(`/api/stock/health/${encodeURIComponent(id)}?${q}`, { signal: ctx.signal });
      const b = h.bloques.find((x) => x.clase === st.vista);
      const score = st.sinDemanda ? b.salud : b.salud_sin_demanda_excluida;
      setHtml(charts, html`<div class="health-grid">
        <div class="health-score"><span class="kpi-label">Salud ${st.vista === 'TOTAL' ? 'de la ubicación' : `de ${st.vista}`}</span>
          <span class="score big ${scoreClass(score)}" data-role="score">${formatNumber(score, 1)}</span>
          <span class="muted small">% de productos en Óptimo o Exceso (sin riesgo de quiebre). Verde ≥ 70, ámbar ≥ 50.</span>
          <span class="muted small">Peso en stock ${formatNumber(b.peso_kg, 0)} kg · volumen ${formatNumber(b.volumen_m3 * 1000, 0)} L</span></div>
        <div class="health-donut">${donut(b, st.sinDemanda)}</div>
        <div class="health-bars"><h3>Por clase</h3>${classBars(h.bloques, st.sinDemanda)}</div></div>`);
    } catch (e) {
      if (!isAbort(e)) showError(charts, e, draw, 'No se pudo calcular la salud del inventario');
    }
  };
  await draw();
}

// ---------- Centro de Comando de Corrección (spec 40 §7.5) ----------

async function renderCorrections(el, ctx, id, showBadge) {
  setHtml(el, skeletonBlock({ rows: 6 }));
  let list;
  let recorded;
  try {
    [list, recorded] = await Promise.all([
      apiGet(`/api/stock/anomalias/${encodeURIComponent(id)}`, { signal: ctx.signal }),
      apiGet(`/api/stock/ajustes?ubicacion_id=${encodeURIComponent(id)}`, { signal: ctx.signal }),
    ]);
  } catch (e) {
    if (!isAbort(e)) showError(el, e, () => renderCorrections(el, ctx, id, showBadge), 'No se pudieron cargar las anomalías');
    return;
  }
  showBadge(list.total);
  const mayAdjust = ctx.can('inventario.ajustar');
  setHtml(el, html`<div class="banner banner-info" role="note">${list.nota}</div>
    <div class="kpis"><div class="kpi"><span class="kpi-label">Stock negativo</span><span class="kpi-value">${formatInteger(list.negativos)}</span></div>
      <div class="kpi"><span class="kpi-label">Venta zombie</span><span class="kpi-value">${formatInteger(list.ventas_zombie)}</span><span class="kpi-hint">Stock 0, vendido hoy, sin stock visto hoy</span></div></div>
    ${list.items.length ? html`<form data-role="counts"><div class="card table-card"><table class="data-table" data-role="anomalies">
      <thead><tr><th>Código</th><th>Descripción</th><th>Tipo</th><th class="num">Stock</th><th class="num">Ventas 7 días</th><th>Últimas ventas</th><th class="num">Hoy mín · máx</th>${mayAdjust ? html`<th class="num">Conteo físico</th>` : ''}</tr></thead>
      <tbody>${list.items.map((a) => html`<tr data-code="${a.codigo_producto}">
        <td class="code">${a.codigo_producto}</td><td class="desc" title="${a.descripcion}">${a.descripcion}</td>
        <td>${a.tipo === 'stock_negativo' ? html`<span class="badge badge-critico">Negativo</span>` : html`<span class="badge badge-bajo">Venta zombie</span>`}</td>
        <td class="num"><strong>${formatNumber(a.stock_actual, 2)}</strong></td>
        <td class="num">${formatInteger(a.ventas_7d_lineas)} líneas · ${formatNumber(a.ventas_7d_unidades, 1)} unid</td>
        <td class="evidence">${a.ultimas_ventas.slice(0, 3).map((v) => html`<span title="${`Stock en ese momento: ${formatNumber(v.stock_en_el_momento, 1)}`}">${v.fecha.slice(5)} ${v.hora} · ${v.numero_factura} · ${formatNumber(v.cantidad, 1)}</span>`)}</td>
        <td class="num">${a.stock_min_hoy === null ? '—' : `${formatNumber(a.stock_min_hoy, 1)} · ${formatNumber(a.stock_max_hoy, 1)}`}</td>
        ${mayAdjust ? html`<td class="num"><input class="qty" type="number" min="0" step="any" inputmode="decimal" name="conteo" data-code="${a.codigo_producto}" aria-label="${`Conteo físico de ${a.codigo_producto}`}"></td>` : ''}</tr>`)}</tbody></table></div>
      ${mayAdjust ? html`<div class="actions"><button type="submit" class="btn btn-primary">Registrar conteos</button> <span class="muted small">Solo se registran las diferencias con el sistema.</span></div>` : ''}
      <p class="ok-note" data-role="ok" role="status" hidden></p><p class="field-error" data-role="error" role="alert" hidden></p></form>`
      : emptyState('Sin anomalías', 'Ningún producto con stock negativo ni ventas sin stock hoy.')}
    <h3>Conteos registrados</h3>
    ${recorded.length ? html`<div class="card table-card"><table class="data-table" data-role="recorded"><thead><tr><th>Fecha</th><th>Lote</th><th>Usuario</th><th>Código</th><th class="num">Sistema</th><th class="num">Conteo</th><th class="num">Diferencia</th><th>Observaciones</th></tr></thead>
      <tbody>${recorded.map((r) => html`<tr><td>${formatDateTime(r.fecha)}</td><td class="code">${r.lote}</td><td>${r.usuario}</td><td class="code">${r.producto_codigo}</td>
        <td class="num">${formatNumber(r.stock_anterior, 2)}</td><td class="num">${formatNumber(r.conteo, 2)}</td><td class="num ${r.diferencia > 0 ? 'pos' : 'neg'}">${r.diferencia > 0 ? '+' : ''}${formatNumber(r.diferencia, 2)}</td><td>${r.observaciones || ''}</td></tr>`)}</tbody></table></div>`
      : html`<p class="muted">Todavía no hay conteos registrados en esta ubicación.</p>`}`);
  const form = el.querySelector('[data-role=counts]');
  if (!form || !mayAdjust) return;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const ajustes = [...form.querySelectorAll('input[name=conteo]')].filter((i) => i.value !== '').map((i) => ({ producto_codigo: i.dataset.code, conteo: Number(i.value) }));
    const err = form.querySelector('[data-role=error]');
    const ok = form.querySelector('[data-role=ok]');
    if (!ajustes.length) { err.textContent = 'Escriba al menos un conteo.'; err.hidden = false; return; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const r = await apiPost('/api/stock/ajustes', { ubicacion_id: id, ajustes });
      await renderCorrections(el, ctx, id, showBadge);
      const note = el.querySelector('[data-role=ok]');
      if (note) { note.textContent = r.mensaje; note.hidden = false; }
      else { el.insertAdjacentHTML('afterbegin', String(html`<p class="ok-note" role="status">${r.mensaje}</p>`)); }
    } catch (e) {
      if (isAbort(e)) return;
      err.textContent = e.detail || String(e);
      err.hidden = false;
      ok.hidden = true;
    } finally {
      button.disabled = false;
    }
  });
}

// ---------- product history and 2-hour reconciliation (spec 40 §7.4) ----------

async function loadHistory(drawer, ctx, id, code) {
  const histEl = drawer.querySelector('[data-role=history]');
  const recEl = drawer.querySelector('[data-role=reconciliation]');
  const q = `ubicacion_id=${encodeURIComponent(id)}`;
  try {
    const [h, r] = await Promise.all([
      apiGet(`/api/productos/${encodeURIComponent(code)}/historico-inventario?${q}&dias=7`, { signal: ctx.signal }),
      apiGet(`/api/productos/${encodeURIComponent(code)}/reconciliacion-inventario?${q}&horas=24`, { signal: ctx.signal }),
    ]);
    // Total stock over time: each almacén's last value carried forward, summed.
    const last = new Map();
    const series = [];
    for (const p of h.puntos) { last.set(p.almacen_codigo, p.cantidad); series.push([new Date(p.fecha).getTime(), [...last.values()].reduce((a, b) => a + b, 0)]); }
    if (series.length < 2) {
      setHtml(histEl, html`<p class="muted small">Sin cambios de stock registrados en 7 días${series.length ? `: ${formatNumber(series[0][1], 1)} unidades` : ''}.</p>`);
    } else {
      const W = 480; const H = 150; const pad = 30;
      const t0 = new Date(h.desde).getTime(); const t1 = Math.max(series[series.length - 1][0], t0 + 1);
      const vmax = Math.max(1, ...series.map((s) => s[1])); const vmin = Math.min(0, ...series.map((s) => s[1]));
      const x = (t) => pad + ((t - t0) / (t1 - t0)) * (W - pad * 2);
      const y = (v) => H - pad - ((v - vmin) / (vmax - vmin)) * (H - pad * 2);
      let d = `M ${x(series[0][0])} ${y(series[0][1])}`;
      for (let i = 1; i < series.length; i++) d += ` H ${x(series[i][0])} V ${y(series[i][1])}`;
      setHtml(histEl, html`<svg class="bars" viewBox="0 0 ${W} ${H}" role="img" aria-label="Stock de los últimos 7 días">
        <path d="${d}" fill="none" stroke="var(--primary)" stroke-width="2"></path>
        ${vmin < 0 ? html`<line x1="${pad}" x2="${W - pad}" y1="${y(0)}" y2="${y(0)}" class="avg-line"></line>` : ''}
        <text x="${pad}" y="${H - 8}" class="axis">${h.desde.slice(5, 16).replace('T', ' ')}</text>
        <text x="${W - pad}" y="${H - 8}" text-anchor="end" class="axis">ahora</text>
        <text x="4" y="${y(vmax) + 4}" class="axis">${formatNumber(vmax, 0)}</text></svg>`);
    }
    setHtml(recEl, r.bloques.length ? html`<table class="data-table compact" data-role="reconciliation-table"><thead><tr><th>Bloque</th><th class="num">Inicio</th><th class="num">Fin</th><th class="num">Cambio</th><th class="num">Ventas</th><th class="num">Diferencia</th></tr></thead>
      <tbody>${r.bloques.map((b) => html`<tr><td>${b.bloque.slice(11, 16)}</td><td class="num">${formatNumber(b.inicio, 1)}</td><td class="num">${formatNumber(b.fin, 1)}</td>
        <td class="num">${formatNumber(b.cambio, 1)}</td><td class="num">${formatNumber(b.ventas, 1)}</td>
        <td class="num ${b.diferencia < 0 ? 'neg' : b.diferencia > 0 ? 'pos' : ''}" title="${b.diferencia < 0 ? 'Pérdida sin explicar' : b.diferencia > 0 ? 'Recepción o ajuste positivo' : 'Consistente'}">${formatNumber(b.diferencia, 1)}</td></tr>`)}</tbody></table>
      <p class="muted small">Diferencia = cambio + ventas: 0 es consistente; negativa, unidades que las ventas no explican; positiva, una recepción o un ajuste.</p>`
      : html`<p class="muted small">Sin fotos de inventario en las últimas 24 horas.</p>`);
  } catch (e) {
    if (!isAbort(e)) showError(histEl, e, () => loadHistory(drawer, ctx, id, code), 'No se pudo cargar el historial');
  }
}
