//! Escaping text for HTML and SVG, shared by every writer of markup so they cannot disagree.

/// Escapes text for element content and quoted attribute values in HTML and SVG. Control
/// characters other than newline and tab are dropped: XML forbids them, and no reader needs them.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    // Copy runs of ordinary text whole; this runs over every byte of every page.
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            c if c.is_control() && c != '\n' && c != '\t' => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        start = i + c.len_utf8();
    }
    out.push_str(&text[start..]);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_controls() {
        assert_eq!(
            super::escape("<a href=\"x\">'&'</a>\u{1}\n"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\n"
        );
        assert_eq!(super::escape("plain text, ünïcödé ✓"), "plain text, ünïcödé ✓");
        assert_eq!(super::escape("a\u{7f}b<"), "ab&lt;");
    }
}
