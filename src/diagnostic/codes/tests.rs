//! The registry against the sources and the README. The sources are read as text at test time,
//! so a code added at a call site without an entry in `CODES` (or at another level than its
//! entry says) fails here, not in a user's `book.toml`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;

/// Calls whose argument is a code: (file the pattern applies to, or "" for every file; the
/// text just before the argument list; which argument is the code; the level the call emits,
/// `None` when the registry decides or the call only looks a code up).
const CALLS: &[(&str, &str, usize, CallLevel)] = &[
    ("", "Diagnostic::error(", 0, CallLevel::Fixed(Error)),
    ("", "Diagnostic::warning(", 0, CallLevel::Fixed(Warning)),
    ("", "Diagnostic::info(", 0, CallLevel::Fixed(Info)),
    ("", "Diagnostic::new(", 1, CallLevel::FirstArgument),
    ("", "rule_by_id(", 0, CallLevel::CheckRule),
    // The checker's `Ctx::emit(item, code, …)`: the level comes from the registry.
    ("src/check/", ".emit(", 1, CallLevel::CheckRule),
    // Wrappers that add file and line: `Ctx::error(code, …)` and `Extractor::warn(code, …)`.
    (
        "src/parse/frontmatter.rs",
        "ctx.error(",
        0,
        CallLevel::Fixed(Error),
    ),
    (
        "src/parse/frontmatter.rs",
        "self.error(",
        0,
        CallLevel::Fixed(Error),
    ),
    ("src/parse/facts.rs", "self.warn(", 0, CallLevel::Fixed(Warning)),
];

#[derive(Debug, Clone, Copy)]
enum CallLevel {
    Fixed(Level),
    /// `Diagnostic::new(Level::X, code, …)`: compared when the level is written out.
    FirstArgument,
    /// A checker rule, at its registered level.
    CheckRule,
}

/// Call sites whose code is not a string literal: (file, the argument as written, every code
/// it can carry). A code built with `format!` must be listed here with all the codes it can
/// build, and each of those registered. An empty list means the argument is a wrapper's
/// parameter (its callers are in `CALLS`) or a lookup of a user's text, not an emission.
const FORWARDED: &[(&str, &str, &[&str])] = &[
    ("src/check/findings.rs", "code", &[]),
    ("src/check/items.rs", "key", &[]),
    ("src/parse/facts.rs", "code", &[]),
    ("src/parse/frontmatter.rs", "code", &[]),
    (
        "src/check/documents.rs",
        "kind.variant_code()",
        &[
            "self-assessment/heading-variant",
            "joint-assessment/heading-variant",
            "summary/heading-variant",
        ],
    ),
    (
        "src/check/documents.rs",
        "code",
        &["joint-assessment/missing-row", "self-assessment/missing-row"],
    ),
];

#[test]
fn ids_are_unique_and_well_formed() {
    let mut seen = BTreeSet::new();
    for rule in CODES {
        assert!(seen.insert(rule.id), "{} is declared twice", rule.id);
        assert!(
            is_code_shaped(rule.id),
            "{} is not `family/name` in lowercase",
            rule.id
        );
        assert!(
            !rule.summary.is_empty() && !rule.summary.contains('|'),
            "{}",
            rule.id
        );
    }
}

#[test]
fn check_rules_are_exactly_the_checker_stage() {
    let checker: Vec<&str> = CODES
        .iter()
        .filter(|r| r.stage == Stage::Check)
        .map(|r| r.id)
        .collect();
    let rules: Vec<&str> = CHECK_RULES.iter().map(|r| r.id).collect();
    assert_eq!(rules, checker);
    assert_eq!(crate::check::RULES, CHECK_RULES);
}

#[test]
fn nearest_suggests_typos_only() {
    assert_eq!(nearest("link/brokn"), Some("link/broken"));
    assert_eq!(nearest("Link/Broken"), Some("link/broken"));
    assert_eq!(nearest("front-matter/sytnax"), Some("front-matter/syntax"));
    assert_eq!(nearest("coi/hard-conflicts"), Some("coi/hard-conflict"));
    assert_eq!(nearest("colour"), None);
    assert_eq!(nearest("something/else-entirely"), None);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("abc", ""), 3);
}

/// Every code a call site can emit is registered, at the level the call emits it; every
/// registered code is emitted somewhere.
#[test]
fn every_emitted_code_is_registered_at_its_level() {
    let mut problems = Vec::new();
    let mut emitted = BTreeSet::new();
    let mut forwarded_used = BTreeSet::new();
    let families: BTreeSet<&str> = CODES
        .iter()
        .filter_map(|r| r.id.split_once('/'))
        .map(|(f, _)| f)
        .collect();
    for (file, text) in sources() {
        let src = Lexed::new(&text);
        for &(scope, pattern, index, call_level) in CALLS {
            if !file.starts_with(scope) {
                continue;
            }
            for at in src.find_calls(pattern) {
                let here = format!("{file}:{}", src.line(at));
                let args = src.arguments(at + pattern.chars().count());
                let Some(&(start, end)) = args.get(index) else {
                    problems.push(format!("{here}: `{pattern}` has no argument {index}"));
                    continue;
                };
                let level = match call_level {
                    CallLevel::Fixed(level) => Some(level),
                    CallLevel::FirstArgument => {
                        args.first().and_then(|&(s, e)| written_level(&src.text(s, e)))
                    }
                    CallLevel::CheckRule => None,
                };
                let written = src.text(start, end);
                let literals = src.literals(start, end);
                let codes: Vec<String> = if written.contains("format!") || literals.is_empty() {
                    match FORWARDED.iter().position(|(f, e, _)| *f == file && *e == written) {
                        Some(i) => {
                            forwarded_used.insert(i);
                            FORWARDED[i].2.iter().map(|c| (*c).to_owned()).collect()
                        }
                        None => {
                            problems.push(format!(
                                "{here}: the code `{written}` is not a string literal; list it in FORWARDED with every code it can carry"
                            ));
                            continue;
                        }
                    }
                } else {
                    literals
                };
                for code in codes {
                    check_code(&code, level, call_level, &here, &mut problems);
                    emitted.insert(code);
                }
            }
        }
        // Codes can also reach a call through a variable or a helper (`variant_code`); any
        // literal shaped like a code of a registered family must then be registered too.
        for (at, literal) in src.all_literals() {
            if is_code_shaped(&literal)
                && literal
                    .split_once('/')
                    .is_some_and(|(family, _)| families.contains(family))
                && lookup(&literal).is_none()
            {
                problems.push(format!(
                    "{file}:{}: `{literal}` looks like a code but is not registered in src/diagnostic/codes.rs",
                    src.line(at)
                ));
            }
        }
    }
    for (i, (file, written, _)) in FORWARDED.iter().enumerate() {
        if !forwarded_used.contains(&i) {
            problems.push(format!(
                "FORWARDED lists `{written}` in {file}, and no call there passes it"
            ));
        }
    }
    for rule in CODES {
        if !emitted.contains(rule.id) {
            problems.push(format!("{} is registered but no call site emits it", rule.id));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

fn check_code(code: &str, level: Option<Level>, call: CallLevel, here: &str, problems: &mut Vec<String>) {
    let Some(rule) = lookup(code) else {
        let hint = nearest(code)
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
        problems.push(format!(
            "{here}: `{code}` is not registered in src/diagnostic/codes.rs{hint}"
        ));
        return;
    };
    if matches!(call, CallLevel::CheckRule) && rule.stage != Stage::Check {
        problems.push(format!(
            "{here}: `{code}` is used as a checker rule but its stage is {}",
            rule.stage.name()
        ));
    }
    if let Some(level) = level
        && level != rule.level
    {
        problems.push(format!(
            "{here}: `{code}` is emitted as {level} but registered as {}; one code has one default level",
            rule.level
        ));
    }
}

fn written_level(arg: &str) -> Option<Level> {
    let name = arg.rsplit("::").next().unwrap_or(arg);
    match name {
        "Error" => Some(Error),
        "Warning" => Some(Warning),
        "Info" => Some(Info),
        _ => None,
    }
}

fn is_code_shaped(text: &str) -> bool {
    let part = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_lowercase())
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    text.split_once('/').is_some_and(|(a, b)| part(a) && part(b))
}

/// Every `src/**/*.rs` as (path from the crate root with `/`, text without test code).
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("src"), &mut files);
    files.sort();
    assert!(files.len() > 20, "found only {} source files", files.len());
    files
        .into_iter()
        .filter(|path| path.file_name().is_some_and(|n| n != "tests.rs"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            (rel, without_test_modules(&text))
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text with each inline `#[cfg(test)] mod name { … }` blanked out: tests make up codes
/// (`x/y`) on purpose.
fn without_test_modules(text: &str) -> String {
    let lexed = Lexed::new(text);
    let mut chars: Vec<char> = text.chars().collect();
    let code: String = lexed.code.iter().collect();
    let mut from = 0;
    while let Some(found) = code[from..].find("#[cfg(test)]") {
        let attr = from + found;
        from = attr + 1;
        let rest = code[attr + "#[cfg(test)]".len()..].trim_start();
        let Some(after_mod) = rest.strip_prefix("mod ") else {
            continue;
        };
        let Some(open) = after_mod.find(['{', ';']) else {
            continue;
        };
        if after_mod[open..].starts_with(';') {
            continue;
        }
        // Byte offsets into `code` equal char offsets only for ASCII; map through chars.
        let open_byte = code.len() - after_mod.len() + open;
        let open_char = code[..open_byte].chars().count();
        let attr_char = code[..attr].chars().count();
        let close = lexed.matching(open_char);
        let last = close.min(chars.len() - 1);
        for c in &mut chars[attr_char..=last] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    }
    chars.into_iter().collect()
}

/// Rust source split into code and string literals: `code` has comments blanked and each
/// literal's contents replaced by `_` (quotes kept), so searches never match inside either;
/// `plain` has only the comments blanked, to show and compare arguments as written.
struct Lexed {
    code: Vec<char>,
    plain: Vec<char>,
    /// (index of the opening quote in `code`, index after the closing quote, contents).
    strings: Vec<(usize, usize, String)>,
}

impl Lexed {
    fn new(text: &str) -> Lexed {
        let src: Vec<char> = text.chars().collect();
        let mut code = src.clone();
        let mut plain = src.clone();
        let mut strings = Vec::new();
        let mut i = 0;
        let blank = |code: &mut Vec<char>, from: usize, to: usize| {
            for c in &mut code[from..to] {
                if *c != '\n' {
                    *c = ' ';
                }
            }
        };
        while i < src.len() {
            let c = src[i];
            let next = src.get(i + 1).copied();
            if c == '/' && next == Some('/') {
                let end = src[i..]
                    .iter()
                    .position(|&c| c == '\n')
                    .map_or(src.len(), |p| i + p);
                blank(&mut code, i, end);
                blank(&mut plain, i, end);
                i = end;
            } else if c == '/' && next == Some('*') {
                let mut depth = 0;
                let mut j = i;
                while j < src.len() {
                    if src[j] == '/' && src.get(j + 1) == Some(&'*') {
                        depth += 1;
                        j += 2;
                    } else if src[j] == '*' && src.get(j + 1) == Some(&'/') {
                        depth -= 1;
                        j += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                blank(&mut code, i, j.min(src.len()));
                blank(&mut plain, i, j.min(src.len()));
                i = j;
            } else if c == 'r' && matches!(next, Some('"' | '#')) && !ident_before(&src, i) {
                let hashes = src[i + 1..].iter().take_while(|&&c| c == '#').count();
                let open = i + 1 + hashes;
                if src.get(open) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let mut j = open + 1;
                while j < src.len()
                    && !(src[j] == '"'
                        && src[j + 1..].iter().take(hashes).filter(|&&c| c == '#').count() == hashes)
                {
                    j += 1;
                }
                let end = (j + 1 + hashes).min(src.len());
                strings.push((i, end, src[open + 1..j.min(src.len())].iter().collect()));
                mask(&mut code, i, end);
                i = end;
            } else if c == '"' {
                let mut j = i + 1;
                while j < src.len() && src[j] != '"' {
                    j += if src[j] == '\\' { 2 } else { 1 };
                }
                let end = (j + 1).min(src.len());
                strings.push((i, end, src[i + 1..j.min(src.len())].iter().collect()));
                mask(&mut code, i, end);
                i = end;
            } else if c == '\'' {
                // A char literal ('"', '\'', 'x') or a lifetime ('a): only the first is skipped.
                if next == Some('\\') {
                    // Past the escaped character, which may itself be a quote ('\'').
                    let end = src
                        .get(i + 3..)
                        .and_then(|rest| rest.iter().position(|&c| c == '\''))
                        .map_or(src.len(), |p| i + 4 + p);
                    blank(&mut code, i, end);
                    i = end;
                } else if src.get(i + 2) == Some(&'\'') {
                    blank(&mut code, i, i + 3);
                    i += 3;
                } else {
                    i += 1;
                }
            } else {
                i += 1;
            }
        }
        Lexed { code, plain, strings }
    }

    fn line(&self, at: usize) -> usize {
        self.code[..at].iter().filter(|&&c| c == '\n').count() + 1
    }

    /// An argument as written (comments dropped, spaces collapsed).
    fn text(&self, start: usize, end: usize) -> String {
        let text: String = self.plain[start..end].iter().collect();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Where `pattern` starts a call (not a definition, not the tail of a longer name).
    fn find_calls(&self, pattern: &str) -> Vec<usize> {
        let pattern: Vec<char> = pattern.chars().collect();
        let mut found = Vec::new();
        for at in 0..self.code.len() {
            if self.code.get(at..at + pattern.len()) != Some(&pattern[..]) {
                continue;
            }
            let starts_name = pattern[0].is_alphanumeric() || pattern[0] == '_';
            if starts_name && ident_before(&self.code, at) {
                continue;
            }
            let before: String = self.code[at.saturating_sub(3)..at].iter().collect();
            if before == "fn " {
                continue;
            }
            found.push(at);
        }
        found
    }

    /// The argument ranges of a call whose `(` ends just before `open`.
    fn arguments(&self, open: usize) -> Vec<(usize, usize)> {
        let mut args = Vec::new();
        let mut depth = 0usize;
        let mut start = open;
        for (i, &c) in self.code.iter().enumerate().skip(open) {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth > 0 => depth -= 1,
                ')' => {
                    if !self.code[start..i].iter().all(|c| c.is_whitespace()) {
                        args.push((start, i));
                    }
                    return args;
                }
                ',' if depth == 0 => {
                    args.push((start, i));
                    start = i + 1;
                }
                _ => {}
            }
        }
        args
    }

    /// The contents of the string literals that start within `start..end`.
    fn literals(&self, start: usize, end: usize) -> Vec<String> {
        self.strings
            .iter()
            .filter(|(s, _, _)| (start..end).contains(s))
            .map(|(_, _, text)| text.clone())
            .collect()
    }

    fn all_literals(&self) -> impl Iterator<Item = (usize, String)> + '_ {
        self.strings.iter().map(|(s, _, text)| (*s, text.clone()))
    }

    /// The index of the `}` that closes the `{` at `open`.
    fn matching(&self, open: usize) -> usize {
        let mut depth = 0usize;
        for (i, &c) in self.code.iter().enumerate().skip(open) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
        }
        self.code.len()
    }
}

fn ident_before(chars: &[char], at: usize) -> bool {
    at > 0
        && chars
            .get(at - 1)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// Replaces a literal's contents with `_`, keeping a `"` at each end.
fn mask(code: &mut [char], from: usize, to: usize) {
    for (k, c) in code[from..to].iter_mut().enumerate() {
        *c = if k == 0 || from + k + 1 == to { '"' } else { '_' };
    }
}

#[test]
fn the_lexer_sees_through_comments_strings_and_chars() {
    let text = "let a = ('\"', '\\''); // Diagnostic::error(\"x/y\")\nDiagnostic::error(\"a/b\", format!(\"{}\", ')'))";
    let src = Lexed::new(text);
    let calls = src.find_calls("Diagnostic::error(");
    assert_eq!(calls.len(), 1);
    let args = src.arguments(calls[0] + "Diagnostic::error(".len());
    assert_eq!(args.len(), 2);
    assert_eq!(src.literals(args[0].0, args[0].1), vec!["a/b".to_owned()]);
    let stripped = without_test_modules("a\n#[cfg(test)]\nmod tests {\n fn x() { \"q/r\"; }\n}\nb \"s/t\"");
    assert!(
        !stripped.contains("q/r") && stripped.contains("s/t"),
        "{stripped}"
    );
    let kept = without_test_modules("#[cfg(test)]\nmod tests;\n\"s/t\"");
    assert!(kept.contains("s/t"));
}

// ---------------------------------------------------------------------------------------------
// README

const TABLE_START: &str =
    "<!-- codes: generated from src/diagnostic/codes.rs; `TSSA_BLESS=1 cargo test readme` rewrites it -->";
const TABLE_END: &str = "<!-- end of codes -->";

fn readme_table() -> String {
    let mut table = String::from("| Code | Default | Stage | What it reports |\n| -- | -- | -- | -- |\n");
    for rule in CODES {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            rule.id,
            rule.level,
            rule.stage.name(),
            rule.summary
        ));
    }
    table
}

/// The README's table is the registry's, so it lists every code and cannot drift.
#[test]
fn readme_lists_every_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_default();
    let start = readme.find(TABLE_START).map(|s| s + TABLE_START.len() + 1);
    let end = readme.find(TABLE_END);
    let (Some(start), Some(end)) = (start, end) else {
        panic!("README.md has no `{TABLE_START}` … `{TABLE_END}` section");
    };
    let expected = readme_table();
    if readme.get(start..end) != Some(expected.as_str()) {
        if std::env::var_os("TSSA_BLESS").is_some() {
            let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
            std::fs::write(&path, updated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            return;
        } else {
            panic!(
                "README.md's table of codes is out of date; run `TSSA_BLESS=1 cargo test readme` to rewrite it"
            );
        }
    }
    for rule in CODES {
        assert!(readme.contains(&format!("| `{}` |", rule.id)), "{}", rule.id);
    }
}
