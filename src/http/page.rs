//! The browser search page: HTML, CSS and JS embedded in the binary, served at `/` and `/doc/{id}`
//! (the same page renders the document view). Nothing is fetched from outside the server.

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;

use super::AppState;

const INDEX_HTML: &str = include_str!("../../assets/index.html");
const APP_JS: &str = include_str!("../../assets/app.js");
const ASSIST_JS: &str = include_str!("../../assets/assist.js");
const INSIGHTS_JS: &str = include_str!("../../assets/insights.js");
const STYLE_CSS: &str = include_str!("../../assets/style.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(page))
        .route("/doc/{id}", get(page))
        .route("/assets/app.js", get(|| script(APP_JS)))
        .route("/assets/assist.js", get(|| script(ASSIST_JS)))
        .route("/assets/insights.js", get(|| script(INSIGHTS_JS)))
        .route("/assets/style.css", get(style_css))
}

/// The page, its footer saying what is searched: the number of articles, and the bundled sample's
/// credit and licence only when the index holds the sample.
async fn page(State(state): State<AppState>) -> impl IntoResponse {
    let footer = collection(state.engine.num_docs(), state.engine.sample_documents() > 0);
    let html = INDEX_HTML.replacen("<!--collection-->", &footer, 1);
    ([(header::CACHE_CONTROL, "no-cache")], Html(html))
}

/// ` · 기사 33,342건`, and the sample's credit when it is served.
fn collection(documents: u64, sample: bool) -> String {
    let mut digits = documents.to_string();
    let mut at = digits.len();
    while at > 3 {
        at -= 3;
        digits.insert(at, ',');
    }
    let credit = if sample {
        " · 예시 기사: <a href=\"https://ko.wikinews.org\">위키뉴스</a> (CC BY 2.5)"
    } else {
        ""
    };
    format!(" · 기사 <span id=\"documents\">{digits}</span>건{credit}")
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

#[cfg(test)]
mod tests {
    use super::collection;

    #[test]
    fn the_footer_counts_articles_and_credits_the_sample_only_when_served() {
        assert_eq!(
            collection(33_342, false),
            " · 기사 <span id=\"documents\">33,342</span>건"
        );
        assert_eq!(
            collection(0, false),
            " · 기사 <span id=\"documents\">0</span>건"
        );
        assert!(collection(644, true).contains("위키뉴스</a> (CC BY 2.5)"));
        assert!(collection(1_000_000, false).contains(">1,000,000<"));
    }
}
