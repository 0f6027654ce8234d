//! The emulator's call log: the last [`CALLS_KEPT_PER_ROUTE`] request bodies of each route, so a
//! long-running demo emulator does not grow without bound. The exact per-route counters are `Model::stats`.

use std::collections::{BTreeMap, VecDeque};

use serde_json::Value;

/// Request bodies kept per route; older ones are dropped (the counters stay exact).
pub const CALLS_KEPT_PER_ROUTE: usize = 1000;

/// The most recent request bodies per route.
#[derive(Debug, Default)]
pub(crate) struct CallLog {
    bodies: BTreeMap<String, VecDeque<Value>>,
}

impl CallLog {
    /// Keeps the body of one call of `route`, dropping the oldest past the cap.
    pub fn record(&mut self, route: &str, body: Value) {
        let kept = self.bodies.entry(route.to_owned()).or_default();
        if kept.len() == CALLS_KEPT_PER_ROUTE {
            kept.pop_front();
        }
        kept.push_back(body);
    }

    /// The last bodies received on `route`, oldest first.
    pub fn bodies(&self, route: &str) -> Vec<Value> {
        self.bodies
            .get(route)
            .map(|q| q.iter().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_are_capped_per_route() {
        let mut log = CallLog::default();
        let n = CALLS_KEPT_PER_ROUTE + 250;
        for i in 0..n {
            log.record("members/get_info_v2", json!(i));
        }
        log.record("groups/create", json!("g"));
        let kept = log.bodies("members/get_info_v2");
        assert_eq!(kept.len(), CALLS_KEPT_PER_ROUTE);
        assert_eq!(kept.first(), Some(&json!(250)), "the oldest are dropped");
        assert_eq!(kept.last(), Some(&json!(n - 1)));
        assert_eq!(log.bodies("groups/create"), vec![json!("g")]);
        assert!(log.bodies("members/remove").is_empty());
    }
}
