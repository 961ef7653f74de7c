//! Document endpoints: `_doc` (index, create, get, head, delete) and `_create`, and how an
//! Elasticsearch `_source` maps onto chaja's fields.

use serde_json::Map;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use super::{bulk, check_key, served, served_or_created, EsError, EsResult, Server};
use crate::error::UserError;
use crate::ingest::{self, Article};
use crate::live::Change;

/// An Elasticsearch `_source` as a chaja article with the id `id`.
pub fn article_of(id: &str, source: &Value) -> Result<Article, String> {
    let Some(fields) = source.as_object() else {
        return Err("the document must be a JSON object".to_string());
    };
    let pick = |names: &[&str]| names.iter().find_map(|n| fields.get(*n)).cloned();
    let mut doc = Map::new();
    doc.insert("id".to_string(), Value::String(id.to_string()));
    for (field, names) in [
        ("title", &["title", "headline"][..]),
        ("body", &["body", "content", "text", "message"][..]),
        ("source", &["source", "publisher"][..]),
        ("url", &["url", "link"][..]),
        (
            "published_at",
            &["published_at", "date", "@timestamp", "published"][..],
        ),
    ] {
        if let Some(value) = pick(names) {
            doc.insert(field.to_string(), value);
        }
    }
    ingest::parse_value(Value::Object(doc)).map(|(article, _)| article)
}

/// A stored document as an Elasticsearch `_source`.
pub fn source_of(doc: &crate::search::StoredDocument) -> Value {
    json!({
        "title": doc.title, "body": doc.body, "source": doc.source,
        "url": doc.url, "published_at": doc.published_at,
    })
}

fn doc_meta(index: &str, id: &str, result: &str) -> Value {
    json!({
        "_index": index, "_id": id, "_version": 1, "result": result,
        "_shards": {"total": 1, "successful": 1, "failed": 0},
        "_seq_no": 0, "_primary_term": 1,
    })
}

/// Writes one document; `create` refuses an id that exists.
pub(super) async fn write_one(
    server: &Server,
    index: &str,
    id: String,
    body: Body,
    create: bool,
) -> EsResult<(StatusCode, Json<Value>)> {
    let served = served_or_created(server, index).await?;
    let live = served.live.clone().ok_or(UserError::WritesDisabled)?;
    let limit = server.catalog.base.server.max_document_kb << 11;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        EsError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "content_too_long_exception",
            "document too large",
        )
    })?;
    let source: Value = serde_json::from_slice(&bytes).map_err(|e| {
        EsError::new(
            StatusCode::BAD_REQUEST,
            "mapper_parsing_exception",
            e.to_string(),
        )
    })?;
    let article = article_of(&id, &source)
        .map_err(|e| EsError::new(StatusCode::BAD_REQUEST, "mapper_parsing_exception", e))?;
    let exists = served.engine.document(&id).is_ok();
    if create && exists {
        return Err(EsError::new(
            StatusCode::CONFLICT,
            "version_conflict_engine_exception",
            format!("[{id}]: version conflict, document already exists"),
        ));
    }
    live.apply(Change::Upsert(vec![article])).await?;
    let (status, result) = if exists {
        (StatusCode::OK, "updated")
    } else {
        (StatusCode::CREATED, "created")
    };
    Ok((status, Json(doc_meta(index, &id, result))))
}

pub(super) async fn put_doc(
    State(server): State<Server>,
    Path((index, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> EsResult<(StatusCode, Json<Value>)> {
    check_key(&server, &headers)?;
    write_one(&server, &index, id, body, false).await
}

pub(super) async fn create_doc(
    State(server): State<Server>,
    Path((index, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> EsResult<(StatusCode, Json<Value>)> {
    check_key(&server, &headers)?;
    write_one(&server, &index, id, body, true).await
}

pub(super) async fn post_doc(
    State(server): State<Server>,
    Path(index): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> EsResult<(StatusCode, Json<Value>)> {
    check_key(&server, &headers)?;
    write_one(&server, &index, bulk::new_id(), body, true).await
}

pub(super) async fn get_doc(
    State(server): State<Server>,
    Path((index, id)): Path<(String, String)>,
) -> EsResult<(StatusCode, Json<Value>)> {
    let served = served(&server, &index)?;
    let found = served
        .engine
        .on_search_threads(move |engine| engine.document(&id).map_err(|_| id))
        .await?;
    Ok(match found {
        Ok(doc) => (
            StatusCode::OK,
            Json(json!({
                "_index": index, "_id": doc.id, "_version": 1, "_seq_no": 0, "_primary_term": 1,
                "found": true, "_source": source_of(&doc),
            })),
        ),
        Err(id) => (
            StatusCode::NOT_FOUND,
            Json(json!({"_index": index, "_id": id, "found": false})),
        ),
    })
}

pub(super) async fn head_doc(
    State(server): State<Server>,
    Path((index, id)): Path<(String, String)>,
) -> StatusCode {
    match server.catalog.get(&index) {
        Some(served) if served.engine.document(&id).is_ok() => StatusCode::OK,
        _ => StatusCode::NOT_FOUND,
    }
}

pub(super) async fn delete_doc(
    State(server): State<Server>,
    Path((index, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> EsResult<(StatusCode, Json<Value>)> {
    check_key(&server, &headers)?;
    let served = served(&server, &index)?;
    let live = served.live.clone().ok_or(UserError::WritesDisabled)?;
    let applied = live.apply(Change::Delete(id.clone())).await?;
    Ok(if applied.deleted {
        (StatusCode::OK, Json(doc_meta(&index, &id, "deleted")))
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(doc_meta(&index, &id, "not_found")),
        )
    })
}
