//! TSSA completeness rules over the model: which checklist items each package passes, with
//! evidence, and findings (stable rule ids, levels, file:line, help) for what it lacks.
//!
//! Everything here is a pure function of the [`Site`] and a [`CheckConfig`]: no I/O, no
//! printing. [`format`] turns a [`Report`] into text for people, JSON or GitHub annotations,
//! and [`badge`] draws a status badge.
//!
//! The honesty rule runs through the whole module: an item that no file can show (a
//! presentation, conflict statements, a survey, a co-chair's approval) is *not evidenced*
//! unless declared, never *missing*; and a package is judged by the rule set of its time.

mod changed;
mod coi;
mod documents;
mod findings;
pub mod format;
mod item_id;
mod items;
mod outlines;
mod rules;
mod ruleset;
mod view;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::calendar::Date;
use crate::diagnostic::{Diagnostic, Level};
use crate::model::{RelPath, Site, Unit};

pub use changed::{Scope, restrict_to_changes};
pub use item_id::ItemId;
pub use rules::{RULES, Rule, rule_by_id};
pub use ruleset::{Ruleset, UnknownRuleset};

/// How to judge: the site-wide defaults from `book.toml`.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// The rule set for packages that do not declare one (`book.toml`). When unset, the
    /// completion date decides, then `tssa-2021`.
    pub default_ruleset: Option<Ruleset>,
    /// Rule id → new level; `None` turns the rule off.
    pub levels: BTreeMap<String, Option<Level>>,
    /// Today's date (ISO) for the renewal check; `None` leaves renewal unjudged, so reports
    /// stay reproducible.
    pub today: Option<Date>,
    /// Months after completion before a renewal is due (`[coverage] renewal_months`), the
    /// same period the coverage page uses.
    pub renewal_months: u32,
}

// By hand: a derived default would make renewal due at completion (0 months).
impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            default_ruleset: None,
            levels: BTreeMap::new(),
            today: None,
            renewal_months: crate::config::DEFAULT_RENEWAL_MONTHS,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// In the order of `site.units`.
    pub units: Vec<UnitReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitReport {
    pub slug: String,
    pub name: String,
    /// Source folder from the site root.
    pub dir: RelPath,
    /// `self` (abbreviated / new-project path) or `joint`.
    pub path: String,
    pub ruleset: Ruleset,
    /// Where the rule set came from: `front matter`, `tssa.yaml`, `book.toml`,
    /// `completed 2020-04-28` or `default`.
    pub ruleset_reason: String,
    /// The package's normalised document status (`incomplete`, `complete`, …), if stated.
    pub status: Option<String>,
    /// A1–A4 then B0–B12, always all of them (items of the other path are not applicable).
    pub items: Vec<ItemResult>,
    /// Sorted by file, line, then rule id.
    pub findings: Vec<Diagnostic>,
    /// Findings silenced by an exemption, with its reason.
    pub exempted: Vec<ExemptedFinding>,
    pub passed: usize,
    /// Items that are neither not applicable nor exempt.
    pub required: usize,
}

impl UnitReport {
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|d| d.level == level).count()
    }
    /// How many of the checklist's items are in `state`.
    pub fn items_in(&self, state: ItemState) -> usize {
        self.items.iter().filter(|i| i.state == state).count()
    }
    /// Every required item passed.
    pub fn is_complete(&self) -> bool {
        self.passed == self.required
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ExemptedFinding {
    pub finding: Diagnostic,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemState {
    Passed,
    /// A file could show it, and none does.
    Missing,
    /// No file can show it and nothing declares it.
    NotEvidenced,
    /// Declared exempt, with a reason.
    Exempt,
    /// Not part of this package's path or rule set.
    NotApplicable,
}

impl ItemState {
    pub fn label(self) -> &'static str {
        match self {
            ItemState::Passed => "passed",
            ItemState::Missing => "missing",
            ItemState::NotEvidenced => "not evidenced",
            ItemState::Exempt => "exempt",
            ItemState::NotApplicable => "not applicable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub note: String,
}

/// Where in the process documents an item comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessRef {
    /// Path relative to the process folder (`guide/README.md`).
    pub doc: String,
    /// The heading text in that document; link it as `#<github id of this text>`.
    pub heading: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemResult {
    /// `A1`–`A4`, `B0`–`B12`.
    pub id: ItemId,
    pub title: String,
    /// The process step the item belongs to, for grouping.
    pub step: String,
    pub state: ItemState,
    pub evidence: Vec<Evidence>,
    pub process_ref: ProcessRef,
    pub note: Option<String>,
}

/// Judges every unit of the site. Process links point at headings of `site.process`.
pub fn check(site: &Site, config: &CheckConfig) -> Report {
    let process = items::ProcessIndex::new(&site.process);
    Report {
        units: site
            .units
            .par_iter()
            .map(|unit| items::judge(unit, config, &process))
            .collect(),
    }
}

/// Judges one unit. Without the site's process documents, process links use the headings of
/// the current guide.
pub fn check_unit(unit: &Unit, config: &CheckConfig) -> UnitReport {
    items::judge(unit, config, &items::ProcessIndex::new(&[]))
}

/// Applies `config.levels` to diagnostics that did not come from [`check`] (the parsers'
/// site diagnostics), so one `[check.levels]` table governs every rule id.
pub fn apply_levels(diagnostics: &mut Vec<Diagnostic>, levels: &BTreeMap<String, Option<Level>>) {
    diagnostics.retain_mut(|d| match levels.get(&d.code) {
        Some(None) => false,
        Some(Some(level)) => {
            d.level = *level;
            true
        }
        None => true,
    });
}

/// Whether the run failed: any error, or any warning when warnings are denied.
pub fn has_errors(report: &Report, site_diagnostics: &[Diagnostic], deny_warnings: bool) -> bool {
    let fails = |d: &Diagnostic| d.level == Level::Error || (deny_warnings && d.level == Level::Warning);
    site_diagnostics.iter().any(fails) || report.units.iter().flat_map(|u| &u.findings).any(fails)
}

/// Whether `name` (from `--project`) names this unit: its slug or its folder path, or the last
/// component of either, compared case-insensitively.
pub fn matches_project(unit: &UnitReport, name: &str) -> bool {
    let name = name.trim().trim_end_matches('/');
    let last = |p: &str| p.rsplit('/').next().unwrap_or(p).to_owned();
    [unit.slug.as_str(), unit.dir.as_str()].iter().any(|c| {
        c.eq_ignore_ascii_case(name) || c.to_lowercase().ends_with(&format!("/{}", name.to_lowercase()))
    }) || last(&unit.dir).eq_ignore_ascii_case(name)
        || last(&unit.slug).eq_ignore_ascii_case(name)
}

/// Restricts a report (and the site diagnostics) to the named projects, so a pull request is
/// gated on the package it touches. Site diagnostics without a file are kept; those in files
/// outside the chosen units are dropped. `Err` lists the names that matched no unit.
pub fn restrict(
    report: &Report,
    site_diagnostics: &[Diagnostic],
    names: &[String],
) -> Result<(Report, Vec<Diagnostic>), Vec<String>> {
    let unmatched: Vec<String> = names
        .iter()
        .filter(|n| !report.units.iter().any(|u| matches_project(u, n)))
        .cloned()
        .collect();
    if !unmatched.is_empty() {
        return Err(unmatched);
    }
    let units: Vec<UnitReport> = report
        .units
        .iter()
        .filter(|u| names.iter().any(|n| matches_project(u, n)))
        .cloned()
        .collect();
    let inside = |file: &str| {
        units.iter().any(|u| {
            file.strip_prefix(u.dir.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    };
    let diagnostics = site_diagnostics
        .iter()
        .filter(|d| d.file.as_deref().is_none_or(inside))
        .cloned()
        .collect();
    Ok((Report { units }, diagnostics))
}
