//! The write API: every mistake a 4xx with a clear JSON message and nothing valid lost, writes
//! visible to the next search, and the real binary killed with SIGKILL mid-stream keeping every
//! acknowledged document; SIGTERM finishes what it acknowledged.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use chaja::config::Config;
use chaja::http::{router, AppState};
use chaja::indexer;
use chaja::search::Engine;

use super::support::{analyzer, free_port, http, start, KEY};

/// A server state taking writes on a fresh index in `dir`, and its writer thread.
pub(super) fn writable(dir: &std::path::Path) -> AppState {
    let mut config = Config::default();
    config.index.dir = dir.join("index");
    config.server.api_keys = vec![KEY.to_string()];
    config.server.max_body_mb = 1;
    config.server.max_batch_documents = 5;
    config.server.max_document_kb = 4;
    let index = indexer::open_or_create(&config.index.dir, &analyzer()).unwrap();
    let engine = Engine::new(index.clone(), analyzer(), &config).unwrap();
    AppState::with_writes(&index, engine, config, None)
        .unwrap()
        .0
}

pub(super) async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    key: Option<&str>,
    content_type: &str,
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", content_type);
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    super::support::json_response(state.clone(), request.body(body.into()).unwrap()).await
}

pub(super) async fn post(state: &AppState, key: Option<&str>, body: &str) -> (StatusCode, Value) {
    call(
        state,
        "POST",
        "/api/documents",
        key,
        "application/json",
        body.to_string(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_searchable_when_acknowledged_and_mistakes_are_4xx() {
    let dir = tempfile::tempdir().unwrap();
    let state = writable(dir.path());
    let good = r#"[{"id":"w1","title":"서울 첫눈","body":"서울에 첫눈이 내렸다."}]"#;

    // Keys.
    let (status, body) = post(&state, None, good).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, _) = post(&state, Some("wrong-key-0123456789"), good).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let read_only = super::support::sample_state();
    let (status, body) = post(&read_only, Some(KEY), good).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("CHAJA_API_KEY"),
        "{body}"
    );

    // Acknowledged means searchable, at once.
    let (status, body) = post(&state, Some(KEY), good).await;
    assert_eq!(
        (status, body["indexed"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{body}"
    );
    let (status, found) = call(
        &state,
        "GET",
        "/api/search?q=%EC%B2%AB%EB%88%88",
        None,
        "",
        "",
    )
    .await;
    assert_eq!((status, found["total"].as_u64()), (StatusCode::OK, Some(1)));

    // A batch with bad documents keeps the good ones (207) and says which failed and why.
    let mixed = r#"[{"id":"w1","body":"서울에 폭설이 내렸다."},{"body":"아이디 없음"},{"id":["x"],"body":"타입"},
                   {"id":"w2","body":"부산 불꽃축제"},{"id":"w3","body":"날짜","date":"어제"}]"#;
    let (status, body) = post(&state, Some(KEY), mixed).await;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
    assert_eq!(
        (body["indexed"].as_u64(), body["replaced"].as_u64()),
        (Some(1), Some(1))
    );
    let errors: Vec<(u64, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["index"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0], (1, "missing id".to_string()));
    assert!(
        errors[1].0 == 2 && errors[1].1.contains("id must be"),
        "{errors:?}"
    );
    assert!(
        errors[2].0 == 4 && errors[2].1.contains("bad date"),
        "{errors:?}"
    );
    let (_, found) = call(
        &state,
        "GET",
        "/api/search?q=%ED%8F%AD%EC%84%A4",
        None,
        "",
        "",
    )
    .await;
    assert_eq!(
        found["total"].as_u64(),
        Some(1),
        "the replacement is searchable"
    );

    // NDJSON.
    let ndjson =
        "{\"id\":\"n1\",\"body\":\"한 줄에 하나\"}\n{\"id\":\"n2\",\"body\":\"둘째 줄\"}\n";
    let (status, body) = call(
        &state,
        "POST",
        "/api/documents",
        Some(KEY),
        "application/x-ndjson",
        ndjson,
    )
    .await;
    assert_eq!(
        (status, body["indexed"].as_u64()),
        (StatusCode::OK, Some(2)),
        "{body}"
    );

    // Whole-request mistakes.
    for (payload, status, code) in [
        ("[]", StatusCode::BAD_REQUEST, "bad_payload"),
        ("", StatusCode::BAD_REQUEST, "bad_payload"),
        ("{\"id\":", StatusCode::BAD_REQUEST, "bad_payload"),
        ("\"text\"", StatusCode::BAD_REQUEST, "bad_payload"),
        (
            "[{\"body\":\"아이디 없음\"}]",
            StatusCode::BAD_REQUEST,
            "bad_payload",
        ),
    ] {
        let (got, body) = post(&state, Some(KEY), payload).await;
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{payload}: {body}"
        );
    }
    let six: Vec<String> = (0..6)
        .map(|i| format!("{{\"id\":\"m{i}\",\"body\":\"본문\"}}"))
        .collect();
    let (status, body) = post(&state, Some(KEY), &format!("[{}]", six.join(","))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );
    let big_doc = format!("[{{\"id\":\"big\",\"body\":\"{}\"}}]", "가".repeat(2_000));
    let (status, body) = post(&state, Some(KEY), &big_doc).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("max_document_kb"),
        "{body}"
    );
    let huge = format!("[{{\"id\":\"huge\",\"body\":\"{}\"}}]", "a".repeat(2 << 20));
    let (status, body) = post(&state, Some(KEY), &huge).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );

    // Deletes.
    let (status, _) = call(&state, "DELETE", "/api/documents/w2", Some(KEY), "", "").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(&state, "DELETE", "/api/documents/w2", Some(KEY), "", "").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = call(&state, "DELETE", "/api/documents/w1", None, "", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, health) = call(&state, "GET", "/health", None, "", "").await;
    assert_eq!(
        health["documents"].as_u64(),
        Some(3),
        "w1, n1, n2: nothing valid was lost"
    );

    // The metrics saw it all.
    let response = router(state.clone())
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let text = super::support::body_text(response).await;
    for needle in [
        "chaja_http_requests_total{route=\"/api/documents\",status=\"207\"} 1",
        "chaja_commits_total",
        "chaja_commit_duration_seconds_bucket",
        "chaja_documents 3",
        "chaja_index_size_bytes",
    ] {
        assert!(text.contains(needle), "{needle} in\n{text}");
    }
}

/// The suggestions offered for `typed`.
async fn suggested(state: &AppState, typed: &str) -> Vec<String> {
    let encoded: String = typed.bytes().map(|b| format!("%{b:02X}")).collect();
    let uri = format!("/api/suggest?q={encoded}&limit=5");
    let (status, body) = call(state, "GET", &uri, None, "application/json", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["suggestions"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|s| s["text"].as_str())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_learn_the_words_of_written_articles() {
    let dir = tempfile::tempdir().unwrap();
    let state = writable(dir.path());
    let first = r#"[{"id":"s1","title":"서울 첫눈","body":"서울에 첫눈이 내렸다."}]"#;
    assert_eq!(post(&state, Some(KEY), first).await.0, StatusCode::OK);
    assert!(suggested(&state, "함박").await.is_empty());
    // A word is suggested once two articles have it.
    let second = r#"[{"id":"s2","title":"함박눈 대설","body":"함박눈이 밤새 내렸다."},
        {"id":"s3","title":"출근길 함박눈","body":"출근길에 함박눈이 쏟아졌다."}]"#;
    assert_eq!(post(&state, Some(KEY), second).await.0, StatusCode::OK);
    // The suggester is rebuilt off the request path, at most every 2 s: asked until it has the
    // new word (or 30 s pass, a failure).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if suggested(&state, "함박")
            .await
            .iter()
            .any(|s| s == "함박눈")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "함박눈 never suggested"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn kill_9_mid_stream_keeps_every_acknowledged_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut acknowledged: Vec<String> = Vec::new();
    for round in 0..3 {
        let port = free_port();
        let mut server = start(dir.path(), port);
        let acked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let (acked, stop) = (acked.clone(), stop.clone());
                std::thread::spawn(move || {
                    for batch in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let ids: Vec<String> = (0..20)
                            .map(|i| format!("r{round}-w{w}-b{batch}-{i}"))
                            .collect();
                        let docs: Vec<String> = ids
                            .iter()
                            .map(|id| {
                                format!("{{\"id\":\"{id}\",\"body\":\"{id} 기사 본문입니다.\"}}")
                            })
                            .collect();
                        match http(
                            port,
                            "POST",
                            "/api/documents",
                            &format!("[{}]", docs.join(",")),
                        ) {
                            Some((200, _)) => acked.lock().unwrap().extend(ids),
                            _ => break, // killed: what was not acknowledged may be lost
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(400 + 200 * round));
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for writer in writers {
            writer.join().unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        assert!(
            acked.len() >= 20,
            "round {round}: some batches were acknowledged"
        );
        acknowledged.extend(acked);
        // Restarts at once (no stale lock) with every acknowledged document in it.
        let port = free_port();
        let mut server = start(dir.path(), port);
        for id in &acknowledged {
            let found = http(port, "GET", &format!("/api/documents/{id}"), "").map(|(s, _)| s);
            assert_eq!(
                found,
                Some(200),
                "round {round}: {id} was acknowledged, then lost"
            );
        }
        server.kill().unwrap();
        server.wait().unwrap();
    }
}

#[test]
fn sigterm_finishes_in_flight_writes_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port);
    let (status, _) = http(
        port,
        "POST",
        "/api/documents",
        r#"[{"id":"t1","body":"종료 전 기사"}]"#,
    )
    .unwrap();
    assert_eq!(status, 200);
    // One writer per index: `chaja index` is refused while the server takes writes.
    std::fs::write(
        dir.path().join("more.jsonl"),
        "{\"id\":\"m1\",\"body\":\"본문\"}\n",
    )
    .unwrap();
    let indexing = Command::new(env!("CARGO_BIN_EXE_chaja"))
        .args([
            "index",
            "--input",
            "more.jsonl",
            "--index-dir",
            "live-index",
        ])
        .current_dir(dir.path())
        .env("CHAJA_LOG", "warn")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&indexing.stderr);
    assert!(!indexing.status.success());
    assert!(stderr.contains("POST /api/documents"), "{stderr}");
    let pid = server.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let exit = server.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let port = free_port();
    let mut server = start(dir.path(), port);
    assert_eq!(
        http(port, "GET", "/api/documents/t1", "").map(|(s, _)| s),
        Some(200)
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
