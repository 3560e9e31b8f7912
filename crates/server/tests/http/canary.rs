//! The log canary: a pseudonym, a password and a token with unique markers go through every
//! account flow, and none of them may appear anywhere in the captured logs.

use crate::support::{TestServer, captured_logs};
use mutual_testkit::both_backends;
use serde_json::json;

both_backends! {
    async fn no_pseudonym_password_or_token_reaches_the_logs(database) {
        let server = TestServer::start(database).await;
        let marker = uuid::Uuid::now_v7().simple().to_string();
        let username = format!("cn{}", &marker[20..]);
        let password = format!("canary secret {marker}");
        let new_password = format!("canary renewed {marker}");
        let body = json!({ "username": username, "password": password, "email": format!("{marker}@example.org") });
        let created = server.client.post(server.url("/api/v1/accounts")).json(&body).send().await.unwrap();
        assert_eq!(created.status(), 201);
        server.sign_in(&username, &format!("{password} wrong")).await;
        let session: serde_json::Value = server.sign_in(&username, &password).await.json().await.unwrap();
        let token = session["token"].as_str().unwrap().to_owned();
        server.client.get(server.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        server.client.get(server.url("/api/v1/me/export")).bearer_auth(&token).send().await.unwrap();
        let mut visitor = server.visitor();
        let page = visitor.post("/login", &[("username", &username), ("password", &password)]).await;
        assert_eq!(page.status, 303);
        let cookie = visitor.cookies["mutual_session"].clone();
        visitor.get("/settings").await;
        visitor.post("/settings/password", &[("current_password", &password), ("new_password", &new_password)]).await;
        visitor.post("/settings/delete", &[("password", &new_password)]).await;
        server.stop().await;

        let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned();
        assert!(logs.contains("route=/api/v1/accounts"), "the capture works");
        assert!(logs.contains("route=/settings/delete"), "the capture works");
        for secret in [&marker[20..], password.as_str(), new_password.as_str(), token.as_str(), cookie.as_str(), marker.as_str()] {
            assert!(!logs.contains(secret), "a secret reached the logs: {secret}");
        }
    }
}
