//! What the server is showing: the last good build and the problems of the latest attempt,
//! replaced together under one lock so a request never sees half of a change.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Level};
use crate::output::{Content, OutputFile, Sink};
use crate::render::memo::RenderKey;

use super::reload::Hub;

/// A file of the built site.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    Bytes(Arc<[u8]>),
    /// Read from the source on request; assets are not held in memory.
    File(PathBuf),
}

/// One complete build.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    /// By path within the site (`projects/x/index.html`).
    pub files: HashMap<String, Entry>,
    /// The key each page was made from, so the next rebuild keeps those whose key is the same
    /// without rendering them.
    pub keys: HashMap<String, RenderKey>,
}

/// An error, without its line, for telling whether a rebuild brought new errors: moving an existing error down a few lines by editing above it
/// does not make it a new one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ErrorKey {
    file: Option<crate::model::RelPath>,
    code: String,
    message: String,
}

pub(crate) fn error_keys(diagnostics: &[Diagnostic]) -> BTreeSet<ErrorKey> {
    diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .map(|d| ErrorKey {
            file: d.file.clone(),
            code: d.code.clone(),
            message: d.message.clone(),
        })
        .collect()
}

/// Makes a snapshot as the pages are rendered (a [`Sink`]), keeping the bytes the previous
/// snapshot already holds for every file that did not change, and counting those that did.
/// A page whose key is the one the previous snapshot's page was made from is not rendered at
/// all ([`Sink::reuse`]).
pub(crate) struct Collector<'p> {
    previous: Option<&'p Snapshot>,
    made: Mutex<Snapshot>,
    changed: AtomicUsize,
}

impl<'p> Collector<'p> {
    pub fn new(previous: Option<&'p Snapshot>) -> Self {
        Collector {
            previous,
            made: Mutex::new(Snapshot::default()),
            changed: AtomicUsize::new(0),
        }
    }

    /// The snapshot, and how many of its files are new or differ from the previous one's.
    pub fn finish(self) -> (Snapshot, usize) {
        let made = self.made.into_inner().unwrap_or_else(PoisonError::into_inner);
        (made, self.changed.into_inner())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Snapshot> {
        self.made.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn entry(&self, path: &str, content: Content) -> Entry {
        let earlier = self.previous.and_then(|p| p.files.get(path));
        match (content, earlier) {
            (Content::Bytes(bytes), Some(Entry::Bytes(old))) if **old == *bytes => {
                Entry::Bytes(Arc::clone(old))
            }
            (Content::Copy(source), Some(Entry::File(old))) if *old == source => Entry::File(source),
            (content, _) => {
                self.changed.fetch_add(1, Ordering::Relaxed);
                match content {
                    Content::Copy(source) => Entry::File(source),
                    Content::Bytes(bytes) | Content::Page(bytes, _) => Entry::Bytes(bytes.into()),
                    // Never without `reuse` having put the entry in already.
                    Content::Kept(_) => Entry::Bytes(Arc::from(&[][..])),
                }
            }
        }
    }
}

impl Sink for Collector<'_> {
    fn put(&self, file: OutputFile) -> crate::error::Result<()> {
        let path: String = file.path.into();
        let (content, key) = match file.content {
            // `reuse` put it in already.
            Content::Kept(_) => return Ok(()),
            Content::Page(bytes, key) => (Content::Bytes(bytes), Some(key)),
            other => (other, None),
        };
        let entry = self.entry(&path, content);
        let mut made = self.lock();
        if let Some(key) = key {
            made.keys.insert(path.clone(), key);
        }
        made.files.insert(path, entry);
        Ok(())
    }

    /// The next rebuild keeps what this one made.
    fn remembers(&self) -> bool {
        true
    }

    /// The previous snapshot's files under `folder`, when every one was made from `key`.
    fn reuse_all(&self, folder: &str, key: &RenderKey) -> bool {
        let Some(previous) = self.previous else {
            return false;
        };
        let group: Vec<(&String, &RenderKey)> = previous
            .keys
            .iter()
            .filter(|(p, _)| p.starts_with(folder))
            .collect();
        if group.is_empty() || group.iter().any(|(_, k)| *k != key) {
            return false;
        }
        let entries: Option<Vec<(&String, &Entry)>> = group
            .iter()
            .map(|(path, _)| previous.files.get(*path).map(|entry| (*path, entry)))
            .collect();
        let Some(entries) = entries else {
            return false;
        };
        let mut made = self.lock();
        for (path, entry) in entries {
            made.keys.insert(path.clone(), *key);
            made.files.insert(path.clone(), entry.clone());
        }
        true
    }

    /// Whether the previous snapshot has a page at `path` (else it is keyed as it is made).
    fn may_reuse(&self, path: &str) -> bool {
        self.previous
            .is_some_and(|previous| previous.keys.contains_key(path))
    }

    /// The previous snapshot's page at `path`, when it was made from `key`: shared, not
    /// rendered again.
    fn reuse(&self, path: &str, key: &RenderKey) -> bool {
        let Some(previous) = self.previous else {
            return false;
        };
        let kept = previous.keys.get(path) == Some(key);
        let Some(entry) = previous.files.get(path).filter(|_| kept) else {
            return false;
        };
        let mut made = self.lock();
        made.keys.insert(path.to_owned(), *key);
        made.files.insert(path.to_owned(), entry.clone());
        true
    }
}

/// What every response is made from.
#[derive(Debug, Default)]
pub(crate) struct View {
    pub snapshot: Arc<Snapshot>,
    /// Shown as an overlay on every page while not empty.
    pub problems: Arc<[Diagnostic]>,
    /// The latest build was rejected, so the pages are older than the problems.
    pub stale: bool,
    /// Changes with every publish; pages carry it so a tab can tell it is stale.
    pub version: u64,
}

pub(crate) struct Shared {
    view: RwLock<Arc<View>>,
    pub hub: Hub,
    pub stopping: AtomicBool,
    /// The address actually bound, which the event stream checks `Host` against.
    pub addr: SocketAddr,
    pub heartbeat: Duration,
}

impl Shared {
    pub fn new(addr: SocketAddr, heartbeat: Duration, max_streams: usize) -> Self {
        // Versions continue from the clock, so a tab left open across a restart of the server
        // sees a different version and reloads.
        let version = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| u64::try_from(since.as_millis()).unwrap_or(0));
        Shared {
            view: RwLock::new(Arc::new(View {
                version,
                ..View::default()
            })),
            hub: Hub::new(max_streams),
            stopping: AtomicBool::new(false),
            addr,
            heartbeat,
        }
    }

    pub fn view(&self) -> Arc<View> {
        Arc::clone(&self.view.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Swaps in a new view and only then tells the tabs, so that the reload they do finds the
    /// new pages.
    pub fn publish(&self, snapshot: Option<Arc<Snapshot>>, problems: Vec<Diagnostic>) {
        let (version, replaced) = {
            let mut current = self.view.write().unwrap_or_else(PoisonError::into_inner);
            let stale = snapshot.is_none();
            let snapshot = snapshot.unwrap_or_else(|| Arc::clone(&current.snapshot));
            let version = current.version + 1;
            let view = Arc::new(View {
                snapshot,
                problems: problems.into(),
                stale,
                version,
            });
            (version, std::mem::replace(&mut *current, view))
        };
        self.hub.broadcast(version);
        // Usually the last hold on the previous build's files: freed once the tabs are told,
        // not while they wait (nor under the lock every request takes).
        drop(replaced);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.to_owned().into(),
            content: Content::Bytes(text.as_bytes().to_vec()),
        }
    }

    fn collect(previous: Option<&Snapshot>, files: Vec<OutputFile>) -> (Snapshot, usize) {
        let collector = Collector::new(previous);
        for file in files {
            collector.put(file).expect("a collector never fails");
        }
        collector.finish()
    }

    fn keyed(path: &str, text: &str, key: u8) -> OutputFile {
        OutputFile {
            path: path.to_owned().into(),
            content: Content::Page(text.as_bytes().to_vec(), RenderKey([key; 32])),
        }
    }

    #[test]
    fn a_page_or_folder_made_from_the_same_key_is_kept_and_not_counted() {
        let (first, _) = collect(
            None,
            vec![
                keyed("a.html", "one", 1),
                keyed("search/x.json", "x", 9),
                keyed("search/y.json", "y", 9),
            ],
        );
        let collector = Collector::new(Some(&first));
        assert!(collector.reuse("a.html", &RenderKey([1; 32])));
        assert!(!collector.reuse("a.html", &RenderKey([2; 32])), "another key");
        assert!(!collector.reuse("b.html", &RenderKey([1; 32])), "no such page");
        assert!(
            !collector.reuse_all("search/", &RenderKey([8; 32])),
            "another key"
        );
        assert!(collector.reuse_all("search/", &RenderKey([9; 32])));
        let (second, changed) = collector.finish();
        assert_eq!(changed, 0, "kept files are not changes");
        let mut paths: Vec<&String> = second.files.keys().collect();
        paths.sort();
        assert_eq!(paths, ["a.html", "search/x.json", "search/y.json"]);
        assert_eq!(second.keys.get("a.html"), Some(&RenderKey([1; 32])));
    }

    #[test]
    fn a_rebuild_shares_unchanged_files_and_counts_the_rest() {
        let (first, changed) = collect(None, vec![page("a.html", "one"), page("b.html", "two")]);
        assert_eq!(changed, 2, "everything is new at first");
        let (second, changed) = collect(
            Some(&first),
            vec![
                page("a.html", "one"),
                page("b.html", "TWO"),
                page("c.html", "three"),
            ],
        );
        assert_eq!(changed, 2, "b changed and c is new");
        let shared = |snapshot: &Snapshot| match snapshot.files.get("a.html") {
            Some(Entry::Bytes(bytes)) => Some(Arc::clone(bytes)),
            _ => None,
        };
        let (old, new) = (shared(&first), shared(&second));
        assert!(
            matches!((&old, &new), (Some(o), Some(n)) if Arc::ptr_eq(o, n)),
            "the unchanged page is not shared"
        );
        assert!(
            matches!(second.files.get("b.html"), Some(Entry::Bytes(b)) if &b[..] == b"TWO"),
            "the changed page has its new bytes"
        );
    }
}
