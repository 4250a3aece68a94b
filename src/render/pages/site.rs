//! Pages that belong to the site rather than to a project or the process: plain pages,
//! the 404 page and the sitemap.

use super::Renderer;
use super::urls::{base_path, percent_path, pretty};
use crate::error::Result;
use crate::model::Document;
use crate::output::{Content, OutputFile};

impl Renderer<'_> {
    pub(super) fn plain_page(&self, doc: &Document) -> Result<OutputFile> {
        let rendered = self.body(doc);
        self.body_page(&doc.url, "page.html", rendered, |context| {
            self.fill_common(context, &doc.url, &doc.title, "projects");
            self.insert_body(context, &rendered.html);
        })
    }

    pub(super) fn not_found(&self) -> Result<OutputFile> {
        self.page("404.html", "404.html", |context| {
            let mut common = self.common("404.html", "Page not found", "");
            // Served for any missing path, so relative links would break: use the base path.
            common.root = base_path(&self.config.base_url);
            super::insert_common(context, &common);
        })
    }

    /// Every HTML page of `files` but the 404 page, by its absolute pretty URL; `None`
    /// without an absolute `http(s)` base URL, since the sitemap protocol allows only
    /// absolute locations and a relative one is invalid.
    pub(super) fn sitemap(&self, files: &[OutputFile]) -> Option<OutputFile> {
        let base = &self.config.base_url;
        if !is_absolute_http(base) {
            return None;
        }
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let mut pages: Vec<&str> = files
            .iter()
            .map(|f| f.path.as_str())
            .filter(|p| p.ends_with(".html") && *p != "404.html")
            .collect();
        pages.sort_unstable();
        for page in pages {
            let loc = format!("{base}{}", percent_path(&pretty(page)));
            xml.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(&loc)));
        }
        xml.push_str("</urlset>\n");
        Some(OutputFile {
            path: "sitemap.xml".into(),
            content: Content::Bytes(xml.into_bytes()),
        })
    }
}

/// `http://host…` or `https://host…`, with a host.
fn is_absolute_http(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://"]
        .iter()
        .filter_map(|scheme| lower.strip_prefix(scheme))
        .any(|rest| !rest.is_empty() && !rest.starts_with('/'))
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
