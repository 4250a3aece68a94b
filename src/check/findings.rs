//! Collecting findings for one unit. Each finding remembers the checklist item it belongs to,
//! so an exempt item also silences the findings that would have failed it.

use crate::diagnostic::{Diagnostic, Level};
use crate::model::Unit;

use super::ItemId;
use super::rules::rule_by_id;
use super::ruleset::Ruleset;

pub(crate) struct Finding {
    pub diag: Diagnostic,
    pub item: Option<ItemId>,
}

/// What every check of one unit needs to know.
pub(crate) struct Ctx<'a> {
    pub unit: &'a Unit,
    pub ruleset: Ruleset,
    /// The package's own date (completion), for template additions made within its era.
    pub era: Option<&'a str>,
    pub findings: Vec<Finding>,
}

impl Ctx<'_> {
    /// Records a finding at its rule's default level. `line: None` means the file as a whole.
    pub fn emit(
        &mut self,
        item: Option<ItemId>,
        code: &'static str,
        file: &str,
        line: Option<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        // An unknown id is a bug in this module; a test checks every emitted id, and at run
        // time a warning is the least surprising level.
        let level = rule_by_id(code).map_or(Level::Warning, |r| r.level);
        let diag = Diagnostic::new(level, code, message).at(file, line).help(help);
        self.findings.push(Finding { diag, item });
    }
}
