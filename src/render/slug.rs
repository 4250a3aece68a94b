//! Heading anchors computed exactly as GitHub computes them, because authors write `#anchors`
//! against github.com. (Stub: to be filled in.)

/// Assigns GitHub-style ids within one document, de-duplicating with `-1`, `-2`, ….
#[derive(Debug, Default)]
pub struct GithubIds {
    seen: std::collections::HashMap<String, usize>,
}

impl GithubIds {
    pub fn new() -> Self {
        Self::default()
    }
    /// The id for the next heading with plain text `text`.
    pub fn next_id(&mut self, text: &str) -> String {
        let base = text.to_lowercase();
        let n = self.seen.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { base } else { format!("{base}-{}", *n - 1) }
    }
}

/// A lowercase, URL-safe slug for a folder name (`Operator Framework SDK` → `operator-framework-sdk`).
pub fn slugify(name: &str) -> String {
    name.to_lowercase()
}
