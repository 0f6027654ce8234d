//! The HTTP server: accepts connections with a limit and a back-off on errors, serves each with hyper
//! under a header-read and an idle timeout, and shuts down gracefully.

use super::connections::{Activity, Registry};
use super::parse_errors::ScimParseErrors;
use crate::config::HttpConfig;
use axum::Router;
use axum::body::Body;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// Connection limits and timeouts, from `[http]`.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// Longest wait for a request's headers (hyper's header-read timeout, and the first request's).
    pub header_read_timeout: Duration,
    /// Longest a connection may stay open with no request in flight.
    pub idle_timeout: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
}

impl ServerLimits {
    /// The limits configured under `[http]`.
    pub fn from_config(http: &HttpConfig) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(http.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(http.idle_timeout_secs),
            max_connections: http.max_connections.max(1),
        }
    }
}

const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Serves `router` on `listener` until `stop` resolves, then lets in-flight requests finish.
///
/// At `max_connections` the oldest connection with no request in flight is closed to make room;
/// when every connection is busy, accepting waits (new clients queue in the kernel's backlog).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    stop: impl Future<Output = ()> + Send + 'static,
) {
    let registry = Arc::new(Registry::default());
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (shutdown, shutdown_rx) = watch::channel(false);
    tokio::pin!(stop);
    let mut backoff = FIRST_BACKOFF;
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Typically EMFILE: spinning would only repeat it; waiting lets connections close.
                    tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "accept error");
                    tokio::select! {
                        () = &mut stop => break,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            },
        };
        backoff = FIRST_BACKOFF;
        let permit = match Arc::clone(&slots).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                registry.evict_oldest_idle();
                tokio::select! {
                    () = &mut stop => break,
                    permit = Arc::clone(&slots).acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                }
            }
        };
        let registered = registry.register();
        let (router, shutdown_rx) = (router.clone(), shutdown_rx.clone());
        tokio::spawn(async move {
            let conn = (stream, peer);
            serve_connection(conn, router, &registered.activity, limits, shutdown_rx).await;
            drop(registered);
            drop(permit);
        });
    }
    drop(listener);
    let _ = shutdown.send(true);
    // Every connection holds a slot until it is done: taking them all waits for the last one.
    let _ = slots.acquire_many(limits.max_connections as u32).await;
}

/// Serves one connection until it ends, is idle too long, is evicted, or the server shuts down.
async fn serve_connection(
    (stream, peer): (TcpStream, SocketAddr),
    router: Router,
    activity: &Arc<Activity>,
    limits: ServerLimits,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let service_activity = Arc::clone(activity);
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let in_flight = service_activity.begin();
        let router = router.clone();
        async move {
            let mut req = req.map(Body::new);
            // The peer's address, for the IP allow-list (`ConnectInfo`, as axum's own server does).
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            let Ok(response) = router.oneshot(req).await;
            // The request counts as in flight until hyper drops the body, i.e. has sent it.
            Ok::<_, Infallible>(response.map(|body| {
                Body::new(body.map_frame(move |frame| {
                    let _ = &in_flight;
                    frame
                }))
            }))
        }
    });
    let io = TokioIo::new(ScimParseErrors::new(stream));
    let conn = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(conn);
    let mut draining = false;
    loop {
        // While a request is in flight the connection is not idle: look again one timeout later.
        let deadline = if activity.is_idle() {
            activity.idle_deadline(limits.idle_timeout, limits.header_read_timeout)
        } else {
            tokio::time::Instant::now() + limits.idle_timeout
        };
        let close_now = tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            () = activity.evict.notified(), if !draining => true,
            changed = shutdown.changed(), if !draining => {
                let _ = changed;
                true
            }
            () = tokio::time::sleep_until(deadline), if !draining => {
                activity.is_idle()
                    && activity.idle_deadline(limits.idle_timeout, limits.header_read_timeout)
                        <= tokio::time::Instant::now()
            }
        };
        if close_now {
            if activity.is_idle() {
                // Nothing in flight: closing the socket loses nothing.
                return;
            }
            conn.as_mut().graceful_shutdown();
            draining = true;
        }
    }
}
