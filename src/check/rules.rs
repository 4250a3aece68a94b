//! Every finding `tssa check` can report, with its stable id and default level. The ids are
//! public: users re-level them in `book.toml` and exempt them in front matter, so never rename
//! one; add a new id instead.

use serde::Serialize;

use crate::diagnostic::Level;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub level: Level,
    /// What the rule checks, for `--explain`-style listings and the README.
    pub summary: &'static str,
}

const fn rule(id: &'static str, level: Level, summary: &'static str) -> Rule {
    Rule { id, level, summary }
}

use Level::{Error, Info, Warning};

/// All rules, grouped by the document they look at.
pub const RULES: &[Rule] = &[
    rule(
        "package/missing-self-assessment",
        Error,
        "the path requires a self-assessment.md and the folder has none",
    ),
    rule(
        "package/folder-name",
        Warning,
        "the project folder is not a lowercase-hyphen name",
    ),
    rule(
        "package/unknown-ruleset",
        Warning,
        "the declared rule set is not tssa-2019, tssa-2021 or tssa-2024-11",
    ),
    rule(
        "package/unknown-path",
        Warning,
        "the declared assessment path is not `self` or `joint`",
    ),
    rule(
        "package/unknown-exemption",
        Warning,
        "an exemption names neither a checklist item nor a rule id",
    ),
    rule(
        "self-assessment/missing-section",
        Error,
        "a section the self-assessment outline requires is missing",
    ),
    rule(
        "self-assessment/missing-row",
        Error,
        "a metadata row the self-assessment template requires is missing",
    ),
    rule(
        "self-assessment/newer-template",
        Warning,
        "a section or row the template gained during the rule set's era is missing, and the document's date is unknown",
    ),
    rule(
        "self-assessment/heading-variant",
        Info,
        "a section is present under a known variant of its name",
    ),
    rule(
        "self-assessment/stage-incomplete",
        Info,
        "the self-assessment marks itself Incomplete (or Draft, In Progress)",
    ),
    rule(
        "self-assessment/stage-value",
        Warning,
        "Assessment Stage is not one of Incomplete, Complete, Obsolete",
    ),
    rule(
        "joint-assessment/missing",
        Error,
        "the joint path of this rule set requires a joint-assessment.md and the folder has none",
    ),
    rule(
        "joint-assessment/missing-section",
        Error,
        "a section the joint-assessment outline requires is missing",
    ),
    rule(
        "joint-assessment/missing-row",
        Error,
        "a metadata row the joint-assessment template requires is missing",
    ),
    rule(
        "joint-assessment/heading-variant",
        Info,
        "a section is present under a known variant of its name",
    ),
    rule(
        "joint-assessment/summary-only",
        Warning,
        "joint-assessment.md holds the final summary, not the joint-assessment outline",
    ),
    rule(
        "joint-assessment/hands-on-statement",
        Warning,
        "the Hands-on assessment section does not say whether one was performed",
    ),
    rule(
        "summary/missing",
        Error,
        "the joint path of this rule set requires a final summary (README.md) and there is none",
    ),
    rule(
        "summary/missing-part",
        Error,
        "a part of the final summary template is missing",
    ),
    rule(
        "summary/missing-version",
        Warning,
        "the final summary does not name the version or release covered",
    ),
    rule(
        "summary/missing-additional",
        Info,
        "the final summary has no Additional recommendations",
    ),
    rule(
        "summary/heading-variant",
        Info,
        "a summary part is present under a known variant of its name",
    ),
    rule(
        "template/placeholder",
        Error,
        "a template placeholder in running text ([project], did/did not receive) was left in",
    ),
    // Not `template/…`: these markers are tssa's own, visible on purpose, and a fresh
    // `tssa new` package must show no template leftovers.
    rule(
        "draft/todo",
        Warning,
        "a part `tssa new` marked `TODO(tssa)` is still to be written",
    ),
    rule(
        "template/guidance",
        Warning,
        "a template guidance sentence was left in the text",
    ),
    rule(
        "joint/too-few-reviewers",
        Warning,
        "fewer reviewers than the rule set asks for (a lead plus one, or two, more)",
    ),
    rule(
        "joint/lead-reviewer",
        Warning,
        "the declared reviewers do not have exactly one lead",
    ),
    rule(
        "joint/renewal-due",
        Info,
        "the assessment is older than the renewal period (`[coverage] renewal_months`, twelve months by default) and due for renewal",
    ),
    rule(
        "coi/missing-statement",
        Error,
        "a reviewer has no conflict-of-interest statement",
    ),
    rule(
        "coi/incomplete-statement",
        Warning,
        "a reviewer's statement lacks answers or the link to the statement",
    ),
    rule(
        "coi/hard-conflict",
        Error,
        "a reviewer has a hard conflict and no recorded waiver",
    ),
    rule(
        "coi/multiple-soft",
        Error,
        "a reviewer has two or more soft conflicts and no recorded escalation decision",
    ),
    rule(
        "coi/ineligible-reviewer",
        Error,
        "a reviewer ruled ineligible is still listed",
    ),
    rule(
        "coi/waiver-signoff",
        Warning,
        "a hard-conflict waiver is not signed off by two chairs and the facilitator",
    ),
    rule(
        "coi/lead-soft-conflict",
        Warning,
        "the lead reviewer has a soft conflict",
    ),
    rule("coi/escalated", Info, "a conflict was escalated and decided"),
];

/// The rule with this id.
pub fn rule_by_id(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}
