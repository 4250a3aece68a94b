//! Front matter problems are named by file, line and key, and never stop the rest of the site.

use crate::common::{Diag, Fixture, PROJECTS, Run, text_of};

fn readme(project: &str) -> String {
    format!("{PROJECTS}/{project}/README.md")
}

fn build() -> (Fixture, Run) {
    let fx = Fixture::new("front-matter");
    let run = fx.build();
    run.assert_finished();
    (fx, run)
}

fn front_matter_diag(run: &Run, project: &str, line: usize) -> Diag {
    let file = readme(project);
    run.expect_diag_where(&format!("front-matter/* at {file}:{line}"), |d| {
        d.code.starts_with("front-matter/")
            && d.file.as_deref() == Some(file.as_str())
            && d.line == Some(line)
    })
}

#[test]
fn front_matter_errors_leave_the_site_built_and_fail_only_when_denied() {
    let (fx, run) = build();
    // The site was written, so build succeeds; `--deny errors` fails it as check fails.
    run.assert_code(0);
    run.expect_diag_where("an error from the front matter", |d| {
        d.level == "error" && d.code.starts_with("front-matter/")
    });
    fx.build_with(&["--deny", "errors"]).assert_code(1);
    fx.check(&[]).assert_code(1);
    let site = fx.site();
    for project in ["grebe", "heron", "ibis", "jacana", "kestrel", "loon", "merlin"] {
        let html = site.page(&format!("projects/{project}/README.html"));
        let title = format!(
            "{}{} security assessment",
            project[..1].to_uppercase(),
            &project[1..]
        );
        assert!(
            text_of(&html).contains(&title),
            "{project}: the document body is rendered"
        );
        site.assert_exists(&format!("projects/{project}/index.html"));
    }
}

#[test]
fn valid_package_beside_broken_ones_shows_its_facts() {
    let (fx, _) = build();
    let row = text_of(&fx.site().home_row("merlin"));
    assert!(row.contains("v5.0.0") && row.contains("sandbox"), "{row}");
}

#[test]
fn malformed_yaml_is_an_error_at_its_line() {
    let (_, run) = build();
    let d = front_matter_diag(&run, "grebe", 3);
    assert_eq!(d.level, "error", "{d:?}");
}

#[test]
fn unterminated_front_matter_is_reported_at_its_opening_fence() {
    let (fx, run) = build();
    front_matter_diag(&run, "heron", 1);
    let text = text_of(&fx.site().page("projects/heron/README.html"));
    assert!(
        text.contains("never closed"),
        "the rest of the document is still shown: {text}"
    );
}

#[test]
fn wrong_type_names_the_key_and_line() {
    let (_, run) = build();
    let d = front_matter_diag(&run, "ibis", 3);
    assert!(d.message.contains("reviewers"), "message names the key: {d:?}");
    assert_eq!(d.level, "error", "{d:?}");
}

#[test]
fn unknown_key_names_the_key_and_line() {
    let (_, run) = build();
    let d = front_matter_diag(&run, "jacana", 3);
    assert!(
        d.message.contains("maturity_level"),
        "message names the key: {d:?}"
    );
}

#[test]
fn impossible_date_names_the_key_and_line() {
    let (fx, run) = build();
    let d = front_matter_diag(&run, "kestrel", 3);
    assert!(d.message.contains("completed"), "message names the key: {d:?}");
    let row = text_of(&fx.site().home_row("kestrel"));
    assert!(
        !row.contains("2025-02-30"),
        "an impossible date is not shown as the completion date: {row}"
    );
}

#[test]
fn three_errors_in_one_block_are_all_reported() {
    let (_, run) = build();
    for (line, key) in [(4, "colour"), (5, "completed"), (6, "reviewers")] {
        let d = front_matter_diag(&run, "loon", line);
        assert!(d.message.contains(key), "line {line} names `{key}`: {d:?}");
    }
}

#[test]
fn check_reports_the_same_front_matter_errors_and_exits_1() {
    let fx = Fixture::new("front-matter");
    let run = fx.check(&[]);
    run.assert_code(1);
    front_matter_diag(&run, "loon", 6);
}

#[test]
fn broken_front_matter_leaves_no_dead_links_or_active_content() {
    let (fx, _) = build();
    fx.site().assert_links_resolve("/");
    fx.site().assert_no_active_content();
}

// ---------------------------------------------------------------------------------------------
// The sidecar `tssa.yaml`: the same keys, for repositories that keep Markdown plain.

#[test]
fn sidecar_conflicting_with_front_matter_is_reported_and_front_matter_wins() {
    let fx = Fixture::new("sidecar");
    let run = fx.build();
    run.assert_built();
    let sidecar = format!("{PROJECTS}/tern/tssa.yaml");
    let d = run.expect_diag_where("facts/conflict about version_covered", |d| {
        d.code == "facts/conflict"
            && (d.file.as_deref() == Some(sidecar.as_str())
                || d.file.as_deref() == Some(readme("tern").as_str()))
            && d.line.is_some()
    });
    assert!(d.message.contains("version"), "names the fact: {d:?}");
    let row = text_of(&fx.site().home_row("tern"));
    assert!(
        row.contains("v4.1.0") && !row.contains("v4.0.0"),
        "front matter wins: {row}"
    );
    assert!(
        row.contains("sandbox"),
        "facts only the sidecar states are used: {row}"
    );
}

#[test]
fn sidecar_facts_show_their_provenance() {
    let fx = Fixture::new("sidecar");
    fx.build().assert_built();
    let status = text_of(&fx.site().page("projects/tern/index.html"));
    assert!(
        status.contains(&format!("{PROJECTS}/tern/tssa.yaml:3")),
        "maturity comes from tssa.yaml line 3: {status}"
    );
    assert!(
        !fx.site().exists("projects/tern/tssa.yaml"),
        "the sidecar is configuration, not an asset"
    );
}
