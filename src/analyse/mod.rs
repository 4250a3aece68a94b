//! The one analysis every command runs. From the loaded [`Site`] and the configuration it
//! computes, once, everything any view shows: the checker's verdicts, every link and fragment
//! resolved (and the HTML body of each document, when pages are wanted), version coverage,
//! git dates and today's date, with `[check.levels]` applied to every finding.
//!
//! `check` prints an [`Analysis`]; `build` and `serve` render one. Views only present it, so
//! `check`, `build`, the API file and the preview cannot disagree about a package.

mod cache;
pub mod document;
pub mod highlight;
pub mod links;
pub mod sanitize;
pub mod store;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::calendar::Date;
use crate::check::{self, CheckConfig, Report, Ruleset};
use crate::config::Config;
use crate::coverage::{self, Coverage};
use crate::diagnostic::{Counts, Diagnostic};
use crate::model::{Document, RelPath, Site};

pub use cache::DocumentCache;
use document::{PageTerms, RenderedDoc, SearchSection};
use highlight::Highlighter;
use links::{LinkResolver, SiteLinks};

/// How far to take the documents: `check` needs only what they contain; `build` and `serve`
/// also need their HTML. The findings are the same either way (the same pass runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    Findings,
    Pages,
}

/// A judged site: the single source of truth for every view.
pub struct Analysis {
    pub site: Site,
    /// The checker's verdicts, one per unit, findings levelled.
    pub report: Report,
    /// Every other finding (reading files, links and raw HTML, coverage inputs, git),
    /// levelled, sorted and without repeats.
    pub findings: Vec<Diagnostic>,
    /// Each document's HTML body and contents, by source path ([`Depth::Pages`] only).
    /// Shared with the preview server's cache, which keeps them for the next rebuild.
    pub documents: HashMap<RelPath, Arc<RenderedDoc>>,
    pub coverage: Coverage,
    /// Source path → the date git last changed it, when git dates are on and available.
    pub changed: Option<BTreeMap<String, String>>,
    /// The bodies and search texts of `documents` taken from the disk cache and left there
    /// until a page or the search index needs them (their `html` and `sections` are empty
    /// until then): see [`Analysis::html`] and [`Analysis::search`].
    pub bodies: Bodies,
}

/// Page bodies and search texts left in the disk cache's file, by their digests
/// (`html_digest`, `search_digest`).
#[derive(Debug, Default)]
pub struct Bodies(store::Left);

impl Bodies {
    /// The body of `rendered` read back from the cache file and checked against its digest,
    /// if the analysis left it there (`None`: the body is in `rendered` itself).
    fn read_back(&self, rendered: &RenderedDoc) -> Option<Result<String, BodyLost>> {
        let deferred = self
            .0
            .bodies
            .get(&rendered.html_digest)
            .filter(|_| rendered.html.is_empty())?;
        Some(deferred.html(&rendered.html_digest).ok_or(BodyLost))
    }

    /// The search text of `rendered`, read back as [`Bodies::read_back`] reads its body.
    fn search_back(
        &self,
        rendered: &RenderedDoc,
    ) -> Option<Result<(Vec<SearchSection>, PageTerms), BodyLost>> {
        let deferred = self
            .0
            .searches
            .get(&rendered.search_digest)
            .filter(|_| rendered.sections.is_empty())?;
        Some(deferred.search(&rendered.search_digest).ok_or(BodyLost))
    }
}

/// A document's sections and weighed terms, as the search index takes them.
pub struct SearchText<'r> {
    pub sections: Cow<'r, [SearchSection]>,
    pub terms: Cow<'r, PageTerms>,
}

/// A body or search text left in the cache file could not be read back as it was (the file
/// was damaged, or changed under the build): the render stops rather than show a wrong page,
/// and `build` makes the site again without the file.
#[derive(Debug)]
pub struct BodyLost;

impl From<BodyLost> for crate::error::Error {
    fn from(_: BodyLost) -> Self {
        crate::error::Error::CacheDamaged
    }
}

impl Analysis {
    /// Every finding: the unit reports' and the others.
    pub fn all_findings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.report
            .units
            .iter()
            .flat_map(|u| &u.findings)
            .chain(&self.findings)
    }

    /// How many findings of each level, over the unit reports and the other findings.
    pub fn counts(&self) -> Counts {
        Counts::of(self.all_findings())
    }

    /// Whether the run fails: any error, or any warning when warnings are denied. `check`
    /// always applies this; `build` only with `--deny`.
    pub fn fails(&self, deny_warnings: bool) -> bool {
        check::has_errors(&self.report, &self.findings, deny_warnings)
    }

    /// The HTML body of `rendered`: its own, or read back from the cache file where the
    /// analysis left it (only a page that is rendered again needs it).
    pub fn html<'r>(&self, rendered: &'r RenderedDoc) -> Result<Cow<'r, str>, BodyLost> {
        match self.bodies.read_back(rendered) {
            Some(read) => read.map(Cow::Owned),
            None => Ok(Cow::Borrowed(&rendered.html)),
        }
    }

    /// A document's sections and terms for the search index: read back from the cache file
    /// when the analysis left them there, else borrowed from `rendered`.
    pub fn search<'r>(&self, rendered: &'r RenderedDoc) -> Result<SearchText<'r>, BodyLost> {
        Ok(match self.bodies.search_back(rendered) {
            Some(read) => {
                let (sections, terms) = read?;
                SearchText {
                    sections: Cow::Owned(sections),
                    terms: Cow::Owned(terms),
                }
            }
            None => SearchText {
                sections: Cow::Borrowed(&rendered.sections),
                terms: Cow::Borrowed(&rendered.terms),
            },
        })
    }

    /// Reads every body left in the cache file into its document, for a theme that shows a
    /// body other than by splicing it into the rendered page (it goes into the page's key).
    pub fn load_bodies(&mut self) -> Result<(), BodyLost> {
        let bodies = std::mem::take(&mut self.bodies);
        for rendered in self.documents.values_mut() {
            if let Some(read) = bodies.read_back(rendered) {
                Arc::make_mut(rendered).html = read?;
            }
        }
        Ok(())
    }

    /// The rendered body of a document, found by its source path.
    pub fn document(&self, doc: &Document) -> Option<&RenderedDoc> {
        self.documents.get(&doc.source).map(|rendered| &**rendered)
    }
}

/// The checker's settings from `book.toml`, with today's date from the one clock.
pub fn check_config(config: &Config, today: Option<Date>) -> CheckConfig {
    CheckConfig {
        default_ruleset: config.ruleset.as_deref().and_then(|r| r.parse::<Ruleset>().ok()),
        levels: config.levels.clone(),
        today,
        renewal_months: config.renewal_months,
    }
}

/// Analyses a loaded site. `cache` keeps rendered documents between the preview server's
/// rebuilds.
///
/// What reads a document's text runs in an order that lets the text go as early as it can
/// (at 50 times the corpus the Markdown and its visible lines were a third of the heap at its
/// peak): check, coverage and the link table (the raw ids of every body) first, then each
/// document's visible lines are dropped, and its Markdown once its own pass is done. No view
/// reads either: pages show the HTML the pass made, and a document that could not be read is
/// known by its finding.
pub fn analyse(config: &Config, mut site: Site, depth: Depth, cache: Option<&DocumentCache>) -> Analysis {
    let today = crate::calendar::today();
    let check_config = check_config(config, today);
    let ((report, (coverage, mut notes)), links) = rayon::join(
        || {
            rayon::join(
                || check::check(&site, &check_config),
                || read_coverage(config, &site, today),
            )
        },
        || SiteLinks::new(&site),
    );
    for doc in site.documents_mut() {
        doc.hidden = None;
    }
    let (changed, (documents, document_findings, bodies)) = rayon::join(
        || git_dates(config, &mut notes),
        || documents(&mut site, &links, depth, cache),
    );
    // Taken out of the site, so that no view can show a finding before its level is applied.
    let mut findings = std::mem::take(&mut site.diagnostics);
    findings.extend(notes);
    findings.extend(document_findings);
    check::apply_levels(&mut findings, &check_config.levels);
    findings.sort();
    findings.dedup();
    Analysis {
        site,
        report,
        findings,
        documents,
        coverage,
        changed,
        bodies,
    }
}

/// Version coverage, from the site and the releases data file, with what reading the file
/// found.
fn read_coverage(config: &Config, site: &Site, today: Option<Date>) -> (Coverage, Vec<Diagnostic>) {
    let (inputs, notes) = coverage::Inputs::from_config(config);
    let coverage = coverage::coverage(site, today, config.renewal_months, &inputs);
    (coverage, notes)
}

/// Source path → the date git last changed it, when git dates are on. Without git (or
/// outside a checkout) pages show no dates, with one note.
fn git_dates(config: &Config, notes: &mut Vec<Diagnostic>) -> Option<BTreeMap<String, String>> {
    if !config.git {
        return None;
    }
    let folders: Vec<&str> = std::iter::once(config.projects.as_str())
        .chain(config.process.as_deref())
        .collect();
    let (dates, note) = crate::gitdates::collect(&config.root, &folders);
    let available = note.is_none();
    notes.extend(note);
    available.then_some(dates)
}

/// What a document's pass costs, roughly: highlighting a code block costs ~30 times what the
/// same bytes of prose cost.
fn cost(doc: &Document) -> usize {
    doc.body.len() + 30 * doc.outline.code_bytes
}

/// Every document through the one Markdown pass, in parallel over documents (units differ a
/// lot in size, so balancing over documents keeps both cores busy), each taken from `cache`
/// when it has it, its Markdown let go as soon as its pass is done. The costliest start
/// first, so that one long document does not start last and keep one core busy while the
/// other waits (longest job first).
fn documents(
    site: &mut Site,
    links: &SiteLinks,
    depth: Depth,
    cache: Option<&DocumentCache>,
) -> (HashMap<RelPath, Arc<RenderedDoc>>, Vec<Diagnostic>, Bodies) {
    if let Some(cache) = cache {
        cache.prepare(depth);
    }
    let fresh = |doc: &Document| cache.is_some_and(|c| c.has(doc));
    // Load the syntax set on a spare core while the others start, if any document to render
    // has code (the outline already knows).
    if depth == Depth::Pages && site.documents().any(|d| d.outline.has_code && !fresh(d)) {
        rayon::spawn(Highlighter::warm);
    }
    let highlighter = Highlighter::new();
    let pass = |doc: &Document, links: &dyn LinkResolver| match depth {
        Depth::Pages => document::render(doc, links, &highlighter),
        Depth::Findings => RenderedDoc {
            diagnostics: document::scan(doc, links),
            ..RenderedDoc::default()
        },
    };
    let mut jobs: Vec<(usize, &mut Document)> = site.documents_mut().enumerate().collect();
    // Stable: documents of equal cost keep their site order.
    jobs.sort_by_key(|(_, doc)| std::cmp::Reverse(cost(doc)));
    let mut rendered: Vec<(usize, Arc<RenderedDoc>)> = jobs
        .into_par_iter()
        .with_max_len(1)
        .map(|(at, doc)| {
            let result = match cache {
                Some(cache) => cache.get(doc, links, |links| pass(doc, links)),
                None => Arc::new(pass(doc, links)),
            };
            doc.body = String::new();
            (at, result)
        })
        .collect();
    rendered.sort_unstable_by_key(|(at, _)| *at);
    let all: Vec<&Document> = site.documents().collect();
    let bodies = cache.map(DocumentCache::deferred).unwrap_or_default();
    if let Some(cache) = cache {
        cache.finish(&all);
    }
    let mut findings = Vec::new();
    let mut documents = HashMap::with_capacity(if depth == Depth::Pages { rendered.len() } else { 0 });
    for (doc, (_, mut rendered)) in all.iter().zip(rendered) {
        match Arc::get_mut(&mut rendered) {
            Some(only) => findings.append(&mut only.diagnostics),
            // Kept by the cache for the next rebuild too, so copied rather than taken.
            None => findings.extend(rendered.diagnostics.iter().cloned()),
        }
        if depth == Depth::Pages {
            documents.insert(doc.source.clone(), rendered);
        }
    }
    (documents, findings, bodies)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `good` fixture, loaded.
    fn good() -> (Config, Site) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good");
        let overrides = crate::config::Overrides {
            root: Some(root),
            ..Default::default()
        };
        let config = Config::load(&overrides).expect("the good fixture's config");
        let site = crate::load::load(&config);
        (config, site)
    }

    #[test]
    fn the_analysis_lets_every_documents_text_go() {
        for depth in [Depth::Findings, Depth::Pages] {
            let (config, site) = good();
            assert!(site.documents().all(|d| !d.body.is_empty() && d.hidden.is_some()));
            let analysis = analyse(&config, site, depth, None);
            assert!(analysis.site.documents().count() > 3);
            for doc in analysis.site.documents() {
                assert!(
                    doc.body.is_empty(),
                    "{} keeps its Markdown at {depth:?}",
                    doc.source
                );
                assert!(
                    doc.hidden.is_none(),
                    "{} keeps its visible lines at {depth:?}",
                    doc.source
                );
            }
        }
    }
}
