//! Ranking, matching and snippets on the bundled Wikinews sample and small hand-made collections.

use chaja::search::{Engine, SearchRequest};

use super::support::{article, engine_of, ids, sample, search};

fn newsroom() -> Engine {
    engine_of(vec![
        article(
            "chip",
            "삼성전자, 인공지능 반도체 공개",
            "삼성전자가 새 인공지능 반도체를 공개했다. 전력 효율이 높다.",
        ),
        article(
            "bank",
            "한국은행 기준금리 동결",
            "한국은행이 기준금리를 동결했다. 물가 상승률이 둔화됐다.",
        ),
        article(
            "apple",
            "애플의 새 스마트폰",
            "애플이 인공지능 기능을 넣은 스마트폰을 내놓았다. 삼성전자와 경쟁한다.",
        ),
        article(
            "factory",
            "AI 자율제조 확산",
            "제조 공정에 인공지능을 도입하는 자율제조 프로젝트가 늘고 있다.",
        ),
        article(
            "escape",
            "<b>태그</b> & 기호",
            "본문에 <script>alert(1)</script> 태그 & 기호가 섞여 있다.",
        ),
    ])
}

#[test]
fn sample_finds_world_cup_articles_with_highlights() {
    let response = search(&sample(), "월드컵");
    assert!(response.total >= 5, "{}", response.total);
    let first = &response.hits[0];
    assert!(
        first.title.contains("월드컵") || first.snippet.contains("<mark>월드컵</mark>"),
        "{first:?}"
    );
    for hit in &response.hits {
        assert!(
            hit.snippet.contains("<mark>"),
            "{}: {}",
            hit.id,
            hit.snippet
        );
        assert!(
            hit.url.as_deref().is_some_and(|u| u.starts_with("http")),
            "{hit:?}"
        );
        assert!(
            hit.published_at
                .as_deref()
                .is_some_and(|d| d.ends_with("+09:00")),
            "{hit:?}"
        );
    }
    let scores: Vec<f32> = response.hits.iter().map(|h| h.score).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "ranked: {scores:?}"
    );
}

#[test]
fn title_matches_outrank_body_matches() {
    let engine = newsroom();
    assert_eq!(ids(&engine, "한국은행")[0], "bank");
    let found = ids(&engine, "삼성전자");
    assert_eq!(found[0], "chip", "title mention first: {found:?}");
    assert!(
        found.contains(&"apple".to_string()),
        "body mention still found: {found:?}"
    );
}

#[test]
fn compounds_match_their_parts() {
    let engine = newsroom();
    // 인공지능 is indexed whole and as 인공 + 지능.
    let found = ids(&engine, "지능");
    for id in ["chip", "apple", "factory"] {
        assert!(
            found.contains(&id.to_string()),
            "{id} missing for 지능: {found:?}"
        );
    }
    assert_eq!(ids(&engine, "자율제조")[0], "factory");
    assert_eq!(ids(&engine, "AI 자율제조")[0], "factory");
}

/// The first page for `query` as typed, never relaxed.
fn strict_ids(engine: &Engine, query: &str) -> Vec<String> {
    let request = SearchRequest {
        query: query.to_string(),
        limit: 10,
        strict: true,
        ..SearchRequest::default()
    };
    let response = engine.search(&request).expect("search works");
    response.hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn short_queries_need_every_word() {
    let engine = newsroom();
    assert_eq!(ids(&engine, "삼성전자 반도체"), vec!["chip"]);
    assert!(strict_ids(&engine, "한국은행 반도체").is_empty());
}

#[test]
fn query_syntax_phrase_must_exclude_or_title() {
    let engine = newsroom();
    assert_eq!(ids(&engine, "\"기준금리를 동결\""), vec!["bank"]);
    assert!(
        strict_ids(&engine, "\"동결 기준금리\"").is_empty(),
        "word order matters in a phrase"
    );
    let found = ids(&engine, "인공지능 -애플");
    assert!(
        !found.contains(&"apple".to_string()) && found.contains(&"chip".to_string()),
        "{found:?}"
    );
    let found = ids(&engine, "한국은행 OR 스마트폰");
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(ids(&engine, "title:스마트폰"), vec!["apple"]);
    assert!(
        strict_ids(&engine, "title:물가").is_empty(),
        "물가 is only in a body"
    );
}

#[test]
fn malformed_queries_are_searched_leniently() {
    let engine = newsroom();
    assert_eq!(ids(&engine, "\"한국은행 기준금리"), vec!["bank"]);
    assert_eq!(ids(&engine, "+ 한국은행 - OR"), vec!["bank"]);
    assert_eq!(search(&engine, "은는이가").total, 0);
    assert_eq!(search(&engine, "*?!:)(").total, 0);
}

#[test]
fn snippets_are_escaped_html() {
    let engine = newsroom();
    let response = search(&engine, "태그");
    let hit = &response.hits[0];
    assert_eq!(hit.id, "escape");
    assert!(hit.snippet.contains("&lt;script&gt;"), "{}", hit.snippet);
    assert!(hit.snippet.contains("<mark>태그</mark>"), "{}", hit.snippet);
    assert!(!hit.snippet.contains("<script>") && !hit.snippet.contains("<b>"));
    assert_eq!(
        hit.title, "<b>태그</b> & 기호",
        "titles are returned as stored text"
    );
}

#[test]
fn paging_walks_the_whole_result_list() {
    let engine = sample();
    let all = engine
        .search(&SearchRequest {
            query: "대통령".into(),
            limit: 30,
            offset: 0,
            ..SearchRequest::default()
        })
        .unwrap();
    let second = engine
        .search(&SearchRequest {
            query: "대통령".into(),
            limit: 10,
            offset: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(all.total, second.total);
    let want: Vec<&str> = all.hits[10..20].iter().map(|h| h.id.as_str()).collect();
    let got: Vec<&str> = second.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(got, want);
}

#[test]
fn total_and_facets_count_the_documents_the_hits_come_from() {
    let engine = sample();
    for query in [
        "오바마는 언제 대통령에 취임했는가?",
        "2022년 월드컵 유치 후보로 확정된 나라는 어디인가?",
        "대한민국 정부가 발표한 새로운 경제 정책의 주요 내용과 전망",
        "월드컵 유치",
        "\"월드컵 유치\" 후보 국가 발표 일정 공개",
    ] {
        let all = engine
            .search(&SearchRequest {
                query: query.into(),
                limit: 100,
                ..SearchRequest::default()
            })
            .unwrap();
        let by_source: u64 = all.facets.source.iter().map(|f| f.count).sum();
        assert_eq!(by_source as usize, all.total, "{query}");
        assert!(all.total > 0, "{query}");
        // The whole result list, walked page by page, is exactly `total` documents long.
        let mut seen = 0;
        for offset in (0..all.total).step_by(100) {
            let page = engine
                .search(&SearchRequest {
                    query: query.into(),
                    limit: 100,
                    offset,
                    ..SearchRequest::default()
                })
                .unwrap();
            assert_eq!(page.total, all.total, "{query}");
            seen += page.hits.len();
        }
        assert_eq!(seen, all.total, "{query}");
    }
}

fn pairs(values: &[chaja::search::facets::FacetValue]) -> Vec<(&str, u64)> {
    values.iter().map(|m| (m.value.as_str(), m.count)).collect()
}

#[test]
fn month_facets_count_korea_time_months_over_any_date_span() {
    use chaja::ingest::Article;
    use time::macros::datetime;
    let dated = |id: &str, source: Option<&str>, at| {
        Ok(Article {
            id: id.to_string(),
            title: "독립신문 기사".to_string(),
            body: "독립신문이 창간 소식을 전했다.".to_string(),
            source: source.map(str::to_string),
            url: None,
            published_at: at,
        })
    };
    // 1700 and 2024 lie further apart than the dense day range; 15:30 UTC on 31 August is already
    // September in Korea, 14:59 UTC still August.
    let engine = engine_of(vec![
        dated(
            "1700",
            Some("독립신문"),
            Some(datetime!(1700-05-23 10:00 +09:00)),
        ),
        // Before the earliest date the index can hold: indexed without its date.
        dated("1592", None, Some(datetime!(1592-05-23 10:00 +09:00))),
        dated(
            "aug",
            Some("가상일보"),
            Some(datetime!(2024-08-31 14:59 UTC)),
        ),
        dated(
            "sep",
            Some("가상일보"),
            Some(datetime!(2024-08-31 15:30 UTC)),
        ),
        dated("undated", None, None),
    ]);
    let found = search(&engine, "독립신문");
    assert_eq!(found.total, 5);
    let months = pairs(&found.facets.month);
    assert_eq!(months, [("2024-09", 1), ("2024-08", 1), ("1700-05", 1)]);
    assert_eq!(
        pairs(&found.facets.source),
        [("가상일보", 2), ("독립신문", 1)]
    );
}

#[test]
fn totals_past_the_bound_are_estimates_flagged_as_such() {
    use chaja::config::Config;
    let items = || chaja::ingest::sample().collect::<Vec<_>>();
    let mut config = Config::default();
    config.search.exact_total_up_to = 50;
    let bounded = super::support::engine_with(items(), &config);
    config.search.exact_total_up_to = 0;
    let exact = super::support::engine_with(items(), &config);
    let broad = "대통령 OR 정부 OR 국민 OR 한국";
    let all = super::support::search(&exact, broad);
    assert!(all.total_exact && all.total > 300, "{}", all.total);
    let some = super::support::search(&bounded, broad);
    assert!(
        !some.total_exact,
        "counting stopped at the bound: an estimate"
    );
    // Estimated from samples spread over the whole index, not from its first documents: near the
    // real total, and the months sampled reach from the oldest to the newest.
    let near = |estimate: u64, real: u64| estimate.abs_diff(real) as f64 <= 0.35 * real as f64;
    assert!(
        near(some.total as u64, all.total as u64),
        "{} against {}",
        some.total,
        all.total
    );
    let sum: u64 = some.facets.month.iter().map(|m| m.count).sum();
    assert!(near(sum, all.total as u64), "{sum} against {}", all.total);
    // Newest first: (oldest year, newest year).
    let span = |r: &chaja::search::SearchResponse| {
        let year = |m: Option<&chaja::search::facets::FacetValue>| {
            m.and_then(|m| m.value[..4].parse::<i32>().ok())
                .unwrap_or(0)
        };
        (year(r.facets.month.last()), year(r.facets.month.first()))
    };
    let ((oldest, newest), (first, last)) = (span(&some), span(&all));
    assert!(oldest <= first + 1, "{oldest} against {first}");
    assert!(newest >= last - 1, "{newest} against {last}");
    // The hits are the same: only counting changes.
    let ids =
        |r: &chaja::search::SearchResponse| r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&some), ids(&all));
    // Under the bound, the total is exact and says so.
    let few = super::support::search(&bounded, "월드컵");
    assert!(few.total_exact && few.total < 50, "{}", few.total);
    let same = super::support::search(&exact, "월드컵");
    assert_eq!((few.total, few.facets), (same.total, same.facets));
}
