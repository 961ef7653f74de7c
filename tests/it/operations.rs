//! Running it for real: a dictionary change re-analyses an index while searches and writes go on (and
//! the real binary killed during one restarts on one complete generation), snapshots under writes,
//! compaction of a write-fed index, and `chaja reindex` offline.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;

use chaja::catalog::{reanalyze, snapshot, List};
use chaja::config::Config;

use super::indexes::{call, docs, first_surface, server_in, NEW_WORD};
use super::support::{body_text, free_port, http, start, KEY};

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
async fn two_hundred_small_batches_are_compacted_into_one_segment() {
    let dir = tempfile::tempdir().unwrap();
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
    assert!(fed > 2, "a write-fed index has many segments: {fed}");
    // Quiet for a second: compacted in the background.
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (_, info) = call(&router, "GET", "/api/indexes/feed", false, Body::empty()).await;
        // One, and the newest commit's when it came after the plan.
        if info["segments"].as_u64().unwrap() <= 2 {
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
    assert_eq!(optimized["segments"], 1, "{optimized}");
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

#[test]
fn kill_9_during_a_reanalysis_leaves_one_complete_generation() {
    let dir = tempfile::tempdir().unwrap();
    let mut port = free_port();
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

        port = free_port();
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
