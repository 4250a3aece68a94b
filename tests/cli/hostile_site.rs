//! What a hostile or careless repository can do to the published site itself: names no file
//! system takes or no URL survives (too long, `?`, `#`, `%`, case-only twins), files a browser
//! would run under another name (`.xml`, `.svgz`, markup named `.png`), and packages of
//! thousands of documents whose pages each carried every sibling. The site is published
//! anyway, every link in it resolves, nothing in it runs, and each change names its file.

use std::time::Duration;

use crate::common::{Fixture, PROJECTS, Run, Site, decode_entities, percent_decode, tags};

const PROCESS: &str = "community/assessments";

fn empty() -> Fixture {
    Fixture::copy_of(&[])
}

fn doc(fx: &Fixture, rel: &str, text: &str) {
    fx.write(&format!("{PROJECTS}/{rel}"), text);
}

/// The base URL the builds whose sitemap is checked are given (without an absolute base URL
/// there is no sitemap).
const SITEMAP_BASE: &str = "https://example.org/";

/// Every `<loc>` of the sitemap names a page of the output.
fn assert_sitemap_resolves(site: &Site) {
    for loc in site.sitemap_locs() {
        let rel = loc
            .strip_prefix(SITEMAP_BASE)
            .unwrap_or_else(|| panic!("sitemap loc `{loc}` is not under {SITEMAP_BASE}"));
        let path = percent_decode(rel);
        let file = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path
        };
        site.assert_exists(&file);
    }
}

/// Every output file name fits in a file system's 255-byte limit with room to spare.
fn assert_names_fit(site: &Site) {
    for path in site.files().keys() {
        for segment in path.split('/') {
            assert!(
                segment.len() <= 120,
                "output name of {} bytes: {path}",
                segment.len()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Names.

/// A package whose documents, assets and folders have every kind of awkward name, each
/// linked from its self-assessment the way GitHub would resolve it.
fn odd_names() -> (Fixture, Run, String) {
    let fx = empty();
    let long_doc = format!("{}.md", "d".repeat(252));
    let long_png = format!("{}.png", "p".repeat(251));
    let long_dir = "f".repeat(255);
    let shared = "s".repeat(200);
    let twins = [format!("{shared}-one.md"), format!("{shared}-two.md")];
    let links = [
        ("long document", long_doc.clone()),
        ("long image", long_png.clone()),
        ("in a long folder", format!("{long_dir}/inside.md")),
        ("first twin", twins[0].clone()),
        ("second twin", twins[1].clone()),
        ("question and hash", "q%3Fx%23y.md".to_owned()),
        ("percent", "a%2520b.md".to_owned()),
        ("space", "a%20b.md".to_owned()),
        ("unicode", "%C3%BCberblick-%E6%97%A5%E6%9C%AC.md".to_owned()),
        ("upper case", "Notes.md".to_owned()),
        ("lower case", "notes.md".to_owned()),
        ("image upper", "Diagram.png".to_owned()),
        ("image lower", "diagram.png".to_owned()),
    ];
    let mut body = String::from("# Kite self-assessment\n\n## Links\n\n");
    for (label, target) in &links {
        let target = target.replace('#', "%23");
        body.push_str(&format!("- [{label}]({target})\n"));
    }
    doc(&fx, "kite/self-assessment.md", &body);
    for name in [
        long_doc.as_str(),
        &format!("{long_dir}/inside.md"),
        &twins[0],
        &twins[1],
        "q?x#y.md",
        "a%20b.md",
        "a b.md",
        "überblick-日本.md",
        "..md",
        "Notes.md",
        "notes.md",
    ] {
        doc(
            &fx,
            &format!("kite/{name}"),
            &format!("# Page {}\n\nText.\n", name.len()),
        );
    }
    for name in [long_png.as_str(), "Diagram.png", "diagram.png"] {
        fx.write(&format!("{PROJECTS}/kite/{name}"), b"\x89PNG\r\n\x1a\n");
    }
    doc(&fx, &format!("{long_dir}/self-assessment.md"), "# Long folder\n");
    fx.write(&format!("{PROCESS}/{}.md", "g".repeat(251)), "# Guide\n");
    // Its default timeout (60 s) catches a hang; the base URL makes a sitemap to check.
    let run = fx.build_with(&["--base-url", SITEMAP_BASE]);
    (fx, run, long_dir)
}

#[test]
fn odd_names_publish_the_whole_site_with_every_link_resolving() {
    let (fx, run, _) = odd_names();
    run.assert_code(0);
    let site = fx.site();
    site.assert_links_resolve("/");
    assert_sitemap_resolves(&site);
    assert_names_fit(&site);
    let kite = site.page("projects/kite/self-assessment.html");
    let hrefs: Vec<String> = tags(&kite)
        .into_iter()
        .filter(|t| t.name == "a" && !t.closing)
        .filter_map(|t| t.attr("href").map(decode_entities))
        .collect();
    assert!(hrefs.iter().any(|h| h == "q%3Fx%23y.html"), "{hrefs:?}");
    assert!(hrefs.iter().any(|h| h == "a%2520b.html"), "{hrefs:?}");
    assert!(!kite.contains("broken-link"), "every link resolves in the page");
    site.assert_exists("projects/kite/q?x#y.html");
    site.assert_exists("projects/kite/a%20b.html");
    site.assert_exists("projects/kite/a b.html");
    site.assert_exists("projects/kite/überblick-日本.html");
}

#[test]
fn long_names_are_shortened_with_a_finding_naming_the_file() {
    let (fx, run, long_dir) = odd_names();
    run.assert_code(0);
    let long_doc = format!("{}.md", "d".repeat(252));
    for file in [
        format!("{PROJECTS}/kite/{long_doc}"),
        format!("{PROJECTS}/kite/{}.png", "p".repeat(251)),
        format!("{PROJECTS}/kite/{long_dir}/inside.md"),
        format!("{PROJECTS}/{long_dir}"),
        format!("{PROCESS}/{}.md", "g".repeat(251)),
    ] {
        let d = run.expect_diag("output/name-shortened", &file, None);
        assert!(
            d.help.as_deref().is_some_and(|h| h.contains("120 bytes")),
            "{d:?}"
        );
    }
    let site = fx.site();
    let pages = site.html_pages();
    let kite_pages: Vec<&String> = pages.iter().filter(|p| p.starts_with("projects/kite/")).collect();
    // self-assessment, status page, 11 documents less `..md` (hidden), the long folder's page.
    assert_eq!(kite_pages.len(), 12, "{kite_pages:#?}");
    let twins: Vec<&&String> = kite_pages.iter().filter(|p| p.contains("sss")).collect();
    assert_eq!(
        twins.len(),
        2,
        "two long names with one prefix stay two pages: {twins:?}"
    );
    // Stable: a second build gives the same names.
    let again = fx.build_within(Duration::from_secs(60));
    again.assert_code(0);
    assert_eq!(fx.site().html_pages(), pages);
}

#[test]
fn names_differing_only_in_case_get_two_files_and_a_finding() {
    let (fx, run, _) = odd_names();
    run.assert_code(0);
    let site = fx.site();
    let lower: Vec<String> = site
        .files()
        .into_keys()
        .filter(|p| p.starts_with("projects/kite/"))
        .map(|p| p.to_lowercase())
        .collect();
    let mut unique = lower.clone();
    unique.dedup();
    assert_eq!(lower, unique, "no two output names differ only in case");
    run.expect_diag(
        "output/name-collision",
        &format!("{PROJECTS}/kite/notes.md"),
        None,
    );
    run.expect_diag(
        "output/name-collision",
        &format!("{PROJECTS}/kite/diagram.png"),
        None,
    );
    site.assert_exists("projects/kite/Diagram.png");
    site.assert_exists("projects/kite/diagram-2.png");
}

// ---------------------------------------------------------------------------------------------
// Navigation size.

#[test]
fn a_package_of_many_documents_keeps_each_page_small() {
    let fx = empty();
    let count = 1200;
    doc(&fx, "heap/self-assessment.md", "# Heap self-assessment\n");
    for i in 1..count {
        doc(&fx, &format!("heap/note-{i:04}.md"), &format!("# Note {i}\n"));
    }
    doc(&fx, "small/self-assessment.md", "# Small\n");
    doc(&fx, "small/notes.md", "# Small notes\n");
    let run = fx.build_within(Duration::from_secs(120));
    run.assert_code(0);
    let site = fx.site();
    let files = site.files();
    let doc_pages: Vec<(&String, &Vec<u8>)> = files
        .iter()
        .filter(|(p, _)| p.starts_with("projects/heap/note-"))
        .collect();
    assert_eq!(doc_pages.len(), count - 1);
    let largest = doc_pages.iter().map(|(_, b)| b.len()).max().unwrap_or(0);
    assert!(
        largest < 16_000,
        "a document page is {largest} bytes: its sidebar grows with its siblings"
    );
    let total: usize = files.values().map(Vec::len).sum();
    assert!(
        total < count * 16_000,
        "the site is {total} bytes for {count} documents"
    );

    let middle = site.page("projects/heap/note-0600.html");
    assert!(
        middle.contains("note-0599.html") && middle.contains("note-0601.html"),
        "neighbours are listed"
    );
    assert!(!middle.contains("note-0100.html"), "far siblings are not");
    assert!(
        middle.contains("href=\"./#documents\""),
        "the elided part links to the package's list of documents"
    );
    assert!(
        site.page("projects/heap/index.html").contains("note-0100.html"),
        "the status page lists all"
    );
    let small = site.page("projects/small/notes.html");
    assert!(
        small.contains("self-assessment.html") && !small.contains("nav-more"),
        "small packages list every document"
    );
    site.assert_links_resolve("/");
}

// ---------------------------------------------------------------------------------------------
// Active content under other names.

const ACTIVE: &[(&str, &[u8])] = &[
    (
        "feed.xml",
        b"<?xml version=\"1.0\"?><root><html:script xmlns:html=\"http://www.w3.org/1999/xhtml\">alert(1)</html:script></root>",
    ),
    ("logo.svgz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00"),
    ("page.xhtml", b"<html xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></html>"),
    ("page.xht", b"<html><body onload=\"alert(1)\"></body></html>"),
    ("page.htm", b"<script>alert(1)</script>"),
    ("page.shtml", b"<script>alert(1)</script>"),
    ("style.xsl", b"<xsl:stylesheet version=\"1.0\"/>"),
    ("style.xslt", b"<xsl:stylesheet version=\"1.0\"/>"),
    ("app.js", b"alert(1)"),
    ("app.mjs", b"alert(1)"),
    ("fake.png", b"<html><script>alert(1)</script></html>"),
    ("fake.jpg", b"  <svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"),
    ("fake.pdf", b"<?xml version=\"1.0\"?><svg/>"),
    ("ns.svg", b"<svg><html:script xmlns:html=\"http://www.w3.org/1999/xhtml\">alert(1)</html:script></svg>"),
    ("refs.svg", b"<svg><a href=\"&#106;avascript&#58;alert(1)\"><text>x</text></a></svg>"),
    ("entity.svg", b"<!DOCTYPE svg [<!ENTITY e \"&#60;script&#62;\">]><svg>&e;</svg>"),
    ("diagram.drawio", b"<mxfile><diagram onclick=\"alert(1)\"/></mxfile>"),
];

fn assets_fixture() -> (Fixture, Run) {
    let fx = empty();
    doc(
        &fx,
        "wren/self-assessment.md",
        "# Wren self-assessment\n\n![ok](ok.svg)\n",
    );
    fx.write(&format!("{PROCESS}/README.md"), "# Process\n");
    for (name, bytes) in ACTIVE {
        fx.write(&format!("{PROJECTS}/wren/{name}"), bytes);
        fx.write(&format!("{PROCESS}/files/{name}"), bytes);
    }
    let clean_svg: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><text>Decisions on data</text></svg>";
    for (name, bytes) in [
        ("ok.svg", clean_svg),
        ("ok.png", b"\x89PNG\r\n\x1a\n".as_slice()),
        ("ok.pdf", b"%PDF-1.7\n".as_slice()),
        (
            "ok.drawio",
            b"<mxfile><diagram name=\"Page-1\">abc</diagram></mxfile>".as_slice(),
        ),
        ("notes.txt", b"plain words\n".as_slice()),
    ] {
        fx.write(&format!("{PROJECTS}/wren/{name}"), bytes);
    }
    fx.write(&format!("{PROJECTS}/wren/tool.exe"), b"MZ");
    let run = fx.build();
    (fx, run)
}

/// Output files a browser could run: beyond `assert_no_active_content` (HTML pages), any
/// file of an executable type or whose content sniffs as markup, and SVGs with scripts.
fn active_assets(site: &Site) -> Vec<String> {
    const RUNNABLE: &[&str] = &[
        ".xml", ".xhtml", ".xht", ".htm", ".shtml", ".xsl", ".xslt", ".js", ".mjs", ".svgz",
    ];
    let mut found = Vec::new();
    for (path, bytes) in site.files() {
        let ours = path == "sitemap.xml" || path.starts_with("static/") || path.ends_with(".html");
        if ours {
            continue;
        }
        let lower = path.to_lowercase();
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        if RUNNABLE.iter().any(|ext| lower.ends_with(ext)) {
            found.push(format!("{path}: a type a browser runs"));
        } else if lower.ends_with(".svg") || lower.ends_with(".drawio") {
            if [
                "script",
                "onload",
                "onclick",
                "javascript",
                "&#",
                "<!entity",
                "xhtml",
            ]
            .iter()
            .any(|m| text.contains(m))
            {
                found.push(format!("{path}: markup with active content"));
            }
        } else if text.trim_start().starts_with('<') {
            found.push(format!("{path}: markup under another name"));
        }
    }
    found
}

#[test]
fn files_a_browser_could_run_are_not_published_whatever_their_name() {
    let (fx, run) = assets_fixture();
    run.assert_code(0);
    let site = fx.site();
    site.assert_no_active_content();
    let found = active_assets(&site);
    assert!(
        found.is_empty(),
        "active files in the output:\n{}",
        found.join("\n")
    );
    for (name, _) in ACTIVE {
        for folder in [format!("{PROJECTS}/wren"), format!("{PROCESS}/files")] {
            let d = run.expect_diag("asset/active-content", &format!("{folder}/{name}"), None);
            assert!(d.help.is_some(), "{d:?}");
        }
    }
    for kept in ["ok.svg", "ok.png", "ok.pdf", "ok.drawio", "notes.txt"] {
        site.assert_exists(&format!("projects/wren/{kept}"));
    }
    site.assert_links_resolve("/");
}

#[test]
fn unknown_file_types_are_left_out_with_a_finding() {
    let (fx, run) = assets_fixture();
    run.expect_diag("asset/unknown-type", &format!("{PROJECTS}/wren/tool.exe"), None);
    assert!(!fx.site().exists("projects/wren/tool.exe"));
    let status = fx.site().page("projects/wren/index.html");
    assert!(
        status.contains("tool.exe"),
        "the status page's findings name the file"
    );
}

#[test]
fn check_reports_the_same_refusals_as_build() {
    let (fx, _) = assets_fixture();
    let check = fx.check(&[]);
    check.assert_finished();
    check.expect_diag("asset/active-content", &format!("{PROJECTS}/wren/fake.png"), None);
    check.expect_diag("asset/active-content", &format!("{PROCESS}/files/feed.xml"), None);
}

#[test]
fn reserved_url_characters_in_names_are_percent_encoded_in_every_link() {
    let fx = empty();
    doc(
        &fx,
        "pipit/self-assessment.md",
        "# Pipit self-assessment\n\n[odd](q%3Fx%23y.md) and [pct](a%2520b.md)\n",
    );
    doc(&fx, "pipit/q?x#y.md", "# Odd\n\n## Part\n");
    doc(&fx, "pipit/a%20b.md", "# Percent\n");
    let run = fx.build_with(&["--base-url", SITEMAP_BASE]);
    run.assert_code(0);
    let site = fx.site();
    site.assert_links_resolve("/");
    assert_sitemap_resolves(&site);
    let status = site.page("projects/pipit/index.html");
    assert!(
        status.contains("href=\"q%3Fx%23y.html\""),
        "the status page encodes # and ?"
    );
    let api = site.page("api/projects.json");
    assert!(api.contains("q?x#y.md"), "the API names the source");
}

#[test]
fn a_folder_named_like_a_page_does_not_stop_the_build() {
    let fx = empty();
    doc(
        &fx,
        "finch/self-assessment.md",
        "# Finch self-assessment\n\n![a](index.html/a.png) ![b](notes.html/b.png)\n",
    );
    doc(&fx, "finch/notes.md", "# Notes\n");
    fx.write(
        &format!("{PROJECTS}/finch/index.html/a.png"),
        b"\x89PNG\r\n\x1a\n",
    );
    fx.write(
        &format!("{PROJECTS}/finch/notes.html/b.png"),
        b"\x89PNG\r\n\x1a\n",
    );
    let run = fx.build();
    run.assert_code(0);
    let site = fx.site();
    site.assert_exists("projects/finch/index.html");
    site.assert_exists("projects/finch/notes.html");
    site.assert_exists("projects/finch/index.html-2/a.png");
    site.assert_exists("projects/finch/notes.html-2/b.png");
    run.expect_diag(
        "output/name-collision",
        &format!("{PROJECTS}/finch/index.html/a.png"),
        None,
    );
    site.assert_links_resolve("/");
}
