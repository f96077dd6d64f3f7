// "Oportunidades CEDI" and "Expansión de catálogo" (spec 40 §7.6), opened from the
// Inventarios landing as a drawer: stock a CEDI holds while stores of its region run low
// (each store cell: stock / P75 daily units), and products sold in only part of a region.
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger } from '../format.js';

export async function openOpportunities(drawer, ctx, kind) {
  const title = kind === 'cedi' ? 'Oportunidades CEDI' : 'Expansión de catálogo';
  drawer.hidden = false;
  drawer.classList.add('wide');
  setHtml(drawer, html`<div class="drawer-head"><h2>${title}</h2><button type="button" class="modal-close" data-role="close" aria-label="Cerrar">×</button></div>
    <div class="drawer-body" data-role="body"><div class="route-spinner"><span class="spinner"></span>Cargando…</div></div>`);
  const close = () => { drawer.hidden = true; drawer.classList.remove('wide'); };
  drawer.querySelector('[data-role=close]').addEventListener('click', close);
  drawer.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); }, { once: true });
  drawer.querySelector('[data-role=close]').focus();
  const body = drawer.querySelector('[data-role=body]');
  try {
    if (kind === 'cedi') {
      const groups = await apiGet('/api/inventario/oportunidades-cedi', { signal: ctx.signal });
      if (!groups.some((g) => g.oportunidades)) { setHtml(body, emptyState('Sin oportunidades', 'Ningún CEDI tiene stock de un producto que falte en sus tiendas.')); return; }
      setHtml(body, html`<p class="muted small">Productos con 10 unidades o más en el CEDI y alguna tienda de su región con 5 o menos (sin fila = 0). Cada celda: stock / P75 diario de la tienda.</p>
        ${groups.filter((g) => g.oportunidades).map((g) => html`<h3>${g.cedi_nombre} <span class="muted small">${g.region} · ${formatInteger(g.oportunidades)} oportunidades${g.oportunidades > g.productos.length ? ` (se muestran ${g.productos.length})` : ''}</span></h3>
          <div class="table-card card"><table class="data-table" data-role="cedi-opportunities"><thead><tr><th>Código</th><th>Descripción</th><th class="num">CEDI (bultos)</th><th>ABC</th>${g.productos[0].tiendas.map((t) => html`<th class="num" title="${t.nombre}">${t.nombre}</th>`)}</tr></thead>
          <tbody>${g.productos.map((p) => html`<tr><td class="code">${p.codigo_producto}</td><td class="desc" title="${p.descripcion}">${p.descripcion}</td>
            <td class="num">${formatNumber(p.stock_cedi, 0)} <span class="muted">(${formatNumber(p.bultos_cedi, 1)})</span></td><td>${p.clase_predominante || '—'}</td>
            ${p.tiendas.map((t) => html`<td class="num ${t.stock <= 5 ? 'neg' : ''}">${formatNumber(t.stock, 0)} / ${formatNumber(t.p75, 1)}</td>`)}</tr>`)}</tbody></table></div>`)}`);
    } else {
      const regions = await apiGet('/api/inventario/expansion-catalogo', { signal: ctx.signal });
      if (!regions.some((r) => r.candidatos)) { setHtml(body, emptyState('Sin candidatos', 'Ningún producto se vende en solo una parte de las tiendas de una región.')); return; }
      setHtml(body, html`<p class="muted small">Productos vendidos en el 10 % a 50 % de las tiendas activas de la región, a 5 USD o más por semana en cada una. Venta potencial: lo que venderían las tiendas que no lo tienen a ese ritmo.</p>
        ${regions.filter((r) => r.candidatos).map((r) => html`<h3>${r.region} <span class="muted small">${formatInteger(r.candidatos)} candidatos · potencial ${formatNumber(r.venta_potencial_total, 2)} USD/semana</span></h3>
          <div class="table-card card"><table class="data-table" data-role="expansion"><thead><tr><th>Código</th><th>Descripción</th><th class="num">Cobertura</th><th class="num">Venta $ sem/tienda</th><th class="num">Potencial $ sem</th><th>ABC</th><th>Tiendas sin el producto</th></tr></thead>
          <tbody>${r.productos.map((p) => html`<tr><td class="code">${p.codigo_producto}</td><td class="desc" title="${p.descripcion}">${p.descripcion}</td>
            <td class="num">${formatNumber(p.cobertura_pct, 1)} %</td><td class="num">${formatNumber(p.venta_semanal_por_tienda, 2)}</td><td class="num"><strong>${formatNumber(p.venta_potencial, 2)}</strong></td>
            <td>${p.clase_predominante || '—'}</td><td class="evidence">${p.tiendas_sin_producto.join(', ')}</td></tr>`)}</tbody></table></div>`)}`);
    }
  } catch (e) {
    if (!isAbort(e)) showError(body, e, () => openOpportunities(drawer, ctx, kind), `No se pudo cargar ${title.toLowerCase()}`);
  }
}
