//! The plain text of each heading section, collected for the site search while the writer
//! makes the page. Render may not read files, so the text a search index needs is gathered
//! here, in the one pass over the Markdown, and carried on the [`RenderedDoc`](super::RenderedDoc).

/// Text kept per section. Long sections are indexed on their opening only: the index, and the
/// snippet shown for a hit, stay bounded however large a document is.
pub const SECTION_TEXT_CAP: usize = 16 * 1024;

/// Bytes of a section's text shown as its snippet in the search. Its terms are weighed on the
/// whole text (up to [`SECTION_TEXT_CAP`]) in the document's pass; only this much of it is
/// kept after that, in memory and in the build cache.
pub const SNIPPET_CAP: usize = 2048;

/// `text` cut to its first [`SNIPPET_CAP`] bytes, at a character boundary.
pub fn snippet(text: &str) -> &str {
    if text.len() <= SNIPPET_CAP {
        return text;
    }
    let mut end = SNIPPET_CAP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// One heading section of a document as plain text. The first section (`anchor` empty) is
/// whatever precedes the first heading below the title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchSection {
    pub heading: String,
    pub anchor: String,
    pub text: String,
}

/// Whether the search lists `sections` after an opening section of its own: the title's words
/// are weighed in a page's first section, and one that starts at a heading (or has no text)
/// has none without a heading.
pub fn needs_opening(sections: &[SearchSection]) -> bool {
    sections.first().is_none_or(|s| !s.anchor.is_empty())
}

/// Collects [`SearchSection`]s from the writer's text events.
#[derive(Debug, Default)]
pub(super) struct SectionText {
    done: Vec<SearchSection>,
    current: SearchSection,
    /// The page's lead: the first paragraph of its own with at least [`LEAD_MIN_WORDS`].
    lead: String,
    lead_state: LeadState,
}

/// A shorter paragraph ("Draft", an author line) says too little to describe the page.
const LEAD_MIN_WORDS: usize = 8;
/// Bytes of the lead kept: a description is cut far shorter anyway.
const LEAD_CAP: usize = 1024;

#[derive(Debug, Default, PartialEq, Eq)]
enum LeadState {
    #[default]
    Waiting,
    Open,
    Done,
}

impl SectionText {
    /// Appends `text` to the open section, up to [`SECTION_TEXT_CAP`] bytes.
    pub(super) fn push(&mut self, text: &str) {
        if self.lead_state == LeadState::Open && self.lead.len() < LEAD_CAP {
            self.lead.push_str(text);
        }
        let room = SECTION_TEXT_CAP.saturating_sub(self.current.text.len());
        if room == 0 {
            return;
        }
        let mut end = text.len().min(room);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.current.text.push_str(&text[..end]);
    }

    /// Ends a block or inline element: words on either side must not run together.
    pub(super) fn gap(&mut self) {
        if !self.current.text.is_empty() && !self.current.text.ends_with(' ') {
            self.push(" ");
        }
    }

    /// A paragraph that may be the lead starts.
    pub(super) fn open_lead(&mut self) {
        if self.lead_state == LeadState::Waiting {
            self.lead.clear();
            self.lead_state = LeadState::Open;
        }
    }

    /// A paragraph ends: it is the lead when it is long enough.
    pub(super) fn close_lead(&mut self) {
        if self.lead_state == LeadState::Open {
            let long = self.lead.split_whitespace().nth(LEAD_MIN_WORDS - 1).is_some();
            self.lead_state = if long { LeadState::Done } else { LeadState::Waiting };
        }
    }

    /// The lead found, if any paragraph qualified; taken, not copied (the page is done).
    pub(super) fn lead(&mut self) -> String {
        match self.lead_state {
            LeadState::Done => std::mem::take(&mut self.lead),
            _ => String::new(),
        }
    }

    /// Closes the open section and opens one under the heading `heading` (`#anchor`).
    pub(super) fn start(&mut self, heading: &str, anchor: &str) {
        let next = SearchSection {
            heading: heading.to_owned(),
            anchor: anchor.to_owned(),
            text: String::new(),
        };
        let done = std::mem::replace(&mut self.current, next);
        self.keep(done);
    }

    pub(super) fn finish(mut self) -> Vec<SearchSection> {
        let last = std::mem::take(&mut self.current);
        self.keep(last);
        self.done
    }

    /// A section is kept when it has a heading or text; an empty opening is not a result.
    fn keep(&mut self, mut section: SearchSection) {
        let trimmed = section.text.trim_end().len();
        section.text.truncate(trimmed);
        if !section.anchor.is_empty() || !section.text.is_empty() {
            self.done.push(section);
        }
    }
}
