// Field errors of a form, one way for every screen: a 422 `{errors: [{field, message}]}`
// (or a check of the screen's own) shows under its field (`[data-error-for="<field>"]`),
// marks the input `aria-invalid` and focuses it; typing in the field clears it.

/** Hides every field error of the form and clears `aria-invalid`. */
export function clearFieldErrors(form) {
  form.querySelectorAll('[data-error-for]').forEach((el) => { el.hidden = true; el.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

/**
 * Shows `message` under the field `name`. Returns false (and shows nothing) when the form
 * has no visible slot for that field, so the caller can show it in the form's banner.
 */
export function showFieldError(form, name, message) {
  const slot = name && form.querySelector(`[data-error-for="${name}"]`);
  if (!slot || slot.parentElement.closest('[hidden]')) return false;
  slot.textContent = message;
  slot.hidden = false;
  const input = form.elements[name] || slot.closest('fieldset');
  if (input && input.setAttribute) {
    input.setAttribute('aria-invalid', 'true');
    if (input.focus) input.focus();
  }
  return true;
}

/** The first field error of an API refusal (`ApiError.errors[0]`), if it names a field. */
export function firstFieldError(err) {
  const first = err && err.errors && err.errors[0];
  return first && first.field ? { field: first.field, message: first.message || err.detail } : null;
}

/** Typing in a field clears its error. */
export function clearErrorOnInput(form) {
  form.addEventListener('input', (e) => {
    const slot = e.target.name && form.querySelector(`[data-error-for="${e.target.name}"]`);
    if (slot) { slot.hidden = true; e.target.removeAttribute('aria-invalid'); }
  });
}
