//! Every numeric setting, fed random values (zero, negative, huge, fractional, not a number): loading
//! either refuses the value with a message naming the key, or accepts it, and then indexing and every
//! kind of search work without a panic.

use std::sync::OnceLock;

use chaja::config::Config;
use chaja::indexer;
use chaja::ingest;
use chaja::search::{Engine, SearchRequest};
use tantivy::Index;

use super::support::{analyzer, Random};

/// Every numeric setting, read off the settings themselves: `<SECTION>_<KEY>` for each number in
/// `Config::default()`, so a setting added later is fuzzed without anyone listing it here.
fn numeric_keys() -> Vec<String> {
    let defaults = serde_json::to_value(Config::default()).expect("settings serialise");
    let mut keys = Vec::new();
    for (section, values) in defaults.as_object().expect("sections") {
        for (key, value) in values.as_object().expect("keys") {
            if value.is_number() {
                keys.push(format!("{section}_{key}").to_ascii_uppercase());
            }
        }
    }
    keys
}

#[test]
fn numeric_keys_are_every_numeric_setting() {
    let keys = numeric_keys();
    // The three a hand-kept list once missed, index.merge_segment_mb among them (its zero divided
    // by zero before 9c3e21e).
    for key in [
        "SEARCH_CANDIDATES",
        "SEARCH_RARE_TERM_RATIO",
        "INDEX_MERGE_SEGMENT_MB",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key} in {keys:?}");
    }
    // Every one is a setting `CHAJA_*` sets: taken, or refused with its name, never ignored.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("empty.toml");
    std::fs::write(&file, "").unwrap();
    for key in &keys {
        let var = (format!("CHAJA_{key}"), "1".to_string());
        match Config::load_reporting(Some(&file), [var]) {
            Ok((_, ignored)) => assert!(ignored.is_empty(), "{key} names no setting"),
            Err(e) => {
                let (section, name) = key.split_once('_').unwrap();
                let dotted = format!("{section}.{name}").to_ascii_lowercase();
                assert!(e.to_string().contains(&dotted), "{key}: {e}");
            }
        }
    }
    assert!(
        keys.len() >= 33,
        "{} numeric settings: {keys:?}",
        keys.len()
    );
}

/// Values as a user might write them in `CHAJA_*` or config.toml.
trait Values {
    fn value(&mut self) -> String;
}

impl Values for Random {
    /// A value as a user might write it in `CHAJA_*` or config.toml.
    fn value(&mut self) -> String {
        match self.below(10) {
            0 => "0".to_string(),
            1 => "1".to_string(),
            2 => format!("-{}", self.below(1000)),
            3 => self.below(50).to_string(),
            4 => self.below(100_000).to_string(),
            5 => ["4294967295", "9223372036854775807", "1e30", "1e-30"][self.below(4) as usize]
                .to_string(),
            6 => format!("{:.3}", self.below(10_000) as f64 / 1000.0),
            7 => ["nan", "inf", "-inf", "-0.0"][self.below(4) as usize].to_string(),
            8 => format!("0.{}", self.below(1000)),
            _ => ["\"12\"", "true", "[1]", "x"][self.below(4) as usize].to_string(),
        }
    }
}

/// The bundled sample, so questions have candidates to re-rank.
fn index() -> Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let index = indexer::create_in_ram(&analyzer());
            indexer::index_articles(&index, &Config::default(), ingest::sample())
                .expect("indexing works");
            index
        })
        .clone()
}

const QUERIES: &[&str] = &[
    "대통령실 \"통일교 특검, 성역 없이 수사하면 형식 상관 없다\"",
    "앙드레김 타계",
    "美 대통령 \"취임\"",
    "오바마는 언제 미국 대통령에 취임했는가?",
    "2018년 월드컵 유치 후보로 확정된 나라는 어디인가?",
    "월드컵 유치",
    "삼성전자가",
    "삼성전자 반도체 실적 발표 자율제조 라인",
    "\"미국 대통령\" -월드컵",
    "title:월드컵 OR 반도체",
];

/// Every key alone with edge values and random ones, then random combinations of keys.
fn cases(random: &mut Random) -> Vec<Vec<(String, String)>> {
    const EDGES: &[&str] = &["0", "1", "-1", "2", "0.5", "4294967295", "1e30", "nan"];
    let var = |key: &str, value: String| (format!("CHAJA_{key}"), value);
    let mut cases = Vec::new();
    let names = numeric_keys();
    for key in &names {
        cases.extend(EDGES.iter().map(|v| vec![var(key, v.to_string())]));
        cases.extend((0..6).map(|_| vec![var(key, random.value())]));
    }
    for _ in 0..60 {
        let keys = 2 + random.below(3);
        let case = (0..keys)
            .map(|_| {
                let key = &names[random.below(names.len() as u64) as usize];
                var(key, random.value())
            })
            .collect();
        cases.push(case);
    }
    cases
}

#[test]
fn random_numeric_settings_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("empty.toml");
    std::fs::write(&file, "").unwrap();
    let mut random = Random(0x00C0_FFEE);
    let (mut accepted, mut refused) = (0, 0);
    for vars in cases(&mut random) {
        let config = match Config::load(Some(&file), vars.clone()) {
            Ok(config) => config,
            Err(err) => {
                let message = err.to_string();
                let named = vars.iter().any(|(k, _)| {
                    let key = k["CHAJA_".len()..].to_ascii_lowercase();
                    let (section, key) = key.split_once('_').unwrap();
                    message.contains(&format!("{section}.{key}"))
                });
                assert!(named, "{vars:?}: {message}");
                refused += 1;
                continue;
            }
        };
        accepted += 1;
        // The writer takes the heap and thread settings (it indexes nothing, so it is dropped).
        let writer = indexer::Writer::new(&index(), &config);
        assert!(writer.is_ok(), "{vars:?}: writer");
        drop(writer);
        let engine = Engine::new(index(), analyzer(), &config).expect("engine opens");
        for query in QUERIES {
            for offset in [0, config.server.max_offset] {
                let request = SearchRequest {
                    query: query.to_string(),
                    limit: config.search.default_limit.min(config.server.max_limit),
                    offset,
                    ..SearchRequest::default()
                };
                let response = engine.search(&request);
                assert!(response.is_ok(), "{vars:?}: {query}");
                let _ = engine.top_k_ids(query, 10).expect("top ids");
            }
        }
    }
    assert!(
        accepted > 50 && refused > 50,
        "{accepted} accepted, {refused} refused"
    );
}
