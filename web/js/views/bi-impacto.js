// BI *Impacto Fluxion* (spec 40 §3.8): the capital each store working with Fluxion freed
// since its activation, against the stock value at cost frozen at the end of the day before,
// with its fill rate and how both read (bands). System administrators activate and deactivate
// stores from here. Every figure is the server's.
import { apiGet, apiPost, apiDelete, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate, tenantTodayIso } from '../format.js';
import { openDialog } from '../dialog.js';

const money = (v) => `$ ${formatNumber(v, 2)}`;
const BAND = {
  excelente: ['badge-optimo', 'Excelente'],
  bueno: ['badge-enviado', 'Bueno'],
  aceptable: ['badge-bajo', 'Aceptable'],
  revisar: ['badge-critico', 'Revisar'],
  problema: ['badge-critico', 'Problema'],
};
const band = (b) => (b ? html`<span class="${`badge ${BAND[b][0]}`}" data-band="${b}">${BAND[b][1]}</span>` : '');

export async function renderImpact(container, ctx, head) {
  setHtml(container, html`${head}${skeletonBlock({ cards: 4, rows: 6 })}`);
  const isAdmin = ctx.can('admin.sistema');
  let s; let by; let acts; let stores = [];
  try {
    [s, by, acts] = await Promise.all([
      apiGet('/api/bi/impact/summary', { signal: ctx.signal }),
      apiGet('/api/bi/impact/by-store', { signal: ctx.signal }),
      apiGet('/api/bi/impact/activaciones', { signal: ctx.signal }),
    ]);
    if (isAdmin) {
      const locs = await apiGet('/api/ubicaciones', { signal: ctx.signal });
      stores = (Array.isArray(locs) ? locs : locs.ubicaciones || []).filter((l) => l.tipo !== 'cedi' && l.activo !== false);
    }
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => renderImpact(container, ctx, head), 'No se pudo calcular el impacto');
    return;
  }
  const active = new Set(acts.activaciones.filter((a) => a.activo).map((a) => a.ubicacion_id));
  const inactive = acts.activaciones.filter((a) => !a.activo);
  const candidates = stores.filter((st) => !active.has(st.id));
  const reload = () => renderImpact(container, ctx, head);
  setHtml(container, html`${head}
    <p class="banner banner-success flash" data-role="flash" role="status" hidden></p>
    <div class="page-actions">
      <p class="muted" data-role="impact-note">Stock de hoy al costo frente al valor congelado al cierre del día anterior a la activación de cada tienda · datos al ${s.datos_al ? formatDate(s.datos_al) : 'sin ventas cargadas'}</p>
      ${isAdmin ? html`<button type="button" class="btn btn-primary" data-role="activate" ${candidates.length ? '' : 'disabled'}>Activar tienda</button>` : ''}
    </div>
    ${s.mensaje ? emptyState(s.mensaje, isAdmin ? 'Use «Activar tienda» el día que una tienda empiece a reponer con Fluxion: se congela su stock al costo del día anterior.' : 'Un administrador del sistema activa las tiendas cuando empiezan a trabajar con Fluxion.') : ''}
    <div class="kpis" data-role="impact-kpis">
      <div class="kpi"><span class="kpi-label">Tiendas con Fluxion</span><strong class="kpi-value" data-kpi="tiendas">${formatInteger(s.tiendas_activas_fluxion)}</strong><span class="kpi-hint">activas</span></div>
      <div class="kpi"><span class="kpi-label">Capital liberado</span><strong class="${`kpi-value ${s.capital_liberado < 0 ? 'neg' : ''}`}" data-kpi="capital">${money(s.capital_liberado)}</strong><span class="kpi-hint">${formatNumber(s.reduccion_pct, 2)} % de reducción ${band(s.banda_reduccion)}</span></div>
      <div class="kpi"><span class="kpi-label">Stock actual</span><strong class="kpi-value" data-kpi="actual">${money(s.stock_actual)}</strong><span class="kpi-hint">antes ${money(s.stock_baseline)} (línea base)</span></div>
      <div class="kpi"><span class="kpi-label">Fill rate</span><strong class="kpi-value" data-kpi="fill">${formatNumber(s.fill_rate, 2)} %</strong><span class="kpi-hint">promedio de las tiendas ${band(s.banda_fill_rate)}</span></div>
    </div>
    ${s.regiones.length ? html`<div class="card pad scroll-x"><h2>Por región</h2><table class="data-table compact" data-role="impact-regions"><thead><tr><th>Región</th><th class="num">Tiendas</th><th class="num">Línea base</th><th class="num">Stock actual</th><th class="num">Capital liberado</th><th class="num">Reducción</th><th class="num">Fill rate</th></tr></thead>
      <tbody>${s.regiones.map((r) => html`<tr data-region="${r.region}"><td>${r.region}</td><td class="num">${formatInteger(r.tiendas_activas_fluxion)}</td><td class="num">${money(r.stock_baseline)}</td><td class="num">${money(r.stock_actual)}</td><td class="${`num ${r.capital_liberado < 0 ? 'neg' : 'pos'}`}">${money(r.capital_liberado)}</td><td class="num">${formatNumber(r.reduccion_pct, 2)} % ${band(r.banda_reduccion)}</td><td class="num">${formatNumber(r.fill_rate, 2)} % ${band(r.banda_fill_rate)}</td></tr>`)}</tbody></table></div>` : ''}
    ${by.tiendas.length ? html`<div class="card pad scroll-x"><h2>Por tienda</h2><table class="data-table compact" data-role="impact-stores"><thead><tr><th class="num">#</th><th>Tienda</th><th>Región</th><th>Activa desde</th><th class="num">Días</th><th class="num">Línea base</th><th class="num">Stock actual</th><th class="num">Capital liberado</th><th class="num">Reducción</th><th class="num">Fill rate</th>${isAdmin ? html`<th></th>` : ''}</tr></thead>
      <tbody>${by.tiendas.map((t) => html`<tr data-store="${t.ubicacion_id}"><td class="num">${t.posicion}</td><td>${t.nombre}</td><td>${t.region}</td><td>${formatDate(t.fecha_activacion)}</td><td class="num">${formatInteger(t.dias_activo)}</td><td class="num">${money(t.stock_baseline)}</td><td class="num">${money(t.stock_actual)}</td><td class="${`num ${t.capital_liberado < 0 ? 'neg' : 'pos'}`}">${money(t.capital_liberado)}</td><td class="num">${formatNumber(t.reduccion_pct, 2)} % ${band(t.banda_reduccion)}</td><td class="num">${formatNumber(t.fill_rate, 2)} % ${band(t.banda_fill_rate)}</td>${isAdmin ? html`<td class="actions"><button type="button" class="btn btn-ghost" data-deactivate="${t.ubicacion_id}">Desactivar</button></td>` : ''}</tr>`)}</tbody></table>
      <p class="muted small">Reducción: &gt; 35 % excelente, 25–35 % buena, 15–25 % aceptable, &lt; 15 % revisar. Fill rate (SKUs con stock ÷ SKUs activos): ≥ 95 % excelente, 90–95 % bueno, 85–90 % aceptable, &lt; 85 % problema. Capital liberado negativo: la tienda tiene más stock que al activarse.</p></div>` : ''}
    ${isAdmin && inactive.length ? html`<div class="card pad"><h2>Tiendas desactivadas</h2><ul class="plain-list" data-role="inactive">${inactive.map((a) => html`<li>${a.nombre} · activada el ${formatDate(a.fecha_activacion)} con línea base ${money(a.stock_baseline)} <button type="button" class="btn btn-ghost" data-reactivate="${a.ubicacion_id}">Reactivar</button></li>`)}</ul></div>` : ''}`);
  const flash = (msg) => { const el = container.querySelector('[data-role=flash]'); el.hidden = false; el.textContent = msg; };
  const done = async (msg) => { await reload(); flash(msg); };
  container.querySelector('[data-role=activate]')?.addEventListener('click', () => openDialog(document.body, {
    title: 'Activar tienda con Fluxion',
    intro: 'Se congela como línea base el stock al costo de la tienda al cierre del día anterior a la activación (del historial de inventario; sin historial, el stock de hoy). La línea base no cambia después.',
    submitLabel: 'Activar',
    body: (p) => html`<label class="field" for="${p}-s">Tienda</label><select id="${p}-s" name="ubicacion_id" required>${candidates.map((st) => html`<option value="${st.id}">${st.nombre} (${st.region})</option>`)}</select>
      <p class="field-error" data-error-for="ubicacion_id" hidden></p>
      <label class="field" for="${p}-f">Fecha de activación</label><input id="${p}-f" type="date" name="fecha_activacion" required max="${tenantTodayIso()}" value="${tenantTodayIso()}">
      <p class="field-error" data-error-for="fecha_activacion" hidden></p>`,
    onSubmit: async (form) => {
      const out = await apiPost('/api/bi/impact/activaciones', { ubicacion_id: form.ubicacion_id.value, fecha_activacion: form.fecha_activacion.value });
      await done(`${out.nombre} activada desde el ${formatDate(out.fecha_activacion)} con línea base ${money(out.stock_baseline)}`);
    },
  }));
  container.addEventListener('click', async (ev) => {
    const d = ev.target.closest('[data-deactivate]');
    const r = ev.target.closest('[data-reactivate]');
    if (!d && !r) return;
    const btn = d || r;
    btn.disabled = true;
    try {
      const out = d ? await apiDelete(`/api/bi/impact/activaciones/${encodeURIComponent(d.dataset.deactivate)}`) : await apiPost('/api/bi/impact/activaciones', { ubicacion_id: r.dataset.reactivate });
      await done(d ? `${out.nombre} ya no cuenta en el impacto (su línea base se conserva)` : `${out.nombre} reactivada con su línea base de ${money(out.stock_baseline)}`);
    } catch (e) {
      btn.disabled = false;
      flash((e && e.detail) || 'No se pudo guardar el cambio');
    }
  });
}
