//! Root-relative paths as a type of their own (a leaf: it uses nothing of tssa).

/// A `/`-separated path relative to the site root (the `--root` folder): a source file, a
/// folder, or a page of the output. A type of its own so that signatures say which strings
/// are such paths (and which are names, URLs or messages), and a `&RelPath` is not confused
/// with a file-system `Path`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct RelPath(String);

impl RelPath {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for RelPath {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for RelPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl AsRef<std::path::Path> for RelPath {
    /// Joined onto the root (`root.join(&rel)`): `/` separates components on every platform.
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(&self.0)
    }
}

impl std::borrow::Borrow<str> for RelPath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RelPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for RelPath {
    /// Wraps the text as it is. Discovery builds every path from components it has vetted;
    /// nothing here rewrites separators, since `\` is an ordinary character in a Unix file name.
    fn from(path: String) -> Self {
        RelPath(path)
    }
}

impl From<&RelPath> for RelPath {
    fn from(path: &RelPath) -> Self {
        path.clone()
    }
}

impl From<&String> for RelPath {
    fn from(path: &String) -> Self {
        RelPath::from(path.as_str())
    }
}

impl From<&str> for RelPath {
    fn from(path: &str) -> Self {
        RelPath::from(path.to_owned())
    }
}

impl From<RelPath> for String {
    fn from(path: RelPath) -> String {
        path.0
    }
}

impl PartialEq<str> for RelPath {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RelPath {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for RelPath {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}
