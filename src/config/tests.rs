use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn file_then_env_override_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "[server]\nbind = \"0.0.0.0:9000\"\n[search]\ntitle_boost = 3.0\n",
    )
    .unwrap();
    let config = Config::load(Some(&path), env(&[("CHAJA_SEARCH_TITLE_BOOST", "1.5")])).unwrap();
    assert_eq!(config.server.bind, "0.0.0.0:9000");
    assert_eq!(config.search.title_boost, 1.5);
    assert_eq!(config.index.dir, PathBuf::from("index"));
    let config = Config::load(Some(&path), env(&[("CHAJA_BIND", "127.0.0.1:1")])).unwrap();
    assert_eq!(config.server.bind, "127.0.0.1:1");
    let config = Config::load(Some(&path), env(&[("CHAJA_INDEX_DIR", "/tmp/x")])).unwrap();
    assert_eq!(config.index.dir, PathBuf::from("/tmp/x"));
}

#[test]
fn typos_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "[server]\nbnid = \"x\"\n").unwrap();
    let err = Config::load(Some(&path), env(&[])).unwrap_err();
    assert!(err.to_string().contains("bnid"), "{err}");
    std::fs::write(&path, "").unwrap();
    assert!(Config::load(Some(&path), env(&[("CHAJA_SEARCH_TITLE_BOOST", "-1")])).is_err());
    assert!(Config::load(Some(&dir.path().join("missing.toml")), env(&[])).is_err());
}

#[test]
fn unknown_variables_are_ignored_and_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "").unwrap();
    // What Kubernetes puts into every pod of a namespace with a Service named `chaja`.
    let kubernetes = env(&[
        ("CHAJA_PORT", "tcp://10.96.0.7:8080"),
        ("CHAJA_PORT_8080_TCP", "tcp://10.96.0.7:8080"),
        ("CHAJA_PORT_8080_TCP_ADDR", "10.96.0.7"),
        ("CHAJA_SERVICE_HOST", "10.96.0.7"),
        ("CHAJA_SERVICE_PORT", "8080"),
        ("CHAJA_SERVR_BIND", "x"),
        ("CHAJA_SERVER_BIND", "0.0.0.0:9000"),
    ]);
    let (config, ignored) = Config::load_reporting(Some(&path), kubernetes).unwrap();
    assert_eq!(config.server.bind, "0.0.0.0:9000");
    assert_eq!(
        ignored,
        [
            "CHAJA_PORT",
            "CHAJA_PORT_8080_TCP",
            "CHAJA_PORT_8080_TCP_ADDR",
            "CHAJA_SERVICE_HOST",
            "CHAJA_SERVICE_PORT",
            "CHAJA_SERVR_BIND"
        ]
    );
    // Unknown keys in the file stay errors.
    std::fs::write(&path, "[server]\nport = 1\n").unwrap();
    assert!(Config::load(Some(&path), env(&[])).is_err());
}

#[test]
fn numbers_out_of_range_name_the_key_and_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    for (text, key) in [
        (
            "[search]\nproximity_window = 0\n",
            "search.proximity_window",
        ),
        (
            "[index]\nwriter_heap_mb = 9223372036854775807\n",
            "index.writer_heap_mb",
        ),
        ("[index]\nthreads = 100\n", "index.threads"),
        ("[search]\nsnippet_chars = 0\n", "search.snippet_chars"),
        ("[search]\ndefault_limit = 5000\n", "search.default_limit"),
        (
            "[search]\ncommon_term_ratio = 1.5\n",
            "search.common_term_ratio",
        ),
        (
            "[search]\nproximity_weight = nan\n",
            "search.proximity_weight",
        ),
        (
            "[server]\nrequest_timeout_secs = 0\n",
            "server.request_timeout_secs",
        ),
    ] {
        std::fs::write(&path, text).unwrap();
        let err = Config::load(Some(&path), env(&[])).unwrap_err().to_string();
        assert!(
            err.contains(key) && err.contains("between")
                || err.contains(key) && err.contains("up to"),
            "{text}: {err}"
        );
    }
    std::fs::write(&path, "[search]\nproximity_window = -3\n").unwrap();
    let err = Config::load(Some(&path), env(&[])).unwrap_err().to_string();
    assert!(err.contains("search.proximity_window"), "{err}");
}

#[test]
fn shipped_config_toml_is_valid_and_matches_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml");
    let config = Config::load(Some(&path), env(&[])).unwrap();
    assert_eq!(config, Config::default());
}
