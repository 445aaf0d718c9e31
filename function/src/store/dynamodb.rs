//! DynamoDB storage. Each submission is written in one transaction with a marker item for
//! its idempotency key, both conditional, so a retried submission is stored once and answers
//! with the first id; the marker keeps a hash of the answers, so the key with other answers
//! is a conflict, and the time it was made, so a marker past its window (minutes without a
//! client key, a day with one) is replaced by the next use of its key, whenever TTL deletes it
//! (up to days late). Timeouts and retries are bounded so a hung database yields a 503 within
//! seconds.

use std::collections::HashMap;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, Put, ScalarAttributeType, StreamSpecification,
    StreamViewType, TimeToLiveSpecification, TransactWriteItem,
};
use aws_sdk_dynamodb::Client;

use super::schema::{self, PARTITION_KEY, SORT_KEY};
use super::{repeat, Record, Selection, StoreError, Stored};
use crate::answer::Value;

/// On an idempotency marker: the id of the submission its key was first used for.
const MARKER_ID: &str = "submission_id";
/// On an idempotency marker: when its key was used (seconds since 1970).
const MARKED_AT: &str = "marked_at";

/// Written only where no marker of the key is, or where the one there is past its window:
/// made before `:oldest` (its own time, whatever TTL has deleted yet), or, for a marker made
/// before it kept its time, expired (`:now` past its `expires_at`).
const MARKER_CONDITION: &str =
    "attribute_not_exists(#entry) OR #marked < :oldest OR (attribute_not_exists(#marked) AND #expires < :now)";

pub struct DynamoStore {
    client: Client,
    table: String,
}

/// Builds a client from the environment (`AWS_REGION`, credentials, and
/// `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB Local), with bounded timeouts and retries.
pub async fn client() -> Client {
    client_at(None).await
}

/// The same client, sent to `endpoint` instead of the environment's DynamoDB.
pub async fn client_at(endpoint: Option<&str>) -> Client {
    client_from(&sdk_config().await, endpoint)
}

/// The function's AWS settings from the environment (region, credentials, endpoints), with
/// the table's bounded timeouts and retries: loaded once at start and shared by its clients.
pub async fn sdk_config() -> aws_config::SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(1000))
        .operation_attempt_timeout(Duration::from_millis(1500))
        .operation_timeout(Duration::from_millis(3500))
        .build();
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .load()
        .await
}

/// A client of `config`, sent to `endpoint` when given.
pub fn client_from(config: &aws_config::SdkConfig, endpoint: Option<&str>) -> Client {
    let mut builder = aws_sdk_dynamodb::config::Builder::from(config);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    if config.region().is_none() {
        // The data stays in Canada.
        builder = builder.region(aws_sdk_dynamodb::config::Region::new(
            eclaireurs_model::AWS_REGION,
        ));
    }
    Client::from_conf(builder.build())
}

impl DynamoStore {
    pub fn new(client: Client, table: String) -> Self {
        DynamoStore { client, table }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// The marker item of a record's idempotency key, alive for the window: the id it
    /// answers, the hash of the answers it was made for, and when.
    fn marker(&self, record: &Record, now: i64) -> HashMap<String, AttributeValue> {
        let entry = schema::idempotency_entry(&record.kind, &record.idempotency_key);
        let mut marker = HashMap::from([
            (PARTITION_KEY.to_string(), s(&record.region)),
            (SORT_KEY.to_string(), s(&entry)),
            ("kind".to_string(), s("idempotency")),
            (MARKER_ID.to_string(), s(&record.id)),
            (MARKED_AT.to_string(), AttributeValue::N(now.to_string())),
            (
                schema::TTL_ATTRIBUTE.to_string(),
                AttributeValue::N((now + record.retry_window()).to_string()),
            ),
        ]);
        if let Some(hash) = &record.answers_hash {
            marker.insert(schema::ANSWERS_HASH.to_string(), s(hash));
        }
        marker
    }

    /// The conditional write of a record's marker at `now` ([`MARKER_CONDITION`]).
    fn put_marker(
        &self,
        record: &Record,
        now: i64,
    ) -> aws_sdk_dynamodb::types::builders::PutBuilder {
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.marker(record, now)))
            .condition_expression(MARKER_CONDITION)
            .expression_attribute_names("#entry", SORT_KEY)
            .expression_attribute_names("#marked", MARKED_AT)
            .expression_attribute_names("#expires", schema::TTL_ATTRIBUTE)
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .expression_attribute_values(
                ":oldest",
                AttributeValue::N((now - record.retry_window()).to_string()),
            )
    }

    /// What a key already taken answers: the first id, or a conflict for other answers.
    async fn repeat_of(&self, record: &Record) -> Result<Stored, StoreError> {
        let existing = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, s(&record.region))
            .key(
                SORT_KEY,
                s(&schema::idempotency_entry(
                    &record.kind,
                    &record.idempotency_key,
                )),
            )
            .consistent_read(true)
            // Only what is read below: the submission role may read nothing else
            // (`dynamodb:Attributes` in template.yaml).
            .projection_expression("#id, #hash")
            .expression_attribute_names("#id", MARKER_ID)
            .expression_attribute_names("#hash", schema::ANSWERS_HASH)
            .send()
            .await
            .map_err(unavailable)?;
        let text = |name: &str| match existing.item().and_then(|i| i.get(name)) {
            Some(AttributeValue::S(text)) => Some(text.as_str()),
            _ => None,
        };
        match text(MARKER_ID) {
            Some(id) => Ok(repeat(
                id,
                text(schema::ANSWERS_HASH),
                record.answers_hash.as_deref(),
            )),
            None => Err(StoreError::Unavailable(
                "an idempotency marker without its submission id".into(),
            )),
        }
    }

    /// Writes only the marker of a decoy's key (see [`super::Store::put_decoy`]).
    pub async fn put_decoy(&self, record: Record) -> Result<Stored, StoreError> {
        let put = self.put_marker(&record, record.received_secs());
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(put.get_item().clone())
            .condition_expression(MARKER_CONDITION)
            .set_expression_attribute_names(put.get_expression_attribute_names().clone())
            .set_expression_attribute_values(put.get_expression_attribute_values().clone())
            // The role allows no other (`dynamodb:ReturnValues` in template.yaml).
            .return_values(aws_sdk_dynamodb::types::ReturnValue::None)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Stored::New(record.id)),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                self.repeat_of(&record).await
            }
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Stores the record and its marker in one transaction, both conditional; the record's
    /// own time is the "now" of its key's window (the function's clock when it was received).
    pub async fn put(&self, record: Record) -> Result<Stored, StoreError> {
        let put_marker = self
            .put_marker(&record, record.received_secs())
            .build()
            .map_err(unavailable)?;
        let put_record = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item(&record)))
            .condition_expression("attribute_not_exists(#entry)")
            .expression_attribute_names("#entry", SORT_KEY)
            .build()
            .map_err(unavailable)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put_marker).build())
            .transact_items(TransactWriteItem::builder().put(put_record).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(Stored::New(record.id)),
            Err(SdkError::ServiceError(e)) if marker_taken(e.err()) => {
                self.repeat_of(&record).await
            }
            Err(e) => Err(unavailable(e)),
        }
    }

    /// The submissions a selection names, oldest first: one Query on the region's items
    /// (never a Scan), read page by page.
    pub async fn list(&self, selection: &Selection) -> Result<Vec<Record>, StoreError> {
        // DynamoDB refuses a BETWEEN whose bounds are reversed; such a range holds nothing.
        if selection.is_empty() {
            return Ok(Vec::new());
        }
        let (first, last) = selection.entry_range();
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#region = :region AND #entry BETWEEN :first AND :last")
            .expression_attribute_names("#region", PARTITION_KEY)
            .expression_attribute_names("#entry", SORT_KEY)
            .expression_attribute_values(":region", s(&selection.region))
            .expression_attribute_values(":first", s(&first))
            .expression_attribute_values(":last", s(&last));
        if let Some(status) = &selection.status {
            query = query
                .filter_expression("#status = :status")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", s(status));
        }
        let mut pages = query.into_paginator().items().send();
        let mut records = Vec::new();
        while let Some(item) = pages.next().await {
            if let Some(record) = record(&item.map_err(unavailable)?) {
                records.push(record);
            }
        }
        Ok(records)
    }

    /// Every submission that carries this email address, through the email index (the
    /// hash of the address, never a scan), read back from the table, oldest first.
    pub async fn find_by_email(
        &self,
        email: &str,
        region: Option<&str>,
    ) -> Result<Vec<Record>, StoreError> {
        let mut pages = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(schema::EMAIL_INDEX)
            .key_condition_expression("#hash = :hash")
            .expression_attribute_names("#hash", schema::EMAIL_HASH)
            .expression_attribute_values(":hash", s(&schema::email_hash(email)))
            .into_paginator()
            .items()
            .send();
        let mut records = Vec::new();
        while let Some(keys) = pages.next().await {
            let keys = keys.map_err(unavailable)?;
            let (Some(AttributeValue::S(item_region)), Some(entry)) =
                (keys.get(PARTITION_KEY), keys.get(SORT_KEY))
            else {
                continue;
            };
            if region.is_some_and(|r| r != item_region) {
                continue;
            }
            let item = self
                .client
                .get_item()
                .table_name(&self.table)
                .key(PARTITION_KEY, s(item_region))
                .key(SORT_KEY, entry.clone())
                .consistent_read(true)
                .send()
                .await
                .map_err(unavailable)?;
            // The index is updated a moment after the table: an item deleted since is gone.
            if let Some(record) = item.item().and_then(record) {
                records.push(record);
            }
        }
        Ok(records)
    }

    /// Deletes these submissions, each with its idempotency marker. Returns how many
    /// submissions were there to delete.
    ///
    /// The marker goes first: if the submission's own deletion then fails, the submission is
    /// still found by the email index, and running the deletion again finishes it. (The other
    /// order could leave a marker that nothing finds any more.)
    pub async fn delete(&self, records: &[Record]) -> Result<usize, StoreError> {
        let mut deleted = 0;
        for record in records {
            let entry = schema::entry(&record.kind, &record.submitted_at, &record.id);
            let marker = schema::idempotency_entry(&record.kind, &record.idempotency_key);
            self.client
                .delete_item()
                .table_name(&self.table)
                .key(PARTITION_KEY, s(&record.region))
                .key(SORT_KEY, s(&marker))
                .send()
                .await
                .map_err(unavailable)?;
            let old = self
                .client
                .delete_item()
                .table_name(&self.table)
                .key(PARTITION_KEY, s(&record.region))
                .key(SORT_KEY, s(&entry))
                .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
                .send()
                .await
                .map_err(unavailable)?;
            if old.attributes().is_some() {
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    pub async fn health(&self) -> Result<(), StoreError> {
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    /// Creates the table with the keys and index of the deployment template, waits until it
    /// is active, then turns on expiry by `expires_at`.
    pub async fn create_table(&self) -> Result<(), StoreError> {
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(unavailable)
        };
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(unavailable)
        };
        let index_of = |name: &str, partition: &str, projection: ProjectionType| {
            GlobalSecondaryIndex::builder()
                .index_name(name)
                .key_schema(key(partition, KeyType::Hash)?)
                .key_schema(key(schema::STATUS_INDEX_SORT_KEY, KeyType::Range)?)
                .projection(Projection::builder().projection_type(projection).build())
                .build()
                .map_err(unavailable)
        };
        let index = index_of(
            schema::STATUS_INDEX,
            schema::STATUS_INDEX_PARTITION_KEY,
            ProjectionType::All,
        )?;
        // Keys only: a person's submissions are then read from the table by their keys.
        let email_index = index_of(
            schema::EMAIL_INDEX,
            schema::EMAIL_HASH,
            ProjectionType::KeysOnly,
        )?;
        self.client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute(PARTITION_KEY)?)
            .attribute_definitions(attribute(SORT_KEY)?)
            .attribute_definitions(attribute(schema::STATUS_INDEX_PARTITION_KEY)?)
            .attribute_definitions(attribute(schema::STATUS_INDEX_SORT_KEY)?)
            .attribute_definitions(attribute(schema::EMAIL_HASH)?)
            .key_schema(key(PARTITION_KEY, KeyType::Hash)?)
            .key_schema(key(SORT_KEY, KeyType::Range)?)
            .global_secondary_indexes(index)
            .global_secondary_indexes(email_index)
            // Keys only: the notification function learns what arrived, never what it says.
            .stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::KeysOnly)
                    .build()
                    .map_err(unavailable)?,
            )
            .send()
            .await
            .map_err(unavailable)?;
        for _ in 0..60 {
            let table = self
                .client
                .describe_table()
                .table_name(&self.table)
                .send()
                .await
                .map_err(unavailable)?;
            let status = table
                .table()
                .and_then(|t| t.table_status())
                .map(|s| s.as_str().to_string());
            if status.as_deref() == Some("ACTIVE") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(schema::TTL_ATTRIBUTE)
                    .enabled(true)
                    .build()
                    .map_err(unavailable)?,
            )
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

/// True when the transaction failed because the idempotency marker already exists.
fn marker_taken(err: &TransactWriteItemsError) -> bool {
    match err {
        TransactWriteItemsError::TransactionCanceledException(e) => e
            .cancellation_reasons()
            .first()
            .and_then(|r| r.code())
            .is_some_and(|code| code == "ConditionalCheckFailed"),
        _ => false,
    }
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_string())
}

/// The item: every attribute plain, lists as string sets, nothing as a JSON blob.
pub fn item(record: &Record) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::from([
        (PARTITION_KEY.to_string(), s(&record.region)),
        (
            SORT_KEY.to_string(),
            s(&schema::entry(
                &record.kind,
                &record.submitted_at,
                &record.id,
            )),
        ),
        ("id".to_string(), s(&record.id)),
        ("kind".to_string(), s(&record.kind)),
        ("submitted_at".to_string(), s(&record.submitted_at)),
        ("status".to_string(), s(&record.status)),
        ("language".to_string(), s(&record.language)),
        ("consent_version".to_string(), s(&record.consent_version)),
        ("consent_at".to_string(), s(&record.consent_at)),
        ("idempotency_key".to_string(), s(&record.idempotency_key)),
    ]);
    if let Some(hash) = &record.email_hash {
        item.insert(schema::EMAIL_HASH.to_string(), s(hash));
    }
    if let Some(expires) = record.expires_at {
        item.insert(
            schema::TTL_ATTRIBUTE.to_string(),
            AttributeValue::N(expires.to_string()),
        );
    }
    for (name, value) in &record.values {
        let value = match value {
            Value::Text(text) => s(text),
            Value::List(list) => AttributeValue::Ss(list.clone()),
        };
        item.insert(name.clone(), value);
    }
    item
}

/// A submission read back from its item; `None` for an item that is not one (a marker).
pub fn record(item: &HashMap<String, AttributeValue>) -> Option<Record> {
    let text = |name: &str| match item.get(name) {
        Some(AttributeValue::S(text)) => Some(text.clone()),
        _ => None,
    };
    schema::kind_of_entry(&text(SORT_KEY)?)?;
    let known = [
        "id",
        "kind",
        "submitted_at",
        "status",
        "language",
        "consent_version",
        "consent_at",
        "idempotency_key",
    ];
    let values = item
        .iter()
        .filter(|(name, _)| {
            !known.contains(&name.as_str()) && !schema::BOOKKEEPING.contains(&name.as_str())
        })
        .filter_map(|(name, value)| {
            let value = match value {
                AttributeValue::S(text) => Value::Text(text.clone()),
                AttributeValue::Ss(list) => Value::List(list.clone()),
                _ => return None,
            };
            Some((name.clone(), value))
        })
        .collect();
    Some(Record {
        id: text("id")?,
        kind: text("kind")?,
        region: text(PARTITION_KEY)?,
        submitted_at: text("submitted_at")?,
        status: text("status").unwrap_or_else(|| schema::NEW.into()),
        language: text("language").unwrap_or_default(),
        consent_version: text("consent_version").unwrap_or_default(),
        consent_at: text("consent_at").unwrap_or_default(),
        expires_at: match item.get(schema::TTL_ATTRIBUTE) {
            Some(AttributeValue::N(n)) => n.parse().ok(),
            _ => None,
        },
        idempotency_key: text("idempotency_key").unwrap_or_default(),
        answers_hash: None,
        email_hash: text(schema::EMAIL_HASH),
        values,
    })
}

/// Every store failure is "unavailable" to the client; the error's messages go to the log
/// (never the request, which holds personal information).
fn unavailable<E: std::error::Error>(err: E) -> StoreError {
    StoreError::Unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(&err).to_string())
}
