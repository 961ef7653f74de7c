//! `chaja bench`: indexing throughput, analyzer throughput and query latency, printed as a table (and
//! optionally JSON) so runs before and after a change can be compared. Timings live here, never in
//! tests.

mod http_client;
mod queries;
mod table;
mod writes;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use tantivy::tokenizer::{TokenStream, Tokenizer};

use crate::analyzer::{BigramTokenizer, KoreanTokenizer};
use crate::config::Config;
use crate::error::Error;
use crate::eval::read_queries;
use crate::indexer;
use crate::ingest;

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
        machine: crate::machine::describe(),
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
        queries::run(&mut report, queries, options, config, analyzer)?;
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
    crate::machine::reset_peak_memory();
    let started = Instant::now();
    let report = indexer::index_paths(&[input.to_path_buf()], &config, analyzer)?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = crate::machine::peak_memory_mb();
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

pub use queries::{figures, keyword_queries, percentile_ms};

#[cfg(test)]
mod tests;
