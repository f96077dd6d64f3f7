// "Pedido Inter-CEDI" (spec 31 §3.8), calculation view: the routes of the tenant (one button
// per supplying CEDI), the coverage days and lead time prefilled from the route, and every
// product of that origin with the server's regional demand, class, quantity and priority.
// Saving, confirming and dispatching inter-CEDI orders come next; this screen already shows
// the numbers a buyer would order.
import { apiGet, apiPost, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate } from '../format.js';

const PAGE = 50;
// Priority bands (§3.7): 1–2 critical … 9–10 minimal.
const BAND = (p) => (p <= 2 ? ['critico', 'Crítica'] : p <= 4 ? ['urgente', 'Alta'] : p <= 6 ? ['bajo', 'Media'] : p <= 8 ? ['enviado', 'Baja'] : ['tienda', 'Mínima']);
const daysBadge = (d) => (d >= 999 ? 'badge-tienda' : d <= 3 ? 'badge-critico' : d <= 7 ? 'badge-bajo' : d <= 14 ? 'badge-enviado' : 'badge-optimo');
const SORTS = {
  prioridad: (l) => l.prioridad,
  demanda: (l) => l.demanda_regional_p75 / l.unidades_por_bulto,
  destino: (l) => l.stock_cedi_destino / l.unidades_por_bulto,
  dias: (l) => l.dias_stock_destino,
  origen: (l) => l.stock_cedi_origen / l.unidades_por_bulto,
  sugerido: (l) => l.cantidad_sugerida_bultos,
  abc: (l) => l.clasificacion_abc,
};
const stripZeros = (c) => String(c).trim().replace(/^0+(?=.)/, '');

function head() {
  return html`<div class="page-head"><div><p class="muted"><a href="/pedidos-sugeridos">← Pedidos sugeridos</a></p><h1>Pedido Inter-CEDI <span class="badge badge-cedi">Inter-CEDI</span></h1>
    <p class="subtitle">Reposición de un CEDI receptor desde un CEDI de origen, según la demanda de las tiendas de su región.</p></div></div>`;
}

export async function render(container, ctx) {
  setHtml(container, html`${head()}${skeletonBlock({ rows: 4 })}`);
  let routes;
  try {
    routes = await apiGet('/api/pedidos-inter-cedi/config/rutas', { signal: ctx.signal });
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => render(container, ctx));
    return;
  }
  if (!routes.length) {
    setHtml(container, html`${head()}${emptyState('No hay rutas Inter-CEDI configuradas', 'Las rutas (CEDI de origen → CEDI receptor) se declaran en tenant.toml, sección [[routes]].')}`);
    return;
  }
  const dests = [...new Map(routes.map((r) => [r.cedi_destino_id, r.cedi_destino_nombre])).entries()];
  const st = { routes, dest: ctx.query.get('destino') || dests[0][0], origin: ctx.query.get('origen') || '' };
  const routeOf = () => routes.find((r) => r.cedi_destino_id === st.dest && r.cedi_origen_id === st.origin);
  const draw = () => {
    const origins = routes.filter((r) => r.cedi_destino_id === st.dest);
    if (!routeOf()) st.origin = origins[0].cedi_origen_id;
    const r = routeOf();
    setHtml(container, html`${head()}
      <form class="card pad wizard-step" data-role="config" autocomplete="off">
        <label class="field">CEDI receptor <select name="destino">${dests.map(([id, name]) => html`<option value="${id}">${name}</option>`)}</select></label>
        <div class="field"><span>CEDI de origen</span><div class="tabs" role="tablist">${origins.map((o) => html`<button type="button" role="tab" class="tab" data-origin="${o.cedi_origen_id}" aria-selected="${o.cedi_origen_id === st.origin}">${o.cedi_origen_nombre}</button>`)}</div></div>
        <div class="form-grid inter-cedi-days">
          ${[['a', 'Clase A'], ['b', 'Clase B'], ['c', 'Clase C'], ['d', 'Clase D'], ['congelados', 'Congelados']].map(([k, label]) => html`<label class="field">${label} (días)<input type="number" min="1" step="1" name="dias_cobertura_${k}" value="${r[`dias_cobertura_${k}`]}"></label>`)}
          <label class="field">Lead time (días)<input type="number" min="0.5" max="7" step="0.5" name="lead_time_dias" value="${r.lead_time_dias}"></label>
          <label class="field">Viajes<input type="text" readonly value="${r.frecuencia_viajes_dias}"></label>
        </div>
        <div class="actions"><button class="btn btn-primary" type="submit">Calcular pedido →</button></div>
      </form>
      <div data-role="result"></div>`);
    const form = container.querySelector('[data-role=config]');
    form.destino.value = st.dest;
    form.destino.addEventListener('change', () => { st.dest = form.destino.value; draw(); });
    form.addEventListener('click', (ev) => { const b = ev.target.closest('[data-origin]'); if (b) { st.origin = b.dataset.origin; draw(); } });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = { cedi_origen_id: st.origin, cedi_destino_id: st.dest };
      for (const k of ['a', 'b', 'c', 'd', 'congelados']) body[`dias_cobertura_${k}`] = Number(form[`dias_cobertura_${k}`].value);
      body.lead_time_dias = Number(form.lead_time_dias.value);
      ctx.setQuery({ destino: st.dest, origen: st.origin });
      calculate(container.querySelector('[data-role=result]'), ctx, body);
    });
  };
  draw();
}

async function calculate(el, ctx, body) {
  setHtml(el, html`<div class="route-spinner" role="status"><span class="spinner"></span>Calculando la demanda regional…</div>`);
  let calc;
  try {
    calc = await apiPost('/api/pedidos-inter-cedi/calcular', body, { signal: ctx.signal });
  } catch (e) {
    if (!isAbort(e)) showError(el, e, () => calculate(el, ctx, body), 'No se pudo calcular el pedido');
    return;
  }
  const f = { q: '', abc: '', vista: 'sugeridos', origen: '', destino: '', sort: 'prioridad', dir: 1, page: 1 };
  const tons = calc.productos.reduce((s, l) => s + l.cantidad_sugerida_unid * l.peso_unidad_kg, 0) / 1000;
  setHtml(el, html`<div class="kpis kpis-5">
      <div class="kpi"><span class="kpi-label">Productos con pedido</span><strong class="kpi-value">${formatInteger(calc.total_productos_con_sugerido)}</strong><span class="kpi-hint">de ${formatInteger(calc.total_productos)} del origen</span></div>
      <div class="kpi"><span class="kpi-label">Bultos</span><strong class="kpi-value">${formatInteger(calc.total_bultos)}</strong></div>
      <div class="kpi"><span class="kpi-label">Unidades</span><strong class="kpi-value">${formatInteger(calc.total_unidades)}</strong></div>
      <div class="kpi"><span class="kpi-label">Peso</span><strong class="kpi-value">${formatNumber(tons, 2)} t</strong></div>
      <div class="kpi"><span class="kpi-label">Región ${calc.region}</span><strong class="kpi-value">${formatInteger(calc.num_tiendas_region)}</strong><span class="kpi-hint">tiendas · ${formatInteger(calc.total_excluidos_inter_cedi)} excluidos</span></div>
    </div>
    <p class="muted">${calc.cedi_origen_nombre} → ${calc.cedi_destino_nombre} · demanda de los 30 días antes del ${formatDate(calc.fecha)} · ${calc.mensaje}</p>
    <form class="card filter-bar filters" data-role="filters" autocomplete="off">
      <label>Buscar <input type="search" name="q" placeholder="Código, nombre, categoría o códigos separados por coma" size="40"></label>
      <label>Vista <select name="vista"><option value="sugeridos">Con pedido</option><option value="sin">Sin pedido</option><option value="todos">Todos</option></select></label>
      <label>ABC <select name="abc"><option value="">Todas</option>${['A', 'B', 'C', 'D'].map((c) => html`<option value="${c}">${c}</option>`)}</select></label>
      <label>Stock origen <select name="origen"><option value="">Todos</option><option value="con">Con stock</option><option value="sin">Sin stock</option></select></label>
      <label>Stock destino <select name="destino"><option value="">Todos</option><option value="con">Con stock</option><option value="sin">Sin stock</option></select></label>
    </form>
    <div class="card table-card grid-wrap" data-role="grid"></div>
    <nav class="pager" data-role="pager" aria-label="Páginas"></nav>`);
  const gridEl = el.querySelector('[data-role=grid]');
  const pagerEl = el.querySelector('[data-role=pager]');
  const matches = (l) => {
    if (f.q.includes(',')) {
      const codes = new Set(f.q.split(',').map(stripZeros).filter(Boolean));
      if (![...codes].some((c) => stripZeros(l.codigo_producto) === c || l.codigo_producto.endsWith(c))) return false;
    } else if (f.q) {
      const t = f.q.trim().toLowerCase();
      if (![l.codigo_producto, l.descripcion_producto, l.categoria || '', l.marca || ''].some((x) => x.toLowerCase().includes(t))) return false;
    }
    if (f.vista === 'sugeridos' && !(l.cantidad_sugerida_bultos > 0)) return false;
    if (f.vista === 'sin' && l.cantidad_sugerida_bultos > 0) return false;
    if (f.abc && l.clasificacion_abc !== f.abc) return false;
    if (f.origen && (f.origen === 'con') !== (l.stock_cedi_origen > 0)) return false;
    if (f.destino && (f.destino === 'con') !== (l.stock_cedi_destino > 0)) return false;
    return true;
  };
  const draw = () => {
    const key = SORTS[f.sort];
    const rows = calc.productos.filter(matches).sort((a, b) => {
      const va = key(a); const vb = key(b);
      return f.dir * (typeof va === 'string' ? va.localeCompare(vb) : va - vb) || a.codigo_producto.localeCompare(b.codigo_producto);
    });
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    f.page = Math.min(f.page, pages);
    const th = (k, label) => html`<th class="num sortable" data-sort="${k}" aria-sort="${f.sort === k ? (f.dir > 0 ? 'ascending' : 'descending') : 'none'}">${label}${f.sort === k ? (f.dir > 0 ? ' ▲' : ' ▼') : ''}</th>`;
    setHtml(gridEl, rows.length ? html`<table class="data-table" data-role="lines"><thead><tr>
        <th>Código</th><th>Descripción</th><th>Cuadrante</th>${th('abc', 'ABC')}${th('prioridad', 'Pri.')}${th('demanda', 'P75 reg. (b/día)')}<th class="num">Tiendas</th>
        ${th('destino', 'Stock destino (b)')}${th('dias', 'Días')}${th('origen', 'Stock origen (b)')}<th class="num">ROP (b)</th><th class="num">Máx (b)</th>${th('sugerido', 'Sugerido (b)')}</tr></thead>
      <tbody>${rows.slice((f.page - 1) * PAGE, f.page * PAGE).map((l) => {
        const u = l.unidades_por_bulto; const [band, label] = BAND(l.prioridad);
        return html`<tr data-code="${l.codigo_producto}"><td class="code">${l.codigo_producto}</td><td class="desc" title="${l.razon_pedido}">${l.descripcion_producto}${l.es_congelado ? html` <span class="badge badge-enviado" title="Cobertura de congelados">❄</span>` : ''}</td>
          <td>${l.cuadrante || ''}</td><td class="num">${l.clasificacion_abc}</td><td class="num"><span class="badge badge-${band}" title="${label}">${l.prioridad}</span></td>
          <td class="num" title="${`${formatNumber(l.demanda_regional_p75, 1)} unidades/día · σ ${formatNumber(l.sigma_regional, 1)}`}">${formatNumber(l.demanda_regional_p75 / u, 2)}</td><td class="num">${l.num_tiendas_con_venta}</td>
          <td class="num">${formatNumber(l.stock_cedi_destino / u, 1)}${l.transito_destino > 0 ? html` <span class="muted">+${formatNumber(l.transito_destino / u, 0)}</span>` : ''}</td>
          <td class="num"><span class="badge ${daysBadge(l.dias_stock_destino)}">${l.dias_stock_destino >= 999 ? '—' : formatNumber(l.dias_stock_destino, 1)}</span></td>
          <td class="num">${formatNumber(l.stock_cedi_origen / u, 1)}</td><td class="num">${formatNumber(l.punto_reorden / u, 1)}</td><td class="num">${formatNumber(l.stock_maximo / u, 1)}</td>
          <td class="num"><strong>${formatInteger(l.cantidad_sugerida_bultos)}</strong>${l.limitado_por_origen ? html`<br><span class="badge badge-bajo" title="${`Ideal ${formatNumber(l.cantidad_ideal_unid / u, 0)} b → posible ${l.cantidad_sugerida_bultos} b`}">Stock limitado</span>` : ''}</td></tr>`;
      })}</tbody></table>` : emptyState('Ningún producto con estos filtros', f.vista === 'sugeridos' ? 'No hay productos con pedido que cumplan los filtros. Cambie la vista a «Todos».' : 'Pruebe con otros filtros.'));
    setHtml(pagerEl, html`<button type="button" class="btn" data-page="-1" ${f.page <= 1 ? html`disabled` : ''}>Anterior</button><span>Página ${f.page} de ${pages} · ${formatInteger(rows.length)} productos</span><button type="button" class="btn" data-page="1" ${f.page >= pages ? html`disabled` : ''}>Siguiente</button>`);
  };
  const form = el.querySelector('[data-role=filters]');
  form.addEventListener('input', (ev) => { if (ev.target.name === 'q') { f.q = ev.target.value; f.page = 1; draw(); } });
  form.addEventListener('change', (ev) => { if (ev.target.name && ev.target.name !== 'q') { f[ev.target.name] = ev.target.value; f.page = 1; draw(); } });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  gridEl.addEventListener('click', (ev) => {
    const s = ev.target.closest('[data-sort]');
    if (!s) return;
    // A new column starts descending, except priority (most urgent first).
    f.dir = f.sort === s.dataset.sort ? -f.dir : (s.dataset.sort === 'prioridad' ? 1 : -1);
    f.sort = s.dataset.sort;
    draw();
  });
  pagerEl.addEventListener('click', (ev) => { const b = ev.target.closest('[data-page]'); if (b) { f.page += Number(b.dataset.page); draw(); } });
  draw();
}
