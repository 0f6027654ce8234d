//! Hostile input over HTTP (issue 13, items 6 and 8): oversized multi-valued attributes and PATCH
//! requests, several primaries, and wrong shapes are refused with a SCIM 400 before any Dropbox write.

use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::scim::limits::{MAX_PATCH_OPERATIONS, MAX_VALUES_PER_ATTRIBUTE};
use reqwest::Method;
use serde_json::{Value, json};

/// Dropbox writes made so far: none may happen for a refused request.
fn dropbox_writes(app: &TestApp) -> u64 {
    [
        "members/add_v2",
        "members/set_profile_v2",
        "members/suspend",
    ]
    .iter()
    .map(|r| app.count(r))
    .sum()
}

fn user(email: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email,
        "name": {"givenName": "Hostile", "familyName": "Input"},
        "emails": [{"primary": true, "value": email, "type": "work"}], "active": true})
}

fn assert_400(answer: &(u16, Value), scim_type: &str) {
    assert_eq!(answer.0, 400, "{}", answer.1);
    assert_eq!(answer.1["status"], "400", "{}", answer.1);
    assert_eq!(answer.1["scimType"], scim_type, "{}", answer.1);
}

#[tokio::test]
async fn too_many_values_in_one_attribute_are_refused_before_dropbox() {
    let h = TestApp::spawn().await;
    let mut body = user("many@example.com");
    body["emails"] = (0..=MAX_VALUES_PER_ATTRIBUTE)
        .map(|i| json!({"value": format!("m{i}@example.com")}))
        .collect();
    assert_400(&h.create_user(body).await, "tooMany");
    let mut body = user("phones@example.com");
    body["phoneNumbers"] = (0..40_000)
        .map(|i| json!({"value": i.to_string()}))
        .collect();
    assert_400(&h.create_user(body).await, "tooMany");
    assert_eq!(dropbox_writes(&h), 0);
}

#[tokio::test]
async fn oversized_or_quadratic_patches_are_refused_before_dropbox() {
    let h = TestApp::spawn().await;
    let (status, created) = h.create_user(user("patch@example.com")).await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/Users/{}", created["id"].as_str().unwrap_or_default());
    let writes = dropbox_writes(&h);
    let op = json!({"op": "replace", "path": "title", "value": "x"});
    let too_many = json!({"Operations": vec![op; MAX_PATCH_OPERATIONS + 1]});
    assert_400(
        &h.json(Method::PATCH, &path, Some(too_many)).await,
        "tooMany",
    );
    // 1,000 filter ops that each add a value: ~500,000 filter evaluations before the limits.
    let growing: Vec<Value> = (0..MAX_PATCH_OPERATIONS)
        .map(|i| json!({"op": "add", "path": format!("phoneNumbers[value eq \"{i}\"].type"), "value": "work"}))
        .collect();
    let started = std::time::Instant::now();
    let answer = h
        .json(Method::PATCH, &path, Some(json!({"Operations": growing})))
        .await;
    println!("1000 growing filter ops over HTTP: {:?}", started.elapsed());
    assert_400(&answer, "tooMany");
    assert_eq!(dropbox_writes(&h), writes);
}

#[tokio::test]
async fn two_primaries_and_wrong_shapes_are_invalid_values() {
    let h = TestApp::spawn().await;
    let mut two = user("two@example.com");
    two["emails"] = json!([{"value": "two@example.com", "primary": true},
        {"value": "other@example.com", "primary": true}]);
    assert_400(&h.create_user(two).await, "invalidValue");
    let mut array_name = user("array@example.com");
    array_name["userName"] = json!(["array@example.com"]);
    assert_400(&h.create_user(array_name).await, "invalidValue");
    let mut string_emails = user("string@example.com");
    string_emails["emails"] = json!("string@example.com");
    assert_400(&h.create_user(string_emails).await, "invalidValue");
    assert_eq!(dropbox_writes(&h), 0);
    // A PATCH op that makes another value primary still moves the primary (RFC 7644 section 3.5.2).
    let (status, created) = h.create_user(user("moves@example.com")).await;
    assert_eq!(status, 201, "{created}");
    let path = format!("/Users/{}", created["id"].as_str().unwrap_or_default());
    let add = json!({"Operations": [{"op": "add", "path": "phoneNumbers",
        "value": [{"value": "1", "primary": true}]}, {"op": "add", "path": "phoneNumbers",
        "value": [{"value": "2", "primary": true}]}]});
    let (status, patched) = h.json(Method::PATCH, &path, Some(add)).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        patched["phoneNumbers"],
        json!([{"value": "1", "primary": false}, {"value": "2", "primary": true}])
    );
}
