//! What the analyzer does with each morpheme of a text, as Elasticsearch's `_analyze` with `explain`
//! says it: the surface, its part of speech and byte offsets, and either the terms indexed for it
//! with their positions and kinds, or why it was dropped.

use serde::Serialize;
use tantivy::tokenizer::Token;

use super::{is_word_char, Details, Emitter, KoreanTokenizer};

/// One morpheme of ko-dic's segmentation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Morpheme {
    pub surface: String,
    /// ko-dic's part of speech (`NNG`, `JKS`, `VV+ETM`, …; `UNKNOWN` for a word it lacks).
    pub pos: String,
    /// Byte offsets in the text.
    pub start: usize,
    pub end: usize,
    /// The word comes from the user dictionary (`analyzer.user_dictionary`).
    pub user_dictionary: bool,
    /// Terms indexed for it; empty when it was dropped.
    pub indexed: Vec<Indexed>,
    /// Why nothing was indexed for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Indexed {
    pub term: String,
    pub position: usize,
    /// `word`, `stem` (of an inflected form), `compound part`, or `reading` (a Hanja word's Hangul).
    pub kind: &'static str,
}

impl KoreanTokenizer {
    /// Every morpheme of `text`, with what the index gets from it.
    pub fn explain(&self, text: &str) -> Vec<Morpheme> {
        let Ok(tokens) = self.segment(text) else {
            return Vec::new();
        };
        let mut position = 0;
        let mut out = Vec::with_capacity(tokens.len());
        for mut token in tokens {
            let (start, end) = (token.byte_start, token.byte_end);
            let surface = text.get(start..end).unwrap_or_default();
            let user_dictionary = !token.word_id.is_system() && !token.word_id.is_unknown();
            if surface.trim().is_empty() {
                continue;
            }
            let details = Details::read(token.details_iter());
            let tag = details.tag;
            let mut morpheme = Morpheme {
                surface: surface.to_string(),
                pos: tag.to_string(),
                start,
                end,
                user_dictionary,
                indexed: Vec::new(),
                dropped: None,
            };
            if !surface.chars().any(is_word_char) {
                morpheme.dropped = Some("punctuation or symbol".to_string());
                out.push(morpheme);
                continue;
            }
            let mut emitted = Emitter {
                tokens: Vec::new(),
                next_position: position,
            };
            self.emit_morpheme(&mut emitted, surface, (start, end), &details);
            position = emitted.next_position;
            morpheme.indexed = label(&emitted.tokens, details.kind);
            if morpheme.indexed.is_empty() {
                morpheme.dropped = Some(format!("stop tag {tag} (analyzer.stop_tags)"));
            }
            out.push(morpheme);
        }
        out
    }
}

/// The kind of each emitted token: the first at a position is the word (or an inflected form's
/// stem); the others at it are readings when they cover the same text, else compound parts.
fn label(tokens: &[Token], kind: &str) -> Vec<Indexed> {
    let mut out: Vec<Indexed> = Vec::with_capacity(tokens.len());
    let mut first: Option<&Token> = None;
    for token in tokens {
        let label = match first {
            Some(f) if f.position == token.position => {
                if (f.offset_from, f.offset_to) == (token.offset_from, token.offset_to) {
                    "reading"
                } else {
                    "compound part"
                }
            }
            _ => {
                first = Some(token);
                if kind == "Inflect" {
                    "stem"
                } else {
                    "word"
                }
            }
        };
        out.push(Indexed {
            term: token.text.clone(),
            position: token.position,
            kind: label,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::analyzer::KoreanTokenizer;
    use crate::config::AnalyzerConfig;

    #[test]
    fn each_morpheme_says_what_is_indexed_or_why_not() {
        let analyzer = KoreanTokenizer::new(&AnalyzerConfig::default()).unwrap();
        let explained = analyzer.explain("삼성전자가 美 딥시크를 가벼운.");
        let find = |s: &str| explained.iter().find(|m| m.surface == s).unwrap();
        let samsung = find("삼성전자");
        let terms: Vec<(&str, usize, &str)> = samsung
            .indexed
            .iter()
            .map(|i| (i.term.as_str(), i.position, i.kind))
            .collect();
        assert_eq!(
            terms,
            [
                ("삼성전자", 0, "word"),
                ("삼성", 0, "compound part"),
                ("전자", 0, "compound part")
            ]
        );
        assert_eq!((samsung.start, samsung.end), (0, 12));
        let particle = find("가");
        assert!(particle.indexed.is_empty());
        assert!(
            particle.dropped.as_deref().unwrap().contains("JKS"),
            "{particle:?}"
        );
        let kinds: Vec<&str> = find("美").indexed.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, ["word", "reading", "reading"]);
        assert!(find("딥시크").user_dictionary);
        assert_eq!(find("가벼운").indexed[0].kind, "stem");
        assert!(find(".")
            .dropped
            .as_deref()
            .unwrap()
            .contains("punctuation"));
    }
}
