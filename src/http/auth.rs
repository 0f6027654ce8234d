//! Static bearer tokens: kept only as SHA-256 hashes (see [`crate::tokens`]) and compared in constant
//! time; each may be read-only. JWTs are checked in [`super::jwt`], the whole decision in
//! [`super::auth_policy`].

use crate::config::AuthConfig;
use crate::tokens::token_hash;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

/// The authenticated IdP client, put into request extensions for handlers and the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedClient(pub String);

/// What an authenticated client may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Every SCIM operation.
    ReadWrite,
    /// GET and POST `.search` only; writes get 403.
    ReadOnly,
}

/// A verified credential: who presented it, and what it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The client's name for logs and the audit log.
    pub client: AuthenticatedClient,
    /// What the client may do.
    pub access: Access,
}

/// One accepted token: its client name, hash and access.
#[derive(Clone)]
struct TokenHash {
    name: String,
    hash: [u8; 32],
    access: Access,
}

/// The set of accepted token hashes.
#[derive(Clone)]
pub struct TokenSet {
    entries: Vec<TokenHash>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: hashes are not secrets, but there is no reason to print them.
        let names: Vec<&str> = self.entries.iter().map(|e| e.name.as_str()).collect();
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
                let access = if t.read_only {
                    Access::ReadOnly
                } else {
                    Access::ReadWrite
                };
                entries.push(TokenHash {
                    name: t.name.clone(),
                    hash,
                    access,
                });
            }
        }
        for plain in &auth.plain_tokens {
            entries.push(TokenHash {
                name: "env".to_owned(),
                hash: token_hash(plain.expose_secret()),
                access: Access::ReadWrite,
            });
        }
        Self { entries }
    }

    /// How many tokens are accepted.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no token is configured at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Returns the client and its access for a presented token. Every entry is compared, whatever
    /// matches, so the time taken does not say which entry (or how much of a hash) matched.
    pub fn verify(&self, presented: &str) -> Option<Grant> {
        let hash = token_hash(presented);
        let mut found: Option<&TokenHash> = None;
        for entry in &self.entries {
            if bool::from(entry.hash.ct_eq(&hash)) && found.is_none() {
                found = Some(entry);
            }
        }
        found.map(|e| Grant {
            client: AuthenticatedClient(e.name.clone()),
            access: e.access,
        })
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
            tokens: vec![
                TokenEntry {
                    name: "okta".into(),
                    sha256: token_hash_hex("okta-token"),
                    read_only: false,
                },
                TokenEntry {
                    name: "auditor".into(),
                    sha256: token_hash_hex("auditor-token"),
                    read_only: true,
                },
            ],
            plain_tokens: vec![SecretString::from("env-token")],
            ..AuthConfig::default()
        })
    }

    fn grant(name: &str, access: Access) -> Option<Grant> {
        Some(Grant {
            client: AuthenticatedClient(name.into()),
            access,
        })
    }

    #[test]
    fn accepts_configured_tokens_and_names_the_client() {
        let s = set();
        assert_eq!(s.verify("okta-token"), grant("okta", Access::ReadWrite));
        assert_eq!(s.verify("env-token"), grant("env", Access::ReadWrite));
        assert_eq!(
            s.verify("auditor-token"),
            grant("auditor", Access::ReadOnly)
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
                read_only: false,
            }],
            ..AuthConfig::default()
        });
        assert!(s.verify(&a).is_some());
        assert!(s.verify(&b).is_none());
    }
}
