//! `book.toml`: every key optional, unknown keys rejected with their line. Without a
//! `book.toml`, the layout of the assessments repository is detected under the root.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Level, codes};
use crate::error::{Error, Result};

/// The process aims at a review every year.
pub const DEFAULT_RENEWAL_MONTHS: u32 = 12;

/// Where the packages live in the known layouts, tried in order.
pub const DETECTED_PROJECT_ROOTS: [&str; 3] = [
    "community/assessments/projects",
    "assessments/projects",
    "projects",
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookToml {
    #[serde(default)]
    site: SiteSection,
    #[serde(default)]
    source: SourceSection,
    #[serde(default)]
    check: CheckSection,
    #[serde(default)]
    coverage: CoverageSection,
    #[serde(default)]
    limits: LimitsSection,
}

/// Paths are `Spanned`, so a path that leaves the root is reported at its own line.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteSection {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<Spanned<String>>,
    theme: Option<Spanned<PathBuf>>,
    output: Option<Spanned<PathBuf>>,
    /// The repository the sources live in (`https://github.com/cncf/tag-security`).
    repository: Option<Spanned<String>>,
    /// Its branch the links point at (default `main`).
    branch: Option<Spanned<String>>,
    /// Where the root sits inside that repository (default: at its top).
    repository_path: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceSection {
    root: Option<Spanned<PathBuf>>,
    projects: Option<Spanned<String>>,
    process: Option<Spanned<String>>,
    units: Option<Vec<String>>,
    /// `git = true`: each document's last-changed date from `git log` (as `--git` does);
    /// outside a git checkout nothing changes.
    git: Option<bool>,
}

/// The releases data file when `[coverage] releases` names none, beside book.toml.
pub const RELEASES_FILE: &str = "releases.json";

/// `[coverage]`: `renewal_months = 12` (a package is due for review once its completion date
/// is more than this many months old) and `releases = "releases.json"` (the data file `tssa
/// releases fetch` writes, or a flat map from unit slug to the project's latest release in
/// YAML or TOML; relative to book.toml; read with no network).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageSection {
    renewal_months: Option<u32>,
    releases: Option<Spanned<PathBuf>>,
}

/// `[limits]`: how much the repository may ask tssa to read. See [`Limits`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsSection {
    file_bytes: Option<u64>,
    asset_bytes: Option<u64>,
    depth: Option<usize>,
    files: Option<usize>,
    total_bytes: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSection {
    ruleset: Option<String>,
    /// Spanned, so a bad entry is reported at its own line.
    #[serde(default)]
    levels: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// The most `book.toml` itself may weigh: it is read before `[limits]` is known.
pub const CONFIG_BYTES: u64 = 1 << 20;

/// Bounds on what one run reads, so that no repository (or a configured path that reaches a
/// device or `/proc`) can exhaust memory or keep the build walking for ever. The defaults fit
/// the assessments repository (≈160 files, 17 MB, documents under 100 KB, 7 levels deep) many
/// times over; `[limits]` in `book.toml` raises them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `file_bytes`: the largest file tssa reads into memory (a document with its front
    /// matter, a `tssa.yaml`, the releases file, a theme file, a guide template).
    pub file_bytes: u64,
    /// `asset_bytes`: the largest file published as it is (an image, a PDF). GitHub refuses
    /// files over 100 MiB, so no real repository holds a larger one.
    pub asset_bytes: u64,
    /// `depth`: the deepest folder walked, counted from the root.
    pub depth: usize,
    /// `files`: how many files the walk may find in all.
    pub files: usize,
    /// `total_bytes`: the summed size of every file the walk finds (assets included).
    pub total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            file_bytes: 8 << 20,
            asset_bytes: 100 << 20,
            depth: 32,
            files: 50_000,
            total_bytes: 4 << 30,
        }
    }
}

/// The resolved configuration every stage reads.
#[derive(Debug, Clone)]
pub struct Config {
    /// The book.toml this came from, if any.
    pub file: Option<PathBuf>,
    /// The repository root; every path in the model is relative to it.
    pub root: PathBuf,
    /// The projects folder, relative to `root` (`community/assessments/projects`).
    pub projects: String,
    /// The process docs folder, relative to `root` (`community/assessments`). `None` when the
    /// projects folder sits at the top of the repository (cncf/toc's `projects/`): that
    /// repository holds no assessment process, and its root is everyone's documents, not ours.
    /// `[source] process` names one anyway.
    pub process: Option<String>,
    /// Optional patterns (relative to `projects`) naming the folders that hold packages.
    pub unit_patterns: Option<Vec<String>>,
    pub output: PathBuf,
    pub title: String,
    pub description: String,
    /// Always ends with `/`; an `http(s)://` URL or an absolute path.
    pub base_url: String,
    /// A folder whose files override the default theme's files of the same name.
    pub theme: Option<PathBuf>,
    pub ruleset: Option<String>,
    /// `[check.levels]`: code → its new level, `None` for `off`. Every key is a registered
    /// code (see [`codes`]); anything else is rejected when the file is read.
    pub levels: BTreeMap<String, Option<Level>>,
    /// `[coverage] renewal_months`: months after completion before a review is due.
    pub renewal_months: u32,
    /// The releases data file to read: `[coverage] releases`, else `releases.json` beside
    /// book.toml when it exists.
    pub releases: Option<PathBuf>,
    /// Where `tssa releases fetch` writes: `[coverage] releases`, else `releases.json` beside
    /// book.toml (or in the root without one).
    pub releases_target: PathBuf,
    /// `[source] git` or `--git`: take documents' last-changed dates from `git log`.
    pub git: bool,
    /// `[limits]`: what one run may read.
    pub limits: Limits,
    /// `[site] repository`, `branch`, `repository_path`: where "View source" and "Edit"
    /// links point. `None`: pages have no such links.
    pub repository: Option<Repository>,
}

/// The hosted repository holding the sources (GitHub's URL shape: `blob/` and `edit/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// `https://host/owner/name`, no trailing `/`.
    pub url: String,
    pub branch: String,
    /// The root's folder inside the repository, `/`-separated, no leading or trailing `/`;
    /// empty when the root is the repository's top.
    pub path: String,
}

/// What the command line says about configuration.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub root: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub base_url: Option<String>,
    /// `--git`: turns git dates on whatever book.toml says.
    pub git: bool,
}

/// The book.toml being read, for errors that point into it.
struct Source<'a> {
    file: Option<&'a Path>,
    text: &'a str,
}

impl Source<'_> {
    fn line<T>(&self, value: &Spanned<T>) -> usize {
        line_of(self.text, value.span().start)
    }

    /// An error at a line of book.toml, or a plain setup error when no key is involved.
    fn error(&self, line: Option<usize>, message: String) -> Error {
        match line {
            Some(line) => config_error(self.file, line, message),
            None => Error::Setup(message),
        }
    }
}

impl Config {
    /// Finds and reads the configuration: `--config`, else `book.toml` in `--root`, else
    /// `book.toml` in the current folder (only when no `--root` is given), else zero-config.
    /// Every path book.toml names must stay inside the root (or the folder of book.toml);
    /// one that leaves it stops the command, naming the key.
    pub fn load(overrides: &Overrides) -> Result<Config> {
        let file = match (&overrides.config, &overrides.root) {
            (Some(file), _) => Some(file.clone()),
            (None, Some(root)) => Some(root.join("book.toml")).filter(|f| f.is_file()),
            (None, None) => Some(PathBuf::from("book.toml")).filter(|f| f.is_file()),
        };
        let (book, base, text) = match &file {
            Some(file) => {
                let text = read_config(file)?;
                let book = parse_book(&text, file)?;
                let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
                let base = if base.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    base
                };
                (book, base, text)
            }
            None => (
                BookToml::default(),
                overrides.root.clone().unwrap_or_else(|| PathBuf::from(".")),
                String::new(),
            ),
        };
        let src = Source {
            file: file.as_deref(),
            text: &text,
        };
        let root = resolve_root(overrides, &book, &base, &src)?;
        let bounds = Bounds::new(&root, file.as_ref().map(|_| base.as_path()))?;
        let (projects, process) = source_folders(&book.source, &root, &bounds, &src)?;
        let in_book = |value: &Option<Spanned<PathBuf>>, key: &str| -> Result<Option<PathBuf>> {
            value
                .as_ref()
                .map(|v| bounds.check_path(&base.join(v.get_ref()), key, Some(src.line(v)), &src))
                .transpose()
        };
        let output = match &overrides.out {
            // The command line is the user's own choice; book.toml is the repository's.
            Some(out) => out.clone(),
            None => in_book(&book.site.output, "[site] output")?.unwrap_or_else(|| root.join("public")),
        };
        let theme = in_book(&book.site.theme, "[site] theme")?;
        let releases = in_book(&book.coverage.releases, "[coverage] releases")?;
        let releases_target = match &releases {
            Some(path) => path.clone(),
            // The default is held to the same bound: `releases.json` may be a link.
            None => bounds.check_path(
                &base.join(RELEASES_FILE),
                "releases.json (the default of [coverage] releases)",
                None,
                &src,
            )?,
        };
        let releases =
            releases.or_else(|| Some(releases_target.clone()).filter(|p| p.symlink_metadata().is_ok()));
        let base_url = resolve_base_url(overrides, &book, &src)?;
        let levels = parse_levels(&book.check.levels, file.as_deref(), &text)?;
        if let Some(ruleset) = &book.check.ruleset
            && !matches!(ruleset.as_str(), "tssa-2019" | "tssa-2021" | "tssa-2024-11")
        {
            return Err(config_error(
                file.as_deref(),
                line_containing(&text, "ruleset"),
                format!("[check] ruleset `{ruleset}`: expected tssa-2019, tssa-2021 or tssa-2024-11"),
            ));
        }
        let limits = limits(&book.limits, &src)?;
        let repository = repository(&book.site, &src)?;
        Ok(Config {
            file,
            root,
            projects,
            process,
            unit_patterns: book.source.units,
            output,
            title: book.site.title.unwrap_or_else(|| "TSSA packages".to_owned()),
            description: book.site.description.unwrap_or_else(|| {
                "Security assessment packages of CNCF projects, checked against the TAG Security & Compliance assessment process."
                    .to_owned()
            }),
            base_url,
            theme,
            ruleset: book.check.ruleset,
            levels,
            renewal_months: book.coverage.renewal_months.unwrap_or(DEFAULT_RENEWAL_MONTHS),
            releases,
            releases_target,
            git: overrides.git || book.source.git.unwrap_or(false),
            limits,
            repository,
        })
    }
}

/// `[source] projects` (or the detected layout) and `[source] process` (or the projects
/// folder's parent), relative to the root and inside it.
fn source_folders(
    source: &SourceSection,
    root: &Path,
    bounds: &Bounds,
    src: &Source<'_>,
) -> Result<(String, Option<String>)> {
    let projects = match &source.projects {
        Some(projects) => {
            let rel = relative(projects, "[source] projects", src)?;
            bounds.check_folder(root, &rel, "[source] projects", Some(src.line(projects)), src)?;
            rel
        }
        None => {
            let rel = detect_projects(root)?;
            bounds.check_folder(root, &rel, "the projects folder", None, src)?;
            rel
        }
    };
    let process = match &source.process {
        Some(process) => {
            let rel = relative(process, "[source] process", src)?;
            let line = Some(src.line(process));
            bounds.check_path(&root.join(&rel), "[source] process", line, src)?;
            Some(rel)
        }
        None => projects.rsplit_once('/').map(|(parent, _)| parent.to_owned()),
    };
    Ok((projects, process))
}

/// A folder under the root as book.toml names it: `/`-separated, never absolute (a leading
/// `/` used to be trimmed, which quietly turned `/etc` into `etc`).
fn relative(value: &Spanned<String>, key: &str, src: &Source<'_>) -> Result<String> {
    let raw = value.get_ref();
    let absolute = raw.starts_with(['/', '\\']) || raw.as_bytes().get(1) == Some(&b':');
    if absolute {
        return Err(src.error(
            Some(src.line(value)),
            format!("{key} `{raw}` is an absolute path; write it relative to the root"),
        ));
    }
    Ok(trim_slashes(raw))
}

/// book.toml, refused before reading when it is not a small regular file.
fn read_config(file: &Path) -> Result<String> {
    crate::fsread::read_capped_string(file, CONFIG_BYTES).map_err(|err| match err {
        crate::fsread::ReadError::Io(source) => Error::Read {
            path: file.to_path_buf(),
            source,
        },
        other => Error::Setup(format!(
            "cannot read the configuration `{}`: {other}",
            file.display()
        )),
    })
}

/// `--root` wins unless a `--config` says where its sources are; `[source] root` is relative
/// to book.toml and must stay inside its folder.
fn resolve_root(overrides: &Overrides, book: &BookToml, base: &Path, src: &Source<'_>) -> Result<PathBuf> {
    let root = match (&overrides.root, &book.source.root, &overrides.config) {
        (Some(root), None, _) | (Some(root), Some(_), None) => root.clone(),
        (_, Some(rel), _) => {
            let root = base.join(rel.get_ref());
            Bounds::new(base, None)?.check_path(&root, "[source] root", Some(src.line(rel)), src)?;
            root
        }
        (None, None, _) => base.to_path_buf(),
    };
    if !root.is_dir() {
        return Err(Error::Setup(format!(
            "root folder `{}` does not exist",
            root.display()
        )));
    }
    Ok(root)
}

/// Where configured paths may lead, canonical: the root, and the folder of book.toml (which
/// may sit above a `[source] root`, next to the releases file or theme it names).
struct Bounds {
    allowed: Vec<PathBuf>,
}

impl Bounds {
    fn new(root: &Path, config_dir: Option<&Path>) -> Result<Bounds> {
        let canonical = |dir: &Path| {
            dir.canonicalize().map_err(|source| Error::Read {
                path: dir.to_path_buf(),
                source,
            })
        };
        let mut allowed = vec![canonical(root)?];
        if let Some(dir) = config_dir {
            allowed.push(canonical(dir)?);
        }
        Ok(Bounds { allowed })
    }

    /// `path` (which need not exist yet) after following every link, if that is inside.
    fn check_path(&self, path: &Path, key: &str, line: Option<usize>, src: &Source<'_>) -> Result<PathBuf> {
        let refuse = |why: String| {
            let message = format!(
                "{key} `{}` {why}; configured paths must stay inside the repository (`{}`)",
                path.display(),
                self.allowed[0].display()
            );
            src.error(line, message)
        };
        let resolved =
            resolve_existing_prefix(path).ok_or_else(|| refuse("cannot be resolved".to_owned()))?;
        if self.allowed.iter().any(|dir| resolved.starts_with(dir)) {
            Ok(path.to_path_buf())
        } else {
            Err(refuse(format!(
                "resolves to `{}`, outside the root",
                resolved.display()
            )))
        }
    }

    /// As [`Bounds::check_path`] for a folder under the root that must exist.
    fn check_folder(
        &self,
        root: &Path,
        rel: &str,
        key: &str,
        line: Option<usize>,
        src: &Source<'_>,
    ) -> Result<()> {
        let path = root.join(rel);
        self.check_path(&path, key, line, src)?;
        if !path.is_dir() {
            let message = format!(
                "projects folder `{rel}` (from {key}) does not exist under `{}`",
                root.display()
            );
            return Err(src.error(line, message));
        }
        Ok(())
    }
}

/// The canonical form of `path`: its longest existing ancestor with links followed, then the
/// rest, which cannot hold links since it does not exist, with `..` taken lexically.
fn resolve_existing_prefix(path: &Path) -> Option<PathBuf> {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            let mut resolved = canonical;
            for part in rest.iter().rev() {
                if part == ".." {
                    resolved.pop();
                } else if part != "." {
                    resolved.push(part);
                }
            }
            return Some(resolved);
        }
        let name = existing.file_name()?.to_os_string();
        rest.push(name);
        if !existing.pop() {
            return None;
        }
        if existing.as_os_str().is_empty() {
            existing = PathBuf::from(".");
        }
    }
}

/// `--base-url` or `[site] base_url`: an `http(s)://` URL with a host, or an absolute path.
/// Anything else (`javascript:`, `//host`, quotes) would become a link in every page.
fn resolve_base_url(overrides: &Overrides, book: &BookToml, src: &Source<'_>) -> Result<String> {
    let (base_url, from_flag) = match (&overrides.base_url, &book.site.base_url) {
        (Some(url), _) => (url.clone(), true),
        (None, Some(url)) => (url.get_ref().clone(), false),
        (None, None) => ("/".to_owned(), true),
    };
    if let Err(why) = check_base_url(&base_url) {
        let message = if from_flag {
            format!("--base-url `{}` {why}", base_url.escape_debug())
        } else {
            format!("[site] base_url `{}` {why}", base_url.escape_debug())
        };
        let line = (!from_flag).then(|| book.site.base_url.as_ref().map_or(1, |url| src.line(url)));
        return Err(src.error(line, message));
    }
    Ok(if base_url.ends_with('/') {
        base_url
    } else {
        format!("{base_url}/")
    })
}

fn check_base_url(url: &str) -> std::result::Result<(), String> {
    const EXPECTED: &str = "expected an http:// or https:// URL, or a path starting with `/`";
    if let Some(bad) = url
        .chars()
        .find(|c| c.is_control() || c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`'))
    {
        return Err(format!("contains {}; {EXPECTED}", bad.escape_debug()));
    }
    let lower = url.to_ascii_lowercase();
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match host {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(()),
        Some(_) => Err(format!("has no host; {EXPECTED}")),
        None if url.starts_with("//") => Err(format!("is protocol-relative (another site); {EXPECTED}")),
        None if url.starts_with('/') => Ok(()),
        None => Err(format!("is not allowed; {EXPECTED}")),
    }
}

/// `[site] repository` (an `https://` URL with a host and a path, nothing after it),
/// `branch` and `repository_path` (plain names: no spaces, quotes, `..`, `?` or `#`).
/// `branch` or `repository_path` without `repository` is an error: it would do nothing.
fn repository(site: &SiteSection, src: &Source<'_>) -> Result<Option<Repository>> {
    let Some(url) = &site.repository else {
        if let Some(key) = site.branch.as_ref().or(site.repository_path.as_ref()) {
            let message =
                "[site] branch and repository_path need [site] repository (the repository's https:// URL)";
            return Err(src.error(Some(src.line(key)), message.to_owned()));
        }
        return Ok(None);
    };
    let bad = |value: &Spanned<String>, key: &str, why: &str| {
        let message = format!("[site] {key} `{}` {why}", value.get_ref().escape_debug());
        src.error(Some(src.line(value)), message)
    };
    let trimmed = url.get_ref().trim_end_matches('/');
    let rest = trimmed.strip_prefix("https://").unwrap_or_default();
    if !plain(trimmed) || rest.split('/').filter(|s| !s.is_empty()).count() < 2 {
        return Err(bad(
            url,
            "repository",
            "is not allowed; expected an https:// URL such as https://github.com/owner/name",
        ));
    }
    let branch = match &site.branch {
        Some(b) if !plain(b.get_ref()) || b.get_ref().is_empty() => {
            return Err(bad(
                b,
                "branch",
                "is not a branch name; expected a name such as main",
            ));
        }
        Some(b) => b.get_ref().clone(),
        None => "main".to_owned(),
    };
    let path = match &site.repository_path {
        Some(p) if !plain(p.get_ref()) => {
            return Err(bad(
                p,
                "repository_path",
                "is not a folder path; expected one such as docs/site",
            ));
        }
        Some(p) => trim_slashes(p.get_ref()),
        None => String::new(),
    };
    Ok(Some(Repository {
        url: trimmed.to_owned(),
        branch,
        path,
    }))
}

/// A value safe to put in a URL path as it is: no spaces, controls, quotes, `\`, `?`, `#`,
/// and no `..` segment.
fn plain(value: &str) -> bool {
    !value.chars().any(|c| {
        c.is_control() || c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`' | '?' | '#')
    }) && !value.split('/').any(|s| s == "..")
}

fn limits(section: &LimitsSection, src: &Source<'_>) -> Result<Limits> {
    let default = Limits::default();
    let limits = Limits {
        file_bytes: section.file_bytes.unwrap_or(default.file_bytes),
        asset_bytes: section.asset_bytes.unwrap_or(default.asset_bytes),
        depth: section.depth.unwrap_or(default.depth),
        files: section.files.unwrap_or(default.files),
        total_bytes: section.total_bytes.unwrap_or(default.total_bytes),
    };
    if limits.file_bytes == 0
        || limits.asset_bytes == 0
        || limits.depth == 0
        || limits.files == 0
        || limits.total_bytes == 0
    {
        return Err(config_error(
            src.file,
            line_containing(src.text, "[limits]"),
            "[limits]: every limit must be at least 1".to_owned(),
        ));
    }
    Ok(limits)
}

fn trim_slashes(path: &str) -> String {
    path.trim_matches('/').replace('\\', "/")
}

fn detect_projects(root: &Path) -> Result<String> {
    DETECTED_PROJECT_ROOTS
        .iter()
        .find(|candidate| root.join(candidate).is_dir())
        .map(|found| (*found).to_owned())
        .ok_or_else(|| {
            Error::Setup(format!(
                "no projects folder under `{}`: expected `community/assessments/projects` or \
                 `assessments/projects` (or set [source] projects in book.toml)",
                root.display()
            ))
        })
}

/// `[check.levels]` as typed settings. A key that is no code, or a level that is no level,
/// is an error: silently ignoring a typo would leave the rule at a level the user thinks
/// they changed.
fn parse_levels(
    raw: &BTreeMap<Spanned<String>, Spanned<String>>,
    file: Option<&Path>,
    text: &str,
) -> Result<BTreeMap<String, Option<Level>>> {
    // In file order, so the mistake reported is the first one in the file.
    let mut entries: Vec<_> = raw.iter().collect();
    entries.sort_by_key(|(code, _)| code.span().start);
    let mut levels = BTreeMap::new();
    for (code, word) in entries {
        let line = line_of(text, code.span().start);
        let Some(rule) = codes::lookup(code.get_ref()) else {
            let hint = codes::nearest(code.get_ref())
                .map(|near| format!("; did you mean `{near}`?"))
                .unwrap_or_default();
            return Err(config_error(
                file,
                line,
                format!(
                    "[check.levels] `{}` is not a tssa diagnostic code{hint} (the README lists them all)",
                    code.get_ref()
                ),
            ));
        };
        if !rule.stage.levelled() {
            return Err(config_error(
                file,
                line,
                format!(
                    "[check.levels] `{}` reports a preview rebuild that could not run; it cannot be re-levelled",
                    rule.id
                ),
            ));
        }
        let level = match word.get_ref().as_str() {
            "off" => None,
            other => Some(other.parse::<Level>().map_err(|()| {
                config_error(
                    file,
                    line_of(text, word.span().start),
                    format!(
                        "[check.levels] `{}` = `{other}`: expected error, warning, info or off",
                        rule.id
                    ),
                )
            })?),
        };
        levels.insert(rule.id.to_owned(), level);
    }
    Ok(levels)
}

fn config_error(file: Option<&Path>, line: usize, message: String) -> Error {
    Error::Config {
        file: file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("book.toml")),
        line,
        message,
    }
}

fn parse_book(text: &str, file: &Path) -> Result<BookToml> {
    toml::from_str(text).map_err(|err| {
        let line = err.span().map(|span| line_of(text, span.start)).unwrap_or(1);
        let message = err.message().to_owned();
        config_error(Some(file), line, message)
    })
}

fn line_containing(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .map_or(1, |i| i + 1)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = parse_book(
            "[site]\ntitle = \"x\"\ncolour = \"red\"\n",
            Path::new("book.toml"),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("book.toml:3"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn every_key_has_a_default() {
        assert!(parse_book("", Path::new("book.toml")).is_ok());
    }

    fn levels(text: &str) -> std::result::Result<BTreeMap<String, Option<Level>>, String> {
        let file = Path::new("book.toml");
        let book = parse_book(text, file).map_err(|e| e.to_string())?;
        parse_levels(&book.check.levels, Some(file), text).map_err(|e| e.to_string())
    }

    #[test]
    fn levels_are_typed_at_load() {
        let got = levels(
            "[check.levels]\n\"link/broken\" = \"error\"\n\"front-matter/syntax\" = \"off\"\n\"coi/escalated\" = \"warning\"\n",
        );
        let expected = BTreeMap::from([
            ("link/broken".to_owned(), Some(Level::Error)),
            ("front-matter/syntax".to_owned(), None),
            ("coi/escalated".to_owned(), Some(Level::Warning)),
        ]);
        assert_eq!(got, Ok(expected));
    }

    #[test]
    fn unknown_level_key_names_key_line_and_nearest_code() {
        // The comment mentions the key first: the line must be the entry's, not the first match.
        let text = "# \"link/brokn\" below\n[check.levels]\n\"coi/escalated\" = \"info\"\n\"link/brokn\" = \"error\"\n";
        let err = levels(text).err().unwrap_or_default();
        assert!(err.starts_with("book.toml:4: "), "{err}");
        assert!(
            err.contains("`link/brokn`") && err.contains("did you mean `link/broken`?"),
            "{err}"
        );
        let err = levels("[check.levels]\nnonsense = \"off\"\n")
            .err()
            .unwrap_or_default();
        assert!(
            err.starts_with("book.toml:2: ") && !err.contains("did you mean"),
            "{err}"
        );
    }

    #[test]
    fn first_bad_entry_in_file_order_is_reported() {
        let err = levels("[check.levels]\n\"zzz/late\" = \"off\"\n\"aaa/early\" = \"off\"\n")
            .err()
            .unwrap_or_default();
        assert!(
            err.contains("zzz/late") && err.starts_with("book.toml:2:"),
            "{err}"
        );
    }

    #[test]
    fn unknown_level_word_names_key_and_line() {
        let err = levels("[check.levels]\n\"link/broken\" = \"loud\"\n")
            .err()
            .unwrap_or_default();
        assert!(err.starts_with("book.toml:2: "), "{err}");
        assert!(err.contains("link/broken") && err.contains("loud"), "{err}");
        // Level words are exact, as the README spells them.
        assert!(levels("[check.levels]\n\"link/broken\" = \"Error\"\n").is_err());
    }

    #[test]
    fn serve_only_codes_cannot_be_levelled() {
        let err = levels("[check.levels]\n\"build/failed\" = \"off\"\n")
            .err()
            .unwrap_or_default();
        assert!(
            err.contains("build/failed") && err.contains("cannot be re-levelled"),
            "{err}"
        );
    }
}
