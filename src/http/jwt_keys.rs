//! The public keys JWTs are checked with: a JWKS document from a file, or from a URL kept in a cache that
//! is fetched again when it is old or when a token names an unknown `kid`, never more often than
//! `auth.jwt.jwks_min_refetch_secs`, and by one request at a time.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Largest JWKS document read, in bytes.
const MAX_JWKS_BYTES: usize = 1024 * 1024;
/// Most keys kept from one document.
const MAX_KEYS: usize = 100;

/// The kind of a key, which decides the one algorithm it can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    EcP256,
}

impl KeyKind {
    fn algorithm(self) -> Algorithm {
        match self {
            Self::Rsa => Algorithm::RS256,
            Self::EcP256 => Algorithm::ES256,
        }
    }
}

/// One usable public key from a JWKS document.
#[derive(Clone)]
pub struct PublicKey {
    kid: Option<String>,
    kind: KeyKind,
    /// The JWK's own `alg`, when it states one.
    alg: Option<String>,
    /// The key, for `jsonwebtoken::decode`.
    pub key: DecodingKey,
}

impl PublicKey {
    /// Whether this key verifies `alg`: the algorithm follows from the key's type (and its `alg`
    /// when stated), never from the token's header alone.
    fn verifies(&self, alg: Algorithm) -> bool {
        self.kind.algorithm() == alg && self.alg.as_deref().is_none_or(|a| a == alg_name(alg))
    }
}

fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::RS256 => "RS256",
        Algorithm::ES256 => "ES256",
        _ => "",
    }
}

/// Parses a JWKS document (`{"keys": [...]}`), keeping the RSA and P-256 signing keys; others (an
/// encryption key, an unknown type) are skipped rather than failing the whole set.
pub fn parse_jwks(bytes: &[u8]) -> Result<Vec<PublicKey>, String> {
    #[derive(serde::Deserialize)]
    struct Document {
        keys: Vec<serde_json::Value>,
    }
    let doc: Document =
        serde_json::from_slice(bytes).map_err(|e| format!("not a JWKS document: {e}"))?;
    let keys: Vec<PublicKey> = doc
        .keys
        .into_iter()
        .filter_map(|value| serde_json::from_value::<Jwk>(value).ok())
        .filter(|jwk| !matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)))
        .filter_map(|jwk| {
            let kind = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => KeyKind::Rsa,
                AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
                    KeyKind::EcP256
                }
                _ => return None,
            };
            let key = DecodingKey::from_jwk(&jwk).ok()?;
            Some(PublicKey {
                kid: jwk.common.key_id.clone(),
                kind,
                alg: jwk.common.key_algorithm.map(|a| a.to_string()),
                key,
            })
        })
        .take(MAX_KEYS)
        .collect();
    if keys.is_empty() {
        return Err("the JWKS document holds no RSA or P-256 signing key".into());
    }
    Ok(keys)
}

/// The key for a token's `alg` and `kid`: the one with that `kid`, or with no `kid` in the token the
/// only key that verifies `alg`.
pub fn find_key(keys: &[PublicKey], alg: Algorithm, kid: Option<&str>) -> Option<DecodingKey> {
    let mut fitting = keys.iter().filter(|k| k.verifies(alg));
    match kid {
        Some(kid) => fitting
            .find(|k| k.kid.as_deref() == Some(kid))
            .map(|k| k.key.clone()),
        None => match (fitting.next(), fitting.next()) {
            (Some(only), None) => Some(only.key.clone()),
            _ => None,
        },
    }
}

/// Where the keys come from.
pub enum KeySource {
    /// Read once from a file (again on SIGHUP).
    Fixed(Arc<Vec<PublicKey>>),
    /// Fetched from a URL and cached.
    Fetched(JwksCache),
}

impl KeySource {
    /// The key for `alg` and `kid`, fetching the document when it is old or lacks the `kid`.
    pub async fn key(&self, alg: Algorithm, kid: Option<&str>) -> Option<DecodingKey> {
        match self {
            Self::Fixed(keys) => find_key(keys, alg, kid),
            Self::Fetched(cache) => cache.key(alg, kid).await,
        }
    }
}

/// A JWKS URL's keys, fetched on first use.
pub struct JwksCache {
    url: String,
    http: reqwest::Client,
    max_age: Duration,
    min_refetch: Duration,
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    keys: Arc<Vec<PublicKey>>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
}

impl JwksCache {
    /// A cache of `url`'s keys, kept `max_age`, with fetches at least `min_refetch` apart.
    pub fn new(
        url: String,
        http: reqwest::Client,
        max_age: Duration,
        min_refetch: Duration,
    ) -> Self {
        Self {
            url,
            http,
            max_age,
            min_refetch,
            state: Mutex::new(CacheState::default()),
        }
    }

    /// The key for `alg` and `kid`. The lock is held across a fetch, so concurrent requests wait for
    /// one fetch instead of each starting their own.
    async fn key(&self, alg: Algorithm, kid: Option<&str>) -> Option<DecodingKey> {
        let mut state = self.state.lock().await;
        let stale = state.fetched_at.is_none_or(|t| t.elapsed() >= self.max_age);
        if stale && self.may_fetch(&state) {
            self.refresh(&mut state).await;
        }
        if let Some(key) = find_key(&state.keys, alg, kid) {
            return Some(key);
        }
        if kid.is_some() && self.may_fetch(&state) {
            // The issuer may have rotated its keys since the last fetch.
            self.refresh(&mut state).await;
            return find_key(&state.keys, alg, kid);
        }
        None
    }

    fn may_fetch(&self, state: &CacheState) -> bool {
        state
            .last_attempt
            .is_none_or(|t| t.elapsed() >= self.min_refetch)
    }

    /// Fetches the document; on failure the keys already held stay in use.
    async fn refresh(&self, state: &mut CacheState) {
        state.last_attempt = Some(Instant::now());
        match self.fetch().await {
            Ok(keys) => {
                tracing::info!(keys = keys.len(), "fetched the JWT signing keys (JWKS)");
                state.keys = Arc::new(keys);
                state.fetched_at = Some(Instant::now());
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot fetch the JWT signing keys (auth.jwt.jwks_url)")
            }
        }
    }

    async fn fetch(&self) -> Result<Vec<PublicKey>, String> {
        let mut response = self
            .http
            .get(&self.url)
            .send()
            .await
            .map_err(|e| crate::net_error::describe(&e, false))?;
        if !response.status().is_success() {
            return Err(format!("the key server answered {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| crate::net_error::describe(&e, false))?
        {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(format!("the JWKS document is over {MAX_JWKS_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        parse_jwks(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ec_jwk(kid: &str, alg: Option<&str>) -> serde_json::Value {
        // The P-256 generator point: a valid public key.
        let mut k = json!({
            "kty": "EC", "crv": "P-256", "kid": kid, "use": "sig",
            "x": "axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY",
            "y": "T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU",
        });
        if let Some(alg) = alg {
            k["alg"] = json!(alg);
        }
        k
    }

    #[test]
    fn keeps_signing_keys_and_skips_the_rest() {
        let doc = json!({"keys": [
            ec_jwk("a", None),
            {"kty": "EC", "crv": "P-256", "kid": "enc", "use": "enc",
             "x": "axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY",
             "y": "T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU"},
            {"kty": "OKP", "crv": "X25519", "kid": "x", "x": "abc"},
            {"kty": "weird"},
        ]});
        let keys = parse_jwks(doc.to_string().as_bytes()).expect("parses");
        assert_eq!(keys.len(), 1);
        assert!(find_key(&keys, Algorithm::ES256, Some("a")).is_some());
        assert!(find_key(&keys, Algorithm::ES256, Some("enc")).is_none());
        // The algorithm comes from the key: an EC key never verifies RS256 or HS256.
        assert!(find_key(&keys, Algorithm::RS256, Some("a")).is_none());
        assert!(find_key(&keys, Algorithm::HS256, Some("a")).is_none());
        // Without a kid, only a single fitting key is used.
        assert!(find_key(&keys, Algorithm::ES256, None).is_some());
    }

    #[test]
    fn a_stated_alg_must_match() {
        let doc = json!({"keys": [ec_jwk("a", Some("ES384")), ec_jwk("b", Some("ES256"))]});
        let keys = parse_jwks(doc.to_string().as_bytes()).expect("parses");
        assert!(find_key(&keys, Algorithm::ES256, Some("a")).is_none());
        assert!(find_key(&keys, Algorithm::ES256, Some("b")).is_some());
        assert!(
            find_key(&keys, Algorithm::ES256, None).is_some(),
            "b is the one fitting key"
        );
    }

    #[test]
    fn refuses_documents_without_keys() {
        assert!(parse_jwks(b"{}").is_err());
        assert!(parse_jwks(b"{\"keys\": []}").is_err());
        assert!(parse_jwks(b"not json").is_err());
    }
}
