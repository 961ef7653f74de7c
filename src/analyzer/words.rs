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

/// A word's fate, and whether it is a particle (which closes a word, see `breaks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub fate: Fate,
    pub particle: bool,
}

/// Set in a slot when the word is a particle.
const PARTICLE: u8 = 4;

impl Word {
    fn code(self) -> u8 {
        let fate = match self.fate {
            Fate::Dropped => 1,
            Fate::Kept => 2,
            Fate::Analysed => 3,
        };
        fate | if self.particle { PARTICLE } else { 0 }
    }

    fn from_code(code: u8) -> Option<Word> {
        let fate = match code & 3 {
            1 => Fate::Dropped,
            2 => Fate::Kept,
            3 => Fate::Analysed,
            _ => return None,
        };
        Some(Word {
            fate,
            particle: code & PARTICLE != 0,
        })
    }
}

/// One byte per system-dictionary word (~0.8 MB for ko-dic), shared by every thread. What a word does
/// depends only on its dictionary entry and the analyzer's settings, so threads that race on a word
/// write the same byte.
pub struct Fates(Box<[AtomicU8]>);

impl Fates {
    pub fn new(dictionary: &Dictionary) -> Self {
        // ko-dic keeps one 4-byte offset per word.
        let words = dictionary.prefix_dictionary.words_idx_data.len() / 4;
        Fates((0..words).map(|_| AtomicU8::new(0)).collect())
    }

    /// What was remembered of `word`; `None` before it was seen and for user-dictionary and unknown
    /// words, which are not remembered.
    pub fn get(&self, word: WordId) -> Option<Word> {
        Word::from_code(self.slot(word)?.load(Ordering::Relaxed))
    }

    pub fn remember(&self, word: WordId, remembered: Word) {
        if let Some(slot) = self.slot(word) {
            slot.store(remembered.code(), Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fate_and_flag_survives_its_byte() {
        for fate in [Fate::Dropped, Fate::Kept, Fate::Analysed] {
            for particle in [false, true] {
                let word = Word { fate, particle };
                assert_eq!(Word::from_code(word.code()), Some(word));
            }
        }
        assert_eq!(Word::from_code(0), None);
    }
}
