//! The typed Group view: built leniently from request JSON, rendered as a full SCIM resource.

use serde_json::{Map, Value, json};

use super::keys::{get_ci, normalize_keys};
use super::user::{Meta, meta_json, text};
use crate::scim::error::ScimError;
use crate::scim::etag::weak_etag;
use crate::scim::schema::{GROUP_URN, group_schema};

/// One value of `members`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member's SCIM id.
    pub value: String,
    /// Its display name.
    pub display: Option<String>,
    /// Its resource type (`User`).
    pub kind: Option<String>,
}

/// A SCIM Group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimGroup {
    /// Server-issued id (ignored in requests).
    pub id: Option<String>,
    /// `externalId`
    pub external_id: Option<String>,
    /// `displayName` (required, non-empty).
    pub display_name: String,
    /// `members`
    pub members: Vec<Member>,
    /// `meta` (server-maintained).
    pub meta: Meta,
}

impl ScimGroup {
    /// Reads a POST/PUT body leniently; a missing or empty `displayName` is 400 `invalidValue`.
    pub fn from_json(mut body: Value) -> Result<Self, ScimError> {
        normalize_keys(&mut body, group_schema())?;
        let display_name = text(&body, "displayName").unwrap_or_default();
        if display_name.trim().is_empty() {
            return Err(ScimError::invalid_value(
                "displayName is required and must not be empty",
            ));
        }
        let members = get_ci(&body, "members")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let members = members
            .iter()
            .filter_map(|m| {
                Some(Member {
                    value: text(m, "value")?,
                    display: text(m, "display"),
                    kind: text(m, "type"),
                })
            })
            .collect();
        Ok(ScimGroup {
            id: None,
            external_id: text(&body, "externalId"),
            display_name,
            members,
            meta: Meta::default(),
        })
    }

    /// Renders the full resource with `meta.location` under `base_url` and its `meta.version`.
    pub fn to_json(&self, base_url: &str) -> Value {
        let mut v = self.render(base_url);
        let version = self.version();
        if let Some(Value::Object(meta)) = v.get_mut("meta") {
            meta.insert("version".into(), json!(version));
        }
        v
    }

    /// The resource's version (a weak ETag), as `meta.version` and the `ETag` header show it. It
    /// covers everything but `members`, which a read may skip (listing them costs Dropbox calls):
    /// `meta.lastModified` moves with every change made through the bridge, members included.
    pub fn version(&self) -> String {
        let mut v = self.render("");
        if let Some(o) = v.as_object_mut() {
            o.remove("members");
        }
        weak_etag(&v)
    }

    fn render(&self, base_url: &str) -> Value {
        let id = self.id.clone().unwrap_or_default();
        let mut o = Map::new();
        o.insert("schemas".into(), json!([GROUP_URN]));
        o.insert("id".into(), json!(id));
        if let Some(x) = &self.external_id {
            o.insert("externalId".into(), json!(x));
        }
        o.insert("displayName".into(), json!(self.display_name));
        let members = self.members.iter().map(|m| {
            let mut v = Map::new();
            v.insert("value".into(), json!(m.value));
            v.insert(
                "$ref".into(),
                json!(format!("{base_url}/Users/{}", m.value)),
            );
            if let Some(d) = &m.display {
                v.insert("display".into(), json!(d));
            }
            v.insert(
                "type".into(),
                json!(m.kind.clone().unwrap_or_else(|| "User".into())),
            );
            Value::Object(v)
        });
        o.insert("members".into(), members.collect());
        o.insert(
            "meta".into(),
            meta_json(&self.meta, "Group", format!("{base_url}/Groups/{id}")),
        );
        Value::Object(o)
    }
}
