//! The stages every command shares: load the site, judge it, and (for `build` and `serve`)
//! render it. `check` is this without rendering, as in Zola.

use std::collections::BTreeMap;

use crate::check::{self, CheckConfig, Report, Ruleset};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Level};
use crate::error::Result;
use crate::model::Site;
use crate::render::pages::{RenderCache, Rendered, Renderer};

/// A loaded and judged site.
pub struct Analysis {
    pub site: Site,
    pub report: Report,
    /// Problems found while reading the site, with `[check.levels]` applied.
    pub diagnostics: Vec<Diagnostic>,
    /// How it was judged; rendering applies the same levels to what it finds.
    pub check_config: CheckConfig,
}

/// The checker's settings from `book.toml`.
pub fn check_config(config: &Config) -> CheckConfig {
    let levels: BTreeMap<String, Option<Level>> = config
        .levels
        .iter()
        .map(|(rule, level)| {
            let level = match level.as_str() {
                "error" => Some(Level::Error),
                "warning" => Some(Level::Warning),
                "info" => Some(Level::Info),
                _ => None,
            };
            (rule.clone(), level)
        })
        .collect();
    CheckConfig {
        default_ruleset: config.ruleset.as_deref().and_then(|r| r.parse::<Ruleset>().ok()),
        levels,
        today: crate::coverage::today(),
        renewal_months: config.renewal_months,
    }
}

/// Judges a loaded site.
pub fn analyse(config: &Config, site: Site) -> Analysis {
    let check_config = check_config(config);
    let report = check::check(&site, &check_config);
    let mut diagnostics = site.diagnostics.clone();
    check::apply_levels(&mut diagnostics, &check_config.levels);
    Analysis {
        site,
        report,
        diagnostics,
        check_config,
    }
}

/// Loads and judges the site under `config`.
pub fn load_and_check(config: &Config) -> Analysis {
    analyse(config, crate::load::load(config))
}

/// Renders a judged site (reusing `cache` when given, as the preview server does) and levels
/// what rendering found (broken links, odd HTML) by the same `[check.levels]`.
pub fn render(analysis: &Analysis, config: &Config, cache: Option<&RenderCache>) -> Result<Rendered> {
    let renderer = Renderer::new(&analysis.site, &analysis.report, config)?;
    let renderer = match cache {
        Some(cache) => renderer.with_cache(cache),
        None => renderer,
    };
    let mut rendered = renderer.render()?;
    check::apply_levels(&mut rendered.diagnostics, &analysis.check_config.levels);
    Ok(rendered)
}

/// Every problem of a build, reading and rendering together, sorted and without repeats.
pub fn build_diagnostics(analysis: &Analysis, rendered: &Rendered) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = analysis
        .diagnostics
        .iter()
        .chain(&rendered.diagnostics)
        .cloned()
        .collect();
    diagnostics.sort();
    diagnostics.dedup();
    diagnostics
}
