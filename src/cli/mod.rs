//! The command line: argument definitions and the dispatch to each subcommand.

mod admin;
mod serve;

pub use serve::dropbox_client;

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

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
    },
    /// Run the Dropbox Team API emulator on its own.
    Emulator {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8765")]
        listen: SocketAddr,
    },
    /// Validate the config and check the Dropbox credentials (token/get_authenticated_admin).
    Check {
        /// The TOML config file (also SCIM_BRIDGE_CONFIG).
        #[arg(long, env = "SCIM_BRIDGE_CONFIG")]
        config: Option<PathBuf>,
    },
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
        } => serve::demo(config.as_deref(), &data_dir).await,
        Command::Serve { config, .. } => serve::serve(config.as_deref()).await,
        Command::Emulator { listen } => {
            crate::emulator::run_standalone(listen, emulator_config_from_env()).await
        }
        Command::Check { config } => admin::check(config.as_deref()).await,
        Command::Token { name } => {
            admin::token(&name);
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
