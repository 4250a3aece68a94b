//! How `highlight.css` is made (see [`Highlighter::stylesheet`](super::Highlighter::stylesheet)):
//! compiled for the tests only, which hold the shipped file to it.

use syntect::html::css_for_theme_with_class_style;

use super::CLASS_STYLE;

/// Theme names in syntect's bundled theme set.
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

/// Stylesheets for the highlight classes: (light, dark). The dark one has no media query of
/// its own; [`stylesheet`](super::Highlighter::stylesheet) wraps it in `@media (prefers-color-scheme: dark)`.
pub fn stylesheets() -> (String, String) {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|theme| css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    let [light_bg, dark_bg] = CODE_BG;
    let light = css(LIGHT_THEME);
    // The two themes style different scopes: a light rule the dark theme has no selector
    // for (`.hl-storage.hl-type.hl-go`) would keep its light colour in dark mode, dark red
    // on near-black. So dark mode first restates every light rule made readable on the
    // dark background, then the dark theme's own rules, which win where both apply.
    let dark = accessible(&light, dark_bg) + &accessible(&css(DARK_THEME), dark_bg);
    (accessible(&light, light_bg), dark)
}

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// The background of code on a page, light and dark: `--code-bg` in the default theme's
/// `style.css` (a unit test holds the two together).
pub const CODE_BG: [Rgb; 2] = [[0xf6, 0xf8, 0xfa], [0x15, 0x1b, 0x23]];

/// WCAG AA for normal text, with a little room for rounding.
const MIN_CONTRAST: f64 = 4.6;

/// `css` with every token colour made readable on `bg` (WCAG AA): syntect's bundled themes have
/// pale greys and greens (3:1 and less) on our code background. A colour that falls short is
/// mixed towards black (light) or white (dark) until it passes, so hues stay recognisable.
/// Token backgrounds are dropped: the page's code background is the one they are judged on.
fn accessible(css: &str, bg: Rgb) -> String {
    let mut out = String::with_capacity(css.len());
    for line in css.lines() {
        let decl = line.trim_start();
        if decl.starts_with("background-color") {
            continue;
        }
        let colour = decl
            .strip_prefix("color:")
            .and_then(|v| parse_hex(v.trim().trim_end_matches(';')));
        match colour {
            Some(fg) => {
                let [r, g, b] = readable(fg, bg);
                out.push_str(&format!(" color: #{r:02x}{g:02x}{b:02x};"));
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// `#rrggbb` or `#rrggbbaa` (the alpha is ignored: the colour is judged as opaque).
pub fn parse_hex(value: &str) -> Option<Rgb> {
    let hex = value.strip_prefix('#')?;
    if !(hex.len() == 6 || hex.len() == 8) || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

pub fn readable(fg: Rgb, bg: Rgb) -> Rgb {
    let toward: Rgb = if luminance(bg) > 0.5 { [0; 3] } else { [255; 3] };
    (0..=50)
        .map(|step| mix(fg, toward, f64::from(step) / 50.0))
        .find(|c| contrast(*c, bg) >= MIN_CONTRAST)
        .unwrap_or(toward)
}

fn mix(a: Rgb, b: Rgb, t: f64) -> Rgb {
    let channel = |i: usize| (f64::from(a[i]) * (1.0 - t) + f64::from(b[i]) * t).round() as u8;
    [channel(0), channel(1), channel(2)]
}

/// WCAG relative luminance.
fn luminance(c: Rgb) -> f64 {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// WCAG contrast ratio, 1 to 21.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}
