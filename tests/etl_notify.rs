//! E-mail notifications of ETL runs (spec 20 §12) through a real SMTP conversation: a
//! local sink speaks SMTP over TCP, lettre delivers to it, the messages are parsed back.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

#[path = "common/smtp.rs"]
mod smtp;
#[path = "etl_support/mod.rs"]
mod support;

use fluxion::etl::{EtlJob, RunKind};
use mail_parser::MessageParser;
use smtp::spawn_smtp_sink;
use support::*;

/// (subject, plain text, html) of a raw message.
fn parsed(raw: &str) -> (String, String, String) {
    let m = MessageParser::default().parse(raw.as_bytes()).expect("a MIME message");
    (
        m.subject().unwrap_or_default().to_string(),
        m.body_text(0).map(|t| t.to_string()).unwrap_or_default(),
        m.body_html(0).map(|t| t.to_string()).unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problem_runs_are_mailed_once_per_window_and_summarised_in_the_digest() {
    let (port, mails) = spawn_smtp_sink().await;
    let klk = spawn_klk().await;
    klk.state.fault("SUC001", Fault::ErrorKey("sucursal bloqueada".into()));
    let email = format!(
        "\n[notifications.email]\nenabled = true\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {port}\nstarttls = false\n\
         from = \"Fluxion <fluxion@test.local>\"\nrecipients = [\"ops@test.local\", \"compras@test.local\"]\nrepeat_suppress_minutes = 60\n"
    );
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 2, &email), "", fast_options()).await;

    // A scheduled run with one location failing: partial → one e-mail.
    let r = fluxion::etl::jobs::scheduled_run(&env.etl, EtlJob::Ventas, RunKind::Scheduled).await.expect("ran");
    assert_eq!(r.status, "partial", "{:?}", r.locations);
    let sent = mails.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "one e-mail for the partial run");
    assert!(sent[0].contains("ops@test.local") && sent[0].contains("compras@test.local"), "both recipients");
    let (subject, text, html) = parsed(&sent[0]);
    assert!(subject.contains("⚠️") && subject.contains("ETL Ventas") && subject.contains("PARTIAL SUCCESS"), "{subject}");
    assert!(text.contains("Tiendas procesadas 1/2"), "{text}");
    let failed = r.locations.iter().find(|l| l.status == "failed").expect("a failed location");
    assert!(text.contains(&format!("{}: ", failed.tienda_nombre)) && text.contains("sucursal bloqueada"), "{text}");
    assert!(html.contains("<table") && html.contains("sucursal bloqueada"), "{html}");

    // The same job failing again inside the window: held back, not mailed.
    let r = fluxion::etl::jobs::scheduled_run(&env.etl, EtlJob::Ventas, RunKind::Scheduled).await.expect("ran");
    assert_eq!(r.status, "partial");
    assert_eq!(mails.lock().unwrap().len(), 1, "repeat suppressed");

    // A successful run is not mailed under the default policy (partial, failed).
    klk.state.clear_fault("SUC001");
    let r = fluxion::etl::jobs::scheduled_run(&env.etl, EtlJob::Ventas, RunKind::Scheduled).await.expect("ran");
    assert_eq!(r.status, "success", "{:?}", r.locations);
    assert_eq!(mails.lock().unwrap().len(), 1);

    // A slot missed while the service was down is a notice of the day.
    fluxion::etl::history::add_notice(&env.sqlite(), "inventario", "ejecucion_perdida", "inventario 10:30 no se ejecutó").unwrap();

    // The morning digest covers the previous local day: asking "tomorrow" covers today.
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    env.etl.notifier().daily_digest(&env.state.app_db_path, tomorrow).await.expect("digest sent");
    let sent = mails.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    let (subject, text, _) = parsed(&sent[1]);
    assert!(subject.contains("Resumen diario ETL"), "{subject}");
    assert!(text.contains("ventas: partial: 2, success: 1"), "{text}");
    assert!(text.contains(&format!("{}: 2 fallo(s)", failed.tienda_nombre)), "{text}");
    assert!(text.contains("límite de repetición: 1"), "{text}");
    assert!(text.contains("[ejecucion_perdida] inventario 10:30 no se ejecutó"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_mail_server_never_fails_the_run() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let klk = spawn_klk().await;
    klk.state.fault("SUC001", Fault::ErrorKey("sucursal bloqueada".into()));
    let email = format!("\n[notifications.email]\nenabled = true\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {port}\nstarttls = false\nfrom = \"alertas@test.local\"\nrecipients = [\"ops@test.local\"]\n");
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 2, &email), "", fast_options()).await;
    let r = fluxion::etl::jobs::scheduled_run(&env.etl, EtlJob::Ventas, RunKind::Scheduled).await.expect("ran");
    assert_eq!(r.status, "partial");
    let stored: String =
        env.sqlite().query_row("SELECT status FROM etl_executions WHERE id = ?", [r.execution_id], |row| row.get(0)).unwrap();
    assert_eq!(stored, "partial", "the run is recorded whatever the mail server does");
}
