use std::time::{Duration, Instant};

use super::*;
use crate::analyse::links::SiteLinks;
use crate::diagnostic::Level;
use crate::model::{Asset, DocKind, Site, Unit};
use crate::parse::outline::outline;

const P: &str = "community/assessments/projects";

fn doc(source: &str, url: &str, body: &str) -> Document {
    Document {
        kind: DocKind::Other,
        source: source.into(),
        rel: source.rsplit('/').next().unwrap_or(source).into(),
        url: url.into(),
        title: String::new(),
        body: body.to_owned(),
        body_line: 1,
        outline: outline(body, 1),
        hidden: None,
        facts: Default::default(),
        origin: None,
    }
}

fn asset(source: &str, url: &str) -> Asset {
    Asset {
        dimensions: None,
        source: source.into(),
        url: url.into(),
        size: 1,
    }
}

/// A site with one unit (`rook`) holding `body` as its self-assessment, plus a few neighbours.
fn site_with(body: &str) -> Site {
    let rook = Unit {
        slug: "rook".into(),
        name: "Rook".into(),
        dir: format!("{P}/rook").into(),
        documents: vec![
            doc(
                &format!("{P}/rook/self-assessment.md"),
                "projects/rook/self-assessment.html",
                body,
            ),
            doc(
                &format!("{P}/rook/threat-model.md"),
                "projects/rook/threat-model.html",
                "# Threat model\n\n## STRIDE\n",
            ),
        ],
        assets: vec![
            asset(
                &format!("{P}/rook/Rook High-Level Architecture.png"),
                "projects/rook/Rook High-Level Architecture.png",
            ),
            asset(&format!("{P}/rook/docs/arch.png"), "projects/rook/docs/arch.png"),
        ],
        facts: Default::default(),
        meta: Default::default(),
    };
    Site {
        title: "t".into(),
        description: String::new(),
        units: vec![rook],
        process: vec![doc(
            "community/assessments/guide/self-assessment.md",
            "process/guide/self-assessment.html",
            "# Self-assessment\n\n## Metadata\n",
        )],
        pages: vec![],
        files: vec![],
        diagnostics: vec![],
    }
}

fn render_md(body: &str) -> RenderedDoc {
    let site = site_with(body);
    let links = SiteLinks::new(&site);
    render(&site.units[0].documents[0], &links, &Highlighter::new())
}

fn codes(rendered: &RenderedDoc) -> Vec<(&str, Option<usize>)> {
    rendered
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.line))
        .collect()
}

#[test]
fn headings_get_github_ids_anchors_and_toc() {
    let md = "# **Rook** Self-assessment\n\n## Metadata\n\n### Critical.\n\n### [CII Best Practices](https://bestpractices.dev)\n\n##\n\n## Metadata\n\n## 🚀\n";
    let r = render_md(md);
    assert!(r.html.contains("<h1 id=\"rook-self-assessment\"><span id=\"L1\"></span><strong>Rook</strong> Self-assessment<a class=\"anchor\" href=\"#rook-self-assessment\""), "{}", r.html);
    assert!(r.html.contains("<h2 id=\"metadata\">"));
    assert!(r.html.contains("<h3 id=\"critical\">"));
    assert!(r.html.contains("<h3 id=\"cii-best-practices\"><span id=\"L7\"></span><a href=\"https://bestpractices.dev\" rel=\"noopener noreferrer\">CII Best Practices</a><a class=\"anchor\""), "{}", r.html);
    assert!(r.html.contains("<h2 id=\"metadata-1\">"));
    assert!(
        !r.html.contains("<h2></h2>"),
        "an empty heading is left out of the page (it still takes its id from the sequence): {}",
        r.html
    );
    let toc: Vec<(u8, &str, &str)> = r
        .toc
        .iter()
        .map(|t| (t.level, t.text.as_str(), t.id.as_str()))
        .collect();
    assert_eq!(
        toc,
        [
            (2, "Metadata", "metadata"),
            (3, "Critical.", "critical"),
            (3, "CII Best Practices", "cii-best-practices"),
            (2, "Metadata", "metadata-1"),
            // Its slug is empty, and the empty heading above already took "": GitHub says "-1".
            (2, "🚀", "-1"),
        ]
    );
}

#[test]
fn rendered_ids_match_the_outline() {
    let md = "# A\n\n## Goals\n\n##\n\n## Goals\n\n### `code` & <sup>x</sup>\n\n## Goals-1\n\n#### 1. External Secret Management Systems\n";
    let site = site_with(md);
    let d = &site.units[0].documents[0];
    let r = render(d, &SiteLinks::new(&site), &Highlighter::new());
    for heading in d.outline.headings.iter().filter(|h| !h.id.is_empty()) {
        assert!(
            r.html.contains(&format!(" id=\"{}\"", heading.id)),
            "{} missing in {}",
            heading.id,
            r.html
        );
    }
    assert_eq!(
        d.outline.headings.iter().filter(|h| !h.id.is_empty()).count(),
        r.html.matches("class=\"anchor\"").count()
    );
}

#[test]
fn links_are_rewritten_relative_to_the_page() {
    let md = "\
# T

See the [threat model](threat-model.md#stride), the [guide](/community/assessments/guide/self-assessment.md#metadata),
[here](#t), [mail](security@rook.io) and [the site](https://rook.io).

![arch](Rook%20High-Level%20Architecture.png \"Diagram\")
![docs](./docs/arch.png)
";
    let r = render_md(md);
    for expected in [
        "<a href=\"threat-model.html#stride\">threat model</a>",
        "<a href=\"../../process/guide/self-assessment.html#metadata\">guide</a>",
        "<a href=\"#t\">here</a>",
        "<a href=\"mailto:security@rook.io\" rel=\"noopener noreferrer\">mail</a>",
        "<a href=\"https://rook.io\" rel=\"noopener noreferrer\">the site</a>",
        "<img src=\"Rook%20High-Level%20Architecture.png\" alt=\"arch\" title=\"Diagram\" loading=\"lazy\" decoding=\"async\">",
        "<img src=\"docs/arch.png\" alt=\"docs\" loading=\"lazy\" decoding=\"async\">",
    ] {
        assert!(r.html.contains(expected), "{expected} missing from {}", r.html);
    }
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn broken_links_are_visible_and_reported() {
    let md = "# T\n\nA [dead link](../CRDs/x.md) and\n[bad anchor](#nope) and [script](javascript:alert(1)).\n\n![lost *diagram*](missing.png)\n\n[![badge](gone.svg)](https://example.com)\n";
    let r = render_md(md);
    assert!(
        r.html
            .contains("<span class=\"broken-link\" title=\"Broken link: there is no"),
        "{}",
        r.html
    );
    assert!(r.html.contains(">dead link</span>"));
    assert!(r.html.contains(">bad anchor</span>"));
    assert!(r.html.contains(">script</span>"));
    assert!(!r.html.contains("javascript"), "{}", r.html);
    assert!(!r.html.contains("href=\"../CRDs"), "{}", r.html);
    assert!(
        r.html.contains("<span class=\"broken-link broken-image\""),
        "{}",
        r.html
    );
    assert!(r.html.contains("[image: lost diagram]"), "{}", r.html);
    // The badge is broken, its link is not.
    assert!(r.html.contains("<a href=\"https://example.com\" rel=\"noopener noreferrer\"><span class=\"broken-link broken-image\""), "{}", r.html);
    assert_eq!(
        codes(&r),
        [
            ("link/broken", Some(3)),
            ("link/broken", Some(4)),
            ("link/broken", Some(4)),
            ("link/broken", Some(6)),
            ("link/broken", Some(8))
        ]
    );
    let first = &r.diagnostics[0];
    assert_eq!(first.level, Level::Warning);
    assert_eq!(
        first.file.as_deref(),
        Some("community/assessments/projects/rook/self-assessment.md")
    );
    assert!(first.message.contains("../CRDs/x.md"), "{}", first.message);
    assert!(first.help.is_some());
}

#[test]
fn links_in_raw_html_are_rewritten_too() {
    let md = "\
# T

<div style=\"text-align: center\">
<img width=\"300\" src=\"docs/arch.png\" alt=\"Arch\">
<img src=\"docs/missing.png\" alt=\"Gone\">
</div>

Inline <a href=\"threat-model.md\">model</a>, <a href=\"https://x.org\" target=\"_blank\">x</a> and <a href=\"nowhere.md\" class=\"c\">dead</a>.
";
    let r = render_md(md);
    for expected in [
        "<img width=\"300\" src=\"docs/arch.png\" alt=\"Arch\" loading=\"lazy\" decoding=\"async\">",
        "<span class=\"broken-link broken-image\" title=\"Broken image: there is no",
        "[image: Gone]",
        "<a href=\"threat-model.html\">model</a>",
        "<a href=\"https://x.org\" rel=\"noopener noreferrer\">x</a>",
        "<a class=\"broken-link\" title=\"Broken link: there is no",
    ] {
        assert!(r.html.contains(expected), "{expected} missing from {}", r.html);
    }
    assert!(!r.html.contains("style="), "{}", r.html);
    assert!(!r.html.contains("target="), "{}", r.html);
    assert_eq!(codes(&r), [("link/broken", Some(5)), ("link/broken", Some(8))]);
}

#[test]
fn code_is_highlighted_and_escaped() {
    let md = "# T\n\n```sh\n# Install\nmake <target> && echo \"ok\"\n```\n\nInline `<b>&` code.\n\n```\nplain <i>\n```\n\n    indented <x>\n";
    let r = render_md(md);
    assert!(
        r.html
            .contains("<pre id=\"L3\" tabindex=\"0\"><code class=\"language-sh\"><span class=\"hl-"),
        "{}",
        r.html
    );
    // Split by highlight spans, but escaped.
    assert!(r.html.contains("&lt;</span>target"), "{}", r.html);
    assert!(!r.html.contains("<target>"), "{}", r.html);
    assert!(r.html.contains("<code>&lt;b&gt;&amp;</code>"), "{}", r.html);
    assert!(
        r.html
            .contains("<pre id=\"L10\" tabindex=\"0\"><code>plain &lt;i&gt;\n</code></pre>"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("<pre id=\"L14\" tabindex=\"0\"><code>indented &lt;x&gt;\n</code></pre>"),
        "{}",
        r.html
    );
    assert_eq!(
        r.html.matches("<h1").count(),
        1,
        "`# Install` in a fence is not a heading"
    );
    assert!(r.toc.is_empty());
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn made_up_tags_are_text_and_comments_vanish() {
    let md = "# T\n\nRun the <daemon> as <project-name>.\n<!-- cSpell:ignore daemon -->\n\n<!--\n## Hidden\n-->\n\nOK <br/> <sup>1</sup> <kbd>x</kbd>\n";
    let r = render_md(md);
    assert!(
        r.html.contains("Run the &lt;daemon&gt; as &lt;project-name&gt;."),
        "{}",
        r.html
    );
    assert!(!r.html.contains("cSpell"), "{}", r.html);
    assert!(!r.html.contains("Hidden"), "{}", r.html);
    assert!(r.html.contains("<br> <sup>1</sup> <kbd>x</kbd>"), "{}", r.html);
    assert_eq!(
        codes(&r),
        [("html/unknown-tag", Some(3)), ("html/unknown-tag", Some(3))]
    );
}

#[test]
fn scripts_and_handlers_are_disarmed_and_reported() {
    let md = "# T\n\n<script>alert(1)</script>\n\n<img src=\"docs/arch.png\" onerror=\"alert(2)\">\n\n<iframe src=\"https://x\"></iframe> <svg><script>alert(3)</script></svg>\n\n<a href=\"javascript:alert(4)\">x</a>\n";
    let r = render_md(md);
    for bad in [
        "<script",
        "alert(2)",
        "alert(4)",
        "onerror",
        "<iframe",
        "<svg",
        "javascript",
    ] {
        assert!(!r.html.contains(bad), "{bad} survived in {}", r.html);
    }
    // Elements that would swallow what follows are shown as text, as on GitHub.
    assert!(
        r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        r.html
    );
    assert!(r.html.contains("&lt;svg&gt;&lt;script&gt;alert(3)"), "{}", r.html);
    let found: Vec<&str> = r.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(found.contains(&"html/disallowed"), "{found:?}");
    assert!(found.contains(&"link/broken"), "{found:?}");
}

#[test]
fn tables_tasks_footnotes_and_details() {
    let md = "\
# T

| Left | Centre | Right |
|:-----|:------:|------:|
| a    | b      | c     |

- [x] done
- [ ] open

A claim[^1].

[^1]: The source.

<details>
<summary>More</summary>

Hidden **text**.

</details>

~~gone~~
";
    let r = render_md(md);
    for expected in [
        "<th class=\"align-left\">Left</th>",
        "<th class=\"align-center\">Centre</th>",
        "<td class=\"align-right\">c</td>",
        "<input type=\"checkbox\" disabled=\"\" checked=\"\"> done",
        "<input type=\"checkbox\" disabled=\"\"> open",
        "<sup class=\"footnote-reference\"><a href=\"#fn-1\">1</a></sup>",
        "<div class=\"footnote-definition\" id=\"fn-1\"><sup class=\"footnote-definition-label\">1</sup>",
        "<details>\n<summary>More</summary>",
        "<strong>text</strong>",
        "<del>gone</del>",
    ] {
        assert!(r.html.contains(expected), "{expected} missing from {}", r.html);
    }
}

#[test]
fn output_is_deterministic() {
    let md = "# T\n\n## A\n\n[x](threat-model.md) [y](missing.md) <foo>\n\n```rust\nfn main() {}\n```\n";
    let first = render_md(md);
    for _ in 0..3 {
        let again = render_md(md);
        assert_eq!(first.html, again.html);
        assert_eq!(first.toc, again.toc);
        assert_eq!(first.diagnostics, again.diagnostics);
    }
}

#[test]
fn a_stray_bom_does_not_hide_the_title() {
    let r = render_md("\u{feff}# Title\n\ntext [x](#nope)\n");
    assert!(r.html.starts_with("<h1 id=\"title\">"), "{}", r.html);
    assert_eq!(codes(&r), [("link/broken", Some(3))]);
}

#[test]
fn odd_inputs_do_not_panic() {
    for md in [
        "",
        "\u{feff}# BOM",
        "#",
        "<",
        "<a href=",
        "<img src>",
        "<a href=\"\">x</a>",
        "[x](<>)",
        "![](",
        "![]()",
        "<!--",
        "```",
        "|a|\n|-|\n|<img src=x>|",
        "[^x]\n\n[^x]: [^x]",
        "<details><summary>",
        "</div></div></div>",
        "<plaintext>rest of the page",
        "<table><tr><td>\n\n# x\n\n</td></tr></table>",
        "- [ ] <input type=text>",
        "[a](#) [b](?) [c](./) [d](../../../../..)",
        "\0\u{1}\u{7f}",
    ] {
        let r = render_md(md);
        assert!(!r.html.contains("<plaintext"), "{md:?} → {}", r.html);
    }
}

/// Runs `f` on a thread with the 2 MiB stack rayon's workers get by default.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("spawn test thread")
        .join()
        .expect("render on a 2 MiB stack")
}

fn timed(body: String) -> (RenderedDoc, Duration) {
    on_small_stack(move || {
        let start = Instant::now();
        let r = render_md(&body);
        (r, start.elapsed())
    })
}

/// Generous: these take well under a second in release (a few in debug builds, where html5ever
/// is unoptimised); the bound only catches blow-ups.
const LIMIT: Duration = Duration::from_secs(if cfg!(debug_assertions) { 120 } else { 10 });

#[test]
fn deep_block_quotes_are_flattened_on_a_small_stack() {
    let (r, took) = timed(format!("{}deep\n", ">".repeat(10_000)));
    assert!(took < LIMIT, "{took:?}");
    assert!(r.html.contains("deep"));
    assert!(r.html.matches("<blockquote>").count() <= MAX_NESTING);
    assert_eq!(codes(&r), [("markdown/too-deep", Some(1))]);
}

#[test]
fn deep_lists_are_flattened_on_a_small_stack() {
    let (r, took) = timed(format!("{}item\n", "- ".repeat(10_000)));
    assert!(took < LIMIT, "{took:?}");
    assert!(r.html.contains("item"));
    assert!(r.html.matches("<ul>").count() + r.html.matches("<li>").count() <= MAX_NESTING);
    let mut indented = String::new();
    for level in 0..2_000 {
        indented.push_str(&"  ".repeat(level));
        indented.push_str("- x\n");
    }
    let (r, took) = timed(indented);
    assert!(took < LIMIT, "{took:?}");
    assert!(r.html.matches("<ul>").count() <= MAX_NESTING);
}

#[test]
fn deep_raw_html_is_capped_on_a_small_stack() {
    for (open, close) in [
        ("<div>", "</div>"),
        ("<ul><li>", "</li></ul>"),
        ("<blockquote>", "</blockquote>"),
        ("<svg><g>", "</g></svg>"),
        ("<b>", "</b>"),
    ] {
        let (r, took) = timed(format!(
            "<div>\n{}x{}\n</div>\n",
            open.repeat(10_000),
            close.repeat(10_000)
        ));
        assert!(took < LIMIT, "{open}: {took:?}");
        let opened = r.html.matches(open.split('>').next().unwrap_or(open)).count();
        assert!(opened <= 2 * MAX_NESTING + 1, "{open}: {opened} survived");
    }
    // Never closed at all.
    let (_, took) = timed("<div>".repeat(50_000));
    assert!(took < LIMIT, "{took:?}");
}

#[test]
fn a_60000_line_document_renders() {
    let mut long = String::from("# Long\n\n");
    for i in 0..3_000 {
        long.push_str(&format!("## Section {i}\n\n"));
        for line in 0..17 {
            if line == 8 {
                long.push_str("See the [model](threat-model.md#stride) and `code` <br>\n");
            } else {
                long.push_str("Some plain prose about the project and its security.\n");
            }
        }
        long.push('\n');
    }
    assert!(long.lines().count() >= 60_000);
    let (r, took) = timed(long);
    assert!(took < LIMIT, "{took:?}");
    assert_eq!(r.toc.len(), 3_000);
    assert!(r.diagnostics.is_empty());
}

#[test]
fn huge_tables_render() {
    let mut table = String::from("| a | b | c | d |\n|---|:-:|---|---|\n");
    for i in 0..10_000 {
        table.push_str(&format!("| {i} | <b>b</b> | [x](#long) | `y` |\n"));
    }
    let (r, took) = timed(table);
    assert!(took < LIMIT, "{took:?}");
    // Each row carries its line anchor (`<tr id="L3">`).
    assert_eq!(r.html.matches("<tr").count(), 10_001);
    let wide = format!(
        "|{}\n|{}\n|{}\n",
        " a |".repeat(2_000),
        "---|".repeat(2_000),
        " b |".repeat(2_000)
    );
    let (r, took) = timed(wide);
    assert!(took < LIMIT, "{took:?}");
    assert_eq!(r.html.matches("<td>").count(), 2_000);
}

#[test]
fn pathological_inlines_stay_fast() {
    for body in [
        "*".repeat(20_000),
        "[".repeat(20_000),
        "![".repeat(10_000),
        format!("{}x{}", "*a ".repeat(5_000), "*".repeat(5_000)),
        "<a href=\"x\">".repeat(10_000),
        "`".repeat(20_000),
        "<".repeat(20_000),
        "&#".repeat(20_000),
        "[x](".repeat(10_000),
    ] {
        let (_, took) = timed(body);
        assert!(took < LIMIT, "{took:?}");
    }
}

mod corpus {
    //! Every Markdown file of the acceptance corpus renders without panicking, on a small stack.
    use std::path::{Path, PathBuf};

    use super::*;

    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }

    /// A site built from the corpus with the decided URL layout (units are the folders under
    /// `projects/` that hold files, so `fluentd/fluent-bit` is one).
    fn corpus_site(root: &Path) -> Site {
        let assessments = "community/assessments";
        let projects = format!("{assessments}/projects");
        let mut files = Vec::new();
        walk(&root.join(assessments), &mut files);
        let mut site = Site {
            title: "corpus".into(),
            description: String::new(),
            units: vec![],
            process: vec![],
            pages: vec![],
            files: vec![],
            diagnostics: vec![],
        };
        for path in files {
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            let source = rel.to_string_lossy().replace('\\', "/");
            let is_md = source.to_ascii_lowercase().ends_with(".md");
            let html = |p: &str| format!("{}.html", p.strip_suffix(".md").unwrap_or(p));
            if let Some(inside) = source.strip_prefix(&format!("{projects}/")) {
                let Some((first, rest)) = inside.split_once('/') else {
                    if is_md {
                        let body = std::fs::read_to_string(&path).unwrap_or_default();
                        site.pages.push(doc(&source, "projects/index.html", &body));
                    }
                    continue;
                };
                // Nested units: a group folder with no files of its own.
                let (slug, within) = match rest.split_once('/') {
                    Some((second, within)) if first == "fluentd" => {
                        (format!("{first}/{second}"), within.to_owned())
                    }
                    _ => (first.to_owned(), rest.to_owned()),
                };
                let slug = slug
                    .split('/')
                    .map(crate::markdown::slug::slugify)
                    .collect::<Vec<_>>()
                    .join("/");
                let dir = format!("{projects}/{}", &inside[..inside.len() - within.len() - 1]);
                if !site.units.iter().any(|u| u.slug == slug) {
                    site.units.push(Unit {
                        slug: slug.clone(),
                        name: slug.clone(),
                        dir: dir.into(),
                        documents: vec![],
                        assets: vec![],
                        facts: Default::default(),
                        meta: Default::default(),
                    });
                }
                let Some(unit) = site.units.iter_mut().find(|u| u.slug == slug) else {
                    continue;
                };
                if is_md {
                    let bytes = std::fs::read(&path).unwrap_or_default();
                    let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
                    let text = text.trim_start_matches('\u{feff}');
                    unit.documents
                        .push(doc(&source, &format!("projects/{slug}/{}", html(&within)), text));
                } else {
                    unit.assets
                        .push(asset(&source, &format!("projects/{slug}/{within}")));
                }
            } else if let Some(within) = source.strip_prefix(&format!("{assessments}/")) {
                if is_md {
                    let url = match within.rsplit_once('/') {
                        _ if within.eq_ignore_ascii_case("README.md") => "process/index.html".to_owned(),
                        Some((dir, name)) if name.eq_ignore_ascii_case("README.md") => {
                            format!("process/{dir}/index.html")
                        }
                        _ => format!("process/{}", html(within)),
                    };
                    let bytes = std::fs::read(&path).unwrap_or_default();
                    let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
                    site.process.push(doc(&source, &url, &text));
                } else {
                    site.files.push(asset(&source, &format!("process/{within}")));
                }
            }
        }
        site
    }

    #[test]
    fn every_corpus_page_is_the_same_sanitised_by_spans_or_whole() {
        let Some(root) = std::env::var_os("TSSA_CORPUS") else {
            return;
        };
        let site = corpus_site(&PathBuf::from(root));
        let links = SiteLinks::new(&site);
        let highlighter = Highlighter::new();
        for d in site.documents() {
            let split = write_with(d, &links, &highlighter, true, false).html;
            let whole = write_with(d, &links, &highlighter, true, true).html;
            assert!(split == whole, "{} differs", d.source);
        }
    }

    #[test]
    fn renders_every_corpus_document() {
        let Some(root) = std::env::var_os("TSSA_CORPUS") else {
            // Straight to stderr: the test harness captures println!, and a skip must be seen.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                b"skipped: TSSA_CORPUS not set (an acceptance-corpus test)\n",
            );
            return;
        };
        let root = PathBuf::from(root);
        let summary = on_small_stack(move || {
            let site = corpus_site(&root);
            let links = SiteLinks::new(&site);
            let highlighter = Highlighter::new();
            let docs: Vec<&Document> = site.documents().collect();
            let start = Instant::now();
            let mut bytes = 0;
            let mut diagnostics: Vec<Diagnostic> = Vec::new();
            let mut fragment_links = 0;
            for d in &docs {
                let r = render(d, &links, &highlighter);
                assert!(!r.html.contains("<script"), "{}", d.source);
                bytes += d.body.len();
                fragment_links += d.outline.links.iter().filter(|l| l.dest.contains('#')).count();
                diagnostics.extend(r.diagnostics);
            }
            let took = start.elapsed();
            let count = |code: &str| diagnostics.iter().filter(|d| d.code == code).count();
            let fragment_broken = diagnostics
                .iter()
                .filter(|d| d.code == "link/broken" && d.message.contains("has no heading"))
                .count();
            format!(
                "rendered {} documents ({} KB) in {took:?}; {fragment_links} links with a fragment, {fragment_broken} to a missing heading; \
                 {} link/broken, {} html/unknown-tag, {} html/disallowed, {} markdown/too-deep",
                docs.len(),
                bytes / 1024,
                count("link/broken"),
                count("html/unknown-tag"),
                count("html/disallowed"),
                count("markdown/too-deep"),
            ) + &diagnostics.iter().map(|d| format!("\n  {d}")).collect::<String>()
        });
        println!("{summary}");
    }
}

/// Tags html5ever reads everything after as their own content (raw text, RCDATA, foreign
/// markup, options, template contents, fallback): one left open must not take the rest of the
/// page with it. (`tests/cli/hostile_markup.rs` keeps its own list, as the independent check.)
const SWALLOWING: &[&str] = crate::analyse::sanitize::REMOVED_WITH_CONTENT;

/// Each way a swallowing tag reaches a document: in prose, opening an HTML block, closed or
/// not, upper-case, with attributes, inside a list and a quote.
fn swallowing_variants(tag: &str) -> Vec<String> {
    let upper = tag.to_ascii_uppercase();
    vec![
        format!("An attacker could inject a <{tag}> tag into the dashboard."),
        format!("Inline <{upper} class=\"x\" id='y'>closed</{upper}> and on."),
        format!("<{tag}>\nopened a block and never closed"),
        format!("<{tag} src=\"https://evil.example/x\">\n</{tag}>"),
        format!("<{upper}>alert(1)</{upper}>"),
        format!("- item with <{tag}> in it\n- next item"),
        format!("> quoted <{tag}>"),
        format!("<div>\n<{tag}>\n</div>"),
    ]
}

/// Every heading the outline (and so `check`) sees has its id on the page, and the text after
/// it is there too.
fn assert_nothing_lost(md: &str, r: &RenderedDoc) {
    let headings = outline(md, 1).headings;
    let on_page: Vec<&str> = r.toc.iter().map(|e| e.id.as_str()).collect();
    let in_outline: Vec<&str> = headings
        .iter()
        .filter(|h| h.level >= 2)
        .map(|h| h.id.as_str())
        .collect();
    assert_eq!(on_page, in_outline, "TOC and outline differ for {md:?}");
    for (i, id) in in_outline.iter().enumerate() {
        assert!(
            r.html.contains(&format!("id=\"{id}\"")),
            "no #{id} for {md:?} in {}",
            r.html
        );
        let text = format!("AFTER-{i}");
        assert!(r.html.contains(&text), "{text} lost for {md:?} in {}", r.html);
    }
}

#[test]
fn an_unclosed_or_disallowed_tag_loses_nothing_after_it() {
    for tag in SWALLOWING {
        for variant in swallowing_variants(tag) {
            let md = format!(
                "# T\n\n## Before\n\nAFTER-0\n\n{variant}\n\n## Later\n\nAFTER-1\n\n## Last\n\nAFTER-2\n"
            );
            let r = render_md(&md);
            assert_nothing_lost(&md, &r);
            let lower = r.html.to_ascii_lowercase();
            assert!(
                !lower.contains(&format!("<{tag}")),
                "<{tag}> survived {variant:?}: {}",
                r.html
            );
            assert!(
                lower.contains(&format!("&lt;{tag}")),
                "<{tag}> not shown as text for {variant:?}: {}",
                r.html
            );
        }
    }
}

#[test]
fn a_disallowed_tag_is_reported_once_with_its_line() {
    let md = "# T\n\nInject a <script> tag.\n\nAnd <script> again, <STYLE> too.\n";
    let r = render_md(md);
    assert_eq!(
        codes(&r),
        [("html/disallowed", Some(3)), ("html/disallowed", Some(5))]
    );
    assert!(
        r.diagnostics[0].message.contains("shown as text"),
        "{:?}",
        r.diagnostics
    );
    // `check` finds the same.
    let site = site_with(md);
    let found = scan(&site.units[0].documents[0], &SiteLinks::new(&site));
    assert_eq!(found, r.diagnostics);
}

#[test]
fn a_tag_the_lexer_cannot_finish_is_text() {
    // html5ever would start a tag at each of these and run on through the next sections.
    for block in [
        "<div>\n<a href=\"x\n\n## Later\n\nAFTER-1\n",
        "<div>\n<script src=\"x\n\n## Later\n\nAFTER-1\n",
        "<div>\n<img alt='x\n</div>\n\n## Later\n\nAFTER-1\n",
        "<div>\n<b <i>x</div>\n\n## Later\n\nAFTER-1\n",
    ] {
        let md = format!("# T\n\n## First\n\nAFTER-0\n\n{block}");
        let r = render_md(&md);
        assert_nothing_lost(&md, &r);
        assert!(!r.html.contains("<script"), "{}", r.html);
    }
}

#[test]
fn attribute_values_that_would_serialise_slowly_are_removed_and_reported() {
    let amps = "&amp;".repeat(5_000);
    let md = format!(
        "# T\n\n<div title=\"{amps}\">kept</div>\n\n![{amps}](docs/arch.png \"{amps}\")\n\n[x](#t \"{amps}\")\n\n<a title=\"short &amp; fine\" href=\"#t\">y</a>\n"
    );
    let r = render_md(&md);
    assert!(
        !r.html.contains("&amp;&amp;&amp;"),
        "{}",
        &r.html[..400.min(r.html.len())]
    );
    assert!(r.html.contains("kept") && r.html.contains("title=\"short &amp; fine\""));
    assert_eq!(codes(&r), [("html/disallowed", Some(3))]);
}

#[test]
fn a_removed_element_keeps_the_text_after_it() {
    for body in [
        "a <g onload=x/> b\n\nAFTER\n",
        "a <g> b\n\nAFTER\n",
        "a <font x=1> b\n\nAFTER\n",
    ] {
        let html = render_md(body).html;
        assert!(
            html.contains(" b</p>") && html.contains("AFTER"),
            "{body:?} => {html:?}"
        );
    }
}

#[test]
fn an_id_on_a_dropped_tag_stays_a_link_target() {
    for body in [
        "* Refuse to<td id=\"kept-cell\">A cell</td>\n\n[cell](#kept-cell)\n",
        "Some <g id=\"kept-cell\">shape</g> text.\n\n[cell](#kept-cell)\n",
    ] {
        let rendered = render_md(body);
        assert!(
            rendered.html.contains("id=\"kept-cell\""),
            "{body:?} => {}",
            rendered.html
        );
    }
    let in_table = render_md("<table><tr><td id=\"kept-cell\">A cell</td></tr></table>\n");
    assert!(
        in_table.html.contains("<td id=\"kept-cell\">"),
        "{}",
        in_table.html
    );
}

#[test]
fn later_top_level_headings_are_in_the_toc_but_the_title_is_not() {
    let r = render_md("# Title\n\n## A\n\n# Part two\n\n## B\n");
    let toc: Vec<(u8, &str)> = r.toc.iter().map(|t| (t.level, t.text.as_str())).collect();
    assert_eq!(toc, vec![(2, "A"), (1, "Part two"), (2, "B")]);
}

#[test]
fn an_empty_heading_is_left_out_and_reported_at_its_line() {
    let r = render_md("# Title\n\n##\n\ntext\n\n## Kept\n");
    assert!(
        !r.html.contains("<h2></h2>") && r.html.contains("id=\"kept\""),
        "{}",
        r.html
    );
    assert_eq!(codes(&r), vec![("markdown/empty-heading", Some(3))]);
}

#[test]
fn toc_nests_by_level() {
    let entry = |level| TocEntry {
        level,
        text: String::new(),
        id: String::new(),
        nest: false,
        close: 0,
        close_after: 0,
    };
    let mut toc: Vec<TocEntry> = [2, 3, 4, 2, 4, 3, 1, 2, 6].into_iter().map(entry).collect();
    nest_toc(&mut toc);
    let shape: Vec<(bool, usize)> = toc.iter().map(|e| (e.nest, e.close)).collect();
    assert_eq!(
        shape,
        [
            (false, 0),
            (true, 0),
            (true, 0),
            (false, 2),
            (true, 0),
            (false, 0),
            (false, 1),
            (true, 0),
            (true, 0)
        ]
    );
    assert_eq!(toc.last().map(|e| e.close_after), Some(2));
}

#[test]
fn blocks_carry_their_source_line_once_and_in_order() {
    let md = "# T\n\n- one\n- two\n\n> quoted\n> more\n\npara\n\n| a |\n|---|\n| b |\n";
    let r = render_md(md);
    assert_eq!(r.line_anchors, [1, 3, 4, 6, 9, 11, 13], "{}", r.html);
    for line in &r.line_anchors {
        assert_eq!(
            r.html.matches(&format!("id=\"L{line}\"")).count(),
            1,
            "{}",
            r.html
        );
    }
    // A list and its first item start on one line: one anchor, on the list.
    assert!(r.html.contains("<ul id=\"L3\">\n<li>one"), "{}", r.html);
    assert_eq!(super::anchor_for(&r.line_anchors, 7).as_deref(), Some("L6"));
    assert_eq!(super::anchor_for(&[5, 9], 2), None);
}

#[test]
fn no_line_anchor_span_lands_directly_inside_a_raw_list_or_table() {
    // Blank lines split raw HTML into several blocks; a span between `<ul>` and `<li>` would
    // make the list invalid (axe: list), so only blocks outside such markup get one.
    let md = "<ul>\n\n<li>one</li>\n\n<li>two</li>\n\n</ul>\n\n<div>\n\n<p>x</p>\n\n</div>\n";
    let r = render_md(md);
    assert!(!r.html.contains("<ul>\n<span"), "{}", r.html);
    assert!(!r.html.contains("</li>\n<span"), "{}", r.html);
    assert!(r.html.contains("<span id=\"L1\"></span><ul>"), "{}", r.html);
    assert!(r.html.contains("<span id=\"L9\"></span><div>"), "{}", r.html);
}

#[test]
fn tables_can_take_the_keyboard_focus_to_scroll() {
    let md = render_md("| a | b |\n|---|---|\n| 1 | 2 |\n");
    assert!(md.html.contains("<table tabindex=\"0\">"), "{}", md.html);
    let raw = render_md("<table><tr><td>cell</td></tr></table>\n");
    assert!(raw.html.contains("<table tabindex=\"0\">"), "{}", raw.html);
}

#[test]
fn the_lead_is_the_first_paragraph_of_its_own_long_enough_to_describe_the_page() {
    let md = "# Title\n\n- a list item that is long enough to count as a lead here\n\nDraft.\n\n\
              | a table cell that is long enough to count as a lead here too |\n|---|\n\n\
              This paragraph says what the project does in more than eight words.\n\n\
              A later paragraph that is also long enough to be a lead.\n";
    let r = render_md(md);
    assert_eq!(
        r.lead,
        "This paragraph says what the project does in more than eight words."
    );
    assert_eq!(render_md("# T\n\nToo short.\n").lead, "");
}

#[test]
fn check_and_build_agree_on_a_heading_that_only_shows_an_image() {
    // A setext heading whose text is an image: not empty, in the scan as on the page.
    let md = "# T\n\n![A diagram](flow.png)\n--\n\n##\n";
    let site = site_with(md);
    let links = SiteLinks::new(&site);
    let doc = &site.units[0].documents[0];
    let found = scan(doc, &links);
    let rendered = render(doc, &links, &Highlighter::new());
    let empty = |ds: &[Diagnostic]| -> Vec<Option<usize>> {
        ds.iter()
            .filter(|d| d.code == "markdown/empty-heading")
            .map(|d| d.line)
            .collect()
    };
    assert_eq!(empty(&rendered.diagnostics), [Some(6)]);
    assert_eq!(empty(&found), empty(&rendered.diagnostics));
}

/// Markdown that exercises the writer's own markup: escaping, quotes, U+00A0, entities, every
/// kind of block and inline, links of each sort.
const OWN_MARKUP: &[&str] = &[
    "# Title\n\nA 'quoted' \"text\" with < and > and & and &amp; and &copy; and \u{a0}nbsp\u{a0}.",
    "## It's \"a\" <heading> & more\u{a0}here",
    "[link 'x' \"y\"](https://example.com/?a=1&b='2' \"title 'with' \\\"quotes\\\" & <b>\")",
    "[in site](docs/arch.png) and [fragment](#its-a-heading) and [broken](nowhere.md 'gone')",
    "![alt 'x' \"y\" & <z>](docs/arch.png \"t 'i' \\\"t\\\" \u{a0}\") ![missing](no.png)",
    "Bare https://example.com/a?b=1&c=2's link and www.example.com. and <https://x.example/'q'>",
    "<mail@example.com> and [mail](mailto:a@example.com)",
    "```rust\nfn main() { let s = \"it's <b> & \u{a0}\"; }\n```",
    "```\nplain 'code' \"here\" & <tag>\n```\n\n    indented <code> & 'x'",
    "`inline 'code' \"q\" <&>` and *em 'x'* **strong \"y\"** ~~del~~",
    "| a 'x' | b \"y\" |\n|:--|--:|\n| <c> & | \u{a0} |\n| ok | `c` |",
    "- [ ] todo 'x'\n- [x] done \"y\"\n  1. nested\n  2. list\n\n> quote 'q' \"q\"\n> > deeper",
    "Text[^1] and again[^note].\n\n[^1]: Foot 'note' \"one\".\n[^note]: Second & <last>.",
    "Line one  \nline two\\\nline three\n\n---\n\nafter rule",
    "[link with footnote[^1]](https://example.com)\n\n[^1]: x",
    "[a colon](c:drive.md) [odd](https://exa mple.com/) [ws](<https://example.com/a b>)",
    "Control \u{1}char and \u{7f}delete and \r carriage",
];

/// Raw HTML, nested well and badly, across blocks and inside Markdown.
const RAW_MARKUP: &[&str] = &[
    "<details>\n<summary>More 'x'</summary>\n\nMarkdown *inside* & \"quoted\".\n\n</details>",
    "<table>\n<tr>\n<td>\ncell 'a'\n</td>\n<td>\n<a href=\"https://goharbor.io\">h</a>\n<p>\nunclosed p\n</td>\n</tr>\n</table>",
    "<p align=\"center\">\n  <img src=\"docs/arch.png\" alt=\"x\" width=\"10\">\n</p>",
    "A <b>bold *and</b> em* mix and <i>open italic",
    "<span>\n\nparagraph </span> after\n\nnext paragraph",
    "<div>\n\n- list in div\n\n</div>\n\ntext after div",
    "Inline <sup>1</sup> and <br> and <br/> and </br> and <kbd>Ctrl</kbd>",
    "<p>one<p>two</p>",
    "<ul>\n<li>a\n<li>b\n</ul>",
    "<div><p>para<li>item</div>",
    "<a href=\"x.md\"><a href=\"y.md\">nested</a></a>",
    "<script>alert(1)</script> and <style>x</style> and <svg><g/></svg>",
    "<custom-tag>made up</custom-tag> and <g>svg name</g> and <td>stray cell</td>",
    "<img src=\"x\" onerror=\"alert(1)\" title='a \"b\" c'>",
    "<!-- a comment --> only\n\n<!-- another -->",
    "<h2 id=\"raw-id\">Raw <em>heading</em></h2>",
    "# Heading with <code>raw</code> html",
    "<table><tr><td>foster *me*</td></tr>text in table</table>",
    "<blockquote>\n\n> md quote in raw\n\n</blockquote>",
    "<pre>\nraw pre 'x'\n</pre>",
    "<div>\n<p>\nunclosed in div\n</div>",
    "<dl><dt>t<dd>d</dl>",
    "<div><b>bold left open</div>",
    "<details><summary>s</summary><em>x</details>",
    "*<b>x* *y</b>* z",
    "**<i>x** and **y</i>** z",
    "[<b>x](a.md) [y</b>](b.md) z",
    "<b><i>x</b> y</i>",
    "<em>x <strong>y</em> z</strong>",
    "<a href=\"a.md\">x <b>y</a> z</b>",
];

/// The page, sanitised span by span and as a whole.
fn both_ways(body: &str) -> (String, String) {
    let site = site_with(body);
    let links = SiteLinks::new(&site);
    let d = &site.units[0].documents[0];
    let highlighter = Highlighter::new();
    let split = write_with(d, &links, &highlighter, true, false).html;
    let whole = write_with(d, &links, &highlighter, true, true).html;
    (split, whole)
}

#[test]
fn the_writers_own_markup_is_already_what_the_sanitizer_gives_back() {
    // What lets the sanitizer skip everything but raw HTML: its normal form of the writer's
    // output is that output, written in html5ever's escaping.
    for md in OWN_MARKUP {
        let html = render_md(md).html;
        let normal = crate::analyse::sanitize::sanitize_spans(&html, &[]);
        assert_eq!(normal, sanitize(&html), "{md:?}");
    }
}

#[test]
fn sanitising_only_the_raw_spans_gives_the_bytes_of_sanitising_the_page() {
    let mut cases: Vec<String> = Vec::new();
    for raw in RAW_MARKUP {
        for own in OWN_MARKUP {
            cases.push(format!("{own}\n\n{raw}\n\n{own}"));
            cases.push(format!("{raw}\n{own}"));
            cases.push(format!("- {raw}\n\n  {own}"));
        }
        for other in RAW_MARKUP {
            cases.push(format!("{raw}\n\nplain 'x'\n\n{other}\n\nend \"y\""));
        }
    }
    for md in &cases {
        let (split, whole) = both_ways(md);
        assert_eq!(split, whole, "{md:?}");
    }
}

#[test]
fn raw_spans_cover_only_the_blocks_around_raw_html() {
    let md = "First 'para'.\n\n<details>\n<summary>x</summary>\n\ninside\n\n</details>\n\nLast \"para\".";
    let site = site_with(md);
    let links = SiteLinks::new(&site);
    let d = &site.units[0].documents[0];
    let highlighter = Highlighter::new();
    let mut writer = Writer::new(d, &d.body, &links, &highlighter, true);
    for (event, range) in Parser::new_ext(&d.body, options()).into_offset_iter() {
        writer.event(event, range.start);
    }
    let out = writer.out.clone();
    let spans = std::mem::take(&mut writer.spans).finish(out.len());
    assert_eq!(spans.len(), 1, "{spans:?}");
    let raw = &out[spans[0].clone()];
    assert!(raw.contains("<details>") && raw.contains("</details>"), "{raw}");
    assert!(!raw.contains("First") && !raw.contains("Last"), "{raw}");
    // An unclosed raw element leaves everything after it to the sanitizer.
    let md = "First.\n\n<div>\n\nnever closed\n\nLast.";
    let site = site_with(md);
    let d = &site.units[0].documents[0];
    let mut writer = Writer::new(d, &d.body, &links, &highlighter, true);
    for (event, range) in Parser::new_ext(&d.body, options()).into_offset_iter() {
        writer.event(event, range.start);
    }
    let out = writer.out.clone();
    let spans = std::mem::take(&mut writer.spans).finish(out.len());
    assert_eq!(spans.len(), 1);
    assert!(out[spans[0].clone()].contains("Last."));
}

#[test]
fn a_raw_input_comes_out_the_same_on_every_run() {
    // The sanitizer adds a missing `type` or `disabled` in the order of its hash map, which
    // changed between runs (found by comparing two builds of tests/fixtures/html): the
    // writer now writes both, in one order, whatever the source had.
    for (raw, expected) in [
        ("<input name=\"q\">", "<input type=\"checkbox\" disabled=\"\">"),
        (
            "<input disabled type=\"text\">",
            "<input type=\"checkbox\" disabled=\"\">",
        ),
        (
            "<input checked>",
            "<input type=\"checkbox\" disabled=\"\" checked=\"\">",
        ),
    ] {
        let html = render_md(&format!("<div>\n{raw}\n</div>\n")).html;
        assert!(html.contains(expected), "{raw}: {html}");
    }
}

#[test]
fn a_sections_terms_cover_its_whole_text_and_only_its_snippet_is_kept() {
    let filler = "filler ".repeat(SNIPPET_CAP / 7 + 10);
    let r = render_md(&format!("# Title\n\n## Long\n\n{filler} okapi\n"));
    let long = r
        .sections
        .iter()
        .find(|s| s.anchor == "long")
        .expect("the section");
    assert!(long.text.len() <= SNIPPET_CAP, "{}", long.text.len());
    assert!(!long.text.contains("okapi"));
    assert!(r.terms.terms().any(|t| t == "okapi"));
    assert_eq!(snippet("ééé"), "ééé");
    assert_eq!(snippet(&"é".repeat(SNIPPET_CAP)).len(), SNIPPET_CAP);
    assert_eq!(
        snippet(&format!("a{}", "é".repeat(SNIPPET_CAP))).len(),
        SNIPPET_CAP - 1
    );
}

#[test]
fn push_decimal_writes_what_display_writes() {
    for n in [
        0,
        1,
        9,
        10,
        99,
        100,
        4_096,
        65_535,
        1_000_000,
        u32::MAX - 1,
        u32::MAX,
    ] {
        let mut out = String::from("L");
        push_decimal(&mut out, n);
        assert_eq!(out, format!("L{n}"));
    }
}
