//! Typing assistance through the HTTP API, on real Korean words: completions for prefixes,
//! half-typed syllables, 초성, one wrong jamo and the wrong keyboard mode; searches corrected for the
//! wrong keyboard mode (and Latin words left alone); did-you-mean; the analyzer's explanation.

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

use chaja::config::Config;
use chaja::http::AppState;
use chaja::search::Engine;

use super::support::{article, engine_of, json_response, newsroom as publishers};

fn newsroom() -> AppState {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| {
        let mut items = Vec::new();
        let bodies = [
            "삼성전자가 반도체 투자를 늘린다. 이재명 대통령이 공장을 찾았다.",
            "삼성전자 주가가 올랐다. 트럼프 대통령의 관세 발언 뒤다.",
            "이재명 대통령은 트럼프 대통령과 통화했다. 쿠팡 사태도 논의했다.",
            "쿠팡이 보상안을 내놓았다. 오바마 전 대통령도 언급됐다.",
            "오바마 전 대통령과 트럼프 대통령. samsung and nvidia shares rose.",
            "nvidia 실적 발표, samsung 메모리 공급 늘린다. 쿠팡 주가.",
        ];
        for (i, body) in bodies.iter().enumerate() {
            items.push(article(&format!("d{i}"), "", body));
        }
        engine_of(items)
    });
    AppState::new(engine.clone(), Config::default())
}

async fn get(path: &str) -> (StatusCode, Value) {
    json_response(newsroom(), Request::get(path).body(Body::empty()).unwrap()).await
}

fn q(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn suggestions(typed: &str) -> Vec<String> {
    let (status, body) = get(&format!("/api/suggest?q={}&limit=5", q(typed))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn completions_for_everything_a_korean_box_sees_while_typing() {
    assert!(suggestions("삼성").await.contains(&"삼성전자".to_string()));
    for typed in ["삼성ㅈ", "삼성저", "ㅅㅅㅈㅈ", "tkatjdwj"] {
        let found = suggestions(typed).await;
        assert_eq!(
            found.first().map(String::as_str),
            Some("삼성전자"),
            "{typed}: {found:?}"
        );
    }
    assert_eq!(
        suggestions("ㅇㅈㅁ").await.first().map(String::as_str),
        Some("이재명")
    );
    assert!(suggestions("트럼르").await.contains(&"트럼프".to_string()));
    assert!(suggestions("오바미").await.contains(&"오바마".to_string()));
    // The words before the last one stay as typed.
    assert_eq!(
        suggestions("이재명 트럼").await.first().map(String::as_str),
        Some("이재명 트럼프")
    );
    let (_, body) = get("/api/suggest?q=%EC%82%BC&limit=1").await;
    assert_eq!(
        body["suggestions"][0]["count"].as_u64(),
        Some(2),
        "counted in documents"
    );
    assert!(suggestions("").await.is_empty());
    let (status, _) = get(&format!("/api/suggest?q={}", q(&"가".repeat(300)))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn search(typed: &str) -> Value {
    let (status, body) = get(&format!("/api/search?q={}", q(typed))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn the_wrong_keyboard_mode_is_corrected_and_real_words_are_left_alone() {
    let coupang = search("znvkd").await;
    assert_eq!(coupang["corrected_query"], "쿠팡");
    assert_eq!(coupang["total"].as_u64(), Some(3));
    assert_eq!(search("dhqkak").await["corrected_query"], "오바마");
    // Hangul typed meaning Latin: ㅜ퍄얌 is nvidia typed in Korean mode.
    let nvidia = search("ㅜ퍄얌").await;
    assert_eq!(nvidia["corrected_query"], "nvidia");
    assert_eq!(nvidia["total"].as_u64(), Some(2));
    for word in ["samsung", "nvidia", "쿠팡"] {
        let found = search(word).await;
        assert!(found.get("corrected_query").is_none(), "{word}: {found}");
        assert!(found["total"].as_u64().unwrap() > 0);
    }
    // As typed, on request.
    let (_, strict) = get("/api/search?q=znvkd&strict=1").await;
    assert_eq!(
        (strict["total"].as_u64(), strict.get("corrected_query")),
        (Some(0), None)
    );
}

#[tokio::test]
async fn a_query_that_finds_nothing_gets_the_closest_word() {
    let found = search("트럼뜨").await;
    assert_eq!(found["total"].as_u64(), Some(0), "{found}");
    assert_eq!(found["did_you_mean"], "트럼프");
}

#[tokio::test]
async fn the_analyzer_explains_each_morpheme() {
    let (status, body) = get(&format!(
        "/api/analyze?text={}",
        q("삼성전자가 美 반도체를")
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tokens = body["tokens"].as_array().unwrap();
    let surface = |s: &str| tokens.iter().find(|t| t["surface"] == s).unwrap().clone();
    let samsung = surface("삼성전자");
    assert_eq!(samsung["pos"], "NNP");
    assert_eq!(
        (samsung["start"].as_u64(), samsung["end"].as_u64()),
        (Some(0), Some(12))
    );
    assert_eq!(samsung["indexed"][0]["term"], "삼성전자");
    assert_eq!(samsung["indexed"][1]["kind"], "compound part");
    let particle = surface("가");
    assert!(particle["indexed"].as_array().unwrap().is_empty());
    assert!(particle["dropped"]
        .as_str()
        .unwrap()
        .contains("stop tag JKS"));
    let hanja = surface("美");
    let kinds: Vec<&str> = hanja["indexed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["word", "reading", "reading"]);
    let (status, _) = get("/api/analyze?text=").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

fn publishers_state() -> AppState {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| engine_of(publishers()));
    AppState::new(engine.clone(), Config::default())
}

async fn search_publishers(path: &str) -> Value {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let (status, body) = json_response(publishers_state(), request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn initials_and_half_typed_words_are_searched_as_their_completion() {
    for (typed, meant) in [
        ("ㅅㅅㅈㅈ", "삼성전자"),
        ("삼성저", "삼성전자"),
        ("삼성ㅈ", "삼성전자"),
        ("ㅇㅈㅁ", "이재명"),
        ("반도체 ㅇㅈㅁ", "반도체 이재명"),
    ] {
        let found = search_publishers(&format!("/api/search?q={}", q(typed))).await;
        assert_eq!(found["corrected_query"], meant, "{typed}: {found}");
        assert_eq!(found["query"], typed);
        let exact = search_publishers(&format!("/api/search?q={}", q(meant))).await;
        assert_eq!(found["total"], exact["total"], "{typed}");
        assert!(found["total"].as_u64().unwrap() >= 6, "{typed}: {found}");
        // As typed, on request.
        let strict = search_publishers(&format!("/api/search?q={}&strict=1", q(typed))).await;
        assert!(strict.get("corrected_query").is_none(), "{typed}: {strict}");
    }
}

#[tokio::test]
async fn complete_words_that_find_articles_are_never_completed() {
    for word in [
        "삼성",
        "환율",
        "samsung",
        "Samsung",
        "삼성전자가",
        "이재명 대통령",
    ] {
        let found = search_publishers(&format!("/api/search?q={}", q(word))).await;
        assert!(found.get("corrected_query").is_none(), "{word}: {found}");
        assert!(found["total"].as_u64().unwrap() > 0, "{word}: {found}");
    }
    // A misspelled word is did-you-mean's: offered, not searched instead.
    let found = search("트럼뜨").await;
    assert!(found.get("corrected_query").is_none(), "{found}");
}
