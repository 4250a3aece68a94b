//! The checklist of `tssa-rules.md` §2–3 (A1–A4, B0–B12) for one unit: each item's state,
//! evidence and process link, then exemptions and level overrides.

use crate::calendar::{self, Date, Renewal};
use crate::diagnostic::Diagnostic;
use crate::model::{DocKind, Fact, FactKey, Provenance, Unit};

use super::documents::{self, Outcome};
use super::findings::{Ctx, Finding};
use super::outlines::NOT_TRACKING;
use super::rules::rule_by_id;
use super::ruleset::{self, Ruleset};
use super::view::{View, normalise};
use super::{
    CheckConfig, Evidence, ExemptedFinding, ItemId, ItemResult, ItemState, ProcessRef, UnitReport, coi,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Path {
    SelfOnly,
    Joint,
}

/// Where each process document of the site has its headings, to point items at headings
/// that exist: the corpus guide (2024-11) and older or hand-written guides name the same
/// steps differently.
pub(crate) struct ProcessIndex<'s> {
    docs: Vec<(&'s str, Vec<(String, &'s str)>)>,
    /// Each candidate heading in comparison form: the same few dozen are asked for every
    /// item of every unit, and normalising them again was a twentieth of a warm `check`.
    wanted: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl<'s> ProcessIndex<'s> {
    pub fn new(process: &'s [crate::model::Document]) -> Self {
        let docs = process
            .iter()
            .map(|d| {
                let headings = d
                    .outline
                    .headings
                    .iter()
                    .map(|h| (normalise(&h.text), h.text.as_str()))
                    .collect();
                (d.rel.as_str(), headings)
            })
            .collect();
        ProcessIndex {
            docs,
            wanted: std::sync::Mutex::default(),
        }
    }

    /// The first candidate whose heading exists, with the heading as the document writes it;
    /// else the first candidate as given.
    fn resolve(&self, candidates: &[(&str, &str)]) -> ProcessRef {
        let mut wanted = self
            .wanted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (doc, heading) in candidates {
            if !wanted.contains_key(*heading) {
                wanted.insert((*heading).to_owned(), normalise(heading));
            }
            let want = wanted.get(*heading).map_or("", String::as_str);
            let found = self
                .docs
                .iter()
                .filter(|(rel, _)| rel == doc)
                .flat_map(|(_, hs)| hs)
                .find(|(norm, _)| norm == want);
            if let Some((_, text)) = found {
                return ProcessRef {
                    doc: (*doc).to_owned(),
                    heading: (*text).to_owned(),
                };
            }
        }
        let (doc, heading) = candidates
            .first()
            .copied()
            .unwrap_or(("guide/README.md", "TSSA package steps"));
        ProcessRef {
            doc: doc.to_owned(),
            heading: heading.to_owned(),
        }
    }
}

const GUIDE: &str = "guide/README.md";

/// Title, step and the process headings an item comes from, best first, under a rule set
/// and renewal period.
fn describe(
    id: ItemId,
    ruleset: Ruleset,
    renewal_months: u32,
) -> (String, &'static str, Vec<(&'static str, &'static str)>) {
    let additional = ruleset.min_reviewers() - 1;
    let newest = ruleset == Ruleset::Tssa2024_11;
    match id {
        ItemId::A1 => (
            "Complete a self-assessment".into(),
            "Self-assessment",
            vec![(GUIDE, "Complete a self-assessment")],
        ),
        ItemId::A2 => (
            "Create a presentation issue".into(),
            "Presentation issue",
            vec![(GUIDE, "Create a presentation issue")],
        ),
        ItemId::A3 => (
            "Present the project and self-assessment at a TAG meeting".into(),
            "Presentation",
            vec![(GUIDE, "Present the project and self-assessment")],
        ),
        ItemId::A4 => (
            "Submit a PR adding the self-assessment under the project's own folder".into(),
            "Pull request",
            vec![(GUIDE, "Submit a PR to include the self-assessment in the repo")],
        ),
        ItemId::B0 => (
            "Preconditions: a cloud native project, a project lead and a written self-assessment".into(),
            "Intake",
            vec![("intake-process.md", "Pre-conditions")],
        ),
        ItemId::B1 => (
            "Create a tracking issue".into(),
            "Tracking issue",
            vec![(GUIDE, "Create tracking issue")],
        ),
        ItemId::B2 => (
            match ruleset {
                Ruleset::Tssa2019 => "Write the assessment document (2019 outline)".into(),
                Ruleset::Tssa2021 => {
                    "The project drafts the joint assessment from its self-assessment".into()
                }
                Ruleset::Tssa2024_11 => "The assessment team drafts the joint assessment".into(),
            },
            "Joint assessment",
            if ruleset == Ruleset::Tssa2021 {
                vec![
                    (
                        GUIDE,
                        "Project leverages self-assessment to draft joint assessment",
                    ),
                    ("guide/joint-assessment.md", "Joint-assessment Outline"),
                ]
            } else {
                vec![("guide/joint-assessment.md", "Joint-assessment Outline")]
            },
        ),
        ItemId::B3 => (
            format!("A lead security reviewer and at least {additional} additional reviewer(s)"),
            "Reviewers assigned",
            vec![
                (
                    GUIDE,
                    "Project provides the self assessment and reviewers are assigned",
                ),
                (
                    GUIDE,
                    "Project provides the joint assessment and reviewers are assigned",
                ),
            ],
        ),
        ItemId::B4 => (
            "Conflict-of-interest statements from every reviewer, escalated where needed".into(),
            "Conflict of interest",
            vec![(GUIDE, "Conflict of interest statement and review")],
        ),
        ItemId::B5 => (
            "Clarifying questions phase".into(),
            "Clarifying questions",
            vec![(GUIDE, "Clarifying questions phase")],
        ),
        ItemId::B6 => (
            "Security assessment, with an optional hands-on assessment".into(),
            "Security assessment",
            if newest {
                vec![
                    (GUIDE, "Security assessment"),
                    (GUIDE, "Security assessment with optional hands-on assessment"),
                ]
            } else {
                vec![
                    (GUIDE, "Security assessment with optional hands-on assessment"),
                    (GUIDE, "Security assessment"),
                ]
            },
        ),
        ItemId::B7 => (
            "Presentation at a TAG meeting, slides linked in the project folder".into(),
            "Presentation",
            vec![(GUIDE, "Presentation")],
        ),
        ItemId::B8 => (
            "Final summary (README) naming the version covered".into(),
            "Final summary",
            vec![
                (GUIDE, "Final summary"),
                (
                    "guide/joint-readme-template.md",
                    "[Project Name] TAG-Security Security Assessment",
                ),
            ],
        ),
        ItemId::B9 => (
            "Pull request approved by at least one co-chair and the reviewers".into(),
            "Final artifacts",
            if newest {
                vec![
                    ("guide/security-reviewer.md", "Expectations"),
                    (GUIDE, "Final artifacts which are committed"),
                ]
            } else {
                vec![
                    (GUIDE, "Final summary"),
                    ("guide/security-reviewer.md", "Expectations"),
                ]
            },
        ),
        ItemId::B10 => (
            "Post-assessment survey".into(),
            "Survey",
            vec![(GUIDE, "Post-assessment survey")],
        ),
        ItemId::B11 => (
            "Process notes: turnaround and pausing".into(),
            "Process notes",
            vec![
                (GUIDE, "Additional Process Notes"),
                (GUIDE, "Turnaround and pausing"),
            ],
        ),
        ItemId::B12 => (
            // The process says "annually"; a site with another period names it.
            if renewal_months == 12 {
                "Annual renewal of the assessment".into()
            } else {
                format!("Renewal of the assessment {renewal_months} months after completion")
            },
            "Renewal",
            vec![("intake-process.md", "Updates and renewal"), (GUIDE, "Renewal")],
        ),
    }
}

struct Item {
    state: ItemState,
    evidence: Vec<Evidence>,
    note: Option<String>,
}

fn item(state: ItemState, evidence: Vec<Evidence>, note: impl Into<Option<String>>) -> Item {
    Item {
        state,
        evidence,
        note: note.into(),
    }
}

fn na(note: &str) -> Item {
    item(ItemState::NotApplicable, Vec::new(), Some(note.to_owned()))
}

fn fact_evidence(fact: &Fact, label: &str) -> Evidence {
    Evidence {
        file: fact.source.file().map(str::to_owned),
        line: fact.source.line(),
        note: format!("{label}: {}", fact.raw.trim()),
    }
}

fn file_evidence(file: &str, line: Option<usize>, note: impl Into<String>) -> Evidence {
    Evidence {
        file: Some(file.to_owned()),
        line,
        note: note.into(),
    }
}

/// The state of a document check: passed when nothing required is missing.
fn doc_item(view: &View<'_>, outcome: &Outcome, what: &str, extra: Option<String>) -> Item {
    let evidence = vec![file_evidence(&view.doc.source, Some(view.top_line()), what)];
    let mut notes = Vec::new();
    if !outcome.missing.is_empty() {
        notes.push(format!("missing: {}", outcome.missing.join(", ")));
    }
    if !outcome.unknown.is_empty() {
        notes.push(format!(
            "not yet in the template when it may have been written: {}",
            outcome.unknown.join(", ")
        ));
    }
    if outcome.todo > 0 {
        notes.push(format!("{} part(s) still marked TODO(tssa)", outcome.todo));
    }
    notes.extend(extra);
    let state = if outcome.complete() {
        ItemState::Passed
    } else {
        ItemState::Missing
    };
    item(state, evidence, (!notes.is_empty()).then(|| notes.join("; ")))
}

/// The stage the self-assessment gives itself, for the A1 note.
fn stage_note(view: &View<'_>) -> Option<String> {
    let stage = view.doc.facts.get(&FactKey::Status)?;
    Some(match stage.value.as_str() {
        "complete" => "Assessment Stage: Complete".to_owned(),
        "obsolete" => "Assessment Stage: Obsolete (superseded)".to_owned(),
        _ => format!(
            "Assessment Stage: {} (the authors consider it a draft)",
            stage.raw.trim()
        ),
    })
}

/// Declared or labelled presentation facts, and slide files in the folder.
fn presentation_evidence(unit: &Unit) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = [
        FactKey::PresentationDate,
        FactKey::PresentationRecording,
        FactKey::PresentationSlides,
    ]
    .iter()
    .filter_map(|k| unit.fact(*k).map(|f| fact_evidence(f, k.label())))
    .collect();
    // Bare video and slide links are not evidence: in the corpus they are conference talks,
    // team meetings and architecture decks far more often than the TAG presentation. The
    // parsers record the labelled ones (`TAG-Security Slides`) as facts.
    for asset in &unit.assets {
        let lower = asset.source.to_lowercase();
        let slides_ext = [".pptx", ".ppt", ".key", ".odp"]
            .iter()
            .any(|e| lower.ends_with(e));
        let named = lower.ends_with(".pdf") && (lower.contains("slide") || lower.contains("presentation"));
        if slides_ext || named {
            out.push(file_evidence(&asset.source, None, "slides in the folder"));
        }
    }
    out
}

/// A label's value that is still the template's or `tssa new`'s placeholder: no names.
fn is_placeholder_value(value: &str) -> bool {
    let v = value.trim().trim_matches(['*', '_', ' ']).to_lowercase();
    v.is_empty() || v.starts_with("todo") || v.contains("as appropriate") || v.starts_with("link to issue")
}

/// Reviewer names in a `Security reviewers:` value.
fn count_names(text: &str) -> usize {
    text.replace(" and ", ",")
        .split([',', ';', '\n'])
        .filter(|p| p.chars().any(char::is_alphanumeric))
        .count()
}

/// What every item's judgement may look at besides the unit: the settings, the path, and the
/// package's documents as views.
struct Package<'a, 'v> {
    config: &'a CheckConfig,
    path: Path,
    self_view: Option<&'a View<'v>>,
    joint_views: &'a [View<'v>],
    /// The joint-assessment file that follows the joint outline.
    joint_outline: Option<&'a View<'v>>,
    /// The final summary: the README, or a joint-assessment file holding summary content.
    summary: Option<&'a View<'v>>,
}

/// One item's judgement. Each may record findings in the context.
type Judge = fn(&mut Ctx<'_>, &Package<'_, '_>) -> Item;

/// The self-assessment path after A1, which both paths judge.
const SELF_ITEMS: [(ItemId, Judge); 3] = [(ItemId::A2, a2), (ItemId::A3, a3), (ItemId::A4, a4)];

/// The joint path, in report order. The order also fixes the order of exempted findings.
const JOINT_ITEMS: [(ItemId, Judge); 13] = [
    (ItemId::B0, b0),
    (ItemId::B1, b1),
    (ItemId::B2, b2),
    (ItemId::B3, b3),
    (ItemId::B4, b4),
    (ItemId::B5, b5),
    (ItemId::B6, b6),
    (ItemId::B7, b7),
    (ItemId::B8, b8),
    (ItemId::B9, b9),
    (ItemId::B10, b10),
    (ItemId::B11, b11),
    (ItemId::B12, b12),
];

pub(crate) fn judge(unit: &Unit, config: &CheckConfig, process: &ProcessIndex<'_>) -> UnitReport {
    let choice = ruleset::choose(unit, config.default_ruleset);
    let mut ctx = Ctx {
        unit,
        ruleset: choice.ruleset,
        era: ruleset::completed(unit),
        findings: Vec::new(),
    };
    package_findings(&mut ctx, &choice);

    let self_view = unit.document(DocKind::SelfAssessment).map(View::new);
    let joint_views: Vec<View<'_>> = unit
        .documents
        .iter()
        .filter(|d| d.kind == DocKind::JointAssessment)
        .map(View::new)
        .collect();
    let readme = unit.document(DocKind::Summary).map(View::new);
    let joint_outline = joint_views.iter().find(|v| documents::is_outline(v));
    let summary = readme.as_ref().filter(|v| documents::is_summary(v)).or_else(|| {
        joint_views
            .iter()
            .find(|v| !documents::is_outline(v) && documents::is_summary(v))
    });
    let inferred = if !joint_views.is_empty() || summary.is_some() {
        Path::Joint
    } else {
        Path::SelfOnly
    };
    let package = Package {
        config,
        path: declared_path(&mut ctx, inferred),
        self_view: self_view.as_ref(),
        joint_views: &joint_views,
        joint_outline,
        summary,
    };

    let mut results: Vec<(ItemId, Item)> = Vec::with_capacity(ItemId::ALL.len());
    results.push((ItemId::A1, a1(&mut ctx, &package)));
    let (self_note, joint_note) = (
        "abbreviated (self-assessment) path only",
        "joint assessment path only",
    );
    for (id, judge) in SELF_ITEMS {
        let it = match package.path {
            Path::SelfOnly => judge(&mut ctx, &package),
            Path::Joint => na(self_note),
        };
        results.push((id, it));
    }
    for (id, judge) in JOINT_ITEMS {
        let it = match package.path {
            Path::Joint => judge(&mut ctx, &package),
            Path::SelfOnly => na(joint_note),
        };
        results.push((id, it));
    }

    finish(unit, config, process, choice, package.path, results, ctx.findings)
}

/// Findings about the package as a whole: its declared rule set and its folder's name.
fn package_findings(ctx: &mut Ctx<'_>, choice: &ruleset::Choice) {
    let unit = ctx.unit;
    if let Some((raw, source)) = &choice.unknown {
        ctx.emit(
            None,
            "package/unknown-ruleset",
            source.file().unwrap_or(&unit.dir),
            source.line(),
            format!(
                "unknown rule set `{raw}`; judged by {} ({})",
                choice.ruleset, choice.reason
            ),
            "write `ruleset: tssa-2019`, `tssa-2021` or `tssa-2024-11`",
        );
    }
    let folder = unit.dir.rsplit('/').next().unwrap_or(&unit.dir);
    if folder.chars().any(|c| c.is_uppercase() || c.is_whitespace()) {
        ctx.emit(
            Some(ItemId::A4),
            "package/folder-name",
            &unit.dir,
            None,
            format!("the folder `{folder}` is not a lowercase-hyphen name"),
            "rename the folder to lowercase words joined by hyphens (e.g. `operator-framework`), as the other packages are",
        );
    }
}

/// The path front matter declares, else the one the documents suggest.
fn declared_path(ctx: &mut Ctx<'_>, inferred: Path) -> Path {
    let unit = ctx.unit;
    let Some(f) = unit.fact(FactKey::AssessmentPath) else {
        return inferred;
    };
    match f.value.trim().to_ascii_lowercase().as_str() {
        "self" | "abbreviated" | "self-assessment" => Path::SelfOnly,
        "joint" | "joint-assessment" => Path::Joint,
        _ => {
            ctx.emit(
                None,
                "package/unknown-path",
                f.source.file().unwrap_or(&unit.dir),
                f.source.line(),
                format!(
                    "unknown assessment path `{}`; judged as {}",
                    f.raw.trim(),
                    if inferred == Path::Joint { "joint" } else { "self" }
                ),
                "write `assessment_path: self` or `assessment_path: joint`",
            );
            inferred
        }
    }
}

/// A1: the self-assessment. On the joint path of tssa-2019 the project's document was the
/// joint review's document, judged under B2 instead.
fn a1(ctx: &mut Ctx<'_>, p: &Package<'_, '_>) -> Item {
    let rs = ctx.ruleset;
    match (p.self_view, p.path) {
        (Some(_), Path::Joint) if rs == Ruleset::Tssa2019 => {
            na("under tssa-2019 the project's self-assessment was the joint review document; see B2")
        }
        (Some(v), _) => {
            let outcome = documents::check_self_assessment(ctx, v, ItemId::A1);
            doc_item(v, &outcome, "self-assessment.md", stage_note(v))
        }
        (None, Path::SelfOnly) => missing_self(ctx),
        (None, Path::Joint) if rs == Ruleset::Tssa2024_11 => missing_self(ctx),
        (None, Path::Joint) => {
            na("this rule set recommends, but does not require, a self-assessment before a joint assessment")
        }
    }
}

fn missing_self(ctx: &mut Ctx<'_>) -> Item {
    ctx.emit(
        Some(ItemId::A1),
        "package/missing-self-assessment",
        &format!("{}/self-assessment.md", ctx.unit.dir),
        None,
        "the package has no self-assessment.md",
        "write one from guide/self-assessment.md and add it to the project folder",
    );
    item(
        ItemState::Missing,
        Vec::new(),
        Some("no self-assessment.md in the folder".to_owned()),
    )
}

/// A2: the presentation issue, which only front matter can record.
fn a2(ctx: &mut Ctx<'_>, _: &Package<'_, '_>) -> Item {
    match ctx.unit.fact(FactKey::PresentationIssue) {
        Some(f) => item(
            ItemState::Passed,
            vec![fact_evidence(f, "presentation issue")],
            None,
        ),
        None => item(
            ItemState::NotEvidenced,
            Vec::new(),
            Some(
                "no file links the presentation issue; declare `presentation: {issue: …}` in front matter"
                    .to_owned(),
            ),
        ),
    }
}

/// A3: the presentation at a TAG meeting.
fn a3(ctx: &mut Ctx<'_>, _: &Package<'_, '_>) -> Item {
    let shown = presentation_evidence(ctx.unit);
    if shown.is_empty() {
        item(
            ItemState::NotEvidenced,
            Vec::new(),
            Some("no recording, slides or date recorded; declare `presentation: {date: …, recording: …}` or link the recording".to_owned()),
        )
    } else {
        item(ItemState::Passed, shown, None)
    }
}

/// A4: the pull request, of which only its result (the file in the folder) shows.
fn a4(_: &mut Ctx<'_>, p: &Package<'_, '_>) -> Item {
    match p.self_view {
        Some(v) => item(
            ItemState::Passed,
            vec![file_evidence(
                &v.doc.source,
                None,
                "the self-assessment is in the project's folder",
            )],
            Some(
                "the pull request and its citation of the presentation issue are not visible in files"
                    .to_owned(),
            ),
        ),
        None => item(
            ItemState::Missing,
            Vec::new(),
            Some("no self-assessment in the folder".to_owned()),
        ),
    }
}

/// B0: intake preconditions; only the written self-assessment can show in files. The process
/// accepts one kept outside the repository when a document of the package links it.
fn b0(ctx: &mut Ctx<'_>, p: &Package<'_, '_>) -> Item {
    if let Some(v) = p.self_view {
        return item(
            ItemState::Passed,
            vec![file_evidence(&v.doc.source, None, "written self-assessment")],
            None,
        );
    }
    match ctx.unit.documents.iter().find_map(|doc| {
        external_self_assessment(doc).map(|(line, url)| (doc, line, url))
    }) {
        Some((doc, line, url)) => item(
            ItemState::Passed,
            vec![file_evidence(&doc.source, Some(line), format!("self-assessment kept outside the repository: {url}"))],
            None,
        ),
        None => item(
            ItemState::NotEvidenced,
            Vec::new(),
            Some("no self-assessment.md, and no document links one (a `Self-assessment document | <link>` row)".to_owned()),
        ),
    }
}

/// A labelled row or line (`| Self-Assessment Document | https://… |`,
/// `Self-assessment: https://…`) linking a self-assessment kept elsewhere: its line and URL.
fn external_self_assessment(doc: &crate::model::Document) -> Option<(usize, String)> {
    doc.visible().find_map(|(line, text)| {
        let t = text.trim().trim_start_matches('|');
        let (label, value) = t.split_once('|').or_else(|| t.split_once(':'))?;
        let label = normalise(label).to_lowercase();
        if !label.starts_with("self assessment") {
            return None;
        }
        let start = value.find("https://").or_else(|| value.find("http://"))?;
        let url: String = value[start..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ')' | '|' | '>' | ']'))
            .collect();
        Some((line, url))
    })
}

/// B1: the tracking issue.
fn b1(ctx: &mut Ctx<'_>, p: &Package<'_, '_>) -> Item {
    let tracking = ctx
        .unit
        .fact(FactKey::TrackingIssue)
        .filter(|f| !f.value.contains(NOT_TRACKING));
    if let Some(f) = tracking {
        return item(ItemState::Passed, vec![fact_evidence(f, "tracking issue")], None);
    }
    match p
        .summary
        .and_then(|v| v.label_value(super::outlines::TRACKING_LABELS).map(|l| (v, l)))
        .filter(|(_, (_, value))| !is_placeholder_value(value))
    {
        Some((v, (line, _))) => item(
            ItemState::Passed,
            vec![file_evidence(&v.doc.source, Some(line), "Tracking issue line")],
            None,
        ),
        None => item(
            ItemState::Missing,
            Vec::new(),
            Some(
                "no tracking issue is linked (the summary's last line, or `tracking_issue:` in front matter)"
                    .to_owned(),
            ),
        ),
    }
}

/// B2: the joint assessment document.
fn b2(ctx: &mut Ctx<'_>, p: &Package<'_, '_>) -> Item {
    let rs = ctx.ruleset;
    if let Some(v) = p.joint_outline {
        let outcome = documents::check_joint_assessment(ctx, v, ItemId::B2);
        return doc_item(v, &outcome, "joint assessment", None);
    }
    if rs == Ruleset::Tssa2019 {
        return match p.self_view {
            Some(v) => {
                let outcome = documents::check_self_assessment(ctx, v, ItemId::B2);
                doc_item(v, &outcome, "assessment document (2019 outline)", stage_note(v))
            }
            None => missing_joint(ctx),
        };
    }
    let Some(v) = p.joint_views.first() else {
        return missing_joint(ctx);
    };
    ctx.emit(
        Some(ItemId::B2),
        "joint-assessment/summary-only",
        &v.doc.source,
        Some(v.top_line()),
        "this joint-assessment file holds final-summary content, not the joint-assessment outline",
        "keep the summary in README.md and write the joint assessment from guide/joint-assessment.md, or exempt B2 with a reason",
    );
    // Under 2024-11 no summary check runs (B8 is gone), so look for leftovers here.
    if rs == Ruleset::Tssa2024_11 {
        let _ = documents::check_template_text(ctx, v, Some(ItemId::B2));
    }
    item(
        ItemState::Missing,
        vec![file_evidence(
            &v.doc.source,
            Some(v.top_line()),
            "summary content under the joint-assessment name",
        )],
        Some("the joint-assessment outline is not there".to_owned()),
    )
}

fn missing_joint(ctx: &mut Ctx<'_>) -> Item {
    let file = format!("{}/joint-assessment.md", ctx.unit.dir);
    ctx.emit(
        Some(ItemId::B2),
        "joint-assessment/missing",
        &file,
        None,
        "the package has no joint assessment",
        "write joint-assessment.md from guide/joint-assessment.md",
    );
    item(
        ItemState::Missing,
        Vec::new(),
        Some("no joint assessment document".to_owned()),
    )
}

/// B3: reviewers, from the declared team first, then a `Security reviewers:` fact, then the
/// summary's line.
fn b3(ctx: &mut Ctx<'_>, p: &Package<'_, '_>) -> Item {
    let unit = ctx.unit;
    let min = ctx.ruleset.min_reviewers();
    if !unit.meta.reviewers.is_empty() {
        return declared_reviewers(ctx, min);
    }
    if let Some(f) = reviewers_fact(unit, p) {
        let n = count_names(&f.value);
        let file = f.source.file().unwrap_or(&unit.dir).to_owned();
        return reviewers_item(
            ctx,
            n,
            min,
            vec![fact_evidence(f, "security reviewers")],
            &file,
            f.source.line(),
        );
    }
    match p
        .summary
        .and_then(|v| v.label_value(super::outlines::REVIEWERS_LABELS).map(|l| (v, l)))
        .filter(|(_, (_, value))| !is_placeholder_value(value))
    {
        Some((v, (line, value))) => {
            let n = count_names(value);
            let evidence = vec![file_evidence(
                &v.doc.source,
                Some(line),
                "Security reviewers line",
            )];
            reviewers_item(ctx, n, min, evidence, &v.doc.source, Some(line))
        }
        None => item(ItemState::Missing, Vec::new(), Some(no_reviewers_note(unit))),
    }
}

/// Why B3 found nobody; a self-assessment's own reviewers are named so the reader sees they
/// were read and why they do not count.
fn no_reviewers_note(unit: &Unit) -> String {
    match unit.fact(FactKey::DocumentReviewers) {
        Some(f) => format!(
            "no TAG security reviewers are named (the self-assessment's reviewers at {} reviewed that document; B3 counts the joint assessment's team)",
            f.source.describe()
        ),
        None => "no reviewers are named".to_owned(),
    }
}

/// The fact that names the TAG security reviewers, the team B3 counts: declared, else the
/// summary's or joint assessment's (a labelled line or a sentence such as "performed by A, B
/// and C"). A self-assessment's `Security reviewers:` line is read as `DocumentReviewers`
/// (the document's own reviewers, often the project's maintainers) and never counts.
fn reviewers_fact<'u>(unit: &'u Unit, p: &Package<'u, '_>) -> Option<&'u Fact> {
    let declared = unit
        .fact(FactKey::SecurityReviewers)
        .filter(|f| f.source.rank() >= 2);
    declared
        .or_else(|| {
            p.summary
                .into_iter()
                .chain(p.joint_outline)
                .find_map(|v| v.doc.facts.get(&FactKey::SecurityReviewers))
        })
        .or_else(|| unit.fact(FactKey::SecurityReviewers))
}

/// B3 for a team declared in front matter (`reviewers:` with roles).
fn declared_reviewers(ctx: &mut Ctx<'_>, min: usize) -> Item {
    let unit = ctx.unit;
    let meta = &unit.meta;
    let role_is = |r: &crate::model::Reviewer, roles: &[&str]| {
        r.role
            .as_deref()
            .is_some_and(|x| roles.contains(&x.trim().to_ascii_lowercase().as_str()))
    };
    // A reviewer without a role counts; one with a role counts only in a reviewing role.
    let counted = meta
        .reviewers
        .iter()
        .filter(|r| r.role.is_none() || role_is(r, &["lead", "reviewer", "hands-on"]))
        .count();
    let leads = meta.reviewers.iter().filter(|r| role_is(r, &["lead"])).count();
    let source = meta.reviewers_source.as_ref();
    let file = source.and_then(Provenance::file).unwrap_or(&unit.dir).to_owned();
    let line = source.and_then(Provenance::line);
    if leads != 1 {
        ctx.emit(
            Some(ItemId::B3),
            "joint/lead-reviewer",
            &file,
            line,
            format!(
                "{leads} reviewers have `role: lead`; the process has exactly one lead security reviewer"
            ),
            "mark the lead security reviewer with `role: lead` and the others with `role: reviewer`",
        );
    }
    let evidence = vec![file_evidence(
        &file,
        line,
        format!("{} reviewers declared", meta.reviewers.len()),
    )];
    reviewers_item(ctx, counted, min, evidence, &file, line)
}

fn reviewers_item(
    ctx: &mut Ctx<'_>,
    counted: usize,
    min: usize,
    evidence: Vec<Evidence>,
    file: &str,
    line: Option<usize>,
) -> Item {
    if counted >= min {
        return item(ItemState::Passed, evidence, Some(format!("{counted} reviewers")));
    }
    ctx.emit(
        Some(ItemId::B3),
        "joint/too-few-reviewers",
        file,
        line,
        format!(
            "{counted} reviewer(s) named; {} asks for a lead and at least {} more",
            ctx.ruleset,
            min - 1
        ),
        "recruit more reviewers, or record them if they are already on the team",
    );
    item(
        ItemState::Missing,
        evidence,
        Some(format!("{counted} of at least {min} reviewers")),
    )
}

/// B4: conflicts of interest, only judgeable when declared.
fn b4(ctx: &mut Ctx<'_>, _: &Package<'_, '_>) -> Item {
    let meta = &ctx.unit.meta;
    if meta.reviewers.is_empty() {
        return item(
            ItemState::NotEvidenced,
            Vec::new(),
            Some("conflict-of-interest statements live in issue comments; declare `reviewers:` with `conflicts:` to record them".to_owned()),
        );
    }
    let outcome = coi::check(ctx, meta);
    let source = meta.reviewers_source.as_ref();
    let evidence = vec![Evidence {
        file: source.and_then(Provenance::file).map(str::to_owned),
        line: source.and_then(Provenance::line),
        note: format!("{} reviewers' statements", outcome.reviewers),
    }];
    if outcome.unresolved.is_empty() {
        item(ItemState::Passed, evidence, None)
    } else {
        item(
            ItemState::Missing,
            evidence,
            Some(format!("unresolved: {}", outcome.unresolved.join(", "))),
        )
    }
}

/// B5: clarifying questions, visible only when a Q&A section was kept.
fn b5(_: &mut Ctx<'_>, p: &Package<'_, '_>) -> Item {
    let qa = p.joint_views.iter().chain(p.self_view).find_map(|v| {
        v.headings
            .iter()
            .find(|h| {
                h.norm.contains("clarif")
                    || h.norm.starts_with("questions and answers")
                    || h.norm == "q and a"
            })
            .map(|h| (v, h))
    });
    match qa {
        Some((v, h)) => item(
            ItemState::Passed,
            vec![file_evidence(&v.doc.source, Some(h.line), h.text.clone())],
            None,
        ),
        None => item(
            ItemState::NotEvidenced,
            Vec::new(),
            Some("the clarifying questions usually happen in comments and meetings".to_owned()),
        ),
    }
}

/// The line of a document's Security Analysis section.
fn security_analysis(v: &View<'_>) -> Option<usize> {
    v.headings
        .iter()
        .find(|h| h.norm == "security analysis")
        .map(|h| h.line)
}

/// B6: the assessment itself, as far as the document structure shows it. The 2019 outline
/// had no hands-on part, and its document may be the self-assessment.
fn b6(ctx: &mut Ctx<'_>, p: &Package<'_, '_>) -> Item {
    if ctx.ruleset == Ruleset::Tssa2019 {
        return match p
            .joint_outline
            .or(p.self_view)
            .and_then(|v| security_analysis(v).map(|l| (v, l)))
        {
            Some((v, line)) => item(
                ItemState::Passed,
                vec![file_evidence(&v.doc.source, Some(line), "Security Analysis")],
                None,
            ),
            None => item(
                ItemState::Missing,
                Vec::new(),
                Some("no Security Analysis section".to_owned()),
            ),
        };
    }
    let Some(v) = p.joint_outline else {
        return item(
            ItemState::NotEvidenced,
            Vec::new(),
            Some("no joint assessment document records the assessment".to_owned()),
        );
    };
    let hands_on = v.headings.iter().find(|h| h.norm.starts_with("hands on"));
    match (security_analysis(v), hands_on) {
        (Some(line), Some(h)) => item(
            ItemState::Passed,
            vec![
                file_evidence(&v.doc.source, Some(line), "Security Analysis"),
                file_evidence(&v.doc.source, Some(h.line), h.text.clone()),
            ],
            None,
        ),
        (a, h) => {
            let mut lacks = Vec::new();
            if a.is_none() {
                lacks.push("Security Analysis");
            }
            if h.is_none() {
                lacks.push("Hands-on assessment");
            }
            item(
                ItemState::Missing,
                Vec::new(),
                Some(format!("the joint assessment lacks {}", lacks.join(" and "))),
            )
        }
    }
}

/// B7: the presentation.
fn b7(ctx: &mut Ctx<'_>, _: &Package<'_, '_>) -> Item {
    let shown = presentation_evidence(ctx.unit);
    if shown.is_empty() {
        item(
            ItemState::NotEvidenced,
            Vec::new(),
            Some(
                "no slides or recording are linked; link them or declare `presentation: {slides: …}`"
                    .to_owned(),
            ),
        )
    } else {
        item(ItemState::Passed, shown, None)
    }
}

/// B8: the final summary; the 2024-11 guide dropped it.
fn b8(ctx: &mut Ctx<'_>, p: &Package<'_, '_>) -> Item {
    if ctx.ruleset == Ruleset::Tssa2024_11 {
        // No summary is required, but a README summary that is there should not keep
        // template text.
        if let Some(v) = p.summary.filter(|v| v.doc.kind == DocKind::Summary) {
            let _ = documents::check_template_text(ctx, v, None);
        }
        return na("the 2024-11 guide has no README summary step");
    }
    if let Some(v) = p.summary {
        if ctx.ruleset == Ruleset::Tssa2019 {
            // The 2019 process had no summary template, so its parts cannot be demanded.
            return item(
                ItemState::Passed,
                vec![file_evidence(&v.doc.source, Some(v.top_line()), "final summary")],
                Some("the 2019 process had no summary template; its parts are not checked".to_owned()),
            );
        }
        let outcome = documents::check_summary(ctx, v, ItemId::B8);
        return doc_item(v, &outcome, "final summary", None);
    }
    let file = format!("{}/README.md", ctx.unit.dir);
    ctx.emit(
        Some(ItemId::B8),
        "summary/missing",
        &file,
        None,
        "the package has no final summary",
        "write README.md from guide/joint-readme-template.md: completion date, reviewers, background, summary, recommendations, tracking issue and the version covered",
    );
    item(
        ItemState::Missing,
        Vec::new(),
        Some("no README summary".to_owned()),
    )
}

/// B9: approvals are on the pull request, not in files.
fn b9(ctx: &mut Ctx<'_>, _: &Package<'_, '_>) -> Item {
    let meta = &ctx.unit.meta;
    if meta.co_chair_approvals.is_empty() {
        return item(
            ItemState::NotEvidenced,
            Vec::new(),
            Some(
                "approvals are on the pull request; declare `co_chair_approvals:` to record them".to_owned(),
            ),
        );
    }
    let source = meta.reviewers_source.as_ref();
    item(
        ItemState::Passed,
        vec![Evidence {
            file: source.and_then(Provenance::file).map(str::to_owned),
            line: source.and_then(Provenance::line),
            note: format!("approved by {}", meta.co_chair_approvals.join(", ")),
        }],
        None,
    )
}

/// B10: the survey may legitimately stay private.
fn b10(ctx: &mut Ctx<'_>, _: &Package<'_, '_>) -> Item {
    let unit = ctx.unit;
    let survey_doc = unit
        .documents
        .iter()
        .find(|d| d.rel.to_lowercase().contains("survey") || d.title.to_lowercase().contains("survey"));
    match (unit.fact(FactKey::SurveyStatus), survey_doc) {
        (Some(f), _) if matches!(f.value.trim(), "not-done" | "none" | "no") => item(
            ItemState::Missing,
            vec![fact_evidence(f, "survey")],
            Some("declared as not done".to_owned()),
        ),
        (Some(f), _) => item(ItemState::Passed, vec![fact_evidence(f, "survey")], None),
        (None, Some(d)) => item(
            ItemState::Passed,
            vec![file_evidence(&d.source, None, "survey in the folder")],
            None,
        ),
        (None, None) => item(
            ItemState::NotEvidenced,
            Vec::new(),
            Some("the survey may be shared privately; declare `survey:` (in-folder or shared-privately) to record it".to_owned()),
        ),
    }
}

/// B11: process notes ask nothing of the files, except a recorded pause.
fn b11(ctx: &mut Ctx<'_>, _: &Package<'_, '_>) -> Item {
    match ctx.unit.fact(FactKey::Status).filter(|f| f.value == "paused") {
        Some(f) => item(
            ItemState::Passed,
            vec![fact_evidence(f, "status")],
            Some("the assessment is paused".to_owned()),
        ),
        None => na("process notes; nothing for files to show"),
    }
}

/// B12: renewal, only when asked to judge against a date. The rule and the period
/// (`[coverage] renewal_months`) are the coverage page's, so the two always agree.
fn b12(ctx: &mut Ctx<'_>, p: &Package<'_, '_>) -> Item {
    let unit = ctx.unit;
    let Some(today) = p.config.today else {
        return na("renewal not judged (no date given)");
    };
    let (Some(done), Some(fact)) = (ruleset::completed(unit), unit.fact(FactKey::Completed)) else {
        return na("not completed, so not yet due for renewal");
    };
    let Some(completed) = Date::parse(done) else {
        return na("completion date unreadable");
    };
    match calendar::renewal(Some(completed), Some(today), p.config.renewal_months) {
        Renewal::Due(due) => {
            let file = fact.source.file().unwrap_or(&unit.dir).to_owned();
            ctx.emit(
                Some(ItemId::B12),
                "joint/renewal-due",
                &file,
                fact.source.line(),
                format!("completed {done}; the next review was due {due}"),
                "ask TAG Security to schedule a renewal of the assessment",
            );
            item(
                ItemState::Missing,
                vec![fact_evidence(fact, "completed")],
                Some(format!("renewal due since {due}")),
            )
        }
        Renewal::NotDue(due) => item(
            ItemState::Passed,
            vec![fact_evidence(fact, "completed")],
            Some(format!("next review due {due}")),
        ),
        Renewal::Unknown(_) => na("renewal not judged"),
    }
}

/// Exemptions, level overrides, counts.
fn finish(
    unit: &Unit,
    config: &CheckConfig,
    process: &ProcessIndex<'_>,
    choice: ruleset::Choice,
    path: Path,
    results: Vec<(ItemId, Item)>,
    mut raw: Vec<Finding>,
) -> UnitReport {
    let ruleset = choice.ruleset;
    let mut exempt_items: Vec<(ItemId, &crate::model::Exemption)> = Vec::new();
    let mut exempt_rules: Vec<&crate::model::Exemption> = Vec::new();
    let mut unknown = Vec::new();
    for e in &unit.meta.exemptions {
        // Front matter names items as text; it becomes an id here or is reported unknown.
        let key = e.item.trim();
        if let Some(id) = ItemId::parse(key) {
            exempt_items.push((id, e));
        } else if rule_by_id(key).is_some() {
            exempt_rules.push(e);
        } else {
            unknown.push(e);
        }
    }
    for e in unknown {
        let level =
            rule_by_id("package/unknown-exemption").map_or(crate::diagnostic::Level::Warning, |r| r.level);
        raw.push(Finding {
            diag: Diagnostic::new(
                level,
                "package/unknown-exemption",
                format!("exemption `{}` names no checklist item or rule", e.item.trim()),
            )
            .at(e.source.file().unwrap_or(&unit.dir), e.source.line())
            .help("use an item id (A1–A4, B0–B12) or a rule id such as `summary/missing-version`"),
            item: None,
        });
    }

    let mut items = Vec::with_capacity(results.len());
    for (id, mut it) in results {
        if let Some((_, e)) = exempt_items.iter().find(|(x, _)| *x == id)
            && it.state != ItemState::NotApplicable
        {
            it = Item {
                state: ItemState::Exempt,
                evidence: vec![Evidence {
                    file: e.source.file().map(str::to_owned),
                    line: e.source.line(),
                    note: format!("exempt: {}", e.reason.trim()),
                }],
                note: Some(e.reason.trim().to_owned()),
            };
        }
        let (title, step, candidates) = describe(id, ruleset, config.renewal_months);
        let process_ref = process.resolve(&candidates);
        items.push(ItemResult {
            id,
            title,
            step: step.to_owned(),
            state: it.state,
            evidence: it.evidence,
            process_ref,
            note: it.note,
        });
    }

    let mut findings = Vec::with_capacity(raw.len());
    let mut exempted = Vec::new();
    for f in raw {
        let by_item = f
            .item
            .and_then(|id| exempt_items.iter().find(|(x, _)| *x == id).map(|(_, e)| e));
        let by_rule = exempt_rules.iter().find(|e| e.item.trim() == f.diag.code);
        if let Some(e) = by_item.or(by_rule) {
            exempted.push(ExemptedFinding {
                finding: f.diag,
                reason: e.reason.trim().to_owned(),
            });
            continue;
        }
        let mut diag = f.diag;
        match config.levels.get(&diag.code) {
            Some(None) => continue,
            Some(Some(level)) => diag.level = *level,
            None => {}
        }
        findings.push(diag);
    }
    findings
        .sort_by(|a, b| (&a.file, a.line, &a.code, &a.message).cmp(&(&b.file, b.line, &b.code, &b.message)));
    findings.dedup();

    let required = items
        .iter()
        .filter(|i| !matches!(i.state, ItemState::NotApplicable | ItemState::Exempt))
        .count();
    let passed = items.iter().filter(|i| i.state == ItemState::Passed).count();
    UnitReport {
        slug: unit.slug.clone(),
        name: unit.name.clone(),
        dir: unit.dir.clone(),
        path: match path {
            Path::SelfOnly => "self".to_owned(),
            Path::Joint => "joint".to_owned(),
        },
        ruleset,
        ruleset_reason: choice.reason,
        status: unit.fact(FactKey::Status).map(|f| f.value.clone()),
        items,
        findings,
        exempted,
        passed,
        required,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_values_name_nobody() {
        assert!(is_placeholder_value("TODO(tssa)"));
        assert!(is_placeholder_value(
            " _list names and github handles as appropriate_"
        ));
        assert!(is_placeholder_value(""));
        assert!(!is_placeholder_value("Ann (@ann), Bob"));
    }

    #[test]
    fn names_are_counted() {
        assert_eq!(count_names("Andres Vega, Justin Cappos, Chase Pettet"), 3);
        assert_eq!(count_names("Sarah Allen and Brandon Lum"), 2);
        assert_eq!(count_names("Marina Moore @mnm678; Rahul Jadhav @nyrahul"), 2);
        assert_eq!(count_names(" , "), 0);
    }

    #[test]
    fn every_item_is_described() {
        for id in ItemId::ALL {
            for rs in Ruleset::ALL {
                let (title, step, candidates) = describe(id, rs, 12);
                assert!(!title.is_empty() && !step.is_empty() && !candidates.is_empty());
                let r = ProcessIndex::new(&[]).resolve(&candidates);
                assert_eq!((r.doc.as_str(), r.heading.as_str()), candidates[0]);
            }
        }
    }

    #[test]
    fn the_renewal_title_names_a_configured_period() {
        let title = |months| describe(ItemId::B12, Ruleset::Tssa2021, months).0;
        assert_eq!(title(12), "Annual renewal of the assessment");
        assert_eq!(
            title(120),
            "Renewal of the assessment 120 months after completion"
        );
    }
}
