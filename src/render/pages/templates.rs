//! The theme's Tera templates, compiled once, and the two ways pages come out of them
//! cheaper than Tera alone: escaping in runs rather than byte by byte, and a document body
//! spliced into the rendered page instead of copied through the template context.

use std::io::{self, Write};

use crate::error::{Error, Result};
use crate::theme::Theme;

/// Stands in the context for a document's body when the theme shows it only as
/// `{{ content | safe }}`: the page is rendered around it and the body spliced in its place.
/// A NUL cannot come from Markdown (CommonMark replaces it) nor from YAML front matter; a
/// page where it shows other than once, verbatim, is rendered again the plain way (the
/// brackets and capitals make any escaping or case filter applied to the body show).
pub(super) const BODY_MARK: &str = "\0tssa-<Body>\0";

/// How large a page is before its body: what the output buffer starts with.
const PAGE_START_BYTES: usize = 24 * 1024;

/// The theme's Tera templates, compiled. Apart from [`super::Renderer`] so that a build can
/// compile them while the analysis runs.
pub struct Templates {
    pub(super) tera: tera::Tera,
    /// Whether every template uses `content` only as `{{ content | safe }}` (and none dumps
    /// the whole context), so the body may be spliced in after rendering.
    pub(super) splice_body: bool,
    /// Whether some template names `toc`, the TOC as data; the default theme writes the
    /// TOC Rust made (`toc_html`) instead, and a context without `toc` costs a fifth less.
    pub(super) uses_toc: bool,
    /// The templates' names and sources, digested: part of every page's key.
    pub(super) digest: [u8; 32],
}

impl Templates {
    /// Whether a document's body is spliced into its rendered page rather than put into the
    /// page's context (then the body must be in memory before its page is keyed).
    pub fn splices_body(&self) -> bool {
        self.splice_body
    }

    /// Fails only on a template error.
    pub fn compile(theme: &Theme) -> Result<Templates> {
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".xml", ".svg"]);
        tera.set_escape_fn(escape_html);
        tera.add_raw_templates(theme.templates.iter().map(|(n, s)| (n.as_str(), s.as_str())))
            .map_err(|err| Error::Template(super::tera_message(&err)))?;
        let splice_body = theme
            .templates
            .values()
            .all(|source| body_only_shown_safe(source));
        let uses_toc = theme
            .templates
            .values()
            .any(|source| names_in_tags(source, "toc"));
        Ok(Templates {
            tera,
            splice_body,
            uses_toc,
            digest: crate::render::memo::templates_digest(theme.templates.iter()),
        })
    }

    /// Renders `template` into bytes, without the UTF-8 check of a `String` (Tera writes
    /// only the strings it is given, which are valid).
    pub(super) fn render(
        &self,
        template: &str,
        context: &tera::Context,
        extra: usize,
    ) -> tera::TeraResult<Vec<u8>> {
        let mut out = Vec::with_capacity(PAGE_START_BYTES + extra);
        self.tera.render_to(template, context, &mut out)?;
        Ok(out)
    }
}

/// `page` with its one [`BODY_MARK`] replaced by `body`; `None` unless it has exactly one.
pub(super) fn splice(page: &[u8], body: &str) -> Option<Vec<u8>> {
    let mark = BODY_MARK.as_bytes();
    let at = memchr::memmem::find(page, mark)?;
    let after = at + mark.len();
    if memchr::memmem::find(&page[after..], mark).is_some() {
        return None;
    }
    let mut out = Vec::with_capacity(page.len() - mark.len() + body.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(&page[after..]);
    Some(out)
}

/// Whether a template's tags name `content` only in `{{ content | safe }}` and never dump the
/// context (`__tera_context`): then the body's value cannot change anything but the spot it
/// is shown at. Conservative: a mention inside a string literal counts too.
fn body_only_shown_safe(source: &str) -> bool {
    tags(source).into_iter().all(|(statement, inner)| {
        let exact: String = inner
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        // A filter section could treat the mark and a body alike yet unlike each other.
        let filter_section = statement && exact.starts_with("filter");
        let shown_safe = !statement && exact == "content|safe";
        !filter_section && (shown_safe || !names(inner, "content"))
    })
}

/// The insides of a template's `{{ }}` and `{% %}` tags, each with whether it is a
/// statement (`{% %}`); an unclosed tag runs to the end.
fn tags(source: &str) -> Vec<(bool, &str)> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = match after.as_bytes().first() {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => {
                rest = after;
                continue;
            }
        };
        let inside = &after[1..];
        let len = inside.find(close).unwrap_or(inside.len());
        found.push((close == "%}", &inside[..len]));
        rest = inside.get(len + close.len()..).unwrap_or_default();
    }
    found
}

/// Whether `tag` names the variable `name` (not `x.name` or `name_x`) or dumps the whole
/// context.
fn names(tag: &str, name: &str) -> bool {
    if tag.contains("__tera_context") {
        return true;
    }
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    tag.match_indices(name).any(|(at, _)| {
        let before = tag[..at].bytes().next_back();
        let after = tag[at + name.len()..].bytes().next();
        !before.is_some_and(|c| word(c) || c == b'.') && !after.is_some_and(word)
    })
}

/// Whether any `{{ }}` or `{% %}` tag of `source` names the variable `name`.
fn names_in_tags(source: &str, name: &str) -> bool {
    tags(source).into_iter().any(|(_, inner)| names(inner, name))
}

/// The entity Tera's HTML escaping writes for `byte`, if it is one of the five it escapes.
fn entity(byte: u8) -> Option<&'static str> {
    match byte {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

/// `text` escaped as Tera escapes a `{{ value }}`, appended to `out`.
pub(super) fn escape_into(out: &mut String, text: &str) {
    let mut start = 0;
    for (at, byte) in text.bytes().enumerate() {
        if let Some(entity) = entity(byte) {
            out.push_str(&text[start..at]);
            out.push_str(entity);
            start = at + 1;
        }
    }
    out.push_str(&text[start..]);
}

/// Tera's HTML escaping (the same five characters and entities), written a run of plain
/// bytes at a time: Tera's own writes every byte on its own, a fifth of a page's cost.
fn escape_html(input: &str, out: &mut dyn Write) -> io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (at, byte) in bytes.iter().enumerate() {
        if let Some(entity) = entity(*byte) {
            out.write_all(&bytes[start..at])?;
            out.write_all(entity.as_bytes())?;
            start = at + 1;
        }
    }
    out.write_all(&bytes[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_teras_own() {
        for text in ["", "plain", "a<b>&\"c'd/e", "<<&&>>", "é & ü ' \"", "&amp;"] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            escape_html(text, &mut ours).expect("writing to a Vec");
            tera::escape_html(text, &mut theirs).expect("writing to a Vec");
            assert_eq!(ours, theirs, "{text}");
            let mut string = String::from("x");
            escape_into(&mut string, text);
            assert_eq!(string.as_bytes()[1..], theirs[..], "{text}");
        }
    }

    #[test]
    fn only_a_safe_body_is_spliced() {
        assert!(body_only_shown_safe(
            "<article>\n{{ content | safe }}\n</article>"
        ));
        assert!(body_only_shown_safe(
            "{{- content|safe -}} {{ page.content }} {{ page_content }}"
        ));
        assert!(body_only_shown_safe(
            "<meta content=\"x\"> {% if toc %}{% endif %}"
        ));
        assert!(!body_only_shown_safe("{{ content }}"));
        assert!(!body_only_shown_safe("{{ content | length }}"));
        assert!(!body_only_shown_safe("{% if content %}x{% endif %}"));
        assert!(!body_only_shown_safe("{% set c = content %}"));
        assert!(!body_only_shown_safe("{{ __tera_context }}"));
        assert!(!body_only_shown_safe("{{ content | safe | upper }}"));
        assert!(!body_only_shown_safe(
            "{% filter trim %}{{ content | safe }}{% endfilter %}"
        ));
    }

    #[test]
    fn a_variable_is_named_only_as_itself() {
        assert!(names_in_tags("{% if toc %}x{% endif %}", "toc"));
        assert!(names_in_tags("{% for t in toc %}{% endfor %}", "toc"));
        assert!(names_in_tags("{{ __tera_context }}", "toc"));
        assert!(!names_in_tags(
            "{% if toc_html %}<nav class=\"toc\">{{ page.toc }}{% endif %}",
            "toc"
        ));
        assert!(!names_in_tags("static/toc.js", "toc"));
    }

    #[test]
    fn the_body_replaces_its_one_mark() {
        let page = format!("<p>{BODY_MARK}</p>");
        assert_eq!(
            splice(page.as_bytes(), "<b>x</b>").expect("one mark"),
            b"<p><b>x</b></p>"
        );
        assert_eq!(splice(b"<p></p>", "x"), None);
        let twice = format!("{BODY_MARK}{BODY_MARK}");
        assert_eq!(splice(twice.as_bytes(), "x"), None);
    }
}
