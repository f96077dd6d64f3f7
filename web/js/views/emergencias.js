// "Emergencias de inventario" (spec 40 §4.8): each store's latest scan — products that will
// not last the rest of today — with counts per type, the store's intensity factor, anomalies,
// the "Escanear ahora" button, the product detail (curves of the day and the projected stock
// line in plain SVG) and the per-store settings (thresholds, recipients, enable/disable).
import { apiGet, apiPost, apiPut, isAbort } from '../api.js';
import { html, raw, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDateTime } from '../format.js';
import { openDialog } from '../dialog.js';
import { barLineChart, legend } from '../charts.js';

const TYPES = [
  ['STOCKOUT', 'Agotado', 'stockout'], ['CRITICO', 'Crítico', 'critico'], ['INMINENTE', 'Inminente', 'inminente'], ['ALERTA', 'Alerta', 'alerta'],
];
const TYPE_LABEL = Object.fromEntries(TYPES.map(([k, l]) => [k, l]));
const TYPE_CLASS = Object.fromEntries(TYPES.map(([k, , c]) => [k, c]));
const LEVEL = { MUY_BAJO: 'muy bajo', BAJO: 'bajo', NORMAL: 'normal', ALTO: 'alto', MUY_ALTO: 'muy alto' };
const PHASE = { antes_de_abrir: 'Antes de abrir', abierta: 'Abierta', cerrada: 'Cerrada' };
const pct = (v) => `${formatNumber(v * 100, 0)} %`;
const badge = (t) => html`<span class="${`badge emg-${TYPE_CLASS[t] || 'alerta'}`}">${TYPE_LABEL[t] || t}</span>`;
const localTime = (s) => (s ? `${s.slice(8, 10)}/${s.slice(5, 7)} ${s.slice(11, 16)}` : '-');

export async function render(container, ctx) {
  const canScan = ctx.can('emergencias.scan');
  const canConfig = ctx.can('emergencias.config');
  const f = { tienda: ctx.query.get('tienda') || '', tipo: ctx.query.get('tipo') || '', abc: '', search: '' };
  setHtml(container, html`<div class="page-head"><div><h1>Emergencias de inventario</h1>
      <p class="subtitle" data-role="subtitle">Productos cuyo stock no alcanza para lo que falta del día, según el ritmo de venta de hoy.</p></div>
      <div class="actions">${canScan ? html`<button type="button" class="btn btn-primary" data-role="scan">Escanear ahora</button>` : ''}
      <button type="button" class="btn" data-role="refresh">Actualizar</button></div></div>
    <div class="banner" data-role="notice" role="status" hidden></div>
    <div class="kpis" data-role="cards"></div>
    ${legend(TYPES.map(([, l, c]) => [`emg-key-${c}`, l]))}
    <section data-role="stores" aria-label="Resumen por tienda">${skeletonBlock({ rows: 3 })}</section>
    <form class="card filter-bar filters wrap" data-role="filters" autocomplete="off">
      <label>Buscar <input type="search" name="search" placeholder="Código o descripción"></label>
      <label>Tienda <select name="tienda"><option value="">Todas</option></select></label>
      <label>Tipo <select name="tipo"><option value="">Todos</option>${TYPES.map(([k, l]) => html`<option value="${k}">${l}</option>`)}</select></label>
      <label>ABC <select name="abc"><option value="">Todas</option>${['A', 'B', 'C', 'D'].map((c) => html`<option value="${c}">${c}</option>`)}</select></label>
    </form>
    <section data-role="table">${skeletonBlock({ rows: 8 })}</section>
    <details class="card emg-section" data-role="anomalies-box"><summary>Anomalías de stock <span data-role="anomaly-count" class="muted"></span></summary><div data-role="anomalies"></div></details>
    <section class="emg-section" data-role="config-box"><h2>Configurar tiendas</h2><div data-role="config">${skeletonBlock({ rows: 3 })}</div></section>`);
  const $ = (r) => container.querySelector(`[data-role=${r}]`);
  const form = $('filters');
  form.elements.tienda.value = f.tienda;
  form.elements.tipo.value = f.tipo;
  let data = null;
  let configs = [];
  let rows = [];

  const notice = (text, kind = 'info') => {
    const el = $('notice');
    el.className = `banner banner-${kind}`;
    el.textContent = text;
    el.hidden = !text;
  };

  const visible = () => {
    const s = f.search.toLowerCase();
    return data.emergencias.filter((e) => (!f.tienda || e.ubicacion_id === f.tienda) && (!f.tipo || e.tipo === f.tipo) && (!f.abc || e.clase_abc === f.abc)
      && (!s || e.producto_codigo.toLowerCase().includes(s) || e.descripcion.toLowerCase().includes(s)));
  };

  const drawCards = () => {
    const inScope = data.emergencias.filter((e) => !f.tienda || e.ubicacion_id === f.tienda);
    const count = (t) => inScope.filter((e) => e.tipo === t).length;
    setHtml($('cards'), html`${TYPES.map(([k, l, c]) => html`<button type="button" class="kpi kpi-button" data-type="${k}" aria-pressed="${f.tipo === k ? 'true' : 'false'}">
      <span class="kpi-label">${l}</span><span class="${`kpi-value emg-text-${c}`}">${formatInteger(count(k))}</span>
      <span class="kpi-hint">${k === 'STOCKOUT' ? 'Sin stock' : k === 'CRITICO' ? 'Cubre menos del umbral crítico' : k === 'INMINENTE' ? 'Cubre menos del umbral inminente' : 'Cubre menos del umbral de alerta'}</span></button>`)}`);
  };

  const drawStores = () => {
    const el = $('stores');
    if (!data.resumen_tiendas.length) {
      const enabled = configs.filter((c) => c.habilitado).length;
      setHtml(el, emptyState(enabled ? 'Aún no hay escaneos' : 'Ninguna tienda habilitada',
        enabled ? 'Pulse «Escanear ahora» para analizar las tiendas habilitadas; el programador escanea cada 30 minutos mientras están abiertas.'
          : 'Habilite una tienda en «Configurar tiendas» para empezar a detectar emergencias.'));
      return;
    }
    const scanOf = Object.fromEntries(data.escaneos.map((s) => [s.ubicacion_id, s]));
    setHtml(el, html`<div class="card table-card"><table class="data-table" data-role="store-summary">
      <thead><tr><th>Tienda</th><th>Estado</th><th>Último escaneo</th><th class="num">Día transcurrido</th><th class="num">Factor</th>
      <th>Perfil</th>${TYPES.map(([, l]) => html`<th class="num">${l}</th>`)}<th class="num">Analizados</th></tr></thead>
      <tbody>${data.resumen_tiendas.map((s) => html`<tr tabindex="0" data-store="${s.ubicacion_id}" class="${f.tienda === s.ubicacion_id ? 'selected' : ''}">
        <th scope="row">${s.ubicacion_nombre}<span class="muted small"> · ${s.hora_apertura}–${s.hora_cierre}</span></th>
        <td>${PHASE[s.estado_tienda] || s.estado_tienda}</td>
        <td title="${scanOf[s.ubicacion_id] ? `${scanOf[s.ubicacion_id].disparado_por}${scanOf[s.ubicacion_id].usuario ? ` · ${scanOf[s.ubicacion_id].usuario}` : ''}` : ''}">${scanOf[s.ubicacion_id] ? localTime(scanOf[s.ubicacion_id].evaluado_en) : '-'}</td>
        <td class="num">${formatNumber(s.porcentaje_dia_transcurrido, 1)} %</td>
        <td class="num" title="${`Venta real ${formatNumber(s.venta_real)} de ${formatNumber(s.venta_esperada)} esperados`}">${formatNumber(s.factor_intensidad, 2)} <span class="muted small">${LEVEL[s.nivel_intensidad] || ''}</span></td>
        <td>${s.perfil === 'aprendido' ? `Aprendido (${s.dias_perfil} días)` : 'Por defecto'}</td>
        <td class="num">${s.emergencias.stockout ? html`<span class="badge emg-stockout">${formatInteger(s.emergencias.stockout)}</span>` : '0'}</td>
        <td class="num">${s.emergencias.critico ? html`<span class="badge emg-critico">${formatInteger(s.emergencias.critico)}</span>` : '0'}</td>
        <td class="num">${formatInteger(s.emergencias.inminente)}</td><td class="num">${formatInteger(s.emergencias.alerta)}</td>
        <td class="num">${formatInteger(s.productos_analizados)}</td></tr>`)}</tbody></table></div>`);
  };

  const drawTable = () => {
    const el = $('table');
    rows = visible();
    if (!data.emergencias.length) {
      setHtml(el, data.resumen_tiendas.length ? emptyState('Sin emergencias', 'El stock de cada producto cubre lo que falta del día en las tiendas escaneadas.') : '');
      return;
    }
    if (!rows.length) { setHtml(el, emptyState('Nada con estos filtros', 'Pruebe con otra tienda, tipo o clase.')); return; }
    setHtml(el, html`<div class="card table-card"><table class="data-table" data-role="emergencies">
      <thead><tr><th>Producto</th><th>Tienda</th><th>ABC</th><th>Tipo</th><th class="num">Stock</th><th class="num">Demanda restante</th>
      <th class="num">Cobertura</th><th class="num">Factor</th><th>Se agota</th><th><span class="sr-only">Acciones</span></th></tr></thead>
      <tbody>${rows.map((e, i) => html`<tr data-index="${i}" tabindex="0">
        <td class="desc" title="${e.descripcion}"><span class="code">${e.producto_codigo}</span> ${e.descripcion}${e.categoria ? html`<span class="muted cat"> · ${e.categoria}</span>` : ''}</td>
        <td>${e.ubicacion_nombre}</td><td>${e.clase_abc}</td><td>${badge(e.tipo)}</td>
        <td class="num">${formatNumber(e.stock_actual, 0)}</td><td class="num">${formatNumber(e.demanda_restante, 1)}</td>
        <td class="num">${formatNumber(e.cobertura_pct, 1)} %</td><td class="num">${formatNumber(e.factor_intensidad, 2)}</td>
        <td>${e.hora_agotamiento ? (e.horas_restantes === 0 ? 'Ya agotado' : `${e.hora_agotamiento} (${formatNumber(e.horas_restantes, 1)} h)`) : 'Después del cierre'}</td>
        <td><button type="button" class="btn btn-sm" data-detail="${i}">Ver detalle</button></td></tr>`)}</tbody></table></div>`);
  };

  const drawAnomalies = () => {
    $('anomaly-count').textContent = `(${formatInteger(data.anomalias.length)})`;
    setHtml($('anomalies'), data.anomalias.length ? html`<table class="data-table"><thead><tr><th>Tienda</th><th>Producto</th><th>Almacén</th><th>Tipo</th><th>Severidad</th><th class="num">Detectado</th><th>Descripción</th></tr></thead>
      <tbody>${data.anomalias.map((a) => html`<tr><td>${(configs.find((c) => c.ubicacion_id === a.ubicacion_id) || {}).ubicacion_nombre || a.ubicacion_id}</td><td><span class="code">${a.producto_codigo}</span> ${a.descripcion_producto}</td>
        <td>${a.almacen_codigo || '-'}</td><td>${a.tipo}</td><td>${a.severidad}</td><td class="num">${formatNumber(a.valor_detectado, 2)}</td><td>${a.descripcion}</td></tr>`)}</tbody></table>`
      : html`<p class="muted">Sin anomalías en el último escaneo.</p>`);
  };

  const drawStoreFilter = () => {
    const sel = form.elements.tienda;
    const names = new Map(configs.map((c) => [c.ubicacion_id, c.ubicacion_nombre]));
    setHtml(sel, html`<option value="">Todas</option>${[...names].map(([id, n]) => html`<option value="${id}">${n}</option>`)}`);
    sel.value = f.tienda;
  };

  const drawConfig = () => {
    const el = $('config');
    if (!configs.length) { setHtml(el, emptyState('Sin tiendas', 'No hay tiendas activas visibles para usted.')); return; }
    setHtml(el, html`<div class="card table-card"><table class="data-table" data-role="config-table">
      <thead><tr><th>Tienda</th><th>Estado</th><th class="num">Crítico</th><th class="num">Inminente</th><th class="num">Alerta</th><th>Destinatarios</th>
      ${canConfig ? html`<th><span class="sr-only">Acciones</span></th>` : ''}</tr></thead>
      <tbody>${configs.map((c) => html`<tr data-store="${c.ubicacion_id}"><th scope="row">${c.ubicacion_nombre}</th>
        <td>${c.habilitado ? html`<span class="badge badge-optimo">Habilitada</span>` : html`<span class="badge badge-borrador">Deshabilitada</span>`}</td>
        <td class="num">${pct(c.umbral_critico)}</td><td class="num">${pct(c.umbral_inminente)}</td><td class="num">${pct(c.umbral_alerta)}</td>
        <td class="wrap">${c.emails_notificacion.length ? c.emails_notificacion.join(', ') : html`<span class="muted">—</span>`}${c.notificaciones_activas ? '' : html` <span class="muted small">(avisos pausados)</span>`}</td>
        ${canConfig ? html`<td class="actions-cell"><button type="button" class="btn btn-sm" data-edit="${c.ubicacion_id}">Editar</button>
          <button type="button" class="${`btn btn-sm${c.habilitado ? '' : ' btn-primary'}`}" data-toggle="${c.ubicacion_id}">${c.habilitado ? 'Deshabilitar' : 'Habilitar'}</button></td>` : ''}</tr>`)}</tbody></table></div>`);
  };

  const drawAll = () => {
    const last = data.ultimo_escaneo;
    $('subtitle').textContent = last
      ? `Productos cuyo stock no alcanza para lo que falta del día. Último escaneo: ${formatDateTime(last)}.`
      : 'Productos cuyo stock no alcanza para lo que falta del día, según el ritmo de venta de hoy.';
    drawCards();
    drawStores();
    drawTable();
    drawAnomalies();
  };

  const load = async () => {
    $('table').setAttribute('aria-busy', 'true');
    try {
      const [latest, cfg] = await Promise.all([
        apiGet('/api/emergencias', { signal: ctx.signal }),
        apiGet('/api/emergencias/config/tiendas', { signal: ctx.signal }),
      ]);
      data = latest;
      configs = cfg.tiendas;
      drawStoreFilter();
      drawConfig();
      drawAll();
    } catch (e) {
      if (isAbort(e)) return;
      showError($('table'), e, load, 'No se pudieron cargar las emergencias');
    } finally {
      $('table').removeAttribute('aria-busy');
    }
  };

  const scan = async () => {
    const btn = $('scan');
    btn.disabled = true;
    btn.textContent = 'Escaneando…';
    notice('');
    try {
      const body = { origen: 'MANUAL' };
      if (f.tienda) body.tiendas = [f.tienda];
      const r = await apiPost('/api/emergencias/scan', body, { signal: ctx.signal });
      notice(r.tiendas.length
        ? `Escaneo terminado en ${formatInteger(r.duracion_ms)} ms: ${formatInteger(r.totales.total)} emergencias en ${formatInteger(r.tiendas.length)} tienda(s), ${formatInteger(r.productos_analizados)} productos analizados.`
        : 'No hay tiendas habilitadas para escanear.', r.tiendas.length ? 'info' : 'warning');
      await load();
    } catch (e) {
      if (!isAbort(e)) notice(e.detail || 'No se pudo escanear.', 'error');
    } finally {
      btn.disabled = false;
      btn.textContent = 'Escanear ahora';
    }
  };

  const editConfig = (id) => {
    const c = configs.find((x) => x.ubicacion_id === id);
    const field = (name, label, v) => html`<div class="field"><label for="${`emg-${name}`}">${label} (%)</label>
      <input id="${`emg-${name}`}" name="${name}" type="number" min="1" max="100" step="1" value="${formatNumber(v * 100, 0).replace(',', '.')}" required>
      <p class="field-error" data-error-for="${name}" hidden></p></div>`;
    openDialog(container, {
      title: `Emergencias · ${c.ubicacion_nombre}`,
      intro: 'La cobertura es el stock dividido por la demanda que falta del día. Cada umbral debe ser mayor que el anterior (crítico < inminente < alerta ≤ 100 %).',
      submitLabel: c.configurada ? 'Guardar' : 'Guardar y habilitar',
      body: () => html`<div class="form-grid">${field('umbral_critico', 'Crítico', c.umbral_critico)}${field('umbral_inminente', 'Inminente', c.umbral_inminente)}
        ${field('umbral_alerta', 'Alerta', c.umbral_alerta)}
        <div class="field"><label class="check"><input type="checkbox" name="notificaciones_activas" ${c.notificaciones_activas ? raw('checked') : ''}> Enviar correos de agotados y críticos</label></div>
        <div class="field span-2"><label for="emg-emails">Destinatarios (separados por coma)</label>
        <input id="emg-emails" name="emails_notificacion" type="text" value="${c.emails_notificacion.join(', ')}">
        <p class="field-error" data-error-for="emails_notificacion" hidden></p></div></div>`,
      onSubmit: async (fm) => {
        const num = (n) => Number(String(fm.elements[n].value).replace(',', '.')) / 100;
        const body = {
          umbral_critico: num('umbral_critico'), umbral_inminente: num('umbral_inminente'), umbral_alerta: num('umbral_alerta'),
          emails_notificacion: fm.elements.emails_notificacion.value.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean),
          notificaciones_activas: fm.elements.notificaciones_activas.checked,
        };
        if (c.configurada) await apiPut(`/api/emergencias/config/tiendas/${encodeURIComponent(id)}`, body);
        else await apiPost(`/api/emergencias/config/tiendas/${encodeURIComponent(id)}/habilitar`, body);
        await load();
      },
    });
  };

  const toggle = async (id) => {
    const c = configs.find((x) => x.ubicacion_id === id);
    try {
      await apiPost(`/api/emergencias/config/tiendas/${encodeURIComponent(id)}/${c.habilitado ? 'deshabilitar' : 'habilitar'}`, {});
      notice(c.habilitado ? `Emergencias deshabilitadas en ${c.ubicacion_nombre}.` : `Emergencias habilitadas en ${c.ubicacion_nombre}.`);
      await load();
    } catch (e) {
      if (!isAbort(e)) notice(e.detail || 'No se pudo cambiar la tienda.', 'error');
    }
  };

  form.addEventListener('input', (ev) => { if (ev.target.name === 'search') { f.search = ev.target.value.trim(); if (data) drawTable(); } });
  form.addEventListener('change', (ev) => {
    if (!ev.target.name || ev.target.name === 'search') return;
    f[ev.target.name] = ev.target.value;
    ctx.setQuery(Object.fromEntries(Object.entries({ tienda: f.tienda, tipo: f.tipo }).filter(([, v]) => v)));
    if (data) { drawCards(); drawStores(); drawTable(); }
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  $('refresh').addEventListener('click', load);
  if (canScan) $('scan').addEventListener('click', scan);
  $('cards').addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-type]');
    if (!b) return;
    f.tipo = f.tipo === b.dataset.type ? '' : b.dataset.type;
    form.elements.tipo.value = f.tipo;
    drawCards(); drawTable();
  });
  $('stores').addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr[data-store]');
    if (!tr) return;
    f.tienda = f.tienda === tr.dataset.store ? '' : tr.dataset.store;
    form.elements.tienda.value = f.tienda;
    drawCards(); drawStores(); drawTable();
  });
  $('config').addEventListener('click', (ev) => {
    const e = ev.target.closest('[data-edit]');
    if (e) { editConfig(e.dataset.edit); return; }
    const t = ev.target.closest('[data-toggle]');
    if (t) toggle(t.dataset.toggle);
  });
  $('table').addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-detail]');
    if (b) openDetail(container, rows[Number(b.dataset.detail)], ctx, () => b.focus());
  });
  $('table').addEventListener('keydown', (ev) => {
    const row = ev.target.closest('tr[data-index]');
    if (!row) return;
    if (ev.key === 'Enter' && ev.target === row) { ev.preventDefault(); openDetail(container, rows[Number(row.dataset.index)], ctx, () => row.focus()); }
    if (ev.key === 'ArrowDown' && row.nextElementSibling) { ev.preventDefault(); row.nextElementSibling.focus(); }
    if (ev.key === 'ArrowUp' && row.previousElementSibling) { ev.preventDefault(); row.previousElementSibling.focus(); }
  });

  await load();
}

// The day's cumulative curves: today (actual, then projected dashed), yesterday, same weekday
// last week, the same-weekday average, and a vertical "Ahora" line.
function cumulativeChart(d) {
  const W = 680; const H = 240; const pad = { l: 48, r: 14, t: 14, b: 28 };
  const pts = d.horas;
  const n = Math.max(1, pts.length);
  const series = [['hoy_acumulado', 'emg-line-hoy'], ['ayer_acumulado', 'emg-line-ayer'], ['semana_pasada_acumulado', 'emg-line-semana'], ['promedio_acumulado', 'emg-line-promedio']];
  const max = Math.max(1, ...pts.flatMap((p) => series.map(([k]) => p[k])));
  const nice = (() => { const p = 10 ** Math.floor(Math.log10(max)); const m = max / p; return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p; })();
  const iw = W - pad.l - pad.r; const ih = H - pad.t - pad.b;
  const x = (i) => pad.l + (n === 1 ? iw / 2 : (i * iw) / (n - 1));
  const y = (v) => pad.t + ih - (Math.max(0, v) / nice) * ih;
  const path = (k, from = 0, to = n - 1) => pts.slice(from, to + 1).map((p, j) => `${j ? 'L' : 'M'}${x(from + j).toFixed(1)},${y(p[k]).toFixed(1)}`).join(' ');
  const firstProj = pts.findIndex((p) => p.es_proyeccion);
  const actualEnd = firstProj === -1 ? n - 1 : Math.max(0, firstProj - 1);
  const nowIdx = pts.findIndex((p) => p.etiqueta.slice(0, 2) === d.hora_actual.slice(0, 2));
  const nowX = nowIdx >= 0 ? x(nowIdx) + (Number(d.hora_actual.slice(3, 5)) / 60) * (n > 1 ? iw / (n - 1) : 0) : null;
  const every = Math.max(1, Math.ceil(n / 12));
  return html`<svg class="chart emg-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Ventas acumuladas del día" data-role="cumulative-chart">
    ${[0, 0.25, 0.5, 0.75, 1].map((k) => html`<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(k * nice)}" y2="${y(k * nice)}" class="grid-line"></line>
      <text x="${pad.l - 6}" y="${y(k * nice) + 4}" text-anchor="end" class="axis">${formatNumber(k * nice, Number.isInteger(k * nice) ? 0 : 2)}</text>`)}
    ${series.slice(1).map(([k, cls]) => html`<path d="${path(k)}" class="${cls}"></path>`)}
    ${firstProj !== 0 ? html`<path d="${path('hoy_acumulado', 0, actualEnd)}" class="emg-line-hoy"></path>` : ''}
    ${firstProj !== -1 ? html`<path d="${path('hoy_acumulado', Math.max(0, firstProj - 1))}" class="emg-line-hoy projected"></path>` : ''}
    ${nowX !== null && d.estado_tienda === 'abierta' ? html`<line x1="${nowX}" x2="${nowX}" y1="${pad.t}" y2="${pad.t + ih}" class="emg-now"></line>
      <text x="${nowX + 4}" y="${pad.t + 10}" class="axis emg-now-label">Ahora</text>` : ''}
    ${pts.map((p, i) => (i % every === 0 ? html`<text x="${x(i)}" y="${H - 8}" text-anchor="middle" class="axis">${p.etiqueta.slice(0, 2)}h</text>` : ''))}
  </svg>`;
}

async function openDetail(host, e, ctx, onClose) {
  const dlg = document.createElement('dialog');
  dlg.className = 'modal emg-detail';
  dlg.setAttribute('aria-label', `Detalle de ${e.descripcion}`);
  setHtml(dlg, html`<div class="modal-form"><header class="modal-head"><h2>${e.producto_codigo} · ${e.descripcion}</h2>
    <button type="button" class="modal-close" data-action="close" aria-label="Cerrar">×</button></header>
    <div class="modal-body" data-role="detail-body"><div class="route-spinner" role="status"><span class="spinner"></span>Cargando…</div></div></div>`);
  host.append(dlg);
  dlg.addEventListener('close', () => { dlg.remove(); if (onClose) onClose(); });
  dlg.querySelector('[data-action=close]').addEventListener('click', () => dlg.close());
  dlg.showModal();
  const body = dlg.querySelector('[data-role=detail-body]');
  try {
    const d = await apiGet(`/api/emergencias/detalle/${encodeURIComponent(e.ubicacion_id)}/${encodeURIComponent(e.producto_codigo)}`, { signal: ctx.signal });
    const kpi = (label, value, hint = '') => html`<div class="kpi"><span class="kpi-label">${label}</span><span class="kpi-value small">${value}</span>${hint ? html`<span class="kpi-hint">${hint}</span>` : ''}</div>`;
    setHtml(body, html`<p class="muted">${d.ubicacion_nombre} · clase ${d.clase_abc} · ${d.categoria || 'sin categoría'} · evaluado a las ${d.hora_actual}
        ${d.tipo ? html` · ${badge(d.tipo)}` : ''}</p>
      <div class="kpis kpis-6">${kpi('Stock', formatNumber(d.stock_actual, 0), d.almacen_codigo || '')}
        ${kpi('Vendidas hoy', formatNumber(d.vendidas_hoy, 1), `Ayer ${formatNumber(d.vendidas_ayer, 1)} · hace 7 días ${formatNumber(d.vendidas_semana_pasada, 1)}`)}
        ${kpi('Promedio diario', formatNumber(d.promedio_diario_30d, 2), 'Últimos 30 días con venta')}
        ${kpi('Demanda restante', formatNumber(d.demanda_restante, 1), `Proyección del día ${formatNumber(d.venta_proyectada_dia, 1)}`)}
        ${kpi('Cobertura', d.cobertura_pct === null ? '-' : `${formatNumber(d.cobertura_pct, 1)} %`, `Factor ${formatNumber(d.factor_intensidad, 2)} (${LEVEL[d.nivel_intensidad] || ''})`)}
        ${kpi('Se agota', d.hora_agotamiento ? (d.horas_restantes === 0 ? 'Ya agotado' : d.hora_agotamiento) : 'No hoy', d.horas_restantes ? `En ${formatNumber(d.horas_restantes, 1)} h` : '')}</div>
      ${d.recomendacion ? html`<p class="banner banner-warning" data-role="recommendation"><strong>Recomendación:</strong> ${d.recomendacion}</p>` : ''}
      <ul class="emg-narrative">${d.narrativa.map((t) => html`<li>${t}</li>`)}</ul>
      <h3>Ventas acumuladas del día</h3>
      <div data-role="cumulative">${cumulativeChart(d)}</div>
      ${legend([['emg-key-hoy', 'Hoy (real; punteado: proyección)'], ['emg-key-ayer', 'Ayer'], ['emg-key-semana', 'Mismo día semana pasada'], ['emg-key-promedio', 'Promedio mismo día']])}
      <h3>Demanda por hora y stock proyectado</h3>
      <div data-role="hourly-chart">${barLineChart({
        labels: d.horas.map((p) => `${p.etiqueta.slice(0, 2)}h`),
        bars: d.horas.map((p) => p.hoy),
        line: d.horas.map((p) => p.stock_proyectado),
        barClass: (i) => (d.horas[i].es_proyeccion ? 'bar emg-bar-projected' : 'bar'),
        tips: (i) => `${d.horas[i].etiqueta}: ${formatNumber(d.horas[i].hoy, 1)} unid.${d.horas[i].es_proyeccion ? ' (proyección)' : ''}${d.horas[i].stock_proyectado !== null ? ` · stock ${formatNumber(d.horas[i].stock_proyectado, 1)}` : ''}`,
        aria: 'Unidades por hora y stock proyectado',
      })}</div>
      ${legend([['bar', 'Vendidas'], ['emg-bar-projected', 'Proyección'], ['stock-line', 'Stock proyectado (eje derecho)']])}`);
  } catch (err) {
    if (!isAbort(err)) showError(body, err, null, 'No se pudo cargar el detalle');
  }
}
