//! The Dropbox emulator's HTTP surface and its answers' shapes next to the spec's examples.

mod golden;
mod http;
