//! Seeing what the bridge does: log set-up, the per-request log line's data, the start-up line and the
//! Prometheus metrics. A leaf like `config`: `http`, `bridge`, `dropbox` and `cli` feed it through its
//! hooks, and it imports none of them.

pub mod dropbox_hooks;
pub mod logging;
pub mod metrics;
pub mod request;
pub mod startup;
