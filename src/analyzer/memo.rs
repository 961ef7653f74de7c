//! Words analysed once and remembered while indexing (see `cuts` for why a word's analysis depends
//! on the word and its context alone). Each remembered word is one packed record: the word, its
//! tokens relative to it, and its particle breaks, side by side in one buffer, so that finding and
//! replaying a word touches a slot and a record, two cache lines, and remembering one allocates
//! nothing.

use std::hash::Hasher;

use rustc_hash::FxHasher;
use tantivy::tokenizer::Token;

use super::cuts::Context;

/// Words kept per generation (two generations: tens of MB at most). Halved from 512 k words and
/// 64 MB: indexing takes 1.6 % longer and its peak memory is 67 MB lower; a third of the KorQuAD
/// passages' words then miss it.
const GENERATION_WORDS: usize = 1 << 18;
/// Bytes of records kept per generation.
const GENERATION_BYTES: usize = 32 << 20;

/// A remembered word: where its record starts in the young generation. Valid until the next
/// [`Memo::make_room`].
#[derive(Debug, Clone, Copy)]
pub struct Handle(u32);

/// Remembered analyses: a young and an old generation, so words in use survive and the rest go.
#[derive(Default)]
pub struct Memo {
    young: Generation,
    old: Generation,
}

/// Records, and an open-addressing table over them: each slot holds the high half of the word's
/// hash and its record's offset + 1 (0 is an empty slot).
#[derive(Default)]
struct Generation {
    slots: Vec<u64>,
    records: Vec<u8>,
    words: usize,
}

/// A record, as numbers (little-endian `u32`s) and bytes:
/// `[length, context, word length, tokens, breaks, positions]`, the word, per token
/// `[from, to, position, text length]`, the breaks, then the token texts. Offsets inside a record are
/// relative to it, so a record moves between generations as it is.
const HEADER: usize = 6;
const TOKEN: usize = 4;

fn hash(context: usize, word: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write_u8(context as u8);
    hasher.write(word);
    hasher.finish()
}

/// The little-endian `u32` at `at` of a record, as a `usize` (0 past the end).
fn read_usize(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, |b| u32::from_le_bytes(b) as usize)
}

fn put(records: &mut Vec<u8>, n: usize) {
    records.extend_from_slice(&(n as u32).to_le_bytes());
}

/// Appends the record of `word` in `context` with its tokens and breaks (relative to the word).
fn encode(
    records: &mut Vec<u8>,
    (context, word): (Context, &str),
    tokens: &[Token],
    breaks: &[usize],
) {
    let start = records.len();
    let positions = tokens.last().map_or(0, |t| t.position + 1);
    for n in [
        0,
        context.slot(),
        word.len(),
        tokens.len(),
        breaks.len(),
        positions,
    ] {
        put(records, n);
    }
    records.extend_from_slice(word.as_bytes());
    for t in tokens {
        for n in [t.offset_from, t.offset_to, t.position, t.text.len()] {
            put(records, n);
        }
    }
    for &b in breaks {
        put(records, b);
    }
    for t in tokens {
        records.extend_from_slice(t.text.as_bytes());
    }
    let length = ((records.len() - start) as u32).to_le_bytes();
    records[start..start + 4].copy_from_slice(&length);
    debug_assert!(
        records.len() < u32::MAX as usize,
        "a record offset must fit a slot's 32 bits"
    );
    if cfg!(debug_assertions) {
        // The record reads back as written: a layout slip fails here, not as wrong tokens.
        let record = Record::at(records, start);
        let texts: usize = tokens.iter().map(|t| t.text.len()).sum();
        debug_assert_eq!(record.bytes.len(), records.len() - start);
        debug_assert_eq!(record.word, word.as_bytes());
        debug_assert_eq!(record.context, context.slot());
        debug_assert_eq!((record.tokens, record.breaks), (tokens.len(), breaks.len()));
        debug_assert_eq!(record.texts_at() + texts, record.bytes.len());
    }
}

/// A record read back.
struct Record<'a> {
    bytes: &'a [u8],
    context: usize,
    word: &'a [u8],
    tokens: usize,
    breaks: usize,
    positions: usize,
}

impl<'a> Record<'a> {
    /// Where the numbers of token `i` start in the record (`i == tokens`: where the breaks start).
    fn token_at(&self, i: usize) -> usize {
        4 * HEADER + self.word.len() + 4 * TOKEN * i
    }

    /// Where the token texts start.
    fn texts_at(&self) -> usize {
        self.token_at(self.tokens) + 4 * self.breaks
    }

    fn at(records: &'a [u8], offset: usize) -> Record<'a> {
        let rest = records.get(offset..).unwrap_or_default();
        let bytes = rest.get(..read_usize(rest, 0)).unwrap_or_default();
        debug_assert!(
            bytes.len() >= 4 * HEADER,
            "offset {offset} is not the start of a record"
        );
        let field = |i: usize| read_usize(bytes, 4 * i);
        let word_len = field(2);
        Record {
            bytes,
            context: field(1),
            word: bytes
                .get(4 * HEADER..4 * HEADER + word_len)
                .unwrap_or_default(),
            tokens: field(3),
            breaks: field(4),
            positions: field(5),
        }
    }
}

impl Generation {
    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    /// The record offset of `word` in `context`.
    fn find(&self, hash: u64, context: Context, word: &str) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let tag = hash >> 32;
        let mut i = hash as usize & self.mask();
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if slot >> 32 == tag {
                let offset = (slot as u32 - 1) as usize;
                let record = Record::at(&self.records, offset);
                if record.word == word.as_bytes() && record.context == context.slot() {
                    return Some(offset);
                }
            }
            i = (i + 1) & self.mask();
        }
    }

    fn is_full(&self) -> bool {
        self.words >= GENERATION_WORDS || self.records.len() >= GENERATION_BYTES
    }

    /// Appends a record (`write` writes it) and finds it a slot.
    fn push(&mut self, hash: u64, write: impl FnOnce(&mut Vec<u8>)) -> Handle {
        if 2 * (self.words + 1) > self.slots.len() {
            self.grow();
        }
        let offset = self.records.len();
        write(&mut self.records);
        self.place(hash, offset);
        self.words += 1;
        Handle(offset as u32)
    }

    fn place(&mut self, hash: u64, offset: usize) {
        debug_assert!(
            offset < u32::MAX as usize,
            "offset {offset} overflows a slot"
        );
        let mut i = hash as usize & self.mask();
        while self.slots[i] != 0 {
            i = (i + 1) & self.mask();
        }
        self.slots[i] = (hash >> 32) << 32 | (offset as u64 + 1);
    }

    /// Doubles the table (sized for a full generation at first) and places every record again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(2 * GENERATION_WORDS);
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        for slot in old.into_iter().filter(|&s| s != 0) {
            let offset = (slot as u32 - 1) as usize;
            let record = Record::at(&self.records, offset);
            self.place(hash(record.context, record.word), offset);
        }
    }
}

impl Memo {
    /// The hash a word is remembered under, for [`Memo::warm`] and [`Memo::find_hashed`].
    pub fn hash(context: Context, word: &str) -> u64 {
        hash(context.slot(), word.as_bytes())
    }

    /// Reads, for every word hashed in `hashes`, the slot where it would be found in each
    /// generation and then the record that slot points to, without looking at them: the reads of
    /// one pass do not depend on each other, so their cache misses overlap, and the lookups that
    /// follow, a word at a time, find them in cache (each lookup was two misses in a row, 7 % of
    /// indexing's CPU).
    ///
    /// Kept out of line: inlined into the analysis, the release build's layout made a query path
    /// 8 % slower (news headlines, four clients), measured in three runs.
    #[inline(never)]
    pub fn warm(&self, hashes: &[u64]) {
        let mut touched = 0u64;
        for generation in [&self.young, &self.old] {
            if generation.slots.is_empty() {
                continue;
            }
            let mask = generation.mask();
            for &hash in hashes {
                touched = touched.wrapping_add(generation.slots[hash as usize & mask]);
            }
        }
        for generation in [&self.young, &self.old] {
            if generation.slots.is_empty() {
                continue;
            }
            let mask = generation.mask();
            for &hash in hashes {
                let slot = generation.slots[hash as usize & mask];
                if slot != 0 && slot >> 32 == hash >> 32 {
                    let offset = (slot as u32 - 1) as usize;
                    let first = generation.records.get(offset).copied().unwrap_or(0);
                    touched = touched.wrapping_add(u64::from(first));
                }
            }
        }
        std::hint::black_box(touched);
    }

    /// Called before each text: starts a new generation when the young one is full, so that
    /// handles stay valid through the text.
    pub fn make_room(&mut self) {
        if self.young.is_full() {
            self.old = std::mem::take(&mut self.young);
        }
    }

    /// `word` in `context`, if remembered (a word found in the old generation moves to the young).
    #[cfg(test)]
    pub fn find(&mut self, context: Context, word: &str) -> Option<Handle> {
        self.find_hashed(Memo::hash(context, word), context, word)
    }

    /// [`Memo::find`] with the word's [`Memo::hash`] already worked out.
    pub fn find_hashed(&mut self, hash: u64, context: Context, word: &str) -> Option<Handle> {
        if let Some(offset) = self.young.find(hash, context, word) {
            return Some(Handle(offset as u32));
        }
        let offset = self.old.find(hash, context, word)?;
        let record = Record::at(&self.old.records, offset).bytes;
        Some(
            self.young
                .push(hash, |records| records.extend_from_slice(record)),
        )
    }

    /// Remembers `word`'s analysis in `context`: tokens and breaks relative to the word.
    pub fn insert(
        &mut self,
        context: Context,
        word: &str,
        tokens: &[Token],
        breaks: &[usize],
    ) -> Handle {
        let hash = hash(context.slot(), word.as_bytes());
        if let Some(offset) = self.young.find(hash, context, word) {
            return Handle(offset as u32); // twice in one batch
        }
        self.young.push(hash, |records| {
            encode(records, (context, word), tokens, breaks)
        })
    }

    /// Appends the remembered word's breaks, for the word at byte `start` of its text.
    pub fn breaks(&self, handle: Handle, start: usize, breaks: &mut Vec<usize>) {
        let record = Record::at(&self.young.records, handle.0 as usize);
        let at = record.token_at(record.tokens);
        breaks.extend((0..record.breaks).map(|i| start + read_usize(record.bytes, at + 4 * i)));
    }

    /// The tokens of remembered words, each word given with the byte where it starts in its text:
    /// decoded one at a time, positions running on from word to word.
    pub fn replay(&self, words: Vec<(usize, Handle)>) -> Replay<'_> {
        Replay {
            memo: self,
            words: words.into_iter(),
            word: Cursor::default(),
            position: 0,
        }
    }
}

/// Remembered words' tokens, decoded into a token the caller reuses (see [`Memo::replay`]).
pub struct Replay<'m> {
    memo: &'m Memo,
    words: std::vec::IntoIter<(usize, Handle)>,
    word: Cursor<'m>,
    /// The first position of the next word.
    position: usize,
}

/// Where replaying a word stands: its record, where the word starts in its text and its first
/// position, the next token's numbers and text, and the tokens left.
#[derive(Default)]
struct Cursor<'m> {
    bytes: &'m [u8],
    start: usize,
    position: usize,
    at: usize,
    text_at: usize,
    left: usize,
}

impl Replay<'_> {
    /// Writes the next token into `token`; false when every word is done.
    pub fn next_into(&mut self, token: &mut Token) -> bool {
        while self.word.left == 0 {
            let Some((start, handle)) = self.words.next() else {
                return false;
            };
            let record = Record::at(&self.memo.young.records, handle.0 as usize);
            self.word = Cursor {
                bytes: record.bytes,
                start,
                position: self.position,
                at: record.token_at(0),
                text_at: record.texts_at(),
                left: record.tokens,
            };
            self.position += record.positions;
        }
        let word = &mut self.word;
        let len = read_usize(word.bytes, word.at + 12);
        let text = word.bytes.get(word.text_at..word.text_at + len);
        token.offset_from = word.start + read_usize(word.bytes, word.at);
        token.offset_to = word.start + read_usize(word.bytes, word.at + 4);
        token.position = word.position + read_usize(word.bytes, word.at + 8);
        token.position_length = 1;
        token.text.clear();
        token.text.push_str(
            text.and_then(|t| std::str::from_utf8(t).ok())
                .unwrap_or_default(),
        );
        word.at += 4 * TOKEN;
        word.text_at += len;
        word.left -= 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(text: &str, from: usize, to: usize, position: usize) -> Token {
        Token {
            offset_from: from,
            offset_to: to,
            position,
            text: text.to_owned(),
            position_length: 1,
        }
    }

    fn replayed(memo: &Memo, words: Vec<(usize, Handle)>) -> Vec<(String, usize, usize, usize)> {
        let mut replay = memo.replay(words);
        let mut token = Token::default();
        let mut out = Vec::new();
        while replay.next_into(&mut token) {
            out.push((
                token.text.clone(),
                token.offset_from,
                token.offset_to,
                token.position,
            ));
        }
        out
    }

    #[test]
    fn remembered_words_replay_shifted_to_where_they_stand() {
        let mut memo = Memo::default();
        let middle = Context::default();
        let tokens = [
            token("인공지능", 0, 12, 0),
            token("인공", 0, 6, 0),
            token("지능", 6, 12, 0),
        ];
        let handle = memo.insert(middle, "인공지능을", &tokens, &[15]);
        let after = memo.insert(middle, "썼다", &[token("쓰", 0, 6, 0)], &[]);
        assert_eq!(memo.find(middle, "인공지능을").map(|h| h.0), Some(handle.0));
        assert!(memo
            .find(
                Context {
                    first: true,
                    ..middle
                },
                "인공지능을"
            )
            .is_none());
        let mut breaks = Vec::new();
        memo.breaks(handle, 100, &mut breaks);
        assert_eq!(breaks, [115]);
        let got = replayed(&memo, vec![(100, handle), (116, after)]);
        assert_eq!(
            got,
            [
                ("인공지능".to_string(), 100, 112, 0),
                ("인공".to_string(), 100, 106, 0),
                ("지능".to_string(), 106, 112, 0),
                ("쓰".to_string(), 116, 122, 1),
            ]
        );
    }

    #[test]
    fn warming_finds_the_same_words() {
        let mut memo = Memo::default();
        let context = Context::default();
        memo.warm(&[Memo::hash(context, "자주")]); // nothing remembered yet
        let handle = memo.insert(context, "자주", &[token("자주", 0, 6, 0)], &[]);
        let hashes = ["자주", "가끔", ""].map(|w| Memo::hash(context, w));
        memo.warm(&hashes);
        let found = memo.find_hashed(hashes[0], context, "자주");
        assert_eq!(found.map(|h| h.0), Some(handle.0));
        assert!(memo.find_hashed(hashes[1], context, "가끔").is_none());
    }

    #[test]
    fn words_in_use_survive_generations_and_the_rest_go() {
        let mut memo = Memo::default();
        let context = Context::default();
        let tokens = [token("자주", 0, 6, 0)];
        memo.insert(context, "자주", &tokens, &[]);
        for i in 0..GENERATION_WORDS * 2 {
            memo.make_room();
            memo.insert(context, &i.to_string(), &[], &[]);
            if i % 1000 == 0 {
                assert!(memo.find(context, "자주").is_some(), "lost at {i}");
            }
        }
        memo.make_room();
        assert!(memo.find(context, "0").is_none());
        let handle = memo.find(context, "자주").unwrap_or(Handle(u32::MAX));
        assert_eq!(
            replayed(&memo, vec![(0, handle)]),
            [("자주".to_string(), 0, 6, 0)]
        );
    }
}
