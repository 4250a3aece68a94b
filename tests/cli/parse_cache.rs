//! The parse cache on disk (`parse.bin` beside the build cache): a warm `build` or `check`
//! takes each unchanged file's parse from it, and gives the same bytes as a cold run and as
//! `--no-cache`. An entry is used only for the very bytes it was made from (a content digest,
//! not taken again only while the file's whole stamp is the one recorded with it), at the same
//! path, kind and URL. Whether a run reused the cache is seen
//! in the file itself: it is rewritten (a new inode, by rename) only when something changed.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::{Cached, assert_same_files, files_under};

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_tssa"))
}

/// What these tests ask of a cached fixture besides building.
trait ParseRuns {
    fn check_all(&self, extra: &[&str]) -> String;
    fn parse_inode(&self) -> u64;
    fn assert_agrees(&self, what: &str);
    fn project(&self, path: &str) -> PathBuf;
}

impl ParseRuns for Cached {
    /// `tssa check` as JSON and as text: everything it printed.
    fn check_all(&self, extra: &[&str]) -> String {
        ["json", "human"]
            .iter()
            .map(|format| {
                let (stdout, stderr) = self.check(format, extra);
                stdout + &stderr
            })
            .collect()
    }

    /// The inode of `parse.bin`: a rewrite (temp file + rename) changes it.
    fn parse_inode(&self) -> u64 {
        self.inode("parse.bin")
    }

    /// Both commands, cached and not, agree after whatever was changed.
    fn assert_agrees(&self, what: &str) {
        let warm = self.build("warm", &[]);
        let off = self.build("off", &["--no-cache"]);
        assert_same_files(&warm.files(), &off.files(), what);
        assert_eq!(
            self.check_all(&[]),
            self.check_all(&["--no-cache"]),
            "{what}: check"
        );
    }

    fn project(&self, path: &str) -> PathBuf {
        self.fx.project(path)
    }
}

/// Rewrites `path` with `from` replaced by `to`, keeping its modification time.
fn edit_keeping_time(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from} in {}", path.display());
    let modified = fs::metadata(path).and_then(|m| m.modified()).expect("mtime");
    fs::write(path, text.replacen(from, to, 1)).expect("write");
    let file = fs::File::options().write(true).open(path).expect("open");
    file.set_modified(modified).expect("set mtime");
}

#[test]
fn warm_cold_and_uncached_runs_agree_and_a_warm_run_leaves_the_parse_cache_alone() {
    let c = Cached::new();
    let cold = c.build("cold", &[]);
    let inode = c.parse_inode();
    let cold_check = c.check_all(&[]);
    assert_eq!(c.parse_inode(), inode, "check reads the parses build left");
    let warm = c.build("warm", &[]);
    assert_same_files(&cold.files(), &warm.files(), "a cold and a warm build");
    assert_eq!(
        c.parse_inode(),
        inode,
        "an unchanged site does not rewrite parse.bin"
    );
    assert_same_files(
        &cold.files(),
        &c.build("off", &["--no-cache"]).files(),
        "--no-cache",
    );
    assert_eq!(c.check_all(&[]), cold_check, "a warm check");
    assert_eq!(c.check_all(&["--no-cache"]), cold_check, "check --no-cache");
    assert!(
        !files_under(&c.fx.tmp().join("warm"))
            .iter()
            .any(|f| f.extension() == Some(OsStr::new("bin"))),
        "no cache file is published"
    );
}

#[test]
fn an_edit_of_the_same_size_and_time_is_parsed_again() {
    let c = Cached::new();
    let before = c.check_all(&[]);
    assert!(before.contains("2025-02-26"), "{before}");
    let inode = c.parse_inode();
    // The same length and the same modification time: only the content tells.
    let readme = c.project("copperline/copperline-relay/README.md");
    edit_keeping_time(&readme, "Completed: 26 Feb 2025", "Completed: 27 Feb 2025");
    let after = c.check_all(&[]);
    assert!(after.contains("2025-02-27"), "the edit is seen: {after}");
    assert!(!after.contains("2025-02-26"), "the old date is gone: {after}");
    assert_ne!(c.parse_inode(), inode, "parse.bin was brought up to date");
    c.assert_agrees("after an edit of the same size and time");
}

#[test]
fn a_sidecar_edit_is_parsed_again() {
    let c = Cached::new();
    let sidecar = c.project("brindle/tssa.yaml");
    fs::write(&sidecar, "version_covered: v1.0.0\n").expect("write tssa.yaml");
    assert!(c.check_all(&[]).contains("v1.0.0"));
    edit_keeping_time(&sidecar, "v1.0.0", "v1.0.9");
    let after = c.check_all(&[]);
    assert!(after.contains("v1.0.9") && !after.contains("v1.0.0"), "{after}");
    c.assert_agrees("after a sidecar edit");
}

#[test]
fn swapped_and_moved_files_are_parsed_at_their_new_place() {
    let c = Cached::new();
    c.build("first", &[]);
    // Each path now holds bytes the cache knows, but from the other path.
    let a = c.project("alderwick/self-assessment.md");
    let b = c.project("brindle/self-assessment.md");
    let (text_a, text_b) = (fs::read(&a).expect("read"), fs::read(&b).expect("read"));
    fs::write(&a, &text_b).expect("write");
    fs::write(&b, &text_a).expect("write");
    c.assert_agrees("after swapping two documents");
    // The same bytes under another name, of another kind, at another URL.
    fs::rename(&b, c.project("brindle/threat-model.md")).expect("rename");
    c.assert_agrees("after renaming a document");
    fs::rename(c.project("brindle"), c.project("brindlewood")).expect("move");
    c.assert_agrees("after moving a unit");
}

#[test]
fn a_damaged_parse_cache_is_ignored_and_repaired() {
    let c = Cached::new();
    let good = c.build("good", &[]);
    let checked = c.check_all(&[]);
    let file = c.file("parse.bin");
    let bytes = fs::read(&file).expect("read parse.bin");
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    let damages: [(&str, Vec<u8>); 4] = [
        ("empty", Vec::new()),
        ("garbage", b"not a cache file\n".repeat(64)),
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("a flipped byte", flipped),
    ];
    for (what, damaged) in damages {
        fs::write(&file, &damaged).expect("damage parse.bin");
        assert_same_files(&good.files(), &c.build(what, &[]).files(), what);
        assert_eq!(c.check_all(&[]), checked, "{what}: check");
        let repaired = fs::read(&file).expect("read parse.bin");
        assert_ne!(repaired, damaged, "{what}: parse.bin was written whole again");
        let inode = c.parse_inode();
        c.check_all(&[]);
        assert_eq!(c.parse_inode(), inode, "{what}: and is used again");
    }
}

#[test]
fn another_executable_parses_afresh() {
    let c = Cached::new();
    let first = c.check_all(&[]);
    let inode = c.parse_inode();
    let other = c.fx.tmp().join("other-tssa");
    fs::copy(bin(), &other).expect("copy the binary");
    let output = assert_cmd::Command::new(&other)
        .args([OsStr::new("check"), OsStr::new("--root"), c.fx.root.as_os_str()])
        .env("TSSA_CACHE_DIR", c.cache.path())
        .env_remove("TSSA_NO_CACHE")
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run the copy");
    assert!(matches!(output.status.code(), Some(0 | 1)));
    assert_ne!(
        c.parse_inode(),
        inode,
        "another executable does not trust this one's parses"
    );
    assert_eq!(c.check_all(&[]), first);
}
