//! Query-time synonyms and abbreviations (AI ↔ 인공지능, 중기부 ↔ 중소벤처기업부): a query word equal
//! to an entry of a group also searches the group's other entries.

use std::collections::HashMap;

use super::syntax::{Atom, Group, Role};
use crate::analyzer::KoreanTokenizer;
use crate::config::BUILTIN;
use crate::error::{ConfigError, Error};

/// chaja's starter list for Korean news.
pub const BUILTIN_SYNONYMS: &str = include_str!("../../data/synonyms.txt");

#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Lower-cased entry → the other entries of its groups.
    map: HashMap<String, Vec<String>>,
}

impl Synonyms {
    /// The list named by the `search.synonyms` setting.
    pub fn load(setting: &str) -> Result<Synonyms, Error> {
        Ok(Synonyms::parse(&Synonyms::text(setting)?))
    }

    /// The text of the list the `search.synonyms` setting names (empty for none).
    pub fn text(setting: &str) -> Result<String, Error> {
        match setting.trim() {
            "" => Ok(String::new()),
            BUILTIN => Ok(BUILTIN_SYNONYMS.to_string()),
            path => std::fs::read_to_string(path).map_err(|source| {
                ConfigError::Read {
                    path: path.into(),
                    source,
                }
                .into()
            }),
        }
    }

    /// One group per line, entries separated by commas; `#` starts a comment.
    pub fn parse(text: &str) -> Synonyms {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let entries: Vec<&str> = line
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .collect();
            for entry in &entries {
                let others = map.entry(entry.to_lowercase()).or_default();
                for other in &entries {
                    if other != entry && !others.iter().any(|o| o == other) {
                        others.push(other.to_string());
                    }
                }
            }
        }
        Synonyms { map }
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Adds the synonyms of each plain word as alternatives of its group. A word is looked up as typed
    /// and without the particles the analyzer drops (`중기부는` → `중기부`).
    pub fn expand(&self, groups: &mut [Group], analyzer: &KoreanTokenizer) {
        if self.map.is_empty() {
            return;
        }
        for group in groups.iter_mut().filter(|g| g.role != Role::Exclude) {
            let mut added = Vec::new();
            for atom in group.alternatives.iter().filter(|a| !a.phrase) {
                let Some(others) = self.lookup(&atom.text, analyzer) else {
                    continue;
                };
                for other in others {
                    added.push(Atom {
                        text: other.clone(),
                        phrase: other.contains(' '),
                        scope: atom.scope,
                    });
                }
            }
            group.alternatives.extend(added);
        }
    }

    fn lookup(&self, word: &str, analyzer: &KoreanTokenizer) -> Option<&Vec<String>> {
        let lower = word.to_lowercase();
        if let Some(found) = self.map.get(&lower) {
            return Some(found);
        }
        // Only a word that starts with an entry and goes on for a few characters (a particle) is
        // worth analysing; most words are not, and analysis is the costly part.
        let ends: Vec<usize> = lower.char_indices().map(|(i, _)| i).skip(1).collect();
        let candidate = ends
            .iter()
            .rev()
            .take(3)
            .any(|&end| self.map.contains_key(&lower[..end]));
        if !candidate {
            return None;
        }
        let tokens = analyzer.analyze(word);
        let from = tokens.iter().map(|t| t.offset_from).min()?;
        let to = tokens.iter().map(|t| t.offset_to).max()?;
        self.map.get(&word[from..to].to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AnalyzerConfig;
    use crate::search::syntax::parse;

    #[test]
    fn groups_map_every_entry_to_the_others() {
        let s =
            Synonyms::parse("# news\n무보, 무역보험공사, 한국무역보험공사\nAI, 인공지능 # terms\n");
        assert_eq!(s.map["무보"], vec!["무역보험공사", "한국무역보험공사"]);
        assert_eq!(s.map["한국무역보험공사"], vec!["무보", "무역보험공사"]);
        assert_eq!(s.map["ai"], vec!["인공지능"]);
        assert!(!Synonyms::load(BUILTIN).unwrap().is_empty());
        assert!(Synonyms::load("").unwrap().is_empty());
        assert!(Synonyms::load("/no/such/synonyms.txt").is_err());
    }

    #[test]
    fn words_with_particles_expand_as_alternatives() {
        let analyzer = KoreanTokenizer::new(&AnalyzerConfig::default()).unwrap();
        let s =
            Synonyms::parse("중기부, 중소벤처기업부\nAI, 인공지능\n코로나, 신종 코로나바이러스");
        let mut groups = parse("중기부는 AI를 \"중기부\" -코로나");
        s.expand(&mut groups, &analyzer);
        let texts: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.alternatives.iter().map(|a| a.text.as_str()).collect())
            .collect();
        assert_eq!(
            texts,
            vec![
                vec!["중기부는", "중소벤처기업부"],
                vec!["AI를", "인공지능"],
                vec!["중기부"],
                vec!["코로나"]
            ]
        );
    }
}
