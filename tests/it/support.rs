//! Shared helpers: engines over in-repo data, and the `../shared` folder when it is there.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

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

/// Twenty-four publishers' articles, none of them Wikinews: 삼성전자 in all, 이재명 in most, 환율 in
/// some, Samsung in a few (the page's publisher list, footer and completions are tested on it).
pub fn newsroom() -> Vec<ingest::Item> {
    const PUBLISHERS: [&str; 24] = [
        "연합뉴스",
        "뉴시스",
        "뉴스1",
        "KBS",
        "MBC",
        "SBS",
        "YTN",
        "JTBC",
        "조선일보",
        "중앙일보",
        "동아일보",
        "한겨레",
        "경향신문",
        "한국일보",
        "매일경제",
        "한국경제",
        "서울경제",
        "머니투데이",
        "이데일리",
        "아시아경제",
        "파이낸셜뉴스",
        "헤럴드경제",
        "국민일보",
        "세계일보",
    ];
    const TOPICS: [&str; 4] = ["반도체", "배터리", "스마트폰", "가전"];
    PUBLISHERS
        .iter()
        .enumerate()
        .map(|(i, publisher)| {
            let mut body = format!(
                "삼성전자가 {} 투자를 늘린다고 {publisher}가 전했다.",
                TOPICS[i % TOPICS.len()]
            );
            if i % 4 != 3 {
                body.push_str(" 이재명 대통령은 공장을 찾아 투자를 격려했다.");
            }
            if i % 3 == 0 {
                body.push_str(" 원달러 환율은 1,450원으로 올랐다.");
            }
            if i % 8 == 0 {
                body.push_str(" Samsung shares rose in Seoul.");
            }
            Ok(Article {
                id: format!("newsroom-{i:02}"),
                title: format!("삼성전자 {} 투자 확대", TOPICS[i % TOPICS.len()]),
                body,
                source: Some(publisher.to_string()),
                url: None,
                published_at: Some(
                    datetime!(2025-12-01 09:00 +09:00) + time::Duration::hours(i as i64),
                ),
            })
        })
        .collect()
}

/// The wire story: a long Wikinews article, as its first outlet ran it.
pub fn story() -> Article {
    ingest::sample()
        .filter_map(Result::ok)
        .find(|a| a.body.chars().count() > 1200)
        .expect("a long Wikinews article")
}

/// The story as another outlet runs it an hour later: its own dateline and byline, the last
/// sentence cut, a footer added.
pub fn copy(story: &Article, outlet: &str, hours: i64) -> Article {
    let cut = story
        .body
        .rfind(". ")
        .map_or(&story.body[..], |end| &story.body[..end + 1]);
    Article {
        id: format!("copy-{outlet}"),
        title: format!("[{outlet}] {}", story.title),
        body: format!("({outlet}) 김기자 기자 = {cut}\n\n무단전재 및 재배포 금지"),
        source: Some(outlet.to_string()),
        url: None,
        published_at: story
            .published_at
            .map(|at| at + time::Duration::hours(hours)),
    }
}

/// The outlets that copy the story in `with_copies`.
pub const OUTLETS: [&str; 3] = ["뉴시스", "뉴스1", "연합뉴스"];

/// The Wikinews sample and the story copied by three outlets, an hour apart (related-article
/// groups).
pub fn with_copies() -> (Article, Vec<ingest::Item>) {
    let story = story();
    let mut items: Vec<ingest::Item> = ingest::sample().collect();
    for (n, outlet) in OUTLETS.iter().enumerate() {
        items.push(Ok(copy(&story, outlet, n as i64 + 1)));
    }
    (story, items)
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

/// splitmix64: a fixed seed, so a failure replays.
pub struct Random(pub u64);

impl Random {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The write key the real-binary tests serve with.
pub const KEY: &str = "test-key-0123456789";

/// The real binary serving `dir` with writes on, on `port`, once `/health` answers.
pub fn start(dir: &std::path::Path, port: u16) -> Child {
    start_logging_to(dir, port, &serve_log(port))
}

/// `start`, its log (stderr) written to `log`.
pub fn start_logging_to(dir: &std::path::Path, port: u16, log: &std::path::Path) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_chaja"))
        .args([
            "serve",
            "--index-dir",
            "live-index",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .current_dir(dir)
        .env("CHAJA_API_KEY", KEY)
        .env("CHAJA_LOG", "warn")
        .env_remove("CHAJA_INDEX_DIR")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while http(port, "GET", "/health", "").map(|(s, _)| s) != Some(200) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// Where the real binary on `port` logs by default: beside, not in, the folder it serves.
fn serve_log(port: u16) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("chaja-test-serve-{port}.log"))
}

/// One request over a fresh connection: the status and the body, or `None` if the server is gone.
pub fn http(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())?;
    Some((status, body))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A response's body as text.
pub async fn body_text(response: axum::response::Response) -> String {
    use http_body_util::BodyExt;
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    String::from_utf8(bytes.to_vec()).expect("UTF-8 body")
}

/// Runs `request` through the router over `state`: the status and the JSON body.
pub async fn json_response(
    state: AppState,
    request: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, serde_json::Value) {
    use tower::ServiceExt;
    let uri = request.uri().to_string();
    let response = chaja::http::router(state)
        .oneshot(request)
        .await
        .expect("router answers");
    let status = response.status();
    let text = body_text(response).await;
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{uri}: not JSON: {text}"));
    (status, json)
}
