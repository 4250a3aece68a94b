//! Whole pages: view structs built from the model, rendered through the theme's Tera
//! templates into in-memory output files. No disk access except through `Content::Copy`.
//!
//! One file per page kind: `home`, `project` (a unit's status page and its documents),
//! `process` (process documents and the glance page), `coverage` and `site` (plain
//! pages, 404, sitemap); `urls` holds the path helpers they share.

mod coverage;
mod home;
mod process;
mod project;
mod site;
mod templates;
pub(super) mod urls;

pub use templates::Templates;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use serde::Serialize;

use crate::analyse::Analysis;
use crate::analyse::document::{RenderedDoc, TocEntry};
use crate::analyse::highlight::Highlighter;
use crate::analyse::links::relative_url;
use crate::check::{self, Report, UnitReport};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Document, Site, Unit};
use crate::output::{Collect, Content, OutputFile, Sink};
use crate::render::memo::{PageContext, RenderKey};
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
    /// The process section's first page from the root (`process/` when it has a README).
    process_home: String,
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

#[derive(Serialize)]
struct Crumb {
    title: String,
    url: Option<String>,
}

/// Everything needed to render a site; built once per build.
pub struct Renderer<'a> {
    analysis: &'a Analysis,
    site: &'a Site,
    report: &'a Report,
    config: &'a Config,
    theme: &'a Theme,
    /// Source path → page, for evidence and findings that point at a document.
    doc_urls: HashMap<&'a str, &'a str>,
    /// Unit slug → its checker verdict. Keyed rather than positional so a report that skips
    /// or reorders units can never put one project's verdict on another's page.
    unit_reports: HashMap<&'a str, &'a UnitReport>,
    /// Unit slug → unit, for views (coverage rows) that start from the slug.
    units: HashMap<&'a str, &'a Unit>,
    /// The checklist items' process references, resolved once (see `process_link`).
    process_refs: HashMap<(&'a str, &'a str), Option<process::ProcessTarget<'a>>>,
    /// Shared: the preview server keeps them across rebuilds while the theme is unchanged.
    templates: Arc<Templates>,
    /// Where pages made before may still be held: asked for each page by its key, so that
    /// one whose inputs did not change is not rendered again. Without it no key is made.
    memo: Option<&'a dyn Sink>,
    /// Source path → why the document could not be read, from its finding: its page says so
    /// instead of being silently blank (the Markdown itself is gone by render time).
    unread: HashMap<&'a str, String>,
    /// Unit folder → the site-wide findings about files inside it, in the analysis' order:
    /// found once, rather than every status page looking through every finding.
    inside: HashMap<&'a str, Vec<&'a crate::diagnostic::Diagnostic>>,
}

/// The site-wide findings about a file inside each of the units' folders `dirs`, by folder,
/// in `findings`' order: a finding on `a/b/c.md` is inside the folders `a` and `a/b` (and ``),
/// whichever of them are units'.
fn inside_units<'a>(
    dirs: impl Iterator<Item = &'a str>,
    findings: &'a [crate::diagnostic::Diagnostic],
) -> HashMap<&'a str, Vec<&'a crate::diagnostic::Diagnostic>> {
    let dirs: std::collections::HashSet<&str> = dirs.collect();
    let mut inside: HashMap<&str, Vec<_>> = HashMap::new();
    for d in findings {
        let Some(file) = d.file.as_deref() else { continue };
        for (at, _) in file.match_indices('/') {
            if let Some(dir) = dirs.get(&file[..at]) {
                inside.entry(*dir).or_default().push(d);
            }
        }
    }
    inside
}

/// Why each document the analysis could not read (too large, unreadable, binary) has no
/// text, by source path: the first such finding's message, capitalised.
fn unread(findings: &[crate::diagnostic::Diagnostic]) -> HashMap<&str, String> {
    let mut unread = HashMap::new();
    for d in findings {
        let Some(file) = &d.file else { continue };
        if matches!(
            d.code.as_str(),
            "input/too-large" | "input/unreadable" | "input/binary"
        ) {
            unread.entry(file.as_str()).or_insert_with(|| {
                let mut chars = d.message.chars();
                chars
                    .next()
                    .map(|first| first.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            });
        }
    }
    unread
}

/// The files the site has exactly one of (the glance page and the highlight stylesheet
/// only when the site needs them).
struct Singles {
    home: Result<OutputFile>,
    not_found: Result<OutputFile>,
    coverage: Result<OutputFile>,
    glance: Option<Result<OutputFile>>,
    css: Option<String>,
    /// Handing over `api/projects.json` as soon as it was made (with the search index, the
    /// largest files of the site at scale; the pages take longer).
    api: Result<()>,
}

impl<'a> Renderer<'a> {
    /// Compiles the theme's templates; fails only on a template error.
    pub fn new(analysis: &'a Analysis, theme: &'a Theme, config: &'a Config) -> Result<Self> {
        Ok(Self::with_templates(
            analysis,
            theme,
            Arc::new(Templates::compile(theme)?),
            config,
        ))
    }

    pub fn with_templates(
        analysis: &'a Analysis,
        theme: &'a Theme,
        templates: Arc<Templates>,
        config: &'a Config,
    ) -> Self {
        let site = &analysis.site;
        let doc_urls = site
            .documents()
            .map(|d| (d.source.as_str(), d.url.as_str()))
            .collect();
        let unit_reports = analysis
            .report
            .units
            .iter()
            .map(|r| (r.slug.as_str(), r))
            .collect();
        let units = site.units.iter().map(|u| (u.slug.as_str(), u)).collect();
        Renderer {
            analysis,
            site,
            report: &analysis.report,
            config,
            theme,
            doc_urls,
            unit_reports,
            units,
            process_refs: process::process_targets(&site.process, &analysis.report),
            templates,
            memo: None,
            unread: unread(&analysis.findings),
            inside: inside_units(site.units.iter().map(|u| u.dir.as_str()), &analysis.findings),
        }
    }

    /// Asks `memo` for each page made from the same inputs as before (see [`RenderKey`]),
    /// rendering only the others.
    pub fn remembering(self, memo: &'a dyn Sink) -> Self {
        Renderer {
            memo: Some(memo),
            ..self
        }
    }

    /// Every page and file of the site, sorted by path.
    pub fn render(&self) -> Result<Vec<OutputFile>> {
        let collect = Collect::default();
        self.render_to(&collect)?;
        Ok(collect.into_sorted())
    }

    /// Hands every page and file of the site to `sink` as it is rendered, so that the whole
    /// site is never held at once: each unit's pages are made and handed over on the thread
    /// that rendered them. Render stays pure; what a file becomes is the sink's business.
    pub fn render_to(&self, sink: &dyn Sink) -> Result<()> {
        // The sitemap lists every page, so the paths are noted on the way through.
        let paths = Paths {
            sink,
            seen: Mutex::new(Vec::new()),
        };
        let (pages, (search, singles)) = rayon::join(|| self.stream_pages(&paths), || self.singles(&paths));
        // Errors still surface in page order: home, units, process, pages, 404, coverage, glance.
        paths.put_rendered(singles.home)?;
        pages?;
        paths.put_rendered(singles.not_found)?;
        paths.put_rendered(singles.coverage)?;
        if let Some(glance) = singles.glance {
            paths.put_rendered(glance)?;
        }
        for (name, bytes) in &self.theme.statics {
            paths.put(bytes_file(format!("static/{name}"), bytes.clone()))?;
        }
        if let Some(css) = singles.css {
            paths.put(bytes_file("static/highlight.css".to_owned(), css.into_bytes()))?;
        }
        singles.api?;
        search?;
        let seen = paths.seen.into_inner().unwrap_or_else(PoisonError::into_inner);
        match self.sitemap(&seen) {
            Some(sitemap) => sink.put(sitemap),
            None => Ok(()),
        }
    }

    /// The pages rendered once per unit, group folder, process document or plain page, and
    /// the copied files, handed to `sink` as they are made; the first error in site order.
    fn stream_pages(&self, sink: &Paths<'_>) -> Result<()> {
        let site = self.site;
        let units: Vec<Result<()>> = site
            .units
            .par_iter()
            .map(|unit| {
                self.unit_pages(unit)?
                    .into_iter()
                    .try_for_each(|page| sink.put(page))
            })
            .collect();
        units.into_iter().collect::<Result<()>>()?;
        for page in self.group_pages()? {
            sink.put(page)?;
        }
        let process_nav = process::process_order(&site.process);
        let process: Vec<Result<()>> = process_nav
            .par_iter()
            .enumerate()
            .map(|(i, doc)| sink.put_rendered(self.process_page(doc, &process_nav, i)))
            .collect();
        process.into_iter().collect::<Result<()>>()?;
        let plain: Vec<Result<()>> = site
            .pages
            .par_iter()
            .map(|doc| sink.put_rendered(self.plain_page(doc)))
            .collect();
        plain.into_iter().collect::<Result<()>>()?;
        site.files.par_iter().try_for_each(|file| {
            sink.put(OutputFile {
                path: file.url.clone(),
                content: Content::Copy(self.config.root.join(&file.source)),
            })
        })
    }

    /// The site-wide pages, rendered beside the units' (their errors are reported in page
    /// order by [`Self::render_to`]), and handing over the search index's files; the API file
    /// and the index are handed to `paths` as soon as they are made.
    fn singles(&self, paths: &Paths<'_>) -> (Result<()>, Singles) {
        // The search index is the longest of these: started first, beside the others.
        rayon::join(
            || {
                let put = |file| paths.put(file);
                match self.memo {
                    Some(memo) => crate::render::search::files_remembered(self.analysis, memo, &put),
                    None => crate::render::search::files(self.analysis, &put),
                }
            },
            || Singles {
                api: paths
                    .put(self.api())
                    .and_then(|()| paths.put(self.coverage_api())),
                home: self.home_page(),
                not_found: self.not_found(),
                coverage: self.coverage_page(),
                glance: (!self.site.process.is_empty()).then(|| self.glance_page()),
                css: (!self.theme.statics.contains_key("highlight.css"))
                    .then(|| Highlighter::stylesheet().to_owned()),
            },
        )
    }

    /// `api/projects.json`, `check --format json`'s report: kept when the memo holds the file
    /// made from the same values, as a page is.
    fn api(&self) -> OutputFile {
        const PATH: &str = "api/projects.json";
        let report = check::format::json_report(self.site, self.report, &self.analysis.findings);
        let key = self.memo.and(report.digest()).map(RenderKey);
        if let Some(kept) = self.kept(PATH, key) {
            return kept;
        }
        made(PATH, report.text().into_bytes(), key)
    }

    /// The checker's verdict on a unit; `None` when the analysis did not judge it.
    fn unit_report(&self, unit: &Unit) -> Option<&'a UnitReport> {
        self.unit_reports.get(unit.slug.as_str()).copied()
    }

    /// A document's rendered body; empty when the analysis did not render it (a `check`
    /// analysis, which no caller renders).
    fn body(&self, doc: &Document) -> &'a RenderedDoc {
        use crate::analyse::document::PageTerms;
        static EMPTY: RenderedDoc = RenderedDoc {
            html: String::new(),
            toc: Vec::new(),
            diagnostics: Vec::new(),
            has_code: false,
            line_anchors: Vec::new(),
            sections: Vec::new(),
            terms: PageTerms::EMPTY,
            lead: String::new(),
            html_digest: [0; 32],
            search_digest: [0; 32],
        };
        self.analysis.document(doc).unwrap_or(&EMPTY)
    }

    fn common(&self, page_url: &str, title: &str, section: &'static str) -> Common<'_> {
        let canonical = self.config.base_url.starts_with("http").then(|| {
            format!(
                "{}{}",
                self.config.base_url,
                urls::percent_path(&urls::pretty(page_url))
            )
        });
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
            process_home: self.process_home(),
            has_coverage: true,
            canonical,
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// The process section's landing page, percent-encoded, from the site root: its README,
    /// or the first document when it has none (there is no page at `process/` then).
    fn process_home(&self) -> String {
        self.site.process.first().map_or_else(
            || "process/".to_owned(),
            |doc| urls::percent_path(&urls::pretty(&doc.url)),
        )
    }

    /// Puts in `context` the values every template relies on.
    fn fill_common(&self, context: &mut PageContext, page_url: &str, title: &str, section: &'static str) {
        insert_common(context, &self.common(page_url, title, section));
    }

    /// The page at `path`, rendered with `template` from the context `fill` puts together.
    fn page(&self, path: &str, template: &str, fill: impl Fn(&mut PageContext)) -> Result<OutputFile> {
        let (key, context) = match self.prepare(path, template, None, &fill) {
            Prepared::Kept(kept) => return Ok(kept),
            Prepared::Render(key, context) => (key, context),
        };
        let html = self.render_bytes(path, template, context.tera(), 0)?;
        Ok(made(path, html, key))
    }

    /// The page at `path` as the memo still holds it, or its key (when pages are remembered)
    /// and the context to render it from. When the memo may hold the page, `fill` is run first
    /// for the key alone, so that a kept page costs its key and not its Tera context; it is run
    /// again to render only when the page changed. A page the memo has no record of is keyed
    /// and filled in one run.
    fn prepare(
        &self,
        path: &str,
        template: &str,
        body: Option<&[u8; 32]>,
        fill: &dyn Fn(&mut PageContext),
    ) -> Prepared {
        let key_of = |context: &PageContext| context.key(&self.templates.digest, template, path, body);
        let filled = |mut context: PageContext| {
            fill(&mut context);
            context
        };
        let Some(memo) = self.memo else {
            return Prepared::Render(None, filled(PageContext::new(false)));
        };
        if !memo.may_reuse(path) {
            let context = filled(PageContext::new(true));
            return Prepared::Render(key_of(&context), context);
        }
        let key = key_of(&filled(PageContext::for_key()));
        match self.kept(path, key) {
            Some(kept) => Prepared::Kept(kept),
            None => Prepared::Render(key, filled(PageContext::new(false))),
        }
    }

    /// The page at `path` as the memo still holds it from the same `key`, if it does.
    fn kept(&self, path: &str, key: Option<RenderKey>) -> Option<OutputFile> {
        let key = key?;
        self.memo?.reuse(path, &key).then(|| OutputFile {
            path: path.into(),
            content: Content::Kept(key),
        })
    }

    fn render_bytes(
        &self,
        path: &str,
        template: &str,
        context: &tera::Context,
        extra: usize,
    ) -> Result<Vec<u8>> {
        self.templates
            .render(template, context, extra)
            .map_err(|err| Error::Template(format!("{template} for {path}: {}", tera_message(&err))))
    }

    /// Puts a document's body in the context: the mark it is spliced at, when the theme
    /// allows (see [`templates::BODY_MARK`]), else the body itself.
    fn insert_body(&self, context: &mut PageContext, body: &str) {
        let shown = if self.templates.splice_body {
            templates::BODY_MARK
        } else {
            body
        };
        context.insert("content", shown);
    }

    /// A page showing `rendered`, whose context `fill` puts together through
    /// [`Self::insert_body`]: rendered around the mark and the body spliced in, so it is never
    /// copied into Tera's values; rendered the plain way when the mark did not come out
    /// exactly once.
    fn body_page(
        &self,
        path: &str,
        template: &str,
        rendered: &RenderedDoc,
        fill: impl Fn(&mut PageContext),
    ) -> Result<OutputFile> {
        let (key, mut context) = match self.prepare(path, template, Some(&rendered.html_digest), &fill) {
            Prepared::Kept(kept) => return Ok(kept),
            Prepared::Render(key, context) => (key, context),
        };
        // Read back from the build cache only now, for a page that is rendered again.
        let body = self.analysis.html(rendered)?;
        let body = body.as_ref();
        if self.templates.splice_body {
            let around = self.render_bytes(path, template, context.tera(), 0)?;
            if let Some(html) = templates::splice(&around, body) {
                return Ok(made(path, html, key));
            }
            context.insert("content", body);
        }
        let html = self.render_bytes(path, template, context.tera(), body.len())?;
        Ok(made(path, html, key))
    }

    /// Puts in `context` a document's rendered body and the metadata `document.html` shows
    /// beside it.
    fn fill_document(&self, context: &mut PageContext, doc: &Document, section: &'static str) {
        let rendered = self.body(doc);
        self.fill_common(context, &doc.url, &doc.title, section);
        self.insert_body(context, &rendered.html);
        context.insert("toc_html", &toc_html(&rendered.toc));
        if self.templates.uses_toc {
            context.insert("toc", &rendered.toc);
        }
        // The document's opening paragraph, for link previews and search engines.
        if !rendered.lead.is_empty() {
            context.insert("page_description", &description(&rendered.lead));
        }
        context.insert("has_code", &rendered.has_code);
        // With `--git`: when git last changed the file (`None` without git dates).
        let changed = self.analysis.changed.as_ref();
        context.insert(
            "last_updated",
            &changed.and_then(|dates| dates.get(doc.source.as_str())),
        );
        context.insert("kind", doc.kind.label());
        context.insert("source", &doc.source);
        // "View source" and "Edit" on the hosted repository, when book.toml names it.
        let repo_links = self.config.repository.as_ref().map(|repo| {
            serde_json::json!({
                "view": urls::blob_url(repo, &doc.source, None),
                "edit": urls::edit_url(repo, &doc.source),
            })
        });
        context.insert("repo_links", &repo_links);
        if let Some(why) = self.unread.get(doc.source.as_str()) {
            context.insert("unread", &Some(why));
        }
    }

    /// The page of the document at `source`, relative to `page_url`.
    fn doc_link(&self, source: Option<&str>, page_url: &str) -> Option<String> {
        source
            .and_then(|f| self.doc_urls.get(f))
            .map(|u| relative_url(page_url, u))
    }

    /// The sidebar's list of `docs` as seen from the page `current`, the document at `at`.
    /// A long list shows only a window around `at` (or its start), so that a page's size does
    /// not grow with its siblings and a package of thousands of documents is not a site of
    /// gigabytes; `all` is the page listing them all, which the elided ends link to.
    fn nav(&self, current: &str, docs: &[&Document], at: Option<usize>, all: String) -> Nav {
        let shown = nav_window(docs.len(), at);
        let links = docs[shown.clone()]
            .iter()
            .map(|d| Link {
                title: d.title.clone(),
                url: relative_url(current, &d.url),
                current: d.url == current,
            })
            .collect();
        Nav {
            links,
            before: shown.start,
            after: docs.len() - shown.end,
            all,
        }
    }
}

/// The TOC's list items, nested by heading level: what `document.html` wrote from `toc` with
/// a Tera loop (a third of a document page's cost), byte for byte.
fn toc_html(toc: &[TocEntry]) -> String {
    let mut out = String::with_capacity(toc.len() * 80);
    for (index, entry) in toc.iter().enumerate() {
        let (nest, close, close_after) = entry.nesting();
        if nest {
            out.push_str("<ul>\n");
        } else if index > 0 {
            out.push_str("</li>\n");
            out.push_str(&"</ul></li>\n".repeat(close));
        }
        out.push_str("<li class=\"toc-");
        out.push_str(&entry.level.to_string());
        out.push_str("\"><a href=\"#");
        templates::escape_into(&mut out, &entry.id);
        out.push_str("\">");
        templates::escape_into(&mut out, &entry.text);
        out.push_str("</a>");
        if index + 1 == toc.len() {
            out.push_str("</li>\n");
            out.push_str(&"</ul></li>\n".repeat(close_after));
        }
    }
    out
}

/// A sink that notes each file's path (without its content) for the sitemap on the way.
struct Paths<'s> {
    sink: &'s dyn Sink,
    seen: Mutex<Vec<OutputFile>>,
}

impl Paths<'_> {
    fn put(&self, file: OutputFile) -> Result<()> {
        let noted = bytes_file(file.path.as_str().to_owned(), Vec::new());
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(noted);
        self.sink.put(file)
    }

    fn put_rendered(&self, file: Result<OutputFile>) -> Result<()> {
        self.put(file?)
    }
}

/// What [`Renderer::prepare`] found: the page kept, or what to render it from.
enum Prepared {
    Kept(OutputFile),
    Render(Option<RenderKey>, PageContext),
}

/// A page just rendered, with the key it was made from when it has one.
fn made(path: &str, html: Vec<u8>, key: Option<RenderKey>) -> OutputFile {
    OutputFile {
        path: path.into(),
        content: match key {
            Some(key) => Content::Page(html, key),
            None => Content::Bytes(html),
        },
    }
}

fn bytes_file(path: String, bytes: Vec<u8>) -> OutputFile {
    OutputFile {
        path: path.into(),
        content: Content::Bytes(bytes),
    }
}

/// Sidebar lists up to this long are shown whole; longer ones as a window.
const NAV_WHOLE: usize = 40;
/// How many entries a window shows on each side of the current one.
const NAV_AROUND: usize = 10;

/// Which entries of a list of `len` the sidebar shows for the entry at `at`.
fn nav_window(len: usize, at: Option<usize>) -> std::ops::Range<usize> {
    if len <= NAV_WHOLE {
        return 0..len;
    }
    let at = at.unwrap_or(0).min(len - 1);
    let start = at.saturating_sub(NAV_AROUND).min(len - (2 * NAV_AROUND + 1));
    start..(start + 2 * NAV_AROUND + 1)
}

/// A sidebar list: the links shown, how many were left out before and after them, and the
/// page that lists them all.
struct Nav {
    links: Vec<Link>,
    before: usize,
    after: usize,
    all: String,
}

impl Nav {
    fn insert_into(self, context: &mut PageContext) {
        context.insert("nav", &self.links);
        context.insert("nav_before", &self.before);
        context.insert("nav_after", &self.after);
        context.insert("nav_all", &self.all);
    }
}

fn insert_common(context: &mut PageContext, common: &Common<'_>) {
    context.insert("site", &common.site);
    context.insert("root", &common.root);
    context.insert("page_title", &common.page_title);
    context.insert("section", &common.section);
    context.insert("has_process", &common.has_process);
    context.insert("process_home", &common.process_home);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_is_inside_every_unit_folder_above_its_file_and_no_other() {
        use crate::diagnostic::Diagnostic;
        let findings = [
            Diagnostic::warning("link/broken", "one").at("a/b/c.md", Some(1)),
            Diagnostic::warning("link/broken", "two").at("ab/c.md", Some(2)),
            Diagnostic::warning("link/broken", "three").at("a", None),
            Diagnostic::warning("link/broken", "four").at("a/d.md", Some(4)),
            Diagnostic::warning("site/none", "five"),
        ];
        let inside = inside_units(["a", "a/b", "ab/c.md", "x"].into_iter(), &findings);
        let messages = |dir: &str| -> Vec<&str> {
            inside
                .get(dir)
                .map(|found| found.iter().map(|d| d.message.as_str()).collect())
                .unwrap_or_default()
        };
        assert_eq!(messages("a"), ["one", "four"], "nested, in the findings' order");
        assert_eq!(messages("a/b"), ["one"]);
        assert!(messages("ab/c.md").is_empty(), "a file is not inside itself");
        assert!(messages("x").is_empty());
    }

    #[test]
    fn short_lists_are_whole_and_long_ones_a_bounded_window() {
        assert_eq!(nav_window(5, Some(3)), 0..5);
        assert_eq!(nav_window(NAV_WHOLE, Some(0)), 0..NAV_WHOLE);
        let width = 2 * NAV_AROUND + 1;
        assert_eq!(nav_window(4000, Some(0)), 0..width);
        assert_eq!(nav_window(4000, None), 0..width);
        assert_eq!(
            nav_window(4000, Some(2000)),
            2000 - NAV_AROUND..2000 + NAV_AROUND + 1
        );
        assert_eq!(nav_window(4000, Some(3999)), 4000 - width..4000);
    }
}

/// Longest page description: what search results and link previews show before cutting.
const DESCRIPTION_CHARS: usize = 160;

/// `text` as a one-line page description: spaces collapsed, cut at a word before
/// [`DESCRIPTION_CHARS`] with an ellipsis.
fn description(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::new();
    for word in words {
        let needed = out.chars().count() + word.chars().count() + 1;
        if needed > DESCRIPTION_CHARS {
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod description_tests {
    use super::description;

    #[test]
    fn a_description_is_one_line_cut_at_a_word() {
        assert_eq!(description("Short   text\nover lines."), "Short text over lines.");
        let long = "word ".repeat(100);
        let cut = description(&long);
        assert!(cut.chars().count() <= super::DESCRIPTION_CHARS, "{cut}");
        assert!(cut.ends_with("word…"), "{cut}");
    }
}
