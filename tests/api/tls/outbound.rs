//! Outbound HTTPS as a company needs it: Dropbox (the emulator) behind a private CA trusted through
//! `dropbox.ca_bundle`, `HTTPS_PROXY` / `NO_PROXY`, and transport failures that name their cause
//! and never blame the credentials. PostgreSQL over TLS is in `postgres.rs`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dropbox_scim_bridge::dropbox::{
    ClientConfig, Credentials, DropboxClient, ErrorKind, RetryPolicy,
};
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A private CA and a `localhost`/`127.0.0.1` server certificate signed by it.
struct Pki {
    ca_pem: String,
    server: rustls::ServerConfig,
}

fn new_ca() -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().expect("CA key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "scim-bridge test CA");
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    (params.self_signed(&key).expect("CA cert"), key)
}

fn pki() -> Pki {
    let (ca, ca_key) = new_ca();
    let key = KeyPair::generate().expect("server key");
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let cert = CertificateParams::new(names)
        .expect("server params")
        .signed_by(&key, &ca, &ca_key)
        .expect("server cert");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(cert.der().to_vec())], key)
        .expect("server TLS config");
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Pki {
        ca_pem: ca.pem(),
        server,
    }
}

/// Serves the emulator's router over HTTPS on 127.0.0.1; returns `https://localhost:PORT`.
async fn spawn_https_emulator(emulator: &Emulator, tls: rustls::ServerConfig) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let router = emulator.router();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, router) = (acceptor.clone(), router.clone());
            tokio::spawn(async move {
                // A client that does not trust us ends the handshake: nothing to serve.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper_util::service::TowerToHyperService::new(router);
                let io = hyper_util::rt::TokioIo::new(tls);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    format!("https://localhost:{port}")
}

/// A minimal HTTP `CONNECT` proxy; returns its URL and the targets it tunnelled to.
async fn spawn_connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                while !head.ends_with(b"\r\n\r\n") {
                    match client.read_u8().await {
                        Ok(b) => head.push(b),
                        Err(_) => return,
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let mut words = head.split_whitespace();
                let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
                    let _ = client.write_all(b"HTTP/1.1 405 Only CONNECT\r\n\r\n").await;
                    return;
                };
                log.lock().expect("log").push(target.to_owned());
                let Ok(mut upstream) = TcpStream::connect(target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                let ok = b"HTTP/1.1 200 Connection Established\r\n\r\n";
                if client.write_all(ok).await.is_ok() {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    (format!("http://{addr}"), seen)
}

/// A client of `base` with the emulator's refresh-token credentials (both endpoints go over TLS).
fn client(base: &str, ca_bundle: Option<&Path>) -> DropboxClient {
    let emu = EmulatorConfig::default();
    let mut config = ClientConfig::new(Credentials::Refresh {
        app_key: emu.app_key,
        app_secret: emu.app_secret.into(),
        refresh_token: emu.refresh_token.into(),
    });
    config.base_url = base.to_owned();
    config.timeout = Duration::from_secs(10);
    config.retry = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
        max_retry_wait: Duration::from_secs(1),
    };
    config.ca_bundle = ca_bundle.map(Path::to_path_buf);
    DropboxClient::new(config).expect("client")
}

fn write_temp(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[tokio::test]
async fn https_to_a_private_ca_works_with_the_ca_bundle() {
    let pki = pki();
    let emulator = Emulator::new(EmulatorConfig::default());
    let base = spawn_https_emulator(&emulator, pki.server).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = write_temp(&dir, "corp-ca.pem", &pki.ca_pem);

    let info = client(&base, Some(&bundle)).team_get_info().await;

    let info = info.expect("trusted through dropbox.ca_bundle");
    assert_eq!(info.name, EmulatorConfig::default().team_name);
}

#[tokio::test]
async fn https_to_a_private_ca_without_the_bundle_says_the_certificate_is_not_trusted() {
    let pki = pki();
    let emulator = Emulator::new(EmulatorConfig::default());
    let base = spawn_https_emulator(&emulator, pki.server).await;

    let err = client(&base, None)
        .team_get_info()
        .await
        .expect_err("untrusted");

    assert!(matches!(err.kind, ErrorKind::Transport(_)), "{err}");
    assert!(!err.is_credentials_refused());
    let text = err.to_string();
    assert!(text.contains("TLS certificate not trusted"), "{text}");
    assert!(text.contains("dropbox.ca_bundle"), "{text}");
}

#[tokio::test]
async fn a_refused_connection_is_named_and_is_not_a_credentials_problem() {
    let port = crate::helpers::ports::free_port();

    let err = client(&format!("http://127.0.0.1:{port}"), None)
        .team_get_info()
        .await;

    let text = err.expect_err("nothing listens").to_string();
    assert!(text.contains("connection refused"), "{text}");
    assert!(!text.contains("credentials"), "{text}");
}

/// Runs `dropbox-scim-bridge check` against the HTTPS emulator, configured by environment only.
async fn check(base: &str, bundle: Option<&Path>, env: &[(&str, &str)], token: &str) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_dropbox-scim-bridge"));
    cmd.arg("check")
        .env_clear()
        .env("SCIM_BRIDGE_DROPBOX__BASE_URL", base)
        .env("SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN", token)
        .env(
            "SCIM_BRIDGE_STORE__URL",
            format!("sqlite://{}?mode=rwc", dir.path().join("b.db").display()),
        )
        .env("SCIM_BRIDGE_TOKEN", "a-test-idp-token-that-is-long-enough")
        .envs(env.iter().copied());
    if let Some(path) = bundle {
        cmd.env("SCIM_BRIDGE_DROPBOX__CA_BUNDLE", path);
    }
    cmd.output().await.expect("the binary runs")
}

fn admin_calls(emulator: &Emulator) -> u64 {
    emulator
        .stats()
        .get("token/get_authenticated_admin")
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn the_binary_honours_https_proxy_and_no_proxy() {
    let pki = pki();
    let emulator = Emulator::new(EmulatorConfig::default());
    let base = spawn_https_emulator(&emulator, pki.server).await;
    let (proxy, seen) = spawn_connect_proxy().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = write_temp(&dir, "corp-ca.pem", &pki.ca_pem);
    let token = emulator.issue_token_all();
    let host = base.trim_start_matches("https://");

    let out = check(&base, Some(&bundle), &[("HTTPS_PROXY", &proxy)], &token).await;

    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // `check` makes several Dropbox calls (one per scope); every tunnel goes to the Dropbox host.
    let tunnels = seen.lock().expect("log").clone();
    assert!(!tunnels.is_empty(), "{text}");
    assert!(tunnels.iter().all(|t| t == host), "{tunnels:?}\n{text}");
    assert_eq!(admin_calls(&emulator), 1, "{text}");
    assert!(!text.contains("could not reach Dropbox"), "{text}");

    let env = [("HTTPS_PROXY", proxy.as_str()), ("NO_PROXY", "localhost")];
    let out = check(&base, Some(&bundle), &env, &token).await;

    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        seen.lock().expect("log").len(),
        tunnels.len(),
        "NO_PROXY bypasses the proxy: {text}"
    );
    assert_eq!(admin_calls(&emulator), 2, "{text}");
}

#[tokio::test]
async fn the_binary_names_an_untrusted_certificate_and_never_blames_the_credentials() {
    let pki = pki();
    let emulator = Emulator::new(EmulatorConfig::default());
    let base = spawn_https_emulator(&emulator, pki.server).await;

    let out = check(&base, None, &[], &emulator.issue_token_all()).await;

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("TLS certificate not trusted"), "{stderr}");
    assert!(!stderr.contains("refused the credentials"), "{stderr}");
    assert_eq!(admin_calls(&emulator), 0);
}
