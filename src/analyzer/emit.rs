//! Morpheme emission: what the index gets from one ko-dic token (a fused form's stem, a compound
//! with its parts, a Hanja word with its Hangul spellings), the token's details read in one pass, and
//! the positions tokens take.

use tantivy::tokenizer::Token;

use super::hanja;
use super::words::Fate;
use super::KoreanTokenizer;
use crate::config::Decompound;

impl KoreanTokenizer {
    /// Emits what the index gets from one morpheme and says what its kind of word does.
    pub(super) fn emit_morpheme(
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
pub(super) struct Details<'a> {
    pub tag: &'a str,
    pub reading: &'a str,
    pub kind: &'a str,
    pub expression: &'a str,
}

impl<'a> Details<'a> {
    /// Read in one pass, without collecting the fields.
    pub(super) fn read(mut details: impl Iterator<Item = &'a str>) -> Details<'a> {
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
pub(super) struct Emitter {
    pub tokens: Vec<Token>,
    pub next_position: usize,
}

impl Emitter {
    pub(super) fn push_new(&mut self, text: &str, from: usize, to: usize) {
        self.push(text, from, to, self.next_position);
        self.next_position += 1;
    }

    pub(super) fn push_same(&mut self, text: &str, from: usize, to: usize) {
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

/// Whether `c` makes a morpheme worth indexing: Hangul syllables are checked first, without the
/// Unicode table lookup `char::is_alphanumeric` does for every non-ASCII character.
pub(crate) fn is_word_char(c: char) -> bool {
    crate::hangul::is_syllable(c) || c.is_alphanumeric()
}

/// `text` lower-cased; Hangul and lower-case ASCII (most morphemes) are copied as they are.
fn lowercase(text: &str) -> String {
    if text
        .chars()
        .all(|c| crate::hangul::is_syllable(c) || c.is_ascii_lowercase() || c.is_ascii_digit())
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
