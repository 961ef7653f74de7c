//! Re-analysis after an index-time list changes (user dictionary, Hanja): the stored documents are
//! analysed again from the index's own stored text into a new generation beside the served one;
//! searches are answered from the old one meanwhile, writes that arrive are committed there and
//! replayed into the new one, which replaces the old at once on the writer thread when complete. A
//! failure leaves the old generation serving; a crash leaves one complete generation
//! (`generation::recover`).

use std::path::Path;
use std::sync::Arc;

use tantivy::{Index, Searcher};

use super::{generation, resolve, save_list, Catalog, List, Served, ANALYSIS_FILE};
use crate::analyzer::KoreanTokenizer;
use crate::config::Config;
use crate::error::{Error, InternalError, UserError};
use crate::indexer::{self, Writer};
use crate::live::{Change, Live};
use crate::search::Engine;

/// The kind of its tasks.
pub const KIND: &str = "reanalyze";

/// Starts re-analysing the index `name` with `list` replaced by `text`; returns the task's id.
/// A bad line is refused here, before anything changes.
pub fn start(catalog: &Arc<Catalog>, name: &str, list: List, text: String) -> Result<u64, Error> {
    list.check(&text)
        .map_err(|e| UserError::BadPayload(format!("{}: {e}", list.name())))?;
    let served = catalog
        .get(name)
        .ok_or_else(|| UserError::NotFound(format!("no index named {name:?}")))?;
    let live = served.live.clone().ok_or(UserError::WritesDisabled)?;
    if let Some(id) = catalog.tasks.running(KIND, name) {
        return Err(UserError::Conflict(format!(
            "index {name:?} is being re-analysed already (task {id}); change it when that ends"
        ))
        .into());
    }
    let id = catalog.tasks.start(KIND, name, list.name());
    let catalog = catalog.clone();
    std::thread::Builder::new()
        .name(format!("chaja-reanalyze-{id}"))
        .spawn(move || {
            let started = std::time::Instant::now();
            tracing::info!(index = %served.name, task = id, list = list.name(), "re-analysis started");
            let outcome = run(&catalog, &served, &live, list, &text, id);
            if let Err(error) = &outcome {
                tracing::error!(index = %served.name, task = id, %error, "re-analysis failed: the old generation goes on serving");
                let _ = live.control_blocking(|desk| desk.tee = None);
                generation::discard(&served.dir);
            } else {
                tracing::info!(index = %served.name, task = id, seconds = started.elapsed().as_secs_f64(), "re-analysis done: serving the new generation");
            }
            catalog.tasks.finish(id, outcome.map_err(|e| e.to_string()));
        })
        .map_err(|e| InternalError::Threads(e.to_string()))?;
    Ok(id)
}

fn run(
    catalog: &Arc<Catalog>,
    served: &Served,
    live: &Live,
    list: List,
    text: &str,
    task: u64,
) -> Result<(), Error> {
    // The snapshot and the tee start together, between two commits: every change is in exactly one.
    let snapshot = live.control_blocking(|desk| {
        desk.tee = Some(Vec::new());
        desk.engine.searcher()
    })?;
    catalog
        .tasks
        .update(task, |t| t.total = snapshot.num_docs());
    let total = snapshot.num_docs().max(1);
    let tenth = std::cell::Cell::new(0);
    let progress = |done: u64| {
        catalog.tasks.update(task, |t| t.done = done);
        if done * 10 / total > tenth.get() {
            tenth.set(done * 10 / total);
            tracing::info!(index = %served.name, task, done, total, "re-analysing");
        }
    };
    let (index, writer) = build(&served.dir, &catalog.base, list, text, &snapshot, progress)?;
    drop(snapshot);
    let (dir, base, catalog2, name, live2) = (
        served.dir.clone(),
        catalog.base.clone(),
        catalog.clone(),
        served.name.clone(),
        live.clone(),
    );
    // The replay and the swap run on the writer thread: no write lands in between.
    live.control_blocking(move |desk| -> Result<(), Error> {
        let tee = desk.tee.take().unwrap_or_default();
        let replayed = tee.len() as u64;
        complete(&dir, &base, index, writer, tee)?;
        let config = resolve(&dir, &base);
        let analyzer = KoreanTokenizer::new(&config.analyzer)?;
        let index = indexer::open_existing(&dir, &analyzer)?;
        let engine = Engine::new(index.clone(), analyzer, &config)?;
        engine.warm_suggestions();
        desk.writer = Writer::new(&index, &config)?;
        desk.index = index.clone();
        desk.engine = engine.clone();
        desk.config = config.clone();
        catalog2.replace(Served {
            name,
            dir,
            config: Arc::new(config),
            index,
            engine,
            live: Some(live2),
            generation: super::next_generation(),
        });
        catalog2.tasks.update(task, |t| t.replayed = replayed);
        Ok(())
    })?
}

/// Builds the next generation of the index in `dir` from the documents of `snapshot`, with `list`
/// replaced by `text`; returns it with its writer, everything but the replay committed.
pub fn build(
    dir: &Path,
    base: &Config,
    list: List,
    text: &str,
    snapshot: &Searcher,
    progress: impl Fn(u64),
) -> Result<(Index, Writer), Error> {
    let next = generation::staging(dir);
    generation::discard(dir);
    std::fs::create_dir_all(&next)?;
    // The index's own settings go along; the changed list replaces its copy.
    for file in List::ALL.map(List::file).into_iter().chain([ANALYSIS_FILE]) {
        if dir.join(file).is_file() {
            std::fs::copy(dir.join(file), next.join(file))?;
        }
    }
    save_list(&next, list, text)?;
    let config = resolve(&next, base);
    let analyzer = KoreanTokenizer::new(&config.analyzer)?;
    let index = indexer::open_or_create(&next, &analyzer)?;
    let mut writer = Writer::new(&index, &config)?;
    let mut done = 0u64;
    indexer::for_each_stored(snapshot, |article| {
        writer.add(article)?;
        done += 1;
        if done.is_multiple_of(1000) {
            progress(done);
        }
        Ok(())
    })?;
    progress(done);
    writer.commit_and_continue()?;
    Ok((index, writer))
}

/// Replays `tee` into the new generation, commits and merges it, records its settings, marks it
/// complete and swaps it in.
pub fn complete(
    dir: &Path,
    base: &Config,
    index: Index,
    mut writer: Writer,
    tee: Vec<Change>,
) -> Result<(), Error> {
    for change in tee {
        match change {
            Change::Upsert(articles) => {
                for article in articles {
                    writer.add(article)?;
                }
            }
            Change::Delete(id) => {
                writer.delete(&id)?;
            }
        }
    }
    writer.commit()?;
    let next = generation::staging(dir);
    indexer::merge_segments(&index, &next, base.index.merge_segment_mb)?;
    // Checked readable before it replaces anything.
    index.reader()?.reload()?;
    drop(index);
    indexer::save_analyzer_settings(&next, &resolve(dir, base).analyzer)?;
    generation::mark_ready(&next)?;
    generation::swap(dir)
}

/// `chaja reindex`: the same re-analysis offline, on an index no server is writing to.
pub fn offline(dir: &Path, base: &Config, list: List, text: &str) -> Result<u64, Error> {
    list.check(text)
        .map_err(|e| UserError::BadPayload(format!("{}: {e}", list.name())))?;
    if let Some(what) = generation::recover(dir)? {
        tracing::warn!("{what}");
    }
    let config = resolve(dir, base);
    let analyzer = KoreanTokenizer::new(&config.analyzer)?;
    let old = indexer::open_existing(dir, &analyzer)?;
    // Holding the old index's writer keeps a server or another `chaja index` from writing meanwhile.
    let guard = Writer::new(&old, &config)?;
    let snapshot = old.reader()?.searcher();
    let documents = snapshot.num_docs();
    let progress = indicatif::ProgressBar::new(documents);
    let (index, writer) = build(dir, base, list, text, &snapshot, |n| {
        progress.set_position(n)
    })?;
    progress.finish_and_clear();
    drop(snapshot);
    let outcome = complete(dir, base, index, writer, Vec::new());
    drop(guard);
    if outcome.is_err() {
        generation::discard(dir);
    }
    outcome.map(|()| documents)
}
