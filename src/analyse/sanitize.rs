//! The allow list for the HTML of rendered documents.
//!
//! Everything a document renders to goes through here once, Markdown output and raw HTML
//! alike, so there is one place that decides what may reach a reader's browser. The list is
//! built from scratch rather than from ammonia's defaults, so that what is allowed is written
//! down here and pinned by the tests below.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

use super::highlight::CLASS_PREFIX;
use super::links::EXTERNAL_SCHEMES;
use crate::markdown::rawhtml::{self, Token};

/// Elements a document may use. Anything else is removed, keeping its text. Sorted, so the
/// writer's own tags are looked up by binary search (`is_listed_tag`).
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Elements whose content is not the document's: code, raw text, foreign markup, options, or
/// fallback text for something we do not show. html5ever reads everything after an unclosed
/// one as its content, so the writer shows these tags as text ([`is_shown_as_text`]); any
/// that reach the sanitizer anyway are removed together with their content.
pub(crate) const REMOVED_WITH_CONTENT: &[&str] = &[
    "applet",
    "iframe",
    "math",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "plaintext",
    "script",
    "select",
    "style",
    "svg",
    "template",
    "textarea",
    "title",
    "xmp",
];

const GENERIC_ATTRIBUTES: &[&str] = &["class", "dir", "id", "lang", "title"];

const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href", "name", "rel", "aria-label", "aria-hidden"]),
    (
        "img",
        &["src", "alt", "width", "height", "align", "loading", "decoding"],
    ),
    ("pre", &["tabindex"]),
    ("input", &["type", "checked", "disabled"]),
    ("td", &["colspan", "rowspan", "align", "valign"]),
    ("th", &["colspan", "rowspan", "align", "valign", "scope"]),
    ("tr", &["align", "valign"]),
    ("thead", &["align", "valign"]),
    ("tbody", &["align", "valign"]),
    ("tfoot", &["align", "valign"]),
    ("table", &["align"]),
    ("col", &["span", "align", "width"]),
    ("colgroup", &["span", "align", "width"]),
    ("ol", &["start", "reversed", "type"]),
    ("li", &["value"]),
    ("details", &["open"]),
    ("time", &["datetime"]),
    ("del", &["datetime"]),
    ("ins", &["datetime"]),
    ("p", &["align"]),
    ("div", &["align"]),
    ("h1", &["align"]),
    ("h2", &["align"]),
    ("h3", &["align"]),
    ("h4", &["align"]),
    ("h5", &["align"]),
    ("h6", &["align"]),
];

/// Classes the renderer itself emits (besides `hl-*` from the highlighter and `language-*` on
/// code). Authors' own classes are dropped: the theme's CSS is not theirs to hook into.
pub const RENDER_CLASSES: &[&str] = &[
    "anchor",
    "broken-link",
    "broken-image",
    "footnote-reference",
    "footnote-definition",
    "footnote-definition-label",
    "task-list-item",
    "contains-task-list",
    "align-left",
    "align-center",
    "align-right",
];

const LINK_RELS: &[&str] = &["noopener", "noreferrer", "nofollow"];

static BUILDER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (tag, attributes) in TAG_ATTRIBUTES {
        tag_attributes
            .entry(tag)
            .or_default()
            .extend(attributes.iter().copied());
    }
    let mut builder = Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(REMOVED_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(tag_attributes)
        // A task-list box is the only input a document may have, and it never takes input.
        .set_tag_attribute_value("input", "type", "checkbox")
        .set_tag_attribute_value("input", "disabled", "")
        // A document's table scrolls sideways inside its own box when it is wide; a keyboard
        // can only scroll what it can focus (WCAG 2.1.1; axe: scrollable-region-focusable).
        .set_tag_attribute_value("table", "tabindex", "0")
        .url_schemes(EXTERNAL_SCHEMES.iter().copied().collect())
        // Our own links are already relative to the page; they must stay that way.
        .url_relative(UrlRelative::PassThrough)
        // `rel` is set by the renderer on external links only.
        .link_rel(None)
        .strip_comments(true)
        .attribute_filter(filter_attribute);
    builder
});

fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let keep_tokens = |allowed: &dyn Fn(&str) -> bool| {
        let kept: Vec<&str> = value.split_ascii_whitespace().filter(|t| allowed(t)).collect();
        (!kept.is_empty()).then(|| Cow::Owned(kept.join(" ")))
    };
    match attribute {
        "class" => keep_tokens(&is_allowed_class),
        "rel" => keep_tokens(&|t| LINK_RELS.contains(&t.to_ascii_lowercase().as_str())),
        "id" | "name" if value.trim().is_empty() => None,
        "type" if element == "input" => Some(Cow::Borrowed("checkbox")),
        _ => Some(Cow::Borrowed(value)),
    }
}

fn is_allowed_class(class: &str) -> bool {
    let tail_ok = |tail: &str| {
        !tail.is_empty()
            && tail
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '#' | '.'))
    };
    // The highlighter's classes first: every token of every code block has one.
    class.strip_prefix(CLASS_PREFIX).is_some_and(tail_ok)
        || RENDER_CLASSES.contains(&class)
        || class.strip_prefix("language-").is_some_and(tail_ok)
}

/// Whether `name` (lowercase) is in [`TAGS`]: asked for every tag the writer makes.
fn is_listed_tag(name: &str) -> bool {
    TAGS.binary_search(&name).is_ok()
}

/// Whether the sanitizer keeps elements called `name` (ASCII case-insensitive).
pub fn is_allowed_tag(name: &str) -> bool {
    is_listed_tag(&name.to_ascii_lowercase())
}

/// Whether a raw `<name>` tag must be shown as text rather than reach the sanitizer, which
/// would remove it together with everything up to its end tag, or to the end of the page.
pub fn is_shown_as_text(name: &str) -> bool {
    REMOVED_WITH_CONTENT.contains(&name.to_ascii_lowercase().as_str())
}

/// Cleans `html` against the allow list. Safe on any input, including very deep nesting
/// (ammonia and its DOM work without recursion).
pub fn sanitize(html: &str) -> String {
    BUILDER.clean(&split_long_text(html)).to_string()
}

/// The page from the writer's output `html`, where only the `raw` spans (ascending, apart) hold
/// raw HTML: those are sanitised, and the rest, the writer's own markup, is written as the
/// sanitizer would give it back ([`push_normal_form`]), in a fraction of the time. The writer
/// cuts spans only where html5ever is at rest (`document/spans.rs`), so the bytes are those of
/// [`sanitize`] over the whole page.
pub fn sanitize_spans(html: &str, raw: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 32);
    let mut at = 0;
    let end = html.len()..html.len();
    for span in raw.iter().chain(std::iter::once(&end)) {
        let (start, stop) = (span.start.clamp(at, html.len()), span.end.clamp(at, html.len()));
        let (Some(own), Some(rest)) = (html.get(at..start), html.get(start..stop)) else {
            // Not at character boundaries (the writer's spans always are): the rest in one.
            out.push_str(&sanitize(&html[at..]));
            return out;
        };
        if !push_normal_form(own, &mut out) {
            out.push_str(&sanitize(own));
        }
        out.push_str(&sanitize(rest));
        at = stop;
    }
    out
}

/// Appends `html`, markup the writer made itself, in html5ever's serialisation: in text `'`
/// and `"` are bare and U+00A0 is `&nbsp;`; in attribute values `'` is bare. Returns false
/// (appending nothing) when `html` holds anything the sanitizer would change otherwise (a
/// tag, attribute, class or URL it removes, a link inside a link, an unexpected `&` or `<`):
/// that part is sanitised instead.
fn push_normal_form(html: &str, out: &mut String) -> bool {
    let mark = out.len();
    let normal = normal_form_into(html, out);
    if !normal {
        out.truncate(mark);
    }
    normal
}

fn normal_form_into(html: &str, out: &mut String) -> bool {
    let bytes = html.as_bytes();
    let mut links = 0usize;
    let (mut copied, mut from) = (0, 0);
    while let Some(found) = bytes[from..]
        .iter()
        .position(|b| matches!(b, b'<' | b'>' | b'&' | 0xC2))
    {
        // These bytes are ASCII or lead bytes: `at` is a character boundary.
        let at = from + found;
        out.push_str(&html[copied..at]);
        let taken = match bytes[at] {
            b'<' => {
                let Some(len) = html[at..].find('>').map(|i| i + 1) else {
                    return false;
                };
                if !push_own_tag(&html[at..at + len], &mut links, out) {
                    return false;
                }
                len
            }
            b'>' => {
                out.push_str("&gt;");
                1
            }
            b'&' => {
                let Some((len, replacement)) = text_entity(&html[at..]) else {
                    return false;
                };
                out.push_str(replacement);
                len
            }
            _ if bytes.get(at + 1) == Some(&0xA0) => {
                out.push_str("&nbsp;");
                2
            }
            // Another character in U+0080–U+00BF: copied with the text after it.
            _ => {
                copied = at;
                from = at + 1;
                continue;
            }
        };
        copied = at + taken;
        from = copied;
    }
    out.push_str(&html[copied..]);
    true
}

/// A character reference the writer's escaping makes, as html5ever writes it in text: the
/// bytes it takes and its replacement.
fn text_entity(rest: &str) -> Option<(usize, &'static str)> {
    [
        ("&amp;", "&amp;"),
        ("&lt;", "&lt;"),
        ("&gt;", "&gt;"),
        ("&quot;", "\""),
        ("&#39;", "'"),
    ]
    .into_iter()
    .find(|(entity, _)| rest.starts_with(entity))
    .map(|(entity, replacement)| (entity.len(), replacement))
}

/// Appends one of the writer's own tags (`<a href="…">`, `</p>` …) as the sanitizer would
/// write it, or returns false if it would change it.
fn push_own_tag(tag: &str, links: &mut usize, out: &mut String) -> bool {
    if let Some(name) = tag.strip_prefix("</").and_then(|t| t.strip_suffix('>')) {
        if name == "a" {
            *links = links.saturating_sub(1);
        }
        out.push_str(tag);
        return is_listed_tag(name);
    }
    let Some(inner) = tag.strip_prefix('<').and_then(|t| t.strip_suffix('>')) else {
        return false;
    };
    let (name, mut attrs) = inner.split_once(' ').unwrap_or((inner, ""));
    if !is_listed_tag(name) || name == "table" && attrs != "tabindex=\"0\"" {
        return false;
    }
    if name == "a" {
        *links += 1;
        if *links > 1 {
            return false;
        }
    }
    out.push('<');
    out.push_str(name);
    while !attrs.is_empty() {
        let Some((attr, value, rest)) = split_attribute(attrs) else {
            return false;
        };
        if name != "table" && !keeps_attribute(name, attr, value) {
            return false;
        }
        out.push(' ');
        out.push_str(attr);
        out.push_str("=\"");
        push_value(value, out);
        out.push('"');
        attrs = rest;
    }
    out.push('>');
    true
}

/// `name="value"` and what follows it (after one space), from a tag's attributes.
fn split_attribute(attrs: &str) -> Option<(&str, &str, &str)> {
    let (name, rest) = attrs.split_once("=\"")?;
    let (value, rest) = rest.split_once('"')?;
    let rest = match rest.strip_prefix(' ') {
        Some(more) if !more.is_empty() => more,
        None if rest.is_empty() => rest,
        _ => return None,
    };
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    (plain(name) && !value.contains(['<', '>'])).then_some((name, value, rest))
}

/// Whether the sanitizer keeps attribute `name="value"` of element `element` as it is.
fn keeps_attribute(element: &str, name: &str, value: &str) -> bool {
    let allowed = GENERIC_ATTRIBUTES.contains(&name)
        || TAG_ATTRIBUTES
            .iter()
            .any(|(tag, attrs)| *tag == element && attrs.contains(&name));
    let entities_known = || {
        value
            .match_indices('&')
            .all(|(at, _)| text_entity(&value[at..]).is_some())
    };
    if !allowed || !entities_known() {
        return false;
    }
    let decoded: Cow<'_, str> = if value.contains('&') {
        Cow::Owned(
            value
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&"),
        )
    } else {
        Cow::Borrowed(value)
    };
    match name {
        "href" | "src" => keeps_url(&decoded),
        // The highlighter's classes, on every token of every code block: checked without
        // building the filter's joined copy.
        "class" => {
            !decoded.is_empty()
                && decoded.split(' ').all(is_allowed_class)
                && !decoded.contains(|c: char| c.is_ascii_whitespace() && c != ' ')
        }
        _ => filter_attribute(element, name, &decoded).is_some_and(|kept| kept == decoded),
    }
}

/// Whether the sanitizer keeps `url` in an `href` or `src`: a relative URL, or one with an
/// allowed scheme that parses.
fn keeps_url(url: &str) -> bool {
    if url.bytes().any(|b| b <= b' ') {
        return false;
    }
    let scheme_len = url
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')));
    let has_scheme = url.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme_len.is_some_and(|at| url.as_bytes()[at] == b':');
    !has_scheme || ammonia::Url::parse(url).is_ok_and(|parsed| EXTERNAL_SCHEMES.contains(&parsed.scheme()))
}

/// Appends an attribute value (escaped by the writer) as html5ever writes it: `'` bare,
/// U+00A0 as `&nbsp;`.
fn push_value(value: &str, out: &mut String) {
    if !value.contains(['&', '\u{a0}']) {
        out.push_str(value);
        return;
    }
    out.push_str(&value.replace("&#39;", "'").replace('\u{a0}', "&nbsp;"));
}

/// Whether an attribute value would take html5ever's serialiser too long: it searches to the
/// end of the value for each `&` or U+0080–U+00BF character, and a value cannot be split like
/// text. Real values (URLs, alt text, titles) are far shorter or have few of those.
pub fn serialises_slowly(value: &str) -> bool {
    value.len() > MAX_TEXT_RUN && value.bytes().filter(|b| matches!(b, b'&' | 0xC2)).count() > 64
}

/// Text longer than this between two tags is split before it is sanitised.
const MAX_TEXT_RUN: usize = 4096;

/// `html` with an empty comment (which the sanitizer drops) at least every [`MAX_TEXT_RUN`]
/// bytes of text. html5ever's serialiser searches to the end of a text node for each `&` or
/// U+0080–U+00BF character in it, so one long node full of them took quadratic time (400,000
/// `&` in a paragraph: 6 s); split, each search ends within a few KiB.
fn split_long_text(html: &str) -> Cow<'_, str> {
    // Most pages have no text that long: a byte scan for the gap between tags says so.
    let longest_gap = html.split('<').map(str::len).max().unwrap_or(0);
    if longest_gap <= MAX_TEXT_RUN {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + html.len() / 512);
    for token in rawhtml::tokenize(html) {
        match token {
            Token::Text(text) => push_split(text, &mut out),
            Token::Comment(src) | Token::Bogus(src) => out.push_str(src),
            Token::Tag(tag) => out.push_str(tag.src),
        }
    }
    Cow::Owned(out)
}

/// Appends `text` (HTML text, references not decoded), split every [`MAX_TEXT_RUN`] bytes at
/// a character boundary that is not inside a character reference.
fn push_split(text: &str, out: &mut String) {
    let mut start = 0;
    let mut in_reference = false;
    for (i, b) in text.bytes().enumerate() {
        // Before a `&` is always safe: it ends any reference before it.
        let safe = (!in_reference || b == b'&') && text.is_char_boundary(i);
        if i - start >= MAX_TEXT_RUN && safe {
            out.push_str(&text[start..i]);
            out.push_str("<!---->");
            start = i;
        }
        in_reference = match b {
            b'&' => true,
            _ => in_reference && (b.is_ascii_alphanumeric() || b == b'#'),
        };
    }
    out.push_str(&text[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Markers that must never survive, whatever the input.
    const FORBIDDEN: &[&str] = &[
        "<script",
        "</script",
        "<style",
        "<iframe",
        "<object",
        "<embed",
        "<form",
        "<svg",
        "<math",
        "onerror",
        "onload",
        "onclick",
        "onmouseover",
        "javascript:",
        "vbscript:",
        "<link",
        "<meta",
        "<base",
        "srcdoc",
        "formaction",
        "<textarea",
        "<select",
        "<button",
    ];

    /// `is_listed_tag` searches `TAGS` by halves, which finds every tag only while the list
    /// stays sorted.
    #[test]
    fn tags_are_sorted_for_the_binary_search() {
        assert!(TAGS.windows(2).all(|w| w[0] < w[1]), "TAGS out of order");
        for tag in TAGS {
            assert!(
                is_listed_tag(tag) && is_allowed_tag(&tag.to_ascii_uppercase()),
                "{tag}"
            );
        }
        for other in ["", "script", "aa", "zz", "tbodyx", "h7"] {
            assert!(!is_listed_tag(other), "{other}");
        }
    }

    fn assert_clean(input: &str) -> String {
        let out = sanitize(input);
        let lower = out.to_ascii_lowercase();
        for bad in FORBIDDEN {
            assert!(
                !lower.contains(bad),
                "{bad:?} survived in {out:?} (from {input:?})"
            );
        }
        out
    }

    #[test]
    fn dangerous_markup_never_survives() {
        let attacks = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<img src=\"x\" onerror=\"alert(1)\" onload=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<a href=\"java\tscript:alert(1)\">x</a>",
            "<a href=\"  javascript:alert(1)\">x</a>",
            "<a href=\"vbscript:alert(1)\">x</a>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=alert(1)><circle/></svg>",
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<style>body{display:none}</style>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<form action=\"https://evil.example\"><input type=\"text\" name=\"q\"><button formaction=\"javascript:alert(1)\">go</button></form>",
            "<div onclick=\"alert(1)\">x</div>",
            "<details open ontoggle=alert(1)><summary>x</summary></details>",
            "<link rel=stylesheet href=x.css><meta http-equiv=refresh content=0><base href=//evil>",
            "<textarea><img src=x onerror=alert(1)></textarea>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
            "<select><template><style><img src=x onerror=alert(1)></style></template></select>",
            "<svg><iframe><a title=\"</iframe><img src onerror=alert(1)>\">test",
            "<a href=x onmouseover=alert(1)>x</a>",
            "<img src=\"javascript:alert(1)\">",
            "<!-- <script>alert(1)</script> -->",
            "<scr<script>ipt>alert(1)</script>",
        ];
        for attack in attacks {
            assert_clean(attack);
        }
    }

    #[test]
    fn obfuscated_script_urls_lose_their_href() {
        for href in [
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "&#106;avascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "jav&#x09;ascript:alert(1)",
        ] {
            let out = sanitize(&format!("<a href=\"{href}\">x</a>"));
            assert_eq!(out, "<a>x</a>", "{href:?}");
        }
    }

    #[test]
    fn what_documents_need_survives() {
        let html = concat!(
            "<h2 id=\"metadata\"><a class=\"anchor\" href=\"#metadata\" aria-label=\"Link to this section\">#</a>Metadata</h2>",
            "<table><thead><tr><th class=\"align-center\">A</th></tr></thead>",
            "<tbody><tr><td colspan=\"2\" rowspan=\"3\" align=\"right\">b</td></tr></tbody></table>",
            "<details><summary>More</summary><p>hidden</p></details>",
            "<img src=\"docs/a%20b.png\" alt=\"Diagram\" title=\"Tip\" width=\"300\" height=\"20\">",
            "<a href=\"https://example.com\" rel=\"noopener noreferrer\" title=\"t\">x</a>",
            "<a name=\"legacy\" id=\"legacy-id\"></a>",
            "<ul><li><input type=\"checkbox\" disabled=\"\" checked=\"\"> done</li></ul>",
            "<pre><code class=\"language-rust\"><span class=\"hl-source hl-rust\">fn</span></code></pre>",
            "<span class=\"broken-link\" title=\"no such file\">text</span>",
            "<sup class=\"footnote-reference\"><a href=\"#fn-1\">1</a></sup>",
            "<div class=\"footnote-definition\" id=\"fn-1\"><sup class=\"footnote-definition-label\">1</sup></div>",
            "a<br>b<sub>2</sub><sup>3</sup><kbd>Ctrl</kbd><del>x</del><em>e</em><strong>s</strong>",
            "<ol start=\"3\"><li>x</li></ol><blockquote><p>q</p></blockquote><hr>",
        );
        let out = assert_clean(html);
        for needed in [
            "<h2 id=\"metadata\">",
            "class=\"anchor\"",
            "href=\"#metadata\"",
            "aria-label=\"Link to this section\"",
            "<th class=\"align-center\">",
            "colspan=\"2\"",
            "rowspan=\"3\"",
            "align=\"right\"",
            "<details><summary>More</summary>",
            "src=\"docs/a%20b.png\"",
            "alt=\"Diagram\"",
            "title=\"Tip\"",
            "width=\"300\"",
            "rel=\"noopener noreferrer\"",
            "name=\"legacy\"",
            "id=\"legacy-id\"",
            "type=\"checkbox\"",
            "checked=\"\"",
            "disabled=\"\"",
            "class=\"language-rust\"",
            "class=\"hl-source hl-rust\"",
            "class=\"broken-link\"",
            "class=\"footnote-reference\"",
            "class=\"footnote-definition\" id=\"fn-1\"",
            "class=\"footnote-definition-label\"",
            "<br>",
            "<sub>2</sub>",
            "<sup>3</sup>",
            "<kbd>Ctrl</kbd>",
            "<del>x</del>",
            "<ol start=\"3\">",
            "<blockquote>",
            "<hr>",
        ] {
            assert!(out.contains(needed), "{needed:?} missing from {out}");
        }
    }

    #[test]
    fn authors_cannot_borrow_the_theme() {
        let out = sanitize("<div class=\"navbar hl-x evil\" style=\"position:fixed\">x</div>");
        assert_eq!(out, "<div class=\"hl-x\">x</div>");
        let out = sanitize("<input type=\"text\" value=\"x\" name=\"q\">");
        assert_eq!(out, "<input type=\"checkbox\" disabled=\"\">");
        let out = sanitize("<a href=\"x.html\" rel=\"opener stylesheet\">x</a>");
        assert_eq!(out, "<a href=\"x.html\">x</a>");
        let out = sanitize("<td style=\"text-align: left; position: fixed\">x</td>");
        assert!(!out.contains("position"), "{out}");
    }

    #[test]
    fn svg_and_scripts_lose_their_content() {
        assert_eq!(sanitize("a<script>alert(1)</script>b"), "ab");
        assert_eq!(sanitize("a<svg><text>t</text></svg>b"), "ab");
        assert_eq!(sanitize("a<iframe>fallback</iframe>b"), "ab");
        // Unknown elements go, their text stays.
        assert_eq!(sanitize("<custom-el>text</custom-el>"), "text");
    }

    #[test]
    fn long_text_is_split_without_changing_it() {
        for text in [
            "&amp;".repeat(5_000),
            "&".repeat(20_000),
            "°".repeat(10_000),
            format!("{}&#x41;&lt;{}", "x".repeat(4_094), "é".repeat(5_000)),
            "a&b".repeat(5_000),
        ] {
            let html = format!("<p>{text}</p><pre><code>{text}</code></pre>");
            let split = split_long_text(&html);
            assert!(split.contains("<!---->"), "not split");
            assert!(split.split('<').all(|gap| gap.len() <= MAX_TEXT_RUN + 16));
            assert_eq!(sanitize(&html), BUILDER.clean(&html).to_string());
        }
    }

    #[test]
    fn long_runs_of_escaped_characters_sanitise_in_linear_time() {
        use std::time::{Duration, Instant};
        // Before the split: minutes in a debug build (6 s for 400,000 `&` in release).
        for text in ["&amp;".repeat(50_000), "\u{b5}".repeat(100_000)] {
            let start = Instant::now();
            let out = sanitize(&format!("<p>{text}</p>"));
            assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
            assert_eq!(out.len(), text.len() + 7);
        }
    }

    fn normal_form(html: &str) -> Option<String> {
        let mut out = String::new();
        push_normal_form(html, &mut out).then_some(out)
    }

    #[test]
    fn own_markup_is_written_in_the_sanitizers_normal_form() {
        for html in [
            "<p id=\"L1\">It&#39;s &quot;x&quot; &amp; &lt;y&gt;\u{a0}z é</p>\n",
            "<h2 id=\"it&#39;s\"><span id=\"L3\"></span>It&#39;s<a class=\"anchor\" href=\"#it's\" aria-label=\"Link to this section\">#</a></h2>\n",
            "<p><a href=\"https://example.com/?a=1&amp;b=&#39;2&#39;\" title=\"t &#39;x&#39; &quot;y&quot;\u{a0}\" rel=\"noopener noreferrer\">l</a></p>",
            "<p><img src=\"docs/a%20b.png\" alt=\"a &lt;b&gt;\" width=\"3\" height=\"4\" loading=\"lazy\" decoding=\"async\"></p>",
            "<table tabindex=\"0\"><thead><tr id=\"L5\"><th class=\"align-center\">a</th></tr></thead><tbody>\n</tbody></table>\n",
            "<pre id=\"L7\" tabindex=\"0\"><code class=\"language-rust\"><span class=\"hl-source hl-rust\">fn</span> &#39;a</code></pre>\n",
            "<ul>\n<li><input type=\"checkbox\" disabled=\"\" checked=\"\"> done</li>\n</ul>\n",
            "<p><span class=\"broken-link\" title=\"Broken link: no &#39;x&#39;\">b</span><sup class=\"footnote-reference\"><a href=\"#fn-1\">1</a></sup></p>",
        ] {
            assert_eq!(normal_form(html), Some(sanitize(html)), "{html}");
        }
    }

    #[test]
    fn what_the_sanitizer_would_change_is_left_to_it() {
        for html in [
            "<script>x</script>",
            "<p onclick=\"x\">y</p>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"c:x.html\">x</a>",
            "<a href=\"https://exa%20mple.com/\">x</a>",
            "<a href=\"a.html\"><a href=\"b.html\">x</a></a>",
            "<p>&copy; &amp</p>",
            "<p>a < b</p>",
            "<div class=\"navbar\">x</div>",
            "<p id=\"\">x</p>",
            "<table>x</table>",
            "<img src=\"x\" />",
            "<p title='x'>y</p>",
        ] {
            assert_eq!(normal_form(html), None, "{html}");
        }
    }

    #[test]
    fn comments_are_dropped() {
        assert_eq!(sanitize("a<!-- cSpell:ignore x -->b"), "ab");
    }

    #[test]
    fn lists_agree() {
        for tag in REMOVED_WITH_CONTENT {
            assert!(!is_allowed_tag(tag), "{tag}");
            assert!(is_shown_as_text(tag));
        }
        assert!(is_allowed_tag("IMG"));
        assert!(!is_allowed_tag("form"));
    }
}
