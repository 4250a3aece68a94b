//! Facts read from the documents themselves: metadata tables, `Completed:` lines, versions.
//! (Stub: to be filled in.)

use crate::diagnostic::Diagnostic;
use crate::model::{DocKind, Fact, FactKey};

/// Reads the package facts a document of `kind` states in its text. `body_line` is the file
/// line where `body` starts, so provenance lines are file lines.
pub fn extract(_kind: DocKind, _body: &str, _file: &str, _body_line: usize) -> (Vec<(FactKey, Fact)>, Vec<Diagnostic>) {
    (Vec::new(), Vec::new())
}
