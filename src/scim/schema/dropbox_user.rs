//! The bridge's own User extension for what Dropbox holds beyond the core schema: the member's custom
//! space limit (`spaceLimitGb`), and how a request's value is read and bounded.
//!
//! The URN is the bridge's own (`urn:dropbox-scim-bridge:...`), not the IETF namespace, which only RFCs
//! may extend. Whether the value reaches Dropbox is `[space_limits]` configuration (see
//! `bridge/users/space_limit.rs`); the bounds here hold whatever the configuration says.

use serde_json::Value;

use super::{AttrType, AttributeDef as A, SchemaDef};
use crate::scim::error::ScimError;

/// The URN of the bridge's Dropbox User extension.
pub const DROPBOX_URN: &str =
    "urn:dropbox-scim-bridge:params:scim:schemas:extension:dropbox:2.0:User";

/// The attribute holding the member's custom space limit, in whole GB.
pub const SPACE_LIMIT_ATTR: &str = "spaceLimitGb";

/// Dropbox's smallest custom quota (team.stone `UserQuota = UInt32(min_value=2)`).
pub const MIN_SPACE_LIMIT_GB: u32 = 2;

/// The largest value Dropbox can hold (`UInt32`); `[space_limits] max_gb` sets the bridge's own bound.
pub const MAX_SPACE_LIMIT_GB: u32 = u32::MAX;

const DROPBOX_ATTRS: &[A] = &[A::new(
    SPACE_LIMIT_ATTR,
    AttrType::Integer,
    "The member's custom Dropbox space limit in whole GB: at least 2 (Dropbox's minimum), at most the \
     bridge's [space_limits] max_gb (100000 by default). Absent: the team's default limit. Refused \
     unless the bridge enables [space_limits].",
)];

/// The Dropbox User extension.
pub static DROPBOX_SCHEMA: SchemaDef = SchemaDef {
    id: DROPBOX_URN,
    name: "DropboxUser",
    description: "Dropbox member settings the bridge manages",
    attributes: DROPBOX_ATTRS,
};

/// Takes the Dropbox extension out of a discovery answer (`/Schemas`, `/ResourceTypes`, one of
/// their items), for a bridge that does not manage space limits: clients discover only what works.
pub fn hide_dropbox_extension(doc: &mut Value) {
    let is_ours = |v: &Value| {
        v.get("id")
            .or_else(|| v.get("schema"))
            .and_then(Value::as_str)
            == Some(DROPBOX_URN)
    };
    for key in ["Resources", "schemaExtensions"] {
        if let Some(Value::Array(items)) = doc.get_mut(key) {
            items.retain(|i| !is_ours(i));
            items.iter_mut().for_each(hide_dropbox_extension);
        }
    }
    if let Some(n) = doc.get("Resources").and_then(Value::as_array).map(Vec::len) {
        doc["totalResults"] = Value::from(n);
        doc["itemsPerPage"] = Value::from(n);
    }
}

/// Reads `spaceLimitGb` from a body already normalised against the User schema: absent or null is
/// `None`; anything but a whole number from 2 to 2^32-1 is 400 `invalidValue` naming the attribute.
pub fn space_limit_of(body: &Value) -> Result<Option<u32>, ScimError> {
    let Some(v) = body.get(DROPBOX_URN).and_then(|e| e.get(SPACE_LIMIT_ATTR)) else {
        return Ok(None);
    };
    parse_space_limit(&format!("{DROPBOX_URN}:{SPACE_LIMIT_ATTR}"), v).map(Some)
}

/// A quota in whole GB from a JSON number or a string of digits (what Entra sends for extension
/// attributes), refused precisely under `attr` otherwise.
pub fn parse_space_limit(attr: &str, v: &Value) -> Result<u32, ScimError> {
    let bad = |why: String| ScimError::invalid_value(format!("{attr} {why}"));
    let n: i128 = match v {
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i128::from(i),
            (None, Some(u)) => i128::from(u),
            _ => return Err(bad(format!("must be a whole number of GB, got {n}"))),
        },
        Value::String(s) => s
            .trim()
            .parse::<i128>()
            .map_err(|_| bad(format!("must be a whole number of GB, got {v}")))?,
        other => return Err(bad(format!("must be a whole number of GB, got {other}"))),
    };
    if n < i128::from(MIN_SPACE_LIMIT_GB) {
        return Err(bad(format!(
            "is {n}; Dropbox's smallest custom space limit is {MIN_SPACE_LIMIT_GB} GB"
        )));
    }
    u32::try_from(n).map_err(|_| {
        bad(format!(
            "is {n}; Dropbox holds at most {MAX_SPACE_LIMIT_GB} GB"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::error::ScimType;
    use serde_json::json;

    #[test]
    fn reads_whole_numbers_and_digit_strings() {
        let body = |v: Value| json!({ DROPBOX_URN: { SPACE_LIMIT_ATTR: v } });
        assert_eq!(space_limit_of(&body(json!(50))), Ok(Some(50)));
        assert_eq!(space_limit_of(&body(json!(" 7 "))), Ok(Some(7)));
        assert_eq!(space_limit_of(&json!({})), Ok(None));
        assert_eq!(space_limit_of(&body(json!(2))), Ok(Some(2)));
    }

    #[test]
    fn hiding_takes_the_extension_out_of_both_listings() {
        let mut schemas = crate::scim::schema::schemas_json("https://h");
        hide_dropbox_extension(&mut schemas);
        assert_eq!(schemas["totalResults"], 3);
        assert!(!schemas.to_string().contains(DROPBOX_URN));
        let mut types = crate::scim::schema::resource_types_json("https://h");
        hide_dropbox_extension(&mut types);
        assert_eq!(
            types["Resources"][0]["schemaExtensions"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        assert!(!types.to_string().contains(DROPBOX_URN));
    }

    #[test]
    fn refuses_fractions_small_huge_and_words_naming_the_attribute() {
        for (v, needle) in [
            (json!(2.5), "whole number"),
            (json!("ten"), "whole number"),
            (json!(true), "whole number"),
            (json!(1), "smallest"),
            (json!(-4), "smallest"),
            (json!(5_000_000_000u64), "at most"),
        ] {
            let err = parse_space_limit("spaceLimitGb", &v).expect_err(needle);
            assert_eq!(
                (err.status, err.scim_type.map(ScimType::as_str)),
                (400, Some("invalidValue"))
            );
            assert!(err.detail.starts_with("spaceLimitGb "), "{}", err.detail);
            assert!(err.detail.contains(needle), "{}", err.detail);
        }
    }
}
