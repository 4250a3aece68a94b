//! The site and `tssa check` must tell a reader the same thing: every status page, badge,
//! home-page row and `api/projects.json` entry carries the checker's verdict for that package.

use crate::common::{Fixture, Site, repo_dir, tssa};

fn sample() -> Fixture {
    let repo = repo_dir();
    Fixture::copy_of(&[
        (&repo.join("book.toml"), "book.toml"),
        (&repo.join("content"), "content"),
    ])
}

fn units(json: &serde_json::Value) -> Vec<(String, u64, u64)> {
    json["units"]
        .as_array()
        .expect("a units array")
        .iter()
        .map(|u| {
            let slug = u["slug"].as_str().expect("a slug").to_owned();
            (
                slug,
                u["passed"].as_u64().expect("passed"),
                u["required"].as_u64().expect("required"),
            )
        })
        .collect()
}

#[test]
fn status_pages_badges_home_and_api_show_the_verdicts_of_check() {
    let fx = sample();
    let check = tssa(&fx.root, &["check", "--format", "json"]);
    check.assert_code(1); // the sample keeps unfinished packages on purpose
    let verdicts: serde_json::Value =
        serde_json::from_str(&check.stdout).expect("check --format json is JSON");
    let expected = units(&verdicts);
    assert!(
        expected.len() >= 6,
        "the sample has at least six units: {expected:?}"
    );
    assert!(
        expected
            .iter()
            .any(|(_, passed, required)| passed == required && *required > 4),
        "the sample has a complete joint package: {expected:?}"
    );

    tssa(&fx.root, &["build"]).assert_code(0);
    let site = Site::at(&fx.root.join("public"));
    let api: serde_json::Value = serde_json::from_str(&site.page("api/projects.json")).expect("api is JSON");
    assert_eq!(units(&api), expected, "api/projects.json and check disagree");

    for (slug, passed, required) in &expected {
        let status = site.page(&format!("projects/{slug}/index.html"));
        assert!(
            status.contains(&format!("{passed} of {required} passed")),
            "status page of {slug} does not say {passed} of {required} passed"
        );
        let badge = site.page(&format!("projects/{slug}/badge.svg"));
        assert!(
            badge.contains(&format!("{passed} of {required} required items passed")),
            "badge of {slug} does not carry {passed} of {required}: {badge}"
        );
        let row = site.home_row(slug);
        assert!(
            row.contains(&format!("{passed}/{required}")),
            "home row of {slug} lacks {passed}/{required}: {row}"
        );
    }

    // Each item state on the status page matches the checker's.
    let lanternmesh = &verdicts["units"].as_array().expect("units")[1];
    assert_eq!(lanternmesh["slug"], "lanternmesh");
    let page = site.page("projects/lanternmesh/index.html");
    for item in lanternmesh["items"].as_array().expect("items") {
        let state = item["state"].as_str().expect("state");
        if state != "not-applicable" {
            let id = item["id"].as_str().expect("id");
            assert!(
                page.contains(&format!("state-{state}\"><span class=\"state\">"))
                    && page.contains(&format!("<strong>{id}</strong>")),
                "status page of lanternmesh does not show {id} as {state}"
            );
        }
    }
}
