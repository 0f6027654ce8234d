//! `/Groups` over real HTTP: the bridge on a loopback port against the emulator, as IdPs call it.

use crate::helpers::scim_calls::GROUP_URN;
use crate::helpers::test_app::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

fn member_values(group: &Value) -> Vec<String> {
    let mut v: Vec<String> = group["members"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["value"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test]
async fn okta_group_push_over_http() {
    let app = TestApp::spawn().await;
    let alice = app
        .create_okta_user("alice@example.com", "Alice", "A")
        .await;
    let bob = app.create_okta_user("bob@example.com", "Bob", "B").await;
    let (a, b) = (
        alice["id"].as_str().expect("id"),
        bob["id"].as_str().expect("id"),
    );

    let body = json!({"schemas": [GROUP_URN], "displayName": "Okta Push", "members": []});
    let resp = app.call(Method::POST, "/Groups", Some(body)).await;
    assert_eq!(resp.status().as_u16(), 201);
    let location = resp
        .headers()
        .get("location")
        .and_then(|h| h.to_str().ok())
        .map(String::from);
    let group: Value = resp.json().await.expect("json");
    assert_eq!(location.as_deref(), group["meta"]["location"].as_str());
    let id = group["id"].as_str().expect("group id").to_owned();

    let (status, found) = app
        .list_groups("filter=displayName%20eq%20%22okta%20push%22")
        .await;
    assert_eq!((status, found["totalResults"].as_u64()), (200, Some(1)));

    let ops = json!([{"op": "add", "path": "members", "value": [
        {"value": a, "display": "alice@example.com"}, {"value": b, "display": "bob@example.com"}]},
        {"op": "replace", "value": {"id": id, "displayName": "Okta Push"}}]);
    let (status, _) = app.patch_group(&id, ops).await;
    assert!(status == 204 || status == 200, "{status}");
    assert_eq!(
        app.count("groups/update"),
        0,
        "unchanged name sent by Okta is a no-op"
    );

    let ops = json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")}]);
    app.patch_group(&id, ops).await;
    let (_, group) = app.get_group(&id).await;
    assert_eq!(member_values(&group), [b.to_owned()]);

    let (_, user) = app.get_user(b).await;
    let groups = user["groups"].as_array().cloned().unwrap_or_default();
    assert!(
        groups
            .iter()
            .any(|g| g["value"] == json!(id) && g["display"] == "Okta Push"),
        "{user}"
    );

    let (status, _) = app.delete_group(&id).await;
    assert_eq!(status, 204);
    let (status, err) = app.get_group(&id).await;
    assert_eq!(status, 404, "{err}");
}

#[tokio::test]
async fn entra_matching_and_member_removal_over_http() {
    let app = TestApp::spawn().await;
    let ids = app.dropbox.emulator.seed_members(3);
    let members: Vec<Value> = ids.iter().map(|m| json!({"value": m})).collect();
    let body = json!({"schemas": [GROUP_URN], "displayName": "Entra Group", "externalId": "e-1", "members": members});
    let (status, group) = app.create_group(body).await;
    assert_eq!(status, 201, "{group}");
    let id = group["id"].as_str().expect("id").to_owned();

    let before = app.count("groups/members/list");
    let (status, page) = app
        .list_groups("filter=displayName+eq+%22Entra+Group%22&excludedAttributes=members")
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["totalResults"], 1);
    assert!(page["Resources"][0].get("members").is_none(), "{page}");
    assert_eq!(
        app.count("groups/members/list"),
        before,
        "no member listing"
    );

    let ops = json!([{"op": "Remove", "path": "members", "value": [{"value": ids[0]}, {"value": ids[1]}]}]);
    let (status, _) = app.patch_group(&id, ops).await;
    assert_eq!(status, 204);
    let (_, group) = app.get_group(&id).await;
    assert_eq!(member_values(&group), [ids[2].clone()]);
}

#[tokio::test]
async fn group_errors_over_http() {
    let app = TestApp::spawn().await;
    let body = json!({"schemas": [GROUP_URN], "displayName": "Dup"});
    assert_eq!(app.create_group(body.clone()).await.0, 201);
    let (status, err) = app.create_group(body).await;
    assert_eq!(
        (status, err["scimType"].as_str()),
        (409, Some("uniqueness")),
        "{err}"
    );

    let body =
        json!({"schemas": [GROUP_URN], "displayName": "Bad", "members": [{"value": "dbmid:nope"}]});
    let (status, err) = app.create_group(body).await;
    assert_eq!(
        (status, err["scimType"].as_str()),
        (400, Some("invalidValue")),
        "{err}"
    );
    assert!(
        err["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("dbmid:nope")
    );
    assert_eq!(
        app.count("groups/create"),
        2,
        "the refused member made no create call"
    );

    let (status, _) = app.json(Method::GET, "/Groups/g:unknown", None).await;
    assert_eq!(status, 404);
    let (_, everyone) = app
        .list_groups("filter=displayName%20eq%20%22Everyone%22")
        .await;
    let eid = everyone["Resources"][0]["id"]
        .as_str()
        .expect("Everyone")
        .to_owned();
    let ops = json!([{"op": "replace", "path": "displayName", "value": "All"}]);
    let (status, _) = app.patch_group(&eid, ops).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_deactivated_invitee_is_held_in_the_group_and_joins_on_reactivation() {
    let app = TestApp::spawn().await;
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "late@example.com", "active": false});
    let (status, user) = app.create_user(body).await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["active"], false);
    let uid = user["id"].as_str().expect("id").to_owned();

    let body = json!({"schemas": [GROUP_URN], "displayName": "Late", "members": [{"value": uid}]});
    let (status, group) = app.create_group(body).await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().expect("id").to_owned();
    assert_eq!(member_values(&group), vec![uid.clone()]);
    assert_eq!(
        app.count("groups/members/add"),
        0,
        "Dropbox cannot hold an invitee whose invitation was withdrawn"
    );
    let (_, group) = app.get_group(&gid).await;
    assert_eq!(member_values(&group), vec![uid.clone()]);

    let ops = json!([{"op": "replace", "path": "active", "value": true}]);
    let (status, user) = app.patch_user(&uid, ops).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["id"], uid.as_str(), "same SCIM id after re-invitation");
    assert_eq!(app.count("groups/members/add"), 1);
    let sent = app.dropbox.emulator.calls("groups/members/add");
    assert_eq!(sent[0]["group"]["group_id"], gid.as_str());
    let (_, group) = app.get_group(&gid).await;
    assert_eq!(
        member_values(&group),
        vec![uid.clone()],
        "listed once, now from Dropbox"
    );
}
