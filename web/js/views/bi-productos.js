// BI product profitability (spec 40 §3.4, §3.6): *Por Producto* — the four GMROI × rotation
// quadrants (a click filters the table), the products with their family's thresholds, a
// scatter of the quadrants, the stars and the removal candidates — and *Rentabilidad* — the
// storage families' sales, gross margin, GMROI, rotation and stock, and the top products.
// GMROI and rotation are annualised (365/30); every figure is the server's.
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate } from '../format.js';
import { SERIES_COLOURS } from '../charts.js';

const QUADRANTS = [
  ['ESTRELLA', 'Estrella', 'GMROI alto, rotación alta'],
  ['NICHO', 'Nicho', 'GMROI alto, rotación baja'],
  ['VACA', 'Vaca', 'GMROI bajo, rotación alta'],
  ['PERRO', 'Perro', 'GMROI bajo, rotación baja'],
];
const QCLASS = { ESTRELLA: 'badge-optimo', NICHO: 'badge-exceso', VACA: 'badge-bajo', PERRO: 'badge-critico' };
const FAMILY = { cedi_seco: 'Seco', cedi_frio: 'Frío', cedi_verde: 'Verde' };
const familyName = (f) => FAMILY[f] || f;
const money = (v) => `$ ${formatNumber(v, 2)}`;
const gmroiClass = (g) => (g >= 2 ? 'pos' : g < 1 ? 'neg' : '');

async function storeList(ctx) {
  const locs = await apiGet('/api/ubicaciones', { signal: ctx.signal });
  return (Array.isArray(locs) ? locs : locs.ubicaciones || []).filter((l) => l.tipo !== 'cedi' && l.activo !== false);
}

// GMROI (y) × rotation (x) of each product, log-like scale capped at 3× the cuts, the cuts as lines.
function scatter(rows, cuts) {
  const W = 560; const H = 300; const pad = { l: 44, r: 12, t: 10, b: 30 };
  const seco = cuts.find((u) => u.familia === 'cedi_seco') || cuts[0];
  const xmax = Math.max(seco.corte_rotacion * 3, ...rows.map((r) => Math.min(r.rotacion_anual, seco.corte_rotacion * 3)));
  const ymax = Math.max(seco.corte_gmroi * 3, ...rows.map((r) => Math.min(r.gmroi, seco.corte_gmroi * 3)));
  const x = (v) => pad.l + (Math.min(v, xmax) / xmax) * (W - pad.l - pad.r);
  const y = (v) => pad.t + (1 - Math.min(Math.max(v, 0), ymax) / ymax) * (H - pad.t - pad.b);
  const colour = { ESTRELLA: SERIES_COLOURS[0], NICHO: SERIES_COLOURS[1], VACA: SERIES_COLOURS[2], PERRO: '#b91c1c' };
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Productos por GMROI y rotación" data-role="scatter">
    <line x1="${x(seco.corte_rotacion)}" x2="${x(seco.corte_rotacion)}" y1="${pad.t}" y2="${H - pad.b}" class="avg-line"></line>
    <line x1="${pad.l}" x2="${W - pad.r}" y1="${y(seco.corte_gmroi)}" y2="${y(seco.corte_gmroi)}" class="avg-line"></line>
    <line x1="${pad.l}" x2="${W - pad.r}" y1="${H - pad.b}" y2="${H - pad.b}" class="grid-line"></line>
    <line x1="${pad.l}" x2="${pad.l}" y1="${pad.t}" y2="${H - pad.b}" class="grid-line"></line>
    <text x="${pad.l - 6}" y="${y(seco.corte_gmroi) + 4}" text-anchor="end" class="axis">${formatNumber(seco.corte_gmroi, 1)}</text>
    <text x="${x(seco.corte_rotacion)}" y="${H - 12}" text-anchor="middle" class="axis">${formatNumber(seco.corte_rotacion, 1)}x</text>
    <text x="${W - pad.r}" y="${H - 12}" text-anchor="end" class="axis">Rotación anual →</text>
    <text x="${pad.l + 4}" y="${pad.t + 10}" class="axis">↑ GMROI</text>
    ${rows.map((r) => html`<circle cx="${x(r.rotacion_anual)}" cy="${y(r.gmroi)}" r="3.5" style="${`fill:${colour[r.cuadrante]};fill-opacity:0.7`}"><title>${r.descripcion} (${r.producto_codigo}) · GMROI ${formatNumber(r.gmroi, 2)} · rotación ${formatNumber(r.rotacion_anual, 2)}x · ${r.cuadrante}</title></circle>`)}
  </svg>
  <p class="muted small">Líneas: cortes de la familia Seco (cada familia usa los suyos para su cuadrante); valores mayores a 3× el corte se dibujan en el borde.</p>`;
}

export async function renderProducts(container, ctx, head) {
  setHtml(container, html`${head}${skeletonBlock({ cards: 4, rows: 8 })}`);
  let stores = [];
  try {
    stores = await storeList(ctx);
  } catch (e) {
    if (isAbort(e)) return;
  }
  const q = ctx.query;
  const f = { tienda: q.get('tienda') || '', familia: q.get('familia') || '', cuadrante: q.get('cuadrante') || '' };
  setHtml(container, html`${head}
    <form class="card filter-bar filters" data-role="product-filters" autocomplete="off">
      <label>Tienda <select name="tienda"><option value="">Toda la red</option>${stores.map((s) => html`<option value="${s.id}">${s.nombre}</option>`)}</select></label>
      <label>Familia <select name="familia"><option value="">Todas</option>${Object.entries(FAMILY).map(([k, l]) => html`<option value="${k}">${l}</option>`)}</select></label>
    </form>
    <div data-role="product-result"></div>`);
  const form = container.querySelector('[data-role=product-filters]');
  form.tienda.value = f.tienda; form.familia.value = f.familia;
  const out = container.querySelector('[data-role=product-result]');
  const load = async () => {
    ctx.setQuery(Object.fromEntries(Object.entries({ tab: 'productos', tienda: f.tienda, familia: f.familia, cuadrante: f.cuadrante }).filter(([, v]) => v)));
    setHtml(out, skeletonBlock({ cards: 4, rows: 8 }));
    const p = new URLSearchParams();
    if (f.tienda) p.set('ubicacion_id', f.tienda);
    const mp = new URLSearchParams(p);
    if (f.familia) mp.set('familia', f.familia);
    if (f.cuadrante) mp.set('cuadrante', f.cuadrante);
    let m; let stars; let out2;
    try {
      [m, stars, out2] = await Promise.all([
        apiGet(`/api/bi/products/matrix?${mp}`, { signal: ctx.signal }),
        apiGet(`/api/bi/products/stars?${p}`, { signal: ctx.signal }),
        apiGet(`/api/bi/products/eliminate?${p}`, { signal: ctx.signal }),
      ]);
    } catch (e) {
      if (!isAbort(e)) showError(out, e, load, 'No se pudo calcular la matriz');
      return;
    }
    const count = (c) => m.cuadrantes.find((x) => x.cuadrante === c) || { productos: 0, ventas_30d: 0 };
    const side = (title, rows, role, value) => html`<div class="card pad" data-role="${role}"><h2>${title}</h2>
      ${rows.length ? html`<table class="data-table compact"><thead><tr><th>Producto</th><th class="num">GMROI</th><th class="num">Rotación</th><th class="num">${value[0]}</th></tr></thead>
        <tbody>${rows.map((r) => html`<tr><td>${r.descripcion} <span class="muted small">${r.producto_codigo}</span></td><td class="num">${formatNumber(r.gmroi, 2)}</td><td class="num">${formatNumber(r.rotacion_anual, 1)}x</td><td class="num">${value[1](r)}</td></tr>`)}</tbody></table>`
        : emptyState('Ninguno', 'No hay productos en esta lista.')}</div>`;
    setHtml(out, html`<p class="muted" data-role="product-period">${formatDate(m.fecha_inicio)} – ${formatDate(m.fecha_fin)} (${m.dias} días) · ${f.tienda ? (stores.find((s) => s.id === f.tienda) || { nombre: f.tienda }).nombre : 'toda la red, por producto'} · datos al ${m.datos_al ? formatDate(m.datos_al) : 'sin ventas cargadas'}${m.sin_costo ? ` · ${formatInteger(m.sin_costo)} productos sin costo (no valorizados)` : ''}</p>
      <div class="kpis" data-role="quadrants">${QUADRANTS.map(([c, label, hint]) => html`<button type="button" class="${`kpi quadrant-card ${f.cuadrante === c ? 'is-selected' : ''}`}" data-quadrant="${c}" aria-pressed="${f.cuadrante === c}">
        <span class="kpi-label"><span class="${`badge ${QCLASS[c]}`}">${label}</span> ${hint}</span><strong class="kpi-value" data-count="${c}">${formatInteger(count(c).productos)}</strong><span class="kpi-hint">ventas ${money(count(c).ventas_30d)}</span></button>`)}</div>
      <div class="two-col">
        <div class="card pad"><h2>GMROI × rotación</h2>${m.productos.length ? scatter(m.productos, m.umbrales) : emptyState('Sin productos', 'No hay productos con ventas y costo en este filtro.')}</div>
        <div class="card pad"><h2>Umbrales por familia</h2>
          <table class="data-table compact"><thead><tr><th>Familia</th><th class="num">GMROI alto / bajo</th><th class="num">Corte GMROI</th><th class="num">Rotación alta / baja</th><th class="num">Corte rotación</th></tr></thead>
            <tbody>${m.umbrales.map((u) => html`<tr><td>${familyName(u.familia)}</td><td class="num">${formatNumber(u.gmroi_alto, 1)} / ${formatNumber(u.gmroi_bajo, 1)}</td><td class="num">${formatNumber(u.corte_gmroi, 2)}</td><td class="num">${formatNumber(u.rot_alta, 1)} / ${formatNumber(u.rot_baja, 1)}</td><td class="num">${formatNumber(u.corte_rotacion, 2)}</td></tr>`)}</tbody></table>
          <p class="muted small">GMROI = utilidad bruta anualizada ÷ inventario promedio al costo; rotación = costo anualizado ÷ inventario promedio. Alto = igual o mayor que el corte. Los umbrales se ajustan en [bi.umbrales] de tenant.toml.</p></div>
      </div>
      <div class="card pad scroll-x"><h2>Productos ${f.cuadrante ? html`<span class="${`badge ${QCLASS[f.cuadrante]}`}">${f.cuadrante}</span> <button type="button" class="btn btn-link" data-quadrant="">Quitar filtro</button>` : ''}</h2>
        ${m.productos.length ? html`<table class="data-table compact" data-role="product-table"><thead><tr><th>Producto</th><th>Código</th><th>Familia</th><th class="num">GMROI</th><th class="num">Rotación</th><th class="num">Ventas 30d</th><th class="num">Margen</th><th class="num">Inv. promedio</th><th>Cuadrante</th></tr></thead>
          <tbody>${m.productos.map((r) => html`<tr data-product="${r.producto_codigo}"><td>${r.descripcion}</td><td>${r.producto_codigo}</td><td>${familyName(r.familia)}</td><td class="${`num ${gmroiClass(r.gmroi)}`}">${formatNumber(r.gmroi, 2)}</td><td class="num">${formatNumber(r.rotacion_anual, 1)}x</td><td class="num">${money(r.ventas_30d)}</td><td class="num">${formatNumber(r.margen_pct, 1)} %</td><td class="num">${money(r.inv_prom)}</td><td><span class="${`badge ${QCLASS[r.cuadrante]}`}">${r.cuadrante}</span></td></tr>`)}</tbody></table>
          <p class="muted small">${formatInteger(m.productos.length)} de ${formatInteger(f.cuadrante ? count(f.cuadrante).productos : m.total_productos)} productos, por ventas.</p>`
        : emptyState('Sin productos', 'No hay productos con ventas en este filtro.')}</div>
      <div class="two-col">
        ${side('Productos estrella', stars.productos, 'stars', ['Ventas 30d', (r) => money(r.ventas_30d)])}
        ${side('Candidatos a eliminar', out2.productos, 'eliminate', ['Stock al costo', (r) => money(r.stock_valorizado)])}
      </div>`);
  };
  out.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-quadrant]');
    if (!b) return;
    f.cuadrante = f.cuadrante === b.dataset.quadrant ? '' : b.dataset.quadrant;
    load();
  });
  form.addEventListener('change', (ev) => { const n = ev.target.name; if (n in f) { f[n] = ev.target.value; load(); } });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  load();
}

const ORDERS = [['utilidad_total', 'Utilidad'], ['margen_pct', 'Margen %'], ['gmroi', 'GMROI']];

export async function renderProfitability(container, ctx, head) {
  setHtml(container, html`${head}${skeletonBlock({ cards: 4, rows: 6 })}`);
  let regions = [];
  try {
    regions = [...new Set((await storeList(ctx)).map((s) => s.region).filter(Boolean))].sort();
  } catch (e) {
    if (isAbort(e)) return;
  }
  const f = { region: ctx.query.get('region') || '', orden: ctx.query.get('orden') || 'utilidad_total' };
  setHtml(container, html`${head}
    <form class="card filter-bar filters" data-role="profit-filters" autocomplete="off">
      <label>Región <select name="region"><option value="">Todas</option>${regions.map((r) => html`<option value="${r}">${r}</option>`)}</select></label>
      <label>Top productos por <select name="orden">${ORDERS.map(([k, l]) => html`<option value="${k}">${l}</option>`)}</select></label>
    </form>
    <div data-role="profit-result"></div>`);
  const form = container.querySelector('[data-role=profit-filters]');
  form.region.value = f.region; form.orden.value = f.orden;
  const out = container.querySelector('[data-role=profit-result]');
  const load = async () => {
    ctx.setQuery(Object.fromEntries(Object.entries({ tab: 'rentabilidad', region: f.region, orden: f.orden === 'utilidad_total' ? '' : f.orden }).filter(([, v]) => v)));
    setHtml(out, skeletonBlock({ cards: 4, rows: 6 }));
    const p = new URLSearchParams();
    if (f.region) p.set('region', f.region);
    let r; let top;
    try {
      [r, top] = await Promise.all([
        apiGet(`/api/bi/profitability/by-category?${p}`, { signal: ctx.signal }),
        apiGet(`/api/bi/profitability/top-products?${p}&orden=${f.orden}&limite=20`, { signal: ctx.signal }),
      ]);
    } catch (e) {
      if (!isAbort(e)) showError(out, e, load, 'No se pudo calcular la rentabilidad');
      return;
    }
    const s = r.resumen;
    setHtml(out, html`<p class="muted" data-role="profit-period">${formatDate(r.fecha_inicio)} – ${formatDate(r.fecha_fin)} (${r.dias} días) · ${r.region || 'toda la red'} · datos al ${r.datos_al ? formatDate(r.datos_al) : 'sin ventas cargadas'}</p>
      <div class="kpis">
        <div class="kpi"><span class="kpi-label">Ventas 30 días</span><strong class="kpi-value" data-kpi="profit-ventas">${money(s.ventas_30d)}</strong></div>
        <div class="kpi"><span class="kpi-label">Margen bruto</span><strong class="kpi-value">${money(s.margen_bruto_30d)}</strong><span class="kpi-hint">${formatNumber(s.margen_pct, 2)} % de las ventas</span></div>
        <div class="kpi"><span class="kpi-label">GMROI total</span><strong class="kpi-value">${formatNumber(s.gmroi, 2)}</strong><span class="kpi-hint">rotación ${formatNumber(s.rotacion_anual, 1)}x al año</span></div>
        <div class="kpi"><span class="kpi-label">Stock valorizado</span><strong class="kpi-value">${money(s.stock_valorizado)}</strong><span class="kpi-hint">al costo, hoy</span></div>
      </div>
      <div class="card pad scroll-x"><h2>Por familia de almacenamiento</h2>
        ${r.familias.length ? html`<table class="data-table compact" data-role="family-table"><thead><tr><th>Familia</th><th class="num">Ventas 30d</th><th class="num">Margen bruto</th><th class="num">Margen</th><th class="num">GMROI</th><th class="num">Rotación</th><th class="num">Stock valorizado</th><th class="num">Productos vendidos</th><th class="num">SKUs con stock</th></tr></thead>
          <tbody>${r.familias.map((x) => html`<tr data-family="${x.familia}"><td>${familyName(x.familia)}</td><td class="num">${money(x.ventas_30d)}</td><td class="num">${money(x.margen_bruto_30d)}</td><td class="num">${formatNumber(x.margen_pct, 2)} %</td><td class="${`num ${gmroiClass(x.gmroi)}`}">${formatNumber(x.gmroi, 2)}</td><td class="num">${formatNumber(x.rotacion_anual, 1)}x</td><td class="num">${money(x.stock_valorizado)}</td><td class="num">${formatInteger(x.productos_vendidos)}</td><td class="num">${formatInteger(x.skus_con_stock)}</td></tr>`)}</tbody></table>`
        : emptyState('Sin datos', 'No hay ventas ni stock en este alcance.')}</div>
      <div class="card pad scroll-x"><h2>Top productos por ${ORDERS.find(([k]) => k === f.orden)[1].toLowerCase()}</h2>
        ${top.productos.length ? html`<table class="data-table compact" data-role="top-table"><thead><tr><th class="num">#</th><th>Producto</th><th>Familia</th><th class="num">Ventas 30d</th><th class="num">Margen bruto</th><th class="num">Margen</th><th class="num">GMROI</th><th class="num">Rotación</th></tr></thead>
          <tbody>${top.productos.map((x, i) => html`<tr data-product="${x.producto_codigo}"><td class="num">${i + 1}</td><td>${x.descripcion} <span class="muted small">${x.producto_codigo}</span></td><td>${familyName(x.familia)}</td><td class="num">${money(x.ventas_30d)}</td><td class="num">${money(x.margen_bruto_30d)}</td><td class="num">${formatNumber(x.margen_pct, 1)} %</td><td class="${`num ${gmroiClass(x.gmroi)}`}">${formatNumber(x.gmroi, 2)}</td><td class="num">${formatNumber(x.rotacion_anual, 1)}x</td></tr>`)}</tbody></table>`
        : emptyState('Sin productos', 'No hay productos vendidos en este alcance.')}</div>`);
  };
  form.addEventListener('change', (ev) => { const n = ev.target.name; if (n in f) { f[n] = ev.target.value; load(); } });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  load();
}
