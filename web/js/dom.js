// Tiny HTML helpers: an auto-escaping template tag and the shared screen states.
import { formatInteger } from './format.js';

class SafeHtml {
  constructor(s) { this.s = s; }
  toString() { return this.s; }
}

export const raw = (s) => new SafeHtml(String(s));

export function esc(v) {
  return String(v)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function piece(v) {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.s;
  if (Array.isArray(v)) return v.map(piece).join('');
  return esc(v);
}

// html`<td>${value}</td>` escapes interpolations unless they are html`` results.
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

export function setHtml(el, content) {
  el.innerHTML = String(content);
}

export function skeletonBlock({ cards = 0, rows = 6 } = {}) {
  const cardList = Array.from({ length: cards }, () => html`<div class="kpi skeleton-card"><span class="skeleton skeleton-line short"></span><span class="skeleton skeleton-line tall"></span></div>`);
  const rowList = Array.from({ length: rows }, () => html`<span class="skeleton skeleton-line"></span>`);
  return html`<div class="loading" aria-busy="true" aria-label="Cargando">
    ${cards ? html`<div class="kpis">${cardList}</div>` : ''}
    <div class="card skeleton-table">${rowList}</div>
  </div>`;
}

export function emptyState(title, message) {
  return html`<div class="state state-empty" role="status">
    <div class="state-icon" aria-hidden="true">∅</div>
    <h2>${title}</h2>
    <p>${message}</p>
  </div>`;
}

// Renders the error card into `el`; the retry button calls `onRetry`.
export function showError(el, err, onRetry, title = 'No se pudieron cargar los datos') {
  const detail = (err && (err.detail || err.message)) || 'Error desconocido.';
  setHtml(el, html`<div class="state state-error" role="alert">
    <div class="state-icon" aria-hidden="true">!</div>
    <h2>${title}</h2>
    <p class="state-detail">${detail}</p>
    ${onRetry ? html`<button type="button" class="btn btn-primary" data-action="retry">Reintentar</button>` : ''}
  </div>`);
  if (onRetry) el.querySelector('[data-action="retry"]').addEventListener('click', onRetry);
}

// The pager under a server-paged table: page size, previous/next and "Página p de n · N
// <what>". `f` holds page and page_size; `total` 0 draws nothing.
export function drawPager(el, f, { sizes, pages, total, what }) {
  if (!total) { setHtml(el, ''); return; }
  setHtml(el, html`<label>Por página <select data-role="size">${sizes.map((s) => html`<option value="${s}" ${s === f.page_size ? html`selected` : ''}>${s}</option>`)}</select></label>
    <button type="button" class="btn" data-page="-1" ${f.page <= 1 ? html`disabled` : ''}>Anterior</button>
    <span>Página ${formatInteger(f.page)} de ${formatInteger(pages)} · ${formatInteger(total)} ${what}</span>
    <button type="button" class="btn" data-page="1" ${f.page >= pages ? html`disabled` : ''}>Siguiente</button>`);
}

// Its events: a page step or a new page size updates `f` and calls `reload`.
export function bindPager(el, f, reload) {
  el.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-page]');
    if (!b || b.disabled) return;
    f.page += Number(b.dataset.page);
    reload();
  });
  el.addEventListener('change', (ev) => {
    if (ev.target.dataset.role !== 'size') return;
    f.page_size = Number(ev.target.value);
    f.page = 1;
    reload();
  });
}
