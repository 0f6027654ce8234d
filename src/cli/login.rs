//! `dropbox-login`: Dropbox's OAuth 2 code flow with PKCE for a team-linked app. It prints the
//! authorize URL, exchanges the pasted code for an offline refresh token, saves that token in a
//! file only the owner can read, prints the config lines that use it, and runs `check`.

use crate::config::Config;
use crate::dropbox::scopes::REQUIRED_SCOPES;
use anyhow::{Context, anyhow, bail};
use base64::Engine;
use rand::Rng;
use rand::distributions::Alphanumeric;
use secrecy::SecretString;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where Dropbox asks the team admin to approve the app.
const DEFAULT_AUTHORIZE_URL: &str = "https://www.dropbox.com/oauth2/authorize";

/// The options of `dropbox-login`.
#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// The app key from the App Console's Settings tab.
    #[arg(long, env = "SCIM_BRIDGE_DROPBOX__APP_KEY")]
    pub app_key: String,
    /// Where to save the refresh token (created with mode 0600).
    #[arg(long, default_value = "dropbox-refresh-token")]
    pub refresh_token_file: PathBuf,
    /// Replace the refresh token file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The TOML config file `check` reads afterwards (also SCIM_BRIDGE_CONFIG).
    #[arg(long, env = "SCIM_BRIDGE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Dropbox's authorize page; only changed to point at an emulator.
    #[arg(long, env = "DROPBOX_AUTHORIZE_URL", default_value = DEFAULT_AUTHORIZE_URL)]
    pub authorize_url: String,
    /// Dropbox's API origin, where `/oauth2/token` lives; only changed to point at an emulator.
    #[arg(
        long,
        env = "SCIM_BRIDGE_DROPBOX__BASE_URL",
        default_value = "https://api.dropboxapi.com"
    )]
    pub api_url: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    refresh_token: Option<String>,
    #[serde(default)]
    scope: String,
    team_id: Option<String>,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// Runs the whole flow; the refresh token is never printed.
pub async fn run(args: LoginArgs) -> anyhow::Result<()> {
    if args.refresh_token_file.exists() && !args.force {
        bail!(
            "{} already exists; pass --force to replace it, or choose another --refresh-token-file",
            args.refresh_token_file.display()
        );
    }
    let verifier: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(64)
        .map(char::from)
        .collect();
    let url = authorize_url(&args.authorize_url, &args.app_key, &challenge(&verifier))?;
    println!(
        "1. Open this URL in a browser, signed in as a Dropbox team admin:\n\n   {url}\n\n\
         2. Click \"Allow\" and copy the access code Dropbox shows.\n\
         3. Paste the code here and press Enter:"
    );
    std::io::stdout().flush()?;
    let code = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    })
    .await??;
    let code = code.trim();
    if code.is_empty() {
        bail!("no code was pasted; run the command again and paste the code Dropbox shows");
    }
    let answer = exchange(&args, code, &verifier).await?;
    let Some(refresh_token) = answer.refresh_token else {
        bail!(
            "Dropbox issued no refresh token (the app must allow offline access); run the command again"
        );
    };
    write_secret(&args.refresh_token_file, &refresh_token, args.force)?;
    let path = std::path::absolute(&args.refresh_token_file)?;
    println!(
        "\nsaved the refresh token in {} (mode 0600)\n",
        path.display()
    );
    report_grant(&answer.scope, answer.team_id.as_deref());
    println!("Add to the bridge's environment (and remove any dropbox access_token):\n");
    println!("SCIM_BRIDGE_DROPBOX__APP_KEY={}", args.app_key);
    println!("SCIM_BRIDGE_DROPBOX__REFRESH_TOKEN_FILE={}", path.display());
    if args.api_url != "https://api.dropboxapi.com" {
        println!("SCIM_BRIDGE_DROPBOX__BASE_URL={}", args.api_url);
    }
    println!("\nRunning `check` with these settings:");
    let mut config = Config::load(args.config.as_deref()).with_context(|| {
        format!(
            "the refresh token is saved in {}; fix the config, then run `dropbox-scim-bridge check`",
            path.display()
        )
    })?;
    config.dropbox.base_url = args.api_url;
    config.dropbox.access_token = None;
    config.dropbox.app_key = Some(args.app_key);
    config.dropbox.app_secret = None;
    config.dropbox.refresh_token = Some(SecretString::from(refresh_token));
    super::check::check_config(config).await
}

/// `BASE64URL(SHA256(verifier))`, the S256 code challenge of RFC 7636.
fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The authorize URL: code flow, PKCE S256, offline access, and exactly the scopes the bridge needs.
fn authorize_url(base: &str, app_key: &str, challenge: &str) -> anyhow::Result<url::Url> {
    let mut url = url::Url::parse(base).with_context(|| format!("--authorize-url `{base}`"))?;
    url.query_pairs_mut()
        .append_pair("client_id", app_key)
        .append_pair("response_type", "code")
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("token_access_type", "offline")
        .append_pair("scope", &REQUIRED_SCOPES.join(" "));
    Ok(url)
}

/// Exchanges the code at `/oauth2/token`; Dropbox's refusals become errors that name the fix.
async fn exchange(args: &LoginArgs, code: &str, verifier: &str) -> anyhow::Result<TokenAnswer> {
    let token_url = format!("{}/oauth2/token", args.api_url.trim_end_matches('/'));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", args.app_key.as_str()),
        ("code_verifier", verifier),
    ];
    let resp = http
        .post(&token_url)
        .form(&form)
        .send()
        .await
        .map_err(|e| anyhow!("cannot reach {token_url}: {}", chain(&e)))?;
    let status = resp.status();
    let body = resp
        .bytes()
        .await
        .map_err(|e| anyhow!("{token_url} answered, but reading it failed: {}", chain(&e)))?;
    if status.is_success() {
        return serde_json::from_slice(&body)
            .map_err(|e| anyhow!("{token_url} answered something unexpected: {e}"));
    }
    match serde_json::from_slice::<ErrorAnswer>(&body) {
        Ok(e) => Err(anyhow!(explain(
            &e.error,
            &e.error_description,
            &args.app_key
        ))),
        Err(_) => bail!("{token_url} answered HTTP {status}; run the command again later"),
    }
}

/// A refusal from the token endpoint, with what to do about it.
fn explain(error: &str, description: &str, app_key: &str) -> String {
    let fix = match error {
        "invalid_grant" => {
            "the code was already used, expired, or does not match this run; run the command again"
                .to_owned()
        }
        "invalid_client" => format!(
            "Dropbox does not know the app key `{app_key}`; copy it from the app's Settings tab in \
             the App Console (https://www.dropbox.com/developers/apps)"
        ),
        _ => "see docs/DROPBOX_APP.md, then run the command again".to_owned(),
    };
    format!("Dropbox refused the code ({error}: {description}): {fix}")
}

/// Warns about required scopes the grant lacks and a grant that is not team-linked.
fn report_grant(scope: &str, team_id: Option<&str>) {
    let granted: Vec<&str> = scope.split_whitespace().collect();
    let missing: Vec<&str> = REQUIRED_SCOPES
        .iter()
        .copied()
        .filter(|s| !granted.contains(s))
        .collect();
    if !scope.is_empty() && !missing.is_empty() {
        println!(
            "warning: the grant lacks {}; tick them on the app's Permissions tab and run the command again\n",
            missing.join(", ")
        );
    }
    if team_id.is_none() {
        println!(
            "warning: Dropbox returned no team: the app needs team scopes and a team admin must authorise it\n"
        );
    }
}

/// Creates (or with `force`, replaces) `path` with mode 0600 and writes `secret` to it.
fn write_secret(path: &Path, secret: &str, force: bool) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => anyhow!(
            "{} already exists; pass --force to replace it",
            path.display()
        ),
        _ => anyhow!("cannot create {}: {e}", path.display()),
    })?;
    // A replaced file keeps its old mode unless it is tightened.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(secret.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_url_asks_for_pkce_offline_access_and_every_scope() {
        let url = authorize_url(DEFAULT_AUTHORIZE_URL, "key1", &challenge("v")).expect("url");
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["client_id"], "key1");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["token_access_type"], "offline");
        assert_eq!(q["scope"], REQUIRED_SCOPES.join(" "));
        assert!(!q.contains_key("redirect_uri"));
        // RFC 7636 Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            challenge(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn refusals_name_the_fix() {
        let text = explain("invalid_grant", "code doesn't exist or has expired", "k");
        assert!(
            text.ends_with("does not match this run; run the command again"),
            "{text}"
        );
        assert!(explain("invalid_client", "", "k1").contains("`k1`"));
    }

    #[cfg(unix)]
    #[test]
    fn the_secret_file_is_private_and_not_overwritten_without_force() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("rt");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(write_secret(&path, "new", false).is_err());
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("old"));
        write_secret(&path, "new", true).expect("forced");
        let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("new\n")
        );
    }
}
