//! Korea time: the offset of every date chaja reads without one and prints, and the day arithmetic
//! that ingest (dates in pages and JSONL) and search (date filters, month facets) share.

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Korea Standard Time (+09:00, no daylight saving).
pub const KST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// Midnight of `date` in Korea time.
pub fn midnight(date: Date) -> OffsetDateTime {
    PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_offset(KST)
}

/// `time` on `date` in Korea time.
pub fn at(date: Date, time: Time) -> OffsetDateTime {
    PrimitiveDateTime::new(date, time).assume_offset(KST)
}

/// The Korea-time day of a Unix timestamp, counted in days since 1970-01-01.
pub fn day_number(unix_seconds: i64) -> i64 {
    (unix_seconds + i64::from(KST.whole_seconds())).div_euclid(86_400)
}

/// RFC 3339 in Korea time, as the API prints dates.
pub fn format_rfc3339(datetime: OffsetDateTime) -> String {
    datetime
        .to_offset(KST)
        .format(&Rfc3339)
        .unwrap_or_else(|_| datetime.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn korea_midnight_is_the_previous_utc_evening() {
        let at = midnight(date!(2025 - 12 - 01));
        assert_eq!(at, datetime!(2025-11-30 15:00 UTC));
        assert_eq!(format_rfc3339(at), "2025-12-01T00:00:00+09:00");
    }

    #[test]
    fn day_numbers_turn_at_korean_midnight() {
        let before = datetime!(2025-11-30 14:59:59 UTC).unix_timestamp();
        let after = datetime!(2025-11-30 15:00:00 UTC).unix_timestamp();
        assert_eq!(day_number(after) - day_number(before), 1);
        assert_eq!(
            day_number(after),
            (date!(2025 - 12 - 01) - date!(1970 - 01 - 01)).whole_days()
        );
    }
}
