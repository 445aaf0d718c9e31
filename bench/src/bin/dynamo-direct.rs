//! Direct writes to DynamoDB (Local), with the function's own client
//! (`eclaireurs_function::store::dynamodb::client()`: same timeouts, retries, region and
//! endpoint from the environment), of items shaped like the function's:
//!
//! - `put`: one `PutItem` of a registration item (the attributes `DynamoStore` writes);
//! - `transact`: the function's write, rebuilt by hand: a `TransactWriteItems` of the
//!   idempotency marker and the registration, both conditional;
//! - `store`: `DynamoStore::put` of a `Record`, the function's storage code in process
//!   (no HTTP, no validation).
//!
//! Closed loop of `--concurrency` tasks (1: sequential) on a tokio multi-thread runtime like
//! the function's. Prints progress on stderr and one `RESULT {json}` line.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use clap::{Parser, ValueEnum};
use serde_json::json;

use eclaireurs_bench::{nanos, own_cpu_seconds, print_result, run_tag, summarize};
use eclaireurs_function::answer::Value;
use eclaireurs_function::clock::iso;
use eclaireurs_function::store::dynamodb::{client, item, DynamoStore};
use eclaireurs_function::store::schema::{self, PARTITION_KEY, SORT_KEY};
use eclaireurs_function::store::{Record, IDEMPOTENCY_WINDOW_SECS};

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Op {
    Put,
    Transact,
    Store,
}

#[derive(Parser)]
#[command(about = "Direct DynamoDB writes of submission-shaped items")]
struct Args {
    /// The table (as SUBMISSIONS_TABLE).
    #[arg(long)]
    table: String,
    #[arg(long, value_enum)]
    op: Op,
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Seconds of warm-up (not measured).
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Seconds measured after the warm-up.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    #[arg(long, default_value = "direct")]
    label: String,
    /// Also write every measured latency (nanoseconds, one a line) to this file.
    #[arg(long)]
    samples: Option<std::path::PathBuf>,
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_string())
}

/// A registration as the function builds it from the benchmark's JSON body.
fn record(run: &str, client: usize, seq: u64) -> Record {
    let at = iso(time::OffsetDateTime::now_utc());
    let values = BTreeMap::from([
        (
            "email".to_string(),
            Value::Text(format!("marc.{run}.{client}.{seq}@example.ca")),
        ),
        ("first_name".to_string(), Value::Text("Marc".into())),
        ("last_name".to_string(), Value::Text("Gagnon".into())),
        ("municipality".to_string(), Value::Text("Alma".into())),
        ("roles".to_string(), Value::List(vec!["support".into()])),
    ]);
    let email = format!("marc.{run}.{client}.{seq}@example.ca");
    Record {
        email_hash: Some(eclaireurs_function::store::schema::email_hash(&email)),
        id: uuid::Uuid::now_v7().to_string(),
        kind: "registration".into(),
        region: "saguenay-lac-saint-jean".into(),
        submitted_at: at.clone(),
        status: "new".into(),
        language: "en".into(),
        consent_version: "2026-11-23".into(),
        consent_at: at,
        expires_at: None,
        idempotency_key: format!("{:032x}", uuid::Uuid::new_v4().as_u128()),
        answers_hash: None,
        values,
    }
}

async fn write(
    client: &Client,
    store: &DynamoStore,
    table: &str,
    op: Op,
    record: Record,
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    match op {
        Op::Put => client
            .put_item()
            .table_name(table)
            .set_item(Some(item(&record)))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| err(&aws_sdk_dynamodb::error::DisplayErrorContext(e))),
        Op::Transact => {
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let marker = HashMap::from([
                (PARTITION_KEY.to_string(), s(&record.region)),
                (
                    SORT_KEY.to_string(),
                    s(&schema::idempotency_entry(
                        &record.kind,
                        &record.idempotency_key,
                    )),
                ),
                ("kind".to_string(), s("idempotency")),
                ("submission_id".to_string(), s(&record.id)),
                (
                    schema::TTL_ATTRIBUTE.to_string(),
                    AttributeValue::N((now + IDEMPOTENCY_WINDOW_SECS).to_string()),
                ),
            ]);
            let put_marker = Put::builder()
                .table_name(table)
                .set_item(Some(marker))
                .condition_expression("attribute_not_exists(#entry) OR #expires < :now")
                .expression_attribute_names("#entry", SORT_KEY)
                .expression_attribute_names("#expires", schema::TTL_ATTRIBUTE)
                .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
                .build()
                .map_err(|e| err(&e))?;
            let put_record = Put::builder()
                .table_name(table)
                .set_item(Some(item(&record)))
                .condition_expression("attribute_not_exists(#entry)")
                .expression_attribute_names("#entry", SORT_KEY)
                .build()
                .map_err(|e| err(&e))?;
            client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().put(put_marker).build())
                .transact_items(TransactWriteItem::builder().put(put_record).build())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| err(&aws_sdk_dynamodb::error::DisplayErrorContext(e)))
        }
        Op::Store => match store.put(record).await {
            Ok(eclaireurs_function::store::Stored::New(_)) => Ok(()),
            Ok(other) => Err(format!("not stored as new: {other:?}")),
            Err(e) => Err(e.to_string()),
        },
    }
}

struct TaskResult {
    latencies: Vec<u64>,
    ok_total: u64,
    errors: u64,
    first_error: Option<String>,
    last_done: Option<Instant>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Arc::new(Args::parse());
    let client = client().await;
    let store = Arc::new(DynamoStore::new(client.clone(), args.table.clone()));
    let run = Arc::new(run_tag());
    let op_name = match args.op {
        Op::Put => "PutItem",
        Op::Transact => "TransactWriteItems (marker + item)",
        Op::Store => "DynamoStore::put",
    };
    eprintln!(
        "dynamo-direct [{}]: {op_name}, {} task(s), {:.1} s warm-up + {:.1} s measured",
        args.label, args.concurrency, args.warmup, args.duration
    );
    let begin = Instant::now();
    let measure_from = begin + Duration::from_secs_f64(args.warmup);
    let end = measure_from + Duration::from_secs_f64(args.duration);
    let cpu_at_measure = tokio::spawn(async move {
        tokio::time::sleep_until(measure_from.into()).await;
        own_cpu_seconds()
    });
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|index| {
            let (args, client, store, run) =
                (args.clone(), client.clone(), store.clone(), run.clone());
            tokio::spawn(async move {
                let mut r = TaskResult {
                    latencies: Vec::new(),
                    ok_total: 0,
                    errors: 0,
                    first_error: None,
                    last_done: None,
                };
                let mut seq = 0;
                loop {
                    let start = Instant::now();
                    if start >= end {
                        break;
                    }
                    seq += 1;
                    let record = record(&run, index, seq);
                    let outcome = write(&client, &store, &args.table, args.op, record).await;
                    let done = Instant::now();
                    let measured = start >= measure_from;
                    match outcome {
                        Ok(()) => {
                            r.ok_total += 1;
                            if measured {
                                r.latencies.push(nanos(done - start));
                            }
                        }
                        Err(e) => {
                            r.errors += u64::from(measured);
                            r.first_error.get_or_insert(e);
                        }
                    }
                    if measured {
                        r.last_done = Some(done);
                    }
                }
                r
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let (mut errors, mut ok_total, mut first_error, mut last_done) = (0, 0, None, measure_from);
    for task in tasks {
        let r = task.await?;
        latencies.extend(r.latencies);
        errors += r.errors;
        ok_total += r.ok_total;
        if first_error.is_none() {
            first_error = r.first_error;
        }
        if let Some(done) = r.last_done {
            last_done = last_done.max(done);
        }
    }
    let cpu = own_cpu_seconds() - cpu_at_measure.await.unwrap_or(0.0);
    let window = (last_done - measure_from).as_secs_f64().max(1e-9);
    if let Some(path) = &args.samples {
        eclaireurs_bench::write_samples(path, &latencies)?;
    }
    let summary = summarize(latencies);
    eprintln!(
        "dynamo-direct [{}]: {} ok ({:.0}/s), {} errors{}, p50 {:.2} ms, p99 {:.2} ms",
        args.label,
        summary.count,
        summary.count as f64 / window,
        errors,
        first_error
            .as_deref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default(),
        summary.p50_ms,
        summary.p99_ms
    );
    print_result(&json!({
        "label": args.label,
        "op": op_name,
        "concurrency": args.concurrency,
        "window_s": window,
        "ok": summary.count,
        "ok_per_s": summary.count as f64 / window,
        "ok_total": ok_total,
        "errors": errors,
        "first_error": first_error,
        "latency": summary.to_json(),
        "client_cpu_s": cpu,
    }));
    Ok(())
}
