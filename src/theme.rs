//! The default theme, compiled into the binary, and per-file overrides from a site's own
//! theme folder: a user who overrides one template keeps all the others.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

macro_rules! theme_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../themes/default/", $name)).as_slice())),*]
    };
}

/// Every file of the default theme, by path within the theme folder.
const DEFAULT_FILES: &[(&str, &[u8])] = theme_files!(
    "templates/base.html",
    "templates/index.html",
    "templates/project.html",
    "templates/document.html",
    "templates/sidebar-nav.html",
    "templates/page.html",
    "templates/404.html",
    "templates/coverage.html",
    "templates/glance.html",
    "templates/group.html",
    "static/style.css",
    "static/sort.js",
    "static/toc.js",
    "static/home.js",
    "static/anchors.js",
    "static/search.js",
    "static/favicon.svg",
);

#[derive(Debug, Clone)]
pub struct Theme {
    /// Template name (`index.html`) → source.
    pub templates: BTreeMap<String, String>,
    /// Static file name (`style.css`) → bytes, published under `static/`.
    pub statics: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The default theme with any same-named files from `overrides` swapped in. Extra static
    /// files in the override folder are published too.
    pub fn load(overrides: Option<&Path>) -> Result<Theme> {
        let mut theme = Theme {
            templates: BTreeMap::new(),
            statics: BTreeMap::new(),
        };
        for (path, bytes) in DEFAULT_FILES {
            theme.insert(path, bytes.to_vec())?;
        }
        if let Some(dir) = overrides {
            if !dir.is_dir() {
                return Err(Error::Setup(format!(
                    "theme folder `{}` does not exist",
                    dir.display()
                )));
            }
            for sub in ["templates", "static"] {
                let folder = dir.join(sub);
                if !folder.is_dir() {
                    continue;
                }
                for entry in walkdir::WalkDir::new(&folder)
                    .sort_by_file_name()
                    .follow_links(false)
                {
                    let entry =
                        entry.map_err(|err| Error::Setup(format!("cannot read theme folder: {err}")))?;
                    if !entry.file_type().is_file() {
                        continue;
                    }
                    let Ok(rel) = entry.path().strip_prefix(dir) else {
                        continue;
                    };
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    // The theme ships with the repository: capped like every file it ships.
                    let cap = crate::config::Limits::default().file_bytes;
                    let bytes = crate::fsread::read_capped(entry.path(), cap).map_err(|err| {
                        Error::Setup(format!(
                            "cannot read theme file `{}`: {err}",
                            entry.path().display()
                        ))
                    })?;
                    theme.insert(&rel, bytes)?;
                }
            }
        }
        Ok(theme)
    }

    fn insert(&mut self, path: &str, bytes: Vec<u8>) -> Result<()> {
        if let Some(name) = path.strip_prefix("templates/") {
            let text = String::from_utf8(bytes)
                .map_err(|_| Error::Setup(format!("theme template `{path}` is not valid UTF-8")))?;
            self.templates.insert(name.to_owned(), text);
        } else if let Some(name) = path.strip_prefix("static/") {
            self.statics.insert(name.to_owned(), bytes);
        }
        Ok(())
    }
}
