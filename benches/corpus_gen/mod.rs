//! A synthetic assessments repository for the benchmarks: N project folders of realistic
//! documents laid out like `cncf/tag-security`, written deterministically from a seed.
//!
//! No network and no `rand`: a xorshift64* generator, seeded per project, so project `i` is the
//! same bytes whatever N is (the 500-project corpus contains the 50-project one) and two runs
//! produce identical trees.
//!
//! What one project holds (proportions close to the acceptance corpus):
//! - always a `self-assessment.md` following the guide's outline (Metadata table, Security links,
//!   Overview with Background / Actors / Actions / Goals / Non-goals, Self-assessment use, Security
//!   functions and features, Project compliance, Secure development practices, Security issue
//!   resolution, Appendix), 300–800 lines; one in ten writes its metadata as an HTML table;
//! - ~15 % a summary `README.md` (`Completed:`, `Security reviewers:`, `Version covered:` …),
//!   ~10 % a `joint-assessment.md`, ~25 % a threat model, ~6 % `recommendations.md`;
//! - ~25 % of documents have fenced code blocks (yaml, go, sh, json);
//! - about half the projects have 1–4 PNG images (valid, 2–9 KB), some in `docs/` or `images/`,
//!   some with spaces in their names, all referenced from the documents;
//! - every 26th project is a group folder with two or three sub-projects (like `fluentd/`);
//! - links between sibling documents, to the guide and to other projects, with `#fragments` that
//!   exist (heading texts are plain ASCII, so their GitHub ids are easy to compute here).

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// The size of a generated tree.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Project folders directly under `projects/`.
    pub project_folders: usize,
    /// Assessment units (a group's sub-projects count one each, the group itself does not).
    pub units: usize,
    pub markdown_files: usize,
    pub markdown_lines: usize,
    pub markdown_bytes: u64,
    pub code_blocks: usize,
    pub images: usize,
    pub image_bytes: u64,
}

/// The default seed; any other gives a different but equally shaped corpus.
pub const SEED: u64 = 0x7553_5341_2024_0001;

/// Writes a corpus of `n_projects` project folders under `dir` (created if missing):
/// `dir/community/assessments/{README.md, intake-process.md, guide/*.md, projects/…}`.
pub fn generate(dir: &Path, n_projects: usize) -> io::Result<Stats> {
    generate_seeded(dir, n_projects, SEED)
}

pub fn generate_seeded(dir: &Path, n_projects: usize, seed: u64) -> io::Result<Stats> {
    let base = dir.join("community/assessments");
    let projects = base.join("projects");
    fs::create_dir_all(&projects).map_err(|e| at(&projects, e))?;
    let mut out = Writer {
        stats: Stats::default(),
    };

    let names: Vec<String> = (0..n_projects).map(project_name).collect();
    out.md(&base.join("README.md"), &process_readme(seed))?;
    out.md(&base.join("intake-process.md"), &intake_process(seed))?;
    for (file, text) in guide_docs(seed) {
        out.md(&base.join("guide").join(file), &text)?;
    }
    out.md(&projects.join("README.md"), &projects_index(&names))?;

    for (i, name) in names.iter().enumerate() {
        let mut rng = Rng::new(seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let folder = projects.join(name);
        out.stats.project_folders += 1;
        if i % 26 == 13 {
            // A group: only sub-folders, each its own unit (like fluentd/{fluentd,fluent-bit,plugins}).
            let subs = 2 + rng.below(2);
            for s in 0..subs {
                let sub = format!("{name}-{}", ["core", "agent", "plugins"][s]);
                let plan = Plan::for_project(&mut rng, &sub, &names, i, s == 0, true);
                write_project(&mut out, &mut rng, &folder.join(&sub), &plan)?;
            }
        } else {
            let plan = Plan::for_project(&mut rng, name, &names, i, true, false);
            write_project(&mut out, &mut rng, &folder, &plan)?;
        }
    }
    Ok(out.stats)
}

fn at(path: &Path, err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

struct Writer {
    stats: Stats,
}

impl Writer {
    fn md(&mut self, path: &Path, text: &str) -> io::Result<()> {
        self.stats.markdown_files += 1;
        self.stats.markdown_lines += text.lines().count();
        self.stats.markdown_bytes += text.len() as u64;
        self.stats.code_blocks += text.matches("\n```").count() / 2;
        write(path, text.as_bytes())
    }

    fn image(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        self.stats.images += 1;
        self.stats.image_bytes += bytes.len() as u64;
        write(path, bytes)
    }
}

fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| at(parent, e))?;
    }
    fs::write(path, bytes).map_err(|e| at(path, e))
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// xorshift64*: tiny, fast, good enough for text.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // Never zero; stir the seed once so neighbouring seeds diverge at once.
        let mut rng = Rng((seed ^ 0x2545_F491_4F6C_DD1D) | 1);
        rng.next();
        rng.next();
        rng
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

// ---------------------------------------------------------------------------------------------
// Names and vocabulary

const PREFIXES: [&str; 20] = [
    "lantern", "quarry", "beacon", "orbit", "tide", "ember", "harbor", "cinder", "flint", "kestrel",
    "meadow", "vault", "signal", "granite", "juniper", "cobalt", "falcon", "willow", "nimbus", "tundra",
];
const SUFFIXES: [&str; 26] = [
    "mesh", "stone", "log", "fleet", "pool", "guard", "gate", "flow", "keeper", "scope", "forge", "lens",
    "wire", "dock", "shield", "trace", "sync", "hub", "kit", "ctl", "store", "mind", "path", "bay", "cast",
    "line",
];

/// `i`-th project folder name: `lanternmesh`, `quarrymesh`, … then `lanternmesh-2` after 520.
pub fn project_name(i: usize) -> String {
    let base = format!(
        "{}{}",
        PREFIXES[i % PREFIXES.len()],
        SUFFIXES[(i / PREFIXES.len()) % SUFFIXES.len()]
    );
    let round = i / (PREFIXES.len() * SUFFIXES.len());
    if round == 0 {
        base
    } else {
        format!("{base}-{}", round + 1)
    }
}

fn display_name(slug: &str) -> String {
    let mut chars = slug.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars)
            .collect::<String>()
            .replace('-', " "),
        None => String::new(),
    }
}

const WORDS: [&str; 120] = [
    "the",
    "controller",
    "admission",
    "webhook",
    "cluster",
    "operator",
    "token",
    "certificate",
    "policy",
    "namespace",
    "workload",
    "sidecar",
    "proxy",
    "registry",
    "image",
    "signature",
    "attestation",
    "secret",
    "key",
    "rotation",
    "audit",
    "log",
    "event",
    "tenant",
    "node",
    "pod",
    "service",
    "account",
    "role",
    "binding",
    "scheduler",
    "plugin",
    "extension",
    "API",
    "server",
    "client",
    "request",
    "response",
    "channel",
    "stream",
    "queue",
    "broker",
    "storage",
    "volume",
    "snapshot",
    "backup",
    "replica",
    "leader",
    "election",
    "consensus",
    "network",
    "ingress",
    "egress",
    "gateway",
    "route",
    "mTLS",
    "handshake",
    "identity",
    "provider",
    "issuer",
    "trust",
    "bundle",
    "root",
    "chain",
    "boundary",
    "attacker",
    "threat",
    "mitigation",
    "risk",
    "impact",
    "exposure",
    "vulnerability",
    "disclosure",
    "maintainer",
    "release",
    "artifact",
    "provenance",
    "SBOM",
    "dependency",
    "build",
    "pipeline",
    "review",
    "test",
    "fuzzing",
    "coverage",
    "default",
    "configuration",
    "flag",
    "setting",
    "user",
    "operator",
    "administrator",
    "is",
    "are",
    "can",
    "must",
    "should",
    "may",
    "never",
    "always",
    "only",
    "when",
    "before",
    "after",
    "with",
    "without",
    "across",
    "between",
    "into",
    "from",
    "of",
    "to",
    "for",
    "and",
    "or",
    "a",
    "each",
    "every",
    "its",
    "this",
];

const PEOPLE: [&str; 16] = [
    "Ana Ribeiro",
    "Tomasz Nowak",
    "Priya Raman",
    "Jonas Berg",
    "Mei Tanaka",
    "Oluwaseun Adeyemi",
    "Lucía Fernández",
    "Henrik Dahl",
    "Sara Haddad",
    "Dmitri Volkov",
    "Grace Okafor",
    "Kenji Mori",
    "Isabel Costa",
    "Marek Svoboda",
    "Aisha Khan",
    "Noah Fischer",
];

const LANGUAGES: [&str; 9] = [
    "Go",
    "Rust",
    "Java",
    "Python",
    "TypeScript",
    "C",
    "C++",
    "Shell",
    "JavaScript",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_LONG: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn sentence(rng: &mut Rng, out: &mut String) {
    let n = rng.range(5, 13);
    for w in 0..n {
        let word = WORDS[rng.below(WORDS.len())];
        if w == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
            continue;
        }
        out.push(' ');
        match rng.below(40) {
            0 => {
                let _ = write!(out, "`{word}`");
            }
            1 => {
                let _ = write!(out, "**{word}**");
            }
            2 => {
                let _ = write!(out, "_{word}_");
            }
            3 => {
                let _ = write!(out, "[{word}](https://example.org/docs/{word})");
            }
            _ => out.push_str(word),
        }
    }
    out.push_str(if rng.chance(8) { ":" } else { "." });
}

fn paragraph_text(rng: &mut Rng, sentences: usize) -> String {
    let mut text = String::new();
    for s in 0..sentences {
        if s > 0 {
            text.push(' ');
        }
        sentence(rng, &mut text);
    }
    text
}

/// GitHub's heading id for the plain ASCII headings generated here.
fn slug(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
            ' ' => Some('-'),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Document writer

/// A Markdown document under construction, with the ids of its headings so far.
struct Doc {
    text: String,
    lines: usize,
}

impl Doc {
    fn new() -> Self {
        Doc {
            text: String::with_capacity(32 * 1024),
            lines: 0,
        }
    }

    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
        self.lines += 1;
    }

    fn blank(&mut self) {
        self.line("");
    }

    fn heading(&mut self, level: usize, text: &str) {
        let line = format!("{} {text}", "#".repeat(level));
        self.line(&line);
        self.blank();
    }

    /// A paragraph; half of them hard-wrapped at ~80 columns as many authors do.
    fn paragraph(&mut self, rng: &mut Rng, ctx: &Ctx) {
        let sentences = rng.range(1, 3);
        let mut text = paragraph_text(rng, sentences);
        if rng.chance(30)
            && let Some(link) = ctx.sibling_link(rng)
        {
            let _ = write!(text, " See {link} for details.");
        }
        if rng.chance(50) {
            let mut current = String::new();
            for word in text.split(' ') {
                if current.len() + word.len() > 80 && !current.is_empty() {
                    self.line(&current);
                    current.clear();
                }
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(word);
            }
            if !current.is_empty() {
                self.line(&current);
            }
        } else {
            self.line(&text);
        }
        self.blank();
    }

    fn list(&mut self, rng: &mut Rng, ctx: &Ctx) {
        let ordered = rng.chance(25);
        let items = rng.range(3, 8);
        for i in 0..items {
            let mut item = String::new();
            if rng.chance(30) {
                let _ = write!(item, "**{}**: ", display_name(WORDS[rng.below(WORDS.len())]));
            }
            sentence(rng, &mut item);
            if rng.chance(10)
                && let Some(link) = ctx.sibling_link(rng)
            {
                let _ = write!(item, " ({link})");
            }
            let marker = if ordered {
                format!("{}.", i + 1)
            } else {
                "-".to_owned()
            };
            self.line(&format!("{marker} {item}"));
            if rng.chance(15) {
                for _ in 0..rng.range(1, 3) {
                    let mut sub = String::new();
                    sentence(rng, &mut sub);
                    self.line(&format!("  {} {sub}", if ordered { "-" } else { "*" }));
                }
            }
        }
        self.blank();
    }

    fn table(&mut self, rng: &mut Rng, headers: &[&str]) {
        self.line(&format!("| {} |", headers.join(" | ")));
        self.line(&format!("|{}", " --- |".repeat(headers.len())));
        for _ in 0..rng.range(3, 7) {
            let cells: Vec<String> = headers
                .iter()
                .map(|_| {
                    let n = rng.range(1, 4);
                    (0..n)
                        .map(|_| WORDS[rng.below(WORDS.len())])
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            self.line(&format!("| {} |", cells.join(" | ")));
        }
        self.blank();
    }

    fn quote(&mut self, rng: &mut Rng) {
        let sentences = rng.range(1, 3);
        let text = paragraph_text(rng, sentences);
        self.line(&format!("> {text}"));
        self.blank();
    }

    fn code(&mut self, rng: &mut Rng, name: &str) {
        let lang = ["yaml", "go", "sh", "json", "yaml", "sh"][rng.below(6)];
        let body = match lang {
            "yaml" => yaml_block(rng, name),
            "go" => go_block(rng, name),
            "sh" => sh_block(rng, name),
            _ => json_block(rng, name),
        };
        self.line(&format!("```{lang}"));
        for line in body.lines() {
            self.line(line);
        }
        self.line("```");
        self.blank();
    }

    fn image(&mut self, alt: &str, src: &str) {
        let src = if src.contains(' ') {
            format!("<{src}>")
        } else {
            src.to_owned()
        };
        self.line(&format!("![{alt}]({src})"));
        self.blank();
    }
}

fn yaml_block(rng: &mut Rng, name: &str) -> String {
    let mut s = format!(
        "apiVersion: {name}.example.io/v1\nkind: {}\nmetadata:\n  name: {name}-{}\n  namespace: {name}-system\nspec:\n",
        ["Policy", "Config", "Deployment", "TrustBundle"][rng.below(4)],
        rng.below(100)
    );
    for _ in 0..rng.range(3, 14) {
        let key = WORDS[rng.below(WORDS.len())].to_lowercase();
        let _ = match rng.below(3) {
            0 => writeln!(s, "  {key}: {}", rng.chance(50)),
            1 => writeln!(s, "  {key}: {}", rng.below(65_536)),
            _ => writeln!(
                s,
                "  {key}:\n    - \"{}\"\n    - \"{}\"",
                WORDS[rng.below(120)],
                WORDS[rng.below(120)]
            ),
        };
    }
    s
}

fn go_block(rng: &mut Rng, name: &str) -> String {
    let pkg = name.replace('-', "");
    let mut s = format!(
        "package {pkg}\n\nimport (\n\t\"context\"\n\t\"fmt\"\n)\n\n// Verify checks a {} before it is admitted.\nfunc Verify(ctx context.Context, req *Request) error {{\n",
        WORDS[rng.below(WORDS.len())]
    );
    for i in 0..rng.range(3, 12) {
        let _ = writeln!(
            s,
            "\tif req.{}{i} == nil {{\n\t\treturn fmt.Errorf(\"missing %s\", \"{}\")\n\t}}",
            display_name(WORDS[rng.below(WORDS.len())]).replace(' ', ""),
            WORDS[rng.below(WORDS.len())]
        );
    }
    s.push_str("\treturn nil\n}\n");
    s
}

fn sh_block(rng: &mut Rng, name: &str) -> String {
    let mut s = String::new();
    for _ in 0..rng.range(2, 8) {
        let _ = match rng.below(4) {
            0 => writeln!(
                s,
                "$ kubectl apply -f https://github.com/{name}/{name}/releases/download/v1.{}.0/install.yaml",
                rng.below(20)
            ),
            1 => writeln!(
                s,
                "$ cosign verify --key cosign.pub ghcr.io/{name}/{name}:v{}.{}.{}",
                rng.below(3),
                rng.below(30),
                rng.below(10)
            ),
            2 => writeln!(
                s,
                "$ {name} --log-level=debug --{} | grep -v \"{}\"",
                WORDS[rng.below(120)].to_lowercase(),
                WORDS[rng.below(120)]
            ),
            _ => writeln!(
                s,
                "export {}_TOKEN=\"$(cat /var/run/secrets/{name}/token)\"",
                name.to_uppercase().replace('-', "_")
            ),
        };
    }
    s
}

fn json_block(rng: &mut Rng, name: &str) -> String {
    let mut s = format!(
        "{{\n  \"name\": \"{name}\",\n  \"version\": \"{}.{}.{}\",\n  \"rules\": [\n",
        rng.below(3),
        rng.below(30),
        rng.below(10)
    );
    let n = rng.range(2, 6);
    for i in 0..n {
        let _ = writeln!(
            s,
            "    {{ \"id\": {i}, \"effect\": \"{}\", \"subject\": \"{}\" }}{}",
            if rng.chance(50) { "allow" } else { "deny" },
            WORDS[rng.below(WORDS.len())],
            if i + 1 < n { "," } else { "" }
        );
    }
    s.push_str("  ]\n}\n");
    s
}

// ---------------------------------------------------------------------------------------------
// Project plans

/// What one unit's folder holds, decided up front so documents can link to each other.
struct Plan {
    slug: String,
    name: String,
    self_assessment: bool,
    readme: bool,
    joint: bool,
    /// Path of the threat model within the unit, if any.
    threat_model: Option<&'static str>,
    recommendations: bool,
    /// Image paths within the unit.
    images: Vec<String>,
    /// Another project's folder name, for cross-project links (`../other/self-assessment.md`).
    neighbour: Option<String>,
    /// Depth of the unit below `projects/` (1, or 2 in a group).
    depth: usize,
}

impl Plan {
    fn for_project(
        rng: &mut Rng,
        slug: &str,
        names: &[String],
        index: usize,
        self_assessment: bool,
        in_group: bool,
    ) -> Plan {
        let joint = !in_group && rng.chance(10);
        let readme = in_group || joint || rng.chance(12);
        let threat_model = rng.chance(25).then(|| {
            [
                "threat-model.md",
                "docs/threat-model.md",
                "threat-modeling.md",
                "docs/stride-threat-model.md",
            ][rng.below(4)]
        });
        let recommendations = rng.chance(6);
        let mut images = Vec::new();
        if rng.chance(50) {
            for k in 0..rng.range(1, 4) {
                let dir = ["", "docs/", "images/", ""][rng.below(4)];
                let file = match rng.below(6) {
                    0 => format!("{} High-Level Architecture {k}.png", display_name(slug)),
                    1 => format!("arch-{k}.png"),
                    2 => format!("image{k}.png"),
                    3 => format!("data-flow-{k}.png"),
                    4 => format!("components_{k}.png"),
                    _ => format!("trust-boundaries-{k}.png"),
                };
                images.push(format!("{dir}{file}"));
            }
        }
        // Another plain (non-group) project to link to.
        let other = rng.below(names.len().max(1));
        let neighbour = (!in_group && other != index && other % 26 != 13 && other < names.len())
            .then(|| names[other].clone());
        Plan {
            slug: slug.to_owned(),
            name: display_name(slug),
            self_assessment,
            readme,
            joint,
            threat_model,
            recommendations,
            images,
            neighbour,
            depth: if in_group { 2 } else { 1 },
        }
    }
}

/// What a document may link to: its siblings' headings, the guide and a neighbour project.
struct Ctx<'a> {
    plan: &'a Plan,
    /// A heading of the document itself, for `#fragment` links within the page.
    own: Option<&'static str>,
    /// The document's own folder within the unit (`""` or `docs/`), for relative paths.
    dir: &'a str,
}

impl Ctx<'_> {
    fn up(&self) -> String {
        "../".repeat(self.dir.matches('/').count())
    }

    fn sibling_link(&self, rng: &mut Rng) -> Option<String> {
        let up = self.up();
        let to_guide = "../".repeat(self.plan.depth + 1 + self.dir.matches('/').count());
        let plan = self.plan;
        let choice = rng.below(8);
        let link = match choice {
            0 if plan.self_assessment => {
                let h = SELF_SECTIONS[rng.below(SELF_SECTIONS.len())].1;
                format!("[the self-assessment]({up}self-assessment.md#{})", slug(h))
            }
            1 if plan.readme => format!(
                "[the summary]({up}README.md#{})",
                slug(README_SECTIONS[rng.below(README_SECTIONS.len())])
            ),
            2 if plan.joint => format!(
                "[the joint assessment]({up}joint-assessment.md#{})",
                slug(JOINT_SECTIONS[rng.below(JOINT_SECTIONS.len())].1)
            ),
            3 => match plan.threat_model {
                Some(tm) => format!(
                    "[the threat model]({up}{tm}#{})",
                    slug(THREAT_SECTIONS[rng.below(THREAT_SECTIONS.len())])
                ),
                None => return None,
            },
            4 if plan.depth > 0 => format!(
                "[the guide]({to_guide}guide/self-assessment.md#{})",
                slug(GUIDE_SELF_HEADINGS[rng.below(GUIDE_SELF_HEADINGS.len())])
            ),
            5 => "[the process](/community/assessments/guide/README.md#process-overview)".to_owned(),
            6 => match &plan.neighbour {
                Some(other) if plan.depth == 1 => format!(
                    "[{}'s self-assessment]({up}../{other}/self-assessment.md#overview)",
                    display_name(other)
                ),
                _ => return None,
            },
            7 => match self.own {
                Some(heading) => format!("[{heading}](#{})", slug(heading)),
                None => return None,
            },
            _ => return None,
        };
        Some(link)
    }
}

fn write_project(out: &mut Writer, rng: &mut Rng, folder: &Path, plan: &Plan) -> io::Result<()> {
    out.stats.units += 1;
    // Images are spread over the documents that exist; the self-assessment takes the rest.
    let mut images: Vec<&str> = plan.images.iter().map(String::as_str).collect();
    let mut take_images = |n: usize| -> Vec<&str> {
        let k = n.min(images.len());
        images.drain(..k).collect()
    };
    if let Some(tm) = plan.threat_model {
        let dir = tm.rsplit_once('/').map_or("", |(d, _)| &tm[..d.len() + 1]);
        let mine = take_images(1);
        let text = threat_model(
            rng,
            plan,
            &Ctx {
                plan,
                own: Some("Mitigations"),
                dir,
            },
            &mine,
        );
        out.md(&folder.join(tm), &text)?;
    }
    if plan.joint {
        let mine = take_images(1);
        out.md(
            &folder.join("joint-assessment.md"),
            &joint_assessment(rng, plan, &mine),
        )?;
    }
    if plan.readme {
        out.md(&folder.join("README.md"), &summary_readme(rng, plan))?;
    }
    if plan.recommendations {
        out.md(&folder.join("recommendations.md"), &recommendations(rng, plan))?;
    }
    let rest = take_images(usize::MAX);
    if plan.self_assessment {
        out.md(
            &folder.join("self-assessment.md"),
            &self_assessment(rng, plan, &rest),
        )?;
    }
    for (k, image) in plan.images.iter().enumerate() {
        let bytes = png(rng.range(24, 64), rng.range(24, 48), rng.next() ^ k as u64);
        out.image(&folder.join(image), &bytes)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The documents

/// (level, heading, weight of the section in the line budget)
const SELF_SECTIONS: [(usize, &str, usize); 22] = [
    (2, "Metadata", 0),
    (3, "Security links", 0),
    (2, "Overview", 2),
    (3, "Background", 4),
    (3, "Actors", 5),
    (3, "Actions", 5),
    (3, "Goals", 2),
    (3, "Non-goals", 2),
    (2, "Self-assessment use", 1),
    (2, "Security functions and features", 4),
    (2, "Project compliance", 1),
    (2, "Secure development practices", 2),
    (3, "Development Pipeline", 3),
    (3, "Communication Channels", 2),
    (3, "Ecosystem", 2),
    (2, "Security issue resolution", 1),
    (3, "Responsible Disclosures Process", 2),
    (3, "Incident Response", 2),
    (2, "Appendix", 1),
    (3, "Known Issues Over Time", 2),
    (3, "OpenSSF Best Practices", 1),
    (3, "Case Studies", 2),
];

fn self_assessment(rng: &mut Rng, plan: &Plan, images: &[&str]) -> String {
    let ctx = Ctx {
        plan,
        own: Some("Security links"),
        dir: "",
    };
    let name = &plan.name;
    let mut doc = Doc::new();
    if rng.chance(5) {
        doc.line("<!-- Generated from the TAG Security self-assessment template -->");
    }
    doc.heading(1, &format!("{name} Security Self-Assessment"));
    doc.paragraph(rng, &ctx);

    // Table of contents with in-page fragments, as many real documents have.
    if rng.chance(60) {
        doc.heading(2, "Table of Contents");
        for (level, heading, _) in SELF_SECTIONS {
            doc.line(&format!(
                "{}- [{heading}](#{})",
                "  ".repeat(level - 2),
                slug(heading)
            ));
        }
        doc.blank();
    }

    // 300–800 lines, skewed short as the real ones are (mean ~470).
    let target = rng.range(300, 800).min(rng.range(300, 800));
    let weights: usize = SELF_SECTIONS.iter().map(|s| s.2).sum();
    let mut images = images.iter();
    let with_code = rng.chance(25);
    let mut code_left = if with_code { rng.range(1, 4) } else { 0 };

    for (level, heading, weight) in SELF_SECTIONS {
        doc.heading(level, heading);
        match heading {
            "Metadata" => metadata_table(&mut doc, rng, plan),
            "Security links" => {
                doc.line("| Doc | url |");
                doc.line("| -- | -- |");
                let s = &plan.slug;
                doc.line(&format!(
                    "| Security file | [SECURITY.md](https://github.com/{s}/{s}/blob/main/SECURITY.md) |"
                ));
                doc.line(&format!("| Default and optional configs | [config reference](https://{s}.example.io/docs/config#defaults) |"));
                if rng.chance(50) {
                    doc.line(&format!("| Security insights | [SECURITY-INSIGHTS.yml](https://github.com/{s}/{s}/blob/main/SECURITY-INSIGHTS.yml) |"));
                }
                doc.blank();
            }
            "Actors" => {
                let budget = target * weight / weights;
                let start = doc.lines;
                let mut k = 0;
                while doc.lines - start < budget {
                    let actor = format!(
                        "{} {}",
                        display_name(WORDS[rng.below(WORDS.len())]),
                        ["Controller", "Agent", "API Server", "CLI", "Webhook", "Store"][k % 6]
                    );
                    doc.heading(4, &format!("{actor} {}", k + 1));
                    doc.paragraph(rng, &ctx);
                    if rng.chance(30) {
                        doc.list(rng, &ctx);
                    }
                    k += 1;
                }
            }
            _ => {
                let budget = (target * weight / weights).max(2);
                let start = doc.lines;
                while doc.lines - start < budget {
                    match rng.below(12) {
                        0..=4 => doc.paragraph(rng, &ctx),
                        5..=7 => doc.list(rng, &ctx),
                        8 => doc.table(rng, &["Threat", "Mitigation", "Status"]),
                        9 => doc.quote(rng),
                        10 if code_left > 0 => {
                            doc.code(rng, &plan.slug);
                            code_left -= 1;
                        }
                        _ => match images.next() {
                            Some(src) => doc.image(&format!("{name} diagram"), src),
                            None => doc.paragraph(rng, &ctx),
                        },
                    }
                }
            }
        }
    }
    for src in images {
        doc.image(&format!("{name} diagram"), src);
    }
    doc.text
}

fn metadata_table(doc: &mut Doc, rng: &mut Rng, plan: &Plan) {
    let stage = ["Incomplete", "Complete", "Draft", "In Progress", "Incomplete."][rng.below(5)];
    let s = &plan.slug;
    let provider = if rng.chance(40) {
        "Yes. It issues and verifies workload identities."
    } else {
        "No"
    };
    let mut langs: Vec<&str> = (0..rng.range(1, 4))
        .map(|_| LANGUAGES[rng.below(LANGUAGES.len())])
        .collect();
    langs.dedup();
    let langs = langs.join(", ");
    let sbom_label = if rng.chance(20) {
        "Software Bill of Materials"
    } else {
        "SBOM"
    };
    let sbom =
        format!("[SBOM in each release](https://github.com/{s}/{s}/releases) (SPDX, generated with syft)");
    let provider_label = if rng.chance(15) {
        "Security Provider?"
    } else {
        "Security Provider"
    };
    let rows = [
        ("Assessment Stage", stage.to_owned()),
        (
            "Software",
            format!("[https://github.com/{s}/{s}](https://github.com/{s}/{s})"),
        ),
        (provider_label, provider.to_owned()),
        ("Languages", langs),
        (sbom_label, sbom),
    ];
    if rng.chance(10) {
        doc.line("<table>");
        for (key, value) in rows {
            doc.line("  <tr>");
            doc.line(&format!("   <td>{key}</td>"));
            doc.line(&format!(
                "   <td>{}</td>",
                value.replace('[', "").replace("](", " (")
            ));
            doc.line("  </tr>");
        }
        doc.line("</table>");
    } else {
        doc.line("|   |  |");
        doc.line("| -- | -- |");
        for (key, value) in rows {
            doc.line(&format!("| {key} | {value} |"));
        }
    }
    doc.blank();
}

const JOINT_SECTIONS: [(usize, &str); 18] = [
    (2, "Metadata"),
    (2, "Overview"),
    (3, "Background"),
    (3, "Goal"),
    (3, "Non-goals"),
    (2, "Intended Use"),
    (2, "Project Design"),
    (3, "Functions and features"),
    (2, "Configuration and Set-Up"),
    (2, "Project Compliance"),
    (2, "Security Analysis"),
    (3, "Attacker Motivations"),
    (3, "Predisposing Conditions"),
    (3, "Expected Attacker Capabilities"),
    (2, "Threat Model"),
    (2, "Secure Development Practices"),
    (2, "Security Issue Resolution"),
    (2, "Recommendations"),
];

fn joint_assessment(rng: &mut Rng, plan: &Plan, images: &[&str]) -> String {
    let ctx = Ctx {
        plan,
        own: Some("Threat Model"),
        dir: "",
    };
    let mut doc = Doc::new();
    doc.heading(1, &format!("{} Joint Assessment", plan.name));
    doc.paragraph(rng, &ctx);
    let target = rng.range(350, 800);
    let per = target / JOINT_SECTIONS.len();
    let with_code = rng.chance(30);
    let mut images = images.iter();
    for (level, heading) in JOINT_SECTIONS {
        doc.heading(level, heading);
        if heading == "Metadata" {
            metadata_table(&mut doc, rng, plan);
            continue;
        }
        let start = doc.lines;
        while doc.lines - start < per {
            match rng.below(10) {
                0..=4 => doc.paragraph(rng, &ctx),
                5..=6 => doc.list(rng, &ctx),
                7 => doc.table(rng, &["Finding", "Severity", "Recommendation"]),
                8 if with_code => doc.code(rng, &plan.slug),
                _ => match images.next() {
                    Some(src) => doc.image("Architecture", src),
                    None => doc.quote(rng),
                },
            }
        }
    }
    doc.text
}

const README_SECTIONS: [&str; 8] = [
    "Background",
    "Summary",
    "Design",
    "Analysis",
    "Recommendations",
    "Recommendations to the project",
    "Recommendations to CNCF",
    "Recommendations to others",
];

fn summary_readme(rng: &mut Rng, plan: &Plan) -> String {
    let ctx = Ctx {
        plan,
        own: Some("Summary"),
        dir: "",
    };
    let mut doc = Doc::new();
    doc.heading(1, &format!("{} Joint Security Assessment", plan.name));
    let (day, month, year) = (rng.range(1, 28), rng.below(12), rng.range(2019, 2025));
    let completed = match rng.below(4) {
        0 => format!("{day} {} {year}", MONTHS[month]),
        1 => format!("{} {year}", MONTHS_LONG[month]),
        2 => format!("{year}-{:02}-{day:02}", month + 1),
        _ => format!("{} {day}, {year}", MONTHS_LONG[month]),
    };
    doc.line(&format!("Completed: {completed}"));
    doc.blank();
    let mut reviewers: Vec<&str> = (0..rng.range(2, 4))
        .map(|_| PEOPLE[rng.below(PEOPLE.len())])
        .collect();
    reviewers.sort_unstable();
    reviewers.dedup();
    doc.line(&format!("Security reviewers: {}", reviewers.join(", ")));
    doc.blank();
    doc.line(&format!(
        "Project security lead: {}",
        PEOPLE[rng.below(PEOPLE.len())]
    ));
    doc.blank();
    doc.line(&format!(
        "Tracking issue: https://github.com/cncf/tag-security/issues/{}",
        rng.range(100, 1400)
    ));
    doc.blank();
    let version = format!("v{}.{}.{}", rng.below(3), rng.below(30), rng.below(10));
    if rng.chance(50) {
        doc.line(&format!("Version covered: {version}"));
    } else {
        doc.line(&format!("Project version reviewed: {version}"));
    }
    doc.blank();
    for (i, heading) in README_SECTIONS.iter().enumerate() {
        doc.heading(if (2..=4).contains(&i) { 3 } else { 2 }, heading);
        for _ in 0..rng.range(1, 3) {
            if rng.chance(40) {
                doc.list(rng, &ctx)
            } else {
                doc.paragraph(rng, &ctx)
            }
        }
    }
    doc.text
}

const THREAT_SECTIONS: [&str; 6] = [
    "Scope",
    "Data flow",
    "Trust boundaries",
    "STRIDE analysis",
    "Identified threats",
    "Mitigations",
];

fn threat_model(rng: &mut Rng, plan: &Plan, ctx: &Ctx<'_>, images: &[&str]) -> String {
    let mut doc = Doc::new();
    doc.heading(1, &format!("{} Threat Model", plan.name));
    doc.paragraph(rng, ctx);
    let target = rng.range(150, 400);
    let per = target / THREAT_SECTIONS.len();
    let with_code = rng.chance(25);
    for (i, heading) in THREAT_SECTIONS.iter().enumerate() {
        doc.heading(2, heading);
        if i == 1
            && let Some(src) = images.first()
        {
            // The image paths are unit-relative; this document may sit in docs/.
            let rel = src
                .strip_prefix(ctx.dir)
                .map_or_else(|| format!("{}{src}", ctx.up()), str::to_owned);
            doc.image("Data flow", &rel);
        }
        let start = doc.lines;
        while doc.lines - start < per {
            match rng.below(8) {
                0..=2 => doc.paragraph(rng, ctx),
                3..=4 => doc.table(rng, &["ID", "Category", "Threat", "Mitigation"]),
                5 => doc.list(rng, ctx),
                6 if with_code => doc.code(rng, &plan.slug),
                _ => doc.quote(rng),
            }
        }
    }
    doc.text
}

fn recommendations(rng: &mut Rng, plan: &Plan) -> String {
    let ctx = Ctx {
        plan,
        own: Some("To CNCF"),
        dir: "",
    };
    let mut doc = Doc::new();
    doc.heading(1, &format!("{} Recommendations", plan.name));
    for heading in ["To the project", "To CNCF", "To adopters"] {
        doc.heading(2, heading);
        for _ in 0..rng.range(2, 5) {
            doc.list(rng, &ctx);
        }
    }
    doc.text
}

// ---------------------------------------------------------------------------------------------
// Process documents

fn process_readme(seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0xA11CE);
    let plan = process_plan();
    let ctx = Ctx {
        plan: &plan,
        own: None,
        dir: "",
    };
    let mut doc = Doc::new();
    doc.heading(1, "Security Assessments");
    doc.paragraph(&mut rng, &ctx);
    doc.line("Read the [guide](guide/README.md#process-overview) and the [intake process](intake-process.md#intake).");
    doc.blank();
    for heading in ["Goals", "Process overview", "Outcomes", "Assessments"] {
        doc.heading(2, heading);
        for _ in 0..3 {
            doc.paragraph(&mut rng, &ctx);
        }
        doc.list(&mut rng, &ctx);
    }
    doc.text
}

fn intake_process(seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0x1A7A4E);
    let plan = process_plan();
    let ctx = Ctx {
        plan: &plan,
        own: None,
        dir: "",
    };
    let mut doc = Doc::new();
    doc.heading(1, "Intake process");
    for heading in ["Intake", "Prioritisation", "Scheduling"] {
        doc.heading(2, heading);
        doc.paragraph(&mut rng, &ctx);
        doc.list(&mut rng, &ctx);
    }
    doc.text
}

/// The process docs link nowhere project-specific.
fn process_plan() -> Plan {
    Plan {
        slug: "process".to_owned(),
        name: "Process".to_owned(),
        self_assessment: false,
        readme: false,
        joint: false,
        threat_model: None,
        recommendations: false,
        images: Vec::new(),
        neighbour: None,
        depth: 0,
    }
}

const GUIDE_SELF_HEADINGS: [&str; 6] = [
    "Metadata",
    "Overview",
    "Security functions and features",
    "Project compliance",
    "Secure development practices",
    "Appendix",
];

fn guide_docs(seed: u64) -> Vec<(&'static str, String)> {
    let mut rng = Rng::new(seed ^ 0x6D1DE);
    let plan = process_plan();
    let ctx = Ctx {
        plan: &plan,
        own: None,
        dir: "",
    };
    let docs: [(&str, &str, &[&str]); 7] = [
        (
            "README.md",
            "Assessment guide",
            &[
                "Process overview",
                "Roles",
                "Joint assessment steps",
                "Publishing",
            ],
        ),
        (
            "self-assessment.md",
            "Self-assessment template",
            &GUIDE_SELF_HEADINGS,
        ),
        (
            "joint-assessment.md",
            "Joint assessment template",
            &["Metadata", "Overview", "Threat Model", "Recommendations"],
        ),
        (
            "joint-readme-template.md",
            "Joint assessment summary",
            &["Background", "Summary", "Recommendations"],
        ),
        (
            "security-reviewer.md",
            "Security reviewer",
            &["Conflict of interest", "Hard conflicts", "Soft conflicts"],
        ),
        ("project-lead.md", "Project lead", &["Responsibilities"]),
        ("review-survey.md", "Review survey", &["Questions"]),
    ];
    docs.iter()
        .map(|(file, title, headings)| {
            let mut doc = Doc::new();
            doc.heading(1, title);
            doc.paragraph(&mut rng, &ctx);
            for heading in headings.iter() {
                doc.heading(2, heading);
                for _ in 0..rng.range(2, 5) {
                    doc.paragraph(&mut rng, &ctx);
                }
                doc.list(&mut rng, &ctx);
                if rng.chance(30) {
                    doc.table(&mut rng, &["Step", "Owner", "Output"]);
                }
            }
            (*file, doc.text)
        })
        .collect()
}

fn projects_index(names: &[String]) -> String {
    let mut doc = Doc::new();
    doc.heading(1, "Assessed projects");
    doc.line("| Project | Documents |");
    doc.line("| --- | --- |");
    for (i, name) in names.iter().enumerate() {
        let docs = if i % 26 == 13 {
            format!("[{name}-core]({name}/{name}-core/self-assessment.md)")
        } else {
            format!("[self-assessment]({name}/self-assessment.md)")
        };
        doc.line(&format!("| {} | {docs} |", display_name(name)));
    }
    doc.blank();
    doc.text
}

// ---------------------------------------------------------------------------------------------
// PNG

/// A valid RGB PNG of `width`×`height` with a smooth pattern, stored (uncompressed) deflate:
/// a few KB, like a small diagram, and decodable by any viewer.
pub fn png(width: usize, height: usize, salt: u64) -> Vec<u8> {
    let mut raw = Vec::with_capacity(height * (1 + 3 * width));
    for y in 0..height {
        raw.push(0); // filter: none
        for x in 0..width {
            let v = (x * 7 + y * 3) as u64 ^ salt;
            raw.extend_from_slice(&[
                (v & 0xff) as u8,
                (x * 255 / width) as u8,
                (y * 255 / height) as u8,
            ]);
        }
    }
    // zlib: header, stored blocks of at most 65,535 bytes, Adler-32.
    let mut z = vec![0x78, 0x01];
    let mut chunks = raw.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        z.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = u8::from(chunks.peek().is_none());
        let len = chunk.len() as u16;
        z.push(last);
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(chunk);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(width as u32).to_be_bytes());
    ihdr.extend_from_slice(&(height as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc = Crc32::new();
    crc.update(kind);
    crc.update(data);
    png.extend_from_slice(&crc.finish().to_be_bytes());
}

struct Crc32(u32);

impl Crc32 {
    fn new() -> Self {
        Crc32(0xFFFF_FFFF)
    }
    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u32::from(b);
            for _ in 0..8 {
                let mask = (self.0 & 1).wrapping_neg();
                self.0 = (self.0 >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
    }
    fn finish(&self) -> u32 {
        !self.0
    }
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in bytes {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}
