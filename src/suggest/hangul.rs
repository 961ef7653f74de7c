//! Hangul as it is typed: syllables split into the jamo keys that type them (`삼성` → ㅅㅏㅁㅅㅓㅇ,
//! `과` → ㄱㅗㅏ, `닭` → ㄷㅏㄹㄱ), initial consonants (초성), and the two-set (두벌식) keyboard, so text
//! typed with the wrong input mode can be read back (`dhqkak` ↔ 오바마).

use crate::hangul::{PER_INITIAL, SYLLABLE_FIRST as BASE, SYLLABLE_LAST as LAST};

const INITIALS: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];
const MEDIALS: [&str; 21] = [
    "ㅏ", "ㅐ", "ㅑ", "ㅒ", "ㅓ", "ㅔ", "ㅕ", "ㅖ", "ㅗ", "ㅗㅏ", "ㅗㅐ", "ㅗㅣ", "ㅛ", "ㅜ",
    "ㅜㅓ", "ㅜㅔ", "ㅜㅣ", "ㅠ", "ㅡ", "ㅡㅣ", "ㅣ",
];
const FINALS: [&str; 28] = [
    "", "ㄱ", "ㄲ", "ㄱㅅ", "ㄴ", "ㄴㅈ", "ㄴㅎ", "ㄷ", "ㄹ", "ㄹㄱ", "ㄹㅁ", "ㄹㅂ", "ㄹㅅ",
    "ㄹㅌ", "ㄹㅍ", "ㄹㅎ", "ㅁ", "ㅂ", "ㅂㅅ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ",
    "ㅎ",
];

/// Compound vowels and double finals as typed jamo, for jamo typed one by one (`ㅘ` → ㅗㅏ).
fn compat_keys(c: char) -> Option<&'static str> {
    let i = MEDIALS
        .iter()
        .position(|m| m.chars().count() == 2 && compose_pair(m) == Some(c));
    if let Some(i) = i {
        return Some(MEDIALS[i]);
    }
    let i = FINALS
        .iter()
        .position(|f| f.chars().count() == 2 && compose_pair(f) == Some(c))?;
    Some(FINALS[i])
}

/// The compatibility jamo two keys make (`ㅗㅏ` → ㅘ, `ㄱㅅ` → ㄳ).
fn compose_pair(keys: &str) -> Option<char> {
    const PAIRS: [(&str, char); 18] = [
        ("ㅗㅏ", 'ㅘ'),
        ("ㅗㅐ", 'ㅙ'),
        ("ㅗㅣ", 'ㅚ'),
        ("ㅜㅓ", 'ㅝ'),
        ("ㅜㅔ", 'ㅞ'),
        ("ㅜㅣ", 'ㅟ'),
        ("ㅡㅣ", 'ㅢ'),
        ("ㄱㅅ", 'ㄳ'),
        ("ㄴㅈ", 'ㄵ'),
        ("ㄴㅎ", 'ㄶ'),
        ("ㄹㄱ", 'ㄺ'),
        ("ㄹㅁ", 'ㄻ'),
        ("ㄹㅂ", 'ㄼ'),
        ("ㄹㅅ", 'ㄽ'),
        ("ㄹㅌ", 'ㄾ'),
        ("ㄹㅍ", 'ㄿ'),
        ("ㄹㅎ", 'ㅀ'),
        ("ㅂㅅ", 'ㅄ'),
    ];
    PAIRS.iter().find(|(k, _)| *k == keys).map(|(_, c)| *c)
}

/// `text` as the jamo keys that type it, other characters lower-cased as they are.
pub fn keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for c in text.chars() {
        let code = c as u32;
        if (BASE..=LAST).contains(&code) {
            let n = code - BASE;
            out.push(INITIALS[(n / PER_INITIAL) as usize]);
            out.push_str(MEDIALS[((n % PER_INITIAL) / 28) as usize]);
            out.push_str(FINALS[(n % 28) as usize]);
        } else if let Some(keys) = Some(c)
            .filter(|c| ('ㄱ'..='ㅣ').contains(c))
            .and_then(compat_keys)
        {
            out.push_str(keys);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The initial consonants of a word made only of Hangul syllables (`삼성전자` → ㅅㅅㅈㅈ).
pub fn initials(word: &str) -> Option<String> {
    word.chars()
        .map(|c| {
            let code = c as u32;
            (BASE..=LAST)
                .contains(&code)
                .then(|| INITIALS[((code - BASE) / PER_INITIAL) as usize])
        })
        .collect()
}

/// Whether `text` is made only of consonant jamo (a 초성 query such as ㅅㅅㅈㅈ).
pub fn is_initials(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| INITIALS.contains(&c))
}

/// The two-set keyboard: the Latin key under each jamo (shifted keys upper-case).
const KEYBOARD: [(char, char); 33] = [
    ('q', 'ㅂ'),
    ('w', 'ㅈ'),
    ('e', 'ㄷ'),
    ('r', 'ㄱ'),
    ('t', 'ㅅ'),
    ('y', 'ㅛ'),
    ('u', 'ㅕ'),
    ('i', 'ㅑ'),
    ('o', 'ㅐ'),
    ('p', 'ㅔ'),
    ('a', 'ㅁ'),
    ('s', 'ㄴ'),
    ('d', 'ㅇ'),
    ('f', 'ㄹ'),
    ('g', 'ㅎ'),
    ('h', 'ㅗ'),
    ('j', 'ㅓ'),
    ('k', 'ㅏ'),
    ('l', 'ㅣ'),
    ('z', 'ㅋ'),
    ('x', 'ㅌ'),
    ('c', 'ㅊ'),
    ('v', 'ㅍ'),
    ('b', 'ㅠ'),
    ('n', 'ㅜ'),
    ('m', 'ㅡ'),
    ('Q', 'ㅃ'),
    ('W', 'ㅉ'),
    ('E', 'ㄸ'),
    ('R', 'ㄲ'),
    ('T', 'ㅆ'),
    ('O', 'ㅒ'),
    ('P', 'ㅖ'),
];

/// Latin text typed in English mode by someone meaning Hangul, read back (`dhqkak` → 오바마); `None`
/// when a letter has no jamo under it.
pub fn latin_to_hangul(text: &str) -> Option<String> {
    let mut jamo = String::new();
    for c in text.chars() {
        if c.is_whitespace() {
            jamo.push(' ');
            continue;
        }
        let key = KEYBOARD
            .iter()
            .find(|(k, _)| *k == c)
            .or_else(|| KEYBOARD.iter().find(|(k, _)| *k == c.to_ascii_lowercase()))?;
        jamo.push(key.1);
    }
    Some(compose(&jamo))
}

/// Hangul typed in Korean mode by someone meaning Latin text, read back (`ㅜ퍄얌` → nvidia);
/// `None` when a character is not Hangul.
pub fn hangul_to_latin(text: &str) -> Option<String> {
    keys(text)
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                return Some(' ');
            }
            KEYBOARD
                .iter()
                .find(|(_, j)| *j == c)
                .map(|(k, _)| k.to_ascii_lowercase())
        })
        .collect()
}

fn is_vowel(c: char) -> bool {
    ('ㅏ'..='ㅣ').contains(&c)
}

/// Typed jamo composed into syllables, as a two-set input method composes them.
pub fn compose(jamo: &str) -> String {
    let mut out = String::new();
    let mut initial: Option<char> = None;
    let mut medial = String::new();
    let mut last = String::new();
    let flush =
        |out: &mut String, initial: &mut Option<char>, medial: &mut String, last: &mut String| {
            match (*initial, medial.is_empty()) {
                (Some(i), false) => out.push(syllable(i, medial, last)),
                (Some(i), true) => out.push(i),
                (None, false) => out.push(
                    compose_pair(medial).unwrap_or_else(|| medial.chars().next().unwrap_or(' ')),
                ),
                (None, true) => {}
            }
            *initial = None;
            medial.clear();
            last.clear();
        };
    for c in jamo.chars() {
        if !(('ㄱ'..='ㅣ').contains(&c)) {
            flush(&mut out, &mut initial, &mut medial, &mut last);
            out.push(c);
            continue;
        }
        if is_vowel(c) {
            // A vowel after a lone initial, or the second half of a compound vowel (ㅗ + ㅏ).
            let joins = (initial.is_some() && medial.is_empty())
                || (last.is_empty()
                    && medial.chars().count() == 1
                    && MEDIALS.contains(&format!("{medial}{c}").as_str()));
            if joins {
                medial.push(c);
            } else if !last.is_empty() {
                // The last consonant starts the next syllable (닭 + ㅏ → 달가).
                let moved = last.pop().unwrap_or('ㅇ');
                flush(&mut out, &mut initial, &mut medial, &mut last);
                initial = Some(moved);
                medial.push(c);
            } else {
                flush(&mut out, &mut initial, &mut medial, &mut last);
                medial.push(c);
            }
            continue;
        }
        // A consonant.
        if initial.is_some() && !medial.is_empty() {
            let longer = format!("{last}{c}");
            if FINALS.contains(&longer.as_str()) && longer.chars().count() <= 2 {
                last = longer;
                continue;
            }
        }
        flush(&mut out, &mut initial, &mut medial, &mut last);
        initial = Some(c);
    }
    flush(&mut out, &mut initial, &mut medial, &mut last);
    out
}

fn syllable(initial: char, medial: &str, last: &str) -> char {
    let i = INITIALS.iter().position(|&x| x == initial);
    let m = MEDIALS.iter().position(|&x| x == medial);
    let f = FINALS.iter().position(|&x| x == last);
    match (i, m, f) {
        (Some(i), Some(m), Some(f)) => {
            char::from_u32(BASE + (i as u32) * PER_INITIAL + (m as u32) * 28 + f as u32)
                .unwrap_or(initial)
        }
        _ => initial,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_split_into_the_keys_that_type_them() {
        assert_eq!(keys("삼성전자"), "ㅅㅏㅁㅅㅓㅇㅈㅓㄴㅈㅏ");
        assert_eq!(keys("과닭"), "ㄱㅗㅏㄷㅏㄹㄱ");
        assert_eq!(keys("삼성ㅈ"), "ㅅㅏㅁㅅㅓㅇㅈ");
        assert!(keys("삼성전자").starts_with(&keys("삼성저")));
        assert_eq!(keys("AI칩"), "aiㅊㅣㅂ");
    }

    #[test]
    fn initials_of_hangul_words() {
        assert_eq!(initials("삼성전자").as_deref(), Some("ㅅㅅㅈㅈ"));
        assert_eq!(initials("AI"), None);
        assert!(is_initials("ㅇㅈㅁ") && !is_initials("ㅇㅏ") && !is_initials(""));
    }

    #[test]
    fn the_wrong_input_mode_reads_back() {
        assert_eq!(latin_to_hangul("dhqkak").as_deref(), Some("오바마"));
        assert_eq!(latin_to_hangul("znvkd").as_deref(), Some("쿠팡"));
        assert_eq!(latin_to_hangul("tkatjdwjswk").as_deref(), Some("삼성전자"));
        assert_eq!(latin_to_hangul("ekfrdl").as_deref(), Some("닭이"));
        assert_eq!(latin_to_hangul("rhkswkd").as_deref(), Some("관장"));
        assert_eq!(latin_to_hangul("tkatjd"), Some("삼성".to_string()));
        assert_eq!(latin_to_hangul("3"), None);
        assert_eq!(latin_to_hangul("nvidia").as_deref(), Some("ㅜ퍄얌"));
        assert_eq!(hangul_to_latin("ㅜ퍄얌").as_deref(), Some("nvidia"));
        assert_eq!(hangul_to_latin("ㄴ므녀ㅜㅎ").as_deref(), Some("samsung"));
        assert_eq!(hangul_to_latin("삼성1"), None);
    }
}
