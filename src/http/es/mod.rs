//! An Elasticsearch-compatible subset of the API, so Elasticsearch and OpenSearch clients and
//! shippers work unchanged: cluster info, index create/delete/exists (`/{index}` are chaja's named
//! indexes), `_cat/indices`, `_bulk`, `_doc`, `_refresh`, `_search` (`search`: the query DSL mapped
//! onto chaja's own query syntax and ranking), `_count` and `_analyze`. Answers carry
//! `X-Elastic-Product: Elasticsearch` (the official clients check it); errors have Elasticsearch's
//! shape, and anything not supported is a 400 naming it.

mod bulk;
mod search;

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use tower_http::set_header::SetResponseHeaderLayer;

use super::indexes::Server;
use crate::catalog::{self, Analysis, List, Served};
use crate::error::{Error, UserError};
use crate::ingest::{self, Article};
use crate::live::Change;

/// The Elasticsearch version chaja answers as: the 8.x clients accept it.
const VERSION: &str = "8.11.0";

/// The routes, for the server's router (`/api/…`, the page and its assets are routed before them).
pub fn routes() -> Router<Server> {
    Router::new()
        .route("/", get(root).head(|| async { StatusCode::OK }))
        .route("/_cat/indices", get(cat_indices))
        .route("/_cat/indices/{index}", get(cat_indices))
        .route("/_bulk", post(bulk::bulk).put(bulk::bulk))
        .route("/_analyze", get(analyze_default).post(analyze_default))
        .route("/_search", get(unsupported_all).post(unsupported_all))
        .route(
            "/{index}",
            get(get_index)
                .head(head_index)
                .put(create_index)
                .delete(delete_index),
        )
        .route("/{index}/_bulk", post(bulk::bulk_into).put(bulk::bulk_into))
        .route("/{index}/_doc", post(post_doc))
        .route(
            "/{index}/_doc/{id}",
            get(get_doc)
                .put(put_doc)
                .post(put_doc)
                .delete(delete_doc)
                .head(head_doc),
        )
        .route("/{index}/_create/{id}", put(create_doc).post(create_doc))
        .route("/{index}/_refresh", post(refresh).get(refresh))
        .route("/{index}/_search", get(search::search).post(search::search))
        .route("/{index}/_count", get(search::count).post(search::count))
        .route("/{index}/_analyze", get(analyze).post(analyze))
        .layer(SetResponseHeaderLayer::overriding(
            header::HeaderName::from_static("x-elastic-product"),
            HeaderValue::from_static("Elasticsearch"),
        ))
}

/// An answer in Elasticsearch's error shape.
#[derive(Debug)]
pub struct EsError {
    status: StatusCode,
    kind: &'static str,
    reason: String,
}

impl EsError {
    pub fn new(status: StatusCode, kind: &'static str, reason: impl Into<String>) -> EsError {
        EsError {
            status,
            kind,
            reason: reason.into(),
        }
    }

    /// A request chaja cannot answer as asked: 400 naming what.
    pub fn unsupported(what: impl Into<String>) -> EsError {
        EsError::new(StatusCode::BAD_REQUEST, "parsing_exception", what)
    }

    pub fn bad(reason: impl Into<String>) -> EsError {
        EsError::new(
            StatusCode::BAD_REQUEST,
            "illegal_argument_exception",
            reason,
        )
    }

    fn no_index(index: &str) -> EsError {
        EsError::new(
            StatusCode::NOT_FOUND,
            "index_not_found_exception",
            format!("no such index [{index}]"),
        )
    }
}

impl IntoResponse for EsError {
    fn into_response(self) -> Response {
        let cause = json!({"type": self.kind, "reason": self.reason});
        let body = json!({
            "error": {"root_cause": [cause.clone()], "type": self.kind, "reason": self.reason},
            "status": self.status.as_u16(),
        });
        (self.status, Json(body)).into_response()
    }
}

impl From<UserError> for EsError {
    fn from(error: UserError) -> EsError {
        Error::from(error).into()
    }
}

impl From<Error> for EsError {
    fn from(error: Error) -> EsError {
        match &error {
            Error::User(user) => {
                let (status, kind) = match user {
                    UserError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "security_exception"),
                    UserError::WritesDisabled => (StatusCode::FORBIDDEN, "security_exception"),
                    UserError::NotFound(_) | UserError::UnknownDocument(_) => {
                        (StatusCode::NOT_FOUND, "resource_not_found_exception")
                    }
                    UserError::Conflict(_) => {
                        (StatusCode::BAD_REQUEST, "resource_already_exists_exception")
                    }
                    UserError::PayloadTooLarge(_) => {
                        (StatusCode::PAYLOAD_TOO_LARGE, "content_too_long_exception")
                    }
                    _ => (StatusCode::BAD_REQUEST, "illegal_argument_exception"),
                };
                EsError::new(status, kind, user.to_string())
            }
            Error::DiskFull => EsError::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "cluster_block_exception",
                error.to_string(),
            ),
            _ => {
                tracing::error!(%error, "request failed");
                EsError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "exception",
                    "internal error, see the server log",
                )
            }
        }
    }
}

pub type EsResult<T> = Result<T, EsError>;

/// Writes need one of the server's keys, sent as clients send it: `Bearer <key>`, `ApiKey <key>`
/// (or its base64, or base64 of `id:key`), or basic auth with the key as the password.
pub fn check_key(server: &Server, headers: &HeaderMap) -> EsResult<()> {
    let keys = &server.catalog.base.server.api_keys;
    if keys.is_empty() {
        return Err(UserError::WritesDisabled.into());
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim();
    let (scheme, value) = given.split_once(' ').unwrap_or(("", ""));
    let value = value.trim();
    let decoded = decode_base64(value).and_then(|b| String::from_utf8(b).ok());
    let candidates: Vec<String> = match scheme.to_ascii_lowercase().as_str() {
        "bearer" => vec![value.to_string()],
        "apikey" => {
            let mut c = vec![value.to_string()];
            if let Some(d) = &decoded {
                c.push(d.clone());
                if let Some((_, key)) = d.split_once(':') {
                    c.push(key.to_string());
                }
            }
            c
        }
        "basic" => decoded
            .and_then(|d| d.split_once(':').map(|(_, p)| p.to_string()))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let matched = candidates.iter().any(|c| {
        keys.iter()
            .any(|k| super::write::same(k.trim().as_bytes(), c.as_bytes()))
    });
    if matched {
        Ok(())
    } else {
        Err(EsError::new(
            StatusCode::UNAUTHORIZED,
            "security_exception",
            "missing or wrong credentials: send the API key as `Authorization: Bearer <key>`, \
             `ApiKey <key>` or basic auth with the key as the password",
        ))
    }
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes().filter(|&b| b != b'=') {
        let value = ALPHABET.iter().position(|&a| a == byte)? as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The served index an Elasticsearch index name names.
pub fn served(server: &Server, index: &str) -> EsResult<Served> {
    if index.contains(['*', ',']) || index.starts_with('_') {
        return Err(EsError::unsupported(format!(
            "[{index}]: name one index (patterns, lists and `_all` are not supported)"
        )));
    }
    server
        .catalog
        .get(index)
        .ok_or_else(|| EsError::no_index(index))
}

/// The served index, created with chaja's defaults when a write names one that does not exist
/// (Elasticsearch's `action.auto_create_index`).
pub fn served_or_created(server: &Server, index: &str) -> EsResult<Served> {
    match served(server, index) {
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            catalog::check_name(index)?;
            Ok(server.catalog.create(index, &Analysis::default(), &[])?)
        }
        other => other,
    }
}

/// `GET /`: the cluster info clients read first; a browser (asking for HTML) gets the page.
async fn root(State(server): State<Server>, request: Request) -> Response {
    let html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if html || request.method() != Method::GET {
        return server.forward_default(request).await;
    }
    let documents: u64 = server
        .catalog
        .all()
        .iter()
        .map(|s| s.engine.num_docs())
        .sum();
    Json(json!({
        "name": "chaja",
        "cluster_name": "chaja",
        "cluster_uuid": "chaja-korean-search",
        "version": {
            "number": VERSION,
            "build_flavor": "default",
            "build_type": "chaja",
            "build_hash": env!("CARGO_PKG_VERSION"),
            "lucene_version": "9.8.0",
            "minimum_wire_compatibility_version": "7.17.0",
            "minimum_index_compatibility_version": "7.0.0",
            "distribution": "chaja",
        },
        "documents": documents,
        "tagline": "You Know, for Search",
    }))
    .into_response()
}

/// `GET /_cat/indices[?format=json][&v]`.
async fn cat_indices(
    State(server): State<Server>,
    index: Option<Path<String>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let only = index.map(|Path(i)| i);
    let rows: Vec<Value> = server
        .catalog
        .all()
        .iter()
        .filter(|s| only.as_deref().is_none_or(|o| o == s.name))
        .map(|s| {
            let info = s.info();
            let size = format!("{:.1}kb", info.bytes as f64 / 1024.0);
            json!({
                "health": "green", "status": "open", "index": info.name, "uuid": info.name,
                "pri": "1", "rep": "0", "docs.count": info.documents.to_string(),
                "docs.deleted": "0", "store.size": size, "pri.store.size": size,
            })
        })
        .collect();
    let json_format = params.iter().any(|(k, v)| k == "format" && v == "json");
    if json_format {
        return Json(Value::Array(rows)).into_response();
    }
    let columns = [
        "health",
        "status",
        "index",
        "uuid",
        "pri",
        "rep",
        "docs.count",
        "docs.deleted",
        "store.size",
        "pri.store.size",
    ];
    let mut text = String::new();
    if params.iter().any(|(k, _)| k == "v") {
        text.push_str(&columns.join(" "));
        text.push('\n');
    }
    for row in rows {
        let cells: Vec<&str> = columns
            .iter()
            .map(|c| row[c].as_str().unwrap_or(""))
            .collect();
        text.push_str(&cells.join(" "));
        text.push('\n');
    }
    ([(header::CONTENT_TYPE, "text/plain; charset=UTF-8")], text).into_response()
}

async fn head_index(State(server): State<Server>, Path(index): Path<String>) -> StatusCode {
    if server.catalog.get(&index).is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    }
}

/// The fields every chaja index has, as Elasticsearch mappings.
fn mappings() -> Value {
    json!({"properties": {
        "title": {"type": "text", "analyzer": "chaja_korean"},
        "body": {"type": "text", "analyzer": "chaja_korean"},
        "source": {"type": "keyword"},
        "url": {"type": "keyword", "index": false},
        "published_at": {"type": "date"},
    }})
}

async fn get_index(
    State(server): State<Server>,
    Path(index): Path<String>,
) -> EsResult<Json<Value>> {
    let served = served(&server, &index)?;
    Ok(Json(json!({ index.clone(): {
        "aliases": {},
        "mappings": mappings(),
        "settings": {"index": {
            "number_of_shards": "1", "number_of_replicas": "0", "provided_name": index,
            "uuid": index, "version": {"created": "8110099"},
            "analysis": {"chaja": served.info().analysis},
        }},
    }})))
}

/// `PUT /{index}`: creates a chaja index. Nori `user_dictionary_rules` in the settings become its
/// user dictionary; mappings are accepted (chaja's fields are fixed: see `GET /{index}`).
async fn create_index(
    State(server): State<Server>,
    Path(index): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> EsResult<Json<Value>> {
    check_key(&server, &headers)?;
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .map_err(|_| EsError::bad("index settings over 1 MB"))?;
    let spec: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| EsError::new(StatusCode::BAD_REQUEST, "parse_exception", e.to_string()))?
    };
    let mut rules = Vec::new();
    collect_rules(&spec["settings"], &mut rules);
    let lists: Vec<(List, String)> = if rules.is_empty() {
        Vec::new()
    } else {
        let rows: String = rules
            .iter()
            .filter_map(|rule| rule.split_whitespace().next())
            .map(|word| format!("{word},NNP,{word}\n"))
            .collect();
        vec![(List::UserDictionary, rows)]
    };
    if server.catalog.get(&index).is_some() {
        return Err(EsError::new(
            StatusCode::BAD_REQUEST,
            "resource_already_exists_exception",
            format!("index [{index}] already exists"),
        ));
    }
    let catalog = server.catalog.clone();
    let name = index.clone();
    tokio::task::spawn_blocking(move || catalog.create(&name, &Analysis::default(), &lists))
        .await
        .map_err(|e| EsError::bad(e.to_string()))??;
    Ok(Json(
        json!({"acknowledged": true, "shards_acknowledged": true, "index": index}),
    ))
}

/// Every `user_dictionary_rules` list under `settings`.
fn collect_rules(value: &Value, rules: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "user_dictionary_rules" {
                    rules.extend(
                        inner
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|r| r.as_str().map(str::to_string)),
                    );
                } else {
                    collect_rules(inner, rules);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_rules(i, rules)),
        _ => {}
    }
}

async fn delete_index(
    State(server): State<Server>,
    Path(index): Path<String>,
    headers: HeaderMap,
) -> EsResult<Json<Value>> {
    check_key(&server, &headers)?;
    served(&server, &index)?;
    server.delete_index(&index)?;
    Ok(Json(json!({"acknowledged": true})))
}

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
async fn write_one(
    server: &Server,
    index: &str,
    id: String,
    body: Body,
    create: bool,
) -> EsResult<(StatusCode, Json<Value>)> {
    let served = served_or_created(server, index)?;
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

async fn put_doc(
    State(server): State<Server>,
    Path((index, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> EsResult<(StatusCode, Json<Value>)> {
    check_key(&server, &headers)?;
    write_one(&server, &index, id, body, false).await
}

async fn create_doc(
    State(server): State<Server>,
    Path((index, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> EsResult<(StatusCode, Json<Value>)> {
    check_key(&server, &headers)?;
    write_one(&server, &index, id, body, true).await
}

async fn post_doc(
    State(server): State<Server>,
    Path(index): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> EsResult<(StatusCode, Json<Value>)> {
    check_key(&server, &headers)?;
    write_one(&server, &index, bulk::new_id(), body, true).await
}

async fn get_doc(
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

async fn head_doc(
    State(server): State<Server>,
    Path((index, id)): Path<(String, String)>,
) -> StatusCode {
    match server.catalog.get(&index) {
        Some(served) if served.engine.document(&id).is_ok() => StatusCode::OK,
        _ => StatusCode::NOT_FOUND,
    }
}

async fn delete_doc(
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

/// `_refresh`: nothing to do, a write is searchable when it is acknowledged.
async fn refresh(State(server): State<Server>, Path(index): Path<String>) -> EsResult<Json<Value>> {
    served(&server, &index)?;
    Ok(Json(
        json!({"_shards": {"total": 1, "successful": 1, "failed": 0}}),
    ))
}

async fn unsupported_all() -> EsError {
    EsError::unsupported(
        "searching every index at once is not supported: name one (/{index}/_search)",
    )
}

async fn analyze_default(State(server): State<Server>, body: Body) -> EsResult<Json<Value>> {
    analyze(State(server), Path(catalog::DEFAULT.to_string()), body).await
}

/// `_analyze`: chaja's analysis in Elasticsearch's token format; `explain` adds each token's part of
/// speech as Nori reports it.
async fn analyze(
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
        let morphemes = served.engine.analyze(text);
        for morpheme in morphemes {
            let start = base + utf16_len(&text[..morpheme.start.min(text.len())]);
            let end = base + utf16_len(&text[..morpheme.end.min(text.len())]);
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
        base += utf16_len(text) + 1;
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
