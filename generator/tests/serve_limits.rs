//! `eclaireurs serve` beyond its pages: a request for another host (a DNS-rebinding page)
//! is refused, a head that is not HTTP or too large is answered with the distribution's
//! security headers as every page is, and a client that never reads its answers is
//! disconnected.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::serve::Serve;
use common::{repo, Fixture};
use eclaireurs_function::http::server::{Limits, Refusal};
use eclaireurs_model::Lang;

/// Sends `request` as is and reads the whole answer: its head (names in lowercase) and body.
fn raw(addr: SocketAddr, request: &[u8]) -> (String, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    stream.write_all(request).expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    (head.to_ascii_lowercase(), body.to_string())
}

fn status(head: &str) -> u16 {
    head.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .map(str::trim)
}

/// The distribution's Content-Security-Policy, read from template.yaml as CloudFront sends it.
fn template_csp() -> String {
    let text = std::fs::read_to_string(repo().join("template.yaml")).expect("template.yaml");
    let template: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
    let policy = template["Resources"]["SecurityHeadersPolicy"]["Properties"]
        ["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
        ["ContentSecurityPolicy"]
        .as_str()
        .expect("the template's CSP");
    policy.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What serve answers for `refusal`: its message in French, then in English, from the
/// interface strings (`validation.<code>`) of the content.
fn both_languages(refusal: Refusal) -> String {
    let catalog =
        eclaireurs_model::catalog::Catalog::from_content(&repo().join("content")).expect("catalog");
    let key = format!("validation.{}", refusal.code());
    format!(
        "{}\n{}\n",
        catalog.text(Lang::Fr, &key),
        catalog.text(Lang::En, &key)
    )
}

/// The headers every answer of serve carries, as its pages do.
fn assert_security_headers(head: &str) {
    assert_eq!(
        header(head, "x-content-type-options"),
        Some("nosniff"),
        "{head}"
    );
    assert_eq!(header(head, "x-frame-options"), Some("deny"), "{head}");
    assert_eq!(
        header(head, "content-security-policy"),
        Some(template_csp().to_ascii_lowercase().as_str()),
        "{head}"
    );
    assert_eq!(
        header(head, "content-type"),
        Some("text/plain; charset=utf-8"),
        "{head}"
    );
}

#[test]
fn a_bad_request_line_and_100_kb_of_headers_are_answered_with_the_security_headers() {
    let serve = Serve::start();
    let addr = serve.addr;

    let (head, body) = raw(addr, b"GARBAGE\r\n\r\n");
    assert_eq!(status(&head), 400, "{head}");
    assert_security_headers(&head);
    assert_eq!(
        body,
        both_languages(Refusal::Unreadable(axum::http::StatusCode::BAD_REQUEST))
    );

    let mut large = format!("GET /fr/ HTTP/1.1\r\nHost: {addr}\r\nX-Big: ").into_bytes();
    large.extend(std::iter::repeat_n(b'a', 100_000));
    large.extend_from_slice(b"\r\n\r\n");
    let (head, body) = raw(addr, &large);
    assert_eq!(status(&head), 431, "{head}");
    assert_security_headers(&head);
    assert_eq!(
        body,
        both_languages(Refusal::Unreadable(
            axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
        ))
    );

    let mut long = b"GET /".to_vec();
    long.extend(std::iter::repeat_n(b'a', 70_000));
    long.extend_from_slice(b" HTTP/1.1\r\n\r\n");
    let (head, _) = raw(addr, &long);
    assert_eq!(status(&head), 414, "{head}");
    assert_security_headers(&head);
}

#[test]
fn serve_answers_only_loopback_names_and_the_address_it_printed() {
    let serve = Serve::start();
    let addr = serve.addr;
    let port = addr.port();
    let ask = |host: &str| {
        raw(
            addr,
            format!("GET /fr/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
    };
    for host in [
        addr.to_string(),
        "127.0.0.1".into(),
        format!("localhost:{port}"),
        "localhost".into(),
        format!("[::1]:{port}"),
    ] {
        let (head, _) = ask(&host);
        assert_eq!(status(&head), 200, "{host}: {head}");
    }
    // A page of another site whose name now resolves to 127.0.0.1 reads nothing.
    for host in [
        format!("rebind.evil.example:{port}"),
        "rebind.evil.example".into(),
        format!("localhost.evil.example:{port}"),
    ] {
        let (head, body) = ask(&host);
        assert_eq!(status(&head), 421, "{host}: {head}");
        assert_security_headers(&head);
        assert_eq!(
            body,
            both_languages(Refusal::Misdirected),
            "no page of the site"
        );
    }
    let (head, _) = raw(
        addr,
        format!(
            "GET /api/health HTTP/1.1\r\nHost: rebind.evil.example:{port}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(status(&head), 421, "the API neither: {head}");
}

#[test]
fn a_client_that_pipelines_requests_and_never_reads_is_disconnected_within_the_write_limit() {
    let site = Fixture::real();
    // This process's environment is serve's: its store in the copy's folder.
    std::env::set_var("DATA_DIR", site.dir.path().join("data"));
    for name in [
        "SUBMISSIONS_TABLE",
        "SITE_URL",
        "ALLOWED_ORIGINS",
        "CONTENT_DIR",
        "CATALOG_FILE",
        "AWS_LAMBDA_RUNTIME_API",
    ] {
        std::env::remove_var(name);
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let content = site.content();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let limits = Limits {
            unread: Duration::from_secs(1),
            ..Limits::default()
        };
        let _ = runtime.block_on(eclaireurs::serve::serve_with(&content, port, limits));
    });
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    // Ready once it answers a page (its first build done), not merely once it listens.
    let start = Instant::now();
    loop {
        let ready = TcpStream::connect(addr).is_ok()
            && status(
                &raw(
                    addr,
                    b"GET /fr/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                )
                .0,
            ) == 200;
        if ready {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "serve did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut stream = TcpStream::connect(addr).expect("connect");

    let started = Instant::now();
    let (done, disconnected) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = 0;
        // The reload script, which serve leaves out of its log (one line per request).
        while stream
            .write_all(b"GET /__livereload.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .is_ok()
        {
            sent += 1;
        }
        let _ = done.send(sent);
    });
    let sent = disconnected
        .recv_timeout(Duration::from_secs(30))
        .expect("still connected after 30 s while the limit is 1 s");
    assert!(sent > 10, "disconnected after {sent} requests only");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "disconnected after {:?}",
        started.elapsed()
    );
    // Everyone else is still served.
    let (head, _) = raw(
        addr,
        b"GET /fr/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status(&head), 200, "{head}");
}

#[test]
fn every_address_the_api_does_not_have_is_answered_in_its_error_shape_with_the_security_headers() {
    let serve = Serve::start();
    let addr = serve.addr;
    for path in ["/api", "/api/", "/api//", "/api/health/", "/api/nope"] {
        for method in ["GET", "OPTIONS", "HEAD"] {
            let (head, body) = raw(
                addr,
                format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            );
            let what = format!("{method} {path}: {head}\n{body}");
            assert_eq!(status(&head), 404, "{what}");
            assert_eq!(
                header(&head, "content-type"),
                Some("application/json"),
                "{what}"
            );
            assert_eq!(
                header(&head, "x-content-type-options"),
                Some("nosniff"),
                "{what}"
            );
            assert_eq!(header(&head, "x-frame-options"), Some("deny"), "{what}");
            if method != "HEAD" {
                assert!(body.contains("\"code\":\"not_found\""), "{what}");
            }
        }
    }
}
