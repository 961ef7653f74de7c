mod analysis;
mod api;
mod browser;
mod ingest;
mod relevance;
mod search;
mod seeds;
mod support;
