//! Dates in the forms the corpus uses, normalised to ISO 8601 with honest precision: a
//! document that says `May 2019` yields `2019-05`, never an invented day.
//!
//! Forms read by [`normalise`] (case-insensitive, emphasis and a trailing dot ignored):
//!
//! | Written                         | ISO          |
//! |---------------------------------|--------------|
//! | `2025-11-28`, `2025-01`         | as written   |
//! | `May 2019`, `*March 2020*`      | `2019-05`    |
//! | `26 Feb 2020`, `7th Sep 2021`   | `2020-02-26` |
//! | `April 28, 2020`, `Sep 7, 2021` | `2020-04-28` |
//! | `April 24th 2019`, `Jan 22nd 2020` | `2019-04-24` |
//! | `29 01 2025`, `29/01/2025`      | `2025-01-29` |
//!
//! Numeric dates are read as `dd mm yyyy`, the order of the summary template
//! (`Completed: dd MMM yyyy`); [`is_ambiguous_numeric`] lets callers warn about them.
//! Prose such as `completed in August of 2023` is read by [`find_completed_in_prose`].
//! Front matter and `tssa.yaml` accept only ISO dates, through [`parse_iso`].

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `April 28, 2020` → `2020-04-28`; `May 2019` → `2019-05`. `None` when not a date, when
/// the date does not exist (`2025-02-30`), and for `tbd`.
pub fn normalise(text: &str) -> Option<String> {
    let text = strip_decoration(text);
    if text.is_empty() {
        return None;
    }
    if let Ok(iso) = parse_iso(text) {
        return Some(iso);
    }
    if let Some((day, month, year)) = numeric_dmy(text) {
        return format_checked(year, month, Some(day));
    }
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    match tokens.as_slice() {
        // `May 2019`, and `August of 2023` as prose writes it.
        [m, y] | [m, "of" | "OF" | "Of", y] => format_checked(year(y)?, month(m)?, None),
        // `April 28, 2020`, `Jan 22nd 2020`.
        [m, d, y] if month(m).is_some() => format_checked(year(y)?, month(m)?, Some(day(d)?)),
        // `26 Feb 2020`, `7th of September 2021`.
        [d, m, y] | [d, "of" | "OF" | "Of", m, y] => format_checked(year(y)?, month(m)?, Some(day(d)?)),
        _ => None,
    }
}

/// Strict ISO 8601 for declared dates: `YYYY-MM-DD` or `YYYY-MM`. The error says what is
/// wrong (`February 2025 has 28 days`) so it can go straight into a diagnostic.
pub fn parse_iso(text: &str) -> Result<String, String> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let shape_ok = match bytes.len() {
        7 => bytes.get(4) == Some(&b'-'),
        10 => bytes.get(4) == Some(&b'-') && bytes.get(7) == Some(&b'-'),
        _ => false,
    } && bytes
        .iter()
        .enumerate()
        .all(|(i, b)| matches!(i, 4 | 7) || b.is_ascii_digit());
    if !shape_ok {
        return Err(format!(
            "`{text}` is not an ISO date; write YYYY-MM-DD (like 2025-01-29) or YYYY-MM"
        ));
    }
    let number = |range: std::ops::Range<usize>| text.get(range).and_then(|s| s.parse::<u32>().ok());
    let (Some(year), Some(month)) = (number(0..4), number(5..7)) else {
        return Err(format!("`{text}` is not an ISO date"));
    };
    let day = if bytes.len() == 10 { number(8..10) } else { None };
    check(year, month, day)?;
    Ok(text.to_owned())
}

/// Whether `text` is a numeric day-month-year date (`29 01 2025`, `01/07/2025`). The form is
/// ambiguous whatever the numbers: a reader cannot know whether the author meant `dd mm` or
/// `mm dd`, and tssa reads `dd mm` only because the summary template does.
pub fn is_ambiguous_numeric(text: &str) -> bool {
    numeric_dmy(strip_decoration(text)).is_some()
}

/// For a numeric date whose day and month could be swapped (`01 07 2025`), the other
/// reading in ISO form (`2025-01-07`), so a warning can show both.
pub fn other_numeric_reading(text: &str) -> Option<String> {
    let (day, month, year) = numeric_dmy(strip_decoration(text))?;
    if day == month {
        return None;
    }
    format_checked(year, day, Some(month))
}

/// Finds `completed in August of 2023` (or `completed on April 28, 2020`) in a line of prose.
/// Returns the ISO date and the date as written. Prose is weaker evidence than a
/// `Completed:` line, so callers should rank it lower.
pub fn find_completed_in_prose(text: &str) -> Option<(String, String)> {
    // Called on every line of a summary; most have no "completed" at all.
    if !text.contains("ompleted") && !text.contains("OMPLETED") {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower.get(from..).and_then(|rest| rest.find("completed")) {
        let after = from + found + "completed".len();
        from = after;
        let rest = text.get(after..)?;
        let rest = rest.trim_start();
        let rest = ["in ", "on ", "In ", "On "]
            .iter()
            .find_map(|p| rest.strip_prefix(p))
            .unwrap_or(rest)
            .trim_start();
        // Try the longest phrase first so `April 28, 2020` wins over `April 28`.
        let words: Vec<(usize, &str)> = word_ends(rest).take(4).collect();
        for &(end, _) in words.iter().rev() {
            let candidate = rest.get(..end)?.trim_end_matches(['.', ',', ';', ')']);
            if let Some(iso) = normalise(candidate) {
                return Some((iso, candidate.to_owned()));
            }
        }
    }
    None
}

/// Byte offsets where each whitespace-separated word of `text` ends.
fn word_ends(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = None;
    let mut ends = Vec::new();
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                ends.push((i, text.get(s..i).unwrap_or_default()));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        ends.push((text.len(), text.get(s..).unwrap_or_default()));
    }
    ends.into_iter()
}

/// Drops what authors wrap dates in: whitespace (NBSP too), `*`/`_` emphasis, a final dot.
fn strip_decoration(text: &str) -> &str {
    let mut text = text.trim();
    loop {
        let stripped = text
            .trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace())
            .trim_end_matches('.');
        if stripped == text {
            return text;
        }
        text = stripped;
    }
}

/// `29 01 2025`, `29/01/2025`, `29.01.2025`, `29-01-2025` → (29, 1, 2025).
fn numeric_dmy(text: &str) -> Option<(u32, u32, u32)> {
    let parts: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, '/' | '.' | '-'))
        .filter(|p| !p.is_empty())
        .collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    let small = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !small(d) || !small(m) || y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((d.parse().ok()?, m.parse().ok()?, y.parse().ok()?))
}

fn month(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.').to_ascii_lowercase();
    if word.len() < 3 {
        return None;
    }
    if word == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == word || (word.len() == 3 && m.starts_with(&word)))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// `28`, `7th`, `22nd`, `1st`, `3rd`.
fn day(word: &str) -> Option<u32> {
    let lower = word.to_ascii_lowercase();
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| lower.strip_suffix(s))
        .unwrap_or(&lower);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn year(word: &str) -> Option<u32> {
    (word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
}

fn format_checked(year: u32, month: u32, day: Option<u32>) -> Option<String> {
    check(year, month, day).ok()?;
    Some(match day {
        Some(day) => format!("{year:04}-{month:02}-{day:02}"),
        None => format!("{year:04}-{month:02}"),
    })
}

fn check(year: u32, month: u32, day: Option<u32>) -> Result<(), String> {
    let Some(name) = month.checked_sub(1).and_then(|i| MONTHS.get(i as usize)) else {
        return Err(format!("month {month} does not exist; months run from 01 to 12"));
    };
    let Some(day) = day else {
        return Ok(());
    };
    let days = crate::calendar::days_in_month(i64::from(year), month);
    if day == 0 || day > days {
        let mut name = (*name).to_owned();
        if let Some(first) = name.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        return Err(if day == 0 {
            "day 00 does not exist".to_owned()
        } else {
            format!("{name} {year} has {days} days")
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Option<String> {
        normalise(text)
    }

    #[test]
    fn month_and_year_keep_month_precision() {
        assert_eq!(n("May 2019").as_deref(), Some("2019-05"));
        assert_eq!(n("September 2019").as_deref(), Some("2019-09"));
        assert_eq!(n("October 2020").as_deref(), Some("2020-10"));
        assert_eq!(n("*March 2020*").as_deref(), Some("2020-03"));
        assert_eq!(n("_March 2020_").as_deref(), Some("2020-03"));
        assert_eq!(n("August of 2023").as_deref(), Some("2023-08"));
    }

    #[test]
    fn day_month_year_forms() {
        assert_eq!(n("26 Feb 2020").as_deref(), Some("2020-02-26"));
        assert_eq!(n("April 28, 2020").as_deref(), Some("2020-04-28"));
        assert_eq!(n("Sep 7, 2021").as_deref(), Some("2021-09-07"));
        assert_eq!(n("Sept 7, 2021").as_deref(), Some("2021-09-07"));
        assert_eq!(n("April 24th 2019").as_deref(), Some("2019-04-24"));
        assert_eq!(n("Jan 22nd 2020").as_deref(), Some("2020-01-22"));
        assert_eq!(n("1st March 2021").as_deref(), Some("2021-03-01"));
        assert_eq!(n("June 21, 2023.").as_deref(), Some("2023-06-21"));
    }

    #[test]
    fn iso_forms() {
        assert_eq!(n("2025-11-28").as_deref(), Some("2025-11-28"));
        assert_eq!(n("2025-01").as_deref(), Some("2025-01"));
        assert_eq!(n("2024-02-29").as_deref(), Some("2024-02-29"));
    }

    #[test]
    fn numeric_forms_are_day_month_year() {
        assert_eq!(n("29 01 2025").as_deref(), Some("2025-01-29"));
        assert_eq!(n("01 07 2025").as_deref(), Some("2025-07-01"));
        assert_eq!(n("29/01/2025").as_deref(), Some("2025-01-29"));
        assert_eq!(n("1.7.2025").as_deref(), Some("2025-07-01"));
        assert!(is_ambiguous_numeric("01 07 2025"));
        assert!(is_ambiguous_numeric("29 01 2025"));
        assert!(!is_ambiguous_numeric("26 Feb 2020"));
        assert!(!is_ambiguous_numeric("2025-01-29"));
        assert_eq!(other_numeric_reading("01 07 2025").as_deref(), Some("2025-01-07"));
        assert_eq!(other_numeric_reading("29 01 2025"), None);
        assert_eq!(other_numeric_reading("05 05 2025"), None);
    }

    #[test]
    fn not_dates() {
        for text in [
            "",
            "   ",
            "tbd",
            "*tbd*",
            "TBD",
            "dd MMM yyyy",
            "v1.2.3",
            "May",
            "2019",
            "hello world",
        ] {
            assert_eq!(n(text), None, "{text:?}");
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for text in [
            "2025-02-30",
            "2025-13",
            "2025-13-01",
            "2025-00-10",
            "2025-01-00",
            "30 02 2025",
            "31 04 2025",
            "February 30, 2025",
            "2023-02-29",
            "32 Jan 2020",
        ] {
            assert_eq!(n(text), None, "{text:?}");
        }
    }

    #[test]
    fn strict_iso_explains_the_problem() {
        assert_eq!(parse_iso("2025-01-29").as_deref(), Ok("2025-01-29"));
        assert_eq!(parse_iso(" 2025-01 ").as_deref(), Ok("2025-01"));
        assert_eq!(
            parse_iso("2025-02-30"),
            Err("February 2025 has 28 days".to_owned())
        );
        assert_eq!(
            parse_iso("2024-02-30"),
            Err("February 2024 has 29 days".to_owned())
        );
        assert_eq!(parse_iso("2025-04-31"), Err("April 2025 has 30 days".to_owned()));
        assert!(parse_iso("2025-13-01").is_err_and(|e| e.contains("month 13")));
        assert!(parse_iso("2025-01-00").is_err_and(|e| e.contains("day 00")));
        assert!(parse_iso("29 01 2025").is_err_and(|e| e.contains("YYYY-MM-DD")));
        assert!(parse_iso("2025-1-29").is_err());
        assert!(parse_iso("2025/01/29").is_err());
        assert!(parse_iso("２０２５-01-29").is_err());
        assert!(parse_iso("").is_err());
    }

    #[test]
    fn completed_in_prose() {
        let line = "worked with the Pixie team to perform a joint assessment, which was completed in August of 2023.  During";
        assert_eq!(
            find_completed_in_prose(line),
            Some(("2023-08".to_owned(), "August of 2023".to_owned()))
        );
        assert_eq!(
            find_completed_in_prose("The review was completed on April 28, 2020, by the team."),
            Some(("2020-04-28".to_owned(), "April 28, 2020".to_owned()))
        );
        assert_eq!(find_completed_in_prose("The work is completed quickly."), None);
        assert_eq!(find_completed_in_prose("completed"), None);
        assert_eq!(
            find_completed_in_prose("Not completed, then completed in May 2019"),
            Some(("2019-05".to_owned(), "May 2019".to_owned()))
        );
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "\u{a0}May\u{a0}2019\u{a0}",
            "é 2019",
            "May ２０１９",
            "99999999999999999999 01 2025",
            "1 1 1",
            "Mayo 2019",
            "completed in é",
        ] {
            let _ = normalise(text);
            let _ = parse_iso(text);
            let _ = is_ambiguous_numeric(text);
            let _ = find_completed_in_prose(text);
        }
        assert_eq!(n("\u{a0}May\u{a0}2019\u{a0}").as_deref(), Some("2019-05"));
    }
}
