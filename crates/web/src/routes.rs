//! The route table: every route, its handler, and the one policy list that says who may call
//! it. The authorization middleware reads the policy; a test proves the two lists agree.

use crate::{AppState, api, assets, feeds, ops, pages};
use axum::Router;
use axum::extract::DefaultBodyLimit;
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

use Access::{Admin, Anyone, Member, Moderator, Public};

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
    rule("GET", "/settings/notifications", Member),
    rule("POST", "/settings/notifications", Member),
    rule("GET", "/clocks", Member),
    rule("POST", "/clocks", Member),
    rule("GET", "/clocks/{id}", Member),
    rule("POST", "/clocks/{id}", Member),
    rule("POST", "/clocks/{id}/reset", Member),
    rule("POST", "/clocks/{id}/delete", Member),
    rule("POST", "/clocks/{id}/celebrated", Member),
    rule("GET", "/clocks/{id}/share", Member),
    rule("POST", "/clocks/{id}/share", Member),
    rule("GET", "/checkin", Member),
    rule("POST", "/checkin", Member),
    rule("GET", "/checkins.csv", Member),
    rule("GET", "/weekly", Member),
    rule("POST", "/weekly", Member),
    rule("GET", "/trends", Member),
    rule("GET", "/notifications", Member),
    rule("POST", "/notifications/read", Member),
    rule("POST", "/notifications/{id}/open", Member),
    // The community: visitors reach only public spaces (the use cases check each space).
    rule("GET", "/community", Anyone),
    rule("GET", "/spaces/{id}", Anyone),
    rule("GET", "/threads/{id}", Anyone),
    rule("POST", "/spaces/{id}/threads", Member),
    rule("POST", "/spaces/{id}/join", Member),
    rule("POST", "/threads/{id}/replies", Member),
    rule("POST", "/threads/{id}/subscription", Member),
    rule("GET", "/posts/{id}/edit", Member),
    rule("POST", "/posts/{id}/edit", Member),
    rule("POST", "/posts/{id}/delete", Member),
    rule("GET", "/posts/{id}/flag", Member),
    rule("POST", "/posts/{id}/flag", Member),
    rule("POST", "/posts/{id}/reactions", Member),
    rule("GET", "/appeal", Anyone),
    rule("POST", "/appeal", Anyone),
    rule("GET", "/community/standing", Member),
    rule("POST", "/community/standing/{id}/appeal", Member),
    rule("GET", "/community/blocked", Member),
    rule("POST", "/community/blocked", Member),
    rule("POST", "/community/blocked/remove", Member),
    rule("GET", "/moderation/log", Member),
    rule("GET", "/moderation", Moderator),
    rule("GET", "/moderation/appeals", Moderator),
    rule("POST", "/moderation/appeals/{id}", Moderator),
    rule("POST", "/moderation/posts/{id}", Moderator),
    rule("GET", "/moderation/posts/{id}/history", Moderator),
    rule("POST", "/moderation/posts/{id}/reveal", Admin),
    rule("GET", "/spaces/{id}/members", Moderator),
    rule("POST", "/spaces/{id}/members", Moderator),
    rule("POST", "/spaces/{id}/members/{user}/remove", Moderator),
    rule("GET", "/messages", Member),
    rule("POST", "/messages", Member),
    rule("GET", "/messages/{id}", Member),
    rule("POST", "/messages/{id}", Member),
    rule("GET", "/messages/{id}/events", Member),
    rule("POST", "/messages/{id}/request", Member),
    rule("GET", "/messages/{id}/report", Member),
    rule("POST", "/messages/{id}/report", Member),
    rule("GET", "/moderation/messages", Moderator),
    rule("POST", "/moderation/messages/{id}", Moderator),
    rule("GET", "/circles", Member),
    rule("POST", "/circles", Member),
    rule("GET", "/circles/{id}", Member),
    rule("POST", "/circles/{id}/answer", Member),
    rule("POST", "/circles/{id}/invites", Member),
    rule("POST", "/circles/{id}/sharing", Member),
    rule("POST", "/circles/{id}/notes", Member),
    rule("POST", "/circles/{id}/nudge", Member),
    rule("POST", "/circles/{id}/link", Member),
    rule("POST", "/circles/{id}/leave", Member),
    rule("GET", "/circles/join/{token}", Member),
    rule("POST", "/circles/join/{token}", Member),
    rule("GET", "/mentors", Member),
    rule("POST", "/mentors/preferences", Member),
    rule("POST", "/mentors/requests", Member),
    rule("GET", "/mentors/offer", Member),
    rule("POST", "/mentors/offer", Member),
    rule("POST", "/mentors/offer/pause", Member),
    rule("GET", "/mentoring/{id}", Member),
    rule("POST", "/mentoring/{id}", Member),
    rule("POST", "/mentoring/{id}/answer", Member),
    rule("POST", "/mentoring/{id}/end", Member),
    rule("GET", "/moderation/mentors", Moderator),
    rule("POST", "/moderation/mentors/{username}", Moderator),
    rule("GET", "/reach-out", Member),
    rule("POST", "/reach-out", Member),
    rule("GET", "/reach-out/{id}", Member),
    rule("POST", "/reach-out/{id}/reply", Member),
    rule("GET", "/admin/community", Admin),
    rule("POST", "/admin/community/safety", Admin),
    rule("POST", "/admin/spaces", Admin),
    rule("GET", "/admin", Admin),
    rule("POST", "/admin/registration", Admin),
    rule("POST", "/admin/invites", Admin),
    rule("POST", "/admin/milestones", Admin),
    rule("GET", "/admin/audit", Admin),
    rule("POST", "/admin/members/{id}/role", Admin),
    rule("POST", "/admin/members/{id}/suspend", Admin),
    rule("POST", "/admin/members/{id}/unsuspend", Admin),
    rule("POST", "/admin/members/{id}/approve", Admin),
    // The meeting directory: open to anyone unless an admin closes it (the handlers check).
    rule("GET", "/meetings", Anyone),
    rule("GET", "/meetings/find", Anyone),
    rule("GET", "/meetings/schedule", Anyone),
    rule("GET", "/meetings/{id}", Anyone),
    rule("GET", "/groups/{id}", Anyone),
    rule("GET", "/meetings.json", Anyone),
    rule("GET", "/meetings-omitted.json", Anyone),
    rule("GET", "/calendar/{token}", Public),
    rule("POST", "/meetings/{id}/save", Member),
    rule("POST", "/meetings/{id}/unsave", Member),
    rule("POST", "/meetings/{id}/attended", Member),
    rule("GET", "/meetings/{id}/suggest", Member),
    rule("POST", "/meetings/{id}/suggest", Member),
    // Editing: facilitators of the group, checked by the use case; moderators and admins.
    rule("GET", "/meetings/{id}/edit", Member),
    rule("POST", "/meetings/{id}/edit", Member),
    rule("GET", "/groups/{id}/edit", Member),
    rule("POST", "/groups/{id}/edit", Member),
    rule("GET", "/groups/{id}/meetings/new", Member),
    rule("POST", "/groups/{id}/meetings/new", Member),
    rule("GET", "/groups/new", Moderator),
    rule("POST", "/groups/new", Moderator),
    rule("POST", "/groups/{id}/facilitators", Moderator),
    rule("POST", "/groups/{id}/facilitators/{user}/remove", Moderator),
    rule("GET", "/moderation/suggestions", Moderator),
    rule("POST", "/moderation/suggestions/{id}", Moderator),
    rule("GET", "/my/meetings", Member),
    rule("POST", "/my/meetings/calendar", Member),
    rule("POST", "/my/attendance", Member),
    rule("POST", "/my/attendance/{id}/delete", Member),
    rule("GET", "/admin/meetings", Admin),
    rule("POST", "/admin/meetings/visibility", Admin),
    rule("POST", "/admin/meetings/import", Admin),
    rule("POST", "/admin/programs", Admin),
    rule("POST", "/admin/programs/{code}/delete", Admin),
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
    rule("GET", "/api/v1/meetings", Anyone),
    rule("GET", "/api/v1/meetings/{id}", Anyone),
    rule("GET", "/api/v1/finder", Anyone),
    rule("GET", "/api/v1/groups/{id}", Anyone),
    rule("GET", "/api/v1/programs", Anyone),
    rule("POST", "/api/v1/groups", Moderator),
    rule("PUT", "/api/v1/groups/{id}", Member),
    rule("POST", "/api/v1/groups/{id}/meetings", Member),
    rule("PUT", "/api/v1/meetings/{id}", Member),
    rule("GET", "/api/v1/meetings/{id}/history", Member),
    rule("POST", "/api/v1/meetings/{id}/suggestions", Member),
    rule("GET", "/api/v1/suggestions", Moderator),
    rule("POST", "/api/v1/suggestions/{id}/decision", Moderator),
    rule("GET", "/api/v1/me/saved-meetings", Member),
    rule("PUT", "/api/v1/me/saved-meetings/{id}", Member),
    rule("DELETE", "/api/v1/me/saved-meetings/{id}", Member),
    rule("GET", "/api/v1/me/attendance", Member),
    rule("POST", "/api/v1/me/attendance", Member),
    rule("DELETE", "/api/v1/me/attendance/{id}", Member),
    rule("GET", "/api/v1/spaces", Anyone),
    rule("GET", "/api/v1/spaces/{id}/threads", Anyone),
    rule("POST", "/api/v1/spaces/{id}/threads", Member),
    rule("GET", "/api/v1/threads/{id}", Anyone),
    rule("POST", "/api/v1/threads/{id}/replies", Member),
    rule("POST", "/api/v1/posts/{id}/flags", Member),
    rule("POST", "/api/v1/posts/{id}/reactions", Member),
    rule("DELETE", "/api/v1/posts/{id}/reactions/{kind}", Member),
    rule("GET", "/api/v1/search", Anyone),
    rule("GET", "/api/v1/notifications", Member),
    rule("GET", "/api/v1/notification-preferences", Member),
    rule("PUT", "/api/v1/notification-preferences", Member),
    rule("GET", "/api/v1/moderation/queue", Moderator),
    rule("POST", "/api/v1/moderation/posts/{id}", Moderator),
    rule("POST", "/api/v1/clocks/{id}/share", Member),
    rule("GET", "/api/v1/standing", Member),
    rule("POST", "/api/v1/sanctions/{id}/appeal", Member),
    rule("GET", "/api/v1/blocks", Member),
    rule("POST", "/api/v1/blocks", Member),
    rule("DELETE", "/api/v1/blocks/{username}", Member),
    rule("GET", "/api/v1/moderation/appeals", Moderator),
    rule("POST", "/api/v1/moderation/appeals/{id}", Moderator),
    rule("GET", "/api/v1/conversations", Member),
    rule("POST", "/api/v1/conversations", Member),
    rule("GET", "/api/v1/conversations/{id}", Member),
    rule("POST", "/api/v1/conversations/{id}/messages", Member),
    rule("POST", "/api/v1/conversations/{id}/request", Member),
    rule("POST", "/api/v1/conversations/{id}/reports", Member),
    rule("GET", "/api/v1/moderation/message-reports", Moderator),
    rule("POST", "/api/v1/moderation/message-reports/{id}", Moderator),
    rule("GET", "/api/v1/circles", Member),
    rule("POST", "/api/v1/circles", Member),
    rule("GET", "/api/v1/circles/{id}", Member),
    rule("POST", "/api/v1/circles/{id}/invites", Member),
    rule("POST", "/api/v1/circles/{id}/answer", Member),
    rule("PUT", "/api/v1/circles/{id}/sharing", Member),
    rule("POST", "/api/v1/circles/{id}/notes", Member),
    rule("POST", "/api/v1/circles/{id}/nudges", Member),
    rule("DELETE", "/api/v1/circles/{id}/membership", Member),
    rule("PUT", "/api/v1/mentors/preferences", Member),
    rule("GET", "/api/v1/mentors/matches", Member),
    rule("POST", "/api/v1/mentor-requests", Member),
    rule("PUT", "/api/v1/mentors/profile", Member),
    rule("GET", "/api/v1/mentorships", Member),
    rule("GET", "/api/v1/mentorships/{id}", Member),
    rule("POST", "/api/v1/mentorships/{id}/answer", Member),
    rule("PUT", "/api/v1/mentorships/{id}", Member),
    rule("POST", "/api/v1/mentorships/{id}/end", Member),
    rule("GET", "/api/v1/moderation/mentors", Moderator),
    rule("POST", "/api/v1/moderation/mentors/{username}", Moderator),
    rule("POST", "/api/v1/reach-out", Member),
    rule("GET", "/api/v1/reach-out/{id}", Member),
    rule("POST", "/api/v1/reach-out/{id}/replies", Member),
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
    .get(
        "/settings/notifications",
        pages::notifications::show_settings,
    )
    .post(
        "/settings/notifications",
        pages::notifications::save_settings,
    )
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
    .get("/notifications", pages::notifications::show_notifications)
    .post("/notifications/read", pages::notifications::mark_all_read)
    .post(
        "/notifications/{id}/open",
        pages::notifications::open_notification,
    )
    .get("/community", pages::community::show_community)
    .get("/spaces/{id}", pages::community::show_space)
    .get("/threads/{id}", pages::community::show_thread)
    .add(
        "POST",
        "/spaces/{id}/threads",
        post(pages::community::create_thread).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .post("/spaces/{id}/join", pages::moderation::request_to_join)
    .add(
        "POST",
        "/threads/{id}/replies",
        post(pages::community::create_reply).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .post(
        "/threads/{id}/subscription",
        pages::community::set_subscription,
    )
    .get("/posts/{id}/edit", pages::community::show_edit_post)
    .add(
        "POST",
        "/posts/{id}/edit",
        post(pages::community::edit_post).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .post("/posts/{id}/delete", pages::community::delete_post)
    .get("/posts/{id}/flag", pages::community::show_flag)
    .post("/posts/{id}/flag", pages::community::flag_post)
    .post("/posts/{id}/reactions", pages::community::react)
    .get("/messages", pages::messages::show_inbox)
    .add(
        "POST",
        "/messages",
        post(pages::messages::start_conversation)
            .layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .get("/messages/{id}", pages::messages::show_conversation)
    .add(
        "POST",
        "/messages/{id}",
        post(pages::messages::send_message).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .get(
        "/messages/{id}/events",
        pages::messages::conversation_events,
    )
    .post("/messages/{id}/request", pages::messages::answer_request)
    .get("/messages/{id}/report", pages::messages::show_report)
    .post("/messages/{id}/report", pages::messages::report)
    .get("/moderation/messages", pages::messages::show_reports)
    .post("/moderation/messages/{id}", pages::messages::resolve_report)
    .get("/circles", pages::circles::show_circles)
    .post("/circles", pages::circles::create_circle)
    .get("/circles/{id}", pages::circles::show_circle)
    .post("/circles/{id}/answer", pages::circles::answer_invite)
    .post("/circles/{id}/invites", pages::circles::invite)
    .post("/circles/{id}/sharing", pages::circles::update_sharing)
    .post("/circles/{id}/notes", pages::circles::write_note)
    .post("/circles/{id}/nudge", pages::circles::nudge)
    .post("/circles/{id}/link", pages::circles::new_link)
    .post("/circles/{id}/leave", pages::circles::leave)
    .get("/circles/join/{token}", pages::circles::show_join)
    .post("/circles/join/{token}", pages::circles::join)
    .get("/mentors", pages::mentors::show_find)
    .post("/mentors/preferences", pages::mentors::save_preferences)
    .post("/mentors/requests", pages::mentors::request)
    .get("/mentors/offer", pages::mentors::show_offer)
    .post("/mentors/offer", pages::mentors::offer)
    .post("/mentors/offer/pause", pages::mentors::pause)
    .get("/mentoring/{id}", pages::mentors::show_relationship)
    .post("/mentoring/{id}", pages::mentors::keep)
    .post("/mentoring/{id}/answer", pages::mentors::answer)
    .post("/mentoring/{id}/end", pages::mentors::end)
    .get("/moderation/mentors", pages::mentors::show_offers)
    .post(
        "/moderation/mentors/{username}",
        pages::mentors::decide_offer,
    )
    .get("/reach-out", pages::reach_out::show_reach_out)
    .post("/reach-out", pages::reach_out::press)
    .get("/reach-out/{id}", pages::reach_out::show_alert)
    .add(
        "POST",
        "/reach-out/{id}/reply",
        post(pages::reach_out::reply).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .get("/clocks/{id}/share", pages::milestones::show_share)
    .add(
        "POST",
        "/clocks/{id}/share",
        post(pages::milestones::share).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .get("/appeal", pages::standing::show_suspension_appeal)
    .post("/appeal", pages::standing::appeal_suspension)
    .get("/community/standing", pages::standing::show_standing)
    .post("/community/standing/{id}/appeal", pages::standing::appeal)
    .get("/community/blocked", pages::standing::show_blocks)
    .post("/community/blocked", pages::standing::block_member)
    .post("/community/blocked/remove", pages::standing::unblock_member)
    .get("/moderation/appeals", pages::standing::show_appeals)
    .post("/moderation/appeals/{id}", pages::standing::answer_appeal)
    .get("/moderation/log", pages::moderation::show_log)
    .get("/moderation", pages::moderation::show_queue)
    .add(
        "POST",
        "/moderation/posts/{id}",
        post(pages::moderation::decide).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .get(
        "/moderation/posts/{id}/history",
        pages::moderation::show_history,
    )
    .post(
        "/moderation/posts/{id}/reveal",
        pages::moderation::reveal_author,
    )
    .get("/spaces/{id}/members", pages::moderation::show_members)
    .post("/spaces/{id}/members", pages::moderation::admit_member)
    .post(
        "/spaces/{id}/members/{user}/remove",
        pages::moderation::remove_member,
    )
    .get("/admin/community", pages::moderation::show_admin)
    .post("/admin/community/safety", pages::moderation::save_safety)
    .post("/admin/spaces", pages::moderation::save_space)
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
    .get("/meetings", pages::meetings::show_search)
    .get("/meetings/find", pages::meetings::show_finder)
    .get("/meetings/schedule", pages::meetings::show_schedule)
    .get("/meetings/{id}", pages::meetings::show_meeting)
    .get("/groups/{id}", pages::meetings::show_group)
    .get("/meetings.json", feeds::meeting_guide_feed)
    .get("/meetings-omitted.json", feeds::omitted_meetings)
    .get("/calendar/{token}", feeds::saved_calendar)
    .post("/meetings/{id}/save", pages::meetings::save_meeting)
    .post("/meetings/{id}/unsave", pages::meetings::unsave_meeting)
    .post("/meetings/{id}/attended", pages::meetings::log_attended)
    .get(
        "/meetings/{id}/suggest",
        pages::meeting_editing::show_suggest,
    )
    .post(
        "/meetings/{id}/suggest",
        pages::meeting_editing::suggest_change,
    )
    .get(
        "/meetings/{id}/edit",
        pages::meeting_editing::show_edit_meeting,
    )
    .post(
        "/meetings/{id}/edit",
        pages::meeting_editing::update_meeting,
    )
    .get("/groups/{id}/edit", pages::meeting_editing::show_edit_group)
    .post("/groups/{id}/edit", pages::meeting_editing::update_group)
    .get(
        "/groups/{id}/meetings/new",
        pages::meeting_editing::show_new_meeting,
    )
    .post(
        "/groups/{id}/meetings/new",
        pages::meeting_editing::create_meeting,
    )
    .get("/groups/new", pages::meeting_editing::show_new_group)
    .post("/groups/new", pages::meeting_editing::create_group)
    .post(
        "/groups/{id}/facilitators",
        pages::meeting_editing::add_facilitator,
    )
    .post(
        "/groups/{id}/facilitators/{user}/remove",
        pages::meeting_editing::remove_facilitator,
    )
    .get(
        "/moderation/suggestions",
        pages::meeting_editing::show_suggestions,
    )
    .post(
        "/moderation/suggestions/{id}",
        pages::meeting_editing::decide_suggestion,
    )
    .get("/my/meetings", pages::meetings::show_my_meetings)
    .post("/my/meetings/calendar", pages::meetings::new_calendar)
    .post("/my/attendance", pages::meetings::add_attendance)
    .post(
        "/my/attendance/{id}/delete",
        pages::meetings::delete_attendance,
    )
    .get(
        "/admin/meetings",
        pages::meeting_editing::show_admin_meetings,
    )
    .post(
        "/admin/meetings/visibility",
        pages::meeting_editing::set_visibility,
    )
    .add(
        "POST",
        "/admin/meetings/import",
        post(pages::meeting_editing::import_upload)
            .layer(DefaultBodyLimit::max(crate::IMPORT_UPLOAD_BYTES)),
    )
    .post("/admin/programs", pages::meeting_editing::save_program)
    .post(
        "/admin/programs/{code}/delete",
        pages::meeting_editing::delete_program,
    )
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
    .get("/api/v1/warning-signs", api::recovery::show_warning_signs)
    .get("/api/v1/meetings", api::meetings::search_meetings)
    .get("/api/v1/meetings/{id}", api::meetings::show_meeting)
    .get("/api/v1/finder", api::meetings::find_my_group)
    .get("/api/v1/groups/{id}", api::meetings::show_group)
    .get("/api/v1/programs", api::meetings::list_programs)
    .post("/api/v1/groups", api::meetings::create_group)
    .put("/api/v1/groups/{id}", api::meetings::update_group)
    .post(
        "/api/v1/groups/{id}/meetings",
        api::meetings::create_meeting,
    )
    .put("/api/v1/meetings/{id}", api::meetings::update_meeting)
    .get("/api/v1/meetings/{id}/history", api::meetings::show_history)
    .post(
        "/api/v1/meetings/{id}/suggestions",
        api::meetings::suggest_change,
    )
    .get("/api/v1/suggestions", api::meetings::list_suggestions)
    .post(
        "/api/v1/suggestions/{id}/decision",
        api::meetings::decide_suggestion,
    )
    .get("/api/v1/me/saved-meetings", api::meetings::list_saved)
    .put(
        "/api/v1/me/saved-meetings/{id}",
        api::meetings::save_meeting,
    )
    .delete(
        "/api/v1/me/saved-meetings/{id}",
        api::meetings::unsave_meeting,
    )
    .get("/api/v1/me/attendance", api::meetings::list_attendance)
    .post("/api/v1/me/attendance", api::meetings::log_attendance)
    .delete(
        "/api/v1/me/attendance/{id}",
        api::meetings::delete_attendance,
    )
    .get("/api/v1/spaces", api::community::list_spaces)
    .get("/api/v1/spaces/{id}/threads", api::community::list_threads)
    .add(
        "POST",
        "/api/v1/spaces/{id}/threads",
        post(api::community::create_thread).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .get("/api/v1/threads/{id}", api::community::show_thread)
    .add(
        "POST",
        "/api/v1/threads/{id}/replies",
        post(api::community::create_reply).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .post("/api/v1/posts/{id}/flags", api::community::flag_post)
    .post("/api/v1/posts/{id}/reactions", api::community::react)
    .delete(
        "/api/v1/posts/{id}/reactions/{kind}",
        api::community::unreact,
    )
    .get("/api/v1/search", api::community::search)
    .get("/api/v1/notifications", api::community::list_notifications)
    .get(
        "/api/v1/notification-preferences",
        api::people::show_notification_preferences,
    )
    .put(
        "/api/v1/notification-preferences",
        api::people::save_notification_preferences,
    )
    .get("/api/v1/moderation/queue", api::community::review_queue)
    .add(
        "POST",
        "/api/v1/moderation/posts/{id}",
        post(api::community::decide).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .add(
        "POST",
        "/api/v1/clocks/{id}/share",
        post(api::community::share_milestone).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .get("/api/v1/standing", api::standing::show_standing)
    .post("/api/v1/sanctions/{id}/appeal", api::standing::appeal)
    .get("/api/v1/blocks", api::standing::list_blocks)
    .post("/api/v1/blocks", api::standing::block)
    .delete("/api/v1/blocks/{username}", api::standing::unblock)
    .get("/api/v1/moderation/appeals", api::standing::list_appeals)
    .post(
        "/api/v1/moderation/appeals/{id}",
        api::standing::answer_appeal,
    )
    .get("/api/v1/conversations", api::people::list_conversations)
    .add(
        "POST",
        "/api/v1/conversations",
        post(api::people::start_conversation).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .get("/api/v1/conversations/{id}", api::people::show_conversation)
    .add(
        "POST",
        "/api/v1/conversations/{id}/messages",
        post(api::people::send_message).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    )
    .post(
        "/api/v1/conversations/{id}/request",
        api::people::answer_request,
    )
    .post("/api/v1/conversations/{id}/reports", api::people::report)
    .get(
        "/api/v1/moderation/message-reports",
        api::people::list_reports,
    )
    .post(
        "/api/v1/moderation/message-reports/{id}",
        api::people::resolve_report,
    )
    .get("/api/v1/circles", api::people::list_circles)
    .post("/api/v1/circles", api::people::create_circle)
    .get("/api/v1/circles/{id}", api::people::show_circle)
    .post("/api/v1/circles/{id}/invites", api::people::invite)
    .post("/api/v1/circles/{id}/answer", api::people::answer_invite)
    .put("/api/v1/circles/{id}/sharing", api::people::update_sharing)
    .post("/api/v1/circles/{id}/notes", api::people::write_note)
    .post("/api/v1/circles/{id}/nudges", api::people::nudge)
    .delete("/api/v1/circles/{id}/membership", api::people::leave_circle)
    .put(
        "/api/v1/mentors/preferences",
        api::mentors::save_preferences,
    )
    .get("/api/v1/mentors/matches", api::mentors::matches)
    .post("/api/v1/mentor-requests", api::mentors::request)
    .put("/api/v1/mentors/profile", api::mentors::offer)
    .get("/api/v1/mentorships", api::mentors::list_mentorships)
    .get("/api/v1/mentorships/{id}", api::mentors::show_mentorship)
    .post("/api/v1/mentorships/{id}/answer", api::mentors::answer)
    .put("/api/v1/mentorships/{id}", api::mentors::keep)
    .post("/api/v1/mentorships/{id}/end", api::mentors::end)
    .get("/api/v1/moderation/mentors", api::mentors::list_offers)
    .post(
        "/api/v1/moderation/mentors/{username}",
        api::mentors::decide_offer,
    )
    .post("/api/v1/reach-out", api::people::reach_out)
    .get("/api/v1/reach-out/{id}", api::people::show_alert)
    .add(
        "POST",
        "/api/v1/reach-out/{id}/replies",
        post(api::people::reply_to_alert).layer(DefaultBodyLimit::max(crate::POST_BODY_BYTES)),
    );
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
