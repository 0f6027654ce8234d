//! Operator subcommands: `token` and `check`.

use crate::config::Config;
use crate::dropbox::DropboxClient;
use crate::tokens::{generate_token, token_hash_hex};
use std::path::Path;

/// Prints a new token and the config lines that accept it; only the hash belongs in the config.
pub fn token(name: &str) {
    let token = generate_token();
    println!("token (give this to the IdP; it is not stored anywhere):\n  {token}\n");
    println!("add to the bridge's config file:\n");
    println!(
        "[[auth.tokens]]\nname = \"{name}\"\nsha256 = \"{}\"",
        token_hash_hex(&token)
    );
}

/// Validates the config and asks Dropbox who the token belongs to.
pub async fn check(path: Option<&Path>) -> anyhow::Result<()> {
    check_config(Config::load(path)?).await
}

/// The checks of [`check`] on a config already loaded (and possibly amended, as `dropbox-login` does).
pub async fn check_config(config: Config) -> anyhow::Result<()> {
    println!("config: ok");
    if !config.has_tokens() {
        println!("warning: no IdP token configured; `serve` will refuse to start");
    }
    config.dropbox_credentials_complete()?;
    let client = DropboxClient::from_config(&config)?;
    let admin = client.token_get_authenticated_admin().await.map_err(|e| {
        // Only an answer from Dropbox can refuse the credentials; TLS, DNS or a timeout cannot.
        let what = if e.is_credentials_refused() {
            "Dropbox refused the credentials"
        } else if matches!(e.kind, crate::dropbox::ErrorKind::Transport(_)) {
            "could not reach Dropbox"
        } else {
            "the Dropbox check failed"
        };
        anyhow::anyhow!("{what}: {e}")
    })?;
    println!(
        "dropbox: ok (authenticated as admin {})",
        admin.admin_profile.team_member_id
    );
    let store = crate::store::Store::connect(&config.store.url).await?;
    store.ping().await?;
    println!("store: ok");
    Ok(())
}
