//! Sources of documents: folders of scraped news pages (`.txt`) and JSONL / JSONL.gz files. Owns
//! reading, cleaning and validating input; does not touch the index.

pub mod date;
mod jsonl;
pub use jsonl::{parse_line, parse_value, Parsed};
pub mod page;

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::error::{BadDocument, Error};

/// One article, cleaned and ready to index.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub body: String,
    pub source: Option<String>,
    pub url: Option<String>,
    pub published_at: Option<OffsetDateTime>,
}

/// What one input yields: articles, or bad documents with their file and line.
pub type Item = Result<Article, BadDocument>;

/// Kinds of input path chaja reads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum InputKind {
    Page,
    Jsonl,
    JsonlGz,
}

fn kind_of(path: &Path) -> Option<InputKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".jsonl.gz") {
        Some(InputKind::JsonlGz)
    } else if name.ends_with(".jsonl") {
        Some(InputKind::Jsonl)
    } else if name.ends_with(".txt") {
        Some(InputKind::Page)
    } else {
        None
    }
}

/// The files behind `path`: the file itself, or a folder's `.txt`, `.jsonl` and `.jsonl.gz` files in
/// name order.
pub fn files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    if path.is_dir() {
        let mut found: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && kind_of(p).is_some())
            .collect();
        found.sort();
        if found.is_empty() {
            return Err(Error::Input(format!(
                "{}: no .txt, .jsonl or .jsonl.gz files in this folder",
                path.display()
            )));
        }
        Ok(found)
    } else if path.is_file() {
        match kind_of(path) {
            Some(_) => Ok(vec![path.to_path_buf()]),
            None => Err(Error::Input(format!(
                "{}: unsupported input, expected a folder of .txt pages, .jsonl or .jsonl.gz",
                path.display()
            ))),
        }
    } else {
        Err(Error::Input(format!(
            "{}: no such file or folder",
            path.display()
        )))
    }
}

/// Reads one file as a stream of articles. Errors opening the file come back as a single bad item, so
/// one unreadable file never stops the others.
pub fn read_file(path: &Path) -> Box<dyn Iterator<Item = Item> + Send> {
    let shown = path.display().to_string();
    let whole_file = |message: String| BadDocument {
        file: shown.clone(),
        line: 0,
        message,
        kept: false,
    };
    match kind_of(path) {
        Some(InputKind::Page) => {
            let item = std::fs::read(path)
                .map_err(|e| whole_file(e.to_string()))
                .and_then(|bytes| {
                    String::from_utf8(bytes).map_err(|_| whole_file("not valid UTF-8".to_string()))
                })
                .and_then(|text| {
                    let id = path
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .unwrap_or_default()
                        .to_string();
                    page::parse(&id, &text).map_err(whole_file)
                });
            Box::new(std::iter::once(item))
        }
        Some(kind) => match std::fs::File::open(path) {
            Ok(file) => {
                let reader: Box<dyn std::io::Read + Send> = if kind == InputKind::JsonlGz {
                    Box::new(flate2::read::MultiGzDecoder::new(file))
                } else {
                    Box::new(file)
                };
                Box::new(jsonl::Lines::new(shown, reader))
            }
            Err(e) => Box::new(std::iter::once(Err(whole_file(e.to_string())))),
        },
        None => Box::new(std::iter::once(Err(whole_file(
            "unsupported input, expected .txt, .jsonl or .jsonl.gz".to_string(),
        )))),
    }
}

/// The publisher of every article of the bundled sample: where the index holds any, the page credits
/// Wikinews.
pub const SAMPLE_SOURCE: &str = "ko.wikinews.org";

/// The bundled sample: 644 Korean Wikinews articles (CC BY 2.5, see `data/ATTRIBUTION.md`).
pub fn sample() -> impl Iterator<Item = Item> {
    static SAMPLE: &[u8] = include_bytes!("../../data/wikinews.jsonl");
    jsonl::Lines::new("data/wikinews.jsonl".to_string(), Box::new(SAMPLE))
}

/// `text` when it is an absolute `http` or `https` URL: the only links the page may follow (a
/// `javascript:` or `data:` URL in a document would run script in readers' browsers).
pub fn web_url(text: &str) -> Option<String> {
    let text = text.trim();
    let url = url::Url::parse(text).ok()?;
    let web =
        matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty());
    web.then(|| text.to_string())
}
