//! Hit assembly and stored documents: a ranked address becomes a `Hit` with its snippet and marked
//! title, an id becomes a `StoredDocument`, and the words to mark come from the query as built.

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::build::Built;
use super::engine::Engine;
use super::snippet;
use super::types::{Hit, StoredDocument};
use crate::error::{Error, UserError};

impl Engine {
    /// The query's words as written and its body terms, as words to mark in snippets.
    pub(super) fn needles(&self, built: &Built) -> snippet::Needles {
        let mut needles = built.spans.clone();
        for term in self.body_terms(built) {
            if !needles.contains(&term) {
                needles.push(term);
            }
        }
        snippet::Needles::new(&needles)
    }

    /// The analysed terms the query looks for in the body, each once.
    fn body_terms(&self, built: &Built) -> Vec<String> {
        let mut terms: Vec<String> = Vec::new();
        built.highlight.query_terms(&mut |term, _| {
            if term.field() == self.fields.body {
                if let Some(text) = term.value().as_str() {
                    if !terms.iter().any(|t| t == text) {
                        terms.push(text.to_string());
                    }
                }
            }
        });
        terms
    }

    /// One hit: the stored document at `address`, its snippet and marked title.
    pub(super) fn hit(
        &self,
        searcher: &Searcher,
        needles: &snippet::Needles,
        score: f32,
        address: DocAddress,
    ) -> Result<Hit, Error> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let stored = self.stored(&doc);
        let snippet = snippet::render(needles, &stored.body, self.config.snippet_chars);
        let title_html = snippet::mark_all(needles, &stored.title);
        Ok(Hit {
            title_html,
            id: stored.id,
            score,
            title: stored.title,
            source: stored.source,
            published_at: stored.published_at,
            url: stored.url,
            snippet,
            similar: None,
        })
    }

    /// The stored document with this id, its body highlighted for `query` when one is given.
    pub fn document_highlighted(
        &self,
        id: &str,
        query: Option<&str>,
    ) -> Result<StoredDocument, Error> {
        let mut document = self.document(id)?;
        if let Some(query) = query.filter(|q| !q.trim().is_empty()) {
            let searcher = self.reader.searcher();
            let stats = self.stats(&searcher);
            let terms = self
                .builder(&stats)
                .build(&self.groups(query))
                .map_or_else(Vec::new, |built| self.body_terms(&built));
            let ranges: Vec<std::ops::Range<usize>> = self
                .analyzer
                .analyze(&document.body)
                .into_iter()
                .filter(|t| terms.contains(&t.text))
                .map(|t| t.offset_from..t.offset_to)
                .collect();
            document.body_html = Some(snippet::render_all(&document.body, &ranges));
        }
        Ok(document)
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
        let mut document = self.stored(&doc);
        document.similar = self.similar(&searcher, *address);
        Ok(document)
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
                .map(crate::kst::format_rfc3339),
            body_html: None,
            similar: None,
        }
    }
}
