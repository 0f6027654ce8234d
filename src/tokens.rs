//! IdP bearer tokens: making a new one, and hashing one the way `auth.tokens[].sha256` stores it.
//!
//! Both the `token` subcommand (and demo mode) and the HTTP authentication use these, so the hash a
//! config holds is always the hash a request is checked against.

use sha2::{Digest, Sha256};

/// Makes a new random token (256 bits, URL-safe base64) for the `token` subcommand and demo mode.
pub fn generate_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "scimb_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Lower-case hex SHA-256 of a token, as written in `auth.tokens[].sha256`.
pub fn token_hash_hex(token: &str) -> String {
    hex::encode(token_hash(token))
}

/// The SHA-256 of a token, as raw bytes (compared in constant time by the HTTP authentication).
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_hash_is_the_lower_case_sha256() {
        assert_eq!(
            token_hash_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex::encode(token_hash("abc")), token_hash_hex("abc"));
    }
}
