//! A refresh gives the very site a full load gives, after each kind of edit it takes, and
//! declines every edit only a walk can judge.

use std::fs;
use std::path::{Path, PathBuf};

use super::super::{ParseCache, load, load_kept};
use super::Loaded;
use crate::config::{Config, Overrides};
use crate::model::Site;

const UNIT: &str = "community/assessments/projects/alpha";

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend(width.to_be_bytes());
    png.extend(height.to_be_bytes());
    png
}

struct Site1 {
    dir: tempfile::TempDir,
    config: Config,
    cache: ParseCache,
    loaded: Loaded,
}

impl Site1 {
    fn new() -> Site1 {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let write = |rel: &str, bytes: &[u8]| {
            let path = root.join(rel);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(path, bytes).expect("write");
        };
        write(
            "community/assessments/README.md",
            b"# Assessments\n\nThe process.\n",
        );
        write(
            "community/assessments/guide/notes.md",
            b"# Notes\n\n![x](chart.png)\n",
        );
        write("community/assessments/guide/chart.png", &png(10, 20));
        write("community/assessments/projects/README.md", b"# Projects\n");
        write(
            &format!("{UNIT}/self-assessment.md"),
            b"# Alpha\n\nVersion covered: v1\n\n![d](diagram.png)\n",
        );
        write(
            &format!("{UNIT}/README.md"),
            b"# Alpha summary\n\nStatus: complete\n",
        );
        write(&format!("{UNIT}/tssa.yaml"), b"project_name: Alpha\n");
        write(&format!("{UNIT}/diagram.png"), &png(300, 200));
        write(
            "community/assessments/projects/beta/self-assessment.md",
            b"# Beta\n\nSee [alpha](../alpha/self-assessment.md).\n",
        );
        let config = Config::load(&Overrides {
            root: Some(root.to_path_buf()),
            ..Overrides::default()
        })
        .expect("config");
        let mut cache = ParseCache::new();
        let (_, loaded) = load_kept(&config, &mut cache);
        Site1 {
            dir,
            config,
            cache,
            loaded,
        }
    }

    /// As the watcher reports it.
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().canonicalize().expect("root").join(rel)
    }

    fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(rel);
        fs::write(&path, bytes).expect("write");
        path
    }

    fn refresh(&mut self, touched: &[PathBuf]) -> Option<Site> {
        self.loaded
            .refresh(&self.config, &mut self.cache, touched)
            .map(|(site, _)| site)
    }

    /// Refreshes after `touched` and holds the result to a full load of the same tree.
    fn expect_refreshed(&mut self, touched: &[PathBuf], why: &str) -> Site {
        let site = self
            .refresh(touched)
            .unwrap_or_else(|| panic!("{why}: the refresh declined"));
        assert_eq!(everything(&site), everything(&load(&self.config)), "{why}");
        site
    }

    /// A full load, as after a change of configuration.
    fn reload(&mut self) {
        self.loaded = load_kept(&self.config, &mut self.cache).1;
    }

    /// The refresh declines `touched`; the full load that follows is kept instead.
    fn expect_declined(&mut self, touched: &[PathBuf], why: &str) {
        assert!(
            self.refresh(touched).is_none(),
            "{why}: the refresh should decline"
        );
        let (site, loaded) = load_kept(&self.config, &mut self.cache);
        assert_eq!(everything(&site), everything(&load(&self.config)), "{why}");
        self.loaded = loaded;
    }
}

/// Everything the model holds, fields serde skips included.
/// The whole model but for documents' `origin`, which only a cached load knows.
fn everything(site: &Site) -> String {
    let mut site = site.clone();
    site.documents_mut().for_each(|doc| doc.origin = None);
    format!("{site:?}")
}

fn unit<'a>(site: &'a Site, slug: &str) -> &'a crate::model::Unit {
    site.units.iter().find(|u| u.slug == slug).expect("unit")
}

#[test]
fn each_edit_a_refresh_takes_gives_the_site_a_full_load_gives() {
    let mut s = Site1::new();
    let doc = format!("{UNIT}/self-assessment.md");
    let edits: Vec<(&str, String, Vec<u8>)> = vec![
        (
            "content",
            doc.clone(),
            b"# Alpha\n\nVersion covered: v1\n\nMore words.\n".to_vec(),
        ),
        (
            "larger",
            doc.clone(),
            format!("# Alpha\n\n{}\n", "word ".repeat(5000)).into_bytes(),
        ),
        ("smaller", doc.clone(), b"# A\n".to_vec()),
        (
            "front matter",
            doc.clone(),
            b"---\nversion_covered: v9\nreviewers:\n  - name: Ann\n---\n# Alpha\n\nVersion covered: v1\n"
                .to_vec(),
        ),
        (
            "sidecar",
            format!("{UNIT}/tssa.yaml"),
            b"project_name: Alpha Two\nstatus: draft\n".to_vec(),
        ),
        (
            "summary",
            format!("{UNIT}/README.md"),
            b"# Alpha summary\n\nStatus: in progress\n".to_vec(),
        ),
        (
            "process page",
            "community/assessments/guide/notes.md".to_owned(),
            b"# Notes again\n".to_vec(),
        ),
        (
            "projects page",
            "community/assessments/projects/README.md".to_owned(),
            b"# All\n".to_vec(),
        ),
        ("unit image", format!("{UNIT}/diagram.png"), png(640, 480)),
        (
            "process image",
            "community/assessments/guide/chart.png".to_owned(),
            png(1, 2),
        ),
        ("not UTF-8", doc.clone(), b"# Alpha\n\xff\xfe\n".to_vec()),
    ];
    for (why, rel, bytes) in edits {
        let path = s.write(&rel, &bytes);
        s.expect_refreshed(&[path], why);
    }
    let site = s.expect_refreshed(&[], "nothing");
    let image = unit(&site, "alpha")
        .assets
        .iter()
        .find(|a| a.source.ends_with("diagram.png"));
    assert_eq!(image.and_then(|a| a.dimensions), Some((640, 480)));

    // Two files in one burst, and the same one twice.
    let a = s.write(&doc, b"# Alpha\n\nOne.\n");
    let b = s.write(
        "community/assessments/projects/beta/self-assessment.md",
        b"# Beta\n\nTwo.\n",
    );
    s.expect_refreshed(&[a.clone(), b, a], "two files");
}

#[test]
fn a_refresh_reads_only_the_edited_file() {
    let mut s = Site1::new();
    let path = s.write(&format!("{UNIT}/self-assessment.md"), b"# Alpha\n\nEdited.\n");
    let (_, kept) = s
        .loaded
        .refresh(&s.config, &mut s.cache, &[path])
        .expect("refreshed");
    assert_eq!(s.cache.stats().parsed, 1, "{:?}", s.cache.stats());
    assert_eq!(s.cache.stats().reused, 0, "{:?}", s.cache.stats());
    // Five other documents, the sidecar and two images.
    assert_eq!(kept, 8);
}

#[test]
fn edits_only_a_walk_can_judge_are_declined() {
    let mut s = Site1::new();
    let doc = s.path(&format!("{UNIT}/self-assessment.md"));
    let new = s.write(&format!("{UNIT}/threat-model.md"), b"# Threats\n");
    s.expect_declined(std::slice::from_ref(&new), "a new document");
    // A new file beside an edited one in the same burst.
    let edited = s.write(&format!("{UNIT}/self-assessment.md"), b"# Alpha\n\nEdited.\n");
    let beside = s.write(&format!("{UNIT}/notes.txt"), b"notes");
    s.expect_declined(&[edited, beside], "a new file beside an edited one");
    fs::remove_file(&new).expect("remove");
    s.expect_declined(&[new], "a removed document");
    let folder = s.path("community/assessments/projects/gamma");
    fs::create_dir_all(&folder).expect("mkdir");
    s.expect_declined(&[folder], "a new folder");
    let image = s.write(&format!("{UNIT}/diagram.png"), b"<html><script>x</script>");
    s.expect_declined(&[image], "an image that is now markup");
    let backup = s.write(&format!("{UNIT}/self-assessment.md~"), b"old");
    s.expect_declined(
        &[backup.clone(), doc.clone()],
        "an editor's backup a walk would report",
    );
    fs::remove_file(&backup).expect("remove");
    s.expect_declined(&[backup], "a reported backup removed");
    let renamed = s.path(&format!("{UNIT}/self.md"));
    fs::rename(&doc, &renamed).expect("rename");
    s.expect_declined(&[doc.clone(), renamed.clone()], "a renamed document");
    fs::rename(&renamed, &doc).expect("rename");
    s.expect_declined(&[doc.clone(), renamed], "renamed back");
    fs::remove_file(&doc).expect("remove");
    std::os::unix::fs::symlink(s.path(&format!("{UNIT}/README.md")), &doc).expect("symlink");
    s.expect_declined(std::slice::from_ref(&doc), "a document replaced by a link");
    let target = s.write(&format!("{UNIT}/README.md"), b"# Alpha summary\n\nLinked.\n");
    s.expect_declined(&[target], "a linked file's target edited");
}

#[test]
fn editors_temporary_files_are_passed_over_when_a_walk_skips_them() {
    let mut s = Site1::new();
    let doc = s.write(&format!("{UNIT}/self-assessment.md"), b"# Alpha\n\nSaved.\n");
    let gone = s.path(&format!("{UNIT}/4913"));
    let swap = s.write(&format!("{UNIT}/.self-assessment.md.swp"), b"swap");
    let git = s.path(".git/index");
    s.expect_refreshed(&[doc.clone(), gone, swap, git], "vim's save");
    let hidden = s.write(&format!("{UNIT}/.draft.md"), b"# Draft\n");
    s.expect_declined(&[hidden, doc], "a hidden document, which a walk reports");
}

#[test]
fn sizes_are_held_to_the_limits() {
    let mut s = Site1::new();
    let doc = format!("{UNIT}/self-assessment.md");
    s.config.limits.file_bytes = 64;
    s.reload();
    let path = s.write(&doc, &[b'a'; 100]);
    s.expect_refreshed(&[path], "a document over file_bytes");

    let total: u64 = load(&s.config)
        .units
        .iter()
        .flat_map(|u| u.assets.iter().map(|a| a.size))
        .sum();
    s.config.limits.total_bytes = total + 1000;
    s.reload();
    let path = s.write(&doc, b"# Small\n");
    s.expect_refreshed(&[path], "a smaller document within total_bytes");
    let path = s.write(&doc, &vec![b'a'; 2000]);
    s.expect_declined(&[path], "a document past total_bytes");

    s.config.limits.asset_bytes = 100;
    s.config.limits.total_bytes = 1 << 30;
    s.reload();
    let path = s.write(
        &format!("{UNIT}/diagram.png"),
        &[png(5, 5), vec![0; 200]].concat(),
    );
    s.expect_declined(&[path], "an asset past asset_bytes");
}

#[test]
fn a_path_outside_the_root_is_declined() {
    let mut s = Site1::new();
    let outside: &Path = Path::new("/nonexistent-tssa/elsewhere.md");
    // Gone and never named: nothing a walk could find.
    assert!(s.refresh(&[outside.to_path_buf()]).is_some());
    let present = tempfile::NamedTempFile::new().expect("temp");
    assert!(s.refresh(&[present.path().to_path_buf()]).is_none());
}
