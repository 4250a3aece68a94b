//! The filesystem boundary, as a hostile contributor would test it: configured paths that
//! leave the root, files and devices too large to read, a script as the base URL, leftovers
//! of killed builds, and a site built inside the projects folder. Every case states the exit
//! code and the finding a user sees, and that nothing from outside the root is published.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;
use std::time::Duration;

use crate::common::{Fixture, PROJECTS, Run, tssa_within};

/// Far above what any of these runs needs; a hang or a read of `/dev/zero` would pass it.
const SANE: Duration = Duration::from_secs(10);

fn good_with_book(book: &str) -> Fixture {
    let fx = Fixture::new("good");
    fx.write("book.toml", book);
    fx
}

fn run(fx: &Fixture, args: &[&OsStr]) -> Run {
    tssa_within(fx.tmp(), args, SANE)
}

fn build(fx: &Fixture, extra: &[&str]) -> Run {
    let mut args = vec![
        OsStr::new("build"),
        OsStr::new("--root"),
        fx.root.as_os_str(),
        OsStr::new("--out"),
        fx.out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    run(fx, &args)
}

/// Exit 2 with an error naming `key` (and book.toml's line when given); nothing written.
fn assert_refused(fx: &Fixture, run: &Run, key: &str, line: Option<usize>) {
    run.assert_code(2);
    assert!(run.stderr.contains(key), "the error names {key}:\n{}", run.stderr);
    if let Some(line) = line {
        assert!(
            run.stderr.contains(&format!("book.toml:{line}:")),
            "the error names book.toml:{line}:\n{}",
            run.stderr
        );
    }
    assert!(!fx.out.exists(), "nothing is written after a refusal");
}

/// Some file of the site contains `needle` (a marker planted outside the root).
fn site_contains(fx: &Fixture, needle: &str) -> bool {
    fx.out.is_dir()
        && fx
            .site()
            .files()
            .values()
            .any(|bytes| String::from_utf8_lossy(bytes).contains(needle))
}

// ---------------------------------------------------------------------------------------
// 1. Configured paths stay inside the root.
// ---------------------------------------------------------------------------------------

/// `(book.toml, the key the error must name, its line)`: each one leads out of the root.
const ESCAPES: &[(&str, &str, usize)] = &[
    (
        "[source]\nprojects = \"../../../../../../etc\"\n",
        "[source] projects",
        2,
    ),
    ("[source]\nprojects = \"/etc\"\n", "[source] projects", 2),
    (
        "[source]\nprojects = \"community/../../..\"\n",
        "[source] projects",
        2,
    ),
    ("[source]\nprocess = \"/etc\"\n", "[source] process", 2),
    ("[source]\nprocess = \"../..\"\n", "[source] process", 2),
    ("[source]\nprocess = \"\\\\etc\"\n", "[source] process", 2),
    (
        "# releases\n[coverage]\nreleases = \"/dev/zero\"\n",
        "[coverage] releases",
        3,
    ),
    (
        "[coverage]\nreleases = \"../../../../../../etc/passwd\"\n",
        "[coverage] releases",
        2,
    ),
    ("[site]\ntheme = \"/etc\"\n", "[site] theme", 2),
    ("[site]\ntheme = \"../outside-theme\"\n", "[site] theme", 2),
    (
        "[site]\noutput = \"/tmp/tssa-hostile-output\"\n",
        "[site] output",
        2,
    ),
    ("[site]\noutput = \"../escaped-site\"\n", "[site] output", 2),
];

#[test]
fn every_configured_path_that_leaves_the_root_stops_build_check_and_new() {
    for (book, key, line) in ESCAPES {
        let fx = good_with_book(book);
        let built = if key.contains("output") {
            // --out would override it: the user's choice on the command line is trusted.
            run(
                &fx,
                &[OsStr::new("build"), OsStr::new("--root"), fx.root.as_os_str()],
            )
        } else {
            build(&fx, &[])
        };
        assert_refused(&fx, &built, key, Some(*line));
        let checked = run(
            &fx,
            &[OsStr::new("check"), OsStr::new("--root"), fx.root.as_os_str()],
        );
        checked.assert_code(2);
        assert!(checked.stderr.contains(key), "{}", checked.stderr);
        let new = new_zed(&fx);
        new.assert_code(2);
        assert!(!fx.project("zed").exists(), "new wrote nothing for {book}");
    }
    assert!(!Path::new("/tmp/tssa-hostile-output").exists());
}

#[test]
fn source_root_in_book_toml_stays_inside_its_folder() {
    let fx = Fixture::new("good");
    let build_with = |config: &Path| {
        let args = [
            OsStr::new("build"),
            OsStr::new("--config"),
            config.as_os_str(),
            OsStr::new("--out"),
            fx.out.as_os_str(),
        ];
        run(&fx, &args)
    };
    let conf = fx.tmp().join("conf/book.toml");
    fs::create_dir_all(fx.tmp().join("conf")).expect("mkdir");
    for root in ["/", "../site"] {
        fs::write(&conf, format!("[source]\nroot = \"{root}\"\n")).expect("write");
        assert_refused(&fx, &build_with(&conf), "[source] root", Some(2));
    }
    // Below the folder of book.toml is where the sample keeps its content.
    let above = fx.tmp().join("book.toml");
    fs::write(&above, "[source]\nroot = \"site\"\n").expect("write");
    build_with(&above).assert_code(0);
}

#[test]
fn paths_inside_the_root_are_still_accepted() {
    let fx = good_with_book(
        "[source]\nprojects = \"community/assessments/projects/\"\nprocess = \"community/assessments\"\n\
         [coverage]\nreleases = \"data/../releases.yaml\"\n[site]\noutput = \"public\"\nbase_url = \"https://example.org/tssa\"\n",
    );
    fx.write("releases.yaml", "alderwick: v9.0.0\n");
    fx.write("data/README.txt", "the releases file's neighbour\n");
    let built = build(&fx, &[]);
    built.assert_code(0);
    built.assert_no_diag(
        |d| d.code.starts_with("coverage/releases"),
        "the releases file is read",
    );
    fx.site().assert_exists("projects/alderwick/index.html");
}

#[cfg(unix)]
#[test]
fn symlinked_projects_folder_leading_out_of_the_root_is_refused_and_new_writes_nothing_there() {
    let fx = Fixture::new("good");
    let outside = fx.tmp().join("elsewhere");
    fs::rename(fx.path(PROJECTS), &outside).expect("move the projects out");
    std::os::unix::fs::symlink(&outside, fx.path(PROJECTS)).expect("link them back");
    let built = build(&fx, &[]);
    assert_refused(&fx, &built, "projects folder", None);
    assert!(built.stderr.contains("outside the root"), "{}", built.stderr);
    let new = new_zed(&fx);
    new.assert_code(2);
    assert!(!outside.join("zed").exists(), "nothing written through the link");
}

#[cfg(unix)]
#[test]
fn new_does_not_copy_a_guide_template_linked_from_outside_the_root() {
    let fx = Fixture::new("good");
    // A real outline (so it would be used) carrying text from outside the root.
    let guide = fx.path("community/assessments/guide/self-assessment.md");
    let outline = include_str!("../../src/new/self-assessment.md");
    let secret = fx.tmp().join("secret.md");
    fs::write(&secret, outline.replacen("## ", "SECRET-KEY-MATERIAL\n\n## ", 1)).expect("write");
    std::os::unix::fs::symlink(&secret, &guide).expect("link");
    let new = new_zed(&fx);
    new.assert_code(0);
    let written = fs::read_to_string(fx.project("zed/self-assessment.md")).expect("written");
    assert!(!written.contains("SECRET-KEY-MATERIAL"), "{written}");
    assert!(new.stdout.contains("built-in"), "{}", new.stdout);
}

#[test]
fn walk_limits_stop_with_a_finding_naming_the_limit() {
    let fx = good_with_book("[limits]\nfiles = 5\n");
    let built = build(&fx, &[]);
    built.assert_code(0);
    let d = built.expect_diag_where("discover/limit on files", |d| d.code == "discover/limit");
    assert!(d.message.contains("more than 5 files"), "{d:?}");
    assert!(
        d.help.as_deref().unwrap_or("").contains("[limits] files"),
        "{d:?}"
    );

    let fx = good_with_book("[limits]\ndepth = 5\n");
    fx.write(&format!("{PROJECTS}/alderwick/a/b/c/deep.md"), "# Deep\n");
    let built = build(&fx, &[]);
    let d = built.expect_diag("discover/limit", &format!("{PROJECTS}/alderwick/a/b"), None);
    assert!(d.message.contains("limit of 5"), "{d:?}");
    fx.site().assert_exists("projects/alderwick/index.html");

    let fx = good_with_book("[limits]\ntotal_bytes = 10\n");
    let built = build(&fx, &[]);
    built.expect_diag_where("discover/limit on bytes", |d| {
        d.code == "discover/limit" && d.help.as_deref().unwrap_or("").contains("total_bytes")
    });
}

#[test]
fn limits_are_checked_when_book_toml_is_read() {
    for book in [
        "[limits]\nfiles = 0\n",
        "[limits]\nfile_bytes = -1\n",
        "[limits]\nsize = 3\n",
    ] {
        let fx = good_with_book(book);
        let built = build(&fx, &[]);
        assert_refused(&fx, &built, "book.toml:", None);
    }
}

// ---------------------------------------------------------------------------------------
// 2. Every read is capped before it allocates.
// ---------------------------------------------------------------------------------------

/// A sparse file of `len` bytes: takes no disk, and reading it whole would take `len` bytes.
fn sparse(path: &Path, len: u64) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::File::create(path)
        .and_then(|f| f.set_len(len))
        .expect("a sparse file");
}

const GIB: u64 = 1 << 30;

#[test]
fn a_gigabyte_document_is_refused_unread_and_the_rest_is_built() {
    let fx = Fixture::new("good");
    sparse(&fx.project("alderwick/huge.md"), GIB);
    let built = build(&fx, &[]);
    built.assert_code(0);
    let d = built.expect_diag("input/too-large", &format!("{PROJECTS}/alderwick/huge.md"), None);
    assert!(
        d.message.contains("1 GiB") && d.message.contains("8 MiB"),
        "{d:?}"
    );
    assert!(
        d.help.as_deref().unwrap_or("").contains("[limits] file_bytes"),
        "{d:?}"
    );
    fx.site().assert_exists("projects/alderwick/self-assessment.html");
    fx.site().assert_exists("projects/brindle/index.html");
    // check names the file without reading it for a snippet.
    let checked = fx.check(&[]);
    checked.assert_finished();
    assert!(checked.stdout.contains("input/too-large"), "{}", checked.stdout);
}

#[test]
fn a_gigabyte_sidecar_is_refused_unread() {
    let fx = Fixture::new("good");
    sparse(&fx.project("brindle/tssa.yaml"), GIB);
    let built = build(&fx, &[]);
    built.assert_code(0);
    built.expect_diag("input/too-large", &format!("{PROJECTS}/brindle/tssa.yaml"), None);
    fx.site().assert_exists("projects/brindle/index.html");
}

#[test]
fn file_bytes_limit_is_configurable() {
    let fx = good_with_book("[limits]\nfile_bytes = 64\n");
    fx.write(
        &format!("{PROJECTS}/alderwick/notes.md"),
        format!("# Notes\n\n{}\n", "word ".repeat(40)),
    );
    let built = build(&fx, &[]);
    let d = built.expect_diag("input/too-large", &format!("{PROJECTS}/alderwick/notes.md"), None);
    assert!(d.message.contains("64 B"), "{d:?}");
    let fx = good_with_book("[limits]\nfile_bytes = 100000000\n");
    sparse(&fx.project("alderwick/big.md"), 20 << 20);
    build(&fx, &[]).assert_no_diag(|d| d.code == "input/too-large", "raised limit");
}

#[test]
fn an_oversized_book_toml_is_refused_before_it_is_read() {
    let fx = Fixture::new("good");
    sparse(&fx.path("book.toml"), GIB);
    let built = build(&fx, &[]);
    built.assert_code(2);
    assert!(
        built.stderr.contains("book.toml") && built.stderr.contains("1 MiB"),
        "{}",
        built.stderr
    );
}

#[test]
fn a_gigabyte_releases_file_inside_the_root_is_a_finding() {
    let fx = good_with_book("[coverage]\nreleases = \"releases.yaml\"\n");
    sparse(&fx.path("releases.yaml"), GIB);
    let built = build(&fx, &[]);
    built.assert_code(0);
    let d = built.expect_diag("coverage/releases-unreadable", "releases.yaml", None);
    assert!(d.message.contains("8 MiB"), "{d:?}");
    fx.site().assert_exists("coverage/index.html");
}

#[cfg(unix)]
#[test]
fn a_releases_pipe_or_device_link_inside_the_root_does_not_hang() {
    let fx = good_with_book("[coverage]\nreleases = \"releases.yaml\"\n");
    let made = std::process::Command::new("mkfifo")
        .arg(fx.path("releases.yaml"))
        .status()
        .is_ok_and(|s| s.success());
    if made {
        let built = build(&fx, &[]);
        built.assert_code(0);
        let d = built.expect_diag("coverage/releases-unreadable", "releases.yaml", None);
        assert!(d.message.contains("not a regular file"), "{d:?}");
    }
    // A link to /dev/zero from inside: resolves outside, so refused as a setting.
    let fx = good_with_book("[coverage]\nreleases = \"zero.yaml\"\n");
    std::os::unix::fs::symlink("/dev/zero", fx.path("zero.yaml")).expect("link");
    assert_refused(&fx, &build(&fx, &[]), "[coverage] releases", Some(2));
}

// ---------------------------------------------------------------------------------------
// 7. The base URL is a URL or a path, never a script.
// ---------------------------------------------------------------------------------------

const BAD_BASE_URLS: &[&str] = &[
    "javascript:alert(1)//",
    "JavaScript:alert(1)",
    "data:text/html,x",
    "//evil.example/",
    "https://",
    "http:///x",
    "/a\"onmouseover=\"alert(1)",
    "/a'b",
    "/a b",
    "/a\nb",
    "/a<b",
    "relative/path",
];

#[test]
fn a_base_url_that_is_not_http_or_a_path_stops_the_build() {
    let fx = Fixture::new("good");
    for url in BAD_BASE_URLS {
        let built = build(&fx, &["--base-url", url]);
        assert_refused(&fx, &built, "--base-url", None);
    }
    for url in BAD_BASE_URLS {
        let fx = good_with_book(&format!("\n[site]\nbase_url = {}\n", toml_string(url)));
        let built = build(&fx, &[]);
        assert_refused(&fx, &built, "[site] base_url", Some(3));
    }
}

#[test]
fn http_urls_and_absolute_paths_are_good_base_urls() {
    for url in ["/", "/tssa/", "https://example.org/", "http://localhost:8080/x"] {
        let fx = Fixture::new("good");
        build(&fx, &["--base-url", url]).assert_code(0);
        let page = fx.site().page("404.html");
        assert!(!page.contains("javascript:"), "{page}");
    }
}

fn toml_string(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
    )
}

// ---------------------------------------------------------------------------------------
// 8. No leftovers; a site inside the sources is never content.
// ---------------------------------------------------------------------------------------

/// The id of a process that has exited.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().expect("spawn true");
    let pid = child.id();
    child.wait().expect("wait");
    pid
}

fn leftover(fx: &Fixture, kind: &str, pid: u32, marker: bool) -> std::path::PathBuf {
    let dir = fx.tmp().join(format!(".out.{kind}-{pid}"));
    fs::create_dir_all(dir.join("projects")).expect("mkdir");
    fs::write(dir.join("projects/page.html"), "half-written").expect("write");
    if marker {
        fs::write(dir.join(".tssa-output"), "marker").expect("write");
    }
    dir
}

#[cfg(target_os = "linux")]
#[test]
fn a_new_build_removes_what_killed_builds_left_and_nothing_else() {
    let fx = Fixture::new("good");
    build(&fx, &[]).assert_code(0);
    let dead = dead_pid();
    let staging = leftover(&fx, "tssa-staging", dead, true);
    let old = leftover(&fx, "tssa-old", dead, true);
    // A build still running (this test's own process stands in for it) keeps its folder;
    // a folder without tssa's marker is not tssa's to remove.
    let running = leftover(&fx, "tssa-staging", std::process::id(), true);
    let foreign = leftover(&fx, "tssa-old", dead_pid(), false);
    build(&fx, &[]).assert_code(0);
    assert!(!staging.exists() && !old.exists(), "stale staging removed");
    assert!(running.exists() && foreign.exists(), "others' folders kept");
}

#[cfg(target_os = "linux")]
#[test]
fn a_build_killed_while_writing_leaves_nothing_after_the_next_build() {
    let fx = Fixture::new("good");
    // Many assets, so the write takes long enough to be caught in the middle.
    for i in 0..2000 {
        fx.write(&format!("{PROJECTS}/alderwick/img/i{i}.png"), [b'x'; 512]);
    }
    // Each new build clears what the previous kill left, so stop at the first catch.
    let mut caught = 0;
    for _ in 0..5 {
        if caught > 0 {
            break;
        }
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tssa"))
            .args([OsStr::new("build"), OsStr::new("--root"), fx.root.as_os_str()])
            .args([OsStr::new("--out"), fx.out.as_os_str()])
            .env("TSSA_NO_CACHE", "1")
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let started = std::time::Instant::now();
        // Killed the moment its staging folder appears (kill -9: no clean-up runs).
        while started.elapsed() < SANE && child.try_wait().ok().flatten().is_none() {
            if tssa_leftovers(fx.tmp()).iter().any(|n| n.contains("staging")) {
                let _ = child.kill();
                caught += 1;
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    let left = tssa_leftovers(fx.tmp());
    assert!(
        caught > 0 && !left.is_empty(),
        "no kill landed while the build was writing"
    );
    build(&fx, &[]).assert_code(0);
    let stale = tssa_leftovers(fx.tmp());
    assert!(stale.is_empty(), "leftovers: {stale:?}");
    fx.site().assert_exists("projects/alderwick/img/i1999.png");
}

fn tssa_leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tssa-"))
        .collect()
}

/// `built N project units, D documents, A assets …; E errors, W warnings, I info`.
fn summary(run: &Run) -> String {
    let line = run
        .stderr
        .lines()
        .rfind(|l| l.starts_with("built "))
        .unwrap_or_default();
    let (head, tail) = line.split_once(" into ").unwrap_or((line, ""));
    let counts = tail.rsplit_once("; ").map_or("", |(_, c)| c);
    format!("{head}; {counts}")
}

#[test]
fn a_site_built_inside_the_projects_folder_is_never_read_back() {
    let fx = Fixture::new("good");
    let out = fx.project("alderwick/site");
    let first = fx.build_into(&out, &[]);
    first.assert_code(0);
    let second = fx.build_into(&out, &[]);
    second.assert_code(0);
    assert_eq!(
        summary(&first),
        summary(&second),
        "the second build sees the same content"
    );
    assert!(
        !out.join("projects/alderwick/site").exists(),
        "the site does not contain itself"
    );
    // Built elsewhere next, the old copy is recognised by its marker and still skipped.
    let third = fx.build();
    third.expect_diag(
        "discover/output-folder",
        &format!("{PROJECTS}/alderwick/site"),
        None,
    );
    assert!(!fx.site().exists("projects/alderwick/site/index.html"));
}

/// The marker is read from each folder's own listing: a link to a file counts as the marker
/// (as a `stat` that follows it would say), a folder of that name does not.
#[cfg(unix)]
#[test]
fn a_marker_is_what_a_file_of_that_name_would_say() {
    let fx = Fixture::new("good");
    let linked = fx.project("alderwick/copy-linked");
    fx.write(
        &format!("{PROJECTS}/alderwick/copy-linked/kept-out.md"),
        "# LINKED-MARKER-COPY\n",
    );
    std::os::unix::fs::symlink("kept-out.md", linked.join(".tssa-output")).expect("link the marker");
    fx.write(
        &format!("{PROJECTS}/alderwick/copy-folder/.tssa-output/x.txt"),
        "not a marker",
    );
    fx.write(
        &format!("{PROJECTS}/alderwick/copy-folder/read-in.md"),
        "# FOLDER-NAMED-LIKE-THE-MARKER\n",
    );
    let run = build(&fx, &[]);
    run.assert_code(0);
    run.expect_diag(
        "discover/output-folder",
        &format!("{PROJECTS}/alderwick/copy-linked"),
        None,
    );
    assert!(!fx.site().exists("projects/alderwick/copy-linked/kept-out.html"));
    assert!(
        fx.site()
            .page("projects/alderwick/copy-folder/read-in.html")
            .contains("FOLDER-NAMED-LIKE-THE-MARKER")
    );
    run.assert_no_diag(
        |d| {
            d.code == "discover/output-folder" && d.file.as_deref().is_some_and(|f| f.contains("copy-folder"))
        },
        "a folder named like the marker is no marker",
    );
}

#[test]
fn nothing_from_outside_the_root_reaches_a_site_whatever_book_toml_says() {
    // A planted marker outside the root; every escape above must keep it out.
    let fx = Fixture::new("good");
    fs::create_dir_all(fx.tmp().join("secrets")).expect("mkdir");
    fs::write(fx.tmp().join("secrets/README.md"), "# TOP-SECRET-OUTSIDE\n").expect("write");
    for book in [
        "[source]\nprojects = \"../secrets\"\n",
        "[source]\nprocess = \"..\"\n",
        "[site]\ntheme = \"../secrets\"\n",
    ] {
        fx.write("book.toml", book);
        let built = build(&fx, &[]);
        built.assert_code(2);
        assert!(!site_contains(&fx, "TOP-SECRET-OUTSIDE"), "{book}");
    }
}

/// `tssa new zed --root <root>`: the package `new` would write, were the config sound.
fn new_zed(fx: &Fixture) -> Run {
    run(
        fx,
        &[
            OsStr::new("new"),
            OsStr::new("zed"),
            OsStr::new("--root"),
            fx.root.as_os_str(),
        ],
    )
}
