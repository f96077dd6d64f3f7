// "Crear Pedido": the 3-step wizard of spec 30 §16 — origin and destination, the product
// grid of the server's calculation (filters, sort, editable packs, the explanation of a
// line as the backend computed it), and the confirmation that saves a draft or sends it.
// Quantities, classes and reasons are the server's; this screen never recomputes them.
import { apiGet, apiPost, isAbort, postForDownload } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatNumber, formatInteger, formatDate } from '../format.js';

const PAGE = 100;
const LEVEL_LABEL = { critico: 'Crítico', urgente: 'Urgente', optimo: 'Óptimo', exceso: 'Exceso' };
const LEVEL_BADGE = { critico: 'critico', urgente: 'bajo', optimo: 'optimo', exceso: 'exceso' };
const DAY_BUCKETS = [['0-1', 0, 1], ['1-2', 1, 2], ['2-4', 2, 4], ['4-5', 4, 5], ['5+', 5, Infinity]];
const METHOD_KIND = { envio_prueba: 'prueba', referencia_regional: 'referencia', estadistico: 'ventas', padre_prudente: 'ventas' };

const packs = (units, upb) => (upb > 0 ? units / upb : units);
const weightKg = (l, p) => (p * l.cantidad_bultos * (l.peso_unidad || 1000)) / 1000;
const stripZeros = (c) => String(c).trim().replace(/^0+(?=.)/, '');

export async function render(container, ctx) {
  const st = {
    step: 1, cedi: '', tienda: '', locations: [], lines: [], fecha: null,
    pedir: new Map(), selected: new Set(), notas: new Map(),
    f: { q: '', categoria: '', abc: '', vista: 'seleccionados', cedi: '', prioridad: '', tipo: '', dias: '' },
    sort: { key: 'criticidad', dir: 1 }, page: 1, observaciones: '',
  };
  setHtml(container, skeletonBlock({ rows: 4 }));
  try {
    st.locations = await apiGet('/api/ubicaciones', { signal: ctx.signal });
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => render(container, ctx));
    return;
  }
  st.cedi = ctx.query.get('cedi') || '';
  st.tienda = ctx.query.get('tienda') || '';
  step1(container, ctx, st);
}

function stepper(n) {
  const steps = ['Origen y destino', 'Productos', 'Confirmación'];
  return html`<ol class="stepper">${steps.map((s, i) => html`<li class="${i + 1 === n ? 'current' : i + 1 < n ? 'done' : ''}"><span>${i + 1}</span>${s}</li>`)}</ol>`;
}

function head(title) {
  return html`<div class="page-head"><div><p class="muted"><a href="/pedidos-sugeridos">← Pedidos sugeridos</a></p><h1>${title}</h1></div></div>`;
}

// Downloads the server-built workbook of the wizard's table (`vista`: pedido | planificacion).
async function exportExcel(st, vista, rows) {
  const body = {
    cedi_origen: st.cedi, tienda_destino: st.tienda, fecha: st.fecha, vista,
    productos: rows.map((l) => ({ codigo_producto: l.codigo_producto, cantidad_pedida_bultos: st.pedir.get(l.codigo_producto) || 0, observaciones: st.notas.get(l.codigo_producto) || null })),
  };
  return postForDownload('/api/pedidos-sugeridos/exportar-excel', body, 'Pedido.xlsx');
}

// ---------- step 1 ----------

function step1(container, ctx, st) {
  const cedis = st.locations.filter((l) => l.tipo === 'cedi');
  const stores = () => st.locations.filter((l) => l.tipo !== 'cedi' && (l.abastecida_por || []).includes(st.cedi));
  setHtml(container, html`${head('Crear pedido sugerido')}${stepper(1)}
    <form class="card pad wizard-step" data-role="step1">
      <label class="field">CEDI de origen <select name="cedi" required><option value="">Elija un CEDI…</option>${cedis.map((c) => html`<option value="${c.id}">${c.nombre}</option>`)}</select></label>
      <label class="field">Tienda de destino <select name="tienda" required><option value="">Elija primero el CEDI</option></select></label>
      <div class="actions"><button class="btn btn-primary" type="submit">Calcular pedido →</button></div>
    </form>`);
  const form = container.querySelector('[data-role=step1]');
  // One choice is no choice: a single CEDI (or a single store it supplies) comes selected.
  if (!st.cedi && cedis.length === 1) st.cedi = cedis[0].id;
  const fillStores = () => {
    const list = stores();
    setHtml(form.tienda, html`<option value="">${st.cedi ? (list.length ? 'Elija una tienda…' : 'Este CEDI no abastece tiendas visibles para usted') : 'Elija primero el CEDI'}</option>${list.map((s) => html`<option value="${s.id}">${s.nombre}</option>`)}`);
    if (!list.some((s) => s.id === st.tienda)) st.tienda = list.length === 1 ? list[0].id : '';
    form.tienda.value = st.tienda;
  };
  form.cedi.value = st.cedi;
  fillStores();
  form.cedi.addEventListener('change', () => { st.cedi = form.cedi.value; fillStores(); });
  form.tienda.addEventListener('change', () => { st.tienda = form.tienda.value; });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    st.cedi = form.cedi.value;
    st.tienda = form.tienda.value;
    if (!st.cedi || !st.tienda) return;
    ctx.setQuery({ cedi: st.cedi, tienda: st.tienda });
    loadCalculation(container, ctx, st);
  });
}

// ---------- step 2 ----------

async function loadCalculation(container, ctx, st) {
  setHtml(container, html`${head('Crear pedido sugerido')}${stepper(2)}<div class="route-spinner" role="status"><span class="spinner"></span>Calculando el pedido sugerido…</div>`);
  let calc;
  try {
    // The grid's columns only, one array per line: ≈ 1/10 of the full lines' bytes.
    calc = await apiPost('/api/pedidos-sugeridos/calcular', { cedi_origen: st.cedi, tienda_destino: st.tienda, explicacion: false, formato: 'tabla' }, { signal: ctx.signal });
  } catch (e) {
    if (!isAbort(e)) showError(container, e, () => loadCalculation(container, ctx, st), 'No se pudo calcular el pedido');
    return;
  }
  performance.mark('pedido:respuesta');
  st.fecha = calc.fecha;
  const cols = calc.columnas;
  st.lines = calc.filas.map((r) => { const o = {}; for (let i = 0; i < cols.length; i++) o[cols[i]] = r[i]; return o; });
  st.byCode = new Map(st.lines.map((l) => [l.codigo_producto, l]));
  st.pedir.clear(); st.selected.clear(); st.notas.clear();
  for (const l of st.lines) {
    st.pedir.set(l.codigo_producto, l.cantidad_sugerida_bultos);
    if (l.cantidad_sugerida_bultos > 0) st.selected.add(l.codigo_producto);
    st.notas.set(l.codigo_producto, defaultNote(l));
  }
  st.step = 2;
  performance.mark('pedido:datos');
  step2(container, ctx, st);
  performance.mark('pedido:grilla');
}

function defaultNote(l) {
  if (l.ajustado_por_capacidad) return `Ajustado x capacidad (${formatNumber(l.capacidad_maxima_configurada, 0)})`;
  if (l.ajustado_por_minimo_exhibicion) return `Elevado x exhibición (${formatNumber(l.minimo_exhibicion_configurado, 0)})`;
  return l.razon_pedido || '';
}

function matches(st, l) {
  const f = st.f;
  const code = l.codigo_producto;
  if (f.q) {
    const q = f.q.trim();
    if (q.includes(',')) {
      const codes = new Set(q.split(',').map(stripZeros).filter(Boolean));
      if (!codes.has(stripZeros(code))) return false;
    } else {
      const t = q.toLowerCase();
      if (!code.toLowerCase().includes(t) && !String(l.descripcion_producto).toLowerCase().includes(t)) return false;
    }
  }
  if (f.categoria && (l.categoria || '') !== f.categoria) return false;
  if (f.abc && (l.clasificacion_abc || 'D') !== f.abc) return false;
  if (f.vista === 'seleccionados' && !st.selected.has(code)) return false;
  if (f.vista === 'no_seleccionados' && st.selected.has(code)) return false;
  if (f.cedi === 'con' && !(l.stock_cedi_origen > 0)) return false;
  if (f.cedi === 'sin' && l.stock_cedi_origen > 0) return false;
  if (f.prioridad && l.estado_criticidad !== f.prioridad) return false;
  if (f.tipo && METHOD_KIND[l.metodo_calculo] !== f.tipo) return false;
  if (f.dias) {
    const b = DAY_BUCKETS.find((d) => d[0] === f.dias);
    const d = l.dias_stock;
    if (d === null || d === undefined || d < b[1] || d >= b[2]) return false;
  }
  return true;
}

const SORTS = {
  criticidad: (l) => l.criticidad,
  codigo_producto: (l) => l.codigo_producto,
  descripcion_producto: (l) => l.descripcion_producto,
  p75: (l) => packs(l.prom_p75_unid, l.cantidad_bultos),
  dias_stock: (l) => (l.dias_stock ?? Infinity),
  stock_cedi_origen: (l) => l.stock_cedi_origen,
  cantidad_sugerida_bultos: (l) => l.cantidad_sugerida_bultos,
};

function visibleRows(st) {
  const key = SORTS[st.sort.key] || SORTS.criticidad;
  const rows = st.lines.filter((l) => matches(st, l));
  rows.sort((a, b) => {
    const va = key(a); const vb = key(b);
    const c = typeof va === 'string' ? va.localeCompare(vb, 'es', { numeric: true }) : va - vb;
    return st.sort.dir * c || a.codigo_producto.localeCompare(b.codigo_producto);
  });
  return rows;
}

function totals(st) {
  let n = 0; let bultos = 0; let kg = 0;
  for (const code of st.selected) {
    const l = st.byCode.get(code);
    const p = st.pedir.get(code) || 0;
    if (!l || p <= 0) continue;
    n += 1; bultos += p; kg += weightKg(l, p);
  }
  return { n, bultos, kg };
}

function storeName(st, id) {
  const l = st.locations.find((x) => x.id === id);
  return l ? l.nombre : id;
}

function step2(container, ctx, st) {
  const cats = [...new Set(st.lines.map((l) => l.categoria).filter(Boolean))].sort((a, b) => a.localeCompare(b, 'es'));
  const abcCount = (c) => st.lines.filter((l) => (l.clasificacion_abc || 'D') === c).length;
  const sel = (name, options) => html`<select name="${name}">${options.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select>`;
  setHtml(container, html`${head(`Pedido de ${storeName(st, st.tienda)}`)}${stepper(2)}
    <p class="muted" data-role="calc-info">Desde ${storeName(st, st.cedi)} · cálculo del ${formatDate(st.fecha)} · ${formatInteger(st.lines.length)} productos candidatos</p>
    <form class="card filter-bar filters wizard-filters" data-role="filters" autocomplete="off">
      <label>Buscar <input type="search" name="q" placeholder="Código, nombre o códigos separados por coma" size="34"></label>
      <label>Categoría ${sel('categoria', [['', 'Todas'], ...cats.map((c) => [c, c])])}</label>
      <label>ABC ${sel('abc', [['', 'Todas'], ...['A', 'B', 'C', 'D'].map((c) => [c, `${c} (${abcCount(c)})`])])}</label>
      <label>Vista ${sel('vista', [['seleccionados', 'Seleccionados'], ['no_seleccionados', 'No seleccionados'], ['todos', 'Todos']])}</label>
      <label>CEDI ${sel('cedi', [['', 'Todos'], ['con', 'Con stock'], ['sin', 'Sin stock']])}</label>
      <label>Prioridad ${sel('prioridad', [['', 'Todas'], ...Object.entries(LEVEL_LABEL)])}</label>
      <label>Tipo ${sel('tipo', [['', 'Todos'], ['ventas', 'Con ventas'], ['referencia', 'Referencia regional'], ['prueba', 'Envío de prueba']])}</label>
      <label>Días stock ${sel('dias', [['', 'Todos'], ...DAY_BUCKETS.map(([k]) => [k, k])])}</label>
    </form>
    <div class="wizard-bar"><span data-role="totals"></span><span class="actions"><button type="button" class="btn" data-role="back">← Cambiar tienda</button><button type="button" class="btn" data-role="export">Exportar Excel</button><button type="button" class="btn btn-primary" data-role="next">Siguiente →</button></span></div>
    <div class="card table-card grid-wrap" data-role="grid"></div>
    <nav class="pager" data-role="pager" aria-label="Páginas"></nav>
    <aside class="drawer" data-role="drawer" hidden aria-label="Explicación del cálculo"></aside>`);
  const form = container.querySelector('[data-role=filters]');
  for (const [k, v] of Object.entries(st.f)) if (form[k]) form[k].value = v;
  const gridEl = container.querySelector('[data-role=grid]');
  const pagerEl = container.querySelector('[data-role=pager]');
  const totalsEl = container.querySelector('[data-role=totals]');
  let rows = [];

  const showTotals = () => {
    const t = totals(st);
    setHtml(totalsEl, html`<strong>${formatInteger(t.n)}</strong> productos · <strong>${formatInteger(t.bultos)}</strong> bultos · <strong>${formatNumber(t.kg, 1)}</strong> kg`);
  };
  const draw = () => {
    rows = visibleRows(st);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    st.page = Math.min(st.page, pages);
    const slice = rows.slice((st.page - 1) * PAGE, st.page * PAGE);
    const allSel = rows.length > 0 && rows.every((l) => st.selected.has(l.codigo_producto));
    const th = (key, label, cls = '') => html`<th class="${cls} ${SORTS[key] ? 'sortable' : ''}" ${SORTS[key] ? html`data-sort="${key}" aria-sort="${st.sort.key === key ? (st.sort.dir > 0 ? 'ascending' : 'descending') : 'none'}"` : ''}>${label}${st.sort.key === key ? (st.sort.dir > 0 ? ' ▲' : ' ▼') : ''}</th>`;
    if (!rows.length) {
      setHtml(gridEl, emptyState('Ningún producto con estos filtros', st.f.vista === 'seleccionados' ? 'No hay productos seleccionados que cumplan los filtros. Cambie la vista a «Todos» para ver el resto.' : 'Pruebe con otros filtros.'));
    } else {
      setHtml(gridEl, html`<table class="data-table wizard-grid" data-role="lines">
        <thead>
          <tr><th><input type="checkbox" data-role="all" ${allSel ? html`checked` : ''} aria-label="Seleccionar los productos filtrados"></th>${th('codigo_producto', 'Código')}${th('descripcion_producto', 'Descripción')}<th class="num" title="Unidades por bulto">U/B</th>
          <th class="num" title="Venta media de 20 días, bultos/día">20d</th>${th('p75', 'P75', 'num')}
          <th class="num">Stk</th><th class="num">Trán</th><th class="num">Tot</th>${th('dias_stock', 'Días', 'num')}${th('stock_cedi_origen', 'CEDI', 'num')}
          <th>ABC</th>${th('criticidad', 'Crit.')}<th class="num">SS</th><th class="num">ROP</th><th class="num">Máx</th>${th('cantidad_sugerida_bultos', 'Sug', 'num')}
          <th class="num" title="Cobertura real día a día (V2): bultos y diferencia con el sugerido">V2</th><th class="num">Pedir</th><th class="num">Peso kg</th><th>Notas</th><th></th></tr>
        </thead>
        <tbody>${slice.map((l) => {
          const c = l.codigo_producto; const upb = l.cantidad_bultos; const p = st.pedir.get(c) || 0;
          return html`<tr data-code="${c}" class="${st.selected.has(c) ? 'is-selected' : ''}">
            <td><input type="checkbox" data-role="sel" ${st.selected.has(c) ? html`checked` : ''} aria-label="${`Incluir ${c}`}"></td>
            <td class="code">${c}</td><td class="desc" title="${l.descripcion_producto}">${l.descripcion_producto}</td><td class="num">${l.bulto_sin_definir ? html`<span class="badge badge-bajo" title="El POS no informa unidades por bulto: se calcula con 1. Corríjalo en Administración › Productos.">${formatNumber(upb, 0)}?</span>` : formatNumber(upb, upb % 1 ? 2 : 0)}</td>
            <td class="num">${formatNumber(packs(l.prom_ventas_20dias_unid, upb), 1)}</td><td class="num" title="${`${formatNumber(l.prom_p75_unid, 1)} unidades/día`}">${formatNumber(packs(l.prom_p75_unid, upb), 1)}</td>
            <td class="num">${formatNumber(packs(l.stock_tienda, upb), 1)}</td><td class="num">${l.stock_en_transito ? formatNumber(packs(l.stock_en_transito, upb), 1) : ''}</td>
            <td class="num">${formatNumber(l.stock_total_bultos, 1)}</td><td class="num">${l.dias_stock === null || l.dias_stock === undefined ? '—' : formatNumber(l.dias_stock, 1)}</td>
            <td class="num">${formatNumber(packs(l.stock_cedi_origen, upb), 1)}</td>
            <td>${l.clasificacion_abc || 'D'}${l.es_generador_trafico ? html` <span title="Generador de tráfico">★</span>` : ''}</td>
            <td>${l.estado_criticidad ? html`<span class="badge badge-${LEVEL_BADGE[l.estado_criticidad]}">${LEVEL_LABEL[l.estado_criticidad]}</span>` : '—'}</td>
            <td class="num">${formatNumber(packs(l.stock_seguridad, upb), 1)}</td><td class="num">${formatNumber(packs(l.punto_reorden, upb), 1)}</td><td class="num">${formatNumber(packs(l.stock_maximo, upb), 1)}</td>
            <td class="num"><strong>${formatInteger(l.cantidad_sugerida_bultos)}</strong></td>
            <td class="num v2" title="${l.v2_dias_cobertura_real == null ? 'Sin cálculo V2' : `Cubre ${formatNumber(l.v2_dias_cobertura_real, 1)} días reales`}">${l.v2_cantidad_sugerida_bultos == null ? '—' : html`${formatInteger(l.v2_cantidad_sugerida_bultos)} <span class="muted">(${l.v2_diferencia_bultos > 0 ? '+' : ''}${formatInteger(l.v2_diferencia_bultos)})</span>`}</td>
            <td class="num"><input class="qty" type="number" min="0" step="1" inputmode="numeric" value="${p}" data-role="qty" aria-label="${`Bultos a pedir de ${c}`}"></td>
            <td class="num" data-role="kg">${formatNumber(weightKg(l, p), 1)}</td>
            <td class="note-cell" title="${st.notas.get(c)}">${st.notas.get(c)}</td>
            <td><button type="button" class="btn btn-ghost btn-icon" data-role="why" title="¿Por qué esta cantidad?" aria-label="${`Explicación de ${c}`}">?</button></td>
          </tr>`;
        })}</tbody></table>`);
    }
    setHtml(pagerEl, html`<button type="button" class="btn" data-page="-1" ${st.page <= 1 ? html`disabled` : ''}>Anterior</button>
      <span>Página ${st.page} de ${pages} · ${formatInteger(rows.length)} productos</span>
      <button type="button" class="btn" data-page="1" ${st.page >= pages ? html`disabled` : ''}>Siguiente</button>`);
    showTotals();
  };

  form.addEventListener('input', (ev) => {
    if (ev.target.name === 'q') { st.f.q = ev.target.value; st.page = 1; draw(); }
  });
  form.addEventListener('change', (ev) => {
    if (!ev.target.name || ev.target.name === 'q') return;
    st.f[ev.target.name] = ev.target.value;
    st.page = 1;
    draw();
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  pagerEl.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-page]');
    if (!b) return;
    st.page += Number(b.dataset.page);
    draw();
  });
  gridEl.addEventListener('click', (ev) => {
    const sortTh = ev.target.closest('[data-sort]');
    if (sortTh) {
      const key = sortTh.dataset.sort;
      st.sort = st.sort.key === key ? { key, dir: -st.sort.dir } : { key, dir: 1 };
      draw();
      return;
    }
    const why = ev.target.closest('[data-role=why]');
    if (why) explain(container, ctx, st, why.closest('tr').dataset.code);
  });
  gridEl.addEventListener('change', (ev) => {
    const t = ev.target;
    if (t.dataset.role === 'all') {
      for (const l of rows) (t.checked ? st.selected.add(l.codigo_producto) : st.selected.delete(l.codigo_producto));
      draw();
      return;
    }
    const tr = t.closest('tr[data-code]');
    if (!tr) return;
    const code = tr.dataset.code;
    if (t.dataset.role === 'sel') {
      if (t.checked) st.selected.add(code); else st.selected.delete(code);
      tr.classList.toggle('is-selected', t.checked);
      showTotals();
    }
  });
  gridEl.addEventListener('input', (ev) => {
    const t = ev.target;
    if (t.dataset.role !== 'qty') return;
    const tr = t.closest('tr[data-code]');
    const code = tr.dataset.code;
    const v = Math.max(0, Math.floor(Number(t.value) || 0));
    st.pedir.set(code, v);
    if (v > 0) st.selected.add(code);
    tr.querySelector('[data-role=sel]').checked = st.selected.has(code);
    tr.classList.toggle('is-selected', st.selected.has(code));
    tr.querySelector('[data-role=kg]').textContent = formatNumber(weightKg(st.byCode.get(code), v), 1);
    showTotals();
  });
  // Keyboard: Enter / ↓ move to the next row's quantity, ↑ to the previous one.
  gridEl.addEventListener('keydown', (ev) => {
    if (ev.target.dataset.role !== 'qty' || !['Enter', 'ArrowDown', 'ArrowUp'].includes(ev.key)) return;
    ev.preventDefault();
    const inputs = [...gridEl.querySelectorAll('[data-role=qty]')];
    const i = inputs.indexOf(ev.target) + (ev.key === 'ArrowUp' ? -1 : 1);
    if (inputs[i]) { inputs[i].focus(); inputs[i].select(); }
  });
  container.querySelector('[data-role=back]').addEventListener('click', () => step1(container, ctx, st));
  // Included rows in the grid's current sort, with the user's quantities.
  container.querySelector('[data-role=export]').addEventListener('click', async (ev) => {
    const b = ev.currentTarget;
    b.disabled = true;
    const included = visibleRows({ ...st, f: { ...st.f, vista: 'seleccionados' } }).filter((l) => (st.pedir.get(l.codigo_producto) || 0) > 0);
    try { b.dataset.file = await exportExcel(st, 'pedido', included); } catch (e) { alert(e.message); } finally { b.disabled = false; }
  });
  container.querySelector('[data-role=next]').addEventListener('click', () => {
    const hidden = [...st.selected].filter((c) => !matches(st, st.byCode.get(c)));
    if (hidden.length && !confirm(`${hidden.length} producto(s) seleccionados quedan ocultos por los filtros y se quitarán del pedido. ¿Continuar?`)) return;
    hidden.forEach((c) => st.selected.delete(c));
    if (totals(st).n === 0) { alert('Seleccione al menos un producto con cantidad mayor que 0.'); return; }
    st.step = 3;
    step3(container, ctx, st);
  });
  draw();
}

// Daily sales of the line's window as SVG bars, with the demand used (P75) as a line: the
// dated values come from the server's weekday history (selling days only; gaps are 0).
function salesChart(line) {
  const points = (line.v2_historico_dow || []).flatMap((d) => d.ventas).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  if (!points.length) return html`<p class="muted">Sin ventas en la ventana.</p>`;
  const first = new Date(`${points[0][0]}T00:00:00Z`);
  const last = new Date(`${points[points.length - 1][0]}T00:00:00Z`);
  const days = Math.round((last - first) / 86400000) + 1;
  const byDate = new Map(points.map(([d, q]) => [d, q]));
  const values = Array.from({ length: days }, (_, i) => byDate.get(new Date(first.getTime() + i * 86400000).toISOString().slice(0, 10)) || 0);
  const W = 480; const H = 120; const pad = 18;
  const max = Math.max(...values, line.prom_p75_unid || 0, 1);
  const bw = (W - pad) / days;
  const y = (v) => H - pad - (v / max) * (H - 2 * pad);
  const p75 = y(line.prom_p75_unid || 0);
  return html`<svg class="sales-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${`Ventas diarias de ${days} días; P75 ${formatNumber(line.prom_p75_unid, 1)}`}">
    ${values.map((v, i) => html`<rect x="${pad + i * bw + 1}" y="${y(v)}" width="${Math.max(1, bw - 2)}" height="${H - pad - y(v)}"><title>${formatNumber(v, 1)}</title></rect>`)}
    <line x1="${pad}" x2="${W}" y1="${p75}" y2="${p75}" class="p75"></line>
    <text x="${W - 4}" y="${p75 - 4}" text-anchor="end" class="p75-label">P75 ${formatNumber(line.prom_p75_unid, 1)}</text>
    <text x="${pad}" y="${H - 4}" class="axis">${formatDate(points[0][0])}</text>
    <text x="${W - 4}" y="${H - 4}" text-anchor="end" class="axis">${formatDate(points[points.length - 1][0])}</text>
  </svg>`;
}

// The backend's explanation block of one line, rendered as it came: every input, parameter
// (with the level it came from) and intermediate value, in the server's own names.
async function explain(container, ctx, st, code) {
  const drawer = container.querySelector('[data-role=drawer]');
  drawer.hidden = false;
  setHtml(drawer, html`<div class="drawer-head"><h2>${code}</h2><button type="button" class="modal-close" data-role="close" aria-label="Cerrar">×</button></div><div class="route-spinner"><span class="spinner"></span>Cargando explicación…</div>`);
  const close = () => { drawer.hidden = true; };
  drawer.querySelector('[data-role=close]').addEventListener('click', close);
  let line;
  try {
    const r = await apiPost('/api/pedidos-sugeridos/calcular', { cedi_origen: st.cedi, tienda_destino: st.tienda, fecha: st.fecha, codigos: [code], detalle_v2: true });
    line = r.productos[0];
  } catch (e) {
    if (!isAbort(e)) setHtml(drawer.querySelector('.route-spinner'), html`<p class="field-error">${e.detail || 'No se pudo cargar la explicación.'}</p>`);
    return;
  }
  if (!line) return;
  const value = (v) => {
    if (v === null || v === undefined) return html`<span class="muted">—</span>`;
    if (typeof v === 'number') return formatNumber(v, Number.isInteger(v) ? 0 : 2);
    if (typeof v === 'boolean') return v ? 'sí' : 'no';
    if (Array.isArray(v)) return v.length > 12 ? `${v.slice(0, 12).map((x) => (typeof x === 'number' ? formatNumber(x, 2) : JSON.stringify(x))).join(' · ')} … (${v.length})` : v.map((x) => (typeof x === 'number' ? formatNumber(x, 2) : typeof x === 'object' ? JSON.stringify(x) : x)).join(' · ');
    if (typeof v === 'object') return block(v);
    return String(v);
  };
  const block = (obj) => html`<dl class="explain">${Object.entries(obj).map(([k, v]) => html`<dt>${k.replace(/_/g, ' ')}</dt><dd>${value(v)}</dd>`)}</dl>`;
  const e = line.explicacion;
  setHtml(drawer, html`<div class="drawer-head"><h2>${line.codigo_producto} · ${line.descripcion_producto}</h2><button type="button" class="modal-close" data-role="close" aria-label="Cerrar">×</button></div>
    <div class="drawer-body">
      <section><h3>Ventas diarias (unidades)</h3>${salesChart(line)}</section>
      <p class="decision">Sugerido <strong>${formatInteger(line.cantidad_sugerida_bultos)} bultos</strong> · regla decisiva: <strong>${e.regla_decisiva.replace(/_/g, ' ')}</strong>${line.razon_pedido ? html` · ${line.razon_pedido}` : ''}</p>
      ${[['Entradas', e.entradas], ['Ventanas', e.ventanas], ['P75', e.p75], ['Parámetros', e.parametros], ['Niveles', e.niveles], ['Reorden', e.reorden], ['Pasos', e.pasos]]
        .filter(([, v]) => v).map(([t, v]) => html`<section><h3>${t}</h3>${block(v)}</section>`)}
      ${line.transito_detalle ? html`<section><h3>En tránsito</h3>${line.transito_detalle.map((t) => html`<p>${t.numero_pedido} (${t.estado}): pedido ${formatNumber(t.pedido_bultos, 1)}, llegado ${formatNumber(t.llegado_bultos, 1)}, pendiente ${formatNumber(t.pendiente_bultos, 1)} bultos</p>`)}</section>` : ''}
    </div>`);
  drawer.querySelector('[data-role=close]').addEventListener('click', close);
}

// ---------- step 3 ----------

function step3(container, ctx, st) {
  const chosen = st.lines.filter((l) => st.selected.has(l.codigo_producto) && (st.pedir.get(l.codigo_producto) || 0) > 0)
    .sort((a, b) => a.criticidad - b.criticidad || a.codigo_producto.localeCompare(b.codigo_producto));
  const t = totals(st);
  const days = (units, l) => (l.prom_p75_unid > 0 ? formatNumber(units / l.prom_p75_unid, 1) : '—');
  setHtml(container, html`${head(`Pedido de ${storeName(st, st.tienda)}`)}${stepper(3)}
    <div class="kpis">
      <div class="kpi"><span class="kpi-label">Origen → destino</span><span class="kpi-value small">${storeName(st, st.cedi)} → ${storeName(st, st.tienda)}</span></div>
      <div class="kpi"><span class="kpi-label">Productos</span><span class="kpi-value">${formatInteger(t.n)}</span></div>
      <div class="kpi"><span class="kpi-label">Bultos</span><span class="kpi-value">${formatInteger(t.bultos)}</span></div>
      <div class="kpi"><span class="kpi-label">Peso</span><span class="kpi-value">${formatNumber(t.kg, 1)} kg</span></div>
    </div>
    <label class="field card pad">Observaciones <textarea name="observaciones" rows="2" data-role="obs" placeholder="Indicaciones para el CEDI (opcional)">${st.observaciones}</textarea></label>
    <div class="tabs" role="tablist"><button type="button" role="tab" class="tab" aria-selected="true" data-tab="crit">Vista Criticidad</button><button type="button" role="tab" class="tab" aria-selected="false" data-tab="plan">Vista Planificación</button></div>
    <div class="card table-card grid-wrap" data-role="confirm-table"></div>
    <p class="field-error order-message" data-role="message" role="alert" hidden></p>
    <div class="wizard-bar"><span></span><span class="actions">
      <button type="button" class="btn" data-role="back">← Volver a productos</button>
      <button type="button" class="btn" data-role="export-plan">Exportar planificación</button>
      <button type="button" class="btn" data-save="false">Guardar borrador</button>
      <button type="button" class="btn btn-primary" data-save="true">Enviar pedido</button></span></div>`);
  const tableEl = container.querySelector('[data-role=confirm-table]');
  const drawTab = (tab) => {
    container.querySelectorAll('[data-tab]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === tab)));
    if (tab === 'crit') {
      setHtml(tableEl, html`<table class="data-table" data-role="confirm-lines"><thead><tr><th>Código</th><th>Cód. barras</th><th>Descripción</th><th>Crit.</th><th class="num">P75 (b)</th><th>ABC</th><th class="num">Stock (b)</th><th class="num">Días</th><th class="num">CEDI (b)</th><th class="num">SS</th><th class="num">ROP</th><th class="num">Máx</th><th class="num">Pedir</th><th class="num">Peso kg</th><th>Notas</th></tr></thead>
        <tbody>${chosen.map((l) => { const p = st.pedir.get(l.codigo_producto); const u = l.cantidad_bultos; return html`<tr>
          <td>${l.codigo_producto}</td><td>${l.codigo_barras || ''}</td><td>${l.descripcion_producto}</td><td>${LEVEL_LABEL[l.estado_criticidad] || '—'}</td>
          <td class="num">${formatNumber(packs(l.prom_p75_unid, u), 1)}</td><td>${l.clasificacion_abc || 'D'}</td><td class="num">${formatNumber(packs(l.stock_tienda, u), 1)}</td>
          <td class="num">${l.dias_stock == null ? '—' : formatNumber(l.dias_stock, 1)}</td><td class="num">${formatNumber(packs(l.stock_cedi_origen, u), 1)}</td>
          <td class="num">${formatNumber(packs(l.stock_seguridad, u), 1)}</td><td class="num">${formatNumber(packs(l.punto_reorden, u), 1)}</td><td class="num">${formatNumber(packs(l.stock_maximo, u), 1)}</td>
          <td class="num"><strong>${formatInteger(p)}</strong></td><td class="num">${formatNumber(weightKg(l, p), 1)}</td><td>${st.notas.get(l.codigo_producto)}</td></tr>`; })}</tbody></table>`);
    } else {
      setHtml(tableEl, html`<table class="data-table"><thead><tr><th class="num">#</th><th>Código</th><th>Descripción</th><th class="num">Und/Bulto</th><th>Unidad</th><th>Nivel</th><th class="num">P75 (b/día)</th><th>ABC</th><th class="num">Stock (b)</th><th class="num">Días stock</th><th class="num">SS (días)</th><th class="num">ROP (días)</th><th class="num">MAX (días)</th><th class="num">Pedir (b)</th><th class="num">Pedir (und)</th><th class="num">Peso kg</th></tr></thead>
        <tbody>${chosen.map((l, i) => { const p = st.pedir.get(l.codigo_producto); const u = l.cantidad_bultos; return html`<tr>
          <td class="num">${i + 1}</td><td>${l.codigo_producto}</td><td>${l.descripcion_producto}</td><td class="num">${formatNumber(u, u % 1 ? 2 : 0)}</td><td>${l.unidad_pedido}</td>
          <td>${l.nivel_criticidad ?? '—'}</td><td class="num">${formatNumber(packs(l.prom_p75_unid, u), 2)}</td><td>${l.clasificacion_abc || 'D'}</td>
          <td class="num">${formatNumber(packs(l.stock_tienda, u), 1)}</td><td class="num">${l.dias_stock == null ? '—' : formatNumber(l.dias_stock, 1)}</td>
          <td class="num">${days(l.stock_seguridad, l)}</td><td class="num">${days(l.punto_reorden, l)}</td><td class="num">${days(l.stock_maximo, l)}</td>
          <td class="num"><strong>${formatInteger(p)}</strong></td><td class="num">${formatInteger(p * u)}</td><td class="num">${formatNumber(weightKg(l, p), 1)}</td></tr>`; })}</tbody></table>`);
    }
  };
  drawTab('crit');
  container.querySelectorAll('[data-tab]').forEach((b) => b.addEventListener('click', () => drawTab(b.dataset.tab)));
  const obs = container.querySelector('[data-role=obs]');
  obs.addEventListener('input', () => { st.observaciones = obs.value; });
  container.querySelector('[data-role=back]').addEventListener('click', () => step2(container, ctx, st));
  container.querySelector('[data-role=export-plan]').addEventListener('click', async (ev) => {
    const b = ev.currentTarget;
    b.disabled = true;
    try { b.dataset.file = await exportExcel(st, 'planificacion', chosen); } catch (e) { message.textContent = e.message; message.hidden = false; } finally { b.disabled = false; }
  });
  const message = container.querySelector('[data-role=message]');
  container.querySelectorAll('[data-save]').forEach((b) => b.addEventListener('click', async () => {
    const buttons = container.querySelectorAll('[data-save]');
    buttons.forEach((x) => { x.disabled = true; });
    message.hidden = true;
    try {
      const r = await apiPost('/api/pedidos-sugeridos', {
        cedi_origen_id: st.cedi,
        tienda_destino_id: st.tienda,
        fecha_pedido: st.fecha,
        observaciones: st.observaciones || null,
        enviar: b.dataset.save === 'true',
        productos: chosen.map((l) => ({
          codigo_producto: l.codigo_producto,
          cantidad_pedida_bultos: st.pedir.get(l.codigo_producto),
          incluido: true,
          observaciones: st.notas.get(l.codigo_producto) || null,
        })),
      });
      ctx.navigate(`/pedidos-sugeridos/${r.id}`);
    } catch (e) {
      buttons.forEach((x) => { x.disabled = false; });
      message.textContent = e.detail || 'No se pudo guardar el pedido.';
      message.hidden = false;
    }
  }));
}
