// "Productos → Análisis maestro" (spec 50 §9.3): a store's products by state × ABC class as
// a grid of counts; a cell lists its products; a product opens its 360° view (every store
// and CEDI, twelve weeks of sales). States come from the same stock table as Inventarios.
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError, drawPager, bindPager } from '../dom.js';
import { formatNumber, formatInteger, formatDate } from '../format.js';
import { barLineChart } from '../charts.js';

const STATE_HINT = {
  ACTIVO: 'Con stock y ventas, por encima del punto de reorden',
  AGOTANDOSE: 'Stock en el punto de reorden o debajo: pronto necesita pedido',
  CRITICO: 'Stock en el stock de seguridad o debajo',
  DORMIDO: 'Con stock, vendió en 30 días pero no en los últimos 14',
  SIN_VENTAS: 'Con stock y sin ventas en 30 días',
  ANOMALIA: 'Sin stock pero con ventas en 30 días: revisar el inventario',
  FANTASMA: 'Sin stock ni ventas en 30 días',
};
const CLASSES = ['A', 'B', 'C', 'D', 'SIN_CLASE'];
const PAGE_SIZES = [25, 50, 100, 200];

export function subnav(active) {
  const links = [['/productos/analisis-maestro', 'Análisis maestro'], ['/productos/abc', 'Clasificación ABC'], ['/productos/abc-xyz', 'Matriz ABC-XYZ']];
  return html`<nav class="filters" aria-label="Secciones de productos">${links.map(([href, label]) => html`<a class="chip" href="${href}" aria-pressed="${String(href === active)}">${label}</a>`)}</nav>`;
}

export async function render(container, ctx) {
  const q = ctx.query;
  const f = { tienda: q.get('ubicacion_id') || '', estado: q.get('estado') || '', abc: q.get('abc') || '', search: '', page: 1, page_size: 50 };
  setHtml(container, html`<div class="page-head"><div><h1>Análisis maestro</h1>
      <p class="subtitle">Los productos de una tienda por estado y clase ABC. Pulse una celda para ver sus productos y un producto para verlo en toda la cadena.</p></div>
      <div class="actions"><label>Tienda <select name="tienda" data-role="store"></select></label></div></div>
    ${subnav('/productos/analisis-maestro')}
    <section data-role="grid">${skeletonBlock({ rows: 7 })}</section>
    <form class="card filter-bar filters" data-role="filters" autocomplete="off"><label>Buscar <input type="search" name="search" placeholder="Código o descripción"></label>
      <span class="muted" data-role="selection"></span><button type="button" class="btn btn-ghost" data-action="clear">Ver todos</button></form>
    <section data-role="list"></section><div class="pager" data-role="pager"></div>
    <aside class="drawer" data-role="drawer" hidden aria-label="Producto en toda la cadena"></aside>`);
  const sel = container.querySelector('[data-role=store]');
  const gridEl = container.querySelector('[data-role=grid]');
  const listEl = container.querySelector('[data-role=list]');
  const pagerEl = container.querySelector('[data-role=pager]');
  const drawer = container.querySelector('[data-role=drawer]');
  const form = container.querySelector('[data-role=filters]');
  let items = [];
  const names = {};

  try {
    const stores = (await apiGet('/api/ubicaciones', { signal: ctx.signal })).filter((l) => l.tipo !== 'cedi');
    if (!stores.length) { setHtml(gridEl, emptyState('Sin tiendas', 'No hay tiendas visibles para su usuario.')); return; }
    if (!stores.some((s) => s.id === f.tienda)) f.tienda = stores[0].id;
    setHtml(sel, html`${stores.map((s) => html`<option value="${s.id}" ${s.id === f.tienda ? html`selected` : ''}>${s.nombre}</option>`)}`);
  } catch (e) {
    if (!isAbort(e)) showError(gridEl, e, () => render(container, ctx));
    return;
  }

  const query = () => ({ ubicacion_id: f.tienda, ...(f.estado ? { estado: f.estado } : {}), ...(f.abc ? { abc: f.abc } : {}) });

  const loadGrid = async () => {
    setHtml(gridEl, skeletonBlock({ rows: 7 }));
    try {
      const s = await apiGet(`/api/productos/analisis-maestro/resumen?ubicacion_id=${encodeURIComponent(f.tienda)}`, { signal: ctx.signal });
      if (!s.total) { setHtml(gridEl, emptyState('Sin productos', 'Esta tienda no tiene inventario cargado.')); return; }
      for (const e of s.estados) names[e.estado] = e.nombre;
      const max = Math.max(1, ...s.estados.flatMap((e) => CLASSES.map((c) => e.por_clase[c])));
      const cell = (e, c) => {
        const n = c ? e.por_clase[c] : e.total;
        const on = f.estado === e.estado && f.abc === (c || '');
        const alpha = c ? (0.05 + 0.55 * (n / max)).toFixed(2) : 0;
        return html`<td class="num"><button type="button" class="${`cell-btn state-${e.estado.toLowerCase()}${on ? ' is-selected' : ''}`}" data-estado="${e.estado}" data-abc="${c || ''}"
          style="${c ? `background: rgba(37, 99, 235, ${alpha})` : ''}" ${n ? '' : html`disabled`} title="${`${e.nombre}${c ? ` · ${c === 'SIN_CLASE' ? 'sin clase' : `clase ${c}`}` : ''}: ${n} productos`}">${formatInteger(n)}</button></td>`;
      };
      setHtml(gridEl, html`<div class="card table-card"><table class="data-table master-grid" data-role="master-grid">
        <thead><tr><th>Estado</th>${CLASSES.map((c) => html`<th class="num">${c === 'SIN_CLASE' ? 'Sin clase' : c}</th>`)}<th class="num">Total</th></tr></thead>
        <tbody>${s.estados.map((e) => html`<tr><th scope="row"><span class="${`badge state-${e.estado.toLowerCase()}`}">${e.nombre}</span><span class="muted small"> ${STATE_HINT[e.estado]}</span></th>
          ${CLASSES.map((c) => cell(e, c))}${cell(e, '')}</tr>`)}</tbody>
        <tfoot><tr><th>Total</th>${CLASSES.map((c) => html`<td class="num">${formatInteger(s.estados.reduce((a, e) => a + e.por_clase[c], 0))}</td>`)}<td class="num">${formatInteger(s.total)}</td></tr></tfoot>
      </table></div>`);
    } catch (e) {
      if (!isAbort(e)) showError(gridEl, e, loadGrid, 'No se pudo calcular el análisis');
    }
  };

  const loadList = async () => {
    ctx.setQuery(query());
    gridEl.querySelectorAll('[data-estado]').forEach((b) => b.classList.toggle('is-selected', b.dataset.estado === f.estado && b.dataset.abc === f.abc));
    const label = [names[f.estado], f.abc && (f.abc === 'SIN_CLASE' ? 'sin clase' : `clase ${f.abc}`)].filter(Boolean).join(' · ');
    container.querySelector('[data-role=selection]').textContent = label ? `Mostrando: ${label}` : 'Todos los productos';
    listEl.setAttribute('aria-busy', 'true');
    try {
      const p = new URLSearchParams({ ...query(), page: String(f.page), page_size: String(f.page_size), ...(f.search ? { search: f.search } : {}) });
      const d = await apiGet(`/api/productos/analisis-maestro?${p}`, { signal: ctx.signal });
      items = d.items;
      if (!d.total) { setHtml(listEl, emptyState('Sin productos', 'Ningún producto con esta selección.')); setHtml(pagerEl, ''); return; }
      setHtml(listEl, html`<div class="card table-card"><table class="data-table" data-role="master-list"><thead><tr><th>Código</th><th>Descripción</th><th>ABC</th><th>Estado</th>
        <th class="num">Stock</th><th class="num" title="Venta diaria (P75 de 20 días)">P75/día</th><th class="num">Días de cobertura</th><th class="num">Unid. 30 d</th><th class="num">Unid. 14 d</th></tr></thead>
        <tbody>${d.items.map((r, i) => html`<tr data-index="${i}" tabindex="0"><td class="code">${r.codigo_producto}</td>
          <td class="desc" title="${r.descripcion}">${r.descripcion}<span class="muted cat"> · ${r.categoria || 'SIN CATEGORIA'}</span></td><td>${r.clase_abc || '—'}</td>
          <td><span class="${`badge state-${r.estado.toLowerCase()}`}">${r.estado_nombre}</span></td><td class="num">${formatNumber(r.stock, 0)}</td><td class="num">${formatNumber(r.p75, 1)}</td>
          <td class="num">${r.dias_cobertura === null ? '—' : formatNumber(r.dias_cobertura, 1)}</td><td class="num">${formatNumber(r.unidades_30d, 0)}</td><td class="num">${formatNumber(r.unidades_14d, 0)}</td></tr>`)}</tbody></table></div>`);
      drawPager(pagerEl, f, { sizes: PAGE_SIZES, pages: d.total_pages, total: d.total, what: 'productos' });
    } catch (e) {
      if (!isAbort(e)) showError(listEl, e, loadList, 'No se pudieron cargar los productos');
    } finally {
      listEl.removeAttribute('aria-busy');
    }
  };

  gridEl.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-estado]');
    if (!b) return;
    [f.estado, f.abc, f.page] = [b.dataset.estado, b.dataset.abc, 1];
    loadList();
  });
  sel.addEventListener('change', () => { f.tienda = sel.value; f.page = 1; loadGrid().then(loadList); });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  let typing = null;
  form.addEventListener('input', (ev) => {
    if (ev.target.name !== 'search') return;
    clearTimeout(typing);
    typing = setTimeout(() => { f.search = ev.target.value.trim(); f.page = 1; loadList(); }, 250);
  });
  form.querySelector('[data-action=clear]').addEventListener('click', () => { [f.estado, f.abc, f.page] = ['', '', 1]; loadList(); });
  bindPager(pagerEl, f, loadList);
  listEl.addEventListener('click', (ev) => { const row = ev.target.closest('tr[data-index]'); if (row) openProduct(row); });
  listEl.addEventListener('keydown', (ev) => {
    const row = ev.target.closest('tr[data-index]');
    if (!row) return;
    if (ev.key === 'Enter') { ev.preventDefault(); openProduct(row); }
    if (ev.key === 'ArrowDown' && row.nextElementSibling) { ev.preventDefault(); row.nextElementSibling.focus(); }
    if (ev.key === 'ArrowUp' && row.previousElementSibling) { ev.preventDefault(); row.previousElementSibling.focus(); }
  });

  // The 360° view: the product in every store and CEDI, and its last twelve weeks.
  async function openProduct(row) {
    const r = items[Number(row.dataset.index)];
    drawer.hidden = false;
    drawer.classList.add('wide');
    const close = () => { drawer.hidden = true; row.focus(); };
    setHtml(drawer, html`<div class="drawer-head"><h2>${r.codigo_producto} · ${r.descripcion}</h2><button type="button" class="modal-close" data-role="close" aria-label="Cerrar">×</button></div>
      <div class="drawer-body" data-role="body"><div class="route-spinner"><span class="spinner"></span>Cargando…</div></div>`);
    drawer.querySelector('[data-role=close]').addEventListener('click', close);
    drawer.onkeydown = (e) => { if (e.key === 'Escape') close(); };
    drawer.querySelector('[data-role=close]').focus();
    const body = drawer.querySelector('[data-role=body]');
    try {
      const v = await apiGet(`/api/productos/${encodeURIComponent(r.codigo_producto)}/detalle-completo`, { signal: ctx.signal });
      const p = v.producto;
      const w = v.semanas;
      setHtml(body, html`<p class="muted">${p.categoria || 'Sin categoría'} · ${p.marca || 'sin marca'} · ${formatInteger(p.unidades_por_bulto)} unid./bulto${p.bulto_sin_definir ? ' (sin definir)' : ''} · CEDI ${p.cedi_origen_id || '—'}${p.activo ? '' : ' · inactivo'}</p>
        <div class="mini-kpis" data-role="kpis">
          <div class="kpi"><span class="kpi-label">Stock en tiendas</span><span class="kpi-value">${formatNumber(v.stock_tiendas, 0)}</span></div>
          <div class="kpi"><span class="kpi-label">Stock en CEDIs</span><span class="kpi-value">${formatNumber(v.stock_cedis, 0)}</span></div>
          <div class="kpi"><span class="kpi-label">Unidades 30 días</span><span class="kpi-value">${formatNumber(v.unidades_30d, 0)}</span></div>
          <div class="kpi"><span class="kpi-label">Tiendas con stock</span><span class="kpi-value">${formatInteger(v.tiendas.filter((t) => t.presente && t.stock > 0).length)} / ${formatInteger(v.tiendas.length)}</span></div></div>
        <h3>Ventas de las últimas 12 semanas</h3>
        ${barLineChart({ labels: w.map((x) => x.desde.slice(5)), bars: w.map((x) => x.unidades), tips: (i) => `${w[i].desde} a ${w[i].hasta}: ${formatNumber(w[i].unidades, 0)} unid. · ${formatNumber(w[i].venta_total, 2)} USD`, aria: 'Unidades por semana', height: 180 })}
        <h3>Por tienda</h3>
        <table class="data-table compact" data-role="stores"><thead><tr><th>Tienda</th><th>ABC</th><th>Estado</th><th class="num">Stock</th><th class="num">P75/día</th><th class="num">Días cob.</th><th class="num">Unid. 30 d</th></tr></thead>
          <tbody>${v.tiendas.map((t) => (t.presente ? html`<tr><td>${t.nombre} <span class="muted small">${t.region}</span></td><td>${t.clase_abc || '—'}</td>
            <td><span class="${`badge state-${t.estado.toLowerCase()}`}">${t.estado_nombre}</span></td><td class="num">${formatNumber(t.stock, 0)}</td><td class="num">${formatNumber(t.p75, 1)}</td>
            <td class="num">${t.dias_cobertura === null ? '—' : formatNumber(t.dias_cobertura, 1)}</td><td class="num">${formatNumber(t.unidades_30d, 0)}</td></tr>`
            : html`<tr class="muted"><td>${t.nombre} <span class="small">${t.region}</span></td><td colspan="6">No está en el inventario de esta tienda</td></tr>`))}</tbody></table>
        <h3>CEDIs</h3>
        <table class="data-table compact" data-role="cedis"><thead><tr><th>CEDI</th><th>Región</th><th class="num">Stock</th></tr></thead>
          <tbody>${v.cedis.map((c) => html`<tr><td>${c.nombre}</td><td>${c.region}</td><td class="num">${formatNumber(c.stock, 0)}</td></tr>`)}</tbody></table>
        <h3>Clase ABC en los últimos 90 días</h3>
        <div data-role="class-history"><div class="route-spinner"><span class="spinner"></span>Cargando…</div></div>`);
      loadClassHistory(r.codigo_producto, body.querySelector('[data-role=class-history]'));
    } catch (e) {
      if (!isAbort(e)) showError(body, e, () => openProduct(row), 'No se pudo cargar el producto');
    }
  }

  // Per store, one strip of the product's classes over the window (one segment per period).
  async function loadClassHistory(code, el) {
    try {
      const h = await apiGet(`/api/productos/${encodeURIComponent(code)}/historico-clasificacion?dias=90`, { signal: ctx.signal });
      const lines = (h.red ? [{ ubicacion_id: '*', nombre: 'Toda la red', region: '', periodos: h.red, cambios: Math.max(h.red.length - 1, 0) }] : []).concat(h.tiendas);
      if (lines.every((l) => !l.periodos.length)) {
        setHtml(el, emptyState('Sin histórico de clasificación', 'El producto no ha tenido clase ABC en estos 90 días (o aún no se ha recalculado la clasificación).'));
        return;
      }
      const day = (d) => Date.parse(`${d}T00:00:00Z`) / 86400000;
      const span = day(h.hasta) - day(h.desde) + 1;
      const name = (p) => (p.clase_abc === 'SIN_VENTAS' ? 'Sin ventas' : `${p.clase_abc}${p.clase_xyz ? p.clase_xyz : ''}`);
      const strip = (l) => {
        const first = l.periodos[0];
        const gap = first ? day(first.desde) - day(h.desde) : span;
        const pieces = [];
        if (gap > 0) pieces.push(html`<span class="class-seg class-none" style="${`width:${(gap / span) * 100}%`}" title="${`Sin clasificar hasta el ${formatDate(first ? first.desde : h.hasta)}`}"></span>`);
        for (const p of l.periodos) {
          const days = day(p.hasta) - day(p.desde) + 1;
          const cls = p.clase_abc === 'SIN_VENTAS' ? 'none' : p.clase_abc.toLowerCase();
          pieces.push(html`<span class="${`class-seg class-${cls}`}" style="${`width:${(days / span) * 100}%`}" title="${`${name(p)} del ${formatDate(p.desde)} al ${formatDate(p.hasta)}`}">${days / span >= 0.08 ? name(p) : ''}</span>`);
        }
        return pieces;
      };
      const changes = (l) => (l.periodos.length > 1 ? l.periodos.slice(1).map((p) => `${name(p)} desde ${formatDate(p.desde)}`).join(' · ') : 'Sin cambios');
      setHtml(el, html`<p class="muted small">Del ${formatDate(h.desde)} al ${formatDate(h.hasta)} · último cálculo ${formatDate(h.ultimo_calculo)}${h.xyz_activo ? ' · dos letras: clase ABC y clase XYZ' : ''}</p>
        <table class="data-table compact class-history"><thead><tr><th>Tienda</th><th>Clase en el tiempo</th><th>Cambios</th></tr></thead>
          <tbody>${lines.map((l) => html`<tr data-store="${l.ubicacion_id}"><td>${l.nombre}</td>
            <td><div class="class-strip" role="img" aria-label="${`${l.nombre}: ${l.periodos.map((p) => `${name(p)} del ${formatDate(p.desde)} al ${formatDate(p.hasta)}`).join('; ') || 'sin clase'}`}">${strip(l)}</div></td>
            <td class="small">${changes(l)}</td></tr>`)}</tbody></table>`);
    } catch (e) {
      if (!isAbort(e)) showError(el, e, () => loadClassHistory(code, el), 'No se pudo cargar el histórico de clasificación');
    }
  }

  await loadGrid();
  await loadList();
}
