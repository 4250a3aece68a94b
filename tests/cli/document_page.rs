//! Document pages (issue 11): the TOC holds every heading level, bare URLs are links, images
//! carry their size and load lazily, code blocks scroll by keyboard, the highlight stylesheet is
//! linked only where there is highlighted code, and `--git` shows when a document last changed.

use crate::common::*;

const DOC: &str = "projects/pelican/self-assessment.html";
const SOURCE: &str = "community/assessments/projects/pelican/self-assessment.md";

fn built() -> (Fixture, Run, Site) {
    let fixture = Fixture::new("doc-page");
    let run = fixture.build();
    run.assert_built();
    let site = fixture.site();
    (fixture, run, site)
}

/// The part of the page inside `<article class="markdown">`.
fn article(page: &str) -> &str {
    let start = page.find("<article class=\"markdown\">").expect("an article");
    let end = page[start..].find("</article>").map_or(page.len(), |n| start + n);
    &page[start..end]
}

#[test]
fn bare_urls_become_links_outside_code_and_links() {
    let (_fixture, _run, site) = built();
    let page = site.page(DOC);
    let body = article(&page);
    let hrefs: Vec<String> = tags(body)
        .into_iter()
        .filter(|t| t.name == "a")
        .filter_map(|t| t.attr("href").map(str::to_owned))
        .collect();
    for want in [
        "https://pelican.example.org/docs/beak",
        "http://www.pelican.example.org",
        "https://pelican.example.org/faq?topic=fish",
        "https://pelican.example.org/wiki/Beak_(bird)",
        "https://pelican.example.org/angle",
        "https://pelican.example.org/target",
    ] {
        assert_eq!(
            hrefs.iter().filter(|h| *h == want).count(),
            1,
            "{want} in {hrefs:?}"
        );
    }
    for never in ["in-code", "in-a-fence", "/linked"] {
        assert!(
            !hrefs.iter().any(|h| h.contains(never)),
            "{never} became a link: {hrefs:?}"
        );
    }
    // Trailing punctuation stays text, after the link.
    assert!(body.contains("/docs/beak</a>,"), "{body}");
    assert!(body.contains("www.pelican.example.org</a>."), "{body}");
    assert!(body.contains("topic=fish</a>!"), "{body}");
    assert!(body.contains("Beak_(bird)</a>)"), "{body}");
    let auto = tags(body)
        .into_iter()
        .find(|t| t.name == "a" && t.attr("href") == Some("https://pelican.example.org/docs/beak"))
        .expect("the autolink");
    assert_eq!(auto.attr("rel"), Some("noopener noreferrer"));
    site.assert_no_active_content();
}

#[test]
fn code_blocks_scroll_by_keyboard_and_highlight_css_is_linked_only_with_code() {
    let (_fixture, _run, site) = built();
    let with_code = site.page("projects/pelican/joint-assessment.html");
    let plain_fence = site.page(DOC);
    for page in [&with_code, &plain_fence] {
        let pres: Vec<Tag> = tags(article(page))
            .into_iter()
            .filter(|t| t.name == "pre" && !t.closing)
            .collect();
        assert!(!pres.is_empty());
        assert!(pres.iter().all(|t| t.attr("tabindex") == Some("0")), "{pres:?}");
    }
    assert!(with_code.contains("class=\"hl-"), "the rust block is highlighted");
    assert!(with_code.contains("static/highlight.css"), "{with_code}");
    for page in [
        &plain_fence,
        &site.page("projects/pelican/README.html"),
        &site.page("index.html"),
    ] {
        assert!(!page.contains("highlight.css"), "{page}");
    }
    site.assert_exists("static/highlight.css");
}

#[test]
fn images_load_lazily_with_their_size_and_placeholder_alts_are_reported() {
    let (_fixture, run, site) = built();
    let page = site.page(DOC);
    let imgs: Vec<Tag> = tags(article(&page))
        .into_iter()
        .filter(|t| t.name == "img")
        .collect();
    assert_eq!(imgs.len(), 5, "{imgs:?}");
    for img in &imgs {
        assert_eq!(img.attr("loading"), Some("lazy"), "{img:?}");
        assert_eq!(img.attr("decoding"), Some("async"), "{img:?}");
    }
    // The fixture PNG is 37 × 23; a remote image has no known size.
    assert_eq!(
        (imgs[0].attr("width"), imgs[0].attr("height")),
        (Some("37"), Some("23"))
    );
    assert_eq!(imgs[2].attr("width"), None);
    // Raw HTML images too; a size the author gave is kept as it is.
    assert_eq!(
        (imgs[3].attr("width"), imgs[3].attr("height")),
        (Some("37"), Some("23"))
    );
    assert_eq!(
        (imgs[4].attr("width"), imgs[4].attr("height")),
        (Some("10"), None)
    );
    assert!(!page.contains("eager"), "one loading attribute per image");
    let raw = line_of(
        &site_source(SOURCE),
        "<img src=\"images/flow.png\" alt=\"image\">",
    );
    run.expect_diag("markdown/placeholder-alt", SOURCE, Some(raw));
    // The alt is kept as written, with a warning at its line.
    assert_eq!(imgs[1].attr("alt"), Some("alt_text"));
    let source = site_source(SOURCE);
    for alt in ["alt_text", "image"] {
        let line = line_of(&source, &format!("![{alt}]"));
        let diag = run.expect_diag("markdown/placeholder-alt", SOURCE, Some(line));
        assert!(diag.message.contains(alt), "{diag:?}");
        assert!(
            diag.help.as_deref().unwrap_or("").contains("describe"),
            "{diag:?}"
        );
    }
    assert_eq!(run.with_code("markdown/placeholder-alt").len(), 3);
}

/// The fixture's copy of a source file (line numbers are counted in it).
fn site_source(rel: &str) -> std::path::PathBuf {
    fixtures_dir().join("doc-page").join(rel)
}

/// Runs git in `root` with a fixed date and no user configuration; false when git fails.

#[test]
fn last_updated_from_git_is_shown_with_the_git_flag() {
    let fixture = Fixture::new("doc-page");
    if !commit_everything(&fixture.root, "2024-05-01T10:00:00Z") {
        println!("skipped: git not available");
        return;
    }
    fixture.build_with(&["--git"]).assert_built();
    let page = fixture.site().page(DOC);
    let meta = page
        .split("class=\"doc-meta\"")
        .nth(1)
        .and_then(|m| m.split("</p>").next())
        .unwrap_or("");
    assert!(
        meta.contains("Last updated <time datetime=\"2024-05-01\">2024-05-01</time>"),
        "{meta}"
    );
    // Without the flag there is no date.
    let plain = fixture.tmp().join("plain");
    fixture.build_into(&plain, &[]).assert_built();
    assert!(!Site::at(&plain).page(DOC).contains("Last updated"));
}

/// The TOC's `<nav>`, whole.
fn toc(page: &str) -> &str {
    let start = page
        .find("<nav class=\"toc\" aria-label=\"On this page\">")
        .expect("a TOC");
    &page[start..start + page[start..].find("</nav>").expect("the TOC's end")]
}

/// Each TOC link's text with how many lists deep it sits.
fn toc_depths(toc: &str) -> Vec<(String, usize)> {
    let mut depth = 0;
    let mut found = Vec::new();
    let all = tags(toc);
    for (i, tag) in all.iter().enumerate() {
        match (tag.name.as_str(), tag.closing) {
            ("ul", false) => depth += 1,
            ("ul", true) => depth -= 1,
            ("a", false) => {
                let end = all.get(i + 1).map_or(toc.len(), |t| t.start);
                found.push((text_of(&toc[tag.end..end]), depth));
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unbalanced lists in {toc}");
    found
}

#[test]
fn toc_nests_every_level_and_later_top_level_sections() {
    let (_fixture, _run, site) = built();
    let page = site.page(DOC);
    let nav = toc(&page);
    assert!(
        nav.contains("<details>") && nav.contains("<summary class=\"nav-title\">On this page</summary>"),
        "{nav}"
    );
    let depths = toc_depths(nav);
    let want = [
        ("Overview", 1),
        ("Actors", 2),
        ("Beak", 3),
        ("Pouch", 4),
        ("Throat", 5),
        ("Images", 1),
        ("Appendix", 1),
        ("Glossary", 2),
    ];
    let want: Vec<(String, usize)> = want.iter().map(|(t, d)| ((*t).to_owned(), *d)).collect();
    assert_eq!(depths, want, "{nav}");
    assert!(
        page.contains("static/toc.js\" defer></script>"),
        "the TOC script is loaded"
    );
    site.assert_exists("static/toc.js");
    site.assert_no_active_content();
}
