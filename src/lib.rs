//! dropbox-scim-bridge: a SCIM 2.0 service provider that turns Users and Groups into Dropbox Team API calls.
//!
//! Layers (one direction only): `http` -> `scim` -> `bridge` -> (`store`, `dropbox`). The `emulator` is a
//! faithful local Dropbox Team API used by demo mode, the tests and the benchmarks.

pub mod app;
pub mod bridge;
pub mod cli;
pub mod config;
pub mod dropbox;
pub mod emulator;
pub mod http;
pub mod jobs;
pub mod scim;
pub mod store;
