mod api;
mod ingest;
mod search;
mod seeds;
mod support;
