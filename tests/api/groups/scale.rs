//! Large groups and concurrency: call counts from the emulator's statistics.

use crate::helpers::bridge_env::BridgeEnv;
use crate::helpers::bridge_groups::ctx;
use crate::helpers::scim_calls::patch_body;
use serde_json::{Value, json};

fn values(ids: &[String]) -> Value {
    ids.iter().map(|id| json!({"value": id})).collect()
}

#[tokio::test]
async fn a_ten_thousand_member_group_is_created_and_listed_in_pages_of_1000() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(10_000);
    let body = json!({"displayName": "Everyone Else", "members": values(&ids)});
    let g = env
        .bridge
        .create_group(&ctx("POST"), body)
        .await
        .expect("create");
    let id = g.id.expect("id");
    assert_eq!(g.members.len(), 10_000);
    assert_eq!(env.count("members/get_info_v2"), 10);
    assert_eq!(env.count("groups/members/add"), 10);

    let g = env.bridge.get_group(&id, true).await.expect("get");
    assert_eq!(g.members.len(), 10_000);
    let pages = env.count("groups/members/list") + env.count("groups/members/list/continue");
    assert_eq!(pages, 10, "ceil(10000 / 1000) pages");

    let g = env
        .bridge
        .get_group(&id, false)
        .await
        .expect("get without members");
    assert!(g.members.is_empty());
    let after = env.count("groups/members/list") + env.count("groups/members/list/continue");
    assert_eq!(after, pages, "excluded members are not listed");
}

#[tokio::test]
async fn a_patch_adding_1000_members_is_one_add_call() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(1000);
    let id = env.group("Big", &[]).await;
    let body = patch_body(json!([{"op": "add", "path": "members", "value": values(&ids)}]));
    let g = env
        .bridge
        .patch_group(&ctx("PATCH"), &id, body)
        .await
        .expect("patch");
    assert_eq!(g.members.len(), 1000);
    assert_eq!(env.count("groups/members/add"), 1);
    assert_eq!(env.count("members/get_info_v2"), 1);
}

#[tokio::test]
async fn concurrent_patches_to_one_group_lose_nothing() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(50);
    let id = env.group("Busy", &[]).await;
    let mut tasks = Vec::new();
    for chunk in ids.chunks(5) {
        let bridge = env.bridge.clone();
        let (id, chunk) = (id.clone(), chunk.to_vec());
        tasks.push(tokio::spawn(async move {
            let body = patch_body(json!([
                {"op": "replace", "value": {"displayName": "Busy"}},
                {"op": "add", "path": "members", "value": values(&chunk)}]));
            bridge
                .patch_group(&ctx("PATCH"), &id, body)
                .await
                .map(|_| ())
        }));
    }
    for t in tasks {
        t.await.expect("join").expect("patch");
    }
    let mut want = ids.clone();
    want.sort();
    assert_eq!(env.member_ids(&id).await, want);
    assert_eq!(env.count("groups/update"), 0, "unchanged name, no update");
}

#[tokio::test]
async fn replacing_a_large_member_list_sends_only_the_difference() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(2500);
    let id = env.group("Wide", &ids[..2000]).await;
    let (adds, removes) = (
        env.count("groups/members/add"),
        env.count("groups/members/remove"),
    );
    let body =
        patch_body(json!([{"op": "replace", "path": "members", "value": values(&ids[500..])}]));
    env.bridge
        .patch_group(&ctx("PATCH"), &id, body)
        .await
        .expect("patch");
    assert_eq!(
        env.count("groups/members/add"),
        adds + 1,
        "500 new members in one call"
    );
    assert_eq!(
        env.count("groups/members/remove"),
        removes + 1,
        "500 gone in one call"
    );
    let sent: usize = env
        .emu()
        .calls("groups/members/add")
        .last()
        .and_then(|b| b["members"].as_array().map(Vec::len))
        .unwrap_or_default();
    assert_eq!(sent, 500);
    assert_eq!(env.member_ids(&id).await.len(), 2000);
}

#[tokio::test]
async fn a_patch_answered_with_204_lists_no_members() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(2001);
    let id = env.group("Listed", &ids[..2000]).await;
    let lists = || env.count("groups/members/list") + env.count("groups/members/list/continue");
    let before = lists();
    let body = patch_body(json!([{"op": "add", "path": "members", "value": values(&ids[2000..])}]));
    let g = env
        .bridge
        .patch_group_without_members(&ctx("PATCH"), &id, body)
        .await
        .expect("patch");
    assert!(g.members.is_empty());
    assert_eq!(lists(), before, "no member listing for a 204");
    assert_eq!(env.member_ids(&id).await.len(), 2001);
    assert_eq!(lists(), before + 3, "the GET lists ceil(2001/1000) pages");
}
