//! Several named indexes in one server, dictionaries changed while it serves (with writes and
//! searches going on, and the real binary killed mid-way), snapshots, compaction, and document ids
//! kept exactly as sent.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;

use chaja::catalog::{reanalyze, snapshot, Catalog, List, Served, DEFAULT};
use chaja::config::Config;
use chaja::http::{server_router, Metrics, Server};
use chaja::live::OnCommit;

use super::live::{call as call_state, writable};
use super::support::{body_text, free_port, http, start, KEY};

/// A server over a fresh data folder in `dir`, taking writes, and its catalog.
fn server_in(dir: &Path, compact_after_secs: u64) -> (Arc<Catalog>, Router) {
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

async fn call(
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

fn docs(ids: &[String], body: &str) -> String {
    let docs: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "body": format!("{body} {id}")}))
        .collect();
    serde_json::to_string(&docs).unwrap()
}

/// The first morpheme `uri` (an analyze request) finds.
async fn first_surface(router: &Router, uri: &str) -> String {
    let (status, analysed) = call(router, "GET", uri, false, Body::empty()).await;
    assert_eq!(status, StatusCode::OK, "{analysed}");
    analysed["tokens"][0]["surface"]
        .as_str()
        .unwrap()
        .to_string()
}

const NEW_WORD: &str = "챠자랩스";

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

/// Waits for the task at `status` to end; its last state.
async fn finished(router: &Router, status: &str) -> Value {
    let started = Instant::now();
    loop {
        let (_, task) = call(router, "GET", status, false, Body::empty()).await;
        if task["status"] != "running" {
            return task;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "task still running: {task}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dictionary_change_reanalyses_while_searches_and_writes_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, router) = server_in(dir.path(), 0);
    let sample: Vec<Value> = chaja::ingest::sample()
        .take(300)
        .map(|a| {
            let a = a.unwrap();
            json!({"id": a.id, "title": a.title, "body": a.body})
        })
        .collect();
    for chunk in sample.chunks(100) {
        let (status, _) = call(
            &router,
            "POST",
            "/api/documents",
            true,
            serde_json::to_string(chunk).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let early: Vec<String> = (0..5).map(|i| format!("early-{i}")).collect();
    let body = docs(&early, &format!("{NEW_WORD}가 새 검색엔진을 내놓았다."));
    call(&router, "POST", "/api/documents", true, body).await;
    let uri = format!("/api/analyze?text={NEW_WORD}가");
    assert_ne!(first_surface(&router, &uri).await, NEW_WORD);

    let dictionary = format!(
        "{}\n{NEW_WORD},NNP,{NEW_WORD}\n",
        chaja::analyzer::BUILTIN_USER_DICTIONARY
    );
    let request = Request::builder()
        .method("PUT")
        .uri("/api/indexes/default/user-dictionary")
        .header("authorization", format!("Bearer {KEY}"))
        .header("content-type", "text/plain");
    let response = router
        .clone()
        .oneshot(request.body(Body::from(dictionary.clone())).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let accepted: Value = serde_json::from_str(&body_text(response).await).unwrap();
    let task_path = accepted["status"].as_str().unwrap().to_string();

    // Writes and searches while it runs: none fails, every acknowledged write stays.
    let mut acked = Vec::new();
    let mut round = 0;
    loop {
        let ids: Vec<String> = (0..3).map(|i| format!("during-{round}-{i}")).collect();
        let (status, _) = call(
            &router,
            "POST",
            "/api/documents",
            true,
            docs(&ids, &format!("{NEW_WORD} 기사")),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        acked.extend(ids);
        let (status, _) = call(
            &router,
            "GET",
            "/api/search?q=검색엔진",
            false,
            Body::empty(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        round += 1;
        let (_, task) = call(&router, "GET", &task_path, false, Body::empty()).await;
        if task["status"] != "running" || round > 400 {
            break;
        }
    }
    let task = finished(&router, &task_path).await;
    assert_eq!(task["status"], "succeeded", "{task}");
    // Its snapshot holds what was committed when it began (a first write may be in it).
    assert!(task["total"].as_u64().unwrap() >= 305, "{task}");
    // And after it.
    let late: Vec<String> = vec!["late-0".to_string()];
    call(
        &router,
        "POST",
        "/api/documents",
        true,
        docs(&late, &format!("{NEW_WORD}의 다음 기사")),
    )
    .await;
    acked.extend(late);

    assert_eq!(
        first_surface(&router, &uri).await,
        NEW_WORD,
        "analysed as one noun now"
    );
    for id in early.iter().chain(&acked) {
        let (status, _) = call(
            &router,
            "GET",
            &format!("/api/documents/{id}"),
            false,
            Body::empty(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{id} lost");
    }
    let (_, info) = call(&router, "GET", "/api/indexes/default", false, Body::empty()).await;
    assert_eq!(info["documents"], 305 + acked.len());
    let (_, list) = call(
        &router,
        "GET",
        "/api/indexes/default/user-dictionary",
        false,
        Body::empty(),
    )
    .await;
    assert_eq!(list["text"], dictionary);
    assert!(!dir.path().join("index.next").exists() && !dir.path().join("index.old").exists());

    // Synonyms apply to the next search, without re-analysis.
    let (_, before) = call(&router, "GET", "/api/search?q=찾아랩", false, Body::empty()).await;
    assert_eq!(before["total"], 0);
    let (status, _) = call(
        &router,
        "PUT",
        "/api/indexes/default/synonyms",
        true,
        json!([format!("{NEW_WORD}, 찾아랩")]).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = call(&router, "GET", "/api/search?q=찾아랩", false, Body::empty()).await;
    assert!(after["total"].as_u64().unwrap() >= 5, "{after}");
    drop(router);
    catalog.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_under_writes_holds_every_document_acknowledged_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, router) = server_in(dir.path(), 0);
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (router, acked, stop) = (router.clone(), acked.clone(), stop.clone());
        tokio::spawn(async move {
            for batch in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let ids: Vec<String> = (0..4).map(|i| format!("s-{batch}-{i}")).collect();
                let (status, _) = call(
                    &router,
                    "POST",
                    "/api/documents",
                    true,
                    docs(&ids, "스냅샷 기사 본문"),
                )
                .await;
                assert_eq!(status, StatusCode::OK);
                acked.lock().unwrap().extend(ids);
            }
        })
    };
    while acked.lock().unwrap().len() < 40 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before: Vec<String> = acked.lock().unwrap().clone();
    let (status, taken) = call(
        &router,
        "POST",
        "/api/indexes/default/snapshots",
        true,
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{taken}");
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    let snapshot_dir = Path::new(taken["path"].as_str().unwrap()).to_path_buf();

    let restored = dir.path().join("restored");
    let documents = snapshot::restore(&snapshot_dir, &restored).unwrap();
    assert!(documents >= before.len() as u64);
    assert_eq!(documents, taken["documents"].as_u64().unwrap());
    let config = Config::default();
    let engine = {
        let analyzer = super::support::analyzer();
        let index = chaja::indexer::open_existing(&restored, &analyzer).unwrap();
        chaja::search::Engine::new(index, analyzer, &config).unwrap()
    };
    for id in &before {
        assert!(
            engine.document(id).is_ok(),
            "{id} was acknowledged before the snapshot"
        );
    }
    // A restore never writes over an index.
    let again = snapshot::restore(&snapshot_dir, &restored);
    assert!(again.unwrap_err().to_string().contains("not empty"));
    drop(router);
    catalog.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_small_batches_are_compacted_to_a_segment_per_core() {
    let dir = tempfile::tempdir().unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (catalog, router) = server_in(dir.path(), 1);
    let (status, _) = call(&router, "PUT", "/api/indexes/feed", true, Body::empty()).await;
    assert_eq!(status, StatusCode::CREATED);
    for batch in 0..200 {
        let ids: Vec<String> = (0..3).map(|i| format!("f-{batch}-{i}")).collect();
        let (status, _) = call(
            &router,
            "POST",
            "/api/indexes/feed/documents",
            true,
            docs(&ids, "작은 배치로 들어온 기사"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, info) = call(&router, "GET", "/api/indexes/feed", false, Body::empty()).await;
    let fed = info["segments"].as_u64().unwrap() as usize;
    assert!(
        fed > cores + 1,
        "a write-fed index has many segments: {fed}"
    );
    // Quiet for a second: compacted in the background.
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (_, info) = call(&router, "GET", "/api/indexes/feed", false, Body::empty()).await;
        if info["segments"].as_u64().unwrap() as usize <= cores + 1 {
            assert_eq!(info["documents"], 600);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not compacted: {info}"
        );
    }
    // Nothing left to merge; the documents are all there.
    let (status, optimized) = call(
        &router,
        "POST",
        "/api/indexes/feed/optimize?wait=true",
        true,
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{optimized}");
    assert!(optimized["segments"].as_u64().unwrap() as usize <= cores + 1);
    let (_, found) = call(
        &router,
        "GET",
        "/api/indexes/feed/search?q=배치",
        false,
        Body::empty(),
    )
    .await;
    assert_eq!(found["total"], 600);
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

#[test]
fn kill_9_during_a_reanalysis_leaves_one_complete_generation() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port);
    let sample: Vec<Value> = chaja::ingest::sample()
        .map(|a| {
            let a = a.unwrap();
            json!({"id": a.id, "title": a.title, "body": a.body})
        })
        .collect();
    for chunk in sample.chunks(200) {
        let (status, _) = http(
            port,
            "POST",
            "/api/documents",
            &serde_json::to_string(chunk).unwrap(),
        )
        .unwrap();
        assert_eq!(status, 200);
    }
    let mut acknowledged: Vec<String> = Vec::new();
    let dictionary = json!(format!("{NEW_WORD},NNP,{NEW_WORD}\n")).to_string();
    for (round, wait_ms) in [50u64, 600, 2500].into_iter().enumerate() {
        let (status, _) = http(
            port,
            "PUT",
            "/api/indexes/default/user-dictionary",
            &dictionary,
        )
        .unwrap();
        assert_eq!(status, 202);
        let acked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (acked, stop) = (acked.clone(), stop.clone());
            std::thread::spawn(move || {
                for batch in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let ids: Vec<String> =
                        (0..5).map(|i| format!("k{round}-{batch}-{i}")).collect();
                    match http(
                        port,
                        "POST",
                        "/api/documents",
                        &docs(&ids, "재분석 중 기사"),
                    ) {
                        Some((200, _)) => acked.lock().unwrap().extend(ids),
                        _ => break,
                    }
                }
            })
        };
        std::thread::sleep(Duration::from_millis(wait_ms));
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
        acknowledged.extend(acked.lock().unwrap().iter().cloned());

        server = start(dir.path(), port);
        let (_, info) = http(port, "GET", "/api/indexes/default", "").unwrap();
        let info: Value = serde_json::from_str(&info).unwrap();
        // Every acknowledged batch, and at most the batch whose commit the kill cut off from its
        // answer (committed, never acknowledged) in each round so far.
        let documents = info["documents"].as_u64().unwrap() as usize;
        let least = sample.len() + acknowledged.len();
        assert!(
            (least..=least + 5 * (round + 1)).contains(&documents),
            "round {round}: {documents} documents, {least} acknowledged: {info}"
        );
        for id in &acknowledged {
            let found = http(port, "GET", &format!("/api/documents/{id}"), "").map(|(s, _)| s);
            assert_eq!(
                found,
                Some(200),
                "round {round}: {id} was acknowledged, then lost"
            );
        }
        let generation = match info["analysis"]["user_dictionary_rows"].as_u64() {
            Some(1) => "new",
            _ => "old",
        };
        eprintln!("round {round}: killed {wait_ms} ms into the re-analysis: the {generation} generation serves");
        let leftovers: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("live-index."))
            .collect();
        assert!(leftovers.is_empty(), "round {round}: {leftovers:?}");
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn chaja_reindex_applies_a_new_dictionary_offline() {
    let dir = tempfile::tempdir().unwrap();
    let index_dir = dir.path().join("index");
    let config = Config::default();
    let analyzer = super::support::analyzer();
    let index = chaja::indexer::open_or_create(&index_dir, &analyzer).unwrap();
    let mut items: Vec<_> = chaja::ingest::sample().take(50).collect();
    items.push(super::support::article(
        "new",
        "",
        &format!("{NEW_WORD}가 새 검색엔진을 내놓았다."),
    ));
    chaja::indexer::index_articles(&index, &config, items).unwrap();
    drop(index);
    let dictionary = format!("{NEW_WORD},NNP,{NEW_WORD}\n");
    let refused = reanalyze::offline(&index_dir, &config, List::UserDictionary, "one,two\n");
    assert!(refused.unwrap_err().to_string().contains("line 1"));
    let documents =
        reanalyze::offline(&index_dir, &config, List::UserDictionary, &dictionary).unwrap();
    assert_eq!(documents, 51);
    // The index keeps its own list: whoever opens it analyses with it.
    let resolved = chaja::catalog::resolve(&index_dir, &config);
    let analyzer = chaja::analyzer::KoreanTokenizer::new(&resolved.analyzer).unwrap();
    let index = chaja::indexer::open_existing(&index_dir, &analyzer).unwrap();
    let engine = chaja::search::Engine::new(index, analyzer, &resolved).unwrap();
    assert_eq!(engine.num_docs(), 51);
    let terms: Vec<String> = engine
        .analyze(&format!("{NEW_WORD}가"))
        .into_iter()
        .flat_map(|m| m.indexed.into_iter().map(|i| i.term))
        .collect();
    assert_eq!(terms, [NEW_WORD]);
    assert!(!dir.path().join("index.next").exists());
}
