//! Unit tests of what a POST/PUT body may not contain: wrong shapes, two primaries, too many values.

use serde_json::{Value, json};

use super::{ScimGroup, ScimUser};
use crate::scim::ScimType;
use crate::scim::limits::{MAX_GROUP_MEMBERS, MAX_VALUES_PER_ATTRIBUTE};

fn refused(body: Value) -> Option<(u16, Option<ScimType>)> {
    ScimUser::from_json(body)
        .err()
        .map(|e| (e.status, e.scim_type))
}

const INVALID: Option<(u16, Option<ScimType>)> = Some((400, Some(ScimType::InvalidValue)));
const TOO_MANY: Option<(u16, Option<ScimType>)> = Some((400, Some(ScimType::TooMany)));

#[test]
fn user_name_as_an_array_is_refused() {
    assert_eq!(refused(json!({"userName": ["a@x.com"]})), INVALID);
    assert_eq!(
        refused(json!({"UserName": ["a@x.com", "b@x.com"]})),
        INVALID
    );
    let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    assert_eq!(
        refused(json!({"userName": "a@x.com", ent: {"department": ["D"]}})),
        INVALID
    );
    assert_eq!(
        refused(json!({"userName": "a@x.com", format!("{ent}:department"): ["D"]})),
        INVALID
    );
}

#[test]
fn emails_as_a_string_is_refused() {
    assert_eq!(
        refused(json!({"userName": "a@x.com", "emails": "a@x.com"})),
        INVALID
    );
    assert_eq!(
        refused(json!({"userName": "a@x.com", "phoneNumbers": 5551234})),
        INVALID
    );
    let g = ScimGroup::from_json(json!({"displayName": "G", "members": "u1"}));
    assert_eq!(
        g.err().map(|e| e.scim_type),
        Some(Some(ScimType::InvalidValue))
    );
}

#[test]
fn lenient_forms_stay_accepted() {
    // A single object for a multi-valued attribute, read-only attributes in any shape, null.
    let u = ScimUser::from_json(
        json!({"userName": "a@x.com", "emails": {"value": "a@x.com"},
        "groups": "ignored", "phoneNumbers": null}),
    );
    assert_eq!(u.map(|u| u.emails.len()).map_err(|e| e.detail), Ok(1));
}

#[test]
fn two_primaries_in_one_attribute_are_refused() {
    let body = json!({"userName": "a@x.com", "emails": [
        {"value": "a@x.com", "primary": true}, {"value": "b@x.com", "Primary": "true"}]});
    assert_eq!(refused(body), INVALID);
    let one = json!({"userName": "a@x.com", "emails": [
        {"value": "a@x.com", "primary": true}, {"value": "b@x.com", "primary": false}]});
    assert_eq!(refused(one), None);
}

#[test]
fn values_per_attribute_are_bounded() {
    let emails = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"value": format!("u{i}@x.com")}))
            .collect()
    };
    let at = json!({"userName": "a@x.com", "emails": emails(MAX_VALUES_PER_ATTRIBUTE)});
    assert_eq!(refused(at), None);
    let over = json!({"userName": "a@x.com", "emails": emails(MAX_VALUES_PER_ATTRIBUTE + 1)});
    assert_eq!(refused(over), TOO_MANY);
    let members: Vec<Value> = (0..=MAX_GROUP_MEMBERS)
        .map(|i| json!({"value": i.to_string()}))
        .collect();
    let g = ScimGroup::from_json(json!({"displayName": "G", "members": members}));
    assert_eq!(g.err().map(|e| e.scim_type), Some(Some(ScimType::TooMany)));
}
