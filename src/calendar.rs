//! Calendar dates as the packages write them, and the one renewal rule.
//!
//! A leaf module: check's B12 and the coverage page both ask [`renewal`], so the two can
//! never disagree about whether a package is due. Dates keep their precision: a package
//! completed in `2019-05` has no day, and none is invented for it.

use std::fmt;

/// A date at day or month precision (`2020-04-28`, `2019-05`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Date {
    /// Wide enough that any Unix time has a date (see [`Date::from_epoch_seconds`]).
    pub year: i64,
    /// 1–12.
    pub month: u32,
    /// 1 to the month's length; `None` for a month-precision date.
    pub day: Option<u32>,
}

impl Date {
    /// Strict ISO 8601 `YYYY-MM-DD` or `YYYY-MM`. `None` for any other shape and for dates
    /// that do not exist (`2025-02-29`, month `00`).
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        let shape = matches!(b.len(), 7 | 10)
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !shape {
            return None;
        }
        let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
        let year = i64::from(number(0..4)?);
        let month = number(5..7)?;
        let day = if b.len() == 10 { Some(number(8..10)?) } else { None };
        let date = Date { year, month, day };
        date.is_valid().then_some(date)
    }

    fn is_valid(self) -> bool {
        (1..=12).contains(&self.month)
            && self
                .day
                .is_none_or(|d| (1..=days_in_month(self.year, self.month)).contains(&d))
    }

    /// The civil date (UTC) of a Unix time.
    pub fn from_epoch_seconds(seconds: i64) -> Date {
        // Howard Hinnant's days-to-civil algorithm.
        let days = seconds.div_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        // The algorithm yields 1–12 and 1–31 by construction.
        Date {
            year: y,
            month: m as u32,
            day: Some(d as u32),
        }
    }

    /// `months` later, at the same precision. A day past the end of the target month is
    /// clamped to its last day (`2024-02-29` + 12 → `2025-02-28`), so the result always
    /// exists. `None` only on arithmetic overflow.
    pub fn add_months(self, months: u32) -> Option<Date> {
        let total = self
            .year
            .checked_mul(12)?
            .checked_add(i64::from(self.month) - 1)?
            .checked_add(i64::from(months))?;
        let year = total.div_euclid(12);
        let month = total.rem_euclid(12) as u32 + 1;
        Some(Date {
            year,
            month,
            day: self.day.map(|d| d.min(days_in_month(year, month))),
        })
    }
}

/// Today (UTC), from `SOURCE_DATE_EPOCH` if it is set and valid (reproducible builds), else
/// the system clock. The analysis reads it once; nothing else in tssa reads the clock.
pub fn today() -> Option<Date> {
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH")
        && let Ok(seconds) = epoch.trim().parse::<i64>()
    {
        return Some(Date::from_epoch_seconds(seconds));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(Date::from_epoch_seconds(i64::try_from(now.as_secs()).ok()?))
}

impl fmt::Display for Date {
    /// The ISO text the date was read from.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)?;
        match self.day {
            Some(d) => write!(f, "-{d:02}"),
            None => Ok(()),
        }
    }
}

impl std::str::FromStr for Date {
    type Err = ();
    fn from_str(text: &str) -> Result<Date, ()> {
        Date::parse(text).ok_or(())
    }
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether a package is due for its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// Today is past the due date.
    Due(Date),
    /// The due date has not passed yet.
    NotDue(Date),
    /// No completion date, or no today to compare with; the due date when it is known.
    Unknown(Option<Date>),
}

impl Renewal {
    /// Completed plus the renewal period, at the completion date's precision.
    pub fn due_on(self) -> Option<Date> {
        match self {
            Renewal::Due(d) | Renewal::NotDue(d) => Some(d),
            Renewal::Unknown(d) => d,
        }
    }

    /// `Some(true)` when due, `None` when unknown.
    pub fn is_due(self) -> Option<bool> {
        match self {
            Renewal::Due(_) => Some(true),
            Renewal::NotDue(_) => Some(false),
            Renewal::Unknown(_) => None,
        }
    }
}

/// The renewal rule: a package is due once `today` is past `completed` + `months`.
///
/// On the due date itself it is not yet due ("more than N months old"). A month-precision
/// completion is due only once the whole due month has passed, since the day it was
/// completed is not known; a month-precision `today` counts as the first of its month.
pub fn renewal(completed: Option<Date>, today: Option<Date>, months: u32) -> Renewal {
    let Some(on) = completed.and_then(|c| c.add_months(months)) else {
        return Renewal::Unknown(None);
    };
    let Some(today) = today else {
        return Renewal::Unknown(Some(on));
    };
    let past = match on.day {
        Some(d) => (today.year, today.month, today.day.unwrap_or(1)) > (on.year, on.month, d),
        None => (today.year, today.month) > (on.year, on.month),
    };
    if past {
        Renewal::Due(on)
    } else {
        Renewal::NotDue(on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    fn plus(text: &str, months: u32) -> String {
        d(text)
            .add_months(months)
            .map(|x| x.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn parses_and_displays_the_same_text() {
        for text in ["2020-04-28", "2019-05", "0001-01-01", "2024-02-29", "2000-02-29"] {
            assert_eq!(d(text).to_string(), text);
        }
        assert_eq!(
            d("2019-05"),
            Date {
                year: 2019,
                month: 5,
                day: None
            }
        );
    }

    #[test]
    fn invalid_dates_are_rejected() {
        for text in [
            "2019",
            "2019-00",
            "2019-13",
            "2019-05-00",
            "2019-04-31",
            "2023-02-29",
            "1900-02-29",
            "2019-5-1",
            "2019-05-1",
            "+019-05-01",
            "2019/05/01",
            "2019-05-01T00",
            "yesterday",
            "",
            "２０１９-05",
        ] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
    }

    #[test]
    fn leap_years() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2025, 2), 28);
        assert_eq!(days_in_month(2025, 4), 30);
        assert_eq!(days_in_month(2025, 12), 31);
    }

    #[test]
    fn months_are_added_with_month_end_clamping() {
        assert_eq!(plus("2020-04-28", 12), "2021-04-28");
        assert_eq!(plus("2019-05", 12), "2020-05");
        assert_eq!(plus("2019-11-02", 3), "2020-02-02");
        assert_eq!(plus("2019-12", 1), "2020-01");
        assert_eq!(plus("2024-02-29", 12), "2025-02-28");
        assert_eq!(plus("2024-02-29", 48), "2028-02-29");
        assert_eq!(plus("2023-01-31", 1), "2023-02-28");
        assert_eq!(plus("2024-01-31", 1), "2024-02-29");
        assert_eq!(plus("2024-08-31", 1), "2024-09-30");
        assert_eq!(plus("2024-05-10", 0), "2024-05-10");
        assert_eq!(plus("2015-06-15", 120), "2025-06-15");
    }

    #[test]
    fn epoch_seconds() {
        assert_eq!(Date::from_epoch_seconds(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_epoch_seconds(951_782_400).to_string(), "2000-02-29");
        assert_eq!(Date::from_epoch_seconds(1_735_689_599).to_string(), "2024-12-31");
        assert_eq!(Date::from_epoch_seconds(-86_400).to_string(), "1969-12-31");
        assert_eq!(Date::from_epoch_seconds(1_764_547_200).to_string(), "2025-12-01");
    }

    #[test]
    fn due_only_after_the_due_date() {
        let r = |c: &str, t: &str, m: u32| renewal(Date::parse(c), Date::parse(t), m);
        assert_eq!(
            r("2024-05-10", "2025-05-10", 12),
            Renewal::NotDue(d("2025-05-10"))
        );
        assert_eq!(r("2024-05-10", "2025-05-11", 12), Renewal::Due(d("2025-05-10")));
        // Month precision: due once the whole month has passed.
        assert_eq!(r("2024-05", "2025-05-31", 12).is_due(), Some(false));
        assert_eq!(r("2024-05", "2025-06-01", 12).is_due(), Some(true));
        // A month-precision today is the first of its month.
        assert_eq!(r("2024-05-01", "2025-05", 12).is_due(), Some(false));
        assert_eq!(r("2024-04-30", "2025-05", 12).is_due(), Some(true));
        // The period is a parameter.
        assert_eq!(r("2022-12-01", "2025-12-01", 12).is_due(), Some(true));
        assert_eq!(
            r("2022-12-01", "2025-12-01", 120),
            Renewal::NotDue(d("2032-12-01"))
        );
        assert_eq!(r("2024-11-15", "2025-06-01", 6).due_on(), Some(d("2025-05-15")));
    }

    #[test]
    fn unknown_without_both_dates() {
        assert_eq!(
            renewal(Date::parse("2024-02-29"), None, 12),
            Renewal::Unknown(Some(d("2025-02-28")))
        );
        assert_eq!(
            renewal(None, Date::parse("2025-06-01"), 12),
            Renewal::Unknown(None)
        );
        assert_eq!(renewal(None, None, 12).due_on(), None);
        assert_eq!(renewal(None, None, 12).is_due(), None);
    }
}
