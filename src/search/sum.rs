//! A flat sum of term scores (a question's or headline's words and bigrams) as a tantivy query whose
//! top `k` is scored a term at a time over windows of documents: each term's postings are read a
//! decoded block at a time and its scores added into an array for the window, then the window's
//! documents that beat the threshold are handed on.
//!
//! tantivy prunes a union of term queries with block-max WAND, but only when every term records
//! frequencies: the bigram field records documents alone, so a question's union was scored one
//! document at a time through a union of boxed scorers (a third of a question's time at 100 k
//! documents). The hits and scores are those of that union (`BooleanQuery` of `Should` term
//! queries), which still counts, explains and scores single documents.
//!
//! Tried and left out: MaxScore (the terms that cannot lift a document over the threshold only
//! sought for the documents the others found). A question's 30-odd terms weigh alike and the 41st
//! best score is a sixth of their sum, so only the 7–9 weakest ever drop out, and seeking them cost
//! more than reading them: KorQuAD questions in-process 1.40–1.49 ms with it, 1.09–1.12 without,
//! 1.28–1.29 for the union (same index, alternated).

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{Bm25Weight, BooleanQuery, EnableScoring, Explanation, Occur, Query, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentReader, Term, TERMINATED};

use super::build::boosted_clauses;

/// Documents scored at a time from the terms that must be read: their scores are added up in an
/// array this long, then the documents are visited in order.
const WINDOW: usize = 1 << 14;

/// A term without frequencies scores its postings from a table by field length when it has at
/// least this many.
const TABLE_FROM: u32 = 1024;

/// The documents holding any of the first `finders` terms, scoring the sum of every term's BM25
/// score, each times its boost (a question is found through its words; its bigrams add to the
/// score of what the words found).
#[derive(Debug, Clone)]
pub struct SumQuery {
    terms: Vec<(Term, f32)>,
    finders: usize,
}

impl SumQuery {
    pub fn new(terms: Vec<(Term, f32)>, finders: usize) -> SumQuery {
        let finders = finders.min(terms.len());
        SumQuery { terms, finders }
    }

    /// The same as tantivy's term queries (used to count, explain and score one by one).
    fn union(&self) -> BooleanQuery {
        let any = |terms| BooleanQuery::new(boosted_clauses(terms, IndexRecordOption::WithFreqs));
        let (finders, adders) = self.terms.split_at(self.finders);
        if adders.is_empty() {
            return any(finders);
        }
        BooleanQuery::new(vec![
            (Occur::Must, Box::new(any(finders))),
            (Occur::Should, Box::new(any(adders))),
        ])
    }
}

impl Query for SumQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let union = self.union().weight(scoring)?;
        let EnableScoring::Enabled {
            searcher,
            statistics_provider,
        } = scoring
        else {
            return Ok(union);
        };
        let schema = searcher.schema();
        let terms = self
            .terms
            .iter()
            .enumerate()
            .map(|(i, (term, boost))| {
                let weight =
                    Bm25Weight::for_terms(statistics_provider, std::slice::from_ref(term))?
                        .boost_by(*boost);
                let freqs = schema
                    .get_field_entry(term.field())
                    .field_type()
                    .get_index_record_option()
                    .is_some_and(|option| option.has_freq());
                Ok(Scored {
                    term: term.clone(),
                    weight,
                    freqs,
                    finds: i < self.finders,
                })
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(SumWeight { union, terms }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in &self.terms {
            visitor(term, false);
        }
    }
}

/// A term with its BM25 weight (boost included).
struct Scored {
    term: Term,
    weight: Bm25Weight,
    /// Whether the field records how often the term occurs.
    freqs: bool,
    /// Whether the term finds documents (or only adds to the score of those others found).
    finds: bool,
}

struct SumWeight {
    union: Box<dyn Weight>,
    terms: Vec<Scored>,
}

impl Weight for SumWeight {
    fn scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Box<dyn tantivy::query::Scorer>> {
        self.union.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.union.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.union.count(reader)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut cursors = Vec::with_capacity(self.terms.len());
        for scored in &self.terms {
            if let Some(cursor) = Cursor::open(reader, scored)? {
                cursors.push(cursor);
            }
        }
        sum_over_windows(cursors, threshold, callback);
        Ok(())
    }
}

/// One term's postings in one segment, read a decoded block at a time, positioned on a document.
struct Cursor<'a> {
    block: BlockSegmentPostings,
    /// The position in the block; at its end only when the postings are done.
    at: usize,
    norms: FieldNormReader,
    weight: &'a Bm25Weight,
    /// Without frequencies and over many postings: the score by field length (every posting
    /// counts once).
    by_norm: Option<Box<[Score; 256]>>,
    finds: bool,
}

impl<'a> Cursor<'a> {
    fn open(reader: &SegmentReader, scored: &'a Scored) -> tantivy::Result<Option<Cursor<'a>>> {
        let field = scored.term.field();
        let Some(mut block) = reader
            .inverted_index(field)?
            .read_block_postings(&scored.term, IndexRecordOption::WithFreqs)?
        else {
            return Ok(None);
        };
        block.seek(0);
        let norms = reader
            .fieldnorms_readers()
            .get_field(field)?
            .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
        // A table pays for its 256 scores only over many postings.
        let by_norm = (!scored.freqs && block.doc_freq() >= TABLE_FROM).then(|| {
            let mut table = Box::new([0.0; 256]);
            for (id, score) in table.iter_mut().enumerate() {
                *score = scored.weight.score(id as u8, 1);
            }
            table
        });
        Ok(Some(Cursor {
            block,
            at: 0,
            norms,
            weight: &scored.weight,
            by_norm,
            finds: scored.finds,
        }))
    }

    fn doc(&self) -> DocId {
        self.block
            .docs()
            .get(self.at)
            .copied()
            .unwrap_or(TERMINATED)
    }

    /// The score of the posting at `i` of the current block.
    fn score(&self, i: usize) -> Score {
        let doc = self.block.doc(i);
        let norm = self.norms.fieldnorm_id(doc);
        match &self.by_norm {
            Some(table) => table[norm as usize],
            None => self.weight.score(norm, self.block.freq(i)),
        }
    }

    /// Adds the term's scores of the documents in `start..end` to `window` and moves past them.
    fn drain(&mut self, start: DocId, end: DocId, window: &mut Window) {
        loop {
            let docs = self.block.docs();
            let mut i = self.at;
            if self.finds {
                while i < docs.len() && docs[i] < end {
                    window.add_found(docs[i] - start, self.score(i));
                    i += 1;
                }
            } else {
                while i < docs.len() && docs[i] < end {
                    window.add(docs[i] - start, self.score(i));
                    i += 1;
                }
            }
            if i < docs.len() || docs.is_empty() {
                self.at = i;
                return;
            }
            self.block.advance();
            self.at = 0;
        }
    }
}

/// The summed scores of a window of documents (0 where no term was found), and the documents a
/// finding term was found in.
struct Window {
    scores: Vec<Score>,
    found: Vec<u64>,
}

impl Window {
    fn add(&mut self, at: DocId, score: Score) {
        self.scores[at as usize] += score;
    }

    fn add_found(&mut self, at: DocId, score: Score) {
        let at = at as usize;
        self.scores[at] += score;
        self.found[at / 64] |= 1 << (at % 64);
    }

    /// Which of the 64 documents from `64 × word` score above `threshold`.
    fn above(&self, word: usize, threshold: Score) -> u64 {
        self.scores[word * 64..(word + 1) * 64]
            .iter()
            .enumerate()
            .fold(0, |mask, (i, &score)| {
                mask | (u64::from(score > threshold) << i)
            })
    }
}

/// Calls `callback` with every document whose sum beats the threshold it returns (starting at
/// `threshold`), in document order, as tantivy's pruning does.
fn sum_over_windows(
    mut cursors: Vec<Cursor>,
    mut threshold: Score,
    callback: &mut dyn FnMut(DocId, Score) -> Score,
) {
    let mut window = Window {
        scores: vec![0.0; WINDOW],
        found: vec![0; WINDOW / 64],
    };
    loop {
        let start = cursors.iter().map(Cursor::doc).min().unwrap_or(TERMINATED);
        if start == TERMINATED {
            return;
        }
        let end = start.saturating_add(WINDOW as DocId);
        for cursor in &mut cursors {
            cursor.drain(start, end, &mut window);
        }
        // Found by a finding term and above the threshold (compared 64 at a time; the threshold
        // only rises, so each candidate is compared again with the current one).
        for word in 0..window.found.len() {
            let found = std::mem::take(&mut window.found[word]);
            if found == 0 {
                continue;
            }
            let mut bits = found & window.above(word, threshold);
            while bits != 0 {
                let at = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let score = window.scores[at];
                if score > threshold {
                    threshold = callback(start + at as DocId, score);
                }
            }
        }
        window.scores.fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::schema::{Schema, TextFieldIndexing, TextOptions, TEXT};
    use tantivy::{doc, DocAddress, Index};

    use super::*;
    use crate::search::top::SharedTopDocs;

    /// Documents of common and rare words in a field with frequencies and one without, in three
    /// segments, one with a deletion.
    fn index() -> (Index, Vec<(Term, f32)>) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let basic = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_index_option(IndexRecordOption::Basic),
        );
        let grams = schema.add_text_field("grams", basic);
        let index = Index::create_in_ram(schema.build());
        for round in 0..3u32 {
            let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
            for i in 0..3000u32 {
                let n = i * 7 + round;
                let mut words = vec!["filler"; 1 + (n % 9) as usize];
                for (word, every) in [("c1", 2), ("c2", 3), ("c3", 5), ("r1", 97), ("r2", 211)] {
                    if n % every == 0 {
                        words.push(word);
                    }
                }
                if n % 194 == 0 {
                    words.push("r1");
                }
                let grams_text = if n % 4 == 0 { "g1 g2" } else { "g2" };
                writer
                    .add_document(doc!(body => words.join(" "), grams => grams_text))
                    .unwrap();
            }
            if round == 1 {
                writer.delete_term(Term::from_field_text(body, "r2"));
            }
            writer.commit().unwrap();
        }
        let term = |field, w: &str, boost| (Term::from_field_text(field, w), boost);
        let terms = vec![
            term(body, "r1", 2.0),
            term(body, "r2", 1.0),
            term(body, "c1", 1.0),
            term(body, "c2", 0.5),
            term(body, "c3", 1.0),
            term(grams, "g1", 0.6),
            term(grams, "g2", 0.6),
            term(body, "absent", 1.0),
        ];
        (index, terms)
    }

    #[test]
    fn the_top_k_and_scores_are_the_plain_unions() {
        let (index, terms) = index();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        // Every term finds documents; or only the first three (the grams only add to scores).
        for finders in [terms.len(), 3] {
            let sum = SumQuery::new(terms.clone(), finders);
            for k in [1, 10, 41, 500, 20_000] {
                let want = searcher
                    .search(&sum.union(), &TopDocs::with_limit(k))
                    .unwrap();
                for got in [
                    searcher.search(&sum, &TopDocs::with_limit(k)).unwrap(),
                    searcher.search(&sum, &SharedTopDocs::new(k)).unwrap(),
                ] {
                    assert_same(&got, &want, k);
                }
            }
            // Counting and scoring one by one go through the union.
            let count = tantivy::collector::Count;
            assert_eq!(
                searcher.search(&sum, &count).unwrap(),
                searcher.search(&sum.union(), &count).unwrap()
            );
        }
        // Found only through the first three, fewer documents are found than through all.
        let count = |finders| {
            let sum = SumQuery::new(terms.clone(), finders);
            searcher
                .search(&sum, &TopDocs::with_limit(20_000))
                .unwrap()
                .len()
        };
        assert!(count(3) < count(terms.len()));
    }

    /// The same scores in the same order, allowing documents of equal score to change places.
    fn assert_same(got: &[(Score, DocAddress)], want: &[(Score, DocAddress)], k: usize) {
        assert_eq!(got.len(), want.len(), "k={k}");
        for (g, w) in got.iter().zip(want) {
            assert!((g.0 - w.0).abs() <= 1e-5 * w.0, "k={k}: {g:?} {w:?}");
        }
        let last = want.last().map_or(0.0, |w| w.0);
        let above = |hits: &[(Score, DocAddress)]| {
            let mut docs: Vec<DocAddress> = hits
                .iter()
                .filter(|h| h.0 > last + 1e-4)
                .map(|h| h.1)
                .collect();
            docs.sort();
            docs
        };
        assert_eq!(above(got), above(want), "k={k}");
    }
}
