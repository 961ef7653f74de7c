//! The analysis indexing does, checked against the dictionary's source and real text in `../shared`.

use std::process::Command;

use chaja::analyzer::{BigramTokenizer, KoreanTokenizer, KO_DIC_SPACED};
use chaja::config::AnalyzerConfig;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::shared;

pub fn the_ko_dic_entries_that_hold_a_space_are_the_ones_words_are_kept_together_after() {
    let shared = shared();
    let source = shared.join("lindera/mecab-ko-dic-2.1.1-20180720-recovered.tar.gz");
    let csv = Command::new("tar")
        .arg("-xzOf")
        .arg(&source)
        .arg("mecab-ko-dic-2.1.1-20180720-recovered/mecab-ko-dic.csv")
        .output()
        .expect("tar runs");
    assert!(
        csv.status.success(),
        "tar could not read {}",
        source.display()
    );
    let csv = String::from_utf8_lossy(&csv.stdout);
    let mut spaced: Vec<&str> = csv
        .lines()
        .filter_map(|row| row.split(',').next())
        .filter(|surface| surface.contains([' ', '\t', '\n', '\r', '\u{b}']))
        .collect();
    assert!(
        csv.lines().count() > 800_000,
        "the whole dictionary was read"
    );
    spaced.sort_unstable();
    let mut known = KO_DIC_SPACED.to_vec();
    known.sort_unstable();
    assert_eq!(spaced, known);
}

fn terms(tokens: impl IntoIterator<Item = Token>) -> Vec<(String, usize, usize, usize)> {
    tokens
        .into_iter()
        .map(|t| (t.text, t.offset_from, t.offset_to, t.position))
        .collect()
}

fn drain(mut stream: impl TokenStream) -> Vec<Token> {
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().clone());
    }
    tokens
}

pub fn wikipedia_articles_index_word_by_word_as_they_read_whole() {
    let shared = shared();
    let mut indexing = KoreanTokenizer::new(&AnalyzerConfig::default()).unwrap();
    let mut bigrams = BigramTokenizer::new(&indexing);
    let input = shared.join("corpus/kowiki-sample.jsonl.gz");
    let mut words = 0;
    for article in chaja::ingest::read_file(&input).flatten().take(400) {
        for text in [&article.title, &article.body] {
            let remembered = terms(drain(indexing.token_stream(text)));
            let grams = terms(drain(bigrams.token_stream(text)));
            assert_eq!(remembered, terms(indexing.analyze(text)), "{text}");
            assert_eq!(grams, terms(indexing.bigrams(text)), "{text}");
            words += remembered.len();
        }
    }
    assert!(words > 40_000, "{words} tokens compared");
}
