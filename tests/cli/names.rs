//! Folder and file names as the real repository has them: spaces, non-ASCII letters, a
//! case-only collision (`Harbor`/`harbor`) and a misspelled document name.

use std::fs;

use crate::common::{Fixture, PROJECTS, Run, text_of};

fn names() -> (Fixture, Run) {
    let fx = Fixture::new("names");
    fs::create_dir_all(fx.project("Harbor")).expect("mkdir Harbor");
    fs::write(
        fx.project("Harbor/self-assessment.md"),
        "# Harbor (capitalised folder) self-assessment\n\nThe other half of a case-only collision.\n",
    )
    .expect("write Harbor");
    let run = fx.build();
    run.assert_code(0);
    (fx, run)
}

#[test]
fn slugs_are_lowercase_url_safe_and_have_status_pages() {
    let (fx, _) = names();
    let site = fx.site();
    let units = site.home_units();
    assert_eq!(units.len(), 5, "every folder is a unit: {units:?}");
    for slug in &units {
        assert_eq!(*slug, slug.to_lowercase(), "slug `{slug}` is lowercase");
        assert!(
            !slug
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '%' | '?' | '#' | '"' | '\'' | '<' | '>' | '\\')),
            "slug `{slug}` is URL-safe"
        );
        site.assert_exists(&format!("projects/{slug}/index.html"));
    }
    assert!(
        units.iter().any(|s| s.contains("night-owl")),
        "`Night Owl` → `night-owl`: {units:?}"
    );
}

#[test]
fn folder_with_spaces_keeps_its_name_for_display() {
    let (fx, _) = names();
    let units = fx.site().home_units();
    let slug = units
        .iter()
        .find(|s| s.contains("night-owl"))
        .expect("night owl unit");
    assert!(
        text_of(&fx.site().home_row(slug)).contains("Night Owl"),
        "the folder name as written is shown"
    );
    fx.site()
        .assert_exists(&format!("projects/{slug}/self-assessment.html"));
}

#[test]
fn folder_with_non_ascii_letters_builds_and_links_work() {
    let (fx, _) = names();
    let site = fx.site();
    let units = site.home_units();
    let slug = units
        .iter()
        .find(|s| !["harbor", "osprey"].iter().any(|o| s.starts_with(o)) && !s.contains("night-owl"))
        .expect("the Ærøskøbing unit");
    let text = text_of(&site.page(&format!("projects/{slug}/README.html")));
    assert!(
        text.contains("Ærøskøbing Relay security assessment summary"),
        "{text}"
    );
    site.assert_exists(&format!("projects/{slug}/self-assessment.html"));
    site.assert_links_resolve("/");
}

#[test]
fn case_collision_keeps_both_folders_and_is_reported() {
    let (fx, run) = names();
    let site = fx.site();
    let harbors: Vec<String> = site
        .home_units()
        .into_iter()
        .filter(|s| s.starts_with("harbor"))
        .collect();
    assert_eq!(harbors.len(), 2, "both Harbor and harbor are listed: {harbors:?}");
    assert_ne!(harbors[0], harbors[1]);
    let mut titles: Vec<String> = harbors
        .iter()
        .map(|slug| text_of(&site.page(&format!("projects/{slug}/self-assessment.html"))))
        .collect();
    titles.sort();
    assert!(titles[0].contains("Harbor (capitalised folder)"), "{titles:?}");
    assert!(titles[1].contains("harbor (lowercase folder)"), "{titles:?}");
    let d = run.expect_diag_where("discover/slug-collision naming a harbor folder", |d| {
        d.code == "discover/slug-collision"
            && d.file
                .as_deref()
                .is_some_and(|f| f == format!("{PROJECTS}/Harbor") || f == format!("{PROJECTS}/harbor"))
    });
    assert_eq!(d.level, "warning");
}

#[test]
fn near_miss_document_name_is_reported_and_still_shown() {
    let (fx, run) = names();
    run.expect_diag(
        "discover/near-miss-name",
        &format!("{PROJECTS}/osprey/self-assesment.md"),
        None,
    );
    let site = fx.site();
    let page = site.page("projects/osprey/self-assesment.html");
    assert!(text_of(&page).contains("Osprey self-assessment"));
    let status = site.page("projects/osprey/index.html");
    assert!(
        status.contains("self-assesment.html"),
        "the status page lists the misspelled document"
    );
    let row = text_of(&site.home_row("osprey"));
    assert!(
        row.contains("self"),
        "the misspelled file counts as the self-assessment: {row}"
    );
}

#[cfg(unix)]
#[test]
fn file_name_that_is_not_utf8_is_skipped_with_a_warning() {
    use std::os::unix::ffi::OsStrExt;
    let fx = Fixture::new("names");
    let name = std::ffi::OsStr::from_bytes(b"notes-\xff\xfe.md");
    fs::write(fx.project("osprey").join(name), "# Notes with an odd name\n").expect("write");
    let run = fx.build();
    run.assert_code(0);
    run.expect_diag_where("discover/non-utf8-name in osprey", |d| {
        d.code == "discover/non-utf8-name" && d.file.as_deref().is_some_and(|f| f.contains("osprey/notes-"))
    });
    fx.site().assert_exists("projects/osprey/self-assesment.html");
}
