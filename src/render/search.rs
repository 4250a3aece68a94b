//! The site search's index, built from the [`Analysis`] (pure: no I/O) and searched in the
//! browser by `static/search.js`.
//!
//! Our own format rather than pagefind's: its browser side needs WebAssembly (the strict CSP
//! would need `'wasm-unsafe-eval'`) and the crate brings tokio and a long compile. Three kinds
//! of file, so that a query fetches little:
//! - `search/index.json`: every page (url from the site root, title, project, kind), every
//!   section (page, heading, anchor) and the list of term shards;
//! - `search/terms/<key>.json`: the terms starting with one character, each with its postings
//!   `[section, weight, section, weight, …]`;
//! - `search/text/<n>.json`: the opening of each section of a run of pages of one project
//!   (page number → texts), for snippets; fetched only for pages shown as results. One file
//!   per project rather than per page: each file costs more to create than its bytes do.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// Terms are hashed once per word of the site: foldhash is several times faster than the
/// standard SipHash on short keys and still seeded per run, so a document cannot be written
/// to make its words collide.
type TermMap<'a, V> = HashMap<Cow<'a, str>, V, foldhash::fast::RandomState>;

use rayon::prelude::*;
use serde::Serialize;

use super::pages::urls::{percent_path, pretty};
use crate::analyse::Analysis;
use crate::analyse::document::SearchSection;
use crate::analyse::links::encode_fragment;
use crate::model::{Document, FactKey, Unit};
use crate::output::{Content, OutputFile};

/// Weights by where a term was found; the browser multiplies them by rarity.
const TITLE: u8 = 8;
const HEADING: u8 = 4;
const FACTS: u8 = 3;
const BODY: u8 = 1;
/// Repeats in a body add at most this much: a word said ten times is not ten times the hit.
const BODY_REPEATS: u8 = 1;
/// Bytes of a section kept for its snippet.
const SNIPPET_CAP: usize = 2048;
/// A snippet file holds the next page too while it is smaller than this.
const TEXT_FILE_BYTES: usize = 64 * 1024;
/// Longer runs of letters are hashes, keys or base64, not words anyone types.
const MAX_TERM_CHARS: usize = 32;

/// One page in the index.
#[derive(Serialize)]
struct Page {
    /// URL from the site root, percent-encoded (`projects/harbor/`).
    u: String,
    /// Title.
    t: String,
    /// The group results are shown under: the project's name, `Process` or `Site`.
    g: String,
    /// What kind of page (`Status`, `Self-assessment` …).
    k: &'static str,
    /// The snippet file (`search/text/<x>.json`) holding this page's texts.
    x: usize,
}

/// A page's section before it is indexed; borrowed from the analysis where it can be, since
/// the section texts are most of the site's text.
struct Section<'a> {
    heading: Cow<'a, str>,
    anchor: Cow<'a, str>,
    text: Cow<'a, str>,
    /// Weight of the words of `text`: facts count more than body text.
    text_weight: u8,
}

#[derive(Serialize)]
struct Index<'a> {
    pages: &'a [Page],
    /// `[page, heading, anchor]`, the page's sections in order.
    sections: Vec<(usize, &'a str, String)>,
    /// The shard keys that have a file under `search/terms/`.
    shards: Vec<&'a str>,
}

/// The search index's files for `analysis`'s site.
pub fn files(analysis: &Analysis) -> Vec<OutputFile> {
    let mut pages = Vec::new();
    let mut sections: Vec<Vec<Section<'_>>> = Vec::new();
    for (page, secs) in collect(analysis) {
        pages.push(page);
        sections.push(secs);
    }
    assign_text_files(&mut pages, &sections);
    let postings = postings(&pages, &sections);
    let shards = shard(&postings);
    let mut out = Vec::with_capacity(shards.len() + pages.len() + 1);
    let index = Index {
        pages: &pages,
        sections: sections
            .iter()
            .enumerate()
            .flat_map(|(p, secs)| {
                secs.iter()
                    .map(move |s| (p, &*s.heading, encode_fragment(&s.anchor)))
            })
            .collect(),
        shards: shards.keys().map(String::as_str).collect(),
    };
    out.push(json_file("search/index.json".to_owned(), &index));
    let shards: Vec<_> = shards.into_iter().collect();
    out.par_extend(
        shards
            .par_iter()
            .map(|(key, terms)| json_file(format!("search/terms/{key}.json"), terms)),
    );
    let snippets = snippet_files(&pages, &sections);
    out.par_extend(
        snippets
            .par_iter()
            .enumerate()
            .map(|(x, chunk)| json_file(format!("search/text/{x}.json"), chunk)),
    );
    out
}

/// The snippet texts of the pages, page number → texts, split into files as `pages[..].x` says.
fn snippet_files<'a>(pages: &[Page], sections: &'a [Vec<Section<'a>>]) -> Vec<BTreeMap<usize, Vec<&'a str>>> {
    let mut files: Vec<BTreeMap<usize, Vec<&str>>> = Vec::new();
    for (p, (page, secs)) in pages.iter().zip(sections).enumerate() {
        let texts = secs.iter().map(|s| capped(&s.text, SNIPPET_CAP)).collect();
        if files.len() <= page.x {
            files.resize_with(page.x + 1, BTreeMap::new);
        }
        files[page.x].insert(p, texts);
    }
    files
}

/// Numbers the snippet files: consecutive pages of one group share one while it is small.
fn assign_text_files(pages: &mut [Page], sections: &[Vec<Section<'_>>]) {
    let mut file = 0;
    let mut bytes = 0;
    let mut group: Option<&str> = None;
    for (page, secs) in pages.iter_mut().zip(sections) {
        let size: usize = secs.iter().map(|s| s.text.len().min(SNIPPET_CAP)).sum();
        if group.is_some_and(|g| g != page.g || bytes + size > TEXT_FILE_BYTES) {
            file += 1;
            bytes = 0;
        }
        bytes += size;
        page.x = file;
        group = Some(&page.g);
    }
}

fn json_file(path: String, value: &impl Serialize) -> OutputFile {
    // Serialising plain strings and numbers cannot fail.
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    OutputFile {
        path: path.into(),
        content: Content::Bytes(bytes),
    }
}

/// Every page the search knows, in site order, with its sections.
fn collect(analysis: &Analysis) -> Vec<(Page, Vec<Section<'_>>)> {
    let site = &analysis.site;
    let mut all = vec![plain("index.html", &site.title, "Projects")];
    for unit in &site.units {
        all.push(status_page(analysis, unit));
        for doc in &unit.documents {
            all.push(document(analysis, doc, &unit.name));
        }
    }
    all.extend(site.process.iter().map(|d| document(analysis, d, "Process")));
    all.extend(site.pages.iter().map(|d| document(analysis, d, "Site")));
    all.push(plain("coverage/index.html", "Coverage", "Coverage"));
    all
}

/// A page's URL from the site root, as links between pages spell it (`projects/harbor/`).
fn url(path: &str) -> String {
    percent_path(&pretty(path))
}

fn plain(path: &str, title: &str, kind: &'static str) -> (Page, Vec<Section<'static>>) {
    let page = Page {
        u: url(path),
        t: title.to_owned(),
        g: "Site".to_owned(),
        k: kind,
        x: 0,
    };
    (page, vec![section("", "", "", BODY)])
}

fn section<'a>(
    heading: impl Into<Cow<'a, str>>,
    anchor: impl Into<Cow<'a, str>>,
    text: impl Into<Cow<'a, str>>,
    text_weight: u8,
) -> Section<'a> {
    Section {
        heading: heading.into(),
        anchor: anchor.into(),
        text: text.into(),
        text_weight,
    }
}

/// A unit's status page: its name, verdict and facts are what people look a project up by.
fn status_page(analysis: &Analysis, unit: &Unit) -> (Page, Vec<Section<'static>>) {
    let page = Page {
        u: url(&format!("projects/{}/index.html", unit.slug)),
        t: unit.name.clone(),
        g: unit.name.clone(),
        k: "Status",
        x: 0,
    };
    let mut facts: Vec<String> = vec![unit.slug.replace('/', " ")];
    if let Some(report) = analysis.report.units.iter().find(|r| r.slug == unit.slug) {
        facts.push(format!("{} assessment", report.path));
        facts.extend(report.status.clone());
    }
    facts.extend(
        unit.facts
            .iter()
            .filter(|(key, _)| **key != FactKey::ProjectName)
            .map(|(key, fact)| format!("{}: {}", key.label(), fact.raw)),
    );
    let reviewers = unit.meta.reviewers.iter().filter_map(|r| r.name.as_deref());
    facts.extend(reviewers.map(|name| format!("Reviewer: {name}")));
    let sections = vec![
        section("", "", "", BODY),
        section("Facts", "facts", facts.join("; "), FACTS),
    ];
    (page, sections)
}

fn document<'a>(analysis: &'a Analysis, doc: &Document, group: &str) -> (Page, Vec<Section<'a>>) {
    let page = Page {
        u: url(&doc.url),
        t: doc.title.clone(),
        g: group.to_owned(),
        k: doc.kind.label(),
        x: 0,
    };
    let found: &[SearchSection] = analysis.document(doc).map_or(&[], |r| &r.sections);
    let mut sections = Vec::with_capacity(found.len() + 1);
    // The first section holds the title's words, so every page needs one.
    if found.first().is_none_or(|s| !s.anchor.is_empty()) {
        sections.push(section("", "", "", BODY));
    }
    sections.extend(
        found
            .iter()
            .map(|s| section(&*s.heading, &*s.anchor, &*s.text, BODY)),
    );
    (page, sections)
}

/// Term → `[section, weight, …]`, sections numbered across the whole site.
fn postings<'a>(pages: &'a [Page], sections: &'a [Vec<Section<'a>>]) -> TermMap<'a, Vec<u32>> {
    // Each section's terms are weighed in parallel (tokenising is most of the work), then
    // merged in section order, so each list is in section order. Hash maps, not B-trees: the
    // shards sort the terms once at the end.
    let weighed: Vec<Vec<TermMap<'a, u8>>> = pages
        .par_iter()
        .zip(sections)
        .map(|(page, secs)| {
            let title = |i: usize| if i == 0 { page.t.as_str() } else { "" };
            secs.iter()
                .enumerate()
                .map(|(i, sec)| weights(title(i), sec))
                .collect()
        })
        .collect();
    let mut postings: TermMap<'a, Vec<u32>> = TermMap::default();
    for (number, terms) in (0u32..).zip(weighed.into_iter().flatten()) {
        for (term, weight) in terms {
            postings
                .entry(term)
                .or_default()
                .extend([number, u32::from(weight)]);
        }
    }
    postings
}

/// Each term of a section with its weight: the best place it was found, plus repeats.
fn weights<'a>(title: &'a str, sec: &'a Section<'a>) -> TermMap<'a, u8> {
    let mut weights: TermMap<'a, u8> = TermMap::default();
    for term in tokens(&sec.text) {
        let w = weights.entry(term).or_insert(0);
        *w = match *w {
            0 => sec.text_weight,
            w if sec.text_weight == BODY && w < BODY + BODY_REPEATS => w + 1,
            w => w,
        };
    }
    for (text, weight) in [(&*sec.heading, HEADING), (title, TITLE)] {
        for term in tokens(text) {
            let w = weights.entry(term).or_insert(0);
            *w = (*w).max(weight);
        }
    }
    weights
}

/// Postings split by the first character of the term (see [`shard_key`]).
fn shard<'p>(postings: &'p TermMap<'_, Vec<u32>>) -> BTreeMap<String, BTreeMap<&'p str, &'p [u32]>> {
    let mut shards: BTreeMap<String, BTreeMap<&str, &[u32]>> = BTreeMap::new();
    for (term, list) in postings {
        if let Some(first) = term.chars().next() {
            shards.entry(shard_key(first)).or_default().insert(term, list);
        }
    }
    shards
}

/// A shard's file name for terms starting with `c`: ASCII letters and digits as they are,
/// anything else as `u` and its code point in hex (`search.js` does the same).
fn shard_key(c: char) -> String {
    if c.is_ascii_lowercase() || c.is_ascii_digit() {
        c.to_string()
    } else {
        format!("u{:x}", u32::from(c))
    }
}

/// The words of `text` as the search matches them: lowercase runs of letters and digits.
/// One-letter ASCII words and runs over [`MAX_TERM_CHARS`] are left out (noise); `search.js`
/// splits a query the same way.
pub fn tokens(text: &str) -> impl Iterator<Item = Cow<'_, str>> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| !(w.len() == 1 && w.is_ascii()))
        .filter(|w| w.len() <= MAX_TERM_CHARS || w.chars().count() <= MAX_TERM_CHARS)
        .map(|w| {
            let upper = if w.is_ascii() {
                w.bytes().any(|b| b.is_ascii_uppercase())
            } else {
                w.chars().any(char::is_uppercase)
            };
            if upper {
                Cow::Owned(w.to_lowercase())
            } else {
                Cow::Borrowed(w)
            }
        })
}

/// The first `cap` bytes of `text`, cut at a character boundary.
fn capped(text: &str, cap: usize) -> &str {
    if text.len() <= cap {
        return text;
    }
    let mut end = cap;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lowercase_unicode_words_without_noise() {
        let words: Vec<Cow<str>> = tokens("Harbor's OIDC-login, v2.10 a Ünïcode 東京 x").collect();
        assert_eq!(words, ["harbor", "oidc", "login", "v2", "10", "ünïcode", "東京"]);
        let long = "a".repeat(MAX_TERM_CHARS + 1);
        assert_eq!(tokens(&long).count(), 0);
    }

    #[test]
    fn title_beats_heading_beats_facts_beats_body() {
        let sec = section("Threat model", "threat-model", "threat threat threat model", BODY);
        let w = weights("Threat", &sec);
        assert_eq!(w["threat"], TITLE);
        assert_eq!(w["model"], HEADING);
        let facts = section("Facts", "facts", "reviewer alice", FACTS);
        assert_eq!(weights("", &facts)["alice"], FACTS);
        let body = section("", "", "once thrice thrice thrice", BODY);
        let w = weights("", &body);
        assert_eq!(w["once"], BODY);
        assert_eq!(w["thrice"], BODY + BODY_REPEATS);
        assert!(w["thrice"] < weights("", &facts)["alice"]);
    }

    #[test]
    fn shard_keys_are_safe_file_names() {
        assert_eq!(shard_key('h'), "h");
        assert_eq!(shard_key('7'), "7");
        assert_eq!(shard_key('ü'), "ufc");
        assert_eq!(shard_key('東'), "u6771");
    }

    #[test]
    fn postings_number_sections_across_pages() {
        let pages = [
            Page {
                u: "a/".into(),
                t: "Alpha".into(),
                g: "Site".into(),
                k: "Status",
                x: 0,
            },
            Page {
                u: "b/".into(),
                t: "Beta".into(),
                g: "Site".into(),
                k: "Status",
                x: 0,
            },
        ];
        let sections = [
            vec![section("", "", "common", BODY)],
            vec![section("", "", "", BODY), section("Common", "common", "", BODY)],
        ];
        let p = postings(&pages, &sections);
        assert_eq!(p["common"], [0, u32::from(BODY), 2, u32::from(HEADING)]);
        assert_eq!(p["beta"], [1, u32::from(TITLE)]);
    }

    #[test]
    fn snippets_are_cut_at_a_character_boundary() {
        assert_eq!(capped("ééé", 3), "é");
        assert_eq!(capped("abc", 10), "abc");
    }
}
