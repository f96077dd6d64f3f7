// Calm cards for screens not built yet, forbidden and unknown routes, maintenance.
import { apiGet } from '../api.js';
import { html, setHtml } from '../dom.js';
import { formatDateTime } from '../format.js';

function card(container, { title, heading, message, action, kind }) {
  setHtml(container, html`
    <div class="page-head"><h1>${title}</h1></div>
    <div class="card notice notice-${kind}" data-notice="${kind}">
      ${heading ? html`<h2>${heading}</h2>` : ''}
      <p>${message}</p>
      ${action ? html`<p><a class="btn btn-secondary" href="${action.href}">${action.label}</a></p>` : ''}
    </div>`);
}

export function render(container, ctx) {
  const mustChange = ctx.user && ctx.user.must_change_password && ctx.route.path === '/cuenta';
  card(container, {
    kind: 'soon',
    title: ctx.route.title,
    heading: mustChange ? 'Debe cambiar su contraseña' : null,
    message: mustChange
      ? 'Un administrador le asignó una contraseña temporal. El cambio de contraseña estará disponible próximamente en esta sección.'
      : 'Esta sección estará disponible próximamente.',
  });
}

export function renderForbidden(container) {
  card(container, {
    kind: 'forbidden',
    title: 'Acceso Denegado',
    message: 'Esta sección está fuera de sus permisos. Si necesita usarla, pida a un administrador que le otorgue acceso.',
    action: { href: '/', label: 'Ir al inicio' },
  });
}

export function renderNotFound(container) {
  card(container, {
    kind: 'notfound',
    title: 'Página no encontrada',
    message: 'La dirección que abrió no existe o la sección no está habilitada para esta empresa.',
    action: { href: '/', label: 'Ir al inicio' },
  });
}

// Polls every 2 minutes; any error counts as "not in maintenance" (fail-open,
// spec 50 §12). Returns the interval id so the router can stop it.
export function renderMaintenance(container, ctx, onEnded) {
  const m = ctx.tenant.maintenance || {};
  card(container, {
    kind: 'maintenance',
    title: 'Sistema en mantenimiento',
    message: `${m.message || 'Estamos actualizando los datos.'}${m.ends_at ? ` Fin estimado: ${formatDateTime(m.ends_at)}.` : ''} Esta página se actualizará sola.`,
  });
  return setInterval(async () => {
    let active = false;
    try { active = Boolean((await apiGet('/api/maintenance')).active); } catch { active = false; }
    if (!active) {
      ctx.tenant.maintenance = { ...m, active: false };
      onEnded();
    }
  }, 120000);
}
