//! What the news says about a query: volume per day, week or month in Korea time with every bucket
//! present and the estimate flagged, and the related words, people and places of the matching
//! articles, through the engine and over HTTP.

use axum::http::StatusCode;
use time::macros::date;

use chaja::config::Config;
use chaja::http::AppState;
use chaja::search::{Interval, RelatedRequest, TrendRequest};

use super::support::{engine_of, engine_with, json_response, newsroom, sample};

fn trend(queries: &[&str], interval: Interval) -> TrendRequest {
    TrendRequest {
        queries: queries.iter().map(|q| q.to_string()).collect(),
        interval,
        from: Some(date!(2025 - 11 - 30)),
        to: Some(date!(2025 - 12 - 03)),
        ..TrendRequest::default()
    }
}

#[test]
fn volume_per_korean_day_with_every_day_of_the_range() {
    // 24 articles an hour apart from 2025-12-01 09:00 Korea time: 15 that day, 9 after midnight.
    let engine = engine_of(newsroom());
    let response = engine
        .trend(&trend(&["삼성전자", "환율"], Interval::Day))
        .unwrap();
    assert_eq!(response.interval, Interval::Day);
    let days = |n: usize| -> Vec<(String, u64)> {
        response.series[n]
            .buckets
            .iter()
            .map(|b| (b.key.clone(), b.count))
            .collect()
    };
    let expect = |counts: [u64; 4]| -> Vec<(String, u64)> {
        ["2025-11-30", "2025-12-01", "2025-12-02", "2025-12-03"]
            .iter()
            .map(|d| d.to_string())
            .zip(counts)
            .collect()
    };
    assert_eq!(days(0), expect([0, 15, 9, 0]));
    // 환율 is in every third article (0, 3, …, 21): five on the first day, three on the second.
    assert_eq!(days(1), expect([0, 5, 3, 0]));
    assert_eq!(response.series[0].total, 24);
    assert!(response.series[0].total_exact);
    // By week and by month, the same articles in one bucket (Monday 12-01 starts a week).
    let weeks = engine.trend(&trend(&["삼성전자"], Interval::Week)).unwrap();
    let counts: Vec<(&str, u64)> = weeks.series[0]
        .buckets
        .iter()
        .map(|b| (b.key.as_str(), b.count))
        .collect();
    assert_eq!(counts, [("2025-11-24", 0), ("2025-12-01", 24)]);
}

#[test]
fn past_the_exact_bound_the_volume_is_an_estimate_and_says_so() {
    let broad = "대통령 OR 정부 OR 국민 OR 한국";
    let request = TrendRequest {
        queries: vec![broad.to_string()],
        interval: Interval::Month,
        ..TrendRequest::default()
    };
    let exact = sample().trend(&request).unwrap();
    let mut config = Config::default();
    config.search.exact_total_up_to = 50;
    let items: Vec<_> = chaja::ingest::sample().collect();
    let bounded = engine_with(items, &config).trend(&request).unwrap();
    assert!(exact.series[0].total_exact);
    assert!(!bounded.series[0].total_exact, "flagged as an estimate");
    let sum = |r: &chaja::search::TrendResponse| -> u64 {
        r.series[0].buckets.iter().map(|b| b.count).sum()
    };
    let (real, estimate) = (sum(&exact), sum(&bounded));
    assert!(
        estimate.abs_diff(real) as f64 <= 0.35 * real as f64,
        "{estimate} against {real}"
    );
    // Every month from the first to the last is there, empty or not (the samples reach across).
    let months = &exact.series[0].buckets;
    assert!(months.windows(2).all(|w| w[0].key < w[1].key));
    assert!(months.iter().any(|b| b.count == 0));
    assert!(bounded.series[0].buckets.len() * 2 > months.len());
}

#[test]
fn related_words_people_and_places_come_from_the_matching_articles() {
    let engine = sample();
    let response = engine
        .related(&RelatedRequest {
            query: "월드컵".to_string(),
            limit: 10,
            ..RelatedRequest::default()
        })
        .unwrap();
    assert!(response.sample > 0 && response.sample <= 100);
    let words: Vec<&str> = response.words.iter().map(|w| w.word.as_str()).collect();
    assert!(!words.is_empty());
    assert!(!words.contains(&"월드컵"), "{words:?}");
    assert!(
        words
            .iter()
            .any(|w| ["축구", "fifa", "대표팀", "개최"].contains(w)),
        "{words:?}"
    );
    for boilerplate in ["기자", "무단", "전재", "배포", "금지", "저작권"] {
        assert!(!words.contains(&boilerplate), "{words:?}");
    }
    assert!(response.words.windows(2).all(|w| w[0].score >= w[1].score));
    // People and places are ko-dic's 인명 and 지명.
    let places: Vec<&str> = response.places.iter().map(|p| p.name.as_str()).collect();
    assert!(!places.is_empty(), "{response:?}");
}

async fn get(state: AppState, uri: &str) -> (StatusCode, serde_json::Value) {
    let request = axum::http::Request::get(uri)
        .body(axum::body::Body::empty())
        .unwrap();
    json_response(state, request).await
}

#[tokio::test]
async fn the_endpoints_answer_and_refuse_mistakes_with_400() {
    let state = AppState::new(engine_of(newsroom()), Config::default());
    let uri = "/api/trend?q=%EC%82%BC%EC%84%B1%EC%A0%84%EC%9E%90&q=%ED%99%98%EC%9C%A8&interval=day";
    let (status, body) = get(state.clone(), uri).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["interval"], "day");
    assert_eq!(body["series"].as_array().map(Vec::len), Some(2));
    assert_eq!(body["series"][0]["buckets"][0]["count"], 15);
    let (status, body) = get(state.clone(), "/api/related?q=%ED%99%98%EC%9C%A8&limit=5").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["sample"].as_u64().is_some_and(|n| n > 0));
    for bad in [
        "/api/trend",
        "/api/trend?q=x&interval=hour",
        "/api/trend?q=x&from=2025-12-03&to=2025-12-01",
        "/api/trend?q=x&interval=day&from=1900-01-01&to=2100-01-01",
        "/api/related?q=",
        "/api/related?q=x&limit=many",
    ] {
        let (status, body) = get(state.clone(), bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["error"]["message"].is_string());
    }
}
