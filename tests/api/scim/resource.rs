//! Typed User/Group views from real IdP bodies, rendering, key normalisation and projection.

use dropbox_scim_bridge::scim::ScimType;
use dropbox_scim_bridge::scim::projection::project;
use dropbox_scim_bridge::scim::resource::{Member, ScimGroup, ScimUser, normalize_keys};
use dropbox_scim_bridge::scim::schema::{ENTERPRISE_URN, group_schema, user_schema};
use serde_json::{Value, json};

#[test]
fn okta_create_body() {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "isaac.brock@example.com",
        "name": {"givenName": "Isaac", "familyName": "Brock"},
        "emails": [{"primary": true, "value": "isaac.brock@example.com", "type": "work"}],
        "displayName": "Isaac Brock", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [], "password": "1mz050nq", "active": true
    });
    let u = ScimUser::from_json(body).map_err(|e| e.detail);
    let u = u.as_ref().ok();
    assert_eq!(
        u.map(|u| u.user_name.as_str()),
        Some("isaac.brock@example.com")
    );
    assert_eq!(u.and_then(|u| u.name.given_name.as_deref()), Some("Isaac"));
    assert_eq!(
        u.map(|u| (
            u.active,
            u.emails.len(),
            u.emails.first().map(|e| e.primary)
        )),
        Some((Some(true), 1, Some(true)))
    );
    assert_eq!(
        u.and_then(|u| u.external_id.as_deref()),
        Some("00ujl29u0le5T6Aj10h7")
    );
}

#[test]
fn entra_create_body_with_extension_nulls_and_pascal_case() {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_URN],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "UserName": "Test_User_ab6490ee@contoso.com",
        "Active": "True",
        "id": "ignored", "meta": {"resourceType": "User"}, "roles": [],
        "displayName": "Test User",
        "title": null,
        "emails": [{"Primary": true, "type": "work", "value": "Test_User_fd0ea19b@contoso.com"}],
        "name": {"formatted": "Test User", "familyName": "User", "givenName": "Test"},
        "urn:ietf:params:scim:schemas:extension:microsoft:2.0:User": {"x": 1},
        ENTERPRISE_URN: {"employeeNumber": "701984", "department": "Sales", "costCenter": null,
                         "Manager": {"Value": "mgr-1"}}
    });
    let u = ScimUser::from_json(body).map_err(|e| e.detail);
    assert!(u.is_ok(), "{u:?}");
    let u = u.unwrap_or_default();
    assert_eq!(u.user_name, "Test_User_ab6490ee@contoso.com");
    assert_eq!(u.active, Some(true));
    assert_eq!(u.id, None);
    assert_eq!(u.title, None);
    assert!(u.emails.first().is_some_and(|e| e.primary));
    assert_eq!(u.name.formatted.as_deref(), Some("Test User"));
    assert_eq!(u.enterprise.employee_number.as_deref(), Some("701984"));
    assert_eq!(u.enterprise.cost_center, None);
    assert_eq!(u.enterprise.manager.as_deref(), Some("mgr-1"));
}

#[test]
fn jumpcloud_null_emails_and_missing_user_name() {
    let u = ScimUser::from_json(json!({"userName": "j@x.com", "emails": null, "active": false}));
    assert_eq!(
        u.map(|u| (u.emails.len(), u.active)).map_err(|e| e.detail),
        Ok((0, Some(false)))
    );
    for body in [
        json!({"displayName": "x"}),
        json!({"userName": ""}),
        json!({"userName": null}),
    ] {
        let e = ScimUser::from_json(body).err();
        assert_eq!(
            e.map(|e| (e.status, e.scim_type)),
            Some((400, Some(ScimType::InvalidValue)))
        );
    }
    let e = ScimUser::from_json(json!({"userName": "a", "active": "perhaps"})).err();
    assert_eq!(e.map(|e| e.scim_type), Some(Some(ScimType::InvalidValue)));
    assert!(ScimUser::from_json(json!([1])).is_err());
}

#[test]
fn user_renders_with_meta_and_extension() {
    let mut u = ScimUser::from_json(json!({"userName": "a@x.com",
        ENTERPRISE_URN: {"manager": "m1"}}))
    .unwrap_or_default();
    u.id = Some("id1".into());
    let v = u.to_json("https://h/scim/v2");
    assert_eq!(
        v["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_URN])
    );
    assert_eq!(v["meta"]["location"], "https://h/scim/v2/Users/id1");
    assert_eq!(v["meta"]["resourceType"], "User");
    assert_eq!(v[ENTERPRISE_URN]["manager"]["value"], "m1");
    assert_eq!(v["active"], true);
    let plain = ScimUser {
        user_name: "b".into(),
        ..Default::default()
    }
    .to_json("https://h");
    assert_eq!(plain["schemas"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        ScimUser::from_json(v).map(|x| x.enterprise.manager),
        Ok(Some("m1".into()))
    );
}

#[test]
fn group_with_microsoft_schema_and_members() {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group",
                    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group"],
        "DisplayName": "Eng", "externalId": "e1", "members": [{"Value": "u1", "display": "a"}, {"value": "u2"}]
    });
    let g = ScimGroup::from_json(body).unwrap_or_default();
    assert_eq!(g.display_name, "Eng");
    assert_eq!(
        g.members,
        vec![
            Member {
                value: "u1".into(),
                display: Some("a".into()),
                kind: None
            },
            Member {
                value: "u2".into(),
                display: None,
                kind: None
            },
        ]
    );
    let v = ScimGroup {
        id: Some("g1".into()),
        ..g
    }
    .to_json("https://h");
    assert_eq!(v["members"][1]["$ref"], "https://h/Users/u2");
    assert_eq!(v["meta"]["location"], "https://h/Groups/g1");
    assert!(ScimGroup::from_json(json!({"members": []})).is_err());
}

#[test]
fn normalize_keys_canonicalises_and_drops_unknowns() {
    let mut v = json!({"UserName": "a", "EMAILS": {"Value": "a@x", "Primary": "false"}, "favouriteColour": "en",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:Department": "D", "nickName": null});
    assert!(normalize_keys(&mut v, user_schema()).is_ok());
    assert_eq!(
        v,
        json!({"userName": "a", "emails": [{"value": "a@x", "primary": false}],
        ENTERPRISE_URN: {"department": "D"}})
    );
}

fn rendered() -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_URN], "id": "1",
        "userName": "a", "name": {"givenName": "G", "familyName": "F"}, "active": true,
        "emails": [{"value": "a@x", "type": "work"}], ENTERPRISE_URN: {"department": "D", "employeeNumber": "7"},
        "meta": {"resourceType": "User"}})
}

#[test]
fn projection_attributes_and_excluded() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut v = rendered();
    project(
        &mut v,
        user_schema(),
        &s(&[
            "USERNAME",
            "name.givenName",
            &format!("{ENTERPRISE_URN}:department"),
        ]),
        &[],
    );
    assert_eq!(
        v,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_URN], "id": "1",
        "userName": "a", "name": {"givenName": "G"}, ENTERPRISE_URN: {"department": "D"}})
    );
    let mut v = rendered();
    project(
        &mut v,
        user_schema(),
        &[],
        &s(&["emails", "id", "name.familyName", ENTERPRISE_URN]),
    );
    assert_eq!(
        v,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE_URN], "id": "1",
        "userName": "a", "name": {"givenName": "G"}, "active": true, "meta": {"resourceType": "User"}})
    );
    let mut g = json!({"id": "g", "displayName": "x", "members": [{"value": "u"}]});
    project(&mut g, group_schema(), &[], &s(&["members"]));
    assert_eq!(g, json!({"id": "g", "displayName": "x"}));
    let mut g = json!({"id": "g", "displayName": "x", "members": [{"value": "u", "display": "d"}]});
    project(
        &mut g,
        group_schema(),
        &s(&["members.value", "unknownAttr"]),
        &[],
    );
    assert_eq!(g, json!({"id": "g", "members": [{"value": "u"}]}));
}

#[test]
fn wrapped_simple_values_are_unwrapped() {
    let u = ScimUser::from_json(
        json!({"userName": "a", "title": {"value": "CTO"}, "active": [{"Value": "true"}]}),
    );
    assert_eq!(
        u.map(|u| (u.title, u.active)).map_err(|e| e.detail),
        Ok((Some("CTO".into()), Some(true)))
    );
    assert!(ScimUser::from_json(json!({"userName": "a", "title": {"x": 1}})).is_err());
}
