//! `[coverage] renewal_months` governs check's B12 as well as the coverage page: a package
//! completed three years ago is due under the default yearly review and not under a
//! ten-year one.

use crate::common::{Fixture, Run, tssa_with_env};

/// 2025-12-01T00:00:00Z, so "three years ago" does not depend on the clock.
const TODAY: &str = "1764547200";

/// One joint package completed on 2022-12-01, in an otherwise empty repository.
fn three_years_old() -> Fixture {
    let fx = Fixture::copy_of(&[]);
    fx.write(
        "community/assessments/projects/quillfeather/README.md",
        "---\nproject: Quillfeather\npath: joint\nstatus: complete\ncompleted: 2022-12-01\n---\n\n\
         # Quillfeather security assessment summary\n\nCompleted: 1 Dec 2022\n\n\
         Quillfeather signs build logs so that later readers can trust them.\n",
    );
    fx
}

fn check(fx: &Fixture, format: &str) -> Run {
    tssa_with_env(
        &fx.root,
        &["check", "--format", format],
        &[("SOURCE_DATE_EPOCH", TODAY)],
    )
}

/// B12's state and note, and whether the renewal finding was reported.
fn renewal(fx: &Fixture) -> (String, String, bool) {
    let run = check(fx, "json");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("check --format json is JSON");
    let unit = &json["units"][0];
    let b12 = unit["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == "B12")
        .expect("a B12 item");
    let reported = unit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["code"] == "joint/renewal-due");
    (
        b12["state"].as_str().expect("state").to_owned(),
        b12["note"].as_str().unwrap_or_default().to_owned(),
        reported,
    )
}

#[test]
fn yearly_review_by_default_reports_b12_missing() {
    let fx = three_years_old();
    assert_eq!(
        renewal(&fx),
        (
            "missing".to_owned(),
            "renewal due since 2023-12-01".to_owned(),
            true
        )
    );
    let text = check(&fx, "human");
    text.assert_code(1); // the summary is unfinished; a usage error would be 2
    assert!(
        format!("{}{}", text.stdout, text.stderr).contains("joint/renewal-due"),
        "{}",
        text.stderr
    );
}

#[test]
fn configured_renewal_months_are_honoured_by_check() {
    let fx = three_years_old();
    fx.write("book.toml", "[coverage]\nrenewal_months = 120\n");
    assert_eq!(
        renewal(&fx),
        (
            "passed".to_owned(),
            "next review due 2032-12-01".to_owned(),
            false
        )
    );
    let text = check(&fx, "human");
    text.assert_code(1); // the summary is unfinished; a usage error would be 2
    assert!(
        !format!("{}{}", text.stdout, text.stderr).contains("joint/renewal-due"),
        "{}",
        text.stderr
    );
}

/// The coverage page's renewal cell for the package, as built with the same clock.
fn coverage_cell(fx: &Fixture) -> String {
    let out = fx.tmp().join("coverage-out");
    let out_arg = out.display().to_string();
    tssa_with_env(
        &fx.root,
        &["build", "--quiet", "--out", &out_arg],
        &[("SOURCE_DATE_EPOCH", TODAY)],
    )
    .assert_code(0);
    let page = std::fs::read_to_string(out.join("coverage/index.html")).expect("the coverage page");
    page.split("<tr")
        .skip(1)
        .find(|r| r.contains("Quillfeather"))
        .unwrap_or_else(|| panic!("no coverage row for the package:\n{page}"))
        .to_owned()
}

#[test]
fn the_coverage_page_and_b12_agree_under_either_period() {
    let fx = three_years_old();
    let yearly = coverage_cell(&fx);
    assert!(yearly.contains("due since 2023-12-01"), "{yearly}");
    fx.write("book.toml", "[coverage]\nrenewal_months = 120\n");
    let ten_years = coverage_cell(&fx);
    assert!(ten_years.contains("by 2032-12-01"), "{ten_years}");
    assert!(!ten_years.contains("due since"), "{ten_years}");
    assert_eq!(renewal(&fx).1, "next review due 2032-12-01");
}
