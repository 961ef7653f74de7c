//! Volume over time: how many articles match a query per day, week or month (Korea time), every
//! bucket of the range present, counted as `total` is (exact up to `search.exact_total_up_to`, then
//! estimated from samples and flagged).

use serde::Serialize;
use time::{Date, Duration, OffsetDateTime};

use super::engine::Engine;
use super::facets::{self, Counts, FacetCollector};
use super::pipeline::Totalled;
use crate::error::{Error, UserError};

/// Buckets one response may hold: ten years of days.
pub const MOST_BUCKETS: i64 = 3_660;

/// Bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Day,
    /// Monday to Sunday.
    Week,
    Month,
    /// Days up to two months, weeks up to two years, months beyond.
    #[default]
    Auto,
}

impl Interval {
    pub fn parse(text: &str) -> Result<Interval, UserError> {
        match text.trim() {
            "day" => Ok(Interval::Day),
            "week" => Ok(Interval::Week),
            "month" => Ok(Interval::Month),
            "" | "auto" => Ok(Interval::Auto),
            other => Err(UserError::BadParameter(format!(
                "interval must be day, week, month or auto, got {other:?}"
            ))),
        }
    }

    /// The interval `Auto` stands for over `days` days.
    fn resolve(self, days: i64) -> Interval {
        match self {
            Interval::Auto if days <= 62 => Interval::Day,
            Interval::Auto if days <= 731 => Interval::Week,
            Interval::Auto => Interval::Month,
            other => other,
        }
    }
}

/// What a caller asks for: one or more queries (compared), the search filters, the bucket width.
#[derive(Debug, Clone, Default)]
pub struct TrendRequest {
    pub queries: Vec<String>,
    pub interval: Interval,
    pub sources: Vec<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// One bucket: its first and last day, and the matching articles published in it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bucket {
    /// `2025-12-01` (a day, or the Monday of a week) or `2025-12` (a month).
    pub key: String,
    pub from: String,
    pub to: String,
    pub count: u64,
}

/// One query's volume.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Series {
    pub query: String,
    /// Matching articles (with a date or not), counted as a search counts them.
    pub total: usize,
    /// False when `total` and the buckets are estimates (more than `search.exact_total_up_to`).
    pub total_exact: bool,
    pub buckets: Vec<Bucket>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrendResponse {
    /// The bucket width used (`auto` resolved).
    pub interval: Interval,
    pub series: Vec<Series>,
    pub took_ms: f64,
}

impl Totalled for Counts {
    fn total(&self) -> usize {
        self.total
    }
}

fn date_of(day: i64) -> Date {
    OffsetDateTime::from_unix_timestamp(day * 86_400)
        .map(|at| at.date())
        .unwrap_or(Date::MIN)
}

fn day_of(date: Date) -> i64 {
    (date - Date::from_ordinal_date(1970, 1).unwrap_or(Date::MIN)).whole_days()
}

/// The first day of the bucket holding `day`, and the first day of the next one.
fn bucket_of(interval: Interval, day: i64) -> (i64, i64) {
    match interval {
        Interval::Week => {
            // 1970-01-01 was a Thursday.
            let monday = day - (day + 3).rem_euclid(7);
            (monday, monday + 7)
        }
        Interval::Month => {
            let date = date_of(day);
            let first = date.replace_day(1).unwrap_or(date);
            // Past the last month a date can hold (9999-12), the bucket ends with its last day.
            let next = first
                .checked_add(Duration::days(31))
                .and_then(|d| d.replace_day(1).ok())
                .map_or(day + 31, day_of);
            (day_of(first), next)
        }
        Interval::Day | Interval::Auto => (day, day + 1),
    }
}

fn key_of(interval: Interval, first: i64) -> String {
    let date = date_of(first);
    match interval {
        Interval::Month => format!("{:04}-{:02}", date.year(), date.month() as u8),
        _ => date.to_string(),
    }
}

/// Every bucket from the one holding `lo` to the one holding `hi`, with `days` counted into them.
pub(super) fn buckets(interval: Interval, lo: i64, hi: i64, days: &[(i64, f64)]) -> Vec<Bucket> {
    let mut out = Vec::new();
    let mut start = bucket_of(interval, lo).0;
    let mut days = days.iter().peekable();
    while start <= hi {
        let (_, next) = bucket_of(interval, start);
        let mut count = 0.0;
        while let Some(&&(day, n)) = days.peek() {
            if day >= next {
                break;
            }
            if day >= start.max(lo) && day <= hi {
                count += n;
            }
            days.next();
        }
        out.push(Bucket {
            key: key_of(interval, start),
            from: date_of(start.max(lo)).to_string(),
            to: date_of((next - 1).min(hi)).to_string(),
            count: count.round() as u64,
        });
        start = next;
    }
    out
}

impl Engine {
    /// Each query's matching articles per bucket, over the requested days or, without them, from
    /// the first to the last day any query matches.
    pub fn trend(&self, request: &TrendRequest) -> Result<TrendResponse, Error> {
        let started = std::time::Instant::now();
        let searcher = self.reader.searcher();
        let stats = self.stats(&searcher);
        let filters = self.filters(&request.sources, request.from, request.to);
        let bound = self.config.exact_total_up_to;
        let collector = FacetCollector {
            sources: false,
            months: true,
            bound: (bound > 0).then(|| facets::Bound {
                limit: bound,
                docs: searcher.num_docs(),
            }),
            values: self.facet_values.of(&searcher)?,
        };
        let mut counted = Vec::with_capacity(request.queries.len());
        for query in &request.queries {
            let groups = self.groups(query);
            let run = |built: &super::build::Built, _| {
                Ok(searcher.search(&*filters.apply(&*built.count), &collector)?)
            };
            let counts = self
                .pool
                .install(|| self.resolve(&stats, &groups, true, run))?;
            counted.push((query, counts.map(|found| found.run)));
        }
        let all_days = counted
            .iter()
            .filter_map(|(_, c)| c.as_ref())
            .flat_map(|c| c.day_values());
        let (first, last) = all_days.fold((i64::MAX, i64::MIN), |(lo, hi), (d, _)| {
            (lo.min(d), hi.max(d))
        });
        let lo = request.from.map_or(first, day_of);
        let hi = request.to.map_or(last, day_of);
        let interval = request.interval.resolve(hi.saturating_sub(lo) + 1);
        let span = if lo <= hi {
            (hi - lo) / bucket_days(interval)
        } else {
            0
        };
        if span > MOST_BUCKETS {
            return Err(UserError::BadParameter(format!(
                "more than {MOST_BUCKETS} buckets: use a wider interval or a shorter from–to range"
            ))
            .into());
        }
        let series = counted
            .into_iter()
            .map(|(query, counts)| {
                let days = counts.as_ref().map(Counts::day_values).unwrap_or_default();
                Series {
                    query: query.clone(),
                    total: counts.as_ref().map_or(0, |c| c.total),
                    total_exact: counts.as_ref().is_none_or(|c| c.exact),
                    buckets: if lo <= hi {
                        buckets(interval, lo, hi, &days)
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect();
        Ok(TrendResponse {
            interval,
            series,
            took_ms: super::elapsed_ms(started),
        })
    }
}

/// The shortest length of a bucket, in days.
fn bucket_days(interval: Interval) -> i64 {
    match interval {
        Interval::Week => 7,
        Interval::Month => 28,
        Interval::Day | Interval::Auto => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_bucket_of_the_range_is_there_with_zeros() {
        let (lo, hi) = (day_of(date!(2025 - 11 - 29)), day_of(date!(2025 - 12 - 03)));
        let days = [
            (day_of(date!(2025 - 12 - 01)), 15.0),
            (day_of(date!(2025 - 12 - 02)), 9.0),
        ];
        let by_day = buckets(Interval::Day, lo, hi, &days);
        let counts: Vec<(&str, u64)> = by_day.iter().map(|b| (b.key.as_str(), b.count)).collect();
        assert_eq!(
            counts,
            [
                ("2025-11-29", 0),
                ("2025-11-30", 0),
                ("2025-12-01", 15),
                ("2025-12-02", 9),
                ("2025-12-03", 0)
            ]
        );
        // Weeks start on Monday: 11-29 and 11-30 are the end of the week of 11-24.
        let by_week = buckets(Interval::Week, lo, hi, &days);
        let weeks: Vec<(&str, &str, &str, u64)> = by_week
            .iter()
            .map(|b| (b.key.as_str(), b.from.as_str(), b.to.as_str(), b.count))
            .collect();
        assert_eq!(
            weeks,
            [
                ("2025-11-24", "2025-11-29", "2025-11-30", 0),
                ("2025-12-01", "2025-12-01", "2025-12-03", 24)
            ]
        );
        let by_month = buckets(Interval::Month, lo, hi, &days);
        let months: Vec<(&str, u64)> = by_month.iter().map(|b| (b.key.as_str(), b.count)).collect();
        assert_eq!(months, [("2025-11", 0), ("2025-12", 24)]);
    }

    #[test]
    fn the_last_month_a_date_can_hold_is_one_bucket() {
        let (lo, hi) = (day_of(date!(9999 - 12 - 01)), day_of(date!(9999 - 12 - 31)));
        let months = buckets(Interval::Month, lo, hi, &[(hi, 2.0)]);
        let keys: Vec<(&str, u64)> = months.iter().map(|b| (b.key.as_str(), b.count)).collect();
        assert_eq!(keys, [("9999-12", 2)]);
    }

    #[test]
    fn auto_picks_days_weeks_or_months_by_the_span() {
        assert_eq!(Interval::Auto.resolve(31), Interval::Day);
        assert_eq!(Interval::Auto.resolve(365), Interval::Week);
        assert_eq!(Interval::Auto.resolve(3650), Interval::Month);
        assert_eq!(Interval::Month.resolve(3), Interval::Month);
        assert!(Interval::parse("hour").is_err());
    }
}
