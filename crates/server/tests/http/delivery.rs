//! Notifications delivered by e-mail through a real SMTP listener on loopback: only what each
//! member chose, discreet by default, never in quiet hours, gathered in a digest, and retried
//! when the mail server is down while the in-app notification is there regardless.

use crate::community::send;
use crate::mail_sink::SmtpSink;
use crate::support::TestServer;
use mutual_app::AppConfig;
use mutual_app::notifications::delivery::run_due_deliveries;
use mutual_testkit::both_backends;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

pub(crate) fn mail_config(port: u16) -> AppConfig {
    AppConfig {
        community_name: "Harbour".into(),
        public_url: "https://harbour.example".into(),
        mail: mutual_app::config::MailConfig {
            host: "127.0.0.1".into(),
            port,
            tls: "none".into(),
            from: "Harbour <notifications@harbour.example>".into(),
            ..Default::default()
        },
        ..AppConfig::default()
    }
}

async fn call(server: &TestServer, token: &str, method: Method, path: &str, body: Value) -> Value {
    let (status, answer) = send(server, method, path, Some(token), Some(body)).await;
    if status >= 300 {
        let logs =
            String::from_utf8_lossy(&crate::support::captured_logs().lock().unwrap()).to_string();
        let tail: String = logs
            .lines()
            .filter(|l| l.contains("ERROR"))
            .collect::<Vec<_>>()
            .join("\n");
        panic!("{path}: {status} {answer}\n{tail}");
    }
    answer
}

/// (attempts, last error) of the deliveries not sent yet.
async fn waiting(server: &TestServer) -> Vec<(i64, String)> {
    let sql =
        "SELECT attempts, last_error FROM deliveries WHERE sent_at IS NULL ORDER BY created_at";
    match &server.app.db {
        mutual_store::Db::Sqlite(pool, _) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        mutual_store::Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    }
}

both_backends! {
    async fn notifications_are_emailed_as_each_member_chose_and_retried_when_smtp_is_down(database) {
        let sink = SmtpSink::start().await;
        let server = TestServer::start_with(database, mail_config(sink.port)).await;
        for name in ["ada_d", "bea_d", "cy_d"] {
            server.register(name).await;
        }
        crate::community::make_trusted(&server, "ada_d").await;
        let ada = server.token("ada_d").await;
        let bea = server.token("bea_d").await;
        let cy = server.token("cy_d").await;

        // The defaults: Reach out only, discreet; nothing without an address.
        let defaults = call(&server, &bea, Method::GET, "/api/v1/notification-preferences", Value::Null).await;
        assert_eq!(defaults, json!({"email_address": null, "mail_configured": true, "email": ["reach_out"], "digest": [], "quiet_start": null, "quiet_end": null, "discreet": true}));
        call(&server, &bea, Method::PUT, "/api/v1/notification-preferences", json!({"email_address": "bea@example.org", "email": ["reach_out", "circles"], "discreet": true})).await;
        call(&server, &cy, Method::PUT, "/api/v1/notification-preferences", json!({"email_address": "cy@example.org", "email": [], "digest": ["circles"], "discreet": false})).await;
        let (status, body) = send(&server, Method::PUT, "/api/v1/notification-preferences", Some(&bea), Some(json!({"email_address": "not an address", "email": [], "discreet": true}))).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "email_address", "the API's own field name: {body}");
        let (status, body) = send(&server, Method::PUT, "/api/v1/notification-preferences", Some(&bea), Some(json!({"email": ["gossip"], "discreet": true}))).await;
        assert_eq!(status, 422, "{body}");

        let circle = call(&server, &ada, Method::POST, "/api/v1/circles", json!({"name": "Evening circle", "invite": ["bea_d", "cy_d"]})).await;
        let circle = circle["id"].as_str().unwrap().to_owned();
        for token in [&bea, &cy] {
            call(&server, token, Method::POST, &format!("/api/v1/circles/{circle}/answer"), json!({"answer": "accept"})).await;
        }
        call(&server, &ada, Method::POST, "/api/v1/reach-out", json!({"message": "Cravings tonight"})).await;
        assert!(sink.messages().is_empty(), "nothing is sent by the request itself");
        let sent = run_due_deliveries(&server.app).await.unwrap();
        assert_eq!(sent, 2, "Bea's invite and alert; Cy gets a digest later, Ada chose nothing");
        for message in sink.messages() {
            assert!(message.contains("To: bea@example.org"), "{message}");
            assert!(message.contains("Subject: You have a new notification on Harbour"), "{message}");
            for secret in ["ada_d", "hard time", "Cravings", "Evening circle", "circle"] {
                assert!(!message.contains(secret), "discreet mail says nothing: {secret} in {message}");
            }
        }
        assert_eq!(run_due_deliveries(&server.app).await.unwrap(), 0, "each is sent once");

        // Not discreet: the words are in the mail.
        call(&server, &bea, Method::PUT, "/api/v1/notification-preferences", json!({"email_address": "bea@example.org", "email": ["circles"], "discreet": false})).await;
        call(&server, &ada, Method::POST, &format!("/api/v1/circles/{circle}/nudges"), json!({"username": "bea_d"})).await;
        assert_eq!(run_due_deliveries(&server.app).await.unwrap(), 1);
        let last = sink.messages().pop().unwrap();
        assert!(last.contains("ada_d is thinking of you.") && last.contains("https://harbour.example/circles/"), "{last}");

        // Quiet hours hold mail until they end (the test clock reads 14:13 UTC).
        call(&server, &bea, Method::PUT, "/api/v1/notification-preferences", json!({"email_address": "bea@example.org", "email": ["circles"], "quiet_start": "13:00", "quiet_end": "15:00", "discreet": false})).await;
        call(&server, &ada, Method::POST, &format!("/api/v1/circles/{circle}/notes"), json!({"note": "Thinking of you both"})).await;
        assert_eq!(run_due_deliveries(&server.app).await.unwrap(), 0, "quiet hours");
        server.clock.advance(Duration::from_secs(47 * 60));
        assert_eq!(run_due_deliveries(&server.app).await.unwrap(), 1, "sent when they end");

        // The mail server goes down: the in-app notification is there, the e-mail waits and is retried.
        let port = sink.port;
        sink.stop();
        call(&server, &ada, Method::POST, &format!("/api/v1/circles/{circle}/notes"), json!({"note": "Still here"})).await;
        let inbox = call(&server, &bea, Method::GET, "/api/v1/notifications", Value::Null).await;
        assert!(inbox.to_string().contains("ada_d wrote some encouragement"), "{inbox}");
        assert_eq!(run_due_deliveries(&server.app).await.unwrap(), 0);
        let failed = waiting(&server).await;
        let bea_waiting: Vec<&(i64, String)> = failed.iter().filter(|(attempts, _)| *attempts == 1).collect();
        assert_eq!(bea_waiting.len(), 1, "{failed:?}");
        assert!(!bea_waiting[0].1.is_empty(), "the error is kept");
        assert_eq!(run_due_deliveries(&server.app).await.unwrap(), 0, "not before its retry time");
        let sink = SmtpSink::on(port).await;
        server.clock.advance(Duration::from_secs(61));
        assert_eq!(run_due_deliveries(&server.app).await.unwrap(), 1, "retried and delivered");
        assert!(sink.messages()[0].contains("ada_d wrote some encouragement"), "{:?}", sink.messages());

        // Cy's digest: one e-mail the next morning with the day's circle notifications.
        server.clock.advance(Duration::from_secs(18 * 3600));
        assert_eq!(run_due_deliveries(&server.app).await.unwrap(), 1);
        let digest = sink.messages().pop().unwrap();
        assert!(digest.contains("To: cy@example.org") && digest.contains("new notifications"), "{digest}");
        assert!(digest.contains("invited you to the accountability circle") && digest.contains("wrote some encouragement"), "{digest}");
        server.stop().await;
    }
}
