//! Which file changes matter, and the watcher that reports them. Folders are watched, never
//! single files: editors save by writing a new file and renaming it over the old one, which a
//! watch on the file itself would lose after the first save.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer, new_debouncer_opt,
};

use crate::config::Config;
use crate::error::{Error, Result};

use super::ServeOptions;
use super::rebuild::Message;

/// What a change calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    /// A document, asset or process page: reload the site.
    Content,
    /// A template or theme file: render again.
    Theme,
    /// `book.toml`: read the configuration again (the folders to watch may move).
    Config,
}

/// The folders and files a configuration depends on, as absolute paths so they compare with
/// the paths the watcher reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Roots {
    pub root: PathBuf,
    content: Vec<PathBuf>,
    theme: Option<PathBuf>,
    config_file: PathBuf,
    /// The releases data file: its folder is the config file's, or inside the content.
    releases: PathBuf,
    output: PathBuf,
}

impl Roots {
    pub fn of(config: &Config) -> Roots {
        let root = absolute(&config.root);
        let mut content = vec![absolute(&root.join(&config.projects))];
        content.extend(
            config
                .process
                .as_ref()
                .map(|process| absolute(&root.join(process))),
        );
        content.sort();
        content.dedup();
        // The process folder usually holds the projects folder; one watch covers both.
        let nested: Vec<PathBuf> = content
            .iter()
            .filter(|p| content.iter().any(|q| q != *p && p.starts_with(q)))
            .cloned()
            .collect();
        content.retain(|p| !nested.contains(p));
        Roots {
            content,
            theme: config.theme.as_deref().map(absolute),
            // Without a book.toml, one created in the root is picked up.
            config_file: config
                .file
                .as_deref()
                .map_or_else(|| root.join("book.toml"), absolute),
            releases: absolute(&config.releases_target),
            output: absolute(&config.output),
            root,
        }
    }

    /// Folders to watch: content and theme with everything below them, and the config file's
    /// folder on its own.
    fn watches(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut recursive: Vec<PathBuf> = self.content.clone();
        recursive.extend(
            self.theme
                .iter()
                .filter(|t| !self.content.iter().any(|c| t.starts_with(c)))
                .cloned(),
        );
        let mut watches: Vec<(PathBuf, RecursiveMode)> = recursive
            .iter()
            .map(|p| (p.clone(), RecursiveMode::Recursive))
            .collect();
        if let Some(folder) = self.config_file.parent()
            && !recursive.iter().any(|r| folder.starts_with(r))
        {
            watches.push((folder.to_path_buf(), RecursiveMode::NonRecursive));
        }
        watches
    }

    /// Whether `path` is in a content folder, editors' temporary files included: a load
    /// kept from before must know of them too (a backup beside a document is an asset).
    pub fn holds(&self, path: &Path) -> bool {
        !path.starts_with(&self.output) && self.content.iter().any(|c| path.starts_with(c))
    }

    pub fn classify(&self, path: &Path) -> Option<Change> {
        if ignored(path) || path.starts_with(&self.output) {
            return None;
        }
        // A new or refreshed releases file changes what the configuration reads: a full load.
        if path == self.config_file || path == self.releases {
            return Some(Change::Config);
        }
        if self.theme.as_ref().is_some_and(|theme| path.starts_with(theme)) {
            return Some(Change::Theme);
        }
        self.content
            .iter()
            .any(|c| path.starts_with(c))
            .then_some(Change::Content)
    }
}

/// Canonical when the path exists (the watcher reports resolved paths), else made absolute.
fn absolute(path: &Path) -> PathBuf {
    path.canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Version-control folders, the output of a concurrent `tssa build`, and the temporary files
/// editors write beside the real one: vim's `.swp` and its `4913` probe, backups ending in
/// `~`, Emacs' `.#lock` and `#autosave#`, JetBrains' `___jb_tmp___`.
fn ignored(path: &Path) -> bool {
    let component_ignored = path.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        matches!(name.as_ref(), ".git" | ".hg" | ".svn")
            || name.contains(".tssa-staging-")
            || name.contains(".tssa-old-")
    });
    if component_ignored {
        return true;
    }
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    name.ends_with('~')
        || name == "4913"
        || name.starts_with(".#")
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swo", ".swx", ".swpx", "___jb_tmp___", "___jb_old___"]
            .iter()
            .any(|s| lower.ends_with(s))
        || name == ".DS_Store"
}

/// Reading a file is not changing it; closing it after writing is.
fn relevant(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

enum Inner {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

/// The debounced watcher; batches of changed paths go to the rebuild thread.
pub(crate) struct Watcher {
    inner: Inner,
    watched: Vec<(PathBuf, RecursiveMode)>,
    roots: Roots,
}

impl Watcher {
    pub fn start(options: &ServeOptions, sender: Sender<Message>) -> Result<Watcher> {
        let handler = move |result: DebounceEventResult| {
            let message = match result {
                Ok(events) if events.iter().any(|e| e.event.need_rescan()) => Message::Rescan,
                Ok(events) => {
                    let paths: Vec<PathBuf> = events
                        .into_iter()
                        .filter(|e| relevant(&e.event.kind))
                        .flat_map(|e| e.event.paths.clone())
                        .collect();
                    if paths.is_empty() {
                        return;
                    }
                    Message::Files(paths)
                }
                Err(errors) => Message::WatchError(
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            let _ = sender.send(message);
        };
        let failed = |err: notify::Error| {
            Error::Setup(format!(
                "cannot watch for file changes: {err}; --poll watches by polling instead"
            ))
        };
        let inner = if options.poll {
            let config = notify::Config::default().with_poll_interval(options.poll_interval);
            Inner::Poll(new_debouncer_opt(options.debounce, None, handler, NoCache, config).map_err(failed)?)
        } else {
            Inner::Native(new_debouncer(options.debounce, None, handler).map_err(failed)?)
        };
        Ok(Watcher {
            inner,
            watched: Vec::new(),
            roots: Roots::default(),
        })
    }

    pub fn roots(&self) -> &Roots {
        &self.roots
    }

    /// Watches what `roots` needs and stops watching what it no longer does. Returns warnings
    /// for folders that could not be watched.
    pub fn set_roots(&mut self, roots: Roots) -> Vec<String> {
        let wanted = roots.watches();
        let mut warnings = Vec::new();
        for (path, _) in self.watched.iter().filter(|w| !wanted.contains(w)) {
            let _ = match &mut self.inner {
                Inner::Native(d) => d.unwatch(path),
                Inner::Poll(d) => d.unwatch(path),
            };
        }
        self.watched.retain(|w| wanted.contains(w));
        for (path, mode) in wanted {
            if self.watched.contains(&(path.clone(), mode)) {
                continue;
            }
            if !path.is_dir() {
                warnings.push(format!("not watching `{}`: it does not exist", path.display()));
                continue;
            }
            let result = match &mut self.inner {
                Inner::Native(d) => d.watch(&path, mode),
                Inner::Poll(d) => d.watch(&path, mode),
            };
            match result {
                Ok(()) => self.watched.push((path, mode)),
                Err(err) => warnings.push(format!(
                    "cannot watch `{}`: {err}; changes there will not show (--poll may help)",
                    path.display()
                )),
            }
        }
        self.roots = roots;
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots() -> Roots {
        Roots {
            root: PathBuf::from("/r"),
            content: vec![PathBuf::from("/r/community/assessments")],
            theme: Some(PathBuf::from("/r/theme")),
            config_file: PathBuf::from("/r/book.toml"),
            releases: PathBuf::from("/r/releases.json"),
            output: PathBuf::from("/r/community/assessments/public"),
        }
    }

    #[test]
    fn changes_are_classified_by_place() {
        let roots = roots();
        let doc = Path::new("/r/community/assessments/projects/a/self-assessment.md");
        assert_eq!(roots.classify(doc), Some(Change::Content));
        assert_eq!(
            roots.classify(Path::new("/r/releases.json")),
            Some(Change::Config)
        );
        assert_eq!(roots.classify(Path::new("/r/.releases.json.7.tmp")), None);
        assert_eq!(
            roots.classify(Path::new("/r/theme/templates/base.html")),
            Some(Change::Theme)
        );
        assert_eq!(roots.classify(Path::new("/r/book.toml")), Some(Change::Config));
        assert_eq!(roots.classify(Path::new("/r/README.md")), None);
        assert_eq!(
            roots.classify(Path::new("/r/community/assessments/public/index.html")),
            None
        );
    }

    #[test]
    fn editor_temp_files_and_vcs_folders_are_ignored() {
        let roots = roots();
        for name in [
            ".self-assessment.md.swp",
            "self-assessment.md~",
            "4913",
            ".#self-assessment.md",
            "#self-assessment.md#",
            "self-assessment.md___jb_tmp___",
            ".git/index",
        ] {
            let path = PathBuf::from("/r/community/assessments/projects/a").join(name);
            assert_eq!(roots.classify(&path), None, "{name}");
        }
    }

    #[test]
    fn the_config_folder_is_watched_alone_and_nested_folders_once() {
        let watches = roots().watches();
        assert!(watches.contains(&(
            PathBuf::from("/r/community/assessments"),
            RecursiveMode::Recursive
        )));
        assert!(watches.contains(&(PathBuf::from("/r/theme"), RecursiveMode::Recursive)));
        assert!(watches.contains(&(PathBuf::from("/r"), RecursiveMode::NonRecursive)));
        assert_eq!(watches.len(), 3);
    }
}
