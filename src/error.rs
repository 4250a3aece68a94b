//! Errors that stop a command from running at all (exit code 2). Problems in content are
//! `Diagnostic`s instead, so one bad document never stops the others.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to read `{path}`")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("failed to write `{path}`")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{file}:{line}: {message}")]
    Config {
        file: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{0}")]
    Setup(String),
    #[error("template error: {0}")]
    Template(String),
    /// A page body or search text left in the build cache's file could not be read back as it
    /// was made: the file was damaged or changed under the build. `build` drops the file and
    /// builds again without it.
    #[error(
        "the build cache's file was damaged (a page body or search text in it could not be read back as it was made)"
    )]
    CacheDamaged,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
