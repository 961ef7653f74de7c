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
use tantivy::query::{Bm25Weight, EnableScoring, Query, Weight};
use tantivy::schema::Field;
use tantivy::schema::IndexRecordOption::WithFreqs;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, Term};

use super::build::boosted_term;
use super::stats::Stats;
use super::sum::SumQuery;
use super::top::SharedTopDocs;
use crate::config::SearchConfig;
use crate::error::Error;

/// Bigrams are many, and each is weaker evidence than a word: a bigram leads the candidate search only
/// when it is this many times rarer than `search.rare_term_ratio` asks of a word.
const BIGRAM_RARITY: f32 = 5.0;

/// Terms whose scores add up, each with its boost: the documents holding any of the first
/// `finders` are found, and every term adds to their scores.
#[derive(Debug, Clone, Default)]
pub struct FlatTerms {
    pub terms: Vec<(Term, f32)>,
    pub finders: usize,
}

/// The best `k` of a flat sum.
pub struct FlatTop {
    /// Best first.
    pub hits: Vec<(Score, DocAddress)>,
    /// Every matching document is among them.
    pub complete: bool,
    /// Every one holds a finding term (otherwise the caller checks).
    pub counted: bool,
}

/// One of the terms, with its boost.
type Boosted<'a> = &'a (Term, f32);

impl FlatTerms {
    /// Any of the first `finders` of `terms`, scoring the sum of all their scores.
    fn query(terms: &[Boosted], finders: usize) -> Box<dyn Query> {
        let terms = terms.iter().map(|(t, boost)| (t.clone(), *boost)).collect();
        Box::new(SumQuery::new(terms, finders))
    }

    /// The best `k` documents by their sum.
    pub fn top_k(
        &self,
        stats: &Stats,
        bigram: Field,
        k: usize,
        config: &SearchConfig,
    ) -> Result<FlatTop, Error> {
        let searcher = stats.searcher();
        let docs = stats.num_docs().max(1) as f32;
        let (rare, common): (Vec<Boosted>, Vec<Boosted>) = self.terms.iter().partition(|(t, _)| {
            let share = if t.field() == bigram {
                config.rare_term_ratio / BIGRAM_RARITY
            } else {
                config.rare_term_ratio
            };
            stats.doc_freq(t) as f32 / docs <= share
        });
        let depth = config.candidates.max(k);
        if config.candidates > 0
            && !rare.is_empty()
            && !common.is_empty()
            && two_phases_pay(stats, &common, depth)
        {
            if let Some(top) = by_candidates(stats, &rare, &common, k, depth)? {
                return Ok(FlatTop {
                    hits: top,
                    complete: false,
                    counted: false,
                });
            }
        }
        let all: Vec<Boosted> = self.terms.iter().collect();
        let top = SharedTopDocs::new(k);
        let query = Self::query(&all, self.finders);
        let found = searcher.search_with_statistics_provider(&*query, &top, stats)?;
        Ok(FlatTop {
            complete: found.len() < k,
            hits: found,
            counted: true,
        })
    }
}

/// The two-phase search: the best `depth` documents by the `rare` terms are the candidates, and the
/// `common` terms' scores are added to them alone; the best `k` of them, or `None` when they might
/// not be the best `k` overall. When fewer than `depth` documents hold a rare term, every one of
/// them is a candidate and any other document holds only common terms, scoring at most their
/// maximum: the candidates are then exactly the top `k` when the k-th of them scores more. When
/// `depth` documents were found, the rarer terms are trusted to have found the best (the
/// `search.candidates` trade-off).
fn by_candidates(
    stats: &Stats,
    rare: &[Boosted],
    common: &[Boosted],
    k: usize,
    depth: usize,
) -> Result<Option<Vec<(Score, DocAddress)>>, Error> {
    let searcher = stats.searcher();
    let top = SharedTopDocs::new(depth);
    let found = searcher.search_with_statistics_provider(
        &*FlatTerms::query(rare, rare.len()),
        &top,
        stats,
    )?;
    let every_rare = found.len() < depth;
    let mut scored = add_scores(stats, common, found)?;
    let enough = !every_rare
        || scored
            .get(k.saturating_sub(1))
            .is_some_and(|kth| kth.0 > most(stats, common).unwrap_or(Score::MAX));
    if !enough {
        return Ok(None);
    }
    scored.truncate(k);
    Ok(Some(scored))
}

/// Seeking one candidate in a posting list costs about as much as reading this many postings in
/// a union of them (measured: KorQuAD questions and news headlines at 33 k, 100 k and 1 M documents).
const SEEK_COST: u64 = 32;

/// Whether adding the `common` terms' scores to `depth` candidates by seeking costs less than scoring
/// every document that holds them: their postings outnumber the seeks `SEEK_COST` times. In a small
/// index the plain query is faster; from a few hundred thousand documents the two phases are.
fn two_phases_pay(stats: &Stats, common: &[Boosted], depth: usize) -> bool {
    let postings: u64 = common.iter().map(|(t, _)| stats.doc_freq(t)).sum();
    postings > common.len() as u64 * depth as u64 * SEEK_COST
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

#[cfg(test)]
mod tests {
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    use super::*;

    /// 300 documents of plain words: `r1` and `r2` in a few (`r1` twice in some), `c1`–`c3` in many.
    fn index() -> (Index, Field, Field) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let bigram = schema.add_text_field("bigram", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..300u32 {
            let mut words = vec!["filler"; 1 + (i % 7) as usize];
            for (word, every) in [("c1", 2), ("c2", 3), ("c3", 5)] {
                if i % every == 0 {
                    words.push(word);
                }
            }
            if i % 23 == 0 {
                words.push("r1");
            }
            if i % 46 == 0 {
                words.push("r1");
            }
            if i % 37 == 0 {
                words.push("r2");
            }
            writer
                .add_document(doc!(body => words.join(" "), bigram => ""))
                .unwrap();
        }
        writer.commit().unwrap();
        (index, body, bigram)
    }

    fn terms(body: Field, rare_boost: f32) -> FlatTerms {
        let term = |w: &str, boost| (Term::from_field_text(body, w), boost);
        FlatTerms {
            terms: vec![
                term("r1", rare_boost),
                term("r2", rare_boost),
                term("c1", 1.0),
                term("c2", 1.0),
                term("c3", 1.0),
            ],
            finders: 5,
        }
    }

    /// The plain query's top `k`: every document holding any term, scored by the sum.
    fn plain(stats: &Stats, flat: &FlatTerms, k: usize) -> Vec<(Score, DocAddress)> {
        let all: Vec<Boosted> = flat.terms.iter().collect();
        let top = SharedTopDocs::new(k);
        stats
            .searcher()
            .search_with_statistics_provider(&*FlatTerms::query(&all, all.len()), &top, stats)
            .unwrap()
    }

    fn assert_same(a: &[(Score, DocAddress)], b: &[(Score, DocAddress)]) {
        assert_eq!(a.len(), b.len(), "{a:?}\n{b:?}");
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x.1, y.1, "{a:?}\n{b:?}");
            assert!((x.0 - y.0).abs() <= 1e-4 * y.0.abs(), "{a:?}\n{b:?}");
        }
    }

    fn split<'a>(stats: &Stats, flat: &'a FlatTerms) -> (Vec<Boosted<'a>>, Vec<Boosted<'a>>) {
        let docs = stats.num_docs() as f32;
        flat.terms
            .iter()
            .partition(|(t, _)| stats.doc_freq(t) as f32 / docs <= 0.05)
    }

    #[test]
    fn candidates_give_the_plain_query_top_k_when_provably_exact() {
        let (index, body, bigram) = index();
        let searcher = index.reader().unwrap().searcher();
        let stats = Stats::new(&searcher, 1.0);
        let flat = terms(body, 4.0);
        let (rare, common) = split(&stats, &flat);
        assert_eq!((rare.len(), common.len()), (2, 3));
        for k in [1, 3, 5] {
            // Every document holding a rare term is a candidate (fewer than 100 do).
            let shortcut = by_candidates(&stats, &rare, &common, k, 100).unwrap();
            let shortcut = shortcut.expect("the k-th candidate outscores the common terms");
            assert_same(&shortcut, &plain(&stats, &flat, k));
        }
        // And through `top_k`, whichever way it goes.
        assert_top_k_is_plain(&stats, &flat, bigram);
    }

    #[test]
    fn two_phases_are_taken_only_where_the_common_postings_outnumber_the_seeks() {
        let (index, body, _) = index();
        let searcher = index.reader().unwrap().searcher();
        let stats = Stats::new(&searcher, 1.0);
        let flat = terms(body, 1.0);
        let (_, common) = split(&stats, &flat);
        // c1, c2 and c3 hold 150 + 100 + 60 postings: more than 32 seeks each for 1 candidate, fewer
        // than for 100.
        assert!(two_phases_pay(&stats, &common, 1));
        assert!(!two_phases_pay(&stats, &common, 100));
    }

    /// `FlatTerms::top_k` with settings that allow the shortcut gives the plain query's top 5.
    fn assert_top_k_is_plain(stats: &Stats, flat: &FlatTerms, bigram: Field) {
        let config = SearchConfig {
            candidates: 100,
            rare_term_ratio: 0.05,
            ..SearchConfig::default()
        };
        let top = flat.top_k(stats, bigram, 5, &config).unwrap();
        assert_same(&top.hits, &plain(stats, flat, 5));
    }

    #[test]
    fn candidates_are_refused_when_a_document_without_rare_terms_could_win() {
        let (index, body, bigram) = index();
        let searcher = index.reader().unwrap().searcher();
        let stats = Stats::new(&searcher, 1.0);
        // Rare terms weigh almost nothing: a document with all three common terms can beat them.
        let flat = terms(body, 0.01);
        let (rare, common) = split(&stats, &flat);
        assert!(by_candidates(&stats, &rare, &common, 5, 100)
            .unwrap()
            .is_none());
        assert_top_k_is_plain(&stats, &flat, bigram);
    }
}
