//! What `eclaireurs-function --listen` answers outside the API's routes and beyond its
//! limits: every answer has a body in the documented error shape (an address it does not
//! have, a head that is not HTTP or too large, a request for another host), and a client
//! that sends requests without reading the answers is disconnected.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use common::process::Server;
use eclaireurs_function::http::server::{self, Event, Limits, Refusal};
use eclaireurs_model::Lang;

/// Sends `request` as is and reads the whole answer (the server closes the connection).
fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    stream.write_all(request).expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

fn status(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    let head = answer.split("\r\n\r\n").next().unwrap_or("");
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn body(answer: &str) -> &str {
    answer.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

fn catalog() -> eclaireurs_model::catalog::Catalog {
    eclaireurs_model::catalog::Catalog::from_content(&common::repo().join("content"))
        .expect("catalog")
}

fn message(answer: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(body(answer)).expect("JSON");
    json["errors"][0]["message"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// The error the answer's body holds, in the documented shape: its code.
fn error_code(answer: &str) -> String {
    let json: serde_json::Value =
        serde_json::from_str(body(answer)).unwrap_or_else(|e| panic!("not JSON ({e}): {answer}"));
    let error = &json["errors"][0];
    assert!(error["field"].is_null(), "{answer}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{answer}"
    );
    error["code"].as_str().unwrap_or("").to_string()
}

#[test]
fn every_address_the_server_does_not_have_is_answered_in_the_error_shape() {
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start(dir.path());
    let addr = server.addr;
    for path in [
        "/",
        "/favicon.ico",
        "//api/",
        "/API/",
        "/api",
        "/api/",
        "/api//",
        "/api/health/",
        "/api/nope",
    ] {
        for method in ["GET", "OPTIONS", "HEAD"] {
            let answer = raw(
                addr,
                format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            );
            let what = format!("{method} {path}: {answer}");
            assert_eq!(status(&answer), 404, "{what}");
            assert_eq!(
                header(&answer, "content-type"),
                Some("application/json"),
                "{what}"
            );
            assert_eq!(
                header(&answer, "x-content-type-options"),
                Some("nosniff"),
                "{what}"
            );
            assert!(header(&answer, "x-request-id").is_some(), "{what}");
            if method == "HEAD" {
                assert_eq!(body(&answer), "", "{what}");
            } else {
                assert_eq!(error_code(&answer), "not_found", "{what}");
            }
        }
    }
}

#[test]
fn a_head_that_is_not_http_or_too_large_is_answered_in_the_error_shape_then_closed() {
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start(dir.path());
    let addr = server.addr;

    let answer = raw(addr, b"GARBAGE\r\n\r\n");
    assert_eq!(status(&answer), 400, "{answer}");
    assert_eq!(error_code(&answer), "malformed");
    assert_eq!(header(&answer, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(&answer, "connection"), Some("close"));
    assert!(header(&answer, "x-request-id").is_some(), "{answer}");

    let mut large = format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\nX-Big: ").into_bytes();
    large.extend(std::iter::repeat_n(b'a', 100_000));
    large.extend_from_slice(b"\r\n\r\n");
    let answer = raw(addr, &large);
    assert_eq!(status(&answer), 431, "{answer}");
    assert_eq!(error_code(&answer), "too_large");
    assert_eq!(header(&answer, "content-type"), Some("application/json"));
    assert_eq!(header(&answer, "x-content-type-options"), Some("nosniff"));

    // Requests before a bad one are answered first, in order.
    let pipelined = format!(
        "GET /api/health HTTP/1.1\r\nHost: {addr}\r\n\r\n\
         POST /api/nope HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 5\r\n\r\nhello\
         GET /api/health HTTP/1.1\r\nContent-Length: -1\r\n\r\n"
    );
    let answer = raw(addr, pipelined.as_bytes());
    let statuses: Vec<&str> = answer.split("HTTP/1.1 ").skip(1).map(|a| &a[..3]).collect();
    assert_eq!(statuses, ["200", "404", "400"], "{answer}");

    // A chunked body is not followed here: its answer closes the connection, so what comes
    // after it is never read (by hyper, which would answer a bad head bare).
    let answer = raw(
        addr,
        format!(
            "POST /api/nope HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\n\r\n\
             5\r\nhello\r\n0\r\n\r\nGARBAGE\r\n\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(answer.matches("HTTP/1.1 ").count(), 1, "{answer}");
    assert_eq!(status(&answer), 404, "{answer}");
    assert_eq!(header(&answer, "connection"), Some("close"), "{answer}");

    // The server goes on serving.
    let answer = raw(
        addr,
        format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert_eq!(status(&answer), 200, "{answer}");
    let logs = server.stop();
    assert_eq!(
        logs.matches("\"outcome\":\"unreadable\"").count(),
        3,
        "{logs}"
    );
}

#[test]
fn a_server_on_loopback_answers_only_loopback_names() {
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start(dir.path());
    let addr = server.addr;
    let port = addr.port();
    let ask = |host: &str| {
        raw(
            addr,
            format!("GET /api/health HTTP/1.1\r\nHost: {host}\r\nAccept-Language: en\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    };
    for host in [
        format!("127.0.0.1:{port}"),
        "127.0.0.1".into(),
        format!("localhost:{port}"),
        "LocalHost".into(),
        format!("[::1]:{port}"),
    ] {
        let answer = ask(&host);
        assert_eq!(status(&answer), 200, "{host}: {answer}");
    }
    for host in [
        format!("evil.example:{port}"),
        "evil.example".into(),
        format!("127.0.0.1.nip.io:{port}"),
    ] {
        let answer = ask(&host);
        assert_eq!(status(&answer), 421, "{host}: {answer}");
        assert_eq!(error_code(&answer), "misdirected", "{answer}");
        assert_eq!(
            message(&answer),
            catalog().text(Lang::En, "validation.misdirected"),
            "in the client's language"
        );
        assert_eq!(header(&answer, "x-content-type-options"), Some("nosniff"));
        assert!(header(&answer, "x-request-id").is_some(), "{answer}");
    }
}

/// Writes `request` again and again on one connection, never reading; returns when a write
/// fails (the server closed the connection), or not at all.
fn pipeline_without_reading(addr: SocketAddr, request: &'static [u8]) -> mpsc::Receiver<usize> {
    let (done, disconnected) = mpsc::channel();
    let mut stream = TcpStream::connect(addr).expect("connect");
    std::thread::spawn(move || {
        let mut sent = 0;
        while stream.write_all(request).is_ok() {
            sent += 1;
        }
        let _ = done.send(sent);
    });
    disconnected
}

#[test]
fn a_client_that_pipelines_requests_and_never_reads_is_disconnected_within_the_write_limit() {
    let dir = tempfile::tempdir().expect("temp");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let events = Arc::new(Mutex::new(Vec::<String>::new()));
    let addr = runtime.block_on(async {
        let live = eclaireurs_function::live(common::settings(dir.path()))
            .await
            .expect("api");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let seen = events.clone();
        let refusals = live.clone();
        tokio::spawn(server::serve(
            listener,
            eclaireurs_function::http::live::app(live),
            std::future::pending(),
            Arc::new(move |event: Event<'_>| {
                if !matches!(event, Event::Answered { .. }) {
                    seen.lock().expect("lock").push(format!("{event:?}"));
                }
            }),
            Arc::new(move |refusal: Refusal, headers: &axum::http::HeaderMap| {
                server::answer_for(&refusals.current().state.catalog, refusal, headers)
            }),
            Limits {
                unread: Duration::from_secs(1),
                ..Limits::default()
            },
        ));
        addr
    });

    let start = Instant::now();
    let disconnected = pipeline_without_reading(
        addr,
        b"GET /api/nope HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: fr\r\n\r\n",
    );
    let sent = disconnected
        .recv_timeout(Duration::from_secs(30))
        .expect("still connected after 30 s while the limit is 1 s");
    assert!(sent > 100, "disconnected after {sent} requests only");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "disconnected after {:?}",
        start.elapsed()
    );
    // Reported once the connection is gone, which the client may see first.
    let reported = Instant::now();
    while events.lock().expect("lock").is_empty() && reported.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        events.lock().expect("lock").clone(),
        ["AnswersNotRead { after: 1s }"],
        "the disconnection is reported"
    );

    // A client that reads is served as before.
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    assert_eq!(status(&answer), 200, "{answer}");
}

#[test]
fn openapi_yaml_documents_the_local_server_s_own_answers() {
    let text =
        std::fs::read_to_string(common::repo().join("function/openapi.yaml")).expect("openapi");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
    let codes: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_sequence()
        .expect("ErrorCode enum")
        .iter()
        .filter_map(serde_yaml::Value::as_str)
        .collect();
    let responses = &doc["components"]["responses"];
    for (name, refusal) in [
        ("Misdirected", Refusal::Misdirected),
        (
            "HeadUnreadable",
            Refusal::Unreadable(axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
        ),
    ] {
        assert!(codes.contains(&refusal.code()), "{codes:?}");
        assert_eq!(
            responses[name]["content"]["application/json"]["example"]["errors"][0]["code"],
            serde_yaml::Value::from(refusal.code()),
            "components.responses.{name}"
        );
    }
    let description = doc["info"]["description"].as_str().expect("description");
    for shown in ["`421`", "`431`", "`400`", "unread"] {
        assert!(description.contains(shown), "the description tells {shown}");
    }
}
