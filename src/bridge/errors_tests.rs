//! Unit tests of `BridgeError`: the refusal table, the status decision and the log cause.

use super::*;
use crate::scim::error::ScimType;
use serde_json::json;

/// The error `from_dropbox` makes of a 409 with `tag` on route `r`.
fn from_tag(tag: &str) -> BridgeError {
    let mut e = DropboxError::new("r", ErrorKind::Api(json!({".tag": tag})));
    e.request_id = Some("req-1".to_owned());
    from_dropbox(e)
}

#[test]
fn uniqueness_tags_become_409_uniqueness() {
    for tag in [
        "user_already_on_team",
        "duplicate_external_member_id",
        "group_name_already_used",
    ] {
        match from_tag(tag) {
            BridgeError::Scim(e) => {
                assert_eq!(e.status, 409);
                assert_eq!(e.scim_type, Some(ScimType::Uniqueness));
            }
            other => panic!("{tag}: {other:?}"),
        }
    }
}

#[test]
fn licence_limit_is_a_4xx_that_says_so() {
    match from_tag("team_license_limit") {
        BridgeError::Scim(e) => {
            assert_eq!(e.status, 403);
            assert!(e.detail.contains("licence"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn not_found_tags_become_404() {
    assert_eq!(from_tag("user_not_found").status(), 404);
    assert_eq!(from_tag("group_not_found").status(), 404);
}

#[test]
fn an_unknown_tag_is_a_500_whose_log_names_route_tag_and_request() {
    let e = from_tag("some_new_tag");
    assert_eq!(e.status(), 500);
    match &e {
        BridgeError::Dropbox(f) => {
            assert_eq!(f.route, "r");
            assert_eq!(f.tag.as_deref(), Some("some_new_tag"));
            assert_eq!(f.request_id.as_deref(), Some("req-1"));
        }
        other => panic!("{other:?}"),
    }
    let cause = e.log_cause().expect("a 500 has a cause");
    assert!(
        cause.contains("some_new_tag") && cause.contains("req-1"),
        "{cause}"
    );
}

#[test]
fn rate_limits_keep_the_wait() {
    let e: DropboxError<()> = DropboxError {
        kind: ErrorKind::RateLimited,
        route: "members/suspend",
        status: Some(429),
        request_id: None,
        retry_after: Some(std::time::Duration::from_secs(300)),
        required_scope: None,
    };
    let e = from_dropbox(e);
    match &e {
        BridgeError::RateLimited {
            retry_after_secs, ..
        } => assert_eq!(*retry_after_secs, 300),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.answer().0.status, 429);
    assert_eq!(e.answer().1, Some(300));
}

#[test]
fn transport_failures_are_unavailable() {
    let e: DropboxError<()> = DropboxError {
        kind: ErrorKind::Transport("connection refused".into()),
        route: "members/get_info_v2",
        status: None,
        request_id: None,
        retry_after: None,
        required_scope: None,
    };
    let e = from_dropbox(e);
    assert_eq!(e.status(), 503);
    assert_eq!(e.answer().1, Some(30));
    assert!(
        e.log_cause()
            .is_some_and(|c| c.contains("connection refused"))
    );
}

#[test]
fn store_errors_are_kept_as_typed_sources() {
    let e = BridgeError::from(StoreError::Conflict("two invites".into()));
    assert!(matches!(e, BridgeError::Store(StoreError::Conflict(_))));
    assert_eq!(e.status(), 500);
    assert_eq!(
        e.answer().0.detail,
        "internal error; the bridge's log has the cause"
    );
}

#[test]
fn scim_errors_answer_as_they_are_and_log_nothing() {
    let e = BridgeError::from(Refusal::LastAdmin);
    let (scim, retry) = e.answer();
    assert_eq!((scim.status, scim.scim_type, retry), (409, None, None));
    assert!(e.log_cause().is_none());
}

#[test]
fn a_missing_scope_is_a_403_naming_the_scope() {
    let mut e: DropboxError<()> =
        DropboxError::new("members/remove", ErrorKind::Auth("missing_scope".into()));
    e.required_scope = Some("members.delete".into());
    let e = from_dropbox(e);
    let (scim, retry) = e.answer();
    assert_eq!(scim.status, 403);
    assert_eq!(retry, None);
    assert!(scim.detail.contains("members.delete"), "{}", scim.detail);
    assert!(e.log_cause().expect("cause").contains("members.delete"));
}

#[test]
fn transfer_refusals_name_the_config_key() {
    for (tag, key) in [
        ("transfer_dest_user_not_found", "deprovision.transfer_dest"),
        (
            "transfer_dest_user_not_in_team",
            "deprovision.transfer_dest",
        ),
        (
            "transfer_admin_user_not_found",
            "deprovision.transfer_admin",
        ),
        (
            "transfer_admin_user_not_in_team",
            "deprovision.transfer_admin",
        ),
        ("transfer_admin_is_not_admin", "deprovision.transfer_admin"),
        (
            "removed_and_transfer_admin_should_differ",
            "deprovision.transfer_admin",
        ),
        (
            "cannot_keep_account_under_legal_hold",
            "deprovision.keep_account",
        ),
    ] {
        let refusal = Refusal::from_tag(tag).expect(tag);
        let detail = refusal.removal_detail().expect(tag);
        assert!(detail.contains(key), "{tag}: {detail}");
        let scim = BridgeError::from(refusal).answer().0;
        assert_eq!(scim.status, 403, "{tag}");
        assert!(scim.detail.contains(key), "{tag}");
    }
}
