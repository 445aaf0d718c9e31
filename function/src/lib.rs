//! The submission function: receives the site's two forms (registrations and need reports),
//! validates them against the shared form definitions, and stores them in DynamoDB or in an
//! embedded local store. The router is a library so that Lambda, the local server and
//! `eclaireurs serve` all run the same code.

pub mod catalog;
pub mod config;
pub mod http;
pub mod store;
pub mod validate;

use std::sync::Arc;

use catalog::Catalog;
use config::Settings;
use http::AppState;
use store::{dynamodb, embedded::EmbeddedStore, Store};

/// Loads the catalog and opens the store the settings name.
pub async fn state(settings: Settings) -> anyhow::Result<Arc<AppState>> {
    use anyhow::Context;
    let catalog = Catalog::load(&settings.content_dir).with_context(|| {
        format!(
            "cannot read the form definitions in {} (set CONTENT_DIR)",
            settings.content_dir.display()
        )
    })?;
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
