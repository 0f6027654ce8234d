//! SCIM errors (RFC 7644 §3.12): an HTTP status, an optional `scimType` and a human-readable detail.

use serde_json::{Value, json};

/// The SCIM Error message schema URN.
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The `scimType` keywords of RFC 7644 §3.12, table 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScimType {
    /// The filter syntax is invalid or the filter is not supported.
    InvalidFilter,
    /// The query would return more results than the server allows.
    TooMany,
    /// A value violates a uniqueness constraint.
    Uniqueness,
    /// The attempted modification is not compatible with the attribute's mutability.
    Mutability,
    /// The request body is not parsable or violates the schema.
    InvalidSyntax,
    /// The PATCH `path` is invalid.
    InvalidPath,
    /// The PATCH `path` did not yield an attribute or value that could be operated on.
    NoTarget,
    /// A required value is missing or a value is not compatible with the attribute.
    InvalidValue,
    /// The protocol version is not supported.
    InvalidVers,
    /// The request cannot complete because of sensitive information in the URI.
    Sensitive,
}

impl ScimType {
    /// The keyword as it appears in the `scimType` field.
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
        }
    }
}

impl std::fmt::Display for ScimType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A SCIM protocol error, rendered by [`ScimError::to_json`] as an RFC 7644 §3.12 body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SCIM error {status}{}: {detail}", scim_type.map(|t| format!(" ({t})")).unwrap_or_default())]
pub struct ScimError {
    /// The HTTP status code.
    pub status: u16,
    /// The `scimType` keyword, for 400/409/412/413-style errors.
    pub scim_type: Option<ScimType>,
    /// A human-readable explanation (may echo client input, never secrets).
    pub detail: String,
}

impl ScimError {
    /// An error with any status and type.
    pub fn new(status: u16, scim_type: Option<ScimType>, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    fn bad(t: ScimType, detail: impl Into<String>) -> Self {
        Self::new(400, Some(t), detail)
    }

    /// 400 `invalidFilter`.
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad(ScimType::InvalidFilter, detail)
    }
    /// 400 `tooMany`.
    pub fn too_many(detail: impl Into<String>) -> Self {
        Self::bad(ScimType::TooMany, detail)
    }
    /// 409 `uniqueness`.
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(409, Some(ScimType::Uniqueness), detail)
    }
    /// 400 `mutability`.
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::bad(ScimType::Mutability, detail)
    }
    /// 400 `invalidSyntax`.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad(ScimType::InvalidSyntax, detail)
    }
    /// 400 `invalidPath`.
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad(ScimType::InvalidPath, detail)
    }
    /// 400 `noTarget`.
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::bad(ScimType::NoTarget, detail)
    }
    /// 400 `invalidValue`.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad(ScimType::InvalidValue, detail)
    }
    /// 412 `invalidVers` (a version/ETag precondition failed).
    pub fn invalid_vers(detail: impl Into<String>) -> Self {
        Self::new(412, Some(ScimType::InvalidVers), detail)
    }
    /// 403 `sensitive`.
    pub fn sensitive(detail: impl Into<String>) -> Self {
        Self::new(403, Some(ScimType::Sensitive), detail)
    }
    /// 404 without a `scimType`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, None, detail)
    }
    /// 401 without a `scimType`.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(401, None, detail)
    }
    /// 405 without a `scimType` (writes to discovery endpoints).
    pub fn method_not_allowed(detail: impl Into<String>) -> Self {
        Self::new(405, None, detail)
    }
    /// 500 without a `scimType`; the detail should be generic.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(500, None, detail)
    }

    /// The RFC 7644 §3.12 body: `schemas`, `status` as a string, optional `scimType`, `detail`.
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR_URN],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let (Some(t), Some(obj)) = (self.scim_type, body.as_object_mut()) {
            obj.insert("scimType".into(), Value::String(t.as_str().into()));
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_string_status_and_type() {
        let body = ScimError::uniqueness("userName already exists").to_json();
        assert_eq!(
            body,
            json!({"schemas": [ERROR_URN], "status": "409", "scimType": "uniqueness",
                   "detail": "userName already exists"})
        );
    }

    #[test]
    fn not_found_has_no_scim_type() {
        let body = ScimError::not_found("no such user").to_json();
        assert_eq!(body["status"], "404");
        assert!(body.get("scimType").is_none());
    }

    #[test]
    fn every_type_maps_to_its_keyword() {
        let table = [
            (ScimError::invalid_filter("x"), 400, "invalidFilter"),
            (ScimError::too_many("x"), 400, "tooMany"),
            (ScimError::mutability("x"), 400, "mutability"),
            (ScimError::invalid_syntax("x"), 400, "invalidSyntax"),
            (ScimError::invalid_path("x"), 400, "invalidPath"),
            (ScimError::no_target("x"), 400, "noTarget"),
            (ScimError::invalid_value("x"), 400, "invalidValue"),
            (ScimError::invalid_vers("x"), 412, "invalidVers"),
            (ScimError::sensitive("x"), 403, "sensitive"),
        ];
        for (err, status, kw) in table {
            assert_eq!(err.status, status);
            assert_eq!(err.to_json()["scimType"], kw);
        }
    }
}
