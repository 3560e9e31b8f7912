//! Crisis lines by country over HTTP: a visitor picks a country on `/help` (remembered in a
//! cookie), a member's settings or time zone choose it otherwise, and every place that shows
//! crisis lines (the help page, the offer after crisis language, Reach out, the API) shows that
//! country's; a country with no lines gets the international directories.

use crate::community::{space_id, start_thread};
use crate::support::TestServer;
use mutual_testkit::both_backends;
use serde_json::json;

both_backends! {
    async fn a_visitor_picks_a_country_on_help_and_it_is_remembered(database) {
        let server = TestServer::start(database).await;
        let mut visitor = server.visitor();
        let first = visitor.get("/help").await;
        assert!(first.body.contains("tel:988"), "the server's country by default: {}", first.body);
        let uk = visitor.get("/help?country=gb").await;
        assert_eq!(uk.status, 200);
        assert!(uk.body.contains("tel:116 123") && uk.body.contains("tel:999"), "{}", uk.body);
        assert!(!uk.body.contains("tel:988"));
        assert!(uk.body.contains("samaritans.org"), "its sources are named");
        let remembered = visitor.get("/help").await;
        assert!(remembered.body.contains("tel:116 123"), "the pick is remembered: {}", remembered.body);
        assert!(remembered.body.contains("<option value=\"GB\" selected>"), "{}", remembered.body);
        let elsewhere = visitor.get("/help?country=other").await;
        assert!(elsewhere.body.contains("Find A Helpline") && elsewhere.body.contains("local emergency number"), "{}", elsewhere.body);
        assert!(!elsewhere.body.contains("tel:988") && !elsewhere.body.contains("tel:116"));
        let unknown = visitor.get("/help?country=%3Cscript%3E").await;
        assert_eq!(unknown.status, 200, "an unknown country is somewhere else, not an error");
        assert!(unknown.body.contains("Find A Helpline") && !unknown.body.contains("<script>"));
        server.stop().await;
    }
}

both_backends! {
    async fn a_members_zone_or_chosen_country_picks_the_lines_everywhere_they_are_shown(database) {
        let server = TestServer::start(database).await;
        server.register("londoner").await;
        let user = mutual_store::accounts::find_user_by_username(&server.app.db, "londoner").await.unwrap().unwrap();
        mutual_store::recovery::update_time_zone(&server.app.db, user.id, "Europe/London", server.app.clock.now()).await.unwrap();
        let token = server.token("londoner").await;
        let space = space_id(&server, &token, "Struggles and slips").await;
        let posted = start_thread(&server, &token, &space, json!({"title": "Tonight", "body": "Honestly I want to die tonight"})).await;
        let phones: Vec<String> = posted["crisis_resources"].as_array().unwrap().iter().filter_map(|r| r["phone"].as_str().map(str::to_owned)).collect();
        assert!(phones.contains(&"116 123".to_owned()) && !phones.contains(&"988".to_owned()), "the zone suggests the UK: {posted}");

        let mut member = server.visitor();
        member.log_in("londoner").await;
        let help = member.get("/help").await;
        assert!(help.body.contains("tel:116 123"), "/help reads no session: sign-in remembered the country: {}", help.body);
        let reach_out = member.get("/reach-out").await;
        assert!(reach_out.body.contains("tel:116 123") && !reach_out.body.contains("tel:988"), "{}", reach_out.body);
        let settings = member.get("/settings").await;
        assert!(settings.body.contains("As my time zone suggests (United Kingdom)"), "{}", settings.body);
        let refused = member.post("/settings/country", &[("country", "ZZ")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("Choose a country from the list"), "{}", refused.body);
        let unknown_field = member.post("/settings/country", &[("country", "IE"), ("extra", "1")]).await;
        assert_eq!(unknown_field.status, 422);
        let saved = member.post("/settings/country", &[("country", "ie")]).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let help = member.get("/help").await;
        assert!(help.body.contains("tel:112") && help.body.contains("sms:50808"), "the chosen country: {}", help.body);
        let again = start_thread(&server, &server.token("londoner").await, &space, json!({"title": "Again", "body": "I can't go on"})).await;
        assert!(again["crisis_resources"].to_string().contains("50808"), "the API follows the setting: {again}");
        member.post("/settings/country", &[("country", "other")]).await;
        let thread = again["thread_id"].as_str().unwrap();
        let offer = member.get(&format!("/threads/{thread}?support=1")).await;
        assert!(offer.body.contains("Find A Helpline"), "somewhere else: the directories: {}", offer.body);
        server.stop().await;
    }
}
