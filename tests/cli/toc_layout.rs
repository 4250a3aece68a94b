//! The cncf/toc layout with no configuration: `projects/<project>/security-assessment/` (and
//! its variants: a space, a misspelling, a group's sub-projects one level deeper, a
//! `sub-projects/<sub>/security-assessment/`, documents directly in the project folder)
//! gives one unit per package, named after its project, never after the generic folder.

use crate::common::*;

const UNITS: [&str; 8] = [
    "burrow/burrow-core",
    "burrow/burrow-gate",
    "kelpie",
    "marmot",
    "quokka",
    "tamarin",
    "tamarin/tamarin-lens",
    "wombat",
];

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[test]
fn every_package_is_one_unit_named_after_its_project() {
    let fixture = Fixture::new("toc-layout");
    fixture.build().assert_built();
    let site = fixture.site();
    assert_eq!(sorted(site.home_units()), UNITS.map(String::from).to_vec());
    let home = text_of(&site.page("index.html")).to_lowercase();
    assert!(
        !home.contains("security-assess"),
        "a generic folder names a unit:\n{home}"
    );
    for generic in ["security assessment (", "security-assesment"] {
        assert!(!home.contains(generic), "a generic folder names a unit:\n{home}");
    }
    for unit in UNITS {
        let page = site.page(&format!("projects/{unit}/index.html"));
        let title = page
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split('<').next())
            .unwrap_or("");
        let leaf = unit.rsplit('/').next().unwrap_or(unit);
        assert!(title.starts_with(leaf), "unit {unit} is titled `{title}`");
    }
    site.assert_exists("projects/kelpie/kelpie-arch.png");
    site.assert_exists("projects/kelpie/README.html");
}

#[test]
fn projects_without_an_assessment_and_groups_are_not_units() {
    let fixture = Fixture::new("toc-layout");
    let run = fixture.build();
    run.assert_built();
    let site = fixture.site();
    for folder in [
        "numbat",
        "dingo",
        "tamarin/sub-projects",
        "kelpie/security-assessment",
    ] {
        assert!(
            !site.exists(&format!("projects/{folder}/index.html")),
            "`{folder}` became a unit"
        );
    }
    // `burrow` groups two units: its page lists them and is no unit's status page.
    let burrow = site.page("projects/burrow/index.html");
    assert!(burrow.contains("class=\"group-units\"") && !burrow.contains("id=\"checklist\""));
    run.assert_no_diag(
        |d| d.code == "package/missing-self-assessment",
        "no missing self-assessment: every unit found has one",
    );
    run.assert_no_diag(
        |d| d.code == "discover/unmatched-package",
        "every package is found",
    );
    site.assert_links_resolve("/");
    site.assert_no_active_content();
}

#[test]
fn check_reads_the_layout_with_no_configuration() {
    let fixture = Fixture::new("toc-layout");
    let run = fixture.check(&[]);
    run.assert_finished();
    for unit in [
        "projects/marmot/security assessment",
        "projects/quokka/security-assesment",
    ] {
        let said = format!("{}{}", run.stdout, run.stderr);
        assert!(said.contains(unit), "nothing checked in `{unit}`:\n{said}");
    }
    run.assert_no_diag(
        |d| d.code == "package/missing-self-assessment",
        "no group is a unit",
    );
}

#[test]
fn exclusions_drop_folders_from_detection() {
    let fixture = Fixture::new("toc-layout");
    fixture.write(
        "book.toml",
        "[source]\nunits = [\"!burrow\", \"!tamarin/sub-projects\"]\n",
    );
    let run = fixture.build();
    run.assert_built();
    let units = sorted(fixture.site().home_units());
    assert_eq!(units, ["kelpie", "marmot", "quokka", "tamarin", "wombat"]);
    run.assert_no_diag(
        |d| d.code == "discover/unmatched-package",
        "excluded folders are not strays",
    );
}

#[test]
fn a_package_no_pattern_matches_is_reported() {
    let fixture = Fixture::new("toc-layout");
    fixture.write(
        "book.toml",
        "[source]\nunits = [\"*/security-assessment\", \"!tamarin/sub-projects\"]\n",
    );
    let run = fixture.build();
    run.assert_built();
    // The pattern takes the group's folder whole, as patterns always did.
    assert_eq!(
        sorted(fixture.site().home_units()),
        ["burrow", "kelpie", "tamarin"]
    );
    for stray in [
        "projects/marmot/security assessment",
        "projects/quokka/security-assesment",
        "projects/wombat",
    ] {
        let diag = run.expect_diag("discover/unmatched-package", stray, None);
        assert!(
            diag.help.as_deref().unwrap_or("").contains("[source] units"),
            "{diag:?}"
        );
    }
    let strays = run.with_code("discover/unmatched-package");
    assert!(
        strays
            .iter()
            .all(|d| d.file.as_deref()
                != Some("projects/tamarin/sub-projects/tamarin-lens/security-assessment"))
    );
}

/// A repository whose projects folder sits at its top (cncf/toc) holds no assessment process:
/// its own root documents are not published as process pages, and the site links to no
/// process section it does not have.
#[test]
fn the_repository_root_is_not_taken_for_the_process() {
    let fixture = Fixture::new("toc-layout");
    fixture.build().assert_built();
    let site = fixture.site();
    assert!(
        !site.exists("process/index.html"),
        "the root README became a process page:\n{}",
        site.listing()
    );
    assert!(
        !text_of(&site.page("index.html")).contains("Technical oversight (fixture)"),
        "the root README's text reached the site"
    );
    site.assert_links_resolve("/");
}
