//! The live index: while the server takes writes, one writer thread owns tantivy's writer. Requests
//! queue their changes and wait for the commit that includes them (group commit): every change that
//! arrives while a commit runs goes into the next one, so a busy server commits a few times a second,
//! not once per request. A change is acknowledged only after its commit (fsynced) and the reader's
//! reload, so the next search sees it; searches never wait for a commit.

use std::time::{Duration, Instant};

use tantivy::Index;
use tokio::sync::{mpsc, oneshot};

use crate::config::Config;
use crate::error::{Error, InternalError};
use crate::indexer::Writer;
use crate::ingest::Article;
use crate::search::Engine;

/// A change a request asks for.
pub enum Change {
    /// Add or replace these documents (by id).
    Upsert(Vec<Article>),
    /// Delete the document with this id.
    Delete(String),
}

/// What a committed change did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Applied {
    pub indexed: usize,
    pub replaced: usize,
    /// For a delete: whether the document was there.
    pub deleted: bool,
}

/// A commit, for the metrics.
#[derive(Debug, Clone, Copy)]
pub struct Committed {
    pub changes: usize,
    pub took: Duration,
}

struct Job {
    change: Change,
    done: oneshot::Sender<Result<Applied, Error>>,
}

/// The handle requests use; cheap to clone. Dropping every handle lets the writer thread finish its
/// last commit and stop.
#[derive(Clone)]
pub struct Live {
    queue: mpsc::Sender<Job>,
}

/// Changes waiting at most: a full queue makes requests wait for room, not fail.
const QUEUE: usize = 1024;

impl Live {
    /// Takes the index's writer (refusing when another process holds it) and starts the writer
    /// thread. `on_commit` is called after each commit (metrics).
    pub fn start(
        index: &Index,
        config: &Config,
        engine: Engine,
        on_commit: impl Fn(Committed) + Send + 'static,
    ) -> Result<(Live, std::thread::JoinHandle<()>), Error> {
        let writer = Writer::new(index, config)?;
        let (queue, jobs) = mpsc::channel(QUEUE);
        let index = index.clone();
        let config = config.clone();
        let thread = std::thread::Builder::new()
            .name("chaja-writer".to_string())
            .spawn(move || run(writer, jobs, &index, &config, &engine, on_commit))
            .map_err(|e| InternalError::Threads(e.to_string()))?;
        Ok((Live { queue }, thread))
    }

    /// Queues `change` and waits until it is committed and visible.
    pub async fn apply(&self, change: Change) -> Result<Applied, Error> {
        let (done, applied) = oneshot::channel();
        self.queue
            .send(Job { change, done })
            .await
            .map_err(|_| InternalError::Task("the index writer has stopped".to_string()))?;
        applied
            .await
            .map_err(|_| InternalError::Task("the index writer has stopped".to_string()))?
    }
}

/// The writer thread: takes every job waiting, applies them, commits once, reloads the searchers'
/// reader, answers every job. Ends when every handle is gone and the queue is empty.
fn run(
    mut writer: Writer,
    mut jobs: mpsc::Receiver<Job>,
    index: &Index,
    config: &Config,
    engine: &Engine,
    on_commit: impl Fn(Committed),
) {
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = vec![first];
        while let Ok(job) = jobs.try_recv() {
            batch.push(job);
        }
        let started = Instant::now();
        let mut applied: Vec<Result<Applied, Error>> = Vec::with_capacity(batch.len());
        for job in &mut batch {
            let change = std::mem::replace(&mut job.change, Change::Upsert(Vec::new()));
            applied.push(apply(&mut writer, change));
        }
        let committed = writer
            .commit_and_continue()
            .and_then(|_| engine.reload().map(|_| ()));
        match committed {
            Ok(()) => {
                on_commit(Committed {
                    changes: batch.len(),
                    took: started.elapsed(),
                });
                for (job, result) in batch.into_iter().zip(applied) {
                    let _ = job.done.send(result);
                }
            }
            Err(error) => {
                // Nothing of this batch is acknowledged. A fresh writer drops what the failed commit
                // left pending (tantivy's writer is not to be trusted after a failed commit).
                tracing::error!(%error, "commit failed");
                let disk_full = error.is_disk_full();
                for job in batch {
                    let failure = if disk_full {
                        Error::DiskFull
                    } else {
                        InternalError::Task(format!("commit failed: {error}")).into()
                    };
                    let _ = job.done.send(Err(failure));
                }
                drop(writer);
                writer = reopen(index, config);
            }
        }
    }
    tracing::info!("index writer stopped");
}

fn apply(writer: &mut Writer, change: Change) -> Result<Applied, Error> {
    match change {
        Change::Upsert(articles) => {
            let before = writer.report().clone();
            for article in articles {
                writer.add(article)?;
            }
            let after = writer.report();
            Ok(Applied {
                indexed: after.indexed - before.indexed,
                replaced: after.replaced - before.replaced,
                deleted: false,
            })
        }
        Change::Delete(id) => Ok(Applied {
            deleted: writer.delete(&id)?,
            ..Applied::default()
        }),
    }
}

/// A new writer after a failed commit, retried until the index lets one be made.
fn reopen(index: &Index, config: &Config) -> Writer {
    let mut wait = Duration::from_millis(50);
    loop {
        match Writer::new(index, config) {
            Ok(writer) => return writer,
            Err(error) => {
                tracing::error!(%error, "cannot reopen the index writer; retrying");
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}
