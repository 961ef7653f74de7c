mod api;
mod browser;
mod ingest;
mod search;
mod seeds;
mod support;
