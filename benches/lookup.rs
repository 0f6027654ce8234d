//! Benchmark: `userName eq` look-ups at 64 connections through the real `serve` binary (a child
//! process) against the emulator alone answering the `members/get_info_v2` behind each, in one run.
//! Prints throughput and latency percentiles of both; asserts nothing about time. Run with
//! `cargo bench --bench lookup` (`BENCH_SECS` per side, default 5; `BENCH_CONNECTIONS`, default 64).

#[path = "common/mod.rs"]
mod common;

use common::{Bridge, TOKEN};
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Members in the emulated team (and distinct look-up targets).
const MEMBERS: usize = 1000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let secs = Duration::from_secs(env("BENCH_SECS", 5));
    let connections = env("BENCH_CONNECTIONS", 64) as usize;
    let dropbox = Emulator::spawn(EmulatorConfig {
        num_licensed_users: MEMBERS as u32 + 10,
        ..Default::default()
    })
    .await?;
    dropbox.emulator.seed_members(MEMBERS);
    let dir = tempfile::tempdir()?;
    let bridge = Bridge::start(&dropbox, dir.path()).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()?;
    // One listing fills the mirror, as any IdP's first sync does.
    http.get(format!("{}/Users?count=1", bridge.base))
        .bearer_auth(TOKEN)
        .send()
        .await?
        .error_for_status()?;

    let base = bridge.base.clone();
    let to_bridge = {
        let http = http.clone();
        move |i: usize| {
            let url = format!(
                "{base}/Users?filter=userName%20eq%20%22seed{}@example.com%22",
                i % MEMBERS
            );
            http.get(url).bearer_auth(TOKEN).send()
        }
    };
    let bridge_side = load("bridge userName eq", connections, secs, to_bridge).await?;

    let token = dropbox.emulator.issue_token_all();
    let url = format!("{}/2/team/members/get_info_v2", dropbox.base_url);
    let to_emulator = {
        let http = http.clone();
        move |i: usize| {
            let body = serde_json::json!({"members": [{".tag": "email",
                "email": format!("seed{}@example.com", i % MEMBERS)}]});
            http.post(&url).bearer_auth(&token).json(&body).send()
        }
    };
    let emulator_side = load("emulator get_info_v2", connections, secs, to_emulator).await?;
    println!(
        "bridge / emulator throughput: {:.2} (target >= 0.5)",
        bridge_side / emulator_side
    );
    println!("bridge process RSS {}", bridge.status("VmRSS"));
    Ok(())
}

/// Runs `connections` loops of `call` for `secs`; prints and returns requests per second.
async fn load<F, Fut>(
    name: &str,
    connections: usize,
    secs: Duration,
    call: F,
) -> anyhow::Result<f64>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = reqwest::Result<reqwest::Response>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers = (0..connections).map(|_| {
        let (call, next) = (call.clone(), next.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while started.elapsed() < secs {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                let resp = call(i).await?.error_for_status()?;
                resp.bytes().await?;
                latencies.push(t.elapsed());
            }
            anyhow::Ok(latencies)
        })
    });
    let mut all = Vec::new();
    for w in futures::future::join_all(workers).await {
        all.extend(w??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)));
    let rate = all.len() as f64 / elapsed;
    println!(
        "{name}: {connections} connections, {} requests in {elapsed:.1}s = {rate:.0}/s; \
         latency p50 {:.2?} p99 {:.2?}",
        all.len(),
        pct(0.5).copied().unwrap_or_default(),
        pct(0.99).copied().unwrap_or_default()
    );
    Ok(rate)
}
