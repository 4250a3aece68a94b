//! The few JSON shapes the index needs, written straight into one buffer. serde_json's generic
//! map serialisation was a tenth of the index's cost; the escaping here is serde_json's to the
//! byte (the tests compare the two), so the files are the same.

/// Appends `s` as a JSON string, escaped as serde_json escapes it: `"`, `\\` and the C0
/// controls only (short forms where JSON has them, else `\u00xx` in lowercase hex).
pub fn string(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut plain = |out: &mut Vec<u8>, from: usize, to: usize| {
        for (i, &b) in (from..).zip(&bytes[from..to]) {
            if b < 0x20 || b == b'"' || b == b'\\' {
                out.extend_from_slice(&bytes[start..i]);
                escape(out, b);
                start = i + 1;
            }
        }
    };
    // Eight bytes at a time: most text has nothing to escape.
    let whole = bytes.len() / 8 * 8;
    for (c, chunk) in bytes[..whole].chunks_exact(8).enumerate() {
        if needs_escape(chunk.try_into().map_or(0, u64::from_le_bytes)) {
            plain(out, c * 8, c * 8 + 8);
        }
    }
    plain(out, whole, bytes.len());
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether any of the eight bytes of `word` is below 0x20, `"` or `\\` (the classic
/// has-zero-byte test, exact for the word as a whole).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    below(word, 0x20) | below(quote, 1) | below(backslash, 1) != 0
}

fn escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x09 => b't',
        0x0a => b'n',
        0x0c => b'f',
        0x0d => b'r',
        _ => {
            let hex = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]];
            out.extend_from_slice(b"\\u00");
            out.extend_from_slice(&hex);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

/// Appends `n` in decimal.
pub fn number(out: &mut Vec<u8>, n: usize) {
    if n < 10 {
        // A weight, or an early section: one digit, most numbers in the postings.
        out.push(b'0' + n as u8);
        return;
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    while n > 0 {
        at -= 1;
        // `n % 10` is below ten, so the cast keeps it whole.
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&digits[at..]);
}

/// The numbers `0..n` as text, written once: a section number is written once per term of
/// the section, so copying its digits beats dividing by ten again.
pub struct Decimals {
    text: Vec<u8>,
    /// Number `i` is `text[ends[i - 1]..ends[i]]` (from 0 for the first).
    ends: Vec<usize>,
}

impl Decimals {
    pub fn upto(n: usize) -> Decimals {
        let mut text = Vec::with_capacity(n * 6);
        let mut ends = Vec::with_capacity(n);
        for i in 0..n {
            number(&mut text, i);
            ends.push(text.len());
        }
        Decimals { text, ends }
    }

    /// Appends `n` in decimal.
    pub fn write(&self, out: &mut Vec<u8>, n: usize) {
        match self.ends.get(n) {
            Some(&end) => {
                let start = n.checked_sub(1).map_or(0, |p| self.ends[p]);
                out.extend_from_slice(&self.text[start..end]);
            }
            None => number(out, n),
        }
    }
}

/// Appends `"key":` with the key a JSON string (object keys).
pub fn key(out: &mut Vec<u8>, key: &str) {
    string(out, key);
    out.push(b':');
}

/// Appends `"term":`: a term is letters and digits, written as it is, without the escaper's
/// setup; one that is not (from a damaged cache entry) is escaped as any key.
pub fn term_key(out: &mut Vec<u8>, term: &str) {
    if term.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        return key(out, term);
    }
    out.push(b'"');
    out.extend_from_slice(term.as_bytes());
    out.extend_from_slice(b"\":");
}

/// Appends `["a","b",…]`.
pub fn strings<'s>(out: &mut Vec<u8>, list: impl IntoIterator<Item = &'s str>) {
    out.push(b'[');
    for (i, s) in list.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, s);
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, s);
        String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
    }

    fn theirs(s: &str) -> String {
        serde_json::to_string(s).expect("a string serialises")
    }

    /// A small deterministic generator (xorshift), so a failure repeats.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A character drawn mostly from the ones that need care.
        fn char(&mut self) -> char {
            const PICKS: &[char] = &[
                '"', '\\', '/', '\u{7f}', '\u{2028}', '\u{2029}', '\u{feff}', '😀', 'é', '東', '\u{0}',
                '\u{8}', '\u{9}', '\u{a}', '\u{b}', '\u{c}', '\u{d}', '\u{1f}', ' ', 'a',
            ];
            let r = self.next();
            match r % 4 {
                0 => char::from_u32((r >> 8) as u32 % 0x20).unwrap_or('?'),
                1 => char::from_u32((r >> 8) as u32 % 0x11_0000).unwrap_or('\u{fffd}'),
                _ => PICKS[(r >> 8) as usize % PICKS.len()],
            }
        }
    }

    #[test]
    fn strings_escape_as_serde_json_does() {
        for s in [
            "",
            "plain",
            "\"\\",
            "\u{0}\u{1f}\u{7f}",
            "\u{2028}\u{2029}",
            "😀 東京",
        ] {
            assert_eq!(ours(s), theirs(s), "{s:?}");
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let len = rng.next() % 24;
            let s: String = (0..len).map(|_| rng.char()).collect();
            assert_eq!(ours(&s), theirs(&s), "{s:?}");
        }
    }

    #[test]
    fn long_strings_escape_in_every_position_of_a_word() {
        for special in ['"', '\\', '\n', '\u{1f}', '\u{0}', '\u{7f}', 'é', '!', '#', '['] {
            for at in 0..20 {
                let mut s: String = "abcdefghijklmnopqrst".into();
                s.insert(at, special);
                assert_eq!(ours(&s), theirs(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn every_control_character_escapes_as_serde_json_does() {
        for c in (0u32..0x80).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            assert_eq!(ours(&s), theirs(&s), "{c:?}");
        }
    }

    #[test]
    fn numbers_are_decimal_as_serde_json_writes_them() {
        for n in [0u32, 1, 9, 10, 11, 99, 100, 12_345, u32::MAX] {
            let mut out = Vec::new();
            number(&mut out, n as usize);
            assert_eq!(out, serde_json::to_vec(&n).expect("a number serialises"));
        }
        let decimals = Decimals::upto(120);
        for n in [0, 9, 10, 119, 120, 5000] {
            let mut out = Vec::new();
            decimals.write(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
        for term in ["harbor", "東京", "a\"b", "x\n"] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            term_key(&mut ours, term);
            key(&mut theirs, term);
            assert_eq!(ours, theirs, "{term:?}");
        }
        let mut out = Vec::new();
        strings(&mut out, ["a", "\""]);
        assert_eq!(out, br#"["a","\""]"#);
    }
}
