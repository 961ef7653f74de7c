mod api;
mod ingest;
mod relevance;
mod search;
mod settings;
mod support;
