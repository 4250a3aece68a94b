//! Discovery and parsing put together: reads every file once (in parallel) and assembles the
//! `Site`, merging each unit's facts by provenance.

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::discover::{self, Discovered, SourceFile, UnitFiles};
use crate::model::{Asset, DocKind, Document, Fact, FactKey, Facts, PackageMeta, Provenance, Site, Unit};
use crate::parse::{self, frontmatter};

/// Loads the whole site. Never fails: every problem is a diagnostic in `Site::diagnostics`.
pub fn load(config: &Config) -> Site {
    let Discovered { units, process_docs, process_files, pages, mut diagnostics } = discover::discover(config);

    let units: Vec<(Unit, Vec<Diagnostic>)> = units.into_par_iter().map(load_unit).collect();
    let process: Vec<(Document, Vec<Diagnostic>)> = process_docs
        .par_iter()
        .map(|file| load_document(file, DocKind::Process, process_url(&file.within)))
        .collect();
    let pages: Vec<(Document, Vec<Diagnostic>)> = pages
        .par_iter()
        .map(|file| load_document(file, DocKind::Other, "projects/index.html".to_owned()))
        .collect();

    let mut site = Site {
        title: config.title.clone(),
        description: config.description.clone(),
        units: Vec::with_capacity(units.len()),
        process: Vec::with_capacity(process.len()),
        pages: Vec::with_capacity(pages.len()),
        files: process_files.iter().map(|f| asset(f, format!("process/{}", f.within))).collect(),
        diagnostics: Vec::new(),
    };
    for (unit, found) in units {
        site.units.push(unit);
        diagnostics.extend(found);
    }
    for (doc, found) in process {
        site.process.push(doc);
        diagnostics.extend(found);
    }
    for (doc, found) in pages {
        site.pages.push(doc);
        diagnostics.extend(found);
    }
    diagnostics.sort();
    diagnostics.dedup();
    site.diagnostics = diagnostics;
    site
}

/// `guide/README.md` → `process/guide/index.html`; `intake-process.md` → `process/intake-process.html`.
fn process_url(within: &str) -> String {
    let (dir, name) = within.rsplit_once('/').map_or(("", within), |(d, n)| (d, n));
    let page = if name.eq_ignore_ascii_case("readme.md") { "index.html".to_owned() } else { html_name(name) };
    if dir.is_empty() { format!("process/{page}") } else { format!("process/{dir}/{page}") }
}

fn html_name(name: &str) -> String {
    let stem = name.strip_suffix(".markdown").or_else(|| name.strip_suffix(".md")).or_else(|| name.strip_suffix(".MD"));
    match stem {
        Some(stem) => format!("{stem}.html"),
        None => match name.rsplit_once('.') {
            Some((stem, _)) => format!("{stem}.html"),
            None => format!("{name}.html"),
        },
    }
}

fn asset(file: &SourceFile, url: String) -> Asset {
    Asset { source: file.rel.clone(), url, size: file.size }
}

fn load_document(file: &SourceFile, kind: DocKind, url: String) -> (Document, Vec<Diagnostic>) {
    let (document, _, diagnostics) = load_document_with_meta(file, kind, url);
    (document, diagnostics)
}

/// Also returns the structured front matter (reviewers, exemptions) the document declares.
fn load_document_with_meta(file: &SourceFile, kind: DocKind, url: String) -> (Document, PackageMeta, Vec<Diagnostic>) {
    let (parsed, diagnostics) = match std::fs::read(&file.path) {
        Ok(bytes) => {
            let mut parsed = parse::parse_document(&file.rel, &bytes, kind);
            let diagnostics = std::mem::take(&mut parsed.diagnostics);
            (parsed, diagnostics)
        }
        Err(err) => (
            parse::ParsedFile { body_line: 1, ..Default::default() },
            vec![
                Diagnostic::error("input/unreadable", format!("could not read the file: {err}"))
                    .at(file.rel.clone(), None)
                    .help("check the file's permissions"),
            ],
        ),
    };
    let title = parsed.outline.title.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| title_from_name(&file.within));
    let document = Document {
        kind,
        source: file.rel.clone(),
        rel: file.within.clone(),
        url,
        title,
        body: parsed.body,
        body_line: parsed.body_line,
        outline: parsed.outline,
        facts: parsed.facts,
    };
    (document, parsed.meta, diagnostics)
}

/// `self-assessment.md` → `Self assessment`.
fn title_from_name(within: &str) -> String {
    let name = within.rsplit('/').next().unwrap_or(within);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem).replace(['-', '_'], " ");
    let mut chars = stem.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name.to_owned(),
    }
}

fn load_unit(files: UnitFiles) -> (Unit, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut documents = Vec::with_capacity(files.documents.len());
    let mut front_meta: Vec<(String, PackageMeta)> = Vec::new();
    for (kind, file) in &files.documents {
        let url = format!("projects/{}/{}", files.slug, unit_page_name(&file.within));
        let (doc, meta, found) = load_document_with_meta(file, *kind, url);
        diagnostics.extend(found);
        front_meta.push((file.rel.clone(), meta));
        documents.push(doc);
    }
    let mut sidecar_facts = Facts::new();
    if let Some(sidecar) = &files.sidecar {
        match std::fs::read(&sidecar.path) {
            Ok(bytes) => {
                if let Some(text) = parse::decode(&sidecar.rel, &bytes, &mut diagnostics) {
                    let fm = frontmatter::parse(&text, &sidecar.rel, 1, |file, line| Provenance::Sidecar {
                        file: file.to_owned(),
                        line,
                    });
                    diagnostics.extend(fm.diagnostics);
                    sidecar_facts = fm.facts;
                    front_meta.push((sidecar.rel.clone(), fm.meta));
                }
            }
            Err(err) => diagnostics.push(
                Diagnostic::error("input/unreadable", format!("could not read the file: {err}")).at(sidecar.rel.clone(), None),
            ),
        }
    }
    let facts = merge_facts(&documents, &sidecar_facts, &mut diagnostics);
    let meta = merge_meta(front_meta, &mut diagnostics);
    let name = facts.get(&FactKey::ProjectName).map(|f| f.value.clone()).unwrap_or_else(|| files.folder.clone());
    let assets = files
        .assets
        .iter()
        .map(|f| asset(f, format!("projects/{}/{}", files.slug, f.within)))
        .collect();
    let unit = Unit { slug: files.slug, name, dir: files.dir, documents, assets, facts, meta };
    (unit, diagnostics)
}

fn unit_page_name(within: &str) -> String {
    match within.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/{}", html_name(name)),
        None => html_name(within),
    }
}

/// Which document is the better witness for a fact stated in prose: summary facts come from
/// the summary first, metadata facts from the self-assessment first.
fn document_priority(key: FactKey, kind: DocKind) -> u8 {
    use DocKind::*;
    let summary_fact = matches!(
        key,
        FactKey::Completed
            | FactKey::VersionCovered
            | FactKey::SecurityReviewers
            | FactKey::ProjectSecurityLead
            | FactKey::ProjectTeam
            | FactKey::TrackingIssue
            | FactKey::SourceCode
    );
    let order: &[DocKind] = if summary_fact {
        &[Summary, JointAssessment, SelfAssessment, Recommendations, ThreatModel, Other]
    } else {
        &[SelfAssessment, JointAssessment, Summary, Recommendations, ThreatModel, Other]
    };
    order.iter().position(|k| *k == kind).map_or(0, |i| (order.len() - i) as u8)
}

/// One value per key: front matter beats the sidecar beats the documents. Two declared
/// values that disagree are reported, so nobody has to guess which one the site shows.
fn merge_facts(documents: &[Document], sidecar: &Facts, diagnostics: &mut Vec<Diagnostic>) -> Facts {
    let mut merged = Facts::new();
    for key in FactKey::ALL {
        let mut candidates: Vec<(u8, u8, &Fact)> = documents
            .iter()
            .filter_map(|doc| doc.facts.get(&key).map(|fact| (fact.source.rank(), document_priority(key, doc.kind), fact)))
            .collect();
        if let Some(fact) = sidecar.get(&key) {
            candidates.push((fact.source.rank(), u8::MAX, fact));
        }
        candidates.sort_by(|a, b| (b.0, b.1).cmp(&(a.0, a.1)));
        let Some((_, _, best)) = candidates.first() else { continue };
        for (rank, _, other) in candidates.iter().skip(1) {
            if other.value == best.value {
                continue;
            }
            let declared_both = *rank >= 2;
            if declared_both {
                diagnostics.push(
                    Diagnostic::warning(
                        "facts/conflict",
                        format!(
                            "`{}` is declared twice with different values: `{}` here, `{}` at {}",
                            key.name(),
                            other.raw,
                            best.raw,
                            best.source.describe()
                        ),
                    )
                    .at(other.source.file().unwrap_or_default(), other.source.line())
                    .help("state the fact once, in front matter or in tssa.yaml"),
                );
            } else if best.source.rank() >= 2 && other.source.rank() == 1 {
                diagnostics.push(
                    Diagnostic::info(
                        "facts/mismatch",
                        format!(
                            "the document says `{}` for {}, but {} declares `{}`",
                            other.raw,
                            key.label().to_lowercase(),
                            best.source.describe(),
                            best.raw
                        ),
                    )
                    .at(other.source.file().unwrap_or_default(), other.source.line()),
                );
            }
        }
        merged.insert(key, (*best).clone());
    }
    merged
}

fn merge_meta(sources: Vec<(String, PackageMeta)>, diagnostics: &mut Vec<Diagnostic>) -> PackageMeta {
    let mut merged = PackageMeta::default();
    let mut reviewers_from: Option<String> = None;
    for (file, meta) in sources {
        if !meta.reviewers.is_empty() {
            match &reviewers_from {
                None => {
                    merged.reviewers = meta.reviewers;
                    merged.reviewers_source = meta.reviewers_source;
                    reviewers_from = Some(file);
                }
                Some(first) if *merged.reviewers != *meta.reviewers => diagnostics.push(
                    Diagnostic::warning(
                        "facts/conflict",
                        format!("`reviewers` is declared here and in {first} with different entries; {first} is used"),
                    )
                    .at(file, meta.reviewers_source.as_ref().and_then(Provenance::line))
                    .help("declare the reviewers once"),
                ),
                Some(_) => {}
            }
        }
        for approval in meta.co_chair_approvals {
            if !merged.co_chair_approvals.contains(&approval) {
                merged.co_chair_approvals.push(approval);
            }
        }
        merged.exemptions.extend(meta.exemptions);
    }
    merged
}
