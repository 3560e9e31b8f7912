//! The meeting directory over HTTP: Meeting Guide import and export, every search filter in
//! the viewer's zone, the guided finder, calendars, corrections, roles, saved meetings and the
//! attendance log, join details for members, and the privacy of searching.

use crate::support::{TestServer, Visitor};
use mutual_domain::meetings::catalog::TYPE_CODES;
use mutual_domain::permissions::Role;
use mutual_testkit::both_backends;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const DAY: Duration = Duration::from_secs(24 * 3600);

/// A feed row with every field Meeting Guide defines.
fn full_row(slug: &str, types: Vec<&str>) -> Value {
    json!({
        "slug": slug, "name": "Hope at Noon", "day": [1, 3], "time": "12:00", "end_time": "13:00",
        "timezone": "America/Chicago",
        "formatted_address": "4953 W Addison St, Chicago, IL 60641, USA",
        "latitude": 41.94612, "longitude": -87.75158, "approximate": "no",
        "region": "Chicago", "sub_region": "Portage Park", "regions": ["Illinois", "Chicago", "Portage Park"],
        "conference_url": "https://zoom.us/j/1234567890", "conference_url_notes": "Password: hope",
        "conference_phone": "+13125551212,,1234567890#", "conference_phone_notes": "Passcode 1234",
        "types": types, "notes": "Use the side door", "location": "St. Mark's",
        "location_notes": "Parking behind the hall", "group": "Noon Hope Group",
        "group_notes": "Founded 1990", "updated": "2024-03-01 12:30:00",
        "url": "https://example.org/meetings/hope-at-noon",
        "venmo": "@NoonHope", "entity": "Chicago Area Service Office", "entity_url": "https://example.org",
        "contact_1_name": "Sam", "feedback_emails": ["feedback@example.org"]
    })
}

async fn import(admin: &mut Visitor, feed: &Value) -> crate::support::Page {
    admin
        .upload(
            "/admin/meetings/import",
            &[("program", "AA"), ("timezone", "America/Chicago")],
            feed.to_string().as_bytes(),
        )
        .await
}

async fn feed(server: &TestServer) -> Vec<Value> {
    let response = server
        .client
        .get(server.url("/meetings.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let mut rows = response.json::<Vec<Value>>().await.unwrap();
    // Every row says where to suggest a change: the meeting's page on this server.
    for row in &mut rows {
        let feedback = row
            .as_object_mut()
            .unwrap()
            .remove("feedback_url")
            .unwrap_or_else(|| panic!("no feedback_url: {row}"));
        let feedback = feedback.as_str().unwrap();
        let path = &feedback[feedback
            .find("/meetings/")
            .unwrap_or_else(|| panic!("{feedback}"))..];
        assert!(
            path.ends_with("/suggest") && path.len() > "/meetings//suggest".len(),
            "{feedback}"
        );
        // The page (or, for a visitor, the sign-in that leads to it); never a 404.
        let page = server.client.get(server.url(path)).send().await.unwrap();
        assert!(
            matches!(page.status().as_u16(), 200 | 303),
            "{feedback} leads to a page: {}",
            page.status()
        );
    }
    rows
}

pub(crate) async fn admin(server: &TestServer) -> Visitor {
    server
        .member_with_role("directory_admin", Role::Admin)
        .await;
    let mut admin = server.visitor();
    admin.log_in("directory_admin").await;
    admin
}

both_backends! {
    async fn a_meeting_guide_feed_round_trips_field_for_field(database) {
        let server = TestServer::start(database).await;
        let mut admin = admin(&server).await;
        let every_code: Vec<&str> = TYPE_CODES.iter().map(|(code, _)| *code).chain(["QUIET"]).collect();
        let rows = vec![
            full_row("hope-at-noon", every_code),
            json!({"slug": "lone", "name": "Lone Meeting", "day": 0, "time": "23:30", "end_time": "00:30",
                   "timezone": "Europe/London", "address": "1 High St", "city": "Leeds", "postal_code": "LS1",
                   "country": "UK", "types": ["O"], "updated": "2025-01-02 03:04:05", "url": "https://example.org/lone"}),
        ];
        let page = import(&mut admin, &Value::Array(rows.clone())).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Imported: 2 new, 0 updated"), "{}", page.body);
        let mut served = feed(&server).await;
        served.sort_by_key(|row| row["slug"].as_str().unwrap().to_owned());
        // One row a day, as TSML UI needs; the meeting's own slug rides along.
        let one_day = |day: i64| {
            let mut row = rows[0].clone();
            row["day"] = json!(day);
            row["slug"] = json!(format!("hope-at-noon-{day}"));
            row["meeting_slug"] = json!("hope-at-noon");
            row["program"] = json!("AA");
            row
        };
        let mut lone = rows[1].clone();
        lone["approximate"] = json!("no");
        lone["program"] = json!("AA");
        let expected = vec![one_day(1), one_day(3), lone];
        assert_eq!(served, expected, "the feed gives back exactly what was imported");

        // Our own feed imported again is the same meetings, not one per day.
        let page = import(&mut admin, &Value::Array(served.clone())).await;
        assert!(page.body.contains("Imported: 0 new, 2 updated"), "{}", page.body);
        let mut again = feed(&server).await;
        again.sort_by_key(|row| row["slug"].as_str().unwrap().to_owned());
        assert_eq!(again, served);

        // One programme's or one region's feed, for a fellowship's app; each programme's
        // address is on the directory page.
        let feed_of = |query: &'static str| {
            let client = server.client.clone();
            let url = server.url(&format!("/meetings.json?{query}"));
            async move {
                let response = client.get(url).send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.text().await.unwrap())
            }
        };
        let rows_of = |body: &str| serde_json::from_str::<Vec<Value>>(body).unwrap().len();
        let (status, body) = feed_of("program=AA").await;
        assert_eq!((status, rows_of(&body)), (200, 3));
        let (status, body) = feed_of("program=smart").await;
        assert_eq!((status, rows_of(&body)), (200, 0), "another programme's feed: {body}");
        let (status, body) = feed_of("region=Chicago").await;
        assert_eq!((status, rows_of(&body)), (200, 2));
        let (status, body) = feed_of("program=AA&region=Leeds").await;
        assert_eq!((status, rows_of(&body)), (200, 0));
        let (status, body) = feed_of("program=NOPE").await;
        assert_eq!(status, 422);
        assert!(body.contains("no programme with the code"), "{body}");
        let (status, _) = feed_of("colour=blue").await;
        assert_eq!(status, 422, "unknown parameters are refused, not ignored");
        let directory = server.visitor().get("/meetings").await;
        assert!(directory.body.contains(r#"href="/meetings.json?program=SMART""#), "{}", directory.body);

        // A new row that names its programme goes there (the import's own is AA).
        let mut smart = served[2].clone();
        smart["slug"] = json!("lone-smart");
        smart["program"] = json!("SMART");
        let page = import(&mut admin, &json!([smart])).await;
        assert!(page.body.contains("Imported: 1 new, 0 updated"), "{}", page.body);
        let (_, body) = feed_of("program=SMART").await;
        assert_eq!(rows_of(&body), 1, "{body}");

        // Every page points at the feed.
        let home = server.visitor().get("/").await;
        assert!(home.body.contains(r#"<link rel="alternate" type="application/json" title="Meetings Feed" href="/meetings.json">"#));
        server.stop().await;
    }
}

both_backends! {
    async fn imports_report_bad_rows_one_by_one_and_update_by_slug(database) {
        let server = TestServer::start(database).await;
        let mut admin = admin(&server).await;
        let good = |slug: &str, name: &str| json!({"slug": slug, "name": name, "day": 2, "time": "19:00",
            "address": "1 Main St", "city": "Chicago", "types": ["O", "MYOWN"]});
        let feed_rows = json!([
            good("tuesday-hope", "Tuesday Hope"),
            {"slug": "late", "name": "Late", "day": 2, "time": "25:00"},
            {"slug": "nowhere", "name": "Nowhere", "day": 2, "time": "19:00", "timezone": "Mars/Olympus"},
            {"slug": "far", "name": "Far", "day": 2, "time": "19:00", "latitude": 200, "longitude": 10},
            good("tuesday-hope", "Duplicate"),
            {"slug": 7, "name": "Numbered", "day": [1, 4], "time": "07:00", "formatted_address": "Chicago, IL", "conference_url": "https://meet.example/7"},
            "not an object"
        ]);
        let page = import(&mut admin, &feed_rows).await;
        assert_eq!(page.status, 422, "some rows were rejected");
        assert!(page.body.contains("Imported: 2 new, 0 updated, 5 rejected"), "{}", page.body);
        for reason in ["Row 2 (late)", "such as 19:00 or 7:00 PM", "Row 3 (nowhere)", "time zone", "Row 4 (far)", "Latitude", "Row 5 (tuesday-hope)", "also used by row 1", "Row 7", "not a JSON object"] {
            assert!(page.body.contains(reason), "missing {reason:?}");
        }
        let served = feed(&server).await;
        assert_eq!(served.len(), 3, "two rows for the meeting on two days");
        let hope = served.iter().find(|r| r["slug"] == "tuesday-hope").unwrap();
        assert_eq!(hope["end_time"], "20:00", "an hour by default");
        assert_eq!(hope["types"], json!(["O", "MYOWN"]), "custom types are kept");
        for (slug, day) in [("7-1", 1), ("7-4", 4)] {
            let row = served.iter().find(|r| r["slug"] == slug).unwrap();
            assert_eq!((&row["day"], &row["meeting_slug"], &row["approximate"]), (&json!(day), &json!("7"), &json!("yes")), "{row}");
        }

        // Importing again updates in place.
        let page = import(&mut admin, &json!([good("tuesday-hope", "Tuesday Hope Renamed")])).await;
        assert!(page.body.contains("Imported: 0 new, 1 updated"), "{}", page.body);
        let served = feed(&server).await;
        assert_eq!(served.len(), 3);
        assert!(served.iter().any(|r| r["name"] == "Tuesday Hope Renamed"));

        // Duplicate slugs renamed when the admin asks, the same way every time.
        let twice = json!([good("twice", "Twice Early"), good("twice", "Twice Late")]);
        let renaming = [("program", "AA"), ("timezone", "America/Chicago"), ("rename_duplicates", "on")];
        let page = admin.upload("/admin/meetings/import", &renaming, twice.to_string().as_bytes()).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Imported: 2 new, 0 updated."), "{}", page.body);
        assert!(page.body.contains("Row 2 (twice, the slug of row 1): imported as twice-2"), "{}", page.body);
        let served = feed(&server).await;
        let late = served.iter().find(|r| r["slug"] == "twice-2").unwrap();
        assert_eq!(late["name"], "Twice Late");
        let page = admin.upload("/admin/meetings/import", &renaming, twice.to_string().as_bytes()).await;
        assert!(page.body.contains("Imported: 0 new, 2 updated."), "{}", page.body);

        // Files that cannot be read change nothing and say why.
        for (bytes, message) in [(b"{not json".to_vec(), "not valid JSON"), (b"{\"slug\": 1}".to_vec(), "JSON list of meetings"), (Vec::new(), "The file is empty"),
            (b"<!DOCTYPE html><html>Meetings</html>".to_vec(), "web page (HTML)"),
            ("[{\"slug\": 1}]".encode_utf16().flat_map(u16::to_le_bytes).collect(), "UTF-16")] {
            let page = admin.upload("/admin/meetings/import", &[("program", "AA")], &bytes).await;
            assert_eq!(page.status, 422);
            assert!(page.body.contains(message), "{message}: {}", page.body);
        }
        let page = admin.upload("/admin/meetings/import", &[("program", "NOPE")], b"[]").await;
        assert!(page.body.contains("no programme with the code"));
        let huge = vec![b' '; mutual_web::IMPORT_UPLOAD_BYTES + 1024];
        let page = admin.upload("/admin/meetings/import", &[("program", "AA")], &huge).await;
        assert_eq!(page.status, 413);
        assert!(page.body.contains("larger than this server accepts (20480 KiB)"), "{}", page.body);
        assert!(admin.get("/admin/meetings").await.body.contains("mutual import meeting-guide FILE"), "the page points bigger feeds to the command line");
        assert_eq!(feed(&server).await.len(), 5, "nothing existing was lost (three rows, and the two renamed ones)");
        server.stop().await;
    }
}

/// A moderator's token and a group, with meetings made through the API.
pub(crate) async fn directory(server: &TestServer) -> (String, String) {
    server
        .member_with_role("directory_mod", Role::Moderator)
        .await;
    let token = server.token("directory_mod").await;
    let (status, group) = server
        .api(
            Method::POST,
            "/api/v1/groups",
            Some(&token),
            Some(&json!({
                "name": "Lakeside Group", "program": "AA", "tags": ["spiritual"], "size": "small",
                "structure": "sharing", "facilitation": "peer", "audience": ["newcomers", "women"],
                "languages": "EN", "accessibility": ["wheelchair"], "contact_name": "Sam"
            })),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let group = group["id"].as_str().unwrap().to_owned();
    let meetings = [
        json!({"name": "Tuesday Night Chicago", "time_zone": "America/Chicago", "start_time": "19:00", "end_time": "20:00",
               "recurrence": "weekly", "days": [2], "mode": "in_person", "address": "1 Main St", "city": "Chicago",
               "latitude": 41.8781, "longitude": -87.6298, "types": ["O", "D", "W"]}),
        json!({"name": "Evanston Morning", "time_zone": "America/Chicago", "start_time": "07:00", "end_time": "08:00",
               "recurrence": "weekly", "days": [1, 3, 5], "mode": "hybrid", "address": "2 Oak Ave", "city": "Evanston",
               "latitude": 42.0451, "longitude": -87.6877, "conference_url": "https://meet.example/evanston", "types": ["O", "D"]}),
        json!({"name": "London Online", "time_zone": "Europe/London", "start_time": "20:00", "end_time": "21:00",
               "recurrence": "weekly", "days": [1], "mode": "online", "conference_url": "https://meet.example/london", "types": ["C"]}),
        json!({"name": "First Saturday Berlin", "time_zone": "Europe/Berlin", "start_time": "10:00", "end_time": "11:30",
               "recurrence": "monthly", "nth": 1, "days": [6], "mode": "in_person", "address": "Hauptstr. 1", "city": "Berlin",
               "latitude": 52.52, "longitude": 13.405, "types": ["O"]}),
    ];
    for meeting in meetings {
        let (status, body) = server
            .api(
                Method::POST,
                &format!("/api/v1/groups/{group}/meetings"),
                Some(&token),
                Some(&meeting),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    (token, group)
}

async fn names(server: &TestServer, query: &str) -> Vec<String> {
    let (status, body) = server
        .api(
            Method::GET,
            &format!("/api/v1/meetings?{query}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{query}: {body}");
    body["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn every_search_filter_works_in_the_viewers_zone(database) {
        // The clock starts on Monday 21 September 2026, 14:13 UTC (09:13 in Chicago).
        let server = TestServer::start(database).await;
        directory(&server).await;
        assert_eq!(names(&server, "tz=America/Chicago").await.len(), 4);
        // The API writes each result's facts from a cache; it says exactly what a result is.
        let query = mutual_app::meetings::parse_search(&server.app, None, |name| match name {
            "tz" => "Europe/London",
            "types" => "O",
            _ => "",
        }).unwrap();
        let results = mutual_app::meetings::search(&server.app, None, &query).await.unwrap();
        let (_, body) = server.api(Method::GET, "/api/v1/meetings?types=O&tz=Europe/London", None, None).await;
        assert_eq!(body["meetings"], serde_json::to_value(&results).unwrap());
        assert_eq!(body["count"], 3);
        assert_eq!(names(&server, "q=evanston&tz=UTC").await, ["Evanston Morning"]);
        assert_eq!(names(&server, "types=O,W").await, ["Tuesday Night Chicago"], "all selected types must match");
        assert_eq!(names(&server, "mode=online").await, ["London Online"]);
        assert_eq!(names(&server, "program=AA").await.len(), 4);
        assert!(names(&server, "program=NA").await.is_empty());
        assert_eq!(names(&server, "near=41.88,-87.63&radius_km=25&order=distance").await, ["Tuesday Night Chicago", "Evanston Morning"]);
        assert_eq!(names(&server, "near=41.88,-87.63&radius_km=5").await, ["Tuesday Night Chicago"]);
        assert_eq!(names(&server, "starting_within_hours=6&tz=UTC").await, ["London Online"], "19:00 London time is 5 hours away");
        assert_eq!(names(&server, "size=small&audience=women&tags=spiritual&accessibility=wheelchair&language=EN&facilitation=peer&structure=sharing").await.len(), 4);
        assert!(names(&server, "size=large").await.is_empty());
        assert_eq!(names(&server, "limit=1").await.len(), 1);
        // Monday's 07:00 Chicago meeting is over; Wednesday's is next.
        assert_eq!(names(&server, "day=3&tz=America/Chicago&after=06:00&before=09:00").await, ["Evanston Morning"]);
        assert!(names(&server, "in_progress=true").await.is_empty());
        // Tonight is today from 17:00 where the viewer is: London's Monday 20:00, not Chicago's.
        assert_eq!(names(&server, "when=tonight&tz=Europe/London").await, ["London Online"]);
        assert!(names(&server, "when=tonight&tz=America/Chicago").await.is_empty(), "20:00 in London is 14:00 in Chicago");
        assert!(names(&server, "when=now").await.is_empty());
        // 18:13 UTC: London's 20:00 meeting starts within the hour, so it is on "now".
        server.clock.advance(Duration::from_secs(4 * 3600));
        assert_eq!(names(&server, "mode=online&when=now").await, ["London Online"]);
        assert!(names(&server, "in_progress=true").await.is_empty());
        let half_past_seven_in_london = Duration::from_secs(5 * 3600 + 30 * 60);
        server.clock.advance(half_past_seven_in_london - Duration::from_secs(4 * 3600));
        assert_eq!(names(&server, "in_progress=true").await, ["London Online"]);
        assert_eq!(names(&server, "when=now").await, ["London Online"], "and while it is in progress");

        // Tuesday 19:00 in Chicago, seen from London: 01:00 on Wednesday while both are on
        // summer time, 00:00 in the week between the UK's change (25 Oct) and the US's
        // (1 Nov), 01:00 again after both.
        let late_tuesday = "day=3&after=00:30&before=01:30&tz=Europe/London&types=W";
        let midnight = "day=3&after=23:30&before=00:30&tz=Europe/London&types=W";
        assert_eq!(names(&server, late_tuesday).await, ["Tuesday Night Chicago"]);
        let (_, body) = server.api(Method::GET, &format!("/api/v1/meetings?{late_tuesday}"), None, None).await;
        assert_eq!(body["meetings"][0]["starts_local"], "2026-09-23 01:00");
        assert_eq!(body["meetings"][0]["meeting_local"], "2026-09-22 19:00 America/Chicago");
        server.clock.advance(DAY * 35 - half_past_seven_in_london);
        assert!(names(&server, late_tuesday).await.is_empty(), "26 October: the UK has changed, the US not yet");
        assert_eq!(names(&server, midnight).await, ["Tuesday Night Chicago"]);
        server.clock.advance(DAY * 7);
        assert_eq!(names(&server, late_tuesday).await, ["Tuesday Night Chicago"], "2 November: both on winter time");

        // The monthly meeting falls on the first Saturday.
        let (_, body) = server.api(Method::GET, "/api/v1/meetings?q=berlin&tz=Europe/Berlin", None, None).await;
        assert_eq!(body["meetings"][0]["starts_local"], "2026-11-07 10:00");
        assert_eq!(body["meetings"][0]["schedule"], "First Saturday of the month");

        // Bad parameters are refused with a message each.
        for (query, field) in [("tz=Mars/Olympus", "tz"), ("day=7", "day"), ("after=25:00", "after"), ("near=200,10", "near"),
                               ("radius_km=-1&near=1,1", "radius_km"), ("radius_km=abc", "radius_km"), ("radius_km=100000&near=1,1", "radius_km"),
                               ("limit=0", "limit"), ("mode=teleport", "mode"),
                               ("starting_within_hours=abc", "starting_within_hours"), ("unknown=1", "form"),
                               ("structure=null", "structure"), ("structure=sharing&structure=sharing", "structure"),
                               ("size=small,large", "size"), ("audience=women,martians", "audience"), ("tags=null", "tags"),
                               ("facilitation=robots", "facilitation"), ("accessibility=teleporter", "accessibility"),
                               ("q=hope&q=faith", "q"), ("when=later", "when"), ("when=tonight&day=1", "when"),
                               ("when=tonight&after=18:00", "when")] {
            let (status, body) = server.api(Method::GET, &format!("/api/v1/meetings?{query}"), None, None).await;
            assert_eq!(status, 422, "{query}");
            assert!(body["error"]["fields"].as_array().unwrap().iter().any(|f| f["field"] == field), "{query}: {body}");
        }
        server.stop().await;
    }
}

both_backends! {
    async fn the_guided_finder_ranks_by_fit_and_explains_itself(database) {
        let server = TestServer::start(database).await;
        let (token, _) = directory(&server).await;
        let (status, group) = server.api(Method::POST, "/api/v1/groups", Some(&token), Some(&json!({
            "name": "Secular Circle", "program": "LIFERING", "tags": ["secular"], "size": "medium", "structure": "sharing"
        }))).await;
        assert_eq!(status, 201);
        let (status, _) = server.api(Method::POST, &format!("/api/v1/groups/{}/meetings", group["id"].as_str().unwrap()), Some(&token), Some(&json!({
            "name": "Secular Tuesday", "time_zone": "America/Chicago", "start_time": "18:30", "end_time": "19:30",
            "recurrence": "weekly", "days": [2], "mode": "online", "conference_url": "https://meet.example/secular"
        }))).await;
        assert_eq!(status, 201);
        let (status, body) = server.api(Method::GET, "/api/v1/finder?approach=secular&days=2&parts=evening&attend=online&tz=America/Chicago", None, None).await;
        assert_eq!(status, 200, "{body}");
        let first = &body["suggestions"][0];
        assert_eq!(first["meeting"]["name"], "Secular Tuesday");
        let reasons: Vec<&str> = first["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        assert!(reasons.iter().any(|r| r.contains("Secular")), "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("Tuesday evening")), "{reasons:?}");
        assert!(body["suggestions"].as_array().unwrap().iter().all(|s| s["meeting"]["mode"] != "in_person"), "online only");
        let page = server.visitor().get("/meetings/find?approach=secular&days=2&parts=evening&attend=online&tz=America/Chicago").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Why this one"));
        assert!(page.body.contains("Secular Tuesday"));
        server.stop().await;
    }
}

async fn suggested(server: &TestServer, query: &str) -> Vec<String> {
    let (status, body) = server
        .api(Method::GET, &format!("/api/v1/finder?{query}"), None, None)
        .await;
    assert_eq!(status, 200, "{query}: {body}");
    let mut names: Vec<String> = body["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["meeting"]["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

both_backends! {
    async fn the_finder_takes_a_place_and_refuses_a_bad_distance(database) {
        let server = TestServer::start(database).await;
        directory(&server).await;
        // `near` is one "latitude,longitude" value; the lists are comma-separated.
        let chicago = "near=41.8781,-87.6298&attend=in_person";
        assert_eq!(suggested(&server, &format!("{chicago}&radius_km=10")).await, ["Tuesday Night Chicago"], "Evanston is 18 km away");
        assert_eq!(suggested(&server, chicago).await, ["Evanston Morning", "Tuesday Night Chicago"], "25 km by default");
        let (_, body) = server.api(Method::GET, &format!("/api/v1/finder?{chicago}&radius_km=10"), None, None).await;
        let first = &body["suggestions"][0];
        assert!(first["reasons"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().contains("0.0 km from you")), "{first}");
        assert_eq!(suggested(&server, "near=41.8781,-87.6298&approach=secular,spiritual&days=1,2&parts=morning,evening").await.len(), 4);
        let repeated = suggested(&server, "approach=spiritual&approach=secular&days=2&days=1").await;
        assert!(!repeated.is_empty());
        assert_eq!(repeated, suggested(&server, "approach=spiritual,secular&days=2,1").await, "repeated or comma-separated");

        // A bad distance, a word outside a vocabulary and a single answer given twice are
        // refused, naming the field, as a bad place is.
        for (query, field) in [("radius_km=abc", "radius_km"), ("radius_km=-1", "radius_km"), ("radius_km=0", "radius_km"),
                               ("radius_km=1e9", "radius_km"), (&format!("{chicago}&radius_km=501"), "radius_km"),
                               ("radius_km=", "none"), ("near=41.8781", "near"), ("near=91,0", "near"),
                               ("structure=null&structure=null", "structure"), ("size=enormous", "size"), ("days=9", "days"),
                               ("parts=midnight", "parts"), ("attend=teleport", "attend"), ("approach=astrology", "approach"),
                               ("audience=martians", "audience"), ("attend=either", "none")] {
            let (status, body) = server.api(Method::GET, &format!("/api/v1/finder?{query}"), None, None).await;
            if field == "none" {
                assert_eq!(status, 200, "an empty distance is none: {body}");
                continue;
            }
            assert_eq!(status, 422, "{query}: {body}");
            let fields = body["error"]["fields"].as_array().unwrap();
            assert!(fields.iter().any(|f| f["field"] == field), "{query}: {body}");
        }
        server.stop().await;
    }
}

/// Where `value` breaks `schema` (resolved in the served document `doc`): a property that is
/// not documented, a required one missing, the wrong type, a value outside its enum, a string
/// not in its format.
fn schema_problems(
    doc: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    problems: &mut Vec<String>,
) {
    if let Some(name) = schema["$ref"].as_str() {
        let name = name.trim_start_matches("#/components/schemas/");
        let resolved = &doc["components"]["schemas"][name];
        assert!(resolved.is_object(), "{at}: no schema {name}");
        return schema_problems(doc, resolved, value, at, problems);
    }
    for combined in ["oneOf", "anyOf"] {
        if let Some(options) = schema[combined].as_array() {
            let fits = |option: &Value| {
                let mut found = Vec::new();
                schema_problems(doc, option, value, at, &mut found);
                found.is_empty()
            };
            if !options.iter().any(fits) {
                problems.push(format!("{at}: {value} fits none of its {combined}"));
            }
            return;
        }
    }
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    assert!(
        !types.is_empty(),
        "{at}: the schema gives no type: {schema}"
    );
    if !types
        .iter()
        .any(|t| *t == kind || (*t == "number" && kind == "integer"))
    {
        problems.push(format!("{at}: {value} is not {types:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        problems.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    match value {
        Value::Object(fields) => {
            for required in schema["required"].as_array().into_iter().flatten() {
                if !fields.contains_key(required.as_str().unwrap()) {
                    problems.push(format!("{at}: {required} is missing"));
                }
            }
            for (key, item) in fields {
                match schema["properties"].get(key) {
                    Some(property) => {
                        schema_problems(doc, property, item, &format!("{at}.{key}"), problems)
                    }
                    None => problems.push(format!("{at}.{key} is not documented")),
                }
            }
        }
        Value::Array(items) => {
            for (n, item) in items.iter().enumerate() {
                schema_problems(doc, &schema["items"], item, &format!("{at}[{n}]"), problems);
            }
        }
        Value::String(text) => {
            let digits = |range: std::ops::Range<usize>| {
                text.get(range)
                    .is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()))
            };
            let date = |t: &str| {
                t.len() == 10
                    && t.as_bytes()[4] == b'-'
                    && t.as_bytes()[7] == b'-'
                    && digits(0..4)
                    && digits(5..7)
                    && digits(8..10)
            };
            let fits = match schema["format"].as_str() {
                Some("date") => date(text),
                Some("date-time") => {
                    text.len() >= 20
                        && date(&text[..10])
                        && text.as_bytes()[10] == b'T'
                        && (text.ends_with('Z') || text[19..].contains(['+', '-']))
                }
                Some("uuid") => uuid::Uuid::parse_str(text).is_ok(),
                _ => true,
            };
            if !fits {
                problems.push(format!(
                    "{at}: {text:?} is not in the format {}",
                    schema["format"]
                ));
            }
        }
        _ => {}
    }
}

/// Checks an answer against the schema the served document gives that operation and status.
async fn assert_documented(
    server: &TestServer,
    method: &str,
    path: &str,
    status: u16,
    body: &Value,
) {
    let (_, doc) = server
        .api(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    let operation = &doc["paths"][path][method];
    assert!(operation.is_object(), "{method} {path} is not documented");
    let schema =
        &operation["responses"][status.to_string()]["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} documents no {status} answer"
    );
    let mut problems = Vec::new();
    schema_problems(
        &doc,
        schema,
        body,
        &format!("{method} {path} {status}"),
        &mut problems,
    );
    assert!(
        problems.is_empty(),
        "the answer breaks its schema:\n{}\n{body}",
        problems.join("\n")
    );
}

/// Calls the API and checks the answer's status, and that it is what the document says.
async fn check(
    server: &TestServer,
    method: Method,
    path: &str,
    documented: &str,
    token: Option<&str>,
    body: Option<Value>,
    expected: u16,
) -> Value {
    let (status, answer) = server.api(method.clone(), path, token, body.as_ref()).await;
    assert_eq!(status, expected, "{method} {path}: {answer}");
    assert_documented(
        server,
        &method.as_str().to_lowercase(),
        documented,
        status,
        &answer,
    )
    .await;
    answer
}

both_backends! {
    async fn every_directory_answer_is_the_one_documented(database) {
        let server = TestServer::start(database).await;
        let (mod_token, group) = directory(&server).await;
        server.register("documented_member").await;
        let token = server.token("documented_member").await;
        let found = check(&server, Method::GET, "/api/v1/meetings?near=41.88,-87.63&radius_km=50&tz=Europe/London", "/api/v1/meetings", None, None, 200).await;
        assert_eq!(found["count"], 2);
        assert!(found["meetings"][0]["distance_km"].is_number() && found["meetings"][0]["meeting_local"].is_string());
        check(&server, Method::GET, "/api/v1/meetings?tz=America/Chicago", "/api/v1/meetings", None, None, 200).await;
        let finder = check(&server, Method::GET, "/api/v1/finder?approach=spiritual&near=41.88,-87.63", "/api/v1/finder", None, None, 200).await;
        assert_eq!(
            finder["suggestions"][0]["meeting"].as_object().unwrap().keys().collect::<Vec<_>>(),
            found["meetings"][0].as_object().unwrap().keys().collect::<Vec<_>>(),
            "a suggestion's meeting is a search result"
        );
        let berlin = check(&server, Method::GET, "/api/v1/meetings?q=berlin", "/api/v1/meetings", None, None, 200).await;
        let berlin = berlin["meetings"][0]["id"].as_str().unwrap().to_owned();
        let meeting = check(&server, Method::GET, &format!("/api/v1/meetings/{berlin}?tz=UTC"), "/api/v1/meetings/{id}", None, None, 200).await;
        assert_eq!(meeting["nth"], 1);
        assert_eq!(meeting["recurrence"], "monthly");
        assert_eq!(meeting["upcoming"].as_array().unwrap().len(), 5);
        check(&server, Method::GET, &format!("/api/v1/groups/{group}"), "/api/v1/groups/{id}", None, None, 200).await;
        let (_, other) = server.api(Method::POST, "/api/v1/groups", Some(&mod_token), Some(&json!({"name": "Bare Group", "program": "NA"}))).await;
        let bare = check(&server, Method::GET, &format!("/api/v1/groups/{}", other["id"].as_str().unwrap()), "/api/v1/groups/{id}", None, None, 200).await;
        assert_eq!(bare["size"], Value::Null, "a code not given is null");
        check(&server, Method::GET, "/api/v1/programs", "/api/v1/programs", None, None, 200).await;
        check(&server, Method::POST, "/api/v1/groups", "/api/v1/groups", Some(&mod_token), Some(json!({"name": "Documented", "program": "AA", "languages": ["EN", "FR"], "size": "large", "closed": true})), 201).await;
        let made = check(&server, Method::POST, &format!("/api/v1/groups/{group}/meetings"), "/api/v1/groups/{id}/meetings", Some(&mod_token), Some(json!({
            "name": "Documented Once", "time_zone": "UTC", "start_time": "10:00", "end_time": "11:00", "recurrence": "once",
            "date": "2026-12-01", "mode": "phone", "conference_phone": "+441234567890", "cancelled": [], "approximate": false
        })), 201).await;
        let once = made["id"].as_str().unwrap().to_owned();
        let (status, blank) = server.api(Method::PUT, &format!("/api/v1/meetings/{once}"), Some(&mod_token), Some(&json!({
            "name": "Documented Once", "time_zone": "UTC", "start_time": "10:00", "end_time": "11:00", "recurrence": "once",
            "date": "2026-12-01", "mode": "phone", "conference_phone": "+441234567890", "cancelled": [""]
        }))).await;
        assert_eq!((status, &blank["error"]["fields"][0]["field"]), (422, &json!("cancelled")), "a blank cancelled date: {blank}");
        let (status, blank) = server.api(Method::PUT, &format!("/api/v1/meetings/{once}"), Some(&mod_token), Some(&json!({
            "name": "Documented Once", "time_zone": "UTC", "start_time": "10:00", "end_time": "11:00", "recurrence": "weekly",
            "days": [1], "date": "", "mode": "phone", "conference_phone": "+441234567890"
        }))).await;
        assert_eq!((status, &blank["error"]["fields"][0]["field"]), (422, &json!("date")), "a blank date: {blank}");
        let meeting = check(&server, Method::GET, &format!("/api/v1/meetings/{once}"), "/api/v1/meetings/{id}", None, None, 200).await;
        assert_eq!(meeting["date"], "2026-12-01");
        assert_eq!(meeting["nth"], Value::Null);
        check(&server, Method::POST, &format!("/api/v1/meetings/{once}/suggestions"), "/api/v1/meetings/{id}/suggestions", Some(&token), Some(json!({"start_time": "10:30", "note": null, "days": null})), 201).await;
        let queue = check(&server, Method::GET, "/api/v1/suggestions", "/api/v1/suggestions", Some(&mod_token), None, 200).await;
        assert_eq!(queue["suggestions"][0]["changes"], json!([{"field": "start_time", "before": "10:00", "after": "10:30"}]));
        let decision = format!("/api/v1/suggestions/{}/decision", queue["suggestions"][0]["id"].as_str().unwrap());
        assert_eq!(server.api(Method::POST, &decision, Some(&mod_token), Some(&json!({"approve": true, "note": "Checked"}))).await.0, 204);
        assert_eq!(server.api(Method::POST, &decision, Some(&mod_token), Some(&json!({"approve": false}))).await.0, 404, "decided already");
        let history = check(&server, Method::GET, &format!("/api/v1/meetings/{once}/history"), "/api/v1/meetings/{id}/history", Some(&mod_token), None, 200).await;
        assert_eq!(history["history"].as_array().unwrap().len(), 2);
        assert_eq!(server.api(Method::PUT, &format!("/api/v1/me/saved-meetings/{berlin}"), Some(&token), None).await.0, 204);
        assert_eq!(server.api(Method::PUT, &format!("/api/v1/me/saved-meetings/{once}"), Some(&token), None).await.0, 204);
        check(&server, Method::GET, "/api/v1/me/saved-meetings", "/api/v1/me/saved-meetings", Some(&token), None, 200).await;
        let today = mutual_domain::local::Zone::utc().date_of(server.app.clock.now()).to_string();
        check(&server, Method::POST, "/api/v1/me/attendance", "/api/v1/me/attendance", Some(&token), Some(json!({"meeting_id": berlin, "day": today})), 201).await;
        check(&server, Method::POST, "/api/v1/me/attendance", "/api/v1/me/attendance", Some(&token), Some(json!({"meeting_name": "Elsewhere", "day": today, "note": "Kind people"})), 201).await;
        let log = check(&server, Method::GET, "/api/v1/me/attendance", "/api/v1/me/attendance", Some(&token), None, 200).await;
        assert!(log["attendance"].as_array().unwrap().iter().any(|e| e["meeting_id"].is_null()));
        let (status, refused) = server.api(Method::POST, "/api/v1/me/attendance", Some(&token), Some(&json!({"day": today}))).await;
        assert_eq!(status, 422);
        assert_eq!(refused["error"]["fields"][0]["field"], "meeting_name", "the field as the API names it");
        let (status, _) = server.api(Method::POST, "/api/v1/me/attendance", Some(&token), Some(&json!({"meeting_id": uuid::Uuid::now_v7(), "day": today}))).await;
        assert_eq!(status, 404, "an unknown meeting");
        server.stop().await;
    }
}

both_backends! {
    async fn directory_answers_do_not_depend_on_who_asks_and_leave_no_trace(database) {
        let server = TestServer::start(database).await;
        directory(&server).await;
        server.register("first_member").await;
        server.register("second_member").await;
        let tokens = [None, Some(server.token("first_member").await), Some(server.token("second_member").await), Some(server.token("directory_mod").await)];
        let counts_before = table_counts(&server).await;
        let mut answers = Vec::new();
        for token in &tokens {
            let mut bodies = Vec::new();
            for path in ["/api/v1/meetings?near=41.88,-87.63&types=O&tz=Europe/Paris", "/api/v1/finder?approach=spiritual", "/meetings.json"] {
                let mut request = server.client.get(server.url(path));
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), 200);
                bodies.push(response.text().await.unwrap());
            }
            answers.push(bodies);
        }
        assert!(answers.windows(2).all(|w| w[0] == w[1]), "every viewer gets the same bytes");
        assert_eq!(table_counts(&server).await, counts_before, "searching wrote nothing");
        server.stop().await;
    }
}

/// The text of an HTML attribute value.
fn unescape(text: &str) -> String {
    text.replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&#43;", "+")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Row counts of every table.
async fn table_counts(server: &TestServer) -> Vec<(String, i64)> {
    let mut counts = Vec::new();
    for table in server.app.db.schema_columns().await.unwrap().into_keys() {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let count: i64 = match &server.app.db {
            mutual_store::Db::Sqlite(pool, _) => {
                sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap()
            }
            mutual_store::Db::Postgres(pool) => {
                sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap()
            }
        };
        counts.push((table, count));
    }
    counts
}

both_backends! {
    async fn calendars_parse_with_a_standard_icalendar_parser(database) {
        let server = TestServer::start(database).await;
        directory(&server).await;
        let (_, found) = server.api(Method::GET, "/api/v1/meetings?q=berlin", None, None).await;
        let id = found["meetings"][0]["id"].as_str().unwrap().to_owned();
        let response = server.client.get(server.url(&format!("/meetings/{id}.ics"))).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/calendar; charset=utf-8");
        let text = response.text().await.unwrap();
        let calendar: icalendar::Calendar = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
        let events: Vec<&icalendar::Event> = calendar.components.iter().filter_map(|c| c.as_event()).collect();
        assert_eq!(events.len(), 1);
        use icalendar::Component;
        assert_eq!(events[0].get_summary(), Some("First Saturday Berlin"));
        assert_eq!(events[0].property_value("RRULE"), Some("FREQ=MONTHLY;BYDAY=1SA"));
        let start = events[0].properties().get("DTSTART").unwrap();
        assert_eq!(start.value(), "20261003T100000");
        assert_eq!(start.params().get("TZID").unwrap().value(), "Europe/Berlin");
        assert!(calendar.components.iter().any(|c| matches!(c, icalendar::CalendarComponent::Other(o) if o.component_kind() == "VTIMEZONE")), "{text}");
        // The zone's current rule, open-ended: the meeting keeps its local time in every year.
        let zone = &text[text.find("BEGIN:VTIMEZONE").unwrap()..text.find("END:VTIMEZONE").unwrap()];
        assert!(zone.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"), "{zone}");
        assert!(zone.contains("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"), "{zone}");
        assert!(!zone.contains("UNTIL"), "{zone}");

        // A member's saved meetings as a private calendar feed.
        server.register("calendar_keeper").await;
        let token = server.token("calendar_keeper").await;
        let (status, _) = server.api(Method::PUT, &format!("/api/v1/me/saved-meetings/{id}"), Some(&token), None).await;
        assert_eq!(status, 204);
        let mut member = server.visitor();
        member.log_in("calendar_keeper").await;
        let page = member.post("/my/meetings/calendar", &[]).await;
        let start = page.body.find("/calendar/").unwrap();
        let path: String = page.body[start..].chars().take_while(|c| *c != '<').collect();
        let feed = server.client.get(server.url(&path)).send().await.unwrap().text().await.unwrap();
        let parsed: icalendar::Calendar = feed.parse().unwrap();
        assert_eq!(parsed.components.iter().filter(|c| c.as_event().is_some()).count(), 1);
        member.post("/my/meetings/calendar", &[]).await;
        assert_eq!(server.client.get(server.url(&path)).send().await.unwrap().status(), 404, "a new address retires the old one");
        server.stop().await;
    }
}

both_backends! {
    async fn corrections_are_reviewed_field_by_field_and_recorded(database) {
        let server = TestServer::start(database).await;
        let (mod_token, group) = directory(&server).await;
        let (_, found) = server.api(Method::GET, "/api/v1/meetings?q=tuesday", None, None).await;
        let id = found["meetings"][0]["id"].as_str().unwrap().to_owned();
        server.register("helpful_member").await;
        let mut member = server.visitor();
        member.log_in("helpful_member").await;
        let form = member.get(&format!("/meetings/{id}/suggest")).await;
        assert!(form.body.contains(r#"value="Tuesday Night Chicago""#), "prefilled");
        let mut fields: Vec<(String, String)> = mutual_domain::meetings::listing::LISTING_FIELDS.iter().map(|f| {
            let marker = format!(r#"name="{f}" type="#);
            let value = form.body.find(&marker).and_then(|at| {
                let rest = &form.body[at..];
                rest.find("value=\"").map(|v| unescape(rest[v + 7..].split('"').next().unwrap()))
            }).unwrap_or_default();
            ((*f).to_owned(), value)
        }).collect();
        for (field, value) in fields.iter_mut() {
            match field.as_str() {
                "start_time" => *value = "19:30".into(),
                "end_time" => *value = "25:00".into(),
                "recurrence" => *value = "weekly".into(),
                "days" => *value = "2".into(),
                "mode" => *value = "in_person".into(),
                "status" => *value = "active".into(),
                _ => {}
            }
        }
        let mut refs: Vec<(&str, &str)> = fields.iter().map(|(f, v)| (f.as_str(), v.as_str())).collect();
        refs.push(("note", "They moved to half past."));
        let refused = member.post(&format!("/meetings/{id}/suggest"), &refs).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains(r#"value="25:00""#), "what was typed is kept");
        assert!(refused.body.contains("HH:MM"));
        for entry in refs.iter_mut() {
            if entry.0 == "end_time" {
                entry.1 = "20:30";
            }
        }
        member.submit(&format!("/meetings/{id}/suggest"), &refs).await;

        // Members cannot edit; moderators see the queue with the differences.
        let member_token = server.token("helpful_member").await;
        let (status, _) = server.api(Method::PUT, &format!("/api/v1/meetings/{id}"), Some(&member_token), Some(&json!({"name": "Mine now"}))).await;
        assert_eq!(status, 403);
        let (status, queue) = server.api(Method::GET, "/api/v1/suggestions", Some(&mod_token), None).await;
        assert_eq!(status, 200);
        let suggestion = &queue["suggestions"][0];
        assert_eq!(suggestion["by"], "helpful_member");
        assert_eq!(suggestion["changes"], json!([
            {"field": "start_time", "before": "19:00", "after": "19:30"},
            {"field": "end_time", "before": "20:00", "after": "20:30"}
        ]));
        let (status, _) = server.api(Method::POST, &format!("/api/v1/suggestions/{}/decision", suggestion["id"].as_str().unwrap()), Some(&mod_token), Some(&json!({"approve": true}))).await;
        assert_eq!(status, 204);
        let (_, meeting) = server.api(Method::GET, &format!("/api/v1/meetings/{id}"), None, None).await;
        assert_eq!(meeting["start_time"], "19:30");
        let (_, history) = server.api(Method::GET, &format!("/api/v1/meetings/{id}/history"), Some(&mod_token), None).await;
        assert_eq!(history["history"][0]["by"], "directory_mod");
        assert!(history["history"][0]["summary"].as_str().unwrap().contains("helpful_member"));
        assert_eq!(history["history"][0]["changes"][0]["field"], "start_time");
        let (_, queue) = server.api(Method::GET, "/api/v1/suggestions", Some(&mod_token), None).await;
        assert!(queue["suggestions"].as_array().unwrap().is_empty());

        // A facilitator edits their own group's meetings, nothing else.
        server.register("group_facilitator").await;
        let mut moderator = server.visitor();
        moderator.log_in("directory_mod").await;
        moderator.submit(&format!("/groups/{group}/facilitators"), &[("username", "group_facilitator")]).await;
        let unknown = moderator.post(&format!("/groups/{group}/facilitators"), &[("username", "nobody_here")]).await;
        assert_eq!(unknown.status, 422);
        assert!(unknown.body.contains("no member with that pseudonym"));
        let facilitator = server.token("group_facilitator").await;
        let edit = json!({"name": "Tuesday Night Chicago", "time_zone": "America/Chicago", "start_time": "19:00", "end_time": "20:00",
            "recurrence": "weekly", "days": [2], "mode": "in_person", "address": "1 Main St", "city": "Chicago", "types": "O,D,W"});
        let (status, body) = server.api(Method::PUT, &format!("/api/v1/meetings/{id}"), Some(&facilitator), Some(&edit)).await;
        assert_eq!(status, 204, "{body}");
        let (status, other) = server.api(Method::POST, "/api/v1/groups", Some(&mod_token), Some(&json!({"name": "Other", "program": "NA"}))).await;
        assert_eq!(status, 201);
        let (status, _) = server.api(Method::PUT, &format!("/api/v1/groups/{}", other["id"].as_str().unwrap()), Some(&facilitator), Some(&json!({"name": "Taken", "program": "NA"}))).await;
        assert_eq!(status, 403);
        server.stop().await;
    }
}

both_backends! {
    async fn saved_meetings_and_the_attendance_log_are_the_members_own(database) {
        let server = TestServer::start(database).await;
        directory(&server).await;
        let (_, found) = server.api(Method::GET, "/api/v1/meetings?q=london", None, None).await;
        let id = found["meetings"][0]["id"].as_str().unwrap().to_owned();
        server.register("keeps_track").await;
        server.register("someone_else").await;
        let token = server.token("keeps_track").await;
        let other = server.token("someone_else").await;
        assert_eq!(server.api(Method::PUT, &format!("/api/v1/me/saved-meetings/{id}"), Some(&token), None).await.0, 204);
        assert_eq!(server.api(Method::PUT, &format!("/api/v1/me/saved-meetings/{}", uuid::Uuid::now_v7()), Some(&token), None).await.0, 404);
        let (_, saved) = server.api(Method::GET, "/api/v1/me/saved-meetings", Some(&token), None).await;
        assert_eq!(saved["meetings"][0]["name"], "London Online");
        let (_, theirs) = server.api(Method::GET, "/api/v1/me/saved-meetings", Some(&other), None).await;
        assert!(theirs["meetings"].as_array().unwrap().is_empty());
        let today = mutual_domain::local::Zone::utc().date_of(server.app.clock.now()).to_string();
        let (status, logged) = server.api(Method::POST, "/api/v1/me/attendance", Some(&token), Some(&json!({"meeting_id": id, "day": today, "note": "Felt at home 🌱"}))).await;
        assert_eq!(status, 201, "{logged}");
        let (status, bad) = server.api(Method::POST, "/api/v1/me/attendance", Some(&token), Some(&json!({"day": "2999-01-01", "meeting_name": "x"}))).await;
        assert_eq!(status, 422, "{bad}");
        let (status, _) = server.api(Method::POST, "/api/v1/me/attendance", Some(&token), Some(&json!({"day": today, "meeting_name": "x", "mood": 3}))).await;
        assert_eq!(status, 422, "unknown fields are refused");
        let (_, log) = server.api(Method::GET, "/api/v1/me/attendance", Some(&token), None).await;
        assert_eq!(log["attendance"][0]["meeting_name"], "London Online");
        assert_eq!(log["attendance"][0]["note"], "Felt at home 🌱");
        let entry = log["attendance"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(server.api(Method::DELETE, &format!("/api/v1/me/attendance/{entry}"), Some(&other), None).await.0, 404);
        let (_, export) = server.api(Method::GET, "/api/v1/me/export", Some(&token), None).await;
        assert_eq!(export["meeting_attendance"].as_array().unwrap().len(), 1);
        assert_eq!(export["saved_meetings"].as_array().unwrap().len(), 1);
        assert_eq!(server.api(Method::DELETE, &format!("/api/v1/me/attendance/{entry}"), Some(&token), None).await.0, 204);

        // The pages: save from the meeting page, log from the log form, keep bad input.
        let mut member = server.visitor();
        member.log_in("keeps_track").await;
        let page = member.get(&format!("/meetings/{id}")).await;
        assert!(page.body.contains("Remove from my meetings"), "already saved");
        let refused = member.post("/my/attendance", &[("name", "Thursday step study"), ("day", "yesterday"), ("note", "")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains(r#"value="Thursday step study""#));
        member.submit("/my/attendance", &[("name", "Thursday step study"), ("day", &today), ("note", "")]).await;
        let mine = member.get("/my/meetings").await;
        assert!(mine.body.contains("London Online") && mine.body.contains("Thursday step study"));
        server.stop().await;
    }
}

both_backends! {
    async fn join_details_can_be_kept_for_members_and_the_directory_closed_to_visitors(database) {
        let server = TestServer::start(database).await;
        let (mod_token, group) = directory(&server).await;
        let (status, _) = server.api(Method::PUT, &format!("/api/v1/groups/{group}"), Some(&mod_token), Some(&json!({
            "name": "Lakeside Group", "program": "AA", "join_members_only": true
        }))).await;
        assert_eq!(status, 204);
        let (_, found) = server.api(Method::GET, "/api/v1/meetings?q=london", None, None).await;
        let id = found["meetings"][0]["id"].as_str().unwrap().to_owned();
        let (_, public) = server.api(Method::GET, &format!("/api/v1/meetings/{id}"), None, None).await;
        assert_eq!(public["join"], Value::Null);
        let page = server.visitor().get(&format!("/meetings/{id}")).await;
        assert!(!page.body.contains("meet.example/london"));
        assert!(page.body.contains("shares its join link and phone with signed-in members"));
        let ics = server.client.get(server.url(&format!("/meetings/{id}.ics"))).send().await.unwrap().text().await.unwrap();
        assert!(!ics.contains("meet.example/london"));
        let (_, signed_in) = server.api(Method::GET, &format!("/api/v1/meetings/{id}"), Some(&mod_token), None).await;
        assert_eq!(signed_in["join"]["conference_url"], "https://meet.example/london");

        let mut admin = admin(&server).await;
        admin.submit("/admin/meetings/visibility", &[]).await;
        assert_eq!(server.api(Method::GET, "/api/v1/meetings", None, None).await.0, 401);
        assert_eq!(server.client.get(server.url("/meetings.json")).send().await.unwrap().status(), 401);
        let page = server.visitor().get("/meetings").await;
        assert_eq!(page.status, 303);
        assert!(page.location().starts_with("/login"));
        assert_eq!(server.api(Method::GET, "/api/v1/meetings", Some(&mod_token), None).await.0, 200);
        admin.submit("/admin/meetings/visibility", &[("public", "on")]).await;
        assert_eq!(server.api(Method::GET, "/api/v1/meetings", None, None).await.0, 200);
        server.stop().await;
    }
}

both_backends! {
    async fn the_feed_leaves_out_what_it_cannot_express_and_says_so(database) {
        let server = TestServer::start(database).await;
        directory(&server).await;
        let response = server.client.get(server.url("/meetings.json")).send().await.unwrap();
        assert_eq!(response.headers()["mutual-omitted-meetings"], "1");
        assert!(response.headers()["link"].to_str().unwrap().contains("/meetings-omitted.json"));
        let rows: Vec<Value> = response.json().await.unwrap();
        let meetings: std::collections::HashSet<_> = rows.iter().map(|r| r.get("meeting_slug").unwrap_or(&r["slug"])).collect();
        assert_eq!((meetings.len(), rows.len()), (3, 5), "three meetings, one row a day");
        assert!(rows.iter().all(|r| r["name"] != "First Saturday Berlin"));
        let (_, omitted) = server.api(Method::GET, "/meetings-omitted.json", None, None).await;
        assert_eq!(omitted["omitted"][0]["name"], "First Saturday Berlin");
        assert!(omitted["omitted"][0]["reason"].as_str().unwrap().contains("monthly"));
        let schedule = server.visitor().get("/meetings/schedule?tz=America/Chicago").await;
        assert_eq!(schedule.status, 200);
        assert!(schedule.body.contains("Tuesday Night Chicago"));
        assert!(schedule.body.contains("<dt>W</dt><dd>Women</dd>"), "a legend of the types used");
        server.stop().await;
    }
}

both_backends! {
    async fn meeting_forms_keep_what_was_typed_and_refuse_bad_input(database) {
        let server = TestServer::start(database).await;
        let (_, group) = directory(&server).await;
        let mut moderator = server.visitor();
        moderator.log_in("directory_mod").await;
        let form = moderator.get(&format!("/groups/{group}/meetings/new")).await;
        assert_eq!(form.status, 200);
        let long = "x".repeat(300);
        let refused = moderator.post(&format!("/groups/{group}/meetings/new"), &[
            ("name", &long), ("time_zone", "Nowhere/Land"), ("start_time", "19:00"), ("end_time", "19:00"),
            ("recurrence", "weekly"), ("days", "2"), ("mode", "in_person"), ("city", "Zürich"), ("latitude", "200"), ("longitude", "8"),
            ("status", "active"),
        ]).await;
        assert_eq!(refused.status, 422);
        for message in ["under 255 characters", "time zone name", "Latitude", "must differ from the start", "Zürich"] {
            assert!(refused.body.contains(message), "{message}");
        }
        let unknown = moderator.post(&format!("/groups/{group}/meetings/new"), &[("name", "Kept"), ("surprise", "1")]).await;
        assert_eq!(unknown.status, 422);
        assert!(unknown.body.contains("does not know") && unknown.body.contains(r#"value="Kept""#));
        let made = moderator.submit(&format!("/groups/{group}/meetings/new"), &[
            ("name", "Café Zürich ☕"), ("time_zone", "Europe/Zurich"), ("start_time", "23:30"), ("end_time", "00:30"),
            ("recurrence", "weekly"), ("days", "5"), ("mode", "in_person"), ("city", "Zürich"), ("status", "active"), ("types", "O, STILL"),
        ]).await;
        let page = moderator.get(made.location()).await;
        assert!(page.body.contains("Café Zürich ☕"));
        assert!(page.body.contains("23:30 to 00:30"));
        let (status, body) = server.api(Method::POST, &format!("/api/v1/groups/{group}/meetings"), Some(&server.token("directory_mod").await), Some(&json!({"name": ["a", {"b": 1}]}))).await;
        assert_eq!(status, 422, "{body}");
        server.stop().await;
    }
}

both_backends! {
    async fn the_demo_directory_feed_is_what_tsml_ui_can_render(database) {
        let server = TestServer::start(database).await;
        mutual_app::demo::seed_demo(&server.app).await.unwrap();
        let served = feed(&server).await;
        assert!(served.len() > 100, "{} rows", served.len());
        let mut slugs = std::collections::HashSet::new();
        let mut split = 0;
        for row in &served {
            // TSML UI reads `day` as one number ("Invalid unit value 1,3" otherwise).
            assert!(row["day"].as_i64().is_some_and(|d| (0..=6).contains(&d)), "{row}");
            assert!(slugs.insert(row["slug"].as_str().unwrap().to_owned()), "slugs stay unique: {row}");
            if let Some(own) = row["meeting_slug"].as_str() {
                assert_eq!(row["slug"], format!("{own}-{}", row["day"]));
                split += 1;
            }
            // Without `approximate`, TSML UI guesses from the address's shape and shows a
            // street address without a state as "Inactive".
            let approximate = row["approximate"].as_str().unwrap_or_else(|| panic!("no approximate: {row}"));
            assert!(approximate == "yes" || approximate == "no", "{row}");
            let conference = row.get("conference_url").or(row.get("conference_phone"));
            if approximate == "no" {
                let located = row.get("formatted_address").is_some() || (row.get("address").is_some() && row.get("city").is_some());
                assert!(located, "an exact row has an address TSML UI can show: {row}");
            } else {
                assert!(conference.is_some() || row["types"].as_array().unwrap().contains(&json!("TC")), "an approximate row is joined from afar: {row}");
            }
            for key in ["latitude", "longitude"] {
                if let Some(degrees) = row[key].as_f64() {
                    assert!(degrees.to_string().len() <= 12, "no binary noise in {key}: {row}");
                }
            }
        }
        assert!(split > 0, "the demo has meetings on several days");
        server.stop().await;
    }
}

both_backends! {
    async fn imports_take_the_shapes_the_plugin_takes_and_say_what_they_assumed(database) {
        let server = TestServer::start(database).await;
        let mut admin = admin(&server).await;
        let mut file = b"\xEF\xBB\xBF".to_vec();
        file.extend_from_slice(json!([
            {"slug": "martes", "name": "Grupo Esperanza", "day": "Martes", "time": "7:30 PM", "end_time": "8:30 p.m.",
             "types": "O,S", "address": "Calle Mayor 1", "city": "Madrid", "country": "Spain", "timezone": "Europe/Madrid"},
            {"slug": "weekdays", "name": "Weekday Mornings", "day": "Monday, Friday", "time": "7am",
             "latitude": "41.9", "longitude": "-87.6", "address": "1 Main St", "city": "Chicago"}
        ]).to_string().as_bytes());
        // The server's zone here is UTC, which no meeting is in by accident: a row without a
        // zone (and no area with one) is refused until the import names a zone.
        let page = admin.upload("/admin/meetings/import", &[("program", "AA"), ("timezone", "")], &file).await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(page.body.contains("Imported: 1 new, 0 updated, 1 rejected"), "{}", page.body);
        assert!(page.body.contains("(weekdays): it names no time zone, and neither its area nor the import gives one"), "{}", page.body);
        let zone = "America/Denver";
        let page = admin.upload("/admin/meetings/import", &[("program", "AA"), ("timezone", zone)], &file).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Imported: 1 new, 1 updated"), "{}", page.body);
        assert!(page.body.contains(&format!("1 row named no time zone and was given {zone}")), "{}", page.body);
        let served = feed(&server).await;
        let row = |slug: &str| served.iter().find(|r| r["slug"] == slug).unwrap_or_else(|| panic!("{slug}: {served:?}")).clone();
        let martes = row("martes");
        assert_eq!((&martes["day"], &martes["time"], &martes["end_time"]), (&json!(2), &json!("19:30"), &json!("20:30")));
        assert_eq!(martes["types"], json!(["O", "S"]));
        assert_eq!(martes["approximate"], "no", "a street address outside the US is exact");
        for (slug, day) in [("weekdays-1", 1), ("weekdays-5", 5)] {
            let weekday = row(slug);
            assert_eq!((&weekday["day"], &weekday["time"], &weekday["timezone"]), (&json!(day), &json!("07:00"), &json!(zone)));
            assert_eq!(weekday["latitude"], json!(41.9));
        }
        server.stop().await;
    }
}

both_backends! {
    async fn the_directory_page_opens_on_the_meetings_in_progress_and_coming_up(database) {
        // Monday 21 September 2026, 14:13 UTC.
        let server = TestServer::start(database).await;
        directory(&server).await;
        let mut visitor = server.visitor();
        let page = visitor.get("/meetings?tz=UTC").await;
        assert_eq!(page.status, 200);
        let body = &page.body;
        let coming_up = body.find("Coming up").expect("the page opens on the meetings coming up");
        assert!(!body.contains("In progress now</h2>"), "nothing is in progress at 14:13 UTC");
        let at = |name: &str| body.find(name).unwrap_or_else(|| panic!("{name} is not on the opening page"));
        let order = ["London Online", "Tuesday Night Chicago", "Evanston Morning", "First Saturday Berlin"].map(at);
        assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "soonest first: {order:?}");
        let filters = body.find("id=\"search-heading\"").expect("the filters are on the page");
        assert!(coming_up < order[0] && order[3] < filters, "meetings before the filters");

        // 19:43 UTC: London's 20:00 meeting is on.
        server.clock.advance(Duration::from_secs(5 * 3600 + 30 * 60));
        let page = visitor.get("/meetings?tz=UTC").await;
        let now = page.body.find("In progress now</h2>").expect("a section for what is on now");
        let london = page.body.find("London Online").unwrap();
        let coming_up = page.body.find("Coming up").unwrap();
        assert!(now < london && london < coming_up, "the meeting in progress is shown first");
        assert_eq!(page.body.matches("London Online").count(), 1, "and only there");

        // The shortcuts a person reaches for first.
        let opening = visitor.get("/meetings").await;
        for shortcut in ["<a href=\"/meetings?when=tonight\">Tonight</a>", "<a href=\"/meetings?mode=online&amp;when=now\">Online now</a>"] {
            assert!(opening.body.contains(shortcut), "{shortcut}");
        }
        let tonight = visitor.get("/meetings?when=tonight&tz=Europe/London").await;
        assert!(tonight.body.contains("1 meeting</h2>") && tonight.body.contains("London Online"), "{}", tonight.body);
        assert!(tonight.body.contains("<option value=\"tonight\" selected"), "the form keeps the choice");

        // A search shows its results, not the opening lists.
        let page = visitor.get("/meetings?q=evanston&tz=UTC").await;
        assert!(page.body.contains("1 meeting</h2>") && !page.body.contains("Coming up"), "{}", page.body);
        assert!(page.body.contains("<span class=\"type\">Open</span> <span class=\"type\">Discussion</span>"), "types in words, not codes: {}", page.body);
        server.stop().await;
    }
}

both_backends! {
    async fn meetings_by_appointment_are_kept_shown_and_exported_without_a_time(database) {
        let server = TestServer::start(database).await;
        let (_, group) = directory(&server).await;
        let mut admin = admin(&server).await;
        let page = import(&mut admin, &json!([
            {"slug": "call-us", "name": "Call Us First", "formatted_address": "Leeds, UK",
             "timezone": "Europe/London", "types": ["O"], "notes": "Ring the office"},
            {"slug": "half", "name": "Day Without Time", "day": 2, "address": "1 Main St", "city": "Leeds"}
        ])).await;
        assert_eq!(page.status, 422, "a rejected row makes the answer a 422: {}", page.body);
        assert!(page.body.contains("Imported: 1 new"), "{}", page.body);
        assert!(page.body.contains("a day but no time"), "a day alone is refused, saying why: {}", page.body);

        let served = feed(&server).await;
        let row = served.iter().find(|r| r["slug"] == "call-us").expect("by appointment is in the feed");
        for absent in ["day", "time", "end_time"] {
            assert!(row.get(absent).is_none(), "no {absent}, as the format has it: {row}");
        }
        assert_eq!(row["approximate"], "no");
        assert!(served.iter().filter(|r| r["slug"] != "call-us").all(|r| r["day"].as_i64().is_some()));

        let id = row["url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        let (status, meeting) = server.api(Method::GET, &format!("/api/v1/meetings/{id}"), None, None).await;
        assert_eq!(status, 200, "{meeting}");
        assert_eq!((&meeting["recurrence"], &meeting["start_time"], &meeting["end_time"]), (&json!("appointment"), &Value::Null, &Value::Null));
        let mut visitor = server.visitor();
        let page = visitor.get(&format!("/meetings/{id}")).await;
        assert!(page.body.contains("By appointment: contact"), "{}", page.body);
        assert!(!page.body.contains(".ics"), "no calendar for a meeting with no times");
        assert_eq!(visitor.get(&format!("/meetings/{id}.ics")).await.status, 404);

        let opening = visitor.get("/meetings?tz=UTC").await;
        let listed = opening.body.find("By appointment</h2>").expect("listed apart on the directory page");
        assert!(opening.body[listed..].contains("Call Us First"));
        assert!(!opening.body[..listed].contains("Call Us First"), "never among the timed meetings");
        assert!(visitor.get("/meetings?q=leeds&tz=UTC").await.body.contains("Call Us First"), "found by a search");
        assert!(!visitor.get("/meetings?in_progress=on&tz=UTC").await.body.contains("Call Us First"), "not by a question about when");

        // Made in the form: no day or times needed, whatever the form still holds.
        let mut moderator = server.visitor();
        moderator.log_in("directory_mod").await;
        let made = moderator.submit(&format!("/groups/{group}/meetings/new"), &[
            ("name", "Ask Us"), ("time_zone", "Europe/London"), ("start_time", ""), ("end_time", ""),
            ("recurrence", "appointment"), ("mode", "in_person"), ("city", "Leeds"), ("status", "active"),
        ]).await;
        let page = moderator.get(made.location()).await;
        assert!(page.body.contains("Ask Us") && page.body.contains("By appointment: contact"), "{}", page.body);
        let made_id = made.location().trim_start_matches("/meetings/").split('?').next().unwrap().to_owned();
        let edit = moderator.get(&format!("/meetings/{made_id}/edit")).await;
        assert_eq!(edit.status, 200, "{}", edit.body);
        assert!(edit.body.contains(r#"value="appointment" selected"#), "the form shows it as it is: {}", edit.body);
        server.stop().await;
    }
}

/// Rows with what the plugin's CSV carries: a meeting on two days with the group's contact
/// and donation fields, one with a split address, and one by appointment.
fn plugin_rows() -> Value {
    json!([
        {"slug": "hope", "name": "Hope, \"at\" Noon", "day": [1, 3], "time": "12:00", "end_time": "13:00",
         "timezone": "America/Chicago", "formatted_address": "4953 W Addison St, Chicago, IL 60641, USA",
         "latitude": 41.94612, "longitude": -87.75158, "region": "Chicago", "sub_region": "Portage Park",
         "types": ["O", "D", "QUIET"], "notes": "Side door\nupstairs", "group": "Noon Hope Group",
         "venmo": "@NoonHope", "contact_1_name": "Sam", "website": "https://example.org", "district": "District 7",
         "conference_url": "https://zoom.us/j/1234567890", "updated": "2024-03-01 12:30:00"},
        {"slug": "lone", "name": "Lone Meeting", "day": 0, "time": "23:30", "end_time": "00:30",
         "timezone": "Europe/London", "address": "1 High St", "city": "Leeds", "postal_code": "LS1",
         "country": "UK", "types": ["O"], "updated": "2025-01-02 03:04:05"},
        {"slug": "call-us", "name": "Call Us", "formatted_address": "Leeds, UK", "timezone": "Europe/London",
         "types": [], "updated": "2025-01-02 03:04:05"}
    ])
}

fn sorted(mut rows: Vec<Value>) -> Vec<Value> {
    rows.sort_by_key(|row| row["slug"].as_str().unwrap().to_owned());
    rows
}

async fn bmlt(server: &TestServer) -> Vec<Value> {
    let (status, body) = server
        .api(
            Method::GET,
            "/client_interface/json/?switcher=GetSearchResults",
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

both_backends! {
    async fn the_plugins_csv_and_bmlts_search_results_round_trip(database) {
        let backend = if database.sqlite_file().is_some() { mutual_testkit::TestBackend::Sqlite } else { mutual_testkit::TestBackend::Postgres };
        let server = TestServer::start(database).await;
        let mut admin = admin(&server).await;
        let page = import(&mut admin, &plugin_rows()).await;
        assert!(page.body.contains("Imported: 3 new, 0 updated"), "{}", page.body);
        let before = sorted(feed(&server).await);

        let response = server.client.get(server.url("/meetings.csv")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(response.headers()["content-disposition"].to_str().unwrap().contains("meetings.csv"));
        let csv = response.text().await.unwrap();
        assert!(csv.starts_with("Time,End Time,Day,Name,Location,Address,Region,Sub Region,Types,"), "the plugin's columns first: {csv}");
        assert_eq!(csv.matches("\r\n").count(), 1 + 4, "a header and a line per meeting-day (CRLF ends each; the notes keep their own newline):\n{csv}");
        assert!(csv.contains("12:00,13:00,Monday,\"Hope, \"\"at\"\" Noon\""), "{csv}");
        assert!(csv.contains("\"Open, Discussion, QUIET\""), "types by name, as the plugin writes them: {csv}");

        // The file imported again is the same meetings, field for field.
        let page = admin.upload("/admin/meetings/import", &[("program", "AA"), ("timezone", "")], csv.as_bytes()).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Imported: 0 new, 3 updated"), "{}", page.body);
        assert_eq!(sorted(feed(&server).await), before, "a CSV round trip changes nothing");

        // BMLT's answer: one result a meeting-day, all text, by appointment left out.
        let results = bmlt(&server).await;
        assert_eq!(results.len(), 3, "{results:?}");
        assert!(results.iter().all(|r| r.as_object().unwrap().values().all(Value::is_string)));
        let mut weekdays: Vec<&str> = results.iter().map(|r| r["weekday_tinyint"].as_str().unwrap()).collect();
        weekdays.sort_unstable();
        assert_eq!(weekdays, ["1", "2", "4"], "Sunday is 1");
        let ids: std::collections::HashSet<&str> = results.iter().map(|r| r["id_bigint"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 3, "each meeting-day its own id");
        assert_eq!(bmlt(&server).await, results, "ids that stay");
        let refused = server.client.get(server.url("/client_interface/json/?switcher=GetFormats")).send().await.unwrap();
        assert_eq!(refused.status(), 422);
        let body = refused.text().await.unwrap();
        assert!(body.contains("only switcher=GetSearchResults"), "{body}");

        // Read by another directory, BMLT's answer is the same meetings again.
        let other = TestServer::start(mutual_testkit::TestDatabase::create(backend).await.unwrap()).await;
        let mut other_admin = super::admin(&other).await;
        let page = other_admin.upload("/admin/meetings/import", &[("program", "AA"), ("timezone", "")], Value::Array(results.clone()).to_string().as_bytes()).await;
        assert!(page.body.contains("Imported: 3 new, 0 updated"), "{}", page.body);
        let without_ids = |rows: Vec<Value>| {
            let mut rows: Vec<Value> = rows.into_iter().map(|mut r| { r.as_object_mut().unwrap().remove("id_bigint"); r }).collect();
            rows.sort_by_key(|r| (r["meeting_name"].as_str().unwrap().to_owned(), r["weekday_tinyint"].as_str().unwrap().to_owned()));
            rows
        };
        assert_eq!(without_ids(bmlt(&other).await), without_ids(results));
        other.stop().await;
        server.stop().await;
    }
}

both_backends! {
    async fn near_takes_the_name_of_a_place_the_directory_lists(database) {
        let server = TestServer::start(database).await;
        directory(&server).await;
        assert_eq!(names(&server, "near=Evanston&radius_km=5").await, ["Evanston Morning"]);
        assert_eq!(names(&server, "near=%20chicago%20&radius_km=10").await, ["Tuesday Night Chicago"], "any case, spaces trimmed");
        assert_eq!(names(&server, "near=41.8781,-87.6298&radius_km=10").await, ["Tuesday Night Chicago"], "coordinates as before");
        assert_eq!(suggested(&server, "near=evanston&attend=in_person&radius_km=5").await, ["Evanston Morning"], "and in the finder");
        for query in ["near=Chicagoland", "near=Atlantis"] {
            let (status, body) = server.api(Method::GET, &format!("/api/v1/meetings?{query}"), None, None).await;
            assert_eq!(status, 422, "{body}");
            let message = body["error"]["fields"][0]["message"].as_str().unwrap();
            assert!(message.contains("town, area or postcode"), "{message}");
            if query.ends_with("Chicagoland") {
                assert!(message.contains("include: Chicago"), "it names places it has: {message}");
            }
        }
        let (status, _) = server.api(Method::GET, &format!("/api/v1/meetings?near={}", "x".repeat(101)), None, None).await;
        assert_eq!(status, 422);

        let mut visitor = server.visitor();
        let page = visitor.get("/meetings?near=Evanston&radius_km=5&tz=UTC").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("1 meeting</h2>") && page.body.contains("Evanston Morning"), "{}", page.body);
        let refused = visitor.get("/meetings?near=Atlantis&tz=UTC").await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains(r#"value="Atlantis""#), "what was typed is kept");
        assert!(refused.body.contains("No meetings with a location are listed in a place called"), "{}", refused.body);
        server.stop().await;
    }
}

both_backends! {
    async fn admins_keep_areas_that_meetings_belong_to_and_searches_filter_by(database) {
        let server = TestServer::start(database).await;
        let (_, group) = directory(&server).await;
        let mut admin = admin(&server).await;
        admin.submit("/admin/areas", &[("area_parent", ""), ("area_name", "Illinois"), ("area_time_zone", "America/Chicago")]).await;
        let (_, areas) = server.api(Method::GET, "/api/v1/areas", None, None).await;
        let illinois = areas["areas"][0]["id"].as_str().unwrap().to_owned();
        admin.submit("/admin/areas", &[("area_parent", &illinois), ("area_name", "Chicago"), ("area_time_zone", "")]).await;
        let refused = admin.post("/admin/areas", &[("area_parent", &illinois), ("area_name", "Chicago"), ("area_time_zone", "Mars/Olympus")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("already an area called") && refused.body.contains("time zone"), "{}", refused.body);
        assert!(refused.body.contains(r#"value="Mars/Olympus""#), "what was typed is kept");

        // An import puts rows in the areas they name, adding those missing; a row without a
        // zone takes its area's.
        let page = import(&mut admin, &json!([
            {"slug": "portage", "name": "Portage Park Noon", "day": 1, "time": "12:00", "address": "1 Main St", "city": "Chicago",
             "region": "Illinois", "sub_region": "Chicago", "district": "Portage Park", "latitude": 41.95, "longitude": -87.76},
            {"slug": "leeds", "name": "Leeds Tuesday", "day": 2, "time": "19:00", "address": "1 High St", "city": "Leeds",
             "region": "Leeds", "timezone": "Europe/London"}
        ])).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("1 row named no time zone and was given its area"), "{}", page.body);
        assert!(page.body.contains("2 areas the rows named were added"), "{}", page.body);
        let served = feed(&server).await;
        let portage = served.iter().find(|r| r["slug"] == "portage").unwrap();
        assert_eq!((&portage["region"], &portage["sub_region"], &portage["district"]), (&json!("Illinois"), &json!("Chicago"), &json!("Portage Park")));
        assert_eq!(portage["timezone"], "America/Chicago", "the region's zone, not the server's (UTC)");
        let (_, areas) = server.api(Method::GET, "/api/v1/areas", None, None).await;
        let listed: Vec<(String, String, i64)> = areas["areas"].as_array().unwrap().iter()
            .map(|a| (a["path"].as_str().unwrap().to_owned(), a["level"].as_str().unwrap().to_owned(), a["meetings"].as_i64().unwrap())).collect();
        assert_eq!(listed, [("Illinois".into(), "region".into(), 1), ("Illinois > Chicago".into(), "sub-region".into(), 1),
            ("Illinois > Chicago > Portage Park".into(), "district".into(), 1), ("Leeds".into(), "region".into(), 1)]);

        // Searches and the finder filter by an area and the areas under it.
        assert_eq!(names(&server, "area=Illinois").await, ["Portage Park Noon"]);
        assert_eq!(names(&server, "area=Illinois%20%3E%20Chicago%20%3E%20Portage%20Park").await, ["Portage Park Noon"]);
        assert_eq!(names(&server, "area=Leeds").await, ["Leeds Tuesday"]);
        assert!(names(&server, "area=Chicago").await.is_empty(), "a sub-region is named with its region");
        assert_eq!(suggested(&server, "area=Leeds&attend=in_person").await, ["Leeds Tuesday"]);
        let page = server.visitor().get("/meetings?area=Leeds&tz=UTC").await;
        assert!(page.body.contains(r#"<option value="Illinois &#62; Chicago">— Chicago</option>"#), "the areas are offered, indented: {}", page.body);
        assert!(page.body.contains("1 meeting</h2>"), "{}", page.body);

        // A listing names one of the areas; one the directory does not have is refused.
        let mut moderator = server.visitor();
        moderator.log_in("directory_mod").await;
        let fields = |area: &'static str| vec![("name", "Area Meeting"), ("time_zone", "America/Chicago"), ("start_time", "18:00"), ("end_time", "19:00"),
            ("recurrence", "weekly"), ("days", "3"), ("mode", "in_person"), ("city", "Chicago"), ("status", "active"), ("area", area)];
        let refused = moderator.post(&format!("/groups/{group}/meetings/new"), &fields("Illinois > Atlantis")).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("There is no area"), "{}", refused.body);
        let made = moderator.submit(&format!("/groups/{group}/meetings/new"), &fields("Illinois > Chicago")).await;
        let id = made.location().trim_start_matches("/meetings/").split('?').next().unwrap().to_owned();
        let (_, meeting) = server.api(Method::GET, &format!("/api/v1/meetings/{id}"), None, None).await;
        assert_eq!(meeting["area"], "Illinois > Chicago");
        let edit = moderator.get(&format!("/meetings/{id}/edit")).await;
        assert!(edit.body.contains(r#"value="Illinois &#62; Chicago" selected"#), "{}", edit.body);

        // A group belongs to an area too: its meetings that name none are in it.
        let token = server.token("directory_mod").await;
        let group_body = json!({"name": "Lakeside Group", "program": "AA", "tags": ["spiritual"], "size": "small",
            "structure": "sharing", "facilitation": "peer", "audience": ["newcomers", "women"], "languages": "EN",
            "accessibility": ["wheelchair"], "contact_name": "Sam"});
        let mut unknown = group_body.clone();
        unknown["area"] = json!("Atlantis");
        let (status, body) = server.api(Method::PUT, &format!("/api/v1/groups/{group}"), Some(&token), Some(&unknown)).await;
        assert_eq!(status, 422, "{body}");
        let mut in_illinois = group_body.clone();
        in_illinois["area"] = json!("Illinois");
        let (status, body) = server.api(Method::PUT, &format!("/api/v1/groups/{group}"), Some(&token), Some(&in_illinois)).await;
        assert!((200..300).contains(&status), "{body}");
        let (_, shown) = server.api(Method::GET, &format!("/api/v1/groups/{group}"), None, None).await;
        assert_eq!(shown["area"], "Illinois");
        let in_illinois = names(&server, "area=Illinois").await;
        for name in ["Tuesday Night Chicago", "Evanston Morning", "Portage Park Noon", "Area Meeting"] {
            assert!(in_illinois.iter().any(|n| n == name), "{name} in {in_illinois:?}");
        }
        assert!(!in_illinois.iter().any(|n| n == "Leeds Tuesday"));

        // An area with meetings stays; an empty one can go.
        let (_, areas) = server.api(Method::GET, "/api/v1/areas", None, None).await;
        let id_of = |path: &str| areas["areas"].as_array().unwrap().iter().find(|a| a["path"] == path).unwrap()["id"].as_str().unwrap().to_owned();
        let kept = admin.post(&format!("/admin/areas/{}/delete", id_of("Leeds")), &[]).await;
        assert_eq!(kept.status, 422);
        assert!(kept.body.contains("has 1 meeting"), "{}", kept.body);
        admin.submit("/admin/areas", &[("area_parent", ""), ("area_name", "Empty"), ("area_time_zone", "")]).await;
        let (_, areas) = server.api(Method::GET, "/api/v1/areas", None, None).await;
        let empty = areas["areas"].as_array().unwrap().iter().find(|a| a["path"] == "Empty").unwrap()["id"].as_str().unwrap().to_owned();
        admin.submit(&format!("/admin/areas/{empty}/delete"), &[]).await;
        admin.submit(&format!("/admin/areas/{}/zone", id_of("Leeds")), &[("time_zone", "Europe/London")]).await;
        let (_, areas) = server.api(Method::GET, "/api/v1/areas", None, None).await;
        assert!(areas["areas"].as_array().unwrap().iter().all(|a| a["path"] != "Empty"));
        assert!(areas["areas"].as_array().unwrap().iter().any(|a| a["path"] == "Leeds" && a["time_zone"] == "Europe/London"));
        server.stop().await;
    }
}
