//! `tssa serve` against a hostile browser page or client: DNS rebinding (a foreign `Host`),
//! cross-site reads (a foreign `Origin`), oversized request heads, malformed requests, and
//! the headers every answer must carry. Plus keep-alive latency: answers on a kept-alive
//! connection must not wait for the client's delayed ACK.

mod serve_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serve_support::*;

const BETA: &str = "site/community/assessments/projects/beta";

/// The usual fixture plus assets a browser might execute or sniff.
fn fixture() -> Fixture {
    let fixture = Fixture::new();
    fixture.write(
        &format!("{BETA}/feed.xml"),
        "<?xml version=\"1.0\"?>\n<feed xmlns:html=\"http://www.w3.org/1999/xhtml\">\
         <html:script>document.title='owned'</html:script></feed>\n",
    );
    fixture.write(
        &format!("{BETA}/blob.7z"),
        "7z archive bytes, of a type the server has no name for",
    );
    fixture
}

/// Every kind of thing the server answers.
const PATHS: &[&str] = &[
    "/",
    ALPHA_PAGE,
    "/projects/alpha/",
    "/projects/alpha",
    "/api/projects.json",
    "/static/style.css",
    "/projects/beta/diagram.svg",
    "/__tssa/client.js",
    "/__tssa/overlay.css",
    "/__tssa/events",
    "/no/such/page.html",
];

fn get_with(serve: &Serve, path: &str, headers: &str) -> Reply {
    serve.send(&format!(
        "GET {path} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n"
    ))
}

/// What a DNS-rebinding page sends: its own name (resolving to 127.0.0.1) in `Host`.
#[test]
fn foreign_host_never_gets_an_answer() {
    let fixture = fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    let port = serve.addr.port();
    let hosts = [
        "evil.example".to_owned(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("localhost.:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("127.0.0.1:{port}@evil.example"),
        format!("127.0.0.1:{port}, evil.example"),
        String::new(),
    ];
    for path in PATHS {
        for host in &hosts {
            let reply = get_with(&serve, path, &format!("Host: {host}\r\n"));
            assert!(
                matches!(reply.status, 400 | 421),
                "{path} with Host {host:?}: {}\n{}",
                reply.status,
                reply.head
            );
            assert!(
                !reply.text().contains("lpha"),
                "{path} with Host {host:?} leaked a page"
            );
        }
    }
    let own = serve.host();
    for (what, raw) in [
        (
            "no Host",
            "GET / HTTP/1.1\r\nConnection: close\r\n\r\n".to_owned(),
        ),
        ("no Host, HTTP/1.0", "GET / HTTP/1.0\r\n\r\n".to_owned()),
        (
            "two Hosts",
            format!("GET / HTTP/1.1\r\nHost: {own}\r\nHost: evil.example\r\nConnection: close\r\n\r\n"),
        ),
        (
            "absolute target",
            format!("GET http://evil.example/ HTTP/1.1\r\nHost: {own}\r\nConnection: close\r\n\r\n"),
        ),
    ] {
        let reply = serve.send(&raw);
        assert!(matches!(reply.status, 400 | 421), "{what}: {}", reply.status);
    }
    assert_eq!(serve.get("/").status, 200, "still serving its own name");
}

#[test]
fn own_names_are_answered() {
    let fixture = fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    let port = serve.addr.port();
    for host in [
        serve.host(),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let reply = get_with(&serve, ALPHA_PAGE, &format!("Host: {host}\r\n"));
        assert_eq!(reply.status, 200, "Host {host}");
        let origin = format!("Host: {host}\r\nOrigin: http://{host}\r\n");
        assert_eq!(
            get_with(&serve, "/api/projects.json", &origin).status,
            200,
            "Origin {host}"
        );
    }
}

/// A page on another site may fetch the preview's URL; its `Origin` gives it away.
#[test]
fn foreign_origin_is_forbidden() {
    let fixture = fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    let own = serve.host();
    let port = serve.addr.port();
    let origins = [
        "http://evil.example".to_owned(),
        format!("http://evil.example:{port}"),
        format!("https://{own}"),
        format!("http://{own}.evil.example"),
        "null".to_owned(),
        String::new(),
    ];
    for path in PATHS {
        for origin in &origins {
            let reply = get_with(&serve, path, &format!("Host: {own}\r\nOrigin: {origin}\r\n"));
            assert_eq!(reply.status, 403, "{path} with Origin {origin:?}\n{}", reply.head);
            assert!(
                !reply.text().contains("lpha"),
                "{path} with Origin {origin:?} leaked"
            );
        }
    }
}

/// One 64 MiB header: refused once the head passes the limit, never held in memory.
#[test]
fn oversized_head_is_refused_without_growth() {
    let fixture = fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    assert_eq!(serve.get("/").status, 200);
    let before = serve.memory_kib();

    let mut stream = TcpStream::connect(serve.addr).expect("connect");
    let _ = stream.set_write_timeout(Some(Duration::from_secs(20)));
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let mut reader = stream.try_clone().expect("clone");
    let answer = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = reader.read_to_end(&mut bytes);
        bytes
    });
    let head = format!("GET / HTTP/1.1\r\nHost: {}\r\nX-Big: ", serve.host());
    let mut sent = stream.write_all(head.as_bytes()).map(|()| head.len());
    let chunk = vec![b'a'; 64 * 1024];
    for _ in 0..1024 {
        match stream.write_all(&chunk) {
            Ok(()) => sent = sent.map(|n| n + chunk.len()),
            Err(_) => break,
        }
    }
    let _ = stream.write_all(b"\r\n\r\n");
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let answer = String::from_utf8_lossy(&answer.join().unwrap_or_default()).into_owned();
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "answer to a 64 MiB header: {answer:.200}"
    );

    std::thread::sleep(Duration::from_millis(300));
    if let (Some((rss0, hwm0)), Some((rss1, hwm1))) = (before, serve.memory_kib()) {
        assert!(
            rss1 <= rss0 + 8 * 1024 && hwm1 <= hwm0 + 16 * 1024,
            "server memory grew: RSS {rss0} -> {rss1} KiB, peak {hwm0} -> {hwm1} KiB"
        );
    }
    assert_eq!(serve.get("/").status, 200, "still serving");
}

#[test]
fn header_limits_answer_431() {
    let fixture = fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    let own = serve.host();
    let many: String = (0..200).map(|n| format!("X-H{n}: v\r\n")).collect();
    let reply = get_with(&serve, "/", &format!("Host: {own}\r\n{many}"));
    assert_eq!(reply.status, 431, "200 headers");
    let long = "a".repeat(20 * 1024);
    let reply = get_with(&serve, "/", &format!("Host: {own}\r\nCookie: {long}\r\n"));
    assert_eq!(reply.status, 431, "a 20 KiB header");
    let reply = get_with(&serve, &format!("/{long}"), &format!("Host: {own}\r\n"));
    assert!(
        matches!(reply.status, 414 | 431),
        "a 20 KiB path: {}",
        reply.status
    );

    let fair = "b".repeat(8 * 1024);
    let reply = get_with(&serve, "/", &format!("Host: {own}\r\nCookie: {fair}\r\n"));
    assert_eq!(reply.status, 200, "an 8 KiB header is fine");
    let some: String = (0..50).map(|n| format!("X-H{n}: v\r\n")).collect();
    assert_eq!(
        get_with(&serve, "/", &format!("Host: {own}\r\n{some}")).status,
        200
    );
}

/// Requests no browser sends: each answered 4xx/5xx (never a crash), and the server carries on.
#[test]
fn malformed_requests_are_refused() {
    let fixture = fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    let own = serve.host();
    let cases: Vec<(&str, String, u16)> = vec![
        ("bare CR", format!("GET / HTTP/1.1\rHost: {own}\r\n\r\n"), 400),
        (
            "folded header",
            format!("GET / HTTP/1.1\r\nHost: {own}\r\n X: y\r\n\r\n"),
            400,
        ),
        (
            "no colon",
            format!("GET / HTTP/1.1\r\nHost: {own}\r\nJunk\r\n\r\n"),
            400,
        ),
        (
            "space before colon",
            format!("GET / HTTP/1.1\r\nHost : {own}\r\n\r\n"),
            400,
        ),
        (
            "NUL in value",
            format!("GET / HTTP/1.1\r\nHost: {own}\r\nX: a\0b\r\n\r\n"),
            400,
        ),
        (
            "non-ASCII target",
            format!("GET /\u{e9} HTTP/1.1\r\nHost: {own}\r\n\r\n"),
            400,
        ),
        ("HTTP/2.0", format!("GET / HTTP/2.0\r\nHost: {own}\r\n\r\n"), 505),
        ("not HTTP", format!("GET / FTP/1.1\r\nHost: {own}\r\n\r\n"), 400),
        (
            "two spaces",
            format!("GET  / HTTP/1.1\r\nHost: {own}\r\n\r\n"),
            400,
        ),
        (
            "lower-case method",
            format!("get / HTTP/1.1\r\nHost: {own}\r\n\r\n"),
            405,
        ),
        (
            "empty line first (ignored)",
            format!("\r\nGET / HTTP/1.1\r\nHost: {own}\r\nConnection: close\r\n\r\n"),
            200,
        ),
    ];
    for (what, raw, status) in cases {
        match send(serve.addr, raw.as_bytes()) {
            Ok(reply) => assert_eq!(reply.status, status, "{what}: {}", reply.head),
            Err(err) => panic!("{what}: no answer: {err}"),
        }
    }
    assert_eq!(serve.get("/").status, 200, "still serving");
}

fn has_security_headers(what: &str, reply: &Reply) {
    let header = |name: &str| reply.header(name).unwrap_or_default();
    assert!(
        !header("Content-Type").is_empty(),
        "{what}: no Content-Type\n{}",
        reply.head
    );
    assert_eq!(
        header("X-Content-Type-Options"),
        "nosniff",
        "{what}\n{}",
        reply.head
    );
    assert_eq!(header("Referrer-Policy"), "no-referrer", "{what}\n{}", reply.head);
    assert_eq!(
        header("Cross-Origin-Resource-Policy"),
        "same-origin",
        "{what}\n{}",
        reply.head
    );
    let csp = header("Content-Security-Policy");
    for directive in ["default-src", "frame-ancestors 'none'", "base-uri 'none'"] {
        assert!(csp.contains(directive), "{what}: CSP {csp:?} lacks {directive}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
}

#[test]
fn every_answer_carries_type_and_policy() {
    let fixture = fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    let own = serve.host();
    let host = format!("Host: {own}\r\n");
    let get = |path: &str| get_with(&serve, path, &host);
    let mut replies = vec![
        ("page", get(ALPHA_PAGE), 200),
        ("folder", get("/projects/alpha"), 301),
        ("404", get("/missing.html"), 404),
        ("bad path", get("/../x"), 400),
        ("api", get("/api/projects.json"), 200),
        ("client", get("/__tssa/client.js"), 200),
        ("style", get("/static/style.css"), 200),
        ("svg", get("/projects/beta/diagram.svg"), 200),
        ("unknown type", get("/projects/beta/blob.7z"), 200),
        (
            "foreign host",
            get_with(&serve, "/", "Host: evil.example\r\n"),
            421,
        ),
        ("no host", get_with(&serve, "/", ""), 400),
        (
            "foreign origin",
            get_with(&serve, "/", &format!("{host}Origin: null\r\n")),
            403,
        ),
        (
            "431",
            get_with(&serve, "/", &format!("{host}X: {}\r\n", "a".repeat(20_000))),
            431,
        ),
        ("505", serve.send(&format!("GET / HTTP/2.0\r\n{host}\r\n")), 505),
        (
            "405",
            serve.send(&format!(
                "PUT / HTTP/1.1\r\n{host}Content-Length: 0\r\nConnection: close\r\n\r\n"
            )),
            405,
        ),
        (
            "HEAD",
            serve.send(&format!("HEAD / HTTP/1.1\r\n{host}Connection: close\r\n\r\n")),
            200,
        ),
    ];
    let xml = get("/projects/beta/feed.xml");
    if xml.status == 200 {
        let csp = xml.header("Content-Security-Policy").unwrap_or_default();
        assert!(
            csp.contains("sandbox"),
            "an XML file runs no script here: {csp:?}"
        );
        replies.push(("xml", xml, 200));
    }
    for (what, reply, status) in &replies {
        assert_eq!(reply.status, *status, "{what}\n{}", reply.head);
        has_security_headers(what, reply);
    }

    let page = &replies[0].1;
    let csp = page.header("Content-Security-Policy").unwrap_or_default();
    for directive in ["script-src 'self'", "object-src 'none'"] {
        assert!(csp.contains(directive), "page CSP {csp:?} lacks {directive}");
    }
    assert!(
        !page.text().contains("<script>"),
        "no inline script, the policy would block it"
    );
    let svg = &replies[7].1;
    let csp = svg.header("Content-Security-Policy").unwrap_or_default();
    assert!(csp.contains("sandbox"), "a copied SVG runs no script: {csp:?}");
    assert_eq!(
        replies[8].1.header("Content-Type").as_deref(),
        Some("application/octet-stream")
    );

    // The event stream's head, read raw: it never ends.
    let mut stream = TcpStream::connect(serve.addr).expect("connect");
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    stream
        .write_all(format!("GET /__tssa/events HTTP/1.1\r\n{host}\r\n").as_bytes())
        .expect("write");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    let reply = Reply {
        status: 200,
        head: String::from_utf8_lossy(&head).into_owned(),
        body: Vec::new(),
    };
    assert!(reply.head.starts_with("HTTP/1.1 200"), "{}", reply.head);
    assert_eq!(
        reply.header("Content-Type").as_deref(),
        Some("text/event-stream; charset=utf-8")
    );
    has_security_headers("events", &reply);
}

/// Nagle's algorithm holding a response's second write until the client's delayed ACK cost
/// ~44 ms per answer; 100 answers on one connection take a few ms each without it.
#[test]
fn keep_alive_answers_promptly() {
    let fixture = fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    let own = serve.host();
    let mut conn = serve.connect();
    assert_eq!(conn.get(ALPHA_PAGE, &own).map(|r| r.status).ok(), Some(200));
    let started = Instant::now();
    for path in [ALPHA_PAGE, "/", "/api/projects.json", "/static/style.css"].repeat(25) {
        let reply = conn.get(path, &own).expect("answer on the kept-alive connection");
        assert_eq!(reply.status, 200, "{path}");
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "100 kept-alive answers took {took:?}"
    );

    // Pipelined: three requests in one write, three answers in order, then the close asked for.
    conn.write(&format!(
        "GET / HTTP/1.1\r\nHost: {own}\r\n\r\nHEAD {ALPHA_PAGE} HTTP/1.1\r\nHost: {own}\r\n\r\n\
         GET /missing HTTP/1.1\r\nHost: {own}\r\nConnection: close\r\n\r\n"
    ))
    .expect("write");
    assert_eq!(conn.read(false).map(|r| r.status).ok(), Some(200));
    let head = conn.read(true).expect("HEAD answer");
    assert_eq!(head.status, 200);
    assert!(head.header("Content-Length").is_some_and(|n| n != "0"));
    assert_eq!(conn.read(false).map(|r| r.status).ok(), Some(404));
    let mut rest = Vec::new();
    let _ = conn.reader.read_to_end(&mut rest);
    assert!(rest.is_empty(), "closed after `Connection: close`");
}

/// The server never reads a request body: a request with one is answered, then the
/// connection closed, so the body cannot be taken for a second request.
#[test]
fn request_bodies_end_the_connection() {
    let fixture = fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    let own = serve.host();
    for raw in [
        format!(
            "POST / HTTP/1.1\r\nHost: {own}\r\nContent-Length: 38\r\n\r\nGET /secret.txt HTTP/1.1\r\nHost: x\r\n\r\n"
        ),
        format!(
            "GET / HTTP/1.1\r\nHost: {own}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\nHost: {own}\r\n\r\n"
        ),
    ] {
        let mut conn = serve.connect();
        conn.write(&raw).expect("write");
        let first = conn.read(false).expect("an answer");
        assert!(matches!(first.status, 200 | 400 | 405), "{}", first.head);
        assert_eq!(
            first.header("Connection").as_deref(),
            Some("close"),
            "{}",
            first.head
        );
        let mut rest = Vec::new();
        let _ = conn.reader.read_to_end(&mut rest);
        assert!(
            rest.is_empty(),
            "a second answer: {}",
            String::from_utf8_lossy(&rest)
        );
    }
}

/// More connections than the server keeps: the extra ones are told 503 at once, and once the
/// flood is gone the server answers again.
#[test]
fn a_connection_flood_is_refused_and_survived() {
    let fixture = fixture();
    let serve = Serve::start(&fixture.root(), &[]);
    let flood: Vec<TcpStream> = (0..600)
        .filter_map(|_| TcpStream::connect_timeout(&serve.addr, Duration::from_secs(10)).ok())
        .collect();
    assert!(flood.len() >= 550, "could not open the connections");
    // The server keeps 512; the last ones opened were answered 503 and closed.
    let mut last = flood.last().expect("a connection").try_clone().expect("clone");
    let _ = last.set_read_timeout(Some(Duration::from_secs(10)));
    let mut answer = String::new();
    let _ = last.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer:.100}");
    drop(last);
    drop(flood);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut status = 0;
    while status != 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        status = send(
            serve.addr,
            format!(
                "GET / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                serve.host()
            )
            .as_bytes(),
        )
        .map_or(0, |r| r.status);
    }
    assert_eq!(status, 200, "serving again after the flood");
}
