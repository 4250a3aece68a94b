//! `tssa new`: starts a package folder from the guide's templates, so a project lead does not
//! copy outlines by hand and `tssa check` can follow the package from its first commit.
//!
//! The templates come from the repository's own guide (`<process>/guide/self-assessment.md`,
//! `joint-assessment.md`, `joint-readme-template.md`) when present, so the package follows
//! the guide the repository actually has; otherwise from the outlines built into tssa
//! (`src/new/*.md`, written in our own words). Both go through one transformation: the
//! outline becomes the document, the guide's instructions move into HTML comments (readers
//! and the checker skip them), every part to write gets a `TODO(tssa):` line, table values
//! become `TODO(tssa)`, `[project]` becomes the project's name, and front matter states the
//! package's name, path, status `draft` and rule set.
//!
//! Nothing is overwritten: the folder must not exist. [`plan`] reads and transforms; [`write`]
//! creates the folder and files, and removes the folder again if a write fails.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use crate::config::Config;
use crate::error::{Error, Result};

/// The rule set a package started today is judged by: the guide as rewritten in 2024-11.
pub const NEW_RULESET: &str = "tssa-2024-11";

/// Marks every place the authors still have to write. The checker can flag these lines.
pub const TODO: &str = "TODO(tssa)";

/// Which path the package takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackagePath {
    /// The abbreviated (self-assessment) path.
    SelfAssessment,
    Joint,
}

impl PackagePath {
    pub fn name(self) -> &'static str {
        match self {
            PackagePath::SelfAssessment => "self",
            PackagePath::Joint => "joint",
        }
    }
}

/// One of the three documents a package can start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    SelfAssessment,
    JointAssessment,
    Summary,
}

impl Template {
    /// The guide file it is read from, within `<process>/guide/`.
    pub fn guide_file(self) -> &'static str {
        match self {
            Template::SelfAssessment => "self-assessment.md",
            Template::JointAssessment => "joint-assessment.md",
            Template::Summary => "joint-readme-template.md",
        }
    }
    /// The file it becomes in the package.
    pub fn package_file(self) -> &'static str {
        match self {
            Template::SelfAssessment => "self-assessment.md",
            Template::JointAssessment => "joint-assessment.md",
            Template::Summary => "README.md",
        }
    }
    fn builtin(self) -> &'static str {
        match self {
            Template::SelfAssessment => include_str!("new/self-assessment.md"),
            Template::JointAssessment => include_str!("new/joint-assessment.md"),
            Template::Summary => include_str!("new/joint-readme-template.md"),
        }
    }
    /// Normalised headings the transformed document must have, or the guide is not used.
    fn must_have(self) -> &'static [&'static str] {
        match self {
            Template::SelfAssessment => &["metadata", "overview", "self assessment use", "appendix"],
            Template::JointAssessment => &["metadata", "overview", "security analysis", "threat model"],
            Template::Summary => &["background", "recommendations"],
        }
    }
}

/// A file `tssa new` will write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// File name within the package folder.
    pub name: String,
    pub content: String,
    /// Where the outline came from: the guide file (from the root), or `built-in`.
    pub from: String,
}

/// What `tssa new` is about to create.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The package folder to create.
    pub dir: PathBuf,
    /// The same, from the root, `/`-separated.
    pub rel_dir: String,
    pub files: Vec<PlannedFile>,
}

/// Checks that `name` is a safe folder slug: lowercase ASCII letters, digits and single
/// hyphens, starting with a letter or digit. That rules out `..`, `/`, `\`, leading dots,
/// spaces and anything a shell or URL would need to quote.
pub fn validate_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        return Err("the package name is empty".to_owned());
    }
    if name.len() > 64 {
        return Err(format!("`{name}` is longer than 64 characters"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        let why = match bad {
            '/' | '\\' => "a path separator".to_owned(),
            '.' => "a dot".to_owned(),
            c if c.is_ascii_uppercase() => "an uppercase letter".to_owned(),
            c if c.is_whitespace() => "whitespace".to_owned(),
            c => format!("`{c}`"),
        };
        return Err(format!(
            "`{name}` contains {why}; use lowercase letters, digits and hyphens (like `my-project`)"
        ));
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Err(format!(
            "`{name}` must start and end with a letter or digit, with single hyphens between words"
        ));
    }
    Ok(())
}

/// Reads the guide's templates (or the built-in ones) and prepares the package. Refuses an
/// unsafe name or an existing folder; writes nothing.
pub fn plan(config: &Config, name: &str, path: PackagePath, today: &str) -> Result<Plan> {
    validate_name(name).map_err(|why| Error::Setup(format!("cannot create the package: {why}")))?;
    let rel_dir = if config.projects.is_empty() {
        name.to_owned()
    } else {
        format!("{}/{name}", config.projects)
    };
    let dir = config.root.join(&rel_dir);
    if dir.symlink_metadata().is_ok() {
        return Err(Error::Setup(format!(
            "`{rel_dir}` already exists; tssa new never overwrites a package (pick another name, or edit the existing one)"
        )));
    }
    let guide_rel = match config.process.as_deref() {
        None | Some("") => "guide".to_owned(),
        Some(process) => format!("{process}/guide"),
    };
    let guide_dir = config.root.join(&guide_rel);
    let ctx = Context {
        project: name,
        guide_prefix: relative_dir(&rel_dir, &guide_rel),
    };
    let templates: &[Template] = match path {
        PackagePath::SelfAssessment => &[Template::SelfAssessment],
        PackagePath::Joint => &[
            Template::SelfAssessment,
            Template::JointAssessment,
            Template::Summary,
        ],
    };
    let mut files = Vec::new();
    for &template in templates {
        let guide_file = guide_dir.join(template.guide_file());
        let from_guide = match read_guide(config, &guide_file) {
            Some(bytes) => {
                let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
                transform(template, &text, &ctx)
                    .map(|body| (body, format!("{guide_rel}/{}", template.guide_file())))
            }
            None => None,
        };
        let (body, from) = match from_guide {
            Some(found) => found,
            None => (
                transform(template, template.builtin(), &ctx).ok_or_else(|| {
                    Error::Setup(format!(
                        "the built-in {} outline is broken",
                        template.guide_file()
                    ))
                })?,
                "built-in".to_owned(),
            ),
        };
        let content = match template {
            Template::SelfAssessment => format!("{}{body}", front_matter(name, path, today)),
            Template::JointAssessment | Template::Summary => body,
        };
        files.push(PlannedFile {
            name: template.package_file().to_owned(),
            content,
            from,
        });
    }
    Ok(Plan { dir, rel_dir, files })
}

/// A guide template, if it is a file inside the root within `[limits] file_bytes`: a link
/// out of the root must not copy, say, a private key into the new package.
fn read_guide(config: &Config, path: &std::path::Path) -> Option<Vec<u8>> {
    let root = config.root.canonicalize().ok()?;
    if !path.canonicalize().ok()?.starts_with(&root) {
        return None;
    }
    crate::fsread::read_capped(path, config.limits.file_bytes).ok()
}

/// Creates the folder (which must not exist) and its files. On failure, removes what it
/// created, so a second attempt starts clean.
pub fn write(plan: &Plan) -> Result<()> {
    std::fs::create_dir(&plan.dir).map_err(|source| Error::Write {
        path: plan.dir.clone(),
        source,
    })?;
    let result = plan.files.iter().try_for_each(|file| {
        let path = plan.dir.join(&file.name);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| f.write_all(file.content.as_bytes()))
            .map_err(|source| Error::Write { path, source })
    });
    if result.is_err() {
        // We created this folder a moment ago; nothing else can be in it.
        let _ = std::fs::remove_dir_all(&plan.dir);
    }
    result
}

/// The package front matter, at the top of the self-assessment: the keys tssa knows, the
/// ones not yet known left as comments to fill in.
fn front_matter(name: &str, path: PackagePath, today: &str) -> String {
    let mut fm = String::from("---\n");
    let _ = writeln!(
        fm,
        "# Started with `tssa new` on {today}. tssa reads these keys; all are optional."
    );
    let _ = writeln!(fm, "project: {name}");
    let _ = writeln!(fm, "path: {}", path.name());
    fm.push_str("status: draft\n");
    let _ = writeln!(fm, "ruleset: {NEW_RULESET}");
    fm.push_str(
        "# cncf_maturity: sandbox        # sandbox | incubating | graduated | archived | non-cncf\n\
         # version_covered: v1.2.3       # the release, tag or commit this package covers\n\
         # latest_release: v1.2.3\n\
         # project_lead: Name (@handle)\n\
         # project_security_lead: Name (@handle)\n",
    );
    match path {
        PackagePath::SelfAssessment => fm.push_str(
            "# presentation:\n\
             #   issue: https://github.com/cncf/tag-security/issues/0000\n\
             #   date: YYYY-MM-DD\n\
             #   recording: https://www.youtube.com/watch?v=XXXX\n\
             #   slides: slides.pdf\n",
        ),
        PackagePath::Joint => fm.push_str(
            "# tracking_issue: https://github.com/cncf/toc/issues/0000\n\
             # completed: YYYY-MM-DD         # when the summary is merged\n\
             # presentation:\n\
             #   date: YYYY-MM-DD\n\
             #   recording: https://www.youtube.com/watch?v=XXXX\n\
             #   slides: slides.pdf\n\
             # reviewers:\n\
             #   - name: Name\n\
             #     github: handle\n\
             #     role: lead                # lead | reviewer\n\
             # survey: not-done              # not-done | in-folder | shared-privately\n\
             # co_chair_approvals: [handle]\n",
        ),
    }
    fm.push_str("---\n\n");
    fm
}

/// `projects/x` → `guide` relative path, with a trailing `/`: `../../guide/`.
fn relative_dir(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let to: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(from.len() - common);
    for part in &to[common..] {
        out.push_str(part);
        out.push('/');
    }
    out
}

struct Context<'a> {
    project: &'a str,
    /// From the package folder to the guide folder, for links kept from the guide.
    guide_prefix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Before the outline starts, or ignored.
    Other,
    /// A table of contents: kept (its links are anchors in the new document).
    Toc,
    /// Fixed text the process asks packages to keep (Self-assessment use).
    Boilerplate,
    Metadata,
}

/// Turns a guide outline into a package document. `None` when the text does not look like
/// the outline it should be (the caller then uses the built-in one).
fn transform(template: Template, text: &str, ctx: &Context<'_>) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let headings: Vec<(usize, u8, String)> = heading_lines(&lines);
    // Where the outline starts, and how heading levels map into the new document.
    let (start, title, shift): (usize, String, i16) = match template {
        Template::SelfAssessment => {
            let (i, level, _) = headings
                .iter()
                .find(|(_, _, t)| normalise(t).contains("outline"))?;
            (
                *i + 1,
                format!("# {} self-assessment", ctx.project),
                1 - i16::from(*level),
            )
        }
        Template::JointAssessment => {
            let (i, level, _) = headings.iter().find(|(_, _, t)| {
                let t = normalise(t);
                t.starts_with("joint assessment of") || t.starts_with("joint review of")
            })?;
            (
                *i + 1,
                format!("# Joint-assessment of {}", ctx.project),
                2 - i16::from(*level),
            )
        }
        Template::Summary => {
            let (i, _, t) = headings.iter().find(|(_, level, _)| *level == 1)?;
            (*i + 1, format!("# {}", substitute(t.trim(), ctx.project)), 0)
        }
    };
    let has_version_line = lines
        .iter()
        .any(|l| label_of(l).is_some_and(|(label, _)| is_version_label(&label)));

    let mut doc = Doc {
        blocks: vec![title],
        ..Doc::default()
    };
    let mut part = Part::Other;
    let mut heading_text = String::new();
    let mut fence: Option<&str> = None;
    let mut in_comment = false;
    let mut table: Vec<&str> = Vec::new();
    for line in &lines[start..] {
        let trimmed = line.trim();
        if let Some(marker) = fence {
            doc.guidance.push((*line).to_owned());
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if in_comment {
            in_comment = !line.contains("-->");
            continue;
        }
        // The guide's own comments are notes to its editors (lint switches): dropped.
        if let Some(rest) = trimmed.strip_prefix("<!--") {
            in_comment = !rest.contains("-->");
            continue;
        }
        if trimmed.starts_with('|') {
            doc.flush_para();
            table.push(trimmed);
            continue;
        }
        if !table.is_empty() {
            doc.table(&table, part, ctx);
            table.clear();
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(if trimmed.starts_with("```") { "```" } else { "~~~" });
            doc.guidance.push((*line).to_owned());
            continue;
        }
        if let Some((level, text)) = heading(line) {
            let level = (i16::from(level) + shift).clamp(2, 6) as u8;
            doc.end_section(&heading_text, ctx, Some(level));
            let text = substitute(text.trim(), ctx.project);
            doc.blocks
                .push(format!("{} {text}", "#".repeat(usize::from(level))));
            doc.level = level;
            doc.content = false;
            heading_text = text.clone();
            part = match normalise(&text).as_str() {
                "table of contents" => Part::Toc,
                "self assessment use" | "joint assessment use" | "joint review use" => Part::Boilerplate,
                "metadata" => Part::Metadata,
                _ => Part::Other,
            };
            continue;
        }
        match part {
            Part::Toc | Part::Boilerplate => {
                if trimmed.is_empty() {
                    doc.flush_para();
                } else {
                    let kept = if part == Part::Boilerplate {
                        strip_italics(line)
                    } else {
                        line.trim_end()
                    };
                    doc.para
                        .push(rewrite_links(&substitute(kept, ctx.project), &ctx.guide_prefix));
                }
            }
            Part::Other | Part::Metadata => {
                if let Some(filled) = template_line(template, trimmed) {
                    doc.flush_guidance(&heading_text, ctx);
                    let is_completed =
                        label_of(trimmed).is_some_and(|(l, _)| l == "completed" || l == "date completed");
                    // Bullet lines (`* Source code:`, `* Web site:`) stay one list.
                    match doc.blocks.last_mut() {
                        Some(last)
                            if filled.starts_with("* ") && last.starts_with("* ") && last.contains(TODO) =>
                        {
                            last.push('\n');
                            last.push_str(&filled);
                        }
                        _ => doc.blocks.push(filled),
                    }
                    doc.content = true;
                    // The process asks the summary to name the version covered; the guide's
                    // template has no line for it.
                    if is_completed && !has_version_line {
                        doc.blocks.push(format!("Version covered: {TODO}"));
                    }
                } else if trimmed == "*" || trimmed == "-" {
                    if doc
                        .blocks
                        .last()
                        .is_none_or(|b| !b.ends_with(&format!("* {TODO}")))
                    {
                        doc.flush_guidance(&heading_text, ctx);
                        doc.blocks.push(format!("* {TODO}"));
                        doc.content = true;
                    }
                } else {
                    doc.guidance.push((*line).to_owned());
                }
            }
        }
    }
    if !table.is_empty() {
        doc.table(&table, part, ctx);
    }
    doc.end_section(&heading_text, ctx, None);
    let out = doc.blocks.join("\n\n") + "\n";
    let found: Vec<String> = heading_lines(&out.lines().collect::<Vec<_>>())
        .into_iter()
        .map(|(_, _, t)| normalise(&t))
        .collect();
    template
        .must_have()
        .iter()
        .all(|h| found.iter().any(|f| f == h))
        .then_some(out)
}

/// The document being built: blocks separated by blank lines.
#[derive(Default)]
struct Doc {
    blocks: Vec<String>,
    /// Guide text of the current section, to go into a comment.
    guidance: Vec<String>,
    /// A visible paragraph being collected (boilerplate, table of contents).
    para: Vec<String>,
    /// Level of the current heading.
    level: u8,
    /// Whether the current section has visible content yet.
    content: bool,
}

impl Doc {
    fn flush_para(&mut self) {
        if !self.para.is_empty() {
            self.blocks.push(std::mem::take(&mut self.para).join("\n"));
            self.content = true;
        }
    }

    /// The guide's instructions as a comment, then the line the authors must replace.
    fn flush_guidance(&mut self, heading: &str, ctx: &Context<'_>) {
        if self.flush_comment(ctx.project) {
            self.blocks.push(todo_line(heading, ctx));
        }
    }

    /// The guide's instructions as a comment; whether there were any.
    fn flush_comment(&mut self, project: &str) -> bool {
        self.flush_para();
        let lines = std::mem::take(&mut self.guidance);
        let first = lines.iter().position(|l| !l.trim().is_empty());
        let last = lines.iter().rposition(|l| !l.trim().is_empty());
        let (Some(first), Some(last)) = (first, last) else {
            return false;
        };
        let text = lines[first..=last]
            .join("\n")
            .replace("<!--", "&lt;!--")
            .replace("-->", "--&gt;");
        let text = substitute(&text, project);
        self.blocks.push(format!("<!-- What goes here:\n{text}\n-->"));
        self.content = true;
        true
    }

    /// Closes a section; a leaf section with nothing in it still gets its TODO line.
    fn end_section(&mut self, heading: &str, ctx: &Context<'_>, next_level: Option<u8>) {
        self.flush_guidance(heading, ctx);
        self.flush_para();
        let leaf = next_level.is_none_or(|next| next <= self.level);
        if !heading.is_empty() && !self.content && leaf {
            self.blocks.push(todo_line(heading, ctx));
        }
    }

    /// A table with its header kept and its values to fill in. Example rows keep their
    /// first cell (the row's name); rows with nothing in them are dropped.
    fn table(&mut self, rows: &[&str], part: Part, ctx: &Context<'_>) {
        let is_separator = |row: &str| row.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'));
        let Some(header) = rows.first() else { return };
        if rows.get(1).is_none_or(|r| !is_separator(r)) {
            // Not a table after all (no delimiter row): guide text.
            self.guidance.extend(rows.iter().map(|r| (*r).to_owned()));
            return;
        }
        // The table's own values say what to fill in; the notes before it need no TODO.
        self.flush_comment(ctx.project);
        let header = cells(header);
        let width = header.len().max(2);
        let mut out = vec![row(
            &header
                .iter()
                .map(|c| substitute(c, ctx.project))
                .collect::<Vec<_>>(),
            width,
        )];
        out.push(row(&vec!["--".to_owned(); width], width));
        for data in &rows[2..] {
            let data = cells(data);
            let key = data.first().map(|k| strip_emphasis(k)).unwrap_or_default();
            if key.is_empty() {
                continue;
            }
            let value = if part == Part::Metadata {
                metadata_value(&key)
            } else {
                TODO.to_owned()
            };
            let mut filled = vec![substitute(&key, ctx.project)];
            filled.extend(std::iter::repeat_n(value, width - 1));
            out.push(row(&filled, width));
        }
        self.blocks.push(out.join("\n"));
        self.content = true;
    }
}

fn todo_line(heading: &str, ctx: &Context<'_>) -> String {
    let n = normalise(heading);
    if n == "hands on assessment" {
        return format!(
            "{TODO}: say in bold whether a hands-on assessment of {} was done, and fill in the parts below if it was.",
            ctx.project
        );
    }
    if heading.is_empty() {
        return format!("{TODO}: write this part for {}.", ctx.project);
    }
    format!(
        "{TODO}: write the {heading} section for {} (the guide's notes are in the comment above).",
        ctx.project
    )
}

/// The value a new package's metadata row starts with.
fn metadata_value(key: &str) -> String {
    let hint = match normalise(key).as_str() {
        "assessment stage" => return "Incomplete".to_owned(),
        "software" => "link to the repository",
        "security provider" => "Yes or No, and why",
        "languages" => "the languages of the code",
        "sbom" => "link to the SBOM or dependency manifest",
        _ => return TODO.to_owned(),
    };
    format!("{TODO}: {hint}")
}

fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

fn row(cells: &[String], width: usize) -> String {
    let mut out = String::from("|");
    for i in 0..width {
        match cells.get(i).map(String::as_str).filter(|c| !c.is_empty()) {
            Some(cell) => {
                out.push(' ');
                out.push_str(cell);
                out.push_str(" |");
            }
            None => out.push_str(" |"),
        }
    }
    out
}

/// A filled-in version of a summary template line (`Completed:`, `**Design**:`), or `None`
/// for guide text.
fn template_line(template: Template, line: &str) -> Option<String> {
    if template != Template::Summary {
        return None;
    }
    if let Some(rest) = line.strip_prefix("**")
        && let Some((label, after)) = rest.split_once("**")
        && (label.ends_with(':') || after.starts_with(':'))
    {
        let label = label.trim_end_matches(':');
        return Some(format!("**{label}**: {TODO}"));
    }
    let (label, bullet) = label_of(line)?;
    let written = line.trim_start_matches(['*', '-']).trim_start();
    let written_label = written.split_once(':').map_or(written, |(l, _)| l).trim();
    let value = if label == "completed" || label == "date completed" {
        "tbd".to_owned()
    } else {
        TODO.to_owned()
    };
    Some(format!(
        "{}{written_label}: {value}",
        if bullet { "* " } else { "" }
    ))
}

/// `Completed:  dd MMM yyyy` or `* Source code: _url_` → (`completed`, bullet?). Only short
/// labels followed by a placeholder (or nothing) count, so prose with a colon stays prose.
fn label_of(line: &str) -> Option<(String, bool)> {
    let t = line.trim();
    let bullet = t.starts_with("* ") || t.starts_with("- ");
    let t = if bullet { &t[2..] } else { t };
    let (label, value) = t.split_once(':')?;
    let words = label.split_whitespace().count();
    let plain = label
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '(' | ')' | '/' | '-'));
    if !(1..=4).contains(&words) || !plain || !label.starts_with(|c: char| c.is_uppercase()) {
        return None;
    }
    let value = value.trim();
    let placeholder = value.is_empty()
        || value.starts_with('_')
        || value.starts_with('*')
        || value.to_ascii_lowercase().contains("yyyy")
        || value.to_ascii_lowercase().starts_with("todo");
    placeholder.then(|| (normalise(label), bullet))
}

fn is_version_label(label: &str) -> bool {
    matches!(
        label,
        "version covered" | "project version reviewed" | "version reviewed" | "release covered"
    )
}

/// Every ATX heading with its line index, level and text, outside fenced code.
fn heading_lines(lines: &[&str]) -> Vec<(usize, u8, String)> {
    let mut out = Vec::new();
    let mut fence = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
            continue;
        }
        if !fence && let Some((level, text)) = heading(line) {
            out.push((i, level, text.to_owned()));
        }
    }
    out
}

fn heading(line: &str) -> Option<(u8, &str)> {
    if line.starts_with("    ") {
        return None;
    }
    let t = line.trim_start();
    let hashes = t.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &t[hashes..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    let text = rest.trim().trim_end_matches('#').trim();
    Some((hashes as u8, text))
}

/// Lowercase, emphasis and punctuation dropped, hyphens as spaces: `**Self-assessment use**` →
/// `self assessment use`.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '-' | '_' | ' ' | '\t' if !out.ends_with(' ') && !out.is_empty() => out.push(' '),
            '-' | '_' | ' ' | '\t' => {}
            c if c.is_alphanumeric() || c == '[' || c == ']' => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

fn strip_emphasis(text: &str) -> String {
    text.trim()
        .trim_matches(|c| c == '*' || c == '_')
        .trim()
        .to_owned()
}

/// Boilerplate written as an italic placeholder (`_This self-assessment …_`) is kept as plain
/// text.
fn strip_italics(line: &str) -> &str {
    let t = line.trim_end();
    let t = t.strip_prefix('_').unwrap_or(t);
    t.strip_suffix('_').unwrap_or(t)
}

/// `[project]`, `[Project]`, `[Project Name]` → the project's name; a `[project](…)` link is
/// text and stays.
fn substitute(text: &str, project: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let close = after.find(']');
        let matched = close.and_then(|c| {
            let inner = after[1..c].to_ascii_lowercase();
            let linked = matches!(after.as_bytes().get(c + 1), Some(b'(' | b'['));
            (!linked && (inner == "project" || inner == "project name")).then_some(c)
        });
        match matched {
            Some(c) => {
                out.push_str(project);
                rest = &after[c + 1..];
            }
            None => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Relative links in kept guide text pointed at files beside the guide; from the package
/// folder they need the path to the guide in front.
fn rewrite_links(text: &str, guide_prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find("](") {
        out.push_str(&rest[..p + 2]);
        let after = &rest[p + 2..];
        let end = after.find(')').unwrap_or(after.len());
        let dest = &after[..end];
        let scheme = dest
            .split_once(':')
            .is_some_and(|(s, _)| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '+'));
        if dest.is_empty() || dest.starts_with('#') || dest.starts_with('/') || scheme {
            out.push_str(dest);
        } else {
            out.push_str(guide_prefix);
            out.push_str(dest.trim_start_matches("./"));
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context<'static> {
        Context {
            project: "tidepool",
            guide_prefix: "../../guide/".to_owned(),
        }
    }

    fn headings(text: &str) -> Vec<String> {
        heading_lines(&text.lines().collect::<Vec<_>>())
            .into_iter()
            .map(|(_, l, t)| format!("{l} {}", normalise(&t)))
            .collect()
    }

    #[test]
    fn names() {
        for ok in ["tidepool", "my-project", "k8s", "a", "0x1"] {
            assert_eq!(validate_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "..",
            "../x",
            "a/b",
            "a\\b",
            ".hidden",
            "My-Project",
            "a b",
            "-a",
            "a-",
            "a--b",
            "a.b",
            "é",
        ] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
        assert!(validate_name(&"a".repeat(65)).is_err());
        assert!(
            validate_name("a/b")
                .err()
                .unwrap_or_default()
                .contains("path separator")
        );
    }

    #[test]
    fn builtin_self_assessment_has_every_section_and_row() {
        let out = transform(
            Template::SelfAssessment,
            Template::SelfAssessment.builtin(),
            &ctx(),
        )
        .unwrap_or_default();
        let h = headings(&out);
        let expected = [
            "1 tidepool self assessment",
            "2 table of contents",
            "2 metadata",
            "3 security links",
            "2 overview",
            "3 background",
            "3 actors",
            "3 actions",
            "3 goals",
            "3 non goals",
            "2 self assessment use",
            "2 security functions and features",
            "2 project compliance",
            "2 secure development practices",
            "2 security issue resolution",
            "2 appendix",
        ];
        assert_eq!(h, expected);
        for row in [
            "| Assessment Stage | Incomplete |",
            "| Software | TODO(tssa): link to the repository |",
            "| Security Provider |",
            "| Languages |",
            "| SBOM |",
        ] {
            assert!(out.contains(row), "{row} in\n{out}");
        }
        assert!(!out.to_lowercase().contains("[project]"), "{out}");
        assert!(out.contains("This self-assessment was written by the tidepool team"));
        assert!(!out.contains("\n_This"));
        // Guidance is hidden; each part to write has its TODO.
        assert!(out.contains("<!-- What goes here:\n_A short, memorable"));
        assert!(out.contains("TODO(tssa): write the Actors section for tidepool"));
    }

    #[test]
    fn builtin_joint_assessment_keeps_the_outline() {
        let out = transform(
            Template::JointAssessment,
            Template::JointAssessment.builtin(),
            &ctx(),
        )
        .unwrap_or_default();
        let h = headings(&out);
        for want in [
            "1 joint assessment of tidepool",
            "2 metadata",
            "3 security links",
            "2 joint assessment use",
            "2 intended use",
            "2 project design",
            "3 functions and features",
            "4 security functions and features",
            "2 configuration and set up",
            "3 existing audits",
            "3 attacker motivations",
            "3 compensating mechanisms",
            "2 threat model",
            "3 closed security issues and vulnerabilities",
            "2 hands on assessment",
            "3 findings",
            "2 roadmap",
            "2 appendix",
        ] {
            assert!(h.iter().any(|x| x == want), "{want} in {h:?}");
        }
        assert!(
            out.contains(
                "| Victim components | Attacker position |\n| -- | -- |\n| Component | TODO(tssa) |"
            ),
            "{out}"
        );
        assert!(out.contains(
            "| Finding Number | Finding name | Finding Notes | Reviewer |\n| -- | -- | -- | -- |\n\n"
        ));
        assert!(out.contains("TODO(tssa): say in bold whether a hands-on assessment of tidepool was done"));
    }

    #[test]
    fn builtin_summary_has_every_line() {
        let out = transform(Template::Summary, Template::Summary.builtin(), &ctx()).unwrap_or_default();
        for line in [
            "# tidepool TAG-Security Security Assessment",
            "\nCompleted: tbd\n",
            "\nVersion covered: TODO(tssa)\n",
            "\nSecurity reviewers: TODO(tssa)\n",
            "\nProject security lead: TODO(tssa)\n",
            "\n* Source code: TODO(tssa)\n",
            "\n**Design**: TODO(tssa)\n",
            "### CNCF recommendations\n\n<!-- What goes here:\n* _What the CNCF could do._\n-->\n\nTODO(tssa): write the CNCF recommendations section",
            "### Additional recommendations",
            "\nTracking issue: TODO(tssa)\n",
        ] {
            assert!(out.contains(line), "{line:?} in\n{out}");
        }
        assert_eq!(out.matches("Version covered").count(), 1);
    }

    #[test]
    fn summary_template_lines_are_filled_in() {
        let guide = "# [Project Name] TAG-Security Security Assessment\n\nCompleted:  dd MMM yyyy\n\nSecurity reviewers: _list names_\n\n* Source code: _url to repo_\n* Web site: _url_\n\n## Background\n\n_Brief._\n\n## Summary\n\n**Design**:\n\n## Recommendations\n\n### CNCF recommendations\n\n*\n*\n\nTracking issue: _link to issue for assessment_\n";
        let out = transform(Template::Summary, guide, &ctx()).unwrap_or_default();
        let expected = "# tidepool TAG-Security Security Assessment\n\nCompleted: tbd\n\nVersion covered: TODO(tssa)\n\nSecurity reviewers: TODO(tssa)\n\n* Source code: TODO(tssa)\n* Web site: TODO(tssa)\n\n## Background\n\n<!-- What goes here:\n_Brief._\n-->\n\nTODO(tssa): write the Background section for tidepool (the guide's notes are in the comment above).\n\n## Summary\n\n**Design**: TODO(tssa)\n\n## Recommendations\n\n### CNCF recommendations\n\n* TODO(tssa)\n\nTracking issue: TODO(tssa)\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn guide_text_is_commented_and_links_rewritten() {
        let guide = "# Joint\n\nintro\n\n## Joint-assessment of [Project]\n\n## Metadata\n\n<!-- lint -->\n\n|   |  |\n| -- | -- |\n| Software | A link. |\n| | |\n\n## Overview\n\nOne or two sentences --> with <!-- odd --> marks.\n\n```\ncode\n```\n\n## Joint-assessment use\n\nSee the [guide](./README.md), [site](https://x.org) and [top](#metadata).\n\n## Security Analysis\n\n### Attacker Motivations\n\n## Threat Model\n";
        let out = transform(Template::JointAssessment, guide, &ctx()).unwrap_or_default();
        assert!(out.starts_with("# Joint-assessment of tidepool\n\n## Metadata\n\n| | |\n| -- | -- |\n| Software | TODO(tssa): link to the repository |\n\n## Overview"), "{out}");
        assert!(out.contains("<!-- What goes here:\nOne or two sentences --&gt; with &lt;!-- odd --&gt; marks.\n\n```\ncode\n```\n-->"), "{out}");
        assert!(
            out.contains(
                "See the [guide](../../guide/README.md), [site](https://x.org) and [top](#metadata)."
            ),
            "{out}"
        );
        assert!(!out.contains("lint"));
        // Leaf sections with nothing to keep still say what to do.
        assert!(
            out.contains("### Attacker Motivations\n\nTODO(tssa): write the Attacker Motivations section"),
            "{out}"
        );
        assert!(
            !out.contains("## Security Analysis\n\nTODO"),
            "a parent with sub-sections needs no TODO of its own"
        );
    }

    #[test]
    fn unusable_guides_are_refused() {
        assert_eq!(
            transform(
                Template::SelfAssessment,
                "# Self-assessment\n\nNo outline here.\n",
                &ctx()
            ),
            None
        );
        assert_eq!(
            transform(Template::JointAssessment, "## Metadata\n", &ctx()),
            None
        );
    }

    #[test]
    fn placeholders_and_paths() {
        assert_eq!(
            substitute("[project]'s [Project Name], [project](x), [other]", "tp"),
            "tp's tp, [project](x), [other]"
        );
        assert_eq!(
            relative_dir("community/assessments/projects/x", "community/assessments/guide"),
            "../../guide/"
        );
        assert_eq!(relative_dir("projects/x", "guide"), "../../guide/");
        assert_eq!(
            label_of("Completed:  dd MMM yyyy"),
            Some(("completed".to_owned(), false))
        );
        assert_eq!(label_of("* Web site: _url_"), Some(("web site".to_owned(), true)));
        assert_eq!(label_of("For example: the access server receives"), None);
        assert_eq!(label_of("Completed: 2020-05"), None);
    }

    #[test]
    fn front_matter_uses_known_keys_only() {
        let fm = front_matter("tidepool", PackagePath::Joint, "2025-06-01");
        let keys: Vec<&str> = fm
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("---") && !l.trim().is_empty())
            .filter_map(|l| l.split_once(':').map(|(k, _)| k))
            .collect();
        assert_eq!(keys, ["project", "path", "status", "ruleset"]);
        for key in fm
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter_map(|l| l.split_once(':').map(|(k, _)| k))
        {
            if !key.contains(' ') {
                assert!(crate::parse::frontmatter::KEYS.contains(&key), "{key}");
            }
        }
        assert!(fm.contains("2025-06-01"));
    }
}
