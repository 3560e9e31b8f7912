//! The route table: every route, its handler, and the one policy list that says who may call
//! it. The authorization middleware reads the policy; a test proves the two lists agree.

use crate::{AppState, api, assets, ops, pages};
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};
use mutual_domain::permissions::Access;

/// Who may call one route.
#[derive(Clone, Copy, Debug)]
pub struct RoutePolicy {
    pub method: &'static str,
    /// The route pattern exactly as registered (`{id}` for path parameters).
    pub path: &'static str,
    pub access: Access,
}

const fn rule(method: &'static str, path: &'static str, access: Access) -> RoutePolicy {
    RoutePolicy {
        method,
        path,
        access,
    }
}

use Access::{Admin, Anyone, Member, Public};

/// Every route and who may call it. A route missing here is refused (fail closed) and fails
/// the route-table test.
pub const POLICY: &[RoutePolicy] = &[
    // Operations and assets: no session is looked at, so they work with the database down.
    rule("GET", "/healthz", Public),
    rule("GET", "/readyz", Public),
    rule("GET", "/metrics", Public),
    rule("GET", "/static/mutual.css", Public),
    rule("GET", "/static/mutual.js", Public),
    rule("GET", "/help", Public),
    // Pages.
    rule("GET", "/", Anyone),
    rule("GET", "/register", Anyone),
    rule("POST", "/register", Anyone),
    rule("GET", "/login", Anyone),
    rule("POST", "/login", Anyone),
    rule("POST", "/logout", Member),
    rule("GET", "/setup/{token}", Anyone),
    rule("POST", "/setup/{token}", Anyone),
    rule("GET", "/dashboard", Member),
    rule("GET", "/settings", Member),
    rule("POST", "/settings/password", Member),
    rule("POST", "/settings/sessions/{id}/end", Member),
    rule("POST", "/settings/sessions/end-all", Member),
    rule("GET", "/settings/export", Member),
    rule("POST", "/settings/delete", Member),
    rule("POST", "/settings/time-zone", Member),
    rule("POST", "/settings/reminder", Member),
    rule("GET", "/clocks", Member),
    rule("POST", "/clocks", Member),
    rule("GET", "/clocks/{id}", Member),
    rule("POST", "/clocks/{id}", Member),
    rule("POST", "/clocks/{id}/reset", Member),
    rule("POST", "/clocks/{id}/delete", Member),
    rule("POST", "/clocks/{id}/celebrated", Member),
    rule("GET", "/checkin", Member),
    rule("POST", "/checkin", Member),
    rule("GET", "/checkins.csv", Member),
    rule("GET", "/weekly", Member),
    rule("POST", "/weekly", Member),
    rule("GET", "/trends", Member),
    rule("POST", "/notifications/read", Member),
    rule("GET", "/admin", Admin),
    rule("POST", "/admin/registration", Admin),
    rule("POST", "/admin/invites", Admin),
    rule("POST", "/admin/milestones", Admin),
    rule("GET", "/admin/audit", Admin),
    rule("POST", "/admin/members/{id}/role", Admin),
    rule("POST", "/admin/members/{id}/suspend", Admin),
    rule("POST", "/admin/members/{id}/unsuspend", Admin),
    rule("POST", "/admin/members/{id}/approve", Admin),
    // JSON API.
    rule("GET", "/api/v1/openapi.json", Public),
    rule("POST", "/api/v1/accounts", Anyone),
    rule("POST", "/api/v1/sessions", Anyone),
    rule("DELETE", "/api/v1/sessions/current", Member),
    rule("GET", "/api/v1/me", Member),
    rule("GET", "/api/v1/me/export", Member),
    rule("GET", "/api/v1/clocks", Member),
    rule("POST", "/api/v1/clocks", Member),
    rule("PUT", "/api/v1/clocks/{id}", Member),
    rule("DELETE", "/api/v1/clocks/{id}", Member),
    rule("POST", "/api/v1/clocks/{id}/reset", Member),
    rule("PUT", "/api/v1/checkins/{date}", Member),
    rule("GET", "/api/v1/checkins", Member),
    rule("POST", "/api/v1/weekly-checkins", Member),
    rule("GET", "/api/v1/weekly-checkins", Member),
    rule("GET", "/api/v1/trends", Member),
    rule("GET", "/api/v1/warning-signs", Member),
];

/// The access rule for a matched route, if it has one.
pub fn policy_for(method: &Method, path: &str) -> Option<Access> {
    POLICY
        .iter()
        .find(|rule| rule.path == path && rule.method == method.as_str())
        .map(|rule| rule.access)
}

/// A router that remembers every (method, path) it registers.
struct Routes {
    router: Router<AppState>,
    registered: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.registered.push((method, path));
        self.router = self.router.route(path, route);
        self
    }

    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("GET", path, get(handler))
    }

    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("POST", path, post(handler))
    }

    fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("PUT", path, put(handler))
    }

    fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("DELETE", path, delete(handler))
    }
}

/// Every route with its handler, and the list of what was registered.
pub(crate) fn build() -> (Router<AppState>, Vec<(&'static str, &'static str)>) {
    let routes = Routes {
        router: Router::new(),
        registered: Vec::new(),
    }
    .get("/healthz", ops::healthz)
    .get("/readyz", ops::readyz)
    .get("/metrics", ops::metrics)
    .get("/static/mutual.css", assets::stylesheet)
    .get("/static/mutual.js", assets::script)
    .get("/help", pages::help::show_help)
    .get("/", pages::home::show_home)
    .get("/register", pages::accounts::show_register)
    .post("/register", pages::accounts::register)
    .get("/login", pages::accounts::show_login)
    .post("/login", pages::accounts::log_in)
    .post("/logout", pages::accounts::log_out)
    .get("/setup/{token}", pages::setup::show_setup)
    .post("/setup/{token}", pages::setup::complete_setup)
    .get("/dashboard", pages::dashboard::show_dashboard)
    .get("/settings", pages::settings::show_settings)
    .post("/settings/password", pages::settings::change_password)
    .post("/settings/sessions/{id}/end", pages::settings::end_session)
    .post(
        "/settings/sessions/end-all",
        pages::settings::end_all_sessions,
    )
    .get("/settings/export", pages::settings::export_data)
    .post("/settings/delete", pages::settings::delete_account)
    .post("/settings/time-zone", pages::settings::set_time_zone)
    .post("/settings/reminder", pages::settings::set_reminder)
    .get("/clocks", pages::recovery::show_clocks)
    .post("/clocks", pages::recovery::create_clock)
    .get("/clocks/{id}", pages::recovery::show_clock)
    .post("/clocks/{id}", pages::recovery::update_clock)
    .post("/clocks/{id}/reset", pages::recovery::reset_clock)
    .post("/clocks/{id}/delete", pages::recovery::delete_clock)
    .post(
        "/clocks/{id}/celebrated",
        pages::recovery::acknowledge_milestone,
    )
    .get("/checkin", pages::recovery::show_checkin)
    .post("/checkin", pages::recovery::record_checkin)
    .get("/checkins.csv", pages::recovery::export_checkins_csv)
    .get("/weekly", pages::recovery::show_weekly)
    .post("/weekly", pages::recovery::record_weekly)
    .get("/trends", pages::recovery::show_trends)
    .post(
        "/notifications/read",
        pages::recovery::mark_notifications_read,
    )
    .get("/admin", pages::admin::show_admin)
    .post("/admin/registration", pages::admin::set_registration_mode)
    .post("/admin/invites", pages::admin::create_invite)
    .post("/admin/milestones", pages::admin::set_milestones)
    .get("/admin/audit", pages::admin::show_audit)
    .post("/admin/members/{id}/role", pages::admin::change_role)
    .post("/admin/members/{id}/suspend", pages::admin::suspend_member)
    .post(
        "/admin/members/{id}/unsuspend",
        pages::admin::unsuspend_member,
    )
    .post("/admin/members/{id}/approve", pages::admin::approve_member)
    .get("/api/v1/openapi.json", api::openapi::show_openapi)
    .post("/api/v1/accounts", api::accounts::create_account)
    .post("/api/v1/sessions", api::accounts::create_session)
    .delete(
        "/api/v1/sessions/current",
        api::accounts::delete_current_session,
    )
    .get("/api/v1/me", api::accounts::show_me)
    .get("/api/v1/me/export", api::accounts::export_me)
    .get("/api/v1/clocks", api::recovery::list_clocks)
    .post("/api/v1/clocks", api::recovery::create_clock)
    .put("/api/v1/clocks/{id}", api::recovery::update_clock)
    .delete("/api/v1/clocks/{id}", api::recovery::delete_clock)
    .post("/api/v1/clocks/{id}/reset", api::recovery::reset_clock)
    .put("/api/v1/checkins/{date}", api::recovery::put_checkin)
    .get("/api/v1/checkins", api::recovery::list_checkins)
    .post("/api/v1/weekly-checkins", api::recovery::create_weekly)
    .get("/api/v1/weekly-checkins", api::recovery::list_weekly)
    .get("/api/v1/trends", api::recovery::show_trends)
    .get("/api/v1/warning-signs", api::recovery::show_warning_signs);
    (routes.router.fallback(pages::not_found), routes.registered)
}

/// Every (method, path) the router serves, for tests and the OpenAPI check.
pub fn registered_routes() -> Vec<(&'static str, &'static str)> {
    build().1
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_registered_route_has_a_policy_and_every_policy_a_route() {
        let registered: BTreeSet<_> = registered_routes().into_iter().collect();
        let policed: BTreeSet<_> = POLICY.iter().map(|r| (r.method, r.path)).collect();
        let unpoliced: Vec<_> = registered.difference(&policed).collect();
        let stale: Vec<_> = policed.difference(&registered).collect();
        assert!(
            unpoliced.is_empty(),
            "routes with no policy entry: {unpoliced:?}"
        );
        assert!(stale.is_empty(), "policy entries with no route: {stale:?}");
        assert_eq!(
            POLICY.len(),
            policed.len(),
            "a route is listed twice in POLICY"
        );
    }
}
