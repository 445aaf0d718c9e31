//! The Lambda path: the real binary, started as Lambda starts it, gets API Gateway v2 and
//! Function URL event payloads from a stand-in for the Lambda Runtime API, through
//! `lambda_http`, and its answers are read back as Lambda would return them.

mod common;

use std::process::Stdio;

use base64::Engine;
use common::runtime::{rest_event, RuntimeApi};
use common::*;

/// An HTTP API (payload 2.0) or Function URL event for a request. The HTTP API has one
/// route, `ANY /api/{proxy+}` (template.yaml): every request under `/api/` reaches the
/// function, which routes it.
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
        "routeKey": if domain.contains("lambda-url") { "$default" } else { "ANY /api/{proxy+}" },
        "rawPath": path,
        "pathParameters": { "proxy": path.trim_start_matches("/api/") },
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
    let mut runtime = RuntimeApi::start().await;

    let api_gateway = "abc123.execute-api.ca-central-1.amazonaws.com";
    let function_url = "a1b2c3d4e5.lambda-url.ca-central-1.on.aws";
    {
        let events = &runtime;
        events.push(
            "health",
            event(
                api_gateway,
                "GET",
                "/api/health",
                "application/json",
                "",
                false,
            ),
        );
        events.push(
            "json",
            event(
                api_gateway,
                "POST",
                "/api/registrations",
                "application/json",
                REGISTRATION_JSON,
                false,
            ),
        );
        events.push(
            "form",
            event(
                function_url,
                "POST",
                "/api/need-reports",
                "application/x-www-form-urlencoded",
                NEED_REPORT_FORM,
                true,
            ),
        );
        events.push(
            "wrong-method",
            event(api_gateway, "GET", "/api/registrations", "", "", false),
        );
        events.push(
            "unknown",
            event(
                api_gateway,
                "POST",
                "/api/nowhere",
                "application/json",
                "{}",
                false,
            ),
        );
        events.push(
            "invalid",
            event(
                function_url,
                "POST",
                "/api/registrations",
                "application/x-www-form-urlencoded",
                "region=bas-saint-laurent&language=en",
                false,
            ),
        );
    }

    // The package as `eclaireurs publish` ships it: the catalog beside bootstrap, read from
    // LAMBDA_TASK_ROOT; no content folder, and no SITE_URL (site and API share one origin).
    let (package, catalog) = common::runtime::package();
    let data = tempfile::tempdir().expect("temp");
    let mut child = runtime
        .command("eclaireurs", package.path())
        .env("DATA_DIR", data.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the function as Lambda does");

    let mut got = std::collections::HashMap::new();
    while got.len() < 6 {
        let (id, answer) = runtime.answer().await;
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
    // Deployed, an address or a method the API does not have is answered by the function,
    // in the documented shape, as by the local servers.
    let wrong = &got["wrong-method"];
    assert_eq!(wrong["statusCode"], 405, "{wrong}");
    assert_eq!(wrong["headers"]["allow"], "POST", "{wrong}");
    let errors: serde_json::Value =
        serde_json::from_str(wrong["body"].as_str().expect("body")).expect("json body");
    assert_eq!(errors["errors"][0]["code"], "method_not_allowed");
    assert_eq!(
        errors["errors"][0]["message"],
        "Cette adresse n’accepte pas cette méthode (l’en-tête Allow dit lesquelles)."
    );
    let unknown = &got["unknown"];
    assert_eq!(unknown["statusCode"], 404, "{unknown}");
    assert!(
        unknown["body"]
            .as_str()
            .is_some_and(|b| b.contains("\"code\":\"not_found\"")),
        "{unknown}"
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

/// Even at `RUST_LOG=trace`, the logs hold the function's own lines (its debug ones
/// included) and nothing of what people sent: the Lambda runtime's trace of each raw event
/// (the whole body) stays off.
#[tokio::test(flavor = "multi_thread")]
async fn at_rust_log_trace_the_logs_hold_no_event_and_no_answer() {
    let mut runtime = RuntimeApi::start().await;
    let api_gateway = "abc123.execute-api.ca-central-1.amazonaws.com";
    runtime.push(
        "json",
        event(
            api_gateway,
            "POST",
            "/api/registrations",
            "application/json",
            REGISTRATION_JSON,
            false,
        ),
    );
    runtime.push(
        "report",
        event(
            api_gateway,
            "POST",
            "/api/need-reports",
            "application/x-www-form-urlencoded",
            NEED_REPORT_FORM,
            true,
        ),
    );
    runtime.push(
        "invalid",
        event(
            api_gateway,
            "POST",
            "/api/registrations",
            "application/x-www-form-urlencoded",
            "region=bas-saint-laurent&language=en&first_name=Philom%C3%A8ne&email=philomene.ouellet",
            false,
        ),
    );

    let (package, _) = common::runtime::package();
    let data = tempfile::tempdir().expect("temp");
    let logs = tempfile::NamedTempFile::new().expect("log file");
    let mut child = runtime
        .command("eclaireurs", package.path())
        .env("DATA_DIR", data.path())
        .env("RUST_LOG", "trace")
        .stdout(Stdio::null())
        .stderr(logs.reopen().expect("log file"))
        .spawn()
        .expect("start the function as Lambda does");
    let mut statuses = std::collections::HashMap::new();
    while statuses.len() < 3 {
        let (id, answer) = runtime.answer().await;
        assert_ne!(id, "error", "the runtime reported an error: {answer}");
        statuses.insert(id, answer["statusCode"].clone());
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(statuses["json"], 201);
    assert_eq!(statuses["report"], 303);
    assert_eq!(statuses["invalid"], 422);

    let logs = std::fs::read_to_string(logs.path()).expect("logs");
    let entries: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let outcomes: Vec<&str> = entries
        .iter()
        .filter(|e| e["fields"]["message"] == "submission")
        .filter_map(|e| e["fields"]["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["stored", "stored", "invalid"], "{logs}");
    assert!(
        entries
            .iter()
            .any(|e| e["level"] == "DEBUG" && e["fields"]["message"] == "invalid fields"),
        "RUST_LOG=trace does reach the function's own debug lines:\n{logs}"
    );
    for secret in [
        "Marc",
        "Gagnon",
        "marc.gagnon",
        "Seniors in the village",
        "Seniors+in+the+village",
        // The form post, as its base64 body.
        "cmVnaW9uPWJhcy1zYWludC1sYXVyZW50",
        "Philom",
        "philomene",
    ] {
        assert!(!logs.contains(secret), "the logs hold {secret:?}:\n{logs}");
    }
}

/// Starts the package's function against `runtime` with `env`, answers `count` events, and
/// returns the answers by id and what the function logged.
async fn run_events(
    runtime: &mut RuntimeApi,
    env: &[(&str, &str)],
    count: usize,
) -> (std::collections::HashMap<String, serde_json::Value>, String) {
    let (package, _) = common::runtime::package();
    let data = tempfile::tempdir().expect("temp");
    let logs = tempfile::NamedTempFile::new().expect("log file");
    let mut command = runtime.command("eclaireurs", package.path());
    command
        .env("DATA_DIR", data.path())
        .env("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true")
        .env_remove("ORIGIN_SECRET")
        .env_remove("CATALOG_BUCKET")
        .stdout(Stdio::null())
        .stderr(logs.reopen().expect("log file"));
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("start the function as Lambda does");
    let mut got = std::collections::HashMap::new();
    while got.len() < count {
        let (id, answer) = runtime.answer().await;
        assert_ne!(id, "error", "the runtime reported an error: {answer}");
        got.insert(id, answer);
    }
    let _ = child.kill();
    let _ = child.wait();
    (got, std::fs::read_to_string(logs.path()).expect("logs"))
}

fn body_json(answer: &serde_json::Value) -> serde_json::Value {
    serde_json::from_str(answer["body"].as_str().expect("body")).expect("json body")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rest_api_event_of_the_stage_live_is_answered_at_its_api_path() {
    let mut runtime = RuntimeApi::start().await;
    runtime.push("health", rest_event("GET", "/api/health", "", "", &[]));
    runtime.push(
        "json",
        rest_event(
            "POST",
            "/api/registrations",
            "application/json",
            REGISTRATION_JSON,
            &[],
        ),
    );
    runtime.push(
        "form",
        rest_event(
            "POST",
            "/api/need-reports",
            "application/x-www-form-urlencoded",
            NEED_REPORT_FORM,
            &[],
        ),
    );
    runtime.push(
        "unknown",
        rest_event("POST", "/api/nowhere", "application/json", "{}", &[]),
    );
    let (got, _) = run_events(&mut runtime, &[], 4).await;
    assert_eq!(got["health"]["statusCode"], 200, "{}", got["health"]);
    assert_eq!(got["json"]["statusCode"], 201, "{}", got["json"]);
    assert!(body_json(&got["json"])["id"].is_string());
    let form = &got["form"];
    assert_eq!(form["statusCode"], 303, "{form}");
    let location = form["headers"]["location"]
        .as_str()
        .or_else(|| form["multiValueHeaders"]["location"][0].as_str());
    assert_eq!(
        location,
        Some("/en/bas-saint-laurent/thank-you-report/"),
        "{form}"
    );
    assert_eq!(got["unknown"]["statusCode"], 404, "{}", got["unknown"]);
    assert_eq!(body_json(&got["unknown"])["errors"][0]["code"], "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_origin_secret_only_requests_carrying_the_distribution_s_secret_are_served() {
    let secret = "Zq8Rt3Lm0Vx5Ny7Bc2Kd9Hf4Gj6Wp1Ts3Ae8Uo5Ir2Yl7Qn0M";
    let wrong = "Zq8Rt3Lm0Vx5Ny7Bc2Kd9Hf4Gj6Wp1Ts3Ae8Uo5Ir2Yl7Qn0X";
    let mut runtime = RuntimeApi::start().await;
    let json = "application/json";
    let form = "application/x-www-form-urlencoded";
    runtime.push("health-none", rest_event("GET", "/api/health", "", "", &[]));
    runtime.push(
        "json-none",
        rest_event("POST", "/api/registrations", json, REGISTRATION_JSON, &[]),
    );
    runtime.push(
        "json-wrong",
        rest_event(
            "POST",
            "/api/registrations",
            json,
            REGISTRATION_JSON,
            &[("X-Origin-Verify", wrong)],
        ),
    );
    runtime.push(
        "form-none",
        rest_event("POST", "/api/need-reports", form, NEED_REPORT_FORM, &[]),
    );
    runtime.push(
        "form-short",
        rest_event(
            "POST",
            "/api/need-reports",
            form,
            NEED_REPORT_FORM,
            &[("X-Origin-Verify", &secret[..10])],
        ),
    );
    runtime.push(
        "health-right",
        rest_event("GET", "/api/health", "", "", &[("X-Origin-Verify", secret)]),
    );
    runtime.push(
        "json-right",
        rest_event(
            "POST",
            "/api/registrations",
            json,
            REGISTRATION_JSON,
            &[("X-Origin-Verify", secret)],
        ),
    );
    runtime.push(
        "form-right",
        rest_event(
            "POST",
            "/api/need-reports",
            form,
            NEED_REPORT_FORM,
            &[("x-origin-verify", secret)],
        ),
    );
    let (got, logs) = run_events(&mut runtime, &[("ORIGIN_SECRET", secret)], 8).await;

    for id in ["health-none", "json-none", "json-wrong"] {
        let answer = &got[id];
        assert_eq!(answer["statusCode"], 403, "{id}: {answer}");
        assert_eq!(
            body_json(answer),
            serde_json::json!({"errors": [{
                "field": null,
                "code": "forbidden",
                "message": "Cette adresse ne répond qu’à travers le site\u{a0}: envoyez le formulaire depuis la page du site."
            }]}),
            "{id}"
        );
    }
    for id in ["form-none", "form-short"] {
        let answer = &got[id];
        assert_eq!(answer["statusCode"], 403, "{id}: {answer}");
        let page = answer["body"].as_str().expect("page");
        assert!(page.contains("<html lang=\"fr\">"), "{id}: {page}");
        assert!(
            page.contains("ne répond qu’à travers le site"),
            "{id}: {page}"
        );
    }
    assert_eq!(
        got["health-right"]["statusCode"], 200,
        "{}",
        got["health-right"]
    );
    assert_eq!(
        got["json-right"]["statusCode"], 201,
        "{}",
        got["json-right"]
    );
    assert_eq!(
        got["form-right"]["statusCode"], 303,
        "{}",
        got["form-right"]
    );
    assert!(
        logs.lines()
            .any(|l| l.contains("\"outcome\":\"forbidden\"")),
        "a refusal is logged:\n{logs}"
    );
    assert!(
        !logs.contains(&secret[..10]),
        "the secret is never logged:\n{logs}"
    );
}
