//! The HTTP half of the query benchmark: serves the engine on a free local port and sends every query
//! over keep-alive HTTP/1.1 connections (hyper's client), from one or many clients at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;

use super::{figures, QueryFigures};
use crate::config::Config;
use crate::error::{Error, InternalError};
use crate::eval::EvalQuery;
use crate::http::{self, AppState};
use crate::search::Engine;

pub(super) fn failed(e: impl std::fmt::Display) -> Error {
    Error::Internal(InternalError::Task(e.to_string()))
}

pub(super) fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn run(
    name: &str,
    engine: Engine,
    config: Config,
    queries: &[EvalQuery],
    clients: usize,
) -> Result<QueryFigures, Error> {
    let paths = queries
        .iter()
        .map(|q| format!("/api/search?q={}&limit=10", percent_encode(&q.query)))
        .collect();
    run_paths(name, engine, config, paths, clients).await
}

/// Sends every GET of `paths` (as many clients as asked, each its share, on one connection).
pub async fn run_paths(
    name: &str,
    engine: Engine,
    mut config: Config,
    paths: Vec<String>,
    clients: usize,
) -> Result<QueryFigures, Error> {
    // Enough permits that the server is not what limits the clients.
    config.server.max_concurrent_searches = config.search_permits().max(clients);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(http::serve(listener, AppState::new(engine, config)));
    let paths: Arc<Vec<String>> = Arc::new(paths);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients.max(1) {
        let paths = paths.clone();
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.map_err(failed)?;
            stream.set_nodelay(true).map_err(failed)?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(failed)?;
            tokio::spawn(connection);
            let mut latencies = Vec::new();
            let mut errors = 0;
            for path in paths.iter().skip(client).step_by(clients.max(1)) {
                let request = Request::get(path.as_str())
                    .header(hyper::header::HOST, addr.to_string())
                    .body(Empty::<Bytes>::new())
                    .map_err(failed)?;
                let t = Instant::now();
                let response = sender.send_request(request).await.map_err(failed)?;
                let ok = response.status().is_success();
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .map_err(failed)?
                    .to_bytes();
                latencies.push(t.elapsed());
                if !ok || body.is_empty() {
                    errors += 1;
                }
            }
            Ok::<(Vec<Duration>, usize), Error>((latencies, errors))
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await.map_err(failed)??;
        latencies.extend(l);
        errors += e;
    }
    let wall = started.elapsed();
    server.abort();
    Ok(figures(name, clients, errors, latencies, wall))
}
