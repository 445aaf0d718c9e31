//! The staff's commands, run as people run them: `eclaireurs-function privacy find|export|
//! delete` (a person's requests) and `eclaireurs-function export` (the team's spreadsheet),
//! on the embedded store and on DynamoDB Local.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use common::process::Server;
use common::*;

const JULIE: &str = "julie.tremblay@example.ca";

/// Julie's need report, beside her registration (REGISTRATION_FORM).
const JULIE_REPORT: &str = r#"{"region":"bas-saint-laurent","language":"fr","description":"Les aînés du rang n'ont plus de transport vers l'épicerie.","name":"Julie Tremblay","email":"Julie.Tremblay@Example.ca ","consent":true}"#;

/// Where the commands find their submissions.
enum Target<'a> {
    Embedded(&'a Path),
    Table(&'a str),
}

fn run(target: &Target, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_eclaireurs-function"));
    command
        .args(args)
        .env("CONTENT_DIR", repo().join("content"))
        .env_remove("CATALOG_FILE")
        // What staff see: an error's sentence, not the backtrace a developer asks for.
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(Stdio::null());
    match target {
        Target::Embedded(dir) => command.env("DATA_DIR", dir).env_remove("SUBMISSIONS_TABLE"),
        Target::Table(table) => command.env("SUBMISSIONS_TABLE", table),
    };
    command.output().expect("run eclaireurs-function")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs the whole privacy sequence a person in charge would, on one store.
fn privacy_requests_find_export_and_delete_one_persons_submissions(target: Target) {
    // Access: find, then export with every answer.
    let found = run(
        &target,
        &["privacy", "find", "--email", "  JULIE.Tremblay@example.CA"],
    );
    assert!(found.status.success(), "{}", stderr(&found));
    let listing = stdout(&found);
    assert!(
        listing.starts_with("2 submission(s) with the address julie.tremblay@example.ca in "),
        "{listing}"
    );
    assert!(
        listing.contains("registration") && listing.contains("need-report"),
        "{listing}"
    );
    assert!(
        !listing.contains("Marc"),
        "another person's submission is not listed: {listing}"
    );

    let only_slsj = run(
        &target,
        &[
            "privacy",
            "find",
            "--email",
            JULIE,
            "--region",
            "saguenay-lac-saint-jean",
        ],
    );
    assert!(
        stdout(&only_slsj).starts_with("0 submission(s)"),
        "{}",
        stdout(&only_slsj)
    );

    let exported = run(&target, &["privacy", "export", "--email", JULIE]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let json: serde_json::Value = serde_json::from_slice(&exported.stdout).expect("JSON");
    let submissions = json["submissions"].as_array().expect("submissions");
    assert_eq!(submissions.len(), 2);
    let registration = submissions
        .iter()
        .find(|s| s["form"] == "registration")
        .expect("the registration");
    assert_eq!(registration["answers"]["first_name"], "Julie");
    assert_eq!(
        registration["answers"]["roles"],
        serde_json::json!(["promote", "watch"])
    );
    assert_eq!(registration["region"], "bas-saint-laurent");
    assert!(
        registration["deleted_by"].is_string(),
        "when it will be deleted at the latest"
    );

    let csv = run(
        &target,
        &["privacy", "export", "--email", JULIE, "--format", "csv"],
    );
    assert!(csv.status.success(), "{}", stderr(&csv));
    assert_eq!(&csv.stdout[..3], b"\xEF\xBB\xBF");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&csv.stdout[3..]);
    let headers = reader.headers().expect("headers").clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 2, "a header and two rows: {rows:?}");
    // The export's columns: a role each, in her region's words, "Oui" where held. Her region's
    // éclaireurs hold every role and are not asked, so only the roles a submission holds
    // (here sent by a script) get a column.
    let role = |label: &str| {
        let at = headers.iter().position(|h| h == label).expect(label);
        rows.iter().filter(|r| &r[at] == "Oui").count()
    };
    assert_eq!(
        [role("Promouvoir"), role("Reconnaître")],
        [1, 1],
        "{headers:?}"
    );
    assert!(!headers.iter().any(|h| h == "Mobiliser"), "{headers:?}");
    assert!(rows.iter().any(|r| r.iter().any(|c| c == "Signalement")));

    let workbook = run(
        &target,
        &["privacy", "export", "--email", JULIE, "--format", "xlsx"],
    );
    assert!(workbook.status.success(), "{}", stderr(&workbook));
    assert_eq!(&workbook.stdout[..4], b"PK\x03\x04", "a workbook (a zip)");

    // Deletion: never without saying so, then everything of that person and nothing else.
    let refused = run(&target, &["privacy", "delete", "--email", JULIE]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("add --yes"),
        "{}",
        stderr(&refused)
    );
    assert!(stdout(&run(&target, &["privacy", "find", "--email", JULIE])).starts_with("2 "));

    let deleted = run(&target, &["privacy", "delete", "--email", JULIE, "--yes"]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    assert!(
        stdout(&deleted).contains("Deleted 2 submission(s)"),
        "{}",
        stdout(&deleted)
    );
    assert!(stdout(&run(&target, &["privacy", "find", "--email", JULIE])).starts_with("0 "));
    let others = run(
        &target,
        &["privacy", "find", "--email", "marc.gagnon@example.ca"],
    );
    assert!(
        stdout(&others).starts_with("1 "),
        "another person's data stays: {}",
        stdout(&others)
    );

    // Each run logged one line, without the address.
    for output in [&found, &exported, &csv, &workbook, &deleted] {
        let logs = stderr(output);
        let lines: Vec<&str> = logs
            .lines()
            .filter(|l| l.contains("privacy request"))
            .collect();
        assert_eq!(lines.len(), 1, "{logs}");
        assert!(!logs.to_lowercase().contains("julie"), "{logs}");
    }
}

async fn submit_three(api: &Api) {
    api.accepted_form("/api/registrations", REGISTRATION_FORM)
        .await;
    api.accepted_json("/api/need-reports", JULIE_REPORT).await;
    api.accepted_json("/api/registrations", REGISTRATION_JSON)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn privacy_requests_on_the_embedded_store() {
    let api = Api::embedded().await;
    submit_three(&api).await;
    let dir = api.dir.path().to_path_buf();
    let marc_before = std::fs::read_to_string(dir.join("registration.jsonl"))
        .expect("stored")
        .lines()
        .find(|l| l.contains("Marc"))
        .expect("Marc's line")
        .to_string();
    let Api {
        dir: keep,
        state,
        router,
    } = api;
    drop((state, router));

    privacy_requests_find_export_and_delete_one_persons_submissions(Target::Embedded(&dir));

    // The file was rewritten whole: the other line is exactly as it was, nothing left over.
    let after = std::fs::read_to_string(dir.join("registration.jsonl")).expect("stored");
    assert_eq!(after, format!("{marc_before}\n"));
    assert!(std::fs::read_dir(&dir).expect("dir").all(|e| !e
        .expect("entry")
        .file_name()
        .to_string_lossy()
        .ends_with(".rewrite")));
    drop(keep);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deletion_waits_for_the_server_to_stop_rather_than_rewrite_under_it() {
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start(dir.path());
    let (status, _, _) = server.post("/api/need-reports", "application/json", JULIE_REPORT);
    assert_eq!(status, 201);
    let refused = run(
        &Target::Embedded(dir.path()),
        &["privacy", "delete", "--email", JULIE, "--yes"],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("in use by a running server"),
        "{}",
        stderr(&refused)
    );
    server.stop();
    let deleted = run(
        &Target::Embedded(dir.path()),
        &["privacy", "delete", "--email", JULIE, "--yes"],
    );
    assert!(
        stdout(&deleted).contains("Deleted 1 submission(s)"),
        "{}",
        stderr(&deleted)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_local_server_prints_one_line_per_new_submission_without_personal_information() {
    let dir = tempfile::tempdir().expect("temp");
    let server = Server::start(dir.path());
    for _ in 0..2 {
        // The second is a retry of the first: not a new submission.
        let (status, _, _) = server.post("/api/need-reports", "application/json", JULIE_REPORT);
        assert_eq!(status, 201);
    }
    let (printed, _) = server.stop_and_read();
    let lines: Vec<&str> = printed
        .lines()
        .filter(|l| l.starts_with("New submission"))
        .collect();
    assert_eq!(lines.len(), 1, "{printed}");
    assert!(
        lines[0].contains("need-report for bas-saint-laurent"),
        "{printed}"
    );
    for personal in ["Julie", "Tremblay", "julie", "aînés", "transport"] {
        assert!(!printed.contains(personal), "{printed}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn privacy_requests_on_dynamodb_go_through_the_email_index() {
    let (client, table) = dynamo_table("privacy").await;
    let api = Api::dynamo(client.clone(), &table).await;
    submit_three(&api).await;
    let items = client.scan().table_name(&table).send().await.expect("scan");
    let hashed: Vec<_> = items
        .items()
        .iter()
        .filter(|i| i.contains_key("email_hash"))
        .collect();
    assert_eq!(
        hashed.len(),
        3,
        "every submission with an email, and no marker"
    );
    for item in &hashed {
        let AttributeValue::S(hash) = &item["email_hash"] else {
            panic!("text")
        };
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains('@'));
    }

    privacy_requests_find_export_and_delete_one_persons_submissions(Target::Table(&table));

    // Julie's submissions and their idempotency markers are gone; Marc's stay.
    let left = client.scan().table_name(&table).send().await.expect("scan");
    let entries: Vec<String> = left
        .items()
        .iter()
        .map(|i| match &i["entry"] {
            AttributeValue::S(e) => e.clone(),
            _ => String::new(),
        })
        .collect();
    assert_eq!(
        entries.len(),
        2,
        "Marc's registration and its marker: {entries:?}"
    );
}

fn put(region: &str, kind: &str, day: &str, n: usize, status: &str) -> WriteRequest {
    let at = format!("{day}T12:{:02}:{:02}.000Z", n / 60 % 60, n % 60);
    let id = format!("id-{kind}-{day}-{n:04}");
    let mut item = HashMap::from([
        ("region".to_string(), AttributeValue::S(region.into())),
        (
            "entry".to_string(),
            AttributeValue::S(format!("{kind}#{at}#{id}")),
        ),
        ("id".to_string(), AttributeValue::S(id)),
        ("kind".to_string(), AttributeValue::S(kind.into())),
        ("submitted_at".to_string(), AttributeValue::S(at.clone())),
        ("status".to_string(), AttributeValue::S(status.into())),
        ("language".to_string(), AttributeValue::S("fr".into())),
        (
            "consent_version".to_string(),
            AttributeValue::S("2026-11-23".into()),
        ),
        ("consent_at".to_string(), AttributeValue::S(at)),
        (
            "idempotency_key".to_string(),
            AttributeValue::S(format!("k{n}")),
        ),
    ]);
    if kind == "need-report" {
        // About 4 KB each: a few hundred fill more than one 1 MB page of a Query.
        item.insert(
            "description".into(),
            AttributeValue::S(format!("Besoin n° {n}; «transport»\n{}", "é".repeat(2000))),
        );
    } else {
        item.insert("first_name".into(), AttributeValue::S(format!("Prénom{n}")));
        item.insert(
            "roles".into(),
            AttributeValue::Ss(vec!["support".into(), "watch".into()]),
        );
    }
    WriteRequest::builder()
        .put_request(
            PutRequest::builder()
                .set_item(Some(item))
                .build()
                .expect("put"),
        )
        .build()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_export_queries_one_region_page_by_page_and_filters_by_form_day_and_status() {
    let (client, table) = dynamo_table("export").await;
    let mut writes = Vec::new();
    for n in 0..400 {
        let day = if n < 200 { "2026-11-02" } else { "2026-11-20" };
        let status = if n % 4 == 0 { "done" } else { "new" };
        writes.push(put("bas-saint-laurent", "need-report", day, n, status));
    }
    for n in 0..10 {
        writes.push(put(
            "bas-saint-laurent",
            "registration",
            "2026-11-05",
            n,
            "new",
        ));
        writes.push(put(
            "saguenay-lac-saint-jean",
            "registration",
            "2026-11-05",
            n,
            "new",
        ));
    }
    for chunk in writes.chunks(25) {
        let mut pending = chunk.to_vec();
        while !pending.is_empty() {
            let answer = client
                .batch_write_item()
                .request_items(&table, pending)
                .send()
                .await
                .expect("batch");
            pending = answer
                .unprocessed_items()
                .and_then(|u| u.get(&table))
                .cloned()
                .unwrap_or_default();
        }
    }
    let target = Target::Table(&table);
    let rows = |args: &[&str]| -> Vec<csv::StringRecord> {
        let output = run(&target, &[args, &["--format", "csv"]].concat());
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(&output.stdout[..3], b"\xEF\xBB\xBF");
        csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(&output.stdout[3..])
            .records()
            .map(|r| r.expect("row"))
            .collect()
    };

    let all = rows(&["export", "--region", "bas-saint-laurent"]);
    assert_eq!(
        all.len(),
        410,
        "every report (more than one page) and registration of the region"
    );
    assert!(all.iter().all(|r| &r[0] == "Bas-Saint-Laurent"));
    let submitted: Vec<&str> = all.iter().map(|r| r.get(3).unwrap_or("")).collect();
    assert!(submitted.windows(2).all(|w| w[0] <= w[1]), "oldest first");

    let reports = rows(&[
        "export",
        "--region",
        "bas-saint-laurent",
        "--kind",
        "need-report",
    ]);
    assert_eq!(reports.len(), 400);
    assert!(
        reports[0]
            .iter()
            .any(|cell| cell.starts_with("Besoin n° 0; «transport»\n")),
        "line breaks and separators kept inside the cell"
    );

    let november_20 = rows(&[
        "export",
        "--region",
        "bas-saint-laurent",
        "--kind",
        "need-report",
        "--from",
        "2026-11-20",
        "--to",
        "2026-11-20",
    ]);
    assert_eq!(november_20.len(), 200);
    let done = rows(&[
        "export",
        "--region",
        "bas-saint-laurent",
        "--kind",
        "need-report",
        "--to",
        "2026-11-02",
        "--status",
        "done",
    ]);
    assert_eq!(done.len(), 50);

    let registrations = rows(&[
        "export",
        "--region",
        "saguenay-lac-saint-jean",
        "--kind",
        "registration",
    ]);
    assert_eq!(registrations.len(), 10);
    let slsj = run(
        &target,
        &[
            "export",
            "--region",
            "saguenay-lac-saint-jean",
            "--kind",
            "registration",
            "--format",
            "csv",
        ],
    );
    let header = String::from_utf8_lossy(&slsj.stdout[3..])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let support = header
        .split(';')
        .position(|h| h == "Offrir un soutien initial")
        .unwrap_or_else(|| panic!("the region's own wording of the roles: {header}"));
    assert!(
        registrations.iter().all(|r| &r[support] == "Oui"),
        "each registration's role in its column"
    );

    let comma = run(
        &target,
        &[
            "export",
            "--region",
            "saguenay-lac-saint-jean",
            "--format",
            "csv",
            "--separator",
            "comma",
            "--language",
            "en",
        ],
    );
    let text = String::from_utf8_lossy(&comma.stdout[3..]).into_owned();
    assert!(
        text.starts_with("Region,Form,Id,Received (Quebec time),Status,"),
        "{text}"
    );
    assert!(text.contains(",Registration,"), "{text}");

    for (args, message) in [
        (vec!["export", "--region", "cote-nord"], "no such region"),
        (
            vec![
                "export",
                "--region",
                "bas-saint-laurent",
                "--from",
                "20/11/2026",
            ],
            "YYYY-MM-DD",
        ),
        (
            vec![
                "export",
                "--region",
                "bas-saint-laurent",
                "--status",
                "handled",
            ],
            "new, in-progress, done",
        ),
        (
            vec![
                "export",
                "--region",
                "bas-saint-laurent",
                "--kind",
                "survey",
            ],
            "no such form",
        ),
    ] {
        let output = run(&target, &args);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_export_reads_the_embedded_store_too_and_writes_a_whole_file() {
    let api = Api::embedded().await;
    submit_three(&api).await;
    // A workbook unless asked otherwise.
    let workbook = api.dir.path().join("inscriptions.xlsx");
    let output = run(
        &Target::Embedded(api.dir.path()),
        &[
            "export",
            "--region",
            "bas-saint-laurent",
            "--output",
            workbook.to_str().expect("path"),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let bytes = std::fs::read(&workbook).expect("written");
    assert_eq!(&bytes[..4], b"PK\x03\x04", "a workbook (a zip)");

    let out = api.dir.path().join("inscriptions.csv");
    let output = run(
        &Target::Embedded(api.dir.path()),
        &[
            "export",
            "--region",
            "bas-saint-laurent",
            "--kind",
            "registration",
            "--format",
            "csv",
            "--output",
            out.to_str().expect("path"),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Exported 1 submission(s)"),
        "{}",
        stderr(&output)
    );
    let bytes = std::fs::read(&out).expect("written");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
    assert!(text.contains(";Julie;Tremblay;"), "{text}");
    assert!(
        !text.contains("Marc"),
        "another region's registration: {text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_terminal_that_stops_reading_never_holds_up_an_answer() {
    let dir = tempfile::tempdir().expect("temp");
    // Nobody reads this server's output: more lines than a pipe holds (64 KiB) are printed.
    // Its logs (stderr) are read, as a terminal or Lambda reads them.
    let mut server = Server::start(dir.path());
    let mut logs = server.child.stderr.take().expect("stderr");
    std::thread::spawn(move || std::io::copy(&mut logs, &mut std::io::sink()));
    for n in 0..700 {
        let body = REGISTRATION_JSON.replace("Marc", &format!("Marc{n}"));
        let (status, _, answer) = server.post("/api/registrations", "application/json", &body);
        assert_eq!(status, 201, "submission {n}: {answer}");
    }
    let (status, _, _) = common::process::request(server.addr, "GET", "/api/health", "", "");
    assert_eq!(status, 200);
    let (printed, _) = server.stop_and_read();
    assert!(
        printed
            .lines()
            .filter(|l| l.starts_with("New submission"))
            .count()
            >= 500,
        "the lines that fit are printed"
    );
}

// Issue 17: the staff's commands read an address and a day as the API does, on both stores.

/// Hélène Côté's need report, her address typed with its accents composed.
const HELENE_REPORT: &str = r#"{"region":"bas-saint-laurent","language":"fr","description":"Un besoin au village.","email":"Hélène.Côté@Exemple.ca","consent":true}"#;

/// Her address as a Mac types it: each accent a separate character after its letter.
const HELENE_DECOMPOSED: &str = "he\u{301}le\u{300}ne.co\u{302}te\u{301}@exemple.ca";

/// The lines of what a command printed that say something.
fn said(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.trim().is_empty()).collect()
}

fn an_address_typed_decomposed_is_found_and_deleted(target: Target) {
    let found = run(&target, &["privacy", "find", "--email", HELENE_DECOMPOSED]);
    assert!(found.status.success(), "{}", stderr(&found));
    assert!(
        stdout(&found).starts_with("1 submission(s)"),
        "{}",
        stdout(&found)
    );
    assert!(
        stdout(&found).starts_with("1 submission(s) with the address hélène.côté@exemple.ca in "),
        "what was searched: {}",
        stdout(&found)
    );
    let exported = run(
        &target,
        &["privacy", "export", "--email", HELENE_DECOMPOSED],
    );
    let json: serde_json::Value = serde_json::from_slice(&exported.stdout).expect("JSON");
    assert_eq!(json["submissions"].as_array().map(Vec::len), Some(1));
    let deleted = run(
        &target,
        &["privacy", "delete", "--email", HELENE_DECOMPOSED, "--yes"],
    );
    assert!(
        stdout(&deleted).contains("Deleted 1 submission(s)"),
        "{} {}",
        stdout(&deleted),
        stderr(&deleted)
    );
    let gone = run(
        &target,
        &["privacy", "find", "--email", "HÉLÈNE.CÔTÉ@exemple.ca"],
    );
    assert!(
        stdout(&gone).starts_with("0 submission(s)"),
        "{}",
        stdout(&gone)
    );
    // Julie's submissions stay.
    let julie = run(&target, &["privacy", "find", "--email", JULIE]);
    assert!(stdout(&julie).starts_with("2 "), "{}", stdout(&julie));
}

fn an_address_the_forms_refuse_is_refused_in_one_sentence(target: Target) {
    for (typed, why) in [
        ("julie.tremblay\u{200b}@example.ca", "invisible"),
        ("\u{feff}julie.tremblay@example.ca", "invisible"),
        ("julie.tremblay@example", "not an email address"),
        ("   ", "empty"),
    ] {
        for action in [&["find"][..], &["export"], &["delete", "--yes"]] {
            let args = [&["privacy"][..], action, &["--email", typed]].concat();
            let output = run(&target, &args);
            assert!(!output.status.success(), "{typed:?} {action:?}");
            let err = stderr(&output);
            let lines = said(&err);
            assert_eq!(lines.len(), 1, "{typed:?} {action:?}: {err}");
            assert!(lines[0].contains(why), "{typed:?} {action:?}: {err}");
            assert!(stdout(&output).is_empty(), "{typed:?}: {}", stdout(&output));
        }
    }
    // The invisible character is written out, so staff see what to remove.
    let output = run(
        &target,
        &["privacy", "find", "--email", "julie\u{200b}@example.ca"],
    );
    assert!(
        stderr(&output).contains("julie\\u{200b}@example.ca"),
        "{}",
        stderr(&output)
    );
}

fn days_that_are_not_days_or_out_of_order_are_argument_errors(target: Target) {
    // `--from=-0001-01-01`: the way a value that starts with `-` reaches the command.
    let export = |from: &str, to: &str| {
        let (from, to) = (format!("--from={from}"), format!("--to={to}"));
        run(
            &target,
            &["export", "--region", "bas-saint-laurent", &from, &to],
        )
    };
    let reversed = export("2026-12-31", "2026-01-01");
    assert!(!reversed.status.success());
    let err = stderr(&reversed);
    assert_eq!(
        said(&err),
        vec!["Error: --from 2026-12-31 is after --to 2026-01-01: give the first day first"],
        "{err}"
    );
    for day in [
        "+2026-12-31",
        "-0001-01-01",
        "0000-01-01",
        "1999-12-31",
        "2026-02-30",
        "2026-13-01",
        "2026-1-01",
        "20260101",
        "2026-12-31T00:00",
        " 2026-12-31",
        "２０２６-12-31",
    ] {
        for output in [export(day, "2026-12-31"), export("2026-01-01", day)] {
            assert_eq!(output.status.code(), Some(2), "{day}: {}", stderr(&output));
            let err = stderr(&output);
            let lines = said(&err);
            assert!(
                lines[0].starts_with("error: invalid value")
                    && (lines[0].contains("YYYY-MM-DD")
                        || lines[0].contains("calendar")
                        || lines[0].contains("2000 to 9999")),
                "{day}: {err}"
            );
            assert!(
                lines.len() <= 2,
                "one sentence and clap's --help hint: {err}"
            );
            assert!(!err.contains("unavailable"), "{err}");
        }
    }
    let fine = export("2026-01-01", "2026-01-01");
    assert!(fine.status.success(), "one day: {}", stderr(&fine));
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_commands_read_addresses_and_days_as_the_api_does_on_the_embedded_store() {
    let api = Api::embedded().await;
    submit_three(&api).await;
    api.accepted_json("/api/need-reports", HELENE_REPORT).await;
    let Api {
        dir: keep,
        state,
        router,
    } = api;
    drop((state, router));
    an_address_typed_decomposed_is_found_and_deleted(Target::Embedded(keep.path()));
    an_address_the_forms_refuse_is_refused_in_one_sentence(Target::Embedded(keep.path()));
    days_that_are_not_days_or_out_of_order_are_argument_errors(Target::Embedded(keep.path()));
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_commands_read_addresses_and_days_as_the_api_does_on_dynamodb() {
    let (client, table) = dynamo_table("staff-input").await;
    let api = Api::dynamo(client, &table).await;
    submit_three(&api).await;
    api.accepted_json("/api/need-reports", HELENE_REPORT).await;
    an_address_typed_decomposed_is_found_and_deleted(Target::Table(&table));
    an_address_the_forms_refuse_is_refused_in_one_sentence(Target::Table(&table));
    days_that_are_not_days_or_out_of_order_are_argument_errors(Target::Table(&table));
}
