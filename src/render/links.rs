//! Rewriting the links authors wrote (against github.com) into links between generated pages.
//! (Stub: to be filled in.)

use crate::model::Site;

/// What a link destination turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Leave it as written (http(s), mailto, …).
    External(String),
    /// A page or file of the site: `url` is relative to the site root; `fragment` without `#`.
    Internal { url: String, fragment: Option<String> },
    /// Points at nothing in the site; `reason` says why, for the diagnostic.
    Broken { reason: String },
}

pub trait LinkResolver: Sync {
    /// Resolves `dest` as written in the document whose source path (from the site root) is `from`.
    fn resolve(&self, from: &str, dest: &str) -> Resolved;
}

/// The resolver over a whole site.
pub struct SiteLinks {}

impl SiteLinks {
    pub fn new(_site: &Site) -> Self {
        SiteLinks {}
    }
}

impl LinkResolver for SiteLinks {
    fn resolve(&self, _from: &str, dest: &str) -> Resolved {
        Resolved::External(dest.to_owned())
    }
}

/// The URL of `to` (relative to the site root) as seen from the page `from_page` (also relative
/// to the site root), so the site works from any sub-path and from `file://`.
pub fn relative_url(from_page: &str, to: &str) -> String {
    let depth = from_page.matches('/').count();
    format!("{}{}", "../".repeat(depth), to)
}
