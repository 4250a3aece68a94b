//! Code highlighting with syntect into CSS classes.
//!
//! Classes rather than inline colours: one stylesheet serves every page, the theme can switch
//! light/dark with a media query, and the sanitizer only has to allow `hl-*` classes instead
//! of `style` attributes.

pub use crate::html::escape;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Prefix of every class the highlighter emits; the sanitizer allows exactly these.
pub const CLASS_PREFIX: &str = "hl-";
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: CLASS_PREFIX };

/// Loaded on first use, once per process: a site with no code never pays for it, and rayon
/// workers share it.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

#[cfg(test)]
mod css;

#[derive(Debug, Clone)]
pub struct Highlighter {
    /// Blocks longer than this are shown plain: some of syntect's grammars backtrack badly, and
    /// a log pasted into a fence should not stall a build. (Measured: one 18.6 KB block of tool
    /// output fenced as bash took 25 ms to highlight, a quarter of a whole corpus build, and
    /// gained nothing from colour; hence 16 KiB.)
    pub max_lines: usize,
    pub max_bytes: usize,
}

impl Default for Highlighter {
    fn default() -> Self {
        Highlighter {
            max_lines: 500,
            max_bytes: 16 * 1024,
        }
    }
}

impl Highlighter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads the syntax set now (on a spare core, say) rather than on the first code block.
    pub fn warm() {
        LazyLock::force(&SYNTAXES);
    }

    /// HTML for a code block's contents (without the surrounding `<pre>`). `lang` is the
    /// fence's info string (only its first word counts); unknown languages, plain text and
    /// over-long blocks come back escaped but otherwise untouched.
    pub fn highlight(&self, lang: &str, code: &str) -> String {
        let too_big = code.len() > self.max_bytes || code.lines().count() > self.max_lines;
        match (too_big, language_token(lang)) {
            (false, Some(token)) => memo::highlighted(token, code).unwrap_or_else(|| escape(code)),
            _ => escape(code),
        }
    }

    /// `highlight.css`: [`Highlighter::stylesheets`] as one file, made when tssa is developed
    /// rather than on every run (deserialising syntect's theme set and judging every colour
    /// was a fiftieth of a build). A unit test holds the file to what the function makes, so a
    /// change to either (a syntect upgrade, a new colour rule) fails until it is regenerated.
    pub fn stylesheet() -> &'static str {
        include_str!("highlight.css")
    }
}

/// The language name in a fence info string: the first word, without GitHub's `{…}` or the
/// `,attrs` some tools add.
pub fn language_token(info: &str) -> Option<&str> {
    let word = info.split_whitespace().next()?;
    let word = word.split([',', '{']).next()?.trim_start_matches('.');
    (!word.is_empty()).then_some(word)
}

fn find_syntax(token: &str) -> Option<&'static SyntaxReference> {
    let lower = token.to_ascii_lowercase();
    let name = match lower.as_str() {
        "text" | "txt" | "plain" | "plaintext" | "none" | "output" | "log" => return None,
        "console" | "shell" | "shell-session" | "shellsession" | "terminal" | "zsh" | "sh" => "bash",
        "golang" => "go",
        "yml" => "yaml",
        "py" | "python3" => "python",
        "js" | "node" => "javascript",
        "c++" => "cpp",
        "rb" => "ruby",
        "rs" => "rust",
        "jsonc" | "json5" => "json",
        "patch" => "diff",
        "htm" | "xhtml" => "html",
        "md" => "markdown",
        other => other,
    };
    let set: &'static SyntaxSet = &SYNTAXES;
    set.find_syntax_by_token(name)
}

/// Highlighted blocks by (language token, code), kept for the life of the process: a block is
/// highlighted once per build and, in the preview server, once per session, whatever else
/// changes between rebuilds. (A site copies its templates' code blocks from file to file, and
/// syntect costs about 0.3 µs a byte; a lookup costs a hash of the block.)
mod memo {
    use super::*;

    /// Bytes of code and HTML kept at most; past it the memo starts over, so a long preview
    /// session over a changing site stays bounded.
    const MAX_BYTES: usize = 64 << 20;

    /// A block: its language token and its code.
    type Block = (Box<str>, Box<str>);

    #[derive(Default)]
    struct Memo {
        blocks: HashMap<Block, Option<Arc<str>>>,
        bytes: usize,
    }

    static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(Mutex::default);

    fn lock() -> std::sync::MutexGuard<'static, Memo> {
        MEMO.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// [`highlight_with`], once per distinct block. The lock is not held while highlighting:
    /// two threads meeting the same new block both do the work, which is rare and harmless.
    pub(super) fn highlighted(token: &str, code: &str) -> Option<String> {
        let key = (Box::<str>::from(token), Box::<str>::from(code));
        if let Some(hit) = lock().blocks.get(&key) {
            return hit.as_deref().map(str::to_owned);
        }
        let html = highlight_with(token, code).map(Arc::<str>::from);
        let mut memo = lock();
        let size = code.len() + html.as_deref().map_or(0, str::len);
        if memo.bytes + size > MAX_BYTES {
            *memo = Memo::default();
        }
        memo.bytes += size;
        memo.blocks.insert(key, html.clone());
        html.as_deref().map(str::to_owned)
    }

    /// Whether the memo holds a block (for tests).
    #[cfg(test)]
    pub(super) fn has(token: &str, code: &str) -> bool {
        lock()
            .blocks
            .contains_key(&(Box::<str>::from(token), Box::<str>::from(code)))
    }
}

fn highlight_with(token: &str, code: &str) -> Option<String> {
    let syntax = find_syntax(token)?;
    let set: &'static SyntaxSet = &SYNTAXES;
    // syntect has had panics on odd input in some grammars; a code block is never worth a
    // crashed build, so a failure of any kind falls back to plain text.
    catch_unwind(AssertUnwindSafe(|| {
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            generator.parse_html_for_line_which_includes_newline(line).ok()?;
        }
        Some(generator.finalize())
    }))
    .ok()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::css::{CODE_BG, Rgb, contrast, parse_hex, readable, stylesheets};
    use super::*;

    #[test]
    fn highlights_known_languages_with_prefixed_classes() {
        let h = Highlighter::new();
        for lang in [
            "rust", "sh", "console", "yaml", "go", "python", "json", "bash", "ruby",
        ] {
            let html = h.highlight(lang, "x = \"<y>\" # 1\n");
            assert!(html.contains("class=\"hl-"), "{lang}: {html}");
            assert!(html.contains("&lt;y&gt;"), "{lang}: {html}");
            assert!(!html.contains("<y>"), "{lang}: {html}");
        }
    }

    #[test]
    fn unknown_plain_and_huge_blocks_are_escaped_text() {
        let h = Highlighter::new();
        assert_eq!(h.highlight("", "<b>&</b>"), "&lt;b&gt;&amp;&lt;/b&gt;");
        assert_eq!(h.highlight("no-such-language", "<b>"), "&lt;b&gt;");
        assert_eq!(h.highlight("text", "fn x() {}"), "fn x() {}");
        let big = "let x = 1;\n".repeat(2_001);
        assert!(!h.highlight("rust", &big).contains("hl-"));
        let wide = format!("let x = \"{}\";\n", "a".repeat(100 * 1024));
        assert!(!h.highlight("rust", &wide).contains("hl-"));
    }

    #[test]
    fn info_strings() {
        assert_eq!(language_token("rust,ignore"), Some("rust"));
        assert_eq!(language_token(" yaml  title=x"), Some("yaml"));
        assert_eq!(language_token("{.python}"), None);
        assert_eq!(language_token(".python"), Some("python"));
        assert_eq!(language_token(""), None);
    }

    /// The stylesheet file tssa ships is the one the highlighter makes today. After a change,
    /// regenerate it with `TSSA_WRITE_HIGHLIGHT_CSS=1 cargo test --lib highlight_css`.
    #[test]
    fn highlight_css_is_what_the_stylesheets_make() {
        let (light, dark) = stylesheets();
        let made = format!("{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n");
        if std::env::var_os("TSSA_WRITE_HIGHLIGHT_CSS").is_some() {
            let file = concat!(env!("CARGO_MANIFEST_DIR"), "/src/analyse/highlight.css");
            std::fs::write(file, &made).expect("writes src/analyse/highlight.css");
        }
        assert!(
            made == Highlighter::stylesheet(),
            "src/analyse/highlight.css is stale: TSSA_WRITE_HIGHLIGHT_CSS=1 cargo test --lib highlight_css"
        );
    }

    #[test]
    fn stylesheets_use_the_class_prefix() {
        let (light, dark) = stylesheets();
        assert!(light.contains(".hl-"), "{light}");
        assert!(dark.contains(".hl-"), "{dark}");
        assert_ne!(light, dark);
    }

    /// Every colour in the generated stylesheets, as written.
    fn colours(css: &str) -> Vec<&str> {
        css.match_indices('#')
            .map(|(at, _)| {
                let len = css[at + 1..].bytes().take_while(u8::is_ascii_hexdigit).count();
                &css[at..at + 1 + len]
            })
            .filter(|c| c.len() > 1)
            .collect()
    }

    #[test]
    fn every_token_colour_passes_wcag_aa_on_the_code_background() {
        let (light, dark) = stylesheets();
        for (css, bg) in [(&light, CODE_BG[0]), (&dark, CODE_BG[1])] {
            let found = colours(css);
            assert!(found.len() > 10, "{css}");
            for colour in found {
                let fg = parse_hex(colour).unwrap_or_else(|| panic!("not a colour: {colour}"));
                let ratio = contrast(fg, bg);
                assert!(ratio >= 4.5, "{colour} on {bg:?}: {ratio:.2}:1");
            }
            assert!(!css.contains("background-color"), "{css}");
        }
    }

    #[test]
    fn dark_mode_restyles_every_light_selector() {
        let (light, dark) = stylesheets();
        let selectors = |css: &str| -> Vec<String> {
            css.lines()
                .filter(|l| l.trim_end().ends_with('{'))
                .map(|l| l.trim_end_matches('{').trim().to_owned())
                .collect()
        };
        let in_dark = selectors(&dark);
        let light = selectors(&light);
        assert!(light.len() > 10);
        for selector in light {
            assert!(in_dark.contains(&selector), "{selector} has no dark-mode colour");
        }
    }

    #[test]
    fn code_backgrounds_match_the_theme() {
        let style = include_str!("../../themes/default/static/style.css");
        let declared: Vec<Rgb> = style
            .match_indices("--code-bg:")
            .filter_map(|(at, m)| parse_hex(style[at + m.len()..].trim_start().get(..7)?))
            // The screen's light and dark values; print's white only raises the contrast.
            .take(2)
            .collect();
        assert_eq!(declared, CODE_BG, "--code-bg in style.css (light, dark)");
    }

    #[test]
    fn contrast_is_wcag_s() {
        assert!((contrast([0; 3], [255; 3]) - 21.0).abs() < 0.01);
        assert!((contrast([0x76; 3], [255; 3]) - 4.54).abs() < 0.02);
        assert_eq!(readable([0; 3], [255; 3]), [0; 3]);
    }

    #[test]
    fn a_block_is_highlighted_once_and_remembered() {
        let h = Highlighter::new();
        let code = "memo_test = \"<once>\" # a block no other test uses\n";
        assert!(!memo::has("python", code));
        let first = h.highlight("python", code);
        assert!(memo::has("python", code));
        assert_eq!(h.highlight("python", code), first);
        assert_eq!(highlight_with("python", code).as_deref(), Some(first.as_str()));
        // The key is the language as well as the code.
        assert_ne!(h.highlight("no-such-language", code), first);
    }

    #[test]
    fn is_sync() {
        fn assert_sync<T: Sync + Send>() {}
        assert_sync::<Highlighter>();
    }

    #[test]
    fn odd_code_does_not_panic() {
        let h = Highlighter::new();
        for code in [
            "",
            "\n",
            "\"unterminated",
            "<<<EOF\n",
            "\u{0}\u{feff}",
            "`\n`\n",
            "\r\n\r",
        ] {
            for lang in ["rust", "bash", "html", "python", "yaml", "markdown", "diff"] {
                let _ = h.highlight(lang, code);
            }
        }
    }
}
