//! Groups: the bridge's group operations against the emulator, and `/Groups` over HTTP.

mod bridge;
mod edge;
mod http;
mod list;
mod scale;
