//! Golden shape tests: the emulator's JSON matches the key sets, tags and flattening of the spec's examples.

use std::collections::BTreeSet;

use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig};
use serde_json::{Value, json};

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

async fn post(base: &str, tok: &str, route: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{base}/2/team/{route}"))
        .bearer_auth(tok)
        .json(&body)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json")
}

/// team.stone `TeamMemberProfile` example default (required and set optional fields).
fn spec_member_profile() -> Value {
    json!({"team_member_id": "dbmid:FDFSVF-DFSDF", "account_id": "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
        "email": "tami@seagull.com", "email_verified": false, "status": {".tag": "active"},
        "name": {"given_name": "Franz", "surname": "Ferdinand", "familiar_name": "Franz",
                 "display_name": "Franz Ferdinand (Personal)", "abbreviated_name": "FF"},
        "membership_type": {".tag": "full"}, "groups": ["g:e2db7665347abcd600000000001a2b3c"],
        "member_folder_id": "20", "root_folder_id": "30", "joined_on": "2015-05-12T15:50:38Z"})
}

#[tokio::test]
async fn member_add_result_matches_spec_example_shape() {
    let emu = Emulator::spawn(EmulatorConfig {
        auto_accept_invites: true,
        ..EmulatorConfig::default()
    })
    .await
    .expect("spawn");
    let tok = emu.emulator.issue_token_all();
    let body = json!({"new_members": [{"member_email": "tami@seagull.com", "member_given_name": "Franz", "member_surname": "Ferdinand"}]});
    let out = post(&emu.base_url, &tok, "members/add_v2", body).await;
    assert_eq!(out[".tag"], "complete");
    let item = &out["complete"][0];
    // MemberAddV2Result.success is a flattened struct: profile and roles sit beside ".tag".
    assert_eq!(item[".tag"], "success");
    assert!(keys(item).is_superset(&BTreeSet::from([".tag".to_string(), "profile".to_string()])));
    let mut expected = keys(&spec_member_profile());
    expected.remove("joined_on");
    let got = keys(&item["profile"]);
    assert!(
        got.is_superset(&expected),
        "missing {:?}",
        expected.difference(&got).collect::<Vec<_>>()
    );
    assert_eq!(
        keys(&item["profile"]["name"]),
        keys(&spec_member_profile()["name"])
    );
    assert_eq!(item["profile"]["status"], json!({".tag": "active"}));
}

#[tokio::test]
async fn group_full_info_matches_spec_example_shape() {
    let emu = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("spawn");
    let tok = emu.emulator.issue_token_all();
    let g = post(
        &emu.base_url,
        &tok,
        "groups/create",
        json!({"group_name": "project launch", "add_creator_as_owner": true}),
    )
    .await;
    // team.stone GroupFullInfo example default.
    let spec = json!({"group_name": "project launch", "group_id": "g:e2db7665347abcd600000000001a2b3c",
        "member_count": 5, "group_management_type": {".tag": "user_managed"}, "members": [{}], "created": 1447255518000_u64});
    assert_eq!(keys(&g), keys(&spec));
    assert!(g["created"].is_u64());
    assert_eq!(g["group_management_type"], json!({".tag": "user_managed"}));
    let member = &g["members"][0];
    assert_eq!(
        keys(member),
        BTreeSet::from(["access_type".to_string(), "profile".to_string()])
    );
    assert_eq!(member["access_type"], json!({".tag": "owner"}));
    // GroupMemberInfo.profile is a MemberProfile: no groups or folder ids.
    assert!(
        member["profile"].get("groups").is_none()
            && member["profile"].get("root_folder_id").is_none()
    );
    let items = post(
        &emu.base_url,
        &tok,
        "groups/get_info",
        json!({".tag": "group_ids", "group_ids": [g["group_id"], "g:missing"]}),
    )
    .await;
    assert_eq!(items[0][".tag"], "group_info");
    assert_eq!(items[0]["group_name"], "project launch");
    assert_eq!(
        items[1],
        json!({".tag": "id_not_found", "id_not_found": "g:missing"})
    );
}

#[tokio::test]
async fn list_results_match_spec_example_shape() {
    let emu = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("spawn");
    let tok = emu.emulator.issue_token_all();
    let spec_list = json!({"members": [], "cursor": "ZtkX9_EHj3x7PMkVuFIhwKYXEpwpLwyxp9vMKomUhllil9q7eWiAu", "has_more": true});
    let members = post(&emu.base_url, &tok, "members/list_v2", json!({"limit": 1})).await;
    assert_eq!(keys(&members), keys(&spec_list));
    assert!(keys(&members["members"][0]).contains("profile"));
    let groups = post(&emu.base_url, &tok, "groups/list", json!({})).await;
    let spec_groups = json!({"groups": [], "cursor": "c", "has_more": false});
    assert_eq!(keys(&groups), keys(&spec_groups));
    assert_eq!(
        groups["groups"][0]["group_management_type"],
        json!({".tag": "system_managed"})
    );
    let info = post(
        &emu.base_url,
        &tok,
        "members/get_info_v2",
        json!({"members": [{".tag": "email", "email": "nobody@example.com"}]}),
    )
    .await;
    assert_eq!(
        info,
        json!({"members_info": [{".tag": "id_not_found", "id_not_found": "nobody@example.com"}]})
    );
}
