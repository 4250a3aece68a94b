//! A document prepared once for all checks: headings normalised for tolerant matching, the
//! lines a reader can see (HTML comments and fenced code removed), and bold text that stands
//! in for a heading. Every rule then works on these lists instead of re-reading the Markdown.

use std::borrow::Cow;
use std::cell::OnceCell;

use crate::model::Document;

/// A heading, or bold text used as one.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub level: u8,
    /// See [`normalise`].
    pub norm: String,
    pub text: String,
    pub line: usize,
}

pub(crate) struct View<'a> {
    pub doc: &'a Document,
    /// Real headings in document order (an empty heading followed by a bold line, the Google
    /// Docs export pattern, takes the bold line's text).
    pub headings: Vec<Head>,
    /// Bold lines and bold-led bullets (`* **Background.**`), the 2019 outline's way of
    /// writing sub-sections. `level` is 7, deeper than any heading.
    pub pseudo: Vec<Head>,
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
        // Split only for an empty heading (rare): splitting every body was a third of this.
        let mut raw: Option<Vec<&str>> = None;
        let lines = doc.visible_lines();
        let mut headings = Vec::with_capacity(doc.outline.headings.len());
        for h in &doc.outline.headings {
            let norm = normalise(&h.text);
            if !norm.is_empty() {
                headings.push(Head {
                    level: h.level,
                    norm,
                    text: h.text.trim().to_owned(),
                    line: h.line,
                });
                continue;
            }
            // An empty heading whose real title is the bold line right after it (keycloak).
            let start = h.line.saturating_sub(doc.body_line) + 1;
            let next = raw
                .get_or_insert_with(|| doc.body.split('\n').collect())
                .iter()
                .enumerate()
                .skip(start)
                .find(|(_, l)| !l.trim().is_empty());
            if let Some((i, line)) = next
                && let Some(inner) = bold_line(line)
            {
                let norm = normalise(inner);
                if !norm.is_empty() {
                    headings.push(Head {
                        level: h.level,
                        norm,
                        text: inner.trim().to_owned(),
                        line: doc.body_line + i,
                    });
                }
            }
        }
        let mut pseudo = Vec::new();
        for (line_no, text) in &lines {
            let t = text.trim_start();
            if t.starts_with('#') {
                continue;
            }
            let inner = bold_line(t).or_else(|| bold_bullet(t));
            if let Some(inner) = inner {
                let label = label_part(inner);
                let norm = normalise(label);
                if !norm.is_empty() && norm.len() <= 80 {
                    let text = label.trim().trim_matches(['_', '*']).to_owned();
                    pseudo.push(Head {
                        level: 7,
                        norm,
                        text,
                        line: *line_no,
                    });
                }
            }
        }
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

/// `**Metadata**` or `__Metadata__` alone on a line → `Metadata`.
fn bold_line(line: &str) -> Option<&str> {
    // Most lines are prose: answered on their first two bytes, before the end is trimmed.
    let start = line.trim_start();
    if !(start.starts_with("**") || start.starts_with("__")) {
        return None;
    }
    let t = start.trim_end().trim_end_matches(':').trim_end();
    for mark in ["**", "__"] {
        if let Some(inner) = t.strip_prefix(mark).and_then(|r| r.strip_suffix(mark))
            && !inner.is_empty()
            && !inner.contains(mark)
        {
            return Some(inner);
        }
    }
    None
}

/// `* **Background.** text` → `Background.`.
fn bold_bullet(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("* ")
        .or_else(|| line.strip_prefix("- "))
        .or_else(|| line.strip_prefix("+ "))?;
    let rest = rest.trim_start().strip_prefix("**")?;
    let end = rest.find("**").unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The label at the start of a bold bullet: `_Non-goals. Non-goals that …` → `_Non-goals`.
fn label_part(text: &str) -> &str {
    let cut = [". ", ": "]
        .iter()
        .filter_map(|s| text.find(s))
        .min()
        .unwrap_or(text.len());
    &text[..cut]
}

/// The form headings are compared in: lowercase, emphasis and code marks dropped, typographic
/// punctuation made plain, `&` spelled `and`, hyphens as spaces, leading numbering (`1.`,
/// `2.3)`) and trailing `:`/`.`/`?` removed, whitespace collapsed.
pub(crate) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '*' | '_' | '`' => continue,
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            '-' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2014}' => ' ',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == '&' {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("and");
            space = true;
            continue;
        }
        if c == ' ' {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    let trimmed = strip_numbering(&out);
    let trimmed = trimmed.trim_end_matches([':', '.', '?', '!', ' ']);
    trimmed.to_owned()
}

/// `1. ` / `2.3 ` / `4) ` at the start. A bare number (`2019 outline`) is kept.
fn strip_numbering(s: &str) -> &str {
    let digits = s.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let head = &s[..digits];
    if digits == 0 || !head.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return s;
    }
    let rest = &s[digits..];
    if head.ends_with('.') {
        return rest.trim_start();
    }
    if let Some(r) = rest.strip_prefix(')') {
        return r.trim_start();
    }
    s
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

    #[test]
    fn bold_forms() {
        assert_eq!(bold_line("**Metadata**"), Some("Metadata"));
        assert_eq!(bold_line("**Design**:"), Some("Design"));
        assert_eq!(bold_line("**a** and **b**"), None);
        assert_eq!(bold_bullet("* **Background.** Some text"), Some("Background."));
        assert_eq!(label_part("_Non-goals. Non-goals that"), "_Non-goals");
        assert_eq!(bold_bullet("* plain"), None);
        assert_eq!(bold_bullet("* **unclosed"), Some("unclosed"));
    }
}
