//! User listings paged in SQL over the mirror: a refresh costs ceil(N/1000) list calls, pages walk every
//! visible user once in `userName` order (deleted users hidden, deactivated invitations merged in), and
//! filters pushed down to SQL answer what the same filter evaluated on rendered users answers.

use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::emulator::EmulatorConfig;
use serde_json::{Value, json};

fn q(filter: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("filter", filter)
        .finish()
}

/// Every page of a listing in pages of `count`: (ids, userNames, the totals each page reported).
async fn walk(app: &TestApp, query: &str, count: usize) -> (Vec<String>, Vec<String>, Vec<u64>) {
    let (mut ids, mut names, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    let mut start = 1;
    loop {
        let (status, body) = app
            .list_users(&format!("{query}&startIndex={start}&count={count}"))
            .await;
        assert_eq!(status, 200, "{body}");
        let total = body["totalResults"].as_u64().expect("totalResults");
        totals.push(total);
        for u in body["Resources"].as_array().expect("Resources") {
            ids.push(u["id"].as_str().expect("id").to_owned());
            names.push(u["userName"].as_str().expect("userName").to_lowercase());
        }
        start += count;
        if start as u64 > total {
            return (ids, names, totals);
        }
    }
}

#[tokio::test]
async fn a_refresh_of_2500_members_costs_3_list_calls() {
    let app = TestApp::spawn_full(
        EmulatorConfig {
            num_licensed_users: 3000,
            ..Default::default()
        },
        &[("SCIM_BRIDGE_USERS__MIRROR_MAX_AGE_SECS", "0")],
    )
    .await;
    app.dropbox.emulator.seed_members(2500);
    let lists =
        |app: &TestApp| app.count("members/list_v2") + app.count("members/list/continue_v2");
    for round in 1..=2 {
        let (status, body) = app.list_users("count=1").await;
        assert_eq!(status, 200, "{body}");
        assert!(body["totalResults"].as_u64().expect("total") >= 2500);
        assert_eq!(
            lists(&app),
            3 * round,
            "a refresh of 2,501 members is 3 list calls"
        );
        assert_eq!(app.count("members/list_v2"), round);
    }
}

/// The refresh's list calls are background work: they leave the budget's reserve (a fifth of the
/// bucket) to IdP requests. A bucket of 5 calls (refilled at 5 a minute: 12 s a call, far longer than
/// the 2 s the bridge waits), less the 2 of a first look-up (`get_info_v2` and the `groups/list` that
/// fills the group-name cache), lets the walk make 2 of its 3 list calls; the 3rd would need the IdP's
/// last call, so the listing gets 429 + `Retry-After` and that call is still there for the next IdP
/// request.
#[tokio::test]
async fn a_refresh_walks_the_team_as_background_work_under_the_budget() {
    let app = TestApp::spawn_full(
        EmulatorConfig {
            num_licensed_users: 3000,
            ..Default::default()
        },
        &[
            ("SCIM_BRIDGE_DROPBOX__RATE_BUDGET__PER_MINUTE", "5"),
            ("SCIM_BRIDGE_DROPBOX__RATE_BUDGET__BURST", "5"),
        ],
    )
    .await;
    let lookup = |email: &str| q(&format!("userName eq \"{email}\""));
    app.dropbox.emulator.seed_members(1);
    let (status, body) = app.list_users(&lookup("seed1@example.com")).await;
    assert_eq!(status, 200, "{body}");
    app.dropbox.emulator.seed_members(2500);
    let lists =
        |app: &TestApp| app.count("members/list_v2") + app.count("members/list/continue_v2");
    let resp = app.call(reqwest::Method::GET, "/Users?count=1", None).await;
    assert_eq!(
        resp.status(),
        429,
        "the walk needs 3 calls, background may use 2"
    );
    assert!(resp.headers().contains_key("retry-after"));
    assert_eq!(lists(&app), 2, "the walk stopped before the IdP's reserve");
    // The reserved call serves an IdP look-up.
    let (status, body) = app.list_users(&lookup("seed7@example.com")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 1, "{body}");
    assert_eq!(app.count("members/get_info_v2"), 2);
}

#[tokio::test]
async fn pages_show_every_visible_user_once_in_user_name_order() {
    let app = TestApp::spawn_full(
        EmulatorConfig {
            num_licensed_users: 400,
            ..Default::default()
        },
        &[],
    )
    .await;
    app.dropbox.emulator.seed_members(250);
    let kept = app
        .create_okta_user("m.kept@example.com", "Kept", "Invitee")
        .await;
    let withdrawn = app
        .create_okta_user("m.withdrawn@example.com", "Withdrawn", "Invitee")
        .await;
    let gone = app
        .create_okta_user("m.gone@example.com", "Gone", "User")
        .await;
    let id = |u: &Value| u["id"].as_str().expect("id").to_owned();
    let off = json!([{"op": "replace", "value": {"active": false}}]);
    let (status, body) = app.patch_user(&id(&withdrawn), off).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.delete_user(&id(&gone)).await;
    assert_eq!(status, 204, "{body}");

    let (ids, names, totals) = walk(&app, "a=b", 7).await;
    let total = totals[0] as usize;
    assert!(totals.iter().all(|t| *t as usize == total), "{totals:?}");
    assert_eq!(ids.len(), total, "every page filled, every user once");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "userName order across pages");
    assert!(ids.contains(&id(&kept)));
    assert!(
        ids.contains(&id(&withdrawn)),
        "a withdrawn invitation stays listed, inactive"
    );
    assert!(!ids.contains(&id(&gone)), "a deleted user is hidden");
    let (whole, _, _) = walk(&app, "a=b", 1000).await;
    assert_eq!(whole, ids, "pages of 7 equal one page of all");

    let (ids, _, totals) = walk(&app, &q(r#"name.familyName eq "invitee""#), 1).await;
    assert_eq!(totals, [2, 2]);
    assert_eq!(ids.len(), 2);
    let (_, _, totals) = walk(&app, &q("active eq false"), 1).await;
    assert_eq!(totals[0], 1, "only the withdrawn invitation is inactive");
}

#[tokio::test]
async fn pushed_down_filters_answer_what_rust_evaluation_answers() {
    let app = TestApp::spawn_full(
        EmulatorConfig {
            num_licensed_users: 300,
            ..Default::default()
        },
        &[],
    )
    .await;
    app.dropbox.emulator.seed_members(150);
    let mut x = app
        .create_okta_user("x_1%@example.com", "Ann", "O'Neil")
        .await;
    let id = x["id"].as_str().expect("id").to_owned();
    let ops = json!([{"op": "replace", "value": {"externalId": "AbC-7",
        "emails": [{"value": "Second@Example.com", "type": "home"}]}}]);
    x = app.patch_user(&id, ops).await.1;
    assert_eq!(x["externalId"], "AbC-7", "{x}");
    let off = json!([{"op": "replace", "value": {"active": false}}]);
    app.create_okta_user("y@example.com", "Ann", "Off").await;
    let y = app.list_users(&q(r#"userName eq "y@example.com""#)).await.1;
    let y_id = y["Resources"][0]["id"].as_str().expect("id").to_owned();
    assert_eq!(app.patch_user(&y_id, off).await.0, 200);

    for filter in [
        r#"userName sw "seed1""#,
        r#"userName co "_1%""#,
        r#"userName co "%""#,
        r#"name.familyName co "USER12""#,
        r#"name.givenName eq "ann" and not (name.familyName eq "off")"#,
        r#"name.familyName eq "o'neil""#,
        r#"externalId pr"#,
        r#"externalId sw "AbC""#,
        r#"externalId sw "abc""#,
        r#"externalId ew "-7" or externalId co "C-""#,
        r#"emails.value eq "second@example.com""#,
        r#"emails ew "7@example.com""#,
        r#"emails.value co "@EXAMPLE""#,
        r#"active eq false"#,
        r#"active ne true or userName sw "x""#,
        r#"not (userName ew "0@example.com")"#,
    ] {
        let (pushed, _, pushed_totals) = walk(&app, &q(filter), 40).await;
        let in_rust = format!(r#"({filter}) or title eq "no such title""#);
        let (evaluated, _, totals) = walk(&app, &q(&in_rust), 40).await;
        assert_eq!(pushed, evaluated, "{filter}");
        assert_eq!(pushed_totals[0], totals[0], "{filter}");
    }
    let (ids, _, _) = walk(&app, &q(r#"externalId sw "AbC""#), 40).await;
    assert_eq!(ids, std::slice::from_ref(&id));
    let (ids, _, _) = walk(&app, &q(r#"emails.value eq "second@example.com""#), 40).await;
    assert_eq!(ids, [id]);
}
