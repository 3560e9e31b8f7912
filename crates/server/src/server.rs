//! Starting the HTTP server on a listener (with a bound on the time to send headers and on
//! connections served at once), background housekeeping, and a graceful shutdown that ends
//! live streams and finishes within a bound.

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use mutual_app::App;
use mutual_web::{Shutdown, WebConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

/// How the listener treats connections.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The time a client has to send a request's headers (and an idle kept-alive connection
    /// to start its next request) before the connection is closed.
    pub header_read_timeout: Duration,
    /// Connections served at once; further ones wait in the listen queue.
    pub max_connections: usize,
    /// How long a graceful shutdown waits for requests in flight before stopping anyway.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 10_000,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// A running server: its address and how to stop it.
pub struct RunningServer {
    pub address: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops accepting, ends live streams, lets requests in flight finish (within the grace),
    /// and waits for the server to end.
    pub async fn shut_down(self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        self.task.await.map_err(std::io::Error::other)?
    }

    /// Waits until the server ends by itself (after `stop_on` fired).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// Serves Mutual's router for `app` on `listener` until `stop_on` completes or
/// [`RunningServer::shut_down`].
pub fn start(
    listener: TcpListener,
    app: App,
    web: WebConfig,
    limits: Limits,
    stop_on: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<RunningServer> {
    let address = listener.local_addr()?;
    let (stop, mut stopped) = watch::channel(false);
    let shutdown = Shutdown::default();
    // The other servers' events, for as long as this one serves.
    let bus = tokio::spawn(mutual_app::bus::listen(app.clone()));
    let router = mutual_web::router(app, web, shutdown.clone());
    let task = tokio::spawn(async move {
        let stop = async move {
            tokio::select! {
                () = stop_on => {}
                _ = stopped.wait_for(|stop| *stop) => {}
            }
        };
        serve(listener, router, limits, shutdown, stop).await;
        bus.abort();
        Ok(())
    });
    Ok(RunningServer {
        address,
        stop,
        task,
    })
}

/// The accept loop: one task per connection, at most `max_connections` at once, each with the
/// header read timeout. When `stop` completes: stop accepting, end live streams, finish
/// requests in flight for up to the grace, then drop whatever is left.
async fn serve(
    listener: TcpListener,
    router: impl mutual_web::HttpService,
    limits: Limits,
    shutdown: Shutdown,
    stop: impl std::future::Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stopping, _) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        while connections.try_join_next().is_some() {}
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut stop => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let mut stopping = stopping.subscribe();
        connections.spawn(async move {
            tokio::pin!(connection);
            let served = tokio::select! {
                served = connection.as_mut() => served,
                () = async { drop(stopping.wait_for(|stop| *stop).await) } => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = served {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    shutdown.begin();
    stopping.send_replace(true);
    let finished = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            open = connections.len(),
            grace_seconds = limits.shutdown_grace.as_secs(),
            "shutdown grace over: closing the connections still open"
        );
        connections.shutdown().await;
    }
}

/// After a failed accept: a connection that went away before it was accepted is nothing; any
/// other error (out of file descriptors, say) is logged and accepting pauses for a moment
/// rather than spinning.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(%error, "accepting a connection failed; pausing for a moment");
    tokio::time::sleep(Duration::from_millis(200)).await;
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed when this is called (not when the
/// future is first polled), so a signal that arrives as soon as the server says it is serving
/// still shuts it down gracefully.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = signal(SignalKind::terminate()).ok();
        let interrupt = signal(SignalKind::interrupt()).ok();
        async move {
            let wait = |stream: Option<tokio::signal::unix::Signal>| async move {
                match stream {
                    Some(mut stream) => {
                        stream.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(terminate) => {}
                () = wait(interrupt) => {}
            }
            tracing::info!("shutting down: finishing requests in flight");
        }
    }
    #[cfg(not(unix))]
    async move {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    }
}

/// Delivers due check-in reminders, e-mails, Reach out follow-ups and moderators' check-ins every `every` until the
/// process ends. Any number of servers may run this: each job is claimed by one of them.
pub fn spawn_reminders(app: App, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            match mutual_app::reminders::run_due_reminders(&app).await {
                Ok(sent) if sent > 0 => tracing::debug!(sent, "reminders delivered"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "reminders failed"),
            }
            match mutual_app::notifications::delivery::run_due_deliveries(&app).await {
                Ok(sent) if sent > 0 => tracing::debug!(sent, "e-mails sent"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "e-mail deliveries failed"),
            }
            match mutual_app::people::reach_out::run_due_follow_ups(&app).await {
                Ok(asked) if asked > 0 => tracing::debug!(asked, "reach out follow-ups sent"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "reach out follow-ups failed"),
            }
            match mutual_app::people::care::run_due_check_ins(&app).await {
                Ok(reminded) if reminded > 0 => {
                    tracing::debug!(reminded, "moderators' check-ins due")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "moderators' check-ins failed"),
            }
        }
    })
}

/// Syncs the directory from the sources that are due, every `every` until the process ends
/// (apart from reminders: a slow source must not hold them up). Any number of servers may run
/// this: each source's run is claimed by one of them.
pub fn spawn_directory_sync(app: App, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            match mutual_app::meetings::sync::run_due(&app).await {
                Ok(ran) if ran > 0 => tracing::info!(ran, "directory sources synced"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "directory sync failed"),
            }
        }
    })
}

/// Runs housekeeping every `every` until the process ends.
pub fn spawn_housekeeping(app: App, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            match mutual_app::housekeeping::sweep(&app).await {
                Ok(swept) => tracing::debug!(
                    sessions = swept.sessions,
                    throttles = swept.throttles,
                    "housekeeping"
                ),
                Err(error) => tracing::warn!(%error, "housekeeping failed"),
            }
        }
    })
}
