//! Which rulebook a package is judged by. The TSSA process changed over the years, and a 2020
//! joint review must not be failed for lacking sections the template gained in 2023
//! (`tssa-rules.md` §0).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::model::{FactKey, Provenance, Unit};

/// A rulebook of the TSSA process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Ruleset {
    /// The single `assessments/guide/outline.md` used from 2019-04 to 2021-02.
    #[serde(rename = "tssa-2019")]
    Tssa2019,
    /// The process text the project was started from (PR #488, 2021-02).
    #[serde(rename = "tssa-2021")]
    Tssa2021,
    /// The guide as rewritten by PR #1410 on 2024-11-30.
    #[serde(rename = "tssa-2024-11")]
    Tssa2024_11,
}

impl Ruleset {
    pub const ALL: [Ruleset; 3] = [Ruleset::Tssa2019, Ruleset::Tssa2021, Ruleset::Tssa2024_11];

    pub fn id(self) -> &'static str {
        match self {
            Ruleset::Tssa2019 => "tssa-2019",
            Ruleset::Tssa2021 => "tssa-2021",
            Ruleset::Tssa2024_11 => "tssa-2024-11",
        }
    }

    /// The date of the template the rule set starts from: anything added to the templates on
    /// or before it is required of every package judged by the rule set.
    pub(crate) fn baseline(self) -> &'static str {
        match self {
            Ruleset::Tssa2019 => "2019-04-01",
            Ruleset::Tssa2021 => "2021-02-23",
            Ruleset::Tssa2024_11 => "2024-11-30",
        }
    }

    /// The first date the rule set no longer covers: template additions from then on belong
    /// to a later rule set and are never required by this one.
    pub(crate) fn end(self) -> &'static str {
        match self {
            Ruleset::Tssa2019 => "2021-02-23",
            Ruleset::Tssa2021 => "2024-11-30",
            Ruleset::Tssa2024_11 => "9999-12-31",
        }
    }

    /// The lead reviewer plus this many additional reviewers.
    pub(crate) fn min_reviewers(self) -> usize {
        match self {
            Ruleset::Tssa2019 | Ruleset::Tssa2021 => 2,
            Ruleset::Tssa2024_11 => 3,
        }
    }

    /// The rule set in force when a package completed on `date` (ISO, possibly `YYYY-MM`).
    pub fn for_completion_date(date: &str) -> Option<Ruleset> {
        if !looks_iso(date) {
            return None;
        }
        // Plain string order is date order for ISO dates, and a month-precision date sorts
        // before every day of its month, which is the conservative reading at a boundary.
        Some(if date < "2021-02" {
            Ruleset::Tssa2019
        } else if date < "2024-11-30" {
            Ruleset::Tssa2021
        } else {
            Ruleset::Tssa2024_11
        })
    }
}

impl fmt::Display for Ruleset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A rule set id that tssa does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRuleset(pub String);

impl fmt::Display for UnknownRuleset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown rule set `{}`; expected tssa-2019, tssa-2021 or tssa-2024-11",
            self.0
        )
    }
}

impl std::error::Error for UnknownRuleset {}

impl FromStr for Ruleset {
    type Err = UnknownRuleset;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        Ruleset::ALL
            .into_iter()
            .find(|r| r.id() == t)
            .ok_or_else(|| UnknownRuleset(s.trim().to_owned()))
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` with digits where digits belong.
pub(crate) fn looks_iso(date: &str) -> bool {
    let b = date.as_bytes();
    matches!(b.len(), 4 | 7 | 10)
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// The chosen rule set, why, and a problem with a declared one (if any).
pub(crate) struct Choice {
    pub ruleset: Ruleset,
    pub reason: String,
    /// A declared rule set that could not be read: (value as written, where).
    pub unknown: Option<(String, Provenance)>,
}

/// Front matter (or sidecar) → `book.toml` → completion date → `tssa-2021`.
pub(crate) fn choose(unit: &Unit, default: Option<Ruleset>) -> Choice {
    let mut unknown = None;
    if let Some(fact) = unit.fact(FactKey::Ruleset) {
        match fact.value.parse::<Ruleset>() {
            Ok(ruleset) => {
                let reason = match &fact.source {
                    Provenance::FrontMatter { .. } => "front matter".to_owned(),
                    Provenance::Sidecar { .. } => "tssa.yaml".to_owned(),
                    other => other.describe(),
                };
                return Choice {
                    ruleset,
                    reason,
                    unknown: None,
                };
            }
            Err(_) => unknown = Some((fact.raw.clone(), fact.source.clone())),
        }
    }
    if let Some(ruleset) = default {
        return Choice {
            ruleset,
            reason: "book.toml".to_owned(),
            unknown,
        };
    }
    if let Some(date) = completed(unit)
        && let Some(ruleset) = Ruleset::for_completion_date(date)
    {
        return Choice {
            ruleset,
            reason: format!("completed {date}"),
            unknown,
        };
    }
    Choice {
        ruleset: Ruleset::Tssa2021,
        reason: "default".to_owned(),
        unknown,
    }
}

/// The package's completion date, when it is a usable ISO date.
pub(crate) fn completed(unit: &Unit) -> Option<&str> {
    unit.fact(FactKey::Completed)
        .map(|f| f.value.trim())
        .filter(|d| looks_iso(d))
}

/// Whether something added to the templates on `since` is required of this package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Required,
    /// Added during the rule set's era, and the package's date is unknown.
    Unknown,
    NotRequired,
}

/// `era` is the package's own date (its completion date), when known.
pub(crate) fn need(since: &str, ruleset: Ruleset, era: Option<&str>) -> Need {
    if since.is_empty() || since <= ruleset.baseline() {
        return Need::Required;
    }
    if since >= ruleset.end() {
        return Need::NotRequired;
    }
    match era {
        Some(date) if date >= since => Need::Required,
        Some(_) => Need::NotRequired,
        None => Need::Unknown,
    }
}
