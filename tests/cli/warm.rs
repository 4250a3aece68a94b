//! A warm build: a page is keyed before its context is made and kept when its key is
//! unchanged, so the key must hold every value the page shows; the API file is kept the same
//! way; the previous site is removed beside the report, never left behind.

use std::fs;

use crate::common::{Cached, Site, assert_same_files};

const DESIGN_NOTES: &str = "alderwick/docs/design notes.md";

/// A warm build into `<tmp>/kept`, held to a `--no-cache` build byte for byte after `what`;
/// returns the warm site and its summary line.
fn warm_equals_uncached(c: &Cached, what: &str) -> (Site, String) {
    let out = c.fx.tmp().join("kept");
    let ran = c.try_build("kept", &[]);
    assert_eq!(ran.code, Some(0), "build failed:\n{}", ran.stderr);
    let off = c.build("reference", &["--no-cache"]);
    let site = Site::at(&out);
    assert_same_files(&site.files(), &off.files(), what);
    let summary = ran
        .stderr
        .lines()
        .find(|l| l.starts_with("built "))
        .unwrap_or_default()
        .to_owned();
    (site, summary)
}

fn book(c: &Cached, site: &str) {
    c.fx.write("book.toml", format!("[site]\n{site}"));
}

/// Values every page shows but no page's own document holds: the site's description, base
/// URL and repository, and a sibling's title in a document page's sidebar. A value left out
/// of a page's key leaves that page as it was in the warm build, unlike the uncached one.
#[test]
fn every_value_a_page_shows_is_in_its_key() {
    let c = Cached::new();
    book(&c, "title = \"Sites\"\n");
    warm_equals_uncached(&c, "the first build");
    let (_, summary) = warm_equals_uncached(&c, "an unchanged rebuild");
    assert!(
        !summary.contains(" 0 kept"),
        "an unchanged rebuild keeps pages: {summary}"
    );

    book(&c, "title = \"Sites\"\ndescription = \"DESCRIBED-ONCE\"\n");
    let (site, _) = warm_equals_uncached(&c, "the site description");
    assert!(site.page("index.html").contains("DESCRIBED-ONCE"));

    book(
        &c,
        "title = \"Sites\"\ndescription = \"DESCRIBED-ONCE\"\nbase_url = \"https://example.org/sec/\"\n",
    );
    let (site, _) = warm_equals_uncached(&c, "the base URL (canonical links)");
    assert!(
        site.page("projects/brindle/index.html")
            .contains("https://example.org/sec/")
    );

    book(
        &c,
        "title = \"Sites\"\nbase_url = \"https://example.org/sec/\"\nrepository = \"https://github.com/example/repo\"\n",
    );
    let (site, _) = warm_equals_uncached(&c, "the repository (view and edit links)");
    assert!(
        site.page("projects/brindle/self-assessment.html")
            .contains("github.com/example/repo")
    );

    let path = c.fx.project(DESIGN_NOTES);
    let text = fs::read_to_string(&path).expect("read");
    fs::write(
        &path,
        text.replacen("# Alderwick design notes", "# RETITLED notes", 1),
    )
    .expect("write");
    let (site, _) = warm_equals_uncached(&c, "a sibling document's title");
    assert!(
        site.page("projects/alderwick/self-assessment.html")
            .contains("RETITLED notes"),
        "the sidebar of a sibling shows the new title"
    );
}

/// `api/projects.json` is kept when the report it is made from is unchanged, and made again
/// when a finding changes.
#[test]
fn the_api_file_is_kept_until_the_report_changes() {
    let c = Cached::new();
    let api = |site: &Site| site.page("api/projects.json");
    let (first, _) = warm_equals_uncached(&c, "the first build");
    let inode = || {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(c.fx.tmp().join("kept/api/projects.json"))
            .expect("api")
            .ino()
    };
    let before = inode();
    let (again, _) = warm_equals_uncached(&c, "an unchanged rebuild");
    assert_eq!(api(&first), api(&again));
    assert_eq!(inode(), before, "the API file is linked from the previous build");

    let path = c.fx.project("brindle/self-assessment.md");
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, format!("{text}\n[gone](missing-file.md)\n")).expect("write");
    let (changed, _) = warm_equals_uncached(&c, "a new broken link");
    assert!(
        api(&changed).contains("missing-file.md"),
        "the API file reports the new finding"
    );
    assert_ne!(inode(), before, "the API file is written again");
}

/// Each build moves the previous site aside and removes it while it prints its report: it is
/// gone when the build exits, and a failed build never removes it.
#[test]
fn the_previous_site_is_gone_when_a_build_exits() {
    let c = Cached::new();
    let leftovers = || -> Vec<String> {
        fs::read_dir(c.fx.tmp())
            .expect("tmp")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".kept.") || n.starts_with(".reference."))
            .collect()
    };
    for round in ["first", "second", "third"] {
        warm_equals_uncached(&c, round);
        assert_eq!(leftovers(), Vec::<String>::new(), "after the {round} build");
    }
    // A build that cannot render (a broken template) keeps the previous site whole.
    let before = Site::at(&c.fx.tmp().join("kept")).files();
    c.fx.write("theme/templates/404.html", "{% if %}\n");
    book(&c, "theme = \"theme\"\n");
    let out = c.fx.tmp().join("kept");
    let ran = c.try_build("kept", &[]);
    assert_ne!(ran.code, Some(0), "a broken template fails the build");
    assert_same_files(&Site::at(&out).files(), &before, "the site after a failed build");
    assert_eq!(leftovers(), Vec::<String>::new(), "after a failed build");
}
