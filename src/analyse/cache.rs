//! Rendered documents kept between the preview server's rebuilds.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::document::{self, RenderedDoc};
use super::highlight::Highlighter;
use super::links::SiteLinks;
use crate::model::{Document, RelPath};

/// Rendered documents by source path, valid while the site's link fingerprint is unchanged.
#[derive(Debug, Default)]
pub struct DocumentCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    fingerprint: u64,
    docs: HashMap<RelPath, (u64, RenderedDoc)>,
}

impl DocumentCache {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets everything when links may now resolve differently.
    pub(super) fn prepare(&self, fingerprint: u64) {
        let mut inner = self.lock();
        if inner.fingerprint != fingerprint {
            inner.docs.clear();
            inner.fingerprint = fingerprint;
        }
    }

    /// `doc` rendered, from the cache when neither it nor anything its links resolve against
    /// has changed.
    pub(super) fn render(&self, doc: &Document, links: &SiteLinks, highlighter: &Highlighter) -> RenderedDoc {
        let key = key(doc);
        let hit = self
            .lock()
            .docs
            .get(&doc.source)
            .filter(|(k, _)| *k == key)
            .map(|(_, rendered)| rendered.clone());
        if let Some(hit) = hit {
            return hit;
        }
        let rendered = document::render(doc, links, highlighter);
        self.lock()
            .docs
            .insert(doc.source.clone(), (key, rendered.clone()));
        rendered
    }
}

/// Everything of a document its rendering depends on.
fn key(doc: &Document) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (&doc.url, &doc.body, doc.body_line).hash(&mut hasher);
    hasher.finish()
}
