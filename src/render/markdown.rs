//! Markdown → HTML for one document. (Stub: to be filled in.)

use crate::diagnostic::Diagnostic;
use crate::model::Document;
use crate::render::highlight::Highlighter;
use crate::render::links::LinkResolver;

/// The Markdown dialect of every document, chosen in this one place so the outline, the checks
/// and the renderer never disagree: GitHub's extensions (tables, footnotes, strikethrough, task
/// lists), but not `{#id}` heading attributes, which GitHub does not have and which would
/// change heading text and so the anchors authors link to.
pub fn options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options;
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub text: String,
    pub id: String,
}

#[derive(Debug, Default)]
pub struct RenderedDoc {
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders `doc` for the page at `doc.url`: links rewritten relative to that page.
pub fn render(
    doc: &Document,
    _resolver: &dyn LinkResolver,
    highlighter: &Highlighter,
) -> RenderedDoc {
    RenderedDoc {
        html: highlighter.highlight("", &doc.body),
        ..RenderedDoc::default()
    }
}
