//! tssa: build, check and preview CNCF TAG Security & Compliance assessment packages (TSSA).
//!
//! Data flows one way: [`config`] → [`discover`] → [`parse`] → [`model`] → [`analyse`] (with
//! [`check`], [`coverage`], [`gitdates`]) → [`render`] → [`output`] (or the preview server);
//! [`pipeline`] strings the stages together. The library never prints or exits. See
//! `ARCHITECTURE.md`.

pub mod analyse;
pub mod blob;
pub mod calendar;
pub mod check;
pub mod cli;
pub mod config;
pub mod coverage;
pub mod diagnostic;
pub mod discover;
pub mod error;
pub mod fsread;
pub mod git;
pub mod gitchanges;
pub mod gitdates;
pub mod html;
pub mod imagehead;
pub mod load;
pub mod markdown;
pub mod model;
pub mod new;
pub mod outname;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod releases;
pub mod relpath;
pub mod render;
#[cfg(feature = "serve")]
pub mod serve;
pub mod term;
pub mod theme;
