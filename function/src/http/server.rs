//! The local HTTP servers, `eclaireurs-function --listen` and `eclaireurs serve`: HTTP/1.1
//! with the limits a server on a network needs and the Lambda path does not (API Gateway
//! hands the function whole requests). A client must send its request headers within
//! [`HEADER_TIMEOUT`] and then its whole body within [`BODY_TIMEOUT`]: otherwise it is
//! disconnected (a body too slow is answered `408` first), so a stalled or slow client holds
//! no connection and no request for long, while every other client is served. A client
//! that leaves its answers unread for [`WRITE_TIMEOUT`] is disconnected too. Every answer is
//! the application's or in its words ([`Refuse`]): a head that is not HTTP or too large
//! included ([`connection`]), and a request naming another host ([`hosts`]).

mod connection;
pub mod hosts;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

use super::request::RequestError;
use crate::catalog::Catalog;
use connection::{Connection, Shared, Verdict};
use hosts::Hosts;

/// How long a client has to send a request's headers, counted from when the server starts
/// waiting for them (a new connection, or the end of the previous answer on a kept-alive one).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client has to send a request's whole body once its headers are in.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the server's writes may make no progress (the client reads none of its
/// answers, the buffers between them full) before it disconnects the client.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest request head (request line and headers): below CloudFront's 20,480 bytes,
/// so what the local servers take the distribution takes too.
pub const MAX_HEAD: usize = 16 * 1024;

/// How long stopping (Ctrl+C) waits for the requests under way.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The limits a server holds its clients to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// [`HEADER_TIMEOUT`].
    pub headers: Duration,
    /// [`BODY_TIMEOUT`].
    pub body: Duration,
    /// [`WRITE_TIMEOUT`].
    pub unread: Duration,
    /// [`MAX_HEAD`].
    pub head: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            headers: HEADER_TIMEOUT,
            body: BODY_TIMEOUT,
            unread: WRITE_TIMEOUT,
            head: MAX_HEAD,
        }
    }
}

/// What happened to a request, for the server's own log. Holds no query string, header or
/// body: nothing a person wrote.
#[derive(Debug)]
pub enum Event<'a> {
    /// A request was answered (`elapsed`: until its answer's headers).
    Answered {
        method: &'a Method,
        path: &'a str,
        status: StatusCode,
        elapsed: Duration,
    },
    /// A client that had started a request did not finish its headers within
    /// [`HEADER_TIMEOUT`]: it was disconnected.
    HeadersTooSlow,
    /// A request head that is not HTTP (`400`), too large (`431`) or with an address too
    /// long (`414`): answered with `status`, and the client disconnected.
    Unreadable { status: StatusCode },
    /// A client left its answers unread for `after` ([`WRITE_TIMEOUT`]): it was
    /// disconnected.
    AnswersNotRead { after: Duration },
}

/// Receives the server's [`Event`]s.
pub type Report = Arc<dyn Fn(Event<'_>) + Send + Sync>;

/// What the server answers itself rather than the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The body did not arrive within [`BODY_TIMEOUT`] (`408`).
    TooSlow,
    /// The request names a host this server does not answer for (`421`).
    Misdirected,
    /// The head is not HTTP (`400`), too large (`431`), or its address too long (`414`).
    Unreadable(StatusCode),
}

impl Refusal {
    fn error(self) -> RequestError {
        match self {
            Refusal::TooSlow => RequestError::TooSlow,
            Refusal::Misdirected => RequestError::Misdirected,
            Refusal::Unreadable(status) => RequestError::Unreadable(status),
        }
    }

    /// Its status.
    pub fn status(self) -> StatusCode {
        self.error().status()
    }

    /// Its code in the API's error shape, whose message is the UI string
    /// `validation.<code>`.
    pub fn code(self) -> &'static str {
        self.error().code()
    }
}

/// Makes the server's own answers, from the request's headers (the language it prefers;
/// none for an unreadable head): [`answer_for`] with the API's catalog, or a caller's own.
pub type Refuse = Arc<dyn Fn(Refusal, &HeaderMap) -> Response + Send + Sync>;

/// The API's answer to a [`Refusal`], in the documented error shape and the language the
/// headers prefer.
pub fn answer_for(catalog: &Catalog, refusal: Refusal, headers: &HeaderMap) -> Response {
    let mut response = refusal.error().answer(catalog, headers);
    // As every answer of the API; a body too slow keeps the one the application gave.
    if refusal != Refusal::TooSlow {
        if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
            response
                .headers_mut()
                .insert(super::request::REQUEST_ID, id);
        }
    }
    response
}

/// Serves `app` on `listener` until `shutdown` completes, then waits (a few seconds at most)
/// for the requests under way. The hosts it answers for are those of the address it
/// listens on ([`Hosts::for_address`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
    report: Report,
    refuse: Refuse,
    limits: Limits,
) {
    let hosts = Arc::new(match listener.local_addr() {
        Ok(address) => Hosts::for_address(address),
        Err(_) => Hosts::Named(vec!["localhost".into(), "127.0.0.1".into()]),
    });
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // the listener itself is fine, try again in a moment.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::new(Shared::default());
        let io = TokioIo::new(Connection::new(
            stream,
            shared.clone(),
            limits.head,
            limits.unread,
        ));
        let service = {
            let app = app.clone();
            let report = report.clone();
            let refuse = refuse.clone();
            let hosts = hosts.clone();
            let shared = shared.clone();
            tower::service_fn(move |request: Request<hyper::body::Incoming>| {
                // Now, in the order hyper hands the requests (see `Shared::next_request`).
                let verdict = shared.next_request();
                let app = app.clone();
                let report = report.clone();
                let refuse = refuse.clone();
                let hosts = hosts.clone();
                let shared = shared.clone();
                async move {
                    let response = match verdict {
                        Verdict::Refuse(status) => {
                            report(Event::Unreadable { status });
                            let mut response =
                                refuse(Refusal::Unreadable(status), &HeaderMap::new());
                            close(&mut response);
                            response
                        }
                        _ if !hosts.allow(&request) => {
                            let start = Instant::now();
                            let response = refuse(Refusal::Misdirected, request.headers());
                            report(Event::Answered {
                                method: request.method(),
                                path: request.uri().path(),
                                status: response.status(),
                                elapsed: start.elapsed(),
                            });
                            response
                        }
                        verdict => {
                            let mut response =
                                answer(app, request, &report, &refuse, limits.body).await;
                            if verdict == Verdict::ServeThenClose {
                                close(&mut response);
                            }
                            response
                        }
                    };
                    // The answer is on its way: bytes from now on start another request.
                    shared.started.store(false, Ordering::Relaxed);
                    Ok::<_, std::convert::Infallible>(response)
                }
            })
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.headers);
        let connection =
            graceful.watch(builder.serve_connection(io, TowerToHyperService::new(service)));
        let report = report.clone();
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                if shared.unread.load(Ordering::Relaxed) {
                    report(Event::AnswersNotRead {
                        after: limits.unread,
                    });
                } else if error.is_timeout() && shared.started.load(Ordering::Relaxed) {
                    // The same timeout closes a kept-alive connection that stays idle: only
                    // one whose client had begun a request is worth telling.
                    report(Event::HeadersTooSlow);
                }
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
}

/// Ends the connection after this answer.
fn close(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
}

/// Runs one request through `app`, its body under `body_limit` ([`BODY_TIMEOUT`]).
async fn answer(
    app: Router,
    request: Request<hyper::body::Incoming>,
    report: &Report,
    refuse: &Refuse,
    body_limit: Duration,
) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let headers = request.headers().clone();
    let too_slow = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        Body::new(Deadline {
            body: Body::new(body),
            sleep: Box::pin(tokio::time::sleep(body_limit)),
            limit: body_limit,
            expired: too_slow.clone(),
        })
    });
    let response = match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let response = if too_slow.load(Ordering::Relaxed) {
        // Whatever the handler made of a body cut short, the client was too slow: say so,
        // and close the connection (what is left of the body is never read). The headers
        // the application gives every answer (its request id, `serve`'s security headers)
        // stay.
        let mut timeout = refuse(Refusal::TooSlow, &headers);
        for (name, value) in response.headers() {
            // What described the handler's own body does not describe this one.
            let about_the_body = [
                header::CONTENT_LENGTH,
                header::CONTENT_TYPE,
                header::CONTENT_ENCODING,
                header::TRANSFER_ENCODING,
                header::LOCATION,
            ]
            .contains(name);
            if !about_the_body && !timeout.headers().contains_key(name) {
                timeout.headers_mut().insert(name.clone(), value.clone());
            }
        }
        close(&mut timeout);
        timeout
    } else {
        response
    };
    report(Event::Answered {
        method: &method,
        path: &path,
        status: response.status(),
        elapsed: start.elapsed(),
    });
    response
}

/// A request body that fails once `limit` ([`BODY_TIMEOUT`]) has passed since its headers,
/// however its bytes trickle in, and says so in `expired`.
struct Deadline {
    body: Body,
    sleep: Pin<Box<tokio::time::Sleep>>,
    limit: Duration,
    expired: Arc<AtomicBool>,
}

impl http_body::Body for Deadline {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.expired.store(true, Ordering::Relaxed);
                Poll::Ready(Some(Err(axum::Error::new(BodyTooSlow(self.limit)))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {} s", .0.as_secs())]
struct BodyTooSlow(Duration);
