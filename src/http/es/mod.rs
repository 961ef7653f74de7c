//! An Elasticsearch-compatible subset of the API, so Elasticsearch and OpenSearch clients and
//! shippers work unchanged: cluster info, index create/delete/exists (`/{index}` are chaja's named
//! indexes), `_cat/indices`, `_bulk`, `_doc`, `_refresh`, `_search` (`search`: the query DSL mapped
//! onto chaja's own query syntax and ranking), `_count` and `_analyze`. Answers carry
//! `X-Elastic-Product: Elasticsearch` (the official clients check it); errors have Elasticsearch's
//! shape, and anything not supported is a 400 naming it.

mod analyze;
mod bulk;
mod docs;
mod dsl;
mod indexes;
mod search;

pub use docs::{article_of, source_of};

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_http::set_header::SetResponseHeaderLayer;

use super::indexes::Server;
use crate::catalog::{self, Analysis, Served};
use crate::error::{Error, UserError};

/// The Elasticsearch version chaja answers as: the 8.x clients accept it.
const VERSION: &str = "8.11.0";

/// The routes, for the server's router (`/api/…`, the page and its assets are routed before them).
pub fn routes() -> Router<Server> {
    Router::new()
        .route("/", get(root).head(|| async { StatusCode::OK }))
        .route("/_cat/indices", get(indexes::cat_indices))
        .route("/_cat/indices/{index}", get(indexes::cat_indices))
        .route("/_bulk", post(bulk::bulk).put(bulk::bulk))
        .route(
            "/_analyze",
            get(analyze::analyze_default).post(analyze::analyze_default),
        )
        .route("/_search", get(unsupported_all).post(unsupported_all))
        .route(
            "/{index}",
            get(indexes::get_index)
                .head(indexes::head_index)
                .put(indexes::create_index)
                .delete(indexes::delete_index),
        )
        .route("/{index}/_bulk", post(bulk::bulk_into).put(bulk::bulk_into))
        .route("/{index}/_doc", post(docs::post_doc))
        .route(
            "/{index}/_doc/{id}",
            get(docs::get_doc)
                .put(docs::put_doc)
                .post(docs::put_doc)
                .delete(docs::delete_doc)
                .head(docs::head_doc),
        )
        .route(
            "/{index}/_create/{id}",
            put(docs::create_doc).post(docs::create_doc),
        )
        .route("/{index}/_refresh", post(refresh).get(refresh))
        .route("/{index}/_search", get(search::search).post(search::search))
        .route("/{index}/_count", get(search::count).post(search::count))
        .route(
            "/{index}/_analyze",
            get(analyze::analyze).post(analyze::analyze),
        )
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
pub async fn served_or_created(server: &Server, index: &str) -> EsResult<Served> {
    match served(server, index) {
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            catalog::check_name(index)?;
            let (catalog, name) = (server.catalog.clone(), index.to_string());
            let created = tokio::task::spawn_blocking(move || {
                catalog.create(&name, &Analysis::default(), &[])
            })
            .await
            .map_err(|e| EsError::bad(e.to_string()))?;
            match created {
                Ok(served) => Ok(served),
                // Two first writes at once: the other request created it.
                Err(_) if server.catalog.get(index).is_some() => served(server, index),
                Err(error) => Err(error.into()),
            }
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
