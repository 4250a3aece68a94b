//! A document's headings in the form `check` compares them in: real headings normalised
//! (an empty heading followed by a bold line, the Google Docs export pattern, takes the bold
//! line's text), and bold lines and bold-led bullets (`* **Background.**`) that stand in for
//! sub-sections. They depend on the document's text alone, so they are found once, when it
//! is parsed, and kept with the parse (`model::Visibility::heads`, in the parse cache);
//! `check::view` reads them, and finds them itself only for a document made without them.

use crate::model::{Head, Heading, Heads};

/// The headings and pseudo-headings of a body whose outline headings are `headings`, first
/// line `body_line`, and visible lines `visible` (file line, text).
pub fn find<'t>(
    headings: &[Heading],
    body: &str,
    body_line: usize,
    visible: impl Iterator<Item = (usize, &'t str)>,
) -> Heads {
    Heads {
        headings: real_headings(headings, body, body_line),
        pseudo: pseudo_headings(visible),
    }
}

fn real_headings(outline: &[Heading], body: &str, body_line: usize) -> Vec<Head> {
    // Split only for an empty heading (rare): splitting every body was a third of this.
    let mut raw: Option<Vec<&str>> = None;
    let mut headings = Vec::with_capacity(outline.len());
    for h in outline {
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
        let start = h.line.saturating_sub(body_line) + 1;
        let next = raw
            .get_or_insert_with(|| body.split('\n').collect())
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
                    line: body_line + i,
                });
            }
        }
    }
    headings
}

/// Bold lines and bold-led bullets, the 2019 outline's way of writing sub-sections, at
/// level 7, deeper than any heading.
fn pseudo_headings<'t>(visible: impl Iterator<Item = (usize, &'t str)>) -> Vec<Head> {
    let mut pseudo = Vec::new();
    for (line_no, text) in visible {
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
                    line: line_no,
                });
            }
        }
    }
    pseudo
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
pub fn normalise(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A parsed assessment carries its heads; check's view of it is the same as of the
    /// document made by hand, whose heads are found on demand.
    #[test]
    fn found_with_the_parse_for_assessments_only() {
        let body = b"# Title\n\n##\n\n**Real Title**\n\n* **Background.** text\n";
        let parsed = crate::parse::parse_document("p/x.md", body, crate::model::DocKind::SelfAssessment);
        let heads = parsed.hidden.and_then(|v| v.readings).expect("found").heads;
        let norms: Vec<&str> = heads.headings.iter().map(|h| h.norm.as_str()).collect();
        assert_eq!(norms, ["title", "real title"]);
        let pseudo: Vec<(&str, usize)> = heads.pseudo.iter().map(|h| (h.norm.as_str(), h.line)).collect();
        assert_eq!(pseudo, [("real title", 5), ("background", 7)]);
        let other = crate::parse::parse_document("p/x.md", body, crate::model::DocKind::Other);
        assert!(other.hidden.expect("visibility").readings.is_none());
    }
}
