//! A small SMTP server on loopback for the tests: it speaks enough SMTP for a real client
//! (EHLO, MAIL, RCPT, DATA, QUIT) and keeps every message it receives, so tests see exactly
//! what a member's inbox would.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A running sink; dropping it (or [`SmtpSink::stop`]) closes the port.
pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    /// A sink on a free port.
    pub async fn start() -> SmtpSink {
        SmtpSink::on(0).await
    }

    /// A sink on `port` (0: any free one).
    pub async fn on(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = messages.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(converse(stream, kept.clone()));
            }
        });
        SmtpSink {
            port,
            messages,
            task,
        }
    }

    /// Every message received so far: headers and body, as sent.
    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }

    /// Closes the port: deliveries fail until a sink listens again.
    pub fn stop(self) {
        self.task.abort();
    }
}

async fn converse(stream: TcpStream, messages: Arc<Mutex<Vec<String>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let mut data: Option<String> = None;
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(message) = data.as_mut() {
            if line == "." {
                messages.lock().unwrap().push(std::mem::take(message));
                data = None;
                let _ = write.write_all(b"250 queued\r\n").await;
            } else {
                message.push_str(line.strip_prefix('.').unwrap_or(&line));
                message.push('\n');
            }
            continue;
        }
        let command = line.to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if command.starts_with("HELO")
            || command.starts_with("MAIL")
            || command.starts_with("RCPT")
            || command.starts_with("RSET")
            || command.starts_with("NOOP")
        {
            b"250 OK\r\n"
        } else if command.starts_with("DATA") {
            data = Some(String::new());
            b"354 end with a dot\r\n"
        } else if command.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 not here\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
