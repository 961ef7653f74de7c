//! `_bulk`: NDJSON `index` / `create` / `delete` actions (each `index` or `create` followed by its
//! document), applied in order through each index's writer, answered with one item per action as
//! Elasticsearch's clients parse them (`errors`, and per item `status`, `result` or `error`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use super::{article_of, check_key, served_or_created, EsError, EsResult, Server};
use crate::ingest::Article;
use crate::live::Change;

/// A fresh document id, for `POST /{index}/_doc` and bulk actions without `_id`.
pub fn new_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

pub async fn bulk(
    State(server): State<Server>,
    headers: HeaderMap,
    body: Body,
) -> EsResult<Json<Value>> {
    run(server, None, headers, body).await
}

pub async fn bulk_into(
    State(server): State<Server>,
    Path(index): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> EsResult<Json<Value>> {
    run(server, Some(index), headers, body).await
}

/// One action of the request, checked.
struct Action {
    op: &'static str,
    index: String,
    id: String,
    /// What to do, or the item's error (status, type, reason).
    work: Result<Work, (u16, &'static str, String)>,
}

enum Work {
    Upsert(Article),
    Delete,
}

async fn run(
    server: Server,
    default_index: Option<String>,
    headers: HeaderMap,
    body: Body,
) -> EsResult<Json<Value>> {
    check_key(&server, &headers)?;
    let started = Instant::now();
    let limit = server.catalog.base.server.max_body_mb << 20;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        EsError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "content_too_long_exception",
            format!(
                "bulk body over {} MB (server.max_body_mb)",
                server.catalog.base.server.max_body_mb
            ),
        )
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| EsError::bad("the body is not UTF-8"))?;
    let actions = parse(text, default_index.as_deref())?;
    let mut items = Vec::with_capacity(actions.len());
    let mut errors = false;
    // Consecutive writes to one index share a commit; the order of the actions is kept.
    let mut i = 0;
    while i < actions.len() {
        let mut j = i + 1;
        while j < actions.len()
            && actions[j].index == actions[i].index
            && matches!(actions[j].work, Ok(Work::Upsert(_)))
            && matches!(actions[i].work, Ok(Work::Upsert(_)))
        {
            j += 1;
        }
        for (action, item) in actions[i..j]
            .iter()
            .zip(apply(&server, &actions[i..j]).await)
        {
            errors |= item.1 >= 300;
            items.push(json!({ action.op: item.0 }));
        }
        i = j;
    }
    Ok(Json(json!({
        "took": started.elapsed().as_millis() as u64,
        "errors": errors,
        "items": items,
    })))
}

/// The NDJSON's actions; a malformed action line is a 400 for the whole request, as in
/// Elasticsearch; a bad document is its item's error.
fn parse(text: &str, default_index: Option<&str>) -> EsResult<Vec<Action>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let mut actions = Vec::new();
    while let Some(line) = lines.next() {
        let header: Value = serde_json::from_str(line).map_err(|e| {
            EsError::new(
                StatusCode::BAD_REQUEST,
                "x_content_parse_exception",
                format!("bulk action line: {e}"),
            )
        })?;
        let Some((op, meta)) = header.as_object().and_then(|o| o.iter().next()) else {
            return Err(EsError::bad(
                "bulk action line must be an object like {\"index\":{…}}",
            ));
        };
        let op: &'static str =
            match op.as_str() {
                "index" => "index",
                "create" => "create",
                "delete" => "delete",
                "update" => return Err(EsError::unsupported(
                    "bulk action [update] is not supported: send the whole document with [index]",
                )),
                other => return Err(EsError::bad(format!("unknown bulk action [{other}]"))),
            };
        let index = meta["_index"]
            .as_str()
            .or(default_index)
            .ok_or_else(|| EsError::bad("bulk action without [_index], and none in the path"))?
            .to_string();
        let id = match &meta["_id"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ if op == "delete" => return Err(EsError::bad("[delete] needs an [_id]")),
            _ => new_id(),
        };
        let work = if op == "delete" {
            Ok(Work::Delete)
        } else {
            let source = lines
                .next()
                .ok_or_else(|| EsError::bad(format!("[{op}] action without its document line")))?;
            serde_json::from_str::<Value>(source)
                .map_err(|e| e.to_string())
                .and_then(|s| article_of(&id, &s))
                .map(Work::Upsert)
                .map_err(|reason| (400, "mapper_parsing_exception", reason))
        };
        actions.push(Action {
            op,
            index,
            id,
            work,
        });
    }
    Ok(actions)
}

/// Applies actions on one index; each item's body and status.
async fn apply(server: &Server, actions: &[Action]) -> Vec<(Value, u16)> {
    let item = |a: &Action, status: u16, result: &str| {
        (
            json!({
                "_index": a.index, "_id": a.id, "_version": 1, "result": result, "status": status,
                "_shards": {"total": 1, "successful": 1, "failed": 0}, "_seq_no": 0, "_primary_term": 1,
            }),
            status,
        )
    };
    let failed = |a: &Action, status: u16, kind: &str, reason: String| {
        (
            json!({
                "_index": a.index, "_id": a.id, "status": status,
                "error": {"type": kind, "reason": reason, "index": a.index},
            }),
            status,
        )
    };
    let Some(first) = actions.first() else {
        return Vec::new();
    };
    let served = match served_or_created(server, &first.index).await {
        Ok(served) => served,
        Err(e) => {
            return actions
                .iter()
                .map(|a| failed(a, e.status.as_u16(), e.kind, e.reason.clone()))
                .collect()
        }
    };
    let Some(live) = served.live.clone() else {
        return actions
            .iter()
            .map(|a| {
                failed(
                    a,
                    403,
                    "security_exception",
                    "writes are disabled".to_string(),
                )
            })
            .collect();
    };
    let mut out = Vec::with_capacity(actions.len());
    let mut upserts = Vec::new();
    let mut results: Vec<Option<(Value, u16)>> = Vec::with_capacity(actions.len());
    let mut seen = std::collections::HashSet::new();
    for action in actions {
        match &action.work {
            Err((status, kind, reason)) => {
                results.push(Some(failed(action, *status, kind, reason.clone())))
            }
            Ok(Work::Delete) => {
                let outcome = live.apply(Change::Delete(action.id.clone())).await;
                results.push(Some(match outcome {
                    Ok(applied) if applied.deleted => item(action, 200, "deleted"),
                    Ok(_) => item(action, 404, "not_found"),
                    Err(e) => failed(action, 500, "exception", e.to_string()),
                }));
            }
            Ok(Work::Upsert(article)) => {
                let exists =
                    seen.contains(&action.id) || served.engine.document(&action.id).is_ok();
                if action.op == "create" && exists {
                    results.push(Some(failed(
                        action,
                        409,
                        "version_conflict_engine_exception",
                        format!("[{}]: version conflict, document already exists", action.id),
                    )));
                    continue;
                }
                seen.insert(action.id.clone());
                upserts.push(article.clone());
                results.push(Some(if exists {
                    item(action, 200, "updated")
                } else {
                    item(action, 201, "created")
                }));
            }
        }
    }
    if !upserts.is_empty() {
        if let Err(error) = live.apply(Change::Upsert(upserts)).await {
            let status = if matches!(error, crate::error::Error::DiskFull) {
                507
            } else {
                500
            };
            for (action, result) in actions.iter().zip(results.iter_mut()) {
                if matches!(action.work, Ok(Work::Upsert(_)))
                    && result.as_ref().is_some_and(|r| r.1 < 300)
                {
                    *result = Some(failed(action, status, "exception", error.to_string()));
                }
            }
        }
    }
    out.extend(results.into_iter().flatten());
    out
}
