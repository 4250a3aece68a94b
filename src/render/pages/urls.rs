//! Page paths as they appear in links, canonical URLs and the sitemap.

use crate::analyse::links::relative_url;
use crate::config::Repository;

/// `projects/x/index.html` → `projects/x/`.
pub(in crate::render) fn pretty(page: &str) -> String {
    match page.strip_suffix("index.html") {
        Some(dir) => dir.to_owned(),
        None => page.to_owned(),
    }
}

/// A path of the output as a URL path: every segment percent-encoded the way links between
/// pages encode it (`q?x#y.html` → `q%3Fx%23y.html`), a trailing `/` kept.
pub(in crate::render) fn percent_path(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    relative_url("", path)
}

/// The path part of the base URL (`https://x.org/tssa/` → `/tssa/`).
pub(super) fn base_path(base_url: &str) -> String {
    let without_scheme = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    if base_url.contains("://") {
        without_scheme
            .find('/')
            .map_or_else(|| "/".to_owned(), |i| without_scheme[i..].to_owned())
    } else {
        base_url.to_owned()
    }
}

/// The repository path of `file` (root-relative): under `[site] repository_path`, each
/// segment percent-encoded.
fn repo_file(repo: &Repository, file: &str) -> String {
    let file = percent_path(file);
    if repo.path.is_empty() {
        file
    } else {
        format!("{}/{file}", percent_path(&repo.path))
    }
}

/// `https://github.com/o/r/blob/main/path/file.md#L15` (`#L1` when no line is known).
pub(super) fn blob_url(repo: &Repository, file: &str, line: Option<usize>) -> String {
    format!(
        "{}/blob/{}/{}#L{}",
        repo.url,
        percent_path(&repo.branch),
        repo_file(repo, file),
        line.unwrap_or(1)
    )
}

/// `https://github.com/o/r/edit/main/path/file.md`.
pub(super) fn edit_url(repo: &Repository, file: &str) -> String {
    format!(
        "{}/edit/{}/{}",
        repo.url,
        percent_path(&repo.branch),
        repo_file(repo, file)
    )
}
