//! The document cache's file: entries read one at a time by position, never the file whole,
//! so its size is bounded by the disk, not by memory.
//!
//! ```text
//! head (32 bytes): magic, index offset, index length, index checksum
//! entries:         one entry after another, each in [`PARTS`] parts laid end to end
//! index:           the key, then (source path, body length, offset, and each part's length
//!                  and checksum) per entry
//! ```
//!
//! Each part of an entry is read on its own: its first is what every run reads, the others
//! (a page's search text, its body) only by a run that needs them, so a warm build does not
//! read what it keeps.
//!
//! The index is written last, behind the entries, and the head (which points at it) after
//! that, so the file is streamed: an entry is written as soon as it is made, from the worker
//! that made it, and nothing holds the whole file. Each entry is checked on its own when read:
//! a damaged entry is one miss, not a lost file. A file is written under a temporary name and
//! renamed into place, so a reader sees the old file or the new one, never a part.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use bincode::Options;
use serde::{Deserialize, Serialize};

use super::{checksum, encoding};

/// The first bytes of every indexed cache file; the digit is the format's version.
const MAGIC: &[u8; 8] = b"tssa\0ix2";
/// The head: the magic, then the index's offset, length and checksum.
const HEAD: u64 = 32;

/// What a cache file may hold. An entry over `entry` is not written (its document is made
/// again next time, the others are kept); a file that would grow over `total` is not written
/// at all (no cache, never a wrong page); an index over `index` is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub entry: u64,
    pub index: u64,
    pub total: u64,
}

impl Limits {
    /// Generous: the largest page of the 50-fold corpus takes ~2 MB, its file ~0.4 GB.
    pub const DEFAULT: Limits = Limits {
        entry: 64 << 20,
        index: 256 << 20,
        total: 16 << 30,
    };
}

/// How many parts an entry has.
pub const PARTS: usize = 3;

/// Where one entry lies in its file, with its document's body length (enough to guess,
/// without reading the entry, whether it will serve), and each part's length and checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub body_len: u64,
    at: u64,
    parts: [(u64, u64); PARTS],
}

impl Slot {
    /// The whole entry's length; `None` if it overflows.
    fn len(&self) -> Option<u64> {
        self.parts
            .iter()
            .try_fold(0u64, |len, &(part, _)| len.checked_add(part))
    }

    /// Whether part `n` holds anything.
    pub fn has(&self, n: usize) -> bool {
        self.parts.get(n).is_some_and(|&(len, _)| len > 0)
    }
}

/// One entry as the index lists it.
#[derive(Serialize, Deserialize)]
struct Listed<'a> {
    #[serde(borrow)]
    source: Cow<'a, str>,
    slot: Slot,
}

/// A cache file opened for reading, with its index.
#[derive(Debug)]
pub struct Indexed {
    file: File,
    limits: Limits,
}

impl Indexed {
    /// Opens `path` and reads its index, if it is a well-formed file made under `key` whose
    /// every slot lies within its entries; `None` for anything else (missing, truncated,
    /// damaged, another key), which the caller treats as an empty cache.
    pub fn open<K>(path: &Path, key: &K, limits: Limits) -> Option<(Indexed, HashMap<String, Slot>)>
    where
        K: serde::de::DeserializeOwned + PartialEq,
    {
        // Looked at before opening: opening a pipe for reading blocks until someone writes.
        if !std::fs::metadata(path).ok()?.is_file() {
            return None;
        }
        let file = File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() {
            return None;
        }
        let mut head = [0u8; HEAD as usize];
        file.read_exact_at(&mut head, 0).ok()?;
        let (magic, rest) = head.split_first_chunk::<8>()?;
        let word = |i: usize| Some(u64::from_le_bytes(*rest.get(8 * i..)?.first_chunk::<8>()?));
        let (at, len, sum) = (word(0)?, word(1)?, word(2)?);
        let end = at.checked_add(len)?;
        if magic != MAGIC || at < HEAD || len > limits.index || end != meta.len() {
            return None;
        }
        let mut index = vec![0u8; usize::try_from(len).ok()?];
        file.read_exact_at(&mut index, at).ok()?;
        if checksum(&index) != sum {
            return None;
        }
        let slots = slots(&index, key, at, limits)?;
        Some((Indexed { file, limits }, slots))
    }

    /// `with` part `n` of the entry at `slot`, if it is there and matches its checksum. It is
    /// read into a buffer the thread keeps, so that a read does not first zero a fresh
    /// allocation (at 50 times the corpus, 300 MB of zeroing); `with` must not read another.
    pub fn read<R>(&self, slot: &Slot, n: usize, with: impl FnOnce(&[u8]) -> Option<R>) -> Option<R> {
        let &(len, sum) = slot.parts.get(n)?;
        let before = slot.parts[..n]
            .iter()
            .try_fold(0u64, |at, &(part, _)| at.checked_add(part));
        let at = slot.at.checked_add(before?)?;
        thread_local! {
            static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        if len > self.limits.entry {
            return None;
        }
        let len = usize::try_from(len).ok()?;
        BUFFER.with(|buffer| {
            let mut buffer = buffer.try_borrow_mut().ok()?;
            if buffer.len() < len {
                buffer.resize(len, 0);
            }
            let bytes = &mut buffer[..len];
            self.file.read_exact_at(bytes, at).ok()?;
            if checksum(bytes) != sum {
                return None;
            }
            with(bytes)
        })
    }
}

/// The slots an index lists, by source path, if it was made under `key` and every slot lies
/// between the head and the index (at `entries_end`).
fn slots<K>(index: &[u8], key: &K, entries_end: u64, limits: Limits) -> Option<HashMap<String, Slot>>
where
    K: serde::de::DeserializeOwned + PartialEq,
{
    let mut rest = index;
    let stored: K = encoding().deserialize_from(&mut rest).ok()?;
    if stored != *key {
        return None;
    }
    let listed: Vec<Listed<'_>> = encoding().deserialize(rest).ok()?;
    listed
        .into_iter()
        .map(|Listed { source, slot }| {
            let inside = slot.at >= HEAD
                && slot.len().is_some_and(|len| {
                    len <= limits.entry && slot.at.checked_add(len).is_some_and(|end| end <= entries_end)
                });
            inside.then(|| (source.into_owned(), slot))
        })
        .collect()
}

/// A cache file being written: entries are appended from any thread (each reserves its place,
/// then writes there without holding the lock), the index and head last.
#[derive(Debug)]
pub struct Writer {
    temp: PathBuf,
    file: File,
    /// The same file, for reading back what this run wrote and let go of; kept open, so it
    /// outlives the rename (or removal) of the file.
    reader: Option<Arc<Indexed>>,
    limits: Limits,
    state: Mutex<Written>,
}

#[derive(Debug)]
struct Written {
    /// Where the next entry goes.
    next: u64,
    /// A write failed or the file would grow over the limit: the file is not to be used.
    spoilt: bool,
}

impl Writer {
    /// A new temporary file beside `path` (private to the user), to be renamed over it.
    pub fn create(path: &Path, limits: Limits) -> Option<Writer> {
        Writer::open(path, limits, false)
    }

    /// A file only to be read back during this run, in a folder others may write to (the
    /// system's temporary folder): made only if no file or link is in the way (`O_EXCL`),
    /// and its name removed at once, so it is gone when the run ends however it ends.
    pub fn create_scratch(path: &Path, limits: Limits) -> Option<Writer> {
        let writer = Writer::open(path, limits, true)?;
        std::fs::remove_file(&writer.temp).ok()?;
        Some(writer)
    }

    fn open(path: &Path, limits: Limits, exclusive: bool) -> Option<Writer> {
        let name = path.file_name()?.to_string_lossy();
        let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true);
        if exclusive {
            options.create_new(true);
        } else {
            options.create(true).truncate(true);
        }
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&temp).ok()?;
        let reader = file
            .try_clone()
            .ok()
            .map(|file| Arc::new(Indexed { file, limits }));
        Some(Writer {
            temp,
            file,
            reader,
            limits,
            state: Mutex::new(Written {
                next: HEAD,
                spoilt: false,
            }),
        })
    }

    /// Reserves `len` bytes for an entry; `None` when the file would grow over the limit
    /// (which spoils it) or is spoilt already.
    fn reserve(&self, len: u64) -> Option<u64> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let at = state.next;
        let end = at.checked_add(len).filter(|&end| end <= self.limits.total);
        match end {
            Some(end) if !state.spoilt => {
                state.next = end;
                Some(at)
            }
            _ => {
                state.spoilt = true;
                None
            }
        }
    }

    fn spoil(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).spoilt = true;
    }

    /// Writes one entry, in its parts, of a document whose body is `body_len` bytes long; its
    /// slot, or `None` when it is over the entry limit (left out, the rest kept) or a write
    /// failed.
    pub fn append(&self, parts: [&[u8]; PARTS], body_len: u64) -> Option<Slot> {
        let len: u64 = parts.iter().map(|part| part.len() as u64).sum();
        if len > self.limits.entry {
            return None;
        }
        let at = self.reserve(len)?;
        let mut next = at;
        for part in parts {
            if self.file.write_all_at(part, next).is_err() {
                self.spoil();
                return None;
            }
            next += part.len() as u64;
        }
        Some(Slot {
            body_len,
            at,
            parts: parts.map(|part| (part.len() as u64, checksum(part))),
        })
    }

    /// The file being written, opened for reading entries back by their slots.
    pub fn reader(&self) -> Option<Arc<Indexed>> {
        self.reader.clone()
    }

    /// Copies the entry at `slot` of `from` (its head already checked when it was taken) into
    /// this file, in the kernel where it can; its new slot.
    pub fn copy(&self, from: &Indexed, slot: &Slot) -> Option<Slot> {
        let len = slot.len()?;
        let at = self.reserve(len)?;
        let copied = copy_range(&from.file, slot.at, &self.file, at, len);
        if copied.is_err() {
            self.spoil();
            return None;
        }
        Some(Slot { at, ..*slot })
    }

    /// Writes the index of `entries` and the head, then renames the file over `path`. A
    /// spoilt file is removed, and so is the old one (it no longer holds this run's results).
    pub fn commit<K: Serialize>(self, path: &Path, key: &K, entries: &[(&str, Slot)]) -> std::io::Result<()> {
        let written = self
            .finish(key, entries)
            .and_then(|()| std::fs::rename(&self.temp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&self.temp);
            let _ = std::fs::remove_file(path);
        }
        written
    }

    fn finish<K: Serialize>(&self, key: &K, entries: &[(&str, Slot)]) -> std::io::Result<()> {
        let listed: Vec<Listed<'_>> = entries
            .iter()
            .map(|&(source, slot)| Listed {
                source: Cow::Borrowed(source),
                slot,
            })
            .collect();
        let mut index = encoding().serialize(key).map_err(std::io::Error::other)?;
        encoding()
            .serialize_into(&mut index, &listed)
            .map_err(std::io::Error::other)?;
        let len = index.len() as u64;
        let spoilt = || std::io::Error::other("the cache file was not written whole");
        if len > self.limits.index {
            return Err(spoilt());
        }
        let at = self.reserve(len).ok_or_else(spoilt)?;
        self.file.write_all_at(&index, at)?;
        let mut head = Vec::with_capacity(HEAD as usize);
        head.extend_from_slice(MAGIC);
        for word in [at, len, checksum(&index)] {
            head.extend_from_slice(&word.to_le_bytes());
        }
        self.file.write_all_at(&head, 0)
    }

    /// Drops the temporary file unused.
    pub fn abandon(self) {
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// Copies `len` bytes at `from_at` in `from` to `to_at` in `to`: `copy_file_range` (a reflink
/// or an in-kernel copy), through a buffer only where the kernel cannot.
fn copy_range(from: &File, from_at: u64, to: &File, to_at: u64, len: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let (mut from, mut to) = (from, to);
    from.seek(SeekFrom::Start(from_at))?;
    to.seek(SeekFrom::Start(to_at))?;
    let copied = std::io::copy(&mut std::io::Read::take(from, len), &mut to)?;
    if copied != len {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}
