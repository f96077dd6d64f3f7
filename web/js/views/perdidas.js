// "Ventas perdidas" (spec 40 §6.5, V3): products whose sales in a period fell well below
// their pace of the 30 days before, valued at their price. It measures a drop in sales:
// "quiebre" when the store's stock reached zero in the period, "caída de demanda"
// otherwise. Tabs: Resumen (cards, categories, top 10) and Detalle (every product).
import { apiGet, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, tenantToday } from '../format.js';
import { downloadCsv } from '../csv.js';
import { openProductDrawer } from './producto-ventas.js';

const LEVEL = { critico: 'Crítico', alto: 'Alto', medio: 'Medio' };
const CAUSE = { quiebre: 'Quiebre de stock', caida_demanda: 'Caída de ventas' };
const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const addDays = (d, n) => { const x = new Date(d); x.setDate(x.getDate() + n); return x; };

// Presets end yesterday: today is not over, and would show as a loss.
function presets(today) {
  const y = addDays(today, -1);
  const lastSunday = addDays(today, -(today.getDay() || 7));
  return {
    siete: ['Últimos 7 días', addDays(y, -6), y],
    semana: ['Semana pasada', addDays(lastSunday, -6), lastSunday],
    catorce: ['Últimos 14 días', addDays(y, -13), y],
    mes: ['Último mes', addDays(y, -29), y],
  };
}

export async function render(container, ctx, id) {
  const P = presets(tenantToday());
  const f = { desde: iso(P.siete[1]), hasta: iso(P.siete[2]), tab: 'resumen', nivel: '', search: '' };
  setHtml(container, html`<div class="page-head"><div><p class="muted"><a href="/ventas/${encodeURIComponent(id)}">← Ventas de la tienda</a></p>
      <h1 data-role="title">Ventas perdidas</h1><p class="subtitle" data-role="subtitle"></p></div>
      <div class="actions"><button type="button" class="btn" data-role="csv" disabled>Exportar CSV</button></div></div>
    <div class="card filter-bar filters wrap" data-role="periods" role="group" aria-label="Periodo">
      ${Object.entries(P).map(([k, [label]]) => html`<button type="button" class="chip" data-preset="${k}">${label}</button>`)}
      <label>Desde <input type="date" name="desde"></label><label>Hasta <input type="date" name="hasta" max="${iso(addDays(tenantToday(), -1))}"></label>
    </div>
    <p class="muted small">Compara el promedio diario del periodo con el de los 30 días anteriores. Mide una caída de ventas: la causa es <strong>quiebre</strong> cuando el stock llegó a cero en el periodo; si no, es una <strong>caída de ventas</strong> (exhibición, precio, competencia…).</p>
    <div class="tabs" role="tablist"><button type="button" role="tab" class="tab" data-tab="resumen">Resumen</button><button type="button" role="tab" class="tab" data-tab="detalle">Detalle</button></div>
    <section data-role="body">${skeletonBlock({ cards: 4, rows: 6 })}</section>
    <aside class="drawer" data-role="drawer" hidden aria-label="Detalle del producto"></aside>`);
  const body = container.querySelector('[data-role=body]');
  const periods = container.querySelector('[data-role=periods]');
  const drawer = container.querySelector('[data-role=drawer]');
  let data = null;
  let rows = [];
  let seq = 0;

  const levelBadge = (n) => html`<span class="${`badge prio-${n === 'critico' ? 1 : n === 'alto' ? 2 : 3}`}">${LEVEL[n]}</span>`;
  const productRow = (r, i) => html`<tr data-index="${i}" tabindex="0"><td class="code">${r.codigo_producto}</td>
    <td class="desc" title="${r.descripcion}">${r.descripcion}<span class="muted cat"> · ${r.categoria || 'SIN CATEGORIA'}</span></td>
    <td class="num">${formatNumber(r.stock_actual, 0)}</td><td class="num ${r.dias_stock_cero ? 'neg' : ''}">${formatInteger(r.dias_stock_cero)}</td>
    <td class="num">${formatNumber(r.promedio_periodo, 1)}</td><td class="num">${formatNumber(r.promedio_historico, 1)}</td><td class="num">${formatNumber(r.pct_vs_historico, 1)} %</td>
    <td class="num">${formatNumber(r.unidades_perdidas, 0)}</td><td class="num"><strong>${formatNumber(r.venta_perdida_usd, 2)}</strong></td>
    <td>${levelBadge(r.nivel)}</td><td>${CAUSE[r.causa]}</td></tr>`;
  const productHead = html`<thead><tr><th>Código</th><th>Descripción</th><th class="num">Stock</th><th class="num" title="Días del periodo con stock en cero o negativo">Días stock 0</th>
    <th class="num">Prom./día periodo</th><th class="num">Prom./día histórico</th><th class="num">% vs hist.</th><th class="num">Unid. perdidas</th><th class="num">Venta perdida (USD)</th><th>Nivel</th><th>Causa</th></tr></thead>`;

  const draw = () => {
    container.querySelectorAll('[data-tab]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === f.tab)));
    const d = data;
    const s = d.resumen;
    if (!s.incidentes) {
      rows = [];
      setHtml(body, emptyState('Sin ventas perdidas', `Ningún producto vendió menos del ${formatNumber(d.umbrales.medio, 0)} % de su ritmo habitual entre el ${d.fecha_inicio} y el ${d.fecha_fin}.`));
      return;
    }
    if (f.tab === 'resumen') {
      rows = d.items.slice(0, 10);
      const max = Math.max(...s.por_categoria.map((c) => c.usd));
      setHtml(body, html`<div class="kpis">
          <div class="kpi"><span class="kpi-label">Venta perdida (USD)</span><span class="kpi-value neg">${formatNumber(s.venta_perdida_usd, 2)}</span><span class="kpi-hint">${d.dias_periodo} días</span></div>
          <div class="kpi"><span class="kpi-label">Productos afectados</span><span class="kpi-value">${formatInteger(s.incidentes)}</span></div>
          <div class="kpi"><span class="kpi-label">Críticos · altos · medios</span><span class="kpi-value">${formatInteger(s.por_nivel.critico)} · ${formatInteger(s.por_nivel.alto)} · ${formatInteger(s.por_nivel.medio)}</span></div>
          <div class="kpi"><span class="kpi-label">Mayor pérdida</span><span class="kpi-value small">${s.mayor_producto || '—'}</span></div></div>
        <div class="two-col">
          <div class="card"><h3>Por categoría</h3><table class="data-table compact" data-role="categories"><thead><tr><th>Categoría</th><th class="num">USD</th><th class="num">Productos</th><th class="num">%</th><th></th></tr></thead>
            <tbody>${s.por_categoria.map((c) => html`<tr><td>${c.categoria}</td><td class="num">${formatNumber(c.usd, 2)}</td><td class="num">${formatInteger(c.incidentes)}</td><td class="num">${formatNumber(c.pct, 1)}</td>
              <td class="bar-cell"><span class="hbar" style="${`width:${((c.usd / max) * 100).toFixed(1)}%`}"></span></td></tr>`)}</tbody></table></div>
          <div class="card"><h3>Los 10 productos con más venta perdida</h3><table class="data-table compact" data-role="top">
            <thead><tr><th>Producto</th><th class="num">% vs hist.</th><th class="num">USD</th><th>Causa</th></tr></thead>
            <tbody>${rows.map((r, i) => html`<tr data-index="${i}" tabindex="0"><td class="desc" title="${`${r.codigo_producto} · ${r.descripcion}`}"><span class="code">${r.codigo_producto}</span> ${r.descripcion}</td>
              <td class="num">${formatNumber(r.pct_vs_historico, 1)} %</td><td class="num"><strong>${formatNumber(r.venta_perdida_usd, 2)}</strong></td><td>${CAUSE[r.causa]}</td></tr>`)}</tbody></table></div>
        </div>`);
      return;
    }
    const q = f.search.toLowerCase();
    rows = d.items.filter((r) => (!f.nivel || r.nivel === f.nivel) && (!q || r.codigo_producto.toLowerCase().includes(q) || r.descripcion.toLowerCase().includes(q)));
    setHtml(body, html`<form class="card filter-bar filters" data-role="detail-filters" autocomplete="off">
        <label>Buscar <input type="search" name="search" value="${f.search}" placeholder="Código o descripción"></label>
        <label>Nivel <select name="nivel"><option value="">Todos</option>${Object.entries(LEVEL).map(([v, t]) => html`<option value="${v}" ${v === f.nivel ? html`selected` : ''}>${t}</option>`)}</select></label>
        <span class="muted">${formatInteger(rows.length)} de ${formatInteger(d.items.length)} productos${s.incidentes > d.items.length ? ` (la lista muestra los ${d.limite} de mayor pérdida)` : ''}</span></form>
      ${rows.length ? html`<div class="card table-card"><table class="data-table" data-role="losses">${productHead}<tbody>${rows.map(productRow)}</tbody></table></div>` : emptyState('Nada con estos filtros', 'Pruebe con otro nivel o limpie la búsqueda.')}`);
    const form = body.querySelector('[data-role=detail-filters]');
    form.addEventListener('submit', (ev) => ev.preventDefault());
    form.addEventListener('change', (ev) => { if (ev.target.name === 'nivel') { f.nivel = ev.target.value; draw(); } });
    let typing = null;
    form.addEventListener('input', (ev) => {
      if (ev.target.name !== 'search') return;
      clearTimeout(typing);
      typing = setTimeout(() => { f.search = ev.target.value.trim(); draw(); body.querySelector('[name=search]').focus(); }, 250);
    });
  };

  const load = async () => {
    const mine = ++seq;
    periods.querySelector('[name=desde]').value = f.desde;
    periods.querySelector('[name=hasta]').value = f.hasta;
    periods.querySelectorAll('[data-preset]').forEach((b) => b.setAttribute('aria-pressed', String(iso(P[b.dataset.preset][1]) === f.desde && iso(P[b.dataset.preset][2]) === f.hasta)));
    body.setAttribute('aria-busy', 'true');
    try {
      const d = await apiGet(`/api/ventas/ventas-perdidas-v3/${encodeURIComponent(id)}?fecha_inicio=${f.desde}&fecha_fin=${f.hasta}`, { signal: ctx.signal });
      if (mine !== seq) return;
      data = d;
      container.querySelector('[data-role=title]').textContent = `Ventas perdidas · ${d.ubicacion_nombre}`;
      container.querySelector('[data-role=subtitle]').textContent = `Del ${d.fecha_inicio} al ${d.fecha_fin} (${d.dias_periodo} días) frente al ${d.historico_desde}–${d.historico_hasta}. Importes en USD.`;
      container.querySelector('[data-role=csv]').disabled = !d.items.length;
      draw();
    } catch (e) {
      if (isAbort(e) || mine !== seq) return;
      const denied = e.status === 403 || e.status === 422;
      showError(body, e, denied ? null : load, denied ? 'No se puede calcular este periodo' : 'No se pudieron calcular las ventas perdidas');
    } finally {
      body.removeAttribute('aria-busy');
    }
  };

  periods.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-preset]');
    if (!b) return;
    [f.desde, f.hasta] = [iso(P[b.dataset.preset][1]), iso(P[b.dataset.preset][2])];
    load();
  });
  periods.addEventListener('change', (ev) => { if (ev.target.value) { f[ev.target.name] = ev.target.value; load(); } });
  container.querySelectorAll('[data-tab]').forEach((b) => b.addEventListener('click', () => { f.tab = b.dataset.tab; if (data) draw(); }));
  container.querySelector('[data-role=csv]').addEventListener('click', () => {
    downloadCsv(`ventas-perdidas-${id}-${data.fecha_inicio}-a-${data.fecha_fin}.csv`,
      ['Código', 'Descripción', 'Categoría', 'Stock', 'Días stock 0', 'Prom./día periodo', 'Prom./día histórico', '% vs histórico', 'Unidades perdidas', 'Precio', 'Venta perdida USD', 'Nivel', 'Causa'],
      data.items.map((r) => [r.codigo_producto, r.descripcion, r.categoria || '', r.stock_actual, r.dias_stock_cero, r.promedio_periodo, r.promedio_historico, r.pct_vs_historico,
        r.unidades_perdidas, r.precio, r.venta_perdida_usd, LEVEL[r.nivel], CAUSE[r.causa]]));
  });
  body.addEventListener('click', (ev) => {
    const row = ev.target.closest('tr[data-index]');
    if (!row) return;
    const r = rows[Number(row.dataset.index)];
    openProductDrawer(drawer, { code: r.codigo_producto, name: r.descripcion, store: id, ctx, onClose: () => row.focus() });
  });
  body.addEventListener('keydown', (ev) => {
    const row = ev.target.closest('tr[data-index]');
    if (!row) return;
    if (ev.key === 'Enter') { ev.preventDefault(); row.click(); }
    if (ev.key === 'ArrowDown' && row.nextElementSibling) { ev.preventDefault(); row.nextElementSibling.focus(); }
    if (ev.key === 'ArrowUp' && row.previousElementSibling) { ev.preventDefault(); row.previousElementSibling.focus(); }
  });

  await load();
}
