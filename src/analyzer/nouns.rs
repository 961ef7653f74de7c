//! The nouns of a text with ko-dic's meaning class (people, places), for the views of what the news
//! says about a query: related words and the people and places in the matching articles.

use super::KoreanTokenizer;

/// What ko-dic says a noun is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NounKind {
    /// A common noun (NNG).
    Common,
    /// A proper noun (NNP) that is neither a person nor a place, or a word the dictionary lacks.
    Proper,
    /// `NNP,인명`.
    Person,
    /// `NNP,지명`.
    Place,
    /// A Latin-letter word (SL), lower-cased as the index has it.
    Foreign,
}

/// A noun of at least two characters, as the index spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noun {
    pub text: String,
    pub kind: NounKind,
}

impl KoreanTokenizer {
    /// The nouns of `text` of two characters or more, in order (repeats kept).
    pub fn nouns(&self, text: &str) -> Vec<Noun> {
        let Ok(tokens) = self.segment(text) else {
            return Vec::new();
        };
        let mut nouns = Vec::new();
        for mut token in tokens {
            let surface = text
                .get(token.byte_start..token.byte_end)
                .unwrap_or_default();
            if surface.chars().count() < 2 {
                continue;
            }
            let mut details = token.details_iter();
            let tag = details.next().unwrap_or("UNKNOWN");
            let meaning = details.next().unwrap_or("*");
            let kind = match (tag, meaning) {
                ("NNG", _) => NounKind::Common,
                ("NNP", "인명") => NounKind::Person,
                ("NNP", "지명") => NounKind::Place,
                ("NNP", _) | ("UNKNOWN", _) => NounKind::Proper,
                ("SL", _) => NounKind::Foreign,
                _ => continue,
            };
            let text = if kind == NounKind::Foreign {
                surface.to_lowercase()
            } else {
                surface.to_string()
            };
            nouns.push(Noun { text, kind });
        }
        nouns
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AnalyzerConfig;

    #[test]
    fn nouns_say_who_and_where() {
        let analyzer = KoreanTokenizer::new(&AnalyzerConfig::default()).unwrap();
        let nouns = analyzer.nouns("이재명 대통령이 부산에서 삼성전자의 AI 반도체 공장을 찾았다.");
        let kind = |text: &str| nouns.iter().find(|n| n.text == text).map(|n| n.kind);
        assert_eq!(kind("이재명"), Some(NounKind::Person));
        assert_eq!(kind("부산"), Some(NounKind::Place));
        assert_eq!(kind("대통령"), Some(NounKind::Common));
        assert_eq!(kind("ai"), Some(NounKind::Foreign));
        assert!(kind("삼성전자").is_some());
        // Particles, endings and verbs are not nouns.
        assert_eq!(kind("찾았다"), None);
        assert!(nouns.iter().all(|n| n.text.chars().count() >= 2));
    }
}
