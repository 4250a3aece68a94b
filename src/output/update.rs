//! Updating the previous site in place, for a build into an output folder tssa made: a file
//! whose bytes are unchanged is left as it is, a changed or new one is written beside its
//! place and renamed over it once the whole render has succeeded, and what the new site does
//! not have is removed.
//!
//! The guarantee is the staged build's, through a journal: `.tssa-updating` is written in the
//! output before anything in it changes and removed after the last change. A failed render
//! removes what it wrote beside the old files (and the journal, unless it already had to
//! replace something in the way); a build that finds the journal (a kill, or an I/O error
//! half-way) does not trust the folder and makes the whole site afresh in a staging folder.
//!
//! The previous site is listed once, with each entry's type as the listing gives it (no
//! `stat`), and nothing is written through what the listing did not see as tssa's: a
//! symbolic link, or anything but a folder where a folder is wanted, is removed (the link
//! itself, never its target) and replaced.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{ErrorKind, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use super::{MARKER, PageRecord};

/// Written in the output before an update changes it, removed after its last change: a build
/// that finds it makes the site afresh instead of updating it.
pub const JOURNAL: &str = ".tssa-updating";

/// More entries than this in the previous site and it is replaced, not listed into memory.
const MAX_ENTRIES: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Folder,
    File,
    /// A symbolic link, FIFO, socket or device: never written through, always replaced.
    Other,
}

#[derive(Debug)]
struct Entry {
    kind: Kind,
    /// Part of the new site (a file it has, or a folder holding one): not removed at the end.
    wanted: AtomicBool,
}

/// An update of the output folder `out` under way.
pub struct Update {
    out: PathBuf,
    /// The previous site, by `/`-separated path.
    previous: HashMap<String, Entry>,
    /// New files written beside their place (temporary path, path in the site), renamed over
    /// it when the render has succeeded.
    pending: Mutex<HashMap<String, PathBuf>>,
    /// Folders this update made, where the previous site had none.
    made: Mutex<HashSet<String>>,
    /// Whether something of the previous site was removed during the render (an entry in the
    /// way of a folder): then a failed render cannot leave the folder as it was.
    changed: AtomicBool,
    next_temp: AtomicUsize,
}

impl Update {
    /// Starts updating `out` when it is a folder tssa made, not a link, holding no journal of
    /// an unfinished update; lists it and writes the journal. `None`: replace it instead.
    pub fn begin(out: &Path) -> Option<Update> {
        let is_ours = fs::symlink_metadata(out).is_ok_and(|m| m.is_dir())
            && fs::symlink_metadata(out.join(MARKER)).is_ok_and(|m| m.is_file());
        if !is_ours || fs::symlink_metadata(out.join(JOURNAL)).is_ok() {
            return None;
        }
        let budget = AtomicUsize::new(MAX_ENTRIES);
        let listed = list(out, "", &budget)?;
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(out.join(JOURNAL))
            .ok()?;
        let previous = listed
            .into_iter()
            .map(|(rel, kind)| {
                let entry = Entry {
                    kind,
                    wanted: AtomicBool::new(false),
                };
                (rel, entry)
            })
            .collect();
        Some(Update {
            out: out.to_path_buf(),
            previous,
            pending: Mutex::default(),
            made: Mutex::default(),
            changed: AtomicBool::new(false),
            next_temp: AtomicUsize::new(0),
        })
    }

    /// The file at `rel` in the output.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.out.join(rel)
    }

    /// Whether the previous site holds a regular file at `rel` (as listed: not a link).
    pub fn has_file(&self, rel: &str) -> bool {
        self.kind(rel) == Some(Kind::File)
    }

    /// Whether the file at `rel` is still the page `record` describes (same inode, size and
    /// modification time as just after it was written).
    pub fn intact(&self, rel: &str, record: &PageRecord) -> bool {
        self.has_file(rel)
            && fs::symlink_metadata(self.path(rel))
                .is_ok_and(|meta| PageRecord::of(record.key, &meta) == *record)
    }

    /// What the regular file at `rel` is, if it holds exactly `bytes`; read only when the size
    /// agrees, opened without following a link.
    pub fn holds(&self, rel: &str, bytes: &[u8]) -> Option<fs::Metadata> {
        if !self.has_file(rel) {
            return None;
        }
        let mut file = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(self.path(rel))
            .ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() != bytes.len() as u64 {
            return None;
        }
        let mut read = vec![0; bytes.len()];
        (file.read_exact(&mut read).is_ok() && read == bytes).then_some(meta)
    }

    /// Marks `rel` and the folders holding it as part of the new site.
    pub fn want(&self, rel: &str) {
        let mut at = rel;
        loop {
            if let Some(entry) = self.previous.get(at) {
                let known = entry.wanted.swap(true, Ordering::Relaxed);
                // Its folders were marked with it.
                if known && at != rel {
                    return;
                }
            }
            match at.rfind('/') {
                Some(cut) => at = &at[..cut],
                None => return,
            }
        }
    }

    /// Makes the file for `rel` with `make` (given the path to create) beside its place, to be
    /// renamed over it at the end, and marks it wanted; returns what `make` returned.
    pub fn stage<T>(&self, rel: &str, make: impl FnOnce(&Path) -> std::io::Result<T>) -> std::io::Result<T> {
        self.folder(parent(rel))?;
        let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
        let temp_rel = join(parent(rel), &format!(".tssa-new-{}-{n}", std::process::id()));
        let temp = self.path(&temp_rel);
        // One of that name already there (planted: an update leaves none behind without its
        // journal) is not written through.
        if self.previous.contains_key(&temp_rel) {
            let _ = fs::remove_file(&temp);
        }
        let made = make(&temp)?;
        self.want(rel);
        let earlier = self
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(rel.to_owned(), temp);
        // The same path handed over twice: the last one is the site's, as in a staged build.
        if let Some(earlier) = earlier {
            let _ = fs::remove_file(earlier);
        }
        Ok(made)
    }

    /// Makes sure the folder `rel` is a folder: one the previous site had, or one made now in
    /// place of whatever else was there (a link is removed, never followed).
    fn folder(&self, rel: &str) -> std::io::Result<()> {
        if rel.is_empty() || self.kind(rel) == Some(Kind::Folder) {
            return Ok(());
        }
        if self
            .made
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(rel)
        {
            return Ok(());
        }
        self.folder(parent(rel))?;
        let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        if made.contains(rel) {
            return Ok(());
        }
        let path = self.path(rel);
        if self.previous.contains_key(rel) {
            self.changed.store(true, Ordering::Relaxed);
            fs::remove_file(&path)?;
        }
        fs::create_dir(&path)?;
        made.insert(rel.to_owned());
        Ok(())
    }

    fn kind(&self, rel: &str) -> Option<Kind> {
        self.previous.get(rel).map(|e| e.kind)
    }

    /// Puts every new file in its place, removes what the new site does not have, and removes
    /// the journal. An error leaves the journal, so the next build makes the site afresh.
    pub fn commit(self) -> std::io::Result<()> {
        let pending = self.pending.into_inner().unwrap_or_else(PoisonError::into_inner);
        let out = &self.out;
        pending
            .par_iter()
            .try_for_each(|(rel, temp)| rename_over(temp, &out.join(rel)))?;
        let stale: Vec<(&String, Kind)> = self
            .previous
            .iter()
            .filter(|(rel, entry)| !entry.wanted.load(Ordering::Relaxed) && rel.as_str() != MARKER)
            .map(|(rel, entry)| (rel, entry.kind))
            .filter(|(rel, _)| {
                let up = parent(rel);
                up.is_empty()
                    || self
                        .previous
                        .get(up)
                        .is_some_and(|e| e.wanted.load(Ordering::Relaxed))
            })
            .collect();
        stale
            .par_iter()
            .try_for_each(|(rel, kind)| remove_entry(&out.join(rel), *kind))?;
        fs::remove_file(out.join(JOURNAL))
    }

    /// Undoes what a failed render wrote: the new files beside the old ones and the folders
    /// made for them. The journal goes too, unless something of the previous site was removed.
    pub fn abandon(self) {
        let pending = self.pending.into_inner().unwrap_or_else(PoisonError::into_inner);
        for temp in pending.values() {
            let _ = fs::remove_file(temp);
        }
        let mut made: Vec<String> = self
            .made
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .into_iter()
            .collect();
        // Deepest first, so each is empty when its turn comes.
        made.sort_by_key(|rel| std::cmp::Reverse(rel.len()));
        for rel in &made {
            let _ = fs::remove_dir(self.out.join(rel));
        }
        if !self.changed.load(Ordering::Relaxed) {
            let _ = fs::remove_file(self.out.join(JOURNAL));
        }
    }
}

/// The path in the site of `name` in the folder `folder`.
fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_owned()
    } else {
        format!("{folder}/{name}")
    }
}

/// The folder holding `rel` ("" for the top).
fn parent(rel: &str) -> &str {
    rel.rfind('/').map_or("", |cut| &rel[..cut])
}

/// Every entry under `dir` (whose path in the site is `rel`), with its type as the listing
/// says: links are not followed, folders listed on every core. `None` when a folder cannot be
/// listed or the budget of entries runs out.
fn list(dir: &Path, rel: &str, budget: &AtomicUsize) -> Option<Vec<(String, Kind)>> {
    let mut found = Vec::new();
    let mut folders = Vec::new();
    for entry in fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        let taken = budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(1));
        taken.ok()?;
        // A name that is not UTF-8 is nothing tssa wrote, and could not be named to remove it:
        // the site is made afresh.
        let name = entry.file_name().into_string().ok()?;
        let path_in_site = join(rel, &name);
        let kind = match entry.file_type().ok()? {
            t if t.is_dir() => Kind::Folder,
            t if t.is_file() => Kind::File,
            _ => Kind::Other,
        };
        if kind == Kind::Folder {
            folders.push((entry.path(), path_in_site.clone()));
        }
        found.push((path_in_site, kind));
    }
    let below: Vec<Vec<(String, Kind)>> = folders
        .par_iter()
        .map(|(path, rel)| list(path, rel, budget))
        .collect::<Option<_>>()?;
    found.extend(below.into_iter().flatten());
    Some(found)
}

/// Renames `temp` over `target`; a folder in the way (the previous site had one there) is
/// removed first.
fn rename_over(temp: &Path, target: &Path) -> std::io::Result<()> {
    match fs::rename(temp, target) {
        Err(_) if fs::symlink_metadata(target).is_ok_and(|m| m.is_dir()) => {
            fs::remove_dir_all(target)?;
            fs::rename(temp, target)
        }
        other => other,
    }
}

/// Removes a file, link or whole folder of the previous site (`remove_dir_all` does not
/// follow links); one already gone is no error.
fn remove_entry(path: &Path, kind: Kind) -> std::io::Result<()> {
    let removed = match kind {
        Kind::Folder => fs::remove_dir_all(path),
        Kind::File | Kind::Other => fs::remove_file(path),
    };
    match removed {
        // Gone already, or a folder holding it was replaced by a file of the new site.
        Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(()),
        other => other,
    }
}
