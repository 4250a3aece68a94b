//! Reading a file with a size cap, checked before anything is allocated. A leaf module: every
//! stage that reads a file the repository ships (config, documents, sidecars, the releases
//! file, theme files, the guide's templates) reads it through here, so a 1 GB sparse file, a
//! device such as `/dev/zero` or a pipe can neither exhaust memory nor block the build.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a capped read gave no bytes.
#[derive(Debug)]
pub enum ReadError {
    /// The file is (or grew while reading) larger than the cap. `size` is what the file
    /// system reported, when it reported more than the cap.
    TooLarge {
        size: Option<u64>,
        cap: u64,
    },
    /// A pipe, socket, device or folder: reading it could block forever or never end.
    NotAFile,
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::TooLarge {
                size: Some(size),
                cap,
            } => write!(
                f,
                "the file is {} ({size} bytes), over the limit of {} ({cap} bytes)",
                human_bytes(*size),
                human_bytes(*cap)
            ),
            ReadError::TooLarge { size: None, cap } => write!(
                f,
                "the file is over the limit of {} ({cap} bytes)",
                human_bytes(*cap)
            ),
            ReadError::NotAFile => f.write_str("not a regular file (a pipe, socket, device or folder)"),
            ReadError::Io(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<std::io::Error> for ReadError {
    fn from(err: std::io::Error) -> Self {
        ReadError::Io(err)
    }
}

/// Reads `path` whole if it is a regular file of at most `cap` bytes. The length the file
/// system reports is checked before reading, and the read itself stops after `cap + 1` bytes,
/// so a file that grows meanwhile (or lies about its size) is refused too.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    // Checked before opening: opening a pipe for reading blocks until someone writes to it.
    let meta = std::fs::metadata(path)?;
    check_meta(&meta, cap)?;
    let file = File::open(path)?;
    // The path may have been replaced between the two looks; trust the open file.
    let meta = file.metadata()?;
    check_meta(&meta, cap)?;
    read_within(file, &meta, cap)
}

/// A file's identity and last change as the file system reports them, compared as git's index
/// compares them: a file whose stamp equals the one recorded when its bytes were hashed is
/// taken to hold those bytes still. The change time cannot be set from outside the kernel, so
/// a rewrite that restores the size and the modification time still changes the stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    len: u64,
    /// Seconds and nanoseconds since the epoch.
    mtime: (i64, i64),
    ctime: (i64, i64),
    ino: u64,
    dev: u64,
}

impl Stamp {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            len: meta.len(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
        })
    }

    /// Without inode and change time a stamp would not be safe: never trusted.
    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata) -> Option<Stamp> {
        None
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.len
    }

    /// A stamp as a file system could report it (times in whole seconds).
    #[cfg(test)]
    pub(crate) fn for_test(len: u64, mtime: i64, ctime: i64, ino: u64) -> Stamp {
        Stamp {
            len,
            mtime: (mtime, 0),
            ctime: (ctime, 0),
            ino,
            dev: 1,
        }
    }

    /// Whether the file last changed well before `now` (two seconds, more than any file
    /// system's timestamp tick). A file changed in the same tick as its stamp was recorded
    /// could change again within that tick and keep the very same stamp ("racy git"), so
    /// only a settled stamp may be recorded.
    pub fn settled_before(&self, now: std::time::SystemTime) -> bool {
        let Ok(now) = now.duration_since(std::time::UNIX_EPOCH) else {
            return false;
        };
        let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        self.mtime.0.max(self.ctime.0).saturating_add(2) <= now
    }
}

/// [`read_capped`] for a file its folder's listing found to be a regular file: opened without
/// looking at the path first (one system call fewer per file). The open does not block and
/// takes no terminal even if the path was replaced by a pipe or device since the listing, and
/// the open file's type and size are checked before a byte is read. Also returns the open
/// file's stamp, taken before reading.
pub fn read_listed(path: &Path, cap: u64) -> Result<(Vec<u8>, Option<Stamp>), ReadError> {
    let file = open_listed(path)?;
    let meta = file.metadata()?;
    check_meta(&meta, cap)?;
    let bytes = read_within(file, &meta, cap)?;
    Ok((bytes, Stamp::of(&meta)))
}

#[cfg(unix)]
fn open_listed(path: &Path) -> Result<File, ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(ReadError::Io)
}

#[cfg(not(unix))]
fn open_listed(path: &Path) -> Result<File, ReadError> {
    check_meta(&std::fs::metadata(path)?, u64::MAX)?;
    Ok(File::open(path)?)
}

/// The whole of an open regular file whose metadata passed [`check_meta`], bounded by `cap`.
fn read_within(file: File, meta: &std::fs::Metadata, cap: u64) -> Result<Vec<u8>, ReadError> {
    let expected = usize::try_from(meta.len().min(cap)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(expected);
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge { size: None, cap });
    }
    Ok(bytes)
}

/// The first `n` bytes of `path` (fewer if it is shorter), if it is a regular file: for
/// headers, such as an image's size.
pub fn read_head(path: &Path, n: u64) -> Result<Vec<u8>, ReadError> {
    check_meta(&std::fs::metadata(path)?, u64::MAX)?;
    let file = File::open(path)?;
    let meta = file.metadata()?;
    check_meta(&meta, u64::MAX)?;
    // Room for what there is, so the read is one call rather than a growing buffer's several.
    let expected = meta.len().min(n) + 1;
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(n).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// [`read_capped`] for text: invalid UTF-8 is replaced (callers that care decode themselves).
pub fn read_capped_string(path: &Path, cap: u64) -> Result<String, ReadError> {
    let bytes = read_capped(path, cap)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    })
}

fn check_meta(meta: &std::fs::Metadata, cap: u64) -> Result<(), ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            size: Some(meta.len()),
            cap,
        });
    }
    Ok(())
}

/// `8388608` → `8 MiB`, `1536` → `1.5 KiB`: caps are round numbers, sizes rarely are. The one
/// way a size is written, in findings and on status pages alike (a pure function: no I/O).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_small_files_and_refuses_large_ones_by_metadata() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.md");
        std::fs::write(&path, b"hello").expect("write");
        assert_eq!(read_capped(&path, 5).ok(), Some(b"hello".to_vec()));
        let err = read_capped(&path, 4).err();
        assert!(
            matches!(
                err,
                Some(ReadError::TooLarge {
                    size: Some(5),
                    cap: 4
                })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn sparse_file_is_refused_without_reading_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.md");
        let file = File::create(&path).expect("create");
        file.set_len(1 << 40).expect("a sparse terabyte");
        let err = read_capped(&path, 1024)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("1 TiB") && err.contains("1 KiB"), "{err}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn devices_and_folders_are_not_files() {
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 1024),
            Err(ReadError::NotAFile)
        ));
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(read_capped(dir.path(), 1024), Err(ReadError::NotAFile)));
    }

    /// A listed file replaced by a pipe before it is read: refused, not waited on.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_listed_file_that_became_a_pipe_is_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.md");
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: no mkfifo");
            return;
        }
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(matches!(read_listed(&path, 1024), Err(ReadError::NotAFile)));
        });
        // A hang guard, not a timing: opening a pipe without O_NONBLOCK waits forever.
        let refused = receive.recv_timeout(std::time::Duration::from_secs(20));
        assert_eq!(refused, Ok(true));
    }

    #[test]
    fn a_listed_file_is_read_with_its_stamp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.md");
        std::fs::write(&path, b"hello").expect("write");
        let (bytes, stamp) = read_listed(&path, 5).expect("read");
        assert_eq!(bytes, b"hello");
        assert_eq!(stamp.map(|s| s.size()), Some(5));
        assert!(matches!(read_listed(&path, 4), Err(ReadError::TooLarge { .. })));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(8 << 20), "8 MiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}
