//! Links authors wrote against github.com: rewritten to the generated pages when they resolve,
//! reported at file:line and rendered visibly broken (never as a dead link) when they do not.

use crate::common::{Fixture, PROJECTS, Run, line_of, tags, text_of};

fn build() -> (Fixture, Run) {
    let fx = Fixture::new("links");
    let run = fx.build();
    run.assert_built();
    (fx, run)
}

fn readme_line(fx: &Fixture, needle: &str) -> (String, usize) {
    let file = format!("{PROJECTS}/sandpiper/README.md");
    let line = line_of(&fx.path(&file), needle);
    (file, line)
}

#[test]
fn broken_links_are_reported_at_file_and_line() {
    let (fx, run) = build();
    for needle in [
        "threat-model.md",
        "#budget",
        "#no-such-heading",
        "images/missing.png",
        "gone.md",
    ] {
        let (file, line) = readme_line(&fx, needle);
        let d = run.expect_diag("link/broken", &file, Some(line));
        assert!(!d.message.is_empty());
    }
}

#[test]
fn good_links_are_not_reported() {
    let (fx, run) = build();
    for needle in [
        "[self-assessment](self-assessment.md)",
        "#goals-and-non-goals",
        "data%20flow",
        "#actors",
        "[the top]",
    ] {
        let (file, line) = readme_line(&fx, needle);
        run.assert_no_diag(
            |d| d.code == "link/broken" && d.file.as_deref() == Some(file.as_str()) && d.line == Some(line),
            &format!("`{needle}` resolves"),
        );
    }
}

#[test]
fn broken_links_are_reported_by_build_and_check_and_the_site_is_built() {
    let (fx, run) = build();
    let file = readme_line(&fx, "threat-model.md").0;
    let d = run.expect_diag("link/broken", &file, None);
    assert_eq!(d.level, "warning", "broken links warn by default");
    run.assert_code(0);
    fx.site().assert_exists("projects/sandpiper/README.html");
    let check = fx.check(&[]);
    check.expect_diag("link/broken", &file, d.line);
    // Denying warnings fails both, alike.
    fx.build_with(&["--deny", "warnings"]).assert_code(1);
    fx.check(&["--deny", "warnings"]).assert_code(1);
}

#[test]
fn no_dead_links_in_the_output() {
    let (fx, _) = build();
    fx.site().assert_links_resolve("/");
}

#[test]
fn broken_links_are_rendered_visibly_broken() {
    let (fx, _) = build();
    let html = fx.site().page("projects/sandpiper/README.html");
    let text = text_of(&html);
    for words in [
        "threat model",
        "the budget",
        "a heading that is not here",
        "a gone page",
    ] {
        assert!(
            text.contains(words),
            "the text of the broken link `{words}` is still shown"
        );
    }
    let marked = tags(&html).into_iter().filter(|t| {
        t.attr("class").is_some_and(|c| c.contains("broken"))
            || t.attr("title")
                .is_some_and(|c| c.to_lowercase().contains("broken") || c.to_lowercase().contains("missing"))
            || matches!(t.name.as_str(), "del" | "s")
    });
    assert!(
        marked.count() >= 4,
        "each broken link is marked (class, title or strike-through)"
    );
}

#[test]
fn working_links_point_at_generated_pages_and_fragments() {
    let (fx, _) = build();
    let html = fx.site().page("projects/sandpiper/README.html");
    let hrefs: Vec<String> = tags(&html)
        .into_iter()
        .filter(|t| t.name == "a")
        .filter_map(|t| t.attr("href").map(str::to_owned))
        .collect();
    for want in [
        "self-assessment.html",
        "self-assessment.html#goals-and-non-goals",
        "self-assessment.html#actors",
        "#scope",
    ] {
        assert!(
            hrefs.iter().any(|h| h == want),
            "an <a href=\"{want}\">; found {hrefs:?}"
        );
    }
    assert!(
        hrefs.iter().any(|h| h == "https://sandpiper.example.org/"),
        "external links left as written"
    );
    assert!(
        hrefs.iter().any(|h| h == "mailto:security@example.org"),
        "mailto links left as written"
    );
}

#[test]
fn image_with_spaces_in_its_name_resolves_and_is_copied() {
    let (fx, _) = build();
    let site = fx.site();
    site.assert_exists("projects/sandpiper/images/data flow.png");
    let html = site.page("projects/sandpiper/README.html");
    let img = tags(&html)
        .into_iter()
        .find(|t| t.name == "img" && t.attr("alt") == Some("Data flow"));
    let src = img
        .and_then(|t| t.attr("src").map(str::to_owned))
        .expect("the data flow image");
    assert!(
        src == "images/data%20flow.png" || src == "images/data flow.png",
        "{src}"
    );
}
