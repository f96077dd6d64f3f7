// "Agotados visuales" (spec 40 §6.4): products a store has in stock that stopped selling,
// probably not on the shelf. GET /api/ventas/agotados-visuales/{id} scores and diagnoses
// them; here they are filtered, sorted (default: hours without selling) and exported.
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger } from '../format.js';
import { downloadCsv } from '../csv.js';
import { openProductDrawer } from './producto-ventas.js';

const PRIORITY = { 1: 'Crítico', 2: 'Alto', 3: 'Medio' };
const DIAGNOSIS = {
  EXHIBICION: 'Exhibición', AGOTAMIENTO: 'Agotamiento', REGIONAL: 'Regional', REPOSICION: 'Reposición', INDETERMINADO: 'Indeterminado',
};
const COLUMNS = [
  ['prioridad', 'Prioridad', false], ['codigo_producto', 'Código', false], ['descripcion', 'Descripción', false],
  ['stock_actual', 'Stock', true], ['ventas_dia', 'Vtas/día', true], ['prom_h', 'Cada (h)', true], ['sin_vender_h', 'Sin vender (h)', true],
  ['factor_alerta', 'Factor', true], ['ultima', 'Última venta', false], ['clase_abc', 'ABC', false], ['eventos_region', 'Región', true],
  ['score', 'Score', true], ['diagnostico', 'Diagnóstico', false],
];

export async function render(container, ctx, id) {
  const f = { prioridad: '', diagnostico: '', search: '', sort: 'sin_vender_h', desc: true };
  setHtml(container, html`<div class="page-head"><div><p class="muted"><a href="/ventas/${encodeURIComponent(id)}">← Ventas de la tienda</a></p>
      <h1 data-role="title">Agotados visuales</h1><p class="subtitle" data-role="subtitle">Productos con stock que dejaron de venderse: probablemente no están en el anaquel.</p></div>
      <div class="actions"><button type="button" class="btn" data-role="csv" disabled>Exportar CSV</button><button type="button" class="btn" data-role="refresh">Actualizar</button></div></div>
    <div class="kpis" data-role="cards"></div>
    <div data-role="categories"></div>
    <form class="card filter-bar filters wrap" data-role="filters" autocomplete="off">
      <label>Buscar <input type="search" name="search" placeholder="Código o descripción"></label>
      <label>Prioridad <select name="prioridad"><option value="">Todas</option>${Object.entries(PRIORITY).map(([v, t]) => html`<option value="${v}">${t}</option>`)}</select></label>
      <label>Diagnóstico <select name="diagnostico"><option value="">Todos</option>${Object.entries(DIAGNOSIS).map(([v, t]) => html`<option value="${v}">${t}</option>`)}</select></label>
    </form>
    <section data-role="table">${skeletonBlock({ rows: 8 })}</section>
    <aside class="drawer" data-role="drawer" hidden aria-label="Detalle del producto"></aside>`);
  const tableEl = container.querySelector('[data-role=table]');
  const form = container.querySelector('[data-role=filters]');
  const drawer = container.querySelector('[data-role=drawer]');
  let data = null;
  let rows = [];

  const value = (r, k) => (k === 'ultima' ? `${r.ultima_venta.fecha} ${r.ultima_venta.hora}` : r[k]);
  const visible = () => {
    const s = f.search.toLowerCase();
    const out = data.items.filter((r) => (!f.prioridad || String(r.prioridad) === f.prioridad) && (!f.diagnostico || r.diagnostico === f.diagnostico)
      && (!s || r.codigo_producto.toLowerCase().includes(s) || r.descripcion.toLowerCase().includes(s)));
    const dir = f.desc ? -1 : 1;
    return out.sort((a, b) => {
      const x = value(a, f.sort); const y = value(b, f.sort);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''), 'es');
      return c * dir || b.score - a.score;
    });
  };

  const drawTable = () => {
    rows = visible();
    if (!data.items.length) {
      setHtml(tableEl, emptyState('Sin agotados visuales', 'Ningún producto con stock lleva más del doble de su intervalo habitual sin venderse.'));
      return;
    }
    if (!rows.length) { setHtml(tableEl, emptyState('Nada con estos filtros', 'Pruebe con otra prioridad o limpie la búsqueda.')); return; }
    const th = ([k, label, num]) => html`<th class="${`${num ? 'num ' : ''}sortable`}" aria-sort="${f.sort === k ? (f.desc ? 'descending' : 'ascending') : 'none'}"><button type="button" class="sort" data-sort="${k}">${label}${f.sort === k ? (f.desc ? ' ▼' : ' ▲') : ''}</button></th>`;
    setHtml(tableEl, html`<div class="card table-card"><table class="data-table" data-role="stockouts">
      <thead><tr>${COLUMNS.map(th)}</tr></thead>
      <tbody>${rows.map((r, i) => html`<tr data-index="${i}" tabindex="0">
        <td><span class="${`badge prio-${r.prioridad}`}">${r.prioridad_nombre}</span></td><td class="code">${r.codigo_producto}</td>
        <td class="desc" title="${r.descripcion}">${r.descripcion}<span class="muted cat"> · ${r.categoria || 'SIN CATEGORIA'}</span></td>
        <td class="num">${formatNumber(r.stock_actual, 0)}</td><td class="num">${formatNumber(r.ventas_dia, 1)}</td><td class="num">${formatNumber(r.prom_h, 1)}</td>
        <td class="num"><strong>${formatNumber(r.sin_vender_h, 1)}</strong></td><td class="num">${formatNumber(r.factor_alerta, 1)}×</td>
        <td title="${`Factura ${r.ultima_venta.numero_factura} · ${formatNumber(r.ultima_venta.cantidad, 1)} unid.`}">${r.ultima_venta.fecha.slice(5)} ${r.ultima_venta.hora}</td>
        <td>${r.clase_abc || '—'}</td><td class="num">${formatInteger(r.eventos_region)}</td><td class="num">${formatInteger(r.score)}</td>
        <td title="${r.detalle}">${DIAGNOSIS[r.diagnostico] || r.diagnostico}</td></tr>`)}</tbody></table></div>`);
  };

  const draw = (d) => {
    data = d;
    container.querySelector('[data-role=title]').textContent = `Agotados visuales · ${d.ubicacion_nombre}`;
    container.querySelector('[data-role=subtitle]').textContent = `Productos con stock que dejaron de venderse (últimos ${d.ventana_dias} días). Análisis de las ${d.fecha_analisis.slice(11, 16)} · horario ${d.hora_apertura}–${d.hora_cierre} · tienda ${d.tienda_abierta ? 'abierta' : 'cerrada'}. Las horas cuentan solo horas de apertura.`;
    const t = d.totales;
    setHtml(container.querySelector('[data-role=cards]'), html`
      <div class="kpi"><span class="kpi-label">Críticos</span><span class="kpi-value neg">${formatInteger(t.critico)}</span><span class="kpi-hint">Score ≥ 70</span></div>
      <div class="kpi"><span class="kpi-label">Altos</span><span class="kpi-value">${formatInteger(t.alto)}</span><span class="kpi-hint">Score 50–69</span></div>
      <div class="kpi"><span class="kpi-label">Medios</span><span class="kpi-value">${formatInteger(t.medio)}</span></div>
      <div class="kpi"><span class="kpi-label">Alertas</span><span class="kpi-value">${formatInteger(d.total_alertas)}</span><span class="kpi-hint">${d.total_alertas > d.items.length ? `La lista muestra las ${d.limite} de mayor score` : 'Todas en la lista'}</span></div>`);
    const byCat = new Map();
    for (const r of d.items.filter((x) => x.prioridad === 1)) byCat.set(r.categoria || 'Sin categoría', (byCat.get(r.categoria || 'Sin categoría') || 0) + 1);
    const cats = [...byCat].sort((a, b) => b[1] - a[1]);
    setHtml(container.querySelector('[data-role=categories]'), cats.length ? html`<p class="muted small" data-role="critical-categories">Críticos por categoría: ${cats.map(([c, n], i) => html`${i ? ' · ' : ''}<strong>${c}</strong> ${formatInteger(n)}`)}</p>` : '');
    container.querySelector('[data-role=csv]').disabled = !d.items.length;
    drawTable();
  };

  const load = async () => {
    tableEl.setAttribute('aria-busy', 'true');
    try {
      draw(await apiGet(`/api/ventas/agotados-visuales/${encodeURIComponent(id)}`, { signal: ctx.signal }));
    } catch (e) {
      if (isAbort(e)) return;
      const denied = e.status === 403 || e.status === 422;
      showError(tableEl, e, denied ? null : load, denied ? 'No se puede mostrar esta tienda' : 'No se pudieron calcular los agotados');
    } finally {
      tableEl.removeAttribute('aria-busy');
    }
  };

  form.addEventListener('input', (ev) => { if (ev.target.name === 'search') { f.search = ev.target.value.trim(); if (data) drawTable(); } });
  form.addEventListener('change', (ev) => { if (ev.target.name && ev.target.name !== 'search') { f[ev.target.name] = ev.target.value; if (data) drawTable(); } });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  container.querySelector('[data-role=refresh]').addEventListener('click', load);
  container.querySelector('[data-role=csv]').addEventListener('click', () => {
    downloadCsv(`agotados-visuales-${id}-${data.fecha_analisis.slice(0, 10)}.csv`,
      ['Prioridad', 'Código', 'Descripción', 'Categoría', 'Stock', 'Ventas/día', 'Horas entre ventas', 'Horas sin vender', 'Factor', 'Última venta', 'Factura', 'ABC', 'Eventos región', 'Score', 'Diagnóstico', 'Detalle'],
      rows.map((r) => [r.prioridad_nombre, r.codigo_producto, r.descripcion, r.categoria || '', r.stock_actual, r.ventas_dia, r.prom_h, r.sin_vender_h, r.factor_alerta,
        `${r.ultima_venta.fecha} ${r.ultima_venta.hora}`, r.ultima_venta.numero_factura, r.clase_abc || '', r.eventos_region, r.score, DIAGNOSIS[r.diagnostico] || r.diagnostico, r.detalle]));
  });
  tableEl.addEventListener('click', (ev) => {
    const s = ev.target.closest('[data-sort]');
    if (s) { f.desc = f.sort === s.dataset.sort ? !f.desc : true; f.sort = s.dataset.sort; drawTable(); return; }
    const row = ev.target.closest('tr[data-index]');
    if (row) open(row);
  });
  tableEl.addEventListener('keydown', (ev) => {
    const row = ev.target.closest('tr[data-index]');
    if (!row) return;
    if (ev.key === 'Enter') { ev.preventDefault(); open(row); }
    if (ev.key === 'ArrowDown' && row.nextElementSibling) { ev.preventDefault(); row.nextElementSibling.focus(); }
    if (ev.key === 'ArrowUp' && row.previousElementSibling) { ev.preventDefault(); row.previousElementSibling.focus(); }
  });
  function open(row) {
    const r = rows[Number(row.dataset.index)];
    openProductDrawer(drawer, { code: r.codigo_producto, name: r.descripcion, store: id, ctx, tab: 'horas', onClose: () => row.focus() });
  }

  await load();
}
