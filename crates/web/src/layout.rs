//! What every page template shares: the layout (title, viewer, CSRF token), the state of a
//! form being re-shown with what the person typed and a message per field, and dates written
//! as people read them.

use crate::AppState;
use crate::auth::ViewerContext;
use crate::csrf::CsrfToken;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use mutual_app::accounts::Viewer;
use mutual_app::{App, FieldError};
use mutual_domain::Timestamp;
use mutual_domain::local::Zone;
use mutual_domain::permissions::Role;
use std::convert::Infallible;

/// The data the base layout needs.
#[derive(Clone, Debug)]
pub struct Layout {
    pub title: String,
    pub community: String,
    /// The viewer's pseudonym when signed in.
    pub viewer_name: Option<String>,
    pub is_admin: bool,
    /// Moderators and admins (the review queues).
    pub is_moderator: bool,
    /// The CSRF token for the forms on the page (the header's log-out button among them),
    /// masked afresh for this page.
    pub csrf: String,
    /// The viewer's unread notifications, shown in the header.
    pub unread: i64,
    /// The viewer's conversations with unread messages, shown in the header.
    pub unread_messages: i64,
}

impl Layout {
    /// A layout for pages shown without request context (errors).
    pub fn bare(title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            community: "Mutual".into(),
            viewer_name: None,
            is_admin: false,
            is_moderator: false,
            csrf: String::new(),
            unread: 0,
            unread_messages: 0,
        }
    }
}

/// Request context for rendering a page.
pub struct PageContext {
    community: String,
    /// The crisis lines for whoever asks: the country picked on `/help`, chosen in settings,
    /// or suggested by their time zone.
    pub crisis: std::sync::Arc<mutual_app::crisis::CountryLines>,
    viewer: Option<(String, Role)>,
    pub csrf: String,
    unread: i64,
    unread_messages: i64,
}

impl PageContext {
    /// The layout for a page titled `title`.
    pub fn layout(&self, title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            community: self.community.clone(),
            viewer_name: self.viewer.as_ref().map(|(name, _)| name.clone()),
            is_admin: self
                .viewer
                .as_ref()
                .is_some_and(|(_, role)| *role == Role::Admin),
            is_moderator: self
                .viewer
                .as_ref()
                .is_some_and(|(_, role)| role.can_moderate()),
            csrf: crate::csrf::masked(&self.csrf),
            unread: self.unread,
            unread_messages: self.unread_messages,
        }
    }
}

impl FromRequestParts<AppState> for PageContext {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let signed_in = parts.extensions.get::<ViewerContext>().map(|c| &c.0);
        let viewer = signed_in.map(|v| (v.username.as_str().to_owned(), v.role));
        // Counts on indexes; a page still renders if they cannot be read.
        let (unread, unread_messages) = match signed_in {
            Some(v) => (
                mutual_app::notifications::unread_count(&state.app, v.user_id)
                    .await
                    .unwrap_or(0),
                mutual_app::people::messages::unread_count(&state.app, v.user_id)
                    .await
                    .unwrap_or(0),
            ),
            None => (0, 0),
        };
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let picked = crate::cookies::get(&parts.headers, crate::pages::help::COUNTRY_COOKIE);
        let crisis = mutual_app::accounts::crisis_lines(&state.app, signed_in, picked).clone();
        Ok(PageContext {
            crisis,
            community: state.app.config.community_name.clone(),
            viewer,
            csrf,
            unread,
            unread_messages,
        })
    }
}

/// A form as the person left it: the values they typed and what needs fixing.
#[derive(Clone, Debug, Default)]
pub struct FormView {
    values: Vec<(std::borrow::Cow<'static, str>, String)>,
    pub errors: Vec<FieldError>,
}

impl FormView {
    /// Keeps `value` for field `name` so the form shows it again.
    pub fn keep(mut self, name: &'static str, value: &str) -> Self {
        self.values.push((name.into(), value.to_owned()));
        self
    }

    /// Like [`keep`](Self::keep), for a field whose name is made at run time.
    pub fn keep_owned(mut self, name: String, value: &str) -> Self {
        self.values.push((name.into(), value.to_owned()));
        self
    }

    /// Adds the errors to show.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors.extend(errors);
        self
    }

    /// What the person typed in `name`.
    pub fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(key, _)| *key == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The message for `name`, if it needs fixing.
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.as_str())
    }

    /// Messages not tied to a visible field (unknown fields, the form as a whole).
    pub fn general_errors<F: AsRef<[&'static str]>>(&self, fields: F) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|e| !fields.as_ref().iter().any(|f| *f == e.field))
            .map(|e| e.message.as_str())
            .collect()
    }

    /// Whether `option` is among the comma-separated values kept for `name`.
    pub fn has(&self, name: &str, option: &str) -> bool {
        self.value(name).split(',').any(|v| v == option)
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        !self.value(name).is_empty()
    }
}

/// Instants as people write them ("Thursday 3 December, 19:30", the year when it is not this
/// one), in one time zone.
#[derive(Clone, Debug)]
pub struct Dates {
    zone: Zone,
    now: Timestamp,
}

impl Dates {
    pub fn new(zone: Zone, now: Timestamp) -> Dates {
        Dates { zone, now }
    }

    /// In the viewer's time zone (the server's for a visitor), as of now.
    pub fn of(app: &App, viewer: Option<&Viewer>) -> Dates {
        Dates::new(mutual_app::accounts::zone_for(app, viewer), app.clock.now())
    }

    /// A stored instant (milliseconds since the epoch), as templates hold them.
    pub fn at(&self, millis: &i64) -> String {
        self.instant(Timestamp(*millis))
    }

    pub fn instant(&self, at: Timestamp) -> String {
        self.zone.human(at, self.now)
    }
}
