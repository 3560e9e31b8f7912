//! Cookies in and out, through the `cookie` crate: one read by name from a request's headers
//! (borrowed, nothing allocated: the gate reads one on every request), and one set on a response.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
pub(crate) use cookie::{Cookie, SameSite};

/// The value of cookie `name` in the request, if present.
pub(crate) fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .and_then(|cookie| cookie.value_raw())
}

/// Adds `cookie` to the response's `Set-Cookie` headers.
pub(crate) fn set(response: &mut Response, cookie: &Cookie<'_>) {
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// A cookie only this site's pages get, kept from scripts: `Path=/`, `HttpOnly`, the `SameSite`
/// given, and `Secure` when the site is served over https.
pub(crate) fn site_cookie<'c>(
    name: &'c str,
    value: &'c str,
    same_site: SameSite,
    secure: bool,
) -> cookie::CookieBuilder<'c> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(same_site)
        .secure(secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cookie_is_found_among_many_headers_and_pairs() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; broken; b=2"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("mutual_session=tok en"),
        );
        assert_eq!(get(&headers, "b"), Some("2"));
        assert_eq!(get(&headers, "mutual_session"), Some("tok en"));
        assert_eq!(get(&headers, "c"), None);
    }

    #[test]
    fn site_cookies_carry_their_attributes() {
        let cookie = site_cookie("n", "v", SameSite::Strict, true)
            .build()
            .to_string();
        for part in ["n=v", "Path=/", "HttpOnly", "SameSite=Strict", "Secure"] {
            assert!(cookie.contains(part), "{cookie}");
        }
        let plain = site_cookie("n", "v", SameSite::Lax, false)
            .build()
            .to_string();
        assert!(!plain.contains("Secure"), "{plain}");
    }
}
