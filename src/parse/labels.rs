//! Labelled lines (`Version covered: v1.2`, `* **Completed:** 2020-05`, `| Version covered |
//! v1.2 |`) in a document's visible text. The version line of an assessment depends on its
//! text alone, so it is found once, when the document is parsed, and kept with the parse
//! (`model::Visibility::version_line`, in the parse cache); coverage reads it.

use crate::model::VersionLine;

/// Line labels that name the version an assessment covered (keycloak writes
/// `Project version reviewed: v10.0.2`; the checker proposes `Version covered:`).
pub const VERSION_LABELS: &[&str] = &[
    "version covered",
    "project version reviewed",
    "version reviewed",
    "release covered",
    "versions covered",
];

/// The first visible version line of a document (see [`first`]).
pub fn version_line<'t>(visible: impl Iterator<Item = (usize, &'t str)>) -> VersionLine {
    VersionLine(first(visible, VERSION_LABELS))
}

/// The visible table rows whose first cell starts with `SBOM` or `Software bill of materials`
/// (file line and the row trimmed): where coverage looks for a pinned release. Found once,
/// when the document is parsed, like the version line.
pub fn sbom_rows<S: AsRef<str>>(visible: impl Iterator<Item = (usize, S)>) -> Vec<(usize, String)> {
    let mut rows = Vec::new();
    for (line, text) in visible {
        let text = text.as_ref();
        // Only a table row can hold the SBOM row.
        let Some(row) = text.trim_start().strip_prefix('|') else {
            continue;
        };
        let first_cell = row.split('|').next().unwrap_or_default();
        let key = first_cell
            .trim()
            .trim_matches(|c: char| c == '*' || c == '_')
            .trim()
            .as_bytes();
        let starts = |prefix: &str| {
            key.get(..prefix.len())
                .is_some_and(|k| k.eq_ignore_ascii_case(prefix.as_bytes()))
        };
        if starts("sbom") || starts("software bill of materials") {
            rows.push((line, text.trim().to_owned()));
        }
    }
    rows
}

/// The first visible line (outside fenced code and HTML comments) labelled with one of
/// `labels`, as `Label: value`, `* Label: value` or a `| Label | value |` table row. Returns the
/// file line and the value as written.
pub fn first<S: AsRef<str>>(
    visible: impl Iterator<Item = (usize, S)>,
    labels: &[&str],
) -> Option<(usize, String)> {
    // A label is what is left after whitespace, `*` and `_` are trimmed off its start, so its
    // first letter is the line's (or first cell's) first other character: most lines are
    // passed over on that one byte, without a search for `:` through the whole line.
    let firsts: Vec<u8> = labels.iter().filter_map(|l| l.bytes().next()).collect();
    for (line, text) in visible {
        let text = text.as_ref();
        // Trimming the end waits until the line has passed the first-letter test.
        let start = text.trim_start().trim_start_matches(['*', '-', '+']).trim_start();
        let head = start.strip_prefix('|').unwrap_or(start);
        let first = head
            .trim_start_matches(|c: char| c.is_whitespace() || c == '*' || c == '_')
            .bytes()
            .next();
        if !first.is_some_and(|b| firsts.iter().any(|f| f.eq_ignore_ascii_case(&b))) {
            continue;
        }
        let t = start.trim_end();
        let (label, value) = if let Some(row) = t.strip_prefix('|') {
            let mut cells = row.split('|');
            (cells.next().unwrap_or_default(), cells.next().unwrap_or_default())
        } else {
            match t.split_once(':') {
                Some((label, value)) => (label, value),
                None => continue,
            }
        };
        let label = label
            .trim()
            .trim_matches(|c: char| c == '*' || c == '_')
            .trim()
            .trim_end_matches(':')
            .trim();
        // `**Completed:** 2020-05` puts the colon inside the emphasis.
        let value = value.trim().trim_start_matches(['*', '_']).trim();
        // The labels are lowercase: compared without lowercasing every line's label.
        if labels.iter().any(|l| l.eq_ignore_ascii_case(label)) && !value.is_empty() {
            return Some((line, value.to_owned()));
        }
    }
    None
}
