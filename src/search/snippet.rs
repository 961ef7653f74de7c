//! Snippets: the part of the body around the best-matching words, HTML-escaped, with matches wrapped
//! in `<mark>`, cut at word boundaries and marked with an ellipsis where the text goes on.

use std::ops::Range;

use aho_corasick::AhoCorasick;

/// The query's words, found in one pass over a text (ASCII letters in any case).
pub struct Needles {
    finder: Option<AhoCorasick>,
}

impl Needles {
    /// One-character words are left out when there are others: alone they would mark every
    /// particle-sized piece of text.
    pub fn new(words: &[String]) -> Needles {
        let kept: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|w| !w.is_empty() && (w.chars().count() >= 2 || words.len() == 1))
            .collect();
        let finder = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            // Built once per search (beside the top-k search), then run over every hit: a DFA
            // scans fastest.
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(kept)
            .ok();
        Needles { finder }
    }

    /// Every occurrence in `text`, overlapping ones included: (word number, byte range).
    fn find(&self, text: &str) -> Vec<(usize, Range<usize>)> {
        let Some(finder) = &self.finder else {
            return Vec::new();
        };
        finder
            .find_overlapping_iter(text)
            .map(|m| (m.pattern().as_usize(), m.range()))
            .collect()
    }
}

/// Renders the snippet of `body`: the window of about `max_chars` characters holding the most
/// different query words, with every occurrence marked. Words are found as written, which is fast
/// and needs no analysis. The start of the body when nothing in it matches.
pub fn render(needles: &Needles, body: &str, max_chars: usize) -> String {
    let mut matches = needles.find(body);
    if matches.is_empty() {
        return plain_start(body, max_chars);
    }
    matches.sort_by_key(|(_, r)| r.start);
    // Byte offset of every character, to measure windows in characters.
    let chars: Vec<usize> = body.char_indices().map(|(i, _)| i).collect();
    let char_at = |byte: usize| chars.partition_point(|&b| b < byte);
    let context = 20;
    // Slide a window over the matches: for each match, the window starting a little before it.
    // `best` is (distinct words, start char, match index).
    let mut best = (0usize, 0usize, 0usize);
    let mut counts = vec![0u32; matches.iter().map(|(n, _)| n + 1).max().unwrap_or(0)];
    let (mut distinct, mut next) = (0usize, 0usize);
    for i in 0..matches.len() {
        next = next.max(i);
        let start = char_at(matches[i].1.start).saturating_sub(context);
        let end_byte = chars.get(start + max_chars).copied().unwrap_or(body.len());
        while next < matches.len() && matches[next].1.end <= end_byte {
            let n = matches[next].0;
            distinct += usize::from(counts[n] == 0);
            counts[n] += 1;
            next += 1;
        }
        if distinct > best.0 {
            best = (distinct, start, i);
        }
        if next > i {
            let n = matches[i].0;
            counts[n] -= 1;
            distinct -= usize::from(counts[n] == 0);
        }
    }
    let start_byte = chars.get(best.1).copied().unwrap_or(0);
    // Begin at a word boundary.
    let start_byte = if start_byte == 0 {
        0
    } else {
        body[..start_byte]
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8())
    };
    // End where the chosen window ends (not `max_chars` after the word boundary found above), so
    // every word that made the window best is shown.
    let end_byte = chars.get(best.1 + max_chars).copied().unwrap_or(body.len());
    let end_byte = word_end(body, end_byte);
    let marks: Vec<Range<usize>> = matches.into_iter().map(|(_, r)| r).collect();
    render_range(body, start_byte..end_byte, &marks)
}

/// The whole of a short text (a title) as HTML with every query word in it marked.
pub fn mark_all(needles: &Needles, text: &str) -> String {
    let ranges: Vec<Range<usize>> = needles.find(text).into_iter().map(|(_, r)| r).collect();
    render_range(text, 0..text.len(), &ranges)
}

/// The whole `body` as HTML with `ranges` marked.
pub fn render_all(body: &str, ranges: &[Range<usize>]) -> String {
    render_range(body, 0..body.len(), ranges)
}

fn plain_start(body: &str, max_chars: usize) -> String {
    let end = body
        .char_indices()
        .nth(max_chars)
        .map_or(body.len(), |(i, _)| i);
    let end = word_end(body, end);
    render_range(body, 0..end, &[])
}

fn word_end(body: &str, from: usize) -> usize {
    body[from..]
        .find(char::is_whitespace)
        .map_or(body.len(), |i| from + i)
}

/// The largest char boundary of `text` at or before `i`.
fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn render_range(body: &str, range: Range<usize>, highlights: &[Range<usize>]) -> String {
    let range = floor_boundary(body, range.start)..floor_boundary(body, range.end);
    let mut merged: Vec<Range<usize>> = Vec::new();
    let mut sorted: Vec<Range<usize>> = highlights.to_vec();
    sorted.sort_by_key(|r| (r.start, r.end));
    for r in sorted {
        match merged.last_mut() {
            // Overlapping or touching pieces of one word (무역|보험|공사) make one highlight.
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut html = String::new();
    if range.start > 0 {
        html.push('…');
    }
    let mut at = range.start;
    for r in merged {
        let (s, e) = (
            floor_boundary(body, r.start.max(at)),
            floor_boundary(body, r.end.min(range.end)),
        );
        if s >= e {
            continue;
        }
        html.push_str(&escape(&body[at..s]));
        html.push_str("<mark>");
        html.push_str(&escape(&body[s..e]));
        html.push_str("</mark>");
        at = e;
    }
    html.push_str(&escape(&body[at..range.end]));
    if range.end < body.len() {
        html.push('…');
    }
    html.trim().to_string()
}

/// Minimal HTML escaping for text shown inside a page.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_touching_highlights_and_escapes() {
        let body = "무역보험공사는 <AI> & 보험을";
        let b = body.find("보험을").unwrap();
        let html = render_range(body, 0..body.len(), &[0..6, 6..12, 12..18, b..b + 6]);
        assert_eq!(
            html,
            "<mark>무역보험공사</mark>는 &lt;AI&gt; &amp; <mark>보험</mark>을"
        );
    }

    #[test]
    fn window_with_most_query_words() {
        let body = "앞부분에는 삼성이 한 번 나온다. 그리고 한참 뒤에 삼성전자와 반도체가 함께 나오는 문장이 있다.";
        let needles = Needles::new(&["삼성전자".to_string(), "반도체".to_string()]);
        let html = render(&needles, body, 30);
        assert!(
            html.contains("<mark>삼성전자</mark>와 <mark>반도체</mark>가"),
            "{html}"
        );
        assert!(html.starts_with('…'), "{html}");
        let latin = render(
            &Needles::new(&["chatgpt".to_string()]),
            "OpenAI의 ChatGPT가 나왔다",
            50,
        );
        assert_eq!(latin, "OpenAI의 <mark>ChatGPT</mark>가 나왔다");
        assert_eq!(
            render(&Needles::new(&["없음".to_string()]), "하나 둘 셋", 4),
            "하나 둘…"
        );
        // Multi-byte spaces around the window (no-break space) never split a character.
        let nbsp = format!(
            "{}운하\u{a0}완공. 결국 미국이 운하를 완성했다",
            "가".repeat(60)
        );
        let html = render(
            &Needles::new(&["운하".to_string(), "완성".to_string()]),
            &nbsp,
            20,
        );
        assert!(html.contains("<mark>운하</mark>"), "{html}");
    }

    #[test]
    fn window_slides_past_repeated_words_to_the_richest_stretch() {
        let body = format!(
            "{}끝에 무역보험공사가 환율 보험을 늘린다고 밝혔다.",
            "수출 소식이다. ".repeat(40)
        );
        let words = ["수출", "무역보험공사", "환율"].map(String::from);
        let html = render(&Needles::new(&words), &body, 60);
        assert!(
            html.contains(
                "<mark>수출</mark> 소식이다. 끝에 <mark>무역보험공사</mark>가 <mark>환율</mark>"
            ),
            "{html}"
        );
        // Overlapping words make one mark.
        let words = ["무역보험공사", "보험"].map(String::from);
        assert_eq!(
            render(&Needles::new(&words), "한국무역보험공사가", 40),
            "한국<mark>무역보험공사</mark>가"
        );
    }

    #[test]
    fn ellipsis_where_text_goes_on() {
        let body = "앞 문장이다. 가운데 낱말 뒤 문장";
        let start = body.find("가운데").unwrap();
        let html = render_range(
            body,
            start..word_end(body, start + 3),
            std::slice::from_ref(&(start..start + 9)),
        );
        assert_eq!(html, "…<mark>가운데</mark>…");
        assert_eq!(plain_start("하나 둘 셋", 4), "하나 둘…");
    }
}
