//! HTTP/1.1 on the wire, as much as a preview server needs: request heads read into a
//! fixed buffer (so a huge or endless head costs at most that buffer) and parsed by httparse,
//! GET and HEAD only, no request bodies, keep-alive and pipelining, and responses written in
//! one buffer.
//!
//! tiny_http, used before, read header lines into an unbounded buffer (one 512 MB header
//! kept 489 MB), wrote the head and the body in separate small writes (Nagle then held each
//! kept-alive answer for the client's delayed ACK, ~44 ms), and queued a request before any
//! code of ours could look at its `Host`. Bodies are never read here, so the whole protocol
//! surface is the request head.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Bounds on one request head. Browsers send 1–3 KiB; 16 KiB leaves room for big cookies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Request line and headers together, line ends included.
    pub head_bytes: usize,
    pub headers: usize,
    /// From a head's first byte to its end: a client sending a byte at a time (slowloris)
    /// loses its connection after this.
    pub head_time: Duration,
    /// Waiting for the next request on a kept-alive connection.
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            head_bytes: 16 * 1024,
            headers: 100,
            head_time: Duration::from_secs(10),
            idle: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Head,
    Other,
}

/// A request head that parsed. Header names keep their spelling; look them up with
/// [`Request::header`], which ignores case.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: Method,
    pub target: String,
    /// HTTP/1.0 (`false`) or HTTP/1.1.
    pub http11: bool,
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// All values of the header `name`.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// A body follows the head; it is never read, so the connection cannot carry on after it.
    pub fn has_body(&self) -> bool {
        self.header("Transfer-Encoding").is_some()
            || self.headers_named("Content-Length").any(|n| n.trim() != "0")
    }

    /// Whether the client will send another request on this connection.
    pub fn keep_alive(&self) -> bool {
        let connection = self
            .headers_named("Connection")
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>()
            .join(",");
        let says = |word: &str| connection.split(',').any(|t| t.trim() == word);
        if self.http11 {
            !says("close")
        } else {
            says("keep-alive")
        }
    }
}

/// Why no request could be read. `Closed`: the client left or went quiet between requests,
/// which needs no answer; every other case is answered with the status of [`Refusal`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ReadError {
    Closed,
    Refused(Refusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 400: not HTTP/1.x as RFC 9112 spells it.
    Malformed(&'static str),
    /// 431: the head passed [`Limits::head_bytes`] or [`Limits::headers`].
    TooLarge(&'static str),
    /// 408: the head did not arrive within [`Limits::head_time`].
    TooSlow,
    /// 505
    Version,
}

impl Refusal {
    pub fn status(self) -> u16 {
        match self {
            Refusal::Malformed(_) => 400,
            Refusal::TooLarge(_) => 431,
            Refusal::TooSlow => 408,
            Refusal::Version => 505,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Refusal::Malformed(why) | Refusal::TooLarge(why) => why,
            Refusal::TooSlow => "the request head took too long to arrive",
            Refusal::Version => "only HTTP/1.0 and HTTP/1.1 are served",
        }
    }
}

/// Reads request heads from one connection. Bytes after a head (a pipelined request) stay in
/// the buffer for the next call.
pub(crate) struct HeadReader {
    stream: TcpStream,
    buf: Box<[u8]>,
    filled: usize,
    limits: Limits,
}

impl HeadReader {
    pub fn new(stream: TcpStream, limits: Limits) -> Self {
        HeadReader {
            stream,
            buf: vec![0; limits.head_bytes].into_boxed_slice(),
            filled: 0,
            limits,
        }
    }

    pub fn next_request(&mut self) -> Result<Request, ReadError> {
        let mut deadline = None;
        loop {
            self.skip_leading_line_ends();
            if let Some(end) = head_end(&self.buf[..self.filled]) {
                let request = parse_head(&self.buf[..end], self.limits.headers);
                self.buf.copy_within(end..self.filled, 0);
                self.filled -= end;
                return request.map_err(ReadError::Refused);
            }
            if self.filled == self.buf.len() {
                return Err(ReadError::Refused(Refusal::TooLarge(
                    "the request head is larger than 16 KiB",
                )));
            }
            // The head's clock starts with its first byte; before that the connection is idle.
            let started = self.filled > 0;
            let wait = if started {
                let deadline = *deadline.get_or_insert_with(|| Instant::now() + self.limits.head_time);
                deadline.saturating_duration_since(Instant::now())
            } else {
                self.limits.idle
            };
            match self.fill(wait) {
                Ok(0) => return Err(ReadError::Closed),
                Ok(_) => {}
                Err(err) if is_timeout(&err) && started => {
                    return Err(ReadError::Refused(Refusal::TooSlow));
                }
                Err(_) => return Err(ReadError::Closed),
            }
        }
    }

    fn fill(&mut self, wait: Duration) -> io::Result<usize> {
        if wait.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(wait))?;
        let read = self.stream.read(&mut self.buf[self.filled..])?;
        self.filled += read;
        Ok(read)
    }

    /// RFC 9112 §2.2: empty lines before a request line are ignored.
    fn skip_leading_line_ends(&mut self) {
        let blank = self.buf[..self.filled]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        // A lone trailing `\r` may be the start of `\r\n`: keep it until the next byte.
        let blank = if blank == self.filled && self.buf[..blank].ends_with(b"\r") {
            blank - 1
        } else {
            blank
        };
        self.buf.copy_within(blank..self.filled, 0);
        self.filled -= blank;
    }

    /// After refusing a request: reads and drops what the client is still sending, for a
    /// moment and a bounded amount, so that closing does not reset the connection before the
    /// client has read the answer.
    pub fn linger(&mut self) {
        let deadline = Instant::now() + Duration::from_millis(500);
        let mut left: usize = 1024 * 1024;
        let mut scratch = [0u8; 8192];
        while left > 0 {
            let wait = deadline.saturating_duration_since(Instant::now());
            if wait.is_zero() || self.stream.set_read_timeout(Some(wait)).is_err() {
                return;
            }
            match self.stream.read(&mut scratch) {
                Ok(0) | Err(_) => return,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    }
}

fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

/// The length of the head including its final empty line, if it has arrived.
fn head_end(bytes: &[u8]) -> Option<usize> {
    let mut line_start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if byte == b'\n' {
            let line = &bytes[line_start..i];
            if line.is_empty() || line == b"\r" {
                return Some(i + 1);
            }
            line_start = i + 1;
        }
    }
    None
}

/// Reads a complete head with httparse, the parser hyper uses: strict about what RFC 9112
/// allows (no space before a colon, no folded lines, no control characters, HTTP/1.0 or 1.1
/// only), which is what keeps request smuggling out.
fn parse_head(head: &[u8], max_headers: usize) -> Result<Request, Refusal> {
    let mut slots = vec![httparse::EMPTY_HEADER; max_headers];
    let mut parsed = httparse::Request::new(&mut slots);
    match parsed.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(Refusal::Malformed("the request head is cut short")),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refusal::TooLarge("more than 100 request headers"));
        }
        Err(httparse::Error::Version) if names_another_version(head) => return Err(Refusal::Version),
        Err(httparse::Error::HeaderName | httparse::Error::HeaderValue) => {
            return Err(Refusal::Malformed("a request header is not `Name: value`"));
        }
        Err(_) => {
            return Err(Refusal::Malformed(
                "the request line is not `METHOD /path HTTP/1.1`",
            ));
        }
    }
    let target = parsed.path.unwrap_or_default();
    // httparse lets bytes past ASCII through in a target; RFC 9112 does not.
    if !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Refusal::Malformed(
            "the request line is not `METHOD /path HTTP/1.1`",
        ));
    }
    let method = match parsed.method {
        Some("GET") => Method::Get,
        Some("HEAD") => Method::Head,
        _ => Method::Other,
    };
    let headers = parsed
        .headers
        .iter()
        .map(|header| {
            let value = String::from_utf8_lossy(header.value);
            (header.name.to_owned(), value.trim_matches([' ', '\t']).to_owned())
        })
        .collect();
    Ok(Request {
        method,
        target: target.to_owned(),
        http11: parsed.version == Some(1),
        headers,
    })
}

/// Whether a request line is well formed but for its version (`HTTP/2.0`): 505, not 400.
fn names_another_version(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let parts: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    matches!(parts.as_slice(), [_, _, version] if version.len() == 8 && version.starts_with(b"HTTP/"))
}

/// The answer's body. Memory bodies go out in the same write as the head.
pub(crate) enum Body {
    Static(&'static [u8]),
    Shared(std::sync::Arc<[u8]>),
    Owned(Vec<u8>),
    /// A file and the length announced; never more than that is sent.
    File(std::fs::File, u64),
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Static(bytes) => bytes.len() as u64,
            Body::Shared(bytes) => bytes.len() as u64,
            Body::Owned(bytes) => bytes.len() as u64,
            Body::File(_, len) => *len,
        }
    }
}

/// A response: status, headers (the caller's; `Content-Length` and `Connection` are added
/// here) and body.
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

impl Response {
    /// Writes the whole response, head and body in one write where the body is in memory.
    /// Errors: the client went away or stopped reading, or a file shrank while being sent;
    /// either way the connection must end.
    pub fn write_to(self, stream: &mut TcpStream, head_only: bool, keep_alive: bool) -> io::Result<()> {
        let len = self.body.len();
        let mut out = head(self.status, &self.headers, Some(len), keep_alive);
        if head_only {
            return stream.write_all(&out);
        }
        match self.body {
            Body::Static(bytes) => out.extend_from_slice(bytes),
            Body::Shared(bytes) => out.extend_from_slice(&bytes),
            Body::Owned(bytes) => out.extend_from_slice(&bytes),
            Body::File(file, len) => return write_file(stream, out, file, len),
        }
        stream.write_all(&out)
    }
}

fn write_file(stream: &mut TcpStream, mut out: Vec<u8>, file: std::fs::File, len: u64) -> io::Result<()> {
    // The head goes out with the file's first 64 KiB; most assets are smaller than that.
    let mut file = file.take(len);
    let first = (&mut file).take(64 * 1024).read_to_end(&mut out)?;
    stream.write_all(&out)?;
    let rest = io::copy(&mut file, stream)?;
    if first as u64 + rest < len {
        return Err(io::Error::other("the file shrank while it was sent"));
    }
    Ok(())
}

/// A response head. `length`: `None` for a stream that ends with the connection.
pub(crate) fn head(
    status: u16,
    headers: &[(&'static str, String)],
    length: Option<u64>,
    keep_alive: bool,
) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if let Some(length) = length {
        out.extend_from_slice(format!("Content-Length: {length}\r\n").as_bytes());
    }
    if !keep_alive || length.is_none() {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(head: &str) -> Result<Request, Refusal> {
        let end = head_end(head.as_bytes()).ok_or(Refusal::Malformed("incomplete"))?;
        parse_head(&head.as_bytes()[..end], 100)
    }

    #[test]
    fn a_browser_request_parses() {
        let request = parse("GET /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nAccept:  */*\t\r\n\r\n");
        let request = request.expect("parses");
        assert_eq!(request.method, Method::Get);
        assert_eq!(request.target, "/a?b=1");
        assert_eq!(request.header("host"), Some("127.0.0.1:3000"));
        assert_eq!(request.header("ACCEPT"), Some("*/*"));
        assert!(request.keep_alive());
        assert!(!request.has_body());
    }

    #[test]
    fn bare_line_feeds_end_lines_too() {
        let request = parse("HEAD / HTTP/1.0\nConnection: Keep-Alive\n\n").expect("parses");
        assert_eq!(request.method, Method::Head);
        assert!(!request.http11);
        assert!(request.keep_alive());
    }

    #[test]
    fn connection_and_bodies() {
        let close = parse("GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n").expect("parses");
        assert!(!close.keep_alive());
        let old = parse("GET / HTTP/1.0\r\n\r\n").expect("parses");
        assert!(!old.keep_alive());
        let body = parse("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n").expect("parses");
        assert!(body.has_body());
        let chunked = parse("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").expect("parses");
        assert!(chunked.has_body());
        let empty = parse("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").expect("parses");
        assert!(!empty.has_body());
    }

    #[test]
    fn smuggling_shapes_are_refused() {
        for head in [
            "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n",
            "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
            "GET  / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1 \r\n\r\n",
            "GET /\u{e9} HTTP/1.1\r\n\r\n",
            "GET / FTP/1.1\r\n\r\n",
            "GET\r\n\r\n",
            "G(T / HTTP/1.1\r\n\r\n",
        ] {
            assert!(matches!(parse(head), Err(Refusal::Malformed(_))), "{head:?}");
        }
        assert_eq!(parse("GET / HTTP/2.0\r\n\r\n").err(), Some(Refusal::Version));
    }

    #[test]
    fn header_count_is_capped() {
        let many: String = (0..101).map(|n| format!("X-{n}: v\r\n")).collect();
        let head = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert!(matches!(parse(&head), Err(Refusal::TooLarge(_))));
        let fine: String = (0..100).map(|n| format!("X-{n}: v\r\n")).collect();
        assert!(parse(&format!("GET / HTTP/1.1\r\n{fine}\r\n")).is_ok());
    }

    /// A reader on one end of a loopback connection, and the other end to write to.
    fn pair(limits: Limits) -> Option<(HeadReader, TcpStream)> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
        let client = TcpStream::connect(listener.local_addr().ok()?).ok()?;
        let (server, _) = listener.accept().ok()?;
        Some((HeadReader::new(server, limits), client))
    }

    fn quick() -> Limits {
        Limits {
            head_bytes: 256,
            headers: 4,
            head_time: Duration::from_millis(200),
            idle: Duration::from_millis(200),
        }
    }

    #[test]
    fn pipelined_heads_are_read_one_by_one() {
        let Some((mut reader, mut client)) = pair(quick()) else {
            return; // no loopback networking here
        };
        let _ = client.write_all(b"\r\nGET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\nHost: x\n\n");
        let first = reader.next_request().map(|r| r.target);
        let second = reader.next_request().map(|r| (r.method, r.target));
        assert_eq!(first, Ok("/a".to_owned()));
        assert_eq!(second, Ok((Method::Head, "/b".to_owned())));
        assert_eq!(
            reader.next_request().err(),
            Some(ReadError::Closed),
            "idle, then closed"
        );
    }

    #[test]
    fn slow_and_oversized_heads_are_refused() {
        let Some((mut reader, mut client)) = pair(quick()) else {
            return;
        };
        let _ = client.write_all(b"GET / HTTP/1.1\r\nHost: x");
        assert_eq!(
            reader.next_request().err(),
            Some(ReadError::Refused(Refusal::TooSlow))
        );
        let Some((mut reader, mut client)) = pair(quick()) else {
            return;
        };
        let _ = client.write_all(format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(300)).as_bytes());
        assert!(matches!(
            reader.next_request(),
            Err(ReadError::Refused(Refusal::TooLarge(_)))
        ));
    }

    #[test]
    fn heads_carry_length_and_close() {
        let text = String::from_utf8(head(
            404,
            &[("Content-Type", "text/plain".into())],
            Some(3),
            false,
        ))
        .unwrap_or_default();
        assert_eq!(
            text,
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
        );
        let stream = String::from_utf8(head(200, &[], None, true)).unwrap_or_default();
        assert!(stream.ends_with("Connection: close\r\n\r\n"), "{stream}");
    }
}
