//! The process documents, the process at a glance (both paths' steps with how many units
//! pass each), and links from checklist items into the process text.

use serde::Serialize;

use super::{Crumb, Link, Renderer, urls};
use crate::analyse::links::relative_url;
use crate::check::ItemState;
use crate::error::Result;
use crate::model::Document;
use crate::output::OutputFile;
use crate::render::svg;

/// Where the glance page lives.
const GLANCE_URL: &str = "process/glance.html";

/// The steps of both paths, for a site with no units to take item titles from.
const STEP_TITLES: [(&str, &str); 17] = [
    ("A1", "Complete a self-assessment"),
    ("A2", "Create a presentation issue"),
    ("A3", "Present at a TAG meeting"),
    ("A4", "Submit the self-assessment in a pull request"),
    ("B0", "Preconditions for a joint assessment"),
    ("B1", "Tracking issue"),
    ("B2", "Draft the joint assessment"),
    ("B3", "Lead and additional reviewers"),
    ("B4", "Conflict-of-interest statements"),
    ("B5", "Clarifying questions"),
    ("B6", "Security assessment"),
    ("B7", "Presentation with slides"),
    ("B8", "Final summary with the version covered"),
    ("B9", "Co-chair approval and merge"),
    ("B10", "Post-assessment survey"),
    ("B11", "Process notes (turnaround, pause)"),
    ("B12", "Yearly renewal"),
];

impl Renderer<'_> {
    /// The process document at `index` of `nav`, with previous and next links along it.
    pub(super) fn process_page(&self, doc: &Document, nav: &[&Document], index: usize) -> Result<OutputFile> {
        let mut context = self.document_context(doc, "process");
        context.insert("nav_label", "Process");
        let mut process_nav = self.nav(&doc.url, nav, Some(index), relative_url(&doc.url, GLANCE_URL));
        process_nav.links.insert(0, glance_link(&doc.url, false));
        process_nav.insert_into(&mut context);
        let crumbs = vec![
            Crumb {
                title: "Process".into(),
                url: Some(relative_url(&doc.url, &urls::pretty(&self.site.process[0].url))),
            },
            Crumb {
                title: doc.title.clone(),
                url: None,
            },
        ];
        context.insert("crumbs", &crumbs);
        let link = |d: &&Document| Link {
            title: d.title.clone(),
            url: relative_url(&doc.url, &d.url),
            current: false,
        };
        context.insert("prev", &index.checked_sub(1).and_then(|i| nav.get(i)).map(link));
        context.insert("next", &nav.get(index + 1).map(link));
        self.page(&doc.url, "document.html", context)
    }

    pub(super) fn glance_page(&self) -> Result<OutputFile> {
        let mut context = self.context(GLANCE_URL, "The process at a glance", "process");
        let lanes = self.glance_lanes();
        let svg_lanes: Vec<svg::Lane> = lanes
            .iter()
            .map(|lane| svg::Lane {
                title: lane.title.to_owned(),
                steps: lane
                    .steps
                    .iter()
                    .map(|s| svg::Step {
                        id: s.id.clone(),
                        title: s.title.clone(),
                        passed: s.passed,
                        total: s.total,
                    })
                    .collect(),
            })
            .collect();
        // The one page that lists every process document: the others' sidebars link here.
        let nav: Vec<Link> = std::iter::once(glance_link(GLANCE_URL, true))
            .chain(self.site.process.iter().map(|d| Link {
                title: d.title.clone(),
                url: relative_url(GLANCE_URL, &d.url),
                current: false,
            }))
            .collect();
        context.insert("nav", &nav);
        context.insert("nav_before", &0);
        context.insert("nav_after", &0);
        context.insert("nav_all", "");
        context.insert("units", &self.site.units.len());
        context.insert("lanes", &lanes);
        context.insert("diagram_svg", &svg::process_diagram("process-steps", &svg_lanes));
        self.page(GLANCE_URL, "glance.html", context)
    }

    /// Path A's steps, then path B's, each with how many units pass it of those it applies
    /// to. Titles and process links come from the first unit's checklist, which lists every
    /// item.
    fn glance_lanes(&self) -> Vec<LaneView> {
        let first = self.report.units.first();
        let mut lanes = vec![
            LaneView {
                title: "Path A: abbreviated assessment (self-assessment)",
                steps: Vec::new(),
            },
            LaneView {
                title: "Path B: joint assessment",
                steps: Vec::new(),
            },
        ];
        for (id, fallback) in STEP_TITLES {
            let item = first.and_then(|u| u.items.iter().find(|i| i.id.as_str() == id));
            let (mut passed, mut total) = (0, 0);
            for unit in &self.report.units {
                if let Some(state) = unit.items.iter().find(|i| i.id.as_str() == id).map(|i| i.state)
                    && !matches!(state, ItemState::NotApplicable | ItemState::Exempt)
                {
                    total += 1;
                    passed += usize::from(state == ItemState::Passed);
                }
            }
            let lane = usize::from(id.starts_with('B'));
            lanes[lane].steps.push(GlanceStep {
                id: id.to_owned(),
                title: item.map_or_else(|| fallback.to_owned(), |i| i.title.clone()),
                passed,
                total,
                url: item
                    .and_then(|i| self.process_link(&i.process_ref.doc, &i.process_ref.heading, GLANCE_URL)),
            });
        }
        lanes
    }

    /// The URL of a process document section, when the site has that document.
    pub(super) fn process_link(&self, doc: &str, heading: &str, page_url: &str) -> Option<String> {
        let target = self
            .site
            .process
            .iter()
            .find(|d| d.rel.eq_ignore_ascii_case(doc))?;
        let wanted = normalise_heading(heading);
        let headings = &target.outline.headings;
        let id = headings
            .iter()
            .find(|h| normalise_heading(&h.text) == wanted)
            .or_else(|| {
                headings
                    .iter()
                    .find(|h| normalise_heading(&h.text).contains(&wanted))
            })
            .map(|h| h.id.clone());
        let url = relative_url(page_url, &target.url);
        Some(match id {
            Some(id) if !id.is_empty() => format!("{url}#{id}"),
            _ => url,
        })
    }
}

fn glance_link(from: &str, current: bool) -> Link {
    Link {
        title: "Process at a glance".to_owned(),
        url: relative_url(from, GLANCE_URL),
        current,
    }
}

/// Heading text compared loosely: case, emphasis and trailing punctuation ignored.
fn normalise_heading(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[derive(Serialize)]
struct LaneView {
    title: &'static str,
    steps: Vec<GlanceStep>,
}

#[derive(Serialize)]
struct GlanceStep {
    id: String,
    title: String,
    passed: usize,
    total: usize,
    url: Option<String>,
}
