//! What changed since a git revision, for `tssa check --changed-since REF`: an input, like
//! [`crate::gitdates`], asked of the `git` program and turned into typed data the check's
//! view filters by. Nothing here judges anything.
//!
//! The question is "what does this branch change?", so the comparison is made from the merge
//! base of REF and `HEAD` (what `git diff REF...` means) to the working tree, plus the
//! untracked files git does not ignore: a new package not yet added counts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::git::{Ran, git};

/// Which lines of a file differ from the revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lines {
    /// New, untracked, binary, or its lines unknown: every line counts as changed.
    All,
    /// These lines of the current file (1-based). A deletion marks the lines on either side
    /// of where the removed text was.
    These(BTreeSet<usize>),
    /// The file is gone.
    Deleted,
}

impl Lines {
    pub fn contains(&self, line: usize) -> bool {
        match self {
            Lines::All => true,
            Lines::These(lines) => lines.contains(&line),
            Lines::Deleted => false,
        }
    }
}

/// The answer: changed files by their path from the tssa root, and where that root sits in
/// the repository.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// The revision as the user wrote it, for messages.
    pub reference: String,
    /// The root's folder from the repository's top, `/`-separated with a trailing `/`, or
    /// empty at the top (`git rev-parse --show-prefix`). Annotations need paths from the top.
    pub prefix: String,
    /// Changed files under the root, by root-relative path.
    pub files: BTreeMap<String, Lines>,
    /// The repository's top folder, as git gives it (links followed).
    pub top: PathBuf,
    /// Changed files outside the root, from the top (a `--config` kept elsewhere).
    pub outside: BTreeSet<String>,
    /// The diff was larger than tssa reads ([`crate::git::OUTPUT_CAP`]): treat every file as
    /// changed.
    pub everything: bool,
}

impl Changes {
    /// Whether `path` (root-relative) or anything under it changed.
    pub fn touches(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        if path.is_empty() {
            return self.everything || !self.files.is_empty();
        }
        // Everything under the folder sorts between `path/` and `path0` (`0` follows `/`).
        self.everything
            || self.files.contains_key(path)
            || self
                .files
                .range(format!("{path}/")..format!("{path}0"))
                .next()
                .is_some()
    }

    /// Whether the file or folder at `path` (on disk, anywhere) or anything under it changed:
    /// for configured paths, which may lie outside the root.
    pub fn touches_path(&self, path: &Path) -> bool {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let Some(from_top) = path.strip_prefix(&self.top).ok().and_then(Path::to_str) else {
            return false;
        };
        match from_top.strip_prefix(self.prefix.as_str()) {
            Some(rel) => self.touches(rel),
            _ => {
                self.everything
                    || self.outside.iter().any(|f| {
                        f == from_top || f.strip_prefix(from_top).is_some_and(|r| r.starts_with('/'))
                    })
            }
        }
    }

    /// Why the whole site is in question, if it is: the diff was too large to read, or
    /// `book.toml`, the theme or the releases data changed (any verdict or page may differ).
    pub fn everything_because(&self, config: &Config) -> Option<String> {
        if self.everything {
            return Some("the diff is larger than tssa reads".to_owned());
        }
        let named = [
            (config.file.as_deref(), "the configuration"),
            (config.theme.as_deref(), "the theme"),
            (config.releases.as_deref(), "the releases data"),
        ];
        named.into_iter().find_map(|(path, what)| {
            let path = path.filter(|p| self.touches_path(p))?;
            let shown = path.strip_prefix(&config.root).unwrap_or(path);
            Some(format!("{what} `{}` changed", shown.display()))
        })
    }

    /// The changed lines of a root-relative file, if it changed.
    pub fn lines(&self, file: &str) -> Option<&Lines> {
        if self.everything {
            return Some(&Lines::All);
        }
        self.files.get(file)
    }
}

/// Why git could not answer; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ChangesError {
    #[error("--changed-since `{0}`: a revision cannot be empty or start with `-`")]
    BadReference(String),
    #[error("--changed-since needs the `git` program, which could not be run ({0})")]
    NoGit(std::io::Error),
    #[error("--changed-since: `{path}` is not inside a git repository ({1})", path = .0.display())]
    NotARepository(PathBuf, String),
    #[error(
        "--changed-since: git knows no commit `{0}` (in a shallow checkout, fetch it: actions/checkout with `fetch-depth: 0`)"
    )]
    UnknownReference(String),
    #[error("--changed-since: `git {0}` failed: {1}")]
    Failed(&'static str, String),
}

/// Asks git which files under `root` differ from `reference` and which of their lines.
pub fn changed_since(root: &Path, reference: &str) -> Result<Changes, ChangesError> {
    if reference.is_empty() || reference.starts_with('-') || reference.contains('\0') {
        return Err(ChangesError::BadReference(reference.to_owned()));
    }
    let located = git(root, &["rev-parse", "--show-toplevel", "--show-prefix"]).map_err(|e| match e {
        Ran::Failed(why) => ChangesError::NotARepository(root.to_path_buf(), why),
        other => changes_error(other, "rev-parse"),
    })?;
    let mut lines = located.text.lines();
    let top = PathBuf::from(lines.next().unwrap_or_default());
    let prefix = lines.next().unwrap_or_default().to_owned();
    let base = merge_base(root, reference)?;
    let diff = git(
        root,
        &[
            "diff",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--no-color",
            "--ignore-submodules",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--raw",
            "-p",
            "-U0",
            "-z",
            &base,
            "--",
        ],
    )
    .map_err(|e| changes_error(e, "diff"))?;
    let untracked = git(
        root,
        &["ls-files", "-z", "--others", "--exclude-standard", "--full-name"],
    )
    .map_err(|e| changes_error(e, "ls-files"))?;
    let mut changes = Changes {
        reference: reference.to_owned(),
        prefix,
        top,
        everything: diff.capped || untracked.capped,
        ..Changes::default()
    };
    let untracked = untracked.text.split('\0').filter(|p| !p.is_empty());
    let found = parse_diff(&diff.text)
        .into_iter()
        .chain(untracked.map(|p| (p.to_owned(), Lines::All)));
    for (path, lines) in found {
        match path.strip_prefix(changes.prefix.as_str()) {
            Some(rel) if !rel.is_empty() => {
                changes.files.insert(rel.to_owned(), lines);
            }
            _ => {
                changes.outside.insert(path);
            }
        }
    }
    Ok(changes)
}

/// The commit to compare with: where the branch left `reference` (`git diff REF...`), or
/// `reference` itself without a merge base (an unborn `HEAD`, unrelated histories).
fn merge_base(root: &Path, reference: &str) -> Result<String, ChangesError> {
    let commit = format!("{reference}^{{commit}}");
    let verified = git(
        root,
        &["rev-parse", "--verify", "--quiet", "--end-of-options", &commit],
    )
    .map_err(|e| match e {
        Ran::Failed(_) => ChangesError::UnknownReference(reference.to_owned()),
        other => changes_error(other, "rev-parse"),
    })?;
    let commit = verified.text.trim().to_owned();
    Ok(git(root, &["merge-base", &commit, "HEAD"])
        .ok()
        .map(|o| o.text.trim().to_owned())
        .filter(|b| !b.is_empty())
        .unwrap_or(commit))
}

/// A git run that failed, as `--changed-since` reports it (`what`: the git command).
fn changes_error(ran: Ran, what: &'static str) -> ChangesError {
    match ran {
        Ran::NoGit(err) => ChangesError::NoGit(err),
        Ran::Failed(why) => ChangesError::Failed(what, why),
    }
}

/// Reads `git diff --raw -p -U0 -z`: the raw records name every changed file exactly (with
/// `-z`, unquoted) and its status; the patch that follows gives the lines of the new side.
/// Paths are from the repository's top.
pub fn parse_diff(output: &str) -> BTreeMap<String, Lines> {
    let mut files = BTreeMap::new();
    let mut rest = output;
    // `:<modes> <ids> <status>\0<path>\0`, until the patch.
    while let Some(record) = rest.strip_prefix(':') {
        let Some((meta, after)) = record.split_once('\0') else {
            break;
        };
        let Some((path, after)) = after.split_once('\0') else {
            break;
        };
        let lines = match meta.rsplit(' ').next() {
            Some(status) if status.starts_with('D') => Lines::Deleted,
            Some(status) if status.starts_with('A') => Lines::All,
            _ => Lines::These(BTreeSet::new()),
        };
        files.insert(path.to_owned(), lines);
        rest = after;
    }
    let hunks = patch_lines(rest.trim_start_matches('\0'));
    for (path, lines) in files.iter_mut() {
        if let Lines::These(found) = lines {
            match hunks.get(path) {
                Some(changed) if !changed.is_empty() => *found = changed.clone(),
                // Binary, or only its mode changed: no lines to point at.
                _ => *lines = Lines::All,
            }
        }
    }
    files
}

/// The new side's lines of each file in a `-U0` patch. In a hunk every line starts with `+`,
/// `-` or `\`, so a line starting `diff --git ` or `@@ ` is always a header, never content.
fn patch_lines(patch: &str) -> BTreeMap<String, BTreeSet<usize>> {
    let mut found: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_header = false;
    for line in patch.lines() {
        if line.starts_with("diff --git ") {
            in_header = true;
            current = None;
        } else if in_header && let Some(path) = line.strip_prefix("+++ ") {
            // Git ends a name holding a space with a tab; a name with a real tab is quoted.
            let path = unquote(path.strip_suffix('\t').unwrap_or(path));
            current = path.strip_prefix("b/").map(str::to_owned);
        } else if let Some(range) = line.strip_prefix("@@ ") {
            in_header = false;
            if let (Some(file), Some((start, count))) = (&current, new_side(range)) {
                let lines = found.entry(file.clone()).or_default();
                if count == 0 {
                    lines.extend([start.max(1), start + 1]);
                } else {
                    lines.extend(start..start.saturating_add(count));
                }
            }
        }
    }
    found
}

/// `(start, count)` from a hunk header's `+start[,count]`.
fn new_side(range: &str) -> Option<(usize, usize)> {
    let plus = range.split(' ').find_map(|part| part.strip_prefix('+'))?;
    let (start, count) = plus.split_once(',').unwrap_or((plus, "1"));
    Some((start.parse().ok()?, count.parse().ok()?))
}

/// A path as git writes it in a patch header: C-quoted (`"a\tb"`, octal for other bytes)
/// when it holds anything unusual, else as it is.
fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_owned();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        let escaped = match chars.next() {
            Some(b'a') => 7,
            Some(b'b') => 8,
            Some(b't') => b'\t',
            Some(b'n') => b'\n',
            Some(b'v') => 11,
            Some(b'f') => 12,
            Some(b'r') => b'\r',
            Some(d @ b'0'..=b'7') => {
                let mut value = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(next) = chars.next_if(|c| (b'0'..=b'7').contains(c)) {
                        value = value * 8 + u32::from(next - b'0');
                    }
                }
                u8::try_from(value).unwrap_or(b'?')
            }
            Some(other) => other,
            None => break,
        };
        bytes.push(escaped);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_records_and_hunks() {
        let output = ":100644 100644 04ec35a 0000000 M\0a b/f.md\0\
                      :000000 100644 0000000 0000000 A\0bin\0\
                      :100644 000000 b68fde2 0000000 D\0gone.md\0\
                      :100644 100644 1111111 0000000 M\0t\tab.md\0\0\
                      diff --git a/a b/f.md b/a b/f.md\nindex 04ec35a..e3e05a5 100644\n\
                      --- a/a b/f.md\t\n+++ b/a b/f.md\t\n@@ -2 +2 @@ x\n-y\n+Y\n\
                      @@ -3,0 +4,2 @@ z\n+w\n++++ not a header\n@@ -9,2 +10,0 @@\n-a\n-b\n\
                      diff --git a/bin b/bin\nnew file mode 100644\nBinary files /dev/null and b/bin differ\n\
                      diff --git a/gone.md b/gone.md\ndeleted file mode 100644\n--- a/gone.md\n+++ /dev/null\n@@ -1 +0,0 @@\n-k\n\
                      diff --git \"a/t\\tab.md\" \"b/t\\tab.md\"\n--- \"a/t\\tab.md\"\n+++ \"b/t\\tab.md\"\n@@ -1 +1 @@\n-o\n+p\n";
        let files = parse_diff(output);
        let lines = |p: &str| files.get(p).cloned();
        assert_eq!(lines("a b/f.md"), Some(Lines::These([2, 4, 5, 10, 11].into())));
        assert_eq!(lines("bin"), Some(Lines::All));
        assert_eq!(lines("gone.md"), Some(Lines::Deleted));
        assert_eq!(lines("t\tab.md"), Some(Lines::These([1].into())));
        assert_eq!(files.len(), 4);
    }

    #[test]
    fn quoted_names() {
        assert_eq!(unquote("plain name"), "plain name");
        assert_eq!(unquote("\"b/caf\\303\\251\\\"x\\\\\""), "b/café\"x\\");
    }

    #[test]
    fn touches_files_and_folders() {
        let changes = Changes {
            files: [("projects/a/x.md".to_owned(), Lines::All)].into(),
            ..Changes::default()
        };
        assert!(changes.touches("projects/a"));
        assert!(changes.touches("projects/a/x.md"));
        assert!(!changes.touches("projects/ab"));
        assert!(!changes.touches("projects/b"));
        // `a b/` sorts between `a` and `a/`: the folder's own files are still found.
        let spaced = Changes {
            files: [("projects/a b/x.md".to_owned(), Lines::All)].into(),
            ..Changes::default()
        };
        assert!(!spaced.touches("projects/a"));
        let both = Changes {
            files: [
                ("projects/a b/x.md".to_owned(), Lines::All),
                ("projects/a/y.md".to_owned(), Lines::Deleted),
            ]
            .into(),
            ..Changes::default()
        };
        assert!(both.touches("projects/a"));
    }
}
