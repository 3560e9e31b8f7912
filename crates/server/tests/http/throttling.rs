//! Throttling: wrong-password floods are refused before any hashing, the owner gets back in
//! after the cool-down, and one client cannot spray many accounts or register without limit.

use crate::support::{PASSWORD, TestServer};
use mutual_testkit::both_backends;
use serde_json::json;
use std::time::Duration;

both_backends! {
    async fn a_password_flood_is_refused_before_hashing_and_the_owner_gets_back_in(database) {
        let server = TestServer::start(database).await;
        server.register("flood_target").await;
        for _ in 0..5 {
            assert_eq!(server.sign_in("flood_target", "guessing wrongly 1").await.status(), 401);
        }
        let hashes_before = server.app.hasher.operations();
        for _ in 0..30 {
            let refused = server.sign_in("flood_target", "guessing wrongly 2").await;
            assert_eq!(refused.status(), 429);
            let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=300).contains(&wait), "{wait}");
        }
        assert_eq!(server.app.hasher.operations(), hashes_before, "no password was hashed while locked");
        assert_eq!(server.sign_in("flood_target", PASSWORD).await.status(), 429, "the lock holds for everyone");
        let page = server.visitor().post("/login", &[("username", "flood_target"), ("password", PASSWORD)]).await;
        assert_eq!(page.status, 429);
        assert!(page.body.contains("Too many attempts"), "{}", page.body);

        server.clock.advance(Duration::from_secs(5 * 60 + 1));
        assert_eq!(server.sign_in("flood_target", PASSWORD).await.status(), 201, "the owner gets back in after the cool-down");
        server.stop().await;
    }
}

both_backends! {
    async fn concurrent_guesses_cannot_pass_the_limit(database) {
        let server = TestServer::start(database).await;
        server.register("flood_at_once").await;
        let hashes_before = server.app.hasher.operations();
        let guesses: Vec<_> = (0..200)
            .map(|n| {
                let request = server
                    .client
                    .post(server.url("/api/v1/sessions"))
                    .json(&json!({"username": "flood_at_once", "password": format!("wrong guess {n}")}));
                tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
            })
            .collect();
        let mut statuses = Vec::new();
        for guess in guesses {
            statuses.push(guess.await.unwrap());
        }
        let tried = statuses.iter().filter(|s| **s == 401).count();
        let refused = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!((tried, refused), (5, 195), "{statuses:?}");
        assert_eq!(server.app.hasher.operations() - hashes_before, 5, "five passwords were checked, no more");
        server.stop().await;
    }
}

both_backends! {
    async fn one_client_cannot_spray_guesses_across_many_accounts(database) {
        let server = TestServer::start(database).await;
        server.register("spray_victim").await;
        for n in 0..20 {
            let status = server.sign_in(&format!("guess_{n}"), "guessing wrongly 3").await.status();
            assert_eq!(status, 401, "attempt {n}");
        }
        assert_eq!(server.sign_in("spray_victim", "guessing wrongly 3").await.status(), 429);
        server.clock.advance(Duration::from_secs(15 * 60 + 1));
        assert_eq!(server.sign_in("spray_victim", PASSWORD).await.status(), 201);
        server.stop().await;
    }
}

both_backends! {
    async fn one_client_can_register_only_so_many_accounts_an_hour(database) {
        let server = TestServer::start(database).await;
        for n in 0..10 {
            server.register(&format!("member_{n}")).await;
        }
        let refused = server
            .client
            .post(server.url("/api/v1/accounts"))
            .json(&json!({ "username": "member_10", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 429);
        server.clock.advance(Duration::from_secs(3601));
        server.register("member_10").await;
        server.stop().await;
    }
}
