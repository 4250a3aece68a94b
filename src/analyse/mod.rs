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
use document::RenderedDoc;
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
    /// The bodies of `documents` taken from the disk cache and left there until a page needs
    /// them (their `html` is empty until then): see [`Analysis::html`].
    pub bodies: Bodies,
}

/// Page bodies left in the disk cache's file, by the digest of the HTML (`html_digest`).
#[derive(Debug, Default)]
pub struct Bodies(HashMap<[u8; 32], store::Deferred>);

impl Bodies {
    /// Whether every body is in memory.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The body of `rendered` read back from the cache file and checked against its digest,
    /// if the analysis left it there (`None`: the body is in `rendered` itself).
    fn read_back(&self, rendered: &RenderedDoc) -> Option<Result<String, BodyLost>> {
        let deferred = self
            .0
            .get(&rendered.html_digest)
            .filter(|_| rendered.html.is_empty())?;
        Some(deferred.html(&rendered.html_digest).ok_or(BodyLost))
    }
}

/// A body left in the cache file could not be read back as it was (the file was changed
/// under the build): the build stops rather than show a wrong page.
#[derive(Debug)]
pub struct BodyLost;

impl From<BodyLost> for crate::error::Error {
    fn from(_: BodyLost) -> Self {
        crate::error::Error::Setup(
            "the build cache changed during the build (a page body could not be read back); \
             build again, or with --no-cache"
                .to_owned(),
        )
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

    /// Lets go of what only the analysis reads: each document's Markdown and its visible
    /// lines. Pages show the HTML the pass made from them (and a document that could not be
    /// read is known by its finding), so `build` frees them before it renders: at 50 times
    /// the corpus they are a third of the heap.
    pub fn release_sources(&mut self) {
        for doc in self.site.documents_mut() {
            doc.body = String::new();
            doc.hidden = None;
        }
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
pub fn analyse(config: &Config, mut site: Site, depth: Depth, cache: Option<&DocumentCache>) -> Analysis {
    let today = crate::calendar::today();
    let check_config = check_config(config, today);
    let ((report, surroundings), (documents, document_findings, bodies)) = rayon::join(
        || {
            rayon::join(
                || check::check(&site, &check_config),
                || Surroundings::read(config, &site, today),
            )
        },
        || documents(&site, depth, cache),
    );
    // Taken out of the site, so that no view can show a finding before its level is applied.
    let mut findings = std::mem::take(&mut site.diagnostics);
    findings.extend(surroundings.notes);
    findings.extend(document_findings);
    check::apply_levels(&mut findings, &check_config.levels);
    findings.sort();
    findings.dedup();
    Analysis {
        site,
        report,
        findings,
        documents,
        coverage: surroundings.coverage,
        changed: surroundings.changed,
        bodies,
    }
}

/// What the analysis reads besides the site: the releases data file (for coverage) and git's
/// dates, with what reading them found.
struct Surroundings {
    coverage: Coverage,
    changed: Option<BTreeMap<String, String>>,
    notes: Vec<Diagnostic>,
}

impl Surroundings {
    fn read(config: &Config, site: &Site, today: Option<Date>) -> Surroundings {
        let (inputs, mut notes) = coverage::Inputs::from_config(config);
        let coverage = coverage::coverage_with_source(
            site,
            today,
            config.renewal_months,
            &inputs.releases,
            &inputs.releases_source,
        );
        // Without git (or outside a checkout) pages show no dates, with one note.
        let changed = if config.git {
            let folders: Vec<&str> = std::iter::once(config.projects.as_str())
                .chain(config.process.as_deref())
                .collect();
            let (dates, note) = crate::gitdates::collect(&config.root, &folders);
            let available = note.is_none();
            notes.extend(note);
            available.then_some(dates)
        } else {
            None
        };
        Surroundings {
            coverage,
            changed,
            notes,
        }
    }
}

/// The positions of `all` in the order to start them: the costliest first (highlighting a
/// code block costs ~30 times what the same bytes of prose cost), so that one long document
/// does not start last and keep one core busy while the other waits (longest job first).
fn costliest_first(all: &[&Document]) -> Vec<usize> {
    let cost = |doc: &Document| doc.body.len() + 30 * doc.outline.code_bytes;
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by_key(|&at| std::cmp::Reverse(cost(all[at])));
    order
}

/// Every document through the one Markdown pass, in parallel over documents (units differ a
/// lot in size, so balancing over documents keeps both cores busy), each taken from `cache`
/// when it has it.
fn documents(
    site: &Site,
    depth: Depth,
    cache: Option<&DocumentCache>,
) -> (HashMap<RelPath, Arc<RenderedDoc>>, Vec<Diagnostic>, Bodies) {
    let links = SiteLinks::new(site);
    let all: Vec<&Document> = site.documents().collect();
    if let Some(cache) = cache {
        cache.prepare(depth);
    }
    let fresh = |doc: &Document| cache.is_some_and(|c| c.has(doc));
    // Load the syntax set on a spare core while the others start, if any document to render
    // has code (the outline already knows).
    if depth == Depth::Pages && all.iter().any(|d| d.outline.has_code && !fresh(d)) {
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
    let mut rendered: Vec<(usize, Arc<RenderedDoc>)> = costliest_first(&all)
        .into_par_iter()
        .with_max_len(1)
        .map(|at| {
            let doc = all[at];
            let result = match cache {
                Some(cache) => cache.get(doc, &links, |links| pass(doc, links)),
                None => Arc::new(pass(doc, &links)),
            };
            (at, result)
        })
        .collect();
    rendered.sort_unstable_by_key(|(at, _)| *at);
    let rendered: Vec<Arc<RenderedDoc>> = rendered.into_iter().map(|(_, doc)| doc).collect();
    let bodies = cache.map(DocumentCache::deferred).unwrap_or_default();
    if let Some(cache) = cache {
        cache.finish(&all);
    }
    let mut findings = Vec::new();
    let mut documents = HashMap::with_capacity(if depth == Depth::Pages { rendered.len() } else { 0 });
    for (doc, mut rendered) in all.iter().zip(rendered) {
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
