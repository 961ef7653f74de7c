//! Ranked search over an open index: query text in, hits with highlighted snippets out. Knows nothing
//! of HTTP.

mod assist;
mod at_least;
mod build;
pub mod facets;
mod flat;
mod relax;
mod rerank;
mod snippet;
mod stats;
pub mod synonyms;
pub mod syntax;
mod top;

use std::ops::Bound;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, Index, IndexReader, Order, ReloadPolicy, Searcher, TantivyDocument, Term,
};
use time::{Date, PrimitiveDateTime, Time};

use crate::analyzer::KoreanTokenizer;
use crate::config::{Config, SearchConfig};
use crate::error::{Error, InternalError, UserError};
use crate::ingest::date::{format_rfc3339, KST};
use crate::schema::Fields;
use facets::{FacetCollector, Facets};
pub use relax::Relaxed;
use stats::Stats;
use synonyms::Synonyms;
use top::SharedTopDocs;

/// What a caller asks for.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    /// Only these publishers (any of them); empty means all.
    pub sources: Vec<String>,
    /// Only documents published on or after this day (Korea time).
    pub from: Option<Date>,
    /// Only documents published on or before this day (Korea time).
    pub to: Option<Date>,
    pub sort: Sort,
    /// Only the query as typed, even when it finds nothing (no relaxed reading, no keyboard-mode
    /// correction).
    pub strict: bool,
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// One ranked result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: f32,
    pub title: String,
    pub source: Option<String>,
    pub published_at: Option<String>,
    pub url: Option<String>,
    /// HTML-escaped body text with matches wrapped in `<mark>`.
    pub snippet: String,
    /// The title, HTML-escaped, the query's words in it marked.
    pub title_html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse {
    pub query: String,
    /// Matching documents; when `total_exact` is false, more than `search.exact_total_up_to` match
    /// and this (and the facets) is an estimate from samples of the index (the page says
    /// "약 123,000건").
    pub total: usize,
    pub total_exact: bool,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// Present when the query as typed found fewer than `search.relax_below` documents and a
    /// relaxed reading found more: what was relaxed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<Relaxed>,
    /// Present when the query was typed in the wrong keyboard mode and its other reading, searched
    /// instead, finds far more: that reading (`znvkd` → `쿠팡`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_query: Option<String>,
    /// For a query that finds nothing: the same query with each unknown word replaced by the closest
    /// indexed word (`오바미` → `오바마`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
}

/// A stored document, as `/api/documents/{id}` returns it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredDocument {
    pub id: String,
    pub title: String,
    pub body: String,
    pub source: Option<String>,
    pub published_at: Option<String>,
    pub url: Option<String>,
    /// The body as HTML with the words of `q` marked, when a query was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
}

/// An open index with its one reader, ready to answer queries from many threads.
#[derive(Clone)]
pub struct Engine {
    reader: IndexReader,
    fields: Fields,
    analyzer: KoreanTokenizer,
    config: SearchConfig,
    synonyms: Arc<Synonyms>,
    /// The search threads, shared with tantivy's segment executor.
    pool: Arc<rayon::ThreadPool>,
    assist: Arc<assist::Assist>,
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
        index.set_executor(tantivy::Executor::ThreadPool(pool.clone()));
        let fields = Fields::of(&index)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let synonyms = Arc::new(Synonyms::load(&config.search.synonyms)?);
        Ok(Engine {
            reader,
            fields,
            analyzer,
            config: config.search.clone(),
            synonyms,
            pool,
            assist: Arc::default(),
        })
    }

    /// Picks up the latest commit now instead of waiting for the reload policy.
    pub fn reload(&self) -> Result<(), Error> {
        Ok(self.reader.reload()?)
    }

    /// Live documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
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

    fn search_in_pool(&self, request: &SearchRequest) -> Result<SearchResponse, Error> {
        let started = Instant::now();
        let mut response = self.search_text(request, &request.query)?;
        if !request.strict {
            // Typed in the wrong keyboard mode: znvkd is 쿠팡, and ㅜ퍄얌 is nvidia. A Latin word
            // that finds articles (samsung) is left alone; Hangul is read as Latin only when it
            // finds nothing as typed.
            if let Some(other) = Self::other_layout(&request.query) {
                let latin = request.query.is_ascii();
                if (latin && response.total < 1000) || response.total == 0 {
                    let converted = self.search_text(request, &other)?;
                    if converted.total > 0 && converted.total > response.total * 10 {
                        response = SearchResponse {
                            query: request.query.clone(),
                            corrected_query: Some(other),
                            ..converted
                        };
                    }
                }
            }
        }
        if response.total == 0 {
            response.did_you_mean = self.did_you_mean(&crate::normalize::query(&request.query));
        }
        response.took_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1000.0;
        Ok(response)
    }

    /// The search for `text` with the request's filters, paging and order.
    fn search_text(&self, request: &SearchRequest, text: &str) -> Result<SearchResponse, Error> {
        let searcher = self.reader.searcher();
        let stats = Stats::new(&searcher, self.config.length_normalization);
        let filters = [
            self.source_filter(&request.sources),
            self.date_filter(request.from, request.to),
        ];
        let groups = self.groups(text);
        // The page of hits beside the count with its facets and the words to mark in snippets.
        let run = |built: &build::Built, _: bool| {
            let (top, (counted, needles)) = rayon::join(
                || self.top(&stats, built, &filters, request),
                || (self.count(&searcher, built, &filters), self.needles(built)),
            );
            let (total, facets, exact) = counted?;
            Ok((total, (top?, facets, needles, exact)))
        };
        let mut response = SearchResponse {
            query: request.query.clone(),
            total: 0,
            total_exact: true,
            took_ms: 0.0,
            hits: Vec::new(),
            facets: Facets::default(),
            relaxed: None,
            corrected_query: None,
            did_you_mean: None,
        };
        if let Some(found) = self.resolve(&stats, &groups, !request.strict, run)? {
            let (top, facets, needles, exact) = found.out;
            response.total_exact = exact;
            response.relaxed = match found.step {
                Some(step) => Some(Relaxed {
                    dropped: self.dropped(&stats, &step, &found.built, top.first())?,
                    phrases: step.phrases,
                }),
                None => None,
            };
            (response.total, response.facets) = (found.total, facets);
            let page: Vec<(f32, DocAddress)> = top.into_iter().take(request.limit).collect();
            response.hits = page
                .into_par_iter()
                .map(|(score, address)| self.hit(&searcher, &needles, score, address))
                .collect::<Result<Vec<_>, Error>>()?;
        }
        Ok(response)
    }

    /// Builds `groups` and runs `run` on them; when that finds fewer than `search.relax_below`
    /// documents (and `relax`), runs the relaxed readings in turn and keeps the one that finds the
    /// most, stopping at the first that finds enough. `run` gives a total (needed when its second
    /// argument says so: a question is never relaxed) and what else it made.
    fn resolve<T>(
        &self,
        stats: &Stats,
        groups: &[syntax::Group],
        relax: bool,
        mut run: impl FnMut(&build::Built, bool) -> Result<(usize, T), Error>,
    ) -> Result<Option<Resolved<T>>, Error> {
        let builder = self.builder(stats);
        if relax && relax::quoted_speech(groups, self.config.all_terms_up_to) {
            // Searched as its words from the start; the response says the quotes were not required.
            let step = relax::steps(groups, build::Kind::LongWithOperators).swap_remove(0);
            if let Some(built) = builder.build_as(&step.groups, step.kind) {
                let (total, out) = run(&built, false)?;
                return Ok(Some(Resolved {
                    built,
                    total,
                    out,
                    step: Some(step),
                }));
            }
        }
        let Some(built) = builder.build(groups) else {
            return Ok(None);
        };
        let relax = relax && built.kind != build::Kind::Question && self.config.relax_below > 0;
        let (total, out) = run(&built, relax)?;
        let enough = self.config.relax_below;
        let mut best = Resolved {
            built,
            total,
            out,
            step: None,
        };
        if !relax || total >= enough {
            return Ok(Some(best));
        }
        for step in relax::steps(groups, best.built.kind) {
            let Some(built) = builder.build_as(&step.groups, step.kind) else {
                continue;
            };
            let (total, out) = run(&built, true)?;
            if total > best.total {
                best = Resolved {
                    built,
                    total,
                    out,
                    step: Some(step),
                };
            }
            if best.total >= enough {
                break;
            }
        }
        Ok(Some(best))
    }

    /// The words a relaxed search's best hit does without, when its words were made optional.
    fn dropped(
        &self,
        stats: &Stats,
        step: &relax::Step,
        built: &build::Built,
        first: Option<&(f32, DocAddress)>,
    ) -> Result<Vec<String>, Error> {
        if !step.optional_words {
            return Ok(Vec::new());
        }
        let searcher = stats.searcher();
        // The best document overall, whatever page was asked for.
        let best = match first {
            Some(&(_, address)) => Some(address),
            None => self
                .ranked(stats, built, &[None, None], 0, 1)?
                .first()
                .map(|h| h.1),
        };
        let Some(best) = best else {
            return Ok(Vec::new());
        };
        let builder = self.builder(stats);
        Ok(relax::dropped(searcher, &step.groups, best, |group| {
            builder.build(std::slice::from_ref(group)).map(|b| b.query)
        }))
    }

    /// The requested page of hits (scores and addresses), in the requested order.
    fn top(
        &self,
        stats: &Stats,
        built: &build::Built,
        filters: &[Option<Arc<dyn Query>>; 2],
        request: &SearchRequest,
    ) -> Result<Vec<(f32, DocAddress)>, Error> {
        let searcher = stats.searcher();
        match request.sort {
            // Top hits alone, so tantivy can skip what cannot make the page.
            Sort::Relevance => self.ranked(stats, built, filters, request.offset, request.limit),
            Sort::Date => {
                let filtered = filtered_query(&*built.query, filters.clone());
                searcher
                    .search(
                        &*filtered,
                        &TopDocs::with_limit(request.limit.max(1))
                            .and_offset(request.offset)
                            .order_by_fast_field::<tantivy::DateTime>("published_at", Order::Desc),
                    )?
                    .into_iter()
                    .map(|(_, address)| Ok((filtered.explain(searcher, address)?.value(), address)))
                    .collect()
            }
        }
    }

    /// How many documents match, and the facets: the documents the hits come from, counted without
    /// scores (`Built::count`).
    fn count(
        &self,
        searcher: &Searcher,
        built: &build::Built,
        filters: &[Option<Arc<dyn Query>>; 2],
    ) -> Result<Counted, Error> {
        let bound = self.config.exact_total_up_to;
        let collector = |sources, months| FacetCollector {
            sources,
            months,
            bound: (bound > 0).then(|| facets::Bound {
                limit: bound,
                docs: searcher.num_docs(),
            }),
        };
        let [by_source, by_date] = filters.clone();
        if by_source.is_none() && by_date.is_none() {
            // One pass counts the matches and both facets.
            let counts = searcher.search(&*built.count, &collector(true, true))?;
            let facets = Facets {
                source: counts.source_values(),
                month: counts.month_values(),
            };
            return Ok((counts.total, facets, counts.exact));
        }
        // Each facet counts the match set under the other filters, so choices stay visible.
        let total = searcher.search(
            &*filtered_query(&*built.count, filters.clone()),
            &collector(false, false),
        )?;
        let sources = searcher.search(
            &*filtered_query(&*built.count, [None, by_date]),
            &collector(true, false),
        )?;
        let months = searcher.search(
            &*filtered_query(&*built.count, [by_source, None]),
            &collector(false, true),
        )?;
        let facets = Facets {
            source: sources.source_values(),
            month: months.month_values(),
        };
        let exact = total.exact && sources.exact && months.exact;
        Ok((total.total, facets, exact))
    }

    /// Ids and scores of the top `k` documents, without snippets or facets (benchmarks, evaluation).
    pub fn top_ids(&self, query: &str, k: usize) -> Result<Vec<(String, f32)>, Error> {
        let searcher = self.reader.searcher();
        let stats = Stats::new(&searcher, self.config.length_normalization);
        let groups = self.groups(query);
        // Counted only where a relaxed reading may follow, as a search does.
        let count = |built: &build::Built, needed: bool| -> Result<(usize, ()), Error> {
            if !needed {
                return Ok((0, ()));
            }
            Ok((
                searcher.search(&*built.count, &tantivy::collector::Count)?,
                (),
            ))
        };
        let top = self.pool.install(|| {
            let Some(found) = self.resolve(&stats, &groups, true, count)? else {
                return Ok::<_, Error>(Vec::new());
            };
            let built = found.built;
            self.ranked(&stats, &built, &[None, None], 0, k)
        })?;
        let mut ids = Vec::with_capacity(top.len());
        let mut id = String::new();
        for (score, address) in top {
            let column = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .str("id")?
                .ok_or_else(|| Error::Input("the index has no id column: re-index".to_string()))?;
            id.clear();
            if let Some(ord) = column.term_ords(address.doc_id).next() {
                column.ord_to_str(ord, &mut id)?;
            }
            ids.push((id.clone(), score));
        }
        Ok(ids)
    }

    /// The hits `offset..offset + limit` by relevance, under `filters`; for a question the top
    /// `rerank_depth` are re-ranked by how close the question's words stand.
    fn ranked(
        &self,
        stats: &Stats,
        built: &build::Built,
        filters: &[Option<Arc<dyn Query>>; 2],
        offset: usize,
        limit: usize,
    ) -> Result<Vec<(f32, DocAddress)>, Error> {
        let searcher = stats.searcher();
        let (words, typed) = match &built.ranking {
            build::Ranking::Proximity { words, typed }
                if words.len() > 1
                    && self.config.proximity_weight
                        + self.config.lead_weight
                        + self.config.pair_weight
                        + self.config.lead_text_weight
                        > 0.0 =>
            {
                (words, typed)
            }
            _ => {
                let top = self.best(stats, built, filters, offset + limit)?;
                return Ok(top.into_iter().skip(offset).collect());
            }
        };
        let depth = self.config.rerank_depth;
        let want = (offset + limit).max(depth);
        let top = self.best(stats, built, filters, want)?;
        let reranked = rerank::by_proximity(stats, self.fields.body, words, top, &self.config)?;
        let reranked =
            rerank::by_lead_text(searcher, self.fields.body, typed, reranked, &self.config)?;
        Ok(reranked.into_iter().skip(offset).take(limit).collect())
    }

    /// The best `k` documents by score, under `filters`: for a question without filters, through
    /// its flat terms (`FlatTerms::best`), keeping the documents its query matches.
    fn best(
        &self,
        stats: &Stats,
        built: &build::Built,
        filters: &[Option<Arc<dyn Query>>; 2],
        k: usize,
    ) -> Result<Vec<(f32, DocAddress)>, Error> {
        let searcher = stats.searcher();
        let unfiltered = filters.iter().all(Option::is_none);
        // Filters would leave the flat terms to wade through documents they reject.
        if let Some(flat) = built.flat.as_ref().filter(|_| unfiltered) {
            // A few more than asked, for the documents `count` does not match among them (rare:
            // they hold none of the words, so only bigrams score them).
            let extra = k + k / 4 + 4;
            let (top, seen_all) = flat.best(stats, self.fields.bigram, extra, &self.config)?;
            let scoring = EnableScoring::disabled_from_searcher(searcher);
            let required = built.count.weight(scoring)?;
            let mut kept = flat::matching(searcher, &*required, top)?;
            if kept.len() >= k || seen_all {
                kept.truncate(k);
                return Ok(kept);
            }
        }
        let query = filtered_query(&*built.query, filters.clone());
        Ok(searcher.search_with_statistics_provider(&*query, &SharedTopDocs::new(k), stats)?)
    }

    /// The query's groups: normalised, parsed, synonyms added.
    fn groups(&self, query: &str) -> Vec<syntax::Group> {
        let mut groups = syntax::parse(&crate::normalize::query(query));
        self.synonyms.expand(&mut groups, &self.analyzer);
        groups
    }

    fn builder<'a>(&'a self, stats: &'a Stats<'a>) -> build::Builder<'a> {
        build::Builder {
            analyzer: &self.analyzer,
            fields: self.fields,
            config: &self.config,
            stats,
        }
    }

    fn source_filter(&self, sources: &[String]) -> Option<Arc<dyn Query>> {
        if sources.is_empty() {
            return None;
        }
        let any = build::term_clauses(self.fields.source, sources, IndexRecordOption::Basic);
        Some(Arc::new(BooleanQuery::new(any)))
    }

    fn date_filter(&self, from: Option<Date>, to: Option<Date>) -> Option<Arc<dyn Query>> {
        if from.is_none() && to.is_none() {
            return None;
        }
        let field = self.fields.published_at;
        let bound = |date: Date| {
            let at = PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_offset(KST);
            Term::from_field_date(field, crate::schema::index_date_clamped(at))
        };
        let lower = from.map_or(Bound::Unbounded, |d| Bound::Included(bound(d)));
        let upper = to
            .and_then(|d| d.next_day())
            .map_or(Bound::Unbounded, |d| Bound::Excluded(bound(d)));
        Some(Arc::new(RangeQuery::new(lower, upper)))
    }

    /// The query's words as written and its body terms, as words to mark in snippets.
    fn needles(&self, built: &build::Built) -> snippet::Needles {
        let mut needles = built.spans.clone();
        for term in self.body_terms(built) {
            if !needles.contains(&term) {
                needles.push(term);
            }
        }
        snippet::Needles::new(&needles)
    }

    /// The analysed terms the query looks for in the body, each once.
    fn body_terms(&self, built: &build::Built) -> Vec<String> {
        let mut terms: Vec<String> = Vec::new();
        built.highlight.query_terms(&mut |term, _| {
            if term.field() == self.fields.body {
                if let Some(text) = term.value().as_str() {
                    if !terms.iter().any(|t| t == text) {
                        terms.push(text.to_string());
                    }
                }
            }
        });
        terms
    }

    fn hit(
        &self,
        searcher: &Searcher,
        needles: &snippet::Needles,
        score: f32,
        address: DocAddress,
    ) -> Result<Hit, Error> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let stored = self.stored(&doc);
        let snippet = snippet::render(needles, &stored.body, self.config.snippet_chars);
        let title_html = snippet::mark_all(needles, &stored.title);
        Ok(Hit {
            title_html,
            id: stored.id,
            score,
            title: stored.title,
            source: stored.source,
            published_at: stored.published_at,
            url: stored.url,
            snippet,
        })
    }

    /// The stored document with this id, its body highlighted for `query` when one is given.
    pub fn document_highlighted(
        &self,
        id: &str,
        query: Option<&str>,
    ) -> Result<StoredDocument, Error> {
        let mut document = self.document(id)?;
        if let Some(query) = query.filter(|q| !q.trim().is_empty()) {
            let searcher = self.reader.searcher();
            let stats = Stats::new(&searcher, self.config.length_normalization);
            let terms = self
                .builder(&stats)
                .build(&self.groups(query))
                .map_or_else(Vec::new, |built| self.body_terms(&built));
            let ranges: Vec<std::ops::Range<usize>> = self
                .analyzer
                .analyze(&document.body)
                .into_iter()
                .filter(|t| terms.contains(&t.text))
                .map(|t| t.offset_from..t.offset_to)
                .collect();
            document.body_html = Some(snippet::render_all(&document.body, &ranges));
        }
        Ok(document)
    }

    /// The stored document with this id.
    pub fn document(&self, id: &str) -> Result<StoredDocument, Error> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1))?;
        let (_, address) = top
            .first()
            .ok_or_else(|| UserError::UnknownDocument(id.to_string()))?;
        let doc: TantivyDocument = searcher.doc(*address)?;
        Ok(self.stored(&doc))
    }

    fn stored(&self, doc: &TantivyDocument) -> StoredDocument {
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        StoredDocument {
            id: text(self.fields.id).unwrap_or_default(),
            title: text(self.fields.title).unwrap_or_default(),
            body: text(self.fields.body).unwrap_or_default(),
            source: text(self.fields.source),
            url: text(self.fields.url),
            published_at: doc
                .get_first(self.fields.published_at)
                .and_then(|v| v.as_datetime())
                .and_then(|d| {
                    time::OffsetDateTime::from_unix_timestamp(d.into_timestamp_secs()).ok()
                })
                .map(format_rfc3339),
            body_html: None,
        }
    }
}

/// The reading of a query that was run, its total and what the run made.
struct Resolved<T> {
    built: build::Built,
    total: usize,
    out: T,
    /// The relaxed reading, when it is not the query as typed.
    step: Option<relax::Step>,
}

/// A count: matching documents, the facets, and whether every match was counted.
type Counted = (usize, Facets, bool);

/// `query` restricted by the filters that are set; filters do not change scores.
fn filtered_query(query: &dyn Query, filters: [Option<Arc<dyn Query>>; 2]) -> Box<dyn Query> {
    let filters: Vec<Arc<dyn Query>> = filters.into_iter().flatten().collect();
    if filters.is_empty() {
        return query.box_clone();
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query.box_clone())];
    for filter in filters {
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(filter.box_clone(), 0.0)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Minimal HTML escaping for text shown inside a page.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
