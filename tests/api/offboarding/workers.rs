//! The deferred-removal worker and the job follower against the emulator over loopback and a SQLite
//! store: exactly-once removal, async jobs, blocked and cancelled removals, retries, and recovery
//! after a process died between the Dropbox removal and recording it.

use crate::helpers::bridge_env::BridgeEnv;
use crate::helpers::wait::eventually;
use chrono::Utc;
use dropbox_scim_bridge::config::{DeprovisionConfig, DeprovisionPolicy, TransferTo};
use dropbox_scim_bridge::dropbox::team::{MembersRemoveArg, UserSelectorArg};
use dropbox_scim_bridge::emulator::Fault;
use dropbox_scim_bridge::jobs::{PassReport, RemovalWorker, WorkerConfig, Workers};
use dropbox_scim_bridge::store::{AuditQuery, PendingRemoval, RemovalState};
use serde_json::Value;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn fast() -> WorkerConfig {
    WorkerConfig {
        removal_interval: Duration::from_millis(20),
        follow_interval: Duration::from_millis(20),
        retry_base: Duration::from_secs(60),
        ..WorkerConfig::default()
    }
}

fn policy() -> DeprovisionConfig {
    DeprovisionConfig {
        policy: DeprovisionPolicy::SuspendThenRemove,
        grace_period_secs: 60,
        ..DeprovisionConfig::default()
    }
}

impl BridgeEnv {
    /// Suspends the member (as `delete_user` does) and schedules its removal, already due.
    async fn schedule(&self, id: &str, policy: &DeprovisionConfig) -> PendingRemoval {
        self.suspend(id).await;
        let now = Utc::now();
        let json = serde_json::to_string(policy).expect("policy json");
        let due = now - chrono::Duration::seconds(1);
        self.store
            .schedule_removal(id, id, due, &json, now)
            .await
            .expect("schedule")
    }

    fn status(&self, id: &str) -> Value {
        self.running.emulator.member(id).expect("member")["status"][".tag"].clone()
    }

    /// One pass of a fresh worker named `id`.
    async fn run_pass(&self, id: &str) -> PassReport {
        self.worker(id)
            .run_pass(&CancellationToken::new())
            .await
            .expect("pass")
    }

    fn worker(&self, id: &str) -> RemovalWorker {
        RemovalWorker::new(
            self.bridge.clone(),
            self.store.clone(),
            id.to_owned(),
            fast(),
        )
    }

    async fn removal(&self, id: &str) -> PendingRemoval {
        self.store
            .get_removal(id)
            .await
            .expect("get")
            .expect("known")
    }

    /// Waits (polling the store) until `done` holds; a generous cap turns a hang into a failure.
    async fn wait_for(&self, what: &str, mut done: impl AsyncFnMut(&BridgeEnv) -> bool) {
        let held = eventually(Duration::from_secs(20), async || done(self).await).await;
        assert!(held, "gave up waiting for {what}");
    }
}

#[tokio::test]
async fn a_due_removal_runs_exactly_once_and_is_recorded() {
    let env = BridgeEnv::builder()
        .single_attempt()
        .fast_polls()
        .build()
        .await;
    let ids = env.running.emulator.seed_members(1);
    let removal = env.schedule(&ids[0], &policy()).await;
    let workers = Workers::start_with(env.bridge.clone(), env.store.clone(), fast());
    let rid = removal.id.clone();
    env.wait_for("the removal to be done", async |e| {
        e.removal(&rid).await.state == RemovalState::Done
    })
    .await;
    workers.stop().await;
    let again = env.run_pass("late").await;
    assert_eq!(again.claimed, 0);
    assert_eq!(env.count("members/remove"), 1);
    assert_eq!(env.status(&ids[0]), "removed");
    let done = env.removal(&removal.id).await;
    let outcome: Value =
        serde_json::from_str(done.outcome.as_deref().expect("outcome")).expect("json");
    assert_eq!(outcome["result"], "complete");
    assert_eq!(outcome["transfer"]["kind"], "none");
    let query = AuditQuery {
        resource_id: Some(ids[0].clone()),
        ..AuditQuery::default()
    };
    let audit = env.store.query_audit(&query).await.expect("audit");
    assert_eq!(audit.len(), 1);
    let routes: Vec<&str> = audit[0]
        .dropbox_calls
        .iter()
        .map(|c| c.route.as_str())
        .collect();
    assert_eq!(routes, ["members/get_info_v2", "members/remove"]);
}

#[tokio::test]
async fn an_async_removal_is_followed_to_its_end_by_the_workers() {
    let env = BridgeEnv::builder()
        .remove_async()
        .single_attempt()
        .fast_polls()
        .build()
        .await;
    let ids = env.running.emulator.seed_members(1);
    let removal = env.schedule(&ids[0], &policy()).await;
    let workers = Workers::start_with(env.bridge.clone(), env.store.clone(), fast());
    let rid = removal.id.clone();
    env.wait_for("the removal and its job to end", async |e| {
        let done = e.removal(&rid).await.state == RemovalState::Done;
        done && e.store.running_jobs().await.expect("jobs").is_empty()
    })
    .await;
    workers.stop().await;
    let outcome: Value = serde_json::from_str(
        env.removal(&removal.id)
            .await
            .outcome
            .as_deref()
            .expect("outcome"),
    )
    .expect("json");
    assert_eq!(outcome["result"], "started");
    let job_id = outcome["job_id"].as_str().expect("job id");
    let job = env
        .store
        .get_job(job_id)
        .await
        .expect("job")
        .expect("tracked");
    assert_eq!(job.state, "complete");
    assert_eq!(env.count("members/remove"), 1);
}

#[tokio::test]
async fn a_removal_without_transfer_destination_is_blocked_and_visible() {
    let env = BridgeEnv::builder()
        .single_attempt()
        .fast_polls()
        .build()
        .await;
    let ids = env.running.emulator.seed_members(1);
    let blocked_policy = DeprovisionConfig {
        transfer_to: TransferTo::Manager,
        transfer_admin: Some("admin@example.com".to_owned()),
        ..policy()
    };
    let removal = env.schedule(&ids[0], &blocked_policy).await;
    let report = env.run_pass("w1").await;
    assert_eq!((report.claimed, report.blocked), (1, 1));
    let row = env.removal(&removal.id).await;
    assert_eq!(row.state, RemovalState::Blocked);
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("transfer_dest"))
    );
    assert_eq!(env.count("members/remove"), 0);
    assert_eq!(env.status(&ids[0]), "suspended");
}

#[tokio::test]
async fn a_cancelled_removal_never_reaches_dropbox() {
    let env = BridgeEnv::builder()
        .single_attempt()
        .fast_polls()
        .build()
        .await;
    let ids = env.running.emulator.seed_members(1);
    env.schedule(&ids[0], &policy()).await;
    assert!(
        env.store
            .cancel_removal(&ids[0], Utc::now())
            .await
            .expect("cancel")
    );
    let report = env.run_pass("w1").await;
    assert_eq!(report.claimed, 0);
    assert_eq!(env.count("members/remove"), 0);
}

#[tokio::test]
async fn a_transient_failure_is_retried_later_with_the_error_kept() {
    let env = BridgeEnv::builder()
        .single_attempt()
        .fast_polls()
        .build()
        .await;
    let ids = env.running.emulator.seed_members(1);
    let removal = env.schedule(&ids[0], &policy()).await;
    let fault = Fault::Unavailable503 { retry_after: None };
    env.running
        .emulator
        .inject_fault("members/remove", fault, 1);
    let before = Utc::now();
    let report = env.run_pass("w1").await;
    assert_eq!(report.retried, 1);
    let row = env.removal(&removal.id).await;
    assert_eq!(row.state, RemovalState::Pending);
    assert!(
        row.due_at >= before + chrono::Duration::seconds(59),
        "due {}",
        row.due_at
    );
    assert!(row.last_error.is_some());
    assert_eq!(env.status(&ids[0]), "suspended");
}

#[tokio::test]
async fn a_permanent_dropbox_refusal_fails_the_removal() {
    let env = BridgeEnv::builder()
        .single_attempt()
        .fast_polls()
        .build()
        .await;
    // The transfer admin is not an admin: Dropbox answers transfer_admin_is_not_admin every time.
    let ids = env.running.emulator.seed_members(2);
    let bad = DeprovisionConfig {
        transfer_to: TransferTo::Member,
        transfer_dest: Some("admin@example.com".to_owned()),
        transfer_admin: Some(ids[1].clone()),
        ..policy()
    };
    let removal = env.schedule(&ids[0], &bad).await;
    let report = env.run_pass("w1").await;
    assert_eq!(report.failed, 1);
    let row = env.removal(&removal.id).await;
    assert_eq!(row.state, RemovalState::Failed);
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("transfer_admin_is_not_admin"))
    );
}

#[tokio::test]
async fn a_worker_that_died_after_dropbox_removed_the_member_is_finished_by_another() {
    let env = BridgeEnv::builder()
        .single_attempt()
        .fast_polls()
        .build()
        .await;
    let ids = env.running.emulator.seed_members(1);
    let removal = env.schedule(&ids[0], &policy()).await;
    // The dead worker claimed with a lease that has run out, and Dropbox had removed the member.
    let lease = chrono::Duration::zero();
    let claimed = env.store.claim_due("dead-1-0", Utc::now(), lease, 10);
    assert_eq!(claimed.await.expect("claim").len(), 1);
    let arg = MembersRemoveArg::new(UserSelectorArg::TeamMemberId(ids[0].clone()));
    env.client.members_remove(&arg).await.expect("remove");
    let report = env.run_pass("w2").await;
    assert_eq!((report.claimed, report.done), (1, 1));
    let row = env.removal(&removal.id).await;
    assert_eq!(row.state, RemovalState::Done);
    assert!(
        row.outcome
            .as_deref()
            .is_some_and(|o| o.contains("already_removed"))
    );
    assert_eq!(env.count("members/remove"), 1);
}

#[tokio::test]
async fn stop_finishes_the_removal_in_flight_and_hands_back_the_rest() {
    let env = BridgeEnv::builder()
        .single_attempt()
        .fast_polls()
        .build()
        .await;
    let ids = env.running.emulator.seed_members(1);
    let removal = env.schedule(&ids[0], &policy()).await;
    // Slow Dropbox answers keep the removal in flight long enough to ask for a stop meanwhile.
    let slow = Duration::from_millis(300);
    env.running.emulator.set_latency(slow, Duration::ZERO);
    let workers = Workers::start_with(env.bridge.clone(), env.store.clone(), fast());
    let rid = removal.id.clone();
    env.wait_for("the removal to be claimed", async |e| {
        e.removal(&rid).await.state == RemovalState::Running
    })
    .await;
    workers.stop().await;
    assert_eq!(env.removal(&removal.id).await.state, RemovalState::Done);
    assert_eq!(env.count("members/remove"), 1);
    // Claimed after the stop was asked for: handed back, due at once, Dropbox untouched.
    env.running
        .emulator
        .set_latency(Duration::ZERO, Duration::ZERO);
    let more = env.running.emulator.seed_members(2);
    for id in &more {
        env.schedule(id, &policy()).await;
    }
    let stop = CancellationToken::new();
    stop.cancel();
    let report = env.worker("w1").run_pass(&stop).await.expect("pass");
    assert_eq!((report.claimed, report.skipped), (2, 2));
    let pending = env.store.list_removals(Some(RemovalState::Pending));
    let pending = pending.await.expect("list");
    assert_eq!(pending.len(), 2);
    assert!(
        pending
            .iter()
            .all(|r| r.claimed_by.is_none() && r.due_at <= Utc::now())
    );
    assert_eq!(env.count("members/remove"), 1);
}
