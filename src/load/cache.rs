//! Parse results kept between loads: in memory between the preview server's rebuilds, and on
//! disk between commands (`parse.bin` in the build cache's folder, see
//! [`crate::analyse::store::locate`]). One rule for both: a result is reused only when the
//! file's bytes, read now, have the same BLAKE3 digest as the bytes it was made from, and
//! everything else that shaped it (kind, path, URL: the parser's `identity`) is the same.
//! Timestamps are never trusted: a save within one timestamp tick, or a checkout that keeps
//! sizes and times, cannot bring back an old parse.

use std::any::Any;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bincode::Options;
use serde::{Deserialize, Serialize};

use super::stored::Stored;
use crate::analyse::store::{encoding, executable, read_framed, write_framed};
use crate::blob::ByteBuf;
use crate::discover::SourceFile;
use crate::fsread::{ReadError, read_capped};

/// How one kind of file is parsed, and stored without what its bytes give back.
pub(super) trait Parser {
    type Output: Clone + Send + Sync + 'static;
    /// Everything besides the bytes that shapes the result (kind, URL, paths).
    fn identity(&self) -> String;
    fn parse(&self, read: Result<&[u8], &ReadError>) -> Self::Output;
    /// The result as stored; `None` when it cannot be restored from `bytes` exactly.
    fn save<'a>(&self, value: &'a Self::Output, bytes: &[u8]) -> Option<Stored<'a>>;
    fn restore(&self, stored: Stored<'_>, bytes: &[u8]) -> Option<Self::Output>;
}

type Digest = [u8; 32];

/// Parse results by file (see the module's note).
#[derive(Debug, Default)]
pub struct ParseCache {
    /// Whether results are kept in memory (worth it only across the preview's rebuilds).
    memory: bool,
    entries: Mutex<HashMap<PathBuf, Kept>>,
    disk: Option<Disk>,
    generation: u64,
    parsed: AtomicUsize,
    reused: AtomicUsize,
}

/// How many files the last [`super::load_cached`] parsed and how many it took from the cache.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    pub parsed: usize,
    pub reused: usize,
}

struct Kept {
    identity: String,
    digest: Digest,
    seen: u64,
    value: Arc<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl ParseCache {
    /// A cache in memory, for the preview server's rebuilds.
    pub fn new() -> Self {
        ParseCache {
            memory: true,
            ..Self::default()
        }
    }

    /// A cache on disk in `dir` (see [`crate::analyse::store::locate`]), for one command.
    pub fn on_disk(dir: &Path) -> Self {
        ParseCache {
            disk: Some(Disk::new(dir.join("parse.bin"))),
            ..Self::default()
        }
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            parsed: self.parsed.load(Ordering::Relaxed),
            reused: self.reused.load(Ordering::Relaxed),
        }
    }

    pub(super) fn begin(&mut self) {
        self.generation += 1;
        self.parsed.store(0, Ordering::Relaxed);
        self.reused.store(0, Ordering::Relaxed);
        if let Some(disk) = &mut self.disk {
            disk.read();
        }
    }

    /// Forgets files the last load did not see (deleted or renamed), so the cache stays the
    /// size of the site; writes the disk cache when it changed.
    pub(super) fn finish(&mut self) {
        let generation = self.generation;
        self.entries
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, entry| entry.seen == generation);
        if let Some(disk) = &mut self.disk {
            disk.write();
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<PathBuf, Kept>> {
        // A panic elsewhere cannot leave an entry half-written: each is replaced whole.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `file` parsed by `parser`, from the cache when its bytes and identity are unchanged.
    /// A file that cannot be read is parsed (into its finding) and never kept.
    pub(super) fn get_or_parse<P: Parser>(&self, file: &SourceFile, cap: u64, parser: &P) -> P::Output {
        let read = read_capped(&file.path, cap);
        let bytes = match &read {
            Ok(bytes) => bytes.as_slice(),
            Err(err) => {
                self.parsed.fetch_add(1, Ordering::Relaxed);
                return parser.parse(Err(err));
            }
        };
        let digest: Digest = *blake3::hash(bytes).as_bytes();
        let identity = parser.identity();
        if let Some(value) = self.remembered::<P::Output>(&file.path, &identity, &digest) {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return value;
        }
        let disk = self.disk.as_ref();
        let restored = disk.and_then(|disk| {
            disk.take(file.rel.as_str(), &identity, &digest, |s| {
                parser.restore(s, bytes)
            })
        });
        let value = match restored {
            Some(value) => {
                self.reused.fetch_add(1, Ordering::Relaxed);
                value
            }
            None => {
                self.parsed.fetch_add(1, Ordering::Relaxed);
                let value = parser.parse(Ok(bytes));
                if let Some(disk) = disk {
                    disk.put(file.rel.as_str(), &identity, digest, parser.save(&value, bytes));
                }
                value
            }
        };
        if self.memory {
            let kept = Kept {
                identity,
                digest,
                seen: self.generation,
                value: Arc::new(value.clone()),
            };
            self.lock().insert(file.path.clone(), kept);
        }
        value
    }

    /// The result kept in memory for these very bytes, marked as seen by this load.
    fn remembered<T: Clone + 'static>(&self, path: &Path, identity: &str, digest: &Digest) -> Option<T> {
        let mut entries = self.lock();
        let kept = entries
            .get_mut(path)
            .filter(|k| k.identity == identity && k.digest == *digest)?;
        kept.seen = self.generation;
        kept.value.downcast_ref::<T>().cloned()
    }
}

/// The parse cache file: what it held when read, and what this run keeps.
#[derive(Debug)]
struct Disk {
    file: PathBuf,
    state: Mutex<DiskState>,
}

#[derive(Debug, Default)]
struct DiskState {
    key: Option<FileKey>,
    /// Entries from the file not yet asked for by this run, by source path.
    old: HashMap<String, DiskEntry>,
    /// Entries this run used or made.
    kept: HashMap<String, DiskEntry>,
    /// Whether the file must be written again: an entry was missing or stale.
    dirty: bool,
}

/// What the whole file depends on: its format and the executable that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FileKey {
    format: String,
    version: String,
    executable: (u64, u64, u32, u64),
}

impl FileKey {
    fn new() -> Option<FileKey> {
        Some(FileKey {
            format: "parse 5".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            executable: executable()?,
        })
    }
}

/// One file's stored parse: its payload is decoded only when the file is loaded, on the
/// thread that loads it.
#[derive(Debug, Serialize, Deserialize)]
struct DiskEntry {
    identity: String,
    digest: Digest,
    payload: ByteBuf,
}

impl Disk {
    fn new(file: PathBuf) -> Disk {
        Disk {
            file,
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, DiskState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads what the last run left, if the same executable made it.
    fn read(&mut self) {
        let key = FileKey::new();
        let stored: Option<Vec<(String, DiskEntry)>> =
            key.as_ref().and_then(|key| read_framed(&self.file, key));
        let old: HashMap<String, DiskEntry> = stored.unwrap_or_default().into_iter().collect();
        *self.state.get_mut().unwrap_or_else(PoisonError::into_inner) = DiskState {
            dirty: old.is_empty(),
            key,
            old,
            kept: HashMap::new(),
        };
    }

    /// The stored result for `path` restored by `restore`, when it was made from these bytes
    /// under this identity.
    fn take<T>(
        &self,
        path: &str,
        identity: &str,
        digest: &Digest,
        restore: impl FnOnce(Stored<'_>) -> Option<T>,
    ) -> Option<T> {
        let entry = self.lock().old.remove(path)?;
        let restored = (entry.identity == identity && entry.digest == *digest)
            .then(|| encoding().deserialize::<Stored<'_>>(&entry.payload.0).ok())
            .flatten()
            .and_then(restore);
        let mut state = self.lock();
        if restored.is_some() {
            state.kept.insert(path.to_owned(), entry);
        } else {
            state.dirty = true;
        }
        restored
    }

    /// Keeps a fresh result (`None`: one that cannot be stored, so the file goes without it).
    fn put(&self, path: &str, identity: &str, digest: Digest, stored: Option<Stored<'_>>) {
        let payload = stored.and_then(|stored| encoding().serialize(&stored).ok());
        let mut state = self.lock();
        state.dirty = true;
        if let Some(payload) = payload {
            let entry = DiskEntry {
                identity: identity.to_owned(),
                digest,
                payload: ByteBuf(payload),
            };
            state.kept.insert(path.to_owned(), entry);
        }
    }

    /// Writes this run's entries when they differ from the file's: one was missing or stale,
    /// or the file holds files this run did not read (which are dropped).
    fn write(&mut self) {
        let state = std::mem::take(self.state.get_mut().unwrap_or_else(PoisonError::into_inner));
        let changed = state.dirty || !state.old.is_empty();
        let Some(key) = state.key.filter(|_| changed) else {
            return;
        };
        let mut entries: Vec<(String, DiskEntry)> = state.kept.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        // The cache is only ever an optimisation: a failure to write it is not the run's.
        let _ = write_framed(&self.file, &key, &entries);
    }
}
