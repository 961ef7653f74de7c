//! Stage 9, related articles (관련기사): the ranked list folded so each group of near-copies (see
//! `group`) appears once, at the rank of its best member, and the group's other articles listed
//! under that hit. The group of a document is read from the `group` fast field.
//!
//! Which member leads: the best-scoring one, except that members scoring within `NEAR_TIE` of it
//! hand the lead to the earliest published among them (the first report, not a later copy). Sorted
//! by date, the newest member leads at its place. Pages are cut from the folded list, so no group
//! is on two pages.

use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Order, Searcher, Term};

use super::build::Built;
use super::engine::Engine;
use super::retrieve::Filters;
use super::stats::Stats;
use super::types::{Member, SearchRequest, Similar, Sort};
use crate::error::Error;

/// Scores within this share of a group's best are a near tie, which the earliest published wins: a
/// copy that cut a paragraph scores a few per cent higher than the report it copied.
const NEAR_TIE: f32 = 0.1;
/// Other members listed under a hit (earliest first); `count` says how many there are in all.
pub const LISTED: usize = 20;
/// Ids in `similar.ids`.
const IDS: usize = 5;
/// At most this many ranked documents are folded for one page: a list of copies past it is cut.
const MOST_FOLDED: usize = 4_000;

/// The groups holding more than one document, read once per searcher generation (a scan of the
/// `group` column: about 10 ms a million documents), so a page's lone articles cost no lookup.
#[derive(Default)]
pub(super) struct SharedGroups(
    std::sync::Mutex<Option<(u64, std::sync::Arc<rustc_hash::FxHashSet<u64>>)>>,
);

impl SharedGroups {
    fn of(&self, searcher: &Searcher) -> std::sync::Arc<rustc_hash::FxHashSet<u64>> {
        let generation = searcher.generation().generation_id();
        let mut cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, groups)) = cached.as_ref() {
            if *at == generation {
                return groups.clone();
            }
        }
        let mut counts: rustc_hash::FxHashMap<u64, u32> = Default::default();
        for segment in searcher.segment_readers() {
            let Ok(column) = segment.fast_fields().u64("group") else {
                continue;
            };
            for doc in segment.doc_ids_alive() {
                if let Some(group) = column.first(doc) {
                    *counts.entry(group).or_default() += 1;
                }
            }
        }
        let shared: rustc_hash::FxHashSet<u64> = counts
            .into_iter()
            .filter(|&(_, n)| n > 1)
            .map(|(group, _)| group)
            .collect();
        let shared = std::sync::Arc::new(shared);
        *cached = Some((generation, shared.clone()));
        shared
    }
}

/// A segment's `group` and `published_at` columns.
type SegmentColumns = (Option<Column<u64>>, Option<Column<tantivy::DateTime>>);

/// The `group` and `published_at` columns of each segment, opened when first needed.
#[derive(Default)]
struct Columns(rustc_hash::FxHashMap<u32, SegmentColumns>);

impl Columns {
    fn of(
        &mut self,
        searcher: &Searcher,
        segment: u32,
    ) -> (Option<&Column<u64>>, Option<&Column<tantivy::DateTime>>) {
        let (group, date) = self.0.entry(segment).or_insert_with(|| {
            let fast = searcher.segment_reader(segment).fast_fields();
            (fast.u64("group").ok(), fast.date("published_at").ok())
        });
        (group.as_ref(), date.as_ref())
    }
}

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
    /// enough groups are found, each time four times as many.
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
        loop {
            let ranked = match request.sort {
                Sort::Relevance => self.by_relevance(stats, built, filters, 0, fetch)?,
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
            fetch = (fetch * 4).min(MOST_FOLDED);
        }
    }

    /// The group and publication time of each ranked document (each segment's columns opened once).
    fn facts(&self, searcher: &Searcher, ranked: &[(f32, DocAddress)]) -> Vec<Facts> {
        let mut columns = Columns::default();
        ranked
            .iter()
            .map(|&(_, address)| {
                let (group, date) = columns.of(searcher, address.segment_ord);
                Facts {
                    group: group.and_then(|c| c.first(address.doc_id)),
                    published: date
                        .and_then(|c| c.first(address.doc_id))
                        .map(|d| d.into_timestamp_secs()),
                }
            })
            .collect()
    }

    /// The other articles of the group of the document at `address`, earliest first; `None` when
    /// it is alone.
    pub(super) fn similar(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<Option<Similar>, Error> {
        let Some(field) = self.fields.group else {
            return Ok(None);
        };
        let fast = searcher.segment_reader(address.segment_ord).fast_fields();
        let Some(group) = fast.u64("group").ok().and_then(|c| c.first(address.doc_id)) else {
            return Ok(None);
        };
        // Most articles are alone, and the shared groups say so without a search.
        if !self.shared_groups.of(searcher).contains(&group) {
            return Ok(None);
        }
        let query = TermQuery::new(Term::from_field_u64(field, group), IndexRecordOption::Basic);
        let top = TopDocs::with_limit(LISTED + 1)
            .order_by_fast_field::<tantivy::DateTime>("published_at", Order::Asc);
        let (count, found) = searcher.search(&query, &(Count, top))?;
        if count <= 1 {
            return Ok(None);
        }
        let others = found
            .into_iter()
            .map(|(_, a)| a)
            .filter(|&a| a != address)
            .take(LISTED);
        let members = members(searcher, others);
        Ok(Some(Similar {
            count: count - 1,
            ids: members.iter().take(IDS).map(|m| m.id.clone()).collect(),
            members,
        }))
    }
}

/// A segment's `id`, `source` and `published_at` columns, for listing members.
type MemberColumns = (
    Option<tantivy::columnar::StrColumn>,
    Option<tantivy::columnar::StrColumn>,
    Option<Column<tantivy::DateTime>>,
);

/// Id, publisher and time of each document, from fast fields (each segment's columns opened once).
fn members(searcher: &Searcher, addresses: impl Iterator<Item = DocAddress>) -> Vec<Member> {
    let mut columns: rustc_hash::FxHashMap<u32, MemberColumns> = Default::default();
    addresses
        .map(|address| {
            let (id, source, date) = columns.entry(address.segment_ord).or_insert_with(|| {
                let fast = searcher.segment_reader(address.segment_ord).fast_fields();
                (
                    fast.str("id").ok().flatten(),
                    fast.str("source").ok().flatten(),
                    fast.date("published_at").ok(),
                )
            });
            let text = |column: &Option<tantivy::columnar::StrColumn>| {
                let column = column.as_ref()?;
                let ord = column.term_ords(address.doc_id).next()?;
                let mut text = String::new();
                column.ord_to_str(ord, &mut text).ok()?.then_some(text)
            };
            Member {
                id: text(id).unwrap_or_default(),
                source: text(source),
                published_at: date
                    .as_ref()
                    .and_then(|c| c.first(address.doc_id))
                    .and_then(|d| {
                        time::OffsetDateTime::from_unix_timestamp(d.into_timestamp_secs()).ok()
                    })
                    .map(crate::kst::format_rfc3339),
            }
        })
        .collect()
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
