//! Shared helpers for the integration tests: copies of fixture folders, runs of the real
//! `tssa` binary, its diagnostics read back from stderr, and scanners over the HTML it writes
//! (tags, links and fragments, active content).

#![allow(dead_code)] // each module uses a different subset

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempDir;

/// Where the packages live in the real layout, relative to the root.
pub const PROJECTS: &str = "community/assessments/projects";

/// A build that takes longer than this is treated as hung (symlink loops, huge inputs).
const TIMEOUT: Duration = Duration::from_secs(60);

pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures_dir() -> PathBuf {
    repo_dir().join("tests/fixtures")
}

/// A private copy of a fixture folder: `<tmp>/site` is the root, `<tmp>/out` the output.
/// Tests may change the copy freely; `tests/fixtures` is never written to.
pub struct Fixture {
    tmp: TempDir,
    pub root: PathBuf,
    pub out: PathBuf,
}

impl Fixture {
    pub fn new(name: &str) -> Fixture {
        let source = fixtures_dir().join(name);
        assert!(source.is_dir(), "no fixture folder {}", source.display());
        Fixture::copy_of(&[(source.as_path(), "")])
    }

    /// A root assembled from several folders: each `(source, dest)` is copied to `root/dest`.
    pub fn copy_of(parts: &[(&Path, &str)]) -> Fixture {
        let tmp = tempfile::Builder::new()
            .prefix("tssa-test-")
            .tempdir()
            .expect("create a temp dir");
        let root = tmp.path().join("site");
        let out = tmp.path().join("out");
        fs::create_dir_all(&root).expect("create the root");
        for (source, dest) in parts {
            let target = if dest.is_empty() {
                root.clone()
            } else {
                root.join(dest)
            };
            if source.is_dir() {
                copy_dir(source, &target);
            } else {
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).expect("create a folder");
                }
                fs::copy(source, &target).expect("copy a file");
            }
        }
        Fixture { tmp, root, out }
    }

    /// The temporary folder that holds `site/` and `out/` (outside the root).
    pub fn tmp(&self) -> &Path {
        self.tmp.path()
    }

    /// A path under the root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// A path under the projects folder.
    pub fn project(&self, rel: &str) -> PathBuf {
        self.root.join(PROJECTS).join(rel)
    }

    /// Writes a file under the root, creating its folders.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create a folder");
        }
        fs::write(&path, bytes).expect("write a file");
        path
    }

    /// `tssa build --root <root> --out <out>`.
    pub fn build(&self) -> Run {
        self.build_into(&self.out, &[])
    }

    /// `tssa build --root <root> --out <out> <extra…>`.
    pub fn build_with(&self, extra: &[&str]) -> Run {
        self.build_into(&self.out, extra)
    }

    pub fn build_into(&self, out: &Path, extra: &[&str]) -> Run {
        let mut args: Vec<&OsStr> = vec![
            OsStr::new("build"),
            OsStr::new("--root"),
            self.root.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ];
        args.extend(extra.iter().map(OsStr::new));
        tssa(self.tmp(), &args)
    }

    /// `tssa build` with a shorter timeout, for inputs that might hang it.
    pub fn build_within(&self, timeout: Duration) -> Run {
        let args = [
            OsStr::new("build"),
            OsStr::new("--root"),
            self.root.as_os_str(),
            OsStr::new("--out"),
            self.out.as_os_str(),
        ];
        tssa_within(self.tmp(), &args, timeout)
    }

    /// `tssa build` as the unprivileged user `nobody`, through `setpriv`. Root reads files
    /// whatever their mode, so this is how tests of unreadable files run when the suite runs
    /// as root. `None` when it is not possible here (no `setpriv`, or not allowed).
    #[cfg(unix)]
    pub fn build_as_nobody(&self) -> Option<Run> {
        use std::os::unix::fs::PermissionsExt;
        let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
            .into_iter()
            .map(Path::new)
            .find(|p| p.is_file())?;
        let as_nobody = |extra: &[&OsStr]| {
            let mut args: Vec<&OsStr> = ["--reuid=65534", "--regid=65534", "--clear-groups"]
                .map(OsStr::new)
                .to_vec();
            args.push(OsStr::new(env!("CARGO_BIN_EXE_tssa")));
            args.extend_from_slice(extra);
            let mut cmd = assert_cmd::Command::new(setpriv);
            cmd.current_dir(self.tmp()).args(&args);
            run("setpriv", cmd, &args, TIMEOUT)
        };
        if as_nobody(&[OsStr::new("--version")]).code != Some(0) {
            return None;
        }
        fs::set_permissions(self.tmp(), fs::Permissions::from_mode(0o777)).ok()?;
        Some(as_nobody(&[
            OsStr::new("build"),
            OsStr::new("--root"),
            self.root.as_os_str(),
            OsStr::new("--out"),
            self.out.as_os_str(),
        ]))
    }

    /// `tssa check --root <root> <extra…>`.
    pub fn check(&self, extra: &[&str]) -> Run {
        let mut args: Vec<&OsStr> = vec![OsStr::new("check"), OsStr::new("--root"), self.root.as_os_str()];
        args.extend(extra.iter().map(OsStr::new));
        tssa(self.tmp(), &args)
    }

    /// The site written to `out`.
    pub fn site(&self) -> Site {
        Site::at(&self.out)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create a folder");
    let mut entries: Vec<_> = fs::read_dir(from)
        .expect("list a fixture folder")
        .map(|e| e.expect("entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let kind = entry.file_type().expect("file type");
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else if kind.is_file() {
            fs::copy(entry.path(), &target).expect("copy a fixture file");
        } else {
            panic!(
                "fixtures must not contain links or special files: {}",
                entry.path().display()
            );
        }
    }
}

/// Runs the real binary in `cwd` (a temp folder, so no stray `book.toml` is picked up).
pub fn tssa<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> Run {
    tssa_within(cwd, args, TIMEOUT)
}

/// As [`tssa`], with extra environment variables (`SOURCE_DATE_EPOCH` fixes today's date).
pub fn tssa_with_env<S: AsRef<OsStr>>(cwd: &Path, args: &[S], env: &[(&str, &str)]) -> Run {
    let mut cmd = assert_cmd::Command::cargo_bin("tssa").expect("the tssa binary is built");
    cmd.current_dir(cwd).args(args).envs(env.iter().copied());
    run("tssa", cmd, args, TIMEOUT)
}

/// As [`tssa`], killing the process after `timeout` (the run then has no exit code).
pub fn tssa_within<S: AsRef<OsStr>>(cwd: &Path, args: &[S], timeout: Duration) -> Run {
    let mut cmd = assert_cmd::Command::cargo_bin("tssa").expect("the tssa binary is built");
    cmd.current_dir(cwd).args(args);
    run("tssa", cmd, args, timeout)
}

/// Runs `cmd` (already given `args`); `program` names it in failure messages.
fn run<S: AsRef<OsStr>>(program: &str, mut cmd: assert_cmd::Command, args: &[S], timeout: Duration) -> Run {
    // The build cache goes under target/, never into the real home (tests/cli/cache.rs runs
    // the binary itself to give each test its own).
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tssa-cache");
    cmd.env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .env("TSSA_CACHE_DIR", cache)
        .timeout(timeout);
    let output = cmd.output().expect("run tssa");
    let signal = signal_of(&output.status);
    Run {
        command: format!(
            "{program} {}",
            args.iter()
                .map(|a| a.as_ref().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        code: output.status.code(),
        signal,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[cfg(unix)]
fn signal_of(status: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn signal_of(_status: &std::process::ExitStatus) -> Option<i32> {
    None
}

/// One finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub command: String,
    pub code: Option<i32>,
    /// Set when the process was killed (a crash, or the timeout for a hang).
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// A diagnostic as printed on stderr:
/// `level[code]: message`, then `  --> file:line` and `  = help: …` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub level: String,
    pub code: String,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub help: Option<String>,
}

impl Diag {
    pub fn at(&self) -> String {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => format!("{f}:{l}"),
            (Some(f), None) => f.clone(),
            _ => "-".to_owned(),
        }
    }
}

pub fn parse_diagnostics(stderr: &str) -> Vec<Diag> {
    let mut found: Vec<Diag> = Vec::new();
    for line in stderr.lines() {
        if let Some(loc) = line.trim_start().strip_prefix("--> ") {
            if let Some(last) = found.last_mut() {
                match loc.rsplit_once(':') {
                    Some((file, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                        last.file = Some(file.to_owned());
                        last.line = n.parse().ok();
                    }
                    _ => last.file = Some(loc.to_owned()),
                }
            }
            continue;
        }
        if let Some(help) = line.trim_start().strip_prefix("= help: ") {
            if let Some(last) = found.last_mut() {
                last.help = Some(help.to_owned());
            }
            continue;
        }
        let Some((head, message)) = line.split_once("]: ") else {
            continue;
        };
        let Some((level, code)) = head.split_once('[') else {
            continue;
        };
        if !matches!(level, "error" | "warning" | "info") || code.contains(' ') {
            continue;
        }
        found.push(Diag {
            level: level.to_owned(),
            code: code.to_owned(),
            message: message.to_owned(),
            file: None,
            line: None,
            help: None,
        });
    }
    found
}

impl Run {
    /// Diagnostics printed by the run: `build` prints them on stderr; `check` prints its
    /// report (the product of the command) on stdout, so both streams are read for it.
    pub fn diagnostics(&self) -> Vec<Diag> {
        let mut found = parse_diagnostics(&self.stderr);
        if self.command.starts_with("tssa check") {
            found.extend(parse_diagnostics(&self.stdout));
        }
        found
    }

    fn describe(&self) -> String {
        format!(
            "`{}` exited with {:?} (signal {:?})\n--- stderr ---\n{}\n--- stdout ---\n{}",
            self.command, self.code, self.signal, self.stderr, self.stdout
        )
    }

    /// The process ran to its end by itself: no crash, no hang, no panic, no overflow.
    pub fn assert_finished(&self) -> &Run {
        assert!(
            self.code.is_some(),
            "tssa was killed (crash or hang):\n{}",
            self.describe()
        );
        for bad in [
            "panicked",
            "RUST_BACKTRACE",
            "stack overflow",
            "has overflowed its stack",
        ] {
            assert!(
                !self.stderr.contains(bad),
                "tssa printed `{bad}`:\n{}",
                self.describe()
            );
        }
        self
    }

    pub fn assert_code(&self, code: i32) -> &Run {
        self.assert_finished();
        assert_eq!(
            self.code,
            Some(code),
            "unexpected exit code:\n{}",
            self.describe()
        );
        self
    }

    /// Exit 0 or 1: the site was built (content errors allowed), the run did not give up.
    pub fn assert_built(&self) -> &Run {
        self.assert_finished();
        assert!(
            matches!(self.code, Some(0 | 1)),
            "expected exit 0 or 1:\n{}",
            self.describe()
        );
        self
    }

    /// Every diagnostic with this code.
    pub fn with_code(&self, code: &str) -> Vec<Diag> {
        self.diagnostics()
            .into_iter()
            .filter(|d| d.code == code)
            .collect()
    }

    /// The diagnostic with `code` about `file` (root-relative) and, if given, at `line`.
    pub fn expect_diag(&self, code: &str, file: &str, line: Option<usize>) -> Diag {
        self.expect_diag_where(&format!("{code} at {file}:{line:?}"), |d| {
            d.code == code && d.file.as_deref() == Some(file) && (line.is_none() || d.line == line)
        })
    }

    pub fn expect_diag_where(&self, what: &str, pred: impl Fn(&Diag) -> bool) -> Diag {
        let all = self.diagnostics();
        match all.iter().find(|d| pred(d)) {
            Some(d) => d.clone(),
            None => panic!(
                "expected a diagnostic: {what}\nfound:\n{}\n{}",
                all.iter()
                    .map(|d| format!("  {}[{}] {} — {}", d.level, d.code, d.at(), d.message))
                    .collect::<Vec<_>>()
                    .join("\n"),
                self.describe()
            ),
        }
    }

    pub fn assert_no_diag(&self, pred: impl Fn(&Diag) -> bool, what: &str) {
        let bad: Vec<Diag> = self.diagnostics().into_iter().filter(|d| pred(d)).collect();
        assert!(
            bad.is_empty(),
            "unexpected diagnostics ({what}): {bad:#?}\n{}",
            self.describe()
        );
    }
}

/// The report of a `check --format json` run.
pub fn json_report(run: &Run) -> serde_json::Value {
    run.assert_finished();
    serde_json::from_str(&run.stdout).expect("check --format json is JSON")
}

/// The unit with `slug` in a `check --format json` report.
pub fn json_unit<'j>(json: &'j serde_json::Value, slug: &str) -> &'j serde_json::Value {
    json["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["slug"] == slug)
        .unwrap_or_else(|| panic!("no unit {slug}"))
}

/// The checklist item `id` of a unit in that report.
pub fn json_item<'j>(unit: &'j serde_json::Value, id: &str) -> &'j serde_json::Value {
    unit["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

/// The text of a fixture file and the 1-based line of the first line containing `needle`.
pub fn line_of(path: &Path, needle: &str) -> usize {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("`{needle}` is not in {}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// The output folder.

/// A built site on disk.
pub struct Site {
    pub dir: PathBuf,
}

impl Site {
    pub fn at(dir: &Path) -> Site {
        Site {
            dir: dir.to_path_buf(),
        }
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.dir.join(rel).is_file()
    }

    pub fn assert_exists(&self, rel: &str) {
        assert!(
            self.exists(rel),
            "`{rel}` is missing from the output; it has:\n{}",
            self.listing()
        );
    }

    /// The text of an output file; panics with the listing when it is missing.
    pub fn page(&self, rel: &str) -> String {
        self.assert_exists(rel);
        fs::read_to_string(self.dir.join(rel)).unwrap_or_else(|e| panic!("read output `{rel}`: {e}"))
    }

    pub fn listing(&self) -> String {
        self.files()
            .keys()
            .map(|k| format!("  {k}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every file under the output, by `/`-separated relative path.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        // Never vacuously empty: a missing output folder is a failure, not a clean site.
        assert!(
            self.dir.is_dir(),
            "the output folder {} does not exist",
            self.dir.display()
        );
        let mut found = BTreeMap::new();
        collect_files(&self.dir, "", &mut found);
        found
    }

    pub fn html_pages(&self) -> Vec<String> {
        self.files()
            .into_keys()
            .filter(|p| p.ends_with(".html"))
            .collect()
    }

    /// Unit slugs the home page links to (`projects/<slug>/`), in page order.
    pub fn home_units(&self) -> Vec<String> {
        let html = self.page("index.html");
        let mut slugs = Vec::new();
        for tag in tags(&html) {
            if tag.name != "a" || tag.closing {
                continue;
            }
            let Some(href) = tag.attr("href") else { continue };
            let href = percent_decode(href);
            if let Some(slug) = href.strip_prefix("projects/").and_then(|s| s.strip_suffix('/'))
                && !slug.is_empty()
                && !slugs.iter().any(|s| s == slug)
            {
                slugs.push(slug.to_owned());
            }
        }
        slugs
    }

    /// The part of the home page that belongs to one unit: from its link to the next unit's.
    pub fn home_row(&self, slug: &str) -> String {
        let html = self.page("index.html");
        let units = self.home_units();
        let pos_of = |s: &str| {
            tags(&html)
                .into_iter()
                .find(|t| {
                    t.name == "a"
                        && t.attr("href").map(percent_decode).as_deref() == Some(&format!("projects/{s}/"))
                })
                .map(|t| t.start)
        };
        let start =
            pos_of(slug).unwrap_or_else(|| panic!("the home page does not link to `projects/{slug}/`"));
        let end = units
            .iter()
            .filter_map(|s| pos_of(s))
            .filter(|&p| p > start)
            .min()
            .or_else(|| html[start..].find("</table>").map(|i| start + i))
            .unwrap_or(html.len());
        html[start..end].to_owned()
    }

    pub fn sitemap_locs(&self) -> Vec<String> {
        let xml = self.page("sitemap.xml");
        xml.split("<loc>")
            .skip(1)
            .filter_map(|s| s.split_once("</loc>").map(|(loc, _)| decode_entities(loc.trim())))
            .collect()
    }

    /// Internal `href`/`src` values in the output that do not resolve (see [`broken_links`]).
    pub fn broken_links(&self, base_path: &str) -> Vec<String> {
        broken_links(&self.dir, base_path)
    }

    pub fn assert_links_resolve(&self, base_path: &str) {
        let broken = self.broken_links(base_path);
        assert!(
            broken.is_empty(),
            "{} broken internal links or fragments in {}:\n{}",
            broken.len(),
            self.dir.display(),
            broken
                .iter()
                .take(60)
                .map(|b| format!("  {b}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    pub fn assert_no_active_content(&self) {
        let found = active_content(&self.dir);
        assert!(
            found.is_empty(),
            "active content in the output:\n{}",
            found
                .iter()
                .take(60)
                .map(|b| format!("  {b}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn collect_files(dir: &Path, prefix: &str, found: &mut BTreeMap<String, Vec<u8>>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("list output")
        .map(|e| e.expect("entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            collect_files(&entry.path(), &rel, found);
        } else {
            let bytes = fs::read(entry.path()).unwrap_or_else(|e| panic!("read output `{rel}`: {e}"));
            found.insert(rel, bytes);
        }
    }
}

/// Panics with the first differences when two output folders are not byte-identical.
/// Every regular file below `dir`, sorted (links are neither followed nor listed).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("list a folder").flatten() {
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    found
}

/// The `good` fixture with a build-cache folder of its own, for the cache tests.
pub struct Cached {
    pub fx: Fixture,
    pub cache: TempDir,
}

/// What a run printed, and its exit code.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Cached {
    pub fn new() -> Cached {
        Cached {
            fx: Fixture::new("good"),
            cache: tempfile::tempdir().expect("a cache folder"),
        }
    }

    /// Runs `bin` with this test's cache folder (and `env`, which may override it).
    pub fn run(&self, bin: &Path, args: &[&OsStr], env: &[(&str, &OsStr)]) -> Ran {
        let output = assert_cmd::Command::new(bin)
            .current_dir(self.fx.tmp())
            .args(args)
            .env("TSSA_CACHE_DIR", self.cache.path())
            .env_remove("TSSA_NO_CACHE")
            .env("SOURCE_DATE_EPOCH", "1764547200")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run tssa");
        Ran {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `tssa build` into `<tmp>/<out>`, returning the site's files.
    pub fn build_with(&self, bin: &Path, out: &str, extra: &[&str], env: &[(&str, &OsStr)]) -> Site {
        let out = self.fx.tmp().join(out);
        let mut args = vec![
            OsStr::new("build"),
            OsStr::new("--root"),
            self.fx.root.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ];
        args.extend(extra.iter().map(OsStr::new));
        let ran = self.run(bin, &args, env);
        assert_eq!(ran.code, Some(0), "build failed:\n{}", ran.stderr);
        Site::at(&out)
    }

    /// Replaces the first `from` in the project file `rel` with `to`.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.fx.project(rel);
        let text = fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{rel} has no {from:?}");
        fs::write(&path, text.replacen(from, to, 1)).expect("write");
    }

    /// `tssa build` (this binary) into `<tmp>/<out>`, whatever its outcome.
    pub fn try_build(&self, out: &str, env: &[(&str, &OsStr)]) -> Ran {
        let out = self.fx.tmp().join(out);
        let args = [
            OsStr::new("build"),
            OsStr::new("--root"),
            self.fx.root.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ];
        self.run(Path::new(env!("CARGO_BIN_EXE_tssa")), &args, env)
    }

    /// `tssa build` into `<tmp>/<out>` with `extra` arguments.
    pub fn build(&self, out: &str, extra: &[&str]) -> Site {
        self.build_with(Path::new(env!("CARGO_BIN_EXE_tssa")), out, extra, &[])
    }

    /// `tssa check --format FORMAT` with `extra` arguments: (stdout, stderr).
    pub fn check(&self, format: &str, extra: &[&str]) -> (String, String) {
        let mut args = vec![
            OsStr::new("check"),
            OsStr::new("--root"),
            self.fx.root.as_os_str(),
            OsStr::new("--format"),
            OsStr::new(format),
        ];
        args.extend(extra.iter().map(OsStr::new));
        let ran = self.run(Path::new(env!("CARGO_BIN_EXE_tssa")), &args, &[]);
        assert!(matches!(ran.code, Some(0 | 1)), "check failed:\n{}", ran.stderr);
        (ran.stdout, ran.stderr)
    }

    /// `tssa check --format json`: (stdout, stderr).
    pub fn check_json(&self, extra: &[&str]) -> (String, String) {
        self.check("json", extra)
    }

    /// Every file in the cache folder, recursively.
    pub fn cache_files(&self) -> Vec<PathBuf> {
        files_under(self.cache.path())
    }

    /// The one cache file called `name` (`pages.bin`, `findings.bin`).
    pub fn file(&self, name: &str) -> PathBuf {
        let found: Vec<PathBuf> = self
            .cache_files()
            .into_iter()
            .filter(|p| p.file_name() == Some(OsStr::new(name)))
            .collect();
        assert_eq!(found.len(), 1, "one {name} in {:?}", self.cache_files());
        found[0].clone()
    }

    /// The inode of a cache file: a rewrite (temp file + rename) changes it.
    pub fn inode(&self, name: &str) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&fs::metadata(self.file(name)).expect("cache file"))
    }
}

pub fn assert_same_files(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, what: &str) {
    let only_a: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    let differ: Vec<&String> = a
        .iter()
        .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| k)
        .collect();
    if only_a.is_empty() && only_b.is_empty() && differ.is_empty() {
        return;
    }
    let mut report = format!(
        "{what}: outputs differ\n  only in first: {only_a:?}\n  only in second: {only_b:?}\n  different bytes: {differ:?}\n"
    );
    if let Some(first) = differ.first() {
        let (x, y) = (
            String::from_utf8_lossy(&a[*first]),
            String::from_utf8_lossy(&b[*first]),
        );
        let at = x
            .bytes()
            .zip(y.bytes())
            .position(|(p, q)| p != q)
            .unwrap_or(x.len().min(y.len()));
        let lo = at.saturating_sub(120);
        report.push_str(&format!(
            "  first difference in {first} at byte {at}:\n    {:?}\n    {:?}\n",
            x.get(lo..(at + 120).min(x.len())).unwrap_or(""),
            y.get(lo..(at + 120).min(y.len())).unwrap_or("")
        ));
    }
    panic!("{report}");
}

// ---------------------------------------------------------------------------------------------
// A small HTML tag scanner: enough to find elements and attributes in our own output.

#[derive(Debug, Clone)]
pub struct Tag {
    /// Lowercase element name.
    pub name: String,
    pub closing: bool,
    /// Lowercase attribute names; values with entities decoded.
    pub attrs: Vec<(String, String)>,
    /// Byte offsets of `<` and just past `>`.
    pub start: usize,
    pub end: usize,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let Some(rel) = html[i..].find('<') else { break };
        let start = i + rel;
        if html[start..].starts_with("<!--") {
            i = html[start + 4..]
                .find("-->")
                .map_or(b.len(), |e| start + 4 + e + 3);
            continue;
        }
        let closing = b.get(start + 1) == Some(&b'/');
        let name_start = start + 1 + usize::from(closing);
        let mut j = name_start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b':') {
            j += 1;
        }
        if j == name_start || !b[name_start].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        let name = html[name_start..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() {
                break;
            }
            if b[j] == b'>' {
                j += 1;
                break;
            }
            let a = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
                j += 1;
            }
            if j == a {
                j += 1;
                continue;
            }
            let key = String::from_utf8_lossy(&b[a..j]).to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let quote = b[j];
                    let v = j + 1;
                    j = v;
                    while j < b.len() && b[j] != quote {
                        j += 1;
                    }
                    value = String::from_utf8_lossy(&b[v..j]).into_owned();
                    j = (j + 1).min(b.len());
                } else {
                    let v = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = String::from_utf8_lossy(&b[v..j]).into_owned();
                }
            }
            attrs.push((key, decode_entities(&value)));
        }
        let raw_text = !closing && (name == "script" || name == "style");
        out.push(Tag {
            name: name.clone(),
            closing,
            attrs,
            start,
            end: j,
        });
        i = j;
        if raw_text {
            let close = format!("</{name}");
            i = html[j..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(b.len(), |e| j + e);
        }
    }
    out
}

/// Decodes the character references our pages use (`&amp;`, `&#x2F;`, `&#39;`, …).
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = name.strip_prefix('#');
                    num.and_then(|n| match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    })
                    .and_then(char::from_u32)
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "body",
    "head",
    "title",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "meta",
    "link",
    "img",
    "input",
    "time",
];

/// The visible text of a page: tags (and script/style bodies) removed, entities decoded,
/// whitespace collapsed.
pub fn text_of(html: &str) -> String {
    let mut uncommented = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<!--") {
        uncommented.push_str(&rest[..i]);
        rest = rest[i + 4..].find("-->").map_or("", |e| &rest[i + 4 + e + 3..]);
    }
    uncommented.push_str(rest);
    let html = uncommented.as_str();
    let mut text = String::new();
    let mut pos = 0;
    for tag in tags(html) {
        if tag.start >= pos {
            text.push_str(&html[pos..tag.start]);
            // Block elements separate words; inline ones (`<span>` in highlighted code) do not.
            if BLOCK_ELEMENTS.contains(&tag.name.as_str()) {
                text.push(' ');
            }
        }
        pos = pos.max(tag.end);
        if !tag.closing && (tag.name == "script" || tag.name == "style") {
            let close = format!("</{}", tag.name);
            pos = html[tag.end..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |e| tag.end + e);
        }
    }
    text.push_str(&html[pos.min(html.len())..]);
    decode_entities(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn percent_decode(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_external(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    // A scheme: letters, digits, `+`, `-`, `.` before the first `:`, which comes before any `/`.
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme.as_bytes()[0].is_ascii_alphabetic()
                && scheme
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        }
        None => false,
    }
}

/// Resolves an internal URL found on `page` (output-relative) to an output file and fragment.
/// Root-absolute URLs are only expected on `404.html` (it is served for any path), where they
/// start with the base path.
pub fn resolve(
    out: &Path,
    page: &str,
    url: &str,
    base_path: &str,
) -> Result<(String, Option<String>), String> {
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f))),
        None => (url, None),
    };
    let path = path.split('?').next().unwrap_or("");
    let mut segments: Vec<String> = Vec::new();
    let rest = if path.is_empty() {
        return Ok((page.to_owned(), fragment));
    } else if let Some(abs) = path.strip_prefix('/') {
        if page != "404.html" {
            return Err("root-absolute link (breaks when the site is served from a sub-path)".to_owned());
        }
        let base = base_path.trim_start_matches('/');
        abs.strip_prefix(base)
            .ok_or_else(|| format!("absolute link outside the base path `{base_path}`"))?
    } else {
        segments.extend(page.split('/').map(str::to_owned));
        segments.pop();
        path
    };
    let mut is_dir = rest.is_empty();
    for seg in rest.split('/') {
        is_dir = false;
        match seg {
            "" | "." => is_dir = true,
            ".." => {
                if segments.pop().is_none() {
                    return Err("climbs above the site root".to_owned());
                }
                is_dir = true;
            }
            seg => segments.push(percent_decode(seg)),
        }
    }
    let mut target = segments.join("/");
    if is_dir || target.is_empty() || out.join(&target).is_dir() {
        target = if target.is_empty() {
            "index.html".to_owned()
        } else {
            format!("{target}/index.html")
        };
    }
    Ok((target, fragment))
}

/// Ids a page defines (`id` anywhere, `name` on anchors).
pub fn ids_of(html: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for tag in tags(html) {
        if tag.closing {
            continue;
        }
        if let Some(id) = tag.attr("id") {
            ids.insert(id.to_owned());
        }
        if tag.name == "a"
            && let Some(name) = tag.attr("name")
        {
            ids.insert(name.to_owned());
        }
    }
    ids
}

/// Every internal `href`/`src` in every HTML file under `out` whose target file, or whose
/// `#fragment` in that target, does not exist. External URLs (with a scheme) are skipped.
pub fn broken_links(out: &Path, base_path: &str) -> Vec<String> {
    let site = Site::at(out);
    let files = site.files();
    let mut ids: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut broken = Vec::new();
    for (page, bytes) in &files {
        if !page.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for tag in tags(&html) {
            if tag.closing {
                continue;
            }
            for attr in ["href", "src"] {
                let Some(url) = tag.attr(attr) else { continue };
                let url = url.trim();
                if is_external(url) {
                    continue;
                }
                let (target, fragment) = match resolve(out, page, url, base_path) {
                    Ok(found) => found,
                    Err(reason) => {
                        broken.push(format!("{page}: <{} {attr}=\"{url}\">: {reason}", tag.name));
                        continue;
                    }
                };
                let Some(target_bytes) = files.get(&target) else {
                    broken.push(format!(
                        "{page}: <{} {attr}=\"{url}\">: no file `{target}`",
                        tag.name
                    ));
                    continue;
                };
                let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
                    continue;
                };
                if !target.ends_with(".html") {
                    continue;
                }
                let known = ids
                    .entry(target.clone())
                    .or_insert_with(|| ids_of(&String::from_utf8_lossy(target_bytes)));
                if !known.contains(&fragment) {
                    broken.push(format!(
                        "{page}: <{} {attr}=\"{url}\">: no id `{fragment}` in `{target}`",
                        tag.name
                    ));
                }
            }
        }
    }
    broken
}

/// Attributes whose value is a URL a browser may load or follow.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "xlink:href",
    "cite",
    "longdesc",
    "manifest",
    "codebase",
    "ping",
    "dynsrc",
    "lowsrc",
    "icon",
];

/// Scripts, event handler attributes and `javascript:` URLs in the output. The theme's own
/// scripts (`<script src="…static/…"></script>`, empty) are allowed; nothing else is.
pub fn active_content(out: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for (page, bytes) in Site::at(out).files() {
        if !page.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        let lower = html.to_ascii_lowercase();
        for tag in tags(&html) {
            if tag.closing {
                continue;
            }
            if tag.name == "script" {
                let theme_script = tag.attr("src").is_some_and(|src| {
                    !is_external(src) && (src.starts_with("static/") || src.contains("/static/"))
                }) && lower[tag.end..].trim_start().starts_with("</script");
                if !theme_script {
                    found.push(format!(
                        "{page}: <script> at byte {}: {}",
                        tag.start,
                        snippet(&html, tag.start)
                    ));
                }
            }
            for (key, value) in &tag.attrs {
                if key.len() > 2 && key.starts_with("on") && key[2..].bytes().all(|c| c.is_ascii_alphabetic())
                {
                    found.push(format!(
                        "{page}: event handler `{key}` on <{}>: {}",
                        tag.name,
                        snippet(&html, tag.start)
                    ));
                }
                // Browsers ignore whitespace and control characters inside a URL's scheme.
                let squeezed: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                let scripted_url = URL_ATTRIBUTES.contains(&key.as_str())
                    && ["javascript:", "vbscript:", "data:text/html"]
                        .iter()
                        .any(|s| squeezed.starts_with(s));
                // `content` acts only on `<meta http-equiv>` (a refresh); on link-preview meta
                // (og:title) it is text, which may quote a title saying "javascript:".
                let acting = match key.as_str() {
                    "style" | "srcset" => true,
                    "content" => tag.attr("http-equiv").is_some(),
                    _ => false,
                };
                let scripted_text =
                    acting && (squeezed.contains("javascript:") || squeezed.contains("expression("));
                if scripted_url || scripted_text {
                    found.push(format!("{page}: `{key}=\"{value}\"` on <{}>", tag.name));
                }
            }
        }
    }
    found
}

fn snippet(html: &str, at: usize) -> String {
    let mut end = (at + 100).min(html.len());
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    html[at..end].replace('\n', " ")
}

/// The acceptance corpus named by `TSSA_CORPUS`, or `None` after saying plainly (past the
/// harness's capture) that the calling test is skipped.
pub fn corpus() -> Option<PathBuf> {
    match std::env::var_os("TSSA_CORPUS") {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            assert!(
                path.join(PROJECTS).is_dir(),
                "TSSA_CORPUS={} has no {PROJECTS}",
                path.display()
            );
            Some(path)
        }
        _ => {
            // Straight to stderr: the test harness captures println!, and a skip must be seen.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                b"skipped: TSSA_CORPUS not set (an acceptance-corpus test)\n",
            );
            None
        }
    }
}

/// Runs `git -C root ARGS` with no user or system configuration and both dates set to
/// `date` (RFC 3339), so commits are the same on every machine. False when git is missing
/// or fails.
pub fn git_at(root: &Path, date: &str, args: &[&str]) -> bool {
    std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_DATE", date)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Makes `root` a git repository with everything in it committed on `date`. False when git
/// is not available (callers skip, saying so).
pub fn commit_everything(root: &Path, date: &str) -> bool {
    let identity = ["-c", "user.name=t", "-c", "user.email=t@example.org"];
    let commit = [&identity[..], &["commit", "-q", "-m", "x"]].concat();
    git_at(root, date, &["init", "-q"]) && git_at(root, date, &["add", "-A"]) && git_at(root, date, &commit)
}
