//! Questions and headlines scored as one flat sum of term scores (words and bigrams), and searched in
//! two steps in a large index: candidates through the rarer terms, then the commoner terms' scores
//! added to the candidates alone.
//!
//! A headline's 30-odd terms include bigrams and words found in a tenth or a third of a million
//! documents; scoring every document that holds any of them costs a few milliseconds per million,
//! and tantivy's block-max WAND does not prune such a union (it needs every term in every segment).
//! The best documents hold the headline's rarer terms, so those terms find the candidates.

use std::collections::BTreeMap;

use rayon::prelude::*;
use tantivy::query::{Bm25Weight, BooleanQuery, EnableScoring, Occur, Query, Weight};
use tantivy::schema::Field;
use tantivy::schema::IndexRecordOption::WithFreqs;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, Term};

use super::build::boosted_term;
use super::stats::Stats;
use super::top::SharedTopDocs;
use crate::config::SearchConfig;
use crate::error::Error;

/// Bigrams are many, and each is weaker evidence than a word: a bigram leads the candidate search only
/// when it is this many times rarer than `search.rare_term_ratio` asks of a word.
const BIGRAM_RARITY: f32 = 5.0;

/// Terms whose scores add up, each with its boost.
#[derive(Debug, Clone, Default)]
pub struct FlatTerms(pub Vec<(Term, f32)>);

/// One of the terms, with its boost.
type Boosted<'a> = &'a (Term, f32);

impl FlatTerms {
    /// Any of `terms`, scoring the sum of their scores.
    fn query(terms: &[Boosted]) -> Box<dyn Query> {
        let clauses = terms
            .iter()
            .map(|(t, boost)| (Occur::Should, boosted_term(t, *boost, WithFreqs)))
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// The best `k` documents by their sum, best first; `true` when every matching document is
    /// among them.
    pub fn top_k(
        &self,
        stats: &Stats,
        bigram: Field,
        k: usize,
        config: &SearchConfig,
    ) -> Result<(Vec<(Score, DocAddress)>, bool), Error> {
        let searcher = stats.searcher();
        let docs = stats.num_docs().max(1) as f32;
        let (rare, common): (Vec<Boosted>, Vec<Boosted>) = self.0.iter().partition(|(t, _)| {
            let share = if t.field() == bigram {
                config.rare_term_ratio / BIGRAM_RARITY
            } else {
                config.rare_term_ratio
            };
            stats.doc_freq(t) as f32 / docs <= share
        });
        let depth = config.candidates.max(k);
        if config.candidates > 0 && !rare.is_empty() && !common.is_empty() {
            let top = SharedTopDocs::new(depth);
            let found =
                searcher.search_with_statistics_provider(&*Self::query(&rare), &top, stats)?;
            let every_rare = found.len() < depth;
            let mut scored = add_scores(stats, &common, found)?;
            // Every document holding a rare term is a candidate: any other holds only common
            // terms and scores at most their maximum, so the candidates suffice when the k-th
            // of them scores more.
            let enough = !every_rare
                || scored
                    .get(k.saturating_sub(1))
                    .is_some_and(|kth| kth.0 > most(stats, &common).unwrap_or(Score::MAX));
            if enough {
                scored.truncate(k);
                return Ok((scored, false));
            }
        }
        let all: Vec<Boosted> = self.0.iter().collect();
        let top = SharedTopDocs::new(k);
        let found = searcher.search_with_statistics_provider(&*Self::query(&all), &top, stats)?;
        let complete = found.len() < k;
        Ok((found, complete))
    }
}

/// The highest score any document can get from `terms`.
fn most(stats: &Stats, terms: &[Boosted]) -> tantivy::Result<Score> {
    let mut sum = 0.0;
    for (term, boost) in terms {
        let weight = Bm25Weight::for_terms(stats, std::slice::from_ref(term))?;
        sum += weight.boost_by(*boost).max_score();
    }
    Ok(sum)
}

/// `found` with the scores of `terms` added (each document's scorers sought forward, segment by
/// segment, in parallel), best first.
fn add_scores(
    stats: &Stats,
    terms: &[Boosted],
    found: Vec<(Score, DocAddress)>,
) -> Result<Vec<(Score, DocAddress)>, Error> {
    let searcher = stats.searcher();
    let scoring = EnableScoring::enabled_from_statistics_provider(stats, searcher);
    let weights: Vec<Box<dyn Weight>> = terms
        .iter()
        .map(|(t, boost)| boosted_term(t, *boost, WithFreqs).weight(scoring))
        .collect::<tantivy::Result<_>>()?;
    let scored: Vec<Vec<(Score, DocAddress)>> = by_segment(found)
        .into_par_iter()
        .map(|(segment, mut hits)| {
            let reader = searcher.segment_reader(segment);
            for weight in &weights {
                let mut scorer = weight.scorer(reader, 1.0)?;
                for (score, address) in hits.iter_mut() {
                    if on(&mut *scorer, address.doc_id) {
                        *score += scorer.score();
                    }
                }
            }
            Ok(hits)
        })
        .collect::<Result<_, Error>>()?;
    Ok(best_first(scored.into_iter().flatten().collect()))
}

/// The hits of `top` that `weight` matches, best first.
pub fn matching(
    searcher: &Searcher,
    weight: &dyn Weight,
    top: Vec<(Score, DocAddress)>,
) -> Result<Vec<(Score, DocAddress)>, Error> {
    let mut kept = Vec::with_capacity(top.len());
    for (segment, hits) in by_segment(top) {
        let mut set = weight.scorer(searcher.segment_reader(segment), 1.0)?;
        kept.extend(hits.into_iter().filter(|h| on(&mut *set, h.1.doc_id)));
    }
    Ok(best_first(kept))
}

/// `hits` by segment, each in document order, so a posting list is read forward once.
fn by_segment(
    hits: Vec<(Score, DocAddress)>,
) -> BTreeMap<SegmentOrdinal, Vec<(Score, DocAddress)>> {
    let mut by_segment: BTreeMap<SegmentOrdinal, Vec<(Score, DocAddress)>> = BTreeMap::new();
    for hit in hits {
        by_segment.entry(hit.1.segment_ord).or_default().push(hit);
    }
    for hits in by_segment.values_mut() {
        hits.sort_by_key(|h| h.1.doc_id);
    }
    by_segment
}

/// Whether `set` holds `doc`, moving it forward to `doc` (asked in increasing order).
fn on(set: &mut dyn DocSet, doc: DocId) -> bool {
    if set.doc() < doc {
        set.seek(doc);
    }
    set.doc() == doc
}

/// Higher score first, then lower address, as `SharedTopDocs` orders its hits.
fn best_first(mut hits: Vec<(Score, DocAddress)>) -> Vec<(Score, DocAddress)> {
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    hits
}
