//! Integration tests: every test runs the real `tssa` binary on a private copy of a fixture
//! folder (`tests/fixtures/<case>/`, in the real repository layout) and asserts on what a user
//! sees: the pages written, the diagnostics on stderr, and the exit code (build: 0 written, 1
//! only with `--deny` and content errors, 2 could not run; check: 1 on content errors).
//!
//! The acceptance tests on the real repository run when `TSSA_CORPUS` points at a checkout
//! (`.ci/run` sets it); without it they print `skipped: TSSA_CORPUS not set`.

mod common;

mod cli {
    mod agreement;
    mod cache;
    mod catalogue;
    mod changed_since;
    mod checker;
    mod chrome;
    mod config;
    mod corpus;
    mod document_page;
    mod facts_rules;
    mod flow;
    mod front_matter;
    mod home_page;
    mod hostile_inputs;
    mod hostile_markup;
    mod hostile_site;
    mod html;
    mod in_place;
    mod inputs;
    mod layers;
    mod links;
    mod names;
    mod output;
    mod package;
    mod page_templates;
    mod pages;
    mod pairing;
    mod parse_cache;
    mod prose_facts;
    mod render_memo;
    mod renewal;
    mod sample;
    mod sarif;
    mod scale_cache;
    mod search;
    mod search_cache;
    mod status_page;
    mod symlinks;
    mod terminal;
    mod theme;
    mod toc_layout;
    mod verdicts;
    mod walk;
    mod warm;
}
