//! Symbolic links never lead outside the root, and a loop never hangs the build.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::symlink;

use crate::common::{Fixture, PROJECTS, Run};

const SECRET: &str = "QUAIL-OUTSIDE-SECRET-51f3";

/// The `symlinks` fixture with links made in the copy, and content outside the root that
/// must never reach the site.
fn linked() -> (Fixture, Run) {
    let fx = Fixture::new("symlinks");
    let outside = fx.tmp().join("outside");
    fs::create_dir_all(outside.join("folder")).expect("mkdir outside");
    fs::write(outside.join("secret.md"), format!("# Secret\n\n{SECRET}\n")).expect("write");
    fs::write(outside.join("outside.png"), SECRET).expect("write");
    fs::write(
        outside.join("folder/self-assessment.md"),
        format!("# Wren\n\n{SECRET}\n"),
    )
    .expect("write");
    let quail = fx.project("quail");
    symlink(outside.join("secret.md"), quail.join("secret.md")).expect("symlink");
    symlink(outside.join("outside.png"), quail.join("outside.png")).expect("symlink");
    symlink("loop-b.md", quail.join("loop-a.md")).expect("symlink");
    symlink("loop-a.md", quail.join("loop-b.md")).expect("symlink");
    symlink(outside.join("folder"), quail.join("elsewhere")).expect("symlink");
    symlink(".", quail.join("again")).expect("symlink");
    symlink(outside.join("folder"), fx.project("wren")).expect("symlink");
    let run = fx.build();
    run.assert_built();
    (fx, run)
}

#[test]
fn nothing_from_outside_the_root_reaches_the_site() {
    let (fx, _) = linked();
    for (path, bytes) in fx.site().files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(SECRET),
            "{path} contains content from outside the root"
        );
        assert!(
            !path.contains("outside.png") && !path.contains("secret"),
            "{path} was published"
        );
    }
}

#[test]
fn symlink_to_a_file_outside_the_root_is_reported() {
    let (_, run) = linked();
    run.expect_diag(
        "discover/symlink-outside-root",
        &format!("{PROJECTS}/quail/secret.md"),
        None,
    );
    run.expect_diag(
        "discover/symlink-outside-root",
        &format!("{PROJECTS}/quail/outside.png"),
        None,
    );
}

#[test]
fn symlink_loop_does_not_hang_and_is_reported() {
    let (fx, run) = linked();
    run.expect_diag_where("a diagnostic about the loop-a.md link", |d| {
        d.code.starts_with("discover/") && d.file.as_deref() == Some(&format!("{PROJECTS}/quail/loop-a.md"))
    });
    fx.site().assert_exists("projects/quail/README.html");
    fx.site().assert_exists("projects/rail/self-assessment.html");
}

#[test]
fn symlinked_folder_outside_the_root_is_not_a_unit() {
    let (fx, _) = linked();
    let units = fx.site().home_units();
    assert_eq!(
        units,
        ["quail", "rail"],
        "a linked folder outside the root is no project"
    );
}

#[test]
fn links_to_skipped_or_outside_files_render_as_broken_not_dead() {
    let (fx, run) = linked();
    let readme = format!("{PROJECTS}/quail/README.md");
    run.expect_diag("link/broken", &readme, Some(7));
    run.expect_diag("link/broken", &readme, Some(10));
    fx.site().assert_links_resolve("/");
    fx.site().assert_no_active_content();
}

#[test]
fn check_survives_the_same_links() {
    let (fx, _) = linked();
    let run = fx.check(&[]);
    run.assert_finished();
}
