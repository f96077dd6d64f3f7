// "Resumen de red": network KPIs and a per-location table grouped by region.
// Figures come from GET /api/resumen-red; the browser only formats and sorts
// (region subtotals are plain sums of the rows shown).
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate } from '../format.js';

const money = (v) => formatNumber(v, 2);
const FIELDS = ['ventas_usd', 'tickets', 'unidades', 'valor_stock_costo_usd'];
const SALES_FIELDS = new Set(['ventas_usd', 'tickets', 'unidades']);
const TIPO_LABEL = { tienda: 'Tienda', cedi: 'CEDI' };
const NO_REGION = 'Sin región';

// Kept across visits so the table reopens sorted as the user left it.
const sort = { key: 'nombre', dir: 'asc' };

function columns(data) {
  const cur = data.moneda || 'USD';
  return [
    { key: 'nombre', label: 'Ubicación' },
    { key: 'tipo', label: 'Tipo' },
    { key: 'ventas_usd', label: `Ventas ${data.ventana_dias ?? 30} días (${cur})`, fmt: money, num: true },
    { key: 'tickets', label: 'Tickets', fmt: formatInteger, num: true },
    { key: 'unidades', label: 'Unidades (und)', fmt: formatInteger, num: true },
    { key: 'valor_stock_costo_usd', label: `Inventario al costo (${cur})`, fmt: money, num: true },
    { key: 'dias_con_datos', label: 'Días con datos', fmt: formatInteger, num: true },
  ];
}

const isCedi = (u) => u.tipo === 'cedi';

// CEDIs do not sell: their sales columns read "-" whatever the server sent.
function cellValue(u, key) {
  if (SALES_FIELDS.has(key) && isCedi(u)) return null;
  return u[key];
}

function isEmpty(data) {
  const list = data.ubicaciones || [];
  return list.length === 0 || list.every((u) => FIELDS.every((f) => !Number(u[f])));
}

function compare(a, b, col) {
  if (!col.num) {
    const va = col.key === 'tipo' ? TIPO_LABEL[a.tipo] || a.tipo || '' : a[col.key] || '';
    const vb = col.key === 'tipo' ? TIPO_LABEL[b.tipo] || b.tipo || '' : b[col.key] || '';
    return String(va).localeCompare(String(vb), 'es', { numeric: true });
  }
  const va = cellValue(a, col.key);
  const vb = cellValue(b, col.key);
  const na = va === null || va === undefined;
  const nb = vb === null || vb === undefined;
  if (na || nb) return na === nb ? 0 : na ? 1 : -1; // blanks sink regardless of direction
  return Number(va) - Number(vb);
}

function groupByRegion(list, cols) {
  const col = cols.find((c) => c.key === sort.key) || cols[0];
  const sign = sort.dir === 'asc' ? 1 : -1;
  const groups = new Map();
  for (const u of list) {
    const region = u.region || NO_REGION;
    if (!groups.has(region)) groups.set(region, []);
    groups.get(region).push(u);
  }
  // Spec 50 §7.2 puts the first tenant's main region first: here the region with the most
  // locations (no tenant's region is named in the code), then alphabetical, "Sin región" last.
  const names = [...groups.keys()].sort((a, b) => {
    const rank = (r) => (r === NO_REGION ? 1 : 0);
    return rank(a) - rank(b) || groups.get(b).length - groups.get(a).length || a.localeCompare(b, 'es');
  });
  return names.map((region) => {
    const rows = groups.get(region).slice().sort((a, b) => {
      const hasBlank = col.num && (cellValue(a, col.key) == null || cellValue(b, col.key) == null);
      const c = hasBlank ? compare(a, b, col) : sign * compare(a, b, col);
      return c || String(a.nombre || '').localeCompare(String(b.nombre || ''), 'es', { numeric: true });
    });
    const sums = {};
    for (const f of FIELDS) {
      const vals = rows.map((u) => cellValue(u, f)).filter((v) => v !== null && v !== undefined);
      sums[f] = vals.length ? vals.reduce((s, v) => s + Number(v), 0) : null;
    }
    return { region, rows, sums };
  });
}

function numCell(col, value) {
  const raw = value === null || value === undefined ? '' : String(value);
  return html`<td class="num" data-campo="${col.key}" data-valor="${raw}">${col.fmt(value)}</td>`;
}

function kpis(data) {
  const t = data.totales || {};
  const cur = data.moneda || 'USD';
  const cards = [
    { key: 'ventas_usd', label: `Ventas (${cur})`, value: money(t.ventas_usd), hint: `Últimos ${data.ventana_dias ?? 30} días` },
    { key: 'tickets', label: 'Tickets', value: formatInteger(t.tickets) },
    { key: 'unidades', label: 'Unidades', value: formatInteger(t.unidades), hint: 'und' },
    { key: 'valor_stock_costo_usd', label: `Valor del inventario al costo (${cur})`, value: money(t.valor_stock_costo_usd), hint: 'Tiendas y CEDIs' },
  ];
  return html`<div class="kpis">${cards.map((c) => html`
    <div class="kpi" data-kpi="${c.key}" data-valor="${t[c.key] ?? ''}">
      <span class="kpi-label">${c.label}</span>
      <span class="kpi-value">${c.value}</span>
      ${c.hint ? html`<span class="kpi-hint">${c.hint}</span>` : ''}
    </div>`)}</div>`;
}

function table(data) {
  const cols = columns(data);
  const numCols = cols.filter((c) => c.num && c.key !== 'dias_con_datos');
  const groups = groupByRegion(data.ubicaciones, cols);
  const t = data.totales || {};
  const head = cols.map((c) => {
    const active = c.key === sort.key;
    const ariaSort = active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none';
    return html`<th scope="col" class="${c.num ? 'num' : ''}" aria-sort="${ariaSort}">
      <button type="button" class="sort" data-sort="${c.key}">${c.label}<span class="sort-ind" aria-hidden="true">${active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}</span></button></th>`;
  });
  const body = groups.map((g) => html`
    <tr class="group-row" data-region="${g.region}">
      <th scope="rowgroup" colspan="2">${g.region} <span class="muted">· ${g.rows.length} ${g.rows.length === 1 ? 'ubicación' : 'ubicaciones'}</span></th>
      ${numCols.map((c) => numCell(c, g.sums[c.key]))}
      <td></td>
    </tr>
    ${g.rows.map((u) => html`
    <tr data-ubicacion="${u.id}" data-tipo="${u.tipo}">
      <th scope="row" class="name"><a href="/dashboard/${encodeURIComponent(u.id)}">${u.nombre || u.id}</a></th>
      <td><span class="badge badge-${isCedi(u) ? 'cedi' : 'tienda'}">${TIPO_LABEL[u.tipo] || u.tipo || '-'}</span></td>
      ${cols.filter((c) => c.num).map((c) => (c.key === 'dias_con_datos'
        ? html`<td class="num" data-campo="dias_con_datos" data-valor="${u.dias_con_datos ?? ''}"
            title="${u.primera_fecha ? `Datos del ${formatDate(u.primera_fecha)} al ${formatDate(u.ultima_fecha)}` : 'Sin datos de ventas'}">${formatInteger(u.dias_con_datos)}</td>`
        : numCell(c, cellValue(u, c.key))))}
    </tr>`)}`);
  return html`<div class="card table-card">
    <table class="data-table" aria-label="Ubicaciones por región">
      <thead><tr>${head}</tr></thead>
      <tbody>${body}</tbody>
      <tfoot><tr class="totals-row" data-fila="totales">
        <th scope="row" colspan="2">Total red</th>
        ${numCols.map((c) => numCell(c, t[c.key]))}
        <td></td>
      </tr></tfoot>
    </table></div>`;
}

export async function render(container, ctx) {
  setHtml(container, html`
    <div class="page-head">
      <div>
        <h1>Resumen de red</h1>
        <p class="subtitle" data-role="subtitle">Cargando…</p>
      </div>
      <div class="actions">
        <button type="button" class="btn" data-opportunities="cedi">Oportunidades CEDI</button>
        <button type="button" class="btn" data-opportunities="expansion">Expansión de catálogo</button>
        <form class="filters" data-role="filters">
          <label>Hasta <input type="date" name="hasta"></label>
          <button type="submit" class="btn btn-secondary">Aplicar</button>
        </form>
      </div>
    </div>
    <div data-role="body"></div>
    <section class="section" data-role="health"></section>
    <aside class="drawer" data-role="drawer" hidden aria-label="Oportunidades"></aside>`);
  import('./salud-regional.js').then((m) => m.renderRegionalHealth(container.querySelector('[data-role=health]'), ctx));
  container.querySelectorAll('[data-opportunities]').forEach((b) => b.addEventListener('click', async () => {
    const { openOpportunities } = await import('./oportunidades.js');
    openOpportunities(container.querySelector('[data-role=drawer]'), ctx, b.dataset.opportunities);
  }));
  const subtitle = container.querySelector('[data-role="subtitle"]');
  const body = container.querySelector('[data-role="body"]');
  const filters = container.querySelector('[data-role="filters"]');
  let data = null;

  const draw = () => {
    setHtml(body, html`${kpis(data)}${table(data)}`);
    body.querySelectorAll('button[data-sort]').forEach((b) => b.addEventListener('click', () => {
      const key = b.dataset.sort;
      const numeric = columns(data).find((c) => c.key === key).num;
      if (sort.key === key) sort.dir = sort.dir === 'asc' ? 'desc' : 'asc';
      else Object.assign(sort, { key, dir: numeric ? 'desc' : 'asc' });
      draw();
      body.querySelector(`button[data-sort="${key}"]`).focus();
    }));
  };

  const load = async () => {
    document.body.dataset.state = 'loading';
    const hasta = new URLSearchParams(location.search).get('hasta');
    const valid = hasta && /^\d{4}-\d{2}-\d{2}$/.test(hasta);
    subtitle.textContent = 'Cargando…';
    setHtml(body, skeletonBlock({ cards: 4, rows: 8 }));
    try {
      data = await apiGet(`/api/resumen-red${valid ? `?hasta=${hasta}` : ''}`, { signal: ctx.signal });
    } catch (e) {
      if (isAbort(e) || e.status === 401) return; // 401: the shell is already showing the login
      subtitle.textContent = '';
      showError(body, e, load);
      document.body.dataset.state = 'ready';
      return;
    }
    filters.hasta.value = data.hasta || '';
    subtitle.textContent = `Últimos ${data.ventana_dias ?? 30} días: ${formatDate(data.desde)} – ${formatDate(data.hasta)}`;
    if (isEmpty(data)) {
      setHtml(body, emptyState('Sin datos todavía', html`Aún no hay datos. Importe archivos con <code>fluxion import</code> o ejecute la ETL.`));
    } else {
      draw();
    }
    document.body.dataset.state = 'ready';
  };

  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const hasta = filters.hasta.value;
    ctx.setQuery(hasta ? { hasta } : {});
    load();
  });

  await load();
}
