// "Business Intelligence" (spec 40 §3, 50 §9.3): the *Dashboard de Red* tab — the network's
// sales, tickets, average ticket and margin for a period against the one before (or last
// year), with their variations, and sales per store as bars. Presets end two days before
// today (the ETL's lag, §3.1); every figure is the server's, with its `datos_al`.
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate, tenantTodayIso } from '../format.js';
import { barLineChart, legend } from '../charts.js';
import { renderCompare, renderRanking, categoriesPanel } from './bi-tiendas.js';
import { renderProducts, renderProfitability } from './bi-productos.js';
import { renderAbc, renderProductCompare } from './bi-abc.js';
import { renderCoverage } from './bi-cobertura.js';
import { renderImpact } from './bi-impacto.js';

const PRESETS = [['7', 'Últimos 7 días'], ['30', 'Últimos 30 días'], ['mes', 'Este mes'], ['mes_anterior', 'Mes anterior']];

const iso = (d) => d.toISOString().slice(0, 10);
const addDays = (s, n) => { const d = new Date(`${s}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + n); return iso(d); };

// Presets end two days before today; "Mes anterior" is the whole previous month.
function presetRange(key, today) {
  const end = addDays(today, -2);
  if (key === '7') return [addDays(end, -6), end];
  if (key === '30') return [addDays(end, -29), end];
  const [y, m] = end.split('-').map(Number);
  if (key === 'mes') return [`${end.slice(0, 7)}-01`, end];
  const first = new Date(Date.UTC(y, m - 2, 1));
  const last = new Date(Date.UTC(y, m - 1, 0));
  return [iso(first), iso(last)];
}

function delta(v, unit) {
  const cls = v > 0 ? 'up' : v < 0 ? 'down' : 'flat';
  const arrow = v > 0 ? '▲' : v < 0 ? '▼' : '■';
  return html`<span class="kpi-delta ${cls}" data-delta>${arrow} ${v > 0 ? '+' : ''}${formatNumber(v, 1)}${unit}</span>`;
}

const TABS = [['red', 'Dashboard de Red'], ['tienda', 'Detalle de Tienda'], ['comparar', 'Comparar Tiendas'], ['productos-tiendas', 'Productos entre tiendas'], ['ranking', 'Ranking Tiendas'], ['productos', 'Por Producto'], ['abc', 'Análisis ABC'], ['rentabilidad', 'Rentabilidad'], ['cobertura', 'Cobertura'], ['impacto', 'Impacto Fluxion']];

export async function render(container, ctx) {
  const tab = TABS.some(([k]) => k === ctx.query.get('tab')) ? ctx.query.get('tab') : 'red';
  const head = html`<div class="page-head"><div><h1>Business Intelligence</h1>
    <p class="subtitle">El negocio de un vistazo: ventas, tickets y margen de la red y de cada tienda.</p></div></div>
    <div class="tabs" role="tablist" data-role="bi-tabs">${TABS.map(([k, l]) => html`<a role="tab" class="tab" href="${`/bi?tab=${k}`}" data-tab="${k}" aria-selected="${tab === k}">${l}</a>`)}</div>`;
  if (tab === 'tienda') return renderStore(container, ctx, head);
  if (tab === 'comparar') return renderCompare(container, ctx, head);
  if (tab === 'ranking') return renderRanking(container, ctx, head);
  if (tab === 'productos') return renderProducts(container, ctx, head);
  if (tab === 'rentabilidad') return renderProfitability(container, ctx, head);
  if (tab === 'abc') return renderAbc(container, ctx, head);
  if (tab === 'productos-tiendas') return renderProductCompare(container, ctx, head);
  if (tab === 'cobertura') return renderCoverage(container, ctx, head);
  if (tab === 'impacto') return renderImpact(container, ctx, head);
  setHtml(container, html`${head}${skeletonBlock({ cards: 4, rows: 3 })}`);
  let regions = [];
  try {
    const locs = await apiGet('/api/ubicaciones', { signal: ctx.signal });
    const list = Array.isArray(locs) ? locs : locs.ubicaciones || [];
    regions = [...new Set(list.filter((l) => l.tipo !== 'cedi').map((l) => l.region).filter(Boolean))].sort();
  } catch (e) {
    if (isAbort(e)) return;
  }
  const today = tenantTodayIso();
  const q = ctx.query;
  const preset = q.get('preset') || (q.get('fecha_inicio') ? '' : '30');
  const [d0, d1] = preset ? presetRange(preset, today) : [q.get('fecha_inicio'), q.get('fecha_fin')];
  const f = { preset, desde: d0, hasta: d1, region: q.get('region') || '', comparar: q.get('comparar_con') || 'anterior' };
  setHtml(container, html`${head}
    <form class="card filter-bar filters" data-role="filters" autocomplete="off">
      <div class="chips" role="group" aria-label="Período">${PRESETS.map(([k, l]) => html`<button type="button" class="chip" data-preset="${k}" aria-pressed="${f.preset === k}">${l}</button>`)}</div>
      <label>Desde <input type="date" name="desde" value="${f.desde}"></label>
      <label>Hasta <input type="date" name="hasta" value="${f.hasta}"></label>
      <label>Región <select name="region"><option value="">Todas</option>${regions.map((r) => html`<option value="${r}">${r}</option>`)}</select></label>
      <label>Comparar con <select name="comparar"><option value="anterior">Período anterior</option><option value="ano_anterior">Año anterior</option></select></label>
    </form>
    <div data-role="result"></div>`);
  const form = container.querySelector('[data-role=filters]');
  form.region.value = f.region;
  form.comparar.value = f.comparar;
  const result = container.querySelector('[data-role=result]');
  const load = async () => {
    ctx.setQuery(Object.fromEntries(Object.entries({ preset: f.preset, fecha_inicio: f.preset ? '' : f.desde, fecha_fin: f.preset ? '' : f.hasta, region: f.region, comparar_con: f.comparar === 'anterior' ? '' : f.comparar }).filter(([, v]) => v)));
    for (const b of form.querySelectorAll('[data-preset]')) b.setAttribute('aria-pressed', String(b.dataset.preset === f.preset));
    setHtml(result, skeletonBlock({ cards: 4, rows: 3 }));
    const params = new URLSearchParams({ fecha_inicio: f.desde, fecha_fin: f.hasta, comparar_con: f.comparar });
    if (f.region) params.set('region', f.region);
    let k;
    try {
      k = await apiGet(`/api/bi/stores/network/kpis?${params}`, { signal: ctx.signal });
    } catch (e) {
      if (!isAbort(e)) showError(result, e, load, 'No se pudieron calcular los indicadores');
      return;
    }
    const a = k.periodo_actual; const c = k.periodo_comparacion; const v = k.variaciones;
    const max = Math.max(0, ...k.ventas_por_tienda.map((s) => s.ventas_total));
    setHtml(result, html`<p class="muted" data-role="periods">${formatDate(a.fecha_inicio)} – ${formatDate(a.fecha_fin)} (${k.dias_periodo} días) frente a ${formatDate(c.fecha_inicio)} – ${formatDate(c.fecha_fin)} · ${k.region || 'toda la red'} · datos al ${k.datos_al ? formatDate(k.datos_al) : 'sin ventas cargadas'}</p>
      <div class="kpis" data-role="kpis">
        <div class="kpi"><span class="kpi-label">Ventas totales</span><strong class="kpi-value" data-kpi="ventas">$ ${formatNumber(a.ventas_total, 2)}</strong><span class="kpi-hint">${delta(v.ventas_pct, ' %')} · antes $ ${formatNumber(c.ventas_total, 2)}</span></div>
        <div class="kpi"><span class="kpi-label">Tickets</span><strong class="kpi-value" data-kpi="tickets">${formatInteger(a.tickets)}</strong><span class="kpi-hint">${delta(v.tickets_pct, ' %')} · antes ${formatInteger(c.tickets)}</span></div>
        <div class="kpi"><span class="kpi-label">Ticket promedio</span><strong class="kpi-value">$ ${formatNumber(a.ticket_promedio, 2)}</strong><span class="kpi-hint">${delta(v.ticket_promedio_pct, ' %')} · ${formatNumber(a.items_por_ticket, 2)} artículos por ticket</span></div>
        <div class="kpi"><span class="kpi-label">Margen</span><strong class="kpi-value">${formatNumber(a.margen_pct, 2)} %</strong><span class="kpi-hint">${delta(v.margen_pp, ' pp')} · utilidad $ ${formatNumber(a.utilidad_bruta, 2)}</span></div>
      </div>
      <div class="card pad"><h2>Ventas por tienda</h2>
        ${max > 0 ? html`<div class="bi-bars" data-role="stores">${k.ventas_por_tienda.map((s) => html`<div class="bi-bar-row" data-store="${s.ubicacion_id}"><span class="bi-bar-label" title="${s.region}">${s.nombre}</span>
          <span class="bi-bar-track"><span class="bi-bar" style="${`width:${((s.ventas_total / max) * 100).toFixed(1)}%`}"></span></span>
          <span class="bi-bar-value">$ ${formatNumber(s.ventas_total, 2)} <span class="muted">· ${formatInteger(s.tickets)} tickets · ${formatNumber(s.margen_pct, 1)} %</span></span></div>`)}</div>`
        : emptyState('Sin ventas en el período', 'Elija otro período: los datos cargados llegan hasta el ' + (k.datos_al ? formatDate(k.datos_al) : '—') + '.')}</div>`);
  };
  form.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-preset]');
    if (!b) return;
    f.preset = b.dataset.preset;
    [f.desde, f.hasta] = presetRange(f.preset, today);
    form.desde.value = f.desde; form.hasta.value = f.hasta;
    load();
  });
  form.addEventListener('change', (ev) => {
    const n = ev.target.name;
    if (n === 'desde' || n === 'hasta') { f.preset = ''; f[n] = ev.target.value; if (f.desde && f.hasta) load(); }
    if (n === 'region') { f.region = ev.target.value; load(); }
    if (n === 'comparar') { f.comparar = ev.target.value; load(); }
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  load();
}

const WEEKDAYS = ['Dom', 'Lun', 'Mar', 'Mié', 'Jue', 'Vie', 'Sáb'];

// *Detalle de Tienda* (§3.2): one store's daily evolution against the network's average, its
// tickets by size and its sales by weekday and hour.
async function renderStore(container, ctx, head) {
  setHtml(container, html`${head}${skeletonBlock({ cards: 4, rows: 4 })}`);
  let stores = [];
  try {
    const locs = await apiGet('/api/ubicaciones', { signal: ctx.signal });
    stores = (Array.isArray(locs) ? locs : locs.ubicaciones || []).filter((l) => l.tipo !== 'cedi');
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => renderStore(container, ctx, head));
    return;
  }
  if (!stores.length) { setHtml(container, html`${head}${emptyState('No hay tiendas', 'Declare tiendas en tenant.toml.')}`); return; }
  const today = tenantTodayIso();
  const f = {
    tienda: ctx.query.get('tienda') || stores[0].id,
    hasta: ctx.query.get('fecha_fin') || addDays(today, -1),
    desde: ctx.query.get('fecha_inicio') || addDays(today, -30),
  };
  setHtml(container, html`${head}
    <form class="card filter-bar filters" data-role="store-filters" autocomplete="off">
      <label>Tienda <select name="tienda">${stores.map((s) => html`<option value="${s.id}">${s.nombre}</option>`)}</select></label>
      <label>Desde <input type="date" name="desde" value="${f.desde}"></label>
      <label>Hasta <input type="date" name="hasta" value="${f.hasta}"></label>
    </form>
    <div data-role="store-result"></div>`);
  const form = container.querySelector('[data-role=store-filters]');
  form.tienda.value = f.tienda;
  const out = container.querySelector('[data-role=store-result]');
  const load = async () => {
    ctx.setQuery({ tab: 'tienda', tienda: f.tienda, fecha_inicio: f.desde, fecha_fin: f.hasta });
    setHtml(out, skeletonBlock({ cards: 4, rows: 4 }));
    const range = `fecha_inicio=${f.desde}&fecha_fin=${f.hasta}`;
    const base = `/api/bi/stores/${encodeURIComponent(f.tienda)}`;
    let e; let t; let h; let cats;
    try {
      [e, t, h, cats] = await Promise.all([
        apiGet(`${base}/evolution?${range}`, { signal: ctx.signal }),
        apiGet(`${base}/ticket-distribution?${range}`, { signal: ctx.signal }),
        apiGet(`${base}/hourly-heatmap?dias=30`, { signal: ctx.signal }),
        apiGet(`${base}/categories?${range}&limite=10`, { signal: ctx.signal }),
      ]);
    } catch (err) {
      if (!isAbort(err)) showError(out, err, load, 'No se pudo cargar la tienda');
      return;
    }
    const k = e.totales;
    const first = t.rangos[0]; const last = t.rangos[t.rangos.length - 1];
    const cell = (c) => html`<td class="${`heat heat-${c.nivel}`}" title="${`${WEEKDAYS[c.dia_semana]} ${String(c.hora).padStart(2, '0')}:00 · $ ${formatNumber(c.ventas, 2)} · ${formatInteger(c.tickets)} tickets · ${formatNumber(c.pct_total, 2)} %`}">${c.pct_total >= 1 ? Math.round(c.pct_total) : ''}</td>`;
    const hours = [...Array(24).keys()];
    setHtml(out, html`<div class="kpis" data-role="store-kpis">
        <div class="kpi"><span class="kpi-label">Ventas</span><strong class="kpi-value">$ ${formatNumber(k.ventas_total, 2)}</strong><span class="kpi-hint" data-role="store-datos-al">${e.dias.length} días con venta · datos al ${e.datos_al ? formatDate(e.datos_al) : 'sin ventas cargadas'}</span></div>
        <div class="kpi"><span class="kpi-label">Tickets</span><strong class="kpi-value" data-kpi="store-tickets">${formatInteger(k.tickets)}</strong></div>
        <div class="kpi"><span class="kpi-label">Ticket promedio</span><strong class="kpi-value">$ ${formatNumber(k.ticket_promedio, 2)}</strong></div>
        <div class="kpi"><span class="kpi-label">Margen</span><strong class="kpi-value">${formatNumber(k.margen_pct, 2)} %</strong></div></div>
      <div class="card pad"><h2>Evolución de ventas</h2>
        ${e.dias.length ? html`${barLineChart({ labels: e.dias.map((d) => d.fecha.slice(5)), bars: e.dias.map((d) => d.ventas_total), line: e.dias.map((d) => d.promedio_red), tips: (i) => `${e.dias[i].fecha}: $ ${formatNumber(e.dias[i].ventas_total, 2)} · ${formatInteger(e.dias[i].tickets)} tickets · promedio red $ ${formatNumber(e.dias[i].promedio_red || 0, 2)}`, aria: 'Ventas por día y promedio de la red', width: 1100, height: 260 })}
          ${legend([['bar', 'Ventas de la tienda (eje izq.)'], ['stock-line', 'Promedio de la red por tienda (eje der.)']])}` : emptyState('Sin ventas en el período', 'Elija otras fechas.')}</div>
      ${categoriesPanel(cats)}
      <div class="two-col">
        <div class="card pad" data-role="tickets"><h2>Distribución de tickets</h2>
          <table class="data-table compact"><thead><tr><th>Rango</th><th class="num">Tickets</th><th class="num">% tickets</th><th class="num">Ventas</th><th class="num">% ventas</th><th class="num">Promedio</th></tr></thead>
            <tbody>${t.rangos.map((b) => html`<tr><td>${b.rango}</td><td class="num">${formatInteger(b.tickets)}</td><td class="num">${formatNumber(b.pct_tickets, 1)} %</td><td class="num">$ ${formatNumber(b.ventas, 2)}</td><td class="num">${formatNumber(b.pct_ventas, 1)} %</td><td class="num">$ ${formatNumber(b.ticket_promedio, 2)}</td></tr>`)}</tbody></table>
          <p class="muted small">${formatNumber(first.pct_tickets, 1)} % de los tickets son de menos de $5 y suman el ${formatNumber(first.pct_ventas, 1)} % de las ventas; los de $50 o más son el ${formatNumber(last.pct_tickets, 1)} % de los tickets y el ${formatNumber(last.pct_ventas, 1)} % de las ventas.</p></div>
        <div class="card pad" data-role="heatmap"><h2>Ventas por día y hora <span class="muted small">(${formatDate(h.fecha_inicio)} – ${formatDate(h.fecha_fin)})</span></h2>
          ${h.hora_pico ? html`<p>Hora pico: <strong data-role="peak">${WEEKDAYS[h.hora_pico.dia_semana]} ${String(h.hora_pico.hora).padStart(2, '0')}:00</strong> ($ ${formatNumber(h.hora_pico.ventas, 2)})</p>` : ''}
          <div class="grid-wrap"><table class="heatmap"><thead><tr><th></th>${hours.map((x) => html`<th>${x}</th>`)}</tr></thead>
            <tbody>${WEEKDAYS.map((w, d) => html`<tr><th>${w}</th>${hours.map((x) => cell(h.celdas[d * 24 + x]))}</tr>`)}</tbody></table></div>
          <p class="muted small">Cada celda: % de las ventas de los últimos 30 días completos.</p></div>
      </div>`);
  };
  form.addEventListener('change', (ev) => {
    const n = ev.target.name;
    if (n in f) { f[n] = ev.target.value; if (f.desde && f.hasta) load(); }
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  load();
}
