//! Text normalisation before analysis, the same for documents and queries: Unicode NFC (decomposed
//! Hangul from macOS files and some scraped pages would otherwise be unknown jamo), full-width Latin
//! letters, digits and signs to ASCII (`ＡＩ` → `AI`), the ideographic space to a space, and the Hangul
//! araea used as a middle dot (`ㆍ`) to `·`. Queries also get straight quotes, so the curly quotes of
//! headlines (`“…”`, `‘…’`) mean what `"…"` means.

use std::borrow::Cow;

use icu_normalizer::ComposingNormalizerBorrowed;

/// Documents' title and body text, as stored and indexed.
pub fn text(text: &str) -> Cow<'_, str> {
    let nfc = ComposingNormalizerBorrowed::new_nfc();
    let composed = if nfc.is_normalized(text) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(nfc.normalize(text).into_owned())
    };
    if !composed.chars().any(|c| width(c).is_some()) {
        return composed;
    }
    Cow::Owned(composed.chars().map(|c| width(c).unwrap_or(c)).collect())
}

/// A query as typed: [`text`], then one kind of each quote.
pub fn query(query: &str) -> String {
    text(query)
        .chars()
        .map(|c| match c {
            '“' | '”' | '„' | '‟' | '〝' | '〞' | '″' => '"',
            '‘' | '’' | '‚' | '‛' | '′' | '＇' => '\'',
            c => c,
        })
        .collect()
}

/// The plain form of a full-width or look-alike character, `None` for every other character.
fn width(c: char) -> Option<char> {
    match c {
        // Full-width ASCII (U+FF01–U+FF5E) sits 0xFEE0 above ASCII.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{3000}' => Some(' '),
        'ㆍ' => Some('·'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_hangul_is_composed() {
        let nfd = "\u{1109}\u{1161}\u{11B7}\u{1109}\u{1165}\u{11BC}"; // 삼성, as macOS writes it
        assert_eq!(text(nfd), "삼성");
        assert!(matches!(text("삼성전자"), Cow::Borrowed(_)));
    }

    #[test]
    fn full_width_and_look_alikes_become_plain() {
        assert_eq!(text("ＡＩ　반도체 ２０２５년"), "AI 반도체 2025년");
        assert_eq!(text("국민ㆍ헌법"), "국민·헌법");
        assert_eq!(
            query("대통령실 “성역 없이 수사” ‘형식’"),
            "대통령실 \"성역 없이 수사\" '형식'"
        );
    }
}
