// "Tiendas" of the administrator (spec 50 §7.4): every location of tenant.toml, read-only,
// grouped by region (stores, then CEDIs), with its POS connection (no secrets), hours,
// visibility, go-live, last loads, warehouses and the stock parameters in days the order
// calculation uses. "Probar conexión" tests one location's POS now; "Probar todas" tests
// every active location with a connector, one after another. Everything is computed by the
// server (/api/admin/tiendas, /api/admin/tiendas/{id}/probar); the browser only formats.
import { apiGet, apiPost, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate, formatRelative } from '../format.js';

const STYLE_ID = 'tiendas-admin-style';
const STYLE = `
.stores-toolbar { display: flex; align-items: center; gap: 0.75rem; flex-wrap: wrap; margin-bottom: 0.75rem; }
.stores-toolbar [data-role=probe-summary] { font-variant-numeric: tabular-nums; }
.stores-scroll { overflow-x: auto; }
.stores-scroll .data-table thead th { top: 0; }
.stores-table td, .stores-table th { vertical-align: top; }
.stores-table .loc { display: flex; align-items: flex-start; gap: 0.45rem; min-width: 13rem; }
.stores-table .loc-name { display: flex; flex-direction: column; line-height: 1.3; }
.stores-table .loc-id { color: var(--muted); font-size: 0.8rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.stores-table .sub { display: block; color: var(--muted); font-size: 0.8rem; }
.row-toggle { all: unset; cursor: pointer; width: 1.2rem; text-align: center; color: var(--muted); border-radius: 4px; line-height: 1.3; }
.row-toggle:hover { color: var(--text); background: var(--bg); }
.row-toggle:focus-visible { outline: 2px solid var(--focus); }
.row-toggle[aria-expanded="true"] { transform: rotate(90deg); }
.stores-table tr.is-inactive > th, .stores-table tr.is-inactive > td:not(.probe) { color: var(--muted); }
.stores-table td.probe { min-width: 12rem; max-width: 20rem; white-space: normal; }
.probe-result { display: block; margin-top: 0.3rem; font-size: 0.82rem; overflow-wrap: anywhere; }
.probe-ok { color: var(--optimo); font-weight: 600; }
.probe-fail { color: var(--critico); }
.spinner-sm { width: 12px; height: 12px; display: inline-block; vertical-align: -2px; }
.vis { display: flex; gap: 0.25rem; flex-wrap: nowrap; }
.vis .tag.on { color: var(--optimo); border-color: #bbf7d0; background: var(--optimo-bg); }
.vis .tag.off { text-decoration: line-through; }
.store-detail .facts dd { white-space: normal; }
.stores-table tr.detail-row > td { background: var(--surface-alt); white-space: normal; padding: 0.75rem 1rem 1rem 2.4rem; }
.store-detail { display: grid; grid-template-columns: minmax(13rem, 0.7fr) minmax(0, 1.3fr) minmax(0, 1.2fr); gap: 1.25rem; }
.store-detail h3 { margin: 0 0 0.4rem; font-size: 0.95rem; }
.store-detail .data-table { background: var(--surface); border: 1px solid var(--border); border-radius: 6px; }
.store-detail .data-table thead th { position: static; }
.store-detail .params-note { margin: 0.4rem 0 0; font-size: 0.82rem; color: var(--muted); }
@media (max-width: 1100px) { .store-detail { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
@media (max-width: 700px) { .store-detail { grid-template-columns: minmax(0, 1fr); } }
`;

function ensureStyle() {
  if (document.getElementById(STYLE_ID)) return;
  const s = document.createElement('style');
  s.id = STYLE_ID;
  s.textContent = STYLE;
  document.head.append(s);
}

const FUENTE = {
  ajuste: { label: 'Ajuste', badge: 'aprobado', hint: 'Ajuste guardado en Parámetros ABC' },
  'tenant.toml': { label: 'tenant.toml', badge: 'pendiente', hint: 'Valores iniciales de [stores.params] en tenant.toml' },
  'por defecto': { label: 'Por defecto', badge: 'borrador', hint: 'Valores globales de la red' },
};
const CLASSES = [['a', 'A'], ['ab', 'AB'], ['b', 'B'], ['bc', 'BC'], ['c', 'C']];
const POS_LABEL = { klk: 'KLK', stellar: 'Stellar', none: 'Sin POS' };

const days = (v) => formatNumber(v, 1);

// The tenant's wall clock now, as "YYYY-MM-DDTHH:MM:SS" (the API's local stamps are naive).
function nowLocal(tz) {
  const parts = {};
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz || 'America/Caracas', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  for (const p of fmt.formatToParts(new Date())) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

// "2026-11-25T10:05:00" (tenant-local) → "25/11/2026 10:05" and "hace 12 min".
function loadCell(stamp, tz) {
  if (!stamp) return html`<span class="muted">Sin cargas</span>`;
  const when = `${formatDate(stamp.slice(0, 10))} ${stamp.slice(11, 16)}`;
  const age = Date.parse(`${nowLocal(tz)}Z`) - Date.parse(`${stamp}Z`);
  const rel = age >= 0 && age < 30 * 86400000 ? formatRelative(new Date(Date.parse(`${stamp}Z`)), Date.parse(`${nowLocal(tz)}Z`)) : '';
  return html`${when}${rel ? html`<span class="sub">${rel}</span>` : ''}`;
}

function posCell(u) {
  if (u.sistema_pos === 'klk' && u.klk) {
    return html`<span class="tag">KLK</span> ${u.klk.sucursal ? html`sucursal <code>${u.klk.sucursal}</code>` : html`<span class="muted">sin sucursal</span>`}
      ${u.klk.almacen_ventas ? html`<span class="sub">almacén de ventas ${u.klk.almacen_ventas}</span>` : ''}`;
  }
  if (u.sistema_pos === 'stellar' && u.stellar) {
    return html`<span class="tag">Stellar</span> <code>${u.stellar.servidor || '-'}</code>
      <span class="sub">base ${u.stellar.base_datos}${u.stellar.codigo_deposito ? ` · depósito ${u.stellar.codigo_deposito}` : ''}</span>`;
  }
  return html`<span class="muted">${POS_LABEL[u.sistema_pos] || u.sistema_pos}</span><span class="sub">carga por archivos</span>`;
}

function visibility(u) {
  const flag = (on, label) => html`<span class="tag ${on ? 'on' : 'off'}" title="${label}: ${on ? 'visible' : 'oculta'}">${label}</span>`;
  return html`<span class="vis">${flag(u.visible_pedidos, 'Pedidos')}${flag(u.visible_reportes, 'Reportes')}${flag(u.visible_dashboards, 'Dashboards')}</span>`;
}

function fuenteBadge(p) {
  const f = FUENTE[p.fuente] || { label: p.fuente, badge: 'borrador', hint: '' };
  return html`<span class="badge badge-${f.badge}" title="${f.hint}" data-fuente="${p.fuente}">${f.label}</span>`;
}

function probeCell(u, probes) {
  if (!u.tiene_conector) return html`<span class="muted">Sin conector POS</span>`;
  const r = probes.get(u.id);
  let result = '';
  if (r && r.running) result = html`<span class="probe-result muted" role="status"><span class="spinner spinner-sm"></span> Probando…</span>`;
  else if (r && r.accesible) result = html`<span class="probe-result probe-ok" data-result="ok">✓ Accesible · ${formatInteger(r.tiempo_respuesta_ms)} ms</span>`;
  else if (r) result = html`<span class="probe-result probe-fail" data-result="error">✗ ${r.error || 'No accesible'}</span>`;
  return html`<button type="button" class="btn btn-sm" data-probe="${u.id}" ${r && r.running ? html`disabled` : ''}>Probar conexión</button>${result}`;
}

function detailRow(u, colspan, regionName) {
  const p = u.parametros_stock;
  const cov = p.cobertura_dias;
  return html`<tr class="detail-row" data-detail="${u.id}"><td colspan="${colspan}"><div class="store-detail">
    <section><h3>Ficha</h3>
      <dl class="facts small">
        <dt>Región</dt><dd>${regionName}</dd>
        <dt>Ciudad</dt><dd>${u.ciudad || '-'}</dd>
        <dt>Estado</dt><dd>${u.activo ? 'Activa' : 'Inactiva'}</dd>
        <dt>Visible en</dt><dd>${visibility(u)}</dd>
        ${u.sirve_regiones.length ? html`<dt>Abastece</dt><dd>${u.sirve_regiones.join(', ')}</dd>` : ''}
      </dl>
    </section>
    <section><h3>Almacenes</h3>
      ${u.almacenes.length ? html`<table class="data-table compact" data-role="almacenes">
        <thead><tr><th>Código</th><th>Nombre</th><th>Tipo</th><th>Incluir en déficit</th><th>Estado</th></tr></thead>
        <tbody>${u.almacenes.map((a) => html`<tr><td><code>${a.codigo}</code></td><td>${a.nombre}</td><td>${a.tipo}</td>
          <td>${a.incluir_en_deficit ? 'Sí' : 'No'}</td>
          <td><span class="estado ${a.activo ? 'estado-activo' : 'estado-inactivo'}">${a.activo ? 'Activo' : 'Inactivo'}</span></td></tr>`)}</tbody>
      </table>` : html`<p class="muted">Sin almacenes configurados.</p>`}
    </section>
    <section><h3>Parámetros de stock ${fuenteBadge(p)}</h3>
      <table class="data-table compact" data-role="stock-params">
        <thead><tr><th>Clase</th><th class="num">Seguridad (días)</th><th class="num">Mínimo (días)</th><th class="num">Máximo (días)</th></tr></thead>
        <tbody>${CLASSES.map(([k, label]) => html`<tr data-clase="${label}"><th>${label}</th>
          <td class="num">${days(p[`stock_seg_mult_${k}`])}</td><td class="num">${days(p[`stock_min_mult_${k}`])}</td><td class="num">${days(p[`stock_max_mult_${k}`])}</td></tr>`)}</tbody>
      </table>
      <p class="params-note">Lead time ${days(p.lead_time_dias)} días · cobertura A ${formatNumber(cov.a, 0)}, B ${formatNumber(cov.b, 0)}, C ${formatNumber(cov.c, 0)}, D ${formatNumber(cov.d, 0)} días.
        Seguridad = lead time; mínimo = lead time + cobertura / 2; máximo = lead time + cobertura (AB y BC con la cobertura promedio).</p>
    </section>
  </div></td></tr>`;
}

const COLUMNS = 8;

function tableHtml(data, expanded, probes, tz) {
  const groups = data.regiones
    .map((g) => ({ ...g, rows: data.ubicaciones.filter((u) => u.region === g.id) }))
    .filter((g) => g.rows.length);
  return html`<div class="card stores-scroll"><table class="data-table stores-table" data-role="stores">
    <thead><tr><th>Ubicación</th><th>POS</th><th>Horario</th><th>Go-live</th>
      <th>Última carga inventario</th><th>Última carga ventas</th><th>Parámetros</th><th>Conexión</th></tr></thead>
    <tbody>${groups.map((g) => html`<tr class="group-row" data-region="${g.id}"><th colspan="${COLUMNS}">${g.nombre} · ${formatInteger(g.rows.length)} ${g.rows.length === 1 ? 'ubicación' : 'ubicaciones'}</th></tr>
      ${g.rows.map((u) => html`<tr data-ubicacion="${u.id}" class="${u.activo ? '' : 'is-inactive'}">
        <th><div class="loc">
          <button type="button" class="row-toggle" data-toggle="${u.id}" aria-expanded="${String(expanded.has(u.id))}" aria-label="Ver almacenes y parámetros de ${u.nombre}">▸</button>
          <span class="loc-name"><span>${u.nombre} <span class="badge badge-${u.tipo === 'cedi' ? 'cedi' : 'tienda'}">${u.tipo === 'cedi' ? 'CEDI' : 'Tienda'}</span>${u.activo ? '' : html` <span class="tag">Inactiva</span>`}</span>
            <span class="loc-id">${u.id}${u.ciudad ? html` · <span>${u.ciudad}</span>` : ''}</span></span></div></th>
        <td>${posCell(u)}</td>
        <td>${u.hora_apertura}–${u.hora_cierre}</td>
        <td>${u.fecha_go_live ? formatDate(u.fecha_go_live) : html`<span class="muted">-</span>`}</td>
        <td data-load="inventario">${loadCell(u.ultima_carga_inventario, tz)}</td>
        <td data-load="ventas">${loadCell(u.ultima_carga_ventas, tz)}</td>
        <td>${fuenteBadge(u.parametros_stock)}</td>
        <td class="probe" data-probe-cell="${u.id}">${probeCell(u, probes)}</td></tr>
        ${expanded.has(u.id) ? detailRow(u, COLUMNS, g.nombre) : ''}`)}`)}</tbody></table></div>`;
}

export async function render(container, ctx) {
  ensureStyle();
  const tz = ctx.tenant && ctx.tenant.timezone;
  setHtml(container, html`<div class="page-head"><div><p class="muted"><a href="/administrador">← Panel de administrador</a></p>
      <h1>Tiendas</h1>
      <p class="subtitle">Tiendas y CEDIs configurados: conexión al POS, horarios, visibilidad, últimas cargas y parámetros de stock vigentes.</p></div></div>
    <p class="banner-info" data-role="ops-note">Pantalla de solo lectura. La identidad, el POS, la región, los horarios y la visibilidad de cada ubicación los edita operaciones en <code>tenant.toml</code> (se aplican al reiniciar el servicio). Los lead times y días de cobertura por tienda se ajustan en <a href="/administrador/parametros-abc">Parámetros ABC</a>.</p>
    <div class="stores-toolbar">
      <button type="button" class="btn btn-primary" data-action="probe-all" disabled>Probar todas</button>
      <span data-role="probe-summary" role="status"></span>
    </div>
    <section data-role="table">${skeletonBlock({ rows: 8 })}</section>`);
  const tableEl = container.querySelector('[data-role=table]');
  const allBtn = container.querySelector('[data-action=probe-all]');
  const summaryEl = container.querySelector('[data-role=probe-summary]');
  const expanded = new Set();
  const probes = new Map();
  let data = null;
  let probingAll = false;

  const draw = () => setHtml(tableEl, tableHtml(data, expanded, probes, tz));
  const drawProbe = (id) => {
    const cell = tableEl.querySelector(`[data-probe-cell="${CSS.escape(id)}"]`);
    const u = data.ubicaciones.find((x) => x.id === id);
    if (cell && u) setHtml(cell, probeCell(u, probes));
  };

  const probeOne = async (id) => {
    probes.set(id, { running: true });
    drawProbe(id);
    try {
      probes.set(id, await apiPost(`/api/admin/tiendas/${encodeURIComponent(id)}/probar`, {}, { signal: ctx.signal }));
    } catch (e) {
      if (isAbort(e)) throw e;
      probes.set(id, { accesible: false, error: e.detail || e.message });
    }
    drawProbe(id);
    return probes.get(id);
  };

  const load = async () => {
    setHtml(tableEl, skeletonBlock({ rows: 8 }));
    allBtn.disabled = true;
    try {
      data = await apiGet('/api/admin/tiendas', { signal: ctx.signal });
    } catch (e) {
      if (!isAbort(e)) showError(tableEl, e, load, 'No se pudieron cargar las tiendas');
      return;
    }
    if (!data.ubicaciones.length) {
      setHtml(tableEl, emptyState('Sin ubicaciones', 'tenant.toml no declara tiendas ni CEDIs. Operaciones las agrega en [[stores]] y reinicia el servicio.'));
      return;
    }
    allBtn.disabled = !data.ubicaciones.some((u) => u.activo && u.tiene_conector);
    draw();
  };

  tableEl.addEventListener('click', (ev) => {
    const t = ev.target.closest('[data-toggle]');
    if (t) {
      const id = t.dataset.toggle;
      if (expanded.has(id)) expanded.delete(id);
      else expanded.add(id);
      draw();
      return;
    }
    const b = ev.target.closest('[data-probe]');
    if (b && !b.disabled) probeOne(b.dataset.probe).catch(() => {});
  });

  allBtn.addEventListener('click', async () => {
    if (probingAll) return;
    probingAll = true;
    allBtn.disabled = true;
    const targets = data.ubicaciones.filter((u) => u.activo && u.tiene_conector);
    let ok = 0;
    try {
      for (let i = 0; i < targets.length; i++) {
        setHtml(summaryEl, html`<span class="spinner spinner-sm"></span> Probando ${formatInteger(i + 1)} de ${formatInteger(targets.length)}…`);
        const r = await probeOne(targets[i].id);
        if (r && r.accesible) ok += 1;
      }
      const pct = targets.length ? (100 * ok) / targets.length : 0;
      setHtml(summaryEl, html`<strong data-summary="conectadas">${formatInteger(ok)} / ${formatInteger(targets.length)}</strong> conectadas (${formatNumber(pct, 1)} %)`);
    } catch (e) {
      if (!isAbort(e)) setHtml(summaryEl, html`<span class="probe-fail">${e.detail || e.message}</span>`);
    } finally {
      probingAll = false;
      allBtn.disabled = false;
    }
  });

  await load();
}
