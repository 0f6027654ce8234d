//! `check`: finds what will fail before the IdP does. Every problem is reported (config, IdP
//! tokens, Dropbox credentials, scopes and transfer targets, the store), as text or `--json`.

use crate::config::Config;
use crate::tokens::token_hash_hex;
use std::path::Path;

use super::check_dropbox::check_dropbox;
use super::check_report::Report;

/// Loads the config at `path` (and the environment), runs every check and prints the report.
/// Fails when any check failed; warnings alone succeed. With `print_config`, prints the effective
/// config and each value's source instead, and calls nothing.
pub async fn run(path: Option<&Path>, json: bool, print_config: bool) -> anyhow::Result<()> {
    let loaded = Config::load_with_origins(path, std::env::vars());
    if print_config {
        print!("{}", super::print_config::render(&loaded?, json));
        return Ok(());
    }
    let mut report = Report::default();
    match loaded {
        Ok(loaded) => {
            report.ok("config", "loaded and valid");
            for warning in &loaded.warnings {
                report.warn("config", warning.as_str());
            }
            run_checks(&loaded.config, &mut report).await;
        }
        Err(e) => report.fail("config", e.to_string()),
    }
    finish(&report, json)
}

/// The checks of [`run`] on a config already loaded (and possibly amended, as `dropbox-login` does).
pub async fn check_config(config: Config) -> anyhow::Result<()> {
    let mut report = Report::default();
    report.ok("config", "loaded and valid");
    run_checks(&config, &mut report).await;
    finish(&report, false)
}

async fn run_checks(config: &Config, report: &mut Report) {
    check_tokens(config, report);
    check_dropbox(config, report).await;
    check_store(config, report).await;
}

fn finish(report: &Report, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    // Stderr names each failure too, so a script reading only stderr (or stdout as JSON) sees why.
    let failed: Vec<String> = report
        .failures()
        .map(|c| format!("\n  {}: {}", c.name, c.detail))
        .collect();
    match failed.len() {
        0 => Ok(()),
        1 => anyhow::bail!("1 check failed:{}", failed.concat()),
        n => anyhow::bail!("{n} checks failed:{}", failed.concat()),
    }
}

/// `auth.tokens`: some IdP credential is configured, and no hash is a placeholder.
fn check_tokens(config: &Config, report: &mut Report) {
    let tokens = &config.auth.tokens;
    if config.has_tokens() {
        let plain = config.auth.plain_tokens.len();
        let names: Vec<&str> = tokens.iter().map(|t| t.name.as_str()).collect();
        let mut detail = format!("{} hashed ({})", tokens.len(), names.join(", "));
        if plain > 0 {
            detail.push_str(&format!(", {plain} from SCIM_BRIDGE_TOKEN"));
        }
        report.ok("auth.tokens", detail);
    } else {
        report.warn(
            "auth.tokens",
            "no IdP token configured; `serve` will refuse to start (make one with \
             `dropbox-scim-bridge token`)",
        );
    }
    for (i, t) in tokens.iter().enumerate() {
        if let Some(why) = placeholder(&t.sha256) {
            report.warn(
                format!("auth.tokens[{i}].sha256"),
                format!(
                    "the hash of \"{}\" is a placeholder ({why}); no real token matches it. \
                     Make one with `dropbox-scim-bridge token`",
                    t.name
                ),
            );
        }
    }
}

/// Why a configured SHA-256 hex is a placeholder rather than the hash of a real token, if it is.
pub fn placeholder(hash: &str) -> Option<&'static str> {
    let hash = hash.to_ascii_lowercase();
    let bytes = hash.as_bytes();
    if bytes.windows(2).all(|w| w[0] == w[1]) {
        return Some("one character repeated");
    }
    if hash == token_hash_hex("") {
        return Some("the hash of an empty token");
    }
    let repeats = |period: usize| bytes.iter().zip(&bytes[period..]).all(|(a, b)| a == b);
    if (2..=16).any(|p| p < bytes.len() && repeats(p)) {
        return Some("a short pattern repeated");
    }
    None
}

/// `store`: the bridge's database answers.
async fn check_store(config: &Config, report: &mut Report) {
    let ping = async {
        let store = crate::store::Store::connect(&config.store.url).await?;
        store.ping().await
    };
    match ping.await {
        Ok(()) => report.ok("store", "reachable"),
        Err(e) => report.fail("store", format!("{:#}", anyhow::Error::from(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::placeholder;
    use crate::tokens::{generate_token, token_hash_hex};

    #[test]
    fn placeholders_are_found_and_real_hashes_are_not() {
        assert!(placeholder(&"0".repeat(64)).is_some());
        assert!(placeholder(&"F".repeat(64)).is_some());
        assert!(placeholder(&"deadbeef".repeat(8)).is_some());
        assert!(placeholder(&"0123456789abcdef".repeat(4)).is_some());
        assert!(placeholder(&token_hash_hex("")).is_some());
        for _ in 0..100 {
            assert_eq!(placeholder(&token_hash_hex(&generate_token())), None);
        }
    }
}
