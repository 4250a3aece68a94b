//! Code highlighting with syntect into CSS classes.
//!
//! Classes rather than inline colours: one stylesheet serves every page, the theme can switch
//! light/dark with a media query, and the sanitizer only has to allow `hl-*` classes instead
//! of `style` attributes.

pub use crate::html::escape;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Prefix of every class the highlighter emits; the sanitizer allows exactly these.
pub const CLASS_PREFIX: &str = "hl-";
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: CLASS_PREFIX };

/// Loaded on first use, once per process: a site with no code never pays for it, and rayon
/// workers share it.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Theme names in syntect's bundled theme set.
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

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
            (false, Some(token)) => highlight_with(token, code).unwrap_or_else(|| escape(code)),
            _ => escape(code),
        }
    }

    /// Stylesheets for the highlight classes: (light, dark). The dark one has no media query of
    /// its own; the theme wraps it in `@media (prefers-color-scheme: dark)`.
    pub fn stylesheets() -> (String, String) {
        let themes = syntect::highlighting::ThemeSet::load_defaults();
        let css = |name: &str| {
            themes
                .themes
                .get(name)
                .and_then(|theme| css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
                .unwrap_or_default()
        };
        (css(LIGHT_THEME), css(DARK_THEME))
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

    #[test]
    fn stylesheets_use_the_class_prefix() {
        let (light, dark) = Highlighter::stylesheets();
        assert!(light.contains(".hl-"), "{light}");
        assert!(dark.contains(".hl-"), "{dark}");
        assert_ne!(light, dark);
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
