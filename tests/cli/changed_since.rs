//! `check --changed-since REF` in temporary git repositories made here from the `good`
//! fixture. The repository's top is the fixture's temporary folder, one level above the tssa
//! root (`site/`), as in the TAG's repository, where the tree sits under a folder: so the
//! github annotations must name paths from the top (`site/community/…`).

use std::path::Path;

use crate::common::{Fixture, PROJECTS, Run, corpus, git_at, json_report, line_of, tssa_with_env};

/// Git without the user's or the system's configuration: tests must not depend on either.
const ISOLATED: [(&str, &str); 2] = [("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_CONFIG_NOSYSTEM", "1")];

/// Runs git in `dir` as a fixed user, without the user's or the system's configuration.
fn git(dir: &Path, args: &[&str]) {
    let identity = ["-c", "user.name=tssa test", "-c", "user.email=test@example.org"];
    let options = ["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"];
    let all = [&identity[..], &options, args].concat();
    assert!(
        git_at(dir, "2025-01-02T03:04:05Z", &all),
        "git {args:?} failed in {}",
        dir.display()
    );
}

fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// The fixture committed as it is, then a commit that edits alderwick: what a branch's base
/// looks like before the branch's own commit.
fn repository() -> Fixture {
    let fixture = Fixture::new("good");
    git(fixture.tmp(), &["init", "-q"]);
    commit_all(fixture.tmp(), "the fixture");
    append(
        &fixture,
        "alderwick/self-assessment.md",
        "\nAn earlier note on [a missing page](gone.md).\n",
    );
    commit_all(fixture.tmp(), "alderwick: a note");
    fixture
}

fn append(fixture: &Fixture, project_file: &str, text: &str) {
    let path = fixture.project(project_file);
    let mut body = std::fs::read_to_string(&path).expect("a fixture file");
    body.push_str(text);
    std::fs::write(&path, body).expect("write a fixture file");
}

fn check(fixture: &Fixture, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--root", "site", "--no-cache"];
    args.extend(extra);
    tssa_with_env(fixture.tmp(), &args, &ISOLATED)
}

fn slugs(run: &Run) -> Vec<String> {
    json_report(run)["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| u["slug"].as_str().expect("a slug").to_owned())
        .collect()
}

/// The annotations (`::level props::message`) that name `file` (from the repository's top).
fn annotations_on<'r>(run: &'r Run, file: &str) -> Vec<&'r str> {
    let needle = format!("file={file},");
    run.stdout.lines().filter(|l| l.contains(&needle)).collect()
}

/// The test: two commits touching different packages; only the second's is judged,
/// and its annotations land on the changed file and lines.
#[test]
fn only_the_touched_unit_is_judged_and_annotated_on_its_changed_lines() {
    let fixture = repository();
    append(
        &fixture,
        "brindle/self-assessment.md",
        "\nSee [the threat model](threats.md).\n",
    );
    commit_all(fixture.tmp(), "brindle: a link");
    let brindle = format!("{PROJECTS}/brindle/self-assessment.md");
    let line = line_of(&fixture.path(&brindle), "the threat model");

    let everything = check(&fixture, &["--format", "json"]);
    assert!(slugs(&everything).len() > 2, "{}", everything.stdout);

    let json = check(&fixture, &["--changed-since", "HEAD~1", "--format", "json"]);
    assert_eq!(slugs(&json), ["brindle"], "{}", json.stderr);
    assert!(
        json.stderr
            .contains("changed since HEAD~1: 1 file; judging brindle"),
        "{}",
        json.stderr
    );
    // Alderwick's broken link (changed in the earlier commit) is not this change's.
    assert!(!json.stdout.contains("gone.md"), "{}", json.stdout);

    let github = check(&fixture, &["--changed-since", "HEAD~1", "--format", "github"]);
    github.assert_code(1);
    let on_brindle = annotations_on(&github, &format!("site/{brindle}"));
    let at_line = format!("::warning file=site/{brindle},line={line},title=link/broken::");
    assert!(
        on_brindle
            .iter()
            .any(|a| a.starts_with(&at_line) && a.contains("threats.md")),
        "{}",
        github.stdout
    );
    // Brindle's older findings still count, annotated on the file with their line in words.
    let elsewhere: Vec<&&str> = on_brindle.iter().filter(|a| !a.contains(",line=")).collect();
    assert!(
        elsewhere
            .iter()
            .any(|a| a.starts_with("::error ") && a.contains("which is unchanged since HEAD~1")),
        "{}",
        github.stdout
    );
    // Changed lines first: GitHub shows only a step's first annotations of each level.
    assert!(github.stdout.starts_with(&at_line), "{}", github.stdout);
    assert!(!github.stdout.contains("alderwick"), "{}", github.stdout);
    // Without the flag, the same change's findings fail the run everywhere.
    assert!(
        check(&fixture, &["--format", "github"])
            .stdout
            .contains("alderwick")
    );
}

#[test]
fn an_untracked_new_package_is_judged() {
    let fixture = repository();
    fixture.write(
        &format!("{PROJECTS}/quillfeather/self-assessment.md"),
        "# Quillfeather self-assessment\n\nNot much yet.\n",
    );
    let run = check(&fixture, &["--changed-since", "HEAD", "--format", "json"]);
    assert_eq!(slugs(&run), ["quillfeather"], "{}", run.stderr);
    let github = check(&fixture, &["--changed-since", "HEAD", "--format", "github"]);
    let file = format!("site/{PROJECTS}/quillfeather/self-assessment.md");
    // A new file is changed on every line, so each finding sits at its own line.
    let annotations = annotations_on(&github, &file);
    assert!(!annotations.is_empty(), "{}", github.stdout);
    assert!(
        annotations.iter().all(|a| a.contains(",line=")),
        "{annotations:#?}"
    );
}

/// A process page is no package: its own findings are the change's, and no unit is judged.
#[test]
fn a_process_page_brings_its_own_findings_and_no_unit() {
    let fixture = repository();
    let intake = "community/assessments/intake-process.md";
    let path = fixture.path(intake);
    let body = std::fs::read_to_string(&path).expect("the intake page");
    std::fs::write(&path, format!("{body}\nAsk [the desk](help-desk.md).\n")).expect("write");
    let line = line_of(&path, "the desk");
    let json = check(&fixture, &["--changed-since", "HEAD", "--format", "json"]);
    assert!(slugs(&json).is_empty(), "{}", json.stdout);
    let github = check(&fixture, &["--changed-since", "HEAD", "--format", "github"]);
    let expected = format!("::warning file=site/{intake},line={line},title=link/broken::");
    assert!(github.stdout.starts_with(&expected), "{}", github.stdout);
    assert!(!github.stdout.contains("projects/"), "{}", github.stdout);
}

/// Deleting a file breaks the links to it in files the change never touched: those findings
/// are the change's, at the linking file.
#[test]
fn a_deleted_file_brings_in_the_links_it_breaks() {
    let fixture = repository();
    std::fs::remove_file(fixture.project("brindle/self-assessment.md")).expect("remove a file");
    commit_all(fixture.tmp(), "brindle: withdrawn");
    let readme = format!("{PROJECTS}/README.md");
    let line = line_of(&fixture.path(&readme), "brindle/self-assessment.md");
    let run = check(&fixture, &["--changed-since", "HEAD~1", "--format", "github"]);
    let on_readme = annotations_on(&run, &format!("site/{readme}"));
    assert!(
        on_readme.iter().any(|a| a.contains("title=link/broken::")
            && a.contains(&format!("at line {line}, which is unchanged"))),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("alderwick"), "{}", run.stdout);
}

#[test]
fn a_configuration_change_judges_everything() {
    let fixture = repository();
    fixture.write("book.toml", "[site]\ntitle = \"Assessments\"\n");
    let run = check(&fixture, &["--changed-since", "HEAD", "--format", "json"]);
    assert!(slugs(&run).len() > 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("the configuration `book.toml` changed"),
        "{}",
        run.stderr
    );
}

/// `tssa check --root site --changed-since REF` in the fixture's folder with `env`: it could
/// not run (exit 2) and says `why`.
fn assert_refused(fixture: &Fixture, reference: &str, env: &[(&str, &str)], why: &str) {
    let since = format!("--changed-since={reference}");
    let run = tssa_with_env(fixture.tmp(), &["check", "--root", "site", &since], env);
    run.assert_code(2);
    assert!(run.stderr.contains(why), "{}", run.stderr);
}

#[test]
fn bad_references_and_places_are_refused_plainly() {
    let fixture = repository();
    let why = "git knows no commit `no-such-branch`";
    assert_refused(&fixture, "no-such-branch", &ISOLATED, why);
    let why = "cannot be empty or start with `-`";
    assert_refused(&fixture, "--output=x", &ISOLATED, why);
    assert!(!fixture.tmp().join("x").exists());
    assert_refused(
        &fixture,
        "HEAD",
        &[("PATH", "/nonexistent")],
        "needs the `git` program",
    );
}

#[test]
fn outside_a_repository_is_an_error_not_a_verdict() {
    let fixture = Fixture::new("good");
    // git must not find a repository above the temporary folder either.
    let parent = fixture
        .tmp()
        .parent()
        .expect("a parent")
        .to_string_lossy()
        .into_owned();
    let env = [
        ("GIT_CEILING_DIRECTORIES", parent.as_str()),
        ISOLATED[0],
        ISOLATED[1],
    ];
    assert_refused(&fixture, "HEAD", &env, "is not inside a git repository");
}

/// The real repository, committed, then one nested package edited and another deleted: the
/// edited one alone is judged (not its parent folder's packages), and nothing panics.
#[test]
fn on_the_corpus_a_nested_package_edit_judges_that_package_alone() {
    let Some(corpus) = corpus() else { return };
    let fixture = Fixture::copy_of(&[(corpus.as_path(), "")]);
    git(fixture.tmp(), &["init", "-q"]);
    commit_all(fixture.tmp(), "the corpus");
    append(
        &fixture,
        "fluentd/fluent-bit/README.md",
        "\nA test line with [a missing page](nowhere.md).\n",
    );
    let file = format!("{PROJECTS}/fluentd/fluent-bit/README.md");
    let line = line_of(&fixture.path(&file), "A test line with");

    let json = check(&fixture, &["--changed-since", "HEAD", "--format", "json"]);
    let report = json_report(&json);
    let dirs: Vec<&str> = report["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| u["dir"].as_str().expect("a dir"))
        .collect();
    assert_eq!(
        dirs,
        [format!("{PROJECTS}/fluentd/fluent-bit")],
        "{}",
        json.stderr
    );

    let github = check(&fixture, &["--changed-since", "HEAD", "--format", "github"]);
    github.assert_finished();
    let at_line = format!("file=site/{file},line={line},title=link/broken::");
    assert!(github.stdout.contains(&at_line), "{}", github.stdout);

    std::fs::remove_dir_all(fixture.project("harbor")).expect("remove a package");
    let gone = check(&fixture, &["--changed-since", "HEAD", "--format", "json"]);
    assert!(matches!(gone.code, Some(0 | 1)), "{}", gone.stderr);
    assert!(!gone.stdout.contains("\"slug\": \"harbor\""), "{}", gone.stdout);
}
