//! Starting the HTTP server on a listener, background housekeeping, and graceful shutdown.

use axum::Router;
use mutual_app::App;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running server: its address and how to stop it.
pub struct RunningServer {
    pub address: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops accepting, lets in-flight requests finish, and waits for the server to end.
    pub async fn shut_down(self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        self.task.await.map_err(std::io::Error::other)?
    }

    /// Waits until the server ends by itself (after `stop_on` fired).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// Serves `router` on `listener` until `stop_on` completes or [`RunningServer::shut_down`].
pub fn start(
    listener: TcpListener,
    router: Router,
    stop_on: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<RunningServer> {
    let address = listener.local_addr()?;
    let (stop, mut stopped) = watch::channel(false);
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                tokio::select! {
                    () = stop_on => {}
                    _ = stopped.wait_for(|stop| *stop) => {}
                }
            })
            .await
    });
    Ok(RunningServer {
        address,
        stop,
        task,
    })
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

/// Delivers due check-in reminders, e-mails and Reach out follow-ups every `every` until the
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
