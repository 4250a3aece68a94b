//! Version coverage, the process at a glance, `tssa new` and `--git`, through the real binary
//! on private fixtures: what a reader sees on the pages, what a project lead gets from
//! `tssa new`, and what `tssa check` then says about it.
//!
//! The corpus test runs when `TSSA_CORPUS` points at a checkout of cncf/tag-security;
//! without it, it prints `skipped: TSSA_CORPUS not set`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

mod common;

const PROJECTS: &str = "community/assessments/projects";
/// 2025-12-04, so renewal and "today" are the same on every run.
const EPOCH: &str = "1764806400";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

fn read(root: &Path, rel: &str) -> String {
    fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn tssa(args: &[&str]) -> Output {
    Command::cargo_bin("tssa")
        .expect("binary")
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("TSSA_NO_CACHE", "1")
        .env_remove("NO_COLOR")
        .output()
        .expect("run tssa")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn build(root: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "build",
        "--root",
        root.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    tssa(&args)
}

/// Process docs with the headings the checker's items point at.
fn process_docs(root: &Path) {
    write(
        root,
        "community/assessments/README.md",
        "# Security assessments\n\nHow packages are assessed.\n\n## Conflict of interest statement and review\n\nEvery reviewer declares.\n",
    );
    write(
        root,
        "community/assessments/guide/README.md",
        "# Guide\n\n## Create a presentation issue\n\nText.\n\n## Complete a self-assessment\n\nText.\n",
    );
}

/// Three packages: one declaring everything in front matter, one stating its version in a
/// summary line (as keycloak does), one with no version but a release pinned in an SBOM link.
fn coverage_fixture(root: &Path) {
    process_docs(root);
    write(
        root,
        "book.toml",
        "[source]\nprojects = \"community/assessments/projects\"\n\n[coverage]\nrenewal_months = 6\nreleases = \"releases.yaml\"\n",
    );
    write(
        root,
        "releases.yaml",
        "# latest releases, by unit slug\nbeta: v26.1.0\ngamma: \"1.10\"\n",
    );
    write(
        root,
        &format!("{PROJECTS}/alpha/self-assessment.md"),
        "---\nproject: Alpha\npath: self\nversion_covered: v1.2.0\nlatest_release: v1.4.1\ncompleted: 2025-09-01\n---\n\n# Alpha self-assessment\n\n## Metadata\n\nText.\n",
    );
    write(
        root,
        &format!("{PROJECTS}/beta/README.md"),
        "# Beta TAG-Security Security Assessment\n\nCompleted: 12 Mar 2020\n\nProject version reviewed: v10.0.2\n\nSecurity reviewers: Ann (@ann), Bo (@bo)\n\n## Background\n\nText.\n",
    );
    write(
        root,
        &format!("{PROJECTS}/beta/joint-assessment.md"),
        "# Joint-assessment of <Beta>\n\n## Metadata\n\nText.\n",
    );
    write(
        root,
        &format!("{PROJECTS}/gamma/self-assessment.md"),
        "# Gamma self-assessment\n\n## Metadata\n\n| | |\n| -- | -- |\n| SBOM | [sbom](https://github.com/g/g/releases/download/v1.9.3/sbom.spdx) |\n",
    );
}

#[test]
fn coverage_page_shows_versions_with_provenance_and_pictures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, out) = (dir.path().join("site"), dir.path().join("out"));
    coverage_fixture(&root);
    let run = build(&root, &out, &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let page = read(&out, "coverage/index.html");

    // Front matter: declared version, declared latest release, distance, not yet due.
    let alpha = row(&page, "alpha");
    assert!(alpha.contains("<code>v1.2.0</code>"), "{alpha}");
    assert!(alpha.contains("front matter, self-assessment.md:4"), "{alpha}");
    assert!(alpha.contains("2 minor releases behind"), "{alpha}");
    assert!(
        alpha.contains("by 2026-03-01"),
        "six months from completion: {alpha}"
    );
    // A document line, with its file and line; the latest release from the data file.
    let beta = row(&page, "beta");
    assert!(beta.contains("<code>v10.0.2</code>"), "{beta}");
    assert!(beta.contains("README.md:5"), "{beta}");
    assert!(beta.contains("<code>v26.1.0</code>"), "{beta}");
    assert!(beta.contains("releases data file releases.yaml"), "{beta}");
    assert!(beta.contains("16 major releases behind"), "{beta}");
    assert!(beta.contains("due since 2020-09-12"), "{beta}");
    // No version stated: marked, and the SBOM pin shown as weaker evidence.
    let gamma = row(&page, "gamma");
    assert!(gamma.contains("no version stated"), "{gamma}");
    assert!(gamma.contains("SBOM link pins <code>v1.9.3</code>"), "{gamma}");
    assert!(
        gamma.contains("<code>1.10</code>"),
        "versions keep their spelling: {gamma}"
    );
    assert!(page.contains("2</span> of 3 state the version covered"), "{page}");

    // The pictures: inline SVG with titles and text alternatives, no scripts.
    assert_eq!(
        page.matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart")
            .count(),
        4,
        "two pictures, each in a wide and a narrow layout"
    );
    assert!(page.contains("<title id=\"coverage-bars-title\">Version coverage and renewal</title>"));
    assert!(page.contains("Version covered (3 packages): 2 version stated, 1 not stated."));
    assert!(page.contains("<title id=\"coverage-timeline-title\">Assessments by completion date</title>"));
    assert!(page.contains("2 assessments with a completion date, from 2020-03-12 to 2025-09-01"));
    assert!(!page.contains("<script>"));

    // The home page links to it; each status page carries its own coverage line.
    assert!(read(&out, "index.html").contains("href=\"./coverage/\""));
    let status = read(&out, "projects/beta/index.html");
    assert!(status.contains("Version coverage"), "{status}");
    assert!(status.contains("covers v10.0.2"), "{status}");
    assert!(
        status.contains("href=\"../../coverage/index.html#p-beta\""),
        "{status}"
    );

    // Byte-identical on a rebuild the same day.
    let again = build(&root, &dir.path().join("again"), &[]);
    assert!(again.status.success());
    assert_eq!(page, read(&dir.path().join("again"), "coverage/index.html"));
}

/// The `<tr>` of a unit on the coverage page.
fn row<'a>(page: &'a str, slug: &str) -> &'a str {
    let start = page
        .find(&format!("<tr id=\"p-{slug}\""))
        .unwrap_or_else(|| panic!("no row for {slug}"));
    let end = page[start..].find("</tr>").map_or(page.len(), |e| start + e);
    &page[start..end]
}

#[test]
fn a_broken_releases_file_is_a_diagnostic_not_a_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, out) = (dir.path().join("site"), dir.path().join("out"));
    coverage_fixture(&root);
    write(&root, "releases.yaml", "beta:\n  nested: v1\n");
    let run = build(&root, &out, &[]);
    let stderr = text(&run.stderr);
    assert!(stderr.contains("coverage/releases"), "{stderr}");
    assert!(
        stderr.contains("releases.yaml:1") || stderr.contains("releases.yaml:2"),
        "{stderr}"
    );
    assert!(out.join("coverage/index.html").is_file());
}

#[test]
fn glance_page_and_status_links_resolve_into_the_process_docs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, out) = (dir.path().join("site"), dir.path().join("out"));
    coverage_fixture(&root);
    let run = build(&root, &out, &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));

    let glance = read(&out, "process/glance.html");
    assert!(glance.contains("<title id=\"process-steps-title\">The assessment process at a glance</title>"));
    for id in ["A1", "A4", "B0", "B12"] {
        assert!(glance.contains(&format!("<strong>{id}</strong>")), "{id}");
    }
    assert!(glance.contains("packages passed"), "{glance}");
    // Linked from every process page's navigation.
    let process = read(&out, "process/index.html");
    assert!(process.contains("href=\"glance.html\""), "{process}");

    // Every "process step" link on a status page lands on a page and heading that exist.
    let mut checked = 0;
    for slug in ["alpha", "beta", "gamma"] {
        let page = format!("projects/{slug}/index.html");
        for href in hrefs(&read(&out, &page), "class=\"process-link\" href=\"") {
            assert_resolves(&out, &page, &href);
            checked += 1;
        }
    }
    for href in hrefs(&glance, "<a href=\"") {
        if href.contains('#') {
            assert_resolves(&out, "process/glance.html", &href);
            checked += 1;
        }
    }
    assert!(checked > 0, "no process links found");
}

fn hrefs(html: &str, marker: &str) -> Vec<String> {
    html.split(marker)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// `href`, relative to `page`, names a file in `out` and (if it has a fragment) an element id.
fn assert_resolves(out: &Path, page: &str, href: &str) {
    let (path, fragment) = href.split_once('#').map_or((href, None), |(p, f)| (p, Some(f)));
    let mut target: Vec<&str> = page.split('/').collect();
    target.pop();
    for part in path.split('/') {
        match part {
            ".." => {
                target.pop();
            }
            "." | "" => {}
            p => target.push(p),
        }
    }
    let mut file: PathBuf = out.join(target.join("/"));
    if path.ends_with('/') || file.is_dir() {
        file = file.join("index.html");
    }
    let html =
        fs::read_to_string(&file).unwrap_or_else(|_| panic!("{href} from {page}: no {}", file.display()));
    if let Some(fragment) = fragment {
        assert!(
            html.contains(&format!("id=\"{fragment}\"")),
            "{href} from {page}: no heading id `{fragment}`"
        );
    }
}

/// The check report of one package, as JSON.
fn check_json(root: &Path, name: &str) -> serde_json::Value {
    let run = tssa(&[
        "check",
        "--root",
        root.to_str().expect("utf-8"),
        "--project",
        name,
        "--format",
        "json",
    ]);
    assert!(
        run.status.code().is_some_and(|c| c == 0 || c == 1),
        "{}",
        text(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&run.stdout)))
}

fn finding_codes(report: &serde_json::Value) -> Vec<String> {
    report["units"][0]["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|d| d["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn assert_draft_with_every_section(root: &Path, name: &str, path: &str) {
    let report = check_json(root, name);
    let unit = &report["units"][0];
    assert_eq!(unit["slug"], name);
    assert_eq!(unit["path"], path);
    assert_eq!(unit["status"], "draft");
    assert_eq!(unit["ruleset"], "tssa-2024-11");
    let codes = finding_codes(&report);
    for code in &codes {
        assert!(
            !(code.contains("missing-section")
                || code.contains("missing-row")
                || code.contains("missing-part")),
            "{name}: {code} in {codes:?}"
        );
        assert!(!code.starts_with("front-matter/"), "{name}: {code}");
        assert!(
            !code.starts_with("template/"),
            "{name}: guide text left visible: {code}"
        );
    }
}

fn new(root: &Path, name: &str, extra: &[&str]) -> Output {
    let mut all = vec!["new", "--root", root.to_str().expect("utf-8")];
    all.extend_from_slice(extra);
    // `--` so that names like `-dash` reach the name check instead of clap.
    all.extend_from_slice(&["--", name]);
    tssa(&all)
}

/// A repository with the sample site's guide (our own words) in the real layout.
fn repo_with_guide(root: &Path) {
    process_docs(root);
    let guide = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/community/assessments/guide");
    for name in [
        "self-assessment.md",
        "joint-assessment.md",
        "joint-readme-template.md",
    ] {
        write(
            root,
            &format!("community/assessments/guide/{name}"),
            &fs::read_to_string(guide.join(name)).expect("guide"),
        );
    }
    fs::create_dir_all(root.join(PROJECTS)).expect("projects");
}

#[test]
fn new_self_package_from_the_guide_is_a_draft_with_every_section() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    repo_with_guide(root);
    let run = new(root, "tidewater", &[]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    assert!(
        stdout.contains("created community/assessments/projects/tidewater/"),
        "{stdout}"
    );
    assert!(
        stdout.contains("outline from community/assessments/guide/self-assessment.md"),
        "{stdout}"
    );
    let doc = read(root, &format!("{PROJECTS}/tidewater/self-assessment.md"));
    assert!(
        doc.starts_with("---\n# Started with `tssa new` on 2025-12-04."),
        "{doc}"
    );
    for line in [
        "project: tidewater\n",
        "path: self\n",
        "status: draft\n",
        "ruleset: tssa-2024-11\n",
    ] {
        assert!(doc.contains(line), "{line}");
    }
    assert!(doc.contains("TODO(tssa)"));
    assert!(!doc.contains("[project]"));
    assert!(!root.join(PROJECTS).join("tidewater/README.md").exists());
    assert_draft_with_every_section(root, "tidewater", "self");
}

#[test]
fn new_joint_package_has_assessment_and_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    repo_with_guide(root);
    let run = new(root, "harbourline", &["--path", "joint"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    for file in ["self-assessment.md", "joint-assessment.md", "README.md"] {
        assert!(
            root.join(PROJECTS).join("harbourline").join(file).is_file(),
            "{file}"
        );
    }
    let summary = read(root, &format!("{PROJECTS}/harbourline/README.md"));
    assert!(
        summary.starts_with("# harbourline TAG-Security Security Assessment\n"),
        "{summary}"
    );
    assert!(summary.contains("\nCompleted: tbd\n"));
    assert!(summary.contains("\nTracking issue: TODO(tssa)\n"));
    assert_draft_with_every_section(root, "harbourline", "joint");

    // The new package shows on the coverage page as stating no version yet.
    let out = dir.path().join("out");
    let run = build(root, &out, &[]);
    assert!(run.status.code().is_some_and(|c| c <= 1), "{}", text(&run.stderr));
    let page = read(&out, "coverage/index.html");
    assert!(row(&page, "harbourline").contains("no version stated"));
}

#[test]
fn new_without_a_guide_uses_the_built_in_outlines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    fs::create_dir_all(root.join(PROJECTS)).expect("projects");
    let run = new(root, "bare", &["--path", "joint"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(
        text(&run.stdout).matches("outline from built-in").count(),
        3,
        "{}",
        text(&run.stdout)
    );
    assert_draft_with_every_section(root, "bare", "joint");
}

#[test]
fn new_refuses_existing_folders_and_unsafe_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    repo_with_guide(root);
    write(root, &format!("{PROJECTS}/taken/self-assessment.md"), "# Mine\n");
    let run = new(root, "taken", &[]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("already exists"),
        "{}",
        text(&run.stderr)
    );
    assert_eq!(
        read(root, &format!("{PROJECTS}/taken/self-assessment.md")),
        "# Mine\n"
    );

    for bad in [
        "../escape",
        "a/b",
        ".hidden",
        "My-Project",
        "with space",
        "-dash",
        "",
        "..",
        "x.y",
    ] {
        let run = new(root, bad, &[]);
        assert_eq!(run.status.code(), Some(2), "{bad:?}: {}", text(&run.stdout));
        assert!(
            text(&run.stderr).contains("cannot create the package"),
            "{bad:?}: {}",
            text(&run.stderr)
        );
    }
    assert!(!root.join("community/assessments/escape").exists());
    assert!(!root.join(PROJECTS).join(".hidden").exists());
    let left: Vec<_> = fs::read_dir(root.join(PROJECTS)).expect("list").collect();
    assert_eq!(left.len(), 1, "only the existing package: {left:?}");
}

#[test]
fn git_dates_are_optional() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, out) = (dir.path().join("site"), dir.path().join("out"));
    coverage_fixture(&root);
    let git = |args: &[&str]| common::git_at(&root, "2024-02-03T04:05:06Z", args);
    let inside_checkout = git(&["rev-parse", "--git-dir"]);
    if !inside_checkout {
        // Outside a checkout, --git changes nothing and fails nothing.
        let run = build(&root, &out, &["--git"]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        assert!(
            text(&run.stderr).contains("git/unavailable"),
            "{}",
            text(&run.stderr)
        );
        assert!(!read(&out, "coverage/index.html").contains("Last changed"));
    }
    if !common::commit_everything(&root, "2024-02-03T04:05:06Z") {
        println!("skipped: git not available");
        return;
    }
    let run = build(&root, &out, &["--git"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let page = read(&out, "coverage/index.html");
    assert!(page.contains("Last changed"));
    assert!(row(&page, "alpha").contains("<time>2024-02-03</time>"), "{page}");
    // Without the flag, nothing about git.
    let run = build(&root, &dir.path().join("plain"), &[]);
    assert!(run.status.success());
    assert!(!read(&dir.path().join("plain"), "coverage/index.html").contains("Last changed"));
}

#[test]
fn corpus_coverage_and_process_pages() {
    let Some(corpus) = std::env::var_os("TSSA_CORPUS").map(PathBuf::from) else {
        // Straight to stderr: the test harness captures println!, and a skip must be seen.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"skipped: TSSA_CORPUS not set (an acceptance-corpus test)\n",
        );
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let run = build(&corpus, &out, &["--quiet"]);
    assert!(run.status.code().is_some_and(|c| c <= 1), "{}", text(&run.stderr));
    let page = read(&out, "coverage/index.html");

    // Every package is listed: as many rows as the build found units, and every folder.
    let summary = text(&run.stderr);
    let units: usize = summary
        .split("built ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no unit count in {summary}"));
    assert!(units >= 40, "{summary}");
    assert_eq!(page.matches("<tr id=\"p-").count(), units);
    let mut folders = Vec::new();
    collect_units(&corpus.join(PROJECTS), "", &mut folders);
    for folder in &folders {
        let anchor = format!(
            "<tr id=\"p-{}\"",
            folder.to_lowercase().replace(' ', "-").replace('/', "--")
        );
        assert!(page.contains(&anchor), "{folder} missing");
    }
    assert!(row(&page, "keycloak").contains("<code>v10.0.2</code>"));
    assert!(page.contains("no version stated"));
    assert!(
        page.contains("class=\"chart bars chart-wide\"")
            && page.contains("class=\"chart timeline chart-narrow\"")
    );

    // The process pages, with GitHub-style anchors.
    let guide = read(&out, "process/guide/index.html");
    assert!(
        guide.contains("id=\"conflict-of-interest-statement-and-review\""),
        "no COI anchor"
    );
    assert!(read(&out, "process/glance.html").contains("The assessment process at a glance"));
    // Status pages link into them, and the links land.
    let keycloak = read(&out, "projects/keycloak/index.html");
    let links = hrefs(&keycloak, "class=\"process-link\" href=\"");
    assert!(!links.is_empty());
    for href in links {
        assert_resolves(&out, "projects/keycloak/index.html", &href);
    }
}

/// Unit folders: any folder holding a Markdown document (grouping folders like `fluentd` hold
/// only folders).
fn collect_units(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() {
            continue;
        }
        let slug = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let has_doc = fs::read_dir(entry.path())
            .map(|d| {
                d.filter_map(Result::ok)
                    .any(|f| f.path().extension().is_some_and(|x| x == "md"))
            })
            .unwrap_or(false);
        if has_doc {
            out.push(slug);
        } else if prefix.is_empty() {
            collect_units(&entry.path(), &slug, out);
        }
    }
}
