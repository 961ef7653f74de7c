//! Character bigrams: a dictionary-free second view of Korean text. Hangul and Han runs become
//! overlapping two-character grams (a one-character run stays whole); Latin and digit runs become
//! lower-cased words. Catches what the dictionary misses: new names and spacing variants
//! (`중소 기업` and `중소기업` share `중소` and `기업`).

use tantivy::tokenizer::{Token, Tokenizer};

use super::KoreanTokenStream;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Cjk,
    Word,
}

fn script(c: char) -> Option<Script> {
    match c {
        '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' => {
            Some(Script::Cjk)
        }
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' => Some(Script::Cjk),
        c if c.is_alphanumeric() => Some(Script::Word),
        _ => None,
    }
}

/// Bigram tokens of `text`, with byte offsets and consecutive positions.
pub fn bigrams(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut run_script = None;
    let flush = |run: &mut Vec<(usize, char)>, kind: Option<Script>, tokens: &mut Vec<Token>| {
        if run.is_empty() {
            return;
        }
        let end_of = |i: usize| run[i].0 + run[i].1.len_utf8();
        let mut push = |from: usize, to: usize, text: String| {
            let position = tokens.len();
            tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position,
                text,
                position_length: 1,
            });
        };
        match kind {
            Some(Script::Cjk) if run.len() > 1 => {
                for i in 0..run.len() - 1 {
                    let text: String = [run[i].1, run[i + 1].1].iter().collect();
                    push(run[i].0, end_of(i + 1), text);
                }
            }
            _ => {
                let text: String = run.iter().flat_map(|&(_, c)| c.to_lowercase()).collect();
                push(run[0].0, end_of(run.len() - 1), text);
            }
        }
        run.clear();
    };
    // Last Hangul character of the previous run when only spaces followed it: the pair across the
    // space is indexed too, so `중소 기업` and `중소기업` share `소기`, and words that stand next to
    // each other leave a trace of it.
    let mut across: Option<(usize, char)> = None;
    for (i, c) in text.char_indices() {
        let kind = script(c);
        if kind != run_script || kind.is_none() {
            if run_script == Some(Script::Cjk) && kind.is_none() && c.is_whitespace() {
                across = run.last().copied();
            } else if kind.is_none() && !c.is_whitespace() {
                across = None;
            }
            flush(&mut run, run_script, &mut tokens);
            if kind == Some(Script::Cjk) {
                if let Some((at, prev)) = across.take() {
                    let position = tokens.len();
                    tokens.push(Token {
                        offset_from: at,
                        offset_to: i + c.len_utf8(),
                        position,
                        text: [prev, c].iter().collect(),
                        position_length: 1,
                    });
                }
            } else if kind.is_some() {
                across = None;
            }
        }
        run_script = kind;
        if kind.is_some() {
            run.push((i, c));
        }
    }
    flush(&mut run, run_script, &mut tokens);
    tokens
}

/// The bigram analyzer as a tantivy tokenizer.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = KoreanTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KoreanTokenStream {
        KoreanTokenStream::new(bigrams(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
