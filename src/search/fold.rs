//! Stage 9, related articles (관련기사): the ranked list folded so each group of near-copies (see
//! `group`) appears once, at the rank of its best member, and the group's other articles listed
//! under that hit (`similar.rs`). The group of a document is read from the `group` fast field.
//!
//! Which member leads: the best-scoring one, except that members scoring within `NEAR_TIE` of it
//! hand the lead to the earliest published among them (the first report, not a later copy). Sorted
//! by date, the newest member leads at its place. Pages are cut from the folded list, so no group
//! is on two pages.

use tantivy::{DocAddress, Searcher};

use super::build::Built;
use super::engine::Engine;
use super::retrieve::Filters;
use super::stats::Stats;
use super::types::{SearchRequest, Sort};
use crate::error::Error;

/// Scores within this share of a group's best are a near tie, which the earliest published wins: a
/// copy that cut a paragraph scores a few per cent higher than the report it copied.
const NEAR_TIE: f32 = 0.1;
/// At most this many ranked documents are folded for one page: a list of copies past it is cut.
const MOST_FOLDED: usize = 4_000;

/// What folding needs of one ranked document, read from fast fields.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Facts {
    pub group: Option<u64>,
    /// Seconds since 1970.
    pub published: Option<i64>,
}

/// Folds `ranked` (best first; `facts` beside it) into one entry per group, each at the rank of its
/// first member. With `by_score`, a member scoring within `NEAR_TIE` of the group's first and
/// published earlier takes the lead (at the first's rank and score).
pub(super) fn fold(
    ranked: &[(f32, DocAddress)],
    facts: &[Facts],
    by_score: bool,
) -> Vec<(f32, DocAddress)> {
    let mut folded: Vec<(f32, DocAddress)> = Vec::new();
    // Group → (place in `folded`, best score, publication of the leader).
    let mut places: rustc_hash::FxHashMap<u64, (usize, f32, Option<i64>)> = Default::default();
    for (&(score, address), facts) in ranked.iter().zip(facts) {
        let Some(group) = facts.group else {
            folded.push((score, address));
            continue;
        };
        match places.get_mut(&group) {
            None => {
                places.insert(group, (folded.len(), score, facts.published));
                folded.push((score, address));
            }
            Some((place, best, leader_published)) => {
                let earlier = match (facts.published, *leader_published) {
                    (Some(this), Some(leader)) => this < leader,
                    (Some(_), None) => true,
                    _ => false,
                };
                if by_score && earlier && score >= *best * (1.0 - NEAR_TIE) {
                    folded[*place].1 = address;
                    *leader_published = facts.published;
                }
            }
        }
    }
    folded
}

impl Engine {
    /// Whether this search folds groups: asked for, and the index has them.
    pub(super) fn folds(&self, request: &SearchRequest) -> bool {
        request.group && self.fields.group.is_some()
    }

    /// The page `offset..offset + limit` of the folded list: ranked documents are fetched until
    /// enough groups are found, each time as many more as the groups found so far suggest.
    pub(super) fn folded_page(
        &self,
        stats: &Stats,
        built: &Built,
        filters: &Filters,
        request: &SearchRequest,
    ) -> Result<Vec<(f32, DocAddress)>, Error> {
        let want = request.offset + request.limit;
        // Half again as many as the page needs: on news headlines about one slot in ten is a copy.
        // A query re-ranked by proximity reads `rerank_depth` documents anyway.
        let mut fetch = want + want / 2 + 5;
        if matches!(built.ranking, super::build::Ranking::Proximity { .. }) {
            fetch = fetch.max(self.config.rerank_depth);
        }
        let mut reranked = super::rerank::Reranked::default();
        loop {
            let ranked = match request.sort {
                Sort::Relevance => {
                    self.by_relevance(stats, built, filters, (0, fetch), &mut reranked)?
                }
                Sort::Date => self
                    .by_date(stats.searcher(), built, filters, 0, fetch)?
                    .into_iter()
                    .map(|address| (0.0, address))
                    .collect(),
            };
            let facts = self.facts(stats.searcher(), &ranked);
            let folded = fold(&ranked, &facts, request.sort == Sort::Relevance);
            if folded.len() >= want || ranked.len() < fetch || fetch >= MOST_FOLDED {
                let page: Vec<(f32, DocAddress)> = folded
                    .into_iter()
                    .skip(request.offset)
                    .take(request.limit)
                    .collect();
                return match request.sort {
                    Sort::Relevance => Ok(page),
                    Sort::Date => self.scored(stats.searcher(), built, filters, page),
                };
            }
            // As many as should hold the page's groups at the rate these folded, half again for
            // luck: a re-ranked query re-ranks all it fetches, so fetching four times as many
            // cost a headline 2 ms at 1 M (the 2 % of them whose 30 documents hold 8 or 9 groups).
            let rate = fetch * want / folded.len().max(1);
            fetch = (rate + rate / 2).max(fetch + want).min(MOST_FOLDED);
        }
    }

    /// The group and publication time of each ranked document.
    fn facts(&self, searcher: &Searcher, ranked: &[(f32, DocAddress)]) -> Vec<Facts> {
        let view = self.group_views.of(searcher);
        ranked
            .iter()
            .map(|&(_, address)| match view.segment(address) {
                Some(columns) => Facts {
                    group: columns.group.as_ref().and_then(|c| c.first(address.doc_id)),
                    published: columns.published(address.doc_id),
                },
                None => Facts::default(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(doc: u32) -> DocAddress {
        DocAddress::new(0, doc)
    }

    fn facts(group: u64, published: i64) -> Facts {
        Facts {
            group: Some(group),
            published: Some(published),
        }
    }

    #[test]
    fn a_group_appears_once_at_its_best_rank() {
        let ranked = [(9.0, address(0)), (8.0, address(1)), (7.0, address(2))];
        let facts = [facts(1, 100), facts(2, 100), facts(1, 100)];
        let folded = fold(&ranked, &facts, true);
        assert_eq!(folded, vec![(9.0, address(0)), (8.0, address(1))]);
    }

    #[test]
    fn the_first_report_leads_a_near_tie_but_not_a_clearly_better_copy() {
        // The copy published later scores a little higher: the first report leads in its place.
        let ranked = [(10.0, address(0)), (9.9, address(1)), (5.0, address(2))];
        let later_first = [facts(1, 200), facts(1, 100), facts(1, 50)];
        assert_eq!(fold(&ranked, &later_first, true), vec![(10.0, address(1))]);
        // Sorted by date, the order given leads.
        assert_eq!(fold(&ranked, &later_first, false), vec![(10.0, address(0))]);
    }
}
