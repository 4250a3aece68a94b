//! Rewriting the links authors wrote (against github.com) into links between generated pages.
//!
//! Authors write links the way GitHub shows them: relative to the Markdown file, from the
//! repository root (`/community/…`), or as full `github.com/cncf/tag-security/blob/main/…`
//! URLs. All of those that point into the site become links between generated pages; the rest
//! stay as written, and the ones that point at nothing become [`Resolved::Broken`] with a reason
//! a person can act on.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::markdown::rawhtml::{self, Token};
use crate::model::{Document, RelPath, Site};

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

    /// The width and height of the image published at `url` (from the site root), if known.
    fn image_size(&self, _url: &str) -> Option<(u32, u32)> {
        None
    }
}

/// URL schemes that are left as written. Anything else with a scheme is broken: that keeps
/// `javascript:`, `vbscript:`, `data:` and `file:` out, and the sanitizer allows exactly this
/// list too, so the two cannot disagree.
pub const EXTERNAL_SCHEMES: &[&str] = &[
    "http", "https", "mailto", "tel", "ftp", "ftps", "sftp", "ssh", "git", "irc", "ircs", "xmpp", "news",
];

/// The status page of a unit, relative to the site root.
pub fn unit_page_url(slug: &str) -> String {
    format!("projects/{slug}/")
}

/// Where the repository's files live on the web, so full URLs to them can be mapped back.
const REPO_OWNER: &str = "cncf";
/// `sig-security` is the repository's old name; GitHub still redirects it.
const REPO_NAMES: &[&str] = &["tag-security", "sig-security"];
/// Only the default branches: a link to a tag or commit means that version on purpose.
const REPO_BRANCHES: &[&str] = &["main", "master"];
const WEBSITE_HOST: &str = "tag-security.cncf.io";

#[derive(Debug)]
struct Target {
    url: String,
    /// Index into `SiteLinks::docs` when the target is a rendered document.
    doc: Option<usize>,
}

#[derive(Debug, Default)]
struct Anchors {
    source: RelPath,
    ids: HashSet<String>,
    /// Lowercased id → id, for GitHub's case-insensitive fallback.
    lower: HashMap<String, String>,
    /// `id`/`name` attributes written in raw HTML (`<a name="x">`), which GitHub also honours.
    html: HashSet<String>,
}

/// The resolver over a whole site.
#[derive(Debug, Default)]
pub struct SiteLinks {
    /// Source path (from the site root) → what it is published as.
    files: HashMap<String, Target>,
    /// Folder (no trailing `/`) → the page a link to the folder opens.
    folders: HashMap<String, Target>,
    /// Every folder that holds something in the site, so a link to one without a page can say so.
    dirs: HashSet<String>,
    /// Lowercased source path → source path, to hint at case mistakes.
    lower: HashMap<String, String>,
    docs: Vec<Anchors>,
    /// Published URL → width and height, for images whose size is known.
    sizes: HashMap<String, (u32, u32)>,
}

impl SiteLinks {
    pub fn new(site: &Site) -> Self {
        let mut links = SiteLinks::default();
        for doc in site.documents() {
            links.add_doc(doc);
        }
        let assets = site.units.iter().flat_map(|u| u.assets.iter()).chain(&site.files);
        for asset in assets {
            links.add_file(&asset.source, &asset.url, None);
            if let Some(size) = asset.dimensions {
                links.sizes.insert(asset.url.to_string(), size);
            }
        }
        // A folder link opens the unit's status page; otherwise the folder's README page.
        let mut readmes: Vec<(String, Target)> = links
            .files
            .iter()
            .filter(|(_, t)| t.doc.is_some())
            .filter_map(|(source, t)| {
                let (dir, name) = source.rsplit_once('/').unwrap_or(("", source));
                let target = Target {
                    url: t.url.clone(),
                    doc: t.doc,
                };
                name.eq_ignore_ascii_case("README.md")
                    .then(|| (dir.to_owned(), target))
            })
            .collect();
        // `README.md` before `readme.md`, whatever order the map gave.
        readmes.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.url.cmp(&b.1.url)));
        for (dir, target) in readmes {
            links.folders.entry(dir).or_insert(target);
        }
        for unit in &site.units {
            let target = Target {
                url: unit_page_url(&unit.slug),
                doc: None,
            };
            links
                .folders
                .insert(unit.dir.trim_end_matches('/').to_owned(), target);
        }
        links
    }

    fn add_doc(&mut self, doc: &Document) {
        let mut anchors = Anchors {
            source: doc.source.clone(),
            ..Anchors::default()
        };
        for heading in &doc.outline.headings {
            if !heading.id.is_empty() {
                anchors.ids.insert(heading.id.clone());
                anchors
                    .lower
                    .entry(heading.id.to_lowercase())
                    .or_insert_with(|| heading.id.clone());
            }
        }
        // A plain scan of the whole body: it may also find tags inside code, which only makes a
        // fragment look valid that is not, never the other way round.
        for token in rawhtml::tokenize(&doc.body) {
            if let Token::Tag(tag) = token {
                for attr in &tag.attrs {
                    if attr.is_anchor() {
                        anchors.html.insert(attr.decoded().into_owned());
                    }
                }
            }
        }
        self.docs.push(anchors);
        let index = self.docs.len() - 1;
        self.add_file(&doc.source, &doc.url, Some(index));
    }

    fn add_file(&mut self, source: &str, url: &str, doc: Option<usize>) {
        let source = source.trim_start_matches('/');
        let mut dir = source;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if !self.dirs.insert(parent.to_owned()) {
                break;
            }
            dir = parent;
        }
        self.dirs.insert(String::new());
        self.lower.insert(source.to_lowercase(), source.to_owned());
        self.files.entry(source.to_owned()).or_insert(Target {
            url: url.to_owned(),
            doc,
        });
    }

    /// Finds a path (from the site root, decoded, normalised) in the site.
    fn lookup(&self, path: &str, fragment: Option<&str>) -> Option<Resolved> {
        if let Some(target) = self.files.get(path) {
            return Some(self.internal(target, fragment));
        }
        let folder = path.trim_end_matches('/');
        if let Some(target) = self.folders.get(folder) {
            // A unit folder opens the status page, which has no document headings: its
            // fragment is passed on unchecked rather than guessed at.
            return Some(self.internal(target, fragment));
        }
        if self.dirs.contains(folder) {
            return Some(Resolved::Broken {
                reason: format!("the folder `{folder}` has no page in the site (no README.md)"),
            });
        }
        None
    }

    fn internal(&self, target: &Target, fragment: Option<&str>) -> Resolved {
        let fragment = fragment.filter(|f| !f.is_empty());
        match (target.doc.and_then(|i| self.docs.get(i)), fragment) {
            (Some(anchors), Some(fragment)) => match match_fragment(anchors, fragment) {
                Ok(id) => Resolved::Internal {
                    url: target.url.clone(),
                    fragment: Some(id),
                },
                Err(reason) => Resolved::Broken { reason },
            },
            (_, fragment) => Resolved::Internal {
                url: target.url.clone(),
                fragment: fragment.map(str::to_owned),
            },
        }
    }

    /// A link to a path in the site, from the document `from`.
    fn resolve_path(&self, from: &str, dest: &str) -> Resolved {
        let (base, path, fragment) = path_parts(from, dest);
        let mut candidates = vec![percent_decode_str(path).decode_utf8_lossy()];
        if candidates[0] != path {
            // A file whose name really contains `%`.
            candidates.push(Cow::Borrowed(path));
        }
        let mut first = None;
        for candidate in &candidates {
            let Some(normal) = normalise(base, candidate) else {
                return Resolved::Broken {
                    reason: "the path climbs above the site root".to_owned(),
                };
            };
            if let Some(found) = self.lookup(&normal, fragment) {
                return found;
            }
            first.get_or_insert(normal);
        }
        let normal = first.unwrap_or_default();
        if let Some(mailto) = as_email(dest) {
            return Resolved::External(mailto);
        }
        if looks_like_host(path) {
            return Resolved::External(format!("https://{dest}"));
        }
        let mut reason = format!("there is no `{normal}` in the site");
        if let Some(actual) = self.lower.get(&normal.to_lowercase()) {
            reason.push_str(&format!(" (did you mean `{actual}`? paths are case-sensitive)"));
        } else if path.starts_with('/') {
            let moved = format!("community/{normal}");
            if self.files.contains_key(&moved) || self.folders.contains_key(moved.trim_end_matches('/')) {
                reason.push_str(&format!(" (it is now at `/{moved}`)"));
            }
        }
        Resolved::Broken { reason }
    }

    /// An http(s) URL: our own repository's files and website pages map back into the site.
    fn resolve_web(&self, dest: &str) -> Resolved {
        let external = || Resolved::External(dest.to_owned());
        let Some((_, rest)) = dest.split_once("://") else {
            return external();
        };
        let (rest, fragment) = split_fragment(rest);
        let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        // Most links go elsewhere: answered on the host, before the path is split.
        let host = match [
            "github.com",
            "www.github.com",
            "raw.githubusercontent.com",
            WEBSITE_HOST,
        ]
        .into_iter()
        .find(|known| host.eq_ignore_ascii_case(known))
        {
            Some(known) => known,
            None => return external(),
        };
        let segments: Vec<&str> = path.split('/').collect();
        let is_repo = |owner: &str, name: &str| {
            owner.eq_ignore_ascii_case(REPO_OWNER) && REPO_NAMES.iter().any(|n| name.eq_ignore_ascii_case(n))
        };
        let branch = |b: &str| REPO_BRANCHES.contains(&b);
        let repo_path = match (host, segments.as_slice()) {
            ("github.com" | "www.github.com", [owner, name, "blob" | "tree" | "raw", b, rest @ ..])
                if is_repo(owner, name) && branch(b) =>
            {
                rest.join("/")
            }
            ("raw.githubusercontent.com", [owner, name, b, rest @ ..])
                if is_repo(owner, name) && branch(b) =>
            {
                rest.join("/")
            }
            (WEBSITE_HOST, _) => {
                // The website publishes `community/assessments/x/y.md` as `/assessments/x/y/`.
                let page = path.trim_end_matches('/');
                let decoded = percent_decode_str(page).decode_utf8_lossy();
                for candidate in [format!("community/{decoded}.md"), format!("community/{decoded}")] {
                    if let Some(found) = self.lookup(&candidate, fragment) {
                        return found;
                    }
                }
                return external();
            }
            _ => return external(),
        };
        let decoded = percent_decode_str(&repo_path).decode_utf8_lossy();
        match normalise("", &decoded).and_then(|p| self.lookup(&p, fragment)) {
            Some(found) => found,
            None => external(),
        }
    }
}

impl LinkResolver for SiteLinks {
    fn image_size(&self, url: &str) -> Option<(u32, u32)> {
        self.sizes.get(url).copied()
    }

    fn resolve(&self, from: &str, dest: &str) -> Resolved {
        let dest = dest.trim();
        if dest.is_empty() {
            return Resolved::Broken {
                reason: "the link has no destination".to_owned(),
            };
        }
        if let Some(fragment) = dest.strip_prefix('#') {
            return match self.files.get(from.trim_start_matches('/')) {
                Some(target) if target.doc.is_some() => self.internal(target, Some(fragment)),
                _ => Resolved::External(dest.to_owned()),
            };
        }
        if let Some(scheme) = scheme_of(dest) {
            let scheme = scheme.to_ascii_lowercase();
            return match scheme.as_str() {
                "http" | "https" => self.resolve_web(dest),
                s if EXTERNAL_SCHEMES.contains(&s) => Resolved::External(dest.to_owned()),
                // The reasons avoid echoing `javascript:`, so no page ever carries that text.
                "javascript" | "vbscript" => Resolved::Broken {
                    reason: "links that run script are not allowed".to_owned(),
                },
                "data" => Resolved::Broken {
                    reason: "data URLs are not allowed".to_owned(),
                },
                "file" | "blob" => Resolved::Broken {
                    reason: "links to files on the reader's own computer are not allowed".to_owned(),
                },
                _ => Resolved::Broken {
                    reason: format!("`{scheme}:` is not a URL scheme the site links to"),
                },
            };
        }
        if let Some(rest) = dest.strip_prefix("//") {
            return self.resolve_web(&format!("https://{rest}"));
        }
        self.resolve_path(from, dest)
    }
}

/// Matches a fragment to a heading id the way GitHub does: exactly, then percent-decoded, then
/// ignoring case; ids from raw HTML count too. Returns the id as the target page has it.
fn match_fragment(anchors: &Anchors, fragment: &str) -> Result<String, String> {
    let fragment = fragment.strip_prefix("user-content-").unwrap_or(fragment);
    if anchors.ids.contains(fragment) || anchors.html.contains(fragment) {
        return Ok(fragment.to_owned());
    }
    let decoded = percent_decode_str(fragment).decode_utf8_lossy();
    if anchors.ids.contains(decoded.as_ref()) || anchors.html.contains(decoded.as_ref()) {
        return Ok(decoded.into_owned());
    }
    if let Some(id) = anchors.lower.get(&decoded.to_lowercase()) {
        return Ok(id.clone());
    }
    if decoded.starts_with("heading=h.") {
        return Err(format!(
            "`#{fragment}` is a Google Docs anchor; `{}` has no such heading",
            anchors.source
        ));
    }
    Err(format!(
        "`{}` has no heading with the id `{decoded}`",
        anchors.source
    ))
}

/// `scheme` for `scheme:rest`, by RFC 3986's grammar.
fn scheme_of(dest: &str) -> Option<&str> {
    let (scheme, _) = dest.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then_some(scheme)
}

/// The site path a relative or root-absolute link in `from` points at (fragment and query
/// removed, percent-decoded), as [`SiteLinks`] resolves it first; `None` for a URL, a link
/// within the page, or one that climbs above the root. `check --changed-since` asks which
/// links lead into changed files.
pub fn link_path(from: &str, dest: &str) -> Option<String> {
    let (base, path, _) = path_parts(from, dest.trim());
    if path.is_empty() || path.contains(':') {
        return None;
    }
    normalise(base, &percent_decode_str(path).decode_utf8_lossy())
}

/// A link to a path in the site taken apart: the folder it is relative to (the root for
/// `/…`, else `from`'s folder), its path without query, and its fragment.
fn path_parts<'a>(from: &'a str, dest: &'a str) -> (&'a str, &'a str, Option<&'a str>) {
    let (path, fragment) = split_fragment(dest);
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let base = if path.starts_with('/') {
        ""
    } else {
        parent_dir(from)
    };
    (base, path, fragment)
}

fn split_fragment(dest: &str) -> (&str, Option<&str>) {
    match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (dest, None),
    }
}

/// The folder of a source path, `""` for the root.
fn parent_dir(path: &str) -> &str {
    path.trim_start_matches('/')
        .rsplit_once('/')
        .map_or("", |(dir, _)| dir)
}

/// Joins `rel` to the folder `base` and removes `.` and `..`; `None` if it climbs above the
/// root. A trailing `/` is kept, so folders stay recognisable.
fn normalise(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for segment in rel.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut joined = parts.join("/");
    if rel.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

/// `security@coredns.io` written as a link target without `mailto:`.
fn as_email(dest: &str) -> Option<String> {
    let (user, domain) = dest.split_once('@')?;
    let plain = |s: &str| !s.is_empty() && !s.contains(['/', '@', ' ', '#', '?', ':', '<', '>']);
    (plain(user) && plain(domain) && domain.contains('.') && !domain.ends_with('.'))
        .then(|| format!("mailto:{dest}"))
}

/// `github.com/in-toto/…` or `www.example.org` written without `https://`.
fn looks_like_host(path: &str) -> bool {
    const TLDS: &[&str] = &[
        "com", "org", "net", "io", "dev", "edu", "gov", "app", "ai", "co", "sh", "cloud", "info",
    ];
    let host = path.split('/').next().unwrap_or_default().to_ascii_lowercase();
    let valid = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let Some((_, tld)) = host.rsplit_once('.') else {
        return false;
    };
    valid && TLDS.contains(&tld) && (host.starts_with("www.") || path.contains('/'))
}

/// Characters that cannot stand for themselves in a path segment of a relative URL (`:` could
/// be read as a scheme, `%` would be read as an escape).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'\'')
    .add(b':')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

const FRAGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'%');

/// Percent-encodes a fragment (a heading id) for use after `#`.
pub fn encode_fragment(fragment: &str) -> String {
    utf8_percent_encode(fragment, FRAGMENT).to_string()
}

/// The URL of `to` (relative to the site root) as seen from the page `from_page` (also relative
/// to the site root), so the site works from any sub-path and from `file://`.
///
/// A `from_page` ending in `/` is a folder's index page. A `to` ending in `/` stays a folder
/// link. `to` is a path and nothing else: a `#` or `?` in it is part of a file name
/// (`q?x#y.html`) and is percent-encoded like spaces; callers add a fragment themselves.
pub fn relative_url(from_page: &str, to: &str) -> String {
    // Walked as segments rather than collected: pages call this for every link they show.
    fn segments(dir: &str) -> impl Iterator<Item = &str> {
        dir.split('/').filter(|s| !s.is_empty())
    }
    let from_dir = from_page
        .trim_start_matches('/')
        .rsplit_once('/')
        .map_or("", |(dir, _)| dir);
    let to = to.trim_start_matches('/');
    let (to_dir, to_file) = to.rsplit_once('/').unwrap_or(("", to));
    let common = segments(from_dir)
        .zip(segments(to_dir))
        .take_while(|(a, b)| a == b)
        .count();
    let up = segments(from_dir).count() - common;
    let mut url = String::with_capacity(3 * up + to.len() + 2);
    for _ in 0..up {
        url.push_str("../");
    }
    for segment in segments(to_dir).skip(common) {
        url.extend(utf8_percent_encode(segment, SEGMENT));
        url.push('/');
    }
    url.extend(utf8_percent_encode(to_file, SEGMENT));
    if url.is_empty() {
        url.push_str("./");
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Asset, DocKind, Heading, Outline, Unit};

    #[test]
    fn link_paths_as_the_table_resolves_them() {
        let from = "projects/a/self-assessment.md";
        assert_eq!(
            link_path(from, "notes.md#x").as_deref(),
            Some("projects/a/notes.md")
        );
        assert_eq!(link_path(from, "../b/").as_deref(), Some("projects/b/"));
        assert_eq!(
            link_path(from, "/guide/a%20b.md?x=1").as_deref(),
            Some("guide/a b.md")
        );
        assert_eq!(link_path(from, "https://example.org/x"), None);
        assert_eq!(link_path(from, "#metadata"), None);
        assert_eq!(link_path(from, "../../../../up.md"), None);
    }

    fn doc(source: &str, url: &str, headings: &[&str], body: &str) -> Document {
        Document {
            kind: DocKind::Other,
            source: source.into(),
            rel: source.rsplit('/').next().unwrap_or(source).into(),
            url: url.into(),
            title: String::new(),
            body: body.to_owned(),
            body_line: 1,
            outline: Outline {
                headings: headings
                    .iter()
                    .map(|id| Heading {
                        level: 2,
                        text: (*id).to_owned(),
                        id: (*id).to_owned(),
                        line: 1,
                    })
                    .collect(),
                ..Outline::default()
            },
            hidden: None,
            facts: Default::default(),
            origin: None,
        }
    }

    fn asset(source: &str, url: &str) -> Asset {
        Asset {
            dimensions: None,
            source: source.into(),
            url: url.into(),
            size: 1,
        }
    }

    const P: &str = "community/assessments/projects";

    fn site() -> Site {
        let unit = |slug: &str, dir: &str, documents: Vec<Document>, assets: Vec<Asset>| Unit {
            slug: slug.to_owned(),
            name: slug.to_owned(),
            dir: dir.into(),
            documents,
            assets,
            facts: Default::default(),
            meta: Default::default(),
        };
        Site {
            title: "t".into(),
            description: String::new(),
            units: vec![
                unit(
                    "rook",
                    &format!("{P}/rook"),
                    vec![doc(
                        &format!("{P}/rook/self-assessment.md"),
                        "projects/rook/self-assessment.html",
                        &["metadata", "security-links", "überblick"],
                        "<a name=\"legacy-anchor\"></a>",
                    )],
                    vec![asset(
                        &format!("{P}/rook/Rook High-Level Architecture.png"),
                        "projects/rook/Rook High-Level Architecture.png",
                    )],
                ),
                unit(
                    "keycloak",
                    &format!("{P}/keycloak"),
                    vec![
                        doc(
                            &format!("{P}/keycloak/README.md"),
                            "projects/keycloak/README.html",
                            &["summary"],
                            "",
                        ),
                        doc(
                            &format!("{P}/keycloak/self-assessment.md"),
                            "projects/keycloak/self-assessment.html",
                            &["Odd-Case"],
                            "",
                        ),
                    ],
                    vec![asset(
                        &format!("{P}/keycloak/docs/image1.png"),
                        "projects/keycloak/docs/image1.png",
                    )],
                ),
                unit(
                    "fluentd/fluent-bit",
                    &format!("{P}/fluentd/fluent-bit"),
                    vec![doc(
                        &format!("{P}/fluentd/fluent-bit/README.md"),
                        "projects/fluentd/fluent-bit/README.html",
                        &[],
                        "",
                    )],
                    vec![],
                ),
                unit(
                    "nats",
                    &format!("{P}/nats"),
                    vec![doc(
                        &format!("{P}/nats/doc/threat-modeling.md"),
                        "projects/nats/doc/threat-modeling.html",
                        &["threats"],
                        "",
                    )],
                    vec![],
                ),
            ],
            process: vec![
                doc(
                    "community/assessments/README.md",
                    "process/index.html",
                    &["overview"],
                    "",
                ),
                doc(
                    "community/assessments/guide/README.md",
                    "process/guide/index.html",
                    &["steps"],
                    "",
                ),
                doc(
                    "community/assessments/guide/self-assessment.md",
                    "process/guide/self-assessment.html",
                    &["self-assessment-outline", "metadata"],
                    "",
                ),
            ],
            pages: vec![doc(&format!("{P}/README.md"), "projects/index.html", &[], "")],
            files: vec![asset(
                "community/assessments/Open_and_Secure.pdf",
                "process/Open_and_Secure.pdf",
            )],
            diagnostics: vec![],
        }
    }

    fn internal(url: &str, fragment: Option<&str>) -> Resolved {
        Resolved::Internal {
            url: url.to_owned(),
            fragment: fragment.map(str::to_owned),
        }
    }

    fn is_broken(r: &Resolved) -> bool {
        matches!(r, Resolved::Broken { .. })
    }

    #[test]
    fn external_links_stay_as_written() {
        let links = SiteLinks::new(&site());
        let from = format!("{P}/rook/self-assessment.md");
        for dest in [
            "https://example.com/x",
            "HTTP://EXAMPLE.COM",
            "mailto:a@b.org",
            "tel:+123",
            "irc://x",
        ] {
            assert_eq!(links.resolve(&from, dest), Resolved::External(dest.to_owned()));
        }
        // K4: e-mail addresses without mailto:; K5: a host without a scheme.
        assert_eq!(
            links.resolve(&from, "security@coredns.io"),
            Resolved::External("mailto:security@coredns.io".into())
        );
        assert_eq!(
            links.resolve(&from, "github.com/in-toto/in-toto/blob/develop/ROADMAP.md"),
            Resolved::External("https://github.com/in-toto/in-toto/blob/develop/ROADMAP.md".into())
        );
        assert_eq!(
            links.resolve(&from, "//cdn.example.org/x.png"),
            Resolved::External("https://cdn.example.org/x.png".into())
        );
        // A version of a file, or another repository, is not ours to rewrite.
        let pinned = "https://github.com/cncf/tag-security/blob/50d5f61d/community/assessments/guide/self-assessment.md";
        assert_eq!(links.resolve(&from, pinned), Resolved::External(pinned.into()));
    }

    #[test]
    fn unsafe_and_unknown_schemes_are_broken() {
        let links = SiteLinks::new(&site());
        for dest in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "vbscript:x",
            "data:text/html,<script>",
            "data:image/png;base64,AAAA",
            "file:///etc/passwd",
            "foo:bar",
            "",
            "   ",
        ] {
            assert!(is_broken(&links.resolve("x.md", dest)), "{dest}");
        }
    }

    #[test]
    fn relative_paths() {
        let links = SiteLinks::new(&site());
        let rook = format!("{P}/rook/self-assessment.md");
        // SP: spaces, percent-encoded in the link.
        assert_eq!(
            links.resolve(&rook, "Rook%20High-Level%20Architecture.png"),
            internal("projects/rook/Rook High-Level Architecture.png", None)
        );
        assert_eq!(
            links.resolve(&rook, "./Rook High-Level Architecture.png"),
            internal("projects/rook/Rook High-Level Architecture.png", None)
        );
        assert_eq!(
            links.resolve(&rook, "../keycloak/README.md#summary"),
            internal("projects/keycloak/README.html", Some("summary"))
        );
        assert_eq!(
            links.resolve(&rook, "../keycloak/docs/image1.png?raw=true"),
            internal("projects/keycloak/docs/image1.png", None)
        );
        let nats = format!("{P}/nats/doc/threat-modeling.md");
        assert_eq!(
            links.resolve(&nats, "../../rook/"),
            internal("projects/rook/", None)
        );
        assert_eq!(
            links.resolve(&nats, "../../rook"),
            internal("projects/rook/", None)
        );
        assert_eq!(links.resolve(&nats, ".."), internal("projects/nats/", None));
        assert_eq!(
            links.resolve(&nats, "../../"),
            internal("projects/index.html", None)
        );
        // K3: missing files and paths that leave the root.
        assert!(is_broken(
            &links.resolve(&rook, "../CRDs/Cluster/ceph-cluster-crd.md")
        ));
        assert!(is_broken(&links.resolve(&rook, "actions.md")));
        let Resolved::Broken { reason } = links.resolve(&rook, "../../../../../../etc/passwd") else {
            panic!("climbing out must be broken");
        };
        assert!(!reason.contains("etc"), "{reason}");
        // Case matters, as on GitHub, but the reason helps.
        let Resolved::Broken { reason } = links.resolve(&rook, "../keycloak/readme.md") else {
            panic!("case-mismatched path must be broken");
        };
        assert!(reason.contains("README.md"), "{reason}");
        // A grouping folder with no README has no page.
        assert!(is_broken(&links.resolve(&rook, "../fluentd/")));
        assert_eq!(
            links.resolve(&rook, "../fluentd/fluent-bit"),
            internal("projects/fluentd/fluent-bit/", None)
        );
    }

    #[test]
    fn root_absolute_and_repository_urls() {
        let links = SiteLinks::new(&site());
        let from = format!("{P}/keycloak/self-assessment.md");
        // K1.
        assert_eq!(
            links.resolve(&from, "/community/assessments/Open_and_Secure.pdf"),
            internal("process/Open_and_Secure.pdf", None)
        );
        assert_eq!(
            links.resolve(&from, "/community/assessments/guide"),
            internal("process/guide/index.html", None)
        );
        let Resolved::Broken { reason } = links.resolve(&from, "/assessments/guide") else {
            panic!("the pre-move path must be broken");
        };
        assert!(reason.contains("/community/assessments/guide"), "{reason}");
        // K6.
        assert_eq!(
            links.resolve(
                &from,
                "https://github.com/cncf/tag-security/blob/main/community/assessments/guide/self-assessment.md#metadata"
            ),
            internal("process/guide/self-assessment.html", Some("metadata"))
        );
        assert_eq!(
            links.resolve(
                &from,
                "https://github.com/cncf/tag-security/tree/main/community/assessments/projects/rook"
            ),
            internal("projects/rook/", None)
        );
        assert_eq!(
            links.resolve(
                &from,
                "https://tag-security.cncf.io/assessments/projects/rook/self-assessment/"
            ),
            internal("projects/rook/self-assessment.html", None)
        );
        assert!(is_broken(&links.resolve(
            &from,
            "https://github.com/cncf/tag-security/blob/main/community/assessments/guide/self-assessment.md#nope"
        )));
        // Files of the repository outside the site stay links to GitHub.
        let readme = "https://github.com/cncf/tag-security/blob/main/README.md";
        assert_eq!(links.resolve(&from, readme), Resolved::External(readme.into()));
    }

    #[test]
    fn fragments() {
        let links = SiteLinks::new(&site());
        let rook = format!("{P}/rook/self-assessment.md");
        let page = "projects/rook/self-assessment.html";
        assert_eq!(
            links.resolve(&rook, "#metadata"),
            internal(page, Some("metadata"))
        );
        assert_eq!(
            links.resolve(&rook, "#Security-Links"),
            internal(page, Some("security-links"))
        );
        assert_eq!(
            links.resolve(&rook, "#%C3%BCberblick"),
            internal(page, Some("überblick"))
        );
        assert_eq!(
            links.resolve(&rook, "#user-content-metadata"),
            internal(page, Some("metadata"))
        );
        assert_eq!(
            links.resolve(&rook, "#legacy-anchor"),
            internal(page, Some("legacy-anchor"))
        );
        assert_eq!(links.resolve(&rook, "#"), internal(page, None));
        assert!(is_broken(&links.resolve(&rook, "#missing")));
        // GD: Google Docs anchors.
        let Resolved::Broken { reason } = links.resolve(&rook, "#heading=h.7dxoyq24wwg8") else {
            panic!("google docs anchors must be broken");
        };
        assert!(reason.contains("Google Docs"), "{reason}");
        assert_eq!(
            links.resolve(&rook, "../keycloak/self-assessment.md#odd-case"),
            internal("projects/keycloak/self-assessment.html", Some("Odd-Case"))
        );
        // Fragments on files are not checked.
        assert_eq!(
            links.resolve(&rook, "/community/assessments/Open_and_Secure.pdf#page=2"),
            internal("process/Open_and_Secure.pdf", Some("page=2"))
        );
        // From a document the site does not know, a bare fragment is left alone.
        assert_eq!(
            links.resolve("elsewhere.md", "#x"),
            Resolved::External("#x".into())
        );
    }

    #[test]
    fn relative_urls() {
        assert_eq!(
            relative_url("projects/rook/README.html", "projects/rook/x.png"),
            "x.png"
        );
        assert_eq!(relative_url("projects/rook/README.html", "projects/rook/"), "./");
        assert_eq!(
            relative_url("projects/rook/README.html", "projects/nats/"),
            "../nats/"
        );
        assert_eq!(relative_url("projects/rook/", "projects/nats/"), "../nats/");
        assert_eq!(
            relative_url("projects/rook/", "process/index.html"),
            "../../process/index.html"
        );
        assert_eq!(relative_url("index.html", "projects/rook/"), "projects/rook/");
        assert_eq!(relative_url("", "projects/"), "projects/");
        assert_eq!(relative_url("projects/index.html", ""), "../");
        assert_eq!(
            relative_url(
                "projects/nats/doc/threat-modeling.html",
                "projects/fluentd/fluent-bit/README.html"
            ),
            "../../fluentd/fluent-bit/README.html"
        );
        assert_eq!(
            relative_url(
                "projects/rook/README.html",
                "projects/rook/Rook High-Level Architecture.png"
            ),
            "Rook%20High-Level%20Architecture.png"
        );
        assert_eq!(relative_url("a/b.html", "a/c:d?.png"), "c%3Ad%3F.png");
        assert_eq!(relative_url("a/b.html", "a/100%.png"), "100%25.png");
        assert_eq!(relative_url("a/b.html", "a/ü.html"), "%C3%BC.html");
        assert_eq!(relative_url("a/b.html", "a/q?x#y.html"), "q%3Fx%23y.html");
    }
}
