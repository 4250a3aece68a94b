//! `tssa serve`: a live preview for people editing packages. The site is built into memory
//! and served over HTTP on loopback; saving a file rebuilds it (re-parsing only what changed),
//! swaps the new build in and only then tells the open tabs to reload. A rebuild that fails or
//! brings new errors keeps the last good pages up, with an overlay naming the problems.
//!
//! The server never writes to disk and never serves a path that is not in the current build,
//! so nothing outside the site can leak however the request path is spelled.
//!
//! Threads: tiny_http's acceptor (one thread per connection, so idle connections cannot block
//! anyone else), a fixed pool of request workers, one thread per open event stream, and one
//! thread that owns the file watcher and runs the rebuilds.

mod http;
mod inject;
mod rebuild;
mod reload;
mod state;
mod watch;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
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
    /// Quiet time after the last file event before a rebuild starts: long enough to merge the
    /// several events of one save, short enough that the reload feels immediate.
    pub debounce: Duration,
    /// How often an idle event stream is written to, which is how closed tabs are noticed.
    pub heartbeat: Duration,
    /// Request workers. Responses come from memory, so a few go a long way.
    pub workers: usize,
    /// Event streams allowed at once; more get 503 (each holds a thread).
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
            debounce: Duration::from_millis(20),
            heartbeat: Duration::from_secs(15),
            workers: 16,
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

    /// Stops watching, closes the event streams and the listener, and waits for the workers.
    pub fn stop(self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.hub.close();
        let _ = self.control.send(rebuild::Message::Stop);
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
    let listener = bind(requested, options.write_timeout)?;
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

    let first = builder.build(true, Vec::new());
    let shared = Arc::new(state::Shared::new(addr, options.heartbeat, options.max_streams));
    rebuild::publish(&shared, first, &report);

    let server = tiny_http::Server::from_listener(listener, None)
        .map_err(|err| Error::Setup(format!("cannot serve on {addr}: {err}")))?;
    let acceptor = Arc::new(Acceptor {
        server: RwLock::new(Arc::new(server)),
        restarting: Mutex::new(()),
        addr,
        write_timeout: options.write_timeout,
    });
    let mut threads = Vec::new();
    for n in 0..options.workers.max(1) {
        let (shared, acceptor, report) = (Arc::clone(&shared), Arc::clone(&acceptor), Arc::clone(&report));
        let thread = std::thread::Builder::new()
            .name(format!("tssa-http-{n}"))
            .spawn(move || work(&shared, &acceptor, &report))
            .map_err(|err| Error::Setup(format!("cannot start a server thread: {err}")))?;
        threads.push(thread);
    }
    {
        let (shared, report) = (Arc::clone(&shared), Arc::clone(&report));
        let thread = std::thread::Builder::new()
            .name("tssa-rebuild".to_owned())
            .spawn(move || rebuild::run(messages, builder, watcher, &shared, &report))
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

fn bind(addr: SocketAddr, write_timeout: Duration) -> Result<TcpListener> {
    let listener = TcpListener::bind(addr).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AddrInUse {
            Error::Setup(format!(
                "port {} on {} is already in use: stop the program using it, or pick another with --port (--port 0 picks a free one)",
                addr.port(),
                addr.ip()
            ))
        } else {
            Error::Setup(format!("cannot listen on {addr}: {err}"))
        }
    })?;
    Ok(with_write_timeout(listener, write_timeout))
}

/// Accepted sockets inherit the listener's send timeout (Linux copies socket options on
/// accept), which is the only way to give tiny_http's connections one: a client that stops
/// reading then frees its worker instead of holding it forever.
#[cfg(unix)]
fn with_write_timeout(listener: TcpListener, timeout: Duration) -> TcpListener {
    use std::os::fd::OwnedFd;
    let socket = std::net::TcpStream::from(OwnedFd::from(listener));
    // Best effort: without it, slow clients are merely slower to drop.
    let _ = socket.set_write_timeout(Some(timeout));
    TcpListener::from(OwnedFd::from(socket))
}

#[cfg(not(unix))]
fn with_write_timeout(listener: TcpListener, _timeout: Duration) -> TcpListener {
    listener
}

/// The tiny_http server, replaced if its accept loop dies: tiny_http ends that loop on the
/// first accept error (such as running out of file descriptors under a flood of idle
/// connections), which would otherwise leave a server that never answers again.
struct Acceptor {
    server: RwLock<Arc<tiny_http::Server>>,
    restarting: Mutex<()>,
    addr: SocketAddr,
    write_timeout: Duration,
}

impl Acceptor {
    fn current(&self) -> Arc<tiny_http::Server> {
        Arc::clone(&self.server.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn restart(
        &self,
        dead: &Arc<tiny_http::Server>,
        cause: &std::io::Error,
        shared: &state::Shared,
        report: &Reporter,
    ) {
        let _one_at_a_time = self.restarting.lock().unwrap_or_else(PoisonError::into_inner);
        if !Arc::ptr_eq(dead, &self.current()) {
            return;
        }
        report(Event::Warning(format!(
            "accepting connections failed ({cause}); listening again"
        )));
        let mut delay = Duration::from_millis(100);
        while !shared.stopping.load(Ordering::SeqCst) {
            std::thread::sleep(delay);
            let fresh = TcpListener::bind(self.addr)
                .map(|listener| with_write_timeout(listener, self.write_timeout))
                .map_err(|err| err.to_string())
                .and_then(|listener| {
                    tiny_http::Server::from_listener(listener, None).map_err(|err| err.to_string())
                });
            match fresh {
                Ok(server) => {
                    *self.server.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(server);
                    report(Event::Warning(format!("listening on {} again", self.addr)));
                    return;
                }
                Err(_) => delay = (delay * 2).min(Duration::from_secs(2)),
            }
        }
    }
}

fn work(shared: &state::Shared, acceptor: &Acceptor, report: &Reporter) {
    // Waits are short so that a stop or a restarted server is noticed promptly.
    let tick = Duration::from_millis(250);
    while !shared.stopping.load(Ordering::SeqCst) {
        let server = acceptor.current();
        match server.recv_timeout(tick) {
            Ok(Some(request)) => {
                // A panic must not cost a worker; tiny_http answers 500 for a dropped request.
                let _ =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| http::handle(request, shared)));
            }
            Ok(None) => {}
            Err(err) => acceptor.restart(&server, &err, shared, report),
        }
    }
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
