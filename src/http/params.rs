//! Query-string parameters of `/api/search`, validated into a `SearchRequest`.

use crate::config::Config;
use crate::error::UserError;
use crate::search::SearchRequest;

fn number(name: &'static str, value: &str) -> Result<usize, UserError> {
    value
        .trim()
        .parse::<usize>()
        .map_err(|_| UserError::BadNumber {
            name,
            value: value.to_string(),
        })
}

/// `q` (required), `limit` (default from config, capped), `offset` (bounded).
pub fn search_request(
    pairs: &[(String, String)],
    config: &Config,
) -> Result<SearchRequest, UserError> {
    let mut query = None;
    let mut limit = config.search.default_limit;
    let mut offset = 0;
    for (key, value) in pairs {
        match key.as_str() {
            "q" => query = Some(value.as_str()),
            "limit" => limit = number("limit", value)?,
            "offset" => offset = number("offset", value)?,
            _ => {}
        }
    }
    let query = query
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .ok_or(UserError::EmptyQuery)?;
    let max = config.server.max_query_chars;
    if query.chars().count() > max {
        return Err(UserError::QueryTooLong { max });
    }
    if offset > config.server.max_offset {
        return Err(UserError::TooLarge {
            name: "offset",
            max: config.server.max_offset,
        });
    }
    Ok(SearchRequest {
        query: query.to_string(),
        limit: limit.min(config.server.max_limit),
        offset,
    })
}
