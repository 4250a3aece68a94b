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

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;

use super::pages::urls::{percent_path, pretty};
use crate::analyse::document::terms::{BODY, FACTS, Weigher};
use crate::analyse::document::{PageTerms, RenderedDoc, SNIPPET_CAP, SearchSection, needs_opening, snippet};
use crate::analyse::links::encode_fragment;
use crate::analyse::{Analysis, BodyLost};
use crate::model::{Document, FactKey, Unit};
use crate::output::{Content, OutputFile, Sink};
use crate::render::memo::RenderKey;

/// Terms are hashed once per term of a page: foldhash is several times faster than the
/// standard SipHash on short keys and still seeded per run, so a document cannot be written
/// to make its terms collide.
type TermMap<'a, V> = HashMap<&'a str, V, foldhash::fast::RandomState>;
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

/// Where the index's files are, and nothing else is.
const FOLDER: &str = "search/";

/// Where the index's files go, one at a time, as soon as each is made: at 50 times the
/// corpus they are ~110 MB, which a build does not hold at once.
pub type Put<'p> = dyn Fn(OutputFile) -> crate::error::Result<()> + Sync + 'p;

/// The search index's files for `analysis`'s site, each handed to `put`.
pub fn files(analysis: &Analysis, put: &Put<'_>) -> crate::error::Result<()> {
    index_files(analysis, collect(analysis), put)
}

/// As [`files`], each file keyed by the digest of everything the index is made from (every
/// page, section and weighed term the index lists, see [`listed_key`]); no files at all when
/// `memo` still holds the ones made from that key (then it has put them in the new site).
pub fn files_remembered(analysis: &Analysis, memo: &dyn Sink, put: &Put<'_>) -> crate::error::Result<()> {
    let listed = collect(analysis);
    let Some(key) = listed_key(&listed) else {
        return index_files(analysis, listed, put);
    };
    if memo.reuse_all(FOLDER, &key) {
        return Ok(());
    }
    let keyed = |mut file: OutputFile| {
        if let Content::Bytes(bytes) = &mut file.content {
            file.content = Content::Page(std::mem::take(bytes), key);
        }
        put(file)
    };
    index_files(analysis, listed, &keyed)
}

/// The digest of the pages, sections and terms listed: the index's files are made from these
/// alone, so equal digests mean equal files. `None` if one cannot be encoded.
fn listed_key(listed: &[Listed<'_>]) -> Option<RenderKey> {
    // Streamed into the digest (the same bytes as encoding them all first): at 50 times the
    // corpus the encoded list alone was 170 MB of the build's peak memory.
    let mut digest = blake3::Hasher::new();
    digest.update(FOLDER.as_bytes());
    let mut noted = std::io::BufWriter::with_capacity(1 << 16, &mut digest);
    for item in listed {
        let page = &item.page;
        // A document's sections and terms are its pass's, which digested them then.
        let made = match item.from_pass {
            Some(digest) => Made::InPass(digest),
            None => Made::Here(
                item.sections
                    .iter()
                    .map(|s| (&*s.heading, &*s.anchor, &*s.text, s.text_weight))
                    .collect(),
                item.terms.as_deref(),
            ),
        };
        let entry = (&page.u, &page.t, &page.g, page.k, made);
        bincode::serialize_into(&mut noted, &entry).ok()?;
    }
    std::io::Write::flush(&mut noted).ok()?;
    drop(noted);
    Some(RenderKey(*digest.finalize().as_bytes()))
}

/// What a listed page's sections and terms are made from, for [`listed_key`].
#[derive(serde::Serialize)]
enum Made<'a> {
    /// Listed here: each section with its weight, and the terms its document's pass weighed.
    Here(Vec<(&'a str, &'a str, &'a str, u8)>, Option<&'a PageTerms>),
    /// A document's, from its sections and terms alone (the opening section, the weights
    /// and whether its terms are used follow from them): their digest, taken in its pass
    /// (`RenderedDoc::search_digest`).
    InPass(&'a [u8; 32]),
}

/// The index's files made from what [`collect`] listed, each handed to `put` as soon as it
/// is made. The documents' section texts are read back (see [`read_texts`]) and their
/// snippet files made a run of whole groups at a time, then let go of: the term shards and
/// the index need only the headings and terms. At 50 times the corpus the texts are ~60 MB,
/// the files ~110 MB; neither is held whole.
fn index_files<'a>(
    analysis: &'a Analysis,
    listed: Vec<Listed<'a>>,
    put: &Put<'_>,
) -> crate::error::Result<()> {
    let mut pages = Vec::new();
    let mut sections = Vec::new();
    let mut cached = Vec::new();
    let mut passes = Vec::new();
    for listed in listed {
        pages.push(listed.page);
        sections.push(listed.sections);
        cached.push(listed.terms);
        passes.push(listed.pass);
    }
    let mut weighed = Vec::with_capacity(pages.len());
    let mut numbered = 0;
    for run in runs_of_groups(&pages, TEXT_RUN_PAGES) {
        read_texts(
            analysis,
            &passes[run.clone()],
            &mut sections[run.clone()],
            &mut cached[run.clone()],
        )?;
        numbered += put_text_files(&mut pages, &sections, run.clone(), numbered, put)?;
        let terms = cached[run.clone()].iter_mut().map(Option::take).collect();
        weighed.extend(weigh(&pages[run.clone()], &sections[run.clone()], terms));
        for section in sections[run].iter_mut().flatten() {
            section.text = Cow::Borrowed("");
        }
    }
    let postings = Postings::of(&weighed);
    let shards = postings.shards();
    shards.par_iter().try_for_each(|shard| {
        let path = format!("search/terms/{}.json", shard.key);
        put(file(path, postings.shard_json(shard.terms.clone())))
    })?;
    put(file(
        "search/index.json".to_owned(),
        index_json(&pages, &sections, &shards),
    ))
}

/// The snippet files of the pages `run` (whole groups), numbered from `first`, each handed to
/// `put`; how many there were.
fn put_text_files(
    pages: &mut [Page],
    sections: &[Vec<Section<'_>>],
    run: Range<usize>,
    first: usize,
    put: &Put<'_>,
) -> crate::error::Result<usize> {
    let files = assign_text_files(&mut pages[run.clone()], &sections[run.clone()]);
    for page in &mut pages[run.clone()] {
        page.x += first;
    }
    let count = files.len();
    files.into_par_iter().enumerate().try_for_each(|(x, local)| {
        let pages = run.start + local.start..run.start + local.end;
        put(file(
            format!("search/text/{}.json", first + x),
            text_json(pages, sections),
        ))
    })?;
    Ok(count)
}

/// How many pages' texts [`index_files`] reads back at once, at least (a run ends with a
/// group, since a snippet file never holds two groups' pages).
const TEXT_RUN_PAGES: usize = 256;

/// `pages` cut into runs of whole groups (consecutive pages of one `g`), each of at least
/// `least` pages but the last.
fn runs_of_groups(pages: &[Page], least: usize) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    for p in 1..=pages.len() {
        let group_ends = p == pages.len() || pages[p].g != pages[p - 1].g;
        if group_ends && (p - start >= least || p == pages.len()) {
            runs.push(start..p);
            start = p;
        }
    }
    runs
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
        json::strings(&mut out, secs.iter().map(|s| snippet(&s.text)));
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
/// A page the search knows, with its sections and, for a document, the terms its pass weighed.
struct Listed<'a> {
    page: Page,
    sections: Vec<Section<'a>>,
    terms: Option<Cow<'a, PageTerms>>,
    /// For a document's page: the digest of the sections and terms its pass gave, which keys
    /// the index in their place (see [`listed_key`]).
    from_pass: Option<&'a [u8; 32]>,
    /// For a document's page: its pass's result, whose sections and terms [`read_texts`]
    /// puts in `sections` and `terms` (only when the index is made, since a warm build may
    /// have left them in the cache file).
    pass: Option<&'a RenderedDoc>,
}

/// Each page's terms: a document's as its pass weighed them (see [`PageTerms`]), the other
/// pages' weighed here. In one thread: what is left (status pages, a title each) is too
/// little to share out.
fn weigh<'a>(
    pages: &[Page],
    sections: &[Vec<Section<'_>>],
    cached: Vec<Option<Cow<'a, PageTerms>>>,
) -> Vec<Cow<'a, PageTerms>> {
    let mut w = Weigher::default();
    pages
        .iter()
        .zip(sections)
        .zip(cached)
        .map(|((page, secs), cached)| match cached {
            Some(terms) if terms.section_count() == secs.len() => terms,
            _ => {
                let secs = secs.iter().map(|s| (&*s.heading, &*s.text, s.text_weight));
                Cow::Owned(w.weigh(&page.t, secs))
            }
        })
        .collect()
}

/// Every page the search knows, in site order, with its sections.
fn collect(analysis: &Analysis) -> Vec<Listed<'_>> {
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

fn plain(path: &str, title: &str, kind: &'static str) -> Listed<'static> {
    let page = Page {
        u: url(path),
        t: title.to_owned(),
        g: "Site".to_owned(),
        k: kind,
        x: 0,
    };
    Listed {
        page,
        sections: vec![section("", "", "", BODY)],
        terms: None,
        from_pass: None,
        pass: None,
    }
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
fn status_page(analysis: &Analysis, unit: &Unit) -> Listed<'static> {
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
    Listed {
        page,
        sections,
        terms: None,
        from_pass: None,
        pass: None,
    }
}

fn document<'a>(analysis: &'a Analysis, doc: &Document, group: &str) -> Listed<'a> {
    let page = Page {
        u: url(&doc.url),
        t: doc.title.clone(),
        g: group.to_owned(),
        k: doc.kind.label(),
        x: 0,
    };
    let rendered = analysis.document(doc);
    Listed {
        page,
        sections: if rendered.is_some() {
            Vec::new()
        } else {
            opened(Cow::Borrowed(&[]))
        },
        terms: None,
        from_pass: rendered.map(|r| &r.search_digest),
        pass: rendered,
    }
}

/// Each document's sections and terms put in place (`sections`, `terms`), read back from the
/// build cache's file where the analysis left them; `passes` are the documents' results
/// (`None` for other pages, whose sections are listed already).
fn read_texts<'a>(
    analysis: &'a Analysis,
    passes: &[Option<&'a RenderedDoc>],
    sections: &mut [Vec<Section<'a>>],
    terms: &mut [Option<Cow<'a, PageTerms>>],
) -> Result<(), BodyLost> {
    let slots = sections.par_iter_mut().zip(terms.par_iter_mut());
    passes
        .par_iter()
        .zip(slots)
        .try_for_each(|(pass, (sections, terms))| {
            if let Some(rendered) = pass {
                let text = analysis.search(rendered)?;
                *sections = opened(text.sections);
                *terms = Some(text.terms);
            }
            Ok(())
        })
}

/// A document's sections as the index lists them: the first holds the title's words, so
/// every page has one (an opening section is added when the document starts with a heading).
fn opened(found: Cow<'_, [SearchSection]>) -> Vec<Section<'_>> {
    let mut sections = Vec::with_capacity(found.len() + 1);
    if needs_opening(&found) {
        sections.push(section("", "", "", BODY));
    }
    match found {
        Cow::Borrowed(found) => sections.extend(
            found
                .iter()
                .map(|s| section(&*s.heading, &*s.anchor, &*s.text, BODY)),
        ),
        Cow::Owned(found) => sections.extend(
            found
                .into_iter()
                .map(|s| section(s.heading, s.anchor, s.text, BODY)),
        ),
    }
    sections
}

/// Every term of the site with its postings `[section, weight, …]`, sections numbered across
/// the whole site and each list in section order.
struct Postings<'a> {
    /// The terms in byte order (the order of the shard files), each with its number.
    terms: Vec<(&'a str, u32)>,
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
    /// The pages' terms numbered site-wide, one hash per term of a page rather than per word.
    fn of(weighed: &'a [Cow<'_, PageTerms>]) -> Postings<'a> {
        // The largest page's terms are all distinct: a floor for the site's, so the map
        // grows less often without reserving for the sum.
        let floor = weighed.iter().map(|p| p.term_count()).max().unwrap_or(0);
        let mut ids: TermMap<'a, u32> = TermMap::with_capacity_and_hasher(floor, Default::default());
        let mut counts: Vec<usize> = Vec::with_capacity(floor);
        let numbered: Vec<Vec<u32>> = weighed
            .iter()
            .map(|page| {
                let local: Vec<u32> = page.terms().map(|t| number(&mut ids, &mut counts, t)).collect();
                for (term, _) in page.sections().flatten() {
                    if let Some(&id) = local.get(term as usize) {
                        counts[id as usize] += 2;
                    }
                }
                local
            })
            .collect();
        let mut starts = Vec::with_capacity(counts.len() + 1);
        starts.push(0);
        for count in counts {
            starts.push(starts[starts.len() - 1] + count);
        }
        let lists = fill(weighed, &numbered, &starts);
        let sections = weighed.iter().map(|p| p.section_count()).sum();
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
            json::term_key(&mut out, term);
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
fn sorted(ids: TermMap<'_, u32>) -> Vec<(&str, u32)> {
    let mut keyed: Vec<(u64, &str, u32)> = ids
        .into_iter()
        .map(|(term, id)| {
            let mut head = [0u8; 8];
            let n = term.len().min(8);
            head[..n].copy_from_slice(&term.as_bytes()[..n]);
            (u64::from_be_bytes(head), term, id)
        })
        .collect();
    // In one thread: a site has some thousands of terms, sorted in well under a millisecond,
    // and sharing that out cost more than it saved.
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, term, id)| (term, id)).collect()
}

/// `term`'s site-wide number, given the next one when it is new.
fn number<'a>(ids: &mut TermMap<'a, u32>, counts: &mut Vec<usize>, term: &'a str) -> u32 {
    let next = u32::try_from(counts.len()).unwrap_or(u32::MAX);
    let id = *ids.entry(term).or_insert(next);
    if id == next {
        counts.push(0);
    }
    id
}

/// The postings in one list, each term's run in section order. A pair naming a term its page
/// does not have (a damaged cache entry) is skipped here as it was when counting.
fn fill(weighed: &[Cow<'_, PageTerms>], numbered: &[Vec<u32>], starts: &[usize]) -> Vec<u32> {
    let mut lists = vec![0; starts.last().copied().unwrap_or(0)];
    let mut next: Vec<usize> = starts.to_vec();
    let mut section = 0u32;
    for (page, local) in weighed.iter().zip(numbered) {
        for pairs in page.sections() {
            for (term, weight) in pairs {
                let Some(&id) = local.get(term as usize) else {
                    continue;
                };
                let at = &mut next[id as usize];
                lists[*at] = section;
                lists[*at + 1] = u32::from(weight);
                *at += 2;
            }
            section += 1;
        }
    }
    lists
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::analyse::document::terms::{HEADING, TITLE};

    /// The postings of `pages` as the index builds them, every page weighed here.
    fn postings<'a>(pages: &'a [Page], sections: &'a [Vec<Section<'a>>]) -> Vec<Cow<'a, PageTerms>> {
        weigh(pages, sections, vec![None; pages.len()])
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
    fn a_documents_terms_are_merged_as_its_pass_weighed_them() {
        let pages = [page("a/", "Alpha"), page("b/", "Beta")];
        let sections = [
            vec![section("", "", "words", BODY)],
            vec![section("", "", "other", BODY)],
        ];
        // Terms that are not those of the sections: the pass's are used, not weighed again.
        let cached = Weigher::default().weigh("Gamma", [("", "delta", BODY)]);
        let stale = Weigher::default().weigh("", [("", "x1", BODY), ("", "x2", BODY)]);
        let given = [Some(Cow::Borrowed(&cached)), Some(Cow::Borrowed(&stale))];
        let weighed = weigh(&pages, &sections, given.to_vec());
        assert!(matches!(weighed[0], Cow::Borrowed(t) if std::ptr::eq(t, &cached)));
        // Terms for a different number of sections are not the page's: it is weighed here.
        assert_eq!(
            *weighed[1],
            Weigher::default().weigh("Beta", [("", "other", BODY)])
        );
        let p = Postings::of(&weighed);
        let terms: Vec<&str> = p.terms.iter().map(|(t, _)| *t).collect();
        assert_eq!(terms, ["beta", "delta", "gamma", "other"]);
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
        let weighed = postings(&pages, &sections);
        let p = Postings::of(&weighed);
        let list = |term: &str| {
            let (_, id) = p.terms.iter().find(|(t, _)| *t == term).expect("indexed");
            p.list(*id).to_vec()
        };
        assert_eq!(list("common"), [0, u32::from(BODY), 2, u32::from(HEADING)]);
        assert_eq!(list("beta"), [1, u32::from(TITLE)]);
        let terms: Vec<&str> = p.terms.iter().map(|(t, _)| *t).collect();
        assert_eq!(terms, ["alpha", "beta", "common"]);
    }

    #[test]
    fn shards_are_runs_of_one_first_character_in_key_order() {
        let pages = [page("a/", "zeta é ā 9x ab")];
        let sections = [vec![section("", "", "", BODY)]];
        let weighed = postings(&pages, &sections);
        let p = Postings::of(&weighed);
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
    fn texts_are_read_in_runs_of_whole_groups() {
        let groups = ["a", "a", "b", "c", "c", "c", "d"];
        let pages: Vec<Page> = groups
            .iter()
            .map(|g| Page {
                g: (*g).into(),
                ..page("x/", "X")
            })
            .collect();
        assert_eq!(runs_of_groups(&pages, 2), [0..2, 2..6, 6..7]);
        assert_eq!(runs_of_groups(&pages, 1), [0..2, 2..3, 3..6, 6..7]);
        assert_eq!(runs_of_groups(&pages, 100), vec![Range { start: 0, end: 7 }]);
        assert!(runs_of_groups(&[], 2).is_empty());
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
}
