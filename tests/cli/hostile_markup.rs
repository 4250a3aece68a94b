//! Raw HTML a hostile or careless contributor writes: a tag named in prose ("inject a <script>
//! tag"), left open, in upper case, with attributes, or thousands of half-tags. Nothing after
//! it may be lost, the page and `check` must see the same headings, nothing active may reach
//! the page, and no input may stall the build.

use std::time::{Duration, Instant};

use crate::common::{Fixture, PROJECTS, Run, Site, ids_of, text_of};

/// Tags html5ever reads everything after as their own content (raw text, RCDATA, foreign
/// markup, select options, template contents, fallback content).
const SWALLOWING: &[&str] = &[
    "script",
    "style",
    "iframe",
    "textarea",
    "title",
    "noscript",
    "template",
    "object",
    "select",
    "xmp",
    "plaintext",
    "noembed",
    "noframes",
    "svg",
    "math",
    "applet",
];

/// How each tag reaches a document: named in prose (the report's sentence), left open in upper
/// case with attributes inside an HTML block, and closed with content (for `script`, `style`
/// and `textarea` that is an HTML block of its own).
fn variants(tag: &str) -> [(&'static str, String); 3] {
    let upper = tag.to_ascii_uppercase();
    [
        (
            "prose",
            format!("An attacker could inject a <{tag}> tag into the dashboard."),
        ),
        (
            "block",
            format!("<div>\n<{upper} class=\"x\" data-a='1'>\nleft open by mistake\n</div>"),
        ),
        ("closed", format!("<{tag}>alert(1)</{tag}>")),
    ]
}

/// Every section the self-assessment outline asks for, so `check` reports a missing one if
/// it stops seeing a heading.
const SECTIONS: &[(&str, &str)] = &[
    ("##", "Metadata"),
    ("###", "Security links"),
    ("##", "Overview"),
    ("###", "Background"),
    ("###", "Actors"),
    ("###", "Actions"),
    ("###", "Goals"),
    ("###", "Non-goals"),
    ("##", "Self-assessment use"),
    ("##", "Security functions and features"),
    ("##", "Project compliance"),
    ("##", "Secure development practices"),
    ("##", "Security issue resolution"),
    ("##", "Appendix"),
];

fn github_id(title: &str) -> String {
    title.to_ascii_lowercase().replace(' ', "-")
}

fn self_assessment(hostile: &str) -> String {
    let mut md = format!("# Wren self-assessment\n\n{hostile}\n\n");
    for (i, (hashes, title)) in SECTIONS.iter().enumerate() {
        md.push_str(&format!("{hashes} {title}\n\nWREN-SECTION-{i} text.\n\n"));
    }
    md
}

/// One package per tag and variant: `wren-<tag>-<variant>`.
fn tag_fixture() -> Fixture {
    let fx = Fixture::new("good");
    for tag in SWALLOWING {
        for (variant, hostile) in variants(tag) {
            fx.write(
                &format!("{PROJECTS}/wren-{tag}-{variant}/self-assessment.md"),
                self_assessment(&hostile),
            );
        }
    }
    fx
}

fn article(html: &str) -> &str {
    let start = html.find("<article").unwrap_or(0);
    let end = html.rfind("</article>").unwrap_or(html.len());
    &html[start..end]
}

#[test]
fn a_tag_in_prose_or_left_open_loses_no_later_section() {
    let fx = tag_fixture();
    let run = fx.build();
    run.assert_built();
    let site = fx.site();
    for tag in SWALLOWING {
        for (variant, _) in variants(tag) {
            let page = site.page(&format!("projects/wren-{tag}-{variant}/self-assessment.html"));
            let doc = article(&page);
            let ids = ids_of(doc);
            let text = text_of(doc);
            for (i, (_, title)) in SECTIONS.iter().enumerate() {
                let id = github_id(title);
                assert!(ids.contains(&id), "<{tag}> {variant}: no #{id} on the page");
                assert!(
                    text.contains(&format!("WREN-SECTION-{i} text.")),
                    "<{tag}> {variant}: the text under {title} is lost"
                );
            }
            assert!(
                text.contains(&format!("<{tag}>"))
                    || text.contains(&format!("<{}", tag.to_ascii_uppercase())),
                "<{tag}> {variant}: the tag is not shown as text"
            );
        }
    }
    site.assert_no_active_content();
    site.assert_links_resolve("/");
}

#[test]
fn check_sees_the_headings_the_page_shows_and_names_the_tag() {
    let fx = tag_fixture();
    let run = fx.check(&[]);
    for tag in SWALLOWING {
        for (variant, _) in variants(tag) {
            let file = format!("{PROJECTS}/wren-{tag}-{variant}/self-assessment.md");
            run.assert_no_diag(
                |d| d.file.as_deref() == Some(file.as_str()) && d.code.ends_with("missing-section"),
                &format!("a missing section in {file}"),
            );
            let line = if variant == "block" { 4 } else { 3 };
            let d = run.expect_diag("html/disallowed", &file, Some(line));
            assert!(d.message.contains(&format!("<{tag}>")), "{d:?}");
            assert!(d.message.contains("shown as text"), "{d:?}");
        }
    }
}

#[test]
fn a_closed_script_is_shown_as_text_never_run() {
    let fx = tag_fixture();
    fx.build().assert_built();
    let page = fx.site().page("projects/wren-script-closed/self-assessment.html");
    assert!(
        text_of(article(&page)).contains("<script>alert(1)</script>"),
        "shown as text"
    );
    fx.site().assert_no_active_content();
}

/// A line starting with `<script>`, `<style>` or `<textarea>` opens an HTML block that only
/// its end tag closes (CommonMark, and so GitHub): left open, the rest of the document is that
/// block. Its text must still be on the page, and the page and `check` agree that the
/// sections in it are not sections.
#[test]
fn an_unclosed_raw_text_block_shows_the_rest_as_text_on_page_and_in_check_alike() {
    let fx = Fixture::new("good");
    for tag in ["script", "style", "textarea"] {
        fx.write(
            &format!("{PROJECTS}/wren-{tag}/self-assessment.md"),
            self_assessment(&format!("<{tag}>\nnever closed")),
        );
    }
    fx.build().assert_built();
    let run = fx.check(&[]);
    for tag in ["script", "style", "textarea"] {
        let file = format!("{PROJECTS}/wren-{tag}/self-assessment.md");
        let page = fx
            .site()
            .page(&format!("projects/wren-{tag}/self-assessment.html"));
        let (ids, text) = (ids_of(article(&page)), text_of(article(&page)));
        for (i, (hashes, title)) in SECTIONS.iter().enumerate() {
            assert!(
                text.contains(&format!("{hashes} {title}")),
                "<{tag}>: {title} lost"
            );
            assert!(
                text.contains(&format!("WREN-SECTION-{i} text.")),
                "<{tag}>: text lost"
            );
            assert!(
                !ids.contains(&github_id(title)),
                "<{tag}>: #{} on the page",
                github_id(title)
            );
        }
        let missing = run.with_code("self-assessment/missing-section");
        let in_file = missing
            .iter()
            .filter(|d| d.file.as_deref() == Some(file.as_str()));
        assert!(
            in_file.count() >= 10,
            "check sees sections the page does not show"
        );
    }
    fx.site().assert_no_active_content();
}

// ---------------------------------------------------------------------------------------------
// Pathological markup: each of these was (or could be) quadratic somewhere between the raw
// HTML lexer, pulldown-cmark, html5ever and the writer.

/// One document per case, each ending in a section whose text must reach the page. The sizes
/// are the attack run's.
const PATHOLOGICAL: &[(&str, &str, usize)] = &[
    ("open-a", "<a ", 120_000),
    ("open-b-attr", "<b x=\"", 60_000),
    ("comment", "x <!--", 100_000),
    ("cdata", "x <![CDATA[", 100_000),
    ("end-tag-start", "</", 100_000),
    ("nested-div", "<div>", 50_000),
    ("brackets", "[", 100_000),
    ("emphasis", "*a", 100_000),
    ("backticks", "x `", 100_000),
    ("less-than", "<", 100_000),
    ("a-lt", "<a", 100_000),
    ("autolink", "<http://a", 50_000),
    ("link-open", "[a](", 100_000),
    // html5ever's serialiser was quadratic in a text node full of `&` or U+0080–U+00BF.
    ("ampersands", "&", 100_000),
    ("micro-signs", "\u{b5}", 100_000),
];

/// A debug build runs html5ever unoptimised, many times slower: it gets a quarter of each
/// input, still far beyond what a quadratic pass gets through in the time allowed.
const SCALE: usize = if cfg!(debug_assertions) { 4 } else { 1 };

fn pathological_fixture() -> Fixture {
    let fx = Fixture::new("good");
    for (name, unit, times) in PATHOLOGICAL {
        let times = times / SCALE;
        let body = format!(
            // The `<br>` makes every page go through the sanitizer.
            "# {name}\n\n<br>\n\n{}\n\n## After\n\nAFTER-{name}\n",
            unit.repeat(times)
        );
        fx.write(&format!("{PROJECTS}/wren/{name}.md"), body);
    }
    let table = format!(
        "# table\n\n|{}\n|{}\n|{}\n\n## After\n\nAFTER-table\n",
        "a|".repeat(10_000 / SCALE),
        "-|".repeat(10_000 / SCALE),
        "b|".repeat(10_000 / SCALE)
    );
    fx.write(&format!("{PROJECTS}/wren/table.md"), table);
    fx
}

#[test]
fn pathological_markup_builds_in_linear_time() {
    let fx = pathological_fixture();
    let start = Instant::now();
    // About 10 s in a debug build; before, the first two alone took minutes.
    let run: Run = fx.build_within(Duration::from_secs(60));
    let took = start.elapsed();
    run.assert_built();
    let site: Site = fx.site();
    for name in PATHOLOGICAL.iter().map(|p| p.0).chain(["table"]) {
        let page = site.page(&format!("projects/wren/{name}.html"));
        let ids = ids_of(article(&page));
        assert!(
            ids.contains("after"),
            "{name}: the last section's heading is lost"
        );
        assert!(
            text_of(article(&page)).contains(&format!("AFTER-{name}")),
            "{name}: the last section's text is lost"
        );
    }
    site.assert_no_active_content();
    eprintln!("pathological markup built in {took:?}");
}
