//! Typing assistance: completions for what is being typed (plain prefixes, half-typed syllables,
//! 초성, one wrong jamo, the wrong keyboard mode), drawn from the index's words and ranked by how many
//! documents use them. Built from the index when it is opened or committed, kept in memory.

pub mod hangul;

use std::collections::HashMap;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};
use serde::Serialize;
use tantivy::schema::Field;
use tantivy::Searcher;
use tantivy_fst::{Automaton, IntoStreamer, Map, MapBuilder, Streamer};

use crate::error::{Error, InternalError};

/// A completion and how many documents use it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    pub text: String,
    pub count: u64,
}

/// The index's words, findable by the jamo keys that type them and by their initial consonants.
pub struct Suggester {
    /// Words and their document counts, in the order of their keys.
    words: Vec<(String, u64)>,
    /// Jamo keys → index into `words`.
    by_keys: Map<Vec<u8>>,
    /// Initial consonants → index into `groups`.
    by_initials: Map<Vec<u8>>,
    /// Words sharing initial consonants, most used first.
    groups: Vec<Vec<u32>>,
}

/// Whether a term is worth suggesting: two to 24 characters with a Hangul syllable or a Latin letter,
/// used by at least two documents.
fn worth(term: &str, count: u64) -> bool {
    let n = term.chars().count();
    count >= 2
        && (2..=24).contains(&n)
        && term
            .chars()
            .any(|c| c.is_ascii_alphabetic() || crate::hangul::is_syllable(c))
}

/// The words before the last one (with a space after them, or empty) and the last word of `query`.
fn last_word(query: &str) -> (String, &str) {
    let query = query.trim();
    match query.rsplit_once(char::is_whitespace) {
        Some((before, last)) => (format!("{} ", before.trim_end()), last),
        None => (String::new(), query),
    }
}

fn fst_error(e: impl std::fmt::Display) -> Error {
    InternalError::Task(format!("suggestions: {e}")).into()
}

impl Suggester {
    /// Every word of `fields` in the index, counted by documents (the largest count over the fields).
    pub fn build(searcher: &Searcher, fields: &[Field]) -> Result<Suggester, Error> {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for &field in fields {
            let mut per_field: HashMap<String, u64> = HashMap::new();
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                let mut terms = inverted.terms().stream()?;
                while terms.advance() {
                    let Ok(term) = std::str::from_utf8(terms.key()) else {
                        continue;
                    };
                    *per_field.entry(term.to_string()).or_default() +=
                        u64::from(terms.value().doc_freq);
                }
            }
            for (term, count) in per_field {
                let best = counts.entry(term).or_default();
                *best = (*best).max(count);
            }
        }
        let mut keyed: Vec<(String, String, u64)> = counts
            .into_iter()
            .filter(|(term, count)| worth(term, *count))
            .map(|(term, count)| (hangul::keys(&term), term, count))
            .collect();
        keyed.sort_unstable();
        keyed.dedup_by(|b, a| {
            // The same keys (a word and its lower-cased twin): keep the one used more.
            if a.0 == b.0 {
                if b.2 > a.2 {
                    std::mem::swap(a, b);
                }
                true
            } else {
                false
            }
        });
        let mut keys = MapBuilder::memory();
        let mut initials: HashMap<String, Vec<u32>> = HashMap::new();
        let mut words = Vec::with_capacity(keyed.len());
        for (i, (key, term, count)) in keyed.into_iter().enumerate() {
            keys.insert(key.as_bytes(), i as u64).map_err(fst_error)?;
            if let Some(first) = hangul::initials(&term).filter(|f| f.chars().count() >= 2) {
                initials.entry(first).or_default().push(i as u32);
            }
            words.push((term, count));
        }
        let by_keys = Map::from_bytes(keys.into_inner().map_err(fst_error)?).map_err(fst_error)?;
        let mut initials: Vec<(String, Vec<u32>)> = initials.into_iter().collect();
        initials.sort_unstable();
        let mut by_initials = MapBuilder::memory();
        let mut groups = Vec::with_capacity(initials.len());
        for (i, (first, mut group)) in initials.into_iter().enumerate() {
            by_initials
                .insert(first.as_bytes(), i as u64)
                .map_err(fst_error)?;
            group.sort_by_key(|&w| std::cmp::Reverse(words[w as usize].1));
            group.truncate(32);
            groups.push(group);
        }
        let by_initials =
            Map::from_bytes(by_initials.into_inner().map_err(fst_error)?).map_err(fst_error)?;
        Ok(Suggester {
            words,
            by_keys,
            by_initials,
            groups,
        })
    }

    /// Words known.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Memory held, in bytes (words, both maps, the groups).
    pub fn memory_bytes(&self) -> usize {
        let words: usize = self.words.iter().map(|(w, _)| w.capacity() + 32).sum();
        let groups: usize = self.groups.iter().map(|g| g.capacity() * 4 + 24).sum();
        words + self.by_keys.as_fst().size() + self.by_initials.as_fst().size() + groups
    }

    /// Up to `limit` completions of the last word of `query`, most used first, each with the words
    /// before it: the keys typed so far as a prefix (so 삼성ㅈ and 삼성저 both find 삼성전자), 초성
    /// (ㅅㅅㅈㅈ), Latin letters typed in English mode meaning Hangul (tkatjd), and, when those find
    /// nothing, words one jamo away (트럼르 → 트럼프).
    pub fn suggest(&self, query: &str, limit: usize) -> Vec<Suggestion> {
        let (before, last) = last_word(query);
        if last.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut found: Vec<u32> = Vec::new();
        let typed = hangul::keys(last);
        self.as_typed(last, &typed, &mut found);
        if last.chars().all(|c| c.is_ascii_alphabetic()) {
            if let Some(meant) = hangul::latin_to_hangul(last) {
                self.with_prefix(&hangul::keys(&meant), &mut found);
            }
        }
        if found.is_empty() && typed.chars().count() >= 3 {
            self.within_one(&typed, true, &mut found);
        }
        found.sort_unstable();
        found.dedup();
        found.sort_by_key(|&w| std::cmp::Reverse(self.words[w as usize].1));
        found
            .into_iter()
            .take(limit)
            .map(|w| {
                let (text, count) = &self.words[w as usize];
                Suggestion {
                    text: format!("{before}{text}"),
                    count: *count,
                }
            })
            .collect()
    }

    /// The most used word that completes the last word of `query` as typed, with the words before
    /// it: by its keys (`삼성저`, `삼성ㅈ` → 삼성전자) or by its 초성 (`ㅅㅅㅈㅈ` → 삼성전자); never a
    /// word spelled otherwise (no other keyboard mode, no jamo changed).
    pub fn complete(&self, query: &str) -> Option<Suggestion> {
        let (before, last) = last_word(query);
        if last.is_empty() {
            return None;
        }
        let mut found: Vec<u32> = Vec::new();
        self.as_typed(last, &hangul::keys(last), &mut found);
        let best = found
            .into_iter()
            .max_by_key(|&w| (self.words[w as usize].1, std::cmp::Reverse(w)))?;
        let (text, count) = &self.words[best as usize];
        Some(Suggestion {
            text: format!("{before}{text}"),
            count: *count,
        })
    }

    /// Whether `word` (any case) is one of the index's words the suggester holds.
    pub fn knows(&self, word: &str) -> bool {
        let word = word.to_lowercase();
        self.by_keys
            .get(hangul::keys(&word).as_bytes())
            .is_some_and(|i| self.words.get(i as usize).is_some_and(|w| w.0 == word))
    }

    /// The most used indexed word one jamo away from `word` (two for long words), if any: a
    /// did-you-mean for a word that finds nothing.
    pub fn closest(&self, word: &str) -> Option<String> {
        let typed = hangul::keys(word);
        let mut found = Vec::new();
        self.within_one(&typed, false, &mut found);
        found
            .into_iter()
            .filter(|&w| self.words[w as usize].0 != word)
            .max_by_key(|&w| self.words[w as usize].1)
            .map(|w| self.words[w as usize].0.clone())
    }

    /// The words `last` (whose jamo keys are `keys`) begins as typed: by its keys, and by its 초성
    /// when it is only 초성.
    fn as_typed(&self, last: &str, keys: &str, found: &mut Vec<u32>) {
        self.with_prefix(keys, found);
        if hangul::is_initials(last) {
            self.with_initials(last, found);
        }
    }

    fn with_prefix(&self, keys: &str, found: &mut Vec<u32>) {
        // A whole range can be large (every word starting with ㅅ): keep the most used.
        let mut stream = self.by_keys.range().ge(keys.as_bytes()).into_stream();
        let mut range = Vec::new();
        while let Some((key, w)) = stream.next() {
            if !key.starts_with(keys.as_bytes()) {
                break;
            }
            range.push(w as u32);
        }
        if range.len() > 64 {
            range.select_nth_unstable_by_key(63, |&w| std::cmp::Reverse(self.words[w as usize].1));
            range.truncate(64);
        }
        found.extend(range);
    }

    fn with_initials(&self, initials: &str, found: &mut Vec<u32>) {
        let mut stream = self
            .by_initials
            .range()
            .ge(initials.as_bytes())
            .into_stream();
        let mut n = 0;
        while let Some((key, group)) = stream.next() {
            if !key.starts_with(initials.as_bytes()) || n > 256 {
                break;
            }
            n += 1;
            found.extend(self.groups[group as usize].iter().take(8));
        }
    }

    /// Words whose keys are one edit from `keys` (as a prefix of them, when `prefix`).
    fn within_one(&self, keys: &str, prefix: bool, found: &mut Vec<u32>) {
        let builder = LevenshteinAutomatonBuilder::new(1, true);
        let dfa = if prefix {
            builder.build_prefix_dfa(keys)
        } else {
            builder.build_dfa(keys)
        };
        let mut stream = self.by_keys.search(Lenient(dfa)).into_stream();
        let mut n = 0;
        while let Some((_, w)) = stream.next() {
            found.push(w as u32);
            n += 1;
            if n >= 512 {
                break;
            }
        }
    }
}

/// A Levenshtein automaton over the keys' bytes.
struct Lenient(DFA);

impl Automaton for Lenient {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}
