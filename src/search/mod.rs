//! Ranked search over an open index: query text in, hits with highlighted snippets out. Knows nothing
//! of HTTP.

mod build;
mod snippet;
pub mod syntax;

use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analyzer::KoreanTokenizer;
use crate::config::{Config, SearchConfig};
use crate::error::{Error, UserError};
use crate::ingest::date::format_rfc3339;
use crate::schema::Fields;

/// What a caller asks for.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
}

/// One ranked result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: f32,
    pub title: String,
    pub source: Option<String>,
    pub published_at: Option<String>,
    pub url: Option<String>,
    /// HTML-escaped body text with matches wrapped in `<mark>`.
    pub snippet: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
}

/// A stored document, as `/api/documents/{id}` returns it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredDocument {
    pub id: String,
    pub title: String,
    pub body: String,
    pub source: Option<String>,
    pub published_at: Option<String>,
    pub url: Option<String>,
}

/// An open index with its one reader, ready to answer queries from many threads.
#[derive(Clone)]
pub struct Engine {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    analyzer: KoreanTokenizer,
    config: SearchConfig,
}

impl Engine {
    pub fn new(index: Index, analyzer: KoreanTokenizer, config: &Config) -> Result<Engine, Error> {
        let fields = Fields::from_schema(&index.schema())
            .ok_or_else(|| Error::Input("the index was not built by chaja".to_string()))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        Ok(Engine {
            index,
            reader,
            fields,
            analyzer,
            config: config.search.clone(),
        })
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Picks up the latest commit now instead of waiting for the reload policy.
    pub fn reload(&self) -> Result<(), Error> {
        Ok(self.reader.reload()?)
    }

    /// Live documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, Error> {
        let started = Instant::now();
        let groups = syntax::parse(&request.query);
        let built = build::Builder {
            analyzer: &self.analyzer,
            fields: self.fields,
            config: &self.config,
        }
        .build(&groups);
        let searcher = self.reader.searcher();
        let (top, total) = if built.searchable {
            searcher.search(
                &*built.query,
                &(
                    TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset),
                    Count,
                ),
            )?
        } else {
            (Vec::new(), 0)
        };
        let mut snippets =
            SnippetGenerator::create(&searcher, &*built.highlight, self.fields.body)?;
        snippets.set_max_num_chars(self.config.snippet_chars);
        let hits = top
            .into_iter()
            .take(request.limit)
            .map(|(score, address)| self.hit(&searcher, &snippets, score, address))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(SearchResponse {
            query: request.query.clone(),
            total,
            took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            hits,
        })
    }

    fn hit(
        &self,
        searcher: &Searcher,
        snippets: &SnippetGenerator,
        score: f32,
        address: DocAddress,
    ) -> Result<Hit, Error> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let stored = self.stored(&doc);
        let snippet = snippet::render(snippets, &stored.body, self.config.snippet_chars);
        Ok(Hit {
            id: stored.id,
            score,
            title: stored.title,
            source: stored.source,
            published_at: stored.published_at,
            url: stored.url,
            snippet,
        })
    }

    /// The stored document with this id.
    pub fn document(&self, id: &str) -> Result<StoredDocument, Error> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1))?;
        let (_, address) = top
            .first()
            .ok_or_else(|| UserError::UnknownDocument(id.to_string()))?;
        let doc: TantivyDocument = searcher.doc(*address)?;
        Ok(self.stored(&doc))
    }

    fn stored(&self, doc: &TantivyDocument) -> StoredDocument {
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        StoredDocument {
            id: text(self.fields.id).unwrap_or_default(),
            title: text(self.fields.title).unwrap_or_default(),
            body: text(self.fields.body).unwrap_or_default(),
            source: text(self.fields.source),
            url: text(self.fields.url),
            published_at: doc
                .get_first(self.fields.published_at)
                .and_then(|v| v.as_datetime())
                .and_then(|d| {
                    time::OffsetDateTime::from_unix_timestamp(d.into_timestamp_secs()).ok()
                })
                .map(format_rfc3339),
        }
    }
}

/// Minimal HTML escaping for text shown inside a page.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
