//! TEMPORARY until the jobs branch lands.

use crate::bridge::Bridge;
use crate::store::Store;

/// Background workers.
pub struct Workers;

impl Workers {
    /// Starts nothing yet.
    pub fn start(_b: Bridge, _s: Store) -> Self {
        Workers
    }
    /// Stops.
    pub async fn stop(self) {}
}
