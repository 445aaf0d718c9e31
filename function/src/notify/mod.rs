//! The notification function: the same binary as the API, started by Lambda with the
//! handler `notifications` (`_HANDLER`). It reads the table's stream (keys only) and tells
//! the region's relay team of each new submission through one SNS topic; once a day it
//! reminds each region of the need reports still `new`; and it pushes the expiry of a
//! registration whose status changed (the privacy notice keeps registrations two years after
//! the last contact). It never reads an answer, so no message can carry one.

pub mod message;
pub mod reminders;
pub mod stream;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_sns::types::MessageAttributeValue;
use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use serde_json::Value;

use crate::catalog::Catalog;
use message::{Console, Notice};

/// The handler name that selects this function (`Handler:` in template.yaml).
pub const HANDLER: &str = "notifications";

pub struct Notifier {
    pub catalog: Catalog,
    pub dynamo: aws_sdk_dynamodb::Client,
    pub sns: aws_sdk_sns::Client,
    pub table: String,
    /// The topic's ARN (`NOTIFICATIONS_TOPIC`).
    pub topic: String,
    pub console: Console,
    /// Days a registration is kept after its last handling (`RETENTION_DAYS`).
    pub retention_days: Option<u32>,
    /// Days after which a need report still `new` is reminded (`REMINDER_DAYS`).
    pub reminder_days: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("the topic did not take the message: {0}")]
    Publish(String),
    #[error("the table did not answer: {0}")]
    Table(String),
    #[error("this event is neither a DynamoDB stream batch nor {{\"action\":\"reminders\"}}")]
    UnknownEvent,
    #[error("the stream batch could not be read: {0}")]
    BadBatch(String),
}

/// An SNS client with bounded timeouts (2 s to connect, 5 s an attempt, 12 s in all, three
/// attempts), from the environment (`AWS_ENDPOINT_URL_SNS` for an emulator). Longer than the
/// table's: notifications are sent from the stream, after the person has had their answer.
pub async fn sns_client() -> aws_sdk_sns::Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(5))
        .operation_timeout(Duration::from_secs(12))
        .build();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .load()
        .await;
    let mut builder = aws_sdk_sns::config::Builder::from(&config);
    if config.region().is_none() {
        builder = builder.region(aws_sdk_sns::config::Region::new(
            eclaireurs_model::AWS_REGION,
        ));
    }
    aws_sdk_sns::Client::from_conf(builder.build())
}

impl Notifier {
    /// Sends a notice to the topic, with the attributes teams filter on.
    pub async fn publish(&self, notice: &Notice) -> Result<(), NotifyError> {
        let attribute = |value: &str| {
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| NotifyError::Publish(e.to_string()))
        };
        self.sns
            .publish()
            .topic_arn(&self.topic)
            .subject(&notice.subject)
            .message(&notice.message)
            .message_attributes("region", attribute(&notice.region)?)
            .message_attributes("kind", attribute(&notice.kind)?)
            .message_attributes("event", attribute(notice.event)?)
            .send()
            .await
            .map_err(|e| {
                NotifyError::Publish(aws_sdk_sns::error::DisplayErrorContext(&e).to_string())
            })?;
        Ok(())
    }

    /// One invocation: a stream batch (answered with the records to retry) or the daily
    /// reminder.
    pub async fn handle(&self, event: Value) -> Result<Value, NotifyError> {
        if event.get("Records").is_some() {
            let batch: aws_lambda_events::event::dynamodb::Event =
                serde_json::from_value(event).map_err(|e| NotifyError::BadBatch(e.to_string()))?;
            let answer = stream::handle(self, batch).await;
            return serde_json::to_value(answer).map_err(|e| NotifyError::BadBatch(e.to_string()));
        }
        if event.get("action").and_then(Value::as_str) == Some("reminders") {
            let sent = reminders::send(self, time::OffsetDateTime::now_utc()).await?;
            return Ok(serde_json::json!({ "reminders": sent }));
        }
        Err(NotifyError::UnknownEvent)
    }
}

/// Runs the notification function under the Lambda runtime, its catalog (region names,
/// strings) renewed from the bucket as the API's is.
pub async fn run(settings: crate::config::Settings) -> anyhow::Result<()> {
    use crate::live_catalog::{self, Bucket, LiveCatalog};
    use anyhow::Context;
    let table = settings
        .table
        .clone()
        .context("set SUBMISSIONS_TABLE: the notification function reads the table's stream")?;
    let topic = settings
        .topic
        .clone()
        .context("set NOTIFICATIONS_TOPIC to the ARN of the notifications topic")?;
    let aws_region =
        std::env::var("AWS_REGION").unwrap_or_else(|_| eclaireurs_model::AWS_REGION.into());
    let config = crate::store::dynamodb::sdk_config().await;
    let (bucket, fetched) = match &settings.catalog {
        crate::config::CatalogSource::Bucket {
            bucket, key, ttl, ..
        } => {
            let bucket = Bucket::new(&config, bucket, key, *ttl);
            let fetched = bucket.fetch(None).await;
            (Some(bucket), Some(fetched))
        }
        _ => (None, None),
    };
    let fallback = crate::catalog(&settings);
    let (catalog, etag) = live_catalog::first(bucket.as_ref().zip(fetched), fallback)?;
    let dynamo = crate::store::dynamodb::client_from(&config, None);
    let sns = sns_client().await;
    let console = Console {
        aws_region,
        table: table.clone(),
    };
    let (retention_days, reminder_days) = (settings.retention_days, settings.reminder_days);
    let live = LiveCatalog::new(catalog, etag, bucket, move |catalog| Notifier {
        catalog,
        dynamo: dynamo.clone(),
        sns: sns.clone(),
        console: console.clone(),
        table: table.clone(),
        topic: topic.clone(),
        retention_days,
        reminder_days,
    });
    let live = &live;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        live.refresh_if_due().await;
        live.current()
            .handle(event.payload)
            .await
            .map_err(lambda_runtime::Error::from)
    }))
    .await
    .map_err(|e| anyhow::anyhow!("the Lambda runtime stopped: {e}"))
}
