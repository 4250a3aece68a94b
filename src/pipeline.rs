//! The commands' stages in order: `check` is load → analyse; `build` and `serve` are
//! load → analyse → render, then write or serve. This is the only place the stages meet.

use std::sync::Arc;

use crate::analyse::{self, Analysis, Depth, DocumentCache};
use crate::config::Config;
use crate::error::Result;
use crate::model::Site;
use crate::output::{Collect, OutputFile, Sink};
use crate::render::pages::{Renderer, Templates};
use crate::theme::Theme;

/// Loads and analyses the site under `config`, without rendering a page.
pub fn check(config: &Config) -> Analysis {
    check_loaded(config, crate::load::load(config), None)
}

/// Analyses a site already loaded (through the parse cache), taking unchanged documents'
/// findings from `cache`.
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
    let themed = Themed {
        theme,
        templates: Arc::new(templates?),
    };
    let mut analysis = analysis;
    render_into(config, &mut analysis, &themed, sink)?;
    Ok(analysis)
}

/// The theme and its compiled templates: the preview server keeps them from one rebuild to
/// the next for as long as neither the theme nor the configuration changes.
pub struct Themed {
    theme: Theme,
    templates: Arc<Templates>,
}

impl Themed {
    /// The configured theme, compiled; fails on a missing theme folder or a template error.
    pub fn load(config: &Config) -> Result<Themed> {
        let theme = Theme::load(config.theme.as_deref())?;
        let templates = Arc::new(Templates::compile(&theme)?);
        Ok(Themed { theme, templates })
    }
}

/// As [`build_into`], with a theme already loaded and compiled.
pub fn build_themed(
    config: &Config,
    site: Site,
    cache: Option<&DocumentCache>,
    themed: &Themed,
    sink: &dyn Sink,
) -> Result<Analysis> {
    let mut analysis = analyse::analyse(config, site, Depth::Pages, cache);
    render_into(config, &mut analysis, themed, sink)?;
    Ok(analysis)
}

fn render_into(config: &Config, analysis: &mut Analysis, themed: &Themed, sink: &dyn Sink) -> Result<()> {
    // Bodies the analysis left in the build cache are read as their pages are rendered; a
    // theme that puts the body into the page's context needs them all first.
    if !themed.templates.splices_body() {
        analysis.load_bodies()?;
    }
    let analysis = &*analysis;
    let renderer = Renderer::with_templates(analysis, &themed.theme, Arc::clone(&themed.templates), config);
    // Pages are keyed only for a sink that may hold them from before (a warm build, serve).
    let renderer = if sink.remembers() {
        renderer.remembering(sink)
    } else {
        renderer
    };
    renderer.render_to(sink)
}
