//! The version coverage page: which release each package's assessment covers, how far the
//! project has moved on since, and when its yearly review falls due.

use serde::Serialize;

use super::Renderer;
use crate::analyse::links::relative_url;
use crate::coverage::{Behind, Claim, Coverage, CoveredRelease, Row};
use crate::error::Result;
use crate::model::Unit;
use crate::output::{Content, OutputFile};
use crate::render::svg;

/// Where the coverage page lives.
pub(super) const COVERAGE_URL: &str = "coverage/index.html";
/// The coverage page's data.
const COVERAGE_API: &str = "api/coverage.json";

/// The coverage table row id for a unit (`fluentd/fluent-bit` → `p-fluentd--fluent-bit`).
pub(super) fn coverage_anchor(slug: &str) -> String {
    format!("p-{}", slug.replace('/', "--"))
}

impl Renderer<'_> {
    pub(super) fn coverage_page(&self) -> Result<OutputFile> {
        self.page(COVERAGE_URL, "coverage.html", |context| {
            self.fill_common(context, COVERAGE_URL, "Version coverage", "coverage");
            let cov = &self.analysis.coverage;
            let rows: Vec<CoverageRowView> = cov
                .rows
                .iter()
                .map(|row| self.coverage_row(row, self.units.get(row.slug.as_str()).copied()))
                .collect();
            let marks: Vec<svg::Mark> = cov
                .rows
                .iter()
                .filter_map(|row| {
                    Some(svg::Mark {
                        label: row.name.clone(),
                        date: row.completed.as_ref()?.value.clone(),
                        path: row.path.to_owned(),
                        stale: row.renewal.due == Some(true),
                    })
                })
                .collect();
            context.insert("rows", &rows);
            context.insert("totals", &cov.totals);
            context.insert("today", &cov.today);
            context.insert("renewal_months", &cov.renewal_months);
            context.insert("has_git", &self.analysis.changed.is_some());
            context.insert("releases_source", &cov.releases_source);
            context.insert(
                "coverage_svg",
                &svg::responsive(|fit| {
                    svg::coverage_bar("coverage-bars", &cov.totals, cov.renewal_months, fit)
                }),
            );
            context.insert(
                "timeline_svg",
                &svg::responsive(|fit| svg::timeline("coverage-timeline", &marks, cov.today.as_deref(), fit)),
            );
        })
    }

    /// `api/coverage.json`: what the coverage page shows, as data: every row with its claims
    /// and their provenance, the latest and covered releases and the lag. Written on every
    /// build, never kept: a few dozen KiB, so digesting it to key it costs what writing does.
    pub(super) fn coverage_api(&self) -> OutputFile {
        #[derive(Serialize)]
        struct Document<'c> {
            schema_version: u32,
            tool: &'static str,
            tool_version: &'static str,
            coverage: &'c Coverage,
        }
        let document = Document {
            schema_version: 1,
            tool: "tssa",
            tool_version: env!("CARGO_PKG_VERSION"),
            coverage: &self.analysis.coverage,
        };
        // Plain data of strings, numbers and maps: serialising it cannot fail.
        let mut bytes = serde_json::to_vec_pretty(&document).unwrap_or_default();
        bytes.push(b'\n');
        OutputFile {
            path: COVERAGE_API.into(),
            content: Content::Bytes(bytes),
        }
    }

    /// One table row. `unit` is the row's unit, looked up by slug; without it sources keep
    /// their full paths and the last change is unknown.
    fn coverage_row(&self, row: &Row, unit: Option<&Unit>) -> CoverageRowView {
        // Paths from the unit folder keep the table narrow; the link goes to the page.
        let prefix = unit.map(|u| format!("{}/", u.dir));
        let shorten = |describe: &str| match &prefix {
            Some(prefix) => describe.replace(prefix.as_str(), ""),
            None => describe.to_owned(),
        };
        let claim_view = |claim: &Claim| ClaimView {
            value: claim.value.clone(),
            describe: shorten(&claim.describe),
            url: self.doc_link(claim.source.file(), COVERAGE_URL),
        };
        CoverageRowView {
            anchor: coverage_anchor(&row.slug),
            name: row.name.clone(),
            url: relative_url(COVERAGE_URL, &format!("projects/{}/", row.slug)),
            path: row.path,
            no_version: row.no_version,
            claims: [
                row.self_version.as_ref().map(claim_view),
                row.joint_version.as_ref().map(claim_view),
            ],
            pinned: row.pinned.as_ref().filter(|_| row.no_version).map(claim_view),
            completed: row.completed.as_ref().map(|c| c.value.clone()),
            latest: row.latest.as_ref().map(|l| l.value.clone()),
            latest_published: row.latest.as_ref().and_then(|l| l.published.clone()),
            latest_source: row.latest.as_ref().map(|l| shorten(&l.describe)),
            repository: row.repository.clone(),
            covered: row.covered_release.clone(),
            lag: row.lag.map(|lag| lag.label()),
            behind: match &row.behind {
                Behind::Unknown { .. } => "unknown".to_owned(),
                known => known.label(),
            },
            behind_reason: match &row.behind {
                Behind::Unknown { reason } => Some(*reason),
                _ => None,
            },
            behind_class: row.behind.class(),
            renewal_due: row.renewal.due == Some(true),
            due_on: row.renewal.due_on.clone(),
            last_changed: unit.and_then(|unit| self.last_changed(unit)),
        }
    }

    /// The newest git date among the unit's documents; `None` without git dates.
    fn last_changed(&self, unit: &Unit) -> Option<String> {
        let dates = self.analysis.changed.as_ref()?;
        unit.documents
            .iter()
            .filter_map(|d| dates.get(d.source.as_str()))
            .max()
            .cloned()
    }
}

#[derive(Serialize)]
struct ClaimView {
    value: String,
    describe: String,
    url: Option<String>,
}

#[derive(Serialize)]
struct CoverageRowView {
    anchor: String,
    name: String,
    url: String,
    path: &'static str,
    no_version: bool,
    /// The self-assessment's claim, then the joint assessment's.
    claims: [Option<ClaimView>; 2],
    /// Shown only when no version is stated.
    pinned: Option<ClaimView>,
    completed: Option<String>,
    latest: Option<String>,
    latest_published: Option<String>,
    latest_source: Option<String>,
    /// `owner/name` of the project's repository in the releases data.
    repository: Option<String>,
    covered: Option<CoveredRelease>,
    /// `3 releases and 14 months`.
    lag: Option<String>,
    behind: String,
    /// Why the distance is unknown.
    behind_reason: Option<&'static str>,
    behind_class: &'static str,
    renewal_due: bool,
    due_on: Option<String>,
    last_changed: Option<String>,
}
