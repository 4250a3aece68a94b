//! Heading anchors computed exactly as GitHub computes them, because authors write `#anchors`
//! against github.com; and the URL slugs of project folders.

use std::collections::HashMap;

use pulldown_cmark::Event;

mod word_chars;

/// Assigns GitHub-style ids within one document, de-duplicating with `-1`, `-2`, ….
///
/// This follows github-slugger: an id that is already taken (including one taken by an earlier
/// de-duplicated id, so `a`, `a`, `a-1` gives `a`, `a-1`, `a-1-1`) gets the next free suffix.
#[derive(Debug, Default)]
pub struct GithubIds {
    /// For each id handed out: how many times its base slug has been suffixed so far.
    seen: HashMap<String, usize>,
}

impl GithubIds {
    pub fn new() -> Self {
        Self::default()
    }

    /// The id for the next heading with plain text `text` (see [`HeadingText`]).
    ///
    /// Every heading must go through here, even empty ones: GitHub counts them, so skipping one
    /// would shift the suffixes of later duplicates.
    pub fn next_id(&mut self, text: &str) -> String {
        let base = github_slug(text);
        let mut id = base.clone();
        while self.seen.contains_key(&id) {
            let n = self.seen.get_mut(&base).map_or(1, |n| {
                *n += 1;
                *n
            });
            id = format!("{base}-{n}");
        }
        self.seen.insert(id.clone(), 0);
        id
    }
}

/// One heading's slug as GitHub makes it, without de-duplication: lowercase, drop everything
/// but letters, marks, decimal/letter numbers, connector punctuation (`_`), `-` and the plain
/// space, then turn each space into `-` (runs are not collapsed, ends are not trimmed).
pub fn github_slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        // An ASCII character lowercases to itself or its ASCII letter: no need for
        // `to_lowercase`'s table search, which was most of the cost of a heading's id.
        if c.is_ascii() {
            push_slug_char(c.to_ascii_lowercase(), &mut slug);
        } else {
            c.to_lowercase().for_each(|c| push_slug_char(c, &mut slug));
        }
    }
    slug
}

/// Appends one lowercase character of a heading's text as the slug has it.
fn push_slug_char(c: char, slug: &mut String) {
    if c == ' ' {
        slug.push('-');
    } else if c == '-' || is_word_char(c) {
        slug.push(c);
    }
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    let c = u32::from(c);
    word_chars::WORD_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The text of a heading, built from its Markdown events, in the two forms we need.
///
/// GitHub derives the id from the text content of the rendered `<hN>`: inline code counts,
/// emphasis markers and HTML tags do not, link text counts, image alt text does not (an `<img>`
/// has no text content), and a soft line break is a newline character (so it is dropped from the
/// id rather than becoming `-`).
#[derive(Debug, Default, Clone)]
pub struct HeadingText {
    /// Exactly what GitHub slugs.
    raw: String,
    image_depth: usize,
}

impl HeadingText {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one event from inside the heading (between its `Start` and `End`).
    pub fn push(&mut self, event: &Event<'_>) {
        use pulldown_cmark::{Tag, TagEnd};
        match event {
            Event::Start(Tag::Image { .. }) => self.image_depth += 1,
            Event::End(TagEnd::Image) => self.image_depth = self.image_depth.saturating_sub(1),
            _ if self.image_depth > 0 => {}
            Event::Text(text) | Event::Code(text) => self.raw.push_str(text),
            Event::SoftBreak => self.raw.push('\n'),
            _ => {}
        }
    }

    /// The text to slug with [`GithubIds::next_id`].
    pub fn for_id(&self) -> &str {
        &self.raw
    }

    /// The text for people (titles, tables of contents): whitespace runs (tabs, breaks) become
    /// one space, and the ends are trimmed.
    pub fn display(&self) -> String {
        self.raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// A lowercase, URL-safe slug for ONE folder name (`Operator Framework SDK` →
/// `operator-framework-sdk`); slug nested folders one component at a time.
///
/// ASCII letters and digits are kept; Latin letters with diacritics are transliterated
/// (`Über` → `uber`, `Straße` → `strasse`) so the common case stays plain ASCII; other letters
/// and digits (Cyrillic, CJK, …) are kept lowercased, because dropping them could leave nothing
/// and they are valid in URLs once percent-encoded. Everything else (spaces, `_`, `.`, `/`,
/// punctuation) becomes a single `-`, trimmed at both ends, so a slug can never be `.`, `..` or
/// contain a path separator. The result is empty only when the name has no letter or digit;
/// callers choose a fallback.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars() {
        let lower;
        let part: &str = if c.is_ascii_alphanumeric() {
            lower = c.to_ascii_lowercase().to_string();
            &lower
        } else if let Some(ascii) = transliterate(c) {
            ascii
        } else if !c.is_ascii() && c.is_alphanumeric() {
            lower = c.to_lowercase().collect::<String>();
            &lower
        } else {
            pending_dash = true;
            continue;
        };
        if pending_dash && !slug.is_empty() {
            slug.push('-');
        }
        pending_dash = false;
        slug.push_str(part);
    }
    slug
}

/// ASCII for the Latin letters of Latin-1 and Latin Extended-A, lowercased.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' => "a",
        'Æ' | 'æ' => "ae",
        'Ç' | 'ç' | 'Ć'..='č' => "c",
        'Ð' | 'ð' | 'Ď'..='đ' => "d",
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' => "e",
        'Ĝ'..='ģ' => "g",
        'Ĥ'..='ħ' => "h",
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' => "i",
        'Ĳ' | 'ĳ' => "ij",
        'Ĵ' | 'ĵ' => "j",
        'Ķ'..='ĸ' => "k",
        'Ĺ'..='ł' => "l",
        'Ñ' | 'ñ' | 'Ń'..='ŋ' => "n",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' => "o",
        'Œ' | 'œ' => "oe",
        'Ŕ'..='ř' => "r",
        'Ś'..='š' => "s",
        'ß' => "ss",
        'Ţ'..='ŧ' => "t",
        'Þ' | 'þ' => "th",
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' => "u",
        'Ŵ' | 'ŵ' => "w",
        'Ý' | 'ý' | 'ÿ' | 'Ŷ'..='Ÿ' => "y",
        'Ź'..='ž' => "z",
        'ſ' => "s",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(headings: &[&str]) -> Vec<String> {
        let mut ids = GithubIds::new();
        headings.iter().map(|h| ids.next_id(h)).collect()
    }

    #[test]
    fn github_ids_for_corpus_headings() {
        assert_eq!(github_slug("Critical."), "critical");
        assert_eq!(github_slug("Metadata"), "metadata");
        assert_eq!(github_slug("CII Best Practices"), "cii-best-practices");
        assert_eq!(
            github_slug("1. External Secret Management Systems"),
            "1-external-secret-management-systems"
        );
        assert_eq!(
            github_slug("Conflict of Interest statement and review"),
            "conflict-of-interest-statement-and-review"
        );
        assert_eq!(github_slug("Known Issues Over Time:"), "known-issues-over-time");
        assert_eq!(
            github_slug("9. Vulnerability Reporting & Incident Response"),
            "9-vulnerability-reporting--incident-response"
        );
        assert_eq!(github_slug("Project’s Goals"), "projects-goals");
        assert_eq!(github_slug("Don't panic"), "dont-panic");
        assert_eq!(github_slug("Self-assessment use"), "self-assessment-use");
        assert_eq!(
            github_slug("Related Projects / Vendors"),
            "related-projects--vendors"
        );
        // A tab (TabH in the audit) is not a space: GitHub drops it.
        assert_eq!(
            github_slug("CNCF TAG-Security\tHarbor Project Self Assessment"),
            "cncf-tag-securityharbor-project-self-assessment"
        );
    }

    #[test]
    fn github_ids_unicode_rules() {
        // Emoji and symbols are dropped, the spaces around them are not collapsed.
        assert_eq!(github_slug("Ship it 🚀 now"), "ship-it--now");
        assert_eq!(github_slug("🎉"), "");
        // Letters of any script and combining marks are kept; `²` (No) is not.
        assert_eq!(github_slug("Überblick Schlüssel"), "überblick-schlüssel");
        assert_eq!(github_slug("Cafe\u{301}"), "cafe\u{301}");
        assert_eq!(github_slug("日本語 見出し"), "日本語-見出し");
        assert_eq!(github_slug("x² ⓐ"), "x-");
        assert_eq!(
            github_slug("snake_case and kebab-case"),
            "snake_case-and-kebab-case"
        );
        // NBSP is a separator, not a space.
        assert_eq!(github_slug("a\u{a0}b"), "ab");
        assert_eq!(github_slug("  two  spaces "), "--two--spaces-");
    }

    /// The ASCII shortcut gives what lowercasing every character gives, and a non-ASCII
    /// character whose lowercase is ASCII (the Kelvin sign, dotted capital I) is filtered
    /// like any other.
    #[test]
    fn github_slug_is_the_slug_of_the_lowercased_text() {
        let reference = |text: &str| -> String {
            let mut slug = String::new();
            for c in text.chars().flat_map(char::to_lowercase) {
                push_slug_char(c, &mut slug);
            }
            slug
        };
        let every: String = (0..0x3400u32).filter_map(char::from_u32).collect();
        assert_eq!(github_slug(&every), reference(&every));
        assert_eq!(
            github_slug("\u{212a}elvin \u{130}stanbul"),
            "kelvin-i\u{307}stanbul"
        );
    }

    #[test]
    fn duplicates_get_suffixes_like_github_slugger() {
        assert_eq!(ids(&["Goals", "Goals", "Goals"]), ["goals", "goals-1", "goals-2"]);
        assert_eq!(ids(&["a", "a", "a-1"]), ["a", "a-1", "a-1-1"]);
        assert_eq!(ids(&["a-1", "a", "a"]), ["a-1", "a", "a-2"]);
        assert_eq!(ids(&["", ""]), ["", "-1"]);
        assert_eq!(ids(&["Critical.", "Critical"]), ["critical", "critical-1"]);
    }

    #[test]
    fn heading_text_from_events() {
        let text = |md: &str| {
            let mut text = HeadingText::new();
            let mut inside = false;
            for event in pulldown_cmark::Parser::new(md) {
                match event {
                    Event::Start(pulldown_cmark::Tag::Heading { .. }) => inside = true,
                    Event::End(pulldown_cmark::TagEnd::Heading(_)) => inside = false,
                    ref e if inside => text.push(e),
                    _ => {}
                }
            }
            (text.display(), github_slug(text.for_id()))
        };
        assert_eq!(text("## **Metadata**"), ("Metadata".into(), "metadata".into()));
        assert_eq!(
            text("### [CII Best Practices](https://bestpractices.dev)"),
            ("CII Best Practices".into(), "cii-best-practices".into())
        );
        assert_eq!(
            text("## The `tssa check` command"),
            ("The tssa check command".into(), "the-tssa-check-command".into())
        );
        assert_eq!(
            text("## A <sup>1</sup> note"),
            ("A 1 note".into(), "a-1-note".into())
        );
        assert_eq!(
            text("## Logo ![alt text](x.png) here"),
            ("Logo here".into(), "logo--here".into())
        );
        assert_eq!(
            text("## Tom &amp; Jerry"),
            ("Tom & Jerry".into(), "tom--jerry".into())
        );
        assert_eq!(text("Two\nlines\n==="), ("Two lines".into(), "twolines".into()));
    }

    #[test]
    fn folder_slugs() {
        assert_eq!(slugify("Operator Framework SDK"), "operator-framework-sdk");
        assert_eq!(slugify("Harbor"), "harbor");
        assert_eq!(slugify("spiffe-spire"), "spiffe-spire");
        assert_eq!(slugify("open_telemetry"), "open-telemetry");
        assert_eq!(slugify("  Weird -- name!! "), "weird-name");
        assert_eq!(slugify("Über Straße"), "uber-strasse");
        assert_eq!(slugify("Ceph Łódź"), "ceph-lodz");
        assert_eq!(slugify("Проект"), "проект");
        assert_eq!(slugify(".."), "");
        assert_eq!(slugify("a/b"), "a-b");
        assert_eq!(slugify("v1.2"), "v1-2");
        assert_eq!(slugify("🚀"), "");
    }
}
