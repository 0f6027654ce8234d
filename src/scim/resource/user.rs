//! The typed User view: built leniently from request JSON, rendered as a full SCIM resource.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::keys::{get_ci, normalize_keys};
use super::stored::{StoredAttributes, render_stored, take_stored};
use crate::scim::error::ScimError;
use crate::scim::etag::weak_etag;
use crate::scim::schema::{DROPBOX_URN, ENTERPRISE_URN, SPACE_LIMIT_ATTR, USER_URN, user_schema};

/// `name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Name {
    /// `givenName`
    pub given_name: Option<String>,
    /// `familyName`
    pub family_name: Option<String>,
    /// `formatted`
    pub formatted: Option<String>,
}

/// One value of `emails` or `phoneNumbers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultiValue {
    /// `value`
    pub value: String,
    /// `type`
    pub kind: Option<String>,
    /// `primary`
    pub primary: bool,
}

/// One value of the read-only `groups`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    /// The group's id.
    pub value: String,
    /// The group's displayName.
    pub display: Option<String>,
}

/// The enterprise extension.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Enterprise {
    /// `employeeNumber`
    pub employee_number: Option<String>,
    /// `costCenter`
    pub cost_center: Option<String>,
    /// `organization`
    pub organization: Option<String>,
    /// `division`
    pub division: Option<String>,
    /// `department`
    pub department: Option<String>,
    /// `manager.value` (the manager's SCIM id).
    pub manager: Option<String>,
}

impl Enterprise {
    /// Whether any value is set.
    pub fn is_empty(&self) -> bool {
        *self == Enterprise::default()
    }
}

/// Server-maintained metadata; `resourceType` and `location` are derived when rendering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// `created`
    pub created: Option<DateTime<Utc>>,
    /// `lastModified`
    pub last_modified: Option<DateTime<Utc>>,
    /// `version` (an ETag such as `W/"3"`).
    pub version: Option<String>,
}

/// A SCIM User limited to the attributes the bridge supports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimUser {
    /// Server-issued id (ignored in requests).
    pub id: Option<String>,
    /// `externalId`
    pub external_id: Option<String>,
    /// `userName` (required, non-empty).
    pub user_name: String,
    /// `name`
    pub name: Name,
    /// `displayName`
    pub display_name: Option<String>,
    /// `title`
    pub title: Option<String>,
    /// `active`; `None` when not sent.
    pub active: Option<bool>,
    /// `emails`
    pub emails: Vec<MultiValue>,
    /// `phoneNumbers`
    pub phone_numbers: Vec<MultiValue>,
    /// The enterprise extension.
    pub enterprise: Enterprise,
    /// The core attributes only the bridge keeps (`nickName`, `addresses`, `roles`...), as sent.
    pub stored: StoredAttributes,
    /// `groups` (read-only: filled by the server, ignored in requests).
    pub groups: Vec<GroupRef>,
    /// The bridge's Dropbox extension `spaceLimitGb`: the member's custom space limit in GB.
    pub space_limit_gb: Option<u32>,
    /// `meta` (server-maintained).
    pub meta: Meta,
}

pub(crate) fn text(obj: &Value, key: &str) -> Option<String> {
    get_ci(obj, key).and_then(Value::as_str).map(String::from)
}

fn multi(obj: &Value, key: &str) -> Vec<MultiValue> {
    let items = get_ci(obj, key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|m| {
            Some(MultiValue {
                value: text(m, "value")?,
                kind: text(m, "type"),
                primary: get_ci(m, "primary")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            })
        })
        .collect()
}

fn put(map: &mut Map<String, Value>, key: &str, v: &Option<String>) {
    if let Some(s) = v {
        map.insert(key.into(), Value::String(s.clone()));
    }
}

fn multi_json(items: &[MultiValue]) -> Value {
    items
        .iter()
        .map(|m| {
            let mut o = Map::new();
            o.insert("value".into(), json!(m.value));
            put(&mut o, "type", &m.kind);
            o.insert("primary".into(), json!(m.primary));
            Value::Object(o)
        })
        .collect()
}

/// Renders `meta` with its derived `resourceType` and `location`.
pub(crate) fn meta_json(meta: &Meta, resource_type: &str, location: String) -> Value {
    let mut o = Map::new();
    o.insert("resourceType".into(), json!(resource_type));
    let ts = |t: &DateTime<Utc>| json!(t.to_rfc3339_opts(SecondsFormat::Millis, true));
    if let Some(t) = &meta.created {
        o.insert("created".into(), ts(t));
    }
    if let Some(t) = &meta.last_modified {
        o.insert("lastModified".into(), ts(t));
    }
    o.insert("location".into(), json!(location));
    put(&mut o, "version", &meta.version);
    Value::Object(o)
}

impl ScimUser {
    /// Reads a POST/PUT body leniently: unknown and read-only attributes ignored, nulls unset,
    /// "True"/"False" accepted for `active`; a missing or empty `userName` is 400 `invalidValue`.
    pub fn from_json(mut body: Value) -> Result<Self, ScimError> {
        normalize_keys(&mut body, user_schema())?;
        let user_name = text(&body, "userName").unwrap_or_default();
        if user_name.trim().is_empty() {
            return Err(ScimError::invalid_value(
                "userName is required and must not be empty",
            ));
        }
        let name = get_ci(&body, "name").cloned().unwrap_or(Value::Null);
        let stored = take_stored(&body)?;
        let ent = get_ci(&body, ENTERPRISE_URN)
            .cloned()
            .unwrap_or(Value::Null);
        Ok(ScimUser {
            id: None,
            external_id: text(&body, "externalId"),
            user_name,
            name: Name {
                given_name: text(&name, "givenName"),
                family_name: text(&name, "familyName"),
                formatted: text(&name, "formatted"),
            },
            display_name: text(&body, "displayName"),
            title: text(&body, "title"),
            active: get_ci(&body, "active").and_then(Value::as_bool),
            emails: multi(&body, "emails"),
            phone_numbers: multi(&body, "phoneNumbers"),
            enterprise: Enterprise {
                employee_number: text(&ent, "employeeNumber"),
                cost_center: text(&ent, "costCenter"),
                organization: text(&ent, "organization"),
                division: text(&ent, "division"),
                department: text(&ent, "department"),
                manager: get_ci(&ent, "manager").and_then(|m| text(m, "value")),
            },
            stored,
            groups: Vec::new(),
            space_limit_gb: crate::scim::schema::space_limit_of(&body)?,
            meta: Meta::default(),
        })
    }

    /// Renders the full resource with its `meta.version`; `base_url` is the SCIM root used for
    /// `meta.location` and `$ref`s.
    pub fn to_json(&self, base_url: &str) -> Value {
        let mut v = self.render(base_url);
        let version = weak_etag(&v);
        if let Some(Value::Object(meta)) = v.get_mut("meta") {
            meta.insert("version".into(), json!(version));
        }
        v
    }

    /// The resource as a filter is evaluated on it: [`ScimUser::to_json`] without a base URL, and
    /// without `meta.version` unless the filter reads `meta` (the version costs a hash of the whole
    /// resource).
    pub fn to_filter_json(&self, filter: &crate::scim::filter::Filter) -> Value {
        if filter.reads_meta() {
            self.to_json("")
        } else {
            self.render("")
        }
    }

    /// The resource's version (a weak ETag), as `meta.version` and the `ETag` header show it.
    pub fn version(&self) -> String {
        weak_etag(&self.render(""))
    }

    fn render(&self, base_url: &str) -> Value {
        let id = self.id.clone().unwrap_or_default();
        let mut o = Map::new();
        let mut schemas = vec![json!(USER_URN)];
        if !self.enterprise.is_empty() {
            schemas.push(json!(ENTERPRISE_URN));
        }
        if self.space_limit_gb.is_some() {
            schemas.push(json!(DROPBOX_URN));
        }
        o.insert("schemas".into(), Value::Array(schemas));
        o.insert("id".into(), json!(id));
        put(&mut o, "externalId", &self.external_id);
        o.insert("userName".into(), json!(self.user_name));
        let mut name = Map::new();
        put(&mut name, "givenName", &self.name.given_name);
        put(&mut name, "familyName", &self.name.family_name);
        put(&mut name, "formatted", &self.name.formatted);
        if !name.is_empty() {
            o.insert("name".into(), Value::Object(name));
        }
        put(&mut o, "displayName", &self.display_name);
        put(&mut o, "title", &self.title);
        o.insert("active".into(), json!(self.active.unwrap_or(true)));
        if !self.emails.is_empty() {
            o.insert("emails".into(), multi_json(&self.emails));
        }
        if !self.phone_numbers.is_empty() {
            o.insert("phoneNumbers".into(), multi_json(&self.phone_numbers));
        }
        render_stored(&mut o, &self.stored);
        if !self.groups.is_empty() {
            let groups = self.groups.iter().map(|g| {
                let mut m = Map::new();
                m.insert("value".into(), json!(g.value));
                m.insert(
                    "$ref".into(),
                    json!(format!("{base_url}/Groups/{}", g.value)),
                );
                put(&mut m, "display", &g.display);
                Value::Object(m)
            });
            o.insert("groups".into(), groups.collect());
        }
        if !self.enterprise.is_empty() {
            let e = &self.enterprise;
            let mut m = Map::new();
            put(&mut m, "employeeNumber", &e.employee_number);
            put(&mut m, "costCenter", &e.cost_center);
            put(&mut m, "organization", &e.organization);
            put(&mut m, "division", &e.division);
            put(&mut m, "department", &e.department);
            if let Some(mgr) = &e.manager {
                m.insert(
                    "manager".into(),
                    json!({"value": mgr, "$ref": format!("{base_url}/Users/{mgr}")}),
                );
            }
            o.insert(ENTERPRISE_URN.into(), Value::Object(m));
        }
        if let Some(gb) = self.space_limit_gb {
            o.insert(DROPBOX_URN.into(), json!({ SPACE_LIMIT_ATTR: gb }));
        }
        o.insert(
            "meta".into(),
            meta_json(&self.meta, "User", format!("{base_url}/Users/{id}")),
        );
        Value::Object(o)
    }
}
