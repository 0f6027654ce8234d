//! Edge cases of group writes: partial PUT bodies and hostile ids.

use crate::helpers::bridge_env::BridgeEnv;
use crate::helpers::bridge_groups::{ctx, scim_err, sorted};
use crate::helpers::scim_calls::{GROUP_URN, patch_body};
use dropbox_scim_bridge::scim::ScimType;
use serde_json::json;

#[tokio::test]
async fn a_put_without_members_or_external_id_keeps_them() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(2);
    let members: Vec<_> = ids.iter().map(|m| json!({"value": m})).collect();
    let body = json!({"schemas": [GROUP_URN], "displayName": "Kept", "externalId": "k-1", "members": members});
    let id = env
        .bridge
        .create_group(&ctx("POST"), body)
        .await
        .expect("create")
        .id
        .expect("id");
    let put = json!({"schemas": [GROUP_URN], "displayName": "Kept 2"});
    let g = env
        .bridge
        .replace_group(&ctx("PUT"), &id, put)
        .await
        .expect("put");
    assert_eq!(g.external_id.as_deref(), Some("k-1"));
    assert_eq!(env.member_ids(&id).await, sorted(ids.clone()));
    let put =
        json!({"schemas": [GROUP_URN], "displayName": "Kept 2", "externalId": null, "members": []});
    let g = env
        .bridge
        .replace_group(&ctx("PUT"), &id, put)
        .await
        .expect("put");
    assert_eq!(g.external_id, None);
    assert!(g.members.is_empty());
}

#[tokio::test]
async fn hostile_ids_are_refused_without_asking_dropbox() {
    let env = BridgeEnv::new().await;
    let id = env.group("Safe", &[]).await;
    let before = env.emu().stats().values().sum::<u64>();
    for bad in ["", "x", "dbmid:", "../../etc", &"dbmid:".repeat(500)] {
        let body = patch_body(json!([{"op": "add", "path": "members", "value": [{"value": bad}]}]));
        let (status, kind, _) = scim_err(env.bridge.patch_group(&ctx("PATCH"), &id, body).await);
        assert_eq!(
            (status, kind),
            (400, Some(ScimType::InvalidValue)),
            "{bad:?}"
        );
    }
    for bad in ["", "../x", "g", "Groups", &"g:".repeat(200)] {
        assert_eq!(
            scim_err(env.bridge.get_group(bad, true).await).0,
            404,
            "{bad:?}"
        );
    }
    // Only the group look-ups of the PATCHes reached Dropbox.
    assert_eq!(env.emu().stats().values().sum::<u64>(), before + 5);
    let bad_body = json!({"Operations": [{"op": "add", "path": "members", "value": [{"display": "no value"}]}]});
    assert_eq!(
        scim_err(env.bridge.patch_group(&ctx("PATCH"), &id, bad_body).await).0,
        400
    );
    let not_patch = json!(["not", "an", "object"]);
    assert_eq!(
        scim_err(env.bridge.patch_group(&ctx("PATCH"), &id, not_patch).await).0,
        400
    );
    assert_eq!(
        scim_err(
            env.bridge
                .create_group(&ctx("POST"), json!({"displayName": "  "}))
                .await
        )
        .0,
        400
    );
}

#[tokio::test]
async fn an_asynchronous_group_deletion_is_waited_for() {
    let cfg = dropbox_scim_bridge::emulator::EmulatorConfig {
        remove_async: true,
        ..Default::default()
    };
    let env = BridgeEnv::builder().emulator(cfg).build().await;
    let id = env.group("Slow", &[]).await;
    env.bridge
        .delete_group(&ctx("DELETE"), &id)
        .await
        .expect("delete");
    assert!(env.count("groups/job_status/get") >= 1);
    assert_eq!(scim_err(env.bridge.get_group(&id, false).await).0, 404);
}
