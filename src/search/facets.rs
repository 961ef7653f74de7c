//! Facet counts over a match set: documents per publisher and per year-month (Korea time), read from
//! fast fields in one pass; past a bound, estimated from samples spread over the index.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{DateTime, DocId, DocSet, Score, SegmentOrdinal, SegmentReader};

use super::facet_values::{SegmentValues, NO_DAY, NO_SOURCE};

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

/// Counts the matching documents, and their sources and/or months. With a `bound`, each segment
/// counts exactly up to its share of the bound (by size); a segment with more matches then reads
/// samples of its remaining documents (`WINDOWS` stretches, each read up to a share of the bound)
/// and scales what each sample counted by how much of its stretch it covered: an estimate of the
/// total and of every facet value, flagged as not exact. The work stays about twice the bound
/// however many documents match.
pub struct FacetCollector {
    pub sources: bool,
    pub months: bool,
    pub bound: Option<Bound>,
    /// Each segment's publishers and days, by segment ordinal (`Engine::facet_values`).
    pub values: Vec<Arc<SegmentValues>>,
}

/// Exact counting up to `limit` matches, over an index of `docs` documents.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    pub limit: usize,
    pub docs: u64,
}

impl Bound {
    /// A segment's share of the limit, at least one block of documents.
    fn share(&self, max_doc: DocId) -> usize {
        let share =
            (self.limit as u128 * u128::from(max_doc)).div_ceil(u128::from(self.docs.max(1)));
        usize::try_from(share).unwrap_or(usize::MAX).max(64)
    }
}

/// Stretches of a segment sampled for an estimate, once its exact share is spent.
const WINDOWS: u32 = 4;

#[derive(Default)]
pub struct Counts {
    /// Matching documents (an estimate when not `exact`).
    pub total: usize,
    /// Every matching document was counted.
    pub exact: bool,
    estimate: f64,
    sources: HashMap<String, f64>,
    months: HashMap<(i32, u8), f64>,
    /// Korea-time day number (`kst::day_number`) and documents, each segment's in order, one after
    /// the other (`day_values` adds them up: only trends ask for them).
    days: Vec<(i64, f64)>,
}

/// Documents per month of `days` (in order): a day's month is worked out only where a new month
/// begins (a date conversion and a hash per day were a tenth of a 1 M headline's CPU).
fn months_of(days: &[(i64, f64)]) -> HashMap<(i32, u8), f64> {
    let mut months = HashMap::new();
    let mut current: Option<((i32, u8), i64, f64)> = None;
    for &(day, count) in days {
        match &mut current {
            Some((_, next, sum)) if day < *next => *sum += count,
            _ => {
                if let Some((month, _, sum)) = current.take() {
                    *months.entry(month).or_default() += sum;
                }
                current = month_of(day).map(|(month, next)| (month, next, count));
            }
        }
    }
    if let Some((month, _, sum)) = current {
        *months.entry(month).or_default() += sum;
    }
    months
}

/// The (year, month) of Korea-time day number `day`, and the day number the next month begins on.
fn month_of(day: i64) -> Option<((i32, u8), i64)> {
    // `day` already counts Korea-time days, so its UTC calendar date is the Korean one.
    let date = time::OffsetDateTime::from_unix_timestamp(day.checked_mul(86_400)?)
        .ok()?
        .date();
    let next = match date.month() {
        time::Month::December => {
            time::Date::from_calendar_date(date.year() + 1, time::Month::January, 1)
        }
        month => time::Date::from_calendar_date(date.year(), month.next(), 1),
    };
    // Past the last date `time` holds: nothing later can come.
    let next = next.map_or(i64::MAX, |d| {
        i64::from(d.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY
    });
    Some(((date.year(), date.month() as u8), next))
}

/// The Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// Per-day counts (Korea time): a dense array over the segment's date range, or a map when the
/// range is too wide for one.
enum Days {
    Dense { first: i64, counts: Vec<f64> },
    Sparse(HashMap<i64, f64>),
}

/// Day spans up to this many days (about 270 years) are counted in an array.
const DENSE_DAYS: i64 = 100_000;

/// One segment's counts; a document counts `weight` (1, or more for a sampled one).
pub struct SegmentCounts {
    total: f64,
    values: Arc<SegmentValues>,
    /// Whether publishers and days are counted (each only when the segment has values for it).
    sources: bool,
    months: bool,
    by_ord: Vec<f64>,
    days: Days,
}

pub(super) fn kst_day(date: DateTime) -> i64 {
    crate::kst::day_number(date.into_timestamp_secs())
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = SegmentCounts;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<SegmentCounts> {
        let values = self
            .values
            .get(segment_ord as usize)
            .cloned()
            .ok_or_else(|| tantivy::TantivyError::InternalError("no facet values".into()))?;
        let sources = self.sources && values.source.is_some();
        let months = self.months && values.days.is_some();
        let days = match values.days.as_ref().filter(|_| months) {
            Some(d) if d.last - d.first < DENSE_DAYS => Days::Dense {
                first: d.first,
                counts: vec![0.0; usize::try_from(d.last - d.first + 1).unwrap_or(0)],
            },
            _ => Days::Sparse(HashMap::new()),
        };
        let terms = match values.source.as_ref().filter(|_| sources) {
            Some(sources) => sources.names.count(),
            None => 0,
        };
        Ok(SegmentCounts {
            total: 0.0,
            values,
            sources,
            months,
            by_ord: vec![0.0; terms],
            days,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    /// Without a bound, tantivy's own loop over the matches (blocks of documents, no scores).
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Counts> {
        let mut counts = self.for_segment(segment_ord, reader)?;
        let alive = reader.alive_bitset();
        let is_alive = |doc: DocId| alive.is_none_or(|a| a.is_alive(doc));
        let Some(bound) = self.bound else {
            let mut alive_docs: Vec<DocId> = Vec::new();
            weight.for_each_no_score(reader, &mut |docs| {
                alive_docs.clear();
                alive_docs.extend(docs.iter().copied().filter(|&d| is_alive(d)));
                counts.collect_block(&alive_docs, 1.0);
            })?;
            return Ok(counts.finish(true));
        };
        let mut matches = weight.scorer(reader, 1.0)?;
        let max_doc = reader.max_doc();
        let mut docs: Vec<DocId> = Vec::new();
        // Reads alive matches below `end` into `docs`, at most `most`; whether it reached `end`.
        let read = |matches: &mut dyn DocSet, end: DocId, most: usize, docs: &mut Vec<DocId>| {
            docs.clear();
            while matches.doc() < end {
                if docs.len() == most {
                    return false;
                }
                let doc = matches.doc();
                if is_alive(doc) {
                    docs.push(doc);
                }
                matches.advance();
            }
            true
        };
        let share = bound.share(max_doc);
        if read(&mut *matches, max_doc, share, &mut docs) {
            counts.collect_block(&docs, 1.0);
            return Ok(counts.finish(true));
        }
        // Exact up to here; the rest estimated from samples.
        let from = docs.last().map_or(0, |&d| d + 1);
        counts.collect_block(&docs, 1.0);
        let windows = WINDOWS.min(max_doc - from).max(1);
        let per_window = share.div_ceil(2 * windows as usize);
        let span = u64::from(max_doc - from);
        for w in 0..windows {
            let at = |i: u32| from + (span * u64::from(i) / u64::from(windows)) as DocId;
            let (start, end) = (at(w), at(w + 1));
            if matches.doc() < start {
                matches.seek(start);
            }
            let complete = read(&mut *matches, end, per_window, &mut docs);
            let covered = match docs.last() {
                Some(&last) if !complete => last + 1 - start,
                _ => end - start,
            };
            let weight = f64::from(end - start) / f64::from(covered.max(1));
            counts.collect_block(&docs, weight);
        }
        Ok(counts.finish(false))
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts {
            exact: true,
            ..Counts::default()
        };
        for fruit in fruits {
            all.estimate += fruit.estimate;
            all.exact &= fruit.exact;
            for (k, v) in fruit.sources {
                *all.sources.entry(k).or_default() += v;
            }
            for (k, v) in fruit.months {
                *all.months.entry(k).or_default() += v;
            }
            all.days.extend(fruit.days);
        }
        all.total = all.estimate.round() as usize;
        Ok(all)
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.collect_block(&[doc], 1.0);
    }

    fn harvest(self) -> Counts {
        self.finish(true)
    }
}

impl SegmentCounts {
    /// Reads a block of documents' values at once; each counts `weight`.
    fn collect_block(&mut self, docs: &[DocId], weight: f64) {
        self.total += docs.len() as f64 * weight;
        if let Some(ords) = self
            .values
            .source
            .as_ref()
            .filter(|_| self.sources)
            .map(|s| &s.of)
        {
            for &doc in docs {
                let ord = ords.get(doc as usize).copied().unwrap_or(NO_SOURCE);
                if let Some(count) = self.by_ord.get_mut(ord as usize) {
                    *count += weight;
                }
            }
        }
        if let Some(days) = self.values.days.as_ref().filter(|_| self.months) {
            for &doc in docs {
                let day = days.of.get(doc as usize).copied().unwrap_or(NO_DAY);
                if day == NO_DAY {
                    continue;
                }
                let day = i64::from(day);
                match &mut self.days {
                    Days::Dense { first, counts } => {
                        let slot = usize::try_from(day - *first).ok();
                        if let Some(count) = slot.and_then(|i| counts.get_mut(i)) {
                            *count += weight;
                        }
                    }
                    Days::Sparse(map) => *map.entry(day).or_default() += weight,
                }
            }
        }
    }

    fn finish(self, exact: bool) -> Counts {
        let mut sources = HashMap::new();
        if let Some(names) = self.values.source.as_ref().filter(|_| self.sources) {
            let mut buffer = String::new();
            for (ord, &count) in self.by_ord.iter().enumerate() {
                if count <= 0.0 {
                    continue;
                }
                if let Some(name) = names.names.name(ord, &mut buffer) {
                    sources.insert(name.to_string(), count);
                }
            }
        }
        let days: Vec<(i64, f64)> = match self.days {
            Days::Dense { first, counts } => counts
                .into_iter()
                .enumerate()
                .filter(|&(_, count)| count > 0.0)
                .map(|(i, count)| (first + i as i64, count))
                .collect(),
            Days::Sparse(map) => {
                let mut days: Vec<(i64, f64)> = map.into_iter().collect();
                days.sort_unstable_by_key(|&(day, _)| day);
                days
            }
        };
        Counts {
            total: self.total.round() as usize,
            exact,
            estimate: self.total,
            sources,
            months: months_of(&days),
            days,
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
                count: count.round() as u64,
            })
            .filter(|v| v.count > 0)
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        values
    }

    /// Documents per Korea-time day number (`kst::day_number`), earliest first.
    pub fn day_values(&self) -> Vec<(i64, f64)> {
        let mut all = self.days.clone();
        // Stable: a day's counts are added up segment by segment, as they were found.
        all.sort_by_key(|&(day, _)| day);
        let mut days: Vec<(i64, f64)> = Vec::with_capacity(all.len());
        for (day, count) in all {
            match days.last_mut() {
                Some((last, sum)) if *last == day => *sum += count,
                _ => days.push((day, count)),
            }
        }
        days
    }

    pub fn month_values(&self) -> Vec<FacetValue> {
        let mut months: Vec<(&(i32, u8), &f64)> = self.months.iter().collect();
        months.sort_by(|a, b| b.0.cmp(a.0));
        months
            .into_iter()
            .map(|((y, m), &count)| FacetValue {
                value: format!("{y:04}-{m:02}"),
                count: count.round() as u64,
            })
            .filter(|v| v.count > 0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Korea-time day number of a calendar date.
    fn day(year: i32, month: u8, d: u8) -> i64 {
        let month = time::Month::try_from(month).unwrap();
        let date = time::Date::from_calendar_date(year, month, d).unwrap();
        i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY
    }

    #[test]
    fn days_add_up_to_their_months_across_a_new_year() {
        let days = [
            (day(2025, 11, 30), 1.0),
            (day(2025, 12, 1), 2.0),
            (day(2025, 12, 31), 3.0),
            (day(2026, 1, 1), 4.0),
            (day(2026, 3, 1), 5.0),
        ];
        let months = months_of(&days);
        assert_eq!(months.len(), 4);
        assert_eq!(months[&(2025, 11)], 1.0);
        assert_eq!(months[&(2025, 12)], 5.0);
        assert_eq!(months[&(2026, 1)], 4.0);
        assert_eq!(months[&(2026, 3)], 5.0);
        assert_eq!(day(1970, 1, 1), 0);
        assert_eq!(
            month_of(day(2024, 2, 10)),
            Some(((2024, 2), day(2024, 3, 1)))
        );
    }

    #[test]
    fn each_segments_days_are_added_up_for_trends() {
        let counts = Counts {
            days: vec![(3, 1.0), (5, 2.0), (1, 1.0), (3, 4.0)],
            ..Counts::default()
        };
        assert_eq!(counts.day_values(), vec![(1, 1.0), (3, 5.0), (5, 2.0)]);
    }
}
