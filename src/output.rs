//! Writing the site. A first build (or one that cannot trust the output folder) writes
//! everything to a staging folder beside the output and swaps it in, so a failed or
//! interrupted build leaves the previous site intact. A build into an output folder tssa made
//! updates it in place ([`update`]): unchanged files are left alone, the others are written
//! beside their place and renamed over it once the render has succeeded. A failed render
//! leaves the previous site as it was; an update interrupted half-way (a kill, an I/O error)
//! leaves its journal, and the next build makes the whole site afresh in a staging folder.

mod update;

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::RelPath;
use crate::render::memo::RenderKey;

/// A marker in every output folder: tssa only ever replaces folders it made itself.
pub const MARKER: &str = ".tssa-output";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Bytes(Vec<u8>),
    /// Copy this source file (assets are not read into memory).
    Copy(PathBuf),
    /// A page, made from inputs whose digest is the key (see [`RenderKey`]).
    Page(Vec<u8>, RenderKey),
    /// A page the sink said it still holds, made from the same key ([`Sink::reuse`]): it
    /// has it already, and this only tells that the page is part of the site.
    Kept(RenderKey),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path within the output folder, `/`-separated.
    pub path: RelPath,
    pub content: Content,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    /// Files the render made: pages, and files made as bytes (badges, the theme's files …),
    /// counted whether or not the same bytes were already there.
    pub written: usize,
    pub copied: usize,
    /// Assets reused from the previous build without copying.
    pub reused: usize,
    /// Pages (and search index files) whose inputs did not change, linked from the previous
    /// build unrendered.
    pub kept: usize,
}

/// Where rendered files go as they are made. Render hands each file over and keeps nothing,
/// so a build need not hold the whole site; the sink decides what a file becomes (written into
/// the staging folder, or kept in memory for the preview server).
pub trait Sink: Sync {
    fn put(&self, file: OutputFile) -> Result<()>;

    /// Whether the sink still holds the page at `path` made from inputs with digest `key`,
    /// and has made it part of the new site: then it is not rendered, and is handed over as
    /// [`Content::Kept`]. A sink that cannot tell says no.
    fn reuse(&self, _path: &str, _key: &RenderKey) -> bool {
        false
    }

    /// Whether the sink still holds every file under `folder` (`search/`), all made together
    /// from inputs with digest `key`, and has made them part of the new site; all or none.
    fn reuse_all(&self, _folder: &str, _key: &RenderKey) -> bool {
        false
    }

    /// Whether it may ever keep a page ([`Self::reuse`]); if not, pages are not keyed at all.
    fn remembers(&self) -> bool {
        false
    }

    /// Whether it may hold some page at `path` ([`Self::reuse`] may say yes to some key):
    /// when it surely does not, a page is keyed while its context is made, in one run,
    /// rather than keyed first and made only if it was not kept.
    fn may_reuse(&self, _path: &str) -> bool {
        self.remembers()
    }
}

/// A sink that keeps every file, for the preview server and for tests.
#[derive(Debug, Default)]
pub struct Collect(Mutex<Vec<OutputFile>>);

impl Collect {
    /// The files handed over, sorted by path.
    pub fn into_sorted(self) -> Vec<OutputFile> {
        let mut files = self.0.into_inner().unwrap_or_else(PoisonError::into_inner);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

impl Sink for Collect {
    fn put(&self, mut file: OutputFile) -> Result<()> {
        // It keeps bytes only: a page's key is of no use to its readers.
        if let Content::Page(bytes, _) = file.content {
            file.content = Content::Bytes(bytes);
        }
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(file);
        Ok(())
    }
}

/// A sink that counts the files handed to it and passes everything on: what a progress line
/// shows while a build writes. A kept page is counted once, when it is handed over as
/// [`Content::Kept`]. Every method of [`Sink`] is passed on here, so a sink's answers never
/// change by being counted.
pub struct Counted<'a> {
    pub sink: &'a dyn Sink,
    pub count: &'a AtomicUsize,
}

impl Sink for Counted<'_> {
    fn put(&self, file: OutputFile) -> Result<()> {
        self.sink.put(file)?;
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
    fn reuse(&self, path: &str, key: &RenderKey) -> bool {
        self.sink.reuse(path, key)
    }
    fn reuse_all(&self, folder: &str, key: &RenderKey) -> bool {
        self.sink.reuse_all(folder, key)
    }
    fn remembers(&self) -> bool {
        self.sink.remembers()
    }
    fn may_reuse(&self, path: &str) -> bool {
        self.sink.may_reuse(path)
    }
}

/// Writes `files` as the new content of `out`.
pub fn write_site(out: &Path, files: &[OutputFile]) -> Result<WriteStats> {
    let ((), stats) = write_site_with(out, |staging| {
        files.par_iter().try_for_each(|file| staging.write(file))
    })?;
    Ok(stats)
}

/// Makes the new content of `out` by running `fill`, which hands its files to the staging
/// folder as it makes them; the folder is swapped in only when `fill` succeeds, so a failed
/// build leaves the previous site as it was.
pub fn write_site_with<T>(
    out: &Path,
    fill: impl FnOnce(&Staging<'_>) -> Result<T>,
) -> Result<(T, WriteStats)> {
    write_site_remembering(out, None, fill)
}

/// As [`write_site_with`], and with `memo` (what the previous build wrote, see [`PageMemo`])
/// a page whose key is unchanged is linked from the previous site instead of rendered; what
/// this build wrote is then recorded in its place.
pub fn write_site_remembering<T>(
    out: &Path,
    memo: Option<&PageMemo>,
    fill: impl FnOnce(&Staging<'_>) -> Result<T>,
) -> Result<(T, WriteStats)> {
    let (value, stats, _previous) = write_site_deferred(out, memo, fill)?;
    Ok((value, stats))
}

/// As [`write_site_remembering`], leaving the previous site to be removed on a thread while
/// the caller finishes (prints its report): the returned [`Removal`] waits for it when it is
/// dropped, so nothing is left behind at exit.
pub fn write_site_deferred<T>(
    out: &Path,
    memo: Option<&PageMemo>,
    fill: impl FnOnce(&Staging<'_>) -> Result<T>,
) -> Result<(T, WriteStats, Removal)> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Setup(format!("output path `{}` has no folder name", out.display())))?;
    if out.exists() {
        ensure_replaceable(out)?;
    }
    fs::create_dir_all(&parent).map_err(|source| Error::Write {
        path: parent.clone(),
        source,
    })?;
    remove_stale(&parent, &name);
    if let Some(update) = update::Update::begin(out) {
        return update_in_place(out, update, memo, fill);
    }
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.tssa-staging-{pid}"));
    let old = parent.join(format!(".{name}.tssa-old-{pid}"));
    remove_if_exists(&staging)?;
    let result = Staging::create(&staging, out, memo).and_then(|sink| {
        let value = fill(&sink)?;
        Ok((value, sink.stats(), sink.records))
    });
    let (value, stats, records) = match result {
        Ok(done) => done,
        Err(err) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(err);
        }
    };
    let removal = swap_in(out, &staging, &old)?;
    if let Some(memo) = memo {
        memo.save(records.into_inner().unwrap_or_else(PoisonError::into_inner));
    }
    Ok((value, stats, removal))
}

/// Updates the site in `out` ([`update`]) with the files `fill` hands over.
fn update_in_place<T>(
    out: &Path,
    update: update::Update,
    memo: Option<&PageMemo>,
    fill: impl FnOnce(&Staging<'_>) -> Result<T>,
) -> Result<(T, WriteStats, Removal)> {
    let sink = Staging::new(out.to_path_buf(), out, memo, Some(&update));
    let value = fill(&sink);
    let stats = sink.stats();
    let records = sink.records;
    let value = match value {
        Ok(value) => value,
        Err(err) => {
            update.abandon();
            return Err(err);
        }
    };
    update.commit().map_err(|source| Error::Write {
        path: out.to_path_buf(),
        source,
    })?;
    if let Some(memo) = memo {
        memo.save(records.into_inner().unwrap_or_else(PoisonError::into_inner));
    }
    Ok((value, stats, Removal::default()))
}

/// The previous site's removal, under way on its own thread; dropping this waits for it.
#[derive(Debug, Default)]
pub struct Removal(Option<std::thread::JoinHandle<()>>);

impl Removal {
    /// Removes `folder` (the previous site, already moved aside) on a thread, or here when no
    /// thread can be started.
    fn start(folder: PathBuf) -> Removal {
        let remove = move || {
            let _ = fs::remove_dir_all(&folder);
        };
        let spawned = std::thread::Builder::new()
            .name("tssa-remove-old".into())
            .spawn(remove.clone());
        match spawned {
            Ok(handle) => Removal(Some(handle)),
            Err(_) => {
                remove();
                Removal(None)
            }
        }
    }
}

impl Drop for Removal {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            let _ = handle.join();
        }
    }
}

/// Moves the previous site aside and the new one in its place, and starts removing the
/// previous one: removing a site of thousands of files is not on the path to the new one.
fn swap_in(out: &Path, staging: &Path, old: &Path) -> Result<Removal> {
    if !out.exists() {
        return match fs::rename(staging, out) {
            Ok(()) => Ok(Removal::default()),
            Err(source) => {
                let _ = fs::remove_dir_all(staging);
                Err(Error::Write {
                    path: out.to_path_buf(),
                    source,
                })
            }
        };
    }
    remove_if_exists(old)?;
    fs::rename(out, old).map_err(|source| Error::Write {
        path: out.to_path_buf(),
        source,
    })?;
    if let Err(source) = fs::rename(staging, out) {
        // Put the previous site back before reporting.
        let _ = fs::rename(old, out);
        let _ = fs::remove_dir_all(staging);
        return Err(Error::Write {
            path: out.to_path_buf(),
            source,
        });
    }
    Ok(Removal::start(old.to_path_buf()))
}

/// What a build leaves beside the output while it runs: `.NAME.tssa-staging-PID` (the new
/// site) and `.NAME.tssa-old-PID` (the previous one, during the swap).
const LEFTOVER_KINDS: [&str; 2] = ["tssa-staging", "tssa-old"];

/// Removes the staging and old folders of builds that were killed: those with tssa's marker
/// whose process is gone. A running build's folders (its process exists) are left alone, and
/// so is everything when there is no `/proc` to ask.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| leftover_pid(n, name)) else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        // The marker is the first thing written, so a folder without it is empty unless it is
        // not ours: a build killed between making the folder and writing the marker leaves it
        // empty, and an empty folder holds nothing to lose.
        let path = entry.path();
        let ours = path.join(MARKER).is_file() || fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none());
        if is_dir && ours && process_gone(pid) {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// The process id in a leftover folder's name, if `file_name` is one of `name`'s.
fn leftover_pid(file_name: &str, name: &str) -> Option<u32> {
    let rest = file_name
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?;
    LEFTOVER_KINDS.iter().find_map(|kind| {
        let digits = rest.strip_prefix(kind)?.strip_prefix('-')?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|&pid| pid != std::process::id())
    })
}

/// True only when the process certainly no longer exists.
fn process_gone(pid: u32) -> bool {
    let proc = Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

fn ensure_replaceable(out: &Path) -> Result<()> {
    if !out.is_dir() {
        return Err(Error::Setup(format!(
            "output path `{}` exists and is not a folder",
            out.display()
        )));
    }
    let empty = fs::read_dir(out).map(|mut d| d.next().is_none()).unwrap_or(false);
    if !empty && !out.join(MARKER).is_file() {
        return Err(Error::Setup(format!(
            "refusing to replace `{}`: it is not empty and was not made by tssa; choose another --out or remove it",
            out.display()
        )));
    }
    Ok(())
}

fn remove_if_exists(path: &Path) -> Result<()> {
    if path.exists() {
        fs::remove_dir_all(path).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

/// The folder a build writes into, beside the output; each file is written as it is handed
/// over and then dropped.
pub struct Staging<'a> {
    dir: PathBuf,
    /// The site being replaced, whose unchanged assets are linked rather than copied.
    previous: &'a Path,
    /// When the previous site is updated in place rather than replaced: `dir` is the output.
    update: Option<&'a update::Update>,
    /// What the previous build recorded of its pages, when pages are remembered.
    memo: Option<&'a PageMemo>,
    /// This build's pages, as they are written or linked: the next build's memo.
    records: Mutex<HashMap<String, PageRecord>>,
    written: AtomicUsize,
    copied: AtomicUsize,
    reused: AtomicUsize,
    kept: AtomicUsize,
}

impl<'a> Staging<'a> {
    fn create(dir: &Path, previous: &'a Path, memo: Option<&'a PageMemo>) -> Result<Self> {
        fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        // First, so a build killed while writing leaves a folder the next build knows as its own.
        let marker = dir.join(MARKER);
        fs::write(
            &marker,
            b"This folder is generated by tssa and replaced on every build.\n",
        )
        .map_err(|source| Error::Write { path: marker, source })?;
        Ok(Staging::new(dir.to_path_buf(), previous, memo, None))
    }

    fn new(
        dir: PathBuf,
        previous: &'a Path,
        memo: Option<&'a PageMemo>,
        update: Option<&'a update::Update>,
    ) -> Self {
        Staging {
            dir,
            previous,
            update,
            memo,
            records: Mutex::new(HashMap::new()),
            written: AtomicUsize::new(0),
            copied: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
            kept: AtomicUsize::new(0),
        }
    }

    /// Writes one file of the new site.
    pub fn write(&self, file: &OutputFile) -> Result<()> {
        // A file made as bytes is recorded by their digest, as a page by its key, so the next
        // build can tell it is unchanged from one `lstat`.
        let key = match &file.content {
            Content::Bytes(bytes) if self.memo.is_some() => Some(RenderKey(*blake3::hash(bytes).as_bytes())),
            _ => None,
        };
        if let Some(key) = &key
            && self.link_previous(&file.path, key)
        {
            self.written.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let outcome = match self.update {
            Some(update) => update_one(update, file, key)?,
            None => write_one(&self.dir, self.previous, file, key)?,
        };
        let counter = match outcome {
            Outcome::Written(None) => &self.written,
            Outcome::Written(Some(record)) => {
                self.record(&file.path, record);
                &self.written
            }
            Outcome::Copied => &self.copied,
            Outcome::Reused => &self.reused,
            // Linked and counted when it was asked for.
            Outcome::Kept => return Ok(()),
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn record(&self, path: &str, record: PageRecord) {
        if self.memo.is_some() {
            self.records
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(path.to_owned(), record);
        }
    }

    fn stats(&self) -> WriteStats {
        WriteStats {
            written: self.written.load(Ordering::Relaxed),
            copied: self.copied.load(Ordering::Relaxed),
            reused: self.reused.load(Ordering::Relaxed),
            kept: self.kept.load(Ordering::Relaxed),
        }
    }
}

impl Sink for Staging<'_> {
    fn put(&self, file: OutputFile) -> Result<()> {
        self.write(&file)
    }

    fn remembers(&self) -> bool {
        self.memo.is_some()
    }

    /// Whether the previous build recorded a page at `path`.
    fn may_reuse(&self, path: &str) -> bool {
        self.memo.is_some_and(|memo| memo.previous.contains_key(path))
    }

    /// Links the previous build's page when it was made from `key` ([`Staging::link_previous`]).
    fn reuse(&self, path: &str, key: &RenderKey) -> bool {
        let linked = self.link_previous(path, key);
        if linked {
            self.kept.fetch_add(1, Ordering::Relaxed);
        }
        linked
    }

    /// Links every file the previous build recorded under `folder`, when all were made from
    /// `key`; if one cannot be linked, unlinks those that were, so none is half kept.
    fn reuse_all(&self, folder: &str, key: &RenderKey) -> bool {
        let Some(memo) = self.memo else {
            return false;
        };
        let group: Vec<&String> = memo.previous.keys().filter(|p| p.starts_with(folder)).collect();
        let same = memo
            .previous
            .iter()
            .filter(|(p, _)| p.starts_with(folder))
            .all(|(_, r)| r.key == *key);
        if group.is_empty() || !same {
            return false;
        }
        if let Some(update) = self.update {
            // Nothing is done until all are known intact, so there is nothing to undo.
            if !group
                .iter()
                .all(|path| update.intact(path, &memo.previous[path.as_str()]))
            {
                return false;
            }
            for path in &group {
                update.want(path);
                self.record(path, memo.previous[path.as_str()].clone());
            }
            self.kept.fetch_add(group.len(), Ordering::Relaxed);
            return true;
        }
        for (done, path) in group.iter().enumerate() {
            if !self.link_previous(path, key) {
                for linked in &group[..done] {
                    let _ = fs::remove_file(self.dir.join(linked.as_str()));
                    self.records
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .remove(linked.as_str());
                }
                return false;
            }
        }
        self.kept.fetch_add(group.len(), Ordering::Relaxed);
        true
    }
}

impl Staging<'_> {
    /// Links the previous build's file at `path` into the new site when it was made from
    /// `key` and is still the file that build wrote (same inode, size and modification time):
    /// never from anywhere but tssa's own output, and never a file edited since.
    fn link_previous(&self, path: &str, key: &RenderKey) -> bool {
        if !cfg!(unix) {
            return false;
        }
        let Some(record) = self.memo.and_then(|memo| memo.previous.get(path)) else {
            return false;
        };
        if record.key != *key {
            return false;
        }
        if let Some(update) = self.update {
            // Left where it is: checking it is all there is to do.
            if !update.intact(path, record) {
                return false;
            }
            update.want(path);
            self.record(path, record.clone());
            return true;
        }
        let (earlier, target) = (self.previous.join(path), self.dir.join(path));
        if in_folder(&target, || fs::hard_link(&earlier, &target)).is_err() {
            return false;
        }
        // Checked on the link, so a change made to the file before it cannot slip in between.
        let same = fs::symlink_metadata(&target).is_ok_and(|meta| PageRecord::of(*key, &meta) == *record);
        if !same {
            let _ = fs::remove_file(&target);
            return false;
        }
        self.record(path, record.clone());
        true
    }
}

enum Outcome {
    /// With what the file is, for a page made from a key.
    Written(Option<PageRecord>),
    Copied,
    Reused,
    Kept,
}

/// Writes one file into the staging folder; `key` is the digest of a file made as bytes, to
/// record it by (see [`Staging::write`]).
fn write_one(staging: &Path, previous: &Path, file: &OutputFile, key: Option<RenderKey>) -> Result<Outcome> {
    let target = staging.join(&file.path);
    let failed = |source| Error::Write {
        path: target.clone(),
        source,
    };
    match &file.content {
        Content::Bytes(bytes) => {
            let meta = in_folder(&target, || write_new(&target, bytes)).map_err(failed)?;
            Ok(Outcome::Written(key.map(|key| PageRecord::of(key, &meta))))
        }
        Content::Page(bytes, key) => {
            let meta = in_folder(&target, || write_new(&target, bytes)).map_err(failed)?;
            Ok(Outcome::Written(Some(PageRecord::of(*key, &meta))))
        }
        Content::Kept(_) => Ok(Outcome::Kept),
        Content::Copy(source_path) => {
            let earlier = previous.join(&file.path);
            if unchanged(source_path, &earlier)
                && in_folder(&target, || fs::hard_link(&earlier, &target)).is_ok()
            {
                return Ok(Outcome::Reused);
            }
            in_folder(&target, || fs::copy(source_path, &target)).map_err(failed)?;
            Ok(Outcome::Copied)
        }
    }
}

/// Writes one file into the site being updated in place: a file whose bytes are known to be
/// unchanged (an asset as new as its source, bytes identical to the file there) is left
/// alone. `key` as for [`write_one`].
fn update_one(update: &update::Update, file: &OutputFile, key: Option<RenderKey>) -> Result<Outcome> {
    let rel = file.path.as_str();
    let failed = |source| Error::Write {
        path: update.path(rel),
        source,
    };
    match &file.content {
        Content::Bytes(bytes) => {
            let meta = match update.holds(rel, bytes) {
                Some(meta) => {
                    update.want(rel);
                    meta
                }
                None => update.stage(rel, |temp| write_new(temp, bytes)).map_err(failed)?,
            };
            Ok(Outcome::Written(key.map(|key| PageRecord::of(key, &meta))))
        }
        Content::Page(bytes, key) => {
            let meta = update.stage(rel, |temp| write_new(temp, bytes)).map_err(failed)?;
            Ok(Outcome::Written(Some(PageRecord::of(*key, &meta))))
        }
        Content::Kept(_) => Ok(Outcome::Kept),
        Content::Copy(source) if update.has_file(rel) && unchanged(source, &update.path(rel)) => {
            update.want(rel);
            Ok(Outcome::Reused)
        }
        Content::Copy(source) => {
            update.stage(rel, |temp| fs::copy(source, temp)).map_err(failed)?;
            Ok(Outcome::Copied)
        }
    }
}

/// A page as a build left it: the key it was made from, and what its file was just after
/// being written, so that a later build can tell the file is still that page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRecord {
    key: RenderKey,
    len: u64,
    inode: u64,
    modified: (i64, i64),
}

impl PageRecord {
    fn of(key: RenderKey, meta: &fs::Metadata) -> PageRecord {
        #[cfg(unix)]
        let (inode, modified) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ino(), (meta.mtime(), meta.mtime_nsec()))
        };
        // Without an inode to tell a file from its replacement no page is kept (`reuse`).
        #[cfg(not(unix))]
        let (inode, modified) = (0, (0, 0));
        PageRecord {
            key,
            len: meta.len(),
            inode,
            modified,
        }
    }
}

/// Where a build records the pages it wrote (`render.bin` in the build cache's folder), and
/// what the previous build recorded there for the same output folder.
#[derive(Debug)]
pub struct PageMemo {
    file: PathBuf,
    key: MemoKey,
    previous: HashMap<String, PageRecord>,
}

/// What a page record depends on besides the page: the executable that wrote it, and the
/// output folder its files are in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct MemoKey {
    version: String,
    executable: (u64, u64, u32, u64),
    output: PathBuf,
}

impl PageMemo {
    /// The records of the previous build into `out` kept in the cache folder `dir`; `None`
    /// when this executable cannot be identified (then nothing is remembered).
    pub fn load(dir: &Path, out: &Path) -> Option<PageMemo> {
        let key = MemoKey {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            executable: crate::analyse::store::executable()?,
            output: std::path::absolute(out).ok()?,
        };
        let file = dir.join("render.bin");
        let previous = crate::analyse::store::read_framed(&file, &key).unwrap_or_default();
        Some(PageMemo { file, key, previous })
    }

    /// Records this build's pages for the next one. A record that cannot be written is
    /// removed, so the next build renders every page rather than trust an older one.
    fn save(&self, records: HashMap<String, PageRecord>) {
        if records == self.previous {
            return;
        }
        if crate::analyse::store::write_framed(&self.file, &self.key, &records).is_err() {
            let _ = fs::remove_file(&self.file);
        }
    }
}

/// Writes `bytes` to a new file at `target`, and returns what the file is then. A file already
/// there is removed first, never written through: it may be a link to the previous site's.
fn write_new(target: &Path, bytes: &[u8]) -> std::io::Result<fs::Metadata> {
    let create = || fs::OpenOptions::new().write(true).create_new(true).open(target);
    let mut file = match create() {
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            fs::remove_file(target)?;
            create()?
        }
        other => other?,
    };
    file.write_all(bytes)?;
    file.metadata()
}

/// Runs `make`, which creates `target`; when its folder does not exist yet, makes the folder
/// and runs it again. Most files go into a folder that exists, so this costs one system call
/// where making the folder first would cost two or three.
fn in_folder<T>(target: &Path, mut make: impl FnMut() -> std::io::Result<T>) -> std::io::Result<T> {
    match make() {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let Some(folder) = target.parent() else {
                return Err(err);
            };
            fs::create_dir_all(folder)?;
            make()
        }
        other => other,
    }
}

/// The previous build's copy is as new as the source and the same size.
fn unchanged(source: &Path, earlier: &Path) -> bool {
    let (Ok(src), Ok(old)) = (fs::metadata(source), fs::symlink_metadata(earlier)) else {
        return false;
    };
    if !old.is_file() || src.len() != old.len() {
        return false;
    }
    matches!((src.modified(), old.modified()), (Ok(s), Ok(o)) if o >= s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_replace_a_folder_tssa_did_not_make() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("site");
        fs::create_dir_all(&out).expect("mkdir");
        fs::write(out.join("precious.txt"), "keep me").expect("write");
        let err = write_site(&out, &[])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("refusing to replace"), "{err}");
        assert!(out.join("precious.txt").exists());
    }

    #[test]
    fn leftover_names_are_recognised_only_for_this_output() {
        assert_eq!(leftover_pid(".site.tssa-staging-4242", "site"), Some(4242));
        assert_eq!(leftover_pid(".site.tssa-old-7", "site"), Some(7));
        assert_eq!(leftover_pid(".other.tssa-old-7", "site"), None);
        assert_eq!(leftover_pid(".site.tssa-old-", "site"), None);
        assert_eq!(leftover_pid(".site.tssa-old-7x", "site"), None);
        assert_eq!(leftover_pid("site", "site"), None);
    }

    #[test]
    fn stale_folders_of_dead_builds_go_when_marked_or_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        // No process has this pid: pids stop far below it on Linux.
        let dead = 999_999_999;
        let marked = dir.path().join(format!(".site.tssa-old-{dead}"));
        let empty = dir.path().join(format!(".site.tssa-staging-{dead}"));
        let foreign = dir.path().join(format!(".site.tssa-staging-{}", dead - 1));
        for folder in [&marked, &empty, &foreign] {
            fs::create_dir(folder).expect("mkdir");
        }
        fs::write(marked.join(MARKER), "").expect("marker");
        fs::write(foreign.join("notes.txt"), "someone else's").expect("file");
        remove_stale(dir.path(), "site");
        assert!(
            !marked.exists() && !empty.exists(),
            "leftovers of a dead build stay"
        );
        assert!(
            foreign.join("notes.txt").exists(),
            "a folder tssa did not fill was removed"
        );
    }

    #[test]
    fn counted_sink_counts_each_file_once_and_passes_it_on() {
        let inner = Collect::default();
        let count = AtomicUsize::new(0);
        let counted = Counted {
            sink: &inner,
            count: &count,
        };
        for path in ["a.html", "b/index.html"] {
            let file = OutputFile {
                path: path.into(),
                content: Content::Bytes(b"x".to_vec()),
            };
            counted.put(file).expect("collected");
        }
        assert!(!counted.remembers() && !counted.may_reuse("a.html"));
        assert_eq!(count.load(Ordering::Relaxed), 2);
        let paths: Vec<String> = inner
            .into_sorted()
            .into_iter()
            .map(|f| f.path.to_string())
            .collect();
        assert_eq!(paths, ["a.html", "b/index.html"]);
    }

    #[test]
    fn replaces_its_own_output_and_keeps_nothing_stale() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("site");
        let one = OutputFile {
            path: "a/index.html".into(),
            content: Content::Bytes(b"one".to_vec()),
        };
        write_site(&out, std::slice::from_ref(&one)).expect("first build");
        let two = OutputFile {
            path: "b.html".into(),
            content: Content::Bytes(b"two".to_vec()),
        };
        write_site(&out, &[two]).expect("second build");
        assert!(!out.join("a/index.html").exists());
        assert_eq!(fs::read(out.join("b.html")).ok(), Some(b"two".to_vec()));
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .expect("ls")
            .filter_map(|e| e.ok())
            .collect();
        assert_eq!(leftovers.len(), 1, "staging folders must be cleaned up");
    }

    #[test]
    fn a_failed_build_that_kept_pages_leaves_the_previous_site_as_it_was() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (out, cache) = (dir.path().join("site"), dir.path().join("cache"));
        fs::create_dir_all(&cache).expect("cache folder");
        let key = RenderKey([7; 32]);
        let page = |text: &str| OutputFile {
            path: "a/index.html".into(),
            content: Content::Page(text.as_bytes().to_vec(), key),
        };
        let first = PageMemo::load(&cache, &out).expect("a memo");
        write_site_remembering(&out, Some(&first), |staging| staging.put(page("one"))).expect("first build");
        let memo = PageMemo::load(&cache, &out).expect("a memo");
        assert!(
            memo.previous.contains_key("a/index.html"),
            "the page was recorded"
        );
        let failed = write_site_remembering(&out, Some(&memo), |staging| {
            assert!(staging.reuse("a/index.html", &key), "the unchanged page is kept");
            // The same path again (a collision) must not write through the link.
            staging.put(page("two"))?;
            Err::<(), _>(Error::Template("a page failed".to_owned()))
        });
        assert!(failed.is_err());
        assert_eq!(fs::read(out.join("a/index.html")).ok(), Some(b"one".to_vec()));
        let (kept, stats) = write_site_remembering(&out, Some(&memo), |staging| {
            Ok(staging.reuse("a/index.html", &key))
        })
        .expect("third build");
        assert!(
            kept && stats.kept == 1,
            "the page is still the one written, so it is kept"
        );
    }

    #[test]
    fn a_failing_fill_removes_its_staging_folder_and_keeps_the_site() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("site");
        let one = OutputFile {
            path: "deep/er/a.html".into(),
            content: Content::Bytes(b"one".to_vec()),
        };
        write_site(&out, std::slice::from_ref(&one)).expect("first build");
        let failed = write_site_with(&out, |staging| {
            staging.put(OutputFile {
                path: "new/b.html".into(),
                content: Content::Bytes(b"two".to_vec()),
            })?;
            Err::<(), _>(Error::Template("a page failed".to_owned()))
        });
        assert!(failed.is_err());
        assert_eq!(fs::read(out.join("deep/er/a.html")).ok(), Some(b"one".to_vec()));
        assert!(
            !out.join("new").exists(),
            "the folder made for the new file is gone"
        );
        assert!(
            !out.join(update::JOURNAL).exists(),
            "nothing had changed: no journal"
        );
        let entries = fs::read_dir(dir.path()).expect("ls").count();
        assert_eq!(entries, 1, "the staging folder of the failed build is gone");
    }
}
