// "Conjuntos sustituibles" (spec 31 §5): products shoppers switch between freely. Each set
// lists its members with an optional manual share; the replenishment engine splits the set's
// demand by share and moves the share of a member the CEDI has run out of to the others.
// The server resolves codes (with or without leading zeros) and enforces every rule; this
// screen shows its message when it refuses.
import { apiGet, apiPost, apiPut, apiDelete, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatDateTime, formatNumber } from '../format.js';
import { openDialog } from '../dialog.js';

const API = '/api/conjuntos-sustituibles';

function head(canEdit) {
  return html`<div class="page-head"><div><h1>Conjuntos sustituibles</h1>
    <p class="subtitle">Productos que el cliente cambia entre sí (p. ej. azúcar 1 kg de tres marcas). La demanda del conjunto se reparte por participación; si el CEDI no tiene un miembro, su parte pasa a los que sí tiene.</p></div>
    ${canEdit ? html`<div class="actions"><button type="button" class="btn btn-primary" data-role="create">Nuevo conjunto</button></div>` : ''}</div>`;
}

// "000123, 40" or "000123" per line → members; the share is optional.
function parseMembers(text) {
  return text.split(/\n/).map((l) => l.trim()).filter(Boolean).map((l) => {
    const [code, share] = l.split(/[;,\t]/).map((s) => s.trim());
    const m = { codigo_producto: code };
    if (share !== undefined && share !== '') m.share_manual = Number(share.replace('%', '').replace(',', '.'));
    return m;
  });
}

export async function render(container, ctx) {
  const canEdit = ctx.can('admin.parametros');
  setHtml(container, html`${head(canEdit)}${skeletonBlock({ rows: 4 })}`);
  let sets;
  try {
    sets = await apiGet(API, { signal: ctx.signal });
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => render(container, ctx));
    return;
  }
  setHtml(container, html`${head(canEdit)}
    <p class="banner banner-success flash" data-role="flash" role="status" hidden></p>
    ${sets.length ? html`<div class="card table-card"><table class="data-table" data-role="sets"><thead><tr><th>Conjunto</th><th>Categoría</th><th>Miembros</th><th>Estado</th><th>Actualizado</th>${canEdit ? html`<th></th>` : ''}</tr></thead>
      <tbody>${sets.map((s) => html`<tr data-id="${s.id}"><td><strong>${s.nombre}</strong>${s.descripcion ? html`<br><span class="muted">${s.descripcion}</span>` : ''}</td><td>${s.categoria || '—'}</td>
        <td><ul class="plain-list">${s.miembros.map((m) => html`<li><span class="code">${m.codigo_producto}</span> ${m.descripcion_producto || html`<span class="muted">(no está en el catálogo)</span>`}${m.share_manual != null ? html` · <strong>${formatNumber(m.share_manual, 1)} %</strong>` : html` <span class="muted">· por ventas</span>`}</li>`)}</ul></td>
        <td>${s.activo ? html`<span class="badge badge-optimo">Activo</span>` : html`<span class="badge badge-tienda">Inactivo</span>`}</td><td>${formatDateTime(s.updated_at)}</td>
        ${canEdit ? html`<td class="actions"><button type="button" class="btn btn-ghost" data-edit="${s.id}">Editar</button><button type="button" class="btn btn-ghost" data-delete="${s.id}">Eliminar</button></td>` : ''}</tr>`)}</tbody></table></div>`
    : emptyState('Todavía no hay conjuntos sustituibles', canEdit ? 'Use «Nuevo conjunto» para agrupar productos que el cliente cambia entre sí.' : 'Un administrador puede crearlos.')}`);
  const flash = (msg) => { const el = container.querySelector('[data-role=flash]'); el.hidden = false; el.textContent = msg; };
  const edit = (set) => openDialog(document.body, {
    title: set ? `Editar «${set.nombre}»` : 'Nuevo conjunto sustituible',
    intro: 'Un producto por línea: código y, si quiere fijarla, su participación en % (p. ej. «000123, 40»). Sin participación, se calcula con las ventas de las últimas 12 semanas de cada tienda.',
    submitLabel: set ? 'Guardar' : 'Crear conjunto',
    body: (p) => html`<label class="field" for="${p}-n">Nombre</label><input id="${p}-n" name="nombre" required maxlength="100">
      <label class="field" for="${p}-c">Categoría</label><input id="${p}-c" name="categoria" maxlength="100">
      <label class="field" for="${p}-d">Descripción</label><input id="${p}-d" name="descripcion" maxlength="500">
      <label class="field" for="${p}-m">Productos</label><textarea id="${p}-m" name="productos" rows="5" required placeholder="000123, 50&#10;000456, 30&#10;000789"></textarea>
      <label class="check"><input type="checkbox" name="activo" checked> Activo (el cálculo de pedidos lo usa)</label>`,
    onOpen: (form) => {
      if (!set) return;
      form.nombre.value = set.nombre;
      form.categoria.value = set.categoria || '';
      form.descripcion.value = set.descripcion || '';
      form.productos.value = set.miembros.map((m) => (m.share_manual != null ? `${m.codigo_producto}, ${m.share_manual}` : m.codigo_producto)).join('\n');
      form.activo.checked = set.activo;
    },
    onSubmit: async (form) => {
      const body = { nombre: form.nombre.value, categoria: form.categoria.value, descripcion: form.descripcion.value, activo: form.activo.checked, productos: parseMembers(form.productos.value) };
      const out = set ? await apiPut(`${API}/${set.id}`, body) : await apiPost(API, body);
      await render(container, ctx);
      const el = container.querySelector('[data-role=flash]');
      el.hidden = false;
      el.textContent = `Conjunto «${out.nombre}» ${set ? 'guardado' : 'creado'} con ${out.miembros.length} productos`;
    },
  });
  container.querySelector('[data-role=create]')?.addEventListener('click', () => edit(null));
  container.querySelector('[data-role=sets]')?.addEventListener('click', async (ev) => {
    const e = ev.target.closest('[data-edit]');
    if (e) edit(sets.find((s) => String(s.id) === e.dataset.edit));
    const d = ev.target.closest('[data-delete]');
    if (d) {
      const s = sets.find((x) => String(x.id) === d.dataset.delete);
      if (!window.confirm(`¿Eliminar el conjunto «${s.nombre}»? Sus productos vuelven a calcularse cada uno con su propia demanda.`)) return;
      try {
        await apiDelete(`${API}/${s.id}`);
        await render(container, ctx);
        flash(`Conjunto «${s.nombre}» eliminado`);
      } catch (err) {
        flash(err.message || String(err));
      }
    }
  });
}
