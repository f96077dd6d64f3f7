// Shell: boot (tenant branding → session), History-API router, header/nav.
import { apiGet, apiPost, onUnauthorized, isAbort } from './api.js';
import { html, setHtml, skeletonBlock, showError } from './dom.js';
import { setDefaultTimeZone } from './format.js';

// What a role may do comes from the server only: `capabilities` of /api/auth/me (the
// matrix of spec 50 §4.3, domain::access). The UI only hides what the server refuses.
const SA_ROLE = 'super_admin';

const loadResumen = () => import('./views/resumen.js');
const loadPedidos = () => import('./views/pedidos.js');
const loadParametros = () => import('./views/parametros.js');
const loadPlaceholder = () => import('./views/placeholder.js');
const loadCuenta = () => import('./views/cuenta.js');
const loadUsuarios = () => import('./views/usuarios.js');
const loadAdminPanel = () => loadUsuarios().then((m) => ({ render: m.renderAdminPanel }));
const loadEtl = () => import('./views/etl.js');
const loadProductosAdmin = () => import('./views/productos-admin.js');
const loadInventario = () => import('./views/inventario.js');
const loadVentas = () => import('./views/ventas.js');
const loadProductos = () => import('./views/productos.js');
const loadMaestro = () => import('./views/analisis-maestro.js');
const loadCobertura = () => loadEtl().then((m) => ({ render: m.renderCoverage }));
const loadTiendasAdmin = () => import('./views/tiendas-admin.js');
const loadInterCedi = () => import('./views/pedido-inter-cedi.js');
const loadExclusionesInterCedi = () => import('./views/exclusiones-inter-cedi.js');
const loadConjuntos = () => import('./views/conjuntos.js');
const loadBi = () => import('./views/bi.js');
const loadEmergencias = () => import('./views/emergencias.js');
const loadGeneradores = () => import('./views/generadores.js');

// `prefix` routes also own their sub-paths (/ventas/tienda_01). `built: false`
// screens render the "próximamente" card until they are implemented.
const ROUTES = [
  { path: '/pedidos-sugeridos', prefix: true, nav: 'pedidos', cap: 'pedidos.ver', title: 'Pedidos sugeridos', load: loadPedidos, built: true },
  { path: '/pedidos-inter-cedi', prefix: true, nav: 'pedidos', cap: 'pedidos.intercedi', feature: 'pedidos_inter_cedi', title: 'Pedidos Inter-CEDI', load: loadInterCedi, built: true },
  { path: '/inventarios', nav: 'inventarios', cap: 'inventario.ver', title: 'Resumen de red', load: loadResumen, built: true },
  { path: '/dashboard', prefix: true, nav: 'inventarios', cap: 'inventario.ver', title: 'Inventario de una ubicación', load: loadInventario, built: true },
  { path: '/ventas', prefix: true, nav: 'ventas', cap: 'ventas.ver', title: 'Ventas', load: loadVentas, built: true },
  { path: '/productos/analisis-maestro', nav: 'productos', cap: 'productos.ver', title: 'Análisis maestro', load: loadMaestro, built: true },
  { path: '/productos/abc', nav: 'productos', cap: 'productos.ver', title: 'Clasificación ABC', load: loadProductos, built: true },
  { path: '/productos/abc-xyz', nav: 'productos', cap: 'productos.ver', title: 'Matriz ABC-XYZ', load: loadProductos, built: true },
  { path: '/productos', nav: 'productos', cap: 'productos.ver', title: 'Clasificación ABC', load: loadProductos, built: true },
  { path: '/productos', prefix: true, nav: 'productos', cap: 'productos.ver', title: 'Productos' },
  { path: '/emergencias', prefix: true, nav: 'emergencias', cap: 'emergencias.ver', feature: 'emergencias', title: 'Emergencias de inventario', load: loadEmergencias, built: true },
  { path: '/bi', prefix: true, nav: 'bi', cap: 'bi.ver', feature: 'bi', title: 'Business Intelligence', load: loadBi, built: true },
  // Exact admin screens first: the /administrador prefix route owns the rest.
  { path: '/administrador/usuarios', nav: 'administrador', cap: 'admin.usuarios', title: 'Usuarios', load: loadUsuarios, built: true },
  { path: '/administrador/etl', nav: 'administrador', cap: 'admin.etl', title: 'Centro de Control ETL', load: loadEtl, built: true },
  { path: '/administrador/parametros-abc', nav: 'administrador', cap: 'admin.parametros', title: 'Parámetros ABC', load: loadParametros, built: true },
  { path: '/administrador/productos', nav: 'administrador', cap: 'admin.productos', title: 'Productos', load: loadProductosAdmin, built: true },
  { path: '/administrador/ventas/cobertura', nav: 'administrador', cap: 'admin.etl', title: 'Cobertura de ventas', load: loadCobertura, built: true },
  { path: '/administrador/tiendas', nav: 'administrador', cap: 'admin.sistema', title: 'Tiendas', load: loadTiendasAdmin, built: true },
  { path: '/administrador/conjuntos-sustituibles', nav: 'administrador', cap: 'admin.parametros', title: 'Conjuntos sustituibles', load: loadConjuntos, built: true },
  { path: '/administrador/generadores-trafico', nav: 'administrador', cap: 'admin.parametros', title: 'Generadores de Tráfico', load: loadGeneradores, built: true },
  { path: '/administrador/exclusiones-inter-cedi', nav: 'administrador', cap: 'admin.parametros', feature: 'pedidos_inter_cedi', title: 'Exclusiones Inter-CEDI', load: loadExclusionesInterCedi, built: true },
  { path: '/administrador', nav: 'administrador', cap: 'admin', title: 'Panel de administrador', load: loadAdminPanel, built: true },
  { path: '/administrador', prefix: true, nav: 'administrador', cap: 'admin', title: 'Panel de administrador' },
  { path: '/cuenta', nav: 'cuenta', cap: 'session', title: 'Mi cuenta', load: loadCuenta, built: true },
];

const NAV = [
  { key: 'pedidos', label: 'Pedidos', path: '/pedidos-sugeridos' },
  { key: 'inventarios', label: 'Inventarios', path: '/inventarios' },
  { key: 'ventas', label: 'Ventas', path: '/ventas' },
  { key: 'productos', label: 'Productos', path: '/productos' },
  { key: 'emergencias', label: 'Emergencias', path: '/emergencias' },
  { key: 'bi', label: 'BI', path: '/bi' },
];

const LEGACY_REDIRECTS = {
  '/administrador/config-inventario': '/administrador/parametros-abc',
  // The original's set screen redirected elsewhere (spec 31 §5); it exists now.
  '/administrador/conjuntos': '/administrador/conjuntos-sustituibles',
  '/administrador/alertas': '/administrador/parametros-abc',
};

// mode: 'session' (logged in), 'login' (auth required, no session),
// 'anonymous' (server has no auth endpoints yet: everything visible).
const state = { tenant: null, user: null, mode: 'login' };

const viewEl = document.getElementById('view');
let renderSeq = 0;
let renderAbort = null;
let maintenanceTimer = null;

let resolveReady;
window.fluxion = {
  ready: new Promise((resolve) => { resolveReady = resolve; }),
  navigate: (to) => navigate(to),
};

function settle() {
  document.body.dataset.state = 'ready';
  resolveReady();
}

// ---------- permissions ----------

function isAdmin() {
  if (state.mode !== 'session') return false;
  const caps = state.user.capabilities;
  return state.user.rol === SA_ROLE || (Array.isArray(caps) && caps.some((c) => c.startsWith('admin.')));
}

function can(cap) {
  if (cap === 'session') return state.mode !== 'login';
  if (state.mode === 'anonymous') return true;
  if (state.mode !== 'session') return false;
  if (cap === 'admin') return isAdmin();
  const caps = Array.isArray(state.user.capabilities) ? state.user.capabilities : [];
  return caps.includes(cap);
}

function featureOn(name) {
  if (!name) return true;
  const features = (state.tenant && state.tenant.features) || {};
  return features[name] !== false;
}

function findRoute(path) {
  return ROUTES.find((r) => path === r.path || (r.prefix && path.startsWith(`${r.path}/`)));
}

function routeOpen(route) {
  return route && featureOn(route.feature) && can(route.cap);
}

// Spec default is the first allowed of /pedidos-sugeridos, /inventarios; a screen
// that is not built yet is skipped so nobody lands on a "próximamente" card.
function defaultPath() {
  for (const p of ['/pedidos-sugeridos', '/inventarios']) {
    const r = findRoute(p);
    if (r.built && routeOpen(r)) return p;
  }
  const nav = NAV.find((n) => routeOpen(findRoute(n.path)));
  return nav ? nav.path : '/cuenta';
}

// ---------- session ----------

function normalizeUser(me) {
  const rolObj = me.rol && typeof me.rol === 'object' ? me.rol : null;
  return {
    username: me.username,
    nombre_completo: me.nombre_completo || '',
    rol: rolObj ? rolObj.id : me.rol || me.rol_id || '',
    rol_nombre: (rolObj && rolObj.nombre) || me.rol_nombre || '',
    capabilities: Array.isArray(me.capabilities) ? me.capabilities : null,
    tiendas_asignadas: me.tiendas_asignadas || [],
    must_change_password: Boolean(me.must_change_password),
  };
}

async function loadSession() {
  try {
    state.user = normalizeUser(await apiGet('/api/auth/me', { skipAuthRedirect: true }));
    state.mode = 'session';
  } catch (e) {
    state.user = null;
    if (e.status === 401) state.mode = 'login';
    else if (e.status === 404) state.mode = 'anonymous';
    else throw e;
  }
}

function safeNext(next) {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : null;
}

onUnauthorized(() => {
  if (location.pathname === '/login') return;
  state.user = null;
  state.mode = 'login';
  renderChrome();
  const next = location.pathname + location.search;
  navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
});

async function logout() {
  try { await apiPost('/api/auth/logout', {}, { skipAuthRedirect: true }); } catch { /* session is dropped anyway */ }
  state.user = null;
  state.mode = 'login';
  renderChrome();
  navigate('/login', { replace: true });
}

async function onLoggedIn(next) {
  await loadSession();
  renderChrome();
  navigate(safeNext(next) || defaultPath(), { replace: true });
}

// ---------- branding and chrome ----------

function applyBranding() {
  const t = state.tenant;
  const root = document.documentElement.style;
  if (t.primary_color && CSS.supports('color', t.primary_color)) root.setProperty('--primary', t.primary_color);
  if (t.secondary_color && CSS.supports('color', t.secondary_color)) root.setProperty('--secondary', t.secondary_color);
  document.title = [t.app_title || 'Fluxion', t.display_name].filter(Boolean).join(' · ');
  setDefaultTimeZone(t.timezone);
  if (t.locale) document.documentElement.lang = t.locale;

  document.getElementById('brand-name').textContent = t.display_name || '';
  const logo = document.getElementById('brand-logo');
  const hide = () => { logo.hidden = true; };
  logo.addEventListener('error', hide);
  logo.alt = t.display_name || 'Logo';
  if (t.logo_url && t.logo_url !== logo.getAttribute('src')) logo.src = t.logo_url;
  else if (logo.complete && logo.naturalWidth === 0) hide();
  if (t.favicon_url) document.querySelector('link[rel="icon"]').href = t.favicon_url;
}

// While a password change is pending every route leads to /cuenta, so the nav
// would only bounce the user back: show just their name and "Salir".
function passwordPending() {
  return state.mode === 'session' && state.user.must_change_password;
}

function renderChrome(activeNav) {
  const pending = passwordPending();
  document.getElementById('brand-link').setAttribute('href', pending ? '/cuenta' : defaultPath());
  const items = pending ? [] : NAV.filter((n) => routeOpen(findRoute(n.path)));
  setHtml(document.getElementById('nav-main'), html`${items.map((n) => html`
    <li><a href="${n.path}" data-nav="${n.key}" ${n.key === activeNav ? html`aria-current="page"` : ''}>${n.label}</a></li>`)}`);

  const area = document.getElementById('user-area');
  if (state.mode === 'session') {
    const u = state.user;
    setHtml(area, html`
      <a class="user-name" href="/cuenta" data-nav="cuenta" title="${u.rol_nombre || u.rol}" ${activeNav === 'cuenta' ? html`aria-current="page"` : ''}>
        ${u.nombre_completo || u.username}${u.rol_nombre ? html` <span class="user-role">${u.rol_nombre}</span>` : ''}</a>
      ${isAdmin() && !pending ? html`<a href="/administrador" data-nav="administrador" ${activeNav === 'administrador' ? html`aria-current="page"` : ''}>Administrador</a>` : ''}
      <button type="button" class="btn btn-ghost" data-action="logout">Salir</button>`);
    area.querySelector('[data-action="logout"]').addEventListener('click', logout);
  } else {
    setHtml(area, '');
  }

  const m = state.tenant && state.tenant.maintenance;
  const banner = document.getElementById('banner');
  const showBanner = m && m.active && state.mode !== 'login';
  banner.hidden = !showBanner;
  if (showBanner) setHtml(banner, html`<strong>Modo mantenimiento activo.</strong> ${m.message || ''}`);
}

// ---------- router ----------

function currentPath() {
  const p = location.pathname.replace(/\/+$/, '');
  return p || '/';
}

export function navigate(to, { replace = false } = {}) {
  const same = to === location.pathname + location.search + location.hash;
  if (replace) history.replaceState(null, '', to);
  else if (!same) history.pushState(null, '', to);
  if (!replace) window.scrollTo(0, 0);
  return renderRoute();
}

// Resolves redirects and decides what to show: {view, route, kind}.
function resolve() {
  for (let hops = 0; hops < 4; hops++) {
    const path = currentPath();
    if (state.mode === 'login') {
      if (path === '/login') return { kind: 'login' };
      const next = path === '/' ? '' : `?next=${encodeURIComponent(path + location.search)}`;
      history.replaceState(null, '', `/login${next}`);
      continue;
    }
    let target = null;
    if (path === '/' || path === '/dashboard' || path === '/login') target = defaultPath();
    else if (LEGACY_REDIRECTS[path]) target = LEGACY_REDIRECTS[path];
    else if (state.user && state.user.must_change_password && path !== '/cuenta') target = '/cuenta';
    if (target) { history.replaceState(null, '', target); continue; }

    const route = findRoute(path);
    if (!route || !featureOn(route.feature)) return { kind: 'notfound' };
    if (!can(route.cap)) return { kind: 'forbidden', route };
    const m = state.tenant.maintenance;
    if (m && m.active && state.mode === 'session' && !isAdmin()) return { kind: 'maintenance', route };
    return { kind: route.built ? 'view' : 'placeholder', route };
  }
  return { kind: 'notfound' };
}

async function renderRoute() {
  const seq = ++renderSeq;
  if (renderAbort) renderAbort.abort();
  renderAbort = new AbortController();
  clearInterval(maintenanceTimer);
  document.body.dataset.state = 'loading';

  const target = resolve();
  document.body.dataset.screen = target.kind === 'login' ? 'login' : 'app';
  renderChrome(target.route && target.route.nav);

  const container = document.createElement('div');
  container.className = 'view';
  viewEl.replaceChildren(container);
  const ctx = {
    tenant: state.tenant,
    user: state.user,
    mode: state.mode,
    route: target.route,
    query: new URLSearchParams(location.search),
    signal: renderAbort.signal,
    navigate,
    can,
    featureOn,
    setQuery: (params) => {
      const qs = new URLSearchParams(params).toString();
      history.replaceState(null, '', `${location.pathname}${qs ? `?${qs}` : ''}`);
    },
    onLoggedIn,
  };

  try {
    if (target.kind === 'login') {
      await (await import('./views/login.js')).render(container, ctx);
    } else if (target.kind === 'view') {
      setHtml(container, html`<div class="route-spinner" role="status"><span class="spinner"></span>Cargando…</div>`);
      const mod = await target.route.load();
      if (seq !== renderSeq) return;
      await mod.render(container, ctx);
    } else {
      const mod = await loadPlaceholder();
      if (target.kind === 'maintenance') maintenanceTimer = mod.renderMaintenance(container, ctx, () => renderRoute());
      else if (target.kind === 'forbidden') mod.renderForbidden(container, ctx);
      else if (target.kind === 'notfound') mod.renderNotFound(container, ctx);
      else mod.render(container, ctx);
    }
  } catch (e) {
    if (isAbort(e) || seq !== renderSeq) return;
    showError(container, e, () => renderRoute());
  }
  if (seq === renderSeq) settle();
}

// ---------- boot ----------

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || (a.target && a.target !== '_self') || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || /^\/(api|branding)\//.test(url.pathname)) return;
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener('popstate', () => renderRoute());

async function boot() {
  document.body.dataset.state = 'loading';
  setHtml(viewEl, skeletonBlock({ cards: 4, rows: 8 }));
  try {
    state.tenant = await apiGet('/api/tenant', { skipAuthRedirect: true });
    applyBranding();
    await loadSession();
  } catch (e) {
    showError(viewEl, e, () => boot(), 'No se pudo iniciar la aplicación');
    settle();
    return;
  }
  await renderRoute();
}

boot();
