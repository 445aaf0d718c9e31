//! The Lambda path: the real binary, started as Lambda starts it, gets API Gateway v2 and
//! Function URL event payloads from a stand-in for the Lambda Runtime API, through
//! `lambda_http`, and its answers are read back as Lambda would return them.

mod common;

use std::collections::VecDeque;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use common::*;
use tokio::sync::mpsc;

/// The Runtime API's side: events to hand out, answers received.
#[derive(Clone)]
struct Runtime {
    events: Arc<Mutex<VecDeque<(String, String)>>>,
    answers: mpsc::UnboundedSender<(String, serde_json::Value)>,
}

async fn next(State(rt): State<Runtime>) -> impl IntoResponse {
    loop {
        if let Some((id, event)) = rt.events.lock().expect("lock").pop_front() {
            let mut headers = HeaderMap::new();
            headers.insert(
                "lambda-runtime-aws-request-id",
                HeaderValue::from_str(&id).expect("id"),
            );
            headers.insert(
                "lambda-runtime-deadline-ms",
                HeaderValue::from_static("4102444800000"),
            );
            headers.insert(
                "lambda-runtime-invoked-function-arn",
                HeaderValue::from_static(
                    "arn:aws:lambda:ca-central-1:123456789012:function:eclaireurs",
                ),
            );
            headers.insert(
                "lambda-runtime-trace-id",
                HeaderValue::from_static("Root=1-5759e988-bd862e3fe1be46a994272793"),
            );
            return (StatusCode::OK, headers, event);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn respond(State(rt): State<Runtime>, Path(id): Path<String>, body: String) -> StatusCode {
    let value = serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body));
    let _ = rt.answers.send((id, value));
    StatusCode::ACCEPTED
}

async fn fail(State(rt): State<Runtime>, body: String) -> StatusCode {
    let _ = rt
        .answers
        .send(("error".into(), serde_json::Value::String(body)));
    StatusCode::ACCEPTED
}

/// An HTTP API (payload 2.0) or Function URL event for a request.
fn event(
    domain: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
    base64: bool,
) -> String {
    serde_json::json!({
        "version": "2.0",
        "routeKey": if domain.contains("lambda-url") { "$default".to_string() } else { format!("{method} {path}") },
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "content-type": content_type,
            "host": domain,
            "accept-language": "fr-CA,fr;q=0.9",
            "user-agent": "Mozilla/5.0",
            "x-forwarded-proto": "https"
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": domain,
            "domainPrefix": domain.split('.').next().unwrap_or(""),
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "198.51.100.7",
                "userAgent": "Mozilla/5.0"
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "23/Nov/2026:19:10:00 +0000",
            "timeEpoch": 1795460000000u64
        },
        "body": if base64 { base64::engine::general_purpose::STANDARD.encode(body) } else { body.to_string() },
        "isBase64Encoded": base64
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn api_gateway_and_function_url_events_run_through_lambda_http() {
    let (answers_tx, mut answers) = mpsc::unbounded_channel();
    let runtime = Runtime {
        events: Arc::new(Mutex::new(VecDeque::new())),
        answers: answers_tx,
    };
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(respond),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(fail))
        .route("/2018-06-01/runtime/init/error", post(fail))
        .with_state(runtime.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });

    let api_gateway = "abc123.execute-api.ca-central-1.amazonaws.com";
    let function_url = "a1b2c3d4e5.lambda-url.ca-central-1.on.aws";
    {
        let mut events = runtime.events.lock().expect("lock");
        events.push_back((
            "health".into(),
            event(
                api_gateway,
                "GET",
                "/api/health",
                "application/json",
                "",
                false,
            ),
        ));
        events.push_back((
            "json".into(),
            event(
                api_gateway,
                "POST",
                "/api/registrations",
                "application/json",
                REGISTRATION_JSON,
                false,
            ),
        ));
        events.push_back((
            "form".into(),
            event(
                function_url,
                "POST",
                "/api/need-reports",
                "application/x-www-form-urlencoded",
                NEED_REPORT_FORM,
                true,
            ),
        ));
        events.push_back((
            "invalid".into(),
            event(
                function_url,
                "POST",
                "/api/registrations",
                "application/x-www-form-urlencoded",
                "region=bas-saint-laurent&language=en",
                false,
            ),
        ));
    }

    // The package as `eclaireurs publish` ships it: the catalog beside bootstrap, read from
    // LAMBDA_TASK_ROOT; no content folder, and no SITE_URL (site and API share one origin).
    let package = tempfile::tempdir().expect("temp");
    let site = eclaireurs_model::Site::load(&repo().join("content")).expect("content");
    let assets = eclaireurs_model::Assets::collect(&site).expect("assets");
    let catalog = eclaireurs_model::Catalog::from_site(&site, &assets);
    std::fs::write(package.path().join("catalog.json"), catalog.to_json()).expect("catalog");
    let data = tempfile::tempdir().expect("temp");
    let mut child = Command::new(env!("CARGO_BIN_EXE_eclaireurs-function"))
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "eclaireurs")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/23/[$LATEST]abc")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/eclaireurs")
        .env("LAMBDA_TASK_ROOT", package.path())
        .env("DATA_DIR", data.path())
        .env_remove("CONTENT_DIR")
        .env_remove("CATALOG_FILE")
        .env_remove("SITE_URL")
        .env_remove("SUBMISSIONS_TABLE")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the function as Lambda does");

    let mut got = std::collections::HashMap::new();
    while got.len() < 4 {
        let (id, answer) = tokio::time::timeout(Duration::from_secs(30), answers.recv())
            .await
            .expect("the function answers every event")
            .expect("channel");
        assert_ne!(id, "error", "the runtime reported an error: {answer}");
        got.insert(id, answer);
    }
    let _ = child.kill();
    let _ = child.wait();

    assert_eq!(got["health"]["statusCode"], 200);
    let json = &got["json"];
    assert_eq!(json["statusCode"], 201, "{json}");
    let body: serde_json::Value =
        serde_json::from_str(json["body"].as_str().expect("body")).expect("json body");
    assert!(body["id"].is_string());
    let form = &got["form"];
    assert_eq!(form["statusCode"], 303, "{form}");
    assert_eq!(
        form["headers"]["location"], "/en/bas-saint-laurent/thank-you-report/",
        "on the site's own origin, a relative address"
    );
    let invalid = &got["invalid"];
    assert_eq!(invalid["statusCode"], 422);
    let page = invalid["body"].as_str().expect("page");
    assert!(page.contains("<html lang=\"en\">"));
    let stylesheet = catalog.stylesheet.as_deref().expect("a stylesheet");
    assert!(
        page.contains(&format!("href=\"{stylesheet}\"")),
        "the page uses the published (fingerprinted) stylesheet {stylesheet}:\n{page}"
    );
    let stored = std::fs::read_to_string(data.path().join("need-report.jsonl")).expect("stored");
    assert_eq!(stored.lines().count(), 1);
}
