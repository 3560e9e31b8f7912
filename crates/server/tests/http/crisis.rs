//! The admins' crisis lines page: a country set there shows on every server at once (over the
//! bus on PostgreSQL, read at start-up on any), bad input is refused with what was typed kept,
//! and removing it brings back the shipped lines.

use crate::community::logged_in;
use crate::support::TestServer;
use mutual_domain::permissions::Role;
use mutual_testkit::both_backends;
use std::time::Duration;

const BRASIL: &[(&str, &str)] = &[
    ("code", "br"),
    ("name", "Brasil"),
    (
        "lines",
        "CVV | Centro de Valorização da Vida, 24 horas | 188 | | https://cvv.org.br\nSAMU | Emergências médicas | 192",
    ),
    ("note", "Em uma emergência, ligue 192."),
    ("sources", "https://cvv.org.br"),
    ("zones", "America/Sao_Paulo"),
];

both_backends! {
    async fn an_admin_sets_a_countrys_crisis_lines_and_every_server_shows_them(database) {
        let server = TestServer::start(database).await;
        let other = server.another_server().await;
        server.member_with_role("admin_ada", Role::Admin).await;
        server.member_with_role("mod_moe", Role::Moderator).await;
        let mut admin = logged_in(&server, "admin_ada").await;
        let page = admin.get("/admin/crisis-lines").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("United Kingdom") && page.body.contains("Samaritans"), "the shipped lines are listed");
        assert!(admin.get("/admin").await.body.contains("href=\"/admin/crisis-lines\""));
        let mut moderator = logged_in(&server, "mod_moe").await;
        assert_ne!(moderator.get("/admin/crisis-lines").await.status, 200, "admins only");

        // Bad input: every problem named, everything typed kept.
        let refused = admin.post("/admin/crisis-lines", &[("code", "Brazil"), ("name", "Brasil 🇧🇷"), ("lines", "CVV | só palavras"), ("note", ""), ("sources", ""), ("zones", "Mars/Olympus")]).await;
        assert_eq!(refused.status, 422);
        for expected in ["two-letter code", "a way to reach it", "where the numbers come from", "not a time zone", "Brasil 🇧🇷", "CVV | só palavras", "Mars/Olympus"] {
            assert!(refused.body.contains(expected), "{expected}: {}", refused.body);
        }
        let long = "x".repeat(1_000);
        let refused = admin.post("/admin/crisis-lines", &[("code", "BR"), ("name", &long), ("lines", "a | | 1"), ("note", ""), ("sources", "s"), ("zones", "")]).await;
        assert!(refused.status == 422 && refused.body.contains("under 80 characters"), "{}", refused.body);
        let huge = "x".repeat(100_000);
        assert_eq!(admin.post("/admin/crisis-lines", &[("code", "BR"), ("name", &huge)]).await.status, 413, "past the form size limit");
        assert_eq!(admin.post("/admin/crisis-lines", &[("code", "BR"), ("extra", "1")]).await.status, 422, "unknown fields");

        // Before: Brazil gets the international directories.
        assert!(!server.visitor().get("/help?country=BR").await.body.contains("188"));
        let saved = admin.post("/admin/crisis-lines", BRASIL).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let help = server.visitor().get("/help?country=BR").await.body;
        assert!(help.contains("CVV") && help.contains("188") && help.contains("Em uma emergência"), "{help}");
        let page = admin.get("/admin/crisis-lines").await.body;
        assert!(page.contains("Brasil <span class=\"hint\">(BR) · set here"), "{page}");
        let editing = admin.get("/admin/crisis-lines?country=BR").await.body;
        assert!(editing.contains("CVV | Centro de Valorização da Vida, 24 horas | 188 |  | https://cvv.org.br"), "the form opens with the lines: {editing}");

        // Another server: at once over the bus on PostgreSQL; any server started later reads it.
        if server.sqlite_file().is_none() {
            let shown = tokio::time::timeout(Duration::from_secs(5), async {
                loop {
                    if other.visitor().get("/help?country=BR").await.body.contains("188") {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
            .await;
            assert!(shown.is_ok(), "the other server never showed the new lines");
        }
        let later = server.another_server().await;
        let shown = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                if later.visitor().get("/help?country=BR").await.body.contains("188") {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(shown.is_ok(), "a server started later never showed the lines");

        // Replacing a shipped country, then removing ours brings the shipped lines back.
        let mut uk: Vec<(&str, &str)> = BRASIL.to_vec();
        uk[0] = ("code", "GB");
        uk[1] = ("name", "United Kingdom");
        assert_eq!(admin.post("/admin/crisis-lines", &uk).await.status, 303);
        let help = server.visitor().get("/help?country=GB").await.body;
        assert!(help.contains("CVV") && !help.contains("Samaritans"), "ours in place of the shipped lines");
        assert_eq!(admin.post("/admin/crisis-lines/remove", &[("code", "GB")]).await.status, 303);
        assert!(server.visitor().get("/help?country=GB").await.body.contains("Samaritans"));
        assert_eq!(admin.post("/admin/crisis-lines/remove", &[("code", "GB")]).await.status, 404, "nothing of ours left to remove");
        later.stop().await;
        other.stop().await;
        server.stop().await;
    }
}
