use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    let cli = chaja::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("CHAJA_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn")),
        )
        .with_writer(std::io::stderr)
        // A log that cannot be written (its disk full) must not fail the request that logged:
        // tracing-subscriber would report it with eprintln!, which panics then.
        .log_internal_errors(false)
        .init();
    chaja::cli::run(cli)
}
