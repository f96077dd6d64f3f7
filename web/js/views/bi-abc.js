// BI by ABC class and products between stores (spec 40 §3.5, §3.9): *Análisis ABC* — the
// sales of the 30 days ending yesterday by each product's ABC class at its store (no class →
// D), for the network, one region or one store: class cards, shares of sales and of products,
// the detail table and each class's categories — and *Productos entre tiendas* — for 2 to 5
// stores, the products only one of them sells, those all sell (by the spread of their sales)
// and those some sell. Every figure is the server's.
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate } from '../format.js';
import { donutChart, SERIES_COLOURS } from '../charts.js';

const CLASSES = [
  ['A', 'Los más vendidos de cada tienda'],
  ['B', 'Venta media'],
  ['C', 'Venta baja'],
  ['D', 'Venta mínima o sin clase calculada'],
];
const money = (v) => `$ ${formatNumber(v, 2)}`;
const count = (n, one, many) => `${formatInteger(n)} ${n === 1 ? one : many}`;
const pct = (v) => `${formatNumber(v, 1)} %`;
const swatch = (k) => html`<span class="swatch" style="${`background:${SERIES_COLOURS[k % SERIES_COLOURS.length]}`}"></span>`;
const PRODUCTS_TIP = 'Un producto cuenta en la clase que tiene en cada tienda. En la red o en una región, un mismo producto puede ser A en una tienda y C en otra: cuenta en ambas clases, por eso la suma de % productos puede pasar de 100 %. Las ventas nunca se cuentan dos veces.';
const TICKETS_TIP = 'Tickets (facturas) con al menos una línea de la clase. Un ticket con productos de varias clases cuenta en cada una, por eso la suma de las clases supera el total.';

async function activeStores(ctx) {
  const locs = await apiGet('/api/ubicaciones', { signal: ctx.signal });
  return (Array.isArray(locs) ? locs : locs.ubicaciones || []).filter((l) => l.tipo !== 'cedi' && l.activo !== false);
}

const info = (tip, role) => html`<span class="info-tip" tabindex="0" role="note" title="${tip}" aria-label="${tip}" data-role="${role}">?</span>`;

export async function renderAbc(container, ctx, head) {
  setHtml(container, html`${head}${skeletonBlock({ cards: 4, rows: 6 })}`);
  let stores = [];
  try {
    stores = await activeStores(ctx);
  } catch (e) {
    if (isAbort(e)) return;
  }
  const regions = [...new Set(stores.map((s) => s.region).filter(Boolean))].sort();
  const f = { region: ctx.query.get('region') || '', tienda: ctx.query.get('tienda') || '' };
  if (f.tienda) f.region = '';
  setHtml(container, html`${head}
    <form class="card filter-bar filters" data-role="abc-filters" autocomplete="off">
      <label>Región <select name="region"><option value="">Todas</option>${regions.map((r) => html`<option value="${r}">${r}</option>`)}</select></label>
      <label>Tienda <select name="tienda"><option value="">Todas las tiendas</option>${stores.map((s) => html`<option value="${s.id}">${s.nombre}</option>`)}</select></label>
      <span class="muted small">Elija una región o una tienda.</span>
    </form>
    <div data-role="abc-result"></div>`);
  const form = container.querySelector('[data-role=abc-filters]');
  form.region.value = f.region; form.tienda.value = f.tienda;
  const out = container.querySelector('[data-role=abc-result]');
  const load = async () => {
    ctx.setQuery(Object.fromEntries(Object.entries({ tab: 'abc', region: f.region, tienda: f.tienda }).filter(([, v]) => v)));
    setHtml(out, skeletonBlock({ cards: 4, rows: 6 }));
    const p = new URLSearchParams();
    if (f.region) p.set('region', f.region);
    if (f.tienda) p.set('ubicacion_id', f.tienda);
    let a;
    try {
      a = await apiGet(`/api/bi/products/abc-consolidated?${p}`, { signal: ctx.signal });
    } catch (e) {
      if (!isAbort(e)) showError(out, e, load, 'No se pudo calcular el análisis ABC');
      return;
    }
    const scope = f.tienda ? (stores.find((s) => s.id === f.tienda) || { nombre: f.tienda }).nombre : f.region ? `región ${f.region}` : 'toda la red';
    const period = html`<p class="muted" data-role="abc-period">${formatDate(a.fecha_inicio)} – ${formatDate(a.fecha_fin)} (${a.dias} días) · ${scope} (${formatInteger(a.tiendas)} ${a.tiendas === 1 ? 'tienda' : 'tiendas'}) · datos al ${a.datos_al ? formatDate(a.datos_al) : 'sin ventas cargadas'}</p>`;
    if (!a.totales.productos) {
      setHtml(out, html`${period}${emptyState('Sin ventas en el período', 'No hay ventas en los últimos 30 días de este filtro.')}`);
      return;
    }
    const t = a.totales;
    const sumPct = a.clases.reduce((s, c) => s + c.pct_productos, 0);
    const byClass = (k) => a.categorias.filter((c) => c.clase === k);
    setHtml(out, html`${period}
      <div class="kpis" data-role="abc-cards">${a.clases.map((c, k) => html`<div class="kpi" data-class="${c.clase}">
        <span class="kpi-label">${swatch(k)}Clase ${c.clase} <span class="muted small">· ${CLASSES[k][1]}</span></span>
        <strong class="kpi-value" data-kpi="ventas-${c.clase}">${money(c.ventas)}</strong>
        <span class="kpi-hint">${pct(c.pct_ventas)} de las ventas · ${count(c.productos, 'producto', 'productos')} (${pct(c.pct_productos)}) · margen ${pct(c.margen_pct)}</span></div>`)}</div>
      <div class="two-col">
        <div class="card pad" data-role="abc-pie-ventas"><h2>% de las ventas</h2>
          <div class="health-donut">${donutChart({ slices: a.clases.map((c) => ({ label: c.clase, value: c.ventas, tip: `Clase ${c.clase}: ${money(c.ventas)} (${pct(c.pct_ventas)})` })), aria: 'Porcentaje de las ventas por clase' })}
            <ul class="legend-list">${a.clases.map((c, k) => html`<li>${swatch(k)}Clase ${c.clase}: <strong>${pct(c.pct_ventas)}</strong></li>`)}</ul></div></div>
        <div class="card pad" data-role="abc-pie-productos"><h2>% de los productos ${info(PRODUCTS_TIP, 'abc-tip')}</h2>
          <div class="health-donut">${donutChart({ slices: a.clases.map((c) => ({ label: c.clase, value: c.productos, tip: `Clase ${c.clase}: ${formatInteger(c.productos)} productos (${pct(c.pct_productos)})` })), aria: 'Porcentaje de los productos por clase' })}
            <ul class="legend-list">${a.clases.map((c, k) => html`<li>${swatch(k)}Clase ${c.clase}: <strong>${pct(c.pct_productos)}</strong> <span class="muted small">(${formatInteger(c.productos)})</span></li>`)}</ul></div>
          ${sumPct > 100.05 ? html`<p class="muted small" data-role="abc-over-100">Suman ${pct(sumPct)}: ${formatInteger(t.productos)} productos distintos, algunos con clases diferentes según la tienda.</p>` : ''}</div>
      </div>
      <div class="card pad scroll-x bi-block"><h2>Detalle por clase</h2>
        <table class="data-table compact" data-role="abc-table"><thead><tr><th scope="col">Clase</th><th scope="col" class="num">Productos</th><th scope="col" class="num">% productos ${info(PRODUCTS_TIP, 'abc-tip-table')}</th><th scope="col" class="num">Ventas</th><th scope="col" class="num">% ventas</th><th scope="col" class="num">Utilidad</th><th scope="col" class="num">Margen</th><th scope="col" class="num">Unidades</th><th scope="col" class="num">Tickets ${info(TICKETS_TIP, 'abc-tip-tickets')}</th><th scope="col" class="num">Ventas por producto</th><th scope="col" class="num">Unidades por producto</th></tr></thead>
          <tbody>${a.clases.map((c, k) => html`<tr data-class="${c.clase}"><th scope="row">${swatch(k)}${c.clase}</th><td class="num">${formatInteger(c.productos)}</td><td class="num">${pct(c.pct_productos)}</td><td class="num">${money(c.ventas)}</td><td class="num">${pct(c.pct_ventas)}</td><td class="num">${money(c.utilidad)}</td><td class="num">${pct(c.margen_pct)}</td><td class="num">${formatNumber(c.unidades, 0)}</td><td class="num">${formatInteger(c.tickets)}</td><td class="num">${money(c.ventas_por_producto)}</td><td class="num">${formatNumber(c.unidades_por_producto, 1)}</td></tr>`)}</tbody>
          <tfoot><tr data-role="abc-total"><th scope="row">Total</th><td class="num">${formatInteger(t.productos)}</td><td class="num">—</td><td class="num">${money(t.ventas)}</td><td class="num">100 %</td><td class="num">${money(t.utilidad)}</td><td class="num">${pct(t.margen_pct)}</td><td class="num">${formatNumber(t.unidades, 0)}</td><td class="num">${formatInteger(t.tickets)}</td><td class="num">—</td><td class="num">—</td></tr></tfoot></table>
        <p class="muted small">Clase ABC vigente de cada producto en su tienda (sin clase calculada → D). Margen = utilidad ÷ ventas. Total de productos: distintos en el filtro.</p></div>
      <h2 class="section-title">Categorías por clase</h2>
      <div class="abc-categories" data-role="abc-categories">${a.clases.map((c, k) => {
        const rows = byClass(c.clase);
        return html`<div class="card pad" data-class-categories="${c.clase}"><h3>${swatch(k)}Clase ${c.clase} <span class="muted small">${count(rows.length, 'categoría', 'categorías')}</span></h3>
          ${rows.length ? html`<table class="data-table compact"><thead><tr><th scope="col">Categoría</th><th scope="col" class="num">Ventas</th><th scope="col" class="num">% de la clase</th><th scope="col" class="num">Productos</th><th scope="col" class="num">Margen</th></tr></thead>
            <tbody>${rows.slice(0, 8).map((r) => html`<tr><td>${r.categoria}</td><td class="num">${money(r.ventas)}</td><td class="num">${pct(r.pct_ventas_clase)}</td><td class="num">${formatInteger(r.productos)}</td><td class="num">${pct(r.margen_pct)}</td></tr>`)}</tbody></table>
            ${rows.length > 8 ? html`<p class="muted small">Las 8 de más ventas de ${formatInteger(rows.length)}.</p>` : ''}`
            : html`<p class="muted small">Sin ventas categorizadas en esta clase.</p>`}</div>`;
      })}</div>`);
  };
  form.addEventListener('change', (ev) => {
    const n = ev.target.name;
    if (n === 'region') { f.region = ev.target.value; if (f.region) { f.tienda = ''; form.tienda.value = ''; } load(); }
    if (n === 'tienda') { f.tienda = ev.target.value; if (f.tienda) { f.region = ''; form.region.value = ''; } load(); }
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  load();
}

const MAX_PICK = 5;

export async function renderProductCompare(container, ctx, head) {
  setHtml(container, html`${head}${skeletonBlock({ rows: 6 })}`);
  let stores;
  try {
    stores = await activeStores(ctx);
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => renderProductCompare(container, ctx, head));
    return;
  }
  if (stores.length < 2) { setHtml(container, html`${head}${emptyState('Se necesitan al menos dos tiendas', 'Declare tiendas activas en tenant.toml para compararlas.')}`); return; }
  const asked = (ctx.query.get('tiendas') || '').split(',').filter((id) => stores.some((s) => s.id === id));
  const f = { picked: asked.length >= 2 ? asked.slice(0, MAX_PICK) : stores.slice(0, Math.min(2, stores.length)).map((s) => s.id) };
  setHtml(container, html`${head}
    <form class="card filter-bar filters" data-role="pc-filters" autocomplete="off">
      <fieldset class="store-picks" aria-label="Tiendas a comparar"><legend class="muted small">Tiendas (de 2 a ${MAX_PICK})</legend>
        ${stores.map((s) => html`<label><input type="checkbox" name="tienda" value="${s.id}"> ${s.nombre}</label>`)}</fieldset>
    </form>
    <p class="muted small" data-role="pc-note" aria-live="polite"></p>
    <div data-role="pc-result"></div>`);
  const form = container.querySelector('[data-role=pc-filters]');
  const note = container.querySelector('[data-role=pc-note]');
  const out = container.querySelector('[data-role=pc-result]');
  const name = (id) => (stores.find((s) => s.id === id) || { nombre: id }).nombre;
  const load = async () => {
    for (const b of form.querySelectorAll('input[name=tienda]')) {
      b.checked = f.picked.includes(b.value);
      b.disabled = !b.checked && f.picked.length >= MAX_PICK;
    }
    ctx.setQuery({ tab: 'productos-tiendas', tiendas: f.picked.join(',') });
    if (f.picked.length < 2) { note.textContent = 'Elija al menos dos tiendas.'; setHtml(out, ''); return; }
    note.textContent = f.picked.length >= MAX_PICK ? `Máximo ${MAX_PICK} tiendas a la vez.` : '';
    setHtml(out, skeletonBlock({ rows: 6 }));
    let c;
    try {
      c = await apiGet(`/api/bi/stores/compare?${new URLSearchParams({ ubicacion_ids: f.picked.join(',') })}`, { signal: ctx.signal });
    } catch (e) {
      if (!isAbort(e)) showError(out, e, load, 'No se pudo comparar los productos');
      return;
    }
    const tot = c.totales;
    const product = (r) => html`<td>${r.descripcion || r.producto_codigo} <span class="muted small">${r.producto_codigo}</span></td>`;
    setHtml(out, html`<p class="muted" data-role="pc-period">Ventas de ${formatDate(c.fecha_inicio)} – ${formatDate(c.fecha_fin)} (${c.dias} días) · datos al ${c.datos_al ? formatDate(c.datos_al) : 'sin ventas cargadas'}</p>
      <div class="kpis">
        <div class="kpi"><span class="kpi-label">Únicos</span><strong class="kpi-value" data-kpi="unicos">${formatInteger(tot.unicos)}</strong><span class="kpi-hint">se venden en una sola de las tiendas</span></div>
        <div class="kpi"><span class="kpi-label">Comunes</span><strong class="kpi-value" data-kpi="comunes">${formatInteger(tot.comunes)}</strong><span class="kpi-hint">se venden en todas</span></div>
        <div class="kpi"><span class="kpi-label">Parciales</span><strong class="kpi-value" data-kpi="parciales">${formatInteger(tot.parciales)}</strong><span class="kpi-hint">${c.tiendas.length === 2 ? 'con dos tiendas no hay parciales' : 'en algunas, no en todas'}</span></div>
        <div class="kpi"><span class="kpi-label">Tiendas</span><strong class="kpi-value">${formatInteger(c.tiendas.length)}</strong><span class="kpi-hint">${c.tiendas.map((s) => `${s.nombre}: ${count(s.productos_vendidos, 'producto', 'productos')}`).join(' · ')}</span></div>
      </div>
      <div class="card pad scroll-x bi-block" data-role="pc-unicos"><h2>Productos únicos <span class="muted small">${formatInteger(c.unicos.length)} de ${formatInteger(tot.unicos)}, por ventas</span></h2>
        ${c.unicos.length ? html`<table class="data-table compact"><thead><tr><th scope="col">Producto</th><th scope="col">Categoría</th><th scope="col">Solo en</th><th scope="col" class="num">Ventas 30 días</th><th scope="col" class="num">Unidades</th></tr></thead>
          <tbody>${c.unicos.map((r) => html`<tr data-product="${r.producto_codigo}">${product(r)}<td>${r.categoria || '—'}</td><td>${r.tienda}</td><td class="num">${money(r.ventas_30d)}</td><td class="num">${formatNumber(r.unidades_30d, 0)}</td></tr>`)}</tbody></table>`
          : emptyState('Ninguno', 'Todo lo que se vende en una de estas tiendas se vende también en otra.')}</div>
      <div class="card pad scroll-x bi-block" data-role="pc-comunes"><h2>Productos comunes <span class="muted small">${formatInteger(c.comunes.length)} de ${formatInteger(tot.comunes)}, por diferencia entre tiendas</span></h2>
        ${c.comunes.length ? html`<table class="data-table compact"><thead><tr><th scope="col">Producto</th>${c.tiendas.map((s) => html`<th scope="col" class="num">${s.nombre}</th>`)}<th scope="col" class="num" title="(mayor − menor) ÷ menor × 100">Diferencia</th></tr></thead>
          <tbody>${c.comunes.map((r) => html`<tr data-product="${r.producto_codigo}">${product(r)}${r.ventas.map((v) => html`<td class="${`num ${v.ubicacion_id === r.tienda_max ? 'cell-best' : v.ubicacion_id === r.tienda_min ? 'cell-min' : ''}`}">${money(v.ventas_30d)}</td>`)}<td class="num">${pct(r.diferencia_pct)}</td></tr>`)}</tbody></table>
          <p class="muted small">Diferencia = (ventas de la tienda que más vende − la que menos) ÷ la que menos × 100. Verde: la que más vende; gris: la que menos.</p>`
          : emptyState('Ninguno', 'No hay productos vendidos en todas las tiendas elegidas.')}</div>
      <div class="card pad scroll-x bi-block" data-role="pc-parciales"><h2>Productos parciales <span class="muted small">${formatInteger(c.parciales.length)} de ${formatInteger(tot.parciales)}, por venta promedio</span></h2>
        ${c.parciales.length ? html`<table class="data-table compact"><thead><tr><th scope="col">Producto</th><th scope="col" class="num">Venta promedio</th><th scope="col">Se vende en</th><th scope="col">No se vende en</th></tr></thead>
          <tbody>${c.parciales.map((r) => html`<tr data-product="${r.producto_codigo}">${product(r)}<td class="num">${money(r.ventas_promedio)}</td><td>${r.tiendas_con.map(name).join(', ')}</td><td>${r.tiendas_sin.map(name).join(', ')}</td></tr>`)}</tbody></table>
          <p class="muted small">Venta promedio de los 30 días en las tiendas donde se vende.</p>`
          : emptyState('Ninguno', c.tiendas.length === 2 ? 'Con dos tiendas cada producto es único o común; elija una tercera tienda.' : 'Cada producto se vende en una sola tienda o en todas.')}</div>`);
  };
  form.addEventListener('change', (ev) => {
    const el = ev.target;
    if (el.name !== 'tienda') return;
    f.picked = el.checked ? [...f.picked, el.value].slice(0, MAX_PICK) : f.picked.filter((id) => id !== el.value);
    load();
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  load();
}
