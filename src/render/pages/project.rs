//! A unit's pages: its status page (facts, checklist, findings, documents, assets), the
//! badge, and one page per document.

use std::collections::HashMap;

use serde::Serialize;

use super::coverage::{COVERAGE_URL, coverage_anchor};
use super::urls::blob_url;
use super::{Crumb, Link, Renderer};
use crate::analyse::links::relative_url;
use crate::check::{ItemResult, ItemState, UnitReport};
use crate::diagnostic::{Diagnostic, Level};
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
        files.push(self.page(&page_url, "project.html", |context| {
            self.fill_unit(context, unit, report, &diagnostics, &page_url);
        })?);
        Ok(files)
    }

    fn unit_document_page(
        &self,
        unit: &Unit,
        doc: &Document,
        nav: &[&Document],
        index: usize,
    ) -> Result<OutputFile> {
        self.body_page(&doc.url, "document.html", self.body(doc), |context| {
            self.fill_document(context, doc, "projects");
            context.insert("nav_label", &unit.name);
            let all = format!(
                "{}#documents",
                relative_url(&doc.url, &format!("projects/{}/", unit.slug))
            );
            self.nav(&doc.url, nav, Some(index), all).insert_into(context);
            let mut crumbs = self.crumbs(&doc.url, &unit.slug, true);
            if let Some(last) = crumbs.last_mut() {
                last.title = unit.name.clone();
            }
            crumbs.push(Crumb {
                title: doc.title.clone(),
                url: None,
            });
            context.insert("crumbs", &crumbs);
            context.insert("prev", &Option::<Link>::None);
            context.insert("next", &Option::<Link>::None);
        })
    }

    /// A page for every folder that holds units without being one (`projects/fluentd/`
    /// holding `fluentd/fluent-bit` and `fluentd/fluentd`), listing them with their status.
    pub(super) fn group_pages(&self) -> Result<Vec<OutputFile>> {
        let slugs: std::collections::BTreeSet<&str> =
            self.site.units.iter().map(|u| u.slug.as_str()).collect();
        let mut groups: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
        for slug in &slugs {
            groups.extend(
                slug.match_indices('/')
                    .map(|(at, _)| &slug[..at])
                    .filter(|g| !slugs.contains(g)),
            );
        }
        groups.into_iter().map(|group| self.group_page(group)).collect()
    }

    fn group_page(&self, group: &str) -> Result<OutputFile> {
        let page_url = format!("projects/{group}/index.html");
        let name = group.rsplit('/').next().unwrap_or(group);
        self.page(&page_url, "group.html", |context| {
            self.fill_common(context, &page_url, name, "projects");
            let prefix = format!("{group}/");
            let units: Vec<GroupUnitView> = self
                .site
                .units
                .iter()
                .filter(|u| u.slug.starts_with(&prefix))
                .map(|u| GroupUnitView {
                    name: u.name.clone(),
                    url: relative_url(&page_url, &format!("projects/{}/", u.slug)),
                    status: self.unit_report(u).map_or_else(
                        || "not judged".to_owned(),
                        |r| format!("{} of {} items passed", r.passed, r.required),
                    ),
                })
                .collect();
            context.insert("name", name);
            context.insert("units", &units);
            context.insert("crumbs", &self.crumbs(&page_url, group, false));
        })
    }

    /// Breadcrumbs from `page_url` to the unit or group `slug`: Projects, then each folder
    /// of the slug (linked: every folder above a unit is a unit or a group page), the last
    /// linked only when `link_last`.
    fn crumbs(&self, page_url: &str, slug: &str, link_last: bool) -> Vec<Crumb> {
        let mut crumbs = vec![Crumb {
            title: "Projects".into(),
            url: Some(relative_url(page_url, "")),
        }];
        let parts: Vec<&str> = slug.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            crumbs.push(Crumb {
                title: (*part).to_owned(),
                url: (!last || link_last)
                    .then(|| relative_url(page_url, &format!("projects/{}/", parts[..=i].join("/")))),
            });
        }
        crumbs
    }

    /// Site-wide findings about files inside the unit's folder plus the checker's findings on
    /// the unit, most severe first, without duplicates.
    fn unit_diagnostics<'r>(&'r self, unit: &Unit, report: Option<&'r UnitReport>) -> Vec<&'r Diagnostic> {
        // Borrowed, not cloned: the views below copy only what a page shows.
        let mut diagnostics: Vec<&Diagnostic> =
            self.inside.get(unit.dir.as_str()).cloned().unwrap_or_default();
        if let Some(report) = report {
            diagnostics.extend(report.findings.iter());
        }
        diagnostics
            .sort_by(|a, b| (b.level, &a.file, a.line, &a.code).cmp(&(a.level, &b.file, b.line, &b.code)));
        diagnostics.dedup();
        diagnostics
    }

    fn fill_unit(
        &self,
        context: &mut super::PageContext,
        unit: &Unit,
        report: Option<&UnitReport>,
        diagnostics: &[&Diagnostic],
        page_url: &str,
    ) {
        self.fill_common(context, page_url, &unit.name, "projects");
        context.insert("unit", &UnitView::new(unit, report));
        context.insert("crumbs", &self.crumbs(page_url, &unit.slug, false));
        context.insert("badge_url", &report.map(|_| "badge.svg"));
        let checklist = report.map(|r| self.checklist(r, page_url)).unwrap_or_default();
        let findings = self.finding_views(diagnostics, page_url);
        let summary = report.map(|r| summary(r, &checklist, &findings));
        // Link previews and search engines show the verdict, not the site's tagline.
        if let Some(summary) = &summary {
            context.insert("page_description", &format!("{}: {}", unit.name, summary.verdict));
        }
        context.insert("summary", &summary);
        context.insert("checklist", &checklist);
        context.insert("findings", &findings);
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
    }

    /// The unit's facts, led by its version coverage when the coverage page has a row for it.
    fn fact_views(&self, unit: &Unit, page_url: &str) -> Vec<FactView> {
        let mut facts: Vec<FactView> = unit
            .facts
            .iter()
            .map(|(key, fact)| {
                // A value that says "none" links nowhere; the issue it cites is a reference.
                let links = fact.links();
                let (href, references) = match FactValue::of(*key, fact) {
                    FactValue::None { references } => (None, references),
                    _ => (links.href.map(str::to_owned), Vec::new()),
                };
                let named = links.name.filter(|_| href.is_some());
                let urls = links.several.into_iter().map(str::to_owned).collect();
                FactView {
                    label: key.label(),
                    value: named.map_or_else(|| fact.value.clone(), str::to_owned),
                    raw: named.map_or_else(|| fact.raw.clone(), str::to_owned),
                    href,
                    urls,
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
                    urls: Vec::new(),
                    references: Vec::new(),
                    source: "coverage page".to_owned(),
                    source_url: Some(format!("{}#{anchor}", relative_url(page_url, COVERAGE_URL))),
                },
            );
        }
        facts
    }

    /// Checklist items in the checker's order, one list with each item's process step as a
    /// label (twelve one-item sections took a phone's first two screens); items that do not
    /// apply to this package are left out.
    fn checklist(&self, report: &UnitReport, page_url: &str) -> Vec<ItemView> {
        report
            .items
            .iter()
            .filter(|i| i.state != ItemState::NotApplicable)
            .map(|item| self.item_view(item, page_url))
            .collect()
    }

    /// The page of the document at `source` relative to `page_url`, at the block holding
    /// `line` (`#L12`, the greatest line anchor at or before it) when there is one.
    fn line_link(&self, source: Option<&str>, line: Option<usize>, page_url: &str) -> Option<String> {
        let url = self.doc_link(source, page_url)?;
        let anchors = &self.analysis.documents.get(source?)?.line_anchors;
        Some(
            match line.and_then(|l| crate::analyse::document::anchor_for(anchors, l)) {
                Some(anchor) => format!("{url}#{anchor}"),
                None => url,
            },
        )
    }

    /// The file at the line in the hosted repository, when `[site] repository` names it.
    fn repo_line(&self, source: Option<&str>, line: Option<usize>) -> Option<String> {
        let repo = self.config.repository.as_ref()?;
        Some(blob_url(repo, source?, line))
    }

    fn item_view(&self, item: &ItemResult, page_url: &str) -> ItemView {
        ItemView {
            id: item.id.to_string(),
            title: item.title.clone(),
            state: item.state,
            state_label: item.state.label(),
            note: item.note.clone(),
            step: item.step.clone(),
            process_url: self.process_link(&item.process_ref.doc, &item.process_ref.heading, page_url),
            evidence: item
                .evidence
                .iter()
                .map(|e| EvidenceView {
                    place: location(e.file.as_deref(), e.line),
                    url: self.line_link(e.file.as_deref(), e.line, page_url),
                    source_url: self.repo_line(e.file.as_deref(), e.line),
                    note: e.note.clone(),
                })
                .collect(),
        }
    }

    /// The status page's findings: every one, but no more than [`SHOWN_PER_FILE_AND_CODE`]
    /// of one code in one file, the rest counted in one line after them. A document with
    /// 100,000 broken links made a 42 MB status page that no one could read; `check` and the
    /// build's own output still list every finding.
    fn finding_views(&self, diagnostics: &[&Diagnostic], page_url: &str) -> Vec<FindingView> {
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
            url: self.line_link(d.file.as_deref(), d.line, page_url),
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
    /// A value that is several links, each linked.
    urls: Vec<String>,
    /// Links a value cites without being one (the issue an SBOM "none" points to).
    references: Vec<String>,
    source: String,
    source_url: Option<String>,
}

#[derive(Serialize)]
struct GroupUnitView {
    name: String,
    url: String,
    status: String,
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

/// The status page's first screen: the verdict and what stands in its way.
#[derive(Serialize)]
struct SummaryView {
    complete: bool,
    verdict: String,
    missing: Vec<ItemLink>,
    errors: Vec<FindingView>,
    /// Errors not listed in the summary (the findings section has them all).
    more_errors: usize,
    not_evidenced: usize,
}

/// A checklist item named in the summary, linking to its entry.
#[derive(Serialize)]
struct ItemLink {
    id: String,
    title: String,
}

/// How many error findings the summary lists before it points to the findings section.
const SUMMARY_ERRORS: usize = 5;

fn summary(report: &UnitReport, checklist: &[ItemView], findings: &[FindingView]) -> SummaryView {
    let missing: Vec<ItemLink> = checklist
        .iter()
        .filter(|i| i.state == ItemState::Missing)
        .map(|i| ItemLink {
            id: i.id.clone(),
            title: i.title.clone(),
        })
        .collect();
    let not_evidenced = report.items_in(ItemState::NotEvidenced);
    let all_errors: Vec<&FindingView> = findings
        .iter()
        .filter(|f| f.level == Level::Error.to_string())
        .collect();
    let verdict = if report.is_complete() {
        format!("Complete: all {} required items passed.", report.required)
    } else {
        format!(
            "Incomplete: {} of {} required items passed; {} missing, {not_evidenced} not evidenced.",
            report.passed,
            report.required,
            missing.len()
        )
    };
    SummaryView {
        complete: report.is_complete(),
        verdict,
        missing,
        errors: all_errors
            .iter()
            .take(SUMMARY_ERRORS)
            .map(|f| (*f).clone())
            .collect(),
        more_errors: all_errors.len().saturating_sub(SUMMARY_ERRORS),
        not_evidenced,
    }
}

#[derive(Serialize)]
struct ItemView {
    id: String,
    title: String,
    /// The process step it belongs to, shown as a label.
    step: String,
    /// Serialised as api/projects.json spells it (`not-evidenced`): the template's classes.
    state: ItemState,
    state_label: &'static str,
    note: Option<String>,
    process_url: Option<String>,
    evidence: Vec<EvidenceView>,
}

#[derive(Serialize)]
struct EvidenceView {
    place: String,
    url: Option<String>,
    /// The line in the hosted repository (`[site] repository`).
    source_url: Option<String>,
    note: String,
}

#[derive(Serialize, Clone)]
struct FindingView {
    level: String,
    code: String,
    message: String,
    help: Option<String>,
    place: Option<String>,
    url: Option<String>,
}
