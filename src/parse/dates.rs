//! Dates in the forms the corpus uses, normalised to ISO 8601. (Stub: to be filled in.)

/// `April 28, 2020` → `2020-04-28`; `May 2019` → `2019-05`. `None` when not a date.
pub fn normalise(_text: &str) -> Option<String> {
    None
}
