//! A file's parse result as the parse cache stores it on disk. Its own types, so the file's
//! layout is stated here: the model's serde forms are the JSON report's (an internally tagged
//! `Provenance`, skipped fields), which a format without field names cannot read back. A
//! document's body is not stored: it is the file's decoded text from `body_start` on, taken
//! again from the bytes just read (which the entry's digest matched).

use serde::{Deserialize, Serialize};

use crate::analyse::store::Finding;
use crate::diagnostic::Diagnostic;
use crate::model::{
    Exemption, Fact, FactKey, Facts, Heading, LinkRef, Outline, PackageMeta, Provenance, Reviewer, Visibility,
};

/// One file's parse result.
#[derive(Serialize, Deserialize)]
pub(super) enum Stored<'a> {
    Document(StoredDocument<'a>),
    Sidecar {
        facts: Vec<(FactKey, StoredFact)>,
        meta: Option<StoredMeta>,
        diagnostics: Vec<Finding<'a>>,
    },
    /// An image's width and height (`None`: its header does not say).
    Dimensions(Option<(u32, u32)>),
}

/// A document's parse result without its body.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredDocument<'a> {
    pub title: String,
    /// Where the body starts in the decoded text; `None` when the file gave no text.
    pub body_start: Option<u64>,
    pub body_line: u64,
    pub outline: StoredOutline,
    pub hidden: Option<Visibility>,
    pub facts: Vec<(FactKey, StoredFact)>,
    pub meta: StoredMeta,
    pub diagnostics: Vec<Finding<'a>>,
}

/// An [`Outline`] with the bytes of code its serde form leaves out.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredOutline {
    title: Option<String>,
    headings: Vec<Heading>,
    links: Vec<LinkRef>,
    has_code: bool,
    code_bytes: u64,
}

impl StoredOutline {
    pub fn of(outline: &Outline) -> Self {
        StoredOutline {
            title: outline.title.clone(),
            headings: outline.headings.clone(),
            links: outline.links.clone(),
            has_code: outline.has_code,
            code_bytes: outline.code_bytes as u64,
        }
    }

    pub fn into_outline(self) -> Outline {
        Outline {
            title: self.title,
            headings: self.headings,
            links: self.links,
            has_code: self.has_code,
            code_bytes: usize::try_from(self.code_bytes).unwrap_or(usize::MAX),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) enum StoredProvenance {
    FrontMatter(String, u64),
    Sidecar(String, u64),
    Document(String, u64),
    Inferred(String),
}

impl StoredProvenance {
    fn of(source: &Provenance) -> Self {
        match source {
            Provenance::FrontMatter { file, line } => Self::FrontMatter(file.to_string(), *line as u64),
            Provenance::Sidecar { file, line } => Self::Sidecar(file.to_string(), *line as u64),
            Provenance::Document { file, line } => Self::Document(file.to_string(), *line as u64),
            Provenance::Inferred { reason } => Self::Inferred(reason.clone()),
        }
    }

    fn into_provenance(self) -> Provenance {
        let line = |l: u64| usize::try_from(l).unwrap_or(usize::MAX);
        match self {
            Self::FrontMatter(file, l) => Provenance::FrontMatter {
                file: file.into(),
                line: line(l),
            },
            Self::Sidecar(file, l) => Provenance::Sidecar {
                file: file.into(),
                line: line(l),
            },
            Self::Document(file, l) => Provenance::Document {
                file: file.into(),
                line: line(l),
            },
            Self::Inferred(reason) => Provenance::Inferred { reason },
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct StoredFact(String, String, StoredProvenance);

pub(super) fn store_facts(facts: &Facts) -> Vec<(FactKey, StoredFact)> {
    facts
        .iter()
        .map(|(key, fact)| {
            let stored = StoredFact(
                fact.value.clone(),
                fact.raw.clone(),
                StoredProvenance::of(&fact.source),
            );
            (*key, stored)
        })
        .collect()
}

pub(super) fn restore_facts(facts: Vec<(FactKey, StoredFact)>) -> Facts {
    facts
        .into_iter()
        .map(|(key, StoredFact(value, raw, source))| {
            let source = source.into_provenance();
            (key, Fact { value, raw, source })
        })
        .collect()
}

/// A [`PackageMeta`] with each reviewer's line, which `Reviewer`'s serde form skips.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredMeta {
    reviewers: Vec<(Reviewer, u64)>,
    reviewers_source: Option<StoredProvenance>,
    co_chair_approvals: Vec<String>,
    exemptions: Vec<(String, String, StoredProvenance)>,
}

impl StoredMeta {
    pub fn of(meta: &PackageMeta) -> Self {
        StoredMeta {
            reviewers: meta
                .reviewers
                .iter()
                .map(|r| (r.clone(), r.line as u64))
                .collect(),
            reviewers_source: meta.reviewers_source.as_ref().map(StoredProvenance::of),
            co_chair_approvals: meta.co_chair_approvals.clone(),
            exemptions: meta
                .exemptions
                .iter()
                .map(|e| (e.item.clone(), e.reason.clone(), StoredProvenance::of(&e.source)))
                .collect(),
        }
    }

    pub fn into_meta(self) -> PackageMeta {
        PackageMeta {
            reviewers: self
                .reviewers
                .into_iter()
                .map(|(reviewer, line)| Reviewer {
                    line: usize::try_from(line).unwrap_or(usize::MAX),
                    ..reviewer
                })
                .collect(),
            reviewers_source: self.reviewers_source.map(StoredProvenance::into_provenance),
            co_chair_approvals: self.co_chair_approvals,
            exemptions: self
                .exemptions
                .into_iter()
                .map(|(item, reason, source)| Exemption {
                    item,
                    reason,
                    source: source.into_provenance(),
                })
                .collect(),
        }
    }
}

pub(super) fn store_diagnostics(diagnostics: &[Diagnostic]) -> Vec<Finding<'_>> {
    diagnostics.iter().map(Finding::of).collect()
}

pub(super) fn restore_diagnostics(findings: Vec<Finding<'_>>) -> Vec<Diagnostic> {
    findings.into_iter().map(Finding::into_diagnostic).collect()
}
