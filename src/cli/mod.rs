//! The command line: argument definitions and the dispatch to each subcommand.

pub mod audit;
mod audit_format;
mod check;
mod check_dropbox;
mod check_report;
mod healthcheck;
mod login;
pub mod pending;
pub mod pending_fix;
mod print_config;
pub mod secondary_emails;
mod serve;
mod store_access;
mod table;
mod token;

use crate::store::RemovalState;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The emulated team's licence seats unless `--licenses` says otherwise.
const DEFAULT_LICENSES: u32 = 100;

/// A SCIM 2.0 server that provisions Dropbox team members and groups.
#[derive(Debug, Parser)]
#[command(name = "dropbox-scim-bridge", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the SCIM API (or, with --demo, serve it against a built-in Dropbox emulator).
    Serve {
        /// The TOML config file (also SCIM_BRIDGE_CONFIG).
        #[arg(long, env = "SCIM_BRIDGE_CONFIG")]
        config: Option<PathBuf>,
        /// Demo mode: built-in Dropbox emulator on loopback, local SQLite, a printed token.
        #[arg(long)]
        demo: bool,
        /// Demo mode's data folder (its SQLite file lives here).
        #[arg(long, default_value = "data/demo")]
        data_dir: PathBuf,
        /// Demo mode's team size: licence seats of the emulated team (also DROPBOX_EMULATOR_LICENSES).
        #[arg(long, env = "DROPBOX_EMULATOR_LICENSES", default_value_t = DEFAULT_LICENSES,
            value_parser = clap::value_parser!(u32).range(1..))]
        licenses: u32,
    },
    /// Run the Dropbox Team API emulator on its own.
    Emulator {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8765")]
        listen: SocketAddr,
        /// Licence seats of the emulated team (also DROPBOX_EMULATOR_LICENSES).
        #[arg(long, env = "DROPBOX_EMULATOR_LICENSES", default_value_t = DEFAULT_LICENSES,
            value_parser = clap::value_parser!(u32).range(1..))]
        licenses: u32,
    },
    /// Find what will fail: the config, IdP tokens, Dropbox credentials and scopes, transfer
    /// targets and the store, each reported; exits non-zero when any check fails.
    Check {
        /// The TOML config file (also SCIM_BRIDGE_CONFIG).
        #[arg(long, env = "SCIM_BRIDGE_CONFIG")]
        config: Option<PathBuf>,
        /// Print the report as JSON: {"status", "checks": [{"name", "status", "detail"}]}.
        #[arg(long)]
        json: bool,
        /// Only print the effective config and where each value came from (secrets redacted).
        #[arg(long)]
        print_config: bool,
    },
    /// Show the audit log of SCIM writes and the Dropbox calls they made (newest first).
    Audit(audit::AuditArgs),
    /// List scheduled removals with their due time, or cancel / retry one.
    Pending {
        /// Where the store is.
        #[command(flatten)]
        store: audit::StoreArgs,
        /// Cancel this removal (a removal id or a SCIM user id).
        #[arg(long, conflicts_with_all = ["retry", "run_now", "state"])]
        cancel: Option<String>,
        /// Schedule this blocked or failed removal again (what is left of its grace period still runs).
        #[arg(long, conflicts_with_all = ["run_now", "state"])]
        retry: Option<String>,
        /// With --retry: transfer the files to this active member (e-mail or dbmid: id) instead;
        /// checked in Dropbox before anything is stored.
        #[arg(long, requires = "retry")]
        transfer_dest: Option<String>,
        /// Run this removal on the next worker pass, skipping the rest of its grace period
        /// (a blocked or failed one is retried with its stored policy).
        #[arg(long, conflicts_with = "state")]
        run_now: Option<String>,
        /// List only the removals in this state.
        #[arg(long, value_parser = ["pending", "running", "done", "failed", "cancelled", "blocked"])]
        state: Option<String>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Authorise the bridge's Dropbox app (OAuth 2 with PKCE) and save its refresh token.
    DropboxLogin(login::LoginArgs),
    /// GET /healthz (or /readyz with --ready) on the configured listen address; exit 0 on a 2xx answer.
    Healthcheck(healthcheck::HealthcheckArgs),
    /// Send Dropbox's verification mail again for a member's pending secondary e-mails.
    ResendVerification(secondary_emails::ResendArgs),
    /// Make a new IdP bearer token and the hash to put in the config.
    Token {
        /// A label for the audit log, e.g. okta or entra.
        #[arg(long, default_value = "idp")]
        name: String,
    },
}

/// Runs one subcommand to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            config,
            demo: true,
            data_dir,
            licenses,
        } => serve::demo(config.as_deref(), &data_dir, licenses).await,
        Command::Serve { config, .. } => serve::serve(config.as_deref()).await,
        Command::Emulator { listen, licenses } => {
            let mut emulator = emulator_config_from_env();
            emulator.num_licensed_users = licenses;
            crate::emulator::run_standalone(listen, emulator).await
        }
        Command::Check {
            config,
            json,
            print_config,
        } => check::run(config.as_deref(), json, print_config).await,
        Command::Audit(args) => audit::audit(args).await,
        Command::Pending {
            store,
            cancel,
            retry,
            transfer_dest,
            run_now,
            state,
            json,
        } => {
            let url = &store.store_url()?;
            match (cancel, retry, run_now) {
                (Some(id), _, _) => pending::cancel(url, &id).await,
                (_, Some(id), _) => {
                    let mut config = crate::config::Config::load(store.config.as_deref())?;
                    config.store.url.clone_from(url);
                    pending_fix::retry(&config, &id, transfer_dest.as_deref()).await
                }
                (_, _, Some(id)) => pending_fix::run_now(url, &id).await,
                _ => {
                    let state = state.as_deref().and_then(RemovalState::from_name);
                    pending::list(url, state, json).await
                }
            }
        }
        Command::DropboxLogin(args) => login::run(args).await,
        Command::ResendVerification(args) => secondary_emails::run(args).await,
        Command::Healthcheck(args) => healthcheck::run(args).await,
        Command::Token { name } => {
            token::token(&name);
            Ok(())
        }
    }
}

fn emulator_config_from_env() -> crate::emulator::EmulatorConfig {
    let mut config = crate::emulator::EmulatorConfig::default();
    if let Ok(token) = std::env::var("DROPBOX_EMULATOR_TOKEN") {
        if !token.trim().is_empty() {
            config.static_token = Some(token.trim().to_owned());
        }
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    fn licenses(args: &[&str]) -> u32 {
        match Cli::try_parse_from(args).map(|c| c.command) {
            Ok(Command::Serve { licenses, .. } | Command::Emulator { licenses, .. }) => licenses,
            other => panic!("unexpected parse: {other:?}"),
        }
    }

    #[test]
    fn the_emulated_team_size_is_an_option() {
        assert_eq!(licenses(&["x", "emulator"]), DEFAULT_LICENSES);
        assert_eq!(licenses(&["x", "emulator", "--licenses", "20000"]), 20_000);
        assert_eq!(
            licenses(&["x", "serve", "--demo", "--licenses", "5000"]),
            5_000
        );
        assert!(Cli::try_parse_from(["x", "emulator", "--licenses", "0"]).is_err());
    }
}
