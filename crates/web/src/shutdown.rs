//! The server's shutdown as a signal that long-lived answers (live streams) end on, so that a
//! graceful stop is not held open by a browser tab.

use futures_util::{Stream, StreamExt};
use std::sync::Arc;
use tokio::sync::watch;

/// Fired once, when the server begins to shut down. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown(Arc::new(watch::Sender::new(false)))
    }
}

impl Shutdown {
    /// Tells every stream (and anything else waiting) that the server is shutting down.
    pub fn begin(&self) {
        self.0.send_replace(true);
    }

    /// Completes once shutdown has begun (at once if it already has).
    pub async fn begun(&self) {
        let _ = self.0.subscribe().wait_for(|begun| *begun).await;
    }

    /// `stream`, ended early when shutdown begins.
    pub fn ends<S: Stream>(&self, stream: S) -> impl Stream<Item = S::Item> + use<S> {
        let shutdown = self.clone();
        stream.take_until(async move { shutdown.begun().await })
    }
}
