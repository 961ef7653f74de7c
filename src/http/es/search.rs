//! `_search` and `_count`: the query DSL translated into chaja's own query syntax and filters (one
//! search, chaja's ranking), the hits in Elasticsearch's shape with `_source` and `highlight`, and
//! `terms` (publisher) and `date_histogram` (publication date) aggregations from chaja's facets and
//! trend counts. A clause, option or aggregation chaja cannot honour is a 400 naming it.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};

use super::dsl::{day, one_entry, translate, DATE_FIELDS, SOURCE_FIELDS};
use super::{served, source_of, EsError, EsResult, Server};
use crate::search::{Interval, SearchRequest, Sort, TrendRequest};

/// The request body: JSON, or none (a `q=` in the URL is a query_string).
fn body_of(bytes: &[u8], params: &[(String, String)]) -> EsResult<Map<String, Value>> {
    let mut body = if bytes.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        serde_json::from_slice::<Value>(bytes)
            .map_err(|e| EsError::new(StatusCode::BAD_REQUEST, "parse_exception", e.to_string()))?
            .as_object()
            .cloned()
            .ok_or_else(|| EsError::bad("the search body must be an object"))?
    };
    for (key, value) in params {
        match key.as_str() {
            "q" => {
                body.insert("query".into(), json!({"query_string": {"query": value}}));
            }
            "size" | "from" => {
                let n: u64 = value
                    .parse()
                    .map_err(|_| EsError::bad(format!("[{key}] must be a number")))?;
                body.insert(key.clone(), json!(n));
            }
            _ => {}
        }
    }
    Ok(body)
}

async fn read(body: Body) -> EsResult<bytes::Bytes> {
    axum::body::to_bytes(body, 1 << 20)
        .await
        .map_err(|_| EsError::bad("search body over 1 MB"))
}

pub async fn search(
    State(server): State<Server>,
    Path(index): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
    body: Body,
) -> EsResult<Json<Value>> {
    let served = served(&server, &index)?;
    let body = body_of(&read(body).await?, &params)?;
    for key in body.keys() {
        let known = [
            "query",
            "from",
            "size",
            "sort",
            "highlight",
            "track_total_hits",
            "aggs",
            "aggregations",
            "_source",
            "timeout",
        ];
        if !known.contains(&key.as_str()) {
            return Err(EsError::unsupported(format!(
                "[_search] does not support [{key}]"
            )));
        }
    }
    let query = body.get("query").ok_or_else(|| {
        EsError::unsupported("a search needs a [query] with words (chaja ranks by them)")
    })?;
    let translated = translate(query)?;
    if translated.parts.is_empty() {
        return Err(EsError::unsupported(
            "the query has no words to search (filters alone are not supported)",
        ));
    }
    let config = &served.config;
    let number = |key: &str, default: usize| {
        body.get(key)
            .and_then(Value::as_u64)
            .map_or(default, |n| n as usize)
    };
    let size = number("size", 10);
    let from = number("from", 0);
    if size > config.server.max_limit || from > config.server.max_offset {
        return Err(EsError::bad(format!(
            "[size] at most {} and [from] at most {} (server.max_limit, server.max_offset)",
            config.server.max_limit, config.server.max_offset
        )));
    }
    let sort = sort_of(body.get("sort"))?;
    let request = SearchRequest {
        query: translated.query(),
        limit: size,
        offset: from,
        sources: translated.sources.clone(),
        from: translated.from,
        to: translated.to,
        sort,
        strict: false,
        group: config.search.group,
    };
    let aggs = body
        .get("aggs")
        .or_else(|| body.get("aggregations"))
        .cloned();
    let tags = highlight_tags(body.get("highlight"))?;
    let want_source = !matches!(body.get("_source"), Some(Value::Bool(false)));
    let index_name = index.clone();
    let (response, documents, trend) = served
        .engine
        .on_search_threads(move |engine| {
            let response = engine.search(&request)?;
            let documents: Vec<Option<crate::search::StoredDocument>> = if want_source {
                response
                    .hits
                    .iter()
                    .map(|h| engine.document(&h.id).ok())
                    .collect()
            } else {
                Vec::new()
            };
            let trend = match date_histogram(aggs.as_ref())? {
                Some(interval) => Some(engine.trend(&TrendRequest {
                    queries: vec![request.query.clone()],
                    interval,
                    sources: request.sources.clone(),
                    from: request.from,
                    to: request.to,
                })?),
                None => None,
            };
            Ok::<_, crate::error::Error>((response, documents, trend))
        })
        .await
        .map_err(EsError::from)?
        .map_err(EsError::from)?;
    let max_score = response
        .hits
        .iter()
        .map(|h| h.score)
        .fold(None, |m: Option<f32>, s| Some(m.map_or(s, |m| m.max(s))));
    let hits: Vec<Value> = response
        .hits
        .iter()
        .enumerate()
        .map(|(i, hit)| {
            let mut out = json!({"_index": index_name, "_id": hit.id, "_score": hit.score});
            if let Some(Some(doc)) = documents.get(i) {
                out["_source"] = source_of(doc);
            }
            if let Some((pre, post, fields)) = &tags {
                let mut highlight = Map::new();
                for field in fields {
                    let html = if field == "title" {
                        &hit.title_html
                    } else {
                        &hit.snippet
                    };
                    if html.contains("<mark>") {
                        let marked = html.replace("<mark>", pre).replace("</mark>", post);
                        highlight.insert(field.clone(), json!([marked]));
                    }
                }
                out["highlight"] = Value::Object(highlight);
            }
            out
        })
        .collect();
    let relation = if response.total_exact { "eq" } else { "gte" };
    let mut answer = json!({
        "took": response.took_ms.round() as u64,
        "timed_out": false,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": response.total, "relation": relation}, "max_score": max_score, "hits": hits},
    });
    if let Some(aggs) = body.get("aggs").or_else(|| body.get("aggregations")) {
        answer["aggregations"] = aggregations(aggs, &response.facets, trend.as_ref())?;
    }
    Ok(Json(answer))
}

fn sort_of(sort: Option<&Value>) -> EsResult<Sort> {
    let items: Vec<&Value> = match sort {
        None => return Ok(Sort::Relevance),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
    };
    let mut chosen = Sort::Relevance;
    for (n, item) in items.iter().enumerate() {
        let (field, order) = match item {
            Value::String(f) => (f.clone(), None),
            Value::Object(o) if o.len() == 1 => {
                let (f, spec) = o
                    .iter()
                    .next()
                    .map(|(f, s)| (f.clone(), s))
                    .unwrap_or_default();
                let order = spec
                    .as_str()
                    .or_else(|| spec["order"].as_str())
                    .map(str::to_string);
                (f, order)
            }
            _ => {
                return Err(EsError::unsupported(
                    "[sort] entry must be a field or {field: order}",
                ))
            }
        };
        match (field.as_str(), order.as_deref()) {
            ("_score", None | Some("desc")) if n == 0 => chosen = Sort::Relevance,
            (f, None | Some("desc")) if n == 0 && DATE_FIELDS.contains(&f) => chosen = Sort::Date,
            ("_score", _) if n > 0 => {}
            (f, order) => {
                return Err(EsError::unsupported(format!(
                    "[sort] on [{f}] {}: chaja sorts by score, or by [published_at] newest first",
                    order.unwrap_or("")
                )))
            }
        }
    }
    Ok(chosen)
}

/// `highlight`: its tags (Elasticsearch's `<em>` by default) and fields.
fn highlight_tags(highlight: Option<&Value>) -> EsResult<Option<(String, String, Vec<String>)>> {
    let Some(highlight) = highlight else {
        return Ok(None);
    };
    let tag = |key: &str, default: &str| -> String {
        highlight[key]
            .as_array()
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    let mut fields = Vec::new();
    let listed: Vec<String> = match &highlight["fields"] {
        Value::Object(o) => o.keys().cloned().collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_object()?.keys().next().cloned())
            .collect(),
        _ => return Err(EsError::unsupported("[highlight] needs [fields]")),
    };
    for field in listed {
        match field.as_str() {
            "title" | "body" => fields.push(field),
            "*" | "_all" | "content" | "text" => {
                fields.extend(["title".to_string(), "body".to_string()]);
            }
            other => {
                return Err(EsError::unsupported(format!(
                    "[highlight] on [{other}]: only [title] and [body]"
                )))
            }
        }
    }
    fields.dedup();
    Ok(Some((
        tag("pre_tags", "<em>"),
        tag("post_tags", "</em>"),
        fields,
    )))
}

/// The interval of the request's `date_histogram`, if it has one.
fn date_histogram(aggs: Option<&Value>) -> Result<Option<Interval>, crate::error::Error> {
    let Some(aggs) = aggs.and_then(Value::as_object) else {
        return Ok(None);
    };
    for spec in aggs.values() {
        if let Some(h) = spec.get("date_histogram") {
            let interval = h["calendar_interval"]
                .as_str()
                .or_else(|| h["interval"].as_str())
                .unwrap_or("auto");
            return Ok(Some(match interval {
                "day" | "1d" => Interval::Day,
                "week" | "1w" => Interval::Week,
                "month" | "1M" => Interval::Month,
                _ => Interval::Auto,
            }));
        }
    }
    Ok(None)
}

/// The `aggregations` of a search: `terms` on the publisher, `date_histogram` on the date.
fn aggregations(
    aggs: &Value,
    facets: &crate::search::facets::Facets,
    trend: Option<&crate::search::TrendResponse>,
) -> EsResult<Value> {
    let mut out = Map::new();
    for (name, spec) in aggs.as_object().into_iter().flatten() {
        let (kind, params) = one_entry("aggs", spec)?;
        let value = match kind.as_str() {
            "terms" => {
                let field = params["field"].as_str().unwrap_or_default();
                if !SOURCE_FIELDS.contains(&field) {
                    return Err(EsError::unsupported(format!("[terms] aggregation on [{field}]: only on [source]")));
                }
                let size = params["size"].as_u64().unwrap_or(10) as usize;
                let buckets: Vec<Value> = facets.source.iter().take(size).map(|f| json!({"key": f.value, "doc_count": f.count})).collect();
                let rest: u64 = facets.source.iter().skip(size).map(|f| f.count).sum();
                json!({"doc_count_error_upper_bound": 0, "sum_other_doc_count": rest, "buckets": buckets})
            }
            "date_histogram" => {
                let field = params["field"].as_str().unwrap_or_default();
                if !DATE_FIELDS.contains(&field) {
                    return Err(EsError::unsupported(format!("[date_histogram] on [{field}]: only on [published_at]")));
                }
                let buckets: Vec<Value> = trend
                    .and_then(|t| t.series.first())
                    .map(|s| s.buckets.iter().map(|b| {
                        let date = day(&b.from);
                        let millis = date.map_or(0, |d| crate::kst::midnight(d).unix_timestamp() * 1000);
                        json!({"key_as_string": b.from, "key": millis, "doc_count": b.count})
                    }).collect())
                    .unwrap_or_default();
                json!({ "buckets": buckets })
            }
            other => return Err(EsError::unsupported(format!("aggregation [{other}]: chaja has [terms] on source and [date_histogram] on published_at"))),
        };
        if spec
            .get("aggs")
            .or_else(|| spec.get("aggregations"))
            .is_some()
        {
            return Err(EsError::unsupported(format!(
                "sub-aggregations under [{name}]"
            )));
        }
        out.insert(name.clone(), value);
    }
    Ok(Value::Object(out))
}

/// `_count`: how many documents the query finds, as a search counts them.
pub async fn count(
    State(server): State<Server>,
    Path(index): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
    body: Body,
) -> EsResult<Json<Value>> {
    let served = served(&server, &index)?;
    let body = body_of(&read(body).await?, &params)?;
    let Some(query) = body.get("query") else {
        return Ok(Json(
            json!({"count": served.engine.num_docs(), "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}}),
        ));
    };
    let translated = translate(query)?;
    let request = SearchRequest {
        query: translated.query(),
        limit: 1,
        offset: 0,
        sources: translated.sources,
        from: translated.from,
        to: translated.to,
        sort: Sort::Relevance,
        strict: false,
        group: false,
    };
    let response = served
        .engine
        .on_search_threads(move |engine| engine.search(&request))
        .await
        .map_err(EsError::from)?
        .map_err(EsError::from)?;
    Ok(Json(
        json!({"count": response.total, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_is_by_score_or_newest_first() {
        assert!(matches!(sort_of(None), Ok(Sort::Relevance)));
        assert!(sort_of(Some(&json!([{"published_at": "asc"}]))).is_err());
        assert!(sort_of(Some(&json!([{"published_at": {"order": "desc"}}]))).is_ok());
        assert!(matches!(
            sort_of(Some(&json!(["_score"]))),
            Ok(Sort::Relevance)
        ));
    }
}
