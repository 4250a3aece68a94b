//! `tssa serve`: a live preview for people editing packages. The site is built into memory
//! and served over HTTP on loopback; saving a file rebuilds it (re-reading only the files the
//! watcher named when nothing a walk must judge changed, see [`crate::load::Loaded`]), swaps
//! the new build in and only then tells the open tabs to reload. A rebuild that fails or
//! brings new errors keeps the last good pages up, with an overlay naming the problems.
//!
//! The server never writes to disk and never serves a path that is not in the current build,
//! so nothing outside the site can leak however the request path is spelled.
//!
//! Every request must name this server in `Host` and, with an `Origin`, come from its own
//! pages (a DNS-rebinding or cross-site page gets 421 or 403); request heads are bounded
//! (16 KiB, 100 headers, 10 s); every answer carries a Content-Security-Policy and its type.
//!
//! Threads: one accepting connections, one per connection (so idle connections cannot block
//! anyone else; an event stream keeps its connection's thread), and one that owns the file
//! watcher and runs the rebuilds.

mod conn;
mod http;
mod inject;
mod rebuild;
mod reload;
mod state;
mod watch;
mod wire;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::config::Overrides;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::load::CacheStats;

/// The reload event stream, at the site root. The server's own files sit beside it, under
/// a folder name no build produces.
pub const EVENTS_PATH: &str = "/__tssa/events";

/// How `serve` runs. [`ServeOptions::new`] gives the defaults of the command line.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub overrides: Overrides,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Open the site in the default browser once it is being served.
    pub open: bool,
    /// Poll the file system instead of relying on native events (WSL2, containers, network
    /// mounts), checking every `poll_interval`.
    pub poll: bool,
    pub poll_interval: Duration,
    /// How old a file event is before the watcher hands it over; the rebuild then waits
    /// half as long again for the rest of the save ([`rebuild::run`]'s settling), so that
    /// the events of one save make one rebuild. Short, because it adds to every reload.
    pub debounce: Duration,
    /// How often an idle event stream is written to, which is how closed tabs are noticed.
    pub heartbeat: Duration,
    /// Connections open at once, event streams included; more get 503. Each holds a thread,
    /// and an idle one is closed after 10 s.
    pub max_connections: usize,
    /// Event streams allowed at once; more get 503.
    pub max_streams: usize,
    /// A client that stops reading for this long loses its response, so it cannot hold a
    /// worker forever.
    pub write_timeout: Duration,
}

impl ServeOptions {
    pub fn new(overrides: Overrides) -> Self {
        ServeOptions {
            overrides,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 3000,
            open: false,
            poll: false,
            poll_interval: Duration::from_millis(300),
            debounce: Duration::from_millis(10),
            heartbeat: Duration::from_secs(15),
            max_connections: 512,
            max_streams: 256,
            write_timeout: Duration::from_secs(30),
        }
    }
}

/// What the server reports while it runs; the caller decides what to print.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// Requests are being answered at `url`.
    Listening { url: String },
    /// Something the user should know that does not stop the server.
    Warning(String),
    /// A build was swapped in. `diagnostics`: everything it found, errors included when they
    /// are no worse than those of the build it replaced.
    Built {
        initial: bool,
        /// Changed paths that caused the rebuild, relative to the root where possible.
        changed: Vec<String>,
        duration: Duration,
        files: usize,
        /// Files new or different from the build served before (all of them at first).
        changed_files: usize,
        cache: CacheStats,
        diagnostics: Vec<Diagnostic>,
    },
    /// A rebuild failed or brought new errors: the previous build is still served, with an
    /// overlay listing `problems`.
    Rejected {
        changed: Vec<String>,
        duration: Duration,
        problems: Vec<Diagnostic>,
    },
}

/// Something to call with each [`Event`], from any thread.
pub type Reporter = Arc<dyn Fn(Event) + Send + Sync>;

/// A running server. Dropping it does not stop it; call [`Running::stop`] or [`Running::wait`].
pub struct Running {
    url: String,
    addr: SocketAddr,
    shared: Arc<state::Shared>,
    control: mpsc::Sender<rebuild::Message>,
    threads: Vec<JoinHandle<()>>,
}

impl Running {
    /// `http://127.0.0.1:3000/`
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks for as long as the server runs.
    pub fn wait(mut self) {
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }

    /// Stops watching, closes the event streams and the listener, and waits for the accepting
    /// and rebuilding threads. Connections still open end by themselves within their timeouts.
    pub fn stop(self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.hub.close();
        let _ = self.control.send(rebuild::Message::Stop);
        // The accepting thread waits in accept(): a connection wakes it to see the flag.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            });
        }
        let _ = std::net::TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        self.wait();
    }
}

/// Serves until the process is ended (Ctrl-C ends it: nothing is ever written to disk, so an
/// abrupt end leaves nothing behind).
pub fn serve(options: ServeOptions, report: Reporter) -> Result<()> {
    start(options, report)?.wait();
    Ok(())
}

/// Binds, builds the site, starts watching and serving, and returns once requests are being
/// answered. Errors: the configuration cannot be read, or the address cannot be bound.
pub fn start(options: ServeOptions, report: Reporter) -> Result<Running> {
    // Pages must link to the preview, not to the production site the config names.
    let overrides = Overrides {
        base_url: Some("/".to_owned()),
        ..options.overrides.clone()
    };
    let mut builder = rebuild::Builder::new(overrides)?;

    let requested = SocketAddr::new(options.bind, options.port);
    let listener = bind(requested)?;
    let addr = listener
        .local_addr()
        .map_err(|err| Error::Setup(format!("cannot listen on {requested}: {err}")))?;
    if !addr.ip().is_loopback() {
        report(Event::Warning(format!(
            "listening on {} beyond this machine: anyone who can reach it can read the site",
            addr.ip()
        )));
    }

    // Watch before the first build, so a save during that build is not lost.
    let (control, messages) = mpsc::channel();
    let mut watcher = watch::Watcher::start(&options, control.clone())?;
    for warning in watcher.set_roots(watch::Roots::of(builder.config())) {
        report(Event::Warning(warning));
    }

    // As after a configuration change: everything is read for the first time.
    let first = builder.build(watch::Change::Config, Vec::new(), &[]);
    let shared = Arc::new(state::Shared::new(addr, options.heartbeat, options.max_streams));
    rebuild::publish(&shared, first, &report);
    builder.retire();

    let settings = conn::Settings {
        limits: wire::Limits::default(),
        write_timeout: options.write_timeout,
        max_connections: options.max_connections.max(1),
    };
    let mut threads = Vec::new();
    {
        let (shared, report) = (Arc::clone(&shared), Arc::clone(&report));
        let thread = std::thread::Builder::new()
            .name("tssa-accept".to_owned())
            .spawn(move || conn::accept_loop(&listener, &shared, settings, &report))
            .map_err(|err| Error::Setup(format!("cannot start the server thread: {err}")))?;
        threads.push(thread);
    }
    {
        let (shared, report) = (Arc::clone(&shared), Arc::clone(&report));
        let thread = std::thread::Builder::new()
            .name("tssa-rebuild".to_owned())
            .spawn(move || {
                let settle = options.debounce / 2;
                rebuild::run(messages, builder, watcher, settle, &shared, &report)
            })
            .map_err(|err| Error::Setup(format!("cannot start the rebuild thread: {err}")))?;
        threads.push(thread);
    }

    let url = format!("http://{addr}/");
    report(Event::Listening { url: url.clone() });
    if options.open
        && let Err(err) = open_browser(&url)
    {
        report(Event::Warning(format!(
            "could not open a browser: {err}; open {url} yourself"
        )));
    }
    Ok(Running {
        url,
        addr,
        shared,
        control,
        threads,
    })
}

fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AddrInUse {
            Error::Setup(format!(
                "port {} on {} is already in use: stop the program using it, or pick another with --port (--port 0 picks a free one)",
                addr.port(),
                addr.ip()
            ))
        } else {
            Error::Setup(format!("cannot listen on {addr}: {err}"))
        }
    })
}

/// Opens `url` with the platform's opener; the opener runs on without us.
pub fn open_browser(url: &str) -> std::io::Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut command = std::process::Command::new("cmd");
        command.args(["/C", "start", ""]);
        command
    } else {
        std::process::Command::new("xdg-open")
    };
    let mut child = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    // Reap it in the background so it does not linger as a zombie.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

/// The root-relative display of a changed path.
fn display_path(root: &std::path::Path, path: &std::path::Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    path.strip_prefix(&root)
        .map(PathBuf::from)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .replace('\\', "/")
}
