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
    // Copy runs of ordinary text whole; this runs over every byte of every page, so a run is
    // found by one table look-up a byte (a `match` per byte cost ~20 instructions a byte).
    // Bytes, not chars: every character it changes is ASCII, or a C1 control (0xC2 0x80–0x9F).
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while let Some(run) = bytes[i..].iter().position(|&b| ACTION[usize::from(b)] != KEEP) {
        i += run;
        let (len, replacement) = match bytes[i] {
            b'&' => (1, "&amp;"),
            b'<' => (1, "&lt;"),
            b'>' => (1, "&gt;"),
            b'"' => (1, "&quot;"),
            b'\'' => (1, "&#39;"),
            0xC2 if !matches!(bytes.get(i + 1), Some(0x80..=0x9F)) => {
                i += 1;
                continue;
            }
            0xC2 => (2, ""),
            // The table marks nothing else: the controls but newline and tab, and DEL.
            _ => (1, ""),
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        i += len;
        start = i;
    }
    out.push_str(&text[start..]);
}

const KEEP: u8 = 0;

/// Which bytes [`escape_into`] stops at: markup, controls (not newline or tab), DEL, and the
/// lead byte of the C1 controls.
const ACTION: [u8; 256] = {
    let mut action = [KEEP; 256];
    let mut b = 0;
    while b < 256 {
        action[b] = match b as u8 {
            b'\n' | b'\t' => KEEP,
            b'&' | b'<' | b'>' | b'"' | b'\'' | 0..=0x1F | 0x7F | 0xC2 => 1,
            _ => KEEP,
        };
        b += 1;
    }
    action
};

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

    /// Long runs between the bytes it stops at, and those bytes at the start, the end and
    /// side by side: the run finder must neither skip one nor copy a byte twice.
    #[test]
    fn long_runs_and_neighbouring_stops_agree_with_the_character_definition() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let pieces = [
            "&",
            "<",
            "'",
            "\u{1}",
            "\u{85}",
            "\u{a0}",
            "é",
            "\n",
            "plain text run ",
        ];
        for len in [0, 1, 2, 7, 64, 500] {
            for _ in 0..50 {
                let text: String = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        pieces[(seed % pieces.len() as u64) as usize]
                    })
                    .collect();
                let mut out = String::from("kept:");
                super::escape_into(&text, &mut out);
                assert_eq!(out, format!("kept:{}", by_chars(&text)), "{text:?}");
            }
        }
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
