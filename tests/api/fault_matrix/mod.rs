//! The fault matrix: every Dropbox write route the bridge uses, under every failure a network or
//! Dropbox can produce (429 JSON, 429 text, 500, 503, a connection dropped before the write, a reply
//! lost after the write). Each cell checks the SCIM answer, Dropbox's state (the write applied exactly
//! once, or not at all with an answer the IdP retries) and the audit entry.

mod lost_replies;
mod rig;

use crate::helpers::scim_calls::{GROUP_URN, USER_URN, patch_body as patch};
use dropbox_scim_bridge::emulator::Fault;
use futures::StreamExt;
use reqwest::Method;
use rig::{LONG_WAIT, Rig};
use serde_json::{Value, json};

/// The write routes under test, each with the SCIM request that makes it.
#[derive(Debug, Clone, Copy)]
enum Op {
    Invite,
    SetProfile,
    Suspend,
    Unsuspend,
    Remove,
    GroupCreate,
    GroupAdd,
    GroupRemove,
    GroupDelete,
}

const OPS: [Op; 9] = [
    Op::Invite,
    Op::SetProfile,
    Op::Suspend,
    Op::Unsuspend,
    Op::Remove,
    Op::GroupCreate,
    Op::GroupAdd,
    Op::GroupRemove,
    Op::GroupDelete,
];

impl Op {
    fn route(self) -> &'static str {
        match self {
            Op::Invite => "members/add_v2",
            Op::SetProfile => "members/set_profile_v2",
            Op::Suspend => "members/suspend",
            Op::Unsuspend => "members/unsuspend",
            Op::Remove => "members/remove",
            Op::GroupCreate => "groups/create",
            Op::GroupAdd => "groups/members/add",
            Op::GroupRemove => "groups/members/remove",
            Op::GroupDelete => "groups/delete",
        }
    }

    /// Routes that are never re-sent blindly: a failure the bridge cannot resolve reaches the IdP.
    fn resent(self) -> bool {
        !matches!(self, Op::Invite | Op::GroupCreate)
    }

    /// The status the IdP sees on success, and the one the audit records.
    fn success(self) -> (u16, i64) {
        match self {
            Op::Invite | Op::GroupCreate => (201, 201),
            Op::GroupDelete => (204, 204),
            // A group PATCH answers 204 (no attributes asked for), but its audit entry says 200.
            Op::GroupAdd | Op::GroupRemove => (204, 200),
            _ => (200, 200),
        }
    }
}

/// What a cell set up: the request to make and what to look at afterwards.
struct Setup {
    method: Method,
    path: String,
    body: Option<Value>,
    /// The member or group the write is about.
    target: String,
    /// A second id (the member of a group write).
    other: String,
}

const EMAIL: &str = "matrix@example.com";
const GROUP: &str = "Matrix";

async fn set_up(rig: &Rig, op: Op) -> Setup {
    let (method, path, body, target, other) = match op {
        Op::Invite => {
            let body = json!({"schemas": [USER_URN], "userName": EMAIL,
                "name": {"givenName": "Mat", "familyName": "Rix"}, "active": true});
            (
                Method::POST,
                "/Users".to_owned(),
                Some(body),
                String::new(),
                String::new(),
            )
        }
        Op::SetProfile | Op::Suspend | Op::Remove => {
            let id = if matches!(op, Op::Remove) {
                rig.user(EMAIL).await
            } else {
                rig.joined_user(EMAIL).await
            };
            let ops = match op {
                Op::SetProfile => {
                    json!([{"op": "replace", "path": "name.givenName", "value": "Renamed"}])
                }
                _ => json!([{"op": "replace", "path": "active", "value": false}]),
            };
            (
                Method::PATCH,
                format!("/Users/{id}"),
                Some(patch(ops)),
                id,
                String::new(),
            )
        }
        Op::Unsuspend => {
            let id = rig.joined_user(EMAIL).await;
            let off = patch(json!([{"op": "replace", "path": "active", "value": false}]));
            rig.must(Method::PATCH, &format!("/Users/{id}"), off).await;
            let on = patch(json!([{"op": "replace", "path": "active", "value": true}]));
            (
                Method::PATCH,
                format!("/Users/{id}"),
                Some(on),
                id,
                String::new(),
            )
        }
        Op::GroupCreate => {
            let body = json!({"schemas": [GROUP_URN], "displayName": GROUP});
            (
                Method::POST,
                "/Groups".to_owned(),
                Some(body),
                String::new(),
                String::new(),
            )
        }
        Op::GroupAdd => {
            let uid = rig.joined_user(EMAIL).await;
            let gid = rig.group(GROUP, &[]).await;
            let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": uid}]}]));
            (Method::PATCH, format!("/Groups/{gid}"), Some(add), gid, uid)
        }
        Op::GroupRemove => {
            let uid = rig.joined_user(EMAIL).await;
            let gid = rig.group(GROUP, &[&uid]).await;
            let path = format!("members[value eq \"{uid}\"]");
            let remove = patch(json!([{"op": "remove", "path": path}]));
            (
                Method::PATCH,
                format!("/Groups/{gid}"),
                Some(remove),
                gid,
                uid,
            )
        }
        Op::GroupDelete => {
            let gid = rig.group(GROUP, &[]).await;
            (
                Method::DELETE,
                format!("/Groups/{gid}"),
                None,
                gid,
                String::new(),
            )
        }
    };
    Setup {
        method,
        path,
        body,
        target,
        other,
    }
}

/// How many times the write shows in Dropbox's state (0 or 1; 2 would be a doubled write).
async fn applied(rig: &Rig, op: Op, s: &Setup) -> usize {
    match op {
        Op::Invite => rig.members_with(EMAIL).await.len(),
        Op::SetProfile => {
            let p = rig.emu().member(&s.target).unwrap_or_default();
            usize::from(p["name"]["given_name"] == json!("Renamed"))
        }
        Op::Suspend => usize::from(rig.status_of(&s.target).await == "suspended"),
        Op::Unsuspend => usize::from(rig.status_of(&s.target).await == "active"),
        Op::Remove => usize::from(rig.status_of(&s.target).await == "removed"),
        Op::GroupCreate => rig.groups_named(GROUP).await.len(),
        Op::GroupAdd => {
            let ids = rig.group_member_ids(&s.target).await;
            ids.iter().filter(|m| **m == s.other).count()
        }
        Op::GroupRemove => {
            let ids = rig.group_member_ids(&s.target).await;
            usize::from(!ids.contains(&s.other))
        }
        Op::GroupDelete => usize::from(rig.groups_named(GROUP).await.is_empty()),
    }
}

/// The faults, by case name.
fn faults() -> Vec<(&'static str, Fault)> {
    vec![
        (
            "429 JSON",
            Fault::RateLimitJson {
                retry_after: LONG_WAIT,
                reason_write_ops: true,
                body_retry_after: true,
            },
        ),
        (
            "429 text",
            Fault::RateLimitText {
                retry_after: LONG_WAIT,
            },
        ),
        ("500", Fault::Internal500),
        ("503", Fault::Unavailable503 { retry_after: None }),
        ("dropped before the write", Fault::DropConnection),
        ("reply lost after the write", Fault::DropAfterWrite),
    ]
}

/// Runs one cell; answers the failed checks, each naming the case.
async fn cell(op: Op, fault_name: &'static str, fault: Fault) -> Vec<String> {
    let case = format!("{} × {fault_name}", op.route());
    let rig = Rig::spawn().await;
    let s = set_up(&rig, op).await;
    let calls_before = rig.emu().stats().get(op.route()).copied().unwrap_or(0);
    rig.emu().inject_fault(op.route(), fault.clone(), 1);
    let answer = rig.scim(s.method.clone(), &s.path, s.body.clone()).await;
    let mut failed = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            failed.push(format!("{case}: {what}"));
        }
    };
    let calls = rig.emu().stats().get(op.route()).copied().unwrap_or(0) - calls_before;
    check(calls >= 1, format!("{} was not called", op.route()));
    let rate_limited = matches!(
        fault,
        Fault::RateLimitJson { .. } | Fault::RateLimitText { .. }
    );
    let write_happened = matches!(fault, Fault::DropAfterWrite);
    let ((want_status, want_audit), want_applied) = if rate_limited {
        ((429, 429), 0)
    } else if write_happened || op.resent() {
        (op.success(), 1)
    } else {
        ((503, 503), 0)
    };
    check(
        answer.status == want_status,
        format!(
            "SCIM status {} (want {want_status}): {}",
            answer.status, answer.body
        ),
    );
    match want_status {
        429 => check(
            answer.retry_after.as_deref() == Some(&LONG_WAIT.to_string()),
            format!("Retry-After {:?}, want {LONG_WAIT}", answer.retry_after),
        ),
        503 => check(
            answer.retry_after.is_some(),
            "a 503 without Retry-After".to_owned(),
        ),
        _ => {}
    }
    let n = applied(&rig, op, &s).await;
    check(
        n == want_applied,
        format!("the write shows {n} times in Dropbox, want {want_applied}"),
    );
    let (audit_status, routes) = rig.last_audit().await;
    check(
        audit_status == want_audit,
        format!("audit status {audit_status}, want {want_audit}"),
    );
    check(
        routes.iter().any(|r| r == op.route()),
        format!("audit calls {routes:?} lack {}", op.route()),
    );
    failed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_route_under_every_fault() {
    let cells: Vec<(Op, &'static str, Fault)> = OPS
        .iter()
        .flat_map(|op| faults().into_iter().map(move |(n, f)| (*op, n, f)))
        .collect();
    let failed: Vec<String> = futures::stream::iter(cells)
        .map(|(op, name, fault)| cell(op, name, fault))
        .buffer_unordered(6)
        .flat_map(futures::stream::iter)
        .collect()
        .await;
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
