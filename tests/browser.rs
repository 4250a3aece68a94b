//! The browser suite: `tssa serve` (the real binary, so the preview's CSP headers are under
//! test too) serves the sample site in content/ and, when `TSSA_CORPUS` is set, the acceptance
//! corpus; tests/browser/run.mjs drives Debian's chromium over them (axe-core, console, CSP,
//! failed requests, sideways scroll at 390 px, light and dark, and the feature contracts),
//! and over a broken site's pages with the preview's error overlay.
//!
//! Needs chromium, node and `npm ci` in tests/browser/. Without them the test says plainly
//! that it was skipped and passes, unless `TSSA_BROWSER=1` (CI sets it): then it fails.

mod serve_support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serve_support::Serve;

/// Far above a normal run (about a minute per site on an idle 2-core machine): catches a hang.
const RUN_LIMIT: Duration = Duration::from_secs(900);

#[test]
fn sites_pass_in_a_real_browser() {
    let Some(tools) = tools_or_skip() else {
        return;
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = repo.join("book.toml");
    let config = config.to_str().expect("UTF-8 path");
    let sample = Serve::start(&repo.join("content"), &["--config", config]);
    let corpus = corpus_or_note().map(|root| Serve::start(&root, &[]));
    // A site whose build fails, so the preview shows its error overlay on every page.
    let broken = serve_support::Fixture::new();
    broken.write(
        &format!("site/{}", serve_support::ALPHA_DOC),
        "---\ntitle: [unclosed\n---\n# Alpha\n\nText.\n",
    );
    let overlay = Serve::start(&broken.root(), &[]);

    let shots = repo.join("target/browser-shots");
    let _ = std::fs::remove_dir_all(&shots);
    let mut node = Command::new(&tools.node);
    node.current_dir(repo.join("tests/browser"))
        .arg("run.mjs")
        .arg("--chromium")
        .arg(&tools.chromium)
        .arg("--shots")
        .arg(&shots)
        .args(["--site", &format!("sample=http://{}/", sample.addr)])
        .args(["--search", "sample=lanternmesh"])
        .args(["--overlay", &format!("http://{}/", overlay.addr)]);
    if let Some(corpus) = &corpus {
        node.args(["--site", &format!("corpus=http://{}/", corpus.addr)])
            .args(["--search", "corpus=harbor"]);
    }
    let (ok, report) = run_within(node, RUN_LIMIT);
    // The report goes straight to stderr, past the harness's capture, so a passing run's
    // figures (visits, seconds) are seen too.
    let _ = std::io::Write::write_all(&mut std::io::stderr(), report.as_bytes());
    assert!(ok, "the browser suite failed:\n{report}");
}

struct Tools {
    chromium: PathBuf,
    node: PathBuf,
}

/// The browser, node and the suite's npm packages, or `None` after saying which is missing.
fn tools_or_skip() -> Option<Tools> {
    match find_tools() {
        Ok(tools) => Some(tools),
        Err(missing) if std::env::var("TSSA_BROWSER").as_deref() == Ok("1") => {
            panic!("TSSA_BROWSER=1 but {missing}")
        }
        Err(missing) => {
            let line =
                format!("skipped: browser tests ({missing}; set TSSA_BROWSER=1 to make this a failure)\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            None
        }
    }
}

fn find_tools() -> Result<Tools, String> {
    let chromium = std::env::var_os("TSSA_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.is_file() {
        return Err(format!(
            "no chromium at {} (apt-get install chromium, or set TSSA_CHROMIUM)",
            chromium.display()
        ));
    }
    let node = PathBuf::from("node");
    let runs = Command::new(&node)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !runs {
        return Err("no node on PATH".to_owned());
    }
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules");
    for package in ["puppeteer-core", "axe-core"] {
        if !modules.join(package).join("package.json").is_file() {
            return Err(format!(
                "no {package} in tests/browser/node_modules (run `npm ci` there)"
            ));
        }
    }
    Ok(Tools { chromium, node })
}

/// The corpus named by `TSSA_CORPUS`, or `None` after saying that only the sample is run.
fn corpus_or_note() -> Option<PathBuf> {
    match std::env::var_os("TSSA_CORPUS") {
        Some(root) if !root.is_empty() => Some(PathBuf::from(root)),
        _ => {
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                b"browser tests: TSSA_CORPUS not set, only the sample site is run\n",
            );
            None
        }
    }
}

/// Runs `command` to its end or kills it at `limit`; whether it passed, and its output.
fn run_within(mut command: Command, limit: Duration) -> (bool, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn node");
    let readers = [
        drain(
            child
                .stdout
                .take()
                .map(|out| Box::new(out) as Box<dyn Read + Send>),
        ),
        drain(
            child
                .stderr
                .take()
                .map(|err| Box::new(err) as Box<dyn Read + Send>),
        ),
    ];
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut report: String = readers
        .into_iter()
        .map(|reader| reader.join().unwrap_or_default())
        .collect();
    if status.is_none() {
        report.push_str(&format!("killed: still running after {} s\n", limit.as_secs()));
    }
    (status.is_some_and(|s| s.success()), report)
}

fn drain(pipe: Option<Box<dyn Read + Send>>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}
