//! The best `k` documents by score, with the segments searched in parallel sharing one threshold: a
//! segment skips what another segment has already beaten, which tantivy's `TopDocs` (one threshold
//! per segment) cannot do. Same order as `TopDocs`: score, then document address.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU32, Ordering as Atomic};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

pub struct SharedTopDocs {
    k: usize,
    /// The k-th best score any one segment has seen (f32 bits; scores are never negative).
    threshold: AtomicU32,
}

impl SharedTopDocs {
    pub fn new(k: usize) -> SharedTopDocs {
        SharedTopDocs {
            k: k.max(1),
            threshold: AtomicU32::new(0f32.to_bits()),
        }
    }

    /// The score a document must beat, given this segment's own k-th score: the higher of the two,
    /// lowered a hair so that a tie can still win on its address.
    fn bar(&self, local: Option<Score>) -> Score {
        let shared = match local {
            Some(score) if score > 0.0 => {
                f32::from_bits(self.threshold.fetch_max(score.to_bits(), Atomic::Relaxed))
                    .max(score)
            }
            _ => f32::from_bits(self.threshold.load(Atomic::Relaxed)),
        };
        if shared > 0.0 {
            f32::from_bits(shared.to_bits() - 1)
        } else {
            Score::MIN
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
struct Entry {
    score: Score,
    doc: DocId,
}

impl Eq for Entry {}

impl Ord for Entry {
    /// Better first: higher score, then lower document.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.doc.cmp(&self.doc))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One segment's best `k`, worst on top of the heap.
pub struct SegmentTop {
    k: usize,
    segment: SegmentOrdinal,
    heap: BinaryHeap<Reverse<Entry>>,
}

impl SegmentTop {
    fn push(&mut self, doc: DocId, score: Score) {
        let entry = Entry { score, doc };
        if self.heap.len() < self.k {
            self.heap.push(Reverse(entry));
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if entry > worst.0 {
                *worst = Reverse(entry);
            }
        }
    }

    /// The k-th best score, once there are k.
    fn kth(&self) -> Option<Score> {
        (self.heap.len() >= self.k)
            .then(|| self.heap.peek().map(|worst| worst.0.score))
            .flatten()
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.push(doc, score);
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        self.heap
            .into_iter()
            .map(|Reverse(e)| (e.score, DocAddress::new(segment, e.doc)))
            .collect()
    }
}

impl Collector for SharedTopDocs {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop {
            k: self.k,
            segment,
            heap: BinaryHeap::with_capacity(self.k + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(Score, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        all.truncate(self.k);
        Ok(all)
    }

    /// Lets the query skip every document that cannot beat the shared threshold.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Fruit> {
        let mut top = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        weight.for_each_pruning(self.bar(None), reader, &mut |doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                top.push(doc, score);
            }
            self.bar(top.kth())
        })?;
        Ok(top.harvest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::QueryParser;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    #[test]
    fn same_hits_in_the_same_order_as_top_docs() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let words = ["seoul", "busan", "daegu", "incheon", "gwangju"];
        // Several segments, repeated texts (equal scores) and a deletion.
        for round in 0..3 {
            let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
            for i in 0..200usize {
                let text: Vec<&str> = (0..1 + (i * 7 + round) % 9)
                    .map(|j| words[(i + j * j) % words.len()])
                    .collect();
                writer.add_document(doc!(body => text.join(" "))).unwrap();
            }
            if round == 1 {
                writer.delete_term(tantivy::Term::from_field_text(body, "gwangju"));
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let parser = QueryParser::for_index(&index, vec![body]);
        for text in ["seoul busan", "daegu OR incheon OR gwangju", "seoul"] {
            let query = parser.parse_query(text).unwrap();
            for k in [1, 5, 20, 1000] {
                let want = searcher.search(&query, &TopDocs::with_limit(k)).unwrap();
                let got = searcher.search(&query, &SharedTopDocs::new(k)).unwrap();
                assert_eq!(got, want, "{text} k={k}");
            }
        }
    }
}
