//! A hit's related articles (관련기사): the other members of its group of near-copies, earliest
//! first, and what folding reads of each ranked document (its group and publication time). Both
//! read each segment's columns, opened once per segment (`Groups`, warmed before a new segment's
//! first search), not once per hit.

use std::convert::Infallible;
use std::sync::Arc;

use tantivy::columnar::{Column, StrColumn};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, SegmentReader, Term, TERMINATED};

use super::engine::Engine;
use super::types::{Member, Similar};
use crate::error::Error;

/// Other members listed under a hit (earliest first); `count` says how many there are in all.
pub const LISTED: usize = 20;
/// Ids in `similar.ids`.
const IDS: usize = 5;

/// The columns a segment's members are read from, and the groups its documents are in (deleted
/// ones included: a group that only looks shared costs one lookup that finds it alone).
pub(super) struct SegmentColumns {
    pub group: Option<Column<u64>>,
    pub date: Option<Column<tantivy::DateTime>>,
    id: Option<StrColumn>,
    source: Option<StrColumn>,
    /// Every group in the segment, sorted.
    groups: Vec<u64>,
    /// The groups of two documents or more in the segment, sorted.
    repeated: Vec<u64>,
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

    fn read(segment: &SegmentReader) -> SegmentColumns {
        let fast = segment.fast_fields();
        let group = fast.u64("group").ok();
        let mut all: Vec<u64> = match &group {
            Some(column) => super::facet_values::read_all(segment.max_doc(), |docs, out| {
                column.first_vals(docs, out)
            })
            .into_iter()
            .flatten()
            .collect(),
            None => Vec::new(),
        };
        all.sort_unstable();
        let mut repeated: Vec<u64> = all
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        repeated.dedup();
        all.dedup();
        all.shrink_to_fit();
        SegmentColumns {
            group,
            date: fast.date("published_at").ok(),
            id: fast.str("id").ok().flatten(),
            source: fast.str("source").ok().flatten(),
            groups: all,
            repeated,
        }
    }
}

/// A searcher's segments' columns, by segment ordinal.
pub(super) struct GroupView {
    pub segments: Vec<Arc<SegmentColumns>>,
}

impl GroupView {
    pub fn segment(&self, address: DocAddress) -> Option<&SegmentColumns> {
        self.segments
            .get(address.segment_ord as usize)
            .map(|s| s.as_ref())
    }

    /// Whether `group`, of a document in segment `ord`, may have other documents.
    pub fn shared(&self, ord: usize, group: u64) -> bool {
        self.segments.iter().enumerate().any(|(o, segment)| {
            let of = if o == ord {
                &segment.repeated
            } else {
                &segment.groups
            };
            of.binary_search(&group).is_ok()
        })
    }
}

/// Each searched segment's `SegmentColumns`, read the first time the segment is asked for (the
/// warmer asks before a new segment's first search; a scan of its `group` column, about 10 ms and
/// 8 bytes a document at most for a million), forgotten when no live searcher has it.
pub(super) type Groups = super::warm::PerSegment<SegmentColumns>;

impl Groups {
    pub fn of(&self, searcher: &Searcher) -> GroupView {
        let read = |segment: &SegmentReader| Ok::<_, Infallible>(SegmentColumns::read(segment));
        let Ok(segments) = self.each(searcher, read);
        GroupView { segments }
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
        if !view.shared(address.segment_ord as usize, group) {
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
