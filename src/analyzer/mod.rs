//! Korean analysis: lindera's ko-dic segmenter wrapped as a tantivy tokenizer, with part-of-speech
//! filtering, decompounding, stemming of inflected forms and lower-casing. Owns the one function that
//! registers tokenizers on an index; does not know about fields or queries.

mod bigram;
mod breaks;
mod cuts;
mod dictionary;
mod emit;
mod explain;
mod hanja;
mod memo;
mod nouns;
mod pos;
mod words;

use std::borrow::Cow;
use std::sync::Arc;

use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera_dictionary::viterbi::Lattice;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::Index;

use crate::config::{AnalyzerConfig, Decompound};
use crate::error::Error;
pub use bigram::BigramTokenizer;
pub use cuts::KO_DIC_SPACED;
use cuts::{Batch, Cuts};
pub use dictionary::user_surfaces;
pub use dictionary::{
    check_user_dictionary, user_dictionary_fingerprint, user_dictionary_text,
    BUILTIN_USER_DICTIONARY,
};
use dictionary::{system_dictionary, user_csv, user_dictionary};
pub(crate) use emit::is_word_char;
use emit::{Details, Emitter};
pub use explain::{Indexed, Morpheme};
pub use hanja::fingerprint as hanja_fingerprint;
use hanja::Abbreviations;
pub use hanja::{check_hanja, hanja_text};
use memo::{Handle, Memo};
pub use nouns::{Noun, NounKind};
pub use pos::StopTags;
use words::{Fate, Fates, Word};

/// Version of what analysis does beyond its settings (normalisation, Hanja readings): an index built
/// by another version warns that it needs a re-index.
pub const ANALYSIS_VERSION: u32 = 2;

/// Name under which the Korean analyzer is registered on every index.
pub const KOREAN: &str = "ko";
/// Name of the character-bigram analyzer.
pub const BIGRAM: &str = "ko_bigram";

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
        let words: Vec<_> = words
            .map(|(start, end, context)| {
                (start, end, context, Memo::hash(context, &text[start..end]))
            })
            .collect();
        let hashes: Vec<u64> = words.iter().map(|w| w.3).collect();
        self.memo.warm(&hashes);
        let mut handles = Vec::new();
        let mut batch = Batch::default();
        for (i, (start, end, context, hash)) in words.into_iter().enumerate() {
            let word = &text[start..end];
            let handle = self.memo.find_hashed(hash, context, word);
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
