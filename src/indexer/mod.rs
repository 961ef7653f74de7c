//! Opening or creating the on-disk index, and writing articles into it: replace by id, count what
//! happened, commit, show progress. Does not parse input (see `ingest`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use tantivy::collector::Count;
use tantivy::merge_policy::NoMergePolicy;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{
    doc, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};

use crate::analyzer::{self, KoreanTokenizer};
use crate::config::{AnalyzerConfig, Config};
use crate::error::{BadDocument, Error, InternalError};
use crate::group::{self, Signature, Table};
use crate::ingest::{self, Article};
use crate::normalize;
use crate::schema::{self, Fields};

mod merge;
pub use merge::{merge_plan, merge_segments};

/// File in the index folder recording the analyzer settings the index was built with.
const SETTINGS_FILE: &str = "chaja-analyzer.json";

/// Opens the index in `dir`, creating the folder and an empty index when there is none, and registers
/// the Korean analyzer on it.
pub fn open_or_create(dir: &Path, analyzer: &KoreanTokenizer) -> Result<Index, Error> {
    std::fs::create_dir_all(dir)?;
    let directory = tantivy::directory::MmapDirectory::open(dir).map_err(InternalError::from)?;
    let exists =
        Index::exists(&directory).map_err(|e| Error::from(tantivy::TantivyError::from(e)))?;
    let index = if exists {
        Index::open(directory)?
    } else {
        Index::create(
            directory,
            schema::build().0,
            tantivy::IndexSettings {
                // Smaller blocks than tantivy's 16 KiB: each hit decompresses less to show its
                // snippet (measured: fetching 10 KorQuAD hits 130 → 88 µs; store 7 % larger).
                docstore_blocksize: 4096,
                ..tantivy::IndexSettings::default()
            },
        )?
    };
    analyzer::register(&index, analyzer);
    Ok(index)
}

/// Opens the index in `dir`, which must exist, and registers the Korean analyzer on it.
pub fn open_existing(dir: &Path, analyzer: &KoreanTokenizer) -> Result<Index, Error> {
    if !dir.join("meta.json").exists() {
        return Err(Error::Input(format!(
            "no index in {dir}: build one with `chaja index --input … --index-dir {dir}` \
             (or check the folder's name)",
            dir = dir.display()
        )));
    }
    open_or_create(dir, analyzer)
}

/// A fresh index in memory, for tests and benchmarks.
pub fn create_in_ram(analyzer: &KoreanTokenizer) -> Index {
    let index = Index::create_in_ram(schema::build().0);
    analyzer::register(&index, analyzer);
    index
}

/// Analyzer settings an index was built with, kept beside it.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct StoredSettings {
    analyzer: AnalyzerConfig,
    /// Content fingerprint of the user dictionary (a changed word list needs a re-index too).
    user_dictionary: String,
    /// Content fingerprint of the Hanja list.
    #[serde(default)]
    hanja: String,
    /// What analysis did beyond its settings (0 for indexes from before this was recorded).
    #[serde(default)]
    analysis: u32,
}

impl StoredSettings {
    fn of(config: &AnalyzerConfig) -> Self {
        StoredSettings {
            analyzer: config.clone(),
            user_dictionary: analyzer::user_dictionary_fingerprint(&config.user_dictionary),
            hanja: analyzer::hanja_fingerprint(&config.hanja),
            analysis: analyzer::ANALYSIS_VERSION,
        }
    }
}

/// When the analyzer settings stored beside the index differ from `config`, a message saying so.
pub fn analyzer_settings_changed(dir: &Path, config: &AnalyzerConfig) -> Option<String> {
    let stored = std::fs::read_to_string(dir.join(SETTINGS_FILE)).ok()?;
    let same = serde_json::from_str::<StoredSettings>(&stored)
        .is_ok_and(|s| s == StoredSettings::of(config));
    (!same).then(|| {
        format!(
            "the analysis (stop tags, decompounding, user dictionary, Hanja list, or this version of \
             chaja's normalisation and readings) differs from the one {} was built with; documents \
             already indexed keep the old analysis: delete the folder and re-index for the new \
             analysis to apply everywhere",
            dir.display()
        )
    })
}

/// Whether the analyzer settings an index was built with are recorded beside it.
pub fn has_analyzer_settings(dir: &Path) -> bool {
    dir.join(SETTINGS_FILE).is_file()
}

/// Records the analyzer settings beside the index.
pub fn save_analyzer_settings(dir: &Path, config: &AnalyzerConfig) -> Result<(), Error> {
    let json = serde_json::to_string_pretty(&StoredSettings::of(config))
        .map_err(|e| Error::Input(e.to_string()))?;
    std::fs::write(dir.join(SETTINGS_FILE), json)?;
    Ok(())
}

/// What an indexing run did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    /// New documents.
    pub indexed: usize,
    /// Documents whose id was already there (in the index or earlier in this run).
    pub replaced: usize,
    /// Bad documents, skipped.
    pub skipped: Vec<BadDocument>,
    /// Bad optional fields (a `url` that is not http or https), left out of documents that were
    /// indexed.
    pub left_out: Vec<BadDocument>,
    /// Bytes of title and body text written.
    pub text_bytes: u64,
}

impl Report {
    pub fn written(&self) -> usize {
        self.indexed + self.replaced
    }
}

/// Writes articles into an index, replacing documents that share an id.
pub struct Writer {
    writer: IndexWriter,
    fields: Fields,
    /// What the last commit holds, to tell new ids from replaced ones.
    reader: IndexReader,
    committed: Searcher,
    /// Ids written since the last commit.
    seen: HashSet<String>,
    report: Report,
    /// Every document's signature and group, loaded at the first write; `None` when the index has
    /// no groups or `index.group_threshold` is 0.
    groups: Option<Table>,
    group_threshold: f32,
}

impl Writer {
    pub fn new(index: &Index, config: &Config) -> Result<Writer, Error> {
        let fields = Fields::of(index)?;
        let threads = config.index_threads();
        let heap = (config.index.writer_heap_mb << 20).max(threads * (16 << 20));
        let writer = index
            .writer_with_num_threads(threads, heap)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => Error::Input(format!(
                "another process is writing to this index (a `chaja serve` that takes writes, or \
                 another `chaja index`): send documents to that server's POST /api/documents, or \
                 stop it first ({e})"
            )),
                other => other.into(),
            })?;
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let committed = reader.searcher();
        Ok(Writer {
            writer,
            fields,
            reader,
            committed,
            seen: HashSet::new(),
            report: Report::default(),
            groups: None,
            group_threshold: config.index.group_threshold,
        })
    }

    /// The group of a new document: the group of the earlier one it nearly copies, or its own.
    fn group(&mut self, id: &str, signature: Option<Signature>) -> Result<u64, Error> {
        if self.group_threshold <= 0.0 {
            return Ok(group::own_group(id));
        }
        let table = match &mut self.groups {
            Some(table) => table,
            None => {
                let table = Table::load(&self.committed, self.group_threshold)?;
                if !table.is_empty() {
                    tracing::info!(
                        documents = table.len(),
                        mb = table.memory() >> 20,
                        "related-article groups loaded"
                    );
                }
                self.groups.insert(table)
            }
        };
        Ok(table.assign(id, signature))
    }

    /// Whether a document with this id is in the index or was written since the last commit.
    fn exists(&self, id: &str, id_term: &Term) -> Result<bool, Error> {
        Ok(self.seen.contains(id)
            || self.committed.search(
                &TermQuery::new(id_term.clone(), IndexRecordOption::Basic),
                &Count,
            )? > 0)
    }

    /// Deletes the document with this id; `false` when there is none.
    pub fn delete(&mut self, id: &str) -> Result<bool, Error> {
        let id_term = Term::from_field_text(self.fields.id, id);
        if !self.exists(id, &id_term)? {
            return Ok(false);
        }
        self.writer.delete_term(id_term);
        self.seen.remove(id);
        Ok(true)
    }

    /// Commits what was written and goes on writing: returns what happened since the last commit.
    pub fn commit_and_continue(&mut self) -> Result<Report, Error> {
        self.writer.commit()?;
        self.reader.reload()?;
        self.committed = self.reader.searcher();
        self.seen.clear();
        Ok(std::mem::take(&mut self.report))
    }

    pub fn add(&mut self, mut article: Article) -> Result<(), Error> {
        let f = self.fields;
        // Stored as analysed, so snippets and highlights line up with the index.
        for text in [&mut article.title, &mut article.body] {
            if let Cow::Owned(normal) = normalize::text(text) {
                *text = normal;
            }
        }
        let id_term = Term::from_field_text(f.id, &article.id);
        let existed = self.exists(&article.id, &id_term)?;
        self.seen.insert(article.id.clone());
        if existed {
            self.writer.delete_term(id_term);
            self.report.replaced += 1;
        } else {
            self.report.indexed += 1;
        }
        self.report.text_bytes += (article.title.len() + article.body.len()) as u64;
        let published_at = article.published_at.and_then(|at| {
            let date = schema::index_date(at);
            if date.is_none() {
                tracing::warn!(id = %article.id, %at, "date left out: outside the years 1678–2261");
            }
            date
        });
        let mut document = TantivyDocument::new();
        // First, so the lead-text re-ranking stops reading the document after it.
        if let Some(lead) = f.lead {
            document.add_text(lead, schema::lead_of(&article.body));
        }
        document.add_text(f.id, &article.id);
        document.add_text(f.bigram, &article.title);
        document.add_text(f.bigram, &article.body);
        document.add_text(f.title, &article.title);
        document.add_text(f.body, &article.body);
        if let Some(source) = article.source {
            document.add_text(f.source, source);
        }
        if let Some(url) = article.url {
            document.add_text(f.url, url);
        }
        if let Some(at) = published_at {
            document.add_date(f.published_at, at);
        }
        if let Some(field) = f.group {
            let signature = (self.group_threshold > 0.0)
                .then(|| Signature::of(&article.body))
                .flatten();
            document.add_u64(field, self.group(&article.id, signature)?);
            if let (Some(field), Some(signature)) = (f.signature, signature) {
                document.add_bytes(field, &signature.to_bytes());
            }
        }
        self.writer.add_document(document)?;
        Ok(())
    }

    /// What was written since the last commit.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Records a bad document (skipped) or a bad field left out of an indexed one.
    pub fn skip(&mut self, bad: BadDocument) {
        if bad.kept {
            tracing::warn!(file = %bad.file, line = bad.line, "{}", bad.message);
            self.report.left_out.push(bad);
        } else {
            tracing::warn!(file = %bad.file, line = bad.line, "skipped: {}", bad.message);
            self.report.skipped.push(bad);
        }
    }

    /// Starts merging each group of segments (`merge_plan`) in tantivy's merge threads; searches
    /// and writes go on meanwhile. Returns the merges to wait for.
    pub fn merge(
        &mut self,
        groups: &[Vec<tantivy::index::SegmentId>],
    ) -> Vec<tantivy::FutureResult<Option<tantivy::index::SegmentMeta>>> {
        groups.iter().map(|ids| self.writer.merge(ids)).collect()
    }

    /// Commits everything written and returns what happened.
    pub fn commit(mut self) -> Result<Report, Error> {
        if let Some(table) = &self.groups {
            tracing::info!(
                documents = table.len(),
                mb = table.memory() >> 20,
                "related-article groups: signatures held while indexing"
            );
        }
        self.writer.commit()?;
        self.writer.wait_merging_threads()?;
        Ok(self.report)
    }
}

/// Reads every live document of `searcher` back as the article it was written from (title and body
/// as normalised) and hands it to `each`; returns how many were read. Re-analysis and export use it.
pub fn for_each_stored(
    searcher: &Searcher,
    mut each: impl FnMut(Article) -> Result<(), Error>,
) -> Result<u64, Error> {
    let fields = Fields::of(searcher.index())?;
    let mut read = 0;
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(64)?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let stored: TantivyDocument = store.get(doc)?;
            if let Some(article) = stored_article(&stored, &fields) {
                each(article)?;
                read += 1;
            }
        }
    }
    Ok(read)
}

/// A stored document as an article; `None` without an id or body.
fn stored_article(stored: &TantivyDocument, f: &Fields) -> Option<Article> {
    use tantivy::schema::Value;
    let text = |field| {
        stored
            .get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let published_at = stored
        .get_first(f.published_at)
        .and_then(|v| v.as_datetime())
        .and_then(|d| time::OffsetDateTime::from_unix_timestamp(d.into_timestamp_secs()).ok());
    Some(Article {
        id: text(f.id)?,
        title: text(f.title).unwrap_or_default(),
        body: text(f.body)?,
        source: text(f.source),
        url: text(f.url),
        published_at,
    })
}

/// Bytes of the files directly in `dir` (an index's size).
pub fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Indexes every input path into the index at `config.index.dir`, with a progress bar.
pub fn index_paths(
    inputs: &[PathBuf],
    config: &Config,
    analyzer: &KoreanTokenizer,
) -> Result<Report, Error> {
    let dir = &config.index.dir;
    let mut files = Vec::new();
    for input in inputs {
        files.extend(ingest::files(input)?);
    }
    let index = open_or_create(dir, analyzer)?;
    let mut writer = Writer::new(&index, config)?;
    // Segments are merged once at the end (`merge_segments`), not while the arenas are full.
    writer.writer.set_merge_policy(Box::new(NoMergePolicy));
    let progress = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] file {pos}/{len} · {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    for file in &files {
        for (n, item) in ingest::read_file(file).enumerate() {
            match item {
                Ok(article) => writer.add(article)?,
                Err(bad) => writer.skip(bad),
            }
            if n % 1000 == 0 {
                progress.set_message(format!(
                    "{} documents, {} MB",
                    writer.report.written(),
                    writer.report.text_bytes >> 20
                ));
                progress.tick();
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let report = writer.commit()?;
    if report.written() > 0 {
        merge_segments(&index, dir, config.index.merge_segment_mb)?;
    }
    if report.written() > 0 && dir.join("meta.json").exists() {
        save_analyzer_settings(dir, &config.analyzer)?;
    }
    Ok(report)
}

/// Indexes articles from memory (the bundled sample, tests).
pub fn index_articles(
    index: &Index,
    config: &Config,
    items: impl IntoIterator<Item = ingest::Item>,
) -> Result<Report, Error> {
    let mut writer = Writer::new(index, config)?;
    for item in items {
        match item {
            Ok(article) => writer.add(article)?,
            Err(bad) => writer.skip(bad),
        }
    }
    writer.commit()
}
