//! Pictures drawn on the server as inline SVG, so pages need no JavaScript and the strict CSP
//! holds: no scripts, no `style` attributes, no external references. Colours come from classes
//! that the theme's stylesheet maps to its variables; presentation attributes are only a
//! fallback for an SVG shown on its own.
//!
//! Every picture is `role="img"` with a `<title>` and a `<desc>` that says in words what the
//! picture shows, and pages put a table or list with the same facts next to it. Output is a
//! pure function of the input (fixed number formatting, no ids but the caller's), so a
//! rebuild gives the same bytes.

pub use crate::html::escape;
use std::fmt::Write as _;

/// A fixed one-decimal number, so output does not depend on float printing.
fn n(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    if rounded == rounded.trunc() {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

/// Cuts `text` to `max` characters with an ellipsis.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Which layout a picture is drawn for. A picture scales to its box (a `viewBox`, no fixed
/// size), so one drawn for a desktop would shrink its 12-unit text to 5 px on a phone: pages
/// carry both layouts and the stylesheet shows the one that fits (`chart-wide`,
/// `chart-narrow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    Wide,
    Narrow,
}

impl Fit {
    fn class(self) -> &'static str {
        match self {
            Fit::Wide => "chart-wide",
            Fit::Narrow => "chart-narrow",
        }
    }

    /// Keeps the title and description ids of the two layouts apart.
    fn id_suffix(self) -> &'static str {
        match self {
            Fit::Wide => "",
            Fit::Narrow => "-narrow",
        }
    }

    /// The width of the drawing, in user units: about the CSS pixels it gets, so text keeps
    /// its size.
    fn width(self, wide: f64) -> f64 {
        match self {
            Fit::Wide => wide,
            Fit::Narrow => 360.0,
        }
    }
}

/// The wide and the narrow layout of a picture, one after the other.
pub fn responsive(draw: impl Fn(Fit) -> String) -> String {
    let mut out = draw(Fit::Wide);
    out.push_str(&draw(Fit::Narrow));
    out
}

/// The opening tag, title and description shared by every picture. `id` must be unique on
/// the page; it prefixes the title and description ids. No `width`/`height`: the picture
/// takes its box's width and keeps the `viewBox`'s proportions.
#[allow(clippy::too_many_arguments)] // each is one plain value of the picture's frame
fn open(out: &mut String, id: &str, fit: Fit, class: &str, width: f64, height: f64, title: &str, desc: &str) {
    let id = escape(&format!("{id}{}", fit.id_suffix()));
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {class} {fit}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {w} {h}\" \
         preserveAspectRatio=\"xMinYMin meet\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>",
        fit = fit.class(),
        w = n(width),
        h = n(height),
        title = escape(title),
        desc = escape(desc),
    );
}

// ---------------------------------------------------------------------------------------
// Timeline
// ---------------------------------------------------------------------------------------

/// One assessment on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub label: String,
    /// ISO `YYYY-MM-DD` or `YYYY-MM`.
    pub date: String,
    /// `self` or `joint`.
    pub path: String,
    /// Renewal due.
    pub stale: bool,
}

const TL_WIDTH: f64 = 760.0;
const TL_LABEL: f64 = 190.0;
const TL_RIGHT: f64 = 20.0;
const TL_ROW: f64 = 20.0;
const TL_TOP: f64 = 42.0;

/// Assessments by completion date, one row each (oldest first), coloured and shaped by path
/// (joint: circle, self: square) and hollow when a renewal is due. `today` extends the axis
/// and draws a marker.
pub fn timeline(id: &str, marks: &[Mark], today: Option<&str>, fit: Fit) -> String {
    let width = fit.width(TL_WIDTH);
    let (label_w, label_chars) = match fit {
        Fit::Wide => (TL_LABEL, 28),
        Fit::Narrow => (100.0, 14),
    };
    let mut dated: Vec<(&Mark, f64)> = marks
        .iter()
        .filter_map(|m| year_fraction(&m.date).map(|y| (m, y)))
        .collect();
    dated.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.label.cmp(&b.0.label)));
    let today_y = today.and_then(year_fraction);
    let title = "Assessments by completion date";
    let mut out = String::new();
    if dated.is_empty() {
        let desc = "No package states a completion date, so there is nothing to place on the timeline.";
        open(&mut out, id, fit, "timeline", width, 40.0, title, desc);
        let _ = write!(
            out,
            "<text x=\"10\" y=\"24\" fill=\"currentColor\">{}</text></svg>",
            escape(&clip(desc, (width / 6.5) as usize))
        );
        return out;
    }
    let first = dated.first().map_or(2019.0, |d| d.1).floor();
    let last = dated
        .last()
        .map_or(first, |d| d.1)
        .max(today_y.unwrap_or(f64::MIN))
        .floor()
        + 1.0;
    let span = (last - first).max(1.0);
    let plot = width - label_w - TL_RIGHT;
    let x_of = |y: f64| label_w + (y - first) / span * plot;
    // A year label needs about 36 units; on a narrow axis every other year is labelled.
    let label_every = if plot / span < 36.0 { 2 } else { 1 };
    let legend_y = TL_TOP + dated.len() as f64 * TL_ROW + 16.0;
    let widths: Vec<f64> = LEGEND_TIMELINE
        .iter()
        .map(|(_, _, label)| 20.0 + label.chars().count() as f64 * 6.5)
        .collect();
    let legend = legend_places(label_w, width, &widths, 16.0);
    let legend_lines = legend.last().map_or(0.0, |(_, line)| *line as f64);
    let height = legend_y + 22.0 + legend_lines * 18.0;

    let joint = dated.iter().filter(|d| d.0.path == "joint").count();
    let stale = dated.iter().filter(|d| d.0.stale).count();
    let oldest = dated.first().map(|d| d.0.date.as_str()).unwrap_or_default();
    let newest = dated.last().map(|d| d.0.date.as_str()).unwrap_or_default();
    let mut desc = format!(
        "{} assessments with a completion date, from {oldest} to {newest}: {joint} joint, {} self-assessments; {stale} due for renewal.",
        dated.len(),
        dated.len() - joint
    );
    for (mark, _) in &dated {
        let _ = write!(desc, " {}: {}", mark.label, describe_mark(mark));
        desc.push('.');
    }
    open(&mut out, id, fit, "timeline", width, height, title, &desc);

    // Year axis.
    out.push_str("<g class=\"axis\" aria-hidden=\"true\">");
    let mut year = first;
    while year <= last {
        let x = x_of(year);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{x}\" y1=\"{y1}\" x2=\"{x}\" y2=\"{y2}\" stroke=\"#d1d9e0\"/>",
            x = n(x),
            y1 = n(TL_TOP - 10.0),
            y2 = n(legend_y - 10.0)
        );
        if year < last && (year - first) as i64 % label_every == 0 {
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"currentColor\">{}</text>",
                n(x + 4.0),
                n(TL_TOP - 14.0),
                year as i64
            );
        }
        year += 1.0;
    }
    out.push_str("</g>");
    if let Some(t) = today_y.filter(|t| *t >= first && *t <= last) {
        let x = n(x_of(t));
        let _ = write!(
            out,
            "<g class=\"today\" aria-hidden=\"true\"><line x1=\"{x}\" y1=\"{y1}\" x2=\"{x}\" y2=\"{y2}\" stroke=\"#9a6700\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{x}\" y=\"{ty}\" text-anchor=\"middle\" fill=\"currentColor\">today</text></g>",
            y1 = n(TL_TOP - 10.0),
            y2 = n(legend_y - 10.0),
            ty = n(TL_TOP - 30.0),
        );
    }

    for (i, (mark, y)) in dated.iter().enumerate() {
        let cy = TL_TOP + i as f64 * TL_ROW + TL_ROW / 2.0;
        let x = x_of(*y);
        let class = format!(
            "mark tl-{}{}",
            if mark.path == "joint" { "joint" } else { "self" },
            if mark.stale { " tl-stale" } else { "" }
        );
        let _ = write!(
            out,
            "<g class=\"{class}\"><title>{}: {}</title>",
            escape(&mark.label),
            escape(&describe_mark(mark))
        );
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"currentColor\">{}</text>",
            n(label_w - 10.0),
            n(cy + 4.0),
            escape(&clip(&mark.label, label_chars))
        );
        let _ = write!(
            out,
            "<line class=\"stem\" x1=\"{}\" y1=\"{cy}\" x2=\"{}\" y2=\"{cy}\" stroke=\"#d1d9e0\"/>",
            n(label_w),
            n(x),
            cy = n(cy)
        );
        out.push_str(&symbol(mark.path == "joint", mark.stale, x, cy));
        out.push_str("</g>");
    }
    legend_timeline(&mut out, legend_y, &legend);
    out.push_str("</svg>");
    out
}

fn describe_mark(mark: &Mark) -> String {
    let path = if mark.path == "joint" {
        "joint assessment"
    } else {
        "self-assessment"
    };
    let due = if mark.stale { ", renewal due" } else { "" };
    format!("{path} completed {}{due}", mark.date)
}

/// Joint: circle; self: square. Hollow when stale, so the state never rests on colour alone.
fn symbol(joint: bool, stale: bool, x: f64, cy: f64) -> String {
    let fill = if stale {
        "none"
    } else if joint {
        "#2457a6"
    } else {
        "#1a7f37"
    };
    let stroke = if joint { "#2457a6" } else { "#1a7f37" };
    if joint {
        format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"/>",
            n(x),
            n(cy)
        )
    } else {
        format!(
            "<rect x=\"{}\" y=\"{}\" width=\"11\" height=\"11\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"/>",
            n(x - 5.5),
            n(cy - 5.5)
        )
    }
}

/// The timeline's legend: joint, stale, label.
const LEGEND_TIMELINE: [(bool, bool, &str); 3] = [
    (true, false, "joint assessment"),
    (false, false, "self-assessment"),
    (true, true, "renewal due (hollow)"),
];

/// Where each legend item of the given widths goes: its x and its line (0 first), `gap`
/// apart, wrapping at `right`.
fn legend_places(left: f64, right: f64, widths: &[f64], gap: f64) -> Vec<(f64, usize)> {
    let mut places = Vec::with_capacity(widths.len());
    let (mut x, mut line) = (left, 0);
    for w in widths {
        if x > left && x + w > right {
            (x, line) = (left, line + 1);
        }
        places.push((x, line));
        x += w + gap;
    }
    places
}

fn legend_timeline(out: &mut String, top: f64, places: &[(f64, usize)]) {
    out.push_str("<g class=\"legend\" aria-hidden=\"true\">");
    for ((joint, stale, label), (x, line)) in LEGEND_TIMELINE.into_iter().zip(places.iter().copied()) {
        let y = top + line as f64 * 18.0;
        let path = if joint { "joint" } else { "self" };
        let stale_class = if stale { " tl-stale" } else { "" };
        let _ = write!(
            out,
            "<g class=\"tl-{path}{stale_class}\">{}</g>",
            symbol(joint, stale, x + 6.0, y)
        );
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"currentColor\">{}</text>",
            n(x + 16.0),
            n(y + 4.0),
            escape(label)
        );
    }
    out.push_str("</g>");
}

/// `2020-06` → 2020.4583 (the middle of June); `2020-06-15` → the day's place in the year.
fn year_fraction(iso: &str) -> Option<f64> {
    let mut parts = iso.split('-');
    let y: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    if !(1.0..=12.0).contains(&m) {
        return None;
    }
    let within = match parts.next() {
        Some(d) => {
            let d: f64 = d.parse().ok()?;
            (d - 1.0).clamp(0.0, 30.0) / 31.0
        }
        None => 0.5,
    };
    Some(y + (m - 1.0 + within) / 12.0)
}

// ---------------------------------------------------------------------------------------
// Stacked bars
// ---------------------------------------------------------------------------------------

/// One part of a bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub label: String,
    pub count: usize,
    /// A class for the colour (`seg-ok`, `seg-warn`, `seg-err`, `seg-muted`).
    pub class: String,
}

/// A labelled bar of segments that add up to the whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarRow {
    pub label: String,
    pub segments: Vec<Segment>,
}

const BAR_WIDTH: f64 = 760.0;
const BAR_LABEL: f64 = 150.0;
const BAR_HEIGHT: f64 = 22.0;
const BAR_ROW: f64 = 58.0;

/// Horizontal stacked bars, each with its legend underneath (label and count in words, so
/// the picture reads without colour).
pub fn bars(id: &str, title: &str, rows: &[BarRow], fit: Fit) -> String {
    let width = fit.width(BAR_WIDTH);
    // Narrow: each bar's label goes on its own line above the bar, which gets the full width.
    let (label_w, label_h) = match fit {
        Fit::Wide => (BAR_LABEL, 0.0),
        Fit::Narrow => (0.0, 18.0),
    };
    let legend_text = |seg: &Segment| format!("{} ({})", seg.label, seg.count);
    let legends: Vec<Vec<(f64, usize)>> = rows
        .iter()
        .map(|row| {
            let widths: Vec<f64> = row
                .segments
                .iter()
                .map(|seg| 14.0 + legend_text(seg).chars().count() as f64 * 6.5)
                .collect();
            legend_places(label_w, width, &widths, 14.0)
        })
        .collect();
    let row_h = |i: usize| {
        let extra = legends[i].last().map_or(0, |(_, line)| *line) as f64 * 16.0;
        BAR_ROW + label_h + extra
    };
    let mut desc = String::new();
    for row in rows {
        let total: usize = row.segments.iter().map(|s| s.count).sum();
        let parts: Vec<String> = row
            .segments
            .iter()
            .map(|s| format!("{} {}", s.count, s.label))
            .collect();
        let _ = write!(desc, "{} ({total} packages): {}. ", row.label, parts.join(", "));
    }
    let height = (0..rows.len()).map(row_h).sum::<f64>() + 8.0;
    let mut out = String::new();
    open(&mut out, id, fit, "bars", width, height, title, desc.trim_end());
    let inner = width - label_w - 10.0;
    let mut row_top = 8.0;
    for (i, row) in rows.iter().enumerate() {
        let label_y = row_top + 15.0;
        let top = row_top + label_h;
        row_top += row_h(i);
        let total: usize = row.segments.iter().map(|s| s.count).sum();
        let _ = write!(
            out,
            "<text class=\"label\" x=\"0\" y=\"{}\" fill=\"currentColor\" font-weight=\"600\">{}</text>",
            n(label_y),
            escape(&clip(&row.label, 22))
        );
        let _ = write!(
            out,
            "<rect class=\"seg-bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#f6f8fa\" stroke=\"#d1d9e0\"/>",
            n(label_w),
            n(top),
            n(inner),
            n(BAR_HEIGHT)
        );
        let mut x = label_w;
        for seg in row.segments.iter().filter(|s| s.count > 0) {
            let w = if total == 0 {
                0.0
            } else {
                inner * seg.count as f64 / total as f64
            };
            let _ = write!(
                out,
                "<rect class=\"seg {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {} of {total}</title></rect>",
                escape(&seg.class),
                n(x),
                n(top),
                n(w),
                n(BAR_HEIGHT),
                fallback_fill(&seg.class),
                escape(&seg.label),
                seg.count
            );
            if w >= 28.0 {
                let _ = write!(
                    out,
                    "<text class=\"seg-count\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#ffffff\" aria-hidden=\"true\">{}</text>",
                    n(x + w / 2.0),
                    n(top + 15.0),
                    seg.count
                );
            }
            x += w;
        }
        // Legend, in words.
        for (seg, (lx, line)) in row.segments.iter().zip(legends[i].iter().copied()) {
            let ly = top + BAR_HEIGHT + 16.0 + line as f64 * 16.0;
            let _ = write!(
                out,
                "<rect class=\"seg {}\" x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\" aria-hidden=\"true\"/>",
                escape(&seg.class),
                n(lx),
                n(ly - 9.0),
                fallback_fill(&seg.class)
            );
            let text = legend_text(seg);
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"currentColor\">{}</text>",
                n(lx + 14.0),
                n(ly),
                escape(&text)
            );
        }
    }
    out.push_str("</svg>");
    out
}

fn fallback_fill(class: &str) -> &'static str {
    match class {
        "seg-ok" => "#1a7f37",
        "seg-warn" => "#9a6700",
        "seg-err" => "#cf222e",
        "seg-info" => "#0969da",
        _ => "#59636e",
    }
}

/// The coverage picture: whether packages state a version, and whether their review is due.
pub fn coverage_bar(id: &str, totals: &crate::coverage::Totals, renewal_months: u32, fit: Fit) -> String {
    let seg = |label: &str, count: usize, class: &str| Segment {
        label: label.to_owned(),
        count,
        class: class.to_owned(),
    };
    let undated = totals.units - totals.renewal_due - totals.renewal_current;
    let rows = [
        BarRow {
            label: "Version covered".to_owned(),
            segments: vec![
                seg("version stated", totals.version_stated, "seg-ok"),
                seg("not stated", totals.no_version, "seg-warn"),
            ],
        },
        BarRow {
            label: "Annual review".to_owned(),
            segments: vec![
                seg(
                    &format!("within {renewal_months} months"),
                    totals.renewal_current,
                    "seg-ok",
                ),
                seg("renewal due", totals.renewal_due, "seg-err"),
                seg("no completion date", undated, "seg-muted"),
            ],
        },
    ];
    bars(id, "Version coverage and renewal", &rows, fit)
}

// ---------------------------------------------------------------------------------------
// Process step diagram
// ---------------------------------------------------------------------------------------

/// One step of a path, with how many packages on that path passed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `A1`, `B12`.
    pub id: String,
    pub title: String,
    pub passed: usize,
    pub total: usize,
}

/// One path through the process: its steps in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    pub title: String,
    pub steps: Vec<Step>,
}

const BOX_W: f64 = 156.0;
const BOX_H: f64 = 88.0;
const GAP_X: f64 = 30.0;
const GAP_Y: f64 = 36.0;
const PER_ROW: usize = 5;
const LANE_TITLE: f64 = 30.0;
const MARGIN: f64 = 8.0;

/// Both paths as boxes joined by arrows, wrapping after five steps; each box shows the step
/// id, its title and "N of M passed" with a small progress bar.
pub fn process_diagram(id: &str, lanes: &[Lane], fit: Fit) -> String {
    let per_row = match fit {
        Fit::Wide => PER_ROW,
        Fit::Narrow => 2,
    };
    let width = MARGIN * 2.0 + per_row as f64 * BOX_W + (per_row - 1) as f64 * GAP_X;
    let lane_height = |lane: &Lane| {
        let rows = lane.steps.len().div_ceil(per_row).max(1);
        LANE_TITLE + rows as f64 * BOX_H + (rows - 1) as f64 * GAP_Y + 24.0
    };
    let height: f64 = MARGIN + lanes.iter().map(lane_height).sum::<f64>();
    let mut desc = String::new();
    for lane in lanes {
        let _ = write!(desc, "{}: ", lane.title);
        let steps: Vec<String> = lane
            .steps
            .iter()
            .map(|s| {
                format!(
                    "{} {}, {} of {} packages passed",
                    s.id, s.title, s.passed, s.total
                )
            })
            .collect();
        desc.push_str(&steps.join("; then "));
        desc.push_str(". ");
    }
    let mut out = String::new();
    open(
        &mut out,
        id,
        fit,
        "steps",
        width,
        height,
        "The assessment process at a glance",
        desc.trim_end(),
    );
    let mut top = MARGIN;
    for lane in lanes {
        let _ = write!(
            out,
            "<text class=\"lane-title\" x=\"{}\" y=\"{}\" font-size=\"15\" font-weight=\"700\" fill=\"currentColor\">{}</text>",
            n(MARGIN),
            n(top + 18.0),
            escape(&clip(&lane.title, (width / 9.5) as usize))
        );
        let origin = top + LANE_TITLE;
        let place = |i: usize| {
            let (row, col) = (i / per_row, i % per_row);
            (
                MARGIN + col as f64 * (BOX_W + GAP_X),
                origin + row as f64 * (BOX_H + GAP_Y),
            )
        };
        for (i, step) in lane.steps.iter().enumerate() {
            let (x, y) = place(i);
            if i + 1 < lane.steps.len() {
                let (nx, ny) = place(i + 1);
                out.push_str(&arrow(x, y, nx, ny));
            }
            out.push_str(&step_box(step, x, y));
        }
        top += lane_height(lane);
    }
    out.push_str("</svg>");
    out
}

fn step_box(step: &Step, x: f64, y: f64) -> String {
    let ratio = if step.total == 0 {
        0.0
    } else {
        step.passed as f64 / step.total as f64
    };
    let state = if step.total == 0 {
        "none"
    } else if step.passed == step.total {
        "all"
    } else if step.passed == 0 {
        "zero"
    } else {
        "some"
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<g class=\"step step-{state}\"><title>{}: {}. {} of {} packages passed.</title>",
        escape(&step.id),
        escape(&step.title),
        step.passed,
        step.total
    );
    let _ = write!(
        out,
        "<rect class=\"step-box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"#f6f8fa\" stroke=\"#d1d9e0\"/>",
        n(x),
        n(y),
        n(BOX_W),
        n(BOX_H)
    );
    let _ = write!(
        out,
        "<text class=\"step-id\" x=\"{}\" y=\"{}\" font-weight=\"700\" fill=\"currentColor\">{}</text>",
        n(x + 8.0),
        n(y + 17.0),
        escape(&step.id)
    );
    for (i, line) in wrap(&step.title, 22, 2).iter().enumerate() {
        let _ = write!(
            out,
            "<text class=\"step-title\" x=\"{}\" y=\"{}\" fill=\"currentColor\">{}</text>",
            n(x + 8.0),
            n(y + 34.0 + i as f64 * 14.0),
            escape(line)
        );
    }
    let _ = write!(
        out,
        "<text class=\"step-count\" x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"currentColor\">{} of {} passed</text>",
        n(x + 8.0),
        n(y + BOX_H - 16.0),
        step.passed,
        step.total
    );
    let bar_w = BOX_W - 16.0;
    let _ = write!(
        out,
        "<rect class=\"step-bar-bg\" x=\"{bx}\" y=\"{by}\" width=\"{w}\" height=\"5\" rx=\"2\" fill=\"#d1d9e0\"/>\
         <rect class=\"step-bar\" x=\"{bx}\" y=\"{by}\" width=\"{fw}\" height=\"5\" rx=\"2\" fill=\"#1a7f37\"/>",
        bx = n(x + 8.0),
        by = n(y + BOX_H - 10.0),
        w = n(bar_w),
        fw = n(bar_w * ratio)
    );
    out.push_str("</g>");
    out
}

/// An arrow from one box to the next: straight within a row; down, back and down again
/// when the row wraps.
fn arrow(x: f64, y: f64, nx: f64, ny: f64) -> String {
    let (points, head) = if (ny - y).abs() < f64::EPSILON {
        let (x1, x2, cy) = (x + BOX_W, nx - 2.0, y + BOX_H / 2.0);
        (
            format!("{},{} {},{}", n(x1), n(cy), n(x2 - 6.0), n(cy)),
            triangle_right(x2, cy),
        )
    } else {
        let (x1, y1) = (x + BOX_W / 2.0, y + BOX_H);
        let mid = y + BOX_H + GAP_Y / 2.0;
        let (x2, y2) = (nx + BOX_W / 2.0, ny - 2.0);
        (
            format!(
                "{},{} {},{} {},{} {},{}",
                n(x1),
                n(y1),
                n(x1),
                n(mid),
                n(x2),
                n(mid),
                n(x2),
                n(y2 - 6.0)
            ),
            triangle_down(x2, y2),
        )
    };
    format!(
        "<g class=\"arrow\" aria-hidden=\"true\"><polyline points=\"{points}\" fill=\"none\" stroke=\"#59636e\" stroke-width=\"1.5\"/>\
         <polygon points=\"{head}\" fill=\"#59636e\"/></g>"
    )
}

fn triangle_right(x: f64, y: f64) -> String {
    format!(
        "{},{} {},{} {},{}",
        n(x - 7.0),
        n(y - 4.5),
        n(x),
        n(y),
        n(x - 7.0),
        n(y + 4.5)
    )
}

fn triangle_down(x: f64, y: f64) -> String {
    format!(
        "{},{} {},{} {},{}",
        n(x - 4.5),
        n(y - 7.0),
        n(x),
        n(y),
        n(x + 4.5),
        n(y - 7.0)
    )
}

/// Word-wraps `text` into at most `lines` lines of `width` characters; the last one is
/// clipped with an ellipsis.
fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let needed = if current.is_empty() {
            word.chars().count()
        } else {
            current.chars().count() + 1 + word.chars().count()
        };
        if needed <= width || current.is_empty() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
            continue;
        }
        out.push(std::mem::take(&mut current));
        current.push_str(word);
        if out.len() == lines - 1 {
            let rest: Vec<&str> = words.by_ref().collect();
            if !rest.is_empty() {
                current.push(' ');
                current.push_str(&rest.join(" "));
            }
            break;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.into_iter()
        .map(|l| clip(&l, width))
        .take(lines.max(1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn well_formed(svg: &str) {
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "{svg}");
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id="));
        assert!(svg.contains("<desc id="));
        // No external references, scripts or inline styles: the CSP would block them.
        for banned in ["href", "<script", "style=", "url(", "<image", "<foreignObject"] {
            assert!(!svg.contains(banned), "{banned} in {svg}");
        }
        // Tags balance.
        for tag in ["g", "text", "svg", "title", "desc"] {
            let opens = svg.matches(&format!("<{tag}>")).count() + svg.matches(&format!("<{tag} ")).count();
            assert_eq!(
                opens,
                svg.matches(&format!("</{tag}>")).count(),
                "<{tag}> in {svg}"
            );
        }
    }

    fn mark(label: &str, date: &str, path: &str, stale: bool) -> Mark {
        Mark {
            label: label.into(),
            date: date.into(),
            path: path.into(),
            stale,
        }
    }

    #[test]
    fn timeline_is_accessible_and_escapes() {
        let svg = timeline(
            "tl",
            &[
                mark("<b>&co", "2020-06", "joint", true),
                mark("tidepool", "2024-03-02", "self", false),
                mark("x", "n/a", "self", false),
            ],
            Some("2025-06-01"),
            Fit::Wide,
        );
        well_formed(&svg);
        assert!(svg.contains("&lt;b&gt;&amp;co"), "{svg}");
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("2 assessments with a completion date, from 2020-06 to 2024-03-02: 1 joint, 1 self-assessments; 1 due for renewal."));
        assert!(
            svg.contains("<title>&lt;b&gt;&amp;co: joint assessment completed 2020-06, renewal due</title>")
        );
        assert!(svg.contains(">2025</text>"), "today extends the axis");
        assert!(svg.contains("<circle") && svg.contains("<rect") && svg.contains("fill=\"none\""));
        assert_eq!(
            svg,
            timeline(
                "tl",
                &[
                    mark("<b>&co", "2020-06", "joint", true),
                    mark("tidepool", "2024-03-02", "self", false)
                ],
                Some("2025-06-01"),
                Fit::Wide
            )
        );
    }

    #[test]
    fn empty_timeline_says_so() {
        let svg = timeline("t", &[], None, Fit::Wide);
        well_formed(&svg);
        assert!(svg.contains("No package states a completion date"));
    }

    #[test]
    fn coverage_bar_has_legend_in_words() {
        let totals = crate::coverage::Totals {
            units: 10,
            version_stated: 3,
            no_version: 7,
            renewal_due: 4,
            renewal_current: 2,
            ..Default::default()
        };
        let svg = coverage_bar("cov", &totals, 12, Fit::Wide);
        well_formed(&svg);
        assert!(
            svg.contains("Version covered (10 packages): 3 version stated, 7 not stated."),
            "{svg}"
        );
        assert!(svg.contains(
            "Annual review (10 packages): 2 within 12 months, 4 renewal due, 4 no completion date."
        ));
        assert!(svg.contains(">not stated (7)</text>"));
        assert!(svg.contains("<title>renewal due: 4 of 10</title>"));
    }

    #[test]
    fn process_diagram_wraps_and_counts() {
        let steps = |prefix: &str, count: usize| -> Vec<Step> {
            (0..count)
                .map(|i| Step {
                    id: format!("{prefix}{i}"),
                    title: format!("Step <{i}> with a rather long title that wraps"),
                    passed: i,
                    total: 12,
                })
                .collect()
        };
        let lanes = [
            Lane {
                title: "Path A".into(),
                steps: steps("A", 4),
            },
            Lane {
                title: "Path B".into(),
                steps: steps("B", 13),
            },
        ];
        let svg = process_diagram("steps", &lanes, Fit::Wide);
        well_formed(&svg);
        assert_eq!(svg.matches("class=\"step step-").count(), 17);
        assert_eq!(svg.matches("class=\"arrow\"").count(), 3 + 12);
        assert!(
            svg.contains(
                "B12 Step &lt;12&gt; with a rather long title that wraps, 12 of 12 packages passed."
            )
        );
        assert!(svg.contains(">3 of 12 passed</text>"));
        assert!(svg.contains("step-all") && svg.contains("step-zero") && svg.contains("step-some"));
    }

    #[test]
    fn wrapping_and_numbers() {
        assert_eq!(
            wrap("Complete a self-assessment", 24, 2),
            vec!["Complete a", "self-assessment"]
        );
        assert_eq!(
            wrap("one two three four five six seven eight", 10, 2),
            vec!["one two", "three fou…"]
        );
        assert_eq!(wrap("short", 24, 2), vec!["short"]);
        assert_eq!(n(3.0), "3");
        assert_eq!(n(2.25), "2.3");
        assert_eq!(escape("a'b\"c<d>&\u{1}"), "a&#39;b&quot;c&lt;d&gt;&amp;");
    }

    #[test]
    fn narrow_layouts_fit_a_phone_and_keep_ids_apart() {
        let marks = [mark("a-very-long-project-name", "2019-06", "joint", false)];
        let narrow = timeline("tl", &marks, Some("2025-06-01"), Fit::Narrow);
        well_formed(&narrow);
        assert!(narrow.contains("viewBox=\"0 0 360 ") && !narrow.contains(" width=\"360\""));
        assert!(narrow.contains("id=\"tl-narrow-title\"") && narrow.contains("chart-narrow"));
        let lanes = [Lane {
            title: "Path".into(),
            steps: (1..=3)
                .map(|i| Step {
                    id: format!("A{i}"),
                    title: "Step".into(),
                    passed: 1,
                    total: 2,
                })
                .collect(),
        }];
        let diagram = process_diagram("p", &lanes, Fit::Narrow);
        assert!(
            diagram.contains("viewBox=\"0 0 358 "),
            "two boxes a row: {diagram}"
        );
    }
}
