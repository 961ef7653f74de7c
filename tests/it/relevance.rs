//! Ranking features on real Korean text: phrases, exclusion, synonyms, the user dictionary, spacing
//! variants, unknown words, long questions, and the evaluation metrics.

use std::collections::{HashMap, HashSet};

use chaja::analyzer::KoreanTokenizer;
use chaja::config::{AnalyzerConfig, Config, Decompound};
use chaja::eval::{evaluate, EvalQuery};
use chaja::indexer;
use chaja::search::{Engine, SearchRequest};

use super::support::{article, engine_of, engine_with, ids};

fn newsroom() -> Engine {
    engine_of(vec![
        article(
            "smb",
            "중소벤처기업부, 스타트업 지원 확대",
            "중소벤처기업부가 내년 스타트업 예산을 늘린다고 밝혔다.",
        ),
        article(
            "ai",
            "인공지능 반도체 경쟁",
            "국내 기업들이 인공지능 반도체 개발에 속도를 내고 있다.",
        ),
        article(
            "spaced",
            "중소 기업 수출 회복",
            "중소 기업의 수출이 석 달 만에 늘었다.",
        ),
        article(
            "joined",
            "중소기업 대출 금리 인하",
            "은행들이 중소기업 대출 금리를 내렸다.",
        ),
        article(
            "beauty",
            "뷰티랩스, 시리즈A 투자 유치",
            "신생 화장품 스타트업 뷰티랩스가 투자를 유치했다.",
        ),
        article(
            "deepseek",
            "딥시크 충격",
            "중국 스타트업 딥시크가 저비용 AI 모델을 공개했다.",
        ),
        article(
            "bank",
            "한국은행 기준금리 동결",
            "한국은행이 기준금리를 동결했다. 물가 상승률은 둔화됐다.",
        ),
        article(
            "bank2",
            "시중은행 금리 동결",
            "시중은행들이 예금 금리를 동결했다. 기준 금리 인하 기대가 있다.",
        ),
    ])
}

#[test]
fn synonyms_and_abbreviations_apply_at_query_time() {
    let engine = newsroom();
    assert_eq!(
        ids(&engine, "중기부"),
        vec!["smb"],
        "중기부 → 중소벤처기업부"
    );
    assert_eq!(ids(&engine, "중기부는")[0], "smb", "with a particle too");
    let ai = ids(&engine, "AI 반도체");
    assert_eq!(ai[0], "ai", "AI → 인공지능: {ai:?}");
    assert_eq!(ids(&engine, "한은 기준금리")[0], "bank", "한은 → 한국은행");
    let response = engine
        .search(&SearchRequest {
            query: "중기부".into(),
            limit: 1,
            ..SearchRequest::default()
        })
        .unwrap();
    assert!(
        response.hits[0]
            .snippet
            .contains("<mark>중소벤처기업부</mark>"),
        "{}",
        response.hits[0].snippet
    );
}

#[test]
fn phrase_and_exclusion() {
    let engine = newsroom();
    assert_eq!(ids(&engine, "\"기준금리를 동결\""), vec!["bank"]);
    let both = ids(&engine, "금리 동결");
    assert!(
        both.contains(&"bank".to_string()) && both.contains(&"bank2".to_string()),
        "{both:?}"
    );
    assert_eq!(ids(&engine, "금리 동결 -한국은행"), vec!["bank2"]);
}

#[test]
fn spacing_variants_find_each_other() {
    let engine = newsroom();
    for query in ["중소기업", "중소 기업"] {
        assert_finds_both(&engine, query, "spaced", "joined");
    }
}

/// `query` finds both documents.
fn assert_finds_both(engine: &Engine, query: &str, a: &str, b: &str) {
    let found = ids(engine, query);
    assert!(
        found.contains(&a.to_string()) && found.contains(&b.to_string()),
        "{query}: {found:?}"
    );
}

#[test]
fn joined_words_find_their_spaced_form_through_pairs_across_spaces() {
    // ko-dic reads 비트코인 and 하이브리드 as one word but their spaced forms as two, so only the
    // bigram view links them: 트코 and 이브 exist in the spaced documents as pairs across the space.
    let engine = engine_of(vec![
        article("coin spaced", "시세", "비트 코인 가격이 다시 올랐다."),
        article("coin joined", "시세", "비트코인 가격이 사흘째 내렸다."),
        article("hybrid spaced", "판매", "하이 브리드 차량 판매가 늘었다."),
        article("hybrid joined", "판매", "하이브리드 차량 판매가 줄었다."),
        article("other", "날씨", "전국이 맑고 건조하겠다."),
    ]);
    for (query, spaced, joined) in [
        ("비트코인", "coin spaced", "coin joined"),
        ("비트 코인", "coin spaced", "coin joined"),
        ("하이브리드", "hybrid spaced", "hybrid joined"),
        ("하이 브리드", "hybrid spaced", "hybrid joined"),
    ] {
        assert_finds_both(&engine, query, spaced, joined);
    }
}

#[test]
fn keyword_queries_starting_like_a_light_verb_still_need_every_word() {
    // 이 and 하 are query stopwords; a name beginning with them does not make a question.
    let engine = engine_of(vec![
        article("admiral", "이순신 장군", "이순신 장군이 명량에서 승리했다."),
        article("general", "장군의 귀환", "장군이 돌아왔다."),
        article("car", "하이브리드 차량", "하이브리드 차량 판매가 늘었다."),
        article("truck", "화물 차량", "화물 차량 통행이 늘었다."),
    ]);
    assert_eq!(ids(&engine, "이순신 장군"), vec!["admiral"]);
    assert_eq!(ids(&engine, "하이브리드 차량"), vec!["car"]);
    // A real question still ranks by how much of it matches.
    let found = ids(&engine, "장군은 누구인가");
    assert!(found.contains(&"general".to_string()), "{found:?}");
}

#[test]
fn unknown_words_and_user_dictionary_words_are_found() {
    let engine = newsroom();
    // 뷰티랩스 is in no dictionary; query and document are analysed alike, and bigrams back that up.
    assert_eq!(ids(&engine, "뷰티랩스")[0], "beauty");
    assert_eq!(ids(&engine, "뷰티랩스가")[0], "beauty");
    // 딥시크 is in the shipped user dictionary: one noun, whatever particle follows.
    assert_eq!(ids(&engine, "딥시크가"), vec!["deepseek"]);
}

#[test]
fn user_dictionary_makes_new_names_one_noun() {
    let terms = |config: &AnalyzerConfig, text: &str| -> Vec<String> {
        KoreanTokenizer::new(config)
            .unwrap()
            .analyze(text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    };
    let builtin = AnalyzerConfig::default();
    assert_eq!(
        terms(&builtin, "딥시크가 충격을 줬다"),
        vec!["딥시크", "충격", "주"]
    );
    assert_eq!(terms(&builtin, "콴다는 수학 앱이다")[0], "콴다");
    let none = AnalyzerConfig {
        user_dictionary: String::new(),
        ..AnalyzerConfig::default()
    };
    assert_eq!(
        &terms(&none, "딥시크가")[..2],
        ["딥", "시크"],
        "without it ko-dic splits the name"
    );

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("words.csv");
    std::fs::write(&csv, "뷰티랩스,NNP,뷰티랩스\n").unwrap();
    let custom = AnalyzerConfig {
        user_dictionary: csv.display().to_string(),
        ..AnalyzerConfig::default()
    };
    assert_eq!(terms(&custom, "뷰티랩스가 투자를 받았다")[0], "뷰티랩스");
    let missing = AnalyzerConfig {
        user_dictionary: "/no/such.csv".into(),
        ..AnalyzerConfig::default()
    };
    assert!(KoreanTokenizer::new(&missing).is_err());
}

#[test]
fn changed_analyzer_settings_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.index.dir = dir.path().join("index");
    let input = dir.path().join("a.jsonl");
    std::fs::write(&input, "{\"id\":\"a\",\"body\":\"인공지능 반도체\"}\n").unwrap();
    let analyzer = KoreanTokenizer::new(&config.analyzer).unwrap();
    indexer::index_paths(&[input], &config, &analyzer).unwrap();
    assert_eq!(
        indexer::analyzer_settings_changed(&config.index.dir, &config.analyzer),
        None
    );
    let other = AnalyzerConfig {
        decompound: Decompound::None,
        ..AnalyzerConfig::default()
    };
    let message = indexer::analyzer_settings_changed(&config.index.dir, &other).unwrap();
    assert!(message.contains("re-index"), "{message}");
    // An index built before normalisation and Hanja readings (its settings file records no
    // analysis version) is told to re-index too.
    let file = config.index.dir.join("chaja-analyzer.json");
    let mut stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let stored = stored.as_object_mut().unwrap();
    stored.remove("analysis");
    stored.remove("hanja");
    std::fs::write(&file, serde_json::to_string(stored).unwrap()).unwrap();
    let message = indexer::analyzer_settings_changed(&config.index.dir, &config.analyzer).unwrap();
    assert!(message.contains("re-index"), "{message}");
}

#[test]
fn long_questions_rank_by_how_much_matches() {
    let engine = newsroom();
    // No passage has every word of the question; the one with the most (and rarest) still comes first.
    let found = ids(
        &engine,
        "중국의 어떤 스타트업이 저비용 AI 모델을 공개했는가?",
    );
    assert_eq!(found[0], "deepseek", "{found:?}");
    assert!(
        found.len() > 1,
        "a question does not need every word: {found:?}"
    );
}

#[test]
fn evaluation_metrics() {
    let engine = newsroom();
    let queries = vec![
        EvalQuery {
            qid: "q1".into(),
            query: "딥시크".into(),
        },
        EvalQuery {
            qid: "q2".into(),
            query: "중소기업 대출 금리".into(),
        },
        EvalQuery {
            qid: "q3".into(),
            query: "화성 탐사선".into(),
        },
        EvalQuery {
            qid: "unjudged".into(),
            query: "금리".into(),
        },
    ];
    let qrels: HashMap<String, HashSet<String>> =
        [("q1", "deepseek"), ("q2", "joined"), ("q3", "bank")]
            .into_iter()
            .map(|(q, d)| (q.to_string(), HashSet::from([d.to_string()])))
            .collect();
    let mut run = Vec::new();
    let metrics = evaluate(&engine, &queries, &qrels, Some(&mut run)).unwrap();
    assert_eq!(metrics.queries, 3);
    assert!((metrics.recall_at_1 - 2.0 / 3.0).abs() < 1e-9);
    assert!((metrics.mrr_at_10 - 2.0 / 3.0).abs() < 1e-9);
    let run = String::from_utf8(run).unwrap();
    assert!(run.starts_with("q1 Q0 deepseek 1 "), "{run}");
}

#[test]
fn questions_prefer_passages_where_the_words_stand_together() {
    // Both passages hold every word of the question and are as long; one scatters the words (some
    // twice), the other says it in one sentence. Plain BM25 prefers the repetitions; proximity puts
    // the sentence that answers first.
    let gap = "농업과 산업, 복지 제도와 교육, 문화와 예술, 교통과 통신, 환경과 보건 이야기가 길게 이어진다. ";
    let scattered = format!(
        "1958년 일이다. {gap}{gap}월드컵 이야기다. {gap}{gap}대회 준비다. {gap}{gap}개최 여부다. {gap}{gap}스웨덴 이야기다. {gap}{gap}월드컵 이야기다."
    );
    let together = format!(
        "{gap}{gap}{gap}{gap}1958년 월드컵 대회는 스웨덴에서 개최되었다. {gap}{gap}{gap}{gap}{gap}"
    );
    let items = || {
        vec![
            article("scattered", "기록", &scattered),
            article("together", "기록", &together),
        ]
    };
    // 나라 is in neither passage: a word the index lacks never pushes out the ones it has.
    let question = "1958년 월드컵 대회를 개최한 나라는 어디인가?";
    // Proximity alone, on plain BM25 (the settings this fixture was made for), so the control
    // below isolates it.
    let mut config = Config::default();
    config.search.lead_weight = 0.0;
    config.search.pair_weight = 0.0;
    config.search.lead_text_weight = 0.0;
    config.search.length_normalization = 1.0;
    assert_eq!(ids(&engine_with(items(), &config), question)[0], "together");
    // The control: without the re-ranking, BM25 alone puts the repetitions first.
    config.search.proximity_weight = 0.0;
    assert_eq!(
        ids(&engine_with(items(), &config), question)[0],
        "scattered"
    );
    // With every default, the sentence that answers comes first too.
    assert_eq!(ids(&engine_of(items()), question)[0], "together");
}
