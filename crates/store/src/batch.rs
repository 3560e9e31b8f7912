//! Group commit for SQLite: write jobs from many requests are queued to one writer task, which
//! runs a batch of them inside a single `BEGIN IMMEDIATE` transaction, each job in a savepoint
//! of its own, and commits once. One fsync then covers the whole batch instead of one per job,
//! which is what lets SQLite with `synchronous=FULL` take thousands of writes a second. A job
//! that fails rolls back only its own savepoint; every job learns its result after the commit,
//! and a batch that fails before reaching a job (its `BEGIN`, a savepoint) tells that job why.
//! The writer tells [`WriteRefusals`] how each ordinary job (not the heartbeat's probe) fared.

use crate::StoreError;
use crate::refusals::WriteRefusals;
use futures_core::future::BoxFuture;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

/// The most jobs one transaction carries.
const MAX_BATCH: usize = 128;

/// Reports a job's outcome once the batch's fate is known (`None`: committed).
type Deliver = Box<dyn FnOnce(Option<StoreError>) + Send>;

/// A job's work: runs on the writer's connection (or learns the error that kept the batch from
/// reaching it) and gives back its own error, if any, and how to report.
type Work = Box<
    dyn for<'c> FnOnce(
            Result<&'c mut SqliteConnection, StoreError>,
        ) -> BoxFuture<'c, (Option<StoreError>, Deliver)>
        + Send,
>;

/// What a job is for the refusals `/readyz` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A write of the product's: its outcome is noted.
    Ordinary,
    /// The heartbeat: its success says nothing of writes that need room.
    Probe,
}

/// A queued job; a probe (the heartbeat) does not count as an ordinary write's success.
struct Job {
    work: Work,
    probe: bool,
}

/// A job that has run: its own error, whether it was a probe, and how to report.
struct Done {
    error: Option<StoreError>,
    probe: bool,
    deliver: Deliver,
}

impl Job {
    /// The job, told that the batch failed before reaching it.
    async fn turned_away(self, error: StoreError) -> Done {
        let (error, deliver) = (self.work)(Err(error)).await;
        Done {
            error,
            probe: self.probe,
            deliver,
        }
    }
}

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
    pub(crate) fn start(pool: SqlitePool, turn: Turn, refusals: WriteRefusals) -> WriteBatcher {
        let (jobs, queue) = mpsc::unbounded_channel();
        tokio::spawn(run_writer(pool, turn, queue, refusals));
        WriteBatcher { jobs }
    }

    /// Runs `work` in the next batch and returns its result once the batch has committed. A
    /// [`Kind::Probe`] (the heartbeat) asks whether writes commit: its success does not clear an
    /// ordinary write's refusal.
    pub(crate) async fn run<T, F>(&self, kind: Kind, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, StoreError>>();
        let work: Work = Box::new(move |conn| {
            Box::pin(async move {
                let outcome = match conn {
                    Ok(conn) => work(conn).await,
                    Err(error) => Err(error),
                };
                let error = outcome.as_ref().err().cloned();
                let deliver: Deliver = Box::new(move |commit_error| {
                    let result = match (outcome, commit_error) {
                        (Err(own), _) => Err(own),
                        (Ok(_), Some(error)) => Err(error),
                        (Ok(value), None) => Ok(value),
                    };
                    let _ = reply.send(result);
                });
                (error, deliver)
            })
        });
        self.jobs
            .send(Job {
                work,
                probe: kind == Kind::Probe,
            })
            .map_err(|_| StoreError::Unavailable("the database writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the database writer has stopped".into()))?
    }
}

async fn run_writer(
    pool: SqlitePool,
    turn: Turn,
    mut queue: mpsc::UnboundedReceiver<Job>,
    refusals: WriteRefusals,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let _turn = turn.lock().await;
        let mut done = Vec::with_capacity(batch.len());
        let mut jobs = batch.drain(..);
        let commit_error = run_batch(&pool, &mut jobs, &mut done).await.err();
        if let Some(error) = &commit_error {
            // The jobs the batch never reached learn its error, not that the writer stopped.
            for job in jobs {
                done.push(job.turned_away(error.clone()).await);
            }
        }
        for job in done {
            if !job.probe {
                refusals.note(job.error.as_ref().or(commit_error.as_ref()));
            }
            (job.deliver)(commit_error.clone());
        }
    }
}

async fn run_batch(
    pool: &SqlitePool,
    jobs: &mut impl Iterator<Item = Job>,
    done: &mut Vec<Done>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for job in jobs {
        let mut savepoint = match sqlx::Connection::begin(&mut *tx).await {
            Ok(savepoint) => savepoint,
            Err(error) => {
                let error = StoreError::from(error);
                done.push(job.turned_away(error.clone()).await);
                return Err(error);
            }
        };
        let (error, deliver) = (job.work)(Ok(&mut *savepoint)).await;
        let failed = error.is_some();
        done.push(Done {
            error,
            probe: job.probe,
            deliver,
        });
        if failed {
            savepoint.rollback().await?;
        } else {
            savepoint.commit().await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
