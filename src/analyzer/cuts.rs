//! Where a text can be cut into words that analyse alone, and how such words are analysed together.
//! lindera keeps whitespace as one node of its lattice (every space, tab or line break is ko-dic's
//! `SPACE` class, and a run of them is a single node), so the best path through a word between spaces
//! depends on the word alone and on what sits either side of it: the start of a sentence or a space
//! before, the end of the text or a space after. Running text repeats its words (over the Korean
//! Wikipedia sample, seven in ten words were seen before), so each (context, word) is segmented once
//! and its tokens replayed after that (see `memo`). The result equals segmenting the whole text; the
//! few cases where it could differ are analysed whole.

use tantivy::tokenizer::Token;

/// ko-dic's entries whose surface holds a space (from the dictionary's source CSV): a word ending in
/// the part before the space may be read together with the next word, so no cut is made after it.
pub const KO_DIC_SPACED: [&str; 5] = ["내셔날 ", "에듀 ", "캘리 ", "콜라비 ", "영치기 영차"];

/// lindera cuts a sentence with no delimiter (`\n`, `\t`, `。`, `、`) at 32 KiB, wherever that falls
/// (mid-word, with a warning). chaja never hands it such a sentence: a batch stays shorter, and a long
/// text is analysed in pieces cut at spaces (`Cuts::pieces`), which gives the tokens an uncut text
/// would have. Conservative by a few bytes: lindera counts the delimiter and cuts at a character
/// boundary.
const SENTENCE_LIMIT: usize = 32 * 1024 - 4;

/// The characters ko-dic classes as `SPACE`: the only ones a word is cut at.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | b'\t' | b'\r' | 0x0B)
}

/// lindera's sentence delimiters that are also spaces: a word after one starts a sentence.
fn starts_sentence(byte: u8) -> bool {
    matches!(byte, b'\n' | b'\t')
}

/// What lies either side of a word, which is all of the text its analysis depends on. The default is
/// a word with a space either side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    /// The word starts a sentence (rather than following a space).
    pub first: bool,
    /// The word ends the text (rather than being followed by a space).
    pub last: bool,
}

impl Context {
    /// The context as a number, 0–3.
    pub fn slot(self) -> usize {
        usize::from(self.first) | usize::from(self.last) << 1
    }
}

/// Where text can be cut into words without changing its analysis.
#[derive(Debug, Clone, Default)]
pub struct Cuts {
    /// Parts before a space of dictionary entries that hold one: no cut after a word ending in one.
    joined: Vec<String>,
    /// An entry starts with a space: no cut is safe.
    never: bool,
}

impl Cuts {
    /// Cuts for ko-dic and the user dictionary entries' surfaces.
    pub fn new<'a>(user_surfaces: impl IntoIterator<Item = &'a str>) -> Self {
        let mut cuts = Cuts::default();
        for surface in KO_DIC_SPACED.into_iter().chain(user_surfaces) {
            if surface.bytes().next().is_some_and(is_space) {
                cuts.never = true;
            }
            for (i, _) in surface.match_indices(|c: char| c.is_ascii() && is_space(c as u8)) {
                let before = surface[..i].trim_end_matches(|c: char| c.is_ascii_whitespace());
                if !before.is_empty() && !cuts.joined.iter().any(|j| j == before) {
                    cuts.joined.push(before.to_owned());
                }
            }
        }
        cuts
    }

    /// `text`'s words with their byte ranges and contexts, or `None` when `text` has to be analysed
    /// whole.
    pub fn words<'t>(&self, text: &'t str) -> Option<Words<'t, '_>> {
        if self.never {
            return None;
        }
        Some(Words {
            text,
            at: 0,
            cuts: self,
        })
    }

    /// For a text holding a sentence lindera would cut: pieces short enough for one lattice that
    /// analyse as the whole text would, uncut. Each piece ends with the spaces after its last word and
    /// the next starts with those same spaces, so every word keeps what stands either side of it.
    /// `None` when the text needs no cutting, or a single word is too long to fit (then lindera cuts
    /// it, as it must).
    pub fn pieces(&self, text: &str) -> Option<Vec<std::ops::Range<usize>>> {
        if !has_long_sentence(text) {
            return None;
        }
        let mut pieces = Vec::new();
        let mut start = 0;
        // The end of the last word that fits in the current piece, and where the next word begins.
        let mut fits: Option<(usize, usize)> = None;
        let mut words = self.words(text)?.peekable();
        while let Some((_, end, _)) = words.next() {
            let next = words.peek().map_or(text.len(), |w| w.0);
            if next - start >= SENTENCE_LIMIT {
                let (last_end, last_next) = fits?;
                pieces.push(start..last_next);
                start = last_end;
                if next - start >= SENTENCE_LIMIT {
                    return None;
                }
            }
            fits = Some((end, next));
        }
        pieces.push(start..text.len());
        Some(pieces)
    }
}

fn has_long_sentence(text: &str) -> bool {
    text.len() >= SENTENCE_LIMIT
        && text
            .split(['\n', '\t', '。', '、'])
            .any(|sentence| sentence.len() >= SENTENCE_LIMIT)
}

/// Iterator over the words of a text: `(start, end, context)`.
pub struct Words<'t, 'c> {
    text: &'t str,
    at: usize,
    cuts: &'c Cuts,
}

impl Iterator for Words<'_, '_> {
    type Item = (usize, usize, Context);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        let start = self.at + bytes[self.at..].iter().position(|&b| !is_space(b))?;
        let mut end = start;
        loop {
            end += bytes[end..]
                .iter()
                .position(|&b| is_space(b))
                .unwrap_or(bytes.len() - end);
            let word = &self.text[start..end];
            if end == bytes.len() || !self.cuts.joined.iter().any(|j| word.ends_with(j.as_str())) {
                break;
            }
            // A spaced dictionary entry may start here: keep the next word with this one.
            end += bytes[end..]
                .iter()
                .position(|&b| !is_space(b))
                .unwrap_or(bytes.len() - end);
        }
        self.at = end;
        let context = Context {
            first: start == 0 || starts_sentence(bytes[start - 1]),
            last: end == bytes.len(),
        };
        Some((start, end, context))
    }
}

/// Words not seen before, joined into one text for lindera, each with the context it has in its own
/// text: a line break before a word that starts a sentence, a space before the others. One lattice
/// over many words costs what the words cost inside their texts; a lattice per word costs more.
#[derive(Default)]
pub struct Batch {
    pub text: String,
    /// Each word's tag (the caller's), context and range in `text`.
    words: Vec<(usize, Context, usize, usize)>,
}

impl Batch {
    /// Adds `word` under `tag`; false when the batch is full (lindera would cut it as a long
    /// sentence).
    pub fn push(&mut self, tag: usize, context: Context, word: &str) -> bool {
        if self.text.len() + word.len() + 2 >= SENTENCE_LIMIT {
            return false;
        }
        if context.first {
            if !self.text.is_empty() {
                self.text.push('\n');
            }
        } else {
            self.text.push(' ');
        }
        let start = self.text.len();
        self.text.push_str(word);
        self.words.push((tag, context, start, self.text.len()));
        true
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Closes the batch: a space after the last word unless it ends its text.
    pub fn finish(&mut self) {
        if self
            .words
            .last()
            .is_some_and(|&(_, context, _, _)| !context.last)
        {
            self.text.push(' ');
        }
    }

    /// Hands each word's share of the batch's analysis to `each` (with the word's tag, tokens and
    /// breaks relative to the word), and empties the batch.
    pub fn split(
        &mut self,
        tokens: Vec<Token>,
        breaks: &[usize],
        mut each: impl FnMut(usize, Context, &str, &[Token], &[usize]),
    ) {
        let mut tokens = tokens.into_iter().peekable();
        let mut breaks = breaks.iter().copied().peekable();
        let (mut mine, mut own_breaks) = (Vec::new(), Vec::new());
        for &(tag, context, start, end) in &self.words {
            mine.clear();
            own_breaks.clear();
            while let Some(mut token) = tokens.next_if(|t| t.offset_from < end) {
                token.offset_from = token.offset_from.saturating_sub(start);
                token.offset_to = token.offset_to.saturating_sub(start).min(end - start);
                mine.push(token);
            }
            let base = mine.first().map_or(0, |t| t.position);
            for token in &mut mine {
                token.position -= base;
            }
            while let Some(b) = breaks.next_if(|&b| b <= end) {
                own_breaks.push(b.saturating_sub(start));
            }
            each(tag, context, &self.text[start..end], &mine, &own_breaks);
        }
        self.text.clear();
        self.words.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_at_spaces_into_overlapping_pieces() {
        let cuts = Cuts::new([]);
        assert!(cuts.pieces("짧은 글").is_none());
        let text = "반도체 수출이 늘었다. ".repeat(3_000);
        let pieces = cuts.pieces(&text).unwrap();
        assert!(pieces.len() >= 2);
        assert_eq!(
            (pieces[0].start, pieces.last().unwrap().end),
            (0, text.len())
        );
        for pair in pieces.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(a.len() < SENTENCE_LIMIT);
            // The pieces share exactly the spaces between two words.
            assert!(
                b.start < a.end && text[b.start..a.end].bytes().all(is_space),
                "{a:?} {b:?}"
            );
            assert!(!text[b.start..a.end].is_empty());
        }
        // One word longer than a lattice cannot be cut at a space.
        assert!(cuts.pieces(&"가".repeat(20_000)).is_none());
    }

    fn words(cuts: &Cuts, text: &str) -> Vec<(String, bool, bool)> {
        cuts.words(text)
            .unwrap()
            .map(|(s, e, c)| (text[s..e].to_owned(), c.first, c.last))
            .collect()
    }

    #[test]
    fn words_know_sentence_starts_and_the_text_end() {
        let cuts = Cuts::new([]);
        let text = "삼성전자가 발표했다.\n 반도체  수출이\t늘었다";
        let got = words(&cuts, text);
        let want = [
            ("삼성전자가", true, false),
            ("발표했다.", false, false),
            // A space after the line break: lindera's sentence starts with that space.
            ("반도체", false, false),
            ("수출이", false, false),
            ("늘었다", true, true),
        ];
        let want: Vec<_> = want.iter().map(|&(w, f, l)| (w.to_owned(), f, l)).collect();
        assert_eq!(got, want);
        assert!(words(&cuts, "  \n ").is_empty());
    }

    #[test]
    fn no_cut_after_the_first_part_of_a_spaced_entry() {
        let cuts = Cuts::new(["삼성 라이온즈"]);
        let got: Vec<String> = words(&cuts, "한국에듀 테크 삼성 라이온즈 우승")
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(got, ["한국에듀 테크", "삼성 라이온즈", "우승"]);
        assert!(Cuts::new([" 앞공백"]).words("아무 글").is_none());
    }

    #[test]
    fn only_a_sentence_lindera_would_cut_is_cut_into_pieces() {
        let cuts = Cuts::new([]);
        let long = "가나다 ".repeat(32 * 1024 / 10 + 1);
        assert!(cuts.words(&long).is_some());
        assert!(cuts.pieces(&long).is_some());
        let lines = "가나다 라마\n".repeat(32 * 1024 / 10);
        assert!(cuts.pieces(&lines).is_none());
    }

    #[test]
    fn a_batch_gives_each_word_its_context() {
        let mut batch = Batch::default();
        let middle = Context::default();
        let first = Context {
            first: true,
            ..middle
        };
        let last = Context {
            last: true,
            ..middle
        };
        assert!(batch.push(0, first, "삼성전자가"));
        assert!(batch.push(0, middle, "발표했다"));
        assert!(batch.push(0, first, "반도체"));
        assert!(batch.push(0, last, "늘었다"));
        batch.finish();
        assert_eq!(batch.text, "삼성전자가 발표했다\n반도체 늘었다");
        let mut middle_batch = Batch::default();
        middle_batch.push(0, middle, "수출이");
        middle_batch.finish();
        assert_eq!(middle_batch.text, " 수출이 ");
        let word = "가".repeat(32 * 1024 / 6);
        assert!(middle_batch.push(0, middle, &word));
        assert!(
            !middle_batch.push(0, middle, &word),
            "full before lindera cuts"
        );
    }
}
