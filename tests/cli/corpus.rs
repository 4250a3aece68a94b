//! Acceptance on the real repository (a copy of cncf/tag-security's `community/assessments`).
//! Runs when `TSSA_CORPUS` names that checkout; otherwise each test says it was skipped.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::common::{
    PROJECTS, Run, Site, assert_same_files, corpus, files_under, json_item, json_report, json_unit, text_of,
    tssa,
};

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

/// `check --format json` on the corpus, once per test process.
fn corpus_json(corpus: &Path) -> &'static serde_json::Value {
    static JSON: OnceLock<serde_json::Value> = OnceLock::new();
    JSON.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("tempdir");
        let run = tssa(
            tmp.path(),
            &[
                OsStr::new("check"),
                OsStr::new("--root"),
                corpus.as_os_str(),
                OsStr::new("--format"),
                OsStr::new("json"),
            ],
        );
        json_report(&run)
    })
}

/// Facts as the package shows them: the values classified after reading, and values that were
/// right before classification, which must stay so. `(unit, fact, value, file:line)`.
const FACTS: &[(&str, &str, &str, &str)] = &[
    (
        "cloudevents",
        "security_provider",
        "no",
        "cloudevents/self-assessment.md:66",
    ),
    (
        "cert-manager",
        "sbom",
        "none",
        "cert-manager/self-assessment.md:19",
    ),
    (
        "emissary-ingress",
        "sbom",
        "none",
        "emissary-ingress/self-assessment.md:35",
    ),
    ("openfga", "sbom", "none", "openfga/self-assessment.md:42"),
    ("openfga", "status", "complete", "openfga/joint-assessment.md:52"),
    (
        "antrea",
        "security_provider",
        "no",
        "antrea/self-assessment.md:34",
    ),
    (
        "cortex",
        "sbom",
        "https://github.com/cortexproject/cortex/releases/latest/download/sbom.tar.gz",
        "cortex/self-assessment.md",
    ),
    (
        "copacetic",
        "sbom",
        "https://github.com/project-copacetic/copacetic/releases",
        "copacetic/self-assessment.md",
    ),
    (
        "kyverno",
        "sbom",
        "https://kyverno.io/docs/security/#fetching-the-sbom-for-kyverno",
        "kyverno/",
    ),
    ("kyverno", "security_provider", "yes", "kyverno/"),
    (
        "microcks",
        "sbom",
        "https://clomonitor.io/projects/cncf/microcks",
        "microcks/",
    ),
    (
        "cert-manager",
        "security_provider",
        "yes",
        "cert-manager/self-assessment.md",
    ),
    ("keycloak", "version_covered", "v10.0.2", "keycloak/README.md:15"),
];

#[test]
fn corpus_facts_table() {
    let Some(corpus) = corpus() else { return };
    let json = corpus_json(&corpus);
    let mut wrong = Vec::new();
    for (slug, key, value, at) in FACTS {
        let fact = &json_unit(json, slug)["facts"][*key];
        let place = format!(
            "{}:{}",
            fact["source"]["file"].as_str().unwrap_or("-"),
            fact["source"]["line"]
        );
        if fact["value"] != *value || !place.contains(&format!("{PROJECTS}/{at}")) {
            wrong.push(format!(
                "{slug} {key}: {} at {place}, expected {value} at {at}",
                fact["value"]
            ));
        }
    }
    assert!(wrong.is_empty(), "facts misread: {wrong:#?}");
}

#[test]
fn corpus_none_values_keep_their_issue_as_a_reference() {
    let Some(corpus) = corpus() else { return };
    let (_, site) = shared(&corpus);
    for (slug, reference) in [
        (
            "cert-manager",
            "https://github.com/cert-manager/makefile-modules/issues/154",
        ),
        (
            "emissary-ingress",
            "https://github.com/emissary-ingress/emissary/issues/5466",
        ),
        ("openfga", "https://github.com/openfga/openfga/pull/683"),
    ] {
        let page = site.page(&format!("projects/{slug}/index.html"));
        let start = page.find("<th scope=\"row\">SBOM</th>").expect("an SBOM row");
        let row = &page[start..start + page[start..].find("</tr>").expect("row end")];
        let before_refs = row.split("class=\"references\"").next().unwrap_or(row);
        assert!(
            !before_refs.contains("href="),
            "{slug}: the SBOM value is no link: {row}"
        );
        assert!(row.contains(reference), "{slug}: the reference is kept: {row}");
    }
}

#[test]
fn corpus_rules_by_rule_set_conflicts_and_external_self_assessment() {
    let Some(corpus) = corpus() else { return };
    let json = corpus_json(&corpus);
    let conflict = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| {
            d["code"] == "facts/conflict" && d["file"] == format!("{PROJECTS}/openfga/self-assessment.md")
        })
        .expect("openfga's documents disagree on the stage");
    assert_eq!(conflict["line"], 38);
    assert!(
        conflict["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("{PROJECTS}/openfga/joint-assessment.md:52"))),
        "{conflict}"
    );
    for slug in ["keycloak", "opa", "spiffe-spire"] {
        let unit = json_unit(json, slug);
        let parts: Vec<&serde_json::Value> = unit["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["code"] == "summary/missing-part")
            .collect();
        assert!(parts.is_empty(), "{slug}: {parts:?}");
    }
    let b0 = json_item(json_unit(json, "custodian"), "B0");
    assert_eq!(b0["state"], "passed", "{b0}");
    assert_eq!(
        b0["evidence"][0]["file"],
        format!("{PROJECTS}/custodian/joint-review.md")
    );
    assert_eq!(b0["evidence"][0]["line"], 86);
}
