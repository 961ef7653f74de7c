//! Index endpoints: `_cat/indices`, and `HEAD`/`GET`/`PUT`/`DELETE /{index}` over chaja's named
//! indexes.

use axum::body::Body;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::header;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{check_key, served, EsError, EsResult, Server};
use crate::catalog::{Analysis, List};

/// `GET /_cat/indices[?format=json][&v]`.
pub(super) async fn cat_indices(
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

pub(super) async fn head_index(
    State(server): State<Server>,
    Path(index): Path<String>,
) -> StatusCode {
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

pub(super) async fn get_index(
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
pub(super) async fn create_index(
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

pub(super) async fn delete_index(
    State(server): State<Server>,
    Path(index): Path<String>,
    headers: HeaderMap,
) -> EsResult<Json<Value>> {
    check_key(&server, &headers)?;
    served(&server, &index)?;
    server.delete_index(&index)?;
    Ok(Json(json!({"acknowledged": true})))
}
