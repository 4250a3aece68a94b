//! Every diagnostic code tssa can emit, each declared once with its default level and what it
//! reports, as clippy's lint list and rustc's error index are: `[check.levels]` in `book.toml`
//! is validated against it, the README's table is generated from it, and a test reads the
//! sources so no call site can emit a code that is missing here or at another level.
//!
//! The ids are public: users re-level them in `book.toml` and exempt them in front matter, so
//! never rename one; add a new id instead. A leaf module: `config` validates against it and
//! must not depend on the analysis stages.

use serde::Serialize;

use super::Level;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub level: Level,
    /// What the rule checks, for `--explain`-style listings and the README.
    pub summary: &'static str,
    pub stage: Stage,
}

/// Which part of tssa finds a problem. It decides where users meet the code and what they
/// can do about it, so the README lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Reading the sources (discovery, decoding, front matter, metadata): every command.
    Read,
    /// Judging a package against its rule set: every command. Only these can be exempted in
    /// front matter, since exemptions apply to a package's verdict.
    Check,
    /// The site-wide analysis (links and raw HTML in each document, coverage inputs, git
    /// dates): every command, since `check` runs the same analysis as `build`.
    Analyse,
    /// A preview rebuild that could not happen at all. Shown by `serve` over the last good
    /// site; never levelled, because no finished build exists to level.
    Serve,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Read => "read",
            Stage::Check => "check",
            Stage::Analyse => "analyse",
            Stage::Serve => "serve",
        }
    }

    /// Whether `[check.levels]` can change codes of this stage.
    pub fn levelled(self) -> bool {
        self != Stage::Serve
    }
}

const fn check(id: &'static str, level: Level, summary: &'static str) -> Rule {
    Rule {
        id,
        level,
        summary,
        stage: Stage::Check,
    }
}
const fn read(id: &'static str, level: Level, summary: &'static str) -> Rule {
    Rule {
        id,
        level,
        summary,
        stage: Stage::Read,
    }
}
const fn analyse(id: &'static str, level: Level, summary: &'static str) -> Rule {
    Rule {
        id,
        level,
        summary,
        stage: Stage::Analyse,
    }
}
const fn serve(id: &'static str, level: Level, summary: &'static str) -> Rule {
    Rule {
        id,
        level,
        summary,
        stage: Stage::Serve,
    }
}

use Level::{Error, Info, Warning};

/// Every code. The checker's rules come first, grouped by the document they look at, so
/// [`CHECK_RULES`] can be a prefix of this list.
pub const CODES: &[Rule] = &[
    check(
        "package/missing-self-assessment",
        Error,
        "the path requires a self-assessment.md and the folder has none",
    ),
    check(
        "package/folder-name",
        Warning,
        "the project folder is not a lowercase-hyphen name",
    ),
    check(
        "package/unknown-ruleset",
        Warning,
        "the declared rule set is not tssa-2019, tssa-2021 or tssa-2024-11",
    ),
    check(
        "package/unknown-path",
        Warning,
        "the declared assessment path is not `self` or `joint`",
    ),
    check(
        "package/unknown-exemption",
        Warning,
        "an exemption names neither a checklist item nor a rule id",
    ),
    check(
        "self-assessment/missing-section",
        Error,
        "a section the self-assessment outline requires is missing",
    ),
    check(
        "self-assessment/missing-row",
        Error,
        "a metadata row the self-assessment template requires is missing",
    ),
    check(
        "self-assessment/newer-template",
        Warning,
        "a section or row the template gained during the rule set's era is missing, and the document's date is unknown",
    ),
    check(
        "self-assessment/heading-variant",
        Info,
        "a section is present under a known variant of its name",
    ),
    check(
        "self-assessment/stage-incomplete",
        Info,
        "the self-assessment marks itself Incomplete (or Draft, In Progress)",
    ),
    check(
        "self-assessment/stage-value",
        Warning,
        "Assessment Stage is not one of Incomplete, Complete, Obsolete",
    ),
    check(
        "joint-assessment/missing",
        Error,
        "the joint path of this rule set requires a joint-assessment.md and the folder has none",
    ),
    check(
        "joint-assessment/missing-section",
        Error,
        "a section the joint-assessment outline requires is missing",
    ),
    check(
        "joint-assessment/missing-row",
        Error,
        "a metadata row the joint-assessment template requires is missing",
    ),
    check(
        "joint-assessment/heading-variant",
        Info,
        "a section is present under a known variant of its name",
    ),
    check(
        "joint-assessment/summary-only",
        Warning,
        "joint-assessment.md holds the final summary, not the joint-assessment outline",
    ),
    check(
        "joint-assessment/hands-on-statement",
        Warning,
        "the Hands-on assessment section does not say whether one was performed",
    ),
    check(
        "summary/missing",
        Error,
        "the joint path of this rule set requires a final summary (README.md) and there is none",
    ),
    check(
        "summary/missing-part",
        Error,
        "a part of the final summary template is missing",
    ),
    check(
        "summary/missing-version",
        Warning,
        "the final summary does not name the version or release covered",
    ),
    check(
        "summary/missing-additional",
        Info,
        "the final summary has no Additional recommendations",
    ),
    check(
        "summary/heading-variant",
        Info,
        "a summary part is present under a known variant of its name",
    ),
    check(
        "template/placeholder",
        Error,
        "a template placeholder in running text ([project], did/did not receive) was left in",
    ),
    // Not `template/…`: these markers are tssa's own, visible on purpose, and a fresh
    // `tssa new` package must show no template leftovers.
    check(
        "draft/todo",
        Warning,
        "a part `tssa new` marked `TODO(tssa)` is still to be written",
    ),
    check(
        "template/guidance",
        Warning,
        "a template guidance sentence was left in the text",
    ),
    check(
        "joint/too-few-reviewers",
        Warning,
        "fewer reviewers than the rule set asks for (a lead plus one, or two, more)",
    ),
    check(
        "joint/lead-reviewer",
        Warning,
        "the declared reviewers do not have exactly one lead",
    ),
    check(
        "joint/renewal-due",
        Info,
        "the assessment is older than the renewal period (`[coverage] renewal_months`, twelve months by default) and due for renewal",
    ),
    check(
        "coi/missing-statement",
        Error,
        "a reviewer has no conflict-of-interest statement",
    ),
    check(
        "coi/incomplete-statement",
        Warning,
        "a reviewer's statement lacks answers or the link to the statement",
    ),
    check(
        "coi/hard-conflict",
        Error,
        "a reviewer has a hard conflict and no recorded waiver",
    ),
    check(
        "coi/multiple-soft",
        Error,
        "a reviewer has two or more soft conflicts and no recorded escalation decision",
    ),
    check(
        "coi/ineligible-reviewer",
        Error,
        "a reviewer ruled ineligible is still listed",
    ),
    check(
        "coi/waiver-signoff",
        Warning,
        "a hard-conflict waiver is not signed off by two chairs and the facilitator",
    ),
    check(
        "coi/lead-soft-conflict",
        Warning,
        "the lead reviewer has a soft conflict",
    ),
    check("coi/escalated", Info, "a conflict was escalated and decided"),
    // Reading the sources.
    read(
        "input/unreadable",
        Error,
        "a file could not be read, so it is not published",
    ),
    read(
        "input/too-large",
        Error,
        "a document or tssa.yaml is larger than [limits] file_bytes, so it is not read",
    ),
    read(
        "input/binary",
        Error,
        "a document has a NUL byte in its first 8,000 bytes, so it is taken for binary (as git does) and skipped",
    ),
    read(
        "input/encoding",
        Warning,
        "a document is not valid UTF-8 or has a NUL byte past its start; the bad bytes are shown as U+FFFD",
    ),
    // Not `input/unreadable`: a folder that cannot be listed only hides what it holds, and
    // the build goes on, so this stays a warning where an unreadable file is an error.
    read(
        "discover/unreadable",
        Warning,
        "a folder could not be listed while looking for files; what it holds is skipped",
    ),
    read(
        "discover/limit",
        Error,
        "the source folders are deeper, or hold more files or bytes, than [limits] allows; the rest is not published",
    ),
    read(
        "discover/output-folder",
        Info,
        "a folder holds a site tssa built (it has the output marker), so it is not read as content",
    ),
    read(
        "discover/other-file-system",
        Warning,
        "a folder is the mount point of another file system (like /proc), and is not walked",
    ),
    read(
        "discover/slug-collision",
        Warning,
        "two folders would get the same URL; the second is published under a numbered slug",
    ),
    read(
        "discover/broken-symlink",
        Warning,
        "a symbolic link is broken or loops, and is skipped",
    ),
    read(
        "discover/symlink-outside-root",
        Warning,
        "a symbolic link points outside the root, and is skipped",
    ),
    read(
        "discover/symlinked-folder",
        Info,
        "a symbolic link to a folder is not followed",
    ),
    read(
        "discover/not-a-file",
        Warning,
        "a pipe, socket or device stands where a file was expected, and is skipped",
    ),
    read(
        "discover/hidden-document",
        Info,
        "a Markdown file whose name starts with a dot is hidden, so it is not published",
    ),
    read(
        "discover/non-utf8-name",
        Warning,
        "a file name is not valid UTF-8, and the file is skipped",
    ),
    read(
        "discover/near-miss-name",
        Warning,
        "a document's name looks like a misspelt package document name, and is read as that document",
    ),
    read(
        "discover/unmatched-package",
        Warning,
        "a folder holds assessment documents but no unit pattern matches it, so it is not published",
    ),
    read(
        "asset/too-large",
        Warning,
        "a file to publish is larger than [limits] asset_bytes (100 MiB: GitHub's own limit), so it is left out",
    ),
    read(
        "asset/active-content",
        Warning,
        "a file a browser could run (HTML, XML, scripts, gzipped SVG, markup named as an image, an SVG with scripts or embedded HTML) is not published",
    ),
    read(
        "asset/unknown-type",
        Warning,
        "a file of a type tssa does not publish (not an image, PDF, text, data or office file) is left out",
    ),
    read(
        "output/name-collision",
        Warning,
        "a file would take the place of another page or a generated one (names that differ only in letter case included); it is renamed",
    ),
    read(
        "output/name-shortened",
        Warning,
        "a file or folder name is too long to write as it is; it is published under a shortened name with a hash",
    ),
    read(
        "front-matter/unterminated",
        Error,
        "front matter opened with `---` is never closed",
    ),
    read(
        "front-matter/syntax",
        Error,
        "the front matter is not valid YAML, or is too large or too deeply nested to read",
    ),
    read(
        "front-matter/unknown-key",
        Error,
        "a front matter key is not one tssa knows",
    ),
    read(
        "front-matter/type",
        Error,
        "a front matter value has the wrong type, such as a list where text belongs",
    ),
    read(
        "front-matter/value",
        Error,
        "a front matter value is not one of the allowed values, or is not a valid URL",
    ),
    read(
        "front-matter/date",
        Error,
        "a front matter date is not a real date",
    ),
    read(
        "front-matter/duplicate-key",
        Error,
        "a front matter key is given twice",
    ),
    read(
        "front-matter/missing-key",
        Error,
        "an entry of a front matter list lacks a key it needs",
    ),
    read(
        "facts/date",
        Warning,
        "a date in a document's metadata cannot be read",
    ),
    read(
        "facts/ambiguous-date",
        Warning,
        "an all-numeric date could be read two ways; tssa reads it day first",
    ),
    read(
        "facts/stage",
        Warning,
        "a document's Assessment Stage is not a value tssa knows",
    ),
    read(
        "facts/placeholder",
        Warning,
        "a metadata value is still the template's placeholder",
    ),
    read(
        "facts/conflict",
        Warning,
        "a fact is stated twice with different values (two declarations, or two documents of the package)",
    ),
    read(
        "facts/mismatch",
        Info,
        "a document's text says one thing and its declared facts another",
    ),
    // Writing pages.
    analyse(
        "link/broken",
        Warning,
        "a link or image points at a file or heading that does not exist",
    ),
    analyse(
        "html/unknown-tag",
        Warning,
        "raw HTML uses a tag that is not an HTML element; it is shown as text",
    ),
    analyse(
        "html/disallowed",
        Warning,
        "raw HTML uses scripts, styles, frames, forms or other active content; it is shown as text or removed",
    ),
    analyse(
        "markdown/empty-heading",
        Warning,
        "a heading has no text (a lone `##`); it is left out of the page",
    ),
    analyse(
        "markdown/placeholder-alt",
        Warning,
        "an image's alt text is a placeholder (`alt_text`, `image`); screen readers read it out",
    ),
    analyse(
        "markdown/too-deep",
        Warning,
        "lists, block quotes or HTML nest too deeply; the deepest levels are flattened",
    ),
    analyse(
        "coverage/releases",
        Error,
        "the releases data file is malformed: not the `releases.json` format `tssa releases fetch` writes, nor a flat map of slug to version",
    ),
    // Not `coverage/releases`: a missing file is a setting to fix, not data to correct, and
    // the coverage page is simply built without latest releases.
    analyse(
        "coverage/releases-unreadable",
        Warning,
        "the releases data file (`[coverage] releases`, else `releases.json`) cannot be read",
    ),
    analyse(
        "git/unavailable",
        Info,
        "git dates were asked for, but git or a git checkout is missing; pages carry none",
    ),
    // A preview rebuild that could not happen.
    serve(
        "config/invalid",
        Error,
        "book.toml became invalid while serving; the last good site stays up",
    ),
    serve(
        "theme/template",
        Error,
        "a theme template failed while serving; the last good site stays up",
    ),
    serve(
        "build/failed",
        Error,
        "a rebuild could not run (reading or writing failed); the last good site stays up",
    ),
    serve(
        "build/panicked",
        Error,
        "a rebuild stopped on an internal error, a bug in tssa; the last good site stays up",
    ),
];

/// The checker's rules: the codes a front matter exemption can name.
pub const CHECK_RULES: &[Rule] = CODES.split_at(check_rules_len()).0;

const fn check_rules_len() -> usize {
    let mut n = 0;
    while n < CODES.len() && matches!(CODES[n].stage, Stage::Check) {
        n += 1;
    }
    n
}

// A checker rule declared after another stage's code would silently fall out of
// CHECK_RULES, and with it out of exemptions; refuse to compile instead.
const _: () = {
    let mut i = check_rules_len();
    while i < CODES.len() {
        assert!(
            !matches!(CODES[i].stage, Stage::Check),
            "declare checker rules before the other codes in CODES"
        );
        i += 1;
    }
};

/// The code with this id.
pub fn lookup(id: &str) -> Option<&'static Rule> {
    CODES.iter().find(|r| r.id == id)
}

/// The registered code nearest to `wrong`, when it is close enough to be a typo of it.
pub fn nearest(wrong: &str) -> Option<&'static str> {
    // Codes are short; a long key is no typo of one (and edit distance is quadratic).
    if wrong.chars().count() > 80 {
        return None;
    }
    let wrong = wrong.to_lowercase();
    let (best, distance) = CODES
        .iter()
        .map(|r| (r.id, edit_distance(&wrong, r.id)))
        .min_by_key(|&(_, d)| d)?;
    let limit = (wrong.chars().count() / 3).max(2);
    (distance <= limit).then_some(best)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests;
