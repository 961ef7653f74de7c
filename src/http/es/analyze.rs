//! `_analyze`: chaja's analysis in Elasticsearch's token format.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::{served, EsError, EsResult, Server};
use crate::catalog;

pub(super) async fn analyze_default(
    State(server): State<Server>,
    body: Body,
) -> EsResult<Json<Value>> {
    analyze(State(server), Path(catalog::DEFAULT.to_string()), body).await
}

/// `_analyze`: chaja's analysis in Elasticsearch's token format; `explain` adds each token's part of
/// speech as Nori reports it.
pub(super) async fn analyze(
    State(server): State<Server>,
    Path(index): Path<String>,
    body: Body,
) -> EsResult<Json<Value>> {
    let served = served(&server, &index)?;
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .map_err(|_| EsError::bad("text over 1 MB"))?;
    let request: Value = serde_json::from_slice(&bytes)
        .map_err(|e| EsError::new(StatusCode::BAD_REQUEST, "parse_exception", e.to_string()))?;
    for key in request.as_object().into_iter().flatten().map(|(k, _)| k) {
        if !["text", "explain", "analyzer", "field", "attributes"].contains(&key.as_str()) {
            return Err(EsError::unsupported(format!(
                "[_analyze] does not support [{key}]"
            )));
        }
    }
    let texts: Vec<String> = match &request["text"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
        _ => return Err(EsError::bad("[text] is missing")),
    };
    let explain = request["explain"].as_bool().unwrap_or(false);
    let mut tokens = Vec::new();
    let mut base = 0;
    for text in &texts {
        // The morphemes' byte offsets are into the text as analysed (normalised); offsets that fall
        // inside a character of it count to its end rather than panicking.
        let analysed = crate::normalize::query(text);
        let offset = |byte: usize| utf16_len(analysed.get(..byte).unwrap_or(&analysed));
        for morpheme in served.engine.analyze(text) {
            let start = base + offset(morpheme.start);
            let end = base + offset(morpheme.end);
            for indexed in &morpheme.indexed {
                let mut token = json!({
                    "token": indexed.term, "start_offset": start, "end_offset": end,
                    "type": "word", "position": indexed.position,
                });
                if explain {
                    token["leftPOS"] = json!(morpheme.pos);
                    token["rightPOS"] = json!(morpheme.pos);
                    token["posType"] = json!(if morpheme.pos.contains('+') {
                        "INFLECT"
                    } else {
                        "MORPHEME"
                    });
                    token["kind"] = json!(indexed.kind);
                }
                tokens.push(token);
            }
        }
        base += utf16_len(&analysed) + 1;
    }
    Ok(Json(if explain {
        json!({"detail": {"custom_analyzer": false, "analyzer": {"name": "chaja_korean", "tokens": tokens}}})
    } else {
        json!({ "tokens": tokens })
    }))
}

fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}
