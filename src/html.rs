//! Escaping text for HTML and SVG, shared by every writer of markup so they cannot disagree.

/// Escapes text for element content and quoted attribute values in HTML and SVG. Control
/// characters other than newline and tab are dropped: XML forbids them, and no reader needs them.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    escape_into(text, &mut out);
    out
}

/// [`escape`], appending to `out`: the document writer escapes straight into its page.
pub fn escape_into(text: &str, out: &mut String) {
    // Copy runs of ordinary text whole; this runs over every byte of every page. Bytes, not
    // chars: every character it changes is ASCII, or a C1 control (0xC2 0x80–0x9F).
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (len, replacement) = match bytes[i] {
            b'&' => (1, "&amp;"),
            b'<' => (1, "&lt;"),
            b'>' => (1, "&gt;"),
            b'"' => (1, "&quot;"),
            b'\'' => (1, "&#39;"),
            b'\n' | b'\t' => {
                i += 1;
                continue;
            }
            0..=0x1F | 0x7F => (1, ""),
            0xC2 if matches!(bytes.get(i + 1), Some(0x80..=0x9F)) => (2, ""),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        i += len;
        start = i;
    }
    out.push_str(&text[start..]);
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

    /// The character-by-character definition the byte scan must agree with.
    fn by_chars(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c if c.is_control() && c != '\n' && c != '\t' => {}
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn the_byte_scan_agrees_with_the_character_definition() {
        let alphabet = [
            "a", "&", "<", ">", "\"", "'", "\n", "\t", "\r", "\u{0}", "\u{1f}", "\u{7f}", "\u{80}", "\u{9f}",
            "\u{a0}", "\u{bf}", "\u{c0}", "é", "✓", "𝄞", "\u{2028}",
        ];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    let text = format!("{a}{b}x{c}");
                    assert_eq!(super::escape(&text), by_chars(&text), "{text:?}");
                }
            }
        }
    }
}
