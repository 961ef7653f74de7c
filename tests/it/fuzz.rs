//! Arbitrary text never panics the parsers that read what users and other systems send: the query
//! parser (through a whole search), the page cleaner and the write payload parser. Strings are drawn
//! from a seeded generator over the characters that matter (Hangul, jamo, Hanja, quotes, operators,
//! brackets, JSON punctuation, control and combining characters, emoji), so a failure replays.

use chaja::http::parse_payload;
use chaja::ingest::page;

use super::support::{sample, Random};

const PIECES: &[&str] = &[
    "삼성전자",
    "가",
    "는",
    "ㅅ",
    "ㅏ",
    "\u{1100}",
    "\u{1161}",
    "\u{11A8}",
    "美",
    "與",
    "經濟",
    "\"",
    "“",
    "”",
    "'",
    "‘",
    "+",
    "-",
    "OR",
    "title:",
    "제목:",
    "(",
    ")",
    "[",
    "]",
    "【",
    "】",
    "{",
    "}",
    ":",
    ",",
    "\\",
    "/",
    "?",
    "…",
    "·",
    "ㆍ",
    "Ａ",
    "ａ",
    "１",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\u{0}",
    "\u{7f}",
    "\u{200b}",
    "\u{301}",
    "\u{fffd}",
    "😀",
    "a",
    "Z",
    "9",
    "-3.3%",
    "null",
    "true",
    "\"id\"",
    "\"body\"",
    "\"url\"",
    "javascript:",
    "기사입력 : 2024-09-24 16:40",
    "[서울=뉴스핌]",
];

fn text(random: &mut Random) -> String {
    let n = random.below(40);
    (0..n)
        .map(|_| PIECES[random.below(PIECES.len() as u64) as usize])
        .collect()
}

#[test]
fn queries_pages_and_payloads_of_any_text_never_panic() {
    let engine = sample();
    let mut random = Random(0x5EED_F00D);
    for _ in 0..1500 {
        let t = text(&mut random);
        let _ = engine.top_k_ids(&t, 10).expect("a query is never an error");
        let _ = page::parse("fuzz", &t);
        let _ = parse_payload(t.as_bytes(), false);
        let _ = parse_payload(t.as_bytes(), true);
        // Arbitrary bytes too, not only valid UTF-8.
        let bytes: Vec<u8> = (0..random.below(64))
            .map(|_| random.below(256) as u8)
            .collect();
        let _ = parse_payload(&bytes, random.below(2) == 0);
    }
    // Whole searches (snippets, facets, relaxed readings) over a share of them.
    for _ in 0..200 {
        let t = text(&mut random);
        let request = chaja::search::SearchRequest {
            query: t.clone(),
            limit: 10,
            ..Default::default()
        };
        engine
            .search(&request)
            .unwrap_or_else(|e| panic!("{t:?}: {e}"));
    }
}
