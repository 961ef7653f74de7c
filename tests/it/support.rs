//! Shared helpers: engines over in-repo data, and the `../shared` folder when it is there.

use std::sync::OnceLock;

use chaja::analyzer::KoreanTokenizer;
use chaja::config::Config;
use chaja::http::AppState;
use chaja::indexer;
use chaja::ingest::{self, Article};
use chaja::search::{Engine, SearchRequest, SearchResponse};
use time::macros::datetime;

pub fn analyzer() -> KoreanTokenizer {
    static ANALYZER: OnceLock<KoreanTokenizer> = OnceLock::new();
    ANALYZER
        .get_or_init(|| {
            KoreanTokenizer::new(&Config::default().analyzer).expect("dictionary loads")
        })
        .clone()
}

/// An in-memory engine over `items`.
pub fn engine_of(items: Vec<ingest::Item>) -> Engine {
    engine_with(items, &Config::default())
}

/// An in-memory engine over `items` with these settings.
pub fn engine_with(items: Vec<ingest::Item>, config: &Config) -> Engine {
    let config = config.clone();
    let index = indexer::create_in_ram(&analyzer());
    indexer::index_articles(&index, &config, items).expect("indexing works");
    let engine = Engine::new(index, analyzer(), &config).expect("engine opens");
    engine.reload().expect("reader reloads");
    engine
}

/// The bundled Wikinews sample, indexed once per test run.
pub fn sample() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE
        .get_or_init(|| engine_of(ingest::sample().collect()))
        .clone()
}

pub fn sample_state() -> AppState {
    AppState::new(sample(), Config::default())
}

pub fn article(id: &str, title: &str, body: &str) -> ingest::Item {
    Ok(Article {
        id: id.to_string(),
        title: title.to_string(),
        body: body.to_string(),
        source: None,
        url: None,
        published_at: None,
    })
}

/// Wikinews plus a few articles from a second publisher, so the source facet has a choice, and one
/// with a hostile url.
pub fn collection() -> Vec<ingest::Item> {
    let mut items: Vec<ingest::Item> = ingest::sample().collect();
    let extra = [
        (
            "gasang-1",
            "월드컵 예선, 대표팀 승리",
            "축구 대표팀이 월드컵 예선에서 승리했다.",
            datetime!(2023-06-10 20:00 +09:00),
        ),
        (
            "gasang-2",
            "월드컵 중계권 협상 타결",
            "방송사들이 월드컵 중계권 협상을 마쳤다.",
            datetime!(2023-03-02 09:00 +09:00),
        ),
        (
            "gasang-3",
            "여자 월드컵 개막",
            "여자 월드컵이 개막해 한 달 동안 열린다.",
            datetime!(2023-07-20 18:30 +09:00),
        ),
    ];
    for (id, title, body, at) in extra {
        items.push(Ok(Article {
            id: id.to_string(),
            title: title.to_string(),
            body: body.to_string(),
            source: Some("가상일보".to_string()),
            url: None,
            published_at: Some(at),
        }));
    }
    // A url no page may link (it would run script in the reader's browser), put in the index
    // without going through ingest's check.
    items.push(Ok(Article {
        id: "xss-1".to_string(),
        title: "악성 링크 시험 기사".to_string(),
        body: "악성 링크가 걸린 기사다.".to_string(),
        source: None,
        url: Some("javascript:alert(document.domain)".to_string()),
        published_at: None,
    }));
    items
}

/// The first page (10 hits) for `query`.
pub fn search(engine: &Engine, query: &str) -> SearchResponse {
    engine
        .search(&SearchRequest {
            query: query.to_string(),
            limit: 10,
            ..SearchRequest::default()
        })
        .expect("search works")
}

/// Ids of the first page for `query`, best first.
pub fn ids(engine: &Engine, query: &str) -> Vec<String> {
    search(engine, query)
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}
