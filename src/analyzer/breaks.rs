//! Word breaks, handed from the Korean analyzer to the bigram tokenizer: the byte offsets where a
//! particle meets a space (`삼성전자가|␠발표했다`). The bigram view bridges spaces so that spaced and
//! joined forms find each other (`비트 코인` gives `트코`, as `비트코인` does); a space after a
//! particle separates two whole words that nobody joins, so the pair across it (`가발`) is left out.
//! Such pairs are most of the pairs across spaces, a quarter of all grams, and nearly all of them are
//! rare terms, which are what makes indexing a term costly. Endings are still bridged: compound verbs
//! are written both ways (`되돌아 보고`, `되돌아보고`).
//!
//! The breaks come from the Korean analysis, and the bigram tokenizer gets them either way: it
//! analyses a text itself (`BigramTokenizer`), unless the Korean analyzer has just done so on the
//! same thread and left them here. That hand-over is only a saving: tantivy indexes a document's
//! fields one after another on one indexing thread, in schema order (title and body through the
//! Korean analyzer, then the same texts as bigrams), so while it does, each text is analysed once;
//! if it ever stops doing so, the grams stay the same and indexing does the analysis twice.

use std::cell::RefCell;
use std::collections::VecDeque;

/// Texts remembered per thread: a document's title and body, with room to spare.
const KEPT: usize = 4;

struct Left {
    text: String,
    breaks: Vec<usize>,
}

thread_local! {
    static LEFT: RefCell<VecDeque<Left>> = const { RefCell::new(VecDeque::new()) };
}

/// Records `offset` (the end of a particle in `text`) when a space follows it.
pub fn note(breaks: &mut Vec<usize>, text: &str, offset: usize) {
    if text
        .get(offset..)
        .and_then(|rest| rest.chars().next())
        .is_some_and(char::is_whitespace)
    {
        breaks.push(offset);
    }
}

/// Leaves the breaks of `text`, just analysed, for the bigram tokenizer on this thread.
pub fn leave(text: &str, breaks: Vec<usize>) {
    LEFT.with(|left| {
        let Ok(mut left) = left.try_borrow_mut() else {
            return;
        };
        if left.len() == KEPT {
            left.pop_front();
        }
        left.push_back(Left {
            text: text.to_owned(),
            breaks,
        });
    });
}

/// The breaks left for `text` on this thread, in increasing order; `None` when it was not just
/// analysed here.
pub fn take(text: &str) -> Option<Vec<usize>> {
    LEFT.with(|left| {
        let mut left = left.try_borrow_mut().ok()?;
        let i = left.iter().position(|l| l.text == text)?;
        left.remove(i).map(|l| l.breaks)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_are_noted_only_before_a_space() {
        let text = "전자가 발표했다.";
        let mut breaks = Vec::new();
        note(&mut breaks, text, 9); // after 가
        note(&mut breaks, text, 21); // after 다, before the full stop
        assert_eq!(breaks, vec![9]);
    }

    #[test]
    fn breaks_go_to_the_same_text_once() {
        leave("제목", vec![]);
        leave("본문이 길다", vec![9]);
        assert_eq!(take("다른 글"), None);
        assert_eq!(take("본문이 길다"), Some(vec![9]));
        assert_eq!(take("본문이 길다"), None);
        for n in 0..KEPT + 1 {
            leave(&format!("글 {n}"), vec![n]);
        }
        assert_eq!(take("글 0"), None, "the oldest is forgotten");
        assert_eq!(take(&format!("글 {KEPT}")), Some(vec![KEPT]));
    }
}
