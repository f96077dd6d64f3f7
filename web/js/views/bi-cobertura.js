// BI *Cobertura y distribución* (spec 40 §3.7): per region, the share of its active stores that
// hold each product in depth (> 20 units), the CEDI stock trapped while the region's stores run
// dry (days of stock with a traffic light), the stores missing what sells in their neighbours
// (opportunity and priority) and each store's catalogue against the region's mean. CEDI stock
// never counts as store coverage. Every figure is the server's.
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate, formatDateTime } from '../format.js';

const money = (v) => `$ ${formatNumber(v, 2)}`;
const LIGHT = { verde: ['badge-optimo', 'Verde'], ambar: ['badge-bajo', 'Ámbar'], rojo: ['badge-critico', 'Rojo'] };
const PRIORITY = { ALTA: 'badge-critico', MEDIA: 'badge-bajo', BAJA: 'badge-tienda' };

function bar(pct) {
  const cls = pct > 80 ? 'cov-alta' : pct >= 50 ? 'cov-media' : 'cov-baja';
  return html`<span class="cov-track" role="img" aria-label="${`Cobertura ${formatNumber(pct, 1)} %`}"><span class="${`cov-fill ${cls}`}" style="${`width:${Math.min(100, Math.max(0, pct)).toFixed(1)}%`}"></span></span>`;
}

async function regionList(ctx) {
  const locs = await apiGet('/api/ubicaciones', { signal: ctx.signal });
  const list = Array.isArray(locs) ? locs : locs.ubicaciones || [];
  return [...new Set(list.filter((l) => l.tipo !== 'cedi' && l.activo !== false).map((l) => l.region).filter(Boolean))].sort();
}

export async function renderCoverage(container, ctx, head) {
  setHtml(container, html`${head}${skeletonBlock({ cards: 5, rows: 8 })}`);
  let regions = [];
  try {
    regions = await regionList(ctx);
  } catch (e) {
    if (isAbort(e)) return;
  }
  const q = ctx.query;
  const f = { region: q.get('region') || '', umbral: q.get('umbral') || '20' };
  setHtml(container, html`${head}
    <form class="card filter-bar filters" data-role="coverage-filters" autocomplete="off">
      <label>Región <select name="region"><option value="">Todas</option>${regions.map((r) => html`<option value="${r}">${r}</option>`)}</select></label>
      <label>Stock atrapado si las tiendas tienen menos de <input type="number" name="umbral" min="1" step="1" value="${f.umbral}" style="width:6rem"> unidades</label>
    </form>
    <div data-role="coverage-result"></div>`);
  const form = container.querySelector('[data-role=coverage-filters]');
  form.region.value = f.region;
  const out = container.querySelector('[data-role=coverage-result]');
  const load = async () => {
    ctx.setQuery(Object.fromEntries(Object.entries({ tab: 'cobertura', region: f.region, umbral: f.umbral === '20' ? '' : f.umbral }).filter(([, v]) => v)));
    setHtml(out, skeletonBlock({ cards: 5, rows: 8 }));
    const p = new URLSearchParams();
    if (f.region) p.set('region', f.region);
    const pu = new URLSearchParams(p); pu.set('umbral', f.umbral);
    let s; let low; let trapped; let gaps;
    try {
      [s, low, trapped, gaps] = await Promise.all([
        apiGet(`/api/bi/coverage/summary?${pu}`, { signal: ctx.signal }),
        apiGet(`/api/bi/coverage/low-coverage-products?${p}&limite=50`, { signal: ctx.signal }),
        apiGet(`/api/bi/coverage/trapped-in-cedi?${pu}&limite=50`, { signal: ctx.signal }),
        apiGet(`/api/bi/coverage/store-gaps?${p}&limite=100`, { signal: ctx.signal }),
      ]);
    } catch (e) {
      if (!isAbort(e)) showError(out, e, load, 'No se pudo calcular la cobertura');
      return;
    }
    const more = (shown, total, what) => (total > shown ? html`<p class="muted small">Se muestran ${formatInteger(shown)} de ${formatInteger(total)} ${what}.</p>` : '');
    setHtml(out, html`<p class="muted" data-role="coverage-period">Ventas de ${formatDate(s.fecha_inicio)} – ${formatDate(s.fecha_fin)} (${s.dias} días) · stock actual${s.stock_al ? ` al ${formatDateTime(s.stock_al)}` : ''} · ${s.region === 'Todas' ? 'todas las regiones (cada producto cuenta una vez por región)' : `región ${s.region}`} · datos al ${s.datos_al ? formatDate(s.datos_al) : 'sin ventas cargadas'}</p>
      <div class="kpis kpis-5" data-role="coverage-kpis">
        <div class="kpi"><span class="kpi-label">Productos analizados</span><strong class="kpi-value" data-kpi="skus">${formatInteger(s.total_skus)}</strong><span class="kpi-hint">${formatInteger(s.tiendas)} tiendas activas</span></div>
        <div class="kpi"><span class="kpi-label">Cobertura promedio</span><strong class="kpi-value" data-kpi="cobertura">${formatNumber(s.cobertura_promedio, 1)} %</strong><span class="kpi-hint">tiendas con más de ${formatInteger(s.umbral_cobertura)} unidades</span></div>
        <div class="kpi"><span class="kpi-label">Alta · media · baja</span><strong class="kpi-value" data-kpi="bandas"><span class="pos">${formatInteger(s.alta)}</span> · ${formatInteger(s.media)} · <span class="neg">${formatInteger(s.baja)}</span></strong><span class="kpi-hint">&gt; 80 % · 50–80 % · &lt; 50 %</span></div>
        <div class="kpi"><span class="kpi-label">Stock atrapado en CEDI</span><strong class="kpi-value" data-kpi="atrapado">${money(s.stock_atrapado_cedi)}</strong><span class="kpi-hint">${formatInteger(s.productos_atrapados)} productos, al costo</span></div>
        <div class="kpi"><span class="kpi-label">Oportunidad estimada</span><strong class="kpi-value" data-kpi="oportunidad">${money(s.oportunidad_estimada)}</strong><span class="kpi-hint">margen al mes en ${formatInteger(s.huecos)} huecos de tienda</span></div>
      </div>
      ${s.regiones.length > 1 ? html`<div class="card pad scroll-x"><h2>Por región</h2><table class="data-table compact" data-role="coverage-regions"><thead><tr><th>Región</th><th class="num">Tiendas</th><th class="num">Productos</th><th class="num">Cobertura promedio</th><th class="num">Alta</th><th class="num">Media</th><th class="num">Baja</th><th class="num">Atrapado en CEDI</th><th class="num">Oportunidad</th></tr></thead>
        <tbody>${s.regiones.map((r) => html`<tr><td>${r.region}</td><td class="num">${formatInteger(r.tiendas)}</td><td class="num">${formatInteger(r.total_skus)}</td><td class="num">${formatNumber(r.cobertura_promedio, 1)} %</td><td class="num">${formatInteger(r.alta)}</td><td class="num">${formatInteger(r.media)}</td><td class="num">${formatInteger(r.baja)}</td><td class="num">${money(r.stock_atrapado_cedi)}</td><td class="num">${money(r.oportunidad_estimada)}</td></tr>`)}</tbody></table></div>` : ''}
      <div class="card pad scroll-x"><h2>Baja cobertura</h2>
        ${low.productos.length ? html`<table class="data-table compact" data-role="low-table"><thead><tr><th>Producto</th>${s.region === 'Todas' ? html`<th>Región</th>` : ''}<th>Cobertura</th><th class="num">Tiendas</th><th class="num">Con stock</th><th class="num">Venta mensual por tienda</th><th class="num">Stock CEDI</th><th class="num">Oportunidad</th></tr></thead>
          <tbody>${low.productos.map((r) => html`<tr data-product="${r.producto_codigo}"><td>${r.descripcion} <span class="muted small">${r.producto_codigo}</span></td>${s.region === 'Todas' ? html`<td>${r.region}</td>` : ''}<td>${bar(r.cobertura_pct)} ${formatNumber(r.cobertura_pct, 1)} %</td><td class="num">${r.tiendas_cubiertas} de ${r.tiendas_region}</td><td class="num">${r.tiendas_con_stock} (${formatNumber(r.cobertura_parcial_pct, 1)} %)</td><td class="num">${money(r.venta_mensual_por_tienda)}</td><td class="num">${formatNumber(r.stock_cedi, 0)}</td><td class="num">${money(r.oportunidad)}</td></tr>`)}</tbody></table>
          ${more(low.productos.length, low.total, 'productos, de menor a mayor cobertura')}`
        : emptyState('Sin productos de baja cobertura', 'Ningún producto está cubierto en menos de la mitad de las tiendas (y en alguna).')}
        <p class="muted small">Cobertura: tiendas activas de la región con más de ${formatInteger(s.umbral_cobertura)} unidades ÷ tiendas activas de la región. El stock del CEDI no cuenta como cobertura.</p></div>
      <div class="card pad scroll-x"><h2>Stock atrapado en CEDI <span class="muted small">(tiendas de la región con menos de ${formatNumber(trapped.umbral, 0)} unidades en total)</span></h2>
        ${trapped.productos.length ? html`<table class="data-table compact" data-role="trapped-table"><thead><tr><th>CEDI</th><th>Producto</th><th class="num">Stock CEDI</th><th class="num">Valor al costo</th><th class="num">Stock tiendas</th><th class="num">Tiendas &gt; ${formatInteger(s.umbral_cobertura)} u.</th><th class="num">Ventas región 30d</th><th class="num">Días de stock</th></tr></thead>
          <tbody>${trapped.productos.map((r) => html`<tr data-product="${r.producto_codigo}"><td>${r.cedi_nombre}</td><td>${r.descripcion} <span class="muted small">${r.producto_codigo}</span></td><td class="num">${formatNumber(r.stock_cedi, 0)}</td><td class="num">${r.valor_cedi == null ? html`<span class="muted">sin costo</span>` : money(r.valor_cedi)}</td><td class="num">${formatNumber(r.stock_tiendas_region, 0)}</td><td class="num">${formatInteger(r.tiendas_con_stock_suficiente)}</td><td class="num">${money(r.ventas_region_30d)}</td><td class="num"><span class="${`badge ${LIGHT[r.semaforo][0]}`}" title="${LIGHT[r.semaforo][1]}">${r.dias_stock >= 999 ? 'sin ventas' : formatNumber(r.dias_stock, 1)}</span></td></tr>`)}</tbody></table>
          <p class="muted small">Total atrapado: <strong>${money(trapped.valor_total)}</strong>${trapped.sin_costo ? ` (${formatInteger(trapped.sin_costo)} productos sin costo no valorizados)` : ''}. Días de stock = unidades del CEDI ÷ unidades vendidas por día en la región (30 días): verde &lt; 30, ámbar 30–90, rojo &gt; 90.</p>
          ${more(trapped.productos.length, trapped.total, 'productos, por valor')}`
        : emptyState('Nada atrapado', 'Ningún CEDI tiene stock de productos que falten en las tiendas de su región.')}</div>
      <div class="card pad scroll-x"><h2>Oportunidades por tienda</h2>
        ${gaps.oportunidades.length ? html`<table class="data-table compact" data-role="gaps-table"><thead><tr><th>Tienda</th><th>Producto</th><th class="num">Se vende en</th><th class="num">Venta mensual donde se vende</th><th class="num">Margen</th><th class="num">Oportunidad / mes</th><th>Clase</th><th class="num">GMROI red</th><th>Prioridad</th></tr></thead>
          <tbody>${gaps.oportunidades.map((r) => html`<tr data-gap="${`${r.ubicacion_id}:${r.producto_codigo}`}"><td>${r.tienda}</td><td>${r.descripcion} <span class="muted small">${r.producto_codigo}</span></td><td class="num">${formatInteger(r.tiendas_con_venta)} tiendas</td><td class="num">${money(r.venta_otras)}</td><td class="num">${formatNumber(r.margen_pct, 1)} %</td><td class="num">${money(r.oportunidad)}</td><td>${r.clase_predominante || '—'}</td><td class="num" title="${`Corte de su familia: ${formatNumber(r.corte_gmroi, 2)}`}">${formatNumber(r.gmroi_red, 2)}</td><td><span class="${`badge ${PRIORITY[r.prioridad]}`}">${r.prioridad}</span></td></tr>`)}</tbody></table>
          <p class="muted small">Oportunidad = venta mensual promedio donde se vende × 0,5 × margen. Prioridad ALTA: clase A predominante en la región y GMROI de la red ≥ corte de su familia; MEDIA: clase B, o A bajo el corte; BAJA: el resto.</p>
          ${more(gaps.oportunidades.length, gaps.total, 'huecos, por prioridad y oportunidad')}`
        : emptyState('Sin huecos', 'Cada tienda tiene o vende lo que se vende en su región.')}</div>
      <div class="card pad scroll-x"><h2>Catálogo por tienda</h2>
        <table class="data-table compact" data-role="catalogue-table"><thead><tr><th>Tienda</th><th>Región</th><th class="num">SKUs activos</th><th class="num">Con stock</th><th class="num">Promedio región</th><th class="num">Brecha</th><th class="num">Huecos</th><th class="num">Oportunidad</th></tr></thead>
          <tbody>${gaps.catalogo.map((c) => html`<tr data-store="${c.ubicacion_id}"><td>${c.nombre}</td><td>${c.region}</td><td class="num">${formatInteger(c.skus_activos)}</td><td class="num">${formatInteger(c.skus_con_stock)}</td><td class="num">${formatNumber(c.promedio_region, 1)}</td><td class="${`num ${c.gap_skus > 0 ? 'neg' : ''}`}">${c.gap_skus > 0 ? '−' : '+'}${formatNumber(Math.abs(c.gap_skus), 1)}</td><td class="num">${formatInteger(c.huecos)}</td><td class="num">${money(c.oportunidad)}</td></tr>`)}</tbody></table>
        <p class="muted small">SKUs activos: con stock o vendidos en los últimos 30 días. Brecha: cuántos SKUs le faltan (−) o le sobran (+) frente al promedio de las tiendas de su región.</p></div>`);
  };
  form.addEventListener('change', (ev) => {
    const n = ev.target.name;
    if (n === 'region') { f.region = ev.target.value; load(); }
    if (n === 'umbral') { const v = Number(ev.target.value); if (v > 0) { f.umbral = String(v); load(); } }
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  load();
}
