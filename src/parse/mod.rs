//! Reading one file: decode it, split off front matter, analyse the Markdown once, and pull
//! out the package facts. Every problem becomes a `Diagnostic`; nothing here fails.

pub mod dates;
pub mod facts;
pub mod frontmatter;
pub mod heads;
pub mod labels;
pub mod outline;
pub mod template;

use crate::diagnostic::Diagnostic;
use crate::model::{DocKind, Facts, Outline, PackageMeta, Provenance, Readings, Visibility};

/// A document after parsing, before it is placed in the model.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub body: String,
    pub body_line: usize,
    pub outline: Outline,
    /// What a reader of `body` sees (HTML comments and fenced code left out).
    pub hidden: Option<Visibility>,
    pub facts: Facts,
    pub meta: PackageMeta,
    pub diagnostics: Vec<Diagnostic>,
}

/// Turns raw bytes into text we can parse: strips a BOM, normalises CRLF, and replaces
/// invalid UTF-8 (with a diagnostic naming the first bad line) rather than dropping the file.
pub fn decode(file: &str, bytes: &[u8], diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    if bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0) {
        diagnostics.push(
            Diagnostic::error(
                "input/binary",
                "file looks binary (it contains NUL bytes) and was skipped",
            )
            .at(file, None)
            .help("Markdown documents must be text; rename the file if it is not a document"),
        );
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(err) => {
            let line = bytes[..err.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            diagnostics.push(
                Diagnostic::warning(
                    "input/encoding",
                    "file is not valid UTF-8; invalid bytes were replaced with U+FFFD",
                )
                .at(file, Some(line))
                .help("re-save the file as UTF-8"),
            );
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    // One search for either byte: nearly every file has neither, and two searches were a
    // fifth of decoding (which a warm run does for every document, to take its body again).
    if memchr::memchr2(b'\r', 0, text.as_bytes()).is_none() {
        return Some(text);
    }
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    Some(match text.find('\0') {
        None => text,
        Some(at) => {
            diagnostics.push(
                Diagnostic::warning(
                    "input/encoding",
                    "file contains NUL bytes; they are shown as U+FFFD",
                )
                .at(file, Some(text[..at].matches('\n').count() + 1))
                .help("remove the NUL bytes (a text editor shows them as ^@ or \\0)"),
            );
            text.replace('\0', "\u{FFFD}")
        }
    })
}

/// The text [`decode`] makes of `bytes`, from byte `start` of it on (`None` when `start` is not
/// a character boundary there). Text that decoding would leave as it is (no BOM, carriage
/// return or NUL, valid UTF-8: nearly every file) is taken from `bytes` without a copy,
/// leaving them empty; otherwise, and on `None`, `bytes` are left as they were.
pub fn text_from(file: &str, bytes: &mut Vec<u8>, start: usize) -> Option<String> {
    let plain = !bytes.starts_with(b"\xEF\xBB\xBF") && memchr::memchr2(b'\r', 0, bytes).is_none();
    if plain {
        match String::from_utf8(std::mem::take(bytes)) {
            Ok(mut text) if text.is_char_boundary(start) => {
                text.drain(..start);
                return Some(text);
            }
            Ok(text) => {
                *bytes = text.into_bytes();
                return None;
            }
            Err(err) => *bytes = err.into_bytes(),
        }
    }
    let mut text = decode(file, bytes, &mut Vec::new())?;
    text.is_char_boundary(start).then(|| {
        text.drain(..start);
        text
    })
}

/// git and GitHub call a file binary when a NUL byte is in its first 8,000 bytes; a NUL later
/// on is a stray character in a text file, and the rest of the file is still shown.
const BINARY_SNIFF: usize = 8000;

/// Parses one document: front matter (if any), outline, facts.
pub fn parse_document(file: &str, bytes: &[u8], kind: DocKind) -> ParsedFile {
    let mut parsed = ParsedFile {
        body_line: 1,
        ..ParsedFile::default()
    };
    let Some(text) = decode(file, bytes, &mut parsed.diagnostics) else {
        return parsed;
    };
    let (body, body_line) = match frontmatter::split(&text) {
        Ok(Some(block)) => {
            let fm = frontmatter::parse(block.yaml, file, block.yaml_line, |file, line| {
                Provenance::FrontMatter {
                    file: file.into(),
                    line,
                }
            });
            parsed.facts = fm.facts;
            parsed.meta = fm.meta;
            parsed.diagnostics.extend(fm.diagnostics);
            (block.body.to_owned(), block.body_line)
        }
        Ok(None) => (text, 1),
        Err(diagnostic) => {
            parsed.diagnostics.push(diagnostic.at(file, Some(1)));
            (text, 1)
        }
    };
    parsed.outline = outline::outline(&body, body_line);
    // Once per document: facts, checks and coverage all read the text outside these.
    let hidden = crate::markdown::visible::hidden_ranges(&body);
    let (doc_facts, diagnostics) = facts::extract_in(kind, &body, &hidden, file, body_line);
    let mut visibility = Visibility::new(&body, body_line, hidden);
    if template::is_scanned(kind) {
        // What check and coverage would read from these lines themselves, read once here.
        let readings = Readings {
            template: template::find(visibility.lines(&body)),
            heads: heads::find(
                &parsed.outline.headings,
                &body,
                body_line,
                visibility.lines(&body),
            ),
            version_line: labels::version_line(visibility.lines(&body)),
            sbom_rows: labels::sbom_rows(visibility.lines(&body)),
        };
        visibility.readings = Some(Box::new(readings));
    }
    parsed.hidden = Some(visibility);
    parsed.diagnostics.extend(diagnostics);
    for (key, fact) in doc_facts {
        // Front matter wins over what the prose says.
        parsed.facts.entry(key).or_insert(fact);
    }
    parsed.body = body;
    parsed.body_line = body_line;
    parsed
}
