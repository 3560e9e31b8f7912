//! Cross-site request forgery protection for forms: a random token in a `SameSite=Strict`
//! cookie that every form must echo in its `csrf` field (double submit). The session cookie is
//! also `SameSite=Lax`, and the JSON API needs a JSON content type, which no form can send.

use crate::AppState;
use crate::auth::{cookie, is_api};
use crate::routes::Decision;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use mutual_domain::permissions::Access;

const COOKIE: &str = "mutual_csrf";

/// This request's CSRF token, for templates to put in forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Makes sure every page request has a CSRF token, setting the cookie when it is new.
/// Public routes (operations, assets, `/help`) show no forms and are left alone.
pub async fn ensure_cookie(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let public = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|path| state.routes.decide(request.method(), path.as_str()))
        .is_some_and(|decision| matches!(decision, Decision::Call(Access::Public)));
    if public || is_api(request.uri().path()) {
        return next.run(request).await;
    }
    let existing = cookie(request.headers(), COOKIE)
        .filter(|t| well_formed(t))
        .map(str::to_owned);
    let (token, fresh) = match existing {
        Some(token) => (token, false),
        None => (mutual_app::tokens::new_token(), true),
    };
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if fresh
        && let Ok(value) = HeaderValue::from_str(&format!(
            "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Whether a submitted form token matches this request's cookie (compared in constant time).
pub fn matches(expected: &CsrfToken, submitted: &str) -> bool {
    let (a, b) = (expected.0.as_bytes(), submitted.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
