//! The Markdown primitives that reading and writing share, and nothing else: the dialect
//! (parser options), byte offset → line, the raw-HTML tokeniser, GitHub's heading ids and
//! which lines a reader sees (comments and fenced code hidden).
//! `parse` and `render` both use it; it uses neither, so reading never depends on writing
//! (as mdBook keeps its options in `mdbook-markdown`).

pub mod autolink;
pub mod rawhtml;
pub mod slug;
pub mod visible;

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

/// Lists and block quotes nested deeper than this are flattened, and raw HTML elements nested
/// deeper than this are dropped. Real documents nest a handful of levels; html5ever's tree
/// building slows down quadratically with depth (10,000 nested `<ul><li>` take seconds, 50,000
/// a minute), so one hostile or broken file could stall a build.
pub const MAX_NESTING: usize = 64;

/// The body without a leading byte-order mark. Parsing strips it already; this keeps a BOM
/// that slipped through from turning the title line into a paragraph.
pub fn strip_bom(body: &str) -> &str {
    body.strip_prefix('\u{feff}').unwrap_or(body)
}

/// Maps byte offsets in a document body to 1-based lines of the file.
#[derive(Debug)]
pub struct LineIndex {
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
