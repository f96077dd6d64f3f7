// "Exclusiones Inter-CEDI" (spec 31 §4.2): products a receiving CEDI never orders from another
// CEDI, whatever the origin. Stat cards, search and motive filter, delete with confirmation,
// one product by code (with or without leading zeros), and pasted codes in bulk with the
// result of every kind. The server resolves codes and refuses duplicates.
import { apiGet, apiPost, apiDelete, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatInteger, formatDateTime } from '../format.js';

const MOTIVES = [['MANUAL', 'Manual'], ['SOLO_TIENDA', 'Solo tienda'], ['PROVEEDOR_LOCAL', 'Proveedor local'], ['DESCONTINUADO', 'Descontinuado'], ['OTRO', 'Otro']];
const MOTIVE_LABEL = Object.fromEntries(MOTIVES);
const BASE = '/api/productos-excluidos-inter-cedi';

export async function render(container, ctx) {
  setHtml(container, html`<div class="page-head"><div><h1>Exclusiones Inter-CEDI</h1>
    <p class="subtitle">Los productos de esta lista nunca se sugieren en los pedidos Inter-CEDI hacia el CEDI elegido, venga de donde venga.</p></div></div>${skeletonBlock({ rows: 4 })}`);
  let routes;
  try {
    routes = await apiGet('/api/pedidos-inter-cedi/config/rutas', { signal: ctx.signal });
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => render(container, ctx));
    return;
  }
  const dests = [...new Map(routes.map((r) => [r.cedi_destino_id, r.cedi_destino_nombre])).entries()];
  if (!dests.length) {
    setHtml(container, html`<div class="page-head"><div><h1>Exclusiones Inter-CEDI</h1></div></div>${emptyState('No hay CEDIs receptores', 'Declare una ruta [[routes]] en tenant.toml para tener un CEDI receptor.')}`);
    return;
  }
  const st = { dest: ctx.query.get('destino') || dests[0][0], search: '', motivo: '' };
  setHtml(container, html`<div class="page-head"><div><h1>Exclusiones Inter-CEDI</h1>
      <p class="subtitle">Los productos de esta lista nunca se sugieren en los pedidos Inter-CEDI hacia el CEDI elegido, venga de donde venga.</p></div></div>
    <form class="card filter-bar filters" data-role="filters" autocomplete="off">
      <label>CEDI receptor <select name="destino">${dests.map(([id, n]) => html`<option value="${id}">${n}</option>`)}</select></label>
      <label>Buscar <input type="search" name="search" placeholder="Código, descripción o categoría"></label>
      <label>Motivo <select name="motivo"><option value="">Todos</option>${MOTIVES.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></label>
    </form>
    <div data-role="stats"></div>
    <div class="card-grid exclusion-forms">
      <form class="card pad" data-role="add"><h2>Excluir un producto</h2>
        <label class="field">Código <input name="codigo" required placeholder="p. ej. 3216 o 003216"></label>
        <label class="field">Motivo <select name="motivo">${MOTIVES.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></label>
        <label class="field">Observaciones <input name="observaciones"></label>
        <p data-role="add-msg" role="status"></p>
        <div class="actions"><button class="btn btn-primary" type="submit">Excluir</button></div></form>
      <form class="card pad" data-role="bulk"><h2>Pegar varios códigos</h2>
        <label class="field">Códigos (uno por línea, o separados por coma o punto y coma)<textarea name="codigos" rows="4"></textarea></label>
        <label class="field">Motivo <select name="motivo">${MOTIVES.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></label>
        <p data-role="bulk-msg" role="status"></p>
        <div class="actions"><button class="btn btn-primary" type="submit">Excluir todos</button></div></form>
    </div>
    <div class="card table-card" data-role="table"></div>`);
  const filters = container.querySelector('[data-role=filters]');
  filters.destino.value = st.dest;
  const statsEl = container.querySelector('[data-role=stats]');
  const tableEl = container.querySelector('[data-role=table]');
  const load = async () => {
    const q = new URLSearchParams({ limit: '500' });
    if (st.search) q.set('search', st.search);
    if (st.motivo) q.set('motivo', st.motivo);
    try {
      const [stats, page] = await Promise.all([
        apiGet(`${BASE}/estadisticas/${encodeURIComponent(st.dest)}`, { signal: ctx.signal }),
        apiGet(`${BASE}/${encodeURIComponent(st.dest)}?${q}`, { signal: ctx.signal }),
      ]);
      setHtml(statsEl, html`<div class="kpis"><div class="kpi"><span class="kpi-label">Excluidos</span><strong class="kpi-value">${formatInteger(stats.total_excluidos)}</strong></div>
        <div class="kpi"><span class="kpi-label">Por motivo</span><span class="kpi-hint">${Object.entries(stats.por_motivo).map(([k, n]) => `${MOTIVE_LABEL[k] || k}: ${n}`).join(' · ') || '—'}</span></div>
        <div class="kpi"><span class="kpi-label">Por CEDI de origen</span><span class="kpi-hint">${Object.entries(stats.por_cedi_origen).map(([k, n]) => `${k === 'sin_asignar' ? 'Sin asignar' : k}: ${n}`).join(' · ') || '—'}</span></div></div>`);
      setHtml(tableEl, page.exclusiones.length ? html`<table class="data-table" data-role="exclusions"><thead><tr><th>Código</th><th>Descripción</th><th>Categoría</th><th>Origen</th><th>Motivo</th><th>Observaciones</th><th>Por</th><th>Fecha</th><th></th></tr></thead>
        <tbody>${page.exclusiones.map((e) => html`<tr data-id="${e.id}"><td class="code">${e.codigo_producto}</td><td>${e.descripcion_producto || ''}</td><td>${e.categoria || ''}</td><td>${e.cedi_origen_id || 'Sin asignar'}</td>
          <td><span class="badge badge-tienda">${MOTIVE_LABEL[e.motivo] || e.motivo}</span></td><td>${e.observaciones || ''}</td><td>${e.creado_por || ''}</td><td>${formatDateTime(e.fecha_creacion)}</td>
          <td><button type="button" class="btn btn-ghost" data-delete="${e.id}" aria-label="${`Quitar ${e.codigo_producto}`}">Quitar</button></td></tr>`)}</tbody></table>`
        : emptyState('Sin exclusiones', st.search || st.motivo ? 'Ninguna exclusión cumple los filtros.' : 'Este CEDI recibe todos los productos de sus orígenes.'));
    } catch (e) {
      if (!isAbort(e)) showError(tableEl, e, load);
    }
  };
  filters.addEventListener('change', (ev) => {
    if (ev.target.name === 'destino') { st.dest = ev.target.value; ctx.setQuery({ destino: st.dest }); }
    if (ev.target.name === 'motivo') st.motivo = ev.target.value;
    load();
  });
  filters.addEventListener('input', (ev) => { if (ev.target.name === 'search') { st.search = ev.target.value.trim(); load(); } });
  filters.addEventListener('submit', (ev) => ev.preventDefault());
  tableEl.addEventListener('click', async (ev) => {
    const b = ev.target.closest('[data-delete]');
    if (!b || !window.confirm('¿Quitar esta exclusión? El producto volverá a sugerirse en los pedidos Inter-CEDI.')) return;
    b.disabled = true;
    try { await apiDelete(`${BASE}/${b.dataset.delete}`); } catch (e) { window.alert(e.detail || e.message); }
    load();
  });
  const add = container.querySelector('[data-role=add]');
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const msg = add.querySelector('[data-role=add-msg]');
    try {
      const r = await apiPost(BASE, { cedi_destino_id: st.dest, codigo_producto: add.codigo.value, motivo: add.motivo.value, observaciones: add.observaciones.value || null });
      setHtml(msg, html`<span class="ok-note">${r.codigo_producto} ${r.descripcion_producto} excluido${r.reactivada ? ' (de nuevo)' : ''}.</span>`);
      add.codigo.value = '';
      load();
    } catch (e) {
      setHtml(msg, html`<span class="field-error">${e.detail || e.message}</span>`);
    }
  });
  const bulk = container.querySelector('[data-role=bulk]');
  bulk.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const msg = bulk.querySelector('[data-role=bulk-msg]');
    const codigos = bulk.codigos.value.split(/[\n,;]+/).map((c) => c.trim()).filter(Boolean);
    try {
      const r = await apiPost(`${BASE}/bulk`, { cedi_destino_id: st.dest, codigos_productos: codigos, motivo: bulk.motivo.value });
      setHtml(msg, html`<span class="${r.exitosos ? 'ok-note' : 'field-error'}" data-role="bulk-result">Recibidos ${r.total_recibidos} · excluidos ${r.exitosos} · ya excluidos ${r.duplicados} · no encontrados ${r.no_encontrados}${r.codigos_no_encontrados.length ? ` (${r.codigos_no_encontrados.join(', ')})` : ''}${r.errores.length ? ` · errores: ${r.errores.join('; ')}` : ''}</span>`);
      load();
    } catch (e) {
      setHtml(msg, html`<span class="field-error">${e.detail || e.message}</span>`);
    }
  });
  load();
}
