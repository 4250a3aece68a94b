//! Rendered documents kept between runs: in memory between the preview server's rebuilds, and
//! on disk between commands ([`super::store`]).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::Depth;
use super::document::RenderedDoc;
use super::links::LinkResolver;
use super::store::{Recorder, Store};
use crate::model::{Document, RelPath};

/// Rendered documents by source path: in memory while the site's link fingerprint is
/// unchanged (the preview server), and on disk when a cache folder is given.
#[derive(Debug, Default)]
pub struct DocumentCache {
    inner: Mutex<Inner>,
    /// Whether to keep rendered pages in memory (worth it only across rebuilds).
    memory: bool,
    disk: Option<Store>,
}

#[derive(Debug, Default)]
struct Inner {
    fingerprint: u64,
    /// What the current run asks for: only pages are kept in memory.
    depth: Option<Depth>,
    docs: HashMap<RelPath, (u64, RenderedDoc)>,
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

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a run: forgets what links may now resolve differently, and reads the disk cache.
    pub(super) fn prepare(&self, fingerprint: u64, depth: Depth) {
        {
            let mut inner = self.lock();
            if inner.fingerprint != fingerprint {
                inner.docs.clear();
                inner.fingerprint = fingerprint;
            }
            inner.depth = Some(depth);
        }
        if let Some(disk) = &self.disk {
            disk.prepare(depth);
        }
    }

    /// Whether `doc`'s result is at hand, so nothing needs computing for it.
    pub(super) fn has(&self, doc: &Document) -> bool {
        let in_memory = self.memory && {
            let inner = self.lock();
            inner.depth == Some(Depth::Pages)
                && inner.docs.get(&doc.source).is_some_and(|(k, _)| *k == key(doc))
        };
        in_memory || self.disk.as_ref().is_some_and(|disk| disk.has(doc))
    }

    /// `doc`'s result, from the cache when neither it nor anything its links resolve against
    /// has changed, else from `compute` with `links` (through a recorder when the result is
    /// kept on disk, so it can be reused for as long as its links resolve the same way).
    pub(super) fn get(
        &self,
        doc: &Document,
        links: &dyn LinkResolver,
        compute: impl FnOnce(&dyn LinkResolver) -> RenderedDoc,
    ) -> RenderedDoc {
        let memory = self.memory && self.lock().depth == Some(Depth::Pages);
        let key = key(doc);
        if memory {
            let hit = self
                .lock()
                .docs
                .get(&doc.source)
                .filter(|(k, _)| *k == key)
                .map(|(_, r)| r.clone());
            if let Some(hit) = hit {
                return hit;
            }
        }
        let rendered = match &self.disk {
            Some(disk) => disk.take(doc, links).unwrap_or_else(|| {
                let recorder = Recorder::new(links);
                let rendered = compute(&recorder);
                disk.keep(doc, recorder.asked());
                rendered
            }),
            None => compute(links),
        };
        if memory {
            self.lock()
                .docs
                .insert(doc.source.clone(), (key, rendered.clone()));
        }
        rendered
    }

    /// Ends a run: the disk cache keeps exactly these results.
    pub(super) fn finish(&self, docs: &[&Document], results: &[RenderedDoc]) {
        if let Some(disk) = &self.disk {
            disk.finish(docs, results);
        }
    }
}

/// Everything of a document its rendering depends on (besides the link table).
fn key(doc: &Document) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (&doc.url, &doc.title, &doc.body, doc.body_line).hash(&mut hasher);
    hasher.finish()
}
