//! The catalog as data, read at run time from the stack's bucket (moto's S3 here): a form
//! published to the bucket is taken by the running function with no restart; a corrupted or
//! hostile object is refused, logged without its content, and the previous catalog keeps
//! serving; with no object at start, the fallback catalog serves.

mod common;

use common::process::Server;
use common::*;
use eclaireurs_model::Catalog;

const BUCKET_PREFIX: &str = "eclaireurs-catalog";

/// The real catalog, as `eclaireurs build` makes it.
fn catalog_a() -> Catalog {
    common::runtime::package().1
}

/// Catalog A with one more form, `volunteer-offer` (posted to `volunteer-offers`): the need
/// report's definition under another name, its thank-you page in each region and language.
fn catalog_b() -> Catalog {
    let mut catalog = catalog_a();
    let mut form = catalog.forms["need-report"].clone();
    form.id = "volunteer-offer".into();
    form.endpoint = "volunteer-offers".into();
    catalog.forms.insert(form.id.clone(), form);
    let mut pages: Vec<_> = catalog
        .pages
        .iter()
        .filter(|p| p.form == "need-report")
        .cloned()
        .collect();
    for page in &mut pages {
        page.form = "volunteer-offer".into();
        page.thanks = Some(format!("/{}/{}/merci-offre/", page.lang, page.region));
    }
    catalog.pages.extend(pages);
    catalog.seal().expect("sealed");
    catalog
}

/// A catalog B changed by `edit`, its version made to match again (what someone who knows
/// the format would do).
fn resealed(edit: impl FnOnce(&mut Catalog)) -> Vec<u8> {
    let mut catalog = catalog_b();
    edit(&mut catalog);
    catalog.seal().expect("sealed");
    catalog.to_json().expect("json")
}

/// The function on the embedded store in `data`, its catalog in `bucket` (`key`), checked
/// before every request (`CATALOG_TTL_SECONDS=0`), with `env` on top.
fn start(data: &std::path::Path, bucket: &str, key: &str, env: &[(&str, &str)]) -> Server {
    let moto = moto_endpoint();
    let mut all = vec![
        ("CATALOG_BUCKET", bucket),
        ("CATALOG_KEY", key),
        ("CATALOG_TTL_SECONDS", "0"),
        ("AWS_ENDPOINT_URL_S3", moto.as_str()),
        ("AWS_REGION", "ca-central-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ];
    all.extend_from_slice(env);
    Server::start_with(data, "", &all)
}

fn offer(n: usize) -> String {
    NEED_REPORT_JSON.replace(
        "Des familles du quartier",
        &format!("Des familles du quartier numéro {n}"),
    )
}

fn stored_lines(data: &std::path::Path, kind: &str) -> usize {
    std::fs::read_to_string(data.join(format!("{kind}.jsonl")))
        .unwrap_or_default()
        .lines()
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_published_to_the_bucket_is_taken_without_a_restart_and_a_bad_catalog_never() {
    let s3 = s3().await;
    let bucket = new_bucket(&s3, BUCKET_PREFIX).await;
    put(
        &s3,
        &bucket,
        "catalog.json",
        catalog_a().to_json().expect("json"),
    )
    .await;
    let data = tempfile::tempdir().expect("temp");
    let server = start(data.path(), &bucket, "catalog.json", &[]);
    let json = "application/json";

    // Catalog A: its forms are taken, the new one is not known yet.
    let (status, _, body) = server.post("/api/registrations", json, REGISTRATION_JSON);
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = server.post("/api/volunteer-offers", json, &offer(0));
    assert_eq!(status, 404, "{body}");

    // Catalog B, published: its new form is taken by the same process.
    put(
        &s3,
        &bucket,
        "catalog.json",
        catalog_b().to_json().expect("json"),
    )
    .await;
    let (status, _, body) = server.post("/api/volunteer-offers", json, &offer(1));
    assert_eq!(
        status, 201,
        "the new form is taken without a restart: {body}"
    );
    assert_eq!(stored_lines(data.path(), "volunteer-offer"), 1);

    // Each bad object in turn: refused, and B keeps serving (its form, its thank-you page).
    let enormous = resealed(|c| {
        let form = c.forms.get_mut("volunteer-offer").expect("form");
        for field in form.fields.iter_mut().filter(|f| f.max_length.is_some()) {
            field.max_length = Some(4_000_000);
        }
    });
    let mut wrong_version = catalog_b();
    wrong_version
        .forms
        .get_mut("volunteer-offer")
        .expect("form")
        .endpoint = "hijacked".into();
    let mut too_large = catalog_b().to_json().expect("json");
    too_large.resize(1024 * 1024 + 1, b' ');
    let bad: Vec<(&str, Vec<u8>)> = vec![
        (
            "corrupted",
            b"{\"version\": \"0123456789abcdef\", \"forms\": {".to_vec(),
        ),
        (
            "thank-you page on another site",
            resealed(|c| {
                for page in &mut c.pages {
                    page.thanks = Some("https://evil.example/".into());
                }
            }),
        ),
        (
            "scheme-relative thank-you page",
            resealed(|c| {
                for page in &mut c.pages {
                    page.thanks = Some("//evil.example/".into());
                }
            }),
        ),
        ("enormous limit", enormous),
        ("wrong version", wrong_version.to_json().expect("json")),
        ("larger than 1 MiB", too_large),
    ];
    let form = "application/x-www-form-urlencoded";
    let offer_form = NEED_REPORT_FORM.replace("Seniors", "Elders");
    for (n, (what, bytes)) in bad.into_iter().enumerate() {
        put(&s3, &bucket, "catalog.json", bytes).await;
        let (status, _, body) = server.post("/api/volunteer-offers", json, &offer(10 + n));
        assert_eq!(status, 201, "{what}: the previous catalog serves: {body}");
        let (status, head, body) = server.post(
            "/api/volunteer-offers",
            form,
            &offer_form.replace("Elders", &format!("Elders {n}")),
        );
        assert_eq!(status, 303, "{what}: {body}");
        assert!(
            head.to_ascii_lowercase().contains(
                "location: https://eclaireurs.example.ca/en/bas-saint-laurent/merci-offre/"
            ),
            "{what}: the thank-you page of the last good catalog:\n{head}"
        );
        let (status, _, _) = server.post("/api/hijacked", json, &offer(100 + n));
        assert_eq!(status, 404, "{what}");
    }

    let logs = server.stop();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let refused: Vec<&str> = lines
        .iter()
        .filter(|l| l["fields"]["event"] == "catalog_refused")
        .filter_map(|l| l["fields"]["reason"].as_str())
        .collect();
    assert_eq!(refused.len(), 6, "one refusal for each bad object:\n{logs}");
    for reason in &refused {
        assert!(
            reason.contains(&format!("s3://{bucket}/catalog.json")),
            "{reason}"
        );
    }
    assert!(refused[1].contains("thank-you page"), "{}", refused[1]);
    assert!(refused[3].contains("max_length"), "{}", refused[3]);
    assert!(
        refused[4].contains("does not match its version"),
        "{}",
        refused[4]
    );
    assert!(refused[5].contains("more than"), "{}", refused[5]);
    for content in [
        "evil.example",
        "hijacked",
        "Rimouski",
        "Kamouraska",
        "Des familles",
    ] {
        assert!(
            !logs.contains(content),
            "the logs hold {content:?}:\n{logs}"
        );
    }
    let loaded = lines
        .iter()
        .filter(|l| l["fields"]["event"] == "catalog_loaded")
        .count();
    assert_eq!(loaded, 2, "catalog A at start, then B:\n{logs}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_object_at_start_the_fallback_catalog_serves_until_one_comes() {
    let s3 = s3().await;
    let bucket = new_bucket(&s3, BUCKET_PREFIX).await;
    let package = tempfile::tempdir().expect("temp");
    let file = package.path().join("catalog.json");
    std::fs::write(&file, catalog_a().to_json().expect("json")).expect("fallback");
    let data = tempfile::tempdir().expect("temp");
    let file = file.to_string_lossy().into_owned();
    let server = start(
        data.path(),
        &bucket,
        "catalog.json",
        &[("CATALOG_FILE", &file)],
    );
    let json = "application/json";
    let (status, _, body) = server.post("/api/registrations", json, REGISTRATION_JSON);
    assert_eq!(status, 201, "the fallback catalog serves: {body}");
    let (status, _, _) = server.post("/api/volunteer-offers", json, &offer(0));
    assert_eq!(status, 404);

    put(
        &s3,
        &bucket,
        "catalog.json",
        catalog_b().to_json().expect("json"),
    )
    .await;
    let (status, _, body) = server.post("/api/volunteer-offers", json, &offer(1));
    assert_eq!(status, 201, "the bucket's catalog, once there: {body}");

    let logs = server.stop();
    assert!(
        logs.lines().any(
            |l| l.contains("\"event\":\"catalog_unreachable\"") && l.contains("no such object")
        ),
        "{logs}"
    );
    assert!(logs.contains("\"event\":\"catalog_fallback\""), "{logs}");
}

#[tokio::test(flavor = "multi_thread")]
async fn under_lambda_the_package_s_catalog_serves_until_the_bucket_has_one_then_the_bucket_s() {
    use common::runtime::{rest_event, RuntimeApi};

    let s3 = s3().await;
    let bucket = new_bucket(&s3, BUCKET_PREFIX).await;
    let (package, _) = common::runtime::package();
    let data = tempfile::tempdir().expect("temp");
    let moto = moto_endpoint();
    let mut runtime = RuntimeApi::start().await;
    let mut command = runtime.command("eclaireurs", package.path());
    command
        .env("DATA_DIR", data.path())
        .env("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true")
        .env("CATALOG_BUCKET", &bucket)
        .env("CATALOG_TTL_SECONDS", "0")
        .env("AWS_ENDPOINT_URL_S3", &moto)
        .env("AWS_REGION", "ca-central-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("ORIGIN_SECRET")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = command.spawn().expect("start the function as Lambda does");
    let json = "application/json";

    runtime.push(
        "before",
        rest_event("POST", "/api/volunteer-offers", json, &offer(0), &[]),
    );
    let (id, answer) = runtime.answer().await;
    assert_eq!(id, "before");
    assert_eq!(
        answer["statusCode"], 404,
        "the package knows no such form: {answer}"
    );

    put(
        &s3,
        &bucket,
        "catalog.json",
        catalog_b().to_json().expect("json"),
    )
    .await;
    runtime.push(
        "after",
        rest_event("POST", "/api/volunteer-offers", json, &offer(1), &[]),
    );
    let (id, answer) = runtime.answer().await;
    assert_eq!(id, "after");
    assert_eq!(
        answer["statusCode"], 201,
        "the same instance takes the published form: {answer}"
    );
    assert_eq!(stored_lines(data.path(), "volunteer-offer"), 1);
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_bucket_at_start_leaves_the_fallback_serving_within_the_read_timeout() {
    // A port where nothing listens: the read fails at once, the start goes on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let data = tempfile::tempdir().expect("temp");
    let started = std::time::Instant::now();
    let server = start(
        data.path(),
        "no-bucket",
        "catalog.json",
        &[("AWS_ENDPOINT_URL_S3", &address)],
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "started in {:?}",
        started.elapsed()
    );
    let (status, _, body) =
        server.post("/api/registrations", "application/json", REGISTRATION_JSON);
    assert_eq!(status, 201, "{body}");
    let logs = server.stop();
    assert!(logs.contains("\"event\":\"catalog_unreachable\""), "{logs}");
}

/// Many requests at once when the TTL has passed: one of them asks the bucket, the others go
/// on with the catalog in hand (a stand-in for S3 counts the GETs and answers slowly).
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_requests_past_the_ttl_send_one_read_not_one_each() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let gets = Arc::new(AtomicUsize::new(0));
    let body = catalog_b().to_json().expect("json");
    let app = {
        let gets = gets.clone();
        axum::Router::new().fallback(move || {
            let gets = gets.clone();
            let body = body.clone();
            async move {
                gets.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                ([("etag", "\"b\"")], body)
            }
        })
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("ca-central-1"))
        .endpoint_url(&address)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await;
    let bucket = eclaireurs_function::live_catalog::Bucket::new(
        &config,
        "catalogs",
        "catalog.json",
        std::time::Duration::ZERO,
    );
    let first = catalog_a();
    let live = Arc::new(eclaireurs_function::live_catalog::LiveCatalog::new(
        first,
        None,
        Some(bucket),
        |catalog| catalog.forms.len(),
    ));
    let before = *live.current();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let live = live.clone();
            tokio::spawn(async move { live.refresh_if_due().await })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    assert_eq!(gets.load(Ordering::SeqCst), 1, "one read for 16 requests");
    assert_eq!(
        *live.current(),
        before + 1,
        "catalog B, with its one more form"
    );
}
