//! HTTP load generator for the submission function: N clients, each on its own keep-alive
//! HTTP/1.1 connection, each sending a different registration (its own body and
//! `Idempotency-Key`) as soon as the previous one is answered (closed loop).
//!
//! Requests that *start* during the warm-up are not measured; clients stop starting requests
//! at the end of the measured window. Prints progress on stderr and one `RESULT {json}` line.
//!
//! The HTTP client is a minimal one over a tokio `TcpStream` (request written in one
//! `write_all`, response parsed with `httparse`, body by `Content-Length`): it costs the
//! shared 2 CPUs as little as possible.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use eclaireurs_bench::{
    idempotency_key, nanos, own_cpu_seconds, print_result, registration_json, run_tag, summarize,
};

#[derive(Parser)]
#[command(about = "Closed-loop HTTP load on POST /api/registrations")]
struct Args {
    /// The function's address (HOST:PORT).
    #[arg(long)]
    addr: SocketAddr,
    /// Path to post to.
    #[arg(long, default_value = "/api/registrations")]
    path: String,
    /// Concurrent clients, one keep-alive connection each.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds of warm-up (not measured).
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Seconds measured after the warm-up.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Runtime threads of the load generator (1: a current-thread runtime, so it uses at most
    /// one of the machine's CPUs).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// A name for the result line.
    #[arg(long, default_value = "load")]
    label: String,
    /// Also write every measured latency (nanoseconds, one a line) to this file.
    #[arg(long)]
    samples: Option<std::path::PathBuf>,
}

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

struct Response {
    status: u16,
    body: Vec<u8>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Sends one request and reads its whole answer. The connection stays usable unless the
    /// server said `Connection: close` (then `Err` is never returned, but `closed` is true).
    async fn request(&mut self, request: &[u8]) -> anyhow::Result<(Response, bool)> {
        self.stream.write_all(request).await?;
        self.buf.clear();
        let mut chunk = [0u8; 4096];
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut parsed = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(head_len) = parsed.parse(&self.buf)? {
                let status = parsed.code.unwrap_or(0);
                let mut length = None;
                let mut close = false;
                for h in parsed.headers.iter() {
                    if h.name.eq_ignore_ascii_case("content-length") {
                        length = Some(std::str::from_utf8(h.value)?.trim().parse::<usize>()?);
                    } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                        bail!("chunked answers are not supported by this benchmark client");
                    } else if h.name.eq_ignore_ascii_case("connection")
                        && h.value.eq_ignore_ascii_case(b"close")
                    {
                        close = true;
                    }
                }
                let length = length.context("an answer without Content-Length")?;
                while self.buf.len() < head_len + length {
                    let n = self.stream.read(&mut chunk).await?;
                    if n == 0 {
                        bail!("the server closed the connection mid-answer");
                    }
                    self.buf.extend_from_slice(&chunk[..n]);
                }
                let body = self.buf[head_len..head_len + length].to_vec();
                return Ok((Response { status, body }, close));
            }
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("the server closed the connection");
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

#[derive(Default)]
struct ClientResult {
    latencies: Vec<u64>,
    statuses: BTreeMap<u16, u64>,
    errors: u64,
    first_error: Option<String>,
    ids: Vec<String>,
    /// 201 answers over the whole run, warm-up included (what the store should hold).
    created_total: u64,
    last_done: Option<Instant>,
}

/// The `id` of a `{"id":"...","status":"stored"}` answer.
fn answer_id(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    Some(value.get("id")?.as_str()?.to_string())
}

async fn client(
    args: std::sync::Arc<Args>,
    run: std::sync::Arc<String>,
    index: usize,
    measure_from: Instant,
    end: Instant,
) -> ClientResult {
    let mut result = ClientResult::default();
    let mut conn = match Conn::open(args.addr).await {
        Ok(conn) => Some(conn),
        Err(e) => {
            result.errors += 1;
            result.first_error = Some(format!("connect: {e}"));
            None
        }
    };
    let host = args.addr.to_string();
    let mut request = Vec::with_capacity(1024);
    let mut seq = 0u64;
    loop {
        let start = Instant::now();
        if start >= end {
            break;
        }
        seq += 1;
        let body = registration_json(&run, index, seq);
        let key = idempotency_key(&run, index, seq);
        request.clear();
        request.extend_from_slice(
            format!(
                "POST {} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nAccept: application/json\r\nIdempotency-Key: {key}\r\nContent-Length: {}\r\n\r\n",
                args.path,
                body.len()
            )
            .as_bytes(),
        );
        request.extend_from_slice(body.as_bytes());
        let measured = start >= measure_from;
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match Conn::open(args.addr).await {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    result.errors += u64::from(measured);
                    result.first_error.get_or_insert(format!("connect: {e}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        match c.request(&request).await {
            Ok((response, close)) => {
                let done = Instant::now();
                if close {
                    conn = None;
                }
                if response.status == 201 {
                    result.created_total += 1;
                }
                if measured {
                    result.latencies.push(nanos(done - start));
                    *result.statuses.entry(response.status).or_default() += 1;
                    if response.status == 201 {
                        match answer_id(&response.body) {
                            Some(id) => result.ids.push(id),
                            None => {
                                result.errors += 1;
                                result
                                    .first_error
                                    .get_or_insert("a 201 answer without an id".into());
                            }
                        }
                    }
                    result.last_done = Some(done);
                }
            }
            Err(e) => {
                conn = None;
                if measured {
                    result.errors += 1;
                    result.last_done = Some(Instant::now());
                }
                result.first_error.get_or_insert(format!("{e:#}"));
            }
        }
    }
    result
}

fn main() -> anyhow::Result<()> {
    let args = std::sync::Arc::new(Args::parse());
    let runtime = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()?
    };
    runtime.block_on(run(args))
}

async fn run(args: std::sync::Arc<Args>) -> anyhow::Result<()> {
    let run = std::sync::Arc::new(run_tag());
    eprintln!(
        "function-load [{}]: {} client(s) on http://{}{}, {:.1} s warm-up + {:.1} s measured",
        args.label, args.concurrency, args.addr, args.path, args.warmup, args.duration
    );
    let begin = Instant::now();
    let measure_from = begin + Duration::from_secs_f64(args.warmup);
    let end = measure_from + Duration::from_secs_f64(args.duration);
    let cpu_at_measure = tokio::spawn(async move {
        tokio::time::sleep_until(measure_from.into()).await;
        own_cpu_seconds()
    });
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|i| tokio::spawn(client(args.clone(), run.clone(), i, measure_from, end)))
        .collect();
    let mut latencies = Vec::new();
    let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
    let mut errors = 0;
    let mut first_error = None;
    let mut ids = Vec::new();
    let mut created_total = 0;
    let mut last_done = measure_from;
    for task in tasks {
        let r = task.await?;
        latencies.extend(r.latencies);
        for (status, n) in r.statuses {
            *statuses.entry(status).or_default() += n;
        }
        errors += r.errors;
        if first_error.is_none() {
            first_error = r.first_error;
        }
        ids.extend(r.ids);
        created_total += r.created_total;
        if let Some(done) = r.last_done {
            last_done = last_done.max(done);
        }
    }
    let cpu_end = own_cpu_seconds();
    let cpu_measured = cpu_end - cpu_at_measure.await.unwrap_or(0.0);
    let window = (last_done - measure_from).as_secs_f64().max(1e-9);
    let created = statuses.get(&201).copied().unwrap_or(0);
    let non_201: u64 = statuses
        .iter()
        .filter(|(s, _)| **s != 201)
        .map(|(_, n)| n)
        .sum();
    let distinct: HashSet<&String> = ids.iter().collect();
    let duplicate_ids = ids.len() - distinct.len();
    if let Some(path) = &args.samples {
        eclaireurs_bench::write_samples(path, &latencies)?;
    }
    let summary = summarize(latencies);
    eprintln!(
        "function-load [{}]: {} measured, {} x 201 ({:.0}/s), {} non-201 {:?}, {} errors{}, p50 {:.2} ms, p99 {:.2} ms, {} duplicate ids",
        args.label,
        summary.count,
        created,
        created as f64 / window,
        non_201,
        statuses,
        errors,
        first_error.as_deref().map(|e| format!(" (first: {e})")).unwrap_or_default(),
        summary.p50_ms,
        summary.p99_ms,
        duplicate_ids
    );
    print_result(&json!({
        "label": args.label,
        "concurrency": args.concurrency,
        "window_s": window,
        "created": created,
        "created_per_s": created as f64 / window,
        "requests_per_s": summary.count as f64 / window,
        "non_201": non_201,
        "statuses": statuses.iter().map(|(s, n)| (s.to_string(), *n)).collect::<BTreeMap<_, _>>(),
        "errors": errors,
        "first_error": first_error,
        "duplicate_ids": duplicate_ids,
        "created_total": created_total,
        "latency": summary.to_json(),
        "loadgen_cpu_s": cpu_measured,
    }));
    Ok(())
}
