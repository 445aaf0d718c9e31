//! A hung or stopped database gives a bounded 503 with `Retry-After`, never a 500 with
//! internals, and the function recovers when the database does. (Its own test binary: it
//! freezes the shared DynamoDB Local, which no other test may be using meanwhile.)

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

fn control(action: &str) {
    let status = Command::new(repo().join("tests/dynamodb-local"))
        .arg(action)
        .status()
        .expect("run tests/dynamodb-local");
    assert!(status.success(), "tests/dynamodb-local {action} failed");
}

/// Thaws DynamoDB Local even when an assertion fails.
struct ThawOnDrop;

impl Drop for ThawOnDrop {
    fn drop(&mut self) {
        control("thaw");
    }
}

fn assert_unavailable(reply: &Reply, took: Duration) {
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.header("retry-after"), "5");
    assert!(
        took < Duration::from_secs(10),
        "answered in {took:?}: bounded by the timeouts"
    );
    assert_eq!(reply.json()["errors"][0]["code"], "unavailable");
    for internal in ["Dynamo", "Exception", "dispatch", "timeout", "127.0.0.1"] {
        assert!(
            !reply.body.contains(internal),
            "no internals in the answer: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn a_frozen_database_gives_a_bounded_503_then_the_function_recovers() {
    let (client, table) = dynamo_table("frozen").await;
    let api = Api::dynamo(client.clone(), &table).await;
    control("freeze");
    let thaw = ThawOnDrop;
    let start = Instant::now();
    let reply = api.json("/api/registrations", REGISTRATION_JSON).await;
    assert_unavailable(&reply, start.elapsed());
    drop(thaw);

    let reply = api.json("/api/registrations", REGISTRATION_JSON).await;
    assert_eq!(reply.status, 201, "recovered: {}", reply.body);
    let scan = client.scan().table_name(&table).send().await.expect("scan");
    let submissions = scan
        .items()
        .iter()
        .filter(|i| {
            i.get("kind")
                .and_then(|k| k.as_s().ok())
                .map(String::as_str)
                == Some("registration")
        })
        .count();
    assert_eq!(
        submissions, 1,
        "the failed attempt left nothing half-written"
    );
}

#[tokio::test]
async fn a_stopped_database_gives_a_quick_503_and_an_unhealthy_health_check() {
    dynamodb_endpoint();
    // Nothing listens on port 9 (discard) here: a database that is down.
    let client = eclaireurs_function::store::dynamodb::client_at(Some("http://127.0.0.1:9")).await;
    let api = Api::dynamo(client, "absent").await;
    let start = Instant::now();
    let reply = api.form("/api/need-reports", NEED_REPORT_FORM).await;
    assert_eq!(reply.status, 503);
    assert!(
        reply.header("content-type").starts_with("text/html"),
        "form posts get a page"
    );
    assert!(
        reply.body.contains("<html lang=\"en\">"),
        "in the form's language"
    );
    assert!(
        reply.body.contains("your answers will be saved only once"),
        "what a retry does: {}",
        reply.body
    );
    assert!(
        reply.body.contains("Back to the form"),
        "a way back to the form: {}",
        reply.body
    );
    assert!(start.elapsed() < Duration::from_secs(10));
    let health = api
        .send(
            axum::http::Request::get("/api/health")
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(health.status, 503);
    assert_eq!(health.header("retry-after"), "5");
}
