//! The HTTP API, through the router in-process and once through a real port.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use chaja::http::{self, router};

use super::support::sample_state;

async fn get(uri: &str) -> (StatusCode, Value) {
    let request = Request::get(uri).body(Body::empty()).unwrap();
    super::support::json_response(sample_state(), request).await
}

fn q(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn search_returns_ranked_highlighted_hits() {
    let (status, body) = get(&format!("/api/search?q={}", q("월드컵"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["query"], "월드컵");
    assert!(body["total"].as_u64().unwrap() >= 5);
    assert!(body["took_ms"].is_number());
    let hits = body["hits"].as_array().unwrap();
    assert_eq!(hits.len() as u64, body["total"].as_u64().unwrap().min(10));
    for hit in hits {
        for key in [
            "id",
            "score",
            "title",
            "source",
            "published_at",
            "url",
            "snippet",
        ] {
            assert!(hit.get(key).is_some(), "{key} missing in {hit}");
        }
        assert!(hit["snippet"].as_str().unwrap().contains("<mark>"), "{hit}");
    }
}

#[tokio::test]
async fn limit_and_offset_are_validated_and_capped() {
    let (status, body) = get(&format!("/api/search?q={}&limit=1000", q("대통령"))).await;
    assert_eq!(status, StatusCode::OK);
    let hits = body["hits"].as_array().unwrap().len();
    assert!(hits <= 100 && hits > 10, "capped at 100, got {hits}");
    let (_, page2) = get(&format!("/api/search?q={}&limit=5&offset=5", q("대통령"))).await;
    assert_eq!(page2["hits"].as_array().unwrap().len(), 5);
    assert_eq!(page2["hits"][0]["id"], body["hits"][5]["id"]);

    for bad in [
        "limit=abc",
        "limit=-1",
        "offset=-5",
        "offset=1.5",
        "offset=99999999",
    ] {
        let (status, body) = get(&format!("/api/search?q={}&{bad}", q("대통령"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["error"]["code"], "bad_parameter", "{bad}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().len() > 5);
    }
}

#[tokio::test]
async fn user_mistakes_are_400s_with_a_json_error() {
    for (uri, code) in [
        ("/api/search".to_string(), "empty_query"),
        ("/api/search?q=".to_string(), "empty_query"),
        ("/api/search?q=%20%20".to_string(), "empty_query"),
        (
            format!("/api/search?q={}", q(&"가".repeat(300))),
            "query_too_long",
        ),
    ] {
        let (status, body) = get(&uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(body["error"]["code"], code, "{uri}: {body}");
    }
    // Bytes that are not UTF-8 are decoded leniently and simply match nothing.
    let (status, body) = get("/api/search?q=%FF%FE").await;
    assert_eq!(
        (status, body["total"].as_u64()),
        (StatusCode::OK, Some(0)),
        "{body}"
    );
}

#[tokio::test]
async fn odd_query_text_is_searched_never_a_500() {
    for text in [
        "\"월드컵",
        "월드컵\"",
        "+",
        "-",
        "OR",
        "+ - OR",
        "title:",
        "\"\"",
        "((월드컵",
        "월드컵 AND",
        "*",
        "🙂",
        "<script>",
    ] {
        let (status, body) = get(&format!("/api/search?q={}", q(text))).await;
        assert_eq!(status, StatusCode::OK, "{text}: {body}");
        assert!(body["hits"].is_array());
    }
    let (_, body) = get(&format!("/api/search?q={}", q("\"월드컵"))).await;
    assert!(
        body["total"].as_u64().unwrap() > 0,
        "an unclosed quote still searches"
    );
}

#[tokio::test]
async fn documents_health_and_unknown_paths() {
    let (status, doc) = get("/api/documents/kowikinews-0000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["title"], "버락 오바마 미국 대통령 공식 취임");
    assert_eq!(doc["published_at"], "2009-01-20T00:00:00+09:00");
    assert!(doc["body"].as_str().unwrap().starts_with("버락 오바마"));

    let (status, body) = get("/api/documents/no-such-id").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");

    let (status, body) = get("/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!({"status": "ok", "documents": 644}));

    let (status, body) = get("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn serves_over_a_real_port() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(http::serve(listener, sample_state()));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /api/search?q={}&limit=3 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n",
        q("올림픽")
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response
        .to_ascii_lowercase()
        .contains("content-type: application/json"));
    let body = &response[response.find("\r\n\r\n").unwrap() + 4..];
    let json: Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["query"], "올림픽");
    assert!(!json["hits"].as_array().unwrap().is_empty());
}

async fn get_from(state: chaja::http::AppState, uri: &str) -> (StatusCode, Value) {
    let response = router(state)
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn two_publishers() -> chaja::http::AppState {
    use std::sync::OnceLock;
    static ENGINE: OnceLock<chaja::search::Engine> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| super::support::engine_of(super::support::collection()));
    chaja::http::AppState::new(engine.clone(), chaja::config::Config::default())
}

#[tokio::test]
async fn source_and_date_filters_with_facets_for_the_whole_match_set() {
    let world_cup = q("월드컵");
    let (status, all) = get_from(
        two_publishers(),
        &format!("/api/search?q={world_cup}&limit=3"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["total"], 11);
    assert_eq!(
        all["facets"]["source"],
        serde_json::json!([{"value": "ko.wikinews.org", "count": 8}, {"value": "가상일보", "count": 3}])
    );
    let months = all["facets"]["month"].as_array().unwrap();
    assert_eq!(
        months[0],
        serde_json::json!({"value": "2023-07", "count": 1}),
        "newest month first"
    );
    let month_total: u64 = months.iter().map(|m| m["count"].as_u64().unwrap()).sum();
    assert_eq!(
        month_total, 11,
        "every match is dated, so months add up to the total"
    );

    let (_, one) = get_from(
        two_publishers(),
        &format!("/api/search?q={world_cup}&source={}", q("가상일보")),
    )
    .await;
    assert_eq!(one["total"], 3);
    assert!(one["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["source"] == "가상일보"));
    // The source facet ignores the source filter, so the other publisher stays selectable.
    assert_eq!(one["facets"]["source"], all["facets"]["source"]);
    assert_eq!(one["facets"]["month"].as_array().unwrap().len(), 3);

    let (_, both) = get_from(
        two_publishers(),
        &format!(
            "/api/search?q={world_cup}&source={}&source=ko.wikinews.org",
            q("가상일보")
        ),
    )
    .await;
    assert_eq!(both["total"], 11, "repeated source means any of them");

    let (_, summer) = get_from(
        two_publishers(),
        &format!("/api/search?q={world_cup}&from=2023-06-10&to=2023-07-20"),
    )
    .await;
    let ids: Vec<&str> = summer["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(summer["total"], 2, "both ends are inclusive: {ids:?}");
    assert!(ids.contains(&"gasang-1") && ids.contains(&"gasang-3"));
}

#[tokio::test]
async fn sort_by_date_is_newest_first() {
    let (_, body) = get_from(
        two_publishers(),
        &format!("/api/search?q={}&sort=date&limit=20", q("월드컵")),
    )
    .await;
    let dates: Vec<&str> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["published_at"].as_str().unwrap())
        .collect();
    assert_eq!(dates.len(), 11);
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert_eq!(body["hits"][0]["id"], "gasang-3");
    assert!(body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["score"].as_f64().unwrap() > 0.0));
}

#[tokio::test]
async fn date_bounds_beyond_the_index_range_mean_no_bound() {
    let world_cup = q("월드컵");
    let (status, all) = get_from(
        two_publishers(),
        &format!("/api/search?q={world_cup}&from=1000-01-01&to=9999-12-31"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["total"], 11);
    let (status, none) = get_from(
        two_publishers(),
        &format!("/api/search?q={world_cup}&from=9000-01-01"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(none["total"], 0);
}

#[tokio::test]
async fn bad_filters_are_400s() {
    for bad in [
        "from=2023-13-01",
        "to=yesterday",
        "from=2023-05-01&to=2023-04-01",
        "sort=popular",
    ] {
        let (status, body) = get_from(
            two_publishers(),
            &format!("/api/search?q={}&{bad}", q("월드컵")),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["error"]["code"], "bad_parameter");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("from") || message.contains("to") || message.contains("sort"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn document_view_highlights_the_query() {
    let (status, doc) = get(&format!(
        "/api/documents/kowikinews-0001?q={}",
        q("월드컵을")
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    let html = doc["body_html"].as_str().unwrap();
    assert!(html.matches("<mark>월드컵</mark>").count() >= 3, "{html}");
    let (_, plain) = get("/api/documents/kowikinews-0001").await;
    assert!(plain.get("body_html").is_none());
    // An over-long q is refused as /api/search refuses it, not silently ignored.
    let (status, body) = get(&format!(
        "/api/documents/kowikinews-0001?q={}",
        q(&"월드컵".repeat(100))
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "query_too_long");
}

#[tokio::test]
async fn page_and_assets_are_served_from_the_binary() {
    for (uri, kind, needle) in [
        ("/", "text/html", "type=\"search\" name=\"q\""),
        ("/doc/kowikinews-0001", "text/html", "/assets/app.js"),
        ("/assets/app.js", "text/javascript", "apiPath(\"search?"),
        ("/assets/assist.js", "text/javascript", "apiPath(`suggest?"),
        ("/assets/style.css", "text/css", "mark"),
    ] {
        let response = router(sample_state())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        let header = |name: &str| {
            response.headers()[name]
                .to_str()
                .unwrap_or_default()
                .to_string()
        };
        let policy = header("content-security-policy");
        for directive in [
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{uri}: {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{uri}: {policy}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{uri}");
        assert!(!header("referrer-policy").is_empty(), "{uri}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(content_type.starts_with(kind), "{uri}: {content_type}");
        let text = super::support::body_text(response).await;
        assert!(text.contains(needle), "{uri} lacks {needle}");
        // The only outside address is the attribution link in the footer, which is never fetched.
        let text = text.replace("href=\"https://ko.wikinews.org\"", "");
        for external in [
            "http://",
            "https://",
            "//cdn",
            "fonts.googleapis",
            "@import",
            "url(",
        ] {
            assert!(!text.contains(external), "{uri} refers to {external}");
        }
    }
}

/// The page's footer: the bundled sample's credit and licence only where the sample is served, and
/// the number of articles searched everywhere.
#[tokio::test]
async fn the_footer_credits_wikinews_only_when_the_sample_is_served() {
    use chaja::config::Config;
    use chaja::http::AppState;

    async fn footer(state: AppState) -> String {
        let response = router(state)
            .oneshot(Request::get("/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let html = super::support::body_text(response).await;
        let start = html.find("<footer").expect("a footer");
        html[start..html.find("</footer>").expect("closed")].to_string()
    }

    let sample = footer(sample_state()).await;
    assert!(sample.contains("위키뉴스</a> (CC BY 2.5)"), "{sample}");
    assert!(sample.contains(">644</span>건"), "{sample}");

    let engine = super::support::engine_of(super::support::newsroom());
    let newsroom = footer(AppState::new(engine, Config::default())).await;
    assert!(!newsroom.contains("위키뉴스"), "{newsroom}");
    assert!(!newsroom.contains("CC BY"), "{newsroom}");
    assert!(newsroom.contains(">24</span>건"), "{newsroom}");
}
