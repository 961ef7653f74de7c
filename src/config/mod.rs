//! Settings: built-in defaults, then `config.toml`, then `CHAJA_*` environment variables (CLI flags are
//! applied by the caller). Owns parsing and validation of settings, not their use.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

/// Everything a user can set. Unknown keys are errors, so a typo never goes unnoticed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub index: IndexConfig,
    pub server: ServerConfig,
    pub search: SearchConfig,
    pub analyzer: AnalyzerConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct IndexConfig {
    /// Where the tantivy index lives.
    pub dir: PathBuf,
    /// Memory budget of the index writer, in MB, shared by its threads.
    pub writer_heap_mb: usize,
    /// Indexing threads; 0 means one per core (at most 8).
    pub threads: usize,
    /// A bulk `chaja index` ends by merging the index into segments of at most about this many MB
    /// (a smaller index into one): every search pays each segment its term lookups, and a merge
    /// maps the files it reads, so this bounds the memory of the merges (run side by side while
    /// they read no more than this). 0 leaves the segments as they are.
    pub merge_segment_mb: usize,
    /// Related-article groups: a new document joins the group of an earlier one whose body shares
    /// at least this share of its 5-character shingles (estimated Jaccard); 0 puts every document
    /// in its own group. Changing it applies to documents indexed after.
    pub group_threshold: f32,
    /// Folder of the named indexes (one folder each, `NAME/`); the default index is `dir`.
    pub named_dir: PathBuf,
    /// Folder that `POST /api/indexes/{name}/snapshots` writes snapshots into.
    pub snapshot_dir: PathBuf,
    /// A served index that takes writes is compacted (its segments merged as `chaja index` merges
    /// them) once no write has come for this many seconds; 0 = only on `POST …/optimize`.
    pub compact_after_secs: u64,
}

impl Default for IndexConfig {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("index"),
            writer_heap_mb: 128,
            threads: 0,
            merge_segment_mb: 512,
            group_threshold: 0.51,
            named_dir: PathBuf::from("indexes"),
            snapshot_dir: PathBuf::from("snapshots"),
            compact_after_secs: 60,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address the HTTP server listens on.
    pub bind: String,
    /// Longest accepted query, in characters.
    pub max_query_chars: usize,
    /// Upper bound of `limit`.
    pub max_limit: usize,
    /// Upper bound of `offset`.
    pub max_offset: usize,
    /// Seconds before a request is answered with 408.
    pub request_timeout_secs: u64,
    /// Searches running at once; 0 means twice the cores.
    pub max_concurrent_searches: usize,
    /// Keys that may write (`Authorization: Bearer <key>`); none means writes are refused.
    /// `CHAJA_API_KEY` adds one.
    pub api_keys: Vec<String>,
    /// Largest request body, in MB (413 above it).
    pub max_body_mb: usize,
    /// Most documents in one write request.
    pub max_batch_documents: usize,
    /// Largest document (title and body), in KB.
    pub max_document_kb: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".to_string(),
            max_query_chars: 256,
            max_limit: 100,
            max_offset: 10_000,
            request_timeout_secs: 10,
            max_concurrent_searches: 0,
            api_keys: Vec::new(),
            max_body_mb: 10,
            max_batch_documents: 1_000,
            max_document_kb: 1_024,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Results per page when `limit` is not given.
    pub default_limit: usize,
    /// Weight of a match in the title relative to one in the body.
    pub title_boost: f32,
    /// Longest snippet, in characters.
    pub snippet_chars: usize,
    /// With this many query words or fewer, every word is required (or, without operators, enough of
    /// the query's character bigrams: `bigram_min_match`); longer queries rank by how much matches
    /// and need at least `min_match_ratio` of their words.
    pub all_terms_up_to: usize,
    pub min_match_ratio: f32,
    /// Title weight for long queries (questions, sentences), whose words describe the content rather
    /// than name the subject.
    pub long_query_title_boost: f32,
    /// Long queries leave out terms found in more than this share of the documents (they cost the
    /// most and rank the least); 1 keeps every term.
    pub common_term_ratio: f32,
    /// Questions and headlines in a large index: candidates are found through their words in at
    /// most `rare_term_ratio` of the documents and their bigrams in at most a fifth of that (the
    /// best `candidates` documents by those terms), and the commoner terms only add their scores
    /// to those candidates. 0 candidates (or a ratio of 1) scores every document holding any term.
    pub candidates: usize,
    pub rare_term_ratio: f32,
    /// Questions: how many top candidates are re-ranked by how close their words stand, the weight of
    /// that, and the window in word positions (0 weight turns it off).
    pub rerank_depth: usize,
    pub proximity_weight: f32,
    pub proximity_window: u32,
    /// Questions and headlines: weight of finding the query's words in a document's first
    /// `lead_window` positions (a news article's lead repeats its headline).
    pub lead_weight: f32,
    pub lead_window: u32,
    /// Questions and headlines: weight of consecutive words of the query standing next to each
    /// other in a document, in order (phrase evidence).
    pub pair_weight: f32,
    /// Questions and headlines: weight of the share of the query's character pairs found in the
    /// first `lead_text_chars` characters of a document (read from the store for the top
    /// `rerank_depth` only).
    pub lead_text_weight: f32,
    pub lead_text_chars: usize,
    /// How much a document's length lowers its BM25 score: 1 is BM25 as tantivy has it (k1 1.2,
    /// b 0.75); below 1, long documents lose less (the average length they are compared with is
    /// taken as 1/x times longer). News articles and Wikipedia passages both rank best near 0.4.
    pub length_normalization: f32,
    /// Weight of the character-bigram view of the query (0 turns it off).
    pub bigram_weight: f32,
    /// Share of the query's bigrams a document needs to be found through them alone.
    pub bigram_min_match: f32,
    /// A query whose words (every one required, phrases exact) find fewer documents than this is
    /// searched again relaxed: phrases as words, then any word; 0 never relaxes.
    pub relax_below: usize,
    /// `total` and the facets count matches exactly up to this many (about; shared by the segments
    /// by size); past it they are estimated from samples and flagged (`total_exact: false`), so a
    /// search costs the same however many documents match; 0 always counts every match.
    pub exact_total_up_to: usize,
    /// Question words left out of queries of more than one word (무엇, 누구, 언제, …).
    pub query_stopwords: Vec<String>,
    /// Synonyms applied at query time: `builtin` (chaja's starter list, `data/synonyms.txt`), a path
    /// to a file of comma-separated groups, or empty for none.
    pub synonyms: String,
    /// Fold each group of related articles (near-copies) into its best member, the rest listed
    /// under it (`similar`); a request's `group=false` turns it off.
    pub group: bool,
}

/// Korean question words (they say what is asked, not what the answer contains) and the light
/// verbs and bound nouns questions are built with.
pub const QUESTION_WORDS: &[&str] = &[
    "무엇", "누구", "언제", "어디", "어느", "몇", "얼마", "어떻", "어떤", "어떠", "무슨", "왜",
    "어찌", "뭐", "며칠", "이", "하", "되", "것",
];

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            default_limit: 10,
            title_boost: 2.0,
            snippet_chars: 160,
            all_terms_up_to: 3,
            min_match_ratio: 0.5,
            long_query_title_boost: 0.6,
            common_term_ratio: 0.4,
            candidates: 400,
            rare_term_ratio: 0.05,
            rerank_depth: 30,
            proximity_weight: 0.6,
            proximity_window: 25,
            lead_weight: 0.25,
            lead_window: 120,
            pair_weight: 0.5,
            lead_text_weight: 0.5,
            lead_text_chars: 200,
            length_normalization: 0.4,
            bigram_weight: 0.6,
            bigram_min_match: 0.8,
            relax_below: 1,
            exact_total_up_to: 10_000,
            query_stopwords: QUESTION_WORDS.iter().map(|w| w.to_string()).collect(),
            synonyms: BUILTIN.to_string(),
            group: true,
        }
    }
}

/// How compound nouns are indexed (Nori's `decompound_mode`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Decompound {
    /// The compound only.
    None,
    /// Its parts only.
    Discard,
    /// The compound and its parts at the same position.
    Mixed,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyzerConfig {
    /// Part-of-speech tags whose morphemes are dropped. Nori's class names `E` (endings) and `J`
    /// (particles) stand for every ko-dic tag that starts with that letter.
    pub stop_tags: Vec<String>,
    pub decompound: Decompound,
    /// New words for the dictionary: `builtin` (chaja's starter list, `data/userdic.csv`), a path to a
    /// CSV of `surface,part-of-speech,reading` lines, or empty for none.
    pub user_dictionary: String,
    /// Hanja abbreviations and the Hangul words they stand for (`美 미국`): `builtin` (chaja's list,
    /// `data/hanja.txt`), a path to a file in the same form, or empty for none.
    pub hanja: String,
}

/// Elasticsearch Nori's default stop tags.
pub const NORI_STOP_TAGS: &[&str] = &[
    "E", "IC", "J", "MAG", "MAJ", "MM", "SP", "SSC", "SSO", "SC", "SE", "XPN", "XSA", "XSN", "XSV",
    "UNA", "NA", "VSV",
];

impl Default for AnalyzerConfig {
    fn default() -> Self {
        Self {
            stop_tags: NORI_STOP_TAGS.iter().map(|t| t.to_string()).collect(),
            decompound: Decompound::Mixed,
            user_dictionary: BUILTIN.to_string(),
            hanja: BUILTIN.to_string(),
        }
    }
}

/// The value of a list setting that names chaja's starter list, compiled into the binary.
pub const BUILTIN: &str = "builtin";

/// Environment variables that name things other than config keys.
const NON_KEY_VARS: &[&str] = &["CHAJA_CONFIG", "CHAJA_LOG", API_KEY_VAR];

/// The environment variable that adds a write key to `server.api_keys`.
pub const API_KEY_VAR: &str = "CHAJA_API_KEY";

impl Config {
    /// Defaults, overlaid with the file at `path` (if given, it must exist; if not, `config.toml` in the
    /// working directory is read when present), overlaid with `CHAJA_*` variables from `env`.
    /// `CHAJA_*` variables that name no setting are logged and ignored: Kubernetes gives every pod
    /// `CHAJA_PORT`, `CHAJA_SERVICE_HOST`, … for a Service named `chaja`.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let (config, ignored) = Config::load_reporting(path, env)?;
        for name in ignored {
            tracing::warn!(
                "ignoring environment variable {name}: it names no setting (CHAJA_<SECTION>_<KEY>)"
            );
        }
        Ok(config)
    }

    /// `load`, returning the names of the `CHAJA_*` variables it ignored instead of logging them.
    pub fn load_reporting(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(Config, Vec<String>), ConfigError> {
        let mut table = match path {
            Some(path) => read_table(path)?,
            None if Path::new("config.toml").exists() => read_table(Path::new("config.toml"))?,
            None => toml::Table::new(),
        };
        let ignored = overlay_env(&mut table, env)?;
        let config: Config =
            toml::Value::Table(table.clone())
                .try_into()
                .map_err(|e: toml::de::Error| {
                    let message = e.message();
                    ConfigError::Invalid(match culprit(&table) {
                        Some(key) => format!("{key}: {message}"),
                        None => message.to_string(),
                    })
                })?;
        config.validate()?;
        Ok((config, ignored))
    }

    /// Every numeric setting within its range, so no value can crash a search or the indexer later.
    fn validate(&self) -> Result<(), ConfigError> {
        let (i, srv, s) = (&self.index, &self.server, &self.search);
        let n = |v: usize| v as u64;
        // tantivy's writer takes at most 8 threads and under 4 GiB of arena per thread.
        #[rustfmt::skip]
        let whole: [(&str, u64, u64, u64); 22] = [
            ("index.writer_heap_mb", n(i.writer_heap_mb), 16, 4_000),
            ("index.compact_after_secs", i.compact_after_secs, 0, 86_400 * 7),
            ("index.threads", n(i.threads), 0, 8),
            ("index.merge_segment_mb", n(i.merge_segment_mb), 0, 1_000_000),
            ("server.max_query_chars", n(srv.max_query_chars), 1, 10_000),
            ("server.max_limit", n(srv.max_limit), 1, 1_000),
            ("server.max_offset", n(srv.max_offset), 0, 1_000_000),
            ("server.request_timeout_secs", srv.request_timeout_secs, 1, 3_600),
            ("server.max_concurrent_searches", n(srv.max_concurrent_searches), 0, 4_096),
            ("server.max_body_mb", n(srv.max_body_mb), 1, 1_024),
            ("server.max_batch_documents", n(srv.max_batch_documents), 1, 100_000),
            ("server.max_document_kb", n(srv.max_document_kb), 1, 1_048_576),
            ("search.default_limit", n(s.default_limit), 1, 1_000),
            ("search.snippet_chars", n(s.snippet_chars), 10, 10_000),
            ("search.all_terms_up_to", n(s.all_terms_up_to), 0, 64),
            ("search.rerank_depth", n(s.rerank_depth), 0, 1_000),
            ("search.candidates", n(s.candidates), 0, 100_000),
            ("search.proximity_window", u64::from(s.proximity_window), 1, 10_000),
            ("search.relax_below", n(s.relax_below), 0, 10_000),
            ("search.lead_window", u64::from(s.lead_window), 1, 10_000),
            ("search.exact_total_up_to", n(s.exact_total_up_to), 0, 100_000_000),
            ("search.lead_text_chars", n(s.lead_text_chars), 1, 10_000),
        ];
        for (key, value, min, max) in whole {
            int(key, value, min, max)?;
        }
        // (key, value, lowest, whether the lowest is allowed, highest)
        #[rustfmt::skip]
        let real: [(&str, f32, f32, bool, f32); 13] = [
            ("index.group_threshold", i.group_threshold, 0.0, true, 1.0),
            ("search.title_boost", s.title_boost, 0.0, false, 100.0),
            ("search.long_query_title_boost", s.long_query_title_boost, 0.0, true, 100.0),
            ("search.min_match_ratio", s.min_match_ratio, 0.0, true, 1.0),
            ("search.common_term_ratio", s.common_term_ratio, 0.0, true, 1.0),
            ("search.rare_term_ratio", s.rare_term_ratio, 0.0, true, 1.0),
            ("search.proximity_weight", s.proximity_weight, 0.0, true, 100.0),
            ("search.lead_weight", s.lead_weight, 0.0, true, 100.0),
            ("search.pair_weight", s.pair_weight, 0.0, true, 100.0),
            ("search.lead_text_weight", s.lead_text_weight, 0.0, true, 100.0),
            ("search.bigram_weight", s.bigram_weight, 0.0, true, 100.0),
            ("search.length_normalization", s.length_normalization, 0.0, false, 1.0),
            ("search.bigram_min_match", s.bigram_min_match, 0.0, true, 1.0),
        ];
        for (key, value, min, inclusive, max) in real {
            fraction(key, value, (min, inclusive), max)?;
        }
        if let Some(short) = srv.api_keys.iter().find(|k| k.trim().len() < 16) {
            return Err(ConfigError::Invalid(format!(
                "server.api_keys: a key must have at least 16 characters, {} has {}",
                if short.is_empty() {
                    "an empty one"
                } else {
                    "one"
                },
                short.trim().len()
            )));
        }
        Ok(())
    }

    /// Indexing threads to use.
    pub fn index_threads(&self) -> usize {
        match self.index.threads {
            0 => cores().min(8),
            n => n,
        }
    }

    /// Searches allowed to run at once.
    pub fn search_permits(&self) -> usize {
        match self.server.max_concurrent_searches {
            0 => cores() * 2,
            n => n,
        }
    }
}

/// The `section.key` whose value alone fails to deserialize (serde's message names the type, not
/// the key).
fn culprit(table: &toml::Table) -> Option<String> {
    table.iter().find_map(|(section, keys)| {
        keys.as_table()?.iter().find_map(|(key, value)| {
            let mut one = toml::Table::new();
            let mut inner = toml::Table::new();
            inner.insert(key.clone(), value.clone());
            one.insert(section.clone(), toml::Value::Table(inner));
            let fails = toml::Value::Table(one).try_into::<Config>().is_err();
            fails.then(|| format!("{section}.{key}"))
        })
    })
}

/// `value` within `min..=max`, or an error naming the key and the range.
fn int(key: &str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    Err(ConfigError::Invalid(format!(
        "{key} must be between {min} and {max}, got {value}"
    )))
}

/// A finite `value` above `min` (or equal to it, when `min.1`) and at most `max`.
fn fraction(key: &str, value: f32, min: (f32, bool), max: f32) -> Result<(), ConfigError> {
    let (min, inclusive) = min;
    let above = if inclusive { value >= min } else { value > min };
    if value.is_finite() && above && value <= max {
        return Ok(());
    }
    let from = if inclusive { "from" } else { "above" };
    Err(ConfigError::Invalid(format!(
        "{key} must be a number {from} {min} up to {max}, got {value}"
    )))
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn read_table(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    text.parse::<toml::Table>()
        .map_err(|e| ConfigError::Invalid(format!("{}: {}", path.display(), e.message())))
}

/// `CHAJA_SECTION_KEY=value` sets `[section] key = value`; the value is read as TOML when it parses
/// (numbers, booleans, arrays) and as a plain string otherwise. `CHAJA_BIND` is short for
/// `CHAJA_SERVER_BIND`. Returns the variables that name no setting, which are left out.
fn overlay_env(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<String>, ConfigError> {
    let defaults = toml::Table::try_from(Config::default())
        .map_err(|e| ConfigError::Invalid(e.to_string()))?;
    let known = |section: &str, key: &str| {
        defaults
            .get(section)
            .and_then(|s| s.as_table())
            .is_some_and(|s| s.contains_key(key))
    };
    let mut ignored = Vec::new();
    let env: Vec<(String, String)> = env.into_iter().collect();
    if let Some((_, key)) = env.iter().find(|(k, v)| k == API_KEY_VAR && !v.is_empty()) {
        let server = table
            .entry("server".to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let toml::Value::Table(server) = server {
            let keys = server
                .entry("api_keys".to_string())
                .or_insert_with(|| toml::Value::Array(Vec::new()));
            if let toml::Value::Array(keys) = keys {
                keys.push(toml::Value::String(key.clone()));
            }
        }
    }
    let vars: BTreeMap<String, String> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with("CHAJA_") && !NON_KEY_VARS.contains(&k.as_str()))
        .collect();
    for (name, raw) in vars {
        let rest = name["CHAJA_".len()..].to_ascii_lowercase();
        let (section, key) = match rest.as_str() {
            "bind" => ("server", "bind"),
            _ => rest.split_once('_').unwrap_or(("", "")),
        };
        if !known(section, key) {
            ignored.push(name);
            continue;
        }
        let value = format!("v = {raw}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or(toml::Value::String(raw));
        let entry = table
            .entry(section.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        match entry {
            toml::Value::Table(section_table) => {
                section_table.insert(key.to_string(), value);
            }
            _ => return Err(ConfigError::Invalid(format!("{section} must be a table"))),
        }
    }
    Ok(ignored)
}

#[cfg(test)]
mod tests;
