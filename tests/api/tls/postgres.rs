//! PostgreSQL over TLS: `sslmode=require`, `sslmode=verify-full` with `sslrootcert`, a wrong CA, and
//! an unreachable store that names its host and port.
//!
//! The TLS cases need `SCIM_BRIDGE_TEST_POSTGRES_TLS_URL` (written by `.ci/postgres-tls.sh`); without
//! it they print "skipped", except under `CI=true`, where they fail.

use dropbox_scim_bridge::store::{Backend, Store};

/// The verify-full URL from `.ci/postgres-tls.sh`, or `None` (skipped) outside CI.
fn postgres_tls_url() -> Option<url::Url> {
    match std::env::var("SCIM_BRIDGE_TEST_POSTGRES_TLS_URL") {
        Ok(u) if !u.is_empty() => Some(url::Url::parse(&u).expect("a postgres:// URL")),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true needs SCIM_BRIDGE_TEST_POSTGRES_TLS_URL (run .ci/postgres-tls.sh)")
        }
        _ => {
            eprintln!(
                "skipped: SCIM_BRIDGE_TEST_POSTGRES_TLS_URL is not set (see .ci/postgres-tls.sh)"
            );
            None
        }
    }
}

/// `url` with its query replaced by `pairs`.
fn with_query(url: &url::Url, pairs: &[(&str, &str)]) -> String {
    let mut url = url.clone();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.to_string()
}

/// True when the store's session is encrypted, as the server sees it.
async fn session_uses_tls(store: &Store) -> bool {
    let Backend::Postgres(pool) = store.backend() else {
        panic!("a PostgreSQL store");
    };
    sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(pool)
        .await
        .expect("pg_stat_ssl")
}

#[tokio::test]
async fn postgres_verify_full_with_sslrootcert_connects_over_tls() {
    let Some(url) = postgres_tls_url() else {
        return;
    };

    let store = Store::connect(url.as_str())
        .await
        .expect("verify-full connects");

    store.ping().await.expect("ping");
    assert!(session_uses_tls(&store).await);
}

#[tokio::test]
async fn postgres_sslmode_require_connects_over_tls() {
    let Some(url) = postgres_tls_url() else {
        return;
    };

    let store = Store::connect(&with_query(&url, &[("sslmode", "require")]))
        .await
        .expect("require");

    assert!(session_uses_tls(&store).await);
}

#[tokio::test]
async fn postgres_verify_full_with_the_wrong_ca_names_the_certificate() {
    let Some(url) = postgres_tls_url() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong = dir.path().join("other-ca.pem");
    let other = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("cert");
    std::fs::write(&wrong, other.cert.pem()).expect("write");
    let root = wrong.to_str().expect("utf-8 path");

    let err = Store::connect(&with_query(
        &url,
        &[("sslmode", "verify-full"), ("sslrootcert", root)],
    ))
    .await;

    let text = err
        .expect_err("an untrusted server certificate")
        .to_string();
    assert!(text.contains("TLS certificate not trusted"), "{text}");
    assert!(text.contains("sslrootcert"), "{text}");
    assert!(
        text.contains(&format!("127.0.0.1:{}", url.port().expect("port"))),
        "{text}"
    );
}

#[tokio::test]
async fn an_unreachable_store_names_host_and_port_but_not_the_password() {
    let port = crate::helpers::ports::free_port();
    let url = format!("postgres://bridge:s3cret-pw@127.0.0.1:{port}/scim");

    let err = Store::connect(&url).await.expect_err("nothing listens");

    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}/scim")), "{text}");
    assert!(text.contains("connection refused"), "{text}");
    assert!(!text.contains("pool timed out"), "{text}");
    assert!(!text.contains("s3cret-pw"), "{text}");
}
