//! The pages of a small, clean site: home, status pages, documents, process docs, assets.

use crate::common::{Fixture, PROJECTS, line_of, text_of};

const UNITS: [&str; 4] = [
    "alderwick",
    "brindle",
    "copperline/copperline-agent",
    "copperline/copperline-relay",
];

fn good() -> Fixture {
    let fx = Fixture::new("good");
    fx.build().assert_code(0);
    fx
}

#[test]
fn clean_site_builds_without_errors_or_broken_links() {
    let fx = Fixture::new("good");
    let run = fx.build();
    run.assert_code(0);
    // Its packages are unfinished on purpose (check's verdicts are errors), but nothing it
    // reads or links is wrong.
    run.assert_no_diag(
        |d| d.level == "error" && (d.code.starts_with("input/") || d.code.starts_with("html/")),
        "a clean site reads without errors",
    );
    run.assert_no_diag(
        |d| d.code.starts_with("link/"),
        "every link in the fixture resolves",
    );
    run.assert_no_diag(
        |d| d.code.starts_with("front-matter/"),
        "the front matter is valid",
    );
    assert!(
        run.stderr.contains("built 4 project units"),
        "summary line: {}",
        run.stderr
    );
}

#[test]
fn home_page_lists_every_unit_including_group_sub_projects() {
    let fx = good();
    let mut units = fx.site().home_units();
    units.sort();
    assert_eq!(units, UNITS, "units linked from the home page");
}

#[test]
fn every_unit_has_a_status_page() {
    let fx = good();
    for unit in UNITS {
        let page = fx.site().page(&format!("projects/{unit}/index.html"));
        assert!(page.contains("<h1"), "status page of {unit} has a heading");
    }
}

#[test]
fn every_document_has_a_page() {
    let fx = good();
    let site = fx.site();
    for (unit, docs) in [
        (
            "alderwick",
            &[
                "README.html",
                "self-assessment.html",
                "joint-assessment.html",
                "docs/design notes.html",
            ][..],
        ),
        ("brindle", &["self-assessment.html"][..]),
        ("copperline/copperline-agent", &["self-assessment.html"][..]),
        (
            "copperline/copperline-relay",
            &["README.html", "joint-assessment.html"][..],
        ),
    ] {
        for doc in docs {
            site.assert_exists(&format!("projects/{unit}/{doc}"));
        }
        let status = site.page(&format!("projects/{unit}/index.html"));
        for doc in docs {
            let href = doc.replace(' ', "%20");
            assert!(
                status.contains(&format!("href=\"{doc}\"")) || status.contains(&format!("href=\"{href}\"")),
                "status page of {unit} links to {doc}"
            );
        }
    }
}

#[test]
fn document_pages_render_markdown_with_title_table_and_toc() {
    let fx = good();
    let html = fx.site().page("projects/alderwick/self-assessment.html");
    assert!(
        html.contains("<title>Alderwick self-assessment"),
        "title from the first heading"
    );
    assert!(html.contains("<table"), "the metadata table is a table");
    assert!(
        !html.contains("| Assessment Stage |"),
        "the table is not left as Markdown source"
    );
    assert!(html.contains("<h2"), "headings are rendered");
    // A table of contents: in-page links to the document's headings.
    assert!(
        html.contains("href=\"#security-functions-and-features\""),
        "table of contents links to headings"
    );
}

#[test]
fn title_skips_a_leading_html_comment() {
    let fx = good();
    let html = fx.site().page("projects/brindle/self-assessment.html");
    assert!(
        html.contains("<title>Brindle self-assessment"),
        "{}",
        &html[..html.len().min(600)]
    );
}

#[test]
fn heading_ids_are_computed_as_github_computes_them() {
    let fx = good();
    let html = fx.site().page("projects/alderwick/self-assessment.html");
    for id in [
        "metadata",
        "security-functions-and-features",
        "step-2-review--sign-off-v10",
        "notes",
        "notes-1",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "heading id `{id}`");
    }
    assert!(
        html.contains("id=\"überblick--ziele\"") || html.contains("id=\"%C3%BCberblick--ziele\""),
        "non-ASCII heading id keeps its letters"
    );
}

#[test]
fn code_blocks_are_highlighted_with_css_classes() {
    let fx = good();
    let site = fx.site();
    let html = site.page("projects/alderwick/self-assessment.html");
    let start = html.find("<pre").expect("a <pre> for the code block");
    let end = html[start..]
        .find("</pre>")
        .map(|e| start + e)
        .expect("the </pre>");
    let block = &html[start..end];
    assert!(
        text_of(block).contains("fn verify(manifest: &Manifest, key: &PublicKey)"),
        "code text kept: {block}"
    );
    assert!(
        block.contains("<span class="),
        "highlighted into classed spans: {block}"
    );
    assert!(!block.contains("style=\""), "classes, not inline styles: {block}");
    let css = site.page("static/highlight.css");
    assert!(
        css.contains('{') && css.contains("prefers-color-scheme"),
        "light and dark highlight styles: {css}"
    );
}

#[test]
fn task_lists_and_tables_in_the_joint_assessment_render() {
    let fx = good();
    let html = fx.site().page("projects/alderwick/joint-assessment.html");
    assert!(
        html.contains("type=\"checkbox\""),
        "task list items are checkboxes"
    );
    assert!(html.contains("<th"), "the threat table has a header");
}

#[test]
fn front_matter_facts_show_on_home_row_and_status_page() {
    let fx = good();
    let site = fx.site();
    let row = site.home_row("alderwick");
    for value in [
        "Alderwick",
        "incubating",
        "joint",
        "complete",
        "v3.1.0",
        "2025-06-14",
    ] {
        assert!(
            text_of(&row).contains(value),
            "home row shows `{value}`: {}",
            text_of(&row)
        );
    }
    let status = text_of(&site.page("projects/alderwick/index.html"));
    assert!(
        status.contains("v3.1.0"),
        "status page shows the version: {status}"
    );
    let readme = format!("{PROJECTS}/alderwick/README.md");
    assert!(
        status.contains(&format!("{readme}:6")),
        "provenance of version_covered is the front matter line: {status}"
    );
}

#[test]
fn front_matter_is_not_shown_as_text() {
    let fx = good();
    let html = fx.site().page("projects/alderwick/README.html");
    let text = text_of(&html);
    assert!(
        !text.contains("cncf_maturity:"),
        "front matter keys leaked into the page"
    );
    assert!(text.contains("Alderwick security assessment summary"));
}

#[test]
fn facts_are_read_from_summary_lines_without_front_matter() {
    let fx = good();
    let site = fx.site();
    let row = text_of(&site.home_row("copperline/copperline-relay"));
    assert!(
        row.contains("v2.4.0"),
        "version covered from `Project version reviewed:`: {row}"
    );
    assert!(
        row.contains("2025-02-26"),
        "`Completed: 26 Feb 2025` normalised to ISO: {row}"
    );
    let status = text_of(&site.page("projects/copperline/copperline-relay/index.html"));
    let readme = format!("{PROJECTS}/copperline/copperline-relay/README.md");
    assert!(
        status.contains(&format!("{readme}:5")),
        "version provenance is README.md:5: {status}"
    );
    assert!(
        status.contains(&format!("{readme}:3")),
        "completed provenance is README.md:3: {status}"
    );
}

#[test]
fn facts_are_read_from_the_self_assessment_metadata_table() {
    let fx = good();
    let status = text_of(&fx.site().page("projects/brindle/index.html"));
    let file = format!("{PROJECTS}/brindle/self-assessment.md");
    let line = line_of(&fx.path(&file), "| Languages |");
    assert!(status.contains("Rust, Python"), "languages row: {status}");
    assert!(
        status.contains(&format!("{file}:{line}")),
        "languages provenance is the table row line: {status}"
    );
    let row = text_of(&fx.site().home_row("brindle"));
    assert!(
        row.to_lowercase().contains("incomplete"),
        "assessment stage is the document status: {row}"
    );
}

#[test]
fn group_sub_projects_show_their_group() {
    let fx = good();
    let row = text_of(&fx.site().home_row("copperline/copperline-agent"));
    assert!(row.contains("copperline"), "{row}");
}

#[test]
fn assets_are_copied_byte_for_byte() {
    let fx = good();
    let site = fx.site();
    for asset in [
        "alderwick/docs/flow diagram.png",
        "alderwick/alderwick-slides.pdf",
    ] {
        let out = site
            .files()
            .remove(&format!("projects/{asset}"))
            .unwrap_or_else(|| panic!("asset {asset} not copied; output has:\n{}", site.listing()));
        let source = std::fs::read(fx.project(asset)).expect("read the source asset");
        assert_eq!(out, source, "{asset} copied unchanged");
    }
}

#[test]
fn image_with_spaces_in_its_name_is_shown() {
    let fx = good();
    let html = fx.site().page("projects/alderwick/self-assessment.html");
    assert!(
        html.contains("src=\"docs/flow%20diagram.png\"") || html.contains("src=\"docs/flow diagram.png\""),
        "the image is an <img> pointing at the copied file"
    );
}

#[test]
fn process_docs_have_pages_and_navigation() {
    let fx = good();
    let site = fx.site();
    for page in [
        "process/index.html",
        "process/intake-process.html",
        "process/guide/index.html",
    ] {
        site.assert_exists(page);
    }
    let intake = site.page("process/intake-process.html");
    assert!(
        intake.contains("href=\"guide/\"") || intake.contains("guide/index.html"),
        "process navigation links the guide"
    );
}

#[test]
fn not_found_page_and_sitemap_exist() {
    let fx = Fixture::new("good");
    // A sitemap needs absolute locations, so a base URL.
    fx.build_with(&["--base-url", "https://example.org/"])
        .assert_code(0);
    let site = fx.site();
    site.assert_exists("404.html");
    let locs = site.sitemap_locs();
    for unit in UNITS {
        assert!(
            locs.iter().any(|l| l.ends_with(&format!("projects/{unit}/"))),
            "sitemap lists {unit}: {locs:?}"
        );
    }
    assert!(
        locs.iter()
            .any(|l| l.ends_with("projects/alderwick/self-assessment.html")),
        "{locs:?}"
    );
    assert!(
        !locs.iter().any(|l| l.contains("404")),
        "the 404 page is not in the sitemap"
    );
}

#[test]
fn every_internal_link_and_fragment_resolves() {
    let fx = good();
    fx.site().assert_links_resolve("/");
}

#[test]
fn relative_links_are_rewritten_to_generated_pages() {
    let fx = good();
    let site = fx.site();
    let html = site.page("projects/alderwick/README.html");
    assert!(
        !html.contains("href=\"self-assessment.md\""),
        "`.md` links point at the generated pages"
    );
    assert!(html.contains("href=\"self-assessment.html\""), "x.md → x.html");
    assert!(
        html.contains("joint-assessment.html#threat-model"),
        "fragments are kept"
    );
    assert!(
        !html.contains("/community/assessments/guide/README.md"),
        "repository-absolute links are rewritten"
    );
    let text = text_of(&html);
    assert!(
        text.contains("design notes"),
        "the link text of a file with spaces stays"
    );
}

#[test]
fn no_scripts_or_event_handlers_in_a_clean_site() {
    let fx = good();
    fx.site().assert_no_active_content();
}

#[test]
fn check_reads_the_same_site_and_writes_nothing() {
    let fx = Fixture::new("good");
    let run = fx.check(&[]);
    run.assert_finished();
    assert!(
        matches!(run.code, Some(0 | 1)),
        "check ran: {:?}\n{}",
        run.code,
        run.stderr
    );
    assert!(!fx.path("public").exists(), "check must not write the site");
    assert!(!fx.out.exists(), "check must not write the site");
}
