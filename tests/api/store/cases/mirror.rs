//! Cases for the team mirror, bulk-insert timing and reconnection.

use dropbox_scim_bridge::store::*;

use super::t;

pub fn member(i: usize) -> MirrorMember {
    MirrorMember {
        team_member_id: format!("dbmid:{i:06}"),
        email_lower: format!("User{i}@Example.com"),
        external_id: (i % 3 != 0).then(|| format!("ext-{i}")),
        status: "active".into(),
        profile: format!("{{\"n\":{i}}}"),
    }
}

pub async fn mirror(s: &Store, _url: &str) {
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
        assert_eq!(s.mirror_page(0, 1).await.unwrap().1, n as i64);
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
