//! The sample site in this repository (`book.toml` + `content/`), built the way the README
//! says: `tssa build` with no arguments in the repository root.

use std::ffi::OsStr;

use crate::common::{Fixture, PROJECTS, Site, repo_dir, tssa};

fn sample() -> (Fixture, Site) {
    let repo = repo_dir();
    let fx = Fixture::copy_of(&[
        (&repo.join("book.toml"), "book.toml"),
        (&repo.join("content"), "content"),
    ]);
    let run = tssa(&fx.root, &[] as &[&OsStr; 0]);
    // `tssa` alone prints usage; the README's command is `tssa build`.
    assert_ne!(run.code, Some(0), "tssa with no subcommand is not a build");
    let run = tssa(&fx.root, &["build"]);
    run.assert_code(0);
    run.assert_no_diag(|d| d.code.starts_with("link/"), "the sample's links all resolve");
    let site = Site::at(&fx.root.join("public"));
    (fx, site)
}

#[test]
fn sample_site_builds_with_no_arguments() {
    let (_fx, site) = sample();
    site.assert_exists("index.html");
    site.assert_exists("404.html");
    // The sample's book.toml names no absolute base URL, so there is no sitemap.
    assert!(
        !site.exists("sitemap.xml"),
        "no sitemap without an absolute base URL"
    );
}

#[test]
fn sample_site_lists_every_project_folder() {
    let (fx, site) = sample();
    let units = site.home_units();
    assert!(units.len() >= 5, "at least five sample projects: {units:?}");
    let projects = fx.root.join("content").join(PROJECTS);
    for entry in std::fs::read_dir(&projects).expect("list sample projects") {
        let entry = entry.expect("entry");
        if !entry.file_type().expect("type").is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_lowercase();
        assert!(
            units
                .iter()
                .any(|u| *u == name || u.starts_with(&format!("{name}/"))),
            "sample project `{name}` is on the home page: {units:?}"
        );
    }
    for unit in &units {
        site.assert_exists(&format!("projects/{unit}/index.html"));
    }
}

#[test]
fn sample_site_has_no_broken_links_or_active_content() {
    let (_fx, site) = sample();
    site.assert_links_resolve("/");
    site.assert_no_active_content();
}
