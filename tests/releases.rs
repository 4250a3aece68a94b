//! `tssa releases fetch` against a mock of the GitHub REST API that each test serves on
//! 127.0.0.1 itself (never the real API), then the offline build that reads what it wrote.
//!
//! The fixture (`tests/fixtures/releases`) has four made-up packages: `lamplighter` states no
//! version and publishes releases over two pages; `inkwell` states v0.8.0 and publishes only
//! tags; `vanished` names a repository the API no longer knows; `nolink` names no GitHub
//! repository at all.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

mod common;

use common::{Fixture, Run, Site, tssa_with_env};

/// 2025-12-04: the fetch date and "today" of every run.
const EPOCH: &str = "1764806400";
const TOKEN: &str = "t0ken-for-tests-only";
const SHA_V9: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SHA_V8: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const SHA_NIGHTLY: &str = "cccccccccccccccccccccccccccccccccccccccc";

/// A request as the mock saw it: its path and query, and its headers (names lowercased).
#[derive(Debug, Clone)]
struct Request {
    target: String,
    headers: BTreeMap<String, String>,
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_owned(),
    }
}

/// An HTTP/1.1 server on 127.0.0.1 answering one request per connection with `route`.
struct Mock {
    base: String,
    seen: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Mock {
    fn start(route: impl Fn(&Request, &str) -> Reply + Send + 'static) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (thread_seen, thread_stop, thread_base) = (Arc::clone(&seen), Arc::clone(&stop), base.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if thread_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                let answer = route(&request, &thread_base);
                thread_seen.lock().expect("lock").push(request);
                write_reply(&mut stream, &answer);
            }
        });
        Mock {
            base,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn requests(&self) -> Vec<Request> {
        self.seen.lock().expect("lock").clone()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 << 10 || stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let target = lines.next()?.split(' ').nth(1)?.to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some(Request { target, headers })
}

fn write_reply(stream: &mut TcpStream, reply: &Reply) {
    let mut head = format!(
        "HTTP/1.1 {} Mock\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(reply.body.as_bytes());
}

fn release(tag: &str, published: Option<&str>, prerelease: bool, draft: bool) -> String {
    let published = published.map_or("null".to_owned(), |p| format!("\"{p}T09:30:00Z\""));
    format!(
        r#"{{"tag_name": "{tag}", "name": "Lamplighter {tag}", "draft": {draft}, "prerelease": {prerelease}, "published_at": {published}, "body": "notes"}}"#
    )
}

/// The API as the fixture's projects would find it, refusing any request without the token.
fn github(request: &Request, base: &str) -> Reply {
    if request.headers.get("authorization").map(String::as_str) != Some(&format!("Bearer {TOKEN}")) {
        return reply(401, r#"{"message": "Bad credentials"}"#);
    }
    let lamps = "/repos/lamplight-org/lamplighter/releases?per_page=100";
    let ink = "/repos/inkwell-tools/inkwell";
    match request.target.as_str() {
        t if t == lamps => {
            let page = [
                release("v2.1.0-beta", Some("2024-08-01"), true, false),
                release("v2.0.0", Some("2024-03-05"), false, false),
                release("v3.0.0-draft", None, false, true),
                release("v1.2.0", Some("2023-10-20"), false, false),
            ];
            let next = format!("{base}{lamps}&page=2");
            Reply {
                status: 200,
                headers: vec![(
                    "link".to_owned(),
                    format!(r#"<{next}>; rel="next", <{next}>; rel="last""#),
                )],
                body: format!("[{}]", page.join(",")),
            }
        }
        t if t == format!("{lamps}&page=2") => {
            let page = [
                release("v1.1.0", Some("2023-06-15"), false, false),
                release("v1.0.0", Some("2023-01-10"), false, false),
            ];
            reply(200, &format!("[{}]", page.join(",")))
        }
        t if t == format!("{ink}/releases?per_page=100") => reply(200, "[]"),
        t if t == format!("{ink}/tags?per_page=100") => reply(
            200,
            &format!(
                r#"[{{"name": "nightly", "commit": {{"sha": "{SHA_NIGHTLY}"}}}}, {{"name": "v0.9.0", "commit": {{"sha": "{SHA_V9}"}}}}, {{"name": "v0.8.0", "commit": {{"sha": "{SHA_V8}"}}}}]"#
            ),
        ),
        t if t == format!("{ink}/commits/{SHA_V9}") => reply(
            200,
            r#"{"commit": {"committer": {"date": "2024-05-02T10:00:00Z"}}}"#,
        ),
        t if t == format!("{ink}/commits/{SHA_V8}") => reply(
            200,
            r#"{"commit": {"committer": {"date": "2023-12-01T08:00:00Z"}}}"#,
        ),
        t if t.starts_with("/repos/vanished-org/vanished/") => reply(404, r#"{"message": "Not Found"}"#),
        _ => reply(418, r#"{"message": "the mock was not asked this"}"#),
    }
}

fn fetch(fx: &Fixture, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("releases"),
        OsStr::new("fetch"),
        OsStr::new("--root"),
        fx.root.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    let mut env = env.to_vec();
    env.push(("SOURCE_DATE_EPOCH", EPOCH));
    tssa_with_env(fx.tmp(), &args, &env)
}

fn build(fx: &Fixture, out: &Path) -> Run {
    let args = [
        OsStr::new("build"),
        OsStr::new("--root"),
        fx.root.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--no-cache"),
    ];
    tssa_with_env(fx.tmp(), &args, &[("SOURCE_DATE_EPOCH", EPOCH)])
}

/// A previous file holding data for the repository that is now gone.
const PREVIOUS: &str = r#"{
  "format": 1,
  "repositories": {
    "vanished-org/vanished": {
      "fetched": "2025-01-01",
      "source": "releases",
      "releases": [
        { "tag": "v0.3.0", "published": "2024-11-11" }
      ]
    }
  }
}
"#;

#[test]
fn fetch_follows_pages_reads_tags_and_the_build_shows_what_it_wrote() {
    let fx = Fixture::new("releases");
    let data_file = fx.path("releases.json");
    fs::write(&data_file, PREVIOUS).expect("write the previous file");
    let mock = Mock::start(github);
    let env = [("GITHUB_TOKEN", TOKEN), ("GITHUB_API_URL", mock.base.as_str())];

    let run = fetch(&fx, &[], &env);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("wrote") && run.stdout.contains("releases.json"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains(
            "vanished-org/vanished: the API does not know this repository (404); its previous data is kept"
        ),
        "{}",
        run.stderr
    );
    // A package with a GitHub repository is not reported for its other links.
    assert!(!run.stderr.contains("skipped: vanished"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "skipped: nolink: no GitHub repository among https://nolink.example/code (another host, or an organisation)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(TOKEN) && !run.stdout.contains(TOKEN),
        "the token was printed"
    );

    // Every request carried the API's headers and the token; page 2 came from the Link header.
    let requests = mock.requests();
    let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
    assert!(
        targets.contains(&"/repos/lamplight-org/lamplighter/releases?per_page=100&page=2"),
        "{targets:?}"
    );
    assert!(
        !targets.iter().any(|t| t.contains(SHA_NIGHTLY)),
        "a tag that is no version was dated: {targets:?}"
    );
    for r in &requests {
        let header = |name: &str| r.headers.get(name).map(String::as_str).unwrap_or("");
        assert_eq!(header("authorization"), format!("Bearer {TOKEN}"), "{}", r.target);
        assert_eq!(header("accept"), "application/vnd.github+json", "{}", r.target);
        assert_eq!(header("x-github-api-version"), "2022-11-28", "{}", r.target);
        assert!(header("user-agent").starts_with("tssa/"), "{}", r.target);
    }

    let written = fs::read_to_string(&data_file).expect("the data file");
    let json: serde_json::Value = serde_json::from_str(&written).expect("JSON");
    let repos = &json["repositories"];
    let keys: Vec<&String> = repos.as_object().expect("a map").keys().collect();
    assert_eq!(
        keys,
        [
            "inkwell-tools/inkwell",
            "lamplight-org/lamplighter",
            "vanished-org/vanished"
        ]
    );
    let tags = |repo: &str| -> Vec<String> {
        repos[repo]["releases"]
            .as_array()
            .expect("releases")
            .iter()
            .map(|r| r["tag"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    // Newest first, the draft left out, the pre-release kept with its flag.
    assert_eq!(
        tags("lamplight-org/lamplighter"),
        ["v2.1.0-beta", "v2.0.0", "v1.2.0", "v1.1.0", "v1.0.0"]
    );
    assert_eq!(
        repos["lamplight-org/lamplighter"]["releases"][0]["prerelease"],
        true
    );
    assert_eq!(repos["lamplight-org/lamplighter"]["source"], "releases");
    assert_eq!(repos["lamplight-org/lamplighter"]["fetched"], "2025-12-04");
    // Tags only: dated by their commits, `nightly` left out.
    assert_eq!(tags("inkwell-tools/inkwell"), ["v0.9.0", "v0.8.0"]);
    assert_eq!(repos["inkwell-tools/inkwell"]["source"], "tags");
    assert_eq!(
        repos["inkwell-tools/inkwell"]["releases"][1]["published"],
        "2023-12-01"
    );
    assert_eq!(tags("vanished-org/vanished"), ["v0.3.0"]);

    // The same answers give the same bytes.
    let again = fetch(&fx, &[], &env);
    assert_eq!(again.code, Some(0), "{again:?}");
    assert_eq!(fs::read_to_string(&data_file).expect("the data file"), written);

    // The build reads the file offline: the mock is gone before it runs.
    drop(mock);
    let (one, two) = (fx.tmp().join("one"), fx.tmp().join("two"));
    build(&fx, &one).assert_built();
    build(&fx, &two).assert_built();
    common::assert_same_files(
        &Site::at(&one).files(),
        &Site::at(&two).files(),
        "two offline builds",
    );

    let coverage = fs::read_to_string(one.join("coverage/index.html")).expect("coverage page");
    let row = |slug: &str| -> String {
        let start = coverage
            .find(&format!("<tr id=\"p-{slug}\""))
            .unwrap_or_else(|| panic!("no row for {slug}"));
        let end = coverage[start..]
            .find("</tr>")
            .map_or(coverage.len(), |e| start + e);
        coverage[start..end].to_owned()
    };
    // The summary counts what the rows show: three packages with release data (vanished's
    // kept from before its 404), lamplighter's covered release inferred.
    let card = "with a known latest release (1 covered release inferred from the completion date)";
    let card_at = coverage
        .find(card)
        .unwrap_or_else(|| panic!("no release card in:\n{coverage}"));
    let number = &coverage[..card_at]
        .rsplit("<span class=\"num\">")
        .next()
        .unwrap_or_default();
    assert_eq!(number.split('<').next(), Some("3"), "{number}");
    let lamp = row("lamplighter");
    for expected in [
        "<code>v1.1.0</code> <time>2023-06-15</time> <span class=\"source\">inferred from the completion date</span>",
        "<code>v2.0.0</code> <time>2024-03-05</time>",
        "lamplight-org/lamplighter",
        "1 major release behind",
        "behind by 2 releases and 8 months",
    ] {
        assert!(
            lamp.contains(expected),
            "lamplighter row lacks {expected:?}:\n{lamp}"
        );
    }
    let ink = row("inkwell");
    assert!(
        ink.contains("<code>v0.8.0</code> <time>2023-12-01</time>"),
        "{ink}"
    );
    assert!(
        !ink.contains("inferred from the completion date"),
        "a stated version is not inferred: {ink}"
    );
    assert!(
        ink.contains("1 minor release behind") && ink.contains("behind by 1 release and 5 months"),
        "{ink}"
    );

    // api/coverage.json says what the page says.
    let api: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(one.join("api/coverage.json")).expect("api/coverage.json"))
            .expect("JSON");
    let rows = api["coverage"]["rows"].as_array().expect("rows");
    let lamp = rows
        .iter()
        .find(|r| r["slug"] == "lamplighter")
        .expect("lamplighter's row");
    assert_eq!(lamp["repository"], "lamplight-org/lamplighter");
    assert_eq!(lamp["covered_release"]["tag"], "v1.1.0");
    assert_eq!(lamp["covered_release"]["inferred"], true);
    assert_eq!(lamp["latest"]["value"], "v2.0.0");
    assert_eq!(
        (&lamp["lag"]["releases"], &lamp["lag"]["months"]),
        (&2.into(), &8.into())
    );
    assert_eq!(lamp["behind"]["kind"], "major");

    let status = fs::read_to_string(one.join("projects/lamplighter/index.html")).expect("status page");
    assert!(
        status.contains("release covered v1.1.0 (inferred from the completion date)"),
        "status page lacks the inferred release"
    );
    assert!(status.contains("latest release v2.0.0") && status.contains("behind by 2 releases and 8 months"));
}

fn limited(status: u16, headers: &[(&str, &str)]) -> Reply {
    Reply {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: r#"{"message": "API rate limit exceeded"}"#.to_owned(),
    }
}

/// Each way the API can fail stops the fetch with a message that says what happened, after
/// one request, and leaves the previous file byte for byte.
#[test]
fn every_api_failure_leaves_the_previous_file_intact() {
    type Case = (&'static str, fn() -> Reply);
    let cases: [(Case, &str); 5] = [
        (
            ("rate limit", || {
                limited(
                    403,
                    &[
                        ("x-ratelimit-remaining", "0"),
                        ("x-ratelimit-reset", "1700000000"),
                    ],
                )
            }),
            "rate limit is used up",
        ),
        (
            ("retry-after", || limited(429, &[("retry-after", "120")])),
            "(retry after 120 s)",
        ),
        (
            ("server error", || reply(502, r#"{"message": "Server Error"}"#)),
            "HTTP 502: Server Error",
        ),
        (
            ("bad token", || reply(401, r#"{"message": "Bad credentials"}"#)),
            "check GITHUB_TOKEN",
        ),
        (
            ("not JSON", || reply(200, "<html>a portal</html>")),
            "not an answer of the GitHub API",
        ),
    ];
    let fx = Fixture::new("releases");
    let data_file = fx.path("releases.json");
    fs::write(&data_file, PREVIOUS).expect("write the previous file");
    for ((name, answer), expected) in cases {
        let mock = Mock::start(move |_, _| answer());
        // `--api-url` wins over GITHUB_API_URL, which names a closed port here.
        let run = fetch(
            &fx,
            &["--api-url", &mock.base],
            &[("GITHUB_API_URL", "http://127.0.0.1:9")],
        );
        assert_eq!(run.code, Some(2), "{name}: {run:?}");
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("Nothing was written"),
            "{name}: {}",
            run.stderr
        );
        assert_eq!(mock.requests().len(), 1, "{name}: asked again after a failure");
        assert_eq!(
            fs::read_to_string(&data_file).expect("file"),
            PREVIOUS,
            "{name}: the file changed"
        );
    }
    // An API root that is no http(s) URL is refused before anything is read or asked.
    let run = fetch(&fx, &["--api-url", "ftp://mirror.example"], &[]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr
            .contains("API URL `ftp://mirror.example`: expected http:// or https://"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("skipped:"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(&data_file).expect("file"), PREVIOUS);
    // The rate limit's reset time, in words.
    let mock = Mock::start(|_, _| {
        limited(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1700000000"),
            ],
        )
    });
    let run = fetch(&fx, &["--api-url", &mock.base], &[]);
    assert!(
        run.stderr.contains("resets at 2023-11-14 22:13:20 UTC"),
        "{}",
        run.stderr
    );
}

/// A build with a malformed data file names the file and line, and still builds.
#[test]
fn a_damaged_data_file_is_a_finding_with_its_line() {
    let fx = Fixture::new("releases");
    fx.write("releases.json", PREVIOUS.replace("2024-11-11", "2024-13-01"));
    let out = fx.tmp().join("out");
    let run = build(&fx, &out);
    run.assert_built();
    run.expect_diag("coverage/releases", "releases.json", Some(8));
}

/// On a copy of the acceptance corpus: every project with a GitHub repository is asked about
/// once, and the build shows a latest release for each of those projects.
#[test]
fn corpus_fetch_and_build_with_release_data() {
    let Some(corpus) = common::corpus() else { return };
    let fx = Fixture::copy_of(&[(corpus.as_path(), "")]);
    let mock = Mock::start(|request, _| {
        if request.target.ends_with("/releases?per_page=100") {
            reply(
                200,
                &format!("[{}]", release("v1.0.0", Some("2020-01-01"), false, false)),
            )
        } else {
            reply(418, r#"{"message": "the mock was not asked this"}"#)
        }
    });
    let run = fetch(&fx, &["--api-url", &mock.base], &[]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let asked = mock.requests().len();
    let written = fs::read_to_string(fx.path("releases.json")).expect("releases.json in the root");
    let json: serde_json::Value = serde_json::from_str(&written).expect("JSON");
    let repos = json["repositories"].as_object().map_or(0, |m| m.len());
    assert!(
        repos >= 40 && repos == asked,
        "{repos} repositories, {asked} requests"
    );
    drop(mock);

    let out = fx.tmp().join("corpus-out");
    build(&fx, &out).assert_built();
    let coverage = fs::read_to_string(out.join("coverage/index.html")).expect("coverage page");
    // The latest release's cell names the repository and the file.
    let shown = coverage
        .matches(", releases data file releases.json</span>")
        .count();
    assert_eq!(shown, repos, "every fetched project shows its latest release");
    assert!(coverage.contains("inferred from the completion date"));
}
