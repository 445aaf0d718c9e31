//! The daily reminder (an EventBridge schedule): each region's need reports still `new`
//! after `REMINDER_DAYS` days are named once, in one message per region. Reads keys and
//! bookkeeping attributes only, through the status index.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{AttributeValue, Select};

use super::{message, Notifier, NotifyError};
use crate::store::schema::{self, PARTITION_KEY, SORT_KEY};

/// The form whose unanswered submissions are reminded: a need report waits for someone.
const KIND: &str = "need-report";

/// Sends the reminders due at `now`; returns how many regions got one. An item is marked
/// `reminded_at` only after its region's message went out, so a failure means a reminder
/// again tomorrow, never none.
pub async fn send(notifier: &Notifier, now: time::OffsetDateTime) -> Result<usize, NotifyError> {
    let cutoff = now - time::Duration::days(i64::from(notifier.reminder_days));
    let cutoff = crate::clock::iso(cutoff);
    let table_error = |e: &dyn std::error::Error| {
        NotifyError::Table(aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())
    };
    let mut pages = notifier
        .dynamo
        .query()
        .table_name(&notifier.table)
        .index_name(schema::STATUS_INDEX)
        .select(Select::SpecificAttributes)
        .key_condition_expression("#status = :new AND #at < :cutoff")
        .filter_expression("#kind = :kind AND attribute_not_exists(#reminded)")
        .projection_expression("#region, #entry")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#at", schema::STATUS_INDEX_SORT_KEY)
        .expression_attribute_names("#kind", "kind")
        .expression_attribute_names("#reminded", schema::REMINDED_AT)
        .expression_attribute_names("#region", PARTITION_KEY)
        .expression_attribute_names("#entry", SORT_KEY)
        .expression_attribute_values(":new", AttributeValue::S(schema::NEW.into()))
        .expression_attribute_values(":cutoff", AttributeValue::S(cutoff))
        .expression_attribute_values(":kind", AttributeValue::S(KIND.into()))
        .into_paginator()
        .items()
        .send();
    let mut due: BTreeMap<String, Vec<String>> = BTreeMap::new();
    while let Some(item) = pages.next().await {
        let item = item.map_err(|e| table_error(&e))?;
        if let (Some(AttributeValue::S(region)), Some(AttributeValue::S(entry))) =
            (item.get(PARTITION_KEY), item.get(SORT_KEY))
        {
            due.entry(region.clone()).or_default().push(entry.clone());
        }
    }
    let reminded_at = crate::clock::iso(now);
    for (region, entries) in &due {
        let notice = message::reminder(
            &notifier.catalog,
            &notifier.console,
            region,
            KIND,
            notifier.reminder_days,
            entries,
        );
        notifier.publish(&notice).await?;
        for entry in entries {
            let marked = notifier
                .dynamo
                .update_item()
                .table_name(&notifier.table)
                .key(PARTITION_KEY, AttributeValue::S(region.clone()))
                .key(SORT_KEY, AttributeValue::S(entry.clone()))
                .update_expression("SET #reminded = :at")
                .condition_expression("attribute_exists(#entry)")
                .expression_attribute_names("#reminded", schema::REMINDED_AT)
                .expression_attribute_names("#entry", SORT_KEY)
                .expression_attribute_values(":at", AttributeValue::S(reminded_at.clone()))
                .send()
                .await;
            match marked {
                Ok(_) => {}
                // Deleted since the query (a privacy request): nothing to mark.
                Err(SdkError::ServiceError(e))
                    if e.err().is_conditional_check_failed_exception() => {}
                Err(e) => return Err(table_error(&e)),
            }
        }
        tracing::info!(region = %region, kind = KIND, event = "reminder", count = entries.len(), "reminder sent");
    }
    // One line per run gone through to the end: an alarm counts them (a day without one
    // means the reminders stopped).
    tracing::info!(
        event = "reminder_run",
        outcome = "done",
        regions = due.len(),
        "reminder run done"
    );
    Ok(due.len())
}
