//! The dictionaries: the embedded ko-dic, loaded once per process, and the user dictionary named by
//! `analyzer.user_dictionary`, its short rows (`딥시크,NNP,딥시크`) rewritten into full ko-dic rows.

use std::sync::OnceLock;

use lindera::dictionary::{load_dictionary, Dictionary, UserDictionary};

use crate::config::BUILTIN;
use crate::error::{ConfigError, Error, InternalError};

/// ko-dic's context ids of an ordinary common noun (NNG) and proper noun (NNP), from its
/// `left-id.def` / `right-id.def`: the left id, and the right id after a syllable with no final
/// consonant (one more after a final consonant, as ko-dic's own nouns have). A user word given these
/// is joined to its particles as a dictionary noun is (딥시크가 = 딥시크 + 가).
const NNG_LEFT_ID: u32 = 1780;
const NNG_RIGHT_ID_OPEN: u32 = 3533;
const NNP_LEFT_ID: u32 = 1786;
const NNP_RIGHT_ID_OPEN: u32 = 3545;
/// The cost of a user word: low enough that ko-dic prefers it to splitting it into known pieces.
const USER_WORD_COST: u32 = 2000;

/// The embedded ko-dic, loaded once per process.
pub(super) fn system_dictionary() -> Result<Dictionary, InternalError> {
    static DICT: OnceLock<Result<Dictionary, String>> = OnceLock::new();
    DICT.get_or_init(|| load_dictionary("embedded://ko-dic").map_err(|e| e.to_string()))
        .clone()
        .map_err(InternalError::Dictionary)
}

/// chaja's starter list of new words.
pub const BUILTIN_USER_DICTIONARY: &str = include_str!("../../data/userdic.csv");

/// The rows of the user dictionary named by the `analyzer.user_dictionary` setting.
pub(super) fn user_csv(setting: &str) -> Result<Option<String>, Error> {
    Ok(Some(match setting.trim() {
        "" => return Ok(None),
        BUILTIN => BUILTIN_USER_DICTIONARY.to_string(),
        path => std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?,
    }))
}

/// The text of the user dictionary named by a setting (empty for none).
pub fn user_dictionary_text(setting: &str) -> Result<String, Error> {
    Ok(user_csv(setting)?.unwrap_or_default())
}

/// Checks a user dictionary's text before it is used: every row `surface,tag,reading` (or a full
/// ko-dic row) that lindera accepts. The error names the first bad line.
pub fn check_user_dictionary(csv: &str) -> Result<(), String> {
    let dictionary = system_dictionary().map_err(|e| e.to_string())?;
    for (n, line) in csv.lines().enumerate() {
        let row = line.trim();
        if row.is_empty() || row.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = row.split(',').map(str::trim).collect();
        let shape = match fields.as_slice() {
            [surface, tag, _] => !surface.is_empty() && !tag.is_empty(),
            full => full.len() >= 12 && !full[0].is_empty(),
        };
        let built = shape && user_dictionary("", row, &dictionary).is_ok();
        if !built {
            return Err(format!(
                "line {}: {row:?} is not a dictionary row: expected `surface,part-of-speech,reading` \
                 (e.g. `딥시크,NNP,딥시크`) or a full ko-dic row",
                n + 1
            ));
        }
    }
    Ok(())
}

/// A user dictionary's rows, trimmed, without blank lines and `#` comments.
fn user_rows(csv: &str) -> impl Iterator<Item = &str> {
    csv.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The surfaces (first fields) of a user dictionary's rows.
pub fn user_surfaces(csv: &str) -> impl Iterator<Item = &str> {
    user_rows(csv).filter_map(|l| l.split(',').next())
}

/// The user dictionary built from `csv`.
pub(super) fn user_dictionary(
    setting: &str,
    csv: &str,
    dictionary: &Dictionary,
) -> Result<UserDictionary, Error> {
    let builder =
        lindera_dictionary::builder::DictionaryBuilder::new((*dictionary.metadata).clone());
    builder
        .build_user_dict_from_reader(with_context_ids(csv).as_bytes())
        .map_err(|e| ConfigError::Invalid(format!("user dictionary {setting}: {e}")).into())
}

/// Rewrites `surface,NNG|NNP,reading` rows into full ko-dic rows with the context ids and cost of
/// ordinary nouns. lindera gives short rows neutral context ids, which lets the particle after a new
/// word (딥시크가) be misread; with a noun's ids it is read as a particle again. Other rows are kept.
fn with_context_ids(csv: &str) -> String {
    let mut out = String::with_capacity(csv.len() * 2);
    for line in user_rows(csv) {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let ids = match fields.as_slice() {
            [surface, "NNG", _] => Some((surface, "NNG", NNG_LEFT_ID, NNG_RIGHT_ID_OPEN)),
            [surface, "NNP", _] => Some((surface, "NNP", NNP_LEFT_ID, NNP_RIGHT_ID_OPEN)),
            _ => None,
        };
        match ids {
            Some((surface, tag, left, right_open)) => {
                // ko-dic's right context differs by whether the last syllable has a final consonant.
                let closed = surface.chars().last().is_some_and(crate::hangul::has_final);
                let (right, flag) = if closed {
                    (right_open + 1, "T")
                } else {
                    (right_open, "F")
                };
                out.push_str(&format!(
                    "{surface},{left},{right},{USER_WORD_COST},{tag},*,{flag},{},*,*,*,*\n",
                    fields[2]
                ));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Fingerprint of the user dictionary's content, so a changed word list is noticed like a changed
/// setting.
pub fn user_dictionary_fingerprint(setting: &str) -> String {
    use std::hash::{Hash, Hasher};
    let content = user_csv(setting).ok().flatten().unwrap_or_default();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    content.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}
