// Login screen (spec 50 §9.3). Never shows default credentials: none exist.
import { apiPost } from '../api.js';
import { html, setHtml } from '../dom.js';

export function render(container, ctx) {
  const t = ctx.tenant || {};
  const next = ctx.query.get('next');
  setHtml(container, html`
    <div class="login-wrap">
      <form class="card login-card" novalidate>
        <div class="login-brand">
          <img class="login-logo" src="${t.logo_url || '/branding/logo'}" alt="">
          <h1>${t.display_name || t.app_title || 'Fluxion'}</h1>
          <p class="muted">Ingrese con su usuario para continuar</p>
        </div>
        <div class="banner banner-error" role="alert" hidden></div>
        <label class="field">
          <span>Usuario</span>
          <input name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required>
        </label>
        <label class="field">
          <span>Contraseña</span>
          <input name="password" type="password" autocomplete="current-password" required>
        </label>
        <button type="submit" class="btn btn-primary btn-block">Ingresar</button>
      </form>
    </div>`);

  const form = container.querySelector('form');
  const banner = form.querySelector('.banner-error');
  const button = form.querySelector('button[type="submit"]');
  const logo = form.querySelector('.login-logo');
  logo.addEventListener('error', () => { logo.hidden = true; });

  const showBanner = (msg) => { banner.textContent = msg; banner.hidden = false; };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const username = form.username.value.trim();
    const password = form.password.value;
    if (!username || !password) {
      showBanner('Ingrese su usuario y su contraseña.');
      (username ? form.password : form.username).focus();
      return;
    }
    banner.hidden = true;
    button.disabled = true;
    button.textContent = 'Ingresando…';
    try {
      await apiPost('/api/auth/login', { username, password }, { skipAuthRedirect: true });
      await ctx.onLoggedIn(next);
    } catch (err) {
      showBanner(err.detail || 'No se pudo iniciar sesión.');
      form.password.value = '';
      form.password.focus();
      button.disabled = false;
      button.textContent = 'Ingresar';
    }
  });

  form.username.focus();
}
