//! Where the operator commands (`audit`, `pending`) find the store, and how they open it: only an
//! existing one, never creating an empty database.

use crate::store::{Access, Store};
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

/// Which store an operator command reads: the config's, or the demo's with `--demo`.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The TOML config file (also SCIM_BRIDGE_CONFIG); its store is read.
    #[arg(long, env = "SCIM_BRIDGE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Read the store of `serve --demo` (in --data-dir) instead of the config's.
    #[arg(long)]
    pub demo: bool,
    /// The demo's data folder, as given to `serve --demo`.
    #[arg(long, default_value = "data/demo", requires = "demo")]
    pub data_dir: PathBuf,
}

impl StoreArgs {
    /// The store URL to open: the demo's SQLite file, or `store.url` of the loaded config.
    pub fn store_url(&self) -> anyhow::Result<String> {
        if self.demo {
            return Ok(format!(
                "sqlite://{}",
                self.data_dir.join("bridge.sqlite").display()
            ));
        }
        Ok(crate::config::Config::load(self.config.as_deref())?
            .store
            .url)
    }
}

/// Opens the existing store for an operator command, or explains where it was looked for.
pub async fn open_store(url: &str, access: Access) -> anyhow::Result<Store> {
    Store::open_existing(url, access).await.with_context(|| {
        "cannot open the store (nothing was created): point --config (or SCIM_BRIDGE_CONFIG) at the \
         bridge's config, or add --demo to read the store of `serve --demo`"
    })
}
