//! The parse cache on disk (`parse.bin` beside the build cache): a warm `build` or `check`
//! takes each unchanged file's parse from it, and gives the same bytes as a cold run and as
//! `--no-cache`. An entry is used only for the very bytes it was made from (a content digest,
//! never timestamps), at the same path, kind and URL. Whether a run reused the cache is seen
//! in the file itself: it is rewritten (a new inode, by rename) only when something changed.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempDir;

use crate::common::{Fixture, Site, assert_same_files, files_under};

struct Cached {
    fx: Fixture,
    cache: TempDir,
}

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_tssa"))
}

impl Cached {
    fn new() -> Cached {
        Cached {
            fx: Fixture::new("good"),
            cache: tempfile::tempdir().expect("a cache folder"),
        }
    }

    /// Runs tssa with this test's cache folder: (exit code, stdout, stderr).
    fn run(&self, args: &[&OsStr]) -> (Option<i32>, String, String) {
        let output = assert_cmd::Command::new(bin())
            .current_dir(self.fx.tmp())
            .args(args)
            .env("TSSA_CACHE_DIR", self.cache.path())
            .env_remove("TSSA_NO_CACHE")
            .env("SOURCE_DATE_EPOCH", "1764547200")
            .env("NO_COLOR", "1")
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run tssa");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (output.status.code(), text(&output.stdout), text(&output.stderr))
    }

    /// `tssa build` into `<tmp>/<out>`: the site's files.
    fn build(&self, out: &str, extra: &[&str]) -> Site {
        let out = self.fx.tmp().join(out);
        let mut args = vec![
            OsStr::new("build"),
            OsStr::new("--root"),
            self.fx.root.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ];
        args.extend(extra.iter().map(OsStr::new));
        let (code, _, stderr) = self.run(&args);
        assert_eq!(code, Some(0), "build failed:\n{stderr}");
        Site::at(&out)
    }

    /// `tssa check` as JSON and as text: everything it printed.
    fn check(&self, extra: &[&str]) -> String {
        let mut printed = String::new();
        for format in ["json", "human"] {
            let mut args = vec![
                OsStr::new("check"),
                OsStr::new("--root"),
                self.fx.root.as_os_str(),
                OsStr::new("--format"),
                OsStr::new(format),
            ];
            args.extend(extra.iter().map(OsStr::new));
            let (code, stdout, stderr) = self.run(&args);
            assert!(matches!(code, Some(0 | 1)), "check failed:\n{stderr}");
            printed.push_str(&stdout);
            printed.push_str(&stderr);
        }
        printed
    }

    fn parse_file(&self) -> PathBuf {
        let found: Vec<PathBuf> = files_under(self.cache.path())
            .into_iter()
            .filter(|p| p.file_name() == Some(OsStr::new("parse.bin")))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one parse.bin in {:?}",
            files_under(self.cache.path())
        );
        found[0].clone()
    }

    /// The inode of `parse.bin`: a rewrite (temp file + rename) changes it.
    fn inode(&self) -> u64 {
        fs::metadata(self.parse_file()).expect("parse.bin").ino()
    }

    /// Both commands, cached and not, agree after whatever was changed.
    fn assert_agrees(&self, what: &str) {
        let warm = self.build("warm", &[]);
        let off = self.build("off", &["--no-cache"]);
        assert_same_files(&warm.files(), &off.files(), what);
        assert_eq!(self.check(&[]), self.check(&["--no-cache"]), "{what}: check");
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
    let inode = c.inode();
    let cold_check = c.check(&[]);
    assert_eq!(c.inode(), inode, "check reads the parses build left");
    let warm = c.build("warm", &[]);
    assert_same_files(&cold.files(), &warm.files(), "a cold and a warm build");
    assert_eq!(c.inode(), inode, "an unchanged site does not rewrite parse.bin");
    assert_same_files(
        &cold.files(),
        &c.build("off", &["--no-cache"]).files(),
        "--no-cache",
    );
    assert_eq!(c.check(&[]), cold_check, "a warm check");
    assert_eq!(c.check(&["--no-cache"]), cold_check, "check --no-cache");
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
    let before = c.check(&[]);
    assert!(before.contains("2025-02-26"), "{before}");
    let inode = c.inode();
    // The same length and the same modification time: only the content tells.
    let readme = c.project("copperline/copperline-relay/README.md");
    edit_keeping_time(&readme, "Completed: 26 Feb 2025", "Completed: 27 Feb 2025");
    let after = c.check(&[]);
    assert!(after.contains("2025-02-27"), "the edit is seen: {after}");
    assert!(!after.contains("2025-02-26"), "the old date is gone: {after}");
    assert_ne!(c.inode(), inode, "parse.bin was brought up to date");
    c.assert_agrees("after an edit of the same size and time");
}

#[test]
fn a_sidecar_edit_is_parsed_again() {
    let c = Cached::new();
    let sidecar = c.project("brindle/tssa.yaml");
    fs::write(&sidecar, "version_covered: v1.0.0\n").expect("write tssa.yaml");
    assert!(c.check(&[]).contains("v1.0.0"));
    edit_keeping_time(&sidecar, "v1.0.0", "v1.0.9");
    let after = c.check(&[]);
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
    let checked = c.check(&[]);
    let file = c.parse_file();
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
        assert_eq!(c.check(&[]), checked, "{what}: check");
        let repaired = fs::read(&file).expect("read parse.bin");
        assert_ne!(repaired, damaged, "{what}: parse.bin was written whole again");
        let inode = c.inode();
        c.check(&[]);
        assert_eq!(c.inode(), inode, "{what}: and is used again");
    }
}

#[test]
fn another_executable_parses_afresh() {
    let c = Cached::new();
    let first = c.check(&[]);
    let inode = c.inode();
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
        c.inode(),
        inode,
        "another executable does not trust this one's parses"
    );
    assert_eq!(c.check(&[]), first);
}
