//! `serve` and `serve --demo`: build the application from config and run it until SIGINT/SIGTERM.

use crate::app::Application;
use crate::config::{Config, MetricsConfig, MetricsPlace};
use crate::dropbox::DropboxClient;
use crate::emulator::{Emulator, EmulatorConfig};
use crate::http::metrics::metrics_routes;
use crate::http::server::{ServerLimits, serve as serve_http};
use crate::telemetry::logging;
use crate::telemetry::startup::{StartupFacts, announce, store_kind};
use secrecy::SecretString;
use std::path::Path;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// What `run` needs from the configuration once `Application::build` has taken it.
struct RunSettings {
    store_kind: &'static str,
    metrics: MetricsConfig,
    limits: ServerLimits,
}

impl RunSettings {
    fn from_config(config: &Config) -> Self {
        Self {
            store_kind: store_kind(&config.store.url),
            metrics: config.metrics.clone(),
            limits: ServerLimits::from_config(&config.http),
        }
    }
}

/// Production mode: everything from the config file and the environment.
pub async fn serve(path: Option<&Path>) -> anyhow::Result<()> {
    let config = Config::load(path)?;
    logging::init(config.log_format);
    if !config.has_tokens() {
        anyhow::bail!(
            "no IdP token configured: add [[auth.tokens]] (see `dropbox-scim-bridge token`) or [auth.jwt], or set SCIM_BRIDGE_TOKEN"
        );
    }
    config.dropbox_credentials_complete()?;
    let client = DropboxClient::from_config(&config)?;
    let settings = RunSettings::from_config(&config);
    let app = Application::build(config, client)
        .await?
        .reload_on_sighup(path.map(Path::to_path_buf));
    tracing::info!(addr = %app.local_addr(), "listening");
    run(app, settings).await
}

/// Serves `app` until stopped, with `/metrics` on its own address when configured, and logs the
/// start-up line once Dropbox has named the team (without waiting for it).
async fn run(app: Application, settings: RunSettings) -> anyhow::Result<()> {
    let metrics_server = match settings.metrics.place() {
        MetricsPlace::Own(addr) => {
            Some(MetricsServer::start(addr, &app, &settings.metrics, settings.limits).await?)
        }
        MetricsPlace::MainAddress | MetricsPlace::Off => None,
    };
    let facts = StartupFacts {
        listen: app.local_addr(),
        store_kind: settings.store_kind,
        metrics: match &metrics_server {
            Some(server) => server.addr.to_string(),
            None if settings.metrics.place() == MetricsPlace::MainAddress => {
                "main address".to_owned()
            }
            None => "off".to_owned(),
        },
    };
    let bridge = app.bridge().clone();
    let announcing = tokio::spawn(announce(facts, async move { bridge.team_name().await }));
    let result = app.run_until_stopped().await;
    announcing.abort();
    if let Some(server) = metrics_server {
        server.stop().await;
    }
    result
}

/// `/metrics` served on its own address (`metrics.listen`).
struct MetricsServer {
    addr: std::net::SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl MetricsServer {
    async fn start(
        addr: std::net::SocketAddr,
        app: &Application,
        access: &MetricsConfig,
        limits: ServerLimits,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(addr).await.map_err(|e| {
            anyhow::anyhow!("cannot listen on {addr} for /metrics: {e} (metrics.listen)")
        })?;
        let addr = listener.local_addr().unwrap_or(addr);
        let router = metrics_routes(app.bridge().clone(), access.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_http(listener, router, limits, async {
            let _ = stopped.await;
        }));
        Ok(Self { addr, stop, task })
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Demo mode: the emulator in-process on a loopback port, reached over real HTTP like Dropbox, with a
/// team of `licenses` seats.
pub async fn demo(path: Option<&Path>, data_dir: &Path, licenses: u32) -> anyhow::Result<()> {
    let mut config = Config::load(path)?;
    logging::init(config.log_format);
    let emulator_config = EmulatorConfig {
        num_licensed_users: licenses,
        ..EmulatorConfig::default()
    };
    let running = Emulator::spawn(emulator_config.clone()).await?;
    config.dropbox.base_url = running.base_url.clone();
    config.dropbox.access_token = None;
    config.dropbox.app_key = Some(emulator_config.app_key.clone());
    config.dropbox.app_secret = Some(SecretString::from(emulator_config.app_secret.clone()));
    config.dropbox.refresh_token = Some(SecretString::from(emulator_config.refresh_token.clone()));
    // The emulated team lives in memory and starts empty, so the demo's store starts empty too.
    std::fs::create_dir_all(data_dir)?;
    let db = data_dir.join("bridge.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    config.store.url = format!("sqlite://{}?mode=rwc", db.display());
    let token = match config.auth.plain_tokens.first() {
        Some(_) => None,
        None => {
            let t = crate::tokens::generate_token();
            config.auth.plain_tokens.push(SecretString::from(t.clone()));
            Some(t)
        }
    };
    let client = DropboxClient::from_config(&config)?;
    let settings = RunSettings::from_config(&config);
    let app = Application::build(config, client).await?;
    let base = format!("http://{}{}", app.local_addr(), app.path_prefix());
    print_demo_banner(&base, token.as_deref(), &running.base_url, data_dir);
    let result = run(app, settings).await;
    drop(running);
    result
}
fn print_demo_banner(base: &str, token: Option<&str>, emulator: &str, data_dir: &Path) {
    let shown = token.unwrap_or("<the SCIM_BRIDGE_TOKEN you set>");
    println!(
        "\ndropbox-scim-bridge demo mode: a built-in Dropbox emulator at {emulator}, SQLite in {}\n\
         SCIM base URL: {base}\n\
         Bearer token:  {shown}\n\n\
         Try:\n  export SCIM=\"{base}\" TOKEN=\"{shown}\"\n  \
         curl -s -H \"Authorization: Bearer $TOKEN\" \"$SCIM/Users?startIndex=1&count=10\"\n\n\
         The README's walkthrough continues from here. Ctrl-C stops the demo (the emulated team is in memory).\n",
        data_dir.display()
    );
}
