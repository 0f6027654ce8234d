//! Every core User attribute Dropbox cannot hold is stored and read back as sent (POST, GET, PUT,
//! PATCH, listings), advertised in `/Schemas`, and bounded; `meta.created` never moves.

use crate::helpers::scim_calls::{USER_URN, assert_scim_error};
use crate::helpers::test_app::TestApp;
use serde_json::{Value, json};

/// The RFC 7643 section 8.2 example values of every stored attribute.
fn stored_values() -> Value {
    json!({
        "nickName": "Babs",
        "profileUrl": "https://login.example.com/bjensen",
        "userType": "Employee",
        "preferredLanguage": "en-US,en;q=0.5",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "addresses": [{
            "type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood",
            "region": "CA", "postalCode": "91608", "country": "US",
            "formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA", "primary": true
        }],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "photos": [{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"}],
        "entitlements": [{"value": "licence-a", "display": "Licence A"}],
        "roles": [{"value": "Support", "primary": true}],
        "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}]
    })
}

fn user_body(email: &str, extra: &Value) -> Value {
    let mut body = json!({
        "schemas": [USER_URN], "userName": email,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": email, "type": "work", "primary": true}], "active": true
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    body
}

fn assert_has(user: &Value, expected: &Value, what: &str) {
    for (k, v) in expected.as_object().expect("object") {
        assert_eq!(&user[k], v, "{what}: {k} in {user}");
    }
}

#[tokio::test]
async fn every_stored_attribute_round_trips_through_post_get_put_patch_and_lists() {
    let t = TestApp::spawn().await;
    let values = stored_values();
    let (status, created) = t.create_user(user_body("babs@example.com", &values)).await;
    assert_eq!(status, 201, "{created}");
    assert_has(&created, &values, "POST answer");
    let id = created["id"].as_str().expect("id").to_owned();
    let (_, got) = t.get_user(&id).await;
    assert_has(&got, &values, "GET");
    let (_, listed) = t
        .list_users("filter=userName%20eq%20%22babs@example.com%22")
        .await;
    assert_has(&listed["Resources"][0], &values, "list");

    // PATCH each kind of value: a simple one, a filtered sub-attribute, a removal.
    let ops = json!([
        {"op": "replace", "path": "nickName", "value": "Barb"},
        {"op": "replace", "path": "addresses[type eq \"work\"].locality", "value": "Burbank"},
        {"op": "add", "path": "roles", "value": [{"value": "Auditor"}]},
        {"op": "remove", "path": "ims"}
    ]);
    let (status, patched) = t.patch_user(&id, ops).await;
    assert_eq!(status, 200, "{patched}");
    let (_, got) = t.get_user(&id).await;
    assert_eq!(got["nickName"], "Barb", "{got}");
    assert_eq!(got["addresses"][0]["locality"], "Burbank", "{got}");
    assert_eq!(
        got["addresses"][0]["streetAddress"],
        "100 Universal City Plaza"
    );
    let roles: Vec<&str> = got["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["value"].as_str())
        .collect();
    assert_eq!(roles, ["Support", "Auditor"], "{got}");
    assert!(got.get("ims").is_none(), "ims removed: {got}");
    assert_eq!(got, patched, "the PATCH answer is what GET shows");

    // PUT replaces: what it omits is gone, what it sends is kept.
    let put = user_body("babs@example.com", &json!({"timezone": "Europe/Paris"}));
    let (status, replaced) = t.put_user(&id, put).await;
    assert_eq!(status, 200, "{replaced}");
    let (_, got) = t.get_user(&id).await;
    assert_eq!(got["timezone"], "Europe/Paris");
    for gone in [
        "nickName",
        "addresses",
        "roles",
        "x509Certificates",
        "photos",
    ] {
        assert!(got.get(gone).is_none(), "{gone} after PUT: {got}");
    }
}

#[tokio::test]
async fn stored_attributes_are_advertised_in_schemas() {
    let t = TestApp::spawn().await;
    let (status, schema) = t
        .json(reqwest::Method::GET, &format!("/Schemas/{USER_URN}"), None)
        .await;
    assert_eq!(status, 200, "{schema}");
    let attrs = schema["attributes"].as_array().expect("attributes");
    for name in stored_values().as_object().expect("object").keys() {
        let def = attrs.iter().find(|a| a["name"] == json!(name));
        assert!(def.is_some(), "{name} not in /Schemas");
    }
    let certs = attrs
        .iter()
        .find(|a| a["name"] == "x509Certificates")
        .expect("x509Certificates");
    let value = certs["subAttributes"]
        .as_array()
        .expect("subs")
        .iter()
        .find(|s| s["name"] == "value")
        .expect("value");
    assert_eq!(value["type"], "binary");
}

#[tokio::test]
async fn stored_attributes_out_of_bounds_are_refused_before_any_dropbox_call() {
    let t = TestApp::spawn().await;
    let before = t.count("members/add_v2");
    for (extra, what) in [
        (
            json!({"nickName": "n".repeat(1025)}),
            "a nickName over 1,024 characters",
        ),
        (
            json!({"profileUrl": "javascript:alert(1)"}),
            "a profileUrl that is not a web URL",
        ),
        (
            json!({"x509Certificates": [{"value": "not base64!"}]}),
            "a certificate that is not base64",
        ),
        (
            json!({"timezone": "t".repeat(1025)}),
            "a timezone over 1,024 characters",
        ),
        (
            json!({"roles": vec![json!({"value": "r"}); 21]}),
            "21 roles",
        ),
        (
            json!({"addresses": [{"primary": true}, {"primary": true}]}),
            "two primary addresses",
        ),
    ] {
        let (status, body) = t.create_user(user_body("bounds@example.com", &extra)).await;
        assert_eq!(status, 400, "{what}: {body}");
        assert_scim_error(&body, "400", what);
    }
    assert_eq!(
        t.count("members/add_v2"),
        before,
        "no Dropbox call for a refused body"
    );
}

#[tokio::test]
async fn meta_created_is_stable_through_deactivation_and_reactivation_of_an_invitee() {
    let t = TestApp::spawn().await;
    let created = t
        .create_okta_user("invitee@example.com", "In", "Vitee")
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let first = created["meta"]["created"].clone();
    assert!(first.is_string(), "{created}");
    let (_, got) = t.get_user(&id).await;
    assert_eq!(got["meta"]["created"], first, "GET after POST");

    let off = json!([{"op": "replace", "path": "active", "value": false}]);
    let (status, deactivated) = t.patch_user(&id, off).await;
    assert_eq!(status, 200, "{deactivated}");
    assert_eq!(deactivated["active"], false);
    assert_eq!(deactivated["meta"]["created"], first, "deactivated invitee");
    let (_, got) = t.get_user(&id).await;
    assert_eq!(
        got["meta"]["created"], first,
        "GET of the deactivated invitee"
    );

    let on = json!([{"op": "replace", "path": "active", "value": true}]);
    let (status, again) = t.patch_user(&id, on).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["meta"]["created"], first, "re-invited");
    let lm = |u: &Value| u["meta"]["lastModified"].as_str().map(String::from);
    assert!(
        lm(&again) >= lm(&created),
        "lastModified moves forward: {again}"
    );
}

#[tokio::test]
async fn groups_are_named_everywhere_and_held_memberships_are_listed() {
    let t = TestApp::spawn().await;
    let id = t
        .create_okta_user("grouped@example.com", "Gro", "Uped")
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let group = json!({"schemas": [crate::helpers::scim_calls::GROUP_URN], "displayName": "Named Group",
                       "members": [{"value": id}]});
    let (status, g) = t.create_group(group).await;
    assert_eq!(status, 201, "{g}");
    let expected = json!([{"value": g["id"], "display": "Named Group"}]);
    // Every group comes with its name; the team's own "Everyone" group is left out of the comparison.
    let shown = |u: &Value| {
        let groups = u["groups"].as_array().cloned().unwrap_or_default();
        assert!(
            groups.iter().all(|x| x["display"].is_string()),
            "unnamed group: {u}"
        );
        let bare: Vec<Value> = groups
            .iter()
            .filter(|x| x["display"] != "Everyone")
            .map(|x| json!({"value": x["value"], "display": x["display"]}))
            .collect();
        Value::Array(bare)
    };
    let (_, got) = t.get_user(&id).await;
    assert_eq!(shown(&got), expected, "GET by id: {got}");
    let (_, eq) = t
        .list_users("filter=userName%20eq%20%22grouped@example.com%22")
        .await;
    assert_eq!(shown(&eq["Resources"][0]), expected, "userName eq: {eq}");
    let (_, all) = t.list_users("count=100").await;
    let listed = all["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .find(|u| u["id"] == json!(id))
        .cloned()
        .expect("listed");
    assert_eq!(shown(&listed), expected, "full listing: {listed}");

    // Deactivated while invited: Dropbox drops the membership, the bridge holds it and shows it.
    let off = json!([{"op": "replace", "path": "active", "value": false}]);
    let (status, deactivated) = t.patch_user(&id, off).await;
    assert_eq!(status, 200, "{deactivated}");
    assert_eq!(shown(&deactivated), expected, "PATCH answer: {deactivated}");
    let (_, got) = t.get_user(&id).await;
    assert_eq!(
        shown(&got),
        expected,
        "GET of the deactivated invitee: {got}"
    );
    let (_, eq) = t
        .list_users("filter=userName%20eq%20%22grouped@example.com%22")
        .await;
    assert_eq!(
        shown(&eq["Resources"][0]),
        expected,
        "look-up of the deactivated invitee: {eq}"
    );
}
