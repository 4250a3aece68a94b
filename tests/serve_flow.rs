//! `tssa serve` after a one-file edit: every page whose inputs changed shows the change, the
//! edited document's own page, its unit's status page, the home page's counts and the pages of
//! *other* units that link into it, and nothing is served from before the edit.

mod serve_support;

use serve_support::*;

const BETA_DOC: &str = "community/assessments/projects/beta/self-assessment.md";
const BETA_PAGE: &str = "/projects/beta/self-assessment.html";

/// The error count the home page shows in `slug`'s row.
fn home_errors(home: &str, slug: &str) -> Option<u32> {
    let row = &home[home.find(&format!("projects/{slug}/"))?..];
    let marker = "title=\"errors in this package\">";
    let count = &row[row.find(marker)? + marker.len()..];
    count.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

#[test]
fn an_edit_reaches_its_page_its_status_page_and_the_home_page() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture.root(), &[]);
    let before = home_errors(&serve.get("/").text(), "alpha").expect("alpha's row on the home page");
    let status = serve.get("/projects/alpha/").text();
    assert!(status.contains("missing section: Appendix"), "{status}");

    let mut events = serve.events();
    fixture.write(
        &format!("site/{ALPHA_DOC}"),
        "# Alpha self-assessment\n\nEDITED-ALPHA-TEXT\n\n## Metadata\n\nSome words.\n\n## Appendix\n\nKnown issues over time.\n",
    );
    events.expect_page_with(&serve, ALPHA_PAGE, "EDITED-ALPHA-TEXT", "the edited page");
    let status = serve.get("/projects/alpha/").text();
    assert!(
        !status.contains("missing section: Appendix"),
        "the status page still shows the old finding: {status}"
    );
    let after = home_errors(&serve.get("/").text(), "alpha").expect("alpha's row after the edit");
    assert!(
        after < before,
        "the home page's error count for alpha: {before} then {after}"
    );
    assert!(serve.get(BETA_PAGE).text().contains("Beta text."));
}

#[test]
fn a_renamed_heading_updates_links_on_other_units_pages() {
    let fixture = Fixture::new();
    fixture.write(
        &format!("site/{BETA_DOC}"),
        "# Beta self-assessment\n\nBeta text, see [alpha](../alpha/self-assessment.md#project-metadata).\n",
    );
    let serve = Serve::start(&fixture.root(), &[]);
    let page = serve.get(BETA_PAGE).text();
    assert!(page.contains("class=\"broken-link\""), "{page}");
    assert!(
        serve.get("/projects/beta/").text().contains("link/broken"),
        "beta's status page names the broken link"
    );

    let mut events = serve.events();
    // Only alpha changes: its heading `Metadata` becomes `Project metadata`.
    fixture.write(
        &format!("site/{ALPHA_DOC}"),
        "# Alpha self-assessment\n\nORIGINAL-ALPHA-TEXT\n\n## Project metadata\n\nSome words.\n",
    );
    events.expect_page_with(
        &serve,
        BETA_PAGE,
        "href=\"../alpha/self-assessment.html#project-metadata\"",
        "the link on beta's page once alpha has the heading",
    );
    assert!(
        !serve.get("/projects/beta/").text().contains("link/broken"),
        "beta's status page still shows the broken link"
    );

    // And back: renaming it again breaks the link on beta's page.
    fixture.write(
        &format!("site/{ALPHA_DOC}"),
        "# Alpha self-assessment\n\nORIGINAL-ALPHA-TEXT\n\n## Metadata\n\nSome words.\n",
    );
    events.expect_page_with(
        &serve,
        "/projects/beta/",
        "link/broken",
        "beta's status page once the heading is gone",
    );
    assert!(serve.get(BETA_PAGE).text().contains("class=\"broken-link\""));
}
