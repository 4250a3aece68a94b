//! `tssa serve` keeps the compiled theme from one rebuild to the next, so a theme edit must
//! still reach the pages on the next reload, and a content edit after it must keep it.

mod serve_support;

use serve_support::*;

const NOT_FOUND: &str = "site/theme/templates/404.html";

fn not_found_template(heading: &str) -> String {
    format!("{{% extends \"base.html\" %}}\n{{% block main %}}\n<h1>{heading}</h1>\n{{% endblock main %}}\n")
}

/// The fixture with a theme folder overriding the 404 template.
fn themed_fixture() -> Fixture {
    let fixture = Fixture::new();
    fixture.write("site/book.toml", "[site]\ntheme = \"theme\"\n");
    fixture.write(NOT_FOUND, &not_found_template("FIRST-THEME-HEADING"));
    fixture
}

#[test]
fn a_template_edit_shows_on_the_next_reload_and_stays_after_a_content_edit() {
    let fixture = themed_fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    assert!(serve.get("/404.html").text().contains("FIRST-THEME-HEADING"));

    let mut events = serve.events();
    fixture.write(NOT_FOUND, &not_found_template("SECOND-THEME-HEADING"));
    events.expect_page_with(&serve, "/404.html", "SECOND-THEME-HEADING", "a template edit");

    // The next rebuild is a content one: it reuses the theme, which must be the edited one.
    fixture.write(
        &format!("site/{ALPHA_DOC}"),
        "# Alpha self-assessment\n\nAFTER-THEME-EDIT\n",
    );
    events.expect_page_with(&serve, ALPHA_PAGE, "AFTER-THEME-EDIT", "a content edit");
    let page = serve.get("/404.html").text();
    assert!(page.contains("SECOND-THEME-HEADING"), "{page}");
    assert!(!page.contains("FIRST-THEME-HEADING"), "{page}");
}

#[test]
fn a_broken_template_keeps_the_pages_and_its_fix_shows() {
    let fixture = themed_fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    let mut events = serve.events();

    fixture.write(NOT_FOUND, "{% extends \"base.html\" %}{% block main %}<h1>BROKEN");
    let data = events.expect_reload(&serve, "a broken template");
    assert!(
        serve.get("/404.html").text().contains("FIRST-THEME-HEADING"),
        "the last good pages stay up ({data})"
    );

    fixture.write(NOT_FOUND, &not_found_template("FIXED-THEME-HEADING"));
    events.expect_page_with(&serve, "/404.html", "FIXED-THEME-HEADING", "the template's fix");
}

#[test]
fn a_static_file_edit_in_the_theme_is_served() {
    let fixture = themed_fixture();
    fixture.write("site/theme/static/extra.css", "/* FIRST-CSS */\n");
    let serve = Serve::start(&fixture.root(), &[]);
    assert!(serve.get("/static/extra.css").text().contains("FIRST-CSS"));

    let mut events = serve.events();
    fixture.write("site/theme/static/extra.css", "/* SECOND-CSS */\n");
    events.expect_page_with(&serve, "/static/extra.css", "SECOND-CSS", "a theme static edit");
}
