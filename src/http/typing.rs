//! Typing assistance over HTTP: `GET /api/suggest?q=&limit=` (completions) and
//! `GET /api/analyze?text=` (what the analyzer does with a text, morpheme by morpheme).

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::params::{self, Params};
use super::{ApiError, AppState};
use crate::error::UserError;

/// The value of `name`, checked against `server.max_query_chars`.
fn text_param(
    pairs: &[(String, String)],
    name: &str,
    state: &AppState,
) -> Result<String, UserError> {
    let value = pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    params::check_length(&value, &state.config)?;
    Ok(value)
}

/// `GET /api/suggest`: `{"suggestions":[{"text","count"}]}`, most used first; `limit` defaults to
/// 8, at most 20.
pub async fn suggest(
    State(state): State<AppState>,
    Params(pairs): Params,
) -> Result<Json<Value>, ApiError> {
    let q = text_param(&pairs, "q", &state)?;
    let limit = match pairs.iter().find(|(k, _)| k == "limit") {
        None => 8,
        Some((_, v)) => params::whole_number("limit", v)?,
    }
    .min(20);
    let suggestions = state
        .on_search_threads(move |engine| Ok(engine.suggest(&q, limit)))
        .await?;
    Ok(Json(json!({ "suggestions": suggestions })))
}

/// `GET /api/analyze`: `{"text","tokens":[{"surface","pos","start","end","user_dictionary",
/// "indexed":[{"term","position","kind"}],"dropped"}]}`.
pub async fn analyze(
    State(state): State<AppState>,
    Params(pairs): Params,
) -> Result<Json<Value>, ApiError> {
    let text = text_param(&pairs, "text", &state)?;
    if text.is_empty() {
        return Err(UserError::BadParameter("missing text: pass text=".to_string()).into());
    }
    let shown = text.clone();
    let tokens = state
        .on_search_threads(move |engine| Ok(engine.analyze(&text)))
        .await?;
    Ok(Json(json!({ "text": shown, "tokens": tokens })))
}
