// The Inventarios landing's "Salud del inventario por región" (spec 50 §7.2, 40 §7.1):
// one tab per region with its totals, and per location (and almacén) the products by stock
// sign, the fill rate, the mean coverage days of classes A, B and C, and the products about
// to run out. From GET /api/ubicaciones/summary-regional (the stock tables' own P75).
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger } from '../format.js';

const days = (v) => (v === null || v === undefined ? '—' : formatNumber(v, 1));
const fillClass = (v) => (v >= 90 ? 'pos' : v < 75 ? 'neg' : '');

function row(u, expanded) {
  const s = u;
  return html`<tr data-loc="${u.ubicacion_id}" class="${expanded ? 'is-open' : ''}">
      <th scope="row" class="name"><button type="button" class="disclosure" data-toggle="${u.ubicacion_id}" aria-expanded="${String(expanded)}" aria-label="Almacenes">${expanded ? '▾' : '▸'}</button>
        <a href="/dashboard/${encodeURIComponent(u.ubicacion_id)}">${u.nombre}</a> <span class="badge badge-${u.tipo}">${u.tipo === 'cedi' ? 'CEDI' : 'Tienda'}</span></th>
      <td class="num">${formatInteger(s.total_skus)}</td><td class="num">${formatInteger(s.skus_con_stock)}</td><td class="num">${formatInteger(s.stock_cero)}</td>
      <td class="num ${s.stock_negativo ? 'neg' : ''}">${formatInteger(s.stock_negativo)}</td><td class="num ${fillClass(s.fill_rate)}"><strong>${formatNumber(s.fill_rate, 1)} %</strong></td>
      <td class="num">${days(s.cobertura_a)}</td><td class="num">${days(s.cobertura_b)}</td><td class="num">${days(s.cobertura_c)}</td>
      <td class="num ${s.riesgo_quiebre ? 'neg' : ''}">${formatInteger(s.riesgo_quiebre)}</td><td class="muted small">${u.ultima_actualizacion ? u.ultima_actualizacion.replace('T', ' ').slice(0, 16) : '—'}</td></tr>
    ${expanded ? u.almacenes.map((a) => html`<tr class="sub-row"><td class="muted">↳ ${a.almacen_nombre} <span class="code">${a.almacen_codigo}</span></td>
      <td class="num">${formatInteger(a.total_skus)}</td><td class="num">${formatInteger(a.skus_con_stock)}</td><td class="num">${formatInteger(a.stock_cero)}</td>
      <td class="num">${formatInteger(a.stock_negativo)}</td><td class="num">${formatNumber(a.fill_rate, 1)} %</td><td class="num">${days(a.cobertura_a)}</td>
      <td class="num">${days(a.cobertura_b)}</td><td class="num">${days(a.cobertura_c)}</td><td class="num">${formatInteger(a.riesgo_quiebre)}</td><td></td></tr>`) : ''}`;
}

export async function renderRegionalHealth(el, ctx) {
  const st = { region: '', open: new Set() };
  let data = null;
  setHtml(el, html`<h2>Salud del inventario por región</h2>${skeletonBlock({ rows: 5 })}`);
  const draw = () => {
    if (!data.regiones.length) { setHtml(el, html`<h2>Salud del inventario por región</h2>${emptyState('Sin ubicaciones', 'No hay ubicaciones visibles para su usuario.')}`); return; }
    if (!data.regiones.some((r) => r.region === st.region)) st.region = data.regiones[0].region;
    const r = data.regiones.find((x) => x.region === st.region);
    setHtml(el, html`<h2>Salud del inventario por región</h2>
      <p class="muted small">Fill rate = productos con stock / productos con stock o con demanda. Cobertura = días de stock a la venta diaria (P75) de cada clase, productos con 0–365 días. Riesgo de quiebre = con stock pero menos de un día de venta (A, B o C).</p>
      <div class="tabs wrap" role="tablist" data-role="health-regions">${data.regiones.map((x) => html`<button type="button" role="tab" class="tab" data-region="${x.region}" aria-selected="${String(x.region === st.region)}">${x.nombre} <span class="muted small">${formatInteger(x.total_ubicaciones)}</span></button>`)}</div>
      <div class="kpis" data-role="health-cards">
        <div class="kpi"><span class="kpi-label">Fill rate</span><span class="kpi-value ${fillClass(r.fill_rate)}">${formatNumber(r.fill_rate, 1)} %</span><span class="kpi-hint">${formatInteger(r.skus_con_stock)} con stock de ${formatInteger(r.total_skus)} productos</span></div>
        <div class="kpi"><span class="kpi-label">Cobertura A · B · C (días)</span><span class="kpi-value">${days(r.cobertura_a)} · ${days(r.cobertura_b)} · ${days(r.cobertura_c)}</span><span class="kpi-hint">Promedio de las ubicaciones</span></div>
        <div class="kpi"><span class="kpi-label">Riesgo de quiebre</span><span class="kpi-value ${r.riesgo_quiebre ? 'neg' : ''}">${formatInteger(r.riesgo_quiebre)}</span><span class="kpi-hint">Menos de un día de venta</span></div>
        <div class="kpi"><span class="kpi-label">Stock en cero · negativo</span><span class="kpi-value">${formatInteger(r.stock_cero)} · ${formatInteger(r.stock_negativo)}</span></div></div>
      <div class="card table-card"><table class="data-table" data-role="health-table">
        <thead><tr><th>Ubicación</th><th class="num">Productos</th><th class="num">Con stock</th><th class="num">Stock 0</th><th class="num">Stock &lt; 0</th><th class="num">Fill rate</th>
          <th class="num">Cob. A</th><th class="num">Cob. B</th><th class="num">Cob. C</th><th class="num">Riesgo</th><th>Actualizado</th></tr></thead>
        <tbody>${r.ubicaciones.map((u) => row(u, st.open.has(u.ubicacion_id)))}</tbody></table></div>`);
  };
  el.addEventListener('click', (ev) => {
    const tab = ev.target.closest('[data-region]');
    if (tab && data) { st.region = tab.dataset.region; draw(); return; }
    const t = ev.target.closest('[data-toggle]');
    if (t && data) {
      const id = t.dataset.toggle;
      if (st.open.has(id)) st.open.delete(id); else st.open.add(id);
      draw();
      el.querySelector(`[data-toggle="${id}"]`).focus();
    }
  });
  const load = async () => {
    try {
      data = await apiGet('/api/ubicaciones/summary-regional', { signal: ctx.signal });
      draw();
    } catch (e) {
      if (!isAbort(e)) showError(el, e, load, 'No se pudo calcular la salud del inventario');
    }
  };
  await load();
}
