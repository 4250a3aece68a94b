//! Answering requests from the current build. A request path is only ever a key into the
//! build's file map, never joined onto a folder, so no spelling of `..` can reach outside the
//! site; suspicious spellings are refused outright anyway, so that they are visibly rejected
//! rather than quietly normalised.
//!
//! Every request must name this server in `Host` (a DNS-rebinding page names its own domain)
//! and, when it has an `Origin`, come from this server's own pages; only then is it routed.
//! Every answer, errors included, carries its type and the same protective headers: they are
//! added where a response is made ([`response`]), not route by route.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use percent_encoding::percent_decode_str;

use super::inject::{CLIENT_JS, OVERLAY_CSS, inject};
use super::reload::Subscription;
use super::state::{Entry, Shared, Snapshot, View};
use super::wire::{self, Body, Method, Refusal, Request, Response};

/// What to do with a request.
pub(crate) enum Reply {
    Send(Response),
    /// Hand the connection over to an event stream, which starts with `head`.
    Events {
        head: Vec<u8>,
        subscription: Subscription,
        version: u64,
    },
}

pub(crate) fn respond(request: &Request, shared: &Shared) -> Reply {
    if let Err(refused) = check_peer(request, shared.addr) {
        return Reply::Send(refused);
    }
    if request.method == Method::Other {
        return Reply::Send(plain(405, "method not allowed\n").with("Allow", "GET, HEAD"));
    }
    let Ok(target) = Target::parse(&request.target) else {
        return Reply::Send(plain(400, "bad request path\n"));
    };
    let response = match target.rel.as_str() {
        "__tssa/events" => return events(request, shared),
        "__tssa/client.js" => own_file(CLIENT_JS, "text/javascript; charset=utf-8"),
        "__tssa/overlay.css" => own_file(OVERLAY_CSS, "text/css; charset=utf-8"),
        _ => {
            let view = shared.view();
            match route(&view.snapshot, &target) {
                Route::File(key) => file(&view, &key, 200, target.depth),
                Route::Redirect(location) => plain(301, "moved\n").with("Location", &location),
                Route::NotFound => not_found(&view, target.depth),
            }
        }
    };
    Reply::Send(response)
}

/// The answer to a request head that could not be read.
pub(crate) fn refusal(refusal: Refusal) -> Response {
    plain(refusal.status(), &format!("{}\n", refusal.message()))
}

/// The answer when the server has no room for another connection.
pub(crate) fn busy() -> Response {
    plain(503, "too many open connections; try again shortly\n").with("Retry-After", "1")
}

/// The answer when answering panicked.
pub(crate) fn internal_error() -> Response {
    plain(
        500,
        "internal error while answering; see the terminal running tssa serve\n",
    )
}

/// `Host` must name this server; `Origin`, when sent, must be one of its pages.
fn check_peer(request: &Request, bound: SocketAddr) -> Result<(), Response> {
    let mut hosts = request.headers_named("Host");
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return Err(plain(400, "a request needs exactly one Host header\n"));
    };
    if !authority_allowed(host, bound, 80) {
        return Err(plain(
            421,
            &format!(
                "this preview answers only as http://{bound}/ or http://localhost:{}/\n",
                bound.port()
            ),
        ));
    }
    let mut origins = request.headers_named("Origin");
    match (origins.next(), origins.next()) {
        (None, _) => Ok(()),
        (Some(origin), None) if origin_allowed(origin, bound) => Ok(()),
        _ => Err(plain(403, "forbidden: the request comes from another site\n")),
    }
}

/// A request path that passed the checks: `rel` is decoded and relative to the site root.
#[derive(Debug, PartialEq, Eq)]
struct Target<'a> {
    rel: String,
    /// The path as sent, for building redirects in the client's own spelling.
    raw: &'a str,
    query: Option<&'a str>,
    /// Folders between the root and the requested page, as the browser counts them.
    depth: usize,
}

impl<'a> Target<'a> {
    /// Refuses anything that is not a plain origin-form path: absolute URLs, backslashes,
    /// empty segments, `.` and `..` segments, encoded separators, NUL and control characters.
    fn parse(url: &'a str) -> Result<Target<'a>, ()> {
        let (raw, query) = match url.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (url, None),
        };
        let rest = raw.strip_prefix('/').ok_or(())?;
        if raw.contains(['\\', '#']) || raw.contains("//") {
            return Err(());
        }
        let lower = raw.to_ascii_lowercase();
        if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
            return Err(());
        }
        let bytes: Vec<u8> = percent_decode_str(rest).collect();
        let rel = String::from_utf8(bytes).map_err(|_| ())?;
        if rel.chars().any(char::is_control) {
            return Err(());
        }
        if rel.split('/').any(|segment| segment == "." || segment == "..") {
            return Err(());
        }
        Ok(Target {
            rel,
            raw,
            query,
            depth: rest.matches('/').count(),
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Route {
    File(String),
    Redirect(String),
    NotFound,
}

fn route(snapshot: &Snapshot, target: &Target<'_>) -> Route {
    let rel = target.rel.as_str();
    if rel.is_empty() || rel.ends_with('/') {
        let index = format!("{rel}index.html");
        return if snapshot.files.contains_key(&index) {
            Route::File(index)
        } else {
            Route::NotFound
        };
    }
    if snapshot.files.contains_key(rel) {
        return Route::File(rel.to_owned());
    }
    if snapshot.files.contains_key(&format!("{rel}/index.html")) {
        // Relative, so it stays right behind a proxy that serves the preview under a sub-path.
        let last = target.raw.rsplit('/').next().unwrap_or_default();
        let query = target.query.map(|q| format!("?{q}")).unwrap_or_default();
        return Route::Redirect(format!("{last}/{query}"));
    }
    Route::NotFound
}

fn file(view: &View, key: &str, status: u16, depth: usize) -> Response {
    let content_type = content_type(key);
    match view.snapshot.files.get(key) {
        // Only pages tssa made get the reload client and the page policy.
        Some(Entry::Bytes(bytes)) if content_type.starts_with("text/html") => {
            let html = inject(bytes, depth, view.version, &view.problems, view.stale);
            response(status, content_type, Policy::Page, Body::Owned(html))
        }
        Some(Entry::Bytes(bytes)) => response(
            status,
            content_type,
            Policy::Inert,
            Body::Shared(Arc::clone(bytes)),
        ),
        // Copied from the repository: whatever it is, it runs nothing here.
        Some(Entry::File(source)) => match open(source) {
            Some((file, len)) => response(status, content_type, Policy::Inert, Body::File(file, len)),
            None => plain(404, "not found\n"),
        },
        None => plain(404, "not found\n"),
    }
}

fn open(source: &std::path::Path) -> Option<(std::fs::File, u64)> {
    let file = std::fs::File::open(source).ok()?;
    let meta = file.metadata().ok().filter(std::fs::Metadata::is_file)?;
    Some((file, meta.len()))
}

/// The site's own 404 page (with the reload script, so a page that appears later shows up).
fn not_found(view: &View, depth: usize) -> Response {
    if view.snapshot.files.contains_key("404.html") {
        file(view, "404.html", 404, depth)
    } else if !view.problems.is_empty() {
        // No build to show at all: the overlay is the page.
        let html = b"<!doctype html><title>tssa: no build yet</title><body></body>";
        let html = inject(html, depth, view.version, &view.problems, view.stale);
        response(404, "text/html; charset=utf-8", Policy::Page, Body::Owned(html))
    } else {
        plain(404, "not found\n")
    }
}

/// The server's own files, which no build contains.
fn own_file(body: &'static str, content_type: &'static str) -> Response {
    response(200, content_type, Policy::Inert, Body::Static(body.as_bytes()))
}

fn events(request: &Request, shared: &Shared) -> Reply {
    if request.method != Method::Get {
        return Reply::Send(plain(405, "method not allowed\n").with("Allow", "GET"));
    }
    let Some(subscription) = shared.hub.subscribe() else {
        return Reply::Send(plain(503, "too many open event streams\n"));
    };
    // Subscribed first, so a build published from here on reaches this stream too.
    let version = shared.view().version;
    let mut headers = headers("text/event-stream; charset=utf-8", Policy::Inert);
    // Proxies such as nginx would otherwise hold the events back.
    headers.push(("X-Accel-Buffering", "no".to_owned()));
    Reply::Events {
        head: wire::head(200, &headers, None, false),
        subscription,
        version,
    }
}

/// What a response may do once a browser has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    /// A page tssa rendered: scripts and styles from the site only (the reload client is a
    /// file for this reason), as the theme's own `<meta>` policy says, plus what only a header
    /// can say (`frame-ancestors`).
    Page,
    /// Everything else, above all files copied from the repository (an SVG or XML opened
    /// directly would otherwise run its scripts as the site): no scripts, no loads, and a
    /// sandbox, so even the origin is not the site's.
    Inert,
}

const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' https: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";
const INERT_POLICY: &str = "default-src 'none'; img-src 'self' data:; style-src 'self'; \
base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox";
/// Browsers' PDF viewers refuse to show a sandboxed PDF; a PDF runs no script of the site's.
const PDF_POLICY: &str = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn headers(content_type: &'static str, policy: Policy) -> Vec<(&'static str, String)> {
    let csp = match policy {
        Policy::Page => PAGE_POLICY,
        Policy::Inert if content_type == "application/pdf" => PDF_POLICY,
        Policy::Inert => INERT_POLICY,
    };
    [
        ("Content-Type", content_type),
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect()
}

/// Every response is made here, so none lacks its type or its policy.
fn response(status: u16, content_type: &'static str, policy: Policy, body: Body) -> Response {
    Response {
        status,
        headers: headers(content_type, policy),
        body,
    }
}

fn plain(status: u16, body: &str) -> Response {
    let body = Body::Owned(body.as_bytes().to_vec());
    response(status, "text/plain; charset=utf-8", Policy::Inert, body)
}

trait With {
    fn with(self, name: &'static str, value: &str) -> Self;
}

impl With for Response {
    /// Values come from literals or from the request target, which the head reader only
    /// accepts as visible ASCII, so no value can split the head.
    fn with(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
}

/// Whether `authority` (`host[:port]`) names this server by address or as `localhost`. A DNS
/// name pointing here is refused: that is what a DNS-rebinding page would send.
fn authority_allowed(authority: &str, bound: SocketAddr, default_port: u16) -> bool {
    let Some((name, port)) = split_authority(authority) else {
        return false;
    };
    if port.unwrap_or(default_port) != bound.port() {
        return false;
    }
    let local = bound.ip().is_loopback() || bound.ip().is_unspecified();
    if name.eq_ignore_ascii_case("localhost") {
        return local;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip == bound.ip() || bound.ip().is_unspecified() || (ip.is_loopback() && local),
        Err(_) => false,
    }
}

fn origin_allowed(origin: &str, bound: SocketAddr) -> bool {
    origin
        .strip_prefix("http://")
        .is_some_and(|authority| authority_allowed(authority, bound, 80))
}

fn split_authority(authority: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (name, after) = bracketed.split_once(']')?;
            (
                name,
                if after.is_empty() {
                    None
                } else {
                    Some(after.strip_prefix(':')?)
                },
            )
        }
        None => match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(port) => Some(port.parse().ok()?),
        None => None,
    };
    Some((name, port))
}

/// By extension; the site's files are named by tssa or copied with their own names.
fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" | "markdown" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "yaml" | "yml" => "application/yaml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(paths: &[&str]) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for path in paths {
            snapshot
                .files
                .insert((*path).to_owned(), Entry::Bytes(Arc::from(&b"x"[..])));
        }
        snapshot
    }

    #[test]
    fn traversal_spellings_are_refused() {
        for url in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/etc/passwd",
            "/%2e%2e%2fetc%2fpasswd",
            "/..%2fetc",
            "/..%5cetc",
            "/..\\etc",
            "/.%2e/etc",
            "//etc/passwd",
            "/a//b",
            "/%00",
            "/index.html%00.png",
            "/./index.html",
            "http://evil/",
            "*",
            "",
            "/%0d%0aSet-Cookie:x",
        ] {
            assert_eq!(Target::parse(url), Err(()), "{url}");
        }
    }

    #[test]
    fn plain_paths_are_decoded() {
        let target = Target::parse("/projects/my%20project/a.html?x=1").ok();
        assert_eq!(
            target.as_ref().map(|t| t.rel.as_str()),
            Some("projects/my project/a.html")
        );
        assert_eq!(target.as_ref().map(|t| t.depth), Some(2));
        assert_eq!(target.and_then(|t| t.query), Some("x=1"));
    }

    #[test]
    fn folders_get_their_index_and_a_slash() {
        let site = snapshot(&[
            "index.html",
            "projects/a/index.html",
            "projects/a/doc.html",
            "404.html",
        ]);
        let route_of = |url: &str| Target::parse(url).map(|t| route(&site, &t));
        assert_eq!(route_of("/"), Ok(Route::File("index.html".into())));
        assert_eq!(
            route_of("/projects/a/"),
            Ok(Route::File("projects/a/index.html".into()))
        );
        assert_eq!(route_of("/projects/a"), Ok(Route::Redirect("a/".into())));
        assert_eq!(route_of("/projects/a?q=1"), Ok(Route::Redirect("a/?q=1".into())));
        assert_eq!(
            route_of("/projects/a/doc.html"),
            Ok(Route::File("projects/a/doc.html".into()))
        );
        assert_eq!(route_of("/projects/"), Ok(Route::NotFound));
        assert_eq!(route_of("/..;/index.html"), Ok(Route::NotFound));
    }

    #[test]
    fn only_this_servers_own_names_are_answered() {
        let loopback: SocketAddr = ([127, 0, 0, 1], 3000).into();
        assert!(authority_allowed("127.0.0.1:3000", loopback, 80));
        assert!(authority_allowed("localhost:3000", loopback, 80));
        assert!(authority_allowed("LOCALHOST:3000", loopback, 80));
        assert!(authority_allowed("[::1]:3000", loopback, 80));
        assert!(!authority_allowed("evil.example", loopback, 80));
        assert!(!authority_allowed("evil.example:3000", loopback, 80));
        assert!(!authority_allowed("127.0.0.1:3001", loopback, 80));
        assert!(!authority_allowed("127.0.0.1", loopback, 80));
        assert!(!authority_allowed("192.168.1.5:3000", loopback, 80));
        assert!(origin_allowed("http://localhost:3000", loopback));
        assert!(!origin_allowed("http://evil.example:3000", loopback));
        assert!(!origin_allowed("null", loopback));
        let everywhere: SocketAddr = ([0, 0, 0, 0], 3000).into();
        assert!(authority_allowed("192.168.1.5:3000", everywhere, 80));
        assert!(!authority_allowed("box.local:3000", everywhere, 80));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("a/b.HTML"), "text/html; charset=utf-8");
        assert_eq!(content_type("static/style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("x/diagram.svg"), "image/svg+xml");
        assert_eq!(content_type("x/report.pdf"), "application/pdf");
        assert_eq!(content_type("x/font.woff2"), "font/woff2");
        assert_eq!(content_type("x/README"), "application/octet-stream");
    }
}
