//! Version coverage: for every package, the release its assessments looked at, how far behind
//! the project's latest release that is, and whether the annual review is due.
//!
//! The process asks a package to name the version or release it covered, and the team aims to
//! review assessed projects every year (`intake-process.md`). [`coverage`] derives both from the
//! model, with the provenance of every value, so a reader can see why a row says what it says.
//!
//! Everything above [`Inputs`] is a pure function of its arguments: `today` comes from the
//! caller, so a rebuild on the same day gives the same bytes. [`Inputs::from_config`] is the one
//! place that reads the clock (`SOURCE_DATE_EPOCH` first) and the releases data file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::calendar::Date;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::{DocKind, Document, Fact, FactKey, Provenance, RelPath, Site, Unit, VersionLine};
use crate::parse::dates;
use crate::parse::labels::{self, VERSION_LABELS};
use crate::releases::{self, Covered, Data, History, Lag, Release};

const COMPLETED_LABELS: &[&str] = &["completed", "date completed"];

/// How much a version claim can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// A release pinned in an SBOM or dependency-manifest link: it shows what the authors
    /// looked at, not what they meant to cover.
    Pinned,
    /// A line in the document (`Project version reviewed: v10.0.2`).
    Stated,
    /// Front matter or `tssa.yaml`.
    Declared,
}

impl Confidence {
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Pinned => "pinned in an SBOM link",
            Confidence::Stated => "stated in the document",
            Confidence::Declared => "declared",
        }
    }
}

/// A version some source says the package covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub value: String,
    pub raw: String,
    pub source: Provenance,
    pub confidence: Confidence,
    /// `file:line` or the reason, for pages.
    pub describe: String,
}

impl Claim {
    fn new(value: String, raw: String, source: Provenance, confidence: Confidence) -> Self {
        let describe = source.describe();
        Claim {
            value,
            raw,
            source,
            confidence,
            describe,
        }
    }
}

/// A completion date with where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dated {
    /// ISO 8601, possibly `YYYY-MM`.
    pub value: String,
    pub raw: String,
    pub describe: String,
    pub file: Option<RelPath>,
    pub line: Option<usize>,
}

/// The project's latest release, when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Latest {
    pub value: String,
    /// `front matter, file:line` or `releases data file releases.yaml`.
    pub describe: String,
    /// `YYYY-MM-DD`, when the releases data file dates it.
    pub published: Option<String>,
}

/// The release an assessment covered, as the releases data file knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoveredRelease {
    pub tag: String,
    /// `YYYY-MM-DD`; `None` for a stated version the data file has no release of.
    pub published: Option<String>,
    /// No version is stated: this is the newest release published on or before the
    /// completion date.
    pub inferred: bool,
}

/// How far the covered version is behind the latest release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Behind {
    /// The covered version is the latest release.
    Current,
    /// The covered version is newer than the "latest" release (stale data file).
    Ahead,
    Patch {
        releases: u64,
    },
    Minor {
        releases: u64,
    },
    Major {
        releases: u64,
    },
    Unknown {
        reason: &'static str,
    },
}

impl Behind {
    /// Plain words for a table cell.
    pub fn label(&self) -> String {
        let plural = |n: u64, what: &str| {
            if n == 1 {
                format!("1 {what} behind")
            } else {
                format!("{n} {what}s behind")
            }
        };
        match self {
            Behind::Current => "current".to_owned(),
            Behind::Ahead => "newer than the latest release on record".to_owned(),
            Behind::Patch { releases } => plural(*releases, "patch release"),
            Behind::Minor { releases } => plural(*releases, "minor release"),
            Behind::Major { releases } => plural(*releases, "major release"),
            Behind::Unknown { reason } => format!("unknown ({reason})"),
        }
    }
    /// A CSS class suffix.
    pub fn class(&self) -> &'static str {
        match self {
            Behind::Current | Behind::Ahead => "current",
            Behind::Patch { .. } => "patch",
            Behind::Minor { .. } => "minor",
            Behind::Major { .. } => "major",
            Behind::Unknown { .. } => "unknown",
        }
    }
}

/// The annual review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renewal {
    /// `Some(true)`: completed more than the renewal period before today. `None`: no
    /// completion date, or no `today` to compare with.
    pub due: Option<bool>,
    /// Completed plus the renewal period, at the completion date's precision.
    pub due_on: Option<String>,
}

/// One package's coverage.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub slug: String,
    pub name: String,
    /// `self` or `joint`.
    pub path: &'static str,
    /// Normalised document status, if stated.
    pub status: Option<String>,
    /// The version the self-assessment covered.
    pub self_version: Option<Claim>,
    /// The version the joint assessment or its summary covered.
    pub joint_version: Option<Claim>,
    /// A release pinned in an SBOM link (weaker evidence, shown separately).
    pub pinned: Option<Claim>,
    /// The version the package as a whole stands for: the claim of its path's final document
    /// first, then the other one, then a pinned release.
    pub version: Option<Claim>,
    pub completed: Option<Dated>,
    pub latest: Option<Latest>,
    /// The project's GitHub repository (`owner/name`) when the releases data file has it.
    pub repository: Option<String>,
    /// The covered release in the releases data: the stated version's, else inferred from
    /// the completion date.
    pub covered_release: Option<CoveredRelease>,
    /// Releases and months between the covered release and the latest one.
    pub lag: Option<Lag>,
    pub behind: Behind,
    pub renewal: Renewal,
    /// No self-assessment or joint claim: the process asks for one. A pinned SBOM release
    /// does not count, since it names a dependency snapshot, not the scope of the review.
    pub no_version: bool,
}

impl Row {
    /// One line for a project page: `v10.0.2 (README.md:15) · completed 2020-06 · renewal due`.
    pub fn summary(&self, renewal_months: u32) -> String {
        let mut parts = Vec::new();
        match (&self.version, self.no_version) {
            (Some(v), false) => parts.push(format!("covers {} ({})", v.value, v.describe)),
            (Some(v), true) => parts.push(format!(
                "no version stated; an SBOM link pins {} ({})",
                v.value, v.describe
            )),
            (None, _) => parts.push("no version stated".to_owned()),
        }
        if let Some(covered) = self.covered_release.as_ref().filter(|c| c.inferred) {
            parts.push(format!(
                "release covered {} (inferred from the completion date)",
                covered.tag
            ));
        }
        if let Some(latest) = &self.latest {
            parts.push(format!(
                "latest release {} ({})",
                latest.value,
                self.behind.label()
            ));
        }
        if let Some(lag) = &self.lag {
            parts.push(format!("behind by {}", lag.label()));
        }
        match &self.completed {
            Some(c) => parts.push(format!("completed {}", c.value)),
            None => parts.push("no completion date".to_owned()),
        }
        match (self.renewal.due, &self.renewal.due_on) {
            (Some(true), Some(on)) => parts.push(format!("renewal due since {on} ({renewal_months} months)")),
            (Some(false), Some(on)) => parts.push(format!("next review by {on}")),
            _ => {}
        }
        parts.join(" · ")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub units: usize,
    pub version_stated: usize,
    pub no_version: usize,
    /// Of those with no stated version, the ones where an SBOM link pins a release.
    pub pinned_only: usize,
    pub renewal_due: usize,
    /// Completed within the renewal period.
    pub renewal_current: usize,
    pub no_completion_date: usize,
    pub joint: usize,
    pub self_only: usize,
    /// Packages whose project's latest release is known (front matter or the data file).
    pub latest_known: usize,
    /// Packages whose covered release is inferred from the completion date.
    pub release_inferred: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub today: Option<String>,
    /// `releases data file releases.json`, when one was read.
    pub releases_source: Option<String>,
    pub renewal_months: u32,
    /// In the order of `site.units`.
    pub rows: Vec<Row>,
    pub totals: Totals,
}

/// The coverage of every unit. `today`: `None` leaves renewal unjudged; `inputs` holds the
/// releases data file (see [`Inputs`]).
pub fn coverage(site: &Site, today: Option<Date>, renewal_months: u32, inputs: &Inputs) -> Coverage {
    let rows: Vec<Row> = site
        .units
        .iter()
        .map(|u| row(u, today, renewal_months, inputs))
        .collect();
    let mut totals = Totals {
        units: rows.len(),
        ..Totals::default()
    };
    for r in &rows {
        if r.no_version {
            totals.no_version += 1;
            if r.pinned.is_some() {
                totals.pinned_only += 1;
            }
        } else {
            totals.version_stated += 1;
        }
        match r.renewal.due {
            Some(true) => totals.renewal_due += 1,
            Some(false) => totals.renewal_current += 1,
            None => {}
        }
        if r.completed.is_none() {
            totals.no_completion_date += 1;
        }
        if r.path == "joint" {
            totals.joint += 1;
        } else {
            totals.self_only += 1;
        }
        totals.latest_known += usize::from(r.latest.is_some());
        totals.release_inferred += usize::from(r.covered_release.as_ref().is_some_and(|c| c.inferred));
    }
    Coverage {
        today: today.map(|d| d.to_string()),
        releases_source: inputs.read.then(|| inputs.releases_source.clone()),
        renewal_months,
        rows,
        totals,
    }
}

/// The coverage row of one unit.
pub fn row(unit: &Unit, today: Option<Date>, renewal_months: u32, inputs: &Inputs) -> Row {
    let path = unit.assessment_path();
    let self_docs: Vec<&Document> = unit
        .documents
        .iter()
        .filter(|d| d.kind == DocKind::SelfAssessment)
        .collect();
    // The summary speaks for the joint assessment first: it is where the version line belongs.
    let mut joint_docs: Vec<&Document> = unit
        .documents
        .iter()
        .filter(|d| d.kind == DocKind::Summary)
        .collect();
    joint_docs.extend(
        unit.documents
            .iter()
            .filter(|d| d.kind == DocKind::JointAssessment),
    );

    let mut self_version = best_claim(&self_docs);
    let mut joint_version = best_claim(&joint_docs);
    // A sidecar declaration belongs to no document: it speaks for the package's path.
    if let Some(fact) = unit.fact(FactKey::VersionCovered)
        && matches!(fact.source, Provenance::Sidecar { .. })
        && !is_placeholder(&fact.value)
    {
        let claim = Some(Claim::new(
            fact.value.clone(),
            fact.raw.clone(),
            fact.source.clone(),
            Confidence::Declared,
        ));
        let slot = if path == "joint" {
            &mut joint_version
        } else {
            &mut self_version
        };
        if slot.as_ref().is_none_or(|c| c.confidence < Confidence::Declared) {
            *slot = claim;
        }
    }
    let pinned = unit
        .documents
        .iter()
        .filter(|d| matches!(d.kind, DocKind::SelfAssessment | DocKind::JointAssessment))
        .find_map(pinned_release);
    let stated = if path == "joint" {
        joint_version.clone().or_else(|| self_version.clone())
    } else {
        self_version.clone().or_else(|| joint_version.clone())
    };
    let no_version = stated.is_none();
    let version = stated.or_else(|| pinned.clone());

    let completed = completed(unit, &joint_docs);
    let known = known_releases(unit, inputs);
    let mut latest = latest(unit, &inputs.releases, &inputs.releases_source);
    let mut found = Found::default();
    if let Some((repo, history)) = known {
        found = against_data(
            history,
            version.as_ref().filter(|_| !no_version),
            completed.as_ref(),
        );
        found.repository = Some(repo);
        if latest.is_none() {
            latest = found.latest.take().map(|release| Latest {
                value: release.tag,
                describe: inputs.releases_source.clone(),
                published: Some(release.published),
            });
        }
    }
    let measured = version
        .as_ref()
        .filter(|_| !no_version)
        .map(|v| v.value.as_str())
        .or(found.covered.as_ref().map(|c| c.tag.as_str()))
        .or(version.as_ref().map(|v| v.value.as_str()));
    let behind = match (measured, &latest) {
        (None, _) => Behind::Unknown {
            reason: "no version stated",
        },
        (Some(_), None) => Behind::Unknown {
            reason: "latest release not known",
        },
        (Some(v), Some(l)) => distance(v, &l.value),
    };
    let renewal = renewal(
        completed.as_ref().map(|c| c.value.as_str()),
        today,
        renewal_months,
    );
    Row {
        slug: unit.slug.clone(),
        name: unit.name.clone(),
        path,
        status: unit.fact(FactKey::Status).map(|f| f.value.clone()),
        self_version,
        joint_version,
        pinned,
        version,
        completed,
        latest,
        repository: found.repository,
        covered_release: found.covered,
        lag: found.lag,
        behind,
        renewal,
        no_version,
    }
}

/// What the releases data file says of one unit.
#[derive(Default)]
struct Found {
    repository: Option<String>,
    latest: Option<Release>,
    covered: Option<CoveredRelease>,
    lag: Option<Lag>,
}

/// The unit's project repository and its history, when the data file holds it.
fn known_releases<'a>(unit: &Unit, inputs: &'a Inputs) -> Option<(String, &'a History)> {
    // Most builds have no data file: no unit's facts need reading for a repository then.
    if inputs.data.repositories.is_empty() {
        return None;
    }
    let key = releases::unit_repos(unit).primary?.key();
    let history = inputs.data.repositories.get(&key)?;
    Some((key, history))
}

/// The latest release, the covered one (the stated version's, else the one current on the
/// completion date) and the lag between them.
fn against_data(history: &History, stated: Option<&Claim>, completed: Option<&Dated>) -> Found {
    let latest = releases::latest(history);
    let covered = match stated {
        Some(claim) => Some(match releases::named(history, &claim.value) {
            Some(release) => Covered::Release(release),
            None => Covered::Version(&claim.value),
        }),
        None => completed
            .and_then(|c| releases::current_on(history, &c.value))
            .map(Covered::Release),
    };
    let lag = latest.zip(covered).map(|(l, c)| releases::lag(history, c, l));
    let covered = covered.map(|c| match c {
        Covered::Release(r) => CoveredRelease {
            tag: r.tag.clone(),
            published: Some(r.published.clone()),
            inferred: stated.is_none(),
        },
        Covered::Version(v) => CoveredRelease {
            tag: v.to_owned(),
            published: None,
            inferred: false,
        },
    });
    Found {
        repository: None,
        latest: latest.cloned(),
        covered,
        lag,
    }
}

/// The best version claim among `docs` (in priority order): a declaration beats a line.
fn best_claim(docs: &[&Document]) -> Option<Claim> {
    let mut best: Option<Claim> = None;
    for doc in docs {
        let claim = match doc.facts.get(&FactKey::VersionCovered) {
            // A `TODO(tssa)` left by `tssa new` is a reminder, not a version.
            Some(fact) if is_placeholder(&fact.value) => None,
            Some(fact) => Some(claim_from_fact(fact)),
            None => version_line(doc),
        };
        if let Some(claim) = claim
            && best.as_ref().is_none_or(|b| claim.confidence > b.confidence)
        {
            best = Some(claim);
        }
    }
    best
}

fn claim_from_fact(fact: &Fact) -> Claim {
    let confidence = match fact.source {
        Provenance::FrontMatter { .. } | Provenance::Sidecar { .. } => Confidence::Declared,
        Provenance::Document { .. } | Provenance::Inferred { .. } => Confidence::Stated,
    };
    Claim::new(
        fact.value.clone(),
        fact.raw.clone(),
        fact.source.clone(),
        confidence,
    )
}

/// A `Version covered: …` line (or table row) in the document's visible text, for documents
/// whose facts do not already carry one.
fn version_line(doc: &Document) -> Option<Claim> {
    // Found when the document was parsed (and kept in the parse cache), when it was.
    let (line, raw) = match doc
        .hidden
        .as_ref()
        .and_then(|v| v.readings.as_ref())
        .map(|r| &r.version_line)
    {
        Some(VersionLine(found)) => found.clone()?,
        None => labelled(doc, VERSION_LABELS)?,
    };
    let value = clean_value(&raw);
    if value.is_empty() || is_placeholder(&value) {
        return None;
    }
    Some(Claim::new(
        value,
        raw,
        Provenance::Document {
            file: doc.source.clone(),
            line,
        },
        Confidence::Stated,
    ))
}

fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.starts_with("todo") || lower == "tbd" || lower == "n/a" || lower.contains("release, tag or commit")
}

/// Drops emphasis, code marks, a trailing dot and link syntax: `**[v1.2](url)**.` → `v1.2`.
fn clean_value(raw: &str) -> String {
    let mut text = raw
        .trim()
        .trim_matches(|c: char| c == '*' || c == '_' || c == '`')
        .trim()
        .to_owned();
    if let Some(rest) = text.strip_prefix('[')
        && let Some(end) = rest.find("](")
    {
        text = rest[..end].to_owned();
    }
    text.trim_end_matches('.').trim().trim_matches('`').to_owned()
}

/// The first visible line (outside fenced code and HTML comments) labelled with one of
/// `labels`, as `Label: value`, `* Label: value` or a `| Label | value |` table row. Returns the
/// file line and the value as written.
fn labelled(doc: &Document, labels: &[&str]) -> Option<(usize, String)> {
    labels::first(doc.visible(), labels)
}

/// A release pinned in the SBOM metadata row's links: `…/releases/tag/v1.2.3`,
/// `…/releases/download/0.14.1/sbom.tar.gz`, `…/blob/v1.2.3/go.mod`.
fn pinned_release(doc: &Document) -> Option<Claim> {
    let mut candidates: Vec<(usize, String)> = Vec::new();
    if let Some(fact) = doc.facts.get(&FactKey::Sbom) {
        let line = fact.source.line().unwrap_or(doc.body_line);
        candidates.push((line, format!("{} {}", fact.raw, fact.value)));
    }
    // Found when the document was parsed (and kept in the parse cache), when it was.
    match doc.hidden.as_ref().and_then(|v| v.readings.as_ref()) {
        Some(readings) => candidates.extend(readings.sbom_rows.iter().cloned()),
        None => candidates.extend(labels::sbom_rows(doc.visible())),
    }
    for (line, text) in candidates {
        for url in urls(&text) {
            if let Some(version) = version_in_url(url) {
                let source = Provenance::Document {
                    file: doc.source.clone(),
                    line,
                };
                return Some(Claim::new(
                    version.to_owned(),
                    url.to_owned(),
                    source,
                    Confidence::Pinned,
                ));
            }
        }
    }
    None
}

fn urls(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find("https://").or_else(|| rest.find("http://"))?;
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | ']' | '|' | '"' | '\''))
            .unwrap_or(tail.len());
        rest = &tail[end..];
        Some(&tail[..end])
    })
}

/// The tag in a GitHub release or file URL, when it looks like a version (not `main`).
fn version_in_url(url: &str) -> Option<&str> {
    let segments: Vec<&str> = url.split('/').collect();
    for window in segments.windows(3) {
        let tag = match window {
            ["releases", "tag" | "download", tag] => *tag,
            ["blob" | "tree" | "raw", tag, _] => *tag,
            ["refs", "tags", tag] => tag.trim_end_matches(".tar.gz").trim_end_matches(".zip"),
            _ => continue,
        };
        if parse_version(tag).is_some() {
            return Some(tag);
        }
    }
    None
}

/// `v1.2.3`, `1.10`, `release-2.4.0-rc1`, `Keycloak 10.0.2` → (major, minor, patch). A version
/// needs a dot or a `v` prefix, so a bare number or a commit hash is not one.
pub fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    for token in text.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')') {
        let token = token.trim_matches(|c: char| c == '`' || c == '*' || c == '_' || c == '.');
        // `release-1.2`, `keycloak/v3`: the version is the part after the last separator that
        // starts with a digit or `v` + digit.
        let mut candidate = token;
        for (i, c) in token.char_indices() {
            if matches!(c, '-' | '/' | '@' | '_') {
                let after = &token[i + 1..];
                if starts_like_version(after) {
                    candidate = after;
                    break;
                }
            }
        }
        let (prefixed, digits) = match candidate.strip_prefix(['v', 'V']) {
            Some(rest) => (true, rest),
            None => (false, candidate),
        };
        let numeric_end = digits
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(digits.len());
        let (numbers, suffix) = digits.split_at(numeric_end);
        let numbers = numbers.trim_end_matches('.');
        if numbers.is_empty() || !(suffix.is_empty() || suffix.starts_with(['-', '+'])) {
            continue;
        }
        let parts: Vec<&str> = numbers.split('.').collect();
        if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) || (!prefixed && parts.len() < 2) {
            continue;
        }
        let mut nums = parts.iter().map(|p| p.parse::<u64>());
        let major = nums.next()?.ok()?;
        let minor = nums.next().transpose().ok()?.unwrap_or(0);
        let patch = nums.next().transpose().ok()?.unwrap_or(0);
        return Some((major, minor, patch));
    }
    None
}

fn starts_like_version(text: &str) -> bool {
    let digits = text.strip_prefix(['v', 'V']).unwrap_or(text);
    digits.starts_with(|c: char| c.is_ascii_digit())
}

/// How far `covered` is behind `latest`, by the first component that differs.
pub fn distance(covered: &str, latest: &str) -> Behind {
    let (Some(c), Some(l)) = (parse_version(covered), parse_version(latest)) else {
        return Behind::Unknown {
            reason: "not a version number",
        };
    };
    if c == l {
        return Behind::Current;
    }
    if c > l {
        return Behind::Ahead;
    }
    if l.0 > c.0 {
        Behind::Major { releases: l.0 - c.0 }
    } else if l.1 > c.1 {
        Behind::Minor { releases: l.1 - c.1 }
    } else {
        Behind::Patch { releases: l.2 - c.2 }
    }
}

fn completed(unit: &Unit, final_docs: &[&Document]) -> Option<Dated> {
    if let Some(fact) = unit.fact(FactKey::Completed) {
        return Some(Dated {
            value: fact.value.clone(),
            raw: fact.raw.clone(),
            describe: fact.source.describe(),
            file: fact.source.file().map(RelPath::from),
            line: fact.source.line(),
        });
    }
    // Facts may not have read the line (an older parser, an unusual label position).
    final_docs.iter().find_map(|doc| {
        let (line, raw) = labelled(doc, COMPLETED_LABELS)?;
        let value = dates::normalise(&raw)?;
        let source = Provenance::Document {
            file: doc.source.clone(),
            line,
        };
        Some(Dated {
            value,
            raw,
            describe: source.describe(),
            file: Some(doc.source.clone()),
            line: Some(line),
        })
    })
}

fn latest(unit: &Unit, releases: &BTreeMap<String, String>, releases_source: &str) -> Option<Latest> {
    if let Some(fact) = unit.fact(FactKey::LatestRelease) {
        return Some(Latest {
            value: fact.value.clone(),
            describe: fact.source.describe(),
            published: None,
        });
    }
    let last = unit.slug.rsplit('/').next().unwrap_or(&unit.slug);
    releases
        .get(&unit.slug)
        .or_else(|| releases.get(last))
        .map(|v| Latest {
            value: v.clone(),
            describe: releases_source.to_owned(),
            published: None,
        })
}

/// `completed` + `months`, keeping the date's precision; whether `today` is past it.
/// The rule itself is [`calendar::renewal`], which check's B12 uses too.
pub fn renewal(completed: Option<&str>, today: Option<Date>, months: u32) -> Renewal {
    let r = crate::calendar::renewal(completed.and_then(Date::parse), today, months);
    Renewal {
        due: r.is_due(),
        due_on: r.due_on().map(|d| d.to_string()),
    }
}

/// Reads a releases data file: a flat map from unit slug to latest release, in YAML
/// (`keycloak: v26.0.0`) or TOML (`keycloak = "v26.0.0"`), chosen by the file extension.
/// Versions keep their spelling (`1.10` stays `1.10`): YAML values are read as strings,
/// never through a YAML number.
pub fn parse_releases(text: &str, file: &str) -> Result<BTreeMap<String, String>, Diagnostic> {
    let error = |line: usize, message: String| {
        Diagnostic::error("coverage/releases", message)
            .at(file, Some(line))
            .help("write one `slug: version` per line (YAML) or `slug = \"version\"` (TOML)")
    };
    let mut map = BTreeMap::new();
    if file.ends_with(".toml") {
        let table: toml::Table = toml::from_str(text).map_err(|err| {
            let line = err
                .span()
                .map_or(1, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            error(line, format!("not a TOML table: {}", err.message()))
        })?;
        for (slug, value) in table {
            let version = match value {
                toml::Value::String(s) => s,
                other => {
                    let line = text
                        .lines()
                        .position(|l| l.trim_start().starts_with(slug.as_str()))
                        .map_or(1, |i| i + 1);
                    return Err(error(
                        line,
                        format!("`{slug}` = {other}: write the version as a string"),
                    ));
                }
            };
            map.insert(slug, version);
        }
        return Ok(map);
    }
    // Values are read into `String`s, so serde-saphyr keeps a plain scalar's spelling
    // (`1.10` stays `1.10`, not the number 1.1); `Spanned` keeps each value's line for
    // the empty-value diagnostic. Duplicate keys are errors, as a second line for the same
    // unit is a mistake. The file is a flat map, so a tight budget costs nothing.
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: 4,
            flow_nesting_limit: 4,
            max_nodes: 100_000,
        },
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        with_snippet: false,
    };
    let parsed: Option<BTreeMap<String, serde_saphyr::Spanned<String>>> =
        serde_saphyr::from_str_with_options(text, options).map_err(|err| {
            let err = err.without_snippet();
            let line = err
                .location()
                .and_then(|l| usize::try_from(l.line()).ok())
                .map_or(1, |l| l.max(1));
            use serde_saphyr::MessageFormatter;
            let message = serde_saphyr::UserMessageFormatter.format_message(err);
            error(line, format!("not a flat map of `slug: version`: {message}"))
        })?;
    for (slug, version) in parsed.unwrap_or_default() {
        let line = usize::try_from(version.referenced.line()).map_or(1, |l| l.max(1));
        let version = version.value.trim();
        if slug.trim().is_empty() || version.is_empty() {
            return Err(error(
                line,
                format!("expected `slug: version`, found `{slug}` without a version"),
            ));
        }
        map.insert(slug, version.to_owned());
    }
    Ok(map)
}

// ---------------------------------------------------------------------------------------
// Inputs: the clock and the releases data file. The only I/O of this module.
// ---------------------------------------------------------------------------------------

/// The releases data file, the one input of [`coverage`] read from disk.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// A flat `slug: version` map (the YAML or TOML form): latest releases only.
    pub releases: BTreeMap<String, String>,
    /// The JSON form `tssa releases fetch` writes: every release of each repository.
    pub data: Data,
    /// How provenance names the releases file.
    pub releases_source: String,
    /// Whether a releases file was read.
    pub read: bool,
}

impl Inputs {
    /// The releases file from `[coverage] releases`. A missing or malformed file is a
    /// diagnostic, never a failure: coverage then just lacks latest releases.
    pub fn from_config(config: &Config) -> (Inputs, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut inputs = Inputs {
            releases_source: "releases data file".to_owned(),
            ..Inputs::default()
        };
        if let Some(path) = &config.releases {
            let shown = display_path(path, config);
            inputs.releases_source = format!("releases data file {shown}");
            // Capped: the path may name a device or a huge file.
            match crate::fsread::read_capped_string(path, config.limits.file_bytes) {
                Ok(text) if shown.ends_with(".json") => match Data::parse(&text, &shown) {
                    Ok(data) => (inputs.data, inputs.read) = (data, true),
                    Err(d) => diagnostics.push(d),
                },
                Ok(text) => match parse_releases(&text, &shown) {
                    Ok(map) => (inputs.releases, inputs.read) = (map, true),
                    Err(d) => diagnostics.push(d),
                },
                Err(err) => diagnostics.push(
                    Diagnostic::warning(
                        "coverage/releases-unreadable",
                        format!("cannot read the releases data file: {err}"),
                    )
                    .at(shown, None)
                    .help(
                        "fix [coverage] releases in book.toml, or remove it (or raise [limits] file_bytes)",
                    ),
                ),
            }
        }
        (inputs, diagnostics)
    }
}

fn display_path(path: &Path, config: &Config) -> String {
    let base = config
        .file
        .as_deref()
        .and_then(Path::parent)
        .unwrap_or(&config.root);
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Outline, Unit};

    fn doc(kind: DocKind, source: &str, body: &str) -> Document {
        Document {
            kind,
            source: source.into(),
            rel: source.rsplit('/').next().unwrap_or(source).into(),
            url: Default::default(),
            title: String::new(),
            body: body.to_owned(),
            body_line: 1,
            outline: Outline::default(),
            hidden: None,
            facts: Default::default(),
            origin: None,
        }
    }

    fn unit(slug: &str, documents: Vec<Document>) -> Unit {
        Unit {
            slug: slug.to_owned(),
            name: slug.to_owned(),
            dir: format!("projects/{slug}").into(),
            documents,
            assets: vec![],
            facts: Default::default(),
            meta: Default::default(),
        }
    }

    fn fact(value: &str, source: Provenance) -> Fact {
        Fact {
            value: value.to_owned(),
            raw: value.to_owned(),
            source,
        }
    }

    #[test]
    fn versions_from_document_lines_with_provenance() {
        let mut readme = doc(
            DocKind::Summary,
            "projects/keycloak/README.md",
            "# Keycloak\n\nCompleted: June 2020\n\n<!-- Version covered: v1 -->\nProject version reviewed: v10.0.2\n",
        );
        // What the fact parser reads; the version line is left to coverage's own scan.
        readme.facts.insert(
            FactKey::Completed,
            fact(
                "2020-06",
                Provenance::Document {
                    file: "projects/keycloak/README.md".into(),
                    line: 3,
                },
            ),
        );
        let sa = doc(
            DocKind::SelfAssessment,
            "projects/keycloak/self-assessment.md",
            "# SA\n\n| Metadata | |\n",
        );
        let u = unit("keycloak", vec![readme, sa]);
        let row = row(&u, Date::parse("2025-01-01"), 12, &Inputs::default());
        assert_eq!(row.path, "joint");
        let joint = row
            .joint_version
            .as_ref()
            .map(|c| (c.value.as_str(), c.describe.as_str(), c.confidence));
        assert_eq!(
            joint,
            Some(("v10.0.2", "projects/keycloak/README.md:6", Confidence::Stated))
        );
        assert!(row.self_version.is_none());
        assert!(!row.no_version);
        assert_eq!(row.completed.as_ref().map(|c| c.value.as_str()), Some("2020-06"));
        assert_eq!(
            row.renewal,
            Renewal {
                due: Some(true),
                due_on: Some("2021-06".into())
            }
        );
        assert_eq!(
            row.behind,
            Behind::Unknown {
                reason: "latest release not known"
            }
        );
    }

    /// The version line found when a document was parsed is the one coverage shows: the
    /// same as its own scan finds, and read rather than found again.
    #[test]
    fn version_line_found_at_parse_time_is_used() {
        let body = "# Keycloak\n\n<!-- Version covered: v1 -->\nProject version reviewed: v10.0.2\n";
        let source = "projects/keycloak/README.md";
        let parsed = crate::parse::parse_document(source, body.as_bytes(), DocKind::Summary);
        let visibility = parsed.hidden.expect("visibility");
        assert_eq!(
            visibility.readings.as_ref().map(|r| &r.version_line),
            Some(&VersionLine(Some((4, "v10.0.2".to_owned()))))
        );
        let shown = |hidden: Option<crate::model::Visibility>| {
            let mut readme = doc(DocKind::Summary, source, body);
            readme.hidden = hidden;
            let u = unit("keycloak", vec![readme]);
            let row = row(&u, None, 12, &Inputs::default());
            row.joint_version.map(|c| (c.value, c.describe))
        };
        let expected = Some(("v10.0.2".to_owned(), format!("{source}:4")));
        assert_eq!(shown(None), expected);
        assert_eq!(shown(Some(visibility.clone())), expected);
        let mut moved = visibility;
        if let Some(readings) = moved.readings.as_mut() {
            readings.version_line = VersionLine(Some((2, "v7".to_owned())));
        }
        assert_eq!(shown(Some(moved)), Some(("v7".to_owned(), format!("{source}:2"))));
    }

    #[test]
    fn front_matter_beats_lines_and_latest_from_releases_file() {
        let mut sa = doc(
            DocKind::SelfAssessment,
            "p/x/self-assessment.md",
            "Version covered: v0.9\n",
        );
        sa.facts.insert(
            FactKey::VersionCovered,
            fact(
                "v1.2.3",
                Provenance::FrontMatter {
                    file: "p/x/self-assessment.md".into(),
                    line: 3,
                },
            ),
        );
        let mut u = unit("group/x", vec![sa]);
        u.facts.insert(
            FactKey::Completed,
            fact(
                "2025-03-10",
                Provenance::FrontMatter {
                    file: "p/x/self-assessment.md".into(),
                    line: 4,
                },
            ),
        );
        let inputs = Inputs {
            releases: BTreeMap::from([("x".to_owned(), "v1.4.0".to_owned())]),
            releases_source: "releases data file releases.yaml".to_owned(),
            ..Inputs::default()
        };
        let row = row(&u, Date::parse("2025-06-01"), 12, &inputs);
        let own = row
            .self_version
            .as_ref()
            .map(|c| (c.value.as_str(), c.confidence));
        assert_eq!(own, Some(("v1.2.3", Confidence::Declared)));
        assert_eq!(row.path, "self");
        assert_eq!(
            row.latest.as_ref().map(|l| l.describe.as_str()),
            Some("releases data file releases.yaml")
        );
        assert_eq!(row.behind, Behind::Minor { releases: 2 });
        assert_eq!(row.renewal.due, Some(false));
        assert!(row.summary(12).contains("covers v1.2.3"), "{}", row.summary(12));
    }

    /// With release data, a package that states no version is measured from the release
    /// current on its completion date; one completed before any release is not measured.
    #[test]
    fn release_data_infers_the_covered_release() {
        let software = fact(
            "https://github.com/acme/rocket",
            Provenance::Document {
                file: "p/r/self-assessment.md".into(),
                line: 5,
            },
        );
        let completed_on = |date: &str| {
            let mut u = unit(
                "rocket",
                vec![doc(DocKind::SelfAssessment, "p/r/self-assessment.md", "# R\n")],
            );
            u.facts.insert(FactKey::Software, software.clone());
            u.facts
                .insert(FactKey::Completed, fact(date, software.source.clone()));
            u
        };
        let release = |tag: &str, published: &str| Release {
            tag: tag.to_owned(),
            name: None,
            published: published.to_owned(),
            prerelease: false,
        };
        let history = History {
            fetched: "2025-01-01".to_owned(),
            source: releases::Source::Releases,
            releases: vec![release("v1.3.0", "2024-09-01"), release("v1.2.0", "2024-02-10")],
        };
        let inputs = Inputs {
            data: Data {
                format: releases::FORMAT,
                repositories: BTreeMap::from([("acme/rocket".to_owned(), history)]),
            },
            releases_source: "releases data file releases.json".to_owned(),
            read: true,
            ..Inputs::default()
        };
        let row = row(&completed_on("2024-05-01"), None, 12, &inputs);
        assert!(row.no_version);
        assert_eq!(row.repository.as_deref(), Some("acme/rocket"));
        assert_eq!(
            row.covered_release,
            Some(CoveredRelease {
                tag: "v1.2.0".to_owned(),
                published: Some("2024-02-10".to_owned()),
                inferred: true
            })
        );
        assert_eq!(row.latest.as_ref().map(|l| l.value.as_str()), Some("v1.3.0"));
        assert_eq!(row.behind, Behind::Minor { releases: 1 });
        assert_eq!(
            row.lag.map(|l| l.label()).as_deref(),
            Some("1 release and 6 months")
        );
        assert!(
            row.summary(12)
                .contains("release covered v1.2.0 (inferred from the completion date)"),
            "{}",
            row.summary(12)
        );
        let early = super::row(&completed_on("2023-12"), None, 12, &inputs);
        assert_eq!(early.covered_release, None);
        assert_eq!(early.lag, None);
        assert_eq!(
            early.behind,
            Behind::Unknown {
                reason: "no version stated"
            }
        );
    }

    #[test]
    fn sbom_pins_are_weaker_and_do_not_count_as_stated() {
        let sa = doc(
            DocKind::SelfAssessment,
            "p/w/self-assessment.md",
            "| SBOM | see [sbom](https://github.com/W/W/releases/download/0.14.1/sbom.tar.gz) |\n| Software | https://github.com/W/W/blob/main/x |\n",
        );
        let u = unit("w", vec![sa]);
        let row = row(&u, None, 12, &Inputs::default());
        assert!(row.no_version);
        let pinned = row
            .pinned
            .as_ref()
            .map(|c| (c.value.as_str(), c.confidence, c.describe.as_str()));
        assert_eq!(
            pinned,
            Some(("0.14.1", Confidence::Pinned, "p/w/self-assessment.md:1"))
        );
        assert_eq!(row.version.as_ref().map(|c| c.value.as_str()), Some("0.14.1"));
        assert_eq!(
            row.renewal,
            Renewal {
                due: None,
                due_on: None
            }
        );
        assert!(
            row.summary(12)
                .starts_with("no version stated; an SBOM link pins 0.14.1")
        );
    }

    #[test]
    fn placeholders_and_code_are_not_versions() {
        let mut sa = doc(
            DocKind::SelfAssessment,
            "p/n/self-assessment.md",
            "```\nVersion covered: v9.9.9\n```\nVersion covered: TODO(tssa): the release\n| SBOM | https://github.com/a/b/blob/master/go.mod |\n",
        );
        // What the fact parser reads from a `tssa new` draft.
        sa.facts.insert(
            FactKey::VersionCovered,
            fact(
                "TODO(tssa)",
                Provenance::Document {
                    file: "p/n/self-assessment.md".into(),
                    line: 4,
                },
            ),
        );
        let row = row(&unit("n", vec![sa]), None, 12, &Inputs::default());
        assert!(row.no_version);
        assert!(row.version.is_none());
        assert_eq!(
            row.behind,
            Behind::Unknown {
                reason: "no version stated"
            }
        );
    }

    #[test]
    fn totals_count_each_row_once() {
        let site = Site {
            title: String::new(),
            description: String::new(),
            units: vec![
                unit(
                    "a",
                    vec![doc(
                        DocKind::JointAssessment,
                        "a/joint-assessment.md",
                        "Completed: 2019-05\nVersion covered: 1.0\n",
                    )],
                ),
                unit(
                    "b",
                    vec![doc(DocKind::SelfAssessment, "b/self-assessment.md", "# B\n")],
                ),
            ],
            process: vec![],
            pages: vec![],
            files: vec![],
            diagnostics: vec![],
        };
        let cov = coverage(&site, Date::parse("2024-01-01"), 12, &Inputs::default());
        assert_eq!(
            cov.totals,
            Totals {
                units: 2,
                version_stated: 1,
                no_version: 1,
                pinned_only: 0,
                renewal_due: 1,
                renewal_current: 0,
                no_completion_date: 1,
                joint: 1,
                self_only: 1,
                latest_known: 0,
                release_inferred: 0,
            }
        );
        // Without a date, renewal is left unjudged rather than guessed.
        let cov = coverage(&site, None, 12, &Inputs::default());
        assert_eq!(cov.totals.renewal_due, 0);
        assert_eq!(cov.today, None);
    }

    #[test]
    fn semver_distance() {
        assert_eq!(parse_version("v10.0.2"), Some((10, 0, 2)));
        assert_eq!(parse_version("Keycloak 10.0.2"), Some((10, 0, 2)));
        assert_eq!(parse_version("release-2.4.0-rc1"), Some((2, 4, 0)));
        assert_eq!(parse_version("1.10"), Some((1, 10, 0)));
        assert_eq!(parse_version("v3"), Some((3, 0, 0)));
        assert_eq!(parse_version("a1b2c3d"), None);
        assert_eq!(parse_version("2019"), None);
        assert_eq!(parse_version("main"), None);
        assert_eq!(distance("v1.2.3", "1.2.3"), Behind::Current);
        assert_eq!(distance("v1.2.3", "v1.2.7"), Behind::Patch { releases: 4 });
        assert_eq!(distance("1.2.9", "1.5.0"), Behind::Minor { releases: 3 });
        assert_eq!(distance("v10.0.2", "v26.1.0"), Behind::Major { releases: 16 });
        assert_eq!(distance("2.0", "1.9"), Behind::Ahead);
        assert_eq!(
            distance("abc", "1.0"),
            Behind::Unknown {
                reason: "not a version number"
            }
        );
        assert_eq!(Behind::Minor { releases: 1 }.label(), "1 minor release behind");
    }

    #[test]
    fn renewal_due_at_the_dates_precision() {
        assert_eq!(
            renewal(Some("2024-05-10"), Date::parse("2025-05-10"), 12).due,
            Some(false)
        );
        assert_eq!(
            renewal(Some("2024-05-10"), Date::parse("2025-05-11"), 12).due,
            Some(true)
        );
        assert_eq!(
            renewal(Some("2024-05"), Date::parse("2025-05-31"), 12).due,
            Some(false)
        );
        assert_eq!(
            renewal(Some("2024-05"), Date::parse("2025-06-01"), 12).due,
            Some(true)
        );
        assert_eq!(
            renewal(Some("2024-02-29"), None, 12),
            Renewal {
                due: None,
                due_on: Some("2025-02-28".into())
            }
        );
        assert_eq!(
            renewal(Some("2024-11-15"), Date::parse("2025-06-01"), 6)
                .due_on
                .as_deref(),
            Some("2025-05-15")
        );
        assert_eq!(renewal(None, Date::parse("2025-06-01"), 12).due, None);
    }

    #[test]
    fn releases_files() {
        let yaml =
            "# latest releases\nkeycloak: v26.0.0\nflux: \"1.10\"  # quoted\nfluentd/fluent-bit: 3.2\n";
        let map = parse_releases(yaml, "releases.yaml").unwrap_or_default();
        assert_eq!(map.get("flux").map(String::as_str), Some("1.10"));
        assert_eq!(map.get("fluentd/fluent-bit").map(String::as_str), Some("3.2"));
        assert_eq!(map.len(), 3);
        let err = parse_releases("a: 1\nb:\n  c: 2\n", "r.yaml")
            .err()
            .map(|d| (d.line, d.code));
        // The nested map starts on line 3; the hand-written reader named line 2 only because
        // it saw `b:` without a value there.
        assert_eq!(err, Some((Some(3), "coverage/releases".to_owned())));
        let toml = "keycloak = \"v26.0.0\"\n\"fluentd/fluent-bit\" = \"3.2.1\"\n";
        let map = parse_releases(toml, "releases.toml").unwrap_or_default();
        assert_eq!(map.get("fluentd/fluent-bit").map(String::as_str), Some("3.2.1"));
        assert!(parse_releases("x = 1.10\n", "releases.toml").is_err());
        // Unquoted versions keep their spelling; flow maps and an empty file are fine too.
        let map = parse_releases("---\nflux: 1.10\nk: v2 # note\n", "r.yaml").unwrap_or_default();
        assert_eq!(map.get("flux").map(String::as_str), Some("1.10"));
        assert_eq!(map.get("k").map(String::as_str), Some("v2"));
        assert_eq!(parse_releases("{a: 1.0}", "r.yml").map(|m| m.len()), Ok(1));
        assert_eq!(parse_releases("# nothing yet\n", "r.yaml"), Ok(BTreeMap::new()));
        for (bad, line) in [
            ("a: 1\nb:\n", 2),
            ("a: 1\na: 2\n", 2),
            ("a: 1\nb: [1, 2]\n", 2),
            ("a: 1\n  b: 2\n", 2),
            ("- a\n", 1),
            ("a: 'open\n", 1),
        ] {
            let err = parse_releases(bad, "r.yaml").err();
            assert_eq!(err.map(|d| d.line), Some(Some(line)), "{bad:?}");
        }
    }
}
