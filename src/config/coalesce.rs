//! The `[coalesce]` section: how long a create or an exact look-up waits for concurrent company
//! before its Dropbox call leaves (`members/add_v2` and `members/get_info_v2` take a list).

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
}

impl Default for CoalesceConfig {
    fn default() -> Self {
        Self {
            window_ms: default_window_ms(),
        }
    }
}

fn default_window_ms() -> u64 {
    3
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
