//! An Okta-style import (`GET /Users?startIndex=..&count=100`) reads the mirror: about N/1000 Dropbox
//! list calls in total, every member exactly once, in a stable order.

use crate::helpers::test_app::TestApp;
use std::collections::HashSet;

#[tokio::test]
async fn okta_import_of_5000_members_costs_n_over_1000_list_calls() {
    let app = TestApp::spawn_full(
        dropbox_scim_bridge::emulator::EmulatorConfig {
            num_licensed_users: 6000,
            ..Default::default()
        },
        &[],
    )
    .await;
    let seeded: HashSet<String> = app
        .dropbox
        .emulator
        .seed_members(5000)
        .into_iter()
        .collect();
    let mut seen = Vec::new();
    let mut start = 1;
    let total = loop {
        let (status, body) = app
            .list_users(&format!("startIndex={start}&count=100"))
            .await;
        assert_eq!(status, 200, "{body}");
        let resources = body["Resources"].as_array().expect("Resources").clone();
        assert_eq!(body["startIndex"], start);
        assert_eq!(body["itemsPerPage"], resources.len());
        seen.extend(
            resources
                .iter()
                .map(|r| r["id"].as_str().expect("id").to_owned()),
        );
        let total = body["totalResults"].as_u64().expect("totalResults") as usize;
        start += 100;
        if start > total {
            break total;
        }
    };
    // 5,000 seeded members plus the emulator's admin.
    assert_eq!(total, 5001);
    assert_eq!(seen.len(), total, "no member repeated or missing");
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), total, "no member repeated");
    assert!(
        seeded.iter().all(|id| unique.contains(id)),
        "every seeded member listed"
    );
    let list_calls = app.count("members/list_v2") + app.count("members/list/continue_v2");
    assert!(
        list_calls <= 5000 / 1000 + 2,
        "{list_calls} list calls for 5,000 members"
    );
}

#[tokio::test]
async fn pages_keep_one_order_across_requests() {
    let app = TestApp::spawn().await;
    app.dropbox.emulator.seed_members(250);
    let page = |start: usize| {
        let app = &app;
        async move {
            let (_, body) = app
                .list_users(&format!("startIndex={start}&count=50"))
                .await;
            body["Resources"]
                .as_array()
                .expect("Resources")
                .iter()
                .map(|r| r["userName"].as_str().expect("userName").to_owned())
                .collect::<Vec<_>>()
        }
    };
    let first = page(51).await;
    let again = page(51).await;
    assert_eq!(first, again);
    let mut sorted = first.clone();
    sorted.sort_by_key(|s| s.to_lowercase());
    assert_eq!(first, sorted, "pages are ordered by userName");
}
