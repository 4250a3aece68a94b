//! tssa: build, check and preview CNCF TAG Security & Compliance assessment packages (TSSA).
//!
//! Data flows one way: [`config`] → [`discover`] → [`parse`] → [`model`] → [`check`] →
//! [`render`] → [`output`] (or the preview server). The library never prints or exits.

pub mod check;
pub mod diagnostic;
pub mod model;
pub mod parse;
pub mod render;
pub mod config;
pub mod discover;
pub mod error;
pub mod load;
pub mod output;
pub mod theme;
pub mod cli;
pub mod coverage;
pub mod new;
pub mod gitdates;
pub mod pipeline;
#[cfg(feature = "serve")]
pub mod serve;
