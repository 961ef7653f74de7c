//! The live index: while the server takes writes, one writer thread owns tantivy's writer. Requests
//! queue their changes and wait for the commit that includes them (group commit): every change that
//! arrives while a commit runs goes into the next one, so a busy server commits a few times a second,
//! not once per request. A change is acknowledged only after its commit (fsynced) and the reader's
//! reload, so the next search sees it; searches never wait for a commit. Work that must not run
//! beside a write (a generation swap, a snapshot, compaction) is queued as a [`Control`] job and runs
//! on the writer thread between commits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
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

impl Change {
    fn take(&mut self) -> Change {
        std::mem::replace(self, Change::Upsert(Vec::new()))
    }
}

/// What the writer thread owns, lent to [`Control`] jobs.
pub struct Desk {
    pub writer: Writer,
    pub index: Index,
    pub engine: Engine,
    pub config: Config,
    /// While a re-analysis runs: every change committed since it took its snapshot, to be replayed
    /// into the new generation.
    pub tee: Option<Vec<Change>>,
}

/// Called after each commit (the metrics).
pub type OnCommit = Arc<dyn Fn(Committed) + Send + Sync>;

/// Work run on the writer thread between commits.
pub type Control = Box<dyn FnOnce(&mut Desk) + Send>;

enum Job {
    Change {
        change: Change,
        done: oneshot::Sender<Result<Applied, Error>>,
    },
    Control(Control),
}

/// The handle requests use; cheap to clone. Dropping every handle lets the writer thread finish its
/// last commit and stop.
#[derive(Clone)]
pub struct Live {
    queue: mpsc::Sender<Job>,
    /// When the last change was committed (ms since the thread started), for compaction when quiet.
    last_commit: Arc<AtomicU64>,
    started: Instant,
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
        let desk = Desk {
            writer,
            index: index.clone(),
            engine,
            config: config.clone(),
            tee: None,
        };
        let live = Live {
            queue,
            last_commit: Arc::default(),
            started: Instant::now(),
        };
        let stamp = (live.last_commit.clone(), live.started);
        if config.index.compact_after_secs > 0 {
            compactor(&live, Duration::from_secs(config.index.compact_after_secs))?;
        }
        let thread = std::thread::Builder::new()
            .name("chaja-writer".to_string())
            .spawn(move || run(desk, jobs, on_commit, stamp))
            .map_err(|e| InternalError::Threads(e.to_string()))?;
        Ok((live, thread))
    }

    /// Runs `work` on the writer thread after the changes queued before it are committed, and
    /// returns what it returns.
    pub async fn control<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Desk) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let (job, result) = control_job(work);
        self.queue.send(job).await.map_err(|_| stopped())?;
        result.await.map_err(|_| stopped().into())
    }

    /// [`Live::control`] from a thread outside the async runtime.
    pub fn control_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Desk) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let (job, result) = control_job(work);
        self.queue.blocking_send(job).map_err(|_| stopped())?;
        result.blocking_recv().map_err(|_| stopped().into())
    }

    /// How long ago the last change was committed (since the start when none was).
    pub fn quiet_for(&self) -> Duration {
        let now = self.started.elapsed().as_millis() as u64;
        Duration::from_millis(now.saturating_sub(self.last_commit.load(Ordering::Relaxed)))
    }

    /// Whether the writer thread still runs.
    pub fn is_running(&self) -> bool {
        !self.queue.is_closed()
    }

    /// Queues `change` and waits until it is committed and visible.
    pub async fn apply(&self, change: Change) -> Result<Applied, Error> {
        let (done, applied) = oneshot::channel();
        self.queue
            .send(Job::Change { change, done })
            .await
            .map_err(|_| stopped())?;
        applied.await.map_err(|_| stopped())?
    }
}

/// `work` as a control job, and where its result will come.
fn control_job<T: Send + 'static>(
    work: impl FnOnce(&mut Desk) -> T + Send + 'static,
) -> (Job, oneshot::Receiver<T>) {
    let (done, result) = oneshot::channel();
    let job = Job::Control(Box::new(move |desk: &mut Desk| {
        let _ = done.send(work(desk));
    }));
    (job, result)
}

fn stopped() -> InternalError {
    InternalError::Task("the index writer has stopped".to_string())
}

/// The writer thread: takes every job waiting, applies the changes, commits once, reloads the
/// searchers' reader, answers every change; control jobs run in their place in the queue, after the
/// changes before them are committed. Ends when every handle is gone and the queue is empty.
fn run(
    mut desk: Desk,
    mut jobs: mpsc::Receiver<Job>,
    on_commit: impl Fn(Committed),
    (last_commit, started): (Arc<AtomicU64>, Instant),
) {
    let mut held: Option<Job> = None;
    while let Some(first) = held.take().or_else(|| jobs.blocking_recv()) {
        let mut batch = Vec::new();
        match first {
            Job::Control(work) => {
                work(&mut desk);
                continue;
            }
            Job::Change { change, done } => batch.push((change, done)),
        }
        while let Ok(job) = jobs.try_recv() {
            match job {
                Job::Change { change, done } => batch.push((change, done)),
                control => {
                    held = Some(control);
                    break;
                }
            }
        }
        let started_batch = Instant::now();
        let mut applied: Vec<Result<Applied, Error>> = Vec::with_capacity(batch.len());
        let keep = desk.tee.is_some();
        let mut kept: Vec<Option<Change>> = Vec::with_capacity(batch.len());
        for (change, _) in &mut batch {
            let (result, change) = apply(&mut desk.writer, change.take(), keep);
            applied.push(result);
            kept.push(change);
        }
        let committed = desk
            .writer
            .commit_and_continue()
            .and_then(|_| desk.engine.reload().map(|_| ()));
        match committed {
            Ok(()) => {
                last_commit.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
                on_commit(Committed {
                    changes: batch.len(),
                    took: started_batch.elapsed(),
                });
                for (((_, done), result), change) in batch.into_iter().zip(applied).zip(kept) {
                    if let (Some(tee), Ok(_), Some(change)) = (desk.tee.as_mut(), &result, change) {
                        tee.push(change);
                    }
                    let _ = done.send(result);
                }
            }
            Err(error) => {
                // Nothing of this batch is acknowledged. A fresh writer drops what the failed commit
                // left pending (tantivy's writer is not to be trusted after a failed commit).
                tracing::error!(%error, "commit failed");
                let disk_full = error.is_disk_full();
                for (_, done) in batch {
                    let failure = if disk_full {
                        Error::DiskFull
                    } else {
                        InternalError::Task(format!("commit failed: {error}")).into()
                    };
                    let _ = done.send(Err(failure));
                }
                let Desk {
                    writer,
                    index,
                    engine,
                    config,
                    tee,
                } = desk;
                drop(writer);
                desk = Desk {
                    writer: reopen(&index, &config),
                    index,
                    engine,
                    config,
                    tee,
                };
            }
        }
    }
    tracing::info!("index writer stopped");
}

/// Applies `change`; gives it back when `keep` (for the tee).
fn apply(
    writer: &mut Writer,
    change: Change,
    keep: bool,
) -> (Result<Applied, Error>, Option<Change>) {
    match change {
        Change::Upsert(articles) => {
            let before = writer.report().clone();
            let kept = keep.then(|| Change::Upsert(articles.clone()));
            for article in articles {
                if let Err(error) = writer.add(article) {
                    return (Err(error), None);
                }
            }
            let after = writer.report();
            let applied = Applied {
                indexed: after.indexed - before.indexed,
                replaced: after.replaced - before.replaced,
                deleted: false,
            };
            (Ok(applied), kept)
        }
        Change::Delete(id) => {
            let result = writer.delete(&id).map(|deleted| Applied {
                deleted,
                ..Applied::default()
            });
            (result, keep.then_some(Change::Delete(id)))
        }
    }
}

/// Starts merging the segments of the desk's index as `chaja index` leaves them (at most
/// `index.merge_segment_mb` each); returns the merges, which run in tantivy's
/// merge threads while searches and writes go on.
pub fn compact(desk: &mut Desk) -> Result<Vec<Merge>, Error> {
    let plan = crate::indexer::merge_plan(
        &desk.index,
        &desk.config.index.dir,
        desk.config.index.merge_segment_mb,
    )?;
    Ok(desk.writer.merge(&plan))
}

/// A merge under way.
pub type Merge = tantivy::FutureResult<Option<tantivy::index::SegmentMeta>>;

/// Compacts the index once writes have been quiet for `after`, a compaction at a time; the thread
/// ends with the writer.
fn compactor(live: &Live, after: Duration) -> Result<(), Error> {
    let weak = live.queue.downgrade();
    let (last_commit, started) = (live.last_commit.clone(), live.started);
    let tick = (after / 4).clamp(Duration::from_millis(200), Duration::from_secs(10));
    std::thread::Builder::new()
        .name("chaja-compactor".to_string())
        .spawn(move || {
            // The last commit compacted after, so a quiet index is not merged again and again.
            let mut compacted_after = u64::MAX;
            loop {
                std::thread::sleep(tick);
                let Some(queue) = weak.upgrade() else { return };
                let live = Live {
                    queue,
                    last_commit: last_commit.clone(),
                    started,
                };
                let last = last_commit.load(Ordering::Relaxed);
                if live.quiet_for() < after || last == compacted_after {
                    continue;
                }
                compacted_after = last;
                let merges = match live.control_blocking(compact) {
                    Ok(Ok(merges)) => merges,
                    Ok(Err(error)) => {
                        tracing::warn!(%error, "compaction not started");
                        continue;
                    }
                    Err(_) => return,
                };
                drop(live);
                if merges.is_empty() {
                    continue;
                }
                let count = merges.len();
                for merge in merges {
                    if let Err(error) = merge.wait() {
                        tracing::warn!(%error, "a compaction merge failed");
                    }
                }
                tracing::info!(merges = count, "index compacted after quiet writes");
            }
        })
        .map_err(|e| InternalError::Threads(e.to_string()))?;
    Ok(())
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
