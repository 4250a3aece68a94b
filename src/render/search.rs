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

mod json;
mod words;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;

use super::pages::urls::{percent_path, pretty};
use crate::analyse::Analysis;
use crate::analyse::document::SearchSection;
use crate::analyse::links::encode_fragment;
use crate::model::{Document, FactKey, Unit};
use crate::output::{Content, OutputFile};
use words::{Term, each_term};

/// Terms are hashed once per word of the site: foldhash is several times faster than the
/// standard SipHash on short keys and still seeded per run, so a document cannot be written
/// to make its words collide.
type TermMap<'a, V> = HashMap<Cow<'a, str>, V, foldhash::fast::RandomState>;

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

/// One page in the index (`search/index.json` spells the fields with one letter).
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

/// The search index's files for `analysis`'s site.
pub fn files(analysis: &Analysis) -> Vec<OutputFile> {
    let (mut pages, sections): (Vec<Page>, Vec<Vec<Section<'_>>>) = collect(analysis).into_iter().unzip();
    let text_files = assign_text_files(&mut pages, &sections);
    let postings = Postings::of(&pages, &sections);
    let shards = postings.shards();
    let mut out = Vec::with_capacity(shards.len() + text_files.len() + 1);
    let index = index_json(&pages, &sections, &shards);
    out.push(file("search/index.json".to_owned(), index));
    out.par_extend(shards.par_iter().map(|shard| {
        let path = format!("search/terms/{}.json", shard.key);
        file(path, postings.shard_json(shard.terms.clone()))
    }));
    out.par_extend(
        text_files
            .into_par_iter()
            .enumerate()
            .map(|(x, pages)| file(format!("search/text/{x}.json"), text_json(pages, &sections))),
    );
    out
}

fn file(path: String, bytes: Vec<u8>) -> OutputFile {
    OutputFile {
        path: path.into(),
        content: Content::Bytes(bytes),
    }
}

/// `{"pages":[{"u":…,"t":…,"g":…,"k":…,"x":…},…],"sections":[[page,heading,anchor],…],
/// "shards":[key,…]}`: every page, every section (its page's sections in order) and the keys
/// of the files under `search/terms/`.
fn index_json(pages: &[Page], sections: &[Vec<Section<'_>>], shards: &[Shard]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pages.len() * 128 + shards.len() * 8);
    out.extend_from_slice(b"{\"pages\":[");
    for (p, page) in pages.iter().enumerate() {
        out.extend_from_slice(if p == 0 { b"{" } else { b",{" });
        for (key, value) in [("u", &page.u), ("t", &page.t), ("g", &page.g)] {
            json::key(&mut out, key);
            json::string(&mut out, value);
            out.push(b',');
        }
        json::key(&mut out, "k");
        json::string(&mut out, page.k);
        out.extend_from_slice(b",\"x\":");
        json::number(&mut out, page.x);
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"sections\":[");
    let all = sections
        .iter()
        .enumerate()
        .flat_map(|(p, secs)| secs.iter().map(move |s| (p, s)));
    for (i, (p, sec)) in all.enumerate() {
        out.extend_from_slice(if i == 0 { b"[" } else { b",[" });
        json::number(&mut out, p);
        out.push(b',');
        json::string(&mut out, &sec.heading);
        out.push(b',');
        json::string(&mut out, &encode_fragment(&sec.anchor));
        out.push(b']');
    }
    out.extend_from_slice(b"],\"shards\":");
    json::strings(&mut out, shards.iter().map(|s| s.key.as_str()));
    out.push(b'}');
    out
}

/// `{"<page>":[text,…],…}`: the snippet texts of the pages `pages`, in page order.
fn text_json(pages: Range<usize>, sections: &[Vec<Section<'_>>]) -> Vec<u8> {
    let secs = &sections[pages.clone()];
    let bytes: usize = secs
        .iter()
        .flatten()
        .map(|s| s.text.len().min(SNIPPET_CAP) + 8)
        .sum();
    let mut out = Vec::with_capacity(bytes + 16 * secs.len() + 2);
    out.push(b'{');
    for (p, secs) in pages.zip(secs) {
        if out.len() > 1 {
            out.push(b',');
        }
        json::key(&mut out, &p.to_string());
        json::strings(&mut out, secs.iter().map(|s| capped(&s.text, SNIPPET_CAP)));
    }
    out.push(b'}');
    out
}

/// Numbers the snippet files: consecutive pages of one group share one while it is small.
/// Returns each file's pages.
fn assign_text_files(pages: &mut [Page], sections: &[Vec<Section<'_>>]) -> Vec<Range<usize>> {
    let mut files: Vec<Range<usize>> = Vec::new();
    let mut bytes = 0;
    for p in 0..pages.len() {
        let size: usize = sections[p].iter().map(|s| s.text.len().min(SNIPPET_CAP)).sum();
        let same_group = p > 0 && pages[p - 1].g == pages[p].g;
        match files.last_mut() {
            Some(last) if same_group && bytes + size <= TEXT_FILE_BYTES => last.end = p + 1,
            _ => {
                files.push(p..p + 1);
                bytes = 0;
            }
        }
        bytes += size;
        pages[p].x = files.len() - 1;
    }
    files
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

/// Every term of the site with its postings `[section, weight, …]`, sections numbered across
/// the whole site and each list in section order.
struct Postings<'a> {
    /// The terms in byte order (the order of the shard files), each with its number.
    terms: Vec<(Cow<'a, str>, u32)>,
    /// Term `t`'s postings are `lists[starts[t]..starts[t + 1]]`: one allocation for all.
    starts: Vec<usize>,
    lists: Vec<u32>,
    /// The section numbers as text: each is written many times, once per term it holds.
    sections: json::Decimals,
}

/// The terms of one shard file: `Postings::terms[terms]`, all starting with one character.
struct Shard {
    key: String,
    terms: Range<usize>,
}

impl<'a> Postings<'a> {
    /// Each page's terms are weighed in parallel (tokenising is most of the work), then
    /// numbered site-wide, one hash per term of a page rather than per word.
    fn of(pages: &'a [Page], sections: &'a [Vec<Section<'a>>]) -> Postings<'a> {
        let mut weighed: Vec<PageTerms<'a>> = pages
            .par_iter()
            .zip(sections)
            .map_init(Weigher::default, |w, (page, secs)| w.weigh(&page.t, secs))
            .collect();
        // The largest page's terms are all distinct: a floor for the site's, so the map
        // grows less often without reserving for the sum.
        let floor = weighed.iter().map(|p| p.terms.len()).max().unwrap_or(0);
        let mut ids: TermMap<'a, u32> = TermMap::with_capacity_and_hasher(floor, Default::default());
        let mut counts: Vec<usize> = Vec::with_capacity(floor);
        let numbered: Vec<Vec<u32>> = weighed
            .iter_mut()
            .map(|page| {
                let terms = page.terms.drain(..);
                let local: Vec<u32> = terms.map(|t| number(&mut ids, &mut counts, t)).collect();
                for &(term, _) in &page.pairs {
                    counts[local[term as usize] as usize] += 2;
                }
                local
            })
            .collect();
        let mut starts = Vec::with_capacity(counts.len() + 1);
        starts.push(0);
        for count in counts {
            starts.push(starts[starts.len() - 1] + count);
        }
        let lists = fill(&weighed, &numbered, &starts);
        let sections = weighed.iter().map(|p| p.ends.len()).sum();
        Postings {
            terms: sorted(ids),
            starts,
            lists,
            sections: json::Decimals::upto(sections),
        }
    }

    /// The terms split by their first character (see [`shard_key`]), in key order.
    fn shards(&self) -> Vec<Shard> {
        let mut shards: Vec<Shard> = Vec::new();
        let mut first: Option<char> = None;
        for (i, (term, _)) in self.terms.iter().enumerate() {
            let c = term.chars().next();
            match shards.last_mut() {
                Some(last) if c == first => last.terms.end = i + 1,
                _ => {
                    first = c;
                    let key = c.map_or_else(String::new, shard_key);
                    shards.push(Shard { key, terms: i..i + 1 });
                }
            }
        }
        shards.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        shards
    }

    /// `{"term":[section,weight,…],…}` for the terms `terms`.
    fn shard_json(&self, terms: Range<usize>) -> Vec<u8> {
        let terms = &self.terms[terms];
        let numbers: usize = terms
            .iter()
            .map(|(t, id)| t.len() + self.list(*id).len() * 4)
            .sum();
        let mut out = Vec::with_capacity(numbers + terms.len() * 6 + 2);
        out.push(b'{');
        for (i, (term, id)) in terms.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::key(&mut out, term);
            self.write_list(&mut out, *id);
        }
        out.push(b'}');
        out
    }

    /// `[section,weight,…]`: weights are single digits.
    fn write_list(&self, out: &mut Vec<u8>, id: u32) {
        out.push(b'[');
        for (i, pair) in self.list(id).chunks_exact(2).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            self.sections.write(out, pair[0] as usize);
            out.push(b',');
            json::number(out, pair[1] as usize);
        }
        out.push(b']');
    }

    fn list(&self, id: u32) -> &[u32] {
        let id = id as usize;
        &self.lists[self.starts[id]..self.starts[id + 1]]
    }
}

/// The terms in byte order. Sorted on their first eight bytes as a number, which orders them
/// the same (no term holds a NUL byte, so the zero padding sorts first) and settles almost
/// every comparison without reading the strings.
fn sorted(ids: TermMap<'_, u32>) -> Vec<(Cow<'_, str>, u32)> {
    let mut keyed: Vec<(u64, Cow<'_, str>, u32)> = ids
        .into_iter()
        .map(|(term, id)| {
            let mut head = [0u8; 8];
            let n = term.len().min(8);
            head[..n].copy_from_slice(&term.as_bytes()[..n]);
            (u64::from_be_bytes(head), term, id)
        })
        .collect();
    keyed.par_sort_unstable();
    keyed.into_iter().map(|(_, term, id)| (term, id)).collect()
}

/// `term`'s site-wide number, given the next one when it is new.
fn number<'a>(ids: &mut TermMap<'a, u32>, counts: &mut Vec<usize>, term: Cow<'a, str>) -> u32 {
    let next = u32::try_from(counts.len()).unwrap_or(u32::MAX);
    let id = *ids.entry(term).or_insert(next);
    if id == next {
        counts.push(0);
    }
    id
}

/// The postings in one list, each term's run in section order.
fn fill(weighed: &[PageTerms<'_>], numbered: &[Vec<u32>], starts: &[usize]) -> Vec<u32> {
    let mut lists = vec![0; starts.last().copied().unwrap_or(0)];
    let mut next: Vec<usize> = starts.to_vec();
    let mut section = 0u32;
    for (page, local) in weighed.iter().zip(numbered) {
        let mut from = 0;
        for &end in &page.ends {
            for &(term, weight) in &page.pairs[from..end] {
                let at = &mut next[local[term as usize] as usize];
                lists[*at] = section;
                lists[*at + 1] = u32::from(weight);
                *at += 2;
            }
            from = end;
            section += 1;
        }
    }
    lists
}

/// One page's terms: each distinct term once, and each section's terms with their weights.
#[derive(Default)]
struct PageTerms<'a> {
    /// The page's terms by their number within the page.
    terms: Vec<Cow<'a, str>>,
    /// `(term, weight)` of every section, one after the other; section `i` ends at `ends[i]`.
    pairs: Vec<(u32, u8)>,
    ends: Vec<usize>,
}

/// Each term of a section with its weight: the best place it was found, plus repeats.
#[derive(Default)]
struct Weigher<'a> {
    ids: TermMap<'a, u32>,
    page: PageTerms<'a>,
    /// The open section's weight of each of the page's terms, 0 where it has none.
    weight: Vec<u8>,
    /// The open section's terms, in the order found.
    found: Vec<u32>,
}

impl<'a> Weigher<'a> {
    /// Weighs the terms of a page's sections; the first section holds the title's. The
    /// weigher is left empty, its storage kept for the next page.
    fn weigh(&mut self, title: &'a str, secs: &'a [Section<'a>]) -> PageTerms<'a> {
        let mut scratch = String::new();
        for (i, sec) in secs.iter().enumerate() {
            let found = sec.text_weight;
            each_term(&sec.text, &mut scratch, |t| {
                self.add(t, |w| match w {
                    0 => found,
                    w if found == BODY && w < BODY + BODY_REPEATS => w + 1,
                    w => w,
                });
            });
            let title = if i == 0 { title } else { "" };
            for (words, weight) in [(&*sec.heading, HEADING), (title, TITLE)] {
                each_term(words, &mut scratch, |t| self.add(t, |w| w.max(weight)));
            }
            self.end_section();
        }
        self.finish()
    }

    fn add(&mut self, term: Term<'a, '_>, weigh: impl Fn(u8) -> u8) {
        let id = self.id(term);
        let w = &mut self.weight[id as usize];
        if *w == 0 {
            self.found.push(id);
        }
        *w = weigh(*w);
    }

    /// The term's number within the page; a folded term is copied the first time only.
    fn id(&mut self, term: Term<'a, '_>) -> u32 {
        if let Some(&id) = self.ids.get(term.as_str()) {
            return id;
        }
        let key = match term {
            Term::Text(s) => Cow::Borrowed(s),
            Term::Folded(s) => Cow::Owned(s.to_owned()),
        };
        let id = u32::try_from(self.weight.len()).unwrap_or(u32::MAX);
        self.ids.insert(key, id);
        self.weight.push(0);
        id
    }

    fn end_section(&mut self) {
        for id in self.found.drain(..) {
            let w = std::mem::take(&mut self.weight[id as usize]);
            self.page.pairs.push((id, w));
        }
        self.page.ends.push(self.page.pairs.len());
    }

    fn finish(&mut self) -> PageTerms<'a> {
        let mut terms = vec![Cow::Borrowed(""); self.weight.len()];
        for (term, id) in self.ids.drain() {
            terms[id as usize] = term;
        }
        self.weight.clear();
        PageTerms {
            terms,
            ..std::mem::take(&mut self.page)
        }
    }
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

    /// The terms of one section with their weights.
    fn weights(title: &str, sec: &Section<'_>) -> HashMap<String, u8> {
        let page = Weigher::default().weigh(title, std::slice::from_ref(sec));
        let terms = &page.terms;
        page.pairs
            .iter()
            .map(|&(t, w)| (terms[t as usize].to_string(), w))
            .collect()
    }

    fn page(url: &str, title: &str) -> Page {
        Page {
            u: url.into(),
            t: title.into(),
            g: "Site".into(),
            k: "Status",
            x: 0,
        }
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
        let pages = [page("a/", "Alpha"), page("b/", "Beta")];
        let sections = [
            vec![section("", "", "Common", BODY)],
            vec![section("", "", "", BODY), section("Common", "common", "", BODY)],
        ];
        let p = Postings::of(&pages, &sections);
        let list = |term: &str| {
            let (_, id) = p.terms.iter().find(|(t, _)| t == term).expect("indexed");
            p.list(*id).to_vec()
        };
        assert_eq!(list("common"), [0, u32::from(BODY), 2, u32::from(HEADING)]);
        assert_eq!(list("beta"), [1, u32::from(TITLE)]);
        let terms: Vec<&str> = p.terms.iter().map(|(t, _)| &**t).collect();
        assert_eq!(terms, ["alpha", "beta", "common"]);
    }

    #[test]
    fn shards_are_runs_of_one_first_character_in_key_order() {
        let pages = [page("a/", "zeta é ā 9x ab")];
        let sections = [vec![section("", "", "", BODY)]];
        let p = Postings::of(&pages, &sections);
        let keys: Vec<String> = p.shards().into_iter().map(|s| s.key).collect();
        // 'ā' (U+101) sorts after 'é' (U+E9) as a character, before it as a file name.
        assert_eq!(keys, ["9", "a", "u101", "ue9", "z"]);
        let shard = p.shards().into_iter().find(|s| s.key == "z").expect("z");
        let zeta = p.shard_json(shard.terms);
        assert_eq!(String::from_utf8_lossy(&zeta), r#"{"zeta":[0,8]}"#);
    }

    #[test]
    fn index_and_snippets_read_back_as_the_json_they_stand_for() {
        let mut pages = [page("a/", "A \"quoted\" title"), page("b/", "Beta")];
        pages[1].g = "Other".into();
        let sections = [
            vec![section("", "", "line\none", BODY)],
            vec![section("Ünï", "ünï", "x".repeat(SNIPPET_CAP + 5), BODY)],
        ];
        let files = assign_text_files(&mut pages, &sections);
        assert_eq!(files, [0..1, 1..2]);
        let value =
            |bytes: Vec<u8>| -> serde_json::Value { serde_json::from_slice(&bytes).expect("valid JSON") };
        let index = value(index_json(&pages, &sections, &[]));
        let expected = serde_json::json!({
            "pages": [
                {"u": "a/", "t": "A \"quoted\" title", "g": "Site", "k": "Status", "x": 0},
                {"u": "b/", "t": "Beta", "g": "Other", "k": "Status", "x": 1},
            ],
            "sections": [[0, "", ""], [1, "Ünï", "%C3%BCn%C3%AF"]],
            "shards": [],
        });
        assert_eq!(index, expected);
        assert_eq!(
            value(text_json(1..2, &sections)),
            serde_json::json!({"1": ["x".repeat(SNIPPET_CAP)]})
        );
        assert_eq!(text_json(0..1, &sections), br#"{"0":["line\none"]}"#);
    }

    #[test]
    fn snippet_files_keep_a_group_together_while_small() {
        let mut pages = [page("a/", "A"), page("b/", "B"), page("c/", "C")];
        let big = "x".repeat(SNIPPET_CAP);
        let sections: Vec<Vec<Section<'_>>> = (0..3)
            .map(|_| {
                (0..TEXT_FILE_BYTES / SNIPPET_CAP / 2 + 1)
                    .map(|_| section("", "", &*big, BODY))
                    .collect()
            })
            .collect();
        assert_eq!(assign_text_files(&mut pages, &sections), [0..1, 1..2, 2..3]);
        let small = [vec![], vec![], vec![]];
        let files = assign_text_files(&mut pages, &small);
        assert_eq!((files.len(), files[0].clone()), (1, 0..3));
        assert_eq!(pages.map(|p| p.x), [0, 0, 0]);
    }

    #[test]
    fn snippets_are_cut_at_a_character_boundary() {
        assert_eq!(capped("ééé", 3), "é");
        assert_eq!(capped("abc", 10), "abc");
    }
}
