//! What the terminal is told, and how: how much (`Verbosity`), whether in colour (`colour`),
//! and the progress line (`Progress`). The decisions are pure functions of the flags, the
//! environment (`Env`) and whether the stream is a terminal, asked once per stream by the
//! CLI, so they are unit-tested without one. Nothing here writes to a stream it was not given.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use clap::ValueEnum;

use crate::diagnostic::Level;

/// How much a command says: `-q` errors and the final summary only, `-v` details (timings,
/// cache), `-vv` debugging detail (resolved paths).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
    Debug,
}

impl Verbosity {
    pub fn from_flags(quiet: bool, verbose: u8) -> Verbosity {
        match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, 1) => Verbosity::Verbose,
            (false, _) => Verbosity::Debug,
        }
    }

    pub fn quiet(self) -> bool {
        self == Verbosity::Quiet
    }

    /// The least level of finding worth a line: errors only when quiet.
    pub fn least_level(self) -> Level {
        if self.quiet() { Level::Error } else { Level::Info }
    }
}

/// `--color`: `auto` colours a stream only when it is a terminal and the environment does
/// not say otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

/// The environment variables the decisions read, read once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Env {
    /// `NO_COLOR` set and non-empty (no-color.org).
    pub no_color: bool,
    /// `CLICOLOR_FORCE` set, non-empty and not `0`: colour even off a terminal.
    pub clicolor_force: bool,
    /// `CI` set and not `false`/`0`: a log, however much it looks like a terminal.
    pub ci: bool,
}

impl Env {
    pub fn from_process() -> Env {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let on = |name: &str| std::env::var(name).is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
        Env {
            no_color: set("NO_COLOR"),
            clicolor_force: on("CLICOLOR_FORCE"),
            ci: on("CI"),
        }
    }
}

/// Whether a stream is written in colour. The flag wins over the environment; under `auto`,
/// `NO_COLOR` wins over `CLICOLOR_FORCE`, which wins over the terminal test.
pub fn colour(when: ColorWhen, terminal: bool, env: Env) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => !env.no_color && (env.clicolor_force || terminal),
    }
}

/// Whether a progress line may be drawn on stderr: only on a terminal that is not a CI log,
/// and never when asked to be quiet. Colour flags do not force it: a redrawn line in a file
/// is noise whatever the colour.
pub fn progress_shown(verbosity: Verbosity, stderr_terminal: bool, env: Env) -> bool {
    !verbosity.quiet() && stderr_terminal && !env.ci
}

/// ANSI styling that is a no-op when off, so callers write one code path.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    pub on: bool,
}

impl Paint {
    pub fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    /// A level's name in its colour (`error` red, `warning` yellow, `info` cyan).
    pub fn level(&self, level: Level) -> String {
        self.wrap(level_code(level), &level.to_string())
    }
    /// Text in a level's colour, as a caret under the quoted line.
    pub fn caret(&self, level: Level, text: &str) -> String {
        self.wrap(level_code(level), text)
    }
    pub fn blue(&self, text: &str) -> String {
        self.wrap("1;34", text)
    }
    pub fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    pub fn green(&self, text: &str) -> String {
        self.wrap("32", text)
    }
}

fn level_code(level: Level) -> &'static str {
    match level {
        Level::Error => "1;31",
        Level::Warning => "1;33",
        Level::Info => "1;36",
    }
}

/// How long a task runs before its progress line appears: a fast run never shows one.
pub const PROGRESS_DELAY: Duration = Duration::from_secs(1);
/// How often the line is redrawn once shown.
const REDRAW: Duration = Duration::from_millis(100);
/// Longer lines are cut, so the line never wraps on a narrow terminal and `\r` still
/// returns to its start.
const WIDTH: usize = 79;

/// A progress line: `label: stage`, or `label: done[/total] things` in a counting stage, redrawn in
/// place with `\r` and wiped when the task ends. Its drawing thread sleeps through the first
/// [`PROGRESS_DELAY`] and ends at once if the task is over by then, so a fast run writes
/// nothing. It is `Sync`: workers count through [`Progress::add`] or [`Progress::counter`].
/// A hidden one ([`Progress::hidden`]) does nothing, so callers need no second code path.
pub struct Progress {
    shared: Arc<Shared>,
    drawer: Option<JoinHandle<()>>,
}

struct Shared {
    done: AtomicUsize,
    /// The stage's total, or [`UNKNOWN`], or [`NOT_COUNTING`].
    total: AtomicUsize,
    stage: Mutex<String>,
    finished: Mutex<bool>,
    wake: Condvar,
}

impl Progress {
    /// A line that is never drawn (not a terminal, `--quiet`, CI).
    pub fn hidden() -> Progress {
        Progress {
            shared: Shared::new(""),
            drawer: None,
        }
    }

    /// Starts counting now; draws `label: …` on `out` once [`PROGRESS_DELAY`] has passed.
    pub fn start(label: &str, out: Box<dyn Write + Send>) -> Progress {
        Progress::start_after(label, out, PROGRESS_DELAY)
    }

    /// As [`Progress::start`], with the delay given (tests).
    pub fn start_after(label: &str, out: Box<dyn Write + Send>, delay: Duration) -> Progress {
        let shared = Shared::new("");
        let label = label.to_owned();
        let theirs = Arc::clone(&shared);
        // A thread that cannot be started means no line, never a failed run.
        let drawer = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || draw(&theirs, &label, out, delay))
            .ok();
        Progress { shared, drawer }
    }

    /// Moves to a stage that counts nothing: `label: name`.
    pub fn stage(&self, name: &str) {
        self.shared.begin(name, NOT_COUNTING);
    }

    /// Moves to a stage that counts `things` (plural noun), out of `total` when known:
    /// `label: done/total things`. The count starts again from 0.
    pub fn count(&self, things: &str, total: Option<usize>) {
        self.shared.begin(things, total.unwrap_or(UNKNOWN));
    }

    /// Counts `n` more things done in this stage.
    pub fn add(&self, n: usize) {
        self.shared.done.fetch_add(n, Ordering::Relaxed);
    }

    /// The stage's count, for code that counts with an `AtomicUsize` of its own making.
    pub fn counter(&self) -> &AtomicUsize {
        &self.shared.done
    }

    /// Ends the line (also on drop): waits for the drawing thread, which wipes what it drew.
    pub fn finish(self) {}
}

impl Drop for Progress {
    fn drop(&mut self) {
        *self
            .shared
            .finished
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = true;
        self.shared.wake.notify_all();
        if let Some(drawer) = self.drawer.take() {
            let _ = drawer.join();
        }
    }
}

impl Shared {
    fn new(stage: &str) -> Arc<Shared> {
        Arc::new(Shared {
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(NOT_COUNTING),
            stage: Mutex::new(stage.to_owned()),
            finished: Mutex::new(false),
            wake: Condvar::new(),
        })
    }

    fn begin(&self, stage: &str, total: usize) {
        *self.stage.lock().unwrap_or_else(PoisonError::into_inner) = stage.to_owned();
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }

    /// Waits up to `wait` for the end; true once the task has ended.
    fn ended_within(&self, wait: Duration) -> bool {
        let finished = self.finished.lock().unwrap_or_else(PoisonError::into_inner);
        let (finished, _) = self
            .wake
            .wait_timeout_while(finished, wait, |finished| !*finished)
            .unwrap_or_else(PoisonError::into_inner);
        *finished
    }

    fn line(&self, label: &str) -> String {
        let stage = self.stage.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let done = self.done.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed);
        let count = match total {
            NOT_COUNTING => Count::None,
            UNKNOWN => Count::Done(done),
            total => Count::Of(done, total),
        };
        progress_line(label, &stage, count)
    }
}

const NOT_COUNTING: usize = usize::MAX;
const UNKNOWN: usize = usize::MAX - 1;

/// What a stage's line counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    None,
    Done(usize),
    Of(usize, usize),
}

/// The text of one redraw (without the `\r`), at most [`WIDTH`] characters.
pub fn progress_line(label: &str, stage: &str, count: Count) -> String {
    let line = match count {
        Count::None => format!("{label}: {stage}"),
        Count::Done(done) => format!("{label}: {done} {stage}"),
        Count::Of(done, total) => format!("{label}: {done}/{total} {stage}"),
    };
    line.chars().take(WIDTH).collect()
}

fn draw(shared: &Shared, label: &str, mut out: Box<dyn Write + Send>, delay: Duration) {
    if shared.ended_within(delay) {
        return;
    }
    let mut widest: usize = 0;
    loop {
        let line = shared.line(label);
        let len = line.chars().count();
        // Spaces cover what a longer line before left behind; no escape sequences, so a
        // terminal without them (TERM=dumb) shows the same.
        let pad = " ".repeat(widest.saturating_sub(len));
        widest = widest.max(len);
        let _ = write!(out, "\r{line}{pad}");
        let _ = out.flush();
        if shared.ended_within(REDRAW) {
            break;
        }
    }
    let _ = write!(out, "\r{}\r", " ".repeat(widest));
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERMINAL: bool = true;
    const NOT_TERMINAL: bool = false;

    fn env(no_color: bool, clicolor_force: bool, ci: bool) -> Env {
        Env {
            no_color,
            clicolor_force,
            ci,
        }
    }

    #[test]
    fn colour_follows_the_terminal_under_auto() {
        assert!(colour(ColorWhen::Auto, TERMINAL, Env::default()));
        assert!(!colour(ColorWhen::Auto, NOT_TERMINAL, Env::default()));
    }

    #[test]
    fn no_color_turns_auto_off_even_when_forced() {
        assert!(!colour(ColorWhen::Auto, TERMINAL, env(true, false, false)));
        assert!(!colour(ColorWhen::Auto, TERMINAL, env(true, true, false)));
    }

    #[test]
    fn clicolor_force_colours_a_pipe() {
        assert!(colour(ColorWhen::Auto, NOT_TERMINAL, env(false, true, false)));
    }

    #[test]
    fn the_flag_wins_over_the_environment() {
        assert!(colour(ColorWhen::Always, NOT_TERMINAL, env(true, false, false)));
        assert!(!colour(ColorWhen::Never, TERMINAL, env(false, true, false)));
    }

    #[test]
    fn progress_only_on_a_terminal_outside_ci_and_not_quiet() {
        assert!(progress_shown(Verbosity::Normal, TERMINAL, Env::default()));
        assert!(progress_shown(Verbosity::Debug, TERMINAL, Env::default()));
        assert!(!progress_shown(Verbosity::Normal, NOT_TERMINAL, Env::default()));
        assert!(!progress_shown(Verbosity::Quiet, TERMINAL, Env::default()));
        assert!(!progress_shown(
            Verbosity::Normal,
            TERMINAL,
            env(false, false, true)
        ));
    }

    #[test]
    fn verbosity_from_flags() {
        assert_eq!(Verbosity::from_flags(false, 0), Verbosity::Normal);
        assert_eq!(Verbosity::from_flags(true, 0), Verbosity::Quiet);
        assert_eq!(Verbosity::from_flags(false, 1), Verbosity::Verbose);
        assert_eq!(Verbosity::from_flags(false, 5), Verbosity::Debug);
        assert_eq!(Verbosity::Quiet.least_level(), Level::Error);
        assert_eq!(Verbosity::Verbose.least_level(), Level::Info);
    }

    #[test]
    fn progress_line_counts_when_it_can() {
        assert_eq!(
            progress_line("building", "reading", Count::None),
            "building: reading"
        );
        assert_eq!(
            progress_line("building", "files written", Count::Done(0)),
            "building: 0 files written"
        );
        assert_eq!(
            progress_line("fetching", "repositories", Count::Of(3, 52)),
            "fetching: 3/52 repositories"
        );
        assert_eq!(
            progress_line("x", &"y".repeat(200), Count::None).chars().count(),
            WIDTH
        );
    }

    /// A writer the test can read back while the drawer holds the other end.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
        }
    }

    #[test]
    fn a_task_shorter_than_the_delay_draws_nothing() {
        let out = Captured::default();
        let progress = Progress::start_after("building", Box::new(out.clone()), Duration::from_secs(5));
        progress.count("files written", None);
        progress.add(3);
        let started = std::time::Instant::now();
        progress.finish();
        assert_eq!(out.text(), "");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "finish waited for the delay"
        );
    }

    #[test]
    fn a_long_task_draws_in_place_and_wipes_the_line() {
        let out = Captured::default();
        let progress = Progress::start_after("fetching", Box::new(out.clone()), Duration::ZERO);
        progress.count("repositories", Some(52));
        progress.counter().fetch_add(7, Ordering::Relaxed);
        std::thread::sleep(REDRAW * 3);
        progress.finish();
        let text = out.text();
        assert!(text.starts_with('\r'), "{text:?}");
        assert!(text.contains("fetching: 7/52 repositories"), "{text:?}");
        assert!(!text.contains('\n'), "{text:?}");
        let wiped = format!("\r{}\r", " ".repeat("fetching: 7/52 repositories".len()));
        assert!(text.ends_with(&wiped), "{text:?}");
    }

    #[test]
    fn a_hidden_line_counts_and_writes_nothing() {
        let progress = Progress::hidden();
        progress.count("files written", None);
        progress.add(2);
        assert_eq!(progress.counter().load(Ordering::Relaxed), 2);
    }
}
