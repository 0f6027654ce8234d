//! Space limits refused or disturbed: off by default, values out of bounds, a member Dropbox excludes, and
//! lost replies. Each refusal is checked to make no Dropbox call.

use super::{EXT, REMOVE, SET, create, dropbox_quota, enabled, patch, quota_calls, user};
use crate::helpers::scim_calls::assert_scim_error;
use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::emulator::Fault;
use serde_json::json;

#[tokio::test]
async fn off_by_default_a_limit_is_refused_before_any_call() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .create_user(user("off@example.com", Some(json!(10))))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_scim_error(&body, "400", "off");
    assert_eq!(body["scimType"], "invalidValue");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("spaceLimitGb") && detail.contains("space_limits.enabled"));
    assert_eq!(app.count("members/add_v2"), 0);
    // Without the attribute nothing changes, and removing an absent limit is no change either.
    let id = create(&app, "off@example.com", None).await;
    let path = format!("{EXT}:spaceLimitGb");
    let (status, body) = patch(&app, &id, json!({"op": "remove", "path": path})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = patch(
        &app,
        &id,
        json!({"op": "replace", "path": path, "value": 5}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(quota_calls(&app), (0, 0));
}

#[tokio::test]
async fn values_out_of_bounds_or_not_whole_are_400_naming_the_attribute_with_no_call() {
    let app = enabled(&[("SCIM_BRIDGE_SPACE_LIMITS__MAX_GB", "1000")]).await;
    for (v, needle) in [
        (json!(1), "smallest"),
        (json!(0), "smallest"),
        (json!(-5), "smallest"),
    ] {
        let (status, body) = app
            .create_user(user("low@example.com", Some(v.clone())))
            .await;
        assert_eq!(status, 400, "{v}: {body}");
        assert_eq!(body["scimType"], "invalidValue", "{body}");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("spaceLimitGb") && detail.contains(needle),
            "{detail}"
        );
    }
    assert_eq!(app.count("members/add_v2"), 0, "refused before any call");
    let id = create(&app, "bounds@example.com", Some(5)).await;
    let path = format!("{EXT}:spaceLimitGb");
    for (v, needle) in [
        (json!(2.5), "whole number"),
        (json!("ten"), "spaceLimitGb"),
        (json!(1001), "space_limits.max_gb"),
        (json!(1), "smallest"),
    ] {
        let (status, body) = patch(
            &app,
            &id,
            json!({"op": "replace", "path": path, "value": v}),
        )
        .await;
        assert_eq!(status, 400, "{v}: {body}");
        assert_scim_error(&body, "400", needle);
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(needle), "{detail}");
    }
    assert_eq!(quota_calls(&app), (1, 0), "only the create's call");
    assert_eq!(dropbox_quota(&app, &id).await, Some(5));
}

#[tokio::test]
async fn an_excluded_member_is_a_precise_400_and_a_lost_reply_is_applied_once() {
    let app = enabled(&[]).await;
    let id = create(&app, "excluded@example.com", None).await;
    app.dropbox.emulator.exclude_from_space_limits(&id);
    let path = format!("{EXT}:spaceLimitGb");
    let (status, body) = patch(&app, &id, json!({"op": "add", "path": path, "value": 8})).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("excluded list"),
        "{body}"
    );
    let (_, got) = app.get_user(&id).await;
    assert!(got.get(EXT).is_none(), "nothing was set: {got}");

    let other = create(&app, "lost@example.com", None).await;
    app.dropbox
        .emulator
        .inject_fault(SET, Fault::DropAfterWrite, 1);
    let (status, body) = patch(&app, &other, json!({"op": "add", "path": path, "value": 9})).await;
    assert_eq!(
        (status, &body[EXT]["spaceLimitGb"]),
        (200, &json!(9)),
        "{body}"
    );
    assert_eq!(dropbox_quota(&app, &other).await, Some(9));
    app.dropbox
        .emulator
        .inject_fault(REMOVE, Fault::DropAfterWrite, 1);
    let (status, body) = patch(&app, &other, json!({"op": "remove", "path": path})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(dropbox_quota(&app, &other).await, None);
}
