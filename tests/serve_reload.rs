//! `tssa serve` re-reads only the files a save touched (`load::Loaded::refresh`), and falls
//! back to reading everything when a walk must judge the change. Either way, after every edit
//! each file it serves is the file a fresh `tssa build` of the same tree writes, byte for byte
//! (HTML apart from the reload script and overlay the server adds before `</body>`).

mod serve_support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serve_support::*;

const EPOCH: &str = "1764547200";
const UNIT: &str = "community/assessments/projects/alpha";

/// The server, with the date fixed like the builds'.
fn start(root: &Path) -> Serve {
    Serve::start_with(root, &[], &[("SOURCE_DATE_EPOCH", EPOCH)])
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend(width.to_be_bytes());
    png.extend(height.to_be_bytes());
    png
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, bytes).expect("write");
}

/// Every file a fresh build of `root` writes, by URL path.
fn built(root: &Path, out: &Path) -> BTreeMap<String, Vec<u8>> {
    let _ = fs::remove_dir_all(out);
    let status = Command::new(BIN)
        .args(["build", "--quiet", "--base-url", "/", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .stderr(Stdio::null())
        .status()
        .expect("tssa build");
    assert!(status.code().is_some_and(|c| c <= 1), "build failed: {status}");
    let mut files = BTreeMap::new();
    collect(out, out, &mut files);
    files
}

fn collect(base: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in fs::read_dir(dir).expect("read_dir").map_while(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, files);
        } else if !entry.file_name().to_string_lossy().starts_with('.') {
            let rel = path
                .strip_prefix(base)
                .expect("below")
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(format!("/{rel}"), fs::read(&path).expect("read"));
        }
    }
}

/// The first file the server serves differently from the build, if any.
fn difference(serve: &Serve, expected: &BTreeMap<String, Vec<u8>>) -> Option<String> {
    for (path, want) in expected {
        let got = serve.get(path);
        if got.status != 200 {
            return Some(format!("{path}: status {}", got.status));
        }
        let same = match want.windows(6).rposition(|w| w.eq_ignore_ascii_case(b"</body")) {
            // What the server adds sits just before `</body>`.
            Some(at) if path.ends_with(".html") => {
                got.body.len() >= want.len()
                    && got.body.starts_with(&want[..at])
                    && got.body.ends_with(&want[at..])
            }
            _ => got.body == *want,
        };
        if !same {
            return Some(format!(
                "{path} differs:\n--- built\n{}\n--- served\n{}",
                String::from_utf8_lossy(want),
                got.text()
            ));
        }
    }
    None
}

/// Waits (through reloads) until the server serves what a fresh build writes.
fn expect_as_built(serve: &Serve, events: &mut Events, root: &Path, out: &Path, why: &str) {
    let expected = built(root, out);
    let deadline = Instant::now() + RELOAD;
    let mut last = None;
    while Instant::now() < deadline {
        // A burst may be seen as two rebuilds; a skipped fallback never catches up.
        let _ = events.next((Instant::now() + Duration::from_millis(300)).min(deadline));
        last = difference(serve, &expected);
        if last.is_none() {
            return;
        }
    }
    panic!(
        "after {why}, the server does not serve what a build writes: {}\nstderr:\n{}",
        last.unwrap_or_default(),
        serve.stderr()
    );
}

fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("site");
    write(
        &root,
        "community/assessments/README.md",
        b"# Assessments\n\nThe process.\n",
    );
    write(&root, "community/assessments/guide/chart.png", &png(10, 20));
    write(&root, "community/assessments/projects/README.md", b"# Projects\n");
    write(
        &root,
        &format!("{UNIT}/self-assessment.md"),
        b"# Alpha\n\nVersion covered: v1\n\n![d](diagram.png)\n\n## Metadata\n\nWords.\n",
    );
    write(
        &root,
        &format!("{UNIT}/README.md"),
        b"# Alpha summary\n\nStatus: complete\n",
    );
    write(&root, &format!("{UNIT}/tssa.yaml"), b"version_covered: v1\n");
    write(&root, &format!("{UNIT}/diagram.png"), &png(300, 200));
    write(
        &root,
        "community/assessments/projects/beta/self-assessment.md",
        b"# Beta\n\nSee [alpha](../alpha/self-assessment.md#metadata).\n",
    );
    (dir, root)
}

#[test]
fn every_edit_serves_what_a_fresh_build_writes() {
    let (dir, root) = site();
    let out = dir.path().join("out");
    let serve = start(&root);
    let mut events = serve.events();
    expect_as_built(&serve, &mut events, &root, &out, "starting");
    let doc = format!("{UNIT}/self-assessment.md");
    let edits: Vec<(&str, String, Vec<u8>)> = vec![
        (
            "a content edit",
            doc.clone(),
            b"# Alpha\n\nVersion covered: v1\n\nNew words.\n\n## Metadata\n\nWords.\n".to_vec(),
        ),
        (
            "a larger document",
            doc.clone(),
            format!("# Alpha\n\n{}\n\n## Renamed\n", "word ".repeat(3000)).into_bytes(),
        ),
        (
            "a front-matter edit",
            doc.clone(),
            b"---\nversion_covered: v7\nstatus: complete\n---\n# Alpha\n\n![d](diagram.png)\n\n## Metadata\n"
                .to_vec(),
        ),
        (
            "a sidecar edit",
            format!("{UNIT}/tssa.yaml"),
            b"version_covered: v8\n".to_vec(),
        ),
        ("an image edit", format!("{UNIT}/diagram.png"), png(640, 480)),
        (
            "a new document",
            format!("{UNIT}/threat-model.md"),
            b"# Threats\n\nNone.\n".to_vec(),
        ),
        (
            "a new releases data file",
            "releases.json".to_owned(),
            b"{\"format\": 1, \"repositories\": {}}\n".to_vec(),
        ),
    ];
    for (why, rel, bytes) in edits {
        write(&root, &rel, &bytes);
        expect_as_built(&serve, &mut events, &root, &out, why);
    }
    fs::remove_file(root.join(format!("{UNIT}/threat-model.md"))).expect("remove");
    expect_as_built(&serve, &mut events, &root, &out, "a removed document");
    assert!(
        serve
            .get("/projects/alpha/self-assessment.html")
            .text()
            .contains("width=\"640\""),
        "the edited image's size"
    );
}

/// A file created beside an edited one in the same burst: only a full load finds it, so a
/// refresh of the edited file alone would leave it unserved.
#[test]
fn a_file_created_beside_an_edited_one_is_found() {
    let (dir, root) = site();
    let out = dir.path().join("out");
    let serve = start(&root);
    let mut events = serve.events();
    write(
        &root,
        &format!("{UNIT}/self-assessment.md"),
        b"# Alpha\n\nEdited.\n",
    );
    write(
        &root,
        &format!("{UNIT}/joint-assessment.md"),
        b"# Joint\n\nCompleted: 2024-01-02\n",
    );
    expect_as_built(
        &serve,
        &mut events,
        &root,
        &out,
        "an edit and a new file in one burst",
    );
    assert_eq!(serve.get("/projects/alpha/joint-assessment.html").status, 200);
}
