//! One save is one rebuild and one reload, whichever way the editor writes the file: in place
//! in several writes (VS Code, most editors), or vim's dance (a probe file, the original
//! renamed to a backup, the new text written, the backup removed). The watcher's debounce
//! merges the events of one save; these tests guard it when it is tuned for latency.

mod serve_support;

use std::fs;
use std::io::Write;
use std::time::{Duration, Instant};

use serve_support::*;

/// How long to listen for a second reload that should not come: many times the debounce.
const QUIET: Duration = Duration::from_millis(600);

fn rebuilds(serve: &Serve) -> usize {
    serve.stderr().matches("rebuilt after").count()
}

/// After the save's reload, no other reload comes and the server reports one rebuild.
fn expect_one_rebuild(serve: &Serve, events: &mut Events, needle: &str, why: &str) {
    events.expect_page_with(serve, ALPHA_PAGE, needle, why);
    let deadline = Instant::now() + QUIET;
    while let Some((name, data)) = events.next(deadline) {
        assert_ne!(name, "reload", "a second reload after {why}: {data}");
    }
    let text = serve.stderr_with("rebuilt after");
    assert_eq!(rebuilds(serve), 1, "one rebuild after {why}:\n{text}");
}

#[test]
fn a_save_in_place_in_several_writes_is_one_rebuild() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture.root(), &[]);
    let mut events = serve.events();
    let path = fixture.root().join(ALPHA_DOC);
    let mut file = fs::File::create(&path).expect("truncate the document");
    for part in [
        "# Alpha self-assessment\n\n",
        "IN-PLACE-SAVE\n\n",
        "## Metadata\n\nSome words.\n",
    ] {
        file.write_all(part.as_bytes()).expect("write a part");
        file.flush().expect("flush");
    }
    drop(file);
    expect_one_rebuild(&serve, &mut events, "IN-PLACE-SAVE", "a save in place");
}

#[test]
fn a_save_the_way_vim_does_is_one_rebuild() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture.root(), &[]);
    let mut events = serve.events();
    let path = fixture.root().join(ALPHA_DOC);
    let folder = path.parent().expect("the document's folder");
    // vim checks it may write in the folder, keeps the original as a backup, writes anew.
    let probe = folder.join("4913");
    fs::write(&probe, "").expect("probe");
    fs::remove_file(&probe).expect("remove probe");
    let backup = folder.join("self-assessment.md~");
    fs::rename(&path, &backup).expect("keep a backup");
    fs::write(&path, "# Alpha self-assessment\n\nVIM-SAVE\n").expect("write anew");
    fs::remove_file(&backup).expect("remove the backup");
    expect_one_rebuild(&serve, &mut events, "VIM-SAVE", "vim's save");
}
