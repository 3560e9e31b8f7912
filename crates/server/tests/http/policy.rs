//! The authorization matrix: every route in the policy table, called as every role.

use crate::support::{PASSWORD, TestServer, Visitor};
use mutual_domain::permissions::{Access, Role};
use mutual_testkit::both_backends;
use mutual_web::route_table;

/// Whether the response is the policy layer's refusal (rather than the handler's answer).
fn refused(status: u16, location: &str) -> bool {
    status == 401 || status == 403 || (status == 303 && location.starts_with("/login"))
}

async fn call(
    server: &TestServer,
    visitor: &mut Visitor,
    token: Option<&str>,
    method: &str,
    path: &str,
) -> (u16, String) {
    let path = path
        .replace("{id}", &uuid::Uuid::now_v7().to_string())
        .replace("{token}", "not-a-real-token")
        .replace("{user}", &uuid::Uuid::now_v7().to_string())
        .replace("{code}", "NOPE")
        .replace("{kind}", "support");
    if path.starts_with("/api/") {
        let mut request = match method {
            "GET" => server.client.get(server.url(&path)),
            "POST" => server
                .client
                .post(server.url(&path))
                .header("content-type", "application/json")
                .body("{}"),
            "PUT" => server
                .client
                .put(server.url(&path))
                .header("content-type", "application/json")
                .body("{}"),
            "DELETE" => server.client.delete(server.url(&path)),
            other => panic!("unexpected method {other}"),
        };
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (response.status().as_u16(), location)
    } else {
        let page = match method {
            "GET" => visitor.get(&path).await,
            "POST" => visitor.post(&path, &[]).await,
            other => panic!("unexpected method {other}"),
        };
        (page.status, page.location().to_owned())
    }
}

both_backends! {
    async fn every_route_admits_exactly_the_roles_its_policy_names(database) {
        let server = TestServer::start(database).await;
        server.register("plain_member").await;
        server.member_with_role("a_moderator", Role::Moderator).await;
        server.member_with_role("an_admin", Role::Admin).await;
        let roles: [(Option<Role>, &str); 4] = [
            (None, ""),
            (Some(Role::Member), "plain_member"),
            (Some(Role::Moderator), "a_moderator"),
            (Some(Role::Admin), "an_admin"),
        ];
        let mut failures = Vec::new();
        let table = route_table();
        for rule in table.routes() {
            for (role, name) in roles {
                // A fresh session per call: some routes end the session that calls them.
                let mut visitor = server.visitor();
                let token = match role {
                    Some(_) => {
                        visitor.post("/login", &[("username", name), ("password", PASSWORD)]).await;
                        Some(visitor.cookies["mutual_session"].clone())
                    }
                    None => None,
                };
                let (status, location) = call(&server, &mut visitor, token.as_deref(), rule.method.as_str(), &rule.path).await;
                let expected = rule.access.allows(role);
                if refused(status, &location) == expected || status >= 500 {
                    failures.push(format!("{} {} as {:?}: {status} {location} (allowed: {expected})", rule.method, rule.path, role));
                }
            }
            // An admin's empty visibility form closes the directory to visitors, whose later
            // directory calls would then be refused by the handler rather than the policy.
            mutual_app::meetings::set_directory_public(&server.app, true).await.unwrap();
        }
        assert!(failures.is_empty(), "policy violations:\n{}", failures.join("\n"));
        assert!(table.routes().iter().any(|r| r.access == Access::Admin), "the matrix covers admin routes");
        server.stop().await;
    }
}
