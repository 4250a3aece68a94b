//! From the model to HTML: Markdown rendering (links rewritten, code highlighted, raw HTML
//! sanitised), then whole pages through the theme's Tera templates.

pub mod badge;
pub mod highlight;
pub mod links;
pub mod markdown;
pub mod pages;
pub mod sanitize;
pub mod svg;
