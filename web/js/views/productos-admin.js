// "Productos" of the administrator (spec 50 §8): correct what the POS does not send well
// (pack size, order unit, weight, zone, category, supplying CEDI, flags). Corrections are
// stored apart from the POS values and win over them, so no later ETL run undoes them.
// Filters live in the URL (a link reproduces the view); the server pages and filters.
import { apiGet, apiPut, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError, drawPager, bindPager } from '../dom.js';
import { formatNumber, formatInteger } from '../format.js';
import { openDialog } from '../dialog.js';

const UNITS = ['Bulto', 'Unidad', 'KG', 'LT', 'MT', 'Caja', 'Paquete'];
const FLAGS = [
  ['solo_sin_bulto', 'Sin unidades por bulto', 'El POS (KLK) no las informa: se pide con 1 unidad por bulto hasta corregirlo.'],
  ['solo_sin_peso', 'Sin peso', 'Sin peso unitario: el pedido no puede calcular toneladas.'],
  ['solo_sin_cuadrante', 'Sin cuadrante', 'Sin zona de almacén asignada.'],
  ['solo_con_ajustes', 'Con correcciones', 'Productos con algún valor corregido a mano.'],
];
const TEXT_FILTERS = ['search', 'categoria', 'cuadrante', 'marca', 'cedi_origen_id', 'estado'];
const PAGE_SIZES = [25, 50, 100, 200];

function readFilters(q) {
  const f = { page: Math.max(1, Number(q.get('page')) || 1), page_size: PAGE_SIZES.includes(Number(q.get('page_size'))) ? Number(q.get('page_size')) : 50 };
  for (const k of TEXT_FILTERS) f[k] = q.get(k) || '';
  for (const [k] of FLAGS) f[k] = q.get(k) === 'true';
  return f;
}

// Only what differs from the defaults goes to the URL and the API.
function toQuery(f) {
  const out = {};
  for (const k of TEXT_FILTERS) if (f[k]) out[k] = f[k];
  for (const [k] of FLAGS) if (f[k]) out[k] = 'true';
  if (f.page > 1) out.page = String(f.page);
  if (f.page_size !== 50) out.page_size = String(f.page_size);
  return out;
}

const options = (list, current, all) => html`<option value="">${all}</option>${list.map((o) => html`<option value="${o.valor}" ${o.valor === current ? html`selected` : ''}>${o.valor} (${formatInteger(o.cantidad)})</option>`)}`;

export async function render(container, ctx) {
  const f = readFilters(ctx.query);
  setHtml(container, html`<div class="page-head"><div><p class="muted"><a href="/administrador">← Panel de administrador</a></p>
      <h1>Productos</h1>
      <p class="subtitle">Corrija lo que el POS no informa bien. Las correcciones se guardan aparte, ganan sobre el POS en cada carga y se usan en el próximo cálculo de pedidos.</p></div></div>
    <div class="kpis" data-role="flags">${FLAGS.map(([k, label, hint]) => html`<button type="button" class="kpi kpi-button" data-flag="${k}" aria-pressed="${String(f[k])}" title="${hint}">
      <span class="kpi-label">${label}</span><span class="kpi-value" data-count="${k}">…</span></button>`)}</div>
    <form class="card filter-bar filters wrap" data-role="filters" autocomplete="off">
      <label>Buscar <input type="search" name="search" value="${f.search}" placeholder="Código o descripción" aria-label="Buscar por código o descripción"></label>
      <label>Categoría <select name="categoria"><option value="">Todas</option></select></label>
      <label>Cuadrante <select name="cuadrante"><option value="">Todos</option></select></label>
      <label>Marca <select name="marca"><option value="">Todas</option></select></label>
      <label>CEDI <select name="cedi_origen_id"><option value="">Todos</option></select></label>
      <label>Estado <select name="estado">
        <option value="" ${!f.estado ? html`selected` : ''}>Activos</option>
        <option value="inactivos" ${f.estado === 'inactivos' ? html`selected` : ''}>Inactivos</option>
        <option value="todos" ${f.estado === 'todos' ? html`selected` : ''}>Todos</option></select></label>
      <button type="button" class="btn btn-ghost" data-action="clear">Limpiar filtros</button>
    </form>
    <p class="ok-note" data-role="ok" role="status" hidden></p>
    <section data-role="table">${skeletonBlock({ rows: 8 })}</section>
    <div class="pager" data-role="pager"></div>`);
  const form = container.querySelector('[data-role=filters]');
  const tableEl = container.querySelector('[data-role=table]');
  const pagerEl = container.querySelector('[data-role=pager]');
  const okEl = container.querySelector('[data-role=ok]');
  let cedis = [];
  let page = null;
  let seq = 0;

  const fillOptions = async () => {
    const [cats, zones, brands, locs] = await Promise.all([
      apiGet('/api/admin/productos/opciones/categorias', { signal: ctx.signal }),
      apiGet('/api/admin/productos/opciones/cuadrantes', { signal: ctx.signal }),
      apiGet('/api/admin/productos/opciones/marcas', { signal: ctx.signal }),
      apiGet('/api/ubicaciones', { signal: ctx.signal }),
    ]);
    cedis = locs.filter((l) => l.tipo === 'cedi');
    setHtml(form.elements.categoria, options(cats, f.categoria, 'Todas'));
    setHtml(form.elements.cuadrante, options(zones, f.cuadrante, 'Todos'));
    setHtml(form.elements.marca, options(brands, f.marca, 'Todas'));
    setHtml(form.elements.cedi_origen_id, html`<option value="">Todos</option>${cedis.map((c) => html`<option value="${c.id}" ${c.id === f.cedi_origen_id ? html`selected` : ''}>${c.nombre}</option>`)}`);
    return { cats, zones };
  };

  const countFlags = async () => {
    await Promise.all(FLAGS.map(async ([k]) => {
      const r = await apiGet(`/api/admin/productos?${k}=true&page_size=10`, { signal: ctx.signal });
      container.querySelector(`[data-count="${k}"]`).textContent = formatInteger(r.total);
    }));
  };

  const cediName = (id) => (cedis.find((c) => c.id === id) || {}).nombre || id || '—';

  const draw = () => {
    const rows = page.productos;
    if (!rows.length) {
      setHtml(tableEl, emptyState('Ningún producto con estos filtros', 'Pruebe con otra búsqueda o limpie los filtros.'));
    } else {
      setHtml(tableEl, html`<div class="card table-card"><table class="data-table" data-role="products">
        <thead><tr><th>Código</th><th>Descripción</th><th>Categoría</th><th>Cuadrante</th><th class="num" title="Unidades por bulto">U/B</th><th>Unidad</th>
          <th class="num">Peso kg</th><th>CEDI</th><th>Estado</th><th></th></tr></thead>
        <tbody>${rows.map((p) => html`<tr data-code="${p.codigo}" tabindex="0">
          <td class="code">${p.codigo}</td>
          <td class="desc" title="${p.descripcion}">${p.descripcion}${p.es_generador_trafico ? html` <span title="Generador de tráfico">★</span>` : ''}</td>
          <td>${p.categoria || 'SIN CATEGORIA'}</td>
          <td>${p.cuadrante === 'NO ESPECIFICADO' ? html`<span class="muted">—</span>` : p.cuadrante}</td>
          <td class="num">${p.bulto_sin_definir ? html`<span class="badge badge-bajo" title="El POS no informa unidades por bulto: se pide con 1">1?</span>` : formatInteger(p.unidades_por_bulto)}</td>
          <td>${p.unidad_pedido}</td>
          <td class="num">${p.peso_unitario === null ? html`<span class="muted">—</span>` : formatNumber(p.peso_unitario, 3)}</td>
          <td>${cediName(p.cedi_origen_id)}</td>
          <td>${p.activo ? 'Activo' : html`<span class="badge badge-rechazado">Inactivo</span>`}${p.con_ajustes ? html` <span class="badge badge-aprobado" title="Tiene valores corregidos a mano">corregido</span>` : ''}</td>
          <td><button type="button" class="btn btn-sm" data-action="edit">Editar</button></td></tr>`)}</tbody></table></div>`);
    }
    drawPager(pagerEl, f, { sizes: PAGE_SIZES, pages: page.total_pages, total: page.total, what: 'productos' });
  };

  const load = async () => {
    const mine = ++seq;
    ctx.setQuery(toQuery(f));
    container.querySelectorAll('[data-flag]').forEach((b) => b.setAttribute('aria-pressed', String(f[b.dataset.flag])));
    tableEl.setAttribute('aria-busy', 'true');
    try {
      const r = await apiGet(`/api/admin/productos?${new URLSearchParams(toQuery(f))}`, { signal: ctx.signal });
      if (mine !== seq) return;
      page = r;
      draw();
    } catch (e) {
      if (!isAbort(e) && mine === seq) showError(tableEl, e, load, 'No se pudo cargar la lista de productos');
    } finally {
      tableEl.removeAttribute('aria-busy');
    }
  };

  let typing = null;
  form.addEventListener('input', (ev) => {
    if (ev.target.name !== 'search') return;
    clearTimeout(typing);
    const v = ev.target.value.trim();
    // One character matches half the catalogue; the server asks for two.
    if (v.length === 1) return;
    typing = setTimeout(() => { f.search = v; f.page = 1; load(); }, 250);
  });
  form.addEventListener('change', (ev) => {
    if (!ev.target.name || ev.target.name === 'search') return;
    f[ev.target.name] = ev.target.value;
    f.page = 1;
    load();
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  form.querySelector('[data-action=clear]').addEventListener('click', () => {
    Object.assign(f, readFilters(new URLSearchParams()));
    form.reset();
    form.elements.search.value = '';
    for (const k of ['categoria', 'cuadrante', 'marca', 'cedi_origen_id', 'estado']) form.elements[k].value = '';
    load();
  });
  container.querySelector('[data-role=flags]').addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-flag]');
    if (!b) return;
    f[b.dataset.flag] = !f[b.dataset.flag];
    f.page = 1;
    load();
  });
  bindPager(pagerEl, f, load);

  const edit = (code) => editProduct(container, ctx, code, cedis, async (message) => {
    okEl.textContent = message;
    okEl.hidden = false;
    await Promise.all([load(), countFlags()]);
  });
  tableEl.addEventListener('click', (ev) => {
    const row = ev.target.closest('tr[data-code]');
    if (row && ev.target.closest('[data-action=edit]')) edit(row.dataset.code);
  });
  tableEl.addEventListener('dblclick', (ev) => {
    const row = ev.target.closest('tr[data-code]');
    if (row) edit(row.dataset.code);
  });
  tableEl.addEventListener('keydown', (ev) => {
    const row = ev.target.closest('tr[data-code]');
    if (!row) return;
    if (ev.key === 'Enter') { ev.preventDefault(); edit(row.dataset.code); }
    if (ev.key === 'ArrowDown' && row.nextElementSibling) { ev.preventDefault(); row.nextElementSibling.focus(); }
    if (ev.key === 'ArrowUp' && row.previousElementSibling) { ev.preventDefault(); row.previousElementSibling.focus(); }
  });

  try {
    await Promise.all([fillOptions(), load(), countFlags()]);
  } catch (e) {
    if (!isAbort(e)) showError(tableEl, e, () => render(container, ctx));
  }
}

// The POS value of a field, for the hint under it.
function posText(v) {
  if (v === null || v === undefined || v === '') return 'sin valor';
  if (typeof v === 'boolean') return v ? 'sí' : 'no';
  return String(v);
}

// The edit form: each field shows the effective value, the POS value under it and, when
// corrected, a "volver al valor del POS" box. Only what changed is sent.
async function editProduct(host, ctx, code, cedis, done) {
  let p;
  try {
    p = await apiGet(`/api/admin/productos/${encodeURIComponent(code)}`, { signal: ctx.signal });
  } catch (e) {
    if (!isAbort(e)) showError(host.querySelector('[data-role=table]'), e, null, `No se pudo abrir el producto ${code}`);
    return;
  }
  const pos = p.valores_pos;
  const corrected = (k) => p.ajustes[k] !== null && p.ajustes[k] !== undefined;
  const reset = (k) => (corrected(k) ? html`<label class="check reset"><input type="checkbox" name="restablecer" value="${k}"> volver al valor del POS</label>` : '');
  const shown = (k) => (k === 'cedi_origen_id' && pos[k] ? (cedis.find((c) => c.id === pos[k]) || {}).nombre || pos[k] : pos[k]);
  const hint = (k) => html`<span class="field-hint">POS: ${posText(shown(k))}</span>${reset(k)}`;
  const err = (k) => html`<span class="field-error" data-error-for="${k}" hidden></span>`;
  const input = (pre, k, label, attrs) => html`<div class="field"><label for="${pre}-${k}">${label}</label>
    <input id="${pre}-${k}" name="${k}" value="${p[k] ?? ''}" ${attrs}>${hint(k)}${err(k)}</div>`;
  openDialog(host, {
    title: `${p.codigo} · ${p.descripcion}`,
    intro: p.bulto_sin_definir
      ? 'El POS no informa las unidades por bulto de este producto: hoy se pide con 1 unidad por bulto. Indique el valor real.'
      : 'Los valores corregidos ganan sobre los del POS en cada carga y se usan en el próximo cálculo de pedidos.',
    submitLabel: 'Guardar cambios',
    body: (pre) => html`<div class="form-grid">
      ${input(pre, 'unidades_por_bulto', 'Unidades por bulto', html`type="number" min="1" max="9999" step="1" inputmode="numeric" required`)}
      <div class="field"><label for="${pre}-unidad_pedido">Unidad de pedido</label>
        <select id="${pre}-unidad_pedido" name="unidad_pedido">${[...new Set([...UNITS, p.unidad_pedido])].map((u) => html`<option ${u === p.unidad_pedido ? html`selected` : ''}>${u}</option>`)}</select>
        ${hint('unidad_pedido')}${err('unidad_pedido')}</div>
      ${input(pre, 'peso_unitario', 'Peso unitario (kg)', html`type="number" min="0" step="0.001" inputmode="decimal"`)}
      ${input(pre, 'volumen_unitario', 'Volumen unitario (m³)', html`type="number" min="0" step="0.0001" inputmode="decimal"`)}
      ${input(pre, 'cuadrante', 'Cuadrante', html`maxlength="20" placeholder="CUADRANTE I … (vacío = sin cuadrante)"`)}
      ${input(pre, 'categoria', 'Categoría', html`maxlength="100"`)}
      ${input(pre, 'marca', 'Marca', html`maxlength="100"`)}
      ${input(pre, 'presentacion', 'Presentación', html`maxlength="50"`)}
      <div class="field"><label for="${pre}-cedi">CEDI de origen</label>
        <select id="${pre}-cedi" name="cedi_origen_id"><option value="">—</option>${cedis.map((c) => html`<option value="${c.id}" ${c.id === p.cedi_origen_id ? html`selected` : ''}>${c.nombre}</option>`)}</select>
        ${hint('cedi_origen_id')}${err('cedi_origen_id')}</div>
      <div class="field"><span class="field-label">Marcas</span>
        <label class="check"><input type="checkbox" name="es_generador_trafico" ${p.es_generador_trafico ? html`checked` : ''}> Generador de tráfico (se trata como clase A)</label>
        ${hint('es_generador_trafico')}
        <label class="check"><input type="checkbox" name="activo" ${p.activo ? html`checked` : ''}> Activo (entra en los pedidos)</label>
        ${hint('activo')}${err('activo')}</div>
    </div>`,
    onSubmit: async (form) => {
      const patch = {};
      const text = (k) => form.elements[k].value.trim();
      const changed = (k, v) => { if (v !== (p[k] ?? '')) patch[k] = v; };
      const upb = text('unidades_por_bulto');
      if (upb !== String(p.unidades_por_bulto) || p.bulto_sin_definir) patch.unidades_por_bulto = Number(upb);
      changed('unidad_pedido', form.elements.unidad_pedido.value);
      for (const k of ['peso_unitario', 'volumen_unitario']) {
        const v = text(k);
        if (v !== '' && Number(v) !== p[k]) patch[k] = Number(v);
      }
      for (const k of ['cuadrante', 'categoria', 'marca', 'presentacion']) {
        const v = text(k);
        const before = k === 'cuadrante' && p.cuadrante === 'NO ESPECIFICADO' ? '' : (p[k] ?? '');
        if (v !== before && (v !== '' || k === 'cuadrante')) patch[k] = v;
      }
      const cedi = form.elements.cedi_origen_id.value;
      if (cedi && cedi !== p.cedi_origen_id) patch.cedi_origen_id = cedi;
      for (const k of ['es_generador_trafico', 'activo']) if (form.elements[k].checked !== p[k]) patch[k] = form.elements[k].checked;
      const restablecer = [...form.querySelectorAll('input[name=restablecer]:checked')].map((i) => i.value);
      for (const k of restablecer) delete patch[k];
      if (restablecer.length) patch.restablecer = restablecer;
      if (!Object.keys(patch).length) throw { detail: 'No cambió ningún valor.' };
      const r = await apiPut(`/api/admin/productos/${encodeURIComponent(code)}`, patch);
      await done(r.message);
    },
  });
}
