//! A client's connection as hyper reads and writes it. Every request head is read here
//! first, whole, and checked as hyper would parse it: one that is not HTTP (`400`), too
//! large (`431`) or whose address is too long (`414`) never reaches hyper, which would
//! answer it itself with a bare answer (no body, none of the application's headers).
//! Hyper gets instead a stand-in request that the server answers in the application's
//! words, then the connection closes. Writes that make no progress for the limit (a client
//! that sends requests and never reads the answers) end the connection.
//!
//! Heads are found by following each message's framing (`Content-Length`); after a head
//! whose body or connection this cannot follow (chunked, `Upgrade`, `CONNECT`), the rest
//! goes to hyper unchecked and the answer to that request closes the connection, so hyper
//! never reads a head that was not checked.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::http::{header, Method, StatusCode, Uri};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

/// As many header lines as hyper takes by default (`max_headers`): a head with more is
/// answered `431` here.
const MAX_HEADERS: usize = 100;

/// Hyper's longest request target (`MAX_URI_LEN`).
const MAX_URI_LEN: usize = u16::MAX as usize - 1;

/// Hyper's longest body (`DecodedLength`'s maximum).
const MAX_BODY_LEN: u64 = u64::MAX - 2;

/// What hyper reads in place of a head refused here: a request of its own, answered by the
/// server (see [`Verdict::Refuse`]), after which the connection closes.
const STAND_IN: &[u8] = b"GET / HTTP/1.1\r\nconnection: close\r\n\r\n";

/// What the connection and the server's answers to it share.
#[derive(Default)]
pub(super) struct Shared {
    /// Whether the client has sent bytes of a request not yet answered.
    pub started: AtomicBool,
    /// Whether the connection ended because the client left its answers unread.
    pub unread: AtomicBool,
    /// How many requests hyper has handed the server (hyper hands them in order, one at a
    /// time: the index of a request is the index of its head).
    requests: AtomicU64,
    heads: Mutex<Heads>,
}

#[derive(Default)]
struct Heads {
    /// How many heads hyper was given.
    given: u64,
    /// The head that stands for a refused one, and the refusal's status.
    refused: Option<(u64, StatusCode)>,
    /// From this head on, what hyper read was not checked.
    unchecked_from: Option<u64>,
}

/// What the server does with a request hyper hands it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Serve,
    /// Serve it, and close the connection after the answer.
    ServeThenClose,
    /// The stand-in for a head refused with this status: answer that.
    Refuse(StatusCode),
}

impl Shared {
    /// The verdict on the next request hyper hands the server.
    pub fn next_request(&self) -> Verdict {
        let index = self.requests.fetch_add(1, Ordering::Relaxed);
        let heads = match self.heads.lock() {
            Ok(heads) => heads,
            Err(poisoned) => poisoned.into_inner(),
        };
        match heads.refused {
            Some((refused, status)) if refused == index => Verdict::Refuse(status),
            _ if heads.unchecked_from.is_some_and(|from| index >= from) => Verdict::ServeThenClose,
            _ => Verdict::Serve,
        }
    }

    fn give_head(&self, unchecked: bool, refused: Option<StatusCode>) {
        let mut heads = match self.heads.lock() {
            Ok(heads) => heads,
            Err(poisoned) => poisoned.into_inner(),
        };
        let index = heads.given;
        heads.given += 1;
        if let Some(status) = refused {
            heads.refused = Some((index, status));
        }
        if unchecked && heads.unchecked_from.is_none() {
            heads.unchecked_from = Some(index);
        }
    }
}

/// What the bytes after those hyper may have are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// A request head, read whole before hyper has any of it.
    Head,
    /// So many bytes of a body.
    Body(u64),
    /// Anything, unchecked.
    Unchecked,
    /// Nothing: the head was refused (`stand_in_given` once hyper has the stand-in).
    Refused { stand_in_given: bool },
}

/// The connection: the client's stream, between it and hyper.
pub(super) struct Connection {
    stream: TcpStream,
    shared: Arc<Shared>,
    max_head: usize,
    write_timeout: Duration,
    /// Bytes from the client hyper has not had; it may have the first `approved`.
    incoming: Vec<u8>,
    approved: usize,
    next: Next,
    eof: bool,
    /// Since when writes have made no progress.
    stall: Option<Pin<Box<Sleep>>>,
}

impl Connection {
    pub fn new(
        stream: TcpStream,
        shared: Arc<Shared>,
        max_head: usize,
        write_timeout: Duration,
    ) -> Connection {
        Connection {
            stream,
            shared,
            max_head,
            write_timeout,
            incoming: Vec::new(),
            approved: 0,
            next: Next::Head,
            eof: false,
            stall: None,
        }
    }

    /// Decides what the bytes at the start of `incoming` are, when it can; `false` when it
    /// needs more of them.
    fn advance(&mut self) -> bool {
        match self.next {
            Next::Refused {
                stand_in_given: false,
            } => {
                self.incoming.clear();
                self.incoming.extend_from_slice(STAND_IN);
                self.approved = STAND_IN.len();
                self.next = Next::Refused {
                    stand_in_given: true,
                };
                true
            }
            // What the client sends after a refused head is never read.
            Next::Refused {
                stand_in_given: true,
            } => false,
            Next::Body(0) => {
                self.next = Next::Head;
                true
            }
            _ if self.incoming.is_empty() => false,
            Next::Body(left) => {
                let n = left.min(self.incoming.len() as u64);
                self.approved = n as usize;
                self.next = Next::Body(left - n);
                true
            }
            Next::Unchecked => {
                self.approved = self.incoming.len();
                true
            }
            Next::Head => match examine(&self.incoming, self.max_head) {
                Examined::Partial if self.eof => {
                    // The client stopped midway: hyper sees the end of it as before.
                    self.approved = self.incoming.len();
                    self.next = Next::Unchecked;
                    true
                }
                Examined::Partial => false,
                Examined::Whole { len, then } => {
                    self.shared.give_head(then == Next::Unchecked, None);
                    self.approved = len;
                    self.next = then;
                    true
                }
                Examined::Refused(status) => {
                    self.shared.give_head(false, Some(status));
                    self.next = Next::Refused {
                        stand_in_given: false,
                    };
                    true
                }
            },
        }
    }

    /// The client's last bytes, read and dropped before closing after a refused head: a
    /// connection closed with unread bytes is reset, and a reset can lose the answer on
    /// its way to the client.
    fn drain(&mut self) {
        let mut sink = [0u8; 8192];
        let mut drained = 0usize;
        while drained < 1 << 20 {
            match self.stream.try_read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    }

    /// A write that did not progress: pending until the limit, then an error that ends the
    /// connection.
    fn stalled<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let limit = self.write_timeout;
        let stall = self
            .stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stall.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.shared.unread.store(true, Ordering::Relaxed);
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client did not read its answers in time",
                )))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match polled {
            Poll::Pending => self.stalled(cx),
            ready => {
                self.stall = None;
                ready
            }
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.approved > 0 {
                let n = this.approved.min(buf.remaining());
                buf.put_slice(&this.incoming[..n]);
                this.incoming.drain(..n);
                this.approved -= n;
                return Poll::Ready(Ok(()));
            }
            if this.advance() {
                continue;
            }
            if matches!(this.next, Next::Refused { .. }) {
                return Poll::Pending;
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; 8192];
            let mut read = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut this.stream).poll_read(cx, &mut read))?;
            if read.filled().is_empty() {
                this.eof = true;
            } else {
                this.shared.started.store(true, Ordering::Relaxed);
                this.incoming.extend_from_slice(read.filled());
            }
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.watch(cx, polled)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_flush(cx);
        this.watch(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if matches!(this.next, Next::Refused { .. }) {
            this.drain();
        }
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Examined {
    /// Not whole yet.
    Partial,
    /// A head of `len` bytes, and what follows it.
    Whole { len: usize, then: Next },
    /// A head hyper would refuse, or one over the limit: its status.
    Refused(StatusCode),
}

/// The head at the start of `bytes`, checked as hyper's parser checks it (the same
/// `httparse`, then what hyper's `Server::parse` refuses), `max_head` bytes at most.
fn examine(bytes: &[u8], max_head: usize) -> Examined {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(bytes) {
        Ok(httparse::Status::Partial) if bytes.len() > max_head => {
            // Not even the first line's end: the address is what is too long.
            return Examined::Refused(match bytes.contains(&b'\n') {
                true => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                false => StatusCode::URI_TOO_LONG,
            });
        }
        Ok(httparse::Status::Partial) => return Examined::Partial,
        Ok(httparse::Status::Complete(len)) if len > max_head => {
            return Examined::Refused(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        }
        Ok(httparse::Status::Complete(len)) => len,
        Err(httparse::Error::TooManyHeaders) => {
            return Examined::Refused(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        }
        Err(_) => return Examined::Refused(StatusCode::BAD_REQUEST),
    };
    let bad = Examined::Refused(StatusCode::BAD_REQUEST);
    let (Some(method), Some(path), Some(version)) = (request.method, request.path, request.version)
    else {
        return bad;
    };
    if path.len() > MAX_URI_LEN {
        return Examined::Refused(StatusCode::URI_TOO_LONG);
    }
    let Ok(method) = Method::from_bytes(method.as_bytes()) else {
        return bad;
    };
    if Uri::try_from(path).is_err() {
        return bad;
    }
    let http_11 = version == 1;
    let (mut chunked, mut transfer_encoding, mut upgrade) = (false, false, false);
    let mut length: Option<u64> = None;
    for field in request.headers.iter() {
        if field
            .name
            .eq_ignore_ascii_case(header::TRANSFER_ENCODING.as_str())
        {
            if !http_11 {
                return bad;
            }
            transfer_encoding = true;
            chunked = std::str::from_utf8(field.value).is_ok_and(|value| {
                value
                    .rsplit(',')
                    .next()
                    .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
            });
        } else if field
            .name
            .eq_ignore_ascii_case(header::CONTENT_LENGTH.as_str())
        {
            if transfer_encoding {
                continue;
            }
            let Some(value) = digits(field.value).filter(|&n| n <= MAX_BODY_LEN) else {
                return bad;
            };
            if length.is_some_and(|known| known != value) {
                return bad;
            }
            length = Some(value);
        } else if field.name.eq_ignore_ascii_case(header::UPGRADE.as_str()) {
            upgrade = http_11;
        }
    }
    if transfer_encoding && !chunked {
        return bad;
    }
    let then = if transfer_encoding || upgrade || method == Method::CONNECT {
        Next::Unchecked
    } else {
        Next::Body(length.unwrap_or(0))
    };
    Examined::Whole { len, then }
}

/// A `Content-Length` as hyper reads it: decimal digits only, no sign.
fn digits(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u64, |n, &b| match b {
        b'0'..=b'9' => n.checked_mul(10)?.checked_add(u64::from(b - b'0')),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(head: &str) -> Next {
        match examine(head.as_bytes(), 16 * 1024) {
            Examined::Whole { len, then } => {
                assert_eq!(len, head.find("\r\n\r\n").expect("end") + 4);
                then
            }
            other => panic!("{head:?}: {other:?}"),
        }
    }

    fn refused(head: &[u8]) -> StatusCode {
        match examine(head, 16 * 1024) {
            Examined::Refused(status) => status,
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(head)),
        }
    }

    #[test]
    fn a_head_s_framing_is_its_content_length_and_what_cannot_be_followed_is_unchecked() {
        assert_eq!(whole("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), Next::Body(0));
        assert_eq!(
            whole("POST /api/x HTTP/1.1\r\nContent-Length: 12\r\n\r\nbody"),
            Next::Body(12)
        );
        assert_eq!(
            whole("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n"),
            Next::Body(3)
        );
        assert_eq!(
            whole("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            Next::Unchecked
        );
        assert_eq!(
            whole("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"),
            Next::Unchecked
        );
        assert_eq!(
            examine(b"GET / HTTP/1.1\r\nHost: a\r\n", 16 * 1024),
            Examined::Partial
        );
    }

    #[test]
    fn heads_hyper_would_refuse_are_refused_with_its_status() {
        assert_eq!(refused(b"GARBAGE\r\n\r\n"), StatusCode::BAD_REQUEST);
        assert_eq!(refused(b"GET / HTTP/9.9\r\n\r\n"), StatusCode::BAD_REQUEST);
        assert_eq!(
            refused(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n"),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\n"),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            refused(b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            refused(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
            StatusCode::BAD_REQUEST
        );
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..=MAX_HEADERS {
            many.extend_from_slice(format!("X-{i}: a\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(refused(&many), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        let mut large = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
        large.extend(std::iter::repeat_n(b'a', 20_000));
        assert_eq!(refused(&large), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        let mut long = b"GET /".to_vec();
        long.extend(std::iter::repeat_n(b'a', 20_000));
        assert_eq!(refused(&long), StatusCode::URI_TOO_LONG);
    }
}
