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
//!
//! The project's security lead and the assessment's tracking issue, which the template puts on
//! labelled lines, are read from a sentence only in the close variants of those lines (no copy
//! of the corpus states them in prose; these shapes are what an author rewording the template
//! writes):
//!
//! * `Ada Quill (@aquill) served as the project's security lead.` / `The project security lead
//!   for this assessment is Ada Quill.` — one person, said to be the *project's* security lead
//!   (a "TAG lead reviewer" or "led by" is the TAG's side, read as reviewers);
//! * `This assessment is tracked in <TAG issue>.` / `The tracking issue for the assessment is
//!   <TAG issue>.` — the sentence speaks of the assessment and of tracking, and names exactly
//!   one issue of the TAG's own repository: a project's own "tracking issue (feature request)"
//!   or a passing "see tag-security#224" is not the assessment's issue.

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

/// Ways a sentence says whose security lead a name is.
const LEAD_PHRASES: [&str; 3] = [
    "project security lead",
    "project's security lead",
    "project\u{2019}s security lead",
];

/// Verbs joining a person to the lead's role that follows them; the leading space keeps
/// "this" from ending in "is".
const LEAD_VERBS: [&str; 5] = [" is", " was", " served as", " acted as", " as"];

/// The project's security lead named in a Markdown line, as `(name, the words as written)`.
pub(super) fn security_lead_in_line(line: &str) -> Option<(String, String)> {
    let line = super::prefix(line, LINE_LIMIT);
    if !line.to_lowercase().contains("security lead") {
        return None;
    }
    let text = super::plain(line);
    text.split(". ").find_map(lead_in_sentence)
}

fn lead_in_sentence(sentence: &str) -> Option<(String, String)> {
    // ASCII lowercase keeps every byte offset of `sentence`.
    let lower = sentence.to_ascii_lowercase();
    let (at, phrase) = LEAD_PHRASES
        .iter()
        .filter_map(|p| lower.find(p).map(|at| (at, p)))
        .min()?;
    let before = sentence.get(..at)?;
    let after = sentence.get(at + phrase.len()..)?;
    lead_after(after).or_else(|| lead_before(before))
}

/// `… security lead [for this assessment] is NAME`: the verb comes within a few words.
fn lead_after(after: &str) -> Option<(String, String)> {
    let lower = after.to_ascii_lowercase();
    let (at, verb) = [" is ", " was "]
        .iter()
        .filter_map(|v| lower.find(v).map(|at| (at, v)))
        .min()?;
    let between = after.get(..at)?;
    let short = between.split_whitespace().count() <= 4 && !between.contains([',', '(']);
    if !short {
        return None;
    }
    let rest = after.get(at + verb.len()..)?;
    let name = rest
        .split([',', ';', ':', '!', '?'])
        .next()?
        .trim()
        .trim_end_matches('.');
    lone_person(name, true)
}

/// `NAME (@handle) served as the project's security lead`: the subject ends at the verb.
fn lead_before(before: &str) -> Option<(String, String)> {
    let trimmed = before.trim_end();
    let lower = trimmed.to_ascii_lowercase();
    let role = ["the", "our"].iter().find_map(|w| lower.strip_suffix(w))?;
    let lower_role = role.trim_end();
    let verb_at = LEAD_VERBS
        .iter()
        .filter(|v| lower_role.ends_with(**v))
        .map(|v| v.len())
        .max()?;
    let subject = trimmed.get(..lower_role.len() - verb_at)?;
    let subject = subject.rsplit([',', ';', ':']).next()?.trim();
    lone_person(subject, false)
}

/// One person's name (capitalised words, maybe an `@handle`), never a list.
fn lone_person(text: &str, open_end: bool) -> Option<(String, String)> {
    if text.contains(" and ") || text.contains(" & ") {
        return None;
    }
    person(text, open_end).map(|name| (name, text.to_owned()))
}

/// The assessment's tracking issue named in a Markdown line, as `(URL, the link as written)`.
pub(super) fn tracking_issue_in_line(line: &str) -> Option<(String, String)> {
    let line = super::prefix(line, LINE_LIMIT);
    let lower = line.to_ascii_lowercase();
    if !lower.contains("tracking issue") && !lower.contains("tracked ") {
        return None;
    }
    line.split(". ").find_map(tracking_in_sentence)
}

fn tracking_in_sentence(sentence: &str) -> Option<(String, String)> {
    let lower = super::plain(sentence).to_lowercase();
    let tracking = lower.contains("tracking issue")
        || ["tracked in ", "tracked at ", "tracked by ", "tracked under "]
            .iter()
            .any(|p| lower.contains(p));
    if !tracking || !about_assessment(&lower) {
        return None;
    }
    let cell = super::parse_cell(sentence);
    let mut issues = cell.links.iter().filter(|l| is_tag_issue(&l.url));
    let link = issues.next()?;
    if issues.any(|other| other.url != link.url) {
        return None;
    }
    let raw = if link.label == link.url {
        link.url.clone()
    } else {
        format!("{} ({})", link.label, link.url)
    };
    Some((link.url.clone(), raw))
}

/// An issue of the TAG's repository (under its old name too), not the Security Pals issue.
fn is_tag_issue(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = ["cncf/tag-security/issues/", "cncf/sig-security/issues/"]
        .iter()
        .find_map(|repo| {
            let at = lower.find(repo)?;
            let host = lower.get(..at)?;
            let github = [
                "https://github.com/",
                "http://github.com/",
                "https://www.github.com/",
            ]
            .contains(&host);
            github.then(|| lower.get(at + repo.len()..)).flatten()
        });
    let Some(number) = rest else { return false };
    let digits = number.chars().take_while(char::is_ascii_digit).count();
    let tail = number.get(digits..).unwrap_or_default();
    digits > 0 && (tail.is_empty() || tail.starts_with(['#', '/', '?'])) && !super::is_security_pals(url)
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

    use super::{security_lead_in_line, tracking_issue_in_line};

    #[test]
    fn project_security_lead_in_a_sentence() {
        for (line, name) in [
            (
                "Wren Calloway (@wcalloway) served as the project's security lead for the assessment.",
                "Wren Calloway (@wcalloway)",
            ),
            (
                "The project security lead for this assessment was Pim Harrow, who has since left.",
                "Pim Harrow",
            ),
            (
                "For this review, Ola Brisk is the project\u{2019}s security lead.",
                "Ola Brisk",
            ),
            ("The Project Security Lead is @obrisk.", "@obrisk"),
            (
                "<br/>**Ada de la Mar** acted as our project security lead.",
                "Ada de la Mar",
            ),
        ] {
            assert_eq!(
                security_lead_in_line(line).map(|l| l.0).as_deref(),
                Some(name),
                "{line}"
            );
        }
    }

    #[test]
    fn not_the_projects_security_lead() {
        for line in [
            "The project should consider recruiting a security lead or security champion.",
            "Finn Oduya is the TAG lead reviewer.",
            "The assessment was led by Ada Quill and Bo Ren.",
            "The project security lead is to be named once the review ends.",
            "The project security lead is Ada Quill and Bo Ren.",
            "Ada Quill and Bo Ren were the project security lead.",
            "Thanks to Ada Quill, who was the project security lead.",
            "The maintainers thank Ada Quill who was the project's security lead.",
            "Ada is the project security lead.",
            "Ada Quill is not the project security lead.",
            "The project security lead, responsible for triage, is Ada Quill.",
            "",
        ] {
            assert_eq!(security_lead_in_line(line), None, "{line}");
        }
    }

    #[test]
    fn tracking_issue_in_a_sentence() {
        let issue = "https://github.com/cncf/tag-security/issues/4321";
        for line in [
            "This joint assessment is tracked in [cncf/tag-security#4321](https://github.com/cncf/tag-security/issues/4321), with every answer.",
            "The tracking issue for the assessment is <https://github.com/cncf/tag-security/issues/4321>.",
            "The review was tracked at https://github.com/cncf/tag-security/issues/4321 and closed after.",
            "The assessment is tracked in [#4321](https://github.com/cncf/tag-security/issues/4321) ([link](https://github.com/cncf/tag-security/issues/4321)).",
        ] {
            assert_eq!(
                tracking_issue_in_line(line).map(|t| t.0).as_deref(),
                Some(issue),
                "{line}"
            );
        }
        let old = "The assessment's tracking issue is https://github.com/cncf/sig-security/issues/167.";
        assert_eq!(
            tracking_issue_in_line(old).map(|t| t.0).as_deref(),
            Some("https://github.com/cncf/sig-security/issues/167")
        );
    }

    #[test]
    fn not_the_assessments_tracking_issue() {
        for line in [
            // A project's own issue, even when the review raised it.
            "A tracking issue (feature request) exists for hermetic builds, which the review raised: [https://github.com/larchmoor/larchmoor/issues/77](https://github.com/larchmoor/larchmoor/issues/77)",
            // A TAG issue mentioned in passing.
            "The assessment found the threat model out of date (see [issues#12](https://github.com/cncf/tag-security/issues/12)).",
            // Tracking, but not of the assessment.
            "Template changes are tracked in https://github.com/cncf/tag-security/issues/999.",
            // Two different TAG issues: which one is ambiguous.
            "The assessment is tracked in https://github.com/cncf/tag-security/issues/12 after https://github.com/cncf/tag-security/issues/11.",
            // The Security Pals issue, a pull request, a look-alike host.
            "The assessment is tracked in https://github.com/cncf/tag-security/issues/1102.",
            "The assessment is tracked in https://github.com/cncf/tag-security/pull/4321.",
            "The assessment is tracked in https://evil.example/github.com/cncf/tag-security/issues/4321.",
            "The assessment is tracked in https://github.com/cncf/tag-security/issues/.",
            "",
        ] {
            assert_eq!(tracking_issue_in_line(line), None, "{line}");
        }
    }

    #[test]
    fn long_lead_and_tracking_lines_are_bounded() {
        let line = format!("{} is the project security lead", "Ada Quill ".repeat(200_000));
        assert_eq!(security_lead_in_line(&line), None);
        // Offsets of a lowercased line stay those of the line.
        let _ = security_lead_in_line("İİİ project security lead İİİ is Ada Quill");
        let line = format!(
            "assessment tracked in {}",
            "https://github.com/cncf/tag-security/issues/1 ".repeat(50_000)
        );
        let _ = tracking_issue_in_line(&line);
    }
}
