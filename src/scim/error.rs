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
    /// 400 `tooMany` (a request over the limits in `scim::limits`).
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
    /// 400 without a `scimType`, for a refusal no keyword describes.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(400, None, detail)
    }
    /// 403 without a `scimType` (Dropbox refused for a reason outside the request, e.g. licences).
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(403, None, detail)
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
    /// 413 without a `scimType` (the body is larger than the bridge accepts).
    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(413, None, detail)
    }
    /// 415 without a `scimType` (the body is not JSON).
    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(415, None, detail)
    }
    /// 429 without a `scimType` (sent with `Retry-After`).
    pub fn rate_limited(detail: impl Into<String>) -> Self {
        Self::new(429, None, detail)
    }
    /// 503 without a `scimType` (sent with `Retry-After`).
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(503, None, detail)
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
            (ScimError::uniqueness("x"), 409, "uniqueness"),
            (ScimError::mutability("x"), 400, "mutability"),
            (ScimError::invalid_syntax("x"), 400, "invalidSyntax"),
            (ScimError::invalid_path("x"), 400, "invalidPath"),
            (ScimError::no_target("x"), 400, "noTarget"),
            (ScimError::invalid_value("x"), 400, "invalidValue"),
        ];
        for (err, status, kw) in table {
            assert_eq!(err.status, status);
            assert_eq!(err.to_json()["scimType"], kw);
        }
        // Keywords without a constructor (the bridge never answers them) still render by RFC 7644.
        let rest = [
            (ScimType::TooMany, "tooMany"),
            (ScimType::InvalidVers, "invalidVers"),
            (ScimType::Sensitive, "sensitive"),
        ];
        for (t, kw) in rest {
            assert_eq!(ScimError::new(400, Some(t), "x").to_json()["scimType"], kw);
        }
    }

    #[test]
    fn statuses_without_a_keyword() {
        let table = [
            (ScimError::bad_request("x"), 400),
            (ScimError::unauthorized("x"), 401),
            (ScimError::forbidden("x"), 403),
            (ScimError::not_found("x"), 404),
            (ScimError::method_not_allowed("x"), 405),
            (ScimError::payload_too_large("x"), 413),
            (ScimError::unsupported_media_type("x"), 415),
            (ScimError::rate_limited("x"), 429),
            (ScimError::internal("x"), 500),
            (ScimError::unavailable("x"), 503),
        ];
        for (err, status) in table {
            assert_eq!(err.status, status);
            assert!(err.to_json().get("scimType").is_none());
        }
    }
}
