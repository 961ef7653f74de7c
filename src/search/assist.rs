//! The engine's typing assistance: the suggester kept for the searcher generation it was built from
//! and rebuilt off the request path when the index changes, completions, the wrong-keyboard-mode
//! reading of a query, and did-you-mean.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::Engine;
use crate::error::Error;
use crate::suggest::{hangul, Suggester, Suggestion};

/// The current suggester and the searcher generation it holds.
pub struct Assist {
    current: RwLock<(u64, Arc<Suggester>, Instant)>,
    rebuilding: AtomicBool,
}

/// A rebuilt suggester is made at most this often; meanwhile the last one answers.
const REBUILD_EVERY: Duration = Duration::from_secs(2);

impl Assist {
    pub fn new(generation: u64, suggester: Suggester) -> Assist {
        Assist {
            current: RwLock::new((generation, Arc::new(suggester), Instant::now())),
            rebuilding: AtomicBool::new(false),
        }
    }
}

impl Engine {
    fn suggester(&self) -> Arc<Suggester> {
        let generation = self.reader.searcher().generation().generation_id();
        let (built_for, suggester, built_at) = {
            let current = self
                .assist
                .current
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            (current.0, current.1.clone(), current.2)
        };
        if built_for != generation
            && built_at.elapsed() >= REBUILD_EVERY
            && !self.assist.rebuilding.swap(true, Ordering::AcqRel)
        {
            let engine = self.clone();
            self.pool.spawn(move || {
                if let Ok(rebuilt) = engine.build_suggester() {
                    if let Ok(mut current) = engine.assist.current.write() {
                        *current = (generation, Arc::new(rebuilt), Instant::now());
                    }
                }
                engine.assist.rebuilding.store(false, Ordering::Release);
            });
        }
        suggester
    }

    pub(super) fn build_suggester(&self) -> Result<Suggester, Error> {
        let searcher = self.reader.searcher();
        Suggester::build(&searcher, &[self.fields.body, self.fields.title])
    }

    /// Completions of what is being typed (see [`Suggester::suggest`]).
    pub fn suggest(&self, query: &str, limit: usize) -> Vec<Suggestion> {
        self.suggester()
            .suggest(&crate::normalize::query(query), limit)
    }

    /// Words the suggester knows and the memory it holds, in bytes.
    pub fn suggester_size(&self) -> (usize, usize) {
        let suggester = self.suggester();
        (suggester.len(), suggester.memory_bytes())
    }

    /// The query read as typed in the other keyboard mode: Latin letters meant as Hangul
    /// (`znvkd` → 쿠팡), or Hangul meant as Latin (`ㅜ퍄얌` → nvidia); `None` when it is neither.
    pub(super) fn other_layout(query: &str) -> Option<String> {
        let query = query.trim();
        let letters =
            |f: fn(&char) -> bool| query.chars().filter(|c| !c.is_whitespace()).all(|c| f(&c));
        if query.is_empty() {
            return None;
        }
        if letters(char::is_ascii_alphabetic) {
            return hangul::latin_to_hangul(query).filter(|h| h != query);
        }
        let hangul = |c: &char| ('\u{AC00}'..='\u{D7A3}').contains(c) || ('ㄱ'..='ㅣ').contains(c);
        if letters(hangul) {
            return hangul::hangul_to_latin(query);
        }
        None
    }

    /// For a query that finds nothing: the query with each word the index lacks replaced by the
    /// closest word it has, when there is one.
    pub(super) fn did_you_mean(&self, query: &str) -> Option<String> {
        let suggester = self.suggester();
        let mut changed = false;
        let words: Vec<String> = query
            .split_whitespace()
            .map(|word| match suggester.closest(word) {
                Some(close) if self.top_ids(word, 1).map(|t| t.is_empty()).unwrap_or(false) => {
                    changed = true;
                    close
                }
                _ => word.to_string(),
            })
            .collect();
        changed.then(|| words.join(" "))
    }
}

impl Engine {
    /// What the analyzer does with `text`, morpheme by morpheme, after the normalisation queries
    /// and documents get.
    pub fn analyze(&self, text: &str) -> Vec<crate::analyzer::Morpheme> {
        self.analyzer.explain(&crate::normalize::query(text))
    }
}
