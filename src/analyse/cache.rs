//! Rendered documents kept between runs: in memory between the preview server's rebuilds, and
//! on disk between commands ([`super::store`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::Depth;
use super::document::RenderedDoc;
use super::links::LinkResolver;
use super::store::{Asked, Recorder, Store};
use crate::model::{Document, RelPath};

/// How many bytes of bodies and search texts a build without a cache keeps in memory before
/// it leaves the rest in a scratch file: more than the 10x corpus has (~45 MB), a sixth of
/// what the 50x corpus has.
const SCRATCH_AFTER: u64 = 64 << 20;

/// Rendered documents by source path: in memory (the preview server) and on disk when a cache
/// folder is given. Either way a result is reused only while its document is unchanged and
/// every question its pass asked the link table gets the same answer ([`Recorder`]).
#[derive(Debug, Default)]
pub struct DocumentCache {
    inner: Mutex<Inner>,
    /// Whether to keep rendered pages in memory (worth it only across rebuilds).
    memory: bool,
    disk: Option<Store>,
}

#[derive(Debug, Default)]
struct Inner {
    /// What the current run asks for: only pages are kept in memory.
    depth: Option<Depth>,
    docs: HashMap<RelPath, Arc<Kept>>,
}

/// A result kept in memory, with what it was made from.
#[derive(Debug)]
struct Kept {
    key: u64,
    asked: Vec<Asked<'static>>,
    /// Shared with the analyses that use it: render only reads it, so a rebuild that
    /// reuses it copies nothing.
    rendered: Arc<RenderedDoc>,
}

impl DocumentCache {
    /// A cache in memory, for the preview server's rebuilds.
    pub fn new() -> Self {
        DocumentCache {
            memory: true,
            ..Self::default()
        }
    }

    /// A cache on disk in `dir` (see [`super::store::locate`]), for one command.
    pub fn on_disk(dir: PathBuf) -> Self {
        DocumentCache {
            disk: Some(Store::new(dir)),
            ..Self::default()
        }
    }

    /// No cache, for a build that must not use one (`--no-cache`), but a scratch file in `dir`
    /// (the system's temporary folder) its pages' bodies and search texts go to once those
    /// kept in memory pass 64 MiB, so that such a build's memory does not grow with the site.
    pub fn scratch(dir: PathBuf) -> Self {
        DocumentCache {
            disk: Some(Store::scratch(dir, SCRATCH_AFTER)),
            ..Self::default()
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a run at `depth`, reading the disk cache.
    pub(super) fn prepare(&self, depth: Depth) {
        self.lock().depth = Some(depth);
        if let Some(disk) = &self.disk {
            disk.prepare(depth);
        }
    }

    /// Reads and indexes the disk cache for a run at `depth` ahead of the analysis (which then
    /// does not read it again), so it can be done beside the load, while one thread walks the
    /// tree.
    pub fn prefetch(&self, depth: Depth) {
        if let Some(disk) = &self.disk {
            disk.prepare(depth);
        }
    }

    /// Whether `doc`'s result is at hand, so nothing needs computing for it.
    pub(super) fn has(&self, doc: &Document) -> bool {
        let in_memory = self.memory && {
            let inner = self.lock();
            inner.depth == Some(Depth::Pages)
                && inner
                    .docs
                    .get(&doc.source)
                    .is_some_and(|kept| kept.key == key(doc))
        };
        in_memory || self.disk.as_ref().is_some_and(|disk| disk.has(doc))
    }

    /// `doc`'s result, from the cache when neither it nor anything its links resolve against
    /// has changed, else from `compute` with `links` (through a recorder when the result is
    /// kept, so it can be reused for as long as its links resolve the same way).
    pub(super) fn get(
        &self,
        doc: &Document,
        links: &dyn LinkResolver,
        compute: impl FnOnce(&dyn LinkResolver) -> RenderedDoc,
    ) -> Arc<RenderedDoc> {
        let memory = self.memory && self.lock().depth == Some(Depth::Pages);
        // Only the memory cache compares it (the disk cache compares the document itself).
        let key = if memory { key(doc) } else { 0 };
        if memory {
            // Taken out of the lock before its links are asked about: the documents are
            // checked in parallel.
            let kept = self.lock().docs.get(&doc.source).cloned();
            let hit = kept.filter(|kept| kept.key == key && kept.asked.iter().all(|a| a.holds(doc, links)));
            if let Some(kept) = hit {
                return Arc::clone(&kept.rendered);
            }
        }
        if let Some(rendered) = self.disk.as_ref().and_then(|disk| disk.take(doc, links)) {
            return Arc::new(rendered);
        }
        if !memory && self.disk.is_none() {
            return Arc::new(compute(links));
        }
        let recorder = Recorder::new(links);
        let mut rendered = compute(&recorder);
        let asked = recorder.asked();
        if let Some(disk) = &self.disk {
            let written = disk.put(doc, &asked, &rendered);
            // What the memory cache keeps must stay whole for the next rebuild.
            if let Some(deferred) = written.filter(|_| !memory) {
                disk.leave(&mut rendered, deferred);
            }
        }
        let rendered = Arc::new(rendered);
        if memory {
            let kept = Kept {
                key,
                asked: asked.clone(),
                rendered: Arc::clone(&rendered),
            };
            self.lock().docs.insert(doc.source.clone(), Arc::new(kept));
        }
        rendered
    }

    /// Removes the disk cache's file of page results (one found damaged), so the next run
    /// makes every page afresh and writes it whole.
    pub fn discard_pages(&self) {
        if let Some(disk) = &self.disk {
            disk.discard(Depth::Pages);
        }
    }

    /// The page bodies the disk cache left in its file this run (see [`super::store::Deferred`]).
    pub(super) fn deferred(&self) -> super::Bodies {
        super::Bodies(self.disk.as_ref().map(Store::take_deferred).unwrap_or_default())
    }

    /// Ends a run: the disk cache keeps exactly these results.
    pub(super) fn finish(&self, docs: &[&Document]) {
        if let Some(disk) = &self.disk {
            disk.finish(docs);
        }
    }
}

/// Everything of a document its rendering depends on (besides the link table).
fn key(doc: &Document) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (&doc.url, &doc.title, &doc.body, doc.body_line).hash(&mut hasher);
    hasher.finish()
}
