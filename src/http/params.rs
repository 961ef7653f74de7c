//! Query-string parameters: the `Params` extractor every handler reads them with (a malformed query
//! string is a 400 in one place), and those of `/api/search` validated into a `SearchRequest`.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use time::Date;

use super::ApiError;

use crate::config::Config;
use crate::error::UserError;
use crate::search::{SearchRequest, Sort};

/// The query string's pairs, in order, repeated keys kept (`source=a&source=b`). A query string that
/// cannot be read is a 400 naming what is wrong, never axum's plain-text rejection.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| UserError::BadParameter(e.body_text()))?;
        Ok(Params(pairs))
    }
}

/// A whole number parameter, or a 400 naming it.
pub(super) fn whole_number(name: &'static str, value: &str) -> Result<usize, UserError> {
    value
        .trim()
        .parse::<usize>()
        .map_err(|_| UserError::BadNumber {
            name,
            value: value.to_string(),
        })
}

fn day(name: &str, value: &str) -> Result<Option<Date>, UserError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value, &format).map(Some).map_err(|_| {
        UserError::BadParameter(format!(
            "{name} must be a date like 2024-09-24, got {value:?}"
        ))
    })
}

/// The filters shared by search, the trend and related words: `source` (repeatable), `from`, `to`.
#[derive(Debug, Default)]
pub(super) struct FilterParams {
    pub sources: Vec<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl FilterParams {
    /// Takes the pair when it is a filter; false when it is not.
    pub fn take(&mut self, key: &str, value: &str) -> Result<bool, UserError> {
        match key {
            "source" if !value.trim().is_empty() => self.sources.push(value.trim().to_string()),
            "source" => {}
            "from" => self.from = day("from", value)?,
            "to" => self.to = day("to", value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A range that ends before it starts, or too many publishers, is a 400.
    pub fn check(&self) -> Result<(), UserError> {
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                return Err(UserError::BadParameter(format!(
                    "from ({from}) is after to ({to})"
                )));
            }
        }
        if self.sources.len() > 50 {
            return Err(UserError::BadParameter(
                "at most 50 source values".to_string(),
            ));
        }
        Ok(())
    }
}

/// A query longer than `server.max_query_chars` is refused wherever it is given.
pub(super) fn check_length(query: &str, config: &Config) -> Result<(), UserError> {
    let max = config.server.max_query_chars;
    if query.chars().count() > max {
        return Err(UserError::QueryTooLong { max });
    }
    Ok(())
}

/// The optional `q` of `/api/documents/{id}`, whose words are marked in the body: as long as a search
/// query may be; empty means none.
pub fn highlight_query(
    pairs: &[(String, String)],
    config: &Config,
) -> Result<Option<String>, UserError> {
    let Some((_, q)) = pairs.iter().find(|(k, _)| k == "q") else {
        return Ok(None);
    };
    let q = q.trim();
    check_length(q, config)?;
    Ok((!q.is_empty()).then(|| q.to_string()))
}

/// `q` (required), `limit` (default from config, capped), `offset` (bounded), `source` (repeatable),
/// A true-or-false parameter; empty means `default`.
fn flag(name: &str, value: &str, default: bool) -> Result<bool, UserError> {
    match value.trim() {
        "" => Ok(default),
        "0" | "false" => Ok(false),
        "1" | "true" => Ok(true),
        other => Err(UserError::BadParameter(format!(
            "{name} must be true or false, got {other:?}"
        ))),
    }
}

/// `from` / `to` (inclusive days), `sort` (`relevance` or `date`), `strict` (no relaxed reading), `group`
/// (`false`: related articles not folded).
pub fn search_request(
    pairs: &[(String, String)],
    config: &Config,
) -> Result<SearchRequest, UserError> {
    let mut query = None;
    let mut request = SearchRequest {
        limit: config.search.default_limit,
        group: config.search.group,
        ..SearchRequest::default()
    };
    let mut filters = FilterParams::default();
    for (key, value) in pairs {
        if filters.take(key, value)? {
            continue;
        }
        match key.as_str() {
            "q" => query = Some(value.as_str()),
            "limit" => request.limit = whole_number("limit", value)?,
            "offset" => request.offset = whole_number("offset", value)?,
            "strict" => request.strict = flag("strict", value, false)?,
            "group" => request.group = flag("group", value, config.search.group)?,
            "sort" => {
                request.sort = match value.trim() {
                    "" | "relevance" => Sort::Relevance,
                    "date" => Sort::Date,
                    other => {
                        return Err(UserError::BadParameter(format!(
                            "sort must be relevance or date, got {other:?}"
                        )))
                    }
                }
            }
            _ => {}
        }
    }
    let query = query
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or(UserError::EmptyQuery)?;
    check_length(query, config)?;
    if request.offset > config.server.max_offset {
        return Err(UserError::TooLarge {
            name: "offset",
            max: config.server.max_offset,
        });
    }
    filters.check()?;
    request.sources = filters.sources;
    request.from = filters.from;
    request.to = filters.to;
    request.query = query.to_string();
    request.limit = request.limit.min(config.server.max_limit);
    Ok(request)
}
