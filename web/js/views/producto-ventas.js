// One product's sales drill-downs in a side drawer (spec 40 §6.3), shared by Ventas,
// Agotados and Ventas perdidas: sales + stock history with its diagnosis (default), daily
// by store with unusual days, hourly on a day, the last 20 days, and the lines.
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, tenantToday } from '../format.js';
import { barLineChart, legend } from '../charts.js';

const TABS = [
  ['historial', 'Ventas e inventario'],
  ['tiendas', 'Por tienda'],
  ['horas', 'Por hora'],
  ['ultimos', 'Últimos 20 días'],
  ['lineas', 'Transacciones'],
];
const DIAGNOSIS = {
  ruptura_stock: 'Ruptura de stock',
  falta_exhibicion: 'Posible falta de exhibición',
  baja_demanda: 'Baja demanda',
  sin_diagnostico: 'Sin diagnóstico',
};
const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const qty = (v) => formatNumber(v, v % 1 ? 1 : 0);

// Opens the drawer for `code` at `store`; `onClose` gets focus back to the caller.
export function openProductDrawer(drawer, { code, name, store, ctx, tab = 'historial', onClose }) {
  const state = { tab, gran: 'diario', fecha: iso(tenantToday()), page: 1 };
  drawer.hidden = false;
  drawer.classList.add('wide');
  const close = () => { drawer.hidden = true; drawer.classList.remove('wide'); if (onClose) onClose(); };
  setHtml(drawer, html`<div class="drawer-head"><h2>${code} · ${name || ''}</h2><button type="button" class="modal-close" data-role="close" aria-label="Cerrar">×</button></div>
    <div class="drawer-body"><div class="tabs wrap" role="tablist">${TABS.map(([k, label]) => html`<button type="button" role="tab" class="tab" data-tab="${k}">${label}</button>`)}</div>
    <div data-role="pane"></div></div>`);
  const pane = drawer.querySelector('[data-role=pane]');
  drawer.querySelector('[data-role=close]').addEventListener('click', close);
  drawer.onkeydown = (e) => { if (e.key === 'Escape') close(); };
  drawer.querySelectorAll('[data-tab]').forEach((b) => b.addEventListener('click', () => { state.tab = b.dataset.tab; state.page = 1; show(); }));
  const enc = encodeURIComponent;
  let seq = 0;

  async function show() {
    const mine = ++seq;
    drawer.querySelectorAll('[data-tab]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === state.tab)));
    setHtml(pane, html`<div class="route-spinner"><span class="spinner"></span>Cargando…</div>`);
    try {
      const draw = { historial, tiendas, horas, ultimos, lineas }[state.tab];
      const out = await draw();
      if (mine === seq) out();
    } catch (e) {
      if (!isAbort(e) && mine === seq) showError(pane, e, show, 'No se pudo cargar el detalle del producto');
    }
  }

  async function historial() {
    const d = await apiGet(`/api/productos/${enc(code)}/historial-ventas-inventario?ubicacion_id=${enc(store)}&granularidad=${state.gran}`, { signal: ctx.signal });
    return () => {
      const t = d.totales;
      const labels = d.puntos.map((p) => (state.gran === 'diario' ? p.periodo.slice(5) : p.periodo.slice(11, 13) === '06' ? p.periodo.slice(5, 10) : p.periodo.slice(11, 13)));
      const zero = (p) => p.stock !== null && p.stock <= 0;
      setHtml(pane, html`<div class="filters" role="group" aria-label="Granularidad">
          <button type="button" class="chip" data-gran="diario" aria-pressed="${String(state.gran === 'diario')}">Diario (30 días)</button>
          <button type="button" class="chip" data-gran="horario" aria-pressed="${String(state.gran === 'horario')}">Por hora (7 días)</button></div>
        <div class="diagnosis ${d.diagnostico.tipo}" data-role="diagnosis"><strong>${DIAGNOSIS[d.diagnostico.tipo] || d.diagnostico.tipo}</strong>
          <span class="muted"> · confianza ${formatInteger(d.diagnostico.confianza)} %</span><br>${d.diagnostico.detalle}</div>
        <div class="mini-kpis">
          <div class="kpi"><span class="kpi-label">Unidades</span><span class="kpi-value">${qty(t.unidades)}</span></div>
          <div class="kpi"><span class="kpi-label">Prom. diario</span><span class="kpi-value">${formatNumber(t.promedio_diario, 1)}</span></div>
          <div class="kpi"><span class="kpi-label">Stock prom.</span><span class="kpi-value">${t.stock_promedio === null ? '—' : formatNumber(t.stock_promedio, 0)}</span></div>
          <div class="kpi"><span class="kpi-label">Stock actual</span><span class="kpi-value">${t.stock_actual === null ? '—' : formatNumber(t.stock_actual, 0)}</span></div>
          <div class="kpi"><span class="kpi-label">Días sin stock</span><span class="kpi-value ${t.dias_stock_cero ? 'neg' : ''}">${formatInteger(t.dias_stock_cero)}</span></div>
        </div>
        ${barLineChart({
          labels,
          bars: d.puntos.map((p) => p.unidades),
          line: d.puntos.map((p) => p.stock),
          barClass: (i) => (zero(d.puntos[i]) ? 'bar-alert' : 'bar'),
          tips: (i) => `${d.puntos[i].periodo}: ${qty(d.puntos[i].unidades)} unid. vendidas · stock ${d.puntos[i].stock === null ? 'sin dato' : formatNumber(d.puntos[i].stock, 0)}`,
          aria: 'Unidades vendidas y stock',
        })}
        ${legend([['bar', 'Unidades vendidas (eje izq.)'], ['bar-alert', 'Con stock en cero'], ['stock-line', state.gran === 'diario' ? 'Stock al cierre del día (eje der.)' : 'Stock promedio de la hora (eje der.)']])}`);
      pane.querySelectorAll('[data-gran]').forEach((b) => b.addEventListener('click', () => { state.gran = b.dataset.gran; show(); }));
    };
  }

  async function tiendas() {
    const d = await apiGet(`/api/ventas/producto/diario?codigo_producto=${enc(code)}`, { signal: ctx.signal });
    return () => {
      const stores = d.tiendas.filter((t) => t.dias.length);
      if (!stores.length) { setHtml(pane, emptyState('Sin ventas', `No hubo ventas de este producto entre el ${d.desde} y el ${d.hasta}.`)); return; }
      const dates = [...new Set(stores.flatMap((t) => t.dias.map((x) => x.fecha)))].sort().reverse();
      const cell = new Map(stores.flatMap((t) => t.dias.map((x) => [`${t.ubicacion_id}|${x.fecha}`, x])));
      setHtml(pane, html`<p class="muted small">Unidades por día y tienda, del ${d.desde} al ${d.hasta} (solo días con venta). En rojo, días inusualmente bajos para esa tienda: posible rotura o dato incompleto.</p>
        <div class="scroll-x"><table class="data-table compact" data-role="by-store">
          <thead><tr><th>Fecha</th>${stores.map((t) => html`<th class="num" title="${t.ubicacion_nombre}">${t.ubicacion_nombre}</th>`)}</tr></thead>
          <tbody>${dates.map((f) => html`<tr><th scope="row">${f}</th>${stores.map((t) => {
            const x = cell.get(`${t.ubicacion_id}|${f}`);
            if (!x) return html`<td class="num muted">—</td>`;
            const tip = `${formatNumber(x.bultos, 2)} bultos · ${formatNumber(x.ventas, 2)} USD · ${formatInteger(x.tickets)} tickets${x.inventario === null ? '' : ` · stock al cierre ${formatNumber(x.inventario, 0)}`}${x.atipico ? ' · día inusualmente bajo' : ''}`;
            return html`<td class="${`num ${x.atipico ? 'cell-alert' : ''}`}" title="${tip}">${qty(x.unidades)}</td>`;
          })}</tr>`)}</tbody>
          <tfoot><tr><th>Total</th>${stores.map((t) => html`<td class="num"><strong>${qty(t.unidades)}</strong></td>`)}</tr></tfoot></table></div>`);
    };
  }

  async function horas() {
    const d = await apiGet(`/api/ventas/producto/horario?codigo_producto=${enc(code)}&fecha=${state.fecha}&ubicaciones=${enc(store)}`, { signal: ctx.signal });
    return () => {
      const t = d.tiendas[0];
      setHtml(pane, html`<div class="filters"><label>Fecha <input type="date" name="fecha" value="${state.fecha}" max="${iso(tenantToday())}"></label>
          <span class="muted">${formatInteger(t.total.tickets)} tickets · ${qty(t.total.unidades)} unid. · ${formatNumber(t.total.ventas, 2)} USD</span></div>
        ${t.total.unidades ? barLineChart({
          labels: t.horas.map((h) => `${String(h.hora).padStart(2, '0')}h`),
          bars: t.horas.map((h) => h.unidades),
          tips: (i) => `${String(t.horas[i].hora).padStart(2, '0')}:00 · ${qty(t.horas[i].unidades)} unid. · ${formatInteger(t.horas[i].tickets)} tickets`,
          aria: 'Unidades vendidas por hora',
          height: 200,
        }) : emptyState('Sin ventas ese día', 'Elija otra fecha.')}
        <table class="data-table compact"><thead><tr><th>Hora</th><th class="num">Unidades</th><th class="num">Bultos</th><th class="num">Ventas (USD)</th><th class="num">Tickets</th></tr></thead>
          <tbody>${t.horas.filter((h) => h.unidades).map((h) => html`<tr><td>${String(h.hora).padStart(2, '0')}:00</td><td class="num">${qty(h.unidades)}</td><td class="num">${formatNumber(h.bultos, 2)}</td><td class="num">${formatNumber(h.ventas, 2)}</td><td class="num">${formatInteger(h.tickets)}</td></tr>`)}</tbody></table>`);
      pane.querySelector('[name=fecha]').addEventListener('change', (e) => { if (e.target.value) { state.fecha = e.target.value; show(); } });
    };
  }

  async function ultimos() {
    const d = await apiGet(`/api/ventas/producto/${enc(code)}/ultimos-20-dias?ubicacion_id=${enc(store)}`, { signal: ctx.signal });
    return () => {
      if (!d.dias.length) { setHtml(pane, emptyState('Sin ventas', `No hubo ventas entre el ${d.desde} y el ${d.hasta}.`)); return; }
      const avg = d.dias.reduce((s, x) => s + x.unidades, 0) / d.dias.length;
      setHtml(pane, html`<p class="muted small">Días completos del ${d.desde} al ${d.hasta} con venta (sin los días atípicos). Promedio: <strong>${formatNumber(avg, 1)}</strong> unid./día en ${formatInteger(d.dias.length)} días.</p>
        ${barLineChart({ labels: d.dias.map((x) => x.fecha.slice(5)), bars: d.dias.map((x) => x.unidades), avg, tips: (i) => `${d.dias[i].dia_semana} ${d.dias[i].fecha}: ${qty(d.dias[i].unidades)} unid.`, aria: 'Unidades de los últimos 20 días', height: 200 })}
        <table class="data-table compact"><thead><tr><th>Fecha</th><th>Día</th><th class="num">Unidades</th></tr></thead>
          <tbody>${[...d.dias].reverse().map((x) => html`<tr><td>${x.fecha}</td><td>${x.dia_semana}</td><td class="num">${qty(x.unidades)}</td></tr>`)}</tbody></table>`);
    };
  }

  async function lineas() {
    const d = await apiGet(`/api/ventas/producto/${enc(code)}/transacciones?ubicacion_id=${enc(store)}&page=${state.page}&page_size=50`, { signal: ctx.signal });
    return () => {
      const t = d.totales;
      if (!t.lineas) { setHtml(pane, emptyState('Sin transacciones', `No hubo ventas entre el ${d.desde} y el ${d.hasta}.`)); return; }
      setHtml(pane, html`<div class="mini-kpis">
          <div class="kpi"><span class="kpi-label">Facturas</span><span class="kpi-value">${formatInteger(t.facturas)}</span></div>
          <div class="kpi"><span class="kpi-label">Unidades</span><span class="kpi-value">${qty(t.cantidad)}</span></div>
          <div class="kpi"><span class="kpi-label">Ventas (USD)</span><span class="kpi-value">${formatNumber(t.venta_total, 2)}</span></div>
          <div class="kpi"><span class="kpi-label">Utilidad (USD)</span><span class="kpi-value">${formatNumber(t.utilidad, 2)}</span></div></div>
        <div class="scroll-x"><table class="data-table compact" data-role="lines"><thead><tr><th>Factura</th><th>Fecha y hora</th><th>Almacén</th><th class="num">Cant.</th><th>Unidad</th><th class="num">Precio</th><th class="num">Total</th><th class="num">Costo</th><th class="num">Margen %</th></tr></thead>
          <tbody>${d.items.map((l) => html`<tr><td class="code" title="${`Línea ${l.factura_linea}`}">${l.factura}</td><td>${l.fecha_venta.replace('T', ' ').slice(0, 16)}</td><td>${l.almacen || '—'}</td>
            <td class="num">${qty(l.cantidad)}</td><td>${l.unidad_medida}</td><td class="num">${l.precio_unitario === null ? '—' : formatNumber(l.precio_unitario, 2)}</td>
            <td class="num">${formatNumber(l.venta_total, 2)}</td><td class="num">${l.costo_total === null ? '—' : formatNumber(l.costo_total, 2)}</td><td class="num">${l.margen_pct === null ? '—' : formatNumber(l.margen_pct, 1)}</td></tr>`)}</tbody></table></div>
        <div class="pager"><button type="button" class="btn" data-step="-1" ${d.page <= 1 ? html`disabled` : ''}>Anterior</button>
          <span>Página ${formatInteger(d.page)} de ${formatInteger(d.total_pages)} · ${formatInteger(t.lineas)} líneas del ${d.desde} al ${d.hasta}</span>
          <button type="button" class="btn" data-step="1" ${d.page >= d.total_pages ? html`disabled` : ''}>Siguiente</button></div>`);
      pane.querySelectorAll('[data-step]').forEach((b) => b.addEventListener('click', () => { state.page += Number(b.dataset.step); show(); }));
    };
  }

  show();
  drawer.querySelector('[data-role=close]').focus();
}
