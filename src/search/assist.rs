//! The engine's typing assistance: the suggester kept for the searcher generation it was built from
//! and rebuilt off the request path when the index changes, completions, the wrong-keyboard-mode
//! reading of a query, and did-you-mean.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tantivy::index::SegmentId;
use tantivy::Searcher;

use super::Engine;
use crate::error::Error;
use crate::suggest::{hangul, Suggester, Suggestion};

/// The suggester, once built, with the contents it was built from and when it was built.
#[derive(Default)]
pub struct Assist {
    current: RwLock<Option<(Contents, Arc<Suggester>, Instant)>>,
    rebuilding: AtomicBool,
}

/// What a searcher holds: its segments and the deletes each has seen. Not the generation number:
/// tantivy makes a new generation on every reload, including the one its watcher of `meta.json`
/// does right after the index is opened, when nothing changed (that one made a needless rebuild
/// of the suggester run beside the first searches after every start).
type Contents = BTreeMap<SegmentId, Option<u64>>;

fn contents(searcher: &Searcher) -> Contents {
    searcher.generation().segments().clone()
}

/// A rebuilt suggester is made at most this often; meanwhile the last one answers.
const REBUILD_EVERY: Duration = Duration::from_secs(2);

impl Engine {
    /// Starts building the suggester on a search thread, unless it is built or being built. The
    /// server calls this when it starts, so start-up does not wait for it (a pass over every word
    /// of the index: 1.5 s at a million documents) and the first keystrokes find it ready.
    pub fn warm_suggestions(&self) {
        if self.current_suggester(&self.reader.searcher()).is_none() {
            self.rebuild_suggester();
        }
    }

    /// Builds the suggester on this thread unless one is in place: a benchmark calls this first, so
    /// that no build runs beside the searches it times.
    pub fn build_suggestions_now(&self) -> Result<(), Error> {
        let searcher = self.reader.searcher();
        if self.current_suggester(&searcher).is_none() {
            let built = self.build_suggester(&searcher)?;
            self.install_suggester(contents(&searcher), built);
        }
        Ok(())
    }

    /// The suggester in place, and whether it is due for a rebuild: built more than
    /// `REBUILD_EVERY` ago from other contents than `searcher`'s. Compared under the lock, so a
    /// search copies an `Arc`, not the contents.
    fn current_suggester(&self, searcher: &Searcher) -> Option<(Arc<Suggester>, bool)> {
        let current = self
            .assist
            .current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (built_from, suggester, built_at) = current.as_ref()?;
        let due =
            built_at.elapsed() >= REBUILD_EVERY && built_from != searcher.generation().segments();
        Some((suggester.clone(), due))
    }

    /// Builds a suggester for the current searcher on a search thread (unless a build is running)
    /// and puts it in place.
    fn rebuild_suggester(&self) {
        if self.assist.rebuilding.swap(true, Ordering::AcqRel) {
            return;
        }
        let engine = self.clone();
        self.pool.spawn(move || {
            let searcher = engine.reader.searcher();
            match engine.build_suggester(&searcher) {
                Ok(built) => engine.install_suggester(contents(&searcher), built),
                Err(error) => tracing::warn!(%error, "cannot build the suggestions"),
            }
            engine.assist.rebuilding.store(false, Ordering::Release);
        });
    }

    fn install_suggester(&self, built_from: Contents, suggester: Suggester) {
        let mut current = self
            .assist
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *current = Some((built_from, Arc::new(suggester), Instant::now()));
    }

    /// The suggester for the index as it is, or the last one while a newer one is built off the
    /// request path; built here when none was built yet (a caller that did not warm it). `None`
    /// when the index cannot be read.
    fn suggester(&self) -> Option<Arc<Suggester>> {
        let searcher = self.reader.searcher();
        let Some((suggester, due)) = self.current_suggester(&searcher) else {
            let built = self.build_suggester(&searcher).ok()?;
            self.install_suggester(contents(&searcher), built);
            return self.current_suggester(&searcher).map(|c| c.0);
        };
        if due {
            self.rebuild_suggester();
        }
        Some(suggester)
    }

    fn build_suggester(&self, searcher: &Searcher) -> Result<Suggester, Error> {
        Suggester::build(searcher, &[self.fields.body, self.fields.title])
    }

    /// Completions of what is being typed (see [`Suggester::suggest`]).
    pub fn suggest(&self, query: &str, limit: usize) -> Vec<Suggestion> {
        self.suggester().map_or_else(Vec::new, |s| {
            s.suggest(&crate::normalize::query(query), limit)
        })
    }

    /// Words the suggester knows and the memory it holds, in bytes.
    pub fn suggester_size(&self) -> (usize, usize) {
        self.suggester()
            .map_or((0, 0), |s| (s.len(), s.memory_bytes()))
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
        let hangul =
            |&c: &char| crate::hangul::is_syllable(c) || crate::hangul::is_compatibility_jamo(c);
        if letters(hangul) {
            return hangul::hangul_to_latin(query);
        }
        None
    }

    /// The query with its last word completed, when that word is not one the index holds (`ㅅㅅㅈㅈ`,
    /// `삼성저`, `삼성ㅈ`): its most used completion (`삼성전자`, see [`Suggester::complete`]), with
    /// the words before it. `None` when the last word is a word, or nothing completes it; a word
    /// misspelled is did-you-mean's, not this.
    pub(super) fn completion(&self, query: &str) -> Option<String> {
        let query = crate::normalize::query(query);
        let last = query.split_whitespace().last()?;
        let suggester = self.suggester()?;
        if suggester.knows(last) {
            return None;
        }
        let best = suggester.complete(&query)?;
        (best.text != query.trim()).then_some(best.text)
    }

    /// For a query that finds nothing: the query with each word the index lacks replaced by the
    /// closest word it has, when there is one.
    pub(super) fn did_you_mean(&self, query: &str) -> Option<String> {
        let suggester = self.suggester()?;
        let mut changed = false;
        let words: Vec<String> = query
            .split_whitespace()
            .map(|word| match suggester.closest(word) {
                Some(close)
                    if self
                        .top_k_ids(word, 1)
                        .map(|t| t.is_empty())
                        .unwrap_or(false) =>
                {
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

#[cfg(test)]
mod tests {
    use tantivy::schema::{Schema, STRING};
    use tantivy::{doc, Index, ReloadPolicy, Term};

    use super::*;

    #[test]
    fn contents_change_with_documents_not_with_a_reload() {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(doc!(id => "a")).unwrap();
        writer.commit().unwrap();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .unwrap();
        let built_from = contents(&reader.searcher());
        // A reload with nothing new (as the meta.json watcher does after an open): a new
        // generation, the same contents.
        reader.reload().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.generation().generation_id(), 1);
        assert_eq!(contents(&searcher), built_from);
        writer.add_document(doc!(id => "b")).unwrap();
        writer.commit().unwrap();
        reader.reload().unwrap();
        let added = contents(&reader.searcher());
        assert_ne!(added, built_from);
        writer.delete_term(Term::from_field_text(id, "a"));
        writer.commit().unwrap();
        reader.reload().unwrap();
        assert_ne!(contents(&reader.searcher()), added);
    }
}
