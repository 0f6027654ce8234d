//! The core User attributes the bridge stores itself (`nickName`, `addresses`, `x509Certificates`...):
//! taken from a normalised body, checked against bounds, and rendered back exactly as stored.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::scim::error::ScimError;
use crate::scim::schema::{AttrType, AttributeDef, STORED_ATTRS};

/// The stored attributes of one user: canonical attribute name to its coerced JSON value.
pub type StoredAttributes = BTreeMap<String, Value>;

/// Longest string value (in characters) of a stored attribute, except certificates.
pub const MAX_STORED_STRING: usize = 1024;
/// Longest base64 certificate value (in characters): a large RSA-4096 chain fits.
pub const MAX_CERTIFICATE: usize = 16 * 1024;
/// The most values one stored multi-valued attribute may hold.
pub const MAX_STORED_VALUES: usize = 20;
/// The most bytes all stored attributes of one user may take, as JSON.
pub const MAX_STORED_BYTES: usize = 64 * 1024;

/// Takes the stored attributes out of a body already normalised by `normalize_keys`, refusing values
/// over the bounds above or of the wrong form with 400 `invalidValue`.
pub fn take_stored(body: &Value) -> Result<StoredAttributes, ScimError> {
    let mut out = StoredAttributes::new();
    let Some(map) = body.as_object() else {
        return Ok(out);
    };
    for def in &STORED_ATTRS {
        let Some(v) = map.get(def.name) else { continue };
        if let Value::Array(items) = v
            && items.len() > MAX_STORED_VALUES
        {
            return Err(ScimError::too_many(format!(
                "{} holds {} values; this server keeps at most {MAX_STORED_VALUES}",
                def.name,
                items.len()
            )));
        }
        check_value(def, def.name, v)?;
        out.insert(def.name.to_owned(), v.clone());
    }
    let size = serde_json::to_vec(&out).map(|b| b.len()).unwrap_or(0);
    if size > MAX_STORED_BYTES {
        return Err(ScimError::invalid_value(format!(
            "the stored attributes (nickName, addresses, photos, ...) take {size} bytes; this server keeps at most {MAX_STORED_BYTES}"
        )));
    }
    Ok(out)
}

/// Adds the stored attributes to a rendered resource.
pub fn render_stored(o: &mut Map<String, Value>, stored: &StoredAttributes) {
    for (k, v) in stored {
        o.insert(k.clone(), v.clone());
    }
}

fn check_value(def: &AttributeDef, path: &str, v: &Value) -> Result<(), ScimError> {
    match v {
        Value::Array(items) => items.iter().try_for_each(|i| check_value(def, path, i)),
        Value::Object(m) => m.iter().try_for_each(|(k, x)| match def.sub(k) {
            Some(sub) => check_value(sub, &format!("{path}.{}", sub.name), x),
            None => Ok(()),
        }),
        Value::String(s) => check_string(def, path, s),
        _ => Ok(()),
    }
}

fn check_string(def: &AttributeDef, path: &str, s: &str) -> Result<(), ScimError> {
    let bad = |why: &str| Err(ScimError::invalid_value(format!("{path} {why}")));
    let max = if def.ty == AttrType::Binary {
        MAX_CERTIFICATE
    } else {
        MAX_STORED_STRING
    };
    let len = s.chars().count();
    if len > max {
        return bad(&format!(
            "is {len} characters long; this server keeps at most {max}"
        ));
    }
    // Line breaks are how `addresses.formatted` separates lines (RFC 7643 section 4.1.2).
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return bad("contains a control character");
    }
    // Only references are checked for form: `locale`, `timezone` and the rest are free text in RFC 7643
    // (clients send "en_US", "English", Windows zone names), bounded above.
    match def.ty {
        AttrType::Reference if !is_web_url(s) => bad("must be an absolute http or https URL"),
        _ => Ok(()),
    }
}

fn is_web_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_the_rfc_7643_example_values() {
        let body = json!({
            "nickName": "Babs", "profileUrl": "https://login.example.com/bjensen",
            "userType": "Employee", "preferredLanguage": "en-US,en;q=0.5", "locale": "en-US",
            "timezone": "America/Los_Angeles",
            "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "primary": true}],
            "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}]
        });
        let stored = take_stored(&body).expect("valid");
        assert_eq!(stored.len(), 8);
        assert_eq!(stored["nickName"], "Babs");
    }

    #[test]
    fn refuses_values_out_of_bounds_or_form_naming_the_path() {
        for (body, needle) in [
            (
                json!({"nickName": "x".repeat(MAX_STORED_STRING + 1)}),
                "nickName is 1025",
            ),
            (
                json!({"profileUrl": "javascript:alert(1)"}),
                "profileUrl must be",
            ),
            (
                json!({"photos": [{"value": "ftp://h/p.png"}]}),
                "photos.value must be",
            ),
            (
                json!({"addresses": [{"locality": "a\u{0}b"}]}),
                "addresses.locality contains",
            ),
            (
                json!({"roles": vec![json!({"value": "r"}); MAX_STORED_VALUES + 1]}),
                "roles holds 21",
            ),
        ] {
            let err = take_stored(&body).expect_err(needle);
            assert_eq!(err.status, 400, "{needle}");
            assert!(
                err.detail.contains(needle),
                "{} should contain {needle}",
                err.detail
            );
        }
    }

    #[test]
    fn refuses_more_than_the_byte_budget_in_all() {
        let big = "y".repeat(MAX_STORED_STRING);
        let addresses: Vec<Value> = (0..MAX_STORED_VALUES)
            .map(
                |_| json!({"formatted": big, "streetAddress": big, "locality": big, "region": big}),
            )
            .collect();
        let err = take_stored(&json!({"addresses": addresses})).expect_err("too big");
        assert!(err.detail.contains("bytes"), "{}", err.detail);
    }
}
