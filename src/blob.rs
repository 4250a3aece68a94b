//! Byte runs in the caches' bincode files. serde writes a `Vec<u8>` or `&[u8]` as a sequence,
//! which bincode reads back one element at a time; these write and read them as one run.

use std::borrow::Cow;

use serde::de::{Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Bytes written as one run and read back borrowed from the decoded buffer (no copy): only a
/// deserializer over a slice can give them, which is how every cache file is read.
#[derive(Debug)]
pub struct Blob<'a>(pub Cow<'a, [u8]>);

impl Serialize for Blob<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Blob<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de [u8]>::deserialize(deserializer).map(|bytes| Blob(Cow::Borrowed(bytes)))
    }
}

/// Bytes written as one run and read back owned, for values that outlive the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteBuf(pub Vec<u8>);

impl Serialize for ByteBuf {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for ByteBuf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_byte_buf(ByteBufVisitor)
    }
}

struct ByteBufVisitor;

impl Visitor<'_> for ByteBufVisitor {
    type Value = ByteBuf;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("bytes")
    }

    fn visit_bytes<E>(self, bytes: &[u8]) -> Result<ByteBuf, E> {
        Ok(ByteBuf(bytes.to_vec()))
    }

    fn visit_byte_buf<E>(self, bytes: Vec<u8>) -> Result<ByteBuf, E> {
        Ok(ByteBuf(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bincode::Options;

    #[test]
    fn runs_round_trip_owned_and_borrowed() {
        let options = bincode::DefaultOptions::new();
        let bytes: Vec<u8> = (0..=255).collect();
        let encoded = options.serialize(&Blob(Cow::Borrowed(&bytes))).expect("encode");
        assert_eq!(
            encoded,
            options.serialize(&ByteBuf(bytes.clone())).expect("encode")
        );
        let ByteBuf(owned) = options.deserialize(&encoded).expect("owned");
        let Blob(borrowed) = options.deserialize(&encoded).expect("borrowed");
        assert_eq!(
            (owned.as_slice(), &*borrowed),
            (bytes.as_slice(), bytes.as_slice())
        );
        assert!(matches!(borrowed, Cow::Borrowed(_)), "read without a copy");
    }
}
