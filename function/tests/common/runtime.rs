//! A stand-in for the Lambda Runtime API: hands events to the real binary, started as
//! Lambda starts it, and collects its answers as Lambda would.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::mpsc;

/// The package as `eclaireurs publish` ships it: a folder with the catalog of the real
/// content where `bootstrap` reads it (`catalog.json`, beside it), and that catalog.
pub fn package() -> (tempfile::TempDir, eclaireurs_model::Catalog) {
    let package = tempfile::tempdir().expect("temp");
    let built = super::built_catalog();
    let catalog = eclaireurs_model::Catalog::read(&built).expect("catalog");
    std::fs::copy(&built, package.path().join("catalog.json")).expect("catalog");
    (package, catalog)
}

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

/// A running stand-in: events to queue, answers to read.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    runtime: Runtime,
    answers: mpsc::UnboundedReceiver<(String, serde_json::Value)>,
}

impl RuntimeApi {
    pub async fn start() -> RuntimeApi {
        let (answers_tx, answers) = mpsc::unbounded_channel();
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
        RuntimeApi {
            addr,
            runtime,
            answers,
        }
    }

    /// The real binary, ready to start as Lambda starts it against this stand-in: Lambda's
    /// environment, `package` as its task root, and none of the local settings (content
    /// folder, catalog file, site address, table).
    pub fn command(&self, function_name: &str, package: &std::path::Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_eclaireurs-function"));
        command
            .env("AWS_LAMBDA_RUNTIME_API", self.addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", function_name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/23/[$LATEST]abc")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{function_name}"),
            )
            .env("LAMBDA_TASK_ROOT", package)
            .env_remove("CONTENT_DIR")
            .env_remove("CATALOG_FILE")
            .env_remove("SITE_URL")
            .env_remove("SUBMISSIONS_TABLE");
        command
    }

    /// Queues an invocation with its request id.
    pub fn push(&self, id: &str, event: String) {
        self.runtime
            .events
            .lock()
            .expect("lock")
            .push_back((id.to_string(), event));
    }

    /// The next answer: (request id, body); the id is `error` for a reported error.
    pub async fn answer(&mut self) -> (String, serde_json::Value) {
        tokio::time::timeout(Duration::from_secs(30), self.answers.recv())
            .await
            .expect("the function answers every event")
            .expect("channel")
    }
}

/// A REST API (v1) proxy event of the stage `live` for a request, as API Gateway sends it
/// to the function through the one route `ANY /api/{proxy+}`: `path` is the resource path
/// (without the stage), `requestContext.path` the one with it.
pub fn rest_event(
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
    extra_headers: &[(&str, &str)],
) -> String {
    let domain = "abc123.execute-api.ca-central-1.amazonaws.com";
    let mut headers = serde_json::json!({
        "Content-Type": content_type,
        "Host": domain,
        "Accept-Language": "fr-CA,fr;q=0.9",
        "User-Agent": "Amazon CloudFront",
        "X-Forwarded-Proto": "https"
    });
    for (name, value) in extra_headers {
        headers[*name] = serde_json::Value::from(*value);
    }
    let multi: serde_json::Map<String, serde_json::Value> = headers
        .as_object()
        .expect("headers")
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::json!([v])))
        .collect();
    serde_json::json!({
        "resource": "/api/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": multi,
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": { "proxy": path.trim_start_matches("/api/") },
        "stageVariables": null,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": "/api/{proxy+}",
            "httpMethod": method,
            "extendedRequestId": "JKJaXmPLvHcESHA=",
            "requestTime": "23/Nov/2026:19:10:00 +0000",
            "path": format!("/live{path}"),
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": "live",
            "domainPrefix": "abc123",
            "requestTimeEpoch": 1795460000000u64,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": { "sourceIp": "198.51.100.7", "userAgent": "Amazon CloudFront" },
            "domainName": domain,
            "apiId": "abc123"
        },
        "body": body,
        "isBase64Encoded": false
    })
    .to_string()
}
