//! A load kept between the preview server's rebuilds, so that a save re-reads only the files
//! the watcher named. [`Loaded::refresh`] skips `discover` and every unchanged file, and
//! assembles the `Site` with the same code as a full load; it declines (`None`, the caller
//! then loads in full) whenever the edit could make discovery find something else.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;

use super::{LoadedDocument, LoadedSidecar, ParseCache};
use crate::config::Config;
use crate::discover::{self, Discovered, SourceFile};
use crate::model::Site;

/// Where each file of a load comes from: the previous load's result for files known to be
/// unchanged, else a read through the parse cache (or a plain read without one).
pub(super) struct Reader<'a> {
    pub cap: u64,
    pub cache: Option<&'a ParseCache>,
    /// A refresh's previous results, from which the changed files were removed.
    pub previous: Option<&'a Parts>,
    /// What this load read, kept when the load is kept.
    pub fresh: Option<Mutex<Parts>>,
}

/// Each file's parse output (or image size) from a load, by the path it was read from.
#[derive(Debug, Default, Clone)]
pub(super) struct Parts {
    /// With the parser's identity (kind, URL), which a refresh cannot change but is checked.
    documents: HashMap<PathBuf, (String, Arc<LoadedDocument>)>,
    sidecars: HashMap<PathBuf, Arc<LoadedSidecar>>,
    dimensions: HashMap<PathBuf, Option<(u32, u32)>>,
}

impl Parts {
    fn forget(&mut self, path: &Path) {
        self.documents.remove(path);
        self.sidecars.remove(path);
        self.dimensions.remove(path);
    }

    fn absorb(&mut self, other: Parts) {
        self.documents.extend(other.documents);
        self.sidecars.extend(other.sidecars);
        self.dimensions.extend(other.dimensions);
    }

    fn len(&self) -> usize {
        self.documents.len() + self.sidecars.len() + self.dimensions.len()
    }
}

impl<'a> Reader<'a> {
    /// Reads every file (through `cache`, if any) and keeps nothing.
    pub fn plain(config: &Config, cache: Option<&'a ParseCache>) -> Self {
        Reader {
            cap: config.limits.file_bytes,
            cache,
            previous: None,
            fresh: None,
        }
    }

    /// What this load read.
    pub fn into_parts(self) -> Parts {
        self.fresh
            .map(|f| f.into_inner().unwrap_or_else(PoisonError::into_inner))
            .unwrap_or_default()
    }

    fn keep(&self, record: impl FnOnce(&mut Parts)) {
        if let Some(fresh) = &self.fresh {
            record(&mut fresh.lock().unwrap_or_else(PoisonError::into_inner));
        }
    }

    /// `identity` is asked only of a kept load (a plain build need not format it).
    pub fn document(
        &self,
        file: &SourceFile,
        identity: impl Fn() -> String,
        read: impl FnOnce() -> LoadedDocument,
    ) -> LoadedDocument {
        let kept = self
            .previous
            .and_then(|p| p.documents.get(&file.path))
            .filter(|(id, _)| *id == identity());
        if let Some((_, value)) = kept {
            return LoadedDocument::clone(value);
        }
        let value = read();
        self.keep(|parts| {
            parts
                .documents
                .insert(file.path.clone(), (identity(), Arc::new(value.clone())));
        });
        value
    }

    pub fn sidecar(&self, file: &SourceFile, read: impl FnOnce() -> LoadedSidecar) -> LoadedSidecar {
        if let Some(value) = self.previous.and_then(|p| p.sidecars.get(&file.path)) {
            return LoadedSidecar::clone(value);
        }
        let value = read();
        self.keep(|parts| {
            parts.sidecars.insert(file.path.clone(), Arc::new(value.clone()));
        });
        value
    }

    pub fn dimensions(
        &self,
        file: &SourceFile,
        read: impl FnOnce() -> Option<(u32, u32)>,
    ) -> Option<(u32, u32)> {
        if let Some(value) = self.previous.and_then(|p| p.dimensions.get(&file.path)) {
            return *value;
        }
        let value = read();
        self.keep(|parts| {
            parts.dimensions.insert(file.path.clone(), value);
        });
        value
    }
}

/// Which list of [`Discovered`] a file sits in, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    UnitDocument(usize, usize),
    UnitAsset(usize, usize),
    Sidecar(usize),
    ProcessDoc(usize),
    ProcessFile(usize),
    Page(usize),
}

impl Place {
    fn is_asset(self) -> bool {
        matches!(self, Place::UnitAsset(..) | Place::ProcessFile(_))
    }
}

/// A full load's discovery and each file's parse output, kept by `serve` (see the module's
/// note).
#[derive(Debug)]
pub struct Loaded {
    discovered: Discovered,
    parts: Parts,
    /// Every file read, by the path the watcher reports (the resolved root joined with the
    /// file's root-relative path).
    index: HashMap<PathBuf, Place>,
    /// Paths discovery knew of besides those files: the files and folders its findings name
    /// (refused assets, hidden documents…) and every folder holding a file or unit.
    mentioned: HashSet<PathBuf>,
    /// The summed size of what the walk counted against `[limits] total_bytes`, at most
    /// over-estimated (files named by findings are included whether or not they counted).
    total: u64,
    /// False when no refresh can be trusted: a file is a symbolic link (an edit of its target
    /// names the target), the walk hit a limit, or the root cannot be resolved.
    refreshable: bool,
    root: PathBuf,
}

impl Loaded {
    pub(super) fn new(config: &Config, discovered: Discovered, parts: Parts) -> Loaded {
        let root = config.root.canonicalize().ok();
        let mut loaded = Loaded {
            discovered,
            parts,
            index: HashMap::new(),
            mentioned: HashSet::new(),
            total: 0,
            refreshable: root.is_some(),
            root: root.unwrap_or_default(),
        };
        loaded.index_files();
        loaded.note_findings();
        loaded
    }

    fn files(&self) -> Vec<(Place, &SourceFile)> {
        let d = &self.discovered;
        let mut files = Vec::new();
        for (u, unit) in d.units.iter().enumerate() {
            files.extend(
                unit.documents
                    .iter()
                    .enumerate()
                    .map(|(i, (_, f))| (Place::UnitDocument(u, i), f)),
            );
            files.extend(
                unit.assets
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (Place::UnitAsset(u, i), f)),
            );
            files.extend(unit.sidecar.iter().map(|f| (Place::Sidecar(u), f)));
        }
        files.extend(
            d.process_docs
                .iter()
                .enumerate()
                .map(|(i, f)| (Place::ProcessDoc(i), f)),
        );
        files.extend(
            d.process_files
                .iter()
                .enumerate()
                .map(|(i, f)| (Place::ProcessFile(i), f)),
        );
        files.extend(d.pages.iter().enumerate().map(|(i, f)| (Place::Page(i), f)));
        files
    }

    fn index_files(&mut self) {
        let files = self.files();
        // One `lstat` a file, on a full load only: a link's target can change unannounced.
        let linked = files
            .par_iter()
            .any(|(_, f)| std::fs::symlink_metadata(&f.path).map_or(true, |m| !m.file_type().is_file()));
        let mut index = HashMap::with_capacity(files.len());
        let mut mentioned = HashSet::new();
        let mut total: u64 = 0;
        let mut twice = false;
        for (place, file) in files {
            let path = self.root.join(file.rel.as_str());
            mentioned.extend(
                path.ancestors()
                    .skip(1)
                    .take_while(|a| a.starts_with(&self.root))
                    .map(Path::to_path_buf),
            );
            total = total.saturating_add(file.size);
            twice |= index.insert(path, place).is_some();
        }
        for unit in &self.discovered.units {
            mentioned.insert(self.root.join(unit.dir.as_str()));
        }
        self.index = index;
        self.mentioned = mentioned;
        self.total = total;
        self.refreshable &= !linked && !twice;
    }

    /// Files and folders discovery reported on; a limit it hit makes every refresh decline.
    fn note_findings(&mut self) {
        for diagnostic in &self.discovered.diagnostics {
            if diagnostic.code == "discover/limit" {
                self.refreshable = false;
            }
            let Some(file) = diagnostic.file.as_ref() else {
                continue;
            };
            let path = self.root.join(file.as_str());
            if !self.index.contains_key(&path) {
                let size = std::fs::metadata(&path).map_or(0, |m| if m.is_file() { m.len() } else { 0 });
                self.total = self.total.saturating_add(size);
                self.mentioned.insert(path);
            }
        }
    }

    /// The site after the files in `touched` changed (paths as the watcher reports them,
    /// editors' temporary files included), reading only those; `None` when only a full load
    /// can tell (see [`Loaded::changes`]). Also returns how many files it took from before.
    pub fn refresh(
        &mut self,
        config: &Config,
        cache: &mut ParseCache,
        touched: &[PathBuf],
    ) -> Option<(Site, usize)> {
        let edits = self.changes(config, touched)?;
        cache.begin();
        for (place, size) in edits {
            // (`changes` found every place.)
            if let Some(file) = self.file_mut(place) {
                let old = std::mem::replace(&mut file.size, size);
                // (Unknown until read again: no cache may trust the listing's stamp now.)
                file.stamp = None;
                let path = file.path.clone();
                self.total = self.total.saturating_sub(old).saturating_add(size);
                self.parts.forget(&path);
            }
        }
        let reused = self.parts.len();
        let reader = Reader {
            previous: Some(&self.parts),
            fresh: Some(Mutex::default()),
            ..Reader::plain(config, Some(cache))
        };
        let site = super::load_discovered(config, &self.discovered, &reader);
        let fresh = reader.into_parts();
        self.parts.absorb(fresh);
        // (The parse cache is not finished: that would forget every file not read now.)
        Some((site, reused))
    }

    /// Each known file in `touched` with its size now, when a walk now would find what the
    /// last one found with only those sizes changed: every such file is still a regular file
    /// (not a link) and an asset is still publishable; every other path is an editor's file
    /// that discovery skips or that is gone and was never reported; the total stays within
    /// `[limits] total_bytes`.
    fn changes(&self, config: &Config, touched: &[PathBuf]) -> Option<Vec<(Place, u64)>> {
        if !self.refreshable {
            return None;
        }
        let mut edits: Vec<(Place, u64)> = Vec::new();
        let mut total = self.total;
        for path in touched {
            let Some(&place) = self.index.get(path) else {
                self.inert(path).then_some(())?;
                continue;
            };
            let meta = std::fs::symlink_metadata(path).ok()?;
            if !meta.file_type().is_file() {
                return None;
            }
            let old = self.file(place)?;
            if place.is_asset() {
                let now = SourceFile {
                    size: meta.len(),
                    ..old.clone()
                };
                if discover::unpublishable(&now, config.limits.asset_bytes).is_some() {
                    return None;
                }
            }
            total = total.saturating_sub(old.size).saturating_add(meta.len());
            if !edits.iter().any(|(p, _)| *p == place) {
                edits.push((place, meta.len()));
            }
        }
        (total <= config.limits.total_bytes).then_some(edits)
    }

    /// Whether a path no file of the load has can be passed over: discovery never named it,
    /// and it is gone, or hidden where discovery skips it silently (a hidden folder, or a
    /// hidden name that is not a Markdown file: those are reported).
    fn inert(&self, path: &Path) -> bool {
        if self.mentioned.contains(path) {
            return false;
        }
        if std::fs::symlink_metadata(path).is_err() {
            return true;
        }
        let Ok(below) = path.strip_prefix(&self.root) else {
            return false;
        };
        let hidden = |name: &std::ffi::OsStr| name.to_string_lossy().starts_with('.');
        let mut names: Vec<&std::ffi::OsStr> = below.iter().collect();
        let Some(name) = names.pop() else {
            return false;
        };
        names.into_iter().any(hidden)
            || (hidden(name) && !(path.is_file() && discover::is_markdown(&name.to_string_lossy())))
    }

    fn file(&self, place: Place) -> Option<&SourceFile> {
        let d = &self.discovered;
        match place {
            Place::UnitDocument(u, i) => d.units.get(u)?.documents.get(i).map(|(_, f)| f),
            Place::UnitAsset(u, i) => d.units.get(u)?.assets.get(i),
            Place::Sidecar(u) => d.units.get(u)?.sidecar.as_ref(),
            Place::ProcessDoc(i) => d.process_docs.get(i),
            Place::ProcessFile(i) => d.process_files.get(i),
            Place::Page(i) => d.pages.get(i),
        }
    }

    fn file_mut(&mut self, place: Place) -> Option<&mut SourceFile> {
        let d = &mut self.discovered;
        match place {
            Place::UnitDocument(u, i) => d.units.get_mut(u)?.documents.get_mut(i).map(|(_, f)| f),
            Place::UnitAsset(u, i) => d.units.get_mut(u)?.assets.get_mut(i),
            Place::Sidecar(u) => d.units.get_mut(u)?.sidecar.as_mut(),
            Place::ProcessDoc(i) => d.process_docs.get_mut(i),
            Place::ProcessFile(i) => d.process_files.get_mut(i),
            Place::Page(i) => d.pages.get_mut(i),
        }
    }
}

#[cfg(test)]
mod tests;
