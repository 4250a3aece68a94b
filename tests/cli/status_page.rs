//! The status page's layout (summary first, compact checklist), line anchors on rendered
//! documents and the `#L` links that point at them, repository links, facts written as HTML,
//! and the pages of folders that group units.

use crate::common::{Fixture, PROJECTS, ids_of, line_of, tags, text_of};

const QUILL: &str = "projects/quillfeather";

fn built() -> Fixture {
    let fx = Fixture::new("status-page");
    fx.build().assert_code(0);
    fx
}

/// The text of `<main>` of a page, for order checks.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    &html[start..]
}

#[test]
fn summary_comes_first_and_names_the_missing_item() {
    let fx = built();
    let page = fx.site().page(&format!("{QUILL}/index.html"));
    let main = main_of(&page);
    let summary = main.find("<section id=\"summary\"").expect("a summary section");
    let lead = main.find("class=\"lead\"").expect("a lead");
    assert!(lead < summary, "the summary follows the lead");
    let between = &main[lead..summary];
    assert_eq!(
        between.matches("<section").count(),
        0,
        "nothing comes between lead and summary"
    );
    for later in [
        "id=\"documents\"",
        "id=\"facts\"",
        "id=\"checklist\"",
        "id=\"findings\"",
    ] {
        assert!(
            main.find(later).expect(later) > summary,
            "{later} comes after the summary"
        );
    }
    let documents = main.find("id=\"documents\"").expect("id=\"documents\"");
    assert!(
        documents < main.find("id=\"checklist\"").expect("id=\"checklist\""),
        "documents before the checklist"
    );
    let end = summary + main[summary..].find("</section>").expect("section end");
    let text = text_of(&main[summary..end]);
    assert!(text.contains("Incomplete"), "a verdict: {text}");
    assert!(
        text.contains("A1 Complete a self-assessment"),
        "the missing item: {text}"
    );
    assert!(
        main[summary..end].contains("href=\"#item-A1\""),
        "links to the item"
    );
    assert!(
        ids_of(&page).contains("item-A1"),
        "the checklist entry has the anchor"
    );
    assert!(text.contains("not evidenced"), "the not-evidenced count: {text}");
}

#[test]
fn checklist_is_one_list_and_process_links_have_distinct_names() {
    let fx = built();
    let page = fx.site().page(&format!("{QUILL}/index.html"));
    let start = page.find("id=\"checklist\"").expect("id=\"checklist\"");
    let section = &page[start..start + page[start..].find("</section>").expect("section end")];
    assert_eq!(section.matches("<h3").count(), 0, "no heading per step");
    assert_eq!(section.matches("class=\"checklist").count(), 1, "one list");
    let labels: Vec<String> = tags(section)
        .iter()
        .filter(|t| t.attr("class") == Some("process-link"))
        .map(|t| t.attr("aria-label").expect("an accessible name").to_owned())
        .collect();
    assert!(labels.len() > 1, "process links: {labels:?}");
    let mut unique = labels.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), labels.len(), "distinct names: {labels:?}");
}

#[test]
fn rendered_blocks_carry_the_source_line_they_start_on() {
    let fx = built();
    let doc = fx.project("quillfeather/self-assessment.md");
    let page = fx.site().page(&format!("{QUILL}/self-assessment.html"));
    let ids = ids_of(&page);
    // Lines count from the top of the file, front matter included, as findings do.
    for needle in [
        "# Quillfeather self-assessment",
        "## Overview",
        "Quillfeather turns commit messages",
        "* The template store.",
        "> Templates are read-only",
        "```text",
        "| Tool | high |",
        "<table>",
    ] {
        let line = line_of(&doc, needle);
        assert!(
            ids.contains(&format!("L{line}")),
            "no id L{line} for `{needle}`: {ids:?}"
        );
    }
    // Headings keep their own ids beside the line anchor.
    assert!(ids.contains("overview"), "{ids:?}");
    let title = line_of(&doc, "# Quillfeather self-assessment");
    assert!(title > 1, "the fixture has front matter");
}

#[test]
fn every_line_link_on_a_status_page_lands_on_an_anchor() {
    let fx = built();
    let site = fx.site();
    site.assert_links_resolve("/");
    let page = site.page(&format!("{QUILL}/index.html"));
    let line_links: Vec<String> = tags(&page)
        .iter()
        .filter_map(|t| t.attr("href"))
        .filter(|h| h.contains("#L"))
        .map(str::to_owned)
        .collect();
    assert!(!line_links.is_empty(), "the status page links cited lines");
    let doc_page = site.page(&format!("{QUILL}/self-assessment.html"));
    let ids = ids_of(&doc_page);
    for href in &line_links {
        let (file, fragment) = href.split_once('#').expect("a fragment");
        assert_eq!(file, "self-assessment.html", "{href}");
        assert!(ids.contains(fragment), "{href} has no target");
    }
    // The Software fact is cited at its row inside the HTML table: the link goes to the
    // block that holds it, the table.
    let table = line_of(&fx.project("quillfeather/self-assessment.md"), "<table>");
    assert!(
        page.contains(&format!("self-assessment.html#L{table}\"")),
        "a link to the table at L{table}"
    );
}

#[test]
fn a_fact_written_as_an_html_link_shows_as_a_link_named_as_written() {
    let fx = built();
    let page = fx.site().page(&format!("{QUILL}/index.html"));
    let row_start = page
        .find("<th scope=\"row\">Software</th>")
        .expect("a Software row");
    let row = &page[row_start..row_start + page[row_start..].find("</tr>").expect("row end")];
    assert!(!row.contains("&lt;"), "no escaped markup: {row}");
    let link = tags(row)
        .into_iter()
        .find(|t| t.name == "a" && t.attr("href") == Some("https://example.org/quillfeather/repo"))
        .unwrap_or_else(|| panic!("a link to the repository: {row}"));
    let after = &row[link.end..];
    assert!(
        after.starts_with("Quillfeather repository</a>"),
        "named as written: {row}"
    );
}

#[test]
fn repository_links_only_with_the_key_and_with_the_right_urls() {
    let fx = built();
    let doc = fx.site().page(&format!("{QUILL}/self-assessment.html"));
    assert!(
        !doc.contains("View source") && !doc.contains("Edit on GitHub"),
        "no key, no links"
    );
    assert!(
        !fx.site()
            .page(&format!("{QUILL}/index.html"))
            .contains("github.com/example")
    );

    fx.write(
        "book.toml",
        "[site]\nrepository = \"https://github.com/example/assess/\"\nbranch = \"trunk\"\nrepository_path = \"docs\"\n",
    );
    fx.build().assert_code(0);
    let file = format!("{PROJECTS}/quillfeather/self-assessment.md");
    let doc = fx.site().page(&format!("{QUILL}/self-assessment.html"));
    let view = format!("https://github.com/example/assess/blob/trunk/docs/{file}#L1");
    let edit = format!("https://github.com/example/assess/edit/trunk/docs/{file}");
    assert!(doc.contains(&format!("href=\"{view}\"")), "view source link");
    assert!(doc.contains(&format!("href=\"{edit}\"")), "edit link");
    let status = fx.site().page(&format!("{QUILL}/index.html"));
    let line = line_of(&fx.project("quillfeather/self-assessment.md"), "# Quillfeather");
    let source = format!("https://github.com/example/assess/blob/trunk/docs/{file}#L{line}");
    assert!(
        status.contains(&format!("href=\"{source}\"")),
        "evidence source link {source}"
    );
}

#[test]
fn a_repository_that_is_not_https_is_refused_at_its_line() {
    let fx = Fixture::new("status-page");
    fx.write(
        "book.toml",
        "[site]\ntitle = \"x\"\nrepository = \"javascript:alert(1)\"\n",
    );
    let run = fx.build();
    run.assert_code(2);
    assert!(run.stderr.contains("[site] repository"), "{}", run.stderr);
    assert!(
        run.stderr.contains("book.toml:3"),
        "names the line: {}",
        run.stderr
    );
    fx.write("book.toml", "[site]\nbranch = \"main\"\n");
    let run = fx.build();
    run.assert_code(2);
    assert!(run.stderr.contains("need [site] repository"), "{}", run.stderr);
}

#[test]
fn a_folder_of_units_has_a_page_linked_from_their_breadcrumbs() {
    let fx = built();
    let site = fx.site();
    let group = site.page("projects/lanterns/index.html");
    for unit in ["lantern-core", "lantern-ui"] {
        assert!(
            group.contains(&format!("href=\"{unit}/\"")),
            "lists {unit}: {group}"
        );
        let status = site.page(&format!("projects/lanterns/{unit}/index.html"));
        let crumbs_at = status.find("class=\"crumbs\"").expect("class=\"crumbs\"");
        let crumbs = &status[crumbs_at..crumbs_at + status[crumbs_at..].find("</nav>").expect("nav end")];
        assert!(
            crumbs.contains("href=\"../\""),
            "breadcrumb to the group: {crumbs}"
        );
        let doc = site.page(&format!("projects/lanterns/{unit}/self-assessment.html"));
        assert!(
            doc.contains("<a href=\"../\">lanterns</a>"),
            "document breadcrumb to the group"
        );
    }
    assert!(
        text_of(&group).contains("of 4 items passed"),
        "each unit's status"
    );
    site.assert_links_resolve("/");
}
