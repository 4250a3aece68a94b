//! `tssa releases fetch`: asks the GitHub REST API for each project's releases and writes the
//! data file. The only code in tssa that touches the network; the build never calls it.
//!
//! Per repository: `GET /repos/{owner}/{repo}/releases?per_page=100`, following `Link:
//! rel="next"` on the same API origin for at most [`MAX_PAGES`] pages. A repository with no
//! published release is read from its tags instead: tags carry no date, so the
//! [`DATED_TAGS`] highest version tags are each dated by their commit's committer date (one
//! request each), and tags that are not version numbers are left out.
//!
//! Failure policy: all or nothing, except for a repository the API does not know (404),
//! which is reported and keeps its previous entry, if any, so one renamed project does not
//! erase the others' data or stop the refresh. Any other failure (rate limit, bad
//! credentials, a server error, a malformed answer, the network) stops at once and writes
//! nothing: the previous file stays as it was.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::{Data, FORMAT, History, Release, Repo, Source, sort_newest_first};
use crate::calendar::Date;
use crate::coverage::parse_version;

/// Pages of 100 followed per repository: 1,000 releases reach back further than any
/// assessment.
pub const MAX_PAGES: usize = 10;
/// Tags dated (one commit request each) for a project that publishes no releases.
pub const DATED_TAGS: usize = 20;
/// The largest answer read: a page of 100 releases with long notes is a few hundred KiB.
const BODY_CAP: u64 = 16 << 20;
const API_VERSION: &str = "2022-11-28";
/// The longest tag kept (git allows any length; real ones are a few dozen bytes).
const MAX_TAG: usize = 200;

/// What the fetch needs besides the repositories.
#[derive(Debug, Clone)]
pub struct Options {
    /// `https://api.github.com` or another API root (GitHub Enterprise, a test's mock).
    pub api_url: String,
    /// Sent as `Authorization: Bearer`; never printed.
    pub token: Option<String>,
    /// `YYYY-MM-DD`, recorded as each repository's fetch date.
    pub today: String,
}

/// Why a fetch stopped. Every message names what to do; none holds the token.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(
        "the GitHub API rate limit is used up (at {url}); it resets at {reset}. Nothing was written; run again after that, or set GITHUB_TOKEN for a higher limit"
    )]
    RateLimited { url: String, reset: String },
    #[error("{url}: HTTP {status}: {message}. Nothing was written")]
    Status {
        url: String,
        status: u16,
        message: String,
    },
    #[error("{url}: {reason}. Nothing was written")]
    Transport { url: String, reason: String },
    #[error("{url}: not an answer of the GitHub API ({reason}). Nothing was written")]
    Malformed { url: String, reason: String },
    #[error("API URL `{0}`: expected http:// or https:// and a host")]
    BadApiUrl(String),
}

/// What a fetch found.
#[derive(Debug, Default)]
pub struct Report {
    pub data: Data,
    /// Repositories the API does not know (404), with whether older data was kept.
    pub not_found: Vec<(String, bool)>,
    /// Things worth a line: tag-only projects, page caps, projects with nothing to date.
    pub notes: Vec<String>,
}

/// Asks the API about every repository of `repos` (in order). `previous` is the data file
/// as it was, whose entries a 404 keeps.
/// `done` counts the repositories answered, for a progress line.
pub fn fetch(
    repos: &[Repo],
    previous: Option<&Data>,
    options: &Options,
    done: &std::sync::atomic::AtomicUsize,
) -> Result<Report, FetchError> {
    let api = Api::new(options)?;
    let mut report = Report {
        data: Data {
            format: FORMAT,
            repositories: BTreeMap::new(),
        },
        ..Report::default()
    };
    for repo in repos {
        let key = repo.key();
        match api.history(repo, &options.today, &mut report.notes)? {
            Some(history) => {
                report.data.repositories.insert(key, history);
            }
            None => {
                let kept = previous.and_then(|p| p.repositories.get(&key)).cloned();
                report.not_found.push((key.clone(), kept.is_some()));
                if let Some(old) = kept {
                    report.data.repositories.insert(key, old);
                }
            }
        }
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(report)
}

/// Writes `data` to `path` through a temporary file in the same folder, renamed into place,
/// so a reader (or a crash) never sees half a file.
pub fn save(path: &Path, data: &Data) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile_in(dir)?;
    let result = (|| {
        temp.1.write_all(data.to_json().as_bytes())?;
        temp.1.sync_all()?;
        std::fs::rename(&temp.0, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp.0);
    }
    result
}

fn tempfile_in(dir: &Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let path = dir.join(format!(".releases.json.{}.tmp", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    Ok((path, file))
}

struct Api {
    agent: ureq::Agent,
    /// Without a trailing `/`.
    root: String,
    /// `scheme://host[:port]`: the only place `Link` pagination may lead.
    origin: String,
    token: Option<String>,
}

/// One successful answer: its body and the next page, if the API names one.
struct Page {
    body: String,
    next: Option<String>,
}

impl Api {
    fn new(options: &Options) -> Result<Api, FetchError> {
        let root = options.api_url.trim_end_matches('/').to_owned();
        check_api_url(&root)?;
        let origin = origin(&root).unwrap_or_default().to_owned();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("tssa/", env!("CARGO_PKG_VERSION"), " (releases fetch)"))
            .build()
            .into();
        Ok(Api {
            agent,
            root,
            origin,
            token: options.token.clone().filter(|t| !t.trim().is_empty()),
        })
    }

    /// A repository's releases (or tags); `None` when the API does not know it.
    fn history(
        &self,
        repo: &Repo,
        today: &str,
        notes: &mut Vec<String>,
    ) -> Result<Option<History>, FetchError> {
        let base = format!("{}/repos/{}/{}", self.root, repo.owner, repo.name);
        let Some(found) = self.all_pages::<ApiRelease>(&format!("{base}/releases?per_page=100"), notes)?
        else {
            return Ok(None);
        };
        let mut releases: Vec<Release> = found.into_iter().filter_map(ApiRelease::into_release).collect();
        let source = if releases.is_empty() {
            let Some(tags) = self.all_pages::<ApiTag>(&format!("{base}/tags?per_page=100"), notes)? else {
                return Ok(None);
            };
            releases = self.dated_tags(&base, tags)?;
            notes.push(format!(
                "{}: no releases published; {} version tags dated by their commits",
                repo.key(),
                releases.len()
            ));
            Source::Tags
        } else {
            Source::Releases
        };
        sort_newest_first(&mut releases);
        Ok(Some(History {
            fetched: today.to_owned(),
            source,
            releases,
        }))
    }

    /// The [`DATED_TAGS`] highest version tags, each dated by its commit.
    fn dated_tags(&self, base: &str, tags: Vec<ApiTag>) -> Result<Vec<Release>, FetchError> {
        let mut versions: Vec<((u64, u64, u64), ApiTag)> = tags
            .into_iter()
            .filter(|t| is_sha(&t.commit.sha) && t.name.len() <= MAX_TAG)
            .filter_map(|t| Some((parse_version(&t.name)?, t)))
            .collect();
        versions.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
        let mut releases = Vec::new();
        for (_, tag) in versions.into_iter().take(DATED_TAGS) {
            let url = format!("{base}/commits/{}", tag.commit.sha);
            let Some(page) = self.get(&url)? else { continue };
            let commit: ApiCommit = parse(&url, &page.body)?;
            if let Some(date) = commit.date() {
                releases.push(Release {
                    prerelease: looks_prerelease(&tag.name),
                    tag: tag.name,
                    name: None,
                    published: date,
                });
            }
        }
        Ok(releases)
    }

    /// Every page of a list, following `Link: rel="next"` on the API's origin; `None` on 404.
    fn all_pages<T: for<'de> Deserialize<'de>>(
        &self,
        first: &str,
        notes: &mut Vec<String>,
    ) -> Result<Option<Vec<T>>, FetchError> {
        let mut items = Vec::new();
        let mut url = first.to_owned();
        for page_number in 1.. {
            let Some(page) = self.get(&url)? else {
                return Ok(None);
            };
            items.extend(parse::<Vec<T>>(&url, &page.body)?);
            let Some(next) = page.next else { break };
            if !next.starts_with(&format!("{}/", self.origin)) {
                notes.push(format!(
                    "{url}: the next page is on another host ({next}); not followed"
                ));
                break;
            }
            if page_number == MAX_PAGES {
                notes.push(format!(
                    "{first}: stopped after {MAX_PAGES} pages; older entries left out"
                ));
                break;
            }
            url = next;
        }
        Ok(Some(items))
    }

    /// One GET with the API's headers; `None` on 404, an error on any other failure.
    fn get(&self, url: &str) -> Result<Option<Page>, FetchError> {
        let mut request = self
            .agent
            .get(url)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION);
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let transport = |err: ureq::Error| FetchError::Transport {
            url: url.to_owned(),
            reason: err.to_string(),
        };
        let mut response = request.call().map_err(transport)?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let limited = header("x-ratelimit-remaining").as_deref() == Some("0");
        let retry_after = header("retry-after");
        let reset = header("x-ratelimit-reset");
        let next = header("link").as_deref().and_then(next_link);
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_CAP)
            .read_to_string()
            .map_err(transport)?;
        match status {
            200 => Ok(Some(Page { body, next })),
            404 => Ok(None),
            403 | 429 if limited || retry_after.is_some() => Err(FetchError::RateLimited {
                url: url.to_owned(),
                reset: reset_time(reset.as_deref(), retry_after.as_deref()),
            }),
            _ => Err(FetchError::Status {
                url: url.to_owned(),
                status,
                message: api_message(status, &body),
            }),
        }
    }
}

/// Refuses an API root that is not `http(s)://host…`, before any request is made.
pub fn check_api_url(url: &str) -> Result<(), FetchError> {
    match origin(url) {
        Some(_) => Ok(()),
        None => Err(FetchError::BadApiUrl(url.to_owned())),
    }
}

/// `scheme://host[:port]` of an `http(s)://` URL.
fn origin(url: &str) -> Option<&str> {
    let scheme_end = if url.starts_with("https://") {
        8
    } else if url.starts_with("http://") {
        7
    } else {
        return None;
    };
    let host_end = url[scheme_end..].find('/').map_or(url.len(), |i| scheme_end + i);
    (host_end > scheme_end).then(|| &url[..host_end])
}

/// The `rel="next"` target of a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| target.to_owned())
    })
}

/// When the limit resets, in words: from `x-ratelimit-reset` (Unix seconds), else from
/// `retry-after` (seconds from now).
fn reset_time(reset: Option<&str>, retry_after: Option<&str>) -> String {
    if let Some(at) = reset.and_then(|r| r.trim().parse::<i64>().ok()) {
        return utc_time(at);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    match retry_after.and_then(|r| r.trim().parse::<i64>().ok()) {
        Some(seconds) => format!(
            "{} (retry after {seconds} s)",
            utc_time(now.saturating_add(seconds))
        ),
        None => "an unknown time (the API did not say)".to_owned(),
    }
}

/// `2026-12-02 15:04:05 UTC`.
fn utc_time(epoch: i64) -> String {
    let secs = epoch.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        Date::from_epoch_seconds(epoch),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The API's own `message`, or a hint for the statuses a user can fix.
fn api_message(status: u16, body: &str) -> String {
    #[derive(Deserialize)]
    struct Message {
        message: String,
    }
    let said = serde_json::from_str::<Message>(body).ok().map(|m| m.message);
    let said: String = said.unwrap_or_default().chars().take(200).collect();
    match status {
        401 => format!("the token was refused ({said}); check GITHUB_TOKEN"),
        _ if said.is_empty() => "no message".to_owned(),
        _ => said,
    }
}

fn parse<T: for<'de> Deserialize<'de>>(url: &str, body: &str) -> Result<T, FetchError> {
    serde_json::from_str(body).map_err(|err| FetchError::Malformed {
        url: url.to_owned(),
        reason: err.to_string(),
    })
}

fn is_sha(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A tag with a pre-release word (`v2.0.0-rc.1`, `1.4-beta2`).
fn looks_prerelease(tag: &str) -> bool {
    let lower = tag.to_ascii_lowercase();
    ["alpha", "beta", "rc", "pre", "dev", "snapshot", "nightly"]
        .iter()
        .any(|word| lower.contains(word))
}

/// `2024-05-01T12:00:00Z` → `2024-05-01`, when it is a date.
fn day_of(timestamp: &str) -> Option<String> {
    let day = timestamp.get(..10)?;
    Date::parse(day).map(|_| day.to_owned())
}

#[derive(Deserialize)]
struct ApiRelease {
    tag_name: String,
    name: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    prerelease: bool,
    published_at: Option<String>,
}

impl ApiRelease {
    /// Drafts and undated releases are left out (see the module comment).
    fn into_release(self) -> Option<Release> {
        // A tag longer than any real one is not a version a page should show.
        if self.draft || self.tag_name.trim().is_empty() || self.tag_name.len() > MAX_TAG {
            return None;
        }
        let published = day_of(self.published_at.as_deref()?)?;
        let name = self
            .name
            .map(|n| n.trim().chars().take(200).collect::<String>())
            .filter(|n| !n.is_empty() && *n != self.tag_name);
        Some(Release {
            tag: self.tag_name,
            name,
            published,
            prerelease: self.prerelease,
        })
    }
}

#[derive(Deserialize)]
struct ApiTag {
    name: String,
    commit: ApiTagCommit,
}

#[derive(Deserialize)]
struct ApiTagCommit {
    sha: String,
}

#[derive(Deserialize)]
struct ApiCommit {
    commit: ApiCommitDetail,
}

#[derive(Deserialize)]
struct ApiCommitDetail {
    committer: Option<ApiSignature>,
    author: Option<ApiSignature>,
}

#[derive(Deserialize)]
struct ApiSignature {
    date: Option<String>,
}

impl ApiCommit {
    fn date(&self) -> Option<String> {
        let detail = &self.commit;
        [&detail.committer, &detail.author]
            .into_iter()
            .flatten()
            .find_map(|s| day_of(s.date.as_deref()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_and_origins() {
        let link = r#"<https://api.example/repos/a/b/releases?page=2>; rel="next", <https://api.example/repos/a/b/releases?page=5>; rel="last""#;
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.example/repos/a/b/releases?page=2")
        );
        assert_eq!(next_link(r#"<https://x/1>; rel="prev""#), None);
        assert_eq!(
            origin("http://127.0.0.1:8080/api/v3"),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin("https://api.github.com"), Some("https://api.github.com"));
        assert_eq!(origin("ftp://x"), None);
        assert_eq!(origin("https:///x"), None);
    }

    #[test]
    fn reset_times_in_words() {
        assert_eq!(utc_time(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(reset_time(Some("1700000000"), None), "2023-11-14 22:13:20 UTC");
        assert!(reset_time(None, Some("60")).ends_with("(retry after 60 s)"));
    }

    #[test]
    fn drafts_and_undated_releases_are_left_out() {
        let release = |draft, published: Option<&str>| ApiRelease {
            tag_name: "v1.0.0".to_owned(),
            name: Some("v1.0.0".to_owned()),
            draft,
            prerelease: false,
            published_at: published.map(str::to_owned),
        };
        assert!(
            release(true, Some("2024-01-02T00:00:00Z"))
                .into_release()
                .is_none()
        );
        assert!(release(false, None).into_release().is_none());
        let mut long = release(false, Some("2024-01-02T00:00:00Z"));
        long.tag_name = "v1.".repeat(100);
        assert!(long.into_release().is_none());
        let kept = release(false, Some("2024-01-02T03:04:05Z")).into_release();
        // A name that only repeats the tag is not kept.
        assert_eq!(
            kept.map(|r| (r.published, r.name)),
            Some(("2024-01-02".to_owned(), None))
        );
    }
}
