//! Turns parsed query groups into a tantivy query, analysing each word with the same Korean analyzer
//! the index used.

use tantivy::query::{BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::Token;
use tantivy::Term;

use super::syntax::{Atom, Group, Role, Scope};
use crate::analyzer::KoreanTokenizer;
use crate::config::SearchConfig;
use crate::schema::Fields;

/// A query ready to run, and the part of it worth highlighting.
pub struct Built {
    pub query: Box<dyn Query>,
    pub highlight: Box<dyn Query>,
    /// Whether anything searchable was left after analysis.
    pub searchable: bool,
}

pub struct Builder<'a> {
    pub analyzer: &'a KoreanTokenizer,
    pub fields: Fields,
    pub config: &'a SearchConfig,
}

type Clause = (Occur, Box<dyn Query>);

impl Builder<'_> {
    pub fn build(&self, groups: &[Group]) -> Built {
        let mut should = Vec::new();
        let mut must = Vec::new();
        let mut exclude = Vec::new();
        for group in groups {
            let alternatives: Vec<Box<dyn Query>> = group
                .alternatives
                .iter()
                .filter_map(|atom| self.atom(atom))
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
            return Built {
                query: Box::new(EmptyQuery),
                highlight: Box::new(EmptyQuery),
                searchable: false,
            };
        }
        let highlight: Vec<Clause> = should
            .iter()
            .chain(&must)
            .map(|q| (Occur::Should, q.box_clone()))
            .collect();
        let n = should.len();
        let minimum = if n <= self.config.all_terms_up_to {
            n
        } else {
            ((n as f32) * self.config.min_match_ratio).ceil().max(1.0) as usize
        };
        let mut clauses: Vec<Clause> = Vec::new();
        if minimum == n {
            clauses.extend(should.into_iter().map(|q| (Occur::Must, q)));
        } else {
            clauses.extend(should.into_iter().map(|q| (Occur::Should, q)));
        }
        clauses.extend(must.into_iter().map(|q| (Occur::Must, q)));
        clauses.extend(exclude.into_iter().map(|q| (Occur::MustNot, q)));
        let minimum = if minimum == n { 0 } else { minimum };
        Built {
            query: Box::new(BooleanQuery::with_minimum_required_clauses(
                clauses, minimum,
            )),
            highlight: Box::new(BooleanQuery::new(highlight)),
            searchable: true,
        }
    }

    fn fields(&self, scope: Scope) -> Vec<(Field, f32)> {
        match scope {
            Scope::All => vec![
                (self.fields.title, self.config.title_boost),
                (self.fields.body, 1.0),
            ],
            Scope::Title => vec![(self.fields.title, 1.0)],
        }
    }

    /// One word or phrase; `None` when analysis leaves nothing (only particles or punctuation).
    fn atom(&self, atom: &Atom) -> Option<Box<dyn Query>> {
        let positions = by_position(self.analyzer.analyze(&atom.text));
        if positions.is_empty() {
            return None;
        }
        let fields = self.fields(atom.scope);
        if atom.phrase && positions.len() > 1 {
            let per_field = fields
                .iter()
                .map(|&(field, boost)| {
                    let terms: Vec<(usize, Term)> = positions
                        .iter()
                        .map(|(pos, words)| {
                            (
                                *pos - positions[0].0,
                                Term::from_field_text(field, &words[0]),
                            )
                        })
                        .collect();
                    boosted(Box::new(PhraseQuery::new_with_offset(terms)), boost)
                })
                .collect();
            return any_of(per_field);
        }
        // Every piece of a word must match (자율제조 = 자율 + 제조); a compound matches as a whole or
        // through all of its parts.
        let pieces: Vec<Box<dyn Query>> = positions
            .iter()
            .filter_map(|(_, words)| {
                let whole = self.term_any_field(&words[0], &fields);
                if words.len() == 1 {
                    return Some(whole);
                }
                let parts: Vec<Clause> = words[1..]
                    .iter()
                    .map(|w| (Occur::Must, self.term_any_field(w, &fields)))
                    .collect();
                any_of(vec![whole, Box::new(BooleanQuery::new(parts))])
            })
            .collect();
        all_of(pieces)
    }

    fn term_any_field(&self, text: &str, fields: &[(Field, f32)]) -> Box<dyn Query> {
        let per_field = fields
            .iter()
            .map(|&(field, boost)| {
                let term = Term::from_field_text(field, text);
                boosted(
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                    boost,
                )
            })
            .collect();
        any_of(per_field).unwrap_or_else(|| Box::new(EmptyQuery))
    }
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

fn any_of(mut queries: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match queries.len() {
        0 => None,
        1 => queries.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            queries.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))),
    }
}

fn all_of(mut queries: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match queries.len() {
        0 => None,
        1 => queries.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            queries.into_iter().map(|q| (Occur::Must, q)).collect(),
        ))),
    }
}

/// Groups analysed tokens by position: the word first, then its compound parts.
fn by_position(tokens: Vec<Token>) -> Vec<(usize, Vec<String>)> {
    let mut out: Vec<(usize, Vec<String>)> = Vec::new();
    for token in tokens {
        match out.last_mut() {
            Some((pos, words)) if *pos == token.position => {
                if !words.contains(&token.text) {
                    words.push(token.text);
                }
            }
            _ => out.push((token.position, vec![token.text])),
        }
    }
    out
}
