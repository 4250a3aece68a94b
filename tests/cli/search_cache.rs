//! The search index from terms weighed in each document's pass and kept in the build cache: a
//! warm build writes the same `search/` files as a cold one and as `--no-cache`, and a document
//! edited between two cached builds is found by its new words (body, heading and title) and no
//! longer by the old ones, while the other documents' terms come from the cache.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

use crate::common::{Fixture, PROJECTS, Site, assert_same_files};

const DOC: &str = "quillon/self-assessment.md";

fn quillon(title: &str, heading: &str, body: &str) -> String {
    format!(
        "# {title}\n\nQuillon rotates signing keys.\n\n## {heading}\n\nThe {body} token is rotated hourly.\n"
    )
}

/// The "good" fixture with a document of our own words and a cache folder of its own.
struct Cached {
    fx: Fixture,
    cache: TempDir,
}

impl Cached {
    fn new() -> Cached {
        let fx = Fixture::new("good");
        fx.write(
            &format!("{PROJECTS}/{DOC}"),
            quillon("Quillon self-assessment", "Zephyrine handling", "marmoset"),
        );
        Cached {
            fx,
            cache: tempfile::tempdir().expect("a cache folder"),
        }
    }

    /// `tssa build` into `<tmp>/<out>` with this test's cache; the `search/` files built.
    fn search_files(&self, out: &str, extra: &[&str]) -> BTreeMap<String, Vec<u8>> {
        let out = self.fx.tmp().join(out);
        let output = assert_cmd::Command::cargo_bin("tssa")
            .expect("the tssa binary is built")
            .current_dir(self.fx.tmp())
            .arg("build")
            .arg("--root")
            .arg(&self.fx.root)
            .arg("--out")
            .arg(&out)
            .args(extra)
            .env("TSSA_CACHE_DIR", self.cache.path())
            .env_remove("TSSA_NO_CACHE")
            .env("SOURCE_DATE_EPOCH", "1764547200")
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run tssa");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "build failed:\n{stderr}");
        let mut files = Site::at(&out).files();
        files.retain(|path, _| path.starts_with("search/"));
        assert!(
            files.contains_key("search/index.json"),
            "no search index in {out:?}"
        );
        files
    }

    fn pages_bin(&self) -> PathBuf {
        let found: Vec<PathBuf> = fs::read_dir(self.cache.path())
            .expect("the cache folder")
            .flatten()
            .map(|repo| repo.path().join("pages.bin"))
            .filter(|file| file.is_file())
            .collect();
        assert_eq!(found.len(), 1, "one pages.bin under {:?}", self.cache.path());
        found[0].clone()
    }
}

/// The `(page url, weight)` of every posting of `term` in the search files `files`.
fn hits(files: &BTreeMap<String, Vec<u8>>, term: &str) -> Vec<(String, u64)> {
    let json = |path: &str| -> Value {
        let bytes = files.get(path).unwrap_or_else(|| panic!("no {path}"));
        serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
    };
    let index = json("search/index.json");
    let mut found = Vec::new();
    for key in index["shards"].as_array().expect("shards") {
        let shard = json(&format!("search/terms/{}.json", key.as_str().expect("a key")));
        let Some(list) = shard.get(term).and_then(Value::as_array) else {
            continue;
        };
        for pair in list.chunks(2) {
            let section = &index["sections"][pair[0].as_u64().expect("a section") as usize];
            let page = &index["pages"][section[0].as_u64().expect("a page") as usize];
            let url = page["u"].as_str().expect("a url").to_owned();
            found.push((url, pair[1].as_u64().expect("a weight")));
        }
    }
    found
}

fn ino(path: &Path) -> u64 {
    fs::metadata(path).expect("the cache file").ino()
}

#[test]
fn warm_cold_and_uncached_builds_write_the_same_search_files() {
    let c = Cached::new();
    let cold = c.search_files("cold", &[]);
    let written = ino(&c.pages_bin());
    let warm = c.search_files("warm", &[]);
    assert_eq!(
        ino(&c.pages_bin()),
        written,
        "the warm build found every document in the cache (so did not rewrite it)"
    );
    assert_same_files(&cold, &warm, "cold and warm search files");
    let uncached = c.search_files("uncached", &["--no-cache"]);
    assert_same_files(&cold, &uncached, "cached and --no-cache search files");
    let page = "projects/quillon/self-assessment.html";
    assert!(hits(&warm, "marmoset").iter().any(|(url, _)| url == page));
}

#[test]
fn an_edited_document_is_found_by_its_new_words_in_the_next_cached_build() {
    let c = Cached::new();
    let page = "projects/quillon/self-assessment.html";
    let before = c.search_files("one", &[]);
    assert_eq!(hits(&before, "marmoset"), [(page.to_owned(), 1)]);
    assert_eq!(hits(&before, "zephyrine"), [(page.to_owned(), 4)]);
    c.search_files("two", &[]);

    let edited = quillon("Pangolin self-assessment", "Okapi handling", "axolotl");
    c.fx.write(&format!("{PROJECTS}/{DOC}"), edited);
    let after = c.search_files("three", &[]);
    for (old, new, weight) in [
        ("marmoset", "axolotl", 1),
        ("zephyrine", "okapi", 4),
        ("", "pangolin", 8),
    ] {
        if !old.is_empty() {
            assert_eq!(hits(&after, old), [], "`{old}` is still indexed after the edit");
        }
        assert_eq!(
            hits(&after, new),
            [(page.to_owned(), weight)],
            "`{new}` after the edit"
        );
    }
    // The other documents' terms came from the cache: the same as a build without it.
    let uncached = c.search_files("four", &["--no-cache"]);
    assert_same_files(&after, &uncached, "the edited site, cached and not");
}

/// The search files are kept by one key over every page's sections and terms, a document's
/// taken from the digest its pass made of them: an edit that changes a section's text and
/// none of its terms (punctuation) must still give the new snippet, not the kept files.
#[test]
fn an_edit_that_changes_a_snippet_and_no_term_is_searched_as_it_is_now() {
    let c = Cached::new();
    // Into one folder: only the previous build's own output is kept.
    c.search_files("public", &[]);
    c.search_files("public", &[]);
    let text = quillon("Quillon self-assessment", "Zephyrine handling", "marmoset");
    let edited = text.replace("rotated hourly.", "rotated hourly!");
    assert_ne!(text, edited);
    c.fx.write(&format!("{PROJECTS}/{DOC}"), edited);
    let after = c.search_files("public", &[]);
    let uncached = c.search_files("four", &["--no-cache"]);
    assert_same_files(&after, &uncached, "the search files after a snippet-only edit");
    let shown = |files: &BTreeMap<String, Vec<u8>>| {
        files.iter().any(|(path, bytes)| {
            path.starts_with("search/text/") && bytes.windows(7).any(|w| w == b"hourly!")
        })
    };
    assert!(shown(&after), "the new snippet is in the search files");
}
