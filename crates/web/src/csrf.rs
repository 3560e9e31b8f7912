//! Cross-site request forgery protection for forms: a random token in a `SameSite=Strict`
//! cookie that every form must echo in its `csrf` field (double submit). The session cookie is
//! also `SameSite=Lax`, and the JSON API needs a JSON content type, which no form can send.

use crate::auth::cookie;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

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

/// This request's token from its cookie, or a new one (`true`: the response must set it).
pub(crate) fn token_for(headers: &HeaderMap) -> (CsrfToken, bool) {
    match cookie(headers, COOKIE).filter(|t| well_formed(t)) {
        Some(token) => (CsrfToken(token.to_owned()), false),
        None => (CsrfToken(mutual_app::tokens::new_token()), true),
    }
}

/// Sets a new token's cookie on the response.
pub(crate) fn set_cookie(response: &mut Response, token: &CsrfToken) {
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
        token.0
    )) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Whether a submitted form token matches this request's cookie (compared in constant time).
pub fn matches(expected: &CsrfToken, submitted: &str) -> bool {
    let (a, b) = (expected.0.as_bytes(), submitted.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
