//! The client side of the `tssa serve` tests (tests/serve.rs, tests/serve_hostile.rs): a
//! fixture site, the server run as the real binary, and a few lines of HTTP over `TcpStream`,
//! so each test controls the exact bytes it sends.
#![allow(dead_code)] // each test file uses its own share

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_tssa");
/// Generous: debug builds on a busy CI machine.
pub const STARTUP: Duration = Duration::from_secs(60);
pub const RELOAD: Duration = Duration::from_secs(15);

pub const ALPHA_DOC: &str = "community/assessments/projects/alpha/self-assessment.md";
pub const ALPHA_PAGE: &str = "/projects/alpha/self-assessment.html";
pub const CANARY: &str = "CANARY-OUTSIDE-THE-SITE";

/// A site in the real layout, with a canary file beside the root and one in the root that is
/// not part of the site.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let fixture = Fixture { dir };
        fixture.write("canary.txt", CANARY);
        fixture.write("site/secret.txt", CANARY);
        fixture.write(
            "site/community/assessments/README.md",
            "# Assessments\n\nHow packages are assessed.\n",
        );
        fixture.write(
            &format!("site/{ALPHA_DOC}"),
            "# Alpha self-assessment\n\nORIGINAL-ALPHA-TEXT\n\n## Metadata\n\nSome words.\n",
        );
        fixture.write(
            "site/community/assessments/projects/beta/self-assessment.md",
            "# Beta self-assessment\n\nBeta text.\n",
        );
        fixture.write(
            "site/community/assessments/projects/beta/diagram.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        );
        fixture
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(&path, text).expect("write");
    }
}

/// The running server; killed when dropped, whatever the test did.
pub struct Serve {
    pub child: Child,
    pub addr: SocketAddr,
    pub stderr: Arc<Mutex<String>>,
}

impl Serve {
    pub fn start(root: &Path, extra: &[&str]) -> Serve {
        Serve::start_with(root, extra, &[])
    }

    /// As [`Serve::start`], with environment variables set (`SOURCE_DATE_EPOCH` for a test
    /// that compares the pages with a build's).
    pub fn start_with(root: &Path, extra: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut child = Command::new(BIN)
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(["--port", "0"])
            .args(extra)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn tssa serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(err) = child.stderr.take() {
            let sink = Arc::clone(&stderr);
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    if let Ok(mut text) = sink.lock() {
                        text.push_str(&line);
                        text.push('\n');
                    }
                }
            });
        }
        let (lines, first) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    let _ = lines.send(line);
                }
            });
        }
        let mut serve = Serve {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stderr,
        };
        let line = first
            .recv_timeout(STARTUP)
            .unwrap_or_else(|_| panic!("no URL on stdout; stderr:\n{}", serve.stderr()));
        let url = line
            .strip_prefix("Serving ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        let authority = url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix('/'))
            .expect("http URL");
        serve.addr = authority.parse().expect("socket address in the URL");
        serve
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The terminal's text once it contains `needle` (or after `STARTUP`, for the assertion
    /// to show): the server writes before it publishes, but the thread that collects its
    /// stderr in this process may not have read the line yet when a reload arrives.
    pub fn stderr_with(&self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + STARTUP;
        loop {
            let text = self.stderr();
            if text.contains(needle) || std::time::Instant::now() >= deadline {
                return text;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn get(&self, path: &str) -> Reply {
        self.send(&format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.host()
        ))
    }

    pub fn send(&self, raw: &str) -> Reply {
        send(self.addr, raw.as_bytes()).unwrap_or_else(|err| panic!("request failed: {err}\n{raw}"))
    }

    pub fn events(&self) -> Events {
        let (status, events) = Events::open(self.addr, &self.host(), None).expect("open event stream");
        assert_eq!(status, 200);
        let mut events = events.expect("event stream");
        let hello = events.next(Instant::now() + RELOAD).expect("hello event");
        assert_eq!(hello.0, "hello");
        events
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

pub fn send(addr: SocketAddr, raw: &[u8]) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    stream.set_write_timeout(Some(Duration::from_secs(20)))?;
    stream.write_all(raw)?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| {
        std::io::Error::other(format!(
            "no response head in {:?}",
            String::from_utf8_lossy(&bytes)
        ))
    })?;
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok(Reply {
        status,
        head,
        body: bytes[split + 4..].to_vec(),
    })
}

/// A held-open event stream.
pub struct Events {
    pub reader: BufReader<TcpStream>,
    pub partial: String,
}

impl Events {
    /// The status, and the stream if it was accepted.
    pub fn open(
        addr: SocketAddr,
        host: &str,
        origin: Option<&str>,
    ) -> std::io::Result<(u16, Option<Events>)> {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        let origin = origin.map(|o| format!("Origin: {o}\r\n")).unwrap_or_default();
        let request = format!(
            "GET /__tssa/events HTTP/1.1\r\nHost: {host}\r\n{origin}Accept: text/event-stream\r\n\r\n"
        );
        stream.write_all(request.as_bytes())?;
        let mut events = Events {
            reader: BufReader::new(stream),
            partial: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let status_line = events
            .line(deadline)
            .ok_or_else(|| std::io::Error::other("no status line"))?;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut content_type = String::new();
        while let Some(line) = events.line(deadline) {
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-type:") {
                content_type = value.trim().to_owned();
            }
        }
        let accepted = status == 200 && content_type.starts_with("text/event-stream");
        Ok((status, accepted.then_some(events)))
    }

    /// One line without its end, or `None` at the deadline or the end of the stream.
    pub fn line(&mut self, deadline: Instant) -> Option<String> {
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let _ = self
                .reader
                .get_ref()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))));
            match self.reader.read_line(&mut self.partial) {
                Ok(0) => return None,
                Ok(_) if self.partial.ends_with('\n') => {
                    let line = self.partial.trim_end_matches(['\r', '\n']).to_owned();
                    self.partial.clear();
                    return Some(line);
                }
                Ok(_) => {}
                Err(err)
                    if matches!(
                        err.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return None,
            }
        }
    }

    /// The next event as (name, data); comments (heartbeats) are skipped.
    pub fn next(&mut self, deadline: Instant) -> Option<(String, String)> {
        let (mut name, mut data) = (String::from("message"), String::new());
        let mut any = false;
        loop {
            let line = self.line(deadline)?;
            if line.is_empty() {
                if any {
                    return Some((name, data));
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line
                .split_once(':')
                .map_or((line.as_str(), ""), |(f, v)| (f, v.trim_start()));
            match field {
                "event" => name = value.to_owned(),
                "data" => data.push_str(value),
                _ => {}
            }
            any = field == "event" || field == "data";
        }
    }

    /// Waits through reload events until `path` shows `needle`. For changes the watcher may see
    /// as two events (a new folder, then the file written into it): the first rebuild can run
    /// between the two, and the second brings the text.
    pub fn expect_page_with(&mut self, serve: &Serve, path: &str, needle: &str, why: &str) {
        let deadline = Instant::now() + RELOAD;
        while let Some((name, _)) = self.next(deadline) {
            if name == "reload" && serve.get(path).text().contains(needle) {
                return;
            }
        }
        panic!(
            "{path} did not show `{needle}` after {why} within {RELOAD:?}; stderr:\n{}",
            serve.stderr()
        );
    }

    pub fn expect_reload(&mut self, serve: &Serve, why: &str) -> String {
        let deadline = Instant::now() + RELOAD;
        while let Some((name, data)) = self.next(deadline) {
            if name == "reload" {
                return data;
            }
        }
        panic!(
            "no reload event after {why} within {RELOAD:?}; stderr:\n{}",
            serve.stderr()
        );
    }
}

/// Saves the way editors do: a new file renamed over the old one.
pub fn save_by_rename(path: &Path, text: &str) {
    let temp = path.with_extension("md.tssa-test-tmp");
    fs::write(&temp, text).expect("write temp");
    fs::rename(&temp, path).expect("rename over");
}

impl Serve {
    /// The server process's resident memory and its peak so far, in KiB (Linux only).
    pub fn memory_kib(&self) -> Option<(u64, u64)> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let field = |name: &str| {
            status.lines().find_map(|line| {
                let value = line.strip_prefix(name)?.trim().strip_suffix("kB")?;
                value.trim().parse::<u64>().ok()
            })
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// A kept-alive connection to the server.
    pub fn connect(&self) -> Conn {
        let stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(10)).expect("connect");
        let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(20)));
        Conn {
            reader: BufReader::new(stream),
        }
    }
}

/// One connection carrying several requests, each answer read by its `Content-Length`.
pub struct Conn {
    pub reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn write(&mut self, raw: &str) -> std::io::Result<()> {
        self.reader.get_mut().write_all(raw.as_bytes())
    }

    /// The next response on the connection (HEAD answers: pass `head_only`).
    pub fn read(&mut self, head_only: bool) -> std::io::Result<Reply> {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other(format!("closed after {head:?}")));
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut reply = Reply {
            status,
            head: head.trim_end().to_owned(),
            body: Vec::new(),
        };
        let length: usize = reply
            .header("Content-Length")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("no Content-Length in {head:?}")))?;
        if !head_only {
            reply.body = vec![0; length];
            self.reader.read_exact(&mut reply.body)?;
        }
        Ok(reply)
    }

    pub fn get(&mut self, path: &str, host: &str) -> std::io::Result<Reply> {
        self.write(&format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"))?;
        self.read(false)
    }
}
