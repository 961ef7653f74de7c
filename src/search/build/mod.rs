//! Turns parsed query groups into a tantivy query, analysing each word with the same Korean analyzer
//! the index used.

use tantivy::query::{BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::Token;
use tantivy::Term;

use super::stats::Stats;
use super::syntax::{Atom, Group, Role, Scope};
use crate::analyzer::KoreanTokenizer;
use crate::config::SearchConfig;
use crate::schema::Fields;

/// A query ready to run, and the part of it worth highlighting.
pub struct Built {
    pub query: Box<dyn Query>,
    /// What `total` and facets count: the query itself, or for a question its words alone.
    pub count: Box<dyn Query>,
    /// The query's words as written, without the particles the analyzer dropped (`중소벤처기업부`),
    /// for marking in snippets next to the analysed terms.
    pub spans: Vec<String>,
    /// For a question: its words, for proximity re-ranking.
    pub words: Vec<String>,
    pub highlight: Box<dyn Query>,
    /// Whether anything searchable was left after analysis.
    pub searchable: bool,
}

pub struct Builder<'a> {
    pub analyzer: &'a KoreanTokenizer,
    pub fields: Fields,
    pub config: &'a SearchConfig,
    /// Index statistics, to leave terms found in most documents out of long queries.
    pub stats: Option<&'a Stats<'a>>,
}

type Clause = (Occur, Box<dyn Query>);

impl Built {
    /// Nothing searchable was left (only particles, punctuation or question words).
    fn empty() -> Built {
        Built {
            query: Box::new(EmptyQuery),
            count: Box::new(EmptyQuery),
            spans: Vec::new(),
            words: Vec::new(),
            highlight: Box::new(EmptyQuery),
            searchable: false,
        }
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
    pub fn build(&self, groups: &[Group]) -> Built {
        let mut should = Vec::new();
        let mut must = Vec::new();
        let mut exclude = Vec::new();
        let plain = groups.iter().filter(|g| g.role == Role::Should).count();
        // A question ("…는 누구인가?") is ranked by how much of it matches, however short. A word
        // marks one when it ends in `?` or begins with a question word (누구인가, 어디에서); a
        // one-letter entry (몇, 왜, but also the light verbs 이, 하) only as the whole word, or every
        // name beginning with 이 (이순신 장군) or 하 (하이브리드 차량) would be read as a question.
        let question = plain > 1
            && groups.iter().flat_map(|g| &g.alternatives).any(|a| {
                a.text.ends_with('?')
                    || self.config.query_stopwords.iter().any(|w| {
                        if w.chars().nth(1).is_some() {
                            a.text.starts_with(w.as_str())
                        } else {
                            a.text == *w
                        }
                    })
            });
        let long = plain > self.config.all_terms_up_to || question;
        let (text, mut per_atom) = self.analyse_in_context(groups);
        let atoms = groups
            .iter()
            .flat_map(|g| g.alternatives.iter().map(move |a| (g.role, a)));
        let mut bigram_source = String::new();
        let mut spans: Vec<String> = Vec::new();
        for ((role, atom), tokens) in atoms.zip(per_atom.iter_mut()) {
            // Question words (무엇, 누구…) say what is asked, not what the answer contains.
            if plain > 1 && role == Role::Should && !atom.phrase {
                tokens.retain(|t| !self.config.query_stopwords.contains(&t.text));
            }
            let span = span_of(tokens).map(|r| &text[r]);
            if let (Some(span), true) = (span, role != Role::Exclude) {
                let span = span.to_lowercase();
                if !spans.contains(&span) {
                    spans.push(span);
                }
            }
            // Keyword queries take bigrams from what the analyzer kept, so a particle (삼성전자의)
            // adds no `자의`; in a long question the particles around words help find the passage
            // that says the same thing, so its words are taken as typed.
            if long && role != Role::Exclude && atom.scope == Scope::All {
                bigram_source.push_str(&atom.text);
                bigram_source.push(' ');
            } else if let (Some(span), true) =
                (span, role != Role::Exclude && atom.scope == Scope::All)
            {
                bigram_source.push_str(span);
                bigram_source.push(' ');
            }
        }
        let strict = groups.iter().any(|g| g.role == Role::Must)
            || groups
                .iter()
                .flat_map(|g| &g.alternatives)
                .any(|a| a.phrase || a.scope == Scope::Title);
        if long && !strict {
            let mut built = self.question(groups, &per_atom, &bigram_source);
            built.spans = spans;
            return built;
        }
        let mut analysed = per_atom.into_iter();
        for group in groups {
            let tokens: Vec<Vec<Token>> =
                analysed.by_ref().take(group.alternatives.len()).collect();
            if long
                && group.role == Role::Should
                && group.alternatives.len() == 1
                && !group.alternatives[0].phrase
            {
                // A long, natural-language query ranks by how much of it matches: every morpheme is
                // its own clause, question words left out.
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
            return Built::empty();
        }
        let highlight: Vec<Clause> = should
            .iter()
            .chain(&must)
            .map(|q| (Occur::Should, q.box_clone()))
            .collect();
        // Bigrams may find documents on their own only for plain words; phrases, +words and title:
        // keep their strict meaning and bigrams just add to the score.
        let words = self.words(should, must);
        let bigram = self.bigram(&bigram_source);
        let positive: Box<dyn Query> = match bigram {
            // Either view can find a document: the dictionary's words, or enough of the bigrams (new
            // names, spacing variants); documents matching both rank highest.
            Some(bigram) if !strict => Box::new(BooleanQuery::new(vec![
                (Occur::Should, words),
                (Occur::Should, bigram),
            ])),
            // With +required words, bigrams only add to the score.
            Some(bigram) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, words),
                (Occur::Should, bigram),
            ])),
            None => words,
        };
        let query: Box<dyn Query> = if exclude.is_empty() {
            positive
        } else {
            let mut clauses = vec![(Occur::Must, positive)];
            clauses.extend(exclude.into_iter().map(|q| (Occur::MustNot, q)));
            Box::new(BooleanQuery::new(clauses))
        };
        Built {
            count: query.box_clone(),
            spans,
            words: Vec::new(),
            query,
            highlight: Box::new(BooleanQuery::new(highlight)),
            searchable: true,
        }
    }

    /// A long query of plain words (a question, a sentence): one flat disjunction of term queries
    /// over the morphemes (title weighted by `long_query_title_boost`) and the bigrams, ranked by how
    /// much matches. Flat term disjunctions let tantivy skip documents that cannot reach the top.
    fn question(&self, groups: &[Group], per_atom: &[Vec<Token>], bigram_source: &str) -> Built {
        let mut words: Vec<String> = Vec::new();
        let mut excluded = Vec::new();
        let atoms = groups
            .iter()
            .flat_map(|g| g.alternatives.iter().map(move |a| (g.role, a)));
        for ((role, atom), tokens) in atoms.zip(per_atom) {
            if role == Role::Exclude {
                excluded.extend(self.atom(atom, tokens.clone()));
                continue;
            }
            push_whole_words(tokens, &mut words);
        }
        // Terms in a large share of the documents barely move the ranking of a long query but cost
        // the most to evaluate and count: leave them out (never all of them).
        let docs = self.stats.map_or(1.0, |s| s.num_docs().max(1) as f32);
        let df = |field: Field, text: &str| -> f32 {
            self.stats.map_or(0.0, |s| {
                s.doc_freq(&Term::from_field_text(field, text)) as f32
            })
        };
        let common =
            |field: Field, text: &str| df(field, text) / docs > self.config.common_term_ratio;
        // Only a word the index holds can stand in for the ones left out: a question whose present
        // words are all common keeps them all. Each word's frequency is looked up once.
        let word_df: Vec<f32> = words.iter().map(|w| df(self.fields.body, w)).collect();
        let rare = |f: f32| f / docs <= self.config.common_term_ratio;
        if word_df.iter().any(|&f| f > 0.0 && rare(f)) {
            let mut kept = word_df.iter().map(|&f| rare(f));
            words.retain(|_| kept.next().unwrap_or(true));
        }
        let term = |field: Field, text: &str, boost: f32| -> Clause {
            let query = TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::WithFreqs,
            );
            (Occur::Should, boosted(Box::new(query), boost))
        };
        let mut clauses: Vec<Clause> = Vec::new();
        for word in &words {
            clauses.push(term(self.fields.body, word, 1.0));
            if self.config.long_query_title_boost > 0.0 {
                clauses.push(term(
                    self.fields.title,
                    word,
                    self.config.long_query_title_boost,
                ));
            }
        }
        let highlight: Vec<Clause> = clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect();
        if self.config.bigram_weight > 0.0 {
            let mut grams = self.grams(bigram_source);
            grams.retain(|g| !common(self.fields.bigram, g));
            clauses.extend(
                grams
                    .iter()
                    .map(|g| term(self.fields.bigram, g, self.config.bigram_weight)),
            );
        }
        if clauses.is_empty() {
            return Built::empty();
        }
        let without = |query: Box<dyn Query>| -> Box<dyn Query> {
            if excluded.is_empty() {
                return query;
            }
            let mut all = vec![(Occur::Must, query)];
            all.extend(excluded.iter().map(|q| (Occur::MustNot, q.box_clone())));
            Box::new(BooleanQuery::new(all))
        };
        // Counted: documents whose text holds a word of the question (doc ids only, no frequencies).
        let count = without(Box::new(BooleanQuery::new(term_clauses(
            self.fields.body,
            &words,
            IndexRecordOption::Basic,
        ))));
        Built {
            query: without(Box::new(BooleanQuery::new(clauses))),
            count,
            spans: Vec::new(),
            words,
            highlight: Box::new(BooleanQuery::new(highlight)),
            searchable: true,
        }
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
        Some(boosted(
            Box::new(BooleanQuery::with_minimum_required_clauses(
                clauses,
                minimum.max(1),
            )),
            self.config.bigram_weight,
        ))
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

    /// One word or phrase; `None` when analysis leaves nothing (only particles or punctuation).
    /// Each morpheme of a word as its own clause (compound parts included), question words such as
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

/// Adds each word of `tokens` not yet in `words`, leaving out compound parts: they share their word's
/// position, the whole word is the better evidence, and parts would count the same text twice.
fn push_whole_words(tokens: &[Token], words: &mut Vec<String>) {
    let mut last_position = None;
    for token in tokens {
        if last_position.replace(token.position) != Some(token.position)
            && !words.contains(&token.text)
        {
            words.push(token.text.clone());
        }
    }
}

/// The stretch of text an atom's tokens cover: the word without the particles the analyzer dropped.
fn span_of(tokens: &[Token]) -> Option<std::ops::Range<usize>> {
    let from = tokens.iter().map(|t| t.offset_from).min()?;
    let to = tokens.iter().map(|t| t.offset_to).max()?;
    Some(from..to)
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
