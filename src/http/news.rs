//! `/api/trend` and `/api/related`: what the news says about a query, its volume over time and the
//! words, people and places of its articles. Parameters are validated here; the work is the
//! engine's (`search/trend.rs`, `search/related.rs`).

use axum::extract::State;
use axum::Json;

use super::params::{check_length, whole_number, FilterParams, Params};
use super::{ApiError, AppState};
use crate::config::Config;
use crate::error::UserError;
use crate::search::{Interval, RelatedRequest, RelatedResponse, TrendRequest, TrendResponse};

/// Queries compared in one trend at most.
const MOST_QUERIES: usize = 5;
/// Words, people and places returned at most, each.
const MOST_RELATED: usize = 50;

/// A query parameter, trimmed, checked for length; `None` when empty.
fn query(value: &str, config: &Config) -> Result<Option<String>, UserError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    check_length(value, config)?;
    Ok(Some(value.to_string()))
}

/// `q` (repeatable, at most five: compared), `interval` (`day`, `week`, `month`, `auto`), filters.
pub fn trend_request(
    pairs: &[(String, String)],
    config: &Config,
) -> Result<TrendRequest, UserError> {
    let mut filters = FilterParams::default();
    let mut request = TrendRequest::default();
    for (key, value) in pairs {
        if filters.take(key, value)? {
            continue;
        }
        match key.as_str() {
            "q" => request.queries.extend(query(value, config)?),
            "interval" => request.interval = Interval::parse(value)?,
            _ => {}
        }
    }
    filters.check()?;
    if request.queries.is_empty() {
        return Err(UserError::EmptyQuery);
    }
    if request.queries.len() > MOST_QUERIES {
        return Err(UserError::BadParameter(format!(
            "at most {MOST_QUERIES} queries at once"
        )));
    }
    request.sources = filters.sources;
    request.from = filters.from;
    request.to = filters.to;
    Ok(request)
}

/// `q`, `limit` (default 10, at most 50), filters.
pub fn related_request(
    pairs: &[(String, String)],
    config: &Config,
) -> Result<RelatedRequest, UserError> {
    let mut filters = FilterParams::default();
    let mut request = RelatedRequest {
        limit: 10,
        ..RelatedRequest::default()
    };
    for (key, value) in pairs {
        if filters.take(key, value)? {
            continue;
        }
        match key.as_str() {
            "q" => request.query = query(value, config)?.unwrap_or_default(),
            "limit" => request.limit = whole_number("limit", value)?.min(MOST_RELATED),
            _ => {}
        }
    }
    filters.check()?;
    if request.query.is_empty() {
        return Err(UserError::EmptyQuery);
    }
    request.sources = filters.sources;
    request.from = filters.from;
    request.to = filters.to;
    Ok(request)
}

pub(super) async fn trend(
    State(state): State<AppState>,
    Params(pairs): Params,
) -> Result<Json<TrendResponse>, ApiError> {
    let request = trend_request(&pairs, &state.config)?;
    let response = state
        .on_search_threads(move |engine| engine.trend(&request))
        .await?;
    Ok(Json(response))
}

pub(super) async fn related(
    State(state): State<AppState>,
    Params(pairs): Params,
) -> Result<Json<RelatedResponse>, ApiError> {
    let request = related_request(&pairs, &state.config)?;
    let response = state
        .on_search_threads(move |engine| engine.related(&request))
        .await?;
    Ok(Json(response))
}
