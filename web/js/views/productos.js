// "Productos → Clasificación ABC / Matriz ABC-XYZ" (spec 30 §5, 50 §9.3): how a store's (or
// the chain's) products split by ABC, and, when the tenant turned the XYZ analysis on, by
// demand regularity, as the 4 × 3 matrix. A cell opens its products. XYZ is informational:
// it never changes a suggested quantity.
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger } from '../format.js';
import { subnav } from './analisis-maestro.js';

const ABC_HINT = { A: 'Los que más venden', B: 'Venta media', C: 'Venta baja', D: 'Venta mínima' };
const XYZ_HINT = { X: 'Demanda estable (CV < 0,5)', Y: 'Variable (0,5 ≤ CV < 1)', Z: 'Errática (CV ≥ 1)' };

function bars(shares, hints) {
  return html`<div class="class-bars">${shares.map((s) => html`<div class="class-bar-row wide">
    <span class="class-label" title="${hints[s.clase]}"><strong>${s.clase}</strong> <span class="muted small">${formatInteger(s.productos)} prod.</span></span>
    <div class="stacked" role="img" aria-label="${`${s.clase}: ${formatNumber(s.pct_productos, 1)} % de los productos, ${formatNumber(s.pct_valor, 1)} % del valor`}">
      <span class="share-products" style="${`width:${s.pct_productos}%`}" title="${`${formatNumber(s.pct_productos, 1)} % de los productos`}"></span></div>
    <span class="muted small">${formatNumber(s.pct_valor, 1)} % valor</span></div>`)}</div>`;
}

function matrixGrid(m, selected) {
  const max = Math.max(1, ...m.celdas.map((c) => c.pct_valor));
  return html`<table class="matrix" data-role="matrix"><thead><tr><th></th>${['X', 'Y', 'Z'].map((x) => html`<th title="${XYZ_HINT[x]}">${x}</th>`)}</tr></thead>
    <tbody>${['A', 'B', 'C', 'D'].map((a) => html`<tr><th title="${ABC_HINT[a]}">${a}</th>${['X', 'Y', 'Z'].map((x) => {
      const c = m.celdas.find((k) => k.celda === `${a}${x}`);
      const alpha = (0.06 + 0.6 * (c.pct_valor / max)).toFixed(2);
      return html`<td><button type="button" class="cell ${selected === c.celda ? 'is-selected' : ''}" data-cell="${c.celda}" style="${`background: rgba(16, 185, 129, ${alpha})`}">
        <strong>${c.celda}</strong><span>${formatInteger(c.productos)} productos</span><span class="muted small">${formatNumber(c.pct_valor, 1)} % del valor</span></button></td>`;
    })}</tr>`)}</tbody></table>`;
}

export async function render(container, ctx) {
  const q = ctx.query;
  const st = { tienda: q.get('ubicacion_id') || '', celda: q.get('celda') || '' };
  setHtml(container, html`<div class="page-head"><div><h1>Clasificación ABC</h1>
      <p class="subtitle">Productos por su venta de los últimos 30 días (ABC) y por la regularidad de su demanda (XYZ). Se recalcula después de cada carga de ventas.</p></div>
      <div class="actions"><label>Ubicación <select name="tienda" data-role="store"><option value="">Toda la cadena</option></select></label></div></div>
    ${subnav(location.pathname === '/productos/abc-xyz' ? '/productos/abc-xyz' : '/productos/abc')}
    <section data-role="classes">${skeletonBlock({ cards: 0, rows: 6 })}</section>
    <section data-role="cell"></section>`);
  const sel = container.querySelector('[data-role=store]');
  const el = container.querySelector('[data-role=classes]');
  const cellEl = container.querySelector('[data-role=cell]');
  try {
    const locs = await apiGet('/api/ubicaciones', { signal: ctx.signal });
    const stores = locs.filter((l) => l.tipo !== 'cedi');
    const scoped = ctx.user && ctx.user.rol === 'gerente_tienda';
    setHtml(sel, html`${scoped ? '' : html`<option value="">Toda la cadena</option>`}${stores.map((s) => html`<option value="${s.id}" ${s.id === st.tienda ? html`selected` : ''}>${s.nombre}</option>`)}`);
    if (scoped && !st.tienda && stores.length) st.tienda = stores[0].id;
  } catch (e) {
    if (isAbort(e)) return;
  }

  const showCell = async (celda) => {
    st.celda = celda;
    ctx.setQuery({ ...(st.tienda ? { ubicacion_id: st.tienda } : {}), ...(celda ? { celda } : {}) });
    el.querySelectorAll('[data-cell]').forEach((b) => b.classList.toggle('is-selected', b.dataset.cell === celda));
    if (!celda) { setHtml(cellEl, ''); return; }
    setHtml(cellEl, skeletonBlock({ rows: 5 }));
    const p = new URLSearchParams({ abc: celda[0], page_size: '200' });
    if (celda[1]) p.set('xyz', celda[1]);
    if (st.tienda) p.set('ubicacion_id', st.tienda);
    try {
      const r = await apiGet(`/api/productos/lista-por-matriz?${p}`, { signal: ctx.signal });
      setHtml(cellEl, r.total ? html`<h2>${celda}: ${formatInteger(r.total)} productos ${r.total > r.productos.length ? html`<span class="muted small">(los ${r.productos.length} de más valor)</span>` : ''}</h2>
        <div class="card table-card"><table class="data-table" data-role="cell-products"><thead><tr><th class="num">Rank valor</th><th>Código</th><th>Descripción</th><th>Categoría</th><th class="num">Unidades 30 d</th><th class="num">Ventas 30 d (USD)</th><th class="num">Días con venta</th><th class="num">CV</th><th>XYZ</th></tr></thead>
        <tbody>${r.productos.map((x) => html`<tr><td class="num">${formatInteger(x.rank_valor)}</td><td class="code">${x.codigo}</td><td class="desc" title="${x.descripcion}">${x.descripcion}</td><td>${x.categoria || 'SIN CATEGORIA'}</td>
          <td class="num">${formatNumber(x.cantidad_30d, 1)}</td><td class="num">${formatNumber(x.venta_30d, 2)}</td><td class="num">${formatInteger(x.dias_venta)}</td>
          <td class="num">${x.cv === null ? '—' : formatNumber(x.cv, 2)}</td><td>${x.clase_xyz || html`<span class="muted" title="Menos de 15 días con venta: se cuenta como Y">Y*</span>`}</td></tr>`)}</tbody></table></div>`
        : emptyState('Celda vacía', 'Ningún producto en esta celda.'));
    } catch (e) {
      if (!isAbort(e)) showError(cellEl, e, () => showCell(celda));
    }
  };

  const load = async () => {
    setHtml(el, skeletonBlock({ rows: 6 }));
    try {
      const c = await apiGet(`/api/productos/matriz-abc-xyz${st.tienda ? `?ubicacion_id=${encodeURIComponent(st.tienda)}` : ''}`, { signal: ctx.signal });
      const total = c.abc.reduce((a, s) => a + s.productos, 0);
      if (!total) { setHtml(el, emptyState('Sin clasificación', 'Todavía no hay ventas clasificadas para esta ubicación.')); return; }
      setHtml(el, html`<div class="classes-grid">
        <div class="card pad"><h2>ABC <span class="muted small">${formatInteger(total)} productos</span></h2>${bars(c.abc, ABC_HINT)}
          <p class="muted small">La barra es la parte de los productos; a la derecha, la parte del valor vendido.</p>
          <div class="chips">${c.abc.map((s) => html`<button type="button" class="chip" data-cell="${s.clase}">Ver ${s.clase}</button>`)}</div></div>
        ${c.matriz ? html`<div class="card pad"><h2>XYZ</h2>${bars(c.xyz, XYZ_HINT)}
          <p class="muted small">${formatInteger(c.matriz.productos_xyz_insuficiente)} productos con menos de 15 días de venta se cuentan como Y.</p></div>
          <div class="card pad span-2"><h2>Matriz ABC-XYZ</h2><p class="muted small">El color es la parte del valor vendido. Pulse una celda para ver sus productos.</p>${matrixGrid(c.matriz, st.celda)}</div>` : ''}
      </div>`);
      el.querySelectorAll('[data-cell]').forEach((b) => b.addEventListener('click', () => showCell(b.dataset.cell)));
      if (st.celda) showCell(st.celda);
    } catch (e) {
      if (!isAbort(e)) showError(el, e, load, 'No se pudo cargar la clasificación');
    }
  };
  sel.addEventListener('change', () => { st.tienda = sel.value; st.celda = ''; setHtml(cellEl, ''); ctx.setQuery(st.tienda ? { ubicacion_id: st.tienda } : {}); load(); });
  await load();
}
