//! "Either of two queries", scored as the sum of those that match: a word in the title or the body,
//! a compound whole or through its parts, a keyword query's words or enough of its bigrams. tantivy
//! joins any two optional clauses with its buffered union, which scores every document of a
//! 4,096-document window each time it is sought past it — inside an intersection, where a two-word
//! query's words are sought at the rarer word's documents, that window was most of a query's cost.
//! This one steps its two clauses in turn and scores only the document it stands on, with the same
//! sum (two scores add up the same in either order).

use tantivy::query::{BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// Matches documents matched by `a` or `b` (or both), scoring the sum of their scores.
#[derive(Debug)]
pub struct Either {
    pub a: Box<dyn Query>,
    pub b: Box<dyn Query>,
}

impl Clone for Either {
    fn clone(&self) -> Either {
        Either {
            a: self.a.box_clone(),
            b: self.b.box_clone(),
        }
    }
}

impl Either {
    /// `query` as tantivy's own union when it is an `Either`: a query's outermost union of two terms
    /// is walked by tantivy with block-max WAND, which needs its union.
    pub fn outermost(query: Box<dyn Query>) -> Box<dyn Query> {
        match query.downcast_ref::<Either>() {
            Some(either) => Box::new(BooleanQuery::new(vec![
                (Occur::Should, either.a.box_clone()),
                (Occur::Should, either.b.box_clone()),
            ])),
            None => query,
        }
    }
}

impl Query for Either {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(EitherWeight {
            a: self.a.weight(scoring)?,
            b: self.b.weight(scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.a.query_terms(visitor);
        self.b.query_terms(visitor);
    }
}

struct EitherWeight {
    a: Box<dyn Weight>,
    b: Box<dyn Weight>,
}

impl Weight for EitherWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let a = self.a.scorer(reader, boost)?;
        let b = self.b.scorer(reader, boost)?;
        if a.doc() == TERMINATED {
            return Ok(b);
        }
        if b.doc() == TERMINATED {
            return Ok(a);
        }
        Ok(Box::new(EitherScorer::new(a, b)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = super::at_least::scorer_on(self, reader, doc)?;
        let mut explanation = Explanation::new("sum of either", scorer.score());
        for weight in [&self.a, &self.b] {
            if let Ok(detail) = weight.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
}

/// The two clauses with the documents they stand on (kept here: asking a boxed clause costs a call).
struct EitherScorer<A, B> {
    a: A,
    b: B,
    at_a: DocId,
    at_b: DocId,
    doc: DocId,
}

impl<A: Scorer, B: Scorer> EitherScorer<A, B> {
    fn new(a: A, b: B) -> EitherScorer<A, B> {
        let (at_a, at_b) = (a.doc(), b.doc());
        EitherScorer {
            a,
            b,
            at_a,
            at_b,
            doc: at_a.min(at_b),
        }
    }
}

impl<A: Scorer, B: Scorer> DocSet for EitherScorer<A, B> {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        if self.at_a == self.doc {
            self.at_a = self.a.advance();
        }
        if self.at_b == self.doc {
            self.at_b = self.b.advance();
        }
        self.doc = self.at_a.min(self.at_b);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if self.at_a < target {
            self.at_a = self.a.seek(target);
        }
        if self.at_b < target {
            self.at_b = self.b.seek(target);
        }
        self.doc = self.at_a.min(self.at_b);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.a.size_hint().max(self.b.size_hint())
    }
}

impl<A: Scorer, B: Scorer> Scorer for EitherScorer<A, B> {
    fn score(&mut self) -> Score {
        let mut score = 0.0;
        if self.at_a == self.doc {
            score += self.a.score();
        }
        if self.at_b == self.doc {
            score += self.b.score();
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    use super::*;

    /// Documents over more than one 4,096-document window, with words of every density: `every2` in
    /// half the bodies, `rare` in one in 997, `head` in one title in eleven.
    fn index() -> (Index, tantivy::schema::Field, tantivy::schema::Field) {
        let mut builder = Schema::builder();
        let title = builder.add_text_field("title", TEXT);
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..12_000u32 {
            let mut words = Vec::new();
            for (every, word) in [(2, "every2"), (7, "every7"), (997, "rare")] {
                if i % every == 0 {
                    words.push(word);
                }
            }
            if i % 3 == 0 {
                words.push("every2 every2");
            }
            let title_text = if i % 11 == 0 { "head rare" } else { "other" };
            writer
                .add_document(doc!(title => title_text, body => words.join(" ")))
                .unwrap();
        }
        writer.commit().unwrap();
        (index, title, body)
    }

    fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
        let term = Term::from_field_text(field, text);
        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
    }

    fn union(a: Box<dyn Query>, b: Box<dyn Query>) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, a),
            (Occur::Should, b),
        ]))
    }

    /// Every matching document with its score, best first.
    fn ranked(index: &Index, query: &dyn Query) -> Vec<(f32, tantivy::DocAddress)> {
        let searcher = index.reader().unwrap().searcher();
        searcher
            .search(query, &TopDocs::with_limit(20_000))
            .unwrap()
    }

    #[test]
    fn either_finds_and_scores_what_the_union_does_alone_and_inside_an_intersection() {
        let (index, title, body) = index();
        let searcher = index.reader().unwrap().searcher();
        for (a, b) in [("rare", "rare"), ("head", "every2"), ("every2", "every7")] {
            let either = || -> Box<dyn Query> {
                Box::new(Either {
                    a: term(title, a),
                    b: term(body, b),
                })
            };
            let plain = union(term(title, a), term(body, b));
            let found = ranked(&index, &*either());
            assert!(!found.is_empty());
            assert_eq!(found, ranked(&index, &*plain));
            // Inside an intersection, sought at another word's documents, sparse and dense.
            for other in ["rare", "every7", "every2"] {
                let within = |q: Box<dyn Query>| -> Box<dyn Query> {
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Must, q),
                        (Occur::Must, term(body, other)),
                    ]))
                };
                let found = ranked(&index, &*within(either()));
                assert_eq!(
                    found,
                    ranked(&index, &*within(plain.box_clone())),
                    "{a} {b} {other}"
                );
                let count = searcher.search(&*within(either()), &Count).unwrap();
                assert_eq!(count, found.len());
            }
        }
    }

    #[test]
    fn an_outermost_either_becomes_the_union_and_others_stay() {
        let (_, title, body) = index();
        let either: Box<dyn Query> = Box::new(Either {
            a: term(title, "rare"),
            b: term(body, "rare"),
        });
        assert!(Either::outermost(either)
            .downcast_ref::<BooleanQuery>()
            .is_some());
        let alone = term(body, "rare");
        assert!(Either::outermost(alone)
            .downcast_ref::<TermQuery>()
            .is_some());
    }
}
