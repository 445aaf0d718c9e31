//! Where accepted submissions go: DynamoDB when `SUBMISSIONS_TABLE` is set, otherwise an
//! embedded store on local disk. Both store a submission once per idempotency key and say
//! "stored" only once it is durable.

pub mod dynamodb;
pub mod embedded;
pub mod schema;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::validate::Value;

/// How long a repeated submission (same idempotency key) is recognised as a retry.
pub const IDEMPOTENCY_WINDOW_SECS: i64 = 24 * 60 * 60;

/// A stored submission, with plain attributes a person can read in the console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// `registration` or `need-report`.
    pub kind: String,
    pub region: String,
    /// ISO 8601, UTC, to the millisecond: `2026-11-23T18:55:01.123Z`.
    pub submitted_at: String,
    /// `new` until the relay team changes it.
    pub status: String,
    pub language: String,
    pub consent_version: String,
    pub consent_at: String,
    /// When the store may delete the item (seconds since 1970), if retention is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// A hash of the key the client sent, or of the submission itself; never personal data.
    pub idempotency_key: String,
    #[serde(flatten)]
    pub values: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    New(String),
    /// The same submission was already stored under this id.
    Duplicate(String),
}

impl Stored {
    pub fn id(&self) -> &str {
        match self {
            Stored::New(id) | Stored::Duplicate(id) => id,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Down, slow or throttling: the client may retry later. The text is for logs only.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
}

pub enum Store {
    Embedded(embedded::EmbeddedStore),
    Dynamo(dynamodb::DynamoStore),
}

impl Store {
    pub async fn put(&self, record: Record) -> Result<Stored, StoreError> {
        match self {
            Store::Embedded(store) => store.put(record).await,
            Store::Dynamo(store) => store.put(record).await,
        }
    }

    pub async fn health(&self) -> Result<(), StoreError> {
        match self {
            Store::Embedded(store) => store.health(),
            Store::Dynamo(store) => store.health().await,
        }
    }

    /// `embedded` or `dynamodb`, for the health answer.
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Embedded(_) => "embedded",
            Store::Dynamo(_) => "dynamodb",
        }
    }

    /// Where submissions go, for people starting the server.
    pub fn describe(&self) -> String {
        match self {
            Store::Embedded(store) => format!("embedded store in {}", store.dir().display()),
            Store::Dynamo(store) => format!("DynamoDB table {}", store.table()),
        }
    }
}
