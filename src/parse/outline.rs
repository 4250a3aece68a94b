//! One pass over a document's Markdown: headings (with GitHub ids and lines) and links.
//!
//! pulldown-cmark does the fence-aware work: a `# comment` inside a code block is code, a
//! `<!-- commented-out heading -->` is an HTML event, and neither becomes a heading here.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::markdown::rawhtml::{self, RawHtmlBlock, Token};
use crate::markdown::slug::{GithubIds, HeadingText};
use crate::markdown::{LineIndex, options, strip_bom};
use crate::model::{Heading, LinkRef, Outline};

/// Reads `body` (a document after its front matter; `body_line` is the file line it starts on).
pub fn outline(body: &str, body_line: usize) -> Outline {
    let body = strip_bom(body);
    let lines = LineIndex::new(body, body_line);
    let mut out = Outline::default();
    let mut ids = GithubIds::new();
    let mut heading: Option<(u8, usize, HeadingText)> = None;
    let mut html_block = RawHtmlBlock::default();

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Some((_, _, text)) = heading.as_mut() {
            text.push(&event);
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as u8, lines.line(range.start), HeadingText::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, line, text)) = heading.take() {
                    let display = text.display();
                    // Counted even when empty: GitHub's de-duplication counts these too.
                    let id = ids.next_id(text.for_id());
                    let id = if display.is_empty() { String::new() } else { id };
                    if out.title.is_none() && !display.is_empty() {
                        out.title = Some(display.clone());
                    }
                    out.headings.push(Heading {
                        level,
                        text: display,
                        id,
                        line,
                    });
                }
            }
            Event::Start(Tag::Link {
                dest_url, link_type, ..
            }) => {
                let dest = if link_type == pulldown_cmark::LinkType::Email {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.into_string()
                };
                out.links.push(LinkRef {
                    dest,
                    line: lines.line(range.start),
                    image: false,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                out.links.push(LinkRef {
                    dest: dest_url.into_string(),
                    line: lines.line(range.start),
                    image: true,
                });
            }
            Event::Start(Tag::CodeBlock(_)) => {
                out.has_code = true;
                out.code_bytes += range.len();
            }
            Event::Start(Tag::HtmlBlock) => html_block = RawHtmlBlock::default(),
            Event::Html(html) => html_block.push(&html, range.start),
            Event::End(TagEnd::HtmlBlock) => {
                let block = std::mem::take(&mut html_block);
                raw_html_links(
                    &block.text,
                    |at| lines.line(block.source_offset(at)),
                    &mut out.links,
                );
            }
            Event::InlineHtml(html) => {
                raw_html_links(&html, |at| lines.line(range.start + at), &mut out.links);
            }
            _ => {}
        }
    }
    // An HTML block cut short (pulldown-cmark always closes them, but stay safe).
    if !html_block.text.is_empty() {
        raw_html_links(
            &html_block.text,
            |at| lines.line(html_block.source_offset(at)),
            &mut out.links,
        );
    }
    out
}

/// `href` and `src` attributes in raw HTML, with the line of each attribute.
fn raw_html_links(html: &str, line_of: impl Fn(usize) -> usize, links: &mut Vec<LinkRef>) {
    for token in rawhtml::tokenize(html) {
        let Token::Tag(tag) = token else { continue };
        if tag.closing {
            continue;
        }
        for attr in &tag.attrs {
            let image = if attr.name.eq_ignore_ascii_case("src") {
                true
            } else if attr.name.eq_ignore_ascii_case("href") {
                false
            } else {
                continue;
            };
            let dest = attr.decoded().trim().to_owned();
            if dest.is_empty() {
                continue;
            }
            links.push(LinkRef {
                dest,
                line: line_of(attr.offset),
                image,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading_summary(o: &Outline) -> Vec<(u8, &str, &str, usize)> {
        o.headings
            .iter()
            .map(|h| (h.level, h.text.as_str(), h.id.as_str(), h.line))
            .collect()
    }

    #[test]
    fn title_skips_comments_and_empty_headings() {
        let md = "<!-- cSpell:ignore foo -->\n\n##\n\n# **Keycloak Project**\n\n## Goals\n\n## Goals\n";
        let o = outline(md, 1);
        assert_eq!(o.title.as_deref(), Some("Keycloak Project"));
        assert_eq!(
            heading_summary(&o),
            [
                (2, "", "", 3),
                (1, "Keycloak Project", "keycloak-project", 5),
                (2, "Goals", "goals", 7),
                (2, "Goals", "goals-1", 9),
            ]
        );
    }

    #[test]
    fn fence_aware_and_lines_offset_by_front_matter() {
        let md = "# Title\n\n```sh\n# Install\nmake\n```\n\n    # indented code\n\n## Next\n";
        let o = outline(md, 5);
        assert_eq!(
            heading_summary(&o),
            [(1, "Title", "title", 5), (2, "Next", "next", 14)]
        );
        assert!(o.has_code);
        assert!(!outline("# x\n\nno code `here`\n", 1).has_code);
    }

    #[test]
    fn commented_out_headings_are_not_headings() {
        let md = "<!--\n## Hidden\n-->\n\n## Shown\n";
        let o = outline(md, 1);
        assert_eq!(heading_summary(&o), [(2, "Shown", "shown", 5)]);
    }

    #[test]
    fn links_in_markdown_and_raw_html() {
        let md = "\
# T [link](a.md#x)

![component diagram](knative_dia.png \"Diagram\")
![arch](Rook%20High-Level%20Architecture.png)
Mail [us](security@coredns.io) or <security@example.org>.

<div style=\"x\">
<img width=300
     src=\"docs/CNI-config.png\">
</div>

text <a href=\"self-assessment.md\">inline</a> and [ref][r]

> <img src=\"quoted.png\">

[r]: https://example.com/ref
";
        let o = outline(md, 10);
        let links: Vec<(&str, usize, bool)> = o
            .links
            .iter()
            .map(|l| (l.dest.as_str(), l.line, l.image))
            .collect();
        assert_eq!(
            links,
            [
                ("a.md#x", 10, false),
                ("knative_dia.png", 12, true),
                ("Rook%20High-Level%20Architecture.png", 13, true),
                ("security@coredns.io", 14, false),
                ("mailto:security@example.org", 14, false),
                ("docs/CNI-config.png", 18, true),
                ("self-assessment.md", 21, false),
                ("https://example.com/ref", 21, false),
                ("quoted.png", 23, true),
            ]
        );
    }

    #[test]
    fn heading_with_link_and_code() {
        let o = outline(
            "### [CII Best Practices](https://x)\n#### 1. External `Secret` Systems\n",
            1,
        );
        assert_eq!(
            heading_summary(&o),
            [
                (3, "CII Best Practices", "cii-best-practices", 1),
                (4, "1. External Secret Systems", "1-external-secret-systems", 2),
            ]
        );
        assert_eq!(o.links.len(), 1);
    }

    #[test]
    fn a_stray_bom_does_not_hide_the_title() {
        let o = outline("\u{feff}# in-toto Self-Assessment\n", 1);
        assert_eq!(o.title.as_deref(), Some("in-toto Self-Assessment"));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for md in [
            "",
            "\u{feff}",
            "#",
            "<",
            "<a href=",
            "[x](<>)",
            "![](",
            "<!--",
            "```",
            "|a|\n|-|\n|<img src=x>|",
        ] {
            let _ = outline(md, 1);
        }
    }
}
