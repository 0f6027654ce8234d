//! Benchmark: an Okta import (`GET /Users?startIndex=..&count=100`) over N emulated members, through the
//! real `serve` binary over loopback (a child process, so its RSS is the bridge's alone). Prints the mean
//! page time, Dropbox calls and the bridge's RSS; asserts nothing about time. Run with
//! `cargo bench --bench okta_import`; sizes from `BENCH_MEMBERS` (comma list, default 1000,10000,100000).

#[path = "common/mod.rs"]
mod common;

use common::{Bridge, TOKEN, dropbox_calls};
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = std::env::var("BENCH_MEMBERS")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    let mut means = Vec::new();
    for members in sizes {
        let mean = import(members).await?;
        means.push((members, mean));
    }
    if let (Some((small, base)), Some((large, top))) = (means.first(), means.last()) {
        println!(
            "mean page at {large} / mean page at {small}: {:.2}x (target <= 1.5x)",
            top.as_secs_f64() / base.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}

/// One full import of `members` members; returns the mean page time.
async fn import(members: usize) -> anyhow::Result<Duration> {
    let dropbox = Emulator::spawn(EmulatorConfig {
        num_licensed_users: u32::try_from(members + 10)?,
        ..Default::default()
    })
    .await?;
    dropbox.emulator.seed_members(members);
    let dir = tempfile::tempdir()?;
    let bridge = Bridge::start(&dropbox, dir.path()).await?;
    let calls_before = dropbox_calls(&dropbox);
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut first_page = Duration::ZERO;
    let (mut pages, mut start, mut seen) = (0u32, 1usize, 0usize);
    loop {
        let t = Instant::now();
        let body: serde_json::Value = http
            .get(format!(
                "{}/Users?startIndex={start}&count=100",
                bridge.base
            ))
            .bearer_auth(TOKEN)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if pages == 0 {
            first_page = t.elapsed();
        }
        pages += 1;
        seen += body["Resources"].as_array().map_or(0, Vec::len);
        let total = body["totalResults"].as_u64().unwrap_or(0) as usize;
        start += 100;
        if start > total {
            break;
        }
    }
    let elapsed = started.elapsed();
    let mean = elapsed / pages.max(1);
    let rest = (elapsed - first_page) / (pages - 1).max(1);
    let stats = dropbox.emulator.stats();
    let lists = stats.get("members/list_v2").copied().unwrap_or(0)
        + stats.get("members/list/continue_v2").copied().unwrap_or(0);
    println!("okta_import members={members} pages={pages} users seen={seen}");
    println!(
        "  total {elapsed:.2?}  mean page {mean:.2?}  first page (mirror fill) {first_page:.2?}  \
         mean of the other pages {rest:.2?}"
    );
    println!(
        "  dropbox calls for the import {} (list calls {lists}; target <= {})",
        dropbox_calls(&dropbox) - calls_before,
        members.div_ceil(1000) + 2
    );
    println!(
        "  bridge process RSS now {}  peak {} (target now < 50 MB); now: heap and stacks {}, \
         mapped files (the binary) {}",
        bridge.status("VmRSS"),
        bridge.status("VmHWM"),
        bridge.status("RssAnon"),
        bridge.status("RssFile")
    );
    Ok(mean)
}
