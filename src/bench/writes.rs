//! The write path under load: a server taking writes on a fresh index in a temporary folder, two
//! writers posting batches of 20 documents and four searchers querying, for a bounded time, over
//! keep-alive HTTP on loopback. After each acknowledged batch its last document is fetched at once:
//! a 2xx must mean searchable.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde::Serialize;

use super::http_client::{failed, percent_encode};
use super::percentile_ms;
use crate::analyzer::KoreanTokenizer;
use crate::config::Config;
use crate::error::Error;
use crate::http::{self, AppState};
use crate::indexer;
use crate::search::Engine;

/// Writers and searchers, as the acceptance run has them.
const WRITERS: usize = 2;
const SEARCHERS: usize = 4;
const BATCH: usize = 20;

#[derive(Debug, Serialize)]
pub struct WriteFigures {
    pub seconds: f64,
    pub batches: usize,
    pub documents: usize,
    pub docs_per_sec: f64,
    pub ack_p50_ms: f64,
    pub ack_p99_ms: f64,
    pub searches: usize,
    pub search_p50_ms: f64,
    pub search_p99_ms: f64,
    /// Responses with a 5xx status, writes and searches.
    pub server_errors: usize,
    /// Acknowledged documents not found by the request sent right after the acknowledgement.
    pub not_visible: usize,
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: std::net::SocketAddr) -> Result<Sender, Error> {
    let stream = tokio::net::TcpStream::connect(addr).await.map_err(failed)?;
    stream.set_nodelay(true).map_err(failed)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(failed)?;
    tokio::spawn(connection);
    Ok(sender)
}

fn get(addr: std::net::SocketAddr, path: &str) -> Result<Request<Full<Bytes>>, Error> {
    Request::get(path)
        .header(hyper::header::HOST, addr.to_string())
        .body(Full::new(Bytes::new()))
        .map_err(failed)
}

/// Sends one request, returning its status.
async fn send(sender: &mut Sender, request: Request<Full<Bytes>>) -> Result<u16, Error> {
    let response = sender.send_request(request).await.map_err(failed)?;
    let status = response.status().as_u16();
    response.into_body().collect().await.map_err(failed)?;
    Ok(status)
}

/// Posts `lines` (NDJSON documents, ids made unique here) in batches for `seconds`, with searches
/// from `queries` beside them.
pub fn run(
    lines: Vec<String>,
    queries: Vec<String>,
    seconds: f64,
    config: &Config,
    analyzer: &KoreanTokenizer,
) -> Result<WriteFigures, Error> {
    let dir = std::env::temp_dir().join(format!("chaja-bench-writes-{}", std::process::id()));
    super::clear_build_dir(&dir)?;
    let mut config = config.clone();
    config.index.dir = dir.join("index");
    let key = "bench-key-0123456789".to_string();
    config.server.api_keys = vec![key.clone()];
    config.server.max_concurrent_searches = config.search_permits().max(SEARCHERS);
    let index = indexer::open_or_create(&config.index.dir, analyzer)?;
    let engine = Engine::new(index.clone(), analyzer.clone(), &config)?;
    let (state, writer) = AppState::with_writes(
        &index,
        engine,
        config.clone(),
        Some(config.index.dir.clone()),
    )?;
    let runtime = tokio::runtime::Runtime::new()?;
    let figures = runtime.block_on(load(state, lines, queries, seconds, key))?;
    // The server is gone with the runtime; the writer makes its last commit and stops.
    drop(runtime);
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(figures)
}

async fn load(
    state: AppState,
    lines: Vec<String>,
    queries: Vec<String>,
    seconds: f64,
    key: String,
) -> Result<WriteFigures, Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(http::serve(listener, state));
    let lines = Arc::new(lines);
    let queries = Arc::new(queries);
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut writers = Vec::new();
    for _ in 0..WRITERS {
        let (lines, next, key) = (lines.clone(), next.clone(), key.clone());
        writers.push(tokio::spawn(writer(addr, lines, next, key, deadline)));
    }
    let mut searchers = Vec::new();
    for s in 0..SEARCHERS {
        let queries = queries.clone();
        searchers.push(tokio::spawn(searcher(addr, queries, s, deadline)));
    }
    let (mut acks, mut server_errors, mut not_visible, mut documents) = (Vec::new(), 0, 0, 0);
    for writer in writers {
        let (a, e, v, d) = writer.await.map_err(failed)??;
        acks.extend(a);
        server_errors += e;
        not_visible += v;
        documents += d;
    }
    let mut searches = Vec::new();
    for searcher in searchers {
        let (l, e) = searcher.await.map_err(failed)??;
        searches.extend(l);
        server_errors += e;
    }
    let wall = started.elapsed().as_secs_f64();
    server.abort();
    acks.sort_unstable();
    searches.sort_unstable();
    Ok(WriteFigures {
        seconds: wall,
        batches: acks.len(),
        documents,
        docs_per_sec: documents as f64 / wall,
        ack_p50_ms: percentile_ms(&acks, 50.0),
        ack_p99_ms: percentile_ms(&acks, 99.0),
        searches: searches.len(),
        search_p50_ms: percentile_ms(&searches, 50.0),
        search_p99_ms: percentile_ms(&searches, 99.0),
        server_errors,
        not_visible,
    })
}

/// What one writer saw: acknowledgement latencies, server errors, batches whose last document was
/// not visible right after, and documents written.
type Written = (Vec<Duration>, usize, usize, usize);

/// One writer: posts batches of `BATCH` documents (taking batch numbers from `next`) until the
/// deadline, checking after each that its last document can be read back.
async fn writer(
    addr: std::net::SocketAddr,
    lines: Arc<Vec<String>>,
    next: Arc<AtomicUsize>,
    key: String,
    deadline: Instant,
) -> Result<Written, Error> {
    let mut sender = connect(addr).await?;
    let (mut acks, mut errors, mut not_visible, mut docs) = (Vec::new(), 0, 0, 0);
    while Instant::now() < deadline {
        let batch = next.fetch_add(1, Ordering::Relaxed);
        let mut body = String::new();
        let mut last = String::new();
        for i in 0..BATCH {
            let n = batch * BATCH + i;
            let line = &lines[n % lines.len()];
            let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            last = format!("w{n}");
            doc["id"] = serde_json::Value::String(last.clone());
            body.push_str(&doc.to_string());
            body.push('\n');
        }
        let request = Request::post("/api/documents")
            .header(hyper::header::HOST, addr.to_string())
            .header(hyper::header::AUTHORIZATION, format!("Bearer {key}"))
            .header(hyper::header::CONTENT_TYPE, "application/x-ndjson")
            .body(Full::new(Bytes::from(body)))
            .map_err(failed)?;
        let t = Instant::now();
        let status = send(&mut sender, request).await?;
        acks.push(t.elapsed());
        if status >= 500 {
            errors += 1;
            continue;
        }
        docs += BATCH;
        let check = get(addr, &format!("/api/documents/{last}"))?;
        if send(&mut sender, check).await? != 200 {
            not_visible += 1;
        }
    }
    Ok((acks, errors, not_visible, docs))
}

/// One searcher: the queries from the `s`-th on, every `SEARCHERS`-th, until the deadline; their
/// latencies and server errors.
async fn searcher(
    addr: std::net::SocketAddr,
    queries: Arc<Vec<String>>,
    s: usize,
    deadline: Instant,
) -> Result<(Vec<Duration>, usize), Error> {
    let mut sender = connect(addr).await?;
    let (mut latencies, mut errors) = (Vec::new(), 0);
    let mut i = s;
    while Instant::now() < deadline && !queries.is_empty() {
        let query = &queries[i % queries.len()];
        i += SEARCHERS;
        let path = format!("/api/search?q={}&limit=10", percent_encode(query));
        let request = get(addr, &path)?;
        let t = Instant::now();
        let status = send(&mut sender, request).await?;
        latencies.push(t.elapsed());
        if status >= 500 {
            errors += 1;
        }
    }
    Ok((latencies, errors))
}
