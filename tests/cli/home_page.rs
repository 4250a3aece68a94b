//! The home page (filters, headline cards, collapsing columns), the sitemap, the process
//! navigation and the charts' scaling (issue 11, part "home").

use crate::common::{Fixture, PROJECTS, Site, json_report, tags, text_of};

/// The `good` fixture, built.
fn good() -> (Fixture, Site) {
    let fx = Fixture::new("good");
    fx.build().assert_code(0);
    let site = fx.site();
    (fx, site)
}

/// The opening tags named `name` in `html`.
fn opening(html: &str, name: &str) -> Vec<crate::common::Tag> {
    tags(html)
        .into_iter()
        .filter(|t| t.name == name && !t.closing)
        .collect()
}

#[test]
fn rows_carry_filter_data_and_the_filter_form_waits_for_javascript() {
    let (fx, site) = good();
    let html = site.page("index.html");
    let json = json_report(&fx.check(&["--format", "json"]));
    let form = opening(&html, "form");
    let form = form
        .iter()
        .find(|t| t.attr("id") == Some("filters"))
        .expect("a form#filters");
    assert!(
        form.attr("hidden").is_some(),
        "without JavaScript the form is hidden"
    );
    let controls: Vec<String> = opening(&html, "select")
        .iter()
        .chain(opening(&html, "input").iter())
        .filter_map(|t| t.attr("name").map(str::to_owned))
        .collect();
    for name in ["path", "status", "ruleset", "year", "gaps"] {
        assert!(controls.iter().any(|c| c == name), "control {name}: {controls:?}");
    }
    assert!(html.contains("id=\"filter-count\""), "a #filter-count");
    let rows: Vec<_> = opening(&html, "tr")
        .into_iter()
        .filter(|t| t.attr("data-path").is_some())
        .collect();
    let units = json["units"].as_array().expect("units");
    assert_eq!(rows.len(), units.len(), "one row per unit, each with data");
    for (row, unit) in rows.iter().zip(units) {
        assert_eq!(row.attr("data-path"), unit["path"].as_str(), "{unit}");
        assert_eq!(row.attr("data-ruleset"), unit["ruleset"].as_str());
        let missing = unit["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["state"] == "missing");
        assert_eq!(row.attr("data-gaps"), Some(if missing { "1" } else { "0" }));
        for attr in ["data-status", "data-year"] {
            assert!(row.attr(attr).is_some(), "{attr} on every row");
        }
    }
    let alderwick = rows
        .iter()
        .find(|r| r.attr("data-year") == Some("2025"))
        .expect("the year of a completion date (alderwick: 2025-06-14)");
    assert_eq!(alderwick.attr("data-status"), Some("complete"));
    site.assert_exists("static/home.js");
    let script = site.page("static/home.js");
    assert!(script.contains("replaceState") && script.contains("URLSearchParams"));
    assert!(html.contains("static/home.js\" defer"), "loaded with defer");
}

#[test]
fn headline_cards_count_gaps_apart_from_steps_no_file_can_show() {
    let (fx, site) = good();
    let json = json_report(&fx.check(&["--format", "json"]));
    let states = |unit: &serde_json::Value, state: &str| {
        unit["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["state"] == state)
            .count()
    };
    let units = json["units"].as_array().expect("units");
    let with_gaps = units.iter().filter(|u| states(u, "missing") > 0).count();
    let not_evidenced = units.iter().filter(|u| states(u, "not-evidenced") > 0).count();
    let missing_items: usize = units.iter().map(|u| states(u, "missing")).sum();
    assert!(with_gaps > 0 && not_evidenced > 0, "the fixture has both");
    let html = site.page("index.html");
    let start = html.find("<section class=\"summary").expect("the summary");
    let cards = text_of(&html[start..start + html[start..].find("</section>").expect("end")]);
    assert!(
        cards.contains(&format!("{} with nothing missing", units.len() - with_gaps)),
        "{cards}"
    );
    assert!(cards.contains(&format!("{with_gaps} with gaps")), "{cards}");
    assert!(
        cards.contains(&format!("{missing_items} missing items")),
        "{cards}"
    );
    assert!(
        cards.contains(&format!("{not_evidenced} with steps not evidenced")),
        "{cards}"
    );
    assert!(cards.contains("0 fully evidenced"), "{cards}");
    assert!(
        !html.contains("complete for their path"),
        "no single count that calls every package incomplete"
    );
    // The bar draws each state, with the counts in words for screen readers.
    assert!(html.contains("class=\"bar-missing\""), "a missing segment");
    assert!(html.contains("not evidenced, of "), "the bar's label in words");
    assert!(!html.contains(" style="), "no inline style (CSP)");
}

/// A tree of `n` self-assessment-only units, the first `with_version` of which state the
/// version covered.
fn units_with_versions(n: usize, with_version: usize) -> Fixture {
    let fx = Fixture::new("good");
    std::fs::remove_dir_all(fx.path(PROJECTS)).expect("clear the projects");
    for i in 0..n {
        let front = if i < with_version {
            format!("---\nversion_covered: v{i}.0.1\n---\n\n")
        } else {
            String::new()
        };
        fx.write(
            &format!("{PROJECTS}/unit{i}/self-assessment.md"),
            format!("{front}# Unit {i} self-assessment\n\nText.\n"),
        );
    }
    fx
}

#[test]
fn a_column_empty_in_most_rows_collapses_under_the_name() {
    let fx = units_with_versions(6, 1);
    fx.build().assert_code(0);
    let site = fx.site();
    let head = site.page("index.html");
    let head = &head[..head.find("</thead>").expect("a table head")];
    assert!(!head.contains("Version covered"), "one in six: no column");
    assert!(!head.contains("CNCF maturity"), "none: no column");
    let row = site.home_row("unit0");
    assert!(
        row.contains("row-details") && text_of(&row).contains("covers v0.0.1"),
        "{row}"
    );
    assert!(!text_of(&site.home_row("unit1")).contains("not stated"));

    let fx = units_with_versions(5, 2);
    fx.build().assert_code(0);
    let html = fx.site().page("index.html");
    assert!(
        html.contains(">Version covered</th>"),
        "two in five keep the column"
    );
}

#[test]
fn sitemap_has_absolute_locations_or_is_not_written() {
    let fx = Fixture::new("good");
    fx.build().assert_code(0);
    let site = fx.site();
    assert!(
        !site.exists("sitemap.xml"),
        "relative <loc>s are invalid: no sitemap without a base URL"
    );
    assert!(!site.exists("robots.txt") || !site.page("robots.txt").contains("Sitemap"));
    fx.build_with(&["--base-url", "/docs/"]).assert_code(0);
    assert!(!fx.site().exists("sitemap.xml"), "a path is not an absolute URL");
    fx.build_with(&["--base-url", "https://example.org/tssa"])
        .assert_code(0);
    let locs = fx.site().sitemap_locs();
    assert!(!locs.is_empty());
    for loc in &locs {
        assert!(loc.starts_with("https://example.org/tssa/"), "{loc}");
    }
}

/// The `good` fixture with a guide whose README names its documents out of file-name order,
/// and templates whose headings are placeholders.
fn process_tree() -> Fixture {
    let fx = Fixture::new("good");
    let guide = "community/assessments/guide";
    fx.write(
        &format!("{guide}/README.md"),
        "# The assessment guide\n\nFirst the [self-assessment](self-assessment.md).\n\n\
         ## Joint assessment\n\nThen the joint review.\n\n\
         Last, the [survey](./zz-survey.md#questions).\n",
    );
    fx.write(
        &format!("{guide}/self-assessment.md"),
        "# Self-assessment\n\nText.\n",
    );
    fx.write(
        &format!("{guide}/joint-assessment.md"),
        "# [Project Name] joint assessment\n\nText.\n",
    );
    fx.write(
        &format!("{guide}/zz-survey.md"),
        "# [Project Name]\n\n## Questions\n",
    );
    fx.write(&format!("{guide}/aardvark-notes.md"), "# Notes\n\nText.\n");
    fx
}

#[test]
fn process_nav_follows_the_readme_with_placeholder_free_titles() {
    let fx = process_tree();
    fx.build().assert_code(0);
    let page = fx.site().page("process/glance.html");
    let start = page.find("aria-label=\"Process\"").expect("the process nav");
    let nav = &page[start..start + page[start..].find("</nav>").expect("end")];
    let titles: Vec<String> = nav
        .split("<li>")
        .skip(1)
        .map(|li| text_of(li).trim().to_owned())
        .collect();
    let at = |title: &str| {
        titles
            .iter()
            .position(|t| t == title)
            .unwrap_or_else(|| panic!("no `{title}` in {titles:?}"))
    };
    assert!(!nav.contains("[Project Name]"), "{titles:?}");
    let readme = at("The assessment guide");
    let order = [
        readme,
        at("Self-assessment"),
        at("joint assessment (template)"),
        at("Zz survey"),
        at("Notes"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "README order: {titles:?}");
    let joint = fx.site().page("process/guide/joint-assessment.html");
    assert!(
        joint.contains("<title>joint assessment (template)"),
        "the page title too"
    );
}

#[test]
fn charts_scale_to_their_box_with_a_phone_layout() {
    let (_fx, site) = good();
    for page in ["coverage/index.html", "process/glance.html"] {
        let html = site.page(page);
        let svgs = opening(&html, "svg");
        let charts: Vec<_> = svgs
            .iter()
            .filter(|t| t.attr("class").is_some_and(|c| c.contains("chart")))
            .collect();
        assert!(!charts.is_empty(), "{page} has charts");
        for svg in &charts {
            assert!(svg.attr("viewbox").is_some(), "{page}: a viewBox");
            assert!(
                svg.attr("width").is_none() && svg.attr("height").is_none(),
                "{page}: no fixed size"
            );
        }
        assert!(
            charts
                .iter()
                .any(|t| t.attr("class").unwrap_or_default().contains("chart-narrow")),
            "{page}: a narrow layout for phones"
        );
    }
    let css = site.page("static/style.css");
    assert!(css.contains("svg.chart { width: 100%; }"));
}
