//! Resource versions (RFC 7644 section 3.14): a weak ETag computed from what the resource shows, and the
//! `If-Match` / `If-None-Match` lists compared against it.

use serde::{Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::ScimError;

/// The longest `If-Match` / `If-None-Match` header value accepted.
pub const MAX_HEADER_LEN: usize = 4096;

/// A weak ETag (`W/"…"`) of a rendered resource: the same for the same content on every replica and
/// under every base URL (`meta.location`, `meta.version` and `$ref`s are left out of the hash).
pub fn weak_etag(resource: &Value) -> String {
    let mut hasher = HashWriter(Sha256::new());
    // Serialised straight into the hash, skipping the left-out keys: no copy of the resource.
    let _ = serde_json::to_writer(
        &mut hasher,
        &Versioned {
            value: resource,
            in_meta: false,
        },
    );
    let digest = hasher.0.finalize();
    format!("W/\"{}\"", hex::encode(&digest[..10]))
}

/// A resource as its version hashes it: without `$ref`s, `meta.location` or `meta.version`.
struct Versioned<'a> {
    value: &'a Value,
    /// Whether `value` is the `meta` object itself.
    in_meta: bool,
}

impl Serialize for Versioned<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Object(m) => s.collect_map(
                m.iter()
                    .filter(|(k, _)| {
                        k.as_str() != "$ref"
                            && !(self.in_meta && matches!(k.as_str(), "location" | "version"))
                    })
                    .map(|(k, v)| {
                        let in_meta = k == "meta";
                        (k, Versioned { value: v, in_meta })
                    }),
            ),
            Value::Array(items) => s.collect_seq(items.iter().map(|value| Versioned {
                value,
                in_meta: false,
            })),
            other => other.serialize(s),
        }
    }
}

/// Feeds serialised bytes into the hash.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An `If-Match` or `If-None-Match` header: `*`, or a list of entity tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityTags {
    /// `*`: any current version.
    Any,
    /// The tags listed, without their `W/` prefix (compared weakly, as SCIM versions are weak).
    Tags(Vec<String>),
}

impl EntityTags {
    /// Parses a header value (RFC 7232 section 3.1); a malformed list is 400 `invalidValue`.
    pub fn parse(header: &str, name: &str) -> Result<Self, ScimError> {
        let bad = || {
            ScimError::invalid_value(format!(
                "{name} must be * or a list of quoted entity tags such as W/\"1a2b\""
            ))
        };
        if header.len() > MAX_HEADER_LEN {
            return Err(bad());
        }
        if header.trim() == "*" {
            return Ok(EntityTags::Any);
        }
        let mut tags = Vec::new();
        for part in header.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let opaque = part.strip_prefix("W/").unwrap_or(part);
            let inner = opaque
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .filter(|s| !s.contains('"'))
                .ok_or_else(bad)?;
            tags.push(inner.to_owned());
        }
        if tags.is_empty() {
            return Err(bad());
        }
        Ok(EntityTags::Tags(tags))
    }

    /// Whether `etag` (as [`weak_etag`] makes it) is one of these, by weak comparison.
    pub fn matches(&self, etag: &str) -> bool {
        let opaque = etag.strip_prefix("W/").unwrap_or(etag).trim_matches('"');
        match self {
            EntityTags::Any => true,
            EntityTags::Tags(tags) => tags.iter().any(|t| t == opaque),
        }
    }
}

/// 412 for an `If-Match` that names another version.
pub fn precondition_failed(kind: &str, id: &str, current: &str) -> ScimError {
    ScimError::new(
        412,
        None,
        format!("{kind} {id} has changed: its version is now {current}; read it again and retry"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_version_ignores_location_and_refs_but_not_content() {
        let a = json!({"id": "1", "userName": "a", "groups": [{"value": "g", "$ref": "https://a/Groups/g"}],
                       "meta": {"location": "https://a/Users/1", "lastModified": "t"}});
        let mut b = a.clone();
        b["meta"]["location"] = json!("https://b/scim/Users/1");
        b["groups"][0]["$ref"] = json!("https://b/scim/Groups/g");
        b["meta"]["version"] = json!("W/\"old\"");
        assert_eq!(weak_etag(&a), weak_etag(&b));
        let mut c = a.clone();
        c["userName"] = json!("b");
        assert_ne!(weak_etag(&a), weak_etag(&c));
        assert!(weak_etag(&a).starts_with("W/\""));
    }

    /// The version as it was computed before it was streamed: a copy with the keys removed.
    fn copied_and_stripped(resource: &Value) -> String {
        fn strip(v: &mut Value) {
            match v {
                Value::Object(m) => {
                    m.remove("$ref");
                    if let Some(Value::Object(meta)) = m.get_mut("meta") {
                        meta.remove("location");
                        meta.remove("version");
                    }
                    m.values_mut().for_each(strip);
                }
                Value::Array(items) => items.iter_mut().for_each(strip),
                _ => {}
            }
        }
        let mut v = resource.clone();
        strip(&mut v);
        let digest = Sha256::digest(serde_json::to_vec(&v).unwrap());
        format!("W/\"{}\"", hex::encode(&digest[..10]))
    }

    #[test]
    fn streaming_the_hash_keeps_every_version_an_idp_already_holds() {
        let resources = [
            json!({"id": "1", "userName": "a\u{e9}\"q", "active": true, "emails": [],
                   "groups": [{"value": "g", "$ref": "https://a/Groups/g", "display": "G"}],
                   "manager": {"value": "m", "$ref": "https://a/Users/m"},
                   "meta": {"location": "https://a/Users/1", "version": "W/\"x\"", "created": "t",
                            "meta": {"location": "nested"}},
                   "n": [1, 2.5, null, {"$ref": "r", "meta": {"version": "v", "k": "k"}}]}),
            json!({}),
            json!({"meta": {}}),
            json!([{"$ref": "only"}]),
        ];
        for r in &resources {
            assert_eq!(weak_etag(r), copied_and_stripped(r), "{r}");
        }
    }

    #[test]
    fn headers_parse_and_compare_weakly() {
        let tag = "W/\"abc\"";
        assert!(EntityTags::parse("*", "If-Match").unwrap().matches(tag));
        assert!(
            EntityTags::parse("W/\"abc\"", "If-Match")
                .unwrap()
                .matches(tag)
        );
        assert!(
            EntityTags::parse("\"abc\"", "If-Match")
                .unwrap()
                .matches(tag)
        );
        assert!(
            EntityTags::parse("\"x\", W/\"abc\"", "If-Match")
                .unwrap()
                .matches(tag)
        );
        assert!(
            !EntityTags::parse("W/\"abd\"", "If-Match")
                .unwrap()
                .matches(tag)
        );
        for bad in ["abc", "W/abc", "\"a\"b\"", "", " , ", "W/\""] {
            let err = EntityTags::parse(bad, "If-Match").expect_err(bad);
            assert_eq!(err.status, 400, "{bad}");
        }
        assert!(EntityTags::parse(&"\"a\",".repeat(2000), "If-Match").is_err());
    }
}
