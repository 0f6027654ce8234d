//! Secondary e-mails (issue 14) end to end: non-primary `emails` of type `work` become Dropbox
//! secondary e-mails with one add and one delete call at most, none when nothing changes, refusals
//! named in a 400, and a lost reply retried without applying twice.

use crate::helpers::scim_calls::{USER_URN, assert_scim_error};
use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::emulator::{EmulatorConfig, Fault};
use dropbox_scim_bridge::store::{AuditQuery, Store};
use serde_json::{Value, json};

mod idp_and_cli;

const ADD: &str = "members/secondary_emails/add";
const DELETE: &str = "members/secondary_emails/delete";
const RESEND: &str = "members/secondary_emails/resend_verification_emails";

/// A bridge with secondary e-mails on, over a team whose invitees join at once (an invitee cannot
/// hold secondary e-mails). The team's verified domain is example.com (the admin's).
async fn spawn_on() -> TestApp {
    let emulator = EmulatorConfig {
        auto_accept_invites: true,
        ..EmulatorConfig::default()
    };
    TestApp::spawn_full(
        emulator,
        &[("SCIM_BRIDGE_SECONDARY_EMAILS__ENABLED", "true")],
    )
    .await
}

/// The usual Okta body with `secondary` as non-primary work addresses.
fn body(login: &str, secondary: &[&str]) -> Value {
    let mut emails = vec![json!({"value": login, "type": "work", "primary": true})];
    emails.extend(
        secondary
            .iter()
            .map(|e| json!({"value": e, "type": "work", "primary": false})),
    );
    json!({
        "schemas": [USER_URN],
        "userName": login,
        "name": {"givenName": "Sec", "familyName": "Ondary"},
        "emails": emails,
        "active": true
    })
}

async fn create(app: &TestApp, login: &str, secondary: &[&str]) -> String {
    let (status, user) = app.create_user(body(login, secondary)).await;
    assert_eq!(status, 201, "{user}");
    user["id"].as_str().expect("id").to_owned()
}

/// The member's secondary e-mails in Dropbox: (address, verified), in Dropbox's order.
fn in_dropbox(app: &TestApp, id: &str) -> Vec<(String, bool)> {
    let m = app.dropbox.emulator.member(id).expect("member");
    m["secondary_emails"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|s| {
                    let email = s["email"].as_str().unwrap_or_default().to_owned();
                    (email, s["is_verified"].as_bool().unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The non-primary `emails` values the IdP reads back, with their type.
fn shown(user: &Value) -> Vec<(String, String)> {
    user["emails"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["primary"] != json!(true))
        .map(|e| {
            let v = e["value"].as_str().unwrap_or_default().to_owned();
            (v, e["type"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

fn pair(e: &str, verified: bool) -> (String, bool) {
    (e.to_owned(), verified)
}

fn work(e: &str) -> (String, String) {
    (e.to_owned(), "work".to_owned())
}

#[tokio::test]
async fn off_by_default_no_secondary_email_call_and_emails_stay_stored() {
    let app = TestApp::spawn_full(
        EmulatorConfig {
            auto_accept_invites: true,
            ..EmulatorConfig::default()
        },
        &[],
    )
    .await;
    let id = create(&app, "off@example.com", &["off2@example.com"]).await;
    let (status, user) = app
        .put_user(&id, body("off@example.com", &["other@example.org"]))
        .await;
    assert_eq!(status, 200, "{user}");

    assert_eq!(
        (app.count(ADD), app.count(DELETE), app.count(RESEND)),
        (0, 0, 0)
    );
    assert!(in_dropbox(&app, &id).is_empty());
    assert_eq!(shown(&user), vec![work("other@example.org")]);
}

#[tokio::test]
async fn create_adds_them_with_one_call_and_get_and_listings_read_them_back() {
    let app = spawn_on().await;
    let id = create(
        &app,
        "ann@example.com",
        &["ann.alt@example.com", "ann@outside.org"],
    )
    .await;

    assert_eq!(app.count(ADD), 1);
    assert_eq!(app.count(DELETE), 0);
    // On the team's verified domain at once; outside it, pending with one verification mail.
    assert_eq!(
        in_dropbox(&app, &id),
        vec![
            pair("ann.alt@example.com", true),
            pair("ann@outside.org", false)
        ]
    );
    let mails = app
        .dropbox
        .emulator
        .verification_mails_sent(&id, "ann@outside.org");
    assert_eq!(mails, 1);

    let (status, user) = app.get_user(&id).await;
    assert_eq!(status, 200, "{user}");
    let both = vec![work("ann.alt@example.com"), work("ann@outside.org")];
    assert_eq!(shown(&user), both);
    let (status, page) = app
        .json(
            reqwest::Method::GET,
            "/Users?filter=userName%20eq%20%22ann@example.com%22",
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(shown(&page["Resources"][0]), both);
    // A full listing reads the team mirror, which stores the profile with them.
    let (status, page) = app
        .json(reqwest::Method::GET, "/Users?startIndex=1&count=50", None)
        .await;
    assert_eq!(status, 200, "{page}");
    let listed = page["Resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["id"] == json!(id));
    assert_eq!(listed.map(shown), Some(both));
    // Reads make no secondary e-mail call.
    assert_eq!(app.count(ADD), 1);
}

#[tokio::test]
async fn patch_and_put_add_and_remove_with_one_call_each_and_none_when_nothing_changes() {
    let app = spawn_on().await;
    let id = create(&app, "bo@example.com", &[]).await;
    assert_eq!(app.count(ADD), 0, "nothing to add on create");

    let add = json!([{"op": "add", "path": "emails",
        "value": [{"value": "bo.two@example.com", "type": "work"},
                  {"value": "bo@home.net", "type": "home"}]}]);
    let (status, user) = app.patch_user(&id, add).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!((app.count(ADD), app.count(DELETE)), (1, 0));
    assert_eq!(
        in_dropbox(&app, &id),
        vec![pair("bo.two@example.com", true)]
    );

    let put = body("bo@example.com", &["bo.three@example.com"]);
    let (status, user) = app.put_user(&id, put.clone()).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!((app.count(ADD), app.count(DELETE)), (2, 1));
    assert_eq!(
        in_dropbox(&app, &id),
        vec![pair("bo.three@example.com", true)]
    );
    assert_eq!(shown(&user), vec![work("bo.three@example.com")]);

    // The same PUT again, and a PATCH of something else: no secondary e-mail call.
    let (status, _) = app.put_user(&id, put).await;
    assert_eq!(status, 200);
    let rename = json!([{"op": "replace", "path": "name.givenName", "value": "Bob"}]);
    let (status, _) = app.patch_user(&id, rename).await;
    assert_eq!(status, 200);
    assert_eq!(
        (app.count(ADD), app.count(DELETE), app.count(RESEND)),
        (2, 1, 0)
    );

    let remove = json!([{"op": "remove", "path": "emails[primary eq false]"}]);
    let (status, user) = app.patch_user(&id, remove).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!((app.count(ADD), app.count(DELETE)), (2, 2));
    assert!(in_dropbox(&app, &id).is_empty());
    assert!(shown(&user).is_empty(), "{user}");
}

#[tokio::test]
async fn an_address_another_member_holds_is_a_400_naming_it_while_the_valid_one_is_applied() {
    let app = spawn_on().await;
    create(&app, "first@example.com", &["shared@example.com"]).await;
    let id = create(&app, "second@example.com", &[]).await;

    let put = body(
        "second@example.com",
        &["shared@example.com", "mine@example.com"],
    );
    let (status, err) = app.put_user(&id, put).await;

    assert_scim_error(&err, "400", "duplicate secondary e-mail");
    assert_eq!(err["scimType"], "invalidValue", "{err}");
    let detail = err["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("shared@example.com"), "{detail}");
    assert!(!detail.contains("mine@example.com"), "{detail}");
    assert!(detail.contains("were applied"), "{detail}");
    assert_eq!(status, 400);
    assert_eq!(app.count(ADD), 2, "one call per write");
    assert_eq!(in_dropbox(&app, &id), vec![pair("mine@example.com", true)]);
    // The IdP reads back what Dropbox holds: the valid address, not the refused one.
    let (_, user) = app.get_user(&id).await;
    assert_eq!(shown(&user), vec![work("mine@example.com")]);

    // The audit entry records the refusal, its detail and the one add call.
    let store = Store::connect(app.store_url()).await.expect("store");
    let q = AuditQuery {
        resource_id: Some(id.clone()),
        status: Some((400, 400)),
        ..AuditQuery::default()
    };
    let entries = store.query_audit(&q).await.expect("audit");
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert!(
        e.detail
            .as_deref()
            .is_some_and(|d| d.contains("shared@example.com")),
        "{e:?}"
    );
    let routes: Vec<&str> = e.dropbox_calls.iter().map(|c| c.route.as_str()).collect();
    assert_eq!(routes, vec![ADD]);
}

#[tokio::test]
async fn a_lost_reply_is_retried_without_applying_twice() {
    let app = spawn_on().await;
    let id = create(&app, "lost@example.com", &[]).await;
    app.dropbox
        .emulator
        .inject_fault(ADD, Fault::DropAfterWrite, 1);

    let (status, user) = app
        .put_user(&id, body("lost@example.com", &["lost@outside.org"]))
        .await;

    assert_eq!(status, 200, "{user}");
    assert_eq!(app.count(ADD), 2, "the lost reply was retried once");
    assert_eq!(in_dropbox(&app, &id), vec![pair("lost@outside.org", false)]);
    let mails = app
        .dropbox
        .emulator
        .verification_mails_sent(&id, "lost@outside.org");
    assert_eq!(
        mails, 1,
        "the repeat found it pending and sent no second mail"
    );
    assert_eq!(shown(&user), vec![work("lost@outside.org")]);

    app.dropbox
        .emulator
        .inject_fault(DELETE, Fault::DropAfterWrite, 1);
    let (status, user) = app.put_user(&id, body("lost@example.com", &[])).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(app.count(DELETE), 2, "the repeat found not_found: done");
    assert!(in_dropbox(&app, &id).is_empty());
}

#[tokio::test]
async fn an_invitee_gets_them_at_the_first_write_after_joining() {
    let app = TestApp::spawn_with(&[("SCIM_BRIDGE_SECONDARY_EMAILS__ENABLED", "true")]).await;
    let id = create(&app, "new@example.com", &["new.alt@example.com"]).await;
    assert_eq!(
        app.count(ADD),
        0,
        "Dropbox answers `unverified` for an invitee: no call"
    );
    let (_, user) = app.get_user(&id).await;
    assert_eq!(
        shown(&user),
        vec![work("new.alt@example.com")],
        "kept until it can be added"
    );

    app.dropbox.emulator.accept_invite(&id).expect("joins");
    let (status, user) = app
        .put_user(&id, body("new@example.com", &["new.alt@example.com"]))
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(app.count(ADD), 1);
    assert_eq!(
        in_dropbox(&app, &id),
        vec![pair("new.alt@example.com", true)]
    );
}

#[tokio::test]
async fn more_than_twenty_is_refused_and_no_secondary_email_call_is_made() {
    let app = spawn_on().await;
    let id = create(&app, "many@example.com", &[]).await;
    let many: Vec<String> = (0..21).map(|i| format!("m{i}@example.com")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();

    let (status, err) = app.put_user(&id, body("many@example.com", &many)).await;

    assert_eq!(status, 400, "{err}");
    assert_eq!(err["scimType"], "invalidValue", "{err}");
    assert_eq!(app.count(ADD), 0);
}

#[tokio::test]
async fn dropbox_refuses_a_new_member_whose_login_is_a_members_verified_secondary_email() {
    let app = spawn_on().await;
    create(&app, "holder@example.com", &["taken@example.com"]).await;

    let (status, err) = app.create_user(body("taken@example.com", &[])).await;

    assert_eq!(status, 409, "{err}");
    assert_eq!(err["scimType"], "uniqueness", "{err}");
}

#[tokio::test]
async fn a_create_with_a_refused_address_is_a_400_and_the_member_exists_for_the_idp_to_find() {
    let app = spawn_on().await;
    create(&app, "owner@example.com", &["owned@example.com"]).await;

    let (status, err) = app
        .create_user(body(
            "late@example.com",
            &["owned@example.com", "late.alt@example.com"],
        ))
        .await;

    assert_eq!(status, 400, "{err}");
    assert!(
        err["detail"]
            .as_str()
            .is_some_and(|d| d.contains("owned@example.com")),
        "{err}"
    );
    let filter = "/Users?filter=userName%20eq%20%22late@example.com%22";
    let (_, page) = app.json(reqwest::Method::GET, filter, None).await;
    assert_eq!(page["totalResults"], 1, "{page}");
    assert_eq!(
        shown(&page["Resources"][0]),
        vec![work("late.alt@example.com")]
    );
    // A filter on the mirror's columns answers what the rendered users show: only the owner.
    let filter = "/Users?filter=emails.value%20eq%20%22owned@example.com%22";
    let (_, page) = app.json(reqwest::Method::GET, filter, None).await;
    assert_eq!(page["totalResults"], 1, "{page}");
    assert_eq!(
        page["Resources"][0]["userName"], "owner@example.com",
        "{page}"
    );
}

#[tokio::test]
async fn dropbox_refuses_a_login_change_to_another_members_verified_secondary_email() {
    let app = spawn_on().await;
    create(&app, "keeper@example.com", &["kept@example.com"]).await;
    let id = create(&app, "mover@example.com", &[]).await;

    let (status, err) = app.put_user(&id, body("kept@example.com", &[])).await;

    assert_eq!(status, 409, "{err}");
    assert_eq!(err["scimType"], "uniqueness", "{err}");
}
