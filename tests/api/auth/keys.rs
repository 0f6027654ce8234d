//! Key material made in the test (RSA with the `rsa` crate, P-256 with `rcgen`), the JWKS documents that
//! publish them, JWTs signed with them, and a local JWKS server that counts its fetches.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

/// Entra's audience for the tokens it sends to a SCIM app.
pub const AUDIENCE: &str = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";
/// An Entra-style issuer for a made-up tenant.
pub const ISSUER: &str = "https://sts.windows.net/00000000-1111-2222-3333-444444444444/";

/// An RSA key pair (generated once per test run: RSA key generation is slow in a debug build).
pub struct RsaKey {
    private: rsa::RsaPrivateKey,
}

/// One RSA key for the whole run, and a second one for rotation tests.
pub static RSA_KEYS: LazyLock<[RsaKey; 2]> =
    LazyLock::new(|| [RsaKey::generate(), RsaKey::generate()]);

impl RsaKey {
    fn generate() -> Self {
        let private =
            rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key generation");
        Self { private }
    }

    /// Its public half as a JWK with `kid`.
    pub fn jwk(&self, kid: &str) -> Value {
        let public = self.private.to_public_key();
        json!({
            "kty": "RSA", "use": "sig", "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        })
    }

    /// A token signed RS256 with this key, naming `kid`.
    pub fn sign(&self, kid: &str, claims: &Value) -> String {
        let der = self.private.to_pkcs1_der().expect("PKCS#1 DER");
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_der(der.as_bytes()))
            .expect("sign")
    }

    /// The public key as PEM text: what an HS/RS confusion attack uses as the HMAC secret.
    pub fn public_pem(&self) -> String {
        self.private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("PEM")
    }
}

/// A P-256 key pair.
pub struct EcKey {
    pair: rcgen::KeyPair,
}

impl EcKey {
    /// A new key.
    pub fn generate() -> Self {
        Self {
            pair: rcgen::KeyPair::generate().expect("P-256 key"),
        }
    }

    /// Its public half as a JWK with `kid`.
    pub fn jwk(&self, kid: &str) -> Value {
        let raw = self.pair.public_key_raw();
        assert_eq!((raw.len(), raw[0]), (65, 4), "an uncompressed P-256 point");
        json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(&raw[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&raw[33..]),
        })
    }

    /// A token signed ES256 with this key, naming `kid`.
    pub fn sign(&self, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.to_owned());
        let key = EncodingKey::from_ec_der(&self.pair.serialize_der());
        jsonwebtoken::encode(&header, claims, &key).expect("sign")
    }
}

/// A token signed HS256 with `secret`, naming `kid` when given.
pub fn sign_hs256(secret: &[u8], kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).expect("sign")
}

/// An unsigned token (`alg: none`).
pub fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{body}.")
}

/// `token` with one character of its signature changed.
pub fn tampered(token: &str) -> String {
    let (signed, signature) = token.rsplit_once('.').expect("a JWT");
    let mut sig: Vec<u8> = signature.bytes().collect();
    let i = sig.len() / 2;
    sig[i] = if sig[i] == b'A' { b'B' } else { b'A' };
    format!("{signed}.{}", String::from_utf8(sig).expect("ascii"))
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Claims Entra would send, valid for an hour, for the client `appid`.
pub fn claims() -> Value {
    json!({
        "iss": ISSUER, "aud": AUDIENCE, "appid": "entra-provisioning",
        "iat": now(), "nbf": now() - 10, "exp": now() + 3600,
    })
}

/// A JWKS server on loopback: the document it serves can be replaced, and fetches are counted.
pub struct JwksServer {
    /// `http://127.0.0.1:PORT/keys`.
    pub url: String,
    document: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl JwksServer {
    /// Serves `{"keys": keys}`.
    pub async fn start(keys: Vec<Value>) -> Self {
        let document = Arc::new(Mutex::new(json!({ "keys": keys })));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (doc, count) = (Arc::clone(&document), Arc::clone(&fetches));
        let app = axum::Router::new().route(
            "/keys",
            axum::routing::get(move || {
                let (doc, count) = (Arc::clone(&doc), Arc::clone(&count));
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    let body = doc.lock().expect("lock").clone();
                    axum::Json(body)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/keys", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Self {
            url,
            document,
            fetches,
            _stop: tx,
        }
    }

    /// Publishes `keys` instead (a key rotation).
    pub fn publish(&self, keys: Vec<Value>) {
        *self.document.lock().expect("lock") = json!({ "keys": keys });
    }

    /// How many times the document was fetched.
    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}
