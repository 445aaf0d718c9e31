//! The submission function: receives the site's two forms (registrations and need reports),
//! validates them against the shared form definitions, and stores them in DynamoDB or in an
//! embedded local store. The router is a library so that Lambda, the local server and
//! `eclaireurs serve` all run the same code.

pub mod catalog;
pub mod config;
pub mod console;
pub mod export;
pub mod http;
pub mod notify;
pub mod privacy;
pub mod store;
pub mod validate;

use std::sync::Arc;

use catalog::Catalog;
use config::Settings;
use http::AppState;
use store::{dynamodb, embedded::EmbeddedStore, Store};

/// Loads the catalog the settings name.
pub fn catalog(settings: &Settings) -> anyhow::Result<Catalog> {
    use anyhow::Context;
    match &settings.catalog {
        config::CatalogSource::File(path) => Catalog::read(path),
        config::CatalogSource::Content(dir) => Catalog::from_content(dir),
    }
    .with_context(|| {
        format!(
            "cannot read the form definitions from {} (set CATALOG_FILE or CONTENT_DIR)",
            settings.catalog.describe()
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
            kinds: catalog.forms.iter().map(|f| f.id.clone()).collect(),
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
            let kinds: Vec<&str> = catalog.forms.iter().map(|f| f.id.as_str()).collect();
            Store::Embedded(EmbeddedStore::open(&settings.data_dir, &kinds)?)
        }
    };
    Ok(Arc::new(AppState {
        catalog,
        store: Arc::new(store),
        settings,
    }))
}
