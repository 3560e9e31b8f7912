//! Sending e-mail through the configured SMTP server (lettre), with TLS as configured and a
//! timeout, so that a slow or absent server fails a delivery (to be retried) and never hangs.

use crate::config::MailConfig;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// The configured mail server.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for the settings; refused with a message when they cannot work.
    pub fn new(config: &MailConfig) -> Result<Mailer, String> {
        let host = config.host.as_str();
        let builder = match config.tls.as_str() {
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
            "none" => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                host,
            )),
            other => {
                return Err(format!(
                    "app.mail.tls must be \"starttls\", \"tls\" or \"none\", not {other:?}"
                ));
            }
        }
        .map_err(|e| format!("app.mail.host {host:?} cannot be used: {e}"))?;
        let mut builder = builder
            .port(config.port)
            .timeout(Some(Duration::from_secs(10)));
        if !config.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                config.username.clone(),
                config.password.clone(),
            ));
        }
        let from = config
            .from
            .parse()
            .map_err(|e| format!("app.mail.from {:?} is not an address: {e}", config.from))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one plain-text message; the error says what went wrong, for the retry log.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| format!("bad recipient address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body.to_owned())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }
}
