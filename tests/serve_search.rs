//! `tssa serve` keeps each document's weighed search terms with its rendered result between
//! rebuilds: after a one-file edit the index finds the edited page by its new words and no
//! longer by the old, and an unchanged page is still found by its own.

mod serve_support;

use serve_support::*;

#[test]
fn an_edit_reaches_the_search_index_and_other_pages_keep_their_terms() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture.root(), &[]);
    let original = serve.get("/search/terms/o.json").text();
    assert!(original.contains("\"original\":"), "{original}");
    assert!(serve.get("/search/terms/b.json").text().contains("\"beta\":"));

    let mut events = serve.events();
    fixture.write(
        &format!("site/{ALPHA_DOC}"),
        "# Alpha self-assessment\n\nPANGOLIN-ALPHA-TEXT\n\n## Metadata\n\nSome words.\n",
    );
    events.expect_page_with(&serve, "/search/terms/p.json", "\"pangolin\":", "the edit");
    let after = serve.get("/search/terms/o.json").text();
    assert!(
        !after.contains("\"original\":"),
        "the old word is still indexed: {after}"
    );
    assert!(serve.get("/search/terms/b.json").text().contains("\"beta\":"));
}
