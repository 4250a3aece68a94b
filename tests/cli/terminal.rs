//! What a user sees at a terminal: completions and the man page generated from the clap
//! definitions, `-q`/`-v` levels, colour only where it belongs, and the progress line. The
//! terminal cases run the binary under a pseudo-terminal from util-linux's `script`; where
//! it is missing they say so and pass.

use std::path::Path;
use std::process::Command;

use crate::common::{Fixture, tssa, tssa_with_env};

/// An ANSI escape: any colour at all.
const ESC: &str = "\x1b[";
const YELLOW_WARNING: &str = "\x1b[1;33mwarning\x1b[0m";

/// The subcommands `tssa help` lists (without `help` itself), so a command added later is
/// held to the same tests without editing them.
fn subcommands(cwd: &Path) -> Vec<String> {
    let run = tssa(cwd, &["help"]);
    run.assert_code(0);
    let listed = run
        .stdout
        .split("Commands:")
        .nth(1)
        .expect("`tssa help` lists commands");
    let names: Vec<String> = listed
        .lines()
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    assert!(names.len() >= 7, "{names:?}");
    names
}

#[test]
fn bash_completion_offers_every_subcommand_and_flag() {
    let fixture = Fixture::new("good");
    let run = tssa(&fixture.root, &["completions", "bash"]);
    run.assert_code(0);
    for name in subcommands(&fixture.root) {
        assert!(
            run.stdout.contains(&format!("tssa__subcmd__{name}")),
            "no completion for `{name}`"
        );
    }
    for flag in [
        "--format",
        "--project",
        "--deny",
        "--quiet",
        "--verbose",
        "--color",
        "--root",
    ] {
        assert!(run.stdout.contains(flag), "no completion for {flag}");
    }
    // The values of an enum flag are offered too.
    assert!(run.stdout.contains("human json github"), "--format values");
}

#[test]
fn every_shell_gets_a_script() {
    let fixture = Fixture::new("good");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = tssa(&fixture.root, &["completions", shell]);
        run.assert_code(0);
        assert!(
            run.stdout.contains("check") && run.stdout.contains("base-url"),
            "{shell}"
        );
    }
    let run = tssa(&fixture.root, &["completions", "tcsh"]);
    run.assert_code(2);
    assert!(run.stderr.contains("possible values"), "{}", run.stderr);
}

#[test]
fn man_page_names_and_lists_every_subcommand() {
    let fixture = Fixture::new("good");
    let run = tssa(&fixture.root, &["man"]);
    run.assert_code(0);
    assert!(
        run.stdout.starts_with(".ie") || run.stdout.contains(".TH tssa 1"),
        "roff"
    );
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
        ".SH VERSION",
    ] {
        assert!(run.stdout.contains(section), "no {section}");
    }
    for name in subcommands(&fixture.root) {
        assert!(
            run.stdout.contains(&format!("tssa\\-{name}(1)")),
            "no `{name}` in the man page"
        );
    }
}

#[test]
fn man_out_writes_one_page_per_command_that_man_renders() {
    let fixture = Fixture::new("good");
    let dir = fixture.tmp().join("man/man1");
    let run = tssa(
        &fixture.root,
        &["man", "--out", dir.to_str().expect("utf-8 path")],
    );
    run.assert_code(0);
    let mut pages = vec!["tssa.1".to_owned()];
    pages.extend(
        subcommands(&fixture.root)
            .iter()
            .map(|name| format!("tssa-{name}.1")),
    );
    for page in &pages {
        assert!(dir.join(page).is_file(), "no {page}");
    }
    let check = std::fs::read_to_string(dir.join("tssa-check.1")).expect("read the page");
    assert!(check.contains("\\-\\-format"), "check's page documents its flags");

    let rendered = Command::new("man")
        .arg("-l")
        .arg(dir.join("tssa-check.1"))
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output();
    let Ok(rendered) = rendered else {
        println!("skipped: rendering with man (no `man` on PATH)");
        return;
    };
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        text.contains("NAME") && text.contains("SYNOPSIS") && text.contains("--format"),
        "{text}"
    );
}

#[test]
fn quiet_build_prints_errors_and_the_summary_only() {
    let fixture = Fixture::new("links");
    let loud = fixture.build();
    loud.assert_built();
    assert!(
        loud.stderr.contains("\nwarning[") && loud.stderr.contains("\ninfo["),
        "{}",
        loud.stderr
    );
    // The flag is global: before or after the command, long or short.
    let out = fixture.out.to_str().expect("utf-8 path");
    for flags in [
        &["build", "--quiet"][..],
        &["build", "-q"],
        &["-q", "build"],
        &["--quiet", "build"],
    ] {
        let mut args = flags.to_vec();
        args.extend(["--out", out]);
        let run = tssa(&fixture.root, &args);
        run.assert_built();
        assert!(
            !run.stderr.contains("warning[") && !run.stderr.contains("info["),
            "{flags:?}: {}",
            run.stderr
        );
        assert_eq!(
            run.stderr.matches("error[").count(),
            loud.stderr.matches("error[").count()
        );
        assert!(
            run.stderr.lines().last().is_some_and(|l| l.starts_with("built ")),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn verbose_levels_add_timings_then_paths() {
    let fixture = Fixture::new("links");
    let root = fixture.root.to_str().expect("utf-8 path");
    let normal = fixture.build();
    assert!(!normal.stderr.contains("timings:") && !normal.stderr.contains("\nroot: "));
    let verbose = fixture.build_with(&["-v"]);
    verbose.assert_built();
    assert!(
        verbose.stderr.contains("\ntimings: ") && verbose.stderr.contains(" ms reading"),
        "{}",
        verbose.stderr
    );
    assert!(!verbose.stderr.contains("root: "), "{}", verbose.stderr);
    let debug = fixture.build_with(&["-vv"]);
    assert!(
        debug.stderr.starts_with(&format!("root: {root}\n")),
        "{}",
        debug.stderr
    );
    assert!(
        debug.stderr.contains("\noutput: ") && debug.stderr.contains("\ntimings: "),
        "{}",
        debug.stderr
    );

    let check = tssa(&fixture.root, &["check", "-v"]);
    check.assert_code(1);
    assert!(
        check.stderr.contains("checked 1 project units in "),
        "{}",
        check.stderr
    );

    let both = tssa(&fixture.root, &["-q", "-v", "check"]);
    both.assert_code(2);
    assert!(both.stderr.contains("cannot be used with"), "{}", both.stderr);
}

#[test]
fn quiet_check_keeps_errors_and_the_table() {
    let fixture = Fixture::new("links");
    let loud = tssa(&fixture.root, &["check"]);
    let quiet = tssa(&fixture.root, &["check", "-q"]);
    loud.assert_code(1);
    quiet.assert_code(1);
    assert!(loud.stdout.contains("warning["), "{}", loud.stdout);
    assert!(
        !quiet.stdout.contains("warning[") && !quiet.stdout.contains("info["),
        "{}",
        quiet.stdout
    );
    assert_eq!(
        quiet.stdout.matches("error[").count(),
        loud.stdout.matches("error[").count()
    );
    let table = |text: &str| text[text.find("package").expect("the table")..].to_owned();
    assert_eq!(
        table(&quiet.stdout),
        table(&loud.stdout),
        "the table counts every finding"
    );
    // Machine formats are the report itself: -q leaves them whole.
    let json = tssa(&fixture.root, &["check", "-q", "--format", "json"]);
    assert_eq!(
        json.stdout,
        tssa(&fixture.root, &["check", "--format", "json"]).stdout
    );
}

#[test]
fn quiet_new_says_only_what_it_created() {
    let fixture = Fixture::new("good");
    let run = tssa(&fixture.root, &["new", "-q", "quiet-one"]);
    run.assert_code(0);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.starts_with("created "), "{}", run.stdout);
}

#[test]
fn colour_off_a_terminal_only_when_asked() {
    let fixture = Fixture::new("links");
    // The helpers set NO_COLOR; `--color always` is the user's word and wins over it.
    let plain = fixture.build();
    assert!(!plain.stderr.contains(ESC), "{}", plain.stderr);
    let forced = fixture.build_with(&["--color", "always"]);
    assert!(forced.stderr.contains(YELLOW_WARNING), "{}", forced.stderr);
    let check = tssa(&fixture.root, &["check", "--color=always"]);
    assert!(check.stdout.contains(YELLOW_WARNING), "{}", check.stdout);
    // CLICOLOR_FORCE colours a pipe, unless NO_COLOR says otherwise.
    let run = |env: &[(&str, &str)]| {
        let mut cmd = assert_cmd::Command::cargo_bin("tssa").expect("the tssa binary");
        cmd.current_dir(&fixture.root)
            .args(["check"])
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        cmd.envs(env.iter().copied());
        String::from_utf8_lossy(&cmd.output().expect("run tssa").stdout).into_owned()
    };
    assert!(!run(&[]).contains(ESC));
    assert!(run(&[("CLICOLOR_FORCE", "1")]).contains(YELLOW_WARNING));
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains(ESC));
    assert!(!run(&[("CLICOLOR_FORCE", "0")]).contains(ESC));
}

#[test]
fn no_progress_line_off_a_terminal() {
    let fixture = Fixture::new("links");
    let run = tssa_with_env(&fixture.root, &["build"], &[("TSSA_PROGRESS_DELAY_MS", "0")]);
    run.assert_built();
    assert!(
        !run.stderr.contains("building:") && !run.stderr.contains('\r'),
        "{}",
        run.stderr
    );
}

/// Runs `tssa ARGS` in the fixture under a pseudo-terminal; what the terminal showed, or
/// `None` (after saying so) when util-linux's `script` is not there.
fn on_a_terminal(fixture: &Fixture, args: &[&str], env: &[(&str, &str)]) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("tssa");
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut line = quote(bin.to_str().expect("utf-8 path"));
    for arg in args {
        line.push(' ');
        line.push_str(&quote(arg));
    }
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .current_dir(&fixture.root)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CI")
        .env("TSSA_CACHE_DIR", fixture.tmp().join("cache"))
        .env("TERM", "xterm")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null());
    let Ok(output) = cmd.output() else {
        println!("skipped: terminal behaviour (util-linux `script` is not installed)");
        return None;
    };
    assert!(output.status.code().is_some_and(|c| c <= 1), "{output:?}");
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn on_a_terminal_a_slow_build_draws_progress_then_wipes_it() {
    let fixture = Fixture::new("links");
    let out = fixture.tmp().join("pty-out");
    let args = ["build", "--out", out.to_str().expect("utf-8 path")];
    let Some(shown) = on_a_terminal(&fixture, &args, &[("TSSA_PROGRESS_DELAY_MS", "0")]) else {
        return;
    };
    assert!(shown.contains("\rbuilding: "), "{shown:?}");
    // Wiped with spaces (at least as many as "building: 0 files written") between carriage
    // returns, before the first finding is printed.
    let wipe = format!("\r{}\r", " ".repeat("building: 0 files written".len()));
    let wiped = shown.find(&wipe).or_else(|| {
        let start = shown.find(&format!("\r{}", " ".repeat(25)))?;
        shown[start + 1..]
            .trim_start_matches(' ')
            .starts_with('\r')
            .then_some(start)
    });
    let wiped = wiped.expect("the line is wiped");
    let first_finding = shown.find(ESC).expect("coloured findings on a terminal");
    assert!(wiped < first_finding, "{shown:?}");
    assert!(shown.contains(YELLOW_WARNING), "{shown:?}");
}

#[test]
fn on_a_terminal_a_build_shorter_than_the_delay_shows_no_progress() {
    let fixture = Fixture::new("links");
    // A delay no loaded machine's build of this fixture reaches: the line must wait for it.
    let Some(shown) = on_a_terminal(&fixture, &["build"], &[("TSSA_PROGRESS_DELAY_MS", "60000")]) else {
        return;
    };
    assert!(shown.contains("built "), "{shown:?}");
    assert!(
        !shown.contains("building:"),
        "a build shorter than the delay drew a line: {shown:?}"
    );
}

#[test]
fn on_a_terminal_quiet_ci_and_no_color_are_honoured() {
    let fixture = Fixture::new("links");
    let now = [("TSSA_PROGRESS_DELAY_MS", "0")];
    let Some(quiet) = on_a_terminal(&fixture, &["-q", "build"], &now) else {
        return;
    };
    assert!(!quiet.contains("building:"), "{quiet:?}");
    let in_ci = on_a_terminal(&fixture, &["build"], &[now[0], ("CI", "true")]).expect("script ran before");
    assert!(!in_ci.contains("building:"), "{in_ci:?}");
    let no_color =
        on_a_terminal(&fixture, &["build"], &[now[0], ("NO_COLOR", "1")]).expect("script ran before");
    assert!(
        !no_color.contains(ESC) && no_color.contains("building:"),
        "{no_color:?}"
    );
    let never = on_a_terminal(&fixture, &["check", "--color", "never"], &[]).expect("script ran before");
    assert!(!never.contains(ESC) && never.contains("warning["), "{never:?}");
    let check = on_a_terminal(&fixture, &["check"], &[]).expect("script ran before");
    assert!(check.contains(YELLOW_WARNING), "{check:?}");
}
