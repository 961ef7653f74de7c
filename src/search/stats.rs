//! Index statistics for one search, each looked up once: the query builder asks which terms are
//! common, and BM25 then needs the same document frequencies again for every clause.

use std::collections::HashMap;
use std::sync::Mutex;

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

pub struct Stats<'a> {
    searcher: &'a Searcher,
    /// Divides the fields' token counts, so the average length BM25 compares each document with is
    /// longer: below 1, long documents lose less (see `search.length_normalization`).
    length_normalization: f64,
    doc_freqs: Mutex<HashMap<Term, u64>>,
    tokens: Mutex<HashMap<Field, u64>>,
}

impl<'a> Stats<'a> {
    pub fn new(searcher: &'a Searcher, length_normalization: f32) -> Stats<'a> {
        Stats {
            searcher,
            length_normalization: f64::from(length_normalization).max(1e-3),
            doc_freqs: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    pub fn searcher(&self) -> &'a Searcher {
        self.searcher
    }

    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Documents holding `term` (0 when the index cannot say).
    pub fn doc_freq(&self, term: &Term) -> u64 {
        remembered(&self.doc_freqs, term, || {
            Ok(self.searcher.doc_freq(term).unwrap_or(0))
        })
        .unwrap_or(0)
    }
}

/// The value for `key` in `memo`, computed and kept the first time.
fn remembered<K: std::hash::Hash + Eq + Clone>(
    memo: &Mutex<HashMap<K, u64>>,
    key: &K,
    compute: impl FnOnce() -> tantivy::Result<u64>,
) -> tantivy::Result<u64> {
    if let Some(n) = memo.lock().ok().and_then(|m| m.get(key).copied()) {
        return Ok(n);
    }
    let n = compute()?;
    if let Ok(mut m) = memo.lock() {
        m.insert(key.clone(), n);
    }
    Ok(n)
}

impl Bm25StatisticsProvider for Stats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        remembered(&self.tokens, &field, || {
            let tokens = Bm25StatisticsProvider::total_num_tokens(self.searcher, field)?;
            Ok((tokens as f64 / self.length_normalization) as u64)
        })
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.searcher.num_docs())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Ok(Stats::doc_freq(self, term))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    #[test]
    fn frequencies_match_the_searcher_and_are_remembered() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for text in ["seoul busan", "seoul", "daegu"] {
            writer.add_document(doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let stats = Stats::new(&searcher, 1.0);
        let seoul = Term::from_field_text(body, "seoul");
        assert_eq!(stats.doc_freq(&seoul), 2);
        assert_eq!(stats.doc_freq(&seoul), 2);
        assert_eq!(stats.doc_freqs.lock().unwrap().len(), 1);
        assert_eq!(stats.doc_freq(&Term::from_field_text(body, "jeju")), 0);
        assert_eq!(
            stats.total_num_tokens(body).unwrap(),
            Bm25StatisticsProvider::total_num_tokens(&searcher, body).unwrap()
        );
        assert_eq!(stats.total_num_docs().unwrap(), 3);
    }
}
