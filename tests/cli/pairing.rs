//! Pages pair each unit with its own verdict and coverage row, by slug: shuffling the
//! analysis's lists changes no page (a positional pairing fails these).

use std::path::PathBuf;

use tssa::analyse::{self, Analysis, Depth};
use tssa::config::{Config, Overrides};
use tssa::output::{Content, OutputFile};
use tssa::render::pages::Renderer;
use tssa::theme::Theme;

fn fixture() -> (Config, Analysis) {
    let overrides = Overrides {
        root: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good")),
        ..Overrides::default()
    };
    let config = Config::load(&overrides).expect("loading the fixture's configuration");
    let site = tssa::load::load(&config);
    let analysis = analyse::analyse(&config, site, Depth::Pages, None);
    assert!(analysis.site.units.len() > 1, "the fixture needs units to mix up");
    (config, analysis)
}

fn render(analysis: &Analysis, config: &Config) -> Vec<OutputFile> {
    let theme = Theme::load(config.theme.as_deref()).expect("loading the theme");
    Renderer::new(analysis, &theme, config)
        .expect("compiling the templates")
        .render()
        .expect("rendering the fixture")
}

fn text<'f>(files: &'f [OutputFile], path: &str) -> &'f str {
    let file = files.iter().find(|f| f.path == path).expect(path);
    match &file.content {
        Content::Bytes(bytes) => std::str::from_utf8(bytes).expect("UTF-8 page"),
        other => panic!("{path} is not bytes: {other:?}"),
    }
}

#[test]
fn verdicts_follow_their_unit_not_their_position() {
    let (config, mut analysis) = fixture();
    let expected = render(&analysis, &config);
    analysis.report.units.reverse();
    let actual = render(&analysis, &config);
    // The API lists units in the report's order; every page must not care.
    let pages = |files: &[OutputFile]| -> Vec<OutputFile> {
        files
            .iter()
            .filter(|f| f.path != "api/projects.json")
            .cloned()
            .collect()
    };
    assert_eq!(pages(&actual), pages(&expected));
}

#[test]
fn coverage_rows_follow_their_unit_not_their_position() {
    let (config, mut analysis) = fixture();
    let expected = render(&analysis, &config);
    analysis.coverage.rows.reverse();
    let actual = render(&analysis, &config);
    // Rows come out in the new order, but each with its own unit's paths shortened.
    let lines = |files: &[OutputFile]| {
        let mut lines: Vec<String> = text(files, "coverage/index.html")
            .lines()
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(lines(&actual), lines(&expected));
}
