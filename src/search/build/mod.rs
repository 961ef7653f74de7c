//! Turns parsed query groups into a tantivy query, analysing each word with the same Korean analyzer
//! the index used: the query's kind is decided once (`Builder::classify`), and each kind has its
//! builder (`keywords`, `question`).

use tantivy::query::{BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::Token;
use tantivy::Term;

mod keywords;
mod question;

use super::at_least::AtLeast;
use super::either::Either;
use super::stats::Stats;
use super::syntax::{Atom, Group, Role, Scope};
use crate::analyzer::KoreanTokenizer;
use crate::config::SearchConfig;
use crate::schema::Fields;

/// What kind of query a user typed, decided once from its parsed groups; each kind has its builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    /// Up to `all_terms_up_to` plain words, with or without operators: a document matches through
    /// every word, or (without operators) through `bigram_min_match` of the query's character
    /// bigrams, which finds new names and spacing variants the dictionary splits differently.
    Keywords,
    /// A question (`…는 누구인가?`) or a longer query of plain words: ranked by how much of it
    /// matches, any word of it enough to be found, the top re-ranked by how close its words stand.
    Question,
    /// More than `all_terms_up_to` plain words beside operators (`+word`, `"phrase"`, `title:`): the
    /// operators keep their meaning, and at least `min_match_ratio` of the plain words must match.
    LongWithOperators,
}

/// How the hits of a query are ordered.
pub enum Ranking {
    /// By score alone.
    Score,
    /// By score, then the top `rerank_depth` by how close these words stand in the body, and by how
    /// much of this text (the query as typed) the body's first characters hold.
    Proximity { words: Vec<String>, typed: String },
}

/// A query ready to run, and the part of it worth highlighting.
pub struct Built {
    pub kind: QueryKind,
    /// Finds and scores the hits.
    pub query: Box<dyn Query>,
    /// Matches exactly the documents `query` matches, cheaper to run without scores: `total` and the
    /// facets count it.
    pub count: Box<dyn Query>,
    /// When set: terms whose summed scores score `count`'s documents exactly as `query` does, but
    /// that also find documents `query` does not: cheaper to search (`FlatTerms::best`), keeping
    /// only `count`'s documents.
    pub flat: Option<super::flat::FlatTerms>,
    /// The query's words as written, without the particles the analyzer dropped (`중소벤처기업부`),
    /// for marking in snippets next to the analysed terms.
    pub spans: Vec<String>,
    pub highlight: Box<dyn Query>,
    pub ranking: Ranking,
}

pub struct Builder<'a> {
    pub analyzer: &'a KoreanTokenizer,
    pub fields: Fields,
    pub config: &'a SearchConfig,
    /// Index statistics, to leave terms found in most documents out of long queries.
    pub stats: &'a Stats<'a>,
}

type Clause = (Occur, Box<dyn Query>);

/// The query's atoms (every alternative of every group, in order) with their roles and tokens.
struct Analysed<'g> {
    /// The atoms' text joined by spaces, as analysed.
    text: String,
    atoms: Vec<(Role, &'g Atom, Vec<Token>)>,
}

impl Analysed<'_> {
    /// Each distinct span of text a positive atom's tokens cover, lower-cased.
    fn spans(&self) -> Vec<String> {
        let mut spans: Vec<String> = Vec::new();
        for (role, _, tokens) in &self.atoms {
            let Some(span) = span_of(tokens).filter(|_| *role != Role::Exclude) else {
                continue;
            };
            let span = self.text[span].to_lowercase();
            if !spans.contains(&span) {
                spans.push(span);
            }
        }
        spans
    }

    /// The text the bigram view takes its grams from: positive atoms searched in every field; as
    /// typed (`typed`), or only the stretch the analyzer kept.
    fn bigram_source(&self, typed: bool) -> String {
        let mut source = String::new();
        for (role, atom, tokens) in &self.atoms {
            if *role == Role::Exclude || atom.scope != Scope::All {
                continue;
            }
            let text = if typed {
                Some(atom.text.as_str())
            } else {
                span_of(tokens).map(|r| &self.text[r])
            };
            if let Some(text) = text {
                source.push_str(text);
                source.push(' ');
            }
        }
        source
    }
}

/// One optional clause per text: a term query on `field`.
pub(super) fn term_clauses<'t>(
    field: Field,
    texts: impl IntoIterator<Item = &'t String>,
    option: IndexRecordOption,
) -> Vec<Clause> {
    texts
        .into_iter()
        .map(|text| {
            let query: Box<dyn Query> =
                Box::new(TermQuery::new(Term::from_field_text(field, text), option));
            (Occur::Should, query)
        })
        .collect()
}

impl Builder<'_> {
    /// The query for `groups`; `None` when analysis leaves nothing to search (only particles,
    /// punctuation or question words).
    pub fn build(&self, groups: &[Group]) -> Option<Built> {
        self.build_as(groups, None)
    }

    /// The query for `groups` read as `kind`, or as their words say when `None`.
    pub fn build_as(&self, groups: &[Group], kind: Option<QueryKind>) -> Option<Built> {
        let analysed = self.analyse(groups);
        match kind.unwrap_or_else(|| self.classify(groups)) {
            QueryKind::Keywords => self.keywords(groups, analysed),
            QueryKind::Question => self.question(analysed),
            QueryKind::LongWithOperators => self.long_with_operators(groups, analysed),
        }
    }

    /// The kind of query `groups` is (see [`classify`]).
    pub fn classify(&self, groups: &[Group]) -> QueryKind {
        classify(groups, self.config)
    }

    /// Analyses the query's words together, as the index analysed its text, and leaves question
    /// words (무엇, 누구…) out of the plain words of a query of more than one: they say what is
    /// asked, not what the answer contains.
    fn analyse<'g>(&self, groups: &'g [Group]) -> Analysed<'g> {
        let plain = groups.iter().filter(|g| g.role == Role::Should).count();
        let (text, per_atom) = self.analyse_in_context(groups);
        let atoms = groups
            .iter()
            .flat_map(|g| g.alternatives.iter().map(move |a| (g.role, a)))
            .zip(per_atom)
            .map(|((role, atom), mut tokens)| {
                if plain > 1 && role == Role::Should && !atom.phrase {
                    tokens.retain(|t| !self.config.query_stopwords.contains(&t.text));
                }
                (role, atom, tokens)
            })
            .collect();
        Analysed { text, atoms }
    }

    /// Ranked groups: all of them for short queries, enough of them for long ones; `+` groups always.
    fn words(&self, should: Vec<Box<dyn Query>>, must: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        let n = should.len();
        let all = n <= self.config.all_terms_up_to;
        let minimum = if all {
            0
        } else {
            ((n as f32) * self.config.min_match_ratio).ceil() as usize
        };
        let occur = if all { Occur::Must } else { Occur::Should };
        let mut clauses: Vec<Clause> = should.into_iter().map(|q| (occur, q)).collect();
        clauses.extend(must.into_iter().map(|q| (Occur::Must, q)));
        if clauses.len() == 1 {
            return clauses.remove(0).1;
        }
        Box::new(BooleanQuery::with_minimum_required_clauses(
            clauses,
            minimum.max(usize::from(!all && n > 0)),
        ))
    }

    /// The query's character bigrams over the bigram field, needing `bigram_min_match` of them.
    fn bigram(&self, text: &str) -> Option<Box<dyn Query>> {
        if self.config.bigram_weight <= 0.0 {
            return None;
        }
        let grams = self.grams(text);
        if grams.is_empty() {
            return None;
        }
        let minimum = ((grams.len() as f32) * self.config.bigram_min_match).ceil() as usize;
        let clauses = term_clauses(self.fields.bigram, &grams, IndexRecordOption::Basic);
        let query: Box<dyn Query> = if minimum > 1 {
            let clauses = clauses.into_iter().map(|(_, q)| q).collect();
            Box::new(AtLeast { clauses, minimum })
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        Some(boosted(query, self.config.bigram_weight))
    }

    /// The distinct character bigrams of `text`, question words left out, in order.
    fn grams(&self, text: &str) -> Vec<String> {
        let mut grams: Vec<String> = Vec::new();
        for token in self.analyzer.bigrams(text) {
            if !grams.contains(&token.text) && !self.config.query_stopwords.contains(&token.text) {
                grams.push(token.text);
            }
        }
        grams
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

    /// Each morpheme of a word as its own clause (empty when analysis leaves nothing: only particles
    /// or punctuation) (compound parts included), question words such as
    /// 무엇 or 누구 left out: in a question they say what is asked, not what the answer contains.
    fn morphemes(&self, tokens: &[Token], scope: Scope) -> Vec<Box<dyn Query>> {
        let fields = self.fields(scope);
        let mut seen: Vec<String> = Vec::new();
        push_whole_words(tokens, &mut seen);
        seen.retain(|t| !self.config.query_stopwords.contains(t));
        seen.iter()
            .map(|t| self.term_any_field(t, &fields))
            .collect()
    }

    /// Analyses the query's words together, as the index analysed its text (ko-dic's choices depend on
    /// the neighbours), and hands each atom its own tokens, in order.
    fn analyse_in_context(&self, groups: &[Group]) -> (String, Vec<Vec<Token>>) {
        let atoms: Vec<&Atom> = groups.iter().flat_map(|g| &g.alternatives).collect();
        let mut text = String::new();
        let mut spans = Vec::with_capacity(atoms.len());
        for atom in &atoms {
            if !text.is_empty() {
                text.push(' ');
            }
            spans.push(text.len()..text.len() + atom.text.len());
            text.push_str(&atom.text);
        }
        let mut out: Vec<Vec<Token>> = vec![Vec::new(); atoms.len()];
        for token in self.analyzer.analyze(&text) {
            if let Some(i) = spans
                .iter()
                .position(|span| span.contains(&token.offset_from))
            {
                out[i].push(token);
            }
        }
        (text, out)
    }

    fn atom(&self, atom: &Atom, tokens: Vec<Token>) -> Option<Box<dyn Query>> {
        let positions = by_position(tokens);
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
                        .map(|p| {
                            let term = Term::from_field_text(field, &p.whole.text);
                            (p.at - positions[0].at, term)
                        })
                        .collect();
                    boosted(Box::new(PhraseQuery::new_with_offset(terms)), boost)
                })
                .collect();
            return any_of(per_field);
        }
        // Every piece of a word must match (자율제조 = 자율 + 제조); a compound matches as a whole or
        // through all of its parts, a Hanja word as written or as read (美, 미, 미국).
        let pieces: Vec<Box<dyn Query>> = positions
            .iter()
            .filter_map(|p| {
                let mut either: Vec<Box<dyn Query>> = std::iter::once(&p.whole.text)
                    .chain(&p.spellings)
                    .map(|w| self.term_any_field(w, &fields))
                    .collect();
                let parts: Vec<Box<dyn Query>> = p
                    .parts
                    .iter()
                    .map(|w| self.term_any_field(w, &fields))
                    .collect();
                either.extend(all_of(parts));
                any_of(either)
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

/// A term query weighted by `boost`.
pub(super) fn boosted_term(term: &Term, boost: f32, option: IndexRecordOption) -> Box<dyn Query> {
    boosted(Box::new(TermQuery::new(term.clone(), option)), boost)
}

/// One optional clause per term, each weighted by its boost.
pub(super) fn boosted_clauses(terms: &[(Term, f32)], option: IndexRecordOption) -> Vec<Clause> {
    terms
        .iter()
        .map(|(term, boost)| (Occur::Should, boosted_term(term, *boost, option)))
        .collect()
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    joined(queries, Occur::Should)
}

fn all_of(queries: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    joined(queries, Occur::Must)
}

/// The queries joined with `occur`; one query stays as it is.
fn joined(mut queries: Vec<Box<dyn Query>>, occur: Occur) -> Option<Box<dyn Query>> {
    match queries.len() {
        0 => None,
        1 => queries.pop(),
        2 if occur == Occur::Should => {
            let b = queries.pop()?;
            let a = queries.pop()?;
            Some(Box::new(Either { a, b }))
        }
        _ => Some(Box::new(BooleanQuery::new(
            queries.into_iter().map(|q| (occur, q)).collect(),
        ))),
    }
}

/// A question ("…는 누구인가?") is ranked by how much of it matches, however short. A word marks
/// one when it ends in `?` or begins with a question word (누구인가, 어디에서); a one-letter
/// entry (몇, 왜, but also the light verbs 이, 하) only as the whole word, or every name beginning
/// with 이 (이순신 장군) or 하 (하이브리드 차량) would be read as a question.
pub fn classify(groups: &[Group], config: &SearchConfig) -> QueryKind {
    let plain = groups.iter().filter(|g| g.role == Role::Should).count();
    let question = plain > 1
        && groups.iter().flat_map(|g| &g.alternatives).any(|a| {
            a.text.ends_with('?')
                || config.query_stopwords.iter().any(|w| {
                    if w.chars().nth(1).is_some() {
                        a.text.starts_with(w.as_str())
                    } else {
                        a.text == *w
                    }
                })
        });
    if !question && plain <= config.all_terms_up_to {
        QueryKind::Keywords
    } else if has_operators(groups) {
        QueryKind::LongWithOperators
    } else {
        QueryKind::Question
    }
}

/// Whether any group uses an operator: `+word`, a `"phrase"` or `title:`.
fn has_operators(groups: &[Group]) -> bool {
    groups.iter().any(|g| g.role == Role::Must)
        || groups
            .iter()
            .flat_map(|g| &g.alternatives)
            .any(|a| a.phrase || a.scope == Scope::Title)
}

/// Adds each word of `tokens` not yet in `words`, with its other spellings (a Hanja word's reading),
/// leaving out compound parts: they share their word's position, the whole word is the better
/// evidence, and parts would count the same text twice.
fn push_whole_words(tokens: &[Token], words: &mut Vec<String>) {
    let mut first: Option<&Token> = None;
    for token in tokens {
        let whole = match first {
            Some(f) if f.position == token.position => same_span(f, token),
            _ => {
                first = Some(token);
                true
            }
        };
        if whole && !words.contains(&token.text) {
            words.push(token.text.clone());
        }
    }
}

/// Whether two tokens at one position cover the same text: one is another spelling of the other
/// (`美` and `미국`), not a compound part.
fn same_span(a: &Token, b: &Token) -> bool {
    (a.offset_from, a.offset_to) == (b.offset_from, b.offset_to)
}

/// The stretch of text an atom's tokens cover: the word without the particles the analyzer dropped.
fn span_of(tokens: &[Token]) -> Option<std::ops::Range<usize>> {
    let from = tokens.iter().map(|t| t.offset_from).min()?;
    let to = tokens.iter().map(|t| t.offset_to).max()?;
    Some(from..to)
}

/// The tokens at one position of an analysed word.
struct Position {
    at: usize,
    whole: Token,
    /// Other spellings of the word, covering the same text (a Hanja word's Hangul reading, the word
    /// an abbreviation stands for): any of them matches.
    spellings: Vec<String>,
    /// Compound parts: all of them together match.
    parts: Vec<String>,
}

/// Groups analysed tokens by position: the word first, then its other spellings and its parts.
fn by_position(tokens: Vec<Token>) -> Vec<Position> {
    let mut out: Vec<Position> = Vec::new();
    for token in tokens {
        match out.last_mut() {
            Some(p) if p.at == token.position => {
                let known = p.whole.text == token.text
                    || p.spellings.contains(&token.text)
                    || p.parts.contains(&token.text);
                if known {
                    continue;
                }
                if same_span(&p.whole, &token) {
                    p.spellings.push(token.text);
                } else {
                    p.parts.push(token.text);
                }
            }
            _ => out.push(Position {
                at: token.position,
                whole: token,
                spellings: Vec::new(),
                parts: Vec::new(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests;
