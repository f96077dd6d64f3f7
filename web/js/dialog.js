// The modal dialog of the screens: a native <dialog> with a form whose submit calls the
// server; a refusal is shown next to the field it names (or as a banner).
import { isAbort } from './api.js';
import { html, setHtml } from './dom.js';
import { clearErrorOnInput, clearFieldErrors, firstFieldError, showFieldError } from './form-errors.js';

let dialogSeq = 0;

// A native <dialog> (focus trap, Esc and top layer come with it). `onSubmit(form)`
// resolves when the change is saved; a rejection shows the server's message, next
// to the field it names when there is one.
export function openDialog(host, { title, intro, body, submitLabel, danger = false, onSubmit, onOpen, codeFields = {} }) {
  const p = `dlg${++dialogSeq}`;
  const dlg = document.createElement('dialog');
  dlg.className = 'modal';
  dlg.setAttribute('aria-labelledby', `${p}-title`);
  setHtml(dlg, html`<form class="modal-form" novalidate>
    <header class="modal-head">
      <h2 id="${p}-title">${title}</h2>
      <button type="button" class="modal-close" data-action="cancel" aria-label="Cerrar">×</button>
    </header>
    <div class="modal-body">
      ${intro ? html`<p class="modal-intro">${intro}</p>` : ''}
      <div class="banner banner-error" data-role="dialog-error" role="alert" hidden></div>
      ${typeof body === 'function' ? body(p) : body || ''}
    </div>
    <footer class="modal-foot">
      <button type="button" class="btn" data-action="cancel">Cancelar</button>
      <button type="submit" class="btn ${danger ? 'btn-danger' : 'btn-primary'}">${submitLabel}</button>
    </footer>
  </form>`);
  host.append(dlg);
  const form = dlg.querySelector('form');
  const banner = form.querySelector('[data-role="dialog-error"]');
  const submit = form.querySelector('button[type="submit"]');
  let busy = false;

  const clearErrors = () => {
    banner.hidden = true;
    clearFieldErrors(form);
  };
  const showFailure = (err) => {
    const first = firstFieldError(err);
    if (!first || !showFieldError(form, first.field, first.message)) {
      banner.textContent = (err && err.detail) || 'No se pudo guardar el cambio.';
      banner.hidden = false;
      banner.scrollIntoView({ block: 'nearest' });
      const input = err && codeFields[err.code] && form.elements[codeFields[err.code]];
      if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
    }
  };

  dlg.addEventListener('close', () => dlg.remove());
  dlg.addEventListener('cancel', (e) => { if (busy) e.preventDefault(); });
  form.querySelectorAll('[data-action="cancel"]').forEach((b) => b.addEventListener('click', () => { if (!busy) dlg.close(); }));
  clearErrorOnInput(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    clearErrors();
    busy = true;
    submit.disabled = true;
    dlg.dataset.state = 'saving';
    try {
      await onSubmit(form);
      dlg.close();
    } catch (err) {
      if (isAbort(err) || (err && err.status === 401)) { dlg.close(); return; }
      showFailure(err);
      dlg.dataset.state = 'error';
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });

  if (onOpen) onOpen(form);
  dlg.showModal();
  dlg.dataset.state = 'open';
  const first = form.querySelector('.modal-body input:not([type="checkbox"]), .modal-body select');
  (first || submit).focus();
  return dlg;
}
