//! Cases for the team mirror: generations, SQL paging and counts, visibility, pushdown, bulk timing and
//! reconnection.

use dropbox_scim_bridge::scim::filter::parse;
use dropbox_scim_bridge::scim::filter::sql::{Dialect, split};
use dropbox_scim_bridge::store::*;

use super::t;

pub fn member(i: usize) -> MirrorMember {
    let email = format!("user{i}@example.com");
    MirrorMember {
        team_member_id: format!("dbmid:{i:06}"),
        scim_id: format!("dbmid:{i:06}"),
        sort_key: email.clone(),
        emails_lower: MirrorMember::emails_column([email.as_str()]),
        email_lower: email,
        external_id: (i % 3 != 0).then(|| format!("Ext-{i}")),
        given_lower: Some("seed".into()),
        family_lower: Some(format!("user{i}")),
        active: i % 2 == 0,
        status: "active".into(),
        profile: format!("{{\"n\":{i}}}"),
    }
}

fn dialect(s: &Store) -> Dialect {
    if s.backend_name() == "postgres" {
        Dialect::Postgres
    } else {
        Dialect::Sqlite
    }
}

async fn ids(s: &Store, filter: &str) -> Vec<String> {
    let pushed = split(&parse(filter).unwrap(), dialect(s)).pushed;
    let rows = s
        .mirror_list(pushed.as_ref(), None, 0, 10_000)
        .await
        .unwrap();
    let count = s.mirror_count(pushed.as_ref(), None).await.unwrap();
    assert_eq!(count as usize, rows.len(), "{filter}: count and rows agree");
    rows.into_iter().map(|(m, _)| m.team_member_id).collect()
}

pub async fn mirror(s: &Store, _url: &str) {
    assert_eq!(s.mirror_refreshed_at().await.unwrap(), None);
    let members: Vec<MirrorMember> = (0..5000).rev().map(member).collect();
    s.mirror_replace_all(&members, t(1)).await.unwrap();
    assert_eq!(s.mirror_refreshed_at().await.unwrap(), Some(t(1)));
    // Pages by key and by offset walk every member once, in sort-key order.
    let mut by_key = Vec::new();
    let mut after: Option<ListKey> = None;
    loop {
        let page = s.mirror_list(None, after.as_ref(), 0, 333).await.unwrap();
        let Some((last, _)) = page.last() else { break };
        after = Some((last.sort_key.clone(), last.scim_id.clone()));
        by_key.extend(page.into_iter().map(|(m, _)| m.sort_key));
    }
    let mut expected: Vec<String> = members.iter().map(|m| m.sort_key.clone()).collect();
    expected.sort();
    assert_eq!(by_key, expected, "every member once, by sort key");
    let at_4000 = s.mirror_list(None, None, 4000, 1).await.unwrap();
    assert_eq!(at_4000[0].0.sort_key, expected[4000]);
    assert_eq!(s.mirror_count(None, None).await.unwrap(), 5000);
    let before = (expected[10].clone(), String::new());
    assert_eq!(s.mirror_count(None, Some(&before)).await.unwrap(), 10);

    // Deleted users are hidden; extras come back with each row.
    let v0 = s.listing_version().await.unwrap();
    s.put_deleted_user(&DeletedUser {
        scim_id: "dbmid:000007".into(),
        team_member_id: "dbmid:000007".into(),
        email_lower: "user7@example.com".into(),
        deleted_at: t(2),
    })
    .await
    .unwrap();
    assert_ne!(
        s.listing_version().await.unwrap(),
        v0,
        "a tombstone changes listings"
    );
    assert_eq!(s.mirror_count(None, None).await.unwrap(), 4999);
    let extras = UserExtras {
        title: Some("Boss".into()),
        ..UserExtras::default()
    };
    s.put_extras("dbmid:000008", &extras, t(2)).await.unwrap();
    assert!(
        ids(s, r#"userName eq "user7@example.com""#)
            .await
            .is_empty()
    );
    let eight = s
        .mirror_list(
            None,
            Some(&("user8@example.co".into(), String::new())),
            0,
            1,
        )
        .await
        .unwrap();
    // The row's times come back with the document.
    let mut got = eight[0].1.clone().expect("extras");
    assert_eq!((got.created_at, got.updated_at), (Some(t(2)), Some(t(2))));
    (got.created_at, got.updated_at) = (None, None);
    assert_eq!(got, extras);

    // Pushed-down filters.
    assert_eq!(ids(s, r#"userName sw "USER499""#).await.len(), 11);
    assert_eq!(ids(s, r#"externalId eq "Ext-10""#).await, ["dbmid:000010"]);
    assert!(
        ids(s, r#"externalId eq "ext-10""#).await.is_empty(),
        "case-exact"
    );
    assert_eq!(ids(s, r#"externalId co "t-100""#).await.len(), 8);
    assert_eq!(
        ids(s, r#"emails.value ew "9@EXAMPLE.com""#).await.len(),
        500
    );
    assert_eq!(
        ids(s, r#"name.familyName eq "user12" and active eq true"#)
            .await
            .len(),
        1
    );
    assert_eq!(ids(s, "not (externalId pr)").await.len(), 1667);
    assert!(
        ids(s, r#"userName co "_""#).await.is_empty(),
        "LIKE wildcards are escaped"
    );

    // Writes land in the current generation and in one being built; a refresh keeps them.
    let generation = s.mirror_begin().await.unwrap();
    let mut changed = member(9);
    changed.status = "suspended".into();
    s.mirror_upsert(&changed).await.unwrap();
    s.mirror_upsert(&member(9_999)).await.unwrap();
    assert_eq!(
        s.mirror_get("dbmid:000009").await.unwrap().unwrap().status,
        "suspended"
    );
    assert!(s.mirror_delete("dbmid:000001").await.unwrap());
    assert_eq!(s.mirror_count(None, None).await.unwrap(), 4999);
    s.mirror_insert(generation, &[member(9), member(2)])
        .await
        .unwrap();
    assert_eq!(
        s.mirror_count(None, None).await.unwrap(),
        4999,
        "readers see the old generation while a new one is built"
    );
    assert!(s.mirror_swap(generation, t(3)).await.unwrap());
    assert_eq!(
        ids(s, "userName pr").await,
        ["dbmid:000002", "dbmid:009999", "dbmid:000009"]
    );
    assert_eq!(
        s.mirror_get("dbmid:000009").await.unwrap().unwrap().status,
        "suspended"
    );
    // An older generation never replaces a newer one.
    let older = s.mirror_begin().await.unwrap();
    let newer = s.mirror_begin().await.unwrap();
    s.mirror_insert(newer, &[member(1)]).await.unwrap();
    s.mirror_insert(older, &[member(3)]).await.unwrap();
    assert!(s.mirror_swap(newer, t(4)).await.unwrap());
    assert!(!s.mirror_swap(older, t(5)).await.unwrap());
    assert_eq!(ids(s, "userName pr").await, ["dbmid:000001"]);
    assert_eq!(s.mirror_refreshed_at().await.unwrap(), Some(t(4)));
}

/// The bridge's own writes during a refresh win over the pages the refresh read from Dropbox before
/// them: a removed member does not come back with the new generation, a changed one keeps its change.
pub async fn mirror_writes_during_refresh(s: &Store, _url: &str) {
    s.mirror_replace_all(&[member(1), member(2), member(3)], t(1))
        .await
        .unwrap();
    let generation = s.mirror_begin().await.unwrap();
    // The refresh has read its page from Dropbox (members 1 to 3, as they were) but not written it yet.
    let page = [member(1), member(2), member(3)];
    assert!(s.mirror_delete("dbmid:000001").await.unwrap());
    let mut changed = member(2);
    changed.status = "suspended".into();
    s.mirror_upsert(&changed).await.unwrap();
    assert_eq!(
        ids(s, "userName pr").await,
        ["dbmid:000002", "dbmid:000003"],
        "readers see the removal at once"
    );
    s.mirror_insert(generation, &page).await.unwrap();
    assert!(s.mirror_swap(generation, t(2)).await.unwrap());
    assert_eq!(
        ids(s, "userName pr").await,
        ["dbmid:000002", "dbmid:000003"],
        "the removed member stays removed in the new generation"
    );
    assert_eq!(s.mirror_count(None, None).await.unwrap(), 2);
    assert!(s.mirror_get("dbmid:000001").await.unwrap().is_none());
    assert_eq!(
        s.mirror_get("dbmid:000002").await.unwrap().unwrap().status,
        "suspended"
    );
    // A member removed and added again during a refresh is mirrored with its new row.
    let generation = s.mirror_begin().await.unwrap();
    assert!(s.mirror_delete("dbmid:000003").await.unwrap());
    let mut back = member(3);
    back.status = "invited".into();
    s.mirror_upsert(&back).await.unwrap();
    s.mirror_insert(generation, &[member(2), member(3)])
        .await
        .unwrap();
    assert!(s.mirror_swap(generation, t(3)).await.unwrap());
    assert_eq!(
        s.mirror_get("dbmid:000003").await.unwrap().unwrap().status,
        "invited"
    );
    // A removal with no refresh under way leaves no marker behind for a later one.
    assert!(s.mirror_delete("dbmid:000003").await.unwrap());
    let generation = s.mirror_begin().await.unwrap();
    s.mirror_insert(generation, &[member(2), member(4)])
        .await
        .unwrap();
    assert!(s.mirror_swap(generation, t(4)).await.unwrap());
    assert_eq!(
        ids(s, "userName pr").await,
        ["dbmid:000002", "dbmid:000004"]
    );
}

pub async fn mirror_bulk_timing(s: &Store, _url: &str) {
    for n in [5_000usize, 50_000] {
        let members: Vec<MirrorMember> = (0..n).map(member).collect();
        let started = std::time::Instant::now();
        s.mirror_replace_all(&members, t(1)).await.unwrap();
        println!(
            "{}: mirror_replace_all of {n} rows took {:?}",
            s.backend_name(),
            started.elapsed()
        );
        assert_eq!(s.mirror_count(None, None).await.unwrap(), n as i64);
    }
}

pub async fn ping_and_reconnect(s: &Store, url: &str) {
    s.ping().await.unwrap();
    assert_eq!(
        s.backend_name(),
        if url.starts_with("sqlite:") {
            "sqlite"
        } else {
            "postgres"
        }
    );
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
