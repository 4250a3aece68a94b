//! A shields-style status badge (`TSSA | 7/9`) a project can embed in its own README. Text
//! widths are estimated from a fixed table, not measured, so the SVG is byte-for-byte
//! deterministic and needs no font.

use crate::html::escape;
use std::fmt::Write as _;

use crate::check::UnitReport;

const LABEL: &str = "TSSA";

/// Approximate advance width in pixels of a character in 11px Verdana, the badge font.
fn char_width(c: char) -> u32 {
    match c {
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' | ' ' => 4,
        'f' | 'r' | 't' | 'I' | '(' | ')' | '[' | ']' | '/' => 5,
        'm' | 'w' | 'M' | 'W' => 10,
        c if c.is_ascii_uppercase() => 8,
        _ => 7,
    }
}

fn text_width(text: &str) -> u32 {
    text.chars().map(char_width).sum()
}

/// The colour for a share of required items passed.
fn colour(passed: usize, required: usize) -> &'static str {
    if required == 0 {
        return "#9f9f9f";
    }
    if passed >= required {
        return "#4c1";
    }
    // Thirds, compared in integers so no rounding can differ between platforms.
    match passed * 3 / required {
        2 => "#a4a61d",
        1 => "#dfb317",
        _ => "#e05d44",
    }
}

/// The SVG badge for one unit's verdict.
pub fn badge_svg(unit: &UnitReport) -> String {
    let value = if unit.required == 0 {
        "n/a".to_owned()
    } else {
        format!("{}/{}", unit.passed, unit.required)
    };
    let title = if unit.required == 0 {
        format!("TSSA {}: no required items ({})", unit.name, unit.ruleset)
    } else {
        format!(
            "TSSA {}: {} of {} required items passed ({}, {} path)",
            unit.name, unit.passed, unit.required, unit.ruleset, unit.path
        )
    };
    let fill = colour(unit.passed, unit.required);
    // Ids unique per unit, so several badges inlined in one page keep their own gradients.
    let id: String = std::iter::once("tssa-")
        .chain(std::iter::once(unit.slug.as_str()))
        .flat_map(str::chars)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let lw = text_width(LABEL) + 10;
    let vw = text_width(&value) + 10;
    let w = lw + vw;
    // Text is drawn at 10x scale (shields' trick for sub-pixel positioning).
    let lx = lw * 5;
    let vx = lw * 10 + vw * 5;
    let ltl = text_width(LABEL) * 10;
    let vtl = text_width(&value) * 10;
    let title = escape(&title);
    let value = escape(&value);
    let mut svg = String::with_capacity(1200);
    let _ = write!(
        svg,
        concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{title}">"##,
            r##"<title>{title}</title>"##,
            r##"<linearGradient id="{id}-s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>"##,
            r##"<clipPath id="{id}-r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath>"##,
            r##"<g clip-path="url(#{id}-r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{vw}" height="20" fill="{fill}"/><rect width="{w}" height="20" fill="url(#{id}-s)"/></g>"##,
            r##"<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">"##,
            r##"<text aria-hidden="true" x="{lx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="{ltl}">{label}</text>"##,
            r##"<text x="{lx}" y="140" transform="scale(.1)" fill="#fff" textLength="{ltl}">{label}</text>"##,
            r##"<text aria-hidden="true" x="{vx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="{vtl}">{value}</text>"##,
            r##"<text x="{vx}" y="140" transform="scale(.1)" fill="#fff" textLength="{vtl}">{value}</text>"##,
            "</g></svg>\n"
        ),
        w = w,
        id = id,
        title = title,
        lw = lw,
        vw = vw,
        fill = fill,
        lx = lx,
        vx = vx,
        ltl = ltl,
        vtl = vtl,
        label = LABEL,
        value = value,
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_by_share() {
        assert_eq!(colour(9, 9), "#4c1");
        assert_eq!(colour(7, 9), "#a4a61d");
        assert_eq!(colour(4, 9), "#dfb317");
        assert_eq!(colour(1, 9), "#e05d44");
        assert_eq!(colour(0, 0), "#9f9f9f");
    }

    fn report(name: &str) -> UnitReport {
        UnitReport {
            slug: "solo".into(),
            name: name.into(),
            dir: "projects/solo".into(),
            path: "self".into(),
            ruleset: crate::check::Ruleset::Tssa2024_11,
            ruleset_reason: "default".into(),
            status: None,
            items: Vec::new(),
            findings: Vec::new(),
            exempted: Vec::new(),
            passed: 2,
            required: 4,
        }
    }

    #[test]
    fn deterministic_and_accessible() {
        let svg = badge_svg(&report("solo"));
        assert_eq!(svg, badge_svg(&report("solo")));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(
            svg.contains("<title>TSSA solo: 2 of 4 required items passed (tssa-2024-11, self path)</title>")
        );
        assert!(svg.contains(">2/4</text>"));
        assert!(svg.contains("id=\"tssa-solo-s\"") && svg.contains("url(#tssa-solo-r)"));
        assert!(badge_svg(&report("<a & b>")).contains("&lt;a &amp; b&gt;"));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b>&\"'\u{7}"), "a&lt;b&gt;&amp;&quot;&#39;");
    }
}
