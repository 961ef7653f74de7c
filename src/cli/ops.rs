//! The operations commands: `serve` (every index of the data folder), `reindex` (a new user
//! dictionary or Hanja list, offline) and `restore` (a snapshot into an empty folder).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use crate::analyzer::KoreanTokenizer;
use crate::catalog::{self, reanalyze, snapshot, Catalog, List, Served};
use crate::config::Config;
use crate::http::{self, Server};
use crate::live::OnCommit;

#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// A named index (default: the default index, index.dir)
    #[arg(long)]
    index: Option<String>,
    #[arg(long, conflicts_with = "index")]
    index_dir: Option<PathBuf>,
    /// New user dictionary: a CSV of `surface,part-of-speech,reading` lines
    #[arg(long, required_unless_present = "hanja")]
    user_dictionary: Option<PathBuf>,
    /// New Hanja list: `한자 한글…` lines
    #[arg(long)]
    hanja: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The snapshot's folder
    snapshot: PathBuf,
    /// Where to restore it: a new or empty folder
    #[arg(long, required_unless_present = "index")]
    index_dir: Option<PathBuf>,
    /// Restore as this named index (index.named_dir/NAME)
    #[arg(long)]
    index: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to write: `opensearch` (an OpenSearch/Elasticsearch index template and _bulk NDJSON)
    #[arg(value_parser = ["opensearch"])]
    target: String,
    /// A named index (default: the default index)
    #[arg(long)]
    index: Option<String>,
    #[arg(long, conflicts_with = "index")]
    index_dir: Option<PathBuf>,
    /// The index's name in the cluster [default: its chaja name, or `news`]
    #[arg(long)]
    name: Option<String>,
    /// Folder to write template.json and documents.ndjson into
    #[arg(long)]
    out: PathBuf,
}

/// `config` for the named index `name` (its folder under `index.named_dir`, with its own lists), or
/// for `config.index.dir` (with its own lists) when no name is given.
pub fn named(mut config: Config, name: Option<&str>) -> anyhow::Result<Config> {
    if let Some(name) = name.filter(|n| *n != catalog::DEFAULT) {
        catalog::check_name(name)?;
        config.index.dir = config.index.named_dir.join(name);
    }
    Ok(catalog::resolve(&config.index.dir.clone(), &config))
}

/// The analyzer for `config`: `analyzer` when it was built from the same settings (`built_from`).
pub fn analyzer_for(
    config: &Config,
    built_from: &crate::config::AnalyzerConfig,
    analyzer: KoreanTokenizer,
) -> anyhow::Result<KoreanTokenizer> {
    if config.analyzer == *built_from {
        return Ok(analyzer);
    }
    Ok(KoreanTokenizer::new(&config.analyzer)?)
}

/// `chaja serve`: the default index (the bundled sample on a first run) and every named index.
pub fn serve(config: Config, analyzer: KoreanTokenizer) -> anyhow::Result<()> {
    super::first_run_sample(&config, &analyzer)?;
    drop(analyzer);
    let bind = config.server.bind.clone();
    let writes = !config.server.api_keys.is_empty();
    let dir = config.index.dir.clone();
    let metrics = http::Metrics::new(Some(dir.clone()));
    let on_commit: OnCommit = {
        let metrics = metrics.clone();
        Arc::new(move |commit| metrics.committed(commit))
    };
    let (default, thread) = {
        let on_commit = on_commit.clone();
        Served::open(catalog::DEFAULT, &dir, &config, writes, move |c| {
            on_commit(c)
        })?
    };
    let catalog = Arc::new(Catalog::new(config, default, thread, on_commit));
    catalog.open_named();
    let server = Server::new(catalog.clone(), metrics);
    let documents: u64 = catalog.all().iter().map(|s| s.engine.num_docs()).sum();
    let indexes = catalog.names().join(", ");
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&bind)
            .await
            .with_context(|| format!("cannot listen on {bind}"))?;
        tracing::info!(
            documents,
            writes,
            indexes,
            "chaja listening on http://{}",
            listener.local_addr()?
        );
        http::serve_router(listener, http::server_router(server)).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    // Every request is answered: each writer makes its last commit.
    catalog.close();
    Ok(())
}

/// `chaja reindex`: the index re-analysed with a new list, offline.
pub fn reindex(config: Config, args: ReindexArgs) -> anyhow::Result<()> {
    let mut config = config;
    if let Some(dir) = args.index_dir {
        config.index.dir = dir;
    }
    let config = named(config, args.index.as_deref())?;
    let dir = config.index.dir.clone();
    let text_of = |list: List, path: Option<PathBuf>| -> anyhow::Result<Option<(List, String)>> {
        let Some(path) = path else { return Ok(None) };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Some((list, text)))
    };
    let lists: Vec<(List, String)> = [
        text_of(List::UserDictionary, args.user_dictionary)?,
        text_of(List::Hanja, args.hanja)?,
    ]
    .into_iter()
    .flatten()
    .collect();
    let started = std::time::Instant::now();
    for (list, text) in lists {
        let documents = reanalyze::offline(&dir, &config, list, &text)?;
        println!(
            "re-analysed {documents} documents of {} with the new {} in {:.1}s",
            dir.display(),
            list.name(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// `chaja restore`.
pub fn restore(config: Config, args: RestoreArgs) -> anyhow::Result<()> {
    let into = match (&args.index_dir, &args.index) {
        (Some(dir), _) => dir.clone(),
        (None, Some(name)) => named(config, Some(name))?.index.dir,
        (None, None) => anyhow::bail!("say where to restore: --index-dir DIR or --index NAME"),
    };
    let documents = snapshot::restore(&args.snapshot, &into)?;
    println!(
        "restored {documents} documents from {} into {}",
        args.snapshot.display(),
        into.display()
    );
    Ok(())
}

/// `chaja export opensearch`.
pub fn export(config: Config, args: ExportArgs) -> anyhow::Result<()> {
    let mut config = config;
    if let Some(dir) = args.index_dir {
        config.index.dir = dir;
    }
    let config = named(config, args.index.as_deref())?;
    let name = args
        .name
        .or(args.index)
        .unwrap_or_else(|| "news".to_string());
    let analyzer = KoreanTokenizer::new(&config.analyzer)?;
    let index = crate::indexer::open_existing(&config.index.dir, &analyzer)?;
    let documents = crate::export::opensearch(&name, &config, &index, &args.out)?;
    println!(
        "wrote {}/template.json and {documents} documents to {}/documents.ndjson (index `{name}`); \
         see docs/opensearch.md to load them",
        args.out.display(),
        args.out.display()
    );
    Ok(())
}
