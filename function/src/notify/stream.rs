//! The table's stream, as Lambda delivers it (keys only): a notice for each new submission,
//! and the expiry pushed on a registration whose status changed. A record that fails is
//! reported back (`batchItemFailures`) so Lambda retries it and, once its retries are spent,
//! sends it to the dead-letter queue: nothing is dropped silently.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;

use super::{message, Notifier, NotifyError};
use crate::store::schema::{self, PARTITION_KEY, SORT_KEY};

/// Handles a batch in order. At the first failure it stops and reports that record: Lambda
/// retries from there, so a later record is never passed over (it may be announced twice,
/// never zero times).
pub async fn handle(notifier: &Notifier, batch: Event) -> DynamoDbEventResponse {
    let mut answer = DynamoDbEventResponse::default();
    for record in batch.records {
        let sequence = record.change.sequence_number.clone().unwrap_or_default();
        if let Err(error) = handle_record(notifier, &record).await {
            tracing::error!(
                event_id = %record.event_id,
                sequence = %sequence,
                error = %error,
                "stream record not handled: Lambda will retry it"
            );
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = Some(sequence);
            answer.batch_item_failures.push(failure);
            break;
        }
    }
    answer
}

fn key(record: &EventRecord, name: &str) -> Option<String> {
    match record.change.keys.get(name) {
        Some(serde_dynamo::AttributeValue::S(text)) => Some(text.clone()),
        _ => None,
    }
}

async fn handle_record(notifier: &Notifier, record: &EventRecord) -> Result<(), NotifyError> {
    let (Some(region), Some(entry)) = (key(record, PARTITION_KEY), key(record, SORT_KEY)) else {
        return Ok(());
    };
    let Some(kind) = schema::kind_of_entry(&entry) else {
        // An idempotency marker.
        return Ok(());
    };
    match record.event_name.as_str() {
        "INSERT" => {
            let Some(notice) =
                message::new_submission(&notifier.catalog, &notifier.console, &region, &entry)
            else {
                return Ok(());
            };
            notifier.publish(&notice).await?;
            tracing::info!(region = %region, kind, event = "new", "notification sent");
            Ok(())
        }
        "MODIFY" if kind == "registration" => push_expiry(notifier, &region, &entry).await,
        _ => Ok(()),
    }
}

/// A registration that left `new` was just handled by the relay team: the person was in
/// contact, so it is kept `retention_days` from now. Need reports keep the expiry of their
/// arrival, as the privacy notice says. Conditional, so the function's own write (which comes
/// back on the stream) changes nothing the second time.
async fn push_expiry(notifier: &Notifier, region: &str, entry: &str) -> Result<(), NotifyError> {
    let Some(days) = notifier.retention_days else {
        return Ok(());
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let expires = now + i64::from(days) * 86_400;
    let result = notifier
        .dynamo
        .update_item()
        .table_name(&notifier.table)
        .key(PARTITION_KEY, AttributeValue::S(region.to_string()))
        .key(SORT_KEY, AttributeValue::S(entry.to_string()))
        .update_expression("SET #expires = :expires")
        .condition_expression(
            "attribute_exists(#entry) AND #status <> :new \
             AND (attribute_not_exists(#expires) OR #expires < :floor)",
        )
        .expression_attribute_names("#expires", schema::TTL_ATTRIBUTE)
        .expression_attribute_names("#entry", SORT_KEY)
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":expires", AttributeValue::N(expires.to_string()))
        // Pushed at most once a day: the write's own stream record stops here.
        .expression_attribute_values(":floor", AttributeValue::N((expires - 86_400).to_string()))
        .expression_attribute_values(":new", AttributeValue::S(schema::NEW.into()))
        .send()
        .await;
    match result {
        Ok(_) => {
            tracing::info!(
                region,
                kind = "registration",
                "expiry pushed after handling"
            );
            Ok(())
        }
        Err(SdkError::ServiceError(e))
            if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
        {
            Ok(())
        }
        Err(e) => Err(NotifyError::Table(
            aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string(),
        )),
    }
}
