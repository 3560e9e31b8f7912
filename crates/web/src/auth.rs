//! Authorization: finds the viewer from the session cookie or bearer token, checks the route
//! policy, and hands handlers the viewer through extractors.

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::routes::{Decision, PathRules};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use mutual_app::AppError;
use mutual_app::accounts::{Viewer, authenticate};
use mutual_domain::permissions::Access;

/// The name of the session cookie (with the `__Host-` prefix when cookies are `Secure`).
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-mutual_session"
    } else {
        "mutual_session"
    }
}

/// The session token presented with a request: a bearer token, else the session cookie.
pub fn presented_token(headers: &HeaderMap, secure: bool) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    bearer.or_else(|| crate::cookies::get(headers, session_cookie_name(secure)))
}

/// The signed-in member making the request, as the gate established; absent when nobody is
/// signed in.
#[derive(Clone, Debug)]
pub struct ViewerContext(pub Viewer);

/// Whether a request is for the JSON API (errors as JSON) or a page (errors as HTML).
pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The route table's gate, run by the request's frame before the router: `rules` are those of
/// the path's route, `None` for a path no route serves (it passes through to the 404
/// fallback). `OPTIONS` is answered with the path's methods, and a method the path does not
/// serve with 405. A request that can change something and that a browser says another site
/// sent is refused. Then the access rule is applied, and page routes get their CSRF token: a
/// form's is checked here, before any handler runs ([`crate::csrf`]). `next` calls the router.
pub(crate) async fn gate<F: Future<Output = Response>>(
    state: &AppState,
    rules: Option<&PathRules>,
    mut request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let Some(rules) = rules else {
        return next(request).await;
    };
    let api = is_api(request.uri().path());
    let refuse = |error: AppError| {
        if api {
            ApiError(error).into_response()
        } else {
            PageError(error).into_response()
        }
    };
    let (access, body_limit) = match rules.decide(request.method()) {
        Decision::Call { access, body_limit } => (access, body_limit),
        Decision::Options(allow) => {
            return (StatusCode::NO_CONTENT, [(header::ALLOW, allow)]).into_response();
        }
        Decision::NotAllowed(allow) => {
            return crate::error::method_not_allowed(api, allow);
        }
    };
    let changes_something = !request.method().is_safe();
    if changes_something
        && crate::csrf::from_another_site(request.headers(), &state.app.config.public_url)
    {
        return crate::csrf::cross_site_refusal(api);
    }
    let secure = state.web.secure_cookies;
    let session_token = match access {
        Access::Public => None,
        _ => presented_token(request.headers(), secure),
    };
    let viewer = match session_token {
        None => None,
        // Boxed, as the form check below: their futures are large, and the gate's own is moved
        // through the frame's layers on every request, even those that never sign in.
        Some(token) => match Box::pin(authenticate(&state.app, token)).await {
            Ok(viewer) => viewer,
            // A page anyone may see still renders, signed out, while the database is down.
            Err(_) if access == Access::Anyone => None,
            Err(error) => return refuse(error),
        },
    };
    if !access.allows(viewer.as_ref().map(|v| v.role)) {
        if viewer.is_some() {
            return refuse(AppError::Forbidden(
                "This page is not available to your account.",
            ));
        }
        if api {
            return crate::error::unauthenticated_json();
        }
        let next_path = if request.method() == Method::GET {
            request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default()
        } else {
            String::new()
        };
        return Redirect::to(&login_url(&next_path)).into_response();
    }
    if api || (access == Access::Public && !changes_something) {
        if let Some(viewer) = viewer {
            request.extensions_mut().insert(ViewerContext(viewer));
        }
        return next(request).await;
    }
    let (token, fresh) = crate::csrf::token_for(
        request.headers(),
        session_token.filter(|_| viewer.is_some()),
        secure,
    );
    if let Some(viewer) = viewer {
        request.extensions_mut().insert(ViewerContext(viewer));
    }
    if changes_something {
        let limit = body_limit.unwrap_or(state.web.max_body_bytes);
        request = match Box::pin(crate::csrf::check_form(request, &token, limit)).await {
            Ok(request) => request,
            Err(refusal) => return refusal,
        };
    }
    request.extensions_mut().insert(token.clone());
    let mut response = next(request).await;
    if fresh {
        crate::csrf::set_cookie(&mut response, &token, secure);
    }
    response
}

/// The login page, returning to `next` afterwards when that is a local path.
pub fn login_url(next: &str) -> String {
    if is_local_path(next) && next != "/" {
        let encoded: String = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
        format!("/login?{encoded}")
    } else {
        "/login".into()
    }
}

/// Whether `path` is safe to redirect to: a path on this site, not another origin. Browsers
/// drop tabs and line breaks from a `Location` and read a backslash as a slash, so a path with
/// any control character, space or backslash is refused outright rather than cleaned.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains("://")
        && !path
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

/// The signed-in viewer; only on routes whose policy requires sign-in.
pub struct SignedIn(pub Viewer);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        match parts.extensions.get::<ViewerContext>() {
            Some(ViewerContext(viewer)) => Ok(SignedIn(viewer.clone())),
            _ if is_api(parts.uri.path()) => Err(crate::error::unauthenticated_json()),
            _ => Err(Redirect::to("/login").into_response()),
        }
    }
}

/// The viewer if signed in.
pub struct MaybeViewer(pub Option<Viewer>);

impl FromRequestParts<AppState> for MaybeViewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeViewer(
            parts.extensions.get::<ViewerContext>().map(|c| c.0.clone()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert!(is_local_path("/settings"));
        assert!(!is_local_path("//evil.example"));
        assert!(!is_local_path("https://evil.example"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("/\t/evil.example"), "a tab browsers drop");
        assert!(!is_local_path("/\n/evil.example"));
        assert!(!is_local_path("/settings\r\nSet-Cookie: x=y"));
        assert!(!is_local_path("/ /evil.example"));
        assert!(is_local_path("/meetings?q=caf%C3%A9&day=1"));
        assert_eq!(
            login_url("/settings?tab=1"),
            "/login?next=%2Fsettings%3Ftab%3D1"
        );
        assert_eq!(login_url("https://evil.example"), "/login");
    }

    #[test]
    fn bearer_tokens_win_over_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=b; mutual_session=fromcookie".parse().unwrap(),
        );
        assert_eq!(presented_token(&headers, false), Some("fromcookie"));
        headers.insert(header::AUTHORIZATION, "Bearer frombearer".parse().unwrap());
        assert_eq!(presented_token(&headers, false), Some("frombearer"));
    }
}
