//! The bench's arithmetic: percentiles, the analyzer's mean speed, keyword queries from questions,
//! the load average.

use std::time::Duration;

use crate::eval::EvalQuery;

use super::*;

#[test]
fn percentiles_are_nearest_rank() {
    let latencies: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
    let f = figures("q", 1, 0, latencies, Duration::from_secs(2));
    assert_eq!((f.p50_ms, f.p95_ms, f.p99_ms), (50.0, 95.0, 99.0));
    assert!((f.mean_ms - 50.5).abs() < 1e-9);
    assert!((f.qps - 50.0).abs() < 1e-9);
    let none = figures("q", 1, 0, Vec::new(), Duration::from_secs(1));
    assert_eq!((none.p50_ms, none.mean_ms, none.queries), (0.0, 0.0, 0));
}

fn run(korean_seconds: f64, bigram_seconds: f64) -> AnalyzerRun {
    AnalyzerRun {
        text_mb: 12.0,
        lindera_seconds: korean_seconds * 2.0,
        korean_seconds,
        bigram_seconds,
        tokens: 7,
        grams: 9,
    }
}

#[test]
fn analyzer_speed_is_averaged_over_time_not_over_rates() {
    // Both analyzers together: 12 MB in 2 s and in 4 s, 4 MB/s on average (the mean of the rates
    // would say 4.5).
    let mean = AnalyzerFigures::mean(&[run(1.5, 0.5), run(3.5, 0.5)]).unwrap();
    assert!((mean.mb_per_sec - 4.0).abs() < 1e-9);
    assert_eq!(mean.mb_per_sec_runs, [6.0, 3.0]);
    assert!((mean.seconds - 3.0).abs() < 1e-9);
    assert!((mean.lindera_mb_per_sec - 2.4).abs() < 1e-9);
    assert_eq!(mean.lindera_mb_per_sec_runs, [4.0, 12.0 / 7.0]);
    assert!((mean.korean_mb_per_sec - 4.8).abs() < 1e-9);
    assert!((mean.bigram_mb_per_sec - 24.0).abs() < 1e-9);
    assert_eq!((mean.tokens, mean.grams), (7, 9));
    assert!(AnalyzerFigures::mean(&[]).is_none());
}

#[test]
fn each_indexing_run_is_compared_with_the_analyzer_runs_either_side_of_it() {
    let indexing = |mb_per_sec: f64| IndexingFigures {
        documents: 1,
        text_mb: 12.0,
        seconds: 12.0 / mb_per_sec,
        docs_per_sec: 0.0,
        mb_per_sec,
        peak_memory_mb: None,
        index_size_mb: 0.0,
        threads: 2,
    };
    // Analyzer at 6, 3 and 4 MB/s; indexing at 6 MB/s, then 4.2 MB/s.
    let analyzer = [run(2.0, 0.0), run(4.0, 0.0), run(3.0, 0.0)];
    let runs = [indexing(6.0), indexing(4.2)];
    let ratios = ratios(&runs, &analyzer, |a| a.mb_per_sec);
    // 6 / (2 × 4) and 4.2 / (2 × 12 / 3.5).
    assert_eq!(ratios.len(), 2);
    assert!((ratios[0] - 0.75).abs() < 1e-9, "{ratios:?}");
    assert!((ratios[1] - 0.6125).abs() < 1e-9, "{ratios:?}");
    // lindera alone took twice as long in every run here: against it, each ratio doubles.
    let to_lindera = super::ratios(&runs, &analyzer, |a| a.lindera_mb_per_sec);
    assert!((to_lindera[0] - 1.5).abs() < 1e-9, "{to_lindera:?}");
    assert!((to_lindera[1] - 1.225).abs() < 1e-9, "{to_lindera:?}");
    assert_eq!(median_index(&[0.7, 0.5, 0.6]), Some(2));
    assert_eq!(median_index(&[0.7, 0.5]), Some(1));
    assert_eq!(median_index(&[]), None);
}

#[test]
fn keyword_queries_keep_the_two_longest_words_in_order() {
    let questions = vec![
        EvalQuery {
            qid: "1".into(),
            query: "2010년 천안함 사건은 어디에서 발생하였는가?".into(),
        },
        EvalQuery {
            qid: "2".into(),
            query: "딥시크?".into(),
        },
    ];
    let keywords = keyword_queries(&questions);
    assert_eq!(keywords[0].query, "2010년 발생하였는가");
    assert_eq!(keywords[0].qid, "1");
    assert_eq!(keywords[1].query, "딥시크");
}

#[test]
fn the_load_average_is_the_first_figure_of_proc_loadavg() {
    assert_eq!(
        crate::machine::parse_load_average("0.42 1.07 2.50 1/321 4242\n"),
        Some(0.42)
    );
    assert_eq!(crate::machine::parse_load_average(""), None);
    assert_eq!(crate::machine::parse_load_average("busy"), None);
}

#[test]
fn the_build_folder_is_emptied_only_when_the_bench_made_it() {
    let root = tempfile::tempdir().unwrap();
    // A real index (or anything else) is refused and left as it was.
    let index = root.path().join("index");
    std::fs::create_dir(&index).unwrap();
    std::fs::write(index.join("meta.json"), "{}").unwrap();
    let err = clear_build_dir(&index).unwrap_err().to_string();
    assert!(err.contains("refusing to delete"), "{err}");
    assert!(index.join("meta.json").is_file());
    // A new folder, then the same folder again: made, marked, emptied.
    let build = root.path().join("bench-index");
    clear_build_dir(&build).unwrap();
    std::fs::write(build.join("meta.json"), "{}").unwrap();
    clear_build_dir(&build).unwrap();
    assert!(!build.join("meta.json").exists());
    assert!(build.join(BUILD_MARK).is_file());
    // An empty folder is taken.
    let empty = root.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    clear_build_dir(&empty).unwrap();
}
