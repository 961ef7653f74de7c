//! Character bigrams: a dictionary-free second view of Korean text. Hangul and Han runs become
//! overlapping two-character grams (a one-character run stays whole), with one more pair across each
//! space between two runs; Latin and digit runs become lower-cased words. Catches what the dictionary
//! misses: new names and spacing variants (`중소 기업` and `중소기업` share `중소`, `소기`, `기업`).
//! Spaces after a particle are not bridged (`breaks`).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::{breaks, KoreanTokenizer};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Cjk,
    Word,
}

fn script(c: char) -> Option<Script> {
    match c {
        c if crate::hangul::is_syllable(c) => Some(Script::Cjk),
        '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' => Some(Script::Cjk),
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' => Some(Script::Cjk),
        c if c.is_alphanumeric() => Some(Script::Word),
        _ => None,
    }
}

/// Bigram tokens of `text`, with byte offsets and consecutive positions; `breaks` (increasing byte
/// offsets) are the spaces not to bridge.
pub fn bigrams_with_breaks(text: &str, breaks: Vec<usize>) -> Vec<Token> {
    let mut stream = BigramStream::new(text, breaks);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().clone());
    }
    tokens
}

/// The bigram analyzer as a tantivy tokenizer. The spaces not to bridge come from the Korean
/// analysis of the text: handed over by the Korean analyzer when it has just analysed the same text
/// on this thread (as indexing does, field after field), else found by analysing it here.
#[derive(Clone)]
pub struct BigramTokenizer {
    korean: KoreanTokenizer,
}

impl BigramTokenizer {
    pub fn new(korean: &KoreanTokenizer) -> Self {
        BigramTokenizer {
            korean: korean.clone(),
        }
    }
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BigramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream<'a> {
        let breaks = breaks::take(text).unwrap_or_else(|| self.korean.breaks_of(text));
        BigramStream::new(text, breaks)
    }
}

/// Works on the fly and reuses one token, so indexing allocates nothing per bigram.
pub struct BigramStream<'a> {
    text: &'a str,
    /// Byte offsets of spaces not to bridge, increasing, and the first one not passed yet.
    breaks: Vec<usize>,
    next_break: usize,
    /// Next byte to read.
    at: usize,
    /// The last Hangul/Han character, while nothing but spaces followed it.
    last_cjk: Option<(usize, char)>,
    /// Whether `last_cjk` is the character right before `at` (same run).
    adjacent: bool,
    /// A one-character run waiting to be emitted after its pair across the space.
    queued: Option<(usize, char)>,
    token: Token,
}

impl<'a> BigramStream<'a> {
    fn new(text: &'a str, breaks: Vec<usize>) -> Self {
        BigramStream {
            text,
            breaks,
            next_break: 0,
            at: 0,
            last_cjk: None,
            adjacent: false,
            queued: None,
            token: Token::default(),
        }
    }

    /// Whether the space starting at `offset` is a break; offsets must come in increasing order.
    fn breaks_at(&mut self, offset: usize) -> bool {
        while self
            .breaks
            .get(self.next_break)
            .is_some_and(|&b| b < offset)
        {
            self.next_break += 1;
        }
        self.breaks.get(self.next_break) == Some(&offset)
    }

    fn emit(&mut self, from: usize, to: usize, chars: impl Iterator<Item = char>) -> bool {
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.text.clear();
        self.token.text.extend(chars);
        true
    }
}

impl TokenStream for BigramStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some((at, c)) = self.queued.take() {
            return self.emit(at, at + c.len_utf8(), std::iter::once(c));
        }
        let text = self.text;
        while let Some(c) = text[self.at..].chars().next() {
            let i = self.at;
            let end = i + c.len_utf8();
            match script(c) {
                Some(Script::Cjk) => {
                    self.at = end;
                    let run_start = !std::mem::replace(&mut self.adjacent, true);
                    // Across a space after a particle stand two whole words: no pair.
                    let previous = self
                        .last_cjk
                        .replace((i, c))
                        .filter(|&(p_at, p)| !run_start || !self.breaks_at(p_at + p.len_utf8()));
                    let run_ends = text[end..].chars().next().and_then(script) != Some(Script::Cjk);
                    match previous {
                        // A pair inside a run, or across the space before this run.
                        Some((p_at, p)) => {
                            if run_start && run_ends {
                                self.queued = Some((i, c));
                            }
                            return self.emit(p_at, end, [p, c].into_iter());
                        }
                        None if run_ends => return self.emit(i, end, std::iter::once(c)),
                        None => {}
                    }
                }
                Some(Script::Word) => {
                    let word_end = text[i..]
                        .char_indices()
                        .find(|&(_, c)| script(c) != Some(Script::Word))
                        .map_or(text.len(), |(j, _)| i + j);
                    self.at = word_end;
                    self.last_cjk = None;
                    self.adjacent = false;
                    return self.emit(
                        i,
                        word_end,
                        text[i..word_end].chars().flat_map(char::to_lowercase),
                    );
                }
                None => {
                    self.at = end;
                    self.adjacent = false;
                    if !c.is_whitespace() {
                        self.last_cjk = None;
                    }
                }
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bigrams(text: &str) -> Vec<Token> {
        bigrams_with_breaks(text, Vec::new())
    }

    fn texts(text: &str) -> Vec<String> {
        bigrams(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn hangul_runs_become_overlapping_pairs() {
        assert_eq!(texts("중소기업"), vec!["중소", "소기", "기업"]);
        // Across a space too, so spacing variants share grams; punctuation breaks the chain.
        assert_eq!(texts("중소 기업"), vec!["중소", "소기", "기업"]);
        assert_eq!(
            texts("딥시크가 왔다"),
            vec!["딥시", "시크", "크가", "가왔", "왔다"]
        );
        assert_eq!(texts("삼성, 전자"), vec!["삼성", "전자"]);
        assert_eq!(texts("AI 자율"), vec!["ai", "자율"]);
        assert_eq!(texts("및"), vec!["및"]);
        assert_eq!(texts("가 및 나"), vec!["가", "가및", "및", "및나", "나"]);
        let offsets: Vec<(usize, usize)> = bigrams("중소 기업")
            .iter()
            .map(|t| (t.offset_from, t.offset_to))
            .collect();
        assert_eq!(offsets, vec![(0, 6), (3, 10), (7, 13)]);
    }

    #[test]
    fn breaks_are_not_bridged() {
        // "전자가 발표 및 나": breaks after 가 (byte 9) and 및 (byte 20).
        let text = "전자가 발표 및 나";
        let grams = |breaks| -> Vec<String> {
            bigrams_with_breaks(text, breaks)
                .into_iter()
                .map(|t| t.text)
                .collect()
        };
        assert_eq!(
            grams(vec![9, 20]),
            vec!["전자", "자가", "발표", "표및", "및", "나"]
        );
        assert_eq!(
            grams(vec![]),
            vec!["전자", "자가", "가발", "발표", "표및", "및", "및나", "나"]
        );
    }

    #[test]
    fn latin_and_digits_are_words() {
        assert_eq!(
            texts("챗GPT-4o 2조원"),
            vec!["챗", "gpt", "4o", "2", "조원"]
        );
        for token in bigrams("中企 1000곳, ChatGPT!") {
            assert!(!token.text.is_empty());
        }
    }
}
