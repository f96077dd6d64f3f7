// BI store comparisons (spec 40 §3.2 panel 2, §3.3): *Comparar Tiendas* (2–5 stores side by
// side, the best of each metric marked, a radar of the six metrics scaled between the stores),
// *Ranking Tiendas* (every active store by sales, the network's summary and podium) and the
// *Top categorías* panel of *Detalle de Tienda*. Every figure is the server's.
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate, tenantTodayIso } from '../format.js';
import { radarChart, donutChart, SERIES_COLOURS } from '../charts.js';

const addDays = (s, n) => { const d = new Date(`${s}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); };
const MAX_PICK = 5;

// The 30 days ending two days before today (the ETL's lag, §3.3).
function defaultRange(ctx) {
  const end = addDays(tenantTodayIso(), -2);
  return [ctx.query.get('fecha_inicio') || addDays(end, -29), ctx.query.get('fecha_fin') || end];
}

async function activeStores(ctx) {
  const locs = await apiGet('/api/ubicaciones', { signal: ctx.signal });
  return (Array.isArray(locs) ? locs : locs.ubicaciones || []).filter((l) => l.tipo !== 'cedi' && l.activo !== false);
}

const money = (v) => `$ ${formatNumber(v, 2)}`;
// The comparison table's rows: label, field, formatter.
const METRICS = [
  ['Ventas', 'ventas_total', money],
  ['Tickets', 'tickets', formatInteger],
  ['Ticket promedio', 'ticket_promedio', money],
  ['Artículos', 'items_totales', (v) => formatNumber(v, 2)],
  ['Artículos por ticket', 'items_por_ticket', (v) => formatNumber(v, 2)],
  ['Margen', 'margen_pct', (v) => `${formatNumber(v, 2)} %`],
];

// Max → green (the first of a tie; the others blue), min → grey.
function cellClass(values, i) {
  const max = Math.max(...values); const min = Math.min(...values);
  if (values.length < 2 || max === min) return '';
  if (values[i] === max) return values.indexOf(max) === i ? 'cell-best' : 'cell-tie';
  return values[i] === min ? 'cell-min' : '';
}

export async function renderCompare(container, ctx, head) {
  setHtml(container, html`${head}${skeletonBlock({ rows: 6 })}`);
  let stores;
  try {
    stores = await activeStores(ctx);
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => renderCompare(container, ctx, head));
    return;
  }
  if (stores.length < 2) { setHtml(container, html`${head}${emptyState('Se necesitan al menos dos tiendas', 'Declare tiendas activas en tenant.toml para compararlas.')}`); return; }
  const [desde, hasta] = defaultRange(ctx);
  const asked = (ctx.query.get('tiendas') || '').split(',').filter((id) => stores.some((s) => s.id === id));
  const f = { desde, hasta, picked: asked.length >= 2 ? asked.slice(0, MAX_PICK) : stores.slice(0, Math.min(MAX_PICK, stores.length, 3)).map((s) => s.id) };
  setHtml(container, html`${head}
    <form class="card filter-bar filters" data-role="compare-filters" autocomplete="off">
      <fieldset class="store-picks" aria-label="Tiendas a comparar"><legend class="muted small">Tiendas (de 2 a ${MAX_PICK})</legend>
        ${stores.map((s) => html`<label><input type="checkbox" name="tienda" value="${s.id}"> ${s.nombre}</label>`)}</fieldset>
      <label>Desde <input type="date" name="desde" value="${f.desde}"></label>
      <label>Hasta <input type="date" name="hasta" value="${f.hasta}"></label>
    </form>
    <p class="muted small" data-role="pick-note" aria-live="polite"></p>
    <div data-role="compare-result"></div>`);
  const form = container.querySelector('[data-role=compare-filters]');
  const note = container.querySelector('[data-role=pick-note]');
  const out = container.querySelector('[data-role=compare-result]');
  const syncBoxes = () => {
    for (const b of form.querySelectorAll('input[name=tienda]')) {
      b.checked = f.picked.includes(b.value);
      b.disabled = !b.checked && f.picked.length >= MAX_PICK;
    }
  };
  const load = async () => {
    syncBoxes();
    ctx.setQuery({ tab: 'comparar', tiendas: f.picked.join(','), fecha_inicio: f.desde, fecha_fin: f.hasta });
    if (f.picked.length < 2) { note.textContent = 'Elija al menos dos tiendas.'; setHtml(out, ''); return; }
    note.textContent = f.picked.length >= MAX_PICK ? `Máximo ${MAX_PICK} tiendas a la vez.` : '';
    setHtml(out, skeletonBlock({ rows: 6 }));
    let c;
    try {
      const q = new URLSearchParams({ ubicacion_ids: f.picked.join(','), fecha_inicio: f.desde, fecha_fin: f.hasta });
      c = await apiGet(`/api/bi/stores/compare-multi?${q}`, { signal: ctx.signal });
    } catch (e) {
      if (!isAbort(e)) showError(out, e, load, 'No se pudo comparar las tiendas');
      return;
    }
    const t = c.tiendas;
    const name = (id) => (t.find((s) => s.ubicacion_id === id) || { nombre: '—' }).nombre;
    const best = c.comparacion;
    setHtml(out, html`<p class="muted" data-role="compare-period">${formatDate(c.fecha_inicio)} – ${formatDate(c.fecha_fin)} · datos al ${c.datos_al ? formatDate(c.datos_al) : 'sin ventas cargadas'}</p>
      <div class="kpis">
        <div class="kpi"><span class="kpi-label">Más ventas</span><strong class="kpi-value" data-best="ventas">${name(best.mejor_ventas)}</strong></div>
        <div class="kpi"><span class="kpi-label">Mejor margen</span><strong class="kpi-value" data-best="margen">${name(best.mejor_margen)}</strong></div>
        <div class="kpi"><span class="kpi-label">Mejor ticket promedio</span><strong class="kpi-value" data-best="ticket">${name(best.mejor_ticket_promedio)}</strong></div>
      </div>
      <div class="two-col">
        <div class="card pad scroll-x"><h2>Comparación</h2>
          <table class="data-table compact" data-role="compare-table"><thead><tr><th scope="col">Indicador</th>${t.map((s, k) => html`<th scope="col" class="num"><span class="swatch" style="${`background:${SERIES_COLOURS[k % SERIES_COLOURS.length]}`}"></span>${s.nombre}</th>`)}</tr></thead>
            <tbody>${METRICS.map(([label, field, fmt]) => {
              const values = t.map((s) => s[field]);
              return html`<tr data-metric="${field}"><th scope="row">${label}</th>${t.map((s, i) => html`<td class="${`num ${cellClass(values, i)}`}">${fmt(s[field])}</td>`)}</tr>`;
            })}
            <tr><th scope="row">Categoría principal</th>${t.map((s) => html`<td class="num">${s.top_categoria ? html`${s.top_categoria.nombre}<br><span class="muted small">${money(s.top_categoria.ventas)}</span>` : html`<span class="muted">—</span>`}</td>`)}</tr></tbody></table>
          <p class="muted small">Verde: el mejor valor; gris: el menor. Los tickets cuentan facturas, no líneas.</p></div>
        <div class="card pad" data-role="radar"><h2>Perfil relativo</h2>
          ${radarChart({ axes: METRICS.map(([l]) => l), series: t.map((s) => ({ name: s.nombre, values: METRICS.map(([, field]) => s.radar[field]), tip: (i) => METRICS[i][2](s[METRICS[i][1]]) })), aria: 'Radar de las tiendas comparadas' })}
          <p class="chart-legend">${t.map((s, k) => html`<span class="swatch" style="${`background:${SERIES_COLOURS[k % SERIES_COLOURS.length]}`}"></span>${s.nombre}`)}</p>
          <p class="muted small">Cada eje va de la tienda con el menor valor (0) a la del mayor (100) entre las elegidas.</p></div>
      </div>`);
  };
  form.addEventListener('change', (ev) => {
    const el = ev.target;
    if (el.name === 'tienda') {
      f.picked = el.checked ? [...f.picked, el.value].slice(0, MAX_PICK) : f.picked.filter((id) => id !== el.value);
      load();
    }
    if (el.name === 'desde' || el.name === 'hasta') { f[el.name] = el.value; if (f.desde && f.hasta) load(); }
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  load();
}

const INV_METRICS = [
  ['gmroi', 'GMROI', (v) => formatNumber(v, 2)],
  ['rotacion', 'Rotación anual', (v) => `${formatNumber(v, 1)}x`],
  ['ventas', 'Ventas 30 días', (v) => money(v)],
  ['stock', 'Stock valorizado', (v) => money(v)],
];

function arrow(v) {
  if (v > 0) return html`<span class="kpi-delta up" title="Sobre el promedio de la red">▲</span>`;
  if (v < 0) return html`<span class="kpi-delta down" title="Bajo el promedio de la red">▼</span>`;
  return '';
}

export async function renderRanking(container, ctx, head) {
  setHtml(container, html`${head}${skeletonBlock({ cards: 4, rows: 6 })}`);
  let regions = [];
  try {
    regions = [...new Set((await activeStores(ctx)).map((s) => s.region).filter(Boolean))].sort();
  } catch (e) {
    if (isAbort(e)) return;
  }
  const [desde, hasta] = defaultRange(ctx);
  const f = { desde, hasta, region: ctx.query.get('region') || '', metrica: 'gmroi' };
  setHtml(container, html`${head}
    <form class="card filter-bar filters" data-role="ranking-filters" autocomplete="off">
      <label>Desde <input type="date" name="desde" value="${f.desde}"></label>
      <label>Hasta <input type="date" name="hasta" value="${f.hasta}"></label>
      <label>Región <select name="region"><option value="">Todas</option>${regions.map((r) => html`<option value="${r}">${r}</option>`)}</select></label>
    </form>
    <div data-role="ranking-result"></div>`);
  const form = container.querySelector('[data-role=ranking-filters]');
  form.region.value = f.region;
  const out = container.querySelector('[data-role=ranking-result]');
  const load = async () => {
    ctx.setQuery(Object.fromEntries(Object.entries({ tab: 'ranking', fecha_inicio: f.desde, fecha_fin: f.hasta, region: f.region }).filter(([, v]) => v)));
    setHtml(out, skeletonBlock({ cards: 4, rows: 6 }));
    let r;
    try {
      const q = new URLSearchParams({ fecha_inicio: f.desde, fecha_fin: f.hasta });
      if (f.region) q.set('region', f.region);
      r = await apiGet(`/api/bi/stores/sales-ranking?${q}`, { signal: ctx.signal });
    } catch (e) {
      if (!isAbort(e)) showError(out, e, load, 'No se pudo calcular el ranking');
      return;
    }
    const s = r.resumen;
    const byId = (id) => r.tiendas.find((t) => t.ubicacion_id === id);
    const podium = [['Más ventas', r.podio.mejor_ventas, (t) => money(t.ventas_total)], ['Mejor margen', r.podio.mejor_margen, (t) => `${formatNumber(t.margen_pct, 2)} %`], ['Mejor ticket promedio', r.podio.mejor_ticket_promedio, (t) => money(t.ticket_promedio)]];
    setHtml(out, html`<p class="muted" data-role="ranking-period">${formatDate(r.fecha_inicio)} – ${formatDate(r.fecha_fin)} · ${r.region || 'toda la red'} · datos al ${r.datos_al ? formatDate(r.datos_al) : 'sin ventas cargadas'}</p>
      <div class="kpis">
        <div class="kpi"><span class="kpi-label">Ventas de la red</span><strong class="kpi-value" data-kpi="ranking-ventas">${money(s.ventas_total)}</strong><span class="kpi-hint">${s.tiendas} tiendas</span></div>
        <div class="kpi"><span class="kpi-label">Tickets</span><strong class="kpi-value" data-kpi="ranking-tickets">${formatInteger(s.tickets)}</strong></div>
        <div class="kpi"><span class="kpi-label">Ticket promedio de la red</span><strong class="kpi-value">${money(s.ticket_promedio)}</strong><span class="kpi-hint">ventas ÷ tickets</span></div>
        <div class="kpi"><span class="kpi-label">Margen de la red (ponderado)</span><strong class="kpi-value">${formatNumber(s.margen_pct, 2)} %</strong><span class="kpi-hint">utilidad ÷ ventas</span></div>
      </div>
      ${r.tiendas.length && s.ventas_total > 0 ? html`<div class="podium" data-role="podium">${podium.map(([label, id, fmt]) => { const t = byId(id); return t ? html`<div class="kpi"><span class="kpi-label">${label}</span><strong>${t.nombre}</strong><span class="kpi-hint">${fmt(t)}</span></div>` : ''; })}</div>` : ''}
      <div class="card pad scroll-x"><h2>Tiendas por ventas</h2>
        ${r.tiendas.length ? html`<table class="data-table compact" data-role="ranking-table"><thead><tr><th class="num">#</th><th>Tienda</th><th>Región</th><th class="num">Ventas</th><th class="num">% de la red</th><th class="num">Tickets</th><th class="num">Ticket promedio</th><th class="num">Margen</th><th class="num">Artículos por ticket</th></tr></thead>
          <tbody>${r.tiendas.map((t) => html`<tr data-store="${t.ubicacion_id}" class="${t.posicion <= 3 ? 'top-3' : ''}"><td class="num">${t.posicion <= 3 ? html`<span class="rank-top">${t.posicion}</span>` : t.posicion}</td><td>${t.nombre}</td><td>${t.region}</td>
            <td class="num">${money(t.ventas_total)}</td><td class="num">${formatNumber(t.pct_red, 1)} %</td><td class="num">${formatInteger(t.tickets)}</td>
            <td class="num">${money(t.ticket_promedio)} ${arrow(t.ticket_vs_red_pct)}</td><td class="num">${formatNumber(t.margen_pct, 2)} % ${arrow(t.margen_vs_red_pp)}</td><td class="num">${formatNumber(t.items_por_ticket, 2)}</td></tr>`)}</tbody></table>
          <p class="muted small">Las flechas comparan con el promedio de la red (ticket: ventas ÷ tickets; margen ponderado).</p>`
        : emptyState('Sin tiendas', 'No hay tiendas activas en esta región.')}</div>
      <div class="card pad scroll-x" data-role="inventory-ranking"><h2>Por inventario <span class="muted small">(30 días hasta ayer)</span></h2>
        <div class="chips" role="group" aria-label="Métrica">${INV_METRICS.map(([k, l]) => html`<button type="button" class="chip" data-metric-pick="${k}" aria-pressed="${f.metrica === k}">${l}</button>`)}</div>
        <div data-role="inventory-table">${skeletonBlock({ rows: 3 })}</div></div>`);
    loadInventory();
  };
  const loadInventory = async () => {
    const box = out.querySelector('[data-role=inventory-table]');
    if (!box) return;
    for (const b of out.querySelectorAll('[data-metric-pick]')) b.setAttribute('aria-pressed', String(b.dataset.metricPick === f.metrica));
    let inv;
    try {
      const q = new URLSearchParams({ metrica: f.metrica });
      if (f.region) q.set('region', f.region);
      inv = await apiGet(`/api/bi/stores/ranking?${q}`, { signal: ctx.signal });
    } catch (e) {
      if (!isAbort(e)) showError(box, e, loadInventory, 'No se pudo calcular el ranking por inventario');
      return;
    }
    const fmt = INV_METRICS.find(([k]) => k === f.metrica)[2];
    setHtml(box, html`<table class="data-table compact"><thead><tr><th class="num">#</th><th>Tienda</th><th class="num">${INV_METRICS.find(([k]) => k === f.metrica)[1]}</th><th class="num">vs promedio</th><th class="num">Fill rate</th></tr></thead>
      <tbody>${inv.tiendas.map((t) => html`<tr data-inv-store="${t.ubicacion_id}"><td class="num">${t.posicion}</td><td>${t.nombre}</td><td class="num">${fmt(t.valor)}</td><td class="${`num ${t.vs_promedio > 0 ? 'pos' : t.vs_promedio < 0 ? 'neg' : ''}`}">${t.vs_promedio > 0 ? '+' : ''}${formatNumber(t.vs_promedio, 1)} %</td><td class="num">${formatNumber(t.fill_rate, 1)} %</td></tr>`)}</tbody></table>
      <p class="muted small">Promedio de las tiendas: ${fmt(inv.promedio)}. GMROI y rotación anualizados, del total de cada tienda; stock al costo; fill rate = SKUs con stock ÷ SKUs con stock o venta.</p>`);
  };
  out.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-metric-pick]');
    if (!b) return;
    f.metrica = b.dataset.metricPick;
    loadInventory();
  });
  form.addEventListener('change', (ev) => {
    const n = ev.target.name;
    if (n === 'desde' || n === 'hasta') { f[n] = ev.target.value; if (f.desde && f.hasta) load(); }
    if (n === 'region') { f.region = ev.target.value; load(); }
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  load();
}

// *Top categorías* of Detalle de Tienda (§3.2 panel 2), from `/api/bi/stores/{u}/categories`.
export function categoriesPanel(c) {
  const cats = c.categorias;
  return html`<div class="card pad" data-role="categories"><h2>Top categorías</h2>
    ${cats.length ? html`<div class="two-col" style="margin-top:0">
        <div>${donutChart({ slices: cats.map((k) => ({ label: k.categoria, value: k.ventas_total, tip: `${k.categoria}: $ ${formatNumber(k.ventas_total, 2)} (${formatNumber(k.pct_ventas, 1)} %)` })), aria: 'Ventas por categoría' })}
          <p class="muted small">Ventas categorizadas: <strong data-kpi="cat-total">${money(c.totales.ventas_total)}</strong> en ${formatInteger(c.totales.categorias_activas)} categorías.</p></div>
        <table class="data-table compact"><thead><tr><th>Categoría</th><th class="num">Ventas</th><th class="num">%</th><th class="num">Margen</th><th class="num">Productos</th><th class="num">Tickets</th></tr></thead>
          <tbody>${cats.map((k, i) => html`<tr data-category="${k.categoria}"><td><span class="swatch" style="${`background:${SERIES_COLOURS[i % SERIES_COLOURS.length]}`}"></span>${k.categoria}</td><td class="num">${money(k.ventas_total)}</td><td class="num">${formatNumber(k.pct_ventas, 1)} %</td><td class="num">${formatNumber(k.margen_pct, 1)} %</td><td class="num">${formatInteger(k.productos)}</td><td class="num">${formatInteger(k.tickets)}</td></tr>`)}</tbody></table>
      </div>` : emptyState('Sin ventas categorizadas', 'Los productos vendidos en el período no tienen categoría.')}</div>`;
}
