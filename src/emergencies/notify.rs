//! The e-mail of a scan's new STOCKOUT and CRITICO items, one per store, to the store's
//! emergency recipients and its order recipients (tenant.toml `order_recipients`), through the
//! notification outbox (retries, spec 50 §11). "New" = not mailed earlier that local day for
//! the same store, product and type (`emergencias_notificadas`, written in the scan's
//! transaction), so neither a scan nor the scans after it repeat an item.

use chrono::NaiveDateTime;

use super::{Emergency, StoreDay};
use crate::appdb::emergencies as store_db;
use crate::config::Tenant;
use crate::domain::sales::round_half_away;
use crate::mail::{escape, outbox, Email};

fn number(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, round_half_away(v, decimals as i32));
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped},{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn compose(tenant: &Tenant, store_name: &str, items: &[&Emergency], now: NaiveDateTime) -> Email {
    let stockouts = items.iter().filter(|e| e.tipo == crate::domain::emergencies::EmergencyType::Stockout).count();
    let subject = format!(
        "[Fluxion] {}: {} emergencia(s) nueva(s) en {store_name} ({stockouts} agotado(s))",
        tenant.file.tenant.display_name,
        items.len()
    );
    let link = format!("{}/emergencias", tenant.file.server.public_url.trim_end_matches('/'));
    let when = now.format("%d/%m/%Y %H:%M");
    let line = |e: &Emergency| {
        let clock = e.hora_agotamiento.as_deref().map(|h| format!(", se agota hacia las {h}")).unwrap_or_default();
        format!(
            "{} · {} {} (clase {}): stock {}, demanda restante {}{clock}",
            e.tipo.as_str(),
            e.producto_codigo,
            e.descripcion,
            e.clase_abc,
            number(e.stock_actual, 2),
            number(e.demanda_restante, 2)
        )
    };
    let lines: Vec<String> = items.iter().map(|e| line(e)).collect();
    let text = format!(
        "Emergencias de inventario en {store_name} ({when}):\n\n{}\n\nVer el tablero: {link}\n",
        lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n")
    );
    let rows: String = items
        .iter()
        .map(|e| {
            format!(
                "<tr><td><b>{}</b></td><td>{}</td><td>{}</td><td>{}</td><td style=\"text-align:right\">{}</td>\
                 <td style=\"text-align:right\">{}</td><td>{}</td></tr>",
                e.tipo.as_str(),
                escape(&e.producto_codigo),
                escape(&e.descripcion),
                escape(&e.clase_abc),
                number(e.stock_actual, 2),
                number(e.demanda_restante, 2),
                escape(e.hora_agotamiento.as_deref().unwrap_or("-"))
            )
        })
        .collect();
    let html = format!(
        "<html><body><p>Emergencias de inventario en <b>{}</b> ({when}):</p>\
         <table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr><th>Tipo</th><th>Código</th><th>Producto</th><th>ABC</th>\
         <th>Stock</th><th>Demanda restante</th><th>Agotamiento</th></tr>{rows}</table>\
         <p><a href=\"{}\">Ver el tablero de emergencias</a></p></body></html>",
        escape(store_name),
        escape(&link)
    );
    Email { subject, text, html }
}

/// Marks and queues the new notified items of each store; returns how many mails were queued.
pub(super) fn queue_new(
    tenant: &Tenant,
    tx: &rusqlite::Connection,
    days: &[StoreDay],
    emergencies: &[Emergency],
    scan_id: &str,
    now: NaiveDateTime,
) -> Result<usize, crate::appdb::AppDbError> {
    let enabled = tenant.file.notifications.email.as_ref().is_some_and(|e| e.enabled);
    if !enabled {
        return Ok(0);
    }
    let fecha = now.date().to_string();
    let mut queued = 0;
    for day in days.iter().filter(|d| d.config.notificaciones_activas) {
        let mut recipients: Vec<String> = Vec::new();
        for r in day.config.emails_notificacion.iter().chain(day.store.order_recipients.iter()) {
            let r = r.trim().to_string();
            if !r.is_empty() && !recipients.iter().any(|x| x.eq_ignore_ascii_case(&r)) {
                recipients.push(r);
            }
        }
        if recipients.is_empty() {
            continue;
        }
        let mut fresh: Vec<&Emergency> = Vec::new();
        for e in emergencies.iter().filter(|e| e.ubicacion_id == day.store.id && e.tipo.is_notified()) {
            if store_db::mark_notified(tx, &fecha, &e.ubicacion_id, &e.producto_codigo, e.tipo.as_str(), scan_id)? {
                fresh.push(e);
            }
        }
        if fresh.is_empty() {
            continue;
        }
        let email = compose(tenant, &day.store.name, &fresh, now);
        let id = outbox::enqueue(tx, "emergencias", &recipients, &email)?;
        store_db::link_outbox(tx, scan_id, &day.store.id, id)?;
        queued += 1;
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_in_the_tenant_format() {
        assert_eq!(number(1234.5, 2), "1.234,50");
        assert_eq!(number(-3.0, 2), "-3,00");
        assert_eq!(number(1234567.0, 0), "1.234.567");
    }
}
