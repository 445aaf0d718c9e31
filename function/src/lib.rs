//! The submission function: receives the site's two forms (registrations and need reports),
//! validates them against the shared form definitions, and stores them in DynamoDB or in an
//! embedded local store. The router is a library so that Lambda, the local server and
//! `eclaireurs serve` all run the same code.

pub mod answer;
pub mod audit;
pub mod clock;
pub mod config;
pub mod console;
pub mod export;
pub mod http;
pub mod live_catalog;
pub mod notify;
pub mod privacy;
pub mod s3;
pub mod store;
pub mod submission;
pub mod validate;

/// The catalog the function serves: the model's, with its lookups.
pub use eclaireurs_model::catalog;

use std::sync::Arc;

use catalog::Catalog;
use config::Settings;
use http::AppState;
use store::{dynamodb, embedded::EmbeddedStore, Store};

/// Loads the catalog the settings name from its file or folder (for a bucket, its fallback:
/// what the staff's commands and the tests read).
pub fn catalog(settings: &Settings) -> anyhow::Result<Catalog> {
    use anyhow::Context;
    fn read(source: &config::CatalogSource) -> Result<Catalog, catalog::LoadError> {
        match source {
            config::CatalogSource::File(path) => Ok(Catalog::read(path)?),
            config::CatalogSource::Content(dir) => Catalog::from_content(dir),
            config::CatalogSource::Bucket { fallback, .. } => read(fallback),
        }
    }
    let source = settings.catalog.local();
    read(source).with_context(|| {
        format!(
            "cannot read the form definitions from {} (set CATALOG_FILE or CONTENT_DIR)",
            source.describe()
        )
    })
}

/// The stored submissions as staff read and delete them: the table when
/// `SUBMISSIONS_TABLE` is set, otherwise the embedded store's folder.
pub async fn archive(settings: &Settings, catalog: &Catalog) -> store::Archive {
    match &settings.table {
        Some(table) => store::Archive::Dynamo(dynamodb::DynamoStore::new(
            dynamodb::client().await,
            table.clone(),
        )),
        None => store::Archive::Embedded {
            dir: settings.data_dir.clone(),
            kinds: catalog.forms.keys().cloned().collect(),
        },
    }
}

/// Loads the catalog and opens the store the settings name.
pub async fn state(settings: Settings) -> anyhow::Result<Arc<AppState>> {
    let catalog = catalog(&settings)?;
    let store = match &settings.table {
        Some(table) => Store::Dynamo(dynamodb::DynamoStore::new(
            dynamodb::client().await,
            table.clone(),
        )),
        None => {
            let kinds: Vec<&str> = catalog.forms.keys().map(String::as_str).collect();
            Store::Embedded(EmbeddedStore::open(&settings.data_dir, &kinds)?)
        }
    };
    Ok(Arc::new(AppState {
        catalog,
        store: Arc::new(store),
        settings,
    }))
}

/// The API of the current catalog, as Lambda and `--listen` serve it: with `CATALOG_BUCKET`
/// the bucket's catalog, read at start while the rest starts (the fallback catalog, the
/// store), then renewed when its TTL has passed; otherwise the catalog the settings name.
pub async fn live(settings: Settings) -> anyhow::Result<Arc<http::live::LiveApi>> {
    use live_catalog::{Bucket, LiveCatalog};
    enum Opened {
        Embedded(EmbeddedStore),
        Table(String),
    }

    // The object's read starts first and runs beside the rest of the start.
    let read = match &settings.catalog {
        config::CatalogSource::Bucket {
            bucket, key, ttl, ..
        } => {
            let (bucket, key, ttl) = (bucket.clone(), key.clone(), *ttl);
            Some(tokio::spawn(async move {
                let config = dynamodb::sdk_config().await;
                let bucket = Bucket::new(&config, &bucket, &key, ttl);
                let fetched = bucket.fetch(None).await;
                (config, bucket, fetched)
            }))
        }
        _ => None,
    };
    let fallback = catalog(&settings);
    let embedded = match &settings.table {
        Some(table) => Opened::Table(table.clone()),
        None => {
            let kinds: Vec<&str> = match &fallback {
                Ok(catalog) => catalog.forms.keys().map(String::as_str).collect(),
                // The store opens a form's file when its first submission comes.
                Err(_) => Vec::new(),
            };
            Opened::Embedded(EmbeddedStore::open(&settings.data_dir, &kinds)?)
        }
    };
    let (config, bucket, first) = match read {
        Some(read) => {
            let (config, bucket, fetched) = read
                .await
                .map_err(|e| anyhow::anyhow!("the catalog's read stopped: {e}"))?;
            let first = live_catalog::first(Some((&bucket, fetched)), fallback)?;
            (Some(config), Some(bucket), first)
        }
        None => (None, None, live_catalog::first(None, fallback)?),
    };
    let store = match embedded {
        Opened::Embedded(embedded) => Store::Embedded(embedded),
        // Its client waits for the AWS settings the catalog's read loaded.
        Opened::Table(table) => {
            let config = match config {
                Some(config) => config,
                None => dynamodb::sdk_config().await,
            };
            Store::Dynamo(dynamodb::DynamoStore::new(
                dynamodb::client_from(&config, None),
                table,
            ))
        }
    };
    let store = Arc::new(store);
    let (catalog, etag) = first;
    Ok(Arc::new(LiveCatalog::new(
        catalog,
        etag,
        bucket,
        move |catalog| {
            http::live::Api::new(Arc::new(AppState {
                catalog,
                store: store.clone(),
                settings: settings.clone(),
            }))
        },
    )))
}
