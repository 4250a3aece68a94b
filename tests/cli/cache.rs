//! The build cache on disk: a warm build or check is byte-identical to a cold one and to
//! `--no-cache`; a changed document, a changed link target in another file and another
//! executable each invalidate what they must; a damaged cache file is ignored; the cache never
//! lands in the output; it can be turned off. Whether a run reused the cache is seen in the
//! cache file itself: it is rewritten (a new inode, by rename) only when something changed.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::{Cached, Site, assert_same_files, files_under};

fn same(a: &Site, b: &Site, what: &str) {
    assert_same_files(&a.files(), &b.files(), what);
}

#[test]
fn a_warm_build_and_check_are_byte_identical_and_leave_the_cache_alone() {
    let c = Cached::new();
    let cold = c.build("cold", &[]);
    let pages = c.inode("pages.bin");
    let dir = c.file("pages.bin").parent().expect("a folder").to_owned();
    let mode = fs::metadata(&dir).expect("cache folder").permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "the cache folder is private");
    let warm = c.build("warm", &[]);
    same(&cold, &warm, "a cold and a warm build");
    assert_eq!(
        c.inode("pages.bin"),
        pages,
        "an unchanged site does not rewrite the cache"
    );
    same(
        &cold,
        &c.build_with(Path::new(env!("CARGO_BIN_EXE_tssa")), "off", &["--no-cache"], &[]),
        "--no-cache",
    );

    let cold = c.check_json(&[]);
    let findings = c.inode("findings.bin");
    assert_eq!(c.check_json(&[]), cold, "a warm check");
    assert_eq!(
        c.inode("findings.bin"),
        findings,
        "an unchanged check does not rewrite the cache"
    );
    assert_eq!(c.check_json(&["--no-cache"]), cold, "check --no-cache");
}

#[test]
fn a_changed_document_is_rendered_again() {
    let c = Cached::new();
    let page = "projects/brindle/self-assessment.html";
    let before = c.build("one", &[]).page(page);
    assert!(before.contains("build caches close to"), "{before}");
    let pages = c.inode("pages.bin");
    let source = c.fx.project("brindle/self-assessment.md");
    let text = fs::read_to_string(&source).expect("read");
    fs::write(
        &source,
        text.replace("build caches close to", "build caches right beside"),
    )
    .expect("write");
    let after = c.build("two", &[]).page(page);
    assert!(
        after.contains("build caches right beside"),
        "the page shows the edit: {after}"
    );
    assert_ne!(c.inode("pages.bin"), pages, "the cache was brought up to date");
    same(
        &c.build("three", &[]),
        &c.build_with(
            Path::new(env!("CARGO_BIN_EXE_tssa")),
            "four",
            &["--no-cache"],
            &[],
        ),
        "after an edit",
    );
}

#[test]
fn a_heading_renamed_in_another_file_breaks_a_cached_link() {
    let c = Cached::new();
    let source = c.fx.project("brindle/self-assessment.md");
    let mut text = fs::read_to_string(&source).expect("read");
    text.push_str("\nSee [its notes](../alderwick/self-assessment.md#security-functions-and-features).\n");
    fs::write(&source, text).expect("write");
    let broken =
        |stderr: &str| stderr.contains("link/broken") && stderr.contains("brindle/self-assessment.md");
    let (json, _) = c.check_json(&[]);
    assert!(!broken(&json), "the link resolves at first: {json}");
    let first = c.build("one", &[]);
    let link = "../alderwick/self-assessment.html#security-functions-and-features";
    assert!(first.page("projects/brindle/self-assessment.html").contains(link));

    let target = c.fx.project("alderwick/self-assessment.md");
    let text = fs::read_to_string(&target).expect("read");
    fs::write(
        &target,
        text.replace("## Security functions and features", "## Security features"),
    )
    .expect("write");
    let (json, _) = c.check_json(&[]);
    assert!(broken(&json), "check sees the link break: {json}");
    let ran = c.run(
        Path::new(env!("CARGO_BIN_EXE_tssa")),
        &[
            OsStr::new("build"),
            OsStr::new("--root"),
            c.fx.root.as_os_str(),
            OsStr::new("--out"),
            c.fx.out.as_os_str(),
        ],
        &[],
    );
    assert!(
        broken(&ran.stderr),
        "build sees the link break too: {}",
        ran.stderr
    );
    let (uncached, _) = c.check_json(&["--no-cache"]);
    assert_eq!(json, uncached, "a warm check agrees with an uncached one");
}

#[test]
fn another_executable_does_not_reuse_the_results() {
    let c = Cached::new();
    let bin = Path::new(env!("CARGO_BIN_EXE_tssa"));
    let first = c.build("one", &[]);
    let pages = c.inode("pages.bin");
    // A copy is another file (another inode and time), as a rebuilt or upgraded tssa is.
    let other = c.fx.tmp().join("other-tssa");
    fs::copy(bin, &other).expect("copy the binary");
    same(
        &first,
        &c.build_with(&other, "two", &[], &[]),
        "another executable's build",
    );
    let rewritten = c.inode("pages.bin");
    assert_ne!(rewritten, pages, "another executable renders afresh");
    c.build_with(&other, "three", &[], &[]);
    assert_eq!(c.inode("pages.bin"), rewritten, "and then reuses its own results");
}

#[test]
fn a_damaged_cache_file_is_ignored() {
    let c = Cached::new();
    let good = c.build("good", &[]);
    let file = c.file("pages.bin");
    let bytes = fs::read(&file).expect("read the cache");
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    let mut long = bytes[..8].to_vec();
    long.extend_from_slice(&u64::MAX.to_le_bytes());
    long.extend_from_slice(&[0xff; 64]);
    let damages: [(&str, Vec<u8>); 5] = [
        ("empty", Vec::new()),
        ("garbage", b"not a cache file at all\n".repeat(100)),
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("a flipped byte", flipped),
        ("an absurd length", long),
    ];
    for (what, damaged) in damages {
        fs::write(&file, damaged).expect("damage the cache");
        same(&good, &c.build(what, &[]), what);
        let repaired = c.inode("pages.bin");
        c.build("again", &[]);
        assert_eq!(
            c.inode("pages.bin"),
            repaired,
            "{what}: the cache was written whole again"
        );
    }
}

#[test]
fn a_body_or_search_text_damaged_in_the_cache_is_made_again_with_a_warning() {
    let c = Cached::new();
    let good = c.build("out", &[]).files();
    let out = || Site::at(&c.fx.tmp().join("out")).files();
    // The words are in the three parts of brindle's entry, in order: its head (the page's
    // lead), always read, its search text and its body, each checked only when read back.
    let file = c.file("pages.bin");
    let words = b"build caches close to";
    let places = |bytes: &[u8]| -> Vec<usize> {
        let found = bytes.windows(words.len()).enumerate();
        found.filter(|(_, w)| *w == words).map(|(at, _)| at).collect()
    };
    let mut bytes = fs::read(&file).expect("read the cache");
    let at = places(&bytes);
    assert_eq!(at.len(), 3, "the lead, the search text and the body");
    for &at in &at[1..] {
        bytes[at] = b'B';
    }
    fs::write(&file, &bytes).expect("damage the cache");

    // Nothing needs the damaged parts: they are not read.
    let ran = c.try_build("out", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!ran.stderr.contains("damaged"), "{}", ran.stderr);
    assert_same_files(&out(), &good, "an unchanged build");

    // The page is missing from the output, so its body is read back: found damaged, the
    // file is dropped and the site built again, the same.
    let page = "projects/brindle/self-assessment.html";
    fs::remove_file(c.fx.tmp().join("out").join(page)).expect("remove a page");
    let ran = c.try_build("out", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("warning: the build cache's file was damaged")
            && ran.stderr.contains("it is removed and the site built again"),
        "{}",
        ran.stderr
    );
    assert_same_files(&out(), &good, "the site built again");
    let again = c.try_build("out", &[]);
    assert!(
        !again.stderr.contains("damaged"),
        "the file was written whole: {}",
        again.stderr
    );

    // The same for the search text, read back when another page's text changes the index.
    let mut bytes = fs::read(&file).expect("read the cache");
    let at = places(&bytes);
    assert_eq!(at.len(), 3, "the file was written again whole");
    bytes[at[1]] = b'B';
    fs::write(&file, &bytes).expect("damage the cache");
    c.edit(
        "alderwick/README.md",
        "schedules batch jobs",
        "schedules batch tasks",
    );
    let ran = c.try_build("out", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("damaged"), "{}", ran.stderr);
    let fresh = c.build("fresh", &["--no-cache"]).files();
    assert_ne!(fresh, good, "the edit changed the site");
    assert_same_files(&out(), &fresh, "the index made again");
}

#[test]
fn the_cache_never_lands_in_the_output() {
    let c = Cached::new();
    let plain = c.build("plain", &[]);
    assert!(
        !plain.files().keys().any(|f| f.ends_with(".bin")),
        "no cache file is published"
    );
    // Asked to put the cache inside the output folder, tssa goes without it.
    let out = c.fx.tmp().join("inside");
    let cache = out.join("cache");
    let inside = c.build_with(
        Path::new(env!("CARGO_BIN_EXE_tssa")),
        "inside",
        &[],
        &[("TSSA_CACHE_DIR", cache.as_os_str())],
    );
    same(&plain, &inside, "a cache dir inside the output");
    assert!(
        files_under(&out)
            .iter()
            .all(|f| f.extension() != Some(OsStr::new("bin")))
    );
}

#[test]
fn the_cache_can_be_turned_off_and_its_absence_never_fails_a_build() {
    let c = Cached::new();
    let bin = Path::new(env!("CARGO_BIN_EXE_tssa"));
    let off = c.build_with(bin, "flag", &["--no-cache"], &[]);
    c.check_json(&["--no-cache"]);
    same(
        &off,
        &c.build_with(bin, "env", &[], &[("TSSA_NO_CACHE", OsStr::new("1"))]),
        "TSSA_NO_CACHE",
    );
    assert!(
        c.cache_files().is_empty(),
        "nothing cached: {:?}",
        c.cache_files()
    );
    // A cache folder that cannot be made (its parent is a file) is silently done without.
    let file = c.fx.tmp().join("a-file");
    fs::write(&file, "x").expect("write");
    let blocked = file.join("cache");
    same(
        &off,
        &c.build_with(
            bin,
            "blocked",
            &["--quiet"],
            &[("TSSA_CACHE_DIR", blocked.as_os_str())],
        ),
        "no cache folder",
    );
}
