//! Bad input: BOM and CRLF, invalid UTF-8, empty and binary files, a 60,000-line document,
//! 5,000 levels of nesting, unreadable files. None stops the others; none panics.

use crate::common::{Fixture, PROJECTS, Run, text_of};

fn odd_files() -> (Fixture, Run) {
    let fx = Fixture::new("odd-files");
    let run = fx.build();
    run.assert_built();
    (fx, run)
}

#[test]
fn bom_and_crlf_keep_front_matter_title_and_line_numbers() {
    let (fx, run) = odd_files();
    let site = fx.site();
    let row = text_of(&site.home_row("nightjar"));
    assert!(
        row.contains("Nightjar") && row.contains("v7.2.0"),
        "front matter after a BOM is read: {row}"
    );
    let html = site.page("projects/nightjar/README.html");
    assert!(
        html.contains("<title>Nightjar security assessment"),
        "title after BOM and front matter"
    );
    assert!(!html.contains('\u{feff}'), "no BOM in the page");
    assert!(!html.contains('\r'), "CR LF normalised");
    assert!(
        !text_of(&html).contains("version_covered"),
        "front matter is not body text"
    );
    assert!(
        html.contains("id=\"scope\""),
        "headings after CRLF lines get their ids"
    );
    run.expect_diag("link/broken", &format!("{PROJECTS}/nightjar/README.md"), Some(8));
}

#[test]
fn invalid_utf8_is_a_warning_at_its_line_and_the_page_is_shown() {
    let (fx, run) = odd_files();
    let d = run.expect_diag(
        "input/encoding",
        &format!("{PROJECTS}/nightjar/self-assessment.md"),
        Some(4),
    );
    assert_eq!(d.level, "warning");
    let text = text_of(&fx.site().page("projects/nightjar/self-assessment.html"));
    assert!(
        text.contains("Plain line.") && text.contains("The last line is fine."),
        "{text}"
    );
    assert!(
        text.contains('\u{fffd}'),
        "invalid bytes are shown as U+FFFD: {text}"
    );
}

#[test]
fn empty_file_gets_a_page_titled_from_its_name() {
    let (fx, _) = odd_files();
    let html = fx.site().page("projects/nightjar/threat-model.html");
    assert!(html.contains("<title>Threat model"), "title from the file name");
    let status = fx.site().page("projects/nightjar/index.html");
    assert!(
        status.contains("threat-model.html"),
        "the status page lists the empty document"
    );
}

#[test]
fn binary_file_named_md_is_reported_and_does_not_stop_the_others() {
    let (fx, run) = odd_files();
    run.expect_diag("input/binary", &format!("{PROJECTS}/nightjar/notes.md"), None);
    run.assert_code(0);
    let site = fx.site();
    site.assert_exists("projects/owlet/self-assessment.html");
    for (path, bytes) in site.files() {
        if path.ends_with(".html") {
            assert!(!bytes.contains(&0), "{path} contains a NUL byte");
        }
    }
    site.assert_links_resolve("/");
    site.assert_no_active_content();
}

// ---------------------------------------------------------------------------------------------
// Generated inputs: too big to commit.

fn generated(file: &str, text: &str) -> (Fixture, Run) {
    let fx = Fixture::new("generated");
    fx.write(&format!("{PROJECTS}/ptarmigan/{file}"), text);
    let run = fx.build();
    run.assert_built();
    (fx, run)
}

#[test]
fn sixty_thousand_line_document_builds_with_exact_line_numbers() {
    const LINES: usize = 60_000;
    let mut text = String::from("# A very long read\n");
    let mut line = 1;
    while line < LINES - 2 {
        line += 1;
        let part = line / 500;
        if line % 500 == 0 {
            text.push_str(&format!("## Part {part}\n"));
        } else if line % 500 == 250 {
            text.push_str(&format!(
                "Back to [part {}](#part-{}) or on.\n",
                part.max(1),
                part.max(1)
            ));
        } else if line % 2 == 0 {
            text.push('\n');
        } else {
            text.push_str(&format!(
                "Line {line} of the long read says little, on purpose.\n"
            ));
        }
    }
    text.push_str("\nThe end, with a link to a [page that is gone](gone-for-good.md).\n");
    assert_eq!(text.lines().count(), LINES);
    let (fx, run) = generated("long-read.md", &text);
    run.expect_diag(
        "link/broken",
        &format!("{PROJECTS}/ptarmigan/long-read.md"),
        Some(LINES),
    );
    let html = fx.site().page("projects/ptarmigan/long-read.html");
    assert!(
        html.contains("id=\"part-119\""),
        "headings deep in the file get ids"
    );
    assert!(
        text_of(&html).contains("The end, with a link to a page that is gone"),
        "the last line is rendered"
    );
    fx.site().assert_links_resolve("/");
}

fn nested(marker: &str, prefix: &str, levels: usize) -> String {
    format!(
        "# Deep nesting\n\n{}{marker}\n\nAfter the nesting.\n",
        prefix.repeat(levels)
    )
}

fn assert_deep_page(fx: &Fixture, marker: &str) {
    let html = fx.site().page("projects/ptarmigan/deep.html");
    let text = text_of(&html);
    assert!(text.contains(marker), "the innermost text is shown");
    assert!(
        text.contains("After the nesting."),
        "the document goes on after the nesting"
    );
    fx.site().assert_exists("projects/ptarmigan/README.html");
}

#[test]
fn five_thousand_nested_block_quotes_do_not_crash() {
    let (fx, _) = generated("deep.md", &nested("PTARMIGAN-QUOTE", "> ", 5_000));
    assert_deep_page(&fx, "PTARMIGAN-QUOTE");
}

#[test]
fn five_thousand_nested_lists_do_not_crash() {
    let (fx, _) = generated("deep.md", &nested("PTARMIGAN-LIST", "- ", 5_000));
    assert_deep_page(&fx, "PTARMIGAN-LIST");
}

#[test]
fn five_thousand_levels_of_mixed_quotes_lists_and_html_do_not_crash() {
    let mut text = nested("PTARMIGAN-MIXED", "> 1. ", 2_500);
    text.push_str(&format!(
        "\n<div>{}PTARMIGAN-DIV{}</div>\n",
        "<div>".repeat(5_000),
        "</div>".repeat(5_000)
    ));
    let (fx, _) = generated("deep.md", &text);
    assert_deep_page(&fx, "PTARMIGAN-MIXED");
    assert!(text_of(&fx.site().page("projects/ptarmigan/deep.html")).contains("PTARMIGAN-DIV"));
}

// ---------------------------------------------------------------------------------------------
// Unreadable files. Root reads anything whatever its mode, so as root the build runs as
// `nobody` through `setpriv`; where that is impossible the assertions are skipped with a note.

/// Makes `path` unreadable, builds, restores `mode`. `None`: this environment cannot test it.
#[cfg(unix)]
fn build_with_unreadable(fx: &Fixture, path: &std::path::Path, mode: u32) -> Option<Run> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).expect("chmod 000");
    let blocked = if path.is_dir() {
        std::fs::read_dir(path).is_err()
    } else {
        std::fs::read(path).is_err()
    };
    let run = if blocked {
        Some(fx.build())
    } else {
        fx.build_as_nobody()
    };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("restore the mode");
    if run.is_none() {
        println!("note: running as root and cannot drop privileges; skipping the unreadable-file assertions");
    }
    run
}

#[cfg(unix)]
#[test]
fn unreadable_document_is_reported_and_the_rest_builds() {
    let fx = Fixture::new("good");
    let Some(run) = build_with_unreadable(&fx, &fx.project("alderwick/joint-assessment.md"), 0o644) else {
        return;
    };
    run.assert_code(0);
    run.expect_diag(
        "input/unreadable",
        &format!("{PROJECTS}/alderwick/joint-assessment.md"),
        None,
    );
    let site = fx.site();
    site.assert_exists("projects/alderwick/README.html");
    site.assert_exists("projects/brindle/self-assessment.html");
}

#[cfg(unix)]
#[test]
fn unreadable_asset_is_reported_and_does_not_stop_the_build() {
    let fx = Fixture::new("good");
    let Some(run) = build_with_unreadable(&fx, &fx.project("alderwick/docs/flow diagram.png"), 0o644) else {
        return;
    };
    run.assert_built();
    run.expect_diag_where("a diagnostic naming the unreadable image", |d| {
        d.file.as_deref().is_some_and(|f| f.ends_with("flow diagram.png"))
            || d.message.contains("flow diagram.png")
    });
    let site = fx.site();
    site.assert_exists("projects/alderwick/self-assessment.html");
    site.assert_exists("projects/alderwick/alderwick-slides.pdf");
}

#[cfg(unix)]
#[test]
fn unreadable_folder_is_reported_and_the_rest_builds() {
    let fx = Fixture::new("good");
    let Some(run) = build_with_unreadable(&fx, &fx.project("brindle"), 0o755) else {
        return;
    };
    run.assert_built();
    run.expect_diag_where("discover/unreadable naming the brindle folder", |d| {
        d.code == "discover/unreadable" && d.file.as_deref().is_some_and(|f| f.contains("brindle"))
    });
    fx.site().assert_exists("projects/alderwick/README.html");
}

/// A folder the walk leaves out (a hidden one here) is never read. The listing once went
/// through walkdir, which opens and reads every folder it names, even at its depth limit:
/// a hidden folder of 200,000 files cost a check 0.19 s and 38 MB. Reading a folder's
/// entries moves its access time, so a folder the build did not read keeps the old one.
#[cfg(unix)]
#[test]
fn a_folder_the_walk_leaves_out_is_not_read() {
    let fx = Fixture::new("good");
    let long_ago = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(946_684_800);
    let age = |dir: &std::path::Path| {
        std::fs::create_dir_all(dir.join("drafts")).expect("make the folder");
        let times = std::fs::FileTimes::new().set_accessed(long_ago);
        let folder = std::fs::File::open(dir).expect("open the folder");
        folder.set_times(times).expect("set its access time");
    };
    let read_since = |dir: &std::path::Path| {
        std::fs::metadata(dir)
            .and_then(|m| m.accessed())
            .expect("access time")
            > long_ago
    };
    // A folder this test reads itself shows whether this file system keeps access times.
    let control = fx.tmp().join("control");
    age(&control);
    let _ = std::fs::read_dir(&control).expect("list the control").count();
    if !read_since(&control) {
        println!("note: this file system does not record access times; skipping");
        return;
    }
    let hidden = fx.project("brindle/.scratch");
    age(&hidden);
    fx.build().assert_built();
    assert!(
        !read_since(&hidden),
        "the build read the hidden folder it leaves out"
    );
    fx.site().assert_exists("projects/brindle/self-assessment.html");
}

/// A named pipe cannot come from git, but a local checkout can hold one; reading it blocks
/// until something writes, so a build that opens it hangs.
#[cfg(unix)]
#[test]
fn named_pipe_named_md_does_not_hang_the_build() {
    let fx = Fixture::new("good");
    let pipe = fx.project("brindle/pipe.md");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        println!("note: mkfifo is not available; skipping");
        return;
    }
    let run = fx.build_within(std::time::Duration::from_secs(10));
    run.assert_built();
    fx.site().assert_exists("projects/brindle/self-assessment.html");
}
