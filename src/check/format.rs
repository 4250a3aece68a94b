//! Report formats: `human` (cargo-like), `json` (one versioned document), `github`
//! (Actions workflow commands) and `sarif` (SARIF 2.1.0 for code scanning, `format/sarif.rs`).
//! Pure functions returning `String`; the CLI prints them.
//!
//! # JSON schema (`schema_version: 1`)
//!
//! ```text
//! {
//!   "schema_version": 1,                    // bumped on any incompatible change
//!   "tool": "tssa",
//!   "tool_version": "0.1.0",
//!   "units": [{                             // project units, in site order
//!     "slug": "fluentd/fluent-bit",         // URL slug, unique
//!     "name": "Fluent Bit",
//!     "dir": "community/assessments/projects/fluentd/fluent-bit",
//!     "path": "self" | "joint",             // abbreviated or joint assessment path
//!     "ruleset": "tssa-2019" | "tssa-2021" | "tssa-2024-11",
//!     "ruleset_reason": "front matter" | "tssa.yaml" | "book.toml" | "completed 2020-04-28" | "default",
//!     "status": "incomplete" | "complete" | "draft" | "in-progress" | "obsolete" | "paused" | null,
//!     "facts": {                            // keys: project_name, completed, version_covered, …
//!       "completed": {
//!         "value": "2020-04-28",            // normalised
//!         "raw": "April 28, 2020",          // as written
//!         "source": {"kind": "document", "file": "…/README.md", "line": 3}
//!           // kind: front_matter | sidecar | document (file, line) or inferred (reason)
//!       }
//!     },
//!     "documents": [{
//!       "kind": "self-assessment" | "joint-assessment" | "summary" | "threat-model"
//!             | "recommendations" | "process" | "other",
//!       "source": "…/self-assessment.md", "rel": "self-assessment.md",
//!       "url": "projects/x/self-assessment.html", "title": "…",
//!       "facts": { … as above, read from this document … },
//!       "headings": [{"level": 2, "text": "Metadata", "id": "metadata", "line": 12}]
//!     }],
//!     "items": [{                           // A1–A4 then B0–B12, always all 17
//!       "id": "A1", "title": "Complete a self-assessment", "step": "Self-assessment",
//!       "state": "passed" | "missing" | "not-evidenced" | "exempt" | "not-applicable",
//!       "evidence": [{"file": "…" | null, "line": 1 | null, "note": "…"}],
//!       "process_ref": {"doc": "guide/README.md", "heading": "Complete a self-assessment"},
//!       "note": "…" | null
//!     }],
//!     "passed": 3,                          // items passed
//!     "required": 4,                        // items neither not-applicable nor exempt
//!     "counts": {"errors": 0, "warnings": 1, "infos": 2},
//!     "findings": [DIAGNOSTIC],             // sorted by file, line, code
//!     "exempted": [{"finding": DIAGNOSTIC, "reason": "…"}]
//!   }],
//!   "diagnostics": [DIAGNOSTIC],            // problems found while reading the site
//!   "summary": {
//!     "units": 52, "self": 39, "joint": 13,
//!     "complete": 3,                        // units with every required item passed
//!     "passed": 120, "required": 300,
//!     "errors": 10, "warnings": 20, "infos": 30,   // findings and diagnostics together
//!     "by_ruleset": {"tssa-2019": 5, "tssa-2021": 45, "tssa-2024-11": 2},
//!     "items": {"passed": 120, "missing": 80, "not-evidenced": 100, "exempt": 0, "not-applicable": 584}
//!   }
//! }
//!
//! DIAGNOSTIC = {"file": "…" | null, "line": 12 | null, "level": "error" | "warning" | "info",
//!               "code": "self-assessment/missing-section", "message": "…", "help": "…"}
//!               // "help" is omitted when there is none
//! ```
//!
//! Object keys are emitted in a fixed order and maps are sorted, so the same input always
//! gives the same bytes.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use crate::diagnostic::{Counts, Diagnostic, Level};
use crate::gitchanges::Changes;
use crate::model::{Document, Fact, Heading, Site};
use crate::term::Paint;

use super::{ExemptedFinding, ItemResult, ItemState, Report, Ruleset, UnitReport};

mod sarif;
pub use sarif::{Anchor, sarif};

pub const SCHEMA_VERSION: u32 = 1;

/// Every finding in the order the text formats print them: the site-wide ones by file and
/// line, then each unit's (kept sorted by the check).
fn report_order<'a>(
    report: &'a Report,
    site_diagnostics: &'a [Diagnostic],
) -> impl Iterator<Item = &'a Diagnostic> {
    let mut site: Vec<&Diagnostic> = site_diagnostics.iter().collect();
    site.sort();
    site.into_iter()
        .chain(report.units.iter().flat_map(|u| u.findings.iter()))
}

/// A root-relative `file` from the repository's top, where GitHub reads paths: `top` is the
/// root's folder in the repository (`[site] repository_path`, or git's prefix), with or
/// without slashes around it; empty at the top.
fn from_top<'f>(top: &str, file: &'f str) -> Cow<'f, str> {
    match top.trim_matches('/') {
        "" => Cow::Borrowed(file),
        top => Cow::Owned(format!("{top}/{file}")),
    }
}

/// A finding's message with its help after it, as the machine formats carry both in one text.
fn message_with_help(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\n\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

// ---------------------------------------------------------------------------------------
// human

/// Cargo-style diagnostics, then a table of packages and a totals line. `sources` returns a
/// file's text (path from the site root) so the offending line can be shown; it is called at
/// most once per file.
pub fn human(
    report: &Report,
    site_diagnostics: &[Diagnostic],
    sources: &dyn Fn(&str) -> Option<String>,
    color: bool,
) -> String {
    human_from(report, site_diagnostics, sources, color, Level::Info)
}

/// As [`human`], showing only findings at `least` or above (`--quiet`: errors); the table
/// still counts them all.
pub fn human_from(
    report: &Report,
    site_diagnostics: &[Diagnostic],
    sources: &dyn Fn(&str) -> Option<String>,
    color: bool,
    least: Level,
) -> String {
    let paint = Paint { on: color };
    let mut cache: HashMap<String, Option<Source>> = HashMap::new();
    let mut out = String::new();
    for d in report_order(report, site_diagnostics).filter(|d| d.level >= least) {
        render_diagnostic(&mut out, d, &paint, &mut cache, sources);
    }
    summary_table(&mut out, report, site_diagnostics, &paint);
    out
}

fn render_diagnostic(
    out: &mut String,
    d: &Diagnostic,
    paint: &Paint,
    cache: &mut HashMap<String, Option<Source>>,
    sources: &dyn Fn(&str) -> Option<String>,
) {
    let _ = writeln!(
        out,
        "{}{}: {}",
        paint.level(d.level),
        paint.bold(&format!("[{}]", d.code)),
        paint.bold(&d.message)
    );
    let Some(file) = &d.file else {
        if let Some(help) = d.help.as_ref().filter(|_| d.level != Level::Info) {
            let _ = writeln!(out, "  {} {}: {help}", paint.blue("="), paint.bold("help"));
        }
        out.push('\n');
        return;
    };
    // Only a warning or an error quotes its line: an info finding reads no file.
    let source_line = d.line.filter(|_| d.level != Level::Info).and_then(|line| {
        let source = cache
            .entry(file.to_string())
            .or_insert_with(|| sources(file).map(Source::new));
        source.as_ref()?.line(line.checked_sub(1)?).map(str::to_owned)
    });
    let width = d.line.map_or(1, |l| l.to_string().len());
    let pad = " ".repeat(width);
    match d.line {
        Some(line) => {
            let _ = writeln!(out, "{pad}{} {file}:{line}", paint.blue("-->"));
        }
        None => {
            let _ = writeln!(out, "{pad}{} {file}", paint.blue("-->"));
        }
    }
    if d.level != Level::Info
        && let (Some(line), Some(text)) = (d.line, source_line)
    {
        let text = text.replace('\t', "    ");
        let shown: String = text.trim_end().chars().take(160).collect();
        let indent = shown.chars().take_while(|c| c.is_whitespace()).count();
        let marks = shown.chars().count().saturating_sub(indent).max(1);
        let bar = paint.blue("|");
        let _ = writeln!(out, "{pad} {bar}");
        let _ = writeln!(out, "{} {bar} {shown}", paint.blue(&line.to_string()));
        let _ = writeln!(
            out,
            "{pad} {bar} {}{}",
            " ".repeat(indent),
            paint.caret(d.level, &"^".repeat(marks))
        );
    }
    if let Some(help) = d.help.as_ref().filter(|_| d.level != Level::Info) {
        let _ = writeln!(out, "{pad} {} {}: {help}", paint.blue("="), paint.bold("help"));
    }
    out.push('\n');
}

/// A file's text with where each of its lines (`str::lines`) starts and ends, so a finding's
/// line is sliced out: copying every line of every file with a finding into its own `String`
/// was a twentieth of a warm `tssa check`.
struct Source {
    text: String,
    lines: Vec<std::ops::Range<usize>>,
}

impl Source {
    /// Lines as `str::lines` makes them: split at `\n`, a `\r` before it dropped, no empty
    /// last line after a final `\n`.
    fn new(text: String) -> Source {
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', bytes) {
            let cut = if end > start && bytes[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            lines.push(start..cut);
            start = end + 1;
        }
        if start < bytes.len() {
            lines.push(start..bytes.len());
        }
        Source { text, lines }
    }

    fn line(&self, index: usize) -> Option<&str> {
        self.text.get(self.lines.get(index)?.clone())
    }
}

fn summary_table(out: &mut String, report: &Report, site_diagnostics: &[Diagnostic], paint: &Paint) {
    let header = ["package", "path", "ruleset", "items", "errors", "warnings"];
    let rows: Vec<[String; 6]> = report
        .units
        .iter()
        .map(|u| {
            [
                u.slug.clone(),
                u.path.clone(),
                u.ruleset.to_string(),
                format!("{}/{}", u.passed, u.required),
                u.count(Level::Error).to_string(),
                u.count(Level::Warning).to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            // Numbers right-aligned, text left-aligned.
            if i >= 3 {
                let _ = write!(s, "{cell:>w$}");
            } else {
                let _ = write!(s, "{cell:<w$}");
            }
        }
        s.trim_end().to_owned()
    };
    if !rows.is_empty() {
        let _ = writeln!(out, "{}", paint.bold(&line(header)));
        for (row, unit) in rows.iter().zip(&report.units) {
            let text = line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]);
            let _ = writeln!(
                out,
                "{}",
                if unit.is_complete() {
                    paint.green(&text)
                } else {
                    text
                }
            );
        }
        out.push('\n');
    }
    let totals = Totals::new(report, site_diagnostics);
    let _ = writeln!(
        out,
        "{} package{} ({} joint, {} self-assessment only), {} with every required item passed; {} items passed of {} required; {}",
        totals.units,
        plural(totals.units),
        totals.joint,
        totals.self_only,
        totals.complete,
        totals.passed,
        totals.required,
        totals.counts,
    );
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[derive(Debug, Default, Serialize)]
struct Totals {
    units: usize,
    #[serde(rename = "self")]
    self_only: usize,
    joint: usize,
    complete: usize,
    passed: usize,
    required: usize,
    #[serde(flatten)]
    counts: Counts,
    by_ruleset: BTreeMap<String, usize>,
    items: BTreeMap<&'static str, usize>,
}

impl Totals {
    fn new(report: &Report, site_diagnostics: &[Diagnostic]) -> Totals {
        let mut t = Totals {
            units: report.units.len(),
            ..Totals::default()
        };
        for r in Ruleset::ALL {
            t.by_ruleset.insert(r.to_string(), 0);
        }
        for state in [
            ItemState::Passed,
            ItemState::Missing,
            ItemState::NotEvidenced,
            ItemState::Exempt,
            ItemState::NotApplicable,
        ] {
            t.items.insert(state_key(state), 0);
        }
        t.counts = Counts::of(
            site_diagnostics
                .iter()
                .chain(report.units.iter().flat_map(|u| &u.findings)),
        );
        for u in &report.units {
            if u.path == "joint" {
                t.joint += 1;
            } else {
                t.self_only += 1;
            }
            if u.is_complete() {
                t.complete += 1;
            }
            t.passed += u.passed;
            t.required += u.required;
            *t.by_ruleset.entry(u.ruleset.to_string()).or_default() += 1;
            for i in &u.items {
                *t.items.entry(state_key(i.state)).or_default() += 1;
            }
        }
        t
    }
}

fn state_key(state: ItemState) -> &'static str {
    match state {
        ItemState::Passed => "passed",
        ItemState::Missing => "missing",
        ItemState::NotEvidenced => "not-evidenced",
        ItemState::Exempt => "exempt",
        ItemState::NotApplicable => "not-applicable",
    }
}

// ---------------------------------------------------------------------------------------
// json

/// The JSON report's values, made once and then written ([`JsonReport::text`]) or digested
/// ([`JsonReport::digest`]).
#[derive(Serialize)]
pub(crate) struct JsonReport<'a> {
    schema_version: u32,
    tool: &'static str,
    tool_version: &'static str,
    units: Vec<JsonUnit<'a>>,
    diagnostics: Vec<&'a Diagnostic>,
    summary: Totals,
}

#[derive(Serialize)]
struct JsonUnit<'a> {
    slug: &'a str,
    name: &'a str,
    dir: &'a str,
    path: &'a str,
    ruleset: Ruleset,
    ruleset_reason: &'a str,
    status: Option<&'a str>,
    facts: BTreeMap<&'static str, &'a Fact>,
    documents: Vec<JsonDocument<'a>>,
    items: &'a [ItemResult],
    passed: usize,
    required: usize,
    counts: Counts,
    findings: &'a [Diagnostic],
    exempted: &'a [ExemptedFinding],
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    kind: crate::model::DocKind,
    source: &'a str,
    rel: &'a str,
    url: &'a str,
    title: &'a str,
    facts: BTreeMap<&'static str, &'a Fact>,
    headings: &'a [Heading],
}

fn facts_map(facts: &crate::model::Facts) -> BTreeMap<&'static str, &Fact> {
    facts.iter().map(|(k, v)| (k.name(), v)).collect()
}

fn json_document(d: &Document) -> JsonDocument<'_> {
    JsonDocument {
        kind: d.kind,
        source: &d.source,
        rel: &d.rel,
        url: &d.url,
        title: &d.title,
        facts: facts_map(&d.facts),
        headings: &d.outline.headings,
    }
}

/// The whole report as one pretty-printed JSON document (see the module docs for the schema).
pub fn json(site: &Site, report: &Report, site_diagnostics: &[Diagnostic]) -> String {
    json_report(site, report, site_diagnostics).text()
}

/// The values of [`json`]'s document.
pub(crate) fn json_report<'a>(
    site: &'a Site,
    report: &'a Report,
    site_diagnostics: &'a [Diagnostic],
) -> JsonReport<'a> {
    let by_slug: HashMap<&str, &crate::model::Unit> =
        site.units.iter().map(|u| (u.slug.as_str(), u)).collect();
    let units = report
        .units
        .iter()
        .map(|u: &UnitReport| {
            let unit = by_slug.get(u.slug.as_str());
            JsonUnit {
                slug: &u.slug,
                name: &u.name,
                dir: &u.dir,
                path: &u.path,
                ruleset: u.ruleset,
                ruleset_reason: &u.ruleset_reason,
                status: u.status.as_deref(),
                facts: unit.map(|x| facts_map(&x.facts)).unwrap_or_default(),
                documents: unit
                    .map(|x| x.documents.iter().map(json_document).collect())
                    .unwrap_or_default(),
                items: &u.items,
                passed: u.passed,
                required: u.required,
                counts: Counts::of(&u.findings),
                findings: &u.findings,
                exempted: &u.exempted,
            }
        })
        .collect();
    let mut diagnostics: Vec<&Diagnostic> = site_diagnostics.iter().collect();
    diagnostics.sort();
    JsonReport {
        schema_version: SCHEMA_VERSION,
        tool: "tssa",
        tool_version: env!("CARGO_PKG_VERSION"),
        units,
        diagnostics,
        summary: Totals::new(report, site_diagnostics),
    }
}

impl JsonReport<'_> {
    /// The report as one pretty-printed JSON document.
    pub(crate) fn text(&self) -> String {
        // Serialising plain structs, string-keyed maps and strings cannot fail; the fallback
        // keeps the function total all the same.
        let mut text = self.pretty().unwrap_or_else(|e| {
            format!(
                "{{\"schema_version\": {SCHEMA_VERSION}, \"error\": {:?}}}",
                e.to_string()
            )
        });
        text.push('\n');
        text
    }

    /// `serde_json::to_string_pretty(self)`, with each unit (together nearly all of the text:
    /// a fifth of a warm `check`'s instructions, on one core while the others waited) written
    /// on any core and then put in place. Every field is named, in the struct's order, so one
    /// added cannot be left out.
    fn pretty(&self) -> serde_json::Result<String> {
        use rayon::prelude::*;
        let JsonReport {
            schema_version,
            tool,
            tool_version,
            units,
            diagnostics,
            summary,
        } = self;
        let mut out = String::new();
        let member = |out: &mut String, key: &str, value: &str| {
            out.push_str(if out.is_empty() { "{\n  \"" } else { ",\n  \"" });
            out.push_str(key);
            out.push_str("\": ");
            out.push_str(value);
        };
        member(
            &mut out,
            "schema_version",
            &serde_json::to_string(schema_version)?,
        );
        member(&mut out, "tool", &serde_json::to_string(tool)?);
        member(&mut out, "tool_version", &serde_json::to_string(tool_version)?);
        member(&mut out, "units", "[");
        // A batch at a time, so the units' texts are not all held beside the whole (at 50
        // times the corpus the report is 54 MB).
        let mut first = true;
        for batch in units.chunks(64) {
            let texts = batch
                .par_iter()
                .map(|unit| pretty_at_depth(&[[unit]], 2))
                .collect::<serde_json::Result<Vec<String>>>()?;
            // Grown once per batch, not doubled (and copied) as the texts come in.
            out.reserve(texts.iter().map(|text| text.len() + 6).sum());
            for text in texts {
                out.push_str(if first { "\n    " } else { ",\n    " });
                first = false;
                out.push_str(&text);
            }
        }
        out.push_str(if units.is_empty() { "]" } else { "\n  ]" });
        member(&mut out, "diagnostics", &pretty_at_depth(&[diagnostics], 1)?);
        member(&mut out, "summary", &pretty_at_depth(&[summary], 1)?);
        out.push_str("\n}");
        Ok(out)
    }

    /// The BLAKE3 digest of every value [`Self::text`] writes, a fraction of the cost of
    /// writing them (bincode, no escaping); `None` if one cannot be encoded. The summary, whose
    /// flattened counts bincode cannot encode, is small and digested as JSON. Every field is
    /// named here, so a field added to the report cannot be left out.
    pub(crate) fn digest(&self) -> Option<[u8; 32]> {
        let JsonReport {
            schema_version,
            tool,
            tool_version,
            units,
            diagnostics,
            summary,
        } = self;
        // Streamed into the hasher: at 50 times the corpus the encoded report is 54 MB, and
        // held whole it was the build's peak. Through a buffer, since bincode writes each
        // value on its own and BLAKE3 pays per update: the same bytes, a quarter of the cost.
        let mut hasher = blake3::Hasher::new();
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut hasher);
        bincode::serialize_into(
            &mut buffered,
            &(schema_version, tool, tool_version, units, diagnostics),
        )
        .ok()?;
        serde_json::to_writer(&mut buffered, summary).ok()?;
        std::io::Write::flush(&mut buffered).ok()?;
        drop(buffered);
        Some(*hasher.finalize().as_bytes())
    }
}

/// The pretty JSON of the one value inside `nested`, `depth` arrays of one element, as it
/// is written at that depth of a document: the arrays' own brackets, line breaks and indents
/// are cut off, so no line of the value needs to be indented again.
fn pretty_at_depth(nested: &impl Serialize, depth: usize) -> serde_json::Result<String> {
    let mut text = serde_json::to_string_pretty(nested)?;
    // Opened: `[` and a line break, then the next depth's indent, `depth` times; closed: a
    // line break, the indent of the depth outside, `]`, `depth` times.
    let opened: usize = (1..=depth).map(|d| 2 + 2 * d).sum();
    let closed: usize = (0..depth).map(|d| 2 + 2 * d).sum();
    let bytes = text.as_bytes();
    let whole = bytes.len() >= opened + closed
        && bytes[..opened].iter().all(|&b| matches!(b, b'[' | b'\n' | b' '))
        && bytes[bytes.len() - closed..]
            .iter()
            .all(|&b| matches!(b, b']' | b'\n' | b' '));
    if !whole {
        return Err(serde::ser::Error::custom("not one value nested in arrays"));
    }
    text.truncate(text.len() - closed);
    text.drain(..opened);
    Ok(text)
}

// ---------------------------------------------------------------------------------------
// github

/// One GitHub Actions workflow command per diagnostic and finding:
/// `::error file=F,line=L,title=RULE::message`, with `::notice` for info. GitHub reads `file`
/// from the top of the repository, so a root inside it (`[site] repository_path`, as
/// `root_in_repository`) goes before each root-relative path, as in the SARIF log.
pub fn github(report: &Report, site_diagnostics: &[Diagnostic], root_in_repository: &str) -> String {
    let mut out = String::new();
    for d in report_order(report, site_diagnostics) {
        let file = d.file.as_deref().map(|file| from_top(root_in_repository, file));
        out.push_str(&github_command_at(d, file, d.line, None));
        out.push('\n');
    }
    out
}

/// A single workflow command for `d`.
pub fn github_command(d: &Diagnostic) -> String {
    github_command_at(d, d.file.as_deref().map(Cow::Borrowed), d.line, None)
}

/// A workflow command for `d` at `file` and `line` (either may differ from the finding's
/// own), with `note` after the message.
fn github_command_at(
    d: &Diagnostic,
    file: Option<Cow<str>>,
    line: Option<usize>,
    note: Option<&str>,
) -> String {
    let command = match d.level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "notice",
    };
    let mut props = Vec::with_capacity(3);
    if let Some(file) = &file {
        props.push(format!("file={}", escape_property(file)));
        if let Some(line) = line {
            props.push(format!("line={line}"));
        }
    }
    props.push(format!("title={}", escape_property(&d.code)));
    let mut message = message_with_help(d);
    if let Some(note) = note {
        message.push_str("\n\n");
        message.push_str(note);
    }
    format!("::{command} {}::{}", props.join(","), escape_data(&message))
}

/// As [`github`], for `check --changed-since`: paths from the repository's top (where the
/// pull request's files are), and a finding on a line the change touched annotated at that
/// line. A finding of a touched unit (or one a change caused) on an unchanged line is still
/// reported, and counts for the exit code, but annotated on its file alone, its line named in
/// the message, so the pull request's diff shows only what its author touched. Those on
/// changed lines come first: GitHub shows a step's first ten annotations of each level.
pub fn github_changes<'a>(
    report: &'a Report,
    site_diagnostics: &'a [Diagnostic],
    changes: &Changes,
) -> String {
    let on_changed_line = |d: &Diagnostic| match (&d.file, d.line) {
        (Some(file), Some(line)) => changes.lines(file).is_some_and(|l| l.contains(line)),
        _ => false,
    };
    let (touched, untouched): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        report_order(report, site_diagnostics).partition(|d| on_changed_line(d));
    let file = |d: &'a Diagnostic| d.file.as_deref().map(|f| from_top(&changes.prefix, f));
    let mut out = String::new();
    for d in touched {
        out.push_str(&github_command_at(d, file(d), d.line, None));
        out.push('\n');
    }
    for d in untouched {
        let note = d
            .line
            .filter(|_| d.file.is_some())
            .map(|line| format!("(at line {line}, which is unchanged since {})", changes.reference));
        out.push_str(&github_command_at(d, file(d), None, note.as_deref()));
        out.push('\n');
    }
    out
}

/// Escaping for the message part of a workflow command.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping for a property value (`file=`, `title=`), which also may not hold `:` or `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`JsonReport::text`] writes units on every core and puts them in place: its
    /// bytes must be serde_json's own pretty form, with units and without.
    #[test]
    fn json_text_is_serde_jsons_pretty_form() {
        let same = |site: &Site, report: &Report, diagnostics: &[Diagnostic]| {
            let values = json_report(site, report, diagnostics);
            let whole = serde_json::to_string_pretty(&values).expect("serialisable") + "\n";
            assert_eq!(values.text(), whole);
        };
        for fixture in ["good", "facts-rules"] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(fixture);
            let overrides = crate::config::Overrides {
                root: Some(root),
                ..Default::default()
            };
            let config = crate::config::Config::load(&overrides).expect("fixture config");
            let analysis = crate::pipeline::check(&config);
            assert!(analysis.report.units.len() > 1, "{fixture}");
            same(&analysis.site, &analysis.report, &analysis.findings);
            same(&analysis.site, &analysis.report, &[]);
            same(&analysis.site, &Report::default(), &[]);
            // Units are written 64 at a time: across a batch's end too.
            let many = Report {
                units: analysis.report.units.iter().cycle().take(70).cloned().collect(),
            };
            same(&analysis.site, &many, &analysis.findings);
        }
    }

    #[test]
    fn source_lines_are_str_lines() {
        for text in [
            "", "a", "a\n", "a\r\nb", "a\n\nb\r", "\r\n", "\n\n", "x\ry\n", "é\r\n\r",
        ] {
            let source = Source::new(text.to_owned());
            let ours: Vec<&str> = (0..source.lines.len()).filter_map(|i| source.line(i)).collect();
            assert_eq!(ours, text.lines().collect::<Vec<_>>(), "{text:?}");
        }
    }

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_data("a: b, c"), "a: b, c");
        assert_eq!(escape_property("dir/a,b:c.md"), "dir/a%2Cb%3Ac.md");
        assert_eq!(escape_property("50%\n"), "50%25%0A");
        // `%` is escaped first, so an existing `%3A` is not mistaken for an escape.
        assert_eq!(escape_property("%3A"), "%253A");
    }

    #[test]
    fn command_shapes() {
        let d = Diagnostic::error("self-assessment/missing-row", "no `SBOM` row, 100%")
            .at("projects/x/self-assessment.md", Some(12))
            .help("add it");
        assert_eq!(
            github_command(&d),
            "::error file=projects/x/self-assessment.md,line=12,title=self-assessment/missing-row::no `SBOM` row, 100%25%0A%0Ahelp: add it"
        );
        let w = Diagnostic::warning("a/b", "w").at("f,1.md", None);
        assert_eq!(github_command(&w), "::warning file=f%2C1.md,title=a/b::w");
        let i = Diagnostic::info("c:d", "note");
        assert_eq!(github_command(&i), "::notice title=c%3Ad::note");
    }
}
