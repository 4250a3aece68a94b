//! A document prepared once for all checks: headings normalised for tolerant matching, the
//! lines a reader can see (HTML comments and fenced code removed), and bold text that stands
//! in for a heading. Every rule then works on these lists instead of re-reading the Markdown.

use std::borrow::Cow;
use std::cell::OnceCell;

use crate::model::Document;
pub(crate) use crate::model::Head;
use crate::parse::heads;
pub(crate) use crate::parse::heads::normalise;

pub(crate) struct View<'a> {
    pub doc: &'a Document,
    /// Real headings in document order (an empty heading followed by a bold line, the Google
    /// Docs export pattern, takes the bold line's text).
    pub headings: Cow<'a, [Head]>,
    /// Bold lines and bold-led bullets (`* **Background.**`), the 2019 outline's way of
    /// writing sub-sections. `level` is 7, deeper than any heading.
    pub pseudo: Cow<'a, [Head]>,
    /// File line and text of every line outside HTML comments and fenced code.
    pub lines: Vec<(usize, Cow<'a, str>)>,
    /// `Label: value` lines, read on first use: (index in `lines`, normalised label, byte
    /// offset of the value).
    labels: OnceCell<Vec<(usize, String, usize)>>,
    /// Metadata-table rows (file line, normalised first cell), filled on first use by the
    /// document checks.
    pub rows: OnceCell<Vec<(usize, String)>>,
}

impl<'a> View<'a> {
    pub fn new(doc: &'a Document) -> Self {
        let lines = doc.visible_lines();
        // Found when the document was parsed (and kept in the parse cache); found here only
        // for a document made without them, or parsed as another kind.
        let (headings, pseudo) = match doc
            .hidden
            .as_ref()
            .and_then(|v| v.readings.as_ref())
            .map(|r| &r.heads)
        {
            Some(heads) => (
                Cow::Borrowed(&heads.headings[..]),
                Cow::Borrowed(&heads.pseudo[..]),
            ),
            None => {
                let visible = lines.iter().map(|(line, text)| (*line, text.as_ref()));
                let heads = heads::find(&doc.outline.headings, &doc.body, doc.body_line, visible);
                (Cow::Owned(heads.headings), Cow::Owned(heads.pseudo))
            }
        };
        View {
            doc,
            headings,
            pseudo,
            lines,
            labels: OnceCell::new(),
            rows: OnceCell::new(),
        }
    }

    /// Where to point when something is absent from the whole document: its title, else the
    /// first line after any front matter (line 1 would show the front matter's `---`).
    pub fn top_line(&self) -> usize {
        self.headings
            .first()
            .map_or(self.doc.body_line.max(1), |h| h.line)
    }

    /// The visible lines from heading `index` up to the next heading at its level or above.
    pub fn section_lines(&self, index: usize) -> impl Iterator<Item = &(usize, Cow<'a, str>)> {
        let (start, end) = self.section_range(index);
        self.lines.iter().filter(move |(l, _)| *l > start && *l < end)
    }

    /// (heading line, first line after the section).
    pub fn section_range(&self, index: usize) -> (usize, usize) {
        let Some(h) = self.headings.get(index) else {
            return (0, 0);
        };
        let end = self
            .headings
            .iter()
            .skip(index + 1)
            .find(|n| n.level <= h.level)
            .map_or(usize::MAX, |n| n.line);
        (h.line, end)
    }
}

/// Matches a normalised text against a pattern where `*` stands for any text.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == text;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(p) => rest = &rest[p + part.len()..],
            None => return false,
        }
    }
    true
}

/// How a required section was found.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Found<'v> {
    Exact(&'v Head),
    /// Under a known variant name; the note says how it differs.
    Variant(&'v Head, &'static str),
}

impl<'v> Found<'v> {
    pub fn head(&self) -> &'v Head {
        match self {
            Found::Exact(h) | Found::Variant(h, _) => h,
        }
    }
}

impl View<'_> {
    /// The first heading named by `names`, else by `variants` (glob patterns), else bold text
    /// that reads like the heading.
    pub fn find(&self, names: &[&str], variants: &[&str]) -> Option<Found<'_>> {
        if let Some(h) = self.headings.iter().find(|h| names.contains(&h.norm.as_str())) {
            return Some(Found::Exact(h));
        }
        if let Some(h) = self
            .headings
            .iter()
            .find(|h| variants.iter().any(|p| glob(p, &h.norm)))
        {
            return Some(Found::Variant(h, "a known variant of the name"));
        }
        self.pseudo
            .iter()
            .find(|h| names.contains(&h.norm.as_str()) || variants.iter().any(|p| glob(p, &h.norm)))
            .map(|h| Found::Variant(h, "bold text rather than a heading"))
    }

    /// Index in `headings` of the heading at `line`.
    pub fn heading_index(&self, line: usize) -> Option<usize> {
        self.headings.iter().position(|h| h.line == line)
    }

    /// The first visible line that starts with one of `labels` (normalised, e.g.
    /// `tracking issue`) followed by `:`. Bullets, emphasis and table pipes are skipped.
    pub fn label_line(&self, labels: &[&str]) -> Option<usize> {
        self.label_value(labels).map(|(line, _)| line)
    }

    /// Like [`View::label_line`], with the text after the colon.
    pub fn label_value(&self, labels: &[&str]) -> Option<(usize, &str)> {
        let all = self.labels.get_or_init(|| {
            let mut found = Vec::new();
            for (i, (_, text)) in self.lines.iter().enumerate() {
                let t = text
                    .trim_start()
                    .trim_start_matches(['*', '-', '+', '|', ' ', '_']);
                // Labels are short; a colon far into a line is prose.
                let Some(colon) = t.get(..t.len().min(48)).and_then(|head| head.find(':')) else {
                    continue;
                };
                let label = normalise(&t[..colon]);
                if !label.is_empty() {
                    found.push((i, label, text.len() - t.len() + colon + 1));
                }
            }
            found
        });
        all.iter()
            .find(|(_, label, _)| labels.contains(&label.as_str()))
            .and_then(|(i, _, at)| {
                let (line, text) = self.lines.get(*i)?;
                Some((*line, text.get(*at..)?.trim()))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_heading_forms() {
        assert_eq!(normalise("**Metadata**"), "metadata");
        assert_eq!(normalise("1. Project Overview"), "project overview");
        assert_eq!(
            normalise("8. Secure Development Practices"),
            "secure development practices"
        );
        assert_eq!(normalise("Known Issues Over Time:"), "known issues over time");
        assert_eq!(normalise("Critical."), "critical");
        assert_eq!(normalise("Non-Goals"), "non goals");
        assert_eq!(normalise("Self-Assessment Use"), "self assessment use");
        assert_eq!(normalise("Project & Design"), "project and design");
        assert_eq!(
            normalise("9. Vulnerability Reporting & Incident Response"),
            "vulnerability reporting and incident response"
        );
        assert_eq!(normalise("Security Provider?"), "security provider");
        assert_eq!(normalise("  _Goals_  "), "goals");
        assert_eq!(normalise("2019 outline"), "2019 outline");
        assert_eq!(normalise("1.2) Goals"), "goals");
        assert_eq!(normalise("Project’s Goals"), "project's goals");
        assert_eq!(normalise("..."), "");
        assert_eq!(normalise(""), "");
    }

    #[test]
    fn glob_patterns() {
        assert!(glob("appendix *", "appendix a: feedback"));
        assert!(!glob("appendix *", "appendix"));
        assert!(glob("recommendations * cncf", "recommendations to the cncf"));
        assert!(glob("feedback to * team", "feedback to pixie team"));
        assert!(!glob("feedback to * team", "feedback to cncf"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxc"));
        assert!(glob("exact", "exact"));
    }
}
