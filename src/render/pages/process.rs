//! The process documents, the process at a glance (both paths' steps with how many units
//! pass each), and links from checklist items into the process text.

use std::collections::HashMap;

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
        self.body_page(&doc.url, "document.html", self.body(doc), |context| {
            self.fill_document(context, doc, "process");
            let title = process_title(doc);
            context.insert("page_title", &title);
            context.insert("nav_label", "Process");
            let mut process_nav = self.nav(&doc.url, nav, Some(index), relative_url(&doc.url, GLANCE_URL));
            for (link, shown) in process_nav.links.iter_mut().zip(&nav[process_nav.before..]) {
                link.title = process_title(shown);
            }
            process_nav.links.insert(0, glance_link(&doc.url, false));
            process_nav.insert_into(context);
            let crumbs = vec![
                Crumb {
                    title: "Process".into(),
                    url: Some(relative_url(&doc.url, &urls::pretty(&self.site.process[0].url))),
                },
                Crumb { title, url: None },
            ];
            context.insert("crumbs", &crumbs);
            let link = |d: &&Document| Link {
                title: process_title(d),
                url: relative_url(&doc.url, &d.url),
                current: false,
            };
            context.insert("prev", &index.checked_sub(1).and_then(|i| nav.get(i)).map(link));
            context.insert("next", &nav.get(index + 1).map(link));
        })
    }

    pub(super) fn glance_page(&self) -> Result<OutputFile> {
        self.page(GLANCE_URL, "glance.html", |context| {
            self.fill_common(context, GLANCE_URL, "The process at a glance", "process");
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
                .chain(process_order(&self.site.process).into_iter().map(|d| Link {
                    title: process_title(d),
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
            context.insert(
                "diagram_svg",
                &svg::responsive(|fit| svg::process_diagram("process-steps", &svg_lanes, fit)),
            );
        })
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
        let found;
        let target = match self.process_refs.get(&(doc, heading)) {
            Some(known) => known.as_ref(),
            None => {
                found = process_target(&self.site.process, doc, heading);
                found.as_ref()
            }
        }?;
        let url = relative_url(page_url, target.url);
        Some(match &target.id {
            Some(id) if !id.is_empty() => format!("{url}#{id}"),
            _ => url,
        })
    }
}

/// Where a checklist item's process reference points: the document's page and the id of
/// the heading that matched, if one did.
pub(super) struct ProcessTarget<'a> {
    url: &'a str,
    id: Option<String>,
}

/// Every process reference of the report's items, resolved once: each is shared by every
/// unit's checklist, and matching headings loosely costs more than the page around it.
pub(super) fn process_targets<'a>(
    process: &'a [Document],
    report: &'a crate::check::Report,
) -> HashMap<(&'a str, &'a str), Option<ProcessTarget<'a>>> {
    let mut targets = HashMap::new();
    for item in report.units.iter().flat_map(|u| &u.items) {
        let (doc, heading) = (item.process_ref.doc.as_str(), item.process_ref.heading.as_str());
        targets
            .entry((doc, heading))
            .or_insert_with(|| process_target(process, doc, heading));
    }
    targets
}

/// The process document `doc` and, in it, the heading matching `heading` loosely: equal
/// when normalised, else containing it.
fn process_target<'a>(process: &'a [Document], doc: &str, heading: &str) -> Option<ProcessTarget<'a>> {
    let target = process.iter().find(|d| d.rel.eq_ignore_ascii_case(doc))?;
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
    Some(ProcessTarget {
        url: target.url.as_str(),
        id,
    })
}

/// The process documents in the order the process takes them. A folder's README comes
/// first in its folder and orders the rest: each document sits at the first line of a README
/// above it that links to it or has a heading naming it (`joint-assessment.md` by "Joint
/// assessment"), a sub-folder where its parent's README first names the folder; the rest
/// follow by file name (the site's order).
pub(super) fn process_order(process: &[Document]) -> Vec<&Document> {
    let readmes: Vec<(&str, &Document)> = process
        .iter()
        .filter_map(|d| {
            let (dir, name) = split_dir(d.rel.as_str());
            name.eq_ignore_ascii_case("README.md").then_some((dir, d))
        })
        .collect();
    let order = Order { readmes: &readmes };
    let mut docs: Vec<&Document> = process.iter().collect();
    // A stable sort keeps the site's (file-name) order among equal keys.
    docs.sort_by_cached_key(|d| order.key(d.rel.as_str()));
    docs
}

/// `guide/self-assessment.md` → (`guide`, `self-assessment.md`); top-level files have `""`.
fn split_dir(rel: &str) -> (&str, &str) {
    rel.rsplit_once('/').unwrap_or(("", rel))
}

/// The process folders' READMEs, by folder.
struct Order<'a> {
    readmes: &'a [(&'a str, &'a Document)],
}

impl Order<'_> {
    /// Where `rel` (a document, or a folder) comes: its folder's key, then its place there.
    fn key(&self, rel: &str) -> Vec<usize> {
        if rel.is_empty() {
            return Vec::new();
        }
        let (dir, name) = split_dir(rel);
        let mut key = self.key(dir);
        if name.eq_ignore_ascii_case("README.md") {
            key.push(0);
            return key;
        }
        let place = self
            .readmes
            .iter()
            .filter(|(readme_dir, _)| readme_dir.is_empty() || *readme_dir == dir)
            .filter_map(|(readme_dir, readme)| {
                let from_readme = if readme_dir.is_empty() {
                    rel
                } else {
                    &rel[readme_dir.len() + 1..]
                };
                mentioned_at(readme, from_readme)
            })
            .min();
        key.push(place.unwrap_or(usize::MAX));
        key
    }
}

/// The first line of `readme` that links to `target` (a path from the README's folder) or
/// has a heading naming it.
fn mentioned_at(readme: &Document, target: &str) -> Option<usize> {
    let linked = readme
        .outline
        .links
        .iter()
        .filter(|l| !l.image && links_to(l.dest.as_str(), target))
        .map(|l| l.line);
    let name = words(file_stem(target));
    let headed = readme
        .outline
        .headings
        .iter()
        .filter(|h| !name.is_empty() && format!(" {} ", words(&h.text)).contains(&format!(" {name} ")))
        .map(|h| h.line);
    linked.chain(headed).min()
}

/// Whether a link written in a README points at `target`, a path from the README's folder
/// (a folder's link may name it, end in `/` or name its README).
fn links_to(dest: &str, target: &str) -> bool {
    if dest.contains("://") || dest.starts_with('/') {
        return false;
    }
    let path = dest.split(['#', '?']).next().unwrap_or_default();
    let path = path.trim_start_matches("./");
    let path = path
        .strip_suffix("README.md")
        .unwrap_or(path)
        .trim_end_matches('/');
    !path.is_empty() && path.eq_ignore_ascii_case(target)
}

fn file_stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// Lowercase words separated by single spaces; punctuation and hyphens split words.
fn words(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A process document's label: its title with template placeholders (`[Project Name]`,
/// `<project>`) removed and marked as a template, or its file name when nothing is left.
pub(super) fn process_title(doc: &Document) -> String {
    let (clean, had_placeholder) = without_placeholders(&doc.title);
    if clean.chars().any(char::is_alphanumeric) {
        return if had_placeholder {
            format!("{clean} (template)")
        } else {
            clean
        };
    }
    let name = words(file_stem(doc.rel.as_str()));
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_else(|| doc.title.clone())
}

/// `text` without bracketed placeholders, whitespace collapsed, and whether it had any.
fn without_placeholders(text: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut had = false;
    let mut rest = text;
    while let Some(open) = rest.find(['[', '<', '{']) {
        let close = match rest.as_bytes()[open] {
            b'[' => ']',
            b'<' => '>',
            _ => '}',
        };
        let Some(len) = rest[open..].find(close) else {
            break;
        };
        let inner = &rest[open + 1..open + len];
        if inner.chars().any(char::is_alphabetic) {
            out.push_str(&rest[..open]);
            had = true;
        } else {
            out.push_str(&rest[..=open + len]);
        }
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = collapsed.trim_matches(|c: char| matches!(c, '-' | ':' | '–' | '—' | ' '));
    (trimmed.to_owned(), had)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_leave_the_title() {
        assert_eq!(
            without_placeholders("[Project Name] TAG-Security Assessment"),
            ("TAG-Security Assessment".to_owned(), true)
        );
        assert_eq!(
            without_placeholders("Self-assessment"),
            ("Self-assessment".to_owned(), false)
        );
        assert_eq!(
            without_placeholders("<project> — notes"),
            ("notes".to_owned(), true)
        );
        assert_eq!(
            without_placeholders("a [1] b [x"),
            ("a [1] b [x".to_owned(), false)
        );
        assert_eq!(without_placeholders("[Project]"), (String::new(), true));
    }

    #[test]
    fn readme_links_resolve_to_documents() {
        assert!(links_to("./self-assessment.md#intro", "self-assessment.md"));
        assert!(links_to("guide/", "guide") && links_to("./guide/README.md", "guide"));
        assert!(!links_to(
            "https://x.org/self-assessment.md",
            "self-assessment.md"
        ));
        assert_eq!(words("Complete a self-assessment"), "complete a self assessment");
    }
}
