//! The walk lists folders on every core and then takes the listings in its own order, so
//! `[limits]` must cut a tree exactly where a walk of one folder after another would: files
//! of a folder before its sub-folders, both sorted by name. These trees are wide and deep
//! enough that their listings are read on several threads; each case names the files that
//! must be published and the one finding the cut gives.

use std::fs;

use crate::common::{Fixture, PROJECTS};

const UNIT: &str = "alderwick";

/// The `good` fixture with `tree/` under alderwick: three pages in each of six folders.
fn with_tree(book: &str) -> Fixture {
    let fx = Fixture::new("good");
    fx.write("book.toml", book);
    for dir in [
        "tree/a",
        "tree/a/b",
        "tree/a/b/c",
        "tree/a/d",
        "tree/e",
        "tree/e/f",
    ] {
        for n in 1..=3 {
            fx.write(
                &format!("{PROJECTS}/{UNIT}/{dir}/p{n}.md"),
                format!("# Page {n}\n"),
            );
        }
    }
    fx
}

/// The pages built for alderwick's tree, as `a/b/p1` …
fn tree_pages(fx: &Fixture) -> Vec<String> {
    fx.site()
        .files()
        .into_keys()
        .filter_map(|k| {
            k.strip_prefix(&format!("projects/{UNIT}/tree/"))?
                .strip_suffix(".html")
                .map(str::to_owned)
        })
        .collect()
}

/// The files of the walk before the tree, in the walk's order: the projects folder's
/// README, then alderwick's files, then its `docs/` folder.
const BEFORE_TREE: [&str; 7] = [
    "README.md",
    "alderwick/README.md",
    "alderwick/alderwick-slides.pdf",
    "alderwick/joint-assessment.md",
    "alderwick/self-assessment.md",
    "alderwick/docs/design notes.md",
    "alderwick/docs/flow diagram.png",
];

#[test]
fn a_file_limit_cuts_the_tree_after_the_same_file_as_a_one_threaded_walk() {
    // 7 files before the tree, then a/p1–p3, then a/b/p1–p2: the 13th, a/b/p3, is over.
    let fx = with_tree("[limits]\nfiles = 12\n");
    let cut = the_one_cut(&fx, "a/b/p3.md");
    assert!(cut.message.contains("more than 12 files"), "{cut:?}");
    assert_eq!(tree_pages(&fx), ["a/b/p1", "a/b/p2", "a/p1", "a/p2", "a/p3"]);
    // Later units lost every document: the walk stopped everywhere.
    assert!(!fx.site().exists("projects/brindle/self-assessment.html"));
}

#[test]
fn a_byte_limit_cuts_the_tree_at_the_first_file_over_it() {
    let size = |rel: &str| fs::metadata(fx_path(rel)).map(|m| m.len()).unwrap_or(0);
    // Room for everything before the tree and a/p1–p3 (9 bytes each), not for a/b/p1.
    let before: u64 = BEFORE_TREE.iter().map(|rel| size(rel)).sum();
    let fx = with_tree(&format!("[limits]\ntotal_bytes = {}\n", before + 3 * 9 + 8));
    let cut = the_one_cut(&fx, "a/b/p1.md");
    assert!(
        cut.help.as_deref().unwrap_or("").contains("total_bytes"),
        "{cut:?}"
    );
    assert_eq!(tree_pages(&fx), ["a/p1", "a/p2", "a/p3"]);
}

/// The build of `fx` succeeds with exactly one `discover/limit` finding, at `tree/<at>`.
fn the_one_cut(fx: &crate::common::Fixture, at: &str) -> crate::common::Diag {
    let built = fx.build();
    built.assert_code(0);
    let mut cut = built.with_code("discover/limit");
    assert_eq!(cut.len(), 1, "{cut:?}");
    let cut = cut.remove(0);
    assert_eq!(
        cut.file.as_deref(),
        Some(format!("{PROJECTS}/{UNIT}/tree/{at}").as_str()),
        "{cut:?}"
    );
    cut
}

/// A path in the `good` fixture's projects folder (before any test changes it).
fn fx_path(rel: &str) -> std::path::PathBuf {
    crate::common::fixtures_dir()
        .join("good")
        .join(PROJECTS)
        .join(rel)
}

#[test]
fn a_depth_limit_leaves_out_only_the_folders_below_it() {
    // `…/alderwick/tree/a/b` is 7 levels below the root; `c` inside it is the only deeper one.
    let fx = with_tree("[limits]\ndepth = 7\n");
    the_one_cut(&fx, "a/b/c");
    let mut expected = Vec::new();
    for dir in ["a", "a/b", "a/d", "e", "e/f"] {
        for n in 1..=3 {
            expected.push(format!("{dir}/p{n}"));
        }
    }
    expected.sort();
    assert_eq!(tree_pages(&fx), expected);
    fx.site().assert_exists("projects/brindle/index.html");
}

#[test]
fn a_cut_walk_reports_the_same_way_every_run() {
    let fx = with_tree("[limits]\nfiles = 14\n");
    let first = fx.check(&["--format", "json"]);
    first.assert_finished();
    assert!(first.stdout.contains("discover/limit"), "{}", first.stdout);
    for _ in 0..4 {
        let again = fx.check(&["--format", "json"]);
        assert_eq!(again.stdout, first.stdout);
        assert_eq!(again.stderr, first.stderr);
    }
}

#[test]
fn refused_assets_are_reported_in_folder_order_every_run() {
    // Assets are sniffed on every core at once; their findings must still come unit by unit
    // in folder order, and within a unit in the walk's order, as a one-threaded walk gives.
    let fx = Fixture::new("good");
    let units: Vec<String> = (0..12).map(|n| format!("unit-{n:02}")).collect();
    for unit in &units {
        fx.write(
            &format!("{PROJECTS}/{unit}/self-assessment.md"),
            format!("# {unit}\n\nA package with files a browser could run.\n"),
        );
        fx.write(
            &format!("{PROJECTS}/{unit}/a-page.html"),
            "<script>alert(1)</script>",
        );
        fx.write(&format!("{PROJECTS}/{unit}/z-tool.exe"), "MZ");
    }
    let first = fx.check(&["--format", "json"]);
    first.assert_finished();
    let mut last = 0;
    for unit in &units {
        for (name, code) in [
            ("a-page.html", "asset/active-content"),
            ("z-tool.exe", "asset/unknown-type"),
        ] {
            let path = format!("\"{PROJECTS}/{unit}/{name}\"");
            let at = first.stdout[last..]
                .find(&path)
                .unwrap_or_else(|| panic!("{path} is not reported after the previous file"));
            last += at + path.len();
            // Each file's own verdict: the finding's code follows its path.
            let next = &first.stdout[last..];
            let code_at = next.find("\"code\"").expect("a code");
            assert!(
                next[code_at..].starts_with(&format!("\"code\": \"{code}\"")),
                "{path}: {}",
                &next[..200]
            );
        }
    }
    for _ in 0..3 {
        let again = fx.check(&["--format", "json"]);
        assert_eq!(again.stdout, first.stdout);
    }
}
