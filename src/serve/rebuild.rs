//! Rebuilding on change. A rebuild is kept only if it rendered and brought no error the
//! current build did not already have; otherwise the current pages stay up and the problems
//! are shown over them. Either way the new state is swapped in before the tabs are told.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use crate::analyse::DocumentCache;
use crate::config::{Config, Overrides};
use crate::diagnostic::{Diagnostic, Level};
use crate::error::{Error, Result};
use crate::load::{CacheStats, ParseCache, load_cached};
use crate::pipeline::{self, Themed};

use super::state::{Collector, ErrorKey, Shared, Snapshot, error_keys};
use super::watch::{Change, Roots, Watcher};
use super::{Event, Reporter, display_path};

/// What the rebuild thread is told.
#[derive(Debug)]
pub(crate) enum Message {
    /// Paths the watcher saw change, after the debounce.
    Files(Vec<PathBuf>),
    WatchError(String),
    Stop,
}

pub(crate) struct Builder {
    overrides: Overrides,
    config: Config,
    cache: ParseCache,
    /// Documents rendered by earlier builds, reused when unchanged.
    rendered: DocumentCache,
    /// The theme as the last build compiled it; dropped when the theme or the configuration
    /// changes, so that the next build reads it again.
    themed: Option<Themed>,
    /// The errors of the build being served; `None` until one has been.
    baseline: Option<BTreeSet<ErrorKey>>,
    /// The build being served, whose unchanged files the next one shares.
    served: Option<Arc<Snapshot>>,
}

pub(crate) struct Attempt {
    outcome: Outcome,
    initial: bool,
    changed: Vec<String>,
    duration: Duration,
    cache: CacheStats,
}

enum Outcome {
    Accepted {
        snapshot: Arc<Snapshot>,
        files: usize,
        /// Files new or different from the build served before.
        changed_files: usize,
        diagnostics: Vec<Diagnostic>,
    },
    Rejected {
        problems: Vec<Diagnostic>,
    },
}

impl Builder {
    pub fn new(overrides: Overrides) -> Result<Builder> {
        let config = Config::load(&overrides)?;
        Ok(Builder {
            overrides,
            config,
            cache: ParseCache::new(),
            rendered: DocumentCache::new(),
            themed: None,
            baseline: None,
            served: None,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// One build after `change`. A panic in the pipeline is caught and shown like any failed
    /// build, so the server keeps serving and rebuilding after a bug in one stage.
    pub fn build(&mut self, change: Change, changed: Vec<String>) -> Attempt {
        let started = Instant::now();
        let initial = self.baseline.is_none();
        if change >= Change::Theme {
            self.themed = None;
        }
        let reload_config = change == Change::Config;
        let outcome = match catch_unwind(AssertUnwindSafe(|| self.outcome(reload_config))) {
            Ok(outcome) => outcome,
            Err(panic) => {
                let cause = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let problem = Diagnostic::error(
                    "build/panicked",
                    format!("the build stopped on an internal error: {cause}"),
                )
                .help("this is a bug in tssa; please report it with the file that triggers it");
                Outcome::Rejected {
                    problems: vec![problem],
                }
            }
        };
        Attempt {
            outcome,
            initial,
            changed,
            duration: started.elapsed(),
            cache: self.cache.stats(),
        }
    }

    fn outcome(&mut self, reload_config: bool) -> Outcome {
        if reload_config {
            match Config::load(&self.overrides) {
                Ok(config) => self.config = config,
                Err(err) => {
                    return Outcome::Rejected {
                        problems: vec![self.problem(&err)],
                    };
                }
            }
        }
        let (site, themed) = match self.themed.take() {
            Some(themed) => (load_cached(&self.config, &mut self.cache), Ok(themed)),
            // Compiled beside the load, which needs nothing of it.
            None => {
                let (config, cache) = (&self.config, &mut self.cache);
                let (site, themed) = rayon::join(|| load_cached(config, cache), || Themed::load(config));
                (site, themed)
            }
        };
        let themed = match themed {
            Ok(themed) => self.themed.insert(themed),
            Err(err) => {
                return Outcome::Rejected {
                    problems: vec![self.problem(&err)],
                };
            }
        };
        let collector = Collector::new(self.served.as_deref());
        let built = pipeline::build_themed(&self.config, site, Some(&self.rendered), themed, &collector);
        let analysis = match built {
            Ok(analysis) => analysis,
            Err(err) => {
                return Outcome::Rejected {
                    problems: vec![self.problem(&err)],
                };
            }
        };
        // What the pages show besides each unit's verdict: reading, links, HTML, coverage.
        let diagnostics = analysis.findings;
        let errors = error_keys(&diagnostics);
        if self
            .baseline
            .as_ref()
            .is_some_and(|baseline| !errors.is_subset(baseline))
        {
            let problems = diagnostics
                .into_iter()
                .filter(|d| d.level == Level::Error)
                .collect();
            return Outcome::Rejected { problems };
        }
        self.baseline = Some(errors);
        let (snapshot, changed_files) = collector.finish();
        let files = snapshot.files.len();
        let snapshot = Arc::new(snapshot);
        self.served = Some(Arc::clone(&snapshot));
        Outcome::Accepted {
            snapshot,
            files,
            changed_files,
            diagnostics,
        }
    }

    /// A build that could not happen at all, as a problem to show.
    fn problem(&self, err: &Error) -> Diagnostic {
        match err {
            Error::Config { file, line, message } => Diagnostic::error("config/invalid", message.clone())
                .at(display_path(&self.config.root, file), Some(*line)),
            Error::Template(message) => Diagnostic::error("theme/template", message.clone()),
            other => Diagnostic::error("build/failed", other.to_string()),
        }
    }
}

/// Shows the attempt: swaps it in (or just its problems), then reports it.
pub(crate) fn publish(shared: &Shared, attempt: Attempt, report: &Reporter) {
    let Attempt {
        outcome,
        initial,
        changed,
        duration,
        cache,
    } = attempt;
    match outcome {
        Outcome::Accepted {
            snapshot,
            files,
            changed_files,
            diagnostics,
        } => {
            let problems = diagnostics
                .iter()
                .filter(|d| d.level == Level::Error)
                .cloned()
                .collect();
            shared.publish(Some(snapshot), problems);
            report(Event::Built {
                initial,
                changed,
                duration,
                files,
                changed_files,
                cache,
                diagnostics,
            });
        }
        Outcome::Rejected { problems } => {
            // The terminal first, so that whoever the reload wakes finds the same words there.
            report(Event::Rejected {
                changed,
                duration,
                problems: problems.clone(),
            });
            shared.publish(None, problems);
        }
    }
}

/// The rebuild thread: waits for changes, merges those that arrive together, rebuilds once.
pub(crate) fn run(
    messages: Receiver<Message>,
    mut builder: Builder,
    mut watcher: Watcher,
    shared: &Shared,
    report: &Reporter,
) {
    while let Ok(first) = messages.recv() {
        let mut change: Option<Change> = None;
        let mut changed = BTreeSet::new();
        for message in std::iter::once(first).chain(messages.try_iter()) {
            match message {
                Message::Stop => return,
                Message::WatchError(err) => report(Event::Warning(format!("file watcher: {err}"))),
                Message::Files(paths) => {
                    for path in paths {
                        if let Some(kind) = watcher.roots().classify(&path) {
                            change = change.max(Some(kind));
                            changed.insert(display_path(&watcher.roots().root, &path));
                        }
                    }
                }
            }
        }
        let Some(change) = change else { continue };
        let attempt = builder.build(change, changed.into_iter().collect());
        publish(shared, attempt, report);
        if change == Change::Config {
            for warning in watcher.set_roots(Roots::of(builder.config())) {
                report(Event::Warning(warning));
            }
        }
    }
}
