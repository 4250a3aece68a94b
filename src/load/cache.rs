//! Parse results kept between loads: in memory between the preview server's rebuilds, and on
//! disk between commands (`parse.bin` in the build cache's folder, see
//! [`crate::analyse::store::locate`]). One rule for both: a result is reused only when the
//! file's bytes, read now, have the same BLAKE3 digest as the bytes it was made from, and
//! everything else that shaped it (kind, path, URL: the parser's `identity`) is the same.
//! On disk, a file is not hashed again when its stamp (size, modification and change times,
//! inode: [`Stamp`], from the open file) is the one recorded with its digest, as git's index
//! trusts an unchanged `lstat`; a stamp is recorded only once the file has been still for two
//! seconds before the cache is written, so a save within one timestamp tick cannot keep its
//! stamp, and a checkout that restores sizes and times still changes the change time. Images,
//! whose bytes are not read beyond their header, keep their size by stamp alone.

use std::any::Any;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bincode::Options;
use serde::{Deserialize, Serialize};

use super::stored::Stored;
use crate::analyse::store::{encoding, executable, read_framed_bytes, write_framed};
use crate::blob::Blob;
use crate::discover::SourceFile;
use crate::fsread::{ReadError, Stamp, read_listed};

/// How one kind of file is parsed, and stored without what its bytes give back.
pub(super) trait Parser {
    type Output: Clone + Send + Sync + 'static;
    /// Everything besides the bytes that shapes the result (kind, URL, paths).
    fn identity(&self) -> String;
    fn parse(&self, read: Result<&[u8], &ReadError>) -> Self::Output;
    /// The result as stored; `None` when it cannot be restored from `bytes` exactly.
    fn save<'a>(&self, value: &'a Self::Output, bytes: &[u8]) -> Option<Stored<'a>>;
    /// The result stored for `bytes`; may take `bytes` (leaving them empty) only when it
    /// returns `Some`, so that a failed restore can still parse them.
    fn restore(&self, stored: Stored<'_>, bytes: &mut Vec<u8>) -> Option<Self::Output>;
    /// Notes in a result the digest of the bytes it was made from (parsed or restored).
    fn note_origin(&self, _value: &mut Self::Output, _digest: &Digest) {}
}

pub(super) type Digest = [u8; 32];

/// An image's entry: its identity, and the digest it goes without (its bytes are not hashed).
const IMAGE: &str = "image";
const NO_DIGEST: Digest = [0; 32];

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
    /// Files taken by their stamp, without hashing their bytes (images included).
    trusted: AtomicUsize,
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

    /// How many files the last load took by their stamp alone (see the module's note).
    pub fn trusted(&self) -> usize {
        self.trusted.load(Ordering::Relaxed)
    }

    pub(super) fn begin(&mut self) {
        self.generation += 1;
        self.parsed.store(0, Ordering::Relaxed);
        self.reused.store(0, Ordering::Relaxed);
        self.trusted.store(0, Ordering::Relaxed);
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
        let (mut bytes, stamp) = match read_listed(&file.path, cap) {
            Ok(read) => read,
            Err(err) => {
                self.parsed.fetch_add(1, Ordering::Relaxed);
                return parser.parse(Err(&err));
            }
        };
        let identity = parser.identity();
        let path = file.rel.as_str();
        let disk = self.disk.as_ref();
        let trusted = disk.and_then(|disk| disk.trusted_digest(path, &identity, stamp, bytes.len()));
        if trusted.is_some() {
            self.trusted.fetch_add(1, Ordering::Relaxed);
        }
        let digest = trusted.unwrap_or_else(|| *blake3::hash(&bytes).as_bytes());
        if let Some(value) = self.remembered::<P::Output>(&file.path, &identity, &digest) {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return value;
        }
        let restored = disk
            .and_then(|disk| disk.take(path, &identity, &digest, stamp, |s| parser.restore(s, &mut bytes)));
        let mut value = match restored {
            Some(value) => {
                self.reused.fetch_add(1, Ordering::Relaxed);
                value
            }
            None => {
                self.parsed.fetch_add(1, Ordering::Relaxed);
                let value = parser.parse(Ok(&bytes));
                if let Some(disk) = disk {
                    disk.put(path, &identity, digest, stamp, parser.save(&value, &bytes));
                }
                value
            }
        };
        parser.note_origin(&mut value, &digest);
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

    /// The size of the image `file`, from the disk cache when the listing's stamp of the file
    /// is the one recorded with it; else `read` (and kept for the next run).
    pub(super) fn dimensions(
        &self,
        file: &SourceFile,
        read: impl FnOnce() -> Option<(u32, u32)>,
    ) -> Option<(u32, u32)> {
        let (Some(disk), Some(stamp)) = (self.disk.as_ref(), file.stamp) else {
            return read();
        };
        let path = file.rel.as_str();
        let stored = |stored: Stored<'_>| match stored {
            Stored::Dimensions(size) => Some(size),
            _ => None,
        };
        if let Some(size) = disk.take_stamped(path, IMAGE, stamp, stored) {
            self.trusted.fetch_add(1, Ordering::Relaxed);
            return size;
        }
        let size = read();
        // An entry whose stamp could not be trusted (one changed too recently when it was
        // written, or since) stays as it is when the header still gives its size, as a
        // document's does when its bytes still have its digest.
        let confirmed = disk.take(path, IMAGE, &NO_DIGEST, Some(stamp), |s| {
            stored(s).filter(|old| *old == size)
        });
        if confirmed.is_none() {
            disk.put(
                path,
                IMAGE,
                NO_DIGEST,
                Some(stamp),
                Some(Stored::Dimensions(size)),
            );
        }
        size
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
    /// The file as read: the entries' payloads are decoded from it where they lie (one
    /// allocation for the file rather than one per entry).
    bytes: Vec<u8>,
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
            format: "parse 7".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            executable: executable()?,
        })
    }
}

/// One file's stored parse: its payload is decoded only when the file is loaded, on the
/// thread that loads it.
#[derive(Debug)]
struct DiskEntry {
    identity: String,
    digest: Digest,
    /// The file's stamp when `digest` was taken, if it was settled when the cache was written.
    stamp: Option<Stamp>,
    payload: Payload,
}

#[derive(Debug)]
enum Payload {
    /// Where it lies in the file read ([`Disk::bytes`]).
    Read(std::ops::Range<usize>),
    Made(Vec<u8>),
}

/// A [`DiskEntry`] as the file holds it, read borrowed from the file's bytes.
#[derive(Serialize, Deserialize)]
struct Written<'a> {
    #[serde(borrow)]
    identity: std::borrow::Cow<'a, str>,
    digest: Digest,
    stamp: Option<Stamp>,
    #[serde(borrow)]
    payload: Blob<'a>,
}

type Listed<'a> = Vec<(std::borrow::Cow<'a, str>, Written<'a>)>;

impl Disk {
    fn new(file: PathBuf) -> Disk {
        Disk {
            file,
            bytes: Vec::new(),
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, DiskState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads what the last run left, if the same executable made it.
    fn read(&mut self) {
        let key = FileKey::new();
        let (bytes, at) = key
            .as_ref()
            .and_then(|key| read_framed_bytes(&self.file, key))
            .unwrap_or_default();
        let old = index(&bytes, at).unwrap_or_default();
        self.bytes = bytes;
        *self.state.get_mut().unwrap_or_else(PoisonError::into_inner) = DiskState {
            dirty: old.is_empty(),
            key,
            old,
            kept: HashMap::new(),
        };
    }

    /// The digest recorded for `path` under this identity, when `stamp` (of the `len` bytes
    /// just read) is the one recorded with it: those bytes need not be hashed again.
    fn trusted_digest(&self, path: &str, identity: &str, stamp: Option<Stamp>, len: usize) -> Option<Digest> {
        let stamp = stamp.filter(|s| s.size() == len as u64)?;
        let state = self.lock();
        let entry = state.old.get(path)?;
        (entry.stamp == Some(stamp) && entry.identity == identity).then_some(entry.digest)
    }

    /// The stored result for `path` restored by `restore`, when it was made from these bytes
    /// under this identity; the entry then records `stamp`.
    fn take<T>(
        &self,
        path: &str,
        identity: &str,
        digest: &Digest,
        stamp: Option<Stamp>,
        restore: impl FnOnce(Stored<'_>) -> Option<T>,
    ) -> Option<T> {
        let mut entry = self.lock().old.remove(path)?;
        let payload = match &entry.payload {
            Payload::Read(range) => self.bytes.get(range.clone()).unwrap_or_default(),
            Payload::Made(bytes) => bytes,
        };
        let restored = (entry.identity == identity && entry.digest == *digest)
            .then(|| encoding().deserialize::<Stored<'_>>(payload).ok())
            .flatten()
            .and_then(restore);
        let mut state = self.lock();
        if restored.is_some() {
            // A touched file keeps its parse, and its new stamp spares the next run the
            // hashing. A stamp that has only settled since (none was recorded) is not worth
            // writing the file for: it is recorded with the next change.
            state.dirty |= entry.stamp.is_some() && entry.stamp != stamp;
            entry.stamp = stamp;
            state.kept.insert(path.to_owned(), entry);
        } else {
            state.dirty = true;
        }
        restored
    }

    /// [`Disk::take`] for a file whose bytes are not hashed: by its stamp alone.
    fn take_stamped<T>(
        &self,
        path: &str,
        identity: &str,
        stamp: Stamp,
        restore: impl FnOnce(Stored<'_>) -> Option<T>,
    ) -> Option<T> {
        let len = usize::try_from(stamp.size()).ok()?;
        let digest = self.trusted_digest(path, identity, Some(stamp), len)?;
        self.take(path, identity, &digest, Some(stamp), restore)
    }

    /// Keeps a fresh result (`None`: one that cannot be stored, so the file goes without it).
    fn put(
        &self,
        path: &str,
        identity: &str,
        digest: Digest,
        stamp: Option<Stamp>,
        stored: Option<Stored<'_>>,
    ) {
        let payload = stored.and_then(|stored| encoding().serialize(&stored).ok());
        let mut state = self.lock();
        state.dirty = true;
        if let Some(payload) = payload {
            let entry = DiskEntry {
                identity: identity.to_owned(),
                digest,
                stamp,
                payload: Payload::Made(payload),
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
        // Stamps of files changed too recently to be told from a change still to come in the
        // same tick are not recorded (their files are hashed next time).
        let now = std::time::SystemTime::now();
        let mut entries: Listed<'_> = state
            .kept
            .iter()
            .map(|(path, entry)| {
                let payload = match &entry.payload {
                    Payload::Read(range) => self.bytes.get(range.clone()).unwrap_or_default(),
                    Payload::Made(bytes) => bytes,
                };
                let written = Written {
                    identity: entry.identity.as_str().into(),
                    digest: entry.digest,
                    stamp: entry.stamp.filter(|stamp| stamp.settled_before(now)),
                    payload: Blob(payload.into()),
                };
                (path.as_str().into(), written)
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        // The cache is only ever an optimisation: a failure to write it is not the run's.
        let _ = write_framed(&self.file, &key, &entries);
    }
}

/// The entries of a parse cache file's `bytes` (its payload from `at`), each payload left
/// where it lies.
fn index(bytes: &[u8], at: usize) -> Option<HashMap<String, DiskEntry>> {
    let listed: Listed<'_> = encoding().deserialize(bytes.get(at..)?).ok()?;
    let base = bytes.as_ptr() as usize;
    listed
        .into_iter()
        .map(|(path, written)| {
            // The payload borrows from `bytes`: its place in them, to slice them again later.
            let Blob(payload) = written.payload;
            let start = (payload.as_ptr() as usize).checked_sub(base)?;
            let entry = DiskEntry {
                identity: written.identity.into_owned(),
                digest: written.digest,
                stamp: written.stamp,
                payload: Payload::Read(start..start.checked_add(payload.len())?),
            };
            Some((path.into_owned(), entry))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> i64 {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a clock after 1970");
        i64::try_from(since.as_secs()).expect("seconds")
    }

    /// A cache file holding one entry recorded with `stamp`, read back as the next run reads it.
    fn written_with(stamp: Stamp) -> (tempfile::TempDir, Disk) {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("parse.bin");
        let mut disk = Disk::new(file.clone());
        disk.read();
        disk.put("a.md", "id", [7; 32], Some(stamp), Some(Stored::Dimensions(None)));
        disk.write();
        let mut again = Disk::new(file);
        again.read();
        (dir, again)
    }

    fn trusted(disk: &Disk, stamp: Stamp) -> Option<Digest> {
        disk.trusted_digest("a.md", "id", Some(stamp), stamp.size() as usize)
    }

    #[test]
    fn a_file_changed_in_the_second_its_cache_is_written_is_hashed_next_time() {
        // A rewrite of the same size within the same tick would keep this very stamp.
        let now = now();
        for changed in [now, now - 1] {
            let stamp = Stamp::for_test(3, changed, changed, 9);
            let (_dir, disk) = written_with(stamp);
            assert_eq!(trusted(&disk, stamp), None, "changed {} s before", now - changed);
        }
        let ctime_only = Stamp::for_test(3, now - 60, now, 9);
        let (_dir, disk) = written_with(ctime_only);
        assert_eq!(trusted(&disk, ctime_only), None);
    }

    #[test]
    fn a_settled_stamp_is_trusted_only_while_every_part_is_unchanged() {
        let then = now() - 60;
        let stamp = Stamp::for_test(3, then, then, 9);
        let (_dir, disk) = written_with(stamp);
        assert_eq!(trusted(&disk, stamp), Some([7; 32]));
        for other in [
            Stamp::for_test(4, then, then, 9),
            Stamp::for_test(3, then + 1, then, 9),
            Stamp::for_test(3, then, then + 1, 9),
            Stamp::for_test(3, then, then, 10),
        ] {
            assert_eq!(trusted(&disk, other), None, "{other:?}");
        }
        assert_eq!(
            disk.trusted_digest("a.md", "id", Some(stamp), 4),
            None,
            "bytes read"
        );
        assert_eq!(
            disk.trusted_digest("a.md", "other", Some(stamp), 3),
            None,
            "identity"
        );
        assert_eq!(disk.trusted_digest("a.md", "id", None, 3), None, "no stamp");
    }
}
