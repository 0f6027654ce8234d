//! Renders the discovery endpoints: `/Schemas`, `/ResourceTypes` and `/ServiceProviderConfig` (RFC 7643 §5-7).

use serde_json::{Value, json};

use super::{AttributeDef, ResourceSchema, SchemaDef, group_schema, user_schema};
use crate::scim::list::ListResponse;

const SCHEMA_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const RESOURCE_TYPE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SPC_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

/// What the server really supports, advertised in `/ServiceProviderConfig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// PATCH is supported.
    pub patch: bool,
    /// The most resources one query returns.
    pub filter_max_results: usize,
    /// `sortBy` is honoured.
    pub sort: bool,
    /// ETags are supported.
    pub etag: bool,
    /// Bulk is supported.
    pub bulk: bool,
    /// Password changes are supported.
    pub change_password: bool,
}

impl Default for Capabilities {
    fn default() -> Self {
        Self {
            patch: true,
            filter_max_results: 200,
            sort: false,
            etag: true,
            bulk: false,
            change_password: false,
        }
    }
}

fn resources() -> [&'static ResourceSchema; 2] {
    [user_schema(), group_schema()]
}

fn attribute_json(a: &AttributeDef) -> Value {
    let mut v = json!({
        "name": a.name,
        "type": a.ty.as_str(),
        "multiValued": a.multi_valued,
        "description": a.description,
        "required": a.required,
        "caseExact": a.case_exact,
        "mutability": a.mutability.as_str(),
        "returned": a.returned.as_str(),
        "uniqueness": a.uniqueness.as_str(),
    });
    if let Some(obj) = v.as_object_mut() {
        if !a.sub_attributes.is_empty() {
            obj.insert(
                "subAttributes".into(),
                a.sub_attributes.iter().map(attribute_json).collect(),
            );
        }
        if !a.canonical_values.is_empty() {
            obj.insert("canonicalValues".into(), json!(a.canonical_values));
        }
        if !a.reference_types.is_empty() {
            obj.insert("referenceTypes".into(), json!(a.reference_types));
        }
    }
    v
}

fn one_schema_json(base: &str, s: &SchemaDef) -> Value {
    json!({
        "schemas": [SCHEMA_URN],
        "id": s.id,
        "name": s.name,
        "description": s.description,
        "attributes": s.attributes.iter().map(attribute_json).collect::<Vec<_>>(),
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{}", s.id)},
    })
}

fn all_schemas() -> Vec<&'static SchemaDef> {
    resources()
        .iter()
        .flat_map(|r| std::iter::once(r.core).chain(r.extensions.iter().copied()))
        .collect()
}

/// `GET /Schemas/{id}`: one schema, or `None` if unknown.
pub fn schema_json(base_url: &str, id: &str) -> Option<Value> {
    all_schemas()
        .into_iter()
        .find(|s| s.id.eq_ignore_ascii_case(id))
        .map(|s| one_schema_json(base_url, s))
}

/// `GET /Schemas`: a ListResponse of every published schema.
pub fn schemas_json(base_url: &str) -> Value {
    let items: Vec<Value> = all_schemas()
        .into_iter()
        .map(|s| one_schema_json(base_url, s))
        .collect();
    ListResponse::complete(items).into_json()
}

fn one_resource_type_json(base: &str, r: &ResourceSchema) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_URN],
        "id": r.name,
        "name": r.name,
        "endpoint": r.endpoint,
        "description": r.description,
        "schema": r.core.id,
        "schemaExtensions": r.extensions.iter().map(|e| json!({"schema": e.id, "required": false}))
            .collect::<Vec<_>>(),
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{}", r.name)},
    })
}

/// `GET /ResourceTypes/{name}`: one resource type, or `None` if unknown.
pub fn resource_type_json(base_url: &str, name: &str) -> Option<Value> {
    resources()
        .into_iter()
        .find(|r| r.name.eq_ignore_ascii_case(name))
        .map(|r| one_resource_type_json(base_url, r))
}

/// `GET /ResourceTypes`: a ListResponse of User and Group.
pub fn resource_types_json(base_url: &str) -> Value {
    ListResponse::complete(
        resources()
            .iter()
            .map(|r| one_resource_type_json(base_url, r))
            .collect(),
    )
    .into_json()
}

/// `GET /ServiceProviderConfig`: the advertised capabilities.
pub fn service_provider_config_json(base_url: &str, caps: &Capabilities) -> Value {
    json!({
        "schemas": [SPC_URN],
        "patch": {"supported": caps.patch},
        "bulk": {"supported": caps.bulk, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": caps.filter_max_results},
        "changePassword": {"supported": caps.change_password},
        "sort": {"supported": caps.sort},
        "etag": {"supported": caps.etag},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token in the Authorization header",
            "primary": true,
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base_url}/ServiceProviderConfig")},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_is_a_list_response_of_four() {
        let v = schemas_json("https://h/scim/v2");
        assert_eq!(v["totalResults"], 4);
        let ids: Vec<&str> = v["Resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["id"].as_str())
            .collect();
        assert!(ids.contains(&super::super::ENTERPRISE_URN));
        let user = &v["Resources"][0];
        let user_name = user["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["name"] == "userName");
        assert_eq!(
            user_name.map(|a| a["uniqueness"].clone()),
            Some(json!("server"))
        );
        let groups = user["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["name"] == "groups");
        assert_eq!(
            groups.map(|a| a["mutability"].clone()),
            Some(json!("readOnly"))
        );
    }

    #[test]
    fn resource_types_name_the_extension() {
        let v = resource_types_json("https://h");
        assert_eq!(
            v["Resources"][0]["schemaExtensions"][0]["schema"],
            super::super::ENTERPRISE_URN
        );
        assert_eq!(
            v["Resources"][0]["schemaExtensions"][1]["schema"],
            super::super::DROPBOX_URN
        );
        assert_eq!(v["Resources"][1]["endpoint"], "/Groups");
        assert!(resource_type_json("https://h", "group").is_some());
        assert!(schema_json("https://h", "urn:nope").is_none());
    }

    #[test]
    fn service_provider_config_reflects_capabilities() {
        let caps = Capabilities {
            patch: false,
            ..Capabilities::default()
        };
        let v = service_provider_config_json("https://h", &caps);
        assert_eq!(v["patch"]["supported"], false);
        assert_eq!(v["filter"]["maxResults"], 200);
        assert_eq!(v["meta"]["location"], "https://h/ServiceProviderConfig");
    }
}
