//! Several named indexes in one server, each with its own analysis, and document ids kept exactly as
//! sent.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;

use chaja::catalog::{Catalog, Served, DEFAULT};
use chaja::config::Config;
use chaja::http::{server_router, Metrics, Server};
use chaja::live::OnCommit;

use super::live::{call as call_state, writable};
use super::support::{body_text, KEY};

/// A server over a fresh data folder in `dir`, taking writes, and its catalog.
pub(super) fn server_in(dir: &Path, compact_after_secs: u64) -> (Arc<Catalog>, Router) {
    let mut config = Config::default();
    config.index.dir = dir.join("index");
    config.index.named_dir = dir.join("indexes");
    config.index.snapshot_dir = dir.join("snapshots");
    config.index.compact_after_secs = compact_after_secs;
    config.server.api_keys = vec![KEY.to_string()];
    let metrics = Metrics::new(None);
    let on_commit: OnCommit = {
        let metrics = metrics.clone();
        Arc::new(move |c| metrics.committed(c))
    };
    let report = on_commit.clone();
    let (default, thread) = Served::open(DEFAULT, &config.index.dir, &config, true, move |c| {
        report(c)
    })
    .unwrap();
    let catalog = Arc::new(Catalog::new(config, default, thread, on_commit));
    let router = server_router(Server::new(catalog.clone(), metrics));
    (catalog, router)
}

pub(super) async fn call(
    router: &Router,
    method: &str,
    uri: &str,
    key: bool,
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if key {
        request = request.header("authorization", format!("Bearer {KEY}"));
    }
    let response = router
        .clone()
        .oneshot(request.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let text = body_text(response).await;
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, json)
}

pub(super) fn docs(ids: &[String], body: &str) -> String {
    let docs: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "body": format!("{body} {id}")}))
        .collect();
    serde_json::to_string(&docs).unwrap()
}

/// The first morpheme `uri` (an analyze request) finds.
pub(super) async fn first_surface(router: &Router, uri: &str) -> String {
    let (status, analysed) = call(router, "GET", uri, false, Body::empty()).await;
    assert_eq!(status, StatusCode::OK, "{analysed}");
    analysed["tokens"][0]["surface"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(super) const NEW_WORD: &str = "챠자랩스";
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_indexes_with_their_own_dictionaries_analyse_the_same_text_apart() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, router) = server_in(dir.path(), 0);
    let spec = json!({"user_dictionary": [format!("{NEW_WORD},NNP,{NEW_WORD}")]});
    let (status, a) = call(&router, "PUT", "/api/indexes/a", true, spec.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["analysis"]["user_dictionary_rows"], 1);
    let (status, _) = call(&router, "PUT", "/api/indexes/b", true, Body::empty()).await;
    assert_eq!(status, StatusCode::CREATED);

    let text = format!("text={NEW_WORD}가");
    let in_a = first_surface(&router, &format!("/api/indexes/a/analyze?{text}")).await;
    let in_b = first_surface(&router, &format!("/api/indexes/b/analyze?{text}")).await;
    assert_eq!(in_a, NEW_WORD, "a's dictionary has the word");
    assert_ne!(in_b, NEW_WORD, "b's does not");

    // Every endpoint of an index under its name; the old paths serve the default index.
    let ids = vec!["a-1".to_string(), "a-2".to_string()];
    let body = docs(&ids, &format!("{NEW_WORD}가 새 검색엔진을 내놓았다."));
    let (status, written) = call(&router, "POST", "/api/indexes/a/documents", true, body).await;
    assert_eq!(
        (status, written["indexed"].clone()),
        (StatusCode::OK, json!(2))
    );
    let q = format!("q={NEW_WORD}");
    let (_, found) = call(
        &router,
        "GET",
        &format!("/api/indexes/a/search?{q}"),
        false,
        Body::empty(),
    )
    .await;
    assert_eq!(found["total"], 2);
    let (_, found) = call(
        &router,
        "GET",
        &format!("/api/indexes/b/search?{q}"),
        false,
        Body::empty(),
    )
    .await;
    assert_eq!(found["total"], 0);
    let (_, found) = call(
        &router,
        "GET",
        &format!("/api/search?{q}"),
        false,
        Body::empty(),
    )
    .await;
    assert_eq!(found["total"], 0, "the default index is another one");
    let (status, doc) = call(
        &router,
        "GET",
        "/api/indexes/a/documents/a-1",
        false,
        Body::empty(),
    )
    .await;
    assert_eq!((status, doc["id"].clone()), (StatusCode::OK, json!("a-1")));
    let (status, doc) = call(
        &router,
        "GET",
        "/api/documents/missing",
        false,
        Body::empty(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the old paths answer as before: {doc}"
    );
    let (status, _) = call(&router, "GET", "/health", false, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = call(&router, "GET", "/api/indexes", false, Body::empty()).await;
    let names: Vec<&str> = list["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "default"]);
    assert_eq!(list["indexes"][0]["documents"], 2);

    // Mistakes are 4xx with a JSON error; admin needs the key.
    let bad_line = json!({"user_dictionary": format!("{NEW_WORD},NNP,{NEW_WORD}\nnot a row\n")});
    let refusals = [
        ("PUT", "/api/indexes/Bad!Name", true, String::new(), 400),
        ("PUT", "/api/indexes/a", true, String::new(), 409),
        ("PUT", "/api/indexes/c", false, String::new(), 401),
        ("PUT", "/api/indexes/c", true, "{not json".to_string(), 400),
        (
            "PUT",
            "/api/indexes/c",
            true,
            json!({"colour": 1}).to_string(),
            400,
        ),
        ("PUT", "/api/indexes/c", true, bad_line.to_string(), 400),
        ("GET", "/api/indexes/nope", false, String::new(), 404),
        (
            "GET",
            "/api/indexes/nope/search?q=x",
            false,
            String::new(),
            404,
        ),
        ("DELETE", "/api/indexes/default", true, String::new(), 400),
        ("DELETE", "/api/indexes/b", false, String::new(), 401),
        (
            "PUT",
            "/api/indexes/a/hanja",
            true,
            "\"美 미국\\nnot hanja\"".to_string(),
            400,
        ),
        (
            "PUT",
            "/api/indexes/a/user-dictionary",
            false,
            String::new(),
            401,
        ),
        (
            "POST",
            "/api/indexes/a/snapshots",
            false,
            String::new(),
            401,
        ),
        ("POST", "/api/indexes/a/optimize", false, String::new(), 401),
        ("GET", "/api/tasks/abc", false, String::new(), 400),
        ("GET", "/api/tasks/999", false, String::new(), 404),
    ];
    for (method, uri, key, body, want) in refusals {
        let (status, error) = call(&router, method, uri, key, body).await;
        assert_eq!(status.as_u16(), want, "{method} {uri}: {error}");
        assert!(
            error["error"]["message"].is_string(),
            "{method} {uri}: {error}"
        );
    }
    let (_, error) = call(&router, "PUT", "/api/indexes/c", true, bad_line.to_string()).await;
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 2"),
        "{error}"
    );
    assert!(
        !dir.path().join("indexes/c").exists(),
        "a refused index leaves nothing"
    );

    // Deleting frees the name at once.
    let (status, _) = call(&router, "DELETE", "/api/indexes/b", true, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &router,
        "GET",
        "/api/indexes/b/search?q=x",
        false,
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&router, "PUT", "/api/indexes/b", true, Body::empty()).await;
    assert_eq!(status, StatusCode::CREATED);
    drop(router);
    catalog.close();

    // A restarted server finds the named indexes with their own settings.
    let (catalog, router) = server_in(dir.path(), 0);
    catalog.open_named();
    let in_a = first_surface(&router, &format!("/api/indexes/a/analyze?{text}")).await;
    assert_eq!(in_a, NEW_WORD);
    let (_, found) = call(
        &router,
        "GET",
        &format!("/api/indexes/a/search?{q}"),
        false,
        Body::empty(),
    )
    .await;
    assert_eq!(found["total"], 2);
    drop(router);
    catalog.close();
}

/// `id` percent-encoded as a path segment.
fn segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_ids_are_kept_exactly_as_sent_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = writable(dir.path());
    let kept = [
        " lead-space",
        "trail-space ",
        "a/b",
        "100%",
        "what?x=1",
        "e\u{301}clair",
        "기사/2025?#1",
    ];
    let refused = ["tab\tid", "line\nid", "nul\u{0}"];
    let documents: Vec<Value> = kept
        .iter()
        .chain(&refused)
        .map(|id| json!({"id": id, "body": "본문입니다."}))
        .collect();
    for chunk in documents.chunks(5) {
        let (status, written) = call_state(
            &state,
            "POST",
            "/api/documents",
            Some(KEY),
            "application/json",
            serde_json::to_string(chunk).unwrap(),
        )
        .await;
        assert!(
            status == StatusCode::OK || status == StatusCode::MULTI_STATUS,
            "{written}"
        );
        for error in written["errors"].as_array().unwrap() {
            assert!(
                error["message"]
                    .as_str()
                    .unwrap()
                    .contains("control character"),
                "{error}"
            );
        }
    }
    for id in kept {
        let uri = format!("/api/documents/{}", segment(id));
        let (status, doc) = call_state(&state, "GET", &uri, None, "", Body::empty()).await;
        assert_eq!(
            (status, doc["id"].as_str()),
            (StatusCode::OK, Some(id)),
            "{id:?}"
        );
        let (status, _) = call_state(&state, "DELETE", &uri, Some(KEY), "", Body::empty()).await;
        assert_eq!(status, StatusCode::OK, "{id:?}");
        let (status, _) = call_state(&state, "GET", &uri, None, "", Body::empty()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id:?} deleted");
    }
    for id in refused {
        let uri = format!("/api/documents/{}", segment(id));
        let (status, _) = call_state(&state, "GET", &uri, None, "", Body::empty()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id:?} was refused");
    }
    // The trimmed forms were never written.
    let (status, _) = call_state(
        &state,
        "GET",
        "/api/documents/lead-space",
        None,
        "",
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elasticsearch_writes_create_their_index_once_even_at_the_same_time() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, router) = server_in(dir.path(), 0);
    let doc =
        |id: &str| json!({"title": "첫 기사", "body": format!("{NEW_WORD} 기사 {id}")}).to_string();
    let (a, b) = tokio::join!(
        call(&router, "PUT", "/wire/_doc/1", true, doc("1")),
        call(&router, "PUT", "/wire/_doc/2", true, doc("2")),
    );
    assert_eq!(
        (a.0, b.0),
        (StatusCode::CREATED, StatusCode::CREATED),
        "{} {}",
        a.1,
        b.1
    );
    let (status, found) = call(&router, "GET", "/wire/_doc/2", false, Body::empty()).await;
    assert_eq!(
        (status, found["found"].clone()),
        (StatusCode::OK, json!(true))
    );
    let (status, _) = call(&router, "PUT", "/wire/_doc/3", false, doc("3")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "writes need the key");
    drop(router);
    catalog.close();
}
