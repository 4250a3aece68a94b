//! Presents a finished [`Analysis`](crate::analyse::Analysis): whole pages through the theme's
//! Tera templates, status badges and the API file, as in-memory output files.
//!
//! This stage only presents. It touches no file system, runs no process and reads no clock:
//! everything it shows (document bodies, findings, coverage, git dates, today) was computed
//! once by `analyse`, so a page can never say something `tssa check` does not.

pub mod badge;
pub mod memo;
pub mod pages;
pub mod search;
pub mod svg;
