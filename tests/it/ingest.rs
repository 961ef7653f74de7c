//! Indexing from files as `chaja index` does: JSONL with bad lines, replacement by id, exit codes.

use std::process::Command;

use chaja::config::Config;
use chaja::indexer;
use chaja::search::Engine;

use super::support::{analyzer, ids};

const MIXED: &str = concat!(
    "{\"id\":\"n1\",\"title\":\"서울 첫눈\",\"body\":\"서울에 첫눈이 내렸다.\",\"published_at\":\"2024-11-27\"}\n",
    "{\"id\":\"n2\",\"body\":\"깨진 줄\n",
    "{\"id\":\"n3\",\"title\":\"부산 불꽃축제\",\"body\":\"부산에서 불꽃축제가 열렸다.\",\"date\":\"2024-11-09T19:00:00+09:00\",\"source\":\"가상일보\",\"url\":\"https://example.com/n3\"}\n",
    "{\"id\":\"n4\",\"title\":\"본문 없음\"}\n",
    "{\"id\":\"n5\",\"body\":\"날짜가 이상하다\",\"date\":\"11/27/2024\"}\n",
    "{\"id\":\"n1\",\"title\":\"서울 첫눈 (수정)\",\"body\":\"서울에 폭설이 내렸다.\"}\n",
);

#[test]
fn bad_lines_are_reported_and_good_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("news.jsonl");
    std::fs::write(&input, MIXED).unwrap();
    let mut config = Config::default();
    config.index.dir = dir.path().join("index");
    let report = indexer::index_paths(std::slice::from_ref(&input), &config, &analyzer()).unwrap();
    assert_eq!((report.indexed, report.replaced), (2, 1));
    let skipped: Vec<(usize, &str)> = report
        .skipped
        .iter()
        .map(|b| (b.line, b.message.as_str()))
        .collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert_eq!(skipped[0].0, 2);
    assert!(
        skipped[1].1.contains("missing body") && skipped[1].0 == 4,
        "{skipped:?}"
    );
    assert!(
        skipped[2].1.contains("bad date") && skipped[2].0 == 5,
        "{skipped:?}"
    );
    assert!(report.skipped[0]
        .to_string()
        .starts_with(&format!("{}:2:", input.display())));

    let index = indexer::open_or_create(&config.index.dir, &analyzer()).unwrap();
    let engine = Engine::new(index, analyzer(), &config).unwrap();
    assert_eq!(engine.num_docs(), 2);
    assert_eq!(
        ids(&engine, "폭설"),
        vec!["n1"],
        "the later line replaced n1"
    );
    assert!(
        ids(&engine, "첫눈이").contains(&"n1".to_string()),
        "title still matches"
    );
    let n3 = engine.document("n3").unwrap();
    assert_eq!(
        n3.published_at.as_deref(),
        Some("2024-11-09T19:00:00+09:00")
    );
    assert_eq!(n3.source.as_deref(), Some("가상일보"));

    // Re-indexing the same file replaces instead of duplicating.
    let again = indexer::index_paths(&[input], &config, &analyzer()).unwrap();
    assert_eq!((again.indexed, again.replaced), (0, 3));
    engine.reload().unwrap();
    assert_eq!(engine.num_docs(), 2);
}

#[test]
fn gzip_input_is_read_as_a_stream() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("news.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&input).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(MIXED.as_bytes()).unwrap();
    gz.finish().unwrap();
    let mut config = Config::default();
    config.index.dir = dir.path().join("index");
    let report = indexer::index_paths(&[input], &config, &analyzer()).unwrap();
    assert_eq!(
        (report.indexed, report.replaced, report.skipped.len()),
        (2, 1, 3)
    );
}

fn chaja(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chaja"))
        .args(args)
        .current_dir(dir)
        .env("CHAJA_LOG", "warn")
        .env_remove("CHAJA_INDEX_DIR")
        .output()
        .unwrap()
}

/// `chaja index --input FILE --index-dir idx` in `dir`, which must succeed: its stdout and stderr.
fn index_ok(dir: &std::path::Path, file: &str) -> (String, String) {
    let out = chaja(dir, &["index", "--input", file, "--index-dir", "idx"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stdout}\n{stderr}");
    (stdout, stderr)
}

#[test]
fn cli_index_counts_and_fails_when_nothing_is_indexable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.jsonl"), MIXED).unwrap();
    std::fs::write(dir.path().join("bad.jsonl"), "{\"id\":\"x\"}\nnot json\n").unwrap();

    let (stdout, stderr) = index_ok(dir.path(), "good.jsonl");
    assert!(
        stdout.contains("indexed 2 new, replaced 1, skipped 3"),
        "{stdout}"
    );
    assert!(stderr.contains("good.jsonl:2:"), "{stderr}");

    let out = chaja(dir.path(), &["search", "불꽃축제", "--index-dir", "idx"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("부산 불꽃축제") && stdout.contains("[불꽃축제]"),
        "{stdout}"
    );

    let out = chaja(
        dir.path(),
        &["index", "--input", "bad.jsonl", "--index-dir", "idx2"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.jsonl:1:") && stderr.contains("bad.jsonl:2:"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing could be indexed"), "{stderr}");

    let out = chaja(
        dir.path(),
        &["index", "--input", "missing-folder", "--index-dir", "idx3"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file or folder"));
}

#[test]
fn a_javascript_url_is_reported_and_its_document_kept_without_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("x.jsonl"),
        "{\"id\":\"x1\",\"title\":\"월드컵 악성 링크\",\"body\":\"월드컵 기사\",\"url\":\"javascript:alert(document.domain)\"}\n",
    )
    .unwrap();
    let (stdout, stderr) = index_ok(dir.path(), "x.jsonl");
    assert!(
        stdout.contains("indexed 1 new, replaced 0, skipped 0"),
        "{stdout}"
    );
    assert!(
        stderr.contains("warning x.jsonl:1: document \"x1\": url \"javascript:"),
        "{stderr}"
    );
    let mut config = Config::default();
    config.index.dir = dir.path().join("idx");
    let index = indexer::open_existing(&config.index.dir, &analyzer()).unwrap();
    let engine = Engine::new(index, analyzer(), &config).unwrap();
    let x1 = engine.document("x1").unwrap();
    assert_eq!((x1.title.as_str(), x1.url), ("월드컵 악성 링크", None));
}

#[test]
fn serve_and_bench_refuse_folders_they_should_not_touch() {
    let dir = tempfile::tempdir().unwrap();
    // A mistyped index folder is an error that says how to build one, not an empty server.
    let out = chaja(
        dir.path(),
        &["serve", "--index-dir", "idnex", "--bind", "127.0.0.1:0"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("no index in idnex") && stderr.contains("chaja index --input"),
        "{stderr}"
    );
    assert!(!dir.path().join("idnex").exists(), "nothing was created");

    // The bench never deletes a folder it did not make.
    std::fs::write(dir.path().join("good.jsonl"), MIXED).unwrap();
    let real = dir.path().join("index");
    std::fs::create_dir(&real).unwrap();
    std::fs::write(real.join("meta.json"), "{}").unwrap();
    let out = chaja(
        dir.path(),
        &[
            "bench",
            "--input",
            "good.jsonl",
            "--build-dir",
            "index",
            "--rounds",
            "1",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("refusing to delete"), "{stderr}");
    assert!(real.join("meta.json").is_file());
}

#[test]
fn merging_leaves_fewer_segments_the_same_documents_and_no_stale_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    let index = indexer::open_or_create(&path, &analyzer()).unwrap();
    let config = Config::default();
    let articles: Vec<_> = chaja::ingest::sample().collect();
    // A segment per commit.
    for part in articles.chunks(articles.len() / 6) {
        indexer::index_articles(&index, &config, part.to_vec()).unwrap();
    }
    let segments = |index: &tantivy::Index| index.searchable_segment_metas().unwrap().len();
    let files = || std::fs::read_dir(&path).unwrap().count();
    let segments_before = segments(&index);
    assert!(segments_before >= 6, "{segments_before} segments");
    let engine = || Engine::new(index.clone(), analyzer(), &config).unwrap();
    let before = ids(&engine(), "대통령 선거");
    let files_before = files();
    // 0 MB means no merge (`index.merge_segment_mb = 0`).
    indexer::merge_segments(&index, &path, 0).unwrap();
    assert_eq!(segments(&index), segments_before);
    indexer::merge_segments(&index, &path, 1).unwrap();
    let after = segments(&index);
    assert!((2..segments_before).contains(&after), "{after} segments");
    assert_eq!(engine().num_docs(), articles.len() as u64);
    assert_eq!(ids(&engine(), "대통령 선거"), before);
    // The merged segments' files are deleted.
    assert!(
        files() < files_before,
        "{} files, {files_before} before",
        files()
    );
}
