// Tiny HTML helpers: an auto-escaping template tag and the shared screen states.

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
