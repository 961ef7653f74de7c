//! `chaja export opensearch`: an index as an OpenSearch/Elasticsearch index template (the Nori
//! analysis chain closest to chaja's: its user dictionary as `user_dictionary_rules`, its stop tags
//! as `nori_part_of_speech`, `nori_readingform`, lowercase, its synonyms as a search-time
//! `synonym_graph`, a `cjk_bigram` sub-field) and its documents as `_bulk` NDJSON, for a cluster to
//! take over when one machine is not enough.

use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::{json, Value};

use crate::catalog::List;
use crate::config::{Config, Decompound};
use crate::error::Error;

/// Nori's part-of-speech tags (`org.apache.lucene.analysis.ko.POS.Tag`); ko-dic's finer endings and
/// particles (`EF`, `JKS`, …) are `E` and `J` there.
const NORI_TAGS: &[&str] = &[
    "E", "IC", "J", "MAG", "MAJ", "MM", "NA", "NNB", "NNBC", "NNG", "NNP", "NP", "NR", "SC", "SE",
    "SF", "SH", "SL", "SN", "SP", "SSC", "SSO", "SY", "UNA", "UNKNOWN", "VA", "VCN", "VCP", "VSV",
    "VV", "VX", "XPN", "XR", "XSA", "XSN", "XSV",
];

/// chaja's stop tags as Nori's.
pub fn nori_stop_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let nori = match tag.chars().next() {
            Some('E') => "E".to_string(),
            Some('J') => "J".to_string(),
            _ => tag.clone(),
        };
        if NORI_TAGS.contains(&nori.as_str()) && !out.contains(&nori) {
            out.push(nori);
        }
    }
    out
}

/// The user dictionary's words as Nori `user_dictionary_rules` (one word per rule).
pub fn nori_rules(csv: &str) -> Vec<String> {
    let mut rules: Vec<String> = crate::analyzer::user_surfaces(csv)
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty() && !w.contains(char::is_whitespace))
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

/// chaja's synonym groups as Solr-format lines (`a, b, c`).
pub fn synonym_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| l.contains(','))
        .map(|l| {
            l.split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect()
}

/// The index template for an index named `name` with the settings `config` (resolved for its folder).
pub fn template(name: &str, config: &Config) -> Result<Value, Error> {
    let rules = nori_rules(&List::UserDictionary.text(config)?);
    let synonyms = synonym_lines(&List::Synonyms.text(config)?);
    let mode = match config.analyzer.decompound {
        Decompound::None => "none",
        Decompound::Discard => "discard",
        Decompound::Mixed => "mixed",
    };
    let korean_filters = json!(["chaja_pos", "nori_readingform", "lowercase"]);
    let text_field = json!({
        "type": "text",
        "analyzer": "chaja_korean",
        "search_analyzer": "chaja_korean_search",
        "fields": {"bigram": {"type": "text", "analyzer": "chaja_bigram"}},
    });
    Ok(json!({
        "index_patterns": [name],
        "template": {
            "settings": {
                "index": {"number_of_shards": 1, "number_of_replicas": 1},
                "analysis": {
                    "tokenizer": {
                        "chaja_nori": {
                            "type": "nori_tokenizer",
                            "decompound_mode": mode,
                            "user_dictionary_rules": rules,
                        },
                        // Synonyms are applied at search time after a tokenizer that does not
                        // decompound: a synonym filter after a decompounding one fails to build
                        // (elastic/elasticsearch#37751). The index holds the compounds too (mixed).
                        "chaja_nori_search": {
                            "type": "nori_tokenizer",
                            "decompound_mode": "none",
                            "user_dictionary_rules": rules,
                        },
                    },
                    "filter": {
                        "chaja_pos": {
                            "type": "nori_part_of_speech",
                            "stoptags": nori_stop_tags(&config.analyzer.stop_tags),
                        },
                        "chaja_synonyms": {
                            "type": "synonym_graph",
                            "synonyms": synonyms,
                            "lenient": true,
                        },
                    },
                    "analyzer": {
                        "chaja_korean": {"type": "custom", "tokenizer": "chaja_nori", "filter": korean_filters},
                        "chaja_korean_search": {
                            "type": "custom",
                            "tokenizer": "chaja_nori_search",
                            "filter": ["chaja_pos", "nori_readingform", "lowercase", "chaja_synonyms"],
                        },
                        "chaja_bigram": {
                            "type": "custom",
                            "tokenizer": "standard",
                            "filter": ["cjk_width", "lowercase", "cjk_bigram"],
                        },
                    },
                },
            },
            "mappings": {
                "properties": {
                    "title": text_field,
                    "body": text_field,
                    "source": {"type": "keyword"},
                    "url": {"type": "keyword", "index": false},
                    "published_at": {"type": "date"},
                },
            },
        },
    }))
}

/// Writes `template.json` and `documents.ndjson` (every live document as `_bulk` actions) for the
/// index in `config.index.dir`, named `name` in the cluster; returns the documents written.
pub fn opensearch(
    name: &str,
    config: &Config,
    index: &tantivy::Index,
    out: &Path,
) -> Result<u64, Error> {
    std::fs::create_dir_all(out)?;
    let template = template(name, config)?;
    let pretty = serde_json::to_string_pretty(&template)
        .map_err(|e| crate::error::InternalError::Task(e.to_string()))?;
    std::fs::write(out.join("template.json"), pretty + "\n")?;
    let searcher = index.reader()?.searcher();
    let mut writer = BufWriter::new(std::fs::File::create(out.join("documents.ndjson"))?);
    let written = crate::indexer::for_each_stored(&searcher, |article| {
        let action = json!({"index": {"_index": name, "_id": article.id}});
        let source = json!({
            "title": article.title,
            "body": article.body,
            "source": article.source,
            "url": article.url,
            "published_at": article.published_at.map(crate::kst::format_rfc3339),
        });
        writeln!(writer, "{action}\n{source}")?;
        Ok(())
    })?;
    writer.flush()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chaja_settings_become_nori_settings() {
        let tags: Vec<String> = ["E", "EF", "JKS", "J", "MAG", "XSV", "NOPE"]
            .iter()
            .map(|t| t.to_string())
            .collect();
        assert_eq!(nori_stop_tags(&tags), ["E", "J", "MAG", "XSV"]);
        assert_eq!(
            nori_rules(
                "# new words\n딥시크,NNP,딥시크\n챠자랩스,NNP,챠자랩스\n딥시크,NNG,딥시크\n"
            ),
            ["딥시크", "챠자랩스"]
        );
        assert_eq!(
            synonym_lines("AI,인공지능 # 약어\n\n한은, 한국은행\n"),
            ["AI, 인공지능", "한은, 한국은행"]
        );
        let template = template("news", &Config::default()).unwrap();
        let analysis = &template["template"]["settings"]["analysis"];
        assert_eq!(
            analysis["tokenizer"]["chaja_nori"]["decompound_mode"],
            "mixed"
        );
        assert!(
            analysis["tokenizer"]["chaja_nori"]["user_dictionary_rules"]
                .as_array()
                .unwrap()
                .len()
                > 5
        );
        assert!(
            analysis["filter"]["chaja_synonyms"]["synonyms"]
                .as_array()
                .unwrap()
                .len()
                > 10
        );
    }
}
