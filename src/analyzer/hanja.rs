//! Hanja read as Hangul: ko-dic gives a Hanja word's reading (`美` is read `미`, `經濟` `경제`), and a
//! short editable list (`data/hanja.txt`) gives the words news abbreviates to one character (`美` for
//! 미국, `與` for 여당). The analyzer indexes them at the Hanja word's position, over the same text,
//! as other spellings of it, as Elasticsearch's `nori_readingform` does.

use std::collections::HashMap;

use crate::config::BUILTIN;
use crate::error::{ConfigError, Error};

/// chaja's starter list of abbreviations.
pub const BUILTIN_HANJA: &str = include_str!("../../data/hanja.txt");

/// Whether `c` is a Han character (CJK unified or compatibility ideographs).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// The abbreviation list named by the `analyzer.hanja` setting.
#[derive(Debug, Default)]
pub struct Abbreviations {
    words: HashMap<String, Vec<String>>,
}

/// The list's text for a setting: `builtin`, a path, or empty for none.
fn list_text(setting: &str) -> Result<String, Error> {
    Ok(match setting.trim() {
        "" => String::new(),
        BUILTIN => BUILTIN_HANJA.to_string(),
        path => std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?,
    })
}

/// The text of the Hanja list named by a setting (empty for none).
pub fn hanja_text(setting: &str) -> Result<String, Error> {
    list_text(setting)
}

/// Checks a Hanja list's text; the error names the first bad line.
pub fn check_hanja(text: &str) -> Result<(), String> {
    Abbreviations::parse("", text)
        .map(drop)
        .map_err(|e| e.to_string())
}

impl Abbreviations {
    pub fn load(setting: &str) -> Result<Self, Error> {
        Abbreviations::parse(setting, &list_text(setting)?)
    }

    fn parse(setting: &str, text: &str) -> Result<Self, Error> {
        let mut words = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split_whitespace();
            let hanja = fields.next().unwrap_or_default();
            let meant: Vec<String> = fields.map(str::to_string).collect();
            if !hanja.chars().all(is_han) || meant.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "hanja list {}: expected Hanja then Hangul words, got {line:?}",
                    if setting.is_empty() {
                        format!("line {}", n + 1)
                    } else {
                        format!("{setting}:{}", n + 1)
                    }
                ))
                .into());
            }
            words.insert(hanja.to_string(), meant);
        }
        Ok(Abbreviations { words })
    }

    /// The Hangul spellings of a Hanja `surface` whose ko-dic reading is `reading` (`*` when
    /// ko-dic has none): the reading, then the words the list gives for it.
    pub fn spellings<'a>(
        &'a self,
        surface: &str,
        reading: &'a str,
    ) -> impl Iterator<Item = &'a str> {
        let read = (reading != surface
            && reading.chars().all(crate::hangul::is_syllable)
            && !reading.is_empty())
        .then_some(reading);
        read.into_iter().chain(
            self.words
                .get(surface)
                .into_iter()
                .flatten()
                .map(String::as_str),
        )
    }
}

/// Fingerprint of the list's content, so a changed list is noticed like a changed setting.
pub fn fingerprint(setting: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    list_text(setting).unwrap_or_default().hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_list_loads_and_spells_hanja_in_hangul() {
        let list = Abbreviations::load(BUILTIN).unwrap();
        assert_eq!(
            list.spellings("美", "미").collect::<Vec<_>>(),
            ["미", "미국"]
        );
        assert_eq!(list.spellings("經濟", "경제").collect::<Vec<_>>(), ["경제"]);
        assert_eq!(list.spellings("李", "*").count(), 0);
        assert_eq!(
            list.spellings("與", "여").collect::<Vec<_>>(),
            ["여", "여당"]
        );
        assert!(Abbreviations::load("").unwrap().words.is_empty());
    }

    #[test]
    fn a_bad_line_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.txt");
        std::fs::write(&path, "美 미국\n미국 美\n").unwrap();
        let err = Abbreviations::load(path.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains(":2:"), "{err}");
    }
}
