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
    BuildArgs, CheckArgs, Cli, Command, CompletionsArgs, Deny, ExplainArgs, FetchArgs, Format, ManArgs,
    NewArgs, NewPath, OutputArgs, ReleasesCommand, SourceArgs,
};
use tssa::config::{Config, Overrides};
use tssa::diagnostic::{Diagnostic, Level};
use tssa::model::Site;
use tssa::term::{Env, Paint, Progress, Verbosity};

/// mimalloc rather than glibc's malloc: it takes memory from the system in large committed
/// runs, so a warm 10x build takes ~450 page faults instead of ~12,000 and spends a quarter
/// less CPU (benches/README, "seventh round"). Its version 2: version 3 keeps freed memory for
/// a second before returning it (`purge_delay`), which held ~100 MiB more at the peak of a
/// first 50x build (~390 vs ~290 MiB, over the 300 MiB budget) and was no faster anywhere
/// (benches/README, "eighth round").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = Ui::new(&cli.output);
    let result = match cli.command {
        Command::Build(args) => build(args, ui),
        Command::Check(args) => check(args, ui),
        Command::Explain(args) => explain(args),
        Command::New(args) => new(args, ui),
        Command::Serve(args) => serve(args, ui),
        Command::Releases(ReleasesCommand::Fetch(args)) => releases_fetch(args, ui),
        Command::Completions(args) => completions(args),
        Command::Man(args) => man(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{}: {err:#}", ui.err.level(Level::Error));
            ExitCode::from(2)
        }
    }
}

/// What the global flags and the environment decided about the terminal, once per run:
/// each stream coloured on its own terms, and whether a progress line may be drawn.
#[derive(Debug, Clone, Copy)]
struct Ui {
    verbosity: Verbosity,
    out: Paint,
    err: Paint,
    /// How long a task runs before its progress line shows; `None`: never.
    progress: Option<std::time::Duration>,
}

impl Ui {
    fn new(args: &OutputArgs) -> Ui {
        let env = Env::from_process();
        let verbosity = args.verbosity();
        let stderr = std::io::stderr().is_terminal();
        Ui {
            verbosity,
            out: Paint {
                on: tssa::term::colour(args.color, std::io::stdout().is_terminal(), env),
            },
            err: Paint {
                on: tssa::term::colour(args.color, stderr, env),
            },
            progress: tssa::term::progress_shown(verbosity, stderr, env).then(progress_delay),
        }
    }

    /// A progress line on stderr for a task that may take a while (hidden when not allowed).
    fn progress(&self, label: &str) -> Progress {
        match self.progress {
            Some(delay) => Progress::start_after(label, Box::new(std::io::stderr()), delay),
            None => Progress::hidden(),
        }
    }

    /// A line on stderr unless `-q`.
    fn say(&self, line: std::fmt::Arguments<'_>) {
        if !self.verbosity.quiet() {
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    }

    /// A line on stderr for `-v` (or only `-vv`, when `debug`).
    fn detail(&self, debug: bool, line: std::fmt::Arguments<'_>) {
        let least = if debug {
            Verbosity::Debug
        } else {
            Verbosity::Verbose
        };
        if self.verbosity >= least {
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    }

    /// The configuration as resolved, for `-vv`.
    fn resolved(&self, config: &Config, cache: Option<&std::path::Path>) {
        let shown =
            |path: Option<&std::path::Path>| path.map_or("none".to_owned(), |p| p.display().to_string());
        self.detail(true, format_args!("root: {}", config.root.display()));
        self.detail(true, format_args!("config: {}", shown(config.file.as_deref())));
        self.detail(true, format_args!("output: {}", config.output.display()));
        self.detail(true, format_args!("theme: {}", shown(config.theme.as_deref())));
        self.detail(true, format_args!("cache: {}", shown(cache)));
    }
}

/// `TSSA_PROGRESS_DELAY_MS` shortens the wait before a progress line, so the tests can see one
/// on a fixture that builds in a blink; otherwise [`tssa::term::PROGRESS_DELAY`].
fn progress_delay() -> std::time::Duration {
    std::env::var("TSSA_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(tssa::term::PROGRESS_DELAY, std::time::Duration::from_millis)
}

/// `tssa completions SHELL`: the script clap_complete derives from the definitions in cli.rs.
fn completions(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "tssa", &mut out);
    let _ = std::io::stdout().lock().write_all(&out);
    Ok(ExitCode::SUCCESS)
}

/// `tssa man`: `tssa.1` on stdout, or every command's page written into `--out`.
fn man(args: ManArgs) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    use clap::CommandFactory;
    let command = Cli::command();
    match args.out {
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("could not create `{}`", dir.display()))?;
            clap_mangen::generate_to(command, &dir)
                .with_context(|| format!("could not write the manual pages into `{}`", dir.display()))?;
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command).render(&mut out)?;
            let _ = std::io::stdout().lock().write_all(&out);
        }
    }
    Ok(ExitCode::SUCCESS)
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
fn new(args: NewArgs, ui: Ui) -> anyhow::Result<ExitCode> {
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
    if ui.verbosity.quiet() {
        return Ok(ExitCode::SUCCESS);
    }
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
fn releases_fetch(args: FetchArgs, ui: Ui) -> anyhow::Result<ExitCode> {
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
            // What was not asked, and why, is detail `-q` leaves out.
            None if ui.verbosity.quiet() => {}
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
    ui.say(format_args!(
        "asking {} about {} repositories ({})",
        options.api_url,
        repos.len(),
        if options.token.is_some() {
            "with GITHUB_TOKEN"
        } else {
            "without a token: 60 requests an hour"
        }
    ));
    let progress = ui.progress("fetching releases");
    progress.count("repositories", Some(repos.len()));
    let fetched = fetch::fetch(&repos, previous.as_ref(), &options, progress.counter());
    // Wiped before the warnings below, so no line is written over it.
    progress.finish();
    let report = fetched?;
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

fn build(args: BuildArgs, ui: Ui) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let overrides = Overrides {
        out: args.out.clone(),
        base_url: args.base_url.clone(),
        ..overrides(&args.source)
    };
    let config = Config::load(&overrides)?;
    ui.resolved(&config, cache_dir(&args.source, &config).as_deref());
    let progress = ui.progress("building");
    progress.stage("reading the repository");
    let attempt = |source: &SourceArgs, scratch: bool| {
        let (site, cache) = load_and_prefetch(&config, source, Depth::Pages);
        // Without a cache, pages' bodies past a bound go to a scratch file instead of memory.
        let scratch = (cache.is_none() && scratch).then(|| DocumentCache::scratch(std::env::temp_dir()));
        let loaded = started.elapsed();
        // What the previous build recorded of its pages, so those whose inputs are unchanged
        // are linked from it rather than rendered; beside the document cache, and off with it.
        let memo =
            cache_dir(source, &config).and_then(|dir| tssa::output::PageMemo::load(&dir, &config.output));
        progress.count("files written", None);
        // Pages go to disk as they are rendered, so the build never holds the whole site. The
        // previous site is removed while the report is printed (`removal`, waited for at the
        // end).
        let written = tssa::output::write_site_deferred(&config.output, memo.as_ref(), |staging| {
            let counted = tssa::output::Counted {
                sink: staging,
                count: progress.counter(),
            };
            tssa::pipeline::build_into(&config, site, cache.as_ref().or(scratch.as_ref()), &counted)
        });
        (written, cache, loaded)
    };
    let (mut written, mut cache, mut loaded) = attempt(&args.source, true);
    // The cache can only make a build faster: a file found damaged while the pages were
    // rendered (the output is left as it was) is dropped, and the site built again, which
    // writes the file afresh; should that one be found damaged too (it is read back while
    // written), the build is made without a cache or a scratch file, so that nothing on disk
    // but the repository can fail it.
    let uncached = SourceArgs {
        no_cache: true,
        ..args.source.clone()
    };
    for (source, scratch) in [(&args.source, true), (&uncached, false)] {
        let Err(err @ tssa::error::Error::CacheDamaged) = &written else {
            break;
        };
        eprintln!("warning: {err}; it is removed and the site built again");
        if let Some(cache) = &cache {
            cache.discard_pages();
        }
        (written, cache, loaded) = attempt(source, scratch);
    }
    let (built, stats, removal) = written?;
    // Wiped before anything else is printed, so no line is written over it.
    progress.finish();
    let analysis = &built;
    let site = &analysis.site;
    // Everything `check` reports, in file order.
    let mut shown: Vec<&Diagnostic> = analysis.all_findings().collect();
    shown.sort();
    print_diagnostics(shown, ui.verbosity.least_level(), ui.err);
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
    ui.detail(
        false,
        format_args!(
            "timings: {} ms reading, {} ms analysing, rendering and writing; cache: {}",
            loaded.as_millis(),
            (started.elapsed() - loaded).as_millis(),
            if cache.is_some() { "on" } else { "off" }
        ),
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

fn check(args: CheckArgs, ui: Ui) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let config = Config::load(&overrides(&args.source))?;
    ui.resolved(&config, cache_dir(&args.source, &config).as_deref());
    // Asked first: an unknown revision or a missing git stops the run before the analysis.
    let changes = match &args.changed_since {
        Some(reference) => Some(tssa::gitchanges::changed_since(&config.root, reference)?),
        None => None,
    };
    let (site, cache) = load_and_prefetch(&config, &args.source, Depth::Findings);
    let analysis = tssa::pipeline::check_loaded(&config, site, cache.as_ref());
    let restricted = if let Some(changes) = &changes {
        let everything = changes.everything_because(&config);
        let (report, diagnostics, scope) = tssa::check::restrict_to_changes(
            &analysis.site,
            &analysis.report,
            &analysis.findings,
            changes,
            everything,
        );
        if !ui.verbosity.quiet() {
            eprintln!("{}", scope.describe(&changes.reference));
        }
        Some((report, diagnostics))
    } else if args.projects.is_empty() {
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
            let least = ui.verbosity.least_level();
            tssa::check::format::human_from(report, diagnostics, &sources, ui.out.on, least)
        }
        Format::Json => tssa::check::format::json(&analysis.site, report, diagnostics),
        Format::Github => match &changes {
            Some(changes) => tssa::check::format::github_changes(report, diagnostics, changes),
            None => {
                tssa::check::format::github(report, diagnostics, sarif_anchor(&config).root_in_repository)
            }
        },
        Format::Sarif => tssa::check::format::sarif(report, diagnostics, &sarif_anchor(&config)),
    };
    // A closed pipe (`tssa check | head`) is not an error: stop writing and keep the verdict.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let failed = tssa::check::has_errors(report, diagnostics, Deny::warnings(args.deny));
    ui.detail(
        false,
        format_args!(
            "checked {} project units in {} ms; cache: {}",
            report.units.len(),
            started.elapsed().as_millis(),
            if cache.is_some() { "on" } else { "off" }
        ),
    );
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

/// Where `--format sarif`'s paths sit in the repository: under `[site] repository_path`, with
/// site-wide findings on book.toml when it lies under the root.
fn sarif_anchor(config: &Config) -> tssa::check::format::Anchor<'_> {
    tssa::check::format::Anchor {
        root_in_repository: config.repository.as_ref().map_or("", |r| r.path.as_str()),
        config_file: config
            .file
            .as_ref()
            .and_then(|file| file.strip_prefix(&config.root).ok())
            .and_then(|rel| rel.to_str()),
    }
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

/// Findings at `least` or above on stderr, one short block each (`check` quotes lines; a
/// build's log stays short).
fn print_diagnostics<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>, least: Level, paint: Paint) {
    // Buffered: a corpus build prints a few hundred lines, one write each otherwise.
    let mut out = std::io::BufWriter::new(std::io::stderr().lock());
    let arrow = paint.blue("-->");
    for d in diagnostics.into_iter().filter(|d| d.level >= least) {
        let code = paint.bold(&format!("[{}]", d.code));
        let _ = writeln!(out, "{}{code}: {}", paint.level(d.level), paint.bold(&d.message));
        match (&d.file, d.line) {
            (Some(file), Some(line)) => {
                let _ = writeln!(out, "  {arrow} {file}:{line}");
            }
            (Some(file), None) => {
                let _ = writeln!(out, "  {arrow} {file}");
            }
            _ => {}
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  {} {}: {help}", paint.blue("="), paint.bold("help"));
        }
    }
}

/// `tssa serve`: runs until Ctrl-C; only setup failures (config, port) return, with exit 2.
#[cfg(feature = "serve")]
fn serve(args: tssa::cli::ServeArgs, ui: Ui) -> anyhow::Result<ExitCode> {
    // The huge pages that make a build's allocations cheap (see `GLOBAL`) buy a rebuild
    // nothing measurable and doubled a long-running preview's resident set (45 → 90 MB on
    // the corpus, measured with mimalloc 3): the server keeps to small pages. Nothing depends
    // on it succeeding.
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let mut options = tssa::serve::ServeOptions::new(overrides(&args.source));
    options.bind = args.bind;
    options.port = args.port;
    options.open = args.open;
    options.poll = args.poll;
    tssa::serve::serve(
        options,
        std::sync::Arc::new(move |event| print_serve_event(event, ui)),
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "serve"))]
fn serve(_args: tssa::cli::ServeArgs, _ui: Ui) -> anyhow::Result<ExitCode> {
    anyhow::bail!("this tssa was built without the `serve` feature")
}

#[cfg(feature = "serve")]
fn print_serve_event(event: tssa::serve::Event, ui: Ui) {
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
            if !ui.verbosity.quiet() {
                let _ = writeln!(err, "Watching for changes; press Ctrl-C to stop.");
            }
        }
        Event::Warning(warning) if !ui.verbosity.quiet() => {
            let _ = writeln!(err, "{}: {warning}", ui.err.level(Level::Warning));
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
            let least = if initial {
                ui.verbosity.least_level()
            } else {
                Level::Error
            };
            print_diagnostics(&diagnostics, least, ui.err);
            for path in changed.iter().filter(|_| ui.verbosity >= Verbosity::Verbose) {
                let _ = writeln!(err, "  changed: {path}");
            }
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
            print_diagnostics(&problems, Level::Info, ui.err);
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
