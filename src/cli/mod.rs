//! The command line (clap derive): `index`, `serve`, `eval`, `bench`, `search`, `trend`,
//! `related`, `reindex` and `restore`, one function each (the operations ones in `ops`);
//! no command serves the default index, filling it with the bundled sample first when it is empty. This is the edge where errors become
//! `anyhow` reports and exit codes.

mod ops;

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Parser, Subcommand};

use crate::analyzer::KoreanTokenizer;
use crate::bench;
use crate::config::{Config, IndexConfig};
use crate::eval;
use crate::http;
use crate::indexer;
use crate::ingest;
use crate::machine;
use crate::search::{Engine, SearchRequest};

#[derive(Debug, Parser)]
#[command(
    name = "chaja",
    version,
    about = "Korean full-text search server (찾아)"
)]
pub struct Cli {
    /// Config file [default: ./config.toml when present]
    #[arg(long, global = true, env = "CHAJA_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index articles: folders of scraped .txt pages, .jsonl or .jsonl.gz files
    Index(IndexArgs),
    /// Serve the search API and page
    Serve(ServeArgs),
    /// Measure ranking quality: MRR@10, Recall@1 and Recall@10 of a query set with judgements
    Eval(EvalArgs),
    /// Benchmark indexing, the analyzer and queries; prints a table
    Bench(BenchArgs),
    /// Print the top hits for a query
    Search(SearchArgs),
    /// Print how many articles match a query per day, week or month
    Trend(TrendArgs),
    /// Print the words, people and places of the articles matching a query
    Related(RelatedArgs),
    /// Re-analyse an index with a new user dictionary or Hanja list (no server may be writing to it)
    Reindex(ops::ReindexArgs),
    /// Bring back a snapshot (from POST /api/indexes/NAME/snapshots) into a new or empty folder
    Restore(ops::RestoreArgs),
    /// Write an index for a cluster: `opensearch` (an index template with Nori and _bulk NDJSON)
    Export(ops::ExportArgs),
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Input file or folder (repeatable)
    #[arg(long = "input", short = 'i', required = true)]
    inputs: Vec<PathBuf>,
    #[arg(long, conflicts_with = "index")]
    index_dir: Option<PathBuf>,
    /// A named index (in index.named_dir/NAME), served at /api/indexes/NAME/…
    #[arg(long)]
    index: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080
    #[arg(long)]
    bind: Option<String>,
    #[arg(long)]
    index_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// JSONL of {"qid","query"}
    #[arg(long)]
    queries: PathBuf,
    /// TSV of qid, doc id, relevance
    #[arg(long)]
    qrels: PathBuf,
    /// Also write a TREC run file here
    #[arg(long)]
    run: Option<PathBuf>,
    #[arg(long)]
    index_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// JSONL(.gz) to index (into a temporary folder) and to run the analyzer over
    #[arg(long)]
    input: Option<PathBuf>,
    /// Keep the benchmark index in this folder instead of a temporary one (a new or empty folder,
    /// or one an earlier bench made; any other folder is refused, never deleted)
    #[arg(long)]
    build_dir: Option<PathBuf>,
    /// Indexing runs, each between two analyzer runs; the ratio is the median over them
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    rounds: u32,
    /// Questions ({"qid","query"} lines) to send; keyword queries are made from them
    #[arg(long)]
    queries: Option<PathBuf>,
    /// Index to query [default: index.dir]
    #[arg(long)]
    index_dir: Option<PathBuf>,
    /// Concurrent HTTP clients for the concurrency run
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Also write the figures as JSON here
    #[arg(long)]
    json: Option<PathBuf>,
    /// Documents (JSONL(.gz)) to post for the write-path run: 2 writers of 20-document batches
    /// beside 4 searchers, on a fresh index in a temporary folder
    #[arg(long)]
    writes: Option<PathBuf>,
    /// How long the write-path run lasts, in seconds
    #[arg(long, default_value_t = 20.0)]
    write_seconds: f64,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    query: String,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[arg(long)]
    index_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TrendArgs {
    /// The query; several are compared side by side
    #[arg(required = true)]
    queries: Vec<String>,
    /// day, week, month or auto
    #[arg(long, default_value = "auto")]
    interval: String,
    /// First day (2025-12-01)
    #[arg(long)]
    from: Option<String>,
    /// Last day
    #[arg(long)]
    to: Option<String>,
    #[arg(long)]
    index_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RelatedArgs {
    query: String,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[arg(long)]
    index_dir: Option<PathBuf>,
}

/// Runs the command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref(), std::env::vars())?;
    let analyzer = KoreanTokenizer::new(&config.analyzer)?;
    match cli.command {
        None => ops::serve(config, analyzer),
        Some(Command::Index(args)) => {
            let built_from = config.analyzer.clone();
            let config = ops::named(
                with_index_dir(config, args.index_dir.clone()),
                args.index.as_deref(),
            )?;
            let analyzer = ops::analyzer_for(&config, &built_from, analyzer)?;
            index(config, &analyzer, args)
        }
        Some(Command::Reindex(args)) => ops::reindex(config, args),
        Some(Command::Restore(args)) => ops::restore(config, args),
        Some(Command::Export(args)) => ops::export(config, args),
        Some(Command::Serve(args)) => {
            let mut config = with_index_dir(config, args.index_dir);
            if let Some(bind) = args.bind {
                config.server.bind = bind;
            }
            ops::serve(config, analyzer)
        }
        Some(Command::Eval(args)) => evaluate(config, analyzer, args),
        Some(Command::Bench(args)) => bench(&config, &analyzer, args),
        Some(Command::Search(args)) => search(config, analyzer, args),
        Some(Command::Trend(args)) => trend(config, analyzer, args),
        Some(Command::Related(args)) => related(config, analyzer, args),
    }
}

/// `chaja index`: writes the inputs into the index and reports what it did, its speed, the index's
/// size and the peak memory.
fn index(config: Config, analyzer: &KoreanTokenizer, args: IndexArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    if let Some(message) = indexer::analyzer_settings_changed(&config.index.dir, &config.analyzer)
        .filter(|_| config.index.dir.join("meta.json").exists())
    {
        eprintln!("warning: {message}");
    }
    let report = indexer::index_paths(&args.inputs, &config, analyzer)?;
    for bad in &report.left_out {
        eprintln!("warning {bad}");
    }
    for bad in &report.skipped {
        eprintln!("skipped {bad}");
    }
    let (seconds, mb) = (
        started.elapsed().as_secs_f64(),
        report.text_bytes as f64 / 1e6,
    );
    println!(
        "indexed {} new, replaced {}, skipped {} in {seconds:.1}s ({mb:.1} MB of text, {:.1} MB/s) \
         into {}",
        report.indexed,
        report.replaced,
        report.skipped.len(),
        mb / seconds.max(1e-9),
        config.index.dir.display()
    );
    if report.written() == 0 {
        bail!("nothing could be indexed");
    }
    let dir = &config.index.dir;
    let segments = indexer::open_existing(dir, analyzer)
        .ok()
        .and_then(|index| index.searchable_segment_metas().ok())
        .map_or(0, |metas| metas.len());
    let peak = machine::peak_memory_mb()
        .map(|mb| format!(", peak memory {mb:.0} MB"))
        .unwrap_or_default();
    println!(
        "index: {:.1} MB in {segments} segments{peak}",
        indexer::dir_size(dir) as f64 / 1e6
    );
    Ok(())
}

/// `chaja eval`: MRR@10 and recall of a query set against the index, optionally as a TREC run.
fn evaluate(config: Config, analyzer: KoreanTokenizer, args: EvalArgs) -> anyhow::Result<()> {
    let config = with_index_dir(config, args.index_dir);
    let engine = open_engine(&config, analyzer)?;
    let queries = eval::read_queries(&args.queries)?;
    let qrels = eval::read_qrels(&args.qrels)?;
    let mut file = match &args.run {
        Some(path) => Some(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => None,
    };
    let metrics = eval::evaluate(
        &engine,
        &queries,
        &qrels,
        file.as_mut().map(|f| f as &mut dyn std::io::Write),
    )?;
    println!("queries     {}", metrics.queries);
    println!("MRR@10      {:.4}", metrics.mrr_at_10);
    println!("Recall@1    {:.4}", metrics.recall_at_1);
    println!("Recall@10   {:.4}", metrics.recall_at_10);
    println!(
        "mean query  {:.2} ms (in-process, top 10, no snippets)",
        metrics.mean_ms
    );
    if let Some(grouped) = &metrics.grouped {
        println!(
            "grouped     MRR@10 {:.4}  Recall@1 {:.4}  Recall@10 {:.4} (related articles folded; \
             a judged article inside a group counts at its group's rank)",
            grouped.mrr_at_10, grouped.recall_at_1, grouped.recall_at_10
        );
    }
    Ok(())
}

/// `chaja bench`: the figures as a table, and as JSON when asked.
fn bench(config: &Config, analyzer: &KoreanTokenizer, args: BenchArgs) -> anyhow::Result<()> {
    if args.input.is_none() && args.queries.is_none() && args.writes.is_none() {
        bail!("nothing to measure: pass --input, --queries and/or --writes");
    }
    let options = bench::Options {
        input: args.input,
        build_dir: args.build_dir,
        rounds: args.rounds as usize,
        queries: args.queries,
        query_index: args.index_dir,
        clients: args.clients,
        writes: args.writes,
        write_seconds: args.write_seconds,
    };
    let report = bench::run(&options, config, analyzer)?;
    print!("{}", report.table());
    if let Some(path) = args.json {
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    }
    Ok(())
}

/// `chaja search`: the top hits in the terminal.
fn search(config: Config, analyzer: KoreanTokenizer, args: SearchArgs) -> anyhow::Result<()> {
    let config = with_index_dir(config, args.index_dir);
    let engine = open_engine(&config, analyzer)?;
    let response = engine.search(&SearchRequest {
        query: args.query,
        limit: args.limit.min(config.server.max_limit),
        group: config.search.group,
        ..SearchRequest::default()
    })?;
    let about = if response.total_exact { "" } else { "about " };
    println!(
        "{about}{} results ({:.1} ms)",
        response.total, response.took_ms
    );
    for (rank, hit) in response.hits.iter().enumerate() {
        let date = hit
            .published_at
            .as_deref()
            .map_or("", |d| &d[..10.min(d.len())]);
        let source = hit.source.as_deref().unwrap_or("");
        println!(
            "\n{:>2}. {}  [{}]  {} {}  ({:.2})",
            rank + 1,
            hit.title,
            hit.id,
            source,
            date,
            hit.score
        );
        println!("    {}", plain_snippet(&hit.snippet));
    }
    Ok(())
}

/// `chaja trend`: one row per bucket, one column per query (tab-separated, for scripts).
fn trend(config: Config, analyzer: KoreanTokenizer, args: TrendArgs) -> anyhow::Result<()> {
    let config = with_index_dir(config, args.index_dir);
    let engine = open_engine(&config, analyzer)?;
    let mut pairs: Vec<(String, String)> = vec![("interval".into(), args.interval)];
    pairs.extend(args.queries.into_iter().map(|q| ("q".to_string(), q)));
    pairs.extend(args.from.map(|d| ("from".to_string(), d)));
    pairs.extend(args.to.map(|d| ("to".to_string(), d)));
    let request = http::trend_request(&pairs, &config)?;
    let response = engine.trend(&request)?;
    let names: Vec<&str> = response.series.iter().map(|s| s.query.as_str()).collect();
    println!(
        "{}\t{}",
        serde_json::to_string(&response.interval)?.trim_matches('"'),
        names.join("\t")
    );
    let rows = response.series.first().map_or(0, |s| s.buckets.len());
    for row in 0..rows {
        let counts: Vec<String> = response
            .series
            .iter()
            .map(|s| s.buckets.get(row).map_or(0, |b| b.count).to_string())
            .collect();
        println!(
            "{}\t{}",
            response.series[0].buckets[row].key,
            counts.join("\t")
        );
    }
    let totals: Vec<String> = response
        .series
        .iter()
        .map(|s| format!("{}{}", if s.total_exact { "" } else { "~" }, s.total))
        .collect();
    println!("total\t{}", totals.join("\t"));
    Ok(())
}

/// `chaja related`: related words with their scores, then people and places.
fn related(config: Config, analyzer: KoreanTokenizer, args: RelatedArgs) -> anyhow::Result<()> {
    let config = with_index_dir(config, args.index_dir);
    let engine = open_engine(&config, analyzer)?;
    let pairs = vec![
        ("q".to_string(), args.query),
        ("limit".to_string(), args.limit.to_string()),
    ];
    let response = engine.related(&http::related_request(&pairs, &config)?)?;
    println!("related words (from the best {} articles)", response.sample);
    for word in &response.words {
        println!("{}\t{:.3}\t{}", word.word, word.score, word.documents);
    }
    for (title, list) in [("people", &response.people), ("places", &response.places)] {
        println!("\n{title}");
        for entity in list {
            println!("{}\t{}", entity.name, entity.documents);
        }
    }
    Ok(())
}

/// `--index-dir`, when given, wins over the config.
fn with_index_dir(mut config: Config, index_dir: Option<PathBuf>) -> Config {
    if let Some(dir) = index_dir {
        config.index.dir = dir;
    }
    config
}

/// An engine over the existing index at `index.dir`.
fn open_engine(config: &Config, analyzer: KoreanTokenizer) -> anyhow::Result<Engine> {
    // The index's own lists (a user dictionary changed while it was served) apply.
    let built_from = &config.analyzer;
    let config = crate::catalog::resolve(&config.index.dir, config);
    let analyzer = ops::analyzer_for(&config, built_from, analyzer)?;
    let index = indexer::open_existing(&config.index.dir, &analyzer)?;
    Ok(Engine::new(index, analyzer, &config)?)
}

/// Fills the default index folder with the bundled sample on first run. Any other folder must hold an
/// index already: a mistyped `--index-dir` is an error, not an empty server.
pub(super) fn first_run_sample(config: &Config, analyzer: &KoreanTokenizer) -> anyhow::Result<()> {
    let dir = &config.index.dir;
    if *dir != IndexConfig::default().dir {
        return Ok(());
    }
    let index = indexer::open_or_create(dir, analyzer)?;
    if index.reader()?.searcher().num_docs() == 0 {
        tracing::info!(dir = %dir.display(), "index is empty: indexing the bundled Wikinews sample");
        let report = indexer::index_articles(&index, config, ingest::sample())?;
        indexer::save_analyzer_settings(dir, &config.analyzer)?;
        tracing::info!(documents = report.written(), "sample indexed");
    }
    Ok(())
}

/// Terminal rendering of an HTML snippet: marks become brackets, entities are decoded.
fn plain_snippet(html: &str) -> String {
    html.replace("<mark>", "[")
        .replace("</mark>", "]")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
