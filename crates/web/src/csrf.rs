//! Cross-site request forgery protection, applied by the gate to every request that can change
//! something, so that no handler can skip it:
//! - a request a browser marks as sent by another site (Fetch Metadata's `Sec-Fetch-Site`, or
//!   else an `Origin` that is not this server) is refused before anything runs, API included;
//! - every page form must echo its token in a `csrf` field (URL-encoded or multipart). A
//!   signed-in member's token is derived from their session token, so it changes at every
//!   sign-in and nobody else can choose it; a visitor's (the sign-in and registration forms) is
//!   a random value in a `SameSite=Strict` cookie (`__Host-` and `Secure` under https),
//!   replaced at every sign-in and sign-out.
//!
//! The token goes into each page masked by a fresh random pad (`pad || token XOR pad`), so that
//! no two responses carry the same bytes: a compressed page gives away nothing about it through
//! its length (BREACH), and pages may be compressed.
//!
//! The JSON API takes no form token: it needs a bearer token or a JSON content type, which no
//! form can send, and the session cookie is `SameSite=Lax`.

use crate::error::message_page;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use sha2::{Digest, Sha256};

/// This request's CSRF token, for templates to put in forms.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// The visitor token's cookie (with the `__Host-` prefix when cookies are `Secure`).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-mutual_csrf"
    } else {
        "mutual_csrf"
    }
}

fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The token a signed-in member's forms carry: a one-way function of their session token.
fn for_session(session_token: &str) -> CsrfToken {
    let digest = Sha256::new()
        .chain_update(b"mutual csrf\0")
        .chain_update(session_token.as_bytes())
        .finalize();
    CsrfToken(URL_SAFE_NO_PAD.encode(digest))
}

/// This request's token: the session's when signed in, else the visitor cookie's, or a new one
/// (`true`: the response must set the cookie).
pub(crate) fn token_for(
    headers: &HeaderMap,
    session_token: Option<&str>,
    secure: bool,
) -> (CsrfToken, bool) {
    if let Some(session_token) = session_token {
        return (for_session(session_token), false);
    }
    match crate::cookies::get(headers, cookie_name(secure)).filter(|t| well_formed(t)) {
        Some(token) => (CsrfToken(token.to_owned()), false),
        None => (CsrfToken(mutual_app::tokens::new_token()), true),
    }
}

/// Sets a visitor token's cookie on the response.
pub(crate) fn set_cookie(response: &mut Response, token: &CsrfToken, secure: bool) {
    use crate::cookies::{SameSite, set, site_cookie};
    set(
        response,
        &site_cookie(cookie_name(secure), &token.0, SameSite::Strict, secure).build(),
    );
}

/// Replaces the visitor token (at sign-in and sign-out), so a value planted before is useless.
pub(crate) fn rotate(response: &mut Response, secure: bool) {
    set_cookie(
        response,
        &CsrfToken(mutual_app::tokens::new_token()),
        secure,
    );
}

/// Whether a browser says the request was sent by another site: `Sec-Fetch-Site` other than
/// `same-origin` or `none` (typed by the person), or, from browsers without it, an `Origin`
/// that is neither `public_origin` nor the host the request was sent to.
pub(crate) fn from_another_site(headers: &HeaderMap, public_origin: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let origin = origin.to_str().unwrap_or("null");
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let same_host = origin
        .split_once("://")
        .is_some_and(|(_, authority)| host.is_some_and(|h| authority.eq_ignore_ascii_case(h)));
    !(same_host || origin.eq_ignore_ascii_case(public_origin.trim_end_matches('/')))
}

/// The refusal of a request another site sent.
pub(crate) fn cross_site_refusal(api: bool) -> Response {
    let message = "This request came from another site, so it was not carried out. \
                   Please use this site's own pages.";
    if api {
        crate::error::envelope(StatusCode::FORBIDDEN, "cross_site", message)
    } else {
        message_page(StatusCode::FORBIDDEN, "Not carried out", message.into())
    }
}

/// `token` as it goes into a page: a fresh random pad, then the token's bytes XOR the pad,
/// URL-safe base64 (115 characters for a 43-character token).
pub(crate) fn masked(token: &str) -> String {
    let raw = token.as_bytes();
    let mut pad = vec![0u8; raw.len()];
    getrandom::fill(&mut pad).expect("the operating system's random source");
    let mut out = pad.clone();
    out.extend(raw.iter().zip(&pad).map(|(t, p)| t ^ p));
    URL_SAFE_NO_PAD.encode(out)
}

/// The token inside a masked one, if it is one.
fn unmasked(submitted: &str) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(submitted).ok()?;
    if bytes.len() % 2 != 0 {
        return None;
    }
    let (pad, xored) = bytes.split_at(bytes.len() / 2);
    Some(pad.iter().zip(xored).map(|(p, x)| p ^ x).collect())
}

/// Whether a submitted (masked) token carries the expected one (compared in constant time).
fn matches(expected: &CsrfToken, submitted: &str) -> bool {
    let Some(submitted) = unmasked(submitted) else {
        return false;
    };
    let a = expected.0.as_bytes();
    a.len() == submitted.len()
        && a.iter()
            .zip(&submitted)
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Checks the `csrf` field of a page form, reading its body (at most `limit` bytes) and putting
/// it back for the handler. Refuses a body that is too large (413), is not a form (415), or
/// does not carry `expected` (403).
pub(crate) async fn check_form(
    request: Request,
    expected: &CsrfToken,
    limit: usize,
) -> Result<Request, Response> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let media_type = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media_type != "application/x-www-form-urlencoded" && media_type != "multipart/form-data" {
        return Err(crate::forms::not_a_form());
    }
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<LengthLimitError>() => {
            return Err(crate::forms::too_large(limit));
        }
        Err(_) => return Err(crate::forms::unreadable()),
    };
    let submitted = if media_type == "multipart/form-data" {
        multipart_token(&content_type, bytes.clone()).await
    } else {
        urlencoded_token(&bytes)
    };
    if !submitted.is_some_and(|token| matches(expected, &token)) {
        return Err(message_page(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "For your safety, forms only work from this site and for a limited time. Please go \
             back, reload the page and send it again; what you typed is kept by your browser's \
             back button."
                .into(),
        ));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn urlencoded_token(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(name, _)| name == "csrf")
        .map(|(_, value)| value)
}

async fn multipart_token(content_type: &str, body: Bytes) -> Option<String> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("csrf") {
            return field.text().await.ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn requests_from_other_sites_are_recognised() {
        let public = "https://mutual.example";
        let other = |pairs| from_another_site(&headers(pairs), public);
        assert!(
            !other(&[]),
            "no browser headers: not a browser's cross-site request"
        );
        assert!(!other(&[("sec-fetch-site", "same-origin")]));
        assert!(!other(&[("sec-fetch-site", "none")]));
        assert!(other(&[("sec-fetch-site", "same-site")]));
        assert!(other(&[("sec-fetch-site", "cross-site")]));
        assert!(!other(&[("origin", "https://mutual.example")]));
        assert!(!other(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ]));
        assert!(other(&[
            ("origin", "https://evil.example"),
            ("host", "mutual.example")
        ]));
        assert!(other(&[("origin", "null")]));
    }

    #[test]
    fn pages_carry_the_token_masked_afresh_and_only_the_masked_form_is_taken() {
        let token = CsrfToken(mutual_app::tokens::new_token());
        let (one, two) = (masked(&token.0), masked(&token.0));
        assert_ne!(one, two, "no two pages carry the same bytes");
        assert_eq!(one.len(), 115, "a 43-byte pad and the 43 bytes masked");
        assert!(!one.contains(&token.0) && !two.contains(&token.0));
        assert!(matches(&token, &one) && matches(&token, &two));
        assert!(
            !matches(&token, &token.0),
            "the bare token is not a masked one"
        );
        let other = CsrfToken(mutual_app::tokens::new_token());
        assert!(!matches(&other, &one));
        assert!(!matches(&token, &one[..84]), "cut short");
        assert!(!matches(&token, "not base64 at all!"));
    }

    #[test]
    fn a_session_token_gives_its_own_form_token() {
        let (a, fresh) = token_for(&HeaderMap::new(), Some("session-one"), true);
        assert!(!fresh && well_formed(&a.0));
        let (b, _) = token_for(&HeaderMap::new(), Some("session-two"), true);
        assert_ne!(a.0, b.0);
        let planted = headers(&[(
            "cookie",
            "__Host-mutual_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )]);
        let (c, _) = token_for(&planted, Some("session-one"), true);
        assert_eq!(
            c.0, a.0,
            "a planted cookie does not change a member's token"
        );
        let (visitor, fresh) = token_for(&planted, None, true);
        assert_eq!(
            (visitor.0.as_str(), fresh),
            ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false)
        );
    }
}
