//! Notifications, as deployed: submissions stored in DynamoDB Local, the table's stream read
//! as DynamoDB delivers it and handed to the notification function in Lambda's event shape,
//! messages published to moto's SNS and received by the relay teams' subscriptions (SQS
//! queues with a filter policy on the region). Also the daily reminder and the expiry that
//! follows a registration's handling.

mod common;

use std::collections::HashMap;
use std::process::Stdio;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use common::runtime::RuntimeApi;
use common::*;
use eclaireurs_function::notify::message::Console;
use eclaireurs_function::notify::Notifier;

/// The personal information the test submissions carry: none may reach a message or a log.
const PERSONAL: &[&str] = &[
    "Sophie",
    "Lavoie",
    "sophie.lavoie",
    "418 555-0142",
    "4185550142",
    "Julie",
    "Tremblay",
    "julie.tremblay",
    "418 555-0199",
    "Rimouski",
    "transport",
    "dépannage",
];

const NAMED_NEED_REPORT: &str = r#"{"region":"bas-saint-laurent","language":"fr","territory":"Kamouraska","description":"Des familles n'ont plus de transport vers le dépannage alimentaire depuis l'automne.","name":"Sophie Lavoie","email":"sophie.lavoie@example.ca","phone":"418 555-0142","consent":true}"#;

fn assert_no_personal_information(text: &str, what: &str) {
    for word in PERSONAL {
        assert!(!text.contains(word), "{what} holds `{word}`:\n{text}");
    }
}

/// Every record of the table's stream so far, as Lambda hands them to a function: the
/// records of `GetRecords` with `eventSourceARN` added and the creation time in seconds.
async fn stream_event(table: &str) -> serde_json::Value {
    let config = aws_config().await;
    let dynamo = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&config)
            .endpoint_url(dynamodb_endpoint())
            .build(),
    );
    let streams = aws_sdk_dynamodbstreams::Client::from_conf(
        aws_sdk_dynamodbstreams::config::Builder::from(&config)
            .endpoint_url(dynamodb_endpoint())
            .build(),
    );
    let described = dynamo
        .describe_table()
        .table_name(table)
        .send()
        .await
        .expect("describe");
    let arn = described
        .table()
        .and_then(|t| t.latest_stream_arn())
        .expect("the table has a stream")
        .to_string();
    let stream = streams
        .describe_stream()
        .stream_arn(&arn)
        .send()
        .await
        .expect("describe stream");
    let description = stream.stream_description().expect("description");
    assert_eq!(
        description.stream_view_type().map(|v| v.as_str()),
        Some("KEYS_ONLY"),
        "the stream carries keys only"
    );
    let mut records = Vec::new();
    for shard in description.shards() {
        let iterator = streams
            .get_shard_iterator()
            .stream_arn(&arn)
            .shard_id(shard.shard_id().expect("shard id"))
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .expect("iterator");
        let mut next = iterator.shard_iterator().map(str::to_string);
        while let Some(iterator) = next.take() {
            let page = streams
                .get_records()
                .shard_iterator(&iterator)
                .send()
                .await
                .expect("records");
            if page.records().is_empty() {
                break;
            }
            for record in page.records() {
                let change = record.dynamodb().expect("change");
                assert!(change.new_image().is_none() && change.old_image().is_none());
                let keys: serde_json::Map<String, serde_json::Value> = change
                    .keys()
                    .expect("keys")
                    .iter()
                    .map(|(name, value)| match value {
                        aws_sdk_dynamodbstreams::types::AttributeValue::S(text) => {
                            (name.clone(), serde_json::json!({ "S": text }))
                        }
                        other => panic!("a key that is not text: {other:?}"),
                    })
                    .collect();
                records.push(serde_json::json!({
                    "eventID": record.event_id(),
                    "eventName": record.event_name().map(|n| n.as_str()),
                    "eventVersion": record.event_version(),
                    "eventSource": "aws:dynamodb",
                    "awsRegion": "ca-central-1",
                    "dynamodb": {
                        "ApproximateCreationDateTime": change
                            .approximate_creation_date_time()
                            .map(|t| t.secs())
                            .unwrap_or_default(),
                        "Keys": keys,
                        "SequenceNumber": change.sequence_number(),
                        "SizeBytes": change.size_bytes(),
                        "StreamViewType": "KEYS_ONLY"
                    },
                    "eventSourceARN": arn,
                }));
            }
            next = page.next_shard_iterator().map(str::to_string);
        }
    }
    serde_json::json!({ "Records": records })
}

/// A topic with one queue subscribed per region, each with a filter policy on `region`.
struct Teams {
    topic: String,
    queues: HashMap<&'static str, String>,
}

async fn teams(name: &str) -> Teams {
    let sns = sns().await;
    let sqs = sqs().await;
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let topic = sns
        .create_topic()
        .name(format!("{name}-{suffix}"))
        .send()
        .await
        .expect("topic")
        .topic_arn()
        .expect("arn")
        .to_string();
    let mut queues = HashMap::new();
    for region in ["bas-saint-laurent", "saguenay-lac-saint-jean"] {
        let url = sqs
            .create_queue()
            .queue_name(format!("{name}-{region}-{suffix}"))
            .send()
            .await
            .expect("queue")
            .queue_url()
            .expect("url")
            .to_string();
        let arn = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("attributes")
            .attributes()
            .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
            .expect("queue arn")
            .clone();
        sns.subscribe()
            .topic_arn(&topic)
            .protocol("sqs")
            .endpoint(arn)
            .attributes("FilterPolicy", format!(r#"{{"region": ["{region}"]}}"#))
            .send()
            .await
            .expect("subscribe");
        queues.insert(region, url);
    }
    Teams { topic, queues }
}

/// The notifications a team's queue received: (subject, message, attributes).
async fn received(queue: &str) -> Vec<(String, String, HashMap<String, String>)> {
    let sqs = sqs().await;
    let mut got = Vec::new();
    loop {
        let page = sqs
            .receive_message()
            .queue_url(queue)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        if page.messages().is_empty() {
            return got;
        }
        for message in page.messages() {
            let envelope: serde_json::Value =
                serde_json::from_str(message.body().expect("body")).expect("SNS envelope");
            let attributes = envelope["MessageAttributes"]
                .as_object()
                .expect("attributes")
                .iter()
                .map(|(k, v)| (k.clone(), v["Value"].as_str().unwrap_or("").to_string()))
                .collect();
            got.push((
                envelope["Subject"].as_str().unwrap_or("").to_string(),
                envelope["Message"].as_str().expect("message").to_string(),
                attributes,
            ));
            sqs.delete_message()
                .queue_url(queue)
                .receipt_handle(message.receipt_handle().expect("handle"))
                .send()
                .await
                .expect("delete");
        }
    }
}

async fn notifier(client: aws_sdk_dynamodb::Client, table: &str, topic: &str) -> Notifier {
    Notifier {
        catalog: eclaireurs_function::catalog::Catalog::from_content(&repo().join("content"))
            .expect("catalog"),
        dynamo: client,
        sns: sns().await,
        table: table.to_string(),
        topic: topic.to_string(),
        console: Console {
            aws_region: "ca-central-1".into(),
            table: table.to_string(),
        },
        retention_days: Some(730),
        reminder_days: 3,
    }
}

async fn items(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Vec<HashMap<String, AttributeValue>> {
    client
        .scan()
        .table_name(table)
        .send()
        .await
        .expect("scan")
        .items()
        .to_vec()
}

/// Each submission's `expires_at`, by form (the test stores one of each).
async fn expiries(client: &aws_sdk_dynamodb::Client, table: &str) -> HashMap<String, i64> {
    items(client, table)
        .await
        .iter()
        .filter(|i| text(i, "entry").contains('T'))
        .map(|i| (text(i, "kind"), expiry(i)))
        .collect()
}

fn expiry(item: &HashMap<String, AttributeValue>) -> i64 {
    match item.get("expires_at") {
        Some(AttributeValue::N(n)) => n.parse::<i64>().expect("number"),
        other => panic!("expires_at: {other:?}"),
    }
}

fn text(item: &HashMap<String, AttributeValue>, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(text)) => text.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_need_report_notifies_its_regions_team_only_with_a_console_link_and_no_personal_data() {
    let (client, table) = dynamo_table("notify").await;
    let api = Api::dynamo(client.clone(), &table).await;
    api.accepted_json("/api/need-reports", NAMED_NEED_REPORT)
        .await;
    api.accepted_form("/api/registrations", REGISTRATION_FORM)
        .await;
    let teams = teams("notify").await;

    let event = stream_event(&table).await;
    let records = event["Records"].as_array().expect("records");
    assert_eq!(
        records.len(),
        4,
        "two submissions and their two idempotency markers"
    );
    assert_no_personal_information(&event.to_string(), "the stream");

    let notifier = notifier(client.clone(), &table, &teams.topic).await;
    let answer = notifier.handle(event).await.expect("handled");
    assert_eq!(answer, serde_json::json!({ "batchItemFailures": [] }));

    let bsl = received(&teams.queues["bas-saint-laurent"]).await;
    let slsj = received(&teams.queues["saguenay-lac-saint-jean"]).await;
    assert!(
        slsj.is_empty(),
        "another region's team hears nothing: {slsj:?}"
    );
    assert_eq!(
        bsl.len(),
        2,
        "one notification per submission, none for markers"
    );

    let stored = items(&client, &table).await;
    for (subject, message, attributes) in &bsl {
        assert_eq!(attributes["region"], "bas-saint-laurent");
        assert_eq!(attributes["event"], "new");
        let kind = attributes["kind"].as_str();
        let item = stored
            .iter()
            .find(|i| text(i, "kind") == kind)
            .expect("the item notified");
        // The console link names this very item: its partition key and sort key.
        let entry = text(item, "entry");
        let encoded = entry.replace('#', "%23").replace(':', "%3A");
        assert!(
            message.contains(&format!(
                "#edit-item?itemMode=2&pk=bas-saint-laurent&route=ROUTE_ITEM_EXPLORER&sk={encoded}&table={table}"
            )),
            "{message}"
        );
        assert!(message.contains("Bas-Saint-Laurent"), "{message}");
        // When it arrived, in Quebec's time (the item keeps UTC), and saying so.
        let at =
            eclaireurs_function::clock::quebec_iso(&text(item, "submitted_at")).expect("a moment");
        let day = eclaireurs_function::clock::minute(at)[..10].to_string();
        let (hour, minute) = (at.hour(), at.minute());
        assert!(
            message.contains(&format!(
                "le {day} à {hour:02} h {minute:02} (heure du Québec)."
            )) && message.contains(&format!("on {day} at {hour:02}:{minute:02} (Quebec time).")),
            "the day and time it arrived: {message}"
        );
        assert!(!message.contains("UTC"), "{message}");
        match kind {
            "need-report" => {
                assert!(
                    subject.contains("Nouveau signalement de besoin"),
                    "{subject}"
                );
                assert!(subject.contains("New need report"), "{subject}");
            }
            "registration" => assert!(subject.contains("Nouvelle inscription"), "{subject}"),
            other => panic!("kind {other}"),
        }
        assert_no_personal_information(subject, "a subject");
        assert_no_personal_information(message, "a notification");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_notification_that_cannot_be_sent_is_handed_back_to_lambda_for_retry_and_dead_letter() {
    let (client, table) = dynamo_table("notify-fail").await;
    let api = Api::dynamo(client.clone(), &table).await;
    api.accepted_json("/api/need-reports", NAMED_NEED_REPORT)
        .await;
    api.accepted_json("/api/need-reports", NEED_REPORT_JSON)
        .await;
    let event = stream_event(&table).await;
    let first_submission = event["Records"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| {
            r["dynamodb"]["Keys"]["entry"]["S"]
                .as_str()
                .is_some_and(|e| e.starts_with("need-report#"))
        })
        .expect("a submission's record")["dynamodb"]["SequenceNumber"]
        .as_str()
        .expect("sequence number")
        .to_string();

    // A topic that does not exist: SNS refuses every message.
    let missing = "arn:aws:sns:ca-central-1:123456789012:no-such-topic";
    let notifier = notifier(client, &table, missing).await;
    let answer = notifier
        .handle(event)
        .await
        .expect("an answer, not a crash");
    assert_eq!(
        answer,
        serde_json::json!({ "batchItemFailures": [{ "itemIdentifier": first_submission }] }),
        "the first record that failed is reported, so Lambda retries from it (and sends it to \
         the dead-letter queue once its retries are spent): nothing after it is passed over"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_runs_the_notification_handler_when_lambda_names_it() {
    let (client, table) = dynamo_table("notify-bin").await;
    let api = Api::dynamo(client.clone(), &table).await;
    api.accepted_json("/api/need-reports", NAMED_NEED_REPORT)
        .await;
    let teams = teams("notify-bin").await;
    let event = stream_event(&table).await;

    let mut runtime = RuntimeApi::start().await;
    runtime.push("stream", event.to_string());
    runtime.push("unknown", r#"{"hello":"world"}"#.to_string());
    let (package, _) = common::runtime::package();
    let mut child = runtime
        .command("eclaireurs-notifications", package.path())
        .env("_HANDLER", "notifications")
        .env("SUBMISSIONS_TABLE", &table)
        .env("NOTIFICATIONS_TOPIC", &teams.topic)
        .env("AWS_ENDPOINT_URL_SNS", moto_endpoint())
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the notification function as Lambda does");
    let (id, answer) = runtime.answer().await;
    assert_eq!(id, "stream", "{answer}");
    assert_eq!(answer, serde_json::json!({ "batchItemFailures": [] }));
    let (id, answer) = runtime.answer().await;
    assert_eq!(
        id, "error",
        "an event it does not know is an error: {answer}"
    );
    let _ = child.kill();
    let output = child.wait_with_output().expect("logs");
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(logs.contains("notification sent"), "{logs}");
    assert_no_personal_information(&logs, "the function's logs");

    let bsl = received(&teams.queues["bas-saint-laurent"]).await;
    assert_eq!(bsl.len(), 1);
    assert_eq!(bsl[0].2["kind"], "need-report");
    assert!(received(&teams.queues["saguenay-lac-saint-jean"])
        .await
        .is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_need_report_still_new_after_three_days_is_reminded_once_to_its_region() {
    let (client, table) = dynamo_table("remind").await;
    let api = Api::dynamo(client.clone(), &table).await;
    for body in [NAMED_NEED_REPORT, NEED_REPORT_JSON] {
        api.accepted_json("/api/need-reports", body).await;
    }
    api.accepted_form("/api/registrations", REGISTRATION_FORM)
        .await;
    let teams = teams("remind").await;
    let notifier = notifier(client.clone(), &table, &teams.topic).await;
    let now = time::OffsetDateTime::now_utc();

    // Today nothing is three days old.
    assert_eq!(
        eclaireurs_function::notify::reminders::send(&notifier, now)
            .await
            .expect("sent"),
        0
    );
    assert!(received(&teams.queues["bas-saint-laurent"])
        .await
        .is_empty());

    // Four days on: each region with a report still `new` gets one reminder.
    let later = now + time::Duration::days(4);
    let sent = eclaireurs_function::notify::reminders::send(&notifier, later)
        .await
        .expect("sent");
    assert_eq!(sent, 2, "one reminder per region");
    let bsl = received(&teams.queues["bas-saint-laurent"]).await;
    let slsj = received(&teams.queues["saguenay-lac-saint-jean"]).await;
    assert_eq!((bsl.len(), slsj.len()), (1, 1));
    let (subject, message, attributes) = &bsl[0];
    assert_eq!(attributes["event"], "reminder");
    assert_eq!(attributes["kind"], "need-report");
    assert!(subject.starts_with("Rappel"), "{subject}");
    assert_eq!(
        message.matches("#edit-item?").count(),
        2,
        "the one report, in each language"
    );
    assert!(
        !message.contains("registration%23"),
        "registrations are not reminded"
    );
    let report = items(&client, &table)
        .await
        .into_iter()
        .find(|i| text(i, "kind") == "need-report" && text(i, "region") == "bas-saint-laurent")
        .expect("the report reminded");
    let at =
        eclaireurs_function::clock::quebec_iso(&text(&report, "submitted_at")).expect("a moment");
    let day = eclaireurs_function::clock::minute(at)[..10].to_string();
    assert!(
        message.replace('\u{a0}', " ").contains(&format!(
            "Reçu le {day} à {:02} h {:02} (heure du Québec) :",
            at.hour(),
            at.minute()
        )),
        "each report with when it arrived, in Quebec's time: {message}"
    );
    assert_no_personal_information(message, "a reminder");
    assert_no_personal_information(&slsj[0].1, "a reminder");

    // Once: the next day names nothing again.
    let next_day = later + time::Duration::days(1);
    assert_eq!(
        eclaireurs_function::notify::reminders::send(&notifier, next_day)
            .await
            .expect("sent"),
        0
    );
    assert!(received(&teams.queues["bas-saint-laurent"])
        .await
        .is_empty());
}

/// The retention the deployment sets (template.yaml's `RetentionDays` default), after checking
/// that the privacy notice, in both languages, promises exactly what the table does with it.
fn retention_of_the_notice_and_template() -> u32 {
    let template: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(repo().join("template.yaml")).expect("template.yaml"),
    )
    .expect("template");
    let days = template["Parameters"]["RetentionDays"]["Default"]
        .as_u64()
        .expect("RetentionDays default");
    assert_eq!(days, 730, "two years, as the notice says");
    let notice = |lang: &str| {
        std::fs::read_to_string(repo().join(format!("content/pages/{lang}/privacy.md")))
            .expect("privacy notice")
            .replace('\u{a0}', " ")
    };
    let (fr, en) = (notice("fr"), notice("en"));
    for promise in [
        "supprimée 2 ans après votre dernier contact avec l'équipe-relais",
        "supprimé 2 ans après sa réception",
    ] {
        assert!(fr.contains(promise), "the French notice says: {promise}");
    }
    for promise in [
        "deleted 2 years after your last contact with the relay team",
        "deleted 2 years after it is received",
    ] {
        assert!(en.contains(promise), "the English notice says: {promise}");
    }
    days as u32
}

#[tokio::test(flavor = "multi_thread")]
async fn a_handled_registration_is_kept_two_years_from_its_handling_a_need_report_from_its_arrival()
{
    let days = retention_of_the_notice_and_template();
    let (client, table) = dynamo_table("retention").await;
    let api = Api::dynamo(client.clone(), &table).await;
    api.accepted_form("/api/registrations", REGISTRATION_FORM)
        .await;
    api.accepted_json("/api/need-reports", NAMED_NEED_REPORT)
        .await;
    let teams = teams("retention").await;
    let mut notifier = notifier(client.clone(), &table, &teams.topic).await;
    notifier.retention_days = Some(days);
    let stored = items(&client, &table).await;
    let submissions: Vec<_> = stored
        .iter()
        .filter(|i| text(i, "entry").contains("T"))
        .cloned()
        .collect();

    // The relay team handles both, as the console does: UpdateItem on `status` only.
    // Pretend the items arrived 200 days ago, so a push is visible.
    let days_ago = 200 * 86_400;
    for item in &submissions {
        client
            .update_item()
            .table_name(&table)
            .key("region", item["region"].clone())
            .key("entry", item["entry"].clone())
            .update_expression("SET expires_at = :e")
            .expression_attribute_values(
                ":e",
                AttributeValue::N((expiry(item) - days_ago).to_string()),
            )
            .send()
            .await
            .expect("backdate");
    }
    let before = expiries(&client, &table).await;
    for item in &submissions {
        client
            .update_item()
            .table_name(&table)
            .key("region", item["region"].clone())
            .key("entry", item["entry"].clone())
            .update_expression("SET #status = :s")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":s", AttributeValue::S("in-progress".into()))
            .send()
            .await
            .expect("status change");
    }
    let answer = notifier
        .handle(stream_event(&table).await)
        .await
        .expect("handled");
    assert_eq!(answer, serde_json::json!({ "batchItemFailures": [] }));

    let after = expiries(&client, &table).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let two_years = i64::from(days) * 86_400;
    assert!(
        (after["registration"] - (now + two_years)).abs() < 120,
        "a registration is kept 730 days from its handling (the last contact)"
    );
    assert_eq!(
        after["need-report"], before["need-report"],
        "a need report keeps the expiry of its arrival: at most two years after it was received"
    );

    // The function's own write came back on the stream: handled again, nothing changes.
    let again = notifier
        .handle(stream_event(&table).await)
        .await
        .expect("handled");
    assert_eq!(again, serde_json::json!({ "batchItemFailures": [] }));
    let last = expiries(&client, &table).await;
    assert_eq!(last, after);
}

/// The notification function reads the catalog from the bucket too: the region is named as
/// the published catalog names it, and a completed reminder run logs its one line (the
/// alarm's count).
#[tokio::test(flavor = "multi_thread")]
async fn the_notifier_words_its_messages_with_the_bucket_s_catalog_and_logs_each_reminder_run() {
    let (client, table) = dynamo_table("notify-bucket").await;
    let api = Api::dynamo(client.clone(), &table).await;
    api.accepted_json("/api/need-reports", NAMED_NEED_REPORT)
        .await;
    let teams = teams("notify-bucket").await;
    let event = stream_event(&table).await;

    let s3 = common::s3().await;
    let bucket = common::new_bucket(&s3, "notify-catalog").await;
    let (package, mut catalog) = common::runtime::package();
    for names in catalog.region_names.values_mut() {
        names.fr = format!("{} (publié)", names.fr);
    }
    catalog.seal().expect("sealed");
    common::put(
        &s3,
        &bucket,
        "catalog.json",
        catalog.to_json().expect("json"),
    )
    .await;

    let mut runtime = RuntimeApi::start().await;
    runtime.push("stream", event.to_string());
    runtime.push("reminders", r#"{"action":"reminders"}"#.to_string());
    let mut child = runtime
        .command("eclaireurs-notifications", package.path())
        .env("_HANDLER", "notifications")
        .env("SUBMISSIONS_TABLE", &table)
        .env("NOTIFICATIONS_TOPIC", &teams.topic)
        .env("AWS_ENDPOINT_URL_SNS", moto_endpoint())
        .env("AWS_ENDPOINT_URL_S3", moto_endpoint())
        .env("CATALOG_BUCKET", &bucket)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the notification function as Lambda does");
    let (id, answer) = runtime.answer().await;
    assert_eq!(id, "stream", "{answer}");
    let (id, answer) = runtime.answer().await;
    assert_eq!(id, "reminders", "{answer}");
    let _ = child.kill();
    let output = child.wait_with_output().expect("logs");
    let logs = String::from_utf8_lossy(&output.stderr);
    let runs: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["fields"]["event"] == "reminder_run")
        .collect();
    assert_eq!(runs.len(), 1, "{logs}");
    assert_eq!(runs[0]["fields"]["outcome"], "done", "{logs}");

    let bsl = received(&teams.queues["bas-saint-laurent"]).await;
    assert_eq!(bsl.len(), 1);
    assert!(
        bsl[0].1.contains("Bas-Saint-Laurent (publié)"),
        "the region as the bucket's catalog names it:\n{}",
        bsl[0].1
    );
}
