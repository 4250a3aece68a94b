//! `check --changed-since`: the verdict limited to what a change touches, as `--project`
//! limits it to named units. A filter over the one analysis; it judges nothing itself.
//!
//! In scope: every unit holding a changed file (the innermost, for nested units), with all its
//! findings; the findings in changed files and folders outside units (process pages, a stray
//! folder); the link findings at links that lead into a changed file or folder, wherever they
//! sit (a renamed or deleted file breaks links in files the change never touched); and the
//! findings about no file. A change to the configuration, the theme or the releases data
//! puts everything in scope (`Changes::everything_because`).

use std::collections::BTreeSet;

use crate::analyse::links::link_path;
use crate::diagnostic::Diagnostic;
use crate::gitchanges::Changes;
use crate::model::Site;

use super::{Report, UnitReport};

/// What the filter kept, for the line that tells the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole site, and why.
    Everything(String),
    /// These units (slugs), and findings in or caused by the changed files.
    Touched { units: Vec<String>, files: usize },
}

impl Scope {
    /// The line that tells the user what `--changed-since reference` judged.
    pub fn describe(&self, reference: &str) -> String {
        match self {
            Scope::Everything(why) => format!("changed since {reference}: {why}; judging every unit"),
            Scope::Touched { units, files } => {
                let files = match files {
                    1 => "1 file".to_owned(),
                    n => format!("{n} files"),
                };
                let units = match units.as_slice() {
                    [] => "no unit".to_owned(),
                    some => some.join(", "),
                };
                format!(
                    "changed since {reference}: {files}; judging {units} and the findings the changes cause"
                )
            }
        }
    }
}

/// The report and findings limited to what `changes` touches. `everything` is
/// [`Changes::everything_because`], asked by the caller (it reads the file system).
pub fn restrict_to_changes(
    site: &Site,
    report: &Report,
    findings: &[Diagnostic],
    changes: &Changes,
    everything: Option<String>,
) -> (Report, Vec<Diagnostic>, Scope) {
    if let Some(why) = everything {
        return (report.clone(), findings.to_vec(), Scope::Everything(why));
    }
    let touched: BTreeSet<&str> = changes.files.keys().filter_map(|f| owner(report, f)).collect();
    let units: Vec<UnitReport> = report
        .units
        .iter()
        .filter(|u| touched.contains(u.dir.as_str()))
        .cloned()
        .collect();
    let linking = links_into_changes(site, changes);
    let kept = findings
        .iter()
        .filter(|d| match &d.file {
            None => true,
            Some(file) => {
                owner(report, file).is_some_and(|dir| touched.contains(dir))
                    || changes.touches(file)
                    || (d.code.starts_with("link/")
                        && d.line
                            .is_some_and(|line| linking.contains(&(file.as_str(), line))))
            }
        })
        .cloned()
        .collect();
    let scope = Scope::Touched {
        units: units.iter().map(|u| u.slug.clone()).collect(),
        files: changes.files.len(),
    };
    (Report { units }, kept, scope)
}

/// The unit folder holding `file`: the innermost, so a change in `fluentd/fluent-bit` is
/// fluent-bit's, not fluentd's.
fn owner<'r>(report: &'r Report, file: &str) -> Option<&'r str> {
    report
        .units
        .iter()
        .map(|u| u.dir.as_str())
        .filter(|dir| {
            file.strip_prefix(dir)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .max_by_key(|dir| dir.len())
}

/// (document, line) of every link that leads into a changed file or folder.
fn links_into_changes<'s>(site: &'s Site, changes: &Changes) -> BTreeSet<(&'s str, usize)> {
    site.documents()
        .flat_map(|doc| {
            doc.outline
                .links
                .iter()
                .filter(|link| link_path(&doc.source, &link.dest).is_some_and(|p| changes.touches(&p)))
                .map(|link| (doc.source.as_str(), link.line))
        })
        .collect()
}
