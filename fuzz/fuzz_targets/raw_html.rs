//! The raw-HTML lexer: it never fails, and its tokens tile the input exactly (nothing dropped,
//! nothing read twice), whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tssa::markdown::rawhtml::{Token, tokenize};

fuzz_target!(|input: &str| {
    let mut rebuilt = String::with_capacity(input.len());
    for token in tokenize(input) {
        rebuilt.push_str(match token {
            Token::Text(text) | Token::Comment(text) | Token::Bogus(text) => text,
            Token::Tag(tag) => tag.src,
        });
    }
    assert_eq!(rebuilt, input);
});
