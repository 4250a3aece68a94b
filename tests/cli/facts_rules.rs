//! Facts judged after reading: values that say yes, no or "none", two documents that disagree,
//! and the checklist rules that depend on the rule set (tssa-2019 summaries, one finding per
//! gap) or accept evidence kept outside the repository (B0).

use crate::common::{Fixture, json_item, json_report, json_unit, line_of, tags, text_of};

const PROJECTS: &str = "community/assessments/projects";

fn json_of(fx: &Fixture) -> serde_json::Value {
    json_report(&fx.check(&["--format", "json"]))
}

/// The `<tr>` of the facts table whose label is `label`.
fn fact_row(page: &str, label: &str) -> String {
    let start = page
        .find(&format!("<th scope=\"row\">{label}</th>"))
        .unwrap_or_else(|| panic!("no {label} row"));
    let end = page[start..].find("</tr>").map_or(page.len(), |e| start + e);
    page[start..end].to_owned()
}

#[test]
fn a_sentence_saying_not_a_security_provider_is_no() {
    let fx = Fixture::new("facts-rules");
    let json = json_of(&fx);
    let fact = &json_unit(&json, "quill")["facts"]["security_provider"];
    assert_eq!(fact["value"], "no", "{fact}");
    assert_eq!(fact["raw"], "Quill is not a security provider");
}

#[test]
fn an_sbom_cell_saying_none_is_none_and_its_issue_only_a_reference() {
    let fx = Fixture::new("facts-rules");
    let json = json_of(&fx);
    fx.build().assert_code(0);
    for (slug, issue) in [
        ("quill", "https://github.com/example/quill/issues/41"),
        ("lanternfish", "https://github.com/example/lanternfish/issues/7"),
    ] {
        let fact = &json_unit(&json, slug)["facts"]["sbom"];
        assert_eq!(fact["value"], "none", "{slug}: {fact}");
        let page = fx.site().page(&format!("projects/{slug}/index.html"));
        let row = fact_row(&page, "SBOM");
        assert!(text_of(&row).contains("none"), "{slug}: {row}");
        let hrefs: Vec<String> = tags(&row)
            .iter()
            .filter_map(|t| t.attr("href").map(str::to_owned))
            .collect();
        assert!(
            hrefs.iter().any(|h| h == issue),
            "{slug}: the issue is kept: {row}"
        );
        assert!(
            row.contains("class=\"references\""),
            "{slug}: the issue is shown as a reference, not as the SBOM: {row}"
        );
    }
}

#[test]
fn two_documents_that_disagree_get_a_conflict_naming_both_places() {
    let fx = Fixture::new("facts-rules");
    let run = fx.check(&[]);
    let self_file = format!("{PROJECTS}/quill/self-assessment.md");
    let joint_file = format!("{PROJECTS}/quill/joint-assessment.md");
    let self_line = line_of(&fx.path(&self_file), "| Assessment Stage");
    let joint_line = line_of(&fx.path(&joint_file), "| Assessment Stage");
    let d = run.expect_diag("facts/conflict", &self_file, Some(self_line));
    assert!(
        d.message.contains(&format!("{joint_file}:{joint_line}")),
        "names the other place: {}",
        d.message
    );
    assert!(d.help.is_some_and(|h| h.contains("status:")));
    // The later document of the process decides what the package shows.
    let json = json_of(&fx);
    assert_eq!(json_unit(&json, "quill")["facts"]["status"]["value"], "complete");
}

#[test]
fn documents_that_agree_get_no_conflict() {
    let fx = Fixture::new("facts-rules");
    let run = fx.check(&[]);
    run.assert_no_diag(
        |d| d.code == "facts/conflict" && !d.message.starts_with("Document status"),
        "only the stage differs between quill's documents",
    );
}

#[test]
fn a_2019_summary_is_not_held_to_the_later_template_and_b1_alone_reports_the_issue() {
    let fx = Fixture::new("facts-rules");
    let json = json_of(&fx);
    let gantry = json_unit(&json, "gantry");
    assert_eq!(gantry["ruleset"], "tssa-2019");
    let codes: Vec<&str> = gantry["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(
        !codes.iter().any(|c| c.starts_with("summary/missing")),
        "no summary-template demands on a 2019 package: {codes:?}"
    );
    assert_eq!(json_item(gantry, "B8")["state"], "passed");
    assert_eq!(
        json_item(gantry, "B1")["state"],
        "missing",
        "the gap is still reported once"
    );
}

#[test]
fn a_linked_external_self_assessment_passes_b0() {
    let fx = Fixture::new("facts-rules");
    let json = json_of(&fx);
    let b0 = json_item(json_unit(&json, "ferrule"), "B0");
    assert_eq!(b0["state"], "passed", "{b0}");
    let file = format!("{PROJECTS}/ferrule/joint-review.md");
    let evidence = &b0["evidence"][0];
    assert_eq!(evidence["file"], file.as_str());
    assert_eq!(
        evidence["line"],
        line_of(&fx.path(&file), "| Self-Assessment Document")
    );
    assert!(
        evidence["note"]
            .as_str()
            .is_some_and(|n| n.contains("https://docs.example.org/ferrule-self-assessment")),
        "{evidence}"
    );
}
