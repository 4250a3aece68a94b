//! What `cargo package` ships: the code and everything it compiles in, and nothing that is
//! only for working on tssa (fixtures, the sample site, benches, node packages, fuzz corpora).

use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::common::{files_under, repo_dir};

/// `cargo package --list`, or `None` (after saying so) when cargo cannot be run.
fn packaged() -> Option<Vec<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["package", "--list", "--allow-dirty", "--offline", "--quiet"])
        .current_dir(repo_dir())
        .output();
    let Ok(output) = output else {
        println!("skipped: cargo package --list (cargo could not be run)");
        return None;
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

/// Every path named by `include_str!("…")` or `include_bytes!("…")` in a source file,
/// relative to the repository.
fn included(source: &Path, text: &str) -> Vec<PathBuf> {
    let dir = source.parent().expect("a file has a folder");
    let mut found = Vec::new();
    for mac in ["include_str!(\"", "include_bytes!(\""] {
        for (at, _) in text.match_indices(mac) {
            let rest = &text[at + mac.len()..];
            let name = &rest[..rest.find('"').expect("a closed string")];
            let mut path = PathBuf::new();
            for part in dir
                .join(name)
                .strip_prefix(repo_dir())
                .expect("under the repo")
                .components()
            {
                match part {
                    Component::ParentDir => {
                        path.pop();
                    }
                    Component::Normal(part) => path.push(part),
                    _ => {}
                }
            }
            found.push(path);
        }
    }
    found
}

#[test]
fn package_ships_the_code_and_what_it_compiles_in_only() {
    let Some(listed) = packaged() else {
        return;
    };
    let shipped = |path: &str| listed.iter().any(|l| l == path);
    for prefix in [
        "tests/",
        "content/",
        "benches/",
        "fuzz/",
        "target/",
        "public/",
        "book.toml",
    ] {
        let wrong: Vec<&String> = listed.iter().filter(|l| l.starts_with(prefix)).collect();
        assert!(wrong.is_empty(), "{prefix} is shipped: {wrong:?}");
    }
    assert!(
        !listed.iter().any(|l| l.contains("node_modules")),
        "node packages are shipped"
    );
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "src/main.rs",
        "src/lib.rs",
    ] {
        assert!(shipped(needed), "{needed} is not shipped");
    }
    // What the code compiles in: every file it names, and the whole default theme
    // (src/theme.rs names its files through a macro).
    let repo = repo_dir();
    let mut needed: Vec<PathBuf> = Vec::new();
    for source in files_under(&repo.join("src"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(&source).expect("read a source file");
        needed.extend(included(&source, &text));
    }
    assert!(
        needed.len() >= 5,
        "the scan found the include_str! calls: {needed:?}"
    );
    needed.extend(
        files_under(&repo.join("themes/default"))
            .into_iter()
            .map(|p| p.strip_prefix(&repo).expect("under the repo").to_path_buf()),
    );
    for path in needed {
        let path = path.to_str().expect("utf-8 path");
        assert!(shipped(path), "{path} is compiled in but not shipped");
    }
}
