//! The `token` subcommand: a new IdP bearer token and the config lines for its hash.

use crate::tokens::{generate_token, token_hash_hex};

/// Prints a new token and the config lines that accept it; only the hash belongs in the config.
pub fn token(name: &str) {
    let token = generate_token();
    println!("token (give this to the IdP; it is not stored anywhere):\n  {token}\n");
    println!("add to the bridge's config file:\n");
    println!(
        "[[auth.tokens]]\nname = \"{name}\"\nsha256 = \"{}\"",
        token_hash_hex(&token)
    );
}
