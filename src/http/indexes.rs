//! Several named indexes behind one server: `/api/indexes` (list, create, delete), every endpoint of
//! one index under `/api/indexes/{name}/…`, the lists changed while serving (synonyms at once, the
//! user dictionary and Hanja list by a background re-analysis, `/api/tasks/{id}`), snapshots and
//! compaction. The paths without a name serve the default index, as they always did.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tower::ServiceExt;

use super::metrics::Metrics;
use super::write::check_key;
use super::{ApiError, AppState};
use crate::catalog::{self, reanalyze, snapshot, Analysis, Catalog, List, Served};
use crate::error::{Error, InternalError, UserError};

/// The whole server: the catalog of indexes, and what their routers share.
#[derive(Clone)]
pub struct Server {
    pub catalog: Arc<Catalog>,
    permits: Arc<Semaphore>,
    metrics: Arc<Metrics>,
    /// One router per index generation, built once.
    routers: Arc<Mutex<HashMap<String, (u64, Router)>>>,
}

impl Server {
    /// The server of `catalog`, reporting to `metrics` (which its writers report commits to).
    pub fn new(catalog: Arc<Catalog>, metrics: Arc<Metrics>) -> Server {
        let permits = Arc::new(Semaphore::new(catalog.base.search_permits()));
        Server {
            catalog,
            permits,
            metrics,
            routers: Arc::default(),
        }
    }

    /// The router of one served index (its generation's).
    fn router_of(&self, served: &Served) -> Router {
        let mut routers = self.routers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((generation, router)) = routers.get(&served.name) {
            if *generation == served.generation {
                return router.clone();
            }
        }
        let state = AppState {
            engine: served.engine.clone(),
            config: served.config.clone(),
            permits: self.permits.clone(),
            live: served.live.clone(),
            metrics: self.metrics.clone(),
        };
        let router = super::router(state);
        routers.insert(served.name.clone(), (served.generation, router.clone()));
        router
    }

    /// Hands `request` to the default index's router.
    pub(super) async fn forward_default(&self, request: Request) -> Response {
        default_index(State(self.clone()), request).await
    }

    /// Deletes a named index and forgets its router.
    pub(super) fn delete_index(&self, name: &str) -> Result<(), Error> {
        self.catalog.delete(name)?;
        self.routers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name);
        Ok(())
    }

    fn served(&self, name: &str) -> Result<Served, ApiError> {
        self.catalog
            .get(name)
            .ok_or_else(|| UserError::NotFound(format!("no index named {name:?}")).into())
    }
}

/// Every path: the index admin routes, then each index's own endpoints, then the default index.
pub fn server_router(server: Server) -> Router {
    Router::new()
        .route("/api/indexes", get(list))
        .route("/api/indexes/{name}", get(show).put(create).delete(delete))
        .route(
            "/api/indexes/{name}/synonyms",
            get(|s, p| read_list(s, p, List::Synonyms))
                .put(|s, p, h, b| put_list(s, p, h, b, List::Synonyms)),
        )
        .route(
            "/api/indexes/{name}/user-dictionary",
            get(|s, p| read_list(s, p, List::UserDictionary))
                .put(|s, p, h, b| put_list(s, p, h, b, List::UserDictionary)),
        )
        .route(
            "/api/indexes/{name}/hanja",
            get(|s, p| read_list(s, p, List::Hanja))
                .put(|s, p, h, b| put_list(s, p, h, b, List::Hanja)),
        )
        .route("/api/indexes/{name}/snapshots", post(take_snapshot))
        .route("/api/indexes/{name}/optimize", post(optimize))
        .route("/api/indexes/{name}/{*rest}", axum::routing::any(scoped))
        .route("/api/tasks", get(tasks))
        .route("/api/tasks/{id}", get(task))
        // The default index's own paths, before the Elasticsearch ones would take them.
        .route("/api/{*rest}", axum::routing::any(default_index))
        .route("/health", axum::routing::any(default_index))
        .route("/metrics", axum::routing::any(default_index))
        .route("/doc/{id}", axum::routing::any(default_index))
        .route("/assets/{*file}", axum::routing::any(default_index))
        .merge(super::es::routes())
        .fallback(default_index)
        .with_state(server)
}

/// `/api/indexes/{name}/search?…` is `/api/search?…` on that index.
async fn scoped(
    State(server): State<Server>,
    Path((name, _rest)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let served = server.served(&name)?;
    let prefix = format!("/api/indexes/{name}");
    let (mut parts, body) = request.into_parts();
    let rest = parts.uri.path().strip_prefix(&prefix).unwrap_or("/");
    let query = parts
        .uri
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    parts.uri = Uri::try_from(format!("/api{rest}{query}"))
        .map_err(|e| UserError::BadParameter(format!("bad path: {e}")))?;
    // This route's path parameters and matched path are not the index router's.
    parts.extensions = axum::http::Extensions::new();
    let response = server
        .router_of(&served)
        .oneshot(Request::from_parts(parts, body))
        .await;
    Ok(response.into_response())
}

/// Everything else goes to the default index, as before there were several.
async fn default_index(State(server): State<Server>, request: Request) -> Response {
    // The outer route's path parameters and matched path are not the index router's.
    let (mut parts, body) = request.into_parts();
    parts.extensions = axum::http::Extensions::new();
    // The page of a named index (`/?index=NAME`, `/doc/{id}?index=NAME`) is rendered by its own router,
    // so its footer counts that index's articles.
    let chosen = parts
        .uri
        .query()
        .and_then(|q| url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "index"))
        .map(|(_, v)| v.into_owned())
        .filter(|name| server.catalog.get(name).is_some())
        .unwrap_or_else(|| catalog::DEFAULT.to_string());
    let request = Request::from_parts(parts, body);
    match server.served(&chosen) {
        Ok(served) => server
            .router_of(&served)
            .oneshot(request)
            .await
            .into_response(),
        Err(error) => error.into_response(),
    }
}

async fn list(State(server): State<Server>) -> Json<Value> {
    let indexes: Vec<_> = server.catalog.all().iter().map(Served::info).collect();
    Json(json!({ "default": catalog::DEFAULT, "indexes": indexes }))
}

async fn show(
    State(server): State<Server>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(server.served(&name)?.info())))
}

/// `PUT /api/indexes/{name}`'s body: the new index's analysis and its own lists.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewIndex {
    #[serde(default)]
    analysis: Analysis,
    user_dictionary: Option<ListText>,
    hanja: Option<ListText>,
    synonyms: Option<ListText>,
}

/// A list as text, or as an array of its lines.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ListText {
    Text(String),
    Lines(Vec<String>),
}

impl ListText {
    fn into_text(self) -> String {
        match self {
            ListText::Text(text) => text,
            ListText::Lines(lines) => lines.join("\n") + "\n",
        }
    }
}

async fn create(
    State(server): State<Server>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    check_key(&server.catalog.base, &headers)?;
    let bytes = read_body(&server, body).await?;
    let spec: NewIndex = if bytes.iter().all(u8::is_ascii_whitespace) {
        NewIndex::default()
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| UserError::BadPayload(format!("invalid index settings: {e}")))?
    };
    let lists: Vec<(List, String)> = [
        (List::UserDictionary, spec.user_dictionary),
        (List::Hanja, spec.hanja),
        (List::Synonyms, spec.synonyms),
    ]
    .into_iter()
    .filter_map(|(list, text)| Some((list, text?.into_text())))
    .collect();
    let catalog = server.catalog.clone();
    let served = tokio::task::spawn_blocking(move || catalog.create(&name, &spec.analysis, &lists))
        .await
        .map_err(|e| Error::from(InternalError::Task(e.to_string())))??;
    Ok((StatusCode::CREATED, Json(json!(served.info()))))
}

async fn delete(
    State(server): State<Server>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    check_key(&server.catalog.base, &headers)?;
    server.delete_index(&name)?;
    Ok(Json(json!({ "deleted": name })))
}

async fn read_list(
    State(server): State<Server>,
    Path(name): Path<String>,
    list: List,
) -> Result<Json<Value>, ApiError> {
    let served = server.served(&name)?;
    let text = list.text(&served.config)?;
    let rows = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#'))
        .count();
    Ok(Json(json!({
        "index": name,
        "list": list.name(),
        "rows": rows,
        "text": text,
    })))
}

/// `PUT …/synonyms` applies to the next search; `PUT …/user-dictionary` and `…/hanja` start a
/// re-analysis (202 with its task).
async fn put_list(
    State(server): State<Server>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
    list: List,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    check_key(&server.catalog.base, &headers)?;
    let served = server.served(&name)?;
    let bytes = read_body(&server, body).await?;
    let text = list_body(&headers, &bytes)?;
    if list == List::Synonyms {
        catalog::save_list(&served.dir, list, &text)?;
        served
            .engine
            .set_synonyms(crate::search::Synonyms::parse(&text));
        let mut config = (*served.config).clone();
        config.search.synonyms = served.dir.join(list.file()).display().to_string();
        server.catalog.replace(Served {
            config: Arc::new(config),
            ..served
        });
        return Ok((
            StatusCode::OK,
            Json(json!({ "index": name, "list": list.name(), "applied": true })),
        ));
    }
    let task = reanalyze::start(&server.catalog, &name, list, text)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "index": name,
            "list": list.name(),
            "task": task,
            "status": format!("/api/tasks/{task}"),
        })),
    ))
}

/// A list's new text: the body as text, or JSON (a string, or an array of lines).
fn list_body(headers: &HeaderMap, bytes: &[u8]) -> Result<String, ApiError> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("json"));
    if json {
        let text: ListText = serde_json::from_slice(bytes).map_err(|e| {
            UserError::BadPayload(format!(
                "send the list as text, or as JSON: a string or an array of lines ({e})"
            ))
        })?;
        return Ok(text.into_text());
    }
    String::from_utf8(bytes.to_vec())
        .map_err(|_| UserError::BadPayload("the body is not valid UTF-8".to_string()).into())
}

async fn read_body(server: &Server, body: Body) -> Result<bytes::Bytes, ApiError> {
    let limit = server.catalog.base.server.max_body_mb << 20;
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        UserError::PayloadTooLarge(format!(
            "the request body is larger than {} MB (server.max_body_mb)",
            server.catalog.base.server.max_body_mb
        ))
        .into()
    })
}

async fn take_snapshot(
    State(server): State<Server>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    check_key(&server.catalog.base, &headers)?;
    let served = server.served(&name)?;
    let root = server.catalog.base.index.snapshot_dir.clone();
    std::fs::create_dir_all(&root).map_err(Error::from)?;
    let into = snapshot::folder_for(&root, &name);
    let dir = served.dir.clone();
    let taken = match &served.live {
        // On the writer thread, between commits: the last acknowledged write is in it.
        Some(live) => {
            live.control(move |desk| snapshot::take(&desk.index, &dir, &into))
                .await??
        }
        None => {
            let index = served.index.clone();
            tokio::task::spawn_blocking(move || snapshot::take(&index, &dir, &into))
                .await
                .map_err(|e| Error::from(InternalError::Task(e.to_string())))??
        }
    };
    Ok((StatusCode::CREATED, Json(json!(taken))))
}

#[derive(Debug, Deserialize)]
struct OptimizeParams {
    #[serde(default)]
    wait: bool,
}

/// `POST …/optimize[?wait=true]`: merges the index's segments as `chaja index` leaves them.
async fn optimize(
    State(server): State<Server>,
    Path(name): Path<String>,
    Query(params): Query<OptimizeParams>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    check_key(&server.catalog.base, &headers)?;
    let served = server.served(&name)?;
    let live = served.live.clone().ok_or(UserError::WritesDisabled)?;
    let before = served.engine.searcher().segment_readers().len();
    let merges = live.control(crate::live::compact).await??;
    let started = merges.len();
    if params.wait {
        tokio::task::spawn_blocking(move || {
            for merge in merges {
                merge.wait()?;
            }
            Ok::<_, Error>(())
        })
        .await
        .map_err(|e| Error::from(InternalError::Task(e.to_string())))??;
        served.engine.reload()?;
    } else {
        std::thread::spawn(move || {
            for merge in merges {
                if let Err(error) = merge.wait() {
                    tracing::error!(%error, "a merge failed");
                }
            }
        });
    }
    let after = served.engine.searcher().segment_readers().len();
    Ok(Json(json!({
        "index": name,
        "merges": started,
        "segments_before": before,
        "segments": after,
        "done": params.wait || started == 0,
    })))
}

async fn tasks(State(server): State<Server>) -> Json<Value> {
    Json(json!({ "tasks": server.catalog.tasks.list() }))
}

async fn task(
    State(server): State<Server>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: u64 = id
        .parse()
        .map_err(|_| UserError::BadParameter(format!("task id must be a number, got {id:?}")))?;
    let task = server
        .catalog
        .tasks
        .get(id)
        .ok_or_else(|| UserError::NotFound(format!("no task {id}")))?;
    Ok(Json(json!(task)))
}
