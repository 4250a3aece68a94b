//! The facts reader on a document body, as each kind that states facts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tssa::model::DocKind;
use tssa::parse::facts;

fuzz_target!(|body: &str| {
    for kind in [DocKind::SelfAssessment, DocKind::JointAssessment, DocKind::Summary] {
        let _ = facts::extract(kind, body, "doc.md", 1);
    }
});
