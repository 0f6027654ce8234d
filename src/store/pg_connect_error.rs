//! Turns a failed PostgreSQL connect into an error that names the host, port and cause.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};

use super::StoreError;
use crate::net_error::{self, TransportCause};

/// How long the diagnosing connection attempt may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// `err` from connecting the pool, as a [`StoreError::Connect`] naming `host:port/database` and the cause.
///
/// The pool retries refused connections until its timeout and then reports only "pool timed out";
/// one direct connection then says why.
pub(super) async fn explain(opts: &PgConnectOptions, err: sqlx::Error) -> StoreError {
    let target = format!(
        "{}:{}/{}",
        opts.get_host(),
        opts.get_port(),
        opts.get_database().unwrap_or(opts.get_username())
    );
    let err = match err {
        sqlx::Error::PoolTimedOut => {
            match tokio::time::timeout(PROBE_TIMEOUT, opts.connect()).await {
                Ok(Err(e)) => e,
                Ok(Ok(conn)) => {
                    let _ = PgConnection::close(conn).await;
                    return connect(
                        target,
                        "timed out waiting for a connection from the pool".into(),
                    );
                }
                Err(_) => return connect(target, "timed out: the server did not answer".into()),
            }
        }
        other => other,
    };
    let text = net_error::describe(&err, true);
    let detail = match net_error::classify(&err) {
        TransportCause::UntrustedCertificate => format!(
            "{text} (with sslmode=verify-full or verify-ca, sslrootcert must name the CA that signed the server's certificate)"
        ),
        _ => text,
    };
    connect(target, detail)
}

fn connect(target: String, detail: String) -> StoreError {
    StoreError::Connect { target, detail }
}
