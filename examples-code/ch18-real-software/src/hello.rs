//! The service the chapter serves with hyper on every runtime, with the bounds of its
//! connections, and a client that asks it. Nothing here names a runtime: the timer comes in
//! as hyper's `Timer`, the connection as hyper's `Read + Write`.

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::SendRequest;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use std::convert::Infallible;
use std::time::Duration;

// ANCHOR: limits
/// The most a connection's read buffer holds: a request head longer than this gets `431`
/// (hyper's own minimum is 8 KiB; its default is 400 KiB).
pub const MAX_HEAD: usize = 16 * 1024;
/// The largest request body `/echo` reads; a longer one gets `413`.
pub const MAX_BODY: usize = 64 * 1024;
/// How long a client may take to send a whole request head (hyper's default is 30 s).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The settings of every connection: the timer, the header-read timeout, the bound on heads.
pub fn builder<T>(timer: T, header_read_timeout: Duration) -> http1::Builder
where
    T: hyper::rt::Timer + Send + Sync + 'static,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(timer)
        .header_read_timeout(header_read_timeout)
        .max_buf_size(MAX_HEAD);
    builder
}
// ANCHOR_END: limits

// ANCHOR: service
/// `GET /` answers "Hello, world!"; `POST /echo` sends the body back (at most `MAX_BODY`
/// bytes); anything else is `404`.
pub async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let answer = match (request.method(), request.uri().path()) {
        (&Method::GET, "/") => reply(StatusCode::OK, Bytes::from_static(b"Hello, world!\n")),
        (&Method::POST, "/echo") => {
            match Limited::new(request.into_body(), MAX_BODY).collect().await {
                Ok(body) => reply(StatusCode::OK, body.to_bytes()),
                Err(_) => reply(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Bytes::from_static(b"body too large\n"),
                ),
            }
        }
        _ => reply(StatusCode::NOT_FOUND, Bytes::from_static(b"not found\n")),
    };
    Ok(answer)
}

fn reply(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
}

/// Serves one connection with [`hello`] until the client closes it, misbehaves, or is too
/// slow; hyper's error says which.
pub async fn serve_connection<I>(builder: &http1::Builder, io: I) -> Result<(), hyper::Error>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    builder.serve_connection(io, service_fn(hello)).await
}
// ANCHOR_END: service

// ANCHOR: client
/// Sends one request on a connection that hyper's client holds, and returns the answer's
/// status and whole body. It first waits until the connection is ready for a request: the
/// connection's task must have taken the last one off the channel (`send_request` on a
/// busy connection fails with "connection was not ready").
pub async fn ask(
    sender: &mut SendRequest<Full<Bytes>>,
    method: Method,
    path: &str,
    body: &'static [u8],
) -> Result<(StatusCode, Bytes), hyper::Error> {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, "127.0.0.1")
        .body(Full::new(Bytes::from_static(body)))
        .expect("a request made of valid parts");
    sender.ready().await?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}
// ANCHOR_END: client
