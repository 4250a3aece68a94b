//! What `serve` adds to the HTML it sends (never to the built files): the reload client and,
//! while the latest build has errors, an overlay listing them.

use crate::diagnostic::Diagnostic;
use crate::html::escape;

/// `html` with the reload script, and the overlay if there are `problems`, before `</body>`.
/// `depth`: how many folders deep the requested URL is; everything is linked relative to the
/// page, which keeps working when a proxy serves the preview under a sub-path.
pub(crate) fn inject(
    html: &[u8],
    depth: usize,
    version: u64,
    problems: &[Diagnostic],
    stale: bool,
) -> Vec<u8> {
    let up = "../".repeat(depth);
    let mut extra = String::new();
    if !problems.is_empty() {
        extra.push_str(&overlay(&up, problems, stale));
    }
    extra.push_str(&script(&up, version));
    let at = body_end(html).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// Where the last `</body` starts, any case.
fn body_end(html: &[u8]) -> Option<usize> {
    const TAG: &[u8] = b"</body";
    html.windows(TAG.len()).rposition(|w| w.eq_ignore_ascii_case(TAG))
}

fn script(up: &str, version: u64) -> String {
    format!("<script src=\"{up}__tssa/client.js\" data-version=\"{version}\"></script>\n")
}

/// The reload client. A file rather than an inline script, because the theme's Content
/// Security Policy allows scripts from the site only; it finds the event stream beside itself.
pub(crate) const CLIENT_JS: &str = r#"(() => {
  const script = document.currentScript;
  const version = script.dataset.version;
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("[data-tssa-dismiss]")) {
      const overlay = document.getElementById("tssa-overlay");
      if (overlay) overlay.remove();
    }
  });
  if (!("EventSource" in window)) return;
  const events = new EventSource(new URL("events", script.src));
  const check = (event) => {
    if (event.data !== version) { events.close(); location.reload(); }
  };
  events.addEventListener("hello", check);
  events.addEventListener("reload", check);
})();
"#;

/// The overlay's look, also a file: the theme's policy refuses inline styles. It follows the
/// reader's colour scheme (a light box on a dark page glares) and is left off paper.
pub(crate) const OVERLAY_CSS: &str = "#tssa-overlay{position:fixed;left:1rem;right:1rem;bottom:1rem;\
z-index:2147483647;max-height:50vh;overflow:auto;padding:1rem 1.25rem;border:2px solid #b42318;\
border-radius:6px;background:#fff5f4;color:#1f1f1f;font:14px/1.45 system-ui,sans-serif;\
box-shadow:0 4px 24px rgba(0,0,0,.25)}\n\
#tssa-overlay ul{margin:.5rem 0 0;padding-left:1.25rem}\n\
#tssa-overlay code{font-size:13px}\n\
#tssa-overlay button{float:right;border:0;background:none;font-size:1.25rem;line-height:1;cursor:pointer;color:inherit}\n\
@media (prefers-color-scheme:dark){#tssa-overlay{border-color:#f85149;background:#2d1214;color:#f0f3f6;\
box-shadow:0 4px 24px rgba(0,0,0,.6)}}\n\
@media print{#tssa-overlay{display:none}}\n";

fn overlay(up: &str, problems: &[Diagnostic], stale: bool) -> String {
    let title = if stale {
        "tssa: the last rebuild has errors; this is the last good build"
    } else {
        "tssa: the site has errors"
    };
    let mut html = format!(
        "<link rel=\"stylesheet\" href=\"{up}__tssa/overlay.css\">\n<div id=\"tssa-overlay\" role=\"alert\">\
         <button type=\"button\" data-tssa-dismiss aria-label=\"Dismiss\">&times;</button>\
         <strong>{title}</strong><ul>"
    );
    for problem in problems {
        let place = match (&problem.file, problem.line) {
            (Some(file), Some(line)) => format!("{file}:{line}"),
            (Some(file), None) => file.to_string(),
            (None, _) => String::new(),
        };
        html.push_str("<li>");
        if !place.is_empty() {
            html.push_str(&format!("<code>{}</code>: ", escape(&place)));
        }
        html.push_str(&escape(&problem.message));
        html.push_str(&format!(" <small>[{}]</small>", escape(&problem.code)));
        if let Some(help) = &problem.help {
            html.push_str(&format!("<br><small>{}</small>", escape(help)));
        }
        html.push_str("</li>");
    }
    html.push_str("</ul></div>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_goes_before_the_last_body_end_tag() {
        let out = inject(b"<html><body><p>x</p></BODY></html>", 0, 3, &[], false);
        let text = String::from_utf8_lossy(&out);
        let script = text
            .find(r#"<script src="__tssa/client.js" data-version="3">"#)
            .unwrap_or(usize::MAX);
        assert!(script < text.find("</BODY>").unwrap_or(0), "{text}");
    }

    #[test]
    fn client_is_linked_relative_to_the_site_root() {
        let out = inject(b"<p>no body tag</p>", 2, 3, &[], false);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("<p>no body tag</p><script"), "{text}");
        assert!(text.contains(r#"src="../../__tssa/client.js""#), "{text}");
    }

    #[test]
    fn overlay_follows_a_dark_colour_scheme() {
        // The browser suite checks the colour it gets; this keeps the rule without chromium.
        let dark = OVERLAY_CSS
            .split("@media (prefers-color-scheme:dark)")
            .nth(1)
            .unwrap_or_default();
        assert!(dark.starts_with("{#tssa-overlay{"), "{OVERLAY_CSS}");
        assert!(dark.contains("background:#2d1214"), "{OVERLAY_CSS}");
    }

    #[test]
    fn overlay_escapes_messages() {
        let problem = Diagnostic::error("front-matter/syntax", "unexpected <script>").at("a/b.md", Some(3));
        let out = inject(b"<body></body>", 0, 1, &[problem], true);
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.contains("<code>a/b.md:3</code>: unexpected &lt;script&gt;"),
            "{text}"
        );
        assert!(!text.contains("unexpected <script>"), "{text}");
        assert!(
            text.contains(r#"<link rel="stylesheet" href="__tssa/overlay.css">"#),
            "{text}"
        );
    }
}
