//! Release data: which GitHub repository is a unit's project, the `releases.json` data file
//! that `tssa releases fetch` writes and the build reads offline, and the questions coverage
//! asks of it (the latest release, the release current on the completion date, how far
//! behind).
//!
//! Everything here but [`fetch`] is pure: the build reads the file through coverage's
//! `Inputs`, and only `tssa releases fetch` (through [`fetch`]) touches the network.
//!
//! Decisions worth knowing:
//!
//! * A unit's project is the first GitHub `owner/repo` URL among its `source_code` and then
//!   `software` facts. Other URLs are reported by the fetch as skipped: a non-GitHub host, or
//!   an organisation (`github.com/org`), which names no one repository.
//! * Pre-releases are kept in the file with their flag but never count: not as the latest
//!   release, not as the release a completion date infers, not in "releases behind". A
//!   stated version may still name one (then it is found by its tag).
//! * Drafts are never written: the API shows them only to maintainers, and they have no
//!   publication date.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calendar::Date;
use crate::coverage::parse_version;
use crate::diagnostic::Diagnostic;
use crate::model::{FactKey, Unit};

pub mod fetch;

/// The data file's format number; a file with another is refused with a diagnostic.
pub const FORMAT: u32 = 1;

/// A GitHub repository, `owner/name`, as the API spells it in its paths.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Repo {
    pub owner: String,
    pub name: String,
}

impl Repo {
    /// `https://github.com/owner/name[.git][/anything]` → the repository. `None` for another
    /// host or an organisation page.
    pub fn from_url(url: &str) -> Option<Repo> {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let rest = rest.strip_prefix("www.").unwrap_or(rest);
        let path = rest.strip_prefix("github.com/")?;
        let mut parts = path.split(['/', '?', '#']);
        let owner = parts.next().filter(|s| valid_segment(s))?;
        let name = parts.next()?;
        let name = name.strip_suffix(".git").unwrap_or(name);
        valid_segment(name).then(|| Repo {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }

    /// `owner/name`: the data file's key.
    pub fn key(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

fn valid_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A unit's project repository, and the URLs of its facts that name none.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UnitRepos {
    pub primary: Option<Repo>,
    /// URLs that are not a GitHub repository, in fact order.
    pub skipped: Vec<String>,
}

/// The repository a unit's facts name first (source code before software).
pub fn unit_repos(unit: &Unit) -> UnitRepos {
    let mut found = UnitRepos::default();
    let urls = [FactKey::SourceCode, FactKey::Software]
        .into_iter()
        .filter_map(|key| unit.fact(key))
        .flat_map(|fact| fact.value.split(", "))
        .map(str::trim)
        .filter(|url| !url.is_empty());
    for url in urls {
        match Repo::from_url(url) {
            Some(repo) if found.primary.is_none() => found.primary = Some(repo),
            Some(_) => {}
            None if !found.skipped.iter().any(|s| s == url) => found.skipped.push(url.to_owned()),
            None => {}
        }
    }
    found
}

/// The data file: per repository, its releases as last fetched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Data {
    pub format: u32,
    /// Keyed `owner/name`, so the file is sorted.
    pub repositories: BTreeMap<String, History>,
}

/// One repository's releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// The day they were fetched (`YYYY-MM-DD`, UTC).
    pub fetched: String,
    pub source: Source,
    /// Newest first (by publication date, then tag).
    pub releases: Vec<Release>,
}

/// Where a repository's releases came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// GitHub releases, dated by their publication.
    Releases,
    /// Tags, for a project that publishes no releases, dated by their commit.
    Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub tag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `YYYY-MM-DD` (UTC).
    pub published: String,
    #[serde(default)]
    pub prerelease: bool,
}

impl Release {
    /// A full release: counted as latest, inferred, and behind.
    fn counts(&self) -> bool {
        !self.prerelease
    }
}

/// Newest first; ties by tag, so the same answers always give the same order.
pub fn sort_newest_first(releases: &mut [Release]) {
    releases.sort_by(|a, b| b.published.cmp(&a.published).then_with(|| a.tag.cmp(&b.tag)));
}

impl Data {
    /// The file's bytes: pretty JSON with a final newline, keys in a fixed order.
    pub fn to_json(&self) -> String {
        // Serialising owned strings, maps and vectors cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads `text` (the file `file`), refusing another format and dates that are not
    /// `YYYY-MM-DD`, with the line of the problem.
    pub fn parse(text: &str, file: &str) -> Result<Data, Diagnostic> {
        let error = |line: usize, message: String| {
            Diagnostic::error("coverage/releases", message)
                .at(file, Some(line))
                .help("run `tssa releases fetch` to write the file again, or fix the value by hand")
        };
        let data: Data = serde_json::from_str(text)
            .map_err(|err| error(err.line().max(1), format!("not a releases data file: {err}")))?;
        if data.format != FORMAT {
            return Err(error(
                line_of(text, "\"format\""),
                format!(
                    "format {} is not the format {FORMAT} this tssa reads",
                    data.format
                ),
            ));
        }
        for (repo, history) in &data.repositories {
            let dates =
                std::iter::once(&history.fetched).chain(history.releases.iter().map(|r| &r.published));
            if let Some(bad) = dates
                .into_iter()
                .find(|d| d.len() != 10 || Date::parse(d).is_none())
            {
                return Err(error(
                    line_of(text, &format!("\"{bad}\"")),
                    format!("`{repo}`: `{bad}` is not a date (YYYY-MM-DD)"),
                ));
            }
        }
        Ok(data)
    }
}

/// The first line holding `needle`, else 1.
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() + 1)
}

/// The newest full release.
pub fn latest(history: &History) -> Option<&Release> {
    history.releases.iter().find(|r| r.counts())
}

/// The newest full release published on or before `completed`, compared at the completion
/// date's precision: an assessment completed in `2020-06` covers a release of 2020-06-20,
/// since the month is all it says.
pub fn current_on<'a>(history: &'a History, completed: &str) -> Option<&'a Release> {
    history
        .releases
        .iter()
        .filter(|r| r.counts())
        .find(|r| r.published.get(..completed.len()).is_some_and(|p| p <= completed))
}

/// The release a stated version names: its tag exactly, else the same version number.
pub fn named<'a>(history: &'a History, version: &str) -> Option<&'a Release> {
    let wanted = version.trim();
    history.releases.iter().find(|r| r.tag == wanted).or_else(|| {
        let number = parse_version(wanted)?;
        history
            .releases
            .iter()
            .find(|r| parse_version(&r.tag) == Some(number))
    })
}

/// How far an assessment is behind the latest release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lag {
    /// Full releases published after the covered one (by date, or by version number when
    /// the covered version is not in the data).
    pub releases: u64,
    /// Whole months from the covered release's publication to the latest's; `None` when the
    /// covered release has no date on record.
    pub months: Option<u32>,
}

impl Lag {
    /// `3 releases and 14 months`.
    pub fn label(&self) -> String {
        let releases = match self.releases {
            1 => "1 release".to_owned(),
            n => format!("{n} releases"),
        };
        match self.months {
            Some(1) => format!("{releases} and 1 month"),
            Some(m) => format!("{releases} and {m} months"),
            None => releases,
        }
    }
}

/// The lag of `covered` (a release in the data, or a version number that is not) behind
/// `latest`.
pub fn lag(history: &History, covered: Covered<'_>, latest: &Release) -> Lag {
    let full = history.releases.iter().filter(|r| r.counts());
    match covered {
        Covered::Release(release) => Lag {
            releases: full.filter(|r| r.published > release.published).count() as u64,
            months: months_between(&release.published, &latest.published),
        },
        Covered::Version(version) => {
            let number = parse_version(version);
            let newer = full.filter(|r| number.is_some_and(|n| parse_version(&r.tag).is_some_and(|t| t > n)));
            Lag {
                releases: newer.count() as u64,
                months: None,
            }
        }
    }
}

/// What an assessment covered, as far as the data knows it.
#[derive(Debug, Clone, Copy)]
pub enum Covered<'a> {
    Release(&'a Release),
    /// A stated version with no release of that tag or number in the data.
    Version(&'a str),
}

/// Whole months from `from` to `to` (both `YYYY-MM-DD`); 0 when `to` is not later.
pub fn months_between(from: &str, to: &str) -> Option<u32> {
    let (a, b) = (Date::parse(from)?, Date::parse(to)?);
    let months = (b.year - a.year) * 12 + i64::from(b.month) - i64::from(a.month);
    let short = b.day.unwrap_or(1) < a.day.unwrap_or(1);
    let months = months - i64::from(short);
    Some(u32::try_from(months.max(0)).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests;
