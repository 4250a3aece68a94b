//! Document structure: the self-assessment outline and metadata rows, the joint-assessment
//! outline, the parts of the final summary, and template text left in.

use crate::model::{FactKey, Provenance};
use crate::parse::template::{self, GUIDANCE, PLACEHOLDERS};

use super::ItemId;
use super::findings::Ctx;
use super::outlines::{
    ADDITIONAL_RECS, CNCF_RECS, COMPLETED_LABELS, JOINT, JOINT_ROWS, JOINT_SIGNATURE, LEAD_LABELS,
    PROJECT_RECS, REVIEWERS_LABELS, Row, SELF_2019, SELF_CURRENT, SELF_ROWS, Section, VERSION_LABELS,
};
use super::ruleset::{Need, Ruleset, need};
use super::view::{Found, View, glob, normalise};

/// What a document check found, for the checklist items.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Required parts that are missing (section, row or summary part names).
    pub missing: Vec<String>,
    /// Parts added to the template during the rule set's era, missing, date unknown.
    pub unknown: Vec<String>,
    /// Parts still marked `TODO(tssa)`: the outline is there, the text is not.
    pub todo: usize,
}

impl Outcome {
    pub fn complete(&self) -> bool {
        self.missing.is_empty() && self.todo == 0
    }
}

/// Which outline a self-assessment is held to.
fn self_outline(ruleset: Ruleset) -> &'static [Section] {
    match ruleset {
        Ruleset::Tssa2019 => SELF_2019,
        Ruleset::Tssa2021 | Ruleset::Tssa2024_11 => SELF_CURRENT,
    }
}

pub(crate) fn check_self_assessment(ctx: &mut Ctx<'_>, view: &View<'_>, item: ItemId) -> Outcome {
    let file = view.doc.source.as_str();
    let mut outcome = Outcome::default();
    let sections = self_outline(ctx.ruleset);
    let found = check_sections(ctx, view, item, sections, Kind::SelfAssessment, &mut outcome);

    let metadata = found.first().copied().flatten();
    let rows: &[Row] = if ctx.ruleset == Ruleset::Tssa2019 {
        &SELF_ROWS[1..3]
    } else {
        SELF_ROWS
    };
    check_rows(
        ctx,
        view,
        item,
        metadata,
        rows,
        Kind::SelfAssessment,
        &mut outcome,
    );

    // The stage is the authors' own verdict on the file: worth showing, never an error.
    if let Some(stage) = view.doc.facts.get(&FactKey::Status) {
        let line = stage.source.line();
        match stage.value.as_str() {
            "complete" | "obsolete" => {}
            // A draft is the authors' honest state, not a defect: a note, never an error.
            "incomplete" | "draft" | "in-progress" => {
                let raw = stage.raw.trim();
                let aside = if stage.value == "incomplete" {
                    String::new()
                } else {
                    "; read as Incomplete, the template's values being Incomplete, Complete and Obsolete"
                        .to_owned()
                };
                ctx.emit(
                    Some(item),
                    "self-assessment/stage-incomplete",
                    file,
                    line,
                    format!("the self-assessment marks itself `{raw}`{aside}"),
                    "set Assessment Stage to `Complete` once the authors consider the document done",
                );
            }
            _ => ctx.emit(
                Some(item),
                "self-assessment/stage-value",
                file,
                line,
                format!(
                    "Assessment Stage `{}` is not one of Incomplete, Complete or Obsolete",
                    stage.raw.trim()
                ),
                "write `Incomplete`, `Complete` or `Obsolete` in the Assessment Stage row",
            ),
        }
    }
    outcome.todo = check_template_text(ctx, view, Some(item));
    outcome
}

/// Whether a joint-assessment document follows the joint outline (rather than holding a
/// summary, as dragonfly's and wasmedge's do).
pub(crate) fn is_outline(view: &View<'_>) -> bool {
    let hits = JOINT_SIGNATURE
        .iter()
        .filter(|name| view.headings.iter().any(|h| h.norm == **name))
        .count();
    hits >= 3
}

/// Whether a document holds final-summary content (README template parts).
pub(crate) fn is_summary(view: &View<'_>) -> bool {
    let facts = &view.doc.facts;
    let keys = [
        FactKey::Completed,
        FactKey::SecurityReviewers,
        FactKey::ProjectSecurityLead,
        FactKey::VersionCovered,
    ];
    keys.iter().any(|k| {
        facts
            .get(k)
            .is_some_and(|f| f.source.file() == Some(view.doc.source.as_str()))
    }) || view.label_line(COMPLETED_LABELS).is_some()
        || view
            .label_line(&["security reviewers", "project security lead"])
            .is_some()
        || view
            .find(&["recommendations"], &[])
            .is_some_and(|f| matches!(f, Found::Exact(_)))
        || view.find(CNCF_RECS.0, CNCF_RECS.1).is_some()
        || view.find(PROJECT_RECS.0, PROJECT_RECS.1).is_some()
}

pub(crate) fn check_joint_assessment(ctx: &mut Ctx<'_>, view: &View<'_>, item: ItemId) -> Outcome {
    let mut outcome = Outcome::default();
    let found = check_sections(ctx, view, item, JOINT, Kind::Joint, &mut outcome);
    let metadata = found.first().copied().flatten();
    check_rows(ctx, view, item, metadata, JOINT_ROWS, Kind::Joint, &mut outcome);

    // The template asks for an explicit "did/did not receive a hands-on assessment".
    let hands_on = JOINT.iter().position(|s| s.name == "Hands-on assessment");
    if let Some(Some(found)) = hands_on.and_then(|i| found.get(i))
        && let Some(index) = view.heading_index(found.head().line)
    {
        let stated = view.section_lines(index).any(|(_, text)| {
            let t = text.to_lowercase();
            t.contains("receive") || t.contains("performed") || t.contains("finding")
        }) || view
            .headings
            .iter()
            .any(|h| h.norm == "assessment details" || h.norm == "findings");
        if !stated {
            ctx.emit(
                Some(item),
                "joint-assessment/hands-on-statement",
                &view.doc.source,
                Some(found.head().line),
                "the Hands-on assessment section does not say whether a hands-on assessment was performed",
                "state \"[Project] did/did not receive a hands-on assessment from TAG-Security\", and add the Assessment Details and Findings tables if one was performed",
            );
        }
    }
    outcome.todo = check_template_text(ctx, view, Some(item));
    outcome
}

/// The parts of the final summary (`joint-readme-template.md`, §5.4).
pub(crate) fn check_summary(ctx: &mut Ctx<'_>, view: &View<'_>, item: ItemId) -> Outcome {
    let mut outcome = Outcome::default();
    let file = view.doc.source.clone();
    let top = view.top_line();
    let unit = ctx.unit;
    // A fact counts when this document states it or when it is declared (front matter,
    // sidecar); the tracking issue and version may be stated anywhere in the package.
    let stated = |key: FactKey, anywhere: bool| {
        unit.fact(key)
            .filter(|f| anywhere || f.source.file() == Some(file.as_str()) || declared(&f.source))
            .or_else(|| view.doc.facts.get(&key))
            .is_some()
    };

    let label_parts: [(&str, FactKey, &[&str], bool, &str); 3] = [
        (
            "completion date",
            FactKey::Completed,
            COMPLETED_LABELS,
            false,
            "Completed: 28 Apr 2020",
        ),
        (
            "security reviewers",
            FactKey::SecurityReviewers,
            REVIEWERS_LABELS,
            false,
            "Security reviewers: Name (@handle), …",
        ),
        (
            "project security lead",
            FactKey::ProjectSecurityLead,
            LEAD_LABELS,
            false,
            "Project security lead: Name (@handle)",
        ),
    ];
    for (name, key, labels, anywhere, example) in label_parts {
        if !stated(key, anywhere) && view.label_line(labels).is_none() {
            missing_part(
                ctx,
                item,
                &file,
                None,
                top,
                name,
                &format!("add the line `{example}` near the top"),
                &mut outcome,
            );
        }
    }

    for (name, names, variants) in [
        ("Background", &["background"][..], &["project background"][..]),
        (
            "Summary",
            &["summary"][..],
            &["executive summary", "summary of *", "design", "analysis"][..],
        ),
    ] {
        match view.find(names, variants) {
            Some(found) => note_variant(ctx, view, item, Kind::Summary, name, found),
            None => missing_part(
                ctx,
                item,
                &file,
                None,
                top,
                name,
                &format!("add a `## {name}` section"),
                &mut outcome,
            ),
        }
    }

    let recs = view.find(&["recommendations"], &[]);
    let cncf = view.find(CNCF_RECS.0, CNCF_RECS.1);
    let project = view.find(PROJECT_RECS.0, PROJECT_RECS.1);
    let recs_line = recs.map(|f| f.head().line);
    if recs.is_none() && cncf.is_none() && project.is_none() {
        missing_part(
            ctx,
            item,
            &file,
            None,
            top,
            "Recommendations",
            "add a `## Recommendations` section with CNCF, project and additional recommendations",
            &mut outcome,
        );
    }
    for (name, found, heading) in [
        ("CNCF recommendations", cncf, "### CNCF recommendations"),
        ("project recommendations", project, "### Project recommendations"),
    ] {
        match found {
            Some(found) => note_variant(ctx, view, item, Kind::Summary, name, found),
            None => missing_part(
                ctx,
                item,
                &file,
                recs_line,
                top,
                name,
                &format!("add a `{heading}` section under Recommendations"),
                &mut outcome,
            ),
        }
    }
    match view.find(ADDITIONAL_RECS.0, ADDITIONAL_RECS.1) {
        Some(found) => note_variant(ctx, view, item, Kind::Summary, "additional recommendations", found),
        None => ctx.emit(
            Some(item),
            "summary/missing-additional",
            &file,
            Some(recs_line.unwrap_or_else(|| view.top_line())),
            "the summary has no Additional recommendations",
            "add `### Additional recommendations` for recommendations of note to others, or leave it out when there are none",
        ),
    }

    // A missing tracking issue is B1's finding; the summary does not repeat it.

    // The 2021 process asks the summary to name the version covered; the template never had
    // a slot for it, and the 2024-11 guide dropped the summary.
    if ctx.ruleset == Ruleset::Tssa2021
        && !stated(FactKey::VersionCovered, true)
        && view.label_line(VERSION_LABELS).is_none()
    {
        ctx.emit(
            Some(item),
            "summary/missing-version",
            &file,
            Some(view.top_line()),
            "the summary does not name the version or release the assessment covered",
            "add a line `Version covered: <release, tag or commit>` after `Completed:`",
        );
    }
    outcome.todo = check_template_text(ctx, view, Some(item));
    outcome
}

/// Front matter or the sidecar: a declaration, not something read from prose.
fn declared(source: &Provenance) -> bool {
    matches!(
        source,
        Provenance::FrontMatter { .. } | Provenance::Sidecar { .. }
    )
}

#[allow(clippy::too_many_arguments)]
fn missing_part(
    ctx: &mut Ctx<'_>,
    item: ItemId,
    file: &str,
    line: Option<usize>,
    top: usize,
    name: &str,
    help: &str,
    outcome: &mut Outcome,
) {
    ctx.emit(
        Some(item),
        "summary/missing-part",
        file,
        Some(line.unwrap_or(top)),
        format!("the final summary has no {name}"),
        format!("{help} (see guide/joint-readme-template.md)"),
    );
    outcome.missing.push(name.to_owned());
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    SelfAssessment,
    Joint,
    Summary,
}

impl Kind {
    fn guide(self) -> &'static str {
        match self {
            Kind::SelfAssessment => "guide/self-assessment.md",
            Kind::Joint => "guide/joint-assessment.md",
            Kind::Summary => "guide/joint-readme-template.md",
        }
    }
    fn variant_code(self) -> &'static str {
        match self {
            Kind::SelfAssessment => "self-assessment/heading-variant",
            Kind::Joint => "joint-assessment/heading-variant",
            Kind::Summary => "summary/heading-variant",
        }
    }
}

fn note_variant(ctx: &mut Ctx<'_>, view: &View<'_>, item: ItemId, kind: Kind, name: &str, found: Found<'_>) {
    if let Found::Variant(head, how) = found {
        ctx.emit(
            Some(item),
            kind.variant_code(),
            &view.doc.source,
            Some(head.line),
            format!("`{}` accepted as {name} ({how})", head.text),
            format!("the template calls it `{name}`; renaming is optional"),
        );
    }
}

/// Looks for every section of `outline`; reports the missing ones. Returns what was found,
/// index for index with `outline`.
fn check_sections<'v>(
    ctx: &mut Ctx<'_>,
    view: &'v View<'_>,
    item: ItemId,
    outline: &[Section],
    kind: Kind,
    outcome: &mut Outcome,
) -> Vec<Option<Found<'v>>> {
    let file = view.doc.source.as_str();
    let mut found: Vec<Option<Found<'v>>> = Vec::with_capacity(outline.len());
    for section in outline {
        found.push(view.find(section.names, section.variants));
    }
    for (i, section) in outline.iter().enumerate() {
        let requirement = need(section.since, ctx.ruleset, ctx.era);
        if requirement == Need::NotRequired {
            continue;
        }
        if let Some(hit) = found[i] {
            note_variant(ctx, view, item, kind, section.name, hit);
            continue;
        }
        // A `Relevant links` metadata row stands in for the Security links section.
        if section.name == "Security links"
            && let Some(row) = metadata_row_line(view, &["relevant links"])
        {
            ctx.emit(
                Some(item),
                kind.variant_code(),
                file,
                Some(row),
                "the `Relevant links` metadata row accepted as Security links",
                "the template has a `Security links` section with a | Doc | url | table; moving the links there is optional",
            );
            continue;
        }
        let parent = section
            .parent
            .and_then(|p| outline.iter().position(|s| s.name == p))
            .and_then(|p| found[p]);
        let line = parent.map_or_else(|| view.top_line(), |p| p.head().line);
        let (depth, place) = match section.parent {
            Some(p) => ("###", format!(" under {p}")),
            None => ("##", String::new()),
        };
        if requirement == Need::Unknown {
            ctx.emit(
                Some(item),
                "self-assessment/newer-template",
                file,
                Some(line),
                format!(
                    "no {} section; the template has asked for it since {}, and this document's date is unknown",
                    section.name, section.since
                ),
                format!(
                    "add a `{depth} {}` section{place}, or declare `completed:` (or `ruleset:`) in front matter if the document predates it",
                    section.name
                ),
            );
            outcome.unknown.push(section.name.to_owned());
            continue;
        }
        ctx.emit(
            Some(item),
            if kind == Kind::Joint {
                "joint-assessment/missing-section"
            } else {
                "self-assessment/missing-section"
            },
            file,
            Some(line),
            format!("missing section: {}", section.name),
            format!(
                "add a `{depth} {}` section{place} (see {})",
                section.name,
                kind.guide()
            ),
        );
        outcome.missing.push(section.name.to_owned());
    }
    found
}

fn check_rows(
    ctx: &mut Ctx<'_>,
    view: &View<'_>,
    item: ItemId,
    metadata: Option<Found<'_>>,
    rows: &[Row],
    kind: Kind,
    outcome: &mut Outcome,
) {
    let file = view.doc.source.as_str();
    let has_any_row = rows.iter().any(|r| view.doc.facts.contains_key(&r.fact));
    // Without a metadata section the missing section is the one finding; a row list on top
    // would only repeat it.
    if metadata.is_none() && !has_any_row {
        return;
    }
    let line = metadata.map_or_else(|| view.top_line(), |m| m.head().line);
    for row in rows {
        let requirement = need(row.since, ctx.ruleset, ctx.era);
        if requirement == Need::NotRequired {
            continue;
        }
        let present = view.doc.facts.contains_key(&row.fact) || metadata_row_line(view, row.keys).is_some();
        if present {
            continue;
        }
        if requirement == Need::Unknown {
            ctx.emit(
                Some(item),
                "self-assessment/newer-template",
                file,
                Some(line),
                format!(
                    "no `{}` metadata row; the template has asked for it since {}, and this document's date is unknown",
                    row.name, row.since
                ),
                format!("add a `| {} | … |` row to the Metadata table", row.name),
            );
            outcome.unknown.push(row.name.to_owned());
            continue;
        }
        let code = if kind == Kind::Joint {
            "joint-assessment/missing-row"
        } else {
            "self-assessment/missing-row"
        };
        ctx.emit(
            Some(item),
            code,
            file,
            Some(line),
            format!("the Metadata table has no `{}` row", row.name),
            format!(
                "add a `| {} | … |` row to the Metadata table (see {})",
                row.name,
                kind.guide()
            ),
        );
        outcome.missing.push(row.name.to_owned());
    }
}

/// The line of a metadata-table row whose key matches one of `keys` (glob patterns), in
/// Markdown or HTML tables, within the Metadata section (or the whole document if it has
/// none).
fn metadata_row_line(view: &View<'_>, keys: &[&str]) -> Option<usize> {
    let rows = view.rows.get_or_init(|| {
        let meta = view.find(&["metadata"], &[]).map(|f| f.head());
        let (start, end) = match &meta {
            Some(m) => {
                let end = view
                    .headings
                    .iter()
                    .find(|h| h.line > m.line && h.level <= m.level.min(6))
                    .map_or(usize::MAX, |h| h.line);
                (m.line, end)
            }
            None => (0, usize::MAX),
        };
        view.lines
            .iter()
            .filter(|(l, _)| *l >= start && *l < end)
            .filter_map(|(line, text)| Some((*line, row_key(text)?)))
            .collect()
    });
    rows.iter()
        .find(|(_, key)| keys.iter().any(|k| glob(k, key)))
        .map(|(line, _)| *line)
}

/// The normalised text of the first cell of a table row (Markdown or HTML).
fn row_key(text: &str) -> Option<String> {
    let t = text.trim();
    if let Some(p) = t.find("<td").or_else(|| t.find("<th")) {
        let after = &t[p..];
        let cell = &after[after.find('>')? + 1..];
        let cell = cell.split("</t").next().unwrap_or(cell);
        let key = normalise(&strip_tags(cell));
        return (!key.is_empty()).then_some(key);
    }
    if t.contains('|') {
        let cell = t.trim_start_matches('|').split('|').next()?;
        let key = normalise(&strip_tags(cell));
        return (!key.is_empty()).then_some(key);
    }
    None
}

fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Template placeholders and guidance sentences left in the visible text. Table rows are the
/// parsers' business (they read the metadata table and report its leftovers).
/// Returns the number of `TODO(tssa)` parts.
pub(crate) fn check_template_text(ctx: &mut Ctx<'_>, view: &View<'_>, item: Option<ItemId>) -> usize {
    let file = view.doc.source.as_str();
    // Found when the document was parsed (and kept in the parse cache); looked for here only
    // in a document made without its visibility, or parsed for another kind.
    let found;
    let hits = match view
        .doc
        .hidden
        .as_ref()
        .and_then(|v| v.readings.as_ref())
        .map(|r| &r.template)
    {
        Some(hits) if hits.0.len() == template::pattern_count() => &hits.0,
        _ => {
            found = template::find(view.lines.iter().map(|(line, text)| (*line, text.as_ref())));
            &found.0
        }
    };
    let placeholder_hits = &hits[..PLACEHOLDERS.len()];
    let guidance_end = PLACEHOLDERS.len() + GUIDANCE.len();
    let guidance_hits: Vec<usize> = hits[PLACEHOLDERS.len()..guidance_end]
        .iter()
        .map(|(line, _)| *line)
        .collect();
    if let Some(&(line, count)) = hits.get(guidance_end)
        && count > 0
    {
        let parts = if count == 1 {
            "1 part is".to_owned()
        } else {
            format!("{count} parts are")
        };
        ctx.emit(
            item,
            "draft/todo",
            file,
            Some(line),
            format!("{parts} still marked `TODO(tssa)` (the first is here)"),
            "write these parts, then delete the `TODO(tssa)` lines `tssa new` left",
        );
    }
    for (i, &(line, count)) in placeholder_hits.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let times = if count == 1 {
            String::new()
        } else {
            format!(" ({count} times)")
        };
        ctx.emit(
            item,
            "template/placeholder",
            file,
            Some(line),
            format!("template placeholder `{}` left in{times}", PLACEHOLDERS[i]),
            "replace the placeholder with the project's own text",
        );
    }
    for (i, line) in guidance_hits.into_iter().enumerate() {
        if line == 0 {
            continue;
        }
        ctx.emit(
            item,
            "template/guidance",
            file,
            Some(line),
            format!("template guidance left in the text: \u{201c}{}\u{2026}\u{201d}", GUIDANCE[i]),
            "replace the guide's instructions with the project's own text, or keep them inside an HTML comment",
        );
    }
    hits.get(guidance_end).map_or(0, |(_, count)| *count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_keys() {
        assert_eq!(row_key("| Software | x |").as_deref(), Some("software"));
        assert_eq!(
            row_key("|Security Provider?|Yes|").as_deref(),
            Some("security provider")
        );
        assert_eq!(row_key("   <td>Software").as_deref(), Some("software"));
        assert_eq!(
            row_key("<td><strong>SBOM</strong></td><td>x</td>").as_deref(),
            Some("sbom")
        );
        assert_eq!(row_key(" **Project**        | a |").as_deref(), Some("project"));
        assert_eq!(row_key("plain text"), None);
        assert_eq!(row_key("| |"), None);
        assert_eq!(row_key("<td"), None);
    }
}
