//! The `tssa` binary: parses arguments, calls the library, prints, and picks the exit code.
//! Exit codes: 0 success (warnings allowed), 1 content errors, 2 could not run.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use tssa::cli::{BuildArgs, CheckArgs, Cli, Command, SourceArgs};
use tssa::config::{Config, Overrides};
use tssa::diagnostic::{Diagnostic, Level};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build(args),
        Command::Check(args) => check(args),
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
    Overrides { root: source.root.clone(), config: source.config.clone(), ..Overrides::default() }
}

fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let overrides = Overrides { out: args.out.clone(), base_url: args.base_url.clone(), ..overrides(&args.source) };
    let config = Config::load(&overrides)?;
    let site = tssa::load::load(&config);
    let rendered = tssa::render::pages::render_site(&site, &config)?;
    let stats = tssa::output::write_site(&config.output, &rendered.files)?;
    let mut diagnostics = site.diagnostics.clone();
    diagnostics.extend(rendered.diagnostics);
    diagnostics.sort();
    diagnostics.dedup();
    print_diagnostics(&diagnostics, args.quiet);
    let documents: usize = site.units.iter().map(|u| u.documents.len()).sum::<usize>() + site.process.len() + site.pages.len();
    let assets: usize = site.units.iter().map(|u| u.assets.len()).sum::<usize>() + site.files.len();
    let (errors, warnings) = count(&diagnostics);
    eprintln!(
        "built {} project units, {} documents, {} assets into {} in {} ms ({} pages written, {} files copied, {} reused); {} errors, {} warnings",
        site.units.len(),
        documents,
        assets,
        config.output.display(),
        started.elapsed().as_millis(),
        stats.written,
        stats.copied,
        stats.reused,
        errors,
        warnings
    );
    Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&overrides(&args.source))?;
    let site = tssa::load::load(&config);
    let diagnostics = site.diagnostics.clone();
    print_diagnostics(&diagnostics, false);
    let (errors, warnings) = count(&diagnostics);
    let _ = writeln!(std::io::stdout(), "{} project units; {errors} errors, {warnings} warnings", site.units.len());
    let denied = args.deny.is_some() && warnings > 0;
    Ok(if errors > 0 || denied { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.level == Level::Error).count();
    let warnings = diagnostics.iter().filter(|d| d.level == Level::Warning).count();
    (errors, warnings)
}

fn print_diagnostics(diagnostics: &[Diagnostic], quiet: bool) {
    let stderr = std::io::stderr();
    let mut out = stderr.lock();
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
