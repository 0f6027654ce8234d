//! Waiting on a condition with a deadline, instead of sleeping for a guessed time.

use std::time::Duration;
use tokio::time::Instant;

/// Polls `done` every 20 ms until it holds (true) or `deadline` passes (false).
pub async fn eventually(deadline: Duration, mut done: impl AsyncFnMut() -> bool) -> bool {
    let end = Instant::now() + deadline;
    loop {
        if done().await {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
