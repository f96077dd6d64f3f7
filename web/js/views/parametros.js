// "Parámetros ABC" (spec 30 §16): the knobs of the replenishment engine, one tab each. Every
// value is validated and stored by the server (/api/config-inventario/…); a refusal is shown
// next to the form with the server's message.
import { apiGet, apiPost, apiPut, apiDelete, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, showError } from '../dom.js';
import { formatNumber, formatDateTime } from '../format.js';

const TABS = [
  ['modelo', 'Modelo ABC'], ['globales', 'Parámetros globales'], ['umbrales', 'Umbrales ABC'], ['niveles', 'Niveles de servicio'],
  ['tiendas', 'Por tienda'], ['categorias', 'Por categoría'], ['limites', 'Límites de inventario'], ['excluidos', 'Excluidos'],
];
const MODELS = [
  ['ranking_volumen', 'Ranking por volumen', 'Clase por posición en el ranking de unidades vendidas en la ventana: A hasta el umbral A, B hasta el B, C hasta el C, el resto D.'],
  ['ranking_valor', 'Ranking por valor', 'Igual que el anterior, ordenando por venta en dólares.'],
  ['pareto_volumen', 'Pareto por volumen', 'Clase por el porcentaje acumulado de unidades antes de cada producto: A hasta el umbral A %, B hasta el B %, el resto C; sin ventas, D.'],
  ['pareto_valor', 'Pareto por valor', 'Igual que el anterior, acumulando la venta en dólares.'],
];
const SERVICE_LEVELS = [99.9, 99.5, 99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 85, 80, 75, 70];
const RESTRICTIONS = ['espacio_fisico', 'congelador', 'refrigerador', 'anaquel', 'piso', 'exhibidor', 'custom'];
const REASONS = ['MANUAL', 'DESCONTINUADO', 'NO_VENDE', 'OTRO'];

const num = (v) => (v === '' || v === null || v === undefined ? null : Number(v));

export async function render(container, ctx) {
  const tab = TABS.some(([k]) => k === ctx.query.get('tab')) ? ctx.query.get('tab') : 'modelo';
  setHtml(container, html`<div class="page-head"><div><p class="muted"><a href="/administrador">← Panel de administrador</a></p>
      <h1>Parámetros ABC</h1><p class="muted">Cómo calcula Fluxion el pedido sugerido. Los cambios se aplican en el próximo cálculo.</p></div></div>
    <div class="tabs" role="tablist">${TABS.map(([k, l]) => html`<button type="button" role="tab" class="tab" data-tab="${k}" aria-selected="${k === tab ? 'true' : 'false'}">${l}</button>`)}</div>
    <p class="field-error order-message" data-role="message" role="alert" hidden></p>
    <p class="ok-note" data-role="ok" role="status" hidden></p>
    <section data-role="panel">${skeletonBlock({ rows: 5 })}</section>`);
  const panel = container.querySelector('[data-role=panel]');
  const ui = {
    fail: (e) => { const m = container.querySelector('[data-role=message]'); m.textContent = e.detail || String(e); m.hidden = false; container.querySelector('[data-role=ok]').hidden = true; },
    ok: (t) => { const m = container.querySelector('[data-role=ok]'); m.textContent = t; m.hidden = false; container.querySelector('[data-role=message]').hidden = true; },
    clear: () => { container.querySelector('[data-role=message]').hidden = true; container.querySelector('[data-role=ok]').hidden = true; },
  };
  let locations = [];
  // A reload after a save keeps the save's message on screen.
  const show = async (k, keepMessage = false) => {
    if (!keepMessage) ui.clear();
    container.querySelectorAll('[data-tab]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === k)));
    ctx.setQuery(k === 'modelo' ? {} : { tab: k });
    setHtml(panel, skeletonBlock({ rows: 5 }));
    try {
      if (!locations.length) locations = (await apiGet('/api/ubicaciones', { signal: ctx.signal })).filter((l) => l.tipo !== 'cedi');
      const all = await apiGet('/api/config-inventario/parametros-abc', { signal: ctx.signal });
      await PANELS[k](panel, all, { ui, locations, reload: () => show(k, true) });
    } catch (e) {
      if (!isAbort(e)) showError(panel, e, () => show(k));
    }
  };
  container.querySelectorAll('[data-tab]').forEach((b) => b.addEventListener('click', () => show(b.dataset.tab)));
  await show(tab);
}

// Saves a form's values with `save(values)`; the server's refusal stays on screen.
function onSubmit(form, env, save, done) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    try {
      const r = await save(new FormData(form));
      env.ui.ok((r && r.mensaje) || done);
      if (env.reloadAfter) env.reload();
    } catch (e) {
      env.ui.fail(e);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

const PANELS = {
  async modelo(panel, all, env) {
    setHtml(panel, html`<form class="card pad stack" data-role="modelo">${MODELS.map(([id, name, text]) => html`
      <label class="choice"><input type="radio" name="modelo" value="${id}" ${all.modelo_activo === id ? html`checked` : ''}>
        <span><strong>${name}</strong>${all.modelo_activo === id ? html` <span class="badge badge-aprobado">activo</span>` : ''}<br><span class="muted">${text}</span></span></label>`)}
      <div class="actions"><button class="btn btn-primary" type="submit">Activar modelo</button></div></form>`);
    onSubmit(panel.querySelector('form'), { ...env, reloadAfter: true }, (f) => apiPut('/api/config-inventario/parametros-abc/modelo-activo', { modelo: f.get('modelo') }), 'Modelo activado: las clases cambian al instante');
  },

  async globales(panel, all, env) {
    const g = all.globales;
    const field = (name, label, value, hint, step = '1') => html`<label class="field">${label}<input type="number" name="${name}" value="${value ?? ''}" step="${step}"><span class="muted">${hint}</span></label>`;
    setHtml(panel, html`<form class="card pad form-grid" data-role="globales">
      ${field('lead_time', 'Tiempo de entrega (días)', g.lead_time ?? 1.5, 'L de la fórmula del stock de seguridad; predeterminado 1,5', '0.1')}
      ${field('ventana_demanda_dias', 'Ventana de demanda (días)', g.ventana_demanda_dias ?? 20, 'Días para el P75 de la demanda')}
      ${field('ventana_sigma_d', 'Ventana de σ (días)', g.ventana_sigma_d ?? 30, 'Días para la desviación de la demanda')}
      ${field('abc_ventana_dias', 'Ventana ABC (días)', g.abc_ventana_dias, 'Días de ventas para clasificar')}
      ${field('transito_ventana_dias', 'Ventana de tránsito (días)', g.transito_ventana_dias, 'Antigüedad máxima de pedidos contados en tránsito')}
      <label class="field check"><input type="checkbox" name="limitar_por_stock_cedi" ${g.limitar_por_stock_cedi ? html`checked` : ''}> Limitar el sugerido al stock del CEDI</label>
      <label class="field check"><input type="checkbox" name="requiere_aprobacion" ${g.requiere_aprobacion ? html`checked` : ''}> Los pedidos enviados requieren aprobación</label>
      <div class="actions span-2"><button class="btn btn-primary" type="submit">Guardar</button></div></form>`);
    onSubmit(panel.querySelector('form'), env, (f) => apiPut('/api/config-inventario/parametros-abc/globales', {
      lead_time: num(f.get('lead_time')), ventana_demanda_dias: num(f.get('ventana_demanda_dias')), ventana_sigma_d: num(f.get('ventana_sigma_d')),
      abc_ventana_dias: num(f.get('abc_ventana_dias')), transito_ventana_dias: num(f.get('transito_ventana_dias')),
      limitar_por_stock_cedi: f.get('limitar_por_stock_cedi') === 'on', requiere_aprobacion: f.get('requiere_aprobacion') === 'on',
    }), 'Parámetros globales guardados');
  },

  async umbrales(panel, all, env) {
    const u = all.umbrales; const p = all.umbrales_pareto;
    setHtml(panel, html`<div class="two-col">
      <form class="card pad stack" data-role="ranking"><h2>Ranking (posiciones)</h2>
        <label class="field">A hasta la posición <input type="number" name="a" min="1" value="${u.umbral_a}"></label>
        <label class="field">B hasta la posición <input type="number" name="b" min="1" value="${u.umbral_b}"></label>
        <label class="field">C hasta la posición <input type="number" name="c" min="1" value="${u.umbral_c}"></label>
        <div class="actions"><button class="btn btn-primary" type="submit">Guardar umbrales</button></div></form>
      <form class="card pad stack" data-role="pareto"><h2>Pareto (% acumulado)</h2>
        <label class="field">A hasta <input type="number" name="a" step="0.1" value="${p.pareto_a_pct}"></label>
        <label class="field">B hasta <input type="number" name="b" step="0.1" value="${p.pareto_b_pct}"></label>
        <div class="actions"><button class="btn btn-primary" type="submit">Guardar umbrales Pareto</button></div></form></div>`);
    onSubmit(panel.querySelector('[data-role=ranking]'), env, (f) => apiPut('/api/config-inventario/parametros-abc/umbrales', { umbral_a: num(f.get('a')), umbral_b: num(f.get('b')), umbral_c: num(f.get('c')) }), 'Umbrales guardados');
    onSubmit(panel.querySelector('[data-role=pareto]'), env, (f) => apiPut('/api/config-inventario/parametros-abc/umbrales-pareto', { pareto_a_pct: num(f.get('a')), pareto_b_pct: num(f.get('b')) }), 'Umbrales Pareto guardados');
  },

  async niveles(panel, all, env) {
    setHtml(panel, html`<form class="card table-card" data-role="niveles"><table class="data-table"><thead><tr><th>Clase</th><th>Nivel de servicio</th><th class="num">Z</th><th>Cobertura (días)</th><th>Descripción</th></tr></thead>
      <tbody>${all.niveles.map((n) => html`<tr data-clase="${n.clase}"><th>${n.clase}</th>
        <td>${n.clase === 'D' ? html`<span class="muted">Padre prudente (sin Z)</span>` : html`<select name="nivel_${n.clase}">${SERVICE_LEVELS.map((l) => html`<option value="${l}" ${Number(n.nivel_servicio_pct) === l ? html`selected` : ''}>${formatNumber(l, l % 1 ? 1 : 0)} %</option>`)}</select>`}</td>
        <td class="num">${formatNumber(n.z, 2)}</td>
        <td><input type="number" name="dias_${n.clase}" min="0" value="${n.dias_cobertura}"></td><td class="muted">${n.descripcion || ''}</td></tr>`)}</tbody></table>
      <div class="actions pad"><button class="btn btn-primary" type="submit">Guardar niveles</button></div></form>`);
    onSubmit(panel.querySelector('form'), { ...env, reloadAfter: true }, (f) => apiPut('/api/config-inventario/parametros-abc/niveles', {
      niveles: all.niveles.map((n) => ({ clase: n.clase, nivel_servicio_pct: n.clase === 'D' ? null : num(f.get(`nivel_${n.clase}`)), dias_cobertura: num(f.get(`dias_${n.clase}`)) })),
    }), 'Niveles de servicio guardados');
  },

  async tiendas(panel, all, env) {
    const byStore = new Map(all.tiendas.map((t) => [t.tienda_id, t]));
    setHtml(panel, html`<div class="card table-card grid-wrap"><table class="data-table" data-role="tiendas"><thead><tr><th>Tienda</th><th>Lead time (días)</th><th>Cobertura A</th><th>B</th><th>C</th><th>D</th><th>Actualizado</th><th></th></tr></thead>
      <tbody>${env.locations.map((l) => { const t = byStore.get(l.id) || {}; return html`<tr data-id="${l.id}"><th>${l.nombre}</th>
        <td><input type="number" step="0.1" name="lead_time_override" value="${t.lead_time_override ?? ''}" placeholder="global"></td>
        ${['a', 'b', 'c', 'd'].map((c) => html`<td><input type="number" min="0" name="dias_cobertura_${c}" value="${t[`dias_cobertura_${c}`] ?? ''}" placeholder="global"></td>`)}
        <td class="muted">${t.actualizado_en ? `${t.actualizado_por || ''} · ${formatDateTime(t.actualizado_en)}` : 'Usa los globales'}</td>
        <td class="actions"><button type="button" class="btn" data-save>Guardar</button>${t.tienda_id ? html` <button type="button" class="btn btn-ghost" data-reset>Usar globales</button>` : ''}</td></tr>`; })}</tbody></table></div>`);
    panel.querySelectorAll('tr[data-id]').forEach((tr) => {
      const id = tr.dataset.id;
      const val = (n) => num(tr.querySelector(`[name=${n}]`).value);
      tr.querySelector('[data-save]').addEventListener('click', async () => {
        try {
          await apiPut(`/api/config-inventario/parametros-abc/tienda/${id}`, { lead_time_override: val('lead_time_override'), dias_cobertura_a: val('dias_cobertura_a'), dias_cobertura_b: val('dias_cobertura_b'), dias_cobertura_c: val('dias_cobertura_c'), dias_cobertura_d: val('dias_cobertura_d') });
          env.ui.ok('Parámetros de la tienda guardados'); env.reload();
        } catch (e) { env.ui.fail(e); }
      });
      const reset = tr.querySelector('[data-reset]');
      if (reset) reset.addEventListener('click', async () => {
        try { await apiDelete(`/api/config-inventario/parametros-abc/tienda/${id}`); env.ui.ok('La tienda vuelve a usar los parámetros globales'); env.reload(); } catch (e) { env.ui.fail(e); }
      });
    });
  },

  async categorias(panel, all, env) {
    const [rows, available] = await Promise.all([apiGet('/api/config-inventario/cobertura-categoria'), apiGet('/api/config-inventario/categorias-disponibles')]);
    setHtml(panel, html`<form class="card pad filters filter-bar" data-role="add-category">
        <label>Categoría <select name="categoria" required><option value="">Elija…</option>${available.map((c) => html`<option value="${c.categoria}">${c.categoria} (${c.productos})</option>`)}</select></label>
        ${['a', 'b', 'c', 'd'].map((c) => html`<label>${c.toUpperCase()} <input type="number" min="0" name="${c}" size="4" placeholder="días"></label>`)}
        <label><input type="checkbox" name="perecedero"> Perecedero</label>
        <button class="btn btn-primary" type="submit">Agregar / actualizar</button></form>
      <div class="card table-card">${rows.length ? html`<table class="data-table" data-role="categorias"><thead><tr><th>Categoría</th><th class="num">A</th><th class="num">B</th><th class="num">C</th><th class="num">D</th><th>Perecedero</th><th>Actualizado</th><th></th></tr></thead>
        <tbody>${rows.map((r) => html`<tr data-id="${r.id}"><th>${r.categoria}</th><td class="num">${r.dias_cobertura_a}</td><td class="num">${r.dias_cobertura_b}</td><td class="num">${r.dias_cobertura_c}</td><td class="num">${r.dias_cobertura_d}</td>
          <td>${r.es_perecedero ? 'Sí' : 'No'}</td><td class="muted">${r.actualizado_por || ''} · ${formatDateTime(r.actualizado_en)}</td><td><button type="button" class="btn btn-ghost" data-remove>Quitar</button></td></tr>`)}</tbody></table>`
        : html`<p class="pad muted">Ninguna categoría tiene días de cobertura propios: todas usan los niveles de servicio.</p>`}</div>`);
    onSubmit(panel.querySelector('[data-role=add-category]'), { ...env, reloadAfter: true }, (f) => apiPost('/api/config-inventario/cobertura-categoria', {
      categoria: f.get('categoria'), dias_cobertura_a: num(f.get('a')), dias_cobertura_b: num(f.get('b')), dias_cobertura_c: num(f.get('c')), dias_cobertura_d: num(f.get('d')), es_perecedero: f.get('perecedero') === 'on',
    }), 'Cobertura de la categoría guardada');
    panel.querySelectorAll('[data-remove]').forEach((b) => b.addEventListener('click', async () => {
      try { await apiDelete(`/api/config-inventario/cobertura-categoria/${b.closest('tr').dataset.id}`); env.ui.ok('Cobertura de categoría desactivada'); env.reload(); } catch (e) { env.ui.fail(e); }
    }));
  },

  async limites(panel, all, env) {
    const store = env.limitStore || (env.locations[0] && env.locations[0].id);
    const rows = store ? await apiGet(`/api/config-inventario/capacidad-almacenamiento/tienda/${store}`) : [];
    setHtml(panel, html`<form class="card pad filters filter-bar" data-role="add-limit" autocomplete="off">
        <label>Tienda <select name="tienda">${env.locations.map((l) => html`<option value="${l.id}" ${l.id === store ? html`selected` : ''}>${l.nombre}</option>`)}</select></label>
        <label>Producto <input name="producto" list="product-hits" placeholder="Código o nombre (2+ letras)" required size="26"><datalist id="product-hits"></datalist></label>
        <label>Capacidad máx. <input type="number" name="cap" min="0" step="any" size="6"></label>
        <label>Mínimo exhibición <input type="number" name="min" min="0" step="any" size="6"></label>
        <label>Tipo <select name="tipo">${RESTRICTIONS.map((r) => html`<option value="${r}">${r.replace('_', ' ')}</option>`)}</select></label>
        <label>Notas <input name="notas" size="16"></label>
        <button class="btn btn-primary" type="submit">Guardar límite</button></form>
      <div class="card table-card">${rows.length ? html`<table class="data-table" data-role="limites"><thead><tr><th>Producto</th><th class="num">Capacidad máx.</th><th class="num">Mínimo exhibición</th><th>Tipo</th><th>Notas</th><th></th></tr></thead>
        <tbody>${rows.map((r) => html`<tr data-id="${r.tienda_id}_${r.producto_codigo}"><th>${r.producto_codigo}</th><td class="num">${r.capacidad_maxima_unidades == null ? '—' : formatNumber(r.capacidad_maxima_unidades, 0)}</td>
          <td class="num">${r.minimo_exhibicion_unidades == null ? '—' : formatNumber(r.minimo_exhibicion_unidades, 0)}</td><td>${r.tipo_restriccion || ''}</td><td>${r.notas || ''}</td>
          <td><button type="button" class="btn btn-ghost" data-remove>Quitar</button></td></tr>`)}</tbody></table>`
        : html`<p class="pad muted">Esta tienda no tiene límites de inventario configurados.</p>`}</div>`);
    const form = panel.querySelector('[data-role=add-limit]');
    form.tienda.addEventListener('change', () => { env.limitStore = form.tienda.value; PANELS.limites(panel, all, env); });
    let timer = null;
    form.producto.addEventListener('input', () => {
      clearTimeout(timer);
      const q = form.producto.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(async () => {
        try {
          const hits = await apiGet(`/api/config-inventario/productos/buscar?q=${encodeURIComponent(q)}&limite=10`);
          setHtml(panel.querySelector('#product-hits'), html`${hits.map((h) => html`<option value="${h.codigo}">${h.codigo} · ${h.descripcion}</option>`)}`);
        } catch { /* typing goes on; the save reports real errors */ }
      }, 200);
    });
    onSubmit(form, { ...env, reload: () => PANELS.limites(panel, all, env), reloadAfter: true }, (f) => apiPost('/api/config-inventario/capacidad-almacenamiento', {
      tienda_id: f.get('tienda'), producto_codigo: String(f.get('producto')).split(' ')[0], capacidad_maxima_unidades: num(f.get('cap')),
      minimo_exhibicion_unidades: num(f.get('min')), tipo_restriccion: f.get('tipo'), notas: f.get('notas') || null,
    }), 'Límite guardado');
    panel.querySelectorAll('[data-remove]').forEach((b) => b.addEventListener('click', async () => {
      try { await apiDelete(`/api/config-inventario/capacidad-almacenamiento/${b.closest('tr').dataset.id}`); env.ui.ok('Límite desactivado'); PANELS.limites(panel, all, env); } catch (e) { env.ui.fail(e); }
    }));
  },

  async excluidos(panel, all, env) {
    const store = env.exclStore || (env.locations[0] && env.locations[0].id);
    const rows = store ? await apiGet(`/api/productos-excluidos/${store}`) : [];
    setHtml(panel, html`<form class="card pad filters filter-bar" data-role="add-exclusion">
        <label>Tienda <select name="tienda">${env.locations.map((l) => html`<option value="${l.id}" ${l.id === store ? html`selected` : ''}>${l.nombre}</option>`)}</select></label>
        <label>Códigos <textarea name="codigos" rows="1" cols="28" placeholder="Uno o varios, separados por coma o salto de línea" required></textarea></label>
        <label>Motivo <select name="motivo">${REASONS.map((r) => html`<option value="${r}">${r}</option>`)}</select></label>
        <button class="btn btn-primary" type="submit">Excluir</button></form>
      <div class="card table-card">${rows.length ? html`<table class="data-table" data-role="excluidos"><thead><tr><th>Código</th><th>Motivo</th><th>Observaciones</th><th>Por</th><th>Fecha</th><th></th></tr></thead>
        <tbody>${rows.map((r) => html`<tr data-code="${r.codigo_producto}"><th>${r.codigo_producto}</th><td>${r.motivo}</td><td>${r.observaciones || ''}</td><td>${r.creado_por || ''}</td><td>${formatDateTime(r.fecha_creacion)}</td>
          <td><button type="button" class="btn btn-ghost" data-remove>Incluir de nuevo</button></td></tr>`)}</tbody></table>`
        : html`<p class="pad muted">Ningún producto está excluido de los pedidos de esta tienda.</p>`}</div>`);
    const form = panel.querySelector('[data-role=add-exclusion]');
    const again = () => PANELS.excluidos(panel, all, env);
    form.tienda.addEventListener('change', () => { env.exclStore = form.tienda.value; again(); });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const codes = String(form.codigos.value).split(/[\s,;]+/).map((c) => c.trim()).filter(Boolean);
      const failed = [];
      for (const c of codes) {
        try { await apiPost('/api/productos-excluidos', { tienda_id: form.tienda.value, codigo_producto: c, motivo: form.motivo.value }); } catch (e) { failed.push(`${c}: ${e.detail}`); }
      }
      if (failed.length) env.ui.fail({ detail: `No se excluyeron ${failed.length} de ${codes.length}: ${failed.join(' · ')}` });
      else env.ui.ok(`${codes.length} producto(s) excluidos de los pedidos`);
      env.exclStore = form.tienda.value;
      again();
    });
    panel.querySelectorAll('[data-remove]').forEach((b) => b.addEventListener('click', async () => {
      try { await apiDelete(`/api/productos-excluidos/${store}/${encodeURIComponent(b.closest('tr').dataset.code)}`); env.ui.ok('Producto incluido de nuevo'); again(); } catch (e) { env.ui.fail(e); }
    }));
  },
};
