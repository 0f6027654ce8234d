//! PATCH: every IdP form from IDP_BEHAVIOUR.md as a fixture with the expected resource, plus proptests.

use crate::helpers::scim_calls::ENTERPRISE_URN;
use dropbox_scim_bridge::scim::ScimType;
use dropbox_scim_bridge::scim::patch::{apply, parse_patch};
use dropbox_scim_bridge::scim::schema::{ResourceSchema, group_schema, user_schema};
use proptest::prelude::*;
use serde_json::{Value, json};

fn run(schema: &ResourceSchema, mut resource: Value, body: Value) -> Result<Value, String> {
    let ops = parse_patch(&body).map_err(|e| e.detail)?;
    apply(&ops, &mut resource, schema).map_err(|e| e.detail)?;
    Ok(resource)
}

fn ops(list: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": list})
}

fn user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "u1", "userName": "a@x.com", "active": true,
        "name": {"givenName": "Ann", "familyName": "Lee"},
        "emails": [{"value": "a@x.com", "type": "work", "primary": true}],
        "meta": {"resourceType": "User"}
    })
}

fn group() -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g1", "displayName": "Eng",
           "members": [{"value": "u1"}, {"value": "u2"}, {"value": "u3"}]})
}

#[test]
fn user_fixtures() {
    let mut base = user();
    base["active"] = json!(false);
    let cases: Vec<(&str, Value, Value)> = vec![
        (
            "okta deactivate",
            ops(json!([{"op": "replace", "value": {"active": false}}])),
            base.clone(),
        ),
        (
            "entra string boolean",
            ops(json!([{"op": "Replace", "path": "active", "value": "False"}])),
            base,
        ),
        (
            "entra name.givenName",
            ops(json!([{"op": "Replace", "path": "name.givenName", "value": "Bo"}])),
            {
                let mut u = user();
                u["name"]["givenName"] = json!("Bo");
                u
            },
        ),
        (
            "entra work email value",
            ops(
                json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "b@x.com"}]),
            ),
            {
                let mut u = user();
                u["emails"][0]["value"] = json!("b@x.com");
                u
            },
        ),
        (
            "entra enterprise employeeNumber and manager string",
            ops(json!([
                {"op": "Add", "path": format!("{ENTERPRISE_URN}:employeeNumber"), "value": "42"},
                {"op": "Replace", "path": format!("{ENTERPRISE_URN}:manager"), "value": "m1"}
            ])),
            {
                let mut u = user();
                u[ENTERPRISE_URN] = json!({"employeeNumber": "42", "manager": {"value": "m1"}});
                u
            },
        ),
        (
            "manager as one-element array with PascalCase",
            ops(
                json!([{"op": "add", "path": format!("{ENTERPRISE_URN}:manager"), "value": [{"Value": "m2"}]}]),
            ),
            {
                let mut u = user();
                u[ENTERPRISE_URN] = json!({"manager": {"value": "m2"}});
                u
            },
        ),
        (
            "entra newer mode dotted and URN keys",
            ops(json!([{"op": "replace", "value": {
                "name.givenName": "Cy", "displayName": "Cy Lee", format!("{ENTERPRISE_URN}:department"): "R&D",
                "active": true, "id": "hacked", "meta": {"x": 1}, "favouriteColour": "en"}}])),
            {
                let mut u = user();
                u["name"]["givenName"] = json!("Cy");
                u["displayName"] = json!("Cy Lee");
                u[ENTERPRISE_URN] = json!({"department": "R&D"});
                u
            },
        ),
        (
            "add work email to user without one creates it",
            ops(
                json!([{"op": "Add", "path": "emails[type eq \"home\"].value", "value": "h@y.org"}]),
            ),
            {
                let mut u = user();
                u["emails"] = json!([{"value": "a@x.com", "type": "work", "primary": true},
                                     {"type": "home", "value": "h@y.org"}]);
                u
            },
        ),
        (
            "null unassigns and remove with path",
            ops(
                json!([{"op": "replace", "path": "name.familyName", "value": null},
                       {"op": "remove", "path": "emails"}]),
            ),
            {
                let mut u = user();
                u["name"] = json!({"givenName": "Ann"});
                u.as_object_mut().map(|o| o.remove("emails"));
                u
            },
        ),
        (
            "primary moves to the new email",
            ops(
                json!([{"op": "add", "path": "emails", "value": {"value": "n@x.com", "type": "other", "Primary": "True"}}]),
            ),
            {
                let mut u = user();
                u["emails"] = json!([{"value": "a@x.com", "type": "work", "primary": false},
                                     {"value": "n@x.com", "type": "other", "primary": true}]);
                u
            },
        ),
    ];
    for (name, body, expected) in cases {
        assert_eq!(run(user_schema(), user(), body), Ok(expected), "{name}");
    }
}

#[test]
fn group_fixtures() {
    let with = |ids: &[&str]| {
        let mut g = group();
        g["members"] = ids.iter().map(|i| json!({"value": i})).collect();
        g
    };
    let cases: Vec<(&str, Value, Value)> = vec![
        (
            "okta remove by filter",
            ops(json!([{"op": "remove", "path": "members[value eq \"u2\"]"}])),
            with(&["u1", "u3"]),
        ),
        (
            "okta add",
            ops(
                json!([{"op": "add", "path": "members", "value": [{"value": "u9", "display": "z@x.com"}]}]),
            ),
            {
                let mut g = group();
                g["members"] = json!([{"value": "u1"}, {"value": "u2"}, {"value": "u3"}, {"value": "u9", "display": "z@x.com"}]);
                g
            },
        ),
        (
            "okta full replace",
            ops(json!([{"op": "replace", "path": "members", "value": [{"value": "u7"}]}])),
            with(&["u7"]),
        ),
        (
            "okta rename with id (ignored) and unchanged name",
            ops(json!([{"op": "replace", "value": {"id": "g1", "displayName": "Eng"}}])),
            group(),
        ),
        (
            "entra remove listed members",
            ops(
                json!([{"op": "Remove", "path": "members", "value": [{"value": "u1"}, {"value": "u3"}]}]),
            ),
            with(&["u2"]),
        ),
        (
            "remove matching nothing is a no-op",
            ops(json!([{"op": "remove", "path": "members[value eq \"zz\"]"}])),
            group(),
        ),
        (
            "replace naming neither keeps members",
            ops(json!([{"op": "replace", "value": {"externalId": "e"}}])),
            {
                let mut g = group();
                g["externalId"] = json!("e");
                g
            },
        ),
        (
            "mixed bare object and array values",
            ops(
                json!([{"op": "add", "path": "members", "value": {"value": "u4"}},
                       {"op": "Add", "path": "members", "value": [{"value": "u5"}]}]),
            ),
            with(&["u1", "u2", "u3", "u4", "u5"]),
        ),
    ];
    for (name, body, expected) in cases {
        assert_eq!(run(group_schema(), group(), body), Ok(expected), "{name}");
    }
}

#[test]
fn errors_leave_the_resource_unchanged() {
    let mut g = group();
    let body =
        ops(json!([{"op": "remove", "path": "members"}, {"op": "remove", "path": "displayName"}]));
    let ops = parse_patch(&body).unwrap_or_default();
    assert_eq!(ops.len(), 2);
    let err = apply(&ops, &mut g, group_schema())
        .err()
        .map(|e| e.scim_type);
    assert_eq!(err, Some(Some(ScimType::InvalidValue)));
    assert_eq!(g, group());
    let bad = [
        (
            json!({"Operations": [{"op": "move", "path": "x"}]}),
            ScimType::InvalidSyntax,
        ),
        (
            json!({"Operations": [{"op": "remove"}]}),
            ScimType::NoTarget,
        ),
        (
            json!({"Operations": [{"op": "add", "path": "members["}]}),
            ScimType::InvalidPath,
        ),
        (
            json!({"Operations": [{"op": "replace", "value": "x"}]}),
            ScimType::InvalidValue,
        ),
        (json!({"ops": []}), ScimType::InvalidSyntax),
    ];
    for (body, t) in bad {
        assert_eq!(
            parse_patch(&body).err().map(|e| e.scim_type),
            Some(Some(t)),
            "{body}"
        );
    }
    let r = run(user_schema(), user(), ops_bad_bool());
    assert!(r.is_err_and(|d| d.contains("active")));
}

fn ops_bad_bool() -> Value {
    ops(json!([{"op": "replace", "path": "active", "value": "maybe"}]))
}

proptest! {
    #[test]
    fn replace_then_read_gives_the_value(v in "[^\\u{0}]{1,20}") {
        let out = run(user_schema(), user(), ops(json!([{"op": "replace", "path": "displayName", "value": v}])));
        prop_assert_eq!(out.map(|u| u["displayName"].clone()), Ok(json!(v)));
    }

    #[test]
    fn add_then_remove_member_restores_the_set(id in "[a-z0-9]{1,12}") {
        prop_assume!(!["u1", "u2", "u3"].contains(&id.as_str()));
        let body = ops(json!([{"op": "add", "path": "members", "value": [{"value": id}]},
                              {"op": "remove", "path": format!("members[value eq \"{id}\"]")}]));
        prop_assert_eq!(run(group_schema(), group(), body), Ok(group()));
    }

    #[test]
    fn ops_never_panic(
        op in proptest::sample::select(vec!["add", "replace", "remove", "Add"]),
        path in proptest::option::of(proptest::sample::select(vec![
            "members", "displayName", "members[value eq \"u1\"]", "members[value eq \"u1\"].display",
            "emails[type eq \"work\"].value", "name.givenName", "active", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"])),
        value in any_json(),
    ) {
        let mut o = json!({"op": op, "value": value});
        if let Some(p) = path { o["path"] = json!(p); }
        let _ = run(user_schema(), user(), ops(json!([o.clone()])));
        let _ = run(group_schema(), group(), ops(json!([o])));
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-zA-Z ]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                proptest::sample::select(vec![
                    "value",
                    "Value",
                    "display",
                    "type",
                    "primary",
                    "givenName",
                    "x"
                ]),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}
