//! Benchmark: `userName eq` look-ups at 64 connections through the real `serve` binary (a child
//! process) against the emulator alone answering the `members/get_info_v2` behind each, in one run.
//! Prints throughput, latency percentiles and CPU per request of both, side by side in alternating
//! rounds, and the median ratio; asserts nothing about time. Run with `cargo bench --bench lookup`
//! (`BENCH_ROUNDS`, default 3; `BENCH_SECS` per side and round, default 3; `BENCH_CONNECTIONS`,
//! default 64; `BENCH_BRIDGE_BIN` to measure another build of the bridge).

#[path = "common/mod.rs"]
mod common;

use common::{Bridge, TOKEN, cpu_time};
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
    let secs = Duration::from_secs(env("BENCH_SECS", 3));
    let rounds = env("BENCH_ROUNDS", 3).max(1) as usize;
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
    let bridge_pid = bridge.child.id().unwrap_or(0);
    let cpu = || {
        (
            cpu_time(bridge_pid).unwrap_or_default(),
            cpu_time(std::process::id()).unwrap_or_default(),
        )
    };
    let infos = || {
        let stats = dropbox.emulator.stats();
        stats.get("members/get_info_v2").copied().unwrap_or(0)
    };
    // CPU per request is steadier than throughput on a shared machine, and it is what the ratio is
    // made of: both sides share the same cores.
    let per = |d: Duration, n: usize| d.as_secs_f64() * 1e6 / n.max(1) as f64;
    // A warm-up, not counted: the first look-up of each member fills the bridge's caches.
    load(
        "  warm-up (not counted)",
        connections,
        Duration::from_secs(1),
        to_bridge.clone(),
    )
    .await?;
    // The sides alternate, so that a change in the machine's speed (other tenants) falls on both.
    let mut ratios = Vec::new();
    for round in 1..=rounds {
        println!("round {round} of {rounds}");
        let (before, calls_before) = (cpu(), infos());
        let (bridge_side, bridge_requests) =
            load("  bridge userName eq", connections, secs, to_bridge.clone()).await?;
        let (after, calls) = (cpu(), infos() - calls_before);
        let emulator_before = cpu().1;
        let (emulator_side, emulator_requests) = load(
            "  emulator get_info_v2",
            connections,
            secs,
            to_emulator.clone(),
        )
        .await?;
        let emulator_after = cpu().1;
        println!(
            "  {calls} members/get_info_v2 calls for the bridge's look-ups: {:.1} look-ups a call",
            bridge_requests as f64 / calls.max(1) as f64
        );
        println!(
            "  CPU per look-up: bridge process {:.0} us, bench process (client + emulator) {:.0} us; \
             per get_info_v2 alone: bench process (client + emulator) {:.0} us",
            per(after.0 - before.0, bridge_requests),
            per(after.1 - before.1, bridge_requests),
            per(emulator_after - emulator_before, emulator_requests),
        );
        let ratio = bridge_side / emulator_side;
        println!("  bridge / emulator throughput: {ratio:.2}");
        ratios.push(ratio);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "bridge / emulator throughput, median of {rounds} rounds: {:.2} (target >= 0.5; rounds {})",
        ratios[ratios.len() / 2],
        ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("bridge process RSS {}", bridge.status("VmRSS"));
    Ok(())
}

/// Runs `connections` loops of `call` for `secs`; prints and returns requests per second, and how
/// many requests were made.
async fn load<F, Fut>(
    name: &str,
    connections: usize,
    secs: Duration,
    call: F,
) -> anyhow::Result<(f64, usize)>
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
    Ok((rate, all.len()))
}
