//! What a page is made from, as one digest: a [`RenderKey`]. A page's bytes are a pure
//! function of the compiled templates, the template it is rendered with, its path, every value
//! put in its Tera context and the body spliced into it; its key is the BLAKE3 digest of
//! exactly those, taken as they are handed over ([`PageContext::insert`]), so that no
//! hand-kept list of inputs can drift from what the template reads. A sink that still holds
//! the page made from an equal key (the previous build's output, the preview server's last
//! snapshot) takes it from there instead of rendering it again ([`crate::output::Sink::reuse`]).

use serde::{Deserialize, Serialize};

/// The digest of everything a page was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RenderKey(pub [u8; 32]);

/// A Tera context that notes each value as it is put in it, to digest them all at once (many
/// small updates cost BLAKE3 more than one long one). A value that cannot be encoded (a
/// sequence of unknown length) leaves the page without a key, so it is always rendered.
///
/// A page's context is put together by one function run against a `PageContext`; run first
/// against one that only notes ([`Self::for_key`]), it gives the key without building Tera's
/// values, which only a page that must be rendered then needs. Both runs are the same code, so
/// the key holds whatever the page shows by construction.
pub(crate) struct PageContext {
    context: tera::Context,
    /// Whether values go into `context` (not when only the key is wanted).
    fill: bool,
    /// The names and values put in, encoded; `None` when the page is not to be keyed.
    noted: Option<Vec<u8>>,
}

impl PageContext {
    /// A context to render from, noting what is put in it only when `keyed` (pages that are
    /// not remembered need no key).
    pub(crate) fn new(keyed: bool) -> Self {
        PageContext {
            context: tera::Context::new(),
            fill: true,
            noted: keyed.then(|| Vec::with_capacity(4096)),
        }
    }

    /// A context that only notes what is put in it, for the page's key: nothing can be
    /// rendered from it.
    pub(crate) fn for_key() -> Self {
        PageContext {
            fill: false,
            ..Self::new(true)
        }
    }

    /// Puts `value` in the context under `name`, and both in what is digested.
    pub(crate) fn insert<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if let Some(noted) = &mut self.noted {
            // Bincode writes strings as they are behind their length (JSON's escaping costs
            // three times as much) and is self-delimiting, so no two sequences of values
            // encode alike.
            if bincode::serialize_into(&mut *noted, &(name, value)).is_err() {
                self.noted = None;
            }
        }
        if self.fill {
            self.context.insert(name, value);
        }
    }

    pub(crate) fn tera(&self) -> &tera::Context {
        &self.context
    }

    /// The key of the page at `path` rendered from this context with `template` of the
    /// templates digested as `templates`, with the body whose digest is `body` spliced in.
    pub(crate) fn key(
        &self,
        templates: &[u8; 32],
        template: &str,
        path: &str,
        body: Option<&[u8; 32]>,
    ) -> Option<RenderKey> {
        let noted = self.noted.as_ref()?;
        let mut digest = blake3::Hasher::new();
        for part in [
            &templates[..],
            template.as_bytes(),
            path.as_bytes(),
            body.map_or(&[][..], |b| &b[..]),
            noted,
        ] {
            digest.update(&(part.len() as u64).to_le_bytes());
            digest.update(part);
        }
        Some(RenderKey(*digest.finalize().as_bytes()))
    }
}

/// The digest of a theme's templates: their names and sources, in name order.
pub(crate) fn templates_digest<'t>(templates: impl Iterator<Item = (&'t String, &'t String)>) -> [u8; 32] {
    let mut digest = blake3::Hasher::new();
    for (name, source) in templates {
        for part in [name, source] {
            digest.update(&(part.len() as u64).to_le_bytes());
            digest.update(part.as_bytes());
        }
    }
    *digest.finalize().as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(values: &[(&'static str, &str)]) -> Option<RenderKey> {
        let mut context = PageContext::new(true);
        for (name, value) in values {
            context.insert(name, value);
        }
        context.key(&[0; 32], "page.html", "a/index.html", None)
    }

    #[test]
    fn every_value_and_its_name_are_in_the_key() {
        let one = key(&[("title", "A"), ("text", "b")]);
        assert_eq!(one, key(&[("title", "A"), ("text", "b")]));
        assert_ne!(one, key(&[("title", "A"), ("text", "c")]));
        assert_ne!(one, key(&[("title", "A"), ("texts", "b")]));
        // Moving a byte from one value to the next is a different page.
        assert_ne!(key(&[("a", "xy"), ("b", "")]), key(&[("a", "x"), ("b", "y")]));
    }

    #[test]
    fn a_context_for_the_key_alone_keys_alike_and_holds_no_values() {
        let fill = |context: &mut PageContext| {
            context.insert("title", "A");
            context.insert("count", &3);
        };
        let (mut keying, mut both) = (PageContext::for_key(), PageContext::new(true));
        fill(&mut keying);
        fill(&mut both);
        let key = |c: &PageContext| c.key(&[0; 32], "page.html", "a.html", None);
        assert!(key(&keying).is_some());
        assert_eq!(key(&keying), key(&both));
        assert!(keying.tera().get("title").is_none());
        assert!(both.tera().get("title").is_some());
        // A context made only to render has no key.
        let mut plain = PageContext::new(false);
        fill(&mut plain);
        assert_eq!(key(&plain), None);
    }

    #[test]
    fn the_template_path_and_body_are_in_the_key() {
        let mut context = PageContext::new(true);
        context.insert("title", "A");
        let body = Some(&[7; 32]);
        let base = context.key(&[0; 32], "page.html", "a.html", body);
        assert_eq!(base, context.key(&[0; 32], "page.html", "a.html", body));
        assert_ne!(base, context.key(&[1; 32], "page.html", "a.html", body));
        assert_ne!(base, context.key(&[0; 32], "document.html", "a.html", body));
        assert_ne!(base, context.key(&[0; 32], "page.html", "b.html", body));
        assert_ne!(base, context.key(&[0; 32], "page.html", "a.html", Some(&[8; 32])));
        assert_ne!(base, context.key(&[0; 32], "page.html", "a.html", None));
    }
}
