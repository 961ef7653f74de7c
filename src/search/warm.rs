//! What a new searcher generation has read before its first search: each new segment's facet
//! values and related-article groups. tantivy warms every generation (the first,
//! and each reload after a write or a merge) before handing it out, so the first search after a
//! reload does not pay for these reads; what no live generation needs is forgotten.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::{Searcher, SearcherGeneration, SegmentReader, Warmer};

use super::facet_values::FacetValues;
use super::similar::Groups;

/// Something read from each segment once and kept while a live searcher has the segment (the
/// warmer reads it ahead and forgets it).
pub(super) struct PerSegment<T>(Mutex<HashMap<SegmentId, Arc<T>>>);

impl<T> Default for PerSegment<T> {
    fn default() -> Self {
        PerSegment(Mutex::default())
    }
}

impl<T> PerSegment<T> {
    /// Each of `searcher`'s segments' value, by segment ordinal, `read` for a segment the first
    /// time it is asked for (under the lock: a second search waits for the first's read).
    pub fn each<E>(
        &self,
        searcher: &Searcher,
        read: impl Fn(&SegmentReader) -> Result<T, E>,
    ) -> Result<Vec<Arc<T>>, E> {
        let mut cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut values = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let value = match cached.get(&segment.segment_id()) {
                Some(value) => value.clone(),
                None => {
                    let value = Arc::new(read(segment)?);
                    cached.insert(segment.segment_id(), value.clone());
                    value
                }
            };
            values.push(value);
        }
        Ok(values)
    }

    /// Forgets the segments no live searcher has.
    pub fn keep_only(&self, live: &HashSet<SegmentId>) {
        let mut cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        cached.retain(|id, _| live.contains(id));
    }

    #[cfg(test)]
    pub fn segments_held(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

pub(super) struct Warm {
    pub facet_values: Arc<FacetValues>,
    pub group_views: Arc<Groups>,
    /// Whether the index has related-article groups.
    pub grouped: bool,
}

impl Warmer for Warm {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        // A failure here is not the reload's: the search that needs the values reads them again
        // and reports it.
        if let Err(error) = self.facet_values.of(searcher) {
            tracing::warn!(%error, "facet values not read ahead");
        }
        if self.grouped {
            self.group_views.of(searcher);
        }
        Ok(())
    }

    fn garbage_collect(&self, live: &[&SearcherGeneration]) {
        let segments: HashSet<_> = live
            .iter()
            .flat_map(|generation| generation.segments().keys().copied())
            .collect();
        self.facet_values.keep_only(&segments);
        self.group_views.keep_only(&segments);
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{DateOptions, NumericOptions, Schema, FAST, STRING};
    use tantivy::{doc, DateTime, DocAddress, Index};

    use super::*;

    #[test]
    fn each_generation_is_read_before_its_first_search_and_forgotten_after_it() {
        let mut schema = Schema::builder();
        let source = schema.add_text_field("source", STRING | FAST);
        let at = schema.add_date_field("published_at", DateOptions::from(FAST));
        let group =
            schema.add_u64_field("group", NumericOptions::default().set_fast().set_indexed());
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let day = DateTime::from_timestamp_secs(1_767_211_200);
        writer
            .add_document(doc!(source => "연합뉴스", at => day, group => 7u64))
            .unwrap();
        writer.commit().unwrap();
        let warm = Arc::new(Warm {
            facet_values: Arc::default(),
            group_views: Arc::default(),
            grouped: true,
        });
        let warmer: Arc<dyn Warmer> = warm.clone();
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .warmers(vec![Arc::downgrade(&warmer)])
            .try_into()
            .unwrap();
        // Opened: the one segment is read, no search has run.
        assert_eq!(warm.facet_values.segments_held(), 1);
        assert_eq!(warm.group_views.segments_held(), 1);
        writer
            .add_document(doc!(source => "뉴시스", at => day, group => 7u64))
            .unwrap();
        writer.commit().unwrap();
        reader.reload().unwrap();
        assert_eq!(warm.facet_values.segments_held(), 2);
        assert_eq!(warm.group_views.segments_held(), 2);
        // Merged into one: once only the merged generation is live, the two are forgotten.
        let ids = index.searchable_segment_ids().unwrap();
        writer.merge(&ids).wait().unwrap();
        reader.reload().unwrap();
        let searcher = reader.searcher();
        warm.garbage_collect(&[searcher.generation()]);
        assert_eq!(warm.facet_values.segments_held(), 1);
        assert_eq!(warm.group_views.segments_held(), 1);
        // The group's two documents, now in one segment, are seen as shared.
        let view = warm.group_views.of(&searcher);
        assert_eq!(view.segments.len(), 1);
        assert_eq!(
            view.members(7),
            Some(&[DocAddress::new(0, 0), DocAddress::new(0, 1)][..])
        );
        assert_eq!(view.members(8), None);
    }
}
