//! Opaque, tamper-evident list cursors: kind, position (last seq seen), scope, issue time and a MAC.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a cursor stays valid [assume].
pub(crate) const CURSOR_TTL_SECS: i64 = 3600;

/// What a cursor pages through, plus the listing options it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CursorData {
    /// List kind: "members_v2", "groups", "group_members:<group id>".
    pub kind: String,
    /// Sequence number of the last item returned; the next page starts after it.
    pub after: u64,
    /// members/list include_removed.
    pub include_removed: bool,
    /// Page size.
    pub limit: u32,
    /// Issue time, seconds since the epoch on the emulator clock.
    pub issued: i64,
}

fn mac(key: &str, payload: &str) -> String {
    let digest = Sha256::digest(format!("{key}|{payload}").as_bytes());
    hex::encode(&digest[..12])
}

/// Encodes cursor data into an opaque string signed with `key`.
pub(crate) fn encode(key: &str, data: &CursorData) -> String {
    let payload = serde_json::to_string(data).unwrap_or_default();
    let sig = mac(key, &payload);
    URL_SAFE_NO_PAD.encode(format!("{sig}.{payload}"))
}

/// Decodes a cursor of the expected kind; `None` when corrupt, foreign, of another kind, or expired.
pub(crate) fn decode(key: &str, cursor: &str, kind: &str, now_secs: i64) -> Option<CursorData> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (sig, payload) = text.split_once('.')?;
    if mac(key, payload) != sig {
        return None;
    }
    let data: CursorData = serde_json::from_str(payload).ok()?;
    (data.kind == kind && now_secs - data.issued < CURSOR_TTL_SECS).then_some(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> CursorData {
        CursorData {
            kind: "groups".into(),
            after: 7,
            include_removed: false,
            limit: 2,
            issued: 100,
        }
    }

    #[test]
    fn cursor_round_trips_for_its_kind() {
        let c = encode("k", &data());
        assert_eq!(decode("k", &c, "groups", 100), Some(data()));
    }

    #[test]
    fn cursor_of_other_kind_is_invalid() {
        let c = encode("k", &data());
        assert_eq!(decode("k", &c, "members_v2", 100), None);
    }

    #[test]
    fn corrupted_or_foreign_cursor_is_invalid() {
        let c = encode("k", &data());
        assert_eq!(decode("other-key", &c, "groups", 100), None);
        assert_eq!(decode("k", &format!("x{c}"), "groups", 100), None);
        assert_eq!(decode("k", "not a cursor", "groups", 100), None);
    }

    #[test]
    fn cursor_expires_after_ttl() {
        let c = encode("k", &data());
        assert_eq!(decode("k", &c, "groups", 100 + CURSOR_TTL_SECS), None);
    }
}
