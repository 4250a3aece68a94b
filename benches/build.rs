//! Build-pipeline benchmarks (criterion, `harness = false`). See `benches/README.md`.
//!
//! Groups:
//! - `corpus/<stage>`: the acceptance corpus at `$TSSA_CORPUS` (skipped with a note when unset);
//! - `synthetic-<N>/<stage>`: generated corpora of N project folders (default 50 and 500; set
//!   `TSSA_BENCH_SIZES=50,500,1000`), to show linear growth; throughput is per Markdown byte, so
//!   equal MiB/s across sizes means linear.
//!
//! Stages:
//! - `load`: discover + read + parse everything (`tssa::load::load`);
//! - `check`: judge a loaded site (`tssa::check::check`), nothing else;
//! - `load+check`: `tssa::pipeline::check`, i.e. `tssa check` minus printing;
//! - `render`: every page in memory from a finished analysis (`Renderer::render`);
//! - `load+render`: load + analyse + render, i.e. `tssa build` minus writing;
//! - `build`: config + load + check + render streamed into an output folder kept from the
//!   previous iteration, like repeated `tssa build` runs (unchanged assets are hard-linked);
//! - `build-cold`: the same into a removed output folder (every asset copied).
//!
//! Output goes to `/dev/shm` when it exists (tmpfs, as the targets were measured), else the
//! system temp folder.
//!
//! `TSSA_BENCH_GENERATE=DIR [TSSA_BENCH_PROJECTS=N]` writes a synthetic corpus to DIR and exits,
//! for hyperfine and `/usr/bin/time -v` runs of the real binary.

mod corpus_gen;

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput, measurement::WallTime};
use tempfile::TempDir;

use tssa::analyse::{Analysis, Depth};
use tssa::check::CheckConfig;
use tssa::config::{Config, Overrides};
use tssa::diagnostic::Level;
use tssa::output::OutputFile;
use tssa::render::pages::Renderer;
use tssa::theme::Theme;

fn main() {
    if let Ok(dir) = std::env::var("TSSA_BENCH_GENERATE") {
        generate_only(Path::new(&dir));
        return;
    }
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    match std::env::var_os("TSSA_CORPUS") {
        Some(root) => bench_tree(&mut criterion, "corpus", Source::Existing(PathBuf::from(root))),
        None => eprintln!(
            "note: TSSA_CORPUS is not set; skipping the acceptance-corpus group \
             (TSSA_CORPUS=../shared/corpus/tag-security cargo bench)"
        ),
    }
    for n in synthetic_sizes() {
        bench_tree(&mut criterion, &format!("synthetic-{n}"), Source::Synthetic(n));
    }
    criterion.final_summary();
}

/// `cargo bench` passes `--bench`; `cargo test --benches` does not, and criterion then runs each
/// benchmark once, in the unoptimised test profile. Test mode stays a smoke test of a few
/// seconds: a 5-project synthetic corpus through every stage, and the acceptance corpus (when
/// `TSSA_CORPUS` is set) through `build` only.
fn test_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    !has("--bench") || has("--test")
}

fn synthetic_sizes() -> Vec<usize> {
    if let Ok(list) = std::env::var("TSSA_BENCH_SIZES") {
        return list.split(',').filter_map(|n| n.trim().parse().ok()).collect();
    }
    if test_mode() { vec![5] } else { vec![50, 500] }
}

fn generate_only(dir: &Path) {
    let n = std::env::var("TSSA_BENCH_PROJECTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(50);
    let started = std::time::Instant::now();
    let stats = corpus_gen::generate(dir, n).expect("generating the synthetic corpus");
    eprintln!(
        "{}: {} in {:?}",
        dir.display(),
        describe(&stats),
        started.elapsed()
    );
}

fn describe(s: &corpus_gen::Stats) -> String {
    format!(
        "{} project folders, {} units, {} Markdown files ({} lines, {} KiB, {} code blocks), {} images ({} KiB)",
        s.project_folders,
        s.units,
        s.markdown_files,
        s.markdown_lines,
        s.markdown_bytes / 1024,
        s.code_blocks,
        s.images,
        s.image_bytes / 1024
    )
}

enum Source {
    Existing(PathBuf),
    Synthetic(usize),
}

/// A tree to build and everything the stages need, made on first use so that a filtered run
/// (`cargo bench -- corpus/`) does not generate corpora it will not measure.
struct Prepared {
    /// Holds the generated corpus and the output folder; removed on drop.
    _scratch: TempDir,
    root: PathBuf,
    out: PathBuf,
    config: Config,
    check_config: CheckConfig,
    /// Analysed with pages, as `build` does, for the `render` stage.
    analysis: Analysis,
    markdown_bytes: u64,
}

impl Prepared {
    fn new(name: &str, source: &Source) -> Prepared {
        let scratch = scratch_dir();
        let root = match source {
            Source::Existing(root) => root.clone(),
            Source::Synthetic(n) => {
                let root = scratch.path().join("corpus");
                let started = std::time::Instant::now();
                let stats = corpus_gen::generate(&root, *n).expect("generating the synthetic corpus");
                eprintln!(
                    "{name}: generated {} in {:?}",
                    describe(&stats),
                    started.elapsed()
                );
                root
            }
        };
        let out = scratch.path().join("out");
        let config = config_for(&root, &out);
        let check_config = tssa::analyse::check_config(&config, tssa::calendar::today());
        let built =
            tssa::pipeline::build(&config, tssa::load::load(&config), None).expect("building the site");
        let analysis = tssa::analyse::analyse(&config, tssa::load::load(&config), Depth::Pages, None);
        let site = &analysis.site;
        let findings: usize = analysis.report.units.iter().map(|u| u.findings.len()).sum();
        let levels = |level: Level| analysis.all_findings().filter(|d| d.level == level).count();
        let documents: usize = site.units.iter().map(|u| u.documents.len()).sum::<usize>()
            + site.process.len()
            + site.pages.len();
        let assets: usize = site.units.iter().map(|u| u.assets.len()).sum::<usize>() + site.files.len();
        eprintln!(
            "{name}: {} units, {documents} documents, {assets} assets, {} output files; \
             {} errors, {} warnings, {} infos, {findings} check findings; output in {}",
            site.units.len(),
            built.files.len(),
            levels(Level::Error),
            levels(Level::Warning),
            levels(Level::Info),
            out.display()
        );
        let markdown_bytes = markdown_bytes(&root);
        Prepared {
            _scratch: scratch,
            root,
            out,
            config,
            check_config,
            analysis,
            markdown_bytes,
        }
    }
}

fn config_for(root: &Path, out: &Path) -> Config {
    let overrides = Overrides {
        root: Some(root.to_path_buf()),
        out: Some(out.to_path_buf()),
        ..Overrides::default()
    };
    Config::load(&overrides).expect("loading the configuration")
}

/// On tmpfs when there is one, so disk speed does not blur the numbers.
fn scratch_dir() -> TempDir {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    tempfile::Builder::new()
        .prefix("tssa-bench-")
        .tempdir_in(base)
        .expect("creating a scratch folder")
}

fn markdown_bytes(root: &Path) -> u64 {
    walk(root)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("md")))
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => files.extend(walk(&path)),
            Ok(t) if t.is_file() => files.push(path),
            _ => {}
        }
    }
    files
}

fn render(analysis: &Analysis, config: &Config) -> Vec<OutputFile> {
    let theme = Theme::load(config.theme.as_deref()).expect("loading the theme");
    Renderer::new(analysis, &theme, config)
        .and_then(|r| r.render())
        .expect("rendering the site")
}

/// The whole `tssa build`: what the binary does minus printing.
fn full_build(root: &Path, out: &Path) -> usize {
    let config = config_for(root, out);
    let site = tssa::load::load(&config);
    let (_, stats) = tssa::output::write_site_with(&config.output, |staging| {
        tssa::pipeline::build_into(&config, site, None, staging)
    })
    .expect("building the site");
    stats.written + stats.copied + stats.reused
}

fn bench_tree(criterion: &mut Criterion, name: &str, source: Source) {
    let prepared: OnceCell<Prepared> = OnceCell::new();
    let get = || prepared.get_or_init(|| Prepared::new(name, &source));

    let mut group = criterion.benchmark_group(name);
    configure(&mut group);
    // Throughput needs the size up front; for a synthetic tree that means generating it now,
    // which only a filter that excludes the whole group would have avoided.
    if group_selected(name) {
        group.throughput(Throughput::Bytes(get().markdown_bytes.max(1)));
    }

    // In test mode the acceptance corpus only runs `build`, which goes through every stage.
    let quick = test_mode() && matches!(source, Source::Existing(_));
    let stage = |stage: &str| !quick || stage == "build";

    if stage("load") {
        group.bench_function("load", |b| {
            let p = get();
            b.iter(|| tssa::load::load(&p.config));
        });
    }
    if stage("check") {
        group.bench_function("check", |b| {
            let p = get();
            b.iter(|| tssa::check::check(&p.analysis.site, &p.check_config));
        });
    }
    if stage("load+check") {
        group.bench_function("load+check", |b| {
            let p = get();
            b.iter(|| tssa::pipeline::check(&p.config));
        });
    }
    if stage("render") {
        group.bench_function("render", |b| {
            let p = get();
            b.iter(|| render(&p.analysis, &p.config));
        });
    }
    if stage("load+render") {
        group.bench_function("load+render", |b| {
            let p = get();
            b.iter(|| tssa::pipeline::build(&p.config, tssa::load::load(&p.config), None));
        });
    }
    if stage("build") {
        group.bench_function("build", |b| {
            let p = get();
            b.iter(|| full_build(&p.root, &p.out));
        });
    }
    if stage("build-cold") {
        group.bench_function("build-cold", |b| {
            let p = get();
            b.iter_batched(
                || {
                    let _ = std::fs::remove_dir_all(&p.out);
                },
                |()| full_build(&p.root, &p.out),
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    // Flat sampling: a 500-project build takes long enough that linear sampling (55 iterations
    // for 10 samples) would overrun the measurement time many times over. Sample size and times
    // come from `main` (10 samples, 1 s warm-up, 3 s), so `--sample-size` etc. still override them.
    group.sampling_mode(SamplingMode::Flat);
}

const STAGES: [&str; 7] = [
    "load",
    "check",
    "load+check",
    "render",
    "load+render",
    "build",
    "build-cold",
];

/// Whether the filter given on the command line (`cargo bench -- synthetic-50`) may select a
/// benchmark of this group. Criterion matches it as a regex against `group/stage`; a substring
/// test of its literal prefix is a cheap, conservative approximation.
fn group_selected(name: &str) -> bool {
    const WITH_VALUE: [&str; 15] = [
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--profile-time",
        "--output-format",
        "--color",
        "--format",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut filters = Vec::new();
    let mut skip = false;
    for arg in &args {
        if std::mem::take(&mut skip) {
            continue;
        }
        if arg.starts_with('-') {
            skip = WITH_VALUE.contains(&arg.as_str());
        } else {
            filters.push(arg.as_str());
        }
    }
    filters.iter().all(|f| f.is_empty())
        || filters.iter().any(|f| {
            let literal: String = f
                .chars()
                .take_while(|c| c.is_alphanumeric() || "-_/".contains(*c))
                .collect();
            STAGES
                .iter()
                .any(|stage| format!("{name}/{stage}").contains(&literal))
        })
}
