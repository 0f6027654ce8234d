//! `audit.retention_days`: the worker's retention pass deletes older entries and keeps the rest,
//! on SQLite and PostgreSQL; without a retention it deletes nothing.

use crate::helpers::db::TestDb;
use chrono::{Duration, Utc};
use dropbox_scim_bridge::bridge::{Bridge, BridgeSettings};
use dropbox_scim_bridge::config::Config;
use dropbox_scim_bridge::dropbox::DropboxClient;
use dropbox_scim_bridge::jobs::prune_expired_audit;
use dropbox_scim_bridge::store::{AuditEntry, AuditQuery, Store};

fn bridge(store: &Store, retention: Option<&str>) -> Bridge {
    let mut vars = vec![
        (
            "SCIM_BRIDGE_DROPBOX__BASE_URL".to_owned(),
            "http://127.0.0.1:9".to_owned(),
        ),
        (
            "SCIM_BRIDGE_DROPBOX__ACCESS_TOKEN".to_owned(),
            "unused".to_owned(),
        ),
    ];
    if let Some(days) = retention {
        vars.push((
            "SCIM_BRIDGE_AUDIT__RETENTION_DAYS".to_owned(),
            days.to_owned(),
        ));
    }
    let config = Config::load_from(None, vars).expect("config");
    let client = DropboxClient::from_config(&config).expect("client");
    Bridge::new(client, store.clone(), BridgeSettings::from_config(&config))
}

fn entry(days_ago: i64) -> AuditEntry {
    AuditEntry {
        id: 0,
        at: Utc::now() - Duration::days(days_ago),
        client: Some("okta".into()),
        request_id: None,
        operation: format!("DELETE /scim/v2/Users/u{days_ago}"),
        resource_type: Some("User".into()),
        resource_id: Some(format!("u{days_ago}")),
        dropbox_calls: Vec::new(),
        status: 204,
        detail: None,
    }
}

async fn prunes_what_is_older_than_the_retention(db: TestDb) {
    let store = Store::connect(&db.url).await.expect("store");
    for days in [0, 2, 40] {
        store.append_audit(&entry(days)).await.expect("append");
    }
    assert_eq!(
        prune_expired_audit(&bridge(&store, None), &store, Utc::now())
            .await
            .ok(),
        Some(0)
    );
    let pruned = prune_expired_audit(&bridge(&store, Some("30")), &store, Utc::now()).await;
    assert_eq!(pruned.ok(), Some(1));
    let left = store
        .query_audit(&AuditQuery::default())
        .await
        .expect("query");
    let ids: Vec<_> = left.iter().filter_map(|e| e.resource_id.clone()).collect();
    assert_eq!(ids, ["u0", "u2"]);
    assert!(
        Config::load_from(
            None,
            [(
                "SCIM_BRIDGE_AUDIT__RETENTION_DAYS".to_owned(),
                "0".to_owned()
            )]
        )
        .is_err()
    );
    store.close().await;
    db.finish().await;
}

#[tokio::test]
async fn retention_prunes_old_entries_on_sqlite() {
    prunes_what_is_older_than_the_retention(TestDb::sqlite()).await;
}

#[tokio::test]
async fn retention_prunes_old_entries_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        prunes_what_is_older_than_the_retention(db).await;
    }
}
