//! JSONL documents, one per line: `id` and `body` required; `title`, `source`, `url`, `published_at`
//! (alias `date`) optional. A bad line becomes a `BadDocument` and the next line is read as usual.

use std::io::{BufRead, BufReader, Read};

use serde::Deserialize;

use super::date::parse_document_date;
use super::{web_url, Article, Item};
use crate::error::BadDocument;

#[derive(Deserialize)]
struct Raw {
    id: Option<serde_json::Value>,
    body: Option<String>,
    title: Option<String>,
    source: Option<String>,
    url: Option<String>,
    #[serde(alias = "date")]
    published_at: Option<String>,
}

/// Streams the lines of one JSONL reader as articles.
pub struct Lines {
    file: String,
    reader: BufReader<Box<dyn Read + Send>>,
    line: usize,
    buf: Vec<u8>,
    done: bool,
    /// A bad optional field of the article just returned, reported next.
    pending: Option<BadDocument>,
}

impl Lines {
    pub fn new(file: String, reader: Box<dyn Read + Send>) -> Self {
        Self {
            file,
            reader: BufReader::with_capacity(256 * 1024, reader),
            line: 0,
            buf: Vec::new(),
            done: false,
            pending: None,
        }
    }

    fn bad(&self, message: impl Into<String>) -> BadDocument {
        BadDocument {
            file: self.file.clone(),
            line: self.line,
            message: message.into(),
            kept: false,
        }
    }
}

impl Iterator for Lines {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if let Some(note) = self.pending.take() {
            return Some(Err(note));
        }
        while !self.done {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => self.done = true,
                Ok(_) => {
                    self.line += 1;
                    let Ok(text) = std::str::from_utf8(&self.buf) else {
                        return Some(Err(self.bad("not valid UTF-8")));
                    };
                    if text.trim().is_empty() {
                        continue;
                    }
                    let parsed = parse_line(text).map_err(|m| self.bad(m));
                    return Some(parsed.map(|(article, left_out)| {
                        self.pending = left_out.map(|m| BadDocument {
                            kept: true,
                            ..self.bad(m)
                        });
                        article
                    }));
                }
                Err(e) => {
                    // A truncated or corrupt file: report where it broke and stop reading it.
                    self.done = true;
                    self.line += 1;
                    return Some(Err(self.bad(format!("read error: {e}"))));
                }
            }
        }
        None
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// An article with the reason an optional field was left out of it, or the reason the input cannot
/// be an article.
pub type Parsed = Result<(Article, Option<String>), String>;

/// One JSON line to an article, with the reason an optional field was left out of it, or the reason
/// it cannot be an article.
pub fn parse_line(text: &str) -> Parsed {
    let raw: Raw = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    from_raw(raw)
}

/// One JSON document (an element of a write request's array) to an article, as [`parse_line`].
pub fn parse_value(value: serde_json::Value) -> Parsed {
    if !value.is_object() {
        return Err("a document must be a JSON object".to_string());
    }
    let raw: Raw = serde_json::from_value(value).map_err(|e| format!("invalid document: {e}"))?;
    from_raw(raw)
}

fn from_raw(raw: Raw) -> Parsed {
    let id = match raw.id {
        // Kept exactly as sent: an id is a key, and the one that was written is the one that reads
        // and deletes the document.
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
            check_id(&s)?;
            s
        }
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::String(_)) | None | Some(serde_json::Value::Null) => {
            return Err("missing id".to_string())
        }
        Some(_) => return Err("id must be a string or a number".to_string()),
    };
    let body = non_empty(raw.body).ok_or_else(|| format!("document {id:?}: missing body"))?;
    let published_at = match non_empty(raw.published_at) {
        None => None,
        Some(text) => Some(parse_document_date(&text).ok_or_else(|| {
            format!(
                "document {id:?}: bad date {text:?}, expected YYYY-MM-DD or RFC 3339 \
                 in the years 1678–2261"
            )
        })?),
    };
    let given_url = non_empty(raw.url);
    let url = given_url.as_deref().and_then(web_url);
    let left_out = given_url.filter(|_| url.is_none()).map(|bad| {
        format!("document {id:?}: url {bad:?} is not an absolute http(s) URL; indexed without it")
    });
    let article = Article {
        id,
        title: non_empty(raw.title).unwrap_or_default(),
        body,
        source: non_empty(raw.source),
        url,
        published_at,
    };
    Ok((article, left_out))
}

/// Longest id, in bytes.
pub const MAX_ID_BYTES: usize = 512;

/// Why `id` cannot be a document id: control characters (invisible, and lost or mangled in URLs, logs
/// and terminals) and ids past `MAX_ID_BYTES`. Anything else, spaces, slashes, `%`, `?` and text in any
/// Unicode form included, is kept exactly.
pub fn check_id(id: &str) -> Result<(), String> {
    if let Some(c) = id.chars().find(|c| c.is_control()) {
        return Err(format!(
            "id {id:?} holds the control character U+{:04X}: ids are kept exactly as sent and may \
             not hold control characters",
            c as u32
        ));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(format!(
            "id of {} bytes: ids may hold at most {MAX_ID_BYTES}",
            id.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &'static str) -> Vec<Item> {
        Lines::new("t.jsonl".into(), Box::new(text.as_bytes())).collect()
    }

    #[test]
    fn good_lines_survive_bad_neighbours() {
        let items = lines(concat!(
            "{\"id\":\"a\",\"title\":\"삼성전자 실적\",\"body\":\"삼성전자가 발표했다.\",\"date\":\"2024-09-24\"}\n",
            "{\"id\":\"b\",\"body\":\"닫히지 않은 JSON\"\n",
            "\n",
            "{\"body\":\"아이디가 없다\"}\n",
            "{\"id\":\"c\",\"body\":\"   \"}\n",
            "{\"id\":\"d\",\"body\":\"날짜가 틀렸다\",\"published_at\":\"2024-13-01\"}\n",
            "{\"id\":7,\"body\":\"숫자 아이디\",\"published_at\":\"2024-09-24T16:40:08+09:00\",\"extra\":1}",
        ));
        assert_eq!(items.len(), 6);
        let a = items[0].as_ref().unwrap();
        assert_eq!((a.id.as_str(), a.title.as_str()), ("a", "삼성전자 실적"));
        assert!(a.published_at.is_some());
        let errors: Vec<(usize, String)> = items
            .iter()
            .filter_map(|i| i.as_ref().err())
            .map(|e| (e.line, e.message.clone()))
            .collect();
        assert_eq!(errors.len(), 4);
        assert_eq!(errors[0].0, 2);
        assert!(errors[0].1.starts_with("invalid JSON"), "{:?}", errors[0]);
        assert_eq!(errors[1], (4, "missing id".to_string()));
        assert_eq!(errors[2].0, 5);
        assert!(errors[2].1.contains("missing body"));
        assert_eq!(errors[3].0, 6);
        assert!(errors[3].1.contains("bad date"));
        let last = items[5].as_ref().unwrap();
        assert_eq!(last.id, "7");
        assert_eq!(last.title, "");
    }

    #[test]
    fn only_web_urls_are_kept_and_the_rest_is_reported() {
        let items = lines(concat!(
            "{\"id\":\"x1\",\"title\":\"월드컵 악성 링크\",\"body\":\"월드컵 기사\",\"url\":\"javascript:alert(document.domain)\"}\n",
            "{\"id\":\"x2\",\"body\":\"월드컵 기사\",\"url\":\" JavaScript:alert(1)\"}\n",
            "{\"id\":\"x3\",\"body\":\"월드컵 기사\",\"url\":\"data:text/html,<script>alert(1)</script>\"}\n",
            "{\"id\":\"x4\",\"body\":\"월드컵 기사\",\"url\":\"/news/1\"}\n",
            "{\"id\":\"ok1\",\"body\":\"월드컵 기사\",\"url\":\"https://news.example.kr/a?id=1\"}\n",
            "{\"id\":\"ok2\",\"body\":\"월드컵 기사\",\"url\":\"HTTP://news.example.kr/b\"}\n",
        ));
        let articles: Vec<(&str, Option<&str>)> = items
            .iter()
            .filter_map(|i| i.as_ref().ok())
            .map(|a| (a.id.as_str(), a.url.as_deref()))
            .collect();
        assert_eq!(
            articles,
            [
                ("x1", None),
                ("x2", None),
                ("x3", None),
                ("x4", None),
                ("ok1", Some("https://news.example.kr/a?id=1")),
                ("ok2", Some("HTTP://news.example.kr/b")),
            ]
        );
        let notes: Vec<&BadDocument> = items.iter().filter_map(|i| i.as_ref().err()).collect();
        assert_eq!(notes.len(), 4, "{notes:?}");
        assert!(notes.iter().all(|n| n.kept));
        assert_eq!(notes[0].line, 1);
        assert!(
            notes[0]
                .to_string()
                .starts_with("t.jsonl:1: document \"x1\": url \"javascript:"),
            "{}",
            notes[0]
        );
        assert_eq!(notes[3].line, 4);
    }

    #[test]
    fn invalid_utf8_is_one_bad_line() {
        let items: Vec<Item> = Lines::new(
            "t.jsonl".into(),
            Box::new(&b"{\"id\":\"x\",\"body\":\"\xff\xfe\"}\n{\"id\":\"y\",\"body\":\"\xec\x95\x88\xeb\x85\x95\"}\n"[..]),
        )
        .collect();
        assert!(items[0].as_ref().unwrap_err().message.contains("UTF-8"));
        assert_eq!(items[1].as_ref().unwrap().body, "안녕");
    }
}
