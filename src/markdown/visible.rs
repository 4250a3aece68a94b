//! What a reader of a document sees, line by line: HTML comments and fenced code left out.
//!
//! Facts, checks and coverage all read "the visible lines" of a body; they used to do it with
//! three scanners that disagreed (one closed a ```` fence at an inner ``` one). This is the
//! one set of rules, reported as hidden byte ranges so callers can either cut the hidden text
//! out ([`visible_lines`]) or blank it and keep every byte offset ([`mask`]).
//!
//! The rules:
//!
//! * A comment runs from `<!--` to the next `-->`, across lines, wherever it starts outside
//!   fenced code; an unclosed one hides the rest of the body.
//! * A fence opens with a run of at least three `` ` `` or `~` (a backtick fence's info
//!   string may not contain a backtick) and closes only with a run of the same character at
//!   least as long and nothing else on the line (CommonMark); an unclosed one hides the rest.
//!   A `<!--` inside fenced code is code, and a fence inside a comment is comment.
//! * Indentation before a fence is not limited to three spaces: without tracking list
//!   containers a line scanner cannot tell a fence inside a list item from one in indented
//!   code, and the first is far more common in assessments.
//!
//! Bodies arrive with front matter already split off (`parse::frontmatter`), so there is no
//! front matter rule here.

use std::borrow::Cow;
use std::ops::Range;

/// Byte ranges of `body` a reader does not see, in order and not overlapping. A hidden fence
/// line is reported without its `\n`, so line breaks always stay visible.
/// Where `needle` (ASCII) first occurs in `hay`: a byte search for its first character, then a
/// compare. Several times faster than `str::find` with a string pattern for these short
/// markers, whose first character is rare in prose; this scan runs over every document
/// several times per build.
fn find_ascii(hay: &str, needle: &str) -> Option<usize> {
    let first = *needle.as_bytes().first()?;
    let mut from = 0;
    while let Some(p) = memchr::memchr(first, hay.as_bytes().get(from..)?) {
        let at = from + p;
        if hay.get(at..).is_some_and(|rest| rest.starts_with(needle)) {
            return Some(at);
        }
        // `first` is one byte, so the next position is a character boundary.
        from = at + 1;
    }
    None
}

pub fn hidden_ranges(body: &str) -> Vec<Range<usize>> {
    let mut hidden: Vec<Range<usize>> = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    let mut in_comment = false;
    // Where the next `<!--` at or after the search point is (or `body.len()` if none). Kept
    // across lines so the body is searched once, not once per line.
    let mut next_open: Option<usize> = None;
    let mut line_start = 0;
    while line_start <= body.len() {
        if fence.is_none() && !in_comment {
            line_start = next_line_to_read(body, line_start, &mut next_open);
            if line_start > body.len() {
                break;
            }
        }
        let end = memchr::memchr(b'\n', body.as_bytes().get(line_start..).unwrap_or_default())
            .map_or(body.len(), |p| line_start + p);
        let line = body.get(line_start..end).unwrap_or_default();
        if let Some((ch, len)) = fence {
            hidden.push(line_start..end);
            if closes_fence(line, ch, len) {
                fence = None;
            }
        } else if !in_comment && let Some(opened) = opens_fence(line) {
            fence = Some(opened);
            hidden.push(line_start..end);
        } else {
            let mut at = line_start;
            while at < end {
                let rest = body.get(at..end).unwrap_or_default();
                if in_comment {
                    match find_ascii(rest, "-->") {
                        Some(p) => {
                            push_merged(&mut hidden, at..at + p + 3);
                            at += p + 3;
                            in_comment = false;
                        }
                        None => {
                            push_merged(&mut hidden, at..end);
                            at = end;
                        }
                    }
                } else {
                    let found = match next_open {
                        Some(p) if p >= at => p,
                        _ => {
                            let p = body
                                .get(at..)
                                .and_then(|r| find_ascii(r, "<!--"))
                                .map_or(body.len(), |p| at + p);
                            next_open = Some(p);
                            p
                        }
                    };
                    match (found < end).then(|| found - at) {
                        Some(open) => {
                            at += open;
                            let after = rest.get(open + 4..).unwrap_or_default();
                            // `<!-->` and `<!--->` are whole (empty) comments, as in
                            // CommonMark and `rawhtml`; otherwise skip the opener so its
                            // dashes are not read as the closer.
                            let opener = if after.starts_with('>') {
                                5
                            } else if after.starts_with("->") {
                                6
                            } else {
                                in_comment = true;
                                4
                            };
                            push_merged(&mut hidden, at..at + opener);
                            at += opener;
                        }
                        None => at = end,
                    }
                }
            }
        }
        line_start = end + 1;
    }
    hidden
}

/// Outside comments and fences only a line that opens a fence or holds a `<!--` changes
/// anything: the start of the first such line at or after `from` (itself a line start), or
/// past the end when there is none. Jumping there with byte searches, instead of splitting
/// and trimming every line of prose, made this scan several times cheaper. `next_open` is
/// the loop's cached `<!--` position.
fn next_line_to_read(body: &str, from: usize, next_open: &mut Option<usize>) -> usize {
    let bytes = body.as_bytes();
    let open = match *next_open {
        Some(p) if p >= from => p,
        _ => {
            let p = find_ascii(body.get(from..).unwrap_or_default(), "<!--").map_or(body.len(), |p| from + p);
            *next_open = Some(p);
            p
        }
    };
    let comment_line = if open < body.len() {
        line_start_of(bytes, from, open)
    } else {
        body.len() + 1
    };
    let limit = comment_line.min(body.len());
    let mut at = from;
    while let Some(p) = memchr::memchr2(b'`', b'~', bytes.get(at..limit).unwrap_or_default()) {
        let mark = at + p;
        let start = line_start_of(bytes, from, mark);
        let line_end = memchr::memchr(b'\n', &bytes[mark..]).map_or(body.len(), |q| mark + q);
        let first = body
            .get(start..mark)
            .is_some_and(|before| before.trim_start().is_empty());
        if first && body.get(start..line_end).and_then(opens_fence).is_some() {
            return start;
        }
        // No other mark on this line can be its first character.
        at = line_end + 1;
    }
    comment_line
}

/// The start of the line holding `at`, searching back no further than `from` (a line start).
fn line_start_of(bytes: &[u8], from: usize, at: usize) -> usize {
    memchr::memrchr(b'\n', &bytes[from..at]).map_or(from, |q| from + q + 1)
}

/// Extends the last range when `next` touches it, so a comment is one range per line.
fn push_merged(hidden: &mut Vec<Range<usize>>, next: Range<usize>) {
    match hidden.last_mut() {
        Some(last) if last.end == next.start => last.end = next.end,
        _ => hidden.push(next),
    }
}

/// `(char, run length)` if `line` opens a fenced code block.
fn opens_fence(line: &str) -> Option<(u8, usize)> {
    let trimmed = line.trim_start();
    let ch = *trimmed.as_bytes().first().filter(|c| matches!(c, b'`' | b'~'))?;
    let len = trimmed.bytes().take_while(|&c| c == ch).count();
    let info = trimmed.get(len..).unwrap_or_default();
    (len >= 3 && !(ch == b'`' && info.contains('`'))).then_some((ch, len))
}

/// Whether `line` closes a fence opened with `len` times `ch`: the same character, at least
/// as many, and nothing after them.
fn closes_fence(line: &str, ch: u8, len: usize) -> bool {
    let trimmed = line.trim();
    trimmed.len() >= len && trimmed.bytes().all(|c| c == ch)
}

/// `body` with comments and fenced code replaced by spaces: every byte offset and line break
/// stays where it was, so what remains can be parsed with the right positions.
pub fn mask(body: &str) -> Cow<'_, str> {
    mask_with(body, &hidden_ranges(body))
}

/// [`mask`] with the body's [`hidden_ranges`] already known.
pub fn mask_with<'b>(body: &'b str, hidden: &[Range<usize>]) -> Cow<'b, str> {
    if hidden.is_empty() {
        return Cow::Borrowed(body);
    }
    let mut out = body.as_bytes().to_vec();
    for range in hidden {
        for byte in out.get_mut(range.clone()).into_iter().flatten() {
            // Inside a hidden comment a `\n` stays, so lines keep their numbers.
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    }
    // Ranges start and end at ASCII delimiters, so no character is cut in half; the lossy
    // fallback is only there so this can never panic.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// The file line and visible text of every line that has any, with comment parts cut out of
/// mixed lines (`a <!-- b --> c` → `a  c`). `first_line` is the file line of the body's
/// first line.
pub fn visible_lines(body: &str, first_line: usize) -> Vec<(usize, Cow<'_, str>)> {
    visible_lines_in(body, first_line, &hidden_ranges(body))
}

/// [`visible_lines`] with the body's [`hidden_ranges`] already known (parse computes them once
/// per document; facts, checks and coverage all read the same visible text).
pub fn visible_lines_in<'b>(
    body: &'b str,
    first_line: usize,
    hidden: &[Range<usize>],
) -> Vec<(usize, Cow<'b, str>)> {
    let mut next_hidden = hidden.iter().peekable();
    let mut out = Vec::new();
    let mut line_start = 0;
    let ends = memchr::memchr_iter(b'\n', body.as_bytes()).chain(std::iter::once(body.len()));
    for (index, end) in ends.enumerate() {
        let line = body.get(line_start..end).unwrap_or_default();
        // Hidden ranges overlapping this line, clipped to it.
        let mut cuts: Vec<Range<usize>> = Vec::new();
        while let Some(range) = next_hidden.peek() {
            if range.start >= end && !(range.start == end && range.is_empty()) {
                break;
            }
            cuts.push(range.start.max(line_start)..range.end.min(end));
            if range.end > end {
                break;
            }
            next_hidden.next();
        }
        let text = if cuts.is_empty() {
            Cow::Borrowed(line)
        } else {
            let mut kept = String::new();
            let mut at = line_start;
            for cut in &cuts {
                kept.push_str(body.get(at..cut.start.max(at)).unwrap_or_default());
                at = at.max(cut.end);
            }
            kept.push_str(body.get(at..end).unwrap_or_default());
            Cow::Owned(kept)
        };
        // Most lines start with an ASCII character that is not whitespace: visible at once.
        let first = text.bytes().find(|b| !matches!(b, b' ' | b'\t'..=b'\r'));
        if first.is_some_and(|b| b < 0x80) || !text.trim().is_empty() {
            out.push((first_line + index, text));
        }
        line_start = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visible(text: &str) -> Vec<(usize, String)> {
        visible_lines(text, 1)
            .into_iter()
            .map(|(l, t)| (l, t.into_owned()))
            .collect()
    }

    fn texts(text: &str) -> Vec<String> {
        visible(text).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn comments_and_fences_are_hidden() {
        let v = visible("a\n<!-- x\n[project]\n-->b\n```\n# not\n```\nc <!-- y --> d\n~~~~\n~~~\nz\n~~~~\ne");
        let texts: Vec<&str> = v.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["a", "b", "c  d", "e"]);
        assert_eq!(v[1].0, 4);
        // An unclosed comment or fence hides the rest without panicking.
        assert_eq!(visible("a\n<!-- never closed\nb").len(), 1);
        assert_eq!(visible("a\n```\nb").len(), 1);
    }

    #[test]
    fn a_fence_closes_only_with_the_same_char_and_at_least_as_many() {
        // A shorter inner fence is content of the longer one.
        assert_eq!(texts("````md\n```\ninner\n```\n````\nafter"), ["after"]);
        // `~~~` does not close a backtick fence, nor ``` a tilde one.
        assert_eq!(texts("```\n~~~\nx\n```\ny"), ["y"]);
        assert_eq!(texts("~~~\n```\nx\n~~~\ny"), ["y"]);
        // A longer closer is fine; text after the run is not a closer.
        assert_eq!(texts("```\nx\n`````\ny"), ["y"]);
        assert_eq!(texts("```\n``` not a closer\nx\n```\ny"), ["y"]);
        // Backticks in a backtick fence's info string: not a fence at all.
        assert_eq!(texts("``` a`b\nx"), ["``` a`b", "x"]);
        // Two characters are not a fence.
        assert_eq!(texts("``\nx\n``"), ["``", "x", "``"]);
        // Fences in list items are indented.
        assert_eq!(
            texts("- item\n    ```\n    code\n    ```\n- next"),
            ["- item", "- next"]
        );
    }

    #[test]
    fn comments_across_lines_and_fences_inside_them() {
        assert_eq!(texts("a <!-- one\ntwo\nthree --> b\nc"), ["a ", " b", "c"]);
        // A fence inside a comment is comment: it does not hide what follows the comment.
        assert_eq!(texts("<!--\n```\n-->\nvisible"), ["visible"]);
        // A comment opener inside fenced code is code.
        assert_eq!(texts("```\n<!--\n```\nvisible\n"), ["visible"]);
        // Several comments on one line, and the empty comment forms.
        assert_eq!(texts("a<!--x-->b<!--y-->c"), ["abc"]);
        assert_eq!(texts("a<!-->b\nc<!--->d"), ["ab", "cd"]);
    }

    #[test]
    fn mask_keeps_offsets_and_lines() {
        let body = "a <!-- x\ny --> b\n```\ncode\n```\né";
        let masked = mask(body);
        assert_eq!(masked.len(), body.len());
        assert_eq!(masked, "a       \n      b\n   \n    \n   \né");
        assert!(matches!(mask("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn odd_input_is_safe() {
        for input in [
            "",
            "\n",
            "<!--",
            "-->",
            "```",
            "~~~\n",
            "<!-- é",
            "é```é\n`",
            "<!---->",
        ] {
            let _ = visible_lines(input, 1);
            assert_eq!(mask(input).len(), input.len());
        }
        let long = "<!--".repeat(10_000) + &"`".repeat(10_000);
        assert!(visible_lines(&long, 1).is_empty());
    }
}

#[cfg(test)]
mod find_tests {
    use super::find_ascii;

    #[test]
    fn finds_markers_past_false_starts_and_multibyte_text() {
        assert_eq!(find_ascii("a < b <!-- c", "<!--"), Some(6));
        assert_eq!(find_ascii("é<!é<!--", "<!--"), Some(6));
        assert_eq!(find_ascii("--- -> -->", "-->"), Some(7));
        assert_eq!(find_ascii("no marker", "<!--"), None);
        assert_eq!(find_ascii("<!-", "<!--"), None);
        assert_eq!(find_ascii("", "-->"), None);
    }
}

#[cfg(test)]
mod skip_tests {
    use super::*;

    /// The scan as it was before lines of prose were skipped: every line split and read. The
    /// fast scan must agree with it on every input.
    fn every_line(body: &str) -> Vec<Range<usize>> {
        let mut hidden: Vec<Range<usize>> = Vec::new();
        let (mut fence, mut in_comment, mut line_start) = (None, false, 0);
        while line_start <= body.len() {
            let end = body[line_start..]
                .find('\n')
                .map_or(body.len(), |p| line_start + p);
            let line = &body[line_start..end];
            if let Some((ch, len)) = fence {
                hidden.push(line_start..end);
                if closes_fence(line, ch, len) {
                    fence = None;
                }
            } else if !in_comment && let Some(opened) = opens_fence(line) {
                fence = Some(opened);
                hidden.push(line_start..end);
            } else {
                let mut at = line_start;
                while at < end {
                    let rest = &body[at..end];
                    if in_comment {
                        let close = rest.find("-->").map_or(end, |p| at + p + 3);
                        push_merged(&mut hidden, at..close);
                        in_comment = close == end && !rest.ends_with("-->");
                        at = close;
                    } else if let Some(open) = rest.find("<!--") {
                        at += open;
                        let after = &rest[open + 4..];
                        let opener = match () {
                            () if after.starts_with('>') => 5,
                            () if after.starts_with("->") => 6,
                            () => {
                                in_comment = true;
                                4
                            }
                        };
                        push_merged(&mut hidden, at..at + opener);
                        at += opener;
                    } else {
                        at = end;
                    }
                }
            }
            line_start = end + 1;
        }
        hidden
    }

    #[test]
    fn skipping_prose_finds_what_reading_every_line_finds() {
        let parts = [
            "text `code` and ~tilde~",
            "```",
            "~~~",
            "  ```rust",
            "\u{a0}```",
            "````",
            "``` a`b",
            "<!-- c",
            "-->",
            "a <!-- b --> c",
            "<!-->",
            "x <!--- y",
            "é ``` ~~~",
            "",
            "   ",
            "\r",
            "- ``` in a list",
            "<!-- ``` -->",
            "```<!--",
        ];
        // Every sequence of four parts, each followed by a line break, or all but one.
        let n = parts.len();
        for code in 0..n.pow(4) * 5 {
            let mut body = String::new();
            let (mut rest, breaks) = (code / 5, [15, 14, 13, 11, 7][code % 5]);
            for k in 0..4 {
                body.push_str(parts[rest % n]);
                rest /= n;
                if breaks & (1 << k) != 0 {
                    body.push('\n');
                }
            }
            assert_eq!(hidden_ranges(&body), every_line(&body), "{body:?}");
        }
    }
}
