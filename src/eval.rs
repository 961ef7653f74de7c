//! Retrieval quality: runs a query set against the index and scores it against relevance judgements
//! (MRR@10, Recall@1, Recall@10), optionally writing a TREC run file.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::search::Engine;

/// One benchmark question.
#[derive(Debug, Clone, Deserialize)]
pub struct EvalQuery {
    pub qid: String,
    pub query: String,
}

/// Reads `{"qid","query"}` lines.
pub fn read_queries(path: &Path) -> Result<Vec<EvalQuery>, Error> {
    let file =
        std::fs::File::open(path).map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let mut queries = Vec::new();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let query: EvalQuery = serde_json::from_str(&line)
            .map_err(|e| Error::Input(format!("{}:{}: {e}", path.display(), n + 1)))?;
        queries.push(query);
    }
    Ok(queries)
}

/// Reads judgements in either TREC form: `qid doc relevance` or `qid iteration doc relevance`
/// (whitespace-separated); relevance above 0 counts. The number of columns decides which is which,
/// so a numeric doc id is never taken for a relevance.
pub fn read_qrels(path: &Path) -> Result<HashMap<String, HashSet<String>>, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let mut qrels: HashMap<String, HashSet<String>> = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [] => {}
            [qid, doc, rel] | [qid, _, doc, rel] => {
                let relevance = rel.parse::<f32>().map_err(|_| {
                    Error::Input(format!(
                        "{}:{}: relevance must be a number, got {rel:?}",
                        path.display(),
                        n + 1
                    ))
                })?;
                if relevance > 0.0 {
                    qrels
                        .entry(qid.to_string())
                        .or_default()
                        .insert(doc.to_string());
                }
            }
            _ => {
                return Err(Error::Input(format!(
                    "{}:{}: expected `qid doc relevance` or `qid iteration doc relevance`",
                    path.display(),
                    n + 1
                )))
            }
        }
    }
    Ok(qrels)
}

/// Scores of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    pub queries: usize,
    pub mrr_at_10: f64,
    pub recall_at_1: f64,
    pub recall_at_10: f64,
    pub mean_ms: f64,
    /// The same queries with related articles folded (a judged article found inside a group counts
    /// at its group's rank); `None` when the index has no groups.
    pub grouped: Option<Grouped>,
}

/// Known-item figures with grouping on.
#[derive(Debug, Clone, Serialize)]
pub struct Grouped {
    pub mrr_at_10: f64,
    pub recall_at_1: f64,
    pub recall_at_10: f64,
}

/// Reciprocal rank, hit at 1, hit in 10, summed over queries.
#[derive(Debug, Default, Clone, Copy)]
struct Sums {
    rr: f64,
    r1: f64,
    r10: f64,
}

impl Sums {
    fn add(&mut self, rank: Option<usize>) {
        if let Some(rank) = rank {
            self.rr += 1.0 / (rank + 1) as f64;
            self.r1 += f64::from(u8::from(rank == 0));
            self.r10 += 1.0;
        }
    }
}

/// Runs every judged query (top 10, text as typed) and scores the ranking.
pub fn evaluate(
    engine: &Engine,
    queries: &[EvalQuery],
    qrels: &HashMap<String, HashSet<String>>,
    mut run: Option<&mut dyn Write>,
) -> Result<Metrics, Error> {
    let (mut plain, mut grouped, mut n) = (Sums::default(), Sums::default(), 0usize);
    let mut spent = Duration::ZERO;
    let mut has_groups = false;
    for query in queries {
        let Some(relevant) = qrels.get(&query.qid) else {
            continue;
        };
        let started = Instant::now();
        let ranked = engine.top_k_ids(&query.query, 10)?;
        spent += started.elapsed();
        n += 1;
        plain.add(ranked.iter().position(|(id, _)| relevant.contains(id)));
        let mut judged_groups = Vec::new();
        for id in relevant {
            judged_groups.extend(engine.group_of(id)?);
        }
        if !judged_groups.is_empty() {
            has_groups = true;
            let folded = engine.top_k_groups(&query.query, 10)?;
            grouped.add(
                folded.iter().position(|(id, _, group)| {
                    relevant.contains(id) || judged_groups.contains(group)
                }),
            );
        }
        if let Some(out) = run.as_mut() {
            for (rank, (id, score)) in ranked.iter().enumerate() {
                writeln!(out, "{} Q0 {} {} {} chaja", query.qid, id, rank + 1, score)?;
            }
        }
    }
    let per = |x: f64| if n == 0 { 0.0 } else { x / n as f64 };
    Ok(Metrics {
        queries: n,
        mrr_at_10: per(plain.rr),
        recall_at_1: per(plain.r1),
        recall_at_10: per(plain.r10),
        mean_ms: per(spent.as_secs_f64() * 1000.0),
        grouped: has_groups.then(|| Grouped {
            mrr_at_10: per(grouped.rr),
            recall_at_1: per(grouped.r1),
            recall_at_10: per(grouped.r10),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qrels_of(text: &str) -> Result<HashMap<String, HashSet<String>>, Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qrels.tsv");
        std::fs::write(&path, text).unwrap();
        read_qrels(&path)
    }

    #[test]
    fn qrels_in_three_and_four_columns() {
        let qrels = qrels_of(concat!(
            "q1\tnews-001\t1\n",
            "q2 0 20240924 1\n",
            "q2 0 20240925 0\n",
            "\n",
            "q3\t12345\t2\n",
        ))
        .unwrap();
        let docs = |q: &str| {
            let mut d: Vec<&str> = qrels[q].iter().map(String::as_str).collect();
            d.sort();
            d
        };
        assert_eq!(docs("q1"), ["news-001"]);
        // The numeric doc id of a 4-column line is the doc, not the relevance.
        assert_eq!(docs("q2"), ["20240924"]);
        assert_eq!(docs("q3"), ["12345"]);
        assert!(qrels_of("q1 doc\n").is_err());
        assert!(qrels_of("q1 0 doc 1 extra\n").is_err());
        let err = qrels_of("q1\tdoc\tyes\n").unwrap_err().to_string();
        assert!(err.contains(":1: relevance"), "{err}");
    }
}
