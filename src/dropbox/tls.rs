//! The reqwest client behind every Dropbox call: which CAs it trusts, which proxy it uses, and how
//! its transport failures are described.
//!
//! Trusted: the operating system's store, the built-in Mozilla (webpki) roots, and the PEM bundle
//! in `dropbox.ca_bundle` when set (the CA of a TLS-inspecting corporate proxy). Proxies come from
//! `HTTPS_PROXY` / `ALL_PROXY` / `NO_PROXY` (and lower-case forms), read when the client is built.

use std::path::Path;
use std::time::Duration;

use super::BuildError;
use crate::net_error::{self, TransportCause};

/// Builds the HTTP client with `timeout` per request and the extra CAs in `ca_bundle`, if any.
pub(crate) fn http_client(
    timeout: Duration,
    ca_bundle: Option<&Path>,
) -> Result<reqwest::Client, BuildError> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("dropbox-scim-bridge/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_bundle {
        for cert in read_bundle(path)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|e| BuildError(e.to_string()))
}

/// Every certificate in the PEM file at `path`; a file with none is an error.
fn read_bundle(path: &Path) -> Result<Vec<reqwest::Certificate>, BuildError> {
    let shown = path.display();
    let pem = std::fs::read(path)
        .map_err(|e| BuildError(format!("cannot read dropbox.ca_bundle {shown}: {e}")))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| BuildError(format!("dropbox.ca_bundle {shown} is not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(BuildError(format!(
            "dropbox.ca_bundle {shown} holds no PEM certificate"
        )));
    }
    Ok(certs)
}

/// Names what failed (TLS, DNS, refused, timeout, proxy) with the whole source chain, plus the
/// usual fix; never the URL or a body.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let text = net_error::describe(e, false);
    match net_error::classify(e) {
        TransportCause::UntrustedCertificate => format!(
            "{text} (behind a TLS-inspecting proxy, set dropbox.ca_bundle to its CA certificate in PEM)"
        ),
        TransportCause::Proxy => format!("{text} (check HTTPS_PROXY and NO_PROXY)"),
        _ => text,
    }
}
