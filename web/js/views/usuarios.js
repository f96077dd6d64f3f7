// "Usuarios" (spec 50 §4.5, §9.3): super-admin user administration, plus the
// /administrador landing card that links to it.
// The server decides every rule (username format, password policy, stores of a
// store manager, last admin); this screen shows its `detail` messages as they come.
import { apiGet, apiPost, apiPut, isAbort } from '../api.js';
import { html, setHtml, skeletonBlock, emptyState, showError } from '../dom.js';
import { formatDate, formatDateTime, formatRelative } from '../format.js';
import { openDialog as openSharedDialog } from '../dialog.js';

// Fixed role catalogue (spec 50 §4.1): the API has no endpoint that lists it.
const ROLES = [
  { id: 'visualizador', nombre: 'Visualizador', hint: 'Solo consulta tableros y reportes.' },
  { id: 'gerente_tienda', nombre: 'Gerente de Tienda', hint: 'Gestiona únicamente las tiendas que se le asignen.' },
  { id: 'gestor_abastecimiento', nombre: 'Gestor de Abastecimiento', hint: 'Arma pedidos para todas las tiendas.' },
  { id: 'gerente_general', nombre: 'Gerente General', hint: 'Ve todas las tiendas; arma y aprueba pedidos.' },
  { id: 'super_admin', nombre: 'Super Admin', hint: 'Acceso total, incluidos BI y administración.' },
];
const STORE_ROLE = 'gerente_tienda';
const DEFAULT_ROLE = 'gestor_abastecimiento'; // what the original admin screen pre-selected
const MIN_PASSWORD = 8; // only to save a round trip; the server applies the policy

const roleById = (id) => ROLES.find((r) => r.id === id);
const roleName = (u) => u.rol_nombre || (roleById(u.rol_id) || {}).nombre || u.rol_id || '-';

// Lower-case, accents removed: "Peña" matches "pena".
const fold = (s) => String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

function initial(u) {
  const source = (u.nombre_completo || '').trim() || u.username || '?';
  return source.charAt(0).toUpperCase();
}

// A temporary password that is easy to read aloud (no 0/O, 1/l).
function generatePassword(len = 12) {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(len));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

// An error raised by the browser's own checks, shaped like the server's 422.
function clientError(field, message) {
  return { status: 422, detail: message, errors: [{ field, message }] };
}

// ---------- form pieces ----------


function textField(p, { name, label, type = 'text', value = '', hint, attrs = '' }) {
  const id = `${p}-${name}`;
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <input id="${id}" name="${name}" type="${type}" value="${value}" ${attrs} aria-describedby="${id}-error${hint ? ` ${id}-hint` : ''}">
    ${hint ? html`<span class="field-hint" id="${id}-hint">${hint}</span>` : ''}
    <span class="field-error" id="${id}-error" data-error-for="${name}" hidden></span>
  </div>`;
}

function passwordField(p, name, label, hint) {
  const id = `${p}-${name}`;
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <div class="input-row">
      <input id="${id}" name="${name}" type="text" class="mono" autocomplete="off" autocapitalize="none" spellcheck="false"
        aria-describedby="${id}-error ${id}-hint">
      <button type="button" class="btn btn-sm" data-action="generate" data-target="${name}">Generar</button>
    </div>
    <span class="field-hint" id="${id}-hint">${hint}</span>
    <span class="field-error" id="${id}-error" data-error-for="${name}" hidden></span>
  </div>`;
}

function roleField(p, current) {
  const id = `${p}-rol`;
  const role = roleById(current);
  return html`<div class="field">
    <label for="${id}">Rol</label>
    <select id="${id}" name="rol_id" aria-describedby="${id}-hint ${id}-error">
      ${ROLES.map((r) => html`<option value="${r.id}" ${r.id === current ? html`selected` : ''}>${r.nombre}</option>`)}
    </select>
    <span class="field-hint" id="${id}-hint" data-role="role-hint">${role ? role.hint : ''}</span>
    <span class="field-error" id="${id}-error" data-error-for="rol_id" hidden></span>
  </div>`;
}

// Active stores (never CEDIs), grouped by region when there is more than one.
function storeChecklist(p, stores, selected, visible) {
  const regions = [...new Set(stores.map((s) => s.region || ''))];
  const check = (s) => html`<label class="check">
    <input type="checkbox" name="tiendas" value="${s.id}" ${selected.has(s.id) ? html`checked` : ''}>
    <span>${s.nombre || s.id}</span></label>`;
  const groups = regions.length > 1
    ? regions.map((r) => html`<div class="check-group" role="group" aria-label="${r || 'Sin región'}">
        <span class="check-group-title">${r || 'Sin región'}</span>
        ${stores.filter((s) => (s.region || '') === r).map(check)}</div>`)
    : html`<div class="check-group">${stores.map(check)}</div>`;
  return html`<fieldset class="field store-fieldset" data-role="stores" aria-describedby="${p}-tiendas-hint ${p}-tiendas-error" ${visible ? '' : html`hidden`}>
    <legend>Tiendas asignadas</legend>
    <span class="field-hint" id="${p}-tiendas-hint">Un gerente de tienda solo ve y gestiona estas tiendas; marque al menos una.</span>
    ${stores.length
      ? html`<div class="checklist">${groups}</div>
        <div class="checklist-tools">
          <button type="button" class="link-btn" data-action="check-all">Marcar todas</button>
          <button type="button" class="link-btn" data-action="check-none">Desmarcar todas</button>
        </div>`
      : html`<p class="muted">No hay tiendas activas configuradas.</p>`}
    <span class="field-error" id="${p}-tiendas-error" data-error-for="tiendas_asignadas" hidden></span>
  </fieldset>`;
}

function checkedStores(form) {
  return [...form.querySelectorAll('input[name="tiendas"]:checked')].map((i) => i.value);
}

// Role select ↔ store checklist: the list is only for store managers.
function bindRoleAndStores(form) {
  const select = form.elements.rol_id;
  const fieldset = form.querySelector('[data-role="stores"]');
  const hint = form.querySelector('[data-role="role-hint"]');
  select.addEventListener('change', () => {
    fieldset.hidden = select.value !== STORE_ROLE;
    const role = roleById(select.value);
    hint.textContent = role ? role.hint : '';
  });
  form.querySelectorAll('[data-action="check-all"], [data-action="check-none"]').forEach((b) => b.addEventListener('click', () => {
    const on = b.dataset.action === 'check-all';
    form.querySelectorAll('input[name="tiendas"]').forEach((i) => { i.checked = on; });
  }));
}

function requireStores(form) {
  if (form.elements.rol_id.value === STORE_ROLE && checkedStores(form).length === 0) {
    throw clientError('tiendas_asignadas', 'Marque al menos una tienda para un gerente de tienda.');
  }
}

// ---------- modal dialog ----------

// Errors without a field list that still belong to one input.
const CODE_FIELD = { username_taken: 'username' };

// The shared dialog, with the "Generar" buttons of the password fields.
function openDialog(host, opts) {
  return openSharedDialog(host, {
    ...opts,
    codeFields: CODE_FIELD,
    onOpen: (form) => {
      form.querySelectorAll('[data-action="generate"]').forEach((b) => b.addEventListener('click', () => {
        const input = form.elements[b.dataset.target];
        input.value = generatePassword();
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.select();
      }));
      if (opts.onOpen) opts.onOpen(form);
    },
  });
}

// ---------- table ----------

function storesSummary(u, storeNames) {
  const ids = u.tiendas_asignadas || [];
  if (u.rol_id !== STORE_ROLE) return '';
  if (!ids.length) return html`<span class="role-stores role-stores-none">Sin tiendas asignadas</span>`;
  const names = ids.map((id) => storeNames.get(id) || id);
  const text = names.length <= 2 ? names.join(', ') : `${names.length} tiendas`;
  return html`<span class="role-stores" title="${names.join(', ')}" data-tiendas="${ids.join(' ')}">${text}</span>`;
}

function userRow(u, me, storeNames) {
  const self = u.username === me;
  const last = u.ultimo_login;
  const name = (u.nombre_completo || '').trim();
  const you = self ? html` <span class="tag">usted</span>` : '';
  return html`<tr data-user-id="${u.id}" data-username="${u.username}" data-activo="${u.activo ? 'true' : 'false'}" class="${u.activo ? '' : 'is-inactive'}">
    <th scope="row"><div class="user-cell">
      <span class="avatar avatar-${u.activo ? 'on' : 'off'}" aria-hidden="true">${initial(u)}</span>
      <span class="user-ident">
        ${name && name !== u.username
          ? html`<span class="user-fullname" data-campo="nombre">${name}</span>
            <span class="user-login" data-campo="username">${u.username}${you}</span>`
          : html`<span class="user-fullname user-login-only" data-campo="username">${u.username}${you}</span>`}
      </span>
    </div></th>
    <td class="wrap" data-campo="email">${u.email || html`<span class="muted">-</span>`}</td>
    <td data-campo="rol">
      <span class="badge badge-rol badge-rol-${u.rol_id}">${roleName(u)}</span>
      ${storesSummary(u, storeNames)}
    </td>
    <td data-campo="estado">
      <span class="estado estado-${u.activo ? 'activo' : 'inactivo'}">${u.activo ? 'Activo' : 'Inactivo'}</span>
      ${u.must_change_password ? html`<span class="estado-nota" title="Deberá elegir una contraseña nueva en su próximo ingreso">Clave temporal</span>` : ''}
    </td>
    <td class="num" data-campo="creado">${formatDate(u.created_at)}</td>
    <td class="num" data-campo="ultimo_login" title="${last ? formatRelative(last) : ''}">${last ? formatDateTime(last) : html`<span class="muted">Nunca</span>`}</td>
    <td class="row-actions">
      <div class="btn-group">
        <button type="button" class="btn btn-sm" data-action="editar">Editar</button>
        <button type="button" class="btn btn-sm" data-action="rol">Rol y tiendas</button>
        <button type="button" class="btn btn-sm" data-action="clave" title="Restablecer contraseña"><span class="lbl-long">Restablecer contraseña</span><span class="lbl-short">Contraseña</span></button>
        ${u.activo
          ? html`<button type="button" class="btn btn-sm btn-danger-outline" data-action="desactivar"
              ${self ? html`disabled title="No puede desactivar su propia cuenta"` : ''}>Desactivar</button>`
          : html`<button type="button" class="btn btn-sm" data-action="reactivar">Reactivar</button>`}
      </div>
    </td>
  </tr>`;
}

function matches(u, q) {
  if (!q) return true;
  const hay = fold([u.username, u.nombre_completo, u.email, roleName(u), u.activo ? 'activo' : 'inactivo'].join(' '));
  return fold(q).split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}

// ---------- screen ----------

export async function render(container, ctx) {
  const me = ctx.user ? ctx.user.username : null;
  setHtml(container, html`
    <div class="page-head">
      <div>
        <p class="crumb"><a href="/administrador">Administrador</a> <span aria-hidden="true">›</span></p>
        <h1>Usuarios</h1>
        <p class="subtitle" data-role="subtitle">Cargando…</p>
      </div>
      <div class="filters">
        <label class="search">
          <span class="sr-only">Filtrar usuarios</span>
          <input type="search" name="q" placeholder="Filtrar por nombre, correo o rol" autocomplete="off" data-role="filter">
        </label>
        <button type="button" class="btn btn-primary" data-action="nuevo">Nuevo usuario</button>
      </div>
    </div>
    <div class="banner banner-success flash" data-role="flash" role="status" hidden></div>
    <div data-role="body"></div>`);
  const subtitle = container.querySelector('[data-role="subtitle"]');
  const body = container.querySelector('[data-role="body"]');
  const flash = container.querySelector('[data-role="flash"]');
  const filter = container.querySelector('[data-role="filter"]');
  const newButton = container.querySelector('[data-action="nuevo"]');
  filter.value = ctx.query.get('q') || '';

  let users = null;
  let stores = [];
  let storeNames = new Map();

  const say = (message, kind = 'success') => {
    flash.className = `banner banner-${kind} flash`;
    flash.textContent = message;
    flash.hidden = false;
  };

  const draw = () => {
    const q = filter.value.trim();
    const shown = users.filter((u) => matches(u, q));
    const active = users.filter((u) => u.activo).length;
    subtitle.textContent = `${users.length} ${users.length === 1 ? 'usuario' : 'usuarios'} · ${active} ${active === 1 ? 'activo' : 'activos'}`
      + (q ? ` · mostrando ${shown.length}` : '');
    if (!users.length) {
      setHtml(body, emptyState('Todavía no hay usuarios', 'Cree el primero con «Nuevo usuario». Cada persona recibe una contraseña temporal que cambia en su primer ingreso.'));
      return;
    }
    if (!shown.length) {
      setHtml(body, emptyState('Ningún usuario coincide', `No hay usuarios que coincidan con «${q}». Revise el filtro.`));
      return;
    }
    setHtml(body, html`<div class="card table-card">
      <table class="data-table users-table" aria-label="Usuarios">
        <thead><tr>
          <th scope="col">Usuario</th>
          <th scope="col">Correo</th>
          <th scope="col">Rol</th>
          <th scope="col">Estado</th>
          <th scope="col" class="num">Creado</th>
          <th scope="col" class="num">Último ingreso</th>
          <th scope="col"><span class="sr-only">Acciones</span></th>
        </tr></thead>
        <tbody>${shown.map((u) => userRow(u, me, storeNames))}</tbody>
      </table></div>`);
  };

  // Re-reads the list after a change without blanking the table.
  const refresh = async () => {
    document.body.dataset.state = 'loading';
    try {
      users = await apiGet('/api/auth/users', { signal: ctx.signal });
      draw();
    } catch (e) {
      if (isAbort(e) || e.status === 401) return;
      say(`No se pudo actualizar la lista: ${e.detail}`, 'error');
    }
    document.body.dataset.state = 'ready';
  };

  const load = async () => {
    document.body.dataset.state = 'loading';
    subtitle.textContent = 'Cargando…';
    newButton.disabled = true;
    setHtml(body, skeletonBlock({ rows: 8 }));
    try {
      const [list, locations] = await Promise.all([
        apiGet('/api/auth/users', { signal: ctx.signal }),
        apiGet('/api/ubicaciones', { signal: ctx.signal }),
      ]);
      users = list;
      // Kept in tenant.toml order (regions in order of first appearance).
      stores = locations.filter((l) => l.tipo === 'tienda');
      storeNames = new Map(stores.map((s) => [s.id, s.nombre || s.id]));
    } catch (e) {
      if (isAbort(e) || e.status === 401) return;
      subtitle.textContent = '';
      showError(body, e, load, 'No se pudo cargar la lista de usuarios');
      document.body.dataset.state = 'ready';
      return;
    }
    newButton.disabled = false;
    draw();
    document.body.dataset.state = 'ready';
  };

  const done = async (message) => {
    say(message);
    await refresh();
  };

  // ----- dialogs -----

  const createUser = () => openDialog(container, {
    title: 'Nuevo usuario',
    intro: 'La persona ingresará con la contraseña temporal y deberá cambiarla en su primer ingreso.',
    submitLabel: 'Crear usuario',
    body: (p) => html`<div class="form-grid">
      ${textField(p, { name: 'username', label: 'Usuario', hint: '3 a 50 caracteres: minúsculas, dígitos, «.», «_» o «-».', attrs: html`autocomplete="off" autocapitalize="none" spellcheck="false" required maxlength="50"` })}
      ${textField(p, { name: 'nombre_completo', label: 'Nombre completo', attrs: html`autocomplete="off" maxlength="100"` })}
      ${textField(p, { name: 'email', label: 'Correo electrónico (opcional)', type: 'email', attrs: html`autocomplete="off" maxlength="100"` })}
      ${roleField(p, DEFAULT_ROLE)}
      <div class="span-2">${passwordField(p, 'password', 'Contraseña temporal', `Al menos ${MIN_PASSWORD} caracteres. Comuníquela a la persona por un canal privado.`)}</div>
    </div>
    ${storeChecklist(p, stores, new Set(), false)}`,
    onOpen: bindRoleAndStores,
    onSubmit: async (form) => {
      const username = form.elements.username.value.trim().toLowerCase();
      const password = form.elements.password.value;
      if (!username) throw clientError('username', 'Indique el nombre de usuario.');
      if (password.length < MIN_PASSWORD) throw clientError('password', `La contraseña debe tener al menos ${MIN_PASSWORD} caracteres.`);
      requireStores(form);
      const rol = form.elements.rol_id.value;
      const created = await apiPost('/api/auth/register', {
        username,
        password,
        nombre_completo: form.elements.nombre_completo.value.trim() || null,
        email: form.elements.email.value.trim() || null,
        rol_id: rol,
        tiendas_asignadas: rol === STORE_ROLE ? checkedStores(form) : [],
      });
      filter.value = '';
      ctx.setQuery({});
      await done(`Usuario «${created.username || username}» creado como ${roleName(created)}. Deberá cambiar la contraseña en su primer ingreso.`);
    },
  });

  const editUser = (u) => openDialog(container, {
    title: `Editar a ${u.username}`,
    submitLabel: 'Guardar',
    body: (p) => html`<div class="form-grid">
      ${textField(p, { name: 'nombre_completo', label: 'Nombre completo', value: u.nombre_completo || '', attrs: html`autocomplete="off" maxlength="100"` })}
      ${textField(p, { name: 'email', label: 'Correo electrónico (opcional)', type: 'email', value: u.email || '', attrs: html`autocomplete="off" maxlength="100"` })}
    </div>`,
    onSubmit: async (form) => {
      await apiPut(`/api/auth/users/${encodeURIComponent(u.id)}`, {
        nombre_completo: form.elements.nombre_completo.value.trim(),
        email: form.elements.email.value.trim(),
      });
      await done(`Datos de «${u.username}» guardados.`);
    },
  });

  const changeRole = (u) => {
    const assigned = u.tiendas_asignadas || [];
    const gone = assigned.filter((id) => !storeNames.has(id));
    return openDialog(container, {
      title: `Rol y tiendas de ${u.username}`,
      intro: 'Al guardar se cierran las sesiones abiertas de la persona; verá los cambios al ingresar de nuevo.',
      submitLabel: 'Guardar',
      body: (p) => html`
        ${roleField(p, u.rol_id)}
        ${storeChecklist(p, stores, new Set(assigned), u.rol_id === STORE_ROLE)}
        ${gone.length ? html`<p class="field-hint">Asignaciones a ubicaciones que ya no están activas (${gone.join(', ')}) se quitarán al guardar.</p>` : ''}
        <p class="field-hint">Las tiendas solo aplican al rol Gerente de Tienda; con otro rol la persona ve todas las tiendas que su rol permita.</p>`,
      onOpen: bindRoleAndStores,
      onSubmit: async (form) => {
        requireStores(form);
        const rol = form.elements.rol_id.value;
        const saved = await apiPut(`/api/auth/users/${encodeURIComponent(u.id)}/role`, {
          rol_id: rol,
          tiendas_asignadas: rol === STORE_ROLE ? checkedStores(form) : [],
        });
        await done(`Rol de «${u.username}» guardado: ${roleName(saved)}.`);
      },
    });
  };

  const resetPassword = (u) => openDialog(container, {
    title: `Restablecer contraseña de ${u.username}`,
    intro: 'La persona deberá cambiar esta contraseña temporal en su próximo ingreso. Sus sesiones abiertas se cerrarán.',
    submitLabel: 'Restablecer',
    body: (p) => passwordField(p, 'new_password', 'Contraseña temporal', `Al menos ${MIN_PASSWORD} caracteres.`),
    onSubmit: async (form) => {
      const password = form.elements.new_password.value;
      if (password.length < MIN_PASSWORD) throw clientError('new_password', `La contraseña debe tener al menos ${MIN_PASSWORD} caracteres.`);
      await apiPut(`/api/auth/users/${encodeURIComponent(u.id)}/password`, { new_password: password });
      await done(`Contraseña de «${u.username}» restablecida. Deberá cambiarla en su próximo ingreso.`);
    },
  });

  const setActive = (u, activo) => openDialog(container, {
    title: activo ? `¿Reactivar a ${u.username}?` : `¿Desactivar a ${u.username}?`,
    body: activo
      ? html`<p>${u.nombre_completo || u.username} podrá volver a ingresar con su contraseña actual, con el rol ${roleName(u)}.</p>`
      : html`<p>${u.nombre_completo || u.username} no podrá ingresar y sus sesiones abiertas se cerrarán. Su historial se conserva y puede reactivarlo cuando quiera.</p>`,
    submitLabel: activo ? 'Reactivar' : 'Desactivar',
    danger: !activo,
    onSubmit: async () => {
      await apiPut(`/api/auth/users/${encodeURIComponent(u.id)}`, { activo });
      await done(activo ? `Usuario «${u.username}» reactivado.` : `Usuario «${u.username}» desactivado.`);
    },
  });

  const actions = {
    editar: editUser,
    rol: changeRole,
    clave: resetPassword,
    desactivar: (u) => setActive(u, false),
    reactivar: (u) => setActive(u, true),
  };

  body.addEventListener('click', (e) => {
    const button = e.target.closest('button[data-action]');
    const row = button && button.closest('tr[data-user-id]');
    if (!row || !actions[button.dataset.action]) return;
    const u = users.find((x) => x.id === row.dataset.userId);
    if (u) actions[button.dataset.action](u);
  });
  newButton.addEventListener('click', () => createUser());
  filter.addEventListener('input', () => {
    const q = filter.value.trim();
    ctx.setQuery(q ? { q } : {});
    if (users) draw();
  });

  await load();
}

// /administrador: shortcut cards. Only user administration exists so far.
export function renderAdminPanel(container) {
  setHtml(container, html`
    <div class="page-head"><div>
      <h1>Panel de administrador</h1>
      <p class="subtitle">Herramientas de administración de esta instalación.</p>
    </div></div>
    <div class="shortcut-grid">
      <a class="card shortcut" href="/administrador/usuarios" data-shortcut="usuarios">
        <span class="shortcut-title">Usuarios</span>
        <span class="shortcut-text">Cree cuentas, asigne roles y tiendas, restablezca contraseñas y desactive accesos.</span>
      </a>
      <a class="card shortcut" href="/administrador/generadores-trafico" data-shortcut="generadores-trafico">
        <span class="shortcut-title">Generadores de Tráfico</span>
        <span class="shortcut-text">Productos que venden poco pero están en muchos tickets: revise las sugerencias; un generador activo se calcula como clase A en todos los pedidos.</span>
      </a>
      <a class="card shortcut" href="/administrador/parametros-abc" data-shortcut="parametros-abc">
        <span class="shortcut-title">Parámetros ABC</span>
        <span class="shortcut-text">Modelo ABC, parámetros globales, niveles de servicio, ajustes por tienda y categoría, límites de inventario y productos excluidos.</span>
      </a>
      <a class="card shortcut" href="/administrador/productos" data-shortcut="productos">
        <span class="shortcut-title">Productos</span>
        <span class="shortcut-text">Corrija unidades por bulto, unidad de pedido, peso, cuadrante, categoría y CEDI de origen de lo que el POS no informa bien.</span>
      </a>
      <a class="card shortcut" href="/administrador/etl" data-shortcut="etl">
        <span class="shortcut-title">Centro de Control ETL</span>
        <span class="shortcut-text">Cargas de ventas e inventario, frescura de los datos, cobertura y huecos.</span>
      </a>
      <a class="card shortcut" href="/administrador/exclusiones-inter-cedi" data-shortcut="exclusiones-inter-cedi">
        <span class="shortcut-title">Exclusiones Inter-CEDI</span>
        <span class="shortcut-text">Productos que un CEDI receptor nunca pide a otro CEDI: uno a uno o pegando una lista de códigos.</span>
      </a>
      <a class="card shortcut" href="/administrador/conjuntos-sustituibles" data-shortcut="conjuntos-sustituibles">
        <span class="shortcut-title">Conjuntos sustituibles</span>
        <span class="shortcut-text">Productos que el cliente cambia entre sí: la demanda del conjunto pasa a los miembros que el CEDI tiene.</span>
      </a>
      <a class="card shortcut" href="/administrador/tiendas" data-shortcut="tiendas">
        <span class="shortcut-title">Tiendas</span>
        <span class="shortcut-text">Tiendas y CEDIs de tenant.toml: conexión al POS (con prueba de conexión), horarios, últimas cargas, almacenes y parámetros de stock.</span>
      </a>
    </div>`);
}
