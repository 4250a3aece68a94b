//! Raw HTML in documents is sanitised with an allow list: no scripts, no event handlers, no
//! `javascript:` URLs; tables, details, images, anchors and ids kept; `<daemon>` shown as text.

use crate::common::{Fixture, PROJECTS, Run, line_of, tags, text_of};

fn build() -> (Fixture, Run, String) {
    let fx = Fixture::new("html");
    let run = fx.build();
    run.assert_built();
    let html = fx.site().page("projects/puffin/self-assessment.html");
    (fx, run, html)
}

/// The rendered document, without the theme around it.
fn article(html: &str) -> &str {
    let start = html.find("<article").unwrap_or(0);
    let end = html.rfind("</article>").unwrap_or(html.len());
    &html[start..end]
}

#[test]
fn no_script_event_handler_or_javascript_url_survives() {
    let (fx, _, html) = build();
    fx.site().assert_no_active_content();
    let doc = article(&html).to_ascii_lowercase();
    assert!(!doc.contains("<script"), "no script element from the document");
    assert!(
        !html.contains("PUFFIN-SCRIPT-RAN\"</script>"),
        "the script is not kept"
    );
}

#[test]
fn embedding_and_page_altering_elements_are_removed() {
    let (_, _, html) = build();
    let doc = article(&html);
    for tag in tags(doc) {
        assert!(
            !["iframe", "object", "embed", "base", "form", "meta", "style"].contains(&tag.name.as_str()),
            "<{}> from the document is in the page",
            tag.name
        );
    }
}

#[test]
fn safe_structure_is_kept() {
    let (fx, _, html) = build();
    let doc = article(&html);
    assert!(
        doc.contains("<details>") && doc.contains("<summary>"),
        "details kept"
    );
    assert!(text_of(doc).contains("PUFFIN-DETAILS-KEPT"));
    assert!(
        doc.contains("id=\"kept-cell\""),
        "ids on raw HTML kept (fragment links use them)"
    );
    assert!(doc.contains("<table"), "raw HTML tables kept");
    let img = tags(doc)
        .into_iter()
        .find(|t| t.name == "img" && t.attr("alt") == Some("Puffin diagram"));
    let img = img.expect("the <img> is kept without its handler");
    assert_eq!(img.attr("src"), Some("docs/diagram.png"));
    fx.site().assert_links_resolve("/");
}

#[test]
fn link_text_of_a_script_url_is_still_shown() {
    let (_, _, html) = build();
    let text = text_of(article(&html));
    assert!(text.contains("link with a script URL"), "{text}");
    assert!(text.contains("raw link with a script URL"), "{text}");
}

#[test]
fn pseudo_tag_is_shown_as_text_with_a_warning() {
    let (fx, run, html) = build();
    let doc = article(&html);
    assert!(doc.contains("&lt;daemon&gt;"), "`<daemon>` is escaped text");
    assert!(
        text_of(doc).contains("runs as <daemon> under the init system"),
        "and shown in place"
    );
    assert!(
        !tags(doc).iter().any(|t| t.name == "daemon"),
        "no <daemon> element"
    );
    let file = format!("{PROJECTS}/puffin/self-assessment.md");
    let line = line_of(&fx.path(&file), "<daemon>");
    let d = run.expect_diag_where(&format!("a warning about <daemon> at {file}:{line}"), |d| {
        d.file.as_deref() == Some(file.as_str()) && d.line == Some(line) && d.message.contains("daemon")
    });
    assert_eq!(d.level, "warning");
}

#[test]
fn html_inside_code_blocks_is_shown_not_removed() {
    let (_, _, html) = build();
    let doc = article(&html);
    let pre = doc.find("<pre").map(|i| &doc[i..]).expect("a code block");
    assert!(
        text_of(pre).contains("<script>alert(\"shown as code\")</script>"),
        "code keeps its text"
    );
}

// ---------------------------------------------------------------------------------------------
// Files in project folders are copied as assets; active HTML must not ride along with them.

#[test]
fn html_file_in_a_project_folder_is_not_published_with_its_script() {
    let fx = Fixture::new("html");
    fx.write(
        &format!("{PROJECTS}/puffin/export.html"),
        "<html><body onload=\"alert(1)\"><script>alert('PUFFIN-EXPORT')</script><a href=\"javascript:x()\">x</a></body></html>",
    );
    fx.build().assert_built();
    fx.site().assert_no_active_content();
}

#[test]
fn svg_file_in_a_project_folder_is_not_published_with_its_script() {
    let fx = Fixture::new("html");
    fx.write(
        &format!("{PROJECTS}/puffin/docs/overlay.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script><circle r=\"3\"/></svg>",
    );
    fx.build().assert_built();
    for (path, bytes) in fx.site().files() {
        if !path.ends_with(".svg") {
            continue;
        }
        let svg = String::from_utf8_lossy(&bytes);
        for tag in tags(&svg) {
            assert!(tag.name != "script", "{path}: <script>");
            assert!(
                !tag.attrs.iter().any(|(k, _)| k.starts_with("on")),
                "{path}: event handler on <{}>",
                tag.name
            );
        }
    }
}

/// The site's Content-Security-Policy allows no inline styles: a `style` attribute on any page
/// would be dropped by the browser with a console error (Markdown table alignment used to be
/// one). Alignment comes from classes instead.
#[test]
fn no_page_carries_an_inline_style() {
    let fx = Fixture::new("html");
    fx.write(
        &format!("{PROJECTS}/puffin/aligned.md"),
        "# Aligned\n\n| Left | Centre | Right |\n| :--- | :----: | ----: |\n| a | b | c |\n\n<table><tr><td style=\"text-align: right\">raw</td></tr></table>\n",
    );
    fx.build().assert_built();
    let site = fx.site();
    for page in site.html_pages() {
        let html = site.page(&page);
        let styled: Vec<_> = tags(&html)
            .into_iter()
            .filter(|t| t.attr("style").is_some())
            .map(|t| html[t.start..t.end].to_owned())
            .collect();
        assert!(styled.is_empty(), "{page}: {styled:?}");
    }
    let aligned = site.page("projects/puffin/aligned.html");
    for class in ["align-left", "align-center", "align-right"] {
        assert!(
            aligned.contains(&format!("class=\"{class}\"")),
            "no {class}: {aligned}"
        );
    }
}

/// Every page names the theme's icon, so browsers do not ask for a `favicon.ico` the site
/// does not have (a 404 on every page), and the icon runs nothing.
#[test]
fn every_page_has_an_icon_that_exists() {
    let (fx, _, _) = build();
    let site = fx.site();
    for page in site.html_pages() {
        let html = site.page(&page);
        let icon = tags(&html)
            .into_iter()
            .find(|t| t.name == "link" && t.attr("rel") == Some("icon"));
        assert!(icon.is_some(), "{page} names no icon");
    }
    let icon = site.page("static/favicon.svg");
    assert!(icon.starts_with("<svg") && !icon.contains("script") && !icon.contains(" on"));
    site.assert_links_resolve("/");
}
