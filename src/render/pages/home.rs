//! The home page: one row per unit with its status and checklist completeness, the filters
//! that narrow the table (applied by `home.js`, from data attributes on each row), and the
//! headline counts.

use std::collections::BTreeSet;

use serde::Serialize;

use super::Renderer;
use crate::check::{ItemState, UnitReport};
use crate::diagnostic::Level;
use crate::error::Result;
use crate::model::{FactKey, Unit};
use crate::output::OutputFile;

/// A column that is empty in most rows shows its values under the project name instead:
/// it stands as a column only when at least this share of rows (in percent) has a value.
const COLUMN_MIN_PERCENT: usize = 20;

impl Renderer<'_> {
    pub(super) fn home_page(&self) -> Result<OutputFile> {
        self.page("index.html", "index.html", |context| {
            self.fill_common(context, "index.html", &self.site.title, "projects");
            let mut rows: Vec<HomeRow> = self
                .site
                .units
                .iter()
                .map(|unit| HomeRow::new(unit, self.unit_report(unit)))
                .collect();
            let show = Shown {
                maturity: worth_a_column(&rows, |r| r.maturity.is_some()),
                version: worth_a_column(&rows, |r| r.version.is_some()),
            };
            for row in &mut rows {
                row.details = show.details(row);
            }
            context.insert("summary", &HomeSummary::of(&rows));
            context.insert("filters", &Filters::of(&rows));
            context.insert("show", &show);
            context.insert("rows", &rows);
            context.insert("intro_html", &Option::<String>::None);
        })
    }
}

/// Whether enough rows have a value for the column to earn its width.
fn worth_a_column(rows: &[HomeRow], has: impl Fn(&HomeRow) -> bool) -> bool {
    let with = rows.iter().filter(|r| has(r)).count();
    with > 0 && with * 100 >= rows.len() * COLUMN_MIN_PERCENT
}

/// Which optional columns stand as columns on this build.
#[derive(Serialize)]
struct Shown {
    maturity: bool,
    version: bool,
}

impl Shown {
    /// The values of the collapsed columns, shown under the row's name.
    fn details(&self, row: &HomeRow) -> Vec<String> {
        let maturity = row.maturity.as_ref().filter(|_| !self.maturity);
        let version = row.version.as_ref().filter(|_| !self.version);
        maturity
            .map(|m| format!("CNCF {m}"))
            .into_iter()
            .chain(version.map(|v| format!("covers {v}")))
            .collect()
    }
}

#[derive(Serialize)]
struct HomeRow {
    name: String,
    group: Option<String>,
    url: String,
    maturity: Option<String>,
    path: &'static str,
    status: Option<String>,
    status_raw: Option<String>,
    status_class: String,
    version: Option<String>,
    completed: Option<String>,
    /// The year of completion, for the year filter.
    year: Option<String>,
    ruleset: Option<&'static str>,
    /// Whether the checker judged the unit (a unit it skipped has no bar).
    judged: bool,
    counts: Counts,
    bar: Bar,
    errors: usize,
    /// Values of columns this build collapsed (see [`Shown::details`]).
    details: Vec<String>,
}

/// Items of the unit's checklist by state; `required` excludes not applicable and exempt.
#[derive(Serialize, Clone, Copy, Default)]
struct Counts {
    passed: usize,
    missing: usize,
    not_evidenced: usize,
    required: usize,
}

impl Counts {
    fn of(report: &UnitReport) -> Counts {
        Counts {
            passed: report.passed,
            missing: report.items_in(ItemState::Missing),
            not_evidenced: report.items_in(ItemState::NotEvidenced),
            required: report.required,
        }
    }
}

/// The stacked completeness bar on a 0–100 scale: each segment's start and width, so the
/// template draws it with SVG attributes (the CSP forbids inline styles).
#[derive(Serialize, Default)]
struct Bar {
    passed: usize,
    missing: usize,
    missing_x: usize,
    not_evidenced: usize,
    not_evidenced_x: usize,
    percent: usize,
}

impl Bar {
    fn of(counts: Counts) -> Bar {
        let Some(scale) = std::num::NonZeroUsize::new(counts.required) else {
            return Bar::default();
        };
        let share = |n: usize| n * 100 / scale.get();
        let passed = share(counts.passed);
        let missing = share(counts.missing);
        // Rounding down leaves a sliver: it goes to the last segment with anything in it.
        let mut not_evidenced = share(counts.not_evidenced);
        let left = 100 - passed - missing - not_evidenced;
        if counts.not_evidenced > 0 {
            not_evidenced += left;
        }
        Bar {
            passed,
            missing: if counts.not_evidenced == 0 && counts.missing > 0 {
                missing + left
            } else {
                missing
            },
            missing_x: passed,
            not_evidenced,
            not_evidenced_x: 100 - not_evidenced,
            percent: passed,
        }
    }
}

impl HomeRow {
    fn new(unit: &Unit, report: Option<&UnitReport>) -> Self {
        let status = unit.fact(FactKey::Status);
        let completed = unit.fact(FactKey::Completed).map(|f| f.value.clone());
        let counts = report.map(Counts::of).unwrap_or_default();
        HomeRow {
            name: unit.name.clone(),
            group: unit.slug.rsplit_once('/').map(|(group, _)| group.to_owned()),
            url: format!("projects/{}/", unit.slug),
            maturity: unit.fact(FactKey::CncfMaturity).map(|f| f.value.clone()),
            path: unit.assessment_path(),
            status: status.map(|f| f.value.clone()),
            status_raw: status.map(|f| f.raw.clone()),
            status_class: status.map(|f| f.value.replace(' ', "-")).unwrap_or_default(),
            version: unit.fact(FactKey::VersionCovered).map(|f| f.value.clone()),
            year: completed.as_deref().and_then(year_of),
            completed,
            ruleset: report.map(|r| r.ruleset.id()),
            judged: report.is_some_and(|r| r.required > 0),
            bar: Bar::of(counts),
            counts,
            errors: report.map_or(0, |r| r.count(Level::Error)),
            details: Vec::new(),
        }
    }
}

/// The leading four-digit year of a date such as `2024-03-01`.
fn year_of(date: &str) -> Option<String> {
    let year = date.get(..4)?;
    year.bytes().all(|b| b.is_ascii_digit()).then(|| year.to_owned())
}

/// The headline counts. "Nothing missing" and "fully evidenced" differ on purpose: an item
/// no file can show (a meeting held, a survey sent) is not evidenced, which is not a gap in
/// the package.
#[derive(Serialize)]
struct HomeSummary {
    units: usize,
    joint: usize,
    self_only: usize,
    judged: usize,
    nothing_missing: usize,
    fully_evidenced: usize,
    with_gaps: usize,
    missing_items: usize,
    not_evidenced_units: usize,
    not_evidenced_items: usize,
}

impl HomeSummary {
    fn of(rows: &[HomeRow]) -> HomeSummary {
        let judged: Vec<&Counts> = rows.iter().filter(|r| r.judged).map(|r| &r.counts).collect();
        let units = |pred: fn(&Counts) -> bool| judged.iter().filter(|c| pred(c)).count();
        HomeSummary {
            units: rows.len(),
            joint: rows.iter().filter(|r| r.path == "joint").count(),
            self_only: rows.iter().filter(|r| r.path == "self").count(),
            judged: judged.len(),
            nothing_missing: units(|c| c.missing == 0),
            fully_evidenced: units(|c| c.passed == c.required),
            with_gaps: units(|c| c.missing > 0),
            missing_items: judged.iter().map(|c| c.missing).sum(),
            not_evidenced_units: units(|c| c.not_evidenced > 0),
            not_evidenced_items: judged.iter().map(|c| c.not_evidenced).sum(),
        }
    }
}

/// The choices of each filter, taken from the rows so no choice ever shows an empty table.
#[derive(Serialize)]
struct Filters {
    paths: BTreeSet<&'static str>,
    statuses: BTreeSet<String>,
    /// Whether some row states no status (offered as "not stated").
    status_unstated: bool,
    rulesets: BTreeSet<&'static str>,
    /// Newest first.
    years: Vec<String>,
}

impl Filters {
    fn of(rows: &[HomeRow]) -> Filters {
        let years: BTreeSet<&String> = rows.iter().filter_map(|r| r.year.as_ref()).collect();
        Filters {
            paths: rows.iter().map(|r| r.path).collect(),
            statuses: rows.iter().filter_map(|r| r.status.clone()).collect(),
            status_unstated: rows.iter().any(|r| r.status.is_none()),
            rulesets: rows.iter().filter_map(|r| r.ruleset).collect(),
            years: years.into_iter().rev().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(passed: usize, missing: usize, not_evidenced: usize) -> Bar {
        Bar::of(Counts {
            passed,
            missing,
            not_evidenced,
            required: passed + missing + not_evidenced,
        })
    }

    #[test]
    fn bar_segments_fill_the_scale_without_overlap() {
        let b = bar(11, 2, 3);
        assert_eq!(b.passed + b.missing + b.not_evidenced, 100);
        assert_eq!(b.missing_x, b.passed);
        assert_eq!(b.not_evidenced_x, b.passed + b.missing);
        let b = bar(1, 2, 0);
        assert_eq!((b.passed, b.missing, b.not_evidenced), (33, 67, 0));
        let b = bar(3, 0, 0);
        assert_eq!((b.passed, b.missing, b.not_evidenced), (100, 0, 0));
        let empty = Bar::of(Counts::default());
        assert_eq!(empty.passed + empty.missing + empty.not_evidenced, 0);
    }

    #[test]
    fn years_are_four_leading_digits() {
        assert_eq!(year_of("2024-03-01").as_deref(), Some("2024"));
        assert_eq!(year_of("March 2024"), None);
        assert_eq!(year_of("2é"), None);
    }
}
