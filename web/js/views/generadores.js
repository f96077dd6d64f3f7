// "Generadores de Tráfico" (spec 40 §5): products that sell little in dollars but are in many
// tickets. Summary cards, the four tabs (suggested to review, active, all with GAP > 200,
// ignored), the table ordered by GAP, a detail panel with the GAP explained, the actions and
// the product's history, «Calcular sugerencias» and the settings (one key at a time).
import { apiGet, apiPost, apiPut, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate, formatDateTime } from '../format.js';

const BASE = '/api/generadores-trafico';
const TABS = [
  ['sugeridos', 'Sugeridos por revisar'], ['activos', 'Marcados activos'], ['todos', 'Todos los productos (GAP > 200)'], ['ignorados', 'Ignorados'],
];
const STATE = {
  activo: ['Activo', 'badge-aprobado'], sugerido: ['Sugerido', 'badge-pendiente'], ignorado: ['Ignorado', 'badge-rechazado'], ninguno: ['Ninguno', 'badge-tienda'],
};
const ACTION_LABEL = { sugerido: 'Sugerido', aprobado: 'Aprobado', rechazado: 'Rechazado', removido: 'Removido' };
const SETTING_HELP = {
  gap_minimo: 'GAP mínimo para sugerir un producto al calcular sugerencias.',
  clase_abc_requerida: 'Informativo: no se usa en el cálculo.',
  stock_seguridad_extra_pct: 'Informativo: no se aplica. Un generador activo se calcula como clase A.',
  producto_excluido_bolsas: 'Códigos (separados por coma) fuera de los rankings y del total de tickets, p. ej. las bolsas.',
  dias_analisis: 'Días completos de ventas (hasta ayer) de las métricas; se aplica en el próximo recálculo nocturno.',
  frecuencia_calculo: 'diario, semanal o manual (informativo: el cálculo corre tras el recálculo ABC nocturno).',
};
const EFFECT = 'Un generador activo se calcula como clase A —nivel de servicio y días de cobertura de la clase A— en todos los pedidos (una tienda, multi-tienda e Inter-CEDI), sea cual sea su clase ABC, y nunca aparece en «Candidatos a Eliminar».';

const stateBadge = (s) => { const [l, c] = STATE[s] || [s, 'badge-tienda']; return html`<span class="badge ${c}">${l}</span>`; };
const pct = (v) => (v === null || v === undefined ? '-' : `${formatNumber(v, 4)} %`);
const int = (v) => (v === null || v === undefined ? '-' : formatInteger(v));

export async function render(container, ctx) {
  const tab0 = TABS.some(([k]) => k === ctx.query.get('tab')) ? ctx.query.get('tab') : 'sugeridos';
  const st = { tab: tab0, offset: 0, selected: ctx.query.get('producto') || null, rows: [] };
  setHtml(container, html`<div class="page-head"><div><p class="muted"><a href="/administrador">← Panel de administrador</a></p>
      <h1>Generadores de Tráfico</h1>
      <p class="subtitle">Productos que venden poco en dólares pero aparecen en muchos tickets: si faltan, el cliente puede abandonar la compra completa.</p></div>
      <div class="actions"><button type="button" class="btn btn-primary" data-role="calcular">Calcular sugerencias</button></div></div>
    <p class="gt-effect card pad" data-role="effect">${EFFECT}</p>
    <p class="field-error order-message" data-role="message" role="alert" hidden></p>
    <p class="ok-note order-message" data-role="ok" role="status" hidden></p>
    <div data-role="summary">${skeletonBlock({ cards: 5, rows: 0 })}</div>
    <div class="tabs wrap" role="tablist" data-role="tabs">${TABS.map(([k, l]) => html`<button type="button" role="tab" class="tab" data-tab="${k}" aria-selected="${k === st.tab ? 'true' : 'false'}">${l}</button>`)}</div>
    <div class="gt-layout">
      <div class="card table-card" data-role="table">${skeletonBlock({ rows: 8 })}</div>
      <aside class="card pad gt-detail" data-role="detail" aria-live="polite"><p class="muted">Elija un producto de la tabla para ver por qué es candidato, su historial y las acciones.</p></aside>
    </div>
    <details class="card pad gt-config" data-role="config"><summary><strong>Configuración</strong> <span class="muted">(un parámetro a la vez)</span></summary><div data-role="config-body">${skeletonBlock({ rows: 3 })}</div></details>`);
  const el = (r) => container.querySelector(`[data-role=${r}]`);
  const ui = {
    fail: (e) => { el('message').textContent = e.detail || String(e); el('message').hidden = false; el('ok').hidden = true; },
    ok: (t) => { el('ok').textContent = t; el('ok').hidden = false; el('message').hidden = true; },
  };

  const loadSummary = async () => {
    try {
      const s = await apiGet(`${BASE}/resumen`, { signal: ctx.signal });
      const w = s.ventana;
      const last = s.ultimo_calculo;
      setHtml(el('summary'), html`<div class="kpis kpis-5">
          <div class="kpi" data-kpi="activos"><span class="kpi-label">Generadores activos</span><strong class="kpi-value">${formatInteger(s.activos)}</strong><span class="kpi-hint">calculados como clase A</span></div>
          <div class="kpi" data-kpi="sugeridos"><span class="kpi-label">Sugeridos por revisar</span><strong class="kpi-value">${formatInteger(s.sugeridos)}</strong><span class="kpi-hint">GAP promedio ${s.gap_promedio_sugeridos === null ? '-' : formatNumber(s.gap_promedio_sugeridos, 1)}</span></div>
          <div class="kpi" data-kpi="ignorados"><span class="kpi-label">Ignorados</span><strong class="kpi-value">${formatInteger(s.ignorados)}</strong><span class="kpi-hint">no se vuelven a sugerir</span></div>
          <div class="kpi" data-kpi="gap-alto"><span class="kpi-label">Candidatos GAP alto</span><strong class="kpi-value">${formatInteger(s.candidatos_gap_alto)}</strong><span class="kpi-hint">GAP mayor que 200</span></div>
          <div class="kpi" data-kpi="calculo"><span class="kpi-label">Último cálculo</span><strong class="kpi-value gt-small">${last ? formatDateTime(last.fecha) : 'Nunca'}</strong>
            <span class="kpi-hint">GAP mínimo ${formatInteger(s.gap_minimo)}${last ? ` · ${last.nuevas} nuevas, ${last.retiradas} retiradas` : ''}</span></div></div>
        <p class="muted gt-window">${w ? `Métricas de ${formatDate(w.periodo_inicio)} a ${formatDate(w.periodo_fin)}, todas las tiendas: ${formatInteger(w.total_tickets)} tickets. Se recalculan cada noche con la clasificación ABC.` : 'Aún no hay métricas: se calculan con el recálculo ABC nocturno (o tras una carga de ventas).'}</p>`);
    } catch (e) {
      if (!isAbort(e)) showError(el('summary'), e, loadSummary);
    }
  };

  const limit = () => (st.tab === 'todos' ? 100 : 500);
  const loadTable = async () => {
    const table = el('table');
    try {
      const page = await apiGet(`${BASE}/productos?tab=${st.tab}&limit=${limit()}&offset=${st.offset}`, { signal: ctx.signal });
      st.rows = page.productos;
      if (!page.productos.length) {
        const msg = {
          sugeridos: ['Nada por revisar', 'No hay sugerencias pendientes. Pulse «Calcular sugerencias» tras el recálculo de métricas.'],
          activos: ['Sin generadores activos', 'Apruebe una sugerencia para que el producto se calcule como clase A.'],
          todos: ['Sin productos con GAP alto', 'Ningún producto tiene un GAP mayor que 200 en la ventana de análisis.'],
          ignorados: ['Sin ignorados', 'Los productos rechazados aparecen aquí y no se vuelven a sugerir.'],
        }[st.tab];
        setHtml(table, emptyState(msg[0], msg[1]));
        return;
      }
      const from = page.offset + 1;
      const to = page.offset + page.productos.length;
      setHtml(table, html`<table class="data-table gt-table" data-role="products"><thead><tr>
          <th>Código</th><th>Descripción</th><th>Categoría</th><th class="num">Venta 30d ($)</th><th class="num">Tickets 30d</th>
          <th class="num">Penetración</th><th class="num">Rank venta</th><th class="num">Rank penetración</th><th class="num">GAP</th><th>ABC</th><th>Estado</th></tr></thead>
        <tbody>${page.productos.map((p) => html`<tr tabindex="0" data-code="${p.producto_codigo}" class="${p.producto_codigo === st.selected ? 'is-selected' : ''}">
          <td class="code">${p.producto_codigo}</td><td class="desc" title="${p.descripcion || ''}">${p.descripcion || ''}</td><td>${p.categoria || ''}</td>
          <td class="num">${p.venta_30d === null ? '-' : formatNumber(p.venta_30d, 2)}</td><td class="num">${int(p.tickets_30d)}</td><td class="num">${pct(p.penetracion_pct)}</td>
          <td class="num">${int(p.rank_venta)}</td><td class="num">${int(p.rank_penetracion)}</td><td class="num"><strong>${int(p.gap)}</strong></td>
          <td>${p.clase_abc || '-'}</td><td>${stateBadge(p.estado)}</td></tr>`)}</tbody></table>
        <div class="pager"><span class="muted">${`${formatInteger(from)}–${formatInteger(to)} de ${formatInteger(page.total)}`}</span>
          <button type="button" class="btn btn-sm" data-page="-1" ${page.offset === 0 ? html`disabled` : ''}>Anterior</button>
          <button type="button" class="btn btn-sm" data-page="1" ${to >= page.total ? html`disabled` : ''}>Siguiente</button></div>`);
    } catch (e) {
      if (!isAbort(e)) showError(table, e, loadTable);
    }
  };

  const loadDetail = async () => {
    const box = el('detail');
    if (!st.selected) return;
    try {
      const d = await apiGet(`${BASE}/historial/${encodeURIComponent(st.selected)}`, { signal: ctx.signal });
      const p = d.producto;
      const can = { aprobar: p.estado !== 'activo', rechazar: p.estado !== 'activo' && p.estado !== 'ignorado', remover: p.estado === 'activo' || p.estado === 'ignorado' };
      setHtml(box, html`<h2>${p.descripcion || p.producto_codigo}</h2>
        <p class="muted"><span class="code">${p.producto_codigo}</span> · ${p.categoria || 'Sin categoría'} · ABC ${p.clase_abc || '-'} · ${stateBadge(p.estado)}</p>
        <dl class="gt-facts">
          <dt>Venta 30d</dt><dd>${p.venta_30d === null ? '-' : `$ ${formatNumber(p.venta_30d, 2)}`}</dd>
          <dt>Tickets 30d</dt><dd>${int(p.tickets_30d)}</dd>
          <dt>Penetración</dt><dd>${pct(p.penetracion_pct)}</dd>
          <dt>Puesto por venta</dt><dd>#${int(p.rank_venta)}</dd>
          <dt>Puesto por tickets</dt><dd>#${int(p.rank_penetracion)}</dd>
          <dt>GAP</dt><dd><strong>${int(p.gap)}</strong></dd></dl>
        <p class="gt-explain" data-role="gap-explanation">${d.explicacion_gap}</p>
        <p class="muted gt-effect-note">${p.estado === 'activo' ? 'Este producto se calcula como clase A en todos los pedidos.' : 'Al aprobarlo se calculará como clase A (nivel de servicio y cobertura de la clase A) en todos los pedidos.'}</p>
        <label class="field">Comentario (opcional) <input name="comentario" maxlength="500" data-role="comment"></label>
        <div class="actions gt-actions">
          ${can.aprobar ? html`<button type="button" class="btn btn-primary" data-action="aprobar">Aprobar</button>` : ''}
          ${can.rechazar ? html`<button type="button" class="btn btn-danger-outline" data-action="rechazar">Rechazar</button>` : ''}
          ${can.remover ? html`<button type="button" class="btn" data-action="remover">${p.estado === 'activo' ? 'Remover' : 'Quitar de ignorados'}</button>` : ''}</div>
        <h3>Historial</h3>
        ${d.historial.length ? html`<ol class="timeline gt-history">${d.historial.map((h) => html`<li><strong>${ACTION_LABEL[h.accion] || h.accion}</strong>
            <span class="muted">${formatDateTime(h.fecha)} · ${h.usuario || 'cálculo automático'}${h.gap === null ? '' : ` · GAP ${h.gap}`}</span>${h.comentario ? html`<br><span>${h.comentario}</span>` : ''}</li>`)}</ol>`
          : html`<p class="muted">Sin cambios registrados.</p>`}`);
    } catch (e) {
      if (!isAbort(e)) showError(box, e, loadDetail, 'No se pudo cargar el producto');
    }
  };

  const select = (code) => {
    st.selected = code;
    ctx.setQuery({ ...(st.tab === 'sugeridos' ? {} : { tab: st.tab }), producto: code });
    container.querySelectorAll('[data-code]').forEach((r) => r.classList.toggle('is-selected', r.dataset.code === code));
    loadDetail();
  };

  el('table').addEventListener('click', (ev) => {
    const pageBtn = ev.target.closest('[data-page]');
    if (pageBtn) { st.offset = Math.max(0, st.offset + Number(pageBtn.dataset.page) * limit()); loadTable(); return; }
    const row = ev.target.closest('[data-code]');
    if (row) select(row.dataset.code);
  });
  el('table').addEventListener('keydown', (ev) => {
    const row = ev.target.closest('[data-code]');
    if (!row) return;
    if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(row.dataset.code); }
    if (ev.key === 'ArrowDown' && row.nextElementSibling) { ev.preventDefault(); row.nextElementSibling.focus(); }
    if (ev.key === 'ArrowUp' && row.previousElementSibling) { ev.preventDefault(); row.previousElementSibling.focus(); }
  });
  el('tabs').addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-tab]');
    if (!b) return;
    st.tab = b.dataset.tab;
    st.offset = 0;
    container.querySelectorAll('[data-tab]').forEach((t) => t.setAttribute('aria-selected', String(t.dataset.tab === st.tab)));
    ctx.setQuery({ ...(st.tab === 'sugeridos' ? {} : { tab: st.tab }), ...(st.selected ? { producto: st.selected } : {}) });
    setHtml(el('table'), skeletonBlock({ rows: 8 }));
    loadTable();
  });
  el('detail').addEventListener('click', async (ev) => {
    const b = ev.target.closest('[data-action]');
    if (!b) return;
    b.disabled = true;
    const comentario = (el('comment') && el('comment').value.trim()) || null;
    try {
      await apiPost(`${BASE}/marcar`, { producto_codigo: st.selected, accion: b.dataset.action, comentario });
      ui.ok({ aprobar: `Producto ${st.selected} aprobado: se calcula como clase A desde el próximo pedido.`, rechazar: `Producto ${st.selected} rechazado: no se volverá a sugerir.`, remover: `Producto ${st.selected} removido: vuelve a su clase ABC y puede volver a sugerirse.` }[b.dataset.action]);
      await Promise.all([loadSummary(), loadTable(), loadDetail()]);
    } catch (e) {
      ui.fail(e);
      b.disabled = false;
    }
  });
  el('calcular').addEventListener('click', async (ev) => {
    const b = ev.currentTarget;
    b.disabled = true;
    try {
      const r = await apiPost(`${BASE}/calcular-sugerencias`, {});
      ui.ok(`Sugerencias calculadas: ${r.candidatos_analizados} productos con GAP ≥ ${r.gap_minimo}, ${r.nuevas_sugerencias} nuevas, ${r.sugerencias_removidas} retiradas (${r.ms} ms).`);
      await Promise.all([loadSummary(), loadTable()]);
    } catch (e) {
      ui.fail(e);
    } finally {
      b.disabled = false;
    }
  });

  const loadConfig = async () => {
    const body = el('config-body');
    try {
      const c = await apiGet(`${BASE}/config`, { signal: ctx.signal });
      setHtml(body, html`<table class="data-table gt-config-table"><thead><tr><th>Parámetro</th><th>Valor</th><th>Qué hace</th><th>Actualizado</th><th></th></tr></thead>
        <tbody>${c.configuracion.map((s) => html`<tr data-key="${s.clave}"><td class="code">${s.clave}</td>
          <td><input name="valor" value="${s.valor}" aria-label="${`Valor de ${s.clave}`}" size="12"></td>
          <td class="gt-wrap">${SETTING_HELP[s.clave] || s.descripcion || ''}</td>
          <td class="muted">${formatDateTime(s.actualizado_en)}${s.actualizado_por ? ` · ${s.actualizado_por}` : ''}</td>
          <td><button type="button" class="btn btn-sm" data-save="${s.clave}">Guardar</button></td></tr>`)}</tbody></table>`);
    } catch (e) {
      if (!isAbort(e)) showError(body, e, loadConfig);
    }
  };
  el('config-body').addEventListener('click', async (ev) => {
    const b = ev.target.closest('[data-save]');
    if (!b) return;
    const input = b.closest('tr').querySelector('input[name=valor]');
    b.disabled = true;
    try {
      const s = await apiPut(`${BASE}/config`, { clave: b.dataset.save, valor: input.value });
      ui.ok(`${s.clave} = ${s.valor} guardado.`);
      await Promise.all([loadConfig(), loadSummary()]);
    } catch (e) {
      ui.fail(e);
      b.disabled = false;
    }
  });

  await Promise.all([loadSummary(), loadTable(), loadConfig()]);
  if (st.selected) loadDetail();
}
