//! Sharing a milestone over HTTP: only the member's own clock, only once a milestone is reached,
//! into Wins and milestones, saying how long and never the start date; anonymous if chosen.

use crate::community::{logged_in, send};
use crate::support::TestServer;
use mutual_testkit::both_backends;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

both_backends! {
    async fn a_member_shares_a_milestone_without_its_date(database) {
        let server = TestServer::start(database).await;
        server.register("willow_member").await;
        server.register("yarrow_member").await;
        let willow = server.token("willow_member").await;
        let yarrow = server.token("yarrow_member").await;
        let started = server.app.clock.now().minus(Duration::from_secs(31 * 24 * 3600));
        let start_date = mutual_domain::local::Zone::utc().date_of(started).to_string();
        let (status, clock) = send(&server, Method::POST, "/api/v1/clocks", Some(&willow), Some(json!({"label": "alcohol", "start_date": start_date}))).await;
        assert_eq!(status, 201, "{clock}");
        let clock = clock["id"].as_str().unwrap().to_owned();
        let (status, fresh) = send(&server, Method::POST, "/api/v1/clocks", Some(&willow), Some(json!({"label": "gambling", "start_date": mutual_domain::local::Zone::utc().date_of(server.app.clock.now()).to_string()}))).await;
        assert_eq!(status, 201);

        // Nothing is shared by itself: the space is empty until the member asks.
        let (_, spaces) = send(&server, Method::GET, "/api/v1/spaces", Some(&willow), None).await;
        let wins = spaces["spaces"].as_array().unwrap().iter().find(|s| s["name"] == "Wins and milestones").unwrap()["id"].as_str().unwrap().to_owned();
        let (_, threads) = send(&server, Method::GET, &format!("/api/v1/spaces/{wins}/threads"), Some(&willow), None).await;
        assert_eq!(threads["threads"].as_array().unwrap().len(), 0);

        let mut page = logged_in(&server, "willow_member").await;
        let form = page.get(&format!("/clocks/{clock}/share")).await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains("Milestone: 30 days") && form.body.contains("I have reached 30 days"), "{}", form.body);
        assert!(page.get(&format!("/clocks/{clock}")).await.body.contains(&format!("/clocks/{clock}/share")));
        let refused = page.post(&format!("/clocks/{clock}/share"), &[("body", "My own words 🌱"), ("anonymous", "maybe")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("My own words 🌱"), "the form keeps the words");
        let huge = "a".repeat(20_001);
        let refused = page.post(&format!("/clocks/{clock}/share"), &[("body", &huge)]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("up to 20000 characters"));
        let (status, body) = send(&server, Method::POST, &format!("/api/v1/clocks/{}/share", fresh["id"].as_str().unwrap()), Some(&willow), Some(json!({}))).await;
        assert_eq!(status, 403, "{body}");
        assert!(body.to_string().contains("not reached its first milestone"));
        let (status, _) = send(&server, Method::POST, &format!("/api/v1/clocks/{clock}/share"), Some(&yarrow), Some(json!({}))).await;
        assert_eq!(status, 404, "only the member's own clock");

        let shared = page.post(&format!("/clocks/{clock}/share"), &[("body", "")]).await;
        assert_eq!(shared.status, 303);
        let (_, threads) = send(&server, Method::GET, &format!("/api/v1/spaces/{wins}/threads"), Some(&yarrow), None).await;
        let thread = &threads["threads"][0];
        assert_eq!(thread["title"], "Milestone: 30 days");
        assert_eq!(thread["author"], "willow_member");
        let (_, read) = send(&server, Method::GET, &format!("/api/v1/threads/{}", thread["id"].as_str().unwrap()), Some(&yarrow), None).await;
        assert!(read["posts"][0]["body"].as_str().unwrap().contains("I have reached 30 days"));
        let everything = format!("{threads}{read}");
        assert!(!everything.contains(&start_date) && !everything.contains("alcohol"), "the start date and what the clock is for stay private: {everything}");

        let (status, posted) = send(&server, Method::POST, &format!("/api/v1/clocks/{clock}/share"), Some(&willow), Some(json!({"body": "Quietly proud", "anonymous": true}))).await;
        assert_eq!(status, 201, "{posted}");
        let (_, read) = send(&server, Method::GET, &format!("/api/v1/threads/{}", posted["thread_id"].as_str().unwrap()), Some(&yarrow), None).await;
        assert!(!read.to_string().contains("willow_member"), "{read}");
        server.stop().await;
    }
}
