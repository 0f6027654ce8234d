//! Fault model: per-route injected faults for the next N calls, latency, and a per-team rate limit.

use std::collections::HashMap;
use std::time::Duration;

use super::Fault;

/// Fault settings kept inside the model.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    pending: HashMap<String, Vec<(Fault, u32)>>,
    /// Fixed latency and jitter added to every /2/ call.
    pub latency: (Duration, Duration),
    /// Calls per minute allowed for the team, if limited.
    pub rate_limit: Option<u32>,
    window_start: i64,
    window_calls: u32,
}

impl FaultState {
    /// Queues `fault` for the next `times` calls of `route`.
    pub fn inject(&mut self, route: &str, fault: Fault, times: u32) {
        if times > 0 {
            self.pending
                .entry(route.to_string())
                .or_default()
                .push((fault, times));
        }
    }

    /// Takes the next injected fault for `route`, if any.
    pub fn take(&mut self, route: &str) -> Option<Fault> {
        let queue = self.pending.get_mut(route)?;
        let (fault, left) = queue.first_mut()?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            queue.remove(0);
        }
        Some(fault)
    }

    /// Counts a call against the fixed one-minute window; returns the seconds to wait when over.
    pub fn rate_check(&mut self, now_secs: i64) -> Option<u32> {
        let limit = self.rate_limit?;
        let window = now_secs - now_secs.rem_euclid(60);
        if window != self.window_start {
            self.window_start = window;
            self.window_calls = 0;
        }
        if self.window_calls >= limit {
            return Some(u32::try_from(window + 60 - now_secs).unwrap_or(60).max(1));
        }
        self.window_calls += 1;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_fault_applies_to_next_n_calls_only() {
        let mut f = FaultState::default();
        f.inject("members/add_v2", Fault::Internal500, 2);
        assert_eq!(f.take("members/add_v2"), Some(Fault::Internal500));
        assert_eq!(f.take("members/list_v2"), None);
        assert_eq!(f.take("members/add_v2"), Some(Fault::Internal500));
        assert_eq!(f.take("members/add_v2"), None);
    }

    #[test]
    fn rate_limit_window_resets_each_minute() {
        let mut f = FaultState {
            rate_limit: Some(2),
            ..FaultState::default()
        };
        assert_eq!(f.rate_check(120), None);
        assert_eq!(f.rate_check(130), None);
        assert_eq!(f.rate_check(150), Some(30));
        assert_eq!(f.rate_check(180), None);
    }
}
