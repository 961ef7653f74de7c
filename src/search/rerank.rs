//! Re-ranking of the best candidates of a question or headline (stages 4 and 5 of the ranking map in
//! `search`): `by_proximity` moves up a passage where the query's words stand close together, early,
//! and side by side, read from the index's positions (no stored text); `by_lead_text` then reads the
//! stored lead (the body's first characters) of each of the top `rerank_depth` and moves up those
//! that hold most of the query's letter pairs.

use std::collections::HashMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use tantivy::index::InvertedIndexReader;
use tantivy::postings::Postings;
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue};
use tantivy::{DocAddress, DocId, DocSet, Term};

use super::stats::Stats;

use crate::config::SearchConfig;
use crate::error::Error;
use crate::schema::Fields;

/// Consecutive query words count as a pair when the second stands at most this many positions after
/// the first: next to each other, or with one word between (a particle the index dropped leaves no
/// gap; an adverb or a number often stands between).
const PAIR_GAP: u32 = 2;

/// The head of a query's ranked list and that head re-ranked, kept while a folded page fetches the
/// same query deeper: re-ranking reads only the head, so the same head re-ranks the same way.
#[derive(Default)]
pub struct Reranked {
    head: Vec<(f32, DocAddress)>,
    reranked: Vec<(f32, DocAddress)>,
}

impl Reranked {
    /// The re-ranked head, when `head` is the one kept.
    pub fn reuse(&self, head: &[(f32, DocAddress)]) -> Option<&[(f32, DocAddress)]> {
        (!head.is_empty() && self.head == head).then_some(&self.reranked[..])
    }

    pub fn keep(&mut self, head: Vec<(f32, DocAddress)>, reranked: &[(f32, DocAddress)]) {
        self.head = head;
        self.reranked = reranked.to_vec();
    }
}
/// Re-scores the first `rerank_depth` of `top` (the rest keep their order after them, so pages stay
/// consistent) as `score × (1 + proximity_weight × proximity + lead_weight × lead + pair_weight ×
/// pairs)`, where proximity (0–1) is the idf-weighted share of the query's words found within
/// `proximity_window` positions of each other in `field`, lead (0–1) the share found in its first
/// `lead_window` positions (a news article's lead says what its headline says), and pairs (0–1) the
/// idf-weighted share of consecutive query words found side by side in order (`PAIR_GAP`).
pub fn by_proximity(
    stats: &Stats,
    field: Field,
    words: &[String],
    mut top: Vec<(f32, DocAddress)>,
    config: &SearchConfig,
) -> Result<Vec<(f32, DocAddress)>, Error> {
    let (weight, lead_weight) = (config.proximity_weight, config.lead_weight);
    if words.len() < 2 || top.len() < 2 || weight + lead_weight + config.pair_weight <= 0.0 {
        return Ok(top);
    }
    let rest = top.split_off(config.rerank_depth.min(top.len()));
    let searcher = stats.searcher();
    let docs = stats.num_docs().max(1) as f32;
    let terms: Vec<(Term, f32)> = words
        .iter()
        .map(|w| {
            let term = Term::from_field_text(field, w);
            let df = stats.doc_freq(&term) as f32;
            let idf = (1.0 + (docs - df + 0.5) / (df + 0.5)).ln();
            (term, idf)
        })
        .collect();
    let total: f32 = terms.iter().map(|(_, idf)| idf).sum();
    if total <= 0.0 {
        return Ok(top);
    }
    // Candidates by segment, in doc order, so each posting list is walked forward once; segments
    // in parallel.
    let mut by_segment: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, (_, address)) in top.iter().enumerate() {
        by_segment.entry(address.segment_ord).or_default().push(i);
    }
    let per_segment: Vec<Vec<(usize, Closeness)>> = by_segment
        .into_par_iter()
        .map(|(segment, mut candidates)| {
            candidates.sort_by_key(|&i| top[i].1.doc_id);
            let docs: Vec<DocId> = candidates.iter().map(|&i| top[i].1.doc_id).collect();
            let index = searcher.segment_reader(segment).inverted_index(field)?;
            let closeness = segment_proximity(&index, &docs, &terms, config)?;
            Ok(candidates.into_iter().zip(closeness).collect())
        })
        .collect::<Result<_, Error>>()?;
    let mut closeness = vec![Closeness::default(); top.len()];
    for (i, c) in per_segment.into_iter().flatten() {
        closeness[i] = c;
    }
    let mut rescored: Vec<(f32, DocAddress)> = top
        .into_iter()
        .zip(closeness)
        .map(|((score, address), c)| {
            let boost = weight * c.window / total
                + lead_weight * c.lead / total
                + config.pair_weight * c.pairs / total;
            (score * (1.0 + boost), address)
        })
        .collect();
    rescored.sort_by(|a, b| b.0.total_cmp(&a.0));
    rescored.extend(rest);
    Ok(rescored)
}

/// Re-scores the first `rerank_depth` of `top` (already in order) as `score × (1 + lead_text_weight ×
/// share)`, where share is the part of the query's character pairs (spaces and punctuation left out)
/// found in the first `lead_text_chars` characters of the stored body: a news article's first lines
/// paraphrase its own headline more closely than other outlets' versions of the same story do.
/// Read from the stored `lead` (the body's first characters, stored first in each document) when
/// it is long enough, so the body itself is not read.
pub fn by_lead_text(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    typed: &str,
    mut top: Vec<(f32, DocAddress)>,
    config: &SearchConfig,
) -> Result<Vec<(f32, DocAddress)>, Error> {
    let weight = config.lead_text_weight;
    let wanted = Pairs::of(typed);
    if weight <= 0.0 || wanted.is_empty() || top.len() < 2 {
        return Ok(top);
    }
    let lead = fields
        .lead
        .filter(|_| config.lead_text_chars <= crate::schema::LEAD_CHARS);
    let depth = config.rerank_depth.min(top.len());
    let shares: Vec<f32> = top[..depth]
        .par_iter()
        .map(|&(_, address)| {
            let chars = config.lead_text_chars;
            if let Some(lead) = lead {
                if let FirstText(Some((field, text))) = searcher.doc(address)? {
                    if field == lead {
                        return Ok(wanted.share_in(text.chars().take(chars)));
                    }
                }
            }
            let doc: tantivy::TantivyDocument = searcher.doc(address)?;
            let body = doc
                .get_first(fields.body)
                .and_then(|v| tantivy::schema::Value::as_str(&v))
                .unwrap_or_default();
            Ok(wanted.share_in(body.chars().take(chars)))
        })
        .collect::<Result<_, Error>>()?;
    for (hit, share) in top.iter_mut().zip(shares) {
        hit.0 *= 1.0 + weight * share;
    }
    top[..depth].sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(top)
}

/// A stored document's first text field (the lead, in an index that stores it), the rest of the
/// document left unread.
struct FirstText(Option<(Field, String)>);

impl DocumentDeserialize for FirstText {
    fn deserialize<'de, D>(mut document: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        while let Some((field, value)) = document.next_field::<OwnedValue>()? {
            if let OwnedValue::Str(text) = value {
                return Ok(FirstText(Some((field, text))));
            }
        }
        Ok(FirstText(None))
    }
}

/// The distinct pairs of neighbouring letters or digits of a text, spaces and punctuation left out.
struct Pairs(FxHashMap<(char, char), usize>);

impl Pairs {
    fn of(text: &str) -> Pairs {
        let mut pairs = FxHashMap::default();
        for pair in word_pairs(text.chars()) {
            let next = pairs.len();
            pairs.entry(pair).or_insert(next);
        }
        Pairs(pairs)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The share of these pairs found in `chars`.
    fn share_in(&self, chars: impl Iterator<Item = char>) -> f32 {
        let mut found = vec![false; self.0.len()];
        let mut count = 0;
        for pair in word_pairs(chars) {
            if let Some(&i) = self.0.get(&pair) {
                if !found[i] {
                    found[i] = true;
                    count += 1;
                }
            }
        }
        count as f32 / self.0.len() as f32
    }
}

/// The pairs of neighbouring letters or digits, spaces and punctuation left out (they may repeat).
fn word_pairs(chars: impl Iterator<Item = char>) -> impl Iterator<Item = (char, char)> {
    let mut previous: Option<char> = None;
    chars
        .filter(|&c| crate::analyzer::is_word_char(c))
        .filter_map(move |c| previous.replace(c).map(|p| (p, c)))
}

/// Where a candidate holds the question's words: idf sums of distinct words.
#[derive(Debug, Clone, Copy, Default)]
struct Closeness {
    /// In the best window.
    window: f32,
    /// In the lead.
    lead: f32,
    /// Of consecutive query words standing next to each other in the same order (half the idf of
    /// each word of such a pair).
    pairs: f32,
}

/// For each of `docs` (ascending), where it holds the terms.
fn segment_proximity(
    index: &InvertedIndexReader,
    docs: &[DocId],
    terms: &[(Term, f32)],
    config: &SearchConfig,
) -> Result<Vec<Closeness>, Error> {
    let mut hits: Vec<Vec<(u32, usize)>> = vec![Vec::new(); docs.len()];
    let mut positions = Vec::new();
    for (n, (term, _)) in terms.iter().enumerate() {
        let Some(mut postings) =
            index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)?
        else {
            continue;
        };
        for (c, &doc) in docs.iter().enumerate() {
            if postings.doc() <= doc && postings.seek(doc) == doc {
                positions.clear();
                postings.positions(&mut positions);
                hits[c].extend(positions.iter().map(|&p| (p, n)));
            }
        }
    }
    Ok(hits
        .iter_mut()
        .map(|hits| {
            hits.sort_unstable();
            Closeness {
                lead: lead(hits, terms, config.lead_window),
                window: best_window(hits, terms, config.proximity_window),
                pairs: pairs(hits, terms),
            }
        })
        .collect())
}

/// For each pair of consecutive query words found in that order at most `PAIR_GAP` positions apart,
/// half the idf of each (`hits` sorted by position).
fn pairs(hits: &[(u32, usize)], terms: &[(Term, f32)]) -> f32 {
    let mut found = vec![false; terms.len()];
    for (i, &(pos, n)) in hits.iter().enumerate() {
        let next = hits[i + 1..]
            .iter()
            .take_while(|&&(p, _)| p <= pos + PAIR_GAP)
            .any(|&(p, m)| p > pos && m == n + 1);
        if next {
            found[n] = true;
        }
    }
    (0..terms.len().saturating_sub(1))
        .filter(|&n| found[n])
        .map(|n| (terms[n].1 + terms[n + 1].1) / 2.0)
        .sum()
}

/// The idf sum of distinct words with a position before `window`.
fn lead(hits: &[(u32, usize)], terms: &[(Term, f32)], window: u32) -> f32 {
    let mut seen = vec![false; terms.len()];
    let mut sum = 0.0;
    for &(pos, n) in hits {
        if pos < window && !seen[n] {
            seen[n] = true;
            sum += terms[n].1;
        }
    }
    sum
}

/// The largest idf sum of distinct words inside any span of `window` positions.
fn best_window(hits: &mut [(u32, usize)], terms: &[(Term, f32)], window: u32) -> f32 {
    hits.sort_unstable();
    let mut counts = vec![0u32; terms.len()];
    let (mut sum, mut best, mut left) = (0f32, 0f32, 0usize);
    for right in 0..hits.len() {
        let (pos, n) = hits[right];
        if counts[n] == 0 {
            sum += terms[n].1;
        }
        counts[n] += 1;
        while pos - hits[left].0 >= window {
            let m = hits[left].1;
            counts[m] -= 1;
            if counts[m] == 0 {
                sum -= terms[m].1;
            }
            left += 1;
        }
        best = best.max(sum);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_head_is_reused_only_for_the_same_head() {
        let head = vec![(2.0, DocAddress::new(0, 7)), (1.0, DocAddress::new(1, 3))];
        let reranked = vec![(2.2, DocAddress::new(1, 3)), (2.1, DocAddress::new(0, 7))];
        let mut memo = Reranked::default();
        assert!(memo.reuse(&head).is_none());
        memo.keep(head.clone(), &reranked);
        assert_eq!(memo.reuse(&head), Some(&reranked[..]));
        assert!(memo.reuse(&head[..1]).is_none());
        assert!(memo
            .reuse(&[(2.0, DocAddress::new(0, 8)), head[1]])
            .is_none());
        assert!(memo.reuse(&[]).is_none());
    }

    fn terms(weights: &[f32]) -> Vec<(Term, f32)> {
        let field =
            tantivy::schema::Schema::builder().add_text_field("body", tantivy::schema::TEXT);
        weights
            .iter()
            .map(|&w| (Term::from_field_text(field, "x"), w))
            .collect()
    }

    #[test]
    fn best_window_sums_distinct_words_close_together() {
        let t = terms(&[1.0, 2.0, 4.0]);
        // Words 0 and 1 near the start, all three together later on.
        let mut hits = vec![(0, 0), (1, 1), (50, 0), (52, 1), (55, 2)];
        assert_eq!(best_window(&mut hits, &t, 10), 7.0);
        // A repeated word counts once.
        let mut repeated = vec![(0, 2), (1, 2), (2, 2)];
        assert_eq!(best_window(&mut repeated, &t, 10), 4.0);
        // Too far apart for the window.
        let mut apart = vec![(0, 0), (30, 2)];
        assert_eq!(best_window(&mut apart, &t, 10), 4.0);
        assert_eq!(best_window(&mut [], &t, 10), 0.0);
    }
}
