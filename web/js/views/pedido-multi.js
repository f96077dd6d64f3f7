// "Pedido Multi-Tienda" (spec 31 §2.2, §2.8, §2.9): one CEDI, several of the stores it
// supplies. Step 1 picks them; step 2 (only when the CEDI holds less than the stores need)
// shows each conflicted product with its DPD+U shares and lets the buyer set the final packs,
// never above the CEDI's whole packs; step 3 reviews each store's order; step 4 saves them all
// as one group of drafts. Quantities, shares and reasons are the server's.
import { apiGet, apiPost, isAbort, postForDownload } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate } from '../format.js';

const PAGE = 100;
const DAY_BUCKETS = [['0-1', 0, 1], ['1-2', 1, 2], ['2-4', 2, 4], ['4-5', 4, 5], ['5+', 5, Infinity]];
const LEVEL_LABEL = { critico: 'Crítico', urgente: 'Urgente', optimo: 'Óptimo', exceso: 'Exceso' };
const LEVEL_BADGE = { critico: 'critico', urgente: 'bajo', optimo: 'optimo', exceso: 'exceso' };
const ABC_WEIGHT = { A: 1, B: 2, C: 3, D: 3 };

const packsOf = (units, upb) => (upb > 0 ? units / upb : units);
// Days colour of the conflict grid (§2.8): ≤ 0.5 critical, ≤ 1 urgent, ≤ 2 alert, else OK.
const dayClass = (d) => (d <= 0.5 ? 'badge-critico' : d <= 1 ? 'badge-urgente' : d <= 2 ? 'badge-bajo' : 'badge-optimo');
const fmtDays = (d) => (d >= 999 ? '—' : formatNumber(d, 1));

// Criticality from the engine's own SS / ROP / MAX days (§2.9, rebuild).
function level(l) {
  if (!(l.prom_p75_unid > 0)) return null;
  if (l.dias_stock <= l.dias_ss) return 'critico';
  if (l.dias_stock <= l.dias_rop) return 'urgente';
  if (l.dias_stock <= l.dias_max) return 'optimo';
  return 'exceso';
}
const levelKey = (l) => ({ critico: 10, urgente: 20, optimo: 30, exceso: 40 }[level(l)] || 50) + (ABC_WEIGHT[l.clasificacion_abc] || 3);

// Enter / ↓ / ↑ move to the same column's input in the next / previous row (as in the
// single-store wizard); the value is committed by the change event the move triggers.
function moveBetweenInputs(gridEl, ev, selector) {
  if (!ev.target.matches(selector) || !['Enter', 'ArrowDown', 'ArrowUp'].includes(ev.key)) return;
  ev.preventDefault();
  const column = ev.target.dataset.store;
  const inputs = [...gridEl.querySelectorAll(selector)].filter((i) => i.dataset.store === column);
  const next = inputs[inputs.indexOf(ev.target) + (ev.key === 'ArrowUp' ? -1 : 1)];
  if (next) { next.focus(); next.select(); }
}

function head(title) {
  return html`<div class="page-head"><div><p class="muted"><a href="/pedidos-sugeridos">← Pedidos sugeridos</a></p><h1>${title} <span class="badge badge-tienda">Multi-Tienda</span></h1></div></div>`;
}

function stepper(st, current) {
  const names = ['Origen y destinos', ...(st.conflictStep ? ['Resolver conflictos'] : []), 'Revisar pedidos', 'Confirmación'];
  return html`<ol class="stepper">${names.map((s, i) => html`<li class="${i + 1 === current ? 'current' : i + 1 < current ? 'done' : ''}"><span>${i + 1}</span>${s}</li>`)}</ol>`;
}

export async function render(container, ctx) {
  const st = { cedis: [], cedi: ctx.query.get('cedi') || '', stores: [], chosen: new Set(), calc: null, conflictStep: false };
  setHtml(container, html`${head('Pedido multi-tienda')}${skeletonBlock({ rows: 4 })}`);
  try {
    st.cedis = (await apiGet('/api/ubicaciones/cedis', { signal: ctx.signal })).cedis;
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => render(container, ctx));
    return;
  }
  if (!st.cedis.some((c) => c.id === st.cedi)) st.cedi = st.cedis.length ? st.cedis[0].id : '';
  step1(container, ctx, st);
}

// ---------- step 1: origin and destinations ----------

async function step1(container, ctx, st) {
  setHtml(container, html`${head('Pedido multi-tienda')}${stepper(st, 1)}
    <form class="card pad wizard-step" data-role="step1">
      <label class="field">CEDI de origen <select name="cedi">${st.cedis.map((c) => html`<option value="${c.id}">${c.nombre} (${c.region})</option>`)}</select></label>
      <fieldset class="field store-picks"><legend>Tiendas de destino</legend>
        <div class="actions"><button type="button" class="btn btn-ghost" data-role="all">Seleccionar todas</button><button type="button" class="btn btn-ghost" data-role="none">Deseleccionar todas</button></div>
        <div data-role="stores" class="check-group">${skeletonBlock({ rows: 2 })}</div>
      </fieldset>
      <div data-role="receiving"></div>
      <div class="card pad muted" data-role="summary"></div>
      <div data-role="recent"></div>
      <div class="actions"><button class="btn btn-primary" type="submit" data-role="next">Calcular pedidos →</button></div>
    </form>`);
  const form = container.querySelector('[data-role=step1]');
  const storesEl = container.querySelector('[data-role=stores]');
  const summaryEl = container.querySelector('[data-role=summary]');
  form.cedi.value = st.cedi;
  const summary = () => {
    const names = st.stores.filter((s) => st.chosen.has(s.id)).map((s) => s.nombre);
    setHtml(summaryEl, names.length
      ? html`<strong>${names.length}</strong> destino(s): ${names.join(', ')}.${names.length > 1 ? html` <br>Si el CEDI no alcanza para todas, el paso siguiente muestra los productos en conflicto y su reparto DPD+U.` : ''}`
      : html`Seleccione al menos una tienda.`);
    form.querySelector('[data-role=next]').disabled = !st.cedi || names.length === 0;
  };
  // §3.12: inter-CEDI orders from this CEDI in the last 24 hours share its stock.
  const note = () => {
    if (!ctx.can('pedidos.intercedi') || !ctx.featureOn('pedidos_inter_cedi')) return;
    import('./pedido-inter-cedi.js').then((m) => m.recentNote(container.querySelector('[data-role=recent]'), st.cedi, ctx));
  };
  // §2.3: the receiving CEDIs this CEDI supplies along a route may join the batch.
  const receivingEl = container.querySelector('[data-role=receiving]');
  const receiving = async () => {
    setHtml(receivingEl, '');
    if (!ctx.can('pedidos.intercedi') || !ctx.featureOn('pedidos_inter_cedi')) return;
    try {
      const routes = (await apiGet('/api/pedidos-inter-cedi/config/rutas', { signal: ctx.signal })).filter((r) => r.cedi_origen_id === st.cedi);
      st.receiving = routes.map((r) => r.cedi_destino_nombre);
      if (!routes.length) { st.incluirCedis = false; return; }
      setHtml(receivingEl, html`<label class="check"><input type="checkbox" name="incluir_cedis" ${st.incluirCedis ? html`checked` : ''}> Incluir ${st.receiving.join(' y ')} como destino <span class="muted">(CEDI receptor: su necesidad la calcula el pedido Inter-CEDI y comparte el stock con las tiendas)</span></label>`);
      receivingEl.querySelector('input').addEventListener('change', (ev) => { st.incluirCedis = ev.target.checked; });
    } catch (e) {
      if (!isAbort(e)) setHtml(receivingEl, '');
    }
  };
  const loadStores = async () => {
    note();
    receiving();
    setHtml(storesEl, skeletonBlock({ rows: 2 }));
    try {
      st.stores = (await apiGet(`/api/ubicaciones/tiendas-por-cedi/${encodeURIComponent(st.cedi)}`, { signal: ctx.signal })).tiendas;
    } catch (e) {
      if (!isAbort(e)) showError(storesEl, e, loadStores);
      return;
    }
    st.chosen = new Set(st.stores.map((s) => s.id));
    setHtml(storesEl, st.stores.length
      ? html`${st.stores.map((s) => html`<label class="check"><input type="checkbox" name="tienda" value="${s.id}" checked> ${s.nombre} <span class="muted">${s.ciudad || s.region}</span></label>`)}`
      : emptyState('Este CEDI no abastece tiendas visibles para usted', 'Elija otro CEDI.'));
    summary();
  };
  form.cedi.addEventListener('change', () => { st.cedi = form.cedi.value; ctx.setQuery({ cedi: st.cedi }); loadStores(); });
  storesEl.addEventListener('change', (ev) => {
    if (ev.target.name !== 'tienda') return;
    if (ev.target.checked) st.chosen.add(ev.target.value); else st.chosen.delete(ev.target.value);
    summary();
  });
  const setAll = (on) => {
    for (const box of storesEl.querySelectorAll('input[name=tienda]')) box.checked = on;
    st.chosen = new Set(on ? st.stores.map((s) => s.id) : []);
    summary();
  };
  form.querySelector('[data-role=all]').addEventListener('click', () => setAll(true));
  form.querySelector('[data-role=none]').addEventListener('click', () => setAll(false));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); if (st.chosen.size) calculate(container, ctx, st); });
  await loadStores();
}

async function calculate(container, ctx, st) {
  const destinos = st.stores.filter((s) => st.chosen.has(s.id));
  setHtml(container, html`${head('Pedido multi-tienda')}${stepper(st, 1)}<div class="route-spinner" role="status"><span class="spinner"></span>Calculando pedidos… (${destinos.length} tiendas)</div>`);
  let calc;
  try {
    calc = await apiPost('/api/pedidos-multitienda/calcular', {
      cedi_origen: st.cedi, tiendas_destino: destinos.map((s) => ({ tienda_id: s.id, tienda_nombre: s.nombre })), dias_cobertura: 3, formato: 'tabla',
      incluir_cedi_caracas: Boolean(st.incluirCedis),
    }, { signal: ctx.signal });
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => calculate(container, ctx, st), 'No se pudieron calcular los pedidos');
    return;
  }
  // Rows come as arrays under `columnas`: one object per line, per store.
  for (const p of calc.pedidos_por_tienda) {
    const cols = p.columnas;
    p.lines = p.filas.map((r) => { const o = {}; for (let i = 0; i < cols.length; i++) o[cols[i]] = r[i]; return o; });
    p.byCode = new Map(p.lines.map((l) => [l.codigo_producto, l]));
    p.pedir = new Map(p.lines.map((l) => [l.codigo_producto, l.cantidad_bultos]));
    p.selected = new Set(p.lines.filter((l) => l.es_sugerido).map((l) => l.codigo_producto));
    p.notas = new Map();
    p.f = { q: '', abc: '', categoria: '', cuadrante: '', cedi: '', prioridad: '', dias: '', vista: 'seleccionados', ajustados: false };
    p.sort = { key: 'criticidad', dir: 1 };
    p.page = 1;
    p.enabled = true;
  }
  // Each conflict's shares come as [store position, packs, weight, urgency]; the store's own
  // figures for the product are on its line.
  for (const c of calc.conflictos) {
    c.distribucion_dpdu = c.reparto.map(([i, asignado, peso, urgencia]) => {
      const p = calc.pedidos_por_tienda[i];
      const l = p.byCode.get(c.codigo_producto) || {};
      return {
        tienda_id: p.tienda_id, clasificacion_abc: l.clasificacion_abc, demanda_p75: l.prom_p75_unid || 0, stock_actual: l.stock_tienda || 0,
        dias_stock: l.dias_stock ?? 999, cantidad_sugerida_bultos: l.cantidad_sugerida_bultos || 0, cantidad_asignada_bultos: asignado, peso_final: peso, urgencia,
      };
    });
  }
  st.calc = calc;
  st.final = new Map(); // code → Map(store → packs), the step-2 edits
  st.unticked = new Set();
  st.conflictStep = calc.resumen.total_conflictos > 0 && calc.pedidos_por_tienda.length > 1;
  if (st.conflictStep) step2(container, ctx, st); else step3(container, ctx, st);
}

// Every candidate line of one store (`todos: true`, that store alone: a line the batch did not
// list is neither suggested nor shared by DPD+U, so its figures do not depend on the other
// stores), added after the lines already there, unselected at 0 packs.
async function loadAllCandidates(st, p) {
  const calc = st.calc;
  const out = await apiPost('/api/pedidos-multitienda/calcular', {
    cedi_origen: calc.cedi_origen, tiendas_destino: [{ tienda_id: p.tienda_id }], fecha: calc.fecha, dias_cobertura: 3, formato: 'tabla', todos: true,
  });
  const one = out.pedidos_por_tienda[0];
  for (const r of one.filas) {
    const o = {};
    for (let i = 0; i < one.columnas.length; i++) o[one.columnas[i]] = r[i];
    if (p.byCode.has(o.codigo_producto)) continue;
    p.lines.push(o);
    p.byCode.set(o.codigo_producto, o);
    p.pedir.set(o.codigo_producto, 0);
  }
  p.todos = true;
}

// ---------- step 2: conflicts ----------

function finalOf(st, c, share) {
  const edits = st.final.get(c.codigo_producto);
  return edits && edits.has(share.tienda_id) ? edits.get(share.tienda_id) : share.cantidad_asignada_bultos;
}

function excess(st, c) {
  const total = c.distribucion_dpdu.reduce((s, sh) => s + finalOf(st, c, sh), 0);
  return Math.max(0, total - c.stock_cedi_bultos);
}

function step2(container, ctx, st) {
  const calc = st.calc;
  const stores = calc.pedidos_por_tienda;
  const f = { q: '', categoria: '', abc: '', cedi: '', sort: 'abc', dir: 1, page: 1 };
  const cats = new Map();
  for (const c of calc.conflictos) cats.set(c.categoria || 'Sin categoría', (cats.get(c.categoria || 'Sin categoría') || 0) + 1);
  const abcCount = (x) => calc.conflictos.filter((c) => (c.clasificacion_abc || 'D') === x).length;
  const w = calc.config_dpdu;
  setHtml(container, html`${head('Pedido multi-tienda')}${stepper(st, 2)}
    <div class="card pad"><h2>Resolver conflictos de stock</h2>
      <p class="muted">${formatInteger(calc.conflictos.length)} productos: el CEDI tiene menos de lo que necesitan las tiendas. Reparto DPD+U: Demanda ${formatNumber(w.peso_demanda * 100, 0)}% + Urgencia ${formatNumber(w.peso_urgencia * 100, 0)}% (urgencia máxima con ≤ ${formatNumber(w.dias_minimo_urgencia, 1)} días de stock). Edite «Final» para repartir a mano; la suma no puede superar los bultos del CEDI.</p></div>
    <form class="card filter-bar filters" data-role="filters" autocomplete="off">
      <label>Buscar <input type="search" name="q" placeholder="Código o nombre"></label>
      <label>Categoría <select name="categoria"><option value="">Todas</option>${[...cats].sort((a, b) => a[0].localeCompare(b[0], 'es')).map(([k, n]) => html`<option value="${k}">${k} (${n})</option>`)}</select></label>
      <label>ABC <select name="abc"><option value="">Todas</option>${['A', 'B', 'C', 'D'].map((x) => html`<option value="${x}">${x} (${abcCount(x)})</option>`)}</select></label>
      <label>Stock CEDI <select name="cedi"><option value="">Todos</option><option value="con">Con stock (≥ 1 bulto)</option><option value="sin">Sin bultos</option></select></label>
      <label>Ordenar <select name="sort"><option value="abc">ABC</option><option value="cedi">Stock CEDI</option><option value="necesidad">Necesidad total</option><option value="nombre">Nombre</option></select></label>
      <button type="button" class="btn btn-ghost" data-role="dir" title="Invertir el orden">⇅</button>
    </form>
    <div class="wizard-bar"><span data-role="status"></span><span class="actions"><button type="button" class="btn" data-role="back">← Origen y destinos</button><button type="button" class="btn btn-primary" data-role="next">Continuar →</button></span></div>
    <div class="card table-card grid-wrap" data-role="grid"></div>
    <nav class="pager" data-role="pager" aria-label="Páginas"></nav>`);
  const gridEl = container.querySelector('[data-role=grid]');
  const pagerEl = container.querySelector('[data-role=pager]');
  const byCode = new Map(calc.conflictos.map((c) => [c.codigo_producto, c]));
  const statusEl = container.querySelector('[data-role=status]');
  const nextBtn = container.querySelector('[data-role=next]');
  const form = container.querySelector('[data-role=filters]');
  const key = {
    abc: (c) => (c.clasificacion_abc || 'D'),
    cedi: (c) => c.stock_cedi_disponible,
    necesidad: (c) => c.necesidad_total_tiendas / c.unidades_por_bulto,
    nombre: (c) => c.descripcion_producto,
  };
  const status = () => {
    const over = calc.conflictos.filter((c) => excess(st, c) > 0).length;
    setHtml(statusEl, over ? html`<span class="badge badge-critico" data-role="over">${over} producto(s) exceden el stock del CEDI</span>` : html`<span class="muted">Repartos dentro del stock del CEDI</span>`);
    nextBtn.disabled = over > 0;
  };
  const draw = () => {
    const q = f.q.trim().toLowerCase();
    const rows = calc.conflictos.filter((c) => (!q || c.codigo_producto.toLowerCase().includes(q) || c.descripcion_producto.toLowerCase().includes(q))
      && (!f.categoria || (c.categoria || 'Sin categoría') === f.categoria)
      && (!f.abc || (c.clasificacion_abc || 'D') === f.abc)
      && (!f.cedi || (f.cedi === 'con' ? c.stock_cedi_bultos >= 1 : c.stock_cedi_bultos < 1)));
    const k = key[f.sort];
    rows.sort((a, b) => { const va = k(a); const vb = k(b); return f.dir * (typeof va === 'string' ? va.localeCompare(vb, 'es') : va - vb) || a.codigo_producto.localeCompare(b.codigo_producto); });
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    f.page = Math.min(f.page, pages);
    setHtml(pagerEl, html`<button type="button" class="btn" data-page="-1" ${f.page <= 1 ? html`disabled` : ''}>Anterior</button><span>Página ${f.page} de ${pages} · ${formatInteger(rows.length)} productos</span><button type="button" class="btn" data-page="1" ${f.page >= pages ? html`disabled` : ''}>Siguiente</button>`);
    if (!rows.length) { setHtml(gridEl, emptyState('Ningún conflicto con estos filtros', 'Pruebe con otros filtros.')); status(); return; }
    const first = (f.page - 1) * PAGE;
    setHtml(gridEl, html`<table class="data-table wizard-grid conflict-grid">
      <thead><tr><th rowspan="2"></th><th rowspan="2">#</th><th rowspan="2">Producto</th><th rowspan="2" class="num">CEDI (bultos)</th><th rowspan="2" class="num">Necesidad</th>
        ${stores.map((s) => html`<th colspan="6" class="group">${s.tienda_nombre}</th>`)}</tr>
        <tr>${stores.map(() => html`<th>ABC</th><th class="num">P75</th><th class="num">Stock</th><th class="num">Días</th><th class="num">Sug</th><th class="num">DPD+U · Final</th>`)}</tr></thead>
      <tbody>${rows.slice(first, first + PAGE).map((c, k) => {
        const i = first + k;
        const over = excess(st, c);
        const byStore = new Map(c.distribucion_dpdu.map((sh) => [sh.tienda_id, sh]));
        return html`<tr data-code="${c.codigo_producto}" class="${over ? 'row-error' : ''}">
          <td><input type="checkbox" data-role="tick" ${st.unticked.has(c.codigo_producto) ? '' : html`checked`} aria-label="${`Incluir ${c.codigo_producto}`}"></td>
          <td class="num muted">${i + 1}</td>
          <td class="desc"><strong>${c.descripcion_producto}</strong><br><span class="muted">${c.codigo_producto} · ${formatNumber(c.unidades_por_bulto, 0)} u/b · ${c.categoria || ''}</span><span data-role="exceso">${over ? html`<br><span class="badge badge-critico">Excede por ${over}</span>` : ''}</span></td>
          <td class="num" title="${`${formatNumber(c.stock_cedi_disponible, 0)} unidades`}">${formatNumber(c.stock_cedi_disponible / c.unidades_por_bulto, 1)}</td>
          <td class="num">${formatNumber(c.necesidad_total_tiendas / c.unidades_por_bulto, 0)}</td>
          ${stores.map((s) => {
            const sh = byStore.get(s.tienda_id);
            if (!sh) return html`<td colspan="6" class="muted center">—</td>`;
            const a = sh.cantidad_asignada_bultos;
            return html`<td>${sh.clasificacion_abc || 'D'}</td><td class="num">${formatNumber(packsOf(sh.demanda_p75, c.unidades_por_bulto), 1)}</td>
              <td class="num">${formatNumber(packsOf(sh.stock_actual, c.unidades_por_bulto), 1)}</td>
              <td class="num"><span class="badge ${dayClass(sh.dias_stock)}">${fmtDays(sh.dias_stock)}</span></td>
              <td class="num">${formatInteger(sh.cantidad_sugerida_bultos)}</td>
              <td class="num"><span class="muted" title="${`Peso ${formatNumber(sh.peso_final, 2)}% · urgencia ${formatNumber(sh.urgencia, 2)}`}">${a}</span> <input class="qty" type="number" min="0" step="1" value="${finalOf(st, c, sh)}" data-store="${s.tienda_id}" aria-label="${`Bultos finales de ${c.codigo_producto} para ${s.tienda_nombre}`}"></td>`;
          })}
        </tr>`;
      })}</tbody></table>`);
    status();
  };
  form.addEventListener('input', (ev) => { if (ev.target.name === 'q') { f.q = ev.target.value; f.page = 1; draw(); } });
  form.addEventListener('change', (ev) => { if (ev.target.name && ev.target.name !== 'q') { f[ev.target.name] = ev.target.value; f.page = 1; draw(); } });
  pagerEl.addEventListener('click', (ev) => { const b = ev.target.closest('[data-page]'); if (b) { f.page += Number(b.dataset.page); draw(); } });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  container.querySelector('[data-role=dir]').addEventListener('click', () => { f.dir = -f.dir; draw(); });
  gridEl.addEventListener('change', (ev) => {
    const t = ev.target;
    const tr = t.closest('tr[data-code]');
    if (!tr) return;
    const code = tr.dataset.code;
    if (t.dataset.role === 'tick') {
      if (t.checked) st.unticked.delete(code); else st.unticked.add(code);
      return;
    }
    if (!t.dataset.store) return;
    const v = Math.max(0, Math.floor(Number(t.value) || 0));
    t.value = v;
    if (!st.final.has(code)) st.final.set(code, new Map());
    st.final.get(code).set(t.dataset.store, v);
    // Only this row changes: the grid is not redrawn, so focus stays where the buyer is.
    const over = excess(st, byCode.get(code));
    tr.classList.toggle('row-error', over > 0);
    setHtml(tr.querySelector('[data-role=exceso]'), over ? html`<br><span class="badge badge-critico">Excede por ${over}</span>` : '');
    status();
  });
  gridEl.addEventListener('keydown', (ev) => moveBetweenInputs(gridEl, ev, 'input[data-store]'));
  container.querySelector('[data-role=back]').addEventListener('click', () => step1(container, ctx, st));
  nextBtn.addEventListener('click', () => {
    // The final packs become each store's line quantity; an unticked product is unselected
    // in every store (D-9).
    for (const c of calc.conflictos) {
      for (const sh of c.distribucion_dpdu) {
        const p = calc.pedidos_por_tienda.find((x) => x.tienda_id === sh.tienda_id);
        const v = finalOf(st, c, sh);
        p.pedir.set(c.codigo_producto, v);
        if (st.unticked.has(c.codigo_producto) || v === 0) p.selected.delete(c.codigo_producto); else p.selected.add(c.codigo_producto);
      }
    }
    step3(container, ctx, st);
  });
  draw();
}

// ---------- step 3: review per destination ----------

function matches(p, l) {
  const f = p.f;
  const c = l.codigo_producto;
  if (f.q) {
    const t = f.q.trim().toLowerCase();
    if (!c.toLowerCase().includes(t) && !String(l.descripcion_producto).toLowerCase().includes(t)) return false;
  }
  if (f.abc && (l.clasificacion_abc || 'D') !== f.abc) return false;
  if (f.categoria && (l.categoria || '') !== f.categoria) return false;
  if (f.cuadrante && (l.cuadrante || '') !== f.cuadrante) return false;
  if (f.cedi === 'con' && !(l.stock_cedi_origen > 0)) return false;
  if (f.cedi === 'sin' && l.stock_cedi_origen > 0) return false;
  if (f.prioridad && level(l) !== f.prioridad) return false;
  if (f.dias) {
    const b = DAY_BUCKETS.find((d) => d[0] === f.dias);
    if (l.dias_stock < b[1] || l.dias_stock > b[2] || (b[1] > 0 && l.dias_stock === b[1])) return false;
  }
  if (f.vista === 'seleccionados' && !p.selected.has(c)) return false;
  if (f.vista === 'no_seleccionados' && p.selected.has(c)) return false;
  if (f.ajustados && !(p.pedir.get(c) !== l.cantidad_sugerida_bultos && l.es_conflicto)) return false;
  return true;
}

function storeTotals(p) {
  let n = 0; let bultos = 0; let unidades = 0; let kg = 0;
  for (const c of p.selected) {
    const l = p.byCode.get(c);
    const q = p.pedir.get(c) || 0;
    if (!l || q <= 0) continue;
    n += 1; bultos += q; unidades += q * l.unidades_por_bulto; kg += q * l.unidades_por_bulto * l.peso_unidad_kg;
  }
  // Conflicted lines whose packs differ from the engine's, including those cut to 0.
  let ajustados = 0;
  for (const l of p.lines) {
    const q = p.selected.has(l.codigo_producto) ? (p.pedir.get(l.codigo_producto) || 0) : 0;
    if (l.es_conflicto && q !== l.cantidad_sugerida_bultos) ajustados += 1;
  }
  return { n, bultos, unidades, kg, ajustados };
}

// Packs of each product over every store, against the CEDI's whole packs (non-blocking).
function overCedi(st) {
  const sum = new Map();
  const held = new Map();
  for (const p of st.calc.pedidos_por_tienda) {
    if (!p.enabled) continue;
    for (const c of p.selected) {
      const l = p.byCode.get(c);
      const q = p.pedir.get(c) || 0;
      if (!l || q <= 0) continue;
      sum.set(c, (sum.get(c) || 0) + q);
      held.set(c, Math.floor(l.stock_cedi_origen / l.unidades_por_bulto + 1e-9));
    }
  }
  return [...sum].filter(([c, q]) => q > held.get(c)).map(([c]) => c);
}

function step3(container, ctx, st, tab = 'resumen') {
  const calc = st.calc;
  const n = st.conflictStep ? 3 : 2;
  setHtml(container, html`${head('Pedido multi-tienda')}${stepper(st, n)}
    <div class="tabs" role="tablist" data-role="tabs">
      <button type="button" role="tab" class="tab" data-tab="resumen" aria-selected="${tab === 'resumen'}">Resumen</button>
      ${calc.pedidos_por_tienda.map((p) => html`<button type="button" role="tab" class="tab" data-tab="${p.tienda_id}" aria-selected="${tab === p.tienda_id}">${p.tienda_nombre}${p.es_cedi ? html` <span class="badge badge-cedi">CEDI</span>` : ''}</button>`)}
    </div>
    <div data-role="warn"></div>
    <div data-role="pane"></div>
    <div class="wizard-bar"><span></span><span class="actions"><button type="button" class="btn" data-role="back">← Volver</button><button type="button" class="btn btn-primary" data-role="next">Continuar →</button></span></div>`);
  const pane = container.querySelector('[data-role=pane]');
  const warn = () => {
    const over = overCedi(st);
    setHtml(container.querySelector('[data-role=warn]'), over.length
      ? html`<p class="banner banner-warning notice-inline" role="status">${over.length} producto(s) suman más bultos que los que tiene el CEDI (${over.slice(0, 5).join(', ')}${over.length > 5 ? '…' : ''}). Puede continuar, pero revise las cantidades.</p>` : '');
  };
  const show = (t) => {
    for (const b of container.querySelectorAll('[data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === t));
    if (t === 'resumen') summaryPane(pane, st, (id) => show(id)); else storePane(pane, st, calc.pedidos_por_tienda.find((p) => p.tienda_id === t), warn);
    warn();
  };
  container.querySelector('[data-role=tabs]').addEventListener('click', (ev) => { const b = ev.target.closest('[data-tab]'); if (b) show(b.dataset.tab); });
  container.querySelector('[data-role=back]').addEventListener('click', () => (st.conflictStep ? step2(container, ctx, st) : step1(container, ctx, st)));
  container.querySelector('[data-role=next]').addEventListener('click', () => step4(container, ctx, st));
  show(tab);
}

function summaryPane(pane, st, open) {
  const calc = st.calc;
  const rows = calc.pedidos_por_tienda.map((p) => ({ p, t: storeTotals(p) }));
  const codes = new Set();
  for (const { p } of rows) for (const c of p.selected) if ((p.pedir.get(c) || 0) > 0) codes.add(c);
  const sum = (k) => rows.reduce((s, r) => s + r.t[k], 0);
  setHtml(pane, html`<div class="kpis kpis-5">
      <div class="kpi"><span class="kpi-label">Productos únicos</span><strong class="kpi-value">${formatInteger(codes.size)}</strong></div>
      <div class="kpi"><span class="kpi-label">Bultos</span><strong class="kpi-value">${formatInteger(sum('bultos'))}</strong></div>
      <div class="kpi"><span class="kpi-label">Unidades</span><strong class="kpi-value">${formatInteger(sum('unidades'))}</strong></div>
      <div class="kpi"><span class="kpi-label">Peso</span><strong class="kpi-value">${formatNumber(sum('kg') / 1000, 2)} t</strong></div>
      <div class="kpi"><span class="kpi-label">Ajustados DPD+U</span><strong class="kpi-value">${formatInteger(sum('ajustados'))}</strong></div>
    </div>
    <div class="card table-card"><table class="data-table" data-role="summary"><thead><tr><th>Destino</th><th class="num">Productos</th><th class="num">Bultos</th><th class="num">Unidades</th><th class="num">Peso (t)</th><th class="num">Ajustados DPD+U</th></tr></thead>
      <tbody>${rows.map(({ p, t }) => html`<tr class="clickable" data-open="${p.tienda_id}" tabindex="0"><td>${p.tienda_nombre}</td><td class="num">${formatInteger(t.n)}</td><td class="num">${formatInteger(t.bultos)}</td><td class="num">${formatInteger(t.unidades)}</td><td class="num">${formatNumber(t.kg / 1000, 2)}</td><td class="num">${formatInteger(t.ajustados)}</td></tr>`)}</tbody></table></div>`);
  pane.querySelector('[data-role=summary]').addEventListener('click', (ev) => { const tr = ev.target.closest('[data-open]'); if (tr) open(tr.dataset.open); });
  pane.querySelector('[data-role=summary]').addEventListener('keydown', (ev) => { const tr = ev.target.closest('[data-open]'); if (tr && ev.key === 'Enter') open(tr.dataset.open); });
}

const SORTS = {
  criticidad: levelKey,
  codigo_producto: (l) => l.codigo_producto,
  descripcion_producto: (l) => l.descripcion_producto,
  p75: (l) => l.prom_p75_unid / l.unidades_por_bulto,
  dias_stock: (l) => l.dias_stock,
  stock_cedi_origen: (l) => l.stock_cedi_origen,
  cantidad_sugerida_bultos: (l) => l.cantidad_sugerida_bultos,
};

function storePane(pane, st, p, onChange) {
  const sel = (name, options) => html`<select name="${name}">${options.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select>`;
  const uniq = (k) => [...new Set(p.lines.map((l) => l[k]).filter(Boolean))].sort((a, b) => a.localeCompare(b, 'es'));
  setHtml(pane, html`<form class="card filter-bar filters wizard-filters" data-role="filters" autocomplete="off">
      <label>Buscar <input type="search" name="q" placeholder="Código o nombre"></label>
      <label>ABC ${sel('abc', [['', 'Todas'], ...['A', 'B', 'C', 'D'].map((c) => [c, c])])}</label>
      <label>Categoría ${sel('categoria', [['', 'Todas'], ...uniq('categoria').map((c) => [c, c])])}</label>
      <label>Cuadrante ${sel('cuadrante', [['', 'Todos'], ...uniq('cuadrante').map((c) => [c, c])])}</label>
      <label>CEDI ${sel('cedi', [['', 'Todos'], ['con', 'Con stock'], ['sin', 'Sin stock']])}</label>
      <label>Prioridad ${sel('prioridad', [['', 'Todas'], ...Object.entries(LEVEL_LABEL)])}</label>
      <label>Días stock ${sel('dias', [['', 'Todos'], ...DAY_BUCKETS.map(([k]) => [k, k])])}</label>
      <label>Vista ${sel('vista', [['seleccionados', 'Seleccionados'], ['no_seleccionados', 'No seleccionados'], ['todos', 'Todos']])}</label>
      <label class="check"><input type="checkbox" name="ajustados"> Solo ajustados DPD+U</label>
    </form>
    <p class="muted" data-role="totals"></p>
    <div class="card table-card grid-wrap" data-role="grid"></div>
    <nav class="pager" data-role="pager" aria-label="Páginas"></nav>`);
  const form = pane.querySelector('[data-role=filters]');
  for (const [k, v] of Object.entries(p.f)) if (form[k]) { if (form[k].type === 'checkbox') form[k].checked = v; else form[k].value = v; }
  const gridEl = pane.querySelector('[data-role=grid]');
  const pagerEl = pane.querySelector('[data-role=pager]');
  const totalsEl = pane.querySelector('[data-role=totals]');
  const showTotals = () => {
    const t = storeTotals(p);
    setHtml(totalsEl, html`<strong>${formatInteger(t.n)}</strong> productos · <strong>${formatInteger(t.bultos)}</strong> bultos · <strong>${formatNumber(t.kg / 1000, 2)}</strong> t · ${formatInteger(t.ajustados)} ajustados por DPD+U`);
  };
  const draw = () => {
    const key = SORTS[p.sort.key] || SORTS.criticidad;
    const rows = p.lines.filter((l) => matches(p, l));
    rows.sort((a, b) => { const va = key(a); const vb = key(b); return p.sort.dir * (typeof va === 'string' ? va.localeCompare(vb, 'es', { numeric: true }) : va - vb) || a.codigo_producto.localeCompare(b.codigo_producto); });
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    p.page = Math.min(p.page, pages);
    const th = (k, label, cls = '') => html`<th class="${cls} sortable" data-sort="${k}" aria-sort="${p.sort.key === k ? (p.sort.dir > 0 ? 'ascending' : 'descending') : 'none'}">${label}${p.sort.key === k ? (p.sort.dir > 0 ? ' ▲' : ' ▼') : ''}</th>`;
    if (!rows.length) {
      setHtml(gridEl, emptyState('Ningún producto con estos filtros', p.f.vista === 'seleccionados' ? 'No hay productos seleccionados que cumplan los filtros. Cambie la vista a «Todos».' : 'Pruebe con otros filtros.'));
    } else {
      setHtml(gridEl, html`<table class="data-table wizard-grid" data-role="lines"><thead><tr><th></th>${th('codigo_producto', 'Código')}${th('descripcion_producto', 'Descripción')}<th class="num">U/B</th><th>Cuadrante</th>
        ${th('p75', 'P75', 'num')}<th class="num">Stk</th><th class="num">Trán</th><th class="num">Tot</th>${th('dias_stock', 'Días', 'num')}${th('stock_cedi_origen', 'CEDI', 'num')}<th>ABC</th>${th('criticidad', 'Crit.')}
        <th class="num">SS</th><th class="num">ROP</th><th class="num">Máx</th>${th('cantidad_sugerida_bultos', 'Sug', 'num')}<th class="num">Pedir</th><th class="num">Peso kg</th><th>Notas</th></tr></thead>
        <tbody>${rows.slice((p.page - 1) * PAGE, p.page * PAGE).map((l) => {
          const c = l.codigo_producto; const u = l.unidades_por_bulto; const q = p.pedir.get(c) || 0; const lv = level(l);
          const adjusted = l.es_conflicto && q !== l.cantidad_sugerida_bultos;
          return html`<tr data-code="${c}" class="${p.selected.has(c) ? 'is-selected' : ''}">
            <td><input type="checkbox" data-role="sel" ${p.selected.has(c) ? html`checked` : ''} aria-label="${`Incluir ${c}`}"></td>
            <td class="code">${c}</td><td class="desc" title="${l.descripcion_producto}">${l.descripcion_producto}${adjusted ? html` <span class="badge badge-cedi" title="${`Sugerido ${l.cantidad_sugerida_bultos}, asignado ${q}`}">DPD+U</span>` : ''}</td>
            <td class="num">${l.bulto_sin_definir ? html`<span class="badge badge-bajo" title="El POS no informa unidades por bulto">${formatNumber(u, 0)}?</span>` : formatNumber(u, 0)}</td><td>${l.cuadrante || ''}</td>
            <td class="num">${formatNumber(packsOf(l.prom_p75_unid, u), 1)}</td><td class="num">${formatNumber(packsOf(l.stock_tienda, u), 1)}</td><td class="num">${l.transito_bultos ? formatNumber(l.transito_bultos, 1) : ''}</td>
            <td class="num">${formatNumber(packsOf(l.stock_total, u), 1)}</td><td class="num">${fmtDays(l.dias_stock)}</td><td class="num">${formatNumber(packsOf(l.stock_cedi_origen, u), 1)}</td>
            <td>${l.clasificacion_abc || 'D'}</td><td>${lv ? html`<span class="badge badge-${LEVEL_BADGE[lv]}">${LEVEL_LABEL[lv]}</span>` : '—'}</td>
            <td class="num">${formatNumber(packsOf(l.stock_seguridad, u), 1)}</td><td class="num">${formatNumber(packsOf(l.punto_reorden, u), 1)}</td><td class="num">${formatNumber(packsOf(l.stock_maximo, u), 1)}</td>
            <td class="num"><strong>${formatInteger(l.cantidad_sugerida_bultos)}</strong></td>
            <td class="num"><input class="qty" type="number" min="0" step="1" value="${q}" data-role="qty" aria-label="${`Bultos a pedir de ${c}`}"></td>
            <td class="num" data-role="kg">${formatNumber(q * u * l.peso_unidad_kg, 1)}</td>
            <td><input class="note" type="text" data-role="note" value="${p.notas.get(c) || ''}" placeholder="${adjusted ? 'Ajustado DPD+U' : ''}" aria-label="${`Nota de ${c}`}"></td></tr>`;
        })}</tbody></table>`);
    }
    setHtml(pagerEl, html`<button type="button" class="btn" data-page="-1" ${p.page <= 1 ? html`disabled` : ''}>Anterior</button><span>Página ${p.page} de ${pages} · ${formatInteger(rows.length)} productos</span><button type="button" class="btn" data-page="1" ${p.page >= pages ? html`disabled` : ''}>Siguiente</button>`);
    showTotals();
  };
  form.addEventListener('input', (ev) => { if (ev.target.name === 'q') { p.f.q = ev.target.value; p.page = 1; draw(); } });
  form.addEventListener('change', async (ev) => {
    const t = ev.target;
    if (!t.name || t.name === 'q') return;
    p.f[t.name] = t.type === 'checkbox' ? t.checked : t.value;
    p.page = 1;
    if (t.name === 'vista' && t.value !== 'seleccionados' && !p.todos && !p.es_cedi) {
      // The batch answer holds only suggested and conflicted lines; every other candidate of
      // this store is asked for once, the first time the buyer looks beyond the selection.
      setHtml(gridEl, html`<div class="route-spinner" role="status"><span class="spinner"></span>Cargando todos los productos de ${p.tienda_nombre}…</div>`);
      try {
        await loadAllCandidates(st, p);
      } catch (e) {
        if (!isAbort(e)) showError(gridEl, e, () => form.dispatchEvent(new Event('change')), 'No se pudieron cargar todos los productos');
        return;
      }
    }
    draw();
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  pagerEl.addEventListener('click', (ev) => { const b = ev.target.closest('[data-page]'); if (b) { p.page += Number(b.dataset.page); draw(); } });
  gridEl.addEventListener('click', (ev) => {
    const s = ev.target.closest('[data-sort]');
    if (!s) return;
    p.sort = p.sort.key === s.dataset.sort ? { key: s.dataset.sort, dir: -p.sort.dir } : { key: s.dataset.sort, dir: 1 };
    draw();
  });
  gridEl.addEventListener('keydown', (ev) => moveBetweenInputs(gridEl, ev, '[data-role=qty]'));
  gridEl.addEventListener('change', (ev) => {
    const t = ev.target;
    const tr = t.closest('tr[data-code]');
    if (!tr) return;
    const c = tr.dataset.code;
    if (t.dataset.role === 'sel') {
      if (t.checked) { p.selected.add(c); if (!(p.pedir.get(c) > 0)) p.pedir.set(c, 1); } else p.selected.delete(c);
      draw(); onChange();
    } else if (t.dataset.role === 'qty') {
      const v = Math.max(0, Math.floor(Number(t.value) || 0));
      t.value = v;
      p.pedir.set(c, v);
      if (v > 0) p.selected.add(c); else p.selected.delete(c);
      // Row, totals and warning update in place (no redraw: focus stays in the grid).
      const l = p.byCode.get(c);
      tr.classList.toggle('is-selected', v > 0);
      tr.querySelector('[data-role=sel]').checked = v > 0;
      tr.querySelector('[data-role=kg]').textContent = formatNumber(v * l.unidades_por_bulto * l.peso_unidad_kg, 1);
      showTotals(); onChange();
    } else if (t.dataset.role === 'note') {
      p.notas.set(c, t.value);
    }
  });
  draw();
}

// ---------- step 4: confirmation and save ----------

function step4(container, ctx, st) {
  const calc = st.calc;
  const n = st.conflictStep ? 4 : 3;
  const draw = () => {
    const on = calc.pedidos_por_tienda.filter((p) => p.enabled);
    const t = on.map(storeTotals);
    const codes = new Set();
    for (const p of on) for (const c of p.selected) if ((p.pedir.get(c) || 0) > 0) codes.add(c);
    setHtml(container.querySelector('[data-role=totals]'), html`<strong>${on.length}</strong> pedidos · <strong>${formatInteger(codes.size)}</strong> productos · <strong>${formatInteger(t.reduce((s, x) => s + x.bultos, 0))}</strong> bultos · <strong>${formatNumber(t.reduce((s, x) => s + x.kg, 0) / 1000, 2)}</strong> t`);
  };
  setHtml(container, html`${head('Pedido multi-tienda')}${stepper(st, n)}
    <div class="card-grid" data-role="cards">${calc.pedidos_por_tienda.map((p) => {
      const t = storeTotals(p);
      return html`<div class="card pad"><label class="check"><input type="checkbox" data-store="${p.tienda_id}" ${p.enabled ? html`checked` : ''}> <strong>${p.tienda_nombre}</strong>${p.es_cedi ? html` <span class="badge badge-cedi">Inter-CEDI</span>` : ''}</label>
        <p class="muted">${formatInteger(t.n)} productos · ${formatInteger(t.bultos)} bultos · ${formatNumber(t.kg / 1000, 2)} t</p>
        ${p.es_cedi ? '' : html`<button type="button" class="btn btn-ghost" data-excel="${p.tienda_id}">Excel de este pedido</button>`}</div>`;
    })}</div>
    <div class="card pad"><p data-role="totals"></p>
      <label class="field">Observaciones (se guardan en cada pedido del grupo)<textarea name="observaciones" rows="3" data-role="obs"></textarea></label>
      <p class="muted">Se crearán pedidos independientes en estado <strong>borrador</strong>, uno por tienda, numerados juntos y unidos por un grupo. Después siguen el flujo normal de aprobación.${calc.pedidos_por_tienda.some((p) => p.es_cedi) ? ' El CEDI receptor queda como pedido Inter-CEDI en borrador del mismo grupo.' : ''}</p>
      <p data-role="error"></p>
      <div class="actions"><button type="button" class="btn" data-role="back">← Revisar pedidos</button><button type="button" class="btn btn-primary" data-role="save">Guardar pedidos</button></div></div>`);
  draw();
  // §2.11: one destination's order as its Excel, before saving (the server recomputes the
  // store with the same engine and writes its figures beside these packs).
  container.querySelector('[data-role=cards]').addEventListener('click', async (ev) => {
    const b = ev.target.closest('[data-excel]');
    if (!b) return;
    const p = calc.pedidos_por_tienda.find((x) => x.tienda_id === b.dataset.excel);
    const productos = [...p.selected].filter((c) => (p.pedir.get(c) || 0) > 0).map((c) => {
      const l = p.byCode.get(c);
      return { codigo_producto: c, cantidad_pedida_bultos: p.pedir.get(c), observaciones: p.notas.get(c) || null, ajustado_dpdu: Boolean(l && l.es_conflicto && p.pedir.get(c) !== l.cantidad_sugerida_bultos) };
    });
    b.disabled = true;
    try {
      b.dataset.done = await postForDownload('/api/pedidos-sugeridos/exportar-excel',
        { cedi_origen: calc.cedi_origen, tienda_destino: p.tienda_id, fecha: calc.fecha, vista: 'multitienda', productos }, 'Pedido.xlsx');
    } catch (err) {
      setHtml(container.querySelector('[data-role=error]'), html`<span class="field-error" role="alert">${err.message}</span>`);
    } finally {
      b.disabled = false;
    }
  });
  container.querySelector('[data-role=cards]').addEventListener('change', (ev) => {
    const p = calc.pedidos_por_tienda.find((x) => x.tienda_id === ev.target.dataset.store);
    if (p) { p.enabled = ev.target.checked; draw(); }
  });
  container.querySelector('[data-role=back]').addEventListener('click', () => step3(container, ctx, st));
  const saveBtn = container.querySelector('[data-role=save]');
  saveBtn.addEventListener('click', async () => {
    const errEl = container.querySelector('[data-role=error]');
    const pedidos = calc.pedidos_por_tienda.filter((p) => p.enabled).map((p) => ({
      tienda_destino_id: p.tienda_id,
      tienda_destino_nombre: p.tienda_nombre,
      // Every selected line, whatever the filters of step 3 (D-8).
      productos: [...p.selected].filter((c) => (p.pedir.get(c) || 0) > 0).map((c) => ({
        codigo_producto: c, cantidad_pedida_bultos: p.pedir.get(c), incluido: true, observaciones: p.notas.get(c) || null,
      })),
    }));
    if (!pedidos.length) { setHtml(errEl, html`<span class="field-error">Seleccione al menos una tienda.</span>`); return; }
    saveBtn.disabled = true;
    setHtml(errEl, html`<span class="muted">Guardando…</span>`);
    try {
      const saved = await apiPost('/api/pedidos-multitienda/guardar-lote', {
        cedi_origen_id: calc.cedi_origen, cedi_origen_nombre: calc.cedi_origen_nombre, fecha_pedido: calc.fecha, dias_cobertura: 3,
        observaciones_globales: container.querySelector('[data-role=obs]').value || null, pedidos,
      });
      done(container, st, saved);
    } catch (e) {
      saveBtn.disabled = false;
      setHtml(errEl, html`<span class="field-error" role="alert">${e.detail || e.message}</span>`);
    }
  });
}

function done(container, st, saved) {
  setHtml(container, html`${head('Pedido multi-tienda')}
    <div class="card pad" data-role="done"><h2>${saved.mensaje}</h2><p class="muted">Grupo <code>${saved.grupo_pedido_id}</code> · desde ${st.calc.cedi_origen_nombre} · ${formatDate(st.calc.fecha)}</p>
      <table class="data-table"><thead><tr><th>Tienda</th><th>Pedido</th><th class="num">Productos</th><th class="num">Bultos</th><th>Estado</th><th></th></tr></thead>
      <tbody>${saved.pedidos_creados.map((c) => html`<tr><td>${c.tienda_nombre}</td><td><a href="/pedidos-sugeridos/${encodeURIComponent(c.pedido_id)}">${c.numero_pedido}</a></td><td class="num">${formatInteger(c.total_productos)}</td><td class="num">${formatInteger(c.total_bultos)}</td><td><span class="badge badge-borrador">Borrador</span></td>
        <td><a class="btn btn-ghost" data-role="excel" href="/api/pedidos-multitienda/${encodeURIComponent(c.pedido_id)}/exportar-excel" download>Excel</a></td></tr>`)}
      ${(saved.pedidos_inter_cedi_creados || []).map((c) => html`<tr data-role="inter-cedi-created"><td>${c.cedi_destino_nombre} <span class="badge badge-cedi">Inter-CEDI</span></td><td><a href="/pedidos-inter-cedi/${encodeURIComponent(c.pedido_id)}">${c.numero_pedido}</a></td><td class="num">${formatInteger(c.total_productos)}</td><td class="num">${formatInteger(c.total_bultos)}</td><td><span class="badge badge-borrador">Borrador</span></td>
        <td><a class="btn btn-ghost" href="/api/pedidos-inter-cedi/${encodeURIComponent(c.pedido_id)}/exportar" download>Excel</a></td></tr>`)}</tbody></table>
      <div class="actions"><a class="btn btn-primary" href="/pedidos-sugeridos">Ir a la lista de pedidos</a></div></div>`);
}
