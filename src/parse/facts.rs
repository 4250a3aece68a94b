//! Facts read from the documents themselves: metadata tables, `Completed:` lines, versions.
//!
//! Three sources, best first for each kind of document:
//!
//! * **Key/value tables**: the self-assessment `## Metadata` table and its look-alikes
//!   (joint assessments, `joint-review.md`, kyverno's README-style header table), as Markdown
//!   pipe tables with two columns or HTML `<table>`s. Keys are matched case-insensitively,
//!   ignoring emphasis and a trailing `?`, `:` or `.`. A row with an empty key continues the
//!   row above it; several `… Languages` rows are joined.
//! * **Summary lines**: `Label: value` lines of the joint README template (`Completed:`,
//!   `Security reviewers:`, `* Source code:`, `Tracking issue:` …), with or without a bullet
//!   or bold label. A value ending in `,` continues on the next line.
//! * **Prose**: `completed in August of 2023`, and reviewers in a sentence (`Members of the
//!   TAG (A, B, and C) worked with …`, `performed by A, B, and C`; see [`prose`]) in a summary
//!   or joint assessment, ranked last.
//!
//! Self-assessments rank their tables first; summaries and joint assessments rank their
//! summary lines first. Only these three kinds of document are read.
//!
//! Decisions worth knowing:
//!
//! * Links give their URL, never their text (template link text like "A link to X's
//!   repository." is common). Bare domains (`goharbor.io`) become `https://` URLs.
//! * `Software` / `Source code` keep every URL of the cell (joined with `, `); `Website` and
//!   `Tracking issue` keep the first. The Security Pals programme issue
//!   (`cncf/tag-security/issues/1102`) is never a tracking issue.
//! * A `Relevant links` row is read link by link, best effort: an issue link whose text
//!   mentions the assessment or tracking is the tracking issue; a Google Slides link (or one
//!   labelled slides) that is not the TOC's is the presentation slides; a YouTube, Zoom or
//!   Vimeo link (or one labelled recording) is the presentation recording.
//! * `Assessment Version:` (guardon) is the version of the document, not of the software, so
//!   it is not `version_covered`; `Last Updated:` is not a completion date either.
//! * `Completed: tbd` states that the assessment is not complete: no fact, no warning.
//! * Template placeholders (`_list names and github handles as appropriate_`, `_url to repo_`,
//!   the metadata template sentences) are not facts; they raise `facts/placeholder`.
//! * Roles are kept apart: a self-assessment's `Security reviewers:` line names the document's
//!   own reviewers (`document_reviewers`), its `Primary Authors:` line its authors
//!   (`document_authors`); only joint assessments and summaries give `security_reviewers`, the
//!   TAG team that B3 counts.
//! * HTML comments and fenced code are ignored; indented code is not detected (list
//!   continuations look the same line by line).

use std::borrow::Cow;

use crate::diagnostic::Diagnostic;
use crate::model::{DocKind, Fact, FactKey, Provenance};
use crate::parse::dates;

mod prose;

/// Reads the package facts a document of `kind` states in its text. `body_line` is the file
/// line where `body` starts, so provenance lines are file lines. The best candidate for each
/// key comes first.
pub fn extract(
    kind: DocKind,
    body: &str,
    file: &str,
    body_line: usize,
) -> (Vec<(FactKey, Fact)>, Vec<Diagnostic>) {
    extract_in(
        kind,
        body,
        &crate::markdown::visible::hidden_ranges(body),
        file,
        body_line,
    )
}

/// [`extract`] with the body's hidden ranges (comments, fenced code) already known.
pub fn extract_in(
    kind: DocKind,
    body: &str,
    hidden: &[std::ops::Range<usize>],
    file: &str,
    body_line: usize,
) -> (Vec<(FactKey, Fact)>, Vec<Diagnostic>) {
    let (table_rank, line_rank, prose) = match kind {
        DocKind::SelfAssessment => (0, 1, false),
        DocKind::JointAssessment | DocKind::Summary => (1, 0, true),
        _ => return (Vec::new(), Vec::new()),
    };
    // Comments and fenced code blanked, every offset kept: lines and tables read from it
    // keep the body's line numbers.
    let masked = crate::markdown::visible::mask_with(body, hidden);
    let lines: Vec<&str> = masked.split('\n').collect();
    let mut in_table = vec![false; lines.len()];
    let mut tables = markdown_tables(&lines, &mut in_table);
    tables.extend(html_tables(&masked, &mut in_table));
    tables.sort_by_key(|t| t.line);

    let mut out = Extractor {
        kind,
        file,
        body_line,
        candidates: Vec::new(),
        diagnostics: Vec::new(),
    };
    for table in &tables {
        out.table(table, table_rank);
    }
    out.label_lines(&lines, &in_table, line_rank);
    if prose {
        out.prose(&lines, &in_table);
    }
    out.candidates.sort_by_key(|c| (c.rank, c.seq));
    let facts = out.candidates.into_iter().map(|c| (c.key, c.fact)).collect();
    (facts, out.diagnostics)
}

/// What a label (table key or line label) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Fact(FactKey),
    /// A row of links (harbor, flatcar) read link by link.
    RelevantLinks,
    /// `Security TAG Lead Reviewer` / `Additional Reviewers` rows, joined into one fact.
    ReviewerRow,
}

/// Labels valid both in tables and as `Label: value` lines.
fn summary_label(label: &str) -> Option<FactKey> {
    Some(match label {
        "completed" | "date completed" | "completion date" | "date of completion" => FactKey::Completed,
        "security reviewers" | "security reviewer" => FactKey::SecurityReviewers,
        "primary authors" | "primary author" | "authors" | "author" => FactKey::DocumentAuthors,
        "project security lead" | "security lead" => FactKey::ProjectSecurityLead,
        "project lead" => FactKey::ProjectLead,
        "project team" => FactKey::ProjectTeam,
        "source code" | "source code repository" | "source code repositories" => FactKey::SourceCode,
        "web site" | "website" | "project web site" | "project website" => FactKey::Website,
        "tracking issue" | "tag security assessment request" | "tag security assessment issue" => {
            FactKey::TrackingIssue
        }
        "project version reviewed" | "version covered" | "version reviewed" | "release covered" => {
            FactKey::VersionCovered
        }
        _ => return None,
    })
}

/// Whose names a reviewers or authors label gives in a document of `kind`. The
/// self-assessment template's `Security reviewers:` line sits in the document's own preamble
/// and names whoever reviewed that document (cert-manager's and wasmedge's name their own
/// maintainers), so it is the document's reviewers; only a joint assessment or summary names
/// the TAG security reviewers B3 counts. `Authors:` means something only in a self-assessment.
fn role(kind: DocKind, key: FactKey) -> Option<FactKey> {
    match (kind, key) {
        (DocKind::SelfAssessment, FactKey::SecurityReviewers) => Some(FactKey::DocumentReviewers),
        (DocKind::SelfAssessment, _) => Some(key),
        (_, FactKey::DocumentAuthors | FactKey::DocumentReviewers) => None,
        _ => Some(key),
    }
}

/// `Buildpacks team:`: the README template's `Project team:` written with the project's
/// name. Only trusted in the header block of a summary, before the first section heading,
/// because section text is full of `Response Team:` and `Responsible Team:` bullets.
fn named_team_label(label: &str) -> bool {
    let Some((first, second)) = label.split_once(' ') else {
        return false;
    };
    let excluded = [
        "response",
        "responsible",
        "security",
        "incident",
        "review",
        "core",
        "admin",
        "the",
        "our",
    ];
    second == "team" && !excluded.contains(&first)
}

fn table_label(label: &str) -> Option<Target> {
    if let Some(key) = summary_label(label) {
        return Some(Target::Fact(key));
    }
    Some(match label {
        "assessment stage" => Target::Fact(FactKey::Status),
        "software" | "project home" | "software repositories" | "software repository" => {
            Target::Fact(FactKey::Software)
        }
        "security provider" => Target::Fact(FactKey::SecurityProvider),
        "sbom" | "software bill of materials" => Target::Fact(FactKey::Sbom),
        "relevant links" => Target::RelevantLinks,
        "security tag lead reviewer"
        | "lead security reviewer"
        | "tag lead reviewer"
        | "lead reviewer"
        | "additional reviewers"
        | "additional reviewer" => Target::ReviewerRow,
        _ if label == "languages"
            || label == "language"
            || label.ends_with(" languages")
            || label.ends_with(" language") =>
        {
            Target::Fact(FactKey::Languages)
        }
        _ => return None,
    })
}

/// Lowercase, emphasis and code marks dropped, `-` as space, `(s)` folded, trailing
/// punctuation trimmed: `**Security reviewer(s)**:` → `security reviewers`.
fn normalise_label(text: &str) -> String {
    let folded;
    let text = if text.contains("(s)") {
        folded = text.replace("(s)", "s");
        folded.as_str()
    } else {
        text
    };
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        match c {
            '*' | '_' | '`' => {}
            c if c == '-' || c.is_whitespace() => space = !out.is_empty(),
            c => {
                if space {
                    out.push(' ');
                    space = false;
                }
                if c.is_ascii() {
                    out.push(c.to_ascii_lowercase());
                } else {
                    out.extend(c.to_lowercase());
                }
            }
        }
    }
    let trimmed = out.trim_end_matches([':', '?', '.', ' ']).len();
    out.truncate(trimmed);
    out
}

struct Candidate {
    rank: u8,
    seq: usize,
    key: FactKey,
    fact: Fact,
}

struct Extractor<'a> {
    kind: DocKind,
    file: &'a str,
    body_line: usize,
    candidates: Vec<Candidate>,
    diagnostics: Vec<Diagnostic>,
}

impl Extractor<'_> {
    fn file_line(&self, index: usize) -> usize {
        self.body_line + index
    }

    fn push(&mut self, rank: u8, key: FactKey, value: String, raw: String, index: usize) {
        let Some(key) = role(self.kind, key) else {
            return;
        };
        let source = Provenance::Document {
            file: self.file.into(),
            line: self.file_line(index),
        };
        let seq = self.candidates.len();
        self.candidates.push(Candidate {
            rank,
            seq,
            key,
            fact: Fact { value, raw, source },
        });
    }

    fn warn(&mut self, code: &str, index: usize, message: String, help: &str) {
        let line = self.file_line(index);
        self.diagnostics.push(
            Diagnostic::warning(code, message)
                .at(self.file, Some(line))
                .help(help),
        );
    }

    fn table(&mut self, table: &Table<'_>, rank: u8) {
        // A row with an empty key continues the row above (spiffe-spire's second repository).
        let mut merged: Vec<(Target, Cell, usize)> = Vec::new();
        let mut last_known = false;
        for row in &table.rows {
            if row.key.is_empty() {
                if last_known && let Some(last) = merged.last_mut() {
                    let cell = parse_cell(&row.value);
                    if !cell.is_empty() {
                        last.1.append(&cell);
                    }
                }
                continue;
            }
            let target = table_label(&row.key);
            last_known = target.is_some();
            if let Some(target) = target {
                merged.push((target, parse_cell(&row.value), row.index));
            }
        }
        let mut languages: Option<(Vec<String>, Vec<String>, usize)> = None;
        let mut reviewers: Option<(Vec<String>, Vec<String>, usize)> = None;
        for (target, cell, index) in merged {
            match target {
                Target::Fact(FactKey::Languages) => {
                    let text = cell.text();
                    if self.placeholder(FactKey::Languages, &cell, index) || text.is_empty() {
                        continue;
                    }
                    let entry = languages.get_or_insert_with(|| (Vec::new(), Vec::new(), index));
                    entry.0.push(text);
                    entry.1.push(cell.raw.clone());
                }
                Target::ReviewerRow => {
                    let text = names(&cell);
                    if self.placeholder(FactKey::SecurityReviewers, &cell, index) || text.is_empty() {
                        continue;
                    }
                    let entry = reviewers.get_or_insert_with(|| (Vec::new(), Vec::new(), index));
                    entry.0.push(text);
                    entry.1.push(cell.raw.clone());
                }
                Target::Fact(key) => self.fact(rank, key, &cell, index),
                Target::RelevantLinks => self.relevant_links(rank, &cell, index),
            }
        }
        if let Some((values, raws, index)) = languages {
            self.push(
                rank,
                FactKey::Languages,
                values.join(", "),
                raws.join("; "),
                index,
            );
        }
        if let Some((values, raws, index)) = reviewers {
            self.push(
                rank,
                FactKey::SecurityReviewers,
                values.join(", "),
                raws.join("; "),
                index,
            );
        }
    }

    /// One fact from a cell or a line value.
    fn fact(&mut self, rank: u8, key: FactKey, cell: &Cell, index: usize) {
        if self.placeholder(key, cell, index) {
            return;
        }
        let text = cell.text();
        let raw = cell.as_written();
        let value = match key {
            FactKey::Completed => self.date(cell, index),
            FactKey::Status => self.stage(cell, index),
            FactKey::Software | FactKey::SourceCode | FactKey::Sbom => {
                let urls = cell.urls();
                if urls.is_empty() {
                    bare_domain(&text).or_else(|| non_empty(text))
                } else {
                    Some(urls.join(", "))
                }
            }
            FactKey::Website => cell
                .urls()
                .into_iter()
                .next()
                .or_else(|| bare_domain(&text))
                .or_else(|| non_empty(text)),
            FactKey::TrackingIssue => cell.urls().into_iter().find(|url| !is_security_pals(url)),
            FactKey::SecurityProvider => non_empty(yes_no(&text)),
            FactKey::SecurityReviewers
            | FactKey::DocumentAuthors
            | FactKey::ProjectSecurityLead
            | FactKey::ProjectLead
            | FactKey::ProjectTeam => non_empty(names(cell)),
            _ => non_empty(text),
        };
        if let Some(value) = value {
            self.push(rank, key, value, raw, index);
        }
    }

    fn date(&mut self, cell: &Cell, index: usize) -> Option<String> {
        let text = cell.text();
        if text.is_empty() || text.eq_ignore_ascii_case("tbd") {
            return None;
        }
        let Some(iso) = dates::normalise(&text) else {
            self.warn(
                "facts/date",
                index,
                format!("could not read `{text}` as a date"),
                "write it as `28 Apr 2020` or `2020-04-28` (or `tbd` while the assessment is open)",
            );
            return None;
        };
        if dates::is_ambiguous_numeric(&text) {
            let other = dates::other_numeric_reading(&text)
                .map(|other| format!(", not {other}"))
                .unwrap_or_default();
            self.warn(
                "facts/ambiguous-date",
                index,
                format!("`{text}` is an all-numeric date; tssa reads it as day-month-year, {iso}{other}"),
                "write the month as a word (`29 Jan 2025`) or use ISO 8601 (`2025-01-29`)",
            );
        }
        Some(iso)
    }

    fn stage(&mut self, cell: &Cell, index: usize) -> Option<String> {
        let text = cell.text();
        let lower = text.to_lowercase();
        let stage = lower.trim_end_matches(['.', '!']).trim();
        let value = match stage {
            "in progress" | "in-progress" => "in-progress",
            "draft" | "incomplete" | "complete" | "obsolete" | "paused" => stage,
            "" => return None,
            _ => {
                self.warn(
                    "facts/stage",
                    index,
                    format!("`{text}` is not an Assessment Stage tssa knows"),
                    "use Incomplete, Complete or Obsolete, as the self-assessment template says",
                );
                return None;
            }
        };
        Some(value.to_owned())
    }

    /// Reports a template placeholder left in place of a value; `true` if it was one.
    fn placeholder(&mut self, key: FactKey, cell: &Cell, index: usize) -> bool {
        if !is_placeholder(&cell.text(), !cell.links.is_empty()) {
            return false;
        }
        self.warn(
            "facts/placeholder",
            index,
            format!(
                "{} still holds the template placeholder `{}`",
                key.label(),
                cell.raw
            ),
            "replace the placeholder with the real value, or remove the line",
        );
        true
    }

    fn relevant_links(&mut self, rank: u8, cell: &Cell, index: usize) {
        let mut slides: Vec<&Link> = Vec::new();
        for link in &cell.links {
            let label = link.label.to_lowercase();
            let url = link.url.to_lowercase();
            let raw = if link.label == link.url {
                link.url.clone()
            } else {
                format!("{} ({})", link.label, link.url)
            };
            if url.contains("/issues/")
                && (label.contains("assessment") || label.contains("tracking"))
                && !is_security_pals(&url)
            {
                self.push(rank, FactKey::TrackingIssue, link.url.clone(), raw, index);
            } else if (url.contains("docs.google.com/presentation") || label.contains("slides"))
                && !label.contains("toc")
            {
                slides.push(link);
            } else if ["youtube.com/", "youtu.be/", "zoom.us/rec", "vimeo.com/"]
                .iter()
                .any(|h| url.contains(h))
                || label.contains("recording")
            {
                self.push(rank, FactKey::PresentationRecording, link.url.clone(), raw, index);
            }
        }
        // The TAG's own slides beat any other deck in the row.
        slides.sort_by_key(|link| !link.label.to_lowercase().contains("tag"));
        for link in slides {
            let raw = if link.label == link.url {
                link.url.clone()
            } else {
                format!("{} ({})", link.label, link.url)
            };
            self.push(rank, FactKey::PresentationSlides, link.url.clone(), raw, index);
        }
    }

    fn label_lines(&mut self, lines: &[&str], in_table: &[bool], rank: u8) {
        let mut index = 0;
        let mut in_header = true;
        while index < lines.len() {
            let here = index;
            index += 1;
            if in_table.get(here).copied().unwrap_or(true) {
                continue;
            }
            let Some(line) = lines.get(here) else { break };
            if line.trim_start().starts_with("##") {
                in_header = false;
            }
            let Some((label, value)) = split_label(line) else {
                continue;
            };
            let bulleted =
                line.trim_start().starts_with(['*', '-', '+']) && !line.trim_start().starts_with("**");
            let key = match summary_label(&label) {
                Some(key) => key,
                None if in_header && !bulleted && named_team_label(&label) => FactKey::ProjectTeam,
                None => continue,
            };
            let mut value = value.to_owned();
            // A list of names wrapped onto the next line (buildpacks' reviewers).
            while value.trim_end().ends_with(',') {
                let Some(next) = lines.get(index) else { break };
                let continues = !in_table.get(index).copied().unwrap_or(true)
                    && !next.trim().is_empty()
                    && !next.trim_start().starts_with(['#', '*', '-', '+', '|', '>'])
                    && split_label(next).is_none_or(|(l, _)| summary_label(&l).is_none());
                if !continues {
                    break;
                }
                value.push(' ');
                value.push_str(next.trim());
                index += 1;
            }
            let cell = parse_cell(&value);
            self.fact(rank, key, &cell, here);
        }
    }

    /// The completion date, reviewers, security lead and tracking issue stated in sentences:
    /// the first of each. Ranked after tables and labelled lines, which keep winning.
    fn prose(&mut self, lines: &[&str], in_table: &[bool]) {
        let mut wanted = vec![
            FactKey::Completed,
            FactKey::SecurityReviewers,
            FactKey::ProjectSecurityLead,
            FactKey::TrackingIssue,
        ];
        for (index, line) in lines.iter().enumerate() {
            if wanted.is_empty() {
                return;
            }
            // A labelled line is read as a label line, with its own diagnostics.
            if in_table.get(index).copied().unwrap_or(true)
                || split_label(line).is_some_and(|(l, _)| summary_label(&l).is_some())
            {
                continue;
            }
            wanted.retain(|&key| match prose_fact(key, line) {
                Some((value, raw)) => {
                    self.push(2, key, value, raw, index);
                    false
                }
                None => true,
            });
        }
    }
}

/// `Label: value` with an optional bullet and emphasis around the label or the whole line.
fn split_label(line: &str) -> Option<(String, &str)> {
    // A label sits at the start of its line; a colon further in is prose or a URL.
    if !prefix(line, 100).contains(':') {
        return None;
    }
    let mut text = line.trim();
    if text.starts_with(['#', '|', '<', '>']) {
        return None;
    }
    for bullet in ["* ", "- ", "+ "] {
        if let Some(rest) = text.strip_prefix(bullet) {
            text = rest.trim_start();
        }
    }
    let colon = text.find(':')?;
    let raw_label = text.get(..colon)?;
    // Most lines with a colon are prose or hold a URL; reject them before allocating.
    if raw_label.len() > 60
        || raw_label.ends_with("http")
        || raw_label.ends_with("https")
        || raw_label.matches(' ').count() > 6
        || (raw_label.contains(['[', '<', '(', '/']) && !raw_label.contains("(s)"))
    {
        return None;
    }
    let label = normalise_label(raw_label);
    if label.is_empty() || label.split(' ').count() > 5 {
        return None;
    }
    let mut value = text.get(colon + 1..)?;
    // The closing half of `**Label:** value`.
    let closer = value.trim_start_matches(['*', '_']);
    if closer.len() != value.len() && closer.starts_with(char::is_whitespace) {
        value = closer;
    }
    Some((label, value.trim()))
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// `Yes, however …` → `yes`; free text stays as it is.
fn yes_no(text: &str) -> String {
    let lower = text.to_lowercase();
    for answer in ["yes", "no"] {
        if let Some(rest) = lower.strip_prefix(answer)
            && rest.chars().next().is_none_or(|c| !c.is_alphanumeric())
        {
            return answer.to_owned();
        }
    }
    text.to_owned()
}

/// Names as a list: link text kept, a final full stop dropped.
fn names(cell: &Cell) -> String {
    cell.text().trim_end_matches('.').trim().to_owned()
}

/// `goharbor.io`, `github.com/goharbor/harbor` → an `https://` URL.
fn bare_domain(text: &str) -> Option<String> {
    let token = text.trim().trim_end_matches(['.', ',']);
    let host = token.split('/').next()?;
    let plausible = !token.is_empty()
        && !token.contains(char::is_whitespace)
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    plausible.then(|| format!("https://{token}"))
}

/// The Security Pals programme issue is linked from many self-assessments; it is never a
/// project's tracking issue.
fn is_security_pals(url: &str) -> bool {
    let lower = url.to_lowercase();
    lower.find("tag-security/issues/1102").is_some_and(|at| {
        lower
            .get(at + "tag-security/issues/1102".len()..)
            .and_then(|rest| rest.chars().next())
            .is_none_or(|c| !c.is_ascii_digit())
    })
}

/// Template text left where a value belongs (README template, metadata template rows).
fn is_placeholder(text: &str, has_links: bool) -> bool {
    let lower = text.to_lowercase().replace('\u{2019}', "'");
    let lower = lower.trim();
    const ALWAYS: [&str; 9] = [
        "list name",
        "url to repo",
        "link to issue for assessment",
        "dd mmm yyyy",
        "yes or no. is the primary function",
        "language(s) the project is written in",
        "languages the project is written in",
        "software bill of materials. link to the libraries",
        "incomplete, complete, or obsolete",
    ];
    const WITHOUT_LINK: [&str; 3] = ["a link to the software", "link to the software", "link to the"];
    // `tssa new` marks every value still to be written with `TODO(tssa)`.
    lower == "url"
        || lower.starts_with("todo(tssa)")
        || lower == "todo"
        || ALWAYS.iter().any(|p| lower.starts_with(p))
        || (!has_links && WITHOUT_LINK.iter().any(|p| lower.starts_with(p)))
}

/// A link found in a cell or line: its visible text and its destination.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Link {
    label: String,
    url: String,
}

/// A table cell or line value, read once: the text as written, its plain-text items
/// (list items and paragraphs of HTML cells) and its links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Cell {
    raw: String,
    items: Vec<String>,
    links: Vec<Link>,
}

impl Cell {
    fn text(&self) -> String {
        self.items
            .iter()
            .filter(|i| !i.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn is_empty(&self) -> bool {
        self.items.iter().all(String::is_empty) && self.links.is_empty()
    }
    /// Web URLs, in order, without repeats.
    fn urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = Vec::new();
        for link in &self.links {
            let web = link.url.starts_with("http://") || link.url.starts_with("https://");
            if web && !urls.contains(&link.url) {
                urls.push(link.url.clone());
            }
        }
        urls
    }
    /// The cell as a reader saw it, for a fact's `raw`: the text as written, but a cell
    /// written in HTML (`<a href="URL">name</a>`, `<p>`) as its visible text, each link's
    /// destination after its name when the name is not the URL itself. Pages show `raw`
    /// as text; markup in it showed as escaped tags.
    fn as_written(&self) -> String {
        let lower = self.raw.to_ascii_lowercase();
        let html = ["</", "<a ", "<p>", "<br", "<li"]
            .iter()
            .any(|t| lower.contains(t));
        if !html {
            return self.raw.clone();
        }
        let mut text = self.text();
        for link in &self.links {
            if link.label != link.url && !text.contains(&link.url) {
                text = format!("{text} ({})", link.url);
            }
        }
        text
    }
    fn append(&mut self, other: &Cell) {
        self.raw = format!("{} {}", self.raw, other.raw).trim().to_owned();
        self.items.extend(other.items.iter().cloned());
        self.links.extend(other.links.iter().cloned());
    }
}

/// Reads Markdown and inline HTML: `[text](url)`, `<url>`, `<a href>`, bare URLs, `<li>` /
/// `<p>` / `<br>` as item breaks, `\` line breaks, entities, emphasis.
fn parse_cell(src: &str) -> Cell {
    let raw = src.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut items: Vec<String> = vec![String::new()];
    let mut links: Vec<Link> = Vec::new();
    let mut pos = 0;
    while let Some(rest) = src.get(pos..) {
        let Some(c) = rest.chars().next() else { break };
        let current = items.last_mut();
        let Some(current) = current else { break };
        if c == '<' {
            if let Some((used, tag)) = parse_tag(rest) {
                pos += used;
                match tag {
                    Tag::Autolink(url) => {
                        current.push_str(&url);
                        links.push(Link {
                            label: url.clone(),
                            url,
                        });
                    }
                    Tag::Anchor(href) => {
                        let after = rest.get(used..).unwrap_or_default();
                        let (label_src, skip) = match find_ascii_ci(after, "</a") {
                            Some(end) => {
                                let close = after
                                    .get(end..)
                                    .and_then(|s| s.find('>'))
                                    .map_or(after.len(), |g| end + g + 1);
                                (after.get(..end).unwrap_or_default(), close)
                            }
                            None => (after, after.len()),
                        };
                        let label = plain(label_src);
                        current.push_str(&label);
                        if let Some(href) = href {
                            links.push(Link { label, url: href });
                        }
                        pos += skip;
                    }
                    Tag::Break => items.push(String::new()),
                    Tag::Other => current.push(' '),
                }
                continue;
            }
        } else if c == '[' || (c == '!' && rest.starts_with("![")) {
            let offset = usize::from(c == '!');
            if let Some((used, label_src, url)) = rest.get(offset..).and_then(markdown_link) {
                let label = plain(label_src);
                current.push_str(&label);
                if offset == 0 {
                    links.push(Link { label, url });
                }
                pos += offset + used;
                continue;
            }
        } else if rest.starts_with("http://") || rest.starts_with("https://") {
            let url = bare_url(rest);
            if !url.is_empty() {
                current.push_str(url);
                links.push(Link {
                    label: url.to_owned(),
                    url: url.to_owned(),
                });
                pos += url.len();
                continue;
            }
        } else if c == '\\' {
            let next = rest.get(1..).and_then(|r| r.chars().next());
            match next {
                None | Some('\n') => current.push(' '),
                Some(p) if p.is_ascii_punctuation() => {
                    current.push(p);
                    pos += 2;
                    continue;
                }
                Some(_) => current.push('\\'),
            }
            pos += 1;
            continue;
        } else if c == '&'
            && let Some((used, decoded)) = entity(rest)
        {
            current.push(decoded);
            pos += used;
            continue;
        }
        current.push(c);
        pos += c.len_utf8();
    }
    let items = items.iter().map(|item| strip_emphasis(item)).collect();
    Cell { raw, items, links }
}

/// Visible text of a link label or key: tags, entities and emphasis removed.
fn plain(src: &str) -> String {
    let mut text = String::new();
    let mut pos = 0;
    while let Some(rest) = src.get(pos..) {
        let Some(c) = rest.chars().next() else { break };
        if c == '<' {
            if let Some((used, tag)) = parse_tag(rest) {
                if let Tag::Autolink(url) = tag {
                    text.push_str(&url);
                } else {
                    text.push(' ');
                }
                pos += used;
                continue;
            }
        } else if c == '&' {
            if let Some((used, decoded)) = entity(rest) {
                text.push(decoded);
                pos += used;
                continue;
            }
        } else if c == '\\' {
            text.push(' ');
            pos += 1;
            continue;
        }
        text.push(c);
        pos += c.len_utf8();
    }
    strip_emphasis(&text)
}

enum Tag {
    Autolink(String),
    Anchor(Option<String>),
    Break,
    Other,
}

/// An HTML tag or autolink at the start of `text`: (bytes used, what it is).
fn parse_tag(text: &str) -> Option<(usize, Tag)> {
    let inner = text.get(1..)?;
    let end = inner.get(..inner.len().min(2000))?.find('>')?;
    let body = inner.get(..end)?;
    let used = end + 2;
    for scheme in ["http://", "https://", "mailto:"] {
        if body.len() > scheme.len()
            && body
                .get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
            && !body.contains(char::is_whitespace)
        {
            return Some((used, Tag::Autolink(body.to_owned())));
        }
    }
    let name_src = body.strip_prefix('/').unwrap_or(body);
    let name: String = name_src
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if name.is_empty() || !name_src.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let tag = match name.as_str() {
        "a" if !body.starts_with('/') => Tag::Anchor(attribute(body, "href")),
        "li" | "p" | "br" | "ul" | "ol" | "div" | "tr" | "td" | "th" | "table" | "hr" => Tag::Break,
        _ => Tag::Other,
    };
    Some((used, tag))
}

/// The value of `name="…"` (or `'…'`, or unquoted) inside a tag body.
fn attribute(body: &str, name: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower.get(from..).and_then(|s| s.find(name)) {
        let at = from + found;
        from = at + name.len();
        let before_ok = at == 0
            || lower
                .get(at - 1..at)
                .is_some_and(|b| b.starts_with(char::is_whitespace));
        let rest = body.get(at + name.len()..)?.trim_start();
        let Some(rest) = rest.strip_prefix('=').filter(|_| before_ok) else {
            continue;
        };
        let rest = rest.trim_start();
        let value = match rest.chars().next()? {
            quote @ ('"' | '\'') => rest.get(1..)?.split(quote).next()?,
            _ => rest.split(|c: char| c.is_whitespace() || c == '>').next()?,
        };
        return Some(value.trim().to_owned());
    }
    None
}

/// `[label](url "title")` at the start of `text`: (bytes used, label source, url).
fn markdown_link(text: &str) -> Option<(usize, &str, String)> {
    let mut depth = 0usize;
    let mut close = None;
    let mut escaped = false;
    for (i, c) in text.char_indices().take(SCAN_LIMIT) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => depth += 1,
            ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let label = text.get(1..close)?;
    let dest = text.get(close + 1..)?.strip_prefix('(')?;
    let dest_trim = dest.trim_start();
    let lead = dest.len() - dest_trim.len();
    let (url, after_url) = if let Some(angle) = dest_trim.strip_prefix('<') {
        let end = angle.find('>')?;
        (angle.get(..end)?.to_owned(), end + 2)
    } else {
        let mut parens = 0usize;
        let mut end = None;
        for (i, c) in dest_trim.char_indices().take(SCAN_LIMIT) {
            match c {
                '(' => parens += 1,
                ')' if parens == 0 => {
                    end = Some(i);
                    break;
                }
                ')' => parens -= 1,
                c if c.is_whitespace() => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let end = end?;
        (dest_trim.get(..end)?.to_owned(), end)
    };
    let rest = dest_trim.get(after_url..)?;
    let close_paren = rest.find(')')?;
    // Anything between the URL and `)` must be a title, not more prose.
    let between = rest.get(..close_paren)?.trim();
    if !(between.is_empty() || between.starts_with(['"', '\''])) {
        return None;
    }
    let used = close + 2 + lead + after_url + close_paren + 1;
    Some((used, label, url))
}

/// A bare URL at the start of `text`, without trailing punctuation or emphasis.
fn bare_url(text: &str) -> &str {
    let text = prefix(text, SCAN_LIMIT);
    let mut parens = 0usize;
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        match c {
            '(' => parens += 1,
            ')' if parens == 0 => {
                end = i;
                break;
            }
            ')' => parens -= 1,
            c if c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '|' | '`' | ']' | '[') => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let url = text.get(..end).unwrap_or_default();
    url.trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '_'])
}

/// `&amp;`, `&nbsp;`, `&#39;`, `&#x2019;` at the start of `text`.
fn entity(text: &str) -> Option<(usize, char)> {
    let end = text.get(..text.len().min(12))?.find(';')?;
    let name = text.get(1..end)?;
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((end + 1, c))
}

/// Drops `**`/`__` and single `*`/`_` that open or close emphasis (next to a word edge),
/// keeping `_` inside identifiers, then collapses whitespace (NBSP and tabs included).
fn strip_emphasis(text: &str) -> String {
    let text = text.replace("**", "");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        if matches!(c, '*' | '_') {
            let before = i.checked_sub(1).and_then(|j| chars.get(j));
            let after = chars.get(i + 1);
            let edge = |c: Option<&char>| {
                c.is_none_or(|c| c.is_whitespace() || (c.is_ascii_punctuation() && !matches!(c, '@' | '#')))
            };
            if edge(before) || edge(after) {
                continue;
            }
        }
        out.push(*c);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Case-insensitive search within the first `SCAN_LIMIT` bytes, so a cell full of
/// unclosed tags cannot make reading quadratic.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    prefix(haystack, SCAN_LIMIT).to_ascii_lowercase().find(needle)
}

/// The longest prefix of `text` of at most `limit` bytes that ends on a character boundary.
fn prefix(text: &str, limit: usize) -> &str {
    let mut end = limit.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// How far link and URL scanners look ahead. Real links are far shorter; the bound keeps
/// hostile input (thousands of unclosed `[`) linear.
const SCAN_LIMIT: usize = 2048;

/// A key/value table: rows in order, with the line of the table's start for ordering.
#[derive(Debug)]
struct Table<'a> {
    line: usize,
    rows: Vec<Row<'a>>,
}

#[derive(Debug)]
struct Row<'a> {
    /// Normalised key (`security provider`); empty for a continuation row.
    key: String,
    /// The value cell as written; read only for rows whose key matters.
    value: Cow<'a, str>,
    /// 0-based line in the body.
    index: usize,
}

/// The fact `key` stated in a sentence of `line`, as `(value, the words as written)`.
fn prose_fact(key: FactKey, line: &str) -> Option<(String, String)> {
    match key {
        FactKey::Completed => dates::find_completed_in_prose(line),
        FactKey::SecurityReviewers => prose::reviewers_in_line(line),
        FactKey::ProjectSecurityLead => prose::security_lead_in_line(line),
        FactKey::TrackingIssue => prose::tracking_issue_in_line(line),
        _ => None,
    }
}

/// A table key, normalised. Long keys are prose (Actors tables and the like) and never
/// match, so they are not worth cleaning.
fn row_key(cell: &str) -> String {
    let cell = cell.trim();
    if cell.len() > 80 {
        return "…".to_owned();
    }
    if cell.contains(['<', '&', '\\']) {
        normalise_label(&plain(cell))
    } else {
        normalise_label(cell)
    }
}

fn is_delimiter_row(line: &str) -> bool {
    let starts_right = line.trim_start().starts_with(['|', '-', ':']);
    if !starts_right || !line.contains('|') || !line.contains('-') {
        return false;
    }
    let cells = split_cells(line);
    !cells.is_empty()
        && cells.iter().all(|cell| {
            let cell = cell.trim().trim_start_matches(':').trim_end_matches(':');
            !cell.is_empty() && cell.chars().all(|c| c == '-')
        })
}

/// Cells of a pipe-table row: outer pipes dropped, `\|` kept inside a cell.
fn split_cells(line: &str) -> Vec<&str> {
    let mut text = line.trim();
    text = text.strip_prefix('|').unwrap_or(text);
    if text.ends_with('|') && !text.ends_with("\\|") {
        text = text.get(..text.len() - 1).unwrap_or_default();
    }
    let mut cells = Vec::new();
    let mut from = 0;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '|' => {
                cells.push(text.get(from..i).unwrap_or_default());
                from = i + 1;
            }
            _ => {}
        }
    }
    cells.push(text.get(from..).unwrap_or_default());
    cells
}

/// Markdown pipe tables with two columns. The header row counts as a row: in spiffe-spire
/// and custodian it holds data.
fn markdown_tables<'a>(lines: &[&'a str], in_table: &mut [bool]) -> Vec<Table<'a>> {
    let mut tables = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let delimiter = index;
        index += 1;
        let Some(line) = lines.get(delimiter) else { break };
        if in_table.get(delimiter).copied().unwrap_or(true) || !is_delimiter_row(line) {
            continue;
        }
        let columns = split_cells(line).len();
        let header = delimiter
            .checked_sub(1)
            .filter(|h| {
                lines
                    .get(*h)
                    .is_some_and(|l| l.contains('|') && !l.trim().is_empty())
            })
            .filter(|h| !in_table.get(*h).copied().unwrap_or(true));
        let mut end = delimiter + 1;
        while lines
            .get(end)
            .is_some_and(|l| l.contains('|') && !l.trim().is_empty())
        {
            end += 1;
        }
        for flag in in_table
            .get_mut(header.unwrap_or(delimiter)..end)
            .into_iter()
            .flatten()
        {
            *flag = true;
        }
        index = end;
        if columns != 2 {
            continue;
        }
        let rows = header
            .into_iter()
            .chain(delimiter + 1..end)
            .filter_map(|i| {
                let cells = split_cells(lines.get(i)?);
                let (key, value) = cells.split_first()?;
                // An unescaped `|` inside a value splits it; put it back together.
                let value = match value {
                    [only] => Cow::Borrowed(*only),
                    _ => Cow::Owned(value.join("|")),
                };
                Some(Row {
                    key: row_key(key),
                    value,
                    index: i,
                })
            })
            .collect();
        tables.push(Table {
            line: header.unwrap_or(delimiter),
            rows,
        });
    }
    tables
}

/// HTML `<table>`s whose rows have two cells; cells may span lines and hold links and lists.
fn html_tables<'a>(masked: &'a str, in_table: &mut [bool]) -> Vec<Table<'a>> {
    let has_table = masked.match_indices('<').any(|(at, _)| {
        masked
            .as_bytes()
            .get(at..at + 6)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"<table"))
    });
    if !has_table {
        return Vec::new();
    }
    let lower = masked.to_ascii_lowercase();
    let breaks: Vec<usize> = lower
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let line_of = |offset: usize| breaks.partition_point(|&b| b < offset);
    let mut tables = Vec::new();
    let mut from = 0;
    while let Some(found) = find_tag(&lower, from, lower.len(), "table") {
        let end = lower
            .get(found..)
            .and_then(|s| s.find("</table"))
            .map_or(lower.len(), |e| found + e);
        from = end.max(found + 1);
        let (first_line, last_line) = (line_of(found), line_of(end));
        for flag in in_table
            .get_mut(first_line..=last_line.min(in_table.len().saturating_sub(1)))
            .into_iter()
            .flatten()
        {
            *flag = true;
        }
        let mut rows = Vec::new();
        let mut row_from = found;
        while let Some(row_start) = find_tag(&lower, row_from, end, "tr") {
            let row_end = find_tag(&lower, row_start + 3, end, "tr").unwrap_or(end);
            row_from = row_end;
            let cells = html_cells(masked, &lower, row_start, row_end);
            if let [(key_at, key), (_, value)] = cells.as_slice() {
                rows.push(Row {
                    key: row_key(key),
                    value: Cow::Borrowed(value),
                    index: line_of(*key_at),
                });
            }
        }
        tables.push(Table {
            line: first_line,
            rows,
        });
    }
    tables
}

/// `(offset of the cell tag, cell source)` for each `<td>`/`<th>` in a row.
fn html_cells<'a>(masked: &'a str, lower: &str, from: usize, to: usize) -> Vec<(usize, &'a str)> {
    let mut cells = Vec::new();
    let mut at = from;
    loop {
        let next = [find_tag(lower, at, to, "td"), find_tag(lower, at, to, "th")]
            .into_iter()
            .flatten()
            .min();
        let Some(tag) = next else { break };
        let content = lower
            .get(tag..to)
            .and_then(|s| s.find('>'))
            .map_or(to, |g| tag + g + 1);
        let close = [
            lower
                .get(content..to)
                .and_then(|s| s.find("</t"))
                .map(|e| content + e),
            find_tag(lower, content, to, "td"),
            find_tag(lower, content, to, "th"),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(to);
        cells.push((tag, masked.get(content..close).unwrap_or_default()));
        at = close.max(tag + 1);
    }
    cells
}

/// Offset of the next `<name` tag (followed by `>`, `/` or whitespace) in `lower[from..to]`.
fn find_tag(lower: &str, from: usize, to: usize, name: &str) -> Option<usize> {
    let bytes = lower.as_bytes();
    let window = lower.get(from..to)?;
    window.match_indices('<').map(|(at, _)| from + at).find(|&start| {
        let after = start + 1 + name.len();
        bytes.get(start + 1..after) == Some(name.as_bytes())
            && bytes
                .get(after)
                .is_none_or(|&c| c == b'>' || c == b'/' || c.is_ascii_whitespace())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: DocKind, body: &str) -> (Vec<(FactKey, Fact)>, Vec<Diagnostic>) {
        extract(kind, body, "p/doc.md", 1)
    }

    /// The first candidate of `key`: (value, raw, line).
    fn first(found: &[(FactKey, Fact)], key: FactKey) -> Option<(String, String, usize)> {
        found
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, f)| (f.value.clone(), f.raw.clone(), f.source.line().unwrap_or(0)))
    }

    fn value(found: &[(FactKey, Fact)], key: FactKey) -> Option<String> {
        first(found, key).map(|(v, _, _)| v)
    }

    #[test]
    fn template_metadata_table() {
        let body = "# X\n\n## Metadata\n\n|||\n| -- | -- |\n| Assessment Stage | Incomplete. |\n| Software | [A link to X's repository.](https://github.com/x/x)  |\n| Security Provider? | No. X is not a security provider. |\n| Languages | <ul><li>Go</li><li>Shell</li></ul> |\n| SBOM | none generated |\n| | |\n";
        let (found, diags) = facts(DocKind::SelfAssessment, body);
        assert_eq!(diags, vec![]);
        assert_eq!(
            first(&found, FactKey::Status),
            Some(("incomplete".into(), "Incomplete.".into(), 7))
        );
        assert_eq!(
            first(&found, FactKey::Software),
            Some((
                "https://github.com/x/x".into(),
                "[A link to X's repository.](https://github.com/x/x)".into(),
                8
            ))
        );
        assert_eq!(value(&found, FactKey::SecurityProvider).as_deref(), Some("no"));
        assert_eq!(
            first(&found, FactKey::Languages),
            Some((
                "Go, Shell".into(),
                "<ul><li>Go</li><li>Shell</li></ul>".into(),
                10
            ))
        );
        assert_eq!(value(&found, FactKey::Sbom).as_deref(), Some("none generated"));
    }

    #[test]
    fn header_row_is_data_and_continuation_rows() {
        let body = "## Metadata\n\n| Software | [https://github.com/spiffe/spiffe](https://github.com/spiffe/spiffe) |\n| -------- | ---- |\n|          | [https://github.com/spiffe/spire](https://github.com/spiffe/spire) |\n| Security Provider | Yes  |\n";
        let (found, _) = facts(DocKind::SelfAssessment, body);
        assert_eq!(
            first(&found, FactKey::Software).map(|f| (f.0, f.2)),
            Some((
                "https://github.com/spiffe/spiffe, https://github.com/spiffe/spire".into(),
                3
            ))
        );
        assert_eq!(
            first(&found, FactKey::SecurityProvider).map(|f| (f.0, f.2)),
            Some(("yes".into(), 6))
        );
    }

    #[test]
    fn delimiter_variants_and_missing_closing_pipe() {
        let body = "|  \t|  \t|\n|---\t|---\t|\n| Software \t| All code: https://github.com/b Core: https://github.com/b/l \t|\n";
        let (found, _) = facts(DocKind::SelfAssessment, body);
        assert_eq!(
            first(&found, FactKey::Software).map(|f| (f.0, f.2)),
            Some(("https://github.com/b, https://github.com/b/l".into(), 3))
        );
        let body = "| Doc | url |\n| :--- | :----: |\n| Website | https://w.io |\n";
        let (found, _) = facts(DocKind::SelfAssessment, body);
        assert_eq!(
            first(&found, FactKey::Website).map(|f| (f.0, f.2)),
            Some(("https://w.io".into(), 3))
        );
        let body = "| | |\n|-----------|------|\n| Security Provider | Maybe |\n| SBOM | Known Weakness, see [here](https://x.io/s)";
        let (found, _) = facts(DocKind::SelfAssessment, body);
        assert_eq!(
            first(&found, FactKey::Sbom).map(|f| (f.0, f.2)),
            Some(("https://x.io/s".into(), 4))
        );
        assert_eq!(value(&found, FactKey::SecurityProvider).as_deref(), Some("Maybe"));
    }

    #[test]
    fn split_language_rows_and_comments_in_cells() {
        let body = "|   |  |\n| -- | -- |\n| CloudEvents Specification Language | Markdown |\n| CloudEvents SDK Languages | Python, Go |\n|**Security reviewer(s)**:    | <!-- cspell:disable --> John Kinsella, Wesley (@dutchshark) |\n";
        let (found, _) = facts(DocKind::SelfAssessment, body);
        assert_eq!(
            first(&found, FactKey::Languages).map(|f| (f.0, f.2)),
            Some(("Markdown, Python, Go".into(), 3))
        );
        // A self-assessment's reviewers reviewed that document: not the TAG team.
        assert_eq!(first(&found, FactKey::SecurityReviewers), None);
        assert_eq!(
            first(&found, FactKey::DocumentReviewers),
            Some((
                "John Kinsella, Wesley (@dutchshark)".into(),
                "John Kinsella, Wesley (@dutchshark)".into(),
                5
            ))
        );
    }

    #[test]
    fn kyverno_header_table() {
        let body = "# K\n\n\n|**Completed**:               | *tbd*                                 |\n|-----------------------------|---------------------------------------|\n|**Security reviewer(s)**:    | <!-- cspell:disable --> John Kinsella |\n|**Project security lead**:   | <!-- cspell:disable --> Jim Bugwadia, Shuting Zhao  |\n| **Source code**:            | https://github.com/kyverno/kyverno    |\n| **Web site**:               | https://kyverno.io/                   |\n";
        let (found, diags) = facts(DocKind::SelfAssessment, body);
        assert_eq!(diags, vec![]);
        assert_eq!(value(&found, FactKey::Completed), None);
        assert_eq!(
            first(&found, FactKey::ProjectSecurityLead).map(|f| (f.0, f.2)),
            Some(("Jim Bugwadia, Shuting Zhao".into(), 7))
        );
        assert_eq!(
            value(&found, FactKey::SourceCode).as_deref(),
            Some("https://github.com/kyverno/kyverno")
        );
        assert_eq!(
            value(&found, FactKey::Website).as_deref(),
            Some("https://kyverno.io/")
        );
    }

    #[test]
    fn html_metadata_table() {
        let body = "# Metadata\n<table>\n  <tr>\n   <td>Software\n   </td>\n   <td><a href=\"https://github.com/goharbor/harbor\">https://github.com/goharbor/harbor</a>\n<p>\n<a href=\"http://goharbor.io\">http://goharbor.io</a>\n   </td>\n  </tr>\n  <tr>\n   <td>Security Provider\n   </td>\n   <td>Yes, Harbor acts as \\\na registry.\n   </td>\n  </tr>\n  <tr>\n   <td>Relevant Links\n   </td>\n   <td>\n<ul>\n<li><a href=\"https://github.com/cncf/tag-security/issues/369\">TAG-Security Assessment Issue</a>\n<li><a href=\"https://docs.google.com/presentation/d/toc\">TOC Presentation Slides</a>\n<li><a href=\"https://vmware.zoom.us/rec/share/x\">TAG-Security Live Discussion</a> (pwd l3%#\\*x4Y)\n<li><a href=\"https://docs.google.com/presentation/d/tag\">Harbor Assessment by TAG-Security 4/22/2020</a>\n</li>\n</ul>\n   </td>\n  </tr>\n  <tr><td>Languages</td><td>Various. Bash \\\nand Go.</td></tr>\n</table>\n";
        let (found, _) = facts(DocKind::SelfAssessment, body);
        assert_eq!(
            first(&found, FactKey::Software).map(|f| (f.0, f.2)),
            Some(("https://github.com/goharbor/harbor, http://goharbor.io".into(), 4))
        );
        assert_eq!(value(&found, FactKey::SecurityProvider).as_deref(), Some("yes"));
        assert_eq!(
            first(&found, FactKey::TrackingIssue).map(|f| (f.0, f.2)),
            Some(("https://github.com/cncf/tag-security/issues/369".into(), 19))
        );
        assert_eq!(
            value(&found, FactKey::PresentationSlides).as_deref(),
            Some("https://docs.google.com/presentation/d/tag")
        );
        assert_eq!(
            value(&found, FactKey::PresentationRecording).as_deref(),
            Some("https://vmware.zoom.us/rec/share/x")
        );
        assert_eq!(
            first(&found, FactKey::Languages).map(|f| (f.0, f.2)),
            Some(("Various. Bash and Go.".into(), 31))
        );
    }

    #[test]
    fn summary_lines() {
        let body = "# X Joint Security Assessment\n\nCompleted: April 28, 2020\n\nSecurity reviewers: Andres Vega, Justin Cappos,\nChase Pettet.\n\nProject security lead: Michael Michael \n\nBuildpacks team: Stephen Levine.\n\n* Source code: [github.com/in-toto](https://github.com/in-toto)\n* Web site: goharbor.io \n\nProject version reviewed: v10.0.2\n\nTracking issue: [*https://github.com/cncf/tag-security/issues/1327*](https://github.com/cncf/tag-security/issues/1327)   \n";
        let (found, diags) = facts(DocKind::Summary, body);
        assert_eq!(diags, vec![]);
        assert_eq!(
            first(&found, FactKey::Completed),
            Some(("2020-04-28".into(), "April 28, 2020".into(), 3))
        );
        assert_eq!(
            first(&found, FactKey::SecurityReviewers).map(|f| (f.0, f.2)),
            Some(("Andres Vega, Justin Cappos, Chase Pettet".into(), 5))
        );
        assert_eq!(
            first(&found, FactKey::ProjectSecurityLead).map(|f| (f.0, f.2)),
            Some(("Michael Michael".into(), 8))
        );
        assert_eq!(
            first(&found, FactKey::ProjectTeam).map(|f| (f.0, f.2)),
            Some(("Stephen Levine".into(), 10))
        );
        assert_eq!(
            first(&found, FactKey::SourceCode).map(|f| (f.0, f.2)),
            Some(("https://github.com/in-toto".into(), 12))
        );
        assert_eq!(
            first(&found, FactKey::Website),
            Some(("https://goharbor.io".into(), "goharbor.io".into(), 13))
        );
        assert_eq!(
            first(&found, FactKey::VersionCovered).map(|f| (f.0, f.2)),
            Some(("v10.0.2".into(), 15))
        );
        assert_eq!(
            first(&found, FactKey::TrackingIssue).map(|f| (f.0, f.2)),
            Some(("https://github.com/cncf/tag-security/issues/1327".into(), 17))
        );
    }

    #[test]
    fn label_forms() {
        let body = "*Security Reviewers: Andres Vega, Cameron Seader.*\n**Assessment Version:** v1.0\n**Website:** [Guardon](https://chrome.example/x)  \nDate completed: Sep 7, 2021\nTracking issue: <https://github.com/WasmEdge/WasmEdge/issues/4237>\nTracking project board: <https://github.com/orgs/WasmEdge/projects/14>\nOPA Response Team:\n- **Tracking Known Issues:** The NATS Project aims\n";
        let (found, _) = facts(DocKind::Summary, body);
        assert_eq!(
            value(&found, FactKey::SecurityReviewers).as_deref(),
            Some("Andres Vega, Cameron Seader")
        );
        assert_eq!(value(&found, FactKey::VersionCovered), None);
        assert_eq!(
            value(&found, FactKey::Website).as_deref(),
            Some("https://chrome.example/x")
        );
        assert_eq!(value(&found, FactKey::Completed).as_deref(), Some("2021-09-07"));
        assert_eq!(
            found.iter().filter(|(k, _)| *k == FactKey::TrackingIssue).count(),
            1
        );
        assert_eq!(
            value(&found, FactKey::TrackingIssue).as_deref(),
            Some("https://github.com/WasmEdge/WasmEdge/issues/4237")
        );
        assert_eq!(value(&found, FactKey::ProjectTeam), None);
    }

    #[test]
    fn dates_numeric_tbd_and_unreadable() {
        let (found, diags) = extract(
            DocKind::JointAssessment,
            "Completed: 01 07 2025\n",
            "w/joint-assessment.md",
            10,
        );
        assert_eq!(
            first(&found, FactKey::Completed),
            Some(("2025-07-01".into(), "01 07 2025".into(), 10))
        );
        assert_eq!(diags.len(), 1);
        assert_eq!(
            (diags[0].code.as_str(), diags[0].line),
            ("facts/ambiguous-date", Some(10))
        );
        assert!(diags[0].message.contains("2025-01-07"));
        let (found, diags) = facts(DocKind::Summary, "Completed: *tbd*\n");
        assert!(found.is_empty() && diags.is_empty());
        let (found, diags) = facts(DocKind::Summary, "Completed: last spring\n");
        assert!(found.is_empty());
        assert_eq!(
            diags.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
            vec!["facts/date"]
        );
    }

    #[test]
    fn placeholders_warn_instead_of_facts() {
        let body = "Completed:  dd MMM yyyy\n\nSecurity reviewers: _list names and github handles as appropriate_\n\nProject team: *list name and github handle as appropriate*\n\n* Source code: _url to repo_\n* Web site: _url_\n\nTracking issue: _link to issue for assessment_\n";
        let (found, diags) = facts(DocKind::Summary, body);
        assert_eq!(found, vec![]);
        let lines: Vec<(&str, usize)> = diags
            .iter()
            .map(|d| (d.code.as_str(), d.line.unwrap_or(0)))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("facts/placeholder", 1),
                ("facts/placeholder", 3),
                ("facts/placeholder", 5),
                ("facts/placeholder", 7),
                ("facts/placeholder", 8),
                ("facts/placeholder", 10)
            ]
        );
        let body = "|||\n| -- | -- |\n| Assessment Stage | Incomplete, Complete, or Obsolete. Status of this file may change over time. |\n| Software | A link to the software’s repository.  |\n| Security Provider | Yes or No. Is the primary function of the project to support the security of an integrating system?  |\n| Languages | Language(s) the project is written in. |\n| SBOM | Software bill of materials.  Link to the libraries, packages, versions used by the project, may also include direct dependencies. |\n";
        let (found, diags) = facts(DocKind::SelfAssessment, body);
        assert_eq!(found, vec![]);
        assert_eq!(diags.len(), 5);
    }

    #[test]
    fn comments_and_fences_are_ignored() {
        let body = "<!--\nCompleted: May 2019\n-->\n```\nCompleted: June 2019\n| Software | https://x.io |\n| -- | -- |\n```\n~~~md\nWebsite: https://y.io\n~~~\nCompleted: <!-- not this --> July 2019\n";
        let (found, _) = facts(DocKind::Summary, body);
        assert_eq!(found.len(), 1);
        assert_eq!(
            first(&found, FactKey::Completed).map(|f| (f.0, f.2)),
            Some(("2019-07".into(), 12))
        );
    }

    #[test]
    fn security_pals_issue_is_never_the_tracking_issue() {
        let body = "Tracking issue: https://github.com/cncf/tag-security/issues/1102\n";
        let (found, _) = facts(DocKind::Summary, body);
        assert_eq!(value(&found, FactKey::TrackingIssue), None);
        assert!(!is_security_pals(
            "https://github.com/cncf/tag-security/issues/11020"
        ));
    }

    #[test]
    fn custodian_tables() {
        let body = "## Metadata\n<!-- markdownlint-disable MD034 -->\n| Project Home                    | https://github.com/cloud-custodian |\n|---------------------------------|-----|\n| Security Provider               | Yes, however many users |\n| TAG-Security Assessment Request | https://github.com/cncf/tag-security/issues/307 |\n\n## Reviewers and Participants\n|  |  |\n| -- | -- |\n| Project Security Lead | @kapilt |\n| Security TAG Lead Reviewer | @rficcaglia |\n| Additional Reviewers | @iaxes, @chasemp |\n";
        let (found, _) = facts(DocKind::JointAssessment, body);
        assert_eq!(
            first(&found, FactKey::Software).map(|f| (f.0, f.2)),
            Some(("https://github.com/cloud-custodian".into(), 3))
        );
        assert_eq!(
            first(&found, FactKey::TrackingIssue).map(|f| (f.0, f.2)),
            Some(("https://github.com/cncf/tag-security/issues/307".into(), 6))
        );
        assert_eq!(
            value(&found, FactKey::ProjectSecurityLead).as_deref(),
            Some("@kapilt")
        );
        assert_eq!(
            first(&found, FactKey::SecurityReviewers).map(|f| (f.0, f.2)),
            Some(("@rficcaglia, @iaxes, @chasemp".into(), 12))
        );
    }

    #[test]
    fn prose_completion_ranks_last() {
        let body = "## Summary\nMembers (A, B) worked with the team on a joint assessment, which was completed in August of 2023.  During\n";
        let (found, _) = facts(DocKind::Summary, body);
        assert_eq!(
            first(&found, FactKey::Completed),
            Some(("2023-08".into(), "August of 2023".into(), 2))
        );
        let (found, _) = facts(DocKind::Summary, &format!("{body}\nCompleted: May 2019\n"));
        assert_eq!(value(&found, FactKey::Completed).as_deref(), Some("2019-05"));
        let (found, _) = facts(DocKind::SelfAssessment, body);
        assert!(found.is_empty());
    }

    #[test]
    fn self_assessment_preamble_names_the_documents_people() {
        let body = "# Foo Self-Assessment\n\nMay 2024\n\nPrimary Authors: Ada Quill, Bo Ren\nSecurity reviewers: Ada Quill, Cy Mar\n\nThis document is about Foo.\n";
        let (found, diags) = facts(DocKind::SelfAssessment, body);
        assert_eq!(diags, vec![]);
        assert_eq!(first(&found, FactKey::SecurityReviewers), None);
        assert_eq!(
            first(&found, FactKey::DocumentAuthors).map(|f| (f.0, f.2)),
            Some(("Ada Quill, Bo Ren".into(), 5))
        );
        assert_eq!(
            first(&found, FactKey::DocumentReviewers).map(|f| (f.0, f.2)),
            Some(("Ada Quill, Cy Mar".into(), 6))
        );
        // The same lines in a summary: the reviewers are the TAG team; authors mean nothing.
        let (found, _) = facts(DocKind::Summary, body);
        assert_eq!(
            value(&found, FactKey::SecurityReviewers).as_deref(),
            Some("Ada Quill, Cy Mar")
        );
        assert_eq!(value(&found, FactKey::DocumentAuthors), None);
        assert_eq!(value(&found, FactKey::DocumentReviewers), None);
    }

    #[test]
    fn reviewers_in_prose() {
        let readme = "# Foo Joint Security Assessment\n\n## Summary\nFoo watches things.\n\nMembers of the TAG in the CNCF (Ada Quill, Bo Ren, Cy Mar, and Di Osei) worked with the Foo team on a joint assessment, which was completed in May of 2022.\n";
        let (found, _) = facts(DocKind::Summary, readme);
        assert_eq!(
            first(&found, FactKey::SecurityReviewers),
            Some((
                "Ada Quill, Bo Ren, Cy Mar, Di Osei".into(),
                "Ada Quill, Bo Ren, Cy Mar, and Di Osei".into(),
                6
            ))
        );
        assert_eq!(value(&found, FactKey::Completed).as_deref(), Some("2022-05"));
        let joint = "---\n\n## Summary\nBar is small.\n<br/><br/>A Joint Security Assessment was performed by Ada Quill, *Bo Ren*, and Cy Mar.  We thank the team!\n";
        let (found, _) = facts(DocKind::JointAssessment, joint);
        assert_eq!(
            first(&found, FactKey::SecurityReviewers).map(|f| (f.0, f.2)),
            Some(("Ada Quill, Bo Ren, Cy Mar".into(), 5))
        );
        // A labelled line wins over a sentence, and a self-assessment's prose is not read.
        let both = format!("Security reviewers: Eve Ng, Fay Wu\n{readme}");
        let (found, _) = facts(DocKind::Summary, &both);
        assert_eq!(
            value(&found, FactKey::SecurityReviewers).as_deref(),
            Some("Eve Ng, Fay Wu")
        );
        let (found, _) = facts(DocKind::SelfAssessment, readme);
        assert!(found.is_empty());
    }

    #[test]
    fn ordering_by_document_kind() {
        let body = "Website: https://line.example\n\n|||\n|--|--|\n| Website | https://table.example |\n";
        let (found, _) = facts(DocKind::SelfAssessment, body);
        assert_eq!(
            value(&found, FactKey::Website).as_deref(),
            Some("https://table.example")
        );
        let (found, _) = facts(DocKind::Summary, body);
        assert_eq!(
            value(&found, FactKey::Website).as_deref(),
            Some("https://line.example")
        );
        assert!(facts(DocKind::Process, body).0.is_empty());
        assert!(facts(DocKind::ThreatModel, body).0.is_empty());
    }

    #[test]
    fn cells() {
        let cell = parse_cell(
            "[*https://github.com/dragonflyoss/dragonfly*](https://github.com/dragonflyoss/Dragonfly2)",
        );
        assert_eq!(
            cell.urls(),
            vec!["https://github.com/dragonflyoss/Dragonfly2".to_owned()]
        );
        assert_eq!(cell.text(), "https://github.com/dragonflyoss/dragonfly");
        let cell = parse_cell("a &amp; b&nbsp;c &#x2019; \u{a0}d\t e");
        assert_eq!(cell.text(), "a & b c \u{2019} d e");
        let cell = parse_cell("![img](x.png \"t\") see (https://a.io/x_(y)) and https://b.io.");
        assert_eq!(
            cell.urls(),
            vec!["https://a.io/x_(y)".to_owned(), "https://b.io".to_owned()]
        );
        let cell = parse_cell("<a href='https://q.io'>q</a> <A HREF=https://r.io>r</A>");
        assert_eq!(
            cell.urls(),
            vec!["https://q.io".to_owned(), "https://r.io".to_owned()]
        );
        assert_eq!(
            strip_emphasis("*Marina @mnm678, snake_case_name*"),
            "Marina @mnm678, snake_case_name"
        );
        assert_eq!(
            bare_domain("github.com/goharbor/harbor").as_deref(),
            Some("https://github.com/goharbor/harbor")
        );
        assert_eq!(bare_domain("Various things."), None);
        assert_eq!(bare_domain("v1.2"), None);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let inputs = [
            String::new(),
            "|".to_owned(),
            "|-|\n|".to_owned(),
            "<table".to_owned(),
            "<table><tr><td>".to_owned(),
            "<table><tr><td>Software<td><a href=".to_owned(),
            "[".repeat(10_000),
            "<!--".to_owned(),
            "```".to_owned(),
            "Completed:".to_owned(),
            ": : :".to_owned(),
            "é|ü\n|-|-|\n|é|&#xD800;|".to_owned(),
            "&#99999999999;".to_owned(),
            "[a](<b".to_owned(),
            "<https://".to_owned(),
            "Software: http://".to_owned(),
            "\\".to_owned(),
            "*".repeat(1000),
            format!("| Software | {} |\n| -- | -- |", "[x](".repeat(5_000)),
        ];
        for kind in [
            DocKind::SelfAssessment,
            DocKind::JointAssessment,
            DocKind::Summary,
        ] {
            for input in &inputs {
                let _ = extract(kind, input, "f.md", 1);
            }
        }
    }

    type Extracted = (Vec<(FactKey, Fact)>, Vec<Diagnostic>);

    /// Kept out of line so a profiler can single out extraction.
    #[inline(never)]
    fn extract_all(documents: &[(String, DocKind, String)]) -> Vec<Extracted> {
        documents
            .iter()
            .map(|(rel, kind, text)| extract(*kind, text, rel, 1))
            .collect()
    }

    /// Reads the real corpus when `TSSA_CORPUS` points at a `cncf/tag-security` checkout.
    #[test]
    fn corpus() {
        let Some(root) = std::env::var_os("TSSA_CORPUS") else {
            // Straight to stderr: the test harness captures println!, and a skip must be seen.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                b"skipped: TSSA_CORPUS not set (an acceptance-corpus test)\n",
            );
            return;
        };
        let root = std::path::PathBuf::from(root);
        let projects = root.join("community/assessments/projects");
        let mut files = 0;
        let started = std::time::Instant::now();
        for entry in walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            files += 1;
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            for kind in [
                DocKind::SelfAssessment,
                DocKind::JointAssessment,
                DocKind::Summary,
            ] {
                let _ = extract(kind, &text, "f", 1);
            }
            let _ = crate::parse::frontmatter::split(&text);
            let _ = crate::parse::frontmatter::parse(&text, "f", 1, |file, line| Provenance::Sidecar {
                file: file.into(),
                line,
            });
        }
        println!("{files} corpus files read in {:?}", started.elapsed());
        let mut documents = Vec::new();
        for entry in walkdir::WalkDir::new(&projects)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            let name = entry.file_name().to_string_lossy();
            let kind = match name.as_ref() {
                "self-assessment.md" => DocKind::SelfAssessment,
                "joint-assessment.md" | "joint-review.md" => DocKind::JointAssessment,
                "README.md" => DocKind::Summary,
                _ => continue,
            };
            let rel = entry
                .path()
                .strip_prefix(&projects)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            let text = crate::parse::decode(&rel, &bytes, &mut Vec::new()).unwrap_or_default();
            documents.push((rel, kind, text));
        }
        // The fastest of a few runs, so a busy machine does not blur the figure.
        let mut elapsed = std::time::Duration::MAX;
        let mut results = Vec::new();
        let runs = std::env::var("TSSA_RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(5);
        for _ in 0..runs {
            let started = std::time::Instant::now();
            results = extract_all(&documents);
            elapsed = elapsed.min(started.elapsed());
        }
        let mut dump = String::new();
        for ((rel, _, _), (found, diagnostics)) in documents.iter().zip(results) {
            for (key, fact) in found {
                dump.push_str(&format!(
                    "{rel}:{} {} = {:?} (raw {:?})\n",
                    fact.source.line().unwrap_or(0),
                    key.name(),
                    fact.value,
                    fact.raw
                ));
            }
            for d in diagnostics {
                dump.push_str(&format!("{d}\n"));
            }
        }
        println!(
            "extraction over {} project documents took {elapsed:?}",
            documents.len()
        );
        if std::env::var_os("TSSA_CORPUS_DUMP").is_some() {
            println!("{dump}");
        }
        assert!(files >= 150, "expected the whole corpus, found {files} files");

        let read = |rel: &str, kind: DocKind| {
            let bytes = std::fs::read(projects.join(rel)).unwrap_or_default();
            let mut diags = Vec::new();
            let text = crate::parse::decode(rel, &bytes, &mut diags).unwrap_or_default();
            let (found, _) = extract(kind, &text, rel, 1);
            found
        };
        let check = |rel: &str, kind: DocKind, key: FactKey, expected: &str| {
            let found = read(rel, kind);
            let got = first(&found, key);
            assert!(
                got.as_ref().is_some_and(|(value, raw, _)| value == expected
                    || raw == expected
                    || value.contains(expected)),
                "{rel}: {key:?} is {got:?}, expected {expected:?}"
            );
        };
        use DocKind::*;
        check("keycloak/README.md", Summary, FactKey::VersionCovered, "v10.0.2");
        check("harbor/README.md", Summary, FactKey::Completed, "2020-04-28");
        check("in-toto/README.md", Summary, FactKey::TrackingIssue, "issues/166");
        check("in-toto/README.md", Summary, FactKey::Completed, "2019-05");
        check(
            "dragonfly/joint-assessment.md",
            JointAssessment,
            FactKey::Completed,
            "2025-01-29",
        );
        check(
            "wasmedge/joint-assessment.md",
            JointAssessment,
            FactKey::Completed,
            "2025-07-01",
        );
        check("buildpacks/README.md", Summary, FactKey::Completed, "2021-09-07");
        check(
            "spiffe-spire/README.md",
            Summary,
            FactKey::Completed,
            "2020-02-26",
        );
        check("opa/README.md", Summary, FactKey::Completed, "2019-09");
        check("pixie/README.md", Summary, FactKey::Completed, "2023-08");
        // Reviewers named in a sentence, with their line; a self-assessment's own reviewers
        // keep their role.
        let line_of = |rel: &str, kind: DocKind, key: FactKey| {
            first(&read(rel, kind), key).map(|(value, _, line)| (value, line))
        };
        for (rel, kind, key, value, line) in [
            (
                "pixie/README.md",
                Summary,
                FactKey::SecurityReviewers,
                "Justin Cappos, Victor Lu, Jon Zeolla, Ragashree Shekar",
                6,
            ),
            (
                "flatcar/joint-assessment.md",
                JointAssessment,
                FactKey::SecurityReviewers,
                "Justin Cappos, Marina Moore, Ragashree Shekar, Andrew Martin",
                4,
            ),
            (
                "cert-manager/self-assessment.md",
                SelfAssessment,
                FactKey::DocumentReviewers,
                "Maël Valais, Ashley Davis, Tim Ramlot",
                6,
            ),
            (
                "cert-manager/self-assessment.md",
                SelfAssessment,
                FactKey::DocumentAuthors,
                "Maël Valais, Ashley Davis",
                5,
            ),
            (
                "knative/self-assessment.md",
                SelfAssessment,
                FactKey::DocumentReviewers,
                "Maya Humston, Ethan Vazquez, Zhikang Xu, Shambhavi Seth",
                5,
            ),
            (
                "harbor/README.md",
                Summary,
                FactKey::SecurityReviewers,
                "Andres Vega, Justin Cappos, Chase Pettet, Vinay Venkataraghavan, Robert Ficaglia, Martin Vrachev",
                5,
            ),
            (
                "dragonfly/joint-assessment.md",
                JointAssessment,
                FactKey::SecurityReviewers,
                "Marina Moore @mnm678, Rahul Jadhav @nyrahul, Justin Cappos @JustinCappos",
                4,
            ),
        ] {
            assert_eq!(
                line_of(rel, kind, key),
                Some((value.to_owned(), line)),
                "{rel} {key:?}"
            );
        }
        for rel in ["cert-manager/self-assessment.md", "knative/self-assessment.md"] {
            assert_eq!(
                line_of(rel, SelfAssessment, FactKey::SecurityReviewers),
                None,
                "{rel}"
            );
        }
        for (rel, kind, raw, value) in [
            ("flux/self-assessment.md", SelfAssessment, "Draft", "draft"),
            (
                "wasmcloud/self-assessment.md",
                SelfAssessment,
                "In Progress",
                "in-progress",
            ),
            (
                "confidential-containers/self-assessment.md",
                SelfAssessment,
                "Incomplete.",
                "incomplete",
            ),
            (
                "wasmedge/self-assessment.md",
                SelfAssessment,
                "Incomplete.",
                "incomplete",
            ),
            (
                "cert-manager/self-assessment.md",
                SelfAssessment,
                "Complete",
                "complete",
            ),
            (
                "openfga/joint-assessment.md",
                JointAssessment,
                "Complete",
                "complete",
            ),
        ] {
            let found = read(rel, kind);
            let got = first(&found, FactKey::Status).map(|(v, r, _)| (v, r));
            assert_eq!(got, Some((value.to_owned(), raw.to_owned())), "{rel}");
        }
        check(
            "spiffe-spire/self-assessment.md",
            SelfAssessment,
            FactKey::Software,
            "https://github.com/spiffe/spiffe, https://github.com/spiffe/spire",
        );
        check(
            "harbor/self-assessment.md",
            SelfAssessment,
            FactKey::Software,
            "https://github.com/goharbor/harbor",
        );
        check(
            "keycloak/self-assessment.md",
            SelfAssessment,
            FactKey::Software,
            "https://github.com/keycloak/keycloak",
        );
        check(
            "flatcar/self-assessment.md",
            SelfAssessment,
            FactKey::Software,
            "https://github.com/flatcar/scripts, https://github.com/flatcar/Flatcar",
        );
        check(
            "pixie/self-assessment.md",
            SelfAssessment,
            FactKey::Software,
            "https://github.com/pixie-io/pixie",
        );
        check(
            "custodian/joint-review.md",
            JointAssessment,
            FactKey::Software,
            "https://github.com/cloud-custodian",
        );
        check(
            "custodian/joint-review.md",
            JointAssessment,
            FactKey::TrackingIssue,
            "issues/307",
        );
        check(
            "flatcar/self-assessment.md",
            SelfAssessment,
            FactKey::TrackingIssue,
            "issues/1066",
        );
        check(
            "harbor/self-assessment.md",
            SelfAssessment,
            FactKey::TrackingIssue,
            "issues/369",
        );
        check(
            "cni/self-assessment.md",
            SelfAssessment,
            FactKey::Software,
            "https://github.com/containernetworking/cni",
        );
        check(
            "jaeger/self-assessment.md",
            SelfAssessment,
            FactKey::Languages,
            "Go, Shell, Makefile, Python, Dockerfile",
        );
        // The Security Pals issue is linked from many self-assessments and is never taken.
        for entry in walkdir::WalkDir::new(&projects)
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.file_name() == "self-assessment.md" {
                let rel = entry
                    .path()
                    .strip_prefix(&projects)
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let found = read(&rel, SelfAssessment);
                assert!(
                    found
                        .iter()
                        .all(|(k, f)| *k != FactKey::TrackingIssue || !f.value.contains("/1102")),
                    "{rel}"
                );
            }
        }
    }
}
