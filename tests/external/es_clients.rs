//! The official `elasticsearch` and `opensearch-py` clients (a virtual environment in
//! `tests/es/.venv`, made by `.ci/run`) drive chaja's Elasticsearch-compatible API: `tests/es/clients.py`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use crate::support::KEY;
use chaja::catalog::{Catalog, Served, DEFAULT};
use chaja::config::Config;
use chaja::http::{self, Metrics, Server};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/es")
}

/// The virtual environment's Python when both clients import in it.
pub fn python() -> Option<PathBuf> {
    let python = dir().join(".venv/bin/python");
    let imports = Command::new(&python)
        .args(["-c", "import elasticsearch, opensearchpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    imports.then_some(python)
}

pub fn official_clients_load_search_and_analyze() {
    let python = python().expect(
        "tests/es/.venv with the elasticsearch and opensearch-py packages is missing (.ci/run makes it)",
    );
    let data = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = runtime.block_on(async {
        let mut config = Config::default();
        config.index.dir = data.path().join("index");
        config.index.named_dir = data.path().join("indexes");
        config.index.compact_after_secs = 0;
        config.server.api_keys = vec![KEY.to_string()];
        let (default, thread) =
            Served::open(DEFAULT, &config.index.dir, &config, true, |_| {}).unwrap();
        let catalog = Arc::new(Catalog::new(config, default, thread, Arc::new(|_| {})));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = http::server_router(Server::new(catalog, Metrics::new(None)));
        tokio::spawn(http::serve_router(listener, router));
        url
    });
    let output = Command::new(python)
        .arg(dir().join("clients.py"))
        .env("CHAJA_URL", &url)
        .env("CHAJA_KEY", KEY)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "client test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("clients: ok"), "{stdout}");
    drop(runtime);
}
