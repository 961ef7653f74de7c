//! Facet counts over a match set: documents per publisher and per year-month (Korea time), read from
//! fast fields in one pass.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Weight;
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::ingest::date::KST;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Facets {
    /// Most documents first.
    pub source: Vec<FacetValue>,
    /// `2024-09`, newest first.
    pub month: Vec<FacetValue>,
}

/// Counts the matching documents, and their sources and/or months; with a `bound`, stops counting
/// (over all segments together) once about that many are counted, and says so.
pub struct FacetCollector {
    pub sources: bool,
    pub months: bool,
    pub bound: Option<Bound>,
}

/// A shared count of documents, for collectors that stop at a bound.
#[derive(Clone)]
pub struct Bound {
    limit: usize,
    counted: Arc<AtomicUsize>,
}

impl Bound {
    pub fn new(limit: usize) -> Bound {
        Bound {
            limit,
            counted: Arc::new(AtomicUsize::new(0)),
        }
    }
}

#[derive(Default)]
pub struct Counts {
    /// Matching documents (at least this many when not `exact`).
    pub total: usize,
    /// Every matching document was counted.
    pub exact: bool,
    sources: HashMap<String, u64>,
    months: HashMap<(i32, u8), u64>,
}

/// Per-day counts (Korea time): a dense array over the segment's date range, or a map when the
/// range is too wide for one.
enum Days {
    Dense { first: i64, counts: Vec<u64> },
    Sparse(HashMap<i64, u64>),
}

/// Day spans up to this many days (about 270 years) are counted in an array.
const DENSE_DAYS: i64 = 100_000;

pub struct SegmentCounts {
    total: usize,
    /// Absent when the segment has no value to count, so such documents cost nothing.
    source: Option<(StrColumn, Column<u64>)>,
    date: Option<Column<DateTime>>,
    by_ord: Vec<u64>,
    days: Days,
    ords: Vec<Option<u64>>,
    dates: Vec<Option<DateTime>>,
}

fn kst_day(date: DateTime) -> i64 {
    (date.into_timestamp_secs() + i64::from(KST.whole_seconds())).div_euclid(86_400)
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = SegmentCounts;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentCounts> {
        let fast = segment.fast_fields();
        let source = if self.sources {
            fast.str("source")?.filter(|c| c.num_terms() > 0).map(|c| {
                let ords = c.ords().clone();
                (c, ords)
            })
        } else {
            None
        };
        let date = if self.months {
            Some(fast.date("published_at")?).filter(|c| c.values.num_vals() > 0)
        } else {
            None
        };
        let days = match &date {
            Some(c) if kst_day(c.max_value()) - kst_day(c.min_value()) < DENSE_DAYS => {
                let first = kst_day(c.min_value());
                let len = kst_day(c.max_value()) - first + 1;
                Days::Dense {
                    first,
                    counts: vec![0; usize::try_from(len).unwrap_or(0)],
                }
            }
            _ => Days::Sparse(HashMap::new()),
        };
        let terms = source.as_ref().map_or(0, |(c, _)| c.num_terms());
        Ok(SegmentCounts {
            total: 0,
            source,
            date,
            by_ord: vec![0; terms],
            days,
            ords: Vec::new(),
            dates: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    /// tantivy's own loop over the matches (blocks of documents, no scores); with a bound, the
    /// documents past it (counted across the segments) are passed over instead of counted, and the
    /// total is flagged as a lower bound.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Counts> {
        let mut counts = self.for_segment(segment_ord, reader)?;
        let alive = reader.alive_bitset();
        let mut alive_docs: Vec<DocId> = Vec::new();
        let mut exact = true;
        weight.for_each_no_score(reader, &mut |docs| {
            if !exact {
                return;
            }
            let docs = match alive {
                Some(alive) => {
                    alive_docs.clear();
                    alive_docs.extend(docs.iter().copied().filter(|&d| alive.is_alive(d)));
                    &alive_docs[..]
                }
                None => docs,
            };
            if let Some(bound) = &self.bound {
                if bound.counted.fetch_add(docs.len(), Ordering::Relaxed) >= bound.limit {
                    exact = false;
                    return;
                }
            }
            counts.collect_block(docs);
        })?;
        let mut fruit = counts.harvest();
        fruit.exact = exact;
        Ok(fruit)
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts {
            exact: true,
            ..Counts::default()
        };
        for fruit in fruits {
            all.total += fruit.total;
            all.exact &= fruit.exact;
            for (k, v) in fruit.sources {
                *all.sources.entry(k).or_default() += v;
            }
            for (k, v) in fruit.months {
                *all.months.entry(k).or_default() += v;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.collect_block(&[doc]);
    }

    /// Reads a block of documents' values at once.
    fn collect_block(&mut self, docs: &[DocId]) {
        self.total += docs.len();
        if let Some((_, ords)) = &self.source {
            self.ords.clear();
            self.ords.resize(docs.len(), None);
            ords.first_vals(docs, &mut self.ords);
            for ord in self.ords.iter().flatten() {
                if let Some(count) = self.by_ord.get_mut(*ord as usize) {
                    *count += 1;
                }
            }
        }
        if let Some(column) = &self.date {
            self.dates.clear();
            self.dates.resize(docs.len(), None);
            column.first_vals(docs, &mut self.dates);
            for date in self.dates.iter().flatten() {
                let day = kst_day(*date);
                match &mut self.days {
                    Days::Dense { first, counts } => {
                        let slot = usize::try_from(day - *first).ok();
                        if let Some(count) = slot.and_then(|i| counts.get_mut(i)) {
                            *count += 1;
                        }
                    }
                    Days::Sparse(map) => *map.entry(day).or_default() += 1,
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut sources = HashMap::new();
        if let Some((column, _)) = &self.source {
            let mut name = String::new();
            for (ord, &count) in self.by_ord.iter().enumerate() {
                if count > 0 && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    sources.insert(name.clone(), count);
                }
            }
        }
        let days: Vec<(i64, u64)> = match self.days {
            Days::Dense { first, counts } => counts
                .into_iter()
                .enumerate()
                .filter(|&(_, count)| count > 0)
                .map(|(i, count)| (first + i as i64, count))
                .collect(),
            Days::Sparse(map) => map.into_iter().collect(),
        };
        let mut months = HashMap::new();
        for (day, count) in days {
            // `day` already counts Korea-time days, so its UTC calendar date is the Korean one.
            if let Ok(at) = time::OffsetDateTime::from_unix_timestamp(day * 86_400) {
                *months.entry((at.year(), at.month() as u8)).or_default() += count;
            }
        }
        Counts {
            total: self.total,
            exact: true,
            sources,
            months,
        }
    }
}

impl Counts {
    pub fn source_values(&self) -> Vec<FacetValue> {
        let mut values: Vec<FacetValue> = self
            .sources
            .iter()
            .map(|(value, &count)| FacetValue {
                value: value.clone(),
                count,
            })
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        values
    }

    pub fn month_values(&self) -> Vec<FacetValue> {
        let mut months: Vec<(&(i32, u8), &u64)> = self.months.iter().collect();
        months.sort_by(|a, b| b.0.cmp(a.0));
        months
            .into_iter()
            .map(|((y, m), &count)| FacetValue {
                value: format!("{y:04}-{m:02}"),
                count,
            })
            .collect()
    }
}
