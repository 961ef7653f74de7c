//! Facet counts over a match set: documents per publisher and per year-month (Korea time), read from
//! fast fields in one pass.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
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

/// Counts sources and/or months of every matching document.
pub struct FacetCollector {
    pub sources: bool,
    pub months: bool,
}

#[derive(Default)]
pub struct Counts {
    sources: HashMap<String, u64>,
    months: HashMap<(i32, u8), u64>,
}

pub struct SegmentCounts {
    source_column: Option<StrColumn>,
    date_column: Option<Column<DateTime>>,
    by_ord: Vec<u64>,
    months: HashMap<(i32, u8), u64>,
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
        let source_column = if self.sources {
            fast.str("source")?
        } else {
            None
        };
        let date_column = if self.months {
            Some(fast.date("published_at")?)
        } else {
            None
        };
        let terms = source_column.as_ref().map_or(0, |c| c.num_terms());
        Ok(SegmentCounts {
            source_column,
            date_column,
            by_ord: vec![0; terms],
            months: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts::default();
        for fruit in fruits {
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
        if let Some(column) = &self.source_column {
            for ord in column.term_ords(doc) {
                if let Some(count) = self.by_ord.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
        if let Some(date) = self.date_column.as_ref().and_then(|c| c.first(doc)) {
            if let Ok(at) = time::OffsetDateTime::from_unix_timestamp(date.into_timestamp_secs()) {
                let at = at.to_offset(KST);
                *self
                    .months
                    .entry((at.year(), at.month() as u8))
                    .or_default() += 1;
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut sources = HashMap::new();
        if let Some(column) = &self.source_column {
            let mut name = String::new();
            for (ord, &count) in self.by_ord.iter().enumerate() {
                if count > 0 && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    sources.insert(name.clone(), count);
                }
            }
        }
        Counts {
            sources,
            months: self.months,
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
