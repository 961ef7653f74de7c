//! Named indexes: each in its own folder with its own analysis (stop tags, decompounding, user
//! dictionary, Hanja list, synonyms), opened together by one server, created, listed and deleted
//! while it runs; dictionary changes re-analyse an index into a new generation (`reanalyze`);
//! snapshots and restores (`snapshot`); background tasks (`tasks`). Does not speak HTTP.

pub mod generation;
pub mod reanalyze;
pub mod snapshot;
pub mod tasks;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::analyzer::{self, KoreanTokenizer};
use crate::config::{Config, Decompound};
use crate::error::{Error, InternalError, UserError};
use crate::indexer;
use crate::live::{Committed, Live, OnCommit};
use crate::search::Engine;

/// The index the paths without a name serve (`index.dir`).
pub const DEFAULT: &str = "default";

/// A list an index may hold its own copy of, in its folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// New words (index-time: a change re-analyses the index).
    UserDictionary,
    /// Hanja abbreviations (index-time).
    Hanja,
    /// Query-time synonyms: a change applies to the next search.
    Synonyms,
}

impl List {
    pub const ALL: [List; 3] = [List::UserDictionary, List::Hanja, List::Synonyms];

    /// The file in the index's folder.
    pub fn file(self) -> &'static str {
        match self {
            List::UserDictionary => "user-dictionary.csv",
            List::Hanja => "hanja.txt",
            List::Synonyms => "synonyms.txt",
        }
    }

    /// Its name in paths and messages.
    pub fn name(self) -> &'static str {
        match self {
            List::UserDictionary => "user-dictionary",
            List::Hanja => "hanja",
            List::Synonyms => "synonyms",
        }
    }

    /// The setting it overrides.
    fn setting(self, config: &mut Config) -> &mut String {
        match self {
            List::UserDictionary => &mut config.analyzer.user_dictionary,
            List::Hanja => &mut config.analyzer.hanja,
            List::Synonyms => &mut config.search.synonyms,
        }
    }

    /// Checks a new text of the list; the error names the first bad line.
    pub fn check(self, text: &str) -> Result<(), String> {
        match self {
            List::UserDictionary => analyzer::check_user_dictionary(text),
            List::Hanja => analyzer::check_hanja(text),
            List::Synonyms => Ok(()),
        }
    }

    /// The list's text as `config` names it.
    pub fn text(self, config: &Config) -> Result<String, Error> {
        match self {
            List::UserDictionary => {
                analyzer::user_dictionary_text(&config.analyzer.user_dictionary)
            }
            List::Hanja => analyzer::hanja_text(&config.analyzer.hanja),
            List::Synonyms => crate::search::Synonyms::text(&config.search.synonyms),
        }
    }
}

/// Analysis settings given when an index is created, kept in its folder.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Analysis {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decompound: Option<Decompound>,
}

const ANALYSIS_FILE: &str = "chaja-index.json";

/// The settings of the index in `dir`: `base`, with the analysis and lists kept in its folder.
pub fn resolve(dir: &Path, base: &Config) -> Config {
    let mut config = base.clone();
    config.index.dir = dir.to_path_buf();
    if let Some(analysis) = std::fs::read_to_string(dir.join(ANALYSIS_FILE))
        .ok()
        .and_then(|text| serde_json::from_str::<Analysis>(&text).ok())
    {
        if let Some(tags) = analysis.stop_tags {
            config.analyzer.stop_tags = tags;
        }
        if let Some(decompound) = analysis.decompound {
            config.analyzer.decompound = decompound;
        }
    }
    for list in List::ALL {
        let own = dir.join(list.file());
        if own.is_file() {
            *list.setting(&mut config) = own.display().to_string();
        }
    }
    config
}

/// Writes `analysis` and the given lists into a new index folder.
pub fn write_settings(
    dir: &Path,
    analysis: &Analysis,
    lists: &[(List, String)],
) -> Result<(), Error> {
    std::fs::create_dir_all(dir)?;
    if *analysis != Analysis::default() {
        let json = serde_json::to_string_pretty(analysis)
            .map_err(|e| InternalError::Task(e.to_string()))?;
        std::fs::write(dir.join(ANALYSIS_FILE), json)?;
    }
    for (list, text) in lists {
        std::fs::write(dir.join(list.file()), text)?;
    }
    Ok(())
}

/// A name an index may have: lower-case ASCII letters, digits, `-` and `_`, starting with a letter or
/// digit, at most 64 characters (it is a folder name and a path segment).
pub fn check_name(name: &str) -> Result<(), Error> {
    let fine = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name.as_bytes()[0].is_ascii_alphanumeric();
    if fine {
        Ok(())
    } else {
        Err(UserError::BadParameter(format!(
            "bad index name {name:?}: use 1–64 lower-case letters, digits, `-` or `_`, starting \
             with a letter or digit"
        ))
        .into())
    }
}

/// One served index.
#[derive(Clone)]
pub struct Served {
    pub name: String,
    pub dir: PathBuf,
    /// Its settings (the server's, with its own analysis and lists).
    pub config: Arc<Config>,
    pub index: Index,
    pub engine: Engine,
    /// Its writer, when the server takes writes.
    pub live: Option<Live>,
    /// Changes each time the index is opened again (a new generation), so caches keyed by it go.
    pub generation: u64,
}

impl Served {
    /// Opens (or, when `create`, creates) the index in `dir` with its own settings, and starts its
    /// writer when the server takes writes.
    pub fn open(
        name: &str,
        dir: &Path,
        base: &Config,
        create: bool,
        on_commit: impl Fn(Committed) + Send + 'static,
    ) -> Result<(Served, Option<std::thread::JoinHandle<()>>), Error> {
        if let Some(what) = generation::recover(dir)? {
            tracing::warn!(index = name, "{what}");
        }
        let config = resolve(dir, base);
        let analyzer = KoreanTokenizer::new(&config.analyzer)?;
        let index = if create {
            let index = indexer::open_or_create(dir, &analyzer)?;
            if !indexer::has_analyzer_settings(dir) {
                indexer::save_analyzer_settings(dir, &config.analyzer)?;
            }
            index
        } else {
            indexer::open_existing(dir, &analyzer)?
        };
        if let Some(message) = indexer::analyzer_settings_changed(dir, &config.analyzer) {
            tracing::warn!(index = name, "{message}");
        }
        let engine = Engine::new(index.clone(), analyzer, &config)?;
        engine.warm_suggestions();
        let (live, thread) = if config.server.api_keys.is_empty() {
            (None, None)
        } else {
            let (live, thread) = Live::start(&index, &config, engine.clone(), on_commit)?;
            (Some(live), Some(thread))
        };
        Ok((
            Served {
                name: name.to_string(),
                dir: dir.to_path_buf(),
                config: Arc::new(config),
                index,
                engine,
                live,
                generation: next_generation(),
            },
            thread,
        ))
    }

    /// What `GET /api/indexes` says of it.
    pub fn info(&self) -> IndexInfo {
        let searcher = self.engine.searcher();
        let config = &self.config;
        let words = |list: List| {
            list.text(config)
                .map(|t| {
                    t.lines()
                        .filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#'))
                        .count()
                })
                .unwrap_or(0)
        };
        IndexInfo {
            name: self.name.clone(),
            documents: searcher.num_docs(),
            bytes: indexer::dir_size(&self.dir),
            segments: searcher.segment_readers().len(),
            writes: self.live.is_some(),
            analysis: AnalysisInfo {
                stop_tags: config.analyzer.stop_tags.clone(),
                decompound: config.analyzer.decompound,
                user_dictionary_rows: words(List::UserDictionary),
                hanja_rows: words(List::Hanja),
                synonym_groups: words(List::Synonyms),
            },
        }
    }
}

fn next_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

#[derive(Debug, Clone, Serialize)]
pub struct IndexInfo {
    pub name: String,
    pub documents: u64,
    /// Size on disk.
    pub bytes: u64,
    pub segments: usize,
    /// Whether it takes writes (the server has a key).
    pub writes: bool,
    pub analysis: AnalysisInfo,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnalysisInfo {
    pub stop_tags: Vec<String>,
    pub decompound: Decompound,
    pub user_dictionary_rows: usize,
    pub hanja_rows: usize,
    pub synonym_groups: usize,
}

/// Every index one server serves.
pub struct Catalog {
    /// The server's settings (each index resolves its own from them).
    pub base: Config,
    served: RwLock<BTreeMap<String, Served>>,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// Held while an index is created, so two requests creating one name do not race.
    creating: Mutex<()>,
    pub tasks: tasks::Tasks,
    on_commit: OnCommit,
}

impl Catalog {
    /// A catalog of the default index alone (`default`, already open).
    pub fn new(
        base: Config,
        default: Served,
        thread: Option<std::thread::JoinHandle<()>>,
        on_commit: OnCommit,
    ) -> Catalog {
        let mut served = BTreeMap::new();
        served.insert(DEFAULT.to_string(), default);
        Catalog {
            base,
            served: RwLock::new(served),
            threads: Mutex::new(thread.into_iter().collect()),
            creating: Mutex::new(()),
            tasks: tasks::Tasks::default(),
            on_commit,
        }
    }

    /// Opens every named index found under `index.named_dir`; one that fails to open is logged and
    /// left out.
    pub fn open_named(&self) {
        let Ok(entries) = std::fs::read_dir(&self.base.index.named_dir) else {
            return;
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| {
                // An index deleted while the server stopped before its folder was gone.
                if name.starts_with(".deleted-") {
                    let _ = std::fs::remove_dir_all(self.base.index.named_dir.join(name));
                }
                !name.starts_with('.')
            })
            .filter(|name| check_name(name).is_ok() && name != DEFAULT)
            .collect();
        names.sort();
        for name in names {
            let dir = self.dir_of(&name);
            // A folder left by a crash between the renames of a swap has no meta.json at DIR yet.
            let _ = generation::recover(&dir);
            if !dir.join("meta.json").exists() {
                continue;
            }
            match self.open(&name, false) {
                Ok(()) => tracing::info!(index = %name, "serving"),
                Err(error) => tracing::error!(index = %name, %error, "cannot open the index"),
            }
        }
    }

    /// The folder of the index `name`.
    pub fn dir_of(&self, name: &str) -> PathBuf {
        if name == DEFAULT {
            self.base.index.dir.clone()
        } else {
            self.base.index.named_dir.join(name)
        }
    }

    fn open(&self, name: &str, create: bool) -> Result<(), Error> {
        let on_commit = self.on_commit.clone();
        let (served, thread) =
            Served::open(name, &self.dir_of(name), &self.base, create, move |c| {
                on_commit(c)
            })?;
        self.write().insert(name.to_string(), served);
        self.lock_threads().extend(thread);
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<Served> {
        self.read().get(name).cloned()
    }

    pub fn names(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    pub fn all(&self) -> Vec<Served> {
        self.read().values().cloned().collect()
    }

    /// Creates the named index with `analysis` and `lists` and serves it.
    pub fn create(
        &self,
        name: &str,
        analysis: &Analysis,
        lists: &[(List, String)],
    ) -> Result<Served, Error> {
        check_name(name)?;
        let _one_at_a_time = self.creating.lock().unwrap_or_else(|p| p.into_inner());
        if self.read().contains_key(name) || self.dir_of(name).exists() {
            return Err(UserError::Conflict(format!("an index named {name:?} exists")).into());
        }
        for (list, text) in lists {
            list.check(text)
                .map_err(|e| UserError::BadPayload(format!("{}: {e}", list.name())))?;
        }
        let dir = self.dir_of(name);
        write_settings(&dir, analysis, lists)?;
        if let Err(error) = self.open(name, true) {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(error);
        }
        self.get(name)
            .ok_or_else(|| InternalError::Task("the new index vanished".to_string()).into())
    }

    /// Stops serving the named index and deletes its folder.
    pub fn delete(&self, name: &str) -> Result<(), Error> {
        if name == DEFAULT {
            return Err(UserError::BadParameter(
                "the default index cannot be deleted (it is the server's index.dir)".to_string(),
            )
            .into());
        }
        if self.tasks.running(reanalyze::KIND, name).is_some() {
            return Err(UserError::Conflict(format!(
                "index {name:?} is being re-analysed; delete it when the task ends"
            ))
            .into());
        }
        let served = self
            .write()
            .remove(name)
            .ok_or_else(|| UserError::NotFound(format!("no index named {name:?}")))?;
        let dir = served.dir.clone();
        drop(served);
        // Renamed first, so the name is free at once; searches still running keep reading the
        // files they hold.
        let gone = dir.with_file_name(format!(
            ".deleted-{name}-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::rename(&dir, &gone)?;
        std::thread::spawn(move || {
            // The writer thread ends once the last request holding its handle is answered.
            std::thread::sleep(std::time::Duration::from_secs(1));
            let _ = std::fs::remove_dir_all(&gone);
        });
        Ok(())
    }

    /// Replaces the served entry of `name` (a new generation, new synonyms).
    pub fn replace(&self, served: Served) {
        self.write().insert(served.name.clone(), served);
    }

    /// Stops serving everything: each writer makes its last commit. Call once the server stopped.
    pub fn close(&self) {
        self.write().clear();
        let threads = std::mem::take(&mut *self.lock_threads());
        for thread in threads {
            let _ = thread.join();
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Served>> {
        self.served.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Served>> {
        self.served.write().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_threads(&self) -> std::sync::MutexGuard<'_, Vec<std::thread::JoinHandle<()>>> {
        self.threads.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Replaces an index's list with `text` in its folder, atomically (written aside, then renamed).
pub fn save_list(dir: &Path, list: List, text: &str) -> Result<(), Error> {
    let path = dir.join(list.file());
    let aside = dir.join(format!(".{}.new", list.file()));
    std::fs::write(&aside, text)?;
    std::fs::File::open(&aside)?.sync_all()?;
    std::fs::rename(&aside, &path)?;
    Ok(())
}
