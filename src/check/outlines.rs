//! The document outlines of `tssa-rules.md` §5 as data: required sections with the variants
//! seen in the corpus, metadata rows, summary parts and template leftovers. Names are written
//! in the normalised form of [`super::view::normalise`] (lowercase, hyphens as spaces), which
//! a unit test keeps honest.

use crate::model::FactKey;

/// A required section. `names` pass silently; `variants` (glob patterns) pass with a note.
pub(crate) struct Section {
    pub name: &'static str,
    pub parent: Option<&'static str>,
    pub names: &'static [&'static str],
    pub variants: &'static [&'static str],
    /// Date the section entered the template (empty: from the start).
    pub since: &'static str,
}

const fn s(
    name: &'static str,
    parent: Option<&'static str>,
    names: &'static [&'static str],
    variants: &'static [&'static str],
    since: &'static str,
) -> Section {
    Section {
        name,
        parent,
        names,
        variants,
        since,
    }
}

const ISSUE_RESOLUTION_VARIANTS: &[&str] = &[
    "issue resolution and responsible disclosure",
    "security processes",
    "security and vulnerability management",
    "vulnerability reporting and incident response",
    "vulnerability management",
];

/// The self-assessment outline from 2021 on (`guide/self-assessment.md`, §5.2).
pub(crate) const SELF_CURRENT: &[Section] = &[
    s("Metadata", None, &["metadata"], &[], ""),
    s(
        "Security links",
        Some("Metadata"),
        &["security links"],
        &["relevant links"],
        "2021-02-23",
    ),
    s("Overview", None, &["overview"], &["project overview"], ""),
    s("Background", Some("Overview"), &["background"], &[], ""),
    s(
        "Actors",
        Some("Overview"),
        &["actors"],
        &["actors and actions", "actors and data flow"],
        "2023-01-05",
    ),
    s(
        "Actions",
        Some("Overview"),
        &["actions"],
        &["actors and actions"],
        "2023-01-05",
    ),
    s(
        "Goals",
        Some("Overview"),
        &["goals", "goal"],
        &[
            "goals and non goals",
            "general goals",
            "security goals",
            "project goals",
        ],
        "",
    ),
    s(
        "Non-goals",
        Some("Overview"),
        &["non goals", "nongoals"],
        &["goals and non goals", "project non goals"],
        "",
    ),
    s(
        "Self-assessment use",
        None,
        &["self assessment use"],
        &[],
        "2021-02-23",
    ),
    s(
        "Security functions and features",
        None,
        &["security functions and features"],
        &["critical security functions", "security functions"],
        "2021-02-23",
    ),
    s(
        "Project compliance",
        None,
        &["project compliance"],
        &["compliance"],
        "",
    ),
    s(
        "Secure development practices",
        None,
        &["secure development practices"],
        &["security hygiene and secure development practices"],
        "",
    ),
    s(
        "Security issue resolution",
        None,
        &["security issue resolution"],
        ISSUE_RESOLUTION_VARIANTS,
        "",
    ),
    s("Appendix", None, &["appendix"], &["appendix *", "appendices"], ""),
];

/// The single 2019 outline (`assessments/guide/outline.md`, `tssa-2019`).
pub(crate) const SELF_2019: &[Section] = &[
    s("Metadata", None, &["metadata"], &[], ""),
    s("Overview", None, &["overview"], &["project overview"], ""),
    s("Background", Some("Overview"), &["background"], &[], ""),
    s(
        "Goal",
        Some("Overview"),
        &["goal", "goals"],
        &["goals and non goals", "project goals"],
        "",
    ),
    s(
        "Non-goals",
        Some("Overview"),
        &["non goals", "nongoals"],
        &["goals and non goals", "project non goals"],
        "",
    ),
    s("Intended Use", None, &["intended use"], &["intended use *"], ""),
    s(
        "Project Design",
        None,
        &["project design"],
        &["project and design", "project design and *"],
        "",
    ),
    s(
        "Configuration and Set-Up",
        None,
        &["configuration and set up", "configuration and setup"],
        &["configuration"],
        "",
    ),
    s(
        "Project Compliance",
        None,
        &["project compliance"],
        &["compliance"],
        "",
    ),
    s("Security Analysis", None, &["security analysis"], &[], ""),
    s(
        "Secure Development Practices",
        None,
        &["secure development practices"],
        &["security hygiene and secure development practices"],
        "",
    ),
    s(
        "Security Issue Resolution",
        None,
        &["security issue resolution"],
        ISSUE_RESOLUTION_VARIANTS,
        "",
    ),
    s("Roadmap", None, &["roadmap"], &[], ""),
    s("Appendix", None, &["appendix"], &["appendix *", "appendices"], ""),
];

/// The joint-assessment outline (`guide/joint-assessment.md`, §5.3).
pub(crate) const JOINT: &[Section] = &[
    s("Metadata", None, &["metadata"], &[], ""),
    s(
        "Security links",
        Some("Metadata"),
        &["security links"],
        &["relevant links"],
        "",
    ),
    s("Overview", None, &["overview"], &["project overview"], ""),
    s("Background", Some("Overview"), &["background"], &[], ""),
    s(
        "Goal",
        Some("Overview"),
        &["goal", "goals"],
        &["project goals", "goals and non goals"],
        "",
    ),
    s(
        "Non-goals",
        Some("Overview"),
        &["non goals", "nongoals"],
        &["project non goals", "goals and non goals"],
        "",
    ),
    s(
        "Joint-assessment use",
        None,
        &["joint assessment use"],
        &["joint review use"],
        "",
    ),
    s("Intended Use", None, &["intended use"], &["intended use *"], ""),
    s(
        "Project Design",
        None,
        &["project design"],
        &["project and design"],
        "",
    ),
    s(
        "Functions and features",
        Some("Project Design"),
        &["functions and features"],
        &["features"],
        "",
    ),
    s(
        "Security functions and features",
        Some("Functions and features"),
        &["security functions and features"],
        &[],
        "",
    ),
    s(
        "Configuration and Set-Up",
        None,
        &["configuration and set up", "configuration and setup"],
        &[],
        "",
    ),
    s(
        "Project Compliance",
        None,
        &["project compliance"],
        &["compliance"],
        "",
    ),
    s("Security Analysis", None, &["security analysis"], &[], ""),
    s(
        "Attacker Motivations",
        Some("Security Analysis"),
        &["attacker motivations"],
        &["attacker motivation"],
        "",
    ),
    s(
        "Predisposing Conditions",
        Some("Security Analysis"),
        &["predisposing conditions"],
        &[],
        "",
    ),
    s(
        "Expected Attacker Capabilities",
        Some("Security Analysis"),
        &["expected attacker capabilities"],
        &["attacker capabilities"],
        "",
    ),
    s(
        "Attack Risks and Effects",
        Some("Security Analysis"),
        &["attack risks and effects"],
        &[],
        "",
    ),
    s(
        "Security Degradation",
        Some("Security Analysis"),
        &["security degradation"],
        &["security degradation *"],
        "",
    ),
    s(
        "Compensating Mechanisms",
        Some("Security Analysis"),
        &["compensating mechanisms"],
        &[],
        "",
    ),
    s(
        "Threat Model",
        None,
        &["threat model"],
        &["threat modeling", "threat modelling", "threat model *"],
        "",
    ),
    s(
        "Secure Development Practices",
        None,
        &["secure development practices"],
        &["security hygiene and secure development practices"],
        "",
    ),
    s(
        "Security Issue Resolution",
        None,
        &["security issue resolution"],
        ISSUE_RESOLUTION_VARIANTS,
        "",
    ),
    s(
        "Closed security issues and vulnerabilities",
        Some("Security Issue Resolution"),
        &["closed security issues and vulnerabilities"],
        &["closed security issues*"],
        "",
    ),
    s(
        "Hands-on assessment",
        None,
        &["hands on assessment"],
        &["hands on review", "hands on assessments"],
        "",
    ),
    s("Roadmap", None, &["roadmap"], &[], ""),
    s("Appendix", None, &["appendix"], &["appendix *", "appendices"], ""),
];

/// Headings that mark a document as following the joint-assessment outline rather than the
/// summary template (dragonfly and wasmedge put summaries in `joint-assessment.md`).
pub(crate) const JOINT_SIGNATURE: &[&str] = &[
    "metadata",
    "security analysis",
    "project design",
    "intended use",
    "configuration and set up",
    "hands on assessment",
    "threat model",
    "joint assessment use",
    "joint review use",
    "security issue resolution",
    "secure development practices",
];

/// A metadata table row.
pub(crate) struct Row {
    pub name: &'static str,
    pub fact: FactKey,
    /// Normalised first-cell texts (glob patterns).
    pub keys: &'static [&'static str],
    pub since: &'static str,
}

const SOFTWARE_KEYS: &[&str] = &[
    "software",
    "project home",
    "software repositories",
    "software repository",
    "repository",
    "repositories",
];
const LANGUAGE_KEYS: &[&str] = &[
    "languages",
    "language",
    "* languages",
    "* language",
    "language(s)",
];
const SBOM_KEYS: &[&str] = &["sbom", "sbom *", "software bill of materials"];

pub(crate) const SELF_ROWS: &[Row] = &[
    Row {
        name: "Assessment Stage",
        fact: FactKey::Status,
        keys: &["assessment stage"],
        since: "2024-01-08",
    },
    Row {
        name: "Software",
        fact: FactKey::Software,
        keys: SOFTWARE_KEYS,
        since: "",
    },
    Row {
        name: "Security Provider",
        fact: FactKey::SecurityProvider,
        keys: &["security provider"],
        since: "",
    },
    Row {
        name: "Languages",
        fact: FactKey::Languages,
        keys: LANGUAGE_KEYS,
        since: "2021-02-23",
    },
    Row {
        name: "SBOM",
        fact: FactKey::Sbom,
        keys: SBOM_KEYS,
        since: "2021-02-23",
    },
];

pub(crate) const JOINT_ROWS: &[Row] = &[
    Row {
        name: "Software",
        fact: FactKey::Software,
        keys: SOFTWARE_KEYS,
        since: "",
    },
    Row {
        name: "Security Provider",
        fact: FactKey::SecurityProvider,
        keys: &["security provider"],
        since: "",
    },
    Row {
        name: "Languages",
        fact: FactKey::Languages,
        keys: LANGUAGE_KEYS,
        since: "",
    },
    Row {
        name: "SBOM",
        fact: FactKey::Sbom,
        keys: SBOM_KEYS,
        since: "",
    },
];

/// Labelled lines of the summary template (`Completed: …`).
pub(crate) const COMPLETED_LABELS: &[&str] = &["completed", "date completed"];
pub(crate) const REVIEWERS_LABELS: &[&str] = &[
    "security reviewers",
    "security reviewer(s)",
    "security reviewer",
    "reviewers",
];
pub(crate) const LEAD_LABELS: &[&str] = &["project security lead", "security lead"];
pub(crate) const TRACKING_LABELS: &[&str] = &["tracking issue"];
pub(crate) const VERSION_LABELS: &[&str] = &[
    "version covered",
    "project version reviewed",
    "version reviewed",
    "release covered",
    "version",
];

pub(crate) const CNCF_RECS: (&[&str], &[&str]) = (
    &["cncf recommendations"],
    &[
        "recommendations * cncf",
        "recommendations to cncf",
        "recommendations for cncf",
        "feedback to cncf*",
        "feedback to the cncf*",
        "suggestions to cncf*",
        "suggestions to the cncf*",
        "suggestions for cncf*",
        "recommended cncf requests",
        "cncf requests",
    ],
);
pub(crate) const PROJECT_RECS: (&[&str], &[&str]) = (
    &["project recommendations"],
    &[
        "recommendations * project team",
        "recommendations * project",
        "recommendations to * team",
        "recommendations for * team",
        "feedback to * team",
        "feedback to the project*",
        "suggestions to the project*",
        "suggestions for the project*",
        "tag recommendation*",
    ],
);
pub(crate) const ADDITIONAL_RECS: (&[&str], &[&str]) = (
    &["additional recommendations"],
    &["other recommendations", "additional recommendations *"],
);

/// A security-pals programme issue that documents link but that is not a tracking issue.
pub(crate) const NOT_TRACKING: &str = "tag-security/issues/1102";

#[cfg(test)]
mod tests {
    use super::super::view::normalise;
    use super::*;

    #[test]
    fn names_are_written_normalised() {
        let lists = [SELF_CURRENT, SELF_2019, JOINT];
        for section in lists.iter().flat_map(|l| l.iter()) {
            for name in section.names {
                assert_eq!(&normalise(name), name, "{}", section.name);
            }
            for pattern in section.variants {
                for part in pattern.split('*') {
                    let t = part.trim();
                    assert!(t.is_empty() || normalise(t) == t, "{pattern}");
                }
            }
        }
        for key in JOINT_SIGNATURE {
            assert_eq!(&normalise(key), key);
        }
        for labels in [
            COMPLETED_LABELS,
            REVIEWERS_LABELS,
            LEAD_LABELS,
            TRACKING_LABELS,
            VERSION_LABELS,
        ] {
            for label in labels {
                assert_eq!(&normalise(label), label);
            }
        }
    }

    #[test]
    fn parents_exist() {
        for list in [SELF_CURRENT, SELF_2019, JOINT] {
            for section in list {
                if let Some(parent) = section.parent {
                    assert!(list.iter().any(|s| s.name == parent), "{parent}");
                }
            }
        }
    }
}
