//! Getting back into an account over HTTP: recovery codes shown once at registration (page and
//! API), each usable once, throttled like sign-in, renewable in settings; reset links by e-mail
//! that answer the same for unknown addresses and work once, for 30 minutes. Every recovery
//! ends every session and is in the audit log.

use crate::delivery::mail_config;
use crate::mail_sink::SmtpSink;
use crate::support::{PASSWORD, TestServer};
use mutual_testkit::both_backends;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

const NEW_PASSWORD: &str = "a brand new passphrase 42";

/// The codes on a recovery-codes page.
fn codes_on(page: &str) -> Vec<String> {
    page.split("<code>")
        .skip(1)
        .map(|rest| rest.split("</code>").next().unwrap().to_owned())
        .collect()
}

/// An e-mail as a mail client shows it: quoted-printable soft line breaks joined, `=3D` read.
fn decoded(message: &str) -> String {
    message.replace("=\n", "").replace("=3D", "=")
}

async fn audit_actions(server: &TestServer) -> Vec<String> {
    let events = mutual_store::audit::list_audit_events(&server.app.db, 200)
        .await
        .unwrap();
    events.into_iter().map(|e| e.action).collect()
}

both_backends! {
    async fn a_recovery_code_gets_a_member_back_in_once_and_ends_every_session(database) {
        let server = TestServer::start(database).await;
        let mut joiner = server.visitor();
        let joined = joiner.post("/register", &[("username", "forgetful_fern"), ("password", PASSWORD)]).await;
        assert_eq!(joined.status, 200, "{}", joined.body);
        let codes = codes_on(&joined.body);
        assert_eq!(codes.len(), 10, "{}", joined.body);
        assert!(codes.iter().all(|c| c.len() == 19 && c.matches('-').count() == 3), "{codes:?}");
        let unique: std::collections::BTreeSet<&String> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        let old_token = server.token("forgetful_fern").await;

        // Bad input: empty fields, an unknown field, a wrong code; the pseudonym is kept, never the code.
        let mut visitor = server.visitor();
        let page = visitor.get("/account-recovery").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Recovery code"), "{}", page.body);
        assert!(page.body.contains("does not send e-mail"), "no e-mail form without a mail server");
        let empty = visitor.post("/account-recovery/code", &[("username", ""), ("code", ""), ("new_password", "")]).await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("Enter your pseudonym") && empty.body.contains("Enter one of your recovery codes"), "{}", empty.body);
        let extra = visitor.post("/account-recovery/code", &[("username", "forgetful_fern"), ("code", &codes[0]), ("new_password", NEW_PASSWORD), ("admin", "1")]).await;
        assert_eq!(extra.status, 422, "unknown fields are refused: {}", extra.body);
        let wrong = visitor.post("/account-recovery/code", &[("username", "forgetful_fern"), ("code", "0000-0000-0000-0000"), ("new_password", NEW_PASSWORD)]).await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("do not go together") && wrong.body.contains("value=\"forgetful_fern\""), "{}", wrong.body);
        assert!(!wrong.body.contains(NEW_PASSWORD), "the password is never echoed back");
        let weak = visitor.post("/account-recovery/code", &[("username", "forgetful_fern"), ("code", &codes[0]), ("new_password", "short")]).await;
        assert_eq!(weak.status, 422, "a refused password does not spend the code: {}", weak.body);

        // The right code, typed loosely (capitals, spaces): the password is replaced, sessions end.
        let typed = codes[0].to_uppercase().replace('-', " ");
        let back = visitor.post("/account-recovery/code", &[("username", " Forgetful_Fern "), ("code", &typed), ("new_password", NEW_PASSWORD)]).await;
        assert_eq!(back.status, 303, "{}", back.body);
        assert_eq!(back.location(), "/login?recovered=1");
        assert!(visitor.get(back.location()).await.body.contains("Your new password is set"));
        let (status, _) = server.api(Method::GET, "/api/v1/me", Some(&old_token), None).await;
        assert_eq!(status, 401, "every session of the account ended");
        assert_eq!(joiner.get("/dashboard").await.status, 303, "the browser session too");
        assert_eq!(server.sign_in("forgetful_fern", PASSWORD).await.status(), 401, "the old password is gone");
        assert_eq!(server.sign_in("forgetful_fern", NEW_PASSWORD).await.status(), 201);
        assert!(audit_actions(&server).await.contains(&"account_recovered".to_owned()));

        // A code works once.
        let again = visitor.post("/account-recovery/code", &[("username", "forgetful_fern"), ("code", &codes[0]), ("new_password", NEW_PASSWORD)]).await;
        assert_eq!(again.status, 422, "{}", again.body);

        // Settings: how many are left; new ones need the password and replace the old.
        let mut member = server.visitor();
        let login = member.post("/login", &[("username", "forgetful_fern"), ("password", NEW_PASSWORD)]).await;
        assert_eq!(login.status, 303);
        let settings = member.get("/settings").await;
        assert!(settings.body.contains("You have 9 unused recovery codes"), "{}", settings.body);
        let refused = member.post("/settings/recovery-codes", &[("password", "not it at all")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("not your current password"), "{}", refused.body);
        let renewed = member.post("/settings/recovery-codes", &[("password", NEW_PASSWORD)]).await;
        assert_eq!(renewed.status, 200, "{}", renewed.body);
        let fresh = codes_on(&renewed.body);
        assert_eq!(fresh.len(), 10);
        let stale = visitor.post("/account-recovery/code", &[("username", "forgetful_fern"), ("code", &codes[1]), ("new_password", NEW_PASSWORD)]).await;
        assert_eq!(stale.status, 422, "old codes stop working");
        let works = visitor.post("/account-recovery/code", &[("username", "forgetful_fern"), ("code", &fresh[9]), ("new_password", "another new passphrase 7")]).await;
        assert_eq!(works.status, 303, "{}", works.body);
        assert!(audit_actions(&server).await.contains(&"recovery_codes_renewed".to_owned()));
        server.stop().await;
    }
}

both_backends! {
    async fn recovery_codes_come_with_an_api_registration_and_wrong_codes_are_throttled(database) {
        let server = TestServer::start(database).await;
        let (status, created) = server.api(Method::POST, "/api/v1/accounts", None, Some(&json!({"username": "api_fern", "password": PASSWORD}))).await;
        assert_eq!(status, 201, "{created}");
        let codes: Vec<String> = created["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
        assert_eq!(codes.len(), 10, "{created}");
        let mut guesser = server.visitor();
        let mut statuses = Vec::new();
        for _ in 0..6 {
            let page = guesser.post("/account-recovery/code", &[("username", "api_fern"), ("code", "zzzz-zzzz-zzzz-zzzz"), ("new_password", NEW_PASSWORD)]).await;
            statuses.push(page.status);
        }
        assert_eq!(statuses, [422, 422, 422, 422, 422, 429], "five guesses, as for sign-in");
        let right_but_locked = guesser.post("/account-recovery/code", &[("username", "api_fern"), ("code", &codes[0]), ("new_password", NEW_PASSWORD)]).await;
        assert_eq!(right_but_locked.status, 429, "a locked pseudonym takes no code, even the right one");
        server.clock.advance(Duration::from_secs(3600));
        let later = guesser.post("/account-recovery/code", &[("username", "api_fern"), ("code", &codes[0]), ("new_password", NEW_PASSWORD)]).await;
        assert_eq!(later.status, 303, "{}", later.body);
        server.stop().await;
    }
}

both_backends! {
    async fn an_api_client_recovers_with_a_code_once_and_bad_requests_are_explained(database) {
        let server = TestServer::start(database).await;
        let (status, created) = server.api(Method::POST, "/api/v1/accounts", None, Some(&json!({"username": "api_wren", "password": PASSWORD}))).await;
        assert_eq!(status, 201, "{created}");
        let code = created["recovery_codes"][0].as_str().unwrap().to_owned();
        let old_token = server.token("api_wren").await;
        let recover = |body: serde_json::Value| {
            let server = &server;
            async move { server.api(Method::POST, "/api/v1/account-recovery", None, Some(&body)).await }
        };

        let (status, body) = recover(json!({"username": "api_wren", "code": "", "new_password": ""})).await;
        assert_eq!(status, 422, "{body}");
        let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["code", "new_password"], "{body}");
        let (status, body) = recover(json!({"username": "api_wren", "code": code, "new_password": NEW_PASSWORD, "admin": true})).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("admin")), "unknown fields are refused: {body}");
        let (status, body) = recover(json!({"username": "api_wren", "code": code.to_lowercase().replace('-', " "), "new_password": NEW_PASSWORD})).await;
        assert_eq!(status, 204, "{body}");
        let me = server.client.get(server.url("/api/v1/me")).bearer_auth(&old_token).send().await.unwrap();
        assert_eq!(me.status(), 401, "every old session ended");
        assert_eq!(server.sign_in("api_wren", NEW_PASSWORD).await.status(), 201, "the new password works");
        let (status, body) = recover(json!({"username": "api_wren", "code": code, "new_password": PASSWORD})).await;
        assert_eq!(status, 422, "a code works once: {body}");
        assert!(body["error"]["message"].as_str().unwrap().len() > 10, "{body}");
        server.stop().await;
    }
}

both_backends! {
    async fn a_reset_link_is_mailed_only_to_a_known_address_works_once_and_expires(database) {
        let sink = SmtpSink::start().await;
        let server = TestServer::start_with(database, mail_config(sink.port)).await;
        let mut joiner = server.visitor();
        joiner.post("/register", &[("username", "mailed_fern"), ("password", PASSWORD), ("email", "Fern@Example.org")]).await;
        let old_token = server.token("mailed_fern").await;

        let mut visitor = server.visitor();
        let page = visitor.get("/account-recovery").await;
        assert!(page.body.contains("Send me a link"), "{}", page.body);
        let malformed = visitor.post("/account-recovery/email", &[("email", "not an address")]).await;
        assert_eq!(malformed.status, 422);
        assert!(malformed.body.contains("value=\"not an address\""), "what was typed is kept: {}", malformed.body);
        let unknown = visitor.post("/account-recovery/email", &[("email", "nobody@example.org")]).await;
        let known = visitor.post("/account-recovery/email", &[("email", "fern@example.org")]).await;
        assert_eq!(unknown.status, 200);
        assert_eq!(known.status, 200);
        let strip = |body: &str| body.split("name=\"csrf\"").next().unwrap().to_owned();
        assert_eq!(strip(&unknown.body), strip(&known.body), "the same answer whether or not the address is known");

        let mut mail = Vec::new();
        for _ in 0..100 {
            mail = sink.messages().iter().map(|m| decoded(m)).collect();
            if !mail.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(mail.len(), 1, "one e-mail, to the known address only: {mail:?}");
        assert!(mail[0].to_ascii_lowercase().contains("to: fern@example.org"), "{}", mail[0]);
        let start = mail[0].find("/account-recovery/reset/").expect("a link");
        let link: String = mail[0][start..].chars().take_while(|c| !c.is_whitespace()).collect();
        let token = link.trim_start_matches("/account-recovery/reset/").to_owned();
        assert!(mail[0].contains("https://harbour.example/account-recovery/reset/"), "{}", mail[0]);

        let form = visitor.get(&link).await;
        assert_eq!(form.status, 200, "{}", form.body);
        let weak = visitor.post(&link, &[("new_password", "short")]).await;
        assert_eq!(weak.status, 422, "{}", weak.body);
        let done = visitor.post(&link, &[("new_password", NEW_PASSWORD)]).await;
        assert_eq!(done.status, 303, "{}", done.body);
        let (status, _) = server.api(Method::GET, "/api/v1/me", Some(&old_token), None).await;
        assert_eq!(status, 401, "every session ended");
        assert_eq!(server.sign_in("mailed_fern", NEW_PASSWORD).await.status(), 201);
        let reused = visitor.get(&link).await;
        assert_eq!(reused.status, 404, "a link works once");
        assert!(reused.body.contains("no longer works"), "{}", reused.body);
        assert_eq!(visitor.post(&link, &[("new_password", "yet another passphrase")]).await.status, 404);
        assert_eq!(visitor.get("/account-recovery/reset/made-up-token").await.status, 404);
        assert!(!token.is_empty());

        // A second link expires after 30 minutes.
        visitor.post("/account-recovery/email", &[("email", "fern@example.org")]).await;
        let mut second = String::new();
        for _ in 0..100 {
            if let Some(message) = sink.messages().get(1) {
                second = decoded(message);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let start = second.find("/account-recovery/reset/").expect("a second link");
        let later: String = second[start..].chars().take_while(|c| !c.is_whitespace()).collect();
        server.clock.advance(Duration::from_secs(31 * 60));
        assert_eq!(visitor.get(&later).await.status, 404, "expired");
        let actions = audit_actions(&server).await;
        assert!(actions.contains(&"password_reset_requested".to_owned()) && actions.contains(&"account_recovered".to_owned()), "{actions:?}");
        server.stop().await;
    }
}
