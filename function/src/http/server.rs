//! The local HTTP servers, `eclaireurs-function --listen` and `eclaireurs serve`: HTTP/1.1
//! with the limits a server on a network needs and the Lambda path does not (API Gateway
//! hands the function whole requests). A client must send its request headers within
//! [`HEADER_TIMEOUT`] and then its whole body within [`BODY_TIMEOUT`]: otherwise it is
//! disconnected (a body too slow is answered `408` first), so a stalled or slow client holds
//! no connection and no request for long, while every other client is served.

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
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// How long a client has to send a request's headers, counted from when the server starts
/// waiting for them (a new connection, or the end of the previous answer on a kept-alive one).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client has to send a request's whole body once its headers are in.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long stopping (Ctrl+C) waits for the requests under way.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

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
}

/// Receives the server's [`Event`]s.
pub type Report = Arc<dyn Fn(Event<'_>) + Send + Sync>;

/// Makes the answer to a request whose body did not arrive within [`BODY_TIMEOUT`], from
/// its headers (the language it prefers): [`super::too_slow`] with the API's catalog.
pub type TooSlow = Arc<dyn Fn(&HeaderMap) -> Response + Send + Sync>;

/// Serves `app` on `listener` until `shutdown` completes, then waits (a few seconds at most)
/// for the requests under way.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
    report: Report,
    too_slow: TooSlow,
) {
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
        let started = Arc::new(AtomicBool::new(false));
        let io = TokioIo::new(Watched {
            stream,
            started: started.clone(),
        });
        let service = {
            let app = app.clone();
            let report = report.clone();
            let too_slow = too_slow.clone();
            let started = started.clone();
            tower::service_fn(move |request: Request<hyper::body::Incoming>| {
                let app = app.clone();
                let report = report.clone();
                let too_slow = too_slow.clone();
                let started = started.clone();
                async move {
                    let response = answer(app, request, &report, &too_slow).await;
                    // The answer is on its way: bytes from now on start another request.
                    started.store(false, Ordering::Relaxed);
                    Ok::<_, std::convert::Infallible>(response)
                }
            })
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT);
        let connection =
            graceful.watch(builder.serve_connection(io, TowerToHyperService::new(service)));
        let report = report.clone();
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                // The same timeout closes a kept-alive connection that stays idle: only one
                // whose client had begun a request is worth telling.
                if error.is_timeout() && started.load(Ordering::Relaxed) {
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

/// Runs one request through `app`, its body under [`BODY_TIMEOUT`].
async fn answer(
    app: Router,
    request: Request<hyper::body::Incoming>,
    report: &Report,
    timeout_answer: &TooSlow,
) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let headers = request.headers().clone();
    let too_slow = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        Body::new(Deadline {
            body: Body::new(body),
            sleep: Box::pin(tokio::time::sleep(BODY_TIMEOUT)),
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
        let mut timeout = timeout_answer(&headers);
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
        timeout
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
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

/// A request body that fails once [`BODY_TIMEOUT`] has passed since its headers, however
/// its bytes trickle in, and says so in `expired`.
struct Deadline {
    body: Body,
    sleep: Pin<Box<tokio::time::Sleep>>,
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
                Poll::Ready(Some(Err(axum::Error::new(BodyTooSlow))))
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
#[error("the request body did not arrive within {} s", BODY_TIMEOUT.as_secs())]
struct BodyTooSlow;

/// The connection, noting when a client sends the first bytes of a request.
struct Watched {
    stream: TcpStream,
    started: Arc<AtomicBool>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.started.store(true, Ordering::Relaxed);
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
