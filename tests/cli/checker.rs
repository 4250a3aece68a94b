//! The test suite's own HTML scanners, checked on hand-written pages, so a link check or a
//! safety scan that passes does so because the output is right, not because it saw nothing.

use std::fs;

use crate::common::{active_content, broken_links, decode_entities, percent_decode, tags, text_of};

fn site(pages: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, html) in pages {
        let file = dir.path().join(path);
        fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        fs::write(file, html).expect("write");
    }
    dir
}

#[test]
fn link_checker_finds_missing_files_fragments_and_root_absolute_links() {
    let dir = site(&[
        (
            "index.html",
            r##"<a href="projects/a/">a</a> <a href="projects/a/doc.html#part-2">ok</a>
            <a href="projects/a/doc.html#nope">bad fragment</a> <a href="missing.html">bad file</a>
            <a href="#top">top</a> <a href="#gone">gone</a> <h1 id="top">T</h1>
            <a href="/projects/a/">absolute</a> <a href="https://example.org/x">external</a>
            <img src="img/a%20b.png"> <a href="../outside.html">climbs</a> <a href="">self</a>"##,
        ),
        (
            "projects/a/index.html",
            r#"<a href="../../">home</a> <a href="doc.html">doc</a>"#,
        ),
        (
            "projects/a/doc.html",
            r#"<h2 id="part-2">Part</h2><a href="./#x">x</a><a href="index.html#%C3%BCber">ü</a>"#,
        ),
        ("img/a b.png", "png"),
        (
            "404.html",
            r#"<a href="/sub/projects/a/">ok</a> <a href="/elsewhere/">outside base</a>"#,
        ),
    ]);
    let broken = broken_links(dir.path(), "/sub/");
    let expect = [
        "index.html: <a href=\"projects/a/doc.html#nope\">",
        "index.html: <a href=\"missing.html\">",
        "index.html: <a href=\"#gone\">",
        "index.html: <a href=\"/projects/a/\">",
        "index.html: <a href=\"../outside.html\">",
        "projects/a/doc.html: <a href=\"./#x\">",
        "projects/a/doc.html: <a href=\"index.html#%C3%BCber\">",
        "404.html: <a href=\"/elsewhere/\">",
    ];
    for e in expect {
        assert!(
            broken.iter().any(|b| b.starts_with(e)),
            "expected `{e}` in {broken:#?}"
        );
    }
    assert_eq!(broken.len(), expect.len(), "{broken:#?}");
}

#[test]
fn safety_scan_finds_scripts_handlers_and_script_urls_but_allows_theme_scripts() {
    let dir = site(&[
        (
            "ok.html",
            r#"<script src="static/sort.js" defer></script><p data-on="x" title="`javascript:` links are not allowed">text about onclick=</p>"#,
        ),
        (
            "f.html",
            r#"<meta http-equiv="refresh" content="0; url=javascript:alert(1)">"#,
        ),
        ("a.html", r#"<script>alert(1)</script>"#),
        ("b.html", r#"<img src="x.png" onerror="alert(1)">"#),
        ("c.html", r#"<a href="&#106;ava&#x73;cript:alert(1)">x</a>"#),
        (
            "d.html",
            r#"<a href=" JAVA SCRIPT:alert(1)">x</a><div OnMouseOver='x'></div>"#,
        ),
        ("e.html", r#"<script src="static/x.js">alert(1)</script>"#),
    ]);
    let found = active_content(dir.path());
    for page in ["a.html", "b.html", "c.html", "e.html", "f.html"] {
        assert!(
            found.iter().any(|f| f.starts_with(page)),
            "{page} flagged: {found:#?}"
        );
    }
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("d.html") && f.contains("onmouseover")),
        "{found:#?}"
    );
    assert!(!found.iter().any(|f| f.starts_with("ok.html")), "{found:#?}");
}

#[test]
fn scanner_reads_attributes_entities_and_text() {
    let html =
        "<!-- <a href=\"x\"> --><p class='a b' data-x=1 hidden>Tom &amp; Jerry&#x2F;&#39;s <b>bold</b></p>";
    let found = tags(html);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_eq!(found[0].attr("class"), Some("a b"));
    assert_eq!(found[0].attr("data-x"), Some("1"));
    assert_eq!(found[0].attr("hidden"), Some(""));
    assert_eq!(text_of(html), "Tom & Jerry/'s bold");
    let code = "<pre><code><span class=\"k\">fn</span> <span>main</span>()</code></pre><p>a</p><p>b</p>";
    assert_eq!(
        text_of(code),
        "fn main() a b",
        "inline tags do not split words, block tags do"
    );
    assert_eq!(
        decode_entities("&lt;daemon&gt; &unknown; &"),
        "<daemon> &unknown; &"
    );
    assert_eq!(percent_decode("flow%20diagram%C3%A9.png%"), "flow diagramé.png%");
}
