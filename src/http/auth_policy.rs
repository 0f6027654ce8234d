//! The authentication decision for one SCIM request: the IP allow-list, then a static token or a JWT,
//! then read-only access. The credentials in force ([`AuthPolicy`]) are swapped whole when the config is
//! reloaded (SIGHUP, see [`crate::reload`]); a request uses the one it started with.

use super::allow_list::AllowList;
use super::auth::{Access, AuthenticatedClient, TokenSet, bearer_token};
use super::error::ApiError;
use super::jwt::{JwtRefusal, JwtVerifier};
use crate::config::Config;
use crate::scim::error::ScimError;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, Method, header};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};

/// One configuration's accepted credentials and allowed addresses.
pub struct AuthPolicy {
    tokens: TokenSet,
    jwt: Option<JwtVerifier>,
    allow_list: Option<AllowList>,
}

impl AuthPolicy {
    /// Builds the policy from a validated configuration, reading the JWT secret and JWKS files.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let jwt = match &config.auth.jwt {
            Some(jwt) => Some(JwtVerifier::from_config(
                jwt,
                config.dropbox.ca_bundle.as_deref(),
            )?),
            None => None,
        };
        Ok(Self {
            tokens: TokenSet::from_config(&config.auth),
            jwt,
            allow_list: AllowList::from_config(&config.auth.allow_list),
        })
    }

    /// What is in force, for the log line after a (re)load: counts and switches, no secrets.
    pub fn summary(&self) -> String {
        format!(
            "{} static token(s), JWT {}, IP allow-list {}",
            self.tokens.len(),
            if self.jwt.is_some() { "on" } else { "off" },
            if self.allow_list.is_some() {
                "on"
            } else {
                "off"
            }
        )
    }

    /// Decides one request: the client it comes from, or the SCIM error to answer.
    pub async fn authenticate(
        &self,
        request: &AccessRequest,
    ) -> Result<AuthenticatedClient, ApiError> {
        if let Some(list) = &self.allow_list {
            let client_ip = list.client_ip(request.peer, &request.forwarded_for);
            if !client_ip.is_some_and(|ip| list.allows(ip)) {
                let shown = client_ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
                tracing::warn!(client_ip = %shown, "request refused: address not in auth.allow_list");
                return Err(ScimError::forbidden(
                    "this client address may not call the SCIM API (auth.allow_list)",
                )
                .into());
            }
        }
        let Some(token) = request.authorization.as_deref().and_then(bearer_token) else {
            return Err(unauthorized(JwtRefusal("no bearer token")));
        };
        let (client, access) = if let Some(grant) = self.tokens.verify(token) {
            (grant.client, grant.access)
        } else {
            match &self.jwt {
                Some(jwt) if JwtVerifier::looks_like_jwt(token) => (
                    jwt.verify(token).await.map_err(unauthorized)?,
                    Access::ReadWrite,
                ),
                _ => return Err(unauthorized(JwtRefusal("unknown token"))),
            }
        };
        if access == Access::ReadOnly && !request.is_read {
            tracing::warn!(client = %client.0, "write refused: the token is read-only");
            return Err(ScimError::forbidden(
                "this token is read-only: it may GET and POST .search, not write",
            )
            .into());
        }
        Ok(client)
    }
}

/// A 401 with the reason, logged once; the token itself is never logged nor echoed.
fn unauthorized(reason: JwtRefusal) -> ApiError {
    tracing::warn!(reason = reason.0, "authentication refused");
    ScimError::unauthorized(format!(
        "authentication failed: {}; send `Authorization: Bearer <token>` with a token this bridge accepts",
        reason.0
    ))
    .into()
}

/// What the decision needs from a request, copied out so that it can be awaited on.
pub struct AccessRequest {
    peer: Option<IpAddr>,
    forwarded_for: HeaderMap,
    authorization: Option<String>,
    is_read: bool,
}

impl AccessRequest {
    /// Takes the peer address, `X-Forwarded-For`, `Authorization` and whether the request only reads.
    pub fn of(req: &Request) -> Self {
        let headers = req.headers();
        let mut forwarded_for = HeaderMap::new();
        for value in headers.get_all("x-forwarded-for") {
            forwarded_for.append("x-forwarded-for", value.clone());
        }
        let method = req.method();
        let is_read = method == Method::GET
            || method == Method::HEAD
            || (method == Method::POST
                && req.uri().path().trim_end_matches('/').ends_with("/.search"));
        Self {
            peer: req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
            forwarded_for,
            authorization: headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            is_read,
        }
    }
}

/// The policy in force, replaced whole on reload.
pub struct Authenticator {
    current: RwLock<Arc<AuthPolicy>>,
}

impl Authenticator {
    /// Starts with `policy`.
    pub fn new(policy: AuthPolicy) -> Self {
        Self {
            current: RwLock::new(Arc::new(policy)),
        }
    }

    /// The policy in force now.
    pub fn current(&self) -> Arc<AuthPolicy> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Puts `policy` in force for every request that starts from now on.
    pub fn replace(&self, policy: AuthPolicy) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(policy);
    }

    /// Decides one request with the policy in force.
    pub async fn authenticate(
        &self,
        request: &AccessRequest,
    ) -> Result<AuthenticatedClient, ApiError> {
        self.current().authenticate(request).await
    }
}
