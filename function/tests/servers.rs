//! The local server (`eclaireurs-function --listen`) and the router's own answers: slow
//! clients are dropped while others are served, a client's request id is kept only when it is
//! a UUID, health tells of a store that cannot write, 405 comes in the documented error
//! shape, and `RUST_LOG=trace` lets no submitted answer into the logs.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use common::process::{exchange, Server};
use common::*;

/// Waits, at most `limit`, for the server to end a connection; returns what it sent first
/// and when it closed. Fails if the connection is still open after `limit`.
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
                    "the server kept the stalled connection open for {limit:?}; it sent {:?}",
                    String::from_utf8_lossy(&got)
                );
            }
            // Reset: closed as well.
            Err(_) => break,
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), start.elapsed())
}

#[test]
fn clients_that_stall_in_their_headers_or_body_are_dropped_while_others_are_served() {
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start_with(dir.path(), "", &[]);
    let addr = server.addr;

    // Half a request line and headers, then nothing.
    let mut in_headers = TcpStream::connect(addr).expect("connect");
    in_headers
        .write_all(b"POST /api/registrations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        .expect("write");
    // Whole headers announcing 400 bytes of body, then 20 of them.
    let mut in_body = TcpStream::connect(addr).expect("connect");
    write!(
        in_body,
        "POST /api/registrations HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Accept-Language: en\r\nContent-Length: 400\r\n\r\n{{\"region\":\"bas-saint"
    )
    .expect("write");

    let stalled = [
        std::thread::spawn(move || wait_for_close(in_headers, Duration::from_secs(15))),
        std::thread::spawn(move || wait_for_close(in_body, Duration::from_secs(20))),
    ];
    // Meanwhile every other client is answered at once, a submission included.
    let start = Instant::now();
    let mut served = 0;
    while start.elapsed() < Duration::from_secs(6) {
        let asked = Instant::now();
        let (status, answer) = exchange(addr, "GET /api/health HTTP/1.1", "");
        assert_eq!(status, 200, "{answer}");
        assert!(
            asked.elapsed() < Duration::from_secs(2),
            "health took {:?}",
            asked.elapsed()
        );
        served += 1;
        std::thread::sleep(Duration::from_millis(250));
    }
    let (status, answer) = exchange(
        addr,
        "POST /api/registrations HTTP/1.1\r\nContent-Type: application/json",
        REGISTRATION_JSON,
    );
    assert_eq!(status, 201, "{answer}");
    assert!(
        served >= 10,
        "only {served} answers while two clients stalled"
    );

    let [headers, body] = stalled.map(|t| t.join().expect("thread"));
    assert_eq!(
        headers.0, "",
        "headers never finished: closed without an answer"
    );
    assert!(
        headers.1 < Duration::from_secs(10),
        "dropped after {:?}",
        headers.1
    );
    assert!(
        body.0.starts_with("HTTP/1.1 408 "),
        "a body too slow is told 408: {:?}",
        body.0
    );
    assert!(body.0.contains("\"code\":\"timeout\""), "{}", body.0);
    assert!(
        body.0.contains("Nothing was saved"),
        "in the client's language: {}",
        body.0
    );
    assert!(
        body.1 < Duration::from_secs(15),
        "dropped after {:?}",
        body.1
    );

    let logs = server.stop();
    let timeouts = logs
        .lines()
        .filter(|l| l.contains("\"outcome\":\"timeout\""))
        .count();
    assert_eq!(timeouts, 2, "each drop is logged:\n{logs}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("registration.jsonl"))
            .expect("store")
            .lines()
            .count(),
        1,
        "only the whole submission is stored"
    );
}

#[test]
fn a_client_request_id_is_kept_only_when_it_is_a_uuid() {
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start_with(dir.path(), "", &[]);
    let post = |id: &str| {
        exchange(
            server.addr,
            &format!(
                "POST /api/need-reports HTTP/1.1\r\nContent-Type: application/json\r\nX-Request-Id: {id}"
            ),
            NEED_REPORT_JSON,
        )
    };
    let answered_id = |answer: &str| {
        answer
            .lines()
            .find_map(|l| l.strip_prefix("x-request-id: "))
            .unwrap_or_else(|| panic!("no x-request-id in {answer}"))
            .trim()
            .to_string()
    };
    let (status, answer) = post("0B3C9F1E-5D7A-4C42-9A61-2F8E1C7D4B90");
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        answered_id(&answer),
        "0b3c9f1e-5d7a-4c42-9a61-2f8e1c7d4b90",
        "a UUID is kept (in lowercase)"
    );
    let forged = [
        "julie.tremblay@example.ca",
        "abc\",\"outcome\":\"stored",
        "0b3c9f1e5d7a4c429a612f8e1c7d4b90",
    ];
    let mut replaced = Vec::new();
    for id in forged {
        let (status, answer) = post(id);
        assert_eq!(status, 201, "{answer}");
        let given = answered_id(&answer);
        assert_ne!(given, id);
        assert!(
            uuid::Uuid::try_parse(&given).is_ok() && given.len() == 36,
            "replaced by a UUID: {given}"
        );
        replaced.push(given);
    }
    let logs = server.stop();
    let ids: Vec<String> = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["fields"]["message"] == "submission")
        .map(|e| e["fields"]["request_id"].as_str().unwrap_or("").to_string())
        .collect();
    let mut expected = vec!["0b3c9f1e-5d7a-4c42-9a61-2f8e1c7d4b90".to_string()];
    expected.extend(replaced);
    assert_eq!(
        ids, expected,
        "the logs show the ids the answers gave:\n{logs}"
    );
    assert!(!logs.contains("julie.tremblay"), "{logs}");
    assert!(!logs.contains("0b3c9f1e5d7a4c42"), "{logs}");
}

#[test]
fn health_reports_a_store_that_cannot_write() {
    // Every write fails, as on a full disk: no file may grow (and the signal that would stop
    // the process is ignored, so writes fail with an error instead).
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start_with(dir.path(), "ulimit -f 0\ntrap '' XFSZ", &[]);
    let (status, answer) = exchange(server.addr, "GET /api/health HTTP/1.1", "");
    assert_eq!(status, 503, "{answer}");
    assert!(answer.contains("\"status\":\"unavailable\""), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: "),
        "{answer}"
    );
    let (status, answer) = exchange(
        server.addr,
        "POST /api/registrations HTTP/1.1\r\nContent-Type: application/json",
        REGISTRATION_JSON,
    );
    assert_eq!(status, 503, "the store indeed cannot write: {answer}");
    let logs = server.stop();
    assert!(logs.contains("health check failed"), "{logs}");

    // The data folder removed under a running server.
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let server = Server::start_with(&data, "", &[]);
    let (status, answer) = exchange(server.addr, "GET /api/health HTTP/1.1", "");
    assert_eq!(status, 200, "{answer}");
    assert!(
        std::fs::read_dir(&data)
            .expect("data")
            .filter_map(Result::ok)
            .all(|e| !e.file_name().to_string_lossy().starts_with(".health")),
        "the probe leaves nothing behind"
    );
    std::fs::remove_dir_all(&data).expect("remove the data folder");
    let (status, answer) = exchange(server.addr, "GET /api/health HTTP/1.1", "");
    assert_eq!(status, 503, "{answer}");
    server.stop();
}

#[tokio::test]
async fn a_method_an_address_does_not_take_gets_405_in_the_documented_error_shape() {
    let api = Api::embedded().await;
    let send = |method: &str, path: &str, lang: &str| {
        Request::builder()
            .method(method)
            .uri(path)
            .header("accept-language", lang)
            .body(Body::empty())
            .expect("request")
    };
    for (method, path, allow) in [
        ("GET", "/api/registrations", "POST"),
        ("PUT", "/api/need-reports", "POST"),
        ("POST", "/api/health", "GET,HEAD"),
        ("DELETE", "/api/health", "GET,HEAD"),
    ] {
        let reply = api.send(send(method, path, "fr-CA,fr;q=0.9")).await;
        assert_eq!(reply.status, 405, "{method} {path}");
        assert_eq!(reply.header("allow"), allow, "{method} {path}");
        assert!(reply.header("content-type").starts_with("application/json"));
        let body = reply.json();
        assert_eq!(
            body,
            serde_json::json!({"errors": [{
                "field": null,
                "code": "method_not_allowed",
                "message": "Cette adresse n’accepte pas cette méthode (l’en-tête Allow dit lesquelles)."
            }]}),
            "{method} {path}"
        );
    }
    let reply = api.send(send("GET", "/api/registrations", "en-CA")).await;
    assert_eq!(
        reply.json()["errors"][0]["message"],
        "This address does not take this method (the Allow header says which it takes)."
    );
    let reply = api.send(send("GET", "/api/nowhere", "en")).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["errors"][0]["code"], "not_found");
}

#[test]
fn openapi_yaml_documents_the_router_s_own_errors() {
    let text = std::fs::read_to_string(repo().join("function/openapi.yaml")).expect("openapi");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
    let codes: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_sequence()
        .expect("ErrorCode enum")
        .iter()
        .filter_map(serde_yaml::Value::as_str)
        .collect();
    for code in ["not_found", "method_not_allowed", "timeout", "forbidden"] {
        assert!(codes.contains(&code), "ErrorCode lacks {code}: {codes:?}");
    }
    let responses = &doc["components"]["responses"];
    for (name, code) in [
        ("MethodNotAllowed", "method_not_allowed"),
        ("NotFound", "not_found"),
        ("RequestTimeout", "timeout"),
        ("Forbidden", "forbidden"),
    ] {
        let response = &responses[name];
        assert_eq!(
            response["content"]["application/json"]["example"]["errors"][0]["code"],
            serde_yaml::Value::from(code),
            "components.responses.{name}"
        );
    }
    assert!(
        responses["MethodNotAllowed"]["headers"]["Allow"].is_mapping(),
        "405 documents its Allow header"
    );
    let description = doc["info"]["description"].as_str().expect("description");
    assert!(description.contains("405") && description.contains("X-Request-Id"));
}

#[test]
fn openapi_yaml_documents_every_form_of_the_content_and_no_other_address() {
    let text = std::fs::read_to_string(repo().join("function/openapi.yaml")).expect("openapi");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
    let documented: std::collections::BTreeSet<String> = doc["paths"]
        .as_mapping()
        .expect("paths")
        .keys()
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    let site = eclaireurs_model::Site::load(
        &repo().join("content"),
        eclaireurs_model::LoadOptions::PUBLISHED,
    )
    .expect("content");
    let served: std::collections::BTreeSet<String> = site
        .forms
        .iter()
        .map(|form| format!("/api/{}", form.endpoint))
        .chain(["/api/health".to_string()])
        .collect();
    assert_eq!(
        documented, served,
        "function/openapi.yaml's paths and the forms of content/forms/ (plus /api/health)"
    );
}

#[test]
fn every_documented_error_code_has_its_words_in_both_languages() {
    let text = std::fs::read_to_string(repo().join("function/openapi.yaml")).expect("openapi");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
    let codes = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_sequence()
        .expect("ErrorCode enum");
    for lang in ["fr", "en"] {
        let path = repo().join(format!("themes/default/i18n/{lang}.yaml"));
        let strings: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&path).expect("i18n")).expect("yaml");
        for code in codes.iter().filter_map(serde_yaml::Value::as_str) {
            let message = strings["validation"][code].as_str().unwrap_or_default();
            assert!(
                !message.trim().is_empty(),
                "{}: validation.{code} is missing",
                path.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn at_rust_log_trace_the_sdk_s_requests_to_dynamodb_stay_out_of_the_logs() {
    let (_client, table) = dynamo_table("trace-logs").await;
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start_with(
        dir.path(),
        "",
        &[("SUBMISSIONS_TABLE", &table), ("RUST_LOG", "trace")],
    );
    let addr = server.addr;
    let (status, answer) = tokio::task::spawn_blocking(move || {
        exchange(
            addr,
            "POST /api/registrations HTTP/1.1\r\nContent-Type: application/json",
            REGISTRATION_JSON,
        )
    })
    .await
    .expect("request");
    assert_eq!(status, 201, "{answer}");
    let logs = server.stop();
    assert!(logs.contains("\"outcome\":\"stored\""), "{logs}");
    for secret in ["marc.gagnon@example.ca", "Gagnon", "Lac-Saint-Jean-Est"] {
        assert!(!logs.contains(secret), "the logs hold {secret:?}:\n{logs}");
    }
}
