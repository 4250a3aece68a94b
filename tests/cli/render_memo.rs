//! Pages kept from the previous build: a warm build links each page whose inputs (its
//! `RenderKey`) are unchanged from tssa's own previous output instead of rendering it. After
//! every kind of edit, the warm build must equal a `--no-cache` build byte for byte, and a
//! page edited by hand in the output is rendered again, never kept.

use std::ffi::OsStr;
use std::fs;

use crate::common::{Cached, Site, assert_same_files};

const BRINDLE: &str = "brindle/self-assessment.md";
const ALDERWICK_README: &str = "alderwick/README.md";

/// What a warm build can keep: its pages, the search index's files and the API file.
fn keepable(site: &Site) -> usize {
    site.files()
        .keys()
        .filter(|p| p.ends_with(".html") || p.starts_with("search/") || *p == "api/projects.json")
        .count()
}

/// A warm build into the same output each time (`site`), and how many pages it kept.
fn warm(c: &Cached, env: &[(&str, &OsStr)]) -> (Site, usize) {
    let out = c.fx.tmp().join("kept");
    let ran = c.try_build("kept", env);
    assert_eq!(ran.code, Some(0), "build failed:\n{}", ran.stderr);
    (Site::at(&out), kept(&ran.stderr))
}

/// The count in the summary line's `N kept`.
fn kept(stderr: &str) -> usize {
    let at = stderr
        .find(" kept,")
        .unwrap_or_else(|| panic!("no kept count in {stderr}"));
    let digits: String = stderr[..at]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().expect("a count")
}

/// Builds warm, then with `--no-cache`, and holds them to the same bytes; the warm build's
/// pages kept.
fn step(c: &Cached, what: &str, env: &[(&str, &OsStr)]) -> (Site, usize) {
    let (site, kept) = warm(c, env);
    let off = c.build_with(
        std::path::Path::new(env!("CARGO_BIN_EXE_tssa")),
        "reference",
        &["--no-cache"],
        env,
    );
    assert_same_files(&site.files(), &off.files(), what);
    (site, kept)
}

#[test]
fn after_every_kind_of_edit_a_warm_build_equals_an_uncached_one() {
    let c = Cached::new();
    // Alderwick links to a heading of Brindle: renaming it changes Alderwick's findings.
    c.edit(
        ALDERWICK_README,
        "Related packages:",
        "Brindle's [actors](../brindle/self-assessment.md#actors). Related packages:",
    );
    c.fx.write(
        "book.toml",
        "[site]\ntitle = \"First title\"\ntheme = \"theme\"\n",
    );
    c.fx.write("theme/static/extra.css", "p { margin: 0 }\n");
    let (_, kept) = step(&c, "the first build", &[]);
    assert_eq!(kept, 0, "nothing to keep at first");
    let (site, kept) = step(&c, "an unchanged rebuild", &[]);
    let pages = keepable(&site);
    assert_eq!(
        kept, pages,
        "an unchanged rebuild keeps every page and the search index"
    );

    c.edit(BRINDLE, "build caches close to", "build caches right beside");
    let (site, kept) = step(&c, "a document's text", &[]);
    assert!(
        site.page("projects/brindle/self-assessment.html")
            .contains("right beside")
    );
    assert!(
        kept > 0 && kept < pages,
        "only what the edit touched is rendered: {kept} of {pages}"
    );

    c.edit(BRINDLE, "### Actors", "### Participants");
    let (site, _) = step(&c, "a heading another unit links to", &[]);
    assert!(
        site.page("projects/alderwick/index.html").contains("actors"),
        "Alderwick's page reports its broken link"
    );

    let path = c.fx.project(BRINDLE);
    let text = fs::read_to_string(&path).expect("read");
    fs::write(&path, format!("---\nmaturity_level: incubating\n---\n{text}")).expect("write");
    step(&c, "front matter shown on the home page", &[]);

    let projects = c.fx.project("");
    fs::rename(projects.join("brindle"), projects.join("brindlewood")).expect("rename");
    let (site, _) = step(&c, "a renamed unit", &[]);
    assert!(site.exists("projects/brindlewood/index.html"));
    assert!(!site.exists("projects/brindle/index.html"));

    c.fx.write(
        "theme/templates/404.html",
        "{% extends \"base.html\" %}\n{% block main %}<h1>THEMED-404</h1>{% endblock main %}\n",
    );
    let (site, _) = step(&c, "a theme template", &[]);
    assert!(site.page("404.html").contains("THEMED-404"));

    c.fx.write(
        "book.toml",
        "[site]\ntitle = \"Second title\"\ntheme = \"theme\"\n",
    );
    let (site, kept) = step(&c, "the site title in book.toml", &[]);
    // The API file does not show the title.
    assert_eq!(kept, 1, "every page shows the title");
    assert!(site.page("index.html").contains("Second title"));

    // A year later: renewals fall due, and the pages that show today's date change.
    let later = [("SOURCE_DATE_EPOCH", OsStr::new("1796083200"))];
    step(&c, "another today", &later);
    let (site, kept) = step(&c, "an unchanged rebuild at the end", &later);
    assert_eq!(kept, keepable(&site), "everything is kept again");
}

#[test]
fn a_page_edited_by_hand_in_the_output_is_rendered_again() {
    let c = Cached::new();
    let page = "projects/brindle/self-assessment.html";
    let (site, _) = warm(&c, &[]);
    let written = site.page(page);
    // A hand edit comes after the file system's timestamp tick of tssa's write (a few
    // milliseconds at most), which is how a same-length edit is told from it.
    std::thread::sleep(std::time::Duration::from_millis(50));
    let out = c.fx.tmp().join("kept").join(page);
    fs::write(&out, written.replace("build caches close to", "HAND EDITED")).expect("edit");
    // Another page edited in place, with its length kept.
    let home = c.fx.tmp().join("kept/index.html");
    let bytes = fs::read(&home).expect("home");
    let mut edited = bytes.clone();
    let at = edited.len() / 2;
    edited[at] = if edited[at] == b'x' { b'y' } else { b'x' };
    fs::OpenOptions::new()
        .write(true)
        .open(&home)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &edited))
        .expect("edit in place");
    let (site, kept) = warm(&c, &[]);
    assert_eq!(site.page(page), written, "the hand edit was kept");
    assert_eq!(
        fs::read(&home).expect("home"),
        bytes,
        "the in-place edit was kept"
    );
    assert_eq!(kept + 2, keepable(&site), "the other pages are kept");
}

#[test]
fn without_the_cache_nothing_is_kept() {
    let c = Cached::new();
    warm(&c, &[]);
    let (_, kept) = warm(&c, &[("TSSA_NO_CACHE", OsStr::new("1"))]);
    assert_eq!(kept, 0);
}
