//! The binary as deployed: durable across `kill -9`, and logs without personal information.

mod common;

use common::process::Server;
use common::*;

#[test]
fn an_accepted_submission_survives_kill_9_and_its_retry_keeps_its_id() {
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start(dir.path());
    let (status, _, body) =
        server.post("/api/registrations", "application/json", REGISTRATION_JSON);
    assert_eq!(status, 201, "{body}");
    let id = serde_json::from_str::<serde_json::Value>(&body).expect("json")["id"].clone();
    // SIGKILL: no chance to flush anything after the answer.
    server.stop();

    let lines = std::fs::read_to_string(dir.path().join("registration.jsonl")).expect("store file");
    assert_eq!(lines.lines().count(), 1);
    assert!(lines.contains(id.as_str().expect("id")));

    let server = Server::start(dir.path());
    let (status, _, body) =
        server.post("/api/registrations", "application/json", REGISTRATION_JSON);
    assert_eq!(status, 201);
    let again = serde_json::from_str::<serde_json::Value>(&body).expect("json")["id"].clone();
    assert_eq!(again, id, "the retry after the restart is recognised");
    server.stop();
    let lines = std::fs::read_to_string(dir.path().join("registration.jsonl")).expect("store file");
    assert_eq!(lines.lines().count(), 1);
}

#[test]
fn a_line_cut_short_by_a_crash_is_dropped_and_the_rest_kept() {
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start(dir.path());
    assert_eq!(
        server
            .post(
                "/api/need-reports",
                "application/x-www-form-urlencoded",
                NEED_REPORT_FORM
            )
            .0,
        303
    );
    server.stop();
    let path = dir.path().join("need-report.jsonl");
    let mut text = std::fs::read_to_string(&path).expect("read");
    text.push_str("{\"id\":\"cut-sho");
    std::fs::write(&path, &text).expect("write");

    let server = Server::start(dir.path());
    assert_eq!(
        server
            .post("/api/need-reports", "application/json", NEED_REPORT_JSON)
            .0,
        201
    );
    server.stop();
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(text.lines().count(), 2);
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("every line is whole");
    }
}

#[test]
fn logs_are_json_with_the_outcome_and_never_personal_information() {
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start(dir.path());
    let secrets = [
        "Zéphirine",
        "Ouellet-Bouchard",
        "zephirine.ob@example.ca",
        "418 555-0142",
        "Saint-Fabien-sur-Mer",
        "personne âgée isolée au rang 4",
    ];
    let valid = format!(
        "region=bas-saint-laurent&language=fr&first_name={}&last_name={}&email={}&phone={}&municipality={}&roles=support&consent=true&website=",
        secrets[0], secrets[1], secrets[2], secrets[3], secrets[4]
    );
    assert_eq!(
        server
            .post(
                "/api/registrations",
                "application/x-www-form-urlencoded",
                &valid
            )
            .0,
        303
    );
    let invalid = format!(
        "region=bas-saint-laurent&language=fr&first_name={}&email=nope-{}",
        secrets[0], secrets[2]
    );
    assert_eq!(
        server
            .post(
                "/api/registrations",
                "application/x-www-form-urlencoded",
                &invalid
            )
            .0,
        422
    );
    let report = format!(
        "{{\"region\":\"bas-saint-laurent\",\"language\":\"fr\",\"description\":\"{}\",\"name\":\"{}\",\"phone\":\"{}\",\"consent\":true}}",
        secrets[5], secrets[0], secrets[3]
    );
    assert_eq!(
        server
            .post("/api/need-reports", "application/json", &report)
            .0,
        201
    );
    assert_eq!(
        server
            .post(
                "/api/need-reports",
                "application/json",
                &format!("{{\"name\":\"{}\"", secrets[0])
            )
            .0,
        400
    );
    let logs = server.stop();

    let mut outcomes = Vec::new();
    for line in logs.lines() {
        let entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if entry["fields"]["message"] == "submission" {
            assert!(
                !entry["fields"]["request_id"]
                    .as_str()
                    .unwrap_or("")
                    .is_empty(),
                "{line}"
            );
            outcomes.push(
                entry["fields"]["outcome"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            );
        }
    }
    assert_eq!(outcomes, ["stored", "invalid", "stored", "malformed"]);
    for secret in secrets {
        assert!(
            !logs.contains(secret),
            "the logs contain {secret:?}:\n{logs}"
        );
    }
    // Form encoding of the same values must not leak either.
    assert!(!logs.contains("zephirine.ob%40example.ca"));
}

#[test]
fn a_page_built_from_another_catalog_is_logged_and_still_validated_by_the_current_one() {
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start(dir.path());
    let report = |version: &str, description: &str| {
        format!(
            "region=bas-saint-laurent&language=fr&consent=true&website=&catalog_version={version}&description={description}"
        )
    };
    let form = "application/x-www-form-urlencoded";
    let (status, _, _) = server.post(
        "/api/need-reports",
        form,
        &report("00000000deadbeef", "Un+besoin+de+transport+au+village"),
    );
    assert_eq!(status, 303, "an older page's answers are still taken");
    let (status, _, _) = server.post("/api/need-reports", form, &report("00000000deadbeef", ""));
    assert_eq!(status, 422, "and judged by the current definition");
    let (status, _, _) = server.post(
        "/api/need-reports",
        form,
        &report("<script>x</script>", "Un+autre+besoin+de+transport"),
    );
    assert_eq!(status, 303);
    let logs = server.stop();
    let mismatches: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .filter(|e: &serde_json::Value| {
            e["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("catalog_mismatch"))
        })
        .collect();
    assert_eq!(mismatches.len(), 3, "{logs}");
    assert_eq!(mismatches[0]["fields"]["page_catalog"], "00000000deadbeef");
    assert_eq!(mismatches[0]["level"], "WARN");
    assert_eq!(mismatches[2]["fields"]["page_catalog"], "unrecognized");
    assert!(
        !logs.contains("<script>"),
        "client text stays out of the logs"
    );
}

#[test]
fn the_function_reads_a_catalog_file_when_told_to() {
    let dir = tempfile::tempdir().expect("temp");
    let missing = dir.path().join("nowhere/catalog.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_eclaireurs-function"))
        .args(["--listen", "127.0.0.1:0"])
        .env("CATALOG_FILE", &missing)
        .env("DATA_DIR", dir.path())
        .env_remove("SUBMISSIONS_TABLE")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("nowhere/catalog.json") && stderr.contains("CATALOG_FILE"),
        "names the file and the setting: {stderr}"
    );
}

#[test]
fn an_unreadable_chunked_body_is_malformed_not_too_large() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start(dir.path());
    let mut stream = std::net::TcpStream::connect(server.addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .expect("timeout");
    // A chunk whose size line is not hexadecimal: the body cannot be read.
    write!(
        stream,
        "POST /api/need-reports HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{{\"a\":\r\nzz\r\nnot a chunk\r\n0\r\n\r\n",
        server.addr
    )
    .expect("write");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let logs = server.stop();
    assert!(response.starts_with("HTTP/1.1 400 "), "{response}\n{logs}");
    assert!(response.contains("\"code\":\"malformed\""), "{response}");
    let stored = std::fs::read_to_string(dir.path().join("need-report.jsonl")).unwrap_or_default();
    assert!(stored.is_empty());
}
