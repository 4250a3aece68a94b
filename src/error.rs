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
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
