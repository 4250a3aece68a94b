//! Rebuilding on change. A rebuild is kept only if it rendered and brought no error the
//! current build did not already have; otherwise the current pages stay up and the problems
//! are shown over them. Either way the new state is swapped in before the tabs are told.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use crate::analyse::{Analysis, DocumentCache};
use crate::config::{Config, Overrides};
use crate::diagnostic::{Diagnostic, Level};
use crate::error::{Error, Result};
use crate::load::{CacheStats, Loaded, ParseCache, load_kept};
use crate::model::Site;
use crate::pipeline::{self, Themed};

use super::state::{Collector, ErrorKey, Shared, Snapshot, error_keys};
use super::watch::{Change, Roots, Watcher};
use super::{Event, Reporter, display_path};

/// What the rebuild thread is told.
#[derive(Debug)]
pub(crate) enum Message {
    /// Paths the watcher saw change, after the debounce.
    Files(Vec<PathBuf>),
    /// The watcher lost events (a queue overflowed): only a full load can tell what changed.
    Rescan,
    WatchError(String),
    Stop,
}

pub(crate) struct Builder {
    overrides: Overrides,
    config: Config,
    cache: ParseCache,
    /// The last load, from which the next one re-reads only the files the watcher named;
    /// `None` after a failed or panicked load, so the next one is full.
    loaded: Option<Loaded>,
    /// Events may have been lost since the last load (a watcher error): the next is full.
    stale: bool,
    /// Documents rendered by earlier builds, reused when unchanged.
    rendered: DocumentCache,
    /// The theme as the last build compiled it; dropped when the theme or the configuration
    /// changes, so that the next build reads it again.
    themed: Option<Themed>,
    /// The errors of the build being served; `None` until one has been.
    baseline: Option<BTreeSet<ErrorKey>>,
    /// The build being served, whose unchanged files the next one shares.
    served: Option<Arc<Snapshot>>,
    /// The last build's analysis, dropped only once the tabs have been told ([`Self::retire`]):
    /// freeing a whole site is work the reload need not wait for.
    spent: Option<Analysis>,
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
            loaded: None,
            stale: false,
            rendered: DocumentCache::new(),
            themed: None,
            baseline: None,
            served: None,
            spent: None,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Marks the last load as no longer trustworthy: the next build loads everything.
    pub fn lost_events(&mut self) {
        self.stale = true;
    }

    /// One build after `change` to the paths in `touched` (as the watcher reported them,
    /// editors' temporary files in the content folders included). A panic in the pipeline is
    /// caught and shown like any failed build, so the server keeps serving and rebuilding
    /// after a bug in one stage.
    pub fn build(&mut self, change: Change, changed: Vec<String>, touched: &[PathBuf]) -> Attempt {
        let started = Instant::now();
        let initial = self.baseline.is_none();
        if change >= Change::Theme {
            self.themed = None;
        }
        let mut kept = 0;
        let outcome = match catch_unwind(AssertUnwindSafe(|| self.outcome(change, touched, &mut kept))) {
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
            cache: CacheStats {
                reused: self.cache.stats().reused + kept,
                ..self.cache.stats()
            },
        }
    }

    /// The site after `change`: refreshed from the last load when it was content only and the
    /// refresh can tell (`kept`: files taken from the last load), else loaded in full.
    fn load(&mut self, change: Change, touched: &[PathBuf], kept: &mut usize) -> Site {
        // Taken out while in use: a panic halfway leaves no half-refreshed load behind.
        let last = self
            .loaded
            .take()
            .filter(|_| change == Change::Content && !self.stale);
        if let Some(mut loaded) = last
            && let Some((site, reused)) = loaded.refresh(&self.config, &mut self.cache, touched)
        {
            *kept = reused;
            self.loaded = Some(loaded);
            return site;
        }
        self.stale = false;
        let (site, loaded) = load_kept(&self.config, &mut self.cache);
        self.loaded = Some(loaded);
        site
    }

    fn outcome(&mut self, change: Change, touched: &[PathBuf], kept: &mut usize) -> Outcome {
        if change == Change::Config {
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
            Some(themed) => (self.load(change, touched, kept), Ok(themed)),
            // Compiled beside the load, which needs nothing of it.
            None => {
                let config = self.config.clone();
                let (site, themed) =
                    rayon::join(|| self.load(change, touched, kept), || Themed::load(&config));
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
        let mut analysis = match built {
            Ok(analysis) => analysis,
            Err(err) => {
                return Outcome::Rejected {
                    problems: vec![self.problem(&err)],
                };
            }
        };
        // What the pages show besides each unit's verdict: reading, links, HTML, coverage.
        let diagnostics = std::mem::take(&mut analysis.findings);
        self.spent = Some(analysis);
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

    /// Frees what the last build no longer needs; called after it was published.
    pub fn retire(&mut self) {
        self.spent = None;
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

/// The rebuild thread: waits for changes, merges those that arrive within `settle` of each
/// other, rebuilds once.
pub(crate) fn run(
    messages: Receiver<Message>,
    mut builder: Builder,
    mut watcher: Watcher,
    settle: Duration,
    shared: &Shared,
    report: &Reporter,
) {
    while let Ok(first) = messages.recv() {
        let mut change: Option<Change> = None;
        let mut changed = BTreeSet::new();
        let mut touched = BTreeSet::new();
        for message in settled(first, &messages, settle) {
            match message {
                Message::Stop => return,
                Message::WatchError(err) => {
                    builder.lost_events();
                    report(Event::Warning(format!("file watcher: {err}")));
                }
                Message::Rescan => {
                    builder.lost_events();
                    change = change.max(Some(Change::Content));
                }
                Message::Files(paths) => {
                    for path in paths {
                        if let Some(kind) = watcher.roots().classify(&path) {
                            change = change.max(Some(kind));
                            changed.insert(display_path(&watcher.roots().root, &path));
                        }
                        if watcher.roots().holds(&path) {
                            touched.insert(path);
                        }
                    }
                }
            }
        }
        let Some(change) = change else { continue };
        let touched: Vec<PathBuf> = touched.into_iter().collect();
        let attempt = builder.build(change, changed.into_iter().collect(), &touched);
        publish(shared, attempt, report);
        builder.retire();
        if change == Change::Config {
            for warning in watcher.set_roots(Roots::of(builder.config())) {
                report(Event::Warning(warning));
            }
        }
    }
}

/// `first` and the messages that follow it within `settle` of each other (for at most
/// [`SETTLE_CAP`] in all, so that a file written without pause cannot hold the rebuild off).
/// The watcher hands an event over once it is old enough, event by event, so the events of
/// one save can come in two batches a tick apart when a tick falls between them: waiting
/// longer than a tick merges them, instead of rebuilding on the first half (a file caught
/// half written) and again on the second.
fn settled(first: Message, messages: &Receiver<Message>, settle: Duration) -> Vec<Message> {
    let until = Instant::now() + SETTLE_CAP;
    let mut batch = vec![first];
    while !matches!(batch.last(), Some(Message::Stop)) {
        let wait = settle.min(until.saturating_duration_since(Instant::now()));
        match messages.recv_timeout(wait) {
            Ok(message) => batch.push(message),
            Err(_) => break,
        }
    }
    batch
}

/// The longest a rebuild waits for a save to settle.
const SETTLE_CAP: Duration = Duration::from_millis(200);

#[cfg(test)]
mod tests {
    use super::*;

    fn files(name: &str) -> Message {
        Message::Files(vec![PathBuf::from(name)])
    }

    #[test]
    fn the_second_half_of_a_save_joins_the_first() {
        let (send, receive) = std::sync::mpsc::channel();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(2));
            let _ = send.send(files("second"));
        });
        // Generous settling (the cap ends it): the second message is not missed however
        // late the writer thread runs.
        let batch = settled(files("first"), &receive, Duration::from_secs(10));
        let _ = writer.join();
        assert_eq!(batch.len(), 2, "{batch:?}");
    }

    #[test]
    fn stop_ends_the_settling() {
        let (send, receive) = std::sync::mpsc::channel();
        for message in [Message::Stop, files("after")] {
            send.send(message).expect("send");
        }
        let batch = settled(files("first"), &receive, Duration::from_secs(10));
        assert!(
            matches!(batch.as_slice(), [Message::Files(_), Message::Stop]),
            "{batch:?}"
        );
    }
}
