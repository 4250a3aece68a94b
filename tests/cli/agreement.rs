//! One truth, many views: on every fixture tree and on the acceptance corpus, under several
//! `[check.levels]` tables, `check` and `build` say the same thing about every package — the
//! same JSON, the same findings at the same levels, the same closing counts, the same exit
//! code under the same `--deny`, and the status pages show what `check` reports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Fixture, Run, corpus, fixtures_dir, tssa};

/// `[check.levels]` tables to judge every tree under: the defaults; broken links made errors,
/// a discover rule and a parser rule turned off, a checker rule moved down.
const LEVELS: &[(&str, &str)] = &[
    ("defaults", ""),
    (
        "relevelled",
        "[check.levels]\n\
         \"link/broken\" = \"error\"\n\
         \"discover/near-miss-name\" = \"off\"\n\
         \"facts/placeholder\" = \"off\"\n\
         \"self-assessment/stage-incomplete\" = \"warning\"\n",
    ),
];

/// A finding as both commands print it.
type Key = (Option<String>, Option<usize>, String, String);

struct Views {
    check_json: String,
    check_human: Run,
    build: Run,
    api: Option<String>,
    out: PathBuf,
}

/// `tssa COMMAND --root ROOT --config CONFIG EXTRA…`, run in `scratch`.
fn run(command: &str, root: &Path, config: &Path, scratch: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        command.to_owned(),
        "--root".to_owned(),
        root.display().to_string(),
        "--config".to_owned(),
        config.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    tssa(scratch, &args)
}

fn views(root: &Path, config: &Path, scratch: &Path) -> Views {
    let out = scratch.join("out");
    let out_arg = out.display().to_string();
    let check_json = run("check", root, config, scratch, &["--format", "json"]);
    let check_human = run("check", root, config, scratch, &[]);
    let build = run(
        "build",
        root,
        config,
        scratch,
        &["--out", &out_arg, "--deny", "errors"],
    );
    let api = std::fs::read_to_string(out.join("api/projects.json")).ok();
    Views {
        check_json: check_json.stdout,
        check_human,
        build,
        api,
        out,
    }
}

/// Every finding of a `check --format json` document: units' and site-wide.
fn json_findings(json: &Value) -> Vec<Key> {
    let units = json["units"].as_array().into_iter().flatten();
    let unit_findings = units.flat_map(|u| u["findings"].as_array().into_iter().flatten());
    let site = json["diagnostics"].as_array().into_iter().flatten();
    let mut keys: Vec<Key> = unit_findings
        .chain(site)
        .map(|d| {
            (
                d["file"].as_str().map(str::to_owned),
                d["line"].as_u64().and_then(|l| usize::try_from(l).ok()),
                d["level"].as_str().unwrap_or_default().to_owned(),
                d["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    keys.sort();
    keys
}

fn printed_findings(run: &Run) -> Vec<Key> {
    let mut keys: Vec<Key> = run
        .diagnostics()
        .into_iter()
        .map(|d| (d.file, d.line, d.level, d.code))
        .collect();
    keys.sort();
    keys
}

/// `(errors, warnings, info)` from the closing line of either command.
fn closing_counts(text: &str) -> (usize, usize, usize) {
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains(" info"))
        .unwrap_or_else(|| panic!("no closing line with counts in:\n{text}"));
    let number_before = |word: &str| -> usize {
        let at = line
            .find(word)
            .unwrap_or_else(|| panic!("`{word}` not in `{line}`"));
        line[..at]
            .trim_end()
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count before `{word}` in `{line}`"))
    };
    (
        number_before(" error"),
        number_before(" warning"),
        number_before(" info"),
    )
}

/// Asserts every agreement on one tree under one levels table; returns how many findings the
/// tree has, so callers can make sure the comparison was not vacuous.
fn assert_agreement(name: &str, root: &Path, levels: &str) -> usize {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    // A tree's own book.toml stays in force (its paths are relative to it): the levels are
    // added to a copy of it; otherwise they are the whole configuration.
    let own = root.join("book.toml");
    let (fixture, root, config) = if own.is_file() {
        let copy = Fixture::copy_of(&[(root, "")]);
        let mut text = std::fs::read_to_string(&own).expect("the tree's book.toml");
        text.push('\n');
        text.push_str(levels);
        let config = copy.write("book.toml", text);
        let root = copy.root.clone();
        (Some(copy), root, config)
    } else {
        let config = scratch.path().join("book.toml");
        std::fs::write(&config, levels).expect("write the levels");
        (None, root.to_path_buf(), config)
    };
    let root = root.as_path();
    let v = views(root, &config, scratch.path());
    let what = format!("{name} with {levels:?}");

    if v.check_human.code == Some(2) {
        assert_eq!(
            v.build.code,
            Some(2),
            "{what}: check could not run, nor may build"
        );
        return 0;
    }
    let api = v
        .api
        .unwrap_or_else(|| panic!("{what}: build wrote no api/projects.json"));
    assert!(
        api == v.check_json,
        "{what}: api/projects.json differs from check --format json"
    );
    let json: Value = serde_json::from_str(&v.check_json).expect("check --format json is JSON");

    let expected = json_findings(&json);
    assert_eq!(
        printed_findings(&v.build),
        expected,
        "{what}: build prints the findings check reports"
    );
    assert_eq!(
        printed_findings(&v.check_human),
        expected,
        "{what}: check's human report lists the findings of its JSON"
    );
    assert_eq!(
        closing_counts(&v.build.stderr),
        closing_counts(&v.check_human.stdout),
        "{what}: the closing lines count alike"
    );

    // Exit codes: build --deny errors exits as check does; so do both with --deny warnings.
    assert_eq!(v.build.code, v.check_human.code, "{what}: exit codes");
    let out2 = scratch.path().join("out2").display().to_string();
    let deny = ["--deny", "warnings"];
    assert_eq!(
        run(
            "build",
            root,
            &config,
            scratch.path(),
            &["--out", &out2, deny[0], deny[1]]
        )
        .code,
        run("check", root, &config, scratch.path(), &deny).code,
        "{what}: exit codes with --deny warnings"
    );

    assert_status_pages_show_findings(&what, &json, &v.out);
    drop(fixture);
    expected.len()
}

/// Each unit's status page names every finding code that `check` reports in that unit.
fn assert_status_pages_show_findings(what: &str, json: &Value, out: &Path) {
    let site_findings: Vec<&Value> = json["diagnostics"].as_array().into_iter().flatten().collect();
    for unit in json["units"].as_array().into_iter().flatten() {
        let slug = unit["slug"].as_str().unwrap_or_default();
        let dir = format!("{}/", unit["dir"].as_str().unwrap_or_default());
        let page = std::fs::read_to_string(out.join(format!("projects/{slug}/index.html")))
            .unwrap_or_else(|e| panic!("{what}: no status page for {slug}: {e}"));
        let inside = site_findings
            .iter()
            .filter(|d| d["file"].as_str().is_some_and(|f| f.starts_with(&dir)))
            .copied();
        let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
        for d in unit["findings"].as_array().into_iter().flatten().chain(inside) {
            *codes.entry(d["code"].as_str().unwrap_or_default()).or_default() += 1;
        }
        for code in codes.keys() {
            assert!(
                page.contains(code),
                "{what}: the status page of {slug} does not show `{code}`"
            );
        }
    }
}

#[test]
fn every_fixture_agrees_under_every_levels_table() {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("the fixtures folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    fixtures.sort();
    let mut findings = 0;
    for root in &fixtures {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // A fixture's own book.toml would be shadowed by --config; those test config itself.
        if root.join("book.toml").exists() {
            continue;
        }
        for (_, levels) in LEVELS {
            findings += assert_agreement(&name, root, levels);
        }
    }
    assert!(
        findings > 100,
        "the fixtures have findings to compare ({findings})"
    );
}

#[test]
fn relevelling_moves_a_finding_in_every_view_alike() {
    let root = fixtures_dir().join("links");
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let config = scratch.path().join("book.toml");
    std::fs::write(&config, LEVELS[1].1).expect("write the levels");
    let v = views(&root, &config, scratch.path());
    let broken: Vec<Key> = printed_findings(&v.build)
        .into_iter()
        .filter(|k| k.3 == "link/broken")
        .collect();
    assert!(!broken.is_empty(), "the links fixture has broken links");
    assert!(broken.iter().all(|k| k.2 == "error"), "{broken:?}");
    assert_eq!(v.check_human.code, Some(1), "check fails on the broken links");
    assert_eq!(v.build.code, Some(1), "build --deny errors fails alike");
}

#[test]
fn corpus_agrees_under_every_levels_table() {
    let Some(corpus) = corpus() else {
        return;
    };
    for (name, levels) in LEVELS {
        let findings = assert_agreement(&format!("the corpus ({name})"), &corpus, levels);
        assert!(findings > 150, "the corpus has its findings ({findings})");
    }
}
