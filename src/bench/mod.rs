//! `chaja bench`: indexing throughput, analyzer throughput and query latency, printed as a table (and
//! optionally JSON) so runs before and after a change can be compared. Timings live here, never in
//! tests.

mod http_client;
mod writes;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use tantivy::tokenizer::{TokenStream, Tokenizer};

use crate::analyzer::{BigramTokenizer, KoreanTokenizer};
use crate::config::Config;
use crate::error::Error;
use crate::eval::{read_queries, EvalQuery};
use crate::indexer;
use crate::ingest;
use crate::search::{Engine, SearchRequest};

/// What to measure.
pub struct Options {
    /// JSONL(.gz) to index and analyse.
    pub input: Option<PathBuf>,
    /// Where to build the index for the indexing run (a fresh temporary folder if `None`).
    pub build_dir: Option<PathBuf>,
    /// Indexing runs; the analyzer runs before the first and after each.
    pub rounds: usize,
    /// Query file (`{"qid","query"}` lines) and the index to run it against.
    pub queries: Option<PathBuf>,
    pub query_index: Option<PathBuf>,
    /// Concurrent HTTP clients for the concurrency run.
    pub clients: usize,
    /// Documents (JSONL(.gz)) to post for the write-path run, and how long it lasts.
    pub writes: Option<PathBuf>,
    pub write_seconds: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub machine: String,
    /// The indexing run with the median ratio.
    pub indexing: Option<IndexingFigures>,
    pub analyzer: Option<AnalyzerFigures>,
    /// Each indexing run's MB/s over 2 × lindera's segmentation MB/s (one thread) in the runs either
    /// side of it: the yardstick.
    pub ratios: Vec<f64>,
    /// The median of `ratios`.
    pub ratio: Option<f64>,
    /// The same over 2 × chaja's whole analysis (which remembers words, so it is faster than lindera).
    pub ratios_to_analysis: Vec<f64>,
    pub ratio_to_analysis: Option<f64>,
    /// Decompressing and parsing the input alone, MB/s of text, one thread.
    pub reading_mb_per_sec: Option<f64>,
    pub queries: Vec<QueryFigures>,
    pub suggester: Option<SuggesterFigures>,
    pub writes: Option<writes::WriteFigures>,
}

/// The suggester over the queried index.
#[derive(Debug, Serialize)]
pub struct SuggesterFigures {
    pub words: usize,
    pub memory_mb: f64,
}

#[derive(Debug, Serialize)]
pub struct IndexingFigures {
    pub documents: usize,
    pub text_mb: f64,
    pub seconds: f64,
    pub docs_per_sec: f64,
    pub mb_per_sec: f64,
    pub peak_memory_mb: Option<f64>,
    pub index_size_mb: f64,
    pub threads: usize,
}

/// lindera's segmentation alone, and the analysis indexing does, alone on one thread: the Korean
/// analyzer (title and body fields) and the bigram tokenizer (bigram field) over every title and body.
#[derive(Debug, Serialize)]
pub struct AnalyzerFigures {
    pub text_mb: f64,
    /// lindera's ko-dic segmentation of the same texts, nothing else (mean over the runs).
    pub lindera_mb_per_sec: f64,
    pub lindera_mb_per_sec_runs: Vec<f64>,
    /// Both analyzers, mean over the runs.
    pub seconds: f64,
    pub mb_per_sec: f64,
    /// The Korean analyzer's and the bigram tokenizer's share of `seconds`, as MB/s each.
    pub korean_mb_per_sec: f64,
    pub bigram_mb_per_sec: f64,
    pub tokens: usize,
    pub grams: usize,
    /// Both analyzers, each run in order (before the first indexing run, then after each).
    pub mb_per_sec_runs: Vec<f64>,
}

/// One pass of lindera alone and of both analyzers over the input.
struct AnalyzerRun {
    text_mb: f64,
    lindera_seconds: f64,
    korean_seconds: f64,
    bigram_seconds: f64,
    tokens: usize,
    grams: usize,
}

impl AnalyzerRun {
    fn seconds(&self) -> f64 {
        self.korean_seconds + self.bigram_seconds
    }
}

impl AnalyzerFigures {
    /// The runs' time-weighted mean (the mean of their times, not of their rates).
    fn mean(runs: &[AnalyzerRun]) -> Option<AnalyzerFigures> {
        let first = runs.first()?;
        let mean = |f: fn(&AnalyzerRun) -> f64| runs.iter().map(f).sum::<f64>() / runs.len() as f64;
        let seconds = mean(AnalyzerRun::seconds);
        Some(AnalyzerFigures {
            text_mb: first.text_mb,
            lindera_mb_per_sec: first.text_mb / mean(|r| r.lindera_seconds),
            lindera_mb_per_sec_runs: runs.iter().map(|r| r.text_mb / r.lindera_seconds).collect(),
            seconds,
            mb_per_sec: first.text_mb / seconds,
            korean_mb_per_sec: first.text_mb / mean(|r| r.korean_seconds),
            bigram_mb_per_sec: first.text_mb / mean(|r| r.bigram_seconds),
            tokens: first.tokens,
            grams: first.grams,
            mb_per_sec_runs: runs.iter().map(|r| r.text_mb / r.seconds()).collect(),
        })
    }
}

/// Indexing MB/s over 2 × the yardstick's MB/s (`yardstick` picks it from the analyzer figures), for
/// indexing run `i` and the analyzer runs `i` and `i + 1` either side of it: this machine class
/// drifts by up to ±15 % over minutes, and a drift then moves both sides of the ratio.
fn ratios(
    indexing: &[IndexingFigures],
    analyzer: &[AnalyzerRun],
    yardstick: fn(&AnalyzerFigures) -> f64,
) -> Vec<f64> {
    indexing
        .iter()
        .zip(analyzer.windows(2))
        .map(|(run, pair)| {
            let mb_per_sec = AnalyzerFigures::mean(pair).map_or(0.0, |a| yardstick(&a));
            run.mb_per_sec / (2.0 * mb_per_sec)
        })
        .collect()
}

/// Index of the median of `values` (the lower one of an even count).
fn median_index(values: &[f64]) -> Option<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    order.get(values.len().saturating_sub(1) / 2).copied()
}

#[derive(Debug, Serialize)]
pub struct QueryFigures {
    pub name: String,
    pub queries: usize,
    pub clients: usize,
    pub errors: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
    pub qps: f64,
}

pub fn run(
    options: &Options,
    config: &Config,
    analyzer: &KoreanTokenizer,
) -> Result<Report, Error> {
    let mut report = Report {
        machine: machine(),
        ..Report::default()
    };
    if let Some(input) = &options.input {
        if let Some(dir) = &options.build_dir {
            // Refuse a folder that is not the bench's before spending minutes on the analyzer.
            clear_build_dir(dir)?;
        }
        let mut analyzer_runs = vec![analyzer_alone(input, analyzer)?];
        let mut indexing_runs = Vec::new();
        for _ in 0..options.rounds.max(1) {
            let build_dir = options.build_dir.as_deref();
            indexing_runs.push(indexing(input, build_dir, config, analyzer)?);
            analyzer_runs.push(analyzer_alone(input, analyzer)?);
        }
        report.ratios = ratios(&indexing_runs, &analyzer_runs, |a| a.lindera_mb_per_sec);
        let median = median_index(&report.ratios);
        report.ratio = median.map(|i| report.ratios[i]);
        report.ratios_to_analysis = ratios(&indexing_runs, &analyzer_runs, |a| a.mb_per_sec);
        report.ratio_to_analysis =
            median_index(&report.ratios_to_analysis).map(|i| report.ratios_to_analysis[i]);
        report.indexing = median.map(|i| indexing_runs.swap_remove(i));
        report.analyzer = AnalyzerFigures::mean(&analyzer_runs);
        report.reading_mb_per_sec = Some(reading_alone(input)?);
    }
    if let Some(queries) = &options.queries {
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
            report
                .queries
                .push(in_process(&format!("{name}, in-process"), &engine, set)?);
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
        // Typing: every prefix of each query's first two words, character by character, as a
        // search box sends them.
        let paths: Vec<String> = questions
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
            .collect();
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
    }
    if let Some(input) = &options.writes {
        report.writes = Some(write_path(input, options, config, analyzer)?);
    }
    Ok(report)
}

/// The write-path run: up to 20,000 documents of `input` posted in batches, searched meanwhile with
/// the query file's queries (or the documents' titles or first words).
fn write_path(
    input: &Path,
    options: &Options,
    config: &Config,
    analyzer: &KoreanTokenizer,
) -> Result<writes::WriteFigures, Error> {
    let mut lines = Vec::new();
    let mut titles = Vec::new();
    for file in ingest::files(input)? {
        for article in ingest::read_file(&file)
            .flatten()
            .take(20_000 - lines.len())
        {
            // A query per document: its title, or its first words when it has none.
            let query = if article.title.is_empty() {
                article
                    .body
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                article.title.clone()
            };
            titles.push(query);
            let doc =
                serde_json::json!({"id": article.id, "title": article.title, "body": article.body});
            lines.push(doc.to_string());
        }
    }
    let queries = match &options.queries {
        Some(path) => read_queries(path)?.into_iter().map(|q| q.query).collect(),
        None => titles.into_iter().filter(|t| !t.is_empty()).collect(),
    };
    if lines.is_empty() {
        return Err(Error::Input(format!(
            "{}: no documents to post",
            input.display()
        )));
    }
    writes::run(lines, queries, options.write_seconds, config, analyzer)
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

/// Marks a folder the bench made, so only such a folder is ever emptied.
const BUILD_MARK: &str = ".chaja-bench";

/// Makes `dir` an empty folder for a benchmark index: a new or empty folder, or one the bench made
/// before (its contents are deleted). Any other folder (a real index, say) is refused, untouched.
fn clear_build_dir(dir: &Path) -> Result<(), Error> {
    let empty = || -> std::io::Result<bool> { Ok(std::fs::read_dir(dir)?.next().is_none()) };
    if dir.exists() && !empty()? {
        if !dir.join(BUILD_MARK).is_file() {
            return Err(Error::Input(format!(
                "{} is not empty and was not made by `chaja bench`: refusing to delete it; \
                 pass --build-dir a new or empty folder",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join(BUILD_MARK),
        "made by chaja bench; emptied by its next run\n",
    )?;
    Ok(())
}

fn indexing(
    input: &Path,
    build_dir: Option<&Path>,
    config: &Config,
    analyzer: &KoreanTokenizer,
) -> Result<IndexingFigures, Error> {
    let temp;
    let dir = match build_dir {
        Some(dir) => dir.to_path_buf(),
        None => {
            temp = std::env::temp_dir().join(format!("chaja-bench-{}", std::process::id()));
            temp.clone()
        }
    };
    clear_build_dir(&dir)?;
    let mut config = config.clone();
    config.index.dir = dir.clone();
    reset_peak_memory();
    let started = Instant::now();
    let report = indexer::index_paths(&[input.to_path_buf()], &config, analyzer)?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_memory_mb();
    let size = crate::indexer::dir_size(&dir) as f64 / 1e6;
    if build_dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let text_mb = report.text_bytes as f64 / 1e6;
    Ok(IndexingFigures {
        documents: report.written(),
        text_mb,
        seconds,
        docs_per_sec: report.written() as f64 / seconds,
        mb_per_sec: text_mb / seconds,
        peak_memory_mb: peak,
        index_size_mb: size,
        threads: config.index_threads(),
    })
}

/// Reading and parsing the input alone (decompression, JSON), one thread.
fn reading_alone(input: &Path) -> Result<f64, Error> {
    let started = Instant::now();
    let mut bytes = 0usize;
    for file in ingest::files(input)? {
        for article in ingest::read_file(&file).flatten() {
            bytes += article.title.len() + article.body.len();
        }
    }
    Ok(bytes as f64 / 1e6 / started.elapsed().as_secs_f64())
}

/// lindera's segmentation alone, then the analysis indexing does, alone on one thread, over the same
/// title and body text: one run. Each analyzer runs as tantivy runs it, through its token stream (a
/// fresh clone of the Korean analyzer, so its memo starts empty as in indexing).
fn analyzer_alone(input: &Path, analyzer: &KoreanTokenizer) -> Result<AnalyzerRun, Error> {
    let (mut bytes, mut tokens, mut grams) = (0usize, 0usize, 0usize);
    let (mut lindera, mut korean, mut bigram) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut korean_analyzer, mut bigram_analyzer) =
        (analyzer.clone(), BigramTokenizer::new(analyzer));
    for file in ingest::files(input)? {
        for article in ingest::read_file(&file).flatten() {
            for text in [&article.title, &article.body] {
                let segmenting = Instant::now();
                std::hint::black_box(analyzer.segment_only(text));
                lindera += segmenting.elapsed();
                let started = Instant::now();
                tokens += count(korean_analyzer.token_stream(text));
                let analysed = Instant::now();
                grams += count(bigram_analyzer.token_stream(text));
                korean += analysed - started;
                bigram += analysed.elapsed();
                bytes += text.len();
            }
        }
    }
    if tokens == 0 {
        return Err(Error::Input(
            "the analyzer produced no tokens: nothing was measured".into(),
        ));
    }
    Ok(AnalyzerRun {
        text_mb: bytes as f64 / 1e6,
        lindera_seconds: lindera.as_secs_f64(),
        korean_seconds: korean.as_secs_f64(),
        bigram_seconds: bigram.as_secs_f64(),
        tokens,
        grams,
    })
}

/// Tokens in a stream, each looked at as an indexer would (so none is optimised away).
fn count(mut stream: impl TokenStream) -> usize {
    let mut n = 0;
    while stream.advance() {
        std::hint::black_box(stream.token());
        n += 1;
    }
    n
}

/// Full searches (hits, snippets, facets, total) one after another, in this process.
fn in_process(name: &str, engine: &Engine, queries: &[EvalQuery]) -> Result<QueryFigures, Error> {
    let mut latencies = Vec::with_capacity(queries.len());
    let started = Instant::now();
    for query in queries {
        let t = Instant::now();
        engine.search(&SearchRequest {
            query: query.query.clone(),
            limit: 10,
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

/// Clears the kernel's peak-RSS mark so the next reading covers only what follows (Linux).
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory of this process in MB (Linux `VmHWM`).
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown cpu".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    match load_average() {
        Some(load) => format!("{cores} cores, {cpu}, load average {load:.2} at the start"),
        None => format!("{cores} cores, {cpu}"),
    }
}

/// The one-minute load average, where the system reports it. Indexing uses every core and the
/// analyzer one, so other work running during the bench lowers the indexing ratio: the figure tells
/// a reader whether the machine was quiet.
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    parse_load_average(&text)
}

fn parse_load_average(text: &str) -> Option<f64> {
    text.split_whitespace().next()?.parse().ok()
}

impl Report {
    /// The report as a plain-text table.
    pub fn table(&self) -> String {
        let mut out = format!("machine: {}\n", self.machine);
        if let Some(i) = &self.indexing {
            out.push_str(&format!(
                "\nindexing   {} docs, {:.1} MB text, {} threads (the median of {} runs)\n           {:.1} s, {:.0} docs/s, {:.2} MB/s, peak memory {}, index {:.0} MB\n",
                i.documents,
                i.text_mb,
                i.threads,
                self.ratios.len(),
                i.seconds,
                i.docs_per_sec,
                i.mb_per_sec,
                i.peak_memory_mb.map_or("n/a".into(), |m| format!("{m:.0} MB")),
                i.index_size_mb
            ));
        }
        if let Some(a) = &self.analyzer {
            out.push_str(&format!(
                "lindera    1 thread: {:.2} MB/s (ko-dic segmentation alone; runs {})\n",
                a.lindera_mb_per_sec,
                two_places(&a.lindera_mb_per_sec_runs)
            ));
            out.push_str(&format!(
                "analyzer   1 thread: {:.2} MB/s ({:.1} MB in {:.1} s; runs {})\n\
                 \x20          korean {:.2} MB/s ({} tokens) + bigrams {:.1} MB/s ({} grams)\n",
                a.mb_per_sec,
                a.text_mb,
                a.seconds,
                two_places(&a.mb_per_sec_runs),
                a.korean_mb_per_sec,
                a.tokens,
                a.bigram_mb_per_sec,
                a.grams
            ));
            if let Some(r) = self.reading_mb_per_sec {
                out.push_str(&format!(
                    "reading    1 thread: {r:.1} MB/s (decompress + parse, no analysis)\n"
                ));
            }
            for (ratio, ratios, yardstick) in [
                (self.ratio, &self.ratios, "lindera"),
                (self.ratio_to_analysis, &self.ratios_to_analysis, "analyzer"),
            ] {
                let Some(ratio) = ratio else { continue };
                out.push_str(&format!(
                    "           indexing = {ratio:.2} x (2 x single-thread {yardstick}), median of {}\n",
                    two_places(ratios)
                ));
            }
        }
        if !self.queries.is_empty() {
            out.push_str(&format!(
                "\n{:<28} {:>7} {:>7} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
                "queries", "n", "clients", "errors", "p50 ms", "p95 ms", "p99 ms", "mean ms", "qps"
            ));
            for q in &self.queries {
                out.push_str(&format!(
                    "{:<28} {:>7} {:>7} {:>6} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.0}\n",
                    q.name,
                    q.queries,
                    q.clients,
                    q.errors,
                    q.p50_ms,
                    q.p95_ms,
                    q.p99_ms,
                    q.mean_ms,
                    q.qps
                ));
            }
        }
        if let Some(s) = &self.suggester {
            out.push_str(&format!(
                "suggester  {} words, {:.1} MB in memory\n",
                s.words, s.memory_mb
            ));
        }
        if let Some(w) = &self.writes {
            out.push_str(&format!(
                "\nwrites     {} batches of 20 documents from 2 writers in {:.1} s beside 4 searchers: \
                 {:.0} documents/s\n\
                 \x20          acknowledged (committed and searchable) p50 {:.1} ms, p99 {:.1} ms\n\
                 \x20          {} searches during writes: p50 {:.2} ms, p99 {:.2} ms\n\
                 \x20          5xx responses {}, acknowledged documents not found right after {}\n",
                w.batches,
                w.seconds,
                w.docs_per_sec,
                w.ack_p50_ms,
                w.ack_p99_ms,
                w.searches,
                w.search_p50_ms,
                w.search_p99_ms,
                w.server_errors,
                w.not_visible
            ));
        }
        out
    }
}

/// `values` with two decimals, comma-separated.
fn two_places(values: &[f64]) -> String {
    let each: Vec<String> = values.iter().map(|v| format!("{v:.2}")).collect();
    each.join(", ")
}

#[cfg(test)]
mod tests;
