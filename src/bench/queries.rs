//! The query side of the bench: full searches in-process and over HTTP (one client and many), for
//! the query file's questions and the two-word keywords made from them, suggestions as typed, and
//! the keywords' volume over time and related words.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{http_client, QueryFigures, Report, SuggesterFigures};
use crate::analyzer::KoreanTokenizer;
use crate::config::Config;
use crate::error::Error;
use crate::eval::{read_queries, EvalQuery};
use crate::indexer;
use crate::search::{Engine, SearchRequest};

/// Every query kind of the file at `queries` against the index (`--index-dir`, or `index.dir`).
pub(super) fn run(
    report: &mut Report,
    queries: &Path,
    options: &super::Options,
    config: &Config,
    analyzer: &KoreanTokenizer,
) -> Result<(), Error> {
    let dir = options
        .query_index
        .clone()
        .unwrap_or_else(|| config.index.dir.clone());
    let index = indexer::open_existing(&dir, analyzer)?;
    let engine = Engine::new(index, analyzer.clone(), config)?;
    engine.build_suggestions_now()?;
    let questions = read_queries(queries)?;
    let keywords = keyword_queries(&questions);
    for (name, set) in [("questions", &questions), ("keywords", &keywords)] {
        report.queries.push(in_process(
            &format!("{name}, in-process"),
            &engine,
            set,
            config,
        )?);
    }
    let runtime = tokio::runtime::Runtime::new()?;
    for (name, set) in [("questions", &questions), ("keywords", &keywords)] {
        for clients in [1, options.clients] {
            let figures = runtime.block_on(http_client::run(
                &format!("{name}, HTTP"),
                engine.clone(),
                config.clone(),
                set,
                clients,
            ))?;
            report.queries.push(figures);
        }
    }
    let paths = typing_paths(&questions);
    let (words, bytes) = engine.suggester_size();
    report.suggester = Some(SuggesterFigures {
        words,
        memory_mb: bytes as f64 / 1e6,
    });
    let figures = runtime.block_on(http_client::run_paths(
        "suggest, HTTP",
        engine.clone(),
        config.clone(),
        paths,
        1,
    ))?;
    report.queries.push(figures);
    // What the news says: the volume and the related words of the first keyword queries.
    for (name, path) in [
        ("trend, HTTP", "/api/trend?interval=auto&q="),
        ("related, HTTP", "/api/related?q="),
    ] {
        let paths = keywords
            .iter()
            .take(INSIGHT_QUERIES)
            .map(|q| format!("{path}{}", http_client::percent_encode(&q.query)))
            .collect();
        let figures = runtime.block_on(http_client::run_paths(
            name,
            engine.clone(),
            config.clone(),
            paths,
            1,
        ))?;
        report.queries.push(figures);
    }
    Ok(())
}

/// Keyword queries whose volume over time and related words are measured.
const INSIGHT_QUERIES: usize = 300;

/// Every prefix of each query's first two words, character by character, as a search box sends
/// them to `/api/suggest`.
fn typing_paths(questions: &[EvalQuery]) -> Vec<String> {
    questions
        .iter()
        .flat_map(|q| {
            let words: Vec<&str> = q.query.split_whitespace().take(2).collect();
            let typed = words.join(" ");
            let ends: Vec<usize> = typed
                .char_indices()
                .map(|(i, c)| i + c.len_utf8())
                .collect();
            ends.into_iter()
                .map(move |end| typed[..end].to_string())
                .collect::<Vec<_>>()
        })
        .map(|prefix| {
            format!(
                "/api/suggest?q={}&limit=8",
                http_client::percent_encode(&prefix)
            )
        })
        .collect()
}

/// Short keyword queries made from the questions: their two longest words, particles and question
/// marks left on as a user would type them.
pub fn keyword_queries(questions: &[EvalQuery]) -> Vec<EvalQuery> {
    questions
        .iter()
        .map(|q| {
            let mut words: Vec<&str> = q.query.split_whitespace().collect();
            words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
            let mut two: Vec<&str> = words.into_iter().take(2).collect();
            two.sort_by_key(|w| q.query.find(w));
            EvalQuery {
                qid: q.qid.clone(),
                query: two.join(" ").trim_end_matches('?').to_string(),
            }
        })
        .collect()
}

/// Full searches (hits, snippets, facets, total) one after another, in this process.
fn in_process(
    name: &str,
    engine: &Engine,
    queries: &[EvalQuery],
    config: &Config,
) -> Result<QueryFigures, Error> {
    let mut latencies = Vec::with_capacity(queries.len());
    let started = Instant::now();
    for query in queries {
        let t = Instant::now();
        engine.search(&SearchRequest {
            query: query.query.clone(),
            limit: 10,
            group: config.search.group,
            ..SearchRequest::default()
        })?;
        latencies.push(t.elapsed());
    }
    Ok(figures(name, 1, 0, latencies, started.elapsed()))
}

/// The nearest-rank `p`th percentile of sorted latencies, in ms (0 for none).
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p / 100.0).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

pub fn figures(
    name: &str,
    clients: usize,
    errors: usize,
    mut latencies: Vec<Duration>,
    wall: Duration,
) -> QueryFigures {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |p: f64| percentile_ms(&latencies, p * 100.0);
    let n = latencies.len();
    QueryFigures {
        name: name.to_string(),
        queries: n,
        clients,
        errors,
        p50_ms: at(0.50),
        p95_ms: at(0.95),
        p99_ms: at(0.99),
        mean_ms: if n == 0 {
            0.0
        } else {
            latencies.iter().map(|d| ms(*d)).sum::<f64>() / n as f64
        },
        qps: n as f64 / wall.as_secs_f64(),
    }
}
