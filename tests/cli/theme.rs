//! A site overrides any single template or static file of the default theme with a
//! same-named file in its own theme folder, and keeps every other file of the default.

use std::fs;

use crate::common::{Fixture, assert_same_files, text_of};

#[test]
fn theme_override_replaces_just_that_file() {
    let themed = Fixture::new("theme-override");
    themed.build().assert_code(0);
    let plain = Fixture::new("theme-override");
    fs::remove_file(plain.path("book.toml")).expect("remove book.toml");
    plain.build().assert_code(0);

    let mut with_theme = themed.site().files();
    let mut default = plain.site().files();
    let not_found = text_of(&String::from_utf8_lossy(&with_theme["404.html"]));
    assert!(
        not_found.contains("Lost in the fixture"),
        "the override's 404 is used: {not_found}"
    );
    assert!(
        text_of(&String::from_utf8_lossy(&default["404.html"])).contains("Page not found"),
        "the default 404 otherwise"
    );
    let css = fs::read(themed.path("themes/x/static/style.css")).expect("read override css");
    assert_eq!(
        with_theme.get("static/style.css"),
        Some(&css),
        "the override's style.css is published"
    );
    assert_ne!(default.get("static/style.css"), Some(&css));
    for replaced in ["404.html", "static/style.css"] {
        with_theme.remove(replaced);
        default.remove(replaced);
    }
    assert_same_files(
        &with_theme,
        &default,
        "every other file comes from the default theme",
    );
}

#[test]
fn theme_override_keeps_the_default_base_template_and_highlight_styles() {
    let fx = Fixture::new("theme-override");
    fx.build().assert_code(0);
    let site = fx.site();
    let not_found = site.page("404.html");
    assert!(
        not_found.contains("static/style.css"),
        "the override extends the default base.html"
    );
    site.assert_exists("static/highlight.css");
    site.assert_exists("projects/wigeon/self-assessment.html");
    site.assert_no_active_content();
}

#[test]
fn missing_theme_folder_exits_2() {
    let fx = Fixture::new("theme-override");
    fs::remove_dir_all(fx.path("themes")).expect("remove themes");
    let run = fx.build();
    run.assert_code(2);
    assert!(
        run.stderr.contains("themes/x") || run.stderr.contains("themes"),
        "{}",
        run.stderr
    );
}
