//! The home page: one row per unit with its status and checklist completeness.

use serde::Serialize;

use super::Renderer;
use crate::check::UnitReport;
use crate::diagnostic::Level;
use crate::error::Result;
use crate::model::{FactKey, Unit};
use crate::output::OutputFile;

const COLUMNS: [&str; 7] = [
    "Project",
    "CNCF maturity",
    "Path",
    "Document status",
    "Version covered",
    "Completed",
    "Completeness",
];

impl Renderer<'_> {
    pub(super) fn home_page(&self) -> Result<OutputFile> {
        let mut context = self.context("index.html", &self.site.title, "projects");
        let rows: Vec<HomeRow> = self
            .site
            .units
            .iter()
            .map(|unit| HomeRow::new(unit, self.unit_report(unit)))
            .collect();
        let summary = HomeSummary {
            units: rows.len(),
            joint: rows.iter().filter(|r| r.path == "joint").count(),
            self_only: rows.iter().filter(|r| r.path == "self").count(),
            complete: Some(self.report.units.iter().filter(|u| u.is_complete()).count()),
            with_version: rows.iter().filter(|r| r.version.is_some()).count(),
        };
        context.insert("rows", &rows);
        context.insert("summary", &summary);
        context.insert("columns", &COLUMNS);
        context.insert("intro_html", &Option::<String>::None);
        self.page("index.html", "index.html", context)
    }
}

#[derive(Serialize)]
struct HomeRow {
    name: String,
    group: Option<String>,
    url: String,
    maturity: String,
    path: &'static str,
    status: Option<String>,
    status_raw: Option<String>,
    status_class: String,
    version: Option<String>,
    completed: Option<String>,
    passed: usize,
    required: usize,
    percent: usize,
    errors: usize,
}

impl HomeRow {
    fn new(unit: &Unit, report: Option<&UnitReport>) -> Self {
        let status = unit.fact(FactKey::Status);
        let (passed, required) = report.map_or((0, 0), |r| (r.passed, r.required));
        HomeRow {
            name: unit.name.clone(),
            group: unit.slug.rsplit_once('/').map(|(group, _)| group.to_owned()),
            url: format!("projects/{}/", unit.slug),
            maturity: unit
                .fact(FactKey::CncfMaturity)
                .map_or_else(|| "—".to_owned(), |f| f.value.clone()),
            path: unit.assessment_path(),
            status: status.map(|f| f.value.clone()),
            status_raw: status.map(|f| f.raw.clone()),
            status_class: status.map(|f| f.value.replace(' ', "-")).unwrap_or_default(),
            version: unit.fact(FactKey::VersionCovered).map(|f| f.value.clone()),
            completed: unit.fact(FactKey::Completed).map(|f| f.value.clone()),
            passed,
            required,
            percent: (passed * 100).checked_div(required).unwrap_or(0),
            errors: report.map_or(0, |r| r.count(Level::Error)),
        }
    }
}

#[derive(Serialize)]
struct HomeSummary {
    units: usize,
    joint: usize,
    self_only: usize,
    complete: Option<usize>,
    with_version: usize,
}
