//! A hit's related articles (관련기사): the other members of its group of near-copies, earliest
//! first, and what folding reads of each ranked document (its group and publication time). Both
//! read columns opened once per searcher generation (`Groups`, warmed before the generation's first
//! search), not once per hit.

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashSet;
use tantivy::columnar::{Column, StrColumn};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term, TERMINATED};

use super::engine::Engine;
use super::types::{Member, Similar};
use crate::error::Error;

/// Other members listed under a hit (earliest first); `count` says how many there are in all.
pub const LISTED: usize = 20;
/// Ids in `similar.ids`.
const IDS: usize = 5;

/// The columns a segment's members are read from.
#[derive(Default)]
pub(super) struct SegmentColumns {
    pub group: Option<Column<u64>>,
    pub date: Option<Column<tantivy::DateTime>>,
    id: Option<StrColumn>,
    source: Option<StrColumn>,
}

impl SegmentColumns {
    /// Seconds since 1970 of the document's publication.
    pub fn published(&self, doc: u32) -> Option<i64> {
        self.date
            .as_ref()
            .and_then(|c| c.first(doc))
            .map(|d| d.into_timestamp_secs())
    }

    fn text(column: &Option<StrColumn>, doc: u32) -> Option<String> {
        let column = column.as_ref()?;
        let ord = column.term_ords(doc).next()?;
        let mut text = String::new();
        column.ord_to_str(ord, &mut text).ok()?.then_some(text)
    }

    fn member(&self, doc: u32) -> Member {
        Member {
            id: Self::text(&self.id, doc).unwrap_or_default(),
            source: Self::text(&self.source, doc),
            published_at: self
                .published(doc)
                .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
                .map(crate::kst::format_rfc3339),
        }
    }
}

/// One searcher generation's view of the groups: the groups holding more than one document (a
/// page's lone articles then cost no lookup) and each segment's columns, by segment ordinal.
pub(super) struct GroupView {
    shared: FxHashSet<u64>,
    pub segments: Vec<SegmentColumns>,
}

impl GroupView {
    fn read(searcher: &Searcher) -> GroupView {
        let mut counts: rustc_hash::FxHashMap<u64, u32> = Default::default();
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let columns = SegmentColumns {
                group: fast.u64("group").ok(),
                date: fast.date("published_at").ok(),
                id: fast.str("id").ok().flatten(),
                source: fast.str("source").ok().flatten(),
            };
            if let Some(column) = &columns.group {
                for doc in segment.doc_ids_alive() {
                    if let Some(group) = column.first(doc) {
                        *counts.entry(group).or_default() += 1;
                    }
                }
            }
            segments.push(columns);
        }
        let shared = counts
            .into_iter()
            .filter(|&(_, n)| n > 1)
            .map(|(group, _)| group)
            .collect();
        GroupView { shared, segments }
    }

    pub fn segment(&self, address: DocAddress) -> Option<&SegmentColumns> {
        self.segments.get(address.segment_ord as usize)
    }
}

/// The `GroupView` of each live searcher generation (a scan of the `group` column: about 10 ms a
/// million documents), made when a generation is warmed (`warm.rs`) or first asked for, and
/// forgotten with the generation.
#[derive(Default)]
pub(super) struct Groups(Mutex<Vec<(u64, Arc<GroupView>)>>);

/// Generations kept at most, should collection lag behind reloads.
const GENERATIONS: usize = 4;

impl Groups {
    pub fn of(&self, searcher: &Searcher) -> Arc<GroupView> {
        let generation = searcher.generation().generation_id();
        let mut cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, view)) = cached.iter().find(|(at, _)| *at == generation) {
            return view.clone();
        }
        let view = Arc::new(GroupView::read(searcher));
        if cached.len() >= GENERATIONS {
            cached.remove(0);
        }
        cached.push((generation, view.clone()));
        view
    }

    /// Forgets the generations no longer live.
    pub fn keep_only(&self, live: &[u64]) {
        let mut cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        cached.retain(|(at, _)| live.contains(at));
    }

    #[cfg(test)]
    pub fn generations_held(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

impl Engine {
    /// The other articles of the group of the document at `address`, earliest first; `None` when
    /// it is alone. The group's postings are read segment by segment on this thread.
    pub(super) fn similar(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<Option<Similar>, Error> {
        let Some(field) = self.fields.group else {
            return Ok(None);
        };
        let view = self.group_views.of(searcher);
        let Some(group) = view
            .segment(address)
            .and_then(|s| s.group.as_ref())
            .and_then(|c| c.first(address.doc_id))
        else {
            return Ok(None);
        };
        if !view.shared.contains(&group) {
            return Ok(None);
        }
        let term = Term::from_field_u64(field, group);
        // (publication, address): earliest first, undated last, ties in index order.
        let mut found: Vec<(i64, DocAddress)> = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let Some(mut postings) = segment
                .inverted_index(field)?
                .read_postings(&term, IndexRecordOption::Basic)?
            else {
                continue;
            };
            let alive = segment.alive_bitset();
            let columns = view.segments.get(ord);
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let published = columns.and_then(|c| c.published(doc));
                    found.push((
                        published.unwrap_or(i64::MAX),
                        DocAddress::new(ord as u32, doc),
                    ));
                }
                doc = postings.advance();
            }
        }
        if found.len() <= 1 {
            return Ok(None);
        }
        let count = found.len() - 1;
        found.sort_unstable();
        let members: Vec<Member> = found
            .into_iter()
            .map(|(_, a)| a)
            .filter(|&a| a != address)
            .take(LISTED)
            .filter_map(|a| view.segment(a).map(|s| s.member(a.doc_id)))
            .collect();
        Ok(Some(Similar {
            count,
            ids: members.iter().take(IDS).map(|m| m.id.clone()).collect(),
            members,
        }))
    }
}
