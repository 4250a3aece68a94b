//! Page paths as they appear in links, canonical URLs and the sitemap.

use crate::analyse::links::relative_url;

/// `projects/x/index.html` → `projects/x/`.
pub(super) fn pretty(page: &str) -> String {
    match page.strip_suffix("index.html") {
        Some(dir) => dir.to_owned(),
        None => page.to_owned(),
    }
}

/// A path of the output as a URL path: every segment percent-encoded the way links between
/// pages encode it (`q?x#y.html` → `q%3Fx%23y.html`), a trailing `/` kept.
pub(super) fn percent_path(path: &str) -> String {
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

/// A fact value worth linking: an http(s) URL with no spaces in it.
pub(super) fn is_url(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://")) && !text.contains(char::is_whitespace)
}
