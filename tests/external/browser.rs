//! The search page in a real headless Chromium: starts chaja on a free port and runs
//! `tests/e2e/page.test.mjs` (playwright-core driving Debian's chromium).

use std::path::{Path, PathBuf};
use std::process::Command;

use std::sync::Arc;

use crate::support::{analyzer, collection, engine_of, newsroom, with_copies};
use chaja::catalog::{Catalog, Served, DEFAULT};
use chaja::config::Config;
use chaja::http::{self, AppState, Metrics, Server};
use chaja::indexer;

fn e2e() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e")
}

/// Debian's chromium and the npm packages the test drives it with, when both are there.
pub fn chromium() -> Option<PathBuf> {
    if !e2e().join("node_modules/playwright-core").is_dir() {
        return None;
    }
    let from_env = std::env::var_os("CHROMIUM_PATH").map(PathBuf::from);
    from_env
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.exists())
}

pub fn search_page_in_headless_chromium() {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime starts")
        .block_on(drive_the_page());
}

async fn drive_the_page() {
    let e2e = e2e();
    let chromium = chromium().expect(
        "chromium or tests/e2e/node_modules is missing: install Debian's chromium and run \
         `npm ci` in tests/e2e (.ci/run does both)",
    );
    let state = AppState::new(engine_of(collection()), Config::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(http::serve(listener, state));
    // A second server on an index without the sample: 24 publishers, 삼성전자 in every article.
    let state = AppState::new(engine_of(newsroom()), Config::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let newsroom_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(http::serve(listener, state));

    // A third on the sample with one story copied by three outlets (related-article groups).
    let state = AppState::new(engine_of(with_copies().1), Config::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let groups_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(http::serve(listener, state));
    let story = with_copies().0;

    // A fourth serving two indexes (the picker): the newsroom as the default, the collection as
    // `sample`.
    let data = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let indexes_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(http::serve_router(listener, two_indexes(data.path())));

    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("page.test.mjs")
            .current_dir(&e2e)
            .env("CHAJA_URL", &url)
            .env("CHAJA_NEWSROOM_URL", &newsroom_url)
            .env("CHAJA_GROUPS_URL", &groups_url)
            .env("CHAJA_GROUPS_QUERY", &story.title)
            .env("CHAJA_GROUPS_LEADER", &story.id)
            .env("CHAJA_INDEXES_URL", &indexes_url)
            .env("CHROMIUM_PATH", &chromium)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("browser checks passed"), "{stdout}");
}

/// A read-only server of two indexes in `dir`: the newsroom (default) and the collection (`sample`).
fn two_indexes(dir: &Path) -> axum::Router {
    let mut config = Config::default();
    config.index.dir = dir.join("index");
    config.index.named_dir = dir.join("indexes");
    let named = config.index.named_dir.join("sample");
    for (folder, items) in [(&config.index.dir, newsroom()), (&named, collection())] {
        let index = indexer::open_or_create(folder, &analyzer()).unwrap();
        indexer::index_articles(&index, &config, items).unwrap();
    }
    let (default, thread) =
        Served::open(DEFAULT, &config.index.dir, &config, false, |_| {}).unwrap();
    let catalog = Arc::new(Catalog::new(config, default, thread, Arc::new(|_| {})));
    catalog.open_named();
    http::server_router(Server::new(catalog, Metrics::new(None)))
}
