//! The floor of a build: the least a generator must do with a tree, done as plainly and as
//! fast as it can be, so that tssa's times can be read against what the work itself costs on
//! the same machine in the same run (issue 12 measured one such program; this is ours).
//!
//! One run: walk the tree; on every core, read each Markdown file, render it with
//! pulldown-cmark in tssa's dialect into a minimal page, and write it under the output folder;
//! with `--highlight`, fenced code goes through tssa's own highlighter (syntect, onig, each
//! distinct block highlighted once, as a build does); with `--assets`, every other file is
//! copied with `std::fs::copy` (`copy_file_range`, as tssa copies). No checks, facts, links,
//! sanitising, search index, navigation, status pages or cache: what is left out is what tssa
//! adds on top. Remove the output folder before a run to measure a first build (hyperfine's
//! `--prepare`), so that removing it is not counted.
//!
//!   cargo bench --bench floor -- ROOT OUT [--highlight] [--assets]
//!
//! Without ROOT and OUT (as `cargo test --benches` runs it), the sample site in `content/`
//! into a temporary folder, every step on.
//!
//! Prints `floor: N documents, M assets, B bytes written in T ms` on stderr.
//! `benches/scale-run.sh` runs it beside tssa and Hugo (see benches/README.md).
//!
//! A plain `main` (harness = false). Until the manifest says so, cargo builds this file as a
//! test harness, where `main` is unused.
#![cfg_attr(test, allow(dead_code))]

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use rayon::prelude::*;
use tssa::analyse::highlight::Highlighter;

// The allocator tssa's binary uses, so that the floor is not measured with a slower one.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    root: PathBuf,
    out: PathBuf,
    highlight: bool,
    assets: bool,
}

fn main() {
    let mut sample_out = None;
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            let out = tempfile::tempdir().expect("a temporary folder");
            let args = Args {
                root: Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
                out: out.path().join("site"),
                highlight: true,
                assets: true,
            };
            sample_out = Some(out);
            args
        }
        Err(usage) => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let result = run(&args);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    // The sample's temporary folder is removed here, outside the time.
    drop(sample_out);
    match result {
        Ok((documents, assets, bytes)) => {
            eprintln!("floor: {documents} documents, {assets} assets, {bytes} bytes written in {ms:.1} ms")
        }
        Err(err) => {
            eprintln!("floor: {err}");
            std::process::exit(1);
        }
    }
}

/// `None`: no paths given, so the sample site is measured.
fn parse_args() -> Result<Option<Args>, String> {
    let usage = "usage: floor ROOT OUT [--highlight] [--assets]";
    // `cargo bench` adds `--bench`; it means nothing here.
    let words: Vec<String> = std::env::args().skip(1).filter(|w| w != "--bench").collect();
    let (flags, paths): (Vec<&String>, Vec<&String>) = words.iter().partition(|w| w.starts_with("--"));
    let (root, out) = match paths.as_slice() {
        [] if flags.is_empty() => return Ok(None),
        [root, out] => (root, out),
        _ => return Err(usage.to_owned()),
    };
    let mut args = Args {
        root: PathBuf::from(root),
        out: PathBuf::from(out),
        highlight: false,
        assets: false,
    };
    for flag in flags {
        match flag.as_str() {
            "--highlight" => args.highlight = true,
            "--assets" => args.assets = true,
            other => return Err(format!("unknown flag {other}\n{usage}")),
        }
    }
    Ok(Some(args))
}

/// Documents and assets written, and the bytes of the pages.
fn run(args: &Args) -> std::io::Result<(usize, usize, u64)> {
    let mut documents = Vec::new();
    let mut assets = Vec::new();
    for entry in walkdir::WalkDir::new(&args.root).sort_by_file_name() {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&args.root)
            .unwrap_or(entry.path())
            .to_path_buf();
        let is_markdown = rel.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("md"));
        match (is_markdown, args.assets) {
            (true, _) => documents.push(rel),
            (false, true) => assets.push(rel),
            (false, false) => {}
        }
    }
    let highlighter = args.highlight.then(Highlighter::new);
    let written = documents
        .par_iter()
        .map(|rel| write_page(&args.root, &args.out, rel, highlighter.as_ref()))
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    assets.par_iter().try_for_each(|rel| {
        let target = args.out.join(rel);
        make_parent(&target)?;
        fs::copy(args.root.join(rel), target).map(drop)
    })?;
    Ok((documents.len(), assets.len(), written))
}

fn write_page(
    root: &Path,
    out: &Path,
    rel: &Path,
    highlighter: Option<&Highlighter>,
) -> std::io::Result<u64> {
    let text = fs::read_to_string(root.join(rel))?;
    let mut page = String::with_capacity(text.len() * 2 + 256);
    page.push_str("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>");
    tssa::html::escape_into(&rel.to_string_lossy(), &mut page);
    page.push_str("</title><main>");
    render(&text, highlighter, &mut page);
    page.push_str("</main></html>\n");
    let target = out.join(rel).with_extension("html");
    make_parent(&target)?;
    fs::write(&target, &page)?;
    Ok(page.len() as u64)
}

/// The document as HTML; fenced code highlighted when asked, as one block of text.
fn render(text: &str, highlighter: Option<&Highlighter>, page: &mut String) {
    let parser = Parser::new_ext(text, tssa::markdown::options());
    let Some(highlighter) = highlighter else {
        pulldown_cmark::html::push_html(page, parser);
        return;
    };
    let mut fence: Option<(String, String)> = None;
    let mut events = Vec::new();
    for event in parser {
        match (event, &mut fence) {
            (Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))), None) => {
                fence = Some((info.into_string(), String::new()));
            }
            (Event::Text(code), Some((_, body))) => body.push_str(&code),
            (Event::End(TagEnd::CodeBlock), Some(_)) => {
                let (info, body) = fence.take().unwrap_or_default();
                let html = format!(
                    "<pre><code>{}</code></pre>\n",
                    highlighter.highlight(&info, &body)
                );
                events.push(Event::Html(html.into()));
            }
            (event, _) => events.push(event),
        }
    }
    pulldown_cmark::html::push_html(page, events.into_iter());
}

fn make_parent(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(parent) => fs::create_dir_all(parent),
        None => Ok(()),
    }
}
