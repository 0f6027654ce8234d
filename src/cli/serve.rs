//! `serve` and `serve --demo`: build the application from config and run it until SIGINT/SIGTERM.

use crate::app::Application;
use crate::config::Config;
use crate::dropbox::DropboxClient;
use crate::emulator::{Emulator, EmulatorConfig};
use secrecy::SecretString;
use std::path::Path;

/// Production mode: everything from the config file and the environment.
pub async fn serve(path: Option<&Path>) -> anyhow::Result<()> {
    let config = Config::load(path)?;
    crate::app::init_tracing(config.log_format);
    if !config.has_tokens() {
        anyhow::bail!(
            "no IdP token configured: add [[auth.tokens]] (see `dropbox-scim-bridge token`) or [auth.jwt], or set SCIM_BRIDGE_TOKEN"
        );
    }
    config.dropbox_credentials_complete()?;
    let client = DropboxClient::from_config(&config)?;
    let app = Application::build(config, client)
        .await?
        .reload_on_sighup(path.map(Path::to_path_buf));
    tracing::info!(addr = %app.local_addr(), "listening");
    app.run_until_stopped().await
}

/// Demo mode: the emulator in-process on a loopback port, reached over real HTTP like Dropbox, with a
/// team of `licenses` seats.
pub async fn demo(path: Option<&Path>, data_dir: &Path, licenses: u32) -> anyhow::Result<()> {
    let mut config = Config::load(path)?;
    crate::app::init_tracing(config.log_format);
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
    let app = Application::build(config, client).await?;
    let base = format!("http://{}{}", app.local_addr(), app.path_prefix());
    print_demo_banner(&base, token.as_deref(), &running.base_url, data_dir);
    let result = app.run_until_stopped().await;
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
