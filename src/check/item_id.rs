//! Checklist item ids as a type, so a misspelt id is a compile error rather than an item that
//! silently never matches. Text (front matter exemptions) becomes an [`ItemId`] at the
//! boundary, through [`ItemId::parse`].

use std::fmt;

use serde::Serialize;

/// A checklist item of `tssa-rules.md` §2–3: A1–A4 (self-assessment path), B0–B12 (joint).
/// Serialises and displays as its id (`"B12"`), the text reports have always used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ItemId {
    A1,
    A2,
    A3,
    A4,
    B0,
    B1,
    B2,
    B3,
    B4,
    B5,
    B6,
    B7,
    B8,
    B9,
    B10,
    B11,
    B12,
}

impl ItemId {
    /// Every item, in report order.
    pub const ALL: [ItemId; 17] = [
        ItemId::A1,
        ItemId::A2,
        ItemId::A3,
        ItemId::A4,
        ItemId::B0,
        ItemId::B1,
        ItemId::B2,
        ItemId::B3,
        ItemId::B4,
        ItemId::B5,
        ItemId::B6,
        ItemId::B7,
        ItemId::B8,
        ItemId::B9,
        ItemId::B10,
        ItemId::B11,
        ItemId::B12,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemId::A1 => "A1",
            ItemId::A2 => "A2",
            ItemId::A3 => "A3",
            ItemId::A4 => "A4",
            ItemId::B0 => "B0",
            ItemId::B1 => "B1",
            ItemId::B2 => "B2",
            ItemId::B3 => "B3",
            ItemId::B4 => "B4",
            ItemId::B5 => "B5",
            ItemId::B6 => "B6",
            ItemId::B7 => "B7",
            ItemId::B8 => "B8",
            ItemId::B9 => "B9",
            ItemId::B10 => "B10",
            ItemId::B11 => "B11",
            ItemId::B12 => "B12",
        }
    }

    /// An id as people write it: case-insensitive, surrounding space ignored (`b10`).
    pub fn parse(text: &str) -> Option<ItemId> {
        let text = text.trim();
        ItemId::ALL
            .into_iter()
            .find(|id| id.as_str().eq_ignore_ascii_case(text))
    }

    /// Whether the item belongs to the joint (B) path.
    pub fn is_joint(self) -> bool {
        self >= ItemId::B0
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_and_serialises_as_before() {
        for id in ItemId::ALL {
            assert_eq!(ItemId::parse(id.as_str()), Some(id));
            assert_eq!(id.to_string(), id.as_str());
            assert_eq!(
                serde_json::to_string(&id).ok(),
                Some(format!("\"{}\"", id.as_str()))
            );
        }
        assert_eq!(ItemId::parse(" b10 "), Some(ItemId::B10));
        assert_eq!(ItemId::parse("B13"), None);
        assert_eq!(ItemId::parse("summary/missing"), None);
        assert!(!ItemId::A4.is_joint() && ItemId::B0.is_joint());
    }

    #[test]
    fn all_is_in_order_and_complete() {
        assert!(ItemId::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ItemId::ALL.len(), ItemId::B12 as usize + 1);
    }
}
