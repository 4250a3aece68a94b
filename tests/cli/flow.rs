//! Streaming output: pages go into the staging folder as they are rendered, so a build never
//! holds the whole site, yet the result is the same complete site, and a page that fails after
//! many others were written still leaves the previous site as it was.

use std::fs;

use crate::common::{Fixture, Site, assert_same_files};

/// Units added beside the fixture's own, each with a document large enough that the pages
/// together are many times any one of them.
const UNITS: usize = 60;

fn add_units(fx: &Fixture) {
    // About 60 KiB of text per document: 60 units make some 4 MiB of pages.
    let filler = "Padding words that make the page large. ".repeat(1500);
    for n in 0..UNITS {
        fx.write(
            &format!("community/assessments/projects/p{n:02}/self-assessment.md"),
            format!("# P{n:02} self-assessment\n\nUNIQUE-TEXT-{n:02}\n\n{filler}\n"),
        );
    }
}

#[test]
fn a_site_larger_than_any_page_is_written_whole_and_stays_deterministic() {
    let fx = Fixture::new("theme-override");
    add_units(&fx);
    fx.build().assert_code(0);
    let site = fx.site();
    for n in 0..UNITS {
        let page = site.page(&format!("projects/p{n:02}/self-assessment.html"));
        assert!(
            page.contains(&format!("UNIQUE-TEXT-{n:02}")),
            "page of p{n:02} lacks its text"
        );
        assert!(
            page.trim_end().ends_with("</html>"),
            "page of p{n:02} is cut short"
        );
        site.assert_exists(&format!("projects/p{n:02}/index.html"));
    }
    // Written in whatever order the threads finish, the files are still the same bytes.
    let second = fx.tmp().join("out2");
    fx.build_into(&second, &[]).assert_code(0);
    assert_same_files(&site.files(), &Site::at(&second).files(), "two streamed builds");
}

#[test]
fn a_page_failing_after_others_were_written_keeps_the_previous_site() {
    let fx = Fixture::new("theme-override");
    add_units(&fx);
    fx.build().assert_code(0);
    let before = fx.site().files();
    // The default document template, failing only for the last unit's page: by then the
    // other units' pages have gone to the staging folder.
    let template =
        fs::read_to_string(crate::common::repo_dir().join("themes/default/templates/document.html"))
            .expect("read the default document template");
    let failing = template.replacen(
        "{% block main %}",
        "{% block main %}{% if source is ending_with(\"p59/self-assessment.md\") %}{{ no_such_value.field }}{% endif %}",
        1,
    );
    assert_ne!(failing, template, "the template has a main block");
    fx.write("themes/x/templates/document.html", failing);
    fx.write(
        "community/assessments/projects/p00/self-assessment.md",
        "# P00 self-assessment\n\nCHANGED-TEXT-THAT-MUST-NOT-APPEAR\n",
    );
    let run = fx.build();
    run.assert_code(2);
    assert!(
        run.stderr.contains("document.html"),
        "the error names the template: {}",
        run.stderr
    );
    assert_same_files(
        &before,
        &fx.site().files(),
        "the previous site after a late failure",
    );
    let leftovers: Vec<String> = fs::read_dir(fx.tmp())
        .expect("list the temp folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tssa-"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left: {leftovers:?}");
}

#[test]
fn assets_are_copied_not_linked_to_the_repository() {
    let fx = Fixture::new("good");
    fx.build().assert_code(0);
    let source = fx.project("alderwick/alderwick-slides.pdf");
    let published = fx.out.join("projects/alderwick/alderwick-slides.pdf");
    assert_eq!(fs::read(&source).ok(), fs::read(&published).ok());
    // An edit of the published copy (a deploy step, a careless tool) must not reach the
    // repository: the output holds copies, never links to the sources.
    fs::write(&published, b"changed in the output").expect("edit the published copy");
    assert_ne!(
        fs::read(&source).ok().as_deref(),
        Some(&b"changed in the output"[..]),
        "editing the output changed the repository"
    );
    // A rebuild reuses the previous build's unchanged copy (linked from it) and the result
    // is still the source's bytes once the source is newer.
    fx.write(
        "community/assessments/projects/alderwick/alderwick-slides.pdf",
        b"%PDF-1.4 new slides",
    );
    fx.build().assert_built();
    assert_eq!(
        fs::read(&published).ok().as_deref(),
        Some(&b"%PDF-1.4 new slides"[..])
    );
}
