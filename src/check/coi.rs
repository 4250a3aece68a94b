//! Conflicts of interest (`tssa-rules.md` §4). Only declared reviewers can be judged: the
//! statements live in issue comments, so nothing here reads prose.

use crate::model::{Conflicts, Escalation, PackageMeta, Reviewer};

use super::ItemId;
use super::findings::Ctx;

pub(crate) const ITEM: ItemId = ItemId::B4;

/// The verdict for B4.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Reviewers whose statement or escalation is missing or insufficient.
    pub unresolved: Vec<String>,
    pub reviewers: usize,
}

fn hard_count(c: &Conflicts) -> usize {
    c.hard.as_ref().map_or(0, |h| {
        [
            h.maintainer,
            h.direct_report,
            h.paid_to_work_on_project,
            h.significant_financial_interest,
        ]
        .iter()
        .filter(|a| **a == Some(true))
        .count()
    })
}

fn soft_count(c: &Conflicts) -> usize {
    c.soft.as_ref().map_or(0, |s| {
        [
            s.same_organization,
            s.uses_project,
            s.contributed,
            s.personal_stake,
        ]
        .iter()
        .filter(|a| **a == Some(true))
        .count()
    })
}

/// How many of the eight answers are given.
fn answered(c: &Conflicts) -> usize {
    let hard = c.hard.as_ref().map_or(0, |h| {
        [
            h.maintainer,
            h.direct_report,
            h.paid_to_work_on_project,
            h.significant_financial_interest,
        ]
        .iter()
        .filter(|a| a.is_some())
        .count()
    });
    let soft = c.soft.as_ref().map_or(0, |s| {
        [
            s.same_organization,
            s.uses_project,
            s.contributed,
            s.personal_stake,
        ]
        .iter()
        .filter(|a| a.is_some())
        .count()
    });
    hard + soft
}

pub(crate) fn who(r: &Reviewer, index: usize) -> String {
    match (&r.name, &r.github) {
        (Some(name), Some(gh)) => format!("{name} (@{})", gh.trim_start_matches('@')),
        (Some(name), None) => name.clone(),
        (None, Some(gh)) => format!("@{}", gh.trim_start_matches('@')),
        (None, None) => format!("reviewer #{}", index + 1),
    }
}

fn is_lead(r: &Reviewer) -> bool {
    r.role
        .as_deref()
        .is_some_and(|role| role.trim().eq_ignore_ascii_case("lead"))
}

fn decided(e: &Escalation) -> bool {
    e.decided_by.iter().any(|d| !d.trim().is_empty())
}

fn outcome_is(e: &Escalation, word: &str) -> bool {
    e.outcome
        .as_deref()
        .is_some_and(|o| o.trim().eq_ignore_ascii_case(word))
}

pub(crate) fn check(ctx: &mut Ctx<'_>, meta: &PackageMeta) -> Outcome {
    let mut out = Outcome {
        reviewers: meta.reviewers.len(),
        ..Outcome::default()
    };
    let source = meta.reviewers_source.as_ref();
    let file = source
        .and_then(|s| s.file())
        .unwrap_or(ctx.unit.dir.as_str())
        .to_owned();
    let base_line = source.and_then(|s| s.line());
    for (i, r) in meta.reviewers.iter().enumerate() {
        let name = who(r, i);
        let line = if r.line > 0 { Some(r.line) } else { base_line };
        let escalation = r.escalation.as_ref();

        if let Some(e) = escalation
            && outcome_is(e, "ineligible")
        {
            ctx.emit(
                Some(ITEM),
                "coi/ineligible-reviewer",
                &file,
                line,
                format!("{name} was ruled ineligible but is still listed as a reviewer"),
                "remove the reviewer from the team, or record the decision that let them proceed",
            );
            out.unresolved.push(name);
            continue;
        }

        let Some(conflicts) = r
            .conflicts
            .as_ref()
            .filter(|c| c.statement.is_some() || answered(c) > 0)
        else {
            ctx.emit(
                Some(ITEM),
                "coi/missing-statement",
                &file,
                line,
                format!("{name} has no conflict-of-interest statement"),
                "every reviewer, the lead included, posts the hard/soft conflict tables on the tracking issue before the review starts; record the answers under `conflicts:` with a link in `statement:`",
            );
            out.unresolved.push(name);
            continue;
        };

        let given = answered(conflicts);
        if given < 8 || conflicts.statement.is_none() {
            let mut lacks = Vec::new();
            if given < 8 {
                lacks.push(format!("{} of 8 answers", 8 - given));
            }
            if conflicts.statement.is_none() {
                lacks.push("the link to the statement".to_owned());
            }
            ctx.emit(
                Some(ITEM),
                "coi/incomplete-statement",
                &file,
                line,
                format!(
                    "{name}'s conflict-of-interest statement lacks {}",
                    lacks.join(" and ")
                ),
                "answer all four hard and four soft questions and link the issue comment in `statement:`",
            );
        }

        let hard = hard_count(conflicts);
        let soft = soft_count(conflicts);
        if hard > 0 {
            match escalation {
                Some(e) if outcome_is(e, "waived") => {
                    let signers = e.decided_by.iter().filter(|d| !d.trim().is_empty()).count();
                    if signers < 3 {
                        ctx.emit(
                            Some(ITEM),
                            "coi/waiver-signoff",
                            &file,
                            line,
                            format!("{name}'s hard-conflict waiver records {signers} decider(s); it needs two chairs and the facilitator"),
                            "list the two TAG chairs and the facilitator who waived the conflict in `escalation.decided_by`",
                        );
                    }
                    ctx.emit(
                        Some(ITEM),
                        "coi/escalated",
                        &file,
                        line,
                        format!("{name}'s hard conflict was waived by {}", e.decided_by.join(", ")),
                        "nothing to do; the waiver is recorded",
                    );
                }
                _ => {
                    ctx.emit(
                        Some(ITEM),
                        "coi/hard-conflict",
                        &file,
                        line,
                        format!("{name} declares {hard} hard conflict(s) and no waiver is recorded"),
                        "a hard conflict makes a reviewer ineligible unless two chairs and the facilitator waive it: record `escalation: {decided_by: [...], outcome: waived, justification: <link>}` or replace the reviewer",
                    );
                    out.unresolved.push(name.clone());
                }
            }
        }
        if soft >= 2 && hard == 0 {
            match escalation {
                Some(e) if decided(e) => ctx.emit(
                    Some(ITEM),
                    "coi/escalated",
                    &file,
                    line,
                    format!(
                        "{name}'s {soft} soft conflicts were escalated to {} ({})",
                        e.decided_by.join(", "),
                        e.outcome.as_deref().unwrap_or("no outcome recorded")
                    ),
                    "nothing to do; the decision is recorded",
                ),
                _ => {
                    ctx.emit(
                        Some(ITEM),
                        "coi/multiple-soft",
                        &file,
                        line,
                        format!("{name} declares {soft} soft conflicts and no escalation decision is recorded"),
                        "multiple soft conflicts go to the Security Assessment Facilitator (and a TAG chair) for a decision: record it under `escalation:` with `decided_by`",
                    );
                    out.unresolved.push(name.clone());
                }
            }
        }
        if is_lead(r) && soft >= 1 {
            match escalation {
                Some(e) if decided(e) => {
                    if soft < 2 {
                        ctx.emit(
                            Some(ITEM),
                            "coi/escalated",
                            &file,
                            line,
                            format!("lead reviewer {name}'s soft conflict was reviewed by {}", e.decided_by.join(", ")),
                            "nothing to do; the decision is recorded",
                        );
                    }
                }
                _ => ctx.emit(
                    Some(ITEM),
                    "coi/lead-soft-conflict",
                    &file,
                    line,
                    format!("lead reviewer {name} declares {soft} soft conflict(s)"),
                    "a reviewer with a soft conflict may review but should not lead; choose another lead or record the facilitator's decision under `escalation:`",
                ),
            }
        }
    }
    out.unresolved.dedup();
    out
}
