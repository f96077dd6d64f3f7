//! Account screens in a real headless Chromium: "Mi cuenta" (own password, forced change)
//! and "Usuarios" (super-admin user administration), plus the access rules around them.
//! Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use common::browser::{artifacts_dir, Browser};
use common::{spawn_app_with, TestApp, ADMIN};
use serde_json::{json, Value};

/// A browser already signed in with `token`, showing `path` once the app settled.
async fn open_as(app: &TestApp, token: &str, path: &str) -> Browser {
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", token).await;
    b.goto(&app.url(path)).await;
    b.wait_ready().await;
    b
}

/// The users screen with its table loaded.
async fn users_screen(app: &TestApp) -> Browser {
    let mut b = open_as(app, &app.admin_token, "/administrador/usuarios").await;
    b.wait_for("document.querySelector('tr[data-username=\"admin\"]')").await;
    b
}

async fn text(b: &mut Browser, selector: &str) -> String {
    let js = format!(
        "(() => {{ const el = document.querySelector({}); return el ? el.textContent.replace(/\\s+/g, ' ').trim() : null; }})()",
        json!(selector)
    );
    b.eval(&js).await.as_str().unwrap_or_else(|| panic!("no element {selector}")).to_string()
}

async fn select(b: &mut Browser, selector: &str, value: &str) {
    let js = format!(
        "(() => {{ const s = document.querySelector({}); s.value = {}; s.dispatchEvent(new Event('change', {{bubbles: true}})); return s.value; }})()",
        json!(selector),
        json!(value)
    );
    assert_eq!(b.eval(&js).await, json!(value), "option {value} in {selector}");
}

async fn checked_stores(b: &mut Browser) -> Vec<String> {
    let v = b.eval("[...document.querySelectorAll('dialog[open] input[name=tiendas]:checked')].map(i => i.value)").await;
    serde_json::from_value(v).unwrap()
}

async fn open_row_dialog(b: &mut Browser, username: &str, action: &str) {
    b.click(&format!("tr[data-username=\"{username}\"] button[data-action=\"{action}\"]")).await;
    b.wait_for("document.querySelector('dialog[open]')").await;
}

async fn submit_dialog(b: &mut Browser) {
    b.click("dialog[open] button[type=submit]").await;
}

async fn wait_dialog_closed(b: &mut Browser) {
    b.wait_for("!document.querySelector('dialog[open]') && document.body.dataset.state === 'ready'").await;
}

async fn api_user(app: &TestApp, username: &str) -> Value {
    let list: Value = app.get_admin("/api/auth/users").await.json().await.unwrap();
    list.as_array().unwrap().iter().find(|u| u["username"] == username).cloned().unwrap_or_else(|| panic!("{username} listed"))
}

/// Like Browser::fill, for the open dialog's input `name`.
async fn fill_dialog(b: &mut Browser, name: &str, value: &str) {
    b.fill(&format!("dialog[open] [name=\"{name}\"]"), value).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn super_admin_creates_a_store_manager_with_two_stores() {
    let app = spawn_app_with(false, |t| t).await;
    let mut b = users_screen(&app).await;
    assert_eq!(text(&mut b, "h1").await, "Usuarios");

    b.click("[data-action=nuevo]").await;
    b.wait_for("document.querySelector('dialog[open]')").await;
    assert_eq!(text(&mut b, "dialog[open] h2").await, "Nuevo usuario");
    assert_eq!(
        b.eval("document.querySelector('dialog[open] select[name=rol_id]').value").await,
        json!("gestor_abastecimiento"),
        "the original screen's default role is pre-selected"
    );
    assert_eq!(b.eval("document.querySelector('dialog[open] [data-role=stores]').hidden").await, json!(true), "no stores for a planner");

    fill_dialog(&mut b, "username", "gerente.norte").await;
    fill_dialog(&mut b, "nombre_completo", "Norma Pérez").await;
    fill_dialog(&mut b, "email", "norma@example.com").await;
    fill_dialog(&mut b, "password", "temporal-segura-1").await;
    select(&mut b, "dialog[open] select[name=rol_id]", "gerente_tienda").await;
    assert_eq!(b.eval("document.querySelector('dialog[open] [data-role=stores]').hidden").await, json!(false));
    // Only active stores are offered, never a CEDI.
    let offered: Vec<String> =
        serde_json::from_value(b.eval("[...document.querySelectorAll('dialog[open] input[name=tiendas]')].map(i => i.value)").await)
            .unwrap();
    assert_eq!(offered, vec!["tienda_01", "tienda_02"], "the store checklist is not empty and lists only stores");
    b.click("dialog[open] input[name=tiendas][value=tienda_01]").await;
    b.click("dialog[open] input[name=tiendas][value=tienda_02]").await;
    b.screenshot(&artifacts_dir().join("usuarios-nuevo-dialogo.png")).await;
    submit_dialog(&mut b).await;
    wait_dialog_closed(&mut b).await;

    let row = "tr[data-username=\"gerente.norte\"]";
    b.wait_for(&format!("document.querySelector('{row}')")).await;
    assert_eq!(text(&mut b, &format!("{row} .badge-rol")).await, "Gerente de Tienda");
    assert_eq!(text(&mut b, &format!("{row} [data-campo=nombre]")).await, "Norma Pérez");
    assert_eq!(text(&mut b, &format!("{row} [data-campo=estado] .estado")).await, "Activo");
    assert!(text(&mut b, "[data-role=flash]").await.contains("gerente.norte"), "confirmation message");
    assert_eq!(b.eval("document.querySelector('tbody tr').dataset.username").await, json!("gerente.norte"), "newest first");
    b.screenshot(&artifacts_dir().join("usuarios-creado.png")).await;

    let u = api_user(&app, "gerente.norte").await;
    assert_eq!(u["rol_id"], "gerente_tienda");
    assert_eq!(u["tiendas_asignadas"], json!(["tienda_01", "tienda_02"]));
    assert_eq!(u["email"], "norma@example.com");
    assert_eq!(u["must_change_password"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_dialog_starts_with_the_current_stores_checked() {
    let app = spawn_app_with(false, |t| t).await;
    app.add_user("gerente.sur", "clave-del-sur-1", "gerente_tienda", &["tienda_02"]);
    let mut b = users_screen(&app).await;
    let row = "tr[data-username=\"gerente.sur\"]";
    assert!(text(&mut b, &format!("{row} .role-stores")).await.contains("LA CANDELARIA"), "assigned store named in the row");

    open_row_dialog(&mut b, "gerente.sur", "rol").await;
    assert_eq!(b.eval("document.querySelector('dialog[open] select[name=rol_id]').value").await, json!("gerente_tienda"));
    assert_eq!(b.eval("document.querySelector('dialog[open] [data-role=stores]').hidden").await, json!(false));
    assert_eq!(checked_stores(&mut b).await, vec!["tienda_02"], "current assignment pre-checked");
    b.screenshot(&artifacts_dir().join("usuarios-rol-tiendas.png")).await;

    // Saving without touching the list keeps the stores (the original silently removed them).
    submit_dialog(&mut b).await;
    wait_dialog_closed(&mut b).await;
    assert_eq!(api_user(&app, "gerente.sur").await["tiendas_asignadas"], json!(["tienda_02"]));

    // Adding a store: the dialog reopens with the fresh assignment.
    open_row_dialog(&mut b, "gerente.sur", "rol").await;
    b.click("dialog[open] input[name=tiendas][value=tienda_01]").await;
    submit_dialog(&mut b).await;
    wait_dialog_closed(&mut b).await;
    assert_eq!(api_user(&app, "gerente.sur").await["tiendas_asignadas"], json!(["tienda_01", "tienda_02"]));
    open_row_dialog(&mut b, "gerente.sur", "rol").await;
    assert_eq!(checked_stores(&mut b).await, vec!["tienda_01", "tienda_02"]);

    // A store manager without stores is refused before the request, next to the list.
    b.click("dialog[open] [data-action=check-none]").await;
    submit_dialog(&mut b).await;
    b.wait_for("!document.querySelector('dialog[open] [data-error-for=tiendas_asignadas]').hidden").await;
    assert!(text(&mut b, "dialog[open] [data-error-for=tiendas_asignadas]").await.contains("al menos una tienda"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_username_shows_the_server_message() {
    let app = spawn_app_with(false, |t| t).await;
    app.add_user("compras", "clave-de-compras-1", "gestor_abastecimiento", &[]);
    let mut b = users_screen(&app).await;

    b.click("[data-action=nuevo]").await;
    b.wait_for("document.querySelector('dialog[open]')").await;
    fill_dialog(&mut b, "username", "Compras").await;
    fill_dialog(&mut b, "password", "otra-clave-segura-9").await;
    submit_dialog(&mut b).await;
    b.wait_for("document.querySelector('dialog[open]').dataset.state === 'error'").await;
    assert_eq!(text(&mut b, "dialog[open] [data-role=dialog-error]").await, "El usuario 'compras' ya existe");
    b.screenshot(&artifacts_dir().join("usuarios-duplicado.png")).await;

    // A validation error from the server lands next to its field.
    fill_dialog(&mut b, "username", "con espacio").await;
    submit_dialog(&mut b).await;
    b.wait_for("!document.querySelector('dialog[open] [data-error-for=username]').hidden").await;
    assert!(text(&mut b, "dialog[open] [data-error-for=username]").await.contains("3 a 50 caracteres"));
    let users: Value = app.get_admin("/api/auth/users").await.json().await.unwrap();
    assert_eq!(users.as_array().unwrap().len(), 2, "nothing was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_a_temporary_password_changes_it_and_continues() {
    let app = spawn_app_with(false, |t| t).await;
    let r = app
        .client
        .post(app.url("/api/auth/register"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"username": "nueva", "password": "temporal-123", "nombre_completo": "Nueva Compradora",
                      "rol_id": "gestor_abastecimiento", "tiendas_asignadas": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    let mut b = Browser::launch().await;
    b.goto(&app.url("/inventarios")).await;
    b.wait_ready().await;
    b.fill("input[name=username]", "nueva").await;
    b.fill("input[name=password]", "temporal-123").await;
    b.click("button[type=submit]").await;
    b.wait_for(
        "location.pathname === '/cuenta' && document.body.dataset.state === 'ready' && document.querySelector('[data-role=must-change]')",
    )
    .await;
    assert_eq!(text(&mut b, "h1").await, "Mi cuenta");
    assert!(text(&mut b, "[data-role=must-change]").await.contains("Debe cambiar su contraseña antes de continuar"));
    assert_eq!(text(&mut b, "[data-campo=rol]").await, "Gestor de Abastecimiento");
    let nav = b.eval("document.querySelectorAll('#nav-main a').length").await;
    assert_eq!(nav, json!(0), "no nav that would only bounce back to /cuenta");
    assert_eq!(b.eval("!!document.querySelector('[data-action=logout]')").await, json!(true), "Salir stays available");
    b.screenshot(&artifacts_dir().join("cuenta-cambio-obligatorio.png")).await;

    // Any other path leads back here while the change is pending.
    b.eval("window.fluxion.navigate('/inventarios')").await;
    b.wait_ready().await;
    assert_eq!(b.eval("location.pathname").await, json!("/cuenta"));

    // Confirmation mismatch: caught in the browser.
    b.fill("#cuenta-actual", "temporal-123").await;
    b.fill("#cuenta-nueva", "mi-clave-nueva-7").await;
    b.fill("#cuenta-confirmar", "mi-clave-nueva-8").await;
    b.click("[data-role=password-form] button[type=submit]").await;
    b.wait_for("!document.querySelector('[data-error-for=confirm_password]').hidden").await;
    assert_eq!(text(&mut b, "[data-error-for=confirm_password]").await, "Las contraseñas no coinciden.");

    // Wrong current password: the server's message, next to that field.
    b.fill("#cuenta-actual", "no-es-la-clave").await;
    b.fill("#cuenta-confirmar", "mi-clave-nueva-7").await;
    b.click("[data-role=password-form] button[type=submit]").await;
    b.wait_for("!document.querySelector('[data-error-for=current_password]').hidden").await;
    assert_eq!(text(&mut b, "[data-error-for=current_password]").await, "La contraseña actual no es correcta");
    assert_eq!(b.eval("document.querySelector('#cuenta-actual').getAttribute('aria-invalid')").await, json!("true"));
    b.screenshot(&artifacts_dir().join("cuenta-error-campo.png")).await;

    b.fill("#cuenta-actual", "temporal-123").await;
    b.click("[data-role=password-form] button[type=submit]").await;
    // The buyer's landing page (spec 50 §9.2: the orders list for the roles that have it).
    b.wait_for("location.pathname === '/pedidos-sugeridos' && document.body.dataset.state === 'ready'").await;
    assert_eq!(text(&mut b, "h1").await, "Pedidos sugeridos");
    let nav: Vec<String> =
        serde_json::from_value(b.eval("[...document.querySelectorAll('#nav-main a')].map(a => a.dataset.nav)").await).unwrap();
    assert!(nav.contains(&"inventarios".to_string()), "the nav is back: {nav:?}");
    b.screenshot(&artifacts_dir().join("cuenta-tras-cambio.png")).await;

    assert_eq!(app.login("nueva", "temporal-123").await.status(), 401, "the old password no longer logs in");
    let r = app.login("nueva", "mi-clave-nueva-7").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["must_change_password"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_is_denied_the_users_screen() {
    let app = spawn_app_with(false, |t| t).await;
    app.add_user("mirada", "clave-de-vista-1", "visualizador", &[]);
    let token = app.token("mirada", "clave-de-vista-1").await;
    let mut b = open_as(&app, &token, "/administrador/usuarios").await;
    b.screenshot(&artifacts_dir().join("usuarios-acceso-denegado.png")).await;
    assert_eq!(text(&mut b, "h1").await, "Acceso Denegado");
    assert_eq!(b.eval("document.querySelector('table')").await, Value::Null, "no user data on screen");
    assert_eq!(b.eval("!!document.querySelector('a[data-nav=administrador]')").await, json!(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_screen_shows_profile_and_changes_the_password() {
    let app = spawn_app_with(false, |t| t).await;
    app.add_user("gerente.sur", "clave-del-sur-1", "gerente_tienda", &["tienda_01", "tienda_02"]);
    let token = app.token("gerente.sur", "clave-del-sur-1").await;
    let mut b = open_as(&app, &token, "/cuenta").await;
    assert_eq!(text(&mut b, "h1").await, "Mi cuenta");
    assert_eq!(b.eval("!!document.querySelector('[data-role=must-change]')").await, json!(false));
    assert_eq!(text(&mut b, "[data-campo=username]").await, "gerente.sur");
    assert_eq!(text(&mut b, "[data-campo=rol]").await, "Gerente de Tienda");
    let stores = b.eval("[...document.querySelectorAll('[data-campo=tiendas] li')].map(li => li.textContent)").await;
    assert_eq!(stores, json!(["PERIFERICO", "LA CANDELARIA"]), "store names, not ids");
    // dd/mm/aaaa hh:mm in the tenant's zone, with a freshness stamp.
    let last = text(&mut b, "[data-campo=ultimo_login]").await;
    assert!(regex_like_datetime(&last) && last.contains("hace"), "last login shown as a local date and time: {last}");
    b.screenshot(&artifacts_dir().join("cuenta.png")).await;

    b.fill("#cuenta-actual", "clave-del-sur-1").await;
    b.fill("#cuenta-nueva", "clave-del-sur-2").await;
    b.fill("#cuenta-confirmar", "clave-del-sur-2").await;
    b.click("[data-role=password-form] button[type=submit]").await;
    b.wait_for("!document.querySelector('[data-role=form-ok]').hidden").await;
    assert!(text(&mut b, "[data-role=form-ok]").await.starts_with("Contraseña actualizada"));
    assert_eq!(b.eval("location.pathname").await, json!("/cuenta"), "an ordinary change stays on the screen");
    // The browser got the fresh session cookie: the API still answers it.
    assert_eq!(b.eval("fetch('/api/auth/me').then(r => r.status)").await, json!(200));
    assert_eq!(app.login("gerente.sur", "clave-del-sur-1").await.status(), 401);
}

/// "25/11/2026 10:05" somewhere at the start of the text.
fn regex_like_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 16
        && [0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 14, 15].iter().all(|&i| b[i].is_ascii_digit())
        && b[2] == b'/'
        && b[5] == b'/'
        && b[10] == b' '
        && b[13] == b':'
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn row_actions_edit_reset_deactivate_and_reactivate() {
    let app = spawn_app_with(false, |t| t).await;
    app.add_user("analista", "clave-analista-1", "visualizador", &[]);
    let mut b = users_screen(&app).await;
    let row = "tr[data-username=\"analista\"]";

    // Edit name and e-mail (pre-filled with the current values).
    open_row_dialog(&mut b, "analista", "editar").await;
    assert_eq!(b.eval("document.querySelector('dialog[open] [name=nombre_completo]').value").await, json!("analista"));
    fill_dialog(&mut b, "nombre_completo", "Ana Lítica").await;
    fill_dialog(&mut b, "email", "sin-arroba").await;
    submit_dialog(&mut b).await;
    b.wait_for("!document.querySelector('dialog[open] [data-error-for=email]').hidden").await;
    assert_eq!(text(&mut b, "dialog[open] [data-error-for=email]").await, "Correo electrónico no válido");
    fill_dialog(&mut b, "email", "ana@example.com").await;
    submit_dialog(&mut b).await;
    wait_dialog_closed(&mut b).await;
    assert_eq!(text(&mut b, &format!("{row} [data-campo=nombre]")).await, "Ana Lítica");
    assert_eq!(text(&mut b, &format!("{row} [data-campo=email]")).await, "ana@example.com");

    // Reset the password: the user must change it at next login.
    open_row_dialog(&mut b, "analista", "clave").await;
    b.click("dialog[open] [data-action=generate]").await;
    let generated = b.eval("document.querySelector('dialog[open] [name=new_password]').value").await;
    let generated = generated.as_str().unwrap().to_string();
    assert_eq!(generated.len(), 12);
    submit_dialog(&mut b).await;
    wait_dialog_closed(&mut b).await;
    assert_eq!(text(&mut b, &format!("{row} .estado-nota")).await, "Clave temporal");
    let r = app.login("analista", &generated).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["must_change_password"], true);

    // Deactivate, with confirmation: the row is dimmed and says "Inactivo".
    open_row_dialog(&mut b, "analista", "desactivar").await;
    assert!(text(&mut b, "dialog[open] h2").await.contains("¿Desactivar a analista?"));
    submit_dialog(&mut b).await;
    wait_dialog_closed(&mut b).await;
    assert_eq!(text(&mut b, &format!("{row} .estado")).await, "Inactivo");
    assert_eq!(b.eval(&format!("document.querySelector('{row}').classList.contains('is-inactive')")).await, json!(true));
    let opacity = b.eval(&format!("getComputedStyle(document.querySelector('{row} td[data-campo=email]')).opacity")).await;
    assert_ne!(opacity, json!("1"), "inactive rows are dimmed");
    assert_eq!(app.login("analista", &generated).await.status(), 401);
    b.screenshot(&artifacts_dir().join("usuarios-inactivo.png")).await;

    // Filter box.
    b.fill("input[data-role=filter]", "lítica").await;
    b.wait_for("document.querySelectorAll('tbody tr').length === 1").await;
    assert_eq!(b.eval("document.querySelector('tbody tr').dataset.username").await, json!("analista"));
    b.fill("input[data-role=filter]", "nadie-se-llama-asi").await;
    b.wait_for("document.querySelector('.state-empty')").await;
    b.fill("input[data-role=filter]", "").await;
    b.wait_for("document.querySelectorAll('tbody tr').length === 2").await;

    open_row_dialog(&mut b, "analista", "reactivar").await;
    submit_dialog(&mut b).await;
    wait_dialog_closed(&mut b).await;
    assert_eq!(text(&mut b, &format!("{row} .estado")).await, "Activo");
    assert_eq!(app.login("analista", &generated).await.status(), 200);

    // The admin cannot deactivate itself from the screen.
    assert_eq!(
        b.eval(&format!("document.querySelector('tr[data-username=\"{ADMIN}\"] [data-action=desactivar]').disabled")).await,
        json!(true)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_admin_keeps_the_role_and_the_screen_says_why() {
    let app = spawn_app_with(false, |t| t).await;
    let mut b = users_screen(&app).await;
    open_row_dialog(&mut b, ADMIN, "rol").await;
    select(&mut b, "dialog[open] select[name=rol_id]", "visualizador").await;
    submit_dialog(&mut b).await;
    b.wait_for("document.querySelector('dialog[open]').dataset.state === 'error'").await;
    assert_eq!(text(&mut b, "dialog[open] [data-role=dialog-error]").await, "No se puede cambiar el rol del último super administrador");
    b.screenshot(&artifacts_dir().join("usuarios-ultimo-admin.png")).await;
    assert_eq!(api_user(&app, ADMIN).await["rol_id"], "super_admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_screen_fits_a_1024_px_screen() {
    let app = spawn_app_with(false, |t| t).await;
    app.add_user("gerente.sur", "clave-del-sur-1", "gerente_tienda", &["tienda_01", "tienda_02"]);
    app.add_user("maria.fernanda.gonzalez", "clave-de-maria-1", "gerente_general", &[]);
    let mut b = Browser::launch().await;
    b.call("Emulation.setDeviceMetricsOverride", json!({"width": 1024, "height": 768, "deviceScaleFactor": 1, "mobile": false})).await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/administrador/usuarios")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('tr[data-username=\"admin\"]')").await;
    b.screenshot(&artifacts_dir().join("usuarios-1024.png")).await;
    let overflow = b.eval("document.documentElement.scrollWidth - document.documentElement.clientWidth").await;
    assert_eq!(overflow, json!(0), "no horizontal scroll at 1024 px");
    let fits = b.eval("document.querySelector('.users-table').offsetWidth <= document.querySelector('.table-card').clientWidth").await;
    assert_eq!(fits, json!(true), "the table stays inside its card");

    open_row_dialog(&mut b, "gerente.sur", "rol").await;
    b.screenshot(&artifacts_dir().join("usuarios-rol-1024.png")).await;

    // The administrator landing links here.
    b.goto(&app.url("/administrador")).await;
    b.wait_ready().await;
    assert_eq!(text(&mut b, "h1").await, "Panel de administrador");
    b.screenshot(&artifacts_dir().join("administrador-1024.png")).await;
    b.click("a[data-shortcut=usuarios]").await;
    b.wait_for("location.pathname === '/administrador/usuarios' && document.querySelector('tr[data-username=\"admin\"]')").await;
    b.goto(&app.url("/cuenta")).await;
    b.wait_ready().await;
    b.screenshot(&artifacts_dir().join("cuenta-1024.png")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_lockout_shows_the_wait_in_spanish() {
    let app = spawn_app_with(false, |t| t).await;
    app.add_user("olvidadizo", "clave-correcta-1", "visualizador", &[]);
    for _ in 0..5 {
        assert_eq!(app.login("olvidadizo", "equivocada-1").await.status(), 401);
    }
    let mut b = Browser::launch().await;
    b.goto(&app.url("/login")).await;
    b.wait_ready().await;
    b.fill("input[name=username]", "olvidadizo").await;
    b.fill("input[name=password]", "clave-correcta-1").await;
    b.click("button[type=submit]").await;
    b.wait_for("!document.querySelector('.banner-error').hidden").await;
    let banner = text(&mut b, ".banner-error").await;
    assert!(banner.starts_with("Demasiados intentos. Intente de nuevo en "), "{banner}");
    assert!(banner.ends_with("minuto(s)"), "{banner}");
    b.screenshot(&artifacts_dir().join("login-bloqueo.png")).await;
}
