//! Lines for the person watching a local server's terminal (`serve`, `eclaireurs-function
//! --listen`): one per new submission, one per request. They are written by a thread of
//! their own, so a terminal or a pipe that stops reading never holds up an answer: past
//! [`BACKLOG`] lines waiting, new ones are dropped (and counted in the next line written).

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::OnceLock;

/// Lines waiting to be written before new ones are dropped.
pub const BACKLOG: usize = 1024;

static PRINTER: OnceLock<Option<SyncSender<String>>> = OnceLock::new();
static DROPPED: AtomicU64 = AtomicU64::new(0);

fn printer() -> Option<&'static SyncSender<String>> {
    PRINTER
        .get_or_init(|| {
            let (lines, queue) = sync_channel::<String>(BACKLOG);
            let started = std::thread::Builder::new()
                .name("console".into())
                .spawn(move || {
                    let mut out = std::io::stdout();
                    for line in queue {
                        let dropped = DROPPED.swap(0, Ordering::Relaxed);
                        if dropped > 0 {
                            let _ = writeln!(
                                out,
                                "({dropped} line(s) not shown: the output was not read in time.)"
                            );
                        }
                        // Never a panic if nobody reads the output any more.
                        let _ = writeln!(out, "{line}");
                    }
                });
            started.ok().map(|_| lines)
        })
        .as_ref()
}

/// Writes a line on the standard output, without ever waiting for it.
pub fn line(text: String) {
    match printer().map(|p| p.try_send(text)) {
        Some(Ok(())) => {}
        Some(Err(TrySendError::Full(_))) | Some(Err(TrySendError::Disconnected(_))) | None => {
            DROPPED.fetch_add(1, Ordering::Relaxed);
        }
    }
}
