//! A bounded mutation fuzzer over the whole pipeline, in-process. Seeds are the sample content,
//! the fixtures and, when `TSSA_CORPUS` is set, the acceptance corpus; each iteration mutates a
//! seed (flips, cuts, repeats, splices, and tokens that hostile Markdown is made of), puts it in
//! a one-package tree as the self-assessment (and, every third time, as its `tssa.yaml`), then
//! checks and builds that tree. It must not panic; `check` and `build` must count the same
//! findings; the site written must carry no active content and no broken internal link.
//!
//! The seed is fixed, so a failure repeats. `TSSA_FUZZ_ITERATIONS` (default 150) and
//! `TSSA_FUZZ_SEED` run it longer or elsewhere; a failure prints the seed and iteration and
//! leaves the input in the temp folder it names.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::Site;
use tssa::config::{Config, Overrides};

const DEFAULT_ITERATIONS: u64 = 150;
const DEFAULT_SEED: u64 = 0x7553_5341_2026_1201;

/// What hostile Markdown is made of: raw HTML openers, fences, tables, links out of the root,
/// front-matter fences, control and multi-byte characters.
const TOKENS: &[&str] = &[
    "<script>",
    "</script>",
    "<",
    "<a ",
    "<b x=\"",
    "<!--",
    "-->",
    "<![CDATA[",
    "---\n",
    "```",
    "~~~",
    "|",
    "| --- |",
    "[",
    "](",
    "](../../../../etc/passwd)",
    "![x](",
    "\n# ",
    "\n## ",
    "&#x",
    "&#0;",
    "\0",
    "\r",
    "\u{feff}",
    "<svg onload=alert(1)>",
    "javascript:",
    "*",
    "_",
    "`",
    "\\",
    "{{",
    "}}",
    "{%",
    "<textarea>",
    "<style>",
    "<plaintext>",
    ":\n  - ",
    "- [ ] ",
    "> ",
    "    ",
    "\t",
    "é",
    "🔥",
    "\u{202e}",
    "title: x\n",
    "reviewers:\n",
    "*&a",
    "&a [",
    "<img src=x onerror=alert(1)>",
    "[^1]",
    "[^1]: ",
    "$$",
    "<details><summary>",
    "](#)",
    "<a name=\"x\">",
];

/// xorshift64*: a fixed sequence from a fixed seed, which is all a repeatable fuzzer needs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(7) {
            0 if !bytes.is_empty() => {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            1 | 2 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            3 => {
                let end = (at + rng.below(64)).min(bytes.len());
                let piece = bytes[at..end].to_vec();
                for _ in 0..rng.below(200) {
                    bytes.splice(at..at, piece.iter().copied());
                }
            }
            4 => {
                let end = (at + rng.below(400)).min(bytes.len());
                bytes.drain(at..end);
            }
            5 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + rng.below(2000)).min(other.len());
                bytes.splice(at..at, other[from..end].iter().copied());
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

/// Markdown and YAML files under `dir`, smallest first so runs start fast.
fn seeds_in(dir: &Path, found: &mut Vec<Vec<u8>>) {
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let path = entry.path();
        let wanted = path
            .extension()
            .is_some_and(|e| e == "md" || e == "yaml" || e == "yml");
        if entry.file_type().is_file()
            && wanted
            && let Ok(bytes) = fs::read(path)
            && bytes.len() < 256 * 1024
        {
            found.push(bytes);
        }
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let repo = common::repo_dir();
    let mut found = Vec::new();
    seeds_in(&repo.join("content"), &mut found);
    seeds_in(&repo.join("tests/fixtures"), &mut found);
    if let Some(corpus) = common::corpus() {
        seeds_in(&corpus, &mut found);
    }
    assert!(found.len() > 10, "too few seeds: {}", found.len());
    found
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One input tree: a package `fuzzed` with the mutated self-assessment (and sidecar).
fn plant(dir: &Path, document: &[u8], sidecar: Option<&[u8]>) -> PathBuf {
    let root = dir.join("root");
    let package = root.join(common::PROJECTS).join("fuzzed");
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&package).expect("create the package");
    fs::write(package.join("self-assessment.md"), document).expect("write the document");
    if let Some(sidecar) = sidecar {
        fs::write(package.join("tssa.yaml"), sidecar).expect("write the sidecar");
    }
    root
}

fn run_one(dir: &Path, root: &Path) -> Result<(), String> {
    let out = dir.join("out");
    let overrides = Overrides {
        root: Some(root.to_path_buf()),
        out: Some(out.clone()),
        ..Overrides::default()
    };
    let config = Config::load(&overrides).map_err(|e| format!("config: {e}"))?;
    let checked = tssa::pipeline::check(&config).counts();
    let site = tssa::load::load(&config);
    let built = tssa::pipeline::build(&config, site, None).map_err(|e| format!("build: {e}"))?;
    if checked != built.analysis.counts() {
        return Err(format!(
            "check counted {checked}, build {}",
            built.analysis.counts()
        ));
    }
    tssa::output::write_site(&out, &built.files).map_err(|e| format!("write: {e}"))?;
    let site = Site::at(&out);
    let active = common::active_content(&out);
    if !active.is_empty() {
        return Err(format!("active content: {active:?}"));
    }
    let broken = site.broken_links("/");
    if !broken.is_empty() {
        return Err(format!("broken links: {broken:?}"));
    }
    Ok(())
}

#[test]
fn mutated_documents_never_crash_disagree_or_publish_active_content() {
    let seeds = seeds();
    let iterations = env_number("TSSA_FUZZ_ITERATIONS", DEFAULT_ITERATIONS);
    let seed = env_number("TSSA_FUZZ_SEED", DEFAULT_SEED);
    let mut rng = Rng(seed | 1);
    let dir = tempfile::Builder::new()
        .prefix("tssa-fuzz-")
        .tempdir()
        .expect("temp dir");
    for iteration in 0..iterations {
        let base = &seeds[rng.below(seeds.len())];
        let other = &seeds[rng.below(seeds.len())];
        let document = mutate(&mut rng, base, other);
        let sidecar = (iteration % 3 == 0).then(|| mutate(&mut rng, other, base));
        let root = plant(dir.path(), &document, sidecar.as_deref());
        let outcome = std::panic::catch_unwind(|| run_one(dir.path(), &root))
            .unwrap_or_else(|_| Err("panicked".to_owned()));
        if let Err(why) = outcome {
            let kept = dir.keep();
            panic!(
                "fuzz iteration {iteration} (TSSA_FUZZ_SEED={seed}) failed: {why}\ninput kept in {}",
                kept.display()
            );
        }
    }
}
