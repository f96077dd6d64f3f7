// "Pedidos Sugeridos": the list of saved store orders and the order detail / approval view
// (spec 30 §16). Every rule (who may act, which transitions exist, arrival states) is the
// server's: this screen shows the buttons the state and the user's role allow, and shows
// the server's message when it refuses.
import { apiGet, apiPost, apiDelete, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDateTime, formatDate, formatPercent } from '../format.js';

const STATES = [
  ['borrador', 'Borrador'],
  ['pendiente_aprobacion', 'Pendiente de aprobación'],
  ['aprobado', 'Aprobado'],
  ['rechazado', 'Rechazado'],
  ['enviado', 'Enviado'],
  ['recibido', 'Recibido'],
  ['cancelado', 'Cancelado'],
];
const STATE_LABEL = Object.fromEntries(STATES);
const BADGE = {
  borrador: 'borrador', pendiente_aprobacion: 'pendiente', aprobado: 'aprobado', rechazado: 'rechazado',
  enviado: 'enviado', recibido: 'recibido', cancelado: 'rechazado',
};
const ARRIVAL_LABEL = { completo: 'Completo', parcial: 'Parcial', no_llego: 'No llegó' };
const PAGE_SIZE = 25;
const KIND_LABEL = { reposicion: 'reposición', urgente: 'urgente', promocion: 'promoción', nuevo_producto: 'producto nuevo', estacional: 'estacional' };

const stateBadge = (s) => html`<span class="badge badge-${BADGE[s] || 'tienda'}">${STATE_LABEL[s] || s}</span>`;

// What the caller may do: the shell's `ctx.can` (capabilities of /api/auth/me).
const caps = (ctx) => ctx.can;

export async function render(container, ctx) {
  const rest = location.pathname.replace(/^\/pedidos-sugeridos\/?/, '');
  if (rest === 'nuevo') return (await import('./pedido-nuevo.js')).render(container, ctx);
  if (rest === 'nuevo-multi') {
    if (!ctx.featureOn('pedidos_multitienda')) {
      setHtml(container, emptyState('Función no habilitada', 'Los pedidos multi-tienda no están activos para este cliente ([features] en tenant.toml).'));
      return undefined;
    }
    return (await import('./pedido-multi.js')).render(container, ctx);
  }
  if (rest) return renderDetail(container, ctx, decodeURIComponent(rest));
  return renderList(container, ctx);
}

// ---------- list ----------

function arrivalBar(o) {
  const l = o.llegada;
  if (!l || !l.tiene_verificacion) return html`<span class="muted">Sin verificar</span>`;
  return html`<div class="arrival-bar" title="${`Completos ${formatPercent(l.pct_completos)} · Parciales ${formatPercent(l.pct_parciales)} · No llegaron ${formatPercent(l.pct_no_llegaron)}`}">
    <span class="seg seg-ok" style="width:${l.pct_completos}%"></span><span class="seg seg-partial" style="width:${l.pct_parciales}%"></span><span class="seg seg-none" style="width:${l.pct_no_llegaron}%"></span>
  </div><span class="arrival-pct">${formatPercent(l.pct_completos)}</span>`;
}

async function renderList(container, ctx) {
  const q = ctx.query;
  const filters = { estado: q.get('estado') || '', tienda_id: q.get('tienda_id') || '', page: Number(q.get('page')) || 1 };
  setHtml(container, html`
    <div class="page-head">
      <div><h1>Pedidos sugeridos</h1><p class="muted">Pedidos de reposición de las tiendas: borradores, aprobaciones, despachos y llegadas.</p></div>
      ${caps(ctx)('pedidos.crear') ? html`<div class="actions">${caps(ctx)('pedidos.intercedi') && ctx.featureOn('pedidos_inter_cedi') ? html`<a class="btn" href="/pedidos-inter-cedi" data-role="inter-cedi">Inter-CEDI</a>` : ''}${caps(ctx)('pedidos.multitienda') && ctx.featureOn('pedidos_multitienda') ? html`<a class="btn" href="/pedidos-sugeridos/nuevo-multi" data-role="create-multi">Pedido multi-tienda</a>` : ''}<a class="btn btn-primary" href="/pedidos-sugeridos/nuevo" data-role="create">Crear pedido</a></div>` : ''}
    </div>
    <form class="filters card filter-bar" data-role="filters">
      <label>Estado <select name="estado"><option value="">Todos</option>${STATES.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></label>
      <label>Destino <select name="tienda_id"><option value="">Todas las tiendas</option></select></label>
    </form>
    <div data-role="table">${skeletonBlock({ rows: 8 })}</div>`);
  const form = container.querySelector('[data-role=filters]');
  form.estado.value = filters.estado;
  const tableEl = container.querySelector('[data-role=table]');

  apiGet('/api/ubicaciones', { signal: ctx.signal }).then((locs) => {
    const stores = locs.filter((l) => l.tipo !== 'cedi');
    form.tienda_id.insertAdjacentHTML('beforeend', String(html`${stores.map((s) => html`<option value="${s.id}">${s.nombre}</option>`)}`));
    form.tienda_id.value = filters.tienda_id;
  }).catch(() => { /* the filter stays "all": the list itself reports errors */ });

  form.addEventListener('change', () => {
    filters.estado = form.estado.value;
    filters.tienda_id = form.tienda_id.value;
    filters.page = 1;
    load();
  });

  async function load() {
    const params = { page: filters.page, page_size: PAGE_SIZE };
    if (filters.estado) params.estado = filters.estado;
    if (filters.tienda_id) params.tienda_id = filters.tienda_id;
    ctx.setQuery(Object.fromEntries(Object.entries(params).filter(([k, v]) => k !== 'page_size' && !(k === 'page' && v === 1))));
    tableEl.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await apiGet(`/api/pedidos-sugeridos?${new URLSearchParams(params)}`, { signal: ctx.signal });
    } catch (e) {
      if (!isAbort(e)) showError(tableEl, e, load);
      return;
    }
    tableEl.removeAttribute('aria-busy');
    if (!data.pedidos.length) {
      const filtered = filters.estado || filters.tienda_id;
      setHtml(tableEl, emptyState('No hay pedidos', filtered
        ? 'Ningún pedido cumple los filtros elegidos. Pruebe con otro estado o destino.'
        : 'Todavía no se ha guardado ningún pedido. Use «Crear pedido» para calcular el pedido sugerido de una tienda.'));
      return;
    }
    const pages = Math.max(1, Math.ceil(data.total / data.page_size));
    setHtml(tableEl, html`
      <div class="card table-card"><table class="data-table" data-role="orders">
        <thead><tr><th>Número</th><th>Fecha y hora</th><th>Usuario</th><th>Destino</th><th>Estado</th><th>Llegada</th><th class="num">Toneladas</th><th></th></tr></thead>
        <tbody>${data.pedidos.map((o) => html`<tr data-id="${o.id}">
          <th><a href="/pedidos-sugeridos/${o.id}">${o.numero_pedido}</a></th>
          <td>${formatDateTime(o.fecha_creacion)}</td>
          <td>${o.usuario_creador}</td>
          <td><strong>${o.tienda_destino_nombre}</strong>: ${formatInteger(o.total_productos)} productos / ${formatInteger(o.total_bultos)} bultos <span class="muted">— desde ${o.cedi_origen_nombre}</span></td>
          <td>${stateBadge(o.estado)}</td>
          <td class="arrival-cell">${arrivalBar(o)}</td>
          <td class="num">${formatNumber((o.total_peso_kg || 0) / 1000, 2)}</td>
          <td class="actions"><a class="btn" href="/pedidos-sugeridos/${o.id}">Ver</a>${o.estado === 'borrador' && caps(ctx)('pedidos.crear') ? html` <button type="button" class="btn btn-ghost" data-delete="${o.id}" data-numero="${o.numero_pedido}">Eliminar</button>` : ''}</td>
        </tr>`)}</tbody>
      </table></div>
      <nav class="pager" aria-label="Páginas">
        <button type="button" class="btn" data-page="${filters.page - 1}" ${filters.page <= 1 ? html`disabled` : ''}>Anterior</button>
        <span>Página ${filters.page} de ${pages} · ${formatInteger(data.total)} pedidos</span>
        <button type="button" class="btn" data-page="${filters.page + 1}" ${filters.page >= pages ? html`disabled` : ''}>Siguiente</button>
      </nav>`);
    tableEl.querySelectorAll('[data-page]').forEach((b) => b.addEventListener('click', () => { filters.page = Number(b.dataset.page); load(); }));
    tableEl.querySelectorAll('[data-delete]').forEach((b) => b.addEventListener('click', async () => {
      if (!confirm(`¿Eliminar el borrador ${b.dataset.numero}? Esta acción no se puede deshacer.`)) return;
      try {
        await apiDelete(`/api/pedidos-sugeridos/${b.dataset.delete}`);
        load();
      } catch (e) {
        alert(e.detail || 'No se pudo eliminar el pedido.');
      }
    }));
  }
  await load();
}

// ---------- detail ----------

// [action, label, capability, states in which the server allows it, needs a reason]
const ACTIONS = [
  ['enviar-aprobacion', 'Enviar a aprobación', 'pedidos.crear', ['borrador'], false],
  ['aprobar', 'Aprobar', 'pedidos.aprobar', ['pendiente_aprobacion'], false],
  ['rechazar', 'Rechazar', 'pedidos.aprobar', ['pendiente_aprobacion'], true],
  ['reabrir', 'Reabrir', 'pedidos.crear', ['rechazado'], false],
  ['marcar-enviado', 'Marcar como enviado', 'pedidos.crear', ['aprobado'], false],
  ['cerrar', 'Cerrar (recibido)', 'pedidos.llegada', ['enviado'], false],
  ['cancelar', 'Cancelar', 'pedidos.crear', ['borrador', 'pendiente_aprobacion', 'aprobado'], true],
];

async function renderDetail(container, ctx, id) {
  const can = caps(ctx);
  setHtml(container, skeletonBlock({ cards: 4, rows: 10 }));
  let order;
  try {
    order = await apiGet(`/api/pedidos-sugeridos/${encodeURIComponent(id)}`, { signal: ctx.signal });
  } catch (e) {
    if (isAbort(e)) return;
    if (e.status === 404) {
      setHtml(container, emptyState('Pedido no encontrado', 'El pedido no existe o pertenece a una tienda que usted no gestiona.'));
      return;
    }
    showError(container, e, () => renderDetail(container, ctx, id));
    return;
  }
  const own = ctx.user && order.usuario_creador === ctx.user.username && ctx.user.rol !== 'super_admin';
  const actions = ACTIONS.filter(([a, , cap, states]) => can(cap) && states.includes(order.estado) && !(own && (a === 'aprobar' || a === 'rechazar')));
  setHtml(container, html`
    <div class="page-head">
      <div>
        <p class="muted"><a href="/pedidos-sugeridos">← Pedidos sugeridos</a></p>
        <h1>Pedido ${order.numero_pedido} ${stateBadge(order.estado)}</h1>
        <p class="muted">${order.cedi_origen_nombre} → <strong>${order.tienda_destino_nombre}</strong> · fecha ${formatDate(order.fecha_pedido)} · creado por ${order.usuario_creador} el ${formatDateTime(order.fecha_creacion)}${order.usuario_aprobador ? ` · aprobado por ${order.usuario_aprobador}` : ''}</p>
      </div>
      <div class="actions" data-role="actions">
        ${actions.map(([a, label]) => html`<button type="button" class="btn ${a === 'aprobar' || a === 'enviar-aprobacion' ? 'btn-primary' : ''}" data-act="${a}">${label}</button>`)}
        ${order.estado === 'borrador' && can('pedidos.crear') ? html`<button type="button" class="btn btn-ghost" data-act="eliminar">Eliminar</button>` : ''}
        <button type="button" class="btn" data-act="verificar">Verificar llegada</button>
        <a class="btn" href="/api/pedidos-sugeridos/${order.id}/exportar-excel" download data-role="excel">Exportar Excel</a>
      </div>
    </div>
    <p class="field-error order-message" data-role="message" role="alert" hidden></p>
    <div class="kpis">
      <div class="kpi"><span class="kpi-label">Productos</span><span class="kpi-value">${formatInteger(order.total_productos)}</span></div>
      <div class="kpi"><span class="kpi-label">Bultos</span><span class="kpi-value">${formatInteger(order.total_bultos)}</span></div>
      <div class="kpi"><span class="kpi-label">Unidades</span><span class="kpi-value">${formatInteger(order.total_unidades)}</span></div>
      <div class="kpi"><span class="kpi-label">Peso</span><span class="kpi-value">${formatNumber(order.total_peso_kg || 0, 1)} kg</span><span class="kpi-hint">Prioridad ${order.prioridad} · ${KIND_LABEL[order.tipo_pedido] || order.tipo_pedido}</span></div>
    </div>
    ${order.observaciones ? html`<div class="card note"><strong>Observaciones:</strong> ${order.observaciones}</div>` : ''}
    <dialog class="modal" data-role="reason"><form method="dialog" class="modal-form">
      <div class="modal-head"><h2 data-role="reason-title">Motivo</h2></div>
      <div class="modal-body"><label class="field">Motivo (obligatorio) <textarea name="motivo" rows="3" required></textarea></label></div>
      <div class="modal-foot"><button value="cancel" class="btn" formnovalidate>Volver</button><button value="ok" class="btn btn-primary">Confirmar</button></div>
    </form></dialog>
    <section class="card table-card" data-role="lines"></section>
    <div class="two-col">
      <section class="card pad"><h2>Comentarios</h2><ul class="timeline" data-role="comments"></ul>
        <form class="stack" data-role="comment-form"><label>Nuevo comentario <textarea name="comentario" rows="2" required></textarea></label>
        <div class="actions"><button class="btn">Agregar comentario</button></div></form></section>
      <section class="card pad"><h2>Historial</h2><ol class="timeline" data-role="history">${order.historial.map((h) => html`<li>
        <strong>${h.estado_anterior ? `${STATE_LABEL[h.estado_anterior]} → ` : ''}${STATE_LABEL[h.estado_nuevo]}</strong>
        <span class="muted">${h.usuario} · ${formatDateTime(h.fecha_cambio)}</span>${h.motivo_cambio ? html`<div>${h.motivo_cambio}</div>` : ''}</li>`)}</ol></section>
    </div>`);

  const message = container.querySelector('[data-role=message]');
  const showMessage = (text) => { message.textContent = text; message.hidden = !text; };
  const reload = () => renderDetail(container, ctx, id);
  renderLines(container.querySelector('[data-role=lines]'), order, null);
  renderComments(container, order);

  container.querySelector('[data-role=comment-form]').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    try {
      order.comentarios = await apiPost(`/api/pedidos-sugeridos/${order.id}/comentarios`, { comentario: f.comentario.value });
      f.reset();
      renderComments(container, order);
    } catch (e) { showMessage(e.detail); }
  });

  const dialog = container.querySelector('[data-role=reason]');
  const askReason = (title) => new Promise((resolve) => {
    container.querySelector('[data-role=reason-title]').textContent = title;
    dialog.querySelector('textarea').value = '';
    dialog.onclose = () => resolve(dialog.returnValue === 'ok' ? dialog.querySelector('textarea').value.trim() : null);
    dialog.showModal();
  });

  container.querySelectorAll('[data-act]').forEach((b) => b.addEventListener('click', async () => {
    const act = b.dataset.act;
    showMessage('');
    if (act === 'verificar') return verify(container, order, showMessage);
    if (act === 'eliminar') {
      if (!confirm(`¿Eliminar el borrador ${order.numero_pedido}?`)) return;
      try { await apiDelete(`/api/pedidos-sugeridos/${order.id}`); ctx.navigate('/pedidos-sugeridos'); } catch (e) { showMessage(e.detail); }
      return;
    }
    const spec = ACTIONS.find((a) => a[0] === act);
    const body = {};
    if (spec[4]) {
      const motivo = await askReason(`${spec[1]} el pedido ${order.numero_pedido}`);
      if (!motivo) return;
      body.motivo = motivo;
    } else if (act === 'aprobar') {
      const comentario = prompt('Comentario de aprobación (opcional):', '');
      if (comentario === null) return;
      if (comentario.trim()) body.comentario = comentario.trim();
    }
    b.disabled = true;
    try {
      await apiPost(`/api/pedidos-sugeridos/${order.id}/${act}`, body);
      reload();
    } catch (e) {
      b.disabled = false;
      showMessage(e.detail);
    }
  }));
}

function renderComments(container, order) {
  setHtml(container.querySelector('[data-role=comments]'), order.comentarios.length
    ? html`${order.comentarios.map((c) => html`<li><div>${c.comentario}</div><span class="muted">${c.usuario} · ${formatDateTime(c.fecha_comentario)}</span></li>`)}`
    : html`<li class="muted">Sin comentarios.</li>`);
}

// Lines, with the arrival columns once a verification was run.
function renderLines(el, order, verification) {
  const arrival = verification ? new Map(verification.lineas.map((l) => [l.codigo_producto, l])) : null;
  setHtml(el, html`<table class="data-table" data-role="order-lines">
    <thead><tr><th class="num">#</th><th>Código</th><th>Descripción</th><th>ABC</th><th class="num">U/B</th><th class="num">Sugerido</th><th class="num">Pedido</th><th class="num">Unidades</th><th class="num">Stock tienda</th>
      ${arrival ? html`<th class="num">Llegada (b)</th><th class="num">Ya registrado</th><th class="num">Nuevo</th><th>Estado</th>` : html`<th class="num">Recibido (b)</th>`}<th>Notas</th></tr></thead>
    <tbody>${order.lineas.map((l) => {
      const a = arrival && arrival.get(l.codigo_producto);
      return html`<tr data-code="${l.codigo_producto}">
        <td class="num">${l.linea_numero}</td><td>${l.codigo_producto}</td><td>${l.descripcion_producto}</td><td>${l.clasificacion_abc || 'D'}</td>
        <td class="num">${formatNumber(l.cantidad_bultos, l.cantidad_bultos % 1 ? 2 : 0)}</td>
        <td class="num">${formatInteger(l.cantidad_sugerida_bultos)}</td><td class="num"><strong>${formatInteger(l.cantidad_pedida_bultos)}</strong></td>
        <td class="num">${formatInteger(l.cantidad_pedida_unidades)}</td><td class="num">${formatNumber(l.stock_tienda, 0)}</td>
        ${arrival ? html`<td class="num">${a ? formatNumber(a.total_llegadas_detectadas, 2) : '-'}</td><td class="num">${a ? formatNumber(a.cantidad_ya_guardada, 2) : '-'}</td>
          <td class="num">${a ? formatNumber(a.nuevo_incremento, 2) : '-'}</td><td>${a ? html`<span class="badge badge-${a.estado_llegada === 'completo' ? 'optimo' : a.estado_llegada === 'parcial' ? 'bajo' : 'critico'}" title="${a.mensaje}">${ARRIVAL_LABEL[a.estado_llegada]}</span>` : ''}</td>`
        : html`<td class="num">${formatNumber(l.cantidad_recibida_bultos, 1)}</td>`}
        <td>${l.observaciones || l.razon_pedido || ''}</td></tr>`;
    })}</tbody></table>`);
}

async function verify(container, order, showMessage) {
  const el = container.querySelector('[data-role=lines]');
  let v;
  try {
    v = await apiGet(`/api/pedidos-sugeridos/${order.id}/verificar-llegada`);
  } catch (e) { showMessage(e.detail); return; }
  renderLines(el, order, v);
  const pending = v.lineas.filter((l) => l.nuevo_incremento > 0);
  el.insertAdjacentHTML('afterbegin', String(html`<div class="verify-head">
    <span>Cumplimiento: <strong>${formatPercent(v.porcentaje_cumplimiento_global)}</strong> · ${v.completos} completos · ${v.parciales} parciales · ${v.no_llegaron} sin llegada</span>
    <span class="actions"><a class="btn" href="/api/pedidos-sugeridos/${order.id}/verificar-llegada/exportar" download>Exportar CSV</a>
    ${pending.length ? html`<button type="button" class="btn btn-primary" data-role="save-arrival">Guardar llegada (${pending.length})</button>` : ''}</span></div>`));
  const save = el.querySelector('[data-role=save-arrival]');
  if (save) save.addEventListener('click', async () => {
    save.disabled = true;
    try {
      const r = await apiPost(`/api/pedidos-sugeridos/${order.id}/registrar-llegada`, {
        productos: pending.map((l) => ({ codigo_producto: l.codigo_producto, cantidad_llegada: l.nuevo_incremento })),
      });
      showMessage('');
      order = await apiGet(`/api/pedidos-sugeridos/${order.id}`);
      await verify(container, order, showMessage);
      el.insertAdjacentHTML('afterbegin', String(html`<p class="ok-note" role="status">${r.mensaje}</p>`));
    } catch (e) { save.disabled = false; showMessage(e.detail); }
  });
}

