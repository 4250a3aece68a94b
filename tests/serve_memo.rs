//! `tssa serve` keeps each page whose inputs (its `RenderKey`) did not change from the
//! previous rebuild without rendering it. After each edit, every file it serves must be the
//! file a fresh `tssa build --no-cache` of the same tree writes (HTML pages with the reload
//! client added before `</body>`, as serve adds it).

mod serve_support;

use std::path::{Path, PathBuf};

use serve_support::*;

const BETA_DOC: &str = "community/assessments/projects/beta/self-assessment.md";

/// Every file of a fresh, uncached build of `root`, by path.
fn fresh_build(root: &Path, out: &Path) -> Vec<(String, Vec<u8>)> {
    let _ = std::fs::remove_dir_all(out);
    let status = std::process::Command::new(BIN)
        .args(["build", "--quiet", "--no-cache", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run tssa build");
    assert!(status.success(), "the reference build failed");
    let mut files = Vec::new();
    collect(out, out, &mut files);
    files
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).expect("list").flatten() {
        let path: PathBuf = entry.path();
        if path.is_dir() {
            collect(base, &path, files);
        } else if let Ok(rel) = path.strip_prefix(base) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if !rel.starts_with(".tssa") {
                files.push((rel, std::fs::read(&path).expect("read")));
            }
        }
    }
}

/// Holds every served file to the reference build's bytes.
fn assert_serves_the_build(serve: &Serve, root: &Path, out: &Path, what: &str) {
    for (path, built) in fresh_build(root, out) {
        let served = serve.get(&format!("/{path}")).body;
        let same = if path.ends_with(".html") {
            // Serve adds its client (and an overlay) before the page's last `</body`.
            let at = built
                .windows(6)
                .rposition(|w| w.eq_ignore_ascii_case(b"</body"))
                .unwrap_or(built.len());
            served.len() >= built.len() && served.starts_with(&built[..at]) && served.ends_with(&built[at..])
        } else {
            served == built
        };
        assert!(
            same,
            "after {what}: /{path} differs from a fresh build\nserved:\n{}\nbuilt:\n{}",
            String::from_utf8_lossy(&served),
            String::from_utf8_lossy(&built)
        );
    }
}

#[test]
fn after_each_edit_serve_shows_what_a_fresh_build_writes() {
    let fixture = Fixture::new();
    // Beta links to a heading of Alpha: renaming it changes Beta's findings.
    fixture.write(
        &format!("site/{BETA_DOC}"),
        "# Beta self-assessment\n\nBeta text; see [Alpha's metadata](../alpha/self-assessment.md#metadata).\n",
    );
    fixture.write("site/book.toml", "[site]\ntitle = \"First title\"\n");
    let root = fixture.root();
    let out = fixture.dir.path().join("reference");
    let serve = Serve::start(&root, &[]);
    assert_serves_the_build(&serve, &root, &out, "the first build");
    let mut events = serve.events();

    fixture.write(
        &format!("site/{ALPHA_DOC}"),
        "# Alpha self-assessment\n\nEDITED-ALPHA-TEXT\n\n## Metadata\n\nSome words.\n",
    );
    events.expect_page_with(&serve, ALPHA_PAGE, "EDITED-ALPHA-TEXT", "a text edit");
    assert_serves_the_build(&serve, &root, &out, "a text edit");

    fixture.write(
        &format!("site/{ALPHA_DOC}"),
        "# Alpha self-assessment\n\nEDITED-ALPHA-TEXT\n\n## Particulars\n\nSome words.\n",
    );
    events.expect_page_with(&serve, ALPHA_PAGE, "Particulars", "a heading edit");
    assert_serves_the_build(&serve, &root, &out, "a heading another unit links to");

    fixture.write("site/book.toml", "[site]\ntitle = \"SECOND-TITLE\"\n");
    events.expect_page_with(&serve, "/index.html", "SECOND-TITLE", "a title edit");
    assert_serves_the_build(&serve, &root, &out, "a title edit");
}
