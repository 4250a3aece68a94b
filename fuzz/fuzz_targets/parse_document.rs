//! A whole document through `parse_document` as every kind: decoding, front matter, outline
//! and facts. Nothing may panic or hang, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tssa::model::DocKind;

fuzz_target!(|bytes: &[u8]| {
    for kind in [DocKind::SelfAssessment, DocKind::JointAssessment, DocKind::Summary, DocKind::Other] {
        let _ = tssa::parse::parse_document("projects/fuzz/doc.md", bytes, kind);
    }
});
