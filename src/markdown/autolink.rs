//! GitHub's extended autolinks: bare `https://…`, `http://…` and `www.…` in text become links.
//! pulldown-cmark (0.13) has no option for them, so this finds them in a run of text, following
//! the GFM spec's rules (section "Autolinks (extension)"): a link starts at the start of the text,
//! after white space or after one of `*_~(`; it needs a valid domain; it ends at white space or
//! `<`; trailing punctuation, an unbalanced `)` and an entity-like `&…;` at its end are not part
//! of it. Email autolinks are left out.

use std::ops::Range;

/// An autolink found in text: where it is, and whether it needs `http://` in front (`www.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autolink {
    pub range: Range<usize>,
    pub add_scheme: bool,
}

impl Autolink {
    /// The link's target for `text` (the text it was found in).
    pub fn href(&self, text: &str) -> String {
        let url = &text[self.range.clone()];
        if self.add_scheme {
            format!("http://{url}")
        } else {
            url.to_owned()
        }
    }
}

/// Every autolink in `text`, in order, not overlapping. Linear in the length of `text`.
pub fn find_autolinks(text: &str) -> Vec<Autolink> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    if !may_hold_link(text) {
        return found;
    }
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'h' | b'H' | b'w' | b'W')
            && boundary_before(text, i)
            && let Some(link) = autolink_at(text, i)
        {
            i = link.range.end;
            found.push(link);
            continue;
        }
        i += 1;
        while i < bytes.len() && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    found
}

/// Whether `text` has a `://` or a `www.` anywhere: most text has neither, and two searches
/// that skip ahead cost less than looking at every byte.
fn may_hold_link(text: &str) -> bool {
    text.contains("://")
        || text
            .match_indices('.')
            .any(|(at, _)| at >= 3 && text.as_bytes()[at - 3..at].eq_ignore_ascii_case(b"www"))
}

/// Whether a link may start at `at`: the start of the text, or after white space or `*_~(`.
fn boundary_before(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || matches!(c, '*' | '_' | '~' | '('))
}

fn autolink_at(text: &str, start: usize) -> Option<Autolink> {
    let rest = &text[start..];
    let (host_start, add_scheme) = if starts_with_ignore_case(rest, "https://") {
        (start + 8, false)
    } else if starts_with_ignore_case(rest, "http://") {
        (start + 7, false)
    } else if starts_with_ignore_case(rest, "www.") {
        (start, true)
    } else {
        return None;
    };
    let end = text[host_start..]
        .find(|c: char| c.is_whitespace() || c == '<')
        .map_or(text.len(), |n| host_start + n);
    let end = trim_end(text, start, end);
    let domain = domain(&text[host_start..end]);
    valid_domain(domain, add_scheme).then_some(Autolink {
        range: start..end,
        add_scheme,
    })
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len() && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// The domain at the start of `host`: letters, digits, `_`, `-` and `.`.
fn domain(host: &str) -> &str {
    let end = host
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .unwrap_or(host.len());
    &host[..end]
}

/// Segments separated by periods, none empty, no `_` in the last two; `www.` ones need a
/// period after `www.`.
fn valid_domain(domain: &str, www: bool) -> bool {
    let segments: Vec<&str> = domain.split('.').collect();
    if domain.is_empty() || segments.iter().any(|s| s.is_empty()) || (www && segments.len() < 2) {
        return false;
    }
    !segments.iter().rev().take(2).any(|s| s.contains('_'))
}

/// Where a link that would run from `start` to `end` really ends, once trailing punctuation,
/// unbalanced `)` and a trailing entity-like `&name;` are left off.
fn trim_end(text: &str, start: usize, mut end: usize) -> usize {
    // Counted once and kept up to date, so a long run of `)` stays linear.
    let count = |b: u8| text.as_bytes()[start..end].iter().filter(|&&c| c == b).count();
    let (open, mut close) = (count(b'('), count(b')'));
    while end > start {
        match text.as_bytes()[end - 1] {
            b'?' | b'!' | b'.' | b',' | b':' | b'*' | b'_' | b'~' | b'\'' | b'"' => end -= 1,
            b';' => {
                let link = &text[start..end];
                let cut = start + entity_start(link).unwrap_or(link.len() - 1);
                close -= text.as_bytes()[cut..end].iter().filter(|&&c| c == b')').count();
                end = cut;
            }
            b')' if close > open => {
                close -= 1;
                end -= 1;
            }
            _ => break,
        }
    }
    end
}

/// Where an `&name;` that ends `link` starts, if it does.
fn entity_start(link: &str) -> Option<usize> {
    let body = &link[..link.len() - 1];
    let name_len = body.bytes().rev().take_while(u8::is_ascii_alphanumeric).count();
    let amp = body.len().checked_sub(name_len + 1)?;
    (name_len > 0 && body.as_bytes()[amp] == b'&').then_some(amp)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The links in `text`, as (text, href).
    fn links(text: &str) -> Vec<(&str, String)> {
        find_autolinks(text)
            .into_iter()
            .map(|l| (&text[l.range.clone()], l.href(text)))
            .collect()
    }

    fn one(text: &str) -> String {
        let found = links(text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        found[0].0.to_owned()
    }

    #[test]
    fn gfm_spec_www_examples() {
        assert_eq!(
            links("www.commonmark.org"),
            [("www.commonmark.org", "http://www.commonmark.org".into())]
        );
        assert_eq!(
            one("Visit www.commonmark.org/help for more information."),
            "www.commonmark.org/help"
        );
        assert_eq!(one("Visit www.commonmark.org."), "www.commonmark.org");
        assert_eq!(one("Visit www.commonmark.org/a.b."), "www.commonmark.org/a.b");
    }

    #[test]
    fn gfm_spec_parentheses() {
        let full = "www.google.com/search?q=Markup+(business)";
        assert_eq!(one(full), full);
        assert_eq!(one("www.google.com/search?q=Markup+(business)))"), full);
        assert_eq!(one("(www.google.com/search?q=Markup+(business))"), full);
        assert_eq!(one("(www.google.com/search?q=Markup+(business)"), full);
        assert_eq!(
            one("www.google.com/search?q=(business))+ok"),
            "www.google.com/search?q=(business))+ok"
        );
    }

    #[test]
    fn gfm_spec_entities_and_lt() {
        let url = "www.google.com/search?q=commonmark&hl=en";
        assert_eq!(one(url), url);
        assert_eq!(
            one("www.google.com/search?q=commonmark&hl;"),
            "www.google.com/search?q=commonmark"
        );
        assert_eq!(one("www.commonmark.org/he<lp"), "www.commonmark.org/he");
    }

    #[test]
    fn gfm_spec_schemes() {
        assert_eq!(
            links(
                "http://commonmark.org\n\n(Visit https://encrypted.google.com/search?q=Markup+(business))\n\nAnonymous FTP is available at ftp://foo.bar.baz."
            ),
            [
                ("http://commonmark.org", "http://commonmark.org".into()),
                (
                    "https://encrypted.google.com/search?q=Markup+(business)",
                    "https://encrypted.google.com/search?q=Markup+(business)".into()
                ),
            ]
        );
    }

    #[test]
    fn trailing_punctuation_is_text() {
        for tail in ["?", "!", ".", ",", ":", "*", "_", "~", "...", "\"", "'"] {
            assert_eq!(
                one(&format!("see https://example.org/a{tail}")),
                "https://example.org/a",
                "{tail}"
            );
        }
        assert_eq!(one("see https://example.org/a?b=1."), "https://example.org/a?b=1");
    }

    #[test]
    fn needs_a_boundary_and_a_domain() {
        assert!(links("xhttps://example.org").is_empty());
        assert!(links("awww.example.org").is_empty());
        assert!(links("www.").is_empty());
        assert!(links("https://").is_empty());
        assert!(links("https://./x").is_empty());
        assert!(links("www.exa_mple.com").is_empty());
        assert_eq!(one("*https://example.org*"), "https://example.org");
        assert_eq!(one("~www.example.org~"), "www.example.org");
        assert_eq!(
            one("under_score.www.x.com www.a_b.example.com"),
            "www.a_b.example.com"
        );
    }

    #[test]
    fn several_and_non_ascii() {
        let text = "é https://a.example/é and http://b.example, or www.c.example!";
        let found: Vec<&str> = links(text).into_iter().map(|(t, _)| t).collect();
        assert_eq!(
            found,
            ["https://a.example/é", "http://b.example", "www.c.example"]
        );
        assert!(links("ééé hhh www www. ").is_empty());
    }

    #[test]
    fn linear_on_long_input() {
        let text = "www.a ".repeat(50_000) + &"(".repeat(50_000) + "https://x.org" + &")".repeat(50_000);
        let start = std::time::Instant::now();
        let _ = find_autolinks(&text);
        assert!(start.elapsed().as_secs() < 10);
    }
}
