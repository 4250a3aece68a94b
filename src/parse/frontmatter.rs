//! YAML front matter and `tssa.yaml` sidecars: one typed schema, strict about unknown keys.
//!
//! Front matter is a YAML block at the very top of a Markdown file, between a `---` line and
//! a closing `---` (or `...`) line. A `tssa.yaml` file in a project folder holds the same keys
//! on its own. Every key is optional; declared values beat anything read from the prose.
//!
//! ```yaml
//! project: Example Project        # display name
//! cncf_maturity: incubating       # sandbox | incubating | graduated | archived | non-cncf
//! path: joint                     # self | joint
//! status: complete                # draft | incomplete | in-progress | complete | obsolete | paused
//! ruleset: tssa-2021              # tssa-2019 | tssa-2021 | tssa-2024-11
//! version_covered: v1.2.3         # release, tag or commit the assessment covered
//! latest_release: v1.4.0
//! completed: 2025-01-29           # ISO date: YYYY-MM-DD or YYYY-MM
//! project_lead: Jane Doe (@jane)
//! project_security_lead: Sam Roe (@sroe)
//! tracking_issue: https://github.com/cncf/tag-security/issues/1
//! presentation:
//!   issue: https://github.com/cncf/tag-security/issues/2
//!   date: 2025-01-15              # ISO date
//!   recording: https://www.youtube.com/watch?v=XXXX
//!   slides: slides.pdf            # a URL or a file in the project folder
//! reviewers:
//!   - name: Jane Doe
//!     github: janedoe
//!     role: lead                  # lead | reviewer
//!     conflicts:
//!       statement: https://github.com/cncf/tag-security/issues/1#issuecomment-1
//!       hard: {maintainer: false, direct_report: false, paid_to_work_on_project: false, significant_financial_interest: false}
//!       soft: {same_organization: false, uses_project: true, contributed: false, personal_stake: false}
//!     escalation:                 # needed for a hard conflict or two or more soft ones
//!       decided_by: [facilitator-handle, chair-handle]
//!       outcome: proceed          # proceed | ineligible | waived
//!       justification: https://github.com/cncf/tag-security/issues/1#issuecomment-2
//! survey: in-folder               # not-done | in-folder | shared-privately
//! co_chair_approvals: [chair-handle]
//! exemptions:                     # checklist items (A2, B10) or rule ids that do not apply
//!   - item: B10
//!     reason: Survey shared privately with the facilitator.
//! ```
//!
//! Details worth knowing:
//!
//! * Allowed values (`status`, `path`, …) are matched case-insensitively and stored in
//!   lowercase; the value as written is kept as the fact's `raw`.
//! * Text values may be YAML numbers: `version_covered: 1.10` is the text `1.10`, as written.
//! * An empty value (`completed:`) means "not declared"; it is not an error.
//! * GitHub handles (`github`, `decided_by`, `co_chair_approvals`) may be written with or
//!   without `@`; the `@` is dropped.
//! * `reviewers` also yields the `security_reviewers` fact: the names joined with `, `.
//!
//! Every problem is reported, each at its own file line: YAML syntax (`front-matter/syntax`),
//! unknown keys (`front-matter/unknown-key`), wrong types (`front-matter/type`), values outside
//! the allowed set or malformed URLs (`front-matter/value`), impossible dates
//! (`front-matter/date`), repeated keys (`front-matter/duplicate-key`) and missing required
//! keys inside list items (`front-matter/missing-key`). Keys that are valid still yield facts
//! when a sibling is not, and a syntax error in one top-level entry does not hide the others.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, MessageFormatter, Spanned};

use crate::diagnostic::Diagnostic;
use crate::model::{
    Conflicts, Escalation, Exemption, Fact, FactKey, Facts, HardConflicts, PackageMeta, Provenance, Reviewer,
    SoftConflicts,
};
use crate::parse::dates;

/// A front matter block found at the top of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block<'a> {
    /// The YAML between the `---` fences.
    pub yaml: &'a str,
    /// 1-based line of the first YAML line in the file.
    pub yaml_line: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// 1-based line of the first body line.
    pub body_line: usize,
}

/// The typed result of reading a YAML block.
#[derive(Debug, Default)]
pub struct FrontMatter {
    pub facts: Facts,
    pub meta: PackageMeta,
    pub diagnostics: Vec<Diagnostic>,
}

/// The top-level keys, in schema order (used for suggestions and help text).
pub const KEYS: [&str; 16] = [
    "project",
    "cncf_maturity",
    "path",
    "status",
    "ruleset",
    "version_covered",
    "latest_release",
    "completed",
    "project_lead",
    "project_security_lead",
    "tracking_issue",
    "presentation",
    "reviewers",
    "survey",
    "co_chair_approvals",
    "exemptions",
];

pub const CNCF_MATURITIES: [&str; 5] = ["sandbox", "incubating", "graduated", "archived", "non-cncf"];
pub const PATHS: [&str; 2] = ["self", "joint"];
pub const STATUSES: [&str; 6] = [
    "draft",
    "incomplete",
    "in-progress",
    "complete",
    "obsolete",
    "paused",
];
pub const RULESETS: [&str; 3] = ["tssa-2019", "tssa-2021", "tssa-2024-11"];
pub const SURVEY_STATUSES: [&str; 3] = ["not-done", "in-folder", "shared-privately"];
pub const REVIEWER_ROLES: [&str; 2] = ["lead", "reviewer"];
pub const ESCALATION_OUTCOMES: [&str; 3] = ["proceed", "ineligible", "waived"];

const PRESENTATION_KEYS: [&str; 4] = ["issue", "date", "recording", "slides"];
const REVIEWER_KEYS: [&str; 5] = ["name", "github", "role", "conflicts", "escalation"];
const CONFLICT_KEYS: [&str; 3] = ["statement", "hard", "soft"];
const HARD_KEYS: [&str; 4] = [
    "maintainer",
    "direct_report",
    "paid_to_work_on_project",
    "significant_financial_interest",
];
const SOFT_KEYS: [&str; 4] = [
    "same_organization",
    "uses_project",
    "contributed",
    "personal_stake",
];
const ESCALATION_KEYS: [&str; 3] = ["decided_by", "outcome", "justification"];
const EXEMPTION_KEYS: [&str; 2] = ["item", "reason"];

/// Names people reach for that the schema spells differently.
const ALIASES: [(&str, &str); 12] = [
    ("name", "project"),
    ("project_name", "project"),
    ("title", "project"),
    ("maturity", "cncf_maturity"),
    ("track", "path"),
    ("stage", "status"),
    ("version", "version_covered"),
    ("release", "latest_release"),
    ("date", "completed"),
    ("tracking", "tracking_issue"),
    ("slides", "presentation.slides"),
    ("approvals", "co_chair_approvals"),
];

/// Front matter past this size is not front matter; refusing it keeps the parser's work bounded.
const MAX_YAML_BYTES: usize = 1 << 20;
/// One broken block should not bury every other finding.
const MAX_DIAGNOSTICS: usize = 100;
/// Reading entries one by one after a syntax error costs a parse each; past this many the
/// first error is reported alone.
const MAX_RECOVERY_CHUNKS: usize = 100;

/// Finds a front matter block. `Ok(None)`: no front matter. `Err`: an opening fence with no
/// closing one (the caller attaches file and line).
///
/// A first line of `---` is front matter when a closing `---` or `...` line follows. Without
/// one it is reported as unterminated only if the next non-blank line looks like a YAML
/// `key:` line; otherwise it is a Markdown thematic break and the document has no front matter.
pub fn split(text: &str) -> Result<Option<Block<'_>>, Diagnostic> {
    let (first, rest) = match text.split_once('\n') {
        Some((first, rest)) => (first, rest),
        None => (text, ""),
    };
    if first.trim_end() != "---" {
        return Ok(None);
    }
    let mut offset = 0;
    for (index, line) in rest.split('\n').enumerate() {
        if matches!(line.trim_end(), "---" | "...") {
            let yaml = rest.get(..offset).unwrap_or_default();
            let body = rest.get(offset + line.len() + 1..).unwrap_or_default();
            return Ok(Some(Block {
                yaml,
                yaml_line: 2,
                body,
                body_line: index + 3,
            }));
        }
        offset += line.len() + 1;
    }
    let first_content = rest
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    if looks_like_yaml_key(first_content) {
        return Err(Diagnostic::error(
            "front-matter/unterminated",
            "front matter opened with `---` on the first line is never closed",
        )
        .help("add a line with `---` after the last YAML line, or remove the opening `---`"));
    }
    Ok(None)
}

/// `key:` or `key: value` with a YAML-style key (what our schema uses), not prose like
/// `Note that: …`.
fn looks_like_yaml_key(line: &str) -> bool {
    let Some((key, after)) = line.split_once(':') else {
        return false;
    };
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && (after.is_empty() || after.starts_with([' ', '\t']))
}

/// Parses the YAML of a front matter block or sidecar. `first_line` is the file line of the
/// first YAML line; `provenance` builds the source of each fact from file and line.
pub fn parse(
    yaml: &str,
    file: &str,
    first_line: usize,
    provenance: fn(&str, usize) -> Provenance,
) -> FrontMatter {
    let mut ctx = Ctx {
        file,
        provenance,
        out: FrontMatter::default(),
    };
    let whole = Src {
        text: yaml,
        line0: first_line,
    };
    if yaml.len() > MAX_YAML_BYTES {
        ctx.error(
            "front-matter/syntax",
            first_line,
            format!(
                "the YAML block is {} KiB; tssa reads at most 1 MiB",
                yaml.len() / 1024
            ),
            "keep front matter to the package facts; move long text into the document",
        );
        return ctx.out;
    }
    let root = match load(yaml) {
        Ok(root) => root,
        Err(error) => {
            recover(&mut ctx, whole, &error);
            return ctx.finish();
        }
    };
    match root {
        None => {}
        Some(Spanned {
            value: Node::Null, ..
        }) => {}
        Some(Spanned {
            value: Node::Map(entries),
            ..
        }) => {
            let entries: Vec<(Src<'_>, Entry)> = entries.into_iter().map(|e| (whole, e)).collect();
            ctx.top_level(&entries);
        }
        Some(other) => {
            let line = whole.line(&other.referenced);
            ctx.error(
                "front-matter/type",
                line,
                format!(
                    "the YAML must be a mapping of keys to values, not {}",
                    other.value.kind()
                ),
                "write one `key: value` per line, e.g. `status: complete`",
            );
        }
    }
    ctx.finish()
}

/// A syntax error stops the YAML parser, so the block is split into its top-level entries
/// and each is read alone: the facts in the healthy entries survive, and every broken entry
/// gets its own diagnostic instead of only the first.
fn recover(ctx: &mut Ctx<'_>, whole: Src<'_>, whole_error: &serde_saphyr::Error) {
    let chunks = top_level_chunks(whole.text);
    if chunks.len() > MAX_RECOVERY_CHUNKS {
        ctx.syntax_error(whole, whole_error);
        return;
    }
    let mut entries: Vec<(Src<'_>, Entry)> = Vec::new();
    let mut reported = false;
    for (start, text) in chunks {
        let src = Src {
            text,
            line0: whole.line0 + start,
        };
        match load(text) {
            Ok(Some(Spanned {
                value: Node::Map(found),
                ..
            })) => {
                entries.extend(found.into_iter().map(|e| (src, e)));
            }
            Ok(
                None
                | Some(Spanned {
                    value: Node::Null, ..
                }),
            ) => {}
            Ok(Some(other)) => {
                reported = true;
                ctx.error(
                    "front-matter/syntax",
                    src.line(&other.referenced),
                    "this line is not a `key: value` entry".to_owned(),
                    "indent it under the key it belongs to, or turn it into `key: value`",
                );
            }
            Err(error) => {
                reported = true;
                ctx.syntax_error(src, &error);
            }
        }
    }
    if !reported {
        ctx.syntax_error(whole, whole_error);
    }
    ctx.top_level(&entries);
}

/// Top-level entries: a line that starts in column 0 with anything but a comment or a list
/// dash opens a new entry (a dash in column 0 still belongs to the key above it).
fn top_level_chunks(text: &str) -> Vec<(usize, &str)> {
    let mut chunks = Vec::new();
    let mut start_offset = 0;
    let mut start_line = 0;
    let mut offset = 0;
    for (index, line) in text.split('\n').enumerate() {
        let opens =
            !line.is_empty() && !line.starts_with([' ', '\t', '#', '-', ']', '}']) && !line.trim().is_empty();
        if opens && index > 0 && offset > start_offset {
            chunks.push((start_line, text.get(start_offset..offset).unwrap_or_default()));
            start_offset = offset;
            start_line = index;
        }
        offset += line.len() + 1;
    }
    chunks.push((start_line, text.get(start_offset..).unwrap_or_default()));
    chunks
}

fn load(yaml: &str) -> Result<Option<Spanned<Node>>, serde_saphyr::Error> {
    // Our schema nests five levels deep; a low limit keeps a hostile block from using much
    // stack in the recursive visitor. Duplicate keys are passed through so they can be
    // reported as findings instead of aborting the parse.
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: 24,
            flow_nesting_limit: 24,
            max_nodes: 100_000,
        },
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
        // Our diagnostics carry their own file and line; the rendered snippet would be
        // thrown away, and building it costs more than the parse.
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options(yaml, options)
}

/// A YAML value with the location of every node, so each finding gets its own line.
#[derive(Debug)]
enum Node {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<Entry>),
}

type Entry = (Spanned<Node>, Spanned<Node>);

impl Node {
    fn kind(&self) -> &'static str {
        match self {
            Node::Null => "an empty value",
            Node::Bool(_) => "true/false",
            Node::Int(_) | Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Node, E> {
        Ok(i128::try_from(v).map_or(Node::Float(v as f64), Node::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Node>>()? {
            let value = map.next_value::<Spanned<Node>>()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

/// The text a span indexes into, and the file line of its first line.
#[derive(Debug, Clone, Copy)]
struct Src<'a> {
    text: &'a str,
    line0: usize,
}

impl Src<'_> {
    fn line(&self, location: &Location) -> usize {
        let line = usize::try_from(location.line()).unwrap_or(0);
        self.line0 + line.saturating_sub(1)
    }
    /// The node as written, for numbers and booleans whose parsed form loses the spelling.
    fn raw(&self, location: &Location) -> Option<&str> {
        let span = location.span();
        let start = usize::try_from(span.byte_offset()?).ok()?;
        let len = usize::try_from(span.byte_len()?).ok()?;
        self.text.get(start..start.checked_add(len)?)
    }
}

struct Ctx<'a> {
    file: &'a str,
    provenance: fn(&str, usize) -> Provenance,
    out: FrontMatter,
}

/// A key of a mapping that passed the unknown/duplicate checks.
struct Field<'n> {
    name: &'static str,
    line: usize,
    value: &'n Spanned<Node>,
}

impl Ctx<'_> {
    /// Findings come out in file order, whatever order the schema walk met them in.
    fn finish(mut self) -> FrontMatter {
        self.out.diagnostics.sort_by_key(|d| d.line);
        self.out
    }

    fn error(&mut self, code: &str, line: usize, message: String, help: &str) {
        let count = self.out.diagnostics.len();
        if count < MAX_DIAGNOSTICS {
            self.out.diagnostics.push(
                Diagnostic::error(code, message)
                    .at(self.file, Some(line))
                    .help(help),
            );
        } else if count == MAX_DIAGNOSTICS {
            self.out.diagnostics.push(
                Diagnostic::error(
                    code,
                    "too many problems in this YAML block; the rest are not listed",
                )
                .at(self.file, Some(line)),
            );
        }
    }

    fn syntax_error(&mut self, src: Src<'_>, error: &serde_saphyr::Error) {
        let error = error.without_snippet();
        let line = error.location().map_or(src.line0, |l| src.line(&l));
        let message = if matches!(error, serde_saphyr::Error::Budget { .. }) {
            "the YAML is nested too deeply or is too large for tssa to read".to_owned()
        } else {
            format!(
                "YAML syntax error: {}",
                serde_saphyr::UserMessageFormatter.format_message(error)
            )
        };
        self.error(
            "front-matter/syntax",
            line,
            message,
            "check indentation and quoting on this line; values containing `: ` or starting with `[`, `{`, `*` or `&` need quotes",
        );
    }

    fn fact(&mut self, key: FactKey, value: String, raw: String, line: usize) {
        let source = (self.provenance)(self.file, line);
        self.out.facts.insert(key, Fact { value, raw, source });
    }

    /// Checks a mapping's keys against `known` and returns the known ones, first of each.
    fn fields<'n>(
        &mut self,
        src: Src<'_>,
        path: &str,
        node: &'n Spanned<Node>,
        known: &[&'static str],
    ) -> Option<Vec<Field<'n>>> {
        let entries: &[Entry] = match &node.value {
            Node::Map(entries) => entries,
            Node::Null => &[],
            other => {
                self.error(
                    "front-matter/type",
                    src.line(&node.referenced),
                    format!(
                        "`{path}` must be a mapping of keys to values, not {}",
                        other.kind()
                    ),
                    &format!(
                        "write it as indented `key: value` lines; keys: {}",
                        known.join(", ")
                    ),
                );
                return None;
            }
        };
        Some(self.known_fields(src, path, entries, known))
    }

    fn known_fields<'n>(
        &mut self,
        src: Src<'_>,
        path: &str,
        entries: &'n [Entry],
        known: &[&'static str],
    ) -> Vec<Field<'n>> {
        let mut fields: Vec<Field<'n>> = Vec::new();
        for (key, value) in entries {
            let line = src.line(&key.referenced);
            let written = match &key.value {
                Node::Str(name) => name.clone(),
                _ => src.raw(&key.referenced).unwrap_or("?").to_owned(),
            };
            let found = match &key.value {
                Node::Str(name) => known.iter().find(|k| **k == name.as_str()).copied(),
                _ => None,
            };
            let full = if path.is_empty() {
                written.clone()
            } else {
                format!("{path}.{written}")
            };
            let Some(name) = found else {
                let help = match suggest(&written, known) {
                    Some(better) => format!("did you mean `{better}`? Known keys here: {}", known.join(", ")),
                    None => format!("known keys here: {}", known.join(", ")),
                };
                self.error(
                    "front-matter/unknown-key",
                    line,
                    format!("unknown key `{full}`"),
                    &help,
                );
                continue;
            };
            if let Some(first) = fields.iter().find(|f| f.name == name) {
                let first_line = first.line;
                self.error(
                    "front-matter/duplicate-key",
                    line,
                    format!("`{full}` is given twice; the first one, on line {first_line}, is used"),
                    "remove one of the two",
                );
                continue;
            }
            fields.push(Field { name, line, value });
        }
        fields
    }

    fn top_level(&mut self, entries: &[(Src<'_>, Entry)]) {
        // Entries can come from different chunks (after a syntax error), so the duplicate
        // check runs over all of them while each keeps its own source text.
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (src, entry) in entries {
            let fields = self.known_fields(*src, "", std::slice::from_ref(entry), &KEYS);
            for field in fields {
                if let Some((_, first_line)) = seen.iter().find(|(name, _)| name == field.name) {
                    let first_line = *first_line;
                    self.error(
                        "front-matter/duplicate-key",
                        field.line,
                        format!(
                            "`{}` is given twice; the first one, on line {first_line}, is used",
                            field.name
                        ),
                        "remove one of the two",
                    );
                    continue;
                }
                seen.push((field.name.to_owned(), field.line));
                self.top_level_field(*src, &field);
            }
        }
    }

    fn top_level_field(&mut self, src: Src<'_>, field: &Field<'_>) {
        let (name, line, value) = (field.name, field.line, field.value);
        let simple = |key| Some((key, Kind::Text));
        let spec = match name {
            "project" => simple(FactKey::ProjectName),
            "version_covered" => simple(FactKey::VersionCovered),
            "latest_release" => simple(FactKey::LatestRelease),
            "project_lead" => simple(FactKey::ProjectLead),
            "project_security_lead" => simple(FactKey::ProjectSecurityLead),
            "cncf_maturity" => Some((FactKey::CncfMaturity, Kind::OneOf(&CNCF_MATURITIES))),
            "path" => Some((FactKey::AssessmentPath, Kind::OneOf(&PATHS))),
            "status" => Some((FactKey::Status, Kind::OneOf(&STATUSES))),
            "ruleset" => Some((FactKey::Ruleset, Kind::OneOf(&RULESETS))),
            "survey" => Some((FactKey::SurveyStatus, Kind::OneOf(&SURVEY_STATUSES))),
            "completed" => Some((FactKey::Completed, Kind::Date)),
            "tracking_issue" => Some((FactKey::TrackingIssue, Kind::Url)),
            _ => None,
        };
        if let Some((key, kind)) = spec {
            if let Some((value, raw)) = self.typed(src, name, line, value, kind) {
                self.fact(key, value, raw, line);
            }
            return;
        }
        match name {
            "presentation" => self.presentation(src, value),
            "reviewers" => self.reviewers(src, line, value),
            "co_chair_approvals" => {
                let handles = self.string_list(src, name, line, value);
                self.out
                    .meta
                    .co_chair_approvals
                    .extend(handles.into_iter().map(|h| handle(&h)));
            }
            "exemptions" => self.exemptions(src, line, value),
            _ => {}
        }
    }

    fn presentation(&mut self, src: Src<'_>, node: &Spanned<Node>) {
        let Some(fields) = self.fields(src, "presentation", node, &PRESENTATION_KEYS) else {
            return;
        };
        for field in fields {
            let (key, kind) = match field.name {
                "issue" => (FactKey::PresentationIssue, Kind::Url),
                "date" => (FactKey::PresentationDate, Kind::Date),
                "recording" => (FactKey::PresentationRecording, Kind::Url),
                _ => (FactKey::PresentationSlides, Kind::Text),
            };
            let path = format!("presentation.{}", field.name);
            if let Some((value, raw)) = self.typed(src, &path, field.line, field.value, kind) {
                self.fact(key, value, raw, field.line);
            }
        }
    }

    fn reviewers(&mut self, src: Src<'_>, line: usize, node: &Spanned<Node>) {
        let items = match &node.value {
            Node::Seq(items) => items,
            Node::Null => return,
            other => {
                self.error(
                    "front-matter/type",
                    line,
                    format!("`reviewers` must be a list of reviewers, not {}", other.kind()),
                    "write one `- name: …` entry per reviewer, with `github`, `role` and `conflicts` under it",
                );
                return;
            }
        };
        for (index, item) in items.iter().enumerate() {
            if let Some(reviewer) = self.reviewer(src, &format!("reviewers[{index}]"), item) {
                self.out.meta.reviewers.push(reviewer);
            }
        }
        self.out.meta.reviewers_source = Some((self.provenance)(self.file, line));
        let names: Vec<String> = self
            .out
            .meta
            .reviewers
            .iter()
            .filter_map(|r| {
                r.name
                    .clone()
                    .or_else(|| r.github.as_ref().map(|g| format!("@{g}")))
            })
            .collect();
        if !names.is_empty() {
            let joined = names.join(", ");
            self.fact(FactKey::SecurityReviewers, joined.clone(), joined, line);
        }
    }

    fn reviewer(&mut self, src: Src<'_>, path: &str, node: &Spanned<Node>) -> Option<Reviewer> {
        let line = src.line(&node.referenced);
        if !matches!(node.value, Node::Map(_)) {
            self.error(
                "front-matter/type",
                line,
                format!("`{path}` must be a mapping with `name`, `github`, `role`…, not {}", node.value.kind()),
                "write the reviewer as `- name: Jane Doe` with `github: janedoe` and `role: lead` indented under it",
            );
            return None;
        }
        let fields = self.fields(src, path, node, &REVIEWER_KEYS)?;
        let mut reviewer = Reviewer {
            line,
            ..Reviewer::default()
        };
        for field in fields {
            let here = format!("{path}.{}", field.name);
            match field.name {
                "name" => reviewer.name = self.text(src, &here, field.line, field.value),
                "github" => {
                    reviewer.github = self.text(src, &here, field.line, field.value).map(|h| handle(&h));
                }
                "role" => {
                    reviewer.role = self
                        .typed(src, &here, field.line, field.value, Kind::OneOf(&REVIEWER_ROLES))
                        .map(|(value, _)| value);
                }
                "conflicts" => reviewer.conflicts = self.conflicts(src, &here, field.value),
                _ => reviewer.escalation = self.escalation(src, &here, field.value),
            }
        }
        if reviewer.name.is_none() && reviewer.github.is_none() {
            self.error(
                "front-matter/missing-key",
                line,
                format!("`{path}` has neither `name` nor `github`"),
                "give each reviewer at least a `name` and, ideally, a `github` handle",
            );
        }
        Some(reviewer)
    }

    fn conflicts(&mut self, src: Src<'_>, path: &str, node: &Spanned<Node>) -> Option<Conflicts> {
        let fields = self.fields(src, path, node, &CONFLICT_KEYS)?;
        let mut conflicts = Conflicts::default();
        for field in fields {
            let here = format!("{path}.{}", field.name);
            match field.name {
                "statement" => {
                    conflicts.statement = self
                        .typed(src, &here, field.line, field.value, Kind::Url)
                        .map(|(value, _)| value);
                }
                "hard" => {
                    conflicts.hard = self.booleans(src, &here, field.value, &HARD_KEYS).map(
                        |[
                            maintainer,
                            direct_report,
                            paid_to_work_on_project,
                            significant_financial_interest,
                        ]| {
                            HardConflicts {
                                maintainer,
                                direct_report,
                                paid_to_work_on_project,
                                significant_financial_interest,
                            }
                        },
                    );
                }
                _ => {
                    conflicts.soft = self.booleans(src, &here, field.value, &SOFT_KEYS).map(
                        |[same_organization, uses_project, contributed, personal_stake]| SoftConflicts {
                            same_organization,
                            uses_project,
                            contributed,
                            personal_stake,
                        },
                    );
                }
            }
        }
        Some(conflicts)
    }

    /// The four yes/no answers of a conflict table, in `keys` order.
    fn booleans(
        &mut self,
        src: Src<'_>,
        path: &str,
        node: &Spanned<Node>,
        keys: &[&'static str; 4],
    ) -> Option<[Option<bool>; 4]> {
        let fields = self.fields(src, path, node, keys)?;
        let mut answers = [None; 4];
        for field in fields {
            let answer = match &field.value.value {
                Node::Bool(b) => Some(*b),
                Node::Null => None,
                other => {
                    self.error(
                        "front-matter/type",
                        field.line,
                        format!(
                            "`{path}.{}` must be true or false, not {}",
                            field.name,
                            other.kind()
                        ),
                        "answer each conflict question with `true` or `false`",
                    );
                    None
                }
            };
            if let Some(slot) = keys
                .iter()
                .position(|k| *k == field.name)
                .and_then(|i| answers.get_mut(i))
            {
                *slot = answer;
            }
        }
        Some(answers)
    }

    fn escalation(&mut self, src: Src<'_>, path: &str, node: &Spanned<Node>) -> Option<Escalation> {
        let fields = self.fields(src, path, node, &ESCALATION_KEYS)?;
        let mut escalation = Escalation::default();
        for field in fields {
            let here = format!("{path}.{}", field.name);
            match field.name {
                "decided_by" => {
                    let handles = self.string_list(src, &here, field.line, field.value);
                    escalation.decided_by = handles.into_iter().map(|h| handle(&h)).collect();
                }
                "outcome" => {
                    escalation.outcome = self
                        .typed(
                            src,
                            &here,
                            field.line,
                            field.value,
                            Kind::OneOf(&ESCALATION_OUTCOMES),
                        )
                        .map(|(value, _)| value);
                }
                _ => {
                    escalation.justification = self
                        .typed(src, &here, field.line, field.value, Kind::Url)
                        .map(|(value, _)| value);
                }
            }
        }
        Some(escalation)
    }

    fn exemptions(&mut self, src: Src<'_>, line: usize, node: &Spanned<Node>) {
        let items = match &node.value {
            Node::Seq(items) => items,
            Node::Null => return,
            other => {
                self.error(
                    "front-matter/type",
                    line,
                    format!("`exemptions` must be a list, not {}", other.kind()),
                    "write one `- item: B10` entry per exemption, with a `reason` under it",
                );
                return;
            }
        };
        for (index, item) in items.iter().enumerate() {
            let path = format!("exemptions[{index}]");
            let item_line = src.line(&item.referenced);
            if !matches!(item.value, Node::Map(_)) {
                self.error(
                    "front-matter/type",
                    item_line,
                    format!(
                        "`{path}` must be a mapping with `item` and `reason`, not {}",
                        item.value.kind()
                    ),
                    "write `- item: B10` with `reason: …` indented under it",
                );
                continue;
            }
            let Some(fields) = self.fields(src, &path, item, &EXEMPTION_KEYS) else {
                continue;
            };
            let (mut id, mut reason) = (None, None);
            for field in fields {
                let text = self.text(src, &format!("{path}.{}", field.name), field.line, field.value);
                if field.name == "item" {
                    id = text;
                } else {
                    reason = text;
                }
            }
            match (id, reason) {
                (Some(item), Some(reason)) => {
                    let source = (self.provenance)(self.file, item_line);
                    self.out.meta.exemptions.push(Exemption { item, reason, source });
                }
                (id, _) => {
                    let missing = if id.is_none() { "item" } else { "reason" };
                    self.error(
                        "front-matter/missing-key",
                        item_line,
                        format!("`{path}` has no `{missing}`"),
                        "an exemption needs the checklist item (`item: B10`) and why it does not apply (`reason: …`)",
                    );
                }
            }
        }
    }

    /// A list of short strings (handles). A single string is accepted as a one-item list
    /// only when written as a list; anything else is a type error.
    fn string_list(&mut self, src: Src<'_>, path: &str, line: usize, node: &Spanned<Node>) -> Vec<String> {
        let items = match &node.value {
            Node::Seq(items) => items,
            Node::Null => return Vec::new(),
            other => {
                self.error(
                    "front-matter/type",
                    line,
                    format!("`{path}` must be a list, not {}", other.kind()),
                    &format!(
                        "write it as `{}: [handle-one, handle-two]`",
                        path.rsplit('.').next().unwrap_or(path)
                    ),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let item_line = src.line(&item.referenced);
            if let Some(text) = self.text(src, &format!("{path}[{index}]"), item_line, item) {
                out.push(text);
            }
        }
        out
    }

    /// A scalar as text: strings as given, numbers and booleans as written (`1.10` stays
    /// `1.10`). `None` for an empty value (not declared) and, with a diagnostic, for lists,
    /// mappings and blank strings.
    fn text(&mut self, src: Src<'_>, path: &str, line: usize, node: &Spanned<Node>) -> Option<String> {
        let text = match &node.value {
            Node::Null => return None,
            Node::Str(s) => s.clone(),
            Node::Bool(b) => src
                .raw(&node.referenced)
                .map_or_else(|| b.to_string(), str::to_owned),
            Node::Int(i) => src
                .raw(&node.referenced)
                .map_or_else(|| i.to_string(), str::to_owned),
            Node::Float(f) => src
                .raw(&node.referenced)
                .map_or_else(|| f.to_string(), str::to_owned),
            other => {
                self.error(
                    "front-matter/type",
                    line,
                    format!("`{path}` must be a single value, not {}", other.kind()),
                    "write the value on the same line as the key",
                );
                return None;
            }
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            self.error(
                "front-matter/value",
                line,
                format!("`{path}` is blank"),
                "give it a value, or remove the key",
            );
            return None;
        }
        Some(trimmed.to_owned())
    }

    /// A scalar checked against `kind`: `(normalised, as written)`.
    fn typed(
        &mut self,
        src: Src<'_>,
        path: &str,
        line: usize,
        node: &Spanned<Node>,
        kind: Kind,
    ) -> Option<(String, String)> {
        let raw = self.text(src, path, line, node)?;
        match kind {
            Kind::Text => Some((raw.clone(), raw)),
            Kind::OneOf(allowed) => {
                let lower = raw.to_lowercase();
                if allowed.contains(&lower.as_str()) {
                    return Some((lower, raw));
                }
                let help = match suggest(&lower, allowed) {
                    Some(better) => format!("did you mean `{better}`? Allowed: {}", allowed.join(", ")),
                    None => format!("allowed: {}", allowed.join(", ")),
                };
                self.error(
                    "front-matter/value",
                    line,
                    format!("`{path}: {raw}` is not one of the allowed values"),
                    &help,
                );
                None
            }
            Kind::Date => match dates::parse_iso(&raw) {
                Ok(iso) => Some((iso, raw)),
                Err(problem) => {
                    let help = match dates::normalise(&raw) {
                        Some(iso) if iso != raw => format!("write it as `{iso}`"),
                        _ => "write it as YYYY-MM-DD (like 2025-01-29) or YYYY-MM".to_owned(),
                    };
                    self.error("front-matter/date", line, format!("`{path}`: {problem}"), &help);
                    None
                }
            },
            Kind::Url => {
                let looks_right = (raw.starts_with("https://") || raw.starts_with("http://"))
                    && !raw.contains(char::is_whitespace);
                if looks_right {
                    return Some((raw.clone(), raw));
                }
                self.error(
                    "front-matter/value",
                    line,
                    format!("`{path}` must be a URL, not `{raw}`"),
                    "write the full link, starting with https://",
                );
                None
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    OneOf(&'static [&'static str]),
    Date,
    Url,
}

fn handle(text: &str) -> String {
    text.trim().trim_start_matches('@').to_owned()
}

/// The known key (or allowed value) closest to `wrong`, if it is close enough to be a typo,
/// or the schema's spelling of a name people commonly use instead.
fn suggest(wrong: &str, known: &[&str]) -> Option<String> {
    // No key is this long; a typo of one is not either (and edit distance is quadratic).
    if wrong.len() > 64 {
        return None;
    }
    let lower = wrong.to_lowercase().replace([' ', '-'], "_");
    if let Some((_, better)) = ALIASES.iter().find(|(alias, _)| *alias == lower) {
        let top = better.split('.').next().unwrap_or(better);
        if known.contains(&top) {
            return Some((*better).to_owned());
        }
    }
    let lower_value = wrong.to_lowercase();
    let (best, distance) = known
        .iter()
        .map(|k| (*k, edit_distance(&lower, k).min(edit_distance(&lower_value, k))))
        .min_by_key(|(_, d)| *d)?;
    let limit = (best.len() / 3).max(2);
    (distance <= limit).then(|| best.to_owned())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = current.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous.get(j).map_or(usize::MAX, |d| d + usize::from(ca != *cb));
            let deletion = previous.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insertion = current.get(j).map_or(usize::MAX, |d| d + 1);
            if let Some(cell) = current.get_mut(j + 1) {
                *cell = substitution.min(deletion).min(insertion);
            }
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prov(file: &str, line: usize) -> Provenance {
        Provenance::FrontMatter {
            file: file.into(),
            line,
        }
    }

    fn fm(yaml: &str) -> FrontMatter {
        parse(yaml, "p/README.md", 2, prov)
    }

    fn codes(fm: &FrontMatter) -> Vec<(String, usize)> {
        fm.diagnostics
            .iter()
            .map(|d| (d.code.clone(), d.line.unwrap_or(0)))
            .collect()
    }

    fn value(fm: &FrontMatter, key: FactKey) -> Option<&str> {
        fm.facts.get(&key).map(|f| f.value.as_str())
    }

    #[test]
    fn split_finds_the_block_and_its_lines() {
        let text = "---\nproject: X\nstatus: draft\n---\n# Title\n";
        let block = split(text).ok().flatten();
        assert_eq!(
            block,
            Some(Block {
                yaml: "project: X\nstatus: draft\n",
                yaml_line: 2,
                body: "# Title\n",
                body_line: 5
            })
        );
    }

    #[test]
    fn split_accepts_dots_and_trailing_spaces_and_eof() {
        let block = split("--- \na: 1\n...\n").ok().flatten();
        assert_eq!(
            block.map(|b| (b.yaml, b.body, b.body_line)),
            Some(("a: 1\n", "", 4))
        );
        let block = split("---\na: 1\n---").ok().flatten();
        assert_eq!(
            block.map(|b| (b.yaml, b.body, b.body_line)),
            Some(("a: 1\n", "", 4))
        );
    }

    #[test]
    fn split_empty_block() {
        let block = split("---\n---\nbody").ok().flatten();
        assert_eq!(
            block.map(|b| (b.yaml, b.body, b.body_line)),
            Some(("", "body", 3))
        );
        let parsed = fm("");
        assert!(parsed.facts.is_empty() && parsed.diagnostics.is_empty());
    }

    #[test]
    fn split_without_front_matter() {
        assert_eq!(split("# Title\n---\nx: 1\n---\n"), Ok(None));
        assert_eq!(split(""), Ok(None));
        assert_eq!(split("----\nx: 1\n----\n"), Ok(None));
        // A thematic break followed by prose is Markdown, not an unterminated block.
        assert_eq!(split("---\n\nSome text here.\n"), Ok(None));
        assert_eq!(split("---"), Ok(None));
    }

    #[test]
    fn split_reports_an_unterminated_block() {
        let err = split("---\nproject: X\nstatus: draft\n\n# Title\n");
        assert!(matches!(err, Err(ref d) if d.code == "front-matter/unterminated" && d.help.is_some()));
    }

    #[test]
    fn all_keys_become_facts_and_meta() {
        let yaml = "\
project: Example Project
cncf_maturity: Incubating
path: joint
status: complete
ruleset: tssa-2021
version_covered: 1.10
latest_release: v1.4.0
completed: 2025-01-29
project_lead: Jane Doe (@jane)
project_security_lead: Sam Roe
tracking_issue: https://github.com/cncf/tag-security/issues/1
presentation:
  issue: https://github.com/cncf/tag-security/issues/2
  date: 2025-01-15
  recording: https://example.org/rec
  slides: slides.pdf
reviewers:
  - name: Jane Doe
    github: '@janedoe'
    role: lead
    conflicts:
      statement: https://example.org/s
      hard: {maintainer: false, direct_report: false, paid_to_work_on_project: false, significant_financial_interest: false}
      soft: {same_organization: false, uses_project: true, contributed: false, personal_stake: false}
  - github: bob
    role: reviewer
    escalation:
      decided_by: [fac, '@chair']
      outcome: proceed
      justification: https://example.org/j
survey: in-folder
co_chair_approvals: [chair]
exemptions:
  - item: B10
    reason: Survey shared privately.
";
        let parsed = fm(yaml);
        assert_eq!(parsed.diagnostics, vec![]);
        assert_eq!(value(&parsed, FactKey::ProjectName), Some("Example Project"));
        assert_eq!(value(&parsed, FactKey::CncfMaturity), Some("incubating"));
        assert_eq!(
            parsed.facts.get(&FactKey::CncfMaturity).map(|f| f.raw.as_str()),
            Some("Incubating")
        );
        assert_eq!(value(&parsed, FactKey::AssessmentPath), Some("joint"));
        assert_eq!(value(&parsed, FactKey::Status), Some("complete"));
        assert_eq!(value(&parsed, FactKey::Ruleset), Some("tssa-2021"));
        assert_eq!(value(&parsed, FactKey::VersionCovered), Some("1.10"));
        assert_eq!(value(&parsed, FactKey::LatestRelease), Some("v1.4.0"));
        assert_eq!(value(&parsed, FactKey::Completed), Some("2025-01-29"));
        assert_eq!(value(&parsed, FactKey::ProjectLead), Some("Jane Doe (@jane)"));
        assert_eq!(value(&parsed, FactKey::ProjectSecurityLead), Some("Sam Roe"));
        assert_eq!(
            value(&parsed, FactKey::TrackingIssue),
            Some("https://github.com/cncf/tag-security/issues/1")
        );
        assert_eq!(
            value(&parsed, FactKey::PresentationIssue),
            Some("https://github.com/cncf/tag-security/issues/2")
        );
        assert_eq!(value(&parsed, FactKey::PresentationDate), Some("2025-01-15"));
        assert_eq!(
            value(&parsed, FactKey::PresentationRecording),
            Some("https://example.org/rec")
        );
        assert_eq!(value(&parsed, FactKey::PresentationSlides), Some("slides.pdf"));
        assert_eq!(value(&parsed, FactKey::SurveyStatus), Some("in-folder"));
        assert_eq!(value(&parsed, FactKey::SecurityReviewers), Some("Jane Doe, @bob"));
        // Lines are file lines: YAML line 1 is file line 2.
        assert_eq!(
            parsed.facts.get(&FactKey::ProjectName).map(|f| f.source.clone()),
            Some(prov("p/README.md", 2))
        );
        assert_eq!(
            parsed
                .facts
                .get(&FactKey::PresentationDate)
                .and_then(|f| f.source.line()),
            Some(15)
        );
        let meta = &parsed.meta;
        assert_eq!(meta.reviewers.len(), 2);
        let jane = &meta.reviewers[0];
        assert_eq!(
            (jane.name.as_deref(), jane.github.as_deref(), jane.role.as_deref()),
            (Some("Jane Doe"), Some("janedoe"), Some("lead"))
        );
        assert_eq!(jane.line, 19);
        let conflicts = jane.conflicts.clone().unwrap_or_default();
        assert_eq!(conflicts.statement.as_deref(), Some("https://example.org/s"));
        assert_eq!(conflicts.hard.map(|h| h.maintainer), Some(Some(false)));
        assert_eq!(conflicts.soft.map(|s| s.uses_project), Some(Some(true)));
        let bob = &meta.reviewers[1];
        assert_eq!(bob.line, 26);
        let escalation = bob.escalation.clone().unwrap_or_default();
        assert_eq!(escalation.decided_by, vec!["fac".to_owned(), "chair".to_owned()]);
        assert_eq!(escalation.outcome.as_deref(), Some("proceed"));
        assert_eq!(meta.reviewers_source, Some(prov("p/README.md", 18)));
        assert_eq!(meta.co_chair_approvals, vec!["chair".to_owned()]);
        assert_eq!(meta.exemptions.len(), 1);
        assert_eq!(meta.exemptions[0].item, "B10");
        assert_eq!(meta.exemptions[0].source, prov("p/README.md", 35));
    }

    #[test]
    fn three_errors_three_diagnostics_and_valid_siblings_survive() {
        let yaml =
            "project: Example\nstatus: done\nreviewers: Jane Doe\nprojct_lead: X\ncompleted: 2025-01-29\n";
        let parsed = parse(yaml, "x/self-assessment.md", 5, prov);
        assert_eq!(
            codes(&parsed),
            vec![
                ("front-matter/value".to_owned(), 6),
                ("front-matter/type".to_owned(), 7),
                ("front-matter/unknown-key".to_owned(), 8),
            ]
        );
        assert!(
            parsed
                .diagnostics
                .iter()
                .all(|d| d.file.as_deref() == Some("x/self-assessment.md") && d.help.is_some())
        );
        assert_eq!(value(&parsed, FactKey::ProjectName), Some("Example"));
        assert_eq!(value(&parsed, FactKey::Completed), Some("2025-01-29"));
        assert_eq!(value(&parsed, FactKey::Status), None);
        let unknown = &parsed.diagnostics[2];
        assert!(unknown.message.contains("projct_lead"));
        assert!(
            unknown
                .help
                .as_deref()
                .is_some_and(|h| h.contains("`project_lead`"))
        );
        let bad_value = &parsed.diagnostics[0];
        assert!(
            bad_value
                .help
                .as_deref()
                .is_some_and(|h| h.contains("in-progress") && h.contains("obsolete"))
        );
    }

    #[test]
    fn syntax_error_is_mapped_to_the_file_line() {
        let yaml = "project: X\nstatus: [complete\ncompleted: 2025-01-29\n";
        let parsed = parse(yaml, "f.md", 2, prov);
        let syntax: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.code == "front-matter/syntax")
            .collect();
        assert_eq!(syntax.len(), 1, "{:?}", parsed.diagnostics);
        assert_eq!(syntax[0].line, Some(3));
        // The healthy entries around the broken one still count.
        assert_eq!(value(&parsed, FactKey::ProjectName), Some("X"));
        assert_eq!(value(&parsed, FactKey::Completed), Some("2025-01-29"));
    }

    #[test]
    fn several_syntax_errors_are_all_reported() {
        let yaml = "project: a: b\nstatus: complete\nruleset: 'tssa-2021\nsurvey: in-folder\n";
        let parsed = parse(yaml, "f.md", 1, prov);
        let lines: Vec<usize> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.code == "front-matter/syntax")
            .filter_map(|d| d.line)
            .collect();
        assert_eq!(lines.len(), 2, "{:?}", parsed.diagnostics);
        assert_eq!(lines[0], 1);
        assert!(lines[1] >= 3);
        assert_eq!(value(&parsed, FactKey::Status), Some("complete"));
        assert_eq!(value(&parsed, FactKey::SurveyStatus), Some("in-folder"));
    }

    #[test]
    fn impossible_dates() {
        let parsed = fm("completed: 2025-02-30\npresentation:\n  date: 2025-13\n");
        assert_eq!(
            codes(&parsed),
            vec![
                ("front-matter/date".to_owned(), 2),
                ("front-matter/date".to_owned(), 4)
            ]
        );
        assert!(
            parsed.diagnostics[0]
                .message
                .contains("February 2025 has 28 days")
        );
        let parsed = fm("completed: 29 Jan 2025\n");
        assert_eq!(codes(&parsed), vec![("front-matter/date".to_owned(), 2)]);
        assert!(
            parsed.diagnostics[0]
                .help
                .as_deref()
                .is_some_and(|h| h.contains("2025-01-29"))
        );
    }

    #[test]
    fn unknown_keys_at_every_level() {
        let yaml = "\
presentation:
  slide: x.pdf
reviewers:
  - name: A
    gihub: a
    conflicts:
      hard: {maintainer: false, paid: true}
      other: 1
exemptions:
  - item: A2
    reason: r
    why: w
";
        let parsed = fm(yaml);
        let unknown: Vec<(usize, &str)> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.code == "front-matter/unknown-key")
            .map(|d| (d.line.unwrap_or(0), d.message.as_str()))
            .collect();
        assert_eq!(
            unknown,
            vec![
                (3, "unknown key `presentation.slide`"),
                (6, "unknown key `reviewers[0].gihub`"),
                (8, "unknown key `reviewers[0].conflicts.hard.paid`"),
                (9, "unknown key `reviewers[0].conflicts.other`"),
                (13, "unknown key `exemptions[0].why`"),
            ]
        );
        assert_eq!(parsed.diagnostics.len(), 5);
        assert_eq!(parsed.meta.exemptions.len(), 1);
        assert_eq!(parsed.meta.reviewers.len(), 1);
    }

    #[test]
    fn alias_suggestions() {
        let parsed = fm("name: X\ntrack: joint\n");
        let helps: Vec<&str> = parsed
            .diagnostics
            .iter()
            .filter_map(|d| d.help.as_deref())
            .collect();
        assert!(helps[0].contains("`project`"));
        assert!(helps[1].contains("`path`"));
    }

    #[test]
    fn wrong_types() {
        let yaml = "\
project: [a, b]
reviewers: Jane
presentation: soon
co_chair_approvals: chair
exemptions: {item: B1}
survey:
  status: done
";
        let parsed = fm(yaml);
        let got: Vec<(String, usize)> = codes(&parsed);
        let expected: Vec<(String, usize)> = [2, 3, 4, 5, 6, 7]
            .iter()
            .map(|l| ("front-matter/type".to_owned(), *l))
            .collect();
        assert_eq!(got, expected, "{:?}", parsed.diagnostics);
        let parsed =
            fm("reviewers:\n  - Jane\n  - name: B\n    conflicts:\n      hard: {maintainer: maybe}\n");
        assert_eq!(
            codes(&parsed),
            vec![
                ("front-matter/type".to_owned(), 3),
                ("front-matter/type".to_owned(), 6)
            ]
        );
        assert_eq!(parsed.meta.reviewers.len(), 1);
    }

    #[test]
    fn bad_values_list_the_allowed_ones() {
        let parsed = fm(
            "path: abbreviated\nruleset: tssa-2022\nreviewers:\n  - name: A\n    role: shadow\ntracking_issue: issue 12\n",
        );
        assert_eq!(
            codes(&parsed),
            vec![
                ("front-matter/value".to_owned(), 2),
                ("front-matter/value".to_owned(), 3),
                ("front-matter/value".to_owned(), 6),
                ("front-matter/value".to_owned(), 7),
            ]
        );
        assert!(
            parsed.diagnostics[0]
                .help
                .as_deref()
                .is_some_and(|h| h.contains("self, joint"))
        );
        assert!(
            parsed.diagnostics[1]
                .help
                .as_deref()
                .is_some_and(|h| h.contains("did you mean `tssa-2021`"))
        );
    }

    #[test]
    fn duplicates_and_missing_keys() {
        let parsed =
            fm("status: draft\nstatus: complete\nexemptions:\n  - item: B10\nreviewers:\n  - role: lead\n");
        assert_eq!(
            codes(&parsed),
            vec![
                ("front-matter/duplicate-key".to_owned(), 3),
                ("front-matter/missing-key".to_owned(), 5),
                ("front-matter/missing-key".to_owned(), 7),
            ]
        );
        assert_eq!(value(&parsed, FactKey::Status), Some("draft"));
    }

    #[test]
    fn non_mapping_top_level_is_one_error() {
        for yaml in ["- a\n- b\n", "just text\n", "42\n"] {
            let parsed = fm(yaml);
            assert_eq!(
                codes(&parsed),
                vec![("front-matter/type".to_owned(), 2)],
                "{yaml:?}"
            );
        }
        assert!(fm("~\n").diagnostics.is_empty());
        assert!(fm("# only a comment\n").diagnostics.is_empty());
    }

    #[test]
    fn empty_values_are_not_declared() {
        let parsed = fm("completed:\nproject: ''\nreviewers:\n");
        assert_eq!(codes(&parsed), vec![("front-matter/value".to_owned(), 3)]);
        assert!(parsed.facts.is_empty());
        assert_eq!(parsed.meta.reviewers_source, None);
    }

    #[test]
    fn hostile_input_is_bounded() {
        let deep = format!("a: {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let parsed = fm(&deep);
        assert!(!parsed.diagnostics.is_empty());
        let mut nested = String::new();
        for depth in 0..2_000 {
            nested.push_str(&" ".repeat(depth));
            nested.push_str("a:\n");
        }
        assert!(!fm(&nested).diagnostics.is_empty());
        let bomb = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e]\n";
        assert!(!fm(bomb).diagnostics.is_empty());
        let many = "x: 1\n".repeat(50_000);
        let parsed = fm(&many);
        assert!(parsed.diagnostics.len() <= MAX_DIAGNOSTICS + 1);
        let huge = format!("project: {}\n", "a".repeat(MAX_YAML_BYTES));
        assert_eq!(codes(&fm(&huge)), vec![("front-matter/syntax".to_owned(), 2)]);
        let broken = "a: [\n".repeat(5_000);
        let parsed = fm(&broken);
        assert!(!parsed.diagnostics.is_empty() && parsed.diagnostics.len() <= MAX_DIAGNOSTICS + 1);
    }

    #[test]
    fn odd_scalars_do_not_panic() {
        for yaml in [
            "project: !!binary aGVsbG8=\n",
            "project: 1e400\n",
            "? [a, b]\n: c\n",
            "1: x\n",
            "project: 99999999999999999999999999999999999999999\n",
            "project: \"\\u00e9\"\n",
            "project: *nope\n",
            "x: &a [*a]\n",
            "---\n---\n",
            "project: a\n---\nproject: b\n",
            "\u{feff}project: a\n",
            "\tproject: a\n",
        ] {
            let _ = fm(yaml);
        }
        assert_eq!(
            value(&fm("version_covered: 2\n"), FactKey::VersionCovered),
            Some("2")
        );
        assert_eq!(value(&fm("project: yes\n"), FactKey::ProjectName), Some("yes"));
    }

    #[test]
    fn sidecar_provenance_and_first_line() {
        let parsed = parse(
            "project: X\nstatus: complete\n",
            "u/tssa.yaml",
            1,
            |file, line| Provenance::Sidecar {
                file: file.into(),
                line,
            },
        );
        assert_eq!(
            parsed.facts.get(&FactKey::Status).map(|f| f.source.clone()),
            Some(Provenance::Sidecar {
                file: "u/tssa.yaml".into(),
                line: 2
            })
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("stauts", &KEYS).as_deref(), Some("status"));
        assert_eq!(suggest("completed_on", &KEYS).as_deref(), Some("completed"));
        assert_eq!(suggest("zzzzzz", &KEYS), None);
        assert_eq!(
            suggest("incubation", &CNCF_MATURITIES).as_deref(),
            Some("incubating")
        );
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
