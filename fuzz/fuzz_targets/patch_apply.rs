//! PATCH application: any PatchOp body against a User and a Group never panics, is all-or-nothing,
//! and a successful result keeps the limits and at most one primary per attribute.
#![no_main]

use dropbox_scim_bridge::scim::limits::MAX_VALUES_PER_ATTRIBUTE;
use dropbox_scim_bridge::scim::patch::{apply, parse_patch};
use dropbox_scim_bridge::scim::resource::{ScimGroup, ScimUser};
use dropbox_scim_bridge::scim::schema::{group_schema, user_schema};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fn check_user(doc: &Value) {
    for attr in ["emails", "phoneNumbers"] {
        let items = doc.get(attr).and_then(Value::as_array).cloned().unwrap_or_default();
        assert!(items.len() <= MAX_VALUES_PER_ATTRIBUTE, "{attr}: {} values", items.len());
        let primaries = items.iter().filter(|i| i.get("primary") == Some(&json!(true))).count();
        assert!(primaries <= 1, "{attr}: {primaries} primaries");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Ok(ops) = parse_patch(&body) else {
        return;
    };
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1",
        "userName": "a@x.com", "active": true, "name": {"givenName": "Ann", "familyName": "Lee"},
        "emails": [{"value": "a@x.com", "type": "work", "primary": true}],
        "phoneNumbers": [{"value": "1", "primary": false}]});
    let mut doc = user.clone();
    match apply(&ops, &mut doc, user_schema()) {
        Ok(()) => {
            check_user(&doc);
            let _ = ScimUser::from_json(doc);
        }
        Err(_) => assert_eq!(doc, user, "a failed PATCH leaves the resource unchanged"),
    }
    let group = json!({"id": "g1", "displayName": "Eng", "members": [{"value": "u1"}, {"value": "u2"}]});
    let mut doc = group.clone();
    match apply(&ops, &mut doc, group_schema()) {
        Ok(()) => {
            let _ = ScimGroup::from_json(doc);
        }
        Err(_) => assert_eq!(doc, group, "a failed PATCH leaves the resource unchanged"),
    }
});
