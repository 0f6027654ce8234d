//! Lost replies the matrix does not cover: an invitee deactivated through a lost withdrawal reply
//! stays a user, and a lost `groups/create` reply is resolved only to the group it made.

use super::rig::Rig;
use crate::helpers::scim_calls::{GROUP_URN, patch_body as patch};
use dropbox_scim_bridge::emulator::Fault;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_deactivated_invitee_survives_a_lost_withdrawal_reply() {
    let rig = Rig::spawn().await;
    let id = rig.user("lost.withdrawal@example.com").await;
    rig.emu()
        .inject_fault("members/remove", Fault::DropAfterWrite, 1);
    let off = patch(json!([{"op": "replace", "path": "active", "value": false}]));
    let a = rig
        .scim(Method::PATCH, &format!("/Users/{id}"), Some(off))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["active"], json!(false), "{}", a.body);

    let got = rig.scim(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(got.status, 200, "the user is kept: {}", got.body);
    assert_eq!(got.body["name"]["givenName"], json!("Fay"), "{}", got.body);
    let on = patch(json!([{"op": "replace", "path": "active", "value": true}]));
    let back = rig
        .scim(Method::PATCH, &format!("/Users/{id}"), Some(on))
        .await;
    assert_eq!(back.status, 200, "reactivation: {}", back.body);
    assert_eq!(back.body["active"], json!(true), "{}", back.body);
}

#[tokio::test]
async fn a_lost_group_create_reply_with_an_external_id_answers_201_once() {
    let rig = Rig::spawn().await;
    rig.emu()
        .inject_fault("groups/create", Fault::DropAfterWrite, 1);
    let body = json!({"schemas": [GROUP_URN], "displayName": "Lost Ext", "externalId": "okta-7"});
    let a = rig.scim(Method::POST, "/Groups", Some(body.clone())).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["externalId"], json!("okta-7"), "{}", a.body);
    assert_eq!(
        rig.groups_named("Lost Ext").await,
        vec![a.body["id"].as_str().unwrap_or("").to_owned()]
    );
    assert_eq!(
        rig.emu().stats().get("groups/create"),
        Some(&1),
        "not re-sent"
    );
}

#[tokio::test]
async fn a_same_named_group_that_was_already_there_is_not_taken_for_ours() {
    let rig = Rig::spawn().await;
    let uid = rig.joined_user("owner@example.com").await;
    let old = rig.group("Taken", &[&uid]).await;
    // The create is refused (the name is taken) but its reply never arrives.
    rig.emu()
        .inject_fault("groups/create", Fault::DropAfterWrite, 1);
    let body = json!({"schemas": [GROUP_URN], "displayName": "Taken"});
    let a = rig.scim(Method::POST, "/Groups", Some(body)).await;
    assert_eq!(a.status, 503, "not the IdP's group: {}", a.body);
    assert_eq!(rig.groups_named("Taken").await, vec![old]);
}
