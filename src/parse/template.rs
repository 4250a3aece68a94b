//! Template text left in a document: the guide's placeholders (`[project]`), its guidance
//! sentences and the `TODO(tssa)` marks `tssa new` writes, where each shows in the lines a
//! reader sees. It depends on the document's text alone, so it is found once, when the
//! document is parsed, and kept with the parse (`model::Visibility::template`, in the parse
//! cache): a warm `tssa check` then only reads the answer. `check` turns it into findings.

use std::sync::OnceLock;

use crate::model::{DocKind, TemplateHits};

/// Template placeholders in running text. Matched in lowercase with `*`/`_` removed and
/// typographic apostrophes made plain, outside HTML comments, code and tables.
///
/// The placeholders of labelled lines (`Project team: _list name and github handle as
/// appropriate_`, `Completed: dd MMM yyyy`, `_url to repo_`) and of metadata cells are the
/// fact parser's (`facts/placeholder`); they are not repeated here.
pub const PLACEHOLDERS: &[&str] = &["[project]", "[project name]", "did/did not receive"];

/// What `tssa new` writes where a part is still to be written (`TODO(tssa): …`), lowercase.
pub const TODO_MARK: &str = "todo(tssa)";

/// Template guidance sentences (from `guide/*.md`) that should not survive into a package.
pub const GUIDANCE: &[&str] = &[
    // self-assessment.md
    "one or two sentences describing the project",
    "provide information for reviewers who may not be familiar",
    "these are the individual parts of your system that interact",
    "these are the steps that a project performs in order to provide",
    "the intended goals of the projects including the security guarantees",
    "that a reasonable reader of the project's literature could believe",
    "a listing critical security components of the project",
    "a listing of security relevant components of the project",
    "list any security standards or sub-sections the project is",
    "a description of the testing and assessment processes that",
    "reference where you document how to reach your team",
    "how does your software fit into the cloud native ecosystem",
    "a outline of the project's responsible",
    "who is responsible for responding to a report",
    "a description of the defined procedures for triage",
    "list or summarize statistics of past vulnerabilities",
    "provide context for reviewers by detailing 2-3 scenarios",
    "reflect on times prospective users have asked",
    "provide the list of links to existing security documentation",
    // joint-assessment.md
    "the burden is primarily on the proposing project to demonstrate",
    "projects are encouraged to cross link additional supporting documents",
    "this section can be pulled from the",
    "this should be pulled in from the self-assessment",
    "in the initial draft, please include whatever you believe",
    "use previous table outline",
    "below is an example threat model table",
    "a description of the system design that discusses how it works",
    "provide a mapping from [standard",
    "a discussion about the likely goals of an attacker",
    // joint-readme-template.md
    "brief synopsys of the project",
    "use cases, integrations, etc. bulleted",
    "refer to the existing readmes for other projects",
];

/// Whether leftover template text is looked for in a document of this kind: the documents
/// `check` reads it from (the package's self-assessment, joint assessment and summary).
pub fn is_scanned(kind: DocKind) -> bool {
    matches!(
        kind,
        DocKind::SelfAssessment | DocKind::JointAssessment | DocKind::Summary
    )
}

/// The template text in a document's visible lines (file line, text). Table rows and
/// headings are left out: those are the metadata parsers' and the outline checks' business.
pub fn find<'t>(visible: impl Iterator<Item = (usize, &'t str)>) -> TemplateHits {
    let lines = visible.filter_map(|(line, raw)| {
        let t = raw.trim_start();
        let skip = t.starts_with('|') || has_td(t) || t.starts_with('#');
        (!skip).then_some((line, t))
    });
    TemplateHits(scan_template_text(lines))
}

/// How many patterns there are: a [`TemplateHits`] has one entry for each, placeholders
/// first, then guidance sentences, then the `TODO(tssa)` mark.
pub fn pattern_count() -> usize {
    PLACEHOLDERS.len() + GUIDANCE.len() + 1
}

/// `text.contains("<td")`, by a byte search for `<`: a substring search set up for every
/// line cost a tenth of the template-text scan.
fn has_td(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'<', bytes).any(|at| bytes[at + 1..].starts_with(b"td"))
}

/// Lowercase, emphasis marks dropped, typographic apostrophes made plain, spaces collapsed.
#[cfg(test)]
fn simplify(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    simplify_while(text, &mut out, usize::MAX, &[]);
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends the simplified `text` as UTF-8 bytes, stopping once `limit` bytes are written or
/// at the first byte that differs from `want` (within its length): a candidate that is not
/// the pattern is told after a few characters instead of after the pattern's whole length.
fn simplify_while(text: &str, out: &mut Vec<u8>, limit: usize, want: &[u8]) {
    let start = out.len();
    let mut space = false;
    let mut checked = 0;
    for c in text.chars() {
        let written = out.len() - start;
        if written >= limit {
            break;
        }
        let upto = written.min(want.len());
        if out[start + checked..start + upto] != want[checked..upto] {
            break;
        }
        checked = upto;
        let c = match c {
            '*' | '_' => continue,
            '\u{2018}' | '\u{2019}' => '\'',
            c if c.is_whitespace() => {
                space = true;
                continue;
            }
            c => c,
        };
        if space && out.len() > start {
            out.push(b' ');
        }
        space = false;
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase() as u8);
            continue;
        }
        let mut buf = [0u8; 4];
        for l in c.to_lowercase() {
            out.extend_from_slice(l.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// Placeholders then guidance sentences, in one list.
/// Then the `tssa new` marker, last.
fn template_patterns() -> impl Iterator<Item = &'static str> {
    PLACEHOLDERS
        .iter()
        .chain(GUIDANCE.iter())
        .copied()
        .chain(std::iter::once(TODO_MARK))
}

/// ASCII letters folded to lowercase, eight bytes at a time (other bytes change too, but
/// the same way in patterns and text, and no ASCII byte maps onto another ASCII byte that
/// a pattern starts with).
const FOLD: u64 = 0x2020_2020_2020_2020;

/// The first eight bytes of every pattern (all are longer), folded, and a skip table over
/// folded byte triples (Horspool's rule on 3-grams, hashed to 16 bits): a window whose last
/// triple appears in no prefix at its last place cannot start one, and the table says how
/// far the next window that could is. Pairs of letters are so common in the 36 prefixes
/// that a pair table moved 1.3 bytes a step; triples move several.
struct Prefilter {
    /// Per hashed folded triple: how many positions ahead a prefix could start (0: this
    /// one may). A hash collision only makes a skip shorter, never wrong.
    skip: Vec<u8>,
    /// The prefixes hashed into a bitmap: most windows the triples let through miss it.
    bits: Vec<u64>,
    prefixes: Vec<(u64, usize)>,
}

fn prefix_hash(prefix: u64) -> usize {
    // Fibonacci hashing to 16 bits.
    (prefix.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize
}

impl Prefilter {
    fn may_start(&self, prefix: u64) -> bool {
        let h = prefix_hash(prefix);
        self.bits[h >> 6] & (1 << (h & 63)) != 0 && self.prefixes.iter().any(|&(p8, _)| p8 == prefix)
    }
}

/// The triple that ends at `end` (the bytes `end - 3 .. end`, folded like [`FOLD`]), hashed
/// to 16 bits: one four-byte load, the byte before the triple shifted out.
fn triple_before(bytes: &[u8], end: usize) -> usize {
    let four: [u8; 4] = bytes[end - 4..end].try_into().unwrap_or_default();
    triple_hash(four)
}

/// The hash of the last three bytes of `four`, folded.
fn triple_hash(four: [u8; 4]) -> usize {
    let t = (u32::from_le_bytes(four) | 0x2020_2020) >> 8;
    (t.wrapping_mul(0x9E37_79B1) >> 16) as usize
}

fn prefix_at(bytes: &[u8]) -> Option<u64> {
    let head: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
    Some(u64::from_le_bytes(head) | FOLD)
}

fn prefilter() -> &'static Prefilter {
    static PREFILTER: OnceLock<Prefilter> = OnceLock::new();
    PREFILTER.get_or_init(|| {
        let mut skip = vec![6u8; 1 << 16];
        let mut bits = vec![0u64; 1024];
        let mut prefixes = Vec::new();
        for (i, p) in template_patterns().enumerate() {
            if let Some(prefix) = prefix_at(p.as_bytes()) {
                for (j, t) in p.as_bytes()[..8].windows(3).enumerate() {
                    let slot = &mut skip[triple_hash([0, t[0], t[1], t[2]])];
                    *slot = (*slot).min(5 - j as u8);
                }
                let h = prefix_hash(prefix);
                bits[h >> 6] |= 1 << (h & 63);
                prefixes.push((prefix, i));
            }
        }
        Prefilter { skip, bits, prefixes }
    })
}

/// The positions of `text` where the folded eight bytes equal some pattern's prefix, in order.
fn candidates<'f>(text: &'f [u8], filter: &'f Prefilter) -> impl Iterator<Item = (usize, u64)> + 'f {
    let mut at = 0;
    std::iter::from_fn(move || {
        while at + 8 <= text.len() {
            let shift = filter.skip[triple_before(text, at + 8)];
            if shift > 0 {
                at += usize::from(shift);
                continue;
            }
            let here = at;
            at += 1;
            let prefix = prefix_at(&text[here..])?;
            if filter.may_start(prefix) {
                return Some((here, prefix));
            }
        }
        None
    })
}

/// For every template pattern, the line of its first occurrence (0 if none) and its number
/// of occurrences (`[project](…)` links excepted: those are real text).
///
/// One pass over the raw lines: a case-folded 8-byte prefilter, skipping ahead by byte
/// pairs ([`Prefilter`]), finds the rare positions where a pattern may start, and only there is the text simplified (emphasis
/// dropped, spaces collapsed) and compared. Simplifying every line first, or searching once
/// per pattern, made this the slowest part of the whole check.
fn scan_template_text<'t>(lines: impl Iterator<Item = (usize, &'t str)>) -> Vec<(usize, usize)> {
    let patterns: Vec<&[u8]> = template_patterns().map(str::as_bytes).collect();
    let mut hits = vec![(0, 0); patterns.len()];
    let filter = prefilter();
    let mut buf = Vec::with_capacity(256);
    for (line, text) in lines {
        for (at, prefix) in candidates(text.as_bytes(), filter) {
            for &(p8, i) in &filter.prefixes {
                // A matching prefix starts with an ASCII byte, so `at` is a char boundary.
                let (true, Some(rest)) = (p8 == prefix, text.get(at..)) else {
                    continue;
                };
                let p = patterns[i];
                buf.clear();
                simplify_while(rest, &mut buf, p.len() + 1, p);
                if !buf.starts_with(p) {
                    continue;
                }
                let linked = p.ends_with(b"]") && matches!(buf.get(p.len()), Some(b'(' | b'['));
                // `TODO(tssa)` after a label or in a table cell is a value the fact parser
                // reports; only the marker lines standing for a part to write are ours.
                let inside = p == TODO_MARK.as_bytes()
                    && text.get(..at).is_some_and(|before| {
                        !before
                            .trim_start_matches([' ', '*', '_', '-', '+', '>'])
                            .is_empty()
                    });
                if !linked && !inside {
                    let hit = &mut hits[i];
                    if hit.0 == 0 {
                        hit.0 = line;
                    }
                    hit.1 += 1;
                }
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The skipping scan finds exactly the positions a byte-by-byte one does.
    #[test]
    fn candidates_match_a_full_scan() {
        let filter = prefilter();
        let mut text = String::new();
        for (i, p) in template_patterns().enumerate() {
            text.push_str(["x", "  ", "A", "thi", "é"][i % 5]);
            text.push_str(&p.to_uppercase());
            text.push_str(&p[..p.len() / 2]);
        }
        text.push_str("this sectionthis section[PROJECT]");
        let bytes = text.as_bytes();
        let full: Vec<usize> = (0..bytes.len().saturating_sub(7))
            .filter(|&at| {
                let prefix = prefix_at(&bytes[at..]);
                filter.prefixes.iter().any(|&(p8, _)| Some(p8) == prefix)
            })
            .collect();
        let skipped: Vec<usize> = candidates(bytes, filter).map(|(at, _)| at).collect();
        assert_eq!(skipped, full);
        assert!(full.len() > template_patterns().count());
    }

    #[test]
    fn placeholders_not_links() {
        let project = |text: &str| scan_template_text([(7, text)].into_iter())[0];
        assert_eq!(project("the [project] team, [project]'s"), (7, 2));
        assert_eq!(project("a [Project](https://x) board"), (0, 0));
        assert_eq!(project("[project](x) and [PROJECT]"), (7, 1));
        assert_eq!(project("é[project]"), (7, 1));
        assert_eq!(project(""), (0, 0));
        let lines = [
            (1, "x Use previous  table outline."),
            (
                2,
                "* Critical.  A listing critical security components of the project",
            ),
            (
                3,
                "**[Project] did/did not receive a hands-assessment from TAG-Security.**",
            ),
            (4, "these are the steps that a project"),
        ];
        let hits = scan_template_text(lines.into_iter());
        let found: Vec<(&str, usize)> = template_patterns()
            .zip(&hits)
            .filter(|(_, h)| h.1 > 0)
            .map(|(p, h)| (p, h.0))
            .collect();
        assert_eq!(
            found,
            [
                ("[project]", 3),
                ("did/did not receive", 3),
                ("a listing critical security components of the project", 2),
                ("use previous table outline", 1)
            ]
        );
    }

    #[test]
    fn simplifying_stops_where_the_pattern_differs() {
        let mut out = Vec::new();
        simplify_while("Provide  **Context** for", &mut out, 16, b"provide context");
        assert_eq!(out, b"provide context f");
        out.clear();
        simplify_while("Provide the list of links", &mut out, 16, b"provide context");
        assert_eq!(out, b"provide t");
        out.clear();
        simplify_while(
            "A \u{2019}Quote\u{2019} \u{00c9}T\u{00c9}",
            &mut out,
            usize::MAX,
            &[],
        );
        assert_eq!(String::from_utf8_lossy(&out), "a 'quote' \u{e9}t\u{e9}");
    }

    #[test]
    fn patterns_are_written_simplified() {
        assert_eq!(
            simplify("  The **[Project]**  team’s _work_ "),
            "the [project] team's work"
        );
        // A pattern that simplification would change could never match.
        for p in template_patterns() {
            assert_eq!(simplify(p), p);
        }
    }

    #[test]
    fn template_patterns_are_long_enough_for_the_prefilter() {
        for p in PLACEHOLDERS.iter().chain(GUIDANCE).chain([&TODO_MARK]) {
            assert!(p.len() >= 8, "{p}");
        }
    }
}

#[cfg(test)]
mod parsed {
    use crate::model::DocKind;

    #[test]
    fn found_once_for_the_documents_check_reads() {
        let body = b"# Title\n\nThe [project] team.\n\n| [project] | x |\n";
        for kind in [
            DocKind::SelfAssessment,
            DocKind::JointAssessment,
            DocKind::Summary,
        ] {
            let parsed = crate::parse::parse_document("p/x.md", body, kind);
            let hits = parsed.hidden.and_then(|v| v.readings).expect("found").template;
            assert_eq!(hits.0.len(), super::pattern_count());
            // The table row is left out.
            assert_eq!(hits.0[0], (3, 1));
        }
        for kind in [DocKind::Process, DocKind::Other, DocKind::ThreatModel] {
            let parsed = crate::parse::parse_document("p/x.md", body, kind);
            assert!(parsed.hidden.expect("visibility").readings.is_none());
        }
    }
}
