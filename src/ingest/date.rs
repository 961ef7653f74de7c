//! Dates as Korean news pages and JSONL documents write them. Times without an offset are Korea time.

use std::sync::OnceLock;

use regex::Regex;
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, Time};

use crate::kst;

fn korean_date() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?x)
            (?P<y>(?:19|20)\d{2}) \s* (?: 년 \s* | [-./] )
            (?P<m>\d{1,2}) \s* (?: 월 \s* | [-./] )
            (?P<d>\d{1,2}) \s* 일?
            (?: \s* \(?[월화수목금토일](?:요일)?\)? )?
            (?: \s* (?:오전|오후)? \s* (?P<H>\d{1,2}) \s* [:시] \s* (?P<M>\d{2}) (?: \s* : \s* (?P<S>\d{2}) )? )?",
        )
        .expect("date pattern is valid")
    })
}

/// The first date in `text` (`2019년09월26일 13:59`, `2024-09-24 16:40:08`, `2025년 09월 02일 화요일`,
/// `2019.09.26`), as Korea time.
pub fn find_korean_date(text: &str) -> Option<OffsetDateTime> {
    korean_date().captures_iter(text).find_map(|caps| {
        let num = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
        let month = Month::try_from(num("m")? as u8).ok()?;
        let date = Date::from_calendar_date(num("y")? as i32, month, num("d")? as u8).ok()?;
        let time = match (num("H"), num("M")) {
            (Some(h), Some(m)) => {
                Time::from_hms(h as u8, m as u8, num("S").unwrap_or(0) as u8).ok()?
            }
            _ => Time::MIDNIGHT,
        };
        Some(kst::at(date, time)).filter(|at| crate::schema::index_date(*at).is_some())
    })
}

/// A JSONL `published_at`: RFC 3339, or `YYYY-MM-DD` (midnight, Korea time), within the years the
/// index can hold (1678–2261).
pub fn parse_document_date(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .or_else(|| Date::parse(text, &format).ok().map(kst::midnight))
        .filter(|at| crate::schema::index_date(*at).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kst::format_rfc3339;

    fn rfc(text: &str) -> Option<String> {
        find_korean_date(text).map(format_rfc3339)
    }

    #[test]
    fn news_page_formats() {
        assert_eq!(
            rfc("기사입력 : 2019년09월26일 13:59").as_deref(),
            Some("2019-09-26T13:59:00+09:00")
        );
        assert_eq!(
            rfc("최선경 기자 / 기사승인 : 2024-09-24 16:40:08").as_deref(),
            Some("2024-09-24T16:40:08+09:00")
        );
        assert_eq!(
            rfc("2025년 09월 02일 화요일").as_deref(),
            Some("2025-09-02T00:00:00+09:00")
        );
        assert_eq!(
            rfc("입력 2023.01.05 09:30").as_deref(),
            Some("2023-01-05T09:30:00+09:00")
        );
        assert_eq!(rfc("라이더 0 3 09.24 18:16"), None);
        assert_eq!(rfc("2024년 13월 40일"), None);
    }

    #[test]
    fn document_dates() {
        assert_eq!(
            parse_document_date("2009-01-20")
                .map(format_rfc3339)
                .as_deref(),
            Some("2009-01-20T00:00:00+09:00")
        );
        assert_eq!(
            parse_document_date("2024-05-01T12:00:00Z")
                .map(format_rfc3339)
                .as_deref(),
            Some("2024-05-01T21:00:00+09:00")
        );
        assert_eq!(parse_document_date("2024-02-30"), None);
        assert_eq!(parse_document_date("어제"), None);
        // The index holds dates from 1677-09-21 to 2262-04-11 only.
        assert!(parse_document_date("1700-01-01").is_some());
        assert_eq!(parse_document_date("1592-05-23"), None);
        assert_eq!(parse_document_date("2300-01-01T00:00:00Z"), None);
        assert_eq!(rfc("1592년 5월 23일"), None);
    }
}
