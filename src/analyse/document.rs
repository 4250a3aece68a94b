//! Markdown → HTML for one document: the one pass that resolves its links and applies the
//! raw-HTML policy, and so the only source of its link and HTML findings.
//!
//! `check` runs the same pass as `build` ([`scan`] is [`render`] without highlighting or
//! sanitising, neither of which finds anything), so what a page shows as broken and what
//! `check` reports cannot drift apart.
//!
//! One pulldown-cmark pass writes HTML directly (rather than through `pulldown_cmark::html`), so
//! that headings get GitHub's ids, every link and image goes through the site's resolver, code
//! goes through the highlighter, and raw HTML is looked at tag by tag. The result then goes
//! through the sanitizer as a whole: whatever this writer gets wrong, the allow list still holds.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Alignment, CodeBlockKind, Event, LinkType, Parser, Tag, TagEnd};

use super::highlight::{CLASS_PREFIX, Highlighter, escape, language_token};
use super::links::{LinkResolver, Resolved, encode_fragment, relative_url};
use super::sanitize::{is_allowed_tag, is_shown_as_text, sanitize, sanitize_spans, serialises_slowly};
use crate::diagnostic::Diagnostic;
use crate::html::escape_into;
use crate::markdown::rawhtml::{RawHtmlBlock, Tag as HtmlTag, Token};
use crate::markdown::slug::{GithubIds, HeadingText};
use crate::model::Document;

use crate::markdown::{LineIndex, autolink, rawhtml, strip_bom};
pub use crate::markdown::{MAX_NESTING, options};

mod sections;
mod spans;
pub mod terms;
use sections::SectionText;
pub use sections::{SECTION_TEXT_CAP, SNIPPET_CAP, SearchSection, needs_opening, snippet};
use spans::RawSpans;
pub use terms::PageTerms;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub text: String,
    pub id: String,
    /// How the TOC nests (see [`nest_toc`]): this entry opens a list inside the one before;
    nest: bool,
    /// or first closes this many lists;
    close: usize,
    /// and, on the last entry, how many nested lists are still open after it.
    close_after: usize,
}

impl TocEntry {
    /// Whether the entry opens a list, how many it closes before it, and how many are still
    /// open after it: what a page writing the TOC itself needs (see [`nest_toc`]).
    pub fn nesting(&self) -> (bool, usize, usize) {
        (self.nest, self.close, self.close_after)
    }
}

/// Nests the TOC by heading level as flat data a template can write as nested `<ul>`s: a
/// deeper heading opens a list inside the entry before it (one level, however many levels it
/// skips), a shallower one closes lists until it is a sibling.
fn nest_toc(toc: &mut [TocEntry]) {
    let mut open: Vec<u8> = Vec::new();
    for entry in toc.iter_mut() {
        match open.last() {
            None => open.push(entry.level),
            Some(&top) if entry.level > top => {
                entry.nest = true;
                open.push(entry.level);
            }
            Some(_) => {
                while open.len() > 1
                    && open[open.len() - 1] > entry.level
                    && open[open.len() - 2] >= entry.level
                {
                    open.pop();
                    entry.close += 1;
                }
                if let Some(top) = open.last_mut() {
                    *top = entry.level;
                }
            }
        }
    }
    if let Some(last) = toc.last_mut() {
        last.close_after = open.len().saturating_sub(1);
    }
}

#[derive(Debug, Clone, Default)]
pub struct RenderedDoc {
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether any code block was highlighted: only then does the page link `highlight.css`.
    pub has_code: bool,
    /// The source lines (1-based, front matter counted, as findings count them) whose block
    /// carries an `id="L{line}"` in `html`, ascending: a link to a cited line goes to the
    /// greatest of these at or before it ([`anchor_for`]).
    pub line_anchors: Vec<u32>,
    /// The text of each heading section, for the site search (empty for a scan).
    pub sections: Vec<SearchSection>,
    /// The search terms of `sections` (and of the title), weighed: what the search index
    /// merges, so that it is not tokenised again while the document is unchanged.
    pub terms: PageTerms,
    /// The first paragraph of some length, as plain text: the page's description.
    pub lead: String,
    /// The BLAKE3 digest of `html`, taken once when it is made and kept with it in both
    /// caches: part of the key of the page it is spliced into (`render::memo`), so a page
    /// is not rendered again while its body is the same, and its body not hashed on each build.
    pub html_digest: [u8; 32],
    /// The BLAKE3 digest of `sections` and `terms` ([`search_digest`]), taken once with them:
    /// the search index is keyed by it rather than by hashing every section again per build.
    pub search_digest: [u8; 32],
}

/// What a page gives the search index, as one digest: its sections and weighed terms,
/// encoded (bincode delimits every value, so no two different lists encode alike) exactly as
/// the build cache stores them, so a stored search text is checked by hashing its bytes.
pub fn search_digest(sections: &[SearchSection], terms: &PageTerms) -> [u8; 32] {
    use bincode::Options;
    let mut digest = blake3::Hasher::new();
    let mut buffered = std::io::BufWriter::with_capacity(1 << 14, &mut digest);
    let listed: Vec<(&str, &str, &str)> = sections
        .iter()
        .map(|s| (&*s.heading, &*s.anchor, &*s.text))
        .collect();
    // Writing into a hasher cannot fail, and every value here can be encoded.
    let _ = super::store::encoding().serialize_into(&mut buffered, &(listed, terms));
    let _ = std::io::Write::flush(&mut buffered);
    drop(buffered);
    *digest.finalize().as_bytes()
}

/// The anchor (`L12`) of the block holding `line`, given a document's `line_anchors`: the
/// greatest anchored line at or before it. `None` before the first block (front matter).
pub fn anchor_for(line_anchors: &[u32], line: usize) -> Option<String> {
    let line = u32::try_from(line).unwrap_or(u32::MAX);
    let at = line_anchors.partition_point(|&l| l <= line);
    at.checked_sub(1).map(|i| format!("L{}", line_anchors[i]))
}

/// Renders `doc` for the page at `doc.url`: links rewritten relative to that page.
pub fn render(doc: &Document, resolver: &dyn LinkResolver, highlighter: &Highlighter) -> RenderedDoc {
    write(doc, resolver, highlighter, true)
}

/// What [`render`] finds in `doc`, without the work only a page needs: code is not
/// highlighted and the HTML is not sanitised (neither reports anything).
pub fn scan(doc: &Document, resolver: &dyn LinkResolver) -> Vec<Diagnostic> {
    write(doc, resolver, &Highlighter::new(), false).diagnostics
}

fn write(
    doc: &Document,
    resolver: &dyn LinkResolver,
    highlighter: &Highlighter,
    publish: bool,
) -> RenderedDoc {
    write_with(doc, resolver, highlighter, publish, false)
}

/// [`write`], sanitising the whole page in one piece when `whole` (the tests compare the two).
fn write_with(
    doc: &Document,
    resolver: &dyn LinkResolver,
    highlighter: &Highlighter,
    publish: bool,
    whole: bool,
) -> RenderedDoc {
    let body = strip_bom(&doc.body);
    let mut writer = Writer::new(doc, body, resolver, highlighter, publish);
    writer.whole = whole;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        writer.event(event, range.start);
    }
    writer.finish()
}

struct HeadingState {
    level: u8,
    line: usize,
    text: HeadingText,
    html: String,
    /// The empty span carrying the heading's line anchor, or nothing.
    anchor: String,
}

struct ImageState {
    dest: String,
    title: String,
    line: usize,
    alt: String,
    /// Images inside the alt text of this one (their text joins the alt).
    nested: usize,
}

struct CodeState {
    info: String,
    text: String,
    /// The ` id="L…"` attribute of its `<pre>`, or nothing.
    anchor: String,
}

#[derive(Default)]
struct TableState {
    alignments: Vec<Alignment>,
    in_head: bool,
    cell: usize,
}

/// Appends `n` in decimal: the line anchor of most blocks, where `write!` cost a formatter.
fn push_decimal(out: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    // ASCII digits.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

struct Writer<'a> {
    doc: &'a Document,
    resolver: &'a dyn LinkResolver,
    highlighter: &'a Highlighter,
    lines: LineIndex,
    out: String,
    ids: GithubIds,
    toc: Vec<TocEntry>,
    diagnostics: Vec<Diagnostic>,
    heading: Option<HeadingState>,
    image: Option<ImageState>,
    code: Option<CodeState>,
    html_block: Option<RawHtmlBlock>,
    /// The closing tag of each open Markdown link (`</a>`, or `</span>` when it is broken).
    links: Vec<&'static str>,
    table: TableState,
    /// Whether a heading has been written: only the first, if it is a `#`, is the title.
    headed: bool,
    /// Whether a Markdown table is open: raw `<td>`, `<tr>` … belong in one (or in a raw
    /// `<table>`); anywhere else html5ever drops them, ids and all.
    in_md_table: bool,
    /// For each open list, item and block quote: whether its tags were written (see
    /// [`MAX_NESTING`]).
    containers: Vec<bool>,
    depth: usize,
    too_deep_reported: bool,
    /// Open raw HTML elements that need an end tag, across the whole document (a `<details>`
    /// may open in one HTML block and close in another).
    html_open: Vec<String>,
    /// Opening tags dropped for depth, by name, so their end tags are dropped too.
    html_dropped: HashMap<String, usize>,
    footnotes: HashMap<String, usize>,
    in_metadata: bool,
    /// Disallowed tags already reported, so a document with many gets one warning per tag.
    disallowed_reported: HashSet<String>,
    /// Whether any raw HTML (beyond comments) reached the output. Everything else the writer
    /// emits is escaped text and vetted links, so only then is the sanitizer pass needed —
    /// and it is most of the render time.
    raw_html: bool,
    /// Which spans of the page hold raw HTML: only those are sanitised.
    spans: RawSpans,
    /// Sanitise the whole page, not span by span (the tests' reference).
    whole: bool,
    /// Whether the HTML is for a page (sanitised) or only scanned for findings.
    publish: bool,
    /// Text not yet written: pulldown-cmark splits a run of text at `_`, `&`, `[` …, and a
    /// bare URL must be seen whole to become one link.
    pending_text: String,
    has_code: bool,
    /// Lines whose block start carries an `L{line}` id, ascending (see [`RenderedDoc`]).
    line_anchors: Vec<u32>,
    /// Plain text per heading section, for the search index.
    sections: SectionText,
}

impl<'a> Writer<'a> {
    fn new(
        doc: &'a Document,
        body: &str,
        resolver: &'a dyn LinkResolver,
        highlighter: &'a Highlighter,
        publish: bool,
    ) -> Self {
        Writer {
            doc,
            resolver,
            highlighter,
            lines: LineIndex::new(body, doc.body_line),
            out: if publish {
                String::with_capacity(body.len() * 3 / 2)
            } else {
                String::new()
            },
            ids: GithubIds::new(),
            toc: Vec::new(),
            diagnostics: Vec::new(),
            heading: None,
            image: None,
            code: None,
            html_block: None,
            links: Vec::new(),
            table: TableState::default(),
            containers: Vec::new(),
            depth: 0,
            too_deep_reported: false,
            in_md_table: false,
            headed: false,
            html_open: Vec::new(),
            html_dropped: HashMap::new(),
            footnotes: HashMap::new(),
            in_metadata: false,
            disallowed_reported: HashSet::new(),
            raw_html: false,
            spans: RawSpans::default(),
            whole: false,
            publish,
            pending_text: String::new(),
            has_code: false,
            line_anchors: Vec::new(),
            sections: SectionText::default(),
        }
    }

    fn finish(mut self) -> RenderedDoc {
        self.flush_text();
        nest_toc(&mut self.toc);
        // pulldown-cmark balances its events, but a half-open state must not lose text.
        if let Some(block) = self.html_block.take() {
            self.raw_html_block(&block);
        }
        if let Some(heading) = self.heading.take() {
            self.out.push_str(&heading.anchor);
            self.out.push_str(&heading.html);
        }
        let spans = std::mem::take(&mut self.spans).finish(self.out.len());
        let lead = self.sections.lead();
        let mut sections = std::mem::take(&mut self.sections).finish();
        let terms = if self.publish {
            terms::of_document(&self.doc.title, &sections)
        } else {
            PageTerms::default()
        };
        // Weighed: from here on a section's text is only its snippet. Its capacity goes too:
        // a whole site's documents are held until render, and each section grew to 16 KiB.
        for section in &mut sections {
            let kept = snippet(&section.text).len();
            section.text.truncate(kept);
            section.text.shrink_to_fit();
        }
        let mut html = if !(self.raw_html && self.publish) {
            self.out
        } else if self.whole {
            sanitize(&self.out)
        } else {
            sanitize_spans(&self.out, &spans)
        };
        // Held with every other page's until render: the slack of a doubling buffer is not.
        html.shrink_to_fit();
        RenderedDoc {
            html_digest: *blake3::hash(html.as_bytes()).as_bytes(),
            search_digest: search_digest(&sections, &terms),
            html,
            toc: self.toc,
            diagnostics: self.diagnostics,
            has_code: self.has_code,
            line_anchors: self.line_anchors,
            lead,
            sections,
            terms,
        }
    }

    /// Where HTML goes now: into the heading being built, or the page.
    fn buf(&mut self) -> &mut String {
        match &mut self.heading {
            Some(heading) => &mut heading.html,
            None => &mut self.out,
        }
    }

    /// ` id="L{line}"` for a block starting at `offset`, when it is the first block on its
    /// line (a list and its first item, a quote and its paragraph share one); else nothing.
    /// Events come in source order, so the anchors stay unique and sorted.
    fn anchor_attr(&mut self, offset: usize) -> String {
        match self.anchor_line(offset) {
            Some(line) => format!(" id=\"L{line}\""),
            None => String::new(),
        }
    }

    /// The line whose anchor the block starting at `offset` carries, noted as given; `None`
    /// where it carries none (see [`Writer::anchor_attr`]).
    fn anchor_line(&mut self, offset: usize) -> Option<u32> {
        let line = u32::try_from(self.lines.line(offset)).unwrap_or(u32::MAX);
        if !self.publish || self.line_anchors.last().is_some_and(|&last| last >= line) {
            return None;
        }
        self.line_anchors.push(line);
        Some(line)
    }

    /// Whether the innermost open raw element takes only particular children (`li`, rows…).
    fn in_list_or_table_markup(&self) -> bool {
        const STRICT: [&str; 8] = ["ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr"];
        self.html_open
            .last()
            .is_some_and(|open| STRICT.contains(&open.as_str()))
    }

    /// Writes the opening tag `html` (`<li>`, `<ol start="3">` …) with the line anchor of the
    /// block starting at `offset`.
    fn write_block(&mut self, html: &str, offset: usize) {
        // Written in place: a block starts on most lines, and a formatted copy of each tag
        // cost an allocation and a copy. An anchor is given only when publishing, so the tag
        // is written wherever it is.
        match (self.anchor_line(offset), html.find('>')) {
            (Some(line), Some(at)) => {
                let buf = self.buf();
                buf.push_str(&html[..at]);
                buf.push_str(" id=\"L");
                push_decimal(buf, line);
                buf.push('"');
                buf.push_str(&html[at..]);
            }
            _ => self.write(html),
        }
    }

    fn write(&mut self, html: &str) {
        // A scan keeps no HTML, except a heading's: whether a heading is empty (and so left
        // out with a warning) depends on what it shows, an image say, and `check` must find
        // what `build` finds (the fuzz test caught an image-only heading warned about by
        // check alone).
        if self.publish || self.heading.is_some() {
            self.buf().push_str(html);
        }
    }

    fn event(&mut self, event: Event<'_>, offset: usize) {
        if !self.publish {
            self.route(event, offset);
            return;
        }
        self.spans.before(&event, self.out.len());
        let step = spans::step(&event);
        self.route(event, offset);
        self.spans.after(step);
    }

    fn route(&mut self, event: Event<'_>, offset: usize) {
        if let Some(heading) = &mut self.heading {
            heading.text.push(&event);
        }
        if !matches!(event, Event::Text(_)) {
            self.flush_text();
        }
        if self.in_metadata {
            if let Event::End(TagEnd::MetadataBlock(_)) = event {
                self.in_metadata = false;
            }
            return;
        }
        if self.publish && self.heading.is_none() {
            self.search_text(&event);
        }
        if let Some(code) = &mut self.code {
            match event {
                Event::Text(text) => code.text.push_str(&text),
                Event::End(TagEnd::CodeBlock) => self.end_code_block(),
                _ => {}
            }
            return;
        }
        if self.image.is_some() {
            self.image_event(event);
            return;
        }
        if let Some(block) = &mut self.html_block {
            match event {
                Event::Html(html) => {
                    block.push(&html, offset);
                    return;
                }
                Event::End(TagEnd::HtmlBlock) => {
                    let block = std::mem::take(block);
                    self.html_block = None;
                    self.raw_html_block(&block);
                    return;
                }
                // Not expected inside an HTML block; flush what we have and carry on.
                _ => {
                    let block = std::mem::take(block);
                    self.html_block = None;
                    self.raw_html_block(&block);
                }
            }
        }
        match event {
            Event::Start(tag) => self.start(tag, offset),
            Event::End(tag) => self.end(tag),
            Event::Text(text) if self.publish => self.pending_text.push_str(&text),
            Event::Text(_) => {}
            Event::Code(text) if self.publish || self.heading.is_some() => {
                // Escaped straight into the page (as `write` would, only when kept).
                let buf = self.buf();
                buf.push_str("<code>");
                escape_into(&text, buf);
                buf.push_str("</code>");
            }
            Event::Code(_) => {}
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                let escaped = escape(&text);
                self.write(&escaped);
            }
            Event::Html(html) => {
                let mut block = RawHtmlBlock::default();
                block.push(&html, offset);
                self.raw_html_block(&block);
            }
            Event::InlineHtml(html) => {
                let mut block = RawHtmlBlock::default();
                block.push(&html, offset);
                self.raw_html_block(&block);
            }
            Event::FootnoteReference(name) => {
                let n = self.footnote_number(&name);
                let html = format!("<sup class=\"footnote-reference\"><a href=\"#fn-{n}\">{n}</a></sup>");
                self.write(&html);
            }
            Event::SoftBreak => self.write("\n"),
            Event::HardBreak => self.write("<br>\n"),
            Event::Rule => self.write("<hr>\n"),
            Event::TaskListMarker(checked) => {
                let checked = if checked { " checked=\"\"" } else { "" };
                let html = format!("<input type=\"checkbox\" disabled=\"\"{checked}> ");
                self.write(&html);
            }
        }
    }

    /// Writes the text gathered so far, bare URLs as links (GitHub's autolinks) unless it is
    /// already inside a link.
    fn flush_text(&mut self) {
        if self.pending_text.is_empty() {
            return;
        }
        let mut text = std::mem::take(&mut self.pending_text);
        if self.publish || self.heading.is_some() {
            let in_link = !self.links.is_empty() || self.html_open.iter().any(|open| open == "a");
            let out = self.buf();
            if in_link {
                escape_into(&text, out);
            } else {
                push_autolinked(&text, out);
            }
        }
        // The buffer is kept for the next run of text.
        text.clear();
        self.pending_text = text;
    }

    /// Feeds the search's section text: words, with a gap at every element boundary.
    fn search_text(&mut self, event: &Event<'_>) {
        match event {
            // A paragraph of its own (not in a list, quote or table) may be the page's lead.
            Event::Start(Tag::Paragraph) if self.containers.is_empty() && !self.in_md_table => {
                self.sections.open_lead();
            }
            Event::End(TagEnd::Paragraph) => self.sections.close_lead(),
            _ => {}
        }
        match event {
            Event::Text(text) | Event::Code(text) => self.sections.push(text),
            Event::Start(_) | Event::End(_) | Event::SoftBreak | Event::HardBreak => {
                self.sections.gap();
            }
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, offset: usize) {
        match tag {
            Tag::Paragraph => self.write_block("<p>", offset),
            Tag::Heading { level, .. } => {
                // Headings keep their own ids; the line anchor is an empty span inside.
                let attr = self.anchor_attr(offset);
                self.heading = Some(HeadingState {
                    level: level as u8,
                    line: self.lines.line(offset),
                    text: HeadingText::new(),
                    html: String::new(),
                    anchor: if attr.is_empty() {
                        String::new()
                    } else {
                        format!("<span{attr}></span>")
                    },
                });
            }
            Tag::BlockQuote(_) => self.open_container("<blockquote>\n", offset),
            Tag::CodeBlock(kind) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.into_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let anchor = self.anchor_attr(offset);
                self.code = Some(CodeState {
                    info,
                    text: String::new(),
                    anchor,
                });
            }
            Tag::HtmlBlock => {
                // Raw HTML may carry its own ids: the anchor is a span of ours before it,
                // unless the open raw element may not hold a span (a list's or table's
                // children), where it would break the structure screen readers rely on.
                let attr = if self.in_list_or_table_markup() {
                    String::new()
                } else {
                    self.anchor_attr(offset)
                };
                if !attr.is_empty() {
                    self.write(&format!("<span{attr}></span>"));
                }
                self.html_block = Some(RawHtmlBlock::default());
            }
            Tag::List(Some(1)) => self.open_container("<ol>\n", offset),
            Tag::List(Some(start)) => self.open_container(&format!("<ol start=\"{start}\">\n"), offset),
            Tag::List(None) => self.open_container("<ul>\n", offset),
            Tag::Item => self.open_container("<li>", offset),
            Tag::FootnoteDefinition(name) => {
                let n = self.footnote_number(&name);
                let html = format!(
                    "<div class=\"footnote-definition\" id=\"fn-{n}\"><sup class=\"footnote-definition-label\">{n}</sup>"
                );
                self.write(&html);
            }
            Tag::DefinitionList => self.write("<dl>\n"),
            Tag::DefinitionListTitle => self.write("<dt>"),
            Tag::DefinitionListDefinition => self.write("<dd>"),
            Tag::Table(alignments) => {
                self.table = TableState {
                    alignments,
                    in_head: false,
                    cell: 0,
                };
                self.in_md_table = true;
                // Focusable: a wide table scrolls in its own box, and a keyboard scrolls only what it
                // can focus (as for `pre`; the sanitizer does the same for raw tables).
                self.write("<table tabindex=\"0\">");
            }
            Tag::TableHead => {
                self.table.in_head = true;
                self.table.cell = 0;
                self.write("<thead>");
                self.write_block("<tr>", offset);
            }
            Tag::TableRow => {
                self.table.cell = 0;
                self.write_block("<tr>", offset);
            }
            Tag::TableCell => {
                let cell = if self.table.in_head { "th" } else { "td" };
                let align = match self.table.alignments.get(self.table.cell) {
                    // Classes, not `style`: the site's Content-Security-Policy allows no inline
                    // styles, and would drop the alignment (with a console error) otherwise.
                    Some(Alignment::Left) => " class=\"align-left\"",
                    Some(Alignment::Center) => " class=\"align-center\"",
                    Some(Alignment::Right) => " class=\"align-right\"",
                    _ => "",
                };
                let html = format!("<{cell}{align}>");
                self.write(&html);
            }
            Tag::Emphasis => self.write("<em>"),
            Tag::Strong => self.write("<strong>"),
            Tag::Strikethrough => self.write("<del>"),
            Tag::Superscript => self.write("<sup>"),
            Tag::Subscript => self.write("<sub>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                let dest = if link_type == LinkType::Email {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.into_string()
                };
                let line = self.lines.line(offset);
                let close = self.open_link(&dest, &title, line);
                self.links.push(close);
            }
            Tag::Image { dest_url, title, .. } => {
                self.image = Some(ImageState {
                    dest: dest_url.into_string(),
                    title: title.into_string(),
                    line: self.lines.line(offset),
                    alt: String::new(),
                    nested: 0,
                });
            }
            Tag::MetadataBlock(_) => self.in_metadata = true,
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.write("</p>\n"),
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::BlockQuote(_) => self.close_container("</blockquote>\n"),
            TagEnd::CodeBlock => self.end_code_block(),
            TagEnd::HtmlBlock => {}
            TagEnd::List(true) => self.close_container("</ol>\n"),
            TagEnd::List(false) => self.close_container("</ul>\n"),
            TagEnd::Item => self.close_container("</li>\n"),
            TagEnd::FootnoteDefinition => self.write("</div>\n"),
            TagEnd::DefinitionList => self.write("</dl>\n"),
            TagEnd::DefinitionListTitle => self.write("</dt>\n"),
            TagEnd::DefinitionListDefinition => self.write("</dd>\n"),
            TagEnd::Table => {
                self.in_md_table = false;
                self.write("</tbody></table>\n");
            }
            TagEnd::TableHead => {
                self.table.in_head = false;
                self.write("</tr></thead><tbody>\n");
            }
            TagEnd::TableRow => self.write("</tr>\n"),
            TagEnd::TableCell => {
                let html = if self.table.in_head { "</th>" } else { "</td>" };
                self.table.cell += 1;
                self.write(html);
            }
            TagEnd::Emphasis => self.write("</em>"),
            TagEnd::Strong => self.write("</strong>"),
            TagEnd::Strikethrough => self.write("</del>"),
            TagEnd::Superscript => self.write("</sup>"),
            TagEnd::Subscript => self.write("</sub>"),
            TagEnd::Link => {
                let close = self.links.pop().unwrap_or("");
                self.write(close);
            }
            // Handled in `image_event`.
            TagEnd::Image => {}
            TagEnd::MetadataBlock(_) => self.in_metadata = false,
        }
    }

    fn open_container(&mut self, html: &str, offset: usize) {
        if self.depth >= MAX_NESTING {
            self.containers.push(false);
            let line = self.lines.line(offset);
            self.report_too_deep(line);
            return;
        }
        self.containers.push(true);
        self.depth += 1;
        self.write_block(html, offset);
    }

    /// A heading with nothing in it (a lone `##`) is left out of the page: an empty `<h2>` is
    /// a bar across the page with nothing to say, and a gap in the TOC.
    fn report_empty_heading(&mut self, line: usize) {
        self.diagnostics.push(
            Diagnostic::warning(
                "markdown/empty-heading",
                "this heading has no text; it is left out of the page",
            )
            .at(&self.doc.source, Some(line))
            .help("give the heading a title, or remove its `#` marks"),
        );
    }

    fn report_too_deep(&mut self, line: usize) {
        if !self.too_deep_reported {
            self.too_deep_reported = true;
            self.diagnostics.push(
                Diagnostic::warning(
                    "markdown/too-deep",
                    format!("lists, block quotes and HTML elements nested more than {MAX_NESTING} levels deep are flattened"),
                )
                .at(&self.doc.source, Some(line))
                .help("reduce the nesting; readers cannot follow it anyway"),
            );
        }
    }

    /// Tracks raw HTML nesting; false if this tag must be dropped because it is too deep.
    fn track_nesting(&mut self, tag: &HtmlTag<'_>, name: &str, line: usize) -> bool {
        if is_void_or_optional_end(name) {
            return true;
        }
        if tag.closing {
            if let Some(dropped) = self.html_dropped.get_mut(name).filter(|n| **n > 0) {
                *dropped -= 1;
                return false;
            }
            if let Some(pos) = self.html_open.iter().rposition(|open| open == name) {
                self.html_open.truncate(pos);
            }
            return true;
        }
        if self.html_open.len() >= MAX_NESTING {
            *self.html_dropped.entry(name.to_owned()).or_default() += 1;
            self.report_too_deep(line);
            return false;
        }
        self.html_open.push(name.to_owned());
        true
    }

    /// Whether `name` is a table part (`<td>`, `<tr>` …) with no table open to hold it.
    fn out_of_table(&self, name: &str) -> bool {
        const TABLE_PARTS: &[&str] = &[
            "caption", "col", "colgroup", "tbody", "td", "tfoot", "th", "thead", "tr",
        ];
        TABLE_PARTS.contains(&name) && !self.in_md_table && !self.html_open.iter().any(|open| open == "table")
    }

    fn close_container(&mut self, html: &str) {
        if self.containers.pop() == Some(true) {
            self.depth = self.depth.saturating_sub(1);
            self.write(html);
        }
    }

    fn end_heading(&mut self) {
        let Some(heading) = self.heading.take() else {
            return;
        };
        let display = heading.text.display();
        // Every heading takes an id from the sequence, as in the outline and on GitHub.
        let id = self.ids.next_id(heading.text.for_id());
        let level = heading.level.clamp(1, 6);
        if display.is_empty() && heading.html.trim().is_empty() {
            self.report_empty_heading(heading.line);
            // Its line anchor is promised in `line_anchors`: keep it.
            self.out.push_str(&heading.anchor);
            return;
        }
        let html = if display.is_empty() || id.is_empty() {
            format!("<h{level}>{}{}</h{level}>\n", heading.anchor, heading.html)
        } else {
            // The document's opening `#` title is the page title, not a section; any later
            // `#` heading is one (harbor's self-assessment has nine).
            let is_title = level == 1 && !self.headed;
            if !is_title {
                self.sections.start(&display, &id);
                self.toc.push(TocEntry {
                    level,
                    text: display,
                    id: id.clone(),
                    nest: false,
                    close: 0,
                    close_after: 0,
                });
            }
            format!(
                "<h{level} id=\"{id}\">{anchor}{html}<a class=\"anchor\" href=\"#{href}\" aria-label=\"Link to this section\">#</a></h{level}>\n",
                id = escape_attr(&id),
                html = heading.html,
                anchor = heading.anchor,
                href = escape_attr(&encode_fragment(&id)),
            )
        };
        self.headed = true;
        self.out.push_str(&html);
    }

    fn end_code_block(&mut self) {
        let Some(code) = self.code.take() else { return };
        // Code holds no links or HTML: a scan has nothing to find in it.
        if !self.publish {
            return;
        }
        let lang = language_token(&code.info);
        let body = self.highlighter.highlight(lang.unwrap_or(""), &code.text);
        self.has_code |= body.contains(&format!("class=\"{CLASS_PREFIX}"));
        let class = lang
            .map(|l| {
                l.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '#' | '.'))
                    .collect::<String>()
            })
            .filter(|l| !l.is_empty())
            .map(|l| format!(" class=\"language-{l}\""))
            .unwrap_or_default();
        // Focusable, so a keyboard can scroll a wide block sideways.
        let html = format!(
            "<pre{} tabindex=\"0\"><code{class}>{body}</code></pre>\n",
            code.anchor
        );
        self.write(&html);
    }

    fn image_event(&mut self, event: Event<'_>) {
        let Some(image) = &mut self.image else { return };
        match event {
            Event::Start(Tag::Image { .. }) => image.nested += 1,
            Event::End(TagEnd::Image) if image.nested > 0 => image.nested -= 1,
            Event::End(TagEnd::Image) => {
                if let Some(image) = self.image.take() {
                    self.end_image(image);
                }
            }
            Event::Text(text) | Event::Code(text) => image.alt.push_str(&text),
            Event::SoftBreak | Event::HardBreak => image.alt.push(' '),
            _ => {}
        }
    }

    fn end_image(&mut self, mut image: ImageState) {
        if self.too_long("alt", &image.alt, image.line) {
            image.alt.clear();
        }
        if is_placeholder_alt(&image.alt) {
            self.report_placeholder_alt(&image.alt, image.line);
        }
        if self.too_long("title", &image.title, image.line) {
            image.title.clear();
        }
        let html = match self.resolve(&image.dest) {
            Ok((href, _)) => {
                let title = if image.title.is_empty() {
                    String::new()
                } else {
                    format!(" title=\"{}\"", escape_attr(&image.title))
                };
                format!(
                    "<img src=\"{}\" alt=\"{}\"{title}{}>",
                    escape_attr(&href),
                    escape_attr(&image.alt),
                    self.image_attrs(&image.dest, true),
                )
            }
            Err(reason) => {
                self.report_broken(&image.dest, &reason, image.line, true);
                broken_image(&image.alt, &image.dest, &reason)
            }
        };
        self.write(&html);
    }

    /// `width`/`height` when the image is a site file whose size is known (so the text does not
    /// jump as it loads), and lazy loading: long documents have many diagrams far down.
    fn image_attrs(&self, dest: &str, with_size: bool) -> String {
        let size = match self.resolver.resolve(&self.doc.source, dest) {
            Resolved::Internal { url, .. } if with_size => self.resolver.image_size(&url),
            _ => None,
        };
        let size = size
            .map(|(w, h)| format!(" width=\"{w}\" height=\"{h}\""))
            .unwrap_or_default();
        format!("{size} loading=\"lazy\" decoding=\"async\"")
    }

    /// For a raw `<img>`: the placeholder-alt check, and what a Markdown image gets (its size
    /// only when the author gave neither width nor height).
    fn raw_image_extras(&mut self, tag: &HtmlTag<'_>, line: usize) -> String {
        let alt = tag.attr("alt").map(|a| a.decoded().into_owned());
        if let Some(alt) = alt.filter(|alt| is_placeholder_alt(alt)) {
            self.report_placeholder_alt(&alt, line);
        }
        let dest = tag
            .attr("src")
            .map(|a| a.decoded().trim().to_owned())
            .unwrap_or_default();
        let sized = tag.attr("width").is_some() || tag.attr("height").is_some();
        self.image_attrs(&dest, !sized)
    }

    fn report_placeholder_alt(&mut self, alt: &str, line: usize) {
        self.diagnostics.push(
            Diagnostic::warning(
                "markdown/placeholder-alt",
                format!("the image's alt text `{}` is a placeholder", alt.trim()),
            )
            .at(&self.doc.source, Some(line))
            .help("describe what the image shows (`![Data flow from the API to the store](…)`); screen readers read the alt text out"),
        );
    }

    /// Writes the opening of a Markdown link; returns what closes it.
    fn open_link(&mut self, dest: &str, title: &str, line: usize) -> &'static str {
        let title = if title.is_empty() || self.too_long("title", title, line) {
            String::new()
        } else {
            format!(" title=\"{}\"", escape_attr(title))
        };
        match self.resolve(dest) {
            Ok((href, external)) => {
                let rel = if external {
                    " rel=\"noopener noreferrer\""
                } else {
                    ""
                };
                let html = format!("<a href=\"{}\"{title}{rel}>", escape_attr(&href));
                self.write(&html);
                "</a>"
            }
            Err(reason) => {
                self.report_broken(dest, &reason, line, false);
                let html = format!(
                    "<span class=\"broken-link\" title=\"{}\">",
                    escape_attr(&broken_title(&reason))
                );
                self.write(&html);
                "</span>"
            }
        }
    }

    /// The href for `dest` as seen from this page, and whether it leaves the site; or why it
    /// is broken.
    fn resolve(&self, dest: &str) -> Result<(String, bool), String> {
        match self.resolver.resolve(&self.doc.source, dest) {
            Resolved::External(url) => Ok((escape_href(&url), true)),
            Resolved::Internal { url, fragment } => {
                let href = match fragment {
                    Some(fragment) if self.doc.url == url => format!("#{}", encode_fragment(&fragment)),
                    Some(fragment) => format!(
                        "{}#{}",
                        relative_url(&self.doc.url, &url),
                        encode_fragment(&fragment)
                    ),
                    None => relative_url(&self.doc.url, &url),
                };
                Ok((href, false))
            }
            Resolved::Broken { reason } => Err(reason),
        }
    }

    fn report_broken(&mut self, dest: &str, reason: &str, line: usize, image: bool) {
        let (what, help) = if image {
            (
                "broken image",
                "fix the image path (file names are case-sensitive; write spaces as %20) or link a full https:// URL",
            )
        } else {
            (
                "broken link",
                "point the link at a file or heading in the site, or at a full https:// URL",
            )
        };
        self.diagnostics.push(
            Diagnostic::warning("link/broken", format!("{what} `{dest}`: {reason}"))
                .at(&self.doc.source, Some(line))
                .help(help),
        );
    }

    fn footnote_number(&mut self, name: &str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(name.to_owned()).or_insert(next)
    }

    /// Raw HTML, tag by tag: comments dropped, made-up tags shown as text, links rewritten.
    fn raw_html_block(&mut self, block: &RawHtmlBlock) {
        let mut html = String::with_capacity(block.text.len());
        for token in rawhtml::tokenize(&block.text) {
            match token {
                Token::Text(text) => {
                    if !text.trim().is_empty() {
                        self.raw_html = true;
                        self.spans.raw();
                    }
                    // A `<` the lexer did not take as markup is text; left as it is, html5ever
                    // might still start a tag there and swallow what follows.
                    html.push_str(&text.replace('<', "&lt;"));
                }
                Token::Comment(_) | Token::Bogus(_) => {}
                Token::Tag(tag) => {
                    self.raw_html = true;
                    self.spans.raw();
                    let line = self.lines.line(block.source_offset(tag.offset));
                    self.raw_tag(&tag, line, &mut html);
                }
            }
        }
        self.write(&html);
    }

    fn raw_tag(&mut self, tag: &HtmlTag<'_>, line: usize, html: &mut String) {
        if !rawhtml::is_known_element(tag.name) {
            self.report_unknown(tag, line);
            html.push_str(&escape(tag.src));
            return;
        }
        let name = tag.name.to_ascii_lowercase();
        if is_shown_as_text(&name) {
            // Left as a tag, html5ever would take everything after an unclosed `<script>`,
            // `<textarea>`, `<svg>`, `<select>` … as its content, and the sanitizer would
            // remove it all: one "inject a <script> tag" in prose took every later section
            // off the page. As text (GitHub's tag filter does the same) nothing can be lost.
            if !tag.closing {
                let what = format!("`<{name}>` is not allowed in documents; it is shown as text");
                self.report_disallowed(&name, what, line);
            }
            html.push_str(&escape(tag.src));
            return;
        }
        if !self.track_nesting(tag, &name, line) {
            return;
        }
        let allowed = is_allowed_tag(&name);
        if !allowed || self.out_of_table(&name) {
            if !tag.closing && !allowed {
                let what =
                    format!("`<{name}>` is not allowed in documents; it was removed (its text is kept)");
                self.report_disallowed(&name, what, line);
            }
            // Dropped here, not left to the sanitizer: html5ever gives some of these (`<g>`,
            // an SVG name outside SVG) the rest of the paragraph as content, which the
            // sanitizer then removed with it. An id the tag carried stays a link target,
            // as the link table (which reads every raw id) promised.
            if !tag.closing {
                keep_anchors(tag, html);
            }
            return;
        }
        if tag.closing {
            self.spans.close(&name);
            html.push_str(tag.src);
            return;
        }
        self.rewrite_tag(tag, &name, line, html);
    }

    fn report_unknown(&mut self, tag: &HtmlTag<'_>, line: usize) {
        self.diagnostics.push(
            Diagnostic::warning(
                "html/unknown-tag",
                format!("`{}` is not an HTML element; it is shown as text", tag.src),
            )
            .at(&self.doc.source, Some(line))
            .help(format!(
                "to show it as text on GitHub too, write it in backticks (`{0}`) or escape it (\\<{1}>)",
                tag.src,
                tag.name.trim_start_matches('/'),
            )),
        );
    }

    /// Whether the value of attribute `name` is too long to keep (see [`serialises_slowly`]);
    /// reported once per document.
    fn too_long(&mut self, name: &str, value: &str, line: usize) -> bool {
        let slow = serialises_slowly(value);
        if slow {
            let what =
                format!("the `{name}` attribute is over 4 KiB of `&` or symbols such as `°`; it was removed");
            self.report_disallowed("long attribute", what, line);
        }
        slow
    }

    fn report_disallowed(&mut self, key: &str, message: String, line: usize) {
        if self.disallowed_reported.insert(key.to_owned()) {
            self.diagnostics.push(
                Diagnostic::warning("html/disallowed", message)
                    .at(&self.doc.source, Some(line))
                    .help("documents may use plain HTML for layout (tables, details, images, links) but no scripts, styles, frames or forms; to name a tag in prose, write it in backticks (`<script>`)"),
            );
        }
    }

    /// Writes an allowed opening tag again, with `href`/`src` resolved like Markdown links.
    fn rewrite_tag(&mut self, tag: &HtmlTag<'_>, name: &str, line: usize, html: &mut String) {
        let link_attr = match name {
            "a" => Some("href"),
            "img" => Some("src"),
            _ => None,
        };
        let mut resolved: Option<Result<(String, bool), String>> = None;
        if let Some(attr) = link_attr.and_then(|a| tag.attr(a)) {
            let dest = attr.decoded().trim().to_owned();
            let result = self.resolve(&dest);
            if let Err(reason) = &result {
                self.report_broken(&dest, reason, line, name == "img");
                if name == "img" {
                    let alt = tag
                        .attr("alt")
                        .map(|a| a.decoded().into_owned())
                        .unwrap_or_default();
                    html.push_str(&broken_image(&alt, &dest, reason));
                    return;
                }
            }
            resolved = Some(result);
        }
        let broken = matches!(resolved, Some(Err(_)));
        html.push('<');
        html.push_str(name);
        if name == "input" {
            // The sanitizer adds what an input lacks of these two in its hash map's order,
            // which differs between runs: written here, in one order, it only sets values.
            html.push_str(" type=\"checkbox\" disabled=\"\"");
        }
        for attr in &tag.attrs {
            let attr_name = attr.name.to_ascii_lowercase();
            if name == "input" && matches!(attr_name.as_str(), "type" | "disabled") {
                continue;
            }
            if attr_name.starts_with("on") {
                self.report_disallowed(
                    "on*",
                    format!(
                        "event handler attributes such as `{}` are not allowed; they were removed",
                        attr.name
                    ),
                    line,
                );
                continue;
            }
            if attr
                .value
                .is_some_and(|value| self.too_long(&attr_name, value, line))
            {
                continue;
            }
            if Some(attr_name.as_str()) == link_attr {
                if let Some(Ok((href, _))) = &resolved {
                    html.push_str(&format!(" {attr_name}=\"{}\"", escape_attr(href)));
                }
                continue;
            }
            if broken && (attr_name == "class" || attr_name == "title" || attr_name == "rel") {
                continue;
            }
            if name == "a" && attr_name == "rel"
                || name == "img" && matches!(attr_name.as_str(), "loading" | "decoding")
            {
                continue;
            }
            html.push(' ');
            html.push_str(&attr_name);
            if let Some(value) = attr.value {
                html.push_str("=\"");
                html.push_str(&value.replace('"', "&quot;"));
                html.push('"');
            }
        }
        if name == "img" && matches!(resolved, Some(Ok(_))) {
            html.push_str(&self.raw_image_extras(tag, line));
        }
        match &resolved {
            Some(Ok((_, true))) if name == "a" => html.push_str(" rel=\"noopener noreferrer\""),
            Some(Err(reason)) => {
                html.push_str(&format!(
                    " class=\"broken-link\" title=\"{}\"",
                    escape_attr(&broken_title(reason))
                ));
            }
            _ => {}
        }
        html.push_str(if tag.self_closing { " />" } else { ">" });
        self.spans.open(name);
    }
}

/// Elements that never hold others (void) or whose end tag is optional, so an unclosed one
/// does not mean deeper nesting (html5ever closes it implicitly).
fn is_void_or_optional_end(name: &str) -> bool {
    rawhtml::is_void_element(name)
        || matches!(
            name,
            "p" | "li"
                | "dt"
                | "dd"
                | "tr"
                | "td"
                | "th"
                | "thead"
                | "tbody"
                | "tfoot"
                | "option"
                | "optgroup"
                | "rp"
                | "rt"
                | "rb"
                | "rtc"
                | "colgroup"
                | "caption"
                | "html"
                | "head"
                | "body"
        )
}

/// Appends `text` escaped, with its bare URLs as external links.
fn push_autolinked(text: &str, html: &mut String) {
    let mut at = 0;
    for link in autolink::find_autolinks(text) {
        escape_into(&text[at..link.range.start], html);
        html.push_str("<a href=\"");
        html.push_str(&escape_attr(&escape_href(&link.href(text))));
        html.push_str("\" rel=\"noopener noreferrer\">");
        escape_into(&text[link.range.clone()], html);
        html.push_str("</a>");
        at = link.range.end;
    }
    escape_into(&text[at..], html);
}

/// Alt text an editor or template left in (`![alt_text](…)`), which describes nothing.
fn is_placeholder_alt(alt: &str) -> bool {
    let alt = alt.trim().to_ascii_lowercase();
    matches!(
        alt.as_str(),
        "alt_text" | "alt text" | "alt-text" | "alttext" | "alt" | "image" | "img" | "picture" | "diagram"
    )
}

fn broken_title(reason: &str) -> String {
    format!("Broken link: {reason}")
}

/// A visible stand-in for an image that is not there: its alt text, or its path.
fn broken_image(alt: &str, dest: &str, reason: &str) -> String {
    let label = if alt.trim().is_empty() { dest } else { alt };
    format!(
        "<span class=\"broken-link broken-image\" title=\"{}\">[image: {}]</span>",
        escape_attr(&format!("Broken image: {reason}")),
        escape(label),
    )
}

/// Escapes text for a double-quoted attribute value.
fn escape_attr(text: &str) -> String {
    // `escape` writes `'` as `&#39;` already: a `replace` after it only scanned and copied.
    escape(text)
}

/// Makes a URL written by an author safe to put in an attribute without changing what it
/// points to: characters that are not allowed in URLs (spaces, quotes, non-ASCII) are
/// percent-encoded; existing escapes are kept.
fn escape_href(url: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const HREF: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'<')
        .add(b'>')
        .add(b'\\')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    utf8_percent_encode(url, HREF).to_string()
}

/// An empty `<span>` for each `id` or `name` of a tag that is dropped, so fragments that
/// pointed at the tag still land on the page.
fn keep_anchors(tag: &HtmlTag<'_>, html: &mut String) {
    for attr in &tag.attrs {
        let value = attr.decoded();
        if attr.is_anchor() && !value.trim().is_empty() {
            html.push_str(&format!("<span id=\"{}\"></span>", escape(&value)));
        }
    }
}

#[cfg(test)]
mod tests;
