//! The browser search page: HTML, CSS and JS embedded in the binary, served at `/` and `/doc/{id}`
//! (the same page renders the document view). Nothing is fetched from outside the server.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;

use super::AppState;

const INDEX_HTML: &str = include_str!("../../assets/index.html");
const APP_JS: &str = include_str!("../../assets/app.js");
const ASSIST_JS: &str = include_str!("../../assets/assist.js");
const STYLE_CSS: &str = include_str!("../../assets/style.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(page))
        .route("/doc/{id}", get(page))
        .route("/assets/app.js", get(|| script(APP_JS)))
        .route("/assets/assist.js", get(|| script(ASSIST_JS)))
        .route("/assets/style.css", get(style_css))
}

async fn page() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-cache")], Html(INDEX_HTML))
}

async fn script(source: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        source,
    )
}

async fn style_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        STYLE_CSS,
    )
}
