//! What a caller asks the engine for and what comes back: the request, its order, the response with
//! its hits, and a stored document.

use serde::Serialize;
use time::Date;

use super::facets::Facets;
use super::relax::Relaxed;

/// What a caller asks for.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    /// Only these publishers (any of them); empty means all.
    pub sources: Vec<String>,
    /// Only documents published on or after this day (Korea time).
    pub from: Option<Date>,
    /// Only documents published on or before this day (Korea time).
    pub to: Option<Date>,
    pub sort: Sort,
    /// Only the query as typed, even when it finds nothing (no relaxed reading, no keyboard-mode
    /// correction).
    pub strict: bool,
    /// Fold each group of related articles into one hit (`search.group`, `group=`).
    pub group: bool,
}

/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    /// Newest first.
    Date,
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
    /// The title, HTML-escaped, the query's words in it marked.
    pub title_html: String,
    /// With grouping on, the other articles of this hit's group (near-copies), when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similar: Option<Similar>,
}

/// The other articles of a group (관련기사).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Similar {
    /// Other articles in the group, in the whole index (filters aside).
    pub count: usize,
    /// The first few of them (earliest published first).
    pub ids: Vec<String>,
    /// Up to 20 of them, earliest published first.
    pub members: Vec<Member>,
}

/// One article of a group, by its fast fields.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Member {
    pub id: String,
    pub source: Option<String>,
    pub published_at: Option<String>,
}

/// With grouping on: what the page holds.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Grouped {
    /// Groups on the page (one hit each).
    pub groups: usize,
    /// Articles they hold, the hits and their related articles.
    pub documents: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse {
    pub query: String,
    /// Matching documents; when `total_exact` is false, more than `search.exact_total_up_to` match
    /// and this (and the facets) is an estimate from samples of the index (the page says
    /// "약 123,000건").
    pub total: usize,
    pub total_exact: bool,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// Present when the query as typed found fewer than `search.relax_below` documents and a
    /// relaxed reading found more: what was relaxed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<Relaxed>,
    /// Present when the query was typed in the wrong keyboard mode and its other reading, searched
    /// instead, finds far more: that reading (`znvkd` → `쿠팡`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_query: Option<String>,
    /// For a query that finds nothing: the same query with each unknown word replaced by the closest
    /// indexed word (`오바미` → `오바마`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
    /// Present when grouping is on: the page's groups and the articles they hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grouped: Option<Grouped>,
}

impl SearchResponse {
    /// A response to `query` that found nothing (yet).
    pub(super) fn empty(query: &str) -> SearchResponse {
        SearchResponse {
            query: query.to_string(),
            total: 0,
            total_exact: true,
            took_ms: 0.0,
            hits: Vec::new(),
            facets: Facets::default(),
            relaxed: None,
            corrected_query: None,
            did_you_mean: None,
            grouped: None,
        }
    }
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
    /// The body as HTML with the words of `q` marked, when a query was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// The other articles of its group (near-copies), when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similar: Option<Similar>,
}
