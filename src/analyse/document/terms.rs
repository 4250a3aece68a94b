//! A page's search terms, weighed once: the page's distinct terms and, section by section, the
//! terms each holds with their weights. A document's are made in its pass
//! ([`super::RenderedDoc::terms`]) and kept with the rest of its result in the caches, so a build
//! whose documents are unchanged only merges them into the site's index (`render/search.rs`):
//! tokenising and weighing were most of the index's cost.
//!
//! Stored compactly, as the disk cache decodes them on every warm build: the terms as one
//! string, the pairs as one run of bytes (one copy to decode, no allocation per term).

mod words;

use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};

use serde::de::Deserializer;
use serde::{Deserialize, Serialize, Serializer};

use super::sections::{SearchSection, needs_opening};
use crate::blob::{Blob, ByteBuf};
use words::{Term, each_term};

/// Terms are hashed once per word of a page: foldhash is several times faster than the
/// standard SipHash on short keys and still seeded per run, so a document cannot be written
/// to make its words collide.
type TermHasher = foldhash::fast::RandomState;

/// Weights by where a term was found; the browser multiplies them by rarity.
pub const TITLE: u8 = 8;
pub const HEADING: u8 = 4;
pub const FACTS: u8 = 3;
pub const BODY: u8 = 1;
/// Repeats in a body add at most this much: a word said ten times is not ten times the hit.
pub const BODY_REPEATS: u8 = 1;

/// A pair is the term's number above four bits of weight (weights are at most [`TITLE`]).
const WEIGHT_BITS: u32 = 4;
/// Terms a page may have, so that every number fits beside its weight; a page's text is
/// capped far below this, so no real page reaches it.
const MAX_TERMS: usize = 1 << (32 - WEIGHT_BITS);
/// A page with at most this many terms (most pages) stores each pair in two bytes, not four.
const NARROW_TERMS: usize = 1 << (16 - WEIGHT_BITS);

/// Terms a weigher makes room for up front; a larger page grows its tables as it goes.
const MAX_PRESIZED: usize = 1 << 16;

/// One page's terms (see the module's comment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageTerms {
    /// The distinct terms in the order found, one after another: term `i` is `lengths[i]`
    /// bytes long (a term is at most 32 characters, so at most 128 bytes).
    text: String,
    lengths: Vec<u8>,
    /// Each section's `term << WEIGHT_BITS | weight`, little-endian, in [`PageTerms::width`]
    /// bytes each, one section
    /// after another.
    pairs: Vec<u8>,
    /// How many pairs each section has, in order.
    sections: Vec<u32>,
}

impl PageTerms {
    /// No terms (for a `static` empty result).
    pub const EMPTY: PageTerms = PageTerms {
        text: String::new(),
        lengths: Vec::new(),
        pairs: Vec::new(),
        sections: Vec::new(),
    };

    /// The page's terms, numbered by their position (empty where a damaged cache entry's
    /// lengths do not fit its text).
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        let mut at = 0usize;
        self.lengths.iter().map(move |&n| {
            let from = at;
            at += usize::from(n);
            self.text.get(from..at).unwrap_or_default()
        })
    }

    /// How many terms [`PageTerms::terms`] gives.
    pub fn term_count(&self) -> usize {
        self.lengths.len()
    }

    pub fn section_count(&self) -> usize {
        self.sections.len()
    }

    /// Each section's `(term, weight)` pairs, section by section. Pairs a damaged cache entry
    /// does not have are left out rather than read past the end.
    pub fn sections(&self) -> impl Iterator<Item = impl Iterator<Item = (u32, u8)> + '_> + '_ {
        let width = self.width();
        let mut from = 0usize;
        self.sections.iter().map(move |&count| {
            let at = from;
            from = from.saturating_add((count as usize).saturating_mul(width));
            let pairs = self.pairs.get(at..from).unwrap_or(&[]);
            pairs.chunks_exact(width).map(|p| {
                let pair = match *p {
                    [a, b] => u32::from(u16::from_le_bytes([a, b])),
                    _ => u32::from_le_bytes([p[0], p[1], p[2], p[3]]),
                };
                (pair >> WEIGHT_BITS, (pair & ((1 << WEIGHT_BITS) - 1)) as u8)
            })
        })
    }

    /// Bytes per pair: two while every term number fits beside its weight in 16 bits.
    fn width(&self) -> usize {
        if self.lengths.len() <= NARROW_TERMS { 2 } else { 4 }
    }

    /// Pairs written four bytes each as found, in two where the page's terms allow.
    fn narrow(&mut self) {
        if self.width() == 4 {
            return;
        }
        let count = self.pairs.len() / 4;
        for i in 0..count {
            let at = i * 4;
            let p = &self.pairs[at..at + 4];
            // The number is below NARROW_TERMS, so the pair fits in the low two bytes.
            let (low, high) = (p[0], p[1]);
            self.pairs[i * 2] = low;
            self.pairs[i * 2 + 1] = high;
        }
        self.pairs.truncate(count * 2);
    }

    /// Gives back what the weigher reserved for a page of its size and what narrowing freed:
    /// every page's terms are held until the index is made.
    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.lengths.shrink_to_fit();
        self.pairs.shrink_to_fit();
        self.sections.shrink_to_fit();
    }

    /// Roughly how many bytes they take in a file.
    pub fn bytes(&self) -> usize {
        self.text.len() + self.lengths.len() + self.pairs.len() + 4 * self.sections.len()
    }
}

/// A document's terms, section by section as the search lists its sections: an opening
/// section first where [`needs_opening`] says so, the title's words in the first.
pub fn of_document(title: &str, sections: &[SearchSection]) -> PageTerms {
    let opening = needs_opening(sections).then_some(("", "", BODY));
    let rest = sections.iter().map(|s| (&*s.heading, &*s.text, BODY));
    let bytes: usize = sections.iter().map(|s| s.text.len() + s.heading.len()).sum();
    Weigher::for_bytes(bytes).weigh(title, opening.into_iter().chain(rest))
}

/// Each term of a section with its weight: the best place it was found, plus repeats.
#[derive(Default)]
pub struct Weigher {
    /// Each term's number, found by the term's hash and compared with its text in `terms`:
    /// one hash a word, and no key of its own (a map keyed by the term hashed a new term
    /// twice and copied every folded one).
    ids: hashbrown::HashTable<u32>,
    hasher: TermHasher,
    /// Where each term starts in `terms.text`.
    starts: Vec<u32>,
    terms: PageTerms,
    /// The open section's weight of each of the page's terms, 0 where it has none.
    weight: Vec<u8>,
    /// The open section's terms, in the order found.
    found: Vec<u32>,
    scratch: String,
}

impl Weigher {
    /// A weigher sized for a page of about `bytes` of text, so its tables do not grow and
    /// rehash as terms come: the corpus's densest documents have a distinct term per 11–13
    /// bytes of Markdown (the median one, per 24), and their plain text is shorter still.
    fn for_bytes(bytes: usize) -> Self {
        let terms = (bytes / 12).min(MAX_PRESIZED);
        Weigher {
            ids: hashbrown::HashTable::with_capacity(terms),
            starts: Vec::with_capacity(terms),
            weight: Vec::with_capacity(terms),
            ..Weigher::default()
        }
    }

    /// Weighs a page's sections, each `(heading, text, weight of the text's words)`; the first
    /// section holds the title's words too. The weigher is left empty, its storage kept for
    /// the next page.
    pub fn weigh<'a>(
        &mut self,
        title: &'a str,
        secs: impl IntoIterator<Item = (&'a str, &'a str, u8)>,
    ) -> PageTerms {
        let mut scratch = std::mem::take(&mut self.scratch);
        for (i, (heading, text, found)) in secs.into_iter().enumerate() {
            each_term(text, &mut scratch, |t| {
                self.add(t, |w| match w {
                    0 => found,
                    w if found == BODY && w < BODY + BODY_REPEATS => w + 1,
                    w => w,
                });
            });
            let title = if i == 0 { title } else { "" };
            for (words, weight) in [(heading, HEADING), (title, TITLE)] {
                each_term(words, &mut scratch, |t| self.add(t, |w| w.max(weight)));
            }
            self.end_section();
        }
        self.scratch = scratch;
        self.ids.clear();
        self.starts.clear();
        self.weight.clear();
        let mut terms = std::mem::take(&mut self.terms);
        terms.narrow();
        terms.shrink_to_fit();
        terms
    }

    fn add(&mut self, term: Term<'_, '_>, weigh: impl Fn(u8) -> u8) {
        let Some(id) = self.id(term.as_str()) else {
            return;
        };
        let w = &mut self.weight[id as usize];
        if *w == 0 {
            self.found.push(id);
        }
        *w = weigh(*w);
    }

    /// The term's number within the page, `None` past [`MAX_TERMS`]. A new term is written
    /// to the page's terms as it is numbered, so they are in number order.
    // Always inlined into its one caller, which runs once a word: as a call its register
    // saves and restores were a tenth of its cost.
    #[inline(always)]
    fn id(&mut self, term: &str) -> Option<u32> {
        let Weigher {
            ids,
            hasher,
            starts,
            terms,
            weight,
            ..
        } = self;
        let text_of = |id: u32| {
            let from = starts[id as usize] as usize;
            &terms.text[from..from + usize::from(terms.lengths[id as usize])]
        };
        let hash = hash_term(hasher, term);
        if let Some(&id) = ids.find(hash, |&id| text_of(id) == term) {
            return Some(id);
        }
        let length = u8::try_from(term.len()).ok()?;
        let start = u32::try_from(terms.text.len()).ok()?;
        let id = u32::try_from(weight.len())
            .ok()
            .filter(|_| weight.len() < MAX_TERMS)?;
        ids.insert_unique(hash, id, |&id| {
            let from = starts[id as usize] as usize;
            hash_term(
                hasher,
                &terms.text[from..from + usize::from(terms.lengths[id as usize])],
            )
        });
        terms.text.push_str(term);
        terms.lengths.push(length);
        starts.push(start);
        weight.push(0);
        Some(id)
    }

    fn end_section(&mut self) {
        let count = self.found.len();
        for id in self.found.drain(..) {
            let w = std::mem::take(&mut self.weight[id as usize]);
            let pair = id << WEIGHT_BITS | u32::from(w);
            self.terms.pairs.extend_from_slice(&pair.to_le_bytes());
        }
        self.terms.sections.push(u32::try_from(count).unwrap_or(u32::MAX));
    }
}

/// A term's hash from one write of its bytes: `str`'s `Hash` adds a terminator byte, a second
/// round of mixing that only keys made of several strings need, once per word of a page.
fn hash_term(hasher: &TermHasher, term: &str) -> u64 {
    let mut state = hasher.build_hasher();
    state.write(term.as_bytes());
    state.finish()
}

/// Stored as `(terms, lengths, pairs, section sizes)`, the lengths and pairs as bytes: each
/// decodes in one copy.
impl Serialize for PageTerms {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let PageTerms {
            text,
            lengths,
            pairs,
            sections,
        } = self;
        (
            text,
            Blob(Cow::Borrowed(lengths)),
            Blob(Cow::Borrowed(pairs)),
            sections,
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for PageTerms {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (text, ByteBuf(lengths), ByteBuf(pairs), sections) =
            <(String, ByteBuf, ByteBuf, Vec<u32>)>::deserialize(d)?;
        Ok(PageTerms {
            text,
            lengths,
            pairs,
            sections,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn weights(title: &str, heading: &str, text: &str, found: u8) -> HashMap<String, u8> {
        let page = Weigher::default().weigh(title, [(heading, text, found)]);
        let terms: Vec<&str> = page.terms().collect();
        page.sections()
            .flatten()
            .map(|(t, w)| (terms[t as usize].to_owned(), w))
            .collect()
    }

    #[test]
    fn title_beats_heading_beats_facts_beats_body() {
        let w = weights("Threat", "Threat model", "threat threat threat model", BODY);
        assert_eq!(w["threat"], TITLE);
        assert_eq!(w["model"], HEADING);
        assert_eq!(weights("", "Facts", "reviewer alice", FACTS)["alice"], FACTS);
        let w = weights("", "", "once thrice thrice thrice", BODY);
        assert_eq!(w["once"], BODY);
        assert_eq!(w["thrice"], BODY + BODY_REPEATS);
    }

    #[test]
    fn sections_keep_their_own_pairs_and_terms_are_numbered_once() {
        let page = Weigher::default().weigh("Ab", [("", "cd Ef", BODY), ("Cd", "gh", BODY)]);
        assert_eq!(page.terms().collect::<Vec<_>>(), ["cd", "ef", "ab", "gh"]);
        assert_eq!(page.term_count(), 4);
        let secs: Vec<Vec<(u32, u8)>> = page.sections().map(Iterator::collect).collect();
        assert_eq!(
            secs,
            [
                vec![(0, BODY), (1, BODY), (2, TITLE)],
                vec![(3, BODY), (0, HEADING)]
            ]
        );
    }

    /// A word met lowercase and capitalised, and met again after many others (past the
    /// table's first size), is one term with one number.
    #[test]
    fn a_term_is_numbered_once_however_it_is_written() {
        let others: String = (0..5_000).map(|i| format!("w{i} ")).collect();
        let text = format!("Kubernetes kubernetes {others} KUBERNETES Kubernetes");
        let page = Weigher::for_bytes(16).weigh("", [("", &*text, BODY), ("", "kubernetes w7", BODY)]);
        let terms: Vec<&str> = page.terms().collect();
        assert_eq!(terms.len(), 5_001);
        assert_eq!(terms.iter().filter(|t| **t == "kubernetes").count(), 1);
        let secs: Vec<Vec<(u32, u8)>> = page.sections().map(Iterator::collect).collect();
        assert_eq!(secs[0][0], (0, BODY + BODY_REPEATS));
        assert_eq!(secs[1], [(0, BODY), (8, BODY)]);
    }

    #[test]
    fn a_document_has_an_opening_section_when_its_text_starts_at_a_heading() {
        let sec = |anchor: &str| SearchSection {
            heading: "Scope".into(),
            anchor: anchor.into(),
            text: "words".into(),
        };
        assert_eq!(of_document("T", &[sec("scope")]).section_count(), 2);
        assert_eq!(of_document("T", &[sec("")]).section_count(), 1);
        assert_eq!(of_document("T", &[]).section_count(), 1);
    }

    #[test]
    fn stored_terms_read_back_the_same() {
        let page = Weigher::default().weigh("Titel", [("Kopf", "Text mit Wörtern", BODY), ("", "", BODY)]);
        let opts = bincode::DefaultOptions::new();
        let bytes = bincode::Options::serialize(opts, &page).expect("serialises");
        let back: PageTerms = bincode::Options::deserialize(opts, &bytes).expect("reads back");
        assert_eq!(back, page);
    }

    #[test]
    fn pairs_take_two_bytes_while_the_terms_are_few_and_four_beyond() {
        for n in [1, NARROW_TERMS, NARROW_TERMS + 1] {
            let text: String = (0..n).map(|i| format!("t{i} ")).collect();
            let page = Weigher::default().weigh("", [("", &*text, BODY), ("", "t0", BODY)]);
            assert_eq!(page.term_count(), n);
            let width = if n <= NARROW_TERMS { 2 } else { 4 };
            assert_eq!(page.pairs.len(), (n + 1) * width);
            let secs: Vec<Vec<(u32, u8)>> = page.sections().map(Iterator::collect).collect();
            let last = u32::try_from(n - 1).expect("small");
            assert_eq!(secs[0].last(), Some(&(last, BODY)));
            assert_eq!(secs[1], [(0, BODY)]);
        }
    }

    #[test]
    fn damaged_sizes_read_no_further_than_the_pairs() {
        let mut page = Weigher::default().weigh("", [("", "one two", BODY)]);
        page.sections.push(u32::MAX);
        let pairs: usize = page.sections().map(Iterator::count).sum();
        assert_eq!(pairs, 2);
    }
}
