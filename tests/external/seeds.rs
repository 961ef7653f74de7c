//! The five scraped seed pages in `../shared/corpus/seeds`, indexed as a user would and searched.

use std::sync::OnceLock;

use chaja::config::Config;
use chaja::indexer;
use chaja::search::Engine;

use crate::shared;
use crate::support::{analyzer, ids, search};

const DEEPSEEK: &str = "003_48acb720e9773981";
const TRADE_INSURANCE: &str = "001_4867c593fb02ccbe";
const ZUCKERBERG: &str = "000_99a55e17f8adafd3";
const NEWSPIM_2019: &str = "002_2c1ff1fbb307a807";
const COLUMN: &str = "004_8ab676931d42010d";

/// The seed pages indexed through `index_paths` into a temporary folder, once.
fn seeds() -> &'static Engine {
    static ENGINE: OnceLock<(tempfile::TempDir, Engine)> = OnceLock::new();
    let shared = shared();
    let (_, engine) = ENGINE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.index.dir = dir.path().join("index");
        let report =
            indexer::index_paths(&[shared.join("corpus/seeds")], &config, &analyzer()).unwrap();
        assert_eq!(
            (report.indexed, report.replaced, report.skipped.len()),
            (5, 0, 0)
        );
        let index = indexer::open_or_create(&config.index.dir, &analyzer()).unwrap();
        let engine = Engine::new(index, analyzer(), &config).unwrap();
        (dir, engine)
    });
    engine
}

pub fn each_article_comes_first_for_its_own_subject() {
    let engine = seeds();
    for (query, id) in [
        ("딥시크", DEEPSEEK),
        ("무역보험공사", TRADE_INSURANCE),
        ("저커버그", ZUCKERBERG),
        ("소프트뱅크벤처스", NEWSPIM_2019),
        ("첨단기술", COLUMN),
        ("오영주 장관", DEEPSEEK),
        ("AI 자율제조", TRADE_INSURANCE),
        ("자율제조", TRADE_INSURANCE),
    ] {
        let found = ids(engine, query);
        assert_eq!(
            found.first().map(String::as_str),
            Some(id),
            "{query}: {found:?}"
        );
    }
}

pub fn particles_on_the_query_do_not_matter() {
    let engine = seeds();
    let plain = ids(engine, "삼성전자");
    assert!(
        plain.contains(&ZUCKERBERG.to_string()) && plain.contains(&COLUMN.to_string()),
        "{plain:?}"
    );
    for query in ["삼성전자와", "삼성전자가", "삼성전자의", "삼성전자는"] {
        assert_eq!(ids(engine, query), plain, "{query}");
    }
    assert_eq!(ids(engine, "딥시크가")[0], DEEPSEEK);
    assert_eq!(ids(engine, "저커버그는")[0], ZUCKERBERG);
}

pub fn chrome_and_teaser_words_find_nothing() {
    let engine = seeds();
    // Weather widgets, menus, "베스트 기사" / "최신기사" / "HOT클릭" teasers, shopping links, copyright.
    for query in [
        "구름많음",
        "기상청",
        "라씨로",
        "안다쇼핑",
        "경기도의회",
        "윤충식",
        "트럼프",
        "특별교역국",
        "유리기판",
        "홈플러스",
        "오폭",
        "윤석열 구치소",
        "무단전재",
        "저작권자",
        "뉴스댓글",
    ] {
        let response = search(engine, query);
        assert_eq!(
            response.total,
            0,
            "{query} found {:?}",
            response.hits.iter().map(|h| &h.id).collect::<Vec<_>>()
        );
    }
}

pub fn titles_dates_and_publishers_come_out_right() {
    let engine = seeds();
    let expect = [
        (
            ZUCKERBERG,
            "내달부터 中企 1000곳 저리대출 수혜 금융당국 산업계 확산 독려",
            None,
            Some("파이낸셜뉴스"),
        ),
        (
            TRADE_INSURANCE,
            "산업통상자원부, 산업계의 인공지능(AI) 투자 지원을 위한 금융상품 나온다",
            Some("2024-09-24T16:40:08+09:00"),
            Some("뉴스스텝"),
        ),
        (
            NEWSPIM_2019,
            "박영선 \"AI생태계 조성 지원, 테스트베드 될 수 있게 할 것\"",
            Some("2019-09-26T13:59:00+09:00"),
            Some("뉴스핌"),
        ),
        (
            DEEPSEEK,
            "오영주 중기부 장관 \"딥시크 세계적 충격…AI 활용 중소기업엔 기회\"",
            Some("2025-02-05T15:22:00+09:00"),
            Some("뉴스핌"),
        ),
        (
            COLUMN,
            "첨단기술의 산업화 전략",
            Some("2025-09-02T00:00:00+09:00"),
            None,
        ),
    ];
    for (id, title, date, source) in expect {
        let doc = engine.document(id).unwrap();
        assert_eq!(doc.title, title, "{id}");
        assert_eq!(doc.published_at.as_deref(), date, "{id}");
        assert_eq!(doc.source.as_deref(), source, "{id}");
    }
}

pub fn snippets_show_the_hit_not_the_chrome() {
    let engine = seeds();
    let response = search(engine, "무역보험공사를");
    let hit = &response.hits[0];
    assert!(
        hit.snippet.contains("<mark>무역보험공사</mark>"),
        "{}",
        hit.snippet
    );
    let body = engine.document(DEEPSEEK).unwrap().body;
    assert!(body.starts_with("5일 'AI 개발 동향점검"), "{body}");
    assert!(!body.contains("베스트 기사") && !body.contains("MBK") && !body.contains("안다쇼핑"));
}
