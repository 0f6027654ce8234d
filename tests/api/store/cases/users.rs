//! Cases for user extras, inactive invites and id aliases.

use dropbox_scim_bridge::store::*;

use super::t;

pub async fn extras(s: &Store, _url: &str) {
    let mut e = UserExtras {
        display_name: Some("Ana Pérez".into()),
        title: Some("Engineer".into()),
        phone_numbers: vec![StoredMultiValue {
            value: "+1 555".into(),
            kind: Some("work".into()),
            primary: true,
        }],
        enterprise: Some(Enterprise {
            department: Some("R&D".into()),
            manager_id: Some("dbmid:boss".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    s.put_extras("dbmid:a", &e, t(0)).await.unwrap();
    s.put_extras("dbmid:b", &UserExtras::default(), t(0))
        .await
        .unwrap();
    // The row's times come back with the document: created on the first write, kept by later ones.
    let read = s.get_extras("dbmid:a").await.unwrap().expect("stored");
    assert_eq!((read.created_at, read.updated_at), (Some(t(0)), Some(t(0))));
    e.created_at = Some(t(0));
    e.updated_at = Some(t(0));
    assert_eq!(read, e);
    assert_eq!(
        s.direct_reports("dbmid:boss").await.unwrap(),
        vec!["dbmid:a".to_string()]
    );
    e.title = None;
    e.enterprise = None;
    s.put_extras("dbmid:a", &e, t(1)).await.unwrap();
    e.updated_at = Some(t(1));
    assert_eq!(s.get_extras("dbmid:a").await.unwrap(), Some(e.clone()));
    // An earlier creation time lowers created_at; a later one leaves it.
    s.note_user_created("dbmid:a", t(2)).await.unwrap();
    assert_eq!(s.get_extras("dbmid:a").await.unwrap(), Some(e.clone()));
    s.note_user_created("dbmid:a", t(-5)).await.unwrap();
    e.created_at = Some(t(-5));
    assert_eq!(s.get_extras("dbmid:a").await.unwrap(), Some(e.clone()));

    // Group times: first sight records, an earlier creation lowers, a change moves modified only.
    assert_eq!(s.group_times("g:1").await.unwrap(), None);
    let first = s.note_group_seen("g:1", t(10)).await.unwrap();
    assert_eq!((first.created, first.modified), (t(10), t(10)));
    let lowered = s.note_group_seen("g:1", t(3)).await.unwrap();
    assert_eq!((lowered.created, lowered.modified), (t(3), t(10)));
    s.note_group_modified("g:1", t(20)).await.unwrap();
    let now = s.group_times("g:1").await.unwrap().expect("times");
    assert_eq!((now.created, now.modified), (t(3), t(20)));
    s.forget_group_times("g:1").await.unwrap();
    assert_eq!(s.group_times("g:1").await.unwrap(), None);
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

pub async fn invites_and_aliases(s: &Store, _url: &str) {
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
