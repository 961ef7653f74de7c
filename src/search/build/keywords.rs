//! The builders of `QueryKind::Keywords` and `QueryKind::LongWithOperators`: each group of the query is a
//! clause of its own (a word through its morphemes, a phrase, an `OR` of alternatives), beside the
//! query's character bigrams.

use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::tokenizer::Token;

use super::{any_of, has_operators, Analysed, Builder, Built, Clause, QueryKind, Ranking};
use crate::search::either::Either;
use crate::search::syntax::{Group, Role};

impl Builder<'_> {
    /// Every word required; without operators a document may also be found through enough of the
    /// query's bigrams (new names, spacing variants).
    pub(super) fn keywords(&self, groups: &[Group], analysed: Analysed) -> Option<Built> {
        let bigrams = analysed.bigram_source(false);
        self.by_group(groups, analysed, &bigrams, QueryKind::Keywords)
    }

    /// Each plain word's morphemes as clauses of their own, of which `min_match_ratio` must match;
    /// `+words`, phrases and `title:` as written.
    pub(super) fn long_with_operators(
        &self,
        groups: &[Group],
        analysed: Analysed,
    ) -> Option<Built> {
        let bigrams = analysed.bigram_source(true);
        self.by_group(groups, analysed, &bigrams, QueryKind::LongWithOperators)
    }

    fn by_group(
        &self,
        groups: &[Group],
        analysed: Analysed,
        bigram_source: &str,
        kind: QueryKind,
    ) -> Option<Built> {
        let spans = analysed.spans();
        let mut should = Vec::new();
        let mut must = Vec::new();
        let mut exclude = Vec::new();
        let mut atoms = analysed.atoms.into_iter();
        for group in groups {
            let tokens: Vec<Vec<Token>> = atoms
                .by_ref()
                .take(group.alternatives.len())
                .map(|(_, _, tokens)| tokens)
                .collect();
            if kind == QueryKind::LongWithOperators
                && group.role == Role::Should
                && group.alternatives.len() == 1
                && !group.alternatives[0].phrase
            {
                // Ranked by how much of it matches: every morpheme is its own clause.
                let scope = group.alternatives[0].scope;
                should.extend(self.morphemes(&tokens[0], scope));
                continue;
            }
            let alternatives: Vec<Box<dyn Query>> = group
                .alternatives
                .iter()
                .zip(tokens)
                .filter_map(|(atom, tokens)| self.atom(atom, tokens))
                .collect();
            let Some(query) = any_of(alternatives) else {
                continue;
            };
            match group.role {
                Role::Should => should.push(query),
                Role::Must => must.push(query),
                Role::Exclude => exclude.push(query),
            }
        }
        if should.is_empty() && must.is_empty() {
            return None;
        }
        let highlight: Vec<Clause> = should
            .iter()
            .chain(&must)
            .map(|q| (Occur::Should, q.box_clone()))
            .collect();
        let words = self.words(should, must);
        let query = self.with_bigrams(groups, words, bigram_source, exclude);
        Some(Built {
            kind,
            count: query.box_clone(),
            flat: None,
            query,
            spans,
            highlight: Box::new(BooleanQuery::new(highlight)),
            ranking: Ranking::Score,
        })
    }

    /// The words' query beside the bigrams of `bigram_source`, without the excluded groups.
    fn with_bigrams(
        &self,
        groups: &[Group],
        words: Box<dyn Query>,
        bigram_source: &str,
        exclude: Vec<Box<dyn Query>>,
    ) -> Box<dyn Query> {
        let positive: Box<dyn Query> = match self.bigram(bigram_source) {
            // Either view can find a document: the dictionary's words, or enough of the bigrams;
            // documents matching both rank highest.
            Some(bigram) if !has_operators(groups) => Box::new(Either {
                a: words,
                b: bigram,
            }),
            // Phrases, +words and title: keep their strict meaning: bigrams only add to the score.
            Some(bigram) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, words),
                (Occur::Should, bigram),
            ])),
            None => Either::outermost(words),
        };
        if exclude.is_empty() {
            return positive;
        }
        let mut clauses = vec![(Occur::Must, positive)];
        clauses.extend(exclude.into_iter().map(|q| (Occur::MustNot, q)));
        Box::new(BooleanQuery::new(clauses))
    }
}
