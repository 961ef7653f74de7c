//! The builder of `QueryKind::Question`: a question or a long query of plain words, found through any of
//! its words and ranked by how much of it matches, words and bigrams alike.

use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::{
    boosted_clauses, push_whole_words, Analysed, Builder, Built, Clause, QueryKind, Ranking,
};
use crate::search::flat::FlatTerms;
use crate::search::syntax::Role;

impl Builder<'_> {
    /// Flat disjunctions of term queries over the morphemes (title weighted by
    /// `long_query_title_boost`) and the bigrams. A document is found through a word of the question;
    /// the bigrams (in nearly every document for a long question) add to its score, so `total`
    /// counts the documents that hold a word.
    pub(super) fn question(&self, analysed: Analysed) -> Option<Built> {
        let spans = analysed.spans();
        let bigram_source = analysed.bigram_source(true);
        let mut words: Vec<String> = Vec::new();
        let mut excluded = Vec::new();
        for (role, atom, tokens) in analysed.atoms {
            if role == Role::Exclude {
                excluded.extend(self.atom(atom, tokens));
                continue;
            }
            push_whole_words(&tokens, &mut words);
        }
        self.leave_out_common_words(&mut words);
        // Every term with its boost; summed, they score a document as `query` does.
        let word_terms = self.word_terms(&words);
        let gram_terms = self.gram_terms(&bigram_source);
        let scored = boosted_clauses(&word_terms, IndexRecordOption::WithFreqs);
        let highlight: Vec<Clause> = scored.iter().map(|(o, q)| (*o, q.box_clone())).collect();
        let gram_clauses = boosted_clauses(&gram_terms, IndexRecordOption::WithFreqs);
        let without = |query: Box<dyn Query>| -> Box<dyn Query> {
            if excluded.is_empty() {
                return query;
            }
            let mut all = vec![(Occur::Must, query)];
            all.extend(excluded.iter().map(|q| (Occur::MustNot, q.box_clone())));
            Box::new(BooleanQuery::new(all))
        };
        if scored.is_empty() && gram_clauses.is_empty() {
            return None;
        }
        let count: Box<dyn Query> = if scored.is_empty() {
            // Only bigrams are left (every word was a question word): they find the documents.
            Box::new(BooleanQuery::new(boosted_clauses(
                &gram_terms,
                IndexRecordOption::Basic,
            )))
        } else {
            Box::new(BooleanQuery::new(boosted_clauses(
                &word_terms,
                IndexRecordOption::Basic,
            )))
        };
        // The bigrams alone find more documents than `query`, which `count` leaves out.
        // Found as `count` finds them: through the words, or the bigrams when no word is left.
        let finders = if word_terms.is_empty() {
            gram_terms.len()
        } else {
            word_terms.len()
        };
        let flat = FlatTerms {
            terms: word_terms.into_iter().chain(gram_terms).collect(),
            finders,
        };
        // The words find the documents; the bigrams add to their scores.
        let query: Box<dyn Query> = if scored.is_empty() || gram_clauses.is_empty() {
            Box::new(BooleanQuery::new(
                scored.into_iter().chain(gram_clauses).collect(),
            ))
        } else {
            Box::new(BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(scored)) as Box<dyn Query>,
                ),
                (Occur::Should, Box::new(BooleanQuery::new(gram_clauses))),
            ]))
        };
        Some(Built {
            kind: QueryKind::Question,
            flat: excluded.is_empty().then_some(flat),
            query: without(query),
            count: without(count),
            spans,
            highlight: Box::new(BooleanQuery::new(highlight)),
            ranking: Ranking::Proximity {
                words,
                typed: bigram_source,
            },
        })
    }

    /// Each word in the body, and in the title weighted by `long_query_title_boost` (unless 0).
    fn word_terms(&self, words: &[String]) -> Vec<(Term, f32)> {
        let fields: Vec<(Field, f32)> = std::iter::once((self.fields.body, 1.0))
            .chain(
                (self.config.long_query_title_boost > 0.0)
                    .then_some((self.fields.title, self.config.long_query_title_boost)),
            )
            .collect();
        words
            .iter()
            .flat_map(|w| {
                fields
                    .iter()
                    .map(move |&(f, boost)| (Term::from_field_text(f, w), boost))
            })
            .collect()
    }

    /// The bigrams of `source` that are not common, weighted by `bigram_weight` (none when 0).
    fn gram_terms(&self, source: &str) -> Vec<(Term, f32)> {
        if self.config.bigram_weight <= 0.0 {
            return Vec::new();
        }
        let mut grams = self.grams(source);
        grams.retain(|g| !self.common(self.fields.bigram, g));
        grams
            .iter()
            .map(|g| {
                let term = Term::from_field_text(self.fields.bigram, g);
                (term, self.config.bigram_weight)
            })
            .collect()
    }

    /// Terms in a large share of the documents barely move the ranking of a long query but cost the
    /// most to evaluate and count: leave them out. Only a word the index holds can stand in for the
    /// ones left out, so a question whose present words are all common keeps them all. Each word's
    /// frequency is looked up once.
    fn leave_out_common_words(&self, words: &mut Vec<String>) {
        let docs = self.stats.num_docs().max(1) as f32;
        let df: Vec<f32> = words
            .iter()
            .map(|w| {
                self.stats
                    .doc_freq(&Term::from_field_text(self.fields.body, w)) as f32
            })
            .collect();
        let rare = |f: f32| f / docs <= self.config.common_term_ratio;
        if df.iter().any(|&f| f > 0.0 && rare(f)) {
            let mut kept = df.iter().map(|&f| rare(f));
            words.retain(|_| kept.next().unwrap_or(true));
        }
    }

    /// Whether `text` is in more than `common_term_ratio` of the documents.
    fn common(&self, field: Field, text: &str) -> bool {
        let docs = self.stats.num_docs().max(1) as f32;
        let df = self.stats.doc_freq(&Term::from_field_text(field, text)) as f32;
        df / docs > self.config.common_term_ratio
    }
}
