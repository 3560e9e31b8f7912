//! The listener: a client trickling its headers is cut off after the header read timeout, and a
//! graceful shutdown ends live streams and finishes within its grace whatever is in flight.

use crate::community::make_trusted;
use crate::support::TestServer;
use mutual::server::Limits;
use mutual_testkit::both_backends;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection; how long that took from `since`, or `None`
/// if it was still open after `patience`.
async fn closed_after(
    stream: &mut (impl AsyncRead + Unpin),
    since: Instant,
    patience: Duration,
) -> Option<Duration> {
    let mut buffer = [0u8; 1024];
    let deadline = since + patience;
    loop {
        match tokio::time::timeout_at(deadline.into(), stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => return Some(since.elapsed()),
            Ok(Ok(_)) => {}
            Err(_) => return None,
        }
    }
}

both_backends! {
    async fn a_client_trickling_its_headers_is_closed_after_the_header_read_timeout(database) {
        let limits = Limits { header_read_timeout: Duration::from_secs(1), ..Limits::default() };
        let server = TestServer::start_with_limits(database, limits).await;
        let address = server.base.trim_start_matches("http://").to_owned();
        let mut slow = TcpStream::connect(&address).await.unwrap();
        let started = Instant::now();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: mutual\r\n").await.unwrap();
        let (mut reading, mut writing) = slow.into_split();
        let trickle = tokio::spawn(async move {
            // A header byte every 100 ms, for up to 5 seconds.
            for _ in 0..50 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if writing.write_all(b"X").await.is_err() {
                    return;
                }
            }
        });
        let closed = closed_after(&mut reading, started, Duration::from_secs(5)).await;
        trickle.abort();
        let closed = closed.expect("the trickling connection was still open after 5 s");
        assert!(closed >= Duration::from_millis(900) && closed < Duration::from_secs(3), "closed after {closed:?}");
        // Normal requests are not affected.
        let health = server.client.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        eprintln!("slow headers: closed after {closed:?} (timeout 1 s)");
        server.stop().await;
    }
}

both_backends! {
    async fn shutdown_ends_an_open_live_stream_at_once(database) {
        let server = TestServer::start(database).await;
        for name in ["live_ada", "live_cy"] {
            server.register(name).await;
            make_trusted(&server, name).await;
        }
        let ada = server.token("live_ada").await;
        let (status, started) = server.api(reqwest::Method::POST, "/api/v1/conversations", Some(&ada), Some(&json!({"to": ["live_cy"], "body": "Are you around tonight?"}))).await;
        assert_eq!(status, 201, "{started}");
        let id = started["id"].as_str().unwrap();
        let mut events = server.client.get(server.url(&format!("/messages/{id}/events"))).bearer_auth(&ada).send().await.unwrap();
        assert_eq!(events.status(), 200);
        assert!(events.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let reader = tokio::spawn(async move {
            while let Ok(Some(_)) = events.chunk().await {}
            Instant::now()
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!reader.is_finished(), "the stream stays open while the server runs");

        let stopping = Instant::now();
        tokio::time::timeout(Duration::from_secs(5), server.stop()).await.expect("the server stopped");
        let took = stopping.elapsed();
        let ended = tokio::time::timeout(Duration::from_secs(1), reader).await.expect("the stream ended").unwrap();
        assert!(took < Duration::from_secs(2), "shutdown with an open stream took {took:?} (grace 10 s)");
        assert!(ended.duration_since(stopping) < Duration::from_secs(2));
        eprintln!("shutdown with an open live stream: {took:?}");
    }
}

both_backends! {
    async fn shutdown_finishes_within_its_grace_with_a_request_stuck_in_flight(database) {
        let limits = Limits { shutdown_grace: Duration::from_secs(1), ..Limits::default() };
        let server = TestServer::start_with_limits(database, limits).await;
        let address = server.base.trim_start_matches("http://").to_owned();
        // A request whose body never comes: its handler waits for it.
        let mut stuck = TcpStream::connect(&address).await.unwrap();
        stuck.write_all(b"POST /login HTTP/1.1\r\nHost: mutual\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=").await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;

        let stopping = Instant::now();
        tokio::time::timeout(Duration::from_secs(5), server.stop()).await.expect("the server stopped within 5 s");
        let took = stopping.elapsed();
        assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(2), "shutdown took {took:?} (grace 1 s)");
        assert!(closed_after(&mut stuck, Instant::now(), Duration::from_secs(1)).await.is_some(), "the stuck connection was closed");
        eprintln!("shutdown with a request stuck in flight: {took:?} (grace 1 s)");
    }
}
