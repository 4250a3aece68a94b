//! Markdown → HTML for one document. (Stub: to be filled in.)

use crate::diagnostic::Diagnostic;
use crate::model::Document;
use crate::render::highlight::Highlighter;
use crate::render::links::LinkResolver;

pub(crate) mod rawhtml;

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

/// Maps byte offsets in a document body to 1-based lines of the file.
#[derive(Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    first_line: usize,
}

impl LineIndex {
    pub fn new(body: &str, body_line: usize) -> Self {
        let starts = std::iter::once(0)
            .chain(body.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex {
            starts,
            first_line: body_line.max(1),
        }
    }

    pub fn line(&self, offset: usize) -> usize {
        // `starts[0] == 0`, so at least one start is <= any offset.
        self.first_line + self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }
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
pub fn render(doc: &Document, _resolver: &dyn LinkResolver, highlighter: &Highlighter) -> RenderedDoc {
    RenderedDoc {
        html: highlighter.highlight("", &doc.body),
        ..RenderedDoc::default()
    }
}
