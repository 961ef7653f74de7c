//! `chaja export opensearch` checked against real Lucene Nori (Debian's `liblucene8-java`, run with
//! `java`): the template's user-dictionary rules, stop tags and synonyms load into Nori's analysis
//! chain, and every exported user-dictionary word analyses as one token.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::analyzer;
use chaja::config::Config;
use chaja::indexer;

/// The class path of Lucene's core and Nori jars, when Java and the jars are there.
pub fn lucene() -> Option<String> {
    let java = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    let jars: Vec<PathBuf> = [
        "lucene-core",
        "lucene-analyzers-nori",
        "lucene-analyzers-common",
    ]
    .iter()
    .filter_map(|name| {
        std::fs::read_dir("/usr/share/java")
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                let file = p.file_name().and_then(|f| f.to_str()).unwrap_or_default();
                file.starts_with(&format!("{name}-"))
                    && file.ends_with(".jar")
                    && file[name.len() + 1..].starts_with(char::is_numeric)
            })
    })
    .collect();
    (java && jars.len() == 3).then(|| {
        jars.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(":")
    })
}

pub fn the_exported_template_loads_into_lucene_nori() {
    let classpath = lucene().expect("java or liblucene8-java is missing (.ci/run installs both)");
    let dir = tempfile::tempdir().unwrap();
    let config = Config::default();
    let index = indexer::open_or_create(&dir.path().join("index"), &analyzer()).unwrap();
    indexer::index_articles(&index, &config, chaja::ingest::sample().take(30)).unwrap();
    let out = dir.path().join("export");
    let written = chaja::export::opensearch("news", &config, &index, &out).unwrap();
    assert_eq!(written, 30);
    let lines = std::fs::read_to_string(out.join("documents.ndjson")).unwrap();
    assert_eq!(
        lines.lines().count(),
        60,
        "an action and a document per article"
    );

    let template: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("template.json")).unwrap()).unwrap();
    let analysis = &template["template"]["settings"]["analysis"];
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let rules = strings(&analysis["tokenizer"]["chaja_nori"]["user_dictionary_rules"]);
    let stoptags = strings(&analysis["filter"]["chaja_pos"]["stoptags"]);
    let synonyms = strings(&analysis["filter"]["chaja_synonyms"]["synonyms"]);
    let mode = analysis["tokenizer"]["chaja_nori"]["decompound_mode"]
        .as_str()
        .unwrap();
    std::fs::write(dir.path().join("rules.txt"), rules.join("\n")).unwrap();
    std::fs::write(dir.path().join("synonyms.txt"), synonyms.join("\n")).unwrap();
    let texts: Vec<String> = rules
        .iter()
        .map(|word| format!("{word} 관련 기사"))
        .collect();
    let output = Command::new("java")
        .arg("-cp")
        .arg(&classpath)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nori/NoriCheck.java"))
        .arg(dir.path().join("rules.txt"))
        .arg(stoptags.join(","))
        .arg(mode)
        .arg(dir.path().join("synonyms.txt"))
        .args(&texts)
        .output()
        .expect("java runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "Nori refused the export:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lines = stdout.lines();
    let loaded = lines.next().unwrap_or_default();
    // Most synonym groups load; a lenient cluster skips the few Nori cannot read (an
    // abbreviation it splits around a stop tag, e.g. 여가부).
    let counts: Vec<usize> = loaded
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        counts.len() == 2 && counts[0] >= 3 * counts[1].max(1),
        "{loaded}"
    );
    println!("Nori: {loaded} of {} synonym groups", synonyms.len());
    for (word, analysed) in rules.iter().zip(lines) {
        let tokens: Vec<&str> = analysed.split_whitespace().collect();
        assert_eq!(
            tokens,
            [word.to_lowercase().as_str(), "관련", "기사"],
            "{word} 관련 기사 in Nori: {analysed}"
        );
    }
}
