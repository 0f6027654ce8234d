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

    /// One call through the emulator's router: (status, body) or the error that ended the body.
    async fn call(
        app: &axum::Router,
        path: &str,
        body: serde_json::Value,
    ) -> Result<(u16, serde_json::Value), String> {
        use tower::ServiceExt;
        let req = axum::http::Request::post(path)
            .header("content-type", "application/json")
            .header("authorization", "Bearer faults-test-token")
            .body(axum::body::Body::from(body.to_string()))
            .map_err(|e| e.to_string())?;
        let resp = app.clone().oneshot(req).await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .map_err(|e| format!("reply lost: {e}"))?;
        Ok((status, serde_json::from_slice(&bytes).unwrap_or_default()))
    }

    #[tokio::test]
    async fn drop_after_applies_the_write_then_loses_the_reply() {
        use serde_json::json;
        let emu = crate::emulator::Emulator::new(crate::emulator::EmulatorConfig {
            static_token: Some("faults-test-token".into()),
            ..Default::default()
        });
        let app = emu.router();
        let fault = json!({"route": "members/add_v2", "kind": "drop_after"});
        assert_eq!(
            call(&app, "/_emulator/faults", fault).await.map(|r| r.0),
            Ok(200)
        );
        let add = json!({"new_members": [{"member_email": "lost@example.com",
            "member_given_name": "Lost", "member_surname": "Reply"}]});
        let first = call(&app, "/2/team/members/add_v2", add.clone()).await;
        assert!(first.is_err(), "the reply is lost: {first:?}");
        let members = emu.lock().members.len();
        assert_eq!(
            members, 2,
            "the admin and the member added before the reply was lost"
        );
        // The retry finds the write already applied; one injected fault is used up.
        let (status, retry) = call(&app, "/2/team/members/add_v2", add)
            .await
            .unwrap_or_default();
        assert_eq!(status, 200);
        assert_eq!(retry["complete"][0][".tag"], "user_already_on_team");
        assert_eq!(emu.stats().get("members/add_v2"), Some(&2));
    }

    #[test]
    fn drop_after_is_injectable_from_rust() {
        let mut f = FaultState::default();
        f.inject("groups/create", Fault::DropAfterWrite, 1);
        assert_eq!(f.take("groups/create"), Some(Fault::DropAfterWrite));
        assert_eq!(f.take("groups/create"), None);
    }
}
