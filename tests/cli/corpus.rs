//! Acceptance on the real repository (a copy of cncf/tag-security's `community/assessments`).
//! Runs when `TSSA_CORPUS` names that checkout; otherwise each test says it was skipped.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::common::{PROJECTS, Run, Site, assert_same_files, corpus, text_of, tssa};

/// Every project unit of the corpus: 49 project folders and fluentd's three sub-projects.
const UNITS: [&str; 52] = [
    "antrea",
    "buildpacks",
    "cert-manager",
    "cloudevents",
    "cni",
    "confidential-containers",
    "containerd",
    "contour",
    "copacetic",
    "coredns",
    "cortex",
    "cubefs",
    "custodian",
    "dragonfly",
    "emissary-ingress",
    "external-secrets",
    "flatcar",
    "fluentd/fluent-bit",
    "fluentd/fluentd",
    "fluentd/plugins",
    "flux",
    "guardon",
    "harbor",
    "in-toto",
    "jaeger",
    "karmada",
    "keycloak",
    "knative",
    "kubescape",
    "kubevirt",
    "kyverno",
    "lima",
    "linkerd",
    "longhorn",
    "microcks",
    "nats",
    "opa",
    "open-telemetry",
    "openebs",
    "openfga",
    "openkruise",
    "openmetrics",
    "openyurt",
    "operator-framework",
    "pixie",
    "rook",
    "spiffe-spire",
    "thanos",
    "tikv",
    "volcano",
    "wasmcloud",
    "wasmedge",
];

/// Builds the corpus (read-only: the output goes to a temp folder).
fn build(corpus: &Path, tmp: &Path, out: &str) -> (Run, Site) {
    let out = tmp.join(out);
    let run = tssa(
        tmp,
        &[
            OsStr::new("build"),
            OsStr::new("--root"),
            corpus.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
    );
    run.assert_code(0);
    (run, Site::at(&out))
}

/// One build of the corpus shared by the tests that only read it (a debug build takes a
/// second or two of CPU). It lives in `target/tmp/tssa-corpus/<pid>/`; folders of test
/// processes that have ended are removed by the next run.
struct Shared {
    dir: PathBuf,
    run: Run,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

fn shared(corpus: &Path) -> (&'static Run, Site) {
    let shared = SHARED.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tssa-corpus");
        std::fs::create_dir_all(&base).expect("create target/tmp/tssa-corpus");
        remove_stale(&base);
        let dir = base.join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the shared build folder");
        let out = dir.join("out");
        let run = tssa(
            &dir,
            &[
                OsStr::new("build"),
                OsStr::new("--root"),
                corpus.as_os_str(),
                OsStr::new("--out"),
                out.as_os_str(),
            ],
        );
        Shared { dir, run }
    });
    shared.run.assert_code(0);
    (&shared.run, Site::at(&shared.dir.join("out")))
}

fn remove_stale(base: &Path) {
    let proc = Path::new("/proc");
    for entry in std::fs::read_dir(base).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == std::process::id().to_string() {
            continue;
        }
        let ended = if proc.is_dir() {
            !proc.join(&name).exists()
        } else {
            let age = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok());
            age.is_some_and(|age| age.as_secs() > 24 * 3600)
        };
        if ended {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[test]
fn corpus_builds_and_lists_all_52_units() {
    let Some(corpus) = corpus() else { return };
    let (run, site) = shared(&corpus);
    assert!(run.stderr.contains("built 52 project units"), "{}", run.stderr);
    let mut units = site.home_units();
    units.sort();
    assert_eq!(units, UNITS, "units on the home page");
    for unit in UNITS {
        site.assert_exists(&format!("projects/{unit}/index.html"));
    }
}

#[test]
fn corpus_keycloak_version_covered_is_shown() {
    let Some(corpus) = corpus() else { return };
    let (_, site) = shared(&corpus);
    let row = text_of(&site.home_row("keycloak"));
    assert!(row.contains("v10.0.2"), "keycloak's home row: {row}");
    let status = text_of(&site.page("projects/keycloak/index.html"));
    assert!(
        status.contains("v10.0.2"),
        "keycloak's status page shows the version covered"
    );
    assert!(
        status.contains(&format!("{PROJECTS}/keycloak/README.md:15")),
        "with its provenance: {status}"
    );
}

#[test]
fn corpus_every_internal_link_and_fragment_resolves() {
    let Some(corpus) = corpus() else { return };
    let (_, site) = shared(&corpus);
    site.assert_links_resolve("/");
}

#[test]
fn corpus_every_image_and_pdf_is_copied() {
    let Some(corpus) = corpus() else { return };
    let (_, site) = shared(&corpus);
    let out_files = site.files();
    let mut by_name: BTreeMap<String, Vec<&Vec<u8>>> = BTreeMap::new();
    for (path, bytes) in &out_files {
        by_name
            .entry(path.rsplit('/').next().unwrap_or(path).to_owned())
            .or_default()
            .push(bytes);
    }
    let mut missing = Vec::new();
    let assessments = corpus.join("community/assessments");
    for source in files_under(&assessments) {
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        if !matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "gif" | "svg" | "pdf") {
            continue;
        }
        let bytes = std::fs::read(&source).expect("read corpus file");
        if !by_name
            .get(&name)
            .is_some_and(|copies| copies.iter().any(|c| **c == bytes))
        {
            missing.push(
                source
                    .strip_prefix(&corpus)
                    .unwrap_or(&source)
                    .display()
                    .to_string(),
            );
        }
    }
    assert!(
        missing.is_empty(),
        "images and PDFs not copied unchanged: {missing:#?}"
    );
}

#[test]
fn corpus_two_builds_are_byte_identical() {
    let Some(corpus) = corpus() else { return };
    let (_, one) = shared(&corpus);
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_, two) = build(&corpus, tmp.path(), "two");
    assert_same_files(&one.files(), &two.files(), "two builds of the corpus");
}

#[test]
fn corpus_output_has_no_script_event_handler_or_javascript_url() {
    let Some(corpus) = corpus() else { return };
    let (_, site) = shared(&corpus);
    site.assert_no_active_content();
}

#[test]
fn corpus_check_does_not_panic() {
    let Some(corpus) = corpus() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = tssa(
        tmp.path(),
        &[OsStr::new("check"), OsStr::new("--root"), corpus.as_os_str()],
    );
    run.assert_finished();
    assert!(
        matches!(run.code, Some(0 | 1)),
        "check ran to a verdict: {:?}\n{}",
        run.code,
        run.stderr
    );
    assert!(
        !corpus.join("public").exists(),
        "check writes nothing into the corpus"
    );
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("list corpus").flatten() {
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
