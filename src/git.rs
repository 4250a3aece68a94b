//! Running the `git` program, for the inputs that ask it something (`gitdates`,
//! `gitchanges`): no shell, no prompt, no optional locks, every byte it writes read with a
//! cap, and its stderr read beside its stdout so neither pipe can stall it.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// The most of git's output read for one question.
pub const OUTPUT_CAP: u64 = 64 << 20;

/// One git run's standard output, read up to [`OUTPUT_CAP`].
pub struct Output {
    pub text: String,
    /// Git wrote more than [`OUTPUT_CAP`]: `text` holds the first part only.
    pub capped: bool,
}

/// Why git gave no answer.
pub enum Ran {
    /// The `git` program could not be started.
    NoGit(std::io::Error),
    /// Git ran and refused, with the first line it wrote.
    Failed(String),
}

/// Runs git in `dir` with `args` (no shell; never prompts, never takes optional locks).
pub fn git(dir: &Path, args: &[&str]) -> Result<Output, Ran> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "core.quotePath=false"])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Ran::NoGit)?;
    // Read beside stdout: git blocks on a full stderr pipe (a warning per file can fill it)
    // while this thread waits for stdout. The first 64 KiB are kept, the rest drained.
    let stderr = child.stderr.take().map(|mut err| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = (&mut err).take(64 << 10).read_to_string(&mut text);
            let _ = std::io::copy(&mut err, &mut std::io::sink());
            text
        })
    });
    let mut bytes = Vec::new();
    let read = child
        .stdout
        .take()
        .map(|out| out.take(OUTPUT_CAP + 1).read_to_end(&mut bytes));
    let capped = bytes.len() as u64 > OUTPUT_CAP;
    if capped {
        // The rest is not wanted: stop git rather than wait for it to write it all.
        let _ = child.kill();
    }
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    let status = child.wait().map_err(Ran::NoGit)?;
    if !capped && (!status.success() || !matches!(read, Some(Ok(_)))) {
        let first = stderr.lines().next().unwrap_or("no message").trim().to_owned();
        return Err(Ran::Failed(first));
    }
    Ok(Output {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        capped,
    })
}
