//! Group commit for SQLite: write jobs from many requests are queued to one writer task, which
//! runs a batch of them inside a single `BEGIN IMMEDIATE` transaction, each job in a savepoint
//! of its own, and commits once. One fsync then covers the whole batch instead of one per job,
//! which is what lets SQLite with `synchronous=FULL` take thousands of writes a second. A job
//! that fails rolls back only its own savepoint; every job learns its result after the commit.

use crate::StoreError;
use futures_core::future::BoxFuture;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

/// The most jobs one transaction carries.
const MAX_BATCH: usize = 128;

/// Reports a job's outcome once the batch's fate is known (`None`: committed).
type Deliver = Box<dyn FnOnce(Option<StoreError>) + Send>;

/// A job: runs on the writer's connection and says whether it succeeded, and how to report.
type Job =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, (bool, Deliver)> + Send>;

/// The queue to the writer task of one SQLite pool.
#[derive(Clone)]
pub struct WriteBatcher {
    jobs: mpsc::UnboundedSender<Job>,
}

impl std::fmt::Debug for WriteBatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteBatcher")
    }
}

/// The in-process turn SQLite write transactions take.
pub(crate) type Turn = std::sync::Arc<tokio::sync::Mutex<()>>;

impl WriteBatcher {
    /// Starts the writer task for `pool`; each batch waits for `turn`.
    pub fn start(pool: SqlitePool, turn: Turn) -> WriteBatcher {
        let (jobs, queue) = mpsc::unbounded_channel();
        tokio::spawn(run_writer(pool, turn, queue));
        WriteBatcher { jobs }
    }

    /// Runs `work` in the next batch and returns its result once the batch has committed.
    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let outcome = work(conn).await;
                let ok = outcome.is_ok();
                let deliver: Deliver = Box::new(move |commit_error| {
                    let result = match (outcome, commit_error) {
                        (Err(own), _) => Err(own),
                        (Ok(_), Some(error)) => Err(error),
                        (Ok(value), None) => Ok(value),
                    };
                    let _ = reply.send(result);
                });
                (ok, deliver)
            })
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Unavailable("the database writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the database writer has stopped".into()))?
    }
}

async fn run_writer(pool: SqlitePool, turn: Turn, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let _turn = turn.lock().await;
        let mut delivers = Vec::with_capacity(batch.len());
        let commit_error = run_batch(&pool, batch.drain(..), &mut delivers).await.err();
        for deliver in delivers {
            deliver(commit_error.clone());
        }
    }
}

async fn run_batch(
    pool: &SqlitePool,
    jobs: impl Iterator<Item = Job>,
    delivers: &mut Vec<Deliver>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for job in jobs {
        let mut savepoint = sqlx::Connection::begin(&mut *tx).await?;
        let (ok, deliver) = job(&mut savepoint).await;
        if ok {
            savepoint.commit().await?;
        } else {
            savepoint.rollback().await?;
        }
        delivers.push(deliver);
    }
    tx.commit().await?;
    Ok(())
}
