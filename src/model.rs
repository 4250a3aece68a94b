//! The site as plain data. No I/O happens here: discovery and parsing fill it in, checks and
//! renderers read it. Paths are relative to the site root and always use `/`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::Diagnostic;

pub use crate::relpath::RelPath;

/// Where a fact came from, so every page and report can show its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provenance {
    /// YAML front matter at the top of a document.
    FrontMatter { file: RelPath, line: usize },
    /// The `tssa.yaml` sidecar in the project folder.
    Sidecar { file: RelPath, line: usize },
    /// Read from the text of a document (a metadata table row, a `Completed:` line, …).
    Document { file: RelPath, line: usize },
    /// Derived, e.g. the project name from the folder name.
    Inferred { reason: String },
}

impl Provenance {
    pub fn file(&self) -> Option<&str> {
        match self {
            Provenance::FrontMatter { file, .. }
            | Provenance::Sidecar { file, .. }
            | Provenance::Document { file, .. } => Some(file),
            Provenance::Inferred { .. } => None,
        }
    }
    pub fn line(&self) -> Option<usize> {
        match self {
            Provenance::FrontMatter { line, .. }
            | Provenance::Sidecar { line, .. }
            | Provenance::Document { line, .. } => Some(*line),
            Provenance::Inferred { .. } => None,
        }
    }
    /// Declared facts (front matter, sidecar) beat facts read from prose.
    pub fn rank(&self) -> u8 {
        match self {
            Provenance::FrontMatter { .. } => 3,
            Provenance::Sidecar { .. } => 2,
            Provenance::Document { .. } => 1,
            Provenance::Inferred { .. } => 0,
        }
    }
    /// `file:line`, or the reason for an inferred fact.
    pub fn describe(&self) -> String {
        match self {
            Provenance::FrontMatter { file, line } => format!("front matter, {file}:{line}"),
            Provenance::Sidecar { file, line } => format!("{file}:{line}"),
            Provenance::Document { file, line } => format!("{file}:{line}"),
            Provenance::Inferred { reason } => reason.clone(),
        }
    }
}

/// One fact about a package. `value` is normalised (ISO dates, lowercase stage names);
/// `raw` is the text as written, so readers can see what the normalisation started from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub value: String,
    pub raw: String,
    pub source: Provenance,
}

/// What a fact's value links to, for the views that show it as links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactLinks<'a> {
    /// The value is one URL: the link, and the name it was written with (an HTML link reads
    /// `name (URL)` as written, see `parse::facts`), when it has one.
    pub href: Option<&'a str>,
    pub name: Option<&'a str>,
    /// The value is several URLs (`repo, website`): each its own link.
    pub several: Vec<&'a str>,
}

impl Fact {
    /// How the value links: one URL (named or not), several, or none.
    pub fn links(&self) -> FactLinks<'_> {
        let href = is_url(&self.value).then_some(self.value.as_str());
        let name = href
            .and_then(|url| self.raw.strip_suffix(')')?.strip_suffix(url)?.strip_suffix(" ("))
            .filter(|name| !name.is_empty());
        let parts: Vec<&str> = self.value.split(", ").collect();
        let several = if parts.len() > 1 && parts.iter().all(|p| is_url(p)) {
            parts
        } else {
            Vec::new()
        };
        FactLinks { href, name, several }
    }
}

/// An `http(s)://` URL with no spaces: a value that is a link, not text that mentions one.
pub fn is_url(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://")) && !text.contains(char::is_whitespace)
}

/// The facts tssa knows about a package. The serialised names are part of the JSON schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKey {
    ProjectName,
    CncfMaturity,
    /// `self` or `joint`.
    AssessmentPath,
    /// Document status: `draft`, `incomplete`, `in-progress`, `complete`, `obsolete`, `paused`.
    Status,
    /// `tssa-2019`, `tssa-2021` or `tssa-2024-11`.
    Ruleset,
    VersionCovered,
    LatestRelease,
    /// ISO 8601, possibly reduced precision (`2019-05`).
    Completed,
    /// Self-assessment metadata rows.
    Software,
    SecurityProvider,
    Languages,
    Sbom,
    Website,
    /// Summary lines. The TAG security reviewers of a joint assessment (what B3 counts).
    SecurityReviewers,
    /// A self-assessment's own `Security reviewers:` line: who reviewed the document (often
    /// the project's maintainers), not the TAG team.
    DocumentReviewers,
    /// A self-assessment's `Primary Authors:` / `Authors:` line.
    DocumentAuthors,
    ProjectSecurityLead,
    ProjectLead,
    ProjectTeam,
    SourceCode,
    TrackingIssue,
    PresentationIssue,
    PresentationDate,
    PresentationRecording,
    PresentationSlides,
    SurveyStatus,
}

impl FactKey {
    pub const ALL: [FactKey; 26] = [
        FactKey::ProjectName,
        FactKey::CncfMaturity,
        FactKey::AssessmentPath,
        FactKey::Status,
        FactKey::Ruleset,
        FactKey::VersionCovered,
        FactKey::LatestRelease,
        FactKey::Completed,
        FactKey::Software,
        FactKey::SecurityProvider,
        FactKey::Languages,
        FactKey::Sbom,
        FactKey::Website,
        FactKey::SecurityReviewers,
        FactKey::DocumentReviewers,
        FactKey::DocumentAuthors,
        FactKey::ProjectSecurityLead,
        FactKey::ProjectLead,
        FactKey::ProjectTeam,
        FactKey::SourceCode,
        FactKey::TrackingIssue,
        FactKey::PresentationIssue,
        FactKey::PresentationDate,
        FactKey::PresentationRecording,
        FactKey::PresentationSlides,
        FactKey::SurveyStatus,
    ];

    /// The name used in JSON and in front matter diagnostics.
    pub fn name(self) -> &'static str {
        match self {
            FactKey::ProjectName => "project_name",
            FactKey::CncfMaturity => "cncf_maturity",
            FactKey::AssessmentPath => "assessment_path",
            FactKey::Status => "status",
            FactKey::Ruleset => "ruleset",
            FactKey::VersionCovered => "version_covered",
            FactKey::LatestRelease => "latest_release",
            FactKey::Completed => "completed",
            FactKey::Software => "software",
            FactKey::SecurityProvider => "security_provider",
            FactKey::Languages => "languages",
            FactKey::Sbom => "sbom",
            FactKey::Website => "website",
            FactKey::SecurityReviewers => "security_reviewers",
            FactKey::DocumentReviewers => "document_reviewers",
            FactKey::DocumentAuthors => "document_authors",
            FactKey::ProjectSecurityLead => "project_security_lead",
            FactKey::ProjectLead => "project_lead",
            FactKey::ProjectTeam => "project_team",
            FactKey::SourceCode => "source_code",
            FactKey::TrackingIssue => "tracking_issue",
            FactKey::PresentationIssue => "presentation_issue",
            FactKey::PresentationDate => "presentation_date",
            FactKey::PresentationRecording => "presentation_recording",
            FactKey::PresentationSlides => "presentation_slides",
            FactKey::SurveyStatus => "survey_status",
        }
    }

    /// A human label for pages.
    pub fn label(self) -> &'static str {
        match self {
            FactKey::ProjectName => "Project",
            FactKey::CncfMaturity => "CNCF maturity",
            FactKey::AssessmentPath => "Assessment path",
            FactKey::Status => "Document status",
            FactKey::Ruleset => "Rule set",
            FactKey::VersionCovered => "Version covered",
            FactKey::LatestRelease => "Latest release",
            FactKey::Completed => "Completed",
            FactKey::Software => "Software",
            FactKey::SecurityProvider => "Security provider",
            FactKey::Languages => "Languages",
            FactKey::Sbom => "SBOM",
            FactKey::Website => "Website",
            FactKey::SecurityReviewers => "Security reviewers",
            FactKey::DocumentReviewers => "Self-assessment reviewers",
            FactKey::DocumentAuthors => "Self-assessment authors",
            FactKey::ProjectSecurityLead => "Project security lead",
            FactKey::ProjectLead => "Project lead",
            FactKey::ProjectTeam => "Project team",
            FactKey::SourceCode => "Source code",
            FactKey::TrackingIssue => "Tracking issue",
            FactKey::PresentationIssue => "Presentation issue",
            FactKey::PresentationDate => "Presentation date",
            FactKey::PresentationRecording => "Presentation recording",
            FactKey::PresentationSlides => "Presentation slides",
            FactKey::SurveyStatus => "Survey",
        }
    }
}

/// What a yes/no/link fact says, judged from its text after reading: an SBOM cell that says
/// "not generated, see <issue>" is no SBOM, and its link only a reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum FactValue {
    Yes,
    No,
    Link { url: String },
    None { references: Vec<String> },
    Text,
}

/// Phrases by which an SBOM cell says there is none.
const NONE_PHRASES: &[&str] = &[
    "not generated",
    "not produced",
    "not being generated",
    "not publicly available",
    "not automatically generated",
    "not currently generate",
    "not currently produce",
    "does not generate",
    "does not produce",
    "none generated",
    "no sbom",
];

impl FactValue {
    /// Classifies `fact` (its normalised value and the text as written) for `key`.
    pub fn of(key: FactKey, fact: &Fact) -> FactValue {
        let lower = fact.raw.to_lowercase();
        match key {
            FactKey::SecurityProvider => match fact.value.as_str() {
                "yes" => FactValue::Yes,
                "no" => FactValue::No,
                _ if lower.contains("not a security provider") => FactValue::No,
                _ if lower.contains("is a security provider") => FactValue::Yes,
                _ => FactValue::Text,
            },
            FactKey::Sbom if is_none(&lower) => FactValue::None {
                references: urls_in(&fact.raw),
            },
            FactKey::Sbom | FactKey::Software | FactKey::Website | FactKey::SourceCode => {
                match fact.value.split(", ").next() {
                    Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                        FactValue::Link { url: url.to_owned() }
                    }
                    _ => FactValue::Text,
                }
            }
            _ => FactValue::Text,
        }
    }

    /// The normalised value a classified fact shows, when the class decides it.
    pub fn normal(&self) -> Option<&'static str> {
        match self {
            FactValue::Yes => Some("yes"),
            FactValue::No => Some("no"),
            FactValue::None { .. } => Some("none"),
            FactValue::Link { .. } | FactValue::Text => None,
        }
    }
}

fn is_none(lower: &str) -> bool {
    let bare = lower.trim().trim_end_matches('.');
    matches!(bare, "none" | "n/a" | "no" | "not applicable") || NONE_PHRASES.iter().any(|p| lower.contains(p))
}

/// Every `http(s)://` URL in the text, in order, once each (Markdown, HTML or bare).
fn urls_in(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("http") {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '<' | '>' | ']' | '|'))
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',']);
        if (url.starts_with("https://") || url.starts_with("http://")) && !found.iter().any(|u| u == url) {
            found.push(url.to_owned());
        }
        rest = &tail[end.max(4)..];
    }
    found
}

/// Facts by key; one value per key once merged (the best-ranked source wins).
pub type Facts = BTreeMap<FactKey, Fact>;

/// What a document is, judged by its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocKind {
    SelfAssessment,
    /// `joint-assessment.md`, or the legacy `joint-review.md`.
    JointAssessment,
    /// The unit's `README.md`: the final summary of a joint assessment.
    Summary,
    ThreatModel,
    Recommendations,
    /// A process page (guide, intake, templates).
    Process,
    Other,
}

impl DocKind {
    pub fn label(self) -> &'static str {
        match self {
            DocKind::SelfAssessment => "Self-assessment",
            DocKind::JointAssessment => "Joint assessment",
            DocKind::Summary => "Summary (README)",
            DocKind::ThreatModel => "Threat model",
            DocKind::Recommendations => "Recommendations",
            DocKind::Process => "Process document",
            DocKind::Other => "Document",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Heading {
    pub level: u8,
    /// Plain text of the heading (markup stripped).
    pub text: String,
    /// The anchor id, computed as GitHub computes it (unique within the document).
    pub id: String,
    /// 1-based line in the source file.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LinkRef {
    /// The destination as written.
    pub dest: String,
    pub line: usize,
    pub image: bool,
}

/// The result of reading a document's Markdown once: its outline and its links.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outline {
    /// First real heading (BOM and HTML comments skipped), if any.
    pub title: Option<String>,
    pub headings: Vec<Heading>,
    /// Links and images, in Markdown and in raw HTML (`href`, `src`).
    pub links: Vec<LinkRef>,
    /// Whether the document has fenced or indented code (so syntect is loaded only when needed).
    pub has_code: bool,
    /// Bytes of source inside code blocks: highlighting them costs ~30 times what the same
    /// bytes of prose cost, so the analysis starts code-heavy documents first.
    #[serde(skip)]
    pub code_bytes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub kind: DocKind,
    /// Path from the site root.
    pub source: RelPath,
    /// Path within its unit (or process) folder.
    pub rel: RelPath,
    /// Output path of the rendered page, relative to the site root (`projects/x/README.html`).
    pub url: RelPath,
    pub title: String,
    /// The Markdown after front matter: BOM removed, line endings normalised to `\n`.
    #[serde(skip)]
    pub body: String,
    /// 1-based line of the file where `body` starts (after front matter).
    pub body_line: usize,
    pub outline: Outline,
    /// What a reader of `body` sees (HTML comments and fenced code left out), found once
    /// when the document is parsed; `None` for a document made by hand, whose visible lines
    /// are found when asked for.
    #[serde(skip)]
    pub hidden: Option<Visibility>,
    /// Facts read from this document (front matter and text).
    pub facts: Facts,
    /// The BLAKE3 digest of the file `body` was read from, when the load knew it (through
    /// the parse cache, which trusts an unchanged file's recorded digest): the build cache
    /// compares it instead of the body's bytes.
    #[serde(skip)]
    pub origin: Option<[u8; 32]>,
}

impl Document {
    /// The body's lines outside comments and fenced code, with their file line numbers.
    pub fn visible_lines(&self) -> Vec<(usize, std::borrow::Cow<'_, str>)> {
        self.visible().collect()
    }

    /// [`Document::visible_lines`] one at a time, for a reader that stops at the first match.
    pub fn visible(&self) -> Box<dyn Iterator<Item = (usize, std::borrow::Cow<'_, str>)> + '_> {
        match &self.hidden {
            Some(visibility) => Box::new(
                visibility
                    .lines(&self.body)
                    .map(|(line, text)| (line, std::borrow::Cow::Borrowed(text))),
            ),
            None => Box::new(crate::markdown::visible::visible_lines(&self.body, self.body_line).into_iter()),
        }
    }
}

/// A body's hidden byte ranges (HTML comments, fenced code) and the lines left visible, found
/// once per document: facts, checks and coverage each read the visible lines several times,
/// and splitting the body again for each was a tenth of `tssa check`.
/// Serialised only by the parse cache (`load/stored.rs`), never shown.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Visibility {
    /// Byte ranges of the body that are no one's text, in order.
    pub hidden: Vec<std::ops::Range<usize>>,
    /// File line and text of every line with visible text, packed (`packed_lines`): a few
    /// bytes a line where a vector of lines took 32 (at 50 times the corpus, 39 MB of the
    /// heap at its peak), read as they are packed, and stored so in the parse cache.
    #[serde(with = "packed_lines")]
    lines: Box<[u8]>,
    /// What `check` and coverage read from these lines alone, for the documents they read
    /// it from (see [`Readings`]); boxed, so a document without it costs one pointer.
    pub readings: Option<Box<Readings>>,
}

/// A document's first visible `Version covered: …` line or row (`parse/labels.rs`): file
/// line and value as written, or `None` when it has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct VersionLine(pub Option<(usize, String)>);

/// What `check` and coverage read from an assessment's visible text alone (self-assessments,
/// joint assessments and summaries): found once, when the document is parsed, and kept with
/// the parse (in the parse cache), so a warm run only reads the answers. Nothing here
/// depends on another file or on the configuration.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Readings {
    /// Leftover template text (`parse/template.rs`).
    pub template: TemplateHits,
    /// The headings as `check` compares them (`parse/heads.rs`).
    pub heads: Heads,
    /// The first version line (`parse/labels.rs`).
    pub version_line: VersionLine,
    /// The SBOM table rows, where coverage looks for a pinned release (`parse/labels.rs`).
    pub sbom_rows: Vec<(usize, String)>,
}

/// A document's headings in `check`'s comparison form (`parse/heads.rs`).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Heads {
    /// Real headings in document order.
    pub headings: Vec<Head>,
    /// Bold lines and bold-led bullets standing in for sub-sections, at level 7.
    pub pseudo: Vec<Head>,
}

/// A heading, or bold text used as one.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Head {
    pub level: u8,
    /// Lowercase, marks dropped, numbering and trailing punctuation removed
    /// (`parse::heads::normalise`).
    pub norm: String,
    pub text: String,
    pub line: usize,
}

/// Where leftover template text shows in a document's visible lines: for each pattern of
/// `parse/template.rs`, in its order, the file line of the first occurrence (0 if none) and
/// how many times it occurs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TemplateHits(pub Vec<(usize, usize)>);

/// Visible lines packed into one run of bytes, each line a few varints: the line as a
/// difference from the line before (zigzag, so any order packs) shifted left by one, its low
/// bit set for a cut line; then for a span of the body its start as a difference from the end
/// of the span before (zigzag) and its length, for a cut line (the text left when a comment is
/// cut out of it) the text's length and the text. The parse cache stores the bytes as they
/// are, and they are read as they lie, never unpacked whole.
mod packed_lines {
    use std::ops::Range;

    use serde::Serializer;
    use serde::de::{Deserializer, Error, Visitor};

    /// A visible line: a span of the body, or the text left when a comment is cut out of it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(super) enum Piece<'a> {
        Span(Range<usize>),
        Cut(&'a str),
    }

    /// Packs lines one at a time.
    #[derive(Default)]
    pub(super) struct Packer {
        out: Vec<u8>,
        count: u64,
        line: usize,
        end: usize,
    }

    impl Packer {
        pub(super) fn push(&mut self, line: usize, piece: Piece<'_>) {
            let step = zigzag(line as i64 - self.line as i64);
            self.line = line;
            self.count += 1;
            match piece {
                Piece::Span(range) => {
                    put(&mut self.out, step << 1);
                    put(&mut self.out, zigzag(range.start as i64 - self.end as i64));
                    put(&mut self.out, (range.end.saturating_sub(range.start)) as u64);
                    self.end = range.end.max(range.start);
                }
                Piece::Cut(kept) => {
                    put(&mut self.out, step << 1 | 1);
                    put(&mut self.out, kept.len() as u64);
                    self.out.extend_from_slice(kept.as_bytes());
                }
            }
        }

        /// The lines behind their count (a reader collecting them allocates once).
        pub(super) fn finish(self) -> Box<[u8]> {
            let mut packed = Vec::with_capacity(self.out.len() + 4);
            put(&mut packed, self.count);
            packed.extend_from_slice(&self.out);
            packed.into_boxed_slice()
        }
    }

    /// The lines of packed bytes, in order. Bytes read back from the parse cache are taken as
    /// they are (its file's checksum vouches for them; checking every line again on reading
    /// was 0.6 % of a warm 50x build): damaged bytes end the lines early, never panic, and a
    /// damaged number reads as a span out of the body, which reads as nothing.
    pub(super) struct Unpacked<'a> {
        bytes: &'a [u8],
        left: usize,
        line: usize,
        end: usize,
    }

    impl<'a> Unpacked<'a> {
        pub(super) fn new(mut bytes: &'a [u8]) -> Self {
            // Every line takes two bytes at least, so a damaged count cannot promise more
            // lines than the bytes hold (a reader collecting them allocates by that promise).
            let left = take(&mut bytes).map_or(0, |n| n.min(bytes.len() as u64 / 2) as usize);
            Unpacked {
                bytes,
                left,
                line: 0,
                end: 0,
            }
        }

        /// The next line, `None` when it is damaged.
        #[inline(always)]
        fn step(&mut self) -> Option<(usize, Piece<'a>)> {
            let head = take(&mut self.bytes)?;
            self.line = self.line.wrapping_add(unzigzag(head >> 1) as usize);
            let piece = if head & 1 == 0 {
                let start = self.end.wrapping_add(unzigzag(take(&mut self.bytes)?) as usize);
                self.end = start.wrapping_add(take(&mut self.bytes)? as usize);
                Piece::Span(start..self.end)
            } else {
                let len = take(&mut self.bytes)? as usize;
                let (kept, rest) = self.bytes.split_at_checked(len)?;
                self.bytes = rest;
                Piece::Cut(std::str::from_utf8(kept).ok()?)
            };
            Some((self.line, piece))
        }
    }

    impl<'a> Iterator for Unpacked<'a> {
        type Item = (usize, Piece<'a>);

        fn next(&mut self) -> Option<Self::Item> {
            if self.left == 0 {
                return None;
            }
            self.left -= 1;
            let next = self.step();
            if next.is_none() {
                self.left = 0;
            }
            next
        }

        fn size_hint(&self) -> (usize, Option<usize>) {
            (self.left, Some(self.left))
        }
    }

    pub fn serialize<S: Serializer>(lines: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(lines)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Box<[u8]>, D::Error> {
        deserializer.deserialize_bytes(Packed)
    }

    struct Packed;

    impl Visitor<'_> for Packed {
        type Value = Box<[u8]>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("packed visible lines")
        }

        fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<Box<[u8]>, E> {
            Ok(bytes.into())
        }
    }

    fn put(out: &mut Vec<u8>, mut n: u64) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    /// The next varint; most are one byte (a line step, a start next to the end before).
    #[inline(always)]
    fn take(bytes: &mut &[u8]) -> Option<u64> {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        if b < 0x80 {
            return Some(u64::from(b));
        }
        take_rest(u64::from(b & 0x7f), bytes)
    }

    fn take_rest(mut n: u64, bytes: &mut &[u8]) -> Option<u64> {
        let mut shift = 7;
        while shift < 64 {
            let (&b, rest) = bytes.split_first()?;
            *bytes = rest;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(n);
            }
            shift += 7;
        }
        None
    }

    fn zigzag(n: i64) -> u64 {
        ((n << 1) ^ (n >> 63)) as u64
    }

    fn unzigzag(n: u64) -> i64 {
        ((n >> 1) as i64) ^ -((n & 1) as i64)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn lines_come_back_as_they_were_packed_and_damage_never_panics() {
            let lines = [
                (1, Piece::Span(0..5)),
                (2, Piece::Cut("a é b")),
                (2, Piece::Span(9..9)),
                (300, Piece::Span(4..70_000)),
                (301, Piece::Cut("")),
                (7, Piece::Span(3..4)),
            ];
            let mut packer = Packer::default();
            for (line, piece) in lines.clone() {
                packer.push(line, piece);
            }
            let packed = packer.finish();
            assert_eq!(Unpacked::new(&packed).collect::<Vec<_>>(), lines);
            assert_eq!(
                Unpacked::new(&packed).size_hint(),
                (lines.len(), Some(lines.len()))
            );
            let encoded = bincode::serialize(&Wrapper(packed.clone())).expect("encode");
            let decoded: Wrapper = bincode::deserialize(&encoded).expect("decode");
            assert_eq!(Unpacked::new(&decoded.0).collect::<Vec<_>>(), lines);
            // Cut short anywhere, or any byte changed to any value: fewer lines or other
            // numbers, never a panic or more lines than it says.
            for end in 0..packed.len() {
                assert!(Unpacked::new(&packed[..end]).count() <= lines.len());
            }
            // A count that promises more lines than the bytes can hold is not believed.
            let mut boasting = Vec::new();
            put(&mut boasting, u64::MAX);
            boasting.extend_from_slice(&packed[1..]);
            assert!(Unpacked::new(&boasting).size_hint().0 <= boasting.len());
            assert!(Unpacked::new(&boasting).collect::<Vec<_>>().len() <= lines.len());
            for at in 0..packed.len() {
                for value in 0..=255 {
                    let mut bad = packed.to_vec();
                    bad[at] = value;
                    let said = Unpacked::new(&bad).size_hint().0;
                    assert!(Unpacked::new(&bad).count() <= said);
                }
            }
        }

        #[test]
        fn a_documents_visible_lines_read_back_from_the_parse_cache_as_found() {
            let long = "é".repeat(100);
            let body = format!(
                "# Title\n\n| **Reviewers** <!-- who --> | Zoë {long} |\n\n```\ncode\n```\n\nafter <!-- a\nb --> end\n"
            );
            let visibility =
                crate::parse::parse_document("x.md", body.as_bytes(), crate::model::DocKind::Other)
                    .hidden
                    .expect("visibility");
            let found: Vec<(usize, String)> =
                visibility.lines(&body).map(|(l, t)| (l, t.to_owned())).collect();
            assert!(
                found.iter().any(|(_, t)| t.contains("Zoë") && !t.contains("who")),
                "{found:?}"
            );
            let encoded = bincode::serialize(&visibility).expect("encode");
            let decoded: crate::model::Visibility = bincode::deserialize(&encoded).expect("decode");
            let read: Vec<(usize, String)> = decoded.lines(&body).map(|(l, t)| (l, t.to_owned())).collect();
            assert_eq!(read, found);
        }

        #[derive(serde::Serialize, serde::Deserialize)]
        struct Wrapper(#[serde(with = "super")] Box<[u8]>);
    }
}

impl Visibility {
    /// `body`'s visible lines given its `hidden` ranges; `first_line` is the file line of the
    /// body's first line.
    pub fn new(body: &str, first_line: usize, hidden: Vec<std::ops::Range<usize>>) -> Self {
        use std::borrow::Cow;
        let start = body.as_ptr() as usize;
        let mut lines = packed_lines::Packer::default();
        for (line, text) in crate::markdown::visible::visible_lines_in(body, first_line, &hidden) {
            let piece = match &text {
                // A borrowed line is a slice of `body`: keep where it is, not a copy.
                Cow::Borrowed(slice) => {
                    let at = slice.as_ptr() as usize - start;
                    packed_lines::Piece::Span(at..at + slice.len())
                }
                Cow::Owned(kept) => packed_lines::Piece::Cut(kept),
            };
            lines.push(line, piece);
        }
        Visibility {
            hidden,
            lines: lines.finish(),
            readings: None,
        }
    }

    /// The visible lines of `body` (the body this was made from).
    pub fn lines<'a>(&'a self, body: &'a str) -> impl Iterator<Item = (usize, &'a str)> + 'a {
        packed_lines::Unpacked::new(&self.lines).map(move |(line, piece)| {
            let text = match piece {
                packed_lines::Piece::Span(range) => body.get(range).unwrap_or_default(),
                packed_lines::Piece::Cut(kept) => kept,
            };
            (line, text)
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Asset {
    pub source: RelPath,
    /// Output path relative to the site root.
    pub url: RelPath,
    pub size: u64,
    /// Width and height, for an image whose header says (read when loading, so render, which
    /// does no I/O, can give `<img>` its size).
    pub dimensions: Option<(u32, u32)>,
}

/// Conflict-of-interest answers (the hard and soft tables of the process).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardConflicts {
    pub maintainer: Option<bool>,
    pub direct_report: Option<bool>,
    pub paid_to_work_on_project: Option<bool>,
    pub significant_financial_interest: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoftConflicts {
    pub same_organization: Option<bool>,
    pub uses_project: Option<bool>,
    pub contributed: Option<bool>,
    pub personal_stake: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conflicts {
    /// Link to the reviewer's statement (an issue comment).
    pub statement: Option<String>,
    pub hard: Option<HardConflicts>,
    pub soft: Option<SoftConflicts>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Who decided (facilitator, chairs).
    #[serde(default)]
    pub decided_by: Vec<String>,
    /// `proceed`, `ineligible` or `waived`.
    pub outcome: Option<String>,
    pub justification: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reviewer {
    pub name: Option<String>,
    pub github: Option<String>,
    /// `lead` or `reviewer`.
    pub role: Option<String>,
    pub conflicts: Option<Conflicts>,
    pub escalation: Option<Escalation>,
    /// Line of this reviewer's entry, for diagnostics.
    #[serde(skip)]
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exemption {
    /// Checklist item id (`A2`, `B10`) or rule id.
    pub item: String,
    pub reason: String,
    pub source: Provenance,
}

/// Structured package data that only front matter or a sidecar can declare.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PackageMeta {
    pub reviewers: Vec<Reviewer>,
    /// Where `reviewers` was declared.
    pub reviewers_source: Option<Provenance>,
    pub co_chair_approvals: Vec<String>,
    pub exemptions: Vec<Exemption>,
}

/// One project unit: a folder under the projects root holding a TSSA package
/// (`fluentd/fluent-bit` is a unit inside the group folder `fluentd`).
#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    /// URL-safe, lowercase, `/`-separated for nested units. Unique in the site.
    pub slug: String,
    /// Display name: front matter, else the folder name.
    pub name: String,
    /// Source folder from the site root.
    pub dir: RelPath,
    pub documents: Vec<Document>,
    pub assets: Vec<Asset>,
    /// Merged facts (front matter > sidecar > documents).
    pub facts: Facts,
    pub meta: PackageMeta,
}

impl Unit {
    pub fn document(&self, kind: DocKind) -> Option<&Document> {
        self.documents.iter().find(|d| d.kind == kind)
    }
    pub fn fact(&self, key: FactKey) -> Option<&Fact> {
        self.facts.get(&key)
    }

    /// `self` or `joint`: as declared, else joint when the folder holds a joint assessment or
    /// a README that reads as a final summary (a completion date or reviewers), since a README
    /// alone is often just a placeholder (`fluentd/fluent-bit`).
    pub fn assessment_path(&self) -> &'static str {
        match self.fact(FactKey::AssessmentPath).map(|f| f.value.as_str()) {
            Some("joint") => return "joint",
            Some("self") => return "self",
            _ => {}
        }
        let summary_like = |doc: &Document| {
            doc.kind == DocKind::Summary
                && (doc.facts.contains_key(&FactKey::Completed)
                    || doc.facts.contains_key(&FactKey::SecurityReviewers))
        };
        if self
            .documents
            .iter()
            .any(|d| d.kind == DocKind::JointAssessment || summary_like(d))
        {
            "joint"
        } else {
            "self"
        }
    }
}

/// Everything the renderers and checks need.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub title: String,
    pub description: String,
    pub units: Vec<Unit>,
    /// Process docs (the guide, intake, templates), in navigation order.
    pub process: Vec<Document>,
    /// `projects/README.md` and other documents that belong to no unit.
    pub pages: Vec<Document>,
    /// Files outside any unit that documents link to (PDFs beside the guide, …).
    pub files: Vec<Asset>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Site {
    /// Every document of the site: the units', then the process docs, then plain pages.
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.units
            .iter()
            .flat_map(|u| u.documents.iter())
            .chain(&self.process)
            .chain(&self.pages)
    }

    /// [`Site::documents`], to change them.
    pub fn documents_mut(&mut self) -> impl Iterator<Item = &mut Document> {
        self.units
            .iter_mut()
            .flat_map(|u| u.documents.iter_mut())
            .chain(&mut self.process)
            .chain(&mut self.pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(value: &str, raw: &str) -> Fact {
        Fact {
            value: value.to_owned(),
            raw: raw.to_owned(),
            source: Provenance::Inferred {
                reason: String::new(),
            },
        }
    }

    #[test]
    fn a_fact_links_by_its_value_named_as_written() {
        let url = "https://example.org/quill";
        let named = fact(url, "Quill repository (https://example.org/quill)");
        assert_eq!(named.links().href, Some(url));
        assert_eq!(named.links().name, Some("Quill repository"));
        let bare = fact(url, url);
        assert_eq!((bare.links().href, bare.links().name), (Some(url), None));
        let two = fact("https://a.example, https://b.example", "repo, site");
        assert_eq!(two.links().several, ["https://a.example", "https://b.example"]);
        assert_eq!(two.links().href, None);
        let text = fact("see https://a.example", "see https://a.example");
        assert_eq!(
            text.links(),
            FactLinks {
                href: None,
                name: None,
                several: Vec::new()
            }
        );
    }
}
