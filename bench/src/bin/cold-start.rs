//! Cold start of the function: from just before `spawn` of `eclaireurs-function --listen ADDR`
//! to the end of the first answered `GET /api/health`, found by a connect-retry loop (a
//! refused connection is retried after `--poll-us` microseconds; once connected, the request
//! waits in the listen backlog until the server answers it).
//!
//! Each run gets a fresh `DATA_DIR` under `--data-base` (or the same `--data-dir`, to measure
//! a start over an existing store). The environment is passed on to the function as is.
//! Prints progress on stderr and one `RESULT {json}` line.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use serde_json::json;

use eclaireurs_bench::{nanos, print_result, summarize};

#[derive(Parser)]
#[command(about = "Process start to first answered request of eclaireurs-function")]
struct Args {
    /// The function binary.
    #[arg(long)]
    bin: PathBuf,
    /// Number of starts measured (after one unmeasured start that warms the page cache).
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// Folder under which each run gets a fresh DATA_DIR.
    #[arg(long)]
    data_base: Option<PathBuf>,
    /// Use this DATA_DIR for every run (an existing store) instead of fresh ones.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Microseconds between connection attempts while the port is not yet listening.
    #[arg(long, default_value_t = 100)]
    poll_us: u64,
    /// A name for the result line.
    #[arg(long, default_value = "cold-start")]
    label: String,
}

fn free_addr() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

/// Reads one HTTP answer far enough to know its status (the health answer is tiny).
fn status_of(stream: &mut TcpStream) -> anyhow::Result<u16> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            bail!("closed before answering");
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        if response.parse(&buf)?.is_complete() {
            return Ok(response.code.unwrap_or(0));
        }
    }
}

struct Start {
    connected: Duration,
    answered: Duration,
    attempts: u32,
}

fn one_start(args: &Args, data_dir: &PathBuf) -> anyhow::Result<Start> {
    let addr = free_addr()?;
    let request = format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let t0 = Instant::now();
    let mut child = Command::new(&args.bin)
        .arg("--listen")
        .arg(addr.to_string())
        .env("DATA_DIR", data_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", args.bin.display()))?;
    let mut attempts = 0u32;
    let outcome = (|| -> anyhow::Result<Start> {
        loop {
            attempts += 1;
            match TcpStream::connect(addr) {
                Ok(mut stream) => {
                    let connected = t0.elapsed();
                    stream.set_nodelay(true)?;
                    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
                    stream.write_all(request.as_bytes())?;
                    let status = status_of(&mut stream)?;
                    let answered = t0.elapsed();
                    if status != 200 {
                        bail!("GET /api/health answered {status}");
                    }
                    return Ok(Start {
                        connected,
                        answered,
                        attempts,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    if t0.elapsed() > Duration::from_secs(10) {
                        bail!("not listening 10 s after start");
                    }
                    if let Ok(Some(status)) = child.try_wait() {
                        bail!("the function exited during start-up ({status})");
                    }
                    std::thread::sleep(Duration::from_micros(args.poll_us));
                }
                Err(e) => return Err(e.into()),
            }
        }
    })();
    let _ = child.kill();
    let _ = child.wait();
    outcome
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let base = match (&args.data_dir, &args.data_base) {
        (Some(_), _) => None,
        (None, Some(base)) => Some(base.clone()),
        (None, None) => {
            Some(std::env::temp_dir().join(format!("eclaireurs-cold-start-{}", std::process::id())))
        }
    };
    let dir_for = |i: usize| match (&args.data_dir, &base) {
        (Some(dir), _) => dir.clone(),
        (None, Some(base)) => base.join(format!("run-{i}")),
        _ => unreachable!(),
    };
    eprintln!(
        "cold-start [{}]: {} starts of {} (+1 unmeasured), connect retried every {} µs",
        args.label,
        args.runs,
        args.bin.display(),
        args.poll_us
    );
    one_start(&args, &dir_for(0)).context("the unmeasured first start")?;
    let mut answered = Vec::new();
    let mut connected = Vec::new();
    let mut attempts = Vec::new();
    for i in 1..=args.runs {
        let start = one_start(&args, &dir_for(i))?;
        answered.push(nanos(start.answered));
        connected.push(nanos(start.connected));
        attempts.push(start.attempts);
    }
    if let (None, Some(base)) = (&args.data_dir, &base) {
        let _ = std::fs::remove_dir_all(base);
    }
    let samples_ms: Vec<f64> = answered.iter().map(|n| *n as f64 / 1e6).collect();
    let answered = summarize(answered);
    let connected = summarize(connected);
    let min_ms = samples_ms.iter().copied().fold(f64::INFINITY, f64::min);
    eprintln!(
        "cold-start [{}]: first answer median {:.2} ms (min {:.2}, max {:.2}); first connection accepted median {:.2} ms",
        args.label, answered.p50_ms, min_ms, answered.max_ms, connected.p50_ms
    );
    print_result(&json!({
        "label": args.label,
        "runs": args.runs,
        "answered": answered.to_json(),
        "answered_min_ms": min_ms,
        "connected": connected.to_json(),
        "samples_ms": samples_ms,
        "attempts": attempts,
    }));
    Ok(())
}
