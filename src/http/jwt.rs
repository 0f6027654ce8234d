//! JWT bearer tokens (`[auth.jwt]`), checked with `jsonwebtoken`: the algorithm must be allowed and is
//! bound to the key that verifies it (a JWKS key's type, or the HS256 secret), then the signature,
//! `iss`, `aud`, `exp` and `nbf` (with the configured clock skew). The client is named by a claim.
//! A refusal carries a fixed reason, safe to log and show: never the token or a claim's value.

use super::auth::AuthenticatedClient;
use super::jwt_keys::{JwksCache, KeySource, parse_jwks};
use crate::config::JwtConfig;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::ExposeSecret;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Longest JWT looked at, in bytes.
const MAX_JWT_BYTES: usize = 16 * 1024;
/// Longest client name taken from a claim.
const MAX_CLIENT_NAME: usize = 64;
/// Time limit for one JWKS fetch.
const JWKS_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a JWT was refused, in words for the log line and the SCIM error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwtRefusal(pub &'static str);

/// Checks JWTs against one `[auth.jwt]` configuration.
pub struct JwtVerifier {
    algorithms: Vec<Algorithm>,
    hs256: Option<DecodingKey>,
    keys: Option<KeySource>,
    validation: Validation,
    client_claim: String,
}

impl JwtVerifier {
    /// Takes the HS256 secret and reads the JWKS file, if configured (a JWKS URL is fetched on first use).
    /// `ca_bundle` adds trusted CAs for the JWKS URL, as for Dropbox.
    pub fn from_config(jwt: &JwtConfig, ca_bundle: Option<&Path>) -> Result<Self, String> {
        let algorithms: Vec<Algorithm> = jwt
            .algorithms
            .iter()
            .map(|a| match a.as_str() {
                "RS256" => Ok(Algorithm::RS256),
                "ES256" => Ok(Algorithm::ES256),
                "HS256" => Ok(Algorithm::HS256),
                other => Err(format!("auth.jwt.algorithms: `{other}` is not supported")),
            })
            .collect::<Result<_, _>>()?;
        let hs256 = match &jwt.hs256_secret {
            Some(secret) if algorithms.contains(&Algorithm::HS256) => {
                Some(DecodingKey::from_secret(secret.expose_secret().as_bytes()))
            }
            _ => None,
        };
        let keys = match (&jwt.jwks_path, &jwt.jwks_url) {
            (Some(path), _) => {
                let bytes = std::fs::read(path).map_err(|e| {
                    format!("auth.jwt.jwks_path: cannot read {}: {e}", path.display())
                })?;
                let keys = parse_jwks(&bytes)
                    .map_err(|e| format!("auth.jwt.jwks_path {}: {e}", path.display()))?;
                Some(KeySource::Fixed(Arc::new(keys)))
            }
            (None, Some(url)) => Some(KeySource::Fetched(JwksCache::new(
                url.clone(),
                http_client(ca_bundle)?,
                Duration::from_secs(jwt.jwks_cache_secs),
                Duration::from_secs(jwt.jwks_min_refetch_secs),
            ))),
            (None, None) => None,
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&jwt.issuers);
        validation.set_audience(&jwt.audiences);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = jwt.clock_skew_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        Ok(Self {
            algorithms,
            hs256,
            keys,
            validation,
            client_claim: jwt.client_claim.trim().to_owned(),
        })
    }

    /// Whether a presented bearer token has a JWT's shape (three dot-separated parts).
    pub fn looks_like_jwt(token: &str) -> bool {
        token.bytes().filter(|b| *b == b'.').count() == 2
    }

    /// Verifies `token` and names its client.
    pub async fn verify(&self, token: &str) -> Result<AuthenticatedClient, JwtRefusal> {
        if token.len() > MAX_JWT_BYTES {
            return Err(JwtRefusal("token too long"));
        }
        let alg = self.allowed_alg(token)?;
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| JwtRefusal("malformed token header"))?;
        let key = match alg {
            Algorithm::HS256 => self.hs256.clone(),
            _ => match &self.keys {
                Some(keys) => keys.key(alg, header.kid.as_deref()).await,
                None => None,
            },
        }
        .ok_or(JwtRefusal("unknown signing key (kid)"))?;
        let mut validation = self.validation.clone();
        validation.algorithms = vec![alg];
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            &key,
            &validation,
        )
        .map_err(|e| refusal(e.kind()))?;
        let name = data
            .claims
            .get(&self.client_claim)
            .and_then(|v| v.as_str())
            .and_then(client_name)
            .unwrap_or_else(|| "jwt".to_owned());
        Ok(AuthenticatedClient(name))
    }

    /// The header's `alg`, read before anything else and refused unless configured (`none` never is).
    fn allowed_alg(&self, token: &str) -> Result<Algorithm, JwtRefusal> {
        let not_allowed = JwtRefusal("signing algorithm not allowed");
        let header = token.split('.').next().unwrap_or_default();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header.trim_end_matches('='))
            .map_err(|_| JwtRefusal("malformed token header"))?;
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| JwtRefusal("malformed token header"))?;
        let alg = match value.get("alg").and_then(|a| a.as_str()) {
            Some("RS256") => Algorithm::RS256,
            Some("ES256") => Algorithm::ES256,
            Some("HS256") => Algorithm::HS256,
            _ => return Err(not_allowed),
        };
        if self.algorithms.contains(&alg) {
            Ok(alg)
        } else {
            Err(not_allowed)
        }
    }
}

/// A fixed reason for each way `jsonwebtoken` refuses a token.
fn refusal(kind: &ErrorKind) -> JwtRefusal {
    JwtRefusal(match kind {
        ErrorKind::ExpiredSignature => "token expired",
        ErrorKind::ImmatureSignature => "token not yet valid (nbf)",
        ErrorKind::InvalidAudience => "wrong audience",
        ErrorKind::InvalidIssuer => "wrong issuer",
        ErrorKind::InvalidSignature => "bad signature",
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
            "signing algorithm not allowed"
        }
        ErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
            "exp" => "token has no exp",
            "iss" => "token has no iss",
            "aud" => "token has no aud",
            _ => "token lacks a required claim",
        },
        ErrorKind::InvalidClaimFormat(_) => "malformed claim",
        _ => "malformed token",
    })
}

/// A claim value usable as a client name: short, plain characters, and not an e-mail address.
fn client_name(value: &str) -> Option<String> {
    let plain = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.:/".contains(&b));
    (plain && !value.is_empty() && value.len() <= MAX_CLIENT_NAME).then(|| value.to_owned())
}

/// The client for JWKS fetches: webpki and system roots, plus `dropbox.ca_bundle` (a TLS-inspecting
/// proxy's CA applies to every outbound call).
fn http_client(ca_bundle: Option<&Path>) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .timeout(JWKS_TIMEOUT)
        .user_agent(concat!("dropbox-scim-bridge/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_bundle {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read dropbox.ca_bundle {}: {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("dropbox.ca_bundle {} is not valid PEM: {e}", path.display()))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| format!("cannot build the JWKS client: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names_are_plain_and_never_addresses() {
        assert_eq!(client_name("0000-aaaa").as_deref(), Some("0000-aaaa"));
        assert_eq!(client_name("ann@example.com"), None);
        assert_eq!(client_name("bad\nname"), None);
        assert_eq!(client_name(&"x".repeat(65)), None);
    }

    #[test]
    fn jwt_shape() {
        assert!(JwtVerifier::looks_like_jwt("a.b.c"));
        assert!(!JwtVerifier::looks_like_jwt("scimb_abc"));
        assert!(!JwtVerifier::looks_like_jwt("a.b.c.d"));
    }
}
