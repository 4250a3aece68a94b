//! The `tssa` binary: parses arguments, calls the library, prints, and picks the exit code.
//! Exit codes: 0 success (warnings allowed), 1 content errors, 2 could not run.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use rayon::prelude::*;

use tssa::analyse::{Depth, DocumentCache};
use tssa::cli::{
    BuildArgs, CheckArgs, Cli, Command, Deny, ExplainArgs, FetchArgs, Format, NewArgs, NewPath,
    ReleasesCommand, SourceArgs,
};
use tssa::config::{Config, Overrides};
use tssa::diagnostic::{Diagnostic, Level};
use tssa::model::Site;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build(args),
        Command::Check(args) => check(args),
        Command::Explain(args) => explain(args),
        Command::New(args) => new(args),
        Command::Serve(args) => serve(args),
        Command::Releases(ReleasesCommand::Fetch(args)) => releases_fetch(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn overrides(source: &SourceArgs) -> Overrides {
    Overrides {
        root: source.root.clone(),
        config: source.config.clone(),
        git: source.git,
        ..Overrides::default()
    }
}

/// The build cache's folder, unless turned off or unavailable (then the run goes uncached).
fn cache_dir(source: &SourceArgs, config: &Config) -> Option<std::path::PathBuf> {
    if source.no_cache {
        return None;
    }
    tssa::analyse::store::locate(&config.root, &config.output)
}

/// Loads the site (through the parse cache) and, on a thread beside it, reads the document
/// cache for a run at `depth`: the walk of the tree uses one core, so the other reads the file.
fn load_and_prefetch(config: &Config, source: &SourceArgs, depth: Depth) -> (Site, Option<DocumentCache>) {
    let dir = cache_dir(source, config);
    let cache = dir.clone().map(DocumentCache::on_disk);
    let site = std::thread::scope(|scope| {
        if let Some(cache) = &cache {
            scope.spawn(move || cache.prefetch(depth));
        } else if depth == Depth::Pages {
            // Uncached, every document with code is highlighted: load the syntax set on that
            // idle core now, not when the first two documents with code wait for it.
            std::thread::spawn(tssa::analyse::highlight::Highlighter::warm);
        }
        tssa::load::load_with_disk_cache(config, dir.as_deref())
    });
    (site, cache)
}

/// glibc gives each thread but the first a heap of its own and makes it usable a page or two
/// at a time, one `mprotect` each (700 of a warm `check`'s system calls and 1,100 of a warm build's, for the ~3 MiB each
/// worker's heap grows to on the corpus). Each worker of the pool takes and frees 3 MiB in
/// blocks below the size glibc maps on its own (writing none of it), so its heap is made
/// usable in 24 calls; the freed pages go back to the system but stay usable, and later
/// growth within them needs no call. Nothing depends on it: a pool already started, or
/// another allocator, just goes without.
fn grow_heaps_at_once() {
    const BLOCK: usize = 120 << 10;
    let _ = rayon::ThreadPoolBuilder::new()
        .start_handler(|_| {
            let blocks: Vec<Vec<u8>> = (0..24).map(|_| Vec::with_capacity(BLOCK)).collect();
            drop(std::hint::black_box(blocks));
        })
        .build_global();
}

/// The configuration for a command that takes only `--root` and `--config`.
fn config_at(
    root: &Option<std::path::PathBuf>,
    config: &Option<std::path::PathBuf>,
) -> anyhow::Result<Config> {
    Ok(Config::load(&Overrides {
        root: root.clone(),
        config: config.clone(),
        ..Overrides::default()
    })?)
}

/// `tssa new`: refusals (unsafe name, existing folder) are errors, so they exit with 2.
fn new(args: NewArgs) -> anyhow::Result<ExitCode> {
    let config = config_at(&args.root, &args.config)?;
    let path = match args.path {
        NewPath::SelfAssessment => tssa::new::PackagePath::SelfAssessment,
        NewPath::Joint => tssa::new::PackagePath::Joint,
    };
    let today = tssa::calendar::today().map(|d| d.to_string()).unwrap_or_default();
    let plan = tssa::new::plan(&config, &args.name, path, &today)?;
    tssa::new::write(&plan)?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "created {}/ ({} path, status draft)",
        plan.rel_dir,
        path.name()
    );
    for file in &plan.files {
        let _ = writeln!(out, "  {} (outline from {})", file.name, file.from);
    }
    let _ = writeln!(
        out,
        "next: replace every `{}` line, then run `tssa check --project {}`",
        tssa::new::TODO,
        args.name
    );
    Ok(ExitCode::SUCCESS)
}

/// `tssa releases fetch`: every unit's project repository asked of the GitHub API, the data
/// file written only when that succeeded (exit 2 otherwise, the old file untouched).
fn releases_fetch(args: FetchArgs) -> anyhow::Result<ExitCode> {
    use tssa::releases::{self, fetch};
    let config = config_at(&args.root, &args.config)?;
    let target = &config.releases_target;
    if target.extension().is_none_or(|e| e != "json") {
        anyhow::bail!(
            "[coverage] releases names `{}`: `tssa releases fetch` writes JSON; name a .json file such as releases.json",
            target.display()
        );
    }
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let options = fetch::Options {
        api_url: args
            .api_url
            .or_else(|| env("GITHUB_API_URL"))
            .unwrap_or_else(|| "https://api.github.com".to_owned()),
        token: env("GITHUB_TOKEN"),
        today: tssa::calendar::today().map(|d| d.to_string()).unwrap_or_default(),
    };
    fetch::check_api_url(&options.api_url)?;
    let previous = previous_releases(&config);
    let site = tssa::load::load(&config);
    let mut repos = BTreeSet::new();
    for unit in &site.units {
        let found = releases::unit_repos(unit);
        match found.primary {
            Some(repo) => {
                repos.insert(repo);
            }
            None if found.skipped.is_empty() => {
                eprintln!("skipped: {}: its facts name no repository", unit.slug)
            }
            None => eprintln!(
                "skipped: {}: no GitHub repository among {} (another host, or an organisation)",
                unit.slug,
                found.skipped.join(", ")
            ),
        }
    }
    let repos: Vec<_> = repos.into_iter().collect();
    eprintln!(
        "asking {} about {} repositories ({})",
        options.api_url,
        repos.len(),
        if options.token.is_some() {
            "with GITHUB_TOKEN"
        } else {
            "without a token: 60 requests an hour"
        }
    );
    let report = fetch::fetch(&repos, previous.as_ref(), &options)?;
    for (repo, kept) in &report.not_found {
        let kept = if *kept { "; its previous data is kept" } else { "" };
        eprintln!(
            "warning: {repo}: the API does not know this repository (404){kept}; check the package's Software link"
        );
    }
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    fetch::save(target, &report.data)
        .map_err(|err| anyhow::anyhow!("cannot write {}: {err}", target.display()))?;
    let count: usize = report.data.repositories.values().map(|h| h.releases.len()).sum();
    println!(
        "wrote {} ({} repositories, {count} releases)",
        target.display(),
        report.data.repositories.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The data file as it is, for the entries a repository that is now not found keeps. A
/// file that cannot be read is reported and left for the fetch to replace.
fn previous_releases(config: &Config) -> Option<tssa::releases::Data> {
    let path = config.releases.as_ref()?;
    let text = tssa::fsread::read_capped_string(path, config.limits.file_bytes)
        .map_err(|err| {
            eprintln!(
                "warning: cannot read {}: {err}; it will be replaced",
                path.display()
            )
        })
        .ok()?;
    tssa::releases::Data::parse(&text, &path.display().to_string())
        .map_err(|d| eprintln!("warning: {}; it will be replaced", d.message))
        .ok()
}

fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    grow_heaps_at_once();
    let overrides = Overrides {
        out: args.out.clone(),
        base_url: args.base_url.clone(),
        ..overrides(&args.source)
    };
    let config = Config::load(&overrides)?;
    let (site, cache) = load_and_prefetch(&config, &args.source, Depth::Pages);
    // What the previous build recorded of its pages, so those whose inputs are unchanged are
    // linked from it rather than rendered; beside the document cache, and off with it.
    let memo =
        cache_dir(&args.source, &config).and_then(|dir| tssa::output::PageMemo::load(&dir, &config.output));
    // Pages go to disk as they are rendered, so the build never holds the whole site. The
    // previous site is removed while the report is printed (`removal`, waited for at the end).
    let (built, stats, removal) =
        tssa::output::write_site_deferred(&config.output, memo.as_ref(), |staging| {
            tssa::pipeline::build_into(&config, site, cache.as_ref(), staging)
        })?;
    let analysis = &built;
    let site = &analysis.site;
    // Everything `check` reports, in file order.
    let mut shown: Vec<&Diagnostic> = analysis.all_findings().collect();
    shown.sort();
    print_diagnostics(shown, args.quiet);
    let documents: usize =
        site.units.iter().map(|u| u.documents.len()).sum::<usize>() + site.process.len() + site.pages.len();
    let assets: usize = site.units.iter().map(|u| u.assets.len()).sum::<usize>() + site.files.len();
    eprintln!(
        "built {} project units, {} documents, {} assets into {} in {} ms ({} pages written, {} kept, {} files copied, {} reused); {}",
        site.units.len(),
        documents,
        assets,
        config.output.display(),
        started.elapsed().as_millis(),
        stats.written,
        stats.kept,
        stats.copied,
        stats.reused,
        analysis.counts()
    );
    let failed = args.deny.is_some() && analysis.fails(Deny::warnings(args.deny));
    // As `check`: the OS frees the model and every rendered document at exit faster than
    // dropping them one by one (the document cache is dropped as usual).
    std::mem::forget(built);
    drop(removal);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    grow_heaps_at_once();
    let config = Config::load(&overrides(&args.source))?;
    let (site, cache) = load_and_prefetch(&config, &args.source, Depth::Findings);
    let analysis = tssa::pipeline::check_loaded(&config, site, cache.as_ref());
    let restricted = if args.projects.is_empty() {
        None
    } else {
        let restricted = tssa::check::restrict(&analysis.report, &analysis.findings, &args.projects)
            .map_err(|unmatched| {
                anyhow::anyhow!(
                    "no project unit named {}; see `tssa check` for the list",
                    unmatched.join(", ")
                )
            })?;
        Some(restricted)
    };
    let (report, diagnostics) = match &restricted {
        Some((report, diagnostics)) => (report, diagnostics.as_slice()),
        None => (&analysis.report, analysis.findings.as_slice()),
    };
    let text = match args.format {
        Format::Human => {
            let color =
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let (root, cap) = (&config.root, config.limits.file_bytes);
            // Capped as the build reads: a file refused as too large is named, not read here.
            let read = |file: &str| tssa::fsread::read_capped_string(&root.join(file), cap).ok();
            // The files whose lines the report quotes, read on every core up front rather
            // than one after another while it is written (an info finding quotes none).
            let quoted: BTreeSet<&str> = diagnostics
                .iter()
                .chain(report.units.iter().flat_map(|unit| &unit.findings))
                .filter(|d| d.line.is_some() && d.level != tssa::diagnostic::Level::Info)
                .filter_map(|d| d.file.as_ref().map(|f| f.as_str()))
                .collect();
            let texts: HashMap<&str, Option<String>> =
                quoted.into_par_iter().map(|file| (file, read(file))).collect();
            // `human` asks for each file once, so a text read up front is handed over, not copied.
            let texts = RefCell::new(texts);
            let sources = |file: &str| match texts.borrow_mut().remove(file) {
                Some(text) => text,
                None => read(file),
            };
            tssa::check::format::human(report, diagnostics, &sources, color)
        }
        Format::Json => tssa::check::format::json(&analysis.site, report, diagnostics),
        Format::Github => tssa::check::format::github(report, diagnostics),
    };
    // A closed pipe (`tssa check | head`) is not an error: stop writing and keep the verdict.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let failed = tssa::check::has_errors(report, diagnostics, Deny::warnings(args.deny));
    // The model and report are freed by the OS at exit: dropping them piece by piece was a
    // few per cent of a warm check. (The document cache is dropped as usual.)
    std::mem::forget(restricted);
    std::mem::forget(analysis);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `tssa explain`: one code, or the whole registry. An unknown code is an error (exit 2)
/// that suggests the nearest one.
fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    use tssa::diagnostic::codes;
    let line = |r: &codes::Rule| {
        format!(
            "{}  ({}, {} stage)\n  {}\n",
            r.id,
            r.level,
            r.stage.name(),
            r.summary
        )
    };
    let text = match args.code.as_deref() {
        None => codes::CODES.iter().map(line).collect::<Vec<_>>().join(""),
        Some(code) => match codes::lookup(code.trim()) {
            Some(rule) => line(rule),
            None => {
                let hint = codes::nearest(code.trim())
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                anyhow::bail!("`{code}` is not a tssa diagnostic code{hint} (`tssa explain` lists them all)");
            }
        },
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

fn print_diagnostics<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>, quiet: bool) {
    // Buffered: a corpus build prints a few hundred lines, one write each otherwise.
    let mut out = std::io::BufWriter::new(std::io::stderr().lock());
    for d in diagnostics {
        if quiet && d.level != Level::Error {
            continue;
        }
        let _ = writeln!(out, "{}[{}]: {}", d.level, d.code, d.message);
        match (&d.file, d.line) {
            (Some(file), Some(line)) => {
                let _ = writeln!(out, "  --> {file}:{line}");
            }
            (Some(file), None) => {
                let _ = writeln!(out, "  --> {file}");
            }
            _ => {}
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  = help: {help}");
        }
    }
}

/// `tssa serve`: runs until Ctrl-C; only setup failures (config, port) return, with exit 2.
#[cfg(feature = "serve")]
fn serve(args: tssa::cli::ServeArgs) -> anyhow::Result<ExitCode> {
    let mut options = tssa::serve::ServeOptions::new(overrides(&args.source));
    options.bind = args.bind;
    options.port = args.port;
    options.open = args.open;
    options.poll = args.poll;
    tssa::serve::serve(options, std::sync::Arc::new(print_serve_event))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "serve"))]
fn serve(_args: tssa::cli::ServeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("this tssa was built without the `serve` feature")
}

#[cfg(feature = "serve")]
fn print_serve_event(event: tssa::serve::Event) {
    use tssa::serve::Event;
    // Not eprintln!, which panics when stderr is gone: this runs on the server's threads.
    let mut err = std::io::stderr();
    let changes = |changed: &[String]| match changed {
        [] => "changes".to_owned(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
    };
    match event {
        Event::Listening { url } => {
            // Tests and scripts read the URL from stdout, so it goes out at once.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "Serving {url}");
            let _ = out.flush();
            let _ = writeln!(err, "Watching for changes; press Ctrl-C to stop.");
        }
        Event::Warning(warning) => {
            let _ = writeln!(err, "warning: {warning}");
        }
        Event::Built {
            initial,
            changed,
            duration,
            files,
            changed_files,
            cache,
            diagnostics,
        } => {
            // After the first build, warnings were already shown once; repeat only errors.
            print_diagnostics(&diagnostics, !initial);
            let tssa::diagnostic::Counts { errors, warnings, .. } =
                tssa::diagnostic::Counts::of(&diagnostics);
            let what = if initial {
                "built".to_owned()
            } else {
                format!("rebuilt after {}:", changes(&changed))
            };
            let _ = writeln!(
                err,
                "{what} {files} files in {} ms ({changed_files} changed; {} documents parsed, {} reused); {errors} errors, {warnings} warnings",
                duration.as_millis(),
                cache.parsed,
                cache.reused
            );
        }
        Event::Rejected {
            changed,
            duration,
            problems,
        } => {
            print_diagnostics(&problems, false);
            let _ = writeln!(
                err,
                "rebuild after {} failed in {} ms; still serving the last good build (the browser shows the errors)",
                changes(&changed),
                duration.as_millis()
            );
        }
        _ => {}
    }
}
