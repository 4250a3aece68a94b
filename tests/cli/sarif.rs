//! `tssa check --format sarif`: every log validates against the SARIF 2.1.0 schema
//! (`tests/sarif/`, read locally: no `$ref` leaves the file), names the file of each finding
//! as it lies in the repository, and gives the verdict the other formats give.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{Fixture, PROJECTS, corpus, fixtures_dir, json_report, tssa};

/// The fixtures `check` refuses to run on (exit 2), each for its own reason.
const CANNOT_RUN: [&str; 2] = ["bad-config", "no-projects"];

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = crate::common::repo_dir().join("tests/sarif/sarif-schema-2.1.0.json");
        let text = std::fs::read_to_string(&path).expect("the SARIF schema is in tests/sarif");
        let mut schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        // Formats are checked too (`uri`, `uri-reference`), so the schema is itself checked
        // against draft-07's, which wants every `pattern` to be a regex: the two `language`
        // patterns (of a run and of a tool component) have a stray `]` and are refused. tssa
        // writes no `language`; those patterns are dropped here, in memory, and the file
        // stays as OASIS published it.
        let mut dropped = 0;
        for owner in ["run", "toolComponent"] {
            let language = &mut schema["definitions"][owner]["properties"]["language"];
            if let Some(pattern) = language.as_object_mut().and_then(|l| l.remove("pattern")) {
                assert_eq!(pattern, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$", "{owner}");
                dropped += 1;
            }
        }
        assert_eq!(dropped, 2, "the schema's language patterns moved");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles")
    })
}

/// Every way `log` breaks the schema, one line each.
fn schema_errors(log: &Value) -> Vec<String> {
    validator()
        .iter_errors(log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn sarif_of(run: &crate::common::Run) -> Value {
    run.assert_finished();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{} printed no JSON: {e}", run.command))
}

fn assert_valid(log: &Value, what: &str) {
    let errors = schema_errors(log);
    assert!(
        errors.is_empty(),
        "{what}: the SARIF log breaks the schema:\n{errors:#?}"
    );
}

fn run_of(log: &Value) -> &Value {
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "one run");
    &runs[0]
}

fn results(log: &Value) -> &Vec<Value> {
    run_of(log)["results"].as_array().expect("results")
}

/// Each result's file, decoded from its URI, must exist under `root`: the URIs name the
/// repository's own paths. A finding that a document is missing names where it belongs, so
/// only its folder exists.
fn assert_uris_exist(log: &Value, root: &Path, what: &str) {
    for result in results(log) {
        let missing = result["ruleId"].as_str().is_some_and(|id| id.contains("missing"));
        for location in result["locations"].as_array().into_iter().flatten() {
            let artifact = &location["physicalLocation"]["artifactLocation"];
            assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{what}: {result}");
            let uri = artifact["uri"].as_str().expect("a uri");
            let path = percent_encoding::percent_decode_str(uri)
                .decode_utf8()
                .expect("a UTF-8 path");
            let path = root.join(path.as_ref());
            let exists = |p: &Path| std::fs::symlink_metadata(p).is_ok();
            assert!(
                exists(&path) || (missing && path.parent().is_some_and(exists)),
                "{what}: {uri} is not a path under the root ({result})"
            );
            if let Some(line) = location["physicalLocation"]["region"]["startLine"].as_u64() {
                assert!(line >= 1, "{what}: line {line} in {result}");
            }
        }
    }
}

/// The ids of the rules `check` can report: every registered code but the preview server's.
fn reportable_codes() -> Vec<&'static str> {
    use tssa::diagnostic::codes::{CODES, Stage};
    CODES
        .iter()
        .filter(|r| r.stage != Stage::Serve)
        .map(|r| r.id)
        .collect()
}

#[test]
fn the_validator_rejects_a_broken_log() {
    let fixture = Fixture::new("good");
    let log = sarif_of(&fixture.check(&["--format", "sarif"]));
    assert_valid(&log, "good");
    // A line number written as a string, as a careless writer might.
    let mut broken = log.clone();
    let region = results(&log)
        .iter()
        .position(|r| !r["locations"][0]["physicalLocation"]["region"].is_null())
        .expect("a result with a line");
    broken["runs"][0]["results"][region]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from("7");
    let errors = schema_errors(&broken);
    assert!(
        errors.iter().any(|e| e.contains("startLine")),
        "a string startLine passed: {errors:#?}"
    );
    // Line 0 does not exist in SARIF either, nor does a level of our own.
    let mut zero = log.clone();
    zero["runs"][0]["results"][region]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!schema_errors(&zero).is_empty(), "startLine 0 passed");
    let mut info = log.clone();
    info["runs"][0]["results"][0]["level"] = Value::from("info");
    assert!(!schema_errors(&info).is_empty(), "level `info` passed");
    // A URI with a raw space is no URI reference.
    let mut spaced = log.clone();
    spaced["runs"][0]["results"][region]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        Value::from("community/a b.md");
    assert!(!schema_errors(&spaced).is_empty(), "a raw space in a uri passed");
    let mut version = log;
    version["version"] = Value::from("2.0.0");
    assert!(!schema_errors(&version).is_empty(), "version 2.0.0 passed");
}

#[test]
fn every_fixture_gives_a_valid_log() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("the fixtures folder")
        .map(|e| e.expect("an entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let fixture = Fixture::new(name);
        let run = fixture.check(&["--format", "sarif"]);
        if CANNOT_RUN.contains(&name.as_str()) {
            run.assert_code(2);
            assert!(run.stdout.is_empty(), "{name}: a refused run printed a log");
            continue;
        }
        let log = sarif_of(&run);
        assert_valid(&log, name);
        assert_uris_exist(&log, &fixture.root, name);
        // The same findings and verdict as the JSON report.
        let json_run = fixture.check(&["--format", "json"]);
        let json = json_report(&json_run);
        let findings = json["diagnostics"].as_array().expect("diagnostics").len()
            + json["units"]
                .as_array()
                .expect("units")
                .iter()
                .map(|u| u["findings"].as_array().expect("findings").len())
                .sum::<usize>();
        assert_eq!(
            results(&log).len(),
            findings,
            "{name}: results against JSON findings"
        );
        assert_eq!(run.code, json_run.code, "{name}: exit code against --format json");
    }
}

#[test]
fn rules_results_and_verdict_on_a_fixture() {
    let fixture = Fixture::new("good");
    let run = fixture.check(&["--format", "sarif"]);
    run.assert_code(1);
    let log = sarif_of(&run);
    assert_eq!(log["version"], "2.1.0");
    let driver = &run_of(&log)["tool"]["driver"];
    assert_eq!(driver["name"], "tssa");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().expect("an id")).collect();
    assert_eq!(ids, reportable_codes());
    assert!(
        !ids.contains(&"build/panicked"),
        "serve's codes are never reported by check"
    );
    let broken = rules
        .iter()
        .find(|r| r["id"] == "link/broken")
        .expect("link/broken");
    let registered = tssa::diagnostic::codes::lookup("link/broken").expect("registered");
    assert_eq!(
        broken["defaultConfiguration"]["level"],
        registered.level.to_string()
    );
    let summary = registered.summary;
    assert_eq!(broken["shortDescription"]["text"], summary);
    let missing = rules
        .iter()
        .find(|r| r["id"] == "package/missing-self-assessment")
        .expect("an error code");
    assert_eq!(missing["defaultConfiguration"]["level"], "error");
    assert!(
        broken["help"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("tssa explain link/broken") && t.contains(summary)),
        "{broken}"
    );
    let variant = rules
        .iter()
        .find(|r| r["id"] == "self-assessment/heading-variant")
        .expect("an info code");
    assert_eq!(variant["defaultConfiguration"]["level"], "note");
    // Every result points at its own rule.
    for result in results(&log) {
        let index = result["ruleIndex"].as_u64().expect("a ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
    }
    // A known finding: alderwick's joint-assessment.md holds a final summary (line 1).
    let file = format!("{PROJECTS}/alderwick/joint-assessment.md");
    let summary_only: Vec<&Value> = results(&log)
        .iter()
        .filter(|r| {
            r["ruleId"] == "joint-assessment/summary-only"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == file.as_str()
        })
        .collect();
    assert_eq!(summary_only.len(), 1, "{summary_only:#?}");
    let found = summary_only[0];
    assert_eq!(found["level"], "warning");
    let physical = &found["locations"][0]["physicalLocation"];
    assert_eq!(physical["region"]["startLine"], 1);
    assert!(
        found["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("\n\nhelp: ")),
        "the help follows the message: {found}"
    );
    // Output is the same bytes every time.
    assert_eq!(fixture.check(&["--format", "sarif"]).stdout, run.stdout);
}

#[test]
fn a_finding_without_a_line_has_no_region() {
    let fixture = Fixture::new("good");
    let log = sarif_of(&fixture.check(&["--format", "sarif"]));
    let missing: Vec<&Value> = results(&log)
        .iter()
        .filter(|r| r["ruleId"] == "package/missing-self-assessment")
        .collect();
    assert!(
        !missing.is_empty(),
        "the good fixture has a package without a self-assessment"
    );
    for result in missing {
        let physical = &result["locations"][0]["physicalLocation"];
        assert!(physical["artifactLocation"]["uri"].is_string(), "{result}");
        assert!(
            physical.get("region").is_none(),
            "a finding with no line must have no region: {result}"
        );
    }
}

#[test]
fn uris_are_encoded_and_under_the_repository_path() {
    let fixture = Fixture::new("good");
    // A document with a space and a non-ASCII letter in its name, with a broken link in it.
    let name = "notes für review.md";
    fixture.write(
        &format!("{PROJECTS}/alderwick/{name}"),
        "# Notes\n\nSee [the plan](missing-plan.md).\n",
    );
    let log = sarif_of(&fixture.check(&["--format", "sarif"]));
    assert_valid(&log, "encoded names");
    let uri_of_broken = |log: &Value| -> String {
        let broken = results(log)
            .iter()
            .find(|r| {
                r["ruleId"] == "link/broken"
                    && r["message"]["text"]
                        .as_str()
                        .is_some_and(|t| t.contains("missing-plan.md"))
            })
            .unwrap_or_else(|| panic!("no broken-link result: {log}"));
        assert_eq!(
            broken["locations"][0]["physicalLocation"]["region"]["startLine"],
            3
        );
        broken["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("a uri")
            .to_owned()
    };
    let encoded = format!("{PROJECTS}/alderwick/notes%20f%C3%BCr%20review.md");
    assert_eq!(uri_of_broken(&log), encoded);
    assert_uris_exist(&log, &fixture.root, "encoded names");
    // When the root is a folder inside the repository, book.toml says which.
    fixture.write(
        "book.toml",
        "[site]\nrepository = \"https://github.com/example/assessments\"\nrepository_path = \"docs/tssa\"\n",
    );
    let log = sarif_of(&fixture.check(&["--format", "sarif"]));
    assert_valid(&log, "repository_path");
    assert_eq!(uri_of_broken(&log), format!("docs/tssa/{encoded}"));
    // The github format names the same file from the same top, unencoded.
    let github = fixture.check(&["--format", "github"]).stdout;
    let expected = format!("file=docs/tssa/{PROJECTS}/alderwick/{name},line=3,title=link/broken::");
    assert!(github.contains(&expected), "{expected} not in:\n{github}");
}

#[test]
fn a_site_wide_finding_is_placed_on_book_toml_or_nowhere() {
    // Outside a git checkout, `--git` reports `git/unavailable`, a finding about no file.
    let fixture = Fixture::new("good");
    let unavailable = |log: &Value| -> Value {
        results(log)
            .iter()
            .find(|r| r["ruleId"] == "git/unavailable")
            .cloned()
            .unwrap_or_else(|| panic!("no git/unavailable result: {log}"))
    };
    let log = sarif_of(&fixture.check(&["--format", "sarif", "--git"]));
    assert_valid(&log, "no book.toml");
    let result = unavailable(&log);
    assert_eq!(result["level"], "note");
    assert!(
        result.get("locations").is_none(),
        "no book.toml, no location: {result}"
    );
    fixture.write("book.toml", "[site]\ntitle = \"Assessments\"\n");
    let log = sarif_of(&fixture.check(&["--format", "sarif", "--git"]));
    assert_valid(&log, "with book.toml");
    let result = unavailable(&log);
    let physical = &result["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "book.toml");
    assert!(physical.get("region").is_none(), "{result}");
}

#[test]
fn levels_follow_check_levels_and_deny() {
    let fixture = Fixture::new("good");
    // Every error turned into a warning: the verdict passes, and the results say warning.
    let codes = reportable_codes();
    let levels: String = codes.iter().map(|c| format!("\"{c}\" = \"warning\"\n")).collect();
    fixture.write("book.toml", format!("[check.levels]\n{levels}"));
    let run = fixture.check(&["--format", "sarif"]);
    run.assert_code(0);
    let log = sarif_of(&run);
    assert!(!results(&log).is_empty());
    assert!(results(&log).iter().all(|r| r["level"] == "warning"), "{log}");
    fixture
        .check(&["--format", "sarif", "--deny", "warnings"])
        .assert_code(1);
}

#[test]
fn the_corpus_gives_a_valid_log() {
    let Some(root) = corpus() else { return };
    let check = |format: &str| {
        let root_arg = root.to_str().expect("a UTF-8 path");
        tssa(&root, &["check", "--root", root_arg, "--format", format])
    };
    let run = check("sarif");
    let log = sarif_of(&run);
    assert_valid(&log, "corpus");
    assert_uris_exist(&log, &root, "corpus");
    assert!(
        results(&log).iter().all(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|uri| uri.starts_with("community/assessments/"))
        }),
        "every corpus finding sits under community/assessments, as in the repository"
    );
    assert_eq!(run.code, check("json").code, "the verdict of --format json");
}

#[test]
fn project_limits_the_results_as_it_limits_the_verdict() {
    let fixture = Fixture::new("good");
    let whole = sarif_of(&fixture.check(&["--format", "sarif"]));
    let run = fixture.check(&["--format", "sarif", "--project", "alderwick"]);
    let log = sarif_of(&run);
    assert_valid(&log, "--project alderwick");
    let folder = format!("{PROJECTS}/alderwick/");
    let uri = |r: &Value| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .map(str::to_owned)
    };
    let elsewhere: Vec<&Value> = results(&log)
        .iter()
        .filter(|r| !uri(r).is_some_and(|u| u.starts_with(&folder)))
        .collect();
    assert!(elsewhere.is_empty(), "results outside alderwick: {elsewhere:#?}");
    assert!(!results(&log).is_empty());
    assert!(results(&log).len() < results(&whole).len());
    let json = fixture.check(&["--format", "json", "--project", "alderwick"]);
    assert_eq!(run.code, json.code, "the verdict of --format json");
}
