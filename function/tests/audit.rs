//! `eclaireurs-function audit` as the privacy officer runs it: the trail's gzip log files in
//! an S3 bucket (moto's), three days of them, read by the real binary. Exactly the window's
//! requests on the table show, by time; another table's, another service's and other days'
//! never do, nor any value that is not a key.

mod common;

use std::io::Write;
use std::process::{Command, Output};

use serde_json::{json, Value};

use common::{moto_endpoint, new_bucket, put, s3};

const TABLE: &str = "eclaireurs-submissions";
const ACCOUNT: &str = "210987654321";
const REGION: &str = "ca-central-1";

const RELAY: &str =
    "arn:aws:sts::210987654321:assumed-role/eclaireurs-RelayTeamRole-BSL/marie.gagnon";
const RELAY_ROLE: &str = "arn:aws:iam::210987654321:role/eclaireurs-RelayTeamRole-BSL";
const PRIVACY: &str =
    "arn:aws:sts::210987654321:assumed-role/eclaireurs-PrivacyOfficerRole/sylvie.roy";
const PRIVACY_ROLE: &str = "arn:aws:iam::210987654321:role/eclaireurs-PrivacyOfficerRole";
const FUNCTION: &str = "arn:aws:sts::210987654321:assumed-role/eclaireurs-SubmissionFunctionRole-7QX/eclaireurs-SubmissionFunction-Ab12";
const FUNCTION_ROLE: &str = "arn:aws:iam::210987654321:role/eclaireurs-SubmissionFunctionRole-7QX";
const OTHER: &str = "arn:aws:iam::210987654321:user/stagiaire";

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn gzip(records: &[Value]) -> Vec<u8> {
    let json = serde_json::to_vec(&json!({ "Records": records })).expect("json");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&json).expect("gzip");
    encoder.finish().expect("gzip")
}

/// A log file's key, as CloudTrail names them, in the day's folder.
fn log_key(day: &str, stamp: &str, n: u32) -> String {
    format!(
        "AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{}/{ACCOUNT}_CloudTrail_{REGION}_{stamp}_abc{n}.json.gz",
        day.replace('-', "/")
    )
}

fn identity(arn: &str, role: Option<&str>) -> Value {
    match role {
        Some(role) => json!({
            "type": "AssumedRole",
            "arn": arn,
            "accountId": ACCOUNT,
            "sessionContext": {
                "sessionIssuer": { "type": "Role", "arn": role, "accountId": ACCOUNT },
                "attributes": { "mfaAuthenticated": "false" }
            }
        }),
        None => {
            json!({ "type": "IAMUser", "arn": arn, "accountId": ACCOUNT, "userName": "stagiaire" })
        }
    }
}

/// A DynamoDB data event on `table`, the table's ARN in `resources`.
fn event(time: &str, who: Value, name: &str, table: &str, params: Value) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": who,
        "eventTime": time,
        "eventSource": "dynamodb.amazonaws.com",
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": "198.51.100.23",
        "userAgent": "aws-cli/2.17.20 md/awscrt#0.20.11 os/linux",
        "requestParameters": params,
        "responseElements": null,
        "eventID": format!("ev-{time}-{name}"),
        "readOnly": matches!(name, "GetItem" | "Query"),
        "resources": [{
            "accountId": ACCOUNT,
            "type": "AWS::DynamoDB::Table",
            "ARN": format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}")
        }],
        "eventType": "AwsApiCall",
        "managementEvent": false,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Data"
    })
}

fn key(region: &str, entry: &str) -> Value {
    json!({ "tableName": TABLE, "key": { "region": region, "entry": entry } })
}

const KEY_1: &str = "need-report#2026-11-01T18:22:05Z#0193a1";
const KEY_2: &str = "registration#2026-11-02T14:30:00Z#0193b7";
const KEY_3: &str = "registration#2026-10-20T08:00:00Z#019100";

/// Three days of logs (2026-11-02 to 04), with an event of 11-01 delivered on 11-02 and one
/// of 11-03 delivered on 11-04.
async fn bucket_with_logs() -> String {
    let s3 = s3().await;
    let bucket = new_bucket(&s3, "audit").await;
    let mut late_update = event(
        "2026-11-03T08:00:00Z",
        identity(RELAY, Some(RELAY_ROLE)),
        "UpdateItem",
        TABLE,
        key("bas-saint-laurent", KEY_1),
    );
    // Not in real logs (CloudTrail leaves values out), here to show they never print.
    late_update["requestParameters"]["updateExpression"] = json!("SET #status = :s, #n = :n");
    late_update["requestParameters"]["expressionAttributeValues"] =
        json!({ ":s": { "S": "in-progress" }, ":n": { "S": "Sophie Lavoie 418 555-0142" } });
    let mut denied = event(
        "2026-11-03T11:11:11Z",
        identity(OTHER, None),
        "GetItem",
        TABLE,
        key("estrie", KEY_3),
    );
    denied["errorCode"] = json!("AccessDeniedException");
    denied["errorMessage"] = json!("explicit deny in a resource-based policy");
    // The table named only in requestParameters, by its ARN (no resources).
    let mut put_item = event(
        "2026-11-02T14:30:00Z",
        identity(FUNCTION, Some(FUNCTION_ROLE)),
        "PutItem",
        TABLE,
        json!({
            "tableName": format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}"),
            "key": { "region": "saguenay-lac-saint-jean", "entry": KEY_2 },
            "item": ["region", "entry", "first_name", "email"]
        }),
    );
    put_item.as_object_mut().expect("event").remove("resources");
    put_item["userAgent"] = json!("aws-sdk-rust/1.3.9 os/linux lang/rust#1.89.0");

    put(
        &s3,
        &bucket,
        &log_key("2026-11-02", "20261102T0005Z", 1),
        gzip(&[
            event(
                "2026-11-01T23:58:00Z",
                identity(RELAY, Some(RELAY_ROLE)),
                "GetItem",
                TABLE,
                key(
                    "bas-saint-laurent",
                    "need-report#2026-10-31T10:00:00Z#019200",
                ),
            ),
            event(
                "2026-11-02T09:15:00Z",
                identity(RELAY, Some(RELAY_ROLE)),
                "GetItem",
                TABLE,
                key("bas-saint-laurent", KEY_1),
            ),
            event(
                "2026-11-02T10:00:00Z",
                identity(PRIVACY, Some(PRIVACY_ROLE)),
                "Query",
                TABLE,
                json!({
                    "tableName": TABLE,
                    "indexName": "email-index",
                    "keyConditionExpression": "#hash = :hash",
                    "expressionAttributeNames": { "#hash": "email_hash" },
                    "expressionAttributeValues": { ":hash": { "S": HASH } }
                }),
            ),
            json!({
                "eventTime": "2026-11-02T11:00:00Z",
                "eventSource": "s3.amazonaws.com",
                "eventName": "PutBucketPolicy",
                "userIdentity": identity(OTHER, None),
                "requestParameters": { "bucketName": TABLE },
                "eventID": "ev-s3"
            }),
        ]),
    )
    .await;
    put(
        &s3,
        &bucket,
        &log_key("2026-11-02", "20261102T1435Z", 2),
        gzip(&[put_item]),
    )
    .await;
    put(
        &s3,
        &bucket,
        &format!("AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/2026/11/02/notes.txt"),
        b"not a log".to_vec(),
    )
    .await;
    put(
        &s3,
        &bucket,
        &log_key("2026-11-03", "20261103T1215Z", 3),
        gzip(&[
            late_update,
            denied,
            event(
                "2026-11-03T12:00:00Z",
                identity(RELAY, Some(RELAY_ROLE)),
                "GetItem",
                "another-table",
                json!({ "tableName": "another-table", "key": { "id": "elsewhere-1" } }),
            ),
        ]),
    )
    .await;
    put(&s3, &bucket, &log_key("2026-11-04", "20261104T0005Z", 4), gzip(&[
        event("2026-11-03T23:59:30Z", identity(RELAY, Some(RELAY_ROLE)), "Query", TABLE, json!({
            "tableName": TABLE,
            "keyConditionExpression": "#region = :region AND begins_with(#entry, :kind)",
            "expressionAttributeNames": { "#region": "region", "#entry": "entry" },
            "expressionAttributeValues": { ":region": { "S": "bas-saint-laurent" }, ":kind": { "S": "need-report#" } }
        })),
        event("2026-11-04T10:00:00Z", identity(PRIVACY, Some(PRIVACY_ROLE)), "GetItem", TABLE, key("bas-saint-laurent", "need-report#2026-11-04T09:00:00Z#0193d0")),
    ])).await;
    bucket
}

/// The real binary, pointed at moto's S3.
fn audit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eclaireurs-function"))
        .arg("audit")
        .args(args)
        .env("AWS_ENDPOINT_URL_S3", moto_endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", REGION)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("SUBMISSIONS_TABLE", TABLE)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AUDIT_BUCKET")
        .env_remove("RUST_LOG")
        .output()
        .expect("run eclaireurs-function audit")
}

fn succeeded(output: &Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "audit failed:\n{stderr}\n{stdout}");
    (stdout, stderr)
}

fn failed(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "audit succeeded:\n{stderr}");
    stderr
}

/// (time, principal, action, items, outcome) of a JSON report.
fn rows(json: &str) -> Vec<(String, String, String, Vec<String>, String)> {
    let value: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    value
        .as_array()
        .expect("an array of rows")
        .iter()
        .map(|r| {
            let text = |name: &str| {
                r[name]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: {r}"))
                    .to_string()
            };
            let items = r["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i.as_str().expect("item").to_string())
                .collect();
            (
                text("time"),
                text("principal"),
                text("action"),
                items,
                text("outcome"),
            )
        })
        .collect()
}

fn row(
    time: &str,
    principal: &str,
    action: &str,
    item: &str,
    outcome: &str,
) -> (String, String, String, Vec<String>, String) {
    (
        time.into(),
        principal.into(),
        action.into(),
        vec![item.to_string()],
        outcome.into(),
    )
}

fn window_rows() -> Vec<(String, String, String, Vec<String>, String)> {
    vec![
        row(
            "2026-11-02T09:15:00Z",
            RELAY,
            "GetItem",
            &format!("bas-saint-laurent / {KEY_1}"),
            "ok",
        ),
        row(
            "2026-11-02T10:00:00Z",
            PRIVACY,
            "Query",
            &format!("email-index: email_hash = {HASH}"),
            "ok",
        ),
        row(
            "2026-11-02T14:30:00Z",
            FUNCTION,
            "PutItem",
            &format!("saguenay-lac-saint-jean / {KEY_2}"),
            "ok",
        ),
        row(
            "2026-11-03T08:00:00Z",
            RELAY,
            "UpdateItem",
            &format!("bas-saint-laurent / {KEY_1}"),
            "ok",
        ),
        row(
            "2026-11-03T11:11:11Z",
            OTHER,
            "GetItem",
            &format!("estrie / {KEY_3}"),
            "AccessDeniedException",
        ),
        row(
            "2026-11-03T23:59:30Z",
            RELAY,
            "Query",
            "table: region = bas-saint-laurent AND begins_with(entry, need-report#)",
            "ok",
        ),
    ]
}

const NEVER: &[&str] = &[
    "Sophie",
    "Lavoie",
    "418 555",
    "in-progress",
    "first_name",
    "another-table",
    "elsewhere",
    "PutBucketPolicy",
    "019200",
    "0193d0",
];

fn assert_nothing_else(text: &str) {
    for word in NEVER {
        assert!(!text.contains(word), "`{word}` shows:\n{text}");
    }
}

#[tokio::test]
async fn the_window_shows_exactly_its_requests_on_the_table_by_time() {
    let bucket = bucket_with_logs().await;
    let window = [
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-03",
        "--bucket",
        &bucket,
    ];

    let (json, summary) = succeeded(&audit(&[&window[..], &["--format", "json"]].concat()));
    assert_eq!(rows(&json), window_rows());
    assert_nothing_else(&json);
    assert_eq!(
        summary.trim(),
        format!(
            "6 event(s) on {TABLE} from 2026-11-02 to 2026-11-03, 4 principal(s), 3 item(s) \
             named by key; 4 log file(s) read from s3://{bucket}/AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/."
        )
    );
    let first: Value = serde_json::from_str::<Value>(&json).expect("json")[0].clone();
    assert_eq!(first["role"], RELAY_ROLE);
    assert_eq!(first["session"], "marie.gagnon");
    assert_eq!(first["principal_type"], "AssumedRole");
    assert_eq!(first["source_ip"], "198.51.100.23");
    assert_eq!(first["user_agent"], "aws-cli/2.17.20");
    assert_eq!(first["access"], "read");

    let (table, _) = succeeded(&audit(&window));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 7, "a header and six rows:\n{table}");
    assert!(lines[0].starts_with("TIME (UTC)"), "{table}");
    assert!(
        lines[1].starts_with(
            "2026-11-02T09:15:00Z  assumed-role/eclaireurs-RelayTeamRole-BSL/marie.gagnon"
        ),
        "{table}"
    );
    assert!(
        lines[5].contains("user/stagiaire") && lines[5].contains("AccessDeniedException"),
        "{table}"
    );
    assert_nothing_else(&table);

    // One day: the event of 11-03 delivered in 11-04's folder is still found.
    let (json, _) = succeeded(&audit(&[
        "--from",
        "2026-11-03",
        "--to",
        "2026-11-03",
        "--bucket",
        &bucket,
        "--format",
        "json",
    ]));
    assert_eq!(rows(&json), window_rows()[3..].to_vec());
}

#[tokio::test]
async fn the_principal_filter_keeps_only_that_principals_requests() {
    let bucket = bucket_with_logs().await;
    let window = [
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-03",
        "--bucket",
        &bucket,
        "--format",
        "json",
    ];
    let only = |principal: &str| {
        let (json, _) = succeeded(&audit(&[&window[..], &["--principal", principal]].concat()));
        rows(&json)
    };
    assert_eq!(only("PRIVACYOFFICER"), window_rows()[1..2].to_vec());
    assert_eq!(only("Stagiaire"), window_rows()[4..5].to_vec());
    assert_eq!(
        only("marie.gagnon"),
        [0, 3, 5].map(|n| window_rows()[n].clone()).to_vec()
    );
    assert_eq!(only("SubmissionFunctionRole"), window_rows()[2..3].to_vec());
    let (json, summary) = succeeded(&audit(
        &[&window[..], &["--principal", "nobody-by-that-name"]].concat(),
    ));
    assert_eq!(json.trim(), "[]");
    assert!(summary.starts_with("0 event(s)"), "{summary}");
}

#[tokio::test]
async fn csv_and_json_go_to_a_file_with_the_same_rows() {
    let bucket = bucket_with_logs().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let csv_path = dir.path().join("acces.csv");
    let json_path = dir.path().join("acces.json");
    let window = [
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-03",
        "--bucket",
        &bucket,
    ];
    let (stdout, _) = succeeded(&audit(
        &[
            &window[..],
            &[
                "--format",
                "csv",
                "--output",
                csv_path.to_str().expect("path"),
            ],
        ]
        .concat(),
    ));
    assert!(stdout.is_empty(), "{stdout}");
    succeeded(&audit(
        &[
            &window[..],
            &["--format", "json", "-o", json_path.to_str().expect("path")],
        ]
        .concat(),
    ));

    let csv_text = std::fs::read_to_string(&csv_path).expect("the CSV");
    assert_nothing_else(&csv_text);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        reader
            .headers()
            .expect("headers")
            .iter()
            .collect::<Vec<_>>(),
        [
            "time",
            "principal",
            "principal_type",
            "role",
            "session",
            "source_ip",
            "user_agent",
            "action",
            "access",
            "items",
            "outcome",
            "event_id"
        ]
    );
    let from_csv: Vec<_> = reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            (
                r[0].to_string(),
                r[1].to_string(),
                r[7].to_string(),
                vec![r[9].to_string()],
                r[10].to_string(),
            )
        })
        .collect();
    assert_eq!(from_csv, window_rows());
    let json_text = std::fs::read_to_string(&json_path).expect("the JSON");
    assert_eq!(rows(&json_text), window_rows());
}

#[tokio::test]
async fn a_window_without_log_files_says_so_and_is_not_an_error() {
    let bucket = bucket_with_logs().await;
    let (stdout, summary) = succeeded(&audit(&[
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-05",
        "--bucket",
        &bucket,
    ]));
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        summary.starts_with(&format!("No log file from 2026-10-01 to 2026-10-05 in s3://{bucket}/AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/")),
        "{summary}"
    );

    let empty = new_bucket(&s3().await, "audit").await;
    let (_, summary) = succeeded(&audit(&[
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-03",
        "--bucket",
        &empty,
    ]));
    assert!(
        summary.starts_with("No trail log in the bucket at all"),
        "{summary}"
    );
}

#[tokio::test]
async fn a_missing_bucket_a_malformed_file_or_a_bad_day_is_a_plain_error() {
    let missing = failed(&audit(&[
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-03",
        "--bucket",
        "no-such-audit-bucket-eclaireurs",
    ]));
    assert!(
        missing.contains("there is no bucket no-such-audit-bucket-eclaireurs"),
        "{missing}"
    );

    let s3 = s3().await;
    let bucket = new_bucket(&s3, "audit").await;
    let broken = log_key("2026-11-02", "20261102T0005Z", 9);
    put(&s3, &bucket, &broken, b"{\"Records\": [".to_vec()).await;
    let malformed = failed(&audit(&[
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-02",
        "--bucket",
        &bucket,
    ]));
    assert!(
        malformed.contains(&format!(
            "s3://{bucket}/{broken} is not a CloudTrail log file that can be read: not gzip"
        )),
        "{malformed}"
    );

    let unnamed = failed(&audit(&["--from", "2026-11-02", "--to", "2026-11-03"]));
    assert!(unnamed.contains("--bucket, or AUDIT_BUCKET"), "{unnamed}");
    let bad_day = failed(&audit(&[
        "--from",
        "2026-11-31",
        "--to",
        "2026-12-01",
        "--bucket",
        &bucket,
    ]));
    assert!(
        bad_day.contains("--from 2026-11-31: write the day as YYYY-MM-DD"),
        "{bad_day}"
    );
    let reversed = failed(&audit(&[
        "--from",
        "2026-11-03",
        "--to",
        "2026-11-02",
        "--bucket",
        &bucket,
    ]));
    assert!(reversed.contains("is after --to"), "{reversed}");
}
