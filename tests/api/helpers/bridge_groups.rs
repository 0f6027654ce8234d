//! Group helpers on `BridgeEnv`, and the write context and error unpacking the bridge tests share.

use super::bridge_env::BridgeEnv;
use super::scim_calls::GROUP_URN;
use dropbox_scim_bridge::bridge::{BridgeError, WriteContext};
use dropbox_scim_bridge::scim::error::ScimType;
use serde_json::{Value, json};

impl BridgeEnv {
    /// The total of group write calls made so far.
    pub fn writes(&self) -> u64 {
        let writes = [
            "groups/create",
            "groups/update",
            "groups/delete",
            "groups/members/add",
            "groups/members/remove",
        ];
        writes.iter().map(|r| self.count(r)).sum()
    }

    /// Creates a group named `name` with `members`, answering its id.
    pub async fn group(&self, name: &str, members: &[String]) -> String {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let body = json!({"schemas": [GROUP_URN], "displayName": name, "members": members});
        let g = self
            .bridge
            .create_group(&ctx("POST /Groups"), body)
            .await
            .expect("create group");
        g.id.expect("id")
    }

    /// The sorted member ids of a group.
    pub async fn member_ids(&self, id: &str) -> Vec<String> {
        let g = self.bridge.get_group(id, true).await.expect("get group");
        let mut ids: Vec<String> = g.members.into_iter().map(|m| m.value).collect();
        ids.sort();
        ids
    }
}

/// A write context for one request.
pub fn ctx(op: &str) -> WriteContext {
    WriteContext::new("test".into(), "req-1".into(), op.into())
}

/// The SCIM status and type of a failed call.
pub fn scim_err<T: std::fmt::Debug>(r: Result<T, BridgeError>) -> (u16, Option<ScimType>, String) {
    match r {
        Err(BridgeError::Scim(e)) => (e.status, e.scim_type, e.detail),
        other => panic!("expected a SCIM error, got {other:?}"),
    }
}

/// `ids` sorted.
pub fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}
