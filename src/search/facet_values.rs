//! Each document's publisher and Korea-time day, read once per segment from the fast fields into
//! plain arrays and kept while the segment is searched, so that counting facets over thousands of
//! matches reads an array per document instead of a column (an optional index and bit-unpacking):
//! the count beside a news headline's hits took as long as finding them. Costs 8 bytes per document
//! (8 MB a million) and one pass over a segment's columns, made when a new searcher is warmed
//! (`warm.rs`), before its first search.

use std::sync::Arc;

use tantivy::columnar::StrColumn;
use tantivy::{DocId, Searcher, SegmentReader};

/// A document without a publisher.
pub const NO_SOURCE: u32 = u32::MAX;
/// A document without a date.
pub const NO_DAY: i32 = i32::MIN;

/// Documents read from the columns at a time while loading.
const CHUNK: u32 = 4096;

/// The values of the segments being searched, by segment.
pub(super) type FacetValues = super::warm::PerSegment<SegmentValues>;

/// One segment's values, by document.
pub struct SegmentValues {
    /// The publishers' names and each document's ordinal; absent when no document has one.
    pub source: Option<Sources>,
    /// Each document's Korea-time day number (`kst::day_number`; `NO_DAY`: none); absent when no
    /// document has a date.
    pub days: Option<Days>,
}

/// A segment's publishers: each document's ordinal (`NO_SOURCE`: none) and the names.
pub struct Sources {
    pub of: Vec<u32>,
    pub names: Names,
}

/// The values of a text column by ordinal, read once when there are at most `NAMES_KEPT` (a news
/// index has about a hundred publishers): counting the facets looked every one up in the column's
/// dictionary, a block decoded each, on every search.
pub struct Names {
    column: StrColumn,
    kept: Vec<String>,
}

/// Names kept in memory per column and segment, at most.
const NAMES_KEPT: usize = 10_000;

impl Names {
    pub fn read(column: StrColumn) -> Names {
        let mut kept = Vec::new();
        if column.num_terms() <= NAMES_KEPT {
            let mut name = String::new();
            for ord in 0..column.num_terms() as u64 {
                name.clear();
                if !column.ord_to_str(ord, &mut name).unwrap_or(false) {
                    kept.clear();
                    break;
                }
                kept.push(name.clone());
            }
        }
        Names { column, kept }
    }

    /// How many distinct values the column has.
    pub fn count(&self) -> usize {
        self.column.num_terms()
    }

    /// Value `ord`, from memory or else from the column (into `buffer`).
    pub fn name<'a>(&'a self, ord: usize, buffer: &'a mut String) -> Option<&'a str> {
        if let Some(name) = self.kept.get(ord) {
            return Some(name);
        }
        buffer.clear();
        let found = self.column.ord_to_str(ord as u64, buffer).unwrap_or(false);
        found.then_some(buffer.as_str())
    }

    /// Document `doc`'s first value.
    pub fn of_doc(&self, doc: DocId) -> Option<String> {
        let ord = self.column.term_ords(doc).next()?;
        self.name(ord as usize, &mut String::new())
            .map(str::to_string)
    }

    fn ords_of_all(&self, max_doc: u32) -> Vec<u32> {
        read_all(max_doc, |docs, out| {
            self.column.ords().first_vals(docs, out)
        })
        .into_iter()
        .map(|o| o.and_then(|o| u32::try_from(o).ok()).unwrap_or(NO_SOURCE))
        .collect()
    }
}

pub struct Days {
    pub of: Vec<i32>,
    pub first: i64,
    pub last: i64,
}

impl FacetValues {
    /// The values of each of `searcher`'s segments, by segment ordinal, read for a segment the
    /// first time it is asked for (the warmer asks before a new searcher is used).
    pub fn of(&self, searcher: &Searcher) -> tantivy::Result<Vec<Arc<SegmentValues>>> {
        self.each(searcher, SegmentValues::read)
    }
}

impl SegmentValues {
    fn read(segment: &SegmentReader) -> tantivy::Result<SegmentValues> {
        let fast = segment.fast_fields();
        let max_doc = segment.max_doc();
        let source = fast
            .str("source")?
            .filter(|c| c.num_terms() > 0)
            .map(|column| {
                let names = Names::read(column);
                Sources {
                    of: names.ords_of_all(max_doc),
                    names,
                }
            });
        let dates = fast.date("published_at")?;
        let days = (dates.values.num_vals() > 0).then(|| Days {
            of: read_all(max_doc, |docs, out| dates.first_vals(docs, out))
                .into_iter()
                .map(|d| d.map_or(NO_DAY, |d| super::facets::kst_day(d) as i32))
                .collect(),
            first: super::facets::kst_day(dates.min_value()),
            last: super::facets::kst_day(dates.max_value()),
        });
        Ok(SegmentValues { source, days })
    }
}

/// Every document's first value of a column, read a chunk at a time.
pub(super) fn read_all<T: Copy>(
    max_doc: DocId,
    mut first_vals: impl FnMut(&[DocId], &mut [Option<T>]),
) -> Vec<Option<T>> {
    let mut all = Vec::with_capacity(max_doc as usize);
    let mut docs = Vec::with_capacity(CHUNK as usize);
    let mut out = vec![None; CHUNK as usize];
    for start in (0..max_doc).step_by(CHUNK as usize) {
        docs.clear();
        docs.extend(start..max_doc.min(start + CHUNK));
        first_vals(&docs, &mut out[..docs.len()]);
        all.extend_from_slice(&out[..docs.len()]);
    }
    all
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{DateOptions, Schema, FAST, STRING};
    use tantivy::{doc, DateTime, Index};

    use super::*;

    #[test]
    fn values_are_read_per_segment_and_forgotten_with_it() {
        let mut schema = Schema::builder();
        let source = schema.add_text_field("source", STRING | FAST);
        let at = schema.add_date_field("published_at", DateOptions::from(FAST));
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // 2025-12-31 20:00 UTC is 2026-01-01 in Korea.
        let new_year = DateTime::from_timestamp_secs(1_767_211_200);
        writer
            .add_document(doc!(source => "연합뉴스", at => new_year))
            .unwrap();
        writer.add_document(doc!(source => "KBS")).unwrap();
        writer.commit().unwrap();
        writer.add_document(doc!(at => new_year)).unwrap();
        writer.commit().unwrap();
        let reader = index.reader().unwrap();
        let cache = FacetValues::default();
        let values = cache.of(&reader.searcher()).unwrap();
        assert_eq!(values.len(), 2);
        let first = &values[0];
        let sources = first.source.as_ref().unwrap();
        let names = &sources.names;
        let mut buffer = String::new();
        assert_eq!(
            names.name(sources.of[0] as usize, &mut buffer),
            Some("연합뉴스")
        );
        assert_eq!(names.of_doc(0).as_deref(), Some("연합뉴스"));
        assert_eq!(names.of_doc(1).as_deref(), Some("KBS"));
        assert_eq!(names.count(), 2);
        let day = crate::kst::day_number(new_year.into_timestamp_secs()) as i32;
        assert_eq!(first.days.as_ref().unwrap().of, vec![day, NO_DAY]);
        assert!(values[1].source.is_none());
        // Merged into one segment: the two are forgotten.
        let ids = index.searchable_segment_ids().unwrap();
        writer.merge(&ids).wait().unwrap();
        reader.reload().unwrap();
        let searcher = reader.searcher();
        assert_eq!(cache.of(&searcher).unwrap().len(), 1);
        let live = searcher.segment_readers().iter().map(|s| s.segment_id());
        cache.keep_only(&live.collect());
        assert_eq!(cache.segments_held(), 1);
    }
}
