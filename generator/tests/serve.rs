//! `eclaireurs serve` as people run it: the deployed site's security headers on every answer,
//! no scheme-relative redirect, slow clients dropped while others are served, and one plain
//! line per request on the standard output, without what people typed.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::repo;
use common::serve::Serve;

/// One exchange: the status line and headers (names in lowercase), and the body.
fn exchange(addr: SocketAddr, head: &str, body: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        stream,
        "{head}\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    (head.to_ascii_lowercase(), body.to_string())
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

#[test]
fn every_answer_carries_the_distribution_s_security_headers() {
    let serve = Serve::start();
    let csp = template_csp().to_ascii_lowercase();
    for path in [
        "/fr/",
        "/fr/bas-saint-laurent/devenir-eclaireur/",
        "/api/health",
        "/nulle-part/",
    ] {
        let (head, _) = exchange(serve.addr, &format!("GET {path} HTTP/1.1"), "");
        assert_eq!(
            header(&head, "content-security-policy"),
            Some(csp.as_str()),
            "{path}:\n{head}"
        );
        assert_eq!(
            header(&head, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(header(&head, "x-frame-options"), Some("deny"), "{path}");
        assert_eq!(
            header(&head, "referrer-policy"),
            Some("strict-origin-when-cross-origin"),
            "{path}"
        );
        assert!(
            header(&head, "strict-transport-security").is_some(),
            "{path}"
        );
        assert!(header(&head, "permissions-policy").is_some(), "{path}");
    }
    // The page's reload script comes from the site itself, which the policy allows; no
    // inline script is left for it to block.
    let (_, page) = exchange(serve.addr, "GET /fr/ HTTP/1.1", "");
    assert!(page.contains("<script src=\"/__livereload.js\" data-eclaireurs-live-reload></script>"));
    assert!(
        !page.contains("<script>") && !page.contains("<script data-"),
        "{page}"
    );
    let (head, script) = exchange(serve.addr, "GET /__livereload.js HTTP/1.1", "");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(header(&head, "content-type").is_some_and(|t| t.starts_with("text/javascript")));
    assert!(script.contains("/__livereload"), "{script}");
}

#[test]
fn an_address_with_several_leading_slashes_is_redirected_on_this_site() {
    let serve = Serve::start();
    for (path, location) in [
        ("//fr", "/fr/"),
        ("///fr?x=1", "/fr/?x=1"),
        ("//fr/bas-saint-laurent", "/fr/bas-saint-laurent/"),
    ] {
        let (head, _) = exchange(serve.addr, &format!("GET {path} HTTP/1.1"), "");
        assert!(head.starts_with("http/1.1 30"), "{path}: {head}");
        assert_eq!(header(&head, "location"), Some(location), "{path}");
    }
    let (head, page) = exchange(serve.addr, "GET //fr/ HTTP/1.1", "");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(page.contains("<html lang=\"fr\""), "the French home page");
}

#[test]
fn a_post_to_a_page_is_refused_with_a_word_not_an_empty_answer() {
    let serve = Serve::start();
    let (head, body) = exchange(serve.addr, "POST /fr/ HTTP/1.1", "");
    assert!(head.starts_with("http/1.1 405"), "{head}");
    assert_eq!(header(&head, "allow"), Some("get, head"));
    assert!(body.contains("This address is a page"), "{body}");
    assert!(body.contains("elle se lit (GET)"), "{body}");
}

/// Waits, at most `limit`, for serve to end a connection; what it sent, and when.
fn wait_for_close(mut stream: TcpStream, limit: Duration) -> (String, Duration) {
    let start = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let mut got = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buffer[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                assert!(
                    start.elapsed() < limit,
                    "serve kept the stalled connection open for {limit:?}"
                );
            }
            Err(_) => break,
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), start.elapsed())
}

#[test]
fn clients_that_stall_are_dropped_while_others_are_served() {
    let serve = Serve::start();
    let addr = serve.addr;
    let mut in_headers = TcpStream::connect(addr).expect("connect");
    in_headers
        .write_all(b"GET /fr/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: te")
        .expect("write");
    let mut in_body = TcpStream::connect(addr).expect("connect");
    write!(
        in_body,
        "POST /api/need-reports HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 300\r\n\r\nregion=bas-saint-laurent&description=Un+besoin"
    )
    .expect("write");
    let stalled = [
        std::thread::spawn(move || wait_for_close(in_headers, Duration::from_secs(15))),
        std::thread::spawn(move || wait_for_close(in_body, Duration::from_secs(20))),
    ];
    let start = Instant::now();
    let mut served = 0;
    while start.elapsed() < Duration::from_secs(6) {
        let asked = Instant::now();
        let (head, _) = exchange(addr, "GET /fr/bas-saint-laurent/ HTTP/1.1", "");
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(
            asked.elapsed() < Duration::from_secs(2),
            "took {:?}",
            asked.elapsed()
        );
        served += 1;
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(
        served >= 10,
        "only {served} pages while two clients stalled"
    );
    let [headers, body] = stalled.map(|t| t.join().expect("thread"));
    assert_eq!(headers.0, "", "closed without an answer");
    assert!(headers.1 < Duration::from_secs(10), "after {:?}", headers.1);
    assert!(body.0.starts_with("HTTP/1.1 408 "), "{:?}", body.0);
    assert!(
        body.0.contains("Rien n’a été enregistré."),
        "in the site's words, French by default: {:?}",
        body.0
    );
    assert!(
        body.0
            .to_ascii_lowercase()
            .contains("\r\ncontent-security-policy: default-src 'none'"),
        "the security headers stay on a 408: {:?}",
        body.0
    );
    assert!(body.1 < Duration::from_secs(15), "after {:?}", body.1);

    serve.wait_for_line(|l| l.starts_with("A client did not send its request within 5 s"));
    let line = serve.wait_for_line(|l| l.starts_with("POST /api/need-reports → 408"));
    assert!(line.contains("did not arrive within 10 s"), "{line}");
}

#[test]
fn each_request_is_one_plain_line_without_what_people_typed() {
    let serve = Serve::start();
    let addr = serve.addr;
    let email = "zephirine.ob@example.ca";
    let (head, _) = exchange(
        addr,
        &format!("GET /fr/bas-saint-laurent/?courriel={email} HTTP/1.1"),
        "",
    );
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let (head, _) = exchange(addr, "GET /fr/nulle-part/ HTTP/1.1", "");
    assert!(head.starts_with("http/1.1 404"), "{head}");
    let registration = format!(
        r#"{{"region":"bas-saint-laurent","language":"fr","first_name":"Zéphirine","last_name":"Ouellet-Bouchard","email":"{email}","municipality":"Saint-Fabien","roles":["support"],"consent":true,"website":""}}"#
    );
    let (head, _) = exchange(
        addr,
        "POST /api/registrations HTTP/1.1\r\nContent-Type: application/json",
        &registration,
    );
    assert!(head.starts_with("http/1.1 201"), "{head}");
    let (head, _) = exchange(
        addr,
        "POST /api/registrations HTTP/1.1\r\nContent-Type: application/json",
        &registration.replace(email, "pas-une-adresse"),
    );
    assert!(head.starts_with("http/1.1 422"), "{head}");

    let line = |prefix: &str| serve.wait_for_line(|l| l.starts_with(prefix));
    for (prefix, outcome) in [
        ("GET /fr/bas-saint-laurent/ → ", "200 OK in "),
        ("GET /fr/nulle-part/ → ", "404 Not Found in "),
        ("POST /api/registrations → 201", "201 Created in "),
        (
            "POST /api/registrations → 422",
            "422 Unprocessable Entity in ",
        ),
    ] {
        let found = line(prefix);
        assert!(
            found.contains(outcome) && found.ends_with(" ms."),
            "{found}"
        );
    }
    let printed = serve.printed();
    let requests = printed.lines().filter(|l| l.contains(" → ")).count();
    assert_eq!(requests, 4, "one line per request:\n{printed}");
    for secret in [
        email,
        "courriel",
        "Zéphirine",
        "Ouellet",
        "Saint-Fabien",
        "pas-une-adresse",
    ] {
        assert!(
            !printed.contains(secret),
            "serve printed {secret:?}:\n{printed}"
        );
    }
}
