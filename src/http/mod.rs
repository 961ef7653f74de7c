//! The HTTP service: `router(state)` with the JSON API, health check and search page, plus the server
//! loop with graceful shutdown. Handlers validate input and call `search`; they do no ranking.

mod error;
mod es;
mod indexes;
pub use indexes::{server_router, Server};
mod metrics;
pub use metrics::Metrics;
mod news;
pub use news::{related_request, trend_request};
mod page;
mod params;
mod typing;
mod write;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use write::parse_payload;

use crate::config::Config;
use crate::error::{Error, InternalError};
use crate::live::Live;
use crate::search::{Engine, SearchResponse, StoredDocument};
use params::Params;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub config: Arc<Config>,
    permits: Arc<Semaphore>,
    /// The live index, when the server takes writes.
    live: Option<Live>,
    metrics: Arc<Metrics>,
}

impl AppState {
    /// A read-only server: writes are refused.
    pub fn new(engine: Engine, config: Config) -> AppState {
        let permits = Arc::new(Semaphore::new(config.search_permits()));
        AppState {
            engine,
            config: Arc::new(config),
            permits,
            live: None,
            metrics: Metrics::new(None),
        }
    }

    /// A server over `index` (the one `engine` searches) that takes writes when a key is set:
    /// it then owns the index's writer until the returned thread ends (after the last handle to the
    /// state is dropped and the last commit is made).
    pub fn with_writes(
        index: &tantivy::Index,
        engine: Engine,
        config: Config,
        index_dir: Option<std::path::PathBuf>,
    ) -> Result<(AppState, Option<std::thread::JoinHandle<()>>), Error> {
        let mut state = AppState::new(engine.clone(), config);
        state.metrics = Metrics::new(index_dir);
        if state.config.server.api_keys.is_empty() {
            return Ok((state, None));
        }
        let metrics = state.metrics.clone();
        let (live, thread) = Live::start(index, &state.config, engine, move |commit| {
            metrics.committed(commit)
        })?;
        state.live = Some(live);
        Ok((state, Some(thread)))
    }

    /// Runs CPU-bound index work on the engine's search threads (its rayon pool, not tokio's
    /// blocking pool), off the async runtime, at most `server.max_concurrent_searches` at a time.
    async fn on_search_threads<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Engine) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Error::from(InternalError::Task(e.to_string())))?;
        // The permit goes with the work: a request that times out stops waiting, but its search
        // still holds the permit until it finishes, so the bound holds.
        self.engine
            .on_search_threads(move |engine| {
                let _permit = permit;
                work(engine)
            })
            .await?
            .map_err(ApiError)
    }
}

/// Sent with every response, in depth behind the page's own checks: scripts, styles and requests
/// from this server only, no inline script, no plugins, no framing (the favicon is a `data:` URL).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// The whole HTTP surface, ready for `axum::serve` or for in-process tests.
pub fn router(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.server.request_timeout_secs);
    // Bodies are read by the write handlers themselves, up to server.max_body_mb (a JSON 413
    // beyond); no other route reads a body.
    Router::new()
        .route("/api/search", get(search))
        .route("/api/trend", get(news::trend))
        .route("/api/related", get(news::related))
        .route("/api/suggest", get(typing::suggest))
        .route("/api/analyze", get(typing::analyze))
        .route("/api/documents", post(write::post))
        .route("/api/documents/{id}", get(document).delete(write::delete))
        .route("/health", get(health))
        .route("/metrics", get(metrics::metrics))
        .merge(page::routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .fallback(not_found)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(CompressionLayer::new())
        .layer(CorsLayer::permissive())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn search(
    State(state): State<AppState>,
    Params(pairs): Params,
) -> Result<Json<SearchResponse>, ApiError> {
    let request = params::search_request(&pairs, &state.config)?;
    let response = state
        .on_search_threads(move |engine| engine.search(&request))
        .await?;
    Ok(Json(response))
}

async fn document(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Params(pairs): Params,
) -> Result<Json<StoredDocument>, ApiError> {
    let q = params::highlight_query(&pairs, &state.config)?;
    let document = state
        .on_search_threads(move |engine| engine.document_highlighted(&id, q.as_deref()))
        .await?;
    Ok(Json(document))
}

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    Json(json!({ "status": "ok", "documents": state.engine.num_docs() }))
}

async fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        error::body("not_found", "no such page"),
    )
}

/// Serves one index's `router(state)` on `listener` until SIGINT or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    serve_router(listener, router(state)).await
}

/// Serves `router` on `listener` until SIGINT or SIGTERM.
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
