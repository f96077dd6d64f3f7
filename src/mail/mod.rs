//! E-mail over the tenant's SMTP server (`[notifications.email]`, password in secrets.toml):
//! one composed message type, one sender, and the outbox through which order notifications
//! travel so that a mail server that is down loses nothing (spec 50 §11).

pub mod outbox;

use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{EmailSettings, Tenant};

/// A composed message: always a plain-text part beside the HTML one.
#[derive(Debug, Clone, PartialEq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("e-mail settings: {0}")]
    Settings(String),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("message: {0}")]
    Message(#[from] lettre::error::Error),
}

/// The tenant's SMTP sender; `None` settings when e-mail is off.
#[derive(Clone)]
pub struct Mailer {
    settings: Option<EmailSettings>,
    credentials: Option<(String, String)>,
}

impl Mailer {
    pub fn new(tenant: &Tenant) -> Mailer {
        Mailer {
            settings: tenant.file.notifications.email.clone().filter(|e| e.enabled && e.transport == "smtp"),
            credentials: tenant.secrets.smtp.as_ref().map(|c| (c.username.clone(), c.password.clone())),
        }
    }

    pub fn settings(&self) -> Option<&EmailSettings> {
        self.settings.as_ref()
    }

    /// Sends `email` to `recipients` (none: nothing to do).
    pub async fn send(&self, email: &Email, recipients: &[String]) -> Result<(), MailError> {
        let s = self.settings.as_ref().ok_or_else(|| MailError::Settings("e-mail disabled".into()))?;
        if recipients.is_empty() {
            return Ok(());
        }
        let host = s.smtp_host.as_deref().ok_or_else(|| MailError::Settings("notifications.email.smtp_host is missing".into()))?;
        let parse = |a: &str| a.parse::<Mailbox>().map_err(|e| MailError::Settings(format!("address «{a}»: {e}")));
        let mut builder =
            Message::builder().from(parse(s.from.as_deref().unwrap_or("Fluxion <fluxion@localhost>"))?).subject(&email.subject);
        for r in recipients {
            builder = builder.to(parse(r)?);
        }
        let message = builder.multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(email.text.clone()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(email.html.clone())),
        )?;
        let mut transport = if s.starttls {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?
        } else {
            // Plain SMTP: a relay on the host itself or the local network.
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        }
        .port(s.smtp_port)
        .timeout(Some(Duration::from_secs(30)));
        if let Some((u, p)) = &self.credentials {
            transport = transport.credentials(Credentials::new(u.clone(), p.clone()));
        }
        transport.build().send(message).await?;
        Ok(())
    }
}

/// `&`, `<`, `>` escaped for the HTML part.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
