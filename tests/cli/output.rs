//! The output folder: deterministic, replaced atomically, untouched by a failed build, and
//! correct when the site is served from a sub-path.

use std::fs;

use crate::common::{Fixture, PROJECTS, Site, assert_same_files, percent_decode, tags};

/// Folders tssa may leave beside the output if it does not clean up (`.out.tssa-staging-…`).
fn leftovers(fx: &Fixture) -> Vec<String> {
    fs::read_dir(fx.tmp())
        .expect("list the temp folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "site" && n != "out" && n != "out2" && n != "outside")
        .collect()
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let fx = Fixture::new("good");
    fx.build().assert_code(0);
    let second = fx.tmp().join("out2");
    fx.build_into(&second, &[]).assert_code(0);
    assert_same_files(&fx.site().files(), &Site::at(&second).files(), "two fresh builds");
}

#[test]
fn rebuilding_into_the_same_folder_gives_the_same_bytes_as_a_fresh_build() {
    let fx = Fixture::new("good");
    fx.build().assert_code(0);
    let first = fx.site().files();
    let run = fx.build();
    run.assert_code(0);
    assert_same_files(&first, &fx.site().files(), "a rebuild over the previous output");
    assert!(
        leftovers(&fx).is_empty(),
        "no staging folders left: {:?}",
        leftovers(&fx)
    );
}

#[test]
fn output_is_replaced_without_stale_files() {
    let fx = Fixture::new("good");
    fx.build().assert_code(0);
    fx.site().assert_exists("projects/brindle/self-assessment.html");
    fs::write(fx.out.join("stale.html"), "<p>from an older build</p>").expect("write stale file");
    fs::remove_dir_all(fx.project("brindle")).expect("remove brindle");
    fs::remove_file(fx.project("alderwick/alderwick-slides.pdf")).expect("remove the slides");
    fx.build().assert_built();
    let site = fx.site();
    assert!(
        !site.exists("stale.html"),
        "files the build did not write are gone"
    );
    assert!(
        !site.exists("projects/brindle/self-assessment.html"),
        "pages of removed documents are gone"
    );
    assert!(
        !site.exists("projects/brindle/index.html"),
        "status pages of removed units are gone"
    );
    assert!(
        !site.exists("projects/alderwick/alderwick-slides.pdf"),
        "removed assets are gone"
    );
    assert!(!site.home_units().contains(&"brindle".to_owned()));
    assert!(
        leftovers(&fx).is_empty(),
        "no staging folders left: {:?}",
        leftovers(&fx)
    );
}

#[test]
fn failed_build_leaves_the_previous_site_intact() {
    let fx = Fixture::new("theme-override");
    fx.build().assert_code(0);
    let before = fx.site().files();
    fs::write(
        fx.path("themes/x/templates/404.html"),
        "{% extends \"base.html\" %}{% block main %}{% if %}{% endblock main %}",
    )
    .expect("break the template");
    fs::write(
        fx.project("wigeon/README.md"),
        "# A new page that must not appear\n",
    )
    .expect("add a page");
    let run = fx.build();
    run.assert_code(2);
    assert!(
        run.stderr.contains("404.html"),
        "the error names the broken template: {}",
        run.stderr
    );
    assert_same_files(
        &before,
        &fx.site().files(),
        "the previous site after a failed build",
    );
    assert!(
        leftovers(&fx).is_empty(),
        "no staging folders left: {:?}",
        leftovers(&fx)
    );
}

#[test]
fn failed_render_leaves_the_previous_site_intact() {
    let fx = Fixture::new("theme-override");
    fx.build().assert_code(0);
    let before = fx.site().files();
    fs::write(
        fx.path("themes/x/templates/404.html"),
        "{% extends \"base.html\" %}{% block main %}{{ no_such_value.field }}{% endblock main %}",
    )
    .expect("break the template");
    let run = fx.build();
    run.assert_code(2);
    assert_same_files(
        &before,
        &fx.site().files(),
        "the previous site after a failed render",
    );
    assert!(
        leftovers(&fx).is_empty(),
        "no staging folders left: {:?}",
        leftovers(&fx)
    );
}

const BASE: &str = "https://example.org/sub/";

#[test]
fn sub_path_base_url_puts_sitemap_under_it() {
    let fx = Fixture::new("good");
    fx.build_with(&["--base-url", BASE]).assert_code(0);
    let site = fx.site();
    let locs = site.sitemap_locs();
    assert!(!locs.is_empty());
    for loc in &locs {
        let rel = loc
            .strip_prefix(BASE)
            .unwrap_or_else(|| panic!("sitemap loc `{loc}` is not under {BASE}"));
        let rel = percent_decode(rel);
        let file = if rel.is_empty() || rel.ends_with('/') {
            format!("{rel}index.html")
        } else {
            rel
        };
        site.assert_exists(&file);
    }
    assert!(locs.iter().any(|l| l == BASE), "the home page is in the sitemap");
}

#[test]
fn sub_path_base_url_keeps_page_links_relative() {
    let fx = Fixture::new("good");
    fx.build_with(&["--base-url", BASE]).assert_code(0);
    let site = fx.site();
    // The checker rejects root-absolute links on every page but 404.html, which is served for
    // any missing path and so must use the base path.
    site.assert_links_resolve("/sub/");
    for page in site.html_pages() {
        let html = site.page(&page);
        for tag in tags(&html) {
            if tag.name == "link" && tag.attr("rel") == Some("canonical") {
                continue;
            }
            for attr in ["href", "src"] {
                if let Some(url) = tag.attr(attr) {
                    assert!(
                        !url.starts_with(BASE),
                        "{page}: <{} {attr}=\"{url}\"> should be relative",
                        tag.name
                    );
                    if page == "404.html" && url.starts_with('/') {
                        assert!(
                            url.starts_with("/sub/"),
                            "404.html links through the base path: {url}"
                        );
                    }
                }
            }
        }
    }
    let not_found = site.page("404.html");
    assert!(
        not_found.contains("href=\"/sub/"),
        "404.html links to the site through /sub/"
    );
}

#[test]
fn default_build_writes_public_under_the_root() {
    let fx = Fixture::new("good");
    let run = crate::common::tssa(
        fx.tmp(),
        &[
            std::ffi::OsStr::new("build"),
            std::ffi::OsStr::new("--root"),
            fx.root.as_os_str(),
        ],
    );
    run.assert_code(0);
    Site::at(&fx.path("public")).assert_exists("index.html");
    let units = Site::at(&fx.path("public")).home_units();
    assert!(
        !units.iter().any(|u| u.contains("public")),
        "the output folder is never read as input"
    );
    // Building again reads the root with public/ inside it and gives the same site.
    let before = Site::at(&fx.path("public")).files();
    crate::common::tssa(
        fx.tmp(),
        &[
            std::ffi::OsStr::new("build"),
            std::ffi::OsStr::new("--root"),
            fx.root.as_os_str(),
        ],
    )
    .assert_code(0);
    assert_same_files(
        &before,
        &Site::at(&fx.path("public")).files(),
        "a second build with public/ in the root",
    );
}

// ---------------------------------------------------------------------------------------------
// Two sources that map to the same output path must not silently replace each other.

#[test]
fn document_named_index_does_not_replace_the_status_page() {
    let fx = Fixture::new("good");
    fx.write(
        &format!("{PROJECTS}/alderwick/index.md"),
        "# Alderwick index notes\n\nALDERWICK-INDEX-DOC\n",
    );
    fx.build().assert_built();
    let site = fx.site();
    let status = site.page("projects/alderwick/index.html");
    assert!(
        status.contains("href=\"joint-assessment.html\"") && !status.contains("ALDERWICK-INDEX-DOC"),
        "projects/alderwick/index.html is still the status page"
    );
    let published = site
        .html_pages()
        .into_iter()
        .any(|p| site.page(&p).contains("ALDERWICK-INDEX-DOC"));
    assert!(published, "the document index.md still has a page of its own");
}

#[test]
fn html_file_in_a_project_folder_does_not_replace_a_rendered_page() {
    let fx = Fixture::new("good");
    fx.write(
        &format!("{PROJECTS}/alderwick/self-assessment.html"),
        "<p>ALDERWICK-STALE-EXPORT</p>",
    );
    fx.build().assert_built();
    let html = fx.site().page("projects/alderwick/self-assessment.html");
    assert!(
        html.contains("<title>Alderwick self-assessment") && !html.contains("ALDERWICK-STALE-EXPORT"),
        "the rendered self-assessment.md keeps its page"
    );
}
