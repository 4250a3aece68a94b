//! Reviewers named in a sentence rather than on a `Security reviewers:` line:
//!
//! * `Members of the TAG (A, B, and C) worked with the … team` — a parenthesised list after
//!   "members of";
//! * `The joint assessment was performed by A, B, and C.` — a list after "performed by",
//!   "conducted by", "carried out by", "completed by", "reviewed by" or "led by".
//!
//! Only a sentence that speaks of an assessment or review is read, and only when every item
//! of the list looks like a person (capitalised words, or an `@handle`) and there are at least
//! two: "performed by the maintainers" or "reviewed by Kubernetes' scheduler" is not a team.

/// How much of one line is read: a real sentence is far shorter, and the bound keeps a
/// hostile megabyte-long line linear and cheap.
const LINE_LIMIT: usize = 8192;

/// Words that introduce the reviewers' list.
const BY_PHRASES: [&str; 6] = [
    "performed by ",
    "conducted by ",
    "carried out by ",
    "completed by ",
    "reviewed by ",
    "led by ",
];

/// Lowercase words allowed inside a name (`Ana de la Cruz`, `Jan van Dijk`).
const PARTICLES: [&str; 10] = ["de", "la", "van", "von", "der", "den", "da", "del", "di", "le"];

/// The reviewers named in a Markdown line: tags, entities and emphasis are removed first
/// (flatcar's line starts with `<br/><br/>`).
pub(super) fn reviewers_in_line(line: &str) -> Option<(String, String)> {
    let line = super::prefix(line, LINE_LIMIT);
    let lower = line.to_ascii_lowercase();
    if !lower.contains(" by ") && !lower.contains("members of ") {
        return None;
    }
    reviewers(&super::plain(line))
}

/// The reviewers named in the line's text (tags and emphasis already removed), as
/// `(names joined with ", ", the list as written)`.
pub(super) fn reviewers(text: &str) -> Option<(String, String)> {
    let text = super::prefix(text, LINE_LIMIT);
    text.split(". ")
        .filter(|sentence| about_assessment(sentence))
        .find_map(|sentence| members_list(sentence).or_else(|| by_list(sentence)))
}

fn about_assessment(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    lower.contains("assess") || lower.contains("review")
}

/// `Members of the STAG (A, B and C)`: the first parenthesis after "members of".
fn members_list(sentence: &str) -> Option<(String, String)> {
    let lower = sentence.to_ascii_lowercase();
    let from = lower.find("members of ")?;
    let open = from + lower.get(from..)?.find('(')?;
    let close = open + lower.get(open..)?.find(')')?;
    let list = sentence.get(open + 1..close)?;
    names(list, false).map(|value| (value, list.trim().to_owned()))
}

/// `performed by A, B, and C` up to the end of the sentence; words after the last name
/// (`… and C from the TAG`) end the list.
fn by_list(sentence: &str) -> Option<(String, String)> {
    let lower = sentence.to_ascii_lowercase();
    let (at, phrase) = BY_PHRASES
        .iter()
        .filter_map(|p| lower.find(p).map(|at| (at, p)))
        .min()?;
    let rest = sentence.get(at + phrase.len()..)?;
    let list = rest.split([';', ':', '(', '!', '?']).next()?;
    let list = list.trim().trim_end_matches('.');
    names(list, true).map(|value| (value, list.trim().to_owned()))
}

/// `A, B, and C` → `A, B, C` when every item is a person's name and there are two or more.
/// With `open_end`, the last item may be followed by other words, which are dropped.
fn names(list: &str, open_end: bool) -> Option<String> {
    let items: Vec<&str> = list
        .split(',')
        .flat_map(|item| item.split(" and "))
        .flat_map(|item| item.split(" & "))
        .map(|item| item.trim().trim_start_matches("and ").trim())
        .filter(|item| !item.is_empty())
        .collect();
    let (last, init) = items.split_last()?;
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in init {
        out.push(person(item, false)?);
    }
    out.push(person(last, open_end)?);
    (out.len() >= 2).then(|| out.join(", "))
}

/// A person: capitalised words (particles allowed), optionally with an `@handle`, or a bare
/// `@handle`. With `open_end`, words from the first one that fits neither end the name.
fn person(item: &str, open_end: bool) -> Option<String> {
    let mut words = Vec::new();
    for word in item.split_whitespace() {
        let fits = is_handle(word)
            || word.chars().next().is_some_and(char::is_uppercase)
            || (!words.is_empty() && PARTICLES.contains(&word));
        if !fits {
            if open_end && !words.is_empty() {
                break;
            }
            return None;
        }
        words.push(word);
    }
    let capitalised = words.iter().filter(|w| !is_handle(w)).count();
    let plausible = words.len() <= 5 && (capitalised >= 2 || words.iter().any(|w| is_handle(w)));
    plausible.then(|| words.join(" "))
}

fn is_handle(word: &str) -> bool {
    let word = word.trim_start_matches('(').trim_end_matches(')');
    word.strip_prefix('@').is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::reviewers;

    #[test]
    fn members_of_the_tag_in_parentheses() {
        let line = "Members of the TAG (Ada Quill, Bo Ren, Cy de la Mar, and Di Osei) worked with the Foo team on a joint assessment, completed in May of 2022.";
        let (value, raw) = reviewers(line).expect("read");
        assert_eq!(value, "Ada Quill, Bo Ren, Cy de la Mar, Di Osei");
        assert_eq!(raw, "Ada Quill, Bo Ren, Cy de la Mar, and Di Osei");
    }

    #[test]
    fn performed_by_a_list() {
        let line =
            "A Joint Security Assessment was performed by Ada Quill, Bo Ren and Cy Mar.  We thank the team!";
        assert_eq!(
            reviewers(line).map(|r| r.0).as_deref(),
            Some("Ada Quill, Bo Ren, Cy Mar")
        );
        let trailing = "The review was conducted by Ada Quill @aquill and Bo Ren from the TAG.";
        assert_eq!(
            reviewers(trailing).map(|r| r.0).as_deref(),
            Some("Ada Quill @aquill, Bo Ren")
        );
        let handles = "The assessment was led by @aquill, @bren.";
        assert_eq!(reviewers(handles).map(|r| r.0).as_deref(), Some("@aquill, @bren"));
    }

    #[test]
    fn not_a_team() {
        for line in [
            "The assessment was performed by the maintainers and the TAG.",
            "Scans are performed by Trivy, Grype and Snyk.",
            "The assessment was performed by Ada Quill.",
            "Members of the community (see the list) reviewed the assessment.",
            "Requests are reviewed by Kubernetes, then by Admission webhooks.",
            "",
            "performed by , , and",
        ] {
            assert_eq!(reviewers(line), None, "{line}");
        }
    }

    #[test]
    fn long_lines_are_bounded() {
        let line = format!("{} performed by Ada Quill, Bo Ren", "assessment ".repeat(200_000));
        assert_eq!(reviewers(&line), None);
        let names = "Ada Quill, ".repeat(100_000);
        let _ = reviewers(&format!("The assessment was performed by {names}"));
    }
}
