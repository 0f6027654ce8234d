//! The `[coalesce]` section: how long a create or an exact look-up waits for concurrent company
//! before its Dropbox call leaves (`members/add_v2` and `members/get_info_v2` take a list).
//! `window_ms` is what a lone request pays; `max_wait_ms` bounds the wait under load, when the recent
//! arrival rate says the batch will fill in time.

use serde::{Deserialize, Deserializer, Serialize};

/// The longest window accepted: an IdP request must not wait noticeably for company.
pub const MAX_COALESCE_WINDOW_MS: u64 = 1000;

/// Sharing of Dropbox calls between concurrent requests.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CoalesceConfig {
    /// How long (ms) the first request of a batch waits for others before the shared call leaves;
    /// a full batch (20) leaves at once. `0` turns coalescing off: every request calls alone.
    #[serde(default = "default_window_ms", deserialize_with = "window_ms")]
    pub window_ms: u64,
    /// The longest (ms) a batch waits, from its first item, when requests arrive fast enough to
    /// fill it by then (a provisioning wave); below `window_ms` it counts as `window_ms`.
    #[serde(default = "default_max_wait_ms", deserialize_with = "window_ms")]
    pub max_wait_ms: u64,
}

impl Default for CoalesceConfig {
    fn default() -> Self {
        Self {
            window_ms: default_window_ms(),
            max_wait_ms: default_max_wait_ms(),
        }
    }
}

fn default_window_ms() -> u64 {
    3
}

fn default_max_wait_ms() -> u64 {
    50
}

/// A window of at most [`MAX_COALESCE_WINDOW_MS`]; from the environment the value is a string.
fn window_ms<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(u64),
        Text(String),
    }
    let ms = match Raw::deserialize(d)? {
        Raw::Int(n) => n,
        Raw::Text(s) => s
            .trim()
            .parse::<u64>()
            .map_err(|_| serde::de::Error::custom("must be a whole number of milliseconds"))?,
    };
    if ms > MAX_COALESCE_WINDOW_MS {
        return Err(serde::de::Error::custom(format!(
            "must be at most {MAX_COALESCE_WINDOW_MS} (milliseconds)"
        )));
    }
    Ok(ms)
}
