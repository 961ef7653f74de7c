//! The query DSL in chaja's terms: `match`, `multi_match`, `match_phrase`, `bool`, `term(s)` on the
//! publisher, `range` on the date and `query_string` become one chaja query (its words, `-word`,
//! `"a phrase"`, `title:word`) and its filters; anything else is a 400 naming it.

use serde_json::Value;
use time::Date;

use super::{EsError, EsResult};

/// What a query DSL comes to in chaja's terms.
#[derive(Debug, Default, PartialEq)]
pub struct Translated {
    /// Parts of a chaja query (`word`, `-word`, `"a phrase"`, `title:word`).
    pub parts: Vec<String>,
    pub sources: Vec<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Translated {
    pub fn query(&self) -> String {
        self.parts.join(" ")
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Must,
    Should,
    MustNot,
    Filter,
}

const TEXT_FIELDS: &[&str] = &["title", "body", "content", "text", "_all", "*"];
pub(super) const SOURCE_FIELDS: &[&str] = &["source", "source.keyword", "publisher"];
pub(super) const DATE_FIELDS: &[&str] = &["published_at", "date", "@timestamp"];

/// Translates a query clause.
pub fn translate(query: &Value) -> EsResult<Translated> {
    let mut out = Translated::default();
    clause(query, Role::Must, &mut out)?;
    Ok(out)
}

pub(super) fn one_entry<'a>(name: &str, value: &'a Value) -> EsResult<(&'a String, &'a Value)> {
    let object = value
        .as_object()
        .filter(|o| !o.is_empty())
        .ok_or_else(|| EsError::unsupported(format!("[{name}] needs an object")))?;
    let mut entries = object.iter();
    let first = entries
        .next()
        .ok_or_else(|| EsError::unsupported(format!("[{name}] is empty")))?;
    if entries.next().is_some() {
        return Err(EsError::unsupported(format!(
            "[{name}] takes one clause (use [bool] to combine)"
        )));
    }
    Ok(first)
}

fn clause(value: &Value, role: Role, out: &mut Translated) -> EsResult<()> {
    let (kind, body) = one_entry("query", value)?;
    match kind.as_str() {
        "match" | "match_phrase" | "match_bool_prefix" if kind != "match_bool_prefix" => {
            let (field, spec) = one_entry(kind, body)?;
            let text = match spec {
                Value::String(t) => t.clone(),
                Value::Object(o) => {
                    for key in o.keys() {
                        if !["query", "operator", "boost", "analyzer", "minimum_should_match", "slop"].contains(&key.as_str()) {
                            return Err(EsError::unsupported(format!("[{kind}] does not support [{key}]")));
                        }
                    }
                    scalar_text(&o["query"]).ok_or_else(|| EsError::unsupported(format!("[{kind}] needs [query]")))?
                }
                other => scalar_text(other).ok_or_else(|| EsError::unsupported(format!("[{kind}] needs text")))?,
            };
            text_field(field, kind)?;
            words(&text, field == "title", kind == "match_phrase", role, out);
        }
        "multi_match" => {
            let text = scalar_text(&body["query"]).ok_or_else(|| EsError::unsupported("[multi_match] needs [query]"))?;
            for field in body["fields"].as_array().into_iter().flatten() {
                let name = field.as_str().unwrap_or_default();
                text_field(name.split('^').next().unwrap_or_default(), "multi_match")?;
            }
            let phrase = matches!(body["type"].as_str(), Some("phrase"));
            words(&text, false, phrase, role, out);
        }
        "query_string" | "simple_query_string" => {
            let text = body["query"].as_str().ok_or_else(|| EsError::unsupported(format!("[{kind}] needs [query]")))?;
            if role == Role::MustNot {
                return Err(EsError::unsupported(format!("[{kind}] inside [must_not]")));
            }
            out.parts.push(query_string(text));
        }
        "bool" => {
            let object = body.as_object().ok_or_else(|| EsError::unsupported("[bool] needs an object"))?;
            for (key, inner) in object {
                let inner_role = match key.as_str() {
                    "must" => role,
                    "should" => if role == Role::MustNot { Role::MustNot } else { Role::Should },
                    "must_not" => Role::MustNot,
                    "filter" => Role::Filter,
                    "minimum_should_match" | "boost" => continue,
                    other => return Err(EsError::unsupported(format!("[bool] does not support [{other}]"))),
                };
                let clauses: Vec<&Value> = match inner {
                    Value::Array(items) => items.iter().collect(),
                    single => vec![single],
                };
                for c in clauses {
                    clause(c, inner_role, out)?;
                }
            }
        }
        "term" | "terms" => {
            let (field, spec) = one_entry(kind, body)?;
            if !SOURCE_FIELDS.contains(&field.as_str()) {
                return Err(EsError::unsupported(format!(
                    "[{kind}] on [{field}]: only the publisher ([source]) can be matched exactly"
                )));
            }
            if role == Role::MustNot {
                return Err(EsError::unsupported(format!("[{kind}] on [source] inside [must_not]")));
            }
            let values: Vec<String> = match spec {
                Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
                Value::Object(o) => o.get("value").and_then(scalar_text).into_iter().collect(),
                other => scalar_text(other).into_iter().collect(),
            };
            if !out.sources.is_empty() && role != Role::Should {
                return Err(EsError::unsupported("two publisher filters: put the publishers in one [terms]"));
            }
            out.sources.extend(values);
        }
        "range" => {
            let (field, spec) = one_entry(kind, body)?;
            if !DATE_FIELDS.contains(&field.as_str()) {
                return Err(EsError::unsupported(format!("[range] on [{field}]: only the publication date ([published_at])")));
            }
            if role == Role::MustNot || role == Role::Should {
                return Err(EsError::unsupported("[range] outside [must] or [filter]"));
            }
            for (bound, value) in spec.as_object().into_iter().flatten() {
                let text = value.as_str().unwrap_or_default();
                let date = day(text).ok_or_else(|| EsError::unsupported(format!("[range] date [{text}]: use YYYY-MM-DD or an ISO date-time")))?;
                match bound.as_str() {
                    "gte" => out.from = Some(date),
                    "gt" => out.from = date.next_day(),
                    "lte" => out.to = Some(date),
                    "lt" => out.to = date.previous_day(),
                    "format" | "time_zone" | "boost" => {}
                    other => return Err(EsError::unsupported(format!("[range] does not support [{other}]"))),
                }
            }
        }
        other => {
            return Err(EsError::unsupported(format!(
                "unknown query [{other}]: chaja supports match, match_phrase, multi_match, bool, term(s) \
                 on source, range on published_at, query_string and simple_query_string"
            )))
        }
    }
    Ok(())
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn text_field(field: &str, kind: &str) -> EsResult<()> {
    if TEXT_FIELDS.contains(&field) {
        Ok(())
    } else {
        Err(EsError::unsupported(format!(
            "[{kind}] on [{field}]: the text fields are [title] and [body]"
        )))
    }
}

/// A clause's text as chaja query parts.
fn words(text: &str, title: bool, phrase: bool, role: Role, out: &mut Translated) {
    let text = text.replace('"', " ");
    if phrase {
        let sign = if role == Role::MustNot { "-" } else { "" };
        out.parts.push(format!("{sign}\"{}\"", text.trim()));
        return;
    }
    for word in text.split_whitespace() {
        let word = word.trim_start_matches(['+', '-']);
        if word.is_empty() {
            continue;
        }
        let field = if title { "title:" } else { "" };
        let sign = if role == Role::MustNot { "-" } else { "" };
        out.parts.push(format!("{sign}{field}{word}"));
    }
}

/// Lucene query-string syntax as chaja's: `AND` is implied, `NOT x` is `-x`, `OR` and quotes are
/// the same.
fn query_string(text: &str) -> String {
    let mut out = Vec::new();
    let mut negate = false;
    for word in text.split_whitespace() {
        match word {
            "AND" | "&&" => {}
            "NOT" | "!" => negate = true,
            "||" => out.push("OR".to_string()),
            w if negate => {
                out.push(format!("-{w}"));
                negate = false;
            }
            w => out.push(w.replace("field:", "")),
        }
    }
    out.join(" ")
}

pub(super) fn day(text: &str) -> Option<Date> {
    let head = text.get(..10)?;
    Date::parse(
        head,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_query_dsl_becomes_chaja_syntax_and_filters() {
        let query = json!({"bool": {
            "must": [{"match": {"body": "삼성전자 반도체"}}],
            "must_not": {"match_phrase": {"body": "주가 하락"}},
            "should": [{"match": {"title": "투자"}}],
            "filter": [{"terms": {"source": ["연합뉴스", "KBS"]}}, {"range": {"published_at": {"gte": "2025-12-01", "lt": "2026-01-01"}}}],
        }});
        let t = translate(&query).unwrap();
        assert_eq!(t.query(), "삼성전자 반도체 -\"주가 하락\" title:투자");
        assert_eq!(t.sources, ["연합뉴스", "KBS"]);
        assert_eq!(t.from.map(|d| d.to_string()).as_deref(), Some("2025-12-01"));
        assert_eq!(t.to.map(|d| d.to_string()).as_deref(), Some("2025-12-31"));
        let q = translate(&json!({"query_string": {"query": "삼성 AND 반도체 NOT 주가"}})).unwrap();
        assert_eq!(q.query(), "삼성 반도체 -주가");
    }

    #[test]
    fn what_chaja_cannot_honour_is_named() {
        for (query, named) in [
            (json!({"fuzzy": {"body": "삼성"}}), "fuzzy"),
            (json!({"term": {"title": "삼성"}}), "title"),
            (json!({"range": {"views": {"gte": 3}}}), "views"),
            (json!({"match": {"author": "김"}}), "author"),
            (json!({"bool": {"must": [], "boosting": {}}}), "boosting"),
        ] {
            let error = translate(&query).err().unwrap();
            assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
            assert!(error.reason.contains(named), "{}", error.reason);
        }
    }
}
