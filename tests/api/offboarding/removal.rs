//! `remove_member` against the emulator over loopback: the exact `members/remove` arguments each
//! deprovisioning policy produces, blocking without a destination, invited members and async jobs.

use crate::helpers::bridge_env::BridgeEnv;
use dropbox_scim_bridge::bridge::{JobEnd, RemovalOutcome, TransferUsed};
use dropbox_scim_bridge::config::{DeprovisionConfig, TransferTo};
use dropbox_scim_bridge::dropbox::team::{MemberAddV2Arg, MemberAddV2Result, MembersAddV2Arg};
use dropbox_scim_bridge::store::{Enterprise, UserExtras};
use serde_json::{Value, json};

impl BridgeEnv {
    /// Removes the member whose SCIM id is its Dropbox id now, under `policy`.
    async fn remove_now(&self, id: &str, policy: &DeprovisionConfig) -> RemovalOutcome {
        self.bridge
            .remove_member(None, id, id, policy)
            .await
            .expect("remove")
    }

    fn remove_calls(&self) -> Vec<Value> {
        self.running.emulator.calls("members/remove")
    }

    async fn set_manager(&self, scim_id: &str, manager: &str) {
        let extras = UserExtras {
            enterprise: Some(Enterprise {
                manager_id: Some(manager.to_owned()),
                ..Enterprise::default()
            }),
            ..UserExtras::default()
        };
        let now = chrono::Utc::now();
        self.store
            .put_extras(scim_id, &extras, now)
            .await
            .expect("extras");
    }

    async fn invite(&self, email: &str) -> String {
        let arg = MembersAddV2Arg::new(vec![MemberAddV2Arg::new(email.to_owned())]);
        let items = self.client.add_members_wait(&arg).await.expect("add");
        match items.into_iter().next() {
            Some(MemberAddV2Result::Success(info)) => info.profile.team_member_id,
            other => panic!("invite failed: {other:?}"),
        }
    }
}

fn user(id: &str) -> Value {
    json!({".tag": "team_member_id", "team_member_id": id})
}

fn email(e: &str) -> Value {
    json!({".tag": "email", "email": e})
}

fn transfer_policy(to: TransferTo, dest: Option<&str>) -> DeprovisionConfig {
    DeprovisionConfig {
        transfer_to: to,
        transfer_dest: dest.map(str::to_owned),
        transfer_admin: Some("admin@example.com".to_owned()),
        ..DeprovisionConfig::default()
    }
}

/// Where the files of a removed member go. Seeded members are `ids[0]` (the leaver), `ids[1]`
/// and `ids[2]`; `seed2@example.com` is `ids[1]`'s e-mail.
struct TransferCase {
    name: &'static str,
    to: TransferTo,
    /// The configured destination: an e-mail, or the index of a seeded member.
    dest: Dest,
    /// The leaver's manager (index of a seeded member), if any.
    manager: Option<usize>,
    /// Suspend the manager before the removal.
    manager_suspended: bool,
    /// What the bridge reports it used, given the seeded ids.
    used: fn(&[String]) -> TransferUsed,
    /// The `transfer_dest_id` Dropbox must receive, given the seeded ids.
    sent_dest: fn(&[String]) -> Value,
}

/// A configured transfer destination.
enum Dest {
    Email(&'static str),
    Member(usize),
}

fn transfer_cases() -> Vec<TransferCase> {
    vec![
        TransferCase {
            name: "to a fixed member",
            to: TransferTo::Member,
            dest: Dest::Email("seed2@example.com"),
            manager: None,
            manager_suspended: false,
            used: |_| TransferUsed::Member("seed2@example.com".to_owned()),
            sent_dest: |_| email("seed2@example.com"),
        },
        TransferCase {
            name: "to an active manager, by member id",
            to: TransferTo::Manager,
            dest: Dest::Email("fallback@example.com"),
            manager: Some(1),
            manager_suspended: false,
            used: |ids| TransferUsed::Manager(ids[1].clone()),
            sent_dest: |ids| user(&ids[1]),
        },
        TransferCase {
            name: "a suspended manager falls back to the configured destination",
            to: TransferTo::Manager,
            dest: Dest::Member(2),
            manager: Some(1),
            manager_suspended: true,
            used: |ids| TransferUsed::Fallback(ids[2].clone()),
            sent_dest: |ids| user(&ids[2]),
        },
    ]
}

#[tokio::test]
async fn each_transfer_rule_sends_its_destination_to_dropbox() {
    for case in transfer_cases() {
        let name = case.name;
        let env = BridgeEnv::builder().fast_polls().build().await;
        let ids = env.running.emulator.seed_members(3);
        if let Some(manager) = case.manager {
            env.set_manager(&ids[0], &ids[manager]).await;
            if case.manager_suspended {
                env.suspend(&ids[manager]).await;
            }
        }
        let dest = match case.dest {
            Dest::Email(e) => e.to_owned(),
            Dest::Member(i) => ids[i].clone(),
        };
        let policy = transfer_policy(case.to, Some(&dest));

        let out = env.remove_now(&ids[0], &policy).await;

        let transfer = (case.used)(&ids);
        assert_eq!(out, RemovalOutcome::Complete { transfer }, "{name}");
        let expected = json!({"user": user(&ids[0]), "transfer_dest_id": (case.sent_dest)(&ids),
            "transfer_admin_id": email("admin@example.com")});
        assert_eq!(env.remove_calls(), vec![expected], "{name}");
        let status =
            env.running.emulator.member(&ids[0]).expect("member")["status"][".tag"].clone();
        assert_eq!(status, "removed", "{name}");
    }
}

#[tokio::test]
async fn no_manager_and_no_fallback_blocks_without_calling_remove() {
    let env = BridgeEnv::builder().fast_polls().build().await;
    let ids = env.running.emulator.seed_members(2);
    let policy = transfer_policy(TransferTo::Manager, None);
    let out = env.remove_now(&ids[0], &policy).await;
    assert!(
        matches!(&out, RemovalOutcome::Blocked(r) if r.contains("transfer_dest")),
        "{out:?}"
    );
    assert!(env.remove_calls().is_empty());
    // A manager that is not a member at all blocks the same way.
    env.set_manager(&ids[0], "dbmid:AAAAnotamemberatall").await;
    let out = env.remove_now(&ids[0], &policy).await;
    assert!(matches!(out, RemovalOutcome::Blocked(_)), "{out:?}");
    assert!(env.remove_calls().is_empty());
    let status = env.running.emulator.member(&ids[0]).expect("member")["status"][".tag"].clone();
    assert_eq!(status, "active");
}

#[tokio::test]
async fn keep_account_without_wipe_retains_team_shares() {
    let env = BridgeEnv::builder().fast_polls().build().await;
    let ids = env.running.emulator.seed_members(1);
    let policy = DeprovisionConfig {
        wipe_data: false,
        keep_account: true,
        retain_team_shares: true,
        ..DeprovisionConfig::default()
    };
    let out = env.remove_now(&ids[0], &policy).await;
    assert_eq!(
        out,
        RemovalOutcome::Complete {
            transfer: TransferUsed::None
        }
    );
    let expected = json!({"user": user(&ids[0]), "wipe_data": false, "keep_account": true,
        "retain_team_shares": true});
    assert_eq!(env.remove_calls(), vec![expected]);
}

#[tokio::test]
async fn invited_members_are_removed_without_transfer_or_kept_account() {
    let env = BridgeEnv::builder().fast_polls().build().await;
    let ids = env.running.emulator.seed_members(1);
    let invitee = env.invite("newbie@example.com").await;
    env.set_manager(&invitee, &ids[0]).await;
    let policy = DeprovisionConfig {
        wipe_data: false,
        keep_account: true,
        retain_team_shares: true,
        ..transfer_policy(TransferTo::Manager, None)
    };
    let out = env.remove_now(&invitee, &policy).await;
    assert_eq!(
        out,
        RemovalOutcome::Complete {
            transfer: TransferUsed::None
        }
    );
    assert_eq!(
        env.remove_calls(),
        vec![json!({"user": user(&invitee), "wipe_data": false})]
    );
}

#[tokio::test]
async fn an_already_removed_member_is_done_without_a_second_removal() {
    let env = BridgeEnv::builder().fast_polls().build().await;
    let ids = env.running.emulator.seed_members(1);
    let policy = DeprovisionConfig::default();
    let first = env.remove_now(&ids[0], &policy).await;
    assert_eq!(
        first,
        RemovalOutcome::Complete {
            transfer: TransferUsed::None
        }
    );
    let again = env
        .bridge
        .remove_member(None, &ids[0], &ids[0], &policy)
        .await
        .expect("again");
    assert_eq!(again, RemovalOutcome::AlreadyRemoved);
    let unknown = env
        .bridge
        .remove_member(None, "x", "dbmid:AAAAunknown", &policy)
        .await;
    assert_eq!(unknown.expect("unknown"), RemovalOutcome::AlreadyRemoved);
    assert_eq!(env.remove_calls().len(), 1);
}

#[tokio::test]
async fn an_async_removal_is_tracked_and_followed_to_completion() {
    let env = BridgeEnv::builder()
        .remove_async()
        .fast_polls()
        .build()
        .await;
    let ids = env.running.emulator.seed_members(1);
    let policy = DeprovisionConfig::default();
    let out = env.remove_now(&ids[0], &policy).await;
    let RemovalOutcome::Started { job_id, transfer } = out else {
        panic!("expected an async job, got {out:?}");
    };
    assert_eq!(transfer, TransferUsed::None);
    let running = env.store.running_jobs().await.expect("jobs");
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].job_id, job_id);
    assert_eq!(running[0].scim_id.as_deref(), Some(ids[0].as_str()));
    let end = env
        .bridge
        .follow_removal_job(&running[0])
        .await
        .expect("follow");
    assert_eq!(end, JobEnd::Complete);
    let job = env
        .store
        .get_job(&job_id)
        .await
        .expect("job")
        .expect("known");
    assert_eq!(job.state, "complete");
    assert!(env.store.running_jobs().await.expect("jobs").is_empty());
    let polls = env
        .running
        .emulator
        .stats()
        .get("members/remove/job_status/get")
        .copied();
    assert!(polls.unwrap_or(0) >= 1);
}

#[tokio::test]
async fn a_job_dropbox_does_not_know_is_recorded_as_failed() {
    let env = BridgeEnv::builder()
        .remove_async()
        .fast_polls()
        .build()
        .await;
    let now = chrono::Utc::now();
    let track = env
        .store
        .track_job("dbjid:bogus", "members/remove", Some("u1"), now);
    track.await.expect("track");
    let job = env
        .store
        .get_job("dbjid:bogus")
        .await
        .expect("get")
        .expect("tracked");
    let end = env.bridge.follow_removal_job(&job).await.expect("follow");
    assert_eq!(end, JobEnd::Failed("invalid_async_job_id".to_owned()));
    let job = env
        .store
        .get_job("dbjid:bogus")
        .await
        .expect("get")
        .expect("tracked");
    assert_eq!(job.state, "failed");
    assert!(
        job.outcome
            .is_some_and(|o| o.contains("invalid_async_job_id"))
    );
}

#[tokio::test]
async fn the_destination_of_a_transfer_in_progress_waits_for_it() {
    let env = BridgeEnv::builder()
        .remove_async()
        .fast_polls()
        .build()
        .await;
    let ids = env.running.emulator.seed_members(3);
    let to_second = transfer_policy(TransferTo::Member, Some("seed2@example.com"));
    let out = env.remove_now(&ids[0], &to_second).await;
    assert!(matches!(out, RemovalOutcome::Started { .. }), "{out:?}");

    // ids[1] receives ids[0]'s files until that job completes: Dropbox refuses to remove it meanwhile,
    // which is worth retrying (not a 500, not a permanent failure).
    let to_third = transfer_policy(TransferTo::Member, Some("seed3@example.com"));
    let refused = env
        .bridge
        .remove_member(None, &ids[1], &ids[1], &to_third)
        .await
        .expect_err("refused while the transfer runs");
    assert!(refused.transient, "{}", refused.detail);
    assert!(refused.detail.contains("member_is_transfer_destination"));
    assert_eq!(refused.error.status(), 409);

    let running = env.store.running_jobs().await.expect("jobs");
    let end = env
        .bridge
        .follow_removal_job(&running[0])
        .await
        .expect("follow");
    assert_eq!(end, JobEnd::Complete);
    let out = env.remove_now(&ids[1], &to_third).await;
    assert!(matches!(out, RemovalOutcome::Started { .. }), "{out:?}");
    assert_eq!(env.remove_calls().len(), 3);
}
