//! YAML front matter and `tssa.yaml` sidecars: one typed schema, strict about unknown keys.
//! (Stub: to be filled in.)

use crate::diagnostic::Diagnostic;
use crate::model::{Facts, PackageMeta, Provenance};

/// A front matter block found at the top of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block<'a> {
    /// The YAML between the `---` fences.
    pub yaml: &'a str,
    /// 1-based line of the first YAML line in the file.
    pub yaml_line: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// 1-based line of the first body line.
    pub body_line: usize,
}

/// The typed result of reading a YAML block.
#[derive(Debug, Default)]
pub struct FrontMatter {
    pub facts: Facts,
    pub meta: PackageMeta,
    pub diagnostics: Vec<Diagnostic>,
}

/// Finds a front matter block. `Ok(None)`: no front matter. `Err`: an opening fence with no
/// closing one (the caller attaches file and line).
pub fn split(_text: &str) -> Result<Option<Block<'_>>, Diagnostic> {
    Ok(None)
}

/// Parses the YAML of a front matter block or sidecar. `first_line` is the file line of the
/// first YAML line; `provenance` builds the source of each fact from file and line.
pub fn parse(
    _yaml: &str,
    _file: &str,
    _first_line: usize,
    _provenance: fn(&str, usize) -> Provenance,
) -> FrontMatter {
    FrontMatter::default()
}
