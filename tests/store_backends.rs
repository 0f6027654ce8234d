//! The store's operations, run once on SQLite (a temp file) and once on PostgreSQL (a fresh schema).

use chrono::{DateTime, Duration, TimeZone, Utc};
use dropbox_scim_bridge::store::{
    AuditEntry, AuditQuery, DropboxCall, Enterprise, InactiveInvite, MirrorMember, PhoneNumber,
    RemovalState, Retry, Store, StoreError, UserExtras,
};
use std::collections::HashSet;

/// A store on a fresh database; call `finish` to drop the PostgreSQL schema.
struct TestDb {
    store: Store,
    url: String,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

impl TestDb {
    async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/nested/store.db?mode=rwc", dir.path().display());
        let store = Store::connect(&url).await.expect("connect sqlite");
        TestDb {
            store,
            url,
            _dir: Some(dir),
            pg_schema: None,
        }
    }

    /// None when PostgreSQL is not configured and we are not in CI.
    async fn postgres() -> Option<TestDb> {
        let base = match std::env::var("SCIM_BRIDGE_TEST_POSTGRES_URL") {
            Ok(u) => u,
            Err(_) if std::env::var_os("CI").is_some() => {
                panic!("SCIM_BRIDGE_TEST_POSTGRES_URL must be set in CI")
            }
            Err(_) => {
                println!("skipped: SCIM_BRIDGE_TEST_POSTGRES_URL is not set");
                return None;
            }
        };
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = sqlx::PgPool::connect(&base)
            .await
            .expect("connect postgres");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .expect("create schema");
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let store = Store::connect(&url).await.expect("connect store");
        Some(TestDb {
            store,
            url,
            _dir: None,
            pg_schema: Some((base, schema)),
        })
    }

    async fn finish(self) {
        self.store.close().await;
        if let Some((base, schema)) = self.pg_schema {
            let admin = sqlx::PgPool::connect(&base)
                .await
                .expect("connect postgres");
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&admin)
                .await
                .expect("drop schema");
            admin.close().await;
        }
    }
}

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + secs, 0)
        .single()
        .expect("valid time")
}

async fn extras(s: &Store, _url: &str) {
    let mut e = UserExtras {
        display_name: Some("Ana Pérez".into()),
        title: Some("Engineer".into()),
        phone_numbers: vec![PhoneNumber {
            value: "+1 555".into(),
            kind: Some("work".into()),
            primary: true,
        }],
        enterprise: Some(Enterprise {
            department: Some("R&D".into()),
            manager_id: Some("dbmid:boss".into()),
            ..Default::default()
        }),
    };
    s.put_extras("dbmid:a", &e, t(0)).await.unwrap();
    s.put_extras("dbmid:b", &UserExtras::default(), t(0))
        .await
        .unwrap();
    assert_eq!(s.get_extras("dbmid:a").await.unwrap(), Some(e.clone()));
    assert_eq!(
        s.direct_reports("dbmid:boss").await.unwrap(),
        vec!["dbmid:a".to_string()]
    );
    e.title = None;
    e.enterprise = None;
    s.put_extras("dbmid:a", &e, t(1)).await.unwrap();
    assert_eq!(s.get_extras("dbmid:a").await.unwrap(), Some(e.clone()));
    assert!(s.direct_reports("dbmid:boss").await.unwrap().is_empty());
    let ids: Vec<String> = (0..1200)
        .map(|i| format!("dbmid:{i}"))
        .chain(["dbmid:a".into(), "dbmid:b".into()])
        .collect();
    let many = s.get_extras_many(&ids).await.unwrap();
    assert_eq!(many.len(), 2);
    assert_eq!(many.get("dbmid:a"), Some(&e));
    assert!(s.delete_extras("dbmid:a").await.unwrap());
    assert!(!s.delete_extras("dbmid:a").await.unwrap());
    assert_eq!(s.get_extras("dbmid:a").await.unwrap(), None);
}

async fn invites_and_aliases(s: &Store, _url: &str) {
    let inv = InactiveInvite {
        scim_id: "dbmid:orig".into(),
        email: "Ana@Example.com".into(),
        external_id: Some("ext-1".into()),
        given_name: Some("Ana".into()),
        family_name: None,
        extra: "{\"k\":1}".into(),
        team_member_id: Some("dbmid:orig".into()),
        deactivated_at: t(5),
    };
    s.put_inactive_invite(&inv).await.unwrap();
    assert_eq!(
        s.get_inactive_invite("dbmid:orig").await.unwrap(),
        Some(inv.clone())
    );
    assert_eq!(
        s.find_inactive_invite_by_email("ana@EXAMPLE.com")
            .await
            .unwrap(),
        Some(inv.clone())
    );
    assert_eq!(
        s.find_inactive_invite_by_external_id("ext-1")
            .await
            .unwrap(),
        Some(inv.clone())
    );
    let dup = InactiveInvite {
        scim_id: "dbmid:other".into(),
        external_id: None,
        ..inv.clone()
    };
    assert!(matches!(
        s.put_inactive_invite(&dup).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.list_inactive_invites().await.unwrap().len(), 1);

    // Reactivation: Dropbox issues a new member id, the SCIM id stays.
    assert!(s.delete_inactive_invite("dbmid:orig").await.unwrap());
    s.set_alias("dbmid:orig", "dbmid:new1", t(6)).await.unwrap();
    assert_eq!(
        s.alias_for("dbmid:orig").await.unwrap().as_deref(),
        Some("dbmid:new1")
    );
    s.set_alias("dbmid:orig", "dbmid:new2", t(7)).await.unwrap();
    assert_eq!(
        s.alias_for("dbmid:orig").await.unwrap().as_deref(),
        Some("dbmid:new2")
    );
    assert_eq!(
        s.scim_id_for_member("dbmid:new2").await.unwrap().as_deref(),
        Some("dbmid:orig")
    );
    assert_eq!(s.scim_id_for_member("dbmid:new1").await.unwrap(), None);
    assert!(s.delete_alias("dbmid:orig").await.unwrap());
    assert_eq!(s.alias_for("dbmid:orig").await.unwrap(), None);
}

async fn removals_lifecycle(s: &Store, _url: &str) {
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

async fn concurrent_claims(s: &Store, url: &str) {
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

async fn jobs(s: &Store, _url: &str) {
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

async fn audit(s: &Store, _url: &str) {
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

fn member(i: usize) -> MirrorMember {
    MirrorMember {
        team_member_id: format!("dbmid:{i:06}"),
        email_lower: format!("User{i}@Example.com"),
        external_id: (i % 3 != 0).then(|| format!("ext-{i}")),
        status: "active".into(),
        profile: format!("{{\"n\":{i}}}"),
    }
}

async fn mirror(s: &Store, _url: &str) {
    assert_eq!(s.mirror_refreshed_at().await.unwrap(), None);
    // Reverse order on purpose: the order given is the listing order, not the id order.
    let members: Vec<MirrorMember> = (0..5000).rev().map(member).collect();
    s.mirror_replace_all(&members, t(1)).await.unwrap();
    assert_eq!(s.mirror_refreshed_at().await.unwrap(), Some(t(1)));
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let (page, total) = s.mirror_page(offset, 333).await.unwrap();
        assert_eq!(total, 5000);
        if page.is_empty() {
            break;
        }
        offset += page.len() as i64;
        seen.extend(page.into_iter().map(|m| m.team_member_id));
    }
    let expected: Vec<String> = members.iter().map(|m| m.team_member_id.clone()).collect();
    assert_eq!(seen, expected, "every member once, in a stable order");
    assert_eq!(s.mirror_all().await.unwrap().len(), 5000);
    assert_eq!(
        s.mirror_get("dbmid:000007")
            .await
            .unwrap()
            .unwrap()
            .email_lower,
        "user7@example.com"
    );

    let mut changed = member(7);
    changed.status = "suspended".into();
    s.mirror_upsert(&changed).await.unwrap();
    s.mirror_upsert(&member(9_999)).await.unwrap();
    assert!(s.mirror_delete("dbmid:000001").await.unwrap());
    let all = s.mirror_all().await.unwrap();
    assert_eq!(all.len(), 5000);
    assert_eq!(
        all.last().unwrap().team_member_id,
        "dbmid:009999",
        "new members sort last"
    );
    assert_eq!(
        s.mirror_get("dbmid:000007").await.unwrap().unwrap().status,
        "suspended"
    );
    s.mirror_replace_all(&[member(1)], t(2)).await.unwrap();
    assert_eq!(s.mirror_page(0, 10).await.unwrap().1, 1);
}

async fn mirror_bulk_timing(s: &Store, _url: &str) {
    for n in [5_000usize, 50_000] {
        let members: Vec<MirrorMember> = (0..n).map(member).collect();
        let started = std::time::Instant::now();
        s.mirror_replace_all(&members, t(1)).await.unwrap();
        println!(
            "mirror_replace_all of {n} rows took {:?}",
            started.elapsed()
        );
        assert_eq!(s.mirror_page(0, 1).await.unwrap().1, n as i64);
    }
}

async fn ping_and_reconnect(s: &Store, url: &str) {
    s.ping().await.unwrap();
    s.put_extras("persist", &UserExtras::default(), t(0))
        .await
        .unwrap();
    let again = Store::connect(url).await.unwrap();
    assert!(
        again.get_extras("persist").await.unwrap().is_some(),
        "migrations re-run cleanly, data kept"
    );
    again.close().await;
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = super::TestDb::sqlite().await;
                super::$name(&db.store, &db.url).await;
                db.finish().await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(db) = super::TestDb::postgres().await else { return };
                super::$name(&db.store, &db.url).await;
                db.finish().await;
            })*
        }
    };
}

cases!(
    extras,
    invites_and_aliases,
    removals_lifecycle,
    concurrent_claims,
    jobs,
    audit,
    mirror,
    mirror_bulk_timing,
    ping_and_reconnect,
);

#[tokio::test]
async fn memory_and_bad_urls() {
    let s = Store::connect("sqlite::memory:").await.unwrap();
    s.put_extras("x", &UserExtras::default(), t(0))
        .await
        .unwrap();
    assert!(s.get_extras("x").await.unwrap().is_some());
    assert!(matches!(
        Store::connect("mysql://nope").await,
        Err(StoreError::UnsupportedUrl)
    ));
}
