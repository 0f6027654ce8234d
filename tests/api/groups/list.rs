//! Group listings and filters, and the groups of one member.

use crate::helpers::bridge_env::BridgeEnv;
use crate::helpers::bridge_groups::ctx;
use crate::helpers::scim_calls::GROUP_URN;
use dropbox_scim_bridge::scim::list::ListQuery;
use serde_json::json;

fn query(pairs: &[(&str, &str)]) -> ListQuery {
    ListQuery::from_pairs(pairs.iter().copied(), 1000).expect("query")
}

#[tokio::test]
async fn filters_answer_by_name_external_id_and_id() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(1);
    let body = json!({"schemas": [GROUP_URN], "displayName": "Design", "externalId": "ext-1",
        "members": [{"value": ids[0]}]});
    let id = env
        .bridge
        .create_group(&ctx("POST"), body)
        .await
        .expect("create")
        .id
        .expect("id");
    env.group("Marketing", &[]).await;

    let page = env
        .bridge
        .list_groups(&query(&[("filter", "displayName eq \"DESIGN\"")]), false)
        .await
        .expect("list");
    assert_eq!(
        (page.total, page.items[0].id.as_deref()),
        (1, Some(id.as_str()))
    );
    assert!(page.items[0].members.is_empty());
    let page = env
        .bridge
        .list_groups(&query(&[("filter", "externalId eq \"ext-1\"")]), true)
        .await
        .expect("list");
    assert_eq!(page.items[0].members.len(), 1);
    let f = format!("id eq \"{id}\"");
    assert_eq!(
        env.bridge
            .list_groups(&query(&[("filter", &f)]), false)
            .await
            .expect("list")
            .total,
        1
    );
    // The member is also in Everyone.
    let f = format!("members[value eq \"{}\"]", ids[0]);
    let page = env
        .bridge
        .list_groups(&query(&[("filter", &f)]), false)
        .await
        .expect("list");
    let names: Vec<&str> = page.items.iter().map(|g| g.display_name.as_str()).collect();
    assert_eq!(names, ["Design", "Everyone"]);
    assert!(
        page.items.iter().all(|g| g.members.is_empty()),
        "members excluded"
    );
    let none = env
        .bridge
        .list_groups(&query(&[("filter", "displayName eq \"6f1c\"")]), false)
        .await
        .expect("list");
    assert_eq!((none.total, none.items.len()), (0, 0));
}

#[tokio::test]
async fn entra_matching_with_excluded_members_lists_no_members() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(3);
    env.group("Support", &ids).await;
    let before = env.count("groups/members/list");
    let page = env
        .bridge
        .list_groups(
            &query(&[
                ("filter", "displayName eq \"Support\""),
                ("excludedAttributes", "members"),
            ]),
            false,
        )
        .await
        .expect("list");
    assert_eq!(page.total, 1);
    assert!(page.items[0].members.is_empty());
    let id = page.items[0].id.clone().expect("id");
    env.bridge.get_group(&id, false).await.expect("get");
    assert_eq!(env.count("groups/members/list"), before);
}

#[tokio::test]
async fn pages_are_stable_and_ordered_by_name() {
    let env = BridgeEnv::new().await;
    for name in ["delta", "Alpha", "charlie", "Bravo"] {
        env.group(name, &[]).await;
    }
    let names = |p: &dropbox_scim_bridge::bridge::ListPage<_>| -> Vec<String> {
        let items: &Vec<dropbox_scim_bridge::scim::resource::ScimGroup> = &p.items;
        items.iter().map(|g| g.display_name.clone()).collect()
    };
    let p1 = env
        .bridge
        .list_groups(&query(&[("startIndex", "1"), ("count", "2")]), false)
        .await
        .expect("p1");
    let p2 = env
        .bridge
        .list_groups(&query(&[("startIndex", "3"), ("count", "3")]), false)
        .await
        .expect("p2");
    assert_eq!(p1.total, 5); // with Everyone
    assert_eq!(names(&p1), ["Alpha", "Bravo"]);
    assert_eq!(names(&p2), ["charlie", "delta", "Everyone"]);
    assert_eq!(p2.start_index, 3);
    let sw = env
        .bridge
        .list_groups(
            &query(&[(
                "filter",
                "displayName sw \"b\" or displayName co \"LT\" or displayName ew \"HA\"",
            )]),
            false,
        )
        .await
        .expect("sw");
    assert_eq!(names(&sw), ["Alpha", "Bravo", "delta"]);
}

#[tokio::test]
async fn groups_of_a_member_carry_names() {
    let env = BridgeEnv::new().await;
    let ids = env.emu().seed_members(2);
    let a = env.group("Alpha", &ids[..1]).await;
    let b = env.group("Beta", &ids).await;
    let refs = env.bridge.groups_of_member(&ids[0]).await.expect("groups");
    let got: Vec<(String, Option<String>)> =
        refs.into_iter().map(|r| (r.value, r.display)).collect();
    let names: Vec<_> = got
        .iter()
        .map(|(_, n)| n.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["Alpha", "Beta", "Everyone"]);
    assert_eq!((&got[0].0, &got[1].0), (&a, &b));
    let none = env
        .bridge
        .groups_of_member("dbmid:none")
        .await
        .expect("unknown");
    assert!(none.is_empty());
}
