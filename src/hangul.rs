//! Hangul code points: the precomposed syllable block (가–힣) and the compatibility jamo (ㄱ–ㅣ), one
//! definition for every module that tells Hangul from other text.

/// The first precomposed syllable, 가 (U+AC00).
pub const SYLLABLE_FIRST: u32 = 0xAC00;
/// The last precomposed syllable, 힣 (U+D7A3).
pub const SYLLABLE_LAST: u32 = 0xD7A3;
/// Syllables per initial consonant (21 vowels × 28 finals).
pub const PER_INITIAL: u32 = 588;
/// Finals per vowel, the first being none.
pub const FINALS: u32 = 28;

/// Whether `c` is a precomposed Hangul syllable (가–힣).
pub fn is_syllable(c: char) -> bool {
    (SYLLABLE_FIRST..=SYLLABLE_LAST).contains(&(c as u32))
}

/// Whether `c` is a compatibility jamo as a keyboard types it alone (ㄱ–ㅣ).
pub fn is_compatibility_jamo(c: char) -> bool {
    ('ㄱ'..='ㅣ').contains(&c)
}

/// Whether `c` is a syllable that ends in a final consonant (받침): `강` yes, `가` no.
pub fn has_final(c: char) -> bool {
    is_syllable(c) && !(c as u32 - SYLLABLE_FIRST).is_multiple_of(FINALS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_jamo_and_finals() {
        assert!(is_syllable('가') && is_syllable('힣') && is_syllable('닭'));
        assert!(!is_syllable('ㄱ') && !is_syllable('a') && !is_syllable('美'));
        assert!(is_compatibility_jamo('ㅅ') && is_compatibility_jamo('ㅣ'));
        assert!(!is_compatibility_jamo('가'));
        assert!(has_final('강') && has_final('닭') && !has_final('가') && !has_final('a'));
    }
}
