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
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteSection {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    theme: Option<PathBuf>,
    output: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceSection {
    root: Option<PathBuf>,
    projects: Option<String>,
    process: Option<String>,
    units: Option<Vec<String>>,
    /// `git = true`: each document's last-changed date from `git log` (as `--git` does);
    /// outside a git checkout nothing changes.
    git: Option<bool>,
}

/// `[coverage]`: `renewal_months = 12` (a package is due for review once its completion date
/// is more than this many months old) and `releases = "releases.yaml"` (a flat map from unit
/// slug to the project's latest release, YAML or TOML, relative to book.toml; no network).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageSection {
    renewal_months: Option<u32>,
    releases: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSection {
    ruleset: Option<String>,
    /// Spanned, so a bad entry is reported at its own line.
    #[serde(default)]
    levels: BTreeMap<Spanned<String>, Spanned<String>>,
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
    /// The process docs folder, relative to `root` (`community/assessments`).
    pub process: String,
    /// Optional patterns (relative to `projects`) naming the folders that hold packages.
    pub unit_patterns: Option<Vec<String>>,
    pub output: PathBuf,
    pub title: String,
    pub description: String,
    /// Always ends with `/`.
    pub base_url: String,
    /// A folder whose files override the default theme's files of the same name.
    pub theme: Option<PathBuf>,
    pub ruleset: Option<String>,
    /// `[check.levels]`: code → its new level, `None` for `off`. Every key is a registered
    /// code (see [`codes`]); anything else is rejected when the file is read.
    pub levels: BTreeMap<String, Option<Level>>,
    /// `[coverage] renewal_months`: months after completion before a review is due.
    pub renewal_months: u32,
    /// `[coverage] releases`: the releases data file (slug → latest release).
    pub releases: Option<PathBuf>,
    /// `[source] git` or `--git`: take documents' last-changed dates from `git log`.
    pub git: bool,
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

impl Config {
    /// Finds and reads the configuration: `--config`, else `book.toml` in `--root`, else
    /// `book.toml` in the current folder (only when no `--root` is given), else zero-config.
    pub fn load(overrides: &Overrides) -> Result<Config> {
        let file = match (&overrides.config, &overrides.root) {
            (Some(file), _) => Some(file.clone()),
            (None, Some(root)) => Some(root.join("book.toml")).filter(|f| f.is_file()),
            (None, None) => Some(PathBuf::from("book.toml")).filter(|f| f.is_file()),
        };
        let (book, base, text) = match &file {
            Some(file) => {
                let text = std::fs::read_to_string(file).map_err(|source| Error::Read {
                    path: file.clone(),
                    source,
                })?;
                let book = parse_book(&text, file)?;
                let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
                (
                    book,
                    if base.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        base
                    },
                    text,
                )
            }
            None => (
                BookToml::default(),
                overrides.root.clone().unwrap_or_else(|| PathBuf::from(".")),
                String::new(),
            ),
        };
        let root = match (&overrides.root, &book.source.root, &overrides.config) {
            // An explicit --root wins unless a --config says where its sources are.
            (Some(root), None, _) | (Some(root), Some(_), None) => root.clone(),
            (_, Some(rel), _) => base.join(rel),
            (None, None, _) => base.clone(),
        };
        if !root.is_dir() {
            return Err(Error::Setup(format!(
                "root folder `{}` does not exist",
                root.display()
            )));
        }
        let projects = match book.source.projects.clone() {
            Some(projects) => {
                if !root.join(&projects).is_dir() {
                    return Err(Error::Setup(format!(
                        "projects folder `{projects}` (from [source] projects) does not exist under `{}`",
                        root.display()
                    )));
                }
                trim_slashes(&projects)
            }
            None => detect_projects(&root)?,
        };
        let process = match book.source.process.clone() {
            Some(process) => trim_slashes(&process),
            None => projects
                .rsplit_once('/')
                .map(|(parent, _)| parent.to_owned())
                .unwrap_or_default(),
        };
        let output = match (&overrides.out, &book.site.output) {
            (Some(out), _) => out.clone(),
            (None, Some(out)) => base.join(out),
            (None, None) => root.join("public"),
        };
        let base_url = overrides
            .base_url
            .clone()
            .or(book.site.base_url.clone())
            .unwrap_or_else(|| "/".to_owned());
        let base_url = if base_url.ends_with('/') {
            base_url
        } else {
            format!("{base_url}/")
        };
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
            theme: book.site.theme.map(|theme| base.join(theme)),
            ruleset: book.check.ruleset,
            levels,
            renewal_months: book.coverage.renewal_months.unwrap_or(DEFAULT_RENEWAL_MONTHS),
            releases: book.coverage.releases.map(|releases| base.join(releases)),
            git: overrides.git || book.source.git.unwrap_or(false),
        })
    }
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
