//! The recovery journey over HTTP: clocks, check-ins, weekly check-ins, trends, warning signs,
//! reminders and the pages, with bad input refused clearly and nothing half-written.

use crate::support::{TestServer, Visitor};
use mutual_domain::local::Zone;
use mutual_testkit::both_backends;
use serde_json::{Value, json};
use std::time::Duration;

const DAY: Duration = Duration::from_secs(24 * 3600);

async fn send(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    server.api(method, path, Some(token), body.as_ref()).await
}

pub(crate) fn local_date(server: &TestServer, zone: &str, days_back: u64) -> String {
    let at = server.app.clock.now().minus(DAY * days_back as u32);
    Zone::parse(zone).unwrap().date_of(at).to_string()
}

fn checkin(mood: i64, craving: i64, sleep: f64) -> Value {
    json!({ "mood": mood, "craving": craving, "sleep_hours": sleep, "sleep_quality": 3 })
}

both_backends! {
    async fn clocks_count_days_reset_without_losing_history_and_stay_private(database) {
        let server = TestServer::start(database).await;
        server.register("clock_keeper").await;
        server.register("somebody_else").await;
        let token = server.token("clock_keeper").await;
        let other = server.token("somebody_else").await;
        let start = local_date(&server, "UTC", 10);
        let (status, clock) = send(&server, reqwest::Method::POST, "/api/v1/clocks", &token, Some(json!({"label": "alcohol", "start_date": start}))).await;
        assert_eq!(status, 201, "{clock}");
        assert_eq!(clock["days"], 10);
        assert_eq!(clock["next_milestone"]["label"], "30 days");
        assert_eq!(clock["next_milestone"]["in_days"], 20);
        let id = clock["id"].as_str().unwrap().to_owned();

        let slip = local_date(&server, "UTC", 3);
        let (status, reset) = send(&server, reqwest::Method::POST, &format!("/api/v1/clocks/{id}/reset"), &token, Some(json!({"date": slip, "note": "a hard night"}))).await;
        assert_eq!(status, 200, "{reset}");
        assert_eq!(reset["days"], 3);
        assert_eq!(reset["total_days"], 10, "7 days before the slip and 3 since");
        assert_eq!(reset["longest_days"], 7);
        assert_eq!(reset["attempts"], 2);
        let (status, refused) = send(&server, reqwest::Method::POST, &format!("/api/v1/clocks/{id}/reset"), &token, Some(json!({"date": local_date(&server, "UTC", 20)}))).await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(refused["error"]["fields"][0]["field"], "date", "named as sent: {refused}");

        for (method, path, body) in [
            (reqwest::Method::PUT, format!("/api/v1/clocks/{id}"), Some(json!({"label": "x", "start_date": start}))),
            (reqwest::Method::POST, format!("/api/v1/clocks/{id}/reset"), Some(json!({"date": slip}))),
            (reqwest::Method::DELETE, format!("/api/v1/clocks/{id}"), None),
        ] {
            let (status, body) = send(&server, method, &path, &other, body).await;
            assert_eq!(status, 404, "{path}: {body}");
        }
        let (_, theirs) = send(&server, reqwest::Method::GET, "/api/v1/clocks", &other, None).await;
        assert_eq!(theirs, json!([]));
        let (status, _) = send(&server, reqwest::Method::DELETE, &format!("/api/v1/clocks/{id}"), &token, None).await;
        assert_eq!(status, 204);
        server.stop().await;
    }
}

both_backends! {
    async fn bad_clock_details_get_clear_messages_and_change_nothing(database) {
        let server = TestServer::start(database).await;
        server.register("careful_one").await;
        let token = server.token("careful_one").await;
        let mut visitor = server.visitor();
        visitor.log_in("careful_one").await;
        assert_eq!(visitor.post("/settings/time-zone", &[("time_zone", "America/New_York")]).await.status, 303);
        let tomorrow = local_date(&server, "America/New_York", 0);
        let cases = [
            (json!({"label": "", "start_date": "2024-01-01"}), "label"),
            (json!({"label": "x".repeat(41), "start_date": "2024-01-01"}), "label"),
            (json!({"label": "alcohol", "start_date": "1899-12-31"}), "start_date"),
            (json!({"label": "alcohol", "start_date": "2024-02-30"}), "start_date"),
            (json!({"label": "alcohol", "start_date": "2999-01-01"}), "start_date"),
            (json!({"label": "alcohol", "start_date": "2024-03-10", "start_time": "02:30"}), "start_time"),
            (json!({"label": "alcohol", "start_date": "2024-03-10", "start_time": "25:00"}), "start_time"),
            (json!({"label": "alcohol", "start_date": tomorrow, "start_time": "23:59"}), "start_time"),
            (json!({"label": "alcohol", "start_date": "2024-01-01", "money_per_day": "lots"}), "money_per_day"),
            (json!({"label": "alcohol", "start_date": "2024-01-01", "minutes_per_day": 5000}), "minutes_per_day"),
        ];
        for (body, field) in cases {
            let (status, answer) = send(&server, reqwest::Method::POST, "/api/v1/clocks", &token, Some(body.clone())).await;
            assert_eq!(status, 422, "{body}: {answer}");
            assert_eq!(answer["error"]["fields"][0]["field"], field, "{body}: {answer}");
        }
        let (status, answer) = send(&server, reqwest::Method::POST, "/api/v1/clocks", &token, Some(json!({"label": 7, "start_date": "2024-01-01"}))).await;
        assert_eq!(status, 422, "{answer}");
        let (status, _) = send(&server, reqwest::Method::POST, "/api/v1/clocks", &token, Some(json!({"label": "a", "start_date": "2024-01-01", "owner": "x"}))).await;
        assert_eq!(status, 422);
        let skipped = visitor.post("/clocks", &[("label", "opioids"), ("start_date", "2024-03-10"), ("start_time", "02:30")]).await;
        assert_eq!(skipped.status, 422);
        assert!(skipped.body.contains("the clocks went forward"), "{}", skipped.body);
        assert!(skipped.body.contains("value=\"opioids\"") && skipped.body.contains("value=\"02:30\""));
        let (_, clocks) = send(&server, reqwest::Method::GET, "/api/v1/clocks", &token, None).await;
        assert_eq!(clocks, json!([]), "nothing was stored");
        server.stop().await;
    }
}

both_backends! {
    async fn a_day_has_one_check_in_that_can_be_replaced_and_backfilled_for_a_week(database) {
        let server = TestServer::start(database).await;
        server.register("daily_one").await;
        let token = server.token("daily_one").await;
        let today = local_date(&server, "UTC", 0);
        let path = format!("/api/v1/checkins/{today}");
        let (status, first) = send(&server, reqwest::Method::PUT, &path, &token, Some(checkin(4, 2, 7.5))).await;
        assert_eq!(status, 201, "{first}");
        assert_eq!(first["sleep_hours"], 7.5, "in the hours sent: {first}");
        assert_eq!(first["day"], today.as_str());
        assert!(first.get("user_id").is_none() && first.get("sleep_hours_tenths").is_none(), "{first}");
        assert!(first["created_at"].as_str().unwrap().ends_with('Z'), "RFC 3339: {first}");
        let (status, second) = send(&server, reqwest::Method::PUT, &path, &token, Some(json!({"mood": 3, "craving": 5, "sleep_hours": 6, "sleep_quality": 2, "triggers": ["stress"], "journal": "long day"}))).await;
        assert_eq!(status, 200, "a second check-in for the day replaces the first: {second}");
        assert_eq!(second["mood"], 3);
        assert_eq!(second["triggers"], json!(["stress"]));
        assert_eq!(second["journal"], "long day");
        assert_eq!(second["gratitude"], Value::Null);

        let week_ago = local_date(&server, "UTC", 7);
        assert_eq!(send(&server, reqwest::Method::PUT, &format!("/api/v1/checkins/{week_ago}"), &token, Some(checkin(3, 1, 8.0))).await.0, 201);
        for (date, body, field) in [
            (local_date(&server, "UTC", 8), checkin(3, 1, 8.0), "date"),
            ("2999-01-01".to_owned(), checkin(3, 1, 8.0), "date"),
            ("yesterday".to_owned(), checkin(3, 1, 8.0), "date"),
            (today.clone(), checkin(6, 1, 8.0), "mood"),
            (today.clone(), checkin(3, 11, 8.0), "craving"),
            (today.clone(), checkin(3, 1, 25.0), "sleep_hours"),
            (today.clone(), json!({"mood": 3, "craving": 1, "sleep_hours": 8, "sleep_quality": 3, "journal": "j".repeat(4001)}), "journal"),
            (today.clone(), json!({"mood": 3, "craving": 1, "sleep_hours": 8, "sleep_quality": 3, "triggers": ["made-up"]}), "triggers"),
        ] {
            let (status, answer) = send(&server, reqwest::Method::PUT, &format!("/api/v1/checkins/{date}"), &token, Some(body)).await;
            assert_eq!(status, 422, "{date}: {answer}");
            assert_eq!(answer["error"]["fields"][0]["field"], field, "{answer}");
        }
        let (status, _) = send(&server, reqwest::Method::PUT, &path, &token, Some(json!({"mood": "great", "craving": 1, "sleep_hours": 8, "sleep_quality": 3}))).await;
        assert_eq!(status, 422);
        let (_, listed) = send(&server, reqwest::Method::GET, &format!("/api/v1/checkins?from={week_ago}&to={today}"), &token, None).await;
        let listed = listed.as_array().unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[1]["mood"], 3, "the refused updates left the stored check-in alone");
        let (status, _) = send(&server, reqwest::Method::GET, "/api/v1/checkins?from=2020-01-01&to=2026-01-01", &token, None).await;
        assert_eq!(status, 422, "a range over two years is refused");
        server.stop().await;
    }
}

both_backends! {
    async fn three_days_of_strong_cravings_show_a_warning_sign_with_next_steps(database) {
        let server = TestServer::start(database).await;
        server.register("hard_week").await;
        let token = server.token("hard_week").await;
        for back in (0..3).rev() {
            let date = local_date(&server, "UTC", back);
            assert_eq!(send(&server, reqwest::Method::PUT, &format!("/api/v1/checkins/{date}"), &token, Some(checkin(3, 8, 7.0))).await.0, 201);
        }
        let (_, signs) = send(&server, reqwest::Method::GET, "/api/v1/warning-signs", &token, None).await;
        assert_eq!(signs["firing"][0]["rule"], "high_cravings", "{signs}");
        assert_eq!(signs["rules"].as_array().unwrap().len(), 5);
        let mut visitor = server.visitor();
        visitor.log_in("hard_week").await;
        let dashboard = visitor.get("/dashboard").await;
        assert!(dashboard.body.contains("Strong cravings for several days"));
        assert!(dashboard.body.contains("Go to a meeting today"));
        // No placeholder: every card leads to a page that exists.
        assert!(!dashboard.body.contains("Coming soon"), "{}", dashboard.body);
        let links: Vec<String> = dashboard.body.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).filter(|link| link.starts_with('/')).map(str::to_owned).collect();
        for needed in ["/meetings", "/meetings/find", "/community", "/circles", "/messages", "/mentors"] {
            assert!(links.iter().any(|link| link == needed), "the dashboard links {needed}: {links:?}");
        }
        for link in &links {
            assert_eq!(visitor.get(link).await.status, 200, "{link}");
        }
        let user = mutual_store::accounts::find_user_by_username(&server.app.db, "hard_week").await.unwrap().unwrap();
        let events = mutual_store::recovery::list_events(&server.app.db, user.id).await.unwrap();
        let fired: Vec<_> = events.iter().filter(|e| e.kind == "warning_sign" && e.rule == "high_cravings").collect();
        assert_eq!(fired.len(), 1, "one warning_sign event per rule per day, however often it is looked at");
        server.stop().await;
    }
}

both_backends! {
    async fn weekly_check_ins_score_three_domains_and_trends_chart_them(database) {
        let server = TestServer::start(database).await;
        server.register("weekly_one").await;
        let token = server.token("weekly_one").await;
        let body = json!({
            "days_used": 1,
            "risk": {"sleep": 1, "mood": 2, "cravings": 3, "risky_situations": 0, "relationships": 1, "health": 0},
            "protective": {"confidence": 4, "self_help": 3, "spiritual": 2, "purpose": 3, "income": 2, "sober_support": 4}
        });
        let (status, scores) = send(&server, reqwest::Method::POST, "/api/v1/weekly-checkins", &token, Some(body)).await;
        assert_eq!(status, 201, "{scores}");
        assert_eq!(scores, json!({"use_days": 1, "risk": 7, "protective": 18}));
        let bad = json!({"days_used": 9, "risk": {"sleep": 5, "mood": 0, "cravings": 0, "risky_situations": 0, "relationships": 0, "health": 0},
            "protective": {"confidence": 0, "self_help": 0, "spiritual": 0, "purpose": 0, "income": 0, "sober_support": 0}});
        let (status, answer) = send(&server, reqwest::Method::POST, "/api/v1/weekly-checkins", &token, Some(bad)).await;
        assert_eq!(status, 422);
        assert_eq!(answer["error"]["fields"].as_array().unwrap().len(), 2, "{answer}");

        let today = local_date(&server, "UTC", 0);
        send(&server, reqwest::Method::PUT, &format!("/api/v1/checkins/{today}"), &token, Some(checkin(4, 2, 7.0))).await;
        let (status, trends) = send(&server, reqwest::Method::GET, "/api/v1/trends?days=30", &token, None).await;
        assert_eq!(status, 200);
        let days = trends["days"].as_array().unwrap();
        assert_eq!(days.len(), 30);
        assert_eq!(days[29]["mood"], 4);
        assert_eq!(days[0]["mood"], Value::Null);
        assert_eq!(trends["weekly"][0]["scores"]["risk"], 7);
        let (status, weekly) = send(&server, reqwest::Method::GET, "/api/v1/weekly-checkins", &token, None).await;
        assert_eq!(status, 200);
        assert_eq!(weekly[0]["risk"]["cravings"], 3, "the answers as sent: {weekly}");
        assert_eq!(weekly[0]["scores"], json!({"use_days": 1, "risk": 7, "protective": 18}));
        assert!(weekly[0].get("user_id").is_none() && weekly[0].get("id").is_none(), "{weekly}");
        assert_eq!(send(&server, reqwest::Method::GET, "/api/v1/trends?days=5", &token, None).await.0, 422);
        assert_eq!(send(&server, reqwest::Method::GET, "/api/v1/trends?days=lots", &token, None).await.0, 422);

        let mut visitor = server.visitor();
        visitor.log_in("weekly_one").await;
        let page = visitor.get("/trends?days=7").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body.matches("<svg class=\"chart\"").count(), 5, "mood, craving, sleep, clean days, weekly");
        assert!(page.body.contains("<caption>Your days: mood (1–5), craving (0–10), sleep (hours), clean days</caption>"), "the charts have a table");
        assert!(page.body.contains("Average 4.0 over the 1 days you checked in"));
        assert_eq!(visitor.get("/trends?days=12").await.status, 422);
        server.stop().await;
    }
}

both_backends! {
    async fn the_check_in_form_keeps_what_was_typed_and_saves_in_one_go(database) {
        let server = TestServer::start(database).await;
        server.register("form_filler").await;
        let mut visitor = server.visitor();
        visitor.log_in("form_filler").await;
        let form = visitor.get("/checkin").await;
        assert_eq!(form.status, 200);
        let today = local_date(&server, "UTC", 0);
        let bad = visitor
            .post("/checkin", &[("date", &today), ("mood", "9"), ("craving", "3"), ("sleep_hours", "7"), ("sleep_quality", "4"), ("triggers", "stress"), ("gratitude", "my dog")])
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("Choose your mood from 1"));
        assert!(bad.body.contains("value=\"my dog\""), "typed text is kept");
        assert!(bad.body.contains("value=\"stress\" checked"), "ticked triggers stay ticked");
        assert!(bad.body.contains("name=\"craving\" value=\"3\" checked"));
        let good = visitor
            .post("/checkin", &[("date", &today), ("mood", "4"), ("craving", "3"), ("sleep_hours", "7"), ("sleep_quality", "4"), ("exercised", "on"), ("triggers", "stress"), ("triggers", "boredom")])
            .await;
        assert_eq!(good.status, 303);
        let again = visitor.get(&format!("/checkin?date={today}")).await;
        assert!(again.body.contains("name=\"mood\" value=\"4\" checked"));
        assert!(again.body.contains("value=\"boredom\" checked"));
        assert!(visitor.get("/dashboard").await.body.contains("Done for today"));
        let csv = visitor.get("/checkins.csv").await;
        assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
        assert!(csv.body.starts_with("date,mood,craving"));
        assert!(csv.body.contains(&format!("{today},4,3,7.0,4,true")));
        assert_eq!(visitor.get("/checkin?date=2999-01-01").await.status, 422);
        server.stop().await;
    }
}

both_backends! {
    async fn a_reminder_arrives_at_the_members_local_time_once_even_with_two_servers(database) {
        let first = TestServer::start(database).await;
        let second = first.another_server().await;
        first.register("reminded_one").await;
        let mut visitor: Visitor = first.visitor();
        visitor.log_in_remembered("reminded_one").await;
        assert_eq!(visitor.post("/settings/time-zone", &[("time_zone", "Asia/Tokyo")]).await.status, 303);
        let bad = visitor.post("/settings/reminder", &[("reminder_time", "25:61")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("value=\"25:61\""));
        assert_eq!(visitor.post("/settings/reminder", &[("reminder_time", "21:00")]).await.status, 303);
        let user = mutual_store::accounts::find_user_by_username(&first.app.db, "reminded_one").await.unwrap().unwrap();
        let reminder = mutual_store::recovery::find_reminder(&first.app.db, user.id).await.unwrap().unwrap();
        let tokyo = Zone::parse("Asia/Tokyo").unwrap();
        assert!(tokyo.display(mutual_domain::Timestamp(reminder.next_run_at)).ends_with("21:00"));
        first.clock.advance(DAY);
        let (a, b) = tokio::join!(
            mutual_app::reminders::run_due_reminders(&first.app),
            mutual_app::reminders::run_due_reminders(&second.app)
        );
        assert_eq!(a.unwrap() + b.unwrap(), 1, "claimed by exactly one server");
        assert_eq!(mutual_app::reminders::run_due_reminders(&first.app).await.unwrap(), 0, "rescheduled for tomorrow");
        let dashboard = visitor.get("/dashboard").await;
        assert!(dashboard.body.contains("Time for your daily check-in"));
        assert_eq!(visitor.post("/notifications/read", &[]).await.status, 303);
        assert!(!visitor.get("/dashboard").await.body.contains("Time for your daily check-in"));
        let zone = visitor.post("/settings/time-zone", &[("time_zone", "Mars/Olympus")]).await;
        assert_eq!(zone.status, 422);
        assert!(zone.body.contains("value=\"Mars/Olympus\""));
        second.stop().await;
        first.stop().await;
    }
}

both_backends! {
    async fn admins_set_the_milestone_schedule(database) {
        let server = TestServer::start(database).await;
        server.member_with_role("milestone_admin", mutual_domain::permissions::Role::Admin).await;
        let mut admin = server.visitor();
        admin.log_in("milestone_admin").await;
        let bad = admin.post("/admin/milestones", &[("milestones", "30d, 7d")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("shortest to longest") && bad.body.contains("value=\"30d, 7d\""));
        assert_eq!(admin.post("/admin/milestones", &[("milestones", "1d, 3d, 10d")]).await.status, 303);
        server.register("milestone_member").await;
        let token = server.token("milestone_member").await;
        let start = local_date(&server, "UTC", 4);
        let (_, clock) = send(&server, reqwest::Method::POST, "/api/v1/clocks", &token, Some(json!({"label": "alcohol", "start_date": start}))).await;
        assert_eq!(clock["next_milestone"]["label"], "10 days");
        // The milestone once reached is celebrated as time on the member's clock, not "on alcohol".
        server.clock.advance(std::time::Duration::from_secs(6 * 24 * 3600 + 60));
        let mut member = server.visitor();
        member.log_in("milestone_member").await;
        let dashboard = member.get("/dashboard").await;
        assert!(dashboard.body.contains("10 days on your “alcohol” clock."), "{}", dashboard.body);
        server.stop().await;
    }
}
