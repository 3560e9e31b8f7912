//! The route table: each route is declared once, here, with its method, path, access rule and
//! handler. The authorization middleware reads the access rules from the table this builds, so a
//! route cannot exist without one; API routes documented with `#[utoipa::path]` bring their
//! OpenAPI operation with them, completed from their access rule (security, error answers).

use crate::{AppState, api, assets, feeds, ops, pages};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::{HeaderValue, Method};
use axum::routing::{MethodRouter, get, post};
use mutual_domain::permissions::Access;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use Access::{Admin, Anyone, Member, Moderator, Public};

/// Who may call one route.
#[derive(Clone, Debug)]
pub struct RoutePolicy {
    pub method: Method,
    /// The route pattern exactly as registered (`{id}` for path parameters).
    pub path: String,
    pub access: Access,
    /// The largest body the route reads, when it is not the server-wide limit.
    pub body_limit: Option<usize>,
}

/// What the table says of a request to a registered path.
#[derive(Debug)]
pub enum Decision {
    /// The route exists: call it if the access rule allows; its body is read up to
    /// `body_limit` (the server-wide limit when `None`).
    Call {
        access: Access,
        body_limit: Option<usize>,
    },
    /// `OPTIONS`: answer 204 with these methods.
    Options(HeaderValue),
    /// No route for this method at this path: answer 405 with these methods.
    NotAllowed(HeaderValue),
}

/// Every route's access rule, found by a request's path the way the router finds its handler
/// (the same `matchit` patterns), then by method.
#[derive(Default)]
pub struct RouteTable {
    routes: Vec<RoutePolicy>,
    by_path: matchit::Router<PathRules>,
}

/// The rules of one registered path pattern: its methods and their access rules.
#[derive(Debug)]
pub struct PathRules {
    pattern: String,
    methods: Vec<RoutePolicy>,
    allow: HeaderValue,
}

impl RouteTable {
    fn new(routes: Vec<RoutePolicy>) -> RouteTable {
        let mut grouped: Vec<(String, Vec<RoutePolicy>)> = Vec::new();
        for route in &routes {
            match grouped.iter_mut().find(|(path, _)| *path == route.path) {
                Some((_, methods)) => methods.push(route.clone()),
                None => grouped.push((route.path.clone(), vec![route.clone()])),
            }
        }
        let mut by_path = matchit::Router::new();
        for (pattern, methods) in grouped {
            let allow = allow_header(&methods);
            let rules = PathRules {
                pattern: pattern.clone(),
                methods,
                allow,
            };
            // The router took the same pattern a moment ago, so this cannot conflict.
            if let Err(conflict) = by_path.insert(pattern.clone(), rules) {
                panic!("route {pattern} conflicts with another: {conflict}");
            }
        }
        RouteTable { routes, by_path }
    }

    /// Every declared route.
    pub fn routes(&self) -> &[RoutePolicy] {
        &self.routes
    }

    /// The rules of the pattern that `path` (a request's path, not decoded) matches; `None`
    /// when no route is registered there (the router's 404 fallback).
    pub fn find(&self, path: &str) -> Option<&PathRules> {
        self.by_path.at(path).ok().map(|matched| matched.value)
    }
}

impl PathRules {
    /// The route pattern, as registered (`{id}` for path parameters): the name of the route in
    /// logs and metrics, never its raw path, which can hold tokens.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The decision for `method` at this pattern. `HEAD` follows `GET`.
    pub fn decide(&self, method: &Method) -> Decision {
        let wanted = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        if let Some(route) = self.methods.iter().find(|r| r.method == *wanted) {
            return Decision::Call {
                access: route.access,
                body_limit: route.body_limit,
            };
        }
        if method == Method::OPTIONS {
            Decision::Options(self.allow.clone())
        } else {
            Decision::NotAllowed(self.allow.clone())
        }
    }
}

/// The `Allow` header for a path's methods: `HEAD` wherever `GET` is, and `OPTIONS`.
fn allow_header(methods: &[RoutePolicy]) -> HeaderValue {
    let mut names: Vec<&str> = Vec::new();
    for RoutePolicy { method, .. } in methods {
        names.push(method.as_str());
        if method == Method::GET {
            names.push("HEAD");
        }
    }
    names.push("OPTIONS");
    HeaderValue::from_str(&names.join(", ")).unwrap_or_else(|_| HeaderValue::from_static("OPTIONS"))
}

/// The routes being declared: the router, and the access rule of each.
pub(crate) struct Routes {
    router: OpenApiRouter<AppState>,
    routes: Vec<RoutePolicy>,
}

impl Routes {
    fn route(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        body_limit: Option<usize>,
        route: MethodRouter<AppState>,
    ) -> Self {
        let route = match body_limit {
            Some(limit) => route.layer(DefaultBodyLimit::max(limit)),
            None => route,
        };
        self.routes.push(RoutePolicy {
            method,
            path: path.to_owned(),
            access,
            body_limit,
        });
        self.router = self.router.route(path, route);
        self
    }

    pub(crate) fn get<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Self {
        self.route(Method::GET, path, access, None, get(handler))
    }

    pub(crate) fn post<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Self {
        self.route(Method::POST, path, access, None, post(handler))
    }

    /// A `POST` whose body may be larger than the server-wide limit (composers, uploads).
    pub(crate) fn post_limited<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        access: Access,
        limit: usize,
        handler: H,
    ) -> Self {
        self.route(Method::POST, path, access, Some(limit), post(handler))
    }

    /// An API route documented by its handler's `#[utoipa::path]` (collected with
    /// `utoipa_axum::routes!`): its path and method come from there, and its operation gains
    /// what `access` implies.
    pub(crate) fn api(self, access: Access, route: UtoipaMethodRouter<AppState>) -> Self {
        self.api_route(access, None, route)
    }

    /// Like [`api`](Self::api), with a larger body limit.
    pub(crate) fn api_limited(
        self,
        access: Access,
        limit: usize,
        route: UtoipaMethodRouter<AppState>,
    ) -> Self {
        self.api_route(access, Some(limit), route)
    }

    fn api_route(
        mut self,
        access: Access,
        body_limit: Option<usize>,
        (schemas, mut paths, route): UtoipaMethodRouter<AppState>,
    ) -> Self {
        for (path, item) in paths.paths.iter_mut() {
            for (method, operation) in api::contract::operations_mut(item) {
                self.routes.push(RoutePolicy {
                    method,
                    path: path.clone(),
                    access,
                    body_limit,
                });
                api::contract::complete(operation, access, path);
            }
        }
        let route = match body_limit {
            Some(limit) => route.layer(DefaultBodyLimit::max(limit)),
            None => route,
        };
        self.router = self.router.routes((schemas, paths, route));
        self
    }
}

/// The routes, their table, and the OpenAPI document of those that are documented.
pub(crate) struct Built {
    pub router: Router<AppState>,
    pub table: RouteTable,
    pub openapi: utoipa::openapi::OpenApi,
}

/// Every route with its access rule and handler.
pub(crate) fn build() -> Built {
    let routes = Routes {
        router: OpenApiRouter::default(),
        routes: Vec::new(),
    }
    .get("/healthz", Public, ops::healthz)
    .get("/readyz", Public, ops::readyz)
    .get("/metrics", Public, ops::metrics)
    .get("/static/mutual.css", Public, assets::stylesheet)
    .get("/static/mutual.js", Public, assets::script)
    .get("/static/mark.svg", Public, assets::mark)
    .get("/help", Public, pages::help::show_help)
    .get("/", Anyone, pages::home::show_home)
    .get("/register", Anyone, pages::accounts::show_register)
    .post("/register", Anyone, pages::accounts::register)
    .get("/login", Anyone, pages::accounts::show_login)
    .post("/login", Anyone, pages::accounts::log_in)
    .post("/logout", Member, pages::accounts::log_out)
    .get(
        "/account-recovery",
        Anyone,
        pages::account_recovery::show_recovery,
    )
    .post(
        "/account-recovery/code",
        Anyone,
        pages::account_recovery::recover_with_code,
    )
    .post(
        "/account-recovery/email",
        Anyone,
        pages::account_recovery::request_reset,
    )
    .get(
        "/account-recovery/reset/{token}",
        Anyone,
        pages::account_recovery::show_reset,
    )
    .post(
        "/account-recovery/reset/{token}",
        Anyone,
        pages::account_recovery::reset_password,
    )
    .post(
        "/settings/recovery-codes",
        Member,
        pages::settings::renew_recovery_codes,
    )
    .get("/setup/{token}", Anyone, pages::setup::show_setup)
    .post("/setup/{token}", Anyone, pages::setup::complete_setup)
    .get("/dashboard", Member, pages::dashboard::show_dashboard)
    .get("/settings", Member, pages::settings::show_settings)
    .get(
        "/settings/notifications",
        Member,
        pages::notifications::show_settings,
    )
    .post(
        "/settings/notifications",
        Member,
        pages::notifications::save_settings,
    )
    .post(
        "/settings/password",
        Member,
        pages::settings::change_password,
    )
    .post(
        "/settings/sessions/{id}/end",
        Member,
        pages::settings::end_session,
    )
    .post(
        "/settings/sessions/end-all",
        Member,
        pages::settings::end_all_sessions,
    )
    .get("/settings/export", Member, pages::settings::export_data)
    .post("/settings/delete", Member, pages::settings::delete_account)
    .post(
        "/settings/time-zone",
        Member,
        pages::settings::set_time_zone,
    )
    .post("/settings/reminder", Member, pages::settings::set_reminder)
    .post("/settings/country", Member, pages::settings::set_country)
    .get("/clocks", Member, pages::recovery::show_clocks)
    .post("/clocks", Member, pages::recovery::create_clock)
    .get("/clocks/{id}", Member, pages::recovery::show_clock)
    .post("/clocks/{id}", Member, pages::recovery::update_clock)
    .post("/clocks/{id}/reset", Member, pages::recovery::reset_clock)
    .post("/clocks/{id}/delete", Member, pages::recovery::delete_clock)
    .post(
        "/clocks/{id}/celebrated",
        Member,
        pages::recovery::acknowledge_milestone,
    )
    .get("/checkin", Member, pages::recovery::show_checkin)
    .post("/checkin", Member, pages::recovery::record_checkin)
    .get(
        "/checkins.csv",
        Member,
        pages::recovery::export_checkins_csv,
    )
    .get("/weekly", Member, pages::recovery::show_weekly)
    .post("/weekly", Member, pages::recovery::record_weekly)
    .get("/trends", Member, pages::recovery::show_trends)
    .get(
        "/notifications",
        Member,
        pages::notifications::show_notifications,
    )
    .post(
        "/notifications/read",
        Member,
        pages::notifications::mark_all_read,
    )
    .post(
        "/notifications/{id}/open",
        Member,
        pages::notifications::open_notification,
    )
    .get("/community", Anyone, pages::community::show_community)
    .get("/spaces/{id}", Anyone, pages::community::show_space)
    .get("/threads/{id}", Anyone, pages::community::show_thread)
    .post_limited(
        "/spaces/{id}/threads",
        Member,
        crate::POST_BODY_BYTES,
        pages::community::create_thread,
    )
    .post(
        "/spaces/{id}/join",
        Member,
        pages::moderation::request_to_join,
    )
    .post_limited(
        "/threads/{id}/replies",
        Member,
        crate::POST_BODY_BYTES,
        pages::community::create_reply,
    )
    .post(
        "/threads/{id}/subscription",
        Member,
        pages::community::set_subscription,
    )
    .get("/posts/{id}/edit", Member, pages::community::show_edit_post)
    .post_limited(
        "/posts/{id}/edit",
        Member,
        crate::POST_BODY_BYTES,
        pages::community::edit_post,
    )
    .post("/posts/{id}/delete", Member, pages::community::delete_post)
    .get("/posts/{id}/flag", Member, pages::community::show_flag)
    .post("/posts/{id}/flag", Member, pages::community::flag_post)
    .post("/posts/{id}/reactions", Member, pages::community::react)
    .get("/messages", Member, pages::messages::show_inbox)
    .post_limited(
        "/messages",
        Member,
        crate::POST_BODY_BYTES,
        pages::messages::start_conversation,
    )
    .get("/messages/{id}", Member, pages::messages::show_conversation)
    .post_limited(
        "/messages/{id}",
        Member,
        crate::POST_BODY_BYTES,
        pages::messages::send_message,
    )
    .get(
        "/messages/{id}/events",
        Member,
        pages::messages::conversation_events,
    )
    .post(
        "/messages/{id}/request",
        Member,
        pages::messages::answer_request,
    )
    .get(
        "/messages/{id}/report",
        Member,
        pages::messages::show_report,
    )
    .post("/messages/{id}/report", Member, pages::messages::report)
    .get(
        "/moderation/messages",
        Moderator,
        pages::messages::show_reports,
    )
    .post(
        "/moderation/messages/{id}",
        Moderator,
        pages::messages::resolve_report,
    )
    .get("/circles", Member, pages::circles::show_circles)
    .post("/circles", Member, pages::circles::create_circle)
    .get("/circles/{id}", Member, pages::circles::show_circle)
    .post(
        "/circles/{id}/answer",
        Member,
        pages::circles::answer_invite,
    )
    .post("/circles/{id}/invites", Member, pages::circles::invite)
    .post(
        "/circles/{id}/sharing",
        Member,
        pages::circles::update_sharing,
    )
    .post("/circles/{id}/notes", Member, pages::circles::write_note)
    .post("/circles/{id}/nudge", Member, pages::circles::nudge)
    .post("/circles/{id}/link", Member, pages::circles::new_link)
    .post("/circles/{id}/leave", Member, pages::circles::leave)
    .get("/circles/join/{token}", Member, pages::circles::show_join)
    .post("/circles/join/{token}", Member, pages::circles::join)
    .get("/mentors", Member, pages::mentors::show_find)
    .post(
        "/mentors/preferences",
        Member,
        pages::mentors::save_preferences,
    )
    .post("/mentors/requests", Member, pages::mentors::request)
    .get("/mentors/offer", Member, pages::mentors::show_offer)
    .post("/mentors/offer", Member, pages::mentors::offer)
    .post("/mentors/offer/pause", Member, pages::mentors::pause)
    .get("/mentoring/{id}", Member, pages::mentors::show_relationship)
    .post("/mentoring/{id}", Member, pages::mentors::keep)
    .post("/mentoring/{id}/answer", Member, pages::mentors::answer)
    .post("/mentoring/{id}/end", Member, pages::mentors::end)
    .get(
        "/moderation/mentors",
        Moderator,
        pages::mentors::show_offers,
    )
    .post(
        "/moderation/mentors/{username}",
        Moderator,
        pages::mentors::decide_offer,
    )
    .get("/reach-out", Member, pages::reach_out::show_reach_out)
    .post("/reach-out", Member, pages::reach_out::press)
    .get("/reach-out/{id}", Member, pages::reach_out::show_alert)
    .post_limited(
        "/reach-out/{id}/reply",
        Member,
        crate::POST_BODY_BYTES,
        pages::reach_out::reply,
    )
    .get("/clocks/{id}/share", Member, pages::milestones::show_share)
    .post_limited(
        "/clocks/{id}/share",
        Member,
        crate::POST_BODY_BYTES,
        pages::milestones::share,
    )
    .get("/appeal", Anyone, pages::standing::show_suspension_appeal)
    .post("/appeal", Anyone, pages::standing::appeal_suspension)
    .get(
        "/community/standing",
        Member,
        pages::standing::show_standing,
    )
    .post(
        "/community/standing/{id}/appeal",
        Member,
        pages::standing::appeal,
    )
    .get("/community/blocked", Member, pages::standing::show_blocks)
    .post("/community/blocked", Member, pages::standing::block_member)
    .post(
        "/community/blocked/remove",
        Member,
        pages::standing::unblock_member,
    )
    .get(
        "/moderation/appeals",
        Moderator,
        pages::standing::show_appeals,
    )
    .post(
        "/moderation/appeals/{id}",
        Moderator,
        pages::standing::answer_appeal,
    )
    .get("/moderation/log", Member, pages::moderation::show_log)
    .get("/moderation", Moderator, pages::moderation::show_queue)
    .post_limited(
        "/moderation/posts/{id}",
        Moderator,
        crate::POST_BODY_BYTES,
        pages::moderation::decide,
    )
    .get(
        "/moderation/posts/{id}/message",
        Moderator,
        pages::care::show_message,
    )
    .post_limited(
        "/moderation/posts/{id}/message",
        Moderator,
        crate::POST_BODY_BYTES,
        pages::care::write_to_author,
    )
    .post(
        "/moderation/check-ins/{id}/cancel",
        Moderator,
        pages::care::cancel_check_in,
    )
    .get(
        "/moderation/posts/{id}/history",
        Moderator,
        pages::moderation::show_history,
    )
    .post(
        "/moderation/posts/{id}/reveal",
        Admin,
        pages::moderation::reveal_author,
    )
    .get(
        "/spaces/{id}/members",
        Moderator,
        pages::moderation::show_members,
    )
    .post(
        "/spaces/{id}/members",
        Moderator,
        pages::moderation::admit_member,
    )
    .post(
        "/spaces/{id}/members/{user}/remove",
        Moderator,
        pages::moderation::remove_member,
    )
    .get("/admin/community", Admin, pages::moderation::show_admin)
    .get(
        "/admin/crisis-lines",
        Admin,
        pages::crisis::show_crisis_lines,
    )
    .post(
        "/admin/crisis-lines",
        Admin,
        pages::crisis::save_crisis_lines,
    )
    .post(
        "/admin/crisis-lines/remove",
        Admin,
        pages::crisis::remove_crisis_lines,
    )
    .post(
        "/admin/community/safety",
        Admin,
        pages::moderation::save_safety,
    )
    .post("/admin/spaces", Admin, pages::moderation::save_space)
    .get("/admin", Admin, pages::admin::show_admin)
    .post(
        "/admin/registration",
        Admin,
        pages::admin::set_registration_mode,
    )
    .post("/admin/invites", Admin, pages::admin::create_invite)
    .post("/admin/milestones", Admin, pages::admin::set_milestones)
    .get("/admin/audit", Admin, pages::admin::show_audit)
    .post("/admin/members/{id}/role", Admin, pages::admin::change_role)
    .post(
        "/admin/members/{id}/suspend",
        Admin,
        pages::admin::suspend_member,
    )
    .post(
        "/admin/members/{id}/unsuspend",
        Admin,
        pages::admin::unsuspend_member,
    )
    .post(
        "/admin/members/{id}/approve",
        Admin,
        pages::admin::approve_member,
    )
    .get("/meetings", Anyone, pages::meetings::show_search)
    .get("/meetings/find", Anyone, pages::meetings::show_finder)
    .get("/meetings/schedule", Anyone, pages::meetings::show_schedule)
    .get("/meetings/{id}", Anyone, pages::meetings::show_meeting)
    .get("/groups/{id}", Anyone, pages::meetings::show_group)
    .get("/meetings.json", Anyone, feeds::meeting_guide_feed)
    .get("/meetings.csv", Anyone, feeds::plugin_csv)
    .get(
        "/client_interface/json/",
        Anyone,
        feeds::bmlt_search_results,
    )
    .get("/meetings-omitted.json", Anyone, feeds::omitted_meetings)
    .get("/calendar/{token}", Public, feeds::saved_calendar)
    .post("/meetings/{id}/save", Member, pages::meetings::save_meeting)
    .post(
        "/meetings/{id}/unsave",
        Member,
        pages::meetings::unsave_meeting,
    )
    .post(
        "/meetings/{id}/attended",
        Member,
        pages::meetings::log_attended,
    )
    .get(
        "/meetings/{id}/suggest",
        Member,
        pages::meeting_editing::show_suggest,
    )
    .post(
        "/meetings/{id}/suggest",
        Member,
        pages::meeting_editing::suggest_change,
    )
    .get(
        "/meetings/{id}/edit",
        Member,
        pages::meeting_editing::show_edit_meeting,
    )
    .post(
        "/meetings/{id}/edit",
        Member,
        pages::meeting_editing::update_meeting,
    )
    .get(
        "/groups/{id}/edit",
        Member,
        pages::meeting_editing::show_edit_group,
    )
    .post(
        "/groups/{id}/edit",
        Member,
        pages::meeting_editing::update_group,
    )
    .get(
        "/groups/{id}/meetings/new",
        Member,
        pages::meeting_editing::show_new_meeting,
    )
    .post(
        "/groups/{id}/meetings/new",
        Member,
        pages::meeting_editing::create_meeting,
    )
    .get(
        "/groups/new",
        Moderator,
        pages::meeting_editing::show_new_group,
    )
    .post(
        "/groups/new",
        Moderator,
        pages::meeting_editing::create_group,
    )
    .post(
        "/groups/{id}/facilitators",
        Moderator,
        pages::meeting_editing::add_facilitator,
    )
    .post(
        "/groups/{id}/facilitators/{user}/remove",
        Moderator,
        pages::meeting_editing::remove_facilitator,
    )
    .get(
        "/moderation/suggestions",
        Moderator,
        pages::meeting_editing::show_suggestions,
    )
    .post(
        "/moderation/suggestions/{id}",
        Moderator,
        pages::meeting_editing::decide_suggestion,
    )
    .get("/my/meetings", Member, pages::meetings::show_my_meetings)
    .post(
        "/my/meetings/calendar",
        Member,
        pages::meetings::new_calendar,
    )
    .post("/my/attendance", Member, pages::meetings::add_attendance)
    .post(
        "/my/attendance/{id}/delete",
        Member,
        pages::meetings::delete_attendance,
    )
    .get(
        "/admin/meetings",
        Admin,
        pages::directory_admin::show_admin_meetings,
    )
    .post(
        "/admin/meetings/visibility",
        Admin,
        pages::directory_admin::set_visibility,
    )
    .post_limited(
        "/admin/meetings/import",
        Admin,
        crate::IMPORT_UPLOAD_BYTES,
        pages::directory_admin::import_upload,
    )
    .post(
        "/admin/programs",
        Admin,
        pages::directory_admin::save_program,
    )
    .post(
        "/admin/programs/{code}/delete",
        Admin,
        pages::directory_admin::delete_program,
    )
    .post("/admin/areas", Admin, pages::directory_admin::add_area)
    .post(
        "/admin/areas/{id}/zone",
        Admin,
        pages::directory_admin::set_area_zone,
    )
    .post(
        "/admin/areas/{id}/delete",
        Admin,
        pages::directory_admin::delete_area,
    )
    .post("/admin/sources", Admin, pages::directory_admin::add_source)
    .post(
        "/admin/sources/{id}/run",
        Admin,
        pages::directory_admin::run_source,
    )
    .post(
        "/admin/sources/{id}/delete",
        Admin,
        pages::directory_admin::delete_source,
    )
    .post(
        "/admin/sources/runs/{id}/apply",
        Admin,
        pages::directory_admin::apply_run,
    )
    .post(
        "/admin/sources/runs/{id}/discard",
        Admin,
        pages::directory_admin::discard_run,
    );
    let routes = api::routes(routes);
    let (router, openapi) = routes.router.fallback(pages::not_found).split_for_parts();
    Built {
        router,
        table: RouteTable::new(routes.routes),
        openapi,
    }
}

/// Every declared route and its access rule, for tests and the OpenAPI check.
pub fn route_table() -> RouteTable {
    build().table
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn no_route_is_declared_twice() {
        let table = route_table();
        let unique: BTreeSet<_> = table
            .routes()
            .iter()
            .map(|r| (r.method.as_str().to_owned(), r.path.clone()))
            .collect();
        assert_eq!(
            unique.len(),
            table.routes().len(),
            "a route is declared twice"
        );
    }

    #[test]
    fn head_follows_get_and_other_methods_are_named_in_allow() {
        let table = route_table();
        let decide =
            |method: Method, path: &str| table.find(path).map(|rules| rules.decide(&method));
        assert!(matches!(
            decide(Method::HEAD, "/meetings.json"),
            Some(Decision::Call {
                access: Access::Anyone,
                ..
            })
        ));
        match decide(
            Method::DELETE,
            "/clocks/0190a0b0-0000-7000-8000-000000000000",
        ) {
            Some(Decision::NotAllowed(allow)) => assert_eq!(allow, "GET, HEAD, POST, OPTIONS"),
            other => panic!("expected 405, got {other:?}"),
        }
        assert!(matches!(
            decide(Method::OPTIONS, "/login"),
            Some(Decision::Options(_))
        ));
        assert!(decide(Method::GET, "/no/such/route").is_none());
    }

    #[test]
    fn a_request_path_finds_the_pattern_the_router_serves_it_by() {
        let table = route_table();
        let pattern = |path: &str| table.find(path).map(|rules| rules.pattern().to_owned());
        assert_eq!(
            pattern("/clocks/not-even-an-id").as_deref(),
            Some("/clocks/{id}")
        );
        assert_eq!(
            pattern("/setup/secret-token").as_deref(),
            Some("/setup/{token}")
        );
        assert_eq!(pattern("/healthz").as_deref(), Some("/healthz"));
        assert_eq!(pattern("/healthz/").as_deref(), None);
        assert_eq!(pattern("/nowhere"), None);
        for route in table.routes() {
            assert_eq!(
                table.find(&route.path).map(PathRules::pattern),
                Some(route.path.as_str()),
                "a pattern finds itself"
            );
        }
    }
}
