//! Retrieval and counting for one reading of a query: the filters, the top `k` by score (stages 1–3
//! of the ranking map), the page in the requested order with the re-ranking (stages 4–5), and the
//! count with its facets. Every function here takes a `Built` query and its `Filters`.

use std::ops::Bound;
use std::sync::Arc;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, RangeQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Order, Searcher, Term};
use time::Date;

use super::build::{self, Built, Ranking};
use super::engine::Engine;
use super::facets::{self, FacetCollector, Facets};
use super::pipeline::Total;
use super::stats::Stats;
use super::top::SharedTopDocs;
use super::types::{SearchRequest, Sort};
use super::{flat, rerank};
use crate::error::Error;

/// The flat terms' shortcut (stage 3) asks for a quarter more than the `k` wanted, and a few more:
/// among the two-phase candidates a few hold none of the query's words (only bigrams score them)
/// and `count` drops them; the margin keeps the shortcut from falling back for those few (the
/// one-pass sum finds only documents holding a word).
const FLAT_MARGIN_SHARE: usize = 4;
const FLAT_MARGIN_EXTRA: usize = 4;

fn with_margin(k: usize) -> usize {
    k + k / FLAT_MARGIN_SHARE + FLAT_MARGIN_EXTRA
}

/// The request's filters as queries; they restrict the match set and never change scores.
#[derive(Clone, Default)]
pub(super) struct Filters {
    /// Any of the requested publishers.
    pub source: Option<Arc<dyn Query>>,
    /// Within the requested days.
    pub date: Option<Arc<dyn Query>>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.source.is_none() && self.date.is_none()
    }

    /// These filters without the one on publishers (the publisher facet counts under the rest).
    fn without_source(&self) -> Filters {
        Filters {
            source: None,
            date: self.date.clone(),
        }
    }

    /// These filters without the one on dates (the month facet counts under the rest).
    fn without_date(&self) -> Filters {
        Filters {
            source: self.source.clone(),
            date: None,
        }
    }

    /// `query` restricted by the filters that are set.
    pub fn apply(&self, query: &dyn Query) -> Box<dyn Query> {
        if self.is_empty() {
            return query.box_clone();
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query.box_clone())];
        for filter in [&self.source, &self.date].into_iter().flatten() {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(filter.box_clone(), 0.0)),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

/// A count: matching documents, the facets, and whether every match was counted.
pub(super) struct Counted {
    pub total: usize,
    pub facets: Facets,
    pub exact: bool,
}

impl Engine {
    /// The requested page of hits (scores and addresses), in the requested order.
    pub(super) fn page(
        &self,
        stats: &Stats,
        built: &Built,
        filters: &Filters,
        request: &SearchRequest,
    ) -> Result<Vec<(f32, DocAddress)>, Error> {
        let searcher = stats.searcher();
        match request.sort {
            // Top hits alone, so tantivy can skip what cannot make the page.
            Sort::Relevance => self.by_relevance(
                stats,
                built,
                filters,
                (request.offset, request.limit),
                &mut Default::default(),
            ),
            Sort::Date => {
                let page = self.by_date(searcher, built, filters, request.offset, request.limit)?;
                let page = page.into_iter().map(|address| (0.0, address)).collect();
                self.scored(searcher, built, filters, page)
            }
        }
    }

    /// The documents `offset..offset + limit`, newest first.
    pub(super) fn by_date(
        &self,
        searcher: &Searcher,
        built: &Built,
        filters: &Filters,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<DocAddress>, Error> {
        let filtered = filters.apply(&*built.query);
        let newest = TopDocs::with_limit(limit.max(1))
            .and_offset(offset)
            .order_by_fast_field::<tantivy::DateTime>("published_at", Order::Desc);
        Ok(searcher
            .search(&*filtered, &newest)?
            .into_iter()
            .map(|(_, address)| address)
            .collect())
    }

    /// The documents of a page sorted otherwise, with their relevance scores.
    pub(super) fn scored(
        &self,
        searcher: &Searcher,
        built: &Built,
        filters: &Filters,
        page: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<(f32, DocAddress)>, Error> {
        let filtered = filters.apply(&*built.query);
        page.into_iter()
            .map(|(_, address)| Ok((filtered.explain(searcher, address)?.value(), address)))
            .collect()
    }

    /// The hits `offset..offset + limit` by relevance, under `filters`: the top `k` by score, and for
    /// a query ranked by proximity the top `rerank_depth` re-ranked (stages 4 and 5). `memo` holds
    /// the last re-ranked head of the same query, if any.
    pub(super) fn by_relevance(
        &self,
        stats: &Stats,
        built: &Built,
        filters: &Filters,
        (offset, limit): (usize, usize),
        memo: &mut rerank::Reranked,
    ) -> Result<Vec<(f32, DocAddress)>, Error> {
        let searcher = stats.searcher();
        let c = &self.config;
        let (words, typed) = match &built.ranking {
            Ranking::Proximity { words, typed }
                if words.len() > 1
                    && c.proximity_weight + c.lead_weight + c.pair_weight + c.lead_text_weight
                        > 0.0 =>
            {
                (words, typed)
            }
            _ => {
                let top = self.top_k(stats, built, filters, offset + limit)?;
                return Ok(top.into_iter().skip(offset).collect());
            }
        };
        let want = (offset + limit).max(c.rerank_depth);
        let mut top = self.top_k(stats, built, filters, want)?;
        let depth = c.rerank_depth.min(top.len());
        // Only the head is re-ranked: the same head as the last fetch's re-ranks the same way.
        let reranked = match memo.reuse(&top[..depth]) {
            Some(head) => {
                top.splice(..depth, head.iter().copied());
                top
            }
            None => {
                let head = top[..depth].to_vec();
                let reranked = rerank::by_proximity(stats, self.fields.body, words, top, c)?;
                let reranked = rerank::by_lead_text(searcher, &self.fields, typed, reranked, c)?;
                memo.keep(head, &reranked[..depth]);
                reranked
            }
        };
        Ok(reranked.into_iter().skip(offset).take(limit).collect())
    }

    /// The best `k` documents by score, under `filters` (stages 1–3): for a query with flat terms
    /// and no filters, through `FlatTerms::top_k`, keeping the documents its count query matches
    /// (the one-pass sum finds only those; the two-phase candidates are checked).
    pub(super) fn top_k(
        &self,
        stats: &Stats,
        built: &Built,
        filters: &Filters,
        k: usize,
    ) -> Result<Vec<(f32, DocAddress)>, Error> {
        let searcher = stats.searcher();
        // Filters would leave the flat terms to wade through documents they reject.
        if let Some(flat) = built.flat.as_ref().filter(|_| filters.is_empty()) {
            let top = flat.top_k(stats, self.fields.bigram, with_margin(k), &self.config)?;
            let mut kept = if top.counted {
                top.hits
            } else {
                let scoring = EnableScoring::disabled_from_searcher(searcher);
                let required = built.count.weight(scoring)?;
                flat::matching(searcher, &*required, top.hits)?
            };
            if kept.len() >= k || top.complete {
                kept.truncate(k);
                return Ok(kept);
            }
        }
        let query = filters.apply(&*built.query);
        Ok(searcher.search_with_statistics_provider(&*query, &SharedTopDocs::new(k), stats)?)
    }

    /// How many documents match, and the facets: the documents the hits come from, counted without
    /// scores (`Built::count`).
    pub(super) fn count(
        &self,
        searcher: &Searcher,
        built: &Built,
        filters: &Filters,
    ) -> Result<Counted, Error> {
        let bound = self.config.exact_total_up_to;
        let values = self.facet_values.of(searcher)?;
        let collector = |sources, months| FacetCollector {
            sources,
            months,
            bound: (bound > 0).then(|| facets::Bound {
                limit: bound,
                docs: searcher.num_docs(),
            }),
            values: values.clone(),
        };
        if filters.is_empty() {
            // One pass counts the matches and both facets.
            let counts = searcher.search(&*built.count, &collector(true, true))?;
            let facets = Facets {
                source: counts.source_values(),
                month: counts.month_values(),
            };
            return Ok(Counted {
                total: counts.total,
                facets,
                exact: counts.exact,
            });
        }
        // Each facet counts the match set under the other filters, so choices stay visible.
        let total = searcher.search(&*filters.apply(&*built.count), &collector(false, false))?;
        let sources = searcher.search(
            &*filters.without_source().apply(&*built.count),
            &collector(true, false),
        )?;
        let months = searcher.search(
            &*filters.without_date().apply(&*built.count),
            &collector(false, true),
        )?;
        let facets = Facets {
            source: sources.source_values(),
            month: months.month_values(),
        };
        let exact = total.exact && sources.exact && months.exact;
        Ok(Counted {
            total: total.total,
            facets,
            exact,
        })
    }

    /// Ids and scores of the top `k` documents by relevance, without snippets or facets
    /// (benchmarks, evaluation).
    pub fn top_k_ids(&self, query: &str, k: usize) -> Result<Vec<(String, f32)>, Error> {
        let top = self.ranked_ids(query, k, false)?;
        Ok(top.into_iter().map(|(id, score, _)| (id, score)).collect())
    }

    /// The top `k` groups by relevance, each by its leading document's id and score and its group
    /// (evaluation of grouped results).
    pub fn top_k_groups(&self, query: &str, k: usize) -> Result<Vec<(String, f32, u64)>, Error> {
        let top = self.ranked_ids(query, k, true)?;
        Ok(top
            .into_iter()
            .map(|(id, score, group)| (id, score, group.unwrap_or_default()))
            .collect())
    }

    fn ranked_ids(
        &self,
        query: &str,
        k: usize,
        fold: bool,
    ) -> Result<Vec<(String, f32, Option<u64>)>, Error> {
        let searcher = self.reader.searcher();
        let stats = self.stats(&searcher);
        let groups = self.groups(query);
        // Counted only where a relaxed reading may follow, as a search does.
        let count = |built: &Built, total: Total| -> Result<usize, Error> {
            match total {
                Total::Optional => Ok(0),
                Total::Needed => Ok(searcher.search(&*built.count, &tantivy::collector::Count)?),
            }
        };
        let top = self.pool.install(|| {
            let Some(found) = self.resolve(&stats, &groups, true, count)? else {
                return Ok::<_, Error>(Vec::new());
            };
            let request = SearchRequest {
                limit: k,
                group: true,
                ..SearchRequest::default()
            };
            if fold && self.folds(&request) {
                self.folded_page(&stats, &found.built, &Filters::default(), &request)
            } else {
                self.by_relevance(
                    &stats,
                    &found.built,
                    &Filters::default(),
                    (0, k),
                    &mut Default::default(),
                )
            }
        })?;
        let mut ids = Vec::with_capacity(top.len());
        let mut id = String::new();
        for (score, address) in top {
            let fast = searcher.segment_reader(address.segment_ord).fast_fields();
            let column = fast
                .str("id")?
                .ok_or_else(|| Error::Input("the index has no id column: re-index".to_string()))?;
            id.clear();
            if let Some(ord) = column.term_ords(address.doc_id).next() {
                column.ord_to_str(ord, &mut id)?;
            }
            let group = fast.u64("group").ok().and_then(|c| c.first(address.doc_id));
            ids.push((id.clone(), score, group));
        }
        Ok(ids)
    }

    /// The group of the document with this id, when it is in the index and the index has groups.
    pub fn group_of(&self, id: &str) -> Result<Option<u64>, Error> {
        let searcher = self.reader.searcher();
        let query = tantivy::query::TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1))?;
        Ok(top.first().and_then(|&(_, address)| {
            let fast = searcher.segment_reader(address.segment_ord).fast_fields();
            fast.u64("group").ok().and_then(|c| c.first(address.doc_id))
        }))
    }

    /// The request's publisher and day filters as queries.
    pub(super) fn filters(
        &self,
        sources: &[String],
        from: Option<Date>,
        to: Option<Date>,
    ) -> Filters {
        Filters {
            source: self.source_filter(sources),
            date: self.date_filter(from, to),
        }
    }

    pub(super) fn source_filter(&self, sources: &[String]) -> Option<Arc<dyn Query>> {
        if sources.is_empty() {
            return None;
        }
        let any = build::term_clauses(self.fields.source, sources, IndexRecordOption::Basic);
        Some(Arc::new(BooleanQuery::new(any)))
    }

    pub(super) fn date_filter(
        &self,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Option<Arc<dyn Query>> {
        if from.is_none() && to.is_none() {
            return None;
        }
        let field = self.fields.published_at;
        let bound = |date: Date| {
            let at = crate::kst::midnight(date);
            Term::from_field_date(field, crate::schema::index_date_clamped(at))
        };
        let lower = from.map_or(Bound::Unbounded, |d| Bound::Included(bound(d)));
        let upper = to
            .and_then(|d| d.next_day())
            .map_or(Bound::Unbounded, |d| Bound::Excluded(bound(d)));
        Some(Arc::new(RangeQuery::new(lower, upper)))
    }
}
