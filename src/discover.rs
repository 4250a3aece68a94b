//! Which folders are project units and which files are documents or assets. No parsing:
//! just a sorted walk that never follows a link out of the root and never loops.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use crate::config::{Config, Limits};
use crate::diagnostic::Diagnostic;
use crate::fsread::Stamp;
use crate::markdown::slug::slugify;
use crate::model::{DocKind, RelPath};
use crate::outname;

/// A file found by the walk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path to read from.
    pub path: PathBuf,
    /// Path from the site root, `/`-separated.
    pub rel: RelPath,
    /// Path within its unit (or process) folder.
    pub within: RelPath,
    pub size: u64,
    /// What the listing's `lstat` said of the file (`None` for a link, whose target's stamp
    /// the listing did not take): lets a cache trust a result recorded for the same stamp.
    pub stamp: Option<Stamp>,
}

#[derive(Debug, Clone)]
pub struct UnitFiles {
    pub slug: String,
    /// The folder name as written (`Harbor`), for display.
    pub folder: String,
    pub dir: RelPath,
    pub documents: Vec<(DocKind, SourceFile)>,
    pub assets: Vec<SourceFile>,
    /// `tssa.yaml` in the unit folder.
    pub sidecar: Option<SourceFile>,
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub units: Vec<UnitFiles>,
    /// Markdown under the process folder (outside the projects folder), in navigation order.
    pub process_docs: Vec<SourceFile>,
    /// Other files under the process folder (PDFs, images the guide links to).
    pub process_files: Vec<SourceFile>,
    /// Markdown directly in the projects folder (its README).
    pub pages: Vec<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

const SIDECAR: &str = "tssa.yaml";

pub fn discover(config: &Config) -> Discovered {
    let mut found = Discovered::default();
    let walker = Walker::new(config);
    let projects_dir = config.root.join(&config.projects);
    let process_dir = config.process.as_ref().map(|process| config.root.join(process));
    let mut starts = vec![(projects_dir.as_path(), config.projects.as_str())];
    starts.extend(process_dir.as_deref().zip(config.process.as_deref()));
    walker.prefetch(&starts, &[config.projects.as_str()]);

    let top = walker.list(&projects_dir, &config.projects, &mut found.diagnostics);
    for file in top.files {
        if is_markdown(&file.rel) && walker.count(&file, &mut found.diagnostics) {
            found.pages.push(file);
        }
    }
    let unit_dirs = find_units(&walker, config, &top.dirs, &mut found.diagnostics);
    let mut slugs = BTreeSet::new();
    // Slugs are given and units walked in folder order (a collision's second folder gets
    // `-2`; a walk cut by the file budget is cut at the same place every run); each unit's
    // slug findings come before its own.
    let mut planned = Vec::with_capacity(unit_dirs.len());
    for (dir, slug_path) in unit_dirs {
        let mut diagnostics = Vec::new();
        // The name's last part, not the folder's: in cncf/toc the folder is a generic
        // `security-assessment` and the name comes from the project folder above it.
        let folder = slug_path.rsplit('/').next().unwrap_or(&slug_path).to_owned();
        let slugged = slug_path.split('/').map(slugify).collect::<Vec<_>>().join("/");
        let mut slug = slugged
            .split('/')
            .map(outname::fit_segment)
            .collect::<Vec<_>>()
            .join("/");
        if slug != slugged {
            diagnostics.push(
                Diagnostic::warning(
                    "output/name-shortened",
                    format!("the folder name is too long to publish as it is; its pages are under `projects/{slug}/`"),
                )
                .at(dir.clone(), None)
                .help(format!("shorten the folder name to at most {} bytes", outname::MAX_SEGMENT)),
            );
        }
        if slug.is_empty() {
            slug = "project".to_owned();
        }
        if !slugs.insert(slug.clone()) {
            let base = slug.clone();
            let mut n = 2;
            while !slugs.insert(format!("{base}-{n}")) {
                n += 1;
            }
            slug = format!("{base}-{n}");
            diagnostics.push(
                Diagnostic::warning(
                    "discover/slug-collision",
                    format!("folder `{dir}` has the same URL slug as another folder (`{base}`); it is published as `{slug}`"),
                )
                .at(dir.clone(), None)
                .help("rename one of the folders so their lowercase names differ"),
            );
        }
        planned.push((dir, slug, folder, diagnostics));
    }
    let walked: Vec<_> = planned
        .into_iter()
        .map(|(dir, slug, folder, mut diagnostics)| {
            let files = walker.unit_files(&dir, &mut diagnostics);
            (dir, (slug, folder), files, diagnostics)
        })
        .collect();
    // Each asset's head is read to be sniffed: on every core, for all units at once. One
    // verdict a file (none for a document or the sidecar), so each stays beside its file.
    let verdicts: Vec<Vec<Option<Diagnostic>>> = walked
        .par_iter()
        .map(|(_, _, files, _)| {
            files
                .par_iter()
                .map(|file| {
                    is_asset(file)
                        .then(|| unpublishable(file, config.limits.asset_bytes))
                        .flatten()
                })
                .collect()
        })
        .collect();
    for ((dir, names, files, mut diagnostics), verdicts) in walked.into_iter().zip(verdicts) {
        let unit = walker.unit(&dir, names, files, verdicts, &mut diagnostics);
        found.diagnostics.extend(diagnostics);
        found.units.push(unit);
    }

    if let Some(process) = &config.process {
        let process_dir = config.root.join(process);
        let skip = [config.projects.as_str()];
        let mut files = Vec::new();
        walker.walk(
            &process_dir,
            process,
            process,
            &skip,
            &mut files,
            &mut found.diagnostics,
        );
        for file in files {
            if is_markdown(&file.rel) {
                found.process_docs.push(file);
            } else if let Some(problem) = unpublishable(&file, config.limits.asset_bytes) {
                found.diagnostics.push(problem.at(file.rel.clone(), None));
            } else {
                found.process_files.push(file);
            }
        }
        found.process_docs.sort_by_key(|f| process_order(&f.within));
    }
    found
}

/// README first, then the intake page, then the guide's README, then the rest by path.
fn process_order(within: &str) -> (u8, String) {
    let rank = match within.to_ascii_lowercase().as_str() {
        "readme.md" => 0,
        "intake-process.md" => 1,
        "guide/readme.md" => 2,
        _ => 3,
    };
    (rank, within.to_owned())
}

pub fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// Names that mark a folder as holding a package (so a folder of only sub-folders with these
/// is a group, like `fluentd/`).
fn is_package_document(name: &str) -> bool {
    matches!(
        classify(name, true).0,
        DocKind::SelfAssessment | DocKind::JointAssessment | DocKind::Summary
    )
}

/// Classifies a document by file name. Returns the kind and, for a near-miss spelling of a
/// package document (`self-assesment.md`), the name it was probably meant to have.
pub fn classify(name: &str, top_level: bool) -> (DocKind, Option<&'static str>) {
    let lower = name.to_lowercase();
    let stem = lower.trim_end_matches(".markdown").trim_end_matches(".md");
    let normalised: String = stem
        .chars()
        .map(|c| if c == '_' || c == ' ' { '-' } else { c })
        .collect();
    if top_level {
        if normalised == "readme" {
            return (DocKind::Summary, None);
        }
        for (canonical, kind) in [
            ("self-assessment", DocKind::SelfAssessment),
            ("joint-assessment", DocKind::JointAssessment),
            ("joint-review", DocKind::JointAssessment),
        ] {
            if normalised == canonical {
                let exact = stem == canonical && lower.ends_with(".md") && name.ends_with(".md");
                let meant = if exact {
                    None
                } else {
                    Some(canonical_file(canonical))
                };
                return (kind, meant);
            }
            if within_edits(&normalised, canonical, 2)
                || normalised.replace('-', "") == canonical.replace('-', "")
            {
                return (kind, Some(canonical_file(canonical)));
            }
        }
    }
    if normalised.contains("threat") {
        (DocKind::ThreatModel, None)
    } else if normalised == "recommendations" {
        (DocKind::Recommendations, None)
    } else {
        (DocKind::Other, None)
    }
}

fn canonical_file(stem: &str) -> &'static str {
    match stem {
        "self-assessment" => "self-assessment.md",
        "joint-assessment" => "joint-assessment.md",
        _ => "joint-review.md",
    }
}

/// Whether `a` and `b` are at most `limit` edits apart (Levenshtein, over characters). Names
/// whose lengths differ by more are rejected before any table is filled, and the table stops
/// at the first row that is all over the limit (a row's least value never falls): every file
/// and folder name of a run is tested against several words, so a full table for each was a
/// third of `discover`.
fn within_edits(a: &str, b: &str, limit: usize) -> bool {
    if a.chars().count().abs_diff(b.chars().count()) > limit {
        return false;
    }
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        if cur.iter().all(|&d| d > limit) {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= limit
}

/// A unit's folder (root-relative) and its name path (`project` or `group/sub`), from which
/// the slug and the displayed folder name are made.
type UnitDir = (RelPath, String);

/// How deep below the projects folder a package's folder may sit when found by its
/// documents (`<project>/sub-projects/<sub>/security-assessment` is four).
const PACKAGE_DEPTH: usize = 4;

/// The units, from `[source] units` patterns or detected, less the `!pattern` exclusions;
/// then a warning for each folder holding assessment documents that no unit covers.
fn find_units(
    walker: &Walker,
    config: &Config,
    top_dirs: &[(PathBuf, String)],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<UnitDir> {
    let projects = config.projects.as_str();
    let patterns = config.unit_patterns.as_deref().unwrap_or_default();
    let (excludes, includes): (Vec<&String>, Vec<&String>) =
        patterns.iter().partition(|p| p.starts_with('!'));
    let excludes: Vec<Vec<&str>> = excludes.iter().map(|p| pattern_segments(&p[1..])).collect();
    let mut units = if includes.is_empty() {
        detect_units(walker, projects, top_dirs, diagnostics)
    } else {
        walker.match_patterns(projects, &includes, diagnostics)
    };
    units.retain(|(dir, _)| !is_excluded(strip_dir(dir, projects).as_str(), &excludes));
    warn_unmatched(walker, projects, &units, &excludes, diagnostics);
    units
}

fn pattern_segments(pattern: &str) -> Vec<&str> {
    pattern
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether an exclusion matches the folder (relative to projects) or one of its parents.
fn is_excluded(within: &str, excludes: &[Vec<&str>]) -> bool {
    let names: Vec<&str> = within.split('/').collect();
    excludes.iter().any(|pattern| {
        !pattern.is_empty()
            && pattern.len() <= names.len()
            && pattern.iter().zip(&names).all(|(p, n)| segment_matches(p, n))
    })
}

/// Default unit detection. In a projects folder where packages sit in an assessment folder
/// inside their project's folder (cncf/toc), a unit is a folder holding assessment documents
/// and other project folders are not packages; in a projects folder kept for assessments
/// (tag-security), every folder is a unit, as it always was.
fn detect_units(
    walker: &Walker,
    projects: &str,
    top_dirs: &[(PathBuf, String)],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<UnitDir> {
    let by_documents: Vec<UnitDir> = top_dirs
        .iter()
        .flat_map(|(path, name)| units_by_documents(walker, projects, path, name))
        .collect();
    let nested = by_documents
        .iter()
        .any(|(dir, _)| strip_dir(dir, projects).split('/').any(is_generic_folder));
    if nested {
        by_documents
    } else {
        detect_folder_units(walker, projects, top_dirs, diagnostics)
    }
}

/// The packages under one folder of the projects folder, found by their documents: the
/// folder itself when it holds an assessment, else every folder below it that does (down
/// to `PACKAGE_DEPTH`), named after the folders on the way that are not generic.
fn units_by_documents(walker: &Walker, projects: &str, path: &Path, name: &str) -> Vec<UnitDir> {
    let dir = join(projects, name);
    let listing = walker.list(path, &dir, &mut Vec::new());
    if holds_assessment(&listing) {
        return vec![(dir.into(), name.to_owned())];
    }
    let mut units = Vec::new();
    let names = vec![name.to_owned()];
    find_packages(walker, &dir, &listing, &names, 2, &mut units);
    units
}

fn find_packages(
    walker: &Walker,
    dir: &str,
    listing: &Listing,
    names: &[String],
    depth: usize,
    units: &mut Vec<UnitDir>,
) {
    for (path, sub) in &listing.dirs {
        let rel = join(dir, sub);
        let sub_listing = walker.list(path, &rel, &mut Vec::new());
        let mut names = names.to_vec();
        if !is_generic_folder(sub) {
            names.push(sub.clone());
        }
        if holds_assessment(&sub_listing) {
            units.push((rel.into(), names.join("/")));
        } else if depth < PACKAGE_DEPTH {
            find_packages(walker, &rel, &sub_listing, &names, depth + 1, units);
        }
    }
}

fn holds_assessment(listing: &Listing) -> bool {
    listing
        .files
        .iter()
        .any(|f| is_assessment_document(file_name(&f.rel)))
}

/// A self-assessment or joint assessment, or a near-miss spelling of one (not a README:
/// every project folder in cncf/toc has one).
fn is_assessment_document(name: &str) -> bool {
    is_markdown(name)
        && matches!(
            classify(name, true).0,
            DocKind::SelfAssessment | DocKind::JointAssessment
        )
}

/// A folder name that says what a folder holds rather than whose it is (`security-assessment`,
/// `security assessment`, `security-assesment`, `sub-projects`): never part of a unit's name.
fn is_generic_folder(name: &str) -> bool {
    let name = normalise_name(name);
    let near = |word: &str| name == word || within_edits(&name, word, 2);
    [
        "security-assessment",
        "security-assessments",
        "assessment",
        "assessments",
    ]
    .into_iter()
    .any(near)
        || matches!(name.as_str(), "sub-projects" | "subprojects" | "sub-project")
}

/// Lowercase, with `_` and spaces read as `-`.
fn normalise_name(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c == '_' || c == ' ' { '-' } else { c })
        .collect()
}

/// A folder below projects holding assessment documents that no unit covers was most
/// likely meant to be a package: say so, since its documents are otherwise silently left out.
fn warn_unmatched(
    walker: &Walker,
    projects: &str,
    units: &[UnitDir],
    excludes: &[Vec<&str>],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut stray = Vec::new();
    // A folder is covered when it or one of its parents is a unit: looked up by each of its
    // few ancestors rather than compared with every unit (quadratic at 50 times the corpus).
    let unit_dirs: std::collections::HashSet<&str> = units.iter().map(|(unit, _)| unit.as_str()).collect();
    let covered = |dir: &str| {
        let mut ancestors = dir.match_indices('/').map(|(at, _)| &dir[..at]);
        unit_dirs.contains(dir)
            || ancestors.any(|parent| unit_dirs.contains(parent))
            || is_excluded(&strip_dir(dir, projects), excludes)
    };
    walker.stray_packages(&walker.root.join(projects), projects, &covered, &mut stray);
    for dir in stray {
        diagnostics.push(
            Diagnostic::warning(
                "discover/unmatched-package",
                format!(
                    "folder `{dir}` holds assessment documents but is no project unit; it is not published"
                ),
            )
            .at(dir, None)
            .help("add a pattern matching it to [source] units in book.toml, or exclude it with `!pattern`"),
        );
    }
}

/// The folder-based detection of the tag-security layout: every folder under projects is a
/// unit, except a folder whose only content is sub-folders holding package documents, which
/// groups those sub-folders.
fn detect_folder_units(
    walker: &Walker,
    projects: &str,
    top_dirs: &[(PathBuf, String)],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(RelPath, String)> {
    let mut units = Vec::new();
    for (path, name) in top_dirs {
        let dir = join(projects, name);
        let listing = walker.list(path, &dir, diagnostics);
        let package_subdirs: Vec<&(PathBuf, String)> = listing
            .dirs
            .iter()
            .filter(|(sub_path, sub_name)| {
                let sub = walker.list(sub_path, &join(&dir, sub_name), &mut Vec::new());
                sub.files.iter().any(|f| is_package_document(file_name(&f.rel)))
            })
            .collect();
        if listing.files.is_empty() && !package_subdirs.is_empty() {
            for (_, sub_name) in package_subdirs {
                units.push((join(&dir, sub_name).into(), format!("{name}/{sub_name}")));
            }
        } else {
            units.push((dir.into(), name.clone()));
        }
    }
    units
}

/// What a browser may do with a published file, judged by its extension before its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AssetType {
    /// Images, PDFs, text, data, archives, office documents: nothing a browser runs, as long
    /// as the content is what the name says.
    Passive,
    /// Text markup a browser renders as a document with the site's origin (SVG, and XML-based
    /// diagram formats): published only when scanning finds nothing active in it.
    Markup,
    /// Types a browser may run as they are (HTML, XML with XSLT, scripts) or that cannot be
    /// scanned (gzipped SVG): never published. The text says why.
    Active(&'static str),
    /// Anything else: not published, since no one can say how a browser or host treats it.
    Unknown,
}

const PASSIVE: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "ico", "tif", "tiff", "pdf", "txt", "csv", "tsv",
    "json", "yaml", "yml", "toml", "zip", "gz", "tgz", "tar", "bz2", "xz", "7z", "mp4", "webm", "mov", "mp3",
    "ogg", "wav", "ppt", "pptx", "doc", "docx", "xls", "xlsx", "odt", "ods", "odp", "key", "puml", "dot",
    "gv",
];

fn asset_type(name: &str) -> AssetType {
    let lower = name.to_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, ext)| ext);
    match ext {
        "html" | "htm" | "xhtml" | "xht" | "shtml" | "shtm" | "mht" | "mhtml" | "hta" => {
            AssetType::Active("HTML files are not published: they could carry scripts")
        }
        "xml" | "xsl" | "xslt" => AssetType::Active(
            "XML files are not published: a browser renders them, and they can embed HTML with scripts or transform themselves into it",
        ),
        "js" | "mjs" | "cjs" | "swf" | "wasm" => AssetType::Active(
            "script and program files are not published: the site runs no code from the repository",
        ),
        "svgz" => AssetType::Active(
            "gzipped SVG files are not published: they cannot be checked for scripts without unpacking them",
        ),
        "svg" | "drawio" => AssetType::Markup,
        _ if PASSIVE.contains(&ext) => AssetType::Passive,
        _ => AssetType::Unknown,
    }
}

/// Whether a unit's file is one of its assets: neither its sidecar nor Markdown.
fn is_asset(file: &SourceFile) -> bool {
    !is_sidecar(file) && !is_markdown(&file.within)
}

/// Whether a unit's file is its sidecar (`tssa.yaml` at its top).
fn is_sidecar(file: &SourceFile) -> bool {
    file.within == SIDECAR
}

/// Why an asset must not be published, if it must not: the site promises that no script
/// from the repository reaches a reader, and a file nobody can read cannot be copied.
pub(crate) fn unpublishable(file: &SourceFile, asset_bytes: u64) -> Option<Diagnostic> {
    if file.size > asset_bytes {
        return Some(
            Diagnostic::warning(
                "asset/too-large",
                format!(
                    "the file is {}, over the limit of {} for a published file; it is left out",
                    crate::fsread::human_bytes(file.size),
                    crate::fsread::human_bytes(asset_bytes)
                ),
            )
            .help("link to the file elsewhere, or raise [limits] asset_bytes in book.toml"),
        );
    }
    let kind = asset_type(file_name(&file.within));
    let refuse =
        |message: String, help: &str| Some(Diagnostic::warning("asset/active-content", message).help(help));
    match kind {
        AssetType::Active(why) => {
            return refuse(
                why.to_owned(),
                "convert the file to Markdown or an image, or link to it on github.com",
            );
        }
        AssetType::Unknown => {
            return Some(
                Diagnostic::warning(
                    "asset/unknown-type",
                    "files of this type are not published: only images, PDFs, text, data and office files are",
                )
                .help(format!("link to the file on github.com, or convert it to one of: {}", PASSIVE.join(", "))),
            );
        }
        AssetType::Passive | AssetType::Markup => {}
    }
    let cap = if kind == AssetType::Markup {
        MARKUP_CAP
    } else {
        SNIFF_LEN
    };
    let bytes = match read_head(&file.path, cap, file.size) {
        Ok(bytes) => bytes,
        Err(err) => {
            return Some(
                Diagnostic::error(
                    "input/unreadable",
                    format!("could not read the file, so it is not published: {err}"),
                )
                .help("check the file's permissions"),
            );
        }
    };
    if kind == AssetType::Passive && sniffs_as_markup(&bytes) {
        return refuse(
            "the file's content is HTML, XML or SVG whatever its name says, so a browser could run it; it is not published".to_owned(),
            "publish the file under the extension of what it holds, with no scripts in it",
        );
    }
    if kind == AssetType::Markup && bytes.len() as u64 > MARKUP_CAP {
        return refuse(
            format!(
                "the file is larger than {} MiB, too large to check for scripts; it is not published",
                MARKUP_CAP >> 20
            ),
            "shrink the file, or publish it as PNG",
        );
    }
    (kind == AssetType::Markup && svg_is_active(&bytes)).then(|| {
        Diagnostic::warning(
            "asset/active-content",
            "the file contains scripts, event handlers or embedded HTML and is not published",
        )
        .help("remove <script>, on… attributes, javascript: links, entity declarations and <foreignObject> from the file")
    })
}

/// How much of a file a browser looks at to guess its type (the WHATWG MIME sniffing
/// standard's resource header).
const SNIFF_LEN: u64 = 1445;
/// The largest SVG or diagram file that is read whole to be checked.
const MARKUP_CAP: u64 = 16 << 20;

/// Up to `cap + 1` bytes of the file (one more than allowed shows that it is too large).
fn read_head(path: &Path, cap: u64, size: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    // Room for all that may be read, so the read is one system call, not a growing buffer's
    // several (`size` is the listing's: a file grown since is still cut at the cap).
    let room = size.min(cap) + 1;
    let mut bytes = Vec::with_capacity(usize::try_from(room).unwrap_or(0));
    std::fs::File::open(path)?.take(cap + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Whether a browser that guessed the type from the content could take it for a document:
/// after white space and a byte-order mark it opens with a tag, a comment, a doctype or an
/// XML declaration. Images, PDFs and data never do.
fn sniffs_as_markup(bytes: &[u8]) -> bool {
    let head = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = head
        .iter()
        .position(|b| !matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' '));
    match start.map(|i| &head[i..]) {
        Some([b'<', next, ..]) => next.is_ascii_alphabetic() || matches!(next, b'!' | b'?' | b'/'),
        _ => false,
    }
}

/// An SVG (or other XML) opened directly runs its scripts with the site's origin. Character
/// references are decoded first, since XML attribute values may spell `javascript:` with
/// them; markup that is not UTF-8 or ASCII text (UTF-16) cannot be scanned and counts as
/// active.
fn svg_is_active(bytes: &[u8]) -> bool {
    if bytes.contains(&0) || bytes.starts_with(b"\xFE\xFF") || bytes.starts_with(b"\xFF\xFE") {
        return true;
    }
    let text = decode_char_refs(&String::from_utf8_lossy(bytes)).to_lowercase();
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let scheme = [
        "javascript:",
        "vbscript:",
        "data:text/html",
        "data:application/",
        "data:image/svg",
    ]
    .iter()
    .any(|s| squeezed.contains(s));
    let declared = [
        "<!entity",
        "<?xml-stylesheet",
        "http://www.w3.org/1999/xhtml",
        "attributename=\"on",
        "attributename='on",
    ]
    .iter()
    .any(|s| squeezed.contains(s) || text.contains(s));
    scheme || declared || has_handler(&text) || has_active_element(&text)
}

/// An `on…=` attribute: `on`, letters, optional white space and `=`, after a character that
/// can precede an attribute name (white space, a quote, `/`, or `:` of a prefix).
fn has_handler(text: &str) -> bool {
    text.match_indices("on").any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let starts_name = before.is_some_and(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '/' | ':'));
        let rest = &text[i + 2..];
        let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        starts_name && name_len > 0 && rest[name_len..].trim_start().starts_with('=')
    })
}

/// An element that runs or embeds active content, by its local name (`<html:script>` too).
fn has_active_element(text: &str) -> bool {
    const ACTIVE: &[&str] = &[
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "handler",
        "listener",
        "frame",
        "frameset",
    ];
    text.match_indices('<').any(|(i, _)| {
        let rest = text[i + 1..].trim_start_matches('/');
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.'))
            .count();
        let name = &rest[..name_len];
        let local = name.rsplit(':').next().unwrap_or(name);
        ACTIVE.contains(&local)
    })
}

/// `&#106;` and `&#x6A;` replaced by the characters they stand for; anything else kept.
fn decode_char_refs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("&#") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let (hex, digits_from) = match after.as_bytes().first() {
            Some(b'x' | b'X') => (true, 1),
            _ => (false, 0),
        };
        let digits: &str = &after[digits_from..];
        let len = digits
            .bytes()
            .take_while(|b| {
                if hex {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count()
            .min(8);
        let value = u32::from_str_radix(&digits[..len], if hex { 16 } else { 10 }).ok();
        match value.and_then(char::from_u32).filter(|_| len > 0) {
            Some(c) => {
                out.push(c);
                let consumed = digits_from + len;
                rest = after[consumed..].strip_prefix(';').unwrap_or(&after[consumed..]);
            }
            None => {
                out.push_str("&#");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// The finding for a folder skipped because it holds a site tssa built.
fn output_folder(rel: &str) -> Diagnostic {
    Diagnostic::info(
        "discover/output-folder",
        format!(
            "folder holds a site tssa built (it has `{}`); not read as content",
            crate::output::MARKER
        ),
    )
    .at(rel, None)
    .help("build the site outside the projects and process folders, or delete this copy")
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_owned()
    } else {
        format!("{a}/{b}")
    }
}

/// A folder listed once: its root-relative name, the listing, and what reading it reported.
type Listed = (String, Listing, Vec<Diagnostic>);

#[derive(Clone)]
struct Listing {
    files: Vec<SourceFile>,
    dirs: Vec<(PathBuf, String)>,
    /// The folder holds tssa's output marker (seen in the listing itself, without a `stat`).
    marked: bool,
}

/// Whether a folder's listing checks each folder in it for the output marker (one `stat`
/// each), or leaves that to the caller, which lists those folders anyway ([`Walker::prefetch`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Markers {
    Check,
    Later,
}

/// Walks folders under the root with one policy: sorted, hidden entries and output folders
/// skipped, links followed only to files inside the root, never onto another file system
/// (`/proc`, `/sys`, a mounted device), and within `[limits]` (depth, files, total size).
struct Walker {
    root: PathBuf,
    canonical_root: Option<PathBuf>,
    output: Option<PathBuf>,
    /// The output folder's identity, if it exists (see [`Walker::is_output`]).
    output_id: Option<(u64, u64)>,
    /// The root's device: a folder on another one is a mount, which tssa does not enter.
    root_dev: Option<u64>,
    limits: Limits,
    /// What the walks found so far, against `limits`.
    found_files: AtomicUsize,
    found_bytes: AtomicU64,
    /// Set once a limit is hit: the walk then stops everywhere, reported once.
    stopped: AtomicBool,
    /// Every folder listed so far (by path: its root-relative name, the listing and what
    /// listing it reported). Unit detection, the stray-package scan and the units' own walks
    /// each list the project folders; the file system is asked once.
    listed: Mutex<HashMap<PathBuf, Listed>>,
}

impl Walker {
    fn new(config: &Config) -> Self {
        Walker {
            root: config.root.clone(),
            canonical_root: config.root.canonicalize().ok(),
            output: config.output.canonicalize().ok(),
            output_id: std::fs::metadata(&config.output).ok().as_ref().and_then(file_id),
            root_dev: std::fs::metadata(&config.root).ok().map(|m| device(&m)),
            limits: config.limits,
            found_files: AtomicUsize::new(0),
            found_bytes: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            listed: Mutex::new(HashMap::new()),
        }
    }

    /// Decides what a directory entry is, following links only to files inside the root.
    fn admit(
        &self,
        path: &Path,
        rel: &str,
        is_link: bool,
        markers: Markers,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Kind> {
        if is_link {
            return self.admit_link(path, rel, diagnostics);
        }
        let meta = std::fs::symlink_metadata(path).ok()?;
        if meta.is_dir() {
            return self.admit_dir(path, rel, &meta, markers, diagnostics);
        }
        if meta.is_file() {
            return Some(Kind::File(meta.len(), Stamp::of(&meta)));
        }
        // Pipes, sockets and devices: reading one could block the build forever.
        diagnostics.push(
            Diagnostic::warning(
                "discover/not-a-file",
                "not a regular file (a pipe, socket or device); skipped",
            )
            .at(rel, None),
        );
        None
    }

    fn admit_link(&self, path: &Path, rel: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<Kind> {
        let target = match path.canonicalize() {
            Ok(target) => target,
            Err(_) => {
                diagnostics.push(
                    Diagnostic::warning(
                        "discover/broken-symlink",
                        "symbolic link is broken or loops; skipped",
                    )
                    .at(rel, None),
                );
                return None;
            }
        };
        let inside = self
            .canonical_root
            .as_ref()
            .is_some_and(|root| target.starts_with(root));
        if !inside {
            diagnostics.push(
                Diagnostic::warning(
                    "discover/symlink-outside-root",
                    "symbolic link points outside the root; skipped",
                )
                .at(rel, None)
                .help("copy the file into the repository instead of linking to it"),
            );
            return None;
        }
        let meta = std::fs::metadata(&target).ok()?;
        if meta.is_dir() {
            diagnostics.push(
                Diagnostic::info(
                    "discover/symlinked-folder",
                    "symbolic link to a folder is not followed",
                )
                .at(rel, None),
            );
            return None;
        }
        meta.is_file().then_some(Kind::File(meta.len(), None))
    }

    /// A folder is walked unless it is a site tssa wrote (the configured output, or any
    /// folder with the output marker: checked here, or by the caller with `Markers::Later`)
    /// or a mount of another file system.
    fn admit_dir(
        &self,
        path: &Path,
        rel: &str,
        meta: &std::fs::Metadata,
        markers: Markers,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Kind> {
        if self.is_output(path, meta) {
            return None;
        }
        let mount = self.root_dev.is_some_and(|dev| dev != device(meta));
        // A mount is never listed, so its marker is looked for here whoever asks.
        if (markers == Markers::Check || mount) && path.join(crate::output::MARKER).is_file() {
            diagnostics.push(output_folder(rel));
            return None;
        }
        if mount {
            diagnostics.push(
                Diagnostic::warning(
                    "discover/other-file-system",
                    "folder is the mount point of another file system; not walked",
                )
                .at(rel, None)
                .help("copy the files into the repository instead of mounting them"),
            );
            return None;
        }
        Some(Kind::Dir)
    }

    /// Counts one file against `[limits]`; false once a limit is reached (reported once).
    fn count(&self, file: &SourceFile, diagnostics: &mut Vec<Diagnostic>) -> bool {
        if self.stopped.load(Ordering::Relaxed) {
            return false;
        }
        let files = self.found_files.load(Ordering::Relaxed) + 1;
        let bytes = self.found_bytes.load(Ordering::Relaxed).saturating_add(file.size);
        self.found_files.store(files, Ordering::Relaxed);
        self.found_bytes.store(bytes, Ordering::Relaxed);
        let over = if files > self.limits.files {
            Some(format!("more than {} files", self.limits.files))
        } else if bytes > self.limits.total_bytes {
            Some(format!(
                "more than {} of files in all",
                crate::fsread::human_bytes(self.limits.total_bytes)
            ))
        } else {
            None
        };
        let Some(over) = over else {
            return true;
        };
        self.stopped.store(true, Ordering::Relaxed);
        let key = if files > self.limits.files {
            "files"
        } else {
            "total_bytes"
        };
        diagnostics.push(
            Diagnostic::error(
                "discover/limit",
                format!("the source folders hold {over}; the walk stopped here and later files are not published"),
            )
            .at(file.rel.clone(), None)
            .help(format!(
                "check that [source] projects and process name the right folders, or raise [limits] {key} in book.toml"
            )),
        );
        false
    }

    /// Whether a folder is within `[limits] depth` of the root (reported when it is not).
    fn within_depth(&self, rel_dir: &str, diagnostics: &mut Vec<Diagnostic>) -> bool {
        let depth = depth(rel_dir);
        if depth <= self.limits.depth {
            return true;
        }
        diagnostics.push(
            Diagnostic::error(
                "discover/limit",
                format!(
                    "folder is {depth} levels below the root, deeper than the limit of {}; what it holds is not published",
                    self.limits.depth
                ),
            )
            .at(rel_dir, None)
            .help("flatten the folders, or raise [limits] depth in book.toml"),
        );
        false
    }

    /// Whether `dir` is the configured output folder. On Unix its device and inode say so
    /// without resolving the path (canonicalising every folder cost a `readlink` per path
    /// component, most of a walk's system calls).
    fn is_output(&self, dir: &Path, meta: &std::fs::Metadata) -> bool {
        match (&self.output_id, file_id(meta)) {
            (Some(output), Some(id)) => *output == id,
            _ => self.output.is_some() && dir.canonicalize().ok() == self.output,
        }
    }

    /// A listed file, with the size its listing already read.
    fn source_file(path: PathBuf, rel: String, within: String, size: u64) -> SourceFile {
        SourceFile {
            path,
            rel: rel.into(),
            within: within.into(),
            size,
            stamp: None,
        }
    }

    /// One level: files and folders directly in `dir`, read once and then repeated (with
    /// the findings its reading gave) for each caller.
    fn list(&self, dir: &Path, rel_dir: &str, diagnostics: &mut Vec<Diagnostic>) -> Listing {
        if self.stopped.load(Ordering::Relaxed) || !self.within_depth(rel_dir, diagnostics) {
            return Listing {
                files: Vec::new(),
                dirs: Vec::new(),
                marked: false,
            };
        }
        if let Some((rel, listing, found)) = self.lock_listed().get(dir)
            && rel == rel_dir
        {
            diagnostics.extend(found.iter().cloned());
            return listing.clone();
        }
        let mut found = Vec::new();
        let listing = self.read_listing(dir, rel_dir, Markers::Check, &mut found);
        diagnostics.extend(found.iter().cloned());
        self.lock_listed()
            .insert(dir.to_path_buf(), (rel_dir.to_owned(), listing.clone(), found));
        listing
    }

    fn lock_listed(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Listed>> {
        self.listed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lists `dir` and the folders below it (within `[limits] depth`, leaving out the
    /// root-relative folders in `skip`) on every core, so the walks that follow, one
    /// folder after another in their own order, find each listing already read. Only the
    /// reading is done here: limits are still counted, and findings still reported, by those
    /// walks as they take each listing, so both are what a one-threaded walk gives. A
    /// folder this misses (past the budget, or named differently) is read when asked for.
    fn prefetch(&self, dirs: &[(&Path, &str)], skip: &[&str]) {
        // Entries listed so far: a tree far over `[limits] files` is not read to the end
        // just because the walks would stop early in it.
        let budget = AtomicUsize::new(0);
        let found: Vec<(PathBuf, Listed)> = dirs
            .par_iter()
            .flat_map_iter(|(dir, rel)| {
                self.prefetch_below(dir.to_path_buf(), (*rel).to_owned(), skip, &budget)
            })
            .collect();
        let mut listed = self.lock_listed();
        for (dir, entry) in found {
            listed.entry(dir).or_insert(entry);
        }
    }

    fn prefetch_below(
        &self,
        dir: PathBuf,
        rel_dir: String,
        skip: &[&str],
        budget: &AtomicUsize,
    ) -> Vec<(PathBuf, Listed)> {
        if depth(&rel_dir) > self.limits.depth {
            return Vec::new();
        }
        let mut found = Vec::new();
        let mut listing = self.read_listing(&dir, &rel_dir, Markers::Later, &mut found);
        let entries = listing.files.len() + listing.dirs.len();
        let go_below =
            !listing.marked && budget.fetch_add(entries, Ordering::Relaxed) + entries <= self.limits.files;
        // Each folder below that is listed here says itself whether it has the marker; one
        // that is not (skipped, too deep, past the budget) is asked with a `stat`, as a
        // listing that checks markers would.
        let listed: Vec<Option<Vec<(PathBuf, Listed)>>> = listing
            .dirs
            .par_iter()
            .map(|(path, name)| {
                let rel = join(&rel_dir, name);
                let listed_here =
                    go_below && !skip.contains(&rel.as_str()) && depth(&rel) <= self.limits.depth;
                listed_here.then(|| self.prefetch_below(path.clone(), rel, skip, budget))
            })
            .collect();
        let mut below = Vec::new();
        let mut dirs = Vec::with_capacity(listing.dirs.len());
        for ((path, name), listed) in listing.dirs.into_iter().zip(listed) {
            let marked = match &listed {
                // Its own listing comes last.
                Some(listed) => listed.last().is_some_and(|(_, (_, folder, _))| folder.marked),
                None => path.join(crate::output::MARKER).is_file(),
            };
            if marked {
                found.push(output_folder(&join(&rel_dir, &name)));
            } else {
                dirs.push((path, name));
            }
            below.extend(listed.into_iter().flatten());
        }
        listing.dirs = dirs;
        below.push((dir, (rel_dir, listing, found)));
        below
    }

    fn read_listing(
        &self,
        dir: &Path,
        rel_dir: &str,
        markers: Markers,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Listing {
        let mut listing = Listing {
            files: Vec::new(),
            dirs: Vec::new(),
            marked: false,
        };
        // `std::fs::read_dir`, not walkdir: walkdir opens every folder it yields, even at its
        // `max_depth`, and with a sorter reads that folder's whole listing too, so each
        // listing cost a second read of every folder below it (the whole of a folder that is
        // skipped, too deep or past the file budget included).
        let mut entries: Vec<std::fs::DirEntry> = Vec::new();
        match std::fs::read_dir(dir) {
            Ok(read) => {
                for entry in read {
                    match entry {
                        Ok(entry) => entries.push(entry),
                        Err(err) => diagnostics.push(listing_error(&self.root, dir, &err)),
                    }
                }
            }
            Err(err) => diagnostics.push(listing_error(&self.root, dir, &err)),
        }
        entries.sort_unstable_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let path = entry.path();
            // The listing's own type (`d_type`; std asks `lstat` where the file system gives none).
            let kind = entry.file_type();
            let is_link = kind.as_ref().is_ok_and(std::fs::FileType::is_symlink);
            if entry.file_name() == crate::output::MARKER {
                // As `is_file` would say: a link is followed (rare enough to pay a `stat`).
                listing.marked =
                    kind.as_ref().is_ok_and(|kind| kind.is_file()) || (is_link && path.is_file());
            }
            let Some(name) = self.name_of(&path, rel_dir, diagnostics) else {
                continue;
            };
            let rel = join(rel_dir, &name);
            match self.admit(&path, &rel, is_link, markers, diagnostics) {
                Some(Kind::Dir) => listing.dirs.push((path, name)),
                Some(Kind::File(size, stamp)) => {
                    let mut file = Self::source_file(path, rel, name, size);
                    file.stamp = stamp;
                    listing.files.push(file);
                }
                None => {}
            }
        }
        listing
    }

    /// Every file below `dir`, recursively, skipping the folders in `skip` (root-relative).
    /// `within` of each file is relative to `base`, the folder the walk started in.
    fn walk(
        &self,
        dir: &Path,
        rel_dir: &str,
        base: &str,
        skip: &[&str],
        out: &mut Vec<SourceFile>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let listing = self.list(dir, rel_dir, diagnostics);
        for file in listing.files {
            if !self.count(&file, diagnostics) {
                return;
            }
            let within = strip_dir(&file.rel, base).into();
            out.push(SourceFile { within, ..file });
        }
        for (path, name) in listing.dirs {
            let rel = join(rel_dir, &name);
            if skip.contains(&rel.as_str()) {
                continue;
            }
            self.walk(&path, &rel, base, skip, out, diagnostics);
        }
    }

    fn name_of(&self, path: &Path, rel_dir: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
        let name = path.file_name()?;
        let Some(name) = name.to_str() else {
            diagnostics.push(
                Diagnostic::warning("discover/non-utf8-name", "file name is not valid UTF-8; skipped")
                    .at(join(rel_dir, &name.to_string_lossy()), None)
                    .help("rename the file using UTF-8"),
            );
            return None;
        };
        if name.starts_with('.') {
            // Hidden entries (.git, .github, editor files) are no one's content; a hidden
            // document, though, was likely meant to be read, so its absence is said.
            if is_markdown(name) && path.is_file() {
                diagnostics.push(
                    Diagnostic::info(
                        "discover/hidden-document",
                        format!("`{name}` is hidden (its name starts with a dot) and is not published"),
                    )
                    .at(join(rel_dir, name), None)
                    .help("rename the file without the leading dot to publish it"),
                );
            }
            return None;
        }
        Some(name.to_owned())
    }

    /// The files of the unit in `dir`, walked (in folder order: the walk's budget is spent
    /// the same way every run).
    fn unit_files(&self, dir: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
        let mut files = Vec::new();
        self.walk(&self.root.join(dir), dir, dir, &[], &mut files, diagnostics);
        files
    }

    /// The unit in `dir` made of its walked `files`, each with its verdict in `verdicts`
    /// ([`unpublishable`] for an asset, judged beforehand on every core).
    fn unit(
        &self,
        dir: &str,
        (slug, folder): (String, String),
        files: Vec<SourceFile>,
        verdicts: Vec<Option<Diagnostic>>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> UnitFiles {
        let mut unit = UnitFiles {
            slug,
            folder,
            dir: dir.into(),
            documents: Vec::new(),
            assets: Vec::new(),
            sidecar: None,
        };
        for (file, verdict) in files.into_iter().zip(verdicts) {
            let top_level = !file.within.contains('/');
            if is_sidecar(&file) {
                unit.sidecar = Some(file);
            } else if is_markdown(&file.within) {
                let (kind, meant) = classify(file_name(&file.within), top_level);
                if let Some(meant) = meant {
                    diagnostics.push(
                        Diagnostic::warning(
                            "discover/near-miss-name",
                            format!(
                                "`{}` looks like a misspelling of `{meant}`; it is treated as one",
                                file.within
                            ),
                        )
                        .at(file.rel.clone(), None)
                        .help(format!("rename the file to `{meant}` so other tools find it")),
                    );
                }
                unit.documents.push((kind, file));
            } else {
                if let Some(problem) = verdict {
                    diagnostics.push(problem.at(file.rel.clone(), None));
                } else {
                    unit.assets.push(file);
                }
            }
        }
        // The exactly named document comes first, so lookups by kind find it.
        unit.documents.sort_by(|(ka, a), (kb, b)| {
            (
                ka,
                classify(file_name(&a.within), !a.within.contains('/'))
                    .1
                    .is_some(),
                &a.within,
            )
                .cmp(&(
                    kb,
                    classify(file_name(&b.within), !b.within.contains('/'))
                        .1
                        .is_some(),
                    &b.within,
                ))
        });
        unit
    }

    /// Folders below `dir` (down to `[limits] depth`) holding assessment documents that are
    /// not `covered` by a unit or an exclusion.
    fn stray_packages(
        &self,
        dir: &Path,
        rel_dir: &str,
        covered: &dyn Fn(&str) -> bool,
        out: &mut Vec<String>,
    ) {
        let listing = self.list(dir, rel_dir, &mut Vec::new());
        for (path, name) in &listing.dirs {
            let rel = join(rel_dir, name);
            if covered(&rel) {
                continue;
            }
            if holds_assessment(&self.list(path, &rel, &mut Vec::new())) {
                out.push(rel);
            } else {
                self.stray_packages(path, &rel, covered, out);
            }
        }
    }

    /// Explicit unit patterns: `*` matches one folder name; the slug is what the `*`s matched.
    fn match_patterns(
        &self,
        projects: &str,
        patterns: &[&String],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<(RelPath, String)> {
        let mut units = Vec::new();
        for pattern in patterns {
            let segments = pattern_segments(pattern);
            let mut frontier = vec![(projects.to_owned(), Vec::<String>::new())];
            for segment in &segments {
                let mut next = Vec::new();
                for (dir, captured) in frontier {
                    let listing = self.list(&self.root.join(&dir), &dir, diagnostics);
                    for (_, name) in listing.dirs {
                        if segment_matches(segment, &name) {
                            let mut captured = captured.clone();
                            if segment.contains('*') {
                                captured.push(name.clone());
                            }
                            next.push((join(&dir, &name), captured));
                        }
                    }
                }
                frontier = next;
            }
            for (dir, captured) in frontier {
                let slug = if captured.is_empty() {
                    dir.rsplit('/').next().unwrap_or(&dir).to_owned()
                } else {
                    captured.join("/")
                };
                units.push((dir.into(), slug));
            }
        }
        units.sort();
        units.dedup_by(|a, b| a.0 == b.0);
        units
    }
}

/// `*` matches any run of characters within one folder name; `{a,b}` alternatives allow
/// spelling variants (`security-assessment{,s}`).
fn segment_matches(pattern: &str, name: &str) -> bool {
    if let (Some(open), Some(close)) = (pattern.find('{'), pattern.find('}'))
        && open < close
    {
        let (head, rest) = pattern.split_at(open);
        let (alternatives, tail) = rest[1..].split_at(close - open - 1);
        let tail = &tail[1..];
        return alternatives
            .split(',')
            .any(|alt| segment_matches(&format!("{head}{alt}{tail}"), name));
    }
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, suffix)) => {
            name.len() >= prefix.len() + suffix.len()
                && name.starts_with(prefix)
                && (suffix.contains('*') || name.ends_with(suffix))
                && (!suffix.contains('*') || segment_matches(suffix, &name[prefix.len()..]) || {
                    (prefix.len()..=name.len())
                        .any(|i| name.is_char_boundary(i) && segment_matches(suffix, &name[i..]))
                })
        }
    }
}

enum Kind {
    /// A regular file (or a link to one inside the root), with its size in bytes and, when
    /// not a link, its stamp.
    File(u64, Option<Stamp>),
    Dir,
}

/// A folder's identity (device, inode), where the platform has one.
#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(unix)]
fn device(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::dev(meta)
}

/// Elsewhere there is no cheap device number; special file systems are a Unix concern.
#[cfg(not(unix))]
fn device(_meta: &std::fs::Metadata) -> u64 {
    0
}

/// How many folders below the root a root-relative folder is.
fn depth(rel_dir: &str) -> usize {
    rel_dir.split('/').filter(|s| !s.is_empty()).count()
}

fn strip_dir(rel: &str, dir: &str) -> String {
    if dir.is_empty() {
        return rel.to_owned();
    }
    rel.strip_prefix(dir)
        .map(|r| r.trim_start_matches('/').to_owned())
        .unwrap_or_else(|| rel.to_owned())
}

fn listing_error(root: &Path, dir: &Path, err: &std::io::Error) -> Diagnostic {
    let rel = dir
        .strip_prefix(root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    Diagnostic::warning("discover/unreadable", format!("could not read: {err}")).at(rel, None)
}

#[cfg(test)]
mod tests {

    /// The full Levenshtein table, for comparison.
    fn edit_distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    #[test]
    fn within_edits_agrees_with_the_full_table() {
        let words = [
            "",
            "a",
            "self-assessment",
            "self-assesment",
            "selfassessment",
            "self-assessments",
            "joint-review",
            "joint-reveiw",
            "jont-assessment",
            "assessment",
            "assesments",
            "security-assessment",
            "sécurity-assessment",
            "readme",
            "threat-model",
            "sub-projects",
            "xelf-assessmenz",
            "elf-assessment-",
            "joint",
        ];
        for a in words {
            for b in words {
                for limit in 0..4 {
                    assert_eq!(
                        within_edits(a, b, limit),
                        edit_distance(a, b) <= limit,
                        "{a} {b} {limit}"
                    );
                }
            }
        }
    }
    use super::*;

    #[test]
    fn near_miss_names_are_recognised() {
        assert_eq!(
            classify("self-assesment.md", true),
            (DocKind::SelfAssessment, Some("self-assessment.md"))
        );
        assert_eq!(
            classify("self-assessment.md", true),
            (DocKind::SelfAssessment, None)
        );
        assert_eq!(classify("Self_Assessment.md", true).0, DocKind::SelfAssessment);
        assert_eq!(
            classify("joint-review.md", true),
            (DocKind::JointAssessment, None)
        );
        assert_eq!(classify("README.md", true), (DocKind::Summary, None));
        assert_eq!(classify("README.md", false), (DocKind::Other, None));
        assert_eq!(
            classify("tikv-threat-model.md", true),
            (DocKind::ThreatModel, None)
        );
        assert_eq!(classify("threatmodeling.md", false), (DocKind::ThreatModel, None));
        assert_eq!(classify("DCO.md", true), (DocKind::Other, None));
    }

    #[test]
    fn xml_in_other_clothes_is_active() {
        assert!(svg_is_active(
            b"<svg><html:script xmlns:html=\"http://www.w3.org/1999/xhtml\">x()</html:script></svg>"
        ));
        assert!(svg_is_active(
            b"<svg><a href=\"&#106;avascript&#x3A;x()\">x</a></svg>"
        ));
        assert!(svg_is_active(b"<svg><a href=\"java\tscript:x()\">x</a></svg>"));
        assert!(svg_is_active(b"<svg\nonload=\"x()\"/>"));
        assert!(svg_is_active(b"<!DOCTYPE svg [<!ENTITY e \"x\">]><svg>&e;</svg>"));
        assert!(svg_is_active(b"\xFF\xFE<\0s\0v\0g\0"));
        assert!(!svg_is_active(b"<svg><text>Decisions on data</text></svg>"));
    }

    #[test]
    fn markup_is_sniffed_whatever_the_name() {
        assert!(sniffs_as_markup(b"  <html><script>x()</script>"));
        assert!(sniffs_as_markup(b"\xEF\xBB\xBF<svg onload=x()>"));
        assert!(sniffs_as_markup(b"<?xml version=\"1.0\"?>"));
        assert!(sniffs_as_markup(b"<!-- x -->"));
        assert!(!sniffs_as_markup(b"\x89PNG\r\n\x1a\n"));
        assert!(!sniffs_as_markup(b"%PDF-1.7"));
        assert!(!sniffs_as_markup(b"a < b"));
        assert_eq!(
            asset_type("x.SVGZ"),
            AssetType::Active(
                "gzipped SVG files are not published: they cannot be checked for scripts without unpacking them"
            )
        );
        assert_eq!(asset_type("x.drawio"), AssetType::Markup);
        assert_eq!(asset_type("Makefile"), AssetType::Unknown);
        assert_eq!(asset_type("a.PNG"), AssetType::Passive);
    }

    #[test]
    fn svg_with_script_or_handlers_is_active() {
        assert!(svg_is_active(b"<svg><script>alert(1)</script></svg>"));
        assert!(svg_is_active(b"<svg onload = \"x()\"></svg>"));
        assert!(svg_is_active(b"<svg><a href=\"javascript:x()\">x</a></svg>"));
        assert!(svg_is_active(
            b"<svg><foreignObject><p>x</p></foreignObject></svg>"
        ));
        assert!(!svg_is_active(
            b"<svg viewBox=\"0 0 10 10\"><text>only one</text><rect/></svg>"
        ));
    }

    #[test]
    fn patterns_match_spelling_variants() {
        assert!(segment_matches("*", "keycloak"));
        assert!(segment_matches("security-assessment{,s}", "security-assessments"));
        assert!(segment_matches("security-assessment{,s}", "security-assessment"));
        assert!(!segment_matches("security-assessment{,s}", "security-review"));
        assert!(segment_matches("sec*-assessment", "security-assessment"));
    }
}
