//! Benchmark: Dropbox calls per SCIM operation, coalesced bursts, the latency a lone request pays for
//! coalescing, and a provisioning wave against a rate-limited emulator. The real application over
//! loopback, the emulator in the same process, SQLite store. Prints figures; asserts nothing.
//!
//! `cargo bench --bench bursts`. Settings: `BENCH_WINDOW_MS` (the bridge's `coalesce.window_ms`;
//! `0` is coalescing off, as before issue 12), `BENCH_WAVE_CREATES` (10000), `BENCH_WAVE_CONCURRENCY`
//! (32), `BENCH_WAVE_RATE` (the emulator's calls per minute, 1000), `BENCH_WAVE_BUDGET` (the bridge's
//! `dropbox.rate_budget.per_minute` in the wave, 1000 as by default; `0` is off), `BENCH_SKIP_WAVE=1`.
//! The calls table and the lone-request latency run with the budget off: they measure coalescing,
//! and 600 sequential requests would otherwise measure the budget's rate.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use dropbox_scim_bridge::app::Application;
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use futures::StreamExt;
use reqwest::{Client, Method};
use serde_json::{Value, json};

const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A bridge over `dropbox` with its own SQLite store, the given coalescing window and rate budget
/// (calls per minute, `0` off).
struct Bridge {
    base: String,
    http: Client,
    _dir: tempfile::TempDir,
}

impl Bridge {
    async fn start(
        dropbox: &RunningEmulator,
        window_ms: Option<u64>,
        budget: u64,
    ) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let mut vars = vec![
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
            (
                "SCIM_BRIDGE_DROPBOX__RATE_BUDGET__PER_MINUTE".to_owned(),
                budget.to_string(),
            ),
        ];
        if let Some(ms) = window_ms {
            vars.push(("SCIM_BRIDGE_COALESCE__WINDOW_MS".to_owned(), ms.to_string()));
        }
        let config = Config::load_from(None, vars)?;
        let client = dropbox_scim_bridge::dropbox::DropboxClient::from_config(&config)?;
        let app = Application::build(config, client).await?;
        let base = format!("http://{}{}", app.local_addr(), app.path_prefix());
        tokio::spawn(app.run_until(std::future::pending()));
        Ok(Self {
            base,
            http: Client::new(),
            _dir: dir,
        })
    }

    /// Sends one request; answers status, `Retry-After` seconds and the JSON body.
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, u64, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth("bench");
        if let Some(b) = body {
            req = req.header("content-type", "application/scim+json").json(&b);
        }
        let Ok(resp) = req.send().await else {
            return (0, 0, Value::Null);
        };
        let status = resp.status().as_u16();
        let retry = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .unwrap_or(1);
        (status, retry, resp.json().await.unwrap_or(Value::Null))
    }

    async fn create(&self, email: &str) -> (u16, u64, Value) {
        let body = json!({"schemas": [USER_URN], "userName": email,
            "name": {"givenName": "Wave", "familyName": "Member"},
            "emails": [{"primary": true, "value": email, "type": "work"}], "active": true});
        self.send(Method::POST, "/Users", Some(body)).await
    }

    async fn find(&self, email: &str) -> u16 {
        let path = format!("/Users?filter=userName%20eq%20%22{email}%22");
        self.send(Method::GET, &path, None).await.0
    }

    async fn patch(&self, id: &str, path: &str, value: Value) -> u16 {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": path, "value": value}]});
        let (status, ..) = self
            .send(Method::PATCH, &format!("/Users/{id}"), Some(body))
            .await;
        status
    }
}

/// The calls per route made while `op` ran, as `route ×n` text.
async fn counted<F: Future>(dropbox: &RunningEmulator, op: F) -> (String, F::Output) {
    let before = dropbox.emulator.stats();
    let out = op.await;
    let delta: BTreeMap<String, u64> = dropbox
        .emulator
        .stats()
        .into_iter()
        .map(|(r, n)| (r.clone(), n - before.get(&r).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let total: u64 = delta.values().sum();
    let text = delta
        .iter()
        .map(|(r, n)| format!("{r} x{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    (format!("{total} ({text})"), out)
}

async fn calls_per_operation(window: Option<u64>) -> anyhow::Result<()> {
    let dropbox = Emulator::spawn(EmulatorConfig::default()).await?;
    let b = Bridge::start(&dropbox, window, 0).await?;
    b.create("warm@example.com").await;
    println!("calls per SCIM operation (after the one-off warm-up)");
    let (c, (_, _, user)) = counted(&dropbox, b.create("row@example.com")).await;
    println!("  POST /Users                             {c}");
    let id = user["id"].as_str().unwrap_or_default().to_owned();
    dropbox.emulator.accept_invite(&id).ok();
    let (c, _) = counted(&dropbox, b.send(Method::GET, &format!("/Users/{id}"), None)).await;
    println!("  GET /Users/{{id}}                         {c}");
    let rows = [
        ("PATCH a name", "name.givenName", json!("Zed")),
        ("PATCH active: false", "active", json!(false)),
        ("PATCH active: true", "active", json!(true)),
        (
            "PATCH active: true to an active member",
            "active",
            json!(true),
        ),
    ];
    for (name, path, value) in rows {
        let (c, _) = counted(&dropbox, b.patch(&id, path, value)).await;
        println!("  {name:<40}{c}");
    }
    let (c, _) = counted(&dropbox, b.find("row@example.com")).await;
    println!("  userName eq look-up                     {c}");

    let emails: Vec<String> = (0..50).map(|i| format!("burst{i}@example.com")).collect();
    let creates = futures::future::join_all(emails.iter().map(|e| b.create(e)));
    let (c, outs) = counted(&dropbox, creates).await;
    let ok = outs.iter().filter(|(s, ..)| *s == 201).count();
    println!("coalesced bursts");
    println!("  50 concurrent POST /Users ({ok} x 201)   {c}");
    let look_ups = futures::future::join_all(emails.iter().map(|e| b.find(e)));
    let (c, outs) = counted(&dropbox, look_ups).await;
    let ok = outs.iter().filter(|s| **s == 200).count();
    println!("  50 concurrent userName eq ({ok} x 200)   {c}");
    Ok(())
}

/// Mean and median of sequential requests, with coalescing at `window` and off.
async fn lone_latency(window: Option<u64>) -> anyhow::Result<()> {
    const N: usize = 300;
    println!("lone-request latency ({N} sequential requests each; mean / median)");
    for (label, w) in [
        ("coalescing off (window 0)", Some(0)),
        ("coalescing on", window),
    ] {
        let dropbox = Emulator::spawn(EmulatorConfig {
            num_licensed_users: 1000,
            ..EmulatorConfig::default()
        })
        .await?;
        let b = Bridge::start(&dropbox, w, 0).await?;
        b.create("warm@example.com").await;
        let mut creates = Vec::with_capacity(N);
        let mut finds = Vec::with_capacity(N);
        for i in 0..N {
            let email = format!("lone{i}@example.com");
            let t = Instant::now();
            b.create(&email).await;
            creates.push(t.elapsed());
            let t = Instant::now();
            b.find(&email).await;
            finds.push(t.elapsed());
        }
        let label = format!(
            "{label}, window {}",
            w.map_or("default".into(), |v| format!("{v} ms"))
        );
        println!("  {label}");
        println!("    POST /Users          {}", mean_median(&mut creates));
        println!("    userName eq look-up  {}", mean_median(&mut finds));
    }
    Ok(())
}

fn mean_median(v: &mut [Duration]) -> String {
    v.sort();
    let mean = v.iter().sum::<Duration>() / u32::try_from(v.len().max(1)).unwrap_or(1);
    format!("{mean:.2?} / {:.2?}", v[v.len() / 2])
}

/// `creates` creates at `concurrency` against an emulator limited to `rate` calls a minute; a 429
/// is retried after its `Retry-After`, as an IdP does.
async fn wave(window: Option<u64>) -> anyhow::Result<()> {
    let creates = env_num("BENCH_WAVE_CREATES", 10_000) as usize;
    let concurrency = env_num("BENCH_WAVE_CONCURRENCY", 32) as usize;
    let rate = u32::try_from(env_num("BENCH_WAVE_RATE", 1000))?;
    let budget = env_num("BENCH_WAVE_BUDGET", 1000);
    let dropbox = Emulator::spawn(EmulatorConfig {
        num_licensed_users: u32::try_from(creates + 100)?,
        ..EmulatorConfig::default()
    })
    .await?;
    let b = Bridge::start(&dropbox, window, budget).await?;
    b.create("warm@example.com").await;
    dropbox.emulator.set_rate_limit(Some(rate));
    let before = dropbox.emulator.stats();
    let started = Instant::now();
    let results: Vec<(u16, u32)> = futures::stream::iter(0..creates)
        .map(|i| {
            let b = &b;
            async move {
                let email = format!("wave{i}@example.com");
                let mut refused = 0;
                loop {
                    let (status, retry, _) = b.create(&email).await;
                    if status != 429 || refused >= 5 {
                        return (status, refused);
                    }
                    refused += 1;
                    tokio::time::sleep(Duration::from_secs(retry)).await;
                }
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let stats = dropbox.emulator.stats();
    let delta = |r: &str| stats.get(r).copied().unwrap_or(0) - before.get(r).copied().unwrap_or(0);
    let all: u64 = stats.keys().map(|r| delta(r)).sum();
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let idp_429s: u32 = results.iter().map(|(_, r)| r).sum();
    println!(
        "provisioning wave: {creates} creates at concurrency {concurrency}, emulator limited to \
         {rate} calls/minute, bridge's rate budget {}, window {}",
        if budget == 0 {
            "off".to_owned()
        } else {
            format!("{budget} calls/minute")
        },
        window.map_or("default".into(), |v| format!("{v} ms"))
    );
    println!(
        "  {:.1?}  created {created}  members/add_v2 calls {}  all Dropbox calls {all}  \
         429s seen by the IdP {idp_429s}  (target at 10,000 creates: <= 600 add_v2 calls, < 45 s)",
        elapsed,
        delta("members/add_v2")
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let window = std::env::var("BENCH_WINDOW_MS")
        .ok()
        .and_then(|v| v.parse().ok());
    calls_per_operation(window).await?;
    lone_latency(window).await?;
    if env_num("BENCH_SKIP_WAVE", 0) == 0 {
        wave(window).await?;
    }
    Ok(())
}
