//! Which parts of a document's HTML hold raw HTML, and so need the sanitizer.
//!
//! Sanitising a whole document was most of its render time, though most of a document is the
//! writer's own markup: escaped text and vetted tags. So the page is cut, between top-level
//! blocks, into spans that hold raw HTML (sanitised) and spans that do not (written in the
//! sanitizer's normal form directly, [`super::super::sanitize::sanitize_spans`]).
//!
//! A cut is only made where html5ever's tree builder is back where it started: every Markdown
//! element closed, and every raw element opened since closed by its own end tag at the same
//! Markdown depth, in order. Then nothing before the cut can change how html5ever reads what
//! follows (no open element to hold it, no formatting element to reopen in it), so sanitising
//! the spans one by one gives the bytes sanitising the whole page gave. Raw HTML that is not
//! nested that way (an unclosed `<p>`, `<b>` closed outside the emphasis it opened in) makes
//! the rest of the document one span, as before.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::markdown::rawhtml::is_void_element;

#[derive(Debug, Default)]
pub(super) struct RawSpans {
    /// Markdown elements open (HTML and metadata blocks are not elements).
    depth: usize,
    /// Raw elements open, each with the Markdown depth it opened at.
    open: Vec<(String, usize)>,
    /// Raw HTML was not nested within itself and the Markdown: no later cut is safe.
    tangled: bool,
    /// Where the current top-level block began in the page.
    block_start: usize,
    /// Where the span holding raw HTML began, while one is open.
    raw_from: Option<usize>,
    spans: Vec<Range<usize>>,
}

/// How an event changes the Markdown depth (see [`RawSpans::after`]).
pub(super) fn step(event: &Event<'_>) -> isize {
    match event {
        Event::Start(Tag::HtmlBlock | Tag::MetadataBlock(_))
        | Event::End(TagEnd::HtmlBlock | TagEnd::MetadataBlock(_)) => 0,
        Event::Start(_) => 1,
        Event::End(_) => -1,
        _ => 0,
    }
}

/// Elements html5ever closes without an end tag when their container closes ("generate
/// implied end tags").
fn has_implied_end(name: &str) -> bool {
    matches!(
        name,
        "dd" | "dt" | "li" | "optgroup" | "option" | "p" | "rb" | "rp" | "rt" | "rtc"
    )
}

/// Containers whose end tag first generates implied end tags, then closes the container
/// with whatever is above it (the HTML standard's "in body" and "in cell" end tag rules).
/// Not those with implied ends themselves: html5ever's `<p>` may already be closed by a
/// `<li>` or `<div>` the stack here still holds above it.
fn closes_implied_ends(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "caption"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "td"
            | "th"
            | "ul"
    )
}

impl RawSpans {
    /// Before `event` is written, with `written` bytes of page so far.
    pub(super) fn before(&mut self, event: &Event<'_>, written: usize) {
        if self.depth == 0 && matches!(event, Event::Start(_)) {
            self.boundary(written);
        }
    }

    /// After an event was written, given its [`step`].
    pub(super) fn after(&mut self, step: isize) {
        if step > 0 {
            self.depth += 1;
        } else if step < 0 {
            self.depth = self.depth.saturating_sub(1);
            // A raw element opened inside the Markdown element that just closed is still open.
            if self.open.last().is_some_and(|&(_, at)| at > self.depth) {
                self.tangled = true;
            }
        }
    }

    /// A top-level block starts at `written`: close the raw span if html5ever is back at rest.
    fn boundary(&mut self, written: usize) {
        if self.tangled || !self.open.is_empty() {
            return;
        }
        if let Some(from) = self.raw_from.take() {
            self.spans.push(from..written);
        }
        self.block_start = written;
    }

    /// Raw HTML (a tag, or text that is not only white space) is being written.
    pub(super) fn raw(&mut self) {
        self.raw_from.get_or_insert(self.block_start);
    }

    /// A raw opening tag `name` (lower case) was written.
    pub(super) fn open(&mut self, name: &str) {
        self.raw();
        if !is_void_element(name) {
            self.open.push((name.to_owned(), self.depth));
        }
    }

    /// A raw end tag `name` (lower case) was written.
    pub(super) fn close(&mut self, name: &str) {
        self.raw();
        if is_void_element(name) {
            return;
        }
        let on_top = self
            .open
            .last()
            .is_some_and(|(open, at)| open == name && *at == self.depth);
        if on_top {
            self.open.pop();
        } else if !self.closes_implied(name) {
            self.tangled = true;
        }
    }

    /// An end tag of a container (`</td>`, `</div>` …) that html5ever honours by first
    /// closing the elements whose end tag is optional (`<p>`, `<li>` …) left open inside it,
    /// as real documents do (`<td>text<p>more</td>`). Closes them all if that is the case.
    fn closes_implied(&mut self, name: &str) -> bool {
        if !closes_implied_ends(name) {
            return false;
        }
        let depth = self.depth;
        let Some(at) = self
            .open
            .iter()
            .rposition(|(open, at)| open == name && *at == depth)
        else {
            return false;
        };
        let implied = self.open[at + 1..]
            .iter()
            .all(|(open, at)| has_implied_end(open) && *at == depth);
        if implied {
            self.open.truncate(at);
        }
        implied
    }

    /// The spans holding raw HTML, for a page of `written` bytes; empty if it has none.
    pub(super) fn finish(mut self, written: usize) -> Vec<Range<usize>> {
        if let Some(from) = self.raw_from.take() {
            self.spans.push(from..written);
        }
        self.spans
    }
}
