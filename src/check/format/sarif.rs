//! `--format sarif`: one SARIF 2.1.0 log, as GitHub code scanning reads it.
//!
//! One run; its driver lists a rule for every code `check` can report (the registry's order,
//! so a result's `ruleIndex` is stable), and each finding is a result in the order the other
//! formats print them. A finding's file becomes an `artifactLocation` whose `uri` is relative
//! to `%SRCROOT%`, the top of the repository: GitHub resolves such a URI against the checkout
//! it scanned. tssa's paths are relative to `--root`, which is that top when tssa runs on a
//! checkout of the assessments repository; when the root is a folder inside it, `[site]
//! repository_path` names that folder and prefixes every URI. A finding about no file (a
//! site-wide one) is placed on book.toml when there is one under the root, and otherwise
//! has no location, which SARIF allows. There are no `partialFingerprints`: GitHub's upload
//! action adds its own from the file's text, which survive edits above a finding better than
//! anything made from our message and line.

use serde::Serialize;

use crate::analyse::links::relative_url;
use crate::diagnostic::codes::{self, Stage};
use crate::diagnostic::{Diagnostic, Level};

use super::super::Report;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// Where the report's paths sit in the repository that code scanning checks out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Anchor<'a> {
    /// The root's folder inside the repository (`[site] repository_path`); empty at its top.
    pub root_in_repository: &'a str,
    /// book.toml, relative to the root, when it lies under it: where site-wide findings go.
    pub config_file: Option<&'a str>,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    original_uri_base_ids: OriginalBase,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<SarifRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule {
    id: &'static str,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 2],
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct OriginalBase {
    #[serde(rename = "%SRCROOT%")]
    srcroot: Described,
}

#[derive(Serialize)]
struct Described {
    description: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
}

/// The codes `check` can report: all but the preview server's, which only `serve` shows.
fn reported_rules() -> impl Iterator<Item = &'static codes::Rule> {
    codes::CODES.iter().filter(|rule| rule.stage != Stage::Serve)
}

/// SARIF's name for a level: an info finding is a `note`.
fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
    }
}

/// What `tssa explain` says of a code, and how to change its level.
fn rule(rule: &'static codes::Rule) -> SarifRule {
    let stage = rule.stage.name();
    let full = format!(
        "{}. Default level: {}; found by tssa's {stage} stage.",
        rule.summary, rule.level
    );
    let help = format!(
        "{full} `tssa explain {id}` prints this. To re-level it or turn it off, add `\"{id}\" = \"warning\"` (or `\"error\"`, `\"info\"`, `\"off\"`) under `[check.levels]` in book.toml.",
        id = rule.id
    );
    SarifRule {
        id: rule.id,
        short_description: Text {
            text: rule.summary.to_owned(),
        },
        full_description: Text { text: full },
        help: Text { text: help },
        default_configuration: Configuration {
            level: sarif_level(rule.level),
        },
        properties: RuleProperties {
            tags: ["tssa", stage],
        },
    }
}

/// The URI of a root-relative file from the top of the repository, each segment
/// percent-encoded as links between pages encode it.
fn uri(anchor: &Anchor<'_>, file: &str) -> String {
    relative_url("", &super::from_top(anchor.root_in_repository, file))
}

fn location(anchor: &Anchor<'_>, file: &str, line: Option<usize>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri(anchor, file),
                uri_base_id: SRCROOT,
            },
            // SARIF lines start at 1: a finding without one gets no region, never line 0.
            region: line.filter(|&l| l > 0).map(|start_line| Region { start_line }),
        },
    }
}

fn result<'a>(
    d: &'a Diagnostic,
    anchor: &Anchor<'_>,
    index: &dyn Fn(&str) -> Option<usize>,
) -> SarifResult<'a> {
    let text = super::message_with_help(d);
    let place = match &d.file {
        Some(file) => Some(location(anchor, file, d.line)),
        None => anchor.config_file.map(|file| location(anchor, file, None)),
    };
    SarifResult {
        rule_id: &d.code,
        rule_index: index(&d.code),
        level: sarif_level(d.level),
        message: Text { text },
        locations: place.into_iter().collect(),
    }
}

/// The whole report as one pretty-printed SARIF 2.1.0 log: site-wide findings in file order,
/// then each unit's, as the other formats print them.
pub fn sarif(report: &Report, site_diagnostics: &[Diagnostic], anchor: &Anchor<'_>) -> String {
    let rules: Vec<SarifRule> = reported_rules().map(rule).collect();
    let index = |code: &str| rules.iter().position(|r| r.id == code);
    let results = super::report_order(report, site_diagnostics)
        .map(|d| result(d, anchor, &index))
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "tssa",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            original_uri_base_ids: OriginalBase {
                srcroot: Described {
                    description: Text {
                        text: "The top of the repository checked out: tssa's --root, or the folder above it that [site] repository_path names".to_owned(),
                    },
                },
            },
            results,
        }],
    };
    // Plain structs and strings cannot fail to serialise; the fallback (an empty, valid log)
    // only keeps this function total.
    let mut text = serde_json::to_string_pretty(&log)
        .unwrap_or_else(|_| r#"{"version": "2.1.0", "runs": []}"#.to_owned());
    text.push('\n');
    text
}
