// "Pedidos Inter-CEDI" (spec 31 §3.8–§3.12): the list of orders between CEDIs, the 3-step
// wizard (Configuración → Productos → Confirmación) that computes, edits, saves and confirms
// an order, and the read-only view of an order once confirmed, with its next step
// (despachar, recibir), its Excel and its history. Every rule — states, what may be edited
// or deleted, the figures of each line — is the server's; this screen shows its answers.
import { apiGet, apiPost, apiPut, apiDelete, isAbort, postForDownload } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate, formatDateTime } from '../format.js';
import { openDialog } from '../dialog.js';
import { barLineChart, legend } from '../charts.js';

const PAGE = 50;
const BASE = '/pedidos-inter-cedi';
// Priority bands (§3.7): 1–2 critical … 9–10 minimal.
const BAND = (p) => (p <= 2 ? ['critico', 'Crítica'] : p <= 4 ? ['urgente', 'Alta'] : p <= 6 ? ['bajo', 'Media'] : p <= 8 ? ['enviado', 'Baja'] : ['tienda', 'Mínima']);
const daysBadge = (d) => (d >= 999 ? 'badge-tienda' : d <= 3 ? 'badge-critico' : d <= 7 ? 'badge-bajo' : d <= 14 ? 'badge-enviado' : 'badge-optimo');
const STATES = [['borrador', 'Borrador'], ['confirmado', 'Confirmado'], ['despachado', 'Despachado'], ['recibido', 'Recibido'], ['cancelado', 'Cancelado']];
const STATE_LABEL = Object.fromEntries(STATES);
const STATE_BADGE = { borrador: 'borrador', confirmado: 'aprobado', despachado: 'enviado', recibido: 'recibido', cancelado: 'rechazado' };
const stateBadge = (s) => html`<span class="badge badge-${STATE_BADGE[s] || 'tienda'}" data-estado="${s}">${STATE_LABEL[s] || s}</span>`;
const PRIORITIES = [['baja', 'Baja'], ['normal', 'Normal'], ['alta', 'Alta'], ['urgente', 'Urgente']];
const PRIORITY_LABEL = Object.fromEntries(PRIORITIES);
const DAY_KEYS = [['a', 'Clase A'], ['b', 'Clase B'], ['c', 'Clase C'], ['d', 'Clase D'], ['congelados', 'Congelados']];
const stripZeros = (c) => String(c).trim().replace(/^0+(?=.)/, '');
const SORTS = {
  prioridad: (l) => l.prioridad,
  demanda: (l) => l.demanda_regional_p75 / l.unidades_por_bulto,
  destino: (l) => l.stock_cedi_destino / l.unidades_por_bulto,
  dias: (l) => l.dias_stock_destino,
  origen: (l) => l.stock_cedi_origen / l.unidades_por_bulto,
  sugerido: (l) => l.cantidad_sugerida_bultos,
  abc: (l) => l.clasificacion_abc,
};

function head(title, back = BASE, backLabel = 'Pedidos Inter-CEDI') {
  return html`<div class="page-head"><div><p class="muted"><a href="${back}">← ${backLabel}</a></p><h1>${title} <span class="badge badge-cedi">Inter-CEDI</span></h1>
    <p class="subtitle">Reposición de un CEDI receptor desde un CEDI de origen, según la demanda de las tiendas de su región.</p></div></div>`;
}

function stepper(current) {
  return html`<ol class="stepper">${['Configuración', 'Productos', 'Confirmación'].map((s, i) => html`<li class="${i + 1 === current ? 'current' : i + 1 < current ? 'done' : ''}"><span>${i + 1}</span>${s}</li>`)}</ol>`;
}

export async function render(container, ctx) {
  const rest = location.pathname.replace(/^\/pedidos-inter-cedi\/?/, '');
  if (rest === 'nuevo') return renderWizard(container, ctx, null);
  if (rest) return renderOrder(container, ctx, decodeURIComponent(rest));
  return renderList(container, ctx);
}

// ---------- the list ----------

async function renderList(container, ctx) {
  const f = { estado: ctx.query.get('estado') || '' };
  const flash = sessionStorage.getItem('ic-flash');
  sessionStorage.removeItem('ic-flash');
  const top = html`<div class="page-head"><div><p class="muted"><a href="/pedidos-sugeridos">← Pedidos sugeridos</a></p><h1>Pedidos Inter-CEDI</h1>
      <p class="subtitle">Pedidos de un CEDI receptor a un CEDI de origen: borradores, confirmados, despachados y recibidos.</p></div>
      <div class="actions"><a class="btn btn-primary" href="${BASE}/nuevo" data-role="create">Nuevo pedido Inter-CEDI</a></div></div>
    ${flash ? html`<p class="banner banner-success flash" role="status" data-role="flash">${flash}</p>` : ''}`;
  setHtml(container, html`${top}${skeletonBlock({ rows: 5 })}`);
  const load = async () => {
    let data;
    try {
      data = await apiGet(`/api/pedidos-inter-cedi?limit=200${f.estado ? `&estado=${f.estado}` : ''}`, { signal: ctx.signal });
    } catch (e) {
      if (!isAbort(e)) showError(container, e, load);
      return;
    }
    setHtml(container, html`${top}
      <form class="card filter-bar filters" data-role="filters"><label>Estado <select name="estado"><option value="">Todos</option>${STATES.map(([k, v]) => html`<option value="${k}">${v}</option>`)}</select></label></form>
      <div class="card table-card grid-wrap">${data.pedidos.length ? html`<table class="data-table" data-role="orders"><thead><tr>
        <th>Pedido</th><th>Estado</th><th>Origen → Destino</th><th>Fecha</th><th>Prioridad</th><th class="num">Productos</th><th class="num">Bultos</th><th class="num">Peso (t)</th><th class="num">Días</th><th>Creado por</th></tr></thead>
        <tbody>${data.pedidos.map((p) => html`<tr data-id="${p.id}" data-numero="${p.numero_pedido}" tabindex="0" class="row-link">
          <td class="code"><a href="${BASE}/${p.id}">${p.numero_pedido}</a></td><td>${stateBadge(p.estado)}</td>
          <td>${p.cedi_origen_nombre} → ${p.cedi_destino_nombre}</td><td>${formatDate(p.fecha_pedido)}</td><td>${PRIORITY_LABEL[p.prioridad] || p.prioridad}</td>
          <td class="num">${formatInteger(p.total_productos)}</td><td class="num">${formatInteger(p.total_bultos)}</td><td class="num">${formatNumber(p.peso_total_kg / 1000, 2)}</td>
          <td class="num">${p.dias_desde_creacion}</td><td>${p.usuario_creador}</td></tr>`)}</tbody></table>`
        : emptyState(f.estado ? 'Ningún pedido en este estado' : 'Todavía no hay pedidos Inter-CEDI', 'Use «Nuevo pedido Inter-CEDI» para calcular lo que un CEDI receptor necesita de su CEDI de origen.')}</div>`);
    const form = container.querySelector('[data-role=filters]');
    form.estado.value = f.estado;
    form.addEventListener('change', () => { f.estado = form.estado.value; ctx.setQuery(f.estado ? { estado: f.estado } : {}); load(); });
    const open = (tr) => tr && ctx.navigate(`${BASE}/${tr.dataset.id}`);
    container.querySelector('[data-role=orders]')?.addEventListener('click', (ev) => { if (!ev.target.closest('a')) open(ev.target.closest('tr[data-id]')); });
    container.querySelector('[data-role=orders]')?.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') open(ev.target.closest('tr[data-id]')); });
  };
  load();
}

// ---------- one saved order ----------

async function renderOrder(container, ctx, id) {
  setHtml(container, html`${head('Pedido Inter-CEDI')}${skeletonBlock({ rows: 6 })}`);
  let order; let history;
  try {
    [order, history] = await Promise.all([
      apiGet(`/api/pedidos-inter-cedi/${encodeURIComponent(id)}`, { signal: ctx.signal }),
      apiGet(`/api/pedidos-inter-cedi/${encodeURIComponent(id)}/historial`, { signal: ctx.signal }),
    ]);
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => renderOrder(container, ctx, id), 'No se pudo abrir el pedido');
    return;
  }
  // A draft opens in the wizard's step 2 (§3.8); any other state is read-only.
  if (order.estado === 'borrador') return renderWizard(container, ctx, order);
  const o = order;
  const kg = o.productos.reduce((s, l) => s + l.cantidad_pedida_bultos * l.unidades_por_bulto * (l.peso_unitario_kg || 0), 0);
  const actions = [];
  if (o.estado === 'confirmado') actions.push(html`<button type="button" class="btn btn-primary" data-act="despachar">Despachar</button>`);
  if (o.estado === 'despachado') actions.push(html`<button type="button" class="btn btn-primary" data-act="recibir">Registrar recepción</button>`);
  if (o.estado === 'confirmado') actions.push(html`<button type="button" class="btn btn-danger" data-act="eliminar">Eliminar</button>`);
  const received = o.estado === 'recibido';
  setHtml(container, html`${head(html`Pedido ${o.numero_pedido} ${stateBadge(o.estado)}`)}
    <div class="card pad order-head" data-role="order">
      <dl class="facts">
        <dt>Ruta</dt><dd>${o.cedi_origen_nombre} → ${o.cedi_destino_nombre} (región ${o.region || '—'})</dd>
        <dt>Fecha del pedido</dt><dd>${formatDate(o.fecha_pedido)}</dd>
        <dt>Prioridad</dt><dd>${PRIORITY_LABEL[o.prioridad] || o.prioridad}</dd>
        <dt>Cobertura A/B/C/D · congelados</dt><dd>${o.dias_cobertura_a}/${o.dias_cobertura_b}/${o.dias_cobertura_c}/${o.dias_cobertura_d} · ${o.dias_cobertura_congelados} días</dd>
        <dt>Viajes · lead time</dt><dd>${o.frecuencia_viajes_dias} · ${formatNumber(o.lead_time_dias, 1)} días</dd>
        <dt>Totales</dt><dd>${formatInteger(o.total_productos)} productos · ${formatInteger(o.total_bultos)} bultos · ${formatInteger(o.total_unidades)} unidades · ${formatNumber(kg / 1000, 2)} t</dd>
      </dl>
      ${o.observaciones ? html`<p class="muted pre-line" data-role="observaciones">${o.observaciones}</p>` : ''}
      <div class="actions">${actions}<a class="btn" href="/api/pedidos-inter-cedi/${o.id}/exportar" download data-role="excel">Exportar Excel</a></div>
      <p class="banner banner-error" data-role="error" role="alert" hidden></p>
    </div>
    <div class="card table-card grid-wrap"><table class="data-table" data-role="lines"><thead><tr><th class="num">#</th><th>Código</th><th>Descripción</th><th class="num">ABC</th>
      <th class="num">P75 reg. (u/día)</th><th class="num">Stock destino (b)</th><th class="num">Stock origen (b)</th><th class="num">Sugerido (b)</th><th class="num">Pedido (b)</th><th class="num">Unidades</th>${received ? html`<th class="num">Recibido (b)</th>` : ''}<th>Notas</th></tr></thead>
      <tbody>${o.productos.map((l) => html`<tr data-code="${l.codigo_producto}"><td class="num">${l.linea_numero}</td><td class="code">${l.codigo_producto}</td><td class="desc" title="${l.razon_pedido || ''}">${l.descripcion_producto}</td>
        <td class="num">${l.clasificacion_abc || 'D'}</td><td class="num">${formatNumber(l.demanda_regional_p75 || 0, 1)}</td><td class="num">${formatNumber((l.stock_cedi_destino || 0) / l.unidades_por_bulto, 1)}</td>
        <td class="num">${formatNumber((l.stock_cedi_origen || 0) / l.unidades_por_bulto, 1)}</td><td class="num">${formatInteger(l.cantidad_sugerida_bultos)}</td><td class="num"><strong>${formatInteger(l.cantidad_pedida_bultos)}</strong></td>
        <td class="num">${formatInteger(l.total_unidades)}</td>${received ? html`<td class="num">${l.cantidad_recibida_bultos == null ? '—' : formatNumber(l.cantidad_recibida_bultos, 0)}</td>` : ''}<td>${l.observaciones || ''}</td></tr>`)}</tbody></table></div>
    <h2 class="section-title">Historial</h2>
    <div class="card table-card"><table class="data-table" data-role="history"><thead><tr><th>Fecha</th><th>De</th><th>A</th><th>Usuario</th><th>Motivo</th></tr></thead>
      <tbody>${history.map((h) => html`<tr><td>${formatDateTime(h.fecha_cambio)}</td><td>${h.estado_anterior ? stateBadge(h.estado_anterior) : '—'}</td><td>${stateBadge(h.estado_nuevo)}</td><td>${h.usuario}</td><td>${h.motivo_cambio || ''}</td></tr>`)}</tbody></table></div>`);
  const errEl = container.querySelector('[data-role=error]');
  const fail = (e) => { errEl.hidden = false; errEl.textContent = e.message || String(e); };
  container.querySelector('[data-role=order]').addEventListener('click', async (ev) => {
    const b = ev.target.closest('[data-act]');
    if (!b) return;
    if (b.dataset.act === 'eliminar') {
      if (!window.confirm(`¿Eliminar el pedido ${o.numero_pedido}? No se puede deshacer.`)) return;
      try {
        await apiDelete(`/api/pedidos-inter-cedi/${o.id}`);
        sessionStorage.setItem('ic-flash', `Pedido ${o.numero_pedido} eliminado`);
        ctx.navigate(BASE);
      } catch (e) { fail(e); }
      return;
    }
    const receiving = b.dataset.act === 'recibir';
    openDialog(document.body, {
      title: receiving ? `Recepción del pedido ${o.numero_pedido}` : `Despachar el pedido ${o.numero_pedido}`,
      intro: receiving ? 'Anote los bultos que llegaron cuando difieran de lo pedido; las líneas en blanco se registran como recibidas completas.' : 'El pedido pasa a «Despachado»: las notas quedan en sus observaciones.',
      submitLabel: receiving ? 'Registrar recepción' : 'Despachar',
      body: (p) => html`<label class="field" for="${p}-notas">Notas</label><textarea id="${p}-notas" name="notas" rows="2"></textarea>
        ${receiving ? html`<div class="grid-wrap receive-grid"><table class="data-table"><thead><tr><th>Producto</th><th class="num">Pedido (b)</th><th class="num">Recibido (b)</th></tr></thead><tbody>
          ${o.productos.map((l) => html`<tr><td>${l.codigo_producto} · ${l.descripcion_producto}</td><td class="num">${l.cantidad_pedida_bultos}</td><td class="num"><input class="qty" type="number" min="0" step="1" name="rec" data-code="${l.codigo_producto}" placeholder="${l.cantidad_pedida_bultos}"></td></tr>`)}
        </tbody></table></div>` : ''}`,
      onSubmit: async (form) => {
        const body = { notas: form.notas.value };
        if (receiving) {
          body.lineas_recibidas = [...form.querySelectorAll('input[name=rec]')].filter((i) => i.value !== '')
            .map((i) => ({ codigo_producto: i.dataset.code, cantidad_recibida_bultos: Number(i.value) }));
        }
        await apiPost(`/api/pedidos-inter-cedi/${o.id}/${b.dataset.act}`, body);
        renderOrder(container, ctx, o.id);
      },
    });
  });
}

// ---------- the wizard (new order, or a saved draft) ----------

async function renderWizard(container, ctx, draft) {
  setHtml(container, html`${head(draft ? `Pedido ${draft.numero_pedido}` : 'Nuevo pedido Inter-CEDI')}${skeletonBlock({ rows: 4 })}`);
  let routes;
  try {
    routes = await apiGet('/api/pedidos-inter-cedi/config/rutas', { signal: ctx.signal });
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => renderWizard(container, ctx, draft));
    return;
  }
  if (!routes.length) {
    setHtml(container, html`${head('Nuevo pedido Inter-CEDI')}${emptyState('No hay rutas Inter-CEDI configuradas', 'Las rutas (CEDI de origen → CEDI receptor) se declaran en tenant.toml, sección [[routes]].')}`);
    return;
  }
  const dests = [...new Map(routes.map((r) => [r.cedi_destino_id, r.cedi_destino_nombre])).entries()];
  const st = {
    routes,
    dests,
    dest: draft ? draft.cedi_destino_id : ctx.query.get('destino') || dests[0][0],
    origin: draft ? draft.cedi_origen_id : ctx.query.get('origen') || '',
    settings: null,
    calc: null,
    qty: new Map(),
    notes: new Map(),
    saved: draft ? { id: draft.id, numero_pedido: draft.numero_pedido } : null,
    prioridad: draft ? draft.prioridad : 'normal',
    observaciones: draft ? draft.observaciones || '' : '',
  };
  if (draft) {
    st.settings = Object.fromEntries(DAY_KEYS.map(([k]) => [`dias_cobertura_${k}`, draft[`dias_cobertura_${k}`]]));
    st.settings.lead_time_dias = draft.lead_time_dias;
    for (const l of draft.productos) { st.qty.set(l.codigo_producto, l.cantidad_pedida_bultos); if (l.observaciones) st.notes.set(l.codigo_producto, l.observaciones); }
    return calculate(container, ctx, st, true);
  }
  step1(container, ctx, st);
}

const title = (st) => (st.saved ? `Pedido ${st.saved.numero_pedido} (borrador)` : 'Nuevo pedido Inter-CEDI');

function step1(container, ctx, st) {
  const routeOf = () => st.routes.find((r) => r.cedi_destino_id === st.dest && r.cedi_origen_id === st.origin);
  const origins = st.routes.filter((r) => r.cedi_destino_id === st.dest);
  if (!routeOf()) st.origin = origins[0].cedi_origen_id;
  const r = { ...routeOf(), ...(st.settings || {}) };
  setHtml(container, html`${head(title(st))}${stepper(1)}
    <form class="card pad wizard-step" data-role="config" autocomplete="off">
      <label class="field">CEDI receptor <select name="destino" ${st.saved ? html`disabled` : ''}>${st.dests.map(([id, name]) => html`<option value="${id}">${name}</option>`)}</select></label>
      <div class="field"><span>CEDI de origen</span><div class="tabs" role="tablist">${origins.map((o) => html`<button type="button" role="tab" class="tab" data-origin="${o.cedi_origen_id}" aria-selected="${o.cedi_origen_id === st.origin}" ${st.saved && o.cedi_origen_id !== st.origin ? html`disabled` : ''}>${o.cedi_origen_nombre}</button>`)}</div></div>
      <div class="form-grid inter-cedi-days">
        ${DAY_KEYS.map(([k, label]) => html`<label class="field">${label} (días)<input type="number" min="1" step="1" required name="dias_cobertura_${k}" value="${r[`dias_cobertura_${k}`]}"></label>`)}
        <label class="field">Lead time (días)<input type="number" min="0.5" max="7" step="0.5" name="lead_time_dias" value="${r.lead_time_dias}"></label>
        <label class="field">Viajes<input type="text" readonly value="${r.frecuencia_viajes_dias}"></label>
      </div>
      <div data-role="recent"></div>
      <div class="actions"><button class="btn btn-primary" type="submit">Calcular pedido →</button></div>
    </form>`);
  const form = container.querySelector('[data-role=config]');
  form.destino.value = st.dest;
  form.destino.addEventListener('change', () => { st.dest = form.destino.value; st.settings = null; step1(container, ctx, st); });
  form.addEventListener('click', (ev) => { const b = ev.target.closest('[data-origin]'); if (b && !b.disabled) { st.origin = b.dataset.origin; st.settings = null; step1(container, ctx, st); } });
  const submit = form.querySelector('button[type=submit]');
  const check = () => { submit.disabled = !DAY_KEYS.every(([k]) => Number(form[`dias_cobertura_${k}`].value) > 0); };
  form.addEventListener('input', check);
  check();
  recentNote(container.querySelector('[data-role=recent]'), st.origin, ctx, st.saved && st.saved.id);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    st.settings = Object.fromEntries(DAY_KEYS.map(([k]) => [`dias_cobertura_${k}`, Number(form[`dias_cobertura_${k}`].value)]));
    st.settings.lead_time_dias = Number(form.lead_time_dias.value);
    if (!st.saved) ctx.setQuery({ destino: st.dest, origen: st.origin });
    calculate(container, ctx, st, false);
  });
}

// The §3.12 note: other drafts or confirmed orders from this origin in the last 24 hours
// compete for the same stock (nothing is reserved).
export async function recentNote(el, origin, ctx, ownId) {
  if (!el || !origin) return;
  try {
    const note = await apiGet(`/api/pedidos-inter-cedi/recientes?cedi_origen_id=${encodeURIComponent(origin)}`, { signal: ctx.signal });
    const others = note.pedidos.filter((p) => p.id !== ownId);
    setHtml(el, others.length ? html`<p class="banner banner-info" role="status" data-role="recent-note">ℹ️ En las últimas 24 horas se guardaron pedidos Inter-CEDI desde este origen:
      ${others.map((p, i) => html`${i ? ', ' : ''}<a href="${BASE}/${p.id}">${p.numero_pedido}</a> (${STATE_LABEL[p.estado]}, hacia ${p.cedi_destino_nombre}, ${formatInteger(p.total_bultos)} bultos)`)}.
      El stock del origen no se reserva: esos pedidos y este compiten por las mismas existencias.</p>` : '');
  } catch (e) {
    // Informational only: without the note the wizard still works.
    if (!isAbort(e)) setHtml(el, '');
  }
}

async function calculate(container, ctx, st, fromDraft) {
  setHtml(container, html`${head(title(st))}${stepper(2)}<div class="route-spinner" role="status"><span class="spinner"></span>Calculando la demanda regional…</div>`);
  const body = { cedi_origen_id: st.origin, cedi_destino_id: st.dest, ...st.settings };
  try {
    st.calc = await apiPost('/api/pedidos-inter-cedi/calcular', body, { signal: ctx.signal });
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => calculate(container, ctx, st, fromDraft), 'No se pudo calcular el pedido');
    return;
  }
  if (!fromDraft) {
    // A new calculation starts from the suggestions: every suggested line selected.
    st.qty = new Map(st.calc.productos.filter((l) => l.cantidad_sugerida_bultos > 0).map((l) => [l.codigo_producto, l.cantidad_sugerida_bultos]));
  }
  step2(container, ctx, st);
}

function totals(st) {
  let productos = 0; let bultos = 0; let unidades = 0; let kg = 0;
  for (const l of st.calc.productos) {
    const q = st.qty.get(l.codigo_producto) || 0;
    if (q <= 0) continue;
    productos += 1; bultos += q; unidades += q * l.unidades_por_bulto; kg += q * l.unidades_por_bulto * l.peso_unidad_kg;
  }
  return { productos, bultos, unidades, toneladas: kg / 1000 };
}

function step2(container, ctx, st) {
  const calc = st.calc;
  const f = st.filters || (st.filters = { q: '', abc: '', vista: 'seleccionados', origen: '', destino: '', cuadrante: '', sort: 'prioridad', dir: 1, page: 1 });
  const cuadrantes = [...new Set(calc.productos.map((l) => l.cuadrante).filter(Boolean))].sort();
  setHtml(container, html`${head(title(st))}${stepper(2)}
    <p class="muted">${calc.cedi_origen_nombre} → ${calc.cedi_destino_nombre} · región ${calc.region} (${formatInteger(calc.num_tiendas_region)} ${calc.num_tiendas_region === 1 ? 'tienda' : 'tiendas'}) · demanda de los 30 días antes del ${formatDate(calc.fecha)} · ${formatInteger(calc.total_excluidos_inter_cedi)} productos excluidos</p>
    <div class="kpis kpis-5" data-role="totals"></div>
    <form class="card filter-bar filters wizard-filters" data-role="filters" autocomplete="off">
      <label>Buscar <input type="search" name="q" placeholder="Código, nombre, marca o códigos separados por coma" size="36"></label>
      <label>Vista <select name="vista"><option value="seleccionados">Seleccionados</option><option value="no">No seleccionados</option><option value="todos">Todos</option></select></label>
      <label>ABC <select name="abc"><option value="">Todas</option>${['A', 'B', 'C', 'D'].map((c) => html`<option value="${c}">${c}</option>`)}</select></label>
      <label>Cuadrante <select name="cuadrante"><option value="">Todos</option>${cuadrantes.map((c) => html`<option value="${c}">${c}</option>`)}</select></label>
      <label>Stock origen <select name="origen"><option value="">Todos</option><option value="con">Con stock</option><option value="sin">Sin stock</option></select></label>
      <label>Stock destino <select name="destino"><option value="">Todos</option><option value="con">Con stock</option><option value="sin">Sin stock</option></select></label>
    </form>
    <div class="wizard-bar"><span class="actions"><button type="button" class="btn" data-role="accept-all">Aceptar todas las sugerencias</button><button type="button" class="btn" data-role="clear-all">Limpiar todo</button><button type="button" class="btn" data-role="excel-client">Exportar vista (Excel)</button><span class="field-error" role="alert" data-role="export-error" hidden></span></span>
      <span class="actions"><button type="button" class="btn" data-role="back">← Configuración</button><button type="button" class="btn btn-primary" data-role="next">Continuar →</button></span></div>
    <div class="card table-card grid-wrap" data-role="grid"></div>
    <nav class="pager" data-role="pager" aria-label="Páginas"></nav>
    <aside class="drawer wide" data-role="drawer" hidden aria-label="Análisis del producto"></aside>`);
  const gridEl = container.querySelector('[data-role=grid]');
  const pagerEl = container.querySelector('[data-role=pager]');
  const totalsEl = container.querySelector('[data-role=totals]');
  const nextBtn = container.querySelector('[data-role=next]');
  const drawTotals = () => {
    const t = totals(st);
    setHtml(totalsEl, html`<div class="kpi"><span class="kpi-label">Productos en el pedido</span><strong class="kpi-value" data-role="total-productos">${formatInteger(t.productos)}</strong><span class="kpi-hint">de ${formatInteger(calc.total_productos)} del origen · ${formatInteger(calc.total_productos_con_sugerido)} sugeridos</span></div>
      <div class="kpi"><span class="kpi-label">Bultos</span><strong class="kpi-value" data-role="total-bultos">${formatInteger(t.bultos)}</strong><span class="kpi-hint">sugeridos ${formatInteger(calc.total_bultos)}</span></div>
      <div class="kpi"><span class="kpi-label">Unidades</span><strong class="kpi-value">${formatInteger(t.unidades)}</strong></div>
      <div class="kpi"><span class="kpi-label">Peso</span><strong class="kpi-value">${formatNumber(t.toneladas, 2)} t</strong></div>
      <div class="kpi"><span class="kpi-label">Origen</span><strong class="kpi-value kpi-text">${calc.cedi_origen_nombre}</strong><span class="kpi-hint">1 pedido = 1 CEDI de origen</span></div>`);
    nextBtn.disabled = t.productos === 0;
  };
  const matches = (l) => {
    if (f.q.includes(',')) {
      const codes = new Set(f.q.split(',').map(stripZeros).filter(Boolean));
      if (![...codes].some((c) => stripZeros(l.codigo_producto) === c || l.codigo_producto.endsWith(c))) return false;
    } else if (f.q) {
      const t = f.q.trim().toLowerCase();
      if (![l.codigo_producto, l.descripcion_producto, l.categoria || '', l.marca || ''].some((x) => x.toLowerCase().includes(t))) return false;
    }
    const chosen = (st.qty.get(l.codigo_producto) || 0) > 0;
    if (f.vista === 'seleccionados' && !chosen) return false;
    if (f.vista === 'no' && chosen) return false;
    if (f.abc && l.clasificacion_abc !== f.abc) return false;
    if (f.cuadrante && l.cuadrante !== f.cuadrante) return false;
    if (f.origen && (f.origen === 'con') !== (l.stock_cedi_origen > 0)) return false;
    if (f.destino && (f.destino === 'con') !== (l.stock_cedi_destino > 0)) return false;
    return true;
  };
  const sorted = () => {
    const key = f.sort === 'pedir' ? (l) => st.qty.get(l.codigo_producto) || 0 : SORTS[f.sort];
    return calc.productos.filter(matches).sort((a, b) => {
      const va = key(a); const vb = key(b);
      return f.dir * (typeof va === 'string' ? va.localeCompare(vb) : va - vb) || a.codigo_producto.localeCompare(b.codigo_producto);
    });
  };
  const draw = () => {
    const rows = sorted();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    f.page = Math.min(f.page, pages);
    const th = (k, label) => html`<th class="num sortable" data-sort="${k}" aria-sort="${f.sort === k ? (f.dir > 0 ? 'ascending' : 'descending') : 'none'}">${label}${f.sort === k ? (f.dir > 0 ? ' ▲' : ' ▼') : ''}</th>`;
    setHtml(gridEl, rows.length ? html`<table class="data-table wizard-grid" data-role="lines"><thead><tr>
        <th></th><th>Código</th><th>Descripción</th><th>Cuadrante</th>${th('abc', 'ABC')}${th('prioridad', 'Pri.')}${th('demanda', 'P75 reg. (b/día)')}<th class="num">Tiendas</th>
        ${th('destino', 'Stock destino (b)')}${th('dias', 'Días')}${th('origen', 'Stock origen (b)')}<th class="num">ROP (b)</th><th class="num">Máx (b)</th>${th('sugerido', 'Sug. (b)')}${th('pedir', 'A pedir (b)')}</tr></thead>
      <tbody>${rows.slice((f.page - 1) * PAGE, f.page * PAGE).map((l) => {
        const u = l.unidades_por_bulto; const [band, label] = BAND(l.prioridad);
        const q = st.qty.get(l.codigo_producto) || 0;
        const over = q > Math.floor(l.stock_cedi_origen / u);
        return html`<tr data-code="${l.codigo_producto}" class="${q > 0 ? 'is-selected' : ''}"><td><input type="checkbox" name="sel" aria-label="${`Incluir ${l.codigo_producto}`}" ${q > 0 ? html`checked` : ''}></td>
          <td class="code">${l.codigo_producto}</td><td class="desc" title="${l.razon_pedido}">${l.descripcion_producto}${l.es_congelado ? html` <span class="badge badge-enviado" title="Cobertura de congelados">❄</span>` : ''}</td>
          <td>${l.cuadrante || ''}</td><td class="num">${l.clasificacion_abc}</td><td class="num"><span class="badge badge-${band}" title="${label}">${l.prioridad}</span></td>
          <td class="num"><button type="button" class="link" data-detail="ventas" title="${`${formatNumber(l.demanda_regional_p75, 1)} unidades/día · σ ${formatNumber(l.sigma_regional, 1)} · ver ventas de la región`}">${formatNumber(l.demanda_regional_p75 / u, 2)}</button></td><td class="num">${l.num_tiendas_con_venta}</td>
          <td class="num"><button type="button" class="link" data-detail="destino" title="Ver el stock del CEDI destino por día">${formatNumber(l.stock_cedi_destino / u, 1)}</button>${l.transito_destino > 0 ? html` <span class="muted" title="En camino (pedidos confirmados o despachados)">+${formatNumber(l.transito_destino / u, 0)}</span>` : ''}</td>
          <td class="num"><span class="badge ${daysBadge(l.dias_stock_destino)}">${l.dias_stock_destino >= 999 ? '—' : formatNumber(l.dias_stock_destino, 1)}</span></td>
          <td class="num"><button type="button" class="link" data-detail="origen" title="Ver el stock del CEDI origen por día">${formatNumber(l.stock_cedi_origen / u, 1)}</button></td><td class="num">${formatNumber(l.punto_reorden / u, 1)}</td><td class="num">${formatNumber(l.stock_maximo / u, 1)}</td>
          <td class="num">${formatInteger(l.cantidad_sugerida_bultos)}${l.limitado_por_origen ? html` <span class="badge badge-bajo" title="${`Ideal ${formatNumber(l.cantidad_ideal_unid / u, 0)} b; el origen solo tiene ${formatNumber(l.stock_cedi_origen / u, 0)} b`}">lim.</span>` : ''}</td>
          <td class="num"><input class="qty${over ? ' is-over' : ''}" type="number" min="0" step="1" name="qty" value="${q}" aria-label="${`Bultos a pedir de ${l.codigo_producto}`}" title="${over ? 'Más bultos que el stock del origen' : ''}"></td></tr>`;
      })}</tbody></table>` : emptyState('Ningún producto con estos filtros', f.vista === 'seleccionados' ? 'No hay productos seleccionados que cumplan los filtros. Cambie la vista a «Todos».' : 'Pruebe con otros filtros.'));
    setHtml(pagerEl, html`<button type="button" class="btn" data-page="-1" ${f.page <= 1 ? html`disabled` : ''}>Anterior</button><span>Página ${f.page} de ${pages} · ${formatInteger(rows.length)} productos</span><button type="button" class="btn" data-page="1" ${f.page >= pages ? html`disabled` : ''}>Siguiente</button>`);
    drawTotals();
  };
  const setQty = (code, q) => {
    if (q > 0) st.qty.set(code, q); else st.qty.delete(code);
    const tr = gridEl.querySelector(`tr[data-code="${CSS.escape(code)}"]`);
    if (tr) {
      tr.classList.toggle('is-selected', q > 0);
      tr.querySelector('input[name=sel]').checked = q > 0;
      const input = tr.querySelector('input[name=qty]');
      if (Number(input.value) !== q) input.value = q;
      const l = calc.productos.find((x) => x.codigo_producto === code);
      input.classList.toggle('is-over', q > Math.floor(l.stock_cedi_origen / l.unidades_por_bulto));
    }
    drawTotals();
  };
  gridEl.addEventListener('change', (ev) => {
    const tr = ev.target.closest('tr[data-code]');
    if (!tr) return;
    const code = tr.dataset.code;
    if (ev.target.name === 'sel') {
      // Ticking a line at 0 orders 1 pack; unticking sets 0 (§3.8).
      setQty(code, ev.target.checked ? Math.max(1, st.qty.get(code) || 0) : 0);
    } else if (ev.target.name === 'qty') {
      const v = Math.max(0, Math.floor(Number(ev.target.value) || 0));
      setQty(code, v);
    }
  });
  // Enter / ↓ / ↑ move between the "A pedir" inputs, as in the other wizards.
  gridEl.addEventListener('keydown', (ev) => {
    if (ev.target.name !== 'qty' || !['Enter', 'ArrowDown', 'ArrowUp'].includes(ev.key)) return;
    ev.preventDefault();
    ev.target.dispatchEvent(new Event('change', { bubbles: true }));
    const inputs = [...gridEl.querySelectorAll('input[name=qty]')];
    const next = inputs[inputs.indexOf(ev.target) + (ev.key === 'ArrowUp' ? -1 : 1)];
    if (next) { next.focus(); next.select(); }
  });
  gridEl.addEventListener('click', (ev) => {
    const detail = ev.target.closest('[data-detail]');
    if (detail) {
      const l = calc.productos.find((x) => x.codigo_producto === detail.closest('tr').dataset.code);
      openAnalysis(container.querySelector('[data-role=drawer]'), ctx, calc, l, detail.dataset.detail);
      return;
    }
    const s = ev.target.closest('[data-sort]');
    if (!s) return;
    // A new column starts descending, except priority (most urgent first).
    f.dir = f.sort === s.dataset.sort ? -f.dir : (s.dataset.sort === 'prioridad' ? 1 : -1);
    f.sort = s.dataset.sort;
    draw();
  });
  const form = container.querySelector('[data-role=filters]');
  for (const k of ['q', 'vista', 'abc', 'cuadrante', 'origen', 'destino']) form[k].value = f[k];
  form.addEventListener('input', (ev) => { if (ev.target.name === 'q') { f.q = ev.target.value; f.page = 1; draw(); } });
  form.addEventListener('change', (ev) => { if (ev.target.name && ev.target.name !== 'q') { f[ev.target.name] = ev.target.value; f.page = 1; draw(); } });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  pagerEl.addEventListener('click', (ev) => { const b = ev.target.closest('[data-page]'); if (b) { f.page += Number(b.dataset.page); draw(); } });
  container.querySelector('[data-role=accept-all]').addEventListener('click', () => {
    st.qty = new Map(calc.productos.filter((l) => l.cantidad_sugerida_bultos > 0).map((l) => [l.codigo_producto, l.cantidad_sugerida_bultos]));
    draw();
  });
  container.querySelector('[data-role=clear-all]').addEventListener('click', () => { st.qty = new Map(); draw(); });
  container.querySelector('[data-role=excel-client]').addEventListener('click', (ev) => exportView(st, sorted(), form, ev.currentTarget, container.querySelector('[data-role=export-error]')));
  container.querySelector('[data-role=back]').addEventListener('click', () => step1(container, ctx, st));
  nextBtn.addEventListener('click', () => step3(container, ctx, st));
  draw();
}

// The analysis drawer of one line (§3.8 detail modals): the region's daily sales with the P75
// the calculation used, or a CEDI's stock at the end of each day.
async function openAnalysis(drawer, ctx, calc, l, kind) {
  drawer.hidden = false;
  const titles = { ventas: 'Ventas de la región', destino: `Stock en ${calc.cedi_destino_nombre}`, origen: `Stock en ${calc.cedi_origen_nombre}` };
  setHtml(drawer, html`<div class="drawer-head"><h2>${l.codigo_producto} · ${l.descripcion_producto}</h2><button type="button" class="modal-close" data-role="close" aria-label="Cerrar">×</button></div>
    <div class="drawer-body" data-role="body"><h3>${titles[kind]}</h3><div class="route-spinner"><span class="spinner"></span>Cargando…</div></div>`);
  const close = () => { drawer.hidden = true; };
  drawer.querySelector('[data-role=close]').addEventListener('click', close);
  drawer.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); }, { once: true });
  drawer.querySelector('[data-role=close]').focus();
  const body = drawer.querySelector('[data-role=body]');
  const code = encodeURIComponent(l.codigo_producto);
  const u = l.unidades_por_bulto;
  try {
    if (kind === 'ventas') {
      const h = await apiGet(`/api/pedidos-inter-cedi/historial-ventas/${code}?cedi_destino_id=${encodeURIComponent(calc.cedi_destino_id)}&fecha=${calc.fecha}`, { signal: ctx.signal });
      const t = h.totales;
      setHtml(body, html`<h3>${titles[kind]} · ${h.region}, ${formatDate(h.desde)} – ${formatDate(h.hasta)}</h3>
        <div class="kpis kpis-4"><div class="kpi"><span class="kpi-label">P75 regional</span><strong class="kpi-value" data-role="p75-regional">${formatNumber(t.p75_regional, 1)}</strong><span class="kpi-hint">unid./día · ${formatNumber(t.p75_regional / u, 2)} bultos</span></div>
          <div class="kpi"><span class="kpi-label">Total</span><strong class="kpi-value">${formatInteger(t.total)}</strong><span class="kpi-hint">unidades</span></div>
          <div class="kpi"><span class="kpi-label">Días con venta</span><strong class="kpi-value">${t.dias_con_venta}</strong><span class="kpi-hint">de ${h.dias.length}</span></div>
          <div class="kpi"><span class="kpi-label">Promedio diario</span><strong class="kpi-value">${formatNumber(t.promedio_diario, 1)}</strong></div></div>
        ${barLineChart({ labels: h.dias.map((d) => d.fecha.slice(5)), bars: h.dias.map((d) => d.total), avg: t.p75_regional, tips: (i) => `${h.dias[i].dia_semana} ${h.dias[i].fecha}: ${formatNumber(h.dias[i].total, 0)} unid.`, aria: 'Unidades vendidas por día en la región', height: 200 })}
        ${legend([['bar', 'Unidades vendidas en la región'], ['avg-line', 'P75 regional (la demanda del cálculo)']])}
        <p class="muted small">P75 de cada tienda sobre sus días con venta (días atípicos excluidos); el regional es su suma, el mismo valor del cálculo.</p>
        <table class="data-table compact"><thead><tr><th>Fecha</th><th>Día</th>${h.tiendas.map((s) => html`<th class="num">${s.nombre}</th>`)}<th class="num">Total</th></tr></thead>
          <tbody>${[...h.dias].reverse().map((d) => html`<tr><td>${formatDate(d.fecha)}</td><td>${d.dia_semana}</td>${h.tiendas.map((s) => html`<td class="num">${formatNumber(d.por_tienda[s.id] || 0, 0)}</td>`)}<td class="num"><strong>${formatNumber(d.total, 0)}</strong></td></tr>`)}</tbody>
          <tfoot><tr><th colspan="2">P75 por tienda</th>${h.tiendas.map((s) => html`<th class="num">${t.p75_por_tienda[s.id] == null ? '—' : formatNumber(t.p75_por_tienda[s.id], 1)}</th>`)}<th class="num">${formatNumber(t.p75_regional, 1)}</th></tr></tfoot></table>`);
    } else {
      const loc = kind === 'destino' ? calc.cedi_destino_id : calc.cedi_origen_id;
      const h = await apiGet(`/api/pedidos-inter-cedi/historial-inventario/${code}?ubicacion_id=${encodeURIComponent(loc)}&fecha=${calc.fecha}`, { signal: ctx.signal });
      if (!h.dias.length) { setHtml(body, html`<h3>${titles[kind]}</h3>${emptyState('Sin inventario registrado', 'Este CEDI no ha tenido existencias de este producto en el período.')}`); return; }
      const e = h.estadisticas;
      setHtml(body, html`<h3>${titles[kind]} · ${formatDate(h.desde)} – ${formatDate(h.hasta)}</h3>
        <div class="kpis kpis-4"><div class="kpi"><span class="kpi-label">Actual</span><strong class="kpi-value" data-role="stock-actual">${formatNumber(e.actual / u, 1)}</strong><span class="kpi-hint">bultos · ${formatInteger(e.actual)} unid.</span></div>
          <div class="kpi"><span class="kpi-label">Máximo</span><strong class="kpi-value">${formatNumber(e.maximo / u, 1)}</strong><span class="kpi-hint">bultos</span></div>
          <div class="kpi"><span class="kpi-label">Mínimo</span><strong class="kpi-value">${formatNumber(e.minimo / u, 1)}</strong><span class="kpi-hint">bultos</span></div>
          <div class="kpi"><span class="kpi-label">Promedio</span><strong class="kpi-value">${formatNumber(e.promedio / u, 1)}</strong><span class="kpi-hint">bultos en ${e.dias} días</span></div></div>
        ${barLineChart({ labels: h.dias.map((d) => d.fecha.slice(5)), bars: h.dias.map((d) => d.cantidad / u), tips: (i) => `${h.dias[i].fecha}: ${formatNumber(h.dias[i].cantidad / u, 1)} bultos`, aria: 'Stock al cierre de cada día', height: 200 })}
        ${legend([['bar', 'Bultos al cierre del día (hoy: stock actual)']])}`);
    }
  } catch (err) {
    if (!isAbort(err)) showError(body, err, () => openAnalysis(drawer, ctx, calc, l, kind), 'No se pudo cargar el análisis');
  }
}

// The filtered and sorted rows as a real .xlsx built by the server from its own figures, with
// the packs as typed in «A pedir» and the active filters written on the sheet.
async function exportView(st, rows, form, button, errEl) {
  const calc = st.calc;
  const filters = [];
  for (const name of ['q', 'vista', 'abc', 'cuadrante', 'origen', 'destino']) {
    const el = form[name];
    if (!el || !el.value) continue;
    const label = el.closest('label')?.firstChild?.textContent.trim() || name;
    const value = el.tagName === 'SELECT' ? el.selectedOptions[0]?.textContent : el.value.trim();
    if (value) filters.push(`${label}: ${value}`);
  }
  const productos = rows.map((l) => {
    const line = { codigo_producto: l.codigo_producto, cantidad_pedida_bultos: st.qty.get(l.codigo_producto) || 0 };
    const note = st.notes.get(l.codigo_producto);
    if (note) line.observaciones = note;
    return line;
  });
  const body = { cedi_origen_id: calc.cedi_origen_id, cedi_destino_id: calc.cedi_destino_id, fecha: calc.fecha, ...calc.configuracion, filtro: filters.join(' · '), productos };
  button.disabled = true;
  errEl.hidden = true;
  try {
    button.dataset.done = await postForDownload('/api/pedidos-inter-cedi/exportar-vista', body, `inter-cedi_${calc.cedi_origen_id}_${calc.cedi_destino_id}_${calc.fecha}.xlsx`);
  } catch (err) {
    errEl.hidden = false;
    errEl.textContent = `No se pudo exportar: ${err.message}`;
  } finally {
    button.disabled = false;
  }
}

function step3(container, ctx, st) {
  const calc = st.calc;
  const t = totals(st);
  const c = calc.configuracion;
  setHtml(container, html`${head(title(st))}${stepper(3)}
    <div class="kpis kpis-4">
      <div class="kpi"><span class="kpi-label">Productos</span><strong class="kpi-value">${formatInteger(t.productos)}</strong></div>
      <div class="kpi"><span class="kpi-label">Bultos</span><strong class="kpi-value">${formatInteger(t.bultos)}</strong></div>
      <div class="kpi"><span class="kpi-label">Unidades</span><strong class="kpi-value">${formatInteger(t.unidades)}</strong></div>
      <div class="kpi"><span class="kpi-label">Peso</span><strong class="kpi-value">${formatNumber(t.toneladas, 2)} t</strong></div>
    </div>
    <form class="card pad wizard-step confirm-step" data-role="confirm" autocomplete="off">
      <dl class="facts">
        <dt>Ruta</dt><dd>${calc.cedi_origen_nombre} → ${calc.cedi_destino_nombre}</dd>
        <dt>Región</dt><dd>${calc.region} · ${formatInteger(calc.num_tiendas_region)} ${calc.num_tiendas_region === 1 ? 'tienda' : 'tiendas'}</dd>
        <dt>Cobertura A/B/C/D · congelados</dt><dd>${c.dias_cobertura_a}/${c.dias_cobertura_b}/${c.dias_cobertura_c}/${c.dias_cobertura_d} · ${c.dias_cobertura_congelados} días</dd>
        <dt>Lead time</dt><dd>${formatNumber(c.lead_time_dias, 1)} días</dd>
      </dl>
      <label class="field">Prioridad <select name="prioridad">${PRIORITIES.map(([k, v]) => html`<option value="${k}">${v}</option>`)}</select></label>
      <label class="field">Observaciones <textarea name="observaciones" rows="3" maxlength="2000"></textarea></label>
      <p class="banner banner-error" data-role="error" role="alert" hidden></p>
      <div class="actions">
        <button type="button" class="btn" data-role="back">← Productos</button>
        ${st.saved ? html`<a class="btn" href="/api/pedidos-inter-cedi/${st.saved.id}/exportar" download data-role="excel">Excel del borrador guardado</a>` : ''}
        <button type="button" class="btn" data-role="save" ${t.productos ? '' : html`disabled`}>Guardar borrador</button>
        <button type="submit" class="btn btn-primary" data-role="confirm-btn" ${t.productos ? '' : html`disabled`}>Confirmar pedido</button>
      </div>
      ${st.saved ? html`<p class="muted">Borrador ${st.saved.numero_pedido}: guardar reemplaza sus líneas; confirmar guarda y confirma en un solo paso.</p>` : ''}
    </form>`);
  const form = container.querySelector('[data-role=confirm]');
  form.prioridad.value = st.prioridad;
  form.observaciones.value = st.observaciones;
  const errEl = form.querySelector('[data-role=error]');
  const keep = () => { st.prioridad = form.prioridad.value; st.observaciones = form.observaciones.value; };
  form.addEventListener('change', keep);
  const send = async (confirmar) => {
    keep();
    const productos = calc.productos.filter((l) => (st.qty.get(l.codigo_producto) || 0) > 0)
      .map((l) => ({ codigo_producto: l.codigo_producto, cantidad_pedida_bultos: st.qty.get(l.codigo_producto), cedi_origen_id: calc.cedi_origen_id, ...(st.notes.get(l.codigo_producto) ? { observaciones: st.notes.get(l.codigo_producto) } : {}) }));
    const body = { cedi_origen_id: calc.cedi_origen_id, cedi_destino_id: calc.cedi_destino_id, ...calc.configuracion, prioridad: st.prioridad, observaciones: st.observaciones, productos, confirmar };
    for (const b of form.querySelectorAll('button')) b.disabled = true;
    errEl.hidden = true;
    try {
      const out = st.saved ? await apiPut(`/api/pedidos-inter-cedi/${st.saved.id}`, body) : await apiPost('/api/pedidos-inter-cedi', body);
      st.saved = { id: out.id, numero_pedido: out.numero_pedido };
      if (confirmar) {
        sessionStorage.setItem('ic-flash', `Pedido ${out.numero_pedido} confirmado (${formatInteger(productos.length)} productos)`);
        ctx.navigate(BASE);
        return;
      }
      history.replaceState(null, '', `${BASE}/${out.id}`);
      step3(container, ctx, st);
      const msg = document.createElement('p');
      msg.className = 'banner banner-success flash';
      msg.dataset.role = 'flash';
      msg.textContent = `Borrador ${out.numero_pedido} guardado (${formatInteger(productos.length)} productos)`;
      container.querySelector('[data-role=confirm]').prepend(msg);
    } catch (e) {
      errEl.hidden = false;
      errEl.textContent = e.message || String(e);
      for (const b of form.querySelectorAll('button')) b.disabled = false;
    }
  };
  form.querySelector('[data-role=back]').addEventListener('click', () => { keep(); step2(container, ctx, st); });
  form.querySelector('[data-role=save]').addEventListener('click', () => send(false));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); send(true); });
}
