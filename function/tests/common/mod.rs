//! Helpers to call the API in process, as Lambda and the local server do.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response};
use axum::Router;
use tower::ServiceExt;

use eclaireurs_function::config::Settings;
use eclaireurs_function::http::{app, AppState};

pub mod process;
pub mod runtime;

pub const SITE: &str = "https://eclaireurs.example.ca";

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The catalog of the real content as `eclaireurs build` writes it (the theme's pages
/// included), made once per test program.
pub fn built_catalog() -> PathBuf {
    static BUILT: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, path) = BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let rendered =
            eclaireurs::build::render(&repo().join("content")).expect("the real site builds");
        let path = dir.path().join("catalog.json");
        std::fs::write(&path, rendered.catalog).expect("catalog");
        (dir, path)
    });
    path.clone()
}

pub fn settings(data_dir: &Path) -> Settings {
    Settings {
        table: None,
        data_dir: data_dir.to_path_buf(),
        allowed_origins: vec!["https://eclaireurs.example.ca".into()],
        site_url: SITE.into(),
        catalog: eclaireurs_function::config::CatalogSource::File(built_catalog()),
        retention_days: Some(730),
        topic: None,
        reminder_days: 3,
        origin_secret: None,
    }
}

pub struct Api {
    pub router: Router,
    pub state: Arc<AppState>,
    pub dir: tempfile::TempDir,
}

impl Api {
    /// The API on a fresh embedded store.
    pub async fn embedded() -> Api {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = eclaireurs_function::state(settings(dir.path()))
            .await
            .expect("state");
        Api {
            router: app(state.clone()),
            state,
            dir,
        }
    }

    /// The API on the embedded store of `dir`, as a server started again on it would be.
    pub async fn embedded_in(dir: &Path) -> Api {
        let state = eclaireurs_function::state(settings(dir))
            .await
            .expect("state");
        Api {
            router: app(state.clone()),
            state,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        Reply::read(response).await
    }

    pub async fn form(&self, path: &str, body: &str) -> Reply {
        self.send(
            Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await
    }

    pub async fn json(&self, path: &str, body: &str) -> Reply {
        self.send(
            Request::post(path)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await
    }

    /// Sends a JSON submission that must be accepted (`201`).
    pub async fn accepted_json(&self, path: &str, body: &str) {
        let reply = self.json(path, body).await;
        assert_eq!(reply.status, 201, "{path}: {}", reply.body);
    }

    /// Posts a form that must be accepted (`303` to the thank-you page).
    pub async fn accepted_form(&self, path: &str, body: &str) {
        let reply = self.form(path, body).await;
        assert_eq!(reply.status, 303, "{path}: {}", reply.body);
    }

    /// The lines of the embedded store's file for a form.
    pub fn stored(&self, kind: &str) -> Vec<serde_json::Value> {
        let path = self.state.settings.data_dir.join(format!("{kind}.jsonl"));
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect()
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub async fn read(response: Response<Body>) -> Reply {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// A 422's errors, as (field, code) in their order.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.json()["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().expect("field").into(),
                    e["code"].as_str().expect("code").into(),
                )
            })
            .collect()
    }
}

/// The absolute address of a form's page for a region, as the function links to it.
pub fn form_url(api: &Api, form: &str, region: &str, lang: eclaireurs_model::Lang) -> String {
    let page = api
        .state
        .catalog
        .addresses(form, region, lang)
        .page
        .unwrap_or_else(|| panic!("{form} has a page in {region}"));
    format!("{SITE}{page}")
}

pub const REGISTRATION_FORM: &str = "region=bas-saint-laurent&language=fr&first_name=Julie&last_name=Tremblay&email=julie.tremblay%40example.ca&phone=418+555-0199&municipality=Rimouski&territory=La+Mitis&roles=promote&roles=watch&consent=true&website=";

pub const REGISTRATION_JSON: &str = r#"{"region":"saguenay-lac-saint-jean","language":"en","first_name":"Marc","last_name":"Gagnon","email":"marc.gagnon@example.ca","municipality":"Alma","territory":"Lac-Saint-Jean-Est","roles":["support","mobilize"],"consent":true,"website":""}"#;

pub const NEED_REPORT_FORM: &str = "region=bas-saint-laurent&language=en&territory=Kamouraska&description=Seniors+in+the+village+have+no+transport+to+the+food+bank+since+the+bus+stopped.&consent=true&website=";

pub const NEED_REPORT_JSON: &str = r#"{"region":"saguenay-lac-saint-jean","language":"fr","description":"Des familles du quartier n'ont plus accès au dépannage alimentaire depuis la fermeture.","name":"Sophie Lavoie","email":"sophie.lavoie@example.ca","consent":true}"#;

/// DynamoDB Local's address, which the test command exports. Tests fail, never skip,
/// without it.
pub fn dynamodb_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_else(|_| {
        panic!(
            "DynamoDB Local is not running: run tests/run, or start it with \
             `eval \"$(tests/dynamodb-local start)\"` and export AWS_ENDPOINT_URL_DYNAMODB, \
             AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION"
        )
    })
}

/// A fresh table in DynamoDB Local, created by the same code as `create-table`.
pub async fn dynamo_table(prefix: &str) -> (aws_sdk_dynamodb::Client, String) {
    dynamodb_endpoint();
    let client = eclaireurs_function::store::dynamodb::client().await;
    let table = format!("{prefix}-{}", uuid::Uuid::new_v4().simple());
    eclaireurs_function::store::dynamodb::DynamoStore::new(client.clone(), table.clone())
        .create_table()
        .await
        .expect("create the table in DynamoDB Local");
    (client, table)
}

impl Api {
    /// The API storing into a DynamoDB table.
    pub async fn dynamo(client: aws_sdk_dynamodb::Client, table: &str) -> Api {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = settings(dir.path());
        settings.table = Some(table.to_string());
        let state = Arc::new(AppState {
            catalog: eclaireurs_function::catalog::Catalog::read(&built_catalog())
                .expect("catalog"),
            store: Arc::new(eclaireurs_function::store::Store::Dynamo(
                eclaireurs_function::store::dynamodb::DynamoStore::new(client, table.to_string()),
            )),
            settings,
        });
        Api {
            router: app(state.clone()),
            state,
            dir,
        }
    }
}

/// moto's server (emulated SNS and SQS), which the test command starts and exports as
/// `MOTO_ENDPOINT`. Tests fail, never skip, without it.
pub fn moto_endpoint() -> String {
    std::env::var("MOTO_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "moto's server is not running: run tests/run, or start it with \
             `eval \"$(tests/moto-server start)\"` and export MOTO_ENDPOINT"
        )
    })
}

pub async fn aws_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("ca-central-1"))
        .load()
        .await
}

/// An S3 client of moto's server (path-style, as the function's own under an emulator).
pub async fn s3() -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(&aws_config().await)
        .endpoint_url(moto_endpoint())
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A new, empty bucket in moto's `ca-central-1`, named `<prefix>-<uuid>`.
pub async fn new_bucket(s3: &aws_sdk_s3::Client, prefix: &str) -> String {
    let bucket = format!("{prefix}-{}", uuid::Uuid::new_v4().simple());
    s3.create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::CaCentral1)
                .build(),
        )
        .send()
        .await
        .expect("create the bucket in moto");
    bucket
}

/// Puts `body` at `key`.
pub async fn put(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, body: Vec<u8>) {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(body.into())
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {key} into moto: {e:?}"));
}

/// An SNS client of moto's server.
pub async fn sns() -> aws_sdk_sns::Client {
    let config = aws_sdk_sns::config::Builder::from(&aws_config().await)
        .endpoint_url(moto_endpoint())
        .build();
    aws_sdk_sns::Client::from_conf(config)
}

/// An SQS client of moto's server.
pub async fn sqs() -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::config::Builder::from(&aws_config().await)
        .endpoint_url(moto_endpoint())
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}
