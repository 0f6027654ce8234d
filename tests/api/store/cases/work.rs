//! Cases for deferred removals, followed Dropbox jobs and the audit log.

use chrono::Duration;
use dropbox_scim_bridge::store::*;
use std::collections::HashSet;

use super::t;

pub async fn removals_lifecycle(s: &Store, _url: &str) {
    let lease = Duration::seconds(30);
    let first = s
        .schedule_removal("u1", "dbmid:u1", t(100), "{}", t(0))
        .await
        .unwrap();
    let second = s
        .schedule_removal("u1", "dbmid:u1", t(50), "{\"wipe\":true}", t(1))
        .await
        .unwrap();
    assert_eq!(
        s.get_removal(&first.id).await.unwrap().unwrap().state,
        RemovalState::Cancelled
    );
    assert_eq!(
        s.list_removals(Some(RemovalState::Pending)).await.unwrap(),
        vec![second.clone()]
    );
    assert!(
        s.claim_due("w1", t(49), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let claimed = s.claim_due("w1", t(50), lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        (claimed[0].state, claimed[0].attempts),
        (RemovalState::Running, 1)
    );
    let clash = s
        .schedule_removal("u1", "dbmid:u1", t(60), "{}", t(2))
        .await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))));
    assert!(
        !s.cancel_removal("u1", t(51)).await.unwrap(),
        "a running removal is not cancelled"
    );
    // The lease runs out: another worker takes over and the first one is fenced off.
    assert!(
        s.claim_due("w2", t(79), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = s.claim_due("w2", t(80), lease, 10).await.unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 2));
    assert!(
        !s.complete_removal(&second.id, "w1", "{}", t(81))
            .await
            .unwrap()
    );
    assert!(
        s.fail_removal(&second.id, "w2", "boom", Retry::At(t(200)), t(81))
            .await
            .unwrap()
    );
    let r = s.get_removal(&second.id).await.unwrap().unwrap();
    assert_eq!(
        (r.state, r.due_at, r.last_error.as_deref()),
        (RemovalState::Pending, t(200), Some("boom"))
    );
    let c = s.claim_due("w3", t(200), lease, 10).await.unwrap();
    assert!(
        s.block_removal(&c[0].id, "w3", "no transfer destination", t(201))
            .await
            .unwrap()
    );
    assert!(s.cancel_removal("u1", t(202)).await.unwrap());

    let done = s
        .schedule_removal("u2", "dbmid:u2", t(10), "{}", t(0))
        .await
        .unwrap();
    s.claim_due("w1", t(300), lease, 10).await.unwrap();
    assert!(
        s.complete_removal(&done.id, "w1", "{\"ok\":true}", t(301))
            .await
            .unwrap()
    );
    let r = s.get_removal(&done.id).await.unwrap().unwrap();
    assert_eq!(
        (r.state, r.outcome.as_deref()),
        (RemovalState::Done, Some("{\"ok\":true}"))
    );
    let failed = s
        .schedule_removal("u3", "dbmid:u3", t(10), "{}", t(0))
        .await
        .unwrap();
    s.claim_due("w1", t(300), lease, 10).await.unwrap();
    assert!(
        s.fail_removal(&failed.id, "w1", "gone", Retry::Never, t(301))
            .await
            .unwrap()
    );
    assert_eq!(
        s.list_removals(Some(RemovalState::Failed))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(s.list_removals(None).await.unwrap().len(), 4);
}

pub async fn concurrent_claims(s: &Store, url: &str) {
    // A second pool on the same database stands for a second replica.
    let other = Store::connect(url).await.unwrap();
    for i in 0..200 {
        s.schedule_removal(&format!("c{i}"), &format!("dbmid:c{i}"), t(i), "{}", t(0))
            .await
            .unwrap();
    }
    let run = |store: Store, worker: &'static str| async move {
        let mut mine = Vec::new();
        loop {
            let got = store
                .claim_due(worker, t(1000), Duration::seconds(600), 7)
                .await
                .unwrap();
            if got.is_empty() {
                return mine;
            }
            mine.extend(got.into_iter().map(|r| r.id));
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(run(s.clone(), "a")),
        tokio::spawn(run(other.clone(), "b"))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let all: HashSet<&String> = a.iter().chain(b.iter()).collect();
    assert_eq!(a.len() + b.len(), 200, "each job claimed exactly once");
    assert_eq!(all.len(), 200);
    println!("claims split: a={} b={}", a.len(), b.len());
    other.close().await;
}

pub async fn jobs(s: &Store, _url: &str) {
    s.track_job("job-1", "members/remove", Some("u1"), t(0))
        .await
        .unwrap();
    s.track_job("job-2", "members/remove", None, t(1))
        .await
        .unwrap();
    assert_eq!(s.running_jobs().await.unwrap().len(), 2);
    assert!(s.finish_job("job-1", "complete", "{}", t(2)).await.unwrap());
    assert!(!s.finish_job("job-x", "complete", "{}", t(2)).await.unwrap());
    let j = s.get_job("job-1").await.unwrap().unwrap();
    assert_eq!(
        (j.state.as_str(), j.scim_id.as_deref()),
        ("complete", Some("u1"))
    );
    assert_eq!(s.running_jobs().await.unwrap().len(), 1);
}

pub async fn audit(s: &Store, _url: &str) {
    for i in 0..10 {
        let e = AuditEntry {
            id: 0,
            at: t(i * 10),
            client: Some("okta".into()),
            request_id: Some(format!("req-{i}")),
            operation: "PATCH /Users/{id}".into(),
            resource_type: Some("User".into()),
            resource_id: Some(if i % 2 == 0 { "even" } else { "odd" }.into()),
            dropbox_calls: vec![DropboxCall {
                route: "members/suspend".into(),
                outcome: "ok".into(),
            }],
            status: 200,
            detail: None,
        };
        s.append_audit(&e).await.unwrap();
    }
    let all = s.query_audit(&AuditQuery::default()).await.unwrap();
    assert_eq!(all.len(), 10);
    assert_eq!(all[0].at, t(90), "newest first");
    assert_eq!(all[0].dropbox_calls[0].route, "members/suspend");
    let q = AuditQuery {
        resource_id: Some("even".into()),
        since: Some(t(20)),
        until: Some(t(80)),
        limit: Some(2),
        ..AuditQuery::default()
    };
    let got: Vec<_> = s
        .query_audit(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.at)
        .collect();
    assert_eq!(got, vec![t(60), t(40)]);
    assert_eq!(s.prune_audit(t(50)).await.unwrap(), 5);
    assert_eq!(
        s.query_audit(&AuditQuery::default()).await.unwrap().len(),
        5
    );
}

/// SQLite compares times as RFC 3339 text: fractional seconds must still order correctly.
pub async fn subsecond_due_times(s: &Store, _url: &str) {
    let due = t(10) + Duration::milliseconds(500);
    s.schedule_removal("sub", "dbmid:sub", due, "{}", t(0))
        .await
        .unwrap();
    let lease = Duration::seconds(30);
    assert!(s.claim_due("w", t(10), lease, 1).await.unwrap().is_empty());
    let early = t(10) + Duration::microseconds(499_999);
    assert!(s.claim_due("w", early, lease, 1).await.unwrap().is_empty());
    let got = s
        .claim_due("w", t(10) + Duration::milliseconds(500), lease, 1)
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].due_at, due);
}
