mod api;
mod ingest;
mod news;
mod relevance;
mod search;
mod settings;
mod support;
