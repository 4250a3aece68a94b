//! The commands' stages in order: `check` is load → analyse; `build` and `serve` are
//! load → analyse → render, then write or serve. This is the only place the stages meet.

use crate::analyse::{self, Analysis, Depth, DocumentCache};
use crate::config::Config;
use crate::error::Result;
use crate::model::Site;
use crate::output::{Collect, OutputFile, Sink};
use crate::render::pages::{Renderer, Templates};
use crate::theme::Theme;

/// Loads and analyses the site under `config`, without rendering a page.
pub fn check(config: &Config) -> Analysis {
    check_cached(config, None)
}

/// As [`check`], taking unchanged documents' findings from `cache`.
pub fn check_cached(config: &Config, cache: Option<&DocumentCache>) -> Analysis {
    check_loaded(config, crate::load::load(config), cache)
}

/// As [`check_cached`], on a site already loaded (through the parse cache).
pub fn check_loaded(config: &Config, site: Site, cache: Option<&DocumentCache>) -> Analysis {
    analyse::analyse(config, site, Depth::Findings, cache)
}

/// A built site in memory: the analysis it presents and its files.
pub struct Built {
    pub analysis: Analysis,
    pub files: Vec<OutputFile>,
}

/// Analyses a loaded site and renders it with the configured theme, into memory. `cache`
/// keeps rendered documents between the preview server's rebuilds.
pub fn build(config: &Config, site: Site, cache: Option<&DocumentCache>) -> Result<Built> {
    let collect = Collect::default();
    let analysis = build_into(config, site, cache, &collect)?;
    Ok(Built {
        analysis,
        files: collect.into_sorted(),
    })
}

/// Analyses a loaded site and hands each rendered file to `sink` as it is made (`build`
/// writes them straight into the staging folder, so the site is never held whole).
pub fn build_into(
    config: &Config,
    site: Site,
    cache: Option<&DocumentCache>,
    sink: &dyn Sink,
) -> Result<Analysis> {
    let theme = Theme::load(config.theme.as_deref())?;
    // Compiling the templates needs nothing of the analysis: do it on the side.
    let (templates, analysis) = rayon::join(
        || Templates::compile(&theme),
        || analyse::analyse(config, site, Depth::Pages, cache),
    );
    Renderer::with_templates(&analysis, &theme, templates?, config).render_to(sink)?;
    Ok(analysis)
}
