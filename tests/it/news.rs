//! News as people search it: pasted headlines with quoted speech, Hanja abbreviations, text from
//! other systems (decomposed Hangul, full-width letters), and never an empty page when something
//! matches.

use std::sync::OnceLock;

use chaja::search::{Engine, SearchRequest, SearchResponse};

use super::support::{article, engine_of, ids};

fn newsroom() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        engine_of(vec![
            article(
                "tongil",
                "",
                "대통령실은 통일교 특검과 관련해 성역 없는 수사가 이뤄진다면 특검의 형식에는 \
                 상관하지 않겠다는 입장을 밝혔다. 대통령실 관계자는 기자들과 만나 이같이 말했다.",
            ),
            article(
                "riyounghee",
                "언론학자 리영희 별세",
                "전 한양대학교 교수이자 언론학자인 리영희 씨가 81세를 일기로 숨을 거뒀다.",
            ),
            article(
                "funeral",
                "원로 배우 타계",
                "원로 배우가 지병으로 타계했다. 빈소는 서울의 한 병원에 마련됐다.",
            ),
            article(
                "sanders",
                "",
                "미국 진보 진영의 간판 버니 샌더스 상원의원이 부유한 자들이 인공지능을 밀어붙인다고 \
                 비판했다.",
            ),
            article(
                "nfd",
                "",
                // 삼성전자 in decomposed jamo, as macOS file names and some pages write it.
                "\u{1109}\u{1161}\u{11B7}\u{1109}\u{1165}\u{11BC}\u{110C}\u{1165}\u{11AB}\
                 \u{110C}\u{1161}\u{1100}\u{1161} 새 공장을 지었다.",
            ),
            article(
                "fullwidth",
                "",
                "ＡＩ 반도체 수요가 늘면서 메모리 가격이 올랐다.",
            ),
        ])
    })
}

fn search(query: &str) -> SearchResponse {
    newsroom()
        .search(&SearchRequest {
            query: query.to_string(),
            limit: 10,
            ..SearchRequest::default()
        })
        .expect("search works")
}

#[test]
fn a_quoted_headline_finds_its_paraphrasing_article_and_says_the_quote_was_relaxed() {
    let headline = "대통령실 \"통일교 특검, 성역 없이 수사하면 형식 상관 없다\"";
    let found = search(headline);
    assert_eq!(found.hits.first().map(|h| h.id.as_str()), Some("tongil"));
    let relaxed = found.relaxed.expect("the quote was not required");
    assert_eq!(
        relaxed.phrases,
        ["통일교 특검, 성역 없이 수사하면 형식 상관 없다"]
    );
    // Curly quotes, as headlines print them, are the same quotes.
    let curly = search("대통령실 “통일교 특검, 성역 없이 수사하면 형식 상관 없다”");
    assert_eq!(curly.hits.first().map(|h| h.id.as_str()), Some("tongil"));
    // A short phrase that is there stays exact and is not reported.
    let exact = search("\"성역 없는 수사\"");
    assert_eq!(exact.hits.len(), 1);
    assert!(exact.relaxed.is_none());
}

#[test]
fn a_short_query_with_an_absent_word_finds_the_article_and_names_the_word() {
    let found = search("리영희 타계");
    assert_eq!(
        found.hits.first().map(|h| h.id.as_str()),
        Some("riyounghee")
    );
    let relaxed = found.relaxed.expect("a word was dropped");
    assert_eq!(relaxed.dropped, ["타계"]);
    assert!(relaxed.phrases.is_empty());
    // Asked to be strict, the query as typed finds nothing, honestly.
    let strict = newsroom()
        .search(&SearchRequest {
            query: "리영희 타계".into(),
            limit: 10,
            strict: true,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!((strict.total, strict.relaxed), (0, None));
}

#[test]
fn a_query_that_matches_nothing_anywhere_is_an_honest_empty_page() {
    let found = search("퀘벡캬라멜프라푸치노 얼룩말다방");
    assert_eq!((found.total, found.hits.len()), (0, 0));
    assert!(found.relaxed.is_none());
}

#[test]
fn hanja_abbreviations_find_what_is_spelt_in_hangul() {
    assert_eq!(ids(newsroom(), "美 샌더스"), ids(newsroom(), "미국 샌더스"));
    assert_eq!(ids(newsroom(), "美 샌더스"), ["sanders"]);
    let headline = search("美진보 간판 샌더스 \"부유한 자들이 AI 밀어붙여\" 쓴소리");
    assert_eq!(
        headline.hits.first().map(|h| h.id.as_str()),
        Some("sanders")
    );
}

#[test]
fn decomposed_hangul_and_full_width_letters_match_as_typed() {
    assert_eq!(ids(newsroom(), "삼성전자 공장"), ["nfd"]);
    assert_eq!(ids(newsroom(), "AI 반도체"), ["fullwidth"]);
    assert_eq!(ids(newsroom(), "ＡＩ 반도체"), ["fullwidth"]);
    // Stored as analysed, so snippets mark the words.
    let found = search("ai 반도체");
    assert!(
        found.hits[0].snippet.contains("<mark>AI</mark>"),
        "{}",
        found.hits[0].snippet
    );
}

#[test]
fn an_article_whose_first_lines_paraphrase_the_headline_comes_first() {
    use chaja::config::Config;
    // Both articles hold every word of the headline; only one opens with them, as its own article
    // does. Filler keeps the two the same length.
    let filler = "관련 업계는 향후 추이를 지켜보고 있다. ".repeat(12);
    let items = || {
        vec![
            article(
                "other",
                "",
                &format!(
                    "{filler}한편 업계에 따르면 정부는 반도체 수출 규제를 완화하고 지원을 늘리기로 \
                     했다. 반도체 업계는 수출 지원을 반겼다."
                ),
            ),
            article(
                "own",
                "",
                &format!("정부가 반도체 수출 규제를 완화하고 지원을 늘리기로 했다. {filler}"),
            ),
        ]
    };
    let headline = "정부, 반도체 수출 규제 완화…지원 늘린다";
    let mut config = Config::default();
    (config.search.lead_weight, config.search.pair_weight) = (0.0, 0.0);
    config.search.proximity_weight = 0.0;
    let with_lead = super::support::engine_with(items(), &config);
    assert_eq!(ids(&with_lead, headline)[0], "own");
    // The control: without the lead text, the article that repeats the words comes first.
    config.search.lead_text_weight = 0.0;
    let without = super::support::engine_with(items(), &config);
    assert_eq!(ids(&without, headline)[0], "other");
}
