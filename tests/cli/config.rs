//! Problems that stop tssa from running at all exit 2 with a message naming the cause, and
//! write nothing.

use std::ffi::OsStr;

use crate::common::{Fixture, tssa};

#[test]
fn unknown_book_toml_key_exits_2_naming_key_and_line() {
    let fx = Fixture::new("bad-config");
    let run = fx.build();
    run.assert_code(2);
    assert!(run.stderr.contains("colour"), "names the key: {}", run.stderr);
    assert!(
        run.stderr.contains("book.toml:3"),
        "names file and line: {}",
        run.stderr
    );
    assert!(!fx.out.exists(), "nothing is written");
}

#[test]
fn unknown_book_toml_key_also_stops_check() {
    let fx = Fixture::new("bad-config");
    let run = fx.check(&[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("colour") && run.stderr.contains("book.toml:3"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_root_folder_exits_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("no-such-repository");
    let out = tmp.path().join("out");
    let run = tssa(
        tmp.path(),
        &[
            OsStr::new("build"),
            OsStr::new("--root"),
            missing.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
    );
    run.assert_code(2);
    assert!(
        run.stderr.contains("no-such-repository"),
        "names the folder: {}",
        run.stderr
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn root_without_a_projects_folder_exits_2() {
    let fx = Fixture::new("no-projects");
    let run = fx.build();
    run.assert_code(2);
    assert!(
        run.stderr.contains("projects"),
        "says what is missing: {}",
        run.stderr
    );
    assert!(!fx.out.exists(), "nothing is written");
}

#[test]
fn output_folder_not_made_by_tssa_is_not_replaced() {
    let fx = Fixture::new("good");
    std::fs::create_dir_all(&fx.out).expect("mkdir out");
    std::fs::write(fx.out.join("precious.txt"), "keep me").expect("write");
    let run = fx.build();
    run.assert_code(2);
    assert_eq!(
        std::fs::read_to_string(fx.out.join("precious.txt"))
            .ok()
            .as_deref(),
        Some("keep me")
    );
    assert!(!fx.out.join("index.html").exists());
}

#[test]
fn help_and_version_work() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = tssa(tmp.path(), &["build", "--help"]);
    run.assert_code(0);
    for flag in ["--root", "--out", "--config", "--base-url"] {
        assert!(run.stdout.contains(flag), "build --help lists {flag}");
    }
    let run = tssa(tmp.path(), &["--version"]);
    run.assert_code(0);
    assert!(run.stdout.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_flag_exits_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = tssa(tmp.path(), &["build", "--no-such-flag"]);
    run.assert_code(2);
}

#[test]
fn io_errors_name_the_path_and_give_the_cause_once() {
    let fx = Fixture::new("good");
    let blocker = fx.tmp().join("a-file");
    std::fs::write(&blocker, "not a folder").expect("write");
    let out = blocker.join("out");
    let run = fx.build_into(&out, &[]);
    run.assert_code(2);
    assert!(run.stderr.contains("a-file"), "names the path: {}", run.stderr);
    let error_line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or_default()
        .to_owned();
    let cause = error_line.rsplit(": ").next().unwrap_or_default().to_owned();
    assert!(!cause.is_empty(), "{error_line}");
    assert_eq!(
        error_line.matches(cause.as_str()).count(),
        1,
        "the cause is printed once: {error_line}"
    );
}

// ---------------------------------------------------------------------------------------------
// [check.levels]: every key must be a registered code and every value a level, because a
// typo that is silently ignored leaves a rule at the level the user meant to change.

/// The `front-matter` fixture with a `book.toml` holding `levels` (a `[check.levels]` body).
fn with_levels(levels: &str) -> Fixture {
    let fx = Fixture::new("front-matter");
    fx.write(
        "book.toml",
        format!("[site]\ntitle = \"Levels\"\n\n[check.levels]\n{levels}"),
    );
    fx
}

#[test]
fn misspelt_levels_key_exits_2_naming_key_line_and_nearest_code() {
    let fx = with_levels("\"coi/escalated\" = \"info\"\n\"link/brokn\" = \"error\"\n");
    let run = fx.check(&[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("`link/brokn`"),
        "names the key: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("book.toml:6"),
        "names file and line: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `link/broken`?"),
        "suggests the code: {}",
        run.stderr
    );
    let build = fx.build();
    build.assert_code(2);
    assert!(!fx.out.exists(), "nothing is written");
}

#[test]
fn unknown_levels_key_far_from_any_code_exits_2_without_a_guess() {
    let run = with_levels("\"frontmatter\" = \"off\"\n").check(&[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("`frontmatter`") && run.stderr.contains("book.toml:5"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
}

#[test]
fn bad_level_word_exits_2_naming_key_and_line() {
    let run = with_levels("\"link/broken\" = \"fatal\"\n").check(&[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("link/broken")
            && run.stderr.contains("fatal")
            && run.stderr.contains("book.toml:5"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("error, warning, info or off"),
        "{}",
        run.stderr
    );
}

#[test]
fn codes_outside_the_checker_can_be_turned_off_and_relevelled() {
    let plain = Fixture::new("front-matter").check(&[]);
    plain.assert_code(1);
    assert!(
        !plain.with_code("front-matter/syntax").is_empty(),
        "the fixture has a syntax error"
    );
    assert!(!plain.with_code("front-matter/unknown-key").is_empty());

    let run = with_levels("\"front-matter/syntax\" = \"off\"\n\"front-matter/unknown-key\" = \"info\"\n")
        .check(&[]);
    run.assert_finished();
    assert!(
        run.with_code("front-matter/syntax").is_empty(),
        "silenced: {}",
        run.stderr
    );
    let relevelled = run.with_code("front-matter/unknown-key");
    assert!(
        !relevelled.is_empty() && relevelled.iter().all(|d| d.level == "info"),
        "re-levelled: {}",
        run.stderr
    );
    // The other front matter findings keep their level.
    assert!(
        run.with_code("front-matter/type")
            .iter()
            .all(|d| d.level == "error")
    );
}

#[test]
fn explain_names_a_codes_level_stage_and_meaning() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let one = tssa(dir.path(), &["explain", "link/broken"]);
    one.assert_code(0);
    assert!(
        one.stdout.starts_with("link/broken  (warning, analyse stage)\n"),
        "{}",
        one.stdout
    );
    assert!(one.stdout.contains("does not exist"), "{}", one.stdout);

    let typo = tssa(dir.path(), &["explain", "link/brokn"]);
    typo.assert_code(2);
    assert!(
        typo.stderr.contains("did you mean `link/broken`?"),
        "{}",
        typo.stderr
    );

    let all = tssa(dir.path(), &["explain"]);
    all.assert_code(0);
    for code in [
        "package/missing-self-assessment",
        "front-matter/syntax",
        "link/broken",
        "git/unavailable",
    ] {
        assert!(all.stdout.contains(&format!("{code}  (")), "`{code}` listed");
    }
}
