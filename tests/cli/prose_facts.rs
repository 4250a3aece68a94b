//! Reviewers written in a sentence, and the roles of the names a package gives
//! (`tests/fixtures/prose-facts`, shaped like the real files):
//!
//! * `quillon`: the README names the TAG team in a sentence, "Members of the … (A, B, C, and
//!   D) worked with …" (as pixie's does);
//! * `fernhollow`: the joint assessment says "performed by A, B, C, and D" after `<br/>`
//!   tags (as flatcar's does);
//! * `mossgate`: a self-assessment's preamble names its authors and its own reviewers (as
//!   cert-manager's and knative's do): they are not the TAG security reviewers;
//! * `tidewell`: a joint package whose only reviewers are the self-assessment's own.
//! * `brackenridge`: the README names the project's security lead and the tracking issue in
//!   sentences ("… served as the project's security lead", "… is tracked in <TAG issue>");
//! * `saltmere`: labelled lines and sentences disagree: the labelled lines win;
//! * `larchmoor`: sentences that look like, but are not, a lead or the assessment's issue (a
//!   project's own "tracking issue (feature request)", a passing TAG issue link, "recruiting
//!   a security lead", "the TAG lead reviewer").

use serde_json::Value;

use crate::common::{Fixture, PROJECTS, json_item, json_report, json_unit, line_of};

fn check_json(fx: &Fixture) -> Value {
    json_report(&fx.check(&["--format", "json"]))
}

fn b3(unit: &Value) -> &Value {
    json_item(unit, "B3")
}

/// The fact `key` of a unit as (value, file, line).
fn fact(unit: &Value, key: &str) -> Option<(String, String, u64)> {
    let f = unit["facts"].get(key)?;
    Some((
        f["value"].as_str()?.to_owned(),
        f["source"]["file"].as_str()?.to_owned(),
        f["source"]["line"].as_u64()?,
    ))
}

fn findings_about_reviewers(unit: &Value) -> Vec<String> {
    unit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["message"].as_str())
        .filter(|m| m.contains("security reviewers"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn reviewers_named_in_a_sentence_are_read_with_their_line_and_pass_b3() {
    let fx = Fixture::new("prose-facts");
    let json = check_json(&fx);
    for (slug, file, sentence, names) in [
        (
            "quillon",
            "README.md",
            "Members of the Security TAG",
            "Ada Quill, Bo Renner, Cyra de la Mar, Dov Osei",
        ),
        (
            "fernhollow",
            "joint-assessment.md",
            "performed by Ada Quill",
            "Ada Quill, Esme Vardy, Bo Renner, Finn Oduya",
        ),
    ] {
        let u = json_unit(&json, slug);
        let path = format!("{PROJECTS}/{slug}/{file}");
        let line = line_of(&fx.path(&path), sentence) as u64;
        assert_eq!(
            fact(u, "security_reviewers"),
            Some((names.to_owned(), path.clone(), line)),
            "{slug}"
        );
        let item = b3(u);
        assert_eq!(item["state"], "passed", "{slug}: {item}");
        assert_eq!(item["evidence"][0]["file"], path.as_str(), "{slug}");
        assert_eq!(item["evidence"][0]["line"], line, "{slug}");
        assert_eq!(findings_about_reviewers(u), Vec::<String>::new(), "{slug}");
    }
}

#[test]
fn a_self_assessments_preamble_names_its_own_authors_and_reviewers() {
    let fx = Fixture::new("prose-facts");
    let json = check_json(&fx);
    let u = json_unit(&json, "mossgate");
    let path = format!("{PROJECTS}/mossgate/self-assessment.md");
    assert_eq!(fact(u, "security_reviewers"), None);
    assert_eq!(
        fact(u, "document_reviewers"),
        Some((
            "Ivo Brandt, Juno Sakai, Kit Morrow".to_owned(),
            path.clone(),
            line_of(&fx.path(&path), "Security reviewers:") as u64
        ))
    );
    assert_eq!(
        fact(u, "document_authors"),
        Some((
            "Ivo Brandt, Juno Sakai".to_owned(),
            path.clone(),
            line_of(&fx.path(&path), "Primary Authors:") as u64
        ))
    );

    fx.build().assert_built();
    let status = fx.site().page("projects/mossgate/index.html");
    assert!(status.contains("Self-assessment reviewers"), "{status}");
    assert!(status.contains("Self-assessment authors"), "{status}");
    assert!(!status.contains(">Security reviewers<"), "{status}");
}

#[test]
fn b3_does_not_count_a_self_assessments_own_reviewers() {
    let fx = Fixture::new("prose-facts");
    let json = check_json(&fx);
    let u = json_unit(&json, "tidewell");
    assert_eq!(fact(u, "security_reviewers"), None);
    let item = b3(u);
    assert_eq!(item["state"], "missing", "{item}");
    let note = item["note"].as_str().expect("a note");
    let path = format!("{PROJECTS}/tidewell/self-assessment.md");
    let line = line_of(&fx.path(&path), "Security reviewers:");
    assert!(
        note.contains("no TAG security reviewers") && note.contains(&format!("{path}:{line}")),
        "{note}"
    );
}

fn missing_parts(unit: &Value) -> Vec<String> {
    unit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "summary/missing-part")
        .filter_map(|f| f["message"].as_str())
        .map(str::to_owned)
        .collect()
}

#[test]
fn security_lead_and_tracking_issue_named_in_sentences_are_read_with_their_line() {
    let fx = Fixture::new("prose-facts");
    let json = check_json(&fx);
    let u = json_unit(&json, "brackenridge");
    let path = format!("{PROJECTS}/brackenridge/README.md");
    let lead_line = line_of(&fx.path(&path), "served as the project's security lead") as u64;
    let issue_line = line_of(&fx.path(&path), "is tracked in") as u64;
    assert_eq!(
        fact(u, "project_security_lead"),
        Some(("Wren Calloway (@wcalloway)".to_owned(), path.clone(), lead_line))
    );
    let issue = "https://github.com/cncf/tag-security/issues/4321";
    assert_eq!(
        fact(u, "tracking_issue"),
        Some((issue.to_owned(), path.clone(), issue_line))
    );
    let b1 = json_item(u, "B1");
    assert_eq!(b1["state"], "passed", "{b1}");
    assert_eq!(b1["evidence"][0]["line"], issue_line, "{b1}");
    let missing = missing_parts(u);
    assert!(
        !missing
            .iter()
            .any(|m| m.contains("security lead") || m.contains("tracking")),
        "{missing:?}"
    );
}

#[test]
fn labelled_lines_win_over_sentences_for_the_lead_and_the_tracking_issue() {
    let fx = Fixture::new("prose-facts");
    let json = check_json(&fx);
    let u = json_unit(&json, "saltmere");
    let path = format!("{PROJECTS}/saltmere/joint-assessment.md");
    let file = fx.path(&path);
    assert_eq!(
        fact(u, "project_security_lead"),
        Some((
            "Ola Brisk @obrisk".to_owned(),
            path.clone(),
            line_of(&file, "Project security lead:") as u64
        ))
    );
    assert_eq!(
        fact(u, "tracking_issue"),
        Some((
            "https://github.com/cncf/tag-security/issues/4400".to_owned(),
            path.clone(),
            line_of(&file, "Tracking issue:") as u64
        ))
    );
}

#[test]
fn sentences_about_other_issues_and_leads_yield_no_fact() {
    let fx = Fixture::new("prose-facts");
    let json = check_json(&fx);
    let u = json_unit(&json, "larchmoor");
    assert_eq!(fact(u, "project_security_lead"), None);
    assert_eq!(fact(u, "tracking_issue"), None);
    assert_eq!(json_item(u, "B1")["state"], "missing");
    // The reviewers' sentence on the same page is still read.
    assert_eq!(
        fact(u, "security_reviewers").map(|f| f.0).as_deref(),
        Some("Ada Quill, Bo Renner, Finn Oduya")
    );
}

/// Where a package's TAG reviewers were read (file name, line) and how many there are.
type Reviewers = (&'static str, u64, usize);

/// On the acceptance corpus: every joint package's TAG security reviewers, where they were
/// read, how many and B3's verdict. pixie (a sentence in the README) and flatcar (a sentence in
/// the joint assessment) were "missing" before prose was read; the others must not change.
#[test]
fn corpus_reviewers_of_every_joint_package() {
    let Some(corpus) = crate::common::corpus() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = crate::common::tssa(
        tmp.path(),
        &[
            std::ffi::OsStr::new("check"),
            std::ffi::OsStr::new("--root"),
            corpus.as_os_str(),
            std::ffi::OsStr::new("--format"),
            std::ffi::OsStr::new("json"),
        ],
    );
    run.assert_finished();
    let json: Value = serde_json::from_str(&run.stdout).expect("check --format json is JSON");
    let expected: [(&str, Option<Reviewers>, &str); 12] = [
        ("buildpacks", Some(("README.md", 5, 8)), "passed"),
        ("custodian", Some(("joint-review.md", 95, 6)), "passed"),
        ("dragonfly", Some(("joint-assessment.md", 4, 3)), "passed"),
        ("flatcar", Some(("joint-assessment.md", 4, 4)), "passed"),
        ("harbor", Some(("README.md", 5, 6)), "passed"),
        ("in-toto", Some(("README.md", 5, 3)), "passed"),
        ("keycloak", Some(("README.md", 5, 4)), "passed"),
        ("opa", Some(("README.md", 5, 4)), "passed"),
        // No names anywhere in its documents.
        ("openfga", None, "missing"),
        ("pixie", Some(("README.md", 6, 4)), "passed"),
        ("spiffe-spire", Some(("README.md", 5, 3)), "passed"),
        ("wasmedge", Some(("joint-assessment.md", 6, 5)), "passed"),
    ];
    for (slug, reviewers, state) in expected {
        let u = json_unit(&json, slug);
        let got = fact(u, "security_reviewers").map(|(value, file, line)| {
            let file = file.rsplit('/').next().unwrap_or_default().to_owned();
            (file, line, value.split(", ").count())
        });
        let want = reviewers.map(|(file, line, n)| (file.to_owned(), line, n));
        assert_eq!(got, want, "{slug}: security reviewers (file, line, names)");
        assert_eq!(b3(u)["state"], state, "{slug}: B3");
    }
    assert_eq!(
        fact(json_unit(&json, "pixie"), "security_reviewers")
            .map(|f| f.0)
            .as_deref(),
        Some("Justin Cappos, Victor Lu, Jon Zeolla, Ragashree Shekar")
    );
    assert_eq!(
        fact(json_unit(&json, "flatcar"), "security_reviewers")
            .map(|f| f.0)
            .as_deref(),
        Some("Justin Cappos, Marina Moore, Ragashree Shekar, Andrew Martin")
    );
    // A self-assessment's own reviewers are the document's, shown apart.
    for slug in ["cert-manager", "knative"] {
        let u = json_unit(&json, slug);
        assert_eq!(fact(u, "security_reviewers"), None, "{slug}");
        assert!(fact(u, "document_reviewers").is_some(), "{slug}");
    }
}
