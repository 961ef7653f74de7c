//! The search page in a real headless Chromium: starts chaja on a free port and runs
//! `tests/e2e/page.test.mjs` (playwright-core driving Debian's chromium). Skipped when chromium or the
//! npm packages are missing, except under `CI=true` where that is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::{collection, engine_of};
use chaja::config::Config;
use chaja::http::{self, AppState};

fn chromium() -> Option<PathBuf> {
    let from_env = std::env::var_os("CHROMIUM_PATH").map(PathBuf::from);
    from_env
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.exists())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_page_in_headless_chromium() {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    let ready = e2e.join("node_modules/playwright-core").is_dir();
    let Some(chromium) = chromium().filter(|_| ready) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "CI=true but chromium or tests/e2e/node_modules is missing (.ci/run installs them)"
            );
        }
        eprintln!("skipping browser test: install chromium and run `npm ci` in tests/e2e");
        return;
    };
    let state = AppState::new(engine_of(collection()), Config::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(http::serve(listener, state));

    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("page.test.mjs")
            .current_dir(&e2e)
            .env("CHAJA_URL", &url)
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
