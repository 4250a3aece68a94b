//! The site chrome every page shares: link-preview (Open Graph / Twitter) meta in the head.

use crate::common::*;

/// The `content` of `<meta property|name=key>` in `html`, if there is exactly one.
fn meta(html: &str, key: &str) -> Option<String> {
    let found: Vec<String> = tags(html)
        .into_iter()
        .filter(|tag| tag.name == "meta")
        .filter(|tag| tag.attr("property") == Some(key) || tag.attr("name") == Some(key))
        .filter_map(|tag| tag.attr("content").map(str::to_owned))
        .collect();
    assert!(found.len() <= 1, "{key} given {} times", found.len());
    found.into_iter().next()
}

#[test]
fn every_page_has_link_preview_meta() {
    let fixture = Fixture::new("good");
    fixture.build().assert_built();
    let site = fixture.site();
    let pages = site.html_pages();
    assert!(pages.len() > 3, "{pages:?}");
    for page in &pages {
        let html = site.page(page);
        for key in [
            "og:title",
            "og:description",
            "og:type",
            "og:site_name",
            "twitter:card",
        ] {
            let value = meta(&html, key).unwrap_or_else(|| panic!("{page}: no {key}"));
            assert!(!value.trim().is_empty(), "{page}: empty {key}");
        }
        assert_eq!(meta(&html, "twitter:card").as_deref(), Some("summary"), "{page}");
        assert_eq!(meta(&html, "og:url"), None, "{page}: og:url without a base URL");
    }
    assert_eq!(
        meta(&site.page("404.html"), "og:title").as_deref(),
        Some("Page not found")
    );
}

#[test]
fn og_url_is_the_canonical_address_when_a_base_url_is_set() {
    let fixture = Fixture::new("good");
    fixture
        .build_with(&["--base-url", "https://example.org/docs/"])
        .assert_built();
    let site = fixture.site();
    for page in site.html_pages().iter().filter(|p| p.as_str() != "404.html") {
        let html = site.page(page);
        let canonical = tags(&html)
            .into_iter()
            .find(|tag| tag.name == "link" && tag.attr("rel") == Some("canonical"))
            .and_then(|tag| tag.attr("href").map(str::to_owned));
        assert!(canonical.is_some(), "{page}: no canonical link");
        assert_eq!(meta(&html, "og:url"), canonical, "{page}");
    }
}

#[test]
fn status_and_document_pages_describe_themselves() {
    let fixture = Fixture::new("good");
    fixture.build().assert_built();
    let site = fixture.site();
    // A document: its first paragraph of some length, not the table of contents or metadata.
    let doc = site.page("projects/alderwick/self-assessment.html");
    let described = meta(&doc, "description").unwrap_or_default();
    assert!(
        described.starts_with("Alderwick signs every job manifest before it is queued"),
        "{described}"
    );
    assert_eq!(meta(&doc, "og:description").as_deref(), Some(described.as_str()));
    // A status page: the project and its verdict.
    let status = meta(&site.page("projects/alderwick/index.html"), "description").unwrap_or_default();
    assert!(
        status.starts_with("Alderwick: ") && status.contains("required items"),
        "{status}"
    );
    // Pages with nothing of their own keep the site's description.
    let home = meta(&site.page("index.html"), "description").unwrap_or_default();
    assert_eq!(
        meta(&site.page("404.html"), "description").as_deref(),
        Some(home.as_str())
    );
}
