//! A hit's related articles (관련기사): the other members of its group of near-copies, earliest
//! first, and what folding reads of each ranked document (its group and publication time). Both
//! read each segment's columns, opened once per segment (`Groups`, warmed before a new segment's
//! first search), and the groups of two documents or more, found once per set of segments.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Searcher, SegmentReader};

use super::engine::Engine;
use super::facet_values::Names;
use super::types::{Member, Similar};
use super::warm::PerSegment;

/// Other members listed under a hit (earliest first); `count` says how many there are in all.
pub const LISTED: usize = 20;
/// Ids in `similar.ids`.
const IDS: usize = 5;

/// The columns a segment's members are read from, and its documents by group (deleted ones
/// included: a group that only looks shared costs one lookup that finds it alone).
pub(super) struct SegmentColumns {
    pub group: Option<Column<u64>>,
    pub date: Option<Column<tantivy::DateTime>>,
    id: Option<StrColumn>,
    source: Option<Names>,
    /// Every document's group, sorted; `docs` holds the documents in the same order.
    by_group: Vec<u64>,
    docs: Vec<DocId>,
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
            source: self.source.as_ref().and_then(|names| names.of_doc(doc)),
            published_at: self
                .published(doc)
                .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
                .map(crate::kst::format_rfc3339),
        }
    }

    fn read(segment: &SegmentReader) -> SegmentColumns {
        let fast = segment.fast_fields();
        let group = fast.u64("group").ok();
        let mut pairs: Vec<(u64, DocId)> = match &group {
            Some(column) => super::facet_values::read_all(segment.max_doc(), |docs, out| {
                column.first_vals(docs, out)
            })
            .into_iter()
            .zip(0..)
            .filter_map(|(group, doc)| Some((group?, doc)))
            .collect(),
            None => Vec::new(),
        };
        pairs.sort_unstable();
        let (by_group, docs) = pairs.into_iter().unzip();
        SegmentColumns {
            group,
            date: fast.date("published_at").ok(),
            id: fast.str("id").ok().flatten(),
            source: fast.str("source").ok().flatten().map(Names::read),
            by_group,
            docs,
        }
    }
}

/// A searcher's segments' columns, by segment ordinal, and its groups of two documents or more.
pub(super) struct GroupView {
    pub segments: Vec<Arc<SegmentColumns>>,
    /// Each group of two documents or more (deleted ones included) → its range in `members`.
    shared: FxHashMap<u64, (u32, u32)>,
    /// The documents of the shared groups, a group's together.
    members: Vec<DocAddress>,
}

impl GroupView {
    /// The segments' groups of two documents or more, found by merging their sorted groups.
    fn new(segments: Vec<Arc<SegmentColumns>>) -> GroupView {
        let mut shared = FxHashMap::default();
        let mut members: Vec<DocAddress> = Vec::new();
        // Each segment's next group, smallest first; `next` is where each segment has got to.
        let mut heads: BinaryHeap<Reverse<(u64, u32)>> = segments
            .iter()
            .zip(0..)
            .filter_map(|(columns, ord)| columns.by_group.first().map(|&g| Reverse((g, ord))))
            .collect();
        let mut next = vec![0usize; segments.len()];
        while let Some(&Reverse((group, _))) = heads.peek() {
            // Every segment's documents of `group`, then whether there are two or more.
            let start = members.len();
            while let Some(&Reverse((g, ord))) = heads.peek() {
                if g != group {
                    break;
                }
                heads.pop();
                let columns = &segments[ord as usize];
                let at = &mut next[ord as usize];
                while columns.by_group.get(*at) == Some(&group) {
                    members.push(DocAddress::new(ord, columns.docs[*at]));
                    *at += 1;
                }
                if let Some(&g) = columns.by_group.get(*at) {
                    heads.push(Reverse((g, ord)));
                }
            }
            if members.len() - start >= 2 {
                shared.insert(group, (start as u32, (members.len() - start) as u32));
            } else {
                members.truncate(start);
            }
        }
        members.shrink_to_fit();
        GroupView {
            segments,
            shared,
            members,
        }
    }

    pub fn segment(&self, address: DocAddress) -> Option<&SegmentColumns> {
        self.segments
            .get(address.segment_ord as usize)
            .map(|s| s.as_ref())
    }

    /// The documents of `group` (deleted ones included) when it has two or more.
    pub fn members(&self, group: u64) -> Option<&[DocAddress]> {
        let &(start, len) = self.shared.get(&group)?;
        self.members
            .get(start as usize..start as usize + len as usize)
    }
}

/// Views kept, newest last: the searcher in use and the one before it, which searches begun before
/// a reload still hold.
const VIEWS_KEPT: usize = 2;

/// Each searched segment's `SegmentColumns`, read the first time the segment is asked for (the
/// warmer asks before a new segment's first search; a scan of its `group` column, about 10 ms and
/// 12 bytes a document), forgotten when no live searcher has it; and the view of the latest sets of
/// segments (deletes do not change a view: they are checked when members are listed).
#[derive(Default)]
pub(super) struct Groups {
    segments: PerSegment<SegmentColumns>,
    views: Mutex<Vec<(Vec<SegmentId>, Arc<GroupView>)>>,
}

impl Groups {
    pub fn of(&self, searcher: &Searcher) -> Arc<GroupView> {
        let ids = || searcher.segment_readers().iter().map(|s| s.segment_id());
        let held = |views: &[(Vec<SegmentId>, Arc<GroupView>)]| {
            views
                .iter()
                .find(|(of, _)| of.iter().copied().eq(ids()))
                .map(|(_, view)| view.clone())
        };
        if let Some(view) = held(&self.views.lock().unwrap_or_else(|e| e.into_inner())) {
            return view;
        }
        let read = |segment: &SegmentReader| Ok::<_, Infallible>(SegmentColumns::read(segment));
        let Ok(segments) = self.segments.each(searcher, read);
        let view = Arc::new(GroupView::new(segments));
        let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(other) = held(&views) {
            return other;
        }
        views.push((ids().collect(), view.clone()));
        if views.len() > VIEWS_KEPT {
            views.remove(0);
        }
        view
    }

    /// Forgets the segments no live searcher has, and the views of them.
    pub fn keep_only(&self, live: &HashSet<SegmentId>) {
        self.views
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(ids, _)| ids.iter().all(|id| live.contains(id)));
        self.segments.keep_only(live);
    }

    #[cfg(test)]
    pub fn segments_held(&self) -> usize {
        self.segments.segments_held()
    }
}

impl Engine {
    /// The other articles of the group of the document at `address`, earliest first; `None` when
    /// it is alone.
    pub(super) fn similar(&self, searcher: &Searcher, address: DocAddress) -> Option<Similar> {
        self.fields.group?;
        let view = self.group_views.of(searcher);
        let group = view
            .segment(address)
            .and_then(|s| s.group.as_ref())
            .and_then(|c| c.first(address.doc_id))?;
        let readers = searcher.segment_readers();
        let alive = |a: &DocAddress| {
            readers
                .get(a.segment_ord as usize)
                .is_some_and(|r| r.alive_bitset().is_none_or(|b| b.is_alive(a.doc_id)))
        };
        // (publication, address): earliest first, undated last, ties in index order.
        let mut found: Vec<(i64, DocAddress)> = view
            .members(group)?
            .iter()
            .filter(|a| alive(a))
            .map(|&a| {
                let published = view.segment(a).and_then(|c| c.published(a.doc_id));
                (published.unwrap_or(i64::MAX), a)
            })
            .collect();
        if found.len() <= 1 {
            return None;
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
        Some(Similar {
            count,
            ids: members.iter().take(IDS).map(|m| m.id.clone()).collect(),
            members,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A segment whose documents have these (group, document) pairs, sorted.
    fn segment(pairs: &[(u64, DocId)]) -> Arc<SegmentColumns> {
        Arc::new(SegmentColumns {
            group: None,
            date: None,
            id: None,
            source: None,
            by_group: pairs.iter().map(|p| p.0).collect(),
            docs: pairs.iter().map(|p| p.1).collect(),
        })
    }

    #[test]
    fn groups_of_two_documents_or_more_are_found_within_and_across_segments() {
        let view = GroupView::new(vec![
            segment(&[(1, 0), (2, 1), (2, 3), (5, 2)]),
            segment(&[(1, 1), (3, 0)]),
            segment(&[(4, 0), (5, 1), (5, 2)]),
        ]);
        let at = DocAddress::new;
        assert_eq!(view.members(1), Some(&[at(0, 0), at(1, 1)][..]));
        assert_eq!(view.members(2), Some(&[at(0, 1), at(0, 3)][..]));
        assert_eq!(view.members(5), Some(&[at(0, 2), at(2, 1), at(2, 2)][..]));
        for alone in [3, 4, 9] {
            assert_eq!(view.members(alone), None);
        }
        assert_eq!(view.members.len(), 7);
    }
}
