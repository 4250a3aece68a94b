//! A small lexer for the raw HTML that Markdown lets through (inline tags and HTML blocks).
//!
//! It only has to find tags, their attributes and comments, with byte offsets, so links inside
//! raw HTML can be listed and rewritten and made-up tags (`<daemon>`) can be told apart from
//! real ones. The real parsing of the final HTML is html5ever's, inside the sanitizer; anything
//! this lexer is unsure of is left as text, which the sanitizer then escapes or keeps as text.

use std::borrow::Cow;

/// The lines of one HTML block joined back together, so a tag split over lines is lexed whole,
/// with where each line came from (inside a list or quote the lines are not contiguous).
#[derive(Debug, Default)]
pub struct RawHtmlBlock {
    pub text: String,
    /// (offset in `text`, offset in the source) for each piece.
    segments: Vec<(usize, usize)>,
}

impl RawHtmlBlock {
    pub fn push(&mut self, html: &str, source_offset: usize) {
        self.segments.push((self.text.len(), source_offset));
        self.text.push_str(html);
    }

    /// Maps an offset in `text` back to the source.
    pub fn source_offset(&self, at: usize) -> usize {
        let i = self.segments.partition_point(|&(start, _)| start <= at);
        match i.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(start, source)) => source + (at - start),
            None => 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    /// Text between tags, as written (entities not decoded).
    Text(&'a str),
    /// `<!-- … -->`, delimiters included.
    Comment(&'a str),
    /// `<!DOCTYPE …>`, `<?…>`, `<![CDATA[…]]>`: nothing a document needs.
    Bogus(&'a str),
    Tag(Tag<'a>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag<'a> {
    /// The whole tag as written, `<` to `>`.
    pub src: &'a str,
    /// Byte offset of `<` in the lexed string.
    pub offset: usize,
    /// As written; compare ASCII-case-insensitively.
    pub name: &'a str,
    pub closing: bool,
    pub self_closing: bool,
    pub attrs: Vec<Attr<'a>>,
}

impl Tag<'_> {
    /// The first attribute called `name` (ASCII case-insensitive, as HTML does).
    pub fn attr(&self, name: &str) -> Option<&Attr<'_>> {
        self.attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr<'a> {
    pub name: &'a str,
    /// The value as written, without quotes and with entities not decoded.
    pub value: Option<&'a str>,
    /// Byte offset of the attribute name in the lexed string.
    pub offset: usize,
}

impl Attr<'_> {
    /// Whether this attribute names a link target (`id`, or the older `name`). The link table
    /// and the writer (which keeps the targets of tags it drops) both ask this, so a fragment
    /// the one accepts is one the other keeps.
    pub fn is_anchor(&self) -> bool {
        self.name.eq_ignore_ascii_case("id") || self.name.eq_ignore_ascii_case("name")
    }

    /// The value with character references decoded; empty for a bare attribute.
    pub fn decoded(&self) -> Cow<'_, str> {
        self.value.map_or(Cow::Borrowed(""), decode_entities)
    }
}

/// Splits `input` into text, comments and tags. Never fails: a `<` that does not start a
/// complete tag is text.
pub fn tokenize(input: &str) -> Vec<Token<'_>> {
    let bytes = input.as_bytes();
    let mut tokens = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while let Some(found) = memchr_lt(bytes, i) {
        i = found;
        let lexed = lex_markup(input, i);
        match lexed {
            Some((token, end)) => {
                if text_start < i {
                    tokens.push(Token::Text(&input[text_start..i]));
                }
                tokens.push(token);
                i = end;
                text_start = end;
            }
            None => i += 1,
        }
    }
    if text_start < input.len() {
        tokens.push(Token::Text(&input[text_start..]));
    }
    tokens
}

fn memchr_lt(bytes: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(b'<', bytes.get(from..)?).map(|p| p + from)
}

/// Lexes the markup starting at `input[start] == '<'`; returns the token and the end offset.
fn lex_markup(input: &str, start: usize) -> Option<(Token<'_>, usize)> {
    let rest = &input[start..];
    if let Some(after) = rest.strip_prefix("<!--") {
        // `<!-->` and `<!--->` are (empty) comments too.
        let end = if after.starts_with('>') {
            start + 5
        } else if after.starts_with("->") {
            start + 6
        } else {
            after.find("-->").map_or(input.len(), |p| start + 4 + p + 3)
        };
        return Some((Token::Comment(&input[start..end]), end));
    }
    if rest.starts_with("<![CDATA[") {
        let end = rest.find("]]>").map_or(input.len(), |p| start + p + 3);
        return Some((Token::Bogus(&input[start..end]), end));
    }
    let second = *rest.as_bytes().get(1)?;
    if second == b'!' || second == b'?' {
        let end = rest.find('>').map_or(input.len(), |p| start + p + 1);
        return Some((Token::Bogus(&input[start..end]), end));
    }
    let closing = second == b'/';
    let name_start = start + 1 + usize::from(closing);
    if !input.as_bytes().get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let bytes = input.as_bytes();
    let mut i = word_end(bytes, name_start, b"/>")?;
    let name = &input[name_start..i];
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        i = skip_spaces(bytes, i);
        match bytes.get(i)? {
            b'>' => {
                i += 1;
                break;
            }
            b'/' => {
                i += 1;
                if bytes.get(i) == Some(&b'>') {
                    self_closing = true;
                    i += 1;
                    break;
                }
                continue;
            }
            // See `word_end`.
            b'<' => return None,
            _ => {}
        }
        let (attr, end) = lex_attr(input, i)?;
        attrs.push(attr);
        i = end;
    }
    let tag = Tag {
        src: &input[start..i],
        offset: start,
        name,
        closing,
        self_closing,
        attrs,
    };
    Some((Token::Tag(tag), i))
}

/// Lexes the attribute whose name starts at `start`; returns it and where it ends.
fn lex_attr(input: &str, start: usize) -> Option<(Attr<'_>, usize)> {
    let bytes = input.as_bytes();
    // HTML allows `=` as the first character of a name; step over it so we always move on.
    let name_end = word_end(bytes, start + 1, b"/>=")?;
    let name = &input[start..name_end];
    let mut j = skip_spaces(bytes, name_end);
    if bytes.get(j) != Some(&b'=') {
        return Some((
            Attr {
                name,
                value: None,
                offset: start,
            },
            name_end,
        ));
    }
    j = skip_spaces(bytes, j + 1);
    let (value, end) = match bytes.get(j)? {
        &quote @ (b'"' | b'\'') => {
            let close = input[j + 1..].find(char::from(quote))? + j + 1;
            (&input[j + 1..close], close + 1)
        }
        _ => {
            let end = word_end(bytes, j, b">")?;
            (&input[j..end], end)
        }
    };
    Some((
        Attr {
            name,
            value: Some(value),
            offset: start,
        },
        end,
    ))
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).copied().is_some_and(is_space) {
        i += 1;
    }
    i
}

/// Where a tag name, attribute name or unquoted value starting at `from` ends: at a space, one
/// of `stops`, or the end of the input. `None` at a `<`: html5ever would take it into the name,
/// but such a tag is malformed anyway, and ending the attempt there keeps lexing linear (a
/// failed attempt never reads past the next `<`, where the next attempt starts; 120,000
/// `<a ` took minutes when each attempt read to the end).
fn word_end(bytes: &[u8], from: usize, stops: &[u8]) -> Option<usize> {
    let len = bytes
        .get(from..)?
        .iter()
        .position(|b| is_space(*b) || stops.contains(b) || *b == b'<');
    let end = len.map_or(bytes.len(), |len| from + len);
    (bytes.get(end) != Some(&b'<')).then_some(end)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Decodes the character references that matter in attribute values: numeric ones and the
/// few named ones people type. Unknown names are left as written.
pub(crate) fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_one(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Decodes the reference at the start of `s` (which starts with `&`): the character and the
/// length consumed.
fn decode_one(s: &str) -> Option<(char, usize)> {
    // Only the first 32 bytes: a longer reference does not exist, and searching the whole
    // rest for each `&` is quadratic in a value of many `&`.
    let semi = s.as_bytes().iter().take(33).position(|&b| b == b';')?;
    let body = &s[1..semi];
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        char::from_u32(code).filter(|&c| c != '\0').unwrap_or('\u{FFFD}')
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            _ => return None,
        }
    };
    Some((c, semi + 1))
}

/// Elements html5ever never holds open (HTML's void elements, legacy ones included), so their
/// tags change no nesting.
pub(crate) fn is_void_element(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
            | "basefont"
            | "bgsound"
            | "frame"
    )
}

/// Whether `name` is an element of HTML (current or obsolete), SVG or MathML, compared
/// ASCII-case-insensitively. Anything else in angle brackets (`<daemon>`, `<project-name>`)
/// is almost certainly a placeholder the author meant as text.
pub(crate) fn is_known_element(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    KNOWN_ELEMENTS.binary_search(&lower.as_str()).is_ok()
}

/// Sorted, lowercase.
static KNOWN_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "animate",
    "animatemotion",
    "animatetransform",
    "annotation",
    "annotation-xml",
    "applet",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "basefont",
    "bdi",
    "bdo",
    "bgsound",
    "big",
    "blink",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "circle",
    "cite",
    "clippath",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "defs",
    "del",
    "desc",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "ellipse",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "foreignobject",
    "form",
    "frame",
    "frameset",
    "g",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "image",
    "img",
    "input",
    "ins",
    "isindex",
    "kbd",
    "keygen",
    "label",
    "legend",
    "li",
    "line",
    "lineargradient",
    "link",
    "listing",
    "main",
    "map",
    "mark",
    "marker",
    "marquee",
    "mask",
    "math",
    "menu",
    "menuitem",
    "meta",
    "meter",
    "mfrac",
    "mi",
    "mn",
    "mo",
    "mover",
    "mroot",
    "mrow",
    "ms",
    "msqrt",
    "mstyle",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
    "nav",
    "nobr",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "path",
    "pattern",
    "picture",
    "plaintext",
    "polygon",
    "polyline",
    "pre",
    "progress",
    "q",
    "radialgradient",
    "rb",
    "rect",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "selectedcontent",
    "semantics",
    "set",
    "slot",
    "small",
    "source",
    "spacer",
    "span",
    "stop",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "symbol",
    "table",
    "tbody",
    "td",
    "template",
    "text",
    "textarea",
    "textpath",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tspan",
    "tt",
    "u",
    "ul",
    "use",
    "var",
    "video",
    "wbr",
    "xmp",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(input: &str) -> Vec<Tag<'_>> {
        tokenize(input)
            .into_iter()
            .filter_map(|t| match t {
                Token::Tag(tag) => Some(tag),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn element_list_is_sorted_for_binary_search() {
        assert!(KNOWN_ELEMENTS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_known_element("IMG"));
        assert!(is_known_element("details"));
        assert!(!is_known_element("daemon"));
        assert!(!is_known_element("project-name"));
    }

    #[test]
    fn tags_and_attributes() {
        let html = "<img width=300 src=\"docs/a b.png\" alt='x > y'/>text<!-- c -->\n</div >";
        let tokens = tokenize(html);
        assert_eq!(tokens.len(), 5);
        let Token::Tag(img) = &tokens[0] else {
            panic!("{tokens:?}")
        };
        assert!(img.name.eq_ignore_ascii_case("IMG") && img.self_closing && !img.closing);
        assert_eq!(img.attr("SRC").and_then(|a| a.value), Some("docs/a b.png"));
        assert_eq!(img.attr("width").and_then(|a| a.value), Some("300"));
        assert_eq!(img.attr("alt").and_then(|a| a.value), Some("x > y"));
        assert_eq!(tokens[1], Token::Text("text"));
        assert_eq!(tokens[2], Token::Comment("<!-- c -->"));
        let Token::Tag(div) = &tokens[4] else {
            panic!("{tokens:?}")
        };
        assert!(div.closing && div.name == "div");
    }

    #[test]
    fn incomplete_markup_is_text() {
        for input in [
            "a < b",
            "<",
            "<img src=\"x",
            "<a href=",
            "</",
            "x <3 y",
            "<=",
            "<a\n",
        ] {
            assert!(tags(input).is_empty(), "{input:?} gave {:?}", tokenize(input));
        }
        assert_eq!(tokenize("<!-- open"), vec![Token::Comment("<!-- open")]);
        assert_eq!(
            tokenize("<!-->x"),
            vec![Token::Comment("<!-->"), Token::Text("x")]
        );
    }

    #[test]
    fn a_lt_inside_a_tag_ends_the_attempt() {
        for input in ["<a <b>", "<a<b>", "<a x=<b>", "<a x y<b>"] {
            let t = tags(input);
            assert_eq!(t.len(), 1, "{input:?} gave {t:?}");
            assert_eq!(t[0].src, "<b>", "{input:?}");
        }
        // Inside quotes it is part of the value.
        let t = tags("<a title=\"x < y\">");
        assert_eq!(t[0].attr("title").and_then(|a| a.value), Some("x < y"));
    }

    #[test]
    fn lexing_is_linear_in_the_input() {
        use std::time::{Duration, Instant};
        // Each made every `<` (or `&`) read to the end of the input: 120,000 `<a ` took 73 s.
        let inputs = [
            "<a ".repeat(120_000),
            "<b x=\"".repeat(60_000),
            "<a".repeat(100_000),
            "<a x=".repeat(100_000),
            "<a x y".repeat(60_000),
            "</".repeat(100_000),
            "<a x=\"y\" ".repeat(40_000),
            format!("<a title=\"{}\">", "&".repeat(100_000)),
            format!("<a title=\"{}\">", "&#".repeat(100_000)),
        ];
        for input in inputs {
            let start = Instant::now();
            for token in tokenize(&input) {
                if let Token::Tag(tag) = token {
                    tag.attrs.iter().for_each(|a| drop(a.decoded()));
                }
            }
            let took = start.elapsed();
            assert!(took < Duration::from_secs(5), "{took:?} for {}…", &input[..12]);
        }
    }

    #[test]
    fn multibyte_text_is_safe() {
        let html = "é<é>ü<a href=\"ß\">ö</a>";
        let t = tags(html);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].attr("href").and_then(|a| a.value), Some("ß"));
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a&amp;b&#x41;&#66;&lt;&bogus;&"),
            "a&bAB<&bogus;&"
        );
        assert_eq!(decode_entities("&#0;&#xFFFFFFFF;"), "\u{FFFD}\u{FFFD}");
    }
}
