// "Centro de Control ETL" (spec 20 §9.6): connectivity panel, tabs ETL Ventas (default),
// ETL Inventario, Historial and Cobertura (coverage calendar + gaps, §7). Everything comes
// from /api/etl/*; the browser only formats. Runs started here return at once; the screen
// polls the execution until it finishes.
import { apiGet, apiPost, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate, formatDateTime, formatRelative, tenantTodayIso } from '../format.js';

const TABS = [
  { key: 'ventas', label: 'ETL Ventas' },
  { key: 'inventario', label: 'ETL Inventario' },
  { key: 'historial', label: 'Historial' },
  { key: 'cobertura', label: 'Cobertura' },
];

const STATUS_LABEL = { success: 'Exitoso', partial: 'Parcial', failed: 'Fallido', running: 'Ejecutando', killed: 'Interrumpido', skipped: 'Omitida' };
const STATUS_BADGE = { success: 'optimo', partial: 'bajo', failed: 'critico', running: 'pendiente', killed: 'rechazado', skipped: 'borrador' };
const TYPE_LABEL = { scheduled: 'Programada', manual: 'Manual', recovery: 'Recuperación', backfill: 'Histórico' };
const FRESH_BADGE = { verde: 'optimo', naranja: 'bajo', amarillo: 'pendiente', rojo: 'critico' };
const DAY_COLOUR = { rojo: '#fecaca', amarillo: '#fde68a', verde_claro: '#bbf7d0', verde_oscuro: '#16a34a' };
const MONTH_COLOUR = { verde: '#16a34a', verde_claro: '#86efac', amarillo: '#facc15', rojo: '#ef4444' };

const statusBadge = (s) => html`<span class="badge badge-${STATUS_BADGE[s] || 'borrador'}" data-status="${s}">${STATUS_LABEL[s] || s}</span>`;
const seconds = (v) => (v === null || v === undefined ? '-' : `${formatNumber(v, 1)} s`);
const localTs = (s) => (s ? s.replace('T', ' ').slice(0, 16) : '-');

export async function render(container, ctx) {
  const tab = TABS.some((t) => t.key === ctx.query.get('tab')) ? ctx.query.get('tab') : 'ventas';
  setHtml(container, html`
    <div class="page-head"><div>
      <h1>Centro de Control ETL</h1>
      <p class="subtitle">Extracción desde los sistemas POS (KLK y Stellar): conectividad, ejecuciones, historial y cobertura.</p>
    </div></div>
    <section class="card etl-section" data-panel="conectividad">
      <h2>Conectividad <button type="button" class="btn" data-action="check">Probar conectividad</button></h2>
      <div data-slot="check"><p class="muted">Pruebe la conexión con cada sistema POS configurado.</p></div>
    </section>
    <nav class="etl-tabs" role="tablist">
      ${TABS.map((t) => html`<button type="button" role="tab" data-tab="${t.key}" aria-selected="${t.key === tab ? 'true' : 'false'}">${t.label}</button>`)}
    </nav>
    <div data-slot="tab"></div>`);
  const state = { ctx, container, timers: [], status: null };
  ctx.signal.addEventListener('abort', () => state.timers.forEach((t) => clearInterval(t)));
  container.querySelector('[data-action="check"]').addEventListener('click', () => runCheck(state));
  container.querySelectorAll('[data-tab]').forEach((b) => b.addEventListener('click', () => {
    ctx.setQuery({ tab: b.dataset.tab });
    container.querySelectorAll('[data-tab]').forEach((x) => x.setAttribute('aria-selected', x === b ? 'true' : 'false'));
    showTab(state, b.dataset.tab);
  }));
  await showTab(state, tab);
}

// Standalone page /administrador/ventas/cobertura (spec 50 §7).
export async function renderCoverage(container, ctx) {
  setHtml(container, html`
    <div class="page-head"><div><h1>Cobertura de ventas</h1>
      <p class="subtitle">Días con y sin datos de ventas por tienda, y ventanas pendientes de recuperar.</p></div></div>
    <div data-slot="tab"></div>`);
  const state = { ctx, container, timers: [], status: null };
  ctx.signal.addEventListener('abort', () => state.timers.forEach((t) => clearInterval(t)));
  await showTab(state, 'cobertura');
}

function stopTimers(state) {
  state.timers.forEach((t) => clearInterval(t));
  state.timers = [];
}

async function showTab(state, tab) {
  stopTimers(state);
  const slot = state.container.querySelector('[data-slot="tab"]');
  setHtml(slot, skeletonBlock({ rows: 6 }));
  try {
    state.status = await apiGet('/api/etl/status', { signal: state.ctx.signal });
    if (tab === 'ventas') await renderSales(state, slot);
    else if (tab === 'inventario') await renderInventory(state, slot);
    else if (tab === 'historial') await renderHistory(state, slot);
    else await renderCoverageTab(state, slot);
  } catch (e) {
    if (isAbort(e)) return;
    showError(slot, e, () => showTab(state, tab));
  }
}

// ---------- connectivity ----------

async function runCheck(state) {
  const slot = state.container.querySelector('[data-slot="check"]');
  const btn = state.container.querySelector('[data-action="check"]');
  btn.disabled = true;
  setHtml(slot, html`<p class="muted" role="status"><span class="spinner"></span> Probando…</p>`);
  try {
    const r = await apiGet('/api/etl/check-connectivity', { signal: state.ctx.signal });
    setHtml(slot, html`
      <p data-summary="conectividad"><strong>${r.conectadas} de ${r.total}</strong> ubicaciones conectadas (${formatNumber(r.porcentaje, 1)} %)</p>
      <div class="etl-scroll"><table class="data-table">
        <thead><tr><th>Ubicación</th><th>Sistema</th><th>Estado</th><th class="num">Latencia</th><th>Detalle</th></tr></thead>
        <tbody>${r.ubicaciones.map((p) => html`<tr data-ubicacion="${p.ubicacion_id}">
          <th>${p.nombre} <span class="muted">${p.ubicacion_id}</span></th><td>${p.sistema.toUpperCase()}</td>
          <td>${p.conectada ? html`<span class="badge badge-optimo">Conectada</span>` : html`<span class="badge badge-critico">Sin conexión</span>`}</td>
          <td class="num">${p.latencia_ms === null || p.latencia_ms === undefined ? '-' : `${formatInteger(p.latencia_ms)} ms`}</td>
          <td class="etl-error">${p.error || ''}</td></tr>`)}</tbody></table></div>`);
  } catch (e) {
    if (!isAbort(e)) showError(slot, e, () => runCheck(state), 'No se pudo probar la conectividad');
  } finally {
    btn.disabled = false;
  }
}

// ---------- scheduler card, run-now and live view ----------

function schedulerCard(status, job) {
  const s = (status.programacion || []).filter((p) => p.job === job || (job === 'ventas' && p.job === 'ventas_recovery'));
  const last = (status.ultimas_ejecuciones || []).find((e) => e.etl_name === (job === 'inventario' ? 'inventario' : 'ventas') && e.status !== 'running');
  return html`<div class="etl-grid">
    ${s.map((p) => html`<div class="kpi" data-schedule="${p.job}">
      <span class="kpi-label">${p.job === 'ventas_recovery' ? 'Recuperación nocturna' : 'Programación'} <code>${p.cron || '-'}</code></span>
      <span class="kpi-value">${p.en_ejecucion ? 'En ejecución' : p.habilitado ? 'Habilitada' : 'Deshabilitada'}</span>
      <span class="kpi-hint">Próxima: ${localTs(p.proxima_ejecucion_local)}</span></div>`)}
    <div class="kpi"><span class="kpi-label">Última ejecución</span>
      <span class="kpi-value">${last ? statusBadge(last.status) : '-'}</span>
      <span class="kpi-hint">${last ? `${formatDateTime(last.started_at)} · ${formatInteger(last.records_loaded)} registros` : 'Sin ejecuciones'}</span></div>
    <div class="kpi"><span class="kpi-label">Omitidas por solape</span><span class="kpi-value">${formatInteger(status.omitidas_por_solape || 0)}</span>
      <span class="kpi-hint">Backfill: ${formatInteger(status.backfill.hechas)} de ${formatInteger(status.backfill.total)} días</span></div>
  </div>`;
}

async function startRun(state, path, body, liveSlot, button) {
  button.disabled = true;
  try {
    const r = await apiPost(path, body, { signal: state.ctx.signal });
    watchExecution(state, r.execution_id, liveSlot);
  } catch (e) {
    if (isAbort(e)) return;
    setHtml(liveSlot, html`<div class="banner banner-error" role="alert">${e.detail || e.message}</div>`);
  } finally {
    button.disabled = false;
  }
}

// Polls an execution every 2 s and shows its per-location rows until it finishes.
function watchExecution(state, id, slot) {
  const tick = async () => {
    try {
      const ex = await apiGet(`/api/etl/history/${id}`, { signal: state.ctx.signal });
      setHtml(slot, executionView(ex));
      slot.querySelectorAll('[data-action="detail"]').forEach((b) => b.addEventListener('click', () => openDetail(state, Number(b.dataset.id))));
      if (ex.status !== 'running') clearInterval(timer);
    } catch (e) {
      if (!isAbort(e)) clearInterval(timer);
    }
  };
  const timer = setInterval(tick, 2000);
  state.timers.push(timer);
  tick();
}

function detailRows(detalles) {
  return html`<div class="etl-scroll"><table class="data-table">
    <thead><tr><th>Ubicación</th><th>Estado</th><th>Ventana</th><th class="num">Leídas</th><th class="num">Cargadas</th>
      <th class="num">Nuevas</th><th class="num">Cuarentena</th><th class="num">Duplicadas</th><th class="num">Extracción</th>
      <th class="num">Transformación</th><th class="num">Carga</th><th>Error / avisos</th></tr></thead>
    <tbody>${(detalles || []).map((d) => html`<tr data-tienda="${d.tienda_id}">
      <th>${d.tienda_nombre || d.tienda_id}</th><td>${statusBadge(d.status)}</td>
      <td>${d.ventana_desde ? `${localTs(d.ventana_desde)} – ${localTs(d.ventana_hasta)}` : '-'}</td>
      <td class="num">${formatInteger(d.records_extracted)}</td><td class="num">${formatInteger(d.records_loaded)}</td>
      <td class="num">${formatInteger(d.records_inserted)}</td><td class="num">${formatInteger(d.records_failed)}</td>
      <td class="num">${formatInteger(d.duplicates_skipped)}</td><td class="num">${seconds(d.extract_duration_seconds)}</td>
      <td class="num">${seconds(d.transform_duration_seconds)}</td><td class="num">${seconds(d.load_duration_seconds)}</td>
      <td class="etl-error">${d.error_category ? html`<strong>${d.error_category}</strong> ${d.error_message || ''}` : (d.advertencias || []).join(' · ')}</td>
    </tr>`)}</tbody></table></div>`;
}

function executionView(ex) {
  return html`<div class="card etl-section etl-live" data-execution="${ex.id}" data-execution-status="${ex.status}">
    <h2>Ejecución #${ex.id} ${statusBadge(ex.status)}
      <button type="button" class="btn btn-ghost" data-action="detail" data-id="${ex.id}">Ver detalle</button></h2>
    <p class="muted">${TYPE_LABEL[ex.etl_type] || ex.etl_type} · ${ex.etl_name} · inicio ${formatDateTime(ex.started_at)} ·
      ${ex.status === 'running' ? 'en curso…' : `duración ${seconds(ex.duration_seconds)}`} · ${formatInteger(ex.records_loaded)} registros cargados</p>
    ${detailRows(ex.detalles)}
  </div>`;
}

// ---------- ventas tab ----------

async function renderSales(state, slot) {
  const tz = state.ctx.tenant && state.ctx.tenant.timezone;
  const fresh = await apiGet('/api/etl/frescura', { signal: state.ctx.signal });
  const stores = (state.status.ubicaciones || []).filter((u) => u.tipo === 'tienda');
  const today = tenantTodayIso(tz || undefined);
  setHtml(slot, html`
    ${schedulerCard(state.status, 'ventas')}
    <section class="card etl-section">
      <h2>Sincronización manual</h2>
      <form class="etl-form" data-form="ventas">
        <label class="field">Tienda<select name="ubicacion_id"><option value="">Todas las tiendas (${stores.length})</option>
          ${stores.map((s) => html`<option value="${s.id}">${s.nombre}</option>`)}</select></label>
        <label class="field">Fecha inicio<input type="date" name="fecha_inicio" max="${today}"></label>
        <label class="field">Fecha fin<input type="date" name="fecha_fin" max="${today}"></label>
        <button type="submit" class="btn btn-primary" data-action="run-ventas">Ejecutar</button>
      </form>
      <p class="muted">Sin fechas se ejecuta la ventana horaria (desde la última marca de agua de cada tienda); con fechas se recargan días completos.</p>
      <div data-slot="live"></div>
    </section>
    <section class="card etl-section">
      <h2>Frescura de datos por tienda</h2>
      ${fresh.items.length ? html`<div class="etl-scroll"><table class="data-table" data-table="frescura">
        <thead><tr><th>Tienda</th><th class="num">Líneas</th><th>Primera fecha</th><th>Última fecha</th><th class="num">Días atrasados</th>
          <th class="num">Completitud</th><th class="num">Días faltantes</th><th>Última ventana</th><th></th></tr></thead>
        <tbody>${fresh.items.map((f) => html`<tr data-ubicacion="${f.ubicacion_id}">
          <th>${f.nombre || f.ubicacion_id}</th><td class="num">${formatInteger(f.total_lineas)}</td>
          <td>${formatDate(f.primera_fecha)}</td><td>${formatDate(f.ultima_fecha)}</td>
          <td class="num"><span class="badge badge-${FRESH_BADGE[f.badge]}">${f.dias_atrasados === null ? 'sin datos' : formatInteger(f.dias_atrasados)}</span></td>
          <td class="num">${formatNumber(f.completitud_pct, 2)} %</td><td class="num">${formatInteger(f.dias_faltantes)}</td>
          <td>${localTs(f.ultimo_fin_exitoso)}</td>
          <td><button type="button" class="btn" data-action="actualizar" data-id="${f.ubicacion_id}" data-desde="${f.ultima_fecha || today}">Actualizar</button>
            ${f.tiene_gaps_historicos ? html`<button type="button" class="btn" data-action="recuperar" data-id="${f.ubicacion_id}" data-desde="${f.primera_fecha}" data-hasta="${f.ultima_fecha}">Recuperar</button>` : ''}</td>
        </tr>`)}</tbody></table></div>` : emptyState('Sin tiendas', 'No hay tiendas con conector POS configurado.')}
    </section>`);
  const live = slot.querySelector('[data-slot="live"]');
  const form = slot.querySelector('[data-form="ventas"]');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const body = {};
    for (const k of ['ubicacion_id', 'fecha_inicio', 'fecha_fin']) if (fd.get(k)) body[k] = fd.get(k);
    startRun(state, '/api/etl/sync/ventas', body, live, form.querySelector('[type="submit"]'));
  });
  slot.querySelectorAll('[data-action="actualizar"], [data-action="recuperar"]').forEach((b) => b.addEventListener('click', () => {
    const body = { ubicacion_id: b.dataset.id, fecha_inicio: b.dataset.desde, fecha_fin: b.dataset.hasta || today };
    live.scrollIntoView({ block: 'nearest' });
    startRun(state, '/api/etl/sync/ventas', body, live, b);
  }));
  watchRunning(state, 'ventas', live);
}

// Shows the run already in progress for this job, if any.
function watchRunning(state, job, live) {
  const running = (state.status.en_ejecucion || []).find((r) => (job === 'inventario' ? r.job_key === 'inventario' : r.job_key !== 'inventario'));
  if (running && running.execution_id) watchExecution(state, running.execution_id, live);
}

// ---------- inventario tab ----------

async function renderInventory(state, slot) {
  const locs = state.status.ubicaciones || [];
  const tiendas = locs.filter((u) => u.tipo === 'tienda').length;
  const cedis = locs.filter((u) => u.tipo === 'cedi').length;
  setHtml(slot, html`
    ${schedulerCard(state.status, 'inventario')}
    <section class="card etl-section">
      <h2>Sincronización manual de inventario</h2>
      <form class="etl-form" data-form="inventario">
        <label class="field">Ubicación<select name="ubicacion_id">
          <option value="">Todas las ubicaciones (${tiendas} tiendas + ${cedis} CEDIs)</option>
          ${locs.map((s) => html`<option value="${s.id}">${s.nombre} (${s.sistema_pos.toUpperCase()})</option>`)}</select></label>
        <label class="filters"><input type="checkbox" name="forzar"> Forzar listados truncados (&lt; 50 % del anterior)</label>
        <button type="submit" class="btn btn-primary" data-action="run-inventario">Ejecutar</button>
      </form>
      <p class="muted">Cada almacén se reemplaza completo en una transacción; un listado vacío o truncado nunca borra el stock.</p>
      <div data-slot="live"></div>
    </section>`);
  const live = slot.querySelector('[data-slot="live"]');
  const form = slot.querySelector('[data-form="inventario"]');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const body = { forzar: fd.get('forzar') === 'on' };
    if (fd.get('ubicacion_id')) body.ubicacion_id = fd.get('ubicacion_id');
    startRun(state, '/api/etl/sync', body, live, form.querySelector('[type="submit"]'));
  });
  watchRunning(state, 'inventario', live);
}

// ---------- historial tab ----------

async function renderHistory(state, slot) {
  setHtml(slot, html`
    <section class="card etl-section">
      <form class="etl-form" data-form="historial">
        <label class="field">Tipo<select name="etl_name"><option value="">Todos</option><option value="ventas">Ventas</option><option value="inventario">Inventario</option></select></label>
        <label class="field">Estado<select name="status"><option value="">Todos</option>
          ${['success', 'partial', 'failed', 'running', 'killed'].map((s) => html`<option value="${s}">${STATUS_LABEL[s]}</option>`)}</select></label>
        <label class="field">Origen<select name="triggered_by"><option value="">Todos</option><option value="scheduler">Programador</option><option value="admin">Administrador</option><option value="cli">CLI</option></select></label>
        <label class="field">Desde<input type="date" name="fecha_desde"></label>
        <label class="field">Hasta<input type="date" name="fecha_hasta"></label>
        <button type="submit" class="btn btn-primary">Filtrar</button>
      </form>
    </section>
    <div data-slot="stats"></div>
    <div data-slot="rows"></div>`);
  const form = slot.querySelector('[data-form="historial"]');
  const rows = slot.querySelector('[data-slot="rows"]');
  const load = async () => {
    const fd = new FormData(form);
    const qs = new URLSearchParams({ limit: '50' });
    for (const [k, v] of fd.entries()) if (v) qs.set(k, v);
    try {
      const [list, stats] = await Promise.all([
        apiGet(`/api/etl/history?${qs}`, { signal: state.ctx.signal }),
        apiGet(`/api/etl/stats?dias=7${fd.get('etl_name') ? `&etl_name=${fd.get('etl_name')}` : ''}`, { signal: state.ctx.signal }),
      ]);
      setHtml(slot.querySelector('[data-slot="stats"]'), html`<div class="kpis">
        <div class="kpi"><span class="kpi-label">Ejecuciones (7 días)</span><span class="kpi-value">${formatInteger(stats.total)}</span>
          <span class="kpi-hint">${stats.exitosas} exitosas · ${stats.parciales} parciales · ${stats.fallidas} fallidas</span></div>
        <div class="kpi"><span class="kpi-label">Tasa de éxito</span><span class="kpi-value" data-kpi="success_rate">${formatNumber(stats.success_rate, 2)} %</span></div>
        <div class="kpi"><span class="kpi-label">Duración promedio</span><span class="kpi-value">${seconds(stats.duracion_promedio_s)}</span></div>
        <div class="kpi"><span class="kpi-label">Registros cargados</span><span class="kpi-value">${formatInteger(stats.total_cargados)}</span>
          <span class="kpi-hint">${formatInteger(stats.total_duplicados)} duplicados omitidos</span></div></div>`);
      setHtml(rows, list.items.length ? html`<div class="card etl-scroll"><table class="data-table" data-table="historial">
        <thead><tr><th class="num">#</th><th>Job</th><th>Tipo</th><th>Origen</th><th>Inicio</th><th class="num">Duración</th><th>Estado</th>
          <th class="num">Ubicaciones OK/fallidas</th><th class="num">Cargados</th><th class="num">Cuarentena</th><th>Error</th><th></th></tr></thead>
        <tbody>${list.items.map((e) => html`<tr data-execution="${e.id}">
          <td class="num">${e.id}</td><td>${e.etl_name}</td><td>${TYPE_LABEL[e.etl_type] || e.etl_type}</td>
          <td>${e.triggered_by}${e.usuario ? ` (${e.usuario})` : ''}</td><td>${formatDateTime(e.started_at)}</td>
          <td class="num">${seconds(e.duration_seconds)}</td><td>${statusBadge(e.status)}</td>
          <td class="num">${e.tiendas_exitosas}/${e.tiendas_fallidas}</td><td class="num">${formatInteger(e.records_loaded)}</td>
          <td class="num">${formatInteger(e.records_failed)}</td><td class="etl-error">${e.error_category || ''}</td>
          <td><button type="button" class="btn btn-ghost" data-action="detail" data-id="${e.id}">Detalle</button></td></tr>`)}</tbody></table></div>
        <p class="muted">${list.total} ejecuciones en total.</p>` : emptyState('Sin ejecuciones', 'No hay ejecuciones que coincidan con los filtros.'));
      rows.querySelectorAll('[data-action="detail"]').forEach((b) => b.addEventListener('click', () => openDetail(state, Number(b.dataset.id))));
      return list.items.some((e) => e.status === 'running');
    } catch (e) {
      if (!isAbort(e)) showError(rows, e, load);
      return false;
    }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  await load();
  // Refreshed every 30 s while a run is in progress (§9.6).
  const timer = setInterval(async () => {
    const running = await load();
    if (!running && !(state.status.en_ejecucion || []).length) clearInterval(timer);
  }, 30000);
  state.timers.push(timer);
}

async function openDetail(state, id) {
  const dlg = document.createElement('dialog');
  dlg.className = 'modal';
  dlg.style.maxWidth = '96vw';
  dlg.style.width = 'min(1200px, 96vw)';
  document.body.append(dlg);
  dlg.addEventListener('close', () => dlg.remove());
  setHtml(dlg, html`<div class="modal-form"><div class="modal-head"><h2>Ejecución #${id}</h2>
    <button type="button" class="modal-close" aria-label="Cerrar" data-action="close">×</button></div>
    <div class="modal-body" data-slot="body">${skeletonBlock({ rows: 4 })}</div></div>`);
  dlg.querySelector('[data-action="close"]').addEventListener('click', () => dlg.close());
  dlg.showModal();
  const body = dlg.querySelector('[data-slot="body"]');
  try {
    const [ex, q] = await Promise.all([apiGet(`/api/etl/history/${id}`), apiGet(`/api/etl/history/${id}/cuarentena`)]);
    setHtml(body, html`
      <div class="etl-kv">
        <span class="muted">Estado</span><span>${statusBadge(ex.status)}</span>
        <span class="muted">Job</span><span>${ex.etl_name} · ${TYPE_LABEL[ex.etl_type] || ex.etl_type} · ${ex.triggered_by}${ex.usuario ? ` (${ex.usuario})` : ''}</span>
        <span class="muted">Inicio / fin</span><span>${formatDateTime(ex.started_at)} → ${formatDateTime(ex.finished_at)} (${seconds(ex.duration_seconds)})</span>
        <span class="muted">Ventana</span><span>${localTs(ex.fecha_desde)} – ${localTs(ex.fecha_hasta)}</span>
        <span class="muted">Registros</span><span>${formatInteger(ex.records_extracted)} leídos · ${formatInteger(ex.records_loaded)} cargados (${formatInteger(ex.records_inserted)} nuevos) · ${formatInteger(ex.records_failed)} en cuarentena · ${formatInteger(ex.duplicates_skipped)} duplicados</span>
        <span class="muted">Tiempo por fase</span><span>extracción ${seconds(ex.extract_duration_seconds)} · transformación ${seconds(ex.transform_duration_seconds)} · carga ${seconds(ex.load_duration_seconds)}</span>
        <span class="muted">Solicitudes</span><span>${formatInteger(ex.api_requests_count)} (${formatInteger(ex.api_errors_count)} con error) · sistema ${ex.source_system || '-'}</span>
      </div>
      ${ex.error_message ? html`<div class="banner banner-error" role="alert"><strong>${ex.error_phase}/${ex.error_category}</strong> ${ex.error_message}</div>` : ''}
      ${detailRows(ex.detalles)}
      ${q.items.length ? html`<h3>Filas en cuarentena (${q.items.length})</h3><div class="etl-scroll"><table class="data-table">
        <thead><tr><th>Ubicación</th><th>Ventana</th><th>Categoría</th><th>Clave</th><th>Motivo</th></tr></thead>
        <tbody>${q.items.map((r) => html`<tr><td>${r.tienda_id}</td><td>${r.ventana || ''}</td><td>${r.categoria}</td><td><code>${r.clave || ''}</code></td><td class="etl-error">${r.motivo}</td></tr>`)}</tbody></table></div>` : ''}`);
  } catch (e) {
    showError(body, e, null, 'No se pudo cargar la ejecución');
  }
}

// ---------- cobertura tab ----------

async function renderCoverageTab(state, slot) {
  const stores = (state.status.ubicaciones || []).filter((u) => u.tipo === 'tienda');
  if (!stores.length) {
    setHtml(slot, emptyState('Sin tiendas', 'No hay tiendas con conector POS configurado.'));
    return;
  }
  setHtml(slot, html`
    <section class="card etl-section">
      <form class="etl-form" data-form="cobertura">
        <label class="field">Tienda<select name="ubicacion_id">${stores.map((s) => html`<option value="${s.id}">${s.nombre}</option>`)}</select></label>
        <label class="field">Vista<select name="vista"><option value="90d">Últimos 3 meses</option><option value="historico">Histórico completo</option></select></label>
      </form>
    </section>
    <div data-slot="cal"></div>
    <section class="card etl-section"><h2>Ventanas pendientes de recuperar</h2><div data-slot="gaps"></div></section>`);
  const form = slot.querySelector('[data-form="cobertura"]');
  const cal = slot.querySelector('[data-slot="cal"]');
  const load = async () => {
    const fd = new FormData(form);
    setHtml(cal, skeletonBlock({ cards: 4, rows: 4 }));
    try {
      const c = await apiGet(`/api/etl/cobertura?ubicacion_id=${encodeURIComponent(fd.get('ubicacion_id'))}&vista=${fd.get('vista')}`, { signal: state.ctx.signal });
      setHtml(cal, calendarView(c));
    } catch (e) {
      if (!isAbort(e)) showError(cal, e, load);
    }
  };
  form.addEventListener('change', load);
  await load();
  await loadGaps(state, slot.querySelector('[data-slot="gaps"]'));
}

function calendarView(c) {
  const r = c.resumen;
  const byMonth = new Map();
  for (const d of c.dias) {
    const m = d.fecha.slice(0, 7);
    if (!byMonth.has(m)) byMonth.set(m, []);
    byMonth.get(m).push(d);
  }
  const monthInfo = new Map(c.meses.map((m) => [m.mes, m]));
  return html`<div class="kpis kpis-5">
      <div class="kpi"><span class="kpi-label">Período</span><span class="kpi-value">${formatDate(c.desde)} – ${formatDate(c.hasta)}</span></div>
      <div class="kpi"><span class="kpi-label">Días con datos</span><span class="kpi-value" data-kpi="dias_con_datos">${formatInteger(r.dias_con_datos)} / ${formatInteger(r.total_dias)}</span></div>
      <div class="kpi"><span class="kpi-label">Días faltantes</span><span class="kpi-value">${formatInteger(r.dias_faltantes)}</span></div>
      <div class="kpi"><span class="kpi-label">Cobertura</span><span class="kpi-value" data-kpi="cobertura">${formatNumber(r.cobertura_pct, 1)} %</span></div>
      <div class="kpi"><span class="kpi-label">Días anómalos</span><span class="kpi-value" data-kpi="anomalos"
        title="Volumen de líneas fuera de μ ± 2σ de los días con datos">${formatInteger(r.dias_bajo)} bajos · ${formatInteger(r.dias_alto)} altos</span></div>
    </div>
    <section class="card etl-section"><div class="etl-cal">
      ${[...byMonth.entries()].map(([m, days]) => {
        const info = monthInfo.get(m) || { porcentaje: 0, color: 'rojo' };
        const first = new Date(`${days[0].fecha}T00:00:00Z`).getUTCDay();
        const pad = (first + 6) % 7; // Monday first
        return html`<div class="etl-month" data-month="${m}"><h3><span>${m}</span><span>${formatNumber(info.porcentaje, 1)} %</span></h3>
          <div class="etl-bar"><span style="width:${Math.min(100, info.porcentaje)}%;background:${MONTH_COLOUR[info.color]}"></span></div>
          <div class="etl-days">${Array.from({ length: pad }, () => html`<span></span>`)}
            ${days.map((d) => {
              const odd = d.anomalia === 'BAJO' || d.anomalia === 'ALTO';
              return html`<span class="etl-day" data-fecha="${d.fecha}" data-color="${d.color}" data-anomalia="${odd ? d.anomalia : ''}"
                style="background:${DAY_COLOUR[d.color]};${d.color === 'verde_oscuro' ? 'color:#fff;' : ''}${odd ? 'outline:2px solid #b45309;outline-offset:-2px' : ''}"
                title="${formatDate(d.fecha)}: ${formatInteger(d.lineas)} líneas · ${formatNumber(d.venta_total, 2)} USD${odd ? ` · volumen ${d.anomalia === 'BAJO' ? 'bajo' : 'alto'}` : ''}">${Number(d.fecha.slice(8))}</span>`;
            })}</div></div>`;
      })}
    </div><p class="muted">Rojo: sin datos · amarillo: menos de 100 líneas · verde claro: 100–999 · verde oscuro: 1000 o más · recuadro naranja: volumen anómalo (fuera de μ ± 2σ).</p></section>`;
}

async function loadGaps(state, slot) {
  try {
    const g = await apiGet('/api/etl/gaps', { signal: state.ctx.signal });
    const rows = [
      ...g.ventanas_fallidas.map((x) => ({ ...x, tipo: 'Ventana fallida' })),
      ...g.tiendas_atrasadas.map((x) => ({ ...x, tipo: 'Tienda atrasada', ventana_desde: x.ultimo_fin_exitoso })),
    ];
    setHtml(slot, rows.length ? html`<div class="etl-scroll"><table class="data-table" data-table="gaps">
      <thead><tr><th>Tienda</th><th>Tipo</th><th>Ventana / último dato</th><th>Urgencia</th><th>Error</th><th></th></tr></thead>
      <tbody>${rows.map((x) => html`<tr data-tienda="${x.tienda_id}">
        <th>${x.tienda_nombre || x.tienda_id}</th><td>${x.tipo}</td>
        <td>${x.ventana_desde ? `${localTs(x.ventana_desde)}${x.ventana_hasta ? ` – ${localTs(x.ventana_hasta)}` : ''}` : 'nunca'}</td>
        <td>${x.urgencia}${x.fallo_en ? html` <span class="muted">(${formatRelative(x.fallo_en)})</span>` : ''}</td>
        <td class="etl-error">${x.error_category ? `${x.error_category}: ${x.error_message || ''}` : ''}</td>
        <td><button type="button" class="btn" data-action="recuperar-gap" data-id="${x.tienda_id}" data-exec="${x.execution_id || ''}"
          data-desde="${x.ventana_desde ? x.ventana_desde.slice(0, 10) : ''}" data-hasta="${x.ventana_hasta ? x.ventana_hasta.slice(0, 10) : ''}">Recuperar</button></td></tr>`)}</tbody></table></div>
      <div data-slot="live"></div>` : emptyState('Sin pendientes', 'No hay ventanas fallidas ni tiendas atrasadas en los últimos 7 días.'));
    const live = slot.querySelector('[data-slot="live"]');
    slot.querySelectorAll('[data-action="recuperar-gap"]').forEach((b) => b.addEventListener('click', () => {
      const body = { ubicacion_id: b.dataset.id };
      if (b.dataset.desde && b.dataset.hasta) { body.fecha_inicio = b.dataset.desde; body.fecha_fin = b.dataset.hasta; }
      if (b.dataset.exec) body.recuperar_gap_id = Number(b.dataset.exec);
      startRun(state, '/api/etl/sync/ventas', body, live, b);
    }));
  } catch (e) {
    if (!isAbort(e)) showError(slot, e, () => loadGaps(state, slot));
  }
}
