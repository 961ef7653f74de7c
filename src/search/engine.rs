//! The engine: an open index with its reader, analyzer, settings and search threads, shared by every
//! request. What a search does with it is in `pipeline`; this file owns only what lives as long as
//! the engine.

use std::sync::Arc;

use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, Term};

use super::stats::Stats;
use super::synonyms::Synonyms;
use super::types::{SearchRequest, SearchResponse};
use super::{assist, build, syntax};
use crate::analyzer::KoreanTokenizer;
use crate::config::{Config, SearchConfig};
use crate::error::{Error, InternalError};
use crate::schema::Fields;

/// An open index with its one reader, ready to answer queries from many threads.
#[derive(Clone)]
pub struct Engine {
    pub(super) reader: IndexReader,
    pub(super) fields: Fields,
    pub(super) analyzer: KoreanTokenizer,
    pub(super) config: SearchConfig,
    /// Shared by every clone, so a change applies to the next search everywhere.
    synonyms: Arc<std::sync::RwLock<Arc<Synonyms>>>,
    /// The search threads, shared with tantivy's segment executor when the index has several
    /// segments.
    pub(super) pool: Arc<rayon::ThreadPool>,
    pub(super) assist: Arc<assist::Assist>,
    /// Each segment's documents by group and member columns, and the groups of two articles or
    /// more of the latest sets of segments.
    pub(super) group_views: Arc<super::similar::Groups>,
    /// Each searched segment's publishers and days, for counting facets.
    pub(super) facet_values: Arc<super::facet_values::FacetValues>,
    /// Reads both ahead for each new searcher generation (tantivy holds it weakly).
    _warm: Arc<dyn tantivy::Warmer>,
}

impl Engine {
    pub fn new(
        mut index: Index,
        analyzer: KoreanTokenizer,
        config: &Config,
    ) -> Result<Engine, Error> {
        // Segments are searched in parallel, so one query uses every core.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|n| format!("chaja-search-{n}"))
            .panic_handler(|panic| {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(%message, "a search task panicked");
            })
            .build()
            .map_err(|e| InternalError::Threads(e.to_string()))?;
        let pool = Arc::new(pool);
        // An index of one segment (what `chaja index` leaves up to `index.merge_segment_mb`) is
        // searched on the thread that runs the search: handing its one segment to the pool only woke
        // another thread (KorQuAD questions 0.93× in-process, 0.97× over HTTP). Several segments are
        // searched a segment per search thread. Chosen when the engine opens the index.
        index.set_executor(if index.searchable_segment_metas()?.len() > 1 {
            tantivy::Executor::ThreadPool(pool.clone())
        } else {
            tantivy::Executor::SingleThread
        });
        let fields = Fields::of(&index)?;
        let facet_values = Arc::<super::facet_values::FacetValues>::default();
        let group_views = Arc::<super::similar::Groups>::default();
        let warm: Arc<dyn tantivy::Warmer> = Arc::new(super::warm::Warm {
            facet_values: facet_values.clone(),
            group_views: group_views.clone(),
            grouped: fields.group.is_some(),
        });
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .warmers(vec![Arc::downgrade(&warm)])
            .try_into()?;
        let synonyms = Arc::new(std::sync::RwLock::new(Arc::new(Synonyms::load(
            &config.search.synonyms,
        )?)));
        Ok(Engine {
            reader,
            fields,
            analyzer,
            config: config.search.clone(),
            synonyms,
            pool,
            assist: Arc::default(),
            group_views,
            facet_values,
            _warm: warm,
        })
    }

    /// Replaces the query-time synonyms: the next search uses them.
    pub fn set_synonyms(&self, synonyms: Synonyms) {
        let mut slot = self.synonyms.write().unwrap_or_else(|p| p.into_inner());
        *slot = Arc::new(synonyms);
    }

    /// A searcher over the latest commit the engine has loaded.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Picks up the latest commit now instead of waiting for the reload policy.
    pub fn reload(&self) -> Result<(), Error> {
        Ok(self.reader.reload()?)
    }

    /// Live documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Documents of the bundled Wikinews sample in the index (its publisher is
    /// `ingest::SAMPLE_SOURCE`), deleted ones not yet merged away included.
    pub fn sample_documents(&self) -> u64 {
        let term = Term::from_field_text(self.fields.source, crate::ingest::SAMPLE_SOURCE);
        self.reader.searcher().doc_freq(&term).unwrap_or(0)
    }

    /// Runs `work` on the search threads and hands its result to the awaiting task, leaving the async
    /// runtime's threads free for I/O.
    pub async fn on_search_threads<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Engine) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let (done, result) = tokio::sync::oneshot::channel();
        let engine = self.clone();
        self.pool.spawn(move || {
            let _ = done.send(work(&engine));
        });
        // A dropped sender means the work panicked (the pool's handler has logged it).
        result
            .await
            .map_err(|_| InternalError::Task("the search panicked".to_string()).into())
    }

    /// Runs on the engine's search threads: the segments, the count and the hits' snippets are worked
    /// on in parallel, with the calling thread's request handed over once.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, Error> {
        self.pool.install(|| self.search_in_pool(request))
    }

    /// Index statistics for one search over `searcher`.
    pub(super) fn stats<'s>(&self, searcher: &'s Searcher) -> Stats<'s> {
        Stats::new(searcher, self.config.length_normalization)
    }

    /// The query's groups: normalised, parsed, synonyms added.
    pub(super) fn groups(&self, query: &str) -> Vec<syntax::Group> {
        let mut groups = syntax::parse(&crate::normalize::query(query));
        let synonyms = self
            .synonyms
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        synonyms.expand(&mut groups, &self.analyzer);
        groups
    }

    pub(super) fn builder<'a>(&'a self, stats: &'a Stats<'a>) -> build::Builder<'a> {
        build::Builder {
            analyzer: &self.analyzer,
            fields: self.fields,
            config: &self.config,
            stats,
        }
    }
}
