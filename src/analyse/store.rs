//! The build cache on disk: each document's result of the one Markdown pass (its page for
//! `build`, its findings for `check`), kept between runs, so an unchanged document is not
//! parsed, resolved, highlighted and sanitised again. Like Jekyll's `.jekyll-cache` or Hugo's
//! cacheDir, it lives outside the site: `$TSSA_CACHE_DIR`, else `$XDG_CACHE_HOME/tssa`, else
//! `~/.cache/tssa`, a folder per repository root. `--no-cache` or `TSSA_NO_CACHE=1` turn it
//! off.
//!
//! A file is trusted only as far as it is checked: its index read size-capped and checksummed,
//! each entry's head read by position on the worker that needs it, size-capped and checked
//! against its own checksum (a damaged head is one miss), decoded with a byte limit, and used
//! only when the key (the format, tssa's version, the running executable's identity, the
//! highlighter's limits) matches this run (`store/indexed.rs` has the layout). An entry is
//! used only when the document's path, URL, first body line, title and body (by the digest of
//! what it was read from, [`Origin`]) are exactly those it was made from, and every link and
//! image size it asked the site about gets the same answer today (so renaming a heading
//! re-renders the pages that link to it, not every page). Anything else is ignored, never an
//! error: the cache can only make a build faster, never make it fail or differ. The page body
//! and search text are read back only when needed and checked against their digests then; one
//! that fails stops the render ([`crate::error::Error::CacheDamaged`]) and `build` makes the
//! site again without the file.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bincode::Options;
use serde::{Deserialize, Serialize};

mod indexed;

use super::Depth;
use super::document::{PageTerms, RenderedDoc, SearchSection, TocEntry};
use super::highlight::Highlighter;
use super::links::{LinkResolver, Resolved};
use crate::diagnostic::{Diagnostic, Level};
use crate::model::Document;
use indexed::{Indexed, Limits, Slot, Writer};

/// The first bytes of every cache file; the digit is the format's version.
const MAGIC: &[u8; 8] = b"tssa\0db3";
/// A file read whole (`read_framed`: the parse cache, the render records) is never larger.
/// The document cache is read entry by entry instead, under its own limits (`indexed::Limits`).
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// The cache folder of one repository, created (0700) if need be. `None` when the cache is
/// turned off by the environment, when no folder can be named or made, or when it would lie
/// inside the output folder (it must never be published).
pub fn locate(root: &Path, output: &Path) -> Option<PathBuf> {
    let off = std::env::var_os("TSSA_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0");
    if off {
        return None;
    }
    let root = root.canonicalize().ok()?;
    let dir = base_dir()?.join(folder_name(&root));
    // Looked at before the folder is made (so nothing is made inside the output) and after
    // (a link on the way may have pointed elsewhere).
    let output = resolved(output);
    if resolved(&dir).starts_with(&output) {
        return None;
    }
    create_private(&dir).ok()?;
    let dir = dir.canonicalize().ok()?;
    (!dir.starts_with(&output)).then_some(dir)
}

/// Where caches live, from the environment: an empty or relative XDG variable is ignored, as
/// the XDG spec asks.
fn base_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("TSSA_CACHE_DIR") {
        return Some(dir);
    }
    if let Some(xdg) = var("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return Some(xdg.join("tssa"));
    }
    var("HOME").map(|home| home.join(".cache").join("tssa"))
}

/// `<root's name>-<hash of its canonical path>`: readable, and distinct per checkout.
fn folder_name(root: &Path) -> String {
    let name: String = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("{name}-{:016x}", fnv1a(root.as_os_str().as_encoded_bytes()))
}

/// FNV-1a: a hash that stays the same across Rust and crate versions, so a root keeps its
/// folder.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn create_private(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// `path` with links resolved as far as it exists (the output folder may not exist yet).
fn resolved(path: &Path) -> PathBuf {
    if let Ok(path) = path.canonicalize() {
        return path;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => resolved(parent).join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_owned()),
    }
}

/// Everything a cached result depends on besides its own document. A different executable
/// (rebuilt, upgraded) may render differently, so its size, time and inode are part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Key {
    version: Cow<'static, str>,
    executable: (u64, u64, u32, u64),
    depth: u8,
    highlight: (u64, u64),
}

impl Key {
    fn new(depth: Depth) -> Option<Key> {
        let h = Highlighter::new();
        Some(Key {
            version: Cow::Borrowed(env!("CARGO_PKG_VERSION")),
            executable: executable()?,
            depth: depth as u8,
            highlight: (h.max_lines as u64, h.max_bytes as u64),
        })
    }
}

/// The running executable's size, modification time and inode: a rebuilt or upgraded tssa may
/// parse or render differently, so no cache made by another one is trusted.
pub(crate) fn executable() -> Option<(u64, u64, u32, u64)> {
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((meta.len(), modified.as_secs(), modified.subsec_nanos(), inode))
}

/// One document's result with what it was made from. Read back, its text fields borrow
/// from the file's bytes, so checking that it still fits its document copies nothing.
#[derive(Serialize, Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    url: Cow<'a, str>,
    body_line: u64,
    #[serde(borrow)]
    title: Cow<'a, str>,
    /// What the body was made from, by digest: comparing it costs nothing per byte, and the
    /// entry need not hold a copy of the Markdown.
    origin: Origin,
    #[serde(borrow)]
    asked: Cow<'a, [Asked<'a>]>,
    #[serde(borrow)]
    page: Page<'a>,
}

/// What a document's body was made from, as a digest: the file it was read from when the
/// load knew that file's digest (the parse cache always does, without hashing an unchanged
/// file again), else the body itself. Two kinds, so that a file's digest is never taken for
/// a body's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Origin {
    File([u8; 32]),
    Body([u8; 32]),
}

impl Origin {
    fn of(doc: &Document) -> Origin {
        match doc.origin {
            Some(digest) => Origin::File(digest),
            None => Origin::Body(*blake3::hash(doc.body.as_bytes()).as_bytes()),
        }
    }
}

impl Entry<'_> {
    /// Whether `doc` is the document this entry was made from.
    fn made_from(&self, doc: &Document) -> bool {
        self.source == doc.source.as_str()
            && self.body_line == doc.body_line as u64
            && self.url == doc.url.as_str()
            && self.title == doc.title
            && self.origin == Origin::of(doc)
    }

    /// Whether the site still answers every question the document asked it the same way.
    fn links_hold(&self, doc: &Document, links: &dyn LinkResolver) -> bool {
        self.asked.iter().all(|asked| asked.holds(doc, links))
    }
}

/// A question a document's pass asked the site, with the answer it got: everything a page
/// depends on outside its own document. Read back from a cache file, its text borrows from
/// the file's bytes, so checking it copies nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(super) enum Asked<'a> {
    Resolve(#[serde(borrow)] Cow<'a, str>, #[serde(borrow)] Answer<'a>),
    Size(#[serde(borrow)] Cow<'a, str>, Option<(u32, u32)>),
}

/// A [`Resolved`], as stored and compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(super) enum Answer<'a> {
    External(#[serde(borrow)] Cow<'a, str>),
    Internal(
        #[serde(borrow)] Cow<'a, str>,
        #[serde(borrow)] Option<Cow<'a, str>>,
    ),
    Broken(#[serde(borrow)] Cow<'a, str>),
}

impl Answer<'_> {
    fn of(resolved: &Resolved) -> Answer<'static> {
        let owned = |s: &String| Cow::Owned(s.clone());
        match resolved {
            Resolved::External(url) => Answer::External(owned(url)),
            Resolved::Internal { url, fragment } => {
                Answer::Internal(owned(url), fragment.as_ref().map(owned))
            }
            Resolved::Broken { reason } => Answer::Broken(owned(reason)),
        }
    }

    /// Whether `resolved` is this answer (compared where they lie, nothing copied).
    fn is(&self, resolved: &Resolved) -> bool {
        match (self, resolved) {
            (Answer::External(a), Resolved::External(b)) => a == b,
            (Answer::Internal(a, x), Resolved::Internal { url, fragment }) => {
                a == url && x.as_deref() == fragment.as_deref()
            }
            (Answer::Broken(a), Resolved::Broken { reason }) => a == reason,
            _ => false,
        }
    }
}

impl Asked<'_> {
    /// Whether the site answers this question for `doc` as it did.
    pub(super) fn holds(&self, doc: &Document, links: &dyn LinkResolver) -> bool {
        match self {
            Asked::Resolve(dest, answer) => answer.is(&links.resolve(&doc.source, dest)),
            Asked::Size(url, size) => links.image_size(url) == *size,
        }
    }
}

/// The site's link table, noting each question asked of it.
pub(super) struct Recorder<'a> {
    links: &'a dyn LinkResolver,
    asked: Mutex<Vec<Asked<'static>>>,
}

impl<'a> Recorder<'a> {
    pub(super) fn new(links: &'a dyn LinkResolver) -> Self {
        Recorder {
            links,
            asked: Mutex::default(),
        }
    }

    /// The questions asked, each once: a document that links one place several times asked
    /// the same thing each time, and a reused result checks every question again.
    pub(super) fn asked(self) -> Vec<Asked<'static>> {
        let mut asked = self.asked.into_inner().unwrap_or_else(PoisonError::into_inner);
        asked.sort_unstable();
        asked.dedup();
        asked
    }

    fn note(&self, asked: Asked<'static>) {
        self.asked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(asked);
    }
}

impl LinkResolver for Recorder<'_> {
    fn resolve(&self, from: &str, dest: &str) -> Resolved {
        let resolved = self.links.resolve(from, dest);
        self.note(Asked::Resolve(Cow::Owned(dest.to_owned()), Answer::of(&resolved)));
        resolved
    }

    fn image_size(&self, url: &str) -> Option<(u32, u32)> {
        let size = self.links.image_size(url);
        self.note(Asked::Size(Cow::Owned(url.to_owned()), size));
        size
    }
}

/// An entry's parts (see `indexed`): what every run reads, what a run that makes the search
/// index again reads, and what a run that renders the page again reads.
const HEAD: usize = 0;
const SEARCH: usize = 1;
const BODY: usize = 2;

/// A [`RenderedDoc`] as stored (its own type, so the file's layout is stated here, and a new
/// field of `RenderedDoc` fails to compile until it is stored too), but for its search text
/// ([`Search`]) and its HTML body, which are parts of the entry of their own.
#[derive(Serialize, Deserialize)]
struct Page<'a> {
    toc: Cow<'a, [TocEntry]>,
    diagnostics: Vec<Finding<'a>>,
    has_code: bool,
    line_anchors: Cow<'a, [u32]>,
    #[serde(borrow)]
    lead: Cow<'a, str>,
    html_digest: [u8; 32],
    search_digest: [u8; 32],
}

/// A document's sections and terms for the search index, as stored: encoded as
/// [`super::document::search_digest`] encodes them (the same two fields in the same order), so
/// the digest is that of the stored bytes.
#[derive(Serialize, Deserialize)]
struct Search<'a> {
    #[serde(borrow)]
    sections: Vec<(Cow<'a, str>, Cow<'a, str>, Cow<'a, str>)>,
    terms: Cow<'a, PageTerms>,
}

impl Search<'_> {
    fn into_parts(self) -> (Vec<SearchSection>, PageTerms) {
        let sections = self
            .sections
            .into_iter()
            .map(|(heading, anchor, text)| SearchSection {
                heading: heading.into_owned(),
                anchor: anchor.into_owned(),
                text: text.into_owned(),
            })
            .collect();
        (sections, self.terms.into_owned())
    }
}

impl<'a> Page<'a> {
    /// The page of `doc`, its search text and its body: the entry's three parts.
    fn of(doc: &'a RenderedDoc) -> (Page<'a>, Search<'a>, &'a str) {
        let RenderedDoc {
            html,
            toc,
            diagnostics,
            has_code,
            line_anchors,
            sections,
            terms,
            lead,
            html_digest,
            search_digest,
        } = doc;
        let page = Page {
            toc: Cow::Borrowed(toc),
            diagnostics: diagnostics.iter().map(Finding::of).collect(),
            has_code: *has_code,
            line_anchors: Cow::Borrowed(line_anchors),
            lead: Cow::Borrowed(lead),
            html_digest: *html_digest,
            search_digest: *search_digest,
        };
        let search = Search {
            sections: sections
                .iter()
                .map(|s| (Cow::from(&s.heading), Cow::from(&s.anchor), Cow::from(&s.text)))
                .collect(),
            terms: Cow::Borrowed(terms),
        };
        (page, search, html)
    }

    /// The result as the pass made it, without its search text and body (filled in by the
    /// caller, or left in the file until needed).
    fn into_rendered(self) -> RenderedDoc {
        RenderedDoc {
            html: String::new(),
            toc: self.toc.into_owned(),
            diagnostics: self
                .diagnostics
                .into_iter()
                .map(Finding::into_diagnostic)
                .collect(),
            has_code: self.has_code,
            line_anchors: self.line_anchors.into_owned(),
            sections: Vec::new(),
            terms: PageTerms::default(),
            lead: self.lead.into_owned(),
            html_digest: self.html_digest,
            search_digest: self.search_digest,
        }
    }
}

/// A [`Diagnostic`] as stored: `Diagnostic`'s own serde form skips an absent help, which a
/// format without field names cannot read back.
#[derive(Serialize, Deserialize)]
pub(crate) struct Finding<'a> {
    file: Option<Cow<'a, str>>,
    line: Option<u64>,
    level: u8,
    code: Cow<'a, str>,
    message: Cow<'a, str>,
    help: Option<Cow<'a, str>>,
}

impl<'a> Finding<'a> {
    pub(crate) fn of(d: &'a Diagnostic) -> Finding<'a> {
        Finding {
            file: d.file.as_deref().map(Cow::Borrowed),
            line: d.line.map(|l| l as u64),
            level: d.level as u8,
            code: Cow::Borrowed(&d.code),
            message: Cow::Borrowed(&d.message),
            help: d.help.as_deref().map(Cow::Borrowed),
        }
    }

    pub(crate) fn into_diagnostic(self) -> Diagnostic {
        let level = match self.level {
            0 => Level::Info,
            1 => Level::Warning,
            _ => Level::Error,
        };
        Diagnostic {
            file: self.file.map(|f| f.into_owned().into()),
            line: self.line.and_then(|l| usize::try_from(l).ok()),
            level,
            code: self.code.into_owned(),
            message: self.message.into_owned(),
            help: self.help.map(Cow::into_owned),
        }
    }
}

pub(crate) fn encoding() -> impl Options {
    bincode::DefaultOptions::new().with_limit(MAX_FILE_BYTES)
}

/// A checksum of a file's contents, so a torn or damaged file is not decoded at all.
fn checksum(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x7473_7361).hash_one(bytes)
}

/// A page's body and search text left in the cache file when its entry was taken (a warm
/// build keeps most pages and the search index as they are, so they are not held in memory):
/// where they lie, read back only if the page or the index is made again. The file stays
/// open, so a later rename over it does not move what this points at.
#[derive(Debug, Clone)]
pub struct Deferred {
    file: Arc<Indexed>,
    slot: Slot,
}

impl Deferred {
    /// The body, read and decoded again, if it is still the one whose digest is `digest`.
    pub fn html(&self, digest: &[u8; 32]) -> Option<String> {
        self.file.read(&self.slot, BODY, |html| {
            if blake3::hash(html).as_bytes() != digest {
                return None;
            }
            String::from_utf8(html.to_vec()).ok()
        })
    }

    /// The sections and terms, read and decoded again, if they are still the ones whose
    /// digest ([`super::document::search_digest`], taken of these very bytes) is `digest`.
    pub fn search(&self, digest: &[u8; 32]) -> Option<(Vec<SearchSection>, PageTerms)> {
        self.file.read(&self.slot, SEARCH, |bytes| {
            if blake3::hash(bytes).as_bytes() != digest {
                return None;
            }
            let search: Search<'_> = encoding().deserialize(bytes).ok()?;
            Some(search.into_parts())
        })
    }
}

/// What a warm run left in the cache file, by digest: page bodies by `html_digest`, search
/// texts by `search_digest`.
#[derive(Debug, Default)]
pub struct Left {
    pub bodies: HashMap<[u8; 32], Deferred>,
    pub searches: HashMap<[u8; 32], Deferred>,
}

/// The persistent cache of one repository, for one run; or, for a build without a cache, a
/// scratch file its largest results are left in ([`Store::scratch`]).
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    limits: Limits,
    state: Mutex<State>,
    /// Bodies and search texts left in the file by [`Store::take`] at [`Depth::Pages`].
    deferred: Mutex<Left>,
    /// Set for a scratch file: nothing is read from an earlier run or kept for a later one.
    spill: Option<Spill>,
}

/// When a scratch file is used: once the results offered pass `after` bytes (those before
/// stay in memory, every later one is written).
#[derive(Debug)]
struct Spill {
    after: u64,
    offered: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct State {
    /// The depth this run's file was read for, once [`Store::prepare`] has run.
    prepared: Option<Depth>,
    /// The file and key of this run.
    file: Option<(PathBuf, Key)>,
    /// The file as it was, opened: entries are read from it one by one, when taken.
    old: Option<Arc<Indexed>>,
    /// Entries of the old file not yet used by this run, by source path.
    index: HashMap<String, Slot>,
    /// Entries of the old file this run used: copied into the new file if one is written.
    taken: HashMap<String, Slot>,
    /// The new file, made at the first result the old one did not have.
    writer: Option<Arc<Writer>>,
    /// Entries this run wrote into the new file.
    written: HashMap<String, Slot>,
    /// Whether the file must be written again: an entry was missing or stale.
    dirty: bool,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("entries", &self.index.len())
            .field("dirty", &self.dirty)
            .finish()
    }
}

impl Store {
    /// The cache in `dir` (see [`locate`]).
    pub fn new(dir: PathBuf) -> Store {
        Store::with_limits(dir, Limits::DEFAULT)
    }

    /// The cache in `dir`, with other limits on its file (tests make them small).
    pub(super) fn with_limits(dir: PathBuf, limits: Limits) -> Store {
        Store {
            dir,
            limits,
            state: Mutex::default(),
            deferred: Mutex::default(),
            spill: None,
        }
    }

    /// A scratch file in `dir` for a build without a cache: results are kept in memory until
    /// they hold `after` bytes of bodies and search texts, then written to a file no other run
    /// sees (see [`Writer::create_scratch`]) and read back when their page or the search index
    /// is made, as a cached build reads them, so memory stays bounded at any size of site.
    pub(super) fn scratch(dir: PathBuf, after: u64) -> Store {
        Store {
            spill: Some(Spill {
                after,
                offered: std::sync::atomic::AtomicU64::new(0),
            }),
            ..Store::new(dir)
        }
    }

    /// Whether `result` is to be written: always for a cache, for a scratch file once the
    /// results kept in memory would pass its bound.
    fn spills(&self, result: &RenderedDoc) -> bool {
        let Some(spill) = &self.spill else {
            return true;
        };
        let text: usize = result
            .sections
            .iter()
            .map(|s| s.text.len() + s.heading.len())
            .sum();
        let size = (result.html.len() + text + result.terms.bytes()) as u64;
        let before = spill
            .offered
            .fetch_add(size, std::sync::atomic::Ordering::Relaxed);
        before + size > spill.after
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Opens and indexes what the last run at this depth left, if it was made under the same
    /// key; once per run (a prefetch beside the load, then the analysis, ask for it).
    /// Entries are not read here but when taken, on the thread that needs them.
    pub(super) fn prepare(&self, depth: Depth) {
        if self.lock().prepared == Some(depth) {
            return;
        }
        let file = self.dir.join(file_name(depth));
        let key = Key::new(depth);
        let opened = key
            .as_ref()
            .filter(|_| self.spill.is_none())
            .and_then(|key| Indexed::open(&file, key, self.limits));
        let (old, index) = match opened {
            Some((old, index)) => (Some(Arc::new(old)), index),
            None => (None, HashMap::new()),
        };
        *self.lock() = State {
            prepared: Some(depth),
            dirty: index.is_empty(),
            file: key.map(|key| (file, key)),
            old,
            index,
            ..State::default()
        };
    }

    /// Removes the file of `depth`'s results (a scratch file has no name to remove).
    pub(super) fn discard(&self, depth: Depth) {
        if self.spill.is_none() {
            let _ = std::fs::remove_file(self.dir.join(file_name(depth)));
        }
    }

    /// Whether `doc`'s result is likely in the cache (an entry of its path and body length;
    /// neither the entry nor its links are looked at yet).
    pub(super) fn has(&self, doc: &Document) -> bool {
        self.lock()
            .index
            .get(doc.source.as_str())
            .is_some_and(|slot| slot.body_len == doc.body.len() as u64)
    }

    /// `doc`'s result from the cache, if it was made from this very document and its links
    /// resolve as they did. The entry is read and decoded here, on the caller's thread; one
    /// that does not match its checksum or decode is as good as missing.
    pub(super) fn take(&self, doc: &Document, links: &dyn LinkResolver) -> Option<RenderedDoc> {
        let found = {
            let mut state = self.lock();
            let slot = state.index.remove(doc.source.as_str());
            slot.zip(state.old.clone())
        };
        let pages = self.lock().prepared == Some(Depth::Pages);
        let taken = found.and_then(|(slot, old)| {
            let page = old.read(&slot, HEAD, |bytes| {
                let entry: Entry<'_> = encoding().deserialize(bytes).ok()?;
                (entry.made_from(doc) && entry.links_hold(doc, links)).then(|| entry.page.into_rendered())
            });
            let mut rendered = page?;
            // At `Pages` depth the body and search text stay in the file until asked for; a
            // check has neither (their parts are empty).
            let left = Deferred { file: old, slot };
            if pages {
                self.defer(&rendered, left);
            } else {
                // Read now, through the same checks as a part read back later.
                if slot.has(SEARCH) {
                    (rendered.sections, rendered.terms) = left.search(&rendered.search_digest)?;
                }
                if slot.has(BODY) {
                    rendered.html = left.html(&rendered.html_digest)?;
                }
            }
            self.lock().taken.insert(doc.source.to_string(), slot);
            Some(rendered)
        });
        if taken.is_none() {
            self.lock().dirty = true;
        }
        taken
    }

    fn defer(&self, rendered: &RenderedDoc, deferred: Deferred) {
        let mut left = self.deferred.lock().unwrap_or_else(PoisonError::into_inner);
        if deferred.slot.has(SEARCH) {
            left.searches.insert(rendered.search_digest, deferred.clone());
        }
        if deferred.slot.has(BODY) {
            left.bodies.insert(rendered.html_digest, deferred);
        }
    }

    /// What this run left in the file (taken: a second call has none).
    pub(super) fn take_deferred(&self) -> Left {
        std::mem::take(&mut *self.deferred.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Writes `doc`'s fresh result, with what its pass asked the site, into this run's new
    /// file (made now if need be), from the caller's thread. A result that cannot be written
    /// is left out: its document is made again next time. At [`Depth::Pages`] the written
    /// entry's body and search text can be read back from the file as a taken one's are: the
    /// returned [`Deferred`] says where, for [`Store::leave`].
    pub(super) fn put(&self, doc: &Document, asked: &[Asked<'_>], result: &RenderedDoc) -> Option<Deferred> {
        if !self.spills(result) {
            return None;
        }
        let writer = self.writer()?;
        let (page, search, html) = Page::of(result);
        // A check's results have no search text: its part is left empty, never read.
        let no_search = result.sections.is_empty() && result.terms == PageTerms::default();
        let search = if no_search {
            Ok(Vec::new())
        } else {
            encoding().serialize(&search)
        };
        // A scratch file's entries are never taken, only read back: they need no head (nor
        // the digest of their Markdown it would hold).
        let head = if self.spill.is_some() {
            Ok(Vec::new())
        } else {
            encoding().serialize(&Entry {
                source: Cow::Borrowed(doc.source.as_str()),
                url: Cow::Borrowed(doc.url.as_str()),
                body_line: doc.body_line as u64,
                title: Cow::Borrowed(&doc.title),
                origin: Origin::of(doc),
                asked: Cow::Borrowed(asked),
                page,
            })
        };
        let (Ok(head), Ok(search)) = (head, search) else {
            return None;
        };
        let slot = writer.append([&head, &search, html.as_bytes()], doc.body.len() as u64)?;
        let mut state = self.lock();
        state.written.insert(doc.source.to_string(), slot);
        let pages = state.prepared == Some(Depth::Pages);
        pages.then(|| {
            Some(Deferred {
                file: writer.reader()?,
                slot,
            })
        })?
    }

    /// Lets go of the body and search text of a result [`Store::put`] wrote, which are read
    /// back from the file when a page or the search index needs them, as a taken result's
    /// are: a first build then holds no more of them at once than a warm one (at 50 times the
    /// corpus, ~200 MB less at its peak).
    pub(super) fn leave(&self, rendered: &mut RenderedDoc, deferred: Deferred) {
        self.defer(rendered, deferred);
        rendered.html = String::new();
        rendered.sections = Vec::new();
        rendered.terms = PageTerms::default();
    }

    /// This run's new file, made on first need; `None` when the cache is off or it cannot be.
    fn writer(&self) -> Option<Arc<Writer>> {
        let mut state = self.lock();
        state.dirty = true;
        if state.writer.is_none() {
            let path = &state.file.as_ref()?.0;
            let writer = match self.spill {
                Some(_) => Writer::create_scratch(path, self.limits),
                None => Writer::create(path, self.limits),
            };
            state.writer = writer.map(Arc::new);
        }
        state.writer.clone()
    }

    /// Writes this run's file when it differs from the old one: something was missing or
    /// stale, or the old file holds documents this run did not have (which are dropped, so the
    /// file holds only what the last run used). The results this run took from the old file
    /// are copied over; those it made are in the new one already.
    pub(super) fn finish(&self, docs: &[&Document]) {
        let mut state = std::mem::take(&mut *self.lock());
        if self.spill.is_some() {
            // A scratch file's name is gone already; what was left in it is still read
            // through the handles the deferred parts hold.
            return;
        }
        let changed = state.dirty || !state.index.is_empty();
        // Every worker is done with the writer: the pass is over.
        let writer = state.writer.take().and_then(Arc::into_inner);
        let Some((file, key)) = state.file.take().filter(|_| changed) else {
            if let Some(writer) = writer {
                writer.abandon();
            }
            return;
        };
        let Some(writer) = writer.or_else(|| Writer::create(&file, self.limits)) else {
            return;
        };
        let entries: Vec<(&str, Slot)> = docs
            .iter()
            .filter_map(|doc| {
                let source = doc.source.as_str();
                let slot = match (state.written.get(source), state.taken.get(source)) {
                    (Some(slot), _) => *slot,
                    (None, Some(slot)) => writer.copy(state.old.as_deref()?, slot)?,
                    (None, None) => return None,
                };
                Some((source, slot))
            })
            .collect();
        // The cache is only ever an optimisation: a failure to write it is not the build's.
        let _ = writer.commit(&file, &key, &entries);
    }
}

/// The name of the file holding one depth's results.
fn file_name(depth: Depth) -> &'static str {
    match depth {
        Depth::Pages => "pages.bin",
        Depth::Findings => "findings.bin",
    }
}

/// The bytes of `file` if it is framed as a cache file (magic, length, checksum).
fn read_checked(file: &Path) -> Option<Vec<u8>> {
    let bytes = crate::fsread::read_capped(file, MAX_FILE_BYTES + 24).ok()?;
    let payload = bytes.strip_prefix(MAGIC)?;
    let (len, rest) = payload.split_first_chunk::<8>()?;
    let (sum, payload) = rest.split_first_chunk::<8>()?;
    if u64::from_le_bytes(*len) != payload.len() as u64 || u64::from_le_bytes(*sum) != checksum(payload) {
        return None;
    }
    Some(bytes)
}

/// What follows the key in a checked file's `bytes`, if the key is `key`.
fn keyed_payload<'b, K>(bytes: &'b [u8], key: &K) -> Option<&'b [u8]>
where
    K: serde::de::DeserializeOwned + PartialEq,
{
    let mut payload = bytes.get(MAGIC.len() + 16..)?;
    let stored: K = encoding().deserialize_from(&mut payload).ok()?;
    (stored == *key).then_some(payload)
}

/// The payload of `file` if it is a well-formed cache file (magic, length, checksum) made
/// under `key`; `None` for anything else, which the caller then rebuilds.
pub(crate) fn read_framed<K, T>(file: &Path, key: &K) -> Option<T>
where
    K: serde::de::DeserializeOwned + PartialEq,
    T: serde::de::DeserializeOwned,
{
    let bytes = read_checked(file)?;
    // From the slice itself, which is faster than through `Read`; bytes left over are an error.
    encoding().deserialize(keyed_payload(&bytes, key)?).ok()
}

/// The bytes of `file` and where its payload starts in them, if it is a well-formed cache file
/// made under `key`: for a reader whose entries borrow from the bytes (the parse cache).
pub(crate) fn read_framed_bytes<K>(file: &Path, key: &K) -> Option<(Vec<u8>, usize)>
where
    K: serde::de::DeserializeOwned + PartialEq,
{
    let bytes = read_checked(file)?;
    let at = bytes.len() - keyed_payload(&bytes, key)?.len();
    Some((bytes, at))
}

/// Writes `key` and `payload` behind the magic, length and checksum [`read_framed`] checks,
/// atomically (a temporary file renamed over the old one).
pub(crate) fn write_framed<K: Serialize, T: Serialize + ?Sized>(
    file: &Path,
    key: &K,
    payload: &T,
) -> std::io::Result<()> {
    // Encoded behind room for the head, which is filled in after: one buffer, not two (at
    // 50 times the corpus the parse cache is ~24 MB).
    const HEAD: usize = MAGIC.len() + 16;
    let mut bytes = vec![0; HEAD];
    encoding()
        .serialize_into(&mut bytes, key)
        .map_err(std::io::Error::other)?;
    encoding()
        .serialize_into(&mut bytes, payload)
        .map_err(std::io::Error::other)?;
    let encoded = bytes.len() - HEAD;
    if encoded as u64 > MAX_FILE_BYTES {
        let _ = std::fs::remove_file(file);
        return Ok(());
    }
    let sum = checksum(&bytes[HEAD..]);
    let head = [
        MAGIC.as_slice(),
        &(encoded as u64).to_le_bytes(),
        &sum.to_le_bytes(),
    ]
    .concat();
    bytes[..HEAD].copy_from_slice(&head);
    let name = file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let temp = file.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&temp)?.write_all(&bytes)?;
        std::fs::rename(&temp, file)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A link table that answers from a map: dest → URL, else broken.
    struct Table(BTreeMap<&'static str, &'static str>);

    impl LinkResolver for Table {
        fn resolve(&self, _from: &str, dest: &str) -> Resolved {
            match self.0.get(dest) {
                Some(url) => Resolved::Internal {
                    url: (*url).to_owned(),
                    fragment: None,
                },
                None => Resolved::Broken {
                    reason: "nothing there".to_owned(),
                },
            }
        }
    }

    fn entry(asked: Vec<Asked<'static>>) -> Entry<'static> {
        Entry {
            source: Cow::Borrowed("a.md"),
            url: Cow::Borrowed("a.html"),
            body_line: 1,
            title: Cow::Borrowed(""),
            origin: Origin::Body([0; 32]),
            asked: Cow::Owned(asked),
            page: Page {
                toc: Cow::Borrowed(&[]),
                diagnostics: Vec::new(),
                has_code: false,
                line_anchors: Cow::Borrowed(&[]),
                lead: Cow::Borrowed(""),
                html_digest: [0; 32],
                search_digest: [0; 32],
            },
        }
    }

    fn document(source: &str, body: &str) -> Document {
        Document {
            kind: crate::model::DocKind::Other,
            source: source.into(),
            rel: source.into(),
            url: "a.html".into(),
            title: String::new(),
            body: body.to_owned(),
            body_line: 1,
            outline: Default::default(),
            hidden: None,
            facts: Default::default(),
            origin: None,
        }
    }

    fn rendered(html: &str) -> RenderedDoc {
        RenderedDoc {
            html: html.to_owned(),
            html_digest: *blake3::hash(html.as_bytes()).as_bytes(),
            ..RenderedDoc::default()
        }
    }

    /// Runs `docs` through a store in `dir` with `limits`: each taken from the file when it
    /// serves, else "rendered" (its HTML is its body) and put; then the file is written.
    /// Returns how many were taken.
    fn run(dir: &Path, docs: &[&Document], limits: Limits) -> usize {
        let store = Store::with_limits(dir.to_owned(), limits);
        store.prepare(Depth::Pages);
        let links = Table(BTreeMap::new());
        let mut taken = 0;
        for doc in docs {
            match taken_html(&store, doc, &links) {
                Some(html) => {
                    assert_eq!(html, doc.body, "a taken result is the one put");
                    taken += 1;
                }
                None => {
                    store.put(doc, &[], &rendered(&doc.body));
                }
            }
        }
        store.finish(docs);
        taken
    }

    /// The HTML of `doc`'s result taken from `store`, read back from the file where the take
    /// left it.
    fn taken_html(store: &Store, doc: &Document, links: &dyn LinkResolver) -> Option<String> {
        let result = store.take(doc, links)?;
        let deferred = store.take_deferred();
        match deferred.bodies.get(&result.html_digest) {
            Some(body) => {
                assert!(
                    result.html.is_empty(),
                    "a body left in the file is not also in memory"
                );
                body.html(&result.html_digest)
            }
            None => Some(result.html),
        }
    }

    #[test]
    fn a_taken_body_stays_in_the_file_until_read_and_is_checked_then() {
        let dir = tempfile::tempdir().expect("a folder");
        let a = document("a.md", "alpha");
        let store = Store::new(dir.path().to_owned());
        store.prepare(Depth::Pages);
        let made = rendered("alpha");
        store.put(&a, &[], &made);
        store.finish(&[&a]);
        let store = Store::new(dir.path().to_owned());
        store.prepare(Depth::Pages);
        let result = store.take(&a, &Table(BTreeMap::new())).expect("taken");
        assert_eq!(result.html, "", "not read into memory");
        let deferred = store.take_deferred();
        let body = deferred.bodies.get(&made.html_digest).expect("left in the file");
        assert_eq!(body.html(&made.html_digest).as_deref(), Some("alpha"));
        assert_eq!(body.html(&[1; 32]), None, "read back only as the body it was");
        assert!(store.take_deferred().bodies.is_empty(), "handed over once");
    }

    /// A result with a search text: one section and its terms, with their digest.
    fn searchable(html: &str) -> RenderedDoc {
        let sections = vec![SearchSection {
            heading: "Scope".to_owned(),
            anchor: "scope".to_owned(),
            text: format!("{html} covers the scope"),
        }];
        let terms = super::super::document::terms::of_document("A", &sections);
        RenderedDoc {
            search_digest: super::super::document::search_digest(&sections, &terms),
            sections,
            terms,
            ..rendered(html)
        }
    }

    #[test]
    fn a_fresh_body_and_search_text_are_let_go_of_once_written_and_read_back_when_asked() {
        let dir = tempfile::tempdir().expect("a folder");
        let (a, b) = (document("a.md", "alpha"), document("b.md", "beta"));
        let links = Table(BTreeMap::new());
        let cache = super::super::cache::DocumentCache::on_disk(dir.path().to_owned());
        cache.prepare(Depth::Pages);
        let made = searchable("alpha");
        let result = cache.get(&a, &links, |_| made.clone());
        assert_eq!(result.html, "", "the body is not held once written");
        assert!(result.sections.is_empty() && result.terms == PageTerms::default());
        assert_eq!(
            (result.html_digest, result.search_digest),
            (made.html_digest, made.search_digest)
        );
        let other = cache.get(&b, &links, |_| searchable("beta"));
        // A body damaged in the file while the build runs is found when read back.
        let c = document("c.md", "gamma");
        let third = cache.get(&c, &links, |_| searchable("gamma-ray"));
        let temp = dir.path().join(format!(".pages.bin.{}.tmp", std::process::id()));
        let mut bytes = std::fs::read(&temp).expect("the file being written");
        let at = bytes
            .windows(9)
            .rposition(|w| w == b"gamma-ray")
            .expect("the body");
        bytes[at] = b'G';
        std::fs::write(&temp, bytes).expect("damage it");
        let bodies = cache.deferred();
        assert!(matches!(
            bodies.read_back(&third),
            Some(Err(super::super::BodyLost))
        ));
        // The file is renamed into place, and what was left is still read from it.
        cache.finish(&[&a, &b, &c]);
        assert!(pages_bin(dir.path()).is_file());
        let body = bodies.read_back(&result).expect("left in the file");
        assert_eq!(body.expect("read back whole"), "alpha");
        let (sections, terms) = bodies.search_back(&result).expect("left").expect("whole");
        assert_eq!((sections, terms), (made.sections.clone(), made.terms.clone()));
        let body = bodies.read_back(&other).expect("left").expect("whole");
        assert_eq!(body, "beta", "each body by its own digest");
        // A result with the body still in it is not read back from the file.
        assert!(bodies.read_back(&made).is_none());

        // A check writes its findings and keeps nothing back: it reads everything now.
        let check = super::super::cache::DocumentCache::on_disk(dir.path().to_owned());
        check.prepare(Depth::Findings);
        let kept = check.get(&a, &links, |_| searchable("alpha"));
        assert_eq!(kept.html, "alpha", "kept whole");
        assert_eq!(kept.sections.len(), 1, "kept whole");
        let left = check.deferred().0;
        assert!(left.bodies.is_empty() && left.searches.is_empty());
    }

    #[test]
    fn a_scratch_file_takes_the_results_past_its_bound_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("a folder");
        // An old cache file in the folder is neither read nor replaced.
        stored(dir.path(), &[&document("a.md", "alpha")]);
        let before = std::fs::read(pages_bin(dir.path())).expect("the old file");
        let links = Table(BTreeMap::new());
        let store = Store::scratch(dir.path().to_owned(), 100);
        store.prepare(Depth::Pages);
        let (a, b) = (document("a.md", "alpha"), document("b.md", "beta"));
        assert!(!store.has(&a), "nothing is read from an earlier run");
        assert!(store.take(&a, &links).is_none());
        let small = searchable("alpha");
        assert!(
            store.put(&a, &[], &small).is_none(),
            "kept in memory within the bound"
        );
        let large = searchable(&"beta ".repeat(40));
        let left = store.put(&b, &[], &large).expect("written past the bound");
        let names = |dir: &Path| -> Vec<String> {
            let entries = std::fs::read_dir(dir).expect("the folder");
            entries
                .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(names(dir.path()), ["pages.bin"], "the scratch file has no name");
        assert_eq!(left.html(&large.html_digest), Some(large.html.clone()));
        let (sections, terms) = left.search(&large.search_digest).expect("read back");
        assert_eq!((sections, terms), (large.sections.clone(), large.terms.clone()));
        store.finish(&[&a, &b]);
        store.discard(Depth::Pages);
        assert_eq!(std::fs::read(pages_bin(dir.path())).expect("still there"), before);
        assert_eq!(
            left.html(&large.html_digest),
            Some(large.html),
            "readable to the end"
        );
    }

    fn stored(dir: &Path, docs: &[&Document]) {
        assert_eq!(run(dir, docs, Limits::DEFAULT), 0, "a first run takes nothing");
    }

    fn pages_bin(dir: &Path) -> PathBuf {
        dir.join("pages.bin")
    }

    #[test]
    fn entries_are_taken_from_a_file_read_by_position() {
        let dir = tempfile::tempdir().expect("a folder");
        let (a, b) = (document("a.md", "alpha"), document("b.md", "beta"));
        stored(dir.path(), &[&a, &b]);
        let store = Store::new(dir.path().to_owned());
        store.prepare(Depth::Pages);
        assert!(store.has(&a) && store.has(&b));
        let links = Table(BTreeMap::new());
        assert_eq!(taken_html(&store, &b, &links).as_deref(), Some("beta"));
        assert_eq!(taken_html(&store, &a, &links).as_deref(), Some("alpha"));
        // An edited document is not served the old result.
        let edited = document("a.md", "alpha, edited");
        let again = Store::new(dir.path().to_owned());
        again.prepare(Depth::Pages);
        assert!(!again.has(&edited), "another body length");
        assert!(again.take(&edited, &links).is_none());
        assert_eq!(taken_html(&again, &b, &links).as_deref(), Some("beta"));
        // Nor one edited to the same length (the body is compared as bytes).
        let same_length = document("a.md", "alphx");
        let third = Store::new(dir.path().to_owned());
        third.prepare(Depth::Pages);
        assert!(third.has(&same_length), "the same body length");
        assert!(third.take(&same_length, &links).is_none());
    }

    #[test]
    fn a_stored_answer_holds_only_for_the_same_kind_url_and_fragment() {
        let internal = |url: &str, fragment: Option<&str>| Resolved::Internal {
            url: url.to_owned(),
            fragment: fragment.map(str::to_owned),
        };
        let answer = Answer::of(&internal("b.html", Some("x")));
        assert!(answer.is(&internal("b.html", Some("x"))));
        assert!(!answer.is(&internal("b.html", Some("y"))));
        assert!(!answer.is(&internal("b.html", None)));
        assert!(!answer.is(&internal("c.html", Some("x"))));
        assert!(!answer.is(&Resolved::External("b.html".to_owned())));
        let broken = Answer::of(&Resolved::Broken {
            reason: "gone".to_owned(),
        });
        assert!(!broken.is(&Resolved::Broken {
            reason: "moved".to_owned()
        }));
    }

    #[test]
    fn a_rewritten_file_keeps_the_taken_entries_beside_the_new_ones() {
        let dir = tempfile::tempdir().expect("a folder");
        let (a, b) = (document("a.md", "alpha"), document("b.md", "beta"));
        stored(dir.path(), &[&a, &b]);
        let edited = document("b.md", "beta, edited");
        assert_eq!(
            run(dir.path(), &[&a, &edited], Limits::DEFAULT),
            1,
            "a taken, b made"
        );
        // a's entry was copied from the old file, b's written afresh: both serve now.
        assert_eq!(run(dir.path(), &[&a, &edited], Limits::DEFAULT), 2);
        // A document gone from the site is gone from the file.
        assert_eq!(run(dir.path(), &[&a], Limits::DEFAULT), 1);
        assert_eq!(
            run(dir.path(), &[&a, &edited], Limits::DEFAULT),
            1,
            "b was dropped"
        );
    }

    #[test]
    fn a_damaged_entry_is_one_miss_not_a_lost_file() {
        let dir = tempfile::tempdir().expect("a folder");
        let (a, b) = (document("a.md", "alpha"), document("b.md", "beta"));
        stored(dir.path(), &[&a, &b]);
        // Damage the head of a's entry (its URL, the first in the file) so that it still
        // decodes: only the part's checksum can tell.
        let file = pages_bin(dir.path());
        let mut bytes = std::fs::read(&file).expect("the file");
        let at = bytes.windows(6).position(|w| w == b"a.html").expect("the URL");
        bytes[at] = b'A';
        std::fs::write(&file, &bytes).expect("damaged");

        let store = Store::new(dir.path().to_owned());
        store.prepare(Depth::Pages);
        let links = Table(BTreeMap::new());
        assert!(store.has(&a), "the index still lists it");
        assert!(store.take(&a, &links).is_none(), "a damaged entry is not used");
        assert_eq!(taken_html(&store, &b, &links).as_deref(), Some("beta"));
        assert!(store.lock().dirty, "the file is written again");
    }

    #[test]
    fn a_body_or_search_text_left_in_the_file_is_checked_when_read_back() {
        let dir = tempfile::tempdir().expect("a folder");
        let a = document("a.md", "alpha");
        let mut made = rendered("<p>alpha</p>");
        made.sections = vec![SearchSection {
            heading: "Heading".into(),
            anchor: "heading".into(),
            text: "section words".into(),
        }];
        made.search_digest = crate::analyse::document::search_digest(&made.sections, &made.terms);
        let store = Store::new(dir.path().to_owned());
        store.prepare(Depth::Pages);
        store.put(&a, &[], &made);
        store.finish(&[&a]);
        let take = || {
            let store = Store::new(dir.path().to_owned());
            store.prepare(Depth::Pages);
            let result = store.take(&a, &Table(BTreeMap::new())).expect("the head serves");
            (result, store.take_deferred())
        };
        let (result, left) = take();
        assert!(
            result.html.is_empty() && result.sections.is_empty(),
            "neither read yet"
        );
        let search = left.searches.get(&made.search_digest).expect("left in the file");
        let (sections, terms) = search.search(&made.search_digest).expect("read back");
        assert_eq!((sections, terms), (made.sections.clone(), made.terms.clone()));
        assert_eq!(search.search(&[1; 32]), None, "read back only as the text it was");

        // Damaged parts: the take still serves (its head is whole), the read back does not.
        let file = pages_bin(dir.path());
        let mut bytes = std::fs::read(&file).expect("the file");
        for text in [&b"<p>alpha</p>"[..], b"section words"] {
            let at = bytes
                .windows(text.len())
                .position(|w| w == text)
                .expect("the part");
            bytes[at + 1] ^= 0x20;
        }
        std::fs::write(&file, &bytes).expect("damaged");
        let (result, left) = take();
        let body = left.bodies.get(&made.html_digest).expect("left in the file");
        assert_eq!(body.html(&result.html_digest), None, "a damaged body");
        let search = left.searches.get(&made.search_digest).expect("left in the file");
        assert_eq!(
            search.search(&result.search_digest),
            None,
            "a damaged search text"
        );
    }

    #[test]
    fn a_truncated_or_foreign_file_is_an_empty_cache() {
        let dir = tempfile::tempdir().expect("a folder");
        let (a, b) = (document("a.md", "alpha"), document("b.md", "beta"));
        stored(dir.path(), &[&a, &b]);
        let file = pages_bin(dir.path());
        let bytes = std::fs::read(&file).expect("the file");
        for (what, damaged) in [
            ("truncated", bytes[..bytes.len() - 1].to_vec()),
            ("its head only", bytes[..32].to_vec()),
            ("grown", [bytes.as_slice(), b"x"].concat()),
            ("empty", Vec::new()),
        ] {
            std::fs::write(&file, &damaged).expect("damaged");
            let store = Store::new(dir.path().to_owned());
            store.prepare(Depth::Pages);
            assert!(!store.has(&a) && !store.has(&b), "{what}: nothing listed");
            assert!(store.lock().dirty, "{what}: written again");
        }
        assert_eq!(run(dir.path(), &[&a, &b], Limits::DEFAULT), 0);
        assert_eq!(
            run(dir.path(), &[&a, &b], Limits::DEFAULT),
            2,
            "and then good again"
        );
    }

    #[test]
    fn an_entry_over_the_cap_is_left_out_and_the_others_kept() {
        let dir = tempfile::tempdir().expect("a folder");
        let long = "long ".repeat(400);
        let (a, b) = (document("a.md", &long), document("b.md", "beta"));
        let limits = Limits {
            entry: 1000,
            ..Limits::DEFAULT
        };
        assert_eq!(run(dir.path(), &[&a, &b], limits), 0);
        let store = Store::with_limits(dir.path().to_owned(), limits);
        store.prepare(Depth::Pages);
        assert!(!store.has(&a), "over the cap: not written");
        assert!(store.has(&b), "the others are kept");
        assert_eq!(run(dir.path(), &[&a, &b], limits), 1);
    }

    #[test]
    fn a_file_over_the_total_is_not_written_at_all() {
        let dir = tempfile::tempdir().expect("a folder");
        let (a, b) = (document("a.md", &"long ".repeat(400)), document("b.md", "beta"));
        stored(dir.path(), &[&a, &b]);
        let limits = Limits {
            total: 1000,
            ..Limits::DEFAULT
        };
        let edited = document("b.md", "beta, edited");
        assert_eq!(run(dir.path(), &[&a, &edited], limits), 1);
        assert!(
            !pages_bin(dir.path()).exists(),
            "no file rather than a part of one"
        );
        assert!(
            std::fs::read_dir(dir.path())
                .expect("the folder")
                .next()
                .is_none(),
            "no temporary file left"
        );
        assert_eq!(run(dir.path(), &[&a, &edited], Limits::DEFAULT), 0);
    }

    #[test]
    fn a_result_holds_while_the_links_it_asked_about_answer_the_same() {
        let before = Table(BTreeMap::from([("b.md#x", "b.html"), ("c.md", "c.html")]));
        let recorder = Recorder::new(&before);
        let _ = recorder.resolve("a.md", "b.md#x");
        let _ = recorder.resolve("a.md", "b.md#x");
        let entry = entry(recorder.asked());
        assert_eq!(entry.asked.len(), 1, "a question asked twice is kept once");
        let doc = Document {
            kind: crate::model::DocKind::Other,
            source: "a.md".into(),
            rel: "a.md".into(),
            url: "a.html".into(),
            title: String::new(),
            body: String::new(),
            body_line: 1,
            outline: Default::default(),
            hidden: None,
            facts: Default::default(),
            origin: None,
        };
        assert!(entry.links_hold(&doc, &before));
        // Another file's heading changed: a document that never linked there is still good.
        let elsewhere = Table(BTreeMap::from([("b.md#x", "b.html"), ("c.md", "moved.html")]));
        assert!(entry.links_hold(&doc, &elsewhere));
        // The heading it linked to is gone: it must be rendered again.
        let gone = Table(BTreeMap::from([("c.md", "c.html")]));
        assert!(!entry.links_hold(&doc, &gone));
    }
}
