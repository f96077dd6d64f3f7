//! The e-mails of an order's life (spec 30 §11.5, 50 §11): to the store's approvers when an
//! order awaits approval, to its creator when it is approved or rejected. They are queued in
//! the outbox right after the change is committed and delivered (with retries) by the outbox
//! worker, so a mail server that is down loses none.

use crate::appdb::orders::OrderKey;
use crate::config::Tenant;
use crate::domain::orders::OrderState;
use crate::mail::{escape, outbox, Email};

fn compose(subject: String, lines: &[String], link: &str) -> Email {
    let text = format!("{}\n\nVer el pedido: {link}\n", lines.join("\n"));
    let html = format!(
        "<html><body>{}<p><a href=\"{}\">Ver el pedido</a></p></body></html>",
        lines.iter().map(|l| format!("<p>{}</p>", escape(l))).collect::<String>(),
        escape(link)
    );
    Email { subject, text, html }
}

/// The order's page in the tenant's UI (relative when no public URL is configured).
fn link(tenant: &Tenant, id: &str) -> String {
    let base = tenant.file.server.public_url.trim_end_matches('/');
    format!("{base}/pedidos-sugeridos/{id}")
}

/// Queues the message(s) that a change of `order` to `to` calls for; none when e-mail is off
/// or nobody is configured to receive it.
pub fn queue_for_transition(
    tenant: &Tenant,
    conn: &rusqlite::Connection,
    order: &OrderKey,
    to: OrderState,
    by: &str,
    reason: Option<&str>,
) -> Result<Option<i64>, crate::appdb::AppDbError> {
    let enabled = tenant.file.notifications.email.as_ref().is_some_and(|e| e.enabled);
    if !enabled {
        return Ok(None);
    }
    let tienda = tenant.location_name(&order.tienda_destino_id);
    let cedi = tenant.location_name(&order.cedi_origen_id);
    let (tipo, recipients, email) = match to {
        OrderState::PendienteAprobacion => {
            let to: Vec<String> =
                tenant.stores().iter().find(|s| s.id == order.tienda_destino_id).map(|s| s.order_recipients.clone()).unwrap_or_default();
            let lines = vec![
                format!("El pedido {} para {tienda} (desde {cedi}) espera su aprobación.", order.numero_pedido),
                format!("Enviado por {by}."),
            ];
            (
                "pedido_pendiente",
                to,
                compose(format!("Pedido {} pendiente de aprobación · {tienda}", order.numero_pedido), &lines, &link(tenant, &order.id)),
            )
        }
        OrderState::Aprobado | OrderState::Rechazado => {
            let email: Option<String> =
                conn.query_row("SELECT email FROM usuarios WHERE username = ?1", [&order.usuario_creador], |r| r.get(0)).ok().flatten();
            let verb = if to == OrderState::Aprobado { "aprobado" } else { "rechazado" };
            let mut lines = vec![format!("Su pedido {} para {tienda} fue {verb} por {by}.", order.numero_pedido)];
            if let Some(r) = reason.filter(|r| !r.trim().is_empty()) {
                lines.push(format!("{}: {r}", if to == OrderState::Aprobado { "Comentario" } else { "Motivo" }));
            }
            (
                if to == OrderState::Aprobado { "pedido_aprobado" } else { "pedido_rechazado" },
                email.into_iter().collect(),
                compose(format!("Pedido {} {verb} · {tienda}", order.numero_pedido), &lines, &link(tenant, &order.id)),
            )
        }
        _ => return Ok(None),
    };
    if recipients.is_empty() {
        return Ok(None);
    }
    Ok(Some(outbox::enqueue(conn, tipo, &recipients, &email)?))
}
