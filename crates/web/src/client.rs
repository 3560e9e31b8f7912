//! Facts about the client that the use cases need: its address (for throttling only; never
//! stored as is) and a coarse device description for the member's session list.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::SocketAddr;

/// The client making a request.
pub struct Client {
    pub address: String,
    pub device: String,
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let forwarded = forwarded_client(&parts.headers, state.web.trusted_proxy_hops);
        let address = forwarded.or(peer).unwrap_or_else(|| "unknown".into());
        let agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Ok(Client {
            address,
            device: describe_device(agent),
        })
    }
}

/// The client address as the outermost trusted proxy saw it: with `hops` trusted proxies in
/// front of the server, the `hops`-th `X-Forwarded-For` entry from the right (each proxy appends
/// the address it was called from, so entries further left were written by the client and are
/// never believed). `None` when proxies are not trusted (`hops` 0) or the header does not hold
/// that many valid addresses.
pub fn forwarded_client(headers: &axum::http::HeaderMap, hops: usize) -> Option<String> {
    if hops == 0 {
        return None;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let entry = entries.len().checked_sub(hops).map(|i| entries[i])?;
    entry
        .parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| ip.to_string())
}

/// "Firefox on Android", "Chrome on Windows", "API client": enough for a member to recognise a
/// session, too little to fingerprint anyone.
pub fn describe_device(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(needle, _)| user_agent.contains(needle))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| user_agent.contains(needle))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => format!("Browser on {s}"),
        (None, None) => "Unknown device".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> axum::http::HeaderMap {
        let mut headers = axum::http::HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn the_client_cannot_choose_its_own_forwarded_address() {
        // The client wrote "6.6.6.6"; the one trusted proxy appended the address it saw.
        let spoofed = forwarded(&["6.6.6.6, 203.0.113.7"]);
        assert_eq!(
            forwarded_client(&spoofed, 1).as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(
            forwarded_client(&spoofed, 0),
            None,
            "not behind a proxy: never believed"
        );
        // Two trusted hops: the second entry from the right; headers repeated count as one list.
        let two = forwarded(&["6.6.6.6", "198.51.100.2, 10.0.0.5"]);
        assert_eq!(forwarded_client(&two, 2).as_deref(), Some("198.51.100.2"));
        assert_eq!(forwarded_client(&forwarded(&["203.0.113.7"]), 2), None);
        assert_eq!(forwarded_client(&forwarded(&["not-an-address"]), 1), None);
        assert_eq!(
            forwarded_client(&forwarded(&["2001:db8::1"]), 1).as_deref(),
            Some("2001:db8::1")
        );
    }

    #[test]
    fn devices_are_described_coarsely() {
        let android =
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
        assert_eq!(describe_device(android), "Chrome on Android");
        assert_eq!(
            describe_device("Mozilla/5.0 (Windows NT 10.0; rv:120.0) Gecko Firefox/120.0"),
            "Firefox on Windows"
        );
        assert_eq!(describe_device("curl/8.0"), "Unknown device");
    }
}
