//! chaja (찾아): a Korean full-text search server.
//!
//! Articles come in through [`ingest`] (scraped news pages, JSONL), are analysed by [`analyzer`]
//! (lindera with the ko-dic dictionary, after [`normalize`]) and written by [`indexer`] into a tantivy index laid out by
//! [`schema`]; [`search`] ranks and highlights, [`http`] serves it, [`cli`] ties it together.

pub mod analyzer;
pub mod bench;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod error;
pub mod eval;
pub mod export;
pub mod group;
pub mod hangul;
pub mod http;
pub mod indexer;
pub mod ingest;
pub mod kst;
pub mod live;
pub mod machine;
pub mod normalize;
pub mod schema;
pub mod search;
pub mod suggest;
