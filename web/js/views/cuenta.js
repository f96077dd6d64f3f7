// "Mi cuenta" (spec 50 §9.3): the caller's profile and the change of their own
// password. A user whose password was set by an administrator lands here first
// (the shell redirects every route to /cuenta until the change is done).
import { apiGet, apiPut, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, showError } from '../dom.js';
import { formatDateTime, formatRelative } from '../format.js';
import { clearErrorOnInput, clearFieldErrors, firstFieldError, showFieldError } from '../form-errors.js';

// Only to save a round trip: the server applies the real policy (length, common passwords).
const MIN_LENGTH = 8;

const FIELD_IDS = {
  current_password: 'cuenta-actual',
  new_password: 'cuenta-nueva',
  confirm_password: 'cuenta-confirmar',
};

// Store ids → names. /api/ubicaciones answers only for a session that may browse
// (not while a password change is pending); ids are shown when it cannot be read.
async function storeNames(me, signal) {
  const ids = me.tiendas_asignadas || [];
  if (!ids.length || me.must_change_password) return ids.map((id) => ({ id, nombre: id }));
  let byId = new Map();
  try {
    const list = await apiGet('/api/ubicaciones', { signal });
    byId = new Map(list.map((u) => [u.id, u.nombre]));
  } catch (e) {
    if (isAbort(e)) throw e;
  }
  return ids.map((id) => ({ id, nombre: byId.get(id) || id }));
}

function profileCard(me, stores) {
  const lastLogin = me.ultimo_login
    ? html`${formatDateTime(me.ultimo_login)} <span class="muted">(${formatRelative(me.ultimo_login)})</span>`
    : 'Nunca';
  return html`<section class="card panel" aria-labelledby="cuenta-datos">
    <h2 id="cuenta-datos">Datos de la cuenta</h2>
    <dl class="props">
      <dt>Nombre</dt><dd data-campo="nombre">${me.nombre_completo || '-'}</dd>
      <dt>Usuario</dt><dd data-campo="username"><code>${me.username}</code></dd>
      <dt>Correo</dt><dd data-campo="email">${me.email || '-'}</dd>
      <dt>Rol</dt><dd data-campo="rol"><span class="badge badge-rol badge-rol-${me.rol_id || me.rol}">${me.rol_nombre || me.rol_id}</span></dd>
      ${stores.length ? html`<dt>Tiendas asignadas</dt>
        <dd data-campo="tiendas"><ul class="chips">${stores.map((s) => html`<li data-tienda="${s.id}">${s.nombre}</li>`)}</ul></dd>` : ''}
      <dt>Último ingreso</dt><dd data-campo="ultimo_login">${lastLogin}</dd>
    </dl>
  </section>`;
}

function passwordField(name, label, autocomplete, hint) {
  const id = FIELD_IDS[name];
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <input id="${id}" name="${name}" type="password" autocomplete="${autocomplete}" required
      aria-describedby="${id}-error${hint ? ` ${id}-hint` : ''}">
    ${hint ? html`<span class="field-hint" id="${id}-hint">${hint}</span>` : ''}
    <span class="field-error" id="${id}-error" data-error-for="${name}" hidden></span>
  </div>`;
}

function passwordCard(mustChange) {
  return html`<section class="card panel" aria-labelledby="cuenta-clave">
    <h2 id="cuenta-clave">Cambiar contraseña</h2>
    <form class="form-stack" data-role="password-form" novalidate>
      <div class="banner banner-error" data-role="form-error" role="alert" hidden></div>
      <div class="banner banner-success" data-role="form-ok" role="status" hidden></div>
      ${passwordField('current_password', mustChange ? 'Contraseña temporal (actual)' : 'Contraseña actual', 'current-password')}
      ${passwordField('new_password', 'Nueva contraseña', 'new-password', `Al menos ${MIN_LENGTH} caracteres. Evite contraseñas comunes.`)}
      ${passwordField('confirm_password', 'Confirmar nueva contraseña', 'new-password')}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary">Cambiar contraseña</button>
      </div>
      <p class="field-hint">Al cambiarla se cierran sus otras sesiones abiertas.</p>
    </form>
  </section>`;
}

function bindPasswordForm(container, ctx, mustChange) {
  const form = container.querySelector('[data-role="password-form"]');
  const formError = form.querySelector('[data-role="form-error"]');
  const formOk = form.querySelector('[data-role="form-ok"]');
  const button = form.querySelector('button[type="submit"]');

  const clearErrors = () => {
    formError.hidden = true;
    clearFieldErrors(form);
  };
  const fieldError = (name, message) => {
    if (!showFieldError(form, name, message)) {
      formError.textContent = message;
      formError.hidden = false;
    }
  };
  clearErrorOnInput(form);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    formOk.hidden = true;
    const current = form.elements.current_password.value;
    const next = form.elements.new_password.value;
    const confirm = form.elements.confirm_password.value;
    if (!current) return fieldError('current_password', 'Ingrese su contraseña actual.');
    if (next.length < MIN_LENGTH) return fieldError('new_password', `La nueva contraseña debe tener al menos ${MIN_LENGTH} caracteres.`);
    if (next !== confirm) return fieldError('confirm_password', 'Las contraseñas no coinciden.');

    button.disabled = true;
    button.textContent = 'Guardando…';
    let result;
    try {
      result = await apiPut('/api/auth/me/password', { current_password: current, new_password: next });
    } catch (err) {
      button.disabled = false;
      button.textContent = 'Cambiar contraseña';
      if (err.status === 401) return; // the shell is already showing the login
      const first = firstFieldError(err);
      if (err.status === 422 && first) fieldError(first.field, first.message);
      else { formError.textContent = err.detail; formError.hidden = false; }
      return;
    }
    if (mustChange) {
      // The server set a fresh session cookie; reload the profile and continue.
      try {
        await ctx.onLoggedIn(null);
      } catch {
        formError.textContent = 'Su contraseña se cambió, pero no se pudo recargar la sesión. Recargue la página.';
        formError.hidden = false;
      }
      return;
    }
    form.reset();
    button.disabled = false;
    button.textContent = 'Cambiar contraseña';
    formOk.textContent = `${(result && result.detail) || 'Contraseña actualizada'}. Sus otras sesiones se cerraron.`;
    formOk.hidden = false;
  });
}

export async function render(container, ctx) {
  setHtml(container, html`
    <div class="page-head"><div><h1>Mi cuenta</h1></div></div>
    <div data-role="body"></div>`);
  const body = container.querySelector('[data-role="body"]');

  const load = async () => {
    document.body.dataset.state = 'loading';
    setHtml(body, skeletonBlock({ rows: 6 }));
    let me;
    let stores;
    try {
      me = await apiGet('/api/auth/me', { signal: ctx.signal });
      stores = await storeNames(me, ctx.signal);
    } catch (e) {
      if (isAbort(e) || e.status === 401) return;
      showError(body, e, load, 'No se pudo cargar su cuenta');
      document.body.dataset.state = 'ready';
      return;
    }
    const mustChange = Boolean(me.must_change_password);
    setHtml(body, html`
      ${mustChange ? html`<div class="banner banner-warning notice-inline" data-role="must-change" role="alert">
        <strong>Debe cambiar su contraseña antes de continuar.</strong>
        Un administrador le asignó una contraseña temporal. Elija una nueva contraseña; después podrá usar el resto de la aplicación.
      </div>` : ''}
      <div class="account-grid">
        ${mustChange ? passwordCard(true) : profileCard(me, stores)}
        ${mustChange ? profileCard(me, stores) : passwordCard(false)}
      </div>`);
    bindPasswordForm(body, ctx, mustChange);
    if (mustChange) body.querySelector('#cuenta-actual').focus();
    document.body.dataset.state = 'ready';
  };

  await load();
}
