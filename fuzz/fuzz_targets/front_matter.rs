//! The front-matter reader: finding the block, then reading its YAML as a sidecar would be read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tssa::model::Provenance;
use tssa::parse::frontmatter;

fuzz_target!(|text: &str| {
    if let Ok(Some(block)) = frontmatter::split(text) {
        let _ = frontmatter::parse(block.yaml, "doc.md", block.yaml_line, |file, line| {
            Provenance::FrontMatter { file: file.into(), line }
        });
    }
    let _ = frontmatter::parse(text, "tssa.yaml", 1, |file, line| Provenance::Sidecar {
        file: file.into(),
        line,
    });
});
