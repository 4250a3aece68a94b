//! The site search's index (`search/`) and the header box every page carries.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Fixture, PROJECTS, Site, corpus, tssa};

/// A package of our own words, so that a test can look one up and know where it must be.
const QUILLON: &str = "---
reviewers:
  - name: Odalys Brenneke
---
# Quillon self-assessment

Quillon rotates signing keys for edge gateways.

## Zephyrine handling

The marmoset token is rotated hourly.

## Ünïcode Überblick

Grüße aus 東京.
";

fn built() -> Fixture {
    let fx = Fixture::new("good");
    fx.write(&format!("{PROJECTS}/quillon/self-assessment.md"), QUILLON);
    fx.build().assert_code(0);
    fx
}

fn json(site: &Site, rel: &str) -> Value {
    serde_json::from_str(&site.page(rel)).unwrap_or_else(|e| panic!("`{rel}` is not JSON: {e}"))
}

/// The snippet file holding `page`'s texts.
fn text_file(page: &Value) -> String {
    format!(
        "search/text/{}.json",
        page["x"].as_u64().expect("a snippet file number")
    )
}

/// The index, the terms of every shard, and each page's snippet texts.
struct Index {
    main: Value,
    terms: serde_json::Map<String, Value>,
}

impl Index {
    fn read(site: &Site) -> Index {
        let main = json(site, "search/index.json");
        let mut terms = serde_json::Map::new();
        for key in main["shards"].as_array().expect("shards") {
            let key = key.as_str().expect("a shard key");
            let Value::Object(shard) = json(site, &format!("search/terms/{key}.json")) else {
                panic!("shard {key} is not an object");
            };
            terms.extend(shard);
        }
        Index { main, terms }
    }

    fn section(&self, n: u64) -> (&Value, &str, &str) {
        let sec = &self.main["sections"][n as usize];
        let page = &self.main["pages"][sec[0].as_u64().expect("page number") as usize];
        (
            page,
            sec[1].as_str().expect("heading"),
            sec[2].as_str().expect("anchor"),
        )
    }

    /// `(page url, heading, anchor, weight)` of every section holding `term`.
    fn hits(&self, term: &str) -> Vec<(String, String, String, u64)> {
        let list = self
            .terms
            .get(term)
            .unwrap_or_else(|| panic!("`{term}` is not in the index"));
        let list: Vec<u64> = list
            .as_array()
            .expect("postings")
            .iter()
            .map(|v| v.as_u64().expect("number"))
            .collect();
        list.chunks(2)
            .map(|pair| {
                let (page, heading, anchor) = self.section(pair[0]);
                let url = page["u"].as_str().expect("url").to_owned();
                (url, heading.to_owned(), anchor.to_owned(), pair[1])
            })
            .collect()
    }
}

#[test]
fn index_files_exist_and_are_valid_json() {
    let fx = built();
    let site = Site::at(&fx.out);
    let index = Index::read(&site);
    let pages = index.main["pages"].as_array().expect("pages");
    assert!(pages.len() > 10, "too few pages indexed: {}", pages.len());
    for (n, page) in pages.iter().enumerate() {
        let texts = &json(&site, &text_file(page))[n.to_string()];
        let sections = index.main["sections"].as_array().expect("sections");
        let own = sections
            .iter()
            .filter(|s| s[0].as_u64() == Some(n as u64))
            .count();
        assert_eq!(texts.as_array().map(Vec::len), Some(own), "snippets of {page}");
    }
    site.assert_exists("static/search.js");
}

#[test]
fn a_word_is_found_at_its_page_and_heading() {
    let fx = built();
    let index = Index::read(&Site::at(&fx.out));
    let hits = index.hits("marmoset");
    assert_eq!(hits.len(), 1, "{hits:?}");
    let (url, heading, anchor, _) = &hits[0];
    assert!(url.ends_with("quillon/self-assessment.html"), "{url}");
    assert_eq!(
        (heading.as_str(), anchor.as_str()),
        ("Zephyrine handling", "zephyrine-handling")
    );
    // Words of the title and of a heading weigh more than the body's.
    let title = index.hits("quillon");
    let body = index.hits("hourly")[0].3;
    assert!(title.iter().any(|h| h.0 == *url && h.3 > body), "{title:?}");
    assert!(index.hits("zephyrine")[0].3 > body);
    // Unicode words, lowercased, in their own shards; anchors percent-encoded as in links.
    let decoded = |a: &str| {
        percent_encoding::percent_decode_str(a)
            .decode_utf8()
            .expect("UTF-8")
            .into_owned()
    };
    assert!(
        index
            .hits("überblick")
            .iter()
            .any(|h| decoded(&h.2) == "ünïcode-überblick")
    );
    assert!(!index.hits("東京").is_empty());
}

#[test]
fn facts_are_indexed_on_the_status_page() {
    let fx = built();
    let index = Index::read(&Site::at(&fx.out));
    let facts = |term: &str| {
        index
            .hits(term)
            .into_iter()
            .filter(|h| h.2 == "facts")
            .map(|h| h.0)
            .collect::<BTreeSet<_>>()
    };
    // A reviewer from front matter, and a value read from the document's metadata table.
    assert!(facts("brenneke").contains("projects/quillon/"));
    assert!(facts("python").contains("projects/brindle/"));
}

#[test]
fn every_url_in_the_index_resolves_to_a_built_page_and_anchor() {
    let fx = built();
    let site = Site::at(&fx.out);
    let index = Index::read(&site);
    let sections = index.main["sections"].as_array().expect("sections");
    assert!(sections.len() > 20);
    for n in 0..sections.len() as u64 {
        let (page, _, anchor) = index.section(n);
        let url = page["u"].as_str().expect("url");
        let path = percent_encoding::percent_decode_str(url)
            .decode_utf8()
            .expect("UTF-8");
        let file = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.into_owned()
        };
        let html = site.page(&file);
        if !anchor.is_empty() {
            let id = percent_encoding::percent_decode_str(anchor)
                .decode_utf8()
                .expect("UTF-8");
            assert!(html.contains(&format!(" id=\"{id}\"")), "{file} has no #{id}");
        }
    }
}

#[test]
fn every_page_carries_the_search_box_and_no_inline_script() {
    let fx = built();
    let site = Site::at(&fx.out);
    for rel in site.html_pages() {
        let html = site.page(&rel);
        for needle in [
            "<div class=\"site-search\" role=\"search\" hidden>",
            "<input type=\"search\" id=\"site-search\"",
            "<div id=\"search-results\" hidden>",
            "static/search.js\" defer></script>",
            "<html lang=\"en\" data-root=\"",
        ] {
            assert!(html.contains(needle), "{rel} lacks `{needle}`");
        }
    }
    site.assert_no_active_content();
}

#[test]
fn a_huge_section_keeps_a_bounded_snippet_and_builds_in_time() {
    let fx = Fixture::new("good");
    let words: String = (0..60_000).map(|i| format!("w{i} ")).collect();
    fx.write(
        &format!("{PROJECTS}/quillon/self-assessment.md"),
        format!("# Quillon\n\n## Long\n\n{words}\n"),
    );
    fx.build_within(Duration::from_secs(30)).assert_code(0);
    let site = Site::at(&fx.out);
    let index = Index::read(&site);
    let (n, _) = index.main["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .enumerate()
        .find(|(_, p)| p["t"] == "Quillon")
        .expect("the page is indexed");
    let page = &index.main["pages"][n];
    let texts = serde_json::to_string(&json(&site, &text_file(page))[n.to_string()]).expect("JSON");
    assert!(texts.len() < 8 * 1024, "snippets of {} bytes", texts.len());
    // The opening of the section is searchable; the index does not grow with the section.
    assert!(!index.hits("w1").is_empty());
    assert!(!index.terms.contains_key("w59999"));
}

#[test]
fn corpus_harbor_is_found_at_its_status_page() {
    let Some(corpus) = corpus() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let args = [
        OsStr::new("build"),
        OsStr::new("--root"),
        corpus.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ];
    tssa(tmp.path(), &args).assert_built();
    let site = Site::at(&out);
    let index = Index::read(&site);
    let hits = index.hits("harbor");
    let best = hits.iter().map(|h| h.3).max().expect("a hit");
    // Ties go to the page listed first, and a unit's status page comes before its documents.
    let first_best = hits.iter().find(|h| h.3 == best).expect("a best hit");
    assert_eq!(first_best.0, "projects/harbor/", "{hits:?}");
    // The first query fetches the index and one shard: kept small.
    let first = site.page("search/index.json").len() + site.page("search/terms/h.json").len();
    assert!(first < 300 * 1024, "first query fetches {first} bytes");
}
