//! Answering requests from the current build. A request path is only ever a key into the
//! build's file map, never joined onto a folder, so no spelling of `..` can reach outside the
//! site; suspicious spellings are refused outright anyway, so that they are visibly rejected
//! rather than quietly normalised.

use std::io::{Cursor, Read};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use percent_encoding::percent_decode_str;
use tiny_http::{Header, Method, Request, Response, ResponseBox, StatusCode};

use super::inject::{CLIENT_JS, OVERLAY_CSS, inject};
use super::reload;
use super::state::{Entry, Shared, Snapshot, View};

pub(crate) fn handle(request: Request, shared: &Shared) {
    let method = request.method().clone();
    if !matches!(method, Method::Get | Method::Head) {
        let response = plain(405, "method not allowed\n").header("Allow", "GET, HEAD");
        let _ = request.respond(response);
        return;
    }
    let target = match Target::parse(request.url()) {
        Ok(target) => target,
        Err(()) => {
            let _ = request.respond(plain(400, "bad request path\n"));
            return;
        }
    };
    match target.rel.as_str() {
        "__tssa/events" => return events(request, method, shared),
        "__tssa/client.js" => return asset(request, CLIENT_JS, "text/javascript; charset=utf-8"),
        "__tssa/overlay.css" => return asset(request, OVERLAY_CSS, "text/css; charset=utf-8"),
        _ => {}
    }
    let view = shared.view();
    let response = match route(&view.snapshot, &target) {
        Route::File(key) => file(&view, &key, 200, target.depth),
        Route::Redirect(location) => plain(301, "moved\n").header("Location", &location),
        Route::NotFound => not_found(&view, target.depth),
    };
    let _ = request.respond(response);
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

fn file(view: &View, key: &str, status: u16, depth: usize) -> ResponseBox {
    let content_type = content_type(key);
    let response = match view.snapshot.files.get(key) {
        Some(Entry::Bytes(bytes)) if content_type.starts_with("text/html") => {
            let html = inject(bytes, depth, view.version, &view.problems, view.stale);
            let len = html.len();
            Response::new(StatusCode(status), Vec::new(), Cursor::new(html), Some(len), None).boxed()
        }
        Some(Entry::Bytes(bytes)) => {
            let len = bytes.len();
            Response::new(
                StatusCode(status),
                Vec::new(),
                Cursor::new(Arc::clone(bytes)),
                Some(len),
                None,
            )
            .boxed()
        }
        Some(Entry::File(source)) => match open(source) {
            Some((reader, len)) => {
                Response::new(StatusCode(status), Vec::new(), reader, Some(len), None).boxed()
            }
            None => return plain(404, "not found\n"),
        },
        None => return plain(404, "not found\n"),
    };
    response
        .header("Content-Type", content_type)
        .header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
}

fn open(source: &std::path::Path) -> Option<(Box<dyn Read + Send>, usize)> {
    let file = std::fs::File::open(source).ok()?;
    let meta = file.metadata().ok().filter(std::fs::Metadata::is_file)?;
    let len = usize::try_from(meta.len()).ok()?;
    // Never more than the length announced, should the file grow while it is sent.
    Some((Box::new(file.take(meta.len())), len))
}

/// The site's own 404 page (with the reload script, so a page that appears later shows up).
fn not_found(view: &View, depth: usize) -> ResponseBox {
    if view.snapshot.files.contains_key("404.html") {
        file(view, "404.html", 404, depth)
    } else if !view.problems.is_empty() {
        // No build to show at all: the overlay is the page.
        let html = b"<!doctype html><title>tssa: no build yet</title><body></body>";
        let html = inject(html, depth, view.version, &view.problems, view.stale);
        let len = html.len();
        Response::new(StatusCode(404), Vec::new(), Cursor::new(html), Some(len), None)
            .boxed()
            .header("Content-Type", "text/html; charset=utf-8")
            .header("Cache-Control", "no-store")
    } else {
        plain(404, "not found\n")
    }
}

/// The server's own files, which no build contains.
fn asset(request: Request, body: &str, content_type: &str) {
    let response = Response::from_string(body)
        .boxed()
        .header("Content-Type", content_type)
        .header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff");
    let _ = request.respond(response);
}

fn events(request: Request, method: Method, shared: &Shared) {
    if method != Method::Get {
        let _ = request.respond(plain(405, "method not allowed\n").header("Allow", "GET"));
        return;
    }
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str());
    let origin = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Origin"))
        .map(|h| h.value.as_str());
    if !host.is_some_and(|host| authority_allowed(host, shared.addr, 80))
        || !origin.is_none_or(|origin| origin_allowed(origin, shared.addr))
    {
        let _ = request.respond(plain(403, "forbidden: Host or Origin is not this server\n"));
        return;
    }
    let Some(subscription) = shared.hub.subscribe() else {
        let _ = request.respond(plain(503, "too many open event streams\n"));
        return;
    };
    // Subscribed first, so a build published from here on reaches this stream too.
    let version = shared.view().version;
    let heartbeat = shared.heartbeat;
    let writer = request.into_writer();
    let _ = std::thread::Builder::new()
        .name("tssa-events".to_owned())
        .spawn(move || reload::stream(writer, subscription, version, heartbeat));
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

fn plain(status: u16, body: &str) -> ResponseBox {
    Response::from_string(body)
        .with_status_code(StatusCode(status))
        .boxed()
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
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

trait WithHeader {
    fn header(self, name: &str, value: &str) -> Self;
}

impl WithHeader for ResponseBox {
    /// Names and values here are ASCII literals or come from the request line, which tiny_http
    /// only accepts in ASCII, so a header that does not parse cannot happen; skip it if it does.
    fn header(self, name: &str, value: &str) -> Self {
        match Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            Ok(header) => self.with_header(header),
            Err(()) => self,
        }
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
    fn event_stream_accepts_only_this_servers_own_names() {
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
