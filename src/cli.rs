//! The command line, as clap definitions only. `main` turns these into library calls.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use crate::term::{ColorWhen, Verbosity};

#[derive(Debug, Parser)]
#[command(
    name = "tssa",
    version,
    about = "Build, check and preview TAG Security & Compliance assessment (TSSA) packages"
)]
#[command(propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// How the terminal is spoken to; accepted before or after the subcommand.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Print only errors and the final summary (no progress line).
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more: `-v` timings and cache use, `-vv` also the paths resolved.
    #[arg(long, short, global = true, action = ArgAction::Count)]
    pub verbose: u8,
    /// Colour the output: `auto` only on a terminal, and never with NO_COLOR set.
    #[arg(long, value_enum, value_name = "WHEN", global = true, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

impl OutputArgs {
    pub fn verbosity(&self) -> Verbosity {
        Verbosity::from_flags(self.quiet, self.verbose)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the assessments repository into a static site.
    Build(BuildArgs),
    /// Judge every TSSA package against the process, without writing the site.
    Check(CheckArgs),
    /// Explain a diagnostic code (its default level, the stage that reports it, what it means);
    /// without a code, list them all.
    Explain(ExplainArgs),
    /// Start a new package folder from the guide's templates (never overwrites).
    New(NewArgs),
    /// Preview the site while editing: rebuilds on save and reloads the browser.
    Serve(ServeArgs),
    /// Release data for version coverage (the only command that uses the network).
    #[command(subcommand)]
    Releases(ReleasesCommand),
    /// Print a shell completion script for bash, zsh, fish, elvish or powershell.
    ///
    /// For example `tssa completions bash > ~/.local/share/bash-completion/completions/tssa`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command into a folder.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `tssa.1` and a `tssa-COMMAND.1` per command into this folder (made if missing)
    /// instead of printing `tssa.1`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ReleasesCommand {
    /// Ask the GitHub API for each project's releases (or tags) and write the releases data
    /// file (`releases.json` beside book.toml, or [coverage] releases). Sends GITHUB_TOKEN,
    /// when set, as a bearer token. Nothing is written unless the fetch succeeds.
    Fetch(FetchArgs),
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The repository root (default: the folder of book.toml, or the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// A book.toml to use instead of the one in the root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The GitHub API root (default: $GITHUB_API_URL, else https://api.github.com).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// The repository root (default: the folder of book.toml, or the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// A book.toml to use instead of the one in the root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Take each document's last-changed date from `git log` (needs git and a checkout).
    #[arg(long)]
    pub git: bool,
    /// Do not read or write the build cache (also `TSSA_NO_CACHE=1`). The cache keeps each
    /// document's result between runs in `$TSSA_CACHE_DIR`, else `$XDG_CACHE_HOME/tssa`, else
    /// `~/.cache/tssa`; it never changes what is built. Without it, a build whose pages pass
    /// 64 MiB keeps the rest in an unnamed scratch file in the temporary folder (`$TMPDIR`).
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Where to write the site (default: `public/` under the root, or [site] output).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The URL the site is served from, for the sitemap and canonical links.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Exit with 1 as `tssa check --deny` would (on any error, or also on warnings). Without
    /// it, a build that wrote the site exits 0: the site exists to show what packages lack.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings with the lines they quote, then a table of packages (cargo-like).
    Human,
    /// One versioned JSON document: units, facts, items and findings.
    Json,
    /// GitHub Actions workflow commands, shown as annotations on a pull request.
    Github,
    /// A SARIF 2.1.0 log, for GitHub code scanning (`github/codeql-action/upload-sarif`).
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Fail on any error (what `check` always does).
    Errors,
    /// Fail on any error or warning.
    Warnings,
}

impl Deny {
    /// Whether warnings fail the run too.
    pub fn warnings(deny: Option<Deny>) -> bool {
        deny == Some(Deny::Warnings)
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Limit the verdict to these projects (slug or folder name); repeatable.
    #[arg(long = "project", value_name = "NAME", conflicts_with = "changed_since")]
    pub projects: Vec<String>,
    /// Limit the verdict to what differs from the git revision REF (from where this branch left
    /// it, untracked files included): the units holding a changed file, findings in changed
    /// files, and broken links into them from anywhere. A changed book.toml, theme or releases
    /// file judges everything. With `--format github`, findings on changed lines are annotated
    /// there; the others are annotated on their file, with the line in the message. In CI:
    /// `--changed-since origin/main` (check out with full history).
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// `warnings`: treat warnings as errors for the exit code (`errors`, the default, fails on errors only).
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
}

/// The path a new package takes.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A code as printed in brackets, e.g. `link/broken`.
    #[arg(value_name = "CODE")]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NewPath {
    /// The abbreviated path: a self-assessment only.
    #[value(name = "self")]
    SelfAssessment,
    /// The joint path: self-assessment, joint assessment and summary README.
    Joint,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Folder name of the package: lowercase letters, digits and hyphens (`my-project`).
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The repository root (default: the folder of book.toml, or the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// A book.toml to use instead of the one in the root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Which path the package takes.
    #[arg(long, value_enum, default_value_t = NewPath::SelfAssessment)]
    pub path: NewPath,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Address to listen on. Anything but loopback lets other machines read the preview.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, value_name = "N", default_value_t = 3000)]
    pub port: u16,
    /// Open the preview in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Poll for changes instead of relying on file system events (WSL2, containers, network drives).
    #[arg(long)]
    pub poll: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
