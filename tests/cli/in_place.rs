//! A build into an output folder tssa made updates it in place: after every kind of edit the
//! folder equals a fresh build (no stray file), links planted in it are replaced and never
//! written through, and an update left unfinished (its journal still there) is not trusted:
//! the next build makes the whole site afresh.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::common::{Cached, Site, assert_same_files};

const JOURNAL: &str = ".tssa-updating";

/// The output folder's inode: an update in place keeps the folder, a staged build swaps in
/// a new one.
fn inode(dir: &Path) -> u64 {
    fs::symlink_metadata(dir).expect("the output folder").ino()
}

/// Builds warm into `kept` and, with `--no-cache`, into a folder of its own made afresh, and
/// holds the two to the same files; returns the updated folder.
fn update_equals_fresh(c: &Cached, what: &str) -> Site {
    let ran = c.try_build("kept", &[]);
    assert_eq!(ran.code, Some(0), "{what}: build failed:\n{}", ran.stderr);
    let fresh = c.fx.tmp().join("fresh");
    if fresh.exists() {
        fs::remove_dir_all(&fresh).expect("remove the last fresh build");
    }
    let fresh = c.build("fresh", &["--no-cache"]);
    let kept = Site::at(&c.fx.tmp().join("kept"));
    assert_same_files(&kept.files(), &fresh.files(), what);
    let beside: Vec<String> = fs::read_dir(c.fx.tmp())
        .expect("list the temp folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tssa"))
        .collect();
    assert!(beside.is_empty(), "{what}: left beside the output: {beside:?}");
    kept
}

#[test]
fn an_update_in_place_equals_a_fresh_build_after_every_kind_of_edit() {
    let c = Cached::new();
    let out = c.fx.tmp().join("kept");
    update_equals_fresh(&c, "the first build");
    let folder = inode(&out);
    update_equals_fresh(&c, "an unchanged rebuild");

    c.edit(
        "brindle/self-assessment.md",
        "build caches close to",
        "caches kept near",
    );
    let site = update_equals_fresh(&c, "a document's text");
    assert!(
        site.page("projects/brindle/self-assessment.html")
            .contains("caches kept near")
    );

    c.fx.write(
        &format!("{}/brindle/threat-notes.md", crate::common::PROJECTS),
        "# Threat notes\n\nA page added after the first build.\n",
    );
    let site = update_equals_fresh(&c, "an added document");
    site.assert_exists("projects/brindle/threat-notes.html");

    fs::remove_file(c.fx.project("brindle/threat-notes.md")).expect("remove");
    let site = update_equals_fresh(&c, "a removed document");
    assert!(!site.exists("projects/brindle/threat-notes.html"));

    fs::write(c.fx.project("alderwick/docs/extra.png"), [7u8; 300]).expect("add an asset");
    let site = update_equals_fresh(&c, "an added asset");
    site.assert_exists("projects/alderwick/docs/extra.png");

    // Later than the copy, and of another size: the copy is stale by both measures.
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(c.fx.project("alderwick/docs/extra.png"), [9u8; 200]).expect("change an asset");
    let site = update_equals_fresh(&c, "a changed asset");
    assert_eq!(
        fs::read(site.dir.join("projects/alderwick/docs/extra.png")).ok(),
        Some(vec![9u8; 200])
    );

    fs::remove_file(c.fx.project("alderwick/docs/extra.png")).expect("remove an asset");
    let site = update_equals_fresh(&c, "a removed asset");
    assert!(!site.exists("projects/alderwick/docs/extra.png"));

    fs::remove_dir_all(c.fx.project("brindle")).expect("remove a project");
    let site = update_equals_fresh(&c, "a removed project");
    assert!(!site.dir.join("projects/brindle").exists(), "its folder is gone");

    assert_eq!(
        inode(&out),
        folder,
        "every build after the first updated the folder in place"
    );
    assert!(!out.join(JOURNAL).exists());
}

#[test]
fn what_the_new_site_lacks_is_removed_from_the_output() {
    let c = Cached::new();
    let out = c.fx.tmp().join("kept");
    update_equals_fresh(&c, "the first build");
    fs::write(out.join("stale.html"), "from an older build").expect("a stale page");
    fs::create_dir_all(out.join("gone/deeper")).expect("a stale folder");
    fs::write(out.join("gone/deeper/page.html"), "stale").expect("a stale page");
    fs::write(out.join("projects/alderwick/old.png"), "stale").expect("a stale asset");
    // A folder where the new site has a page, and a file where it has a folder.
    fs::remove_file(out.join("404.html")).expect("remove a page");
    fs::create_dir_all(out.join("404.html/inside")).expect("a folder in the way");
    fs::remove_dir_all(out.join("projects/brindle")).expect("remove a folder");
    fs::write(out.join("projects/brindle"), "a file in the way").expect("a file in the way");
    let site = update_equals_fresh(&c, "an update over stale files");
    assert!(!site.exists("stale.html") && !site.dir.join("gone").exists());
}

#[test]
fn links_planted_in_the_output_are_replaced_and_their_targets_left_alone() {
    let c = Cached::new();
    let out = c.fx.tmp().join("kept");
    update_equals_fresh(&c, "the first build");
    let outside = tempfile::tempdir().expect("a folder outside");
    let target = outside.path().join("precious.txt");
    fs::write(&target, "not the site's").expect("write");
    let page = out.join("index.html");
    fs::remove_file(&page).expect("remove the home page");
    std::os::unix::fs::symlink(&target, &page).expect("link a page");
    let asset = out.join("projects/alderwick/alderwick-slides.pdf");
    fs::remove_file(&asset).expect("remove an asset");
    std::os::unix::fs::symlink(&target, &asset).expect("link an asset");
    let folder = out.join("projects/brindle");
    fs::remove_dir_all(&folder).expect("remove a folder");
    std::os::unix::fs::symlink(outside.path(), &folder).expect("link a folder");

    update_equals_fresh(&c, "an update over planted links");
    for path in [&page, &asset, &folder] {
        let meta = fs::symlink_metadata(path).expect("still there");
        assert!(
            !meta.file_type().is_symlink(),
            "{} is still a link",
            path.display()
        );
    }
    assert_eq!(
        fs::read_to_string(&target).ok().as_deref(),
        Some("not the site's")
    );
    let names: Vec<_> = fs::read_dir(outside.path())
        .expect("list outside")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        names,
        ["precious.txt"],
        "nothing was written through the folder link"
    );
}

#[test]
fn an_update_left_unfinished_is_repaired_by_a_build_made_afresh() {
    let c = Cached::new();
    let out = c.fx.tmp().join("kept");
    update_equals_fresh(&c, "the first build");
    let folder = inode(&out);
    // What a kill half-way through an update leaves: its journal, a new file not yet renamed
    // into place, and a page already replaced (here: by one cut short).
    fs::write(out.join(JOURNAL), "").expect("journal");
    fs::write(out.join("projects/.tssa-new-1-1"), "half a page").expect("a new file");
    let page = out.join("projects/alderwick/index.html");
    let text = fs::read(&page).expect("read a page");
    fs::write(&page, &text[..text.len() / 2]).expect("cut a page short");
    update_equals_fresh(&c, "the build after an unfinished update");
    assert_ne!(inode(&out), folder, "the site was made afresh, not updated");
    assert!(!out.join(JOURNAL).exists());
    // And the next one updates in place again.
    let folder = inode(&out);
    update_equals_fresh(&c, "the build after the repair");
    assert_eq!(inode(&out), folder);
}

#[test]
fn a_failed_render_leaves_no_journal_and_no_new_files() {
    let c = Cached::new();
    c.fx.write("book.toml", "[site]\ntheme = \"theme\"\n");
    c.fx.write(
        "theme/templates/404.html",
        "{% extends \"base.html\" %}{% block main %}fine{% endblock main %}",
    );
    let out = c.fx.tmp().join("kept");
    let before = update_equals_fresh(&c, "the first build").files();
    c.fx.write(
        &format!("{}/brindle/more/notes.md", crate::common::PROJECTS),
        "# Notes\n\nA page in a folder the site did not have.\n",
    );
    c.edit(
        "brindle/self-assessment.md",
        "build caches close to",
        "caches kept near",
    );
    c.fx.write(
        "theme/templates/404.html",
        "{% extends \"base.html\" %}{% block main %}{{ no_such_value.field }}{% endblock main %}",
    );
    let ran = c.try_build("kept", &[("NO_COLOR", OsStr::new("1"))]);
    assert_eq!(ran.code, Some(2), "the render fails:\n{}", ran.stderr);
    assert_same_files(&before, &Site::at(&out).files(), "the site after a failed render");
    assert!(
        !out.join("projects/brindle/more").exists(),
        "the folder made for a new page is gone"
    );
}

#[test]
fn a_build_killed_while_updating_is_repaired_by_the_next_one() {
    let c = Cached::new();
    let out = c.fx.tmp().join("kept");
    update_equals_fresh(&c, "the first build");
    // Many new assets, so the update takes long enough to be caught in the middle.
    for i in 0..2000 {
        fs::write(c.fx.project(&format!("alderwick/docs/n{i}.png")), [b'x'; 512]).expect("an asset");
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tssa"))
        .args([OsStr::new("build"), OsStr::new("--root"), c.fx.root.as_os_str()])
        .args([OsStr::new("--out"), out.as_os_str()])
        .env("TSSA_CACHE_DIR", c.cache.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let started = std::time::Instant::now();
    let mut caught = false;
    // Killed (kill -9: no clean-up runs) once the journal is there and new files are being
    // written beside the old ones.
    while started.elapsed() < std::time::Duration::from_secs(20) && child.try_wait().ok().flatten().is_none()
    {
        let writing = fs::read_dir(out.join("projects/alderwick/docs"))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .any(|e| e.file_name().to_string_lossy().starts_with(".tssa-new-"))
            })
            .unwrap_or(false);
        if writing && out.join(JOURNAL).exists() {
            let _ = child.kill();
            caught = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(caught, "no kill landed while the update was writing");
    assert!(out.join(JOURNAL).exists(), "the killed update left its journal");
    let site = update_equals_fresh(&c, "the build after a killed update");
    site.assert_exists("projects/alderwick/docs/n1999.png");
}
