//! dropbox-scim-bridge: a SCIM 2.0 service provider that turns Users and Groups into Dropbox Team API calls.
//!
//! Layers (one direction only): `http` -> `bridge` -> (`store`, `dropbox`). `scim` is a leaf (the protocol:
//! schemas, filters, PATCH) used by `http` and `bridge`; `config` and `tokens` are leaves too. `app` wires
//! the layers together and starts the background `jobs`; `cli` runs the subcommands. The `emulator` is a
//! faithful local Dropbox Team API used by demo mode, the tests and the benchmarks.

pub mod app;
pub mod bridge;
pub mod cli;
pub mod config;
pub mod dropbox;
pub mod emulator;
pub mod http;
pub mod jobs;
pub mod net_error;
pub mod reload;
pub mod scim;
pub mod store;
pub mod telemetry;
pub mod tokens;
