//! What the matching articles talk about (연관어) and who and where is in them: the nouns of a
//! bounded sample of the best-matching articles (title and opening), scored against the whole index
//! (JLH: how much more often a word is in the sample than in the index, times by how much), and the
//! people and places (ko-dic's `NNP,인명` / `NNP,지명`) they name most.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument, Term};
use time::Date;

use super::engine::Engine;
use crate::analyzer::{Noun, NounKind};
use crate::error::Error;

/// Best-matching articles read: the cost does not grow with the archive.
pub const SAMPLE: usize = 100;
/// Characters of each article's body read after its title (news puts the story first).
const OPENING_CHARS: usize = 600;
/// A related word is in at least this share of the sample (and at least two articles).
const MIN_SHARE: f64 = 0.1;
/// News boilerplate and words that say nothing of a story, never shown.
const STOP_WORDS: &[&str] = &[
    "기자",
    "뉴스",
    "무단",
    "전재",
    "배포",
    "재배포",
    "금지",
    "저작권",
    "제공",
    "사진",
    "구독",
    "제보",
    "앵커",
    "특파원",
    "영상",
    "편집",
    "기사",
    "뉴스1",
    "뉴시스",
    "연합뉴스",
    "이날",
    "오전",
    "오후",
    "지난해",
    "올해",
    "내년",
    "이번",
    "관련",
    "당시",
    "경우",
    "때문",
    "오늘",
    "내일",
    "어제",
    "이후",
    "이상",
    "이하",
    "정도",
    "가운데",
    "사실",
    "최근",
    "현재",
    "한편",
    "계획",
    "예정",
    "설명",
    "강조",
    "지적",
    "생각",
    "입장",
    "발표",
    "진행",
    "예상",
    "com",
    "www",
    "co",
    "kr",
    "news",
];

/// What a caller asks for.
#[derive(Debug, Clone, Default)]
pub struct RelatedRequest {
    pub query: String,
    /// Words, people and places returned, each list (at most).
    pub limit: usize,
    pub sources: Vec<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// A word over-represented in the matching articles.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RelatedWord {
    pub word: String,
    /// JLH significance: (share in the sample − share in the index) × (the ratio of the two).
    pub score: f64,
    /// Articles of the sample holding it.
    pub documents: usize,
}

/// A person or place named in the matching articles.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entity {
    pub name: String,
    /// Articles of the sample naming it.
    pub documents: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RelatedResponse {
    pub query: String,
    /// Articles read: the best-matching ones, at most `SAMPLE`.
    pub sample: usize,
    pub words: Vec<RelatedWord>,
    pub people: Vec<Entity>,
    pub places: Vec<Entity>,
    pub took_ms: f64,
}

/// How many articles of the sample hold each noun (once per article), by kind.
#[derive(Default)]
struct Tally {
    documents: FxHashMap<String, (usize, NounKind)>,
}

impl Tally {
    fn add(&mut self, nouns: Vec<Noun>) {
        let mut seen: FxHashSet<String> = FxHashSet::default();
        for noun in nouns {
            if seen.insert(noun.text.clone()) {
                let entry = self.documents.entry(noun.text).or_insert((0, noun.kind));
                entry.0 += 1;
            }
        }
    }

    /// The most-named nouns of `kind` (not the query's), most first.
    fn entities(&self, kind: NounKind, skip: &FxHashSet<String>, limit: usize) -> Vec<Entity> {
        let mut out: Vec<Entity> = self
            .documents
            .iter()
            .filter(|(name, &(n, k))| k == kind && n >= 2 && !skip.contains(*name))
            .map(|(name, &(n, _))| Entity {
                name: name.clone(),
                documents: n,
            })
            .collect();
        out.sort_by(|a, b| b.documents.cmp(&a.documents).then(a.name.cmp(&b.name)));
        out.truncate(limit);
        out
    }
}

impl Engine {
    /// The related words, people and places of the articles matching `request.query`.
    pub fn related(&self, request: &RelatedRequest) -> Result<RelatedResponse, Error> {
        let started = std::time::Instant::now();
        let searcher = self.reader.searcher();
        let stats = self.stats(&searcher);
        let filters = self.filters(&request.sources, request.from, request.to);
        let groups = self.groups(&request.query);
        let count = |_: &super::build::Built, _| Ok(0usize);
        let (sample, tally) = self.pool.install(|| {
            let Some(found) = self.resolve(&stats, &groups, false, count)? else {
                return Ok::<_, Error>((0, Tally::default()));
            };
            let top = self.top_k(&stats, &found.built, &filters, SAMPLE)?;
            let nouns: Vec<Vec<Noun>> = top
                .par_iter()
                .map(|&(_, address)| self.opening_nouns(&searcher, address))
                .collect::<Result<_, Error>>()?;
            let mut tally = Tally::default();
            for nouns in nouns {
                tally.add(nouns);
            }
            Ok((top.len(), tally))
        })?;
        // The query's own words and their compound parts say nothing new.
        let mut skip: FxHashSet<String> = self
            .analyzer
            .analyze(&crate::normalize::query(&request.query))
            .into_iter()
            .map(|t| t.text)
            .collect();
        skip.extend(STOP_WORDS.iter().map(|w| w.to_string()));
        let words = self.significant(&tally, sample, &skip, request.limit);
        Ok(RelatedResponse {
            query: request.query.clone(),
            sample,
            words,
            people: tally.entities(NounKind::Person, &skip, request.limit),
            places: tally.entities(NounKind::Place, &skip, request.limit),
            took_ms: super::elapsed_ms(started),
        })
    }

    /// The nouns of an article's title and the opening of its body.
    fn opening_nouns(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
    ) -> Result<Vec<Noun>, Error> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
        };
        let body = text(self.fields.body);
        let opening = match body.char_indices().nth(OPENING_CHARS) {
            Some((end, _)) => &body[..end],
            None => body,
        };
        let mut nouns = self.analyzer.nouns(text(self.fields.title));
        nouns.extend(self.analyzer.nouns(opening));
        Ok(nouns)
    }

    /// The sample's nouns held by at least `MIN_SHARE` of it, by JLH against the whole index.
    fn significant(
        &self,
        tally: &Tally,
        sample: usize,
        skip: &FxHashSet<String>,
        limit: usize,
    ) -> Vec<RelatedWord> {
        let searcher = self.reader.searcher();
        let all = searcher.num_docs().max(1) as f64;
        let least = ((sample as f64 * MIN_SHARE).ceil() as usize).max(2);
        let mut words: Vec<RelatedWord> = tally
            .documents
            .iter()
            .filter(|(word, &(n, _))| n >= least && !skip.contains(*word))
            .filter_map(|(word, &(n, _))| {
                let term = Term::from_field_text(self.fields.body, word);
                let df = searcher.doc_freq(&term).ok()?.max(n as u64) as f64;
                let (fg, bg) = (n as f64 / sample as f64, df / all);
                (fg > bg).then(|| RelatedWord {
                    word: word.clone(),
                    score: (fg - bg) * (fg / bg),
                    documents: n,
                })
            })
            .collect();
        words.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.word.cmp(&b.word)));
        words.truncate(limit);
        words
    }
}
