//! The stages' boundaries, read from the source: reading never depends on writing, the plain
//! data modules depend on no analysis, and rendering does no I/O, runs no process and reads
//! no clock (everything it shows was computed by the analysis).

use std::path::{Path, PathBuf};

use crate::common::repo_dir;

fn rust_files(under: &Path) -> Vec<PathBuf> {
    if under.is_file() {
        return vec![under.to_path_buf()];
    }
    let mut files = Vec::new();
    let mut stack = vec![under.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no Rust files under {}", under.display());
    files
}

/// Every `(file, line number, line)` under `places` (paths from `src/`) that contains one of
/// `needles`, comments excluded.
fn offending(places: &[&str], needles: &[&str]) -> Vec<String> {
    let src = repo_dir().join("src");
    let mut found = Vec::new();
    for place in places {
        for file in rust_files(&src.join(place)) {
            let text = std::fs::read_to_string(&file).expect("a source file");
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                if let Some(needle) = needles.iter().find(|needle| code.contains(*needle)) {
                    found.push(format!("{}:{}: `{needle}` in {code}", file.display(), n + 1));
                }
            }
        }
    }
    found
}

#[test]
fn reading_never_imports_writing() {
    let found = offending(
        &[
            "parse",
            "discover.rs",
            "model.rs",
            "check",
            "config.rs",
            "markdown",
        ],
        &["crate::render", "super::render"],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn config_and_model_import_no_analysis() {
    let found = offending(
        &["config.rs", "model.rs"],
        &[
            "crate::check",
            "crate::coverage",
            "crate::analyse",
            "crate::gitdates",
            "crate::pipeline",
            "crate::load",
            "crate::render",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_leaves_use_no_stage() {
    // Markdown primitives, calendar dates, root-relative paths, the diagnostic registry, the
    // terminal and the git runner sit below every stage: each may use only the leaves listed after it. Their test modules may
    // look further (the registry's tests read the checker's list).
    for (leaf, may_use) in [
        ("markdown", &[][..]),
        ("calendar.rs", &[][..]),
        ("relpath.rs", &[][..]),
        ("diagnostic.rs", &["crate::relpath"][..]),
        ("diagnostic", &["crate::relpath"][..]),
        ("term.rs", &["crate::diagnostic"][..]),
        ("git.rs", &[][..]),
    ] {
        let uses = offending(&[leaf], &["crate::"]);
        let found: Vec<&String> = uses
            .iter()
            .filter(|line| !line.contains("/tests.rs:"))
            .filter(|line| !may_use.iter().any(|ok| line.contains(ok)))
            .collect();
        assert!(found.is_empty(), "{leaf}: {found:#?}");
    }
}

#[test]
fn render_does_no_io_runs_no_process_reads_no_clock() {
    let found = offending(
        &["render"],
        &[
            "std::fs",
            "std::process",
            "std::env",
            "std::net",
            "Command::new",
            "SystemTime",
            "Instant::now",
            "File::",
            "read_to_string",
            "read_dir",
            "today(",
            "gitdates",
            "crate::git",
            "Theme::load",
            "from_config",
            "crate::load",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

/// The build never touches the network: the HTTP client is used by `tssa releases fetch`
/// alone, and nothing of the build or check stages calls the fetch.
#[test]
fn only_the_releases_fetch_talks_http() {
    let uses = offending(&["."], &["ureq::", "releases::fetch", "fetch::"]);
    let found: Vec<String> = uses
        .iter()
        .map(|line| line.replace("/./", "/"))
        .filter(|line| !line.contains("src/releases/fetch.rs:") && !line.contains("src/main.rs:"))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}
