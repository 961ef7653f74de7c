//! Ranked search over an open index: query text in, hits with highlighted snippets out. Knows nothing
//! of HTTP.
//!
//! # The ranking pipeline
//!
//! A search runs these stages in this order. Each row names the file that does it and the settings
//! (`[search]` in `config.toml`) that change it; a stage whose weight is 0 is skipped.
//!
//! | # | stage | file | settings |
//! | --- | --- | --- | --- |
//! | 1 | **BM25** over the analysed fields, every field's average length taken longer so long articles lose less | `stats.rs` | `length_normalization` |
//! | 2 | **The per-kind query**: the query is parsed (`syntax.rs`), synonyms added (`synonyms.rs`), its kind decided once (`QueryKind`: keywords, question, long with operators) and built by that kind's builder: words with their compound parts and Hanja spellings, title weighted, character bigrams beside them | `build/mod.rs` (`Builder::classify`), `build/keywords.rs`, `build/question.rs` | `all_terms_up_to`, `min_match_ratio`, `title_boost`, `long_query_title_boost`, `common_term_ratio`, `bigram_weight`, `bigram_min_match`, `query_stopwords`, `synonyms` |
//! | 3 | **Two-phase candidate search** (questions and headlines without filters, in an index large enough that it pays: the commoner terms' postings outnumber the seeks `SEEK_COST` times): candidates through the rarer terms, the commoner terms' scores added to them alone | `flat.rs` (`FlatTerms::top_k`), `sum.rs` (the sum scored a block of postings at a time), `retrieve.rs` (`Engine::top_k`) | `candidates`, `rare_term_ratio` |
//! | 4 | **Proximity, lead and pair re-ranking** of the top candidates (questions and headlines): the query's words close together, in the first positions, and consecutive words side by side | `rerank.rs` (`by_proximity`) | `rerank_depth`, `proximity_weight`, `proximity_window`, `lead_weight`, `lead_window`, `pair_weight` |
//! | 5 | **Lead-text re-ranking**: the share of the query's letter pairs in the stored body's first characters | `rerank.rs` (`by_lead_text`) | `rerank_depth`, `lead_text_weight`, `lead_text_chars` |
//! | 6 | **Relaxed readings** when the query as typed finds too little: quoted phrases as words, then every word optional; long quoted speech searched as words from the start | `relax.rs`, `pipeline.rs` (`Engine::resolve`) | `relax_below`, `all_terms_up_to`; off with `strict` |
//! | 7 | **Corrections**: a query typed in the wrong keyboard mode (`znvkd` → 쿠팡), or whose last word is 초성 or half typed (`ㅅㅅㅈㅈ`, `삼성저` → 삼성전자), searched as meant when that finds far more | `pipeline.rs` (`RETRY_BELOW`, `CORRECTION_GAIN`), `assist.rs` (`other_layout`, `completion`) | off with `strict` |
//! | 9 | **Related articles folded** (관련기사): each group of near-copies once, at its best member's rank; the first report leads a near tie; the others listed under it | `fold.rs` (`fold`, `Engine::folded_page`), `similar.rs` (a hit's group) | `group`; off with `group=false` |
//! | 8 | **Did-you-mean** for a query that finds nothing: each unknown word replaced by the closest indexed word | `assist.rs` (`did_you_mean`) | — |
//!
//! Stages 1–5 give the page of hits (`retrieve.rs`: `Engine::page` → `by_relevance` → `top_k`);
//! beside them, the count and facets (`retrieve.rs`, `facets.rs`, `facet_values.rs`; exact up to `exact_total_up_to`,
//! then estimated) and the words to mark (`hits.rs`); snippets (`snippet.rs`, `snippet_chars`).
//! Sorting by date skips stages 3–5.
//!
//! # Where things are
//!
//! `engine.rs` owns what lives as long as the engine (reader, threads, settings; `warm.rs` what each
//! new searcher reads before its first search); `types.rs` the
//! request and response; `pipeline.rs` one search from request to response; `trend.rs` and `related.rs` what the
//! matching articles say beside the hits (volume over time; related words, people and places); `retrieve.rs` the top
//! `k`, the page and the count for one reading; `hits.rs` hits and stored documents.

mod assist;
mod at_least;
mod build;
pub(crate) mod either;
mod engine;
mod facet_values;
pub mod facets;
mod flat;
mod fold;
mod hits;
mod pipeline;
mod related;
mod relax;
mod rerank;
mod retrieve;
mod similar;
mod snippet;
mod stats;
mod sum;
pub mod synonyms;
pub mod syntax;
mod top;
mod trend;
mod types;
mod warm;

#[cfg(test)]
mod tests;

pub use engine::Engine;
pub use synonyms::Synonyms;

/// Milliseconds since `started`, to the microsecond (`took_ms`).
fn elapsed_ms(started: std::time::Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1e6).round() / 1000.0
}
pub use related::{Entity, RelatedRequest, RelatedResponse, RelatedWord};
pub use relax::Relaxed;
pub use trend::{Bucket, Interval, Series, TrendRequest, TrendResponse};
pub use types::{
    Grouped, Hit, Member, SearchRequest, SearchResponse, Similar, Sort, StoredDocument,
};
