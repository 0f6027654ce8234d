//! The Dropbox emulator's HTTP surface and its answers' shapes next to the spec's examples.

mod admin_client;
mod admin_golden;
mod admin_replay;
mod admin_rig;
mod admin_rules;
mod golden;
mod http;
