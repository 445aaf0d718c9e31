//! Shared pieces of the function benchmark's binaries: latency summaries, the submissions
//! they send, and the machine-readable result line the driver (`bench/function-bench`) reads.
//!
//! Every binary prints human-readable progress on stderr and, last, one line on stdout:
//! `RESULT {json}`.

use std::time::Duration;

use serde_json::{json, Value};

/// Latency figures of a run, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub count: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Summarizes latencies given in nanoseconds.
pub fn summarize(mut nanos: Vec<u64>) -> Summary {
    nanos.sort_unstable();
    let ms = |n: u64| n as f64 / 1e6;
    let count = nanos.len();
    let mean = if count == 0 {
        0.0
    } else {
        nanos.iter().map(|&n| n as f64).sum::<f64>() / count as f64 / 1e6
    };
    Summary {
        count,
        p50_ms: ms(percentile(&nanos, 50.0)),
        p90_ms: ms(percentile(&nanos, 90.0)),
        p99_ms: ms(percentile(&nanos, 99.0)),
        max_ms: ms(nanos.last().copied().unwrap_or(0)),
        mean_ms: mean,
    }
}

impl Summary {
    pub fn to_json(&self) -> Value {
        json!({
            "count": self.count,
            "p50_ms": self.p50_ms,
            "p90_ms": self.p90_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "mean_ms": self.mean_ms,
        })
    }
}

pub fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// CPU time (user + system, all threads) this process has used so far, in seconds.
pub fn own_cpu_seconds() -> f64 {
    cpu_seconds_of("self").unwrap_or(0.0)
}

/// CPU time of a process from `/proc/<pid>/stat` (Linux; clock ticks of 1/100 s).
pub fn cpu_seconds_of(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of the whole line are 12 and 13 after "pid (comm) state".
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// A tag that makes this run's submissions different from any earlier run's.
pub fn run_tag() -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    // The random tail of a v7 uuid: unique enough between runs, short in keys.
    id[id.len() - 10..].to_string()
}

/// The JSON body of one registration, different for every (run, client, sequence).
pub fn registration_json(run: &str, client: usize, seq: u64) -> String {
    format!(
        concat!(
            r#"{{"region":"saguenay-lac-saint-jean","language":"en","first_name":"Marc","#,
            r#""last_name":"Gagnon","email":"marc.{}.{}.{}@example.ca","municipality":"Alma","#,
            r#""roles":["support"],"consent":true,"website":""}}"#
        ),
        run, client, seq
    )
}

/// The `Idempotency-Key` of one request: 8 to 100 of `[A-Za-z0-9_-]`.
pub fn idempotency_key(run: &str, client: usize, seq: u64) -> String {
    format!("bench-{run}-{client}-{seq}")
}

/// Writes latencies (nanoseconds), one a line, for the driver to pool several runs.
pub fn write_samples(path: &std::path::Path, nanos: &[u64]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for n in nanos {
        writeln!(out, "{n}")?;
    }
    out.flush()
}

/// Prints the result line the driver reads.
pub fn print_result(value: &Value) {
    println!("RESULT {value}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let s = summarize((1..=100).map(|n| n * 1_000_000).collect());
        assert_eq!(s.count, 100);
        assert_eq!(s.p50_ms, 50.0);
        assert_eq!(s.p99_ms, 99.0);
        assert_eq!(s.max_ms, 100.0);
    }

    #[test]
    fn keys_are_valid_idempotency_keys() {
        let key = idempotency_key(&run_tag(), 63, 123_456);
        assert!((8..=100).contains(&key.len()));
        assert!(key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
