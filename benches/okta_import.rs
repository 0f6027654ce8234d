//! Benchmark: an Okta import (`GET /Users?startIndex=..&count=100`) over N emulated members, through the
//! real application over loopback. Prints wall time per page, Dropbox calls and peak RSS; asserts nothing
//! about time. Run with `cargo bench --bench okta_import` (N from `BENCH_MEMBERS`, default 5000).

use dropbox_scim_bridge::app::Application;
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig};
use std::time::Instant;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let members: usize = std::env::var("BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let dropbox = Emulator::spawn(EmulatorConfig {
        num_licensed_users: u32::try_from(members + 10)?,
        ..Default::default()
    })
    .await?;
    dropbox.emulator.seed_members(members);
    let dir = tempfile::tempdir()?;
    let vars = vec![
        ("SCIM_BRIDGE_LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
        ("SCIM_BRIDGE_TOKEN".to_owned(), "bench".to_owned()),
        (
            "SCIM_BRIDGE_STORE__URL".to_owned(),
            format!("sqlite://{}/b.sqlite?mode=rwc", dir.path().display()),
        ),
        (
            "SCIM_BRIDGE_DROPBOX__BASE_URL".to_owned(),
            dropbox.base_url.clone(),
        ),
        (
            "SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN".to_owned(),
            dropbox.emulator.issue_token_all(),
        ),
    ];
    let config = Config::load_from(None, vars)?;
    let client = dropbox_scim_bridge::dropbox::DropboxClient::from_config(&config)?;
    let app = Application::build(config, client).await?;
    let base = format!("http://{}{}", app.local_addr(), app.path_prefix());
    tokio::spawn(app.run_until(std::future::pending()));
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut first_page = None;
    let mut pages = 0u32;
    let mut start = 1;
    loop {
        let t = Instant::now();
        let body: serde_json::Value = http
            .get(format!("{base}/Users?startIndex={start}&count=100"))
            .bearer_auth("bench")
            .send()
            .await?
            .json()
            .await?;
        first_page.get_or_insert(t.elapsed());
        pages += 1;
        let total = body["totalResults"].as_u64().unwrap_or(0) as usize;
        start += 100;
        if start > total {
            break;
        }
    }
    let elapsed = started.elapsed();
    let stats = dropbox.emulator.stats();
    let lists = stats.get("members/list_v2").copied().unwrap_or(0)
        + stats.get("members/list/continue_v2").copied().unwrap_or(0);
    println!("okta_import members={members} pages={pages}");
    println!(
        "  total {:.2?}  first page (mirror fill) {:.2?}  mean page {:.2?}",
        elapsed,
        first_page.unwrap_or_default(),
        elapsed / pages.max(1)
    );
    println!(
        "  dropbox list calls {lists}  all dropbox calls {}",
        stats.values().sum::<u64>()
    );
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM")) {
            println!(
                "  peak RSS (bridge + emulator in one process) {}",
                line.trim_start_matches("VmHWM:").trim()
            );
        }
    }
    Ok(())
}
