//! What each ko-dic word does in the index, remembered from the first time it is seen, so that the
//! plain words and dropped particles that make up most running text skip reading ko-dic's details.

use std::sync::atomic::{AtomicU8, Ordering};

use lindera::dictionary::Dictionary;
use lindera_dictionary::viterbi::WordId;

/// What a word does in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Left out (a stop tag).
    Dropped,
    /// Indexed as its surface.
    Kept,
    /// Needs its details each time (stems, compound parts, pre-analysed forms).
    Analysed,
}

impl Fate {
    fn code(self) -> u8 {
        match self {
            Fate::Dropped => 1,
            Fate::Kept => 2,
            Fate::Analysed => 3,
        }
    }

    fn from_code(code: u8) -> Option<Fate> {
        match code {
            1 => Some(Fate::Dropped),
            2 => Some(Fate::Kept),
            3 => Some(Fate::Analysed),
            _ => None,
        }
    }
}

/// One byte per system-dictionary word (~0.8 MB for ko-dic), shared by every thread. A word's fate
/// depends only on its dictionary entry and the analyzer's settings, so threads that race on a word
/// write the same byte.
pub struct Fates(Box<[AtomicU8]>);

impl Fates {
    pub fn new(dictionary: &Dictionary) -> Self {
        // ko-dic keeps one 4-byte offset per word.
        let words = dictionary.prefix_dictionary.words_idx_data.len() / 4;
        Fates((0..words).map(|_| AtomicU8::new(0)).collect())
    }

    /// The remembered fate of `word`; `None` before it was seen and for user-dictionary and unknown
    /// words, which are not remembered.
    pub fn get(&self, word: WordId) -> Option<Fate> {
        Fate::from_code(self.slot(word)?.load(Ordering::Relaxed))
    }

    pub fn remember(&self, word: WordId, fate: Fate) {
        if let Some(slot) = self.slot(word) {
            slot.store(fate.code(), Ordering::Relaxed);
        }
    }

    fn slot(&self, word: WordId) -> Option<&AtomicU8> {
        if word.is_system() && !word.is_unknown() {
            self.0.get(word.id() as usize)
        } else {
            None
        }
    }
}
