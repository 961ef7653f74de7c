//! Relaxed readings of a query that finds nothing or very little as typed: quoted phrases searched as
//! their words, then every word made optional and the documents ranked by how much of the query
//! they hold. The response names what was relaxed, so the page can say so.

use serde::Serialize;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocSet, Searcher};

use super::build::QueryKind;
use super::syntax::{Atom, Group, Role, Scope};

/// What a search relaxed to find something.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Relaxed {
    /// Quoted phrases searched as plain words.
    pub phrases: Vec<String>,
    /// Words of the query the best hit does without.
    pub dropped: Vec<String>,
}

/// One relaxed reading.
pub struct Step {
    pub groups: Vec<Group>,
    /// The kind to build it as; `None`: as its words say.
    pub kind: Option<QueryKind>,
    pub phrases: Vec<String>,
    /// Whether words the query required were made optional.
    pub optional_words: bool,
}

/// Whether the quotes of a long query mark quoted speech, as in a pasted headline (`대통령실 "특검,
/// 성역 없이 수사하면 형식 상관 없다"`), rather than a phrase the user requires: no other operator,
/// and more than `all_terms_up_to` words, the quoted ones included. Articles paraphrase what headlines
/// quote, so such a query is searched as its words from the start.
pub fn quoted_speech(groups: &[Group], all_terms_up_to: usize) -> bool {
    let atoms = || groups.iter().flat_map(|g| &g.alternatives);
    let other_operators =
        groups.iter().any(|g| g.role == Role::Must) || atoms().any(|a| a.scope == Scope::Title);
    let words: usize = groups
        .iter()
        .filter(|g| g.role != Role::Exclude)
        .filter_map(|g| g.alternatives.first())
        .map(|a| a.text.split_whitespace().count())
        .sum();
    atoms().any(|a| a.phrase) && !other_operators && words > all_terms_up_to
}

/// The relaxed readings of `groups` (whose strict reading was of `kind`), most faithful first.
pub fn steps(groups: &[Group], kind: QueryKind) -> Vec<Step> {
    let phrases: Vec<String> = groups
        .iter()
        .filter(|g| g.role != Role::Exclude)
        .flat_map(|g| &g.alternatives)
        .filter(|a| a.phrase)
        .map(|a| a.text.clone())
        .collect();
    // A phrase becomes its words, each a group of its own with the phrase's role; a phrase among
    // `OR` alternatives stays one alternative, searched as words.
    let mut unquoted: Vec<Group> = Vec::new();
    for group in groups {
        match group.alternatives.as_slice() {
            [atom] if atom.phrase => {
                unquoted.extend(atom.text.split_whitespace().map(|word| Group {
                    role: group.role,
                    alternatives: vec![Atom {
                        text: word.to_string(),
                        phrase: false,
                        scope: atom.scope,
                    }],
                }))
            }
            _ => {
                let mut group = group.clone();
                for atom in &mut group.alternatives {
                    atom.phrase = false;
                }
                unquoted.push(group);
            }
        }
    }
    let mut steps = Vec::new();
    if !phrases.is_empty() {
        steps.push(Step {
            groups: unquoted.clone(),
            kind: None,
            phrases: phrases.clone(),
            optional_words: false,
        });
    }
    let positive = groups.iter().filter(|g| g.role != Role::Exclude).count();
    if kind != QueryKind::Question && positive > 1 {
        steps.push(Step {
            groups: unquoted,
            kind: Some(QueryKind::Question),
            phrases,
            optional_words: true,
        });
    }
    steps
}

/// The words of `groups` (one query per positive group, built alone) that the document at `best`
/// does not match.
pub fn dropped(
    searcher: &Searcher,
    groups: &[Group],
    best: DocAddress,
    alone: impl Fn(&Group) -> Option<Box<dyn Query>>,
) -> Vec<String> {
    groups
        .iter()
        .filter(|g| g.role != Role::Exclude)
        .filter(|g| alone(g).is_some_and(|q| !matches(searcher, &*q, best)))
        .map(|g| {
            g.alternatives
                .iter()
                .map(|a| a.text.as_str())
                .collect::<Vec<_>>()
                .join(" OR ")
        })
        .collect()
}

/// Whether the document at `address` matches `query`.
fn matches(searcher: &Searcher, query: &dyn Query, address: DocAddress) -> bool {
    let Ok(weight) = query.weight(EnableScoring::disabled_from_searcher(searcher)) else {
        return false;
    };
    let reader = searcher.segment_reader(address.segment_ord);
    let Ok(mut scorer) = weight.scorer(reader, 1.0) else {
        return false;
    };
    // A scorer starts on its first document, which may lie past the one asked about.
    scorer.doc() <= address.doc_id && scorer.seek(address.doc_id) == address.doc_id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::syntax::parse;

    #[test]
    fn phrases_first_then_optional_words() {
        let groups = parse("대통령실 \"성역 없이 수사\" -특검");
        let steps = steps(&groups, QueryKind::LongWithOperators);
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].phrases, ["성역 없이 수사"]);
        let words: Vec<&str> = steps[0]
            .groups
            .iter()
            .flat_map(|g| &g.alternatives)
            .map(|a| a.text.as_str())
            .collect();
        assert_eq!(words, ["대통령실", "성역", "없이", "수사", "특검"]);
        assert!(steps[0]
            .groups
            .iter()
            .all(|g| g.alternatives.iter().all(|a| !a.phrase)));
        assert_eq!((steps[0].kind, steps[0].optional_words), (None, false));
        assert_eq!(
            (steps[1].kind, steps[1].optional_words),
            (Some(QueryKind::Question), true)
        );
        // A keyword query without phrases has only the second step; one word has none.
        assert_eq!(steps_of("리영희 타계").len(), 1);
        assert!(steps_of("리영희").is_empty());
    }

    #[test]
    fn quotes_in_a_long_query_are_speech() {
        let speech = |q: &str| quoted_speech(&parse(q), 3);
        assert!(speech("통영시 \"청년 결혼하면 100만원 드려요\""));
        assert!(!speech("\"청년 결혼\" 통영시"), "three words: a phrase");
        assert!(
            !speech("+통영시 \"청년 결혼하면 100만원 드려요\""),
            "another operator"
        );
        assert!(!speech("통영시 청년 결혼 지원금 발표"), "no quotes");
    }

    fn steps_of(query: &str) -> Vec<Step> {
        steps(&parse(query), QueryKind::Keywords)
    }
}
