//! Bearer-token authentication: tokens are kept only as SHA-256 hashes (see [`crate::tokens`]) and
//! compared in constant time.

use crate::config::AuthConfig;
use crate::tokens::token_hash;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

/// The authenticated IdP client, put into request extensions for handlers and the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedClient(pub String);

/// The set of accepted token hashes.
#[derive(Clone)]
pub struct TokenSet {
    entries: Vec<(String, [u8; 32])>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: hashes are not secrets, but there is no reason to print them.
        let names: Vec<&str> = self.entries.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("TokenSet").field("clients", &names).finish()
    }
}

impl TokenSet {
    /// Builds the set from configuration; entries whose hash is not valid hex were refused by validation.
    pub fn from_config(auth: &AuthConfig) -> Self {
        let mut entries = Vec::new();
        for t in &auth.tokens {
            let mut hash = [0u8; 32];
            if hex::decode_to_slice(&t.sha256, &mut hash).is_ok() {
                entries.push((t.name.clone(), hash));
            }
        }
        for plain in &auth.plain_tokens {
            entries.push(("env".to_owned(), token_hash(plain.expose_secret())));
        }
        Self { entries }
    }

    /// Whether no token is configured at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Returns the client name for a presented token. Every entry is compared, whatever matches,
    /// so the time taken does not say which entry (or how much of a hash) matched.
    pub fn verify(&self, presented: &str) -> Option<AuthenticatedClient> {
        let hash = token_hash(presented);
        let mut found: Option<&str> = None;
        for (name, expected) in &self.entries {
            if bool::from(expected.ct_eq(&hash)) && found.is_none() {
                found = Some(name);
            }
        }
        found.map(|n| AuthenticatedClient(n.to_owned()))
    }
}

/// Takes the token out of an `Authorization` header value (`Bearer <token>`, scheme case-insensitive).
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TokenEntry;
    use crate::tokens::{generate_token, token_hash_hex};
    use secrecy::SecretString;

    fn set() -> TokenSet {
        TokenSet::from_config(&AuthConfig {
            tokens: vec![TokenEntry {
                name: "okta".into(),
                sha256: token_hash_hex("okta-token"),
            }],
            plain_tokens: vec![SecretString::from("env-token")],
        })
    }

    #[test]
    fn accepts_configured_tokens_and_names_the_client() {
        let s = set();
        assert_eq!(
            s.verify("okta-token"),
            Some(AuthenticatedClient("okta".into()))
        );
        assert_eq!(
            s.verify("env-token"),
            Some(AuthenticatedClient("env".into()))
        );
        assert_eq!(s.verify("okta-token "), None);
        assert_eq!(s.verify(""), None);
    }

    #[test]
    fn parses_bearer_headers() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Bearer "), None);
    }

    #[test]
    fn debug_does_not_show_hashes() {
        let text = format!("{:?}", set());
        assert!(!text.contains(&token_hash_hex("okta-token")));
        assert!(text.contains("okta"));
    }

    #[test]
    fn generated_tokens_are_unique_and_verifiable() {
        let (a, b) = (generate_token(), generate_token());
        assert_ne!(a, b);
        assert!(a.len() > 40);
        let s = TokenSet::from_config(&AuthConfig {
            tokens: vec![TokenEntry {
                name: "x".into(),
                sha256: token_hash_hex(&a),
            }],
            plain_tokens: vec![],
        });
        assert!(s.verify(&a).is_some());
        assert!(s.verify(&b).is_none());
    }
}
