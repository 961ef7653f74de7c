//! Korean analysis: lindera's ko-dic segmenter wrapped as a tantivy tokenizer, with part-of-speech
//! filtering, decompounding, stemming of inflected forms and lower-casing. Owns the one function that
//! registers tokenizers on an index; does not know about fields or queries.

mod bigram;
mod breaks;
mod cuts;
mod explain;
mod hanja;
mod memo;
mod pos;
mod words;

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use lindera::dictionary::{load_dictionary, Dictionary, UserDictionary};
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera_dictionary::viterbi::Lattice;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::Index;

use crate::config::{AnalyzerConfig, Decompound, BUILTIN};
use crate::error::{ConfigError, Error, InternalError};
pub use bigram::BigramTokenizer;
pub use cuts::KO_DIC_SPACED;
use cuts::{Batch, Cuts};
pub use explain::{Indexed, Morpheme};
pub use hanja::fingerprint as hanja_fingerprint;
use hanja::Abbreviations;
use memo::{Handle, Memo};
pub use pos::StopTags;
use words::{Fate, Fates, Word};

/// Version of what analysis does beyond its settings (normalisation, Hanja readings): an index built
/// by another version warns that it needs a re-index.
pub const ANALYSIS_VERSION: u32 = 2;

/// Name under which the Korean analyzer is registered on every index.
pub const KOREAN: &str = "ko";
/// Name of the character-bigram analyzer.
pub const BIGRAM: &str = "ko_bigram";

/// The embedded ko-dic, loaded once per process.
fn system_dictionary() -> Result<Dictionary, InternalError> {
    static DICT: OnceLock<Result<Dictionary, String>> = OnceLock::new();
    DICT.get_or_init(|| load_dictionary("embedded://ko-dic").map_err(|e| e.to_string()))
        .clone()
        .map_err(InternalError::Dictionary)
}

/// chaja's starter list of new words.
pub const BUILTIN_USER_DICTIONARY: &str = include_str!("../../data/userdic.csv");

/// The rows of the user dictionary named by the `analyzer.user_dictionary` setting.
fn user_csv(setting: &str) -> Result<Option<String>, Error> {
    Ok(Some(match setting.trim() {
        "" => return Ok(None),
        BUILTIN => BUILTIN_USER_DICTIONARY.to_string(),
        path => std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?,
    }))
}

/// A user dictionary's rows, trimmed, without blank lines and `#` comments.
fn user_rows(csv: &str) -> impl Iterator<Item = &str> {
    csv.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The surfaces (first fields) of a user dictionary's rows.
fn user_surfaces(csv: &str) -> impl Iterator<Item = &str> {
    user_rows(csv).filter_map(|l| l.split(',').next())
}

/// The user dictionary built from `csv`.
fn user_dictionary(
    setting: &str,
    csv: &str,
    dictionary: &Dictionary,
) -> Result<UserDictionary, Error> {
    let builder =
        lindera_dictionary::builder::DictionaryBuilder::new((*dictionary.metadata).clone());
    builder
        .build_user_dict_from_reader(with_context_ids(csv).as_bytes())
        .map_err(|e| ConfigError::Invalid(format!("user dictionary {setting}: {e}")).into())
}

/// Rewrites `surface,NNG|NNP,reading` rows into full ko-dic rows with the context ids and cost of
/// ordinary nouns. lindera gives short rows neutral context ids, which lets the particle after a new
/// word (딥시크가) be misread; with a noun's ids it is read as a particle again. Other rows are kept.
fn with_context_ids(csv: &str) -> String {
    let mut out = String::with_capacity(csv.len() * 2);
    for line in user_rows(csv) {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let ids = match fields.as_slice() {
            [surface, "NNG", _] => Some((surface, "NNG", 1780, 3533)),
            [surface, "NNP", _] => Some((surface, "NNP", 1786, 3545)),
            _ => None,
        };
        match ids {
            Some((surface, tag, left, right_open)) => {
                // ko-dic's right context differs by whether the last syllable has a final consonant.
                let closed = surface.chars().last().is_some_and(|c| {
                    ('\u{AC00}'..='\u{D7A3}').contains(&c)
                        && !(c as u32 - 0xAC00).is_multiple_of(28)
                });
                let (right, flag) = if closed {
                    (right_open + 1, "T")
                } else {
                    (right_open, "F")
                };
                out.push_str(&format!(
                    "{surface},{left},{right},2000,{tag},*,{flag},{},*,*,*,*\n",
                    fields[2]
                ));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Fingerprint of the user dictionary's content, so a changed word list is noticed like a changed
/// setting.
pub fn user_dictionary_fingerprint(setting: &str) -> String {
    use std::hash::{Hash, Hasher};
    let content = user_csv(setting).ok().flatten().unwrap_or_default();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    content.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Korean tokenizer for tantivy. Cheap to clone: the segmenter and settings are shared; each clone
/// (tantivy takes one per field and segment) starts with its own empty memo of analysed words.
pub struct KoreanTokenizer {
    segmenter: Arc<Segmenter>,
    stop_tags: Arc<StopTags>,
    decompound: Decompound,
    fates: Arc<Fates>,
    cuts: Arc<Cuts>,
    hanja: Arc<Abbreviations>,
    memo: Memo,
}

impl Clone for KoreanTokenizer {
    fn clone(&self) -> Self {
        Self {
            segmenter: self.segmenter.clone(),
            stop_tags: self.stop_tags.clone(),
            decompound: self.decompound,
            fates: self.fates.clone(),
            cuts: self.cuts.clone(),
            hanja: self.hanja.clone(),
            memo: Memo::default(),
        }
    }
}

impl KoreanTokenizer {
    pub fn new(config: &AnalyzerConfig) -> Result<Self, Error> {
        let dictionary = system_dictionary()?;
        let csv = user_csv(&config.user_dictionary)?;
        let user = match &csv {
            Some(csv) => Some(user_dictionary(&config.user_dictionary, csv, &dictionary)?),
            None => None,
        };
        let cuts = Cuts::new(csv.as_deref().into_iter().flat_map(user_surfaces));
        let fates = Arc::new(Fates::new(&dictionary));
        let segmenter = Segmenter::new(Mode::Normal, dictionary, user);
        Ok(Self {
            segmenter: Arc::new(segmenter),
            stop_tags: Arc::new(StopTags::new(&config.stop_tags)),
            decompound: config.decompound,
            fates,
            cuts: Arc::new(cuts),
            hanja: Arc::new(Abbreviations::load(&config.hanja)?),
            memo: Memo::default(),
        })
    }

    /// lindera's segmentation of `text` alone, nothing else of the analysis: the number of tokens.
    /// The bench's yardstick.
    pub fn segment_only(&self, text: &str) -> usize {
        self.segment(text).map_or(0, |tokens| tokens.len())
    }

    /// lindera's segmentation of `text`, on this thread's lattice.
    fn segment<'a>(
        &'a self,
        text: &'a str,
    ) -> lindera::LinderaResult<Vec<lindera::token::Token<'a>>> {
        thread_local! {
            // One Viterbi lattice per thread, reused: allocating it was a large share of analysing
            // a short text. Sentences are capped at 32 KiB by lindera, which bounds its size.
            static LATTICE: std::cell::RefCell<Lattice> = std::cell::RefCell::new(Lattice::default());
        }
        LATTICE.with(|lattice| match lattice.try_borrow_mut() {
            Ok(mut lattice) => self
                .segmenter
                .segment_with_lattice(Cow::Borrowed(text), &mut lattice),
            Err(_) => self.segmenter.segment(Cow::Borrowed(text)),
        })
    }

    /// Analyses `text` into index terms with byte offsets into `text` and positions.
    pub fn analyze(&self, text: &str) -> Vec<Token> {
        self.analyze_with_breaks(text, &mut Vec::new())
    }

    /// `text`'s character bigrams, leaving out pairs across a space after a particle (see `breaks`),
    /// as the index has them.
    pub fn bigrams(&self, text: &str) -> Vec<Token> {
        let mut breaks = Vec::new();
        self.analyze_with_breaks(text, &mut breaks);
        bigram::bigrams_with_breaks(text, breaks)
    }

    /// The particle breaks of `text` (see `breaks`), found as indexing finds them.
    fn breaks_of(&mut self, text: &str) -> Vec<usize> {
        let mut breaks = Vec::new();
        drop(self.analyze_remembered(text, &mut breaks));
        breaks
    }

    /// [`Self::analyze_with_breaks`] word by word (see `memo`): words not remembered are analysed
    /// together, then every word's tokens are replayed from the memo as the stream is read. Same
    /// tokens and breaks.
    fn analyze_remembered(&mut self, text: &str, breaks: &mut Vec<usize>) -> KoreanTokenStream<'_> {
        let cuts = Arc::clone(&self.cuts);
        let Some(words) = cuts.words(text) else {
            return KoreanTokenStream::new(self.analyze_with_breaks(text, breaks));
        };
        self.memo.make_room();
        let mut handles = Vec::new();
        let mut batch = Batch::default();
        for (i, (start, end, context)) in words.enumerate() {
            let word = &text[start..end];
            let handle = self.memo.find(context, word);
            if handle.is_none() && !batch.push(i, context, word) {
                self.analyse_batch(&mut batch, &mut handles);
                if !batch.push(i, context, word) {
                    // Words kept together (see `cuts`) too long for one lattice: the text whole.
                    return KoreanTokenStream::new(self.analyze_with_breaks(text, breaks));
                }
            }
            handles.push((start, handle));
        }
        self.analyse_batch(&mut batch, &mut handles);
        let words: Vec<_> = handles
            .into_iter()
            .filter_map(|(start, handle)| Some((start, handle?)))
            .collect();
        for &(start, handle) in &words {
            self.memo.breaks(handle, start, breaks);
        }
        KoreanTokenStream {
            tokens: Tokens::Remembered(self.memo.replay(words)),
            token: Token::default(),
        }
    }

    /// A long text analysed piece by piece (see `Cuts::pieces`): offsets, positions and breaks
    /// continue from piece to piece as in one analysis.
    fn analyze_pieces(
        &self,
        text: &str,
        pieces: &[std::ops::Range<usize>],
        breaks: &mut Vec<usize>,
    ) -> Vec<Token> {
        let mut out: Vec<Token> = Vec::new();
        for piece in pieces {
            let mut own = Vec::new();
            let next = out.last().map_or(0, |t| t.position + 1);
            for mut token in self.analyze_with_breaks(&text[piece.clone()], &mut own) {
                token.offset_from += piece.start;
                token.offset_to += piece.start;
                token.position += next;
                out.push(token);
            }
            breaks.extend(own.into_iter().map(|b| b + piece.start));
        }
        out
    }

    /// Analyses the batched words, remembers each and notes its handle under its tag.
    fn analyse_batch(&mut self, batch: &mut Batch, handles: &mut [(usize, Option<Handle>)]) {
        if batch.is_empty() {
            return;
        }
        batch.finish();
        let mut breaks = Vec::new();
        let tokens = self.analyze_with_breaks(&batch.text, &mut breaks);
        let memo = &mut self.memo;
        batch.split(tokens, &breaks, |i, context, word, tokens, breaks| {
            let handle = memo.insert(context, word, tokens, breaks);
            if let Some((_, slot)) = handles.get_mut(i) {
                *slot = Some(handle);
            }
        });
    }

    /// [`Self::analyze`], also noting in `breaks` where a word ending in a particle meets a space.
    fn analyze_with_breaks(&self, text: &str, breaks: &mut Vec<usize>) -> Vec<Token> {
        if let Some(pieces) = self.cuts.pieces(text) {
            return self.analyze_pieces(text, &pieces, breaks);
        }
        let mut out = Emitter::default();
        match self.segment(text) {
            Ok(tokens) => {
                out.tokens.reserve(tokens.len());
                for mut token in tokens {
                    let (start, end) = (token.byte_start, token.byte_end);
                    // The surface is a slice of the input: no copy.
                    let surface = text.get(start..end).unwrap_or_default();
                    if !surface.chars().any(is_word_char) {
                        continue; // punctuation and symbols (Nori's discard_punctuation)
                    }
                    let word = token.word_id;
                    let known = self.fates.get(word);
                    if let Some(known) = known {
                        if known.particle {
                            breaks::note(breaks, text, end);
                        }
                        match known.fate {
                            Fate::Dropped => continue,
                            Fate::Kept => {
                                out.push_new(surface, start, end);
                                continue;
                            }
                            Fate::Analysed => {}
                        }
                    }
                    let details = Details::read(token.details_iter());
                    let particle = pos::is_particle(details.tag);
                    if particle && known.is_none() {
                        breaks::note(breaks, text, end);
                    }
                    let fate = self.emit_morpheme(&mut out, surface, (start, end), &details);
                    self.fates.remember(word, Word { fate, particle });
                }
            }
            Err(error) => {
                // Never lose a document to the analyzer: fall back to whitespace words.
                tracing::warn!(%error, "korean segmentation failed; indexing whitespace words");
                let mut offset = 0;
                for word in text.split_whitespace() {
                    let start = offset + text[offset..].find(word).unwrap_or(0);
                    offset = start + word.len();
                    out.push_new(word, start, offset);
                }
            }
        }
        out.tokens
    }

    /// Emits what the index gets from one morpheme and says what its kind of word does.
    fn emit_morpheme(
        &self,
        out: &mut Emitter,
        surface: &str,
        (start, end): (usize, usize),
        details: &Details,
    ) -> Fate {
        let tag = details.tag;
        let parts = parse_expression(details.expression);
        match details.kind {
            "Inflect" => {
                // A fused form (가벼운 = 가볍/VA + ᆫ/ETM): index the stem of its first morpheme.
                if let Some((stem, stem_tag)) = parts.first() {
                    if !self.stop_tags.stops(stem_tag) {
                        out.push_new(stem, start, end);
                    }
                } else if !self.stop_tags.stops_all(tag) {
                    out.push_new(surface, start, end);
                }
            }
            "Preanalysis" => {
                let mut cursor = start;
                for (part, part_tag) in &parts {
                    let (s, e) = locate(surface, start, end, part, &mut cursor);
                    if !self.stop_tags.stops(part_tag) {
                        out.push_new(part, s, e);
                    }
                }
            }
            "Compound" if parts.len() > 1 && self.decompound != Decompound::None => {
                if self.stop_tags.stops_all(tag) {
                    return Fate::Dropped;
                }
                let mut cursor = start;
                let mut first = true;
                if self.decompound == Decompound::Mixed {
                    out.push_new(surface, start, end);
                    first = false;
                }
                for (part, part_tag) in &parts {
                    let (s, e) = locate(surface, start, end, part, &mut cursor);
                    if self.stop_tags.stops(part_tag) {
                        continue;
                    }
                    if first {
                        out.push_new(part, s, e);
                        first = false;
                    } else {
                        out.push_same(part, s, e);
                    }
                }
            }
            _ => {
                if self.stop_tags.stops_all(tag) {
                    return Fate::Dropped;
                }
                out.push_new(surface, start, end);
                if !surface.chars().any(hanja::is_han) {
                    return Fate::Kept;
                }
                // Hanja, also under their Hangul spellings (the reading, the word it abbreviates):
                // the word needs its details each time.
                for spelling in self.hanja.spellings(surface, details.reading) {
                    out.push_same(spelling, start, end);
                }
            }
        }
        Fate::Analysed
    }
}

/// Fields 0 (tag), 3 (reading), 4 (kind) and 7 (expression) of a ko-dic token's details.
struct Details<'a> {
    tag: &'a str,
    reading: &'a str,
    kind: &'a str,
    expression: &'a str,
}

impl<'a> Details<'a> {
    /// Read in one pass, without collecting the fields.
    fn read(mut details: impl Iterator<Item = &'a str>) -> Details<'a> {
        let tag = details.next().unwrap_or("UNKNOWN");
        let reading = details.nth(2).unwrap_or("*");
        let kind = details.next().unwrap_or("*");
        let expression = details.nth(2).unwrap_or("*");
        Details {
            tag,
            reading,
            kind,
            expression,
        }
    }
}

/// Collects tokens, assigning positions: a new position per word, the same one for compound parts.
#[derive(Default)]
struct Emitter {
    tokens: Vec<Token>,
    next_position: usize,
}

impl Emitter {
    fn push_new(&mut self, text: &str, from: usize, to: usize) {
        self.push(text, from, to, self.next_position);
        self.next_position += 1;
    }

    fn push_same(&mut self, text: &str, from: usize, to: usize) {
        let position = self.next_position.saturating_sub(1);
        if self
            .tokens
            .last()
            .is_some_and(|t| t.text == lowercase(text))
        {
            return; // a part equal to its whole adds nothing
        }
        self.push(text, from, to, position);
    }

    fn push(&mut self, text: &str, from: usize, to: usize, position: usize) {
        self.tokens.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text: lowercase(text),
            position_length: 1,
        });
    }
}

fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Whether `c` makes a morpheme worth indexing: Hangul syllables are checked first, without the
/// Unicode table lookup `char::is_alphanumeric` does for every non-ASCII character.
pub(crate) fn is_word_char(c: char) -> bool {
    is_hangul_syllable(c) || c.is_alphanumeric()
}

/// `text` lower-cased; Hangul and lower-case ASCII (most morphemes) are copied as they are.
fn lowercase(text: &str) -> String {
    if text
        .chars()
        .all(|c| is_hangul_syllable(c) || c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        text.to_owned()
    } else {
        text.to_lowercase()
    }
}

/// `삼성/NNG/*+전자/NNG/*` → `[("삼성", "NNG"), ("전자", "NNG")]`.
fn parse_expression(expression: &str) -> Vec<(String, String)> {
    if expression == "*" {
        return Vec::new();
    }
    expression
        .split('+')
        .filter_map(|part| {
            let mut fields = part.split('/');
            let surface = fields.next()?.trim();
            let tag = fields.next()?.trim();
            (!surface.is_empty()).then(|| (surface.to_string(), tag.to_string()))
        })
        .collect()
}

/// Byte range of `part` inside the token's `surface`, searching from `cursor`; the whole token when the
/// part is not spelled out in the surface (as with contracted endings).
fn locate(
    surface: &str,
    start: usize,
    end: usize,
    part: &str,
    cursor: &mut usize,
) -> (usize, usize) {
    let from = cursor.saturating_sub(start).min(surface.len());
    match surface.get(from..).and_then(|rest| rest.find(part)) {
        Some(i) => {
            let s = start + from + i;
            *cursor = s + part.len();
            (s, s + part.len())
        }
        None => (start, end),
    }
}

/// Tokens handed to tantivy: analysed up front, or replayed from the memo one by one into a reused
/// token (indexing allocates nothing per remembered token).
pub struct KoreanTokenStream<'m> {
    tokens: Tokens<'m>,
    token: Token,
}

enum Tokens<'m> {
    Analysed(std::vec::IntoIter<Token>),
    Remembered(memo::Replay<'m>),
}

impl KoreanTokenStream<'_> {
    pub fn new(tokens: Vec<Token>) -> Self {
        Self {
            tokens: Tokens::Analysed(tokens.into_iter()),
            token: Token::default(),
        }
    }
}

impl TokenStream for KoreanTokenStream<'_> {
    fn advance(&mut self) -> bool {
        match &mut self.tokens {
            Tokens::Analysed(tokens) => tokens.next().map(|t| self.token = t).is_some(),
            Tokens::Remembered(replay) => replay.next_into(&mut self.token),
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Tokenizer for KoreanTokenizer {
    type TokenStream<'a> = KoreanTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KoreanTokenStream<'a> {
        let mut breaks = Vec::new();
        let stream = self.analyze_remembered(text, &mut breaks);
        breaks::leave(text, breaks);
        stream
    }
}

/// Registers chaja's tokenizers on `index`. Tokenizers are not stored in the index, so this runs after
/// every create and every open.
pub fn register(index: &Index, analyzer: &KoreanTokenizer) {
    index
        .tokenizers()
        .register(KOREAN, TextAnalyzer::from(analyzer.clone()));
    index
        .tokenizers()
        .register(BIGRAM, TextAnalyzer::from(BigramTokenizer::new(analyzer)));
}

#[cfg(test)]
mod tests;
