//! Snippets: the part of the body around the best-matching words, HTML-escaped, with matches wrapped
//! in `<mark>`, cut at word boundaries and marked with an ellipsis where the text goes on.

use std::ops::Range;

use tantivy::snippet::SnippetGenerator;

use super::escape;

/// Renders the snippet of `body` for the query behind `generator`; the start of the body when nothing
/// in it matches.
pub fn render(generator: &SnippetGenerator, body: &str, max_chars: usize) -> String {
    let snippet = generator.snippet(body);
    let fragment = snippet.fragment();
    // tantivy's fragment is a slice of `body`; find where it starts.
    let start = match (snippet.is_empty(), body.find(fragment)) {
        (false, Some(start)) => start,
        _ => return plain_start(body, max_chars),
    };
    let highlights: Vec<Range<usize>> = snippet
        .highlighted()
        .iter()
        .map(|r| start + r.start..start + r.end)
        .collect();
    // Finish the last word instead of stopping inside it (열렸|다).
    let end = word_end(body, start + fragment.len());
    render_range(body, start..end, &highlights)
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

fn render_range(body: &str, range: Range<usize>, highlights: &[Range<usize>]) -> String {
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
        let (s, e) = (r.start.max(at), r.end.min(range.end));
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
