use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of the system's allocator: indexing takes 0.92× the time (the analysis and the
/// index writer allocate and free a great deal), docs/performance.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h, v2).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> anyhow::Result<()> {
    let cli = chaja::cli::Cli::parse();
    if matches!(
        cli.command,
        Some(chaja::cli::Command::Index(_) | chaja::cli::Command::Reindex(_))
    ) {
        // A bulk indexing run gives freed memory back at once, not 10 ms later: the index writer
        // frees a segment's buffers as the next fills, and the peak is 36 MB lower for it. Not
        // when serving: a search's buffers, given back and taken again, made headlines 1.3× slower.
        // SAFETY: sets one of mimalloc's options, which it reads on each purge; touches no memory.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
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
