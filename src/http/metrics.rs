//! Prometheus metrics, served at `GET /metrics` in the text format: requests by route and status,
//! request latency by route, documents, commits and commit latency, the index's size on disk.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use super::AppState;
use crate::live::Committed;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
}

/// Latency buckets from 0.1 ms to about 3 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

/// The server's metrics; shared by the router and the writer thread.
pub struct Metrics {
    registry: Registry,
    requests: Family<Outcome, Counter>,
    latency: Family<Route, Histogram, fn() -> Histogram>,
    commits: Counter,
    committed_changes: Counter,
    commit_latency: Histogram,
    documents: Gauge,
    index_bytes: Gauge,
    index_dir: Option<PathBuf>,
}

impl Metrics {
    pub fn new(index_dir: Option<PathBuf>) -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("chaja");
        let requests = Family::<Outcome, Counter>::default();
        let latency =
            Family::<Route, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let commits = Counter::default();
        let committed_changes = Counter::default();
        let commit_latency = latency_histogram();
        let documents = Gauge::default();
        let index_bytes = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register("commits", "Index commits", commits.clone());
        registry.register(
            "committed_changes",
            "Write requests acknowledged by commits",
            committed_changes.clone(),
        );
        registry.register(
            "commit_duration_seconds",
            "Time from taking a batch of changes to their commit and reload",
            commit_latency.clone(),
        );
        registry.register(
            "documents",
            "Live documents in the index",
            documents.clone(),
        );
        registry.register(
            "index_size_bytes",
            "Size of the index folder on disk",
            index_bytes.clone(),
        );
        Arc::new(Metrics {
            registry,
            requests,
            latency,
            commits,
            committed_changes,
            commit_latency,
            documents,
            index_bytes,
            index_dir,
        })
    }

    fn observe(&self, route: String, status: u16, took: Duration) {
        self.latency
            .get_or_create(&Route {
                route: route.clone(),
            })
            .observe(took.as_secs_f64());
        self.requests
            .get_or_create(&Outcome {
                route,
                status: status.to_string(),
            })
            .inc();
    }

    pub fn committed(&self, commit: Committed) {
        self.commits.inc();
        self.committed_changes.inc_by(commit.changes as u64);
        self.commit_latency.observe(commit.took.as_secs_f64());
    }

    /// The text exposition, with the gauges read now.
    fn render(&self, documents: u64) -> String {
        self.documents.set(documents as i64);
        let size = self
            .index_dir
            .as_deref()
            .map_or(0, crate::indexer::dir_size);
        self.index_bytes.set(size as i64);
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// Middleware: counts each request under its route pattern and status, and times it.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    state
        .metrics
        .observe(route, response.status().as_u16(), started.elapsed());
    response
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = state.metrics.render(state.engine.num_docs());
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
}
