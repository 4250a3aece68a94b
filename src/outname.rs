//! Output file names that every file system and web server accepts, whatever the source names
//! are (a leaf: it uses nothing of tssa).
//!
//! A repository may hold names that are fine in git but cannot be written as they are once
//! `.md` becomes `.html` or the path grows by a folder: a 255-byte name is one byte too long
//! for most file systems. Such a segment is shortened to a prefix and a hash of the whole
//! name, so the result is stable from build to build (links and bookmarks keep working) and
//! two long names that share a prefix still differ. Characters are never replaced: links
//! percent-encode them (`relative_url`), so `q?x#y.md` keeps its name.

/// The longest output file or folder name, in bytes. Well under the 255 of ext4, XFS, APFS
/// and NTFS, so a name can still take a `-2` suffix, and under eCryptfs's 143.
pub const MAX_SEGMENT: usize = 120;

/// The longest output path below the output folder, in bytes; Linux allows 4,096 for the
/// whole path, and the output folder itself takes part of that.
pub const MAX_PATH: usize = 1024;

/// Extensions longer than this are not kept apart from the name when shortening.
const MAX_EXTENSION: usize = 16;

/// `segment`, or a shortened name with the same extension when it is longer than
/// [`MAX_SEGMENT`] bytes.
pub fn fit_segment(segment: &str) -> String {
    if segment.len() <= MAX_SEGMENT {
        return segment.to_owned();
    }
    let (stem, ext) = match segment.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() < MAX_EXTENSION => (stem, ext),
        _ => (segment, ""),
    };
    let suffix = if ext.is_empty() {
        format!("-{:08x}", short_hash(segment))
    } else {
        format!("-{:08x}.{ext}", short_hash(segment))
    };
    format!("{}{suffix}", prefix(stem, MAX_SEGMENT - suffix.len()))
}

/// `path` (`/`-separated) with each segment fitted; when the whole is still longer than
/// [`MAX_PATH`], everything below `keep` (a leading folder such as `projects/x`) becomes one
/// hashed name that keeps the last segment's extension.
pub fn fit_path(keep: &str, below: &str) -> String {
    let fitted: Vec<String> = below.split('/').map(fit_segment).collect();
    let joined = join(keep, &fitted.join("/"));
    if joined.len() <= MAX_PATH {
        return joined;
    }
    let last = fitted.last().map_or("", String::as_str);
    let (stem, ext) = last
        .rsplit_once('.')
        .filter(|(stem, ext)| !stem.is_empty() && ext.len() < MAX_EXTENSION)
        .map_or((last, String::new()), |(stem, ext)| (stem, format!(".{ext}")));
    let name = format!("{}-{:08x}{ext}", prefix(stem, 40), short_hash(below));
    join(keep, &name)
}

fn join(keep: &str, rest: &str) -> String {
    if keep.is_empty() {
        rest.to_owned()
    } else {
        format!("{keep}/{rest}")
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// FNV-1a folded to 32 bits: stable across Rust releases and platforms, unlike the standard
/// library's hasher, so a shortened name stays the same from build to build.
fn short_hash(text: &str) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash ^ (hash >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_kept() {
        assert_eq!(fit_segment("q?x#y.html"), "q?x#y.html");
        assert_eq!(fit_path("projects/x", "a b/ü.png"), "projects/x/a b/ü.png");
    }

    #[test]
    fn long_names_are_shortened_stably_and_keep_their_extension() {
        let long = format!("{}.html", "é".repeat(200));
        let fitted = fit_segment(&long);
        assert!(fitted.len() <= MAX_SEGMENT, "{}", fitted.len());
        assert!(fitted.ends_with(".html"), "{fitted}");
        assert_eq!(fitted, fit_segment(&long), "stable");
        let other = format!("{}x.html", "é".repeat(200));
        assert_ne!(fit_segment(&other), fitted, "a shared prefix does not collide");
    }

    #[test]
    fn deep_paths_are_flattened() {
        let deep = vec!["d".repeat(100); 20].join("/") + "/f.png";
        let fitted = fit_path("projects/x", &deep);
        assert!(fitted.len() <= MAX_PATH);
        assert!(
            fitted.starts_with("projects/x/") && fitted.ends_with(".png"),
            "{fitted}"
        );
        assert_eq!(fitted.matches('/').count(), 2, "{fitted}");
    }
}
