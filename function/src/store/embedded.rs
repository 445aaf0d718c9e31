//! The embedded store: one JSON Lines file per form in `DATA_DIR`, readable with any text
//! editor. A single writer thread appends and commits concurrent submissions together, with
//! one `fdatasync` per batch, and answers each only after its batch is on disk.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, Write};
use std::path::{Path, PathBuf};

use tokio::sync::{mpsc, oneshot};

use super::{repeat, retry_window, unix_secs, Record, StoreError, Stored};

const MAX_BATCH: usize = 512;

type Reply = oneshot::Sender<Result<Stored, StoreError>>;

struct Job {
    record: Record,
    /// Only the key is kept, in memory, never the line (a trapped bot's submission).
    decoy: bool,
    reply: Reply,
}

pub struct EmbeddedStore {
    dir: PathBuf,
    jobs: mpsc::Sender<Job>,
    /// Held (shared) while the store is open, so a privacy deletion, which rewrites the
    /// files, cannot run under a server that appends to them.
    _lock: File,
}

/// The lock file of a data folder.
const LOCK_FILE: &str = ".lock";

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot use the data folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: this line is not a stored submission ({message}); the file was edited by hand?")]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error(
        "the data folder {0} is in use by a running server (eclaireurs serve or \
         eclaireurs-function): stop it, then run this again"
    )]
    InUse(PathBuf),
    #[error("the data folder {0} is being rewritten by a privacy deletion: try again in a moment")]
    Rewriting(PathBuf),
}

fn lock_file(dir: &Path) -> Result<File, OpenError> {
    let path = dir.join(LOCK_FILE);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| OpenError::Io { path, source })
}

impl EmbeddedStore {
    /// Opens (or creates) the store in `dir`, reading what is there to know the idempotency
    /// keys already used. A last line cut short by a crash is removed: it was never
    /// acknowledged.
    pub fn open(dir: &Path, kinds: &[&str]) -> Result<EmbeddedStore, OpenError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| OpenError::Io { path, source }
        };
        fs::create_dir_all(dir).map_err(io(dir))?;
        let lock = lock_file(dir)?;
        match lock.try_lock_shared() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(OpenError::Rewriting(dir.to_path_buf()))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(dir)(e)),
        }
        let mut files = HashMap::new();
        let mut seen = HashMap::new();
        for kind in kinds {
            files.insert(kind.to_string(), open_file(dir, kind, &mut seen)?);
        }
        let (jobs, receiver) = mpsc::channel(4096);
        let writer = Writer {
            dir: dir.to_path_buf(),
            files,
            seen,
        };
        std::thread::Builder::new()
            .name("embedded-store".into())
            .spawn(move || writer.run(receiver))
            .map_err(io(dir))?;
        Ok(EmbeddedStore {
            dir: dir.to_path_buf(),
            jobs,
            _lock: lock,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub async fn put(&self, record: Record) -> Result<Stored, StoreError> {
        self.send(record, false).await
    }

    /// Remembers a decoy's key for the window, in memory only (see [`super::Store::put_decoy`]).
    pub async fn put_decoy(&self, record: Record) -> Result<Stored, StoreError> {
        self.send(record, true).await
    }

    async fn send(&self, record: Record, decoy: bool) -> Result<Stored, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job {
                record,
                decoy,
                reply,
            })
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?
    }

    /// Whether submissions can be stored now: the writer runs, and a probe written to the
    /// data folder reaches the disk (so a full disk, a folder gone or made read-only, or a
    /// file size limit, which make every write fail, are reported).
    pub async fn health(&self) -> Result<(), StoreError> {
        if self.jobs.is_closed() {
            return Err(StoreError::Unavailable("the writer has stopped".into()));
        }
        let dir = self.dir.clone();
        match tokio::task::spawn_blocking(move || write_probe(&dir)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(StoreError::Unavailable(format!(
                "cannot write in the data folder: {error}"
            ))),
            Err(error) => Err(StoreError::Unavailable(format!(
                "the write probe stopped: {error}"
            ))),
        }
    }
}

/// As much as one disk block: a new file, so its space is taken from what is free (as the
/// next line of a store file would be), then removed. Not synced: the file system reserves
/// the space at the write itself (a full disk, a size limit or a read-only folder fail
/// there), and a sync would make every health check wait for the disk.
const PROBE_SIZE: usize = 4096;

fn write_probe(dir: &Path) -> std::io::Result<()> {
    let mut probe = tempfile::Builder::new()
        .prefix(".health-")
        .tempfile_in(dir)?;
    probe.write_all(&[0u8; PROBE_SIZE])?;
    probe.close()
}

/// Every submission stored in `dir` for these forms, oldest first within each form. A last
/// line cut short by a crash (never acknowledged) is left out. Reading needs no lock: the
/// server only appends whole lines.
pub fn read_all(dir: &Path, kinds: &[&str]) -> Result<Vec<Record>, OpenError> {
    let mut records = Vec::new();
    for kind in kinds {
        let Some((path, text)) = read_file(dir, kind)? else {
            continue;
        };
        records.extend(
            parse_lines(&path, &text)?
                .into_iter()
                .map(|(record, _)| record),
        );
    }
    Ok(records)
}

/// A form's file and its text; `None` if nothing was ever stored for the form.
fn read_file(dir: &Path, kind: &str) -> Result<Option<(PathBuf, String)>, OpenError> {
    let path = dir.join(format!("{kind}.jsonl"));
    match fs::read_to_string(&path) {
        Ok(text) => Ok(Some((path, text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(OpenError::Io { path, source }),
    }
}

/// The complete lines of a store file, each with its text.
fn parse_lines<'a>(path: &Path, text: &'a str) -> Result<Vec<(Record, &'a str)>, OpenError> {
    let mut records = Vec::new();
    for (number, line) in text.split_inclusive('\n').enumerate() {
        if !line.ends_with('\n') {
            break;
        }
        let record = serde_json::from_str(line).map_err(|e| OpenError::Corrupt {
            path: path.to_path_buf(),
            line: number + 1,
            message: e.to_string(),
        })?;
        records.push((record, line));
    }
    Ok(records)
}

/// Removes the submissions with these ids from the store's files, each file rewritten
/// atomically (a new file synced, then renamed over the old one), so a crash leaves either
/// the old file or the new one, and every other line exactly as it was. Refused while a
/// server has the store open. Returns how many submissions were removed.
pub fn delete(dir: &Path, kinds: &[&str], ids: &HashSet<String>) -> Result<usize, OpenError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OpenError::Io { path, source }
    };
    let lock = lock_file(dir)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Err(OpenError::InUse(dir.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => return Err(io(dir)(e)),
    }
    let mut removed = 0;
    for kind in kinds {
        let Some((path, text)) = read_file(dir, kind)? else {
            continue;
        };
        let lines = parse_lines(&path, &text)?;
        let kept: String = lines
            .iter()
            .filter(|(record, _)| !ids.contains(&record.id))
            .map(|(_, line)| *line)
            .collect();
        let gone = lines.len() - lines.iter().filter(|(r, _)| !ids.contains(&r.id)).count();
        if gone == 0 {
            continue;
        }
        let staged = dir.join(format!(".{kind}.jsonl.rewrite"));
        let mut file = File::create(&staged).map_err(io(&staged))?;
        file.write_all(kept.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io(&staged))?;
        fs::rename(&staged, &path).map_err(io(&path))?;
        // The rename itself is durable once the folder is synced.
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io(dir))?;
        removed += gone;
    }
    Ok(removed)
}

/// (Form, idempotency key) → what a repeat of the key is answered.
type Seen = HashMap<(String, String), SeenKey>;

struct SeenKey {
    id: String,
    /// When it was stored (seconds since 1970).
    at: i64,
    /// How long its repeats are retries ([`Record::retry_window`]).
    window: i64,
    answers_hash: Option<String>,
}

impl SeenKey {
    /// Whether a repeat at `now` is still a retry of it.
    fn holds_at(&self, now: i64) -> bool {
        now - self.at < self.window
    }
}

/// What opening the store needs of each stored line; the answers are skipped unread.
#[derive(serde::Deserialize)]
struct StoredKey {
    id: String,
    kind: String,
    submitted_at: String,
    idempotency_key: String,
    #[serde(default)]
    answers_hash: Option<String>,
}

/// Opens (or creates) the file of a form, reading its idempotency keys into `seen`.
fn open_file(dir: &Path, kind: &str, seen: &mut Seen) -> Result<(PathBuf, File), OpenError> {
    let path = dir.join(format!("{kind}.jsonl"));
    let io = |source| OpenError::Io {
        path: path.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(&path)
        .map_err(io)?;
    let good_len = read_existing(&path, &file, seen)?;
    if good_len < file.metadata().map_err(io)?.len() {
        file.set_len(good_len).map_err(io)?;
        file.sync_data().map_err(io)?;
    }
    file.seek(std::io::SeekFrom::End(0)).map_err(io)?;
    Ok((path, file))
}

/// Reads a store file, returning the length of its well-formed part.
fn read_existing(path: &Path, file: &File, seen: &mut Seen) -> Result<u64, OpenError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut reader = BufReader::new(file);
    let mut good = 0u64;
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .map_err(|source| OpenError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        if read == 0 {
            return Ok(good);
        }
        number += 1;
        if !line.ends_with('\n') {
            // Cut short by a crash before it was synced and acknowledged.
            return Ok(good);
        }
        let stored: StoredKey = serde_json::from_str(&line).map_err(|e| OpenError::Corrupt {
            path: path.to_path_buf(),
            line: number,
            message: e.to_string(),
        })?;
        let window = retry_window(&stored.idempotency_key, stored.answers_hash.as_deref());
        let key = SeenKey {
            id: stored.id,
            at: unix_secs(&stored.submitted_at),
            window,
            answers_hash: stored.answers_hash,
        };
        // Older submissions cannot be retried any more: no need to remember them.
        if key.holds_at(now) {
            seen.insert((stored.kind, stored.idempotency_key), key);
        }
        good += read as u64;
    }
}

struct Writer {
    dir: PathBuf,
    files: HashMap<String, (PathBuf, File)>,
    seen: Seen,
}

impl Writer {
    fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        let mut batches = 0u32;
        while let Some(first) = jobs.blocking_recv() {
            batches = batches.wrapping_add(1);
            if batches.is_multiple_of(4096) {
                // Keys past the idempotency window are never matched again: forget them, so
                // a long-running server's memory stays bounded.
                let now = time::OffsetDateTime::now_utc().unix_timestamp();
                self.seen.retain(|_, seen| seen.holds_at(now));
            }
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            self.commit(batch);
        }
    }

    /// Writes a batch, syncs each file once, then answers every job of the batch.
    fn commit(&mut self, batch: Vec<Job>) {
        let mut lines: HashMap<String, Vec<u8>> = HashMap::new();
        // Each answer, with the file it waits on when it is a new line.
        let mut answers: Vec<(Reply, Result<Stored, StoreError>, Option<String>)> =
            Vec::with_capacity(batch.len());
        let mut added = Vec::new();
        for job in batch {
            let record = job.record;
            if !self.files.contains_key(&record.kind) {
                // A form of a catalog newer than the store's start (its id keeps the
                // catalog's rules, so it is a plain file name).
                match open_file(&self.dir, &record.kind, &mut self.seen) {
                    Ok(file) => {
                        self.files.insert(record.kind.clone(), file);
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "embedded store: cannot open a form's file")
                    }
                }
            }
            let key = (record.kind.clone(), record.idempotency_key.clone());
            let now = record.received_secs();
            if let Some(seen) = self.seen.get(&key) {
                // Past its window the same key is a new submission, stored again.
                if seen.holds_at(now) {
                    let answer = repeat(
                        &seen.id,
                        seen.answers_hash.as_deref(),
                        record.answers_hash.as_deref(),
                    );
                    // A retry of a submission of this very batch shares its fate.
                    let pending = added.iter().any(|(k, _)| k == &key).then(|| key.0.clone());
                    answers.push((job.reply, Ok(answer), pending));
                    continue;
                }
            }
            let seen = SeenKey {
                id: record.id.clone(),
                at: now,
                window: record.retry_window(),
                answers_hash: record.answers_hash.clone(),
            };
            if job.decoy {
                self.seen.insert(key, seen);
                answers.push((job.reply, Ok(Stored::New(record.id)), None));
                continue;
            }
            if !self.files.contains_key(&record.kind) {
                let error = StoreError::Unavailable(format!("no file for {}", record.kind));
                answers.push((job.reply, Err(error), None));
                continue;
            }
            match serde_json::to_vec(&record) {
                Ok(mut line) => {
                    line.push(b'\n');
                    lines.entry(record.kind.clone()).or_default().extend(line);
                    self.seen.insert(key.clone(), seen);
                    added.push((key, record.kind.clone()));
                    answers.push((job.reply, Ok(Stored::New(record.id)), Some(record.kind)));
                }
                Err(e) => {
                    answers.push((job.reply, Err(StoreError::Unavailable(e.to_string())), None))
                }
            }
        }
        let mut failed = Vec::new();
        for (kind, bytes) in &lines {
            let Some((path, file)) = self.files.get_mut(kind) else {
                continue;
            };
            let before = file.metadata().map(|m| m.len()).ok();
            let result = file.write_all(bytes).and_then(|()| file.sync_data());
            if let Err(e) = result {
                // Leave no half-written line behind, so the file stays readable.
                if let Some(len) = before {
                    let _ = file.set_len(len);
                }
                tracing::error!(file = %path.display(), error = %e, "embedded store write failed");
                failed.push(kind.clone());
            }
        }
        for (key, kind) in added {
            if failed.contains(&kind) {
                self.seen.remove(&key);
            }
        }
        for (reply, answer, file) in answers {
            let answer = match file {
                Some(kind) if failed.contains(&kind) => Err(StoreError::Unavailable(
                    "the write did not reach the disk".into(),
                )),
                _ => answer,
            };
            // The client may have gone; its submission is stored all the same.
            let _ = reply.send(answer);
        }
    }
}
