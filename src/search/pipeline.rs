//! One search from request to response, in the order of the ranking map in `search`'s module doc:
//! the keyboard-mode retry around it, the query's readings (as typed, quoted speech, relaxed), and
//! for the reading kept, the page of hits beside the count, facets and words to mark.

use rayon::prelude::*;
use tantivy::DocAddress;

use super::build::{Built, QueryKind};
use super::engine::Engine;
use super::retrieve::{Counted, Filters};
use super::stats::Stats;
use super::types::{Grouped, SearchRequest, SearchResponse};
use super::{relax, snippet, syntax, Relaxed};
use crate::error::Error;

/// A query that finds fewer documents than this may be corrected: a Latin one is also read as Hangul
/// typed in the wrong keyboard mode (`znvkd` → 쿠팡), and one whose last word is 초성 or half typed is
/// also searched as its completion (`ㅅㅅㅈㅈ` → 삼성전자). A real Latin word (`samsung`, `AI`) or a
/// real Korean word with a particle finds more in a news index and is left alone; Hangul is read as
/// Latin only when it finds nothing.
const RETRY_BELOW: usize = 1000;

/// Another reading (the other keyboard mode, a completion) replaces the query only when it finds this
/// many times more documents: a reading that finds about as much is not evidently what was meant.
const CORRECTION_GAIN: usize = 10;

/// Whether a run of one reading must count its matches. Counting costs a pass over every match, so
/// a run skips it when nothing compares the total: a question is never relaxed, and quoted speech
/// is already its relaxed reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Total {
    /// A relaxed reading may follow, and it is chosen by comparing totals.
    Needed,
    /// No total is compared: counting is up to the caller.
    Optional,
}

/// What a run of one reading made, with how many documents that reading matches.
pub(super) trait Totalled {
    fn total(&self) -> usize;
}

impl Totalled for usize {
    fn total(&self) -> usize {
        *self
    }
}

/// A reading's page of hits, its count and facets, and the words to mark in snippets.
struct Page {
    top: Vec<(f32, DocAddress)>,
    counted: Counted,
    needles: snippet::Needles,
}

impl Totalled for Page {
    fn total(&self) -> usize {
        self.counted.total
    }
}

/// The reading of a query that was run and what its run made.
pub(super) struct Resolved<R> {
    pub built: Built,
    pub run: R,
    /// The relaxed reading, when it is not the query as typed.
    pub step: Option<relax::Step>,
}

impl Engine {
    /// Stage 7 around everything else: a query typed in the wrong keyboard mode, or whose last word
    /// is only 초성 or half typed, is searched as its other reading or its completion when that finds
    /// far more; stage 8 after it: did-you-mean for an empty result.
    pub(super) fn search_in_pool(&self, request: &SearchRequest) -> Result<SearchResponse, Error> {
        let started = std::time::Instant::now();
        let mut response = self.search_text(request, &request.query)?;
        if !request.strict {
            if let Some(other) = Self::other_layout(&request.query) {
                let latin = request.query.is_ascii();
                if (latin && response.total < RETRY_BELOW) || response.total == 0 {
                    response = self.corrected(request, response, other)?;
                }
            }
            if response.corrected_query.is_none() && response.total < RETRY_BELOW {
                if let Some(completed) = self.completion(&request.query) {
                    response = self.corrected(request, response, completed)?;
                }
            }
        }
        if response.total == 0 {
            response.did_you_mean = self.did_you_mean(&crate::normalize::query(&request.query));
        }
        response.took_ms = super::elapsed_ms(started);
        Ok(response)
    }

    /// The search for `other`, in place of `response` (the query as typed) when it finds
    /// `CORRECTION_GAIN` times more, and then saying so (`corrected_query`). A relaxed response
    /// counts as finding nothing: the text as typed found (next to) nothing, and the relaxed reading
    /// is not what was typed (`반도체 ㅇㅈㅁ` found 반도체 without ㅇㅈㅁ; 반도체 이재명 is meant).
    fn corrected(
        &self,
        request: &SearchRequest,
        response: SearchResponse,
        other: String,
    ) -> Result<SearchResponse, Error> {
        let as_typed = if response.relaxed.is_some() {
            0
        } else {
            response.total
        };
        let found = self.search_text(request, &other)?;
        if found.total == 0 || found.total <= as_typed * CORRECTION_GAIN {
            return Ok(response);
        }
        Ok(SearchResponse {
            query: request.query.clone(),
            corrected_query: Some(other),
            ..found
        })
    }

    /// The search for `text` with the request's filters, paging and order.
    fn search_text(&self, request: &SearchRequest, text: &str) -> Result<SearchResponse, Error> {
        let searcher = self.reader.searcher();
        let stats = self.stats(&searcher);
        let filters = self.filters(&request.sources, request.from, request.to);
        let groups = self.groups(text);
        let folds = self.folds(request);
        // Every reading is counted: the response reports its total and facets.
        let run = |built: &Built, _: Total| {
            let (top, (counted, needles)) = rayon::join(
                || {
                    if folds {
                        self.folded_page(&stats, built, &filters, request)
                    } else {
                        self.page(&stats, built, &filters, request)
                    }
                },
                || (self.count(&searcher, built, &filters), self.needles(built)),
            );
            Ok(Page {
                top: top?,
                counted: counted?,
                needles,
            })
        };
        let mut response = SearchResponse::empty(&request.query);
        let Some(found) = self.resolve(&stats, &groups, !request.strict, run)? else {
            return Ok(response);
        };
        let Page {
            top,
            counted,
            needles,
        } = found.run;
        response.relaxed = match found.step {
            Some(step) => Some(Relaxed {
                dropped: self.dropped(&stats, &step, &found.built, top.first())?,
                phrases: step.phrases,
            }),
            None => None,
        };
        response.total = counted.total;
        response.total_exact = counted.exact;
        response.facets = counted.facets;
        let page: Vec<(f32, DocAddress)> = top.into_iter().take(request.limit).collect();
        response.hits = page
            .into_par_iter()
            .map(|(score, address)| {
                let mut hit = self.hit(&searcher, &needles, score, address)?;
                if folds {
                    hit.similar = self.similar(&searcher, address);
                }
                Ok(hit)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        if folds {
            response.grouped = Some(Grouped {
                groups: response.hits.len(),
                documents: response
                    .hits
                    .iter()
                    .map(|h| 1 + h.similar.as_ref().map_or(0, |s| s.count))
                    .sum(),
            });
        }
        Ok(response)
    }

    /// Stage 6: builds `groups` and runs `run` on them; when that finds fewer than
    /// `search.relax_below` documents (and `relax`), runs the relaxed readings in turn and keeps the
    /// one that finds the most, stopping at the first that finds enough. Quoted speech in a long
    /// query is searched as its words from the start.
    pub(super) fn resolve<R: Totalled>(
        &self,
        stats: &Stats,
        groups: &[syntax::Group],
        relax: bool,
        mut run: impl FnMut(&Built, Total) -> Result<R, Error>,
    ) -> Result<Option<Resolved<R>>, Error> {
        let builder = self.builder(stats);
        if relax && relax::quoted_speech(groups, self.config.all_terms_up_to) {
            // Searched as its words from the start; the response says the quotes were not required.
            let step = relax::steps(groups, QueryKind::LongWithOperators).swap_remove(0);
            if let Some(built) = builder.build_as(&step.groups, step.kind) {
                let run = run(&built, Total::Optional)?;
                return Ok(Some(Resolved {
                    built,
                    run,
                    step: Some(step),
                }));
            }
        }
        let Some(built) = builder.build(groups) else {
            return Ok(None);
        };
        let relax = relax && built.kind != QueryKind::Question && self.config.relax_below > 0;
        let total = if relax {
            Total::Needed
        } else {
            Total::Optional
        };
        let run_as_typed = run(&built, total)?;
        let enough = self.config.relax_below;
        let mut best = Resolved {
            built,
            run: run_as_typed,
            step: None,
        };
        if !relax || best.run.total() >= enough {
            return Ok(Some(best));
        }
        for step in relax::steps(groups, best.built.kind) {
            let Some(built) = builder.build_as(&step.groups, step.kind) else {
                continue;
            };
            let run = run(&built, Total::Needed)?;
            if run.total() > best.run.total() {
                best = Resolved {
                    built,
                    run,
                    step: Some(step),
                };
            }
            if best.run.total() >= enough {
                break;
            }
        }
        Ok(Some(best))
    }

    /// The words a relaxed search's best hit does without, when its words were made optional.
    fn dropped(
        &self,
        stats: &Stats,
        step: &relax::Step,
        built: &Built,
        first: Option<&(f32, DocAddress)>,
    ) -> Result<Vec<String>, Error> {
        if !step.optional_words {
            return Ok(Vec::new());
        }
        let searcher = stats.searcher();
        // The best document overall, whatever page was asked for.
        let best = match first {
            Some(&(_, address)) => Some(address),
            None => self
                .by_relevance(
                    stats,
                    built,
                    &Filters::default(),
                    (0, 1),
                    &mut Default::default(),
                )?
                .first()
                .map(|h| h.1),
        };
        let Some(best) = best else {
            return Ok(Vec::new());
        };
        let builder = self.builder(stats);
        Ok(relax::dropped(searcher, &step.groups, best, |group| {
            builder.build(std::slice::from_ref(group)).map(|b| b.query)
        }))
    }
}
