//! The write API: `POST /api/documents` (a JSON array of documents, or NDJSON) and
//! `DELETE /api/documents/{id}`. Checks the key, the sizes and every document, then hands the valid
//! ones to the live index and answers once they are committed and searchable.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use super::{ApiError, AppState};
use crate::config::Config;
use crate::error::{Error, UserError};
use crate::ingest::{self, Article};
use crate::live::{Change, Live};

/// A document of a request that was not indexed, or was indexed without a bad field.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// Its place in the request, from 0.
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Written {
    pub indexed: usize,
    pub replaced: usize,
    /// Documents not indexed.
    pub errors: Vec<Problem>,
    /// Documents indexed without a bad optional field (a `url` that is not http or https).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Problem>,
}

/// The live index, when the caller may write to it.
fn authorised<'a>(state: &'a AppState, headers: &HeaderMap) -> Result<&'a Live, ApiError> {
    check_key(&state.config, headers)?;
    state
        .live
        .as_ref()
        .ok_or_else(|| UserError::WritesDisabled.into())
}

/// Writes and admin requests need one of the server's keys as `Authorization: Bearer <key>`.
pub(super) fn check_key(config: &Config, headers: &HeaderMap) -> Result<(), ApiError> {
    let keys = &config.server.api_keys;
    if keys.is_empty() {
        return Err(UserError::WritesDisabled.into());
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(UserError::Unauthorized(
            "writes need the header `Authorization: Bearer <key>`",
        ))?;
    // Every key is compared, each in time independent of where it differs.
    let matched = keys.iter().fold(false, |found, key| {
        found | same(key.trim().as_bytes(), given.as_bytes())
    });
    if !matched {
        return Err(UserError::Unauthorized("the API key is not valid").into());
    }
    Ok(())
}

/// Constant-time equality (for equal lengths; the length of a key is not a secret worth keeping).
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `POST /api/documents`: 200 when every document was indexed, 207 when some were and some were
/// not (`errors` says which and why), 4xx when none could be.
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let live = authorised(&state, &headers)?.clone();
    let server = &state.config.server;
    let limit = server.max_body_mb << 20;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        UserError::PayloadTooLarge(format!(
            "the request body is larger than {} MB (server.max_body_mb)",
            server.max_body_mb
        ))
    })?;
    let ndjson = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("ndjson") || t.contains("jsonl"));
    let parsed = parse_payload(&bytes, ndjson)?;
    if parsed.is_empty() {
        return Err(UserError::BadPayload(
            "empty batch: send a JSON array of documents, or NDJSON (one document per line)"
                .to_string(),
        )
        .into());
    }
    if parsed.len() > server.max_batch_documents {
        return Err(UserError::PayloadTooLarge(format!(
            "{} documents in one request; at most {} (server.max_batch_documents)",
            parsed.len(),
            server.max_batch_documents
        ))
        .into());
    }
    let (articles, errors, warnings) = sorted(parsed, server.max_document_kb << 10);
    if articles.is_empty() {
        let message = format!("no valid document among {}", errors.len());
        return Ok((
            StatusCode::BAD_REQUEST,
            Json(json!({
                "error": {"code": "bad_payload", "message": message},
                "errors": errors,
            })),
        ));
    }
    let applied = live.apply(Change::Upsert(articles)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::MULTI_STATUS
    };
    let written = Written {
        indexed: applied.indexed,
        replaced: applied.replaced,
        errors,
        warnings,
    };
    Ok((status, Json(json!(written))))
}

/// The batch's documents sorted into those to write (at most `max_bytes` of text each), the errors
/// of those refused and the warnings of those written without a field.
fn sorted(
    parsed: Vec<ingest::Parsed>,
    max_bytes: usize,
) -> (Vec<Article>, Vec<Problem>, Vec<Problem>) {
    let (mut articles, mut errors, mut warnings) = (Vec::new(), Vec::new(), Vec::new());
    for (index, item) in parsed.into_iter().enumerate() {
        match item.and_then(|(article, left_out)| {
            let size = article.title.len() + article.body.len();
            if size > max_bytes {
                return Err(format!(
                    "document {:?} has {size} bytes of text; at most {max_bytes} \
                     (server.max_document_kb)",
                    article.id
                ));
            }
            Ok((article, left_out))
        }) {
            Ok((article, left_out)) => {
                if let Some(message) = left_out {
                    warnings.push(problem(index, Some(&article), message));
                }
                articles.push(article);
            }
            Err(message) => errors.push(problem(index, None, message)),
        }
    }
    (articles, errors, warnings)
}

fn problem(index: usize, article: Option<&Article>, message: String) -> Problem {
    Problem {
        index,
        id: article.map(|a| a.id.clone()),
        message,
    }
}

/// Each document of a request body, parsed as JSONL ingest parses a line. The body as a whole must
/// be JSON (an array, or one object) or NDJSON.
pub fn parse_payload(bytes: &[u8], ndjson: bool) -> Result<Vec<ingest::Parsed>, Error> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| UserError::BadPayload("the body is not valid UTF-8".to_string()))?;
    if ndjson {
        return Ok(text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(ingest::parse_line)
            .collect());
    }
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        UserError::BadPayload(format!(
            "invalid JSON: {e} (send a JSON array of documents, or NDJSON with \
             Content-Type: application/x-ndjson)"
        ))
    })?;
    let values = match value {
        Value::Array(values) => values,
        object @ Value::Object(_) => vec![object],
        _ => {
            return Err(
                UserError::BadPayload("expected a JSON array of documents".to_string()).into(),
            )
        }
    };
    Ok(values.into_iter().map(ingest::parse_value).collect())
}

/// `DELETE /api/documents/{id}`: 200 once the deletion is committed, 404 when there is no such
/// document.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let live = authorised(&state, &headers)?.clone();
    let applied = live.apply(Change::Delete(id.clone())).await?;
    if !applied.deleted {
        return Err(UserError::UnknownDocument(id).into());
    }
    Ok(Json(json!({ "deleted": id })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_equal_only_when_equal() {
        assert!(same(b"0123456789abcdef", b"0123456789abcdef"));
        assert!(!same(b"0123456789abcdef", b"0123456789abcdeF"));
        assert!(!same(b"0123456789abcdef", b"0123456789abcde"));
    }

    #[test]
    fn payloads_as_array_object_or_ndjson() {
        let array = r#"[{"id":"a","body":"본문"},{"body":"아이디 없음"},7]"#.as_bytes();
        let parsed = parse_payload(array, false).unwrap();
        assert_eq!(parsed.len(), 3);
        assert!(parsed[0].is_ok());
        assert_eq!(parsed[1].as_ref().unwrap_err(), "missing id");
        assert!(parsed[2].as_ref().unwrap_err().contains("object"));
        let ndjson = b"{\"id\":\"a\",\"body\":\"x\"}\n\n{\"id\":\"b\"\n";
        let parsed = parse_payload(ndjson, true).unwrap();
        assert_eq!(parsed.len(), 2);
        assert!(parsed[1].as_ref().unwrap_err().starts_with("invalid JSON"));
        assert_eq!(
            parse_payload(br#"{"id":"a","body":"x"}"#, false)
                .unwrap()
                .len(),
            1
        );
        assert!(parse_payload(b"[1,", false).is_err());
        assert!(parse_payload(b"\"text\"", false).is_err());
        assert!(parse_payload(b"", false).unwrap().is_empty());
        assert!(parse_payload(&[0xff, 0xfe], false).is_err());
    }
}
