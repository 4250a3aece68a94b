//! The build cache on disk: each document's result of the one Markdown pass (its page for
//! `build`, its findings for `check`), kept between runs, so an unchanged document is not
//! parsed, resolved, highlighted and sanitised again. Like Jekyll's `.jekyll-cache` or Hugo's
//! cacheDir, it lives outside the site: `$TSSA_CACHE_DIR`, else `$XDG_CACHE_HOME/tssa`, else
//! `~/.cache/tssa`, a folder per repository root. `--no-cache` or `TSSA_NO_CACHE=1` turn it
//! off.
//!
//! A file is trusted only as far as it is checked: read size-capped, its length and checksum
//! verified, decoded with a byte limit, and used only when its key (the format, tssa's version,
//! the running executable's identity, the highlighter's limits) matches this run. An entry is
//! used only when the document's path, URL, first body line, title and body are exactly those
//! it was made from, and every link and image size it asked the site about gets the same
//! answer today (so renaming a heading re-renders the pages that link to it, not every page).
//! Anything else is ignored, never an error: the cache can only make a build faster, never
//! make it fail or differ.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bincode::Options;
use serde::{Deserialize, Serialize};

use super::Depth;
use super::document::{PageTerms, RenderedDoc, SearchSection, TocEntry};
use super::highlight::Highlighter;
use super::links::{LinkResolver, Resolved};
use crate::blob::Blob;
use crate::diagnostic::{Diagnostic, Level};
use crate::model::Document;

/// The first bytes of every cache file; the digit is the format's version.
const MAGIC: &[u8; 8] = b"tssa\0db3";
/// A cache file is never larger: a site whose cached pages would not fit goes uncached
/// (reading and decoding it would cost more memory than it saves time).
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
    #[serde(borrow)]
    body: Cow<'a, str>,
    asked: Cow<'a, [Asked]>,
    #[serde(borrow)]
    page: Page<'a>,
}

impl Entry<'_> {
    /// Whether `doc` is the document this entry was made from.
    fn made_from(&self, doc: &Document) -> bool {
        self.source == doc.source.as_str()
            && self.body_line == doc.body_line as u64
            && self.url == doc.url.as_str()
            && self.title == doc.title
            && self.body == doc.body
    }

    /// Whether the site still answers every question the document asked it the same way.
    fn links_hold(&self, doc: &Document, links: &dyn LinkResolver) -> bool {
        self.asked.iter().all(|asked| asked.holds(doc, links))
    }
}

/// A question a document's pass asked the site, with the answer it got: everything a page
/// depends on outside its own document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Asked {
    Resolve(String, Answer),
    Size(String, Option<(u32, u32)>),
}

/// A [`Resolved`], as stored and compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Answer {
    External(String),
    Internal(String, Option<String>),
    Broken(String),
}

impl Answer {
    fn of(resolved: &Resolved) -> Answer {
        match resolved {
            Resolved::External(url) => Answer::External(url.clone()),
            Resolved::Internal { url, fragment } => Answer::Internal(url.clone(), fragment.clone()),
            Resolved::Broken { reason } => Answer::Broken(reason.clone()),
        }
    }
}

impl Asked {
    /// Whether the site answers this question for `doc` as it did.
    pub(super) fn holds(&self, doc: &Document, links: &dyn LinkResolver) -> bool {
        match self {
            Asked::Resolve(dest, answer) => Answer::of(&links.resolve(&doc.source, dest)) == *answer,
            Asked::Size(url, size) => links.image_size(url) == *size,
        }
    }
}

/// The site's link table, noting each question asked of it.
pub(super) struct Recorder<'a> {
    links: &'a dyn LinkResolver,
    asked: Mutex<Vec<Asked>>,
}

impl<'a> Recorder<'a> {
    pub(super) fn new(links: &'a dyn LinkResolver) -> Self {
        Recorder {
            links,
            asked: Mutex::default(),
        }
    }

    pub(super) fn asked(self) -> Vec<Asked> {
        self.asked.into_inner().unwrap_or_else(PoisonError::into_inner)
    }

    fn note(&self, asked: Asked) {
        self.asked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(asked);
    }
}

impl LinkResolver for Recorder<'_> {
    fn resolve(&self, from: &str, dest: &str) -> Resolved {
        let resolved = self.links.resolve(from, dest);
        self.note(Asked::Resolve(dest.to_owned(), Answer::of(&resolved)));
        resolved
    }

    fn image_size(&self, url: &str) -> Option<(u32, u32)> {
        let size = self.links.image_size(url);
        self.note(Asked::Size(url.to_owned(), size));
        size
    }
}

/// A [`RenderedDoc`] as stored (its own type, so the file's layout is stated here, and a new
/// field of `RenderedDoc` fails to compile until it is stored too).
#[derive(Serialize, Deserialize)]
struct Page<'a> {
    #[serde(borrow)]
    html: Cow<'a, str>,
    toc: Cow<'a, [TocEntry]>,
    diagnostics: Vec<Finding<'a>>,
    has_code: bool,
    line_anchors: Cow<'a, [u32]>,
    sections: Vec<(Cow<'a, str>, Cow<'a, str>, Cow<'a, str>)>,
    terms: Cow<'a, PageTerms>,
    #[serde(borrow)]
    lead: Cow<'a, str>,
    html_digest: [u8; 32],
}

impl<'a> Page<'a> {
    fn of(doc: &'a RenderedDoc) -> Page<'a> {
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
        } = doc;
        Page {
            html: Cow::Borrowed(html),
            toc: Cow::Borrowed(toc),
            diagnostics: diagnostics.iter().map(Finding::of).collect(),
            has_code: *has_code,
            line_anchors: Cow::Borrowed(line_anchors),
            sections: sections
                .iter()
                .map(|s| (Cow::from(&s.heading), Cow::from(&s.anchor), Cow::from(&s.text)))
                .collect(),
            terms: Cow::Borrowed(terms),
            lead: Cow::Borrowed(lead),
            html_digest: *html_digest,
        }
    }

    fn into_rendered(self) -> RenderedDoc {
        RenderedDoc {
            html: self.html.into_owned(),
            toc: self.toc.into_owned(),
            diagnostics: self
                .diagnostics
                .into_iter()
                .map(Finding::into_diagnostic)
                .collect(),
            has_code: self.has_code,
            line_anchors: self.line_anchors.into_owned(),
            sections: self
                .sections
                .into_iter()
                .map(|(heading, anchor, text)| SearchSection {
                    heading: heading.into_owned(),
                    anchor: anchor.into_owned(),
                    text: text.into_owned(),
                })
                .collect(),
            terms: self.terms.into_owned(),
            lead: self.lead.into_owned(),
            html_digest: self.html_digest,
        }
    }

    /// Roughly how many bytes it takes in a file.
    fn weight(doc: &RenderedDoc) -> u64 {
        let sections: usize = doc.sections.iter().map(|s| s.text.len() + s.heading.len()).sum();
        (doc.html.len() + sections + doc.terms.bytes() + doc.lead.len() + 64 * doc.diagnostics.len()) as u64
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

/// The persistent cache of one repository, for one run.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    state: Mutex<State>,
}

/// Where one entry's bytes lie in the file, and how long its document's body was (enough to
/// guess, without decoding it, whether the entry will serve).
#[derive(Debug, Clone)]
struct Slot {
    body_len: u64,
    bytes: Range<usize>,
}

#[derive(Default)]
struct State {
    /// The depth this run's file was read for, once [`Store::prepare`] has run.
    prepared: Option<Depth>,
    /// The file and key of this run.
    file: Option<(PathBuf, Key)>,
    /// The file as read: entries are decoded from it one by one, when taken.
    bytes: Arc<Vec<u8>>,
    /// Entries of the file not yet used by this run, by source path.
    index: HashMap<String, Slot>,
    /// What each document of this run asked the site, by source path.
    asked: HashMap<String, Vec<Asked>>,
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
        Store {
            dir,
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads and indexes what the last run at this depth left, if it was made under the same
    /// key; once per run (a prefetch beside the load, then the analysis, ask for it).
    /// Entries are not decoded here but when taken, on the thread that needs them.
    pub(super) fn prepare(&self, depth: Depth) {
        if self.lock().prepared == Some(depth) {
            return;
        }
        let name = match depth {
            Depth::Pages => "pages.bin",
            Depth::Findings => "findings.bin",
        };
        let file = self.dir.join(name);
        let key = Key::new(depth);
        let (bytes, index) = key.as_ref().and_then(|key| read(&file, key)).unwrap_or_default();
        *self.lock() = State {
            prepared: Some(depth),
            dirty: index.is_empty(),
            file: key.map(|key| (file, key)),
            bytes: Arc::new(bytes),
            index,
            asked: HashMap::new(),
        };
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
    /// resolve as they did. The entry is decoded here, on the caller's thread; one that does
    /// not decode is as good as missing.
    pub(super) fn take(&self, doc: &Document, links: &dyn LinkResolver) -> Option<RenderedDoc> {
        let found = {
            let mut state = self.lock();
            let slot = state.index.remove(doc.source.as_str());
            slot.map(|slot| (Arc::clone(&state.bytes), slot.bytes))
        };
        let taken = found.and_then(|(bytes, range)| {
            let entry: Entry<'_> = encoding().deserialize(bytes.get(range)?).ok()?;
            if !(entry.made_from(doc) && entry.links_hold(doc, links)) {
                return None;
            }
            self.keep(doc, entry.asked.into_owned());
            Some(entry.page.into_rendered())
        });
        if taken.is_none() {
            self.lock().dirty = true;
        }
        taken
    }

    /// Notes what `doc`'s pass asked the site, for the file this run writes.
    pub(super) fn keep(&self, doc: &Document, asked: Vec<Asked>) {
        self.lock().asked.insert(doc.source.to_string(), asked);
    }

    /// Writes this run's results when they differ from the file's: something was missing or
    /// stale, or the file holds documents this run did not have (which are dropped, so the
    /// file holds only what the last run used).
    pub(super) fn finish(&self, docs: &[&Document], results: &[Arc<RenderedDoc>]) {
        let mut state = self.lock();
        let changed = state.dirty || !state.index.is_empty();
        let asked = std::mem::take(&mut state.asked);
        let file = state.file.take().filter(|_| changed);
        *state = State::default();
        drop(state);
        let Some((file, key)) = file else {
            return;
        };
        let weight: u64 = docs.iter().map(|d| d.body.len() as u64).sum::<u64>()
            + results.iter().map(|r| Page::weight(r)).sum::<u64>();
        if weight > MAX_FILE_BYTES {
            let _ = std::fs::remove_file(&file);
            return;
        }
        // A result whose questions were not noted cannot be checked later, so is not kept.
        let entries: Vec<Entry<'_>> = docs
            .iter()
            .zip(results)
            .filter_map(|(doc, result)| {
                Some(Entry {
                    source: Cow::Borrowed(doc.source.as_str()),
                    url: Cow::Borrowed(doc.url.as_str()),
                    body_line: doc.body_line as u64,
                    title: Cow::Borrowed(&doc.title),
                    body: Cow::Borrowed(&doc.body),
                    asked: Cow::Borrowed(asked.get(doc.source.as_str())?),
                    page: Page::of(result),
                })
            })
            .collect();
        // The cache is only ever an optimisation: a failure to write it is not the build's.
        let _ = write(&file, &key, &entries);
    }
}

/// One entry as the file lists it: its source path, its body's length, and its bytes (an
/// encoded [`Entry`]), written as one run.
type Listed<'a> = (Cow<'a, str>, u64, Blob<'a>);

/// The bytes of `file` and where each entry lies in them, if it is a well-formed cache file
/// made under `key`.
fn read(file: &Path, key: &Key) -> Option<(Vec<u8>, HashMap<String, Slot>)> {
    let bytes = read_checked(file)?;
    let payload = keyed_payload(&bytes, key)?;
    let listed: Vec<Listed<'_>> = encoding().deserialize(payload).ok()?;
    let base = bytes.as_ptr() as usize;
    let index = listed
        .into_iter()
        .map(|(source, body_len, Blob(entry))| {
            // The entry borrows from `bytes`: its place in them, to slice them again later.
            let start = (entry.as_ptr() as usize).checked_sub(base)?;
            let slot = Slot {
                body_len,
                bytes: start..start.checked_add(entry.len())?,
            };
            Some((source.into_owned(), slot))
        })
        .collect::<Option<HashMap<_, _>>>()?;
    Some((bytes, index))
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

/// Writes the file whole under a temporary name, then renames it over the old one, so a
/// reader sees the old file or the new one, never a part. Each entry is encoded on its own,
/// so a reader can find it without decoding the others.
fn write(file: &Path, key: &Key, entries: &[Entry<'_>]) -> std::io::Result<()> {
    let listed = entries
        .iter()
        .map(|entry| {
            let bytes = encoding().serialize(entry).map_err(std::io::Error::other)?;
            Ok((
                entry.source.clone(),
                entry.body.len() as u64,
                Blob(Cow::Owned(bytes)),
            ))
        })
        .collect::<std::io::Result<Vec<Listed<'_>>>>()?;
    write_framed(file, key, &listed)
}

/// Writes `key` and `payload` behind the magic, length and checksum [`read_framed`] checks,
/// atomically (a temporary file renamed over the old one).
pub(crate) fn write_framed<K: Serialize, T: Serialize + ?Sized>(
    file: &Path,
    key: &K,
    payload: &T,
) -> std::io::Result<()> {
    let mut encoded = encoding().serialize(key).map_err(std::io::Error::other)?;
    encoding()
        .serialize_into(&mut encoded, payload)
        .map_err(std::io::Error::other)?;
    if encoded.len() as u64 > MAX_FILE_BYTES {
        let _ = std::fs::remove_file(file);
        return Ok(());
    }
    let mut bytes = Vec::with_capacity(encoded.len() + 24);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(encoded.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&checksum(&encoded).to_le_bytes());
    bytes.extend_from_slice(&encoded);
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

    fn entry(asked: Vec<Asked>) -> Entry<'static> {
        Entry {
            source: Cow::Borrowed("a.md"),
            url: Cow::Borrowed("a.html"),
            body_line: 1,
            title: Cow::Borrowed(""),
            body: Cow::Borrowed(""),
            asked: Cow::Owned(asked),
            page: Page {
                html: Cow::Borrowed(""),
                toc: Cow::Borrowed(&[]),
                diagnostics: Vec::new(),
                has_code: false,
                line_anchors: Cow::Borrowed(&[]),
                sections: Vec::new(),
                terms: Cow::Owned(PageTerms::default()),
                lead: Cow::Borrowed(""),
                html_digest: [0; 32],
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
        }
    }

    fn rendered(html: &str) -> RenderedDoc {
        RenderedDoc {
            html: html.to_owned(),
            ..RenderedDoc::default()
        }
    }

    /// Writes a cache file of `a.md` and `b.md` through a first run, and returns the store.
    fn stored(dir: &Path, docs: &[&Document]) -> Store {
        let store = Store::new(dir.to_owned());
        store.prepare(Depth::Pages);
        for doc in docs {
            assert!(store.take(doc, &Table(BTreeMap::new())).is_none());
            store.keep(doc, Vec::new());
        }
        let results: Vec<Arc<RenderedDoc>> = docs.iter().map(|d| Arc::new(rendered(&d.body))).collect();
        store.finish(docs, &results);
        store
    }

    #[test]
    fn entries_are_taken_from_a_file_read_once() {
        let dir = tempfile::tempdir().expect("a folder");
        let (a, b) = (document("a.md", "alpha"), document("b.md", "beta"));
        stored(dir.path(), &[&a, &b]);
        let store = Store::new(dir.path().to_owned());
        store.prepare(Depth::Pages);
        assert!(store.has(&a) && store.has(&b));
        let links = Table(BTreeMap::new());
        assert_eq!(store.take(&b, &links).map(|r| r.html).as_deref(), Some("beta"));
        assert_eq!(store.take(&a, &links).map(|r| r.html).as_deref(), Some("alpha"));
        // An edited document is not served the old result.
        let edited = document("a.md", "alpha, edited");
        let again = Store::new(dir.path().to_owned());
        again.prepare(Depth::Pages);
        assert!(!again.has(&edited), "another body length");
        assert!(again.take(&edited, &links).is_none());
        assert_eq!(again.take(&b, &links).map(|r| r.html).as_deref(), Some("beta"));
    }

    #[test]
    fn a_damaged_entry_in_a_good_file_is_recomputed_not_trusted() {
        let dir = tempfile::tempdir().expect("a folder");
        let (a, b) = (document("a.md", "alpha"), document("b.md", "beta"));
        stored(dir.path(), &[&a, &b]);
        // Damage a's entry (its body), then frame the file again, so that only the entry,
        // decoded late, can tell.
        let file = dir.path().join("pages.bin");
        let bytes = std::fs::read(&file).expect("the file");
        let key = Key::new(Depth::Pages).expect("a key");
        let payload = keyed_payload(&bytes, &key).expect("a good file");
        let mut listed: Vec<Listed<'_>> = encoding().deserialize(payload).expect("an index");
        let mut damaged = listed[0].2.0.to_vec();
        let at = damaged.windows(5).position(|w| w == b"alpha").expect("the body");
        damaged[at] = 0xff; // no longer UTF-8
        listed[0].2 = Blob(Cow::Owned(damaged));
        write_framed(&file, &key, &listed).expect("written");

        let store = Store::new(dir.path().to_owned());
        store.prepare(Depth::Pages);
        let links = Table(BTreeMap::new());
        assert!(store.has(&a), "the index still lists it");
        assert!(store.take(&a, &links).is_none(), "a damaged entry is not used");
        assert_eq!(store.take(&b, &links).map(|r| r.html).as_deref(), Some("beta"));
        assert!(store.lock().dirty, "the file is written again");
    }

    #[test]
    fn a_result_holds_while_the_links_it_asked_about_answer_the_same() {
        let before = Table(BTreeMap::from([("b.md#x", "b.html"), ("c.md", "c.html")]));
        let recorder = Recorder::new(&before);
        let _ = recorder.resolve("a.md", "b.md#x");
        let entry = entry(recorder.asked());
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
