//! The checker's rules: the part of the code registry ([`crate::diagnostic::codes`]) that
//! judges packages. Kept as its own list because a front matter exemption may name only these:
//! it changes a package's verdict, and the other codes are not part of one.

pub use crate::diagnostic::codes::Rule;

/// All rules, grouped by the document they look at.
pub const RULES: &[Rule] = crate::diagnostic::codes::CHECK_RULES;

/// The rule with this id.
pub fn rule_by_id(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}
