//! Whole pages: view structs built from the model, rendered through the theme's Tera
//! templates into in-memory output files. No disk access except through `Content::Copy`.

use rayon::prelude::*;
use serde::Serialize;

use crate::analyse::Analysis;
use crate::analyse::document::RenderedDoc;
use crate::analyse::highlight::Highlighter;
use crate::analyse::links::relative_url;
use crate::check::{self, Report, UnitReport};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::{Document, FactKey, Site, Unit};
use crate::output::{Content, OutputFile};
use crate::render::svg;
use crate::theme::Theme;

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
}

/// Values every template can rely on.
#[derive(Serialize)]
struct Common<'a> {
    site: SiteView<'a>,
    /// Relative path from the page to the site root (`../../`), or the base path on 404.
    root: String,
    page_title: String,
    section: &'static str,
    has_process: bool,
    has_coverage: bool,
    canonical: Option<String>,
    version: &'static str,
}

#[derive(Serialize)]
struct Link {
    title: String,
    url: String,
    current: bool,
}

/// Everything needed to render a site; built once per build.
pub struct Renderer<'a> {
    analysis: &'a Analysis,
    site: &'a Site,
    report: &'a Report,
    config: &'a Config,
    theme: &'a Theme,
    /// Source path → page, for evidence and findings that point at a document.
    doc_urls: std::collections::HashMap<&'a str, &'a str>,
    tera: tera::Tera,
}

impl<'a> Renderer<'a> {
    /// Compiles the theme's templates; fails only on a template error.
    pub fn new(analysis: &'a Analysis, theme: &'a Theme, config: &'a Config) -> Result<Self> {
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".xml", ".svg"]);
        tera.add_raw_templates(theme.templates.iter().map(|(n, s)| (n.as_str(), s.as_str())))
            .map_err(|err| Error::Template(tera_message(&err)))?;
        let site = &analysis.site;
        let doc_urls = site
            .documents()
            .map(|d| (d.source.as_str(), d.url.as_str()))
            .collect();
        Ok(Renderer {
            analysis,
            site,
            report: &analysis.report,
            config,
            theme,
            doc_urls,
            tera,
        })
    }

    /// A document's rendered body; empty when the analysis did not render it (a `check`
    /// analysis, which no caller renders).
    fn body(&self, doc: &Document) -> RenderedDoc {
        self.analysis.document(doc).cloned().unwrap_or_default()
    }

    /// Every page and file of the site, sorted by path.
    pub fn render(&self) -> Result<Vec<OutputFile>> {
        let site = self.site;
        let mut files = Vec::new();
        let (units, singles) = rayon::join(
            || {
                let unit_pages: Vec<Result<Vec<OutputFile>>> = site
                    .units
                    .par_iter()
                    .enumerate()
                    .map(|(i, unit)| self.unit_pages(unit, self.report.units.get(i)))
                    .collect();
                let process_nav: Vec<&Document> = site.process.iter().collect();
                let process_pages: Vec<Result<OutputFile>> = site
                    .process
                    .par_iter()
                    .enumerate()
                    .map(|(i, doc)| self.process_page(doc, &process_nav, i))
                    .collect();
                let plain_pages: Vec<Result<OutputFile>> =
                    site.pages.par_iter().map(|doc| self.plain_page(doc)).collect();
                (unit_pages, process_pages, plain_pages)
            },
            || {
                let home = self
                    .home()
                    .and_then(|context| self.page("index.html", "index.html", context));
                let not_found = self.not_found();
                let coverage = self.coverage_page();
                let glance = (!site.process.is_empty()).then(|| self.glance_page());
                let css = (!self.theme.statics.contains_key("highlight.css")).then(|| {
                    let (light, dark) = Highlighter::stylesheets();
                    format!("{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n")
                });
                let api = check::format::json(site, self.report, &self.analysis.findings);
                (home, not_found, coverage, glance, css, api)
            },
        );
        let (unit_pages, process_pages, plain_pages) = units;
        // Errors still surface in page order: home, units, process, pages, 404, coverage, glance.
        let (home, not_found, coverage, glance, css, api) = singles;
        files.push(home?);
        for pages in unit_pages {
            files.extend(pages?);
        }
        for page in process_pages.into_iter().chain(plain_pages) {
            files.push(page?);
        }
        for file in &site.files {
            files.push(OutputFile {
                path: file.url.clone(),
                content: Content::Copy(self.config.root.join(&file.source)),
            });
        }
        files.push(not_found?);
        files.push(coverage?);
        if let Some(glance) = glance {
            files.push(glance?);
        }
        for (name, bytes) in &self.theme.statics {
            files.push(OutputFile {
                path: format!("static/{name}"),
                content: Content::Bytes(bytes.clone()),
            });
        }
        if let Some(css) = css {
            files.push(OutputFile {
                path: "static/highlight.css".into(),
                content: Content::Bytes(css.into_bytes()),
            });
        }
        files.push(OutputFile {
            path: "api/projects.json".into(),
            content: Content::Bytes(api.into_bytes()),
        });
        files.push(self.sitemap(&files));
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    fn common(&self, page_url: &str, title: &str, section: &'static str) -> Common<'_> {
        let canonical = self
            .config
            .base_url
            .starts_with("http")
            .then(|| format!("{}{}", self.config.base_url, pretty(page_url)));
        Common {
            site: SiteView {
                title: &self.site.title,
                description: &self.site.description,
                base_url: &self.config.base_url,
            },
            root: relative_url(page_url, ""),
            page_title: title.to_owned(),
            section,
            has_process: !self.site.process.is_empty(),
            has_coverage: true,
            canonical,
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    fn page(&self, path: &str, template: &str, context: tera::Context) -> Result<OutputFile> {
        let html = self
            .tera
            .render(template, &context)
            .map_err(|err| Error::Template(format!("{template} for {path}: {}", tera_message(&err))))?;
        Ok(OutputFile {
            path: path.to_owned(),
            content: Content::Bytes(html.into_bytes()),
        })
    }

    fn home(&self) -> Result<tera::Context> {
        let mut context = tera::Context::new();
        let common = self.common("index.html", &self.site.title, "projects");
        insert_common(&mut context, &common);
        let rows: Vec<HomeRow> = self
            .site
            .units
            .iter()
            .enumerate()
            .map(|(i, unit)| HomeRow::new(unit, self.report.units.get(i)))
            .collect();
        let summary = HomeSummary {
            units: rows.len(),
            joint: rows.iter().filter(|r| r.path == "joint").count(),
            self_only: rows.iter().filter(|r| r.path == "self").count(),
            complete: Some(self.report.units.iter().filter(|u| u.is_complete()).count()),
            with_version: rows.iter().filter(|r| r.version.is_some()).count(),
        };
        let columns = [
            "Project",
            "CNCF maturity",
            "Path",
            "Document status",
            "Version covered",
            "Completed",
            "Completeness",
        ];
        context.insert("rows", &rows);
        context.insert("summary", &summary);
        context.insert("columns", &columns);
        context.insert("intro_html", &Option::<String>::None);
        Ok(context)
    }

    fn unit_pages(&self, unit: &Unit, report: Option<&UnitReport>) -> Result<Vec<OutputFile>> {
        let mut files = Vec::new();
        let page_url = format!("projects/{}/index.html", unit.slug);
        let nav: Vec<&Document> = unit.documents.iter().collect();
        for doc in &unit.documents {
            let rendered = self.body(doc);
            let mut context = tera::Context::new();
            insert_common(&mut context, &self.common(&doc.url, &doc.title, "projects"));
            context.insert("content", &rendered.html);
            context.insert("toc", &rendered.toc);
            context.insert("kind", doc.kind.label());
            context.insert("source", &doc.source);
            context.insert("nav_label", &unit.name);
            context.insert("nav", &self.nav(&doc.url, &nav));
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
            files.push(self.page(&doc.url, "document.html", context)?);
        }
        for asset in &unit.assets {
            files.push(OutputFile {
                path: asset.url.clone(),
                content: Content::Copy(self.config.root.join(&asset.source)),
            });
        }
        let inside = |d: &&Diagnostic| {
            d.file.as_deref().is_some_and(|f| {
                f.strip_prefix(unit.dir.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        let mut unit_diagnostics: Vec<Diagnostic> =
            self.analysis.findings.iter().filter(inside).cloned().collect();
        if let Some(report) = report {
            unit_diagnostics.extend(report.findings.iter().cloned());
            files.push(OutputFile {
                path: format!("projects/{}/badge.svg", unit.slug),
                content: Content::Bytes(crate::render::badge::badge_svg(report).into_bytes()),
            });
        }
        unit_diagnostics
            .sort_by(|a, b| (b.level, &a.file, a.line, &a.code).cmp(&(a.level, &b.file, b.line, &b.code)));
        unit_diagnostics.dedup();
        files.push(self.page(
            &page_url,
            "project.html",
            self.unit_context(unit, report, &unit_diagnostics, &page_url),
        )?);
        Ok(files)
    }

    fn unit_context(
        &self,
        unit: &Unit,
        report: Option<&UnitReport>,
        diagnostics: &[Diagnostic],
        page_url: &str,
    ) -> tera::Context {
        let mut context = tera::Context::new();
        insert_common(&mut context, &self.common(page_url, &unit.name, "projects"));
        let path = unit.assessment_path();
        context.insert(
            "unit",
            &UnitView {
                name: unit.name.clone(),
                path_label: if path == "joint" {
                    "Joint assessment path"
                } else {
                    "Self-assessment (abbreviated) path"
                },
                ruleset: report.map(|r| r.ruleset.to_string()),
                ruleset_reason: report.map(|r| r.ruleset_reason.clone()),
                passed: report.map_or(0, |r| r.passed),
                required: report.map_or(0, |r| r.required),
            },
        );
        let crumbs: Vec<&str> = unit.slug.split('/').collect();
        context.insert("crumbs", &crumbs);
        context.insert("badge_url", &report.map(|_| "badge.svg"));
        context.insert(
            "checklist",
            &report.map(|r| self.checklist(r, page_url)).unwrap_or_default(),
        );
        let findings: Vec<FindingView> = diagnostics
            .iter()
            .map(|d| self.finding_view(d, page_url))
            .collect();
        context.insert("findings", &findings);
        let mut facts: Vec<FactView> = unit
            .facts
            .iter()
            .map(|(key, fact)| {
                let source_url = fact
                    .source
                    .file()
                    .and_then(|file| self.doc_url(file))
                    .map(|url| relative_url(page_url, &url));
                FactView {
                    label: key.label(),
                    value: fact.value.clone(),
                    raw: fact.raw.clone(),
                    href: is_url(&fact.value).then(|| fact.value.clone()),
                    source: fact.source.describe(),
                    source_url,
                }
            })
            .collect();
        if let Some(row) = self.analysis.coverage.rows.iter().find(|r| r.slug == unit.slug) {
            let summary = row.summary(self.analysis.coverage.renewal_months);
            let anchor = coverage_anchor(&row.slug);
            facts.insert(
                0,
                FactView {
                    label: "Version coverage",
                    value: summary.clone(),
                    raw: summary,
                    href: None,
                    source: "coverage page".to_owned(),
                    source_url: Some(format!(
                        "{}#{anchor}",
                        relative_url(page_url, "coverage/index.html")
                    )),
                },
            );
        }
        context.insert("facts", &facts);
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
                name: a
                    .url
                    .strip_prefix(&format!("projects/{}/", unit.slug))
                    .unwrap_or(&a.url)
                    .to_owned(),
                url: relative_url(page_url, &a.url),
                size: human_size(a.size),
            })
            .collect();
        context.insert("assets", &assets);
        context
    }

    /// Checklist items grouped by process step, in the checker's order; items that do not
    /// apply to this package are left out.
    fn checklist(&self, report: &UnitReport, page_url: &str) -> Vec<StepView> {
        let mut steps: Vec<StepView> = Vec::new();
        for item in report
            .items
            .iter()
            .filter(|i| i.state != check::ItemState::NotApplicable)
        {
            let view = ItemView {
                id: item.id.clone(),
                title: item.title.clone(),
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
                        url: e
                            .file
                            .as_deref()
                            .and_then(|f| self.doc_url(f))
                            .map(|u| relative_url(page_url, &u)),
                        note: e.note.clone(),
                    })
                    .collect(),
            };
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

    /// The URL of a process document section, when the site has that document.
    fn process_link(&self, doc: &str, heading: &str, page_url: &str) -> Option<String> {
        let target = self
            .site
            .process
            .iter()
            .find(|d| d.rel.eq_ignore_ascii_case(doc))?;
        let wanted = normalise_heading(heading);
        let id = target
            .outline
            .headings
            .iter()
            .find(|h| normalise_heading(&h.text) == wanted)
            .or_else(|| {
                target
                    .outline
                    .headings
                    .iter()
                    .find(|h| normalise_heading(&h.text).contains(&wanted))
            })
            .map(|h| h.id.clone());
        let url = relative_url(page_url, &target.url);
        Some(match id {
            Some(id) if !id.is_empty() => format!("{url}#{id}"),
            _ => url,
        })
    }

    fn finding_view(&self, d: &Diagnostic, page_url: &str) -> FindingView {
        FindingView {
            level: d.level.to_string(),
            code: d.code.clone(),
            message: d.message.clone(),
            help: d.help.clone(),
            place: d.file.as_deref().map(|f| location(Some(f), d.line)),
            url: d
                .file
                .as_deref()
                .and_then(|f| self.doc_url(f))
                .map(|u| relative_url(page_url, &u)),
        }
    }

    fn doc_url(&self, source: &str) -> Option<String> {
        self.doc_urls.get(source).map(|url| (*url).to_owned())
    }

    fn nav(&self, current: &str, docs: &[&Document]) -> Vec<Link> {
        docs.iter()
            .map(|d| Link {
                title: d.title.clone(),
                url: relative_url(current, &d.url),
                current: d.url == current,
            })
            .collect()
    }

    fn process_page(&self, doc: &Document, nav: &[&Document], index: usize) -> Result<OutputFile> {
        let rendered = self.body(doc);
        let mut context = tera::Context::new();
        insert_common(&mut context, &self.common(&doc.url, &doc.title, "process"));
        context.insert("content", &rendered.html);
        context.insert("toc", &rendered.toc);
        context.insert("kind", doc.kind.label());
        context.insert("source", &doc.source);
        context.insert("nav_label", "Process");
        let mut process_nav = self.nav(&doc.url, nav);
        process_nav.insert(0, glance_link(&doc.url, false));
        context.insert("nav", &process_nav);
        let crumbs = vec![
            Crumb {
                title: "Process".into(),
                url: Some(relative_url(&doc.url, "process/")),
            },
            Crumb {
                title: doc.title.clone(),
                url: None,
            },
        ];
        context.insert("crumbs", &crumbs);
        let link = |d: &&Document| Link {
            title: d.title.clone(),
            url: relative_url(&doc.url, &d.url),
            current: false,
        };
        context.insert("prev", &index.checked_sub(1).and_then(|i| nav.get(i)).map(link));
        context.insert("next", &nav.get(index + 1).map(link));
        self.page(&doc.url, "document.html", context)
    }

    fn plain_page(&self, doc: &Document) -> Result<OutputFile> {
        let rendered = self.body(doc);
        let mut context = tera::Context::new();
        insert_common(&mut context, &self.common(&doc.url, &doc.title, "projects"));
        context.insert("content", &rendered.html);
        self.page(&doc.url, "page.html", context)
    }

    fn not_found(&self) -> Result<OutputFile> {
        let mut context = tera::Context::new();
        let mut common = self.common("404.html", "Page not found", "");
        // Served for any missing path, so relative links would break: use the base path.
        common.root = base_path(&self.config.base_url);
        insert_common(&mut context, &common);
        self.page("404.html", "404.html", context)
    }

    fn sitemap(&self, files: &[OutputFile]) -> OutputFile {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let mut pages: Vec<&str> = files
            .iter()
            .map(|f| f.path.as_str())
            .filter(|p| p.ends_with(".html") && *p != "404.html")
            .collect();
        pages.sort_unstable();
        for page in pages {
            let loc = format!("{}{}", self.config.base_url, percent_path(&pretty(page)));
            xml.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(&loc)));
        }
        xml.push_str("</urlset>\n");
        OutputFile {
            path: "sitemap.xml".into(),
            content: Content::Bytes(xml.into_bytes()),
        }
    }
}

fn insert_common(context: &mut tera::Context, common: &Common<'_>) {
    context.insert("site", &common.site);
    context.insert("root", &common.root);
    context.insert("page_title", &common.page_title);
    context.insert("section", &common.section);
    context.insert("has_process", &common.has_process);
    context.insert("has_coverage", &common.has_coverage);
    context.insert("canonical", &common.canonical);
    context.insert("version", &common.version);
}

fn tera_message(err: &tera::Error) -> String {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// `projects/x/index.html` → `projects/x/`.
fn pretty(page: &str) -> String {
    match page.strip_suffix("index.html") {
        Some(dir) => dir.to_owned(),
        None => page.to_owned(),
    }
}

fn percent_path(path: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b'%');
    percent_encoding::utf8_percent_encode(path, SET).to_string()
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The path part of the base URL (`https://x.org/tssa/` → `/tssa/`).
fn base_path(base_url: &str) -> String {
    let without_scheme = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    if base_url.contains("://") {
        without_scheme
            .find('/')
            .map_or_else(|| "/".to_owned(), |i| without_scheme[i..].to_owned())
    } else {
        base_url.to_owned()
    }
}

fn is_url(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://")) && !text.contains(char::is_whitespace)
}

fn human_size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
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
            errors: report.map_or(0, |r| r.count(crate::diagnostic::Level::Error)),
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

#[derive(Serialize)]
struct Crumb {
    title: String,
    url: Option<String>,
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

#[derive(Serialize)]
struct FactView {
    label: &'static str,
    value: String,
    raw: String,
    href: Option<String>,
    source: String,
    source_url: Option<String>,
}

#[derive(Serialize)]
struct DocView {
    title: String,
    kind: &'static str,
    file: String,
    url: String,
}

#[derive(Serialize)]
struct AssetView {
    name: String,
    url: String,
    size: String,
}

/// `file:line`, or just the file.
fn location(file: Option<&str>, line: Option<usize>) -> String {
    match (file, line) {
        (Some(file), Some(line)) => format!("{file}:{line}"),
        (Some(file), None) => file.to_owned(),
        _ => String::new(),
    }
}

/// Heading text compared loosely: case, emphasis and trailing punctuation ignored.
fn normalise_heading(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
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

// ---- Version coverage and the process at a glance (coverage.html, glance.html) ----

/// Where the glance page lives.
const GLANCE_URL: &str = "process/glance.html";

fn glance_link(from: &str, current: bool) -> Link {
    Link {
        title: "Process at a glance".to_owned(),
        url: relative_url(from, GLANCE_URL),
        current,
    }
}

/// The coverage table row id for a unit (`fluentd/fluent-bit` → `p-fluentd--fluent-bit`).
fn coverage_anchor(slug: &str) -> String {
    format!("p-{}", slug.replace('/', "--"))
}

/// The steps of both paths, for a site with no units to take item titles from.
const STEP_TITLES: [(&str, &str); 17] = [
    ("A1", "Complete a self-assessment"),
    ("A2", "Create a presentation issue"),
    ("A3", "Present at a TAG meeting"),
    ("A4", "Submit the self-assessment in a pull request"),
    ("B0", "Preconditions for a joint assessment"),
    ("B1", "Tracking issue"),
    ("B2", "Draft the joint assessment"),
    ("B3", "Lead and additional reviewers"),
    ("B4", "Conflict-of-interest statements"),
    ("B5", "Clarifying questions"),
    ("B6", "Security assessment"),
    ("B7", "Presentation with slides"),
    ("B8", "Final summary with the version covered"),
    ("B9", "Co-chair approval and merge"),
    ("B10", "Post-assessment survey"),
    ("B11", "Process notes (turnaround, pause)"),
    ("B12", "Yearly renewal"),
];

impl Renderer<'_> {
    fn coverage_page(&self) -> Result<OutputFile> {
        let page_url = "coverage/index.html";
        let mut context = tera::Context::new();
        insert_common(
            &mut context,
            &self.common(page_url, "Version coverage", "coverage"),
        );
        let cov = &self.analysis.coverage;
        // Paths from the unit folder keep the table narrow; the link goes to the page.
        let claim_view = |claim: &crate::coverage::Claim, dir: &str| ClaimView {
            value: claim.value.clone(),
            describe: claim.describe.replace(&format!("{dir}/"), ""),
            url: claim
                .source
                .file()
                .and_then(|f| self.doc_url(f))
                .map(|u| relative_url(page_url, &u)),
        };
        let rows: Vec<CoverageRowView> = cov
            .rows
            .iter()
            .zip(&self.site.units)
            .map(|(row, unit)| CoverageRowView {
                anchor: coverage_anchor(&row.slug),
                name: row.name.clone(),
                url: relative_url(page_url, &format!("projects/{}/", row.slug)),
                path: row.path,
                no_version: row.no_version,
                claims: [
                    row.self_version.as_ref().map(|c| claim_view(c, &unit.dir)),
                    row.joint_version.as_ref().map(|c| claim_view(c, &unit.dir)),
                ],
                pinned: row
                    .pinned
                    .as_ref()
                    .filter(|_| row.no_version)
                    .map(|c| claim_view(c, &unit.dir)),
                completed: row.completed.as_ref().map(|c| c.value.clone()),
                latest: row.latest.as_ref().map(|l| l.value.clone()),
                latest_source: row
                    .latest
                    .as_ref()
                    .map(|l| l.describe.replace(&format!("{}/", unit.dir), "")),
                behind: match &row.behind {
                    crate::coverage::Behind::Unknown { .. } => "unknown".to_owned(),
                    known => known.label(),
                },
                behind_reason: match &row.behind {
                    crate::coverage::Behind::Unknown { reason } => Some(*reason),
                    _ => None,
                },
                behind_class: row.behind.class(),
                renewal_due: row.renewal.due == Some(true),
                due_on: row.renewal.due_on.clone(),
                last_changed: self.analysis.changed.as_ref().and_then(|dates| {
                    unit.documents
                        .iter()
                        .filter_map(|d| dates.get(&d.source))
                        .max()
                        .cloned()
                }),
            })
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
        context.insert(
            "releases_source",
            &self
                .config
                .releases
                .as_ref()
                .map(|_| "releases data file named in book.toml"),
        );
        context.insert(
            "coverage_svg",
            &svg::coverage_bar("coverage-bars", &cov.totals, cov.renewal_months),
        );
        context.insert(
            "timeline_svg",
            &svg::timeline("coverage-timeline", &marks, cov.today.as_deref()),
        );
        self.page(page_url, "coverage.html", context)
    }

    fn glance_page(&self) -> Result<OutputFile> {
        let mut context = tera::Context::new();
        insert_common(
            &mut context,
            &self.common(GLANCE_URL, "The process at a glance", "process"),
        );
        let first = self.report.units.first();
        let mut lanes: Vec<LaneView> = vec![
            LaneView {
                title: "Path A: abbreviated assessment (self-assessment)",
                steps: Vec::new(),
            },
            LaneView {
                title: "Path B: joint assessment",
                steps: Vec::new(),
            },
        ];
        for (id, fallback) in STEP_TITLES {
            let item = first.and_then(|u| u.items.iter().find(|i| i.id == id));
            let (mut passed, mut total) = (0, 0);
            for unit in &self.report.units {
                if let Some(state) = unit.items.iter().find(|i| i.id == id).map(|i| i.state)
                    && !matches!(state, check::ItemState::NotApplicable | check::ItemState::Exempt)
                {
                    total += 1;
                    passed += usize::from(state == check::ItemState::Passed);
                }
            }
            let lane = usize::from(id.starts_with('B'));
            lanes[lane].steps.push(GlanceStep {
                id: id.to_owned(),
                title: item.map_or_else(|| fallback.to_owned(), |i| i.title.clone()),
                passed,
                total,
                url: item
                    .and_then(|i| self.process_link(&i.process_ref.doc, &i.process_ref.heading, GLANCE_URL)),
            });
        }
        let svg_lanes: Vec<svg::Lane> = lanes
            .iter()
            .map(|lane| svg::Lane {
                title: lane.title.to_owned(),
                steps: lane
                    .steps
                    .iter()
                    .map(|s| svg::Step {
                        id: s.id.clone(),
                        title: s.title.clone(),
                        passed: s.passed,
                        total: s.total,
                    })
                    .collect(),
            })
            .collect();
        let docs: Vec<&Document> = self.site.process.iter().collect();
        let mut nav = self.nav(GLANCE_URL, &docs);
        nav.insert(0, glance_link(GLANCE_URL, true));
        context.insert("nav", &nav);
        context.insert("units", &self.site.units.len());
        context.insert("lanes", &lanes);
        context.insert("diagram_svg", &svg::process_diagram("process-steps", &svg_lanes));
        self.page(GLANCE_URL, "glance.html", context)
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
    latest_source: Option<String>,
    behind: String,
    /// Why the distance is unknown.
    behind_reason: Option<&'static str>,
    behind_class: &'static str,
    renewal_due: bool,
    due_on: Option<String>,
    last_changed: Option<String>,
}

#[derive(Serialize)]
struct LaneView {
    title: &'static str,
    steps: Vec<GlanceStep>,
}

#[derive(Serialize)]
struct GlanceStep {
    id: String,
    title: String,
    passed: usize,
    total: usize,
    url: Option<String>,
}
