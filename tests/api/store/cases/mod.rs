//! The cases run on both backends by `store_backends.rs`; each takes the store and its URL.

mod mirror;
mod users;
mod work;

pub use mirror::*;
pub use users::*;
pub use work::*;

use chrono::{DateTime, TimeZone, Utc};

/// A fixed instant plus `secs` seconds (times are injected, never read from a clock).
pub fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + secs, 0)
        .single()
        .expect("valid time")
}
