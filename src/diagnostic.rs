//! Findings about content. These are data, never errors: one bad file must not stop the
//! others, so every stage collects them and the CLI decides what to print and how to exit.

pub mod codes;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::relpath::RelPath;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        })
    }
}

impl FromStr for Level {
    type Err = ();
    /// The spelling `Display` writes, as `[check.levels]` takes it.
    fn from_str(word: &str) -> Result<Level, ()> {
        match word {
            "error" => Ok(Level::Error),
            "warning" => Ok(Level::Warning),
            "info" => Ok(Level::Info),
            _ => Err(()),
        }
    }
}

/// One problem found in the input. `code` is a stable id (`front-matter/syntax`,
/// `link/broken`, …) that users can look up and re-level in `book.toml`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    /// File relative to the site root, with `/` separators. `None` for site-wide problems.
    pub file: Option<RelPath>,
    /// 1-based line in `file`.
    pub line: Option<usize>,
    pub level: Level,
    pub code: String,
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(level: Level, code: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            file: None,
            line: None,
            level,
            code: code.to_owned(),
            message: message.into(),
            help: None,
        }
    }
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Self::new(Level::Error, code, message)
    }
    pub fn warning(code: &str, message: impl Into<String>) -> Self {
        Self::new(Level::Warning, code, message)
    }
    pub fn info(code: &str, message: impl Into<String>) -> Self {
        Self::new(Level::Info, code, message)
    }
    pub fn at(mut self, file: impl Into<RelPath>, line: Option<usize>) -> Self {
        self.file = Some(file.into());
        self.line = line;
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]: {}", self.level, self.code, self.message)?;
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, " ({file}:{line})")?,
            (Some(file), None) => write!(f, " ({file})")?,
            _ => {}
        }
        Ok(())
    }
}

/// How many findings of each level. The one tally that every summary line, the JSON report
/// and the preview's terminal use, so their counts cannot differ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Counts {
        let mut counts = Counts::default();
        for d in diagnostics {
            match d.level {
                Level::Error => counts.errors += 1,
                Level::Warning => counts.warnings += 1,
                Level::Info => counts.infos += 1,
            }
        }
        counts
    }
}

impl fmt::Display for Counts {
    /// `3 errors, 1 warning, 0 info`, the words every closing line uses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        write!(
            f,
            "{} error{}, {} warning{}, {} info",
            self.errors,
            s(self.errors),
            self.warnings,
            s(self.warnings),
            self.infos
        )
    }
}
