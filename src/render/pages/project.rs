//! A unit's pages: its status page (facts, checklist, findings, documents, assets), the
//! badge, and one page per document.

use std::collections::HashMap;

use serde::Serialize;

use super::coverage::{COVERAGE_URL, coverage_anchor};
use super::urls::is_url;
use super::{Crumb, Link, Renderer};
use crate::analyse::links::relative_url;
use crate::check::{ItemResult, ItemState, UnitReport};
use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::model::{Document, FactValue, RelPath, Unit};
use crate::output::{Content, OutputFile};
use crate::render::badge;

impl Renderer<'_> {
    /// The unit's document pages, its assets, its badge (when it was judged) and its status
    /// page.
    pub(super) fn unit_pages(&self, unit: &Unit) -> Result<Vec<OutputFile>> {
        let report = self.unit_report(unit);
        let mut files = Vec::new();
        let nav: Vec<&Document> = unit.documents.iter().collect();
        for (index, doc) in unit.documents.iter().enumerate() {
            files.push(self.unit_document_page(unit, doc, &nav, index)?);
        }
        for asset in &unit.assets {
            files.push(OutputFile {
                path: asset.url.clone(),
                content: Content::Copy(self.config.root.join(&asset.source)),
            });
        }
        if let Some(report) = report {
            files.push(OutputFile {
                path: format!("projects/{}/badge.svg", unit.slug).into(),
                content: Content::Bytes(badge::badge_svg(report).into_bytes()),
            });
        }
        let page_url = format!("projects/{}/index.html", unit.slug);
        let diagnostics = self.unit_diagnostics(unit, report);
        let context = self.unit_context(unit, report, &diagnostics, &page_url);
        files.push(self.page(&page_url, "project.html", context)?);
        Ok(files)
    }

    fn unit_document_page(
        &self,
        unit: &Unit,
        doc: &Document,
        nav: &[&Document],
        index: usize,
    ) -> Result<OutputFile> {
        let mut context = self.document_context(doc, "projects");
        context.insert("nav_label", &unit.name);
        let all = format!(
            "{}#documents",
            relative_url(&doc.url, &format!("projects/{}/", unit.slug))
        );
        self.nav(&doc.url, nav, Some(index), all)
            .insert_into(&mut context);
        let crumbs = vec![
            Crumb {
                title: "Projects".into(),
                url: Some(relative_url(&doc.url, "")),
            },
            Crumb {
                title: unit.name.clone(),
                url: Some(relative_url(&doc.url, &format!("projects/{}/", unit.slug))),
            },
            Crumb {
                title: doc.title.clone(),
                url: None,
            },
        ];
        context.insert("crumbs", &crumbs);
        context.insert("prev", &Option::<Link>::None);
        context.insert("next", &Option::<Link>::None);
        self.page(&doc.url, "document.html", context)
    }

    /// Site-wide findings about files inside the unit's folder plus the checker's findings on
    /// the unit, most severe first, without duplicates.
    fn unit_diagnostics(&self, unit: &Unit, report: Option<&UnitReport>) -> Vec<Diagnostic> {
        let inside = |d: &&Diagnostic| {
            d.file.as_deref().is_some_and(|f| {
                f.strip_prefix(unit.dir.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        let mut diagnostics: Vec<Diagnostic> =
            self.analysis.findings.iter().filter(inside).cloned().collect();
        if let Some(report) = report {
            diagnostics.extend(report.findings.iter().cloned());
        }
        diagnostics
            .sort_by(|a, b| (b.level, &a.file, a.line, &a.code).cmp(&(a.level, &b.file, b.line, &b.code)));
        diagnostics.dedup();
        diagnostics
    }

    fn unit_context(
        &self,
        unit: &Unit,
        report: Option<&UnitReport>,
        diagnostics: &[Diagnostic],
        page_url: &str,
    ) -> tera::Context {
        let mut context = self.context(page_url, &unit.name, "projects");
        context.insert("unit", &UnitView::new(unit, report));
        let crumbs: Vec<&str> = unit.slug.split('/').collect();
        context.insert("crumbs", &crumbs);
        context.insert("badge_url", &report.map(|_| "badge.svg"));
        context.insert(
            "checklist",
            &report.map(|r| self.checklist(r, page_url)).unwrap_or_default(),
        );
        context.insert("findings", &self.finding_views(diagnostics, page_url));
        context.insert("facts", &self.fact_views(unit, page_url));
        let documents: Vec<DocView> = unit
            .documents
            .iter()
            .map(|d| DocView {
                title: d.title.clone(),
                kind: d.kind.label(),
                file: d.rel.clone(),
                url: relative_url(page_url, &d.url),
            })
            .collect();
        context.insert("documents", &documents);
        let assets: Vec<AssetView> = unit
            .assets
            .iter()
            .map(|a| AssetView {
                // The name the author gave it: the published one may be shortened or renamed.
                name: a
                    .source
                    .strip_prefix(&format!("{}/", unit.dir))
                    .unwrap_or(&a.source)
                    .to_owned(),
                url: relative_url(page_url, &a.url),
                size: crate::fsread::human_bytes(a.size),
            })
            .collect();
        context.insert("assets", &assets);
        context
    }

    /// The unit's facts, led by its version coverage when the coverage page has a row for it.
    fn fact_views(&self, unit: &Unit, page_url: &str) -> Vec<FactView> {
        let mut facts: Vec<FactView> = unit
            .facts
            .iter()
            .map(|(key, fact)| {
                // A value that says "none" links nowhere; the issue it cites is a reference.
                let (href, references) = match FactValue::of(*key, fact) {
                    FactValue::None { references } => (None, references),
                    _ => (is_url(&fact.value).then(|| fact.value.clone()), Vec::new()),
                };
                FactView {
                    label: key.label(),
                    value: fact.value.clone(),
                    raw: fact.raw.clone(),
                    href,
                    references,
                    source: fact.source.describe(),
                    source_url: self.doc_link(fact.source.file(), page_url),
                }
            })
            .collect();
        let coverage = &self.analysis.coverage;
        if let Some(row) = coverage.rows.iter().find(|r| r.slug == unit.slug) {
            let summary = row.summary(coverage.renewal_months);
            let anchor = coverage_anchor(&row.slug);
            facts.insert(
                0,
                FactView {
                    label: "Version coverage",
                    value: summary.clone(),
                    raw: summary,
                    href: None,
                    references: Vec::new(),
                    source: "coverage page".to_owned(),
                    source_url: Some(format!("{}#{anchor}", relative_url(page_url, COVERAGE_URL))),
                },
            );
        }
        facts
    }

    /// Checklist items grouped by process step, in the checker's order; items that do not
    /// apply to this package are left out.
    fn checklist(&self, report: &UnitReport, page_url: &str) -> Vec<StepView> {
        let mut steps: Vec<StepView> = Vec::new();
        for item in report
            .items
            .iter()
            .filter(|i| i.state != ItemState::NotApplicable)
        {
            let view = self.item_view(item, page_url);
            match steps.last_mut() {
                Some(step) if step.step == item.step => step.items.push(view),
                _ => steps.push(StepView {
                    step: item.step.clone(),
                    items: vec![view],
                }),
            }
        }
        steps
    }

    fn item_view(&self, item: &ItemResult, page_url: &str) -> ItemView {
        ItemView {
            id: item.id.to_string(),
            title: item.title.clone(),
            // The kebab-case name api/projects.json uses (`not-evidenced`), one spelling for both.
            state: serde_json::to_value(item.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            state_label: item.state.label(),
            note: item.note.clone(),
            process_url: self.process_link(&item.process_ref.doc, &item.process_ref.heading, page_url),
            evidence: item
                .evidence
                .iter()
                .map(|e| EvidenceView {
                    place: location(e.file.as_deref(), e.line),
                    url: self.doc_link(e.file.as_deref(), page_url),
                    note: e.note.clone(),
                })
                .collect(),
        }
    }

    /// The status page's findings: every one, but no more than [`SHOWN_PER_FILE_AND_CODE`]
    /// of one code in one file, the rest counted in one line after them. A document with
    /// 100,000 broken links made a 42 MB status page that no one could read; `check` and the
    /// build's own output still list every finding.
    fn finding_views(&self, diagnostics: &[Diagnostic], page_url: &str) -> Vec<FindingView> {
        let mut views = Vec::with_capacity(diagnostics.len().min(1000));
        let mut groups: HashMap<(Option<&str>, &str), Group> = HashMap::new();
        for d in diagnostics {
            let group = groups.entry((d.file.as_deref(), d.code.as_str())).or_default();
            group.count += 1;
            if group.count <= SHOWN_PER_FILE_AND_CODE {
                views.push(self.finding_view(d, page_url));
            } else if group.more_at.is_none() {
                group.more_at = Some(views.len());
                let mut more = self.finding_view(d, page_url);
                more.help = Some("tssa check and the build's output list every one".to_owned());
                more.place = d.file.as_deref().map(|f| location(Some(f), None));
                views.push(more);
            }
        }
        for Group { count, more_at } in groups.into_values() {
            if let Some(at) = more_at {
                let more = count - SHOWN_PER_FILE_AND_CODE;
                views[at].message = format!("… and {more} more like these in the same file");
            }
        }
        views
    }

    fn finding_view(&self, d: &Diagnostic, page_url: &str) -> FindingView {
        FindingView {
            level: d.level.to_string(),
            code: d.code.clone(),
            message: d.message.clone(),
            help: d.help.clone(),
            place: d.file.as_deref().map(|f| location(Some(f), d.line)),
            url: self.doc_link(d.file.as_deref(), page_url),
        }
    }
}

/// How many findings of one code in one file a status page lists before it counts the rest.
const SHOWN_PER_FILE_AND_CODE: usize = 20;

/// The findings of one code in one file on a status page: how many, and where the line that
/// counts those not listed stands.
#[derive(Default)]
struct Group {
    count: usize,
    more_at: Option<usize>,
}

/// `file:line`, or just the file.
fn location(file: Option<&str>, line: Option<usize>) -> String {
    match (file, line) {
        (Some(file), Some(line)) => format!("{file}:{line}"),
        (Some(file), None) => file.to_owned(),
        _ => String::new(),
    }
}

#[derive(Serialize)]
struct UnitView {
    name: String,
    path_label: &'static str,
    ruleset: Option<String>,
    ruleset_reason: Option<String>,
    passed: usize,
    required: usize,
}

impl UnitView {
    fn new(unit: &Unit, report: Option<&UnitReport>) -> Self {
        UnitView {
            name: unit.name.clone(),
            path_label: if unit.assessment_path() == "joint" {
                "Joint assessment path"
            } else {
                "Self-assessment (abbreviated) path"
            },
            ruleset: report.map(|r| r.ruleset.to_string()),
            ruleset_reason: report.map(|r| r.ruleset_reason.clone()),
            passed: report.map_or(0, |r| r.passed),
            required: report.map_or(0, |r| r.required),
        }
    }
}

#[derive(Serialize)]
struct FactView {
    label: &'static str,
    value: String,
    raw: String,
    href: Option<String>,
    /// Links a value cites without being one (the issue an SBOM "none" points to).
    references: Vec<String>,
    source: String,
    source_url: Option<String>,
}

#[derive(Serialize)]
struct DocView {
    title: String,
    kind: &'static str,
    file: RelPath,
    url: String,
}

#[derive(Serialize)]
struct AssetView {
    name: String,
    url: String,
    size: String,
}

#[derive(Serialize)]
struct StepView {
    step: String,
    items: Vec<ItemView>,
}

#[derive(Serialize)]
struct ItemView {
    id: String,
    title: String,
    state: String,
    state_label: &'static str,
    note: Option<String>,
    process_url: Option<String>,
    evidence: Vec<EvidenceView>,
}

#[derive(Serialize)]
struct EvidenceView {
    place: String,
    url: Option<String>,
    note: String,
}

#[derive(Serialize)]
struct FindingView {
    level: String,
    code: String,
    message: String,
    help: Option<String>,
    place: Option<String>,
    url: Option<String>,
}
