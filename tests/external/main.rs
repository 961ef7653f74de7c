//! Tests that need something beyond the repository: `../shared` beside the checkout (the seed pages,
//! the dictionary's source, Wikipedia text) or Chromium with the npm packages of `tests/e2e`. Where
//! that is missing they are listed as ignored, saying what they need; under `CI=true` they run
//! anyway and fail, because CI must run them. A harness of its own (libtest-mimic), since the
//! standard one cannot decide at run time that a test is ignored.

mod analysis;
mod browser;
mod disk;
mod es_clients;
mod nori;
mod seeds;
#[allow(dead_code)]
#[path = "../it/support.rs"]
mod support;

use std::path::PathBuf;

use libtest_mimic::{Arguments, Trial};

/// `../shared` beside the checkout, when it is there.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    dir.join("corpus/seeds").is_dir().then_some(dir)
}

/// `../shared`, for a test that reads it: run only when the folder is there, or under `CI=true`,
/// where its absence fails the test here.
pub fn shared() -> PathBuf {
    shared_dir()
        .expect("../shared is missing beside the checkout: tests that read it must run in CI")
}

/// A test and what it needs when that is missing.
fn trial(name: &str, test: fn(), missing: Option<&str>) -> Trial {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let trial = Trial::test(name, move || {
        test();
        Ok(())
    });
    match missing {
        Some(need) if !in_ci => trial.with_kind(need).with_ignored_flag(true),
        _ => trial,
    }
}

/// A test that needs what a machine may lawfully lack (CI included): ignored without it.
fn optional(name: &str, test: fn(), missing: Option<&str>) -> Trial {
    let trial = Trial::test(name, move || {
        test();
        Ok(())
    });
    match missing {
        Some(need) => trial.with_kind(need).with_ignored_flag(true),
        None => trial,
    }
}

fn main() {
    let args = Arguments::from_args();
    let shared = shared_dir()
        .is_none()
        .then_some("needs ../shared beside the checkout");
    let chromium = browser::chromium()
        .is_none()
        .then_some("needs chromium and `npm ci` in tests/e2e");
    let mount = (!disk::can_mount()).then_some("needs the right to mount a tmpfs (root)");
    let lucene = nori::lucene()
        .is_none()
        .then_some("needs java and Debian's liblucene8-java (.ci/run installs both)");
    let clients = es_clients::python()
        .is_none()
        .then_some("needs tests/es/.venv with elasticsearch and opensearch-py (.ci/run makes it)");
    let trials = vec![
        // Not forced under CI: a machine may forbid mounting whoever runs the tests.
        optional(
            "disk::a_full_disk_refuses_writes_with_507_while_searches_go_on",
            disk::a_full_disk_refuses_writes_with_507_while_searches_go_on,
            mount,
        ),
        trial(
            "analysis::the_ko_dic_entries_that_hold_a_space_are_the_ones_words_are_kept_together_after",
            analysis::the_ko_dic_entries_that_hold_a_space_are_the_ones_words_are_kept_together_after,
            shared,
        ),
        trial(
            "analysis::wikipedia_articles_index_word_by_word_as_they_read_whole",
            analysis::wikipedia_articles_index_word_by_word_as_they_read_whole,
            shared,
        ),
        trial(
            "browser::search_page_in_headless_chromium",
            browser::search_page_in_headless_chromium,
            chromium,
        ),
        trial(
            "es_clients::official_clients_load_search_and_analyze",
            es_clients::official_clients_load_search_and_analyze,
            clients,
        ),
        trial(
            "nori::the_exported_template_loads_into_lucene_nori",
            nori::the_exported_template_loads_into_lucene_nori,
            lucene,
        ),
        trial(
            "seeds::each_article_comes_first_for_its_own_subject",
            seeds::each_article_comes_first_for_its_own_subject,
            shared,
        ),
        trial(
            "seeds::particles_on_the_query_do_not_matter",
            seeds::particles_on_the_query_do_not_matter,
            shared,
        ),
        trial(
            "seeds::chrome_and_teaser_words_find_nothing",
            seeds::chrome_and_teaser_words_find_nothing,
            shared,
        ),
        trial(
            "seeds::titles_dates_and_publishers_come_out_right",
            seeds::titles_dates_and_publishers_come_out_right,
            shared,
        ),
        trial(
            "seeds::snippets_show_the_hit_not_the_chrome",
            seeds::snippets_show_the_hit_not_the_chrome,
            shared,
        ),
    ];
    libtest_mimic::run(&args, trials).exit();
}
