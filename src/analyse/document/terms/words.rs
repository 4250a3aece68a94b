//! The words of a text as the search matches them: lowercase runs of letters and digits.
//! One-letter ASCII words and runs over [`MAX_TERM_CHARS`] are left out (noise); `search.js`
//! splits a query the same way.
//!
//! Scanned on bytes, the ASCII letters and digits without decoding, and folded into a scratch
//! buffer, so that a word costs no allocation; a word with a non-ASCII uppercase letter goes
//! through `str::to_lowercase` as before (final sigma and all), so the terms are the same.

/// Longer runs of letters are hashes, keys or base64, not words anyone types.
pub const MAX_TERM_CHARS: usize = 32;

/// A term of a text: the word itself when it is lowercase already, else its folded copy,
/// which lives only until the next term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term<'a, 's> {
    Text(&'a str),
    Folded(&'s str),
}

impl Term<'_, '_> {
    pub fn as_str(&self) -> &str {
        match self {
            Term::Text(s) | Term::Folded(s) => s,
        }
    }
}

/// Calls `each` with every term of `text` in order; `scratch` holds the folded ones.
pub fn each_term<'a>(text: &'a str, scratch: &mut String, mut each: impl FnMut(Term<'a, '_>)) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&lead) = bytes.get(at) {
        if CLASS[usize::from(lead)] == SEPARATOR {
            at += 1;
            continue;
        }
        let run = scan(text, at);
        if run.end == at {
            at += utf8_width(lead);
            continue;
        }
        let w = &text[at..run.end];
        at = run.end;
        if w.len() == 1 || run.chars > MAX_TERM_CHARS {
            continue;
        }
        if !run.upper {
            each(Term::Text(w));
            continue;
        }
        scratch.clear();
        if run.ascii {
            scratch.push_str(w);
            scratch.make_ascii_lowercase();
        } else {
            scratch.push_str(&w.to_lowercase());
        }
        each(Term::Folded(scratch));
    }
}

/// The length of the character that starts with the byte `lead` (a boundary of valid UTF-8).
fn utf8_width(lead: u8) -> usize {
    match lead {
        0..0x80 => 1,
        0xf0.. => 4,
        0xe0.. => 3,
        _ => 2,
    }
}

/// The run of letters and digits starting at `start` (empty at a separator).
struct Run {
    end: usize,
    chars: usize,
    ascii: bool,
    /// Any uppercase letter (the ones `char::is_uppercase` knows).
    upper: bool,
}

/// What an ASCII byte is to the scanner; a byte from 0x80 up starts or continues a
/// non-ASCII character, which is decoded and asked.
const SEPARATOR: u8 = 0;
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const NON_ASCII: u8 = 3;

const CLASS: [u8; 256] = {
    let mut class = [NON_ASCII; 256];
    let mut b = 0;
    while b < 0x80 {
        class[b] = match b as u8 {
            b'a'..=b'z' | b'0'..=b'9' => LOWER,
            b'A'..=b'Z' => UPPER,
            _ => SEPARATOR,
        };
        b += 1;
    }
    class
};

// Always inlined: it runs once a word, and as a call (the compiler's choice with a plain
// `#[inline]`) its register saves cost a tenth of it.
#[inline(always)]
fn scan(text: &str, start: usize) -> Run {
    let bytes = text.as_bytes();
    let mut run = Run {
        end: start,
        chars: 0,
        ascii: true,
        upper: false,
    };
    // Bytes of multi-byte characters past their first: the run's characters are its bytes
    // less these.
    let mut extra = 0;
    while let Some(&b) = bytes.get(run.end) {
        match CLASS[usize::from(b)] {
            LOWER => run.end += 1,
            UPPER => {
                run.upper = true;
                run.end += 1;
            }
            SEPARATOR => break,
            _ => {
                let next = text.get(run.end..).and_then(|t| t.chars().next());
                let Some(c) = next.filter(|c| c.is_alphanumeric()) else {
                    break;
                };
                run.ascii = false;
                run.upper |= c.is_uppercase();
                run.end += c.len_utf8();
                extra += c.len_utf8() - 1;
            }
        }
    }
    run.chars = run.end - start - extra;
    run
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn terms(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        each_term(text, &mut String::new(), |t| out.push(t.as_str().to_owned()));
        out
    }

    /// The tokenizer as it was before the byte scanner, kept as the reference.
    fn old(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .filter(|w| !(w.len() == 1 && w.is_ascii()))
            .filter(|w| w.len() <= MAX_TERM_CHARS || w.chars().count() <= MAX_TERM_CHARS)
            .map(|w| {
                let upper = if w.is_ascii() {
                    w.bytes().any(|b| b.is_ascii_uppercase())
                } else {
                    w.chars().any(char::is_uppercase)
                };
                if upper {
                    Cow::Owned(w.to_lowercase())
                } else {
                    Cow::Borrowed(w)
                }
            })
            .map(Cow::into_owned)
            .collect()
    }

    #[test]
    fn tokens_are_lowercase_unicode_words_without_noise() {
        let words = terms("Harbor's OIDC-login, v2.10 a Ünïcode 東京 x");
        assert_eq!(words, ["harbor", "oidc", "login", "v2", "10", "ünïcode", "東京"]);
        let long = "a".repeat(MAX_TERM_CHARS + 1);
        assert!(terms(&long).is_empty());
        let exactly = "é".repeat(MAX_TERM_CHARS);
        assert_eq!(terms(&exactly), std::slice::from_ref(&exactly));
    }

    #[test]
    fn only_words_with_capitals_are_copied() {
        let mut kinds = Vec::new();
        each_term("plain Capital", &mut String::new(), |t| {
            kinds.push(matches!(t, Term::Text(_)));
        });
        assert_eq!(kinds, [true, false]);
    }

    #[test]
    fn unicode_folding_is_str_to_lowercase() {
        // Final sigma, a titlecase letter (not uppercase: kept as written, as before), a
        // letter that lowercases to two characters, and a mixed ASCII/non-ASCII word.
        for text in [
            "ΟΔΟΣ",
            "ǅemal",
            "İstanbul",
            "ÉCOLE école",
            "MÜNCHEN x Ab",
            "ﬁ Ⅻ ½ ³",
        ] {
            assert_eq!(terms(text), old(text), "{text:?}");
        }
    }

    /// A small deterministic generator (xorshift), so a failure repeats.
    fn random_text(seed: &mut u64, len: usize) -> String {
        const PICKS: &[char] = &[
            'a', 'Z', '0', ' ', '-', '\'', 'é', 'É', 'Σ', 'ς', 'ǅ', 'İ', '東', '😀', '\u{2028}', '\u{300}',
            '_', '.', 'ß', 'Ⅻ', '\u{0}', '\n',
        ];
        (0..len)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                match *seed % 5 {
                    0 => char::from_u32((*seed >> 8) as u32 % 0x3_0000).unwrap_or('x'),
                    _ => PICKS[(*seed >> 8) as usize % PICKS.len()],
                }
            })
            .collect()
    }

    #[test]
    fn same_terms_as_the_old_tokenizer_on_random_text() {
        let mut seed = 0x2545_f491_4f6c_dd1d;
        for i in 0..20_000 {
            let text = random_text(&mut seed, i % 80);
            assert_eq!(terms(&text), old(&text), "{text:?}");
        }
        let long_words = format!("{} {}", "Ab".repeat(16), "ÄB".repeat(17));
        assert_eq!(terms(&long_words), old(&long_words));
    }
}
