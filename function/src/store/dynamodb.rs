//! DynamoDB storage. Each submission is written in one transaction with a marker item for
//! its idempotency key, both conditional, so a retried submission is stored once and answers
//! with the first id. Timeouts and retries are bounded so a hung database yields a 503 within
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
    KeyType, Projection, ProjectionType, Put, ScalarAttributeType, TimeToLiveSpecification,
    TransactWriteItem,
};
use aws_sdk_dynamodb::Client;

use super::schema::{self, PARTITION_KEY, SORT_KEY};
use super::{Record, StoreError, Stored, IDEMPOTENCY_WINDOW_SECS};
use crate::validate::Value;

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
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(1000))
        .operation_attempt_timeout(Duration::from_millis(1500))
        .operation_timeout(Duration::from_millis(3500))
        .build();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .load()
        .await;
    let mut builder = aws_sdk_dynamodb::config::Builder::from(&config);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    if config.region().is_none() {
        // The data stays in Canada.
        builder = builder.region(aws_sdk_dynamodb::config::Region::new("ca-central-1"));
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

    pub async fn put(&self, record: Record) -> Result<Stored, StoreError> {
        let now = now_secs();
        let marker_entry = schema::idempotency_entry(&record.kind, &record.idempotency_key);
        let marker = HashMap::from([
            (PARTITION_KEY.to_string(), s(&record.region)),
            (SORT_KEY.to_string(), s(&marker_entry)),
            ("kind".to_string(), s("idempotency")),
            ("submission_id".to_string(), s(&record.id)),
            (
                schema::TTL_ATTRIBUTE.to_string(),
                AttributeValue::N((now + IDEMPOTENCY_WINDOW_SECS).to_string()),
            ),
        ]);
        let put_marker = Put::builder()
            .table_name(&self.table)
            .set_item(Some(marker))
            .condition_expression("attribute_not_exists(#entry) OR #expires < :now")
            .expression_attribute_names("#entry", SORT_KEY)
            .expression_attribute_names("#expires", schema::TTL_ATTRIBUTE)
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
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
                let existing = self
                    .client
                    .get_item()
                    .table_name(&self.table)
                    .key(PARTITION_KEY, s(&record.region))
                    .key(SORT_KEY, s(&marker_entry))
                    .consistent_read(true)
                    .send()
                    .await
                    .map_err(unavailable)?;
                match existing.item().and_then(|i| i.get("submission_id")) {
                    Some(AttributeValue::S(id)) => Ok(Stored::Duplicate(id.clone())),
                    _ => Err(StoreError::Unavailable(
                        "an idempotency marker without its submission id".into(),
                    )),
                }
            }
            Err(e) => Err(unavailable(e)),
        }
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
        let index = GlobalSecondaryIndex::builder()
            .index_name(schema::STATUS_INDEX)
            .key_schema(key(schema::STATUS_INDEX_PARTITION_KEY, KeyType::Hash)?)
            .key_schema(key(schema::STATUS_INDEX_SORT_KEY, KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .map_err(unavailable)?;
        self.client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute(PARTITION_KEY)?)
            .attribute_definitions(attribute(SORT_KEY)?)
            .attribute_definitions(attribute(schema::STATUS_INDEX_PARTITION_KEY)?)
            .attribute_definitions(attribute(schema::STATUS_INDEX_SORT_KEY)?)
            .key_schema(key(PARTITION_KEY, KeyType::Hash)?)
            .key_schema(key(SORT_KEY, KeyType::Range)?)
            .global_secondary_indexes(index)
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

fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Every store failure is "unavailable" to the client; the error's messages go to the log
/// (never the request, which holds personal information).
fn unavailable<E: std::error::Error>(err: E) -> StoreError {
    StoreError::Unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(&err).to_string())
}
