//! Optional last-changed dates from git, the way Hugo's `enableGitInfo` gets them: by running
//! the `git` program, once, over the folders the site reads.
//!
//! Asked for with `--git` or `[source] git = true`. Outside a git checkout, or without git
//! installed, nothing changes and nothing fails: the caller gets no dates and one info
//! diagnostic saying why.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::git::{OUTPUT_CAP, Ran, git};

/// Separates commits in the log output; it cannot occur in a date or (sanely) a file name.
const RECORD: char = '\u{1e}';

/// Each file's last-changed date (`YYYY-MM-DD`, committer date), keyed by its path from
/// `root`, for the files under `folders` (paths from `root`; empty means all of it).
pub fn collect(root: &Path, folders: &[&str]) -> (BTreeMap<String, String>, Option<Diagnostic>) {
    // Committer date, strict ISO: `%cs` needs git 2.21, this works everywhere.
    let format = format!("--format={RECORD}%cI");
    let mut args = vec![
        "log",
        "--no-color",
        "--no-merges",
        "--relative",
        "--name-only",
        &format,
        "--",
    ];
    let folders: Vec<&str> = folders.iter().copied().filter(|f| !f.is_empty()).collect();
    if folders.is_empty() {
        args.push(".");
    } else {
        args.extend(folders);
    }
    let unavailable = |why: String| {
        Some(
            Diagnostic::info("git/unavailable", format!("no git dates: {why}"))
                .help("git dates need the `git` program and a root inside a git checkout; the site is built without them"),
        )
    };
    match git(root, &args) {
        Ok(log) if log.capped => (
            BTreeMap::new(),
            unavailable(format!("git log wrote more than {} MiB", OUTPUT_CAP >> 20)),
        ),
        Ok(log) => (parse_log(&log.text), None),
        Err(Ran::Failed(first)) => (BTreeMap::new(), unavailable(first)),
        Err(Ran::NoGit(err)) => (BTreeMap::new(), unavailable(format!("cannot run git ({err})"))),
    }
}

/// Reads `git log --name-only --format=<RS>%cI` output, newest commit first: the first date
/// seen for a file is its last change.
pub fn parse_log(output: &str) -> BTreeMap<String, String> {
    let mut dates = BTreeMap::new();
    for record in output.split(RECORD).filter(|r| !r.trim().is_empty()) {
        let mut lines = record.lines();
        let Some(date) = lines.next().and_then(|d| d.trim().get(..10)) else {
            continue;
        };
        if crate::parse::dates::parse_iso(date).is_err() {
            continue;
        }
        for file in lines.map(str::trim).filter(|l| !l.is_empty()) {
            dates.entry(file.to_owned()).or_insert_with(|| date.to_owned());
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn newest_commit_wins() {
        let log = "\u{1e}2025-03-02T10:00:00+01:00\n\nprojects/a/README.md\nprojects/b/self-assessment.md\n\
                   \u{1e}2024-01-05T09:00:00Z\n\nprojects/a/README.md\nprojects/c/ü.md\n\
                   \u{1e}garbage\n\nprojects/d.md\n";
        let dates = parse_log(log);
        assert_eq!(
            dates.get("projects/a/README.md").map(String::as_str),
            Some("2025-03-02")
        );
        assert_eq!(
            dates.get("projects/b/self-assessment.md").map(String::as_str),
            Some("2025-03-02")
        );
        assert_eq!(
            dates.get("projects/c/ü.md").map(String::as_str),
            Some("2024-01-05")
        );
        assert!(!dates.contains_key("projects/d.md"));
    }

    #[test]
    fn outside_a_checkout_nothing_fails() {
        let Ok(dir) = tempfile::tempdir() else { return };
        let inside = Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["rev-parse", "--git-dir"])
            .output()
            .is_ok_and(|o| o.status.success());
        if inside {
            return; // the temporary folder sits inside some checkout: nothing to learn here
        }
        let (dates, diagnostic) = collect(dir.path(), &["projects"]);
        assert!(dates.is_empty());
        let d = diagnostic.map(|d| (d.level, d.code));
        assert_eq!(
            d,
            Some((crate::diagnostic::Level::Info, "git/unavailable".to_owned()))
        );
    }

    #[test]
    fn dates_from_a_real_checkout() {
        let Ok(dir) = tempfile::tempdir() else { return };
        let root = dir.path();
        let git = |args: &[&str], date: &str| {
            Command::new("git")
                .arg("-C")
                .arg(root)
                .args(args)
                .env("GIT_COMMITTER_DATE", date)
                .env("GIT_AUTHOR_DATE", date)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !git(&["init", "-q"], "2020-01-01T00:00:00Z") {
            return; // no git here: nothing to test
        }
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            let _ = std::fs::create_dir_all(path.parent().unwrap_or(root));
            let _ = std::fs::write(path, text);
        };
        let commit = |date: &str| {
            git(&["add", "-A"], date)
                && git(
                    &[
                        "-c",
                        "user.name=t",
                        "-c",
                        "user.email=t@example.org",
                        "commit",
                        "-q",
                        "-m",
                        "x",
                    ],
                    date,
                )
        };
        write("projects/a/README.md", "one");
        write("projects/b/self-assessment.md", "one");
        write("other/x.md", "one");
        assert!(commit("2021-02-03T12:00:00Z"));
        write("projects/a/README.md", "two");
        assert!(commit("2023-04-05T12:00:00Z"));
        let (dates, diagnostic) = collect(root, &["projects"]);
        assert!(diagnostic.is_none(), "{diagnostic:?}");
        assert_eq!(
            dates.get("projects/a/README.md").map(String::as_str),
            Some("2023-04-05")
        );
        assert_eq!(
            dates.get("projects/b/self-assessment.md").map(String::as_str),
            Some("2021-02-03")
        );
        assert!(!dates.contains_key("other/x.md"));
        // A root below the top of the checkout gets paths from that root.
        let (dates, _) = collect(&root.join("projects"), &["a"]);
        assert_eq!(dates.get("a/README.md").map(String::as_str), Some("2023-04-05"));
    }
}
