//! The document cache read by position (`analyse/store/indexed.rs`): each entry carries its
//! own checksum, so a damaged entry is remade alone and never served, and a truncated file is
//! ignored; either way the site equals a `--no-cache` build.

use std::fs;
use std::path::Path;

use crate::common::{Cached, Site, assert_same_files};

fn uncached(c: &Cached, out: &str) -> Site {
    c.build_with(Path::new(env!("CARGO_BIN_EXE_tssa")), out, &["--no-cache"], &[])
}

#[test]
fn a_damaged_entry_is_remade_and_never_served() {
    let c = Cached::new();
    c.build("cold", &[]);
    let file = c.file("pages.bin");
    let mut bytes = fs::read(&file).expect("the cache");
    // The phrase's last copy in the file is in the page's HTML (the source comes first): the
    // entry still decodes and still matches its document, so only its checksum can tell.
    let phrase = b"build caches close to";
    let at = bytes
        .windows(phrase.len())
        .rposition(|w| w == phrase)
        .expect("the phrase in an entry");
    bytes[at] = b'B';
    fs::write(&file, &bytes).expect("damage the entry");
    let damaged = c.build("damaged", &[]);
    assert!(
        damaged
            .page("projects/brindle/self-assessment.html")
            .contains("build caches close to"),
        "the damaged entry was not served"
    );
    assert_same_files(
        &damaged.files(),
        &uncached(&c, "off").files(),
        "after a damaged entry",
    );
    let rewritten = c.inode("pages.bin");
    c.build("again", &[]);
    assert_eq!(
        c.inode("pages.bin"),
        rewritten,
        "the file was repaired, then left alone"
    );
}

#[test]
fn a_truncated_cache_file_is_ignored() {
    let c = Cached::new();
    c.build("cold", &[]);
    let checked = c.check_json(&[]);
    for name in ["pages.bin", "findings.bin"] {
        let file = c.file(name);
        let bytes = fs::read(&file).expect("the cache");
        fs::write(&file, &bytes[..bytes.len() - 1]).expect("truncate");
    }
    assert_same_files(
        &c.build("cut", &[]).files(),
        &uncached(&c, "off").files(),
        "truncated",
    );
    assert_eq!(c.check_json(&[]), checked, "check with a truncated findings.bin");
}

#[test]
fn a_warm_build_into_a_new_folder_reads_every_body_back_from_the_cache() {
    let c = Cached::new();
    c.build("cold", &[]);
    let pages = c.inode("pages.bin");
    // Nothing to hard-link from: every page is rendered, each body read back from the file.
    let fresh = c.build("fresh", &[]);
    assert_eq!(c.inode("pages.bin"), pages, "every result came from the cache");
    assert!(
        fresh
            .page("projects/brindle/self-assessment.html")
            .contains("build caches close to"),
        "the body is on its page"
    );
    assert_same_files(&fresh.files(), &uncached(&c, "off").files(), "a fresh folder");
}
