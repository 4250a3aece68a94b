//! Markdown → HTML for one document. (Stub: to be filled in.)

use crate::diagnostic::Diagnostic;
use crate::model::Document;
use crate::render::highlight::Highlighter;
use crate::render::links::LinkResolver;

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
pub fn render(doc: &Document, _resolver: &dyn LinkResolver, highlighter: &Highlighter) -> RenderedDoc {
    RenderedDoc { html: highlighter.highlight("", &doc.body), ..RenderedDoc::default() }
}
