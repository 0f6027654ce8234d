//! Extractors that speak SCIM when they fail: JSON bodies, query strings and the request context.

use super::auth::AuthenticatedClient;
use super::error::ApiError;
use crate::bridge::WriteContext;
use crate::scim::error::ScimError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde_json::Value;

/// A JSON request body (`application/scim+json` or `application/json`), parsed as a JSON value.
pub struct ScimJson(pub Value);

impl<S: Send + Sync> FromRequest<S> for ScimJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
            let essence = ct.split(';').next().unwrap_or("").trim();
            if !(essence == "application/scim+json" || essence == "application/json") {
                return Err(ScimError::unsupported_media_type(
                    "send the body as application/scim+json or application/json",
                )
                .into());
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            let status = rejection.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::from(ScimError::payload_too_large(
                    "the request body is larger than this bridge accepts (http.body_limit_bytes)",
                ))
            } else {
                ApiError::from(ScimError::invalid_syntax(
                    "the request body could not be read",
                ))
            }
        })?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ScimError::invalid_syntax(format!("the body is not valid JSON: {e}")))?;
        if !value.is_object() {
            return Err(ScimError::invalid_syntax("the body must be a JSON object").into());
        }
        Ok(Self(value))
    }
}

/// The decoded query string as name/value pairs (percent- and `+`-decoding both handled).
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(Self)
            .map_err(|_| {
                ScimError::invalid_syntax("the query string is not valid URL encoding").into()
            })
    }
}

/// Who is writing and under which request id, for ordering, logs and the audit trail.
pub struct Ctx(pub WriteContext);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let client = parts
            .extensions
            .get::<AuthenticatedClient>()
            .map(|c| c.0.clone())
            .unwrap_or_else(|| "unknown".to_owned());
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned();
        // The whole path as the client sent it (after normalising), prefix included: inside the SCIM
        // router `parts.uri` has lost the prefix it is nested under.
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.path(), |o| o.0.path());
        let operation = format!("{} {path}", parts.method);
        Ok(Self(WriteContext::new(client, request_id, operation)))
    }
}
