//! `healthcheck`: GET `/healthz` (or `/readyz`) on the configured listen address and exit 0 or 1, for
//! a container's `HEALTHCHECK` in an image that has no curl.

use crate::config::Config;
use anyhow::{Context, bail};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// The arguments of `healthcheck`.
#[derive(Debug, clap::Args)]
pub struct HealthcheckArgs {
    /// The TOML config file (also SCIM_BRIDGE_CONFIG); its `listen` (or SCIM_BRIDGE_LISTEN) is probed.
    #[arg(long, env = "SCIM_BRIDGE_CONFIG")]
    config: Option<PathBuf>,
    /// Probe `/readyz` (store and Dropbox credentials) instead of `/healthz` (the process answers).
    #[arg(long)]
    ready: bool,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=60))]
    timeout_secs: u64,
}

/// Runs the probe once; `Ok` means a 2xx answer within the timeout.
pub async fn run(args: HealthcheckArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.as_deref())?;
    let url = probe_url(config.listen, args.ready)?;
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(args.timeout_secs))
        .build()
        .context("cannot build the HTTP client")?;
    let response = client
        .get(&url)
        .send()
        .await
        .with_context(|| format!("{url}: no answer"))?;
    let status = response.status();
    if !status.is_success() {
        bail!("{url}: {status}");
    }
    println!("{url}: {status}");
    Ok(())
}

/// The probe's URL for a server bound to `listen`: a wildcard address is reached over loopback.
pub fn probe_url(listen: SocketAddr, ready: bool) -> anyhow::Result<String> {
    if listen.port() == 0 {
        bail!("listen = {listen}: port 0 is chosen at start-up, so there is no port to probe");
    }
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let path = if ready { "readyz" } else { "healthz" };
    Ok(format!(
        "http://{}/{path}",
        SocketAddr::new(ip, listen.port())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(listen: &str, ready: bool) -> String {
        probe_url(listen.parse().expect("address"), ready).expect("url")
    }

    #[test]
    fn wildcard_addresses_are_probed_over_loopback() {
        assert_eq!(url("0.0.0.0:8080", false), "http://127.0.0.1:8080/healthz");
        assert_eq!(url("[::]:8080", true), "http://[::1]:8080/readyz");
        assert_eq!(url("10.1.2.3:9000", false), "http://10.1.2.3:9000/healthz");
        assert!(probe_url("127.0.0.1:0".parse().expect("address"), false).is_err());
    }
}
