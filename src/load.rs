//! Discovery and parsing put together: reads every file once (in parallel) and assembles the
//! `Site`, merging each unit's facts by provenance.

mod cache;
mod kept;
mod stored;

use std::collections::BTreeSet;
use std::path::Path;

use rayon::prelude::*;

use cache::Parser;
pub use cache::{CacheStats, ParseCache};
pub use kept::Loaded;
use kept::Reader;
use stored::{Stored, StoredDocument, StoredMeta, StoredOutline};

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::discover::{self, Discovered, SourceFile, UnitFiles};
use crate::fsread::{ReadError, read_listed};
use crate::model::{
    Asset, DocKind, Document, Fact, FactKey, FactValue, Facts, PackageMeta, Provenance, RelPath, Site, Unit,
};
use crate::outname;
use crate::parse::{self, frontmatter};

/// Loads the whole site. Never fails: every problem is a diagnostic in `Site::diagnostics`.
pub fn load(config: &Config) -> Site {
    load_discovered(config, &discover::discover(config), &Reader::plain(config, None))
}

/// Like [`load`], but reuses the parse of every file unchanged since the previous call with
/// the same cache: the preview server reloads the site on each save and should only pay for
/// the files that were edited.
pub fn load_cached(config: &Config, cache: &mut ParseCache) -> Site {
    // The walk uses one core; the other reads the cache file meanwhile.
    let (discovered, ()) = rayon::join(|| discover::discover(config), || cache.begin());
    let site = load_discovered(config, &discovered, &Reader::plain(config, Some(cache)));
    cache.finish();
    site
}

/// Like [`load_cached`], and keeps what it found and read, so that the next load after an
/// edit can read only the edited files ([`Loaded::refresh`]).
pub fn load_kept(config: &Config, cache: &mut ParseCache) -> (Site, Loaded) {
    let (discovered, ()) = rayon::join(|| discover::discover(config), || cache.begin());
    let reader = Reader {
        fresh: Some(std::sync::Mutex::default()),
        ..Reader::plain(config, Some(cache))
    };
    let site = load_discovered(config, &discovered, &reader);
    let parts = reader.into_parts();
    cache.finish();
    let loaded = Loaded::new(config, discovered, parts);
    (site, loaded)
}

/// Like [`load`], with the parse cache on disk in `dir` (the build cache's folder, see
/// [`crate::analyse::store::locate`]) when there is one: `build` and `check` then parse only
/// the files whose bytes changed since the last run.
pub fn load_with_disk_cache(config: &Config, dir: Option<&Path>) -> Site {
    match dir {
        Some(dir) => load_cached(config, &mut ParseCache::on_disk(dir)),
        None => load(config),
    }
}

fn load_discovered(config: &Config, discovered: &Discovered, reader: &Reader) -> Site {
    let Discovered {
        units,
        process_docs,
        process_files,
        pages,
        diagnostics,
    } = discovered;
    let mut diagnostics = diagnostics.clone();
    let (process_urls, mut taken) = process_urls(process_docs, &mut diagnostics);

    // Units, process documents and pages in one parallel phase rather than three in a row,
    // so a core that finishes its share of one does not wait for the others' stragglers.
    type Loaded<T> = Vec<(T, Vec<Diagnostic>)>;
    let (units, (process, pages)): (Loaded<Unit>, (Loaded<Document>, Loaded<Document>)) = rayon::join(
        || units.par_iter().map(|unit| load_unit(unit, reader)).collect(),
        || {
            rayon::join(
                || {
                    process_docs
                        .par_iter()
                        .zip(process_urls)
                        .map(|(file, url)| load_document(file, DocKind::Process, url, reader))
                        .collect()
                },
                || {
                    pages
                        .par_iter()
                        .map(|file| {
                            load_document(file, DocKind::Other, "projects/index.html".to_owned(), reader)
                        })
                        .collect()
                },
            )
        },
    );

    let mut site = Site {
        title: config.title.clone(),
        description: config.description.clone(),
        units: Vec::with_capacity(units.len()),
        process: Vec::with_capacity(process.len()),
        pages: Vec::with_capacity(pages.len()),
        files: Vec::with_capacity(process_files.len()),
        diagnostics: Vec::new(),
    };
    for file in process_files {
        let url = asset_url("process", file, &mut taken, &mut diagnostics);
        site.files.push(asset(file, url, reader));
    }
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

/// The page of each process document, in order, and the output paths they take (lowercase).
/// The glance page is reserved; two documents that want one page (`README.md` and
/// `readme.md`) get two.
fn process_urls(docs: &[SourceFile], diagnostics: &mut Vec<Diagnostic>) -> (Vec<String>, BTreeSet<String>) {
    let mut taken = BTreeSet::from(["process/glance.html".to_owned()]);
    let urls = docs
        .iter()
        .map(|file| {
            let plain = process_url(&file.within);
            let below = plain.strip_prefix("process/").unwrap_or(&plain);
            let wanted = outname::fit_path("process", below);
            report_shortened(file, &plain, &wanted, diagnostics);
            let url = unique_url(&wanted, &mut taken);
            if url != wanted {
                diagnostics.push(collision(file, &url));
            }
            url
        })
        .collect();
    (urls, taken)
}

/// `guide/README.md` → `process/guide/index.html`; `intake-process.md` → `process/intake-process.html`.
fn process_url(within: &str) -> String {
    let (dir, name) = within.rsplit_once('/').map_or(("", within), |(d, n)| (d, n));
    let page = if name.eq_ignore_ascii_case("readme.md") {
        "index.html".to_owned()
    } else {
        html_name(name)
    };
    if dir.is_empty() {
        format!("process/{page}")
    } else {
        format!("process/{dir}/{page}")
    }
}

fn collision(file: &SourceFile, url: &str) -> Diagnostic {
    Diagnostic::warning(
        "output/name-collision",
        format!(
            "the page for `{}` would replace another output file; it is published as `{url}`",
            file.within
        ),
    )
    .at(file.rel.clone(), None)
    .help("rename the file (`index.md` is the name of a folder's page, and names that differ only in letter case collide on macOS and Windows)")
}

/// The published path of an asset under `folder` (`process`, `projects/<slug>`): its path
/// within, shortened when too long to write and renamed when another output file has the
/// name (also when only the letters' case differs, as it would on macOS and Windows).
fn asset_url(
    folder: &str,
    file: &SourceFile,
    taken: &mut BTreeSet<String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> String {
    let wanted = outname::fit_path(folder, &file.within);
    report_shortened(file, &format!("{folder}/{}", file.within), &wanted, diagnostics);
    let url = unique_url(&wanted, taken);
    if url != wanted {
        diagnostics.push(collision(file, &url));
    }
    url
}

/// A finding when a name had to be shortened to be written (`plain` is what it would have
/// been).
fn report_shortened(file: &SourceFile, plain: &str, url: &str, diagnostics: &mut Vec<Diagnostic>) {
    if plain != url {
        diagnostics.push(
            Diagnostic::warning(
                "output/name-shortened",
                format!(
                    "the name of `{}` is too long to publish as it is; it is published as `{url}`",
                    file.within
                ),
            )
            .at(file.rel.clone(), None)
            .help(format!(
                "shorten the file or folder name to at most {} bytes so its address is predictable",
                outname::MAX_SEGMENT
            )),
        );
    }
}

fn html_name(name: &str) -> String {
    let stem = name
        .strip_suffix(".markdown")
        .or_else(|| name.strip_suffix(".md"))
        .or_else(|| name.strip_suffix(".MD"));
    match stem {
        Some(stem) => format!("{stem}.html"),
        None => match name.rsplit_once('.') {
            Some((stem, _)) => format!("{stem}.html"),
            None => format!("{name}.html"),
        },
    }
}

fn asset(file: &SourceFile, url: String, reader: &Reader) -> Asset {
    Asset {
        source: file.rel.clone(),
        url: url.into(),
        size: file.size,
        dimensions: reader.dimensions(file, || match reader.cache {
            Some(cache) => cache.dimensions(file, || image_dimensions(file)),
            None => image_dimensions(file),
        }),
    }
}

/// The size an image's header gives; `None` for other files or a header that says nothing.
fn image_dimensions(file: &SourceFile) -> Option<(u32, u32)> {
    let ext = file.rel.rsplit_once('.')?.1.to_ascii_lowercase();
    if !matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg") {
        return None;
    }
    use crate::imagehead::{FIRST_BYTES, HEAD_BYTES, size, size_from_start};
    // Most images say their size in their first bytes: read more only when they did not.
    let head = crate::fsread::read_head(&file.path, FIRST_BYTES).ok()?;
    if let Some(answer) = size_from_start(&head) {
        return answer;
    }
    if (head.len() as u64) < FIRST_BYTES {
        return size(&head);
    }
    size(&crate::fsread::read_head(&file.path, HEAD_BYTES).ok()?)
}

fn load_document(
    file: &SourceFile,
    kind: DocKind,
    url: String,
    reader: &Reader,
) -> (Document, Vec<Diagnostic>) {
    let (document, _, diagnostics) = load_document_with_meta(file, kind, url, reader);
    (document, diagnostics)
}

type LoadedDocument = (Document, PackageMeta, Vec<Diagnostic>);

/// Also returns the structured front matter (reviewers, exemptions) the document declares.
fn load_document_with_meta(file: &SourceFile, kind: DocKind, url: String, reader: &Reader) -> LoadedDocument {
    let parser = DocumentParser { file, kind, url };
    reader.document(
        file,
        || parser.identity(),
        || match reader.cache {
            Some(cache) => cache.get_or_parse(file, reader.cap, &parser),
            None => parser.parse(
                read_listed(&file.path, reader.cap)
                    .map(|(bytes, _)| bytes)
                    .as_deref(),
            ),
        },
    )
}

/// Parses a document of `kind` published at `url`.
struct DocumentParser<'a> {
    file: &'a SourceFile,
    kind: DocKind,
    url: String,
}

impl Parser for DocumentParser<'_> {
    type Output = LoadedDocument;

    fn identity(&self) -> String {
        // The kind and URL end up in the result, so they are part of what must match.
        let Self { file, kind, url } = self;
        format!("document {kind:?} {url} {} {}", file.rel, file.within)
    }

    fn parse(&self, read: Result<&[u8], &ReadError>) -> LoadedDocument {
        document_from(self.file, self.kind, self.url.clone(), read)
    }

    fn save<'v>(&self, value: &'v LoadedDocument, bytes: &[u8]) -> Option<Stored<'v>> {
        let (doc, meta, diagnostics) = value;
        let body_start = match parse::decode(&self.file.rel, bytes, &mut Vec::new()) {
            Some(text) => Some(
                text.len()
                    .checked_sub(doc.body.len())
                    .filter(|_| text.ends_with(&doc.body))? as u64,
            ),
            None if doc.body.is_empty() => None,
            None => return None,
        };
        Some(Stored::Document(StoredDocument {
            title: doc.title.clone(),
            body_start,
            body_line: doc.body_line as u64,
            outline: StoredOutline::of(&doc.outline),
            hidden: doc.hidden.clone(),
            facts: stored::store_facts(&doc.facts),
            meta: StoredMeta::of(meta),
            diagnostics: stored::store_diagnostics(diagnostics),
        }))
    }

    fn restore(&self, stored: Stored<'_>, bytes: &mut Vec<u8>) -> Option<LoadedDocument> {
        let Stored::Document(stored) = stored else {
            return None;
        };
        let body_line = usize::try_from(stored.body_line).ok()?;
        // Last, as it may take the bytes: nothing after it fails.
        let body = match stored.body_start {
            Some(start) => parse::text_from(&self.file.rel, bytes, usize::try_from(start).ok()?)?,
            None => String::new(),
        };
        let document = Document {
            kind: self.kind,
            source: self.file.rel.clone(),
            rel: self.file.within.clone(),
            url: self.url.clone().into(),
            title: stored.title,
            body,
            body_line,
            outline: stored.outline.into_outline(),
            hidden: stored.hidden,
            facts: stored::restore_facts(stored.facts),
            origin: None,
        };
        let diagnostics = stored::restore_diagnostics(stored.diagnostics);
        Some((document, stored.meta.into_meta(), diagnostics))
    }

    fn note_origin(&self, (document, _, _): &mut LoadedDocument, digest: &cache::Digest) {
        document.origin = Some(*digest);
    }
}

fn document_from(
    file: &SourceFile,
    kind: DocKind,
    url: String,
    read: Result<&[u8], &ReadError>,
) -> LoadedDocument {
    let (parsed, diagnostics) = match read {
        Ok(bytes) => {
            let mut parsed = parse::parse_document(&file.rel, bytes, kind);
            let diagnostics = std::mem::take(&mut parsed.diagnostics);
            (parsed, diagnostics)
        }
        Err(err) => (
            parse::ParsedFile {
                body_line: 1,
                ..Default::default()
            },
            vec![read_problem(&file.rel, err)],
        ),
    };
    let title = parsed
        .outline
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| title_from_name(&file.within));
    let document = Document {
        kind,
        source: file.rel.clone(),
        rel: file.within.clone(),
        url: url.into(),
        title,
        body: parsed.body,
        body_line: parsed.body_line,
        outline: parsed.outline,
        hidden: parsed.hidden,
        facts: parsed.facts,
        origin: None,
    };
    (document, parsed.meta, diagnostics)
}

/// `self-assessment.md` → `Self assessment`.
fn title_from_name(within: &str) -> String {
    let name = within.rsplit('/').next().unwrap_or(within);
    let stem = name
        .rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .replace(['-', '_'], " ");
    let mut chars = stem.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name.to_owned(),
    }
}

fn load_unit(files: &UnitFiles, reader: &Reader) -> (Unit, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut documents = Vec::with_capacity(files.documents.len());
    let mut front_meta: Vec<(RelPath, PackageMeta)> = Vec::new();
    // Pages tssa writes itself in every unit folder; a document must not take their place.
    let mut taken: BTreeSet<String> = ["index.html", "badge.svg"]
        .iter()
        .map(|p| format!("projects/{}/{p}", files.slug))
        .collect();
    let folder = format!("projects/{}", files.slug);
    for (kind, file) in &files.documents {
        let wanted = unit_page_name(&folder, &file.within);
        report_shortened(
            file,
            &format!("{folder}/{}", plain_page_name(&file.within)),
            &wanted,
            &mut diagnostics,
        );
        let url = unique_url(&wanted, &mut taken);
        if url != wanted {
            diagnostics.push(collision(file, &url));
        }
        let (doc, meta, found) = load_document_with_meta(file, *kind, url, reader);
        diagnostics.extend(found);
        front_meta.push((file.rel.clone(), meta));
        documents.push(doc);
    }
    let mut sidecar_facts = Facts::new();
    if let Some(sidecar) = &files.sidecar {
        let parser = SidecarParser(sidecar);
        let (facts, meta, found) = reader.sidecar(sidecar, || match reader.cache {
            Some(cache) => cache.get_or_parse(sidecar, reader.cap, &parser),
            None => parser.parse(
                read_listed(&sidecar.path, reader.cap)
                    .map(|(bytes, _)| bytes)
                    .as_deref(),
            ),
        });
        diagnostics.extend(found);
        sidecar_facts = facts;
        if let Some(meta) = meta {
            front_meta.push((sidecar.rel.clone(), meta));
        }
    }
    for doc in &mut documents {
        classify_values(&mut doc.facts);
    }
    let facts = merge_facts(&documents, &sidecar_facts, &mut diagnostics);
    let meta = merge_meta(front_meta, &mut diagnostics);
    let name = facts
        .get(&FactKey::ProjectName)
        .map(|f| f.value.clone())
        .unwrap_or_else(|| files.folder.clone());
    let assets = files
        .assets
        .iter()
        .map(|file| {
            asset(
                file,
                asset_url(&folder, file, &mut taken, &mut diagnostics),
                reader,
            )
        })
        .collect();
    let unit = Unit {
        slug: files.slug.clone(),
        name,
        dir: files.dir.clone(),
        documents,
        assets,
        facts,
        meta,
    };
    (unit, diagnostics)
}

type LoadedSidecar = (Facts, Option<PackageMeta>, Vec<Diagnostic>);

/// Parses a unit's `tssa.yaml`.
struct SidecarParser<'a>(&'a SourceFile);

impl Parser for SidecarParser<'_> {
    type Output = LoadedSidecar;

    fn identity(&self) -> String {
        format!("sidecar {}", self.0.rel)
    }

    fn parse(&self, read: Result<&[u8], &ReadError>) -> LoadedSidecar {
        sidecar_from(self.0, read)
    }

    fn save<'v>(&self, value: &'v LoadedSidecar, _bytes: &[u8]) -> Option<Stored<'v>> {
        let (facts, meta, diagnostics) = value;
        Some(Stored::Sidecar {
            facts: stored::store_facts(facts),
            meta: meta.as_ref().map(StoredMeta::of),
            diagnostics: stored::store_diagnostics(diagnostics),
        })
    }

    fn restore(&self, stored: Stored<'_>, _bytes: &mut Vec<u8>) -> Option<LoadedSidecar> {
        let Stored::Sidecar {
            facts,
            meta,
            diagnostics,
        } = stored
        else {
            return None;
        };
        let diagnostics = stored::restore_diagnostics(diagnostics);
        Some((
            stored::restore_facts(facts),
            meta.map(StoredMeta::into_meta),
            diagnostics,
        ))
    }
}

/// The facts and metadata of a `tssa.yaml`; no metadata when the file could not be decoded.
fn sidecar_from(sidecar: &SourceFile, read: Result<&[u8], &ReadError>) -> LoadedSidecar {
    let mut diagnostics = Vec::new();
    match read {
        Ok(bytes) => match parse::decode(&sidecar.rel, bytes, &mut diagnostics) {
            Some(text) => {
                let fm = frontmatter::parse(&text, &sidecar.rel, 1, |file, line| Provenance::Sidecar {
                    file: file.into(),
                    line,
                });
                diagnostics.extend(fm.diagnostics);
                (fm.facts, Some(fm.meta), diagnostics)
            }
            None => (Facts::new(), None, diagnostics),
        },
        Err(err) => {
            diagnostics.push(read_problem(&sidecar.rel, err));
            (Facts::new(), None, diagnostics)
        }
    }
}

/// Why a file gave no text: too large for `[limits] file_bytes` (it was not read at all), or
/// unreadable.
fn read_problem(rel: &RelPath, err: &ReadError) -> Diagnostic {
    match err {
        ReadError::TooLarge { .. } => {
            Diagnostic::error("input/too-large", format!("{err}, so it was not read"))
                .at(rel.clone(), None)
                .help("split the file, or raise [limits] file_bytes in book.toml")
        }
        _ => Diagnostic::error("input/unreadable", format!("could not read the file: {err}"))
            .at(rel.clone(), None)
            .help("check the file's permissions"),
    }
}

/// `wanted`, or `stem-2.ext`, `stem-3.ext`… when it is taken, in a folder renamed the same
/// way when the folder's path is a file already (`notes.html/` beside `notes.html`), since
/// one path cannot be both. `taken` holds lowercase paths, folders with a trailing `/`:
/// names that differ only in case would overwrite each other on case-insensitive file
/// systems (macOS, Windows) where the site may be copied.
fn unique_url(wanted: &str, taken: &mut BTreeSet<String>) -> String {
    let path = free_folders(wanted, taken);
    let (dir, name) = path.rsplit_once('/').map_or(("", path.as_str()), |(d, n)| (d, n));
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    let mut candidate = path.clone();
    let mut n = 1;
    while taken.contains(&candidate.to_lowercase())
        || taken.contains(&format!("{}/", candidate.to_lowercase()))
    {
        n += 1;
        let renamed = outname::fit_segment(&format!("{stem}-{n}{ext}"));
        candidate = if dir.is_empty() {
            renamed
        } else {
            format!("{dir}/{renamed}")
        };
    }
    claim(&candidate, taken);
    candidate
}

/// `wanted` with each folder whose path is already a file renamed (`x/` → `x-2/`).
fn free_folders(wanted: &str, taken: &BTreeSet<String>) -> String {
    let mut segments: Vec<String> = wanted.split('/').map(str::to_owned).collect();
    for i in 0..segments.len().saturating_sub(1) {
        let original = segments[i].clone();
        let mut n = 1;
        while taken.contains(&segments[..=i].join("/").to_lowercase()) {
            n += 1;
            segments[i] = outname::fit_segment(&format!("{original}-{n}"));
        }
    }
    segments.join("/")
}

/// Marks `path` as a file and each of its folders as a folder.
fn claim(path: &str, taken: &mut BTreeSet<String>) {
    let lower = path.to_lowercase();
    let mut end = 0;
    while let Some(slash) = lower[end..].find('/') {
        end += slash + 1;
        taken.insert(lower[..end].to_owned());
    }
    taken.insert(lower);
}

/// A unit document's page under `folder` (`projects/<slug>`), shortened when too long.
fn unit_page_name(folder: &str, within: &str) -> String {
    outname::fit_path(folder, &plain_page_name(within))
}

/// `sub/notes.md` → `sub/notes.html`, before any shortening.
fn plain_page_name(within: &str) -> String {
    match within.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/{}", html_name(name)),
        None => html_name(within),
    }
}

/// Values read from prose that say yes, no or "none" are shown so ("CloudEvents is not a
/// security provider" is `no`, an SBOM cell "not generated, see <issue>" is `none`); the text
/// as written stays in `raw`, with the issue it references.
fn classify_values(facts: &mut Facts) {
    for (key, fact) in facts.iter_mut() {
        if fact.source.rank() != 1 {
            continue;
        }
        if let Some(normal) = FactValue::of(*key, fact).normal() {
            fact.value = normal.to_owned();
        }
    }
}

/// Which document is the better witness for a fact stated in prose: summary facts come from
/// the summary first, metadata facts from the self-assessment first. A document's stage comes
/// from the latest document of the process (the joint assessment follows the self-assessment).
fn document_priority(key: FactKey, kind: DocKind) -> u8 {
    use DocKind::*;
    let summary_fact = matches!(
        key,
        FactKey::Status
            | FactKey::Completed
            | FactKey::VersionCovered
            | FactKey::SecurityReviewers
            | FactKey::ProjectSecurityLead
            | FactKey::ProjectTeam
            | FactKey::TrackingIssue
            | FactKey::SourceCode
    );
    let order: &[DocKind] = if summary_fact {
        &[
            Summary,
            JointAssessment,
            SelfAssessment,
            Recommendations,
            ThreatModel,
            Other,
        ]
    } else {
        &[
            SelfAssessment,
            JointAssessment,
            Summary,
            Recommendations,
            ThreatModel,
            Other,
        ]
    };
    order
        .iter()
        .position(|k| *k == kind)
        .map_or(0, |i| (order.len() - i) as u8)
}

/// One value per key: front matter beats the sidecar beats the documents. Two declared
/// values that disagree are reported, so nobody has to guess which one the site shows.
fn merge_facts(documents: &[Document], sidecar: &Facts, diagnostics: &mut Vec<Diagnostic>) -> Facts {
    let mut merged = Facts::new();
    for key in FactKey::ALL {
        let mut candidates: Vec<(u8, u8, &Fact)> = documents
            .iter()
            .filter_map(|doc| {
                doc.facts
                    .get(&key)
                    .map(|fact| (fact.source.rank(), document_priority(key, doc.kind), fact))
            })
            .collect();
        if let Some(fact) = sidecar.get(&key) {
            candidates.push((fact.source.rank(), u8::MAX, fact));
        }
        candidates.sort_by_key(|c| std::cmp::Reverse((c.0, c.1)));
        let Some((_, _, best)) = candidates.first() else {
            continue;
        };
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
            } else if *rank == 1 && best.source.rank() == 1 {
                if comparable(key) && !same_value(&other.value, &best.value) {
                    diagnostics.push(document_conflict(key, other, best));
                }
            } else if best.source.rank() >= 2 && other.source.rank() == 1 && key != FactKey::Status {
                // (A document's Assessment Stage describes that document, while a declared
                // status describes the package, so the two may differ without a mistake.)
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

/// Names are written in many forms (handles, order, roles) and a self-assessment's people are
/// not the package's reviewers, so lists of people are not compared across documents.
fn comparable(key: FactKey) -> bool {
    !matches!(
        key,
        FactKey::SecurityReviewers
            | FactKey::ProjectSecurityLead
            | FactKey::ProjectLead
            | FactKey::ProjectTeam
    )
}

/// Equal up to case and a trailing `/` (`https://d7y.io` and `https://d7y.io/`).
fn same_value(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// Two documents of one package state a fact differently: the finding sits at the value the
/// package does not show and names the one it shows.
fn document_conflict(key: FactKey, other: &Fact, best: &Fact) -> Diagnostic {
    Diagnostic::warning(
        "facts/conflict",
        format!(
            "{} is `{}` here but `{}` at {}; the package shows `{}`",
            key.label(),
            other.raw,
            best.raw,
            best.source.describe(),
            best.value
        ),
    )
    .at(other.source.file().unwrap_or_default(), other.source.line())
    .help(format!(
        "make the documents agree, or declare `{}:` in front matter or tssa.yaml to settle it",
        key.name()
    ))
}

/// Equal but for where they were written.
fn same_reviewers(a: &[crate::model::Reviewer], b: &[crate::model::Reviewer]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            crate::model::Reviewer {
                line: y.line,
                ..x.clone()
            } == *y
        })
}

fn merge_meta(sources: Vec<(RelPath, PackageMeta)>, diagnostics: &mut Vec<Diagnostic>) -> PackageMeta {
    let mut merged = PackageMeta::default();
    let mut reviewers_from: Option<RelPath> = None;
    for (file, meta) in sources {
        if !meta.reviewers.is_empty() {
            match &reviewers_from {
                None => {
                    merged.reviewers = meta.reviewers;
                    merged.reviewers_source = meta.reviewers_source;
                    reviewers_from = Some(file);
                }
                Some(first) if !same_reviewers(&merged.reviewers, &meta.reviewers) => diagnostics.push(
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

#[cfg(test)]
mod cache_tests {
    use super::*;
    use crate::config::Overrides;

    fn fixture() -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().expect("tempdir");
        let unit = dir.path().join("community/assessments/projects/alpha");
        std::fs::create_dir_all(&unit).expect("mkdir");
        std::fs::write(unit.join("self-assessment.md"), "# Alpha\n\nFirst text.\n").expect("write");
        std::fs::write(unit.join("README.md"), "# Alpha summary\n").expect("write");
        let config = Config::load(&Overrides {
            root: Some(dir.path().to_path_buf()),
            ..Overrides::default()
        })
        .expect("config");
        (dir, config)
    }

    #[test]
    fn cached_load_reparses_only_the_edited_file() {
        let (dir, config) = fixture();
        let mut cache = ParseCache::new();
        let first = load_cached(&config, &mut cache);
        assert_eq!(cache.stats().reused, 0);
        let parsed = cache.stats().parsed;
        assert!(parsed >= 2, "{:?}", cache.stats());

        let again = load_cached(&config, &mut cache);
        assert_eq!(
            cache.stats(),
            CacheStats {
                parsed: 0,
                reused: parsed
            }
        );
        assert_eq!(
            serde_json::to_string(&first).ok(),
            serde_json::to_string(&again).ok()
        );

        // Same size and (likely) the same timestamp tick: only the content check can tell.
        let doc = dir
            .path()
            .join("community/assessments/projects/alpha/self-assessment.md");
        std::fs::write(&doc, "# Alpha\n\nFirst tExt.\n").expect("write");
        let edited = load_cached(&config, &mut cache);
        assert_eq!(
            cache.stats(),
            CacheStats {
                parsed: 1,
                reused: parsed - 1
            }
        );
        let body = edited
            .units
            .iter()
            .flat_map(|u| &u.documents)
            .map(|d| d.body.as_str())
            .collect::<String>();
        assert!(body.contains("tExt"), "{body}");
    }

    /// Everything the model holds, fields serde skips included (bodies, visible lines, code
    /// bytes, reviewers' lines), but for where each document's body came from (a cached load
    /// knows its file's digest, an uncached one does not): compared on its own below.
    fn everything(site: &Site) -> String {
        let mut site = site.clone();
        site.documents_mut().for_each(|doc| doc.origin = None);
        format!("{site:?}")
    }

    #[test]
    fn a_disk_cache_reparses_only_the_edited_file_and_restores_everything() {
        let (dir, config) = fixture();
        let unit = dir.path().join("community/assessments/projects/alpha");
        let front = "---\nreviewers:\n  - name: Ann\n    github: ann\nexemptions:\n  - item: B10\n    reason: none yet\n---\n";
        let body = "# Alpha\r\n\r\n<!-- hidden -->\n\n```sh\nrun\n```\n\nVersion covered: v1.2\n";
        std::fs::write(unit.join("joint-assessment.md"), format!("{front}{body}")).expect("write");
        std::fs::write(unit.join("tssa.yaml"), "version_covered: v1.3\n").expect("write");
        std::fs::write(unit.join("threat-model.md"), b"bin\0ary").expect("write");
        let cache_dir = tempfile::tempdir().expect("tempdir");
        let cold = load_with_disk_cache(&config, Some(cache_dir.path()));
        assert_eq!(everything(&cold), everything(&load(&config)));

        let mut cache = ParseCache::on_disk(cache_dir.path());
        let warm = load_cached(&config, &mut cache);
        let files = cache.stats().reused;
        assert_eq!(
            cache.stats(),
            CacheStats {
                parsed: 0,
                reused: files
            }
        );
        assert!(files >= 5, "{:?}", cache.stats());
        assert_eq!(everything(&warm), everything(&cold));
        // Cold or warm, a cached load names the file each body came from by its digest.
        for site in [&cold, &warm] {
            for doc in site.documents() {
                let bytes = std::fs::read(config.root.join(doc.source.as_str())).expect("the source");
                assert_eq!(
                    doc.origin,
                    Some(*blake3::hash(&bytes).as_bytes()),
                    "{}",
                    doc.source
                );
            }
        }
        assert!(load(&config).documents().all(|doc| doc.origin.is_none()));

        let doc = unit.join("self-assessment.md");
        std::fs::write(&doc, "# Alpha\n\nFirst tExt.\n").expect("write");
        let edited = load_cached(&config, &mut ParseCache::on_disk(cache_dir.path()));
        assert_eq!(everything(&edited), everything(&load(&config)));
        let mut cache = ParseCache::on_disk(cache_dir.path());
        let _ = load_cached(&config, &mut cache);
        assert_eq!(
            cache.stats(),
            CacheStats {
                parsed: 0,
                reused: files
            }
        );
        std::fs::write(&doc, "# Alpha\n\nFirst text.\n").expect("write");
        let mut cache = ParseCache::on_disk(cache_dir.path());
        let _ = load_cached(&config, &mut cache);
        assert_eq!(
            cache.stats(),
            CacheStats {
                parsed: 1,
                reused: files - 1
            }
        );
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    fn image_size(site: &Site) -> Option<(u32, u32)> {
        site.units
            .iter()
            .flat_map(|u| &u.assets)
            .find_map(|a| a.dimensions)
    }

    /// Files unchanged since the cache was written are taken by their stamp (not hashed);
    /// a touched file, or one rewritten with its size and modification time kept, is read
    /// and hashed again, and an image rewritten so is measured again.
    #[test]
    fn settled_files_are_taken_by_their_stamp_and_changed_ones_read_again() {
        let (dir, config) = fixture();
        let unit = dir.path().join("community/assessments/projects/alpha");
        std::fs::write(unit.join("diagram.png"), png(3, 4)).expect("write");
        // Stamps are recorded only for files still for two seconds when the cache is written.
        std::thread::sleep(std::time::Duration::from_millis(3100));
        let cache_dir = tempfile::tempdir().expect("tempdir");
        let load_warm = || {
            let mut cache = ParseCache::on_disk(cache_dir.path());
            let site = load_cached(&config, &mut cache);
            (site, cache.stats(), cache.trusted())
        };
        let (cold, _, trusted) = load_warm();
        assert_eq!(trusted, 0);
        assert_eq!(image_size(&cold), Some((3, 4)));
        let (warm, stats, trusted) = load_warm();
        assert_eq!((stats.parsed, trusted), (0, stats.reused + 1), "{stats:?}");
        assert_eq!(everything(&warm), everything(&cold));

        let doc = unit.join("self-assessment.md");
        std::fs::write(&doc, "# Alpha\n\nFirst text.\n").expect("touch");
        let (touched, stats_touched, trusted) = load_warm();
        assert_eq!(
            (stats_touched.parsed, trusted),
            (0, stats.reused),
            "{stats_touched:?}"
        );
        assert_eq!(everything(&touched), everything(&cold));

        let modified = std::fs::metadata(&doc).and_then(|m| m.modified()).expect("mtime");
        let _ = load_warm(); // the touched file's stamp recorded (or not: it is not settled)
        std::fs::write(&doc, "# Alpha\n\nFirst tExt.\n").expect("rewrite");
        let file = std::fs::File::options().write(true).open(&doc).expect("open");
        file.set_modified(modified).expect("set mtime");
        std::fs::write(unit.join("diagram.png"), png(5, 6)).expect("write");
        let (edited, stats_edited, _) = load_warm();
        assert_eq!(stats_edited.parsed, 1, "{stats_edited:?}");
        assert_eq!(everything(&edited), everything(&load(&config)));
        assert_eq!(image_size(&edited), Some((5, 6)));
    }

    /// The corpus restored from the disk cache is the corpus parsed (`TSSA_CORPUS`).
    #[test]
    fn the_corpus_restored_from_disk_is_the_corpus_parsed() {
        let Some(root) = std::env::var_os("TSSA_CORPUS") else {
            eprintln!("skipped: TSSA_CORPUS not set");
            return;
        };
        let config = Config::load(&Overrides {
            root: Some(root.into()),
            ..Overrides::default()
        })
        .expect("config");
        let cache_dir = tempfile::tempdir().expect("tempdir");
        let parsed = load_with_disk_cache(&config, Some(cache_dir.path()));
        let mut cache = ParseCache::on_disk(cache_dir.path());
        let restored = load_cached(&config, &mut cache);
        assert_eq!(cache.stats().parsed, 0, "{:?}", cache.stats());
        assert_eq!(everything(&restored), everything(&parsed));
    }

    #[test]
    fn cached_load_matches_uncached_load() {
        let (_dir, config) = fixture();
        let mut cache = ParseCache::new();
        let _ = load_cached(&config, &mut cache);
        let cached = load_cached(&config, &mut cache);
        assert_eq!(
            serde_json::to_string(&cached).ok(),
            serde_json::to_string(&load(&config)).ok()
        );
    }
}
