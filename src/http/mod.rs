//! The HTTP service: `router(state)` with the JSON API, health check and search page, plus the server
//! loop with graceful shutdown. Handlers validate input and call `search`; they do no ranking.

mod error;
mod page;
mod params;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;

use crate::config::Config;
use crate::error::{Error, InternalError, UserError};
use crate::search::{Engine, SearchResponse, StoredDocument};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub config: Arc<Config>,
    permits: Arc<Semaphore>,
}

impl AppState {
    pub fn new(engine: Engine, config: Config) -> AppState {
        let permits = Arc::new(Semaphore::new(config.search_permits()));
        AppState {
            engine,
            config: Arc::new(config),
            permits,
        }
    }

    /// Runs CPU-bound index work on the engine's search threads, off the async runtime, a bounded
    /// number at a time.
    async fn blocking<T: Send + 'static>(
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
    Router::new()
        .route("/api/search", get(search))
        .route("/api/documents/{id}", get(document))
        .route("/health", get(health))
        .merge(page::routes())
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
        .layer(RequestBodyLimitLayer::new(16 * 1024))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn search(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<SearchResponse>, ApiError> {
    let Query(pairs) = query.map_err(|e| UserError::BadParameter(e.body_text()))?;
    let request = params::search_request(&pairs, &state.config)?;
    let response = state
        .blocking(move |engine| engine.search(&request))
        .await?;
    Ok(Json(response))
}

async fn document(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<StoredDocument>, ApiError> {
    let Query(pairs) = query.map_err(|e| UserError::BadParameter(e.body_text()))?;
    let q = params::highlight_query(&pairs, &state.config)?;
    let document = state
        .blocking(move |engine| engine.document_highlighted(&id, q.as_deref()))
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

/// Serves `router` on `listener` until SIGINT or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
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
