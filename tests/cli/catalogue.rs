//! The hostile-input catalogue: what a hostile contributor could put in a repository, one case
//! each, run through the real binary. Every case plants its tree into a copy of the `good`
//! fixture, beside a folder `outside/` that holds a canary secret, and states its exit code,
//! the diagnostic it must raise and the text that must still reach the site. Every case is then
//! held to the same promises:
//! - the run ends by itself, in time, without a panic;
//! - nothing outside the root is published (no output file carries the canary) and nothing is
//!   written outside the root and the output;
//! - nothing a browser could execute is published (pages or assets);
//! - no content is lost (the marker text after the hostile part is visible on a page), and every
//!   internal link of the site resolves;
//! - `check` on the same tree ends too, and gives up (exit 2) exactly when `build` does.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::{Fixture, PROJECTS, Run, Site, tags, tssa_within};

/// Text that lives only outside the root: it must never reach the site.
const CANARY: &str = "CANARY-7f3a-outside-the-root";

/// Far above what any case needs in a debug build, far below a hang or a quadratic blow-up.
const LIMIT: Duration = Duration::from_secs(40);

/// A copy of the `good` fixture with a canary folder beside it.
struct Bed {
    fx: Fixture,
}

impl Bed {
    fn new() -> Bed {
        let fx = Fixture::new("good");
        let outside = fx.tmp().join("outside");
        fs::create_dir_all(outside.join("pkg")).expect("create outside/");
        fs::write(outside.join("secret.txt"), CANARY).expect("write the canary");
        fs::write(outside.join("secret.png"), CANARY).expect("write the canary");
        fs::write(
            outside.join("pkg/self-assessment.md"),
            format!("# Outside\n\n{CANARY}\n"),
        )
        .expect("write the canary package");
        Bed { fx }
    }

    /// Writes `text` to `rel` under the root.
    fn file(&self, rel: &str, text: impl AsRef<[u8]>) {
        self.fx.write(rel, text);
    }

    /// Writes a document of the `alderwick` package.
    fn doc(&self, name: &str, text: impl AsRef<[u8]>) {
        self.fx.write(&format!("{PROJECTS}/alderwick/{name}"), text);
    }

    fn book(&self, toml: &str) {
        self.file("book.toml", toml);
    }

    fn package(&self, rel: &str) -> PathBuf {
        self.fx.project(rel)
    }

    fn outside(&self) -> PathBuf {
        self.fx.tmp().join("outside")
    }

    /// A file of `len` bytes that takes no room on disk.
    fn sparse(&self, path: &Path, len: u64) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create a folder");
        }
        fs::File::create(path)
            .and_then(|f| f.set_len(len))
            .expect("make a sparse file");
    }

    #[cfg(unix)]
    fn fifo(&self, path: &Path) {
        let made = std::process::Command::new("mkfifo").arg(path).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
    }

    #[cfg(unix)]
    fn symlink(&self, target: &Path, link: &Path) {
        std::os::unix::fs::symlink(target, link).expect("make a symlink");
    }
}

#[derive(Clone, Copy)]
enum Cmd {
    /// `tssa build --root <root> --out <out> <args…>`
    Build(&'static [&'static str]),
    /// `tssa new <name> --root <root>`
    New(&'static str),
}

/// What a case must do beyond the promises every case keeps.
struct Expect {
    exit: i32,
    /// A diagnostic with this code is printed (a finding) …
    code: Option<&'static str>,
    /// … and these words are on stderr (the key or file named, how to fix it).
    says: &'static [&'static str],
    /// Visible text that must be on some page of the site.
    shown: &'static [&'static str],
}

const BUILT: Expect = Expect {
    exit: 0,
    code: None,
    says: &[],
    shown: &[],
};

const REFUSED: Expect = Expect {
    exit: 2,
    code: None,
    says: &[],
    shown: &[],
};

fn run_case(plant: fn(&Bed), cmd: Cmd, expect: Expect) {
    let bed = Bed::new();
    plant(&bed);
    let before = outside_listing(&bed);
    let run = match cmd {
        Cmd::Build(extra) => {
            let mut args: Vec<&OsStr> = vec![
                OsStr::new("build"),
                OsStr::new("--root"),
                bed.fx.root.as_os_str(),
                OsStr::new("--out"),
                bed.fx.out.as_os_str(),
            ];
            args.extend(extra.iter().map(OsStr::new));
            tssa_within(bed.fx.tmp(), &args, LIMIT)
        }
        Cmd::New(name) => tssa_within(
            bed.fx.tmp(),
            &[
                OsStr::new("new"),
                OsStr::new(name),
                OsStr::new("--root"),
                bed.fx.root.as_os_str(),
            ],
            LIMIT,
        ),
    };
    run.assert_code(expect.exit);
    if let Some(code) = expect.code {
        run.expect_diag_where(&format!("a `{code}` finding"), |d| d.code == code);
    }
    for words in expect.says {
        assert!(
            run.stderr.contains(words),
            "stderr does not say `{words}`:\n{}",
            run.stderr
        );
    }
    assert_eq!(
        outside_listing(&bed),
        before,
        "something was written outside the root and the output"
    );
    if bed.fx.out.is_dir() {
        assert_site_is_safe(&bed.fx.site(), expect.shown);
    } else {
        assert!(
            expect.shown.is_empty(),
            "no site was written, yet text was expected on it"
        );
    }
    if let Cmd::Build([]) = cmd {
        check_agrees(&bed, &run);
    }
}

/// `check` on the same tree ends in time and gives up exactly when `build` gave up.
fn check_agrees(bed: &Bed, build: &Run) {
    let check = tssa_within(
        bed.fx.tmp(),
        &[OsStr::new("check"), OsStr::new("--root"), bed.fx.root.as_os_str()],
        LIMIT,
    );
    check.assert_finished();
    assert_eq!(
        check.code == Some(2),
        build.code == Some(2),
        "build exited {:?} but check exited {:?}:\n{}",
        build.code,
        check.code,
        check.stderr
    );
}

/// Every path under the temp folder except the root and the output, with its length: `new` or
/// a build that writes outside its place shows up here.
fn outside_listing(bed: &Bed) -> BTreeMap<PathBuf, u64> {
    let mut found = BTreeMap::new();
    for entry in walkdir::WalkDir::new(bed.fx.tmp())
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.path() != bed.fx.root && e.path() != bed.fx.out)
    {
        let Ok(entry) = entry else { continue };
        let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
        found.insert(entry.path().to_path_buf(), len);
    }
    found
}

fn assert_site_is_safe(site: &Site, shown: &[&str]) {
    let files = site.files();
    let mut visible = String::new();
    for (rel, bytes) in &files {
        assert!(
            !contains(bytes, CANARY.as_bytes()),
            "`{rel}` in the output carries text from outside the root"
        );
        if let Some(why) = executable_asset(rel, bytes) {
            panic!("`{rel}` in the output is active content: {why}");
        }
        if rel.ends_with(".html") {
            visible.push_str(&browser_text(&String::from_utf8_lossy(bytes)));
            visible.push('\n');
        }
    }
    site.assert_no_active_content();
    site.assert_links_resolve("/");
    for text in shown {
        assert!(
            visible.contains(text),
            "`{text}` is not visible on any page: content was lost"
        );
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Why a published file could run in a browser, if it could. Pages are held to
/// `assert_no_active_content`; an SVG or XML file (ours, like the badges, or a repository's
/// neutralised one) must carry no script, handler or script URL; other executable types must
/// not be published at all, nor anything whose content sniffs as markup under another name.
fn executable_asset(rel: &str, bytes: &[u8]) -> Option<&'static str> {
    let lower = rel.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    match ext {
        "html" => None,
        "svg" | "xml" => {
            let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let handler = text.match_indices(" on").any(|(at, _)| {
                text[at + 3..]
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                    .starts_with('=')
            });
            (squeezed.contains("<script")
                || squeezed.contains(":script")
                || squeezed.contains("javascript:")
                || squeezed.contains("<foreignobject")
                || handler)
                .then_some("markup with a script, handler or script URL")
        }
        "svgz" | "xhtml" | "xht" | "htm" | "shtml" | "xsl" | "xslt" | "mjs" => {
            Some("a type a browser executes")
        }
        "js" if !rel.starts_with("static/") => Some("a script that is not the theme's"),
        _ => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
            let head = head.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
            let sniffs = [
                "<!doctype",
                "<html",
                "<svg",
                "<?xml",
                "<script",
                "<head",
                "<body",
                "<iframe",
            ]
            .iter()
            .any(|tag| head.starts_with(tag));
            sniffs.then_some("its content sniffs as HTML, XML or SVG")
        }
    }
}

/// The text a browser shows: like `common::text_of`, but an element whose content a browser
/// does not show as text (or swallows to the end of the page when unclosed) hides everything up
/// to its closing tag.
fn browser_text(html: &str) -> String {
    const SWALLOWING: &[&str] = &[
        "script",
        "style",
        "textarea",
        "title",
        "iframe",
        "noscript",
        "noembed",
        "noframes",
        "template",
        "object",
        "select",
        "xmp",
        "plaintext",
    ];
    let lower = html.to_ascii_lowercase();
    let mut text = String::new();
    let mut pos = 0;
    for tag in tags(html) {
        if tag.start < pos {
            continue;
        }
        text.push_str(&html[pos..tag.start]);
        text.push(' ');
        pos = tag.end;
        let name = tag.name.as_str();
        // The page's own <title> in <head> is fine: it is closed right away.
        if !tag.closing && SWALLOWING.contains(&name) {
            let close = format!("</{name}");
            pos = match (name, lower[tag.end..].find(&close)) {
                ("plaintext", _) | (_, None) => html.len(),
                (_, Some(at)) => tag.end + at,
            };
        }
    }
    text.push_str(&html[pos.min(html.len())..]);
    crate::common::decode_entities(&text)
}

/// One `#[test]` a case, so each passes or fails by itself and they run side by side.
macro_rules! case {
    ($name:ident, $plant:expr, $cmd:expr, $expect:expr) => {
        #[test]
        fn $name() {
            run_case($plant, $cmd, $expect);
        }
    };
}

const BUILD: Cmd = Cmd::Build(&[]);

// ---------------------------------------------------------------------------------------------
// 1. Configured paths stay inside the root.

case!(
    config_projects_climbing_out,
    |b| b.book("[source]\nprojects = \"../outside\"\n"),
    BUILD,
    Expect {
        says: &["projects"],
        ..REFUSED
    }
);
case!(
    config_projects_absolute,
    |b| b.book("[source]\nprojects = \"/etc\"\n"),
    BUILD,
    Expect {
        says: &["projects"],
        ..REFUSED
    }
);
case!(
    config_projects_deep_climb,
    |b| b.book("[source]\nprojects = \"../../../../../../../../etc\"\n"),
    BUILD,
    Expect {
        says: &["projects"],
        ..REFUSED
    }
);
case!(
    config_process_absolute,
    |b| b.book(&format!(
        "[source]\nprojects = \"{PROJECTS}\"\nprocess = \"/etc\"\n"
    )),
    BUILD,
    Expect {
        says: &["process"],
        ..REFUSED
    }
);
case!(
    config_process_climbing_out,
    |b| b.book(&format!(
        "[source]\nprojects = \"{PROJECTS}\"\nprocess = \"../outside\"\n"
    )),
    BUILD,
    Expect {
        says: &["process"],
        ..REFUSED
    }
);
case!(
    config_process_root_of_the_machine,
    |b| b.book(&format!("[source]\nprojects = \"{PROJECTS}\"\nprocess = \"/\"\n")),
    BUILD,
    Expect {
        says: &["process"],
        ..REFUSED
    }
);
case!(
    config_releases_outside,
    |b| b.book("[coverage]\nreleases = \"../outside/secret.txt\"\n"),
    BUILD,
    Expect {
        says: &["releases"],
        ..REFUSED
    }
);
case!(
    config_releases_dev_zero,
    |b| b.book("[coverage]\nreleases = \"/dev/zero\"\n"),
    BUILD,
    Expect {
        says: &["releases"],
        ..REFUSED
    }
);
case!(
    config_theme_outside,
    |b| b.book("[site]\ntheme = \"../outside\"\n"),
    BUILD,
    Expect {
        says: &["theme"],
        ..REFUSED
    }
);
case!(
    config_projects_symlinked_out,
    |b| {
        b.symlink(&b.outside(), &b.fx.path("linked"));
        b.book("[source]\nprojects = \"linked\"\n");
    },
    BUILD,
    Expect {
        says: &["projects"],
        ..REFUSED
    }
);
case!(
    new_through_a_symlinked_projects_folder,
    |b| {
        b.symlink(&b.outside(), &b.fx.path("linked"));
        b.book("[source]\nprojects = \"linked\"\n");
    },
    Cmd::New("fresh"),
    REFUSED
);
case!(
    new_with_projects_outside,
    |b| b.book("[source]\nprojects = \"../outside\"\n"),
    Cmd::New("fresh"),
    REFUSED
);

// 7. The base URL is a web address or a path, never a script.

case!(
    base_url_javascript_flag,
    |_| {},
    Cmd::Build(&["--base-url", "javascript:alert(1)//"]),
    Expect {
        says: &["base-url"],
        ..REFUSED
    }
);
case!(
    base_url_javascript_in_book,
    |b| b.book("[site]\nbase_url = \"javascript:alert(1)//\"\n"),
    BUILD,
    Expect {
        says: &["base_url"],
        ..REFUSED
    }
);
case!(
    base_url_data,
    |_| {},
    Cmd::Build(&["--base-url", "data:text/html,<script>alert(1)</script>"]),
    REFUSED
);
case!(
    base_url_protocol_relative,
    |_| {},
    Cmd::Build(&["--base-url", "//evil.example/"]),
    REFUSED
);
case!(
    base_url_with_a_quote,
    |_| {},
    Cmd::Build(&["--base-url", "https://example.org/\"><script>alert(1)</script>"]),
    REFUSED
);
case!(
    base_url_https_is_fine,
    |_| {},
    Cmd::Build(&["--base-url", "https://example.org/"]),
    BUILT
);

// ---------------------------------------------------------------------------------------------
// 2. Every read has a cap, checked before anything is allocated.

case!(
    sparse_gigabyte_document,
    |b| {
        b.sparse(&b.package("alderwick/huge-notes.md"), 1 << 30);
        b.doc("kept.md", "# Kept\n\nKEEP-NEXT-TO-HUGE\n");
    },
    BUILD,
    Expect {
        says: &["huge-notes.md"],
        shown: &["KEEP-NEXT-TO-HUGE"],
        ..BUILT
    }
);
case!(
    sparse_gigabyte_sidecar,
    |b| {
        b.sparse(&b.package("alderwick/tssa.yaml"), 1 << 30);
        b.doc("kept.md", "# Kept\n\nKEEP-NEXT-TO-SIDECAR\n");
    },
    BUILD,
    Expect {
        says: &["tssa.yaml"],
        shown: &["KEEP-NEXT-TO-SIDECAR"],
        ..BUILT
    }
);
case!(
    sparse_gigabyte_book_toml,
    |b| b.sparse(&b.fx.path("book.toml"), 1 << 30),
    BUILD,
    Expect {
        says: &["book.toml"],
        ..REFUSED
    }
);
case!(
    sparse_gigabyte_releases,
    |b| {
        b.sparse(&b.fx.path("releases.yaml"), 1 << 30);
        b.book("[coverage]\nreleases = \"releases.yaml\"\n");
    },
    BUILD,
    Expect {
        says: &["releases.yaml"],
        ..BUILT
    }
);
case!(
    releases_named_pipe,
    |b| {
        b.fifo(&b.fx.path("releases.yaml"));
        b.book("[coverage]\nreleases = \"releases.yaml\"\n");
    },
    BUILD,
    Expect {
        says: &["releases.yaml"],
        ..BUILT
    }
);
case!(
    sidecar_named_pipe,
    |b| b.fifo(&b.package("alderwick/tssa.yaml")),
    BUILD,
    Expect {
        says: &["tssa.yaml"],
        ..BUILT
    }
);
case!(
    document_named_pipe,
    |b| b.fifo(&b.package("alderwick/pipe.md")),
    BUILD,
    Expect {
        says: &["pipe.md"],
        ..BUILT
    }
);
case!(
    sparse_gigabyte_asset,
    |b| b.sparse(&b.package("alderwick/big.png"), 1 << 30),
    BUILD,
    Expect {
        code: Some("asset/too-large"),
        says: &["big.png"],
        ..BUILT
    }
);

// ---------------------------------------------------------------------------------------------
// 3. A tag written in prose is shown as text; nothing after it is lost.

macro_rules! prose_tag_case {
    ($name:ident, $tag:literal) => {
        case!(
            $name,
            |b| b.doc(
                "notes.md",
                concat!(
                    "# Notes\n\nAn attacker could inject a <",
                    $tag,
                    "> tag into the dashboard.\n\n## Later section\n\nAFTER-THE-",
                    $tag,
                    "-TAG\n"
                )
            ),
            BUILD,
            Expect {
                shown: &["Later section", concat!("AFTER-THE-", $tag, "-TAG")],
                ..BUILT
            }
        );
    };
}

prose_tag_case!(prose_script, "script");
prose_tag_case!(prose_style, "style");
prose_tag_case!(prose_iframe, "iframe");
prose_tag_case!(prose_textarea, "textarea");
prose_tag_case!(prose_title, "title");
prose_tag_case!(prose_noscript, "noscript");
prose_tag_case!(prose_template, "template");
prose_tag_case!(prose_object, "object");
prose_tag_case!(prose_select, "select");
prose_tag_case!(prose_xmp, "xmp");
prose_tag_case!(prose_plaintext, "plaintext");
prose_tag_case!(prose_noembed, "noembed");
prose_tag_case!(prose_upper_case_script, "SCRIPT");
prose_tag_case!(prose_script_with_attributes, "script src=x.js");

case!(
    block_script_left_open,
    |b| b.doc(
        "notes.md",
        "# Notes\n\n<script>\n\n## Later section\n\nAFTER-THE-BLOCK\n"
    ),
    BUILD,
    Expect {
        shown: &["Later section", "AFTER-THE-BLOCK"],
        ..BUILT
    }
);
case!(
    block_style_left_open,
    |b| b.doc(
        "notes.md",
        "# Notes\n\n<style>\n\n## Later section\n\nAFTER-THE-STYLE\n"
    ),
    BUILD,
    Expect {
        shown: &["Later section", "AFTER-THE-STYLE"],
        ..BUILT
    }
);
case!(
    closed_script_does_not_run_and_hides_nothing,
    |b| {
        b.doc(
        "notes.md",
        "# Notes\n\nBefore <script>alert(1)</script> after.\n\n<script>\nalert(2)\n</script>\n\n## Later section\n\nAFTER-THE-CLOSED-SCRIPT\n"
    )
    },
    BUILD,
    Expect {
        shown: &["Later section", "AFTER-THE-CLOSED-SCRIPT"],
        ..BUILT
    }
);

// ---------------------------------------------------------------------------------------------
// 4. Linear time: repeated openers that a naive scanner rescans to the end each time.

fn repeated(b: &Bed, unit: &str, times: usize) {
    let mut text = String::from("# Repeated\n\n");
    text.push_str(&unit.repeat(times));
    text.push_str("\n\n## After\n\nAFTER-THE-REPEATS\n");
    b.doc("repeated.md", text);
}

case!(
    repeated_anchor_openers,
    |b| repeated(b, "<a ", 120_000),
    BUILD,
    Expect {
        shown: &["AFTER-THE-REPEATS"],
        ..BUILT
    }
);
case!(
    repeated_open_attribute_quotes,
    |b| repeated(b, "<b x=\"", 60_000),
    BUILD,
    Expect {
        shown: &["AFTER-THE-REPEATS"],
        ..BUILT
    }
);
case!(
    repeated_comment_openers,
    |b| repeated(b, "<!--", 100_000),
    BUILD,
    BUILT
);
case!(
    repeated_cdata_openers,
    |b| repeated(b, "<![CDATA[", 50_000),
    BUILD,
    BUILT
);
case!(
    repeated_closing_openers,
    |b| repeated(b, "</", 100_000),
    BUILD,
    Expect {
        shown: &["AFTER-THE-REPEATS"],
        ..BUILT
    }
);
case!(
    repeated_brackets,
    |b| repeated(b, "[", 100_000),
    BUILD,
    Expect {
        shown: &["AFTER-THE-REPEATS"],
        ..BUILT
    }
);
case!(
    repeated_emphasis,
    |b| repeated(b, "*a", 100_000),
    BUILD,
    Expect {
        shown: &["AFTER-THE-REPEATS"],
        ..BUILT
    }
);
case!(
    repeated_backticks,
    |b| repeated(b, "`", 100_000),
    BUILD,
    Expect {
        shown: &["AFTER-THE-REPEATS"],
        ..BUILT
    }
);
case!(nested_divs, |b| repeated(b, "<div>\n", 50_000), BUILD, BUILT);
case!(
    one_package_with_a_thousand_documents,
    |b| {
        for i in 0..1000 {
            b.doc(
                &format!("many/note-{i:04}.md"),
                format!("# Note {i}\n\nNOTE-{i:04}\n"),
            );
        }
    },
    BUILD,
    Expect {
        shown: &["NOTE-0000", "NOTE-0999"],
        ..BUILT
    }
);

// ---------------------------------------------------------------------------------------------
// 5. Odd or overlong names: the site is published with every link working.

fn long_name(ext: &str) -> String {
    format!("{}{ext}", "n".repeat(255 - ext.len()))
}

case!(
    document_name_of_255_bytes,
    |b| b.doc(&long_name(".md"), "# Long\n\nLONG-NAMED-DOCUMENT\n"),
    BUILD,
    Expect {
        shown: &["LONG-NAMED-DOCUMENT"],
        ..BUILT
    }
);
case!(
    asset_name_of_255_bytes,
    |b| {
        b.doc(&long_name(".png"), b"\x89PNG\r\n\x1a\n");
        b.doc(
            "pic.md",
            format!("# Pic\n\n![p]({})\n\nPIC-PAGE\n", long_name(".png")),
        );
    },
    BUILD,
    Expect {
        shown: &["PIC-PAGE"],
        ..BUILT
    }
);
case!(
    package_folder_name_of_255_bytes,
    |b| b.file(
        &format!("{PROJECTS}/{}/self-assessment.md", "p".repeat(255)),
        "# Long package\n\nLONG-PACKAGE\n"
    ),
    BUILD,
    Expect {
        shown: &["LONG-PACKAGE"],
        ..BUILT
    }
);
case!(
    question_mark_and_hash_in_a_name,
    |b| {
        b.doc("q?x#y.md", "# Odd\n\nODD-NAME-PAGE\n");
        b.doc("points.md", "# Points\n\nSee [odd](q%3Fx%23y.md).\n");
    },
    BUILD,
    Expect {
        shown: &["ODD-NAME-PAGE"],
        ..BUILT
    }
);
case!(
    percent_sequences_in_a_name,
    |b| b.doc("a%20b 50%.md", "# Percent\n\nPERCENT-NAME-PAGE\n"),
    BUILD,
    Expect {
        shown: &["PERCENT-NAME-PAGE"],
        ..BUILT
    }
);
case!(
    dots_only_name,
    |b| b.doc("..md", "# Dots\n\nDOTS-NAME-PAGE\n"),
    BUILD,
    Expect {
        code: Some("discover/hidden-document"),
        says: &["..md"],
        ..BUILT
    }
);
case!(
    quote_and_angle_in_a_name,
    |b| b.doc("say \"hi\" <b>.md", "# Quote\n\nQUOTE-NAME-PAGE\n"),
    BUILD,
    Expect {
        shown: &["QUOTE-NAME-PAGE"],
        ..BUILT
    }
);
case!(
    two_long_names_sharing_a_prefix,
    |b| {
        let stem = "s".repeat(230);
        b.doc(&format!("{stem}-first-of-two.md"), "# One\n\nFIRST-OF-TWO\n");
        b.doc(&format!("{stem}-second-of-two.md"), "# Two\n\nSECOND-OF-TWO\n");
    },
    BUILD,
    Expect {
        shown: &["FIRST-OF-TWO", "SECOND-OF-TWO"],
        ..BUILT
    }
);

// ---------------------------------------------------------------------------------------------
// 6. Nothing a browser could execute is published, whatever it is called.

case!(
    xml_with_an_html_script,
    |b| {
        b.doc(
        "feed.xml",
        "<?xml version=\"1.0\"?><r xmlns:html=\"http://www.w3.org/1999/xhtml\"><html:script>alert(1)</html:script></r>"
    )
    },
    BUILD,
    Expect {
        says: &["feed.xml"],
        ..BUILT
    }
);
case!(
    gzipped_svg,
    |b| b.doc("logo.svgz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"),
    BUILD,
    Expect {
        says: &["logo.svgz"],
        ..BUILT
    }
);
case!(
    svg_with_onload,
    |b| b.doc(
        "logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"
    ),
    BUILD,
    Expect {
        says: &["logo.svg"],
        ..BUILT
    }
);
case!(
    svg_with_script_upper_case,
    |b| b.doc(
        "logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><SCRIPT>alert(1)</SCRIPT></svg>"
    ),
    BUILD,
    Expect {
        says: &["logo.svg"],
        ..BUILT
    }
);
case!(
    xhtml_page,
    |b| b.doc(
        "page.xhtml",
        "<html xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></html>"
    ),
    BUILD,
    Expect {
        says: &["page.xhtml"],
        ..BUILT
    }
);
case!(
    html_page_beside_the_documents,
    |b| b.doc("demo.html", "<script>alert(1)</script>"),
    BUILD,
    Expect {
        says: &["demo.html"],
        ..BUILT
    }
);
case!(
    javascript_file,
    |b| b.doc("tool.js", "alert(1)"),
    BUILD,
    Expect {
        says: &["tool.js"],
        ..BUILT
    }
);
case!(
    stylesheet_transform,
    |b| b.doc("style.xsl", "<xsl:stylesheet version=\"1.0\"/>"),
    BUILD,
    Expect {
        says: &["style.xsl"],
        ..BUILT
    }
);
case!(
    png_that_is_really_html,
    |b| b.doc("shot.png", "<html><script>alert(1)</script></html>"),
    BUILD,
    Expect {
        says: &["shot.png"],
        ..BUILT
    }
);
case!(
    pdf_that_is_really_svg,
    |b| b.doc("slides.pdf", "<svg onload=\"alert(1)\"/>"),
    BUILD,
    Expect {
        says: &["slides.pdf"],
        ..BUILT
    }
);

// ---------------------------------------------------------------------------------------------
// What held before, kept.

/// YAML whose aliases expand to 9^10 strings: "billion laughs".
fn alias_bomb() -> String {
    let mut yaml = String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for (prev, name) in "abcdefghi".chars().zip("bcdefghij".chars()) {
        let refs = vec![format!("*{prev}"); 9].join(",");
        yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    yaml
}

case!(
    yaml_alias_bomb_in_front_matter,
    |b| b.doc(
        "bomb.md",
        format!("---\n{}---\n# Bomb\n\nAFTER-THE-BOMB\n", alias_bomb())
    ),
    BUILD,
    Expect {
        shown: &["AFTER-THE-BOMB"],
        ..BUILT
    }
);
case!(
    yaml_alias_bomb_in_sidecar,
    |b| b.doc("tssa.yaml", alias_bomb()),
    BUILD,
    Expect {
        says: &["tssa.yaml"],
        ..BUILT
    }
);
case!(
    front_matter_never_closed,
    |b| b.doc(
        "open.md",
        "---\ntitle: Open\n\n# Open\n\nAFTER-OPEN-FRONT-MATTER\n"
    ),
    BUILD,
    Expect {
        says: &["open.md"],
        shown: &["AFTER-OPEN-FRONT-MATTER"],
        ..BUILT
    }
);
// A NUL byte in the first 8,000 bytes makes a file binary to git and GitHub, so to us too: it is
// reported, not shown. Past that point it is text, shown with U+FFFD as GitHub shows it.
case!(
    nul_byte_at_the_start_of_a_document,
    |b| b.doc("nul.md", b"# Nul\n\nbefore\0after\n"),
    BUILD,
    Expect {
        says: &["nul.md"],
        ..BUILT
    }
);
case!(
    nul_byte_deep_in_a_document,
    |b| b.doc(
        "nul.md",
        format!(
            "# Nul\n\n{}\n\nbefore\0after\n\nAFTER-THE-NUL\n",
            "text ".repeat(2000)
        )
    ),
    BUILD,
    Expect {
        shown: &["AFTER-THE-NUL"],
        ..BUILT
    }
);
case!(
    invalid_utf8_in_a_document,
    |b| b.doc("bad.md", b"# Bad\n\n\xff\xfe\xfd\n\nAFTER-BAD-BYTES\n"),
    BUILD,
    Expect {
        shown: &["AFTER-BAD-BYTES"],
        ..BUILT
    }
);
case!(
    utf16_document,
    |b| b.doc("wide.md", b"\xff\xfe#\0 \0W\0\n\0"),
    BUILD,
    Expect {
        says: &["wide.md"],
        ..BUILT
    }
);
case!(
    symlink_loop,
    |b| b.symlink(Path::new("."), &b.package("alderwick/loop")),
    BUILD,
    BUILT
);
case!(
    symlinked_file_outside,
    |b| b.symlink(&b.outside().join("secret.txt"), &b.package("alderwick/secret.md")),
    BUILD,
    BUILT
);
case!(
    symlinked_image_outside,
    |b| {
        b.symlink(
            &b.outside().join("secret.png"),
            &b.package("alderwick/secret.png"),
        );
        b.doc("pic.md", "# Pic\n\n![s](secret.png)\n");
    },
    BUILD,
    BUILT
);
case!(
    symlinked_package_outside,
    |b| b.symlink(&b.outside().join("pkg"), &b.package("stolen")),
    BUILD,
    BUILT
);
case!(
    link_climbing_out_of_the_root,
    |b| b.doc(
        "climb.md",
        "# Climb\n\n[s](../../../../../outside/secret.txt) ![i](../../../../../outside/secret.png)\n"
    ),
    BUILD,
    BUILT
);
case!(
    absolute_file_paths_in_links,
    |b| b.doc(
        "abs.md",
        "# Abs\n\n[p](/etc/passwd) ![i](file:///etc/passwd) <img src=\"/etc/passwd\">\n"
    ),
    BUILD,
    BUILT
);
case!(
    script_urls_in_links,
    |b| {
        b.doc(
        "urls.md",
        "# Urls\n\n[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](java\tscript:alert(1)) <a href=\"vbscript:x\">d</a> ![e](data:text/html,x)\n\nAFTER-THE-URLS\n"
    )
    },
    BUILD,
    Expect {
        shown: &["AFTER-THE-URLS"],
        ..BUILT
    }
);
case!(
    event_handlers_in_raw_html,
    |b| {
        b.doc(
        "handlers.md",
        "# Handlers\n\n<img src=x onerror=alert(1)> <div onclick=\"x\">text</div> <svg><g onload=alert(1)/></svg>\n\nAFTER-THE-HANDLERS\n"
    )
    },
    BUILD,
    Expect {
        shown: &["AFTER-THE-HANDLERS"],
        ..BUILT
    }
);
case!(deeply_nested_quotes, |b| repeated(b, ">", 5_000), BUILD, BUILT);
case!(new_name_climbing_out, |_| {}, Cmd::New("../evil"), REFUSED);
case!(new_name_absolute, |_| {}, Cmd::New("/tmp/evil"), REFUSED);
case!(new_name_empty, |_| {}, Cmd::New(""), REFUSED);
case!(
    output_marker_folder_inside_projects_is_not_content,
    |b| {
        b.file(&format!("{PROJECTS}/alderwick/site/.tssa-output"), "");
        b.file(
            &format!("{PROJECTS}/alderwick/site/index.html"),
            "<script>alert(1)</script>",
        );
    },
    BUILD,
    BUILT
);

/// A document too large to read still has its page, and the page says why it is blank.
#[test]
fn a_document_too_large_to_read_says_so_on_its_page() {
    let bed = Bed::new();
    bed.sparse(&bed.package("alderwick/huge-notes.md"), 1 << 30);
    bed.fx.build().assert_code(0);
    let page = bed.fx.site().page("projects/alderwick/huge-notes.html");
    let shown = browser_text(&page);
    assert!(
        shown.contains("This document is not shown") && shown.contains("1 GiB"),
        "the page does not say why it is blank: {shown}"
    );
}

/// A flood of findings in one file keeps the status page readable: twenty of a kind are
/// listed and the rest counted, while the build's output still prints every one.
#[test]
fn a_flood_of_findings_is_counted_on_the_status_page() {
    let bed = Bed::new();
    bed.doc(
        "flood.md",
        format!("# Flood\n\n{}", "[x](#nowhere)\n\n".repeat(500)),
    );
    let run = bed.fx.build();
    run.assert_code(0);
    let flood = "community/assessments/projects/alderwick/flood.md";
    let printed = run.with_code("link/broken");
    assert_eq!(
        printed
            .iter()
            .filter(|d| d.file.as_deref() == Some(flood))
            .count(),
        500
    );
    let page = browser_text(&bed.fx.site().page("projects/alderwick/index.html"));
    assert_eq!(page.matches("broken link `#nowhere`").count(), 20, "{page}");
    assert!(
        page.contains("and 480 more like these in the same file"),
        "{page}"
    );
}
