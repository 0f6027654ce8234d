//! When a failed Dropbox call may be sent again: the retry policy and the per-route safety table.
//!
//! A 429 is always safe to retry: Dropbox refused the request before doing anything. A connection
//! that could not be opened is safe too: nothing was sent. A 5xx, a timeout or a connection dropped
//! after the request went out are different: the request may have taken effect. Those are retried
//! only on routes where sending it twice leaves the team in the same state ([`Resend::Safe`]), and
//! the table says what a caller sees when the first attempt had in fact succeeded.

use std::time::Duration;

use rand::Rng;

/// How the client retries inside one call.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Total attempts per call, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The first backoff delay; it doubles on each further attempt.
    pub base_delay: Duration,
    /// The largest backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` we wait out; beyond it the call fails with `RateLimited` at once.
    pub max_retry_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_wait: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The backoff before attempt `attempt + 1`, exponential with jitter in `[d/2, d]`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(rand::thread_rng().gen_range(0..=jitter_ms))
    }
}

/// Whether a request that may already have taken effect can be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Sending it twice leaves the same state; retry 5xx, timeouts and dropped connections.
    Safe,
    /// Sending it twice could act twice; only 429 and refused connections are retried.
    Unsafe,
}

/// One row of the table: route (URL form), safety, and why.
#[derive(Debug)]
pub struct RouteRule {
    /// The route in URL form, as in `/2/team/<route>`.
    pub route: &'static str,
    /// Whether a possibly-applied request may be re-sent.
    pub resend: Resend,
    /// Why, and what a retry that follows a hidden success answers.
    pub reason: &'static str,
}

const fn rule(route: &'static str, resend: Resend, reason: &'static str) -> RouteRule {
    RouteRule {
        route,
        resend,
        reason,
    }
}

use Resend::{Safe, Unsafe};

/// The per-route table. Routes not listed are treated as [`Resend::Unsafe`].
pub const ROUTE_RULES: &[RouteRule] = &[
    rule("members/get_info_v2", Safe, "read"),
    rule("members/list_v2", Safe, "read"),
    rule(
        "members/list/continue_v2",
        Safe,
        "read; the cursor is not consumed",
    ),
    rule("members/add/job_status/get_v2", Safe, "poll, read-only"),
    rule("members/remove/job_status/get", Safe, "poll, read-only"),
    rule("groups/job_status/get", Safe, "poll, read-only"),
    rule("groups/get_info", Safe, "read"),
    rule("groups/list", Safe, "read"),
    rule("groups/list/continue", Safe, "read"),
    rule("groups/members/list", Safe, "read"),
    rule("groups/members/list/continue", Safe, "read"),
    rule("get_info", Safe, "read"),
    rule("members/get_available_team_member_roles", Safe, "read"),
    rule("token/get_authenticated_admin", Safe, "read"),
    rule(
        "members/add_v2",
        Unsafe,
        "creates invitations; a lost success would answer user_already_on_team per item. \
         The caller resolves a failed add by looking the email up",
    ),
    rule(
        "groups/create",
        Unsafe,
        "creates a group; a lost success would answer group_name_already_used. \
         The caller resolves a 5xx or a dropped reply by looking the group up: by external id \
         (groups/get_info), else by name (groups/list) and creation time",
    ),
    rule(
        "members/send_welcome_email",
        Unsafe,
        "each call sends an email the invitee sees; the caller decides whether to resend",
    ),
    rule(
        "members/set_profile_v2",
        Safe,
        "sets fields to given values; same end state. If the member was selected by the email \
         being changed, a retry after a hidden success answers user_not_found: select by \
         team_member_id",
    ),
    rule(
        "members/set_admin_permissions_v2",
        Safe,
        "sets a role to a given value; same end state. A retry after a hidden demotion of the \
         last team admin finds a member-only member and succeeds; last_admin itself is a 409 \
         and is never re-sent",
    ),
    rule(
        "member_space_limits/set_custom_quota",
        Safe,
        "sets a member's quota to a given value; same end state",
    ),
    rule(
        "member_space_limits/remove_custom_quota",
        Safe,
        "same end state; removing a quota already removed succeeds",
    ),
    rule(
        "members/suspend",
        Safe,
        "same end state; a retry after a hidden success answers suspend_inactive_user, \
         which the caller must treat as success",
    ),
    rule(
        "members/unsuspend",
        Safe,
        "same end state; a retry after a hidden success answers unsuspend_non_suspended_member, \
         which the caller must treat as success",
    ),
    rule(
        "members/remove",
        Safe,
        "same end state; a retry after a hidden success answers user_not_in_team (the member is \
         removed) or user_not_found (a withdrawn invitation), which the caller must treat as \
         success",
    ),
    rule(
        "members/recover",
        Safe,
        "same end state; a retry after a hidden success answers user_unrecoverable or \
         user_not_in_team; the caller confirms with get_info",
    ),
    rule(
        "members/secondary_emails/add",
        Safe,
        "adds given addresses; a retry after a hidden success answers already_owned_by_user or \
         already_pending per address (no second verification mail), which the caller must treat \
         as success",
    ),
    rule(
        "members/secondary_emails/delete",
        Safe,
        "same end state; a retry after a hidden success answers not_found per address, which the \
         caller must treat as success",
    ),
    rule(
        "members/secondary_emails/resend_verification_emails",
        Unsafe,
        "each call sends an e-mail the address's owner sees",
    ),
    rule(
        "groups/update",
        Safe,
        "sets fields to given values; select by group_id, since a retry selecting by an \
         external id being changed answers group_not_found",
    ),
    rule(
        "groups/delete",
        Safe,
        "same end state; a retry after a hidden success answers group_not_found or \
         group_already_deleted, which the caller must treat as success",
    ),
    rule(
        "groups/members/add",
        Safe,
        "same end state; a retry after a hidden success answers duplicate_user, \
         which the caller must treat as success",
    ),
    rule(
        "groups/members/remove",
        Safe,
        "same end state; a retry after a hidden success answers member_not_in_group, \
         which the caller must treat as success",
    ),
];

/// The resend safety of `route` (URL form); unknown routes are unsafe.
pub fn resend_for(route: &str) -> Resend {
    ROUTE_RULES
        .iter()
        .find(|r| r.route == route)
        .map_or(Unsafe, |r| r.resend)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_idempotent_routes_are_unsafe() {
        assert_eq!(resend_for("members/add_v2"), Unsafe);
        assert_eq!(resend_for("groups/create"), Unsafe);
        assert_eq!(resend_for("members/made_up"), Unsafe);
        assert_eq!(resend_for("members/suspend"), Safe);
        assert_eq!(resend_for("members/secondary_emails/add"), Safe);
        assert_eq!(resend_for("members/secondary_emails/delete"), Safe);
        assert_eq!(
            resend_for("members/secondary_emails/resend_verification_emails"),
            Unsafe
        );
        assert_eq!(resend_for("members/set_admin_permissions_v2"), Safe);
        assert_eq!(resend_for("members/get_available_team_member_roles"), Safe);
    }

    #[test]
    fn backoff_grows_within_bounds() {
        let p = RetryPolicy::default();
        for attempt in 1..10 {
            let d = p.backoff(attempt);
            assert!(d <= p.max_delay, "attempt {attempt}: {d:?}");
            assert!(d >= p.base_delay / 2);
        }
    }
}
