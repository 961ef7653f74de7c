//! "At least m of these n clauses", led by the rarest: a document holding m of n clauses holds one
//! of the n − m + 1 rarest, so only those are walked and the others are sought at their documents.
//! tantivy's minimum-match disjunction walks every posting of every clause through a heap, which on a
//! million documents makes a two-word query's bigrams (`전자` is in a third of them) its whole cost.

use std::sync::Arc;

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// Matches documents matched by at least `minimum` of `clauses`, scoring the sum of their scores.
#[derive(Debug)]
pub struct AtLeast {
    pub clauses: Vec<Box<dyn Query>>,
    pub minimum: usize,
}

impl Clone for AtLeast {
    fn clone(&self) -> AtLeast {
        AtLeast {
            clauses: self.clauses.iter().map(|q| q.box_clone()).collect(),
            minimum: self.minimum,
        }
    }
}

impl Query for AtLeast {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .clauses
            .iter()
            .map(|q| q.weight(scoring).map(Arc::from))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AtLeastWeight {
            weights,
            minimum: self.minimum.max(1),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct AtLeastWeight {
    weights: Vec<Arc<dyn Weight>>,
    minimum: usize,
}

impl Weight for AtLeastWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            // A clause with no document here can never be one of the m.
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        if scorers.len() < self.minimum {
            return Ok(Box::new(EmptyScorer));
        }
        scorers.sort_by_key(|s| s.size_hint());
        Ok(Box::new(AtLeastScorer::new(scorers, self.minimum)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = scorer_on(self, reader, doc)?;
        Ok(Explanation::new(
            "sum of the matching clauses",
            scorer.score(),
        ))
    }
}

/// `weight`'s scorer on `doc`, or the error an explanation of a document it does not match gives.
pub(super) fn scorer_on(
    weight: &dyn Weight,
    reader: &SegmentReader,
    doc: DocId,
) -> tantivy::Result<Box<dyn Scorer>> {
    let mut scorer = weight.scorer(reader, 1.0)?;
    if scorer.seek(doc) != doc {
        return Err(tantivy::TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )));
    }
    Ok(scorer)
}

struct AtLeastScorer {
    /// Rarest first.
    scorers: Vec<Box<dyn Scorer>>,
    /// The first `lead` scorers are walked; the rest are sought.
    lead: usize,
    minimum: usize,
    doc: DocId,
    /// The scorers on `doc`.
    matched: Vec<usize>,
}

impl AtLeastScorer {
    fn new(scorers: Vec<Box<dyn Scorer>>, minimum: usize) -> AtLeastScorer {
        let lead = scorers.len() + 1 - minimum;
        let mut scorer = AtLeastScorer {
            lead,
            minimum,
            doc: 0,
            matched: Vec::with_capacity(scorers.len()),
            scorers,
        };
        scorer.doc = scorer.first_from(0);
        scorer
    }

    /// The first matching document at or after `target`.
    fn first_from(&mut self, mut target: DocId) -> DocId {
        let n = self.scorers.len();
        loop {
            let mut candidate = TERMINATED;
            for scorer in &mut self.scorers[..self.lead] {
                if scorer.doc() < target {
                    scorer.seek(target);
                }
                candidate = candidate.min(scorer.doc());
            }
            if candidate == TERMINATED {
                self.matched.clear();
                return TERMINATED;
            }
            self.matched.clear();
            for (i, scorer) in self.scorers.iter_mut().enumerate() {
                if self.matched.len() + (n - i) < self.minimum {
                    break;
                }
                if i >= self.lead && scorer.doc() < candidate {
                    scorer.seek(candidate);
                }
                if scorer.doc() == candidate {
                    self.matched.push(i);
                }
            }
            if self.matched.len() >= self.minimum {
                return candidate;
            }
            target = candidate + 1;
        }
    }
}

impl DocSet for AtLeastScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.first_from(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target > self.doc {
            self.doc = self.first_from(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers[..self.lead]
            .iter()
            .map(|s| s.size_hint())
            .fold(0u32, u32::saturating_add)
    }
}

impl Scorer for AtLeastScorer {
    fn score(&mut self) -> Score {
        let mut sum = 0.0;
        for &i in &self.matched {
            sum += self.scorers[i].score();
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index};

    #[test]
    fn same_documents_and_scores_as_tantivys_minimum_match() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let words = ["삼성", "성전", "전자", "반도", "도체", "서울"];
        for round in 0..2 {
            let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
            for i in 0..400usize {
                let text: Vec<&str> = (0..1 + (i * 5 + round) % 7)
                    .map(|j| words[(i * 3 + j * j + round) % words.len()])
                    .collect();
                writer.add_document(doc!(body => text.join(" "))).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        let clauses = |n: usize| -> Vec<Box<dyn Query>> {
            words[..n]
                .iter()
                .map(|w| {
                    let term = Term::from_field_text(body, w);
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>
                })
                .collect()
        };
        for n in 2..=5 {
            for minimum in 2..=n {
                let ours = AtLeast {
                    clauses: clauses(n),
                    minimum,
                };
                let theirs = BooleanQuery::with_minimum_required_clauses(
                    clauses(n).into_iter().map(|q| (Occur::Should, q)).collect(),
                    minimum,
                );
                // Every match with its score, in document order (sums in another order may
                // break ties between equal scores the other way).
                let all = |query: &dyn Query| {
                    let mut hits = searcher.search(query, &TopDocs::with_limit(1000)).unwrap();
                    hits.sort_by_key(|h| h.1);
                    hits
                };
                let (got, want) = (all(&ours), all(&theirs));
                assert!(minimum > 2 || !want.is_empty(), "{minimum} of {n}");
                assert_eq!(got.len(), want.len(), "{minimum} of {n}");
                for ((a, da), (b, db)) in got.iter().zip(&want) {
                    assert_eq!(da, db, "{minimum} of {n}");
                    assert!((a - b).abs() < 1e-4, "{minimum} of {n}: {a} against {b}");
                }
                let count = tantivy::collector::Count;
                let counted = searcher.search(&ours, &count).unwrap();
                assert_eq!(counted, searcher.search(&theirs, &count).unwrap());
            }
        }
    }
}
