//! The default theme's document pages take two shortcuts around Tera: the body is spliced
//! in after rendering instead of passing through the context, and the TOC is written by Rust
//! (`toc_html`). A theme's own `document.html` must see none of that: it still receives the
//! body and the TOC as values, whatever it does with them.

use crate::common::{Fixture, Site};

const WIGEON: &str = "projects/wigeon/self-assessment.html";

/// The theme-override fixture with `templates/document.html` replaced by `template`; the
/// wigeon self-assessment page it renders.
fn wigeon_page_with(template: &str) -> String {
    let fx = wigeon_with(template);
    fx.build().assert_code(0);
    fx.site().page(WIGEON)
}

/// The theme-override fixture with `templates/document.html` replaced by `template`.
fn wigeon_with(template: &str) -> Fixture {
    let fx = Fixture::new("theme-override");
    fx.write(
        "community/assessments/projects/wigeon/self-assessment.md",
        "# Wigeon self-assessment\n\nA package & its <own> theme.\n\n## Scope\n\nText.\n\n### Detail\n\nMore.\n",
    );
    fx.write("themes/x/templates/document.html", template);
    fx
}

#[test]
fn a_theme_that_escapes_the_body_gets_the_body_escaped() {
    let page = wigeon_page_with("BODY[{{ content }}]END");
    assert!(
        page.starts_with("BODY[&lt;") && page.contains("&lt;/p&gt;"),
        "the body is escaped, not spliced raw: {page}"
    );
    assert!(!page.contains("<p"), "no raw body: {page}");
    assert!(!page.contains('\0'), "no mark left: {page}");
}

#[test]
fn a_theme_that_measures_the_body_measures_the_body() {
    let page = wigeon_page_with("{% if content | length > 40 %}LONG{% else %}SHORT{% endif %}");
    assert_eq!(page.trim(), "LONG", "the real body is measured, not a mark");
}

/// A second build takes each body from the build cache, which leaves it in its file until a
/// page needs it: a theme that reads the body as a value must still get the real one.
#[test]
fn a_theme_that_measures_the_body_measures_it_when_it_comes_from_the_cache() {
    let fx = wigeon_with("{% if content | length > 40 %}LONG{% else %}SHORT{% endif %}");
    fx.build().assert_code(0);
    let again = fx.tmp().join("again");
    fx.build_into(&again, &[]).assert_code(0);
    assert_eq!(
        Site::at(&again).page(WIGEON).trim(),
        "LONG",
        "the cached body is measured"
    );
}

#[test]
fn a_theme_that_shows_the_body_twice_shows_it_twice() {
    let page = wigeon_page_with("<main>{{ content | safe }}</main><aside>{{ content | safe }}</aside>");
    assert_eq!(page.matches("A package &amp; its").count(), 2, "{page}");
    assert!(!page.contains('\0'), "no mark left: {page}");
}

#[test]
fn a_theme_that_filters_the_body_gets_it_filtered() {
    let page = wigeon_page_with("{% filter upper %}{{ content | safe }}{% endfilter %}");
    assert!(
        page.contains("A PACKAGE &AMP; ITS"),
        "the body itself went through the filter: {page}"
    );
}

#[test]
fn a_theme_that_writes_its_own_toc_gets_the_toc_as_data() {
    let page = wigeon_page_with(
        "{% for t in toc %}[{{ t.level }} {{ t.id }} {{ t.text }}]{% endfor %}|{{ content | safe }}",
    );
    assert!(
        page.starts_with("[2 scope Scope][3 detail Detail]|"),
        "toc entries reach the theme: {page}"
    );
    assert!(page.contains("A package &amp; its"), "{page}");
}

#[test]
fn the_default_theme_shows_the_body_once_and_the_nested_toc() {
    let fx = Fixture::new("theme-override");
    fx.write(
        "community/assessments/projects/wigeon/self-assessment.md",
        "# Wigeon\n\nOnce & only once.\n\n## Scope\n\n### Detail\n\n## Quote's \"end\"\n",
    );
    fx.build().assert_code(0);
    let page = fx.site().page(WIGEON);
    assert_eq!(page.matches("Once &amp; only once.").count(), 1, "{page}");
    assert!(!page.contains('\0'), "no mark left: {page}");
    assert!(
        page.contains(
            "<ul>\n<li class=\"toc-2\"><a href=\"#scope\">Scope</a><ul>\n<li class=\"toc-3\"><a href=\"#detail\">Detail</a></li>\n</ul></li>\n<li class=\"toc-2\"><a href=\"#quotes-end\">Quote&#39;s &quot;end&quot;</a></li>\n</ul>"
        ),
        "the TOC nests and escapes as the Tera loop did: {page}"
    );
    assert!(page.contains("static/toc.js"), "{page}");
}
