//! The bench report as a plain-text table.

use super::Report;

impl Report {
    /// The report as a plain-text table.
    pub fn table(&self) -> String {
        let mut out = format!("machine: {}\n", self.machine);
        if let Some(i) = &self.indexing {
            out.push_str(&format!(
                "\nindexing   {} docs, {:.1} MB text, {} threads (the median of {} runs)\n           {:.1} s, {:.0} docs/s, {:.2} MB/s, peak memory {}, index {:.0} MB\n",
                i.documents,
                i.text_mb,
                i.threads,
                self.ratios.len(),
                i.seconds,
                i.docs_per_sec,
                i.mb_per_sec,
                i.peak_memory_mb.map_or("n/a".into(), |m| format!("{m:.0} MB")),
                i.index_size_mb
            ));
        }
        if let Some(a) = &self.analyzer {
            out.push_str(&format!(
                "lindera    1 thread: {:.2} MB/s (ko-dic segmentation alone; runs {})\n",
                a.lindera_mb_per_sec,
                two_places(&a.lindera_mb_per_sec_runs)
            ));
            out.push_str(&format!(
                "analyzer   1 thread: {:.2} MB/s ({:.1} MB in {:.1} s; runs {})\n\
                 \x20          korean {:.2} MB/s ({} tokens) + bigrams {:.1} MB/s ({} grams)\n",
                a.mb_per_sec,
                a.text_mb,
                a.seconds,
                two_places(&a.mb_per_sec_runs),
                a.korean_mb_per_sec,
                a.tokens,
                a.bigram_mb_per_sec,
                a.grams
            ));
            if let Some(r) = self.reading_mb_per_sec {
                out.push_str(&format!(
                    "reading    1 thread: {r:.1} MB/s (decompress + parse, no analysis)\n"
                ));
            }
            for (ratio, ratios, yardstick) in [
                (self.ratio, &self.ratios, "lindera"),
                (self.ratio_to_analysis, &self.ratios_to_analysis, "analyzer"),
            ] {
                let Some(ratio) = ratio else { continue };
                out.push_str(&format!(
                    "           indexing = {ratio:.2} x (2 x single-thread {yardstick}), median of {}\n",
                    two_places(ratios)
                ));
            }
        }
        if !self.queries.is_empty() {
            out.push_str(&format!(
                "\n{:<28} {:>7} {:>7} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
                "queries", "n", "clients", "errors", "p50 ms", "p95 ms", "p99 ms", "mean ms", "qps"
            ));
            for q in &self.queries {
                out.push_str(&format!(
                    "{:<28} {:>7} {:>7} {:>6} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.0}\n",
                    q.name,
                    q.queries,
                    q.clients,
                    q.errors,
                    q.p50_ms,
                    q.p95_ms,
                    q.p99_ms,
                    q.mean_ms,
                    q.qps
                ));
            }
        }
        if let Some(s) = &self.suggester {
            out.push_str(&format!(
                "suggester  {} words, {:.1} MB in memory\n",
                s.words, s.memory_mb
            ));
        }
        if let Some(w) = &self.writes {
            out.push_str(&format!(
                "\nwrites     {} batches of 20 documents from 2 writers in {:.1} s beside 4 searchers: \
                 {:.0} documents/s\n\
                 \x20          acknowledged (committed and searchable) p50 {:.1} ms, p99 {:.1} ms\n\
                 \x20          {} searches during writes: p50 {:.2} ms, p99 {:.2} ms\n\
                 \x20          5xx responses {}, acknowledged documents not found right after {}\n",
                w.batches,
                w.seconds,
                w.docs_per_sec,
                w.ack_p50_ms,
                w.ack_p99_ms,
                w.searches,
                w.search_p50_ms,
                w.search_p99_ms,
                w.server_errors,
                w.not_visible
            ));
        }
        out
    }
}

/// `values` with two decimals, comma-separated.
fn two_places(values: &[f64]) -> String {
    let each: Vec<String> = values.iter().map(|v| format!("{v:.2}")).collect();
    each.join(", ")
}
