//! The agreements `Built` promises between its queries, checked on the bundled Wikinews sample for
//! every kind of query: `count` matches exactly the documents `query` matches, and the flat terms'
//! two-phase search gives the same top `k` and scores as the query itself.

use std::collections::HashSet;
use std::sync::OnceLock;

use tantivy::collector::DocSetCollector;
use tantivy::{DocAddress, Searcher};

use super::build::{Built, QueryKind};
use super::retrieve::Filters;
use super::top::SharedTopDocs;
use super::Engine;
use crate::analyzer::KoreanTokenizer;
use crate::config::{AnalyzerConfig, Config};

fn engine() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let analyzer = KoreanTokenizer::new(&AnalyzerConfig::default()).unwrap();
            let index = crate::indexer::create_in_ram(&analyzer);
            let config = Config::default();
            crate::indexer::index_articles(&index, &config, crate::ingest::sample()).unwrap();
            Engine::new(index, analyzer, &config).unwrap()
        })
        .clone()
}

/// Queries of every kind, with operators, exclusions, Hanja and particles.
const QUERIES: &[(&str, QueryKind)] = &[
    ("월드컵", QueryKind::Keywords),
    ("월드컵 유치", QueryKind::Keywords),
    ("美 대통령", QueryKind::Keywords),
    ("대통령 -오바마", QueryKind::Keywords),
    ("\"미국 대통령\"", QueryKind::Keywords),
    ("title:월드컵 OR 올림픽", QueryKind::Keywords),
    (
        "오바마는 언제 미국 대통령에 취임했는가?",
        QueryKind::Question,
    ),
    (
        "2018년 월드컵 유치 후보로 확정된 나라는 어디인가?",
        QueryKind::Question,
    ),
    ("대통령 선거 결과 발표 야당 후보 당선", QueryKind::Question),
    ("대통령 선거 결과 발표 야당 -오바마", QueryKind::Question),
    (
        "\"미국 대통령\" 선거 결과 발표 당선",
        QueryKind::LongWithOperators,
    ),
    ("+월드컵 유치 후보 확정 발표", QueryKind::LongWithOperators),
];

fn built(engine: &Engine, searcher: &Searcher, query: &str) -> Built {
    let stats = engine.stats(searcher);
    engine
        .builder(&stats)
        .build(&engine.groups(query))
        .unwrap_or_else(|| panic!("{query} builds"))
}

fn matches(searcher: &Searcher, query: &dyn tantivy::query::Query) -> HashSet<DocAddress> {
    searcher.search(query, &DocSetCollector).unwrap()
}

#[test]
fn count_matches_exactly_the_ranked_documents() {
    let engine = engine();
    let searcher = engine.reader.searcher();
    for &(query, kind) in QUERIES {
        let built = built(&engine, &searcher, query);
        assert_eq!(built.kind, kind, "{query}");
        let ranked = matches(&searcher, &*built.query);
        let counted = matches(&searcher, &*built.count);
        assert!(!ranked.is_empty(), "{query} finds something");
        assert_eq!(
            ranked.len(),
            counted.len(),
            "{query}: query and count match different documents"
        );
        assert_eq!(ranked, counted, "{query}");
    }
}

#[test]
fn flat_terms_find_the_query_top_k_with_its_scores() {
    let engine = engine();
    let searcher = engine.reader.searcher();
    let stats = engine.stats(&searcher);
    let mut with_flat = 0;
    for &(query, _) in QUERIES {
        let built = built(&engine, &searcher, query);
        if built.flat.is_none() {
            continue;
        }
        with_flat += 1;
        for k in [1, 10, 40] {
            // Through the flat terms (two phases where the settings choose them).
            let fast = engine
                .top_k(&stats, &built, &Filters::default(), k)
                .unwrap();
            // The plain query, every matching document scored.
            let plain = searcher
                .search_with_statistics_provider(&*built.query, &SharedTopDocs::new(k), &stats)
                .unwrap();
            assert_eq!(fast.len(), plain.len(), "{query} k={k}");
            for (a, b) in fast.iter().zip(&plain) {
                assert!(
                    (a.0 - b.0).abs() <= 1e-4 * b.0.abs(),
                    "{query} k={k}: score {} against {}",
                    a.0,
                    b.0
                );
            }
            // Ties may come in either order; the documents are the same.
            let ids = |hits: &[(f32, DocAddress)]| hits.iter().map(|h| h.1).collect::<HashSet<_>>();
            let last = plain.last().map_or(0.0, |h| h.0);
            let above = |hits: &[(f32, DocAddress)]| {
                ids(&hits
                    .iter()
                    .copied()
                    .filter(|h| h.0 > last * (1.0 + 1e-4))
                    .collect::<Vec<_>>())
            };
            assert_eq!(above(&fast), above(&plain), "{query} k={k}");
        }
    }
    assert!(with_flat >= 3, "questions have flat terms");
}
